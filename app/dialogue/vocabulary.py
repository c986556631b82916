"""Product-type vocabulary: words naming kinds of goods, from the catalog and a general lexicon.

``GENERAL_GOODS`` is a modest general lexicon of goods words (zh and en) written for this
package; the catalog adds its own categories, tags, aliases, short names and title words
(:class:`ProductVocabulary`). Together they tell "a product we sell" from "a kind of goods we
do not have tonight".
"""

from __future__ import annotations

import re
from functools import cached_property

from app.catalog.model import Catalog, Product

GENERAL_GOODS: frozenset[str] = frozenset("""
衣服 上衣 外套 大衣 风衣 夹克 羽绒服 棉服 毛衣 针织衫 卫衣 衬衫 T恤 短袖 长袖 背心 马甲 西装 连衣裙 裙子 半身裙
裤子 牛仔裤 短裤 休闲裤 运动裤 打底裤 睡衣 内衣 内裤 文胸 袜子 丝袜 帽子 围巾 手套 领带 腰带 皮带
鞋 鞋子 运动鞋 跑鞋 皮鞋 靴子 雪地靴 凉鞋 拖鞋 高跟鞋 童鞋 童装 包 包包 背包 双肩包 手提包 钱包 行李箱 书包
手机 平板 电脑 笔记本 耳机 充电器 充电宝 数据线 手机壳 手表 手环 音箱 相机 键盘 鼠标 显示器 电视 路由器 游戏机
冰箱 洗衣机 空调 风扇 电风扇 吹风机 电饭煲 微波炉 烤箱 空气炸锅 榨汁机 咖啡机 电水壶 加湿器 吸尘器 扫地机
锅 炒锅 煎锅 汤锅 刀 菜刀 砧板 碗 盘子 杯子 水杯 保温杯 筷子 勺子 餐具 毛巾 浴巾 被子 羽绒被 枕头 床单 四件套
床垫 窗帘 地毯 沙发 椅子 桌子 台灯 衣架 收纳盒 雨伞
口红 唇膏 粉底 粉底液 气垫 眼影 睫毛膏 眉笔 腮红 面膜 面霜 乳液 精华 爽肤水 洗面奶 防晒霜 卸妆水 香水
洗发水 护发素 沐浴露 牙膏 牙刷 剃须刀 指甲油
茶 茶叶 绿茶 红茶 白茶 乌龙茶 普洱 咖啡 牛奶 奶粉 酸奶 饮料 果汁 酒 白酒 红酒 啤酒 零食 饼干 巧克力 糖果
坚果 瓜子 蜂蜜 大米 面粉 挂面 方便面 食用油 酱油 醋 调料 水果 苹果 橙子 牛肉 猪肉 鸡蛋 海鲜 月饼 粽子
玩具 积木 娃娃 文具 钢笔 笔 本子 书 图书 乐高 项链 耳环 戒指 手链 首饰 眼镜 墨镜 猫粮 狗粮 宠物
jacket coat sweater hoodie shirt t-shirt tee dress skirt jeans pants trousers shorts pajamas socks hat cap scarf
gloves shoes sneakers boots sandals slippers heels bag backpack wallet suitcase
phone smartphone tablet laptop computer headphones earphones earbuds charger cable speaker camera
keyboard mouse monitor tv fridge hairdryer kettle blender toaster vacuum pan pot knife bowl plate cup mug
bottle towel blanket quilt pillow sheets mattress curtain sofa chair table lamp umbrella
lipstick foundation mascara eyeshadow blush cream lotion serum toner cleanser sunscreen perfume shampoo
conditioner toothpaste toothbrush tea coffee milk juice wine beer snacks cookies chocolate candy nuts honey rice
noodles oil fruit beef pork eggs toy toys lego doll notebook necklace earrings bracelet jewelry
glasses sunglasses case protector
手机膜 钢化膜 贴膜 保护膜 保护壳 化妆品 彩妆 护肤品 家电 大家电 配件 糕点 冲饮
""".split())

_EN_WORD = re.compile(r"[a-z][a-z\-]*")
_ZI_WORDS = frozenset("鞋子 裤子 裙子 袜子 帽子 杯子 被子 盘子 筷子 勺子 椅子 桌子 粽子 箱子 镜子 梳子 扇子".split())
"""Goods words in 子 whose first character alone names the goods in titles (运动鞋, 牛仔裤)."""
_HEAD_WORDS = frozenset("茶叶 包包 鞋类 零食类".split())
"""General goods words named in titles by their first character (茶叶: 红茶, 乌龙茶)."""
_ZI_NOT = {"茶叶": ("奶茶", "茶杯", "茶具", "茶壶"), "裤子": ("内裤", "裤袜", "三角裤", "平角裤", "秋裤"), "被子": ("被套", "抱枕被"), "袜子": ("袜套",), "鞋子": ("鞋垫", "鞋柜", "鞋架")}
"""Words holding the head character that name other goods (内裤 is not a kind of 裤子)."""


def product_text(p: Product) -> str:
    """Every name of a product, lowercased: title, short name, English title, category, tags,
    aliases (what a goods word is looked up in)."""
    return " ".join((p.title, p.short_name, p.title_en, p.category, *p.tags, *p.aliases)).lower()


class ProductVocabulary:
    """Goods words over one catalog.

    Args:
        catalog: the seller's catalog.
    """

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._texts = {p.product_id: product_text(p) for p in catalog}
        self._named: dict[str, tuple[Product, ...]] = {}
        self._longer: dict[str, tuple[str, ...]] = {}

    @cached_property
    def catalog_terms(self) -> frozenset[str]:
        """Categories, tags, aliases and short names of the catalog (lowercased, 2+ characters)."""
        out = set()
        for p in self.catalog:
            for t in (p.category, p.short_name, *p.tags, *p.aliases):
                t = (t or "").strip().lower()
                if len(t) >= 2:
                    out.add(t)
        return frozenset(out)

    def goods_words(self, text: str) -> tuple[str, ...]:
        """Goods words named in ``text`` (general lexicon and catalog terms), longest first,
        without words inside a longer one found."""
        low = text.lower()
        en = set(_EN_WORD.findall(low))
        found: list[str] = []
        for w in sorted(GENERAL_GOODS | self.catalog_terms, key=lambda x: (-len(x), x)):  # the same order every run
            if len(w) < 2 or (w.isascii() and len(w) < 3):  # 包 of 包邮, 茶 of 茶香粉: too short to tell
                continue
            hit = (w in en or (w.endswith("s") is False and w + "s" in en)) if w.isascii() and w.isalpha() \
                else w in low
            if hit and not any(w in f for f in found):
                found.append(w)
        return tuple(found)

    def model_known(self, model: str) -> bool:
        """True when a model name (Mate 60, K50) is in some product's names or option values
        (compared without case and spaces)."""
        key = re.sub(r"\s+", "", model.lower())
        return any(key in t for t in self._compact)

    @cached_property
    def _compact(self) -> tuple[str, ...]:
        out = []
        for p in self.catalog:
            values = " ".join(v for s in p.skus for _, v in s.options)
            labels = " ".join(p.label_en(v) for s in p.skus for _, v in s.options if v)
            out.append(re.sub(r"\s+", "", f"{self._texts[p.product_id]} {values} {labels}".lower()))
        return tuple(out)

    def products_named(self, word: str) -> tuple[Product, ...]:
        """Products one of whose names contains ``word`` (a two-character word in 子 also by its
        head: 鞋子 names 运动鞋, 裤子 names 牛仔裤)."""
        hit = self._named.get(word)
        if hit is None:  # asked for every message that names goods: computed once per word
            hit = self._named[word] = tuple(p for p in self.catalog if self.names(p, word))
        return hit

    def _containing(self, word: str) -> tuple[str, ...]:
        """Lexicon and catalog words that hold ``word`` inside them (手机 -> 手机壳, 手机膜 ...)."""
        hit = self._longer.get(word)
        if hit is None:
            hit = self._longer[word] = tuple(x for x in self.all_words if word in x and x != word)
        return hit

    @cached_property
    def all_words(self) -> frozenset[str]:
        """The general lexicon and the catalog's terms, lowercased."""
        return frozenset(w.lower() for w in GENERAL_GOODS | self.catalog_terms)

    def names_in(self, p: Product, word: str, text: str) -> bool:
        """Like :meth:`names`, but a word that ``p`` carries only inside a longer goods word
        the message does not say is not ``p``'s (手机 of 手机壳 when the message says 手机)."""
        if not self.names(p, word):
            return False
        w, low = word.lower(), text.lower()
        if w.isascii() and re.fullmatch(r"[a-z][a-z\- ]*", w):
            # an English goods word names the product when it heads a name ("Oolong Tea", "Tea, 50g"),
            # not when it only modifies another word ("Green-tea Egg-yolk Pastry")
            names = [n.lower() for n in (p.title_en, p.short_name, p.category, *p.tags, *p.aliases) if n]
            pat = re.compile(rf"(?<![a-z]){re.escape(w)}s?(?![a-z])(?![\- ]+[a-z])")
            if not any(pat.search(n) for n in names):
                return False
        longer = [x for x in self._containing(w) if self.names(p, x)]
        if not longer or any(x in low for x in longer):
            return True
        rest = self.names_text(p)
        for x in sorted(longer, key=len, reverse=True):
            rest = rest.replace(x, " ")
        return w in rest

    @cached_property
    def _all_words(self) -> frozenset[str]:
        out: set[str] = set()
        for p in self.catalog:
            text = " ".join((self._texts[p.product_id], p.material_en, *p.selling_points_en,
                             " ".join(p.label_en(v) for s in p.skus for _, v in s.options if v))).lower()
            out.update(re.findall(r"[a-z][a-z'-]*", text))
        return frozenset(out | {w for w in GENERAL_GOODS if w.isascii()})

    def known_word(self, word: str) -> bool:
        """True when an English word (or its singular) is in some product's names, English facts
        or option labels, or in the general goods lexicon."""
        w = word.lower()
        return w in self._all_words or w.rstrip("s") in self._all_words

    def names_text(self, p: Product) -> str:
        """All of ``p``'s names in one lowercased string (:func:`product_text`)."""
        return self._texts.get(p.product_id) or product_text(p)

    def names(self, p: Product, word: str) -> bool:
        """True when ``word`` (or the head of a 子 word: 鞋子 -> 鞋) is in one of ``p``'s names."""
        w = word.lower()
        text = self._texts.get(p.product_id) or product_text(p)
        if w in text:
            return True
        if not (w in _ZI_WORDS or w in _HEAD_WORDS):
            return False
        for other in _ZI_NOT.get(w, ()):  # 内裤 is no 裤子
            text = text.replace(other, " ")
        # the head ends a word of the names (运动鞋, 乌龙茶), not inside one (绿茶蛋黄酥)
        return re.search(rf"{re.escape(w[0])}(?![\u4e00-\u9fff])", text) is not None
