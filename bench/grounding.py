"""Grounding benchmark: question sets with expected facts, their validation, and the grader.

A *question set* is a JSON Lines file (``bench/questions/*.jsonl``): a first
``{"type": "meta", "catalog": "<path from the repository root>", ...}`` line, then one question
per line (schema and grading rules: ``bench/questions/README.md``). The sets are written from the
catalog and from what a seller would expect, without reading the reply code.

This module has no pipeline dependency: :func:`load_set` reads a set, :func:`validate_set` checks
it against its catalog, :func:`write_session` turns it into a replay session file, and
:class:`Grader` grades the replay's records (``reply``, ``held_reason``, ``approved_by``,
``product_id``) against each question's ``expect``. ``bench/bench_grounding.py`` runs it all
through the real pipeline.

Units: prices are yuan (CNY), heights centimetres, weights kilograms, times days.
"""

from __future__ import annotations

import json
import re
import unicodedata
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from app.catalog.model import Catalog, Product, Sku
from app.errors import LiveHostError

REPO_ROOT = Path(__file__).resolve().parents[1]

QUESTION_TYPES = (
    "price", "stock", "size_fit", "fit", "shipping", "after_sales", "product_detail", "food_facts", "faq",
    "unit", "discount", "comparison", "not_sold", "no_listing", "budget", "recommendation", "faq_missing",
    "sensitive",
)
"""Question types (the first table of the benchmark). ``size_fit``: a size for a body (height,
weight); ``fit``: who or what a product fits (skin type, phone model, age: ``suitable_for`` and
the variants' options); ``food_facts``: 保质期, 生产日期, 储存方式, 净含量; ``faq``: a question
the catalog's FAQ (the product's or the shop's) answers; ``unit``: what one price buys (一斤 when
the unit is 250g)."""

REFS = ("listing", "title", "alias", "title_en", "category", "now_selling", "none")
"""How a question names its product: a listing number in any form (3号, #3, 三号, 链接3, no 3),
title words, an alias, English title words, the category only, not at all (the product on air
is meant), or no product (not-sold items, budgets, recommendations)."""

OUTCOMES = ("answer", "no_such_product", "held")
"""``answer``: a reply with the catalog's facts is possible and expected. ``no_such_product``:
the shop has no such product (or no product meets the constraint); an honest "we don't have
that" (or a held reply) is right. ``held``: the catalog cannot answer (missing fact) or the
question is sensitive; the reply must be held for the seller."""

VERDICTS = ("correct", "partial", "wrong", "no_answer")

EXPECT_KEYS = {
    "outcome", "product_ids", "facts", "any_of", "forbid", "off_topic", "allow_numbers", "match",
    "listing", "missing_listing", "sku", "body", "constraint", "absent", "faq", "no_variant",
}
CONSTRAINT_KEYS = {
    "max_price", "min_price", "categories", "exclude_categories", "tags_any", "title_any", "categories_any",
    "color", "color_contains", "size", "suitable_any", "fits",
}

# Phrases of an honest "we don't have that" (outcome no_such_product) ...
NOT_SOLD_PHRASES = {
    "zh": ("没有", "暂时没", "没上", "不卖", "没卖", "没得", "没这", "不存在", "没找到", "找不到",
           "无此", "暂无", "没开", "没有这"),
    "en": ("n't", "not ", "no such", "unavailable", "none", "no product", "no item", "no link", "there is no"),
}
# ... of deferring to the host (主播会确认 / the host will confirm), the right text for a held question.
DEFERRAL_PHRASES = (
    "主播确认", "请主播", "问一下主播", "问问主播", "主播来回答", "主播回复", "主播看", "主播说", "稍等",
    "确认一下", "帮你问", "核实", "host will", "the host", "check with", "confirm", "get back",
)
# ... and of a denial, which is wrong when the shop does sell the product (outcome answer).
DENIAL_PHRASES = (
    "没有这个商品", "没有这款", "没有这个链接", "不存在", "没有该商品", "没有这个宝贝", "没有上架",
    "没有这个产品", "暂无此", "don't have that", "do not have that", "no such", "don't sell",
    "do not sell", "not in our", "isn't in our", "don't carry", "do not carry",
)

# ... and of "that variant is sold out / does not exist", wrong when the variant asked about is in stock.
VARIANT_DENIAL_PHRASES = ("没货", "售罄", "缺货", "无货", "断货", "sold out", "out of stock", "doesn't come in",
                          "does not come in", "not available in")

# ... and of "sold out for now", wrong for a variant the product does not come in at all (no_variant).
RESTOCK_PHRASES = ("补货", "卖完", "售罄", "没货", "断码", "sold out", "restock", "out of stock")

COURIERS: dict[str, tuple[str, ...]] = {
    "顺丰": ("顺丰", "SF Express", "SF"),
    "中通": ("中通", "ZTO"),
    "圆通": ("圆通", "YTO"),
    "韵达": ("韵达", "Yunda"),
    "申通": ("申通", "STO"),
    "极兔": ("极兔", "J&T"),
    "京东": ("京东", "JD Logistics"),
    "邮政": ("邮政", "EMS", "China Post"),
    "德邦": ("德邦", "Deppon"),
}
"""Courier names as a reply may write them (Chinese, English); the key is the catalog's name."""

_EN_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
               "eight": 8, "nine": 9, "ten": 10, "fifteen": 15}

_NUM = r"\d+(?:\.\d+)?"
_RANGE_SEP = r"\s*(?:-|~|～|–|—|到|至|to)\s*"
_MONEY_RES = (
    re.compile(rf"(?:¥|￥|RMB\s*|CNY\s*)({_NUM})", re.I),
    re.compile(rf"({_NUM})\s*(?:元|块|yuan|rmb|cny)", re.I),
)
_DAY_UNIT = r"\s*(?:个)?\s*(?:天|工作日|-?\s*days?\b|-?\s*business days?\b)"
_DAY_RANGE_RE = re.compile(rf"({_NUM}){_RANGE_SEP}({_NUM}){_DAY_UNIT}", re.I)
_DAY_RE = re.compile(rf"({_NUM}){_DAY_UNIT}", re.I)
_LISTING_EXPLICIT = (
    re.compile(r"(?<![\d.])(\d{1,3})\s*号\s*(?:链接|宝贝|商品|产品)"),
    re.compile(r"链接\s*(\d{1,3})(?!\d)"),
    re.compile(r"#\s*(\d{1,3})(?!\d)"),
    re.compile(r"\b(?:no\.?|number|link|item|listing)\s*#?\s*(\d{1,3})(?!\d)", re.I),
)
_STOCK_RES = (
    re.compile(r"(?:还有|还剩|只剩|剩下|剩|库存)\s*(\d+)\s*(?:件|个|瓶|台|支|盒|罐|袋|套|份|双|条|包|片|饼|板)?"),
    re.compile(r"(?<![\d.])(\d+)\s*(?:(?:pieces?|units?|items?|pcs)\s+)?(?:left|in stock|available)\b", re.I),
)
_LISTING_BARE = re.compile(r"(?<![\d.])(\d{1,3})\s*号(?!\s*(?:链接|宝贝|商品|产品))")


class QuestionSetError(LiveHostError):
    """A question set file cannot be used (code ``question-set-invalid``)."""

    def __init__(self, message: str, hint: str = "Fix the named line; the schema is in bench/questions/README.md.") -> None:
        super().__init__("question-set-invalid", message, hint)


# ---------------------------------------------------------------------------------- the set

@dataclass(frozen=True)
class Question:
    """One live-room question with what a correct answer must (not) contain."""

    id: str
    lang: str
    """``zh`` or ``en``."""
    text: str
    now_selling: int | None
    """Listing number on air (讲解中) when the question is asked; ``None`` = nothing on air."""
    type: str
    ref: str
    expect: Mapping[str, Any]
    line: int = 0
    """Line number in the set file (1-based)."""

    @property
    def outcome(self) -> str:
        return self.expect["outcome"]

    @property
    def product_ids(self) -> tuple[str, ...]:
        return tuple(self.expect.get("product_ids", ()))


@dataclass(frozen=True)
class QuestionSet:
    path: Path
    name: str
    catalog_path: Path
    questions: tuple[Question, ...]
    meta: Mapping[str, Any] = field(default_factory=dict)


def load_set(path: Path, catalog: Path | None = None) -> QuestionSet:
    """Read a question set file.

    Args:
        path: the ``.jsonl`` set (first line ``{"type": "meta", "catalog": ...}``).
        catalog: use this catalog instead of the one the meta line names.

    Raises:
        QuestionSetError: missing file, no meta line, malformed JSON or a question without
            its required fields (the message names the line).
    """
    path = Path(path)
    if not path.is_file():
        raise QuestionSetError(f"{path}: question set not found", "Pass an existing file with --set.")
    lines = path.read_text(encoding="utf-8").splitlines()
    meta: dict[str, Any] | None = None
    questions: list[Question] = []
    for no, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise QuestionSetError(f"{path}, line {no}: not valid JSON ({exc.msg})") from exc
        if not isinstance(obj, dict):
            raise QuestionSetError(f"{path}, line {no}: a line must be a JSON object")
        if obj.get("type") == "meta":
            if meta is not None or questions:
                raise QuestionSetError(f"{path}, line {no}: the meta line must come first, once")
            meta = obj
            continue
        if meta is None:
            raise QuestionSetError(f"{path}, line {no}: the first line must be the meta line "
                                   '{"type": "meta", "catalog": "..."}')
        missing = [k for k in ("id", "lang", "text", "type", "expect") if k not in obj]
        if missing:
            raise QuestionSetError(f"{path}, line {no}: missing {', '.join(missing)}")
        if not isinstance(obj["expect"], dict) or "outcome" not in obj["expect"]:
            raise QuestionSetError(f"{path}, line {no}: 'expect' must be an object with 'outcome'")
        questions.append(Question(id=str(obj["id"]), lang=obj["lang"], text=obj["text"],
                                  now_selling=obj.get("now_selling"), type=obj["type"],
                                  ref=obj.get("ref", "none"), expect=obj["expect"], line=no))
    if meta is None:
        raise QuestionSetError(f"{path}: empty question set")
    if catalog is None:
        if not meta.get("catalog"):
            raise QuestionSetError(f"{path}, line 1: the meta line names no catalog",
                                   'Add "catalog": "assets/.../catalog.csv" or pass --catalog.')
        catalog = REPO_ROOT / meta["catalog"]
    return QuestionSet(path=path, name=str(meta.get("name") or path.stem), catalog_path=Path(catalog),
                       questions=tuple(questions), meta=meta)


# ------------------------------------------------------------------------------ text helpers

def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "")


def normalize_numbers(text: str) -> str:
    """NFKC text with Chinese numerals as digits (cn2an; 两 read as 二) and English number
    words one..ten as digits, for finding numbers in a reply."""
    import cn2an

    t = _nfkc(text)
    try:
        with warnings.catch_warnings():  # cn2an warns on every numeral it cannot read (百 alone)
            warnings.simplefilter("ignore")
            t = cn2an.transform(t.replace("两", "二"), "cn2an")
    except Exception:  # noqa: BLE001 - cn2an raises bare errors on odd input; keep the text
        pass
    return re.sub(r"\b(" + "|".join(_EN_NUMBERS) + r")\b",
                  lambda m: str(_EN_NUMBERS[m.group(1).lower()]), t, flags=re.I)


def _dec(s: str) -> Decimal | None:
    try:
        return Decimal(s)
    except (InvalidOperation, ValueError):
        return None


def numbers_in(text: str) -> set[Decimal]:
    """Every number written in ``text`` (digits, Chinese numerals, one..ten) as Decimal."""
    return {d for s in re.findall(rf"(?<![\d.]){_NUM}", normalize_numbers(text)) if (d := _dec(s)) is not None}


def _is_number(fact: str) -> bool:
    return re.fullmatch(_NUM, fact) is not None


def fact_present(fact: str, text: str) -> bool:
    """Whether ``fact`` is stated in ``text``.

    * a number (``139.9``): some number in the text equals it (139.90, 一百三十九点九 ...);
    * a range ``2-4``: written as 2-4, 2~4, 2到4, 2 to 4, 两到四 ...;
    * a short Latin token (``M``, ``XL``, ``2XL``): not part of a longer token (XL is not in 2XL);
    * a ``re:`` prefix: a regular expression;
    * anything else: a case-insensitive substring.
    """
    if fact.startswith("re:"):
        return re.search(fact[3:], _nfkc(text), re.I) is not None
    f = _nfkc(fact).strip()
    if _is_number(f):
        return Decimal(f) in numbers_in(text)
    m = re.fullmatch(rf"({_NUM})\s*-\s*({_NUM})", f)
    if m:
        a, b = (re.escape(x) for x in m.groups())
        return re.search(rf"(?<![\d.]){a}{_RANGE_SEP}{b}(?![\d.])", normalize_numbers(text), re.I) is not None
    if re.fullmatch(r"[A-Za-z0-9]{1,4}", f):
        return re.search(rf"(?<![A-Za-z0-9]){re.escape(f)}(?![A-Za-z0-9])", _nfkc(text)) is not None
    low = f.casefold()
    return low in _nfkc(text).casefold() or low in normalize_numbers(text).casefold()


def money_amounts(text: str) -> set[Decimal]:
    """Amounts of money stated in ``text`` (``98元``, ``98块``, ``¥98``, ``98 yuan``), in yuan."""
    t = normalize_numbers(text)
    return {d for rx in _MONEY_RES for s in rx.findall(t) if (d := _dec(s)) is not None}


def day_counts(text: str) -> set[Decimal]:
    """Numbers of days stated in ``text`` (``1天``, ``2到4天``, ``3-5 days``, ``7-day``)."""
    t = normalize_numbers(text)
    out: set[Decimal] = set()
    for a, b in _DAY_RANGE_RE.findall(t):
        out |= {Decimal(a), Decimal(b)}
    out |= {Decimal(a) for a in _DAY_RE.findall(t)}
    return out


def stock_counts(text: str) -> set[int]:
    """Stock levels stated in ``text`` (还有93件, 库存 5, 60 left, 3 in stock)."""
    t = normalize_numbers(text)
    return {int(n) for rx in _STOCK_RES for n in rx.findall(t)}


def couriers_in(text: str) -> set[str]:
    """Catalog courier names (keys of :data:`COURIERS`) a text mentions in any spelling."""
    t = _nfkc(text)
    found = set()
    for key, names in COURIERS.items():
        for n in names:
            if re.fullmatch(r"[A-Za-z&]+", n.replace(" ", "")):
                if re.search(rf"(?<![A-Za-z]){re.escape(n)}(?![A-Za-z])", t):
                    found.add(key)
            elif n in t:
                found.add(key)
    return found


# --------------------------------------------------------------------------- catalog facts

def product_values(p: Product) -> list[str]:
    """The catalog row of a product as strings (every field except the script and the barcodes:
    also the short name, unit, food facts, ``suitable_for``, English labels, the product's FAQ
    answers, every variant's label, option values, stock and own price): what a question's
    ``facts`` may be taken from."""
    s, a = p.shipping, p.after_sales
    vals = [p.product_id, p.title, p.title_en, p.category, p.brand, str(p.price),
            str(p.original_price or ""), p.material, s.courier, s.ships_from,
            "" if s.dispatch_days is None else str(s.dispatch_days), s.delivery_days,
            "" if a.return_days is None else str(a.return_days), a.return_shipping_paid_by, a.warranty,
            "" if p.listing_number is None else str(p.listing_number)]
    vals += list(p.selling_points) + list(s.free_shipping_exceptions) + list(p.tags) + list(p.aliases)
    vals += [p.short_name, p.unit, p.net_weight, p.shelf_life, p.production_date, p.storage, p.material_en]
    vals += list(p.suitable_for) + list(p.selling_points_en) + [en for _, en in p.labels_en]
    vals += [f.answer for f in p.faq]
    for sku in p.skus:
        vals += [sku.color, sku.size, str(sku.stock), sku.label, *sku.values]
        vals += [str(x) for x in (sku.price, sku.original_price) if x is not None]
    for r in p.size_chart:
        vals += [r.size] + [str(x) for x in (r.height_min_cm, r.height_max_cm, r.weight_min_kg, r.weight_max_kg)
                            if x is not None]
    return [v for v in vals if v]


def _norm_value(text: str) -> str:
    """An option value or ``suitable_for`` entry compared loosely: NFKC, no spaces, lower case
    (``iPhone 14`` = ``iphone14``)."""
    return re.sub(r"\s+", "", _nfkc(text)).casefold()


def variant_words(p: Product) -> list[str]:
    """Words that name a product's variants or what it fits (option values, SKU labels and
    their English, ``suitable_for``): a phone case's ``iPhone 14`` is its variant, not the
    phone of that name."""
    words = [v for s in p.skus for v in (s.label, *s.values)] + list(p.suitable_for)
    words += [en for _, en in p.labels_en]
    return [w for w in dict.fromkeys(words) if w]


def is_catalog_value(fact: str, products: Iterable[Product]) -> bool:
    """Whether ``fact`` is a value of one of ``products``' catalog rows: a number equal to a
    number in a field (139.9 = 139.90, but 59.9 is not in 159.90), a short Latin token (a size
    such as M) that is a whole token of a field, or else a substring of a field (材质, 中通, 2-4)."""
    f = _nfkc(fact).strip().casefold()
    for p in products:
        vals = [_nfkc(v).casefold() for v in product_values(p)]
        if _is_number(f):
            nums = {d for v in vals for s in re.findall(rf"(?<![\d.]){_NUM}", v) if (d := _dec(s)) is not None}
            if Decimal(f) in nums:
                return True
        elif re.fullmatch(r"[a-z0-9]{1,4}", f):
            if any(re.search(rf"(?<![a-z0-9]){re.escape(f)}(?![a-z0-9])", v) for v in vals):
                return True
        elif any(f in v for v in vals):
            return True
    return False


class ProductNames:
    """Finds which catalog products a text mentions: by title (zh, en; also without spaces and
    the part before a space), by its short name, by an alias of at least 3 characters that no
    other product uses, or by a listing-number reference (3号链接, 链接3, #3, no. 3; a bare 3号
    unless the question itself wrote that number, e.g. a 38号 shoe size)."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        alias_owner: dict[str, set[str]] = {}
        for p in catalog:
            for al in p.aliases:
                alias_owner.setdefault(_nfkc(al).casefold(), set()).add(p.product_id)
        names: dict[str, set[str]] = {}
        for p in catalog:
            cands = {p.title, p.title.replace(" ", ""), p.title.split(" ")[0], p.title_en, p.short_name}
            cands |= {al for al in p.aliases
                      if len(alias_owner[_nfkc(al).casefold()]) == 1 and len(al) >= 3}
            for c in cands:
                c = _nfkc(c).casefold().strip()
                if len(c) >= 3:
                    names.setdefault(c, set()).add(p.product_id)
        # longest first, so a title covers the shorter names inside it
        self._names = sorted(((n, ids) for n, ids in names.items() if len(ids) == 1),
                             key=lambda x: -len(x[0]))

    def mentioned(self, text: str, question: str = "", ignore: Iterable[str] = ()) -> set[str]:
        """Product ids ``text`` names. A name that is (part of) one of the ``ignore`` words (an expected
        product's variants, e.g. the phone models a case comes in; compared without spaces)
        names nothing there: "有iPhone 14的款" about a case is not the phone -- but the phone's
        longer title still is."""
        skip = {_norm_value(w) for w in ignore if w}
        t = _nfkc(text).casefold()
        covered = [False] * len(t)
        found: set[str] = set()
        for name, ids in self._names:
            start = 0
            while (i := t.find(name, start)) >= 0:
                if not any(covered[i:i + len(name)]):
                    if not any(_norm_value(name) in w for w in skip):  # part of a variant label
                        found |= ids
                    for k in range(i, i + len(name)):
                        covered[k] = True
                start = i + 1
        norm = normalize_numbers(text)
        nums: set[int] = set()
        for rx in _LISTING_EXPLICIT:
            nums |= {int(n) for n in rx.findall(norm)}
        asked = {int(d) for d in numbers_in(question) if d == d.to_integral_value()}
        nums |= {int(n) for n in _LISTING_BARE.findall(norm) if int(n) not in asked}
        for n in nums:
            p = self.catalog.by_listing(n)
            if p is not None:
                found.add(p.product_id)
        return found


# ---------------------------------------------------------------------------------- grading

@dataclass(frozen=True)
class Grade:
    """The verdict on one reply."""

    verdict: str
    """``correct`` | ``partial`` | ``wrong`` | ``no_answer``."""
    spoken: bool
    """A reply that would be spoken without the seller (``approved_by == "auto"`` or no
    ``held_reason``)."""
    held: bool
    """The reply was held for the seller (``held_reason`` set)."""
    reasons: tuple[str, ...] = ()
    """Why it is not correct (missing facts, forbidden text, wrong product ...)."""
    facts_found: int = 0
    facts_total: int = 0

    @property
    def wrong_spoken(self) -> bool:
        """A wrong answer that would go on air automatically: the worst defect."""
        return self.verdict == "wrong" and self.spoken


class Grader:
    """Grades replay records against questions' ``expect`` (rules: bench/questions/README.md)."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.names = ProductNames(catalog)

    def _products(self, ids: Iterable[str]) -> list[Product]:
        return [p for i in ids if (p := self.catalog.get(i)) is not None]

    def _problems(self, q: Question, reply: str, allowed: set[str], *, asserted_ok: bool,
                  wrong_pid: str | None = None) -> list[str]:
        """Misinformation in ``reply``: forbidden text, other products (their variants' words
        -- the phone models a case comes in -- name nothing), and (when ``asserted_ok``)
        amounts, days and couriers that are no fact of the allowed products (any variant's
        price; amounts and days written in their rows, their FAQ answers or the shop's FAQ; the
        couriers of the FAQ entry named by ``expect.faq``); when not ``asserted_ok`` (held /
        no_such_product) any amount, day count or courier the question did not write is a
        problem."""
        e = q.expect
        out = [f"wrong product: {wrong_pid}"] if wrong_pid else []
        out += [f"forbidden: {f}" for f in e.get("forbid", ()) if fact_present(f, reply)]
        foreign = self.names.mentioned(reply, q.text, self._ignore(allowed)) - allowed - {wrong_pid}
        if foreign:
            out.append("other product: " + ", ".join(sorted(foreign)))
        prods = self._products(allowed) if asserted_ok else []
        asked = numbers_in(q.text) | {d for x in e.get("allow_numbers", ()) if (d := _dec(str(x))) is not None}
        if not asserted_ok:
            asked |= {d for f in e.get("facts", ()) if _is_number(f) and (d := _dec(f)) is not None}
        written = " ".join(v for p in prods for v in product_values(p))
        if asserted_ok:
            written += " " + " ".join(f.answer for f in self.catalog.faq)
        faq_answer = self._faq_answer(q) if asserted_ok else None
        ok_money = set(asked) | money_amounts(written)
        prices: set[Decimal] = set()
        for p in prods:
            prices.add(p.price)
            if p.original_price is not None:
                prices.add(p.original_price)
            for sku in p.skus:
                prices.add(p.price_for(sku))
                if p.original_price_for(sku) is not None:
                    prices.add(p.original_price_for(sku))
        ok_money |= prices
        sold = {p.price_for(sku) for p in prods for sku in p.skus} | {p.price for p in prods}
        if len(sold) >= 2:  # a comparison may say how much cheaper (also between two variants)
            ok_money |= {abs(a - b) for a in sold for b in sold}
        bad = sorted(m for m in money_amounts(reply) if m not in ok_money)
        if bad:
            out.append("unsupported amount: " + ", ".join(f"{m}元" for m in bad))
        ok_days = set(asked) | day_counts(written)
        for p in prods:
            s, a = p.shipping, p.after_sales
            if s.dispatch_days is not None:
                ok_days.add(Decimal(s.dispatch_days))
            ok_days |= {d for x in re.findall(_NUM, s.delivery_days) if (d := _dec(x)) is not None}
            if s.delivery_days and re.fullmatch(r"\d+-\d+", s.delivery_days):
                lo, hi = (int(x) for x in s.delivery_days.split("-"))
                ok_days |= {Decimal(x) for x in range(lo, hi + 1)}
            if a.return_days is not None:
                ok_days.add(Decimal(a.return_days))
        bad = sorted(d for d in day_counts(reply) if d not in ok_days)
        if bad:
            out.append("unsupported days: " + ", ".join(str(d) for d in bad))
        ok_couriers = couriers_in(q.text) | {p.shipping.courier for p in prods}
        ok_couriers |= {c for p in prods for c in couriers_in(p.shipping.courier)}  # 京东物流 = 京东
        ok_couriers |= {f for f in e.get("facts", ()) if f in COURIERS}
        if faq_answer:
            ok_couriers |= couriers_in(faq_answer)
        bad_c = sorted(couriers_in(reply) - ok_couriers)
        if bad_c:
            out.append("unsupported courier: " + ", ".join(bad_c))
        if "sku" in e and q.type not in ("price", "unit") and len(prods) == 1:
            # the stock of the variant asked about: another count (the product's total, say) is
            # wrong, unless it is the stock of part of the variant (黑色 of 黑色/L), or the asked
            # one is stated too and the other is some variant's stock
            p = prods[0]
            spec = {k: v for k, v in e["sku"].items() if v is not None}
            want = sum(sk.stock for sk in sku_matches(p, spec))
            part = ({sum(sk.stock for sk in sku_matches(p, {k: v})) for k, v in spec.items()}
                    if len(spec) > 1 else set())
            counts = stock_counts(reply) - {int(d) for d in asked if d == d.to_integral_value()}
            any_sku = {sk.stock for sk in p.skus}
            bad_s = sorted(c for c in counts
                           if c != want and c not in part and (want not in counts or c not in any_sku))
            if bad_s:
                out.append(f"wrong stock: {', '.join(map(str, bad_s))} (the variant asked about has {want})")
            if want > 0:
                words = [w for v in spec.values() for w in (str(v), p.label_en(str(v)), *str(v).split())
                         if len(w) >= 2]
                denial = list(VARIANT_DENIAL_PHRASES) + [
                    "re:没有\\s*(?:这个|这款)?\\s*" + re.escape(w).replace(r"\ ", r"\s*") for w in words]
                if any(fact_present(d, reply) for d in denial):
                    out.append("denied a variant that is in stock")
        return out

    def _ignore(self, allowed: Iterable[str]) -> list[str]:
        """Words that name no other product in a reply about ``allowed``: the variants' words and
        any product name inside the allowed products' own FAQ answers and selling points (a
        case's "不影响无线充电" is the seller's sentence, not the wireless charger)."""
        prods = self._products(allowed)
        own = _nfkc(" ".join(x for p in prods for x in (*(f.answer for f in p.faq), *p.selling_points))).casefold()
        return [w for p in prods for w in variant_words(p)] + [n for n, _ in self.names._names if n in own]

    def _faq_answer(self, q: Question) -> str | None:
        """The answer of the FAQ entry ``expect.faq`` names (the product's own first, then the
        shop's), or ``None``."""
        key = q.expect.get("faq")
        if not key:
            return None
        prods = self._products(q.expect.get("product_ids", ()))
        return self.catalog.faq_answer(key, prods[0] if len(prods) == 1 else None)

    def _boilerplate(self, reply: str, allowed: Iterable[str]) -> bool:
        """A draft that recites catalog facts (an amount, days, a courier, the material, a selling
        point, where it ships from, a colour) instead of saying the host will check."""
        if money_amounts(reply) or day_counts(reply) or couriers_in(reply):
            return True
        for p in self._products(allowed):
            vals = [p.material, p.shipping.ships_from, *p.selling_points, *p.colors]
            if any(v and len(v) >= 2 and v in reply for v in vals):
                return True
        return False

    def grade(self, q: Question, record: Mapping[str, Any] | None) -> Grade:
        """Grade one record (a ``replies.jsonl`` row; ``None`` = the question got no record)."""
        e = q.expect
        if record is None:
            return Grade("no_answer", False, False, ("no record",), 0, len(e.get("facts", ())))
        reply = record.get("reply") or ""
        nick = record.get("nickname") or ""
        if nick and len(nick) >= 2:
            reply = reply.replace(nick, " ")
        held = bool(record.get("held_reason"))
        spoken = bool(reply.strip()) and (record.get("approved_by") == "auto" or not held)
        facts = list(e.get("facts", ()))
        outcome = e["outcome"]
        allowed = set(e.get("product_ids", ()))

        if not reply.strip():
            if outcome in ("held", "no_such_product") and held:
                return Grade("correct", False, True, (), 0, len(facts))
            return Grade("no_answer", False, held, (f"no reply ({record.get('no_reply_reason') or 'none'})",),
                         0, len(facts))

        if outcome == "held":
            problems = self._problems(q, reply, allowed, asserted_ok=True)
            deferred = any(fact_present(d, reply) for d in DEFERRAL_PHRASES)
            if problems:
                return Grade("wrong", spoken, held, tuple(problems), 0, len(facts))
            if not held:
                if deferred:
                    return Grade("partial", spoken, False, ("deferred on air instead of holding for the seller",),
                                 0, len(facts))
                return Grade("wrong", spoken, False, ("answered where the seller must decide",), 0, len(facts))
            if not deferred and self._boilerplate(reply, allowed):
                return Grade("partial", False, True, ("held, but the draft is catalog boilerplate",), 0, len(facts))
            return Grade("correct", False, True, (), 0, len(facts))

        if outcome == "no_such_product":
            # product_ids here: products the reply may name (the case that has no variant for
            # the phone model asked about), with their facts
            problems = self._problems(q, reply, allowed, asserted_ok=bool(allowed))
            if "no_variant" in e and any(fact_present(x, reply) for x in RESTOCK_PHRASES):
                problems.append("called a variant that does not exist sold out")
            if problems:
                return Grade("wrong", spoken, held, tuple(problems), 0, 0)
            groups = e.get("any_of") or [NOT_SOLD_PHRASES["zh"] + NOT_SOLD_PHRASES["en"]]
            honest = all(any(fact_present(x, reply) for x in g) for g in groups)
            if honest or held:
                return Grade("correct", spoken, held, (), 0, 0)
            return Grade("no_answer", spoken, held, ("no honest 'we don't have that'",), 0, 0)

        # outcome == "answer"
        pid = record.get("product_id")
        wrong_pid = pid if e.get("match", "one") == "one" and pid and pid not in allowed else None
        problems = self._problems(q, reply, allowed, asserted_ok=True, wrong_pid=wrong_pid)
        found = [f for f in facts if fact_present(f, reply)]
        missing = [f for f in facts if f not in found]
        groups_missing = [g for g in e.get("any_of", ()) if not any(fact_present(x, reply) for x in g)]
        if not problems and (missing or groups_missing or not facts) and any(
                fact_present(d, reply) for d in DENIAL_PHRASES):
            problems.append("denied a product the shop sells")
        if problems:
            return Grade("wrong", spoken, held, tuple(problems), len(found), len(facts))
        mentioned = self.names.mentioned(reply, q.text, self._ignore(allowed))
        right_product = pid in allowed or bool(mentioned & allowed)
        groups = list(e.get("any_of", ()))
        if not right_product and not found and (not groups or len(groups_missing) == len(groups)):
            return Grade("no_answer", False, held, ("did not answer (asked back or off the question)",),
                         0, len(facts))
        if held:
            return Grade("no_answer", False, True, (f"held: {record.get('held_reason')}",), len(found), len(facts))
        reasons = [f"missing: {f}" for f in missing]
        reasons += ["missing one of: " + "/".join(g) for g in groups_missing]
        reasons += [f"off topic: {f}" for f in e.get("off_topic", ()) if fact_present(f, reply)]
        if e.get("match") == "set" and not right_product:
            reasons.append("names none of the expected products")
        return Grade("partial" if reasons else "correct", spoken, False, tuple(reasons), len(found), len(facts))


# ------------------------------------------------------------------------------- validation

def matching_products(catalog: Catalog, c: Mapping[str, Any]) -> list[str]:
    """Product ids meeting a budget / recommendation ``constraint``.

    Keys (all optional, all must hold): ``max_price`` / ``min_price`` in yuan, inclusive (the
    price of a variant in stock: 88 for the sold-out 250g of a tea does not count);
    ``categories`` (the category is one of them); ``exclude_categories``; the *kind* group
    ``tags_any`` / ``title_any`` / ``categories_any`` / ``suitable_any`` (a tag, a title word,
    the category or a ``suitable_for`` entry -- 油皮, 送礼 -- matches any of them); ``color``
    (an exact SKU colour), ``color_contains``, ``size`` (an exact SKU size), ``fits`` (a phone
    model or the like: a ``suitable_for`` entry, or else an option value of the variant,
    compared without spaces and case) -- that variant in stock. Products with no stock at all
    and free gifts (赠品, not for sale) never match."""
    out = []
    for p in catalog:
        if p.total_stock <= 0 or p.free_gift:
            continue
        if "categories" in c and p.category not in c["categories"]:
            continue
        if p.category in c.get("exclude_categories", ()):
            continue
        if any(k in c for k in ("tags_any", "title_any", "categories_any", "suitable_any")):
            if not (set(p.tags) & set(c.get("tags_any", ())) or any(w in p.title for w in c.get("title_any", ()))
                    or p.category in c.get("categories_any", ())
                    or set(p.suitable_for) & set(c.get("suitable_any", ()))):
                continue
        skus = [s for s in p.skus if s.stock > 0]
        if "max_price" in c:
            skus = [s for s in skus if p.price_for(s) <= Decimal(str(c["max_price"]))]
        if "min_price" in c:
            skus = [s for s in skus if p.price_for(s) >= Decimal(str(c["min_price"]))]
        if "fits" in c and _norm_value(c["fits"]) not in {_norm_value(x) for x in p.suitable_for}:
            skus = [s for s in skus if any(_norm_value(v) == _norm_value(c["fits"]) for v in s.values)]
        if "color" in c:
            skus = [s for s in skus if s.color == c["color"]]
        if "color_contains" in c:
            skus = [s for s in skus if c["color_contains"] in s.color]
        if "size" in c:
            skus = [s for s in skus if s.size == c["size"]]
        if not skus:
            continue
        out.append(p.product_id)
    return out


def sku_matches(p: Product, spec: Mapping[str, str]) -> list[Sku]:
    """The SKUs of ``p`` an ``expect.sku`` object names: ``label`` (the exact SKU label) and
    option values by option name (``color``/``size`` or 颜色/尺码 for colour and size, 容量,
    适用机型 ...; compared without spaces and case)."""
    out = []
    for s in p.skus:
        if "label" in spec and s.label != spec["label"]:
            continue
        if all(_norm_value(s.option(k)) == _norm_value(v) for k, v in spec.items() if k != "label"):
            out.append(s)
    return out


def _catalog_text(p: Product) -> str:
    return " ".join(product_values(p) + [p.script]).casefold()


def validate_set(qset: QuestionSet, catalog: Catalog) -> list[str]:
    """Every problem of a question set against its catalog (empty = valid): schema, unique ids
    and texts, products and listing numbers that exist, facts that are values of the named
    products' rows, SKU stock, size-chart fits, constraint sets, not-sold items absent."""
    errs: list[str] = []
    seen_ids: set[str] = set()
    seen_text: set[str] = set()
    for q in qset.questions:
        w = f"{q.id} (line {q.line})"
        e = q.expect
        if q.id in seen_ids:
            errs.append(f"{w}: duplicate id")
        seen_ids.add(q.id)
        if q.text in seen_text:
            errs.append(f"{w}: duplicate text")
        seen_text.add(q.text)
        if q.lang not in ("zh", "en"):
            errs.append(f"{w}: lang must be zh or en")
        if q.type not in QUESTION_TYPES:
            errs.append(f"{w}: unknown type {q.type}")
        if q.ref not in REFS:
            errs.append(f"{w}: unknown ref {q.ref}")
        if not isinstance(q.text, str) or not q.text.strip():
            errs.append(f"{w}: empty text")
        unknown = set(e) - EXPECT_KEYS
        if unknown:
            errs.append(f"{w}: unknown expect keys {sorted(unknown)}")
        if e.get("outcome") not in OUTCOMES:
            errs.append(f"{w}: outcome must be one of {OUTCOMES}")
            continue
        for k in ("product_ids", "facts", "forbid", "off_topic", "allow_numbers", "absent"):
            if k in e and not (isinstance(e[k], list) and all(isinstance(x, str) for x in e[k])):
                errs.append(f"{w}: {k} must be a list of strings")
        if "any_of" in e and not (isinstance(e["any_of"], list) and all(
                isinstance(g, list) and g and all(isinstance(x, str) for x in g) for g in e["any_of"])):
            errs.append(f"{w}: any_of must be a list of non-empty lists of strings")
        if e.get("match", "one") not in ("one", "set"):
            errs.append(f"{w}: match must be one or set")
        if q.now_selling is not None:
            if not isinstance(q.now_selling, int) or catalog.by_listing(q.now_selling) is None:
                errs.append(f"{w}: now_selling {q.now_selling} is not a listing number of the catalog")
        ids = list(e.get("product_ids", ()))
        prods = []
        for i in ids:
            p = catalog.get(i)
            if p is None:
                errs.append(f"{w}: unknown product id {i}")
            else:
                prods.append(p)
        if e["outcome"] == "answer" and not ids:
            errs.append(f"{w}: an answer needs product_ids")
        if e["outcome"] == "answer" and "faq" not in e:  # a FAQ answer's facts are checked below
            for f in e.get("facts", ()):
                if not is_catalog_value(f, prods):
                    errs.append(f"{w}: fact {f!r} is no value of {', '.join(ids)}")
        if e["outcome"] == "answer" and e.get("match", "one") == "one" and len(ids) != 1:
            errs.append(f"{w}: match 'one' needs exactly one product id")
        if q.ref == "now_selling":
            ns = catalog.by_listing(q.now_selling) if q.now_selling is not None else None
            if ns is None or ids != [ns.product_id]:
                errs.append(f"{w}: ref now_selling needs product_ids == [the product on air]")
        for n in e.get("listing", ()):
            p = catalog.by_listing(n)
            if p is None or p.product_id not in ids:
                errs.append(f"{w}: listing {n} is not one of the expected products")
        if "missing_listing" in e:
            if catalog.by_listing(e["missing_listing"]) is not None:
                errs.append(f"{w}: listing {e['missing_listing']} does exist")
            if e["outcome"] != "no_such_product":
                errs.append(f"{w}: a missing listing must expect no_such_product")
        if "sku" in e:
            if len(prods) != 1 or not isinstance(e["sku"], dict) or not e["sku"]:
                errs.append(f"{w}: sku needs exactly one product and an object of option values")
            else:
                p = prods[0]
                spec = {k: v for k, v in e["sku"].items() if v is not None}
                name = "/".join(str(v) for v in spec.values())
                skus = sku_matches(p, spec)
                if not skus:
                    errs.append(f"{w}: no SKU {name} in {p.product_id}")
                elif q.type in ("price", "unit"):
                    prices = {p.price_for(s) for s in skus}
                    if len(prices) != 1:
                        errs.append(f"{w}: the SKUs {name} sell at several prices {sorted(map(str, prices))}")
                    elif not any(_is_number(f) and Decimal(f) == next(iter(prices)) for f in e.get("facts", ())):
                        errs.append(f"{w}: the price of {name} is {next(iter(prices))}, not in facts")
                else:
                    stock = sum(s.stock for s in skus)
                    if stock > 0 and str(stock) not in e.get("facts", ()):
                        errs.append(f"{w}: the stock of {name} is {stock}, not in facts")
                    if stock == 0 and not any(any(x in ("没货", "售罄", "sold out") for x in g)
                                              for g in e.get("any_of", ())):
                        errs.append(f"{w}: {name} is sold out: any_of needs a sold-out group")
        if "faq" in e:
            answer = catalog.faq_answer(e["faq"], prods[0] if len(prods) == 1 else None)
            if answer is None:
                errs.append(f"{w}: no FAQ entry {e['faq']!r} (the product's or the shop's)")
            elif e["outcome"] == "answer":
                if not e.get("facts") and not e.get("any_of"):
                    errs.append(f"{w}: a FAQ answer needs facts or any_of from it")
                for f in e.get("facts", ()):
                    if not fact_present(f, answer):
                        errs.append(f"{w}: fact {f!r} is not in the FAQ answer {answer!r}")
        if q.type == "faq" and ("faq" not in e or e["outcome"] != "answer"):
            errs.append(f"{w}: faq questions need expect.faq and outcome answer")
        if "no_variant" in e:
            nv = e["no_variant"]
            if e["outcome"] != "no_such_product" or not prods or not isinstance(nv, dict) or not nv:
                errs.append(f"{w}: no_variant needs outcome no_such_product, product_ids and option values")
            else:
                for p in prods:
                    for k, v in nv.items():
                        if _norm_value(v) in {_norm_value(x) for x in p.suitable_for} or any(
                                _norm_value(s.option(k)) == _norm_value(v) for s in p.skus):
                            errs.append(f"{w}: {p.product_id} does have {k} {v}")
        if "body" in e:
            if len(prods) != 1:
                errs.append(f"{w}: body needs exactly one product")
            else:
                b = e["body"]
                fits = [r.size for r in prods[0].size_chart if r.fits(b.get("height_cm"), b.get("weight_kg"))]
                if len(fits) != 1:
                    errs.append(f"{w}: {b} fits sizes {fits} of {prods[0].product_id}, need exactly one")
                elif fits[0] not in e.get("facts", ()):
                    errs.append(f"{w}: the fitting size {fits[0]} is not in facts")
        if "constraint" in e:
            c = e["constraint"]
            if set(c) - CONSTRAINT_KEYS:
                errs.append(f"{w}: unknown constraint keys {sorted(set(c) - CONSTRAINT_KEYS)}")
            want = matching_products(catalog, c)
            if sorted(want) != sorted(ids):
                errs.append(f"{w}: constraint matches {sorted(want)}, product_ids are {sorted(ids)}")
            if not want and e["outcome"] != "no_such_product":
                errs.append(f"{w}: nothing meets the constraint: expect no_such_product")
        if q.type == "not_sold":
            if e["outcome"] != "no_such_product" or not e.get("absent"):
                errs.append(f"{w}: not_sold needs outcome no_such_product and 'absent' terms")
            for term in e.get("absent", ()):
                hits = [p.product_id for p in catalog if term.casefold() in _catalog_text(p)]
                if hits:
                    errs.append(f"{w}: {term!r} is in the catalog ({', '.join(hits)})")
        if q.type == "no_listing" and "missing_listing" not in e:
            errs.append(f"{w}: no_listing needs missing_listing")
        if q.type in ("faq_missing", "sensitive") and e["outcome"] != "held":
            errs.append(f"{w}: {q.type} questions expect held")
    return errs


# ---------------------------------------------------------------------------------- session

NICKNAMES = ("小鱼", "阿乐", "安安", "悠悠", "小满", "阿泽", "豆豆", "糖糖", "Lily", "Kiki",
             "Ann", "Joe", "momo", "Tom", "Coco", "小葵")
"""Viewer nicknames for the generated session: no digits, colours or product words, so a
reply's greeting never looks like a fact."""


def session_lines(qset: QuestionSet, *, gap_s: float = 30.0) -> list[dict[str, Any]]:
    """The replay session for a set, as JSON objects: a ``session`` line, then each question
    as one ``comment`` (message ``id`` = question id, its own viewer uid) ``gap_s`` seconds of
    stream time apart, preceded by a ``now_selling`` line when the question has one. Questions
    with nothing on air come first (a session file cannot clear the product on air)."""
    order = [q for q in qset.questions if q.now_selling is None] + [q for q in qset.questions if q.now_selling is not None]
    out: list[dict[str, Any]] = [{"type": "session", "session_id": f"bench-{qset.name}", "platform": "douyin",
                                  "room_id": "bench", "title": f"grounding bench: {qset.name}"}]
    t = 0.0
    for i, q in enumerate(order):
        t += gap_s
        if q.now_selling is not None:
            out.append({"t": round(t - 1.0, 1), "type": "now_selling", "listing_number": q.now_selling})
        out.append({"t": t, "type": "comment", "id": q.id, "uid": f"bench-v{i + 1:04d}",
                    "nickname": NICKNAMES[i % len(NICKNAMES)], "text": q.text})
    return out


def write_session(qset: QuestionSet, path: Path, *, gap_s: float = 30.0) -> Path:
    """Write :func:`session_lines` to ``path`` (UTF-8 JSON Lines) and return the path."""
    path = Path(path)
    path.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in session_lines(qset, gap_s=gap_s)),
                    encoding="utf-8")
    return path


def tally(rows: Iterable[tuple[str, Grade]]) -> dict[str, dict[str, int]]:
    """Counts per group key: n, each verdict, wrong_spoken, held."""
    out: dict[str, dict[str, int]] = {}
    for key, g in rows:
        c = out.setdefault(key, {"n": 0, **{v: 0 for v in VERDICTS}, "wrong_spoken": 0, "held": 0})
        c["n"] += 1
        c[g.verdict] += 1
        c["wrong_spoken"] += int(g.wrong_spoken)
        c["held"] += int(g.held)
    return out
