"""Safety before speech: viewer-text sanitising and the fact guard.

* :func:`sanitize_spoken_text` strips markup, URLs, control / zero-width characters and emoji
  from any text that came from a viewer before it can reach the speech engine.
* :func:`safe_nickname` returns a nickname fit to be spoken, or ``None`` (then the reply
  uses no name).
* :class:`FactGuard` checks every price, stock count, number of days, other number and
  product name in a drafted reply against the catalog. A reply that fails is held for the
  seller with the reason.
* :data:`BANNED_WORDS`: absolute claims that Chinese advertising law (广告法 art. 9: 国家级,
  最高级, 最佳 ...) and platform rules forbid in sales speech (极限词). A reply containing
  one *as our own claim* is held; text we only quote -- a platform's gift name (抖音's
  ``你最好看``), a viewer's nickname -- is masked before the check (``quoted``), after it
  passed the filters of :class:`NameGuard`.
* :class:`NameGuard`: nicknames and gift names through the markup / contact / offer filters
  and the offensive-language detector (``check_name``): an unsafe nickname is left out (the
  reply uses a neutral address), an unsafe gift name becomes "礼物" / "a gift".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from app.catalog.model import Catalog, Product
from app.dialogue.english import arabic_durations

_URL = re.compile(r"(?i)\b(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|cn|net|org|top|xyz|cc|io)\b\S*")
_MARKUP = re.compile(r"<[^>]{0,200}>|&[a-zA-Z]{2,8};|\[/?[a-zA-Z]{1,10}\]")
_CONTACT = re.compile(
    r"(?i)(?:加\s*[vV微薇威]|[vV]\s*[xX信]|[微薇威卫]\s*[信芯鑫]|wechat|weixin|[qQ]{2}|telegram|dm\s*me|"
    r"whatsapp|\d{6,})")
_SALES_CLAIM = re.compile(
    r"(?i)免费|包邮|链接|[元块米钱]|价|优惠|折|秒杀|福利|返现|代购|刷|骗|假货|山寨|客服|主播|官方|"
    r"free|sale|deal|cheap|scam|fake|giveaway|crypto|[$¥￥%]")
"""Words that would make a spoken nickname a price, offer or accusation (全场免费, 9块9包邮, 骗子主播)."""

BANNED_WORDS: tuple[str, ...] = (
    "最好", "最低", "最便宜", "最强", "最佳", "最高", "最优", "最火", "第一", "唯一", "首个", "首选",
    "顶级", "极品", "国家级", "世界级", "绝对", "万能", "史无前例", "独一无二", "全网最",
)
"""Absolute-claim words (极限词) held by the guard. Source: 中华人民共和国广告法 (2021) article 9
item (3) and the banned-word lists Douyin and Taobao publish for sellers (paraphrased)."""


def _strip_chars(text: str) -> str:
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cf", "Co", "Cs", "Cn", "So", "Sk", "Me"):
            continue  # control, zero-width/format, private, unassigned, emoji/symbols
        if cat == "Mn" and 0xFE00 <= ord(ch) <= 0xFE0F:
            continue  # variation selectors
        if ch in "\u200b\u200c\u200d\u2060\ufeff":
            continue
        out.append(ch)
    return "".join(out)


def sanitize_spoken_text(text: str) -> str:
    """Return ``text`` fit for the speech engine: no markup, URLs, control or zero-width
    characters, emoji or other pictographic symbols; whitespace collapsed; never starting
    with ``<``."""
    text = unicodedata.normalize("NFKC", text)
    text = _MARKUP.sub(" ", text)
    text = _URL.sub(" ", text)
    text = _strip_chars(text)
    text = re.sub(r"\s+", " ", text).strip()
    return text.lstrip("<>").strip()


_INSTRUCTION = re.compile(
    r"(?i)(?:主播|跟我|你)\s*(?:说|念|读|喊)|repeat after|\bsay\b|\bsays\b|\bread\s+(?:this|out)|"
    r"\bannounce\b|ignore (?:all|previous|your)")
"""Text that tries to make the host say something (主播说..., 跟我念, repeat after me, say: ...)."""


def safe_nickname(nickname: str, *, max_len: int = 12) -> str | None:
    """A viewer nickname fit to be spoken, or ``None`` when it fails the filter.

    Fails (returns ``None``) when it contains markup, a URL, contact / solicitation patterns
    (加V, 微信, 薇信, QQ, long digit runs), words that would turn it into a price, offer or
    accusation when spoken (免费, 包邮, 块, 链接, 骗子, 假货, free ...), an instruction to the
    host (主播说, repeat after me, say ...), or is empty or longer than ``max_len`` characters
    after :func:`sanitize_spoken_text`. Digits are dropped from the spoken name (小美2023 -> 小美)
    so no stray number reaches the fact guard or the listener. Banned words (极限词) are not a
    reason: a name is the viewer's, not our claim (the fact guard masks quoted names). The
    offensive-language check is :class:`NameGuard`'s.
    """
    if not nickname:
        return None
    if _URL.search(nickname) or _CONTACT.search(nickname) or _MARKUP.search(nickname):
        return None
    if _SALES_CLAIM.search(nickname) or _INSTRUCTION.search(nickname):
        return None
    clean = sanitize_spoken_text(nickname).replace("_", " ")
    clean = re.sub(r"\s+", " ", re.sub(r"[^\w\u00b7· \-]|\d|_", "", clean)).strip()
    if not clean or len(clean) > max_len:
        return None
    if not any(ch.isalpha() for ch in clean):
        return None
    return clean


def safe_gift_name(gift_name: str, *, max_len: int = 16) -> str | None:
    """A platform gift name fit to be spoken, or ``None``.

    The same markup / URL / contact / offer / instruction filters as :func:`safe_nickname`
    (a gift named ``<voice>全场免费</voice>`` is refused), sanitised, at most ``max_len``
    characters. Digits are kept (``520``: the fact guard is told it is quoted).
    """
    if not gift_name:
        return None
    if _URL.search(gift_name) or _CONTACT.search(gift_name) or _MARKUP.search(gift_name):
        return None
    if _SALES_CLAIM.search(gift_name) or _INSTRUCTION.search(gift_name):
        return None
    clean = re.sub(r"\s+", " ", sanitize_spoken_text(gift_name)).strip()
    if not clean or len(clean) > max_len or not any(ch.isalnum() for ch in clean):
        return None
    return clean


class NameGuard:
    """Decides which nicknames and gift names may be spoken (thread-safe, cached).

    A name passes :func:`safe_nickname` / :func:`safe_gift_name` *and* the offensive-language
    detector's ``check_name`` (any lexicon hit -- insults, slurs, crude words, extremist names,
    with their homophone / pinyin / leetspeak variants -- flags a name). Results are cached per
    name (live rooms repeat the same few hundred names).

    Args:
        detector: an object with ``check_name(name) -> offense`` whose ``offensive`` attribute is
            the verdict (:class:`app.understanding.moderation.OffenseDetector`); ``None`` = only
            the pattern filters (tests, or a session without the moderation model).
        cache_size: names remembered.
    """

    def __init__(self, detector=None, *, cache_size: int = 8192) -> None:
        import functools

        self.detector = detector
        self.nickname = functools.lru_cache(maxsize=cache_size)(self._nickname)
        self._gift = functools.lru_cache(maxsize=cache_size)(self._gift_name)

    def _offensive(self, name: str) -> bool:
        if self.detector is None:
            return False
        try:
            return bool(self.detector.check_name(name).offensive)
        except Exception:  # noqa: BLE001 - a name the detector cannot read is not spoken
            return True

    def _nickname(self, nickname: str) -> str | None:
        """The nickname as it may be spoken, or ``None`` (leave it out / use 宝宝, "friend")."""
        clean = safe_nickname(nickname)
        if clean is None or self._offensive(nickname) or self._offensive(clean):
            return None
        return clean

    def _gift_name(self, gift_name: str) -> str | None:
        clean = safe_gift_name(gift_name)
        if clean is None or self._offensive(gift_name) or self._offensive(clean):
            return None
        return clean

    def gift(self, gift_name: str, lang: str = "zh") -> str:
        """The gift's name as it may be spoken; "礼物" / "gift" when it is unsafe or empty."""
        return self._gift(gift_name or "") or ("礼物" if lang == "zh" else "gift")

    def gift_ok(self, gift_name: str) -> bool:
        """True when the platform's gift name itself may be spoken."""
        return self._gift(gift_name or "") is not None


# --------------------------------------------------------------------------- fact guard

_NUM = r"(\d+(?:\.\d+)?)"
_PRICE_PATTERNS = (
    re.compile(r"[¥￥]\s*" + _NUM),
    re.compile(_NUM + r"\s*(?:元|块|yuan|RMB|rmb)"),
)
_DIFF_PATTERNS = (
    re.compile(r"(?:差|相差|贵|便宜)\s*" + _NUM + r"\s*(?:元|块)"),
    re.compile(r"(?i)" + _NUM + r"\s*yuan\s+(?:apart|more|less|cheaper|dearer)"),
)
"""A price difference ("差150元", "150 yuan apart"): checked against the differences between the
products' own catalog prices."""
_STOCK_PATTERNS = (
    re.compile(r"(?:还有|剩|库存|仅剩|只剩)\s*" + _NUM + r"\s*(?:件|个|套|双|条|只)?"),
    re.compile(_NUM + r"\s*(?:件|个|套|双|条|只)?\s*(?:现货|库存)"),
    re.compile(r"(?i)" + _NUM + r"\s*(?:left|in stock|pieces? left|units?)"),
)
_DAYS_PATTERNS = (
    re.compile(_NUM + r"\s*(?:-|到|~|至)\s*" + _NUM + r"\s*(?:天|个工作日|days?)"),
    re.compile(_NUM + r"\s*(?:天|个工作日|小时内?|days?|hours?)"),
)
_ANY_NUM = re.compile(_NUM)
_NAME = re.compile(r"「([^」]{1,60})」|“([^”]{1,80})”")


@dataclass(frozen=True, slots=True)
class GuardResult:
    ok: bool
    problems: tuple[str, ...]
    """Human-readable reasons, e.g. ``price 39 not in catalog for 3号 T恤``."""

    @property
    def reason(self) -> str:
        return "fact_guard: " + "; ".join(self.problems) if self.problems else ""


def _dec(s: str) -> Decimal | None:
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


class FactGuard:
    """Checks drafted replies against the catalog.

    Every number in the reply must be a catalog fact of a product the reply is about (price,
    original price and each variant's own prices, stock of a SKU or in total, dispatch /
    delivery / return days, listing number, size label, size-chart bound, a number written in
    its title, short name, unit, material, selling points, variant values, food facts,
    ``suitable_for`` or FAQ entries) or a number the viewer supplied (their height,
    weight, budget, quantity: passed as ``viewer_numbers``). Prices, stock counts and days
    are checked against their own kind of fact; a price difference (差150元) against the
    differences between those products' catalog prices. Every quoted product name (「...」 in Chinese,
    “...” in English) must be the title, English title, short name or alias of a catalog product.
    """

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._names = {n for p in catalog for n in (p.title, p.title_en, p.short_name, *p.aliases) if n}

    def _facts(self, products: list[Product]) -> dict[str, set[Decimal]]:
        prices: set[Decimal] = set()
        stock: set[Decimal] = set()
        days: set[Decimal] = set()
        other: set[Decimal] = set()
        for p in products:
            prices.add(p.price)
            if p.original_price is not None:
                prices.add(p.original_price)
            stock.add(Decimal(p.total_stock))
            for s in p.skus:
                stock.add(Decimal(s.stock))
            for color in {s.color for s in p.skus}:
                stock.add(Decimal(p.stock_for(color=color)))
            for size in {s.size for s in p.skus}:
                stock.add(Decimal(p.stock_for(size=size)))
            by_value: dict[tuple[str, str], int] = {}
            for s in p.skus:  # one option value's stock over the others (70英寸 of 70英寸/16G, 70英寸/32G)
                for opt in s.options:
                    by_value[opt] = by_value.get(opt, 0) + s.stock
            stock.update(Decimal(n) for n in by_value.values())
            sh, af = p.shipping, p.after_sales
            for d in (sh.dispatch_days, af.return_days):
                if d is not None:
                    days.add(Decimal(d))
            for part in re.findall(r"\d+", sh.delivery_days):
                days.add(Decimal(part))
            for part in re.findall(r"\d+", arabic_durations(af.warranty)):
                other.add(Decimal(part))
            if p.listing_number is not None:
                other.add(Decimal(p.listing_number))
            for size in p.sizes:
                for part in re.findall(r"\d+(?:\.\d+)?", size):
                    other.add(Decimal(part))
            for r in p.size_chart:
                for v in (r.height_min_cm, r.height_max_cm, r.weight_min_kg, r.weight_max_kg):
                    if v is not None:
                        other.add(Decimal(str(v)).normalize())
                        other.add(Decimal(int(v)) if float(v).is_integer() else Decimal(str(v)))
                for part in re.findall(r"\d+(?:\.\d+)?", r.size):
                    other.add(Decimal(part))
            for s in p.skus:  # variants with a price of their own
                for v in (s.price, s.original_price):
                    if v is not None:
                        prices.add(v)
            texts = (p.title, p.title_en, p.short_name, p.material, p.material_en, *p.selling_points,
                     *p.selling_points_en, p.script, p.unit, p.net_weight, p.shelf_life, p.production_date,
                     p.storage, *p.suitable_for, *(v for s in p.skus for v in s.values),
                     *(x for e in p.faq for x in (e.question, e.answer)))
            for part in re.findall(r"\d+(?:\.\d+)?", arabic_durations(" ".join(texts))):
                other.add(Decimal(part))
        ps = sorted(prices)
        diffs = {b - a for i, a in enumerate(ps) for b in ps[i + 1:]}
        return {"price": prices, "stock": stock, "days": days, "other": other, "diff": diffs}

    def check(self, text: str, product_ids: list[str] | tuple[str, ...] = (),
              viewer_numbers: tuple[Decimal, ...] = (), quoted: tuple[str, ...] = ()) -> GuardResult:
        """Check ``text`` (a drafted reply) about ``product_ids``.

        Args:
            text: the draft.
            product_ids: the products it is about (their facts back its numbers).
            viewer_numbers: numbers the viewer (or the platform) supplied (height, gift count).
            quoted: strings the draft quotes rather than asserts -- spoken nicknames and platform
                gift names that already passed :class:`NameGuard` -- masked before the banned-word
                and number checks (``谢谢小美的你最好看`` holds no claim of ours).

        Returns a :class:`GuardResult`; ``ok`` False lists every unsupported fact.
        """
        for q in sorted({q for q in quoted if q}, key=len, reverse=True):
            text = text.replace(q, "\u2063" * len(q))  # invisible separator: same length, no digits
        products = [p for p in (self.catalog.get(pid) for pid in product_ids) if p is not None]
        problems: list[str] = [f"unknown product id {pid}" for pid in product_ids
                               if self.catalog.get(pid) is None]
        facts = self._facts(products)
        viewer = {Decimal(v).normalize() for v in viewer_numbers}
        consumed: list[tuple[int, int]] = []

        def norm_in(value: Decimal, allowed: set[Decimal]) -> bool:
            return any(value == a for a in allowed) or value.normalize() in viewer

        def mark(m: re.Match) -> None:
            consumed.append(m.span())

        for pat in _DIFF_PATTERNS:
            for m in pat.finditer(text):
                v = _dec(m.group(1))
                if v is not None and not norm_in(v, facts["diff"]):
                    problems.append(f"price difference {m.group(1)} yuan is not one of the catalog prices' differences")
                mark(m)
        for pat in _PRICE_PATTERNS:
            for m in pat.finditer(text):
                if any(a <= m.start(1) < b for a, b in consumed):
                    continue
                v = _dec(m.group(1))
                if v is not None and not norm_in(v, facts["price"]):
                    problems.append(f"price {m.group(1)} yuan is not a catalog price")
                mark(m)
        for pat in _STOCK_PATTERNS:
            for m in pat.finditer(text):
                if any(a <= m.start(1) < b for a, b in consumed):
                    continue
                v = _dec(m.group(1))
                if v is not None and not norm_in(v, facts["stock"]):
                    problems.append(f"stock count {m.group(1)} is not in the catalog")
                mark(m)
        for pat in _DAYS_PATTERNS:
            for m in pat.finditer(text):
                if any(a <= m.start(1) < b for a, b in consumed):
                    continue
                for g in m.groups():
                    v = _dec(g) if g else None
                    if v is not None and not norm_in(v, facts["days"] | facts["other"]):
                        problems.append(f"{g} days is not in the catalog")
                mark(m)
        for m in _ANY_NUM.finditer(text):
            if any(a <= m.start() < b for a, b in consumed):
                continue
            v = _dec(m.group(1))
            allowed = facts["other"] | facts["price"] | facts["stock"] | facts["days"]
            if v is not None and not norm_in(v, allowed):
                problems.append(f"number {m.group(1)} is not a catalog fact")
        for m in _NAME.finditer(text):
            name = m.group(1) or m.group(2)
            if name not in self._names:
                problems.append(f"product name '{name}' is not in the catalog")
        from app.dialogue.sensitive import efficacy_claim

        claim = efficacy_claim(text)
        if claim:  # cosmetics and food may not claim to treat or cure
            problems.append(f"medical-efficacy claim: {claim}")
        found_banned = [w for w in BANNED_WORDS if w in text]
        if found_banned:
            problems.append("banned words (极限词): " + ", ".join(found_banned))
        return GuardResult(ok=not problems, problems=tuple(problems))
