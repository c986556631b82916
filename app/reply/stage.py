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
from app.events import (Event, GiftReceived, IntentClassified, LikesReceived, NoReply,
                        NowSellingChanged, RecommendationsReady, ReplyApproved, ReplyEdited,
                        ReplySuggested, SetNowSelling, Speak, ViewerEntered, ViewerFollowed, next_id)
from app.pipeline import Emit, Stage
from app.reply.composer import Draft, ReplyComposer
from app.reply.guard import FactGuard


def resolve_product(catalog: Catalog, ev: IntentClassified, last_asked: Product | None,
                    now_selling: Product | None) -> Product | None:
    """Which product a message is about: its listing number -> a product mention -> the
    product this viewer last asked about -> the now-selling product -> ``None``."""
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
               SetNowSelling, RecommendationsReady)

    def __init__(self, catalog: Catalog, *, use_recommender: bool = False, seed: int = 0) -> None:
        super().__init__()
        self.catalog = catalog
        self.composer = ReplyComposer(catalog, seed=seed)
        self.guard = FactGuard(catalog)
        self.use_recommender = use_recommender
        self.now_selling: Product | None = None
        self._last_asked: dict[tuple[str, str], str] = {}
        self._waiting: dict[str, IntentClassified] = {}

    async def handle(self, event: Event, emit: Emit) -> None:
        if isinstance(event, SetNowSelling):
            p = self.catalog.by_listing(event.listing_number) if event.listing_number is not None \
                else self.catalog.get(event.product_id)
            if p is None:
                from app.events import ErrorOccurred

                await emit(ErrorOccurred(
                    t=event.t, code="now-selling-unknown",
                    message=f"No product with listing number {event.listing_number or event.product_id} "
                            "in the catalog; the now-selling product is unchanged.",
                    hint="Check the listing numbers in your catalog file.", stage=self.name))
                return
            self.now_selling = p
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
        last = self.catalog.get(self._last_asked.get(vkey))
        product = resolve_product(self.catalog, ev, last, self.now_selling)
        if ev.uncertain and ev.intent in ("spam", "chitchat"):
            await emit(NoReply(t=ev.t, msg_id=ev.msg_id, viewer=ev.viewer,
                               reason=f"{ev.intent} (uncertain, no reply needed)"))
            return
        draft = self.composer.compose(ev.intent, ev.slots, ev.lang, nickname=ev.viewer.nickname,
                                      text=ev.text, product=product, recommendations=recommendations)
        if draft is None:
            await emit(NoReply(t=ev.t, msg_id=ev.msg_id, viewer=ev.viewer,
                               reason="spam (never answered)" if ev.intent == "spam"
                               else "chitchat (no reply needed)"))
            return
        if draft.product_ids and ev.intent not in ("recommendation_request",):
            self._last_asked[vkey] = draft.product_ids[0]
        held = draft.held_reason
        if not held and ev.uncertain:
            held = "uncertain_intent"
        await self._suggest(ev, draft, ev.intent, [ev.msg_id], emit, held=held,
                            confidence=ev.confidence)

    async def _suggest(self, ev, draft: Draft, intent: str, msg_ids: list[str], emit: Emit, *,
                       held: str | None = None, confidence: float = 1.0) -> None:
        held = draft.held_reason if held is None else held
        check = self.guard.check(draft.text, draft.product_ids, draft.viewer_numbers)
        if not check.ok:
            held = check.reason + (f"; {held}" if held else "")
        await emit(ReplySuggested(
            t=ev.t, reply_id=next_id("r"), msg_ids=tuple(msg_ids), viewer=ev.viewer, intent=intent,
            lang=draft.lang, text=draft.text,
            product_id=draft.product_ids[0] if draft.product_ids else None,
            held_reason=held, confidence=confidence))


class ApprovalStage(Stage):
    """Auto-approves unheld replies of the chosen kinds and turns approvals into ``Speak``.

    Args:
        auto_approve: reply kinds (intents plus ``gift``/``follow``) let through without the seller.
    """

    name = "approval"
    accepts = (ReplySuggested, ReplyApproved, ReplyEdited)

    def __init__(self, auto_approve: tuple[str, ...] | frozenset[str]) -> None:
        super().__init__()
        self.auto_approve = frozenset(auto_approve) - {"complaint", "spam"}
        self._paused = False
        self._suggested: dict[str, ReplySuggested] = {}

    def pause(self, paused: bool = True) -> None:
        """Pause (or resume) auto-approve, e.g. on panic mute."""
        self._paused = paused

    async def handle(self, event: Event, emit: Emit) -> None:
        if isinstance(event, ReplySuggested):
            self._suggested[event.reply_id] = event
            if not event.held_reason and not self._paused and event.intent in self.auto_approve:
                await emit(ReplyApproved(t=event.t, reply_id=event.reply_id, text=event.text,
                                         lang=event.lang, by="auto"))
            return
        if isinstance(event, ReplyApproved):
            await emit(Speak(t=event.t, reply_id=event.reply_id, text=event.text, lang=event.lang))
            return
        # ReplyEdited: the seller's text replaces ours; approval follows as its own event.
