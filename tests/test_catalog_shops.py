"""What any shop needs in its catalog: products without variants, variants by any option with
their own prices, the new product columns, per-product and shop-wide FAQ, and that all of it
round-trips through the CSV writer and the JSON serializer."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from app.catalog.importer import (COLUMNS, CatalogImportError, faq_path_for, load_catalog,
                                  write_catalog_csv)
from app.catalog.model import Catalog, FaqEntry, Product, Sku, faq_key
from app.catalog.serialize import (catalog_from_json, catalog_to_json, product_from_json,
                                   product_to_json)

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "assets" / "examples" / "beauty-snacks-phone.csv"


def write_rows(path: Path, rows: list[dict[str, str]]) -> Path:
    columns = list(dict.fromkeys(k for r in rows for k in r))
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=columns)
        w.writeheader()
        w.writerows(rows)
    return path


def base(**fields: str) -> dict[str, str]:
    row = {"product_id": "X1", "title": "测试商品", "category": "杂货", "price": "10"}
    row.update(fields)
    return row


def load_one(tmp_path, **fields: str) -> Product:
    return load_catalog(write_rows(tmp_path / "shop.csv", [base(**fields)])).catalog.products[0]


def error_of(tmp_path, **fields: str):
    with pytest.raises(CatalogImportError) as ei:
        load_catalog(write_rows(tmp_path / "shop.csv", [base(**fields)]))
    assert len(ei.value.errors) == 1, [e.message for e in ei.value.errors]
    return ei.value.errors[0]


PHONE_CASE = base(
    product_id="CASE1", title="磨砂防摔手机壳", category="手机壳", price="39.90",
    options="颜色|适用机型",
    skus="黑色/iPhone 16:12; 黑色/iPhone 16 Pro Max:3@45(原价59)#6901234567892; "
         "透明/iPhone 16:0@35.5",
    options_en="颜色=Colour; 适用机型=Phone model; 黑色=black; 透明=clear",
    suitable_for="iPhone 16|iPhone 16 Pro Max")


# ---- products without variants ---------------------------------------------------------------

@pytest.mark.parametrize("fields", [{"stock": "150"}, {"skus": "150"}, {"skus": "/:150"},
                                    {"skus": ":150"}, {"skus": "／：１５０"},
                                    {"skus": "/:150", "stock": "150"}])
def test_product_without_variants_has_one_sku_with_its_stock(tmp_path, fields):
    p = load_one(tmp_path, **fields)
    assert p.skus == (Sku(stock=150),)
    assert p.total_stock == 150 and p.stock_for() == 150
    assert not p.has_variants and p.option_names == () and p.skus[0].label == ""
    assert p.colors == () and p.sizes == ()


def test_no_stock_at_all_means_stock_unknown(tmp_path):
    p = load_one(tmp_path)
    assert p.skus == () and p.total_stock == 0 and not p.has_variants


def test_a_plain_stock_may_carry_a_barcode(tmp_path):
    p = load_one(tmp_path, skus="150#6901234567890")
    assert p.skus == (Sku(stock=150, barcode="6901234567890"),)


@pytest.mark.parametrize("fields,column,needle", [
    ({"stock": "lots"}, "stock", "not a whole number"),
    ({"stock": "-3"}, "stock", "below 0"),
    ({"stock": "5", "skus": "黑色/M:2; 白色/M:2"}, "stock", "total of the SKUs' stock (4)"),
    ({"skus": "150; 黑色/M:2"}, "skus", "must be the only entry"),
    ({"skus": "黑色/M:2; :4"}, "skus", "must be the only entry"),
])
def test_bad_plain_stock(tmp_path, fields, column, needle):
    e = error_of(tmp_path, **fields)
    assert e.column == column and needle in e.message, e.message


def test_stock_column_equal_to_the_variant_total_is_accepted(tmp_path):
    p = load_one(tmp_path, stock="4", skus="黑色/M:1; 白色/M:3")
    assert p.skus == (Sku("黑色", "M", 1), Sku("白色", "M", 3))


# ---- variants by any option with their own prices --------------------------------------------

def test_phone_case_by_colour_and_model_with_per_variant_prices(tmp_path):
    p = load_catalog(write_rows(tmp_path / "shop.csv", [PHONE_CASE])).catalog.get("CASE1")
    assert p.option_names == ("颜色", "适用机型")
    a, b, c = p.skus
    assert a == Sku(options=(("颜色", "黑色"), ("适用机型", "iPhone 16")), stock=12)
    assert (a.color, a.size, a.label) == ("黑色", "", "黑色/iPhone 16")
    assert b.option("适用机型") == "iPhone 16 Pro Max" and b.option("color") == "黑色"
    assert (b.stock, b.price, b.original_price, b.barcode) == (3, Decimal("45.00"),
                                                               Decimal("59.00"), "6901234567892")
    assert c.price == Decimal("35.50") and c.original_price is None and c.stock == 0
    assert p.price_for(a) == Decimal("39.90") and p.price_for(b) == Decimal("45.00")
    assert p.original_price_for(a) is None and p.original_price_for(b) == Decimal("59.00")
    assert (p.min_price, p.max_price, p.has_variant_prices) == (Decimal("35.50"),
                                                                Decimal("45.00"), True)
    assert p.colors == ("黑色", "透明") and p.sizes == ()
    assert p.option_values("适用机型") == ("iPhone 16", "iPhone 16 Pro Max")
    assert p.skus_matching(颜色="黑色") == (a, b)
    assert p.skus_matching(适用机型="iPhone 16") == (a, c)
    assert p.skus_matching(颜色="黑色", 适用机型="iPhone 16") == (a,)
    assert p.skus_matching(颜色="粉色") == ()
    assert p.stock_for(color="黑色") == 15
    assert p.sku("黑色/iPhone 16 Pro Max") is b and p.sku("白色") is None
    assert p.label_en("黑色") == "black" and p.label_en("适用机型") == "Phone model"
    assert p.sku_label_en(b) == "black/iPhone 16 Pro Max"
    assert p.suitable_for == ("iPhone 16", "iPhone 16 Pro Max")


def test_cream_by_volume_takes_the_lowest_sku_price_as_its_price(tmp_path):
    p = load_one(tmp_path, price="", options="容量", skus="30ml:50@99; 50ml:30@149(原价199)")
    assert p.price == Decimal("99.00") and p.option_names == ("容量",)
    assert [(s.label, s.price, s.stock) for s in p.skus] == [("30ml", Decimal("99.00"), 50),
                                                              ("50ml", Decimal("149.00"), 30)]
    assert p.skus[0].color == "" and p.skus[0].size == ""
    assert p.skus_matching(容量="50ml")[0].original_price == Decimal("199.00")


def test_product_price_must_be_the_lowest_when_every_sku_has_its_own(tmp_path):
    e = error_of(tmp_path, price="129", options="容量", skus="30ml:50@99; 50ml:30@149")
    assert e.column == "price" and "lowest SKU price (99.00)" in e.message
    assert load_one(tmp_path, price="99", options="容量",
                    skus="30ml:50@99; 50ml:30@149").price == Decimal("99.00")


def test_tea_by_weight_mixes_own_and_product_price(tmp_path):
    p = load_one(tmp_path, price="88", unit="250g", options="重量", skus="250g:40; 500g:12@168")
    small, big = p.skus
    assert p.price_for(small) == Decimal("88.00") and p.price_for(big) == Decimal("168.00")
    assert p.unit == "250g" and p.price == Decimal("88.00")


def test_named_colour_and_size_options_fill_colour_and_size(tmp_path):
    p = load_one(tmp_path, options="颜色分类|尺码|款式", skus="黑色/M/加绒:3; 黑色/M/常规:2")
    assert [(s.color, s.size, s.option("款式")) for s in p.skus] == [("黑色", "M", "加绒"),
                                                                       ("黑色", "M", "常规")]
    # these two SKUs share colour and size: only the label tells them apart
    assert [s.label for s in p.skus] == ["黑色/M/加绒", "黑色/M/常规"]
    assert p.stock_for(color="黑色", size="M") == 5


def test_options_colour_size_is_the_default_notation(tmp_path):
    explicit = load_one(tmp_path, options="颜色|尺码", skus="黑色/M:12; /均码:5")
    implicit = load_one(tmp_path, skus="黑色/M:12; /均码:5")
    assert explicit == implicit
    assert implicit.skus == (Sku("黑色", "M", 12), Sku("", "均码", 5))
    assert [s.label for s in implicit.skus] == ["黑色/M", "均码"]


def test_traditional_original_price_mark(tmp_path):
    p = load_one(tmp_path, price="", options="容量", skus="30ml:5@99(原價139); 50ml:3@149(劃線價199)")
    assert [s.original_price for s in p.skus] == [Decimal("139.00"), Decimal("199.00")]


def test_one_bad_sku_entry_is_the_only_error_reported(tmp_path):
    e = error_of(tmp_path, price="", options="容量", skus="30ml:5@99(送小样); 50ml:3@149",
                 stock="8", options_en="30ml=small; 50ml=large")
    assert e.column == "skus" and "not an original price" in e.message


def test_full_width_variant_notation(tmp_path):
    p = load_one(tmp_path, options="颜色｜适用机型", skus="黑色／iPhone 16：12＠39.9（原价59）＃A-16-BK；白色／iPhone 16：1")
    assert p.skus[0] == Sku(options=(("颜色", "黑色"), ("适用机型", "iPhone 16")), stock=12,
                            price=Decimal("39.90"), original_price=Decimal("59.00"),
                            barcode="A-16-BK")
    assert p.skus[1].label == "白色/iPhone 16"


@pytest.mark.parametrize("fields,column,needle", [
    ({"options": "容量", "skus": "30ml/大:5"}, "skus", "2 values but the options are 容量 (1)"),
    ({"skus": "黑色/M/加绒:3"}, "skus", "3 values but the options are 颜色/尺码"),
    ({"options": "容量", "skus": "30ml:5@abc"}, "skus", "is not an amount of money"),
    ({"options": "容量", "skus": "30ml:5@9.999"}, "skus", "more than 2 decimals"),
    ({"options": "容量", "skus": "30ml:5@-9"}, "skus", "negative"),
    ({"options": "容量", "skus": "30ml:5(原价99)"}, "skus", "no @price"),
    ({"options": "容量", "skus": "30ml:5@9(送小样)"}, "skus", "not an original price"),
    ({"options": "容量", "skus": "30ml:5#条码"}, "skus", "not a code of letters and digits"),
    ({"options": "容量", "skus": "30ml:5; 30ml:6"}, "skus", "listed twice"),
    ({"options": "容量", "skus": ":5"}, "skus", "no option values"),
    ({"options": "容量", "skus": "150"}, "skus", "no option values"),
    ({"options": "容量", "skus": ""}, "options", "skus lists no SKU"),
    ({"options": "容量|容量", "skus": "a/b:1"}, "options", "names an option twice"),
    ({"options": "颜色|颜色分类", "skus": "a/b:1"}, "options", "two colour or two size"),
    ({"options": "容量||重量", "skus": "a/b:1"}, "options", "empty name"),
    ({"options": "容量=ml", "skus": "a:1"}, "options", "contains one of"),
    ({"options": "容量", "skus": "30ml:5", "options_en": "50ml=large"}, "options_en",
     "not an option name or value"),
    ({"options": "容量", "skus": "30ml:5", "options_en": "30ml"}, "options_en", "中文=English"),
])
def test_bad_variant_notation(tmp_path, fields, column, needle):
    e = error_of(tmp_path, **fields)
    assert e.column == column and needle in e.message, e.message
    assert e.hint


def test_model_keeps_skus_consistent():
    with pytest.raises(ValueError):
        Sku("白色", options=(("颜色", "黑色"),))
    with pytest.raises(ValueError):
        Sku(options=(("颜色", "黑色"), ("color", "白色")))
    with pytest.raises(ValueError):
        Product("P", 1, "t", "c", Decimal("1"), skus=(Sku("黑色", "M", 1), Sku("黑色", "M", 2)))
    with pytest.raises(ValueError):
        Product("P", 1, "t", "c", Decimal("1"),
                skus=(Sku("黑色", "M", 1), Sku(options=(("容量", "30ml"),), stock=1)))
    with pytest.raises(ValueError):
        Product("P", 1, "t", "c", Decimal("1"), skus=(Sku(stock=1), Sku("黑色", "", 1)))
    legacy = Sku("黑色", "M", 12)
    assert legacy.options == (("颜色", "黑色"), ("尺码", "M"))
    assert replace(legacy, stock=3).stock == 3


# ---- new product columns ---------------------------------------------------------------------

def test_new_columns_are_read(tmp_path):
    p = load_one(tmp_path, title="法式复古小碎花雪纺连衣裙夏季新款收腰显瘦", short_name="碎花裙",
                 unit="1件", suitable_for="油皮｜混油皮|敏感肌", net_weight="50ml",
                 shelf_life="3年", production_date="2025-06", storage="阴凉干燥处，避免阳光直射",
                 material_en="polyester chiffon", selling_points="不起球|有内衬",
                 selling_points_en="does not pill|lined",
                 faq="起球＝不起球；发票=可以开电子发票; 尺码偏大吗=标准码，按平时尺码拍")
    assert p.short_name == "碎花裙" and p.spoken_name == "碎花裙" and p.unit == "1件"
    assert p.suitable_for == ("油皮", "混油皮", "敏感肌")
    assert (p.net_weight, p.shelf_life, p.production_date) == ("50ml", "3年", "2025-06")
    assert p.storage == "阴凉干燥处，避免阳光直射"  # free text keeps its full-width comma
    assert p.material_en == "polyester chiffon"
    assert p.selling_points_en == ("does not pill", "lined")
    assert p.faq == (FaqEntry("起球", "不起球"), FaqEntry("发票", "可以开电子发票"),
                     FaqEntry("尺码偏大吗", "标准码，按平时尺码拍"))
    assert p.faq_answer("尺码偏大吗？") == "标准码，按平时尺码拍"
    assert p.faq_answer("尺码偏大") == "标准码，按平时尺码拍"
    assert p.faq_answer("保质期") is None


@pytest.mark.parametrize("fields,column,needle", [
    ({"short_name": "法式复古小碎花雪纺连衣裙夏季新款收腰显瘦长裙"}, "short_name", "at most 20"),
    ({"faq": "保质期12个月"}, "faq", "no '='"),
    ({"faq": "保质期="}, "faq", "both a question and an answer"),
    ({"faq": "发票=可以; 发票？=不可以"}, "faq", "answered twice"),
    ({"faq": "发票=" + "很长" * 160}, "faq", "at most 300"),
    ({"free_gift": "maybe"}, "free_gift", "not yes or no"),
])
def test_bad_new_columns(tmp_path, fields, column, needle):
    e = error_of(tmp_path, **fields)
    assert e.column == column and needle in e.message, e.message


def test_faq_key():
    assert faq_key(" 能开 发票吗？") == faq_key("能开发票") == "能开发票"
    assert faq_key("ＦＡＱ?") == "faq"


# ---- shop-wide FAQ ---------------------------------------------------------------------------

def test_shop_faq_from_the_sibling_file(tmp_path):
    path = write_rows(tmp_path / "shop.csv", [base()])
    faq_path_for(path).write_text("问题,答案\r\n货到付款,不支持货到付款\r\n发票,可以开电子发票\r\n",
                                  encoding="utf-8")
    res = load_catalog(path)
    assert res.catalog.faq == (FaqEntry("货到付款", "不支持货到付款"), FaqEntry("发票", "可以开电子发票"))
    assert "shop FAQ: 2 entries from shop.faq.csv" in res.notes
    assert res.catalog.faq_answer("能开发票吗") is None
    assert res.catalog.faq_answer("发票") == "可以开电子发票"
    p = replace(res.catalog.products[0], faq=(FaqEntry("发票", "本商品不开票"),))
    assert res.catalog.faq_answer("发票", p) == "本商品不开票"  # the product's own answer first
    assert res.catalog.faq_answer("货到付款", p) == "不支持货到付款"


def test_shop_faq_given_explicitly_in_gbk(tmp_path):
    path = write_rows(tmp_path / "shop.csv", [base()])
    faq = tmp_path / "faq.csv"
    faq.write_bytes("question,answer\r\n运费险,每单都送运费险\r\n".encode("gbk"))
    res = load_catalog(path, faq=faq)
    assert res.catalog.faq == (FaqEntry("运费险", "每单都送运费险"),)
    assert res.notes == ("faq.csv: file read as GB18030 text (it is not UTF-8)",
                         "shop FAQ: 1 entry from faq.csv")
    assert res.encoding == "utf-8"  # the catalog's own encoding


def test_shop_faq_sheet_in_xlsx(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "FAQ"  # the FAQ sheet may come first; products are the first other sheet
    for r in (["店铺常见问题"], ["问题", "答案"], ["货到付款", "不支持"], ["发票", "可以开电子发票"]):
        ws.append(r)
    ps = wb.create_sheet("商品")
    ps.append(["product_id", "title", "category", "price"])
    ps.append(["A1", "浴巾", "浴巾", 39])
    wb.save(tmp_path / "shop.xlsx")
    res = load_catalog(tmp_path / "shop.xlsx")
    assert [p.product_id for p in res.catalog] == ["A1"]
    assert res.catalog.faq == (FaqEntry("货到付款", "不支持"), FaqEntry("发票", "可以开电子发票"))
    assert "shop FAQ: 2 entries from sheet 'FAQ' of shop.xlsx" in res.notes


def test_bad_shop_faq_rows_follow_the_all_or_nothing_rule(tmp_path):
    path = write_rows(tmp_path / "shop.csv", [base()])
    faq = faq_path_for(path)
    faq.write_text("question,answer\r\n发票,可以\r\n货到付款,\r\n发票?,不可以\r\n", encoding="utf-8")
    with pytest.raises(CatalogImportError) as ei:
        load_catalog(path)
    assert [(e.file, e.row, e.column) for e in ei.value.errors] == [
        (str(faq), 3, "answer"), (str(faq), 4, "question")]
    res = load_catalog(path, skip_bad_rows=True)
    assert res.catalog.faq == (FaqEntry("发票", "可以"),) and len(res.skipped) == 2


def test_shop_faq_without_its_columns_is_refused(tmp_path):
    path = write_rows(tmp_path / "shop.csv", [base()])
    faq_path_for(path).write_text("Q?,A!\r\n发票,可以\r\n", encoding="utf-8")
    with pytest.raises(CatalogImportError) as ei:
        load_catalog(path, skip_bad_rows=True)
    assert sorted(e.column for e in ei.value.errors) == ["answer", "question"]


def test_missing_explicit_faq_file(tmp_path):
    path = write_rows(tmp_path / "shop.csv", [base()])
    with pytest.raises(Exception) as ei:
        load_catalog(path, faq=tmp_path / "nope.csv")
    assert getattr(ei.value, "code", "") == "catalog-missing" and "nope.csv" in str(ei.value)


# ---- round trips -----------------------------------------------------------------------------

def _rich_rows() -> list[dict[str, str]]:
    return [
        PHONE_CASE,
        base(product_id="TEA1", title="阿里山高山乌龙茶", short_name="乌龙茶", price="", unit="罐",
             options="重量", skus="250g:40@88; 500g:12@168#6909999000011",
             options_en="250g=250 g", net_weight="250g", shelf_life="24个月",
             production_date="2025-04-12", storage="密封，阴凉干燥处", suitable_for="办公室|送礼",
             faq="保质期=24个月; 冲泡=90度水，每次5克", selling_points_en="high-mountain oolong",
             material_en="oolong tea leaves"),
        base(product_id="GIFT", title="赠品 小样", price="0", free_gift="yes", stock="500"),
        base(product_id="TEE", title="纯棉T恤", price="59.9", original_price="99",
             skus="黑色/M:12; 黑色/L:0; /均码:5; 白色/:3", size_chart="M=158-165cm,48-55kg",
             options_en="黑色=black", faq="起球=不起球"),
        base(product_id="NOVAR", title="竹制茶盘", price="1280", skus="/:5#BAMBOO-01"),
    ]


def test_every_new_field_round_trips_through_csv(tmp_path):
    first = load_catalog(write_rows(tmp_path / "a.csv", _rich_rows())).catalog
    first = replace(first, faq=(FaqEntry("货到付款", "不支持"), FaqEntry("发票", "可以开电子发票")))
    write_catalog_csv(first, tmp_path / "b.csv")
    assert (tmp_path / "b.faq.csv").is_file()
    second = load_catalog(tmp_path / "b.csv").catalog
    assert second.products == first.products
    assert second.faq == first.faq
    header = (tmp_path / "b.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.split(",") == list(COLUMNS)


def test_writer_uses_the_stock_column_and_default_options(tmp_path):
    cat = load_catalog(write_rows(tmp_path / "a.csv", _rich_rows())).catalog
    write_catalog_csv(cat, tmp_path / "b.csv")
    with (tmp_path / "b.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = {r["product_id"]: r for r in csv.DictReader(f)}
    assert (rows["GIFT"]["stock"], rows["GIFT"]["skus"], rows["GIFT"]["free_gift"]) == ("500", "", "yes")
    assert rows["NOVAR"]["skus"] == "5#BAMBOO-01" and rows["NOVAR"]["stock"] == ""
    assert rows["TEE"]["options"] == "" and rows["TEE"]["skus"].startswith("黑色/M:12; ")
    assert rows["TEA1"]["options"] == "重量"
    assert rows["TEA1"]["skus"] == "250g:40@88.00; 500g:12@168.00#6909999000011"
    assert rows["CASE1"]["skus"].split("; ")[1] == "黑色/iPhone 16 Pro Max:3@45.00(原价59.00)#6901234567892"


def test_every_new_field_round_trips_through_json(tmp_path):
    cat = load_catalog(write_rows(tmp_path / "a.csv", _rich_rows())).catalog
    cat = replace(cat, faq=(FaqEntry("发票", "可以开电子发票"),))
    for p in cat:
        back = product_from_json(json.loads(json.dumps(product_to_json(p), ensure_ascii=False)))
        assert back == p
    assert catalog_from_json(json.loads(json.dumps(catalog_to_json(cat)))) == cat
    sku = product_to_json(cat.get("CASE1"))["skus"][1]
    assert sku == {"label": "黑色/iPhone 16 Pro Max", "color": "黑色", "size": "", "stock": 3,
                   "options": [["颜色", "黑色"], ["适用机型", "iPhone 16 Pro Max"]],
                   "price": "45.00", "original_price": "59.00", "barcode": "6901234567892"}


def test_json_of_earlier_versions_is_still_read():
    old = {"product_id": "P1", "listing_number": 3, "title": "T恤", "category": "T恤",
           "price": "59.90", "skus": [["白色", "S", 5], ["", "均码", 2]]}
    p = product_from_json(old)
    assert p.skus == (Sku("白色", "S", 5), Sku("", "均码", 2)) and p.faq == () and not p.free_gift


def test_writer_refuses_what_the_format_cannot_hold(tmp_path):
    p = Product("P", 1, "t", "c", Decimal("1"), skus=(Sku(options=(("容量", "30;ml"),), stock=1),))
    with pytest.raises(ValueError, match="SKU value"):
        write_catalog_csv(Catalog((p,)), tmp_path / "x.csv")
    p = Product("P", 1, "t", "c", Decimal("1"), faq=(FaqEntry("a=b", "c"),))
    with pytest.raises(ValueError, match="FAQ entry"):
        write_catalog_csv(Catalog((p,)), tmp_path / "x.csv")


# ---- the README example ----------------------------------------------------------------------

def test_readme_example_for_a_non_clothing_shop_loads():
    res = load_catalog(EXAMPLE)
    cat = res.catalog
    assert res.skipped == () and len(cat) >= 6
    assert sorted(p.listing_number for p in cat) == list(range(1, len(cat) + 1))
    categories = {p.category for p in cat}
    assert len(categories) >= 3
    by_options = {p.option_names for p in cat}
    assert ("颜色", "适用机型") in by_options and ("容量",) in by_options
    assert any(not p.has_variants and p.total_stock > 0 for p in cat)
    assert any(p.has_variant_prices for p in cat)
    assert any(p.shelf_life and p.net_weight and p.storage for p in cat)
    assert any(p.free_gift and p.price == 0 for p in cat)
    assert all(p.short_name for p in cat) and any(p.faq for p in cat)
    assert cat.faq and cat.faq_answer("发票")
    assert all(p.demo_data for p in cat)
