"""What one pack holds, and per-unit questions: "一斤多少钱", "一片多少钱", "一盒多少抽",
"how many sponges in one pack", "price for 1 tube".

A pack's contents are read from the variant label (5片装, 250g礼盒, 15包), else the catalog's
``unit`` column (2个, 1盒（4枚）, 80抽/盒, 1套（3支）), else the title (2片装, 500g). Weights are in
grams (1斤 = 500 g, 1两 = 50 g, 1公斤 = 1000 g: the Chinese market units, GB 3100-1993 annex).
The answer never divides a price: it says what the price buys (一盒4枚, 500g正好一斤), so every
number in it is a catalog fact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from app.catalog.model import Product, Sku

_PIECE = "个枚只颗粒"
"""Counting words for one piece of food or goods: 一个蛋黄酥 is one 枚 of the box."""
_COUNTERS = "支个片包盒瓶袋罐枚只颗粒抽条双套张贴卷"
_UNIT_EN = {"支": "tube", "个": "piece", "片": "piece", "包": "pack", "盒": "box", "瓶": "bottle",
            "袋": "bag", "罐": "can", "枚": "piece", "只": "piece", "颗": "piece", "粒": "piece",
            "抽": "sheet", "条": "piece", "双": "pair", "套": "set", "张": "sheet", "贴": "patch", "卷": "roll"}
_EN_COUNTER = {"tube": "支", "tubes": "支", "piece": "个", "pieces": "个", "pc": "个", "pcs": "个", "pack": "包",
               "packs": "包", "box": "盒", "boxes": "盒", "bag": "袋", "bags": "袋", "bottle": "瓶", "bottles": "瓶",
               "sheet": "片", "sheets": "片", "sachet": "包", "sachets": "包", "can": "罐", "jar": "罐", "set": "套",
               "pair": "双", "sponge": "个", "sponges": "个", "cake": "个", "cakes": "个"}
_GRAMS = {"g": Decimal(1), "克": Decimal(1), "kg": Decimal(1000), "公斤": Decimal(1000), "千克": Decimal(1000),
          "斤": Decimal(500), "两": Decimal(50)}

_AMOUNT = re.compile(rf"(?i)(\d+(?:\.\d+)?)\s*(kg|公斤|千克|(?-i:g)(?![a-z])|克|斤|[{_COUNTERS}])")
"""An amount in a label or column: 250g, 5片, 1kg (a capital G is storage, 128G, never grams)."""
_ONE = r"(?:[一1每单]|one|a single|1)"
_ASK_WEIGHT = re.compile(r"(?i)(?:[一1]|半)\s*(斤|两|公斤|千克)|(?<![\d.])(\d+(?:\.\d+)?)\s*((?-i:g)|克|kg|公斤)(?![a-z])|(?:per|a|one)\s+(jin|kg|kilo)\b")
_ASK_COUNT = re.compile(rf"(?i)(?:[一1每单])\s*([{_COUNTERS}])|(?:per|for\s+(?:1|one|a single)|each|one)\s+([a-z]+)")
_PRICE_CUE = re.compile(r"(?i)多少钱|多少米|什么价|啥价|价格|价钱|多少$|多少[呀啊呢吗?？]|几块|price|how much|cost")
_HOW_MANY = re.compile(rf"(?i)(?:多少|几)\s*([{_COUNTERS}])|how many\s+([a-z]+)|(?:是|按)\s*[一1]\s*([{_COUNTERS}])\s*的价")
"""A question about how many a pack holds (一盒多少抽, 几片, how many sponges, 是一片的价格吗)."""


@dataclass(frozen=True, slots=True)
class PerUnitQuestion:
    """What a per-unit question asks: ``grams`` (一斤 = 500) or ``counter`` (片, 个 ...), and
    whether it asks the price (``price``) or how many a pack holds (``how_many``)."""

    grams: Decimal | None = None
    counter: str = ""
    price: bool = False
    how_many: bool = False


_STOCK = re.compile(r"(?i)还剩|剩下?|还有|库存|有货|现货|in stock|left")
"""Words of a stock question (原味还剩几袋 asks the stock, not what a pack holds)."""


def read_question(text: str) -> PerUnitQuestion | None:
    """The per-unit question in ``text``, or ``None`` when it asks none."""
    t = text or ""
    m = None if _STOCK.search(t) else _HOW_MANY.search(t)
    if m:
        word = m.group(1) or m.group(3) or _EN_COUNTER.get((m.group(2) or "").lower(), "")
        if word:
            return PerUnitQuestion(counter=word, how_many=True)
    if not _PRICE_CUE.search(t):
        return None
    w = _ASK_WEIGHT.search(t)
    if w:
        if w.group(1):
            g = _GRAMS[w.group(1)] / (2 if t[w.start():w.start() + 1] == "半" else 1)
        elif w.group(2):
            g = Decimal(w.group(2)) * _GRAMS[w.group(3).lower()]
        else:
            g = Decimal(500) if w.group(4).lower() == "jin" else Decimal(1000)
        return PerUnitQuestion(grams=g, price=True)
    c = _ASK_COUNT.search(t)
    if c:
        word = c.group(1) or _EN_COUNTER.get((c.group(2) or "").lower(), "")
        if word and word not in ("两",):
            return PerUnitQuestion(counter=word, price=True)
    return None


def _amounts(text: str) -> list[tuple[Decimal, str]]:
    return [(Decimal(n), u.lower()) for n, u in _AMOUNT.findall(text or "")]


def _same_counter(a: str, b: str) -> bool:
    return a == b or (a in _PIECE and b in _PIECE)


_PACK_POINT = re.compile(rf"每\s*[包盒袋罐套瓶份]\s*(\d+)\s*([{_COUNTERS}])|(\d+)\s*([{_COUNTERS}])装")
"""A selling point saying what a pack holds (独立包装，每包5条; 2片装)."""


def _pack_texts(p: Product, sku: Sku | None) -> list[str]:
    out = [v for v in (sku.values if sku else ()) if v]
    points = [f"{m.group(1) or m.group(3)}{m.group(2) or m.group(4)}" for sp in p.selling_points
              for m in _PACK_POINT.finditer(sp)]
    return out + [x for x in (p.unit, *points, p.title) if x]


def count_in(p: Product, sku: Sku | None, counter: str) -> Decimal | None:
    """How many ``counter`` (片, 支, 个 ...) one ``sku`` (or the product) holds, from its label,
    then the unit column, then the title; ``None`` when none says."""
    for t in _pack_texts(p, sku):
        for n, u in _amounts(t):
            if _same_counter(u, counter):
                return n
    return None


def grams_of(p: Product, sku: Sku | None) -> Decimal | None:
    """The weight in grams one ``sku`` (or the product) holds: its label's weight, else the net
    weight when it is one figure, else a weight in the title; ``None`` when unknown."""
    texts = [v for v in (sku.values if sku else ()) if v]
    nets = [(n, u) for n, u in _amounts(p.net_weight) if u in _GRAMS]
    if len(nets) == 1 and "/" not in p.net_weight.split(str(nets[0][0]))[-1][:2]:  # 25g/包 is one piece
        texts.append(p.net_weight)
    texts.append(p.title)
    for t in texts:
        for n, u in _amounts(t):
            if u in _GRAMS:
                return n * _GRAMS[u]
    return None


def _fmt(d: Decimal) -> str:
    return f"{d.normalize():f}"


def _counted(n: Decimal, counter: str, lang: str) -> str:
    if lang == "zh":
        return f"{_fmt(n)}{counter}"
    word = _UNIT_EN.get(counter, "piece")
    return f"{_fmt(n)} {word}{'s' if n != 1 and not word.endswith('s') else ''}"


def _weight(g: Decimal, lang: str) -> str:
    if g >= 1000 and g % 1000 == 0:
        return f"{_fmt(g / 1000)}kg"
    return f"{_fmt(g)}g"


def _jin(g: Decimal) -> str:
    return {Decimal(500): "一斤", Decimal(250): "半斤", Decimal(1000): "两斤"}.get(g, "")


def answer(p: Product, q: PerUnitQuestion, lang: str, price_of) -> str | None:
    """The body of the answer to ``q`` about ``p`` (no greeting, no nickname), or ``None`` when
    the catalog does not say what a pack holds. ``price_of(sku)`` gives a SKU's price (yuan)."""
    zh = lang == "zh"
    skus: list[Sku | None] = list(p.skus) or [None]
    price = (lambda s: price_of(s) if s is not None else p.price)

    def yuan(v: Decimal) -> str:
        return f"{_fmt(v)}元" if zh else f"{_fmt(v)} yuan"

    def label(s: Sku | None) -> str:
        if s is None:
            return ""
        v = "/".join(x for x in s.values if x)
        return v if zh else (p.label_en(v) or "")

    if q.grams is not None:
        rows = [(s, grams_of(p, s)) for s in skus]
        if any(g is None for _, g in rows):
            return None
        exact = [(s, g) for s, g in rows if g == q.grams]
        if exact and len(rows) > 1:
            s, g = exact[0]
            jin = _jin(g)
            return (f"{_weight(g, lang)}{'（' + jin + '）' if jin else ''}{yuan(price(s))}" if zh
                    else f"{_weight(g, lang)} is {yuan(price(s))}")
        if len(rows) == 1:
            s, g = rows[0]
            pack = next((u for _, u in _amounts(p.unit) if u not in _GRAMS), "") if p.unit else ""
            jin = _jin(g)
            if zh:
                just = f"，正好{jin}" if jin and g == q.grams else ""
                return f"{yuan(price(s))}{'一' + pack if pack else ''}，是{_weight(g, lang)}{just}"
            return f"{yuan(price(s))} for {_weight(g, lang)}"
        parts = [f"{label(s) or _weight(g, lang)}{yuan(price(s))}" if zh
                 else f"{_weight(g, lang)} is {yuan(price(s))}" for s, g in rows[:3]]
        return ("，".join(parts) if zh else ", ".join(parts)) + ("，按规格卖" if zh else ", sold by the pack")

    counter = q.counter
    rows = [(s, count_in(p, s, counter)) for s in skus]
    if any(n is None for _, n in rows):
        if q.price and len(rows) > 1 and all(count_in(p, s, counter) is None for s in skus):
            return None
        rows = [(s, n if n is not None else count_in(p, None, counter)) for s, n in rows]
        if any(n is None for _, n in rows):
            return None
    if q.how_many:
        counts = list(dict.fromkeys(n for _, n in rows))
        if len(counts) == 1:
            pack = next((u for _, u in _amounts(p.unit) if not _same_counter(u, counter)), "")
            if zh:
                return f"{'一' + pack if pack else '一份'}{_counted(counts[0], counter, lang)}"
            return f"a {_UNIT_EN.get(pack, 'pack')} holds {_counted(counts[0], counter, lang)}"
        parts = [f"{label(s)}是{_counted(n, counter, lang)}" if zh else f"{label(s) or 'one option'}: "
                 f"{_counted(n, counter, lang)}" for s, n in rows[:3]]
        return "，".join(parts) if zh else ", ".join(parts)
    ones = [s for s, n in rows if n == 1]
    if ones and len(rows) > 1:  # 洗脸巾一盒: the 1盒 variant itself
        s = ones[0]
        inner = next(((n, u) for n, u in _amounts(p.unit) if not _same_counter(u, counter) and u not in _GRAMS), None)
        extra = f"（{_counted(inner[0], inner[1], lang)}）" if inner and zh else ""
        return f"{label(s)}{extra}{yuan(price(s))}" if zh else f"{label(s) or 'one'} is {yuan(price(s))}"
    if len(rows) == 1 or len({price(s) for s, _ in rows}) == 1 and len({n for _, n in rows}) == 1:
        s, n = rows[0]
        pack = next((u for m, u in _amounts(p.unit) if not _same_counter(u, counter) and u not in _GRAMS), "")
        if n == 1:
            return None  # sold one by one: the plain price answers it
        lo = min(price(x) for x, _ in rows)
        if zh:
            head = f"一{pack}" if pack else "一份"
            return f"{yuan(lo)}{'起' if len(rows) > 1 and len({price(x) for x, _ in rows}) > 1 else ''}{head}，{head}{_counted(n, counter, lang)}"
        return f"{yuan(lo)} for a {_UNIT_EN.get(pack, 'pack')} of {_fmt(n)}"
    parts = [(f"{label(s)}{yuan(price(s))}" if counter in label(s) else f"{label(s)}（{_counted(n, counter, lang)}）{yuan(price(s))}")
             if zh else f"{_counted(n, counter, lang)} for {yuan(price(s))}" for s, n in rows[:3]]
    return "，".join(parts) if zh else ", ".join(parts)
