"""Session report (直播复盘): figures gathered from a session's database, written as
``report.json`` and one self-contained HTML file with matplotlib charts (inline SVG).

Qt-free. :func:`gather` reads the store, :func:`render_html` draws, :func:`faq_rows` gives the
missing-fact questions as FAQ rows (columns ``question,answer`` like the catalog's ``*.faq.csv``).
"""

from app.report.figures import DEFINITIONS, faq_rows, gather, headline, open_db
from app.report.render import render_html, write_report

__all__ = ["DEFINITIONS", "faq_rows", "gather", "headline", "open_db", "render_html", "write_report"]
