"""Shared helpers of the bench scripts (run as ``python bench/<name>.py``)."""

from __future__ import annotations

from collections.abc import Sequence

from app.observers import percentile  # noqa: F401 - one definition for product and benches


def print_table(rows: Sequence[tuple[str, str]], header: str = "measure") -> None:
    """Print ``(name, value)`` rows as a two-column table under a rule."""
    width = max(len(name) for name, _ in rows)
    print(f"{header:<{width}}  value")
    print("-" * (width + max((len(v) for _, v in rows), default=0) + 2))
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
