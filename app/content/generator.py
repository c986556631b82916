"""The built-in generator: product introductions and offer lines from the catalog's own facts.

No model and no download: every clause is a phrasing (several per kind, Chinese and English)
filled only with values of the product's catalog fields, and every clause keeps the names of
those fields (:class:`app.content.model.Sentence`). Nothing the catalog does not say is
claimed -- no sales counts, rankings, savings worked out by us, time limits or health effects
-- and no phrasing uses an absolute claim (极限词, :data:`app.reply.guard.BANNED_WORDS`).

**Structure.** An introduction is built from the parts of :data:`app.content.model.PARTS`:
an opening (listing number, name, brand), the FABE core -- *feature* (material, net content,
variants), *advantage* (the selling points), *benefit* (who it suits, help with the size
chart), *evidence* (the seller's FAQ answers, warranty, shelf life, production date) -- then
the *offer* (live price against the crossed-out price, per-variant prices, units in stock, a
variant running low), the *shipping* and *after-sales* promises and a call to action.

**Variants.** Variant ``k`` uses plan ``k mod len(PLANS)`` (the order of the parts: classic
FABE, offer first, benefit first, evidence first), its own phrasing of every clause and its own
order of the selling points, so repeated rotations do not sound recorded.

**Length.** Each variant is fitted to ``min_seconds``..``max_seconds`` of speech at the
configured rate (:func:`app.content.timing.speech_seconds`): clauses have a priority (0 =
always: opening, price, call to action; 1 = the core facts; 2-4 = details); the generator
starts with priorities 0-2, drops the least important clauses while too long and adds details
(then a reminder of the price) while too short. A product with too few facts for
``min_seconds`` gets a shorter introduction (its ``seconds`` say so). A clause whose catalog
text holds an absolute-claim word (a seller's FAQ answer "最高100W") is left out.

Every introduction and offer line is checked with :class:`app.reply.guard.FactGuard` before it
is returned; one that fails (a bug, never expected) is marked in ``held_reason`` so it is
never spoken.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from app.catalog.model import Catalog, Product, Sku, faq_key, is_color_option, is_size_option
from app.content.model import Introduction, OfferLine, Sentence, join_sentences
from app.content.timing import EN_WORDS_PER_WORD, speech_seconds, speech_units, zh_chars_per_second
from app.reply.guard import BANNED_WORDS, FactGuard

PLANS: tuple[tuple[str, ...], ...] = (
    ("opening", "feature", "advantage", "benefit", "evidence", "offer", "shipping", "after_sales", "call"),
    ("opening", "offer", "advantage", "feature", "benefit", "shipping", "after_sales", "evidence", "call"),
    ("opening", "benefit", "advantage", "feature", "evidence", "offer", "after_sales", "shipping", "call"),
    ("opening", "evidence", "feature", "advantage", "offer", "shipping", "after_sales", "benefit", "call"),
)
"""The orders of the parts, one per variant (cycled)."""

MAX_LISTED = 5
"""At most this many colours, sizes or other option values are named in one clause (more get 等)."""
MAX_FAQ_ANSWER = 40
"""FAQ answers longer than this many characters are left to the host."""

_TRIVIAL_UNIT = re.compile(r"^(?:1|一)\s*(?:件|个|台|只|条|把|支|双|本|张|部|顶|块|套|盒|瓶|包)?$")
_LETTER_SIZE = re.compile(r"^(?:\d?X{0,3}[SML]|\d{2,3})$", re.IGNORECASE)
_ASCII_TEXT = re.compile(r"^[\x20-\x7e]+$")
_QUESTION = re.compile(r"(?:吗|呢|么|嘛|[?？]|多久|多少|几|什么|哪|怎么|能不能|可不可以|是不是|有没有)$")
_EN_UNITS = ((r"(\d+(?:\.\d+)?)\s*(?:克|g)\b", r"\1 grams"), (r"(\d+(?:\.\d+)?)\s*(?:千克|公斤|kg)", r"\1 kilograms"),
             (r"(\d+(?:\.\d+)?)\s*(?:毫升|ml)", r"\1 ml"), (r"(\d+(?:\.\d+)?)\s*(?:升|L)\b", r"\1 liters"),
             (r"(\d+)\s*个月", r"\1 months"), (r"(\d+)\s*天", r"\1 days"), (r"(\d+)\s*年", r"\1 years"),
             (r"(\d+)\s*(?:枚|个|颗|片|包|袋|支)", r"\1 pieces"))


def _banned(text: str) -> bool:
    """True when ``text`` holds an absolute-claim word (a seller's own selling point or FAQ answer may)."""
    return any(w in text for w in BANNED_WORDS)


def _stable(key: str) -> int:
    return zlib.crc32(key.encode("utf-8"))


def _money(v: Decimal) -> str:
    """59.90 -> '59.9', 59.00 -> '59' (the amount is unchanged)."""
    return format(v.normalize(), "f")


def _is_ascii(text: str) -> bool:
    return bool(text) and bool(_ASCII_TEXT.match(text))


def _en_measure(text: str) -> str:
    """``200克（4枚）`` -> ``200 grams (4 pieces)``, ``60天`` -> ``60 days``; ``""`` when Chinese is left."""
    out = text.replace("（", " (").replace("）", ")").replace("／", "/")
    for pat, rep in _EN_UNITS:
        out = re.sub(pat, rep, out)
    out = re.sub(r"\s+", " ", out).strip()
    return out if _is_ascii(out) else ""


def _listed(values: Sequence[str], lang: str) -> str:
    vals = list(values)
    more = len(vals) > MAX_LISTED
    vals = vals[:MAX_LISTED]
    if lang == "zh":
        return "、".join(vals) + ("等" if more else "")
    if len(vals) == 1:
        return vals[0]
    text = ", ".join(vals[:-1]) + (", " if more else " and ") + vals[-1]
    return text + (" and more" if more else "")


@dataclass(frozen=True, slots=True)
class _Clause:
    sentence: Sentence
    priority: int
    """0 = always said; higher = dropped first when too long, added last when too short."""
    key: str
    """Identifies the fact (two clauses with one key never both appear)."""


class IntroGenerator:
    """Introductions and offer lines from catalog facts (see the module docstring).

    Args:
        catalog: the seller's catalog (the guard checks every text against it).
        rate_wpm: speaking rate, words per minute (``settings.speech.rate_wpm``).
        min_seconds / max_seconds: target length of an introduction, seconds of speech.
        low_stock_units: a variant with at most this many units (and at least one) left gets a
            stock-running-low line.
    """

    def __init__(self, catalog: Catalog, *, rate_wpm: float = 175, min_seconds: float = 15.0,
                 max_seconds: float = 40.0, low_stock_units: int = 20) -> None:
        self.catalog = catalog
        self.rate_wpm = float(rate_wpm)
        self.min_seconds = float(min_seconds)
        self.max_seconds = float(max_seconds)
        self.low_stock_units = int(low_stock_units)
        self.guard = FactGuard(catalog)
        self._unit_cache: dict[tuple[str, str], int] = {}

    @classmethod
    def from_settings(cls, catalog: Catalog, settings) -> "IntroGenerator":
        """Built from :class:`app.settings.Settings` (``speech.rate_wpm`` and ``[content]``)."""
        c = settings.content
        return cls(catalog, rate_wpm=settings.speech.rate_wpm, min_seconds=c.min_seconds,
                   max_seconds=c.max_seconds, low_stock_units=c.low_stock_units)

    # ------------------------------------------------------------------ public
    def seconds(self, text: str, lang: str) -> float:
        """Speech length of ``text`` at this generator's rate, seconds."""
        return speech_seconds(text, lang, self.rate_wpm)

    def _units(self, text: str, lang: str) -> int:
        key = (text, lang)
        n = self._unit_cache.get(key)
        if n is None:
            if len(self._unit_cache) > 20_000:
                self._unit_cache.clear()
            n = self._unit_cache[key] = speech_units(text, lang)
        return n

    def _seconds_of_units(self, units: int, lang: str) -> float:
        rate = max(1.0, self.rate_wpm)
        return units / zh_chars_per_second(rate) if lang == "zh" else units * 60.0 / (rate * EN_WORDS_PER_WORD)

    def introductions(self, product: Product, lang: str = "zh", n: int = 3,
                      plan: int | None = None) -> list[Introduction]:
        """``n`` introductions of ``product`` in ``lang`` (``zh``/``en``), all different.

        ``plan`` fixes the order of the parts (an index into :data:`PLANS`; the built-in styles
        ``fabe``, ``offer-first``, ``benefit-first``, ``evidence-first``); ``None`` = variant
        ``k`` uses plan ``k``, cycling.

        Returns fewer than ``n`` only when the product has too few facts for ``n`` different
        texts. Each has ``seconds`` within the target range unless the catalog has too few facts
        about the product (then it is shorter).
        """
        lang = "en" if lang == "en" else "zh"
        out: list[Introduction] = []
        seen: set[str] = set()
        for k in range(n):
            for attempt in range(4):
                intro = self._one(product, lang, k, attempt, plan)
                if intro.text not in seen:
                    break
            if intro.text in seen:
                continue
            seen.add(intro.text)
            out.append(intro)
        return out

    def facts(self, product: Product, lang: str = "zh") -> list[Sentence]:
        """Every clause the catalog supports about ``product`` in ``lang``, of every priority
        (what an introduction may say; what the language model is given)."""
        lang = "en" if lang == "en" else "zh"
        return [c.sentence for c in self._clauses(product, lang, 0)]

    def offer_lines(self, product: Product, lang: str = "zh") -> list[OfferLine]:
        """Short lines for countdowns (price and a call to buy) and, for every variant in stock
        with at most ``low_stock_units`` left, a stock-running-low line (lowest stock first, at
        most six). Sold-out products get no countdown line."""
        lang = "en" if lang == "en" else "zh"
        lines: list[OfferLine] = []
        if product.skus and product.total_stock <= 0:
            return lines
        lines += self._countdown_lines(product, lang)
        lines += self._low_stock_lines(product, lang)
        checked = []
        for line in lines:
            if self._guard_problem(line.text, product, lang) or _banned(line.text):
                continue
            checked.append(line)
        return checked

    # ------------------------------------------------------------------ assembly
    def _one(self, p: Product, lang: str, variant: int, attempt: int, fixed: int | None = None) -> Introduction:
        plan = PLANS[(variant + attempt) % len(PLANS) if fixed is None else fixed % len(PLANS)]
        seed = variant * 7 + attempt * 3
        clauses = self._clauses(p, lang, seed)
        by_part: dict[str, list[_Clause]] = {part: [] for part in plan}
        for c in clauses:
            by_part.setdefault(c.sentence.part, []).append(c)
        ordered = [c for part in plan for c in by_part.get(part, [])]
        chosen = [c for c in ordered if c.priority <= 2]

        # Speech units add up clause by clause (joining punctuation is not spoken), so the fitting
        # below sums cached per-clause counts; the final length is measured on the whole text.
        def secs_of(cs: list[_Clause]) -> float:
            return self._seconds_of_units(sum(self._units(c.sentence.text, lang) for c in cs), lang)

        secs = secs_of(chosen)
        while secs > self.max_seconds:
            droppable = [c for c in chosen if c.priority > 0]
            if not droppable:
                break
            worst = max(droppable, key=lambda c: (c.priority, chosen.index(c)))
            chosen.remove(worst)
            secs = secs_of(chosen)
        spare = sorted((c for c in ordered if c not in chosen), key=lambda c: (c.priority, ordered.index(c)))
        for extra in spare:
            if secs >= self.min_seconds:
                break
            trial = sorted(chosen + [extra], key=ordered.index)
            t = secs_of(trial)
            if t <= self.max_seconds:
                chosen, secs = trial, t
        for filler in self._fillers(p, lang, seed):
            if secs >= self.min_seconds:
                break
            trial = chosen[:-1] + [filler, chosen[-1]] if chosen and chosen[-1].sentence.part == "call" \
                else chosen + [filler]
            t = secs_of(trial)
            if t <= self.max_seconds:
                chosen, secs = trial, t
        sentences = tuple(c.sentence for c in chosen)
        text = join_sentences(sentences, lang)
        secs = self.seconds(text, lang)
        held = self._guard_problem(text, p, lang)
        return Introduction(product_id=p.product_id, lang=lang, variant=variant, sentences=sentences,
                            seconds=round(secs, 2), held_reason=held, plan=plan)

    def _guard_problem(self, text: str, p: Product, lang: str) -> str:
        result = self.guard.check(text, [p.product_id])
        return result.reason

    # ------------------------------------------------------------------ clauses
    def _clauses(self, p: Product, lang: str, seed: int) -> list[_Clause]:
        build = _ZhClauses(p, seed, self.low_stock_units) if lang == "zh" else _EnClauses(p, seed, self.low_stock_units)
        return [c for c in build.all() if not _banned(c.sentence.text)]

    def _fillers(self, p: Product, lang: str, seed: int) -> list[_Clause]:
        build = _ZhClauses(p, seed, self.low_stock_units) if lang == "zh" else _EnClauses(p, seed, self.low_stock_units)
        return [c for c in build.fillers() if not _banned(c.sentence.text)]

    # ------------------------------------------------------------------ offer lines
    def _countdown_lines(self, p: Product, lang: str) -> list[OfferLine]:
        b = _ZhClauses(p, 0, self.low_stock_units) if lang == "zh" else _EnClauses(p, 0, self.low_stock_units)
        return [OfferLine(p.product_id, lang, "countdown", s.text, s.fields) for s in b.countdown()]

    def _low_stock_lines(self, p: Product, lang: str) -> list[OfferLine]:
        b = _ZhClauses(p, 0, self.low_stock_units) if lang == "zh" else _EnClauses(p, 0, self.low_stock_units)
        return b.low_stock()


# ============================================================================ per language

class _Clauses:
    """Shared helpers of the clause builders (one per language)."""

    lang = "zh"

    def __init__(self, p: Product, seed: int, low_stock_units: int) -> None:
        self.p = p
        self.seed = seed
        self.low = low_stock_units

    def pick(self, key: str, options: Sequence[str]) -> str:
        """One of ``options``: by the variant's seed, the clause kind and the product (so the
        products of one rotation do not all open the same way)."""
        return options[(self.seed + _stable(key + "|" + self.p.product_id)) % len(options)]

    def rotated(self, items: Sequence[str]) -> list[str]:
        items = list(items)
        if not items:
            return items
        k = self.seed % len(items)
        return items[k:] + items[:k]

    def clause(self, part: str, text: str, fields: tuple[str, ...], priority: int, key: str) -> _Clause:
        return _Clause(Sentence(text, part, fields), priority, key)

    @property
    def stock_field(self) -> str:
        return "skus" if self.p.has_variants else "stock"

    def variant_options(self) -> list[tuple[str, tuple[str, ...]]]:
        """(option name, distinct values) of the product's options, in order."""
        return [(n, self.p.option_values(n)) for n in self.p.option_names if self.p.option_values(n)]

    def price_groups(self) -> list[tuple[str, Decimal, Decimal | None]] | None:
        """When SKU prices depend on one option only: ``(value, price, original)`` per value of it
        (at most four); ``None`` otherwise."""
        p = self.p
        if not p.has_variant_prices:
            return None
        for name in p.option_names:
            by_value: dict[str, set[tuple[Decimal, Decimal | None]]] = {}
            for s in p.skus:
                by_value.setdefault(s.option(name), set()).add((p.price_for(s), p.original_price_for(s)))
            if all(len(v) == 1 for v in by_value.values()) and "" not in by_value and len(by_value) <= 4:
                return [(val, *next(iter(prices))) for val, prices in by_value.items()]
        return None

    def net_is_options(self) -> bool:
        """True when the net content only lists the variants (``30ml / 50ml`` with options 30ml, 50ml)."""
        values = " ".join(v for s in self.p.skus for v in s.values)
        nums = re.findall(r"\d+(?:\.\d+)?", self.p.net_weight)
        return bool(nums) and len(self.p.skus) > 1 and all(n in values for n in nums)

    def suits_are_options(self) -> bool:
        """True when ``suitable_for`` only repeats option values (phone models of a case)."""
        values = {v for s in self.p.skus for v in s.values}
        return bool(self.p.suitable_for) and all(w in values for w in self.p.suitable_for)

    def low_skus(self) -> list[Sku]:
        skus = [s for s in self.p.skus if s.options and 0 < s.stock <= self.low]
        return sorted(skus, key=lambda s: (s.stock, self.p.skus.index(s)))[:6]


class _ZhClauses(_Clauses):
    lang = "zh"

    @property
    def name(self) -> tuple[str, str]:
        p = self.p
        return (p.short_name, "short_name") if p.short_name else (p.title, "title")

    def variant_label(self, s: Sku) -> str:
        parts = []
        for n, v in s.options:
            if not v:
                continue
            if is_size_option(n) and _LETTER_SIZE.match(v) and not v.endswith("码"):
                v += "码"
            parts.append(v)
        return "".join(parts)

    def all(self) -> list[_Clause]:
        return [*self.opening(), *self.feature(), *self.advantage(), *self.benefit(), *self.evidence(),
                *self.offer(), *self.shipping(), *self.after_sales(), *self.call()]

    # -- parts
    def opening(self) -> list[_Clause]:
        p = self.p
        name, nf = self.name
        if p.listing_number is not None:
            n = p.listing_number
            options = [f"来，宝宝们看{n}号链接，{name}", f"接下来给大家介绍{n}号链接，{name}", f"给大家上{n}号链接，{name}"]
            if p.brand and p.brand not in name:
                options.append(f"{n}号链接，{p.brand}的{name}")
            text = self.pick("opening", options)
            fields = ("listing_number", nf) + (("brand",) if p.brand and p.brand in text and p.brand not in name else ())
        else:
            text = self.pick("opening", [f"给大家介绍一下这款{name}", f"来看这款{name}", f"这款{name}，给大家讲讲"])
            fields = (nf,)
        return [self.clause("opening", text, fields, 0, "opening")]

    def feature(self) -> list[_Clause]:
        p = self.p
        out = []
        if p.material:
            out.append(self.clause("feature", self.pick("material", [f"材质是{p.material}", f"用的是{p.material}",
                                                                     f"{p.material}的材质"]),
                                   ("material",), 1, "material"))
        if p.net_weight and not self.net_is_options():
            out.append(self.clause("feature", self.pick("net", [f"净含量{p.net_weight}", f"一份净含量{p.net_weight}"]),
                                   ("net_weight",), 1, "net_weight"))
        for name, values in self.variant_options():
            listed = _listed(values, "zh")
            if len(values) < 2:
                continue
            if is_color_option(name):
                text = self.pick("colors", [f"有{listed}可选", f"颜色有{listed}", f"{listed}都有"])
            elif is_size_option(name) and all(_LETTER_SIZE.match(v) for v in values):
                text = self.pick("sizes", [f"尺码有{listed}", f"{listed}都有", f"{listed}码数可选"])
            elif is_size_option(name):
                text = self.pick("sizes", [f"规格有{listed}", f"{listed}都有", f"{listed}可选"])
            else:
                text = self.pick("option" + name, [f"{name}有{listed}可选", f"{name}可以选{listed}"])
            out.append(self.clause("feature", text, ("options", "skus"), 2, "option:" + name))
        return out

    def advantage(self) -> list[_Clause]:
        points = self.rotated(self.p.selling_points)
        out = []
        for i, sp in enumerate(points):
            text = sp
            if i == 0:
                text = self.pick("sp_lead", [sp, f"亮点是{sp}", f"给大家说说它的好，{sp}"])
            out.append(self.clause("advantage", text, ("selling_points",), 1 if i < 2 else 3, f"sp:{sp}"))
        return out

    def benefit(self) -> list[_Clause]:
        p = self.p
        out = []
        if p.suitable_for and not self.suits_are_options():
            who = _listed(p.suitable_for, "zh")
            out.append(self.clause("benefit", self.pick("suits", [f"适合{who}", f"{who}都可以选",
                                                                   f"{who}的宝宝可以看看它"]),
                                   ("suitable_for",), 1, "suitable_for"))
        if p.size_chart and p.sizes:
            out.append(self.clause("benefit", self.pick("chart", [
                "尺码拿不准的宝宝，把身高体重打在公屏上，我帮你对照尺码表",
                "不知道选什么码的，打出身高体重，我按尺码表帮你挑"]), ("size_chart",), 2, "size_chart"))
        return out

    def evidence(self) -> list[_Clause]:
        p = self.p
        out = []
        said = {p.shelf_life, p.net_weight, p.storage, p.after_sales.warranty}
        faqs = [e for e in p.faq if e.answer and len(e.answer) <= MAX_FAQ_ANSWER and e.answer not in said
                and not (faq_key(e.question) in ("保质期", "保质期多久") and p.shelf_life)]
        for i, e in enumerate(self.rotated(faqs)):
            q = e.question.rstrip("?？ ")
            if _QUESTION.search(q):
                text = self.pick(f"faq{i}", [f"有宝宝问{q}，{e.answer}", f"{q}？{e.answer}"])
            else:
                text = self.pick(f"faq{i}", [f"关于{q}，{e.answer}", f"说一下{q}，{e.answer}"])
            out.append(self.clause("evidence", text, ("faq",), 2 if i == 0 else 3, f"faq:{e.question}"))
        if p.after_sales.warranty:
            w = p.after_sales.warranty
            out.append(self.clause("evidence", self.pick("warranty", [f"售后是{w}", f"{w}"]), ("warranty",), 2,
                                   "warranty"))
        if p.shelf_life:
            out.append(self.clause("evidence", self.pick("shelf", [f"保质期{p.shelf_life}", f"保质期是{p.shelf_life}"]),
                                   ("shelf_life",), 2, "shelf_life"))
        if p.production_date:
            out.append(self.clause("evidence", f"生产日期{p.production_date}", ("production_date",), 3,
                                   "production_date"))
        if p.storage:
            out.append(self.clause("evidence", f"保存方式是{p.storage}", ("storage",), 4, "storage"))
        return out

    def price_text(self) -> tuple[str, tuple[str, ...]] | None:
        p = self.p
        if p.free_gift:
            return "这款是赠品", ("free_gift",)
        groups = self.price_groups()
        if groups is not None:
            items = "，".join(f"{v}是{_money(pr)}元" + (f"（划线价{_money(o)}元）" if o is not None and o > pr else "")
                             for v, pr, o in groups)
            return self.pick("vprice", [f"直播间价{items}", f"价格是{items}"]), ("skus", "price")
        if p.has_variant_prices:
            return self.pick("minprice", [f"直播间价{_money(p.min_price)}元起",
                                          f"{_money(p.min_price)}元起，不同规格价格不同"]), ("skus", "price")
        price = _money(p.price)
        if p.original_price is not None and p.original_price > p.price:
            o = _money(p.original_price)
            return self.pick("price", [f"直播间价{price}元，划线价{o}元", f"今天直播间{price}元，划线价{o}元",
                                       f"划线价{o}元，直播间只要{price}元"]), ("price", "original_price")
        return self.pick("price", [f"直播间价{price}元", f"今天直播间{price}元", f"直播间只要{price}元"]), ("price",)

    def offer(self) -> list[_Clause]:
        p = self.p
        out = []
        price = self.price_text()
        if price is not None:
            out.append(self.clause("offer", price[0], price[1], 0, "price"))
        if p.unit and not _TRIVIAL_UNIT.match(p.unit.strip()):
            out.append(self.clause("offer", self.pick("unit", [f"拍一单是{p.unit}", f"一单就是{p.unit}"]),
                                   ("unit",), 2, "unit"))
        if p.skus:
            n = p.total_stock
            if n > 0:
                out.append(self.clause("offer", self.pick("stock", [f"现在还有{n}件现货", f"库存还有{n}件",
                                                                    f"目前还剩{n}件"]),
                                       (self.stock_field,), 1, "stock"))
                low = self.low_skus()
                if low and len(p.skus) > 1:
                    s = low[0]
                    out.append(self.clause("offer", self.pick("low", [f"其中{self.variant_label(s)}只剩{s.stock}件了",
                                                                      f"{self.variant_label(s)}就剩{s.stock}件"]),
                                           ("skus",), 3, "low_stock"))
            else:
                out.append(self.clause("offer", "现在暂时没货了", (self.stock_field,), 0, "stock"))
        return out

    def shipping(self) -> list[_Clause]:
        sh = self.p.shipping
        out = []
        if sh.free_shipping is True:
            if sh.free_shipping_exceptions:
                out.append(self.clause("shipping", f"包邮（{'、'.join(sh.free_shipping_exceptions)}除外）",
                                       ("free_shipping", "free_shipping_exceptions"), 1, "free_shipping"))
            else:
                out.append(self.clause("shipping", "包邮", ("free_shipping",), 1, "free_shipping"))
        elif sh.free_shipping is False:
            out.append(self.clause("shipping", "这款不包邮", ("free_shipping",), 1, "free_shipping"))
        if sh.ships_from and sh.courier:
            out.append(self.clause("shipping", self.pick("from", [f"从{sh.ships_from}发{sh.courier}",
                                                                  f"{sh.courier}快递，{sh.ships_from}发货"]),
                                   ("ships_from", "courier"), 3, "from"))
        elif sh.courier:
            out.append(self.clause("shipping", f"发{sh.courier}", ("courier",), 3, "from"))
        elif sh.ships_from:
            out.append(self.clause("shipping", f"从{sh.ships_from}发货", ("ships_from",), 3, "from"))
        if sh.dispatch_days is not None:
            d = sh.dispatch_days
            text = "拍下当天发货" if d == 0 else self.pick("dispatch", [f"拍下后{d}天内发货", f"{d}天内发出"])
            out.append(self.clause("shipping", text, ("dispatch_days",), 2, "dispatch"))
        if sh.delivery_days:
            out.append(self.clause("shipping", self.pick("delivery", [f"一般{sh.delivery_days}天能到",
                                                                      f"正常{sh.delivery_days}天到"]),
                                   ("delivery_days",), 4, "delivery"))
        return out

    def after_sales(self) -> list[_Clause]:
        af = self.p.after_sales
        out = []
        if af.return_days == 0:
            out.append(self.clause("after_sales", "这款不支持无理由退货", ("return_days",), 1, "returns"))
        elif af.return_days is not None:
            n = af.return_days
            out.append(self.clause("after_sales", self.pick("returns", [f"支持{n}天无理由退货", f"{n}天无理由退货"]),
                                   ("return_days",), 1, "returns"))
            payer = {"seller": "退货运费我们出", "insurance": "还送运费险", "buyer": "退货运费需要自理"}
            if af.return_shipping_paid_by in payer:
                out.append(self.clause("after_sales", payer[af.return_shipping_paid_by],
                                       ("return_shipping_paid_by",), 2, "payer"))
        return out

    def call(self) -> list[_Clause]:
        p = self.p
        sold_out = bool(p.skus) and p.total_stock <= 0
        if p.listing_number is not None:
            n = p.listing_number
            options = ([f"想要的宝宝可以先收藏{n}号链接"] if sold_out else
                       [f"喜欢的宝宝直接拍{n}号链接", f"想要的宝宝去{n}号链接下单", f"{n}号链接，喜欢的抓紧拍"])
            return [self.clause("call", self.pick("call", options), ("listing_number",), 0, "call")]
        name, nf = self.name
        options = ([f"想要的宝宝可以先收藏{name}"] if sold_out else
                   [f"喜欢的宝宝去购物车里拍{name}", f"想要的宝宝在购物车里找{name}"])
        return [self.clause("call", self.pick("call", options), (nf,), 0, "call")]

    def fillers(self) -> list[_Clause]:
        p = self.p
        price = self.price_text()
        if price is None or (p.skus and p.total_stock <= 0) or p.free_gift:
            return []
        where = f"{p.listing_number}号链接" if p.listing_number is not None else self.name[0]
        fields = ("listing_number",) if p.listing_number is not None else (self.name[1],)
        return [self.clause("offer", f"再说一遍，{where}{price[0]}", fields + price[1], 5, "reminder")]

    # -- offer lines
    def countdown(self) -> list[Sentence]:
        p = self.p
        price = self.price_text()
        if price is None:
            return []
        name, nf = self.name
        where = f"{p.listing_number}号链接{name}" if p.listing_number is not None else name
        fields = (("listing_number",) if p.listing_number is not None else ()) + (nf,) + price[1]
        texts = [f"准备好了吗，{where}，{price[0]}，想要的抓紧拍", f"还没拍的宝宝抓紧，{where}，{price[0]}"]
        return [Sentence(t, "offer", fields) for t in texts]

    def low_stock(self) -> list[OfferLine]:
        p = self.p
        name, nf = self.name
        out = []
        if not p.has_variants:
            if p.skus and 0 < p.total_stock <= self.low:
                k = p.total_stock
                out.append(OfferLine(p.product_id, "zh", "low_stock", f"{name}只剩最后{k}件了", (nf, "stock"),
                                     units_left=k))
            return out
        for i, s in enumerate(self.low_skus()):
            label = self.variant_label(s)
            text = (f"{label}只剩最后{s.stock}件了" if i % 2 == 0 else f"{name}{label}就剩{s.stock}件了，要的抓紧")
            out.append(OfferLine(p.product_id, "zh", "low_stock", text, ("skus",) + ((nf,) if i % 2 else ()),
                                 sku_label=s.label, units_left=s.stock))
        return out


class _EnClauses(_Clauses):
    lang = "en"

    @property
    def name(self) -> tuple[str, str] | None:
        p = self.p
        if p.title_en:
            return p.title_en, "title_en"
        for value, field in ((p.short_name, "short_name"), (p.title, "title")):
            if _is_ascii(value):
                return value, field
        return None

    def en(self, value: str) -> str:
        """English of an option name or value (``options_en``), the value itself when ASCII, else ''."""
        return self.p.label_en(value) or (value if _is_ascii(value) else "")

    def variant_label(self, s: Sku) -> str:
        parts = []
        for n, v in s.options:
            if not v:
                continue
            word = self.en(v)
            if not word:
                return ""
            parts.append(f"size {word}" if is_size_option(n) else word)
        return " ".join(parts)

    def all(self) -> list[_Clause]:
        return [*self.opening(), *self.feature(), *self.advantage(), *self.benefit(), *self.evidence(),
                *self.offer(), *self.shipping(), *self.after_sales(), *self.call()]

    def opening(self) -> list[_Clause]:
        p = self.p
        nm = self.name
        if p.listing_number is not None:
            n = p.listing_number
            if nm is None:
                text = self.pick("opening", [f"Next up, link number {n}", f"Let's look at link {n}"])
                return [self.clause("opening", text, ("listing_number",), 0, "opening")]
            name, nf = nm
            options = [f"Next up, link number {n}, the {name}", f"Let's look at link {n}: {name}",
                       f"Link {n} is the {name}"]
            brand = p.brand if _is_ascii(p.brand) and p.brand.lower() not in name.lower() else ""
            if brand:
                options.append(f"Link {n}: {name} by {brand}")
            text = self.pick("opening", options)
            fields = ("listing_number", nf) + (("brand",) if brand and text.endswith(f"by {brand}") else ())
            return [self.clause("opening", text, fields, 0, "opening")]
        if nm is None:
            return [self.clause("opening", "Let's look at this one", ("title",), 0, "opening")]
        name, nf = nm
        return [self.clause("opening", self.pick("opening", [f"Let's look at the {name}", f"Here is the {name}"]),
                            (nf,), 0, "opening")]

    def feature(self) -> list[_Clause]:
        p = self.p
        out = []
        if p.material_en:
            out.append(self.clause("feature", self.pick("material", [f"It's made of {p.material_en}",
                                                                     f"The material is {p.material_en}"]),
                                   ("material_en",), 1, "material"))
        net = _en_measure(p.net_weight) if p.net_weight and not self.net_is_options() else ""
        if net:
            out.append(self.clause("feature", f"Net content {net}", ("net_weight",), 1, "net_weight"))
        for name, values in self.variant_options():
            words = [self.en(v) for v in values]
            if len(values) < 2 or not all(words):
                continue
            listed = _listed(words, "en")
            if is_color_option(name):
                text = self.pick("colors", [f"It comes in {listed}", f"Colours: {listed}"])
            elif is_size_option(name):
                text = self.pick("sizes", [f"Sizes {listed}", f"You can pick sizes {listed}"])
            else:
                label = self.en(name)
                if not label:
                    continue
                text = f"{label}: {listed}"
            out.append(self.clause("feature", text, ("options", "options_en", "skus") if not all(
                _is_ascii(v) for v in values) else ("options", "skus"), 2, "option:" + name))
        return out

    def advantage(self) -> list[_Clause]:
        points = self.rotated(self.p.selling_points_en)
        out = []
        for i, sp in enumerate(points):
            text = sp if i else self.pick("sp_lead", [sp, f"What stands out: {sp}"])
            out.append(self.clause("advantage", text, ("selling_points_en",), 1 if i < 2 else 3, f"sp:{sp}"))
        return out

    def benefit(self) -> list[_Clause]:
        p = self.p
        out = []
        who = [w for w in p.suitable_for if _is_ascii(w)]
        if who and len(who) == len(p.suitable_for) and not self.suits_are_options():
            out.append(self.clause("benefit", self.pick("suits", [f"It fits {_listed(who, 'en')}",
                                                                   f"Made for {_listed(who, 'en')}"]),
                                   ("suitable_for",), 1, "suitable_for"))
        if p.size_chart and p.sizes:
            out.append(self.clause("benefit", self.pick("chart", [
                "Not sure about your size? Type your height and weight in the chat and I'll check the size chart",
                "Tell me your height and weight and I'll pick your size from the size chart"]),
                ("size_chart",), 2, "size_chart"))
        return out

    def evidence(self) -> list[_Clause]:
        p = self.p
        out = []
        faqs = [e for e in p.faq if _is_ascii(e.question) and _is_ascii(e.answer) and len(e.answer) <= 80]
        for i, e in enumerate(self.rotated(faqs)):
            q = e.question.rstrip("? ")
            out.append(self.clause("evidence", f"{q}? {e.answer}", ("faq",), 2 if i == 0 else 3, f"faq:{q}"))
        if _is_ascii(p.after_sales.warranty):
            out.append(self.clause("evidence", f"Warranty: {p.after_sales.warranty}", ("warranty",), 2, "warranty"))
        shelf = _en_measure(p.shelf_life) if p.shelf_life else ""
        if shelf:
            out.append(self.clause("evidence", self.pick("shelf", [f"Shelf life {shelf}", f"It keeps for {shelf}"]),
                                   ("shelf_life",), 2, "shelf_life"))
        return out

    def price_text(self) -> tuple[str, tuple[str, ...]] | None:
        p = self.p
        if p.free_gift:
            return "This one is a free gift", ("free_gift",)
        groups = self.price_groups()
        if groups is not None and all(self.en(v) for v, _, _ in groups):
            items = ", ".join(f"{self.en(v)} is {_money(pr)} yuan" + (f" (was {_money(o)})" if o is not None and o > pr
                                                                       else "") for v, pr, o in groups)
            return f"Tonight {items}", ("skus", "price") + (("options_en",) if any(
                p.label_en(v) for v, _, _ in groups) else ())
        if p.has_variant_prices:
            return f"Prices start at {_money(p.min_price)} yuan", ("skus", "price")
        price = _money(p.price)
        if p.original_price is not None and p.original_price > p.price:
            o = _money(p.original_price)
            return self.pick("price", [f"Tonight it's {price} yuan, down from {o} yuan",
                                       f"The live price is {price} yuan; the crossed-out price is {o} yuan"]), \
                ("price", "original_price")
        return self.pick("price", [f"Tonight it's {price} yuan", f"The live price is {price} yuan"]), ("price",)

    def offer(self) -> list[_Clause]:
        p = self.p
        out = []
        price = self.price_text()
        if price is not None:
            out.append(self.clause("offer", price[0], price[1], 0, "price"))
        if p.skus:
            n = p.total_stock
            if n > 0:
                out.append(self.clause("offer", self.pick("stock", [f"We have {n} in stock right now",
                                                                    f"There are {n} left in stock"]),
                                       (self.stock_field,), 1, "stock"))
                low = [s for s in self.low_skus() if self.variant_label(s)]
                if low and len(p.skus) > 1:
                    s = low[0]
                    out.append(self.clause("offer", f"Only {s.stock} left in {self.variant_label(s)}",
                                           ("skus", "options_en") if p.labels_en else ("skus",), 3, "low_stock"))
            else:
                out.append(self.clause("offer", "It's sold out right now", (self.stock_field,), 0, "stock"))
        return out

    def shipping(self) -> list[_Clause]:
        sh = self.p.shipping
        out = []
        if sh.free_shipping is True:
            if sh.free_shipping_exceptions:
                out.append(self.clause("shipping", "Free shipping, except a few remote regions",
                                       ("free_shipping", "free_shipping_exceptions"), 1, "free_shipping"))
            else:
                out.append(self.clause("shipping", "Free shipping", ("free_shipping",), 1, "free_shipping"))
        elif sh.free_shipping is False:
            out.append(self.clause("shipping", "Shipping is not free on this one", ("free_shipping",), 1,
                                   "free_shipping"))
        if sh.dispatch_days is not None:
            d = sh.dispatch_days
            text = "It ships the same day" if d == 0 else (
                f"It ships within {d} day" + ("" if d == 1 else "s"))
            out.append(self.clause("shipping", text, ("dispatch_days",), 2, "dispatch"))
        if sh.delivery_days:
            out.append(self.clause("shipping", f"It usually arrives in {sh.delivery_days} days", ("delivery_days",),
                                   4, "delivery"))
        return out

    def after_sales(self) -> list[_Clause]:
        af = self.p.after_sales
        out = []
        if af.return_days == 0:
            out.append(self.clause("after_sales", "No no-reason returns on this one", ("return_days",), 1, "returns"))
        elif af.return_days is not None:
            out.append(self.clause("after_sales", self.pick("returns", [f"{af.return_days}-day no-reason returns",
                                                                        f"You get {af.return_days} days of no-reason returns"]),
                                   ("return_days",), 1, "returns"))
            payer = {"seller": "The shop pays return shipping", "insurance": "Return-shipping insurance is included",
                     "buyer": "Return shipping is on the buyer"}
            if af.return_shipping_paid_by in payer:
                out.append(self.clause("after_sales", payer[af.return_shipping_paid_by],
                                       ("return_shipping_paid_by",), 2, "payer"))
        return out

    def call(self) -> list[_Clause]:
        p = self.p
        sold_out = bool(p.skus) and p.total_stock <= 0
        if p.listing_number is not None:
            n = p.listing_number
            options = ([f"Save link {n} for later"] if sold_out else
                       [f"Tap link {n} to order", f"Grab it at link number {n}", f"Link {n} is waiting for you"])
            return [self.clause("call", self.pick("call", options), ("listing_number",), 0, "call")]
        nm = self.name
        return [self.clause("call", "Find it in the shopping bag", (nm[1] if nm else "title",), 0, "call")]

    def fillers(self) -> list[_Clause]:
        p = self.p
        price = self.price_text()
        if price is None or (p.skus and p.total_stock <= 0) or p.free_gift or p.listing_number is None:
            return []
        text = price[0][0].lower() + price[0][1:]
        return [self.clause("offer", f"Once more, link {p.listing_number}: {text}", ("listing_number",) + price[1],
                            5, "reminder")]

    def countdown(self) -> list[Sentence]:
        p = self.p
        price = self.price_text()
        nm = self.name
        if price is None or p.listing_number is None:
            return []
        head = f"Link {p.listing_number}" + (f", {nm[0]}" if nm else "")
        fields = ("listing_number",) + ((nm[1],) if nm else ()) + price[1]
        return [Sentence(f"{head}: {price[0][0].lower() + price[0][1:]}. Grab it now!", "offer", fields),
                Sentence(f"Still thinking? {head}. {price[0]}.", "offer", fields)]

    def low_stock(self) -> list[OfferLine]:
        p = self.p
        nm = self.name
        out = []
        if not p.has_variants:
            if p.skus and 0 < p.total_stock <= self.low and nm:
                k = p.total_stock
                out.append(OfferLine(p.product_id, "en", "low_stock", f"Just {k} left of the {nm[0]}!",
                                     (nm[1], "stock"), units_left=k))
            return out
        for s in self.low_skus():
            label = self.variant_label(s)
            if not label:
                continue
            out.append(OfferLine(p.product_id, "en", "low_stock", f"Only {s.stock} left in {label}!",
                                 ("skus", "options_en") if p.labels_en else ("skus",), sku_label=s.label,
                                 units_left=s.stock))
        return out
