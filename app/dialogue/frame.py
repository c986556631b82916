"""The question frame of one message: products referred to, attribute asked, constraints,
and how sure the product reading is.

``build_frame(catalog, vocab, ev, fallback)`` -> :class:`Frame`. Listing references are read in
every usual writing (2, #2, no. 2, number 2, link 33, 2号, 二号, 三十一号, 链接2, 2号链接,
第8个链接, 21#, "31和32号", "3 or 7" in a comparison).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

import cn2an

from app.catalog.model import Catalog, Product
from app.dialogue.variants import MODEL_QUALIFIERS, named_options
from app.dialogue.vocabulary import ProductVocabulary
from app.events import IntentClassified

_NUM = r"(\d{1,3}|[零一二两三四五六七八九十百]{1,4})"
_LISTING_PATTERNS = (
    re.compile(rf"第\s*{_NUM}\s*个?\s*链接"),
    re.compile(rf"链接\s*{_NUM}(?!\s*[元块%])"),
    re.compile(rf"{_NUM}\s*号(?!\s*[码mM色])"),  # 4号色 is a shade, not listing 4
    re.compile(r"(?<![\d.])(\d{1,3})\s*#"),
    re.compile(r"#\s*(\d{1,3})(?![\d.])"),
    re.compile(r"(?i)\b(?:no\.?|number|link|item)\s*#?\s*(\d{1,3})\b"),
)
_PAIR = re.compile(rf"{_NUM}\s*(?:号|号链接)?\s*(?:和|跟|与|还是|或者?|比|vs\.?|or|and)\s*{_NUM}\s*号")
_BARE_PAIR = re.compile(r"(?i)(?<![\d.a-z])(\d{1,3})\s*(?:号)?\s*(?:和|跟|与|还是|或者?|比|vs\.?|or|and|,)\s*(\d{1,3})(?![\d.a-z]|\s*(?:cm|kg|斤|元|块|码|ml|g\b))")
_COMPARE = re.compile(r"(?i)哪个|哪款|哪一个|区别|差别|对比|比较|比.{0,6}(?:贵|便宜|好|大|小|厚|暖)|which(?! (?:courier|carrier|express|delivery|shipping|company|city|warehouse)\b)|compare|difference|\bvs\b|better|cheaper|pricier|more expensive|costs? (?:more|less)")
"""Words of a comparison ("which courier" asks a fact, not which of two)."""
_DEARER = re.compile(r"(?i)贵|expensive|costs? more|pricier|dearer")
_CHEAPER = re.compile(r"(?i)便宜|实惠|划算|cheap|costs? less")
COMPARE_ATTRS = {
    "price": re.compile(r"(?i)便宜|贵|价格|价钱|划算|实惠|差多少钱|cheap|expensive|price|cost|pricier"),
    "stock": re.compile(r"(?i)货多|库存|现货|stock"),
    "dispatch": re.compile(r"(?i)发货快|发得快|先发|发货早|到得快|快到|ships? (faster|sooner|first|quicker)|"
                           r"arrives? (faster|sooner|first)"),
    "shelf life": re.compile(r"(?i)保质期.{0,3}(长|久)|放得(更)?久|保存(得)?(更)?久|能放更久|"
                             r"lasts? longer|longer shelf[- ]life|keeps? longer"),
    "warranty": re.compile(r"(?i)(保修|质保).{0,3}(长|久)|longer warranty|warranty .{0,10}longer"),
    "charging": re.compile(r"(?i)充电(更)?快|充得(更)?快|快充.{0,3}(快|大|强)|charges? (faster|quicker)|faster charging"),
}


_MODEL = re.compile(r"(?i)(?<![a-z])([a-z]{2,}\s?\d{1,4}[a-z]{0,3})(?![a-z0-9])")
"""A model name: Latin letters then a number (Mate 60, iPhone15, K50) -- one we lack is not ours."""


_QUANTITY_TAIL = re.compile(r"(?i)\d\s*(?:tb|gb|g|t|l|ml|mah|w|kg|k|hz|in|inch|cm|mm|m|pcs|p)$")
"""A model-looking word ending in a quantity ("PRO 1TB", "heater 13L"): a capacity, no model name."""

_NOT_MODEL = frozenset(
    "no number link item cm kg ml mm gb tb mah ah lbs lb oz in inch size spf ip usb am pm yuan rmb and or vs the "
    "is it to for of on at by with than under below over about around".split())
"""Words before a number that make no model name (units, listing words, sizes, plain English)."""


def _plain_word(word: str) -> bool:
    """True for a word before a number that makes no model name: a unit, a listing word, plain
    English ("have 40", "size 38") or a colour ("red 24cm")."""
    from app.understanding.slots import _EN_COLORS

    return word in _NOT_MODEL or word in _EN_PLAIN or word in _EN_COLORS


def _to_int(s: str) -> int | None:
    if s.isdigit():
        return int(s)
    try:
        return int(cn2an.cn2an(s, "smart"))
    except (ValueError, KeyError, TypeError):
        return None


def without_listings(text: str, numbers) -> str:
    """``text`` without its references to the listing ``numbers`` (12号, #12, 链接12, no 12), so a
    listing number is not read as a variant (小米12 of a film named by "12号")."""
    wanted = set(numbers)
    for pat in (*_LISTING_PATTERNS, _PAIR):
        text = pat.sub(lambda m: " " if any(_to_int(g) in wanted for g in m.groups() if g) else m.group(0), text)
    return text


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
    unsold_brands: tuple[str, ...] = ()
    """Brands named that no product of the catalog carries (有SK-II吗)."""
    source: str = "none"
    sure: bool = True
    unsure: str = ""
    compare: bool = False
    compare_attr: str = ""
    dearer: bool = False
    """In a price comparison, the viewer asked which costs more (贵 / more expensive)."""


DEICTIC = re.compile(r"(?i)这个|这款|这件|这套|这种|这条|这双|这只|这瓶|这盒|它|\bthis( one)?\b|\bit\b|\bthese\b")
"""A word pointing at the product on screen (这个 / this): the fallback is what is asked about."""
_FEATURE = re.compile(r"(?i)支持|兼容|带不带|有没有.{0,3}功能|多少瓦|几瓦|功率|\bsupports?\b|compatible|\bwork with\b")
"""A feature question ("支持无线充电吗"): a product name inside it is the feature, not the product."""
_SPACES = re.compile(r"[\s\-_/·]+")
_NOT_NOUN = frozenset("多少怎能可是有会好还用吗呢的在要适合么样几款个颜色码号 one can will is does has".split() + list("多少怎能可是有会好还用吗呢的在要适么样几款个颜码号"))
_DEICTIC_NOUN = re.compile(r"(?i)(?:这个|这款|这种|这件|这条|这张|这副|这套)\s*([\u4e00-\u9fff]{1,3})|\bthis ([a-z]{3,})")


def _compact(s: str) -> str:
    return _SPACES.sub("", (s or "").lower())


def strongly_named(p: Product, text: str, words: tuple[str, ...], vocab: ProductVocabulary) -> bool:
    """True when ``text`` names ``p`` by a name of its own -- short name, alias, full title or
    English title (2+ characters, compared without case and spaces) -- or by a goods word ``p``
    carries; a shared title token (充电 of 充电器) is not enough."""
    low = _compact(text)
    for n in (p.short_name, *p.aliases, p.title, p.title_en):
        k = _compact(n)
        if len(k) >= 2 and k in low and len(vocab.products_named(n)) <= 1:  # 茶叶 as an alias is no own name
            return True
    return any(vocab.names(p, w) for w in words)


def _without(text: str, values) -> str:
    for v in sorted({v for v in values if v}, key=len, reverse=True):
        pat = r"\s*".join(re.escape(ch) for ch in _compact(v))
        text = re.sub(pat, " ", text, flags=re.IGNORECASE)
    return text


def build_frame(catalog: Catalog, vocab: ProductVocabulary, ev: IntentClassified,
                fallback: Product | None) -> Frame:
    """The frame of ``ev`` (see :func:`_build_frame`), with products made for the other sex than
    the one the message names (男款羽绒服 -> never the 女式 down jacket) taken out; when that leaves
    none, the reading is unsure (the seller answers)."""
    f = _build_frame(catalog, vocab, ev, fallback)
    if f.products and f.source in ("mention", "fallback") and len(f.products) == 1 and not f.compare:
        odd = _unknown_modifier(f.products[0], ev.text or "", vocab)
        if odd:  # "yoga mat" is no bath mat: the seller says what we have
            return dataclasses.replace(f, sure=False, unsure="product")
    want = _sex(ev.text or "")
    if not want or not f.products or f.compare:
        return f
    kept = tuple(p for p in f.products if _sex(f"{p.title} {p.title_en}") in ("", want, "both"))
    if len(kept) == len(f.products):
        return f
    if kept:
        return dataclasses.replace(f, products=kept)
    return dataclasses.replace(f, products=(), sure=False, unsure="product")


_MALE_WORDS = re.compile(r"(?i)男款|男士|男式|男装|男生|男人|男朋友|男友|老公|爸爸|\bmen'?s\b|\bmens\b|\bmale\b|\bfor men\b|boyfriend|husband")
_FEMALE_WORDS = re.compile(r"(?i)女款|女士|女式|女装|女生|女人|女朋友|女友|老婆|妈妈|\bwomen'?s\b|\bwomens\b|\bfemale\b|\bladies\b|\bfor women\b|girlfriend|\bwife\b")


def _sex(text: str) -> str:
    """``male`` / ``female`` / ``both`` (男女同款, unisex) / ``""``: whom a text says goods are for."""
    if re.search(r"(?i)男女|情侣|unisex", text):
        return "both"
    m, w = bool(_MALE_WORDS.search(text)), bool(_FEMALE_WORDS.search(text))
    return "both" if m and w else "male" if m else "female" if w else ""


def _build_frame(catalog: Catalog, vocab: ProductVocabulary, ev: IntentClassified,
                 fallback: Product | None) -> Frame:
    """The frame of ``ev``; ``fallback`` is the product the viewer last asked about or the
    now-selling one (used only when the message names no product, category or kind of goods).

    Besides listing numbers and names: a place in a shipping question (新疆包邮吗) is the
    destination, never a product; a phone model that is one of the fallback's own variants
    ("Mate 50的", "透明的Reno8") is that variant unless a goods word names the other product;
    a product name inside a feature question, or a mere shared title token, gives way to a
    fallback whose FAQ answers the question, else the reading is unsure."""
    from app.dialogue.places import destination, places_in, strip_places

    text = ev.text or ""
    if destination(text) is not None:  # "新疆包邮吗": the place is where it goes, not what
        text = strip_places(text, places_in(text))
    listings = listing_refs(text)
    if ev.slots.listing_number is not None and ev.slots.listing_number not in listings:
        listings = (ev.slots.listing_number, *listings)
    by_listing = [catalog.by_listing(n) for n in listings]
    unknown = tuple(n for n, p in zip(listings, by_listing) if p is None)
    known = tuple(p for p in by_listing if p is not None)
    compare = bool(_COMPARE.search(text)) and (len(listings) >= 2 or len(ev.slots.product_mentions) >= 2)
    attr = next((k for k, pat in COMPARE_ATTRS.items() if pat.search(text)), "") if compare else ""
    words = vocab.goods_words(_USED_WITH.sub(" ", text))  # "冰粽要放冰箱吗": the fridge is where, not what
    models = [m.group(1) for m in _MODEL.finditer(text)
              if not _plain_word(re.match(r"[a-z]+", m.group(1).lower()).group(0))
              and not _QUANTITY_TAIL.search(m.group(1))]
    models += [m for m in _model_names(text) if m not in models]
    unknown_models = [m for m in models if not vocab.model_known(m)]
    dearer = attr == "price" and bool(_DEARER.search(text)) and not _CHEAPER.search(text)
    base = dict(intent=ev.intent, listings=listings, unknown_listings=unknown, goods_words=words,
                compare=compare, compare_attr=attr, dearer=dearer)
    if listings:
        return Frame(products=known, source="listing", **base)
    brands = vocab.unknown_brands(text)
    if brands and _HAVE.search(text) and not any(vocab.products_named(w) for w in words):
        return Frame(unsold_brands=brands, source="none", **base)  # "有SK-II吗": a brand we do not carry
    if unknown_models:  # a model name none of our products carries: not ours, or not sure which
        return Frame(source="none", sure=False, unsure="product", **base)
    mentions = tuple(p for p in (catalog.get(pid) for pid in ev.slots.product_mentions) if p is not None)
    if not any(strongly_named(p, text, words, vocab) or named_options(p, text) for p in mentions):
        owner = _variant_owner(catalog, text, fallback)
        if owner is not None and not any(p.category == owner.category for p in mentions):
            # "980 PRO 1TB多少钱": the SSD whose variant that is, not a "Pro" laptop (a sibling of the
            # same kind named -- the silicone case "for mate 50" -- stays the one named)
            mentions = (owner,)
    if not mentions and models and not words:
        # "warranty on the mi 8?": a model name that is one product's own name
        by_model = _named_by_model(catalog, models)
        if len(by_model) == 1:
            mentions = by_model
    if text != (ev.text or ""):  # places were taken out: a product named only by the place goes
        mentions = tuple(p for p in mentions if strongly_named(p, text, words, vocab))
    if fallback is not None and fallback in mentions and len(mentions) > 1 and all(
            vocab.names_in(fallback, w, text) for w in words) and (
            DEICTIC.search(text) or not any(strongly_named(p, text, words, vocab) for p in mentions)):
        # "is it a good gift" while a gift box is on screen: "gift" names several, "it" the one shown
        return Frame(products=(fallback,), source="fallback", **base)
    if fallback is not None and mentions and fallback not in mentions:
        reading = _fallback_reading(fallback, mentions, text, words, vocab)
        if reading == "fallback":
            return Frame(products=(fallback,), source="fallback", **base)
        if reading == "unsure":
            return Frame(products=(fallback,), source="fallback", sure=False, unsure="product", **base)
    if mentions and len(words) > 1:
        low = text.lower()
        head = _head_word(words, low)
        head_ps = vocab.products_named(head) if _is_goods_kind(head) else ()
        if head_ps and not any(vocab.names_in(p, head, text) for p in mentions):
            # "iPhone 14的膜", "Mate 50的壳": the goods word last named is asked about, for the model named
            pool = [p for p in head_ps if named_options(p, text)] or list(head_ps)
            one = pool[0] if len(pool) == 1 else _narrow(pool, text, vocab)
            if one is not None:
                return Frame(products=(one,), source="mention", **base)
            return Frame(products=tuple(pool), source="goods_word", sure=False, unsure="product", **base)
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
        low = text.lower()
        head = _head_word(words, low)  # "Mate 50的壳": 壳 is what is asked about
        head_elsewhere = _is_goods_kind(head) and not vocab.names_in(fallback, head, text) \
            and bool(vocab.products_named(head)) if fallback is not None else False
        if fallback is not None and not head_elsewhere and any(vocab.names_in(fallback, w, text) for w in words):
            return Frame(products=(fallback,), source="fallback", **base)
        named = [p for p in mentions if any(vocab.names(p, w) for w in words)]
        if len(named) > 1 and not compare:
            fits = _accessory_for_model(named, words, vocab)
            if fits is not None:  # "硅胶壳有Mate 50的吗": the case asked about, not the phone it is for
                return Frame(products=(fits,), source="mention", **base)
        if len(named) > 1 and not compare and (one := _narrow(named, text, vocab)) is not None:
            return Frame(products=(one,), source="mention", **base)
        if named:
            return Frame(products=tuple(named), source="mention", sure=len(named) == 1 or compare,
                         unsure="" if len(named) == 1 or compare else "product", **base)
        if len(unsold) == len(words):
            if all(vocab.surely_absent(w) for w in unsold):
                return Frame(unsold_words=unsold, source="none", **base)
            # "hoodie" while the catalog says 卫衣, "tea" of a 白茶 scent: not named, not surely absent
            return Frame(source="none", sure=False, unsure="product", goods_words=words,
                         **{k: v for k, v in base.items() if k != "goods_words"})
        carriers = {p.product_id: p for w in words for p in vocab.products_named(w) if vocab.names_in(p, w, text)}
        if len(carriers) == 1:
            return Frame(products=tuple(carriers.values()), source="goods_word", **base)
        if (one := _narrow(tuple(carriers.values()), text, vocab)) is not None:
            return Frame(products=(one,), source="goods_word", **base)
        return Frame(products=tuple(carriers.values())[:2], source="goods_word", sure=False, unsure="product",
                     **base)
    if mentions:
        if len(mentions) > 1 and not compare and (one := _narrow(mentions, text, vocab)) is not None:
            return Frame(products=(one,), source="mention", **base)
        return Frame(products=mentions, source="mention", **base)
    if fallback is not None:
        return Frame(products=(fallback,), source="fallback", **base)
    return Frame(**base)


def _fallback_reading(fallback: Product, mentions: tuple[Product, ...], text: str, words: tuple[str, ...],
                      vocab: ProductVocabulary) -> str:
    """How a message naming other products relates to the fallback: ``"fallback"`` (it asks
    about the fallback), ``"unsure"`` or ``""`` (the mentions stand)."""
    from app.dialogue.facts import match_faq

    opts = named_options(fallback, text)
    values = [v for vs in opts.values() for v in vs]
    labels = values + [fallback.label_en(v) for v in values if fallback.label_en(v)]
    labels += [v.split()[-1] for v in values if len(v.split()) > 1]  # "Reno8" of "OPPO Reno8"
    keys = {_compact(v) for v in labels}
    words = tuple(w for w in words if not any(_compact(w) in k for k in keys))  # "mate 50" is the variant
    if (_FEATURE.search(text) and match_faq(fallback.faq, text) is not None
            or match_faq(fallback.faq, text, threshold=0.85) is not None) \
            and not any(match_faq(p.faq, text) is not None for p in mentions):
        # "支持无线充电吗", "送手机壳吗": the product on screen has that very FAQ entry
        return "fallback"
    m = _DEICTIC_NOUN.search(text)
    noun = (m.group(1)[0] if m.group(1) else m.group(2).lower()) if m else ""
    if noun and noun not in _NOT_NOUN and noun in vocab.names_text(fallback):
        # "小米8能贴这个膜吗": this product (膜), asked whether it goes with the other one
        return "fallback" if opts else "unsure"
    if any(vocab.names(p, w) and not vocab.names_in(fallback, w, text) for p in mentions for w in words):
        return ""  # a goods word of the other product (手机, phone): it is meant
    if opts:
        rest = _without(text, labels)
        if not any(strongly_named(p, rest, (), vocab) for p in mentions):
            # the other product is named only by one of the fallback's variant labels
            from app.dialogue.search import FIT_CUE

            if (len(values) > 1 or any(vocab.names_in(fallback, w, text) for w in words) or DEICTIC.search(text)
                    or FIT_CUE.search(text)  # "Mate50能用吗" with the film on screen: the film's Mate 50 variant
                    or any(len(_compact(v)) >= 4 and _compact(v) in _compact(text) for v in values)  # 100g罐装, whole
                    or re.search(r"(?i)(?:" + "|".join(r"\s*".join(map(re.escape, _compact(v))) for v in labels)
                                 + r")\s*的", text)):
                return "fallback"
            return "unsure"
    weak = not any(strongly_named(p, text, words, vocab) for p in mentions)
    if weak or _FEATURE.search(text):
        own = match_faq(fallback.faq, text)
        if own is not None and not any(match_faq(p.faq, text) is not None for p in mentions):
            return "fallback"
        if weak:
            return "unsure"
    if DEICTIC.search(text) and not any(vocab.names(p, w) for p in mentions for w in words):
        # "小米8能贴这个膜吗": this product, asked whether it goes with the other one
        return "unsure"
    return ""


_USED_WITH = re.compile(r"(?:放进?|进|放在|用|能用|可以用|上)\s*(?:冰箱|冰柜|冷冻室|微波炉|烤箱|洗碗机|洗衣机|电磁炉|燃气灶)"
                        r"|(?:冰箱|冰柜|微波炉|烤箱|洗碗机|洗衣机)\s*里")
"""Appliances named as where or with what a product is used (放冰箱, 进烤箱, 用电磁炉), not as goods asked for."""
_HAVE = re.compile(r"(?i)有没有|有.{0,10}[吗嘛么]|有卖|卖不卖|卖.{0,6}吗|有.{0,8}[?？]$|\bany\b|do you (have|sell|carry)|got any|\bsell\b")
"""Words asking whether the shop has something (有SK-II吗, any samsung galaxy?)."""
_GIFT_WORDS = re.compile(r"(?i)赠品|小样|送的|试用装|free gift|freebie|sample")


def _sold_in_packs(products, text: str) -> Product | None:
    """"钢化膜一片多少钱" over two films: the only one sold in packs of several 片 (2片装) is meant."""
    from app.dialogue.units import count_in, read_question

    q = read_question(text)
    if q is None or not q.counter:
        return None
    packs = [p for p in products if any((n := count_in(p, s, q.counter)) is not None and n > 1
                                        for s in (list(p.skus) or [None]))]
    return packs[0] if len(packs) == 1 else None


_ONE_LETTER_MODEL = re.compile(r"(?i)(?<![a-z0-9])([a-z]\s?\d{2,4}[a-z]?)(?![a-z0-9])")
"""A model of one letter and a number (P30, K50, S23, A54)."""
_CJK_MODEL = re.compile(r"(?i)(小米|红米|华为|荣耀|苹果|三星|魅族|一加|真我)\s?(\d{1,3}[a-z]?)(?![\d])")
"""A brand written in Chinese and a model number (小米13, 苹果15)."""
_QUALIFIED = re.compile(r"(?i)(?<![a-z])((?:[a-z]{1,8}\s?)?\d{1,4}[a-z]?|ipad|macbook|airpods|iphone|watch)\s?"
                        rf"(pro\s?max|{'|'.join(MODEL_QUALIFIERS[1:])}|\+)(?![a-z])")
"""A model with a qualifier (iPhone 14 Pro, K50 Pro, Mate 50 Pro, iPad Air): another model than the
plain one."""


def _model_names(text: str) -> list[str]:
    """Model names in ``text`` besides the two-letter ones: one-letter models (P30), a Chinese brand
    and a number (小米13), any model with its qualifier (K50 Pro, iPad Air). Numbers of a listing
    (12号, #12) and quantities (16G, 65寸) are none."""
    t = text or ""
    for pat in _LISTING_PATTERNS:
        t = pat.sub(" ", t)
    out = [m.group(1) for m in _ONE_LETTER_MODEL.finditer(t) if not _QUANTITY_TAIL.search(m.group(1))]
    out += [m.group(1) + m.group(2) for m in _CJK_MODEL.finditer(t)]
    for m in _QUALIFIED.finditer(t):
        base = m.group(1)
        if re.fullmatch(r"\d{1,4}[a-z]?", base, re.I):  # "14 Pro": the word before it is the series
            before = re.search(r"(?i)([a-z]{2,10})\s*$", t[:m.start()])
            base = (before.group(1) + base) if before else base
        if re.fullmatch(r"\d+", base):
            continue
        out.append(base + m.group(2))
    return list(dict.fromkeys(out))


def _variant_owner(catalog: Catalog, text: str, fallback: Product | None) -> Product | None:
    """The one product (other than the fallback) with a variant label the message names whole --
    a label of four or more characters with a digit (980 PRO, 20000mAh) -- or ``None``."""
    low = _compact(text)
    owners = []
    for p in catalog:
        if p is fallback or not p.skus:
            continue
        for vs in named_options(p, text).values():
            if any(len(_compact(v)) >= 4 and re.search(r"\d", v) and re.search(r"(?i)[a-z]{2,}", v.split("|")[0])
                   and not _QUANTITY_TAIL.search(v.split("|")[0].strip()) and _compact(v.split("|")[0]) in low
                   for v in vs):
                owners.append(p)
                break
    return owners[0] if len(owners) == 1 else None


_MODELISH = re.compile(r"(?i)[a-z\u4e00-\u9fff]+\s?\d")


def _accessory_for_model(named: list[Product], words: tuple[str, ...], vocab: ProductVocabulary) -> Product | None:
    """Of products named together, the one made for device models (an option whose values are
    models: 适用机型 iPhone 14 / 8 Plus) when every other is named only by a model name (Mate 50):
    the viewer asks whether the accessory fits that model; ``None`` otherwise."""
    from app.dialogue.variants import option_values

    def for_models(p: Product) -> bool:
        return any(sum(bool(_MODELISH.search(v)) for v in vs) * 2 >= len(vs) >= 2 for vs in option_values(p).values())

    def by_model_only(p: Product) -> bool:
        ws = [w for w in words if vocab.names(p, w)]
        return bool(ws) and all(re.search(r"\d", w) for w in ws)

    cands = [p for p in named if for_models(p) and not by_model_only(p)
             and all(by_model_only(q) for q in named if q is not p)]
    return cands[0] if len(cands) == 1 else None


def _head_word(words: tuple[str, ...], low: str) -> str:
    """The goods word a message asks about: the last one named, except a word followed by 的,
    which modifies another ("硅胶壳有Mate 50的吗": the case, for the Mate 50)."""
    def modifier(w: str) -> bool:
        i = low.rfind(w.lower())
        return low[i + len(w):].lstrip().startswith("的")
    heads = [w for w in words if not modifier(w)] or list(words)
    return max(heads, key=lambda w: low.rfind(w.lower()))


def _is_goods_kind(word: str) -> bool:
    """A word of the general goods lexicon (手机壳, 膜, phone case), not a catalog tag (夏季)."""
    from app.dialogue.vocabulary import GENERAL_GOODS, KIND_WORDS

    return word in GENERAL_GOODS or word in KIND_WORDS or len(word) == 1


def _named_by_model(catalog: Catalog, models: list[str]) -> tuple[Product, ...]:
    """Products whose own names (title, English title, short name, aliases; not variants) carry
    one of ``models`` (compared without case and spaces, the number whole: mi 8 is not mi 80)."""
    out = []
    for p in catalog:
        names = re.sub(r"\s+", "", " ".join((p.title, p.title_en, p.short_name, *p.aliases)).lower())
        for m in models:
            key = re.sub(r"\s+", "", m.lower())
            if re.search(rf"{re.escape(key)}(?![0-9])", names):
                out.append(p)
                break
    return tuple(out)


def _narrow(products, text: str, vocab: ProductVocabulary) -> Product | None:
    """The one product among several a message could mean that it singles out: the only one with a
    variant label the message names (面霜30ml: the cream that comes in 30ml), else the FAQ asked about
    (:func:`_one_by_faq`), else the only one with the most of its own title words in the message
    (牛排煎锅 over 煎锅); ``None`` when nothing singles one out. A free gift (赠品) gives way to
    the one product on sale ("面霜" is the cream, not the cream's free sample) unless the message
    asks about a gift."""
    on_sale = [p for p in products if not p.free_gift]
    if len(on_sale) == 1 and len(products) > 1 and not _GIFT_WORDS.search(text):
        return on_sale[0]
    with_variant = [p for p in products if named_options(p, text)]
    if len(with_variant) == 1:
        return with_variant[0]
    pool = with_variant or list(products)
    packed = _sold_in_packs(pool, text)
    if packed is not None:
        return packed
    one = _one_by_faq(pool, text)
    if one is not None:
        return one
    scores = sorted(((_title_overlap(p, text), i) for i, p in enumerate(pool)), reverse=True)
    if len(scores) > 1 and scores[0][0] > scores[1][0] and scores[0][0] >= 2:
        return pool[scores[0][1]]
    return None


def _title_overlap(p: Product, text: str) -> int:
    """How many distinct words (2+ characters) of ``p``'s titles and short name occur in ``text``."""
    from app.understanding.slots import jieba_tokenizer

    low = _compact(text)
    toks = set()
    for t in (p.title, p.short_name, p.title_en):
        toks.update(w.lower() for w in jieba_tokenizer().lcut_for_search(t or "") if len(w.strip()) >= 2)
    return sum(1 for w in toks if _compact(w) and _compact(w) in low)


def _one_by_faq(products: tuple[Product, ...] | list[Product], text: str) -> Product | None:
    """Among products a message could mean, the one whose own FAQ answers ``text`` -- or the first
    of several whose entries give the very same answer (both TVs: 可以，挂架需另购), since the
    answer is then the same whichever is meant; ``None`` when none or different answers."""
    from app.dialogue.facts import match_faq

    hits = [(p, e) for p in products if (e := match_faq(p.faq, text, threshold=0.8)) is not None]
    if hits and len({e.answer.strip() for _, e in hits}) == 1:
        return hits[0][0]
    return None


_EN_PLAIN = frozenset("""
a an the this that these those my your our his her its their any some every each one two three is are was were be
do does did have has had can could will would should may might must i you he she it we they me him us them what which
who whom whose how when where why if or and but so not no yes please pls still also just only very really too more
most less much many new old big small large little long short tall wide good nice great best better cheap cheaper
expensive nicer pretty cute cool soft hard warm light heavy thin thick real fake same other another again now today
in on at for of to from with by about under over below above near into out up down off than as like there here
available stock price cost left size sizes color colour colors colours free shipping ship deliver delivery
""".split())


def _unknown_modifier(p: Product, text: str, vocab: ProductVocabulary) -> str:
    """An English word right before one of ``p``'s name words in ``text`` that names nothing in
    the catalog ("yoga" of "yoga mat" when only a bath mat is sold), else ``""``. Colours, sizes,
    plain words and anything the catalog carries are never such a word."""
    from app.understanding.slots import _EN_COLORS

    words = re.findall(r"[a-z][a-z'-]*", (text or "").lower())
    if len(words) < 2:
        return ""
    own = set(re.findall(r"[a-z][a-z'-]*", vocab.names_text(p)))
    for i in range(1, len(words)):
        head, mod = words[i].rstrip("s"), words[i - 1]
        if not (words[i] in own or head in own) or mod in own or len(mod) < 3 or mod in _EN_PLAIN \
                or mod in _EN_COLORS or mod.rstrip("s") in own:
            continue
        if not vocab.known_word(mod):
            return mod
    return ""
