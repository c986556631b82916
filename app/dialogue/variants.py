"""Variant option labels named in a message (2.25x2.6, 250g, 38码, 30ml, a phone model ...)."""

from __future__ import annotations

import re

from app.catalog.model import Product, Sku

_SPACE = re.compile(r"[\s\-_/·]+")
VARIANT_TOKEN = re.compile(
    r"(?i)\d+(?:\.\d+)?\s*(?:ml|毫升|l|升|g|克|kg|公斤|斤|gb|g\b|tb|t\b|寸|英寸|inch|w|瓦|mah|包|片|支|袋|盒|罐|瓶|粒|件套|米|m\b|码|cm"
    r"|pcs\b|pieces?\b|packs?\b|bags?\b|sachets?\b|tubes?\b|bottles?\b|boxes\b|box\b|pairs?\b|cans?\b)"
    r"|\d+(?:\.\d+)?\s*[x×*]\s*\d+(?:\.\d+)?")
"""A variant-like token: a quantity with a unit or a dimension (what an option label looks like)."""


_MODEL_TAIL = re.compile(r"[a-z]+\d+[a-z]*")
"""The model part at the end of a value (reno8 of "oppo reno8", k50 of "redmi k50")."""


def _norm(s: str) -> str:
    return _SPACE.sub("", s.lower())


_UNIT_CANON = (
    ("ml", ("毫升", "ml")), ("l", ("升", "l")), ("kg", ("公斤", "kg")), ("g", ("克", "gb", "g")),
    ("t", ("tb", "t")), ("in", ("英寸", "寸", "inch", "inches", '"')), ("mah", ("毫安时", "毫安", "mah")),
    ("w", ("瓦", "w")), ("cm", ("厘米", "cm")), ("mm", ("毫米", "mm")), ("hz", ("hz",)), ("k", ("k",)),
)
"""Unit spellings read as one (13升 = 13L, 512G = 512GB, 14英寸 = 14寸 = 14 inch, 两万毫安 = 20000mAh).
Gram and gigabyte share ``g``: one product never offers both."""
_UNIT_OF = {sp: canon for canon, spellings in _UNIT_CANON for sp in spellings}
_QTY = re.compile(
    r"(?i)(?<![a-z0-9.])(\d+(?:\.\d+)?|[零一二两三四五六七八九十百千万]+)\s*("
    + "|".join(sorted((re.escape(u) for u in _UNIT_OF), key=len, reverse=True)) + r")(?![a-z0-9])")
_TOKEN = re.compile(r"[\u4e00-\u9fff]+\d+(?:\.\d+)?|[a-z0-9]+(?:\.[0-9]+)?|[\u4e00-\u9fff]{2,}")


def _quantity(num: str, unit: str) -> str | None:
    if not num[0].isdigit():
        if unit in ("寸",):  # 几寸 is no size
            return None
        try:
            import cn2an

            num = str(int(cn2an.cn2an(num, "smart")))
        except (ValueError, KeyError, TypeError):
            return None
    n = num.rstrip("0").rstrip(".") if "." in num else num
    return f"{n}{_UNIT_OF[unit.lower()]}"


_DIM = re.compile(r"(\d+(?:\.\d+)?)\s*[x×*]\s*(\d+(?:\.\d+)?)")


def _spans(text: str) -> list[tuple[str, str]]:
    """``(token, spelling)`` pairs of :func:`label_tokens`, in order of appearance, each with its
    own spelling in ``text``."""
    low = text.lower()
    out: list[tuple[int, str, str]] = []
    for m in _DIM.finditer(low):
        out.append((m.start(), f"{m.group(1)}x{m.group(2)}", text[m.start():m.end()]))
    masked = _DIM.sub(lambda m: " " * len(m.group(0)), low)
    for m in _QTY.finditer(masked):
        q = _quantity(m.group(1), m.group(2))
        if q:
            out.append((m.start(), q, text[m.start():m.end()]))
    masked = _QTY.sub(lambda m: " " * len(m.group(0)) if _quantity(m.group(1), m.group(2)) else m.group(0), masked)
    for m in _TOKEN.finditer(masked):
        t = m.group(0)
        if len(t) < 2:  # 4 of PCIe3.0*4, the L of a size: too short to tell values apart
            continue
        out.append((m.start(), t, text[m.start():m.end()]))
        num = re.search(r"\d+(?:\.\d+)?$", t)
        if num and not t.isascii() and len(num.group(0)) >= 2:  # 新品980 is also named by 980
            out.append((m.start() + num.start(), num.group(0), text[m.start() + num.start():m.end()]))
    return [(t, sp) for _, t, sp in sorted(out)]


def say_value(p: Product, value: str, text: str, lang: str) -> str:
    """How a host says an option value the message named: the value itself when short, else
    only its words the viewer used ("16升" for JSQ30-565W16【16升】【恒温旗舰款】, "980 PRO" for
    980 PRO | NVMe PCIe 4.0); in English the English label, or the viewer's own spelling of a
    Chinese word ("13L")."""
    if lang != "zh" and p.label_en(value):
        return p.label_en(value)
    if len(_norm(value)) <= (16 if value.isascii() else 10) and not re.search(r"[【】|()（）\[\]]", value) \
            and (lang == "zh" or value.isascii()):
        return value  # short enough to say whole ("iPhone 8 Plus", never "iPhone Plus")
    said = dict(_spans(text))
    own = [(t, sp) for t, sp in _spans(value) if t in said]
    if not own:
        return value
    words = [sp if (lang == "zh" or sp.isascii()) else said[t] for t, sp in own]
    return " ".join(dict.fromkeys(w.strip() for w in words))


def label_tokens(text: str) -> frozenset[str]:
    """The words of an option label or a message as compared by :func:`named_options`'s token
    reading: dimensions (2.25x2.6), quantities with their unit in one spelling (13升 and 13L ->
    ``13l``), Latin/digit runs (r7, 980, pro, jsq25) and Chinese runs of two or more characters
    (恒温旗舰款); a Chinese run with a number written onto it is kept whole (小米8 is no 小米13)
    and its number of two or more digits counts too (新品980 is named by 980)."""
    return frozenset(t for t, _ in _spans(text))


def _by_tokens(values: tuple[str, ...], text: str) -> str | None:
    """The one value of an option the message names by its distinctive words (R7 of "R7 16G 512",
    16升 of "JSQ30-565W16【16升】", "980 PRO" of "980 PRO | NVMe PCIe 4.0"), or ``None``.

    A word shared by every value names none of them; the value with the most distinctive words
    in the message wins, and only when no other value has as many. Chinese words are matched
    inside the message's text, other words as whole words."""
    if len(values) < 2:
        return None
    toks = {v: label_tokens(v) for v in values}
    shared = frozenset.intersection(*toks.values())
    said = label_tokens(text)
    low = _norm(text)
    scores = []
    for v in values:
        own = toks[v] - shared
        scores.append((sum(1 for t in own if t in said or (not t.isascii() and t in low)), v))
    scores.sort(key=lambda x: -x[0])
    if scores[0][0] > 0 and scores[0][0] > scores[1][0]:
        return scores[0][1]
    top = [v for n, v in scores if n == scores[0][0]]
    if any(t in said for t in shared if not t.isascii() or t.isalnum()):
        # "980" of 新品980 / 980 PRO: the model without a qualifier the viewer did not say
        plain = [v for v in top if not (toks[v] & _QUALIFIERS) - said]
        if len(plain) == 1:
            return plain[0]
    return None


MODEL_QUALIFIERS = ("promax", "pro", "max", "plus", "ultra", "lite", "mini", "air", "neo")
"""Model qualifiers, longest first: "980" names the 980, not the 980 PRO; "iPhone 14" not the 14 Pro."""
_QUALIFIERS = frozenset(MODEL_QUALIFIERS) | {"se"}


def option_values(p: Product) -> dict[str, tuple[str, ...]]:
    """Option name -> its distinct non-empty values over the product's SKUs."""
    out: dict[str, dict[str, None]] = {}
    for s in p.skus:
        for name, value in s.options:
            if value:
                out.setdefault(name, {})[value] = None
    return {n: tuple(v) for n, v in out.items()}


def _names_value(key: str, low: str, spaced: str) -> bool:
    if key.isdigit() or (key.isascii() and len(key) <= 2):  # 40, XL: a whole token only
        return re.search(rf"(?<![0-9a-z.]){re.escape(key)}(?![0-9a-z.])", spaced) is not None
    if key in low:
        return True

    stem = key[:-1] if key.endswith("色") and len(key) > 2 else ""
    return bool(stem) and stem in low


_QUALIFIED_MODEL = re.compile(rf"([a-z]*\d{{1,4}}|ipad|macbook|airpods|iphone)({'|'.join(MODEL_QUALIFIERS)})(?![a-z])")
"""A model and its qualifier in normalised text (iphone14pro, k50pro, ipadair)."""


def _qualified_away(value: str, low: str) -> bool:
    """True when the message names ``value``'s model only with a qualifier the value lacks:
    "iPhone 14 Pro" does not name the iPhone 14 variant (``value`` and ``low`` normalised)."""
    for m in _QUALIFIED_MODEL.finditer(low):
        base, qual = m.group(1), m.group(2)
        if base and base in value and base + qual not in value:
            unqualified = [x for x in re.finditer(re.escape(base), low) if not low.startswith(base + qual, x.start())]
            if not unqualified:
                return True
    return False


_SHADE_NO = re.compile(r"(\d{1,3})\s*号色|色号\s*(\d{1,3})")
"""A shade asked by its number (1号色, 色号05): the option value it begins (01 正红)."""


_CN_AMOUNT = re.compile(r"([零一二两三四五六七八九十百千万]+)(?=\s*(?:[包片支盒个瓶袋罐枚只颗粒抽条双套张号寸斤克升码]|毫升|毫安|英寸|米|寸|G\b|T\b))")
_CN_MODEL = re.compile(r"(小米|红米|华为|荣耀|苹果|iphone|mate|k)\s*([一二三四五六七八九十]+)(?![一二三四五六七八九十])", re.I)


def arabic_amounts(text: str) -> str:
    """``text`` with Chinese numerals of amounts and model numbers in digits (十五包 -> 15包, 三号色 ->
    3号色, 小米八 -> 小米8, 一个T -> 1TB), so variant labels written in digits match."""
    import cn2an

    def num(m: re.Match) -> str:
        try:
            return str(cn2an.cn2an(m.group(1), "smart"))
        except (ValueError, KeyError):
            return m.group(1)
    t = re.sub(r"([一两1])\s*个\s*T(?![a-z])", "1TB", text or "", flags=re.I)
    t = _CN_AMOUNT.sub(num, t)
    return _CN_MODEL.sub(lambda m: m.group(1) + (num(re.match(r"(.+)", m.group(2))) if m.group(2) else ""), t)


def named_options(p: Product, text: str) -> dict[str, tuple[str, ...]]:
    """Option name -> the values of it the message names (longest first, none inside a longer
    one that matched). Values (and their English labels) are matched without case and spaces;
    a value of digits only or of one or two Latin letters must be a whole token. An option none
    of whose values is named whole may still be named by a value's distinctive words
    (:func:`_by_tokens`: "R7 14英寸" names 新小米Pro 14英寸 2.8K屏 / R7 16G 512). Chinese numerals of
    amounts count as digits (十五包, 三号色: :func:`arabic_amounts`)."""
    text = arabic_amounts(text)
    low, spaced = _norm(text), text.lower()
    found: dict[str, tuple[str, ...]] = {}
    for name, values in option_values(p).items():
        hits: list[str] = []
        for v in sorted(values, key=len, reverse=True):
            keys = [k for k in dict.fromkeys(_norm(x) for x in (v, p.label_en(v)) if x) if k]
            parts = v.split()
            if len(parts) > 1 and _MODEL_TAIL.fullmatch(parts[-1].lower()) and len(parts[-1]) >= 3:
                keys.append(parts[-1].lower())  # "OPPO Reno8" is named by "Reno8" alone
            rest = _norm("".join(parts[1:]))
            if len(parts) > 2 and re.search(r"\d", rest) and re.search(r"[a-z]", rest) and len(rest) >= 4:
                keys.append(rest)  # "iPhone 8 Plus" is named by "8 Plus"
            if any(_names_value(k, low, spaced) for k in keys) and not _qualified_away(_norm(v), low) \
                    and not any(_norm(v) in _norm(h) for h in hits):
                hits.append(v)
        if not hits and (one := _by_tokens(values, text)) is not None and not _qualified_away(_norm(one), low):
            hits.append(one)
        if not hits and (shade := _SHADE_NO.search(text)) is not None:  # "1号色" of 01 正红
            n = int(shade.group(1) or shade.group(2))
            hits += [v for v in values if (m := re.match(r"\s*(\d{1,3})(?!\d)", v)) and int(m.group(1)) == n][:1]
        if hits:
            found[name] = tuple(hits)
    return found


def skus_with(p: Product, named: dict[str, tuple[str, ...]]) -> list[Sku]:
    """The SKUs carrying, for every option named, one of the values named."""
    return [s for s in p.skus if all(dict(s.options).get(n) in vs for n, vs in named.items())]


def value_mentioned_loosely(p: Product, word: str) -> bool:
    """True when ``word`` (a colour or option word of the viewer's) is part of one of the
    product's option values, or one of them is part of it (正红 / 复古正红): then "we don't have
    it" would be a guess."""
    w = _norm(word).removesuffix("色")
    if not w:
        return False
    return any(w in _norm(v) or _norm(v).removesuffix("色") in w
               for vs in option_values(p).values() for v in vs if _norm(v).removesuffix("色"))


_JOIN = re.compile(r"(?i)和|跟|与|还是|或者?|比|对比|\bvs\.?|\bor\b|\band\b|,|，|、")


def compared_values(p: Product, text: str) -> tuple[str, tuple[str, ...]] | None:
    """``(option name, values)`` when ``text`` sets two or more values of one option of ``p``
    side by side ("13升和16升差多少钱", "128G跟256G差多少", "black or blue which has more"), read
    part by part between the joining words; ``None`` otherwise."""
    parts = [x for x in _JOIN.split(text) if x.strip()]
    if len(parts) < 2:
        return None
    found: dict[str, dict[str, None]] = {}
    for part in parts:
        for name, vs in named_options(p, part).items():
            for v in vs:
                found.setdefault(name, {})[v] = None
    for name, vs in found.items():
        if len(vs) >= 2:
            return name, tuple(vs)
    return None
