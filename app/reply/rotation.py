"""The idle rotation: when the room is quiet, the virtual host introduces products in turn.

Driven by *stream time* (``StreamTimeAdvanced`` ticks and every event's ``t``), so a replay
exercises it exactly as a live room does. The room is quiet when, for ``interval_s`` seconds,
no viewer commented and nothing was said. Then:

* the first time, the now-selling product (讲解中) is introduced; when the rotation has already
  introduced it and the room is still quiet, it moves on (``StepNowSelling(+1)``) and introduces
  the next one. A product is introduced with the seller's script (话术) when it has one; a
  product without one is skipped, unless the seller lets generated introductions be spoken
  (``host.rotation_generated``: the session passes ``introducible``, and the reply stage speaks
  an introduction made from the catalog, :mod:`app.content`);
* a viewer's question while a rotation introduction is queued or being spoken interrupts it
  (``CancelSpeech``): the answer comes first.

Off (``interval_s = 0``) unless the settings (``host.idle_rotation_s``) or the console's
``SetIdleRotation`` switch it on.
"""

from __future__ import annotations

from collections.abc import Callable

from app.catalog.model import Catalog, Product
from app.events import (CancelSpeech, ErrorOccurred, ChatReceived, Event, IntentClassified, IntroduceProduct, NowSellingChanged,
                        ReplyApproved, ReplySuggested, SetIdleRotation, SetNowSelling, Speak, SpeechFinished,
                        SpeechStarted, StreamTimeAdvanced)
from app.pipeline import Emit, Stage
from app.understanding.labels import QUESTION_INTENTS
from app.vocab import Approver, ErrorCode

INTERRUPTING_INTENTS = QUESTION_INTENTS | {"purchase_intent", "complaint"}
"""A viewer message with one of these intents stops a rotation introduction."""


class IdleRotationStage(Stage):
    """See the module docstring.

    Args:
        catalog: which products can be introduced (listed, with a script).
        interval_s: stream-time seconds of quiet before an introduction (0 = off).
        introducible: ``product -> bool`` for listed products without a script: True when a
            generated introduction may be spoken for it; ``None`` = only scripted products.
    """

    name = "rotation"
    accepts = (ErrorOccurred, StreamTimeAdvanced, ChatReceived, IntentClassified, Speak, SpeechStarted, SpeechFinished,
               ReplySuggested, ReplyApproved, NowSellingChanged, SetIdleRotation)

    def __init__(self, catalog: Catalog, *, interval_s: float = 0.0,
                 introducible: Callable[[Product], bool] | None = None) -> None:
        super().__init__()
        self.catalog = catalog
        self.introducible = introducible
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
        if isinstance(event, ErrorOccurred):
            if event.code == ErrorCode.INTRODUCE_NO_SCRIPT:
                self._requested = False  # the introduction it asked for could not be made: go on later
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
        target = self.now_selling
        current = self.catalog.get(target)
        if current is None or current.listing_number is None or not self._can_introduce(current) \
                or target in self.introduced:
            target = self._next_after(target)
            if target is None:  # nothing the rotation may introduce
                return
        self.last_activity = event.t
        if target != self.now_selling:
            await emit(SetNowSelling(t=event.t, product_id=target))
            self.now_selling = target
            self.introduced.clear()
        self.introduced.add(target)
        self._requested = True
        await emit(IntroduceProduct(t=event.t, product_id=target, by=Approver.ROTATION))

    def _can_introduce(self, p: Product) -> bool:
        """A script of the seller's, or (with ``introducible``) a generated introduction -- asked
        only for the products the rotation comes to, so nothing is generated ahead of need."""
        return bool(p.script.strip()) or (self.introducible is not None and self.introducible(p))

    def _next_after(self, current: str | None) -> str | None:
        """The next listed product after ``current`` in listing order that can be introduced
        (wrapping around, ``current`` itself last); the first one when ``current`` is not listed;
        ``None`` when there is none."""
        listed = sorted((p for p in self.catalog if p.listing_number is not None), key=lambda p: p.listing_number)
        ids = [p.product_id for p in listed]
        order = listed
        if current in ids:
            i = ids.index(current)
            order = listed[i + 1:] + listed[: i + 1]
        return next((p.product_id for p in order if self._can_introduce(p)), None)
