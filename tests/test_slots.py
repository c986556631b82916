"""Tests for app.understanding.slots.SlotExtractor: every slot, each unit conversion,
negative cases, traditional / mixed / English input and product mentions."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest

from app.catalog.model import Catalog, Product, Sku
from app.events import Slots
from app.understanding.slots import SlotExtractor, color_family, parse_number


def _p(pid: str, listing: int | None, title: str, category: str, *, aliases=(), title_en="",
       colors=()) -> Product:
    return Product(
        product_id=pid, listing_number=listing, title=title, category=category,
        price=Decimal("99"), aliases=tuple(aliases), title_en=title_en,
        skus=tuple(Sku(color=c, size="M", stock=3) for c in colors),
    )


CATALOG = Catalog(products=(
    _p("hoodie-fleece", 1, "加绒连帽卫衣女秋冬宽松", "卫衣", aliases=("连帽衫",),
       title_en="Fleece Hoodie", colors=("黑色", "米白")),
    _p("tee-cotton", 2, "纯棉短袖T恤男", "T恤", title_en="Cotton T-Shirt", colors=("白色",)),
    _p("sneaker-white", 3, "真皮板鞋", "鞋", aliases=("小白鞋",), title_en="Leather Sneakers",
       colors=("白色",)),
    _p("jeans-wide", 4, "高腰阔腿牛仔裤", "裤子", title_en="High-waist Wide-leg Jeans"),
    _p("scarf-cashmere", 5, "羊绒围巾", "围巾", title_en="Cashmere Scarf", colors=("酒红",)),
    _p("hoodie-oversize", None, "oversize卫衣 男款", "卫衣", colors=("酒红",)),
    _p("thermos", 7, "316不锈钢保温杯大容量", "保温杯", title_en="Stainless Steel Vacuum Flask"),
))


@pytest.fixture(scope="module")
def ex() -> SlotExtractor:
    return SlotExtractor(CATALOG)


# ----------------------------------------------------------------------------- listing number


@pytest.mark.parametrize(
    ("text", "n"),
    [
        ("3号链接多少钱", 3),
        ("三号", 3),
        ("3号", 3),
        ("#3", 3),
        ("链接3", 3),
        ("链接 12 还有吗", 12),
        ("第三个链接", 3),
        ("第二款怎么样", 2),
        ("十二号还有吗", 12),
        ("二十一号链接", 21),
        ("3链接", 3),
        ("link 3", 3),
        ("Link #12 price?", 12),
        ("number 3", 3),
        ("number two please", 2),
        ("item no. 5", 5),
        ("the third link", 3),
        ("the 4th item", 4),
        ("３號鏈接多少錢", 3),  # fullwidth + traditional
        ("3號連結", 3),  # Taiwan word for link
        ("2号发货吗", 2),  # "when does #2 ship" (a date needs 月 or 前/之前...)
    ],
)
def test_listing_number(ex: SlotExtractor, text: str, n: int) -> None:
    assert ex.extract(text).listing_number == n


@pytest.mark.parametrize(
    "text",
    [
        "160斤穿什么码",  # weight
        "50块的那个",  # price
        "38码有吗",  # size
        "穿38号的",  # shoe size
        "38号鞋",
        "身高160",  # height
        "要两件",  # quantity
        "11月11号发货吗",  # date
        "3号前能到吗",  # date
        "5号色口红",  # lipstick shade
        "第二件半价",  # discount rule, not a listing
        "多少钱",
        "I'm 5'6\"",
        "几号链接",  # no number
    ],
)
def test_no_false_listing_number(ex: SlotExtractor, text: str) -> None:
    assert ex.extract(text).listing_number is None


# ----------------------------------------------------------------------------- colour


@pytest.mark.parametrize(
    ("text", "family", "word"),
    [
        ("酒红色有吗", "red", "酒红色"),
        ("枣红", "red", "枣红"),
        ("大红的", "red", "大红"),
        ("藏青", "blue", "藏青"),
        ("navy有吗", "blue", "navy"),
        ("米白的", "beige", "米白"),  # documented: 米-named shades are beige
        ("米色", "beige", "米色"),
        ("奶白", "white", "奶白"),  # documented: milk / ivory whites are white
        ("卡其色", "beige", "卡其色"),
        ("灰", "grey", "灰"),
        ("黑的有吗", "black", "黑"),
        ("要个红的", "red", "红"),
        ("还是白的好看", "white", "白"),
        ("黑色M码", "black", "黑色"),
        ("玫红", "pink", "玫红"),
        ("驼色大衣", "brown", "驼色"),
        ("银灰", "grey", "银灰"),
        ("玫瑰金", "gold", "玫瑰金"),
        ("撞色款", "multi", "撞色"),
        ("紅色的有XL嗎", "red", "红色"),  # traditional
        ("红色和黑色哪个好", "red", "红色"),  # first colour wins
        ("do you have it in black", "black", "black"),
        ("Burgundy please", "red", "burgundy"),
        ("off-white", "white", "off-white"),
        ("rose gold", "gold", "rose gold"),
        ("khaki", "beige", "khaki"),
        ("gray", "grey", "gray"),
    ],
)
def test_color(ex: SlotExtractor, text: str, family: str, word: str) -> None:
    s = ex.extract(text)
    assert (s.color, s.color_word) == (family, word)


@pytest.mark.parametrize(
    "text",
    ["红包多少", "网红款", "明白了", "这个显白吗", "粉丝福利", "有没有蓝牙", "白天发货吗", "拉黑", "金额多少",
     "小白鞋还有吗", "黄牛", "多少钱", "credit card ok?", "order 2"],
)
def test_no_false_color(ex: SlotExtractor, text: str) -> None:
    s = ex.extract(text)
    assert s.color is None and s.color_word is None


def test_color_family_helper() -> None:
    assert color_family("酒红色") == "red"
    assert color_family("米白") == "beige"
    assert color_family("Navy") == "blue"
    assert color_family("經典黑") == "black"
    assert color_family("透明") is None


# ----------------------------------------------------------------------------- size


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("S码", "S"),
        ("s码有吗", "S"),
        ("M", "M"),
        ("黑色m有吗", "M"),
        ("L码", "L"),
        ("xl有吗", "XL"),
        ("XXL", "XXL"),
        ("2XL", "XXL"),
        ("2xl的", "XXL"),
        ("3XL", "XXXL"),
        ("XXXL", "XXXL"),
        ("4XL", "4XL"),
        ("xs", "XS"),
        ("加大", "XL"),
        ("加大码", "XL"),
        ("加加大", "XXL"),
        ("特大号", "XXXL"),
        ("要大号的", "L"),
        ("中号", "M"),
        ("小码", "S"),
        ("38码有吗", "38"),
        ("三十八码", "38"),
        ("37.5码", "37.5"),
        ("穿38号的", "38"),
        ("38号鞋有吗", "38"),
        ("均码吗", "均码"),
        ("one size?", "均码"),
        ("Is the M size available", "M"),
        ("I'm a size L", "L"),
        ("size 9", "9"),
        ("ＸＬ碼", "XL"),  # fullwidth + traditional
        ("i'll take the green one in 2x", "XXL"),  # US plus size after "in"
        ("2X码", "XXL"),
        ("size 3x", "XXXL"),
    ],
)
def test_size(ex: SlotExtractor, text: str, size: str) -> None:
    assert ex.extract(text).size == size


@pytest.mark.parametrize(
    "text",
    ["It's so nice", "I'm here", "Let's go", "我穿大码", "1.65m", "3号链接", "ml", "what about s", "多少钱"],
)
def test_no_false_size(ex: SlotExtractor, text: str) -> None:
    assert ex.extract(text).size is None


def test_size_and_listing_together(ex: SlotExtractor) -> None:
    s = ex.extract("3号链接L码两件")
    assert (s.listing_number, s.size, s.quantity) == (3, "L", 2)


# ----------------------------------------------------------------------------- height / weight


@pytest.mark.parametrize(
    ("text", "height", "weight"),
    [
        ("160斤", None, 80.0),  # 1 斤 = 0.5 kg
        ("115斤", None, 57.5),
        ("110多斤", None, 55.0),
        ("一百二十斤", None, 60.0),
        ("100公斤", None, 100.0),
        ("100kg", None, 100.0),
        ("55千克", None, 55.0),
        ("130 lbs", None, 59.0),  # 130 x 0.45359237 = 58.97 -> 59
        ("130 pounds", None, 59.0),
        ("150lb", None, 68.0),  # 68.04
        ("一米六五", 165.0, None),
        ("一米六", 160.0, None),
        ("一米八二", 182.0, None),
        ("一米零五", 105.0, None),
        ("1米65", 165.0, None),
        ("1米7", 170.0, None),
        ("165cm", 165.0, None),
        ("165厘米", 165.0, None),
        ("165公分", 165.0, None),
        ("身高165", 165.0, None),
        ("身高1.65", 165.0, None),
        ("1.65m", 165.0, None),
        ("1.7米", 170.0, None),
        ("5'6\"", 168.0, None),  # 66 in x 2.54 = 167.64 -> 168
        ("5 ft 6 in", 168.0, None),
        ("5 foot 2", 157.0, None),  # 62 x 2.54 = 157.48
        ("6'", None, None),  # a bare 6' is not a height
        ("6 ft", 183.0, None),  # 72 x 2.54 = 182.88
        ("我一米六五 一百二十斤", 165.0, 60.0),
        ("1米65 110斤", 165.0, 55.0),
        ("165cm 50kg", 165.0, 50.0),
        ("165/52", 165.0, 52.0),  # bare pair: 52 <= 90 -> kg
        ("160/110", 160.0, 55.0),  # bare pair: 110 > 90 -> 斤
        ("160 110斤", 160.0, 55.0),
        ("165 55 穿什么码", 165.0, 55.0),  # space pair needs a size cue
        ("身高160体重110", 160.0, 55.0),
        ("身高160体重55", 160.0, 55.0),
        ("我165 体重52kg", 165.0, 52.0),
        ("我160，110斤", 160.0, 55.0),
        ("我一米六五 一百二", 165.0, 60.0),  # bare weight after a height: 斤 rule
        ("体重95", None, 47.5),
        ("体重 一百二十", None, 60.0),
        ("I'm 5'6 and 140, what size?", 168.0, 64.0),  # imperial height -> lb (63.5)
        ("i am 165 cm 55kg", 165.0, 55.0),
        ("weight 150", None, 68.0),  # English, bare > 120 -> lb
        ("height 165 weight 60", 165.0, 60.0),  # English, bare <= 120 -> kg
        ("一米八 140斤 xl够吗", 180.0, 70.0),
        ("１６５ｃｍ ５０㎏", 165.0, 50.0),  # fullwidth + unit squares
        ("5′6″", 168.0, None),  # prime / double prime (NFKC turns ″ into ′′)
        ("5’6”", 168.0, None),
        ("5ft6", 168.0, None),
        ("I'm 5 foot 2 and 120 pounds", 157.0, 54.0),  # 120 x 0.45359237 = 54.43
        ("我是160的个子", 160.0, None),
        ("宝宝80cm穿多大", 80.0, None),
    ],
)
def test_height_weight(ex: SlotExtractor, text: str, height: float | None, weight: float | None) -> None:
    s = ex.extract(text)
    assert (s.height_cm, s.weight_kg) == (height, weight)


@pytest.mark.parametrize(
    "text",
    ["165 55", "2斤苹果", "一斤多少钱", "5斤装", "165/88A", "3号链接", "50块", "100到200",
     "一个月瘦了20斤", "6'"],
)
def test_no_false_body(ex: SlotExtractor, text: str) -> None:
    s = ex.extract(text)
    assert s.height_cm is None and s.weight_kg is None


# ----------------------------------------------------------------------------- budget


@pytest.mark.parametrize(
    ("text", "bmin", "bmax"),
    [
        ("两百以内", None, "200"),
        ("200以下", None, "200"),
        ("200块以内的有吗", None, "200"),
        ("不超过300", None, "300"),
        ("不要超过300块", None, "300"),
        ("最多500", None, "500"),
        ("预算500", None, "500"),
        ("百元以内", None, "100"),
        ("50米以内", None, "50"),  # 米 = 元 slang
        ("1k以内", None, "1000"),
        ("1w以内", None, "10000"),
        ("一万以内", None, "10000"),
        ("3千以下", None, "3000"),
        ("1.5k以内", None, "1500"),
        ("300左右", "240", "360"),  # documented: ±20 %
        ("大概300", "240", "360"),
        ("99左右", "79.20", "118.80"),
        ("100到200", "100", "200"),
        ("100-200块", "100", "200"),
        ("100~200元", "100", "200"),
        ("一百到两百", "100", "200"),
        ("100以上", "100", None),
        ("至少100", "100", None),
        ("100以上200以下", "100", "200"),
        ("under $50", None, "360"),  # 50 x 7.2
        ("$50以内", None, "360"),
        ("50刀以内", None, "360"),
        ("under 50 dollars", None, "360"),
        ("between 100 and 200 dollars", "720", "1440"),
        ("around 300", "240", "360"),
        ("budget is 200", None, "200"),
        ("no more than 300", None, "300"),
        ("2百以内", None, "200"),
        ("100起", "100", None),
        ("200-300", "200", "300"),
        ("200到300之间", "200", "300"),
        ("$20-30", "144", "216"),  # currency on one end applies to both
        ("三百块左右", "240", "360"),
        ("less than 100 rmb", None, "100"),
        ("¥200以内", None, "200"),
        ("200块钱以内", None, "200"),
    ],
)
def test_budget(ex: SlotExtractor, text: str, bmin: str | None, bmax: str | None) -> None:
    s = ex.extract(text)
    assert s.budget_min == (Decimal(bmin) if bmin else None)
    assert s.budget_max == (Decimal(bmax) if bmax else None)


def test_budget_usd_rate_is_configurable() -> None:
    s = SlotExtractor(usd_to_cny=Decimal("7.0")).extract("under $50")
    assert s.budget_max == Decimal("350")
    s = SlotExtractor(usd_to_cny=Decimal("7.13")).extract("under $10")
    assert s.budget_max == Decimal("71.30")


def test_budget_usd_rate_float_and_invalid() -> None:
    assert SlotExtractor(usd_to_cny=7.2).extract("under $50").budget_max == Decimal("360")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        SlotExtractor(usd_to_cny=Decimal("0"))
    with pytest.raises(ValueError):
        SlotExtractor(usd_to_cny=Decimal("NaN"))


def test_budget_is_decimal_and_serialises(ex: SlotExtractor) -> None:
    s = ex.extract("两百以内")
    assert isinstance(s.budget_max, Decimal)
    assert s.as_dict()["budget_max"] == "200"


@pytest.mark.parametrize(
    "text",
    ["50块的那个", "多少钱", "1-2天发货", "3-5天能到吗", "is it $30?", "160斤", "38码以下", "2-3件",
     "一起拍能一起发吗", "what's the difference between 2 and 3", "两三百"],
)
def test_no_false_budget(ex: SlotExtractor, text: str) -> None:
    s = ex.extract(text)
    assert s.budget_min is None and s.budget_max is None


# ----------------------------------------------------------------------------- quantity


@pytest.mark.parametrize(
    ("text", "n"),
    [
        ("要两件", 2),
        ("拍3个", 3),
        ("来五单", 5),
        ("买2双", 2),
        ("两件有优惠吗", 2),
        ("3套", 3),
        ("I'll take 2", 2),
        ("I want two", 2),
        ("2 pcs", 2),
        ("3 pairs please", 3),
        ("x2", 2),
        ("3号要两件", 2),
        ("拍了两单", 2),
        ("i need 3 of these", 3),
        ("can I get two", 2),
        ("3号3件", 3),
    ],
)
def test_quantity(ex: SlotExtractor, text: str, n: int) -> None:
    assert ex.extract(text).quantity == n


@pytest.mark.parametrize(
    "text",
    ["第二件半价", "5双装", "一件代发吗", "这件多少钱", "3号链接", "160斤", "38码", "50块",
     "buy one get one free", "买一送一吗", "take 2 minutes", "2XL", "buy 2 get 1 free?", "买2件送1件",
     "裙子多少钱一件", "how do I get a refund", "要3"],
)
def test_no_false_quantity(ex: SlotExtractor, text: str) -> None:
    assert ex.extract(text).quantity is None


def test_listing_not_quantity(ex: SlotExtractor) -> None:
    s = ex.extract("一号两件")
    assert (s.listing_number, s.quantity) == (1, 2)


# ----------------------------------------------------------------------------- recipient


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("给妈妈买", "mother"),
        ("老妈穿", "mother"),
        ("我妈能穿吗", "mother"),
        ("婆婆穿", "mother"),
        ("我爸", "father"),
        ("送爸爸", "father"),
        ("老婆", "wife"),
        ("给媳妇买", "wife"),
        ("老公穿", "husband"),
        ("女朋友", "girlfriend"),
        ("女票", "girlfriend"),
        ("送npy 口红", "girlfriend"),  # partner + female hint
        ("npy穿 他180", "boyfriend"),  # partner + male hint
        ("男朋友", "boyfriend"),
        ("男票", "boyfriend"),
        ("孩子穿", "child"),
        ("儿子", "child"),
        ("女儿", "child"),
        ("宝宝穿多大", "child"),
        ("老人", "elder"),
        ("长辈", "elder"),
        ("给爸妈买", "elder"),
        ("闺蜜", "friend"),
        ("朋友", "friend"),
        ("自己穿", "self"),
        ("送礼", "gift"),
        ("礼物", "gift"),
        ("送给妈妈", "mother"),  # specific beats gift
        ("for my mom", "mother"),
        ("my mum", "mother"),
        ("my bf", "boyfriend"),
        ("for my gf", "girlfriend"),
        ("gift for my wife", "wife"),
        ("for my kids", "child"),
        ("for myself", "self"),
        ("is it a good gift", "gift"),
        ("給媽媽買", "mother"),  # traditional
        ("给宝宝买哪个好", "child"),
        ("宝宝3岁穿什么", "child"),
        ("给姐妹买", "friend"),
        ("老人穿多大号，我爸175", "elder"),  # first one named wins
    ],
)
def test_recipient(ex: SlotExtractor, text: str, key: str) -> None:
    assert ex.extract(text).recipient == key


@pytest.mark.parametrize(
    "text",
    ["宝宝们好", "姐妹们冲", "家人们", "老爹鞋有吗", "mom jeans", "boyfriend jeans", "男友风", "npy", "多少钱",
     "你自己穿的什么码", "多少钱啊宝宝", "上海的姐妹来了", "退货要自己寄回吗", "坑爹", "free gift with purchase?",
     "主播自己用哪个", "宝妈穿", "母亲节快乐"],
)
def test_no_false_recipient(ex: SlotExtractor, text: str) -> None:
    assert ex.extract(text).recipient is None


# ----------------------------------------------------------------------------- product mentions


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("那个卫衣多少", ("hoodie-fleece", "hoodie-oversize")),  # category
        ("小白鞋还有吗", ("sneaker-white",)),  # alias
        ("连帽衫", ("hoodie-fleece",)),  # alias
        ("围巾什么材质", ("scarf-cashmere",)),
        ("牛仔裤有几个颜色", ("jeans-wide",)),
        ("加绒卫衣", ("hoodie-fleece", "hoodie-oversize")),  # 加绒 ranks the fleece one first
        ("酒红色的卫衣", ("hoodie-oversize", "hoodie-fleece")),  # colour in stock ranks first
        ("保温杯保温多久", ("thermos",)),
        ("do you have the scarf in red", ("scarf-cashmere",)),
        ("how much are the sneakers", ("sneaker-white",)),  # plural
        ("is the hoody warm", ()),  # too far from "hoodie"
        ("the hoodies?", ("hoodie-fleece",)),
        ("cashmire scarf", ("scarf-cashmere",)),  # typo, fuzzy
        ("衛衣還有嗎", ("hoodie-fleece", "hoodie-oversize")),  # traditional
        ("鞋子还有吗", ("sneaker-white",)),  # one-character category 鞋 as 鞋子
        ("any shirt?", ("tee-cotton",)),  # part of "t-shirt"
        ("oversize有吗", ("hoodie-oversize",)),  # Latin title token
        ("不锈钢保温杯", ("thermos",)),
    ],
)
def test_product_mentions(ex: SlotExtractor, text: str, expected: tuple[str, ...]) -> None:
    assert ex.extract(text).product_mentions == expected


@pytest.mark.parametrize(
    "text",
    ["多少钱", "主播好美", "加绒吗", "纯棉的吗", "新款什么时候上", "3号链接", "白色的有吗", "M码", "hello", "how much",
     "多少钱包邮吗", "好看吗"],
)
def test_no_false_mentions(ex: SlotExtractor, text: str) -> None:
    assert ex.extract(text).product_mentions == ()


def test_set_catalog_rebuilds_index() -> None:
    e = SlotExtractor()
    assert e.extract("小白鞋还有吗").product_mentions == ()
    e.set_catalog(CATALOG)
    assert e.extract("小白鞋还有吗").product_mentions == ("sneaker-white",)
    other = Catalog(products=(_p("mug", 1, "陶瓷马克杯", "杯子", aliases=("小白鞋",)),))
    e.set_catalog(other)
    assert e.extract("小白鞋还有吗").product_mentions == ("mug",)
    e.set_catalog(None)
    assert e.extract("小白鞋还有吗").product_mentions == ()


# ----------------------------------------------------------------------------- whole messages


def test_everything_at_once(ex: SlotExtractor) -> None:
    s = ex.extract("3号M码黑色要两件送妈妈，她一米六 一百斤，两百以内")
    assert s == Slots(
        listing_number=3, color="black", color_word="黑色", size="M", height_cm=160.0,
        weight_kg=50.0, budget_max=Decimal("200"), quantity=2, recipient="mother",
    )


def test_mixed_zh_en(ex: SlotExtractor) -> None:
    s = ex.extract("link 3 有XL吗 black的")
    assert (s.listing_number, s.size, s.color) == (3, "XL", "black")


def test_english_message(ex: SlotExtractor) -> None:
    s = ex.extract("I'll take 2 of the Leather Sneakers in white, size 38, for my wife")
    assert s.quantity == 2
    assert s.color == "white"
    assert s.size == "38"
    assert s.recipient == "wife"
    assert s.product_mentions == ("sneaker-white",)


def test_empty_and_noise(ex: SlotExtractor) -> None:
    assert ex.extract("") == Slots()
    assert ex.extract("   ") == Slots()
    assert ex.extract("666666") == Slots()
    assert ex.extract("哈哈哈哈😂") == Slots()


def test_accepts_prenormalised_text(ex: SlotExtractor) -> None:
    from app.understanding.text import normalize_text

    raw = "３號鏈接ＸＬ兩件"
    assert ex.extract(normalize_text(raw)) == ex.extract(raw)


def test_thread_safety(ex: SlotExtractor) -> None:
    want = ex.extract("3号M码黑色要两件 小白鞋")
    bad: list[object] = []

    def work() -> None:
        for _ in range(100):
            got = ex.extract("3号M码黑色要两件 小白鞋")
            if got != want:
                bad.append(got)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert bad == []
    assert want.product_mentions == ("sneaker-white",)


@pytest.mark.parametrize(
    ("s", "v"),
    [("3", "3"), ("1.65", "1.65"), ("十二", "12"), ("两百", "200"), ("一百一", "110"),
     ("一六五", "165"), ("3千", "3000"), ("百", "100"), ("万一", None), ("", None)],
)
def test_parse_number(s: str, v: str | None) -> None:
    assert parse_number(s) == (Decimal(v) if v is not None else None)


def test_colour_characters_inside_product_names() -> None:
    cat = Catalog(products=(
        _p("wine", 1, "法国进口红酒", "酒水"),
        _p("tee", 2, "白色纯棉T恤", "T恤"),
        _p("shoe", 3, "经典白鞋", "鞋"),
    ))
    e = SlotExtractor(cat)
    s = e.extract("红酒多少钱")
    assert s.product_mentions == ("wine",)
    assert s.color is None  # 红酒 is wine, not the colour red
    assert e.extract("白鞋有吗").product_mentions == ("shoe",)
    # a colour word in a title is a weak term: it does not mention the product on its own
    s = e.extract("白色的有吗")
    assert (s.color, s.product_mentions) == ("white", ())
    assert e.extract("进口的吗").product_mentions == ()


@pytest.mark.parametrize(
    ("text", "listing", "quantity", "height"),
    [
        ("#5 还是 3号", 5, None, None),
        ("3号还是#5", 3, None, None),
        ("两件还是3套", None, 2, None),
        ("165cm，她一米六", None, None, 165.0),
        ("她一米六 我165cm", None, None, 160.0),
    ],
)
def test_earliest_mention_wins(ex: SlotExtractor, text: str, listing, quantity, height) -> None:
    s = ex.extract(text)
    assert (s.listing_number, s.quantity, s.height_cm) == (listing, quantity, height)
