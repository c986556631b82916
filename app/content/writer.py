"""What LiveHost asks the language model, and what it does with the answers.

Three jobs, each a prompt plus the checks of :mod:`app.content.check`:

* :meth:`LlmWriter.introduction` -- an introduction draft in the seller's style. The model gets
  the product's facts *as the built-in generator phrases them* (every clause the catalog
  supports, :class:`app.content.generator.IntroGenerator`), the FABE structure and the rules
  (nothing beyond the facts, no 极限词, plain text, a length in characters or words). Each
  sentence of the answer is checked; failing ones are dropped with the reason; the draft is
  *held* (``held_reason``) when the whole answer failed, most of it was dropped, what is left
  is shorter or longer than the target, or there is no offensive-language filter.
* :meth:`LlmWriter.chitchat` -- a one-line answer to small talk, with no product, price, number
  or promise in it; any failing sentence refuses the whole answer.
* :meth:`LlmWriter.rephrase` -- a new wording of a drafted reply that keeps every number and
  quoted name of the original and adds none; any failure refuses it.

Each surviving sentence of an introduction keeps the catalog fields it repeats (traced by its
numbers and by fuzzy matching against the facts it was given, ``rapidfuzz.fuzz.partial_ratio``);
a sentence that repeats none is marked ``("llm",)``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from app.catalog.model import Product
from app.content.check import ContentChecker, TextCheck
from app.content.generator import PLANS, IntroGenerator
from app.content.llm import ChatClient
from app.content.model import Introduction, Sentence
from app.content.timing import speech_seconds, zh_chars_per_second

BUILTIN_STYLES: dict[str, int] = {"fabe": 0, "offer-first": 1, "benefit-first": 2, "evidence-first": 3}
"""Styles the built-in generator knows: the order of the parts (:data:`app.content.generator.PLANS`)."""

_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_QUOTED = re.compile(r"「([^」]{1,60})」|“([^”]{1,80})”")

_INTRO_RULES_ZH = (
    "你是电商直播间的文案助手，帮主播写商品口播介绍。规则：\n"
    "1. 只使用【商品资料】里的信息，不编造任何数字、价格、库存、功效、成分、销量、排名、赠品、活动或时限；\n"
    "2. 不用极限词（最、第一、唯一、顶级、国家级、世界级、绝对、万能、首选等），不说治疗、治愈等医疗功效；\n"
    "3. 只输出口播正文：纯文本，不要标题、列表、表情、markdown、链接；\n"
    "4. 结构：特点 → 优势 → 能给观众带来的好处 → 证据（资料里的问答、售后、保质期），然后说直播间价格和划线价、库存、"
    "包邮发货和售后，最后提醒去对应链接下单；\n"
    "5. 长度{lo}到{hi}个汉字。")
_INTRO_RULES_EN = (
    "You write spoken product introductions for a live-stream seller. Rules:\n"
    "1. Use only the facts under PRODUCT FACTS; never invent numbers, prices, stock, effects, ingredients, "
    "sales figures, rankings, gifts, deals or deadlines.\n"
    "2. No absolute claims (best, number one, only, cheapest, guaranteed, perfect ...) and no medical claims.\n"
    "3. Output only the spoken text: plain sentences, no headings, lists, emoji, markdown or links.\n"
    "4. Structure: feature, advantage, benefit to the viewer, evidence (the FAQ answers, warranty, shelf life "
    "given), then the live price and crossed-out price, stock, shipping and returns, and a call to order "
    "at the listing number.\n"
    "5. Length: {lo} to {hi} words.")
_CHITCHAT_ZH = ("你是直播间虚拟主播的助理。用一句话（不超过30个字）友好地回应观众的闲聊。"
                "不谈任何商品、价格、库存、优惠、发货或售后，不说任何数字，不做任何承诺；"
                "如果观众问到这些，就说“这个我请主播来回答”。只输出回应本身，纯文本，不要表情。")
_CHITCHAT_EN = ("You assist a live-stream host. Reply to the viewer's small talk in one friendly sentence of at "
                "most 20 words. Never talk about products, prices, stock, deals, shipping or returns, say no "
                "numbers and promise nothing; if asked about those, say the host will answer. Output only the "
                "reply, plain text, no emoji.")
_REPHRASE_ZH = ("把下面这句直播间回复换一种自然的说法，意思不变。所有数字、价格、商品名和链接号必须原样保留，"
                "不要增加任何新信息，不用极限词。只输出一句话，纯文本，不超过{n}个字。")
_REPHRASE_EN = ("Reword this live-stream reply naturally without changing its meaning. Keep every number, price, "
                "product name and link number exactly as written, add no new information, no absolute claims. "
                "Output one plain sentence of at most {n} characters.")


@dataclass(frozen=True, slots=True)
class ModelText:
    """A model answer after the checks."""

    text: str
    """What may be used ('' when refused)."""
    check: TextCheck
    raw: str
    """What the model wrote."""
    refused: str = ""
    """Why the whole answer is refused ('' = usable; it may still need the seller when not moderated)."""
    seconds: float = 0.0
    """How long the model took, wall clock."""


def builtin_plan(style: str) -> int | None:
    """The plan index of a built-in style name (``fabe``, ``offer-first`` ...), else ``None``."""
    return BUILTIN_STYLES.get(style.strip().lower()) if style else None


class LlmWriter:
    """Introductions, small-talk answers and rephrased replies by the language model, checked.

    Args:
        client: the endpoint.
        checker: the checks (one catalog).
        generator: the built-in generator (the facts handed to the model, the speech rate and the
            target length).
        timeout_s: deadline of an introduction, seconds.
        reply_timeout_s: deadline of a small-talk answer or a rephrase, seconds.
    """

    def __init__(self, client: ChatClient, checker: ContentChecker, generator: IntroGenerator, *,
                 timeout_s: float = 20.0, reply_timeout_s: float = 4.0) -> None:
        self.client = client
        self.checker = checker
        self.generator = generator
        self.timeout_s = float(timeout_s)
        self.reply_timeout_s = float(reply_timeout_s)

    @classmethod
    def from_settings(cls, catalog, settings, *, client: ChatClient | None = None,
                      checker: ContentChecker | None = None) -> "LlmWriter":
        """From :class:`app.settings.Settings` (``[llm]``, ``[content]``, ``speech.rate_wpm``)."""
        llm = settings.llm
        return cls(client or ChatClient.from_settings(llm), checker or ContentChecker(catalog),
                   IntroGenerator.from_settings(catalog, settings), timeout_s=llm.timeout_s,
                   reply_timeout_s=llm.reply_timeout_s)

    # ------------------------------------------------------------------ introductions
    def facts(self, product: Product, lang: str) -> list[Sentence]:
        """Every clause the built-in generator can say about ``product`` (all priorities)."""
        return self.generator.facts(product, lang)

    def intro_messages(self, product: Product, lang: str, style: str = "", variant: int = 0) -> list[dict]:
        """The chat messages asking for one introduction of ``product``."""
        g = self.generator
        facts = self.facts(product, lang)
        if lang == "zh":
            cps = zh_chars_per_second(g.rate_wpm)
            lo, hi = int(g.min_seconds * cps * 1.1), int(g.max_seconds * cps * 0.9)
            system = _INTRO_RULES_ZH.format(lo=lo, hi=hi)
            order = {0: "按特点、优势、好处、证据、价格的顺序", 1: "先说价格和库存，再讲卖点", 2: "先说适合谁、能带来什么好处",
                     3: "先用资料里的问答或售后打消顾虑"}[variant % len(PLANS)]
            user = ("【商品资料】\n" + "\n".join(f"- {s.text}" for s in facts) +
                    f"\n【风格】{style or '自然、亲切'}\n【开头】{order}\n请写一段口播介绍。")
        else:
            wps = g.rate_wpm / 60 * 0.93
            lo, hi = int(g.min_seconds * wps * 1.1), int(g.max_seconds * wps * 0.9)
            system = _INTRO_RULES_EN.format(lo=lo, hi=hi)
            order = {0: "feature, advantage, benefit, evidence, then the price", 1: "open with the price and stock",
                     2: "open with who it suits", 3: "open with the FAQ or after-sales facts"}[variant % len(PLANS)]
            user = ("PRODUCT FACTS\n" + "\n".join(f"- {s.text}" for s in facts) +
                    f"\nSTYLE: {style or 'natural and friendly'}\nORDER: {order}\nWrite the introduction.")
        return [{"role": "system", "content": system}, {"role": "user", "content": user}]

    async def introduction(self, product: Product, lang: str = "zh", style: str = "",
                           variant: int = 0) -> Introduction:
        """One introduction draft by the model, checked sentence by sentence.

        Raises:
            LiveHostError: the endpoint failed (``llm-unreachable``, ``llm-timeout``,
                ``llm-http-error``, ``llm-bad-response``).
        """
        lang = "en" if lang == "en" else "zh"
        answer = await self.client.complete(self.intro_messages(product, lang, style, variant),
                                            timeout_s=self.timeout_s)
        check = self.checker.check_text(answer.text, lang=lang, product_ids=[product.product_id],
                                        max_chars=self.client.max_chars, truncated=answer.truncated)
        facts = self.facts(product, lang)
        sentences = tuple(Sentence(k, "llm", trace_fields(k, facts)) for k in check.kept)
        text = check.text
        secs = speech_seconds(text, lang, self.generator.rate_wpm) if text else 0.0
        held: list[str] = list(check.problems)
        total = len(check.kept) + len(check.dropped)
        if total and len(check.dropped) * 2 > total:
            held.append(f"most sentences failed the checks ({len(check.dropped)} of {total})")
        if text and secs < self.generator.min_seconds:
            held.append(f"too_short: {secs:.0f} s of speech is left after the checks")
        if secs > self.generator.max_seconds:
            held.append(f"too_long: {secs:.0f} s of speech")
        if not check.moderated:
            held.append("unmoderated: the offensive-language filter is not available")
        return Introduction(product_id=product.product_id, lang=lang, variant=variant, sentences=sentences,
                            seconds=round(secs, 2), source="llm", style=style, held_reason="; ".join(held),
                            dropped=check.dropped)

    # ------------------------------------------------------------------ small talk
    async def chitchat(self, message: str, lang: str = "zh") -> ModelText:
        """A one-sentence answer to small talk (``message`` is the viewer's text).

        Raises:
            LiveHostError: the endpoint failed.
        """
        lang = "en" if lang == "en" else "zh"
        messages = [{"role": "system", "content": _CHITCHAT_ZH if lang == "zh" else _CHITCHAT_EN},
                    {"role": "user", "content": message[:200]}]
        answer = await self.client.complete(messages, timeout_s=self.reply_timeout_s, max_tokens=80)
        check = self.checker.check_text(answer.text, lang=lang, small_talk=True,
                                        max_chars=min(self.client.max_chars, 120), truncated=answer.truncated)
        refused = "" if (check.kept and not check.dropped and not check.problems) else check.reason
        if len(check.kept) > 2 and not refused:
            refused = "too_long: more than two sentences"
        return ModelText(text="" if refused else check.text, check=check, raw=answer.text, refused=refused,
                         seconds=answer.seconds)

    # ------------------------------------------------------------------ rephrasing
    async def rephrase(self, text: str, lang: str, product_id: str | None) -> ModelText:
        """A new wording of ``text`` with the same numbers and quoted names, checked.

        Raises:
            LiveHostError: the endpoint failed.
        """
        lang = "en" if lang == "en" else "zh"
        limit = max(60, int(len(text) * 1.6))
        messages = [{"role": "system", "content": (_REPHRASE_ZH if lang == "zh" else _REPHRASE_EN).format(n=limit)},
                    {"role": "user", "content": text}]
        answer = await self.client.complete(messages, timeout_s=self.reply_timeout_s, max_tokens=160)
        numbers = tuple(Decimal(n) for n in _NUMBER.findall(text))
        check = self.checker.check_text(answer.text, lang=lang, product_ids=[product_id] if product_id else [],
                                        viewer_numbers=numbers, max_chars=limit, truncated=answer.truncated)
        refused = "" if (check.kept and not check.dropped and not check.problems) else check.reason
        if not refused:
            refused = same_facts(text, check.text)
        return ModelText(text="" if refused else check.text, check=check, raw=answer.text, refused=refused,
                         seconds=answer.seconds)


def same_facts(original: str, new: str) -> str:
    """``""`` when ``new`` has exactly the numbers of ``original`` (as a multiset) and no quoted
    name the original lacks; else the reason."""
    a = Counter(Decimal(n).normalize() for n in _NUMBER.findall(original))
    b = Counter(Decimal(n).normalize() for n in _NUMBER.findall(new))
    if a != b:
        missing = sorted(str(x) for x in (a - b).elements())
        extra = sorted(str(x) for x in (b - a).elements())
        return ("numbers changed:" + (f" lost {', '.join(missing)}" if missing else "")
                + (f" added {', '.join(extra)}" if extra else ""))
    names_a = {m.group(1) or m.group(2) for m in _QUOTED.finditer(original)}
    extra_names = [m.group(1) or m.group(2) for m in _QUOTED.finditer(new) if (m.group(1) or m.group(2)) not in names_a]
    if extra_names:
        return f"names added: {', '.join(extra_names)}"
    return ""


def trace_fields(sentence: str, facts: list[Sentence]) -> tuple[str, ...]:
    """The catalog fields a model-written sentence repeats: those of the facts whose numbers it
    says, or whose text it contains closely (partial ratio >= 80); ``("llm",)`` when none."""
    from rapidfuzz import fuzz

    nums = set(_NUMBER.findall(sentence))
    fields: list[str] = []
    for f in facts:
        shared = nums & set(_NUMBER.findall(f.text))
        if shared or (len(f.text) >= 4 and fuzz.partial_ratio(f.text, sentence) >= 80):
            fields.extend(f.fields)
    return tuple(dict.fromkeys(fields)) or ("llm",)
