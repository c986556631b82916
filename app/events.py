"""Every event that flows through the LiveHost pipeline, as frozen dataclasses.

Facts are named in the past tense (``ChatReceived``, ``IntentClassified``), commands as
verbs (``Speak``). Stages consume and emit these; observers (session log, metrics, GUI)
see the same stream. Times are seconds. ``t`` is *stream time*: seconds since the live
session started (for a replay, the timestamp in the session file).

All events are immutable and hashable-free plain data so they can be logged as JSON with
:func:`to_record`.
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

_ids = itertools.count(1)


def next_id(prefix: str) -> str:
    """Return a process-unique id such as ``"r17"`` (prefix + counter)."""
    return f"{prefix}{next(_ids)}"


@dataclass(frozen=True, slots=True)
class Viewer:
    """A viewer in the live room."""

    platform: str
    """Platform key: ``douyin``, ``taobao``, ``kuaishou``, ``tiktok``, ``bilibili``, ``youtube``,
    ``twitch`` or ``replay``."""
    uid: str
    """The platform's user id, always a string (normalised at ingestion)."""
    nickname: str = ""
    """Display name as the platform sent it (unfiltered; never speak it without
    :func:`app.reply.guard.safe_nickname`)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Base of every event."""

    kind: ClassVar[str] = "event"
    t: float = 0.0
    """Stream time in seconds since the session started."""


# --------------------------------------------------------------------------- received


@dataclass(frozen=True, slots=True, kw_only=True)
class Received(Event):
    """Base of everything that comes *into* the live room (from a chat source or the mic).

    Received events are written to the store's event log before any stage sees them.
    """

    msg_id: str
    """Id unique within the session (the source's id, or ``m<line>`` for a replay)."""
    viewer: Viewer
    source: str = ""
    """The spec of the chat source it came from (``replay:demo.jsonl``, ``bilibili:21452505``,
    ``mic``); the session fills it in when a source leaves it empty."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ChatReceived(Received):
    """A danmaku / comment typed by a viewer."""

    kind: ClassVar[str] = "comment"
    text: str
    amount: Decimal | None = None
    """Money paid with the message (a Super Chat / 醒目留言, Twitch bits), in ``currency``;
    ``None`` for an ordinary comment."""
    currency: str = ""
    """ISO 4217 code (``CNY``, ``USD``, ``JPY`` ...) or a platform unit (``BITS``)."""
    emotes: tuple[str, ...] = ()
    """Emote codes / emoji shortcuts in ``text``, in order (Twitch emotes, YouTube emoji); the
    text keeps them as typed, so a stage can tell an emote-only message from a question."""


@dataclass(frozen=True, slots=True, kw_only=True)
class GiftReceived(Received):
    """A gift. Platforms send streaks (combo) as repeated frames with a growing count."""

    kind: ClassVar[str] = "gift"
    gift_name: str
    count: int = 1
    """Gifts in this frame (cumulative for a streak frame)."""
    streak_id: str = ""
    """Frames of one combo share a streak id; empty when the gift is not part of a streak."""
    streak_end: bool = True
    """True on the last frame of a streak (the one that is thanked)."""
    amount: Decimal | None = None
    """What the gift is worth (cumulative for a streak frame), in ``currency``; ``None`` when
    the platform does not say (or the gift is free)."""
    currency: str = ""
    """ISO 4217 code (``CNY`` ...) or a platform unit (``DIAMOND`` for TikTok coins' diamonds)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ViewerFollowed(Received):
    """A viewer followed the host."""

    kind: ClassVar[str] = "follow"


@dataclass(frozen=True, slots=True, kw_only=True)
class ViewerEntered(Received):
    """A viewer entered the live room."""

    kind: ClassVar[str] = "enter"


@dataclass(frozen=True, slots=True, kw_only=True)
class LikesReceived(Received):
    """A batch of likes (点赞) from one viewer."""

    kind: ClassVar[str] = "like"
    count: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class ViewerShared(Received):
    """A viewer shared the live room (TikTok share)."""

    kind: ClassVar[str] = "share"


@dataclass(frozen=True, slots=True, kw_only=True)
class ViewerSubscribed(Received):
    """A viewer became a paying member / subscriber (Twitch sub, YouTube membership)."""

    kind: ClassVar[str] = "subscribe"
    plan: str = ""
    """The platform's name for the level (``Tier 1``, ``Prime``, a YouTube membership level)."""
    months: int = 0
    """Cumulative months, when the platform says (a resub); 0 = new or unknown."""
    text: str = ""
    """The message the viewer attached, if any."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RoomRaided(Received):
    """Another channel sent its audience into this room (Twitch raid); ``viewer`` is the raider."""

    kind: ClassVar[str] = "raid"
    viewers: int = 0
    """Viewers the raid brought."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SpeechTranscribed(Received):
    """The host said something into the microphone (final recognizer result or replay text).

    ``viewer`` is the host itself (``uid == "host"``).
    """

    kind: ClassVar[str] = "host_speech"
    text: str
    audio_path: str = ""
    """Source WAV when the speech came from a file; empty for live microphone / text."""


# --------------------------------------------------------------------------- understanding


@dataclass(frozen=True, slots=True, kw_only=True)
class Slots:
    """Slot values extracted from one message, normalised. ``None``/empty = not mentioned."""

    listing_number: int | None = None
    """Number of the product in the room's shopping bag (3号链接 -> 3)."""
    color: str | None = None
    """Colour family in English lowercase: red, pink, orange, yellow, green, blue, purple,
    brown, beige, white, grey, black, gold, silver, multi."""
    color_word: str | None = None
    """The colour word as written (酒红, navy) - for replies."""
    size: str | None = None
    """Garment size ``XS``..``XXXL`` or a number as text (``"38"``)."""
    height_cm: float | None = None
    weight_kg: float | None = None
    budget_max: Decimal | None = None
    """Yuan (CNY)."""
    budget_min: Decimal | None = None
    """Yuan (CNY)."""
    quantity: int | None = None
    recipient: str | None = None
    """Normalised recipient key: mother, father, wife, husband, girlfriend, boyfriend, child,
    elder, friend, self, gift."""
    product_mentions: tuple[str, ...] = ()
    """Product ids whose title / category / alias matched a span of the message, best first."""

    def as_dict(self) -> dict[str, Any]:
        """The non-empty slots as JSON-ready values (Decimal -> str)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if v is None or v == ():
                continue
            if isinstance(v, Decimal):
                v = format(v, "f")
            elif isinstance(v, tuple):
                v = list(v)
            out[f.name] = v
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class IntentClassified(Event):
    """The understanding stage's reading of one message."""

    msg_id: str
    viewer: Viewer
    text: str
    lang: str
    """``zh`` or ``en`` (mixed messages count as ``zh`` when they contain CJK)."""
    intent: str
    """One of :data:`app.understanding.labels.INTENTS`."""
    confidence: float
    """Calibrated probability of ``intent`` (0..1)."""
    uncertain: bool
    """True when confidence is below the model's held-out threshold."""
    slots: Slots = field(default_factory=Slots)
    source: str = "comment"
    """``comment`` or ``host_speech``."""
    offensive: bool = False
    """The offensive-language detector's verdict on the text (insult, slur, threat, harassment
    ...); such a message never gets a greeting, compliment or thanks (it is held for the seller)."""
    offense_score: float = 0.0
    """The detector's probability that the text is offensive (0..1)."""
    offense_terms: tuple[str, ...] = ()
    """The abusive base terms the detector's lexicon found in the text (``傻逼`` for ``煞笔``)."""
    flood: str = ""
    """Empty for an ordinary message; else what kind of flood it belongs to: ``purchase``
    (``1``, ``111``, ``扣1``: a purchase signal in a shop room), ``cheer`` (``666``, ``W``,
    ``哈哈哈``, ``+1``) or ``copy`` (a line pasted by many viewers). Floods are counted, never
    answered one by one."""
    flood_token: str = ""
    """The normalised token the flood repeats (``1``, ``666``, ``w``, the pasted line)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Recommendation:
    """One recommended product with the reason the host can speak."""

    product_id: str
    score: float
    reason_zh: str
    reason_en: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RecommendationsReady(Event):
    """Ranked products for a viewer's recommendation request (best first)."""

    msg_id: str
    viewer: Viewer
    items: tuple[Recommendation, ...]
    method: str
    """``hybrid``, ``content``, ``popularity`` ... (what the ranking could use)."""


# --------------------------------------------------------------------------- replies


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplySuggested(Event):
    """A drafted reply (建议回复). ``held_reason`` empty = may be spoken (subject to approval)."""

    reply_id: str
    msg_ids: tuple[str, ...]
    """The message(s) this reply answers."""
    viewer: Viewer
    intent: str
    lang: str
    text: str
    product_id: str | None = None
    held_reason: str = ""
    """Why the reply needs the seller: a :class:`app.vocab.HeldReason` value (``fact_guard``,
    ``uncertain_intent``, ``complaint``, ``missing_fact`` ...); empty when it may be spoken
    without the seller (subject to auto-approve)."""
    held_detail: str = ""
    """The specifics of ``held_reason`` (``size chart``, ``price 39 yuan is not a catalog price``)."""
    confidence: float = 1.0
    askers: tuple[Viewer, ...] = ()
    """Everyone whose question this reply answers, in the order they asked (identical questions
    within the merge window share one reply); empty for the host's own lines."""
    requested_by: str = ""
    """For lines the host asked for (a product introduction): who asked, an
    :class:`app.vocab.Approver` value (``seller``, ``rotation``); empty for replies to viewers."""

    @property
    def held(self) -> str:
        """``held_reason`` and ``held_detail`` as one line (``missing_fact: size chart``)."""
        return f"{self.held_reason}: {self.held_detail}" if self.held_detail else self.held_reason


@dataclass(frozen=True, slots=True, kw_only=True)
class QuestionMerged(Event):
    """A message asked what an earlier reply answers (the same question within the merge or
    repeat window): it gets no reply of its own; ``reply_id`` answers it too."""

    reply_id: str
    msg_id: str
    viewer: Viewer
    text: str = ""
    answered: bool = False
    """True when the reply had already been let through (spoken or on its way) when this
    message arrived; False when it was still waiting for the seller (the card gains an asker)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class NoReply(Event):
    """A handled event that gets no reply, and why (spam, gift streak in progress ...)."""

    msg_id: str
    viewer: Viewer
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplyApproved(Event):
    """The reply may be spoken (by the seller or by auto-approve)."""

    reply_id: str
    text: str
    lang: str
    by: str = "auto"
    """An :class:`app.vocab.Approver` value: ``auto``, ``seller``, ``voice``, ``rotation``."""
    interrupt: bool = False
    """True = say it now, stopping what is being said (the seller's "speak now")."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplyRejected(Event):
    """The seller rejected (忽略) a suggested reply; nothing is spoken."""

    reply_id: str
    by: str = "seller"
    """An :class:`app.vocab.Approver` value (``seller``, or ``policy`` when the core withdrew it)."""
    reason: str = ""
    """Why it was withdrawn when ``by`` is ``policy``: an :class:`app.vocab.DropReason` value
    (``stale``, ``merged``, ``overflow``, ``viewer_muted``, ``muted``, ``interrupted``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplyEdited(Event):
    """The seller changed a suggested reply's text (修改); approval follows as its own event."""

    reply_id: str
    old_text: str
    new_text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplyRephrased(Event):
    """The language model reworded a reply that is still counting down to auto-approval; the new
    wording passed every check (:mod:`app.content.check`) and keeps every number of the original.
    The approval stage speaks it instead of the original if the countdown is still running; a
    late one is ignored."""

    reply_id: str
    text: str
    """The new wording."""
    original: str = ""
    """The wording it replaces."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelTextRejected(Event):
    """Text the language model wrote was not used: it failed a check, came too late, or the model
    did not answer (nothing of it is spoken)."""

    purpose: str
    """``chitchat``, ``rephrase`` or ``introduction``."""
    reason: str
    """Why (``fact_guard: price 39 yuan is not a catalog price``, ``late: 4.2 s``)."""
    msg_id: str = ""
    """The viewer message it answered (chit-chat), if any."""
    reply_id: str = ""
    """The reply it would have reworded (rephrase), if any."""
    text: str = ""
    """What the model wrote (for the seller's log; never spoken), cut to 300 characters."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LlmStatusChanged(Event):
    """The optional language model's endpoint changed state (the status bar shows it)."""

    state: str
    """An :class:`app.vocab.LlmState` value: ``ready``, ``unreachable``, ``timeout``, ``error``, ``off``."""
    message: str = ""
    """What happened, for the seller (``No answer from http://127.0.0.1:11434/v1 ...``)."""
    hint: str = ""
    """What to do about it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AutoApproveScheduled(Event):
    """An unheld reply will be approved automatically after ``delay_s`` seconds unless cancelled."""

    reply_id: str
    delay_s: float


@dataclass(frozen=True, slots=True, kw_only=True)
class SetAutoApprove(Event):
    """Command: the reply kinds auto-approved from now on (complaints and spam are never)."""

    kinds: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelAutoApprove(Event):
    """Command: do not auto-approve this reply (it waits for the seller)."""

    reply_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AutoApproveCancelled(Event):
    """A countdown stopped before it approved (``reason``: ``seller``, ``approved``, ``rejected``,
    ``edited``, ``paused``)."""

    reply_id: str
    reason: str = "seller"


@dataclass(frozen=True, slots=True, kw_only=True)
class SayText(Event):
    """Command: the seller typed a line for the virtual host to say (next, or now)."""

    text: str
    lang: str = "zh"
    interrupt: bool = False
    """True = stop what is being said and say this immediately."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SetNowSelling(Event):
    """Command: present this product now (by listing number or product id)."""

    listing_number: int | None = None
    product_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class NowSellingChanged(Event):
    """The host started presenting another product (讲解中)."""

    product_id: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class MuteViewer(Event):
    """Command: mute (``muted``) or unmute a viewer for the rest of the session: nothing they
    send is answered or spoken (the seller's "mute this viewer" on a held card)."""

    viewer: Viewer
    muted: bool = True
    reason: str = ""
    """Why, in the seller's words or the card's reason (``offensive``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ViewerMuted(Event):
    """A viewer was muted (or unmuted) for the session: their messages, gifts and any reply
    still waiting for them are dropped from now on."""

    viewer: Viewer
    muted: bool = True
    by: str = "seller"
    """An :class:`app.vocab.Approver` value: ``seller`` (the console) or ``policy`` (automatic,
    after ``strikes`` offensive messages within the moderation window)."""
    reason: str = ""
    """``offensive`` for the automatic mute; the seller's reason otherwise."""
    strikes: int = 0
    """Offensive messages from this viewer within the moderation window when it was muted."""


@dataclass(frozen=True, slots=True, kw_only=True)
class FloodCounted(Event):
    """A flood token was repeated within one flood window: counted instead of answered."""

    token: str
    """The normalised token (``666``, ``w``, ``1``, or the pasted line)."""
    flood: str
    """``cheer``, ``copy`` or ``purchase`` (see :attr:`IntentClassified.flood`)."""
    count: int
    """Messages with the token in the window."""
    viewers: int
    """Distinct viewers who sent it in the window."""
    window_s: float
    """Length of the window, stream seconds."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PurchaseSignalsCounted(Event):
    """Viewers typed a purchase signal (``1``, ``扣1``) for the now-selling product: the live
    count for the console's products tab (published at most once per clock tick)."""

    product_id: str
    listing_number: int | None = None
    count: int
    """Signals in the current purchase window."""
    total: int
    """Signals for this product since the session started."""
    viewers: int = 0
    """Distinct viewers in the current window."""


# --------------------------------------------------------------------------- speech out


@dataclass(frozen=True, slots=True, kw_only=True)
class Speak(Event):
    """Command: say this text (already approved and fact-checked)."""

    reply_id: str
    text: str
    lang: str
    intent: str = ""
    """Why it is said (the reply's intent, ``introduce``, ``say``): the avatar picks its expression by it."""
    interrupt: bool = False
    """True = stop current speech and drop queued speech first."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SpeakNow(Event):
    """Command from the budgeted speech queue (:mod:`app.speech_queue`) to the speech stage:
    synthesize and say this approved line now (it won its turn by priority, age and budget)."""

    reply_id: str
    text: str
    lang: str
    intent: str = ""
    """As :attr:`Speak.intent`."""
    interrupt: bool = False
    """True = stop current speech first (the seller's "speak now")."""
    waited_s: float = 0.0
    """Stream seconds the line waited in the queue after it was approved."""
    age_s: float = 0.0
    """Stream seconds since the message(s) it answers (or since it was drafted)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SpeechSynthesized(Event):
    """Audio for a reply is ready as a WAV file."""

    reply_id: str
    text: str
    audio_path: str
    duration_s: float
    sample_rate: int
    """Hz."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SpeechStarted(Event):
    """A reply started playing (or, with ``preview``, its silent preview started)."""

    reply_id: str
    text: str
    audio_path: str = ""
    duration_s: float = 0.0
    """Length of the audio, seconds."""
    preview: bool = False
    """True when there is no audio device: nothing is audible, the avatar previews the WAV."""
    output_latency_s: float = 0.0
    """The output device's latency, seconds: the sound is heard this long after the start."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SpeechFinished(Event):
    """A reply stopped playing (or its preview ended): at its end, or cut off (``interrupted``)
    by panic mute, an interrupting line or a ``CancelSpeech``."""

    reply_id: str
    interrupted: bool = False
    preview: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class AudioOutputChanged(Event):
    """How speech is delivered changed (at start, or when the device is lost or changed)."""

    state: str
    """An :class:`app.vocab.AudioOutputState` value: ``device``, ``preview`` or ``files``."""
    device: str = ""
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class SpeechMuted(Event):
    """Speech was muted (panic mute) or unmuted; auto-approve pauses while muted."""

    muted: bool


# --------------------------------------------------------------------------- host commands


@dataclass(frozen=True, slots=True, kw_only=True)
class StepNowSelling(Event):
    """Command: move the now-selling pointer by ``step`` listings (+1 next, -1 previous)."""

    step: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class IntroduceProduct(Event):
    """Command: speak a product's sales script (话术); ``None`` fields = the now-selling product."""

    listing_number: int | None = None
    product_id: str | None = None
    by: str = "seller"
    """Who asked: ``seller`` (console, voice) or ``rotation`` (the idle rotation)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SetIdleRotation(Event):
    """Command: introduce products in turn when the room is quiet for ``interval_s`` seconds of
    stream time (0 = off)."""

    interval_s: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelSpeech(Event):
    """Command: do not (go on) say(ing) this reply -- stop it if it is playing, drop it if queued."""

    reply_id: str
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class SetVoice(Event):
    """Command: change the speaking rate and/or volume from now on (``None`` = unchanged)."""

    rate_wpm: int | None = None
    """Words per minute."""
    volume: float | None = None
    """0..1."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MuteSpeech(Event):
    """Command: panic mute (stop speech now, pause auto-approve) or unmute."""

    muted: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class PauseAutoApprove(Event):
    """Command: pause (True) or resume (False) auto-approve."""

    paused: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class RepeatLastReply(Event):
    """Command: speak the last spoken reply again."""


@dataclass(frozen=True, slots=True, kw_only=True)
class VoiceCommandRecognized(Event):
    """The host said a voice command; ``command`` is the emitted command's class name."""

    text: str
    command: str
    listing_number: int | None = None


# --------------------------------------------------------------------------- microphone


@dataclass(frozen=True, slots=True, kw_only=True)
class TranscriptPartial(Event):
    """A live caption: the recognizer's partial result for the utterance in progress."""

    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class MicrophoneStateChanged(Event):
    """The microphone path changed state."""

    state: str
    """An :class:`app.vocab.MicrophoneState` value: ``listening``, ``no_device``, ``lost``,
    ``gated`` (host speaking), ``stopped``, ``no_model``."""
    device: str = ""
    reason: str = ""
    overflows: int = 0
    """Input overflows counted so far."""


# --------------------------------------------------------------------------- lifecycle


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionStarted(Event):
    """The session began (published once, before any source's events)."""

    session_id: str
    platform: str
    room_id: str = ""
    sources: tuple[str, ...] = ()
    """The specs of the chat sources it started with."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionEnded(Event):
    """The session ended (published once, after every event was handled)."""

    session_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SourcesEnded(Event):
    """Every chat source of the session has ended (a replay file is done, or the session is
    stopping): stages that gather events in windows (question merging) finish them now."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MetricsReported(Event):
    """A periodic snapshot of the core's health for the status bar (every few seconds, wall
    clock). Latencies are milliseconds, wall clock; ``None`` = no sample yet."""

    reply_ready_p50_ms: float | None = None
    reply_ready_p95_ms: float | None = None
    last_reply_ms: float | None = None
    """Message -> suggested reply of the most recent reply."""
    messages_per_min: float = 0.0
    """Received events in the last minute (wall clock)."""
    speech_queue: int = 0
    """Replies approved and waiting to be spoken."""
    speech_share: float = 0.0
    """Share of the last speech-budget window (stream time) the host spent speaking (0..1)."""
    loop_lag_p99_ms: float | None = None
    """How late the core's event loop wakes, 99th percentile, ms (a busy core shows here first)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceConnected(Event):
    """A chat source is connected to its live room (or opened its file) and delivering events."""

    source: str
    """The source's spec, e.g. ``bilibili:21452505``."""
    platform: str
    detail: str = ""
    """What it connected to, for the status bar (resolved room id, server address ...)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceStalled(Event):
    """A connected source delivered nothing for ``silent_s`` seconds (wall clock); it reconnects."""

    source: str
    platform: str
    silent_s: float
    """Seconds since its last event or heartbeat reply."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceDisconnected(Event):
    """A chat source lost its connection (or could not get one).

    ``retry_in_s`` > 0: it reconnects by itself after that many seconds; 0: it has ended
    (``reason`` ``ended`` / ``stopped``) or gave up.
    """

    source: str
    platform: str
    reason: str
    """A :class:`app.vocab.DisconnectReason` value."""
    message: str = ""
    """What happened, in words a seller understands."""
    hint: str = ""
    """What to do about it (default: :data:`app.vocab.DISCONNECT_HINTS` for ``reason``)."""
    retry_in_s: float = 0.0
    """Seconds until the next connection attempt; 0 = no further attempt."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ViewerCountUpdated(Event):
    """A live source reported the size of its audience (for the status bar; not a Received)."""

    source: str
    platform: str
    count: int
    measure: str = "viewers"
    """``viewers`` (people in the room now) or ``popularity`` (Bilibili's 人气 figure from the
    heartbeat reply, a platform score rather than a head count)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class IngestClientChanged(Event):
    """A grabber connected to or left the local ingest endpoint (``ingest:`` source).

    The endpoint itself stays connected (``SourceConnected``) while grabbers come and go; this
    tells the status bar how many are feeding it.
    """

    source: str
    """The ingest source's spec, e.g. ``ingest:17321``."""
    client: str
    """The grabber's name (its ``client`` parameter, e.g. ``browser-bridge``) or ``ws-<n>``."""
    connected: bool
    """True when it connected, False when it left."""
    clients: int
    """Grabbers connected after this change."""
    detail: str = ""
    """What it said about itself (platform, page) or why it left (close code, dropped)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StreamTimeAdvanced(Event):
    """Stream time reached ``t`` (published every ``clock_tick_s`` of stream time, also during
    silence), so windows and the idle rotation follow stream time in replays and live alike.
    Not written to the event log."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorOccurred(Event):
    """Something went wrong; the stream goes on. Shown to the seller with ``hint``."""

    code: str
    """Stable machine-readable code, e.g. ``session-line-malformed``, ``tts-failed``."""
    message: str
    """What happened, in words a seller understands."""
    hint: str = ""
    """What to do about it."""
    stage: str = ""
    msg_id: str = ""


def to_record(event: Event) -> dict[str, Any]:
    """Convert an event to a JSON-ready dict with its class name under ``"type"``."""

    def conv(v: Any) -> Any:
        if isinstance(v, Decimal):
            return format(v, "f")
        if isinstance(v, Slots):
            return v.as_dict()
        if dataclasses.is_dataclass(v):
            return {f.name: conv(getattr(v, f.name)) for f in dataclasses.fields(v)}
        if isinstance(v, (list, tuple)):
            return [conv(x) for x in v]
        return v

    rec = {"type": type(event).__name__}
    rec.update({f.name: conv(getattr(event, f.name)) for f in dataclasses.fields(event)})
    return rec


def _event_classes() -> dict[str, type[Event]]:
    out: dict[str, type[Event]] = {}
    todo = [Event]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            out[sub.__name__] = sub
            todo.append(sub)
    return out


def _from_value(tp: Any, v: Any) -> Any:
    import types
    import typing

    if v is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _from_value(args[0], v) if len(args) == 1 else v
    if origin is tuple:
        args = typing.get_args(tp)
        item = args[0] if args else Any
        return tuple(_from_value(item, x) for x in v)
    if tp is Decimal:
        return Decimal(str(v))
    if tp is Slots:
        return Slots(**{k: _from_value(_SLOT_HINTS[k], x) for k, x in v.items() if k in _SLOT_HINTS})
    if isinstance(tp, type) and dataclasses.is_dataclass(tp) and isinstance(v, dict):
        hints = typing.get_type_hints(tp)
        return tp(**{k: _from_value(hints[k], x) for k, x in v.items() if k in hints})
    return v


_SLOT_HINTS: dict[str, Any] = {}


def from_record(rec: dict[str, Any]) -> Event:
    """The event a :func:`to_record` dict describes (the inverse of :func:`to_record`).

    Raises:
        ValueError: the record's ``type`` is not an event class of this LiveHost.
    """
    import typing

    if not _SLOT_HINTS:
        _SLOT_HINTS.update(typing.get_type_hints(Slots))
    classes = _event_classes()
    cls = classes.get(rec.get("type", ""))
    if cls is None:
        raise ValueError(f"unknown event type {rec.get('type')!r}")
    hints = typing.get_type_hints(cls)
    kwargs = {k: _from_value(hints[k], v) for k, v in rec.items() if k != "type" and k in hints}
    return cls(**kwargs)
