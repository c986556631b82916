"""The idle rotation: when the room is quiet, the virtual host introduces products in turn.

Driven by *stream time* (``StreamTimeAdvanced`` ticks and every event's ``t``), so a replay
exercises it exactly as a live room does. The room is quiet when, for ``interval_s`` seconds,
no viewer commented and nothing was said. Then:

* the first time, the now-selling product (讲解中) is introduced; when the rotation has already
  introduced it and the room is still quiet, it moves on (``StepNowSelling(+1)``) and introduces
  the next one -- products without a script (话术) are skipped;
* a viewer's question while a rotation introduction is queued or being spoken interrupts it
  (``CancelSpeech``): the answer comes first.

Off (``interval_s = 0``) unless the settings (``host.idle_rotation_s``) or the console's
``SetIdleRotation`` switch it on.
"""

from __future__ import annotations

from app.catalog.model import Catalog
from app.events import (CancelSpeech, ChatReceived, Event, IntentClassified, IntroduceProduct, NowSellingChanged,
                        ReplyApproved, ReplySuggested, SetIdleRotation, SetNowSelling, Speak, SpeechFinished,
                        SpeechStarted, StreamTimeAdvanced)
from app.pipeline import Emit, Stage
from app.understanding.labels import QUESTION_INTENTS
from app.vocab import Approver

INTERRUPTING_INTENTS = QUESTION_INTENTS | {"purchase_intent", "complaint"}
"""A viewer message with one of these intents stops a rotation introduction."""


class IdleRotationStage(Stage):
    """See the module docstring.

    Args:
        catalog: which products can be introduced (listed, with a script).
        interval_s: stream-time seconds of quiet before an introduction (0 = off).
    """

    name = "rotation"
    accepts = (StreamTimeAdvanced, ChatReceived, IntentClassified, Speak, SpeechStarted, SpeechFinished,
               ReplySuggested, ReplyApproved, NowSellingChanged, SetIdleRotation)

    def __init__(self, catalog: Catalog, *, interval_s: float = 0.0) -> None:
        super().__init__()
        self.catalog = catalog
        self.interval_s = max(0.0, float(interval_s))
        self.last_activity = 0.0
        """Stream time of the last comment or the end of the last speech, seconds."""
        self.now_selling: str | None = None
        self.introduced: set[str] = set()
        """Products the rotation introduced since the now-selling product last changed."""
        self._speaking: set[str] = set()
        self._pending = 0  # approved (Speak) but not finished
        self._rotation_replies: set[str] = set()
        self._requested = False  # an introduction was asked for and is not spoken yet

    def _scripted(self) -> list[str]:
        listed = sorted((p for p in self.catalog if p.listing_number is not None and p.script.strip()),
                        key=lambda p: p.listing_number)
        return [p.product_id for p in listed]

    async def handle(self, event: Event, emit: Emit) -> None:
        if isinstance(event, SetIdleRotation):
            self.interval_s = max(0.0, float(event.interval_s))
            self.last_activity = max(self.last_activity, event.t)
            return
        if isinstance(event, NowSellingChanged):
            if event.product_id != self.now_selling:
                self.now_selling = event.product_id
                self.introduced.clear()
            return
        if isinstance(event, ChatReceived):
            self.last_activity = max(self.last_activity, event.t)
            return
        if isinstance(event, IntentClassified):
            if event.source == "comment" and event.intent in INTERRUPTING_INTENTS:
                for rid in sorted(self._rotation_replies):
                    await emit(CancelSpeech(t=event.t, reply_id=rid, reason="a viewer asked a question"))
                self._rotation_replies.clear()
            return
        if isinstance(event, ReplySuggested):
            if event.requested_by == Approver.ROTATION and event.held_reason:
                self._requested = False  # the script failed the guard: the seller sees it; go on later
            return
        if isinstance(event, ReplyApproved):
            if event.by == Approver.ROTATION:
                self._rotation_replies.add(event.reply_id)
                self._requested = False
            return
        if isinstance(event, Speak):
            self._pending += 1
            return
        if isinstance(event, SpeechStarted):
            self._speaking.add(event.reply_id)
            return
        if isinstance(event, SpeechFinished):
            self._speaking.discard(event.reply_id)
            self._rotation_replies.discard(event.reply_id)
            self._pending = max(0, self._pending - 1)
            self.last_activity = max(self.last_activity, event.t)
            return
        assert isinstance(event, StreamTimeAdvanced)
        if self.interval_s <= 0 or self._speaking or self._requested:
            return
        if event.t - self.last_activity < self.interval_s:
            return
        scripted = self._scripted()
        if not scripted:
            return
        self.last_activity = event.t
        target = self.now_selling
        if target not in scripted or target in self.introduced:
            target = self._next_after(target, scripted)
            if target != self.now_selling:
                await emit(SetNowSelling(t=event.t, product_id=target))
                self.now_selling = target
                self.introduced.clear()
        self.introduced.add(target)
        self._requested = True
        await emit(IntroduceProduct(t=event.t, product_id=target, by=Approver.ROTATION))

    def _next_after(self, current: str | None, scripted: list[str]) -> str:
        """The next scripted product after ``current`` in listing order (wrapping around)."""
        listed = sorted((p for p in self.catalog if p.listing_number is not None), key=lambda p: p.listing_number)
        ids = [p.product_id for p in listed]
        if current in ids:
            i = ids.index(current)
            for pid in ids[i + 1:] + ids[: i + 1]:
                if pid in scripted:
                    return pid
        return scripted[0]
