"""Reply stages: drafting (with product resolution and the fact guard) and approval.

``ReplyStage``: IntentClassified / GiftReceived / ViewerFollowed / ViewerEntered /
LikesReceived / SetNowSelling / RecommendationsReady -> ReplySuggested | NoReply |
NowSellingChanged.

``ApprovalStage``: ReplySuggested -> ReplyApproved + Speak for reply kinds the seller lets
through automatically (never held replies, never complaints); seller decisions arrive as
ReplyApproved / ReplyRejected / ReplyEdited events from the GUI.
"""

from __future__ import annotations

from app.catalog.model import Catalog, Product
import asyncio

from app.events import (AutoApproveCancelled, AutoApproveScheduled, CancelAutoApprove, ErrorOccurred,
                        Event, GiftReceived, IntentClassified, IntroduceProduct, LikesReceived,
                        MuteSpeech, NoReply, NowSellingChanged, PauseAutoApprove, RecommendationsReady,
                        RepeatLastReply, ReplyApproved, ReplyEdited, ReplyRejected, ReplySuggested,
                        SayText, SetAutoApprove, SetNowSelling, Speak, StepNowSelling, ViewerEntered, ViewerFollowed,
                        Viewer, next_id)
from app.now_selling import NowSellingTimeline
from app.pipeline import Emit, Stage
from app.reply.composer import Draft, ReplyComposer
from app.reply.guard import FactGuard


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


class ReplyStage(Stage):
    """Drafts a reply per handled event and runs the fact guard on it.

    Args:
        catalog: facts source.
        use_recommender: True when a recommendation stage runs in the same pipeline; then
            recommendation requests are answered when its RecommendationsReady arrives.
        seed: phrase-rotation seed.
    """

    name = "reply"
    accepts = (IntentClassified, GiftReceived, ViewerFollowed, ViewerEntered, LikesReceived,
               SetNowSelling, StepNowSelling, IntroduceProduct, RecommendationsReady)

    def __init__(self, catalog: Catalog, *, use_recommender: bool = False, seed: int = 0) -> None:
        super().__init__()
        self.catalog = catalog
        self.composer = ReplyComposer(catalog, seed=seed)
        self.guard = FactGuard(catalog)
        self.use_recommender = use_recommender
        self._selling: NowSellingTimeline[Product] = NowSellingTimeline()
        self._last_asked: dict[tuple[str, str], tuple[float, str]] = {}
        self._waiting: dict[str, IntentClassified] = {}

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

    async def handle(self, event: Event, emit: Emit) -> None:
        if isinstance(event, StepNowSelling):
            p = self._step(event.step)
            if p is not None and p is not self.now_selling:
                self._selling.set(max(event.t, self._selling.latest_t), p)
                await emit(NowSellingChanged(t=event.t, product_id=p.product_id))
            return
        if isinstance(event, IntroduceProduct):
            p = (self.catalog.by_listing(event.listing_number) if event.listing_number is not None
                 else self.catalog.get(event.product_id) if event.product_id else self.now_selling_at(event.t))
            if p is None or not p.script.strip():
                what = "that product" if p is None else f"「{p.title}」"
                await emit(ErrorOccurred(
                    t=event.t, code="introduce-no-script",
                    message=f"Cannot introduce {what}: " + ("it is not in the catalog." if p is None
                                                            else "it has no sales script."),
                    hint="Write a script (话术) for it in the Products tab or the catalog's script column.",
                    stage=self.name))
                return
            host = Viewer("host", "host", "")
            from app.reply.composer import Draft

            draft = Draft("introduce", p.script.strip(), "zh", (p.product_id,))
            await self._suggest(event, draft, "introduce", [], emit, viewer=host)
            return
        if isinstance(event, SetNowSelling):
            p = self.catalog.by_listing(event.listing_number) if event.listing_number is not None \
                else self.catalog.get(event.product_id)
            if p is None:
                await emit(ErrorOccurred(
                    t=event.t, code="now-selling-unknown",
                    message=f"No product with listing number {event.listing_number or event.product_id} "
                            "in the catalog; the now-selling product is unchanged.",
                    hint="Check the listing numbers in your catalog file.", stage=self.name))
                return
            self._selling.set(event.t, p)
            await emit(NowSellingChanged(t=event.t, product_id=p.product_id))
            return
        if isinstance(event, GiftReceived):
            if event.streak_id and not event.streak_end:
                await emit(NoReply(t=event.t, msg_id=event.msg_id, viewer=event.viewer,
                                   reason="gift streak in progress (thanked at its end)"))
                return
            draft = self.composer.thank_gift(event.viewer.nickname, event.gift_name, event.count)
            await self._suggest(event, draft, "gift", [event.msg_id], emit)
            return
        if isinstance(event, ViewerFollowed):
            await self._suggest(event, self.composer.thank_follow(event.viewer.nickname), "follow",
                                [event.msg_id], emit)
            return
        if isinstance(event, ViewerEntered):
            await emit(NoReply(t=event.t, msg_id=event.msg_id, viewer=event.viewer,
                               reason="viewer entered (no per-viewer welcome)"))
            return
        if isinstance(event, LikesReceived):
            await emit(NoReply(t=event.t, msg_id=event.msg_id, viewer=event.viewer, reason="likes"))
            return
        if isinstance(event, RecommendationsReady):
            ev = self._waiting.pop(event.msg_id, None)
            if ev is None:
                return
            recs = [(p, r.reason_zh if ev.lang == "zh" else r.reason_en)
                    for r in event.items if (p := self.catalog.get(r.product_id)) is not None]
            await self._answer(ev, emit, recommendations=recs)
            return
        assert isinstance(event, IntentClassified)
        if event.source == "host_speech":
            await emit(NoReply(t=event.t, msg_id=event.msg_id, viewer=event.viewer,
                               reason="host speech (captions only)"))
            return
        if event.intent == "recommendation_request" and self.use_recommender:
            self._waiting[event.msg_id] = event
            return
        await self._answer(event, emit)

    async def _answer(self, ev: IntentClassified, emit: Emit,
                      recommendations: list[tuple[Product, str]] | None = None) -> None:
        vkey = (ev.viewer.platform, ev.viewer.uid)
        asked_t, asked_pid = self._last_asked.get(vkey, (0.0, None))
        # the viewer's last product counts until the host switches to another one after it
        switched = self._selling.changed_between(asked_t, ev.t)
        last = None if switched else self.catalog.get(asked_pid)
        product = resolve_product(self.catalog, ev, last, self.now_selling_at(ev.t))
        if ev.uncertain and ev.intent in ("spam", "chitchat"):
            # the model is unsure it is noise: the seller decides (it may be a question)
            draft = self.composer.compose("missing_fact_prompt", ev.slots, ev.lang, nickname=ev.viewer.nickname)
            await self._suggest(ev, draft, ev.intent, [ev.msg_id], emit, held="uncertain_intent",
                                confidence=ev.confidence)
            return
        if ev.slots.listing_number is not None and self.catalog.by_listing(ev.slots.listing_number) is None \
                and ev.intent not in ("greeting", "compliment", "complaint"):
            draft = self.composer.no_such_listing(ev.slots.listing_number, ev.lang, ev.viewer.nickname)
            await self._suggest(ev, draft, ev.intent, [ev.msg_id], emit,
                                held="uncertain_intent" if ev.uncertain else None, confidence=ev.confidence)
            return
        draft = self.composer.compose(ev.intent, ev.slots, ev.lang, nickname=ev.viewer.nickname,
                                      text=ev.text, product=product, recommendations=recommendations)
        if draft is None:
            await emit(NoReply(t=ev.t, msg_id=ev.msg_id, viewer=ev.viewer,
                               reason="spam (never answered)" if ev.intent == "spam"
                               else "chitchat (no reply needed)"))
            return
        if draft.product_ids and ev.intent not in ("recommendation_request",):
            self._last_asked[vkey] = (ev.t, draft.product_ids[0])
        held = draft.held_reason
        if not held and ev.uncertain:
            held = "uncertain_intent"
        await self._suggest(ev, draft, ev.intent, [ev.msg_id], emit, held=held,
                            confidence=ev.confidence)

    async def _suggest(self, ev, draft: Draft, intent: str, msg_ids: list[str], emit: Emit, *,
                       held: str | None = None, confidence: float = 1.0, viewer: Viewer | None = None) -> None:
        held = draft.held_reason if held is None else held
        check = self.guard.check(draft.text, draft.product_ids, draft.viewer_numbers)
        if not check.ok:
            held = check.reason + (f"; {held}" if held else "")
        await emit(ReplySuggested(
            t=ev.t, reply_id=next_id("r"), msg_ids=tuple(msg_ids), viewer=viewer or ev.viewer, intent=intent,
            lang=draft.lang, text=draft.text,
            product_id=draft.product_ids[0] if draft.product_ids else None,
            held_reason=held, confidence=confidence))


class ApprovalStage(Stage):
    """Approval of suggested replies.

    * Unheld replies of the kinds in ``auto_approve`` are approved automatically: at once when
      ``auto_delay_s`` is 0 (replays), else after a countdown (``AutoApproveScheduled``) that
      ``CancelAutoApprove``, ``ReplyRejected`` or ``ReplyEdited`` cancels.
    * Held replies (fact guard, missing fact, uncertain intent, complaint) are never auto-approved.
    * ``PauseAutoApprove`` / ``MuteSpeech`` pause auto-approve (pending countdowns are cancelled).
    * Approvals (auto or the seller's ``ReplyApproved``) become ``Speak``; ``SayText`` is the
      seller's own line and is approved at once; ``RepeatLastReply`` speaks the last line again.
    * A product introduction the seller asked for (``introduce``) is approved by the seller's request.

    Args:
        auto_approve: reply kinds (intents plus ``gift``/``follow``) let through without the seller.
        auto_delay_s: countdown before auto-approval, seconds (0 = immediately).
    """

    name = "approval"
    accepts = (ReplySuggested, ReplyApproved, ReplyEdited, ReplyRejected, CancelAutoApprove,
               PauseAutoApprove, MuteSpeech, SayText, RepeatLastReply, SetAutoApprove)

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
        if not self.paused:
            await emit(ReplyApproved(t=s.t, reply_id=s.reply_id, text=s.text, lang=s.lang, by="auto"))

    async def handle(self, event: Event, emit: Emit) -> None:
        if isinstance(event, ReplySuggested):
            self._suggested[event.reply_id] = event
            if event.intent == "introduce" and not event.held_reason:
                await emit(ReplyApproved(t=event.t, reply_id=event.reply_id, text=event.text,
                                         lang=event.lang, by="seller"))
            elif not event.held_reason and not self.paused and event.intent in self.auto_approve:
                if self.auto_delay_s <= 0:
                    await emit(ReplyApproved(t=event.t, reply_id=event.reply_id, text=event.text,
                                             lang=event.lang, by="auto"))
                else:
                    await emit(AutoApproveScheduled(t=event.t, reply_id=event.reply_id,
                                                    delay_s=self.auto_delay_s))
                    self._countdowns[event.reply_id] = asyncio.create_task(self._countdown(event, emit))
            return
        if isinstance(event, ReplyApproved):
            if event.by != "auto":
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
            self._suggested[rid] = ReplySuggested(t=event.t, reply_id=rid, msg_ids=(), viewer=Viewer("host", "host"),
                                                  intent="say", lang=event.lang, text=event.text)
            if event.interrupt:
                self._interrupt.add(rid)
            await emit(ReplyApproved(t=event.t, reply_id=rid, text=event.text, lang=event.lang, by="seller"))
            return
        if isinstance(event, SetAutoApprove):
            self.auto_approve = frozenset(event.kinds) - {"complaint", "spam"}
            return
        if isinstance(event, RepeatLastReply):
            if self._last_spoken is not None:
                again = self._last_spoken
                await emit(Speak(t=event.t, reply_id=next_id("again"), text=again.text, lang=again.lang,
                                 intent=again.intent))
