"""The budgeted speech queue in front of synthesis: the host never needs more speech time than
stream time.

``SpeechQueueStage``: Speak (approved lines) -> SpeakNow (one at a time, to the speech stage) |
ReplyRejected(by="policy", reason=stale / merged / overflow / viewer_muted / muted / interrupted).

**Priorities.** Waiting lines are said best first: the seller's own lines (typed, "speak now",
anything the seller approved, a product introduction the seller asked for) > answers to questions
(and the idle rotation's introductions) > purchase-signal lines > thanks > greetings, welcomes and
compliments; oldest first within a tier.

**Age limits** (stream seconds since the message a line answers, not counting the seller's
approval countdown -- a wall-clock delay of the console): a greeting older than
``greeting_max_age_s`` is dropped, a thank-you older than ``thanks_max_age_s`` is withdrawn as
``merged`` (the thanks stage thanks its viewers in its next aggregate line), answers and purchase
lines have their own limits; the seller's lines never expire. At most ``max_queued`` lines wait
(beyond it the lowest-priority, oldest one is dropped as ``overflow``).

**Budget.** Over any ``share_window_s`` of stream time the host speaks at most ``max_share`` of it
for thanks and greetings, at most ``answer_share`` when the line is an answer or a purchase line
(the seller's lines always go through): a line waits until it fits, ageing meanwhile. The host is
busy from a line's release until its audio has played (``SpeechFinished``; ``SpeechSynthesized``
when there is no player at all) *and* its duration has passed in stream time -- so a replay at full
speed, where nothing waits for the wall clock, is budgeted exactly like a live room.

Every withdrawn line is an event (``ReplyRejected`` with ``by="policy"``), so the store and the
session report see it. Windows follow stream time (each event's ``t`` and the clock ticks).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from app.events import (AudioOutputChanged, CancelSpeech, ErrorOccurred, Event, MuteSpeech, ReplyApproved,
                        ReplyRejected, ReplySuggested, SourcesEnded, Speak, SpeakNow, SpeechFinished,
                        SpeechStarted, SpeechSynthesized, StreamTimeAdvanced, ViewerMuted)
from app.pipeline import Emit, Stage
from app.understanding.stage import viewer_key
from app.vocab import Approver, AudioOutputState, DropReason

SELLER, ANSWER, PURCHASE, THANKS, GREETING = 4, 3, 2, 1, 0
"""Priority tiers (higher is said first)."""

TIER_NAMES = {SELLER: "seller", ANSWER: "answer", PURCHASE: "purchase", THANKS: "thanks", GREETING: "greeting"}

CHARS_PER_S = {"zh": 4.5, "en": 14.0}
"""Speaking-time estimate before the audio exists: characters per second (Mandarin ~270
characters/min, English ~165 words/min at 5 letters + space)."""


def tier_of(intent: str, approved_by: str, requested_by: str = "") -> int:
    """The priority tier of a line from its intent and who let it through."""
    if approved_by in (Approver.SELLER, Approver.VOICE) or intent == "say" or requested_by == Approver.SELLER:
        return SELLER
    if intent == "purchase_intent":
        return PURCHASE
    if intent in ("gift", "follow"):
        return THANKS
    if intent in ("greeting", "compliment", "chitchat", "spam"):
        return GREETING
    return ANSWER


@dataclass
class _Line:
    speak: Speak
    tier: int
    origin_t: float
    """Stream time of the message it answers (or when it was drafted)."""
    approved_t: float
    """Stream time the queue received it."""
    pre_s: float = 0.0
    """Stream seconds from the message to the draft (the seller's approval countdown, a wall-clock
    delay, is not counted against the age limits)."""
    askers: tuple[str, ...] = ()
    """viewer keys of everyone it answers."""
    nicknames: tuple[str, ...] = ()
    estimate_s: float = 0.0


@dataclass
class _Spoken:
    start: float
    duration: float
    tier: int


@dataclass
class QueueStats:
    """What the queue did (for the bench and the report)."""

    released: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    max_length: int = 0


class SpeechQueueStage(Stage):
    """The budgeted speech queue (see the module docstring).

    Args:
        max_share: most of a ``share_window_s`` window spent speaking non-seller lines (0..1].
        share_window_s: the budget's rolling window, stream seconds.
        max_queued: lines allowed to wait.
        max_age_s: per tier, the stream seconds after which a waiting line is withdrawn
            (``{GREETING: 8, THANKS: 15, PURCHASE: 12, ANSWER: 15}``); the seller tier never expires.
        playback: True when the speech stage plays (or previews) what it synthesizes: a line is
            over at its ``SpeechFinished``; False (no player at all) = at its ``SpeechSynthesized``.
    """

    name = "speech_queue"
    accepts = (ReplySuggested, ReplyApproved, Speak, SpeechSynthesized, SpeechStarted, SpeechFinished, ErrorOccurred,
               MuteSpeech, CancelSpeech, ViewerMuted, AudioOutputChanged, StreamTimeAdvanced, SourcesEnded)

    def __init__(self, *, max_share: float = 0.5, answer_share: float | None = None, share_window_s: float = 60.0,
                 max_queued: int = 12,
                 max_age_s: dict[int, float] | None = None, playback: bool = False) -> None:
        super().__init__()
        self.max_share = float(max_share)
        self.answer_share = max(self.max_share, float(answer_share if answer_share is not None else max_share))
        """Answers to questions and purchase lines may use up to this share (they come before
        thanks and greetings, which stop at ``max_share``)."""
        self.share_window_s = float(share_window_s)
        self.max_queued = int(max_queued)
        self.max_age_s = {GREETING: 8.0, THANKS: 15.0, PURCHASE: 12.0, ANSWER: 15.0}
        self.max_age_s.update(max_age_s or {})
        self.now = 0.0
        self.waiting: list[_Line] = []
        self.stats = QueueStats()
        self._suggested: dict[str, ReplySuggested] = {}
        self._approved_by: dict[str, str] = {}
        self._seen_at: dict[str, float] = {}
        self._current: _Line | None = None
        self._current_t = 0.0
        self._started_t: float | None = None
        self._busy_until = 0.0
        self._spoken: deque[_Spoken] = deque()
        self._durations: dict[str, float] = {}
        self._muted_speech = False
        self._muted_viewers: dict[str, str] = {}
        self._files_only = not playback
        self._rate: dict[str, float] = dict(CHARS_PER_S)
        self._langs: dict[str, str] = {}
        self._ending = False

    # ------------------------------------------------------------------ figures
    @property
    def queued(self) -> int:
        """Lines waiting (not counting the one being said)."""
        return len(self.waiting)

    def share(self, now: float | None = None) -> float:
        """Share of the last ``share_window_s`` (stream time) spent speaking, 0..1."""
        now = self.now if now is None else now
        lo = now - self.share_window_s
        used = sum(max(0.0, min(s.start + s.duration, now) - max(s.start, lo)) for s in self._spoken)
        return used / self.share_window_s

    def _used(self, now: float) -> float:
        lo = now - self.share_window_s
        return sum(max(0.0, s.start + s.duration - max(s.start, lo)) for s in self._spoken
                   if s.start + s.duration > lo and s.tier != SELLER)

    # ------------------------------------------------------------------ events
    def intercept(self, event: Event) -> None:
        if isinstance(event, MuteSpeech):
            self._muted_speech = event.muted

    async def handle(self, event: Event, emit: Emit) -> None:
        self.now = max(self.now, event.t)
        if isinstance(event, ReplySuggested):
            self._suggested[event.reply_id] = event
            self._seen_at[event.reply_id] = self.now
            self._trim(self._suggested)
            self._trim(self._seen_at)
        elif isinstance(event, ReplyApproved):
            self._approved_by[event.reply_id] = str(event.by)
            self._trim(self._approved_by)
        elif isinstance(event, Speak):
            await self._enqueue(event, emit)
        elif isinstance(event, SpeechSynthesized):
            self._durations[event.reply_id] = float(event.duration_s)
            self._learn_rate(event)
            if self._current is not None and event.reply_id == self._current.speak.reply_id:
                self._busy_until = self._current_t + float(event.duration_s)
                self._spoken[-1].duration = float(event.duration_s)
                if self._files_only:
                    self._current = None
        elif isinstance(event, SpeechStarted):
            if self._current is not None and event.reply_id == self._current.speak.reply_id:
                self._started_t = event.t
                self._busy_until = max(self._busy_until, event.t + float(event.duration_s))
        elif isinstance(event, SpeechFinished):
            if self._current is not None and event.reply_id == self._current.speak.reply_id:
                self._current = None
        elif isinstance(event, ErrorOccurred):
            if event.stage == "speech" and self._current is not None:
                self._current = None  # synthesis failed: the next line may go
        elif isinstance(event, AudioOutputChanged):
            self._files_only = event.state == AudioOutputState.FILES
        elif isinstance(event, MuteSpeech):
            self._muted_speech = event.muted
            if event.muted:
                self._current = None
                await self._drop_all(DropReason.MUTED, emit)
        elif isinstance(event, CancelSpeech):
            if self._current is not None and self._current.speak.reply_id == event.reply_id:
                self._current = None
            self.waiting = [ln for ln in self.waiting if ln.speak.reply_id != event.reply_id]
        elif isinstance(event, ViewerMuted):
            await self._viewer_muted(event, emit)
        elif isinstance(event, SourcesEnded):
            self._ending = True
        await self._pump(emit)

    def _learn_rate(self, event: SpeechSynthesized) -> None:
        """Follow the voice's real speed (characters per second, per language; an exponential
        average of the lines synthesized so far), so the estimates the budget uses before a
        line's audio exists match this voice and rate."""
        lang = self._langs.get(event.reply_id)
        if lang is None or event.duration_s <= 0.3 or not event.text:
            return
        seen = len(event.text) / float(event.duration_s)
        self._rate[lang] = 0.7 * self._rate.get(lang, seen) + 0.3 * seen

    @staticmethod
    def _trim(d: dict) -> None:
        if len(d) > 5000:
            for k in list(d)[:2500]:
                del d[k]

    async def _enqueue(self, sp: Speak, emit: Emit) -> None:
        s = self._suggested.get(sp.reply_id)
        by = self._approved_by.get(sp.reply_id, "")
        if sp.reply_id.startswith("again"):
            by = Approver.SELLER  # "repeat the last line" is the seller's command
        intent = s.intent if s is not None else (sp.intent or "say")
        origin = min(s.t, sp.t) if s is not None else sp.t
        line = _Line(
            speak=sp, tier=tier_of(intent, by, s.requested_by if s is not None else ""),
            origin_t=origin, approved_t=self.now,
            pre_s=max(0.0, self._seen_at.get(sp.reply_id, self.now) - origin),
            askers=tuple(k for k in (viewer_key(v) for v in (s.askers if s is not None else ())) if k),
            nicknames=tuple(v.nickname for v in (s.askers if s is not None else ()) if v.nickname),
            estimate_s=len(sp.text) / self._rate.get(sp.lang, CHARS_PER_S["zh"]))
        if self._for_muted(line):
            await self._drop(line, DropReason.VIEWER_MUTED, emit)
            return
        if sp.interrupt:
            await self._drop_all(DropReason.INTERRUPTED, emit)
            await self._release(line, emit)
            return
        self.waiting.append(line)
        self.stats.max_length = max(self.stats.max_length, len(self.waiting))
        while len(self.waiting) > self.max_queued:
            candidates = [ln for ln in self.waiting if ln.tier != SELLER] or self.waiting
            worst = min(candidates, key=lambda ln: (ln.tier, ln.origin_t))
            await self._drop(worst, DropReason.OVERFLOW, emit)

    def _for_muted(self, line: _Line) -> bool:
        if not self._muted_viewers or line.tier == SELLER:
            return False
        if line.askers and all(k in self._muted_viewers for k in line.askers):
            return True
        names = [n for n in self._muted_viewers.values() if n and len(n) >= 2]
        return any(n in line.speak.text for n in names)

    async def _viewer_muted(self, event: ViewerMuted, emit: Emit) -> None:
        key = viewer_key(event.viewer)
        if not key:
            return
        if not event.muted:
            self._muted_viewers.pop(key, None)
            return
        self._muted_viewers[key] = event.viewer.nickname
        for line in [ln for ln in self.waiting if self._for_muted(ln)]:
            await self._drop(line, DropReason.VIEWER_MUTED, emit)

    async def _drop(self, line: _Line, reason: DropReason, emit: Emit) -> None:
        if line in self.waiting:
            self.waiting.remove(line)
        self.stats.dropped[reason.value] = self.stats.dropped.get(reason.value, 0) + 1
        await emit(ReplyRejected(t=self.now, reply_id=line.speak.reply_id, by=Approver.POLICY, reason=reason))

    async def _drop_all(self, reason: DropReason, emit: Emit) -> None:
        for line in list(self.waiting):
            await self._drop(line, reason, emit)

    async def _expire(self, now: float, emit: Emit) -> None:
        for line in list(self.waiting):
            limit = self.max_age_s.get(line.tier)
            if limit is not None and line.pre_s + (now - line.approved_t) > limit:
                await self._drop(line, DropReason.MERGED if line.tier == THANKS else DropReason.STALE, emit)

    async def _pump(self, emit: Emit) -> None:
        """Release the best waiting line if the host is free and the budget allows."""
        while True:
            cur = self._current
            if cur is not None:
                # no end of speech heard for it (synthesis paused, the disk full, dropped while
                # queued for playback): free the host after a generous stream-time timeout
                if self._started_t is None:
                    late = self.now > self._current_t + max(10.0, 2 * cur.estimate_s)
                else:
                    late = self.now > self._busy_until + 10.0
                if late:
                    self._current = None
            if self._muted_speech or self._current is not None or not self.waiting:
                return
            now = self.now
            if now < self._busy_until:
                if not self._ending:
                    return
                now = self.now = self._busy_until  # the session is over: play out in stream time
            await self._expire(now, emit)
            if not self.waiting:
                return
            line = max(self.waiting, key=lambda ln: (ln.tier, -ln.origin_t))
            if line.tier != SELLER:
                used = self._used(now)
                share = self.answer_share if line.tier >= PURCHASE else self.max_share
                if used > 0 and used + line.estimate_s > share * self.share_window_s:
                    if not self._ending:
                        return
                    # ended: skip ahead to when the oldest spoken line leaves the window
                    self.now = max(now + 0.5, self._spoken[0].start + self._spoken[0].duration
                                   + self.share_window_s if self._spoken else now + 0.5)
                    continue
            self.waiting.remove(line)
            await self._release(line, emit)

    async def _release(self, line: _Line, emit: Emit) -> None:
        now = self.now
        self._current = line
        self._current_t = now
        self._started_t = None
        self._busy_until = now + line.estimate_s
        self._spoken.append(_Spoken(now, line.estimate_s, line.tier))
        while self._spoken and self._spoken[0].start + self._spoken[0].duration < now - self.share_window_s:
            self._spoken.popleft()
        self.stats.released += 1
        sp = line.speak
        self._langs[sp.reply_id] = sp.lang
        self._trim(self._langs)
        await emit(SpeakNow(t=now, reply_id=sp.reply_id, text=sp.text, lang=sp.lang, intent=sp.intent,
                            interrupt=sp.interrupt, waited_s=round(now - line.approved_t, 3),
                            age_s=round(now - line.origin_t, 3)))
