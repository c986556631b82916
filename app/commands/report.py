"""``livehost report``: the session report (直播复盘) as one HTML file plus report.json."""

from __future__ import annotations

from pathlib import Path


def run(args) -> int:
    from app.errors import LiveHostError
    from app.report import gather, write_report
    from app.report.figures import open_db
    from app.report.render import faq_csv_text

    _, db = open_db(args.db)
    rep = gather(db, args.session)
    compare = None
    if args.compare:
        where = Path(args.compare_db) if args.compare_db else db
        compare = gather(where, args.compare, top_words=0)
    out = Path(args.out) if args.out else db.parent / "report.html"
    try:
        json_path = write_report(rep, out, compare=compare)
        if args.faq_out:
            Path(args.faq_out).write_text("\ufeff" + faq_csv_text(rep), encoding="utf-8")
    except OSError as exc:
        raise LiveHostError("report-write-failed", f"Cannot write the report: {exc}",
                            "Choose a writable --out path.") from exc
    h = rep["headline"]
    print(f"Session {rep['session']['session_id']}: {h['comments']} comments, {h['questions']} questions "
          f"({h['questions_answered']} answered, {h['unanswered']} not), {len(rep['missing_facts'])} missing facts.")
    print(f"Wrote {out} and {json_path}" + (f" and {args.faq_out}" if args.faq_out else ""))
    if args.pdf:
        pdf = out.with_suffix(".pdf")
        print_pdf(out, pdf)
        print(f"Wrote {pdf}")
    return 0


def print_pdf(html_path: Path, pdf_path: Path) -> None:
    """Print ``html_path`` to ``pdf_path`` with Debian's headless ``chromium``.
    Raises LiveHostError(code='report-pdf-failed') when chromium is missing or fails."""
    import shutil
    import subprocess

    from app.errors import LiveHostError

    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        raise LiveHostError("report-pdf-failed", "--pdf needs the chromium browser, which is not installed.",
                            "Install it (apt-get install chromium) or open the HTML and print it.")
    proc = subprocess.run([exe, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                           f"--print-to-pdf={pdf_path}", Path(html_path).resolve().as_uri()],
                          capture_output=True, text=True, timeout=120)
    if proc.returncode != 0 or not Path(pdf_path).is_file():
        raise LiveHostError("report-pdf-failed", f"chromium could not print the PDF: {proc.stderr[-400:]}", "")
