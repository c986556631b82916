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
护肤 化妆工具 美妆工具 化妆用具 护发品 服装 衣物 女装 男装 手机配件 果干 辣条 薯片 果冻 肉脯 鸭脖 锅巴 泡面 螺蛳粉
skincare makeup make-up clothes clothing accessories accessory appliances appliance
""".split())

_EN_WORD = re.compile(r"[a-z][a-z\-]*")

GOODS_KINDS: dict[str, tuple[str, ...]] = {}
"""A general goods word -> the narrower kinds of goods it covers (护肤品: 面霜, 精华, 爽肤水 ...),
written for this package. A product is of such a word when one of its names is the word itself,
or when a narrower kind heads one of its names (面霜 of 保湿面霜, 乌龙茶 of 高山乌龙茶 罐装, never
绿茶 of 绿茶蛋黄酥 nor 手机 of 手机壳); tools for a kind are not that kind (化妆刷 is no 彩妆)."""


def _kinds(words: str, *heads: str) -> None:
    narrow = tuple(dict.fromkeys(w.replace("_", " ") for w in words.split()))
    for h in heads:
        GOODS_KINDS[h] = narrow


_SKINCARE = ("面霜 精华 精华液 精华水 爽肤水 化妆水 柔肤水 乳液 面膜 洗面奶 洁面 洁面乳 防晒 防晒霜 防晒乳 眼霜 卸妆 卸妆水 "
             "卸妆油 面部护理 护肤 moisturiser moisturizer serum toner cleanser sunscreen face_cream eye_cream face_mask")
_MAKEUP = ("口红 唇膏 唇釉 唇彩 粉底 粉底液 气垫 眼影 眼影盘 睫毛膏 眉笔 眼线笔 腮红 遮瑕 散粉 蜜粉 高光 彩妆 lipstick "
           "foundation eyeshadow mascara blush concealer eyeliner")
_CLOTHES = ("上衣 外套 大衣 风衣 夹克 羽绒服 棉服 毛衣 针织衫 卫衣 衬衫 T恤 短袖 长袖 背心 马甲 西装 连衣裙 裙 裙子 半身裙 裤 "
            "裤子 牛仔裤 短裤 休闲裤 运动裤 打底裤 阔腿裤 睡衣 家居服 童装 女装 男装 海魂衫 条纹衫 打底衫 polo "
            "t-shirt tee shirt hoodie sweater jacket coat dress skirt jeans pants trousers shorts pajamas")
_kinds(_SKINCARE, "护肤品", "护肤", "skincare", "skin care")
_kinds(_MAKEUP, "彩妆", "makeup", "make-up")
_kinds(_MAKEUP + " " + _SKINCARE, "化妆品", "cosmetics")
_kinds("化妆刷 刷子 美妆蛋 粉扑 化妆棉 睫毛夹 化妆工具 美妆工具 makeup_brush makeup_sponge", "化妆工具", "美妆工具",
       "化妆用具", "makeup tools", "makeup tool")
_kinds("洗发水 洗发露 洗头膏 护发素 发膜 护发精油 护发 shampoo conditioner hair_mask", "护发品", "护发",
       "hair care", "haircare", "hair products")
_kinds(_CLOTHES, "衣服", "服装", "衣物", "clothes", "clothing")
_kinds("绿茶 红茶 白茶 黑茶 黄茶 乌龙茶 乌龙 普洱 普洱茶 龙井 花茶 菊花茶 茉莉花茶 铁观音 大红袍 碧螺春 毛尖 茶饼 茗茶 茶叶 "
       "green_tea black_tea oolong pu-erh longjing", "茶叶", "茶")
_kinds("芒果干 果干 葡萄干 冻干草莓 草莓脆 水果干 dried_mango", "果干", "dried fruit", "dried fruits")
_kinds("手机 智能手机 smartphone cellphone mobile_phone phone", "phone", "phones", "smartphone", "smartphones")
_kinds("电视 tv television", "tv", "tvs", "television")
_kinds("电视 冰箱 洗衣机 空调 热水器 大家电", "大家电", "big home appliances", "big appliances", "large appliances",
       "major appliances", "big home appliance")
_kinds("电视 冰箱 洗衣机 空调 热水器 大家电 小家电 风扇 电风扇 吹风机 电饭煲 微波炉 烤箱 空气炸锅 榨汁机 电水壶 加湿器 吸尘器 "
       "台灯 家电", "家电", "home appliances", "appliances", "appliance")
_kinds("手机壳 保护壳 手机膜 钢化膜 防窥膜 镜头膜 充电器 数据线 充电线 充电宝 移动电源 耳机 支架 手机支架 车载支架 挂绳 手机挂绳 "
       "自拍杆 散热器 配件 case screen_protector charger cable power_bank earphones earbuds stand lanyard",
       "配件", "手机配件", "accessories", "accessory", "phone accessories")
_FEMALE = re.compile(r"(?i)女式|女士|女款|女装|女生|女童|\bwomen'?s\b|\bladies\b")
_MALE = re.compile(r"(?i)男式|男士|男款|男装|男子|男生|男童|\bmen'?s\b")
_SEXED_KINDS = {"女装": _FEMALE, "男装": _MALE, "women's clothes": _FEMALE, "womens clothes": _FEMALE,
                "men's clothes": _MALE, "mens clothes": _MALE}
"""Clothes for one sex: a product of the clothes kinds whose title says that sex (or so tagged)."""
_KIND_SUFFIX = re.compile(r"礼盒|礼包|礼袋|套装|组合|系列|罐装|盒装|袋装|装|盒|罐|袋|瓶|款|液|乳|霜|露|类")
"""What may follow a kind heading a name (端午粽礼盒, 精华液, 乌龙茶罐装): the same kind packed or made so."""
_ZI_WORDS = frozenset("鞋子 裤子 裙子 袜子 帽子 杯子 被子 盘子 筷子 勺子 椅子 桌子 粽子 箱子 镜子 梳子 扇子".split())
"""Goods words in 子 whose first character alone names the goods in titles (运动鞋, 牛仔裤)."""
_HEAD_WORDS = frozenset("茶叶 包包 鞋类 零食类".split())
"""General goods words named in titles by their first character (茶叶: 红茶, 乌龙茶)."""
_ZI_NOT = {"茶叶": ("奶茶", "茶杯", "茶具", "茶壶"), "裤子": ("内裤", "裤袜", "三角裤", "平角裤", "秋裤"), "被子": ("被套", "抱枕被"), "袜子": ("袜套",), "鞋子": ("鞋垫", "鞋柜", "鞋架")}
"""Words holding the head character that name other goods (内裤 is not a kind of 裤子)."""


GOODS_ZH: dict[str, tuple[str, ...]] = {k: tuple(v.split()) for k, v in (x.split("=") for x in """
jacket=夹克 外套|coat=大衣 外套|sweater=毛衣 针织|hoodie=卫衣|hoodies=卫衣|sweatshirt=卫衣|shirt=衬衫 T恤
t-shirt=T恤 短袖|tee=T恤 短袖|dress=连衣裙 裙|skirt=半身裙 裙|jeans=牛仔裤|pants=裤|trousers=裤|shorts=短裤
pajamas=睡衣 家居服|socks=袜|hat=帽|cap=帽|scarf=围巾|gloves=手套|shoes=鞋|sneakers=运动鞋 板鞋 小白鞋 鞋
boots=靴|sandals=凉鞋|slippers=拖鞋|heels=高跟鞋|bag=包|backpack=双肩包 背包|wallet=钱包|suitcase=行李箱
phone=手机|smartphone=手机|tablet=平板|laptop=笔记本 电脑|computer=电脑 笔记本|headphones=耳机|earphones=耳机
earbuds=耳机|charger=充电器 充电头 快充头|cable=数据线 线|speaker=音箱|camera=相机|keyboard=键盘|mouse=鼠标
monitor=显示器|tv=电视|television=电视|fridge=冰箱|hairdryer=吹风机|kettle=水壶|blender=料理机 榨汁机
toaster=面包机|vacuum=吸尘器|pan=锅|pot=锅|knife=刀|bowl=碗|plate=盘|cup=杯|mug=杯|bottle=瓶 杯|towel=巾
blanket=毯|quilt=被|pillow=枕|sheets=床单 四件套|mattress=床垫|curtain=窗帘|sofa=沙发|chair=椅|table=桌
lamp=灯|umbrella=伞|lipstick=口红 唇|foundation=粉底|mascara=睫毛膏|eyeshadow=眼影|blush=腮红|cream=霜
lotion=乳 露|serum=精华|toner=水|cleanser=洁面 洗面|sunscreen=防晒|perfume=香水|shampoo=洗发|conditioner=护发素
toothpaste=牙膏|toothbrush=牙刷|tea=茶|coffee=咖啡|milk=奶|juice=汁|wine=酒|beer=啤酒|snacks=零食|cookies=饼干 酥
chocolate=巧克力|candy=糖|nuts=坚果 果|honey=蜂蜜|rice=米|noodles=面|oil=油|fruit=果|beef=牛肉|pork=猪肉|eggs=蛋
toy=玩具|toys=玩具|lego=乐高 积木|doll=娃娃|notebook=笔记本 本子|necklace=项链|earrings=耳环|bracelet=手链
jewelry=首饰|glasses=眼镜|sunglasses=墨镜|case=壳|protector=膜|skincare=护肤|makeup=妆|make-up=妆|cosmetics=妆 护肤
clothes=衣 裤 裙|clothing=衣 裤 裙|accessories=配件|accessory=配件|appliances=电器 家电|appliance=电器 家电
""".replace("\n", "|").split("|") if x)}
"""English goods words and the Chinese words a Chinese catalog names the same goods by (written for
this package): an English word is "not sold" only when none of them is in the catalog either."""

ZH_HYPERNYMS: dict[str, tuple[str, ...]] = {k: tuple(v.split()) for k, v in (x.split("=") for x in """
零食=糕点 坚果 炒货 果干 肉干 牛肉干 肉脯 巧克力 糖巧 饼干 薯片 海苔 辣条 蛋黄酥 凤梨酥 果脯 糖果 零食
小吃=糕点 坚果 果干 肉干 巧克力 饼干 薯片 海苔 辣条|食品=糕点 坚果 茶 咖啡 零食 果干 肉干 巧克力 饼干 粽
饮品=茶 咖啡 饮料 冲饮 奶 汁|饮料=茶 咖啡 冲饮 奶 汁|数码=手机 平板 电脑 笔记本 耳机 相机 硬盘 充电
电器=电视 冰箱 洗衣机 空调 热水器 风扇 吹风机 电饭煲 微波炉 烤箱 空气炸锅 家电|化妆品=妆 护肤 霜 乳 精华 口红 粉底
""".replace("\n", "|").split("|") if x)}
"""General Chinese goods words and the narrower words products are named by (零食: 坚果, 糕点 ...)."""


def product_text(p: Product) -> str:
    """Every name of a product, lowercased: title, short name, English title, category, tags,
    aliases (what a goods word is looked up in)."""
    return " ".join((p.title, p.short_name, p.title_en, p.category, *p.tags, *p.aliases)).lower()


KIND_WORDS: frozenset[str] = frozenset(GOODS_KINDS) | frozenset(_SEXED_KINDS)
"""The general goods words read by their kinds (:func:`of_kind`)."""


def heads(name: str, word: str) -> bool:
    """True when ``word`` heads a word of ``name`` (both lowercased): an English word as a
    whole word not followed by another word ("tea" of "oolong tea", never of "green-tea pastry"),
    a Chinese one followed by the end, a non-Chinese character or a packing suffix
    (:data:`_KIND_SUFFIX`): 面霜 of 保湿面霜, 粽 of 端午粽礼盒, never 绿茶 of 绿茶蛋黄酥 or 手机 of 手机壳."""
    if not word or word not in name:
        return False
    if word.isascii():
        return re.search(rf"(?<![a-z]){re.escape(word)}s?(?![a-z])(?![\- ]+[a-z])", name) is not None
    for m in re.finditer(re.escape(word), name):
        tail = name[m.end():]
        if not tail or not re.match(r"[\u4e00-\u9fff]", tail) or _KIND_SUFFIX.match(tail):
            return True
    return False


def _name_fields(p: Product) -> list[str]:
    """``p``'s names one by one, lowercased: title and its space-separated parts, short name,
    English title, category, tags, aliases."""
    return [n.lower() for n in (p.title, *p.title.split(), p.short_name, p.title_en, p.category, *p.tags, *p.aliases)
            if n]


def of_kind(p: Product, word: str) -> bool | None:
    """Whether ``p`` is of the general goods word ``word`` (:data:`GOODS_KINDS`), or ``None`` when
    ``word`` is no such word. ``p``'s names: title (and its space-separated parts), short name,
    English title, category, tags, aliases."""
    w = word.lower()
    sex = _SEXED_KINDS.get(w)
    if sex is not None:
        tagged = any(w == (t or "").lower() for t in (p.category, *p.tags))
        return tagged or (bool(sex.search(f"{p.title} {p.title_en}")) and bool(of_kind(p, "衣服")))
    narrow = GOODS_KINDS.get(w)
    if narrow is None:
        return None
    names = _name_fields(p)
    if any(n == w for n in names):
        return True
    return any(heads(n, k.lower()) for k in narrow for n in names)


GENERAL_BRANDS: tuple[tuple[str, ...], ...] = tuple(tuple(x.split("|")) for x in """
sk-ii|skii|sk2|sk-2 兰蔻|lancome|lancôme 雅诗兰黛|esteelauder|estée 迪奥|dior 香奈儿|chanel 资生堂|shiseido
欧莱雅|loreal|l'oreal|l'oréal 完美日记|perfectdiary 花西子|florasis 珀莱雅|proya 薇诺娜|winona 百雀羚 自然堂
娇兰|guerlain 圣罗兰|ysl 阿玛尼|armani 纪梵希|givenchy 海蓝之谜|lamer 科颜氏|kiehl's|kiehls 倩碧|clinique
玉兰油|olay 相宜本草 娇韵诗|clarins 赫莲娜|helenarubinstein 修丽可|skinceuticals 理肤泉|larocheposay 雅漾|avene
三星|samsung|galaxy 华为|huawei 荣耀手机 一加|oneplus 魅族|meizu 索尼|sony 谷歌|pixel 诺基亚|nokia 联想|lenovo
戴尔|dell 华硕|asus 松下|panasonic 飞利浦|philips 戴森|dyson 美的|midea 格力|gree 海尔|haier 摩托罗拉|motorola
耐克|nike 阿迪达斯|adidas 李宁|lining 安踏|anta 优衣库|uniqlo zara h&m 彪马|puma 新百伦|newbalance 匡威|converse
古驰|gucci 路易威登|louisvuitton 普拉达|prada 爱马仕|hermes|hermès 劳力士|rolex 卡地亚|cartier 斯沃琪|swatch
三只松鼠 良品铺子 百草味 德芙 费列罗|ferrero 好时|hershey 奥利奥|oreo 乐事|lay's 星巴克|starbucks 雀巢|nestle
伊利 蒙牛 茅台|moutai 五粮液 可口可乐|cocacola|coca-cola 百事|pepsi 农夫山泉 元气森林 喜茶 瑞幸|luckin
""".split())
"""Well-known brands (each a group of its zh and en spellings, compared without case and
spaces), written for this package: a brand the viewer names that no product of the catalog
carries is "not sold tonight". Names that are also plain words (苹果 apple, 小米 millet, 荣耀
glory, dove, coach) are left out."""


_OF_SINGLE = re.compile(r"(?:的|(?<=[\u4e00-\u9fffa-zA-Z0-9]))([壳膜])(?=$|[多有吗呢还几怎能要是卖，,？?\s])|的([套包线])(?=$|[多有吗呢还几怎能要是卖，,？?\s])")
"""A one-character goods word after 的 (iPhone 14的膜, Mate 50的壳): too short alone, clear there."""


def _brand_in(name: str, text: str) -> bool:
    """``name`` (lower case, no spaces) in ``text`` (lower case): Latin names as whole words,
    also written with spaces (new balance, coca cola)."""
    if name.isascii():
        spaced = r"[\s-]?".join(re.escape(ch) for ch in name)
        return re.search(rf"(?<![a-z0-9]){spaced}(?![a-z])", text) is not None
    return name in re.sub(r"\s+", "", text)


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

    @cached_property
    def tag_only_terms(self) -> frozenset[str]:
        """Catalog tags that name no kind of goods -- in no category, short name or alias, nor in
        the general lexicon (学生, 宿舍, 送礼: whom or what goods are for)."""
        tags = {t.strip().lower() for p in self.catalog for t in p.tags if t and len(t.strip()) >= 2}
        names = {(t or "").strip().lower() for p in self.catalog for t in (p.category, p.short_name, *p.aliases)}
        lexicon = {w.lower() for w in GENERAL_GOODS | KIND_WORDS}
        return frozenset(t for t in tags if t not in names and t not in lexicon)

    def goods_words(self, text: str) -> tuple[str, ...]:
        """Goods words named in ``text`` (general lexicon and catalog terms), longest first,
        without words inside a longer one found."""
        low = text.lower()
        en = set(_EN_WORD.findall(low))
        found: list[str] = []
        for w in sorted(GENERAL_GOODS | KIND_WORDS | self.catalog_terms, key=lambda x: (-len(x), x)):  # same order every run
            if len(w) < 2 or (w.isascii() and len(w) < 3 and not (w.isalpha() and w in en)):
                # 包 of 包邮, 茶 of 茶香粉: too short to tell (a whole English word such as "tv" is)
                continue
            hit = (w in en or (w.endswith("s") is False and w + "s" in en)) if w.isascii() and w.isalpha() \
                else w in low
            if hit and not any(w in f for f in found):
                found.append(w)
        for m in _OF_SINGLE.finditer(low):  # "Mate 50的壳", "远峰蓝壳": the one-character goods word is the head
            w = m.group(1) or m.group(2)
            if w not in found and not any(w in f for f in found) and self.products_named(w):
                found.append(w)
        return tuple(found)

    def unknown_brands(self, text: str) -> tuple[str, ...]:
        """Brands of :data:`GENERAL_BRANDS` that ``text`` names and no product of the catalog
        carries (in its names, brand, option values or facts): "有SK-II吗" in a shop without it.
        Returns the brand names as the viewer wrote them."""
        t = (text or "").lower()
        out = []
        for names in GENERAL_BRANDS:
            hit = next((n for n in names if _brand_in(n, t)), None)
            if hit is None:
                continue
            if any(n in c for n in names for c in self._compact):  # the catalog's own: known
                continue
            out.append(hit)
        return tuple(out)

    def surely_absent(self, word: str) -> bool:
        """True when no product of the catalog is ``word``'s goods by any name we know: the word,
        its Chinese names (:data:`GOODS_ZH`) and the narrower words of a general one
        (:data:`ZH_HYPERNYMS`) are nowhere in the catalog's text (names, options, tags, selling
        points, category). An English word without known Chinese names is never surely absent
        from a Chinese catalog: the seller says (no "we don't have it" on a guess)."""
        w = word.lower()
        forms = {w}
        if w.isascii():
            zh = GOODS_ZH.get(w) or GOODS_ZH.get(w.rstrip("s"))
            if zh is None and any(not p.title_en for p in self.catalog):
                return False
            forms |= set(zh or ())
        for f in list(forms):
            forms |= set(ZH_HYPERNYMS.get(f, ()))
        for f in forms:
            if f.isascii():
                pat = re.compile(rf"(?<![a-z]){re.escape(f)}s?(?![a-z])")
                if any(pat.search(t) for t in self._everything):
                    return False
            elif any(f.lower() in t for t in self._everything):
                return False
        return True

    @cached_property
    def _everything(self) -> tuple[str, ...]:
        """Each product's whole text, lowercased: names, options and their English labels, tags,
        selling points (both languages), category, material, suitable-for."""
        out = []
        for p in self.catalog:
            values = " ".join(v for s in p.skus for _, v in s.options)
            labels = " ".join(f"{a} {b}" for a, b in p.labels_en)
            out.append(" ".join((self._texts[p.product_id], values, labels, *p.selling_points, *p.selling_points_en,
                                 p.material, p.material_en, *p.suitable_for, p.unit)).lower())
        return tuple(out)

    def model_known(self, model: str) -> bool:
        """True when a model name (Mate 60, K50) is in some product's names or option values
        (compared without case and spaces)."""
        key = re.sub(r"\s+", "", model.lower())
        if any(key in t for t in self._compact):
            return True
        m = re.fullmatch(r"([a-z]+)(\d+)([a-z]*)", key)
        if m is None:
            return False
        # "ssd 980" of 三星 SSD / 新品980: the name and the number are the same product's
        word, num = m.group(1), re.compile(rf"(?<!\d){m.group(2)}{m.group(3)}(?!\d)")
        return any(word in t and num.search(t) for t in self._compact)

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
        return frozenset(w.lower() for w in GENERAL_GOODS | KIND_WORDS | self.catalog_terms)

    def names_in(self, p: Product, word: str, text: str) -> bool:
        """Like :meth:`names`, but a word that ``p`` carries only inside a longer goods word
        the message does not say is not ``p``'s (手机 of 手机壳 when the message says 手机)."""
        if not self.names(p, word):
            return False
        w, low = word.lower(), text.lower()
        if of_kind(p, w) is not None:  # a general word: its kinds were read by their heads
            return True
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
        if not w.isascii() and any(x.endswith(w) and any(heads(n, x) for n in _name_fields(p)) for x in longer):
            return True  # 运动鞋 heading a name is a kind of 鞋 (手机壳 is no kind of 手机)
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
        kind = of_kind(p, w)
        if kind is not None:  # 护肤品, 衣服, makeup: by the kinds of goods the word covers
            return kind
        text = self._texts.get(p.product_id) or product_text(p)
        if w in text:
            return True
        if w.isascii() and not p.title_en and any(len(z) >= 2 and z.lower() in text for z in GOODS_ZH.get(w, ())):
            return True  # "laptop" of a Chinese-only listing named 笔记本
        if not (w in _ZI_WORDS or w in _HEAD_WORDS):
            return False
        for other in _ZI_NOT.get(w, ()):  # 内裤 is no 裤子
            text = text.replace(other, " ")
        # the head ends a word of the names (运动鞋, 乌龙茶), not inside one (绿茶蛋黄酥)
        return re.search(rf"{re.escape(w[0])}(?:(?![\u4e00-\u9fff])|(?={_KIND_SUFFIX.pattern}))", text) is not None
