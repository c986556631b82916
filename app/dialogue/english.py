"""Catalog values said in English: materials, storage, warranty, flavours and other option values
written in Chinese ("羊毛50% 腈纶50%" -> "50% wool, 50% acrylic"; "全国联保一年" -> "1 year,
nationwide"; "阴凉干燥处，避免阳光直射" -> "in a cool, dry place, away from direct sunlight").

``GOODS_EN`` is a glossary of the words Chinese shop catalogs use for materials, parts, storage,
warranty terms and flavours, written for this package (each entry checked by hand: one meaning
in a product listing, none of a general dictionary's other senses). :func:`say_in_english`
translates a value only when every Chinese word in it is in the glossary; otherwise it returns
``None`` and the reply is held for the seller ("missing: X in English"), never half-translated.
"""

from __future__ import annotations

import re
import unicodedata

import cn2an

GOODS_EN: dict[str, str] = {
    # fibres and fabrics
    "棉": "cotton", "纯棉": "pure cotton", "全棉": "pure cotton", "长绒棉": "long-staple cotton",
    "埃及长绒棉": "Egyptian long-staple cotton", "新疆长绒棉": "Xinjiang long-staple cotton",
    "新疆阿瓦提长绒棉": "Awati (Xinjiang) long-staple cotton", "羊毛": "wool", "羊绒": "cashmere",
    "腈纶": "acrylic", "聚酯纤维": "polyester", "涤纶": "polyester", "氨纶": "spandex", "锦纶": "nylon",
    "尼龙": "nylon", "粘纤": "viscose", "粘胶纤维": "viscose", "黏胶纤维": "viscose", "黏纤": "viscose",
    "莫代尔": "modal", "亚麻": "linen", "麻": "linen", "真丝": "silk", "桑蚕丝": "mulberry silk",
    "蚕丝": "silk", "天丝": "lyocell", "雪纺": "chiffon", "牛津纺": "oxford weave", "珊瑚绒": "coral fleece",
    "摇粒绒": "polar fleece", "白鸭绒": "white duck down", "白鹅绒": "white goose down", "鸭绒": "duck down",
    "鹅绒": "goose down", "驼绒": "camel down", "驼毛": "camel hair", "棉麻混纺": "cotton-linen blend",
    "棉麻": "cotton-linen", "网布": "mesh", "加绒": "fleece-lined", "内里加绒": "fleece lining",
    "棉柔巾": "soft cotton-style towel", "超细纤维": "microfiber", "纤维毛": "synthetic bristles",
    "高山苦荞麦壳": "mountain buckwheat hulls", "荞麦壳": "buckwheat hulls",
    "聚醚型聚氨酯": "polyether polyurethane foam", "记忆棉": "memory foam", "乳胶": "latex",
    # leathers, rubbers, plastics, metals, wood, glass
    "真皮": "genuine leather", "牛皮": "cowhide", "头层牛皮": "top-grain cowhide", "反绒牛皮": "suede cowhide",
    "羊皮": "sheepskin", "合成革": "synthetic leather", "超纤皮": "microfiber leather", "PU皮": "PU leather",
    "橡胶": "rubber", "硅胶": "silicone", "液态硅胶": "liquid silicone", "树脂": "resin", "塑料": "plastic",
    "复合膜": "laminated film", "纸板": "cardboard", "不锈钢": "stainless steel", "铝合金": "aluminium alloy",
    "铸铁": "cast iron", "铁艺": "wrought iron", "铁": "iron", "铜": "copper", "珐琅": "enamel",
    "不粘": "non-stick", "木质": "wooden", "实木": "solid wood", "竹": "bamboo", "木": "wood",
    "玻璃": "glass", "钢化玻璃": "tempered glass", "高硼硅玻璃": "borosilicate glass", "陶瓷": "ceramic",
    "大豆蜡": "soy wax", "棉芯": "cotton wick",
    # parts of a product
    "面料": "fabric", "填充": "filling", "内里": "lining", "内衬": "lining", "鞋面": "upper", "鞋底": "sole",
    "锅体": "pan body", "涂层": "coating", "灯座": "lamp base", "灯臂": "lamp arm", "木柄": "wooden handle",
    "柄": "handle", "外壳": "shell", "表带": "strap",
    # storage
    "阴凉干燥处": "in a cool, dry place", "阴凉处": "in a cool place", "干燥处": "in a dry place",
    "避免阳光直射": "away from direct sunlight", "避免高温": "away from heat", "避光": "away from light",
    "密封": "sealed", "密封保存": "sealed", "常温": "at room temperature", "常温保存": "at room temperature",
    "常温密封保存": "sealed, at room temperature",
    "冷藏": "refrigerated", "冷冻": "frozen", "冷藏密封保存更佳": "best kept sealed in the fridge",
    "夏季建议冷藏": "refrigerate in summer", "开袋后冷藏": "refrigerate after opening",
    "开袋后尽快食用": "eat soon after opening", "开罐后尽快食用": "eat soon after opening",
    "开袋后请密封": "reseal after opening", "防潮": "keep dry", "通风": "ventilated", "干燥": "dry",
    "无异味处": "away from strong smells", "开袋即食需加热": "heat before eating", "以下": "below",
    "长期保存": "keeps for years",
    # warranty terms (the fact's name already says "warranty")
    "全国联保": "nationwide", "联保": "nationwide", "有限保修": "limited", "整机": "on the whole unit",
    "保修": "", "质保": "", "非人为损坏免费换新": "free replacement for damage not caused by misuse",
    # electronics selling points
    "大电量": "large battery", "大电池": "large battery", "快充": "fast charging", "闪充": "fast charging",
    "超级闪充": "super fast charging", "有线快充": "wired fast charging", "无线快充": "wireless fast charging",
    "无线充": "wireless charging", "处理器": "processor", "天玑": "Dimensity", "骁龙": "Snapdragon",
    "麒麟": "Kirin", "高刷": "high refresh rate", "读速": "read speeds", "写速": "write speeds",
    "高达": "up to", "接口": "port", "协议": "protocol", "超高清": "Ultra HD", "智能电视": "smart TV",
    "人工智能语音": "AI voice control", "光学防抖": "optical image stabilization", "防抖": "stabilization",
    "防水": "waterproof", "防汗": "sweat-resistant", "防溅": "splash-resistant", "降噪": "noise cancelling",
    "蓝牙": "Bluetooth", "续航": "battery life", "小时": "hours", "毫安": "mAh", "直屏": "flat screen",
    "柔性直屏": "flexible flat screen", "曲面屏": "curved screen", "全面屏": "full screen",
    # clothing selling points
    "微弹面料": "slightly stretchy fabric", "微弹": "slightly stretchy", "弹力": "stretchy", "高弹": "high-stretch",
    "舒适透气": "comfortable and breathable", "透气": "breathable", "舒适": "comfortable", "柔软亲肤": "soft on the skin",
    "柔软": "soft", "亲肤": "skin-friendly", "吸汗": "sweat-absorbing", "速干": "quick-drying", "保暖": "warm",
    "加厚": "thick", "轻薄": "lightweight", "宽松": "loose fit", "修身": "slim fit", "针织布": "knit fabric",
    "针织": "knit", "不起球": "anti-pilling", "不掉色": "colourfast", "可机洗": "machine washable",
    # colours (option values without an English label)
    "白色": "white", "纯白": "pure white", "米白": "off-white", "象牙白": "ivory", "黑色": "black", "红色": "red",
    "正红": "true red", "酒红色": "wine red", "酒红": "wine red", "粉色": "pink", "浅粉": "light pink", "驼色": "camel",
    "卡其": "khaki", "卡其色": "khaki", "深卡其": "dark khaki", "藏青": "navy", "藏青色": "navy", "灰色": "grey",
    "浅灰": "light grey", "深灰": "dark grey", "浅灰色": "light grey", "深灰色": "dark grey", "杏色": "apricot",
    "蓝色": "blue", "浅蓝": "light blue", "深蓝": "dark blue", "浅蓝色": "light blue", "深蓝色": "dark blue",
    "绿色": "green", "军绿": "army green", "军绿色": "army green", "黄色": "yellow", "紫色": "purple", "橙色": "orange",
    "棕色": "brown", "咖啡色": "coffee brown", "银色": "silver", "金色": "gold", "透明": "clear", "白绿": "white and green",
    # flavours and tastes
    "原味": "original", "麻辣": "spicy (mala)", "香辣": "hot and spicy", "五香": "five-spice",
    "微辣": "mildly spicy", "中辣": "medium spicy", "特辣": "extra spicy", "不辣": "not spicy",
    "甜": "sweet", "咸": "salty", "海盐": "sea salt", "黑椒": "black pepper", "蜂蜜": "honey",
    "抹茶": "matcha", "草莓": "strawberry", "芒果": "mango", "柠檬": "lemon", "巧克力": "chocolate",
    "奶香": "milky", "烧烤": "barbecue", "番茄": "tomato", "芝士": "cheese", "绿茶": "green tea",
}
"""Chinese catalog words -> English (materials, parts, storage, warranty terms, flavours)."""

_PARTS = {"面料", "填充", "内里", "内衬", "鞋面", "鞋底", "锅体", "涂层", "灯座", "灯臂", "柄", "外壳", "表带"}
"""Part words: "鞋面网布" is "mesh upper" (the part after what it is made of)."""

_SPLIT = re.compile(r"[，,；;、。]+|\s+")
_TOKEN = re.compile(r"(?P<num>\d+(?:\.\d+)?(?:-\d+(?:\.\d+)?)?\s*(?:%|℃|°C|[A-Za-z]{1,4}(?:/[A-Za-z]{1,2})?\+?|\+)?)"
                    r"|(?P<latin>[A-Za-z][A-Za-z0-9+\-.]*)")
"""A number with its unit (50%, 0-4℃, 5160mAh, 3500MB/s, 9000+) or a Latin word (NVMe, M.2)."""
_DURATION = re.compile(r"(\d+)\s*(年|个月|月|天|日)")
_CN_DURATION = re.compile(r"([一二两三四五六七八九十]+)(年|个月|天)")
_DUR_EN = {"年": "year", "个月": "month", "月": "month", "天": "day", "日": "day"}
_LONGEST = max(len(k) for k in GOODS_EN)


def _plural(n: str, unit: str) -> str:
    return f"{n} {unit}{'' if n == '1' else 's'}"


def _words(clause: str) -> list[tuple[str, str]] | None:
    """``clause`` as (kind, English) pieces -- kind ``num``, ``latin``, ``part`` or ``word`` --
    by longest glossary match; ``None`` when a Chinese character is not covered."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(clause):
        m = _TOKEN.match(clause, i)
        if m:
            kind = "num" if m.group("num") else "latin"
            out.append((kind, m.group(0).replace(" ", "").replace("℃", "°C")))
            i = m.end()
            continue
        for n in range(min(_LONGEST, len(clause) - i), 0, -1):
            w = clause[i:i + n]
            if w in GOODS_EN:
                out.append(("part" if w in _PARTS else "word", GOODS_EN[w]))
                i += n
                break
        else:
            if re.match(r"[\u3400-\u9fff]", clause[i]):
                return None
            if clause[i] == "+":
                out.append(("word", "and"))
            i += 1
    return out


def _clause_en(clause: str) -> str | None:
    pieces = _words(clause)
    if pieces is None:
        return None
    lead = ""
    if pieces and pieces[0][0] == "part" and len(pieces) > 1:  # 面料100%棉: "fabric: 100% cotton"
        lead = pieces.pop(0)[1] + ": "
    parts = [en for kind, en in pieces if kind == "part"]
    nums = [en for kind, en in pieces if kind == "num"]
    rest = [en for kind, en in pieces if kind in ("word", "latin") and en]
    if nums and nums[0].endswith("°C"):  # 冷藏0-4℃, 20℃以下
        if "below" in rest:
            rest.remove("below")
            temp = f"below {nums[0]}"
        else:
            temp = f"at {nums[0]}"
        body = " ".join(rest + [temp])
    elif any(n.endswith("%") for n in nums):
        body = " ".join([*nums, *rest])  # 棉100% and 100%棉 are both "100% cotton"
    else:  # 天玑8100 is "Dimensity 8100", 5160mAh大电量 "5160mAh large battery": the words in order
        body = " ".join(en for kind, en in pieces if kind in ("word", "latin", "num") and en)
    out = " ".join(x for x in (body, *parts) if x)
    return lead + out if out else ""


def arabic_durations(text: str) -> str:
    """``text`` with durations in Chinese numerals written in digits (五年 -> 5年, 十二个月 -> 12个月)."""
    return _CN_DURATION.sub(lambda m: f"{cn2an.cn2an(m.group(1), 'smart')}{m.group(2)}", text or "")


def say_in_english(value: str, fact: str = "") -> str | None:
    """``value`` (a catalog column or option value, Chinese) in English, or ``None`` when a
    word in it is not in :data:`GOODS_EN`. ``fact`` ``warranty`` puts the duration first
    ("全国联保一年" -> "1 year, nationwide"); durations are said with their units (年 -> years)."""
    v = unicodedata.normalize("NFKC", value or "").strip()
    if not v:
        return None
    if v.isascii():
        return v
    v = arabic_durations(v)  # 三年 -> 3年
    durations: list[str] = []

    def duration(m: re.Match) -> str:
        durations.append(_plural(m.group(1), _DUR_EN[m.group(2)]))
        return " "
    v = _DURATION.sub(duration, v)
    inner = re.findall(r"[（(]([^）)]*)[）)]", v)
    v = re.sub(r"[（(][^）)]*[）)]", " ", v)
    clauses = []
    for c in _SPLIT.split(v):
        if not c:
            continue
        en = _clause_en(c)
        if en is None:
            return None
        clauses.append(en)
    extra = []
    for c in inner:
        ens = [_clause_en(p) for p in _SPLIT.split(c) if p]
        if any(e is None for e in ens):
            return None
        if any(ens):
            extra.append(", ".join(e for e in ens if e))
    words = [c for c in clauses if c]
    if fact == "warranty" or (durations and not words):
        out = ", ".join([*durations, *words])
    else:
        out = ", ".join(words + durations)
    if extra:
        out += "".join(f" ({e})" for e in extra)
    return out or None
