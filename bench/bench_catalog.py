"""Catalog import speed and memory by file kind and size (prints a table).

Run: ``.venv/bin/python bench/bench_catalog.py [--rows 200 2000] [--repeat N]``

The catalogs are the products of ``tests/data/catalogs/*.csv`` (cosmetics, food, phones, mall:
90 products with variants, per-variant prices, FAQ) repeated with fresh ids up to ``--rows``
rows, written as: CSV UTF-8 (BOM), CSV GB18030 and CSV Big5 (titles converted to Traditional
with OpenCC, so legacy encodings go through charset-normalizer's detection and the plausibility
ranking), UTF-16 "Unicode text" (tabs), and XLSX with the courier merged over every run of 5
rows and two banner rows. Times are milliseconds per :func:`load_catalog` call (median and
95th percentile over ``--repeat`` calls after one warm-up, ``statistics.quantiles``); memory is
the peak of Python allocations during one call (``tracemalloc``), MiB.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import tempfile
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from app.catalog.importer import COLUMNS, load_catalog, write_catalog_csv  # noqa: E402
from app.catalog.model import Catalog  # noqa: E402

DATA = ROOT / "tests" / "data" / "catalogs"


def products(n: int):
    base = [p for name in ("cosmetics", "food", "phones", "mall")
            for p in load_catalog(DATA / f"{name}.csv").catalog]
    out = []
    for i in range(n):
        p = base[i % len(base)]
        out.append(replace(p, product_id=f"{p.product_id}-{i}", listing_number=i + 1))
    return out


def write_variants(rows: int, d: Path) -> dict[str, Path]:
    import openpyxl
    import opencc

    prods = products(rows)
    utf8 = d / f"utf8-{rows}.csv"
    write_catalog_csv(Catalog(tuple(prods)), utf8)
    text = utf8.read_text(encoding="utf-8-sig")
    files = {"CSV UTF-8": utf8}
    gb = d / f"gb-{rows}.csv"
    gb.write_bytes(text.encode("gb18030"))
    files["CSV GB18030"] = gb
    trad = opencc.OpenCC("s2t").convert(text)
    big5 = d / f"big5-{rows}.csv"
    big5.write_bytes(trad.encode("cp950", errors="replace"))
    files["CSV Big5"] = big5
    with utf8.open(encoding="utf-8-sig", newline="") as f:
        table = list(csv.reader(f))
    u16 = d / f"u16-{rows}.txt"
    u16.write_bytes("\r\n".join("\t".join(c.replace("\t", " ") for c in r) for r in table)
                    .encode("utf-16"))
    files["UTF-16 text"] = u16
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["棉语衣橱 商品导出"])
    ws.append(["导出时间", "2025-11-20"])
    for r in table:
        ws.append(r)
    col = COLUMNS.index("courier") + 1
    for start in range(4, len(table) + 2, 5):
        end = min(start + 4, len(table) + 2)
        for r in range(start + 1, end + 1):
            ws.cell(r, col).value = None
        if end > start:
            ws.merge_cells(start_row=start, start_column=col, end_row=end, end_column=col)
    xlsx = d / f"x-{rows}.xlsx"
    wb.save(xlsx)
    files["XLSX (merges)"] = xlsx
    return files


def measure(path: Path, repeat: int) -> tuple[float, float, float, int]:
    load_catalog(path)  # warm-up (imports, charset-normalizer tables)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        res = load_catalog(path)
        times.append((time.perf_counter() - t0) * 1000)
    tracemalloc.start()
    load_catalog(path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) >= 2 else times[0]
    return statistics.median(times), p95, peak / 2**20, len(res.catalog)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[200, 2000])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    table = Table(title="catalog import (load_catalog)")
    for name in ("file", "rows", "size KiB", "median ms", "p95 ms", "ms / 1000 rows",
                 "peak MiB"):
        table.add_column(name, justify="left" if name == "file" else "right")
    with tempfile.TemporaryDirectory() as tmp:
        for rows in args.rows:
            for kind, path in write_variants(rows, Path(tmp)).items():
                med, p95, peak, n = measure(path, args.repeat)
                assert n == rows, (kind, n, rows)
                table.add_row(kind, str(rows), f"{path.stat().st_size / 1024:.0f}", f"{med:.1f}",
                              f"{p95:.1f}", f"{med / rows * 1000:.1f}", f"{peak:.1f}")
    Console().print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
