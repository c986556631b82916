"""Speed of text normalisation and slot extraction, per message (prints a table).

Run: ``.venv/bin/python bench/bench_slots.py [--repeat N]``

The catalog is 50 generated products (10 categories x 5 variants, Chinese + English
titles, one alias each) so the numbers do not depend on the demo assets. Times are
microseconds per call, median over ``--repeat`` rounds of one call each, after a warm-up
(the first extraction loads jieba's dictionary, about a second, once per process).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.catalog.model import Catalog, Product, Sku  # noqa: E402
from app.understanding.slots import SlotExtractor  # noqa: E402
from app.understanding.text import normalize_text  # noqa: E402

CATEGORIES = [("卫衣", "hoodie"), ("T恤", "t-shirt"), ("连衣裙", "dress"), ("牛仔裤", "jeans"),
              ("运动鞋", "sneakers"), ("围巾", "scarf"), ("口红", "lipstick"), ("面膜", "face mask"),
              ("保温杯", "vacuum flask"), ("羽绒服", "down jacket")]
MODIFIERS = [("加绒", "fleece"), ("纯棉", "cotton"), ("宽松", "loose"), ("修身", "slim"), ("法式", "french")]

MESSAGES = [
    "3号链接多少钱",
    "那个卫衣多少",
    "小白鞋还有吗",
    "我一米六五 一百二十斤穿什么码",
    "两百以内有什么推荐",
    "這件紅色的有XL嗎",
    "3号M码黑色要两件送妈妈",
    "do you have the hoodie in black size M",
    "I'm 5'6 and 140, what size?",
    "主播好美",
    "多少钱",
]


def build_catalog() -> Catalog:
    products = []
    for i in range(50):
        cat, cat_en = CATEGORIES[i % 10]
        mod, mod_en = MODIFIERS[i // 10]
        products.append(Product(
            product_id=f"p{i}", listing_number=i + 1, title=f"新款{mod}{cat}", category=cat,
            price=Decimal("99"), title_en=f"{mod_en} {cat_en}".title(),
            aliases=("小白鞋",) if i == 4 else (f"{mod}{cat}{i}号",),
            skus=(Sku("黑色", "M", 3), Sku("白色", "L", 2)),
        ))
    return Catalog(tuple(products))


def timed(fn, arg, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(arg)
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples) * 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=500)
    args = ap.parse_args()

    t0 = time.perf_counter()
    ex = SlotExtractor(build_catalog())
    build_s = time.perf_counter() - t0
    for m in MESSAGES:  # warm-up
        ex.extract(m)
    t0 = time.perf_counter()
    ex.set_catalog(build_catalog())
    rebuild_ms = (time.perf_counter() - t0) * 1e3

    print(f"catalog: 50 products; first build {build_s:.2f} s (incl. jieba load), rebuild {rebuild_ms:.1f} ms")
    print(f"{'message':<42} {'normalize us':>13} {'extract us':>11}  slots")
    for m in MESSAGES:
        n_us = timed(normalize_text, m, args.repeat)
        e_us = timed(ex.extract, m, args.repeat)
        slots = ex.extract(m).as_dict()
        if "product_mentions" in slots:
            slots["product_mentions"] = f"{len(slots['product_mentions'])} products"
        print(f"{m:<42} {n_us:>13.1f} {e_us:>11.1f}  {slots}")


if __name__ == "__main__":
    main()
