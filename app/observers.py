"""Observers of the event stream: latency metrics, the replay's session record, and the
session store's record of every reply decision and viewer.

Observers only record (they never emit and never block): the pipeline calls ``on_event`` on the
event-loop thread for every published event.
"""

from __future__ import annotations

import logging
import statistics
import time
from collections import Counter, OrderedDict, deque
from dataclasses import dataclass, field
from typing import Any

from app.events import (AutoApproveCancelled, ErrorOccurred, Event, GiftReceived, IntentClassified,
                        LikesReceived, NoReply, QuestionMerged, Received, ReplyApproved, ReplyEdited,
                        ReplyRejected, ReplySuggested, SpeechFinished, SpeechStarted, SpeechSynthesized,
                        SpeechTranscribed, ViewerEntered, ViewerFollowed)
from app.understanding.labels import QUESTION_INTENTS
from app.vocab import NOTICE_CODES, Approver

log = logging.getLogger(__name__)

__all__ = ["NOTICE_CODES", "MetricsObserver", "SessionRecorder", "StoreRecorder", "percentile"]


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0..100) of ``values``, ``None`` for none.

    :func:`statistics.quantiles` with ``method="inclusive"`` (linear interpolation between
    closest ranks, NumPy's default 'linear' method); integer ``q`` in 1..99 exactly, other ``q``
    interpolated between the neighbouring cut points.
    """
    if not values:
        return None
    if len(values) == 1:
        return float(values[0])
    if q <= 0:
        return float(min(values))
    if q >= 100:
        return float(max(values))
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    lo = int(q)
    frac = q - lo
    a = cuts[lo - 1] if lo >= 1 else min(values)
    b = cuts[lo] if lo < 99 else max(values)
    return a + (b - a) * frac


class LatencySketch:
    """A latency distribution in constant memory: a DDSketch (Masson, Rim & Lee, "DDSketch: a fast
    and fully-mergeable quantile sketch with relative-error guarantees", VLDB 2019; the
    ``ddsketch`` package) with 1 % relative accuracy, plus the count and the last value.
    Seconds in, quantiles out in seconds."""

    def __init__(self, relative_accuracy: float = 0.01) -> None:
        from ddsketch import DDSketch

        self._sketch = DDSketch(relative_accuracy=relative_accuracy)
        self.count = 0
        self.last: float | None = None

    def add(self, seconds: float) -> None:
        v = max(float(seconds), 1e-6)  # the sketch takes positive values; a microsecond is the floor
        self._sketch.add(v)
        self.count += 1
        self.last = v

    def quantile(self, q: float) -> float | None:
        """The ``q`` quantile (0..1), seconds; ``None`` without samples."""
        return None if not self.count else float(self._sketch.get_quantile_value(q))


class MetricsObserver:
    """Wall-clock latencies per message, in seconds (time.perf_counter), in constant memory.

    * ``understanding``: received -> IntentClassified
    * ``reply``: IntentClassified (or received, for gifts/follows) -> ReplySuggested
    * ``reply_ready``: received -> ReplySuggested
    * ``tts``: ReplyApproved -> SpeechSynthesized
    * ``audio_ready``: received -> SpeechSynthesized

    Each measure is a :class:`LatencySketch`. The timestamps of messages in flight are kept only
    until their outcome is known (a reply's audio, or no reply) and at most
    :attr:`MAX_IN_FLIGHT` of each kind (the oldest are forgotten), so a whole working day uses the
    same memory as its first minute.
    """

    MEASURES = ("understanding", "reply", "reply_ready", "tts", "audio_ready")
    MAX_IN_FLIGHT = 20_000

    def __init__(self, clock=time.perf_counter) -> None:
        self.clock = clock
        self._received: OrderedDict[str, float] = OrderedDict()
        self._classified: OrderedDict[str, float] = OrderedDict()
        self._approved: OrderedDict[str, float] = OrderedDict()
        self._reply_start: OrderedDict[str, float] = OrderedDict()
        self.sketches: dict[str, LatencySketch] = {m: LatencySketch() for m in self.MEASURES}
        self.first_received: float | None = None
        self.last_event: float | None = None
        self.received_count = 0
        self._recent_received: deque[float] = deque(maxlen=100_000)

    def _put(self, d: OrderedDict, key: str, value: float) -> None:
        d[key] = value
        if len(d) > self.MAX_IN_FLIGHT:
            d.popitem(last=False)

    @property
    def in_flight(self) -> int:
        """Timestamps held for messages and replies whose outcome is not known yet."""
        return len(self._received) + len(self._classified) + len(self._approved) + len(self._reply_start)

    def on_event(self, e: Event) -> None:
        now = self.clock()
        self.last_event = now
        sk = self.sketches
        if isinstance(e, Received):
            self._put(self._received, e.msg_id, now)
            self.received_count += 1
            self._recent_received.append(now)
            if self.first_received is None:
                self.first_received = now
        elif isinstance(e, IntentClassified):
            if e.msg_id in self._received:
                sk["understanding"].add(now - self._received[e.msg_id])
                self._put(self._classified, e.msg_id, now)
        elif isinstance(e, ReplySuggested):
            if not e.msg_ids:  # the host's own line (an introduction): no message to time it from
                return
            for m in e.msg_ids[1:]:
                self._forget(m)
            m = e.msg_ids[0]
            start = self._classified.pop(m, None) or self._received.get(m)
            if start is not None:
                sk["reply"].add(now - start)
            received = self._received.pop(m, None)
            if received is not None:
                sk["reply_ready"].add(now - received)
                self._put(self._reply_start, e.reply_id, received)
        elif isinstance(e, (NoReply, QuestionMerged)):
            self._forget(e.msg_id)
        elif isinstance(e, ReplyApproved):
            if e.reply_id in self._reply_start:
                self._put(self._approved, e.reply_id, now)
        elif isinstance(e, ReplyRejected):
            self._reply_start.pop(e.reply_id, None)
            self._approved.pop(e.reply_id, None)
        elif isinstance(e, SpeechSynthesized):
            approved = self._approved.pop(e.reply_id, None)
            if approved is not None:
                sk["tts"].add(now - approved)
            received = self._reply_start.pop(e.reply_id, None)
            if received is not None:
                sk["audio_ready"].add(now - received)

    def _forget(self, msg_id: str) -> None:
        self._received.pop(msg_id, None)
        self._classified.pop(msg_id, None)

    def snapshot(self) -> dict[str, float | None]:
        """Fields of :class:`~app.events.MetricsReported`: reply-ready p50 / p95 and the last
        reply's latency (ms), received events in the last minute."""
        rr = self.sketches["reply_ready"]
        now = self.clock()
        while self._recent_received and now - self._recent_received[0] > 60.0:
            self._recent_received.popleft()

        def ms(v):
            return None if v is None else round(v * 1000, 1)

        return {"reply_ready_p50_ms": ms(rr.quantile(0.5)), "reply_ready_p95_ms": ms(rr.quantile(0.95)),
                "last_reply_ms": ms(rr.last), "messages_per_min": float(len(self._recent_received))}

    def summary(self) -> dict[str, dict[str, float | int | None]]:
        """Per measure: count, p50 and p95 in milliseconds (within 1 % of the exact values)."""
        out = {}
        for name in self.MEASURES:
            sk = self.sketches[name]
            p50, p95 = sk.quantile(0.5), sk.quantile(0.95)
            out[name] = {"count": sk.count,
                         "p50_ms": None if p50 is None else round(p50 * 1000, 2),
                         "p95_ms": None if p95 is None else round(p95 * 1000, 2)}
        return out


@dataclass
class _Row:
    t: float
    msg_id: str
    kind: str
    viewer: str
    nickname: str
    text: str
    intent: str = ""
    confidence: float | None = None
    uncertain: bool = False
    slots: dict[str, Any] = field(default_factory=dict)
    reply: str = ""
    reply_id: str = ""
    product_id: str | None = None
    audio: str = ""
    held_reason: str = ""
    no_reply_reason: str = ""
    approved_by: str = ""
    lang: str = ""
    merged_into: str = ""
    dropped: str = ""
    """Why the core withdrew the reply before it was spoken (``stale``, ``merged`` ...), if it did."""
    offensive: bool = False


class SessionRecorder:
    """Collects one row per handled received event (for ``replies.jsonl``) and the summary.

    Args:
        on_row: optional callback ``(row_dict) -> None`` for the live table: called once per
            comment, gift, follow and host speech, in the order they were received, as soon as
            that event and every one before it has an outcome (a reply, the reason for none,
            or an error). Enters and likes are not shown.
    """

    _SHOWN = ("comment", "gift", "follow", "host_speech")

    def __init__(self, on_row=None) -> None:
        self.rows: dict[str, _Row] = {}
        self._by_reply: dict[str, list[str]] = {}
        self._replies: dict[str, ReplySuggested] = {}
        self.errors: list[ErrorOccurred] = []
        self.on_row = on_row
        self._order: list[str] = []
        self._done: set[str] = set()
        self._cursor = 0

    def _resolved(self, msg_id: str) -> None:
        self._done.add(msg_id)
        while self._cursor < len(self._order) and self._order[self._cursor] in self._done:
            r = self.rows[self._order[self._cursor]]
            self._cursor += 1
            if self.on_row and r.kind in self._SHOWN:
                self.on_row(self.record(r))

    def flush(self) -> None:
        """Emit every row not yet shown (at the end of a run)."""
        for m in self._order[self._cursor:]:
            self._done.add(m)
        self._resolved("")

    def on_event(self, e: Event) -> None:
        if isinstance(e, Received):
            text = getattr(e, "text", "")
            if isinstance(e, GiftReceived):
                text = f"{e.gift_name} x{e.count}"
            elif isinstance(e, LikesReceived):
                text = f"x{e.count}"
            self.rows[e.msg_id] = _Row(t=e.t, msg_id=e.msg_id, kind=e.kind,
                                       viewer=e.viewer.uid, nickname=e.viewer.nickname, text=text,
                                       intent="" if e.kind == "comment" else e.kind)
            self._order.append(e.msg_id)
        elif isinstance(e, IntentClassified):
            r = self.rows.get(e.msg_id)
            if r is not None:
                r.intent, r.confidence, r.uncertain = e.intent, round(e.confidence, 4), e.uncertain
                r.slots, r.lang = e.slots.as_dict(), e.lang
                r.offensive = e.offensive
        elif isinstance(e, ReplySuggested):
            self._replies[e.reply_id] = e
            for m in e.msg_ids:
                r = self.rows.get(m)
                if r is not None:
                    r.reply, r.reply_id, r.product_id, r.held_reason = e.text, e.reply_id, e.product_id, e.held
                    self._by_reply.setdefault(e.reply_id, []).append(m)
                    self._resolved(m)
        elif isinstance(e, QuestionMerged):
            r = self.rows.get(e.msg_id)
            s = self._replies.get(e.reply_id)
            if r is not None:
                r.merged_into = e.reply_id
                if s is not None:
                    r.reply, r.reply_id, r.product_id, r.held_reason = s.text, s.reply_id, s.product_id, s.held
                self._by_reply.setdefault(e.reply_id, []).append(e.msg_id)
                self._resolved(e.msg_id)
        elif isinstance(e, NoReply):
            r = self.rows.get(e.msg_id)
            if r is not None:
                r.no_reply_reason = e.reason
                self._resolved(e.msg_id)
        elif isinstance(e, ReplyApproved):
            for m in self._by_reply.get(e.reply_id, ()):
                if m in self.rows:
                    self.rows[m].approved_by = e.by
        elif isinstance(e, ReplyRejected) and e.by == Approver.POLICY:
            for m in self._by_reply.get(e.reply_id, ()):
                if m in self.rows and not self.rows[m].audio:
                    self.rows[m].dropped = e.reason or "policy"
        elif isinstance(e, SpeechSynthesized):
            for m in self._by_reply.get(e.reply_id, ()):
                if m in self.rows:
                    self.rows[m].audio = e.audio_path
        elif isinstance(e, ErrorOccurred):
            self.errors.append(e)
            if e.msg_id in self.rows:
                r = self.rows[e.msg_id]
                r.no_reply_reason = r.no_reply_reason or f"error {e.code}: {e.message}"
                self._resolved(e.msg_id)

    @staticmethod
    def record(r: _Row) -> dict[str, Any]:
        """The ``replies.jsonl`` object for one row."""
        return {
            "t": r.t, "msg_id": r.msg_id, "kind": r.kind, "viewer": r.viewer, "nickname": r.nickname,
            "text": r.text, "lang": r.lang, "intent": r.intent, "confidence": r.confidence,
            "uncertain": r.uncertain, "slots": r.slots, "reply": r.reply or None,
            "product_id": r.product_id, "audio": r.audio or None, "held_reason": r.held_reason or None,
            "approved_by": r.approved_by or None, "no_reply_reason": r.no_reply_reason or None,
            "merged_into": r.merged_into or None, "dropped": r.dropped or None,
            "offensive": r.offensive,
        }

    def records(self) -> list[dict[str, Any]]:
        return [self.record(r) for r in sorted(self.rows.values(), key=lambda r: (r.t, r.msg_id))]

    def summary(self) -> dict[str, Any]:
        """Counts by kind and intent, replies spoken / held / awaiting / none, unanswered questions."""
        rows = list(self.rows.values())
        by_intent = Counter(r.intent or r.kind for r in rows if r.kind == "comment")
        by_kind = Counter(r.kind for r in rows)
        first = {}  # one row per reply: its first message's row
        for r in sorted(rows, key=lambda r: (r.t, r.msg_id)):
            if r.reply_id and r.reply_id not in first:
                first[r.reply_id] = r
        replies = list(first.values())
        spoken = sum(1 for r in replies if r.audio)
        held = sum(1 for r in replies if r.held_reason)
        awaiting = sum(1 for r in replies if not r.held_reason and not r.approved_by)
        approved_not_spoken = sum(1 for r in replies if r.approved_by and not r.audio and not r.dropped)
        dropped = Counter(r.dropped for r in replies if r.dropped and not r.audio)
        merged = sum(max(0, len(ms) - 1) for ms in self._by_reply.values())  # messages beyond a reply's first
        none = sum(1 for r in rows if not r.reply)
        unanswered = [self.record(r) for r in rows
                      if r.kind == "comment" and r.intent in QUESTION_INTENTS and not r.reply]
        held_reasons = Counter((r.held_reason.split(":")[0]) for r in rows if r.held_reason)
        return {
            "events": len(rows), "by_kind": dict(by_kind), "comments_by_intent": dict(by_intent),
            "replies": {"spoken": spoken, "held": held, "awaiting_seller": awaiting,
                        "approved_not_spoken": approved_not_spoken, "none": none,
                        "questions_merged": merged, "dropped": sum(dropped.values())},
            "dropped_reasons": dict(dropped),
            "offensive": sum(1 for r in rows if r.offensive),
            "held_reasons": dict(held_reasons),
            "unanswered_questions": unanswered,
            "errors": [{"code": e.code, "message": e.message, "hint": e.hint}
                       for e in self.errors if e.code not in NOTICE_CODES],
            "notes": [{"code": e.code, "message": e.message, "hint": e.hint}
                      for e in self.errors if e.code in NOTICE_CODES],
        }


class StoreRecorder:
    """Writes every reply decision and every viewer seen to the session store as it happens, so
    a crash (even ``kill -9``) loses no decision:

    * ``replies``: each suggested reply (text, held reason and detail, product, askers) and its
      fate -- approved / rejected (by whom, when), the seller's edited text, the WAV, when it
      was spoken or interrupted; questions merged into it add their message and asker;
    * ``reply_feedback``: the seller's approvals, rejections, edits and cancelled countdowns
      (the training signal);
    * ``viewers`` / ``session_viewers``: every viewer with a uid, first and last seen.

    (The event log itself is written by the pipeline before any observer runs.) A failing write
    is logged and skipped -- the pipeline reports a failing store once.

    Args:
        store: a :class:`app.store.SqliteStore`.
        session_id: the session the rows belong to.
    """

    def __init__(self, store, session_id: str) -> None:
        self.store = store
        self.session_id = session_id
        self._suggested: dict[str, ReplySuggested] = {}
        self._warned = False

    def on_event(self, e: Event) -> None:
        try:
            self._record(e)
        except Exception as exc:  # noqa: BLE001 - the stream goes on; the pipeline reports the store
            if not self._warned:
                self._warned = True
                log.warning("session store write failed: %s", exc)

    def _record(self, e: Event) -> None:
        from app.store.sqlite import viewer_key

        sid = self.session_id
        if isinstance(e, Received):
            if e.viewer.uid and e.viewer.uid != "host":
                self.store.see_viewer(sid, e.viewer.platform, e.viewer.uid, e.viewer.nickname, e.t)
            return
        if isinstance(e, ReplySuggested):
            self._suggested[e.reply_id] = e
            if len(self._suggested) > 5000:
                for rid in list(self._suggested)[:2500]:
                    del self._suggested[rid]
            vk = viewer_key(e.viewer.platform, e.viewer.uid) if e.viewer.uid else ""
            self.store.add_reply(sid, e, viewer_key_=vk)
            return
        if isinstance(e, QuestionMerged):
            vk = viewer_key(e.viewer.platform, e.viewer.uid) if e.viewer.uid else ""
            self.store.add_reply_asker(sid, e.reply_id, e.msg_id, vk, e.viewer.nickname)
            return
        s = self._suggested.get(getattr(e, "reply_id", ""))
        intent, text = (s.intent, s.text) if s else ("", "")
        if isinstance(e, ReplyApproved):
            self.store.update_reply(sid, e.reply_id, status="approved", decided_by=str(e.by), decided_t=e.t,
                                    final_text=e.text)
            if e.by != Approver.AUTO:
                self.store.add_feedback(sid, e.reply_id, "approved", intent=intent, text=text,
                                        new_text=e.text if e.text != text else None, by=str(e.by))
        elif isinstance(e, ReplyRejected):
            self.store.update_reply(sid, e.reply_id, status="rejected", decided_by=str(e.by), decided_t=e.t)
            if e.by != Approver.POLICY:
                self.store.add_feedback(sid, e.reply_id, "rejected", intent=intent, text=text, by=str(e.by))
        elif isinstance(e, ReplyEdited):
            self.store.update_reply(sid, e.reply_id, final_text=e.new_text, edited=1)
            self.store.add_feedback(sid, e.reply_id, "edited", intent=intent, text=e.old_text, new_text=e.new_text)
        elif isinstance(e, AutoApproveCancelled) and e.reason == "seller":
            self.store.add_feedback(sid, e.reply_id, "auto_cancelled", intent=intent, text=text)
        elif isinstance(e, SpeechSynthesized):
            self.store.update_reply(sid, e.reply_id, audio_path=e.audio_path, speech_s=e.duration_s)
        elif isinstance(e, SpeechStarted):
            self.store.update_reply(sid, e.reply_id, status="spoken", spoken_t=e.t)
        elif isinstance(e, SpeechFinished) and e.interrupted:
            self.store.update_reply(sid, e.reply_id, status="interrupted")
