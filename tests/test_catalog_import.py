"""Catalog import (CSV/XLSX -> Catalog), its error reports, and the demo assets."""

from __future__ import annotations

import csv
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from app.catalog.importer import (COLUMNS, CatalogImportError, ImportResult, load_catalog,
                                  write_catalog_csv)
from app.catalog.model import Catalog, SizeRange, Sku
from app.errors import CatalogError, LiveHostError

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "assets" / "demo"
DEMO_CATALOG = DEMO / "catalog.csv"
DEMO_SESSION = DEMO / "session.jsonl"

GOOD_ROWS = [
    {"product_id": "T1", "listing_number": "1", "title": "纯棉圆领T恤", "title_en": "Cotton tee",
     "category": "T恤", "brand": "棉语", "price": "19.90", "original_price": "39.90",
     "skus": "黑色/M:12; 黑色/L:0; /均码:5; 白色/:3",
     "size_chart": "S=150-158cm,40-48kg; M=158-165cm,48-55kg; L=50-60kg",
     "material": "棉100%", "selling_points": "不起球|宽松版型", "courier": "中通",
     "ships_from": "杭州", "dispatch_days": "2", "delivery_days": "2-4", "free_shipping": "yes",
     "free_shipping_exceptions": "新疆|西藏", "return_days": "7",
     "return_shipping_paid_by": "insurance", "warranty": "", "tags": "夏季",
     "aliases": "短袖|T恤", "script": "纯棉面料，透气。", "demo_data": "yes"},
    {"product_id": "H2", "listing_number": "2", "title": "加厚浴巾", "category": "毛巾浴巾",
     "price": "¥59.9", "skus": "灰色/:20", "return_days": "0", "free_shipping": "no"},
    {"product_id": "H3", "listing_number": "", "title": "台灯", "category": "小家电",
     "price": "199元", "warranty": "一年质保", "return_shipping_paid_by": "seller"},
]


def write_rows(path: Path, rows: list[dict[str, str]], columns=COLUMNS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(columns), extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow(r)
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def bad_rows(tmp_path: Path, **changes_by_row: dict[str, str]) -> Path:
    rows = [dict(r) for r in GOOD_ROWS]
    for key, change in changes_by_row.items():
        rows[int(key[1:])].update(change)
    return write_rows(tmp_path / "shop.csv", rows)


def only_error(exc: CatalogImportError) -> CatalogError:
    assert len(exc.errors) == 1, [e.message for e in exc.errors]
    return exc.errors[0]


# ---- the happy path --------------------------------------------------------------------------

def test_good_csv_maps_every_column(tmp_path):
    res = load_catalog(write_rows(tmp_path / "shop.csv", GOOD_ROWS))
    assert isinstance(res, ImportResult) and res.skipped == ()
    cat = res.catalog
    assert [p.product_id for p in cat] == ["T1", "H2", "H3"]
    t = cat.by_listing(1)
    assert t is not None and t.product_id == "T1"
    assert t.price == Decimal("19.90") and str(t.price) == "19.90"
    assert t.original_price == Decimal("39.90")
    assert t.skus == (Sku("黑色", "M", 12), Sku("黑色", "L", 0), Sku("", "均码", 5),
                      Sku("白色", "", 3))
    assert t.size_chart == (SizeRange("S", 150, 158, 40, 48), SizeRange("M", 158, 165, 48, 55),
                            SizeRange("L", None, None, 50, 60))
    assert t.selling_points == ("不起球", "宽松版型")
    assert t.shipping.free_shipping is True and t.shipping.free_shipping_exceptions == ("新疆", "西藏")
    assert t.shipping.dispatch_days == 2 and t.shipping.delivery_days == "2-4"
    assert t.after_sales.return_days == 7 and t.after_sales.return_shipping_paid_by == "insurance"
    assert t.aliases == ("短袖", "T恤") and t.demo_data is True and t.title_en == "Cotton tee"
    h2 = cat.get("H2")
    assert h2.price == Decimal("59.90") and h2.shipping.free_shipping is False
    assert h2.after_sales.return_days == 0 and h2.original_price is None and h2.demo_data is False
    h3 = cat.get("H3")
    assert h3.listing_number is None and h3.price == Decimal("199.00")
    assert h3.shipping.free_shipping is None and h3.shipping.dispatch_days is None
    assert h3.after_sales.warranty == "一年质保" and h3.after_sales.return_shipping_paid_by == "seller"


@pytest.mark.parametrize("text,expected", [
    ("19.90", "19.90"), ("19.9", "19.90"), ("20", "20.00"), ("¥59.90", "59.90"),
    ("￥59.9", "59.90"), ("59.9元", "59.90"), (" 1,299.00 ", "1299.00"), ("０.５", "0.50"),
])
def test_price_forms_accepted_exactly(tmp_path, text, expected):
    p = load_catalog(bad_rows(tmp_path, r0={"price": text})).catalog.get("T1")
    assert p.price == Decimal(expected) and str(p.price) == expected


@pytest.mark.parametrize("text,needle", [
    ("59.999", "more than 2 decimals"), ("-5", "negative"), ("abc", "not an amount"),
    ("59.9起", "not an amount"), ("", "price is empty"), ("1,29.00", "not an amount"),
])
def test_bad_prices_rejected_with_place(tmp_path, text, needle):
    path = bad_rows(tmp_path, r1={"price": text})
    with pytest.raises(CatalogImportError) as ei:
        load_catalog(path)
    e = only_error(ei.value)
    assert ei.value.code == "catalog-invalid"
    assert (e.file, e.row, e.column) == (str(path), 3, "price")
    assert needle in e.message and e.hint
    assert f"{path}, row 3, column 'price'" in str(e)


def test_csv_and_xlsx_give_equal_catalogs(tmp_path):
    csv_cat = load_catalog(write_rows(tmp_path / "a.csv", GOOD_ROWS)).catalog
    rows = []
    for r in GOOD_ROWS:
        row: list[object] = [r.get(c, "") or None for c in COLUMNS]
        rows.append(row)
    # Excel stores numbers as numbers: put real numeric cells where a seller would have them
    rows[0][COLUMNS.index("price")] = 19.9
    rows[0][COLUMNS.index("original_price")] = 39.9
    rows[0][COLUMNS.index("listing_number")] = 1
    rows[0][COLUMNS.index("dispatch_days")] = 2
    rows[0][COLUMNS.index("return_days")] = 7.0
    rows[1][COLUMNS.index("listing_number")] = 2.0
    rows[1][COLUMNS.index("return_days")] = 0
    xlsx_cat = load_catalog(write_xlsx(tmp_path / "a.xlsx", list(COLUMNS), rows)).catalog
    assert xlsx_cat.products == csv_cat.products
    assert str(xlsx_cat.get("T1").price) == "19.90"


def test_xlsx_errors_name_row_and_column(tmp_path):
    header = ["Product_ID", "Title", "Category", "Price", "SKUs"]
    path = write_xlsx(tmp_path / "b.xlsx", header, [
        ["A1", "衬衫", "衬衫", 99, "白色/M:3"],
        ["A2", "裤子", "裤装", 59.995, "黑色/M:2"],
        [None, None, None, None, None],  # blank row 4 is skipped, still counted
        ["A3", "外套", "外套", 199, "黑色M:2"],
    ])
    with pytest.raises(CatalogImportError) as ei:
        load_catalog(path)
    places = sorted((e.row, e.column) for e in ei.value.errors)
    assert places == [(3, "price"), (5, "skus")]
    res = load_catalog(path, skip_bad_rows=True)
    assert [p.product_id for p in res.catalog] == ["A1"]
    assert res.catalog.get("A1").price == Decimal("99.00")


def test_xlsx_formula_float_noise_is_rounded_to_the_fen(tmp_path):
    path = write_xlsx(tmp_path / "c.xlsx", ["product_id", "title", "category", "price"],
                      [["A1", "衬衫", "衬衫", 0.1 + 0.2]])
    assert load_catalog(path).catalog.get("A1").price == Decimal("0.30")


# ---- file-level errors -----------------------------------------------------------------------

def test_missing_file(tmp_path):
    with pytest.raises(LiveHostError) as ei:
        load_catalog(tmp_path / "nope.csv")
    assert ei.value.code == "catalog-missing" and "nope.csv" in str(ei.value)


def test_unsupported_type(tmp_path):
    p = tmp_path / "shop.numbers"
    p.write_text("x")
    with pytest.raises(LiveHostError) as ei:
        load_catalog(p)
    assert ei.value.code == "catalog-unsupported"


def test_missing_required_column_named(tmp_path):
    cols = [c for c in COLUMNS if c != "category"]
    path = write_rows(tmp_path / "shop.csv", GOOD_ROWS, columns=cols)
    with pytest.raises(CatalogImportError) as ei:
        load_catalog(path, skip_bad_rows=True)  # cannot be skipped: no row is usable
    e = only_error(ei.value)
    assert (e.file, e.row, e.column) == (str(path), 1, "category")
    assert "required column 'category'" in e.message


def test_duplicate_product_id_names_both_rows(tmp_path):
    path = bad_rows(tmp_path, r2={"product_id": "T1"})
    with pytest.raises(CatalogImportError) as ei:
        load_catalog(path)
    e = only_error(ei.value)
    assert (e.row, e.column) == (4, "product_id")
    assert "row 2" in e.message and "row 4" in e.message


def test_duplicate_listing_number_names_both_rows(tmp_path):
    path = bad_rows(tmp_path, r2={"listing_number": "2"})
    with pytest.raises(CatalogImportError) as ei:
        load_catalog(path)
    e = only_error(ei.value)
    assert (e.row, e.column) == (4, "listing_number")
    assert "row 3" in e.message and "row 4" in e.message
    res = load_catalog(path, skip_bad_rows=True)
    assert [p.product_id for p in res.catalog] == ["T1", "H2"]
    assert [(s.row, s.column) for s in res.skipped] == [(4, "listing_number")]


def test_empty_catalogs(tmp_path):
    header_only = write_rows(tmp_path / "h.csv", [])
    with pytest.raises(CatalogImportError) as ei:
        load_catalog(header_only)
    assert ei.value.code == "catalog-empty"
    blank = tmp_path / "blank.csv"
    blank.write_bytes(b"")
    with pytest.raises(CatalogImportError) as ei:
        load_catalog(blank)
    assert ei.value.code == "catalog-empty"
    all_bad = bad_rows(tmp_path, r0={"price": "x"}, r1={"price": "y"}, r2={"price": "z"})
    with pytest.raises(CatalogImportError) as ei:
        load_catalog(all_bad, skip_bad_rows=True)
    assert ei.value.code == "catalog-empty"
    assert sorted(e.row for e in ei.value.errors if e.row) == [2, 3, 4]


def test_all_errors_collected_and_nothing_imported(tmp_path):
    path = bad_rows(tmp_path,
                    r0={"skus": "黑色/M:lots; 白色/L:2", "size_chart": "S=158-150cm"},
                    r1={"listing_number": "0", "free_shipping": "maybe"},
                    r2={"return_shipping_paid_by": "nobody", "title": ""})
    with pytest.raises(CatalogImportError) as ei:
        load_catalog(path)
    places = sorted((e.row, e.column) for e in ei.value.errors)
    assert places == [(2, "size_chart"), (2, "skus"), (3, "free_shipping"),
                      (3, "listing_number"), (4, "return_shipping_paid_by"), (4, "title")]
    for e in ei.value.errors:
        assert e.file == str(path) and e.hint
    assert "6 problems" in ei.value.message


def test_skip_bad_rows_keeps_good_rows(tmp_path):
    path = bad_rows(tmp_path, r1={"price": "-1"})
    res = load_catalog(path, skip_bad_rows=True)
    assert [p.product_id for p in res.catalog] == ["T1", "H3"]
    assert len(res.skipped) == 1
    s = res.skipped[0]
    assert (s.file, s.row, s.column) == (str(path), 3, "price") and "negative" in s.message


@pytest.mark.parametrize("skus,needle", [
    ("黑色M:2", "no '/'"), ("黑色/M", "no ':stock'"), ("黑色/M:-1", "not a whole number"),
    ("黑色/M:1; 黑色/M:2", "listed twice"), ("/:3; 黑色/M:2", "neither colour nor size"),
])
def test_bad_skus(tmp_path, skus, needle):
    with pytest.raises(CatalogImportError) as ei:
        load_catalog(bad_rows(tmp_path, r0={"skus": skus}))
    e = only_error(ei.value)
    assert (e.row, e.column) == (2, "skus") and needle in e.message


@pytest.mark.parametrize("chart,needle", [
    ("S150-158cm", "no 'size='"), ("S=150cm", "not a range"), ("S=", "not a range"),
    ("S=-170cm", "not a range"), ("S=160-150cm", "min above max"),
    ("S=150-160cm; S=160-170cm", "appears twice"),
])
def test_bad_size_charts(tmp_path, chart, needle):
    with pytest.raises(CatalogImportError) as ei:
        load_catalog(bad_rows(tmp_path, r0={"size_chart": chart}))
    e = only_error(ei.value)
    assert (e.row, e.column) == (2, "size_chart") and needle in e.message


def test_gbk_csv_from_chinese_excel_is_read(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("product_id,title,category,price\nA1,纯棉T恤,T恤,59.9\n".encode("gbk"))
    assert load_catalog(path).catalog.get("A1").title == "纯棉T恤"


def test_multiline_cell_counts_as_one_row(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text('product_id,title,category,price\nA1,"T恤\n第二行",T恤,9.9\nA2,裤,裤,x\n',
                    encoding="utf-8")
    with pytest.raises(CatalogImportError) as ei:
        load_catalog(path)
    assert [(e.row, e.column) for e in ei.value.errors] == [(3, "price")]


# ---- writing ---------------------------------------------------------------------------------

def test_round_trip_write_then_load_is_equal(tmp_path):
    first = load_catalog(write_rows(tmp_path / "a.csv", GOOD_ROWS)).catalog
    write_catalog_csv(first, tmp_path / "b.csv")
    second = load_catalog(tmp_path / "b.csv").catalog
    assert second.products == first.products
    assert (tmp_path / "b.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # BOM for Excel


def test_round_trip_of_the_shared_test_catalog(tmp_path, catalog):
    write_catalog_csv(catalog, tmp_path / "c.csv")
    assert load_catalog(tmp_path / "c.csv").catalog.products == catalog.products


def test_writer_refuses_what_the_format_cannot_hold(tmp_path, catalog):
    from dataclasses import replace

    p = replace(catalog.products[0], size_chart=(SizeRange("S", 150, None),))
    with pytest.raises(ValueError, match="open cm range"):
        write_catalog_csv(Catalog((p,)), tmp_path / "x.csv")


# ---- the demo assets -------------------------------------------------------------------------

def test_demo_catalog_loads():
    cat = load_catalog(DEMO_CATALOG).catalog
    assert 48 <= len(cat) <= 56
    numbers = [p.listing_number for p in cat]
    assert None not in numbers and len(set(numbers)) == len(numbers)
    assert sorted(numbers) == list(range(1, len(cat) + 1))
    for p in cat:
        assert p.price > 0 and p.demo_data and p.title and p.title_en and p.category
        assert p.skus and p.script and p.aliases
        if p.original_price is not None:
            assert p.original_price > p.price
        assert str(p.listing_number) in p.script and p.title in p.script
        for word in ("最", "第一", "国家级", "顶级", "绝对"):
            assert word not in p.script, (p.product_id, word)
    stocks = [s.stock for p in cat for s in p.skus]
    assert 0 in stocks
    assert sum(1 for p in cat if 0 < p.total_stock <= 5) >= 2  # nearly sold out
    assert sum(1 for p in cat if p.size_chart) >= 15
    assert any(p.after_sales.warranty for p in cat)
    assert any(p.shipping.free_shipping_exceptions == ("新疆", "西藏") for p in cat)


def test_demo_catalog_script_states_row_prices():
    for p in load_catalog(DEMO_CATALOG).catalog:
        spoken = {Decimal(x) for x in re.findall(r"(\d+(?:\.\d+)?)元", p.script)}
        allowed = {p.price, *([p.original_price] if p.original_price else [])}
        assert spoken == allowed, p.product_id


def test_demo_session_is_valid():
    cat = load_catalog(DEMO_CATALOG).catalog
    known = {"session", "comment", "gift", "follow", "enter", "like", "host_speech", "now_selling"}
    lines = DEMO_SESSION.read_text(encoding="utf-8").splitlines()
    events = [json.loads(line) for line in lines]
    assert all(isinstance(e, dict) and e.get("type") in known for e in events)
    assert events[0]["type"] == "session" and all(e["type"] != "session" for e in events[1:])
    ts = [e["t"] for e in events[1:]]
    assert all(isinstance(t, (int, float)) for t in ts)
    assert ts == sorted(ts) and ts[0] >= 0 and 1000 <= ts[-1] <= 1300
    ids = [e["id"] for e in events[1:]]
    assert len(set(ids)) == len(ids)
    selling = [e["listing_number"] for e in events if e["type"] == "now_selling"]
    assert selling and all(cat.by_listing(n) is not None for n in selling)
    kinds = [e["type"] for e in events]
    assert 250 <= len(events) <= 350
    assert 150 <= kinds.count("comment") <= 200 and 40 <= kinds.count("enter") <= 60
    streak = [e for e in events if e["type"] == "gift" and e["streak_id"] == "g-heart-1"]
    assert len(streak) >= 3 and streak[-1]["streak_end"] is True
    assert not any(e["streak_end"] for e in streak[:-1])
    assert [e["count"] for e in streak] == sorted({e["count"] for e in streak})
    # every "N号" in a comment names a listed product
    for e in events:
        if e["type"] == "comment":
            for n in re.findall(r"(\d+)[号號]", e["text"]):
                assert cat.by_listing(int(n)) is not None, e["text"]


def test_damaged_xlsx_is_reported(tmp_path):
    p = tmp_path / "broken.xlsx"
    p.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(LiveHostError) as ei:
        load_catalog(p)
    assert ei.value.code == "catalog-unreadable" and "broken.xlsx" in str(ei.value)
