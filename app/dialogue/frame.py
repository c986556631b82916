"""The question frame of one message: products referred to, attribute asked, constraints,
and how sure the product reading is.

``build_frame(catalog, vocab, ev, fallback)`` -> :class:`Frame`. Listing references are read in
every usual writing (2, #2, no. 2, number 2, link 33, 2号, 二号, 三十一号, 链接2, 2号链接,
第8个链接, 21#, "31和32号", "3 or 7" in a comparison).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import cn2an

from app.catalog.model import Catalog, Product
from app.dialogue.variants import named_options
from app.dialogue.vocabulary import ProductVocabulary
from app.events import IntentClassified

_NUM = r"(\d{1,3}|[零一二两三四五六七八九十百]{1,4})"
_LISTING_PATTERNS = (
    re.compile(rf"第\s*{_NUM}\s*个?\s*链接"),
    re.compile(rf"链接\s*{_NUM}(?!\s*[元块%])"),
    re.compile(rf"{_NUM}\s*号(?!\s*[码mM])"),
    re.compile(r"(?<![\d.])(\d{1,3})\s*#"),
    re.compile(r"#\s*(\d{1,3})(?![\d.])"),
    re.compile(r"(?i)\b(?:no\.?|number|link|item)\s*#?\s*(\d{1,3})\b"),
)
_PAIR = re.compile(rf"{_NUM}\s*(?:号|号链接)?\s*(?:和|跟|与|还是|或者?|比|vs\.?|or|and)\s*{_NUM}\s*号")
_BARE_PAIR = re.compile(r"(?i)(?<![\d.])(\d{1,3})\s*(?:号)?\s*(?:和|跟|与|还是|或者?|比|vs\.?|or|and|,)\s*(\d{1,3})(?![\d.]|\s*(?:cm|kg|斤|元|块|码|ml|g\b))")
_COMPARE = re.compile(r"(?i)哪个|哪款|哪一个|区别|差别|对比|比较|比.{0,6}(?:贵|便宜|好|大|小|厚|暖)|which|compare|difference|\bvs\b|better")
_DEARER = re.compile(r"(?i)贵|expensive|costs? more|pricier|dearer")
_CHEAPER = re.compile(r"(?i)便宜|实惠|划算|cheap|costs? less")
COMPARE_ATTRS = {
    "price": re.compile(r"(?i)便宜|贵|价格|价钱|划算|实惠|差多少钱|cheap|expensive|price|cost|pricier"),
    "stock": re.compile(r"(?i)货多|库存|现货|stock"),
}


_MODEL = re.compile(r"(?i)(?<![a-z])([a-z]{2,}\s?\d{1,4}[a-z]{0,3})(?![a-z0-9])")
"""A model name: Latin letters then a number (Mate 60, iPhone15, K50) -- one we lack is not ours."""


_NOT_MODEL = frozenset(
    "no number link item cm kg ml mm gb tb mah ah lbs lb oz in inch size spf ip usb am pm yuan rmb and or vs the "
    "is it to for of on at by with than under below over about around".split())
"""Words before a number that make no model name (units, listing words, sizes, plain English)."""


def _to_int(s: str) -> int | None:
    if s.isdigit():
        return int(s)
    try:
        return int(cn2an.cn2an(s, "smart"))
    except (ValueError, KeyError, TypeError):
        return None


def listing_refs(text: str) -> tuple[int, ...]:
    """Listing numbers a message names, in order of appearance, without repeats.

    Bare number pairs ("3 or 7", "31和32号") count only in a comparison question or with 号."""
    hits: list[tuple[int, int]] = []
    for pat in _LISTING_PATTERNS:
        for m in pat.finditer(text):
            n = _to_int(m.group(1))
            if n is not None:
                hits.append((m.start(1), n))
    for m in _PAIR.finditer(text):
        for g in (1, 2):
            n = _to_int(m.group(g))
            if n is not None:
                hits.append((m.start(g), n))
    if _COMPARE.search(text):
        for m in _BARE_PAIR.finditer(text):
            hits.extend((m.start(g), int(m.group(g))) for g in (1, 2))
    return tuple(dict.fromkeys(n for _, n in sorted(hits)))


@dataclass(frozen=True, slots=True)
class Frame:
    """What one message asks about.

    ``products``: the products resolved, in the order named (empty = none);
    ``listings``: listing numbers named (any writing); ``unknown_listings``: those the catalog
    lacks; ``goods_words``: kinds of goods named (毛巾, phone ...); ``unsold_words``: goods words no
    product of the catalog carries; ``source``: how ``products`` were found (``listing``,
    ``mention``, ``goods_word``, ``fallback``, ``none``); ``sure``: False when the reading is
    ambiguous (``unsure`` says why); ``compare``: the message compares products.
    """

    intent: str
    products: tuple[Product, ...] = ()
    listings: tuple[int, ...] = ()
    unknown_listings: tuple[int, ...] = ()
    goods_words: tuple[str, ...] = ()
    unsold_words: tuple[str, ...] = ()
    source: str = "none"
    sure: bool = True
    unsure: str = ""
    compare: bool = False
    compare_attr: str = ""
    dearer: bool = False
    """In a price comparison, the viewer asked which costs more (贵 / more expensive)."""


def build_frame(catalog: Catalog, vocab: ProductVocabulary, ev: IntentClassified,
                fallback: Product | None) -> Frame:
    """The frame of ``ev``; ``fallback`` is the product the viewer last asked about or the
    now-selling one (used only when the message names no product, category or kind of goods)."""
    text = ev.text or ""
    listings = listing_refs(text)
    if ev.slots.listing_number is not None and ev.slots.listing_number not in listings:
        listings = (ev.slots.listing_number, *listings)
    by_listing = [catalog.by_listing(n) for n in listings]
    unknown = tuple(n for n, p in zip(listings, by_listing) if p is None)
    known = tuple(p for p in by_listing if p is not None)
    compare = bool(_COMPARE.search(text)) and (len(listings) >= 2 or len(ev.slots.product_mentions) >= 2)
    attr = next((k for k, pat in COMPARE_ATTRS.items() if pat.search(text)), "") if compare else ""
    words = vocab.goods_words(text)
    models = [m.group(1) for m in _MODEL.finditer(text)
              if re.match(r"[a-z]+", m.group(1).lower()).group(0) not in _NOT_MODEL]
    unknown_models = [m for m in models if not vocab.model_known(m)]
    dearer = attr == "price" and bool(_DEARER.search(text)) and not _CHEAPER.search(text)
    base = dict(intent=ev.intent, listings=listings, unknown_listings=unknown, goods_words=words,
                compare=compare, compare_attr=attr, dearer=dearer)
    if listings:
        return Frame(products=known, source="listing", **base)
    if unknown_models:  # a model name none of our products carries: not ours, or not sure which
        return Frame(source="none", sure=False, unsure="product", **base)
    mentions = tuple(p for p in (catalog.get(pid) for pid in ev.slots.product_mentions) if p is not None)
    if mentions and words:
        # a mention is trusted when it carries one of the goods words the message names
        carried = tuple(p for p in mentions if any(vocab.names(p, w) for w in words))
        if carried:
            mentions = carried
    if fallback is not None and not mentions and named_options(fallback, text):
        # the message names one of the fallback's own variants (a phone model a case comes in)
        return Frame(products=(fallback,), source="fallback", **base)
    if words:
        unsold = tuple(w for w in words if not vocab.products_named(w))
        if fallback is not None and any(vocab.names(fallback, w) for w in words):
            return Frame(products=(fallback,), source="fallback", **base)
        named = [p for p in mentions if any(vocab.names(p, w) for w in words)]
        if named:
            return Frame(products=tuple(named), source="mention", sure=len(named) == 1 or compare,
                         unsure="" if len(named) == 1 or compare else "product", **base)
        if len(unsold) == len(words):
            return Frame(unsold_words=unsold, source="none", **base)
        carriers = {p.product_id: p for w in words for p in vocab.products_named(w)}
        if len(carriers) == 1:
            return Frame(products=tuple(carriers.values()), source="goods_word", **base)
        return Frame(products=tuple(carriers.values())[:2], source="goods_word", sure=False, unsure="product",
                     **base)
    if mentions:
        return Frame(products=mentions, source="mention", **base)
    if fallback is not None:
        return Frame(products=(fallback,), source="fallback", **base)
    return Frame(**base)
