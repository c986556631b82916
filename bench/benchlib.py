"""Shared helpers of the bench scripts (run as ``python bench/<name>.py``)."""

from __future__ import annotations

from collections.abc import Sequence

from app.observers import percentile  # noqa: F401 - one definition for product and benches


def print_table(rows: Sequence[tuple[str, ...]], header: str = "measure", columns: Sequence[str] = ("value",),
                title: str | None = None) -> None:
    """Print rows ``(name, value, ...)`` as a ``rich`` table (viewer text is never markup)."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, show_lines=False)
    table.add_column(header)
    for c in columns:
        table.add_column(c)
    for row in rows:
        table.add_row(*(Text(str(x)) for x in row))
    Console(soft_wrap=False, width=max(120, len(max((str(r) for r in rows), key=len, default="")) + 20)).print(table)
