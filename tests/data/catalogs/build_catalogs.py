"""Build the vertical test catalogs in this folder from the public SQL dumps.

Writes, for each of ``cosmetics``, ``food``, ``phones`` and ``mall``:

* ``<name>.csv`` -- the catalog, in the LiveHost catalog format;
* ``<name>.faq.csv`` -- the shop-wide FAQ (found by :func:`app.catalog.importer.load_catalog`
  next to the catalog);
* ``<name>_provenance.csv`` -- one row per product: source, source table, source row id, the
  source's own product name and the fields taken from it.

Reproducible: the same source files and ``--seed`` give byte-identical output. After writing,
every catalog is loaded with :func:`~app.catalog.importer.load_catalog` and compared with what
was built.

Sources (read-only; see ``ATTRIBUTION.md``):

* ``mall.sql`` -- macrozheng/mall @74eebe0 (Apache-2.0): ``pms_product`` (name, brand,
  category, price, original price, sub title) and ``pms_sku_stock`` (per-variant price, stock,
  sku_code and the JSON specs 颜色/容量/尺寸/风格/内存/版本/系列). ``mall.csv`` holds every
  product of the dump that is not deleted; ``phones.csv`` its phones.
* ``litemall_data.sql`` + ``litemall_table.sql`` -- linlinjava/litemall @a1ef964 (MIT): the
  糕点 (pastry) goods with their prices, briefs and stock (``litemall_goods``,
  ``litemall_goods_product``) for ``food.csv``; category names (美妆, 面部护理, 护发, 洗护, 香薰,
  茗茶, 果干, 炒货 ...) for the invented products; the four FAQ questions of ``litemall_issue``
  (运费, 快递, 退货, 发票) for the shop FAQs.

Everything the dumps lack (the cosmetics, the teas and most snacks, the phone accessories,
shipping, after-sales, FAQ answers, suitable_for, food facts, stock of invented products,
English, scripts) is a plausible fill-in written here; every product has ``demo_data=yes``.

Usage::

    python tests/data/catalogs/build_catalogs.py [--sources DIR] [--seed N]

``DIR`` defaults to ``../shared/data/catalog`` next to the repository. This script is not a
test and the tests never run it: they read only the CSV files it wrote.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import random
import re
import sys
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT))

from app.catalog.importer import load_catalog, write_catalog_csv  # noqa: E402
from app.catalog.model import (AfterSales, Catalog, FaqEntry, Product, Shipping,  # noqa: E402
                               Sku)

DEFAULT_SOURCES = ROOT.parent / "shared" / "data" / "catalog"
SEED = 20251201
LITEMALL = "litemall@a1ef964"
MALL = "mall@74eebe0"

_spec = importlib.util.spec_from_file_location("build_demo_catalog",
                                               ROOT / "assets" / "demo" / "build_demo_catalog.py")
_demo = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = _demo
_spec.loader.exec_module(_demo)  # the demo build's SQL INSERT reader and banned-word list
table = _demo.table
BANNED = _demo.BANNED


def y(text: str) -> Decimal:
    return Decimal(text).quantize(Decimal("0.01"))


def ean13(rng: random.Random) -> str:
    """A made-up EAN-13 in the GS1 prefix 20 (restricted circulation: in-store numbers that
    are never a real product's), with a valid check digit (GS1 General Specifications 7.9)."""
    body = "20" + "".join(str(rng.randrange(10)) for _ in range(10))
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def stock(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.08:
        return 0
    if r < 0.18:
        return rng.randint(1, 5)
    if r < 0.8:
        return rng.randint(6, 80)
    return rng.randint(81, 300)


# ---------------------------------------------------------------------------------------------
# sources
# ---------------------------------------------------------------------------------------------

@dataclass
class Sources:
    mall_products: dict[str, dict]
    mall_skus: dict[str, list[dict]]
    lm_goods: dict[str, dict]
    lm_category: dict[str, dict]
    lm_stock: dict[str, int]
    lm_issue: list[dict]

    @classmethod
    def load(cls, d: Path) -> "Sources":
        mall = (d / "mall.sql").read_text(encoding="utf-8")
        lm_schema = (d / "litemall_table.sql").read_text(encoding="utf-8")
        lm_data = (d / "litemall_data.sql").read_text(encoding="utf-8")
        skus: dict[str, list[dict]] = {}
        for r in table(mall, mall, "pms_sku_stock"):
            skus.setdefault(r["product_id"], []).append(r)
        stock_by_goods: dict[str, int] = {}
        for r in table(lm_schema, lm_data, "litemall_goods_product"):
            stock_by_goods[r["goods_id"]] = stock_by_goods.get(r["goods_id"], 0) + int(r["number"])
        return cls(
            {r["id"]: r for r in table(mall, mall, "pms_product")}, skus,
            {r["id"]: r for r in table(lm_schema, lm_data, "litemall_goods")},
            {r["id"]: r for r in table(lm_schema, lm_data, "litemall_category")},
            stock_by_goods,
            [r for r in table(lm_schema, lm_data, "litemall_issue") if r["deleted"] == "0"],
        )

    def lm_category_names(self) -> set[str]:
        return {c["name"] for c in self.lm_category.values()}


# ---------------------------------------------------------------------------------------------
# product specs
# ---------------------------------------------------------------------------------------------

@dataclass
class Spec:
    """One product. ``src`` = (origin, row id) for products taken from a dump, else None."""

    pid: str
    title: str
    short_name: str
    title_en: str
    category: str
    price: str = ""  # demo products: the product price ("" = lowest SKU price)
    original_price: str = ""
    options: tuple[str, ...] = ()
    variants: tuple[tuple[tuple[str, ...], str], ...] = ()  # (values, own price or "")
    brand: str = ""
    unit: str = ""
    suitable_for: tuple[str, ...] = ()
    net_weight: str = ""
    shelf_life: str = ""
    storage: str = ""
    material: str = ""
    points: tuple[str, ...] = ()
    points_en: tuple[str, ...] = ()
    faq: tuple[tuple[str, str], ...] = ()
    aliases: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    labels_en: tuple[tuple[str, str], ...] = ()
    free_gift: bool = False
    barcodes: bool = False
    src: tuple[str, str] | None = None
    from_source: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict)


COLORS_EN = {"黑色": "black", "白色": "white", "金色": "gold", "银色": "silver", "蓝色": "blue",
             "红色": "red", "紫色": "purple", "透明": "clear", "粉色": "pink", "绿色": "green",
             "灰色": "grey", "浅灰色": "light grey", "深灰色": "dark grey", "午夜色": "midnight",
             "星光色": "starlight", "墨羽": "ink black", "银迹": "silver trace",
             "曜金黑": "obsidian black", "冰霜银": "frost silver", "鸢尾紫": "iris purple",
             "晴空蓝": "sky blue", "远峰蓝": "sierra blue", "米白": "off-white"}


def _labels_en(options: tuple[str, ...], values: set[str], names_en: dict[str, str]
               ) -> tuple[tuple[str, str], ...]:
    out = [(n, names_en[n]) for n in options if n in names_en]
    out += [(v, COLORS_EN[v]) for v in sorted(values) if v in COLORS_EN]
    return tuple(out)


NAMES_EN = {"颜色": "Colour", "容量": "Capacity", "尺寸": "Size", "风格": "Season",
            "屏幕尺寸": "Screen size", "内存": "Memory", "型号": "Model", "版本": "Version",
            "系列": "Series", "适用机型": "Phone model", "功率": "Power", "长度": "Length",
            "接口": "Connector", "款式": "Style", "色号": "Shade", "规格": "Pack",
            "香型": "Scent", "重量": "Weight", "口味": "Flavour", "等级": "Grade",
            "盒数": "Boxes"}


# ---- mall.sql --------------------------------------------------------------------------------

@dataclass
class MallSpec:
    title: str
    short_name: str
    title_en: str
    points: tuple[str, ...]
    faq: tuple[tuple[str, str], ...]
    aliases: tuple[str, ...]
    tags: tuple[str, ...] = ()
    rename: dict[str, str] = field(default_factory=dict)  # option name -> name used here
    relabel: dict[str, str] = field(default_factory=dict)  # option value -> value used here
    suitable_for: tuple[str, ...] = ()


# Titles rewritten from the dump's names without promotion text; selling points and FAQ answers
# restate facts the dump's name or sub_title gives (4G/5G, 双卡双待, 120Hz, 67W快充 ...).
MALL_SPECS: dict[str, MallSpec] = {
    "26": MallSpec("华为 HUAWEI P20 全面屏手机", "华为P20", "HUAWEI P20 Smartphone",
                   ("AI智慧全面屏", "移动联通电信4G，双卡双待"),
                   (("支持5G吗", "不支持，这款是4G手机"), ("双卡吗", "双卡双待")),
                   ("P20", "华为手机"), ("手机",)),
    "27": MallSpec("小米8 全面屏游戏智能手机", "小米8", "Xiaomi Mi 8 Smartphone",
                   ("骁龙845处理器", "红外人脸解锁", "AI变焦双摄"),
                   (("支持5G吗", "不支持，这款是4G手机"), ("能人脸解锁吗", "可以，支持红外人脸解锁")),
                   ("小米8", "米8"), ("手机", "游戏")),
    "28": MallSpec("红米5A 双卡双待手机", "红米5A", "Redmi 5A Smartphone",
                   ("8天超长待机", "137g轻巧机身", "高通骁龙处理器"),
                   (("支持5G吗", "不支持，这款是4G手机"), ("待机多久", "官方标称8天超长待机")),
                   ("红米5A", "老人机"), ("手机", "入门")),
    "29": MallSpec("Apple iPhone 8 Plus 手机", "iPhone 8 Plus", "Apple iPhone 8 Plus",
                   ("移动联通电信4G",),
                   (("支持5G吗", "不支持，这款是4G手机"),),
                   ("iPhone8P", "苹果8P", "8 Plus"), ("手机", "苹果")),
    "30": MallSpec("男士简约动物印花短袖T恤", "印花T恤", "Men's Animal Print T-Shirt",
                   ("微弹面料，舒适透气",), (("起球吗", "棉质面料，正常洗涤不易起球"),),
                   ("印花T恤", "短袖"), ("夏季", "男装"), relabel={"X": "L"},
                   suitable_for=("男士",)),
    "31": MallSpec("男士蓝灰花纹圆领针织短袖T恤", "花纹T恤", "Men's Blue-Grey Pattern T-Shirt",
                   ("针织布面料，柔软亲肤",), (("会缩水吗", "建议冷水手洗，平铺晾干"),),
                   ("花纹T恤", "圆领T恤"), ("夏季", "男装"), relabel={"X": "L"},
                   suitable_for=("男士",)),
    "32": MallSpec("男士基础款简约圆领短袖T恤", "基础款T恤", "Men's Basic Crew-Neck T-Shirt",
                   ("简约圆领，百搭打底",), (("透不透", "白色浅色款贴身穿略透，建议内搭"),),
                   ("基础款T恤", "纯色T恤", "打底T"), ("百搭", "男装"), relabel={"X": "L"},
                   suitable_for=("男士",)),
    "33": MallSpec("小米电视4A 4K超高清 HDR 智能电视", "小米电视4A", "Xiaomi Mi TV 4A 4K HDR",
                   ("4K超高清", "HDR", "人工智能语音"),
                   (("能挂墙吗", "可以，挂架需另购"), ("送货上门吗", "送货上门，大件物流")),
                   ("小米电视", "4A"), ("电视", "大家电"), rename={"尺寸": "屏幕尺寸"}),
    "34": MallSpec("小米电视4A 大屏版 4K超高清 智能电视", "小米电视4A大屏版",
                   "Xiaomi Mi TV 4A Large-Screen 4K",
                   ("4K超高清", "人工智能网络液晶平板电视"),
                   (("能挂墙吗", "可以，挂架需另购"), ("送货上门吗", "送货上门，大件物流")),
                   ("大屏电视", "65寸电视"), ("电视", "大家电"), rename={"尺寸": "屏幕尺寸"}),
    "35": MallSpec("耐克 NIKE ROSHE RUN 男子休闲运动鞋", "ROSHE RUN", "Nike Roshe Run Men's Sneakers",
                   ("男子休闲鞋", "轻便运动鞋"), (("尺码标准吗", "标准码，平时穿几码拍几码"),),
                   ("运动鞋", "跑鞋", "耐克鞋"), ("男鞋",), suitable_for=("男士",)),
    "36": MallSpec("耐克 NIKE AIR MAX 90 男子气垫休闲鞋", "AIR MAX 90",
                   "Nike Air Max 90 Men's Shoes",
                   ("气垫缓震", "男子休闲鞋"), (("尺码标准吗", "标准码，平时穿几码拍几码"),),
                   ("气垫鞋", "AIR MAX", "耐克气垫"), ("男鞋",), suitable_for=("男士",)),
    "37": MallSpec("Apple iPhone 14 5G手机 双卡双待", "iPhone 14", "Apple iPhone 14 5G",
                   ("支持移动联通电信5G", "双卡双待"),
                   (("支持5G吗", "支持，移动联通电信5G"), ("送手机壳吗", "不送，店里有配套手机壳")),
                   ("iPhone14", "苹果14", "14"), ("手机", "苹果", "5G")),
    "38": MallSpec("Apple iPad 10.9英寸平板电脑 2022款", "iPad", "Apple iPad 10.9-inch (2022)",
                   ("10.9英寸屏幕", "2022年款"),
                   (("能插卡打电话吗", "不能，这款是WLAN版"),),
                   ("平板", "苹果平板"), ("平板", "苹果")),
    "39": MallSpec("小米 Xiaomi Book Pro 14 2022 锐龙版 2.8K屏 轻薄笔记本", "小米笔记本",
                   "Xiaomi Book Pro 14 (2022, Ryzen)",
                   ("2.8K超清大师屏", "高端轻薄"),
                   (("是什么处理器", "锐龙R5或R7，16G内存，512G硬盘，看所选版本"),),
                   ("笔记本", "小米电脑"), ("电脑", "办公"), rename={"颜色": "型号"}),
    "40": MallSpec("小米12 Pro 天玑版 5G手机 2K屏 120Hz高刷", "小米12 Pro",
                   "Xiaomi 12 Pro (Dimensity)",
                   ("天玑9000+处理器", "5160mAh大电量", "2K超视感屏，120Hz高刷", "67W快充"),
                   (("支持5G吗", "支持5G"), ("充电多少瓦", "67W快充")),
                   ("小米12Pro", "12Pro"), ("手机", "5G")),
    "41": MallSpec("Redmi K50 5G手机 2K柔性直屏 67W快充", "Redmi K50", "Redmi K50",
                   ("天玑8100", "2K柔性直屏", "OIS光学防抖", "5500mAh大电量", "67W快充"),
                   (("支持5G吗", "支持5G"), ("电池多大", "5500mAh")),
                   ("K50", "红米K50"), ("手机", "5G", "游戏")),
    "42": MallSpec("HUAWEI Mate 50 直屏旗舰手机 北斗卫星消息", "Mate 50", "HUAWEI Mate 50",
                   ("超光变XMAGE影像", "北斗卫星消息", "内置66W华为充电套装"),
                   (("支持5G吗", "不支持5G，这款是4G手机"), ("带充电器吗", "带，内置66W华为充电套装")),
                   ("Mate50", "华为Mate50"), ("手机", "旗舰")),
    "43": MallSpec("万和燃气热水器 天然气 恒温 四重防冻", "燃气热水器", "Vanward Gas Water Heater",
                   ("四重防冻", "直流变频", "水伺服恒温", "高抗风"),
                   (("包安装吗", "含基础安装，特殊材料费用另计"), ("用什么气", "天然气")),
                   ("热水器", "万和热水器"), ("厨卫", "大家电")),
    "44": MallSpec("三星 SSD固态硬盘 M.2接口 NVMe协议", "三星固态硬盘",
                   "Samsung M.2 NVMe SSD", ("M.2接口（NVMe协议）", "读速高达3500MB/s"),
                   (("台式机能用吗", "有M.2 NVMe接口的台式机和笔记本都能用"),),
                   ("固态硬盘", "SSD", "硬盘"), ("电脑配件",), rename={"颜色": "型号"}),
    "45": MallSpec("OPPO Reno8 5G手机 80W超级闪充 5000万水光人像三摄", "Reno8", "OPPO Reno8 5G",
                   ("80W超级闪充", "5000万水光人像三摄"),
                   (("支持5G吗", "支持5G"), ("充电多少瓦", "80W超级闪充")),
                   ("Reno8", "OPPO手机"), ("手机", "5G")),
}
PHONE_IDS = ("26", "27", "28", "29", "37", "40", "41", "42", "45")
MALL_SHIPPING = {
    "手机通讯": ("顺丰", "深圳", 1, "1-3", 7, "seller", "全国联保一年"),
    "平板电脑": ("顺丰", "深圳", 1, "1-3", 7, "seller", "全国联保一年"),
    "笔记本": ("顺丰", "北京", 1, "1-3", 7, "seller", "全国联保一年"),
    "硬盘": ("京东物流", "上海", 1, "1-3", 7, "seller", "五年有限保修"),
    "电视": ("德邦", "天津", 2, "3-7", 7, "seller", "整机一年保修"),
    "厨卫大电": ("德邦", "佛山", 2, "3-7", 7, "seller", "整机三年保修"),
    "T恤": ("中通", "江阴", 1, "2-4", 7, "insurance", ""),
    "男鞋": ("中通", "莆田", 2, "2-4", 7, "insurance", ""),
}


def mall_product(src: Sources, rid: str) -> tuple[Product, dict]:
    row = src.mall_products[rid]
    spec = MALL_SPECS[rid]
    options: tuple[str, ...] | None = None
    skus = []
    for k in src.mall_skus[rid]:
        data = json.loads(k["sp_data"])
        names = tuple(spec.rename.get(d["key"], d["key"]) for d in data)
        if options is None:
            options = names
        assert names == options, (rid, names, options)
        values = tuple(spec.relabel.get(d["value"].strip(), d["value"].strip())
                       .replace("｜", " | ") for d in data)
        skus.append((values, y(k["price"]), int(k["stock"]), k["sku_code"]))
    assert options
    src_price, src_orig = y(row["price"]), y(row["original_price"])
    # relabelled sizes can collide (mall sizes X and L are one size here): keep the first
    seen: dict[tuple[str, ...], int] = {}
    merged = []
    for values, price, n, code in skus:
        if values in seen:
            continue
        seen[values] = len(merged)
        merged.append((values, price, n, code))
    built = tuple(
        Sku(options=tuple(zip(options, values)), stock=n, price=price,
            original_price=src_orig if src_orig > src_price and price == src_price else None,
            barcode=code)
        for values, price, n, code in merged)
    courier, ships_from, dispatch, delivery, ret, paid, warranty = MALL_SHIPPING[
        row["product_category_name"]]
    values = {v for s in built for v in s.values}
    p = Product(
        product_id=f"mall-{rid}", listing_number=None, title=spec.title,
        category=row["product_category_name"], price=min(s.price for s in built),
        brand=row["brand_name"] or "",
        original_price=src_orig if src_orig > src_price else None,
        skus=built, selling_points=spec.points,
        shipping=Shipping(courier=courier, ships_from=ships_from, dispatch_days=dispatch,
                          delivery_days=delivery, free_shipping=True,
                          free_shipping_exceptions=("新疆", "西藏") if courier == "德邦" else ()),
        after_sales=AfterSales(return_days=ret, return_shipping_paid_by=paid, warranty=warranty),
        tags=spec.tags, aliases=spec.aliases, title_en=spec.title_en, demo_data=True,
        short_name=spec.short_name, suitable_for=spec.suitable_for, unit="1台" if
        row["product_category_name"] in ("手机通讯", "平板电脑", "笔记本", "电视", "厨卫大电") else "",
        labels_en=_labels_en(options, values, NAMES_EN),
        faq=tuple(FaqEntry(q, a) for q, a in spec.faq),
    )
    provenance = {"source": MALL, "source_table": "pms_product+pms_sku_stock", "source_id": rid,
                  "source_name": row["name"].strip(),
                  "fields_from_source": "category;brand;original_price;skus(options,price,stock,"
                                        "barcode=sku_code);selling_points(from name/sub_title)"}
    return p, provenance


# ---- phone accessories (demo) ----------------------------------------------------------------

# the phone models sold in phones.csv (from the mall dump)
MODELS = ("iPhone 14", "iPhone 8 Plus", "华为 P20", "Mate 50", "小米8", "小米12 Pro", "红米5A",
          "Redmi K50", "OPPO Reno8")
PRO = {"iPhone 14": "5", "Mate 50": "5", "小米12 Pro": "3", "OPPO Reno8": "2"}  # yuan extra


def _by_model(base: str, models=MODELS, colors=None) -> tuple[tuple[tuple[str, ...], str], ...]:
    out = []
    for c in (colors or ("",)):
        for m in models:
            extra = PRO.get(m)
            price = str(Decimal(base) + Decimal(extra)) if extra else ""
            out.append(((c, m) if colors else (m,), price))
    return tuple(out)


ACCESSORIES: list[Spec] = [
    Spec("acc-case-01", "磨砂防摔手机壳 全包镜头", "防摔壳", "Matte Shockproof Phone Case", "手机壳",
         price="29.9", options=("颜色", "适用机型"),
         variants=_by_model("29.9", colors=("黑色", "透明", "远峰蓝")), brand="壳小铺",
         material="TPU+PC", points=("四角气囊防摔", "镜头加高保护"), points_en=("air-cushion corners",),
         faq=(("支持无线充电吗", "支持，不影响无线充电"), ("会发黄吗", "透明款长期使用会轻微发黄")),
         aliases=("手机壳", "保护壳", "防摔壳"), barcodes=True),
    Spec("acc-case-02", "液态硅胶手机壳 亲肤手感", "硅胶壳", "Liquid Silicone Phone Case", "手机壳",
         price="39.9", options=("颜色", "适用机型"),
         variants=tuple(((c, m), "") for c in ("黑色", "粉色", "白色") for m in ("iPhone 14", "iPhone 8 Plus")),
         brand="壳小铺", material="液态硅胶，内里超细纤维", points=("亲肤不粘灰", "内里超细纤维"),
         faq=(("容易脏吗", "浅色款可用湿布擦拭"),), aliases=("硅胶壳", "手机壳"), barcodes=True),
    Spec("acc-film-01", "高清钢化膜 防指纹 2片装", "钢化膜", "Tempered Glass Screen Protector, 2 pcs",
         "手机膜", price="15.9", unit="2片", options=("适用机型",), variants=_by_model("15.9"),
         brand="壳小铺", points=("9H硬度", "送贴膜工具"), faq=(("有几片", "一份2片"),
                                                          ("会影响指纹解锁吗", "屏下指纹机型请选专用款")),
         aliases=("钢化膜", "手机膜", "贴膜"), barcodes=True),
    Spec("acc-film-02", "防窥钢化膜 侧面看不见", "防窥膜", "Privacy Screen Protector", "手机膜",
         price="25.9", options=("适用机型",),
         variants=(( ("iPhone 14",), ""), (("小米12 Pro",), "27.9"), (("Mate 50",), "27.9"),
                   (("OPPO Reno8",), "")),
         brand="壳小铺", points=("30度防窥",), faq=(("屏幕会变暗吗", "正面亮度略有降低"),),
         aliases=("防窥膜",), barcodes=True),
    Spec("acc-lens-01", "镜头保护膜 一体式", "镜头膜", "Camera Lens Protector", "手机膜", price="12.9",
         options=("适用机型",), variants=((("iPhone 14",), ""), (("Mate 50",), "14.9")),
         brand="壳小铺", faq=(("影响拍照吗", "高透玻璃，正常拍照"),), aliases=("镜头膜",)),
    Spec("acc-charger-01", "氮化镓快充充电器", "快充头", "GaN Fast Charger", "充电器", price="",
         options=("功率",), variants=((("20W",), "49"), (("33W",), "69"), (("67W",), "99")),
         brand="充小电", suitable_for=("iPhone 14", "小米12 Pro", "Redmi K50"),
         points=("氮化镓小体积", "多重安全保护"), faq=(("苹果能用吗", "能，20W款适合iPhone快充"),
                                                    ("送线吗", "不送线，数据线单独购买")),
         aliases=("充电头", "充电器", "快充头"), barcodes=True),
    Spec("acc-cable-01", "编织快充数据线", "数据线", "Braided Fast-charging Cable", "数据线",
         price="19.9", options=("接口", "长度"),
         variants=((("USB-C", "1米"), ""), (("USB-C", "2米"), "25.9"), (("Lightning", "1米"), "29.9"),
                   (("Lightning", "2米"), "35.9")),
         brand="充小电", points=("尼龙编织，耐弯折",), faq=(("支持多少瓦", "USB-C款支持100W"),),
         aliases=("数据线", "充电线"), barcodes=True),
    Spec("acc-wireless-01", "磁吸无线充电器 15W", "无线充", "15W Magnetic Wireless Charger", "充电器",
         price="89", options=("颜色",), variants=((("白色",), ""), (("黑色",), "")), brand="充小电",
         suitable_for=("iPhone 14", "iPhone 8 Plus"), faq=(("安卓能用吗", "支持Qi无线充电的手机都能用，不能磁吸"),),
         aliases=("无线充电器", "磁吸充电")),
    Spec("acc-powerbank-01", "轻薄充电宝 快充", "充电宝", "Slim Power Bank", "充电宝", price="",
         options=("容量",), variants=((("10000mAh",), "79"), (("20000mAh",), "129")), brand="充小电",
         points=("22.5W快充", "可带上飞机"), faq=(("能带上飞机吗", "可以，额定能量低于100Wh"),),
         aliases=("充电宝", "移动电源"), barcodes=True),
    Spec("acc-earphone-01", "半入耳蓝牙耳机", "蓝牙耳机", "Semi In-ear Bluetooth Earbuds", "耳机",
         price="129", original_price="169", options=("颜色",), variants=((("白色",), ""), (("黑色",), "")),
         brand="声小铺", points=("续航约24小时（含充电盒）", "蓝牙5.3"),
         faq=(("防水吗", "日常防汗防溅，不能游泳"), ("能单只用吗", "可以")), aliases=("耳机", "蓝牙耳机")),
    Spec("acc-stand-01", "桌面手机支架 可折叠", "手机支架", "Foldable Desk Phone Stand", "手机支架",
         price="19.9", brand="壳小铺", material="铝合金", points=("多角度调节",),
         faq=(("平板能放吗", "能放11英寸以内的平板"),), aliases=("支架", "懒人支架")),
    Spec("acc-carmount-01", "车载手机支架", "车载支架", "Car Phone Mount", "手机支架", price="",
         options=("款式",), variants=((("出风口款",), "39"), (("吸盘款",), "49")), brand="壳小铺",
         faq=(("所有车都能装吗", "出风口款适合横条出风口，圆形出风口请选吸盘款"),), aliases=("车载支架",)),
    Spec("acc-lanyard-01", "手机挂绳 斜挎可调节", "手机挂绳", "Adjustable Phone Lanyard", "手机挂绳",
         price="15.9", options=("颜色",), variants=((("黑色",), ""), (("米白",), ""), (("粉色",), "")),
         brand="壳小铺", faq=(("什么手机都能用吗", "带夹片，夹在手机壳里面，各机型通用"),),
         aliases=("挂绳", "手机绳")),
    Spec("acc-selfie-01", "蓝牙自拍杆 三脚架", "自拍杆", "Bluetooth Selfie Stick Tripod", "自拍杆",
         price="59", original_price="79", brand="声小铺", points=("自拍杆和三脚架两用",),
         faq=(("多长", "拉开约100cm"),), aliases=("自拍杆", "三脚架")),
    Spec("acc-cooler-01", "手机散热器 半导体制冷", "散热器", "Phone Cooling Fan", "手机散热器",
         price="69", brand="充小电", suitable_for=("Redmi K50", "小米12 Pro", "iPhone 14"),
         faq=(("要插电吗", "要，USB-C供电"),), aliases=("散热器", "散热背夹")),
    Spec("acc-gift-01", "贴膜工具 除尘贴套装（赠品）", "贴膜工具", "Screen Protector Install Kit (free gift)",
         "赠品", price="0", free_gift=True, faq=(("怎么领", "买任意钢化膜送一套"),),
         aliases=("赠品",)),
]


# ---- cosmetics (demo; category names from litemall) ------------------------------------------

SKIN = "植语"
HAIR = "沐光"
COSMETICS: list[Spec] = [
    Spec("cos-cream-01", "玻尿酸补水保湿面霜", "保湿面霜", "Hyaluronic Moisturising Cream", "面部护理",
         options=("容量",), variants=((("30ml",), "99"), (("50ml",), "149")), original_price="",
         brand=SKIN, suitable_for=("干皮", "混干皮", "敏感肌"), net_weight="30ml / 50ml", shelf_life="3年",
         storage="阴凉干燥处，避免阳光直射", points=("质地清爽不黏腻", "无香精"),
         points_en=("light, non-sticky", "fragrance-free"),
         faq=(("孕妇能用吗", "成分温和，孕期使用请先咨询医生"), ("开封后多久用完", "开封后12个月内用完")),
         aliases=("面霜", "补水霜"), barcodes=True),
    Spec("cos-serum-01", "烟酰胺焕亮精华液", "精华液", "Niacinamide Serum", "面部护理",
         options=("容量",), variants=((("30ml",), "129"), (("50ml",), "189")), brand=SKIN,
         suitable_for=("油皮", "混油皮"), net_weight="30ml / 50ml", shelf_life="3年",
         storage="阴凉干燥处", points=("5%烟酰胺", "水感质地"),
         faq=(("敏感肌能用吗", "建议先在耳后试用，无不适再上脸"), ("白天能用吗", "可以，白天请配合防晒")),
         aliases=("精华", "烟酰胺"), barcodes=True),
    Spec("cos-cleanser-01", "氨基酸温和洁面乳 120g", "洁面乳", "Amino-acid Gentle Cleanser 120g",
         "面部护理", price="59", original_price="79", brand=SKIN, suitable_for=("所有肤质",),
         net_weight="120g", shelf_life="3年", storage="阴凉干燥处",
         points=("氨基酸表活", "洗后不紧绷"), faq=(("能卸妆吗", "只能洗去淡妆，浓妆请先卸妆"),),
         aliases=("洗面奶", "洁面")),
    Spec("cos-mask-01", "补水保湿面膜", "补水面膜", "Hydrating Sheet Mask", "面部护理", price="",
         options=("规格",), variants=((("5片装",), "49.9"), (("10片装",), "89")), brand=SKIN,
         suitable_for=("干皮", "混合皮"), net_weight="25ml/片", shelf_life="3年",
         storage="阴凉干燥处", faq=(("多久敷一次", "每周2-3次，每次15分钟"),),
         aliases=("面膜",), barcodes=True),
    Spec("cos-sun-01", "清爽防晒乳 SPF50+ PA++++ 50ml", "防晒乳", "Light Sunscreen SPF50+ 50ml",
         "面部护理", price="89", original_price="119", brand=SKIN, suitable_for=("油皮", "户外"),
         net_weight="50ml", shelf_life="3年", storage="阴凉干燥处，避免高温",
         points=("SPF50+ PA++++", "清爽不油腻"),
         faq=(("需要卸妆吗", "用洁面乳洗两遍即可"), ("军训能用吗", "可以，每2小时补涂一次")),
         aliases=("防晒", "防晒霜")),
    Spec("cos-lip-01", "丝绒哑光口红", "丝绒口红", "Velvet Matte Lipstick", "美妆", price="69",
         original_price="99", options=("色号",),
         variants=((("01 正红",), ""), (("02 豆沙",), ""), (("03 枫叶棕",), ""), (("04 橘调",), "")),
         brand=SKIN, net_weight="3.5g", shelf_life="3年",
         faq=(("拆封能退吗", "拆封后不支持无理由退货"), ("黄皮适合哪个色", "02 豆沙和03 枫叶棕更显白")),
         aliases=("口红", "唇膏"), barcodes=True),
    Spec("cos-foundation-01", "持妆粉底液 30ml", "粉底液", "Long-wear Foundation 30ml", "美妆",
         price="139", options=("色号",), variants=((("象牙白",), ""), (("自然色",), ""), (("小麦色",), "")),
         brand=SKIN, suitable_for=("混油皮", "油皮"), net_weight="30ml", shelf_life="3年",
         storage="阴凉干燥处", faq=(("干皮能用吗", "干皮建议先做好保湿"),), aliases=("粉底", "粉底液")),
    Spec("cos-palette-01", "大地色九色眼影盘", "九色眼影", "9-shade Earth-tone Eyeshadow Palette",
         "美妆", price="79", brand=SKIN, net_weight="9g", shelf_life="3年",
         points=("哑光加珠光",), faq=(("新手好用吗", "大地色日常好搭，新手也容易上手"),),
         aliases=("眼影", "眼影盘")),
    Spec("cos-remover-01", "温和卸妆水", "卸妆水", "Gentle Micellar Water", "面部护理", price="",
         options=("容量",), variants=((("100ml",), "39"), (("400ml",), "89")), brand=SKIN,
         suitable_for=("敏感肌",), net_weight="100ml / 400ml", shelf_life="3年",
         storage="阴凉干燥处", faq=(("能卸眼妆吗", "淡眼妆可以，防水睫毛膏请用眼唇卸"),),
         aliases=("卸妆", "卸妆水")),
    Spec("cos-toner-01", "保湿爽肤水 200ml", "爽肤水", "Hydrating Toner 200ml", "面部护理",
         price="69", brand=SKIN, suitable_for=("干皮", "混合皮"), net_weight="200ml",
         shelf_life="3年", storage="阴凉干燥处", faq=(("要配化妆棉吗", "可以用化妆棉，也可以直接拍"),),
         aliases=("爽肤水", "化妆水")),
    Spec("cos-eye-01", "紧致眼霜 15g", "眼霜", "Firming Eye Cream 15g", "面部护理", price="159",
         original_price="199", brand=SKIN, net_weight="15g", shelf_life="3年",
         storage="阴凉干燥处", faq=(("会长脂肪粒吗", "用量米粒大小即可，用多了可能闷"),),
         aliases=("眼霜",)),
    Spec("cos-shampoo-01", "控油蓬松洗发水", "洗发水", "Oil-control Volumising Shampoo", "护发",
         price="", options=("容量",), variants=((("400ml",), "49"), (("750ml",), "79")), brand=HAIR,
         suitable_for=("油性头皮",), net_weight="400ml / 750ml", shelf_life="3年",
         storage="阴凉干燥处", faq=(("染过的头发能用吗", "可以"),), aliases=("洗发水", "洗头膏"),
         barcodes=True),
    Spec("cos-conditioner-01", "修护护发素 400ml", "护发素", "Repair Conditioner 400ml", "护发",
         price="49", brand=HAIR, suitable_for=("干枯发质", "染烫发"), net_weight="400ml",
         shelf_life="3年", storage="阴凉干燥处", faq=(("要冲掉吗", "要，停留1-2分钟后冲净"),),
         aliases=("护发素",)),
    Spec("cos-bodywash-01", "氨基酸香氛沐浴露 500ml", "沐浴露", "Amino-acid Body Wash 500ml", "洗护",
         price="59", options=("香型",), variants=((("白茶",), ""), (("樱花",), ""), (("柑橘",), "")),
         brand=HAIR, net_weight="500ml", shelf_life="3年", storage="阴凉干燥处",
         faq=(("留香久吗", "洗后淡香，约2-3小时"),), aliases=("沐浴露", "沐浴液")),
    Spec("cos-lotion-01", "保湿身体乳", "身体乳", "Moisturising Body Lotion", "洗护", price="",
         options=("香型", "容量"),
         variants=((("白茶", "250ml"), "59"), (("白茶", "400ml"), "89"), (("无花果", "250ml"), "59"),
                   (("无花果", "400ml"), "89")),
         brand=HAIR, suitable_for=("干皮",), net_weight="250ml / 400ml", shelf_life="3年",
         storage="阴凉干燥处", faq=(("冬天够滋润吗", "干皮冬天建议洗澡后马上涂"),), aliases=("身体乳",)),
    Spec("cos-hand-01", "护手霜套装 30g×3支", "护手霜", "Hand Cream Set 3×30g", "洗护", price="39.9",
         unit="1套（3支）", brand=HAIR, net_weight="90g（30g×3）", shelf_life="3年",
         storage="阴凉干燥处", faq=(("送礼有盒子吗", "有礼盒包装"),), aliases=("护手霜",)),
    Spec("cos-candle-01", "香薰蜡烛 200g", "香薰蜡烛", "Scented Candle 200g", "香薰", price="79",
         options=("香型",), variants=((("雪松",), ""), (("白茶",), ""), (("无花果",), "")), brand=HAIR,
         net_weight="200g", material="大豆蜡，棉芯", faq=(("能烧多久", "约40小时"),),
         aliases=("蜡烛", "香薰")),
    Spec("cos-brush-01", "化妆刷套装 8支", "化妆刷", "Makeup Brush Set, 8 pcs", "用具", price="69",
         unit="1套（8支）", brand=SKIN, material="纤维毛，木柄", faq=(("掉毛吗", "纤维毛，正常使用不掉毛"),),
         aliases=("刷子", "化妆刷")),
    Spec("cos-sponge-01", "美妆蛋 不吃粉", "美妆蛋", "Makeup Sponge", "用具", price="12.9",
         options=("颜色",), variants=((("粉色",), ""), (("米白",), "")), brand=SKIN, unit="2个",
         faq=(("干用还是湿用", "湿用更服帖，挤干水再用"),), aliases=("美妆蛋", "粉扑")),
    Spec("cos-towel-01", "一次性洗脸巾 抽取式", "洗脸巾", "Disposable Face Towels", "用具", price="",
         options=("盒数",), variants=((("1盒",), "12.9"), (("3盒",), "32.9")), brand=SKIN, unit="80抽/盒",
         material="棉柔巾（粘胶纤维）", faq=(("能擦干脸吗", "可以，干湿两用"),), aliases=("洗脸巾", "棉柔巾")),
    Spec("cos-gift-01", "面霜旅行装小样 5ml（赠品）", "面霜小样", "Cream travel size 5ml (free gift)",
         "赠品", price="0", free_gift=True, net_weight="5ml", shelf_life="3年",
         faq=(("怎么领", "买任意面霜送一支"),), aliases=("小样", "赠品")),
]


# ---- food: litemall pastries + demo teas and snacks ------------------------------------------

# litemall 糕点 goods: row id -> (title, short name, English, net weight, shelf life, storage,
# unit, FAQ). Name, prices, brief and stock are the source's; the rest is filled in.
PASTRIES = {
    "1045000": ("绿茶蛋黄酥", "蛋黄酥", "Green-tea Egg-yolk Pastry", "200克（4枚）", "60天", "阴凉干燥处",
                "1盒（4枚）", (("甜吗", "微甜"),)),
    "1070000": ("星云酥", "星云酥", "Nebula Pastry", "180克（3颗）", "60天", "阴凉干燥处", "1盒（3颗）", ()),
    "1111007": ("妙曲奇遇记曲奇礼盒", "曲奇礼盒", "Cookie Gift Box", "520克", "180天", "常温密封保存",
                "1盒", (("有几种口味", "六种口味"),)),
    "1116011": ("蔓越莓曲奇", "蔓越莓曲奇", "Cranberry Cookies", "200克", "180天", "常温密封保存", "1盒",
                ()),
    "1134036": ("凤梨酥", "凤梨酥", "Pineapple Cakes", "360克", "90天", "阴凉干燥处", "1盒", ()),
    "1143018": ("粽情乡思端午粽礼盒", "端午粽礼盒", "Dragon Boat Zongzi Gift Box", "640克", "180天",
                "常温保存，开袋即食需加热", "1盒", (("要加热吗", "建议蒸煮10分钟后食用"),)),
    "1143019": ("粽夏冰晶端午粽礼盒", "冰粽礼盒", "Crystal Zongzi Gift Box", "480克", "9个月",
                "冷藏0-4℃", "1盒", (("要冷藏吗", "要，收到后请冷藏"),)),
    "1143020": ("粽横四海端午粽礼盒", "八味粽礼盒", "Eight-flavour Zongzi Gift Box", "800克", "180天",
                "常温保存", "1盒", ()),
    "1155015": ("绿豆糕", "绿豆糕", "Mung Bean Cakes", "80克（4枚）", "90天", "阴凉干燥处", "1盒（4枚）",
                ()),
}
TEA = "山野茶铺"
SNACK = "山野小铺"
FOOD_DEMO: list[Spec] = [
    Spec("tea-oolong-01", "高山乌龙茶 罐装", "乌龙茶", "High-mountain Oolong Tea", "茗茶", price="88",
         unit="1罐", options=("重量",), variants=((("250g",), ""), (("500g",), "168")), brand=TEA,
         net_weight="250g / 500g", shelf_life="24个月", storage="密封，避光，阴凉干燥处",
         suitable_for=("送礼", "办公室"), faq=(("怎么泡", "90度水，5克茶叶冲泡3-5泡"),),
         aliases=("乌龙", "茶叶"), barcodes=True),
    Spec("tea-longjing-01", "明前龙井 绿茶", "龙井", "Pre-Qingming Longjing Green Tea", "茗茶",
         price="", options=("规格",), variants=((("100g罐装",), "128"), (("250g礼盒",), "298")),
         brand=TEA, net_weight="100g / 250g", shelf_life="18个月", storage="冷藏密封保存更佳",
         suitable_for=("送礼",), faq=(("是今年的新茶吗", "是，今年明前采摘"), ("水温多少", "80-85度")),
         aliases=("龙井", "绿茶"), barcodes=True),
    Spec("tea-puer-01", "云南普洱熟茶 茶饼 357g", "普洱茶饼", "Yunnan Ripe Pu-erh Cake 357g", "茗茶",
         price="158", unit="1饼", brand=TEA, net_weight="357g", shelf_life="长期保存",
         storage="通风、干燥、无异味处", faq=(("越放越好吗", "熟茶存放环境合适可长期保存"),),
         aliases=("普洱", "茶饼")),
    Spec("tea-black-01", "正山小种红茶 礼盒", "红茶礼盒", "Lapsang Souchong Gift Box", "茗茶",
         price="198", original_price="258", unit="1盒（200g）", brand=TEA, net_weight="200g",
         shelf_life="24个月", storage="密封，避光", suitable_for=("送礼", "送长辈"),
         faq=(("有手提袋吗", "有，送礼手提袋随盒发"),), aliases=("红茶",)),
    Spec("tea-chrys-01", "胎菊花茶 罐装 50g", "菊花茶", "Chrysanthemum Tea 50g", "茗茶", price="29.9",
         unit="1罐", brand=TEA, net_weight="50g", shelf_life="18个月", storage="密封，阴凉干燥处",
         faq=(("能和枸杞一起泡吗", "可以"),), aliases=("菊花茶", "胎菊")),
    Spec("snack-nuts-01", "每日坚果 混合装", "每日坚果", "Daily Mixed Nuts", "炒货", price="",
         options=("规格",), variants=((("15包",), "49.9"), (("30包",), "89.9")), brand=SNACK,
         net_weight="25g/包", shelf_life="9个月", storage="阴凉干燥处，开袋后尽快食用",
         faq=(("过敏原", "含坚果，对坚果过敏者勿食"), ("孕妇能吃吗", "可以适量食用")),
         aliases=("坚果", "混合坚果"), barcodes=True),
    Spec("snack-pecan-01", "奶香碧根果 500g", "碧根果", "Milk-flavour Pecans 500g", "炒货",
         price="59.9", unit="1袋", brand=SNACK, net_weight="500g", shelf_life="9个月",
         storage="阴凉干燥处", faq=(("好剥吗", "开口，送剥壳器"),), aliases=("碧根果", "长寿果")),
    Spec("snack-mango-01", "芒果干 无添加蔗糖 100g", "芒果干", "Dried Mango 100g, no added sugar",
         "果干", price="19.9", unit="1袋", brand=SNACK, net_weight="100g", shelf_life="12个月",
         storage="阴凉干燥处", faq=(("甜吗", "无添加蔗糖，是芒果本身的甜"),), aliases=("芒果干", "果干")),
    Spec("snack-strawberry-01", "冻干草莓脆 30g", "冻干草莓", "Freeze-dried Strawberries 30g", "果干",
         price="22.9", unit="1袋", brand=SNACK, net_weight="30g", shelf_life="12个月",
         storage="开袋后请密封，防潮", faq=(("宝宝能吃吗", "3岁以上可以，注意防噎"),),
         aliases=("冻干草莓", "草莓脆")),
    Spec("snack-lemon-01", "冻干柠檬片 罐装", "柠檬片", "Freeze-dried Lemon Slices", "冲饮",
         price="25.9", unit="1罐", brand=SNACK, net_weight="80g", shelf_life="18个月",
         storage="密封，阴凉干燥处", faq=(("怎么泡", "2-3片用温水泡"),), aliases=("柠檬片", "柠檬茶")),
    Spec("snack-beef-01", "手撕风干牛肉干 200g", "牛肉干", "Air-dried Shredded Beef Jerky 200g",
         "肉制品", price="69.9", original_price="89", unit="1袋", options=("口味",),
         variants=((("原味",), ""), (("麻辣",), ""), (("五香",), "")), brand=SNACK, net_weight="200g",
         shelf_life="6个月", storage="阴凉干燥处，开袋后冷藏", faq=(("辣吗", "麻辣款中辣，原味和五香不辣"),),
         aliases=("牛肉干", "风干牛肉"), barcodes=True),
    Spec("snack-coffee-01", "挂耳咖啡 中度烘焙", "挂耳咖啡", "Drip-bag Coffee, Medium Roast", "冲饮",
         price="", options=("盒数",), variants=((("10片",), "39.9"), (("30片",), "99")), brand=SNACK,
         net_weight="10g/片", shelf_life="12个月", storage="阴凉干燥处", faq=(("含糖吗", "不含糖，纯咖啡"),),
         aliases=("咖啡", "挂耳")),
    Spec("snack-choco-01", "72%黑巧克力 100g", "黑巧克力", "72% Dark Chocolate 100g", "糖巧",
         price="35", unit="1板", brand=SNACK, net_weight="100g", shelf_life="12个月",
         storage="20℃以下阴凉干燥处，夏季建议冷藏", faq=(("会化吗", "夏季发冷链，收到请冷藏"),),
         aliases=("黑巧", "巧克力")),
    Spec("snack-seaweed-01", "夹心海苔脆 40g", "海苔脆", "Seaweed Crisps 40g", "小食", price="15.9",
         unit="1罐", brand=SNACK, net_weight="40g", shelf_life="9个月", storage="开罐后尽快食用",
         faq=(("宝宝能吃吗", "含盐，建议3岁以上少量食用"),), aliases=("海苔",)),
    Spec("snack-gift-01", "试吃装 坚果小包（赠品）", "试吃装", "Nut tasting pack (free gift)", "赠品",
         price="0", free_gift=True, net_weight="25g", shelf_life="9个月", storage="阴凉干燥处",
         faq=(("怎么领", "每单送一包，送完为止"),), aliases=("赠品", "试吃")),
]


# ---------------------------------------------------------------------------------------------
# building
# ---------------------------------------------------------------------------------------------

def demo_product(rng: random.Random, spec: Spec) -> Product:
    skus: tuple[Sku, ...]
    if spec.options:
        skus = tuple(
            Sku(options=tuple(zip(spec.options, values)), stock=stock(rng),
                price=y(price) if price else None,
                barcode=ean13(rng) if spec.barcodes else "")
            for values, price in spec.variants)
    else:
        skus = (Sku(stock=stock(rng) if not spec.free_gift else rng.randint(100, 500),
                    barcode=ean13(rng) if spec.barcodes else ""),)
    if spec.price:
        price = y(spec.price)
    else:
        price = min(s.price for s in skus if s.price is not None)
    values = {v for s in skus for v in s.values}
    return Product(
        product_id=spec.pid, listing_number=None, title=spec.title, category=spec.category,
        price=price, brand=spec.brand,
        original_price=y(spec.original_price) if spec.original_price else None, skus=skus,
        material=spec.material, selling_points=spec.points, tags=spec.tags,
        aliases=spec.aliases, title_en=spec.title_en, demo_data=True,
        short_name=spec.short_name, unit=spec.unit, free_gift=spec.free_gift,
        suitable_for=spec.suitable_for, net_weight=spec.net_weight, shelf_life=spec.shelf_life,
        storage=spec.storage, selling_points_en=spec.points_en,
        labels_en=_labels_en(spec.options, values, NAMES_EN),
        faq=tuple(FaqEntry(q, a) for q, a in spec.faq),
    )


def with_shop(rng: random.Random, p: Product, *, couriers: tuple[str, ...], places: tuple[str, ...],
              return_days: int, paid_by: tuple[str, ...], exceptions=("新疆", "西藏")) -> Product:
    if p.shipping.courier:
        return p
    return replace(
        p, shipping=Shipping(courier=rng.choice(couriers), ships_from=rng.choice(places),
                             dispatch_days=rng.choice((1, 1, 2)), delivery_days=rng.choice(("2-4", "3-5")),
                             free_shipping=True, free_shipping_exceptions=exceptions),
        after_sales=AfterSales(return_days=return_days, return_shipping_paid_by=(
            rng.choice(paid_by) if return_days else ""), warranty=p.after_sales.warranty))


def _money(d: Decimal) -> str:
    return str(d.quantize(Decimal("1"))) if d == d.to_integral_value() else str(d.normalize())


def script(p: Product) -> str:
    """Sales copy (话术) from the row's own facts only."""
    parts = [f"{p.listing_number}号链接，{p.title}。"]
    if p.selling_points:
        parts.append("，".join(p.selling_points[:3]) + "。")
    if p.suitable_for:
        parts.append(f"适合{'、'.join(p.suitable_for)}。")
    for name in p.option_names:
        vals = p.option_values(name)
        if len(vals) > 1:
            parts.append(f"{name}有{'、'.join(vals)}可选。")
    if p.net_weight:
        parts.append(f"净含量{p.net_weight}" + (f"，保质期{p.shelf_life}" if p.shelf_life else "") + "。")
    if p.free_gift:
        parts.append("这是赠品，不单独卖。")
    elif p.has_variant_prices:
        parts.append(f"直播间价{_money(p.min_price)}元起。")
    else:
        parts.append(f"直播间价{_money(p.price)}元" +
                     (f"，划线价{_money(p.original_price)}元" if p.original_price else "") + "。")
    s = p.shipping
    if s.courier:
        parts.append(f"包邮，从{s.ships_from}发{s.courier}。" if s.free_shipping else
                     f"从{s.ships_from}发{s.courier}。")
    if p.after_sales.warranty:
        parts.append(p.after_sales.warranty + "。")
    text = "".join(parts)
    for b in BANNED:
        if b in text:
            raise ValueError(f"{p.product_id}: script contains banned word {b!r}: {text}")
    return text


def finish(products: list[Product]) -> list[Product]:
    """Listing numbers 1..N in order, scripts, banned-word checks."""
    out = []
    for n, p in enumerate(products, start=1):
        p = replace(p, listing_number=n)
        p = replace(p, script=script(p))
        for text in (p.title, p.short_name, *p.selling_points, *p.aliases, *p.tags,
                     *(e.answer for e in p.faq)):
            if any(b in text for b in BANNED):
                raise ValueError(f"{p.product_id}: banned word in {text!r}")
        out.append(p)
    return out


def shop_faq(src: Sources, answers: dict[str, str]) -> tuple[FaqEntry, ...]:
    """Shop FAQ: the litemall_issue questions (运费, 快递, 退货, 发票; shortened) with this
    shop's answers, plus the shop's own extra questions."""
    from_source = {"运费": "购买运费如何收取", "快递": "使用什么快递发货", "退货": "如何申请退货",
                   "发票": "如何开具发票"}
    questions = {i["question"].rstrip("？?") for i in src.lm_issue}
    for key, q in from_source.items():
        assert q in questions, (q, questions)
    out = [FaqEntry(key, answers[key]) for key in from_source]
    out += [FaqEntry(q, a) for q, a in answers.items() if q not in from_source]
    return tuple(out)


@dataclass
class Built:
    products: list[Product]
    faq: tuple[FaqEntry, ...]
    provenance: list[dict[str, str]]


def build_mall(src: Sources, rng: random.Random) -> Built:
    ids = [rid for rid, r in src.mall_products.items() if r["delete_status"] == "0"]
    products, prov = [], []
    for rid in ids:
        p, pr = mall_product(src, rid)
        products.append(p)
        prov.append({"product_id": p.product_id, **pr})
    faq = shop_faq(src, {"运费": "全场包邮，电视和热水器新疆、西藏除外", "快递": "手机电脑发顺丰，电视热水器发德邦，衣服鞋子发中通",
                         "退货": "签收后7天内可申请无理由退货，手机电脑需未激活",
                         "发票": "可以开电子普通发票，下单后联系客服", "货到付款": "不支持货到付款",
                         "以旧换新": "暂不支持以旧换新"})
    return Built(finish(products), faq, prov)


def build_phones(src: Sources, rng: random.Random) -> Built:
    products, prov = [], []
    for rid in PHONE_IDS:
        p, pr = mall_product(src, rid)
        products.append(p)
        prov.append({"product_id": p.product_id, **pr})
    for spec in ACCESSORIES:
        p = with_shop(rng, demo_product(rng, spec), couriers=("圆通", "中通"), places=("深圳",),
                      return_days=7, paid_by=("seller", "insurance"), exceptions=())
        products.append(p)
        prov.append({"product_id": p.product_id, "source": "demo fill-in", "source_table": "",
                     "source_id": "", "source_name": "",
                     "fields_from_source": "适用机型 values: the phone models of the mall dump"
                     if "适用机型" in spec.options else ""})
    faq = shop_faq(src, {"运费": "配件满39元包邮，手机全部包邮", "快递": "手机发顺丰，配件发圆通或中通",
                         "退货": "7天无理由退货，手机需未激活、配件需不影响二次销售",
                         "发票": "可以开电子普通发票", "货到付款": "不支持货到付款",
                         "手机是正品吗": "全部是国行正品，全国联保"})
    return Built(finish(products), faq, prov)


def build_cosmetics(src: Sources, rng: random.Random) -> Built:
    names = src.lm_category_names()
    products, prov = [], []
    for spec in COSMETICS:
        assert spec.category in names | {"赠品"}, spec.category  # litemall's category names
        p = with_shop(rng, demo_product(rng, spec), couriers=("中通", "韵达"), places=("广州", "上海"),
                      return_days=7, paid_by=("buyer", "insurance"))
        products.append(p)
        prov.append({"product_id": p.product_id, "source": "demo fill-in", "source_table": "",
                     "source_id": "", "source_name": "",
                     "fields_from_source": "" if spec.category == "赠品" else
                     "category (litemall_category name)"})
    faq = shop_faq(src, {"运费": "全场包邮，新疆、西藏除外", "快递": "中通或韵达，广州、上海两仓发货",
                         "退货": "未拆封7天无理由退货，拆封后不支持", "发票": "可以开电子普通发票",
                         "是正品吗": "品牌直供，支持专柜验货", "敏感肌": "敏感肌请先在耳后试用"})
    return Built(finish(products), faq, prov)


def build_food(src: Sources, rng: random.Random) -> Built:
    names = src.lm_category_names()
    products, prov = [], []
    for rid, (title, short, en, weight, life, storage, unit, faq) in PASTRIES.items():
        g = src.lm_goods[rid]
        assert g["name"].startswith(title), (rid, g["name"])
        category = src.lm_category[g["category_id"]]["name"]
        brief = [b for b in re.split(r"[，,]", g["brief"]) if b and not any(x in b for x in BANNED)]
        p = Product(
            product_id=f"lm-{rid}", listing_number=None, title=title, category=category,
            price=y(g["retail_price"]), brand=SNACK,
            original_price=y(g["counter_price"]) if y(g["counter_price"]) > y(g["retail_price"]) else None,
            skus=(Sku(stock=src.lm_stock.get(rid, 0)),), selling_points=tuple(brief),
            aliases=(short,), title_en=en, demo_data=True, short_name=short, unit=unit,
            net_weight=weight, shelf_life=life, storage=storage,
            production_date=f"2025-{rng.randint(9, 11):02d}-{rng.randint(1, 28):02d}",
            faq=tuple(FaqEntry(q, a) for q, a in (("保质期", life), *faq)),
        )
        products.append(p)
        prov.append({"product_id": p.product_id, "source": LITEMALL, "source_table":
                     "litemall_goods+litemall_goods_product", "source_id": rid,
                     "source_name": g["name"], "fields_from_source":
                     "title;category;price=retail_price;original_price=counter_price;"
                     "selling_points=brief;stock=number;net_weight (from the name)"})
    for spec in FOOD_DEMO:
        assert spec.category in names | {"赠品"}, spec.category
        p = demo_product(rng, spec)
        p = replace(p, production_date=f"2025-{rng.randint(6, 11):02d}-{rng.randint(1, 28):02d}",
                    faq=((FaqEntry("保质期", p.shelf_life),) if p.shelf_life else ()) + p.faq)
        products.append(p)
        prov.append({"product_id": p.product_id, "source": "demo fill-in", "source_table": "",
                     "source_id": "", "source_name": "",
                     "fields_from_source": "" if spec.category == "赠品" else
                     "category (litemall_category name)"})
    products = [with_shop(rng, p, couriers=("顺丰", "韵达"), places=("杭州", "泉州"), return_days=0,
                          paid_by=("buyer",), exceptions=("新疆", "西藏", "青海")) for p in products]
    faq = shop_faq(src, {"运费": "满49元包邮，新疆、西藏、青海除外", "快递": "茶叶发顺丰，零食发韵达",
                         "退货": "食品拆封后不退不换，质量问题包退", "发票": "可以开电子普通发票",
                         "生产日期": "都是近三个月生产的，具体见包装", "冷链": "巧克力和冰粽夏季走冷链"})
    return Built(finish(products), faq, prov)


BUILDERS = {"cosmetics": build_cosmetics, "food": build_food, "phones": build_phones,
            "mall": build_mall}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sources", type=Path, default=DEFAULT_SOURCES)
    ap.add_argument("--out", type=Path, default=HERE)
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args(argv)
    src = Sources.load(args.sources)
    for i, (name, build) in enumerate(BUILDERS.items()):
        built = build(src, random.Random(args.seed + i))
        out = args.out / f"{name}.csv"
        catalog = Catalog(tuple(built.products), faq=built.faq)
        write_catalog_csv(catalog, out)
        with (args.out / f"{name}_provenance.csv").open("w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=["product_id", "source", "source_table", "source_id",
                                              "source_name", "fields_from_source"],
                               lineterminator="\n")
            w.writeheader()
            w.writerows(built.provenance)
        loaded = load_catalog(out).catalog
        assert loaded.products == catalog.products, f"{name} does not round-trip"
        assert loaded.faq == catalog.faq, f"{name} FAQ does not round-trip"
        print(f"wrote {out} ({len(catalog)} products, {len(catalog.faq)} shop FAQ entries)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
