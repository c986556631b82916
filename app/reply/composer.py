"""The reply composer: intent + slots + catalog facts -> a drafted reply.

Every fact in a draft comes from a :class:`~app.catalog.model.Product` (or from the viewer's
own message, e.g. their height). When a needed fact is missing the draft says so honestly
and is held for the seller (``held_reason = "missing_fact: ..."``); nothing is invented.
Language follows the message (``zh``/``en``).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from app.dialogue.sensitive import sensitive_reason
from app.catalog.model import Catalog, Product, Sku
from app.events import Slots
from app.reply.guard import safe_nickname
from app.reply.phrasing import PhraseRotator

_BOUGHT = re.compile(r"(?i)拍了|已拍|拍好|下单了|已下单|买了|付款了|付了|抢到|bought|ordered|just got|purchased")
_BYE = re.compile(r"(?i)拜拜|再见|走了|下播|先撤|溜了|bye|see you|good ?night|晚安")
_PAYER_ZH = {"seller": "退货运费商家承担", "buyer": "退货运费需要自己承担", "insurance": "下单送运费险"}
_PAYER_EN = {"seller": "the shop pays return shipping", "buyer": "return shipping is paid by the buyer",
             "insurance": "return-shipping insurance is included"}


@dataclass(frozen=True, slots=True)
class Draft:
    """A drafted reply before the fact guard."""

    key: str
    """Phrase key used (``price``, ``stock_yes`` ...)."""
    text: str
    lang: str
    product_ids: tuple[str, ...] = ()
    viewer_numbers: tuple[Decimal, ...] = ()
    """Numbers taken from the viewer's own message (height, weight, budget, gift count)."""
    held_reason: str = ""
    quoted: tuple[str, ...] = ()
    """Text the draft quotes rather than asserts (the spoken names, a platform's gift name):
    the fact guard masks it before its banned-word and number checks."""


MAX_SPOKEN_NAMES = 3
"""A merged reply names at most this many askers ("小美、阿强、Lily等5位宝宝")."""


_COUPON = re.compile(r"(?i)优惠券|券|满减|满.{1,4}减|折扣码|优惠码|红包|返现|赠品|送什么|coupon|promo|voucher|\bcode\b|cash ?back")
"""Questions about coupons, multi-buy offers and codes: only the seller can promise them."""


def spoken_names(nicknames: str | Sequence[str], lang: str, guard=None) -> str | None:
    """The askers' names as the host says them, or ``None`` when none is fit to be spoken.

    Each name passes ``guard.nickname`` (a :class:`~app.reply.guard.NameGuard`: the pattern
    filters and the offensive-language detector) or, without a guard,
    :func:`~app.reply.guard.safe_nickname`; duplicates are dropped; at most
    :data:`MAX_SPOKEN_NAMES` are named. Chinese: ``小美、阿强`` / ``小美、阿强、Lily等五位宝宝``
    (the count in Chinese numerals, so no stray digit reaches the fact guard); English:
    ``Lily and Amy`` / ``Lily, Amy, Bo and others``.
    """
    names = [nicknames] if isinstance(nicknames, str) else list(nicknames)
    check = guard.nickname if guard is not None else safe_nickname
    safe = list(dict.fromkeys(n for n in (check(x) if x else None for x in names) if n))
    if not safe:
        return None
    shown = safe[:MAX_SPOKEN_NAMES]
    more = len(names) > len(shown)
    if lang == "zh":
        text = "、".join(shown)
        if more:
            import cn2an

            text += f"等{cn2an.an2cn(len(names))}位宝宝"
        return text
    if len(shown) == 1 and not more:
        return shown[0]
    if more:
        return ", ".join(shown) + " and others"
    return ", ".join(shown[:-1]) + " and " + shown[-1]


_SHIPPING_ASPECTS = (
    ("fee", re.compile(r"(?i)包邮|运费|邮费|免邮|free ship|shipping (fee|cost)|postage|\bfree\b")),
    ("courier", re.compile(r"(?i)快递|物流|顺丰|中通|圆通|韵达|申通|极兔|京东|德邦|courier|carrier|\bexpress\b")),
    ("from", re.compile(r"(?i)哪.{0,2}发|发货地|ships? from|where")),
    ("arrival", re.compile(r"(?i)到|收到|arriv|deliver|how long|get it")),
    ("dispatch", re.compile(r"(?i)发货|发出|dispatch|when .*ship|ship (today|out)|how soon")),
)


_UNIT_INTENTS = ("price", "product_detail", "stock", "discount", "size_fit", "chitchat", "missing_fact_prompt")
"""Intents a per-unit question ("一斤多少钱", "一盒多少抽") may come with."""
_PER_UNIT = re.compile(r"(?i)[一1每单][支个片斤两包盒瓶袋罐条件双套枚只块粒抽]|几[支个片包盒瓶袋罐枚只块粒抽]|"
                       r"per (piece|pack|unit|item)|each|how many|one (piece|pack|box)")


@lru_cache(maxsize=1)
def _inflect():
    import inflect

    return inflect.engine()


_UNCOUNTABLE = frozenset("makeup skincare haircare jewelry jewellery clothing clothes furniture luggage tea coffee rice milk "
                         "juice honey beef pork chocolate candy wine beer oil fruit underwear".split())


@lru_cache(maxsize=512)
def plural_en(word: str) -> str:
    """The plural of an English goods word (toothbrush -> toothbrushes, sneakers stays), by
    the ``inflect`` package; non-English words are returned unchanged."""
    if not word or not word.isascii() or not word[-1].isalpha():
        return word
    eng = _inflect()
    last = word.split()[-1]
    if last.lower() in _UNCOUNTABLE or eng.singular_noun(last):  # a mass noun, or already plural
        return word
    if last.lower() == "tv":
        return word[: len(word) - len(last)] + "TVs"
    return word[: len(word) - len(last)] + eng.plural_noun(last)


def _shipping_aspects(text: str) -> frozenset[str]:
    """Which shipping terms a question asks about (``fee``, ``courier``, ``from``, ``arrival``,
    ``dispatch``); empty when it names none (then all terms are said)."""
    return frozenset(name for name, rx in _SHIPPING_ASPECTS if rx.search(text or ""))


def _fmt_price(v: Decimal) -> str:
    """59.90 -> '59.9', 59.00 -> '59' (the amount is unchanged)."""
    s = format(v.normalize(), "f")
    return s


def _fmt_num(v: float | Decimal) -> str:
    d = Decimal(str(v)).normalize()
    return format(d, "f")


@lru_cache(maxsize=4096)
def _color_family(word: str) -> str | None:
    """Colour family of a SKU colour name (经典黑 -> black), via the slot extractor's table."""
    from app.understanding.slots import color_family

    return color_family(word)


def _color_families(color: str) -> list[str]:
    """The colour families a catalog colour name is made of, in order (白绿 -> white, green;
    军绿色 -> green; 纯白 -> white)."""
    from app.understanding.slots import _ZH_COLOR_RE, _ZH_COLORS, _ZH_STEMS

    out: list[str] = []
    covered = [False] * len(color)
    for m in _ZH_COLOR_RE.finditer(color):
        fam = _ZH_COLORS.get(m.group(0)) or _ZH_COLORS.get(m.group(0).rstrip("色"))
        if fam:
            out.append((m.start(), fam))
            covered[m.start():m.end()] = [True] * (m.end() - m.start())
    out += [(i, _ZH_STEMS[ch]) for i, ch in enumerate(color) if not covered[i] and ch in _ZH_STEMS]
    return list(dict.fromkeys(f for _, f in sorted(out)))


_DURATION_DAYS = re.compile(r"(\d+(?:\.\d+)?)\s*(天|日|个月|月|年|days?|months?|years?)")
_DAYS_PER = {"天": 1, "日": 1, "day": 1, "days": 1, "个月": 30, "月": 30, "month": 30, "months": 30,
             "年": 365, "year": 365, "years": 365}


def _duration_days(value: str) -> Decimal | None:
    """A duration column ("90天", "9个月", "五年有限保修") in days (a month as 30, a year as 365),
    or ``None`` when it holds no single duration."""
    from app.dialogue.english import arabic_durations

    found = _DURATION_DAYS.findall(arabic_durations(value or ""))
    if len(found) != 1:
        return None
    n, unit = found[0]
    return Decimal(n) * _DAYS_PER[unit]


_WATTS = re.compile(r"(?i)(\d+(?:\.\d+)?)\s*W\s*(?:快充|闪充|超级闪充|有线快充|fast|charg)")


def _charging_watts(p: Product) -> Decimal | None:
    """The fastest charging power a product's title or selling points state (67W快充), watts."""
    found = [Decimal(n) for t in (p.title, *p.selling_points, p.title_en, *p.selling_points_en)
             for n in _WATTS.findall(t or "")]
    return max(found) if found else None


_MEASURES = {
    # attr: (reader of the catalog value, ranking value, which is better, zh fact words, zh better, en verb, en better)
    "dispatch": (lambda p: p.shipping.dispatch_days, lambda v: Decimal(v), min, "", "发货快一些", "", "ships sooner"),
    "shelf life": (lambda p: p.shelf_life, _duration_days, max, "保质期", "保质期长一些", "keeps", "keeps longer"),
    "warranty": (lambda p: p.after_sales.warranty, _duration_days, max, "保修", "保修更久", "has a warranty of",
                 "has the longer warranty"),
    "charging": (_charging_watts, lambda v: v, max, "", "充电更快", "", "charges faster"),
}
"""Attributes two products are compared by (catalog columns with a duration)."""


def _compared_measures(ps: Sequence[Product], attr: str, lang: str):
    """The comparison of ``ps`` by ``attr`` (a :data:`_MEASURES` key) as a function of the
    product reference giving (parts, tail), or ``None`` when a product lacks the fact."""
    from app.dialogue.facts import to_english

    read, rank, best_of, zh_fact, zh_better, en_verb, en_better = _MEASURES[attr]
    values = [read(p) for p in ps]
    if any(v is None or v == "" for v in values):
        return None
    ranks = [rank(v) for v in values]
    if any(r is None for r in ranks):
        return None

    def said(v) -> str | None:
        if attr == "charging":
            return f"{_fmt_price(v)}W快充" if lang == "zh" else f"charges at {_fmt_price(v)}W"
        if attr == "dispatch":
            if lang == "zh":
                return "当天发货" if v == 0 else f"付款后{v}天内发货"
            return "ships the same day" if v == 0 else f"ships within {v} day{'' if v == 1 else 's'}"
        if lang == "zh":
            return f"{zh_fact}{v}"
        en = to_english(attr, v)
        return f"{en_verb} {en}" if en else None

    texts = [said(v) for v in values]
    if any(t is None for t in texts):
        return None

    def render(ref):
        parts = [f"{ref(p)}{t}" if lang == "zh" else f"{ref(p)} {t}" for p, t in zip(ps, texts)]
        top = best_of(ranks)
        if all(r == ranks[0] for r in ranks):
            tail = ("，" + ("发货时间一样" if attr == "dispatch" else f"{zh_fact}一样")) if lang == "zh" else "; the same for both"
        elif ranks.count(top) == 1:
            winner = ps[ranks.index(top)]
            tail = f"，{ref(winner)}{zh_better}" if lang == "zh" else f"; {ref(winner)} {en_better}"
        else:
            tail = ""
        return parts, tail
    return render


def en_colors_named(p: Product, text: str) -> list[str]:
    """The product's colours an English message names by colour words ("white green" -> 白绿;
    "white" -> 纯白 rather than 白绿): the colours made of exactly the families named, else those
    holding all of them; ``[]`` when the message names no English colour or none fits."""
    from app.understanding.slots import _EN_COLOR_RE, _EN_COLORS

    low = text.lower()
    said = list(dict.fromkeys(_EN_COLORS[m.group(0)] for m in _EN_COLOR_RE.finditer(low)))
    if not said or not p.colors:
        return []
    fams = {c: _color_families(c) for c in p.colors}
    exact = [c for c, f in fams.items() if set(f) == set(said)]
    found = exact or [c for c, f in fams.items() if set(said) <= set(f)]
    shade = _shade_phrase(low)
    if shade is not None and len(found) > 1:  # "dark blue": 深蓝色, not 浅蓝色
        marks = _SHADE_ZH[shade[0]]
        found = [c for c in found if any(ch in c for ch in marks)]
    return found


_EN_SHADE = re.compile(r"\b(dark|deep|light|pale|bright)\s+([a-z]+(?:\s+[a-z]+)?)")
_SHADE_ZH = {"dark": "深暗藏墨", "deep": "深暗藏墨", "light": "浅淡亮", "pale": "浅淡", "bright": "亮艳"}
"""English shade words and the Chinese characters a colour name of that shade carries."""


def _shade_phrase(low: str) -> tuple[str, str] | None:
    """(shade, "shade colour") when ``low`` says a shade word before a colour ("dark blue")."""
    from app.understanding.slots import _EN_COLOR_RE

    for m in _EN_SHADE.finditer(low):
        c = _EN_COLOR_RE.match(low, m.start(2))
        if c is not None:
            return m.group(1), f"{m.group(1)} {c.group(0)}"
    return None


_BUY_COUNT = re.compile(r"(?i)(?:买|要|拍|来|拿|下单)\s*[两二三四五六七八九十\d]+\s*[件个盒双包瓶袋支台条份罐](?!套)|"
                        r"\b(?:for|buy|get)\s+(?:\d+|two|three|four|five)\b")
"""Buying several ("买两盒", "for 3"), not a set's name (四件套)."""
_RELATIVE_SIZE = re.compile(r"(?i)大号|小号|中号|大瓶|小瓶|中瓶|大包|小包|大盒|小盒|大杯|小杯|大份|小份|大罐|小罐|"
                            r"\b(?:large|small|medium|big|mini|travel[- ]size)\b")
"""Size words relative to the product's own variants (小瓶, large): a label says them or no one can."""
_EN_NOT_VARIANT = frozenset("""stock left have has any the for how many much is are there still in available do you of
one it this that please size colour color sizes colours colors pack packs price cost what which whats and with can get
still remaining sold out more some need want buy got does did hey hi pls plz thanks thx now today tonight ok""".split())


def _with_tail(d: Draft, zh: str, en: str) -> Draft:
    """``d`` with a clause added at the end of its sentence (``zh`` or ``en`` by its language)."""
    if d.lang == "zh":
        return dataclasses.replace(d, text=d.text.rstrip("。") + zh)
    return dataclasses.replace(d, text=d.text.rstrip(".") + en + ".")


def _variant_left_unread(p: Product, named: dict, text: str, lang: str, *, english_words: bool = True) -> bool:
    """True when the message names part of a variant the option labels do not let us read: a
    relative size word no label carries (小瓶, large), a number of another option's labels that
    names none of them whole (2.25米 of 2.25x2.6), or, in English, words left over that could be
    an unnamed option's value ("white tea" of a 白茶 scent without an English label)."""
    from app.dialogue.variants import _SHADE_NO, option_values
    from app.understanding.slots import _EN_COLOR_RE, _EN_COLORS

    opts = option_values(p)
    if _SHADE_NO.search(text) and not named:  # "05号色" of a lipstick without shade 05
        return True
    rel = _RELATIVE_SIZE.search(text)
    if rel and not any(re.sub(r"\s+", "", rel.group(0).lower()) in re.sub(r"\s+", "", v.lower())
                       for vs in opts.values() for v in vs):
        return True
    unnamed = {n: vs for n, vs in opts.items() if n not in named and len(vs) > 1}
    numeric = [v for vs in opts.values() for v in vs if re.search(r"\d", v)]
    body = re.search(r"身高|体重|穿|斤|kg|公斤|cm|厘米|以内|以下|左右|预算|块|元", text)
    own = " ".join((p.title, p.title_en, p.short_name, *p.aliases, p.unit))  # 14 of 苹果14 is its name
    for m in re.finditer(r"(?<![\d.a-zA-Z])(\d{2,}|\d+\.\d+)(?![\d.])(?!\s*(?:件|个|单|岁|号链接|号|#|天|小时|分钟))",
                         text):
        num = m.group(1)
        if numeric and not body and not any(re.search(rf"(?<![\d.]){re.escape(num)}(?![\d])", v)
                                            for v in (*numeric, own)):
            return True  # "256的有吗" of a phone in 16G and 32G; "床笠1.8米" of 180*200: no label says it
    for num in re.findall(r"\d+(?:\.\d+)?", text):
        if any(re.search(rf"(?<![\d.]){re.escape(num)}(?![\d])", v) for vs in unnamed.values() for v in vs) \
                and not any(num in v for vs in named.values() for v in vs):
            return True
    if english_words and lang == "en" and unnamed and not all(p.label_en(v) for vs in unnamed.values() for v in vs):
        names = " ".join((p.title_en, p.short_name, p.category, *p.aliases, *(p.label_en(v) for vs in named.values()
                                                                            for v in vs))).lower()
        bare = _EN_COLOR_RE.sub(" @ ", text.lower())
        bare = re.sub(r"[a-z]+\s+@", " @", bare)  # the word before a colour is its shade (army green, cherry red)
        words = [w for w in re.findall(r"[a-z]{3,}", bare) if w not in _EN_NOT_VARIANT and w not in names
                 and w.rstrip("s") not in names]
        if any(w not in _EN_COLORS and not (p.colors and w in _SHADE_ZH) for w in words) or (words and not p.colors):
            return True
    return False


class ReplyComposer:
    """Drafts replies from catalog facts.

    Args:
        catalog: the seller's catalog (the only source of facts).
        seed: seed of the phrase rotation (replays are reproducible).
        names: the :class:`~app.reply.guard.NameGuard` every spoken nickname passes (``None`` =
            the pattern filters of :func:`~app.reply.guard.safe_nickname` only).
    """

    def __init__(self, catalog: Catalog, *, seed: int = 0, names=None) -> None:
        self.catalog = catalog
        self.rotator = PhraseRotator(seed)
        self._full_title = False
        self.names = names
        from app.dialogue.facts import FactAnswerer

        self.facts = FactAnswerer(catalog, self)

    # ------------------------------------------------------------------ helpers
    def _fill(self, key: str, lang: str, nickname: str | Sequence[str], product: Product | None = None,
              **kw) -> str:
        nick = spoken_names(nickname, lang, self.names)
        values = {
            "nick": nick or "宝宝",
            "nick_en": f" {nick}" if nick else "",
            "nick_en_lead": f"{nick}, " if nick else "",
        }
        if product is not None:
            values.update(
                title=product.title if self._full_title else product.spoken_name,
                title_en=product.title_en or product.title,
                price=_fmt_price(product.price),
                listing="" if product.listing_number is None else str(product.listing_number),
                orig_zh=(f"，原价{_fmt_price(product.original_price)}元"
                         if product.original_price and product.original_price > product.price else ""),
                orig_en=(f" (was {_fmt_price(product.original_price)} yuan)"
                         if product.original_price and product.original_price > product.price else ""),
                sizes="、".join(product.sizes) if lang == "zh" else ", ".join(product.sizes),
                colors="、".join(product.colors) if lang == "zh" else ", ".join(product.colors),
                # what else to look at when a variant is sold out: a phone model or a pack is no colour or size
                others=("其他颜色尺码" if product.colors and product.sizes else "其他颜色" if product.colors
                        else "其他尺码" if product.sizes else "其他规格"),
            )
        values.update(kw)
        template = self.rotator.pick(key, lang)
        if product is not None and product.listing_number is None and "{listing}" in template:
            template = self.rotator.pick(key, lang)  # try another variant
            if "{listing}" in template:
                template = template.replace("{listing}号链接", "购物车里").replace("link number {listing}", "in the shopping bag").replace("link {listing}", "in the shopping bag")
        return template.format(**values)

    def _draft(self, key: str, lang: str, nickname: str | Sequence[str], product: Product | None = None, *,
               numbers: tuple = (), held: str = "", **kw) -> Draft:
        text = self._fill(key, lang, nickname, product, **kw)
        nick = spoken_names(nickname, lang, self.names)
        quoted = tuple(q for q in (nick, kw.get("gift")) if q)
        return Draft(key=key, text=text, lang=lang,
                     product_ids=(product.product_id,) if product else (),
                     viewer_numbers=tuple(Decimal(str(n)) for n in numbers if n is not None),
                     held_reason=held, quoted=quoted)

    def _missing(self, lang: str, nickname: str, product: Product | None, what: str) -> Draft:
        return self._draft("missing_fact", lang, nickname, product, held=f"missing_fact: {what}")

    # ------------------------------------------------------------------ per intent
    def compose(self, intent: str, slots: Slots, lang: str, *, nickname: str | Sequence[str] = "", text: str = "",
                product: Product | None = None,
                recommendations: list[tuple[Product, str]] | None = None) -> Draft | None:
        """Draft a reply, or ``None`` when the message gets no reply (spam, chitchat).

        Args:
            intent: one of the 14 intents.
            slots: the message's slots.
            lang: ``zh`` or ``en``.
            nickname: the viewer's raw nickname, or the nicknames of everyone asking the same
                question (filtered here before use, see :func:`spoken_names`).
            text: the message text (for bought-vs-wants and goodbye wording).
            product: the product the message is about (already resolved), if any.
            recommendations: ranked (product, reason) pairs for recommendation requests.
        """
        lang = "en" if lang == "en" else "zh"
        # "一支多少钱": the formal title says the pack (3支装), the short name does not
        self._full_title = bool(_PER_UNIT.search(text or ""))
        if product is not None and intent in _UNIT_INTENTS and sensitive_reason(text or "") is None:
            per_unit = self._per_unit(product, lang, nickname, text)
            if per_unit is not None:
                return per_unit
        if intent not in ("spam", "greeting", "compliment", "complaint", "recommendation_request"):
            facts = self.facts.answer(intent, slots, lang, text=text, product=product, nickname=nickname)
            if facts is not None:
                return facts
        if intent == "missing_fact_prompt":  # a message only the seller can answer
            return self._draft("missing_fact", lang, nickname)
        if intent in ("spam", "chitchat"):
            return None
        if intent == "greeting":
            return self._draft("goodbye" if _BYE.search(text) else "welcome", lang, nickname)
        if intent == "compliment":
            return self._draft("compliment", lang, nickname)
        if intent == "complaint":
            return self._draft("complaint", lang, nickname, product, held="complaint")
        if intent == "recommendation_request":
            return self._recommend(slots, lang, nickname, recommendations)
        if intent == "purchase_intent":
            if _BOUGHT.search(text):
                return self._draft("purchase_done", lang, nickname, product)
            if product is None:
                return self._draft("ask_product", lang, nickname)
            if product.skus and (slots.size or slots.color):
                # "我要M码" of a product made in L and XL: say so, never "拍下就发"
                check = self._stock(product, slots, lang, nickname, text)
                if check.key in ("size_no", "color_no", "stock_no", "missing_fact"):
                    return check
            return self._draft("purchase", lang, nickname, product)
        if product is None:
            return self._draft("ask_product", lang, nickname)
        if intent == "price":
            return self._price(product, slots, lang, nickname, text)
        if intent == "discount":
            # coupons, 满减 and codes are the seller's to give: the price is drafted, the seller decides
            held = "missing_fact: coupons" if _COUPON.search(text or "") else ""
            return self._draft("discount", lang, nickname, product, held=held)
        if intent == "size_fit":
            return self._size(product, slots, lang, nickname)
        if intent == "stock":
            return self._stock(product, slots, lang, nickname, text)
        if intent == "product_detail":
            return self._detail(product, slots, lang, nickname, text)
        if intent == "shipping":
            return self._shipping(product, lang, nickname, text)
        if intent == "after_sales":
            return self._after_sales(product, lang, nickname)
        return self._missing(lang, nickname, product, f"intent {intent}")

    def _per_unit(self, p: Product, lang: str, nickname: str | Sequence[str], text: str) -> Draft | None:
        """"一斤多少钱", "一盒多少抽", "how many sponges in one pack": what one pack holds and
        what its price buys (:mod:`app.dialogue.units`), or ``None`` when the message asks no
        per-unit question or the catalog does not say what a pack holds."""
        from app.dialogue import units

        q = units.read_question(text)
        body = units.answer(p, q, lang, p.price_for) if q is not None else None
        if not body:
            return None
        nick = spoken_names(nickname, lang, self.names)
        if lang == "zh":
            line = (f"{nick}，" if nick else "") + f"「{p.spoken_name}」{body}"
        else:
            line = (f"{nick}, " if nick else "") + f"{p.title_en or p.spoken_name}: {body}."
        return Draft("per_unit", line, lang, (p.product_id,), quoted=(nick,) if nick else ())

    def no_such_listing(self, number: int, lang: str, nickname: str = "") -> Draft:
        """The viewer named a listing number the catalog does not have: say so (never another
        product's facts)."""
        return self._draft("no_such_listing", "en" if lang == "en" else "zh", nickname, n=number,
                           numbers=(number,))

    def not_sold(self, word: str, lang: str, nickname: str = "") -> Draft:
        """The viewer asked for a kind of goods no product of the catalog is: say so honestly
        (no other product's facts). ``word`` is the viewer's own goods word (quoted)."""
        lang = "en" if lang == "en" else "zh"
        d = self._draft("not_sold", lang, nickname, word=plural_en(word) if lang == "en" else word)
        return dataclasses.replace(d, quoted=d.quoted + (word,))

    def not_sold_brand(self, lang: str, nickname: str | Sequence[str] = "") -> Draft:
        """The viewer asked for a brand no product of the catalog is: say so without repeating
        the brand (a competitor's name is never advertised by our host)."""
        return self._draft("not_sold_brand", "en" if lang == "en" else "zh", nickname)

    def compare(self, products: Sequence[Product], attr: str, lang: str, nickname: str = "", *,
                dearer: bool = False) -> Draft:
        """Two or more products side by side: prices (``attr`` ``price`` or unknown) or stock
        (``stock``), with which is cheaper / has more. An attribute the catalog cannot compare
        (warmth, speed of delivery) gives the prices, held for the host
        (``held_reason = "unsure: comparison"``). ``dearer``: the viewer asked which costs more."""
        lang = "en" if lang == "en" else "zh"
        ps = list(dict.fromkeys(products))[:3]
        def ref(p: Product) -> str:
            if lang == "zh":
                return (f"{p.listing_number}号" if p.listing_number is not None else "") + f"「{p.spoken_name}」"
            return f"“{p.title_en or p.spoken_name}”"
        def price(p: Product) -> str:
            if p.has_variant_prices:
                lo, hi = _fmt_price(p.min_price), _fmt_price(p.max_price)
                return f"{lo}到{hi}元" if lang == "zh" else f"{lo} to {hi} yuan"
            return f"{_fmt_price(p.price)}元" if lang == "zh" else f"{_fmt_price(p.price)} yuan"
        held = ""
        measured = _compared_measures(ps, attr, lang) if attr in _MEASURES else None
        if measured is not None:
            parts, tail = measured(ref)
        elif attr == "stock" and all(p.skus for p in ps):
            parts = [f"{ref(p)}还有{p.total_stock}件" if lang == "zh" else f"{ref(p)} has {p.total_stock} left"
                     for p in ps]
            best = max(ps, key=lambda p: p.total_stock)
            tail = (f"，{ref(best)}货多一些" if lang == "zh" else f"; {ref(best)} has more")
        else:
            parts = [f"{ref(p)}{price(p)}" if lang == "zh" else f"{ref(p)} is {price(p)}" for p in ps]
            tail = ""
            if attr in ("price", ""):
                order = sorted(ps, key=lambda p: p.min_price)
                # one is cheaper only when its dearest variant costs less than every other's cheapest
                if all(p.min_price == p.max_price == ps[0].min_price for p in ps):
                    tail = "，价格一样" if lang == "zh" else "; they cost the same"
                elif all(p.min_price == ps[0].min_price for p in ps):
                    low = _fmt_price(ps[0].min_price)
                    tail = f"，起步价一样，都是{low}元起" if lang == "zh" else f"; both start at {low} yuan"
                elif all(a.max_price < b.min_price for a, b in zip(order, order[1:])):
                    if dearer:
                        tail = f"，{ref(order[-1])}更贵" if lang == "zh" else f"; {ref(order[-1])} costs more"
                    else:
                        tail = f"，{ref(order[0])}更便宜" if lang == "zh" else f"; {ref(order[0])} is cheaper"
            if attr not in ("price",):
                held = "unsure: comparison"
        if measured is None and attr in _MEASURES:
            held = "unsure: comparison"  # a product without the fact: the seller compares
        nick = spoken_names(nickname, lang, self.names)
        body = ("，".join(parts) if lang == "zh" else ", ".join(parts)) + tail
        if lang == "zh":
            text = (f"{nick}，" if nick else "") + body
        else:
            body = body[0].upper() + body[1:]
            text = (f"{nick}, " if nick else "") + body + "."
        return Draft("compare", text, lang, tuple(p.product_id for p in ps), held_reason=held,
                     quoted=(nick,) if nick else ())

    def compare_variants(self, p: Product, option: str, values: Sequence[str], attr: str, lang: str,
                         nickname: str = "", text: str = "") -> Draft:
        """Two or more variants of one product side by side ("13升和16升差多少钱"): each one's price
        (yuan) and the difference when there are two, or each one's stock (``attr`` ``stock``).
        Any other attribute gives the prices, held for the host (``unsure: comparison``)."""
        from app.dialogue.variants import say_value, skus_with

        lang = "en" if lang == "en" else "zh"
        rows = []
        for v in values[:3]:
            skus = skus_with(p, {option: (v,)})
            prices = sorted({p.price_for(s) for s in skus})
            rows.append((say_value(p, v, text, lang), prices, sum(s.stock for s in skus)))
        if attr == "stock":
            parts = [f"{name}还有{n}件" if lang == "zh" else f"{name} has {n} left" for name, _, n in rows]
            tail = ""
        else:
            def price(ps: list) -> str:
                if len(ps) == 1:
                    return f"{_fmt_price(ps[0])}元" if lang == "zh" else f"{_fmt_price(ps[0])} yuan"
                lo, hi = _fmt_price(ps[0]), _fmt_price(ps[-1])
                return f"{lo}到{hi}元" if lang == "zh" else f"{lo} to {hi} yuan"
            parts = [f"{name}{price(ps)}" if lang == "zh" else f"{name} is {price(ps)}" for name, ps, _ in rows]
            tail = ""
            singles = [ps[0] for _, ps, _ in rows if len(ps) == 1]
            if len(singles) == len(rows) == 2:
                diff = abs(singles[0] - singles[1])
                if diff == 0:
                    tail = "，价格一样" if lang == "zh" else "; both cost the same"
                else:
                    tail = f"，差{_fmt_price(diff)}元" if lang == "zh" else f"; {_fmt_price(diff)} yuan apart"
        held = "" if attr in ("price", "stock") else "unsure: comparison"
        nick = spoken_names(nickname, lang, self.names)
        if lang == "zh":
            text_ = (f"{nick}，" if nick else "") + f"「{p.spoken_name}」" + "，".join(parts) + tail
        else:
            body = f"{p.title_en or p.spoken_name}: " + ", ".join(parts) + tail
            text_ = (f"{nick}, " if nick else "") + body + "."
        return Draft("compare", text_, lang, (p.product_id,), held_reason=held, quoted=(nick,) if nick else ())

    def thank_gift(self, nickname: str, gift_name: str, count: int, lang: str = "zh") -> Draft:
        """One gift thanked on its own (the aggregate lines are :mod:`app.reply.thanks`'s): the
        gift's name only when it passes the name filters, else 礼物 / gift."""
        from app.reply.guard import NameGuard

        gift = (self.names or NameGuard()).gift(gift_name, lang)
        return self._draft("gift", lang, nickname, gift=gift, count=count, numbers=(count,))

    def thank_follow(self, nickname: str, lang: str = "zh") -> Draft:
        return self._draft("follow", lang, nickname)

    # ------------------------------------------------------------------ size
    def _size(self, p: Product, slots: Slots, lang: str, nickname: str) -> Draft:
        if not p.sizes or not p.size_chart:  # no chart: only the seller can advise on fit
            return self._missing(lang, nickname, p, "size chart")
        h, w = slots.height_cm, slots.weight_kg
        if h is None and w is None:
            return self._draft("size_ask_body", lang, nickname, p)
        fitting = [r for r in p.size_chart if r.fits(h, w)]
        nums = tuple(x for x in (h, w) if x is not None)
        hs = _fmt_num(h) if h is not None else ("?" if lang == "en" else "")
        ws = _fmt_num(w) if w is not None else ""
        if not fitting:
            return self._draft("size_no_fit", lang, nickname, p, height=hs, weight=ws, numbers=nums,
                               held="missing_fact: no size in the chart fits")
        size = fitting[0].size
        if h is None or w is None:  # one measure only: say which one we used
            if lang == "zh":
                basis = f"身高{hs}厘米" if h is not None else f"体重{ws}公斤"
                text = f"按尺码表，{basis}穿「{p.spoken_name}」建议选{size}码"
            else:
                basis = f"{hs} cm" if h is not None else f"{ws} kg"
                text = f"By the size chart, at {basis} size {size} of “{p.title_en or p.title}” should fit."
            return Draft("size_fit", text, lang, (p.product_id,), tuple(Decimal(str(n)) for n in nums))
        return self._draft("size_fit", lang, nickname, p, height=hs, weight=ws, size=size, numbers=nums)

    # ------------------------------------------------------------------ stock
    @staticmethod
    def _colors_in_text(p: Product, text: str) -> list[str]:
        """The product's own colour labels named in the message (白绿, 深灰色 -> 深灰色), longest first,
        without labels that are only part of a longer one that matched."""
        found = []
        for c in sorted(p.colors, key=len, reverse=True):
            key = c[:-1] if c.endswith("色") and len(c) > 1 else c
            if key and key in text and not any(key in f for f in found):
                found.append(c)
        return found

    @staticmethod
    def _sizes_in_text(p: Product, text: str) -> list[str]:
        """The product's own size labels named in the message: letter sizes as whole tokens
        (XL is not L), numeric sizes (30, 36) unless they are a listing number (36号, #36), a
        body measure (165cm, 120斤) or part of a longer number."""
        found = []
        for size in sorted(p.sizes, key=len, reverse=True):
            label = size[:-1] if size.endswith("码") else size
            if not label:
                continue
            if label.isdigit():
                pat = rf"(?<![\d.#]){re.escape(label)}(?![\d.]|\s*(?:号|cm|CM|厘米|公分|斤|kg|KG|公斤|块|元|米|件|个))"
            else:
                pat = rf"(?<![A-Za-z]){re.escape(label)}(?![A-Za-z])"
            if re.search(pat, text, flags=re.IGNORECASE) and not any(label in f for f in found):
                found.append(size)
        return found

    def _match_skus(self, p: Product, slots: Slots, text: str = "") -> tuple[list[Sku], str, str]:
        """SKUs the message asks about, with the colour and size labels to say.

        Colours: the product's own colour names in the message, else the colour slot (exact
        word first, then colour family -- several colours of one family are all named). Sizes:
        the size slot, else the product's own size labels in the message. An empty SKU list
        with a label means the product has no such colour/size.
        """
        from app.understanding.text import normalize_text

        text = normalize_text(text) if text else ""
        skus = list(p.skus)
        color_label = size_label = ""
        named = self._colors_in_text(p, text) if text else []
        english = en_colors_named(p, text) if text and not named else []
        if named:
            skus = [s for s in skus if s.color in named]
            color_label = "、".join(named)
        elif english:  # "white green": 白绿, not 纯白
            skus = [s for s in skus if s.color in english]
            color_label = "、".join(english)
        elif slots.color:
            word = (slots.color_word or "").removesuffix("色")
            exact = [s for s in skus if s.color and word and word in s.color]
            # a basic colour word (蓝, red) covers its family; a specific one (卡其) only itself, never 杏色
            basic = len(word) <= 1 or word.isascii()
            by_family = exact or ([s for s in skus if s.color and _color_family(s.color) == slots.color] if basic else [])
            if not by_family:
                return [], slots.color_word or slots.color, ""
            skus = by_family
            color_label = "、".join(dict.fromkeys(s.color for s in by_family))
        wanted = [slots.size] if slots.size else (self._sizes_in_text(p, text) if text else [])
        if wanted and p.sizes:
            want = {w.upper().removesuffix("码") for w in wanted}
            by_size = [s for s in skus if s.size.upper().removesuffix("码") in want]
            if not by_size:
                return [], color_label, wanted[0]
            skus = by_size
            size_label = "、".join(dict.fromkeys(s.size for s in by_size))
        return skus, color_label, size_label

    def _by_color_slot(self, p: Product, chosen: list[Sku], values: list[str], slots: Slots, lang: str = "zh",
                       text: str = "") -> tuple[list[Sku], str] | None:
        """``chosen`` narrowed to the colour the message names in words the option labels do not
        carry (army green for 军绿色, by colour family), with the colour label; ``None`` when the
        message names no colour or the named option values already include one."""
        if not slots.color or not p.colors or any(v in p.colors for v in values):
            return None
        skus, color, _ = self._match_skus(p, Slots(color=slots.color, color_word=slots.color_word), text)
        keep = [s for s in chosen if s in skus]
        if len({s.color for s in keep}) > 1:
            return [], ""  # "blue 26" over 浅蓝色 and 深蓝色: which blue, the seller asks
        if lang == "en":  # English all through: the catalog's English label, else the viewer's word
            colors = list(dict.fromkeys(s.color for s in keep))
            from app.understanding.slots import _EN_COLOR_RE

            shade = _shade_phrase(text.lower())
            words = (shade[1] if shade else "") or " ".join(
                m.group(0) for m in _EN_COLOR_RE.finditer(text.lower())) or slots.color_word
            if len(colors) > 1 and not all(p.label_en(c) for c in colors):
                color = words  # "blue" over 浅蓝色 and 深蓝色: the viewer's word, never Chinese names
            else:
                color = ", ".join(p.label_en(c) or (words if len(colors) == 1 else "") or c for c in colors)
        return keep, color

    def _price(self, p: Product, slots: Slots, lang: str, nickname, text: str = "") -> Draft:
        """The price, by the variant the message names when the variants' prices differ
        ("Mate 50的多少钱" -> that SKU's price); "from N yuan" when it names none and they differ;
        held when it names a combination no SKU has."""
        from app.dialogue import units
        from app.dialogue.variants import VARIANT_TOKEN, named_options, say_value, skus_with

        if p.free_gift:  # "小样多少钱": a free gift has no price of its own
            return self._draft("price_gift", lang, nickname, p)
        prices = sorted({p.price_for(s) for s in p.skus}) if p.skus else [p.price]
        named = named_options(p, text) if text and len(p.skus) > 1 else {}
        if len(p.skus) > 1 and text and (_variant_left_unread(p, named, text, lang, english_words=False)
                                         or (not named and VARIANT_TOKEN.search(text)
                                             and not (slots.color or slots.size) and not _PER_UNIT.search(text)
                                             and units.read_question(text) is None)):
            # "坚果60包", "面霜100ml" of a product made in other packs: no "from N yuan" for a variant it lacks
            return self._draft("missing_fact", lang, nickname, p, held="unsure: variant")
        by_slot: tuple[list[Sku], str] | None = None  # the SKUs of the colour / size slots, with their label
        if not named and ((slots.color and p.colors) or slots.size):
            skus, color, size = self._match_skus(p, slots, text)
            if not skus and (color or size):  # "蓝色的多少钱" of a shoe in 纯白 and 白绿: it does not come in blue
                return self._draft("missing_fact", lang, nickname, p, held="unsure: variant")
            if color or size:
                by_slot = skus, self._variant(color, size, lang)
        if len(prices) <= 1:
            sold_out = named and not any(s.stock for s in skus_with(p, named))
            d = self._draft("price", lang, nickname, p, **({"price": _fmt_price(prices[0])} if prices else {}))
            d = self._sold_out_note(d) if sold_out else d
            return self._per_one_note(d, p, slots, text)
        chosen: list[Sku] = []
        label = ""
        if named:
            chosen = skus_with(p, named)
            if not chosen:
                return self._draft("missing_fact", lang, nickname, p, held="unsure: variant")
            values = [v for vs in named.values() for v in vs]
            label = ("、" if lang == "zh" else ", ").join(say_value(p, v, text, lang) for v in values)
        elif by_slot is not None:
            chosen, label = by_slot
        if chosen:
            vp = sorted({p.price_for(s) for s in chosen})
            if len(vp) == 1:
                d = self._draft("price_variant", lang, nickname, p, price=_fmt_price(vp[0]), variant=label,
                                variant_en=label)
                return self._sold_out_note(d) if not any(s.stock for s in chosen) else d
            return self._draft("price_from", lang, nickname, p, price=_fmt_price(vp[0]))
        return self._draft("price_from", lang, nickname, p, price=_fmt_price(prices[0]))

    @staticmethod
    def _per_one_note(d: Draft, p: Product, slots: Slots, text: str = "") -> Draft:
        """"买两盒多少钱": the price said is one's ("这是一盒的价格"); the total is the seller's to
        confirm (no price is multiplied)."""
        if not slots.quantity or slots.quantity < 2 or not _BUY_COUNT.search(text or ""):
            return d
        m = re.search(r"[支个片包盒瓶袋罐枚只颗条双套张台件]", p.unit or "")
        return _with_tail(d, f"，这是一{m.group(0) if m else '件'}的价格", " -- that is the price of one")

    @staticmethod
    def _sold_out_note(d: Draft) -> Draft:
        """A price of a variant that is sold out says so ("乌龙250g 88元，不过目前卖完了")."""
        return _with_tail(d, "，不过这个规格目前卖完了", " -- but it is sold out right now")

    def _variant(self, color: str, size: str, lang: str) -> str:
        if lang == "zh":
            return f"{color}{size + '码' if size and not size.endswith('码') and size != '均码' else size}"
        return " ".join(x for x in (color, f"size {size}" if size else "") if x)

    def _stock(self, p: Product, slots: Slots, lang: str, nickname: str, text: str = "") -> Draft:
        if not p.skus:
            return self._missing(lang, nickname, p, "stock")
        from app.dialogue.variants import (VARIANT_TOKEN, named_options, option_values, say_value, skus_with,
                                           value_mentioned_loosely)

        named = named_options(p, text) if text and len(p.skus) > 1 else {}
        if len(p.skus) > 1 and text and _variant_left_unread(p, named, text, lang):
            # "窗帘灰蓝2.25米", "卸妆水小瓶", "white tea ... 250ml": a part of the variant we cannot read
            return self._draft("missing_fact", lang, nickname, p, held="unsure: variant")
        if not named and slots.color and not p.colors:  # "red lipstick": a shade option not called colour
            shaded = {(n, v) for n, vs in option_values(p).items() for v in vs if slots.color in _color_families(v)}
            if len(shaded) > 1:
                return self._draft("missing_fact", lang, nickname, p, held="unsure: variant")
            if shaded:
                ((opt, v),) = shaded
                named = {opt: (v,)}
            else:
                slots = dataclasses.replace(slots, color=None, color_word=None)  # "dark chocolate": no colour asked
        if named:  # the exact variant by any option label the message names
            chosen = skus_with(p, named)
            values = [v for vs in named.values() for v in vs]
            label = ("、" if lang == "zh" else ", ").join(say_value(p, v, text, lang) for v in values)
            if not chosen:  # no SKU has that combination: the seller knows better
                return self._draft("missing_fact", lang, nickname, p, held="unsure: variant")
            by_color = self._by_color_slot(p, chosen, values, slots, lang, text)
            if by_color is not None:  # "army green M": the colour the option labels did not name
                if not by_color[0]:
                    return self._draft("missing_fact", lang, nickname, p, held="unsure: variant")
                chosen = by_color[0]
                label = ("、" if lang == "zh" else ", ").join((by_color[1], label))
            n = sum(s.stock for s in chosen)
            return self._draft("stock_yes" if n > 0 else "stock_no", lang, nickname, p, variant=label,
                               variant_en=label, n=n)
        skus, color, size = self._match_skus(p, slots, text)
        if lang == "en" and color and skus:  # the catalog's English colour names (鸢尾紫 -> iris purple)
            from app.dialogue.english import say_in_english

            color = ", ".join(p.label_en(c) or say_in_english(c) or c for c in color.split("、"))
        variant = self._variant(color, size, lang)
        if len(p.skus) > 1 and not variant and text and VARIANT_TOKEN.search(text):
            # a variant-like label (250g, 30ml) that is none of this product's: do not answer for the whole
            return self._draft("missing_fact", lang, nickname, p, held="unsure: variant")
        if not skus and (color or slots.color_word) and value_mentioned_loosely(p, color or slots.color_word or ""):
            return self._draft("missing_fact", lang, nickname, p, held="unsure: variant")
        if not skus and size and p.sizes and size.upper().removesuffix("码") not in {
                x.upper().removesuffix("码") for x in p.sizes}:
            # a size the product is not made in: say so and name the sizes (never "sold out")
            word = size if lang == "en" or size.endswith("码") or not size.isdigit() else f"{size}码"
            if lang == "zh" and not word.endswith("码") and word.isascii():
                word += "码"
            nums = tuple(Decimal(n) for n in re.findall(r"\d+(?:\.\d+)?", size))
            return self._draft("size_no", lang, nickname, p, size_word=word, numbers=nums)
        if not skus:  # asked for a colour/size the product does not have
            if slots.color and color and not size:
                return self._draft("color_no", lang, nickname, p, color_word=color)
            return self._draft("stock_no", lang, nickname, p, variant=variant or "", variant_en=variant)
        n = sum(s.stock for s in skus)
        if not variant:  # the product as a whole
            return self._draft("stock_total" if n > 0 else "stock_none", lang, nickname, p, n=n)
        key = "stock_yes" if n > 0 else "stock_no"
        return self._draft(key, lang, nickname, p, variant=variant, variant_en=variant, n=n)

    # ------------------------------------------------------------------ details
    def _detail(self, p: Product, slots: Slots, lang: str, nickname: str, text: str = "") -> Draft:
        named = self._colors_in_text(p, text) if text else []
        if (slots.color or named) and p.colors:
            skus, color, _ = self._match_skus(p, Slots(color=slots.color, color_word=slots.color_word), text)
            if skus:
                n = sum(s.stock for s in skus)
                if n > 0:
                    return self._draft("color_yes", lang, nickname, p, color=color, n=n)
                return self._draft("stock_no", lang, nickname, p, variant=color, variant_en=color)
            return self._draft("color_no", lang, nickname, p, color_word=slots.color_word or slots.color)
        if lang == "zh":
            parts = []
            if p.material:
                parts.append(f"是{p.material}的")
            parts.extend(p.selling_points[:2])
            if p.colors:
                parts.append(f"有{'、'.join(p.colors)}可选")
            if not parts:
                return self._missing(lang, nickname, p, "product details")
            return self._draft("detail", lang, nickname, p, facts="，".join(parts))
        ascii_points = [s for s in (p.material, *p.selling_points) if s and s.isascii()]
        if not ascii_points:
            return self._missing(lang, nickname, p, "English product details")
        return self._draft("detail", lang, nickname, p, facts_en=", ".join(ascii_points[:3]))

    def _shipping(self, p: Product, lang: str, nickname: str, text: str = "") -> Draft:
        """Shipping terms; a destination named in ``text`` (新疆包邮吗) is answered for that place
        from the free-shipping exceptions, or held when an exception is a vague region."""
        from app.dialogue.places import destination, excluded

        sh = p.shipping
        dest = destination(text) if text else None
        covered = None
        if dest is not None and sh.free_shipping is True:
            covered = excluded(dest, sh.free_shipping_exceptions)
            if covered is None:
                return self._missing(lang, nickname, p, f"shipping to {dest.en[0]}" if lang == "en"
                                     else f"{dest.name}是否包邮")
        asked = _shipping_aspects(text)
        if lang == "zh":
            parts = []
            if asked and not asked & {"fee", "courier"} and dest is None:
                pass  # "几天能到": the days, not the whole terms
            elif sh.free_shipping is True and dest is not None:
                parts.append(f"{dest.name}不包邮（{'、'.join(sh.free_shipping_exceptions)}不在包邮范围）" if covered
                             else f"{dest.name}也包邮")
            elif sh.free_shipping is True:
                parts.append("包邮" + (f"（{'、'.join(sh.free_shipping_exceptions)}除外）"
                                       if sh.free_shipping_exceptions else ""))
            elif sh.free_shipping is False:
                parts.append("不包邮")
            if sh.courier and (not asked or "courier" in asked):
                parts.append(f"发{sh.courier}")
            if sh.ships_from and (not asked or "from" in asked):
                parts.append(f"从{sh.ships_from}发货")
            if sh.dispatch_days is not None and (not asked or asked & {"dispatch", "arrival"}):
                parts.append("付款后当天发货" if sh.dispatch_days == 0 else f"付款后{sh.dispatch_days}天内发货")
            if sh.delivery_days and (not asked or "arrival" in asked):
                parts.append(f"一般{sh.delivery_days.replace('-', '到')}天到")
            if not parts:
                return self._missing(lang, nickname, p, "shipping")
            return self._draft("shipping", lang, nickname, p, facts="，".join(parts))
        parts = []
        if asked and not asked & {"fee", "courier"} and dest is None:
            pass
        elif sh.free_shipping is True and dest is not None:
            parts.append(f"free shipping does not cover {dest.en[0]}" if covered
                         else f"free shipping to {dest.en[0]} too")
        elif sh.free_shipping is True:
            parts.append("free shipping" + (" except some remote regions" if sh.free_shipping_exceptions else ""))
        elif sh.free_shipping is False:
            parts.append("shipping is not free")
        if sh.dispatch_days is not None and (not asked or asked & {"dispatch", "arrival"}):
            parts.append("ships the same day" if sh.dispatch_days == 0 else
                         f"ships within {sh.dispatch_days} day{'' if sh.dispatch_days == 1 else 's'}")
        if sh.delivery_days and (not asked or "arrival" in asked):
            parts.append(f"usually arrives in {sh.delivery_days} day{'' if sh.delivery_days == '1' else 's'}")
        if not parts:
            return self._missing(lang, nickname, p, "shipping")
        return self._draft("shipping", lang, nickname, p, facts_en=", ".join(parts))

    def _after_sales(self, p: Product, lang: str, nickname: str) -> Draft:
        af = p.after_sales
        parts = []
        if lang == "zh":
            if af.return_days == 0:
                parts.append("这款不支持无理由退货")
            elif af.return_days is not None:
                parts.append(f"支持{af.return_days}天无理由退换")
            if af.return_shipping_paid_by in _PAYER_ZH:
                parts.append(_PAYER_ZH[af.return_shipping_paid_by])
            if af.warranty:
                parts.append(f"保修：{af.warranty}")
            if not parts:
                return self._missing(lang, nickname, p, "after-sales terms")
            return self._draft("after_sales", lang, nickname, p, facts="，".join(parts))
        if af.return_days == 0:
            parts.append("no no-reason returns for this item")
        elif af.return_days is not None:
            parts.append(f"{af.return_days}-day no-reason returns")
        if af.return_shipping_paid_by in _PAYER_EN:
            parts.append(_PAYER_EN[af.return_shipping_paid_by])
        if not parts:
            return self._missing(lang, nickname, p, "after-sales terms")
        return self._draft("after_sales", lang, nickname, p, facts_en=", ".join(parts))

    # ------------------------------------------------------------------ recommendations
    def _recommend(self, slots: Slots, lang: str, nickname: str,
                   recommendations: list[tuple[Product, str]] | None) -> Draft:
        recs = recommendations if recommendations is not None else self.fallback_recommendations(slots)
        nums = tuple(x for x in (slots.budget_max, slots.budget_min, slots.height_cm, slots.weight_kg)
                     if x is not None)
        if not recs:
            held = "" if not any(x is not None for x in (slots.budget_max, slots.color, slots.size)) \
                else "missing_fact: nothing in stock matches"
            return self._draft("recommend_none", lang, nickname, numbers=nums, held=held)
        # spoken replies stay short: two products, at most two reasons each
        recs = [(p, "、".join(r.split("、")[:2]) if lang == "zh" else ", ".join(r.split(", ")[:2]))
                for p, r in recs[:2]]
        # sales counts in the recommender's reasons are tracked facts (from the store), not catalog ones
        for _, reason in recs:
            nums += tuple(Decimal(g) for groups in re.findall(r"已卖(\d+)件|(\d+) sold", reason or "")
                          for g in groups if g)
        if lang == "zh":
            def item_zh(p: Product, reason: str) -> str:
                name = f"{p.listing_number}号「{p.spoken_name}」" if p.listing_number is not None else f"「{p.spoken_name}」"
                if reason and "元" in reason:
                    return f"{name}（{reason}）"
                return f"{name}{_fmt_price(p.price)}元" + (f"（{reason}）" if reason else "")

            items = "、".join(item_zh(p, reason) for p, reason in recs)
            text = self._fill("recommend", lang, nickname, items=items)
        else:
            items_en = ", ".join(
                f"“{p.title_en or p.title}” ({reason})" if reason and ("¥" in reason or "yuan" in reason)
                else f"“{p.title_en or p.title}” ({_fmt_price(p.price)} yuan" + (f", {reason})" if reason else ")")
                for p, reason in recs)
            text = self._fill("recommend", lang, nickname, items_en=items_en)
        return Draft("recommend", text, lang, tuple(p.product_id for p, _ in recs),
                     tuple(Decimal(str(n)) for n in nums))

    def search_answer(self, result, lang: str, nickname: str | Sequence[str] = "") -> Draft:
        """The reply to a catalog search (:func:`app.dialogue.search.run_search`): the products
        found with their listing numbers and prices (the lowest price of a matching in-stock
        variant, yuan); held for the seller when a soft constraint is in no product's facts
        (``unsure: constraint``) or nothing matches (an honest "we don't have that" to approve)."""
        req = result.request
        nums = tuple(x for x in (req.budget_max, req.budget_min) if x is not None)
        nums += tuple(Decimal(n) for n in re.findall(r"\d+(?:\.\d+)?", req.text or ""))
        if result.unmatched:
            unmatched = [u.lstrip("=").replace("|", "/") for u in result.unmatched]
            what = "、".join(unmatched) if lang == "zh" else ", ".join(unmatched)
            return self._draft("missing_fact", lang, nickname, numbers=nums, held=f"unsure: constraint {what}")
        if not result.items:
            from app.dialogue.vocabulary import GENERAL_GOODS

            # a kind of goods (钢化膜), never a product's own name the viewer used as a variant (K50)
            word = next((w for w in req.words if w in GENERAL_GOODS), "")
            return self._draft("search_none", lang, nickname, numbers=nums, held="missing_fact: nothing matches",
                               what=word or "商品", what_en=plural_en(word) if word.isascii() and word else "anything")
        if lang == "zh":
            items = "、".join((f"{p.listing_number}号「{p.spoken_name}」" if p.listing_number is not None else f"「{p.spoken_name}」")
                              + f"{_fmt_price(price)}元" for p, _, price in result.items)
            text = self._fill("search", lang, nickname, items=items)
        else:
            items_en = ", ".join(f"“{p.title_en or p.title}” ({_fmt_price(price)} yuan"
                                 + (f", link {p.listing_number})" if p.listing_number is not None else ")")
                                 for p, _, price in result.items)
            text = self._fill("search", lang, nickname, items_en=items_en)
        return Draft("search", text, lang, tuple(p.product_id for p, _, _ in result.items),
                     tuple(Decimal(str(n)) for n in nums))

    def fit(self, p: Product, terms: Sequence[str], lang: str, nickname: str | Sequence[str] = "") -> Draft:
        """Whether ``p`` suits what the viewer names ("这个适合送礼吗", "is it a good gift"): said
        only when ``p``'s own facts carry every term (suitable-for, tags, selling points, FAQ; see
        :func:`app.dialogue.search.carries`), quoting the facts; otherwise held for the seller."""
        from app.dialogue.search import carries, carrying_facts, carrying_facts_en

        if not terms or not all(carries(p, t) for t in terms):
            return self._missing(lang, nickname, p, "、".join(terms) if terms else "suitability")
        if lang == "en":
            facts_en = carrying_facts_en(p, terms)
            if not facts_en:
                return self._missing(lang, nickname, p, ", ".join(terms))
            return self._draft("fit_yes", lang, nickname, p, facts_en=" and ".join(facts_en))
        facts = carrying_facts(p, terms)
        if not facts:
            return self._missing(lang, nickname, p, "、".join(terms))
        return self._draft("fit_yes", lang, nickname, p, facts="，".join(facts))

    def fallback_recommendations(self, slots: Slots, k: int = 3) -> list[tuple[Product, str]]:
        """In-stock products matching the slots (budget, colour, size, mentions), best first.

        Used when no recommender stage runs. Ranking: mentioned products first, then by
        stock (more stock first) as a neutral tie-break; reasons name the matched slots.
        """
        out: list[tuple[int, int, Product, str]] = []
        mentioned = set(slots.product_mentions)
        mentioned_cats = {self.catalog.get(pid).category for pid in mentioned if self.catalog.get(pid)}
        for p in self.catalog:
            if p.total_stock <= 0 or p.free_gift:  # a free gift is never recommended
                continue
            if slots.budget_max is not None and p.price > slots.budget_max:
                continue
            if slots.budget_min is not None and p.price < slots.budget_min:
                continue
            reasons = []
            if slots.color:
                skus, color, _ = self._match_skus(p, Slots(color=slots.color, color_word=slots.color_word))
                if not skus or sum(s.stock for s in skus) <= 0:
                    continue
                reasons.append(f"有{color}")
            if slots.size and p.sizes:
                skus, _, size = self._match_skus(p, Slots(size=slots.size))
                if not skus or sum(s.stock for s in skus) <= 0:
                    continue
                reasons.append(f"{size}码有货")
            if slots.budget_max is not None:
                reasons.append("在预算内")
            score = 2 if p.product_id in mentioned else (1 if p.category in mentioned_cats else 0)
            out.append((score, p.total_stock, p, "，".join(reasons)))
        out.sort(key=lambda x: (-x[0], -x[1]))
        return [(p, r) for _, _, p, r in out[:k]]
