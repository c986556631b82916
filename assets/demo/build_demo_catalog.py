"""Build the demo catalog ``assets/demo/catalog.csv`` from the public SQL dumps.

Reproducible: the same source files and ``--seed`` give byte-identical output.

Sources (read-only, see ``assets/demo/ATTRIBUTION.md``):

* ``litemall_data.sql`` + ``litemall_table.sql`` -- linlinjava/litemall @a1ef964 (MIT):
  goods name, brief, category, counter/retail price, goods attributes (材质, 面料, 颜色, 尺寸,
  产地 ...).
* ``mall.sql`` -- macrozheng/mall @74eebe0 (Apache-2.0): ``pms_product`` (name, price,
  original_price, category) and ``pms_sku_stock`` (JSON specs 颜色/尺寸).

What comes from where is decided per product in :data:`PRODUCTS` below: a product either names
its source row (``src``), from which price, original price, colours, sizes, material, place of
dispatch and the first selling points are taken, or is a demo fill-in (``src=None``) whose every
field is written here. Fields no source has (stock, shipping, after-sales, size charts, aliases,
tags, English titles, scripts) are demo fill-ins for every product; the random ones come from
``random.Random(seed)``.

Usage::

    python assets/demo/build_demo_catalog.py [--sources DIR] [--out FILE] [--seed N]

``DIR`` defaults to ``../shared/data/catalog`` next to the repository. Writes ``catalog.csv`` and
``catalog_provenance.csv`` (one row per product: source, source row id, source name, fields
taken from the source) next to it, then loads the result with
:func:`app.catalog.importer.load_catalog` to prove it is valid.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from app.catalog.importer import load_catalog, write_catalog_csv  # noqa: E402
from app.catalog.model import AfterSales, Product, Shipping, SizeRange, Sku  # noqa: E402

DEFAULT_SOURCES = ROOT.parent / "shared" / "data" / "catalog"
SEED = 20261128

LITEMALL_COMMIT = "a1ef964"
MALL_COMMIT = "74eebe0"

# Words the Advertising Law / platform rules forbid in sales copy (极限词). Source text containing
# one of them is dropped; generated text is checked against them.
BANNED = ("最", "第一", "国家级", "世界级", "顶级", "极致", "绝对", "唯一", "首选", "万能",
          "全网", "史上", "独家", "王牌", "冠军", "特供", "专供", "御用", "皇室", "神器",
          "100%无", "零风险", "根治", "永久")
# Source claims we cannot stand behind for our own small shop (sales figures, other brands).
UNVERIFIABLE = re.compile(r"热销|销量|万条|万件|万只|网易|Jockey|Bemis|MUJI|Ralph|制造商|供应商|"
                          r"工厂|传世|\d+年|臻品|健康|梦")


# ---------------------------------------------------------------------------------------------
# SQL dump reading (our own minimal parser for mysqldump / Navicat INSERT statements)
# ---------------------------------------------------------------------------------------------

def table_columns(sql: str, table: str) -> list[str]:
    """Column names of ``CREATE TABLE `table` (...)`` in declaration order."""
    m = re.search(r"CREATE TABLE `%s`\s*\((.*?)\n\)\s*ENGINE" % re.escape(table), sql, re.S)
    if not m:
        raise KeyError(f"no CREATE TABLE for {table}")
    cols = []
    for line in m.group(1).splitlines():
        cm = re.match(r"\s*`([^`]+)`\s+\w", line)
        if cm:
            cols.append(cm.group(1))
    return cols


def insert_rows(sql: str, table: str) -> list[list[str | None]]:
    """All value tuples of every ``INSERT INTO `table` VALUES (...),(...);`` statement.

    Quoted strings are unescaped (``\\'``, ``\\n``, ``''`` ...); ``NULL`` becomes ``None``;
    other literals are returned as their text.
    """
    head = f"INSERT INTO `{table}` VALUES"
    rows: list[list[str | None]] = []
    pos = 0
    n = len(sql)
    escapes = {"n": "\n", "r": "\r", "t": "\t", "0": "\0", "Z": "\x1a"}
    while True:
        start = sql.find(head, pos)
        if start < 0:
            return rows
        k = start + len(head)
        while True:  # one tuple per iteration
            while sql[k].isspace():
                k += 1
            if sql[k] != "(":
                raise ValueError(f"{table}: expected '(' at offset {k}")
            k += 1
            row: list[str | None] = []
            while True:  # one value per iteration
                while sql[k].isspace():
                    k += 1
                if sql[k] == "'":
                    k += 1
                    buf = []
                    while True:
                        c = sql[k]
                        if c == "\\":
                            buf.append(escapes.get(sql[k + 1], sql[k + 1]))
                            k += 2
                        elif c == "'":
                            if k + 1 < n and sql[k + 1] == "'":
                                buf.append("'")
                                k += 2
                            else:
                                k += 1
                                break
                        else:
                            buf.append(c)
                            k += 1
                    row.append("".join(buf))
                else:
                    m = re.compile(r"[^,)]*").match(sql, k)
                    assert m is not None
                    tok = m.group().strip()
                    k = m.end()
                    row.append(None if tok.upper() == "NULL" else tok)
                while sql[k].isspace():
                    k += 1
                if sql[k] == ",":
                    k += 1
                    continue
                if sql[k] == ")":
                    k += 1
                    break
                raise ValueError(f"{table}: unexpected {sql[k]!r} at offset {k}")
            rows.append(row)
            while sql[k].isspace():
                k += 1
            if sql[k] == ",":
                k += 1
                continue
            if sql[k] == ";":
                pos = k + 1
                break
            raise ValueError(f"{table}: unexpected {sql[k]!r} after a tuple at offset {k}")


def table(schema_sql: str, data_sql: str, name: str) -> list[dict[str, str | None]]:
    cols = table_columns(schema_sql, name)
    out = []
    for r in insert_rows(data_sql, name):
        if len(r) != len(cols):
            raise ValueError(f"{name}: row has {len(r)} values for {len(cols)} columns")
        out.append(dict(zip(cols, r)))
    return out


@dataclass
class Sources:
    lm_goods: dict[str, dict]
    lm_category: dict[str, dict]
    lm_attrs: dict[str, list[tuple[str, str]]]
    mall_product: dict[str, dict]
    mall_skus: dict[str, list[dict]]

    @classmethod
    def load(cls, d: Path) -> "Sources":
        lm_schema = (d / "litemall_table.sql").read_text(encoding="utf-8")
        lm_data = (d / "litemall_data.sql").read_text(encoding="utf-8")
        mall = (d / "mall.sql").read_text(encoding="utf-8")
        goods = {r["id"]: r for r in table(lm_schema, lm_data, "litemall_goods")}
        cats = {r["id"]: r for r in table(lm_schema, lm_data, "litemall_category")}
        attrs: dict[str, list[tuple[str, str]]] = {}
        for r in table(lm_schema, lm_data, "litemall_goods_attribute"):
            if r["deleted"] in ("0", None):
                attrs.setdefault(r["goods_id"], []).append((r["attribute"], r["value"]))
        products = {r["id"]: r for r in table(mall, mall, "pms_product")}
        skus: dict[str, list[dict]] = {}
        for r in table(mall, mall, "pms_sku_stock"):
            skus.setdefault(r["product_id"], []).append(r)
        return cls(goods, cats, attrs, products, skus)


# ---------------------------------------------------------------------------------------------
# hand-written selection and fill-ins
# ---------------------------------------------------------------------------------------------

W_TOP = {"S": (150, 158, 40, 47), "M": (158, 163, 47, 53), "L": (163, 168, 53, 60),
         "XL": (168, 173, 60, 67), "2XL": (170, 176, 67, 75)}
M_TOP = {"M": (165, 170, 55, 63), "L": (170, 175, 63, 70), "XL": (175, 180, 70, 78),
         "2XL": (180, 185, 78, 86), "3XL": (183, 190, 86, 95)}
W_WAIST = {"25": (153, 160, 40, 45), "26": (155, 163, 45, 49), "27": (158, 166, 49, 53),
           "28": (160, 168, 53, 57), "29": (162, 170, 57, 62), "30": (163, 172, 62, 67)}
M_WAIST = {"29": (165, 172, 55, 62), "30": (168, 175, 60, 66), "31": (170, 177, 64, 70),
           "32": (172, 180, 68, 75), "33": (175, 182, 73, 80), "34": (177, 185, 78, 86)}
KIDS = {"73": (66, 73, 8, 10), "80": (73, 80, 10, 12), "90": (80, 90, 12, 14),
        "100": (90, 100, 14, 17)}
W_UNDER = {"M": (None, None, 40, 50), "L": (None, None, 50, 58), "XL": (None, None, 58, 65),
           "2XL": (None, None, 65, 75)}
M_UNDER = {"L": (None, None, 55, 65), "XL": (None, None, 65, 75), "2XL": (None, None, 75, 85),
           "3XL": (None, None, 85, 95)}
CHARTS = {"w_top": W_TOP, "m_top": M_TOP, "w_waist": W_WAIST, "m_waist": M_WAIST,
          "kids": KIDS, "w_under": W_UNDER, "m_under": M_UNDER}


@dataclass
class Spec:
    """One product of the demo shop. ``src`` = ("litemall"|"mall", row id, expected name part)."""

    pid: str
    src: tuple[str, str, str] | None
    title: str
    title_en: str
    category: str
    kind: str  # clothing | underwear | kids | shoes | bedding | towel | soft | kitchen | appliance | storage
    aliases: tuple[str, ...]
    tags: tuple[str, ...]
    brand: str
    chart: str | None = None
    colors: tuple[str, ...] | None = None  # None = from source (or no colours)
    sizes: tuple[str, ...] | None = None  # None = from source (or no sizes)
    material: str | None = None  # None = from source
    points: tuple[str, ...] = ()  # demo selling points added after the source brief
    price: str | None = None  # only for demo fill-ins (src None)
    original_price: str | None = None
    ships_from: str | None = None  # None = source 产地 or the kind's default
    size_map: dict[str, str] = field(default_factory=dict)  # clean up source size labels


WEAR = "棉语衣橱"  # the demo shop's own (fictional) labels
HOME = "暖居良品"
KIDS_BRAND = "棉语童装"

PRODUCTS: list[Spec] = [
    # ---- clothing ---------------------------------------------------------------------------
    Spec("mall-7", ("mall", "7", "女式超柔软拉毛运动开衫"), "女式超柔软拉毛运动开衫",
         "Women's Soft Brushed Zip Cardigan", "外套", "clothing",
         ("拉毛开衫", "运动开衫", "开衫"), ("秋冬", "百搭"), WEAR, chart="w_top",
         colors=("燕麦色", "雾霾蓝", "黑色"), sizes=("S", "M", "L", "XL"),
         material="聚酯纤维85% 氨纶15%", points=("内里拉毛，上身柔软", "垂感面料，显瘦不挑身材")),
    Spec("demo-dress-01", None, "法式碎花雪纺连衣裙", "French Floral Chiffon Dress", "连衣裙",
         "clothing", ("碎花裙", "小碎花", "法式裙", "雪纺裙"), ("春秋", "约会", "显瘦"), WEAR,
         chart="w_top", colors=("蓝色碎花", "黄色碎花"), sizes=("S", "M", "L", "XL"),
         material="聚酯纤维100%（雪纺）", points=("V领收腰设计", "有内衬不透", "裙长约115cm"),
         price="139.90", original_price="199.00"),
    Spec("demo-dress-02", None, "慵懒风针织长袖连衣裙", "Relaxed Knit Long-Sleeve Dress",
         "连衣裙", "clothing", ("针织裙", "毛衣裙", "针织连衣裙"), ("秋冬", "通勤"), WEAR,
         chart="w_top", colors=("燕麦色", "黑色", "酒红色"), sizes=("S", "M", "L"),
         material="粘纤55% 锦纶30% 聚酯纤维15%", points=("弹力针织，不勒不紧", "过膝长度，外搭大衣好看"),
         price="159.90", original_price="229.00"),
    Spec("demo-skirt-01", None, "高腰百褶半身裙", "High-Waist Pleated Midi Skirt", "半身裙",
         "clothing", ("百褶裙", "半身裙", "伞裙"), ("百搭", "通勤"), WEAR, chart="w_top",
         colors=("黑色", "卡其色"), sizes=("S", "M", "L"),
         material="聚酯纤维100%", points=("松紧腰头", "有衬裤防走光"),
         price="89.90", original_price="129.00"),
    Spec("mall-30", ("mall", "30", "简约动物印花短袖T恤"), "男士简约动物印花短袖T恤",
         "Men's Animal Print Crew-Neck T-Shirt", "T恤", "clothing",
         ("印花T恤", "动物T恤", "短袖"), ("夏季", "男装"), WEAR, chart="m_top",
         material="棉100%", points=("微弹面料，舒适透气",), size_map={"X": "L"}),
    Spec("mall-31", ("mall", "31", "蓝灰花纹圆领针织布短袖T恤"), "男士蓝灰花纹圆领短袖T恤",
         "Men's Blue-Grey Pattern Crew-Neck T-Shirt", "T恤", "clothing",
         ("花纹T恤", "圆领T恤"), ("夏季", "男装"), WEAR, chart="m_top",
         material="棉95% 氨纶5%", points=("针织布面料，柔软亲肤",), size_map={"X": "L"}),
    Spec("mall-32", ("mall", "32", "短袖T恤男基础款"), "男士基础款纯色短袖T恤",
         "Men's Basic Plain T-Shirt", "T恤", "clothing",
         ("基础款T恤", "纯色T恤", "白T", "打底T"), ("百搭", "男装"), WEAR, chart="m_top",
         material="棉100%", points=("简约圆领，百搭打底",), size_map={"X": "L"}),
    Spec("demo-shirt-01", None, "男士纯棉牛津纺长袖衬衫", "Men's Cotton Oxford Shirt", "衬衫",
         "clothing", ("牛津纺衬衫", "白衬衫", "长袖衬衫"), ("通勤", "男装"), WEAR, chart="m_top",
         colors=("白色", "浅蓝色"), sizes=("M", "L", "XL", "2XL"), material="棉100%（牛津纺）",
         points=("免烫处理，不易皱", "领口有领撑"), price="109.00", original_price="159.00"),
    Spec("demo-hoodie-01", None, "女式加绒圆领卫衣", "Women's Fleece-Lined Sweatshirt", "卫衣",
         "clothing", ("加绒卫衣", "卫衣", "圆领卫衣"), ("秋冬", "保暖", "学生"), WEAR,
         chart="w_top", colors=("灰色", "白色", "粉色"), sizes=("S", "M", "L", "XL"),
         material="棉60% 聚酯纤维40%，内里加绒", points=("内里加绒，保暖不臃肿", "宽松版型"),
         price="89.90", original_price="139.00"),
    Spec("demo-knit-01", None, "半高领羊毛混纺打底衫", "Half-Turtleneck Wool-Blend Knit Top",
         "毛衣", "clothing", ("打底衫", "半高领毛衣", "羊毛衫"), ("秋冬", "保暖"), WEAR,
         chart="w_top", colors=("黑色", "米白色", "驼色"), sizes=("S", "M", "L"),
         material="羊毛50% 腈纶50%", points=("半高领，修饰脖颈", "修身版型，适合内搭"),
         price="169.00", original_price="239.00"),
    Spec("demo-jeans-01", None, "女式高腰直筒牛仔裤", "Women's High-Waist Straight Jeans",
         "裤装", "clothing", ("牛仔裤", "直筒裤", "高腰牛仔裤"), ("百搭", "显瘦"), WEAR,
         chart="w_waist", colors=("浅蓝色", "深蓝色"), sizes=("25", "26", "27", "28", "29", "30"),
         material="棉98% 氨纶2%", points=("高腰设计，拉长腿部比例", "微弹面料，蹲坐不紧绷"),
         price="119.90", original_price="169.00"),
    Spec("demo-pants-01", None, "女式垂感阔腿休闲裤", "Women's Drapey Wide-Leg Trousers",
         "裤装", "clothing", ("阔腿裤", "休闲裤", "垂感裤"), ("通勤", "显瘦"), WEAR,
         chart="w_top", colors=("黑色", "灰色", "杏色"), sizes=("S", "M", "L", "XL"),
         material="聚酯纤维92% 氨纶8%", points=("垂感面料，走路带风", "后腰松紧，前片平整"),
         price="79.90", original_price="119.00"),
    Spec("demo-pants-02", None, "男士弹力直筒休闲裤", "Men's Stretch Straight Chinos", "裤装",
         "clothing", ("男裤", "休闲裤", "直筒裤"), ("男装", "通勤"), WEAR, chart="m_waist",
         colors=("黑色", "卡其色", "藏青色"), sizes=("29", "30", "31", "32", "33", "34"),
         material="棉97% 氨纶3%", points=("弹力面料，活动自如", "直筒版型，不挑腿型"),
         price="99.90", original_price="149.00"),
    Spec("demo-down-01", None, "女式短款白鸭绒羽绒服", "Women's Short White Duck Down Jacket",
         "外套", "clothing", ("羽绒服", "短款羽绒服", "面包服"), ("冬季", "保暖"), WEAR,
         chart="w_top", colors=("黑色", "米白色", "雾霾蓝"), sizes=("S", "M", "L", "XL"),
         material="面料聚酯纤维100%，填充90%白鸭绒", points=("90%白鸭绒填充", "连帽设计，防风保暖"),
         price="399.00", original_price="599.00"),
    Spec("demo-coat-01", None, "女式双面毛呢大衣", "Women's Double-Faced Wool Coat", "外套",
         "clothing", ("毛呢大衣", "大衣", "呢子大衣"), ("冬季", "通勤"), WEAR, chart="w_top",
         colors=("驼色", "燕麦色"), sizes=("S", "M", "L"),
         material="羊毛70% 聚酯纤维30%", points=("双面呢工艺，无里衬更轻", "中长款，过臀"),
         price="459.00", original_price="699.00"),
    Spec("demo-jacket-01", None, "男士连帽防风夹克", "Men's Hooded Windbreaker Jacket", "外套",
         "clothing", ("夹克", "防风外套", "冲锋衣"), ("春秋", "户外", "男装"), WEAR,
         chart="m_top", colors=("黑色", "军绿色"), sizes=("M", "L", "XL", "2XL"),
         material="锦纶100%，网布内衬", points=("面料防泼水", "帽子可收进领口"),
         price="189.00", original_price="269.00"),
    Spec("demo-homewear-01", None, "女式珊瑚绒家居服套装", "Women's Coral Fleece Pajama Set",
         "家居服", "clothing", ("睡衣", "家居服", "珊瑚绒睡衣"), ("秋冬", "居家", "送礼"), WEAR,
         chart="w_top", colors=("粉色", "灰色"), sizes=("M", "L", "XL"),
         material="聚酯纤维100%（珊瑚绒）", points=("上衣加裤子两件套", "加厚珊瑚绒，居家保暖"),
         price="99.90", original_price="149.00"),
    Spec("mall-35", ("mall", "35", "ROSHE RUN"), "男子轻便休闲运动鞋", "Men's Lightweight Casual Sneakers",
         "鞋靴", "shoes", ("运动鞋", "跑鞋", "男鞋"), ("男鞋", "百搭"), WEAR,
         sizes=("38", "39", "40", "41", "42", "43"), material="鞋面网布，鞋底橡胶",
         points=("网面透气", "鞋底轻软"), price=None),
    Spec("mall-36", ("mall", "36", "AIR MAX 90"), "男子气垫休闲鞋", "Men's Air-Cushion Casual Shoes",
         "鞋靴", "shoes", ("气垫鞋", "男鞋", "休闲鞋"), ("男鞋",), WEAR,
         sizes=("38", "39", "40", "41", "42", "43"), material="鞋面合成革，鞋底橡胶",
         points=("后跟气垫缓震", "皮质鞋面好打理")),
    Spec("demo-shoes-01", None, "女款百搭小白鞋", "Women's Classic White Sneakers", "鞋靴",
         "shoes", ("小白鞋", "白鞋", "板鞋"), ("百搭", "学生"), WEAR,
         colors=("纯白", "白绿"), sizes=("35", "36", "37", "38", "39", "40"),
         material="鞋面超纤皮，鞋底橡胶", points=("标准码，平时穿几码拍几码", "鞋面可湿布擦拭"),
         price="129.90", original_price="199.00"),
    Spec("demo-boots-01", None, "女款加绒短筒雪地靴", "Women's Fleece-Lined Snow Boots", "鞋靴",
         "shoes", ("雪地靴", "棉靴", "短靴"), ("冬季", "保暖"), WEAR,
         colors=("栗色", "黑色"), sizes=("35", "36", "37", "38", "39", "40"),
         material="鞋面反绒牛皮，内里加绒，鞋底橡胶", points=("内里加绒", "防滑鞋底"),
         price="159.00", original_price="229.00"),
    Spec("lm-1074001", ("litemall", "1074001", "男式莫代尔无痕内裤"), "男式莫代尔无痕内裤",
         "Men's Seamless Modal Briefs", "内衣内裤", "underwear", ("男士内裤", "莫代尔内裤"),
         ("贴身",), WEAR, chart="m_under", colors=("黑色", "深灰", "藏青"),
         sizes=("L", "XL", "2XL", "3XL"), material="莫代尔92% 氨纶8%", points=("无痕裁边",)),
    Spec("lm-1113011", ("litemall", "1113011", "女式丝滑莫代尔三角内裤"), "女式丝滑莫代尔三角内裤",
         "Women's Smooth Modal Briefs", "内衣内裤", "underwear", ("女士内裤", "三角裤"),
         ("贴身",), WEAR, chart="w_under", colors=("肤色", "黑色", "浅粉"),
         sizes=("M", "L", "XL", "2XL"), material="莫代尔95% 氨纶5%", points=("纯棉裆",)),
    Spec("lm-1092026", ("litemall", "1092026", "女式纯棉免洗内裤"), "女式纯棉一次性免洗内裤",
         "Women's Disposable Cotton Briefs", "内衣内裤", "underwear",
         ("一次性内裤", "免洗内裤", "旅行内裤"), ("出差", "旅行"), WEAR, chart="w_under",
         colors=("白色",), sizes=("M", "L", "XL"), material="棉100%",
         points=("独立包装，每包5条",)),
    Spec("lm-1116004", ("litemall", "1116004", "条纹长袖海魂衫"), "婴童条纹长袖海魂衫",
         "Kids' Striped Long-Sleeve Breton Top", "童装", "kids", ("海魂衫", "条纹衫", "宝宝上衣"),
         ("童装", "送礼"), KIDS_BRAND, chart="kids", colors=("蓝白条", "红白条"),
         sizes=("73", "80", "90", "100"), material="棉100%", points=("肩部开扣，穿脱方便",)),
    Spec("lm-1135072", ("litemall", "1135072", "经典海魂纹水手裙"), "婴童海魂纹水手裙",
         "Kids' Breton Sailor Dress", "童装", "kids", ("水手裙", "宝宝裙子", "海军裙"),
         ("童装", "送礼"), KIDS_BRAND, chart="kids", colors=("藏青白条",),
         sizes=("73", "80", "90", "100"), material="棉100%", points=("海军领设计",)),
    # ---- home goods -------------------------------------------------------------------------
    Spec("lm-1021010", ("litemall", "1021010", "色织水洗棉纯色四件套"), "色织水洗棉纯色四件套",
         "Yarn-Dyed Washed Cotton Bedding Set (4 pcs)", "床品", "bedding",
         ("四件套", "水洗棉四件套", "床上四件套"), ("家纺", "送礼"), HOME,
         colors=("浅灰", "豆沙粉", "雾蓝"), sizes=("1.5m床", "1.8m床")),
    Spec("lm-1110004", ("litemall", "1110004", "全棉针织纯色四件套"), "全棉针织纯色四件套 床笠款",
         "Cotton Jersey Bedding Set, Fitted Sheet (4 pcs)", "床品", "bedding",
         ("针织四件套", "天竺棉四件套"), ("家纺",), HOME, sizes=("1.5m床", "1.8m床")),
    Spec("lm-1100001", ("litemall", "1100001", "300根水洗棉缎纹纯色床单"), "300根水洗棉缎纹纯色床单",
         "300-Thread Washed Cotton Sateen Flat Sheet", "床品", "bedding",
         ("床单", "纯棉床单"), ("家纺",), HOME),
    Spec("lm-1036013", ("litemall", "1036013", "全棉针织素色床笠"), "全棉针织素色床笠",
         "Cotton Jersey Fitted Sheet", "床品", "bedding", ("床笠", "床罩"), ("家纺",), HOME,
         colors=("浅灰", "米白")),
    Spec("lm-1006007", ("litemall", "1006007", "秋冬保暖加厚澳洲羊毛被"), "秋冬加厚澳洲羊毛被",
         "Thick Australian Wool Winter Duvet", "被子", "bedding",
         ("羊毛被", "冬被", "被子"), ("秋冬", "保暖", "送长辈"), HOME,
         points=("澳洲羊毛填充", "加厚款，适合秋冬")),
    Spec("lm-1068011", ("litemall", "1068011", "全棉丝光骆驼绒秋冬被"), "全棉骆驼绒秋冬被",
         "Camel Hair Winter Duvet, Cotton Cover", "被子", "bedding",
         ("驼绒被", "骆驼绒被子"), ("秋冬", "保暖"), HOME, material="面料100%棉，填充驼绒60% 驼毛40%"),
    Spec("lm-1127052", ("litemall", "1127052", "纯棉水洗色织格夏凉被"), "纯棉水洗色织格夏凉被",
         "Washed Cotton Check Summer Quilt", "被子", "bedding",
         ("夏凉被", "空调被", "薄被"), ("夏季", "学生"), HOME, colors=("蓝格", "粉格")),
    Spec("lm-1010001", ("litemall", "1010001", "澳洲纯羊毛盖毯"), "澳洲纯羊毛盖毯 舒适款",
         "Australian Wool Throw Blanket", "床品", "bedding", ("羊毛毯", "盖毯", "毯子"),
         ("秋冬", "送礼"), HOME, colors=("米白", "燕麦色")),
    Spec("lm-1009012", ("litemall", "1009012", "可水洗舒柔丝羽绒枕"), "可水洗舒柔丝羽绒枕",
         "Washable Down-Alternative Pillow", "枕头", "bedding", ("枕头", "枕芯", "丝羽绒枕"),
         ("家纺",), HOME, sizes=("中枕", "高枕")),
    Spec("lm-1036002", ("litemall", "1036002", "高山苦荞麦枕"), "高山苦荞麦枕",
         "Buckwheat Hull Pillow", "枕头", "bedding", ("荞麦枕", "荞麦枕头"),
         ("送长辈", "送妈妈"), HOME),
    Spec("lm-1019000", ("litemall", "1019000", "升级款护颈波浪记忆枕"), "护颈波浪记忆棉枕",
         "Contour Memory Foam Pillow", "枕头", "bedding", ("记忆枕", "记忆棉枕头", "护颈枕"),
         ("送长辈",), HOME),
    Spec("lm-1021000", ("litemall", "1021000", "埃及进口长绒棉毛巾"), "埃及长绒棉毛巾",
         "Egyptian Long-Staple Cotton Towel", "毛巾浴巾", "towel", ("毛巾", "洗脸巾"),
         ("家用",), HOME, colors=("白色", "浅灰", "淡粉", "浅蓝"), material="棉100%（埃及长绒棉）",
         points=("尺寸34*76cm",)),
    Spec("lm-1021001", ("litemall", "1021001", "全棉进口埃及长绒棉浴巾"), "埃及长绒棉加大浴巾",
         "Large Egyptian Cotton Bath Towel", "毛巾浴巾", "towel", ("浴巾", "大浴巾"),
         ("家用", "送礼"), HOME, colors=("白色", "浅灰", "淡粉"), material="棉100%（埃及长绒棉）",
         points=("尺寸70*140cm",)),
    Spec("lm-1129016", ("litemall", "1129016", "新疆阿瓦提长绒棉弱捻超柔毛巾"), "新疆长绒棉弱捻柔软毛巾",
         "Xinjiang Long-Staple Low-Twist Towel", "毛巾浴巾", "towel", ("长绒棉毛巾", "弱捻毛巾"),
         ("家用",), HOME, colors=("米白", "蓝灰", "浅粉"), material="棉100%（新疆阿瓦提长绒棉）",
         points=("弱捻工艺",)),
    Spec("lm-1055016", ("litemall", "1055016", "日式纯棉针织条纹抱枕"), "日式纯棉针织条纹抱枕",
         "Japanese-Style Striped Cotton Cushion", "家居软装", "soft", ("抱枕", "靠枕", "条纹抱枕"),
         ("沙发", "客厅"), HOME),
    Spec("lm-1081002", ("litemall", "1081002", "北欧风珊瑚绒多功能抱枕"), "北欧风珊瑚绒多功能抱枕",
         "Nordic Coral Fleece Cushion-Blanket", "家居软装", "soft", ("抱枕被", "珊瑚绒抱枕"),
         ("秋冬", "办公室"), HOME, colors=("灰色", "蓝色")),
    Spec("lm-1035006", ("litemall", "1035006", "全棉单面割绒浴室地垫"), "全棉割绒浴室地垫",
         "Cotton Cut-Pile Bath Mat", "家居软装", "soft", ("地垫", "浴室垫", "脚垫"),
         ("浴室",), HOME, colors=("米白", "灰色")),
    Spec("lm-1135052", ("litemall", "1135052", "日式简约素色窗帘"), "日式简约素色遮光窗帘",
         "Japanese-Style Plain Curtain", "家居软装", "soft", ("窗帘", "遮光帘"),
         ("卧室", "客厅"), HOME, sizes=("1.4x2.6m", "1.75x2.6m", "2.25x2.6m")),
    Spec("lm-1051001", ("litemall", "1051001", "钻石煎锅28cm"), "钻石涂层不粘煎锅28cm",
         "28 cm Non-Stick Frying Pan", "厨具", "kitchen", ("煎锅", "平底锅", "不粘锅"),
         ("厨房",), HOME, material="铝合金锅体，不粘涂层",
         points=("燃气灶、电磁炉通用", "少油少烟")),
    Spec("lm-1051003", ("litemall", "1051003", "钻石奶锅18cm"), "不粘奶锅18cm",
         "18 cm Non-Stick Milk Pan", "厨具", "kitchen", ("奶锅", "小奶锅", "煮面锅"),
         ("厨房", "宝宝辅食"), HOME, material="铝合金锅体，不粘涂层",
         points=("燃气灶、电磁炉通用",)),
    Spec("lm-1025005", ("litemall", "1025005", "珐琅锅"), "铸铁珐琅炖锅",
         "Cast-Iron Enamel Casserole", "厨具", "kitchen", ("珐琅锅", "铸铁锅", "炖锅"),
         ("厨房", "送礼"), HOME, colors=("樱桃红", "奶白"), sizes=("20cm", "24cm"),
         material="铸铁锅体，珐琅涂层", points=("燃气灶、电磁炉、烤箱通用",)),
    Spec("lm-1073008", ("litemall", "1073008", "铸铁珐琅牛排煎锅"), "铸铁珐琅牛排煎锅",
         "Cast-Iron Enamel Grill Pan", "厨具", "kitchen", ("牛排锅", "条纹煎锅"),
         ("厨房",), HOME, material="铸铁锅体，珐琅涂层", points=("锅底条纹沥油",)),
    Spec("lm-1064021", ("litemall", "1064021", "清欢日式可调节台灯"), "日式木铁可调节台灯",
         "Japanese-Style Adjustable Desk Lamp", "小家电", "appliance", ("台灯", "护眼台灯", "书桌灯"),
         ("学生", "卧室"), HOME, material="木质灯座，铁艺灯臂"),
    Spec("lm-1110002", ("litemall", "1110002", "大头风扇"), "USB桌面小风扇",
         "USB Desk Fan", "小家电", "appliance", ("小风扇", "桌面风扇", "USB风扇"),
         ("办公室", "学生"), HOME, points=("USB供电", "三档风速")),
    Spec("demo-storage-01", None, "布艺可折叠收纳箱 三件套", "Foldable Fabric Storage Boxes (Set of 3)",
         "收纳", "storage", ("收纳箱", "收纳盒", "折叠箱"), ("收纳", "宿舍"), HOME,
         colors=("米白", "浅灰"), sizes=("三件套",), material="棉麻混纺面料，纸板内衬",
         points=("小中大三个尺寸各一个", "不用时可折叠"), price="49.90", original_price="69.90"),
    Spec("demo-storage-02", None, "真空压缩收纳袋", "Vacuum Storage Bags", "收纳", "storage",
         ("压缩袋", "真空袋", "被子收纳袋"), ("收纳", "换季"), HOME,
         sizes=("8件套", "12件套"), material="PA+PE复合膜",
         points=("附赠手抽气泵", "换季收纳被子衣物"), price="39.90", original_price="59.90"),
]

KIND_DEFAULTS = {
    # kind: (couriers, ships_from choices, dispatch_days choices, delivery_days choices)
    "clothing": (("中通", "圆通", "韵达"), ("广州", "杭州"), (1, 2), ("2-4", "3-5")),
    "underwear": (("中通", "圆通"), ("汕头",), (1,), ("2-4",)),
    "kids": (("中通", "韵达"), ("湖州",), (1, 2), ("2-4",)),
    "shoes": (("中通", "圆通"), ("泉州", "温州"), (1, 2), ("3-5",)),
    "bedding": (("中通", "韵达"), ("南通",), (1, 2), ("2-4", "3-5")),
    "towel": (("中通", "圆通"), ("保定高阳",), (1, 2), ("2-4",)),
    "soft": (("中通", "韵达"), ("绍兴",), (2, 3), ("3-5",)),
    "kitchen": (("顺丰", "中通"), ("金华永康",), (1, 2), ("2-3", "3-5")),
    "appliance": (("顺丰",), ("中山",), (1,), ("1-3", "2-3")),
    "storage": (("圆通", "极兔"), ("金华义乌",), (1, 2), ("2-4",)),
}
NEARLY_SOLD_OUT = ("demo-coat-01", "lm-1006007")


# ---------------------------------------------------------------------------------------------
# building
# ---------------------------------------------------------------------------------------------

def _clean_text(s: str) -> str:
    return re.sub(r"\s+", " ", s.replace("\u3000", " ")).strip()


def _ok_copy(s: str) -> bool:
    return bool(s) and not any(b in s for b in BANNED) and not UNVERIFIABLE.search(s)


def _split_values(s: str) -> list[str]:
    parts = [p.strip() for p in re.split(r"[/／]", s)]
    return [p for p in parts if p]


def _attr(attrs: list[tuple[str, str]], *names: str) -> str:
    for n in names:
        for k, v in attrs:
            if k.strip() == n:
                return _clean_text(v)
    return ""


def _province_city(place: str) -> str:
    place = place.replace("中国", "").strip()
    return place.split()[0] if place else ""


@dataclass
class Derived:
    price: Decimal
    original_price: Decimal | None
    colors: tuple[str, ...]
    sizes: tuple[str, ...]
    material: str
    points: list[str]
    ships_from: str
    from_source: list[str]


def derive(spec: Spec, src: Sources) -> Derived:
    """Apply the source row (if any) under the hand-written spec."""
    from_source: list[str] = []
    colors: tuple[str, ...] = spec.colors or ()
    sizes: tuple[str, ...] = spec.sizes or ()
    material = spec.material or ""
    points: list[str] = []
    ships_from = spec.ships_from or ""
    if spec.src is None:
        assert spec.price is not None
        return Derived(Decimal(spec.price),
                       Decimal(spec.original_price) if spec.original_price else None,
                       colors, sizes, material, list(spec.points), ships_from, [])
    origin, rid, expect = spec.src
    if origin == "litemall":
        g = src.lm_goods[rid]
        if expect not in g["name"]:
            raise ValueError(f"{spec.pid}: litemall goods {rid} is {g['name']!r}, not {expect!r}")
        price = Decimal(g["retail_price"])
        counter = Decimal(g["counter_price"])
        original = counter if counter > price else None
        from_source += ["price", "original_price"]
        brief = [p.strip() for p in re.split(r"[，,。；;\s]+", g["brief"] or "") if p.strip()]
        good = [p for p in brief if _ok_copy(p)]
        if good:
            points += good
            from_source.append("selling_points")
        attrs = src.lm_attrs.get(rid, [])
        if not spec.material:
            main = _attr(attrs, "材质", "面料", "面料成分")
            fill = _attr(attrs, "填充物", "填充成分")
            if main and fill and "填充" not in main:
                material = f"面料{main}，填充{fill}"
            else:
                material = main or (f"填充{fill}" if fill else "")
            material = material.replace("% ", "%").replace("主面料：", "面料").replace(" 填充：", "，填充")
            material = re.sub(r"\s*/\s*", " ", material)
            if material:
                from_source.append("material")
        if spec.colors is None:
            c = _attr(attrs, "颜色")
            if c:
                colors = tuple(_split_values(c))
                from_source.append("colors")
        if spec.sizes is None:
            s = _attr(attrs, "尺寸", "规格", "规格尺寸")
            vals = _split_values(s) if s else []
            if len(vals) > 1 and all(len(v) <= 16 and not re.search(r"[：:；;]", v) for v in vals):
                sizes = tuple(v.replace(" ", "") for v in vals)
                from_source.append("sizes")
            elif len(vals) == 1 and len(vals[0]) <= 24:
                points.append(f"尺寸{vals[0]}")
        for key in ("填充物重量", "重量"):
            v = _attr(attrs, key)
            if v and "/" not in v:
                points.append(f"{key}{v}")
                break
        if not ships_from:
            place = _province_city(_attr(attrs, "产地"))
            if place and place != "中国":
                ships_from = place
                from_source.append("ships_from (产地)")
    else:
        p = src.mall_product[rid]
        if expect not in p["name"]:
            raise ValueError(f"{spec.pid}: mall product {rid} is {p['name']!r}, not {expect!r}")
        price = Decimal(p["price"])
        op = Decimal(p["original_price"]) if p["original_price"] else None
        original = op if op is not None and op > price else None
        from_source += ["price", "original_price"]
        sub = _clean_text(p["sub_title"] or "")
        if sub and len(sub) <= 16 and _ok_copy(sub):
            points.append(sub)
            from_source.append("selling_points")
        sku_rows = src.mall_skus.get(rid, [])
        src_colors: list[str] = []
        src_sizes: list[str] = []
        for r in sku_rows:
            for kv in json.loads(r["sp_data"] or "[]"):
                if kv["key"] == "颜色" and kv["value"] not in src_colors:
                    src_colors.append(kv["value"])
                if kv["key"] in ("尺寸", "尺码"):
                    v = spec.size_map.get(kv["value"], kv["value"])
                    if v not in src_sizes:
                        src_sizes.append(v)
        if spec.colors is None and src_colors:
            colors = tuple(src_colors)
            from_source.append("colors")
        if src_sizes:
            if spec.sizes is None:
                order = list(CHARTS[spec.chart]) if spec.chart else []
                sizes = tuple(sorted(src_sizes, key=lambda s: order.index(s) if s in order else 99))
                from_source.append("sizes")
            else:
                from_source.append("sizes (extended)")
    points += [p for p in spec.points if p not in points]
    return Derived(price, original, colors, sizes, material, points, ships_from, from_source)


def stock_for(rng: random.Random, pid: str) -> int:
    r = rng.random()
    if r < 0.10:
        return 0
    if r < 0.20:
        return rng.randint(1, 5)
    if r < 0.75:
        return rng.randint(6, 40)
    return rng.randint(41, 150)


def build_skus(rng: random.Random, spec: Spec, d: Derived) -> tuple[Sku, ...]:
    colors = d.colors or ("",)
    sizes = d.sizes or ("",)
    skus = []
    for c in colors:
        for s in sizes:
            if not c and not s:
                continue
            skus.append(Sku(color=c, size=s, stock=stock_for(rng, spec.pid)))
    if not skus:  # single-variant product: one SKU for the stock count
        skus.append(Sku(color="", size="标准", stock=stock_for(rng, spec.pid)))
    if spec.pid in NEARLY_SOLD_OUT:
        left = rng.randint(2, 4)
        skus = [Sku(k.color, k.size, 0) for k in skus]
        for _ in range(left):
            i = rng.randrange(len(skus))
            skus[i] = Sku(skus[i].color, skus[i].size, skus[i].stock + 1)
    return tuple(skus)


def build_chart(spec: Spec, sizes: tuple[str, ...]) -> tuple[SizeRange, ...]:
    if not spec.chart:
        return ()
    table_ = CHARTS[spec.chart]
    out = []
    for s in sizes:
        if s not in table_:
            raise ValueError(f"{spec.pid}: size {s} not in chart {spec.chart}")
        hmin, hmax, wmin, wmax = table_[s]
        out.append(SizeRange(s, hmin, hmax, wmin, wmax))
    return tuple(out)


def _money(d: Decimal) -> str:
    d = d.quantize(Decimal("0.01"))
    return str(d.quantize(Decimal("1"))) if d == d.to_integral_value() else str(d.normalize())


def build_script(p: Product) -> str:
    """Sales copy (话术) from the row's own facts only."""
    parts = [f"{p.listing_number}号链接，{p.title}。"]
    if p.material:
        parts.append(f"材质：{p.material}。")
    if p.selling_points:
        parts.append("，".join(p.selling_points[:3]) + "。")
    if len(p.colors) > 1:
        parts.append(f"有{'、'.join(p.colors)}{len(p.colors)}个颜色")
        parts.append(f"，{'、'.join(p.sizes)}可选。" if len(p.sizes) > 1 else "。")
    elif len(p.sizes) > 1:
        parts.append(f"{'、'.join(p.sizes)}可选。")
    if p.size_chart:
        parts.append("尺码不确定的宝宝，把身高体重打在公屏上，我帮你看。")
    price = f"直播间价{_money(p.price)}元"
    if p.original_price is not None:
        price += f"，划线价{_money(p.original_price)}元"
    parts.append(price + "。")
    s = p.shipping
    ship = []
    if s.free_shipping:
        ship.append("包邮" + (f"（{'、'.join(s.free_shipping_exceptions)}除外）"
                              if s.free_shipping_exceptions else ""))
    elif s.free_shipping is False:
        ship.append("不包邮")
    if s.ships_from:
        ship.append(f"从{s.ships_from}发{s.courier}" if s.courier else f"从{s.ships_from}发货")
    if s.dispatch_days is not None:
        ship.append(f"拍下后{s.dispatch_days}天内发货")
    parts.append("，".join(ship) + "。")
    a = p.after_sales
    if a.return_days == 0:
        parts.append("贴身衣物，不支持无理由退货。")
    elif a.return_days:
        who = {"insurance": "送运费险", "seller": "退货运费我们出", "buyer": "退货运费自理"}
        parts.append(f"支持{a.return_days}天无理由退货，{who.get(a.return_shipping_paid_by, '')}。"
                     .replace("，。", "。"))
    if a.warranty:
        parts.append(f"{a.warranty}。")
    text = "".join(parts)
    for b in BANNED:
        if b in text:
            raise ValueError(f"{p.product_id}: script contains banned word {b!r}: {text}")
    return text


def build(sources_dir: Path, seed: int) -> tuple[list[Product], list[dict[str, str]]]:
    src = Sources.load(sources_dir)
    rng = random.Random(seed)
    products: list[Product] = []
    provenance: list[dict[str, str]] = []
    for n, spec in enumerate(PRODUCTS, start=1):
        d = derive(spec, src)
        skus = build_skus(rng, spec, d)
        couriers, places, dispatch, delivery = KIND_DEFAULTS[spec.kind]
        courier = rng.choice(couriers)
        if d.price >= Decimal("300") and spec.kind in ("kitchen", "bedding", "clothing"):
            courier = "顺丰"
        ships_from = d.ships_from or rng.choice(places)
        free = spec.pid != "lm-1092026"  # the 19.90 disposable briefs do not ship free
        exceptions: tuple[str, ...] = ()
        if free:
            r = rng.random()
            if spec.kind in ("bedding", "appliance") or r < 0.45:
                exceptions = ("新疆", "西藏")
            elif r < 0.6:
                exceptions = ("新疆", "西藏", "青海", "内蒙古")
        if spec.kind in ("underwear",):
            return_days, paid_by = 0, ""
        elif spec.kind in ("clothing", "shoes", "kids"):
            return_days, paid_by = 7, rng.choice(("insurance", "insurance", "seller"))
        elif spec.kind == "appliance":
            return_days, paid_by = 7, "seller"
        else:
            return_days, paid_by = 7, rng.choice(("buyer", "insurance"))
        if spec.pid == "demo-storage-02":
            return_days = 15
        warranty = "一年质保，非人为损坏免费换新" if spec.kind == "appliance" else ""
        p = Product(
            product_id=spec.pid,
            listing_number=n,
            title=spec.title,
            category=spec.category,
            price=d.price,
            brand=spec.brand,
            original_price=d.original_price,
            skus=skus,
            size_chart=build_chart(spec, d.sizes),
            material=d.material,
            selling_points=tuple(x for x in d.points if "|" not in x),
            shipping=Shipping(courier=courier, ships_from=ships_from,
                              dispatch_days=rng.choice(dispatch),
                              delivery_days=rng.choice(delivery),
                              free_shipping=free, free_shipping_exceptions=exceptions),
            after_sales=AfterSales(return_days=return_days, return_shipping_paid_by=paid_by,
                                   warranty=warranty),
            tags=spec.tags,
            aliases=spec.aliases,
            title_en=spec.title_en,
            demo_data=True,
        )
        p = _replace_script(p, build_script(p))
        for text in (p.title, *p.selling_points, *p.aliases, *p.tags):
            if any(b in text for b in BANNED):
                raise ValueError(f"{p.product_id}: banned word in {text!r}")
        products.append(p)
        provenance.append({
            "product_id": p.product_id,
            "source": ("demo fill-in" if spec.src is None else
                       f"{spec.src[0]}@{LITEMALL_COMMIT if spec.src[0] == 'litemall' else MALL_COMMIT}"),
            "source_table": ("" if spec.src is None else
                             "litemall_goods" if spec.src[0] == "litemall" else "pms_product"),
            "source_id": "" if spec.src is None else spec.src[1],
            "source_name": ("" if spec.src is None else
                            src.lm_goods[spec.src[1]]["name"] if spec.src[0] == "litemall"
                            else src.mall_product[spec.src[1]]["name"].strip()),
            "source_category": _source_category(spec, src),
            "fields_from_source": ";".join(d.from_source),
        })
    return products, provenance


def _source_category(spec: Spec, src: Sources) -> str:
    if spec.src is None:
        return ""
    origin, rid, _ = spec.src
    if origin == "litemall":
        return src.lm_category[src.lm_goods[rid]["category_id"]]["name"]
    return src.mall_product[rid]["product_category_name"] or ""


def _replace_script(p: Product, script: str) -> Product:
    from dataclasses import replace
    return replace(p, script=script)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sources", type=Path, default=DEFAULT_SOURCES)
    ap.add_argument("--out", type=Path, default=HERE / "catalog.csv")
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args(argv)
    products, provenance = build(args.sources, args.seed)
    write_catalog_csv(products, args.out)
    prov_path = args.out.with_name(args.out.stem + "_provenance.csv")
    with prov_path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(provenance[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(provenance)
    loaded = load_catalog(args.out).catalog
    assert tuple(loaded) == tuple(products), "catalog does not round-trip"
    print(f"wrote {args.out} ({len(products)} products) and {prov_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
