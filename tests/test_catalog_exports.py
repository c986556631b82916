"""Catalogs as sellers' Excel exports really are: legacy encodings, price 0, merged cells, banner
rows above the header."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from pathlib import Path

import pytest

from app.catalog.importer import CatalogImportError, load_catalog
from app.catalog.model import Sku
from app.errors import CatalogError

# A Traditional-Chinese tea and snack shop (9 products) as typed in Excel on Taiwanese Windows.
TEA_SHOP = [
    ("T1", "阿里山高山烏龍茶", "茶葉", "480", "/:150"),
    ("T2", "凍頂烏龍茶 禮盒裝", "茶葉", "680", "150"),
    ("T3", "東方美人茶", "茶葉", "899", "/:35"),
    ("T4", "日月潭紅玉紅茶", "茶葉", "520", "/:60"),
    ("T5", "鳳梨酥 十二入", "糕點", "360", "/:200"),
    ("T6", "牛軋糖 綜合口味", "糖果", "250", "原味/:40; 蔓越莓/:25"),
    ("T7", "芒果乾 無添加", "果乾", "199", "/:80"),
    ("T8", "陶瓷茶杯 手工", "茶具", "320", "白色/:12; 青瓷/:7"),
    ("T9", "竹製茶盤", "茶具", "1280", "/:5"),
]


def _csv(rows, header=("product_id", "title", "category", "price", "skus"), sep=","):
    lines = [sep.join(header)] + [sep.join(r) for r in rows]
    return "\r\n".join(lines) + "\r\n"


def write_encoded(path: Path, text: str, encoding: str) -> Path:
    path.write_bytes(text.encode(encoding))
    return path


# ---- encodings -------------------------------------------------------------------------------

def test_big5_tea_shop_is_read_as_big5_not_gb18030_gibberish(tmp_path):
    text = _csv(TEA_SHOP)
    data = text.encode("big5")
    # the trap: Big5 bytes also decode as GB18030, into gibberish
    assert data.decode("gb18030") != text
    res = load_catalog(write_encoded(tmp_path / "茶行.csv", text, "big5"))
    assert [p.title for p in res.catalog] == [r[1] for r in TEA_SHOP]
    assert [p.category for p in res.catalog] == [r[2] for r in TEA_SHOP]
    assert res.encoding == "cp950"
    assert res.notes[0] == "file read as Big5 (cp950) text (it is not UTF-8)"
    # 5 of the 9 rows have no variants: they load with their plain stock
    t1, t2 = res.catalog.get("T1"), res.catalog.get("T2")
    assert t1.skus == (Sku(stock=150),) and t2.skus == (Sku(stock=150),)
    assert res.catalog.get("T6").stock_for(color="蔓越莓") == 25


def test_big5_with_microsoft_extension_characters(tmp_path):
    # 恒 and 碁 exist only in cp950 (Microsoft's Big5), which is what Excel writes
    text = _csv([("A1", "恒溫保溫杯", "杯壺", "199", "/:3"), ("A2", "圍碁棋盤", "玩具", "599", "/:2")])
    data = text.encode("cp950")
    with pytest.raises(UnicodeDecodeError):
        data.decode("big5")
    res = load_catalog(write_encoded(tmp_path / "a.csv", text, "cp950"))
    assert [p.title for p in res.catalog] == ["恒溫保溫杯", "圍碁棋盤"]


@pytest.mark.parametrize("encoding,expected_codec", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030"), ("gbk", "gb18030"),
    ("utf-16", "utf-16"),
])
def test_simplified_catalog_in_every_excel_encoding(tmp_path, encoding, expected_codec):
    rows = [("S1", "纯棉圆领T恤", "T恤", "59.9", "黑色/M:3"),
            ("S2", "保湿精华液 30ml", "护肤", "199", "/:20"),
            ("S3", "手机壳 防摔磨砂", "手机配件", "39", "/:50")]
    res = load_catalog(write_encoded(tmp_path / "s.csv", _csv(rows), encoding))
    assert [p.title for p in res.catalog] == [r[1] for r in rows]
    assert res.encoding == expected_codec
    assert res.catalog.get("S1").price == Decimal("59.90")


def test_excel_unicode_text_export_is_utf16_with_tabs(tmp_path):
    rows = [("U1", "法式碎花连衣裙", "连衣裙", "139.9", "蓝色/S:2; 蓝色/M:0")]
    text = _csv(rows, sep="\t")
    path = write_encoded(tmp_path / "unicode.txt", text, "utf-16")
    assert path.read_bytes()[:2] == b"\xff\xfe"  # what Excel's "Unicode text" writes
    res = load_catalog(path)
    p = res.catalog.get("U1")
    assert p.title == "法式碎花连衣裙" and p.skus == (Sku("蓝色", "S", 2), Sku("蓝色", "M", 0))
    assert "columns separated by tabs" in res.notes


@pytest.mark.parametrize("encoding,title", [("gbk", "袜子"), ("big5", "襪子"), ("gbk", "毛巾"),
                                            ("big5", "毛巾")])
def test_one_short_title_is_enough(tmp_path, encoding, title):
    text = _csv([("A1", title, "配件", "9.9", "")])
    assert load_catalog(write_encoded(tmp_path / "a.csv", text, encoding)).catalog.get("A1").title == title


def test_random_traditional_catalogs_never_read_as_simplified_gibberish(tmp_path):
    """Many small Big5 and GBK files built from the tea shop: each reads back exactly."""
    import opencc

    to_simplified = opencc.OpenCC("t2s")
    rng = random.Random(7)
    for i in range(40):
        rows = rng.sample(TEA_SHOP, rng.randint(1, 4))
        simplified = i % 2 == 1
        if simplified:
            rows = [(a, to_simplified.convert(b), to_simplified.convert(c), d, "")
                    for a, b, c, d, _ in rows]
        text = _csv([(a, b, c, d, "") for a, b, c, d, _ in rows])
        path = write_encoded(tmp_path / f"r{i}.csv", text, "gbk" if simplified else "big5")
        assert [p.title for p in load_catalog(path).catalog] == [r[1] for r in rows], text


def test_text_in_no_plausible_encoding_is_refused_with_the_encodings_tried(tmp_path):
    text = _csv([("J1", "ワンピース", "服", "5900", ""), ("J2", "スカートセット", "服", "3900", "")])
    path = write_encoded(tmp_path / "japan.csv", text, "shift_jis")
    with pytest.raises(CatalogError) as ei:
        load_catalog(path)
    e = ei.value
    assert e.code == "catalog-encoding" and e.file == str(path)
    assert str(path) in e.message
    for name in ("GB18030", "Big5 (cp950)"):
        assert name in e.message
    assert "CSV UTF-8" in e.hint


def test_binary_junk_is_refused_as_an_encoding_problem(tmp_path):
    path = tmp_path / "junk.csv"
    path.write_bytes(bytes(range(128, 256)) * 4)
    with pytest.raises(CatalogError) as ei:
        load_catalog(path)
    assert ei.value.code == "catalog-encoding" and "junk.csv" in str(ei.value)


def test_broken_bom_file_is_an_encoding_error(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfproduct_id,title\r\nA1,\xff\xfe\r\n")
    with pytest.raises(CatalogError) as ei:
        load_catalog(path)
    assert ei.value.code == "catalog-encoding"


# ---- price 0 ---------------------------------------------------------------------------------

HEAD = ("product_id", "title", "category", "price", "free_gift", "skus")


def _shop(tmp_path, *rows):
    path = tmp_path / "shop.csv"
    path.write_text(_csv(rows, header=HEAD), encoding="utf-8")
    return path


def test_price_zero_is_refused(tmp_path):
    path = _shop(tmp_path, ("A1", "加厚浴巾", "浴巾", "59.9", "", ""), ("A2", "小方巾", "毛巾", "0", "", ""),
                 ("A3", "浴帽", "浴室", "¥0.00", "no", ""))
    with pytest.raises(CatalogImportError) as ei:
        load_catalog(path)
    assert [(e.row, e.column) for e in ei.value.errors] == [(3, "price"), (4, "price")]
    assert "price is 0" in ei.value.errors[0].message and "free_gift" in ei.value.errors[0].hint


def test_price_zero_is_a_free_gift_when_the_row_says_so(tmp_path):
    path = _shop(tmp_path, ("G1", "赠品 小方巾", "赠品", "0", "yes", "/:100"),
                 ("G2", "赠品 试用装", "赠品", "", "是", ""))
    cat = load_catalog(path).catalog
    g1, g2 = cat.get("G1"), cat.get("G2")
    assert g1.free_gift and g1.price == Decimal("0.00") and g1.total_stock == 100
    assert g2.free_gift and g2.price == Decimal("0.00")


def test_free_gift_with_a_price_is_refused(tmp_path):
    path = _shop(tmp_path, ("G1", "赠品 小方巾", "赠品", "19.9", "yes", ""),
                 ("G2", "赠品 试用装", "赠品", "0", "yes", "/:3@5"))
    with pytest.raises(CatalogImportError) as ei:
        load_catalog(path)
    assert [(e.row, e.column) for e in ei.value.errors] == [(2, "price"), (3, "skus")]


def test_sku_price_zero_is_refused(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(_csv([("C1", "面霜", "护肤", "", "容量", "30ml:5@99; 50ml:3@0")],
                         header=("product_id", "title", "category", "price", "options", "skus")),
                    encoding="utf-8")
    with pytest.raises(CatalogImportError) as ei:
        load_catalog(path)
    e = ei.value.errors[0]
    assert (e.row, e.column) == (2, "skus") and "@0" in e.message


# ---- XLSX merged cells and banner rows -------------------------------------------------------

XLSX_HEADER = ["product_id", "title", "category", "price", "courier", "ships_from", "skus"]


def _sheet(path: Path, rows: list[list[object]], merges: list[str] = (), faq=None) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "商品"
    for r in rows:
        ws.append(r)
    for m in merges:
        ws.merge_cells(m)
    if faq is not None:
        fs = wb.create_sheet("FAQ")
        for r in faq:
            fs.append(r)
    wb.save(path)
    return path


def test_merged_courier_cells_are_filled_and_reported(tmp_path):
    rows = [XLSX_HEADER,
            ["P1", "纯棉T恤", "T恤", 59.9, "顺丰", "杭州", "/:5"],
            ["P2", "加厚浴巾", "浴巾", 39, "中通", "广州", "/:6"],
            ["P3", "陶瓷马克杯", "杯子", 29.9, None, None, "/:7"],
            ["P4", "玻璃水杯", "杯子", 19.9, None, "义乌", "/:8"],
            ["P5", "保温杯", "杯子", 99, None, None, "/:9"],
            ["P6", "收纳盒", "收纳", 25, None, None, "/:1"],
            ["P7", "衣架", "收纳", 15, "圆通", "义乌", "/:2"]]
    path = _sheet(tmp_path / "m.xlsx", rows, merges=["E3:E6", "F3:F4", "F5:F7"])
    # Excel rows 3-6 (P2..P5) share the courier 中通 kept in E3; ships_from F3:F4 (广州), F5:F7 (义乌)
    res = load_catalog(path)
    couriers = [p.shipping.courier for p in res.catalog]
    assert couriers == ["顺丰", "中通", "中通", "中通", "中通", "", "圆通"]
    assert [p.shipping.ships_from for p in res.catalog] == ["杭州", "广州", "广州", "义乌", "义乌",
                                                            "义乌", "义乌"]
    assert "column 'courier', rows 3-6: merged cells filled with 中通" in res.notes
    assert "column 'ships_from', rows 3-4: merged cells filled with 广州" in res.notes
    assert "column 'ships_from', rows 5-7: merged cells filled with 义乌" in res.notes


def test_banner_rows_above_the_header_are_skipped_and_rows_keep_excel_numbers(tmp_path):
    rows = [["棉语衣橱 商品导出"], ["导出时间", dt.datetime(2025, 11, 20, 9, 30)], [],
            XLSX_HEADER,
            ["P1", "纯棉T恤", "T恤", 59.9, "顺丰", "杭州", "/:5"],
            ["P2", "加厚浴巾", "浴巾", "59.9起", "中通", "广州", "/:6"],
            ["P3", "陶瓷马克杯", "杯子", 29.9, None, None, "黑色M:2"]]
    path = _sheet(tmp_path / "b.xlsx", rows, merges=["A1:G1"])
    with pytest.raises(CatalogImportError) as ei:
        load_catalog(path)
    assert [(e.row, e.column) for e in ei.value.errors] == [(6, "price"), (7, "skus")]
    res = load_catalog(path, skip_bad_rows=True)
    assert [p.product_id for p in res.catalog] == ["P1"]
    assert res.notes[0] == ("rows 1-2 above the header (row 4) skipped: 棉语衣橱 商品导出 / 导出时间 "
                            "2025-11-20T09:30")


def test_banner_row_in_a_csv_export(tmp_path):
    path = tmp_path / "b.csv"
    path.write_text("暖居良品 商品列表,,,\r\n" + _csv([("H1", "浴巾", "毛巾浴巾", "39", "灰色/:3")]),
                    encoding="utf-8")
    res = load_catalog(path)
    assert res.catalog.get("H1").skus == (Sku("灰色", "", 3),)
    assert res.notes == ("row 1 above the header (row 2) skipped: 暖居良品 商品列表",)


def test_banner_does_not_hide_a_really_missing_column(tmp_path):
    rows = [["店铺: 棉语衣橱"], ["product_id", "title", "price"], ["P1", "T恤", 59.9]]
    with pytest.raises(CatalogImportError) as ei:
        load_catalog(_sheet(tmp_path / "x.xlsx", rows))
    assert [(e.row, e.column) for e in ei.value.errors] == [(2, "category")]


def test_excel_date_cells_are_iso_dates(tmp_path):
    rows = [["product_id", "title", "category", "price", "production_date", "shelf_life"],
            ["F1", "凤梨酥 360克", "糕点", 38, dt.datetime(2025, 9, 1), "180天"]]
    p = load_catalog(_sheet(tmp_path / "d.xlsx", rows)).catalog.get("F1")
    assert p.production_date == "2025-09-01" and p.shelf_life == "180天"
