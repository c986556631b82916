"""Reply stages: drafting (product resolution, question merging, the fact guard) and approval.

``ReplyStage``: IntentClassified / SetNowSelling / StepNowSelling / IntroduceProduct /
RecommendationsReady -> ReplySuggested | QuestionMerged | NoReply | NowSellingChanged.
Offensive messages and floods are not its business (:mod:`app.reply.policy`,
:mod:`app.reply.flood`), nor gifts, follows, entries and likes (:mod:`app.reply.thanks`).

**Question merging.** Identical or near-identical questions -- the same intent about the same
product with the same slots (colour, size, body measures, budget ...) -- asked within
``merge_window_s`` seconds of *stream time* become one reply that names every asker
(``ReplySuggested.msg_ids`` / ``askers``). For ``repeat_window_s`` seconds after that reply was
drafted, the same question again gets no reply of its own: a :class:`~app.events.QuestionMerged`
ties it to the earlier reply (the console adds the asker to a card that still waits). Windows
close on stream time (``StreamTimeAdvanced`` ticks and every event's ``t``), so a replay and a
live room behave alike; ``SourcesEnded`` closes every open window.

``ApprovalStage``: ReplySuggested -> ReplyApproved + Speak for reply kinds the seller lets
through automatically (never held replies, never complaints); seller decisions arrive as
ReplyApproved / ReplyRejected / ReplyEdited events from the GUI.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from app.catalog.model import Catalog, Product
from app.events import (AutoApproveCancelled, AutoApproveScheduled, CancelAutoApprove, ErrorOccurred,
                        Event, IntentClassified, IntroduceProduct, MuteSpeech, NoReply, NowSellingChanged,
                        PauseAutoApprove, QuestionMerged, RecommendationsReady, RepeatLastReply, ReplyApproved,
                        ReplyEdited, ReplyRejected, ReplyRephrased, ReplySuggested, SayText, SetAutoApprove,
                        SetNowSelling, SourcesEnded, Speak, StepNowSelling, StreamTimeAdvanced, Viewer, next_id)
from app.dialogue.frame import DEICTIC, COMPARE_ATTRS, Frame, build_frame, strongly_named, without_listings
from app.dialogue.facts import asked_attribute, match_faq
from app.dialogue.search import (FIT_CUE, SearchRequest, fit_question, read_constraints, run_search, search_request,
                                 soft_search)
from app.dialogue.sensitive import sensitive_reason
from app.dialogue.variants import named_options
from app.dialogue.vocabulary import GENERAL_GOODS, KIND_WORDS, ProductVocabulary
from app.now_selling import NowSellingTimeline
from app.pipeline import Emit, Stage
from app.reply.composer import _BOUGHT, _BYE, Draft, ReplyComposer, plural_en
from app.reply.guard import FactGuard
from app.reply.phrasing import PhraseRotator
from app.vocab import Approver, ErrorCode, HeldReason

MERGEABLE_INTENTS: frozenset[str] = frozenset(
    {"greeting", "compliment", "price", "discount", "size_fit", "product_detail", "stock", "shipping",
     "after_sales", "purchase_intent"})
"""Intents whose replies do not depend on who asks: the same question from several viewers gets
one reply. Complaints (each one matters to the seller) and recommendation requests (they use
the viewer's own history) are answered one by one."""

_PRICE_CUE = re.compile(r"(?i)多少钱|多少(?!克|斤|毫升|ml|g\b|瓦|w\b|mah|寸|天|片|包|抽|粒)|价|便宜|几块|几元|贵|咋卖|怎么卖|怎么买|多钱|price|cost|"
                        r"how much(?! does (it|this|that|the \w+) weigh| is it heavy)|cheaper")
_STOCK_CUE = re.compile(r"(?i)还有|有货|现货|库存|剩|有.{0,8}吗|有没有|有几|卖完|断货|in stock|available|left|sold out|have")
_GRIEVANCE = re.compile(r"(?i)坑|骗|垃圾|差评|投诉|太贵|贵死|退钱|退款|凭什么|scam|rip[- ]?off|refund|terrible")
"""Words of a real complaint: a message carrying them stays one, whatever else it asks."""
_VARIANT_PRICE_Q = re.compile(r"(?i)多少钱|多少$|多少[呀啊呢吖哇?？]|什么价|啥价|价格|价钱|几块|咋卖|怎么卖|how much|price")
"""A price question about a named variant ("67W多少", "两万毫安的多少", "512G什么价")."""
_STILL_IN_STOCK = re.compile(r"(?i)还有|还剩|剩[几多下]|库存|有货|有现货|几[件个包罐盒瓶袋]|in stock|any left|sold out")
"""A stock question about a variant ("30包的还有吗"), not whether the shop has a kind ("70英寸的电视有吗")."""
_SHIPPING_CUE = re.compile(r"(?i)包邮|邮费|运费|发货|发什么|快递|物流|几天.{0,2}到|多久.{0,2}到|什么时候.{0,2}到|到货|到手|寄|顺丰|中通|圆通|韵达|申通|"
                           r"极兔|京东|送到|ship|deliver|courier|postage|arriv|dispatch|send|post\b|express")
_AFTER_SALES_CUE = re.compile(r"(?i)退|换|保修|质保|售后|三包|坏了|维修|无理由|运费险|return|refund|exchange|warrant|guarantee|repair|broken")

_TEMPLATE_CUES = {"shipping": _SHIPPING_CUE, "after_sales": _AFTER_SALES_CUE, "price": _PRICE_CUE}
"""Intents answered with a fixed template: the message must carry one of their words, else it is a
product question the facts answer (or hold)."""
_FACT_DRAFTS: dict[str, re.Pattern | None] = {
    "faq_answer": None, "fact_value": None, "fact_courier": None, "fact_ships_from": None, "fact_phrase": None,
    "fact_storage": None, "fact_material": None,
    "price": _PRICE_CUE, "price_variant": _PRICE_CUE, "price_from": _PRICE_CUE, "discount": _PRICE_CUE,
    "stock_yes": _STOCK_CUE, "stock_no": _STOCK_CUE, "stock_total": _STOCK_CUE, "stock_none": _STOCK_CUE,
    "size_no": _STOCK_CUE, "color_no": _STOCK_CUE, "shipping": _SHIPPING_CUE, "after_sales": _AFTER_SALES_CUE,
    "per_unit": None, "price_gift": None,
}
"""Draft kinds that quote the seller's FAQ answer or a catalog fact (a price, a variant's stock),
with the words the message must carry for the draft to answer it whatever the intent label
(``None``: the draft was chosen by the question's own words)."""
_FACT_QUESTIONS = frozenset({"courier", "ships from", "warranty", "shelf life", "storage", "production date",
                             "net weight", "material", "returns", "return shipping", "dispatch"})
"""Asked attributes that make a message a question about a product's fact, not a search."""
_QUESTION_FORM = re.compile(r"(?i)[?？]|吗|呢|什么|多少|多久|怎么|几[天个种]|哪|^(what|how|when|where|which|does|do|is|are|can)\b")
"""A message worded as a question."""
_FACT_INTENT = {"courier": "shipping", "ships from": "shipping", "dispatch": "shipping", "warranty": "after_sales",
                "returns": "after_sales", "return shipping": "after_sales"}
"""The intent whose answer gives an asked fact."""
_WHICH_HAVE = re.compile(r"(?i)哪些|哪几|有没有|有什么|有哪|any|which (ones?|of)|do you have")
"""Words of a search among products ("有没有包邮的", "which ones ship free")."""
_SHARED_INTENTS = frozenset({"price", "shipping", "after_sales", "product_detail", "discount"})
"""Intents whose answer may be said once for several products it is the same for."""
_NAME_SLOT = "\u2060NAME\u2060"


def _relabel(events: list, intent: str) -> tuple:
    """The message read with another intent than the classifier's label (its words say what it
    asks): the first event relabelled, and the list with it in front."""
    ev = dataclasses.replace(events[0], intent=intent)
    return ev, [ev, *events[1:]]


_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")


def _english_only(draft: Draft, nicknames: tuple[str, ...] = ()) -> tuple[Draft, str]:
    """An English draft with the Chinese words it still carries (a colour without an English label,
    象牙白) said in English from the goods glossary; the words no glossary entry covers are
    returned (the draft is then held). Quoted viewer text (a nickname) stays as written."""
    from app.dialogue.english import say_in_english

    text = draft.text
    masked = text
    for q in sorted({q for q in (*draft.quoted, *nicknames) if q}, key=len, reverse=True):
        masked = masked.replace(q, "\u2063" * len(q))
    missing: list[str] = []
    for run in dict.fromkeys(_CJK_RUN.findall(masked)):
        en = say_in_english(run)
        if en:
            text = text.replace(run, en)
        else:
            missing.append(run)
    return (dataclasses.replace(draft, text=text) if text != draft.text else draft), "、".join(missing)


def _mask_names(text: str, p: Product) -> str:
    """``text`` with ``p``'s quoted names (「title」, “English title”) replaced by one slot."""
    for name in sorted({n for n in (p.title, p.spoken_name, p.short_name, p.title_en) if n}, key=len, reverse=True):
        text = text.replace(f"「{name}」", _NAME_SLOT).replace(f"“{name}”", _NAME_SLOT)
    return text


_SOCIAL_INTENTS = frozenset({"greeting", "compliment", "complaint", "spam", "chitchat"})
"""Intents whose reply names no product: no question frame is built for them."""

_SLOT_SIGNATURE = ("listing_number", "color", "color_word", "size", "height_cm", "weight_kg", "budget_max",
                   "budget_min", "quantity", "recipient")


def _kind_words(words, products, text: str) -> list[str]:
    """The goods ``words`` that are no variant label of ``products`` named in ``text`` ("mate 50" of
    a film that comes in Mate 50, "reno8" of a case made for OPPO Reno8)."""
    labels = [re.sub(r"\s+", "", v.lower()) for p in products for vs in named_options(p, text).values() for v in vs]
    return [w for w in words if not any(re.sub(r"\s+", "", w.lower()) in x for x in labels)]


def split_held(held: str) -> tuple[str, str]:
    """``"missing_fact: size chart"`` -> ``("missing_fact", "size chart")``; ``"complaint"`` ->
    ``("complaint", "")``. Several reasons (``"fact_guard: x; uncertain_intent"``) keep the first
    as the reason and the rest in the detail."""
    if not held:
        return "", ""
    head, sep, rest = held.partition(": ")
    if not sep:
        head, sep2, rest2 = held.partition("; ")
        return head, rest2
    return head, rest


def resolve_product(catalog: Catalog, ev: IntentClassified, last_asked: Product | None,
                    now_selling: Product | None) -> Product | None:
    """Which product a message is about: its listing number -> a product mention -> the
    product this viewer last asked about (``last_asked``; the caller drops it once the host
    has switched products since) -> the now-selling product -> ``None``."""
    s = ev.slots
    if s.listing_number is not None:
        p = catalog.by_listing(s.listing_number)
        if p is not None:
            return p
    for pid in s.product_mentions:
        p = catalog.get(pid)
        if p is not None:
            return p
    return last_asked or now_selling


_VARIANT_COMPARE = re.compile(r"(?i)哪个|哪款|哪种|区别|差别|差多少|差价|对比|比较|比.{0,6}(?:贵|便宜|多|少)|"
                              r"which|compare|difference|\bvs\b|cheaper|more expensive")
"""Words of a comparison between variants ("13升和16升差多少钱")."""


def _compare_attr(text: str) -> str:
    return next((k for k, pat in COMPARE_ATTRS.items() if pat.search(text)), "")


@dataclass
class _Gathering:
    """Questions that share one reply: still gathering (``reply_id`` None) or answered."""

    key: tuple
    opened_t: float
    events: list[IntentClassified]
    product: Product | None
    reply_id: str | None = None
    drafted_t: float = 0.0
    approved: bool = False
    held: bool = False
    extra_msgs: list[str] = field(default_factory=list)


class ReplyStage(Stage):
    """Drafts a reply per handled event (or per group of identical questions) and runs the fact
    guard on it.

    Args:
        catalog: facts source.
        use_recommender: True when a recommendation stage runs in the same pipeline; then
            recommendation requests are answered when its RecommendationsReady arrives.
        seed: phrase-rotation seed.
        merge_window_s: stream-time seconds identical questions are gathered into one reply
            before it is drafted (0 = draft each at once).
        repeat_window_s: stream-time seconds after a reply during which the same question again
            is tied to it instead of answered anew (0 = off).
        introductions: ``product -> (text, lang) | None``: a generated introduction for a product
            without a script (:meth:`app.content.book.IntroductionBook.speakable`); ``None`` =
            such products cannot be introduced (``introduce-no-script``).
    """

    name = "reply"
    accepts = (IntentClassified, SetNowSelling, StepNowSelling, IntroduceProduct, RecommendationsReady,
               StreamTimeAdvanced, SourcesEnded, ReplyApproved)

    def __init__(self, catalog: Catalog, *, use_recommender: bool = False, seed: int = 0,
                 merge_window_s: float = 0.0, repeat_window_s: float = 0.0,
                 introductions: Callable[[Product], tuple[str, str] | None] | None = None, names=None) -> None:
        super().__init__()
        self.catalog = catalog
        self.introductions = introductions
        self.composer = ReplyComposer(catalog, seed=seed, names=names)
        self.guard = FactGuard(catalog)
        self.vocabulary = ProductVocabulary(catalog)
        self.use_recommender = use_recommender
        self.merge_window_s = max(0.0, float(merge_window_s))
        self.repeat_window_s = max(0.0, float(repeat_window_s))
        self._selling: NowSellingTimeline[Product] = NowSellingTimeline()
        self._last_asked: dict[tuple[str, str], tuple[float, str]] = {}
        self._waiting: dict[str, IntentClassified] = {}
        self._open: dict[tuple, _Gathering] = {}
        self._recent: dict[tuple, _Gathering] = {}
        self._by_reply: dict[str, _Gathering] = {}

    @property
    def now_selling(self) -> Product | None:
        """The product presented at the latest stream time seen."""
        return self._selling.latest

    def now_selling_at(self, t: float) -> Product | None:
        """The product presented at stream time ``t`` (seconds)."""
        return self._selling.at(t)

    def _step(self, step: int) -> Product | None:
        listed = sorted((p for p in self.catalog if p.listing_number is not None),
                        key=lambda p: p.listing_number)
        if not listed:
            return None
        if self.now_selling is None or self.now_selling not in listed:
            return listed[0] if step >= 0 else listed[-1]
        i = listed.index(self.now_selling) + step
        return listed[max(0, min(len(listed) - 1, i))]

    # ------------------------------------------------------------------ events
    async def handle(self, event: Event, emit: Emit) -> None:
        await self._close_due(event.t, emit)
        if isinstance(event, StreamTimeAdvanced):
            return
        if isinstance(event, SourcesEnded):
            await self._close_due(float("inf"), emit)
            return
        if isinstance(event, ReplyApproved):
            g = self._by_reply.get(event.reply_id)
            if g is not None:
                g.approved = True
            return
        if isinstance(event, StepNowSelling):
            p = self._step(event.step)
            if p is not None and p is not self.now_selling:
                self._selling.set(max(event.t, self._selling.latest_t), p)
                await emit(NowSellingChanged(t=event.t, product_id=p.product_id))
            return
        if isinstance(event, IntroduceProduct):
            await self._introduce(event, emit)
            return
        if isinstance(event, SetNowSelling):
            p = self.catalog.by_listing(event.listing_number) if event.listing_number is not None \
                else self.catalog.get(event.product_id)
            if p is None:
                await emit(ErrorOccurred(
                    t=event.t, code=ErrorCode.NOW_SELLING_UNKNOWN,
                    message=f"No product with listing number {event.listing_number or event.product_id} "
                            "in the catalog; the now-selling product is unchanged.",
                    hint="Check the listing numbers in your catalog file.", stage=self.name))
                return
            self._selling.set(event.t, p)
            await emit(NowSellingChanged(t=event.t, product_id=p.product_id))
            return
        if isinstance(event, RecommendationsReady):
            ev = self._waiting.pop(event.msg_id, None)
            if ev is None:
                return
            recs = [(p, r.reason_zh if ev.lang == "zh" else r.reason_en)
                    for r in event.items if (p := self.catalog.get(r.product_id)) is not None]
            await self._answer([ev], self._product_for(ev), emit, recommendations=recs)
            return
        assert isinstance(event, IntentClassified)
        if event.offensive or event.flood:
            return  # the moderation policy / flood stages answer for these (never a reply of ours)
        if event.source == "host_speech":
            await emit(NoReply(t=event.t, msg_id=event.msg_id, viewer=event.viewer,
                               reason="host speech (captions only)"))
            return
        if event.intent == "recommendation_request" and self.use_recommender:
            self._waiting[event.msg_id] = event
            return
        product = self._product_for(event)
        if event.intent not in MERGEABLE_INTENTS or (self.merge_window_s <= 0 and self.repeat_window_s <= 0):
            await self._answer([event], product, emit)
            return
        await self._gather(event, product, emit)

    # ------------------------------------------------------------------ merging
    def _product_for(self, ev: IntentClassified) -> Product | None:
        vkey = (ev.viewer.platform, ev.viewer.uid)
        asked_t, asked_pid = self._last_asked.get(vkey, (0.0, None)) if ev.viewer.uid else (0.0, None)
        # the viewer's last product counts until the host switches to another one after it
        switched = self._selling.changed_between(asked_t, ev.t)
        last = None if switched else self.catalog.get(asked_pid)
        return resolve_product(self.catalog, ev, last, self.now_selling_at(ev.t))

    def _fallback_for(self, ev: IntentClassified) -> Product | None:
        """The product a message names none of falls back to: the one this viewer last asked about
        (until the host switches products), else the now-selling one."""
        vkey = (ev.viewer.platform, ev.viewer.uid)
        asked_t, asked_pid = self._last_asked.get(vkey, (0.0, None)) if ev.viewer.uid else (0.0, None)
        last = None if self._selling.changed_between(asked_t, ev.t) else self.catalog.get(asked_pid)
        return last or self.now_selling_at(ev.t)

    def merge_key(self, ev: IntentClassified, product: Product | None) -> tuple:
        """What makes two messages the same question: intent, certainty, the product, the slots
        that change the answer, the product's own variant labels named in the text, and (for
        greetings and purchases) whether it is a goodbye / an announced purchase."""
        from app.understanding.text import normalize_text

        slots = tuple(getattr(ev.slots, n) for n in _SLOT_SIGNATURE)
        labels: tuple = ()
        if product is not None and ev.intent in ("stock", "product_detail", "price", "size_fit"):
            text = normalize_text(ev.text)
            labels = (tuple(self.composer._colors_in_text(product, text)),
                      tuple(self.composer._sizes_in_text(product, text)))
        flags = (bool(_BYE.search(ev.text)), bool(_BOUGHT.search(ev.text)))
        return (ev.intent, ev.uncertain, ev.lang, product.product_id if product else None, slots, labels, flags)

    async def _gather(self, ev: IntentClassified, product: Product | None, emit: Emit) -> None:
        key = self.merge_key(ev, product)
        recent = self._recent.get(key)
        if recent is not None and recent.reply_id is not None:
            if ev.t - recent.drafted_t <= self.repeat_window_s:
                recent.extra_msgs.append(ev.msg_id)
                await emit(QuestionMerged(t=ev.t, reply_id=recent.reply_id, msg_id=ev.msg_id, viewer=ev.viewer,
                                          text=ev.text, answered=recent.approved))
                return
            del self._recent[key]
        g = self._open.get(key)
        if g is not None:
            g.events.append(ev)
            return
        g = _Gathering(key=key, opened_t=ev.t, events=[ev], product=product)
        if self.merge_window_s <= 0:
            await self._draft_gathering(g, emit)
        else:
            self._open[key] = g

    async def _close_due(self, t: float, emit: Emit) -> None:
        if not self._open:
            return
        due = [g for g in self._open.values() if g.opened_t + self.merge_window_s <= t]
        for g in sorted(due, key=lambda g: g.opened_t):
            del self._open[g.key]
            await self._draft_gathering(g, emit)

    async def _draft_gathering(self, g: _Gathering, emit: Emit) -> None:
        reply = await self._answer(g.events, g.product, emit)
        if reply is None or self.repeat_window_s <= 0:
            return
        g.reply_id = reply.reply_id
        g.drafted_t = max(e.t for e in g.events)
        g.held = bool(reply.held_reason)
        self._recent[g.key] = g
        self._by_reply[reply.reply_id] = g
        if len(self._by_reply) > 2000:  # a long stream: keep the recent ones
            for rid in list(self._by_reply)[:1000]:
                old = self._by_reply.pop(rid)
                if self._recent.get(old.key) is old:
                    del self._recent[old.key]

    # ------------------------------------------------------------------ drafting
    async def _introduce(self, event: IntroduceProduct, emit: Emit) -> None:
        p = (self.catalog.by_listing(event.listing_number) if event.listing_number is not None
             else self.catalog.get(event.product_id) if event.product_id else self.now_selling_at(event.t))
        generated = (self.introductions(p) if p is not None and not p.script.strip() and self.introductions
                     else None)
        if generated is not None:  # no script of the seller's: an introduction made from the catalog
            draft = Draft("introduce", generated[0], generated[1], (p.product_id,))
            await self._suggest(event, draft, "introduce", [], emit, viewer=Viewer("host", "host", ""),
                                requested_by=event.by)
            return
        if p is None or not p.script.strip():
            what = "that product" if p is None else f"「{p.title}」"
            await emit(ErrorOccurred(
                t=event.t, code=ErrorCode.INTRODUCE_NO_SCRIPT,
                message=f"Cannot introduce {what}: " + ("it is not in the catalog." if p is None
                                                        else "it has no sales script."),
                hint="Write a script (话术) for it in the Products tab or the catalog's script column.",
                stage=self.name))
            return
        host = Viewer("host", "host", "")
        draft = Draft("introduce", p.script.strip(), "zh", (p.product_id,))
        await self._suggest(event, draft, "introduce", [], emit, viewer=host, requested_by=event.by)

    async def _answer(self, events: list[IntentClassified], product: Product | None, emit: Emit,
                      recommendations: list[tuple[Product, str]] | None = None) -> ReplySuggested | None:
        ev = events[0]
        msg_ids = [e.msg_id for e in events]
        names = [e.viewer.nickname for e in events]
        askers = tuple(e.viewer for e in events)
        confidence = min(e.confidence for e in events)
        if ev.intent in _SOCIAL_INTENTS and (search := self._search_for(ev, None)) is not None:
            # "phones under 3000" read as chitchat: a catalog search all the same
            return await self._answer_search(ev, search, recommendations, names, msg_ids, confidence, askers, emit)
        if ev.intent == "chitchat" and ev.source != "host_speech" and asked_attribute(ev.text or "") is not None \
                and (ev.uncertain or _QUESTION_FORM.search(ev.text or "")):
            # "when was the pu-erh cake produced" read as unsure chit-chat: a question about a fact;
            # it is answered only when the product and the catalog fact are sure (below)
            ev, events = _relabel(events, "product_detail")
        if ev.uncertain and ev.intent in ("spam", "chitchat"):
            # the model is unsure it is noise: the seller decides (it may be a question)
            draft = self.composer.compose("missing_fact_prompt", ev.slots, ev.lang, nickname=names)
            return await self._suggest(ev, draft, ev.intent, msg_ids, emit, held=HeldReason.UNCERTAIN_INTENT,
                                       confidence=confidence, askers=askers)
        if ev.intent == "complaint" and ev.source != "host_speech" and _VARIANT_COMPARE.search(ev.text or "") \
                and re.search(r"(?i)多少|几块|how much", ev.text or "") and not _GRIEVANCE.search(ev.text or ""):
            from app.dialogue.variants import compared_values

            on_air = self._fallback_for(ev)
            if on_air is not None and compared_values(on_air, ev.text or "") is not None:
                # "128G和256G差多少钱" read as a complaint: two variants' prices asked side by side
                ev, events = _relabel(events, "price")
        frame = None
        if ev.intent not in _SOCIAL_INTENTS:
            frame = build_frame(self.catalog, self.vocabulary, ev, self._fallback_for(ev))
        if ev.intent == "recommendation_request" and sensitive_reason(ev.text or "") is not None:
            # "good for my baby's eczema?": a sensitive question, held with the seller's answer, never a list
            ev, events = _relabel(events, "product_detail")
        fit = self._fit_for(ev, frame)
        if fit is not None:
            # "油皮能用吗", "乌龙茶适合办公室喝吗", "is it a good gift": from the product's own facts, else held
            draft = self.composer.fit(fit[0], fit[1], ev.lang, names if len(names) > 1 else names[0])
            return await self._suggest(ev, draft, "product_detail", msg_ids, emit, held=draft.held_reason or None,
                                       confidence=confidence, askers=askers)
        if ev.intent == "recommendation_request" and frame is not None and frame.products and not frame.sure:
            attr = asked_attribute(ev.text or "")
            if attr is not None and attr[0] in _FACT_QUESTIONS and not _WHICH_HAVE.search(ev.text or "") \
                    and ev.slots.budget_max is None and ev.slots.budget_min is None:
                # "which courier for the tv 4a": a fact of the products named, not a request for a list
                ev, events = _relabel(events, _FACT_INTENT.get(attr[0], "product_detail"))
        if ev.intent == "recommendation_request" and frame is not None and frame.products and frame.sure:
            # "which courier for the lipstick", "黄皮适合哪个色" (the product's own FAQ), "is it a
            # good gift" about the product on screen: a question about one product, not a request
            p0 = frame.products[0]
            text = ev.text or ""
            if (asked_attribute(text) is not None and frame.source != "fallback") or match_faq(p0.faq, text):
                ev, events = _relabel(events, "product_detail")
            elif frame.source == "fallback" and DEICTIC.search(text):
                req = read_constraints(text, ev.slots, self.vocabulary)
                draft = self.composer.fit(p0, req.soft if req else (), ev.lang, names if len(names) > 1 else names[0])
                return await self._suggest(ev, draft, "product_detail", msg_ids, emit, held=draft.held_reason or None,
                                           confidence=confidence, askers=askers)
        template = _TEMPLATE_CUES.get(ev.intent)
        if template is not None and frame is not None and not template.search(ev.text or ""):
            # "Mate50能发卫星消息吗" read as shipping: no shipping word, so no shipping template;
            # "电视包邮吗" read as price: the template whose words it does carry
            other = next((i for i, cue in _TEMPLATE_CUES.items() if i != ev.intent and cue.search(ev.text or "")), None)
            ev, events = _relabel(events, other or "product_detail")
        # the words left for variants: "12号多少钱" names listing 12, not the 小米12 variant of its film
        vtext = without_listings(ev.text or "", frame.listings) if frame is not None and frame.listings else ev.text
        variant_asked = bool(frame is not None and frame.sure and len(frame.products) == 1
                             and named_options(frame.products[0], vtext or ""))
        if ev.intent in ("product_detail", "size_fit") and variant_asked:
            if _VARIANT_PRICE_Q.search(ev.text or ""):
                # "氮化镓充电器67W多少", "#5 128G多少": the price of the variant named
                ev, events = _relabel(events, "price")
            elif ev.intent == "size_fit" and _STILL_IN_STOCK.search(ev.text or ""):
                ev, events = _relabel(events, "stock")  # "M码还有吗"
            elif ev.intent == "product_detail" and (_STOCK_CUE.search(ev.text or "") or FIT_CUE.search(ev.text or "")):
                # "红米5A有钢化膜吗": whether the variant named exists and is in stock
                ev, events = _relabel(events, "stock")
        variants = self._compared_variants(ev, frame)
        if variants is not None:
            # "13升和16升差多少钱": two variants of one product side by side
            draft = self.composer.compare_variants(frame.products[0], variants[0], variants[1], frame.compare_attr
                                                   or _compare_attr(ev.text or ""), ev.lang,
                                                   names if len(names) > 1 else names[0], text=ev.text or "")
            return await self._suggest(ev, draft, "comparison", msg_ids, emit, held=draft.held_reason or None,
                                       confidence=confidence, askers=askers)
        search = self._search_for(ev, frame)
        if search is not None:
            return await self._answer_search(ev, search, recommendations, names, msg_ids, confidence, askers, emit)
        held_unsure = HeldReason.UNCERTAIN_INTENT if ev.uncertain else None
        if frame is not None and frame.unknown_listings:
            draft = self.composer.no_such_listing(frame.unknown_listings[0], ev.lang, ev.viewer.nickname)
            return await self._suggest(ev, draft, ev.intent, msg_ids, emit, held=held_unsure,
                                       confidence=confidence, askers=askers)
        if frame is not None and frame.compare and len(frame.products) >= 2:
            draft = self.composer.compare(frame.products, frame.compare_attr, ev.lang,
                                          names if len(names) > 1 else names[0], dearer=frame.dearer)
            # a sure frame comparing named products by a catalog fact is the reading (the
            # classifier's doubt about the intent label does not change the answer)
            return await self._suggest(ev, draft, "comparison", msg_ids, emit,
                                       held=draft.held_reason or (held_unsure if not frame.sure else None),
                                       confidence=confidence, askers=askers)
        if frame is not None and frame.unsold_brands and not frame.products:
            draft = self.composer.not_sold_brand(ev.lang, names if len(names) > 1 else names[0])
            return await self._suggest(ev, draft, ev.intent, msg_ids, emit, held=held_unsure,
                                       confidence=confidence, askers=askers)
        if frame is not None and frame.unsold_words and not frame.products:
            draft = self.composer.not_sold(frame.unsold_words[0], ev.lang, names if len(names) > 1 else names[0])
            return await self._suggest(ev, draft, ev.intent, msg_ids, emit, held=held_unsure,
                                       confidence=confidence, askers=askers)
        if frame is not None and not frame.sure and sensitive_reason(ev.text or "") is None:
            shared = self._shared_answer(ev, frame, names if len(names) > 1 else names[0])
            if shared is not None:  # "小米电视保修多久": both TVs have the same warranty
                cue = _FACT_DRAFTS.get(shared.key)
                backed = cue is None or cue.search(ev.text or "") is not None  # a catalog fact for the words asked
                return await self._suggest(ev, shared, ev.intent, msg_ids, emit, held=None if backed else held_unsure,
                                           confidence=confidence, askers=askers)
            draft = self.composer.compose("missing_fact_prompt", ev.slots, ev.lang, nickname=names)
            return await self._suggest(ev, draft, ev.intent, msg_ids, emit, held=f"unsure: {frame.unsure}",
                                       confidence=confidence, askers=askers)
        if frame is not None and ev.intent != "recommendation_request":
            product = frame.products[0] if frame.products else None
        kinds = [w for w in (frame.goods_words if frame is not None else ()) if self.vocabulary.products_named(w)]
        if ev.intent == "recommendation_request" and recommendations is None:
            recommendations = self.composer.fallback_recommendations(ev.slots, k=len(self.catalog) if kinds else 3)
        if ev.intent == "recommendation_request" and recommendations and kinds:
            # "混油皮用什么粉底": only products of the kind named, never a lipstick beside the foundation
            recommendations = [(p, r) for p, r in recommendations
                               if any(self.vocabulary.names_in(p, w, ev.text or "") for w in kinds)][:3]
        draft = self.composer.compose(ev.intent, ev.slots, ev.lang, nickname=names if len(names) > 1 else names[0],
                                      text=vtext, product=product, recommendations=recommendations)
        if draft is None:
            for e in events:
                await emit(NoReply(t=e.t, msg_id=e.msg_id, viewer=e.viewer,
                                   reason="spam (never answered)" if e.intent == "spam"
                                   else "chitchat (no reply needed)"))
            return None
        if draft.product_ids and ev.intent not in ("recommendation_request",):
            for e in events:
                if e.viewer.uid:
                    key = (e.viewer.platform, e.viewer.uid)
                    self._last_asked.pop(key, None)
                    self._last_asked[key] = (e.t, draft.product_ids[0])  # most recent last
                    if len(self._last_asked) > 50_000:  # a long day: the least recent viewers go
                        del self._last_asked[next(iter(self._last_asked))]
        held = draft.held_reason
        cue = _FACT_DRAFTS.get(draft.key, False)
        facts_backed = cue is not False and (cue is None or cue.search(ev.text or "") is not None or (
            variant_asked and draft.key.startswith("stock") and FIT_CUE.search(ev.text or "") is not None))
        # "Mate50能用吗" with the film on air: whether the film's Mate 50 variant is there and in stock
        if not held and ev.uncertain and not (facts_backed and frame is not None and frame.sure
                                               and frame.products and frame.source != "none"):
            # a draft quoting the seller's own FAQ answer or a catalog fact for the attribute asked,
            # about a product read for sure, does not depend on the intent label
            held = HeldReason.UNCERTAIN_INTENT
        return await self._suggest(ev, draft, ev.intent, msg_ids, emit, held=held, confidence=confidence,
                                   askers=askers)

    async def _answer_search(self, ev, search: SearchRequest, recommendations, names, msg_ids, confidence, askers,
                             emit: Emit) -> ReplySuggested:
        rank = {p.product_id: i for i, (p, _) in enumerate(recommendations or [])}
        result = run_search(self.catalog, self.vocabulary, search, self.composer, rank)
        draft = self.composer.search_answer(result, ev.lang, names if len(names) > 1 else names[0])
        # products meeting every constraint, read from the catalog: the answer does not depend on
        # the classifier's label, so its doubt does not hold it
        return await self._suggest(ev, draft, "recommendation_request", msg_ids, emit,
                                   held=draft.held_reason or None, confidence=confidence, askers=askers)

    def _fit_for(self, ev: IntentClassified, frame) -> tuple[Product, tuple[str, ...]] | None:
        """``(product, terms)`` when ``ev`` asks whether the one product it is about suits the
        ``terms`` (油皮能用吗, 这个拿来送人合适吗, is it ok for dry skin), else ``None``: a sure
        frame with one product, a suitability cue without a "which", no variant, budget or other
        kind of goods named, no sensitive question and no FAQ entry of the product's answering it."""
        from app.dialogue.facts import match_faq

        text = ev.text or ""
        if (frame is None or not frame.sure or len(frame.products) != 1 or frame.compare or frame.unknown_listings
                or ev.intent not in ("product_detail", "recommendation_request", "size_fit")
                or not fit_question(text) or sensitive_reason(text) is not None):
            return None
        p = frame.products[0]
        if match_faq(p.faq, text) is not None or named_options(p, text):
            return None
        req = read_constraints(text, ev.slots, self.vocabulary)
        if req is None or not req.soft or req.has_variant or req.budget_max is not None or req.budget_min is not None \
                or any(not self.vocabulary.names_in(p, w, text) for w in req.words):
            return None
        # a modal glued to the goods word by the segmenter (锅能) or the product's own name is no
        # suitability term
        names = " ".join((p.title, p.short_name, p.title_en, p.category, *p.aliases)).casefold()
        terms = tuple(w for w in req.soft
                      if not ((t := re.sub(r"(?:能|会|可以|可|要)$", "", w)) != w and t.casefold() in names))
        return (p, terms) if terms else None

    def _compared_variants(self, ev: IntentClassified, frame: Frame | None) -> tuple[str, tuple[str, ...]] | None:
        """``(option, values)`` when the message compares variants of the one product it is about."""
        from app.dialogue.variants import compared_values

        text = ev.text or ""
        if frame is None or not frame.sure or len(frame.products) != 1 or frame.compare \
                or ev.source == "host_speech" or not _VARIANT_COMPARE.search(text):
            return None
        return compared_values(frame.products[0], text)

    def _search_for(self, ev: IntentClassified, frame) -> SearchRequest | None:
        """The catalog search ``ev`` asks for ("100以内的裤子有吗", "送长辈买什么好"), or ``None``
        when it asks about one product (a listing number, a product named, "this one")."""
        if ev.intent in ("complaint", "spam") or ev.source == "host_speech" or sensitive_reason(ev.text or ""):
            return None  # a sensitive question ("孕妇能用哪个") is the seller's, never a list
        text = ev.text or ""
        if frame is not None and (frame.listings or frame.unsold_words):
            return None
        req = search_request(text, ev.slots, self.vocabulary, self.catalog)
        if req is None or (not req.hard and ev.intent != "recommendation_request"
                           and not soft_search(text, req, self.catalog)):
            return None
        if not req.words and req.budget_max is None and req.budget_min is None and not req.soft \
                and ev.intent in ("stock", "price", "size_fit") and not re.search(r"(?i)哪些|哪几|哪款|which|any\b", text) \
                and (_STILL_IN_STOCK.search(text) or _VARIANT_PRICE_Q.search(text) or re.search(r"(?i)\bleft\b", text)):
            return None  # "深蓝色27码还有吗" with no product named: which product, the host asks
        attr = asked_attribute(text)
        if attr is not None and attr[0] in _FACT_QUESTIONS and req.budget_max is None and req.budget_min is None \
                and ev.intent != "recommendation_request" and not _WHICH_HAVE.search(text):
            return None  # "which courier for the lipstick": a fact of the product named, no search
        if frame is not None and frame.compare and len(frame.products) >= 2:
            kinds = _kind_words(req.words, frame.products, text)
            kind = [p for p in frame.products if any(self.vocabulary.names_in(p, w, text) for w in kinds)]
            if not ((req.soft or req.has_variant or req.unknown_models) and kind and not any(
                    strongly_named(p, text, (), self.vocabulary) for p in kind)):
                return None  # a comparison of products named by their own names
            return req  # "which tea is good as a gift": the kind with a constraint, not a comparison
        if frame is not None and frame.products and req.words and frame.source in ("mention", "fallback") \
                and any(self.vocabulary.products_named(w) and not any(self.vocabulary.names_in(p, w, text)
                                                                      for p in frame.products)
                        for w in _kind_words(req.words, frame.products, text)):
            return req  # "Mate 50有壳吗": the phone named is what the cases are for
        if frame is not None and req.soft and req.words and re.search(r"(?i)哪个|哪款|哪几|哪些|\bwhich\b", text) \
                and all(w in GENERAL_GOODS or w in KIND_WORDS for w in req.words):
            return req  # "头皮爱出油用哪个洗发水": which of a kind suits, even when one product is of it
        if frame is not None and frame.source == "mention" and len(req.words) >= 2 \
                and (req.has_variant or req.unknown_models) and not _SHIPPING_CUE.search(text) \
                and (FIT_CUE.search(text) or re.search(r"(?i)哪些|哪几|\bwhich\b", text)):
            return req  # "有适合K50的散热器吗": the kind named, for the model named
        source = frame.source if frame is not None else "none"
        if source == "mention" and frame.sure and len(frame.products) == 1 and req.words and not req.soft \
                and req.budget_max is None and req.budget_min is None and ev.intent in ("stock", "price") \
                and all(w in frame.products[0].title and sum(w in p.title for p in self.catalog) == 1 for w in req.words):
            return None  # "浴巾白色有吗": the one product whose title says 浴巾, in white -- not other towels
        if source == "mention" and (req.budget_max is not None or req.budget_min is not None) and req.words \
                and not DEICTIC.search(text):
            return req  # "两百以内的眼霜": the kind within the budget, even when one product is named by it
        if source == "mention" and frame.sure and len(frame.products) == 1 and not req.budget_max \
                and not req.budget_min and ev.intent in ("stock", "price", "product_detail") \
                and named_options(frame.products[0], text) and not re.search(r"(?i)哪些|哪几|which ones", text) \
                and (_VARIANT_PRICE_Q.search(text) or _STILL_IN_STOCK.search(text)):
            return None  # "坚果30包的还有吗": the one product that comes in the variant named
        if source in ("none", "goods_word") or (source == "mention" and (not frame.sure or not any(
                strongly_named(p, ev.text or "", (), self.vocabulary) for p in frame.products))):
            return req  # a kind of goods several products are, not one product's own name
        if source == "fallback" and not DEICTIC.search(ev.text or "") and (
                req.budget_max is not None or req.budget_min is not None or ev.intent == "recommendation_request"):
            return req
        return None

    def _shared_answer(self, ev: IntentClassified, frame: Frame, nickname) -> Draft | None:
        """One answer for the two to four products a message may mean when it is the same for
        each ("小米电视保修多久" over two TVs with the same warranty), said about all of them; ``None``
        when the answers differ, one is held or not a catalog fact (the seller says which).

        Each candidate's draft is composed with the same phrasing (a fresh phrase rotator) and
        compared with the product's own names masked."""
        ps = list(dict.fromkeys(frame.products))
        if frame.unsure != "product" or not 2 <= len(ps) <= 4 or frame.source not in ("mention", "goods_word") \
                or ev.intent not in _SHARED_INTENTS:
            return None
        lang = "en" if ev.lang == "en" else "zh"
        saved = self.composer.rotator
        drafts = []
        try:
            for p in ps:
                self.composer.rotator = PhraseRotator(0)
                drafts.append(self.composer.compose(ev.intent, ev.slots, lang, nickname=nickname, text=ev.text,
                                                    product=p))
        finally:
            self.composer.rotator = saved
        if any(d is None or d.held_reason or _FACT_DRAFTS.get(d.key, False) is False for d in drafts):
            return None
        masked = {_mask_names(d.text, p) for d, p in zip(drafts, ps)}
        if len(masked) != 1 or _NAME_SLOT not in next(iter(masked)):
            return None
        if lang == "zh":
            word = next((w for w in frame.goods_words if all(self.vocabulary.names(p, w) for p in ps)), "")
            group = (word or "") + ("这两款" if len(ps) == 2 else f"这{len(ps)}款")
            text = next(iter(masked)).replace(_NAME_SLOT, group)
        else:
            word = next((w for w in frame.goods_words if w.isascii() and all(self.vocabulary.names(p, w) for p in ps)), "")
            group = ("both " if len(ps) == 2 else f"all {len(ps)} ") + (plural_en(word) if word else "of them")
            text = next(iter(masked)).replace(_NAME_SLOT, group)
            text = re.sub(rf"(?<={re.escape(group)} )(ships|is|has|comes|costs)\b",
                          lambda m: {"ships": "ship", "is": "are", "has": "have", "comes": "come",
                                     "costs": "cost"}[m.group(1)], text)
        d = drafts[0]
        return dataclasses.replace(d, text=text, product_ids=tuple(p.product_id for p in ps))

    async def _suggest(self, ev, draft: Draft, intent: str, msg_ids: list[str], emit: Emit, *,
                       held: str | None = None, confidence: float = 1.0, viewer: Viewer | None = None,
                       askers: tuple[Viewer, ...] | None = None, requested_by: str = "") -> ReplySuggested:
        held = draft.held_reason if held is None else held
        if draft.lang == "en":
            draft, untranslated = _english_only(draft, tuple(a.nickname for a in (askers or (ev.viewer,)) if a))
            if untranslated and not held:  # never Chinese words in an English reply
                held = f"missing_fact: English for {untranslated}"
        check = self.guard.check(draft.text, draft.product_ids, draft.viewer_numbers, draft.quoted)
        if not check.ok:
            held = check.reason + (f"; {held}" if held else "")
        reason, detail = split_held(held)
        viewer = viewer or ev.viewer
        if askers is None:
            askers = () if viewer.uid == "host" else (viewer,)
        reply = ReplySuggested(
            t=ev.t, reply_id=next_id("r"), msg_ids=tuple(msg_ids), viewer=viewer, intent=intent,
            lang=draft.lang, text=draft.text,
            product_id=draft.product_ids[0] if draft.product_ids else None,
            held_reason=reason, held_detail=detail, confidence=confidence, askers=askers,
            requested_by=requested_by)
        await emit(reply)
        return reply


class ApprovalStage(Stage):
    """Approval of suggested replies.

    * Unheld replies of the kinds in ``auto_approve`` are approved automatically: at once when
      ``auto_delay_s`` is 0 (replays), else after a countdown (``AutoApproveScheduled``) that
      ``CancelAutoApprove``, ``ReplyRejected`` or ``ReplyEdited`` cancels.
    * Held replies (fact guard, missing fact, uncertain intent, complaint) are never auto-approved.
    * ``PauseAutoApprove`` / ``MuteSpeech`` pause auto-approve (pending countdowns are cancelled).
    * Approvals (auto or the seller's ``ReplyApproved``) become ``Speak``; ``SayText`` is the
      seller's own line and is approved at once; ``RepeatLastReply`` speaks the last line again.
    * A product introduction the seller (or the idle rotation) asked for is approved by that
      request (``ReplySuggested.requested_by``).
    * ``ReplyRephrased`` (the language model's new wording of a reply, already checked) replaces
      the text of a reply whose countdown is still running; otherwise it is ignored (late).

    Args:
        auto_approve: reply kinds (intents plus ``gift``/``follow``) let through without the seller.
        auto_delay_s: countdown before auto-approval, seconds (0 = immediately).
    """

    name = "approval"
    accepts = (ReplySuggested, ReplyApproved, ReplyEdited, ReplyRejected, CancelAutoApprove,
               PauseAutoApprove, MuteSpeech, SayText, RepeatLastReply, SetAutoApprove, ReplyRephrased)

    def __init__(self, auto_approve: tuple[str, ...] | frozenset[str], *, auto_delay_s: float = 0.0) -> None:
        super().__init__()
        self.auto_approve = frozenset(auto_approve) - {"complaint", "spam"}
        self.auto_delay_s = float(auto_delay_s)
        self._paused = False
        self._muted = False
        self._suggested: dict[str, ReplySuggested] = {}
        self._countdowns: dict[str, asyncio.Task] = {}
        self._last_spoken: Speak | None = None
        self._interrupt: set[str] = set()

    @property
    def paused(self) -> bool:
        return self._paused or self._muted

    def pause(self, paused: bool = True) -> None:
        """Pause (or resume) auto-approve."""
        self._paused = paused

    async def stop(self) -> None:
        for task in self._countdowns.values():
            task.cancel()
        self._countdowns.clear()

    async def _cancel(self, reply_id: str, reason: str, emit: Emit, t: float) -> None:
        task = self._countdowns.pop(reply_id, None)
        if task is not None:
            task.cancel()
            await emit(AutoApproveCancelled(t=t, reply_id=reply_id, reason=reason))

    async def _countdown(self, s: ReplySuggested, emit: Emit) -> None:
        await asyncio.sleep(self.auto_delay_s)
        self._countdowns.pop(s.reply_id, None)
        s = self._suggested.get(s.reply_id, s)  # a rephrased wording, if one came in time
        if not self.paused:
            await emit(ReplyApproved(t=s.t, reply_id=s.reply_id, text=s.text, lang=s.lang, by=Approver.AUTO))

    def _remember(self, s: ReplySuggested) -> None:
        self._suggested[s.reply_id] = s
        if len(self._suggested) > 5000:  # a long stream: decisions older than this are long made
            for rid in list(self._suggested)[:2500]:
                if rid not in self._countdowns:
                    del self._suggested[rid]

    async def handle(self, event: Event, emit: Emit) -> None:
        if isinstance(event, ReplySuggested):
            self._remember(event)
            if event.intent == "introduce" and not event.held_reason:
                await emit(ReplyApproved(t=event.t, reply_id=event.reply_id, text=event.text,
                                         lang=event.lang, by=event.requested_by or Approver.SELLER))
            elif not event.held_reason and not self.paused and event.intent in self.auto_approve:
                if self.auto_delay_s <= 0:
                    await emit(ReplyApproved(t=event.t, reply_id=event.reply_id, text=event.text,
                                             lang=event.lang, by=Approver.AUTO))
                else:
                    await emit(AutoApproveScheduled(t=event.t, reply_id=event.reply_id,
                                                    delay_s=self.auto_delay_s))
                    self._countdowns[event.reply_id] = asyncio.create_task(self._countdown(event, emit))
            return
        if isinstance(event, ReplyApproved):
            if event.by != Approver.AUTO:
                await self._cancel(event.reply_id, "approved", emit, event.t)
            s = self._suggested.get(event.reply_id)
            speak = Speak(t=event.t, reply_id=event.reply_id, text=event.text, lang=event.lang,
                          intent=s.intent if s else "",
                          interrupt=event.interrupt or event.reply_id in self._interrupt)
            self._interrupt.discard(event.reply_id)
            self._last_spoken = speak
            await emit(speak)
            return
        if isinstance(event, (ReplyRejected, CancelAutoApprove)):
            await self._cancel(event.reply_id, "rejected" if isinstance(event, ReplyRejected) else "seller",
                               emit, event.t)
            return
        if isinstance(event, ReplyEdited):
            await self._cancel(event.reply_id, "edited", emit, event.t)
            return
        if isinstance(event, (PauseAutoApprove, MuteSpeech)):
            if isinstance(event, PauseAutoApprove):
                self._paused = event.paused
            else:
                self._muted = event.muted
            if self.paused:
                for rid in list(self._countdowns):
                    await self._cancel(rid, "paused", emit, event.t)
            return
        if isinstance(event, SayText):
            rid = next_id("say")
            self._remember(ReplySuggested(t=event.t, reply_id=rid, msg_ids=(), viewer=Viewer("host", "host"),
                                          intent="say", lang=event.lang, text=event.text))
            if event.interrupt:
                self._interrupt.add(rid)
            await emit(ReplyApproved(t=event.t, reply_id=rid, text=event.text, lang=event.lang,
                                     by=Approver.SELLER))
            return
        if isinstance(event, SetAutoApprove):
            self.auto_approve = frozenset(event.kinds) - {"complaint", "spam"}
            return
        if isinstance(event, ReplyRephrased):
            s = self._suggested.get(event.reply_id)
            if s is not None and event.reply_id in self._countdowns:  # still counting down: say the new wording
                self._suggested[event.reply_id] = dataclasses.replace(s, text=event.text)
            return
        if isinstance(event, RepeatLastReply):
            if self._last_spoken is not None:
                again = self._last_spoken
                await emit(Speak(t=event.t, reply_id=next_id("again"), text=again.text, lang=again.lang,
                                 intent=again.intent))
