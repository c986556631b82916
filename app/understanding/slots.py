"""Slot extraction (槽位) from live-room chat: listing number, colour, size, body height and
weight, budget, quantity, recipient and product mentions.

:class:`SlotExtractor` turns one message (Chinese, English or mixed; raw or already
normalised) into an :class:`app.events.Slots`. It is rule based: regular expressions over
the normalised, lower-cased text, with Chinese numerals read by ``cn2an`` and product
mentions found through an index built from the catalog (``jieba`` tokens of titles, aliases,
categories; ``rapidfuzz`` for near-miss English words and long names).

Rules chosen (the tests pin each one):

* Spans are claimed in this order -- body measurements, budget, size, listing number,
  quantity -- and a later slot never re-reads characters a former one claimed, so ``160斤``,
  ``50块`` and ``38码`` never become listing numbers or quantities. Colour, recipient and
  product mentions are read independently. When a slot is mentioned twice, the mention
  earliest in the text wins (``#5 还是 3号`` -> 5); budgets combine one max and one min.
* **listing_number** (int 1..999): ``3号链接``/``三号``/``3号``/``#3``/``链接3``/``3链接``/
  ``第三个(链接)``/``第3款``/``link 3``/``number 3``/``item no. 5``/``the third link``/
  ``the 2nd one``; the Taiwan word ``連結`` (-> 连结) counts as 链接. ``N号`` is *not* a
  listing number after ``月`` (a date: 11月11号), before ``前/之前/以后/晚上/几点...``
  (a date), before ``色`` (a lipstick shade) or in ``穿38号``/``38号鞋`` (a shoe size).
  ``2号发货吗`` *is* listing 2 (a viewer asking when item 2 ships).
* **color** (family) and **color_word** (the span as written in the normalised, i.e.
  simplified and lower-cased, text: ``酒红``, ``酒红色``, ``黑``, ``navy``). Family
  choices: ``米``-named and sand/oat/khaki shades are **beige** (米白, 米色, 米黄, 杏色,
  卡其, 燕麦色, 奶茶色, 裸色, 香槟色, cream, khaki, nude); milk/ivory/snow whites are
  **white** (奶白, 乳白, 象牙白, 本白, ivory, off-white); 玫红 and 豆沙 are pink; 驼色, 咖色,
  焦糖 brown; 青/藏青/teal blue; 银灰 grey; 香槟金/玫瑰金 gold; 彩色/拼色/撞色/花色/黑白/迷彩
  multi. A bare one-character colour (``黑``, ``白的``) counts only as a word of its own
  (at the start or after 要/拍/选/有/和/号..., and followed by 的/款/色/系/a size letter/
  punctuation/吗/end), so ``红包``, ``网红``, ``明白``, ``显白``, ``粉丝``, ``蓝牙``,
  ``小白鞋``, ``925银`` give no colour. ``米`` and ``杏`` need ``色`` (``50米`` is money).
* **size**: ``XS``, ``S``, ``M``, ``L``, ``XL``, ``XXL``, ``XXXL``; ``2XL`` -> ``XXL``,
  ``3XL`` -> ``XXXL``, four or more X -> ``"4XL"``, ``"5XL"`` ...; the US plus sizes ``2X``/
  ``3X`` -> ``XXL``/``XXXL`` only after ``in``/``size``/``要`` or before ``码``
  (a bare ``2x`` is a quantity). A single letter S/M/L counts when written upper-case, or
  lower-case next to Chinese text, alone, after ``size``/``码``/``穿``/``要``..., or before
  ``码``/``号``/``的``. Chinese: 小号/小码 -> S, 中号/中码 -> M, 大号 -> L, 加大(号/码) ->
  XL, 加加大 -> XXL, 特大号/加加加大 -> XXXL, 加小 -> XS; ``大码`` (a plus-size *range*,
  not one size) gives nothing. Numbers: ``38码``, ``三十八码``, ``穿38号``, ``38号鞋``,
  ``size 38``, ``EU 38`` -> ``"38"`` (``37.5码`` -> ``"37.5"``; 1..60 accepted);
  ``均码``/``one size``/``free size`` -> ``"均码"``.
* **height_cm** (float, cm): ``165cm``/``165厘米``/``165公分``, ``一米六五``/``1米65`` -> 165,
  ``一米六``/``1米6`` -> 160, ``一米零五`` -> 105, ``1.65m``/``1.65米`` -> 165,
  ``身高165``/``身高1.65``/``高170``/``height 165``/``我165`` (我 + 130..210);
  feet and inches ``5'6"``/``5′6″``/``5 ft 6 in``/``5 foot 6``/``5ft6`` -> inches x 2.54
  (1 in = 2.54 cm exactly, international yard and pound agreement of 1959), **rounded to a
  whole cm** (5'6" = 167.64 -> 168); a bare ``6'`` is not read. Accepted range 50..230 cm.
* **weight_kg** (float, kg): ``160斤`` -> 80 (1 斤 = 0.5 kg, the PRC market jin),
  ``110多斤`` -> 55, ``100公斤``/``100kg``/``100千克`` -> 100, ``130 lbs``/``130 pounds``
  -> 130 x 0.45359237 (1 lb = 0.45359237 kg exactly, same 1959 agreement) **rounded to a
  whole kg** (-> 59). Accepted range 10..250 kg. ``N斤装`` (a pack size) and weight changes
  (``瘦了20斤``) are not body weights.
  *Bare* weights (no unit) after ``体重``/``重``/``weight``, or right after a height
  (``一米六五 一百二``, ``5'6 and 140``): with an imperial height they are **lb**; in a
  message with Chinese characters a bare weight **> 90 is 斤** (halved) and <= 90 is kg
  (``体重120`` -> 60, ``体重55`` -> 55); in an English-only message it is lb when > 120,
  else kg (``weight 150`` -> 68, ``height 165 weight 60`` -> 60).
  A *pair* ``165/52``, ``160 110斤``, ``165,52``, ``165cm/52`` is height then weight when
  the first number is 130..210; its bare second number follows the 斤 rule (> 90 -> 斤) in
  any language (``160/110`` -> 55 kg). A pair separated only by a space or comma needs a
  size cue in the message (码, 尺码, 穿, 合适, 身高, 体重, size, fit ...), so ``165 55``
  alone gives nothing. ``165/88A`` (a garment size label) is neither.
* **budget_max / budget_min** (Decimal yuan; whole amounts as integers, others rounded
  half-up to the fen): ``200以内/以下/之内/内``, ``不超过/不到/最多/低于/预算 300``,
  ``under/below/less than/no more than/budget is 300`` -> max; ``100以上``, ``100起``
  (>= 10 or with a money unit, so ``一起`` is nothing), ``至少/不低于/超过 100``,
  ``over/at least 100`` -> min; ``100到200``/``100-200块``/``100~200``/``200到300之间``/
  ``between 100 and 200`` -> min and max; ``300左右/上下``, ``300价位``, ``大概/差不多
  300``, ``around/about 300`` -> **min = 80 %, max = 120 %** of the amount (a ±20 % band:
  左右 means roughly that price, either side). Amounts: ``两百``/``2百`` -> 200, ``1k``/
  ``1千`` -> 1000, ``1.5k`` -> 1500, ``1w``/``一万``/``1万`` -> 10000, ``百元以内`` -> 100;
  ``米`` is slang for 元 (``50米以内`` -> 50); US dollars (``$50``, ``50 dollars/bucks/usd/
  刀/美元/美金``) are multiplied by ``usd_to_cny`` (a currency on one end of a range applies
  to both). A price with no budget cue (``50块的那个``, ``is it $30?``) is not a budget. A
  range with no money unit needs its upper end >= 10 and must not be followed by a non-money
  unit (``1-2天``, ``2-3件``, ``3-5码`` are not budgets).
* **quantity** (int 1..999): verb + number + measure word (``要两件``, ``拍3个``, ``来五单``,
  ``买2双``, ``拍了两件``), a number + strong measure word (``两件``, ``3套``; not after
  第/这/那/每, not ``5双装``/``一件代发``/``多少钱一件``), English ``take/buy/want/get/order/
  need 2``, ``2 pcs/pieces/pairs/of these``, ``x2``/``2x``. Promotions (``buy one get one``,
  ``buy 2 get 1``, ``买一送一``) are not quantities.
* **recipient**: mother, father, wife, husband, girlfriend, boyfriend, child, elder, friend,
  self, gift. The first specific recipient in the message wins; ``gift`` (送礼, 礼物, 送人,
  送给, gift, present) only when no specific one is named. 婆婆/岳母/丈母娘 -> mother,
  公公/岳父 -> father, 父母/爸妈/公婆/grandparents/parents -> elder, 孙子/孙女/儿童 -> child.
  ``npy``/``对象``/``partner`` (gender not said) become girlfriend or boyfriend from 她/他 or
  gendered words (裙, 口红 / 男, 领带 ...), else nothing (then ``gift`` if 送 is present).
  Words that also address the room need a cue: ``宝宝`` is a child after 给/送/我家... or
  before 穿/用/几岁/a number; ``姐妹``/``兄弟`` are friends after 给/送/和/带...; ``自己`` is
  self before 穿/用/戴/买... (not in ``自己寄回``). Never recipients: ``宝宝们``/``姐妹们``/
  ``家人们``, ``老爹鞋``/``dad shoes``/``mom jeans``/``男友风``/``boyfriend jeans`` (styles),
  ``坑爹``/``他妈``/``妈呀`` (exclamations), ``宝妈``, ``你自己``/``主播自己``, ``母亲节``,
  ``free gift``/``gift card``.
* **product_mentions**: see :class:`SlotExtractor`.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from app.catalog.model import Catalog
from app.events import Slots
from app.understanding.text import has_cjk, is_cjk_char, normalize_text

__all__ = ["SlotExtractor", "color_family", "parse_number"]

# ----------------------------------------------------------------------------- numbers

_CN_NUM_CHARS = "零〇一二两三四五六七八九十百千万廿壹贰叁肆伍陆柒捌玖拾佰仟"
_CN = f"[{_CN_NUM_CHARS}]"
# A number: Arabic (optionally decimal) or a run of Chinese numerals; never glued to a
# preceding digit/numeral.
_NUM = rf"(?<![\d.{_CN_NUM_CHARS}])(?:\d+(?:\.\d+)?|{_CN}+)"

_EN_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "a": 1, "an": 1, "a couple of": 2, "a couple": 2, "a pair of": 2, "a pair": 2,
}
_EN_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
}
_EN_NUM_WORDS = "|".join(sorted((k for k in _EN_NUMBERS if " " not in k and len(k) > 2),
                                key=len, reverse=True))

_cn2an_lock = threading.Lock()
_cn2an_mod = None


def _cn2an():
    global _cn2an_mod
    if _cn2an_mod is None:
        with _cn2an_lock:
            if _cn2an_mod is None:
                import cn2an

                _cn2an_mod = cn2an
    return _cn2an_mod


def parse_number(s: str) -> Decimal | None:
    """Read an Arabic or Chinese number (``"3"``, ``"1.65"``, ``"十二"``, ``"两百"``,
    ``"一百一"`` = 110, ``"一六五"`` = 165, ``"3千"``); ``None`` when unreadable.

    Chinese numerals are read with ``cn2an`` in "smart" mode. ``百``/``千``/``万`` alone
    read as 100/1000/10000.
    """
    s = s.strip()
    if not s:
        return None
    if s.isascii():
        try:
            return Decimal(s)
        except InvalidOperation:
            return None
    if s in ("百", "佰"):
        return Decimal(100)
    if s in ("千", "仟"):
        return Decimal(1000)
    if s == "万":
        return Decimal(10000)
    try:
        v = _cn2an().cn2an(s, "smart")
    except Exception:  # cn2an raises ValueError and friends for unreadable input
        return None
    try:
        return Decimal(str(v))
    except InvalidOperation:
        return None


def _int_or_none(s: str) -> int | None:
    v = parse_number(s)
    if v is None or v != v.to_integral_value():
        return None
    return int(v)


def _en_int(s: str) -> int | None:
    """An English count or ordinal: digits, ``21st``, number words of any size via ``text2num``
    ("twenty one", "forty-two"), the idioms of :data:`_EN_NUMBERS` ("a couple of") and ordinals."""
    s = s.strip().lower()
    if s.isdigit():
        return int(s)
    if s in _EN_NUMBERS:
        return _EN_NUMBERS[s]
    m = re.fullmatch(r"(\d+)(?:st|nd|rd|th)", s)
    if m:
        return int(m.group(1))
    if s in _EN_ORDINALS:
        return _EN_ORDINALS[s]
    from text_to_num import text2num

    try:
        return int(text2num(s.replace("-", " "), "en"))
    except (ValueError, TypeError):
        return None


def _yuan(v: Decimal) -> Decimal:
    """Integral amounts as ``Decimal(int)``; others rounded half-up to the fen."""
    if v == v.to_integral_value():
        return Decimal(int(v))
    return v.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# ----------------------------------------------------------------------------- colours

_COLOR_FAMILIES = ("red", "pink", "orange", "yellow", "green", "blue", "purple", "brown",
                   "beige", "white", "grey", "black", "gold", "silver", "multi")

# Multi-character Chinese colour words (matched anywhere). "色" after any of them is taken too.
_ZH_COLORS: dict[str, str] = {}
for _fam, _words in {
    "red": "酒红 枣红 大红 正红 砖红 朱红 深红 暗红 铁锈红 西瓜红 番茄红 姨妈红 中国红 宝石红 胭脂红 勃艮第红 红色",
    "pink": "粉红 粉色 玫红 桃粉 樱花粉 藕粉色 脏粉 裸粉 豆沙 芭比粉 蜜桃粉 浅粉 淡粉 烟粉 珊瑚粉",
    "orange": "橙色 橘色 桔色 橘红 焦橙 南瓜色 橘黄 桔黄 珊瑚色",
    "yellow": "黄色 鹅黄 姜黄 土黄 柠檬黄 明黄 奶黄 芥末黄 浅黄 嫩黄",
    "green": "绿色 墨绿 军绿 橄榄绿 薄荷绿 牛油果绿 草绿 翠绿 青绿 浅绿 深绿 抹茶绿 豆绿 湖绿 果绿",
    "blue": "蓝色 藏青 藏蓝 宝蓝 天蓝 湖蓝 浅蓝 深蓝 雾霾蓝 牛仔蓝 克莱因蓝 海军蓝 靛蓝 孔雀蓝 冰蓝 雾蓝 灰蓝 青色 天青 海蓝 宝石蓝",
    "purple": "紫色 香芋紫 葡萄紫 薰衣草紫 浅紫 深紫 紫罗兰 丁香紫 雾紫 烟紫 淡紫",
    "brown": "棕色 咖啡色 咖色 驼色 焦糖色 焦糖 巧克力色 深咖 浅咖 褐色 茶色 栗色 摩卡 深棕 浅棕 焦糖棕",
    "beige": "米色 米白 米黄 米杏 杏色 卡其 燕麦色 奶茶色 裸色 肤色 浅卡其 香槟色 奶油色 沙色",
    "white": "白色 奶白 乳白 象牙白 本白 纯白 雪白 漂白 珍珠白",
    "grey": "灰色 浅灰 深灰 烟灰 炭灰 银灰 雾灰 麻灰 花灰 铁灰 高级灰",
    "black": "黑色 纯黑 炭黑 曜石黑",
    "gold": "金色 玫瑰金 香槟金 土豪金",
    "silver": "银色",
    "multi": "彩色 多色 拼色 撞色 花色 七彩 彩虹色 混色 迷彩 黑白",
}.items():
    for _w in _words.split():
        _ZH_COLORS[_w] = _fam

# One-character stems: "<stem>色" anywhere, the bare stem only as a word of its own.
_ZH_STEMS = {"红": "red", "粉": "pink", "橙": "orange", "橘": "orange", "黄": "yellow",
             "绿": "green", "蓝": "blue", "紫": "purple", "棕": "brown", "咖": "brown",
             "白": "white", "灰": "grey", "黑": "black", "金": "gold", "银": "silver",
             "青": "blue"}
_ZH_STEM_COLOR_ONLY = {"米": "beige", "杏": "beige", "驼": "brown", "褐": "brown"}  # need 色

_EN_COLORS: dict[str, str] = {}
for _fam, _words in {
    "red": "red|burgundy|wine red|maroon|crimson|scarlet|cherry red|brick red",
    "pink": "pink|rose|blush|fuchsia|magenta|coral pink|hot pink",
    "orange": "orange|coral|rust|tangerine",
    "yellow": "yellow|mustard|lemon",
    "green": "green|olive|mint|sage|army green|emerald|forest green",
    "blue": "blue|navy|navy blue|teal|turquoise|denim blue|royal blue|sky blue|cobalt|indigo",
    "purple": "purple|violet|lavender|lilac|plum",
    "brown": "brown|tan|camel|coffee|chocolate|mocha|caramel",
    "beige": "beige|cream|khaki|nude|oatmeal|sand|taupe|apricot|champagne",
    "white": "white|ivory|off-white|off white|snow white",
    "grey": "grey|gray|charcoal|heather grey|heather gray",
    "black": "black|jet black",
    "gold": "gold|golden|rose gold|champagne gold",
    "silver": "silver",
    "multi": "multicolor|multicolour|multi-color|multi-colour|multicolored|multicoloured"
             "|colorful|colourful|rainbow|camo",
}.items():
    for _w in _words.split("|"):
        _EN_COLORS[_w] = _fam


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_ZH_COLOR_RE = re.compile(rf"(?:{_alt(_ZH_COLORS)})色?")
_ZH_STEM_SE_RE = re.compile(rf"[{''.join(_ZH_STEMS)}{''.join(_ZH_STEM_COLOR_ONLY)}]色")
_ZH_STEM_RE = re.compile(rf"[{''.join(_ZH_STEMS)}]")
_EN_COLOR_RE = re.compile(rf"(?<![a-z])(?:{_alt(_EN_COLORS)})(?![a-z])")
# what may stand right before / after a bare one-character colour
_STEM_BEFORE = set("要拍来选买换有是个和跟或、,.!?~ 那这款件双条号还与及色的")
_STEM_AFTER_RE = re.compile(r"(?:的|款|色|系|码|号|[smlx]|[,.!?~、 ]|吗|呢|啊|呀|吧|有|还|没|要|好|可|配|和|跟|或|与|及|就|也|$)")
# compounds in which a colour character is not a colour
_NOT_COLOR = ("红包", "网红", "走红", "爆红", "红人", "红利", "分红", "眼红", "红火", "白天", "明白",
              "白嫖", "坦白", "空白", "白领", "白送", "白菜", "拉黑", "黑名单", "黑粉", "黑心", "黑科技",
              "黄牛", "蓝牙", "粉丝", "粉底", "显白", "显黑", "美白", "金额", "现金", "金币", "银行",
              "红薯", "红枣", "红糖", "白糖", "红酒", "白酒", "小白鞋", "小白")


def color_family(word: str) -> str | None:
    """Colour family (see :data:`app.events.Slots.color`) of a colour word as sellers and
    viewers write it (``"酒红色"`` -> ``"red"``, ``"米白"`` -> ``"beige"``, ``"Navy"`` ->
    ``"blue"``); ``None`` when the word is not a known colour. Used to match SKU colours."""
    w = normalize_text(word).lower().strip()
    if not w:
        return None
    if w in _EN_COLORS:
        return _EN_COLORS[w]
    base = w[:-1] if w.endswith("色") and len(w) > 1 else w
    if base in _ZH_COLORS:
        return _ZH_COLORS[base]
    if w in _ZH_COLORS:
        return _ZH_COLORS[w]
    if base in _ZH_STEMS:
        return _ZH_STEMS[base]
    if base in _ZH_STEM_COLOR_ONLY:
        return _ZH_STEM_COLOR_ONLY[base]
    # longest known colour inside (e.g. "经典黑" -> black, "米白色加绒" -> beige)
    m = _ZH_COLOR_RE.search(w)
    if m:
        return _ZH_COLORS.get(m.group(0).rstrip("色")) or _ZH_COLORS.get(m.group(0))
    m = _EN_COLOR_RE.search(w)
    if m:
        return _EN_COLORS[m.group(0)]
    for ch in reversed(base):
        if ch in _ZH_STEMS:
            return _ZH_STEMS[ch]
    return None


# ----------------------------------------------------------------------------- recipients

_RECIPIENT_ZH: dict[str, str] = {}
for _key, _words in {
    "mother": "妈妈 老妈 我妈 给妈 送妈 咱妈 俺妈 母亲 婆婆 岳母 丈母娘 妈咪 麻麻 我妈妈",
    "father": "爸爸 老爸 爸 父亲 公公 岳父 老丈人 爹",
    "wife": "老婆 媳妇 太太 妻子 夫人",
    "husband": "老公 丈夫 我先生 我家先生 给先生",
    "girlfriend": "女朋友 女友 女票 女盆友",
    "boyfriend": "男朋友 男友 男票 男盆友",
    "partner": "npy 对象",
    "child": "孩子 小孩 儿子 女儿 闺女 小朋友 娃 孙子 孙女 外孙 外孙女 儿童 婴儿 小宝 大宝 二宝 宝贝女儿 宝贝儿子",
    "elder": "老人 长辈 老人家 爷爷 奶奶 外公 外婆 姥姥 姥爷 父母 爸妈 公婆 老年人 中老年 老妈老爸",
    "friend": "朋友 闺蜜 好友 同事 同学 哥们 室友 好朋友 基友",
    "self": "自用 给自己 送自己 我自己",
    "gift": "送礼 礼物 送人 礼品 伴手礼 礼盒 送给",
}.items():
    for _w in _words.split():
        _RECIPIENT_ZH[_w] = _key

_RECIPIENT_EN: dict[str, str] = {}
for _key, _words in {
    "mother": "mom|mum|mommy|mummy|mother|mama|my ma|mother-in-law",
    "father": "dad|daddy|father|papa|father-in-law",
    "wife": "wife|wifey",
    "husband": "husband|hubby",
    "girlfriend": "girlfriend|gf",
    "boyfriend": "boyfriend|bf",
    "partner": "partner",
    "child": "kid|kids|son|daughter|baby|child|children|toddler|grandson|granddaughter|grandkid|grandkids",
    "elder": "grandma|grandpa|grandmother|grandfather|grandparents|grandparent|parents|elderly|granny",
    "friend": "friend|friends|bestie|bff|coworker|colleague|buddy",
    "self": "myself",
    "gift": "gift|present|gifting|gifts",
}.items():
    for _w in _words.split("|"):
        _RECIPIENT_EN[_w] = _key

_RECIPIENT_ZH_RE = re.compile(_alt(_RECIPIENT_ZH))
# Words that are also ways of addressing the room or the host (宝宝, 姐妹, 兄弟) or that
# appear in other senses (自己 in 自己寄回) count only with a cue around them.
_RECIPIENT_CUED = [
    (re.compile(r"(?:给|送|帮|我家|我的|家里|我)\s*宝宝|宝宝\s*(?=穿|用|戴|吃|几岁|\d|能穿|能用|可以穿|可以用)"
                r"|[\d一二两三四五六七八九十半]+\s*(?:岁|周岁|个月)(?:大)?的?\s*宝宝"), "child"),
    (re.compile(r"(?:给|送|帮|和|跟|带|带着|我的|我)\s*(?:姐妹|兄弟)(?!们)"), "friend"),
    (re.compile(r"自己\s*(?=穿|用|戴|吃|喝|涂|擦|买|留着)"), "self"),
]
_RECIPIENT_EN_RE = re.compile(rf"(?<![a-z])(?:{_alt(_RECIPIENT_EN)})(?![a-z])")
_NOT_RECIPIENT = re.compile(
    r"宝宝们|姐妹们|家人们|兄弟们|朋友们|老爹鞋|老爹|男友风|男友款|男友衬衫|女友风|宝妈|宝贝们|你自己|主播自己|娃娃"
    r"|mom jeans|mom fit|dad shoes?|dad sneakers?|dad hat|boyfriend jeans|boyfriend fit|boyfriend shirt"
    r"|坑爹|坑娘|他妈|你妈|尼玛|妈呀|我的妈|妈耶|母亲节|父亲节|儿童节"
    r"|baby blue|baby pink|present it|at present|sugar daddy|free gifts?|gift card|gift with")
_FEMALE_HINT = re.compile(r"她|女|裙|口红|唇|包包|项链|耳环|香水|护肤|面膜|she|her\b|lipstick|dress|necklace")
_MALE_HINT = re.compile(r"他|男|剃须|领带|皮带|腰带|球鞋|he\b|him\b|his\b|tie\b|razor|belt")

# ----------------------------------------------------------------------------- sizes

_SIZE_LETTER_RE = re.compile(
    r"(?<![a-z0-9'’.&])(?P<s>[2-6]\s?xl|[2-6]x|x{1,5}l|x{1,3}s|s|m|l)(?![a-z0-9'’&])")
_SIZE_CUE_BEFORE = re.compile(r"(?:size|尺码|码数|码|穿|要|拍|选|来|换|买|有|in|an?|是|的|号)\s*$")
_SIZE_CUE_AFTER = re.compile(r"^\s*(?:码|号|的|size|码数|还|有|吗|呢|可以|能|合适|就|行|够|偏)")
_SIZE_ZH = [
    (re.compile(r"加加加大(?:号|码)?|特大(?:号|码)"), "XXXL"),
    (re.compile(r"加加大(?:号|码)?"), "XXL"),
    (re.compile(r"加大(?:号|码|的|款|(?=$|[,.!?~ ]))"), "XL"),
    (re.compile(r"加小(?:号|码)?"), "XS"),
    (re.compile(r"(?<![加特])大号"), "L"),
    (re.compile(r"中(?:号|码)"), "M"),
    (re.compile(r"(?<![加])小(?:号|码)"), "S"),
]
_SIZE_NUM_RES = [
    re.compile(rf"(?P<n>(?<![\d.])\d{{1,2}}(?:\.5)?|[二三四]十[一二三四五六七八九]?)\s*(?:码|号码|码数)(?!数据)"),
    re.compile(r"穿\s*(?P<n>\d{2}(?:\.5)?)\s*(?:号|的)"),
    re.compile(r"(?P<n>(?<![\d.])\d{2}(?:\.5)?)\s*号\s*(?:的)?\s*(?:鞋|脚)"),
    re.compile(r"(?<![a-z])(?:size|sz|eu|eur)\s*:?\s*(?P<n>\d{1,2}(?:\.5)?)(?![\d.a-z])"),
]
_ONE_SIZE_RE = re.compile(r"均码|(?<![a-z])(?:one[\s-]?size|free[\s-]?size|onesize)(?![a-z])|(?<![a-z])f码")

# ----------------------------------------------------------------------------- body

_RE_FEET = re.compile(
    r"(?<![\d.])(?P<ft>[3-7])\s*(?:'|’|′|ft\.?|feet|foot)\s*"
    r"(?:(?P<inch>\d{1,2}(?:\.\d+)?)\s*(?:\"|”|″|′′|''|’’|in\.?(?![a-z])|inch(?:es)?)?)?")
_RE_ZH_METRE = re.compile(
    r"(?<![\d.])(?P<m>[12一两])\s*(?:米|m)\s*(?P<r>\d{1,2}|[零〇一二三四五六七八九十]{1,3})(?![\d.]|\s*(?:米|cm|公分|厘米))")
_RE_DEC_METRE = re.compile(r"(?<![\d.])(?P<v>[12]\.\d{1,2})\s*(?:米|m|meters?|metres?)(?![a-z])")
_RE_CM = re.compile(rf"(?P<v>{_NUM})\s*(?:cm|厘米|公分|centimet(?:er|re)s?)(?![a-z])")
_WEIGHT_UNIT = r"斤|公斤|千克|kgs?(?![a-z])|kilos?(?![a-z])|kilograms?|lbs?(?![a-z])|pounds?"
_RE_WEIGHT = re.compile(rf"(?P<v>{_NUM})\s*(?:多\s*)?(?P<u>{_WEIGHT_UNIT})(?!\s*装)")
_RE_PAIR = re.compile(
    r"(?<![\d.])(?P<h>1\d{2}(?:\.\d)?)\s*(?P<hu>cm|厘米|公分)?\s*(?P<sep>/|,|，|、|\s)\s*"
    rf"(?P<w>\d{{2,3}}(?:\.\d+)?)\s*(?P<u>{_WEIGHT_UNIT})?(?![\d.a-z])")
_NOT_UNIT_AFTER = r"(?![\d.])(?!\s*(?:斤|公斤|千克|kg|lb|pound|块|元|号|码|岁|cm|厘米|公分|米|m(?![a-z])|\.\d))"
_RE_HEIGHT_CUE = re.compile(
    rf"(?:身高|个子|个头|(?<![提升增拔])高|height|tall|i'?m|i am)\s*(?:is|有|是|为|:)?\s*(?P<v>{_NUM}){_NOT_UNIT_AFTER}")
_RE_WEIGHT_CUE = re.compile(
    rf"(?:体重|重|weigh(?:t|s|ing)?|weight is)\s*(?:is|有|是|为|:)?\s*(?P<v>{_NUM}){_NOT_UNIT_AFTER}")
_RE_HEIGHT_WO = re.compile(rf"我\s*(?:是|有)?\s*(?P<v>1[3-9]\d|20\d|210)(?![\d.]){_NOT_UNIT_AFTER}")
_RE_AFTER_HEIGHT = re.compile(
    rf"\s*(?:and|,|，|/|、|\s)\s*(?:体重|重|weigh(?:t|s|ing)?)?\s*(?:is|有|是|为|:)?\s*(?P<v>{_NUM}){_NOT_UNIT_AFTER}")
_SIZE_CONTEXT = re.compile(r"码|尺码|尺寸|穿|合适|适合|身高|体重|多大|选|推荐|size|fit|tall|weigh|wear|斤|kg")

# ----------------------------------------------------------------------------- budget

def _amt(i: int) -> str:
    """Regex for one money amount with numbered groups ``cur<i> n<i> mult<i> unit<i>``."""
    return (rf"(?P<cur{i}>us\$|\$|¥|rmb|usd)?\s*(?P<n{i}>{_NUM})\s*"
            rf"(?P<mult{i}>k(?![a-z])|w(?![a-z])|百|千|万)?\s*"
            rf"(?P<unit{i}>块钱|块|元|米|rmb|cny|yuan|刀|美元|美金|dollars?|bucks?|usd)?")


_MONEY_STOP_AFTER = r"(?!\s*(?:[天日号件个码岁斤点月年周次双条套瓶盒只台分秒位人楼层克]|小时|cm|kg|g(?![a-z])|%|折))"
_BUDGET_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("range", re.compile(rf"(?<![a-z])between\s*{_amt(1)}\s*and\s*{_amt(2)}{_MONEY_STOP_AFTER}")),
    ("range", re.compile(rf"{_amt(1)}\s*(?:到|至|-|~|—|–|to)\s*{_amt(2)}{_MONEY_STOP_AFTER}")),
    ("approx", re.compile(rf"{_amt(1)}\s*(?:左右|上下|价位|档)")),
    ("approx", re.compile(
        rf"(?:大概|差不多|大约|around|about|approximately|roughly|~)\s*{_amt(1)}{_MONEY_STOP_AFTER}")),
    ("max", re.compile(rf"{_amt(1)}\s*(?:以内|以下|之内|之下|内|封顶|or less|or under|and under|max(?![a-z]))")),
    ("max", re.compile(
        r"(?:不超过|不要超过|别超过|不能超过|不高于|低于|不到|最多|顶多|最高|预算|少于"
        r"|budget(?:\s*is|\s*of)?|under|below|less than|no more than|at most|max(?:imum)?|up to|within|<|≤)"
        rf"\s*(?:是|在|为|:)?\s*{_amt(1)}{_MONEY_STOP_AFTER}")),
    ("min", re.compile(rf"{_amt(1)}\s*(?:以上|往上|之上|or more|and up|and above|plus(?![a-z])|\+)")),
    ("min_qi", re.compile(rf"{_amt(1)}\s*起(?![来去发寄拍买用穿])")),
    ("min", re.compile(
        r"(?:至少|最少|不低于|(?<![不要别能])高于|(?<![不要别能])超过"
        r"|over|above|more than|at least|min(?:imum)?|>|≥)"
        rf"\s*{_amt(1)}{_MONEY_STOP_AFTER}")),
]
_USD_UNITS = {"刀", "美元", "美金", "dollar", "dollars", "buck", "bucks", "usd"}
_USD_CUR = {"$", "us$", "usd"}
_MONEY_UNIT_OR_CUR = re.compile(r"块|元|米|rmb|cny|yuan|刀|美元|美金|dollar|buck|usd|\$|¥")

# ----------------------------------------------------------------------------- listing

_LISTING_PATTERNS = [
    re.compile(rf"(?P<pre>第\s*)?(?P<n>{_NUM})\s*号\s*(?P<post>链接|连结|宝贝|商品|产品|链|款)?"),
    re.compile(rf"第\s*(?P<n>{_NUM})\s*(?:个|款)\s*(?P<post>链接|连结|宝贝|商品|产品)?"),
    re.compile(rf"(?:链接|连结|宝贝|商品)\s*(?:号\s*)?#?\s*(?P<n>{_NUM})(?!\s*(?:[块元件个斤码米]|cm|kg))"),
    re.compile(r"(?<![\d.])(?P<n>\d{1,3})\s*(?:链接|连结|号链)"),
    re.compile(r"#\s*(?P<n>\d{1,3})(?![\d.])"),
    re.compile(
        rf"(?<![a-z])(?:link|item|product|listing|number|no\.|num\.?)\s*(?:number\s*|no\.?\s*|#\s*)?"
        rf"(?P<en>\d{{1,3}}|{_EN_NUM_WORDS})(?![a-z0-9])"),
    re.compile(
        r"(?<![a-z])(?:the\s+)?(?P<en>\d{1,3}(?:st|nd|rd|th)|" + "|".join(_EN_ORDINALS) +
        r")\s+(?:link|item|product|listing|one)(?![a-z])"),
]
_DATE_AFTER = re.compile(r"^\s*(?:之前|以前|前|之后|以后|后|当天|那天|晚上|早上|下午|上午|中午|开播|直播|几点|开始|截止|色)")

# ----------------------------------------------------------------------------- quantity

_Q_UNITS = "件|个|单|份|套|双|条|瓶|盒|支|只|台|箱|袋|包|顶|副|对|罐|桶|本|张|片|盒装"
_Q_STRONG = "件|单|份|套|双|条|瓶|盒|箱|袋|罐|桶|支|副|对"
_QUANTITY_PATTERNS = [
    re.compile(rf"(?:要|拍|来|买|下单|带|拿|抢|订|整|搞|入|囤|收|加购|下)\s*了?\s*(?P<n>{_NUM})\s*(?:{_Q_UNITS})(?!\s*装)"),
    re.compile(rf"(?<![第这那哪每上下])(?P<n>{_NUM})\s*(?:{_Q_STRONG})(?!\s*(?:装|代发|起发|起批))"),
    re.compile(rf"(?<![a-z])(?:take|buy|want|get|order|need|grab|add|purchase)\s+"
               rf"(?P<en>\d{{1,3}}|{_EN_NUM_WORDS}|a couple of|a pair of)(?![a-z0-9])"
               r"(?!\s*(?:kg|lbs?|cm|dollars?|bucks|%|pm|am|\$|yuan|rmb|inch|ft|feet"
               r"|minutes?|hours?|days?|more days|get|xl|\d))"),
    re.compile(rf"(?<![a-z0-9])(?P<en>\d{{1,3}}|{_EN_NUM_WORDS})\s*"
               r"(?:pcs|pieces|units|pairs|sets|items|of (?:them|these|those|it))(?![a-z])"),
    re.compile(r"(?<![a-z0-9])[x×]\s*(?P<en>\d{1,3})(?![\d.a-z])"),
    re.compile(r"(?<![a-z0-9.])(?P<en>\d{1,3})\s*[x×](?![a-z0-9])"),
]

_BOGO_RE = re.compile(
    rf"(?<![a-z])buy\s+(?:\d{{1,2}}|{_EN_NUM_WORDS})\s+get\s+(?:\d{{1,2}}|{_EN_NUM_WORDS})(?:\s+free)?"
    rf"|买\s*{_NUM}\s*(?:件|个|单|份|套|双|条|瓶|盒)?\s*送\s*{_NUM}")

# ----------------------------------------------------------------------------- mentions

_ZH_MODIFIERS = frozenset(
    "新款 同款 男女 男女同款 情侣 女款 男款 女士 男士 女式 男式 女装 男装 秋冬 春秋 春夏 夏季 冬季 秋季 春季 "
    "韩版 法式 复古 宽松 修身 显瘦 百搭 加绒 加厚 纯棉 真皮 透气 保暖 防水 高腰 短款 长款 中长款 大码 "
    "小个子 潮流 时尚 休闲 简约 基础 经典 正品 官方 旗舰 包邮 现货 特价 爆款 网红 ins 学生 外穿 内搭 "
    "打底 洋气 高级 高级感 轻薄 薄款 厚款 新品 套装款 款式 系列 礼盒装 送礼 儿童 成人 中年 年轻 "
    "好看 可爱 舒服 舒适 柔软 高端 优雅 气质 温柔 甜美 性感 帅气 显高 遮肉 超级 特别 质量 便宜 实惠 推荐 "
    "多少 还有 这个 那个 什么 可以 怎么 一件 一个 进口 国产 原装 "
    "2024 2025 2026 2027 春 夏 秋 冬 款 女 男 潮 装 新 ".split())
_EN_STOP = frozenset(
    "the a an and with for of in on to new women women's womens men men's mens unisex ladies "
    "style classic casual cotton leather fleece loose oversized slim fit warm soft lightweight "
    "waterproof pack pcs pair set piece pieces size sizes color colour colors colours free".split())

_TERM_ALIAS = 1.0
_PACK_SUFFIX = re.compile(r"(?:礼盒装|礼盒|礼包|组合装|组合|套装|系列)$")
"""A packaging word at the end of an alias: the alias without it names the product too (冰粽礼盒 -> 冰粽)."""
_TERM_TITLE = 1.0
_TERM_CATEGORY = 0.9
_TERM_TOKEN = 0.85
_TERM_MODIFIER = 0.3
_MENTION_THRESHOLD = 0.75
"""A product is mentioned when its best term scores at least this (weight x similarity)."""
_FUZZY_LATIN_CUTOFF = 85.0
_FUZZY_LONG_CUTOFF = 86.0

_jieba_lock = threading.Lock()
_jieba_tok = None
_LATIN_WORD_RE = re.compile(r"[a-z][a-z0-9'&-]*[a-z0-9]|[a-z]")


def jieba_tokenizer():
    """A private ``jieba.Tokenizer`` (never the global one, never given extra words, so it is
    read-only after initialisation and safe to share between threads)."""
    global _jieba_tok
    if _jieba_tok is None:
        with _jieba_lock:
            if _jieba_tok is None:
                import logging

                import jieba

                # jieba logs "Building prefix dict ..." at DEBUG on its own stderr handler;
                # keep that out of the app's console while our tokenizer loads.
                log = getattr(jieba, "default_logger", None) or logging.getLogger("jieba")
                old_level = log.level
                log.setLevel(logging.WARNING)
                try:
                    tok = jieba.Tokenizer()
                    tok.initialize()
                finally:
                    log.setLevel(old_level)
                _jieba_tok = tok
    return _jieba_tok


def _plural_forms(w: str) -> tuple[str, ...]:
    out = [w]
    if len(w) > 3 and w.endswith("es"):
        out.append(w[:-2])
    if len(w) > 3 and w.endswith("s"):
        out.append(w[:-1])
    return tuple(out)


@dataclass(frozen=True)
class _MentionIndex:
    """Precomputed terms of one catalog. Postings are ``(product position, weight)``."""

    product_ids: tuple[str, ...]
    color_families: tuple[frozenset[str], ...]
    cjk_terms: tuple[tuple[str, tuple[tuple[int, float], ...]], ...]
    """CJK terms of >= 2 characters, matched as substrings."""
    cjk_single: dict[str, tuple[tuple[int, float], ...]]
    """One-character categories (``鞋``), matched as whole jieba tokens."""
    cjk_long: tuple[tuple[str, tuple[tuple[int, float], ...]], ...]
    """Alias/title terms of >= 5 characters, also matched fuzzily (rapidfuzz partial ratio)."""
    latin_words: dict[str, tuple[tuple[int, float], ...]]
    latin_choices: tuple[str, ...]
    """Keys of ``latin_words`` with >= 4 letters, for fuzzy lookup."""
    latin_phrases: tuple[tuple[str, tuple[tuple[int, float], ...]], ...]
    """Multi-word English names, matched on word boundaries."""

    @classmethod
    def build(cls, catalog: Catalog | None) -> _MentionIndex:
        products = tuple(catalog) if catalog is not None else ()
        raw: dict[str, dict[int, float]] = {}

        def add(term: str, pos: int, weight: float) -> None:
            term = term.strip().lower()
            if not term:
                return
            slot = raw.setdefault(term, {})
            slot[pos] = max(slot.get(pos, 0.0), weight)

        tok = jieba_tokenizer() if products else None
        token_df: dict[str, set[int]] = {}
        fams: list[frozenset[str]] = []
        for pos, p in enumerate(products):
            fams.append(frozenset(f for f in (color_family(c) for c in p.colors) if f))
            for a in p.aliases:
                add(normalize_text(a), pos, _TERM_ALIAS)
                stem = _PACK_SUFFIX.sub("", normalize_text(a))
                if len(stem) >= 2 and stem != normalize_text(a):  # 冰粽 of 冰粽礼盒
                    add(stem, pos, _TERM_ALIAS)
            if p.category:
                add(normalize_text(p.category), pos, _TERM_CATEGORY)
            for title in (p.title, p.title_en):
                t = normalize_text(title).lower()
                if not t:
                    continue
                add(t, pos, _TERM_TITLE)
                words: set[str] = set()
                if has_cjk(t):
                    for w in tok.lcut_for_search(t):
                        words.add(w.strip())
                for w in _LATIN_WORD_RE.findall(t):
                    words.add(w)
                    if "-" in w:  # "t-shirt" is also found as "shirt"
                        words.update(part for part in w.split("-") if len(part) >= 3)
                for w in words:
                    if w:
                        token_df.setdefault(w, set()).add(pos)
        n = len(products)
        for w, poss in token_df.items():
            if w in raw and any(v >= _TERM_CATEGORY for v in raw[w].values()):
                # the same word is an alias/category somewhere: keep it strong everywhere
                weight = _TERM_TOKEN
            elif _is_modifier_token(w) or (n >= 4 and len(poss) > n / 2):
                weight = _TERM_MODIFIER
            else:
                weight = _TERM_TOKEN
            if _is_noise_token(w):
                continue
            for pos in poss:
                add(w, pos, weight)

        cjk_terms, cjk_single, cjk_long, latin_phrases = [], {}, [], []
        latin_words: dict[str, tuple[tuple[int, float], ...]] = {}
        for term, post in raw.items():
            postings = tuple(sorted(post.items()))
            if has_cjk(term):
                if len(term) >= 2:
                    cjk_terms.append((term, postings))
                    if len(term) >= 5 and max(post.values()) >= _TERM_CATEGORY:
                        cjk_long.append((term, postings))
                else:
                    cjk_single[term] = postings
            elif " " in term:
                latin_phrases.append((term, postings))
            elif term.isascii() and any(c.isalpha() for c in term):
                latin_words[term] = postings
        cjk_terms.sort(key=lambda x: -len(x[0]))
        return cls(
            product_ids=tuple(p.product_id for p in products),
            color_families=tuple(fams),
            cjk_terms=tuple(cjk_terms),
            cjk_single=cjk_single,
            cjk_long=tuple(cjk_long),
            latin_words=latin_words,
            latin_choices=tuple(w for w in latin_words if len(w) >= 4),
            latin_phrases=tuple(latin_phrases),
        )


def _is_color_word(w: str) -> bool:
    """True for a whole colour word (黑色, 酒红, 米白色, navy), not for words that merely
    contain a colour character (红酒, 白鞋)."""
    base = w[:-1] if len(w) > 1 and w.endswith("色") else w
    return (w in _EN_COLORS or base in _ZH_COLORS or w in _ZH_COLORS
            or (len(w) == 2 and w[1] == "色" and (w[0] in _ZH_STEMS or w[0] in _ZH_STEM_COLOR_ONLY))
            or w in _ZH_STEMS)


def _is_modifier_token(w: str) -> bool:
    return w in _ZH_MODIFIERS or w in _EN_STOP or _is_color_word(w)


def _is_noise_token(w: str) -> bool:
    """Tokens never indexed: numbers, one CJK char, one/two Latin letters, pure sizes."""
    if not w or w.isdigit() or re.fullmatch(r"[\d.]+[a-z]*", w):
        return True
    if has_cjk(w):
        return len(w) < 2
    if len(w) < 3:
        return True
    return bool(re.fullmatch(r"x{0,4}[sml]|[2-6]xl", w))


# ----------------------------------------------------------------------------- extractor


class _Spans:
    """Character positions already claimed by an extracted slot."""

    __slots__ = ("taken",)

    def __init__(self, n: int) -> None:
        self.taken = bytearray(n)

    def free(self, a: int, b: int) -> bool:
        return not any(self.taken[a:b])

    def take(self, a: int, b: int) -> None:
        self.taken[a:b] = b"\x01" * (b - a)


def _lower(s: str) -> str:
    """Lower-case without changing the length (so spans line up with the original)."""
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in s)


class SlotExtractor:
    """Extract :class:`app.events.Slots` from one chat message. Thread-safe.

    Args:
        catalog: products whose titles, categories and aliases can be mentioned; ``None`` =
            no product mentions until :meth:`set_catalog` is called.
        usd_to_cny: yuan per US dollar for budgets stated in dollars (default 7.2; a float is
            read through ``str`` so ``7.2`` means exactly 7.2).

    Raises:
        ValueError: if ``usd_to_cny`` is not a positive finite number.

    Units of the result: ``height_cm`` centimetres, ``weight_kg`` kilograms, ``budget_*``
    Decimal yuan. The rules and conversions are listed in this module's docstring.

    Product mentions: each product is indexed under its aliases (weight 1.0), full title and
    English title (1.0), category (0.9) and the ``jieba`` search-mode tokens of its titles
    (0.85; generic words such as 新款/宽松/纯棉, colours, and tokens shared by more than half
    of the catalog are weak modifiers at 0.3). A term matches when it occurs in the message
    (Chinese terms as substrings, one-character categories as whole jieba tokens, English
    words exactly or, for words of 4+ letters, with ``rapidfuzz`` ratio >= 85, plural ``s``
    ignored; aliases/titles of 5+ characters also with partial ratio >= 86). A product is
    mentioned when its best term scores >= 0.75 (weight x similarity/100); products are
    ranked by best score + 0.1 x the other matched terms' scores, + 0.05 when the message's
    colour family is among the product's SKU colours; ties keep catalog order. Everything is
    precomputed in :meth:`set_catalog`.
    """

    def __init__(self, catalog: Catalog | None = None, *, usd_to_cny: Decimal = Decimal("7.2")) -> None:
        rate = Decimal(str(usd_to_cny)) if isinstance(usd_to_cny, float) else Decimal(usd_to_cny)
        if not rate.is_finite() or rate <= 0:
            raise ValueError(f"usd_to_cny must be a positive number of yuan per dollar, got {usd_to_cny!r}")
        self.usd_to_cny = rate
        _cn2an()  # import now (~0.2 s) rather than on the first Chinese numeral
        self._index = _MentionIndex.build(None)
        self.set_catalog(catalog)

    def set_catalog(self, catalog: Catalog | None) -> None:
        """Rebuild the product-mention index for ``catalog`` (``None`` = no products).

        The new index replaces the old one in a single assignment, so concurrent
        :meth:`extract` calls see either the old or the new catalog, never a mix. The first
        call with products loads jieba's dictionary (about a second, once per process).
        """
        self._index = _MentionIndex.build(catalog)

    # ------------------------------------------------------------------ public

    def extract(self, text: str) -> Slots:
        """Slots of one message.

        Args:
            text: the message, raw or already passed through
                :func:`app.understanding.text.normalize_text` (it is normalised again;
                normalisation is idempotent).
        Returns:
            :class:`app.events.Slots`; fields not found are ``None`` / ``()``.
        Raises:
            TypeError: if ``text`` is not a ``str``.
        """
        s = normalize_text(text)
        low = _lower(s)
        spans = _Spans(len(low))
        zh = has_cjk(low)

        height, weight = self._body(low, spans, zh)
        bmin, bmax = self._budget(low, spans)
        size = self._size(s, low, spans)
        listing = self._listing(low, spans)
        qty = self._quantity(low, spans)
        color, color_word = self._color(low)
        recipient = self._recipient(low)
        mentions = self._mentions(low, color)
        return Slots(
            listing_number=listing,
            color=color,
            color_word=color_word,
            size=size,
            height_cm=height,
            weight_kg=weight,
            budget_max=bmax,
            budget_min=bmin,
            quantity=qty,
            recipient=recipient,
            product_mentions=mentions,
        )

    # ------------------------------------------------------------------ body

    @staticmethod
    def _body(low: str, spans: _Spans, zh: bool) -> tuple[float | None, float | None]:
        height: float | None = None
        weight: float | None = None
        imperial = False

        height_start = weight_start = len(low) + 1
        height_end = 0

        # the earliest plausible value in the text wins, whichever pattern found it
        def set_h(v: float | None, start: int, end: int) -> bool:
            nonlocal height, height_start, height_end
            if v is None or not (50 <= v <= 230):
                return False
            if start < height_start:
                height, height_start, height_end = float(v), start, end
            return True

        def set_w(v: float | None, start: int) -> bool:
            nonlocal weight, weight_start
            if v is None or not (10 <= v <= 250):
                return False
            if start < weight_start:
                weight, weight_start = float(v), start
            return True

        def bare_weight(v: Decimal) -> float:
            if imperial:
                return float(round(v * Decimal("0.45359237")))
            if zh:
                return float(v / 2) if v > 90 else float(v)
            if v > 120:
                return float(round(v * Decimal("0.45359237")))
            return float(v)

        for m in _RE_FEET.finditer(low):
            if not spans.free(*m.span()):
                continue
            # a bare "5'" needs an inch part or a unit word to be a height
            if m.group("inch") is None and not re.search(r"ft|feet|foot", m.group(0)):
                continue
            inches = int(m.group("ft")) * 12 + float(m.group("inch") or 0)
            if set_h(float(round(inches * 2.54)), m.start(), m.end()):
                imperial = True
                spans.take(*m.span())
        for m in _RE_ZH_METRE.finditer(low):
            if not spans.free(*m.span()):
                continue
            whole = 2 if m.group("m") in "2两" else 1
            r = m.group("r")
            if r.isdigit():
                rest = int(r) * 10 if len(r) == 1 else int(r)
            elif "十" in r:
                rest = _int_or_none(r)
            else:
                digits = "".join(str(_int_or_none(c)) if c not in "零〇" else "0" for c in r)
                rest = int(digits) * 10 if len(digits) == 1 else int(digits[:2])
            if rest is not None and set_h(whole * 100 + rest, m.start(), m.end()):
                spans.take(*m.span())
        for m in _RE_DEC_METRE.finditer(low):
            if spans.free(*m.span()) and set_h(float(Decimal(m.group("v")) * 100), m.start(), m.end()):
                spans.take(*m.span())
        for m in _RE_PAIR.finditer(low):
            if not spans.free(*m.span()):
                continue
            h = Decimal(m.group("h"))
            w = Decimal(m.group("w"))
            if not (130 <= h <= 210):
                continue
            unit = m.group("u")
            if unit is None and m.group("hu") is None and m.group("sep") != "/" and not _SIZE_CONTEXT.search(low):
                continue
            if unit:
                wkg = _weight_in_kg(w, unit)
            else:
                wkg = float(w / 2) if w > 90 else float(w)  # after a metric height: 斤 rule
            if wkg is not None and 10 <= wkg <= 250:
                set_h(float(h), m.start(), m.end("h"))
                set_w(wkg, m.start("w"))
                spans.take(*m.span())
        for m in _RE_CM.finditer(low):
            if spans.free(*m.span()):
                v = parse_number(m.group("v"))
                if v is not None and set_h(float(v), m.start(), m.end()):
                    spans.take(*m.span())
        for m in _RE_WEIGHT.finditer(low):
            if not spans.free(*m.span()):
                continue
            v = parse_number(m.group("v"))
            if v is None:
                continue
            spans.take(*m.span())  # a weight even when implausible as a body (2斤 apples)
            if re.search(r"(?:瘦|减|胖|长|掉|涨|重了|轻了|lose|lost|gain(?:ed)?)\s*了?\s*$", low[:m.start()]):
                continue  # a change of weight (瘦了20斤), not a body weight
            set_w(_weight_in_kg(v, m.group("u")), m.start())
        for m in _RE_HEIGHT_CUE.finditer(low):
            if not spans.free(*m.span("v")):
                continue
            v = parse_number(m.group("v"))
            if v is None:
                continue
            if Decimal("1.0") <= v <= Decimal("2.3") and "." in m.group("v"):
                v = v * 100
            if set_h(float(v), m.start("v"), m.end("v")):
                spans.take(*m.span("v"))
        if height is None:
            m = _RE_HEIGHT_WO.search(low)
            if m and spans.free(*m.span("v")) and set_h(float(m.group("v")), m.start("v"), m.end("v")):
                spans.take(*m.span("v"))
        if weight is None and height_end:
            m = _RE_AFTER_HEIGHT.match(low, height_end)
            if m and spans.free(*m.span("v")):
                v = parse_number(m.group("v"))
                if v is not None and set_w(bare_weight(v), m.start("v")):
                    spans.take(*m.span("v"))
        for m in _RE_WEIGHT_CUE.finditer(low):
            if not spans.free(*m.span("v")):
                continue
            v = parse_number(m.group("v"))
            if v is not None and set_w(bare_weight(v), m.start("v")):
                spans.take(*m.span("v"))
        return height, weight

    # ------------------------------------------------------------------ budget

    def _budget(self, low: str, spans: _Spans) -> tuple[Decimal | None, Decimal | None]:
        bmin: Decimal | None = None
        bmax: Decimal | None = None
        for kind, rx in _BUDGET_PATTERNS:
            for m in rx.finditer(low):
                if not spans.free(*m.span()):
                    continue
                a1 = self._amount(m, 1)
                if a1 is None:
                    continue
                if kind == "range":
                    a2 = self._amount(m, 2)
                    if a2 is None:
                        continue
                    # currency given on one side applies to both ("100-200块", "$20-30")
                    usd = self._is_usd(m, 1) or self._is_usd(m, 2)
                    a1 = self._amount(m, 1, usd=usd)
                    a2 = self._amount(m, 2, usd=usd)
                    has_money = bool(_MONEY_UNIT_OR_CUR.search(m.group(0)))
                    if a1 is None or a2 is None or a1 >= a2:
                        continue
                    if not has_money and a2 < 10:
                        continue
                    if bmin is None and bmax is None:
                        bmin, bmax = a1, a2
                elif kind == "approx":
                    if bmin is None and bmax is None:
                        bmin, bmax = _yuan(a1 * Decimal("0.8")), _yuan(a1 * Decimal("1.2"))
                elif kind == "max":
                    if bmax is None:
                        bmax = a1
                elif kind == "min":
                    if bmin is None:
                        bmin = a1
                elif kind == "min_qi":
                    # "100起" (from 100 up); "一起" (together) is not a budget
                    if a1 < 10 and not _MONEY_UNIT_OR_CUR.search(m.group(0)):
                        continue
                    if bmin is None:
                        bmin = a1
                spans.take(*m.span())
        return bmin, bmax

    @staticmethod
    def _is_usd(m: re.Match[str], i: int) -> bool:
        cur = m.group(f"cur{i}")
        unit = m.group(f"unit{i}")
        return (cur or "") in _USD_CUR or (unit or "") in _USD_UNITS

    def _amount(self, m: re.Match[str], i: int, *, usd: bool | None = None) -> Decimal | None:
        v = parse_number(m.group(f"n{i}"))
        if v is None or v <= 0:
            return None
        mult = m.group(f"mult{i}")
        if mult == "百":
            v *= 100
        elif mult in ("k", "千"):
            v *= 1000
        elif mult in ("w", "万"):
            v *= 10000
        if usd is None:
            usd = self._is_usd(m, i)
        if usd:
            v *= self.usd_to_cny
        if v >= Decimal(10) ** 8:
            return None
        return _yuan(v)

    # ------------------------------------------------------------------ size

    @staticmethod
    def _size(orig: str, low: str, spans: _Spans) -> str | None:
        found: list[tuple[int, str]] = []  # (start, size); the earliest in the text wins
        for m in _ONE_SIZE_RE.finditer(low):
            spans.take(*m.span())
            found.append((m.start(), "均码"))
        for rx in _SIZE_NUM_RES:
            for m in rx.finditer(low):
                if not spans.free(*m.span("n")):
                    continue
                n = m.group("n")
                v = parse_number(n)
                if v is None or not (1 <= v <= 60):
                    continue
                spans.take(*m.span())
                found.append((m.start("n"), n if n[0].isdigit() else str(int(v))))
        for rx, label in _SIZE_ZH:
            for m in rx.finditer(low):
                if spans.free(*m.span()):
                    spans.take(*m.span())
                    found.append((m.start(), label))
        for m in _SIZE_LETTER_RE.finditer(low):
            a, b = m.span("s")
            if not spans.free(a, b):
                continue
            raw = m.group("s").replace(" ", "")
            if re.fullmatch(r"[2-6]x", raw):
                # US plus sizes "2X" = XXL, only as a size: "in 2X", "size 3x", "2X码"
                if not (re.search(r"(?:\bin|size|尺码|穿|要)\s*$", low[max(0, a - 6):a])
                        or re.match(r"\s*(?:码|号)", low[b:])):
                    continue
                label = _norm_letter_size(raw + "l")
            elif len(raw) == 1:
                before = low[max(0, a - 6):a]
                after = low[b:b + 6]
                upper = orig[a].isupper()
                next_cjk = b < len(low) and is_cjk_char(low[b])
                prev_cjk = a > 0 and is_cjk_char(low[a - 1])
                alone = not low[:a].strip(" ,.!?~") and not low[b:].strip(" ,.!?~")
                cue = bool(_SIZE_CUE_BEFORE.search(before) or _SIZE_CUE_AFTER.search(after))
                if not (upper or next_cjk or prev_cjk or alone or cue):
                    continue
                if not upper and not (next_cjk or prev_cjk or alone) and re.search(r"(?:\ban?|\bin)\s*$", before):
                    continue  # lower-case "an s", "in l" are too weak
                label = raw.upper()
            else:
                label = _norm_letter_size(raw)
            spans.take(a, b)
            found.append((a, label))
        return min(found)[1] if found else None

    # ------------------------------------------------------------------ listing

    @staticmethod
    def _listing(low: str, spans: _Spans) -> int | None:
        found: list[tuple[int, int]] = []  # (start, number); the earliest in the text wins
        for i, rx in enumerate(_LISTING_PATTERNS):
            for m in rx.finditer(low):
                a, b = m.span()
                if not spans.free(a, b):
                    continue
                if "en" in rx.groupindex:
                    n = _en_int(m.group("en"))
                else:
                    n = _int_or_none(m.group("n"))
                if n is None or not (1 <= n <= 999):
                    continue
                if i == 0:
                    post = m.group("post")
                    before = low[:m.start("n")].rstrip()
                    if not post and (before.endswith("月") or _DATE_AFTER.match(low[b:])):
                        continue
                    if not post and re.match(r"\s*(?:的)?\s*(?:鞋|脚)", low[b:]):
                        continue
                    if before.endswith(("穿", "第")) and not post and not m.group("pre"):
                        continue
                spans.take(a, b)
                found.append((a, n))
        return min(found)[1] if found else None

    # ------------------------------------------------------------------ quantity

    @staticmethod
    def _quantity(low: str, spans: _Spans) -> int | None:
        for m in _BOGO_RE.finditer(low):
            spans.take(*m.span())
        found: list[tuple[int, int]] = []  # (start, quantity); the earliest in the text wins
        for rx in _QUANTITY_PATTERNS:
            for m in rx.finditer(low):
                key = "en" if "en" in rx.groupindex else "n"
                if not spans.free(*m.span(key)):
                    continue
                if key == "en":
                    n = _en_int(m.group("en"))
                else:
                    before = low[:m.start("n")].rstrip()
                    if before.endswith(("第", "这", "那", "哪", "每")):
                        continue
                    if m.group("n") == "一" and re.search(r"(?:多少钱?|几块钱?|价格?|钱)$", before):
                        continue  # "多少钱一件": price per piece, not a quantity
                    n = _int_or_none(m.group("n"))
                if n is None or not (1 <= n <= 999):
                    continue
                spans.take(*m.span(key))
                found.append((m.start(key), n))
        return min(found)[1] if found else None

    # ------------------------------------------------------------------ colour

    @staticmethod
    def _color(low: str) -> tuple[str | None, str | None]:
        found: list[tuple[int, str, str]] = []
        blocked = bytearray(len(low))
        for w in _NOT_COLOR:
            start = low.find(w)
            while start >= 0:
                blocked[start:start + len(w)] = b"\x01" * len(w)
                start = low.find(w, start + 1)
        for m in _ZH_COLOR_RE.finditer(low):
            if not any(blocked[m.start():m.end()]):
                word = m.group(0)
                found.append((m.start(), word, _ZH_COLORS.get(word) or _ZH_COLORS[word.rstrip("色")]))
        for m in _ZH_STEM_SE_RE.finditer(low):
            if not any(blocked[m.start():m.end()]):
                ch = m.group(0)[0]
                found.append((m.start(), m.group(0), _ZH_STEMS.get(ch) or _ZH_STEM_COLOR_ONLY[ch]))
        for m in _ZH_STEM_RE.finditer(low):
            a = m.start()
            if blocked[a]:
                continue
            prev = low[a - 1] if a > 0 else " "
            if prev not in _STEM_BEFORE and not (a >= 2 and low[a - 2:a] in ("还是", "就是", "要个")):
                continue
            if not _STEM_AFTER_RE.match(low, a + 1):
                continue
            found.append((a, m.group(0), _ZH_STEMS[m.group(0)]))
        for m in _EN_COLOR_RE.finditer(low):
            found.append((m.start(), m.group(0), _EN_COLORS[m.group(0)]))
        if not found:
            return None, None
        # earliest start wins; at equal start the longest word
        found.sort(key=lambda x: (x[0], -len(x[1])))
        _, word, fam = found[0]
        return fam, word

    # ------------------------------------------------------------------ recipient

    @staticmethod
    def _recipient(low: str) -> str | None:
        masked = _NOT_RECIPIENT.sub(lambda m: " " * len(m.group(0)), low)
        hits: list[tuple[int, str]] = []
        for m in _RECIPIENT_ZH_RE.finditer(masked):
            hits.append((m.start(), _RECIPIENT_ZH[m.group(0)]))
        for m in _RECIPIENT_EN_RE.finditer(masked):
            hits.append((m.start(), _RECIPIENT_EN[m.group(0)]))
        for rx, key in _RECIPIENT_CUED:
            for m in rx.finditer(masked):
                hits.append((m.start(), key))
        hits.sort()
        gift = False
        for _, key in hits:
            if key == "gift":
                gift = True
                continue
            if key == "partner":
                fem = bool(_FEMALE_HINT.search(masked))
                male = bool(_MALE_HINT.search(masked))
                if fem and not male:
                    return "girlfriend"
                if male and not fem:
                    return "boyfriend"
                continue
            return key
        if gift or re.search(r"送(?:给|人|礼)|(?<![a-z])for (?:a )?gift", masked):
            return "gift"
        return None

    # ------------------------------------------------------------------ mentions

    def _mentions(self, low: str, color: str | None) -> tuple[str, ...]:
        idx = self._index
        if not idx.product_ids or not low:
            return ()
        scores: dict[int, list[float]] = {}

        def hit(postings: tuple[tuple[int, float], ...], sim: float) -> None:
            for pos, w in postings:
                scores.setdefault(pos, []).append(w * sim)

        if has_cjk(low):
            for term, post in idx.cjk_terms:
                if term in low:
                    hit(post, 1.0)
            if idx.cjk_single:
                for tok in jieba_tokenizer().lcut(low):
                    # a one-character category matches the word itself or with 子 (鞋 / 鞋子)
                    post = idx.cjk_single.get(tok[:-1] if len(tok) == 2 and tok.endswith("子") else tok)
                    if post:
                        hit(post, 1.0)
            if idx.cjk_long and len(low) >= 5:
                from rapidfuzz import fuzz

                for term, post in idx.cjk_long:
                    if term in low or len(term) > len(low):
                        continue
                    r = fuzz.partial_ratio(term, low, score_cutoff=_FUZZY_LONG_CUTOFF)
                    if r:
                        hit(post, r / 100.0)
        if idx.latin_words or idx.latin_phrases:
            words = _LATIN_WORD_RE.findall(low)
            if words:
                from rapidfuzz import fuzz, process

                padded = " " + " ".join(words) + " "
                for phrase, post in idx.latin_phrases:
                    if f" {phrase} " in padded:
                        hit(post, 1.0)
                seen: set[str] = set()
                for w in words:
                    if w in seen:
                        continue
                    seen.add(w)
                    post = None
                    for form in _plural_forms(w):
                        post = idx.latin_words.get(form)
                        if post:
                            hit(post, 1.0)
                            break
                    if post or len(w) < 4 or w in _EN_STOP or not idx.latin_choices:
                        continue
                    best = process.extractOne(w, idx.latin_choices, scorer=fuzz.ratio,
                                              score_cutoff=_FUZZY_LATIN_CUTOFF)
                    if best is not None:
                        hit(idx.latin_words[best[0]], best[1] / 100.0)
        ranked: list[tuple[float, int]] = []
        for pos, vals in scores.items():
            vals.sort(reverse=True)
            best = vals[0]
            if best < _MENTION_THRESHOLD:
                continue
            total = best + 0.1 * sum(vals[1:])
            if color is not None and color in idx.color_families[pos]:
                total += 0.05
            ranked.append((-total, pos))
        ranked.sort()
        return tuple(idx.product_ids[pos] for _, pos in ranked)


def _weight_in_kg(v: Decimal, unit: str | None) -> float | None:
    """Convert a weight with a unit to kg (斤 = 0.5 kg; lb = 0.45359237 kg, rounded to whole kg)."""
    if unit is None:
        return None
    u = unit.strip()
    if u == "斤":
        return float(v / 2)
    if u.startswith(("lb", "pound")):
        return float(round(v * Decimal("0.45359237")))
    return float(v)


def _norm_letter_size(raw: str) -> str:
    """``xl`` -> ``XL``, ``2xl`` -> ``XXL``, ``3xl`` -> ``XXXL``, ``4xl``/``xxxxl`` -> ``4XL``."""
    raw = raw.lower().replace(" ", "")
    m = re.fullmatch(r"([2-6])xl", raw)
    if m:
        n = int(m.group(1))
    elif re.fullmatch(r"x+l", raw):
        n = raw.count("x")
    else:
        return raw.upper()
    if n <= 3:
        return "X" * n + "L"
    return f"{n}XL"
