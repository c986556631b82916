"""The avatar's motion, as pure Python (no Qt): what the host looks like at time ``t``.

The window (:mod:`app.gui.avatar.window`) only *draws* an :class:`AvatarState`; everything that
moves is decided here, so it is unit-tested without a display:

* idle breathing (a 4.2 s sine) and sway (two slow incommensurate sines, so it never looks
  looped), both in the character's own units;
* random blinks from a seeded :class:`random.Random` (intervals 2-6 s, sometimes a double blink);
* mouth openness from the RMS envelope of the audio being played (:class:`MouthTrack`), looked
  up at the *playback position* the window is given, so the mouth follows the sound's own clock
  rather than a frame counter;
* the expression and pose chosen by the reply's intent (:func:`expression_for_intent`);
* which piece of the reply the subtitle shows (:func:`subtitle_chunks`, timed at the pauses of
  the audio by :func:`subtitle_timing`).

Times are seconds. ``now`` is any monotonic clock (the window passes ``time.monotonic()``); the
playback position comes from a ``clock`` callable (seconds into the audio being heard).
"""

from __future__ import annotations

import math
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from app.playback.sounddevice import rms_envelope  # the envelope the player itself computes

__all__ = [
    "EXPRESSIONS", "EXPRESSION_BY_INTENT", "MOUTH_CLOSED_BELOW", "AvatarState", "Animator",
    "MouthParams", "MouthTrack", "PlaybackClock", "expression_for_intent", "mouth_openness",
    "rms_envelope", "subtitle_chunks", "subtitle_timing",
]

EXPRESSIONS: tuple[str, ...] = ("neutral", "warm", "apologetic", "presenting")
"""Every expression the art has (eyebrows, eyes, mouth curve, pose)."""

EXPRESSION_BY_INTENT: dict[str, str] = {
    # thanks and compliments -> warm smile, happy eyes, blush
    "compliment": "warm", "gift": "warm", "follow": "warm", "like": "warm", "greeting": "warm",
    "purchase_intent": "warm", "thanks": "warm",
    # complaints -> apologetic brows, small mouth
    "complaint": "apologetic",
    # product introductions -> presenting pose (open hand towards the product)
    "product_detail": "presenting", "recommendation_request": "presenting",
    "introduce": "presenting", "script": "presenting", "now_selling": "presenting",
}
"""Reply kind -> expression. Keys are the 14 intents of :mod:`app.understanding.labels` plus the
reply kinds the reply stage uses for events (``gift``, ``follow``, ``like``) and the names a
product introduction may carry (``introduce``, ``script``, ``now_selling``). Anything else
(price, size_fit, shipping, ... and unknown kinds) is ``neutral`` -- a friendly resting face."""

MOUTH_CLOSED_BELOW = 0.12
"""Openness below this is drawn as a closed mouth (a lip line)."""


def expression_for_intent(intent: str | None) -> str:
    """The expression for a reply's intent / kind (see :data:`EXPRESSION_BY_INTENT`);
    ``neutral`` for ``None``, empty or unknown values. Case-insensitive."""
    return EXPRESSION_BY_INTENT.get((intent or "").strip().lower(), "neutral")


# --------------------------------------------------------------------------- audio -> mouth


@dataclass(frozen=True, slots=True)
class MouthParams:
    """How an RMS envelope becomes mouth openness.

    Level in dBFS: ``L = 20*log10(rms)`` (rms on a 0..1 full-scale basis). Frames below
    ``gate_db`` are silence (noise gate: breath noise and dither keep the mouth shut). The
    utterance's reference loudness ``ref`` is the ``ref_percentile`` of the frames above the gate
    (clamped to ``[gate_db + min_range_db, 0]``), so quiet and loud voices both use the whole
    mouth range. Target ``o = clip((L - gate_db) / (ref - gate_db), 0, 1) ** gamma``; it is then
    smoothed with a one-pole filter whose time constant is ``attack_s`` while opening and
    ``release_s`` while closing (per-frame coefficient ``1 - exp(-frame_s / tau)``).

    The defaults open a 60 fps mouth to >= 0.87 of its target on the first loud frame and close
    it below :data:`MOUTH_CLOSED_BELOW` on the second silent frame, which keeps the lips in step
    with syllables without frame-to-frame flicker.
    """

    gate_db: float = -48.0
    """dBFS; quieter frames count as silence."""
    min_range_db: float = 12.0
    """dB; the reference loudness is at least this far above the gate."""
    ref_percentile: float = 90.0
    gamma: float = 0.8
    """< 1 opens the mouth a little more on soft syllables."""
    attack_s: float = 0.008
    release_s: float = 0.012


class MouthTrack:
    """Mouth openness (0..1) per envelope frame for one utterance, computed once.

    Args:
        envelope: RMS per frame, shape ``(n,)``, 0..1 full scale (e.g. from :func:`rms_envelope`).
        frame_s: seconds per envelope frame (> 0).
        params: see :class:`MouthParams`.

    Raises:
        ValueError: ``frame_s <= 0`` or ``envelope`` not one-dimensional.
    """

    def __init__(self, envelope: np.ndarray, frame_s: float, params: MouthParams = MouthParams()) -> None:
        if frame_s <= 0:
            raise ValueError("frame_s must be positive")
        env = np.asarray(envelope, dtype=np.float64)
        if env.ndim != 1:
            raise ValueError(f"envelope must have shape (n,), got {env.shape}")
        self.frame_s = float(frame_s)
        self.params = params
        db = 20.0 * np.log10(np.maximum(env, 1e-9))
        voiced = db[db > params.gate_db]
        ref = float(np.percentile(voiced, params.ref_percentile)) if voiced.size else 0.0
        ref = min(max(ref, params.gate_db + params.min_range_db), 0.0)
        target = np.clip((db - params.gate_db) / (ref - params.gate_db), 0.0, 1.0) ** params.gamma
        a_up = 1.0 - math.exp(-frame_s / params.attack_s) if params.attack_s > 0 else 1.0
        a_dn = 1.0 - math.exp(-frame_s / params.release_s) if params.release_s > 0 else 1.0
        out = np.empty_like(target)
        y = 0.0
        for i, x in enumerate(target.tolist()):
            y += (a_up if x > y else a_dn) * (x - y)
            out[i] = y
        self.values: np.ndarray = out.astype(np.float32)
        """Openness per frame, shape ``(n,)``, 0..1."""

    @property
    def duration_s(self) -> float:
        """Length of the envelope in seconds."""
        return len(self.values) * self.frame_s

    def at(self, t_playback: float) -> float:
        """Openness while the audio at ``t_playback`` seconds is heard: the value of the frame
        that contains ``t_playback`` (``floor(t / frame_s)``); 0 before the start and after the
        end. No interpolation, so the mouth never anticipates or lags a syllable by a frame."""
        if t_playback < 0 or not len(self.values):
            return 0.0
        i = int(t_playback / self.frame_s + 1e-9)
        return float(self.values[i]) if i < len(self.values) else 0.0


def mouth_openness(envelope: np.ndarray, t_playback: float, frame_s: float,
                   params: MouthParams = MouthParams()) -> float:
    """Mouth openness 0..1 at ``t_playback`` seconds into audio whose RMS envelope (one value per
    ``frame_s`` seconds) is ``envelope``; see :class:`MouthParams` for the mapping (noise gate,
    per-utterance reference level, attack/release smoothing). Builds a :class:`MouthTrack`;
    keep the track when asking for many times of one utterance."""
    return MouthTrack(envelope, frame_s, params).at(t_playback)


class PlaybackClock:
    """Thread-safe playback position, fed by the player, read by the window every frame.

    The sounddevice player calls ``on_envelope(t_s, rms)`` about 60 times a second on its
    playback thread; :meth:`position` returns the last reported position advanced by the
    monotonic time since that report (capped at ``max_extrapolate_s`` so a stalled stream does
    not run the mouth ahead), minus ``latency_s`` (the output device's latency: the sample handed
    to PortAudio is heard that much later).

    Usage::

        clock = PlaybackClock(latency_s=stream_latency)
        future = player.play_async(wav, on_envelope=clock.on_envelope)
        future.add_done_callback(lambda _f: clock.finish())  # stopped or done: mouth closes
        avatar.speak(text, envelope, 1 / 60, intent, clock=clock.position)
    """

    def __init__(self, latency_s: float = 0.0, max_extrapolate_s: float = 0.1,
                 now: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._t = 0.0
        self._at: float | None = None
        self._finished = False
        self.latency_s = float(latency_s)
        self.max_extrapolate_s = float(max_extrapolate_s)
        self._now = now

    def on_envelope(self, t_s: float, _rms: float = 0.0) -> None:
        """Report that the audio at ``t_s`` seconds is being handed to the device now."""
        with self._lock:
            self._t, self._at = float(t_s), self._now()

    def finish(self) -> None:
        """The playback ended or was stopped: from now on :meth:`position` is +inf, so an
        avatar following this clock stops speaking on its next frame."""
        with self._lock:
            self._finished = True

    def position(self) -> float:
        """Seconds into the audio being heard now; negative before the first report, +inf
        after :meth:`finish`."""
        with self._lock:
            t, at, finished = self._t, self._at, self._finished
        if finished:
            return math.inf
        if at is None:
            return -1.0
        return t + min(self._now() - at, self.max_extrapolate_s) - self.latency_s


_SENTENCE_END = re.compile(r"(?<=[。！？!?；;…])\s*|(?<=[.])\s+")
_CLAUSE_END = re.compile(r"(?<=[，,、：:])\s*")


def _display_width(text: str) -> float:
    """Width in CJK-character units: a CJK character or full-width mark is 1, anything else
    about half (Latin letters, digits, spaces in a sans-serif font)."""
    return sum(1.0 if ("\u2e80" <= ch <= "\u9fff" or "\uf900" <= ch <= "\uffef") else 0.55
               for ch in text)


def subtitle_chunks(text: str, max_width: float = 22.0) -> list[str]:
    """Split a reply into the pieces shown one at a time: sentences (after 。！？!?；; … and
    ". "), and sentences wider than ``max_width`` (in CJK-character units: a Latin letter counts
    0.55) further at commas (，,、：:). Empty pieces are dropped; a text without punctuation is
    one piece."""
    out: list[str] = []
    for sentence in _SENTENCE_END.split(text.strip()):
        sentence = sentence.strip()
        if not sentence:
            continue
        if _display_width(sentence) <= max_width:
            out.append(sentence)
            continue
        cur = ""
        for clause in _CLAUSE_END.split(sentence):
            if cur and _display_width(cur + clause) > max_width:
                out.append(cur.strip())
                cur = ""
            cur += clause
        if cur.strip():
            out.append(cur.strip())
    return out


def _speech_weight(chunk: str) -> float:
    """Rough speaking time of a chunk in "CJK syllables": a CJK character is one syllable, a
    Latin letter or digit ~0.4 (English runs ~2.5 letters per syllable), punctuation a short pause."""
    w = 0.0
    for ch in chunk:
        if "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff":
            w += 1.0
        elif ch.isalnum():
            w += 0.4
        elif not ch.isspace():
            w += 0.3
    return max(w, 0.5)


def subtitle_timing(chunks: list[str], track: MouthTrack, snap_s: float = 0.6) -> list[float]:
    """Start time (s) of each chunk within the audio of ``track``.

    Boundaries are first placed in proportion to each chunk's estimated speaking time
    (:func:`_speech_weight`), then each is moved to the middle of the longest silent run (mouth
    closed) within ``snap_s`` seconds of the estimate -- TTS engines pause between sentences,
    so the subtitle changes in the pause. Returns ``[0.0, t1, ...]`` (len = len(chunks))."""
    if not chunks:
        return []
    dur = track.duration_s
    weights = np.array([_speech_weight(c) for c in chunks])
    est = np.concatenate([[0.0], np.cumsum(weights)[:-1] / weights.sum() * dur])
    silent = track.values < MOUTH_CLOSED_BELOW
    starts = [0.0]
    for b in est[1:]:
        lo = max(0, int((b - snap_s) / track.frame_s))
        hi = min(len(silent), int((b + snap_s) / track.frame_s) + 1)
        best, best_len, i = b, 0, lo
        while i < hi:
            if silent[i]:
                j = i
                while j < hi and silent[j]:
                    j += 1
                if j - i > best_len:
                    best, best_len = (i + j) / 2 * track.frame_s, j - i
                i = j
            else:
                i += 1
        starts.append(max(best, starts[-1]))
    return starts


# --------------------------------------------------------------------------- state


@dataclass(frozen=True, slots=True)
class AvatarState:
    """Everything the renderer needs for one frame (character units: the art's SVG viewBox)."""

    breath: float = 0.0
    """-1..1; the chest rises (and head lifts) with positive values."""
    sway_deg: float = 0.0
    """Head/upper body tilt in degrees (positive = clockwise on screen)."""
    sway_x: float = 0.0
    """Horizontal drift of the upper body, art units."""
    eye_open: float = 1.0
    """0 (closed) .. 1 (open)."""
    mouth_open: float = 0.0
    """0..1, from the audio envelope."""
    expression: str = "neutral"
    """One of :data:`EXPRESSIONS`."""
    speaking: bool = False
    subtitle: str = ""
    """The sentence (or clause of a long sentence) being spoken now; empty = none."""


@dataclass
class _Speech:
    text: str
    track: MouthTrack
    expression: str
    clock: Callable[[], float]
    chunks: list[str]
    starts: list[float]

    def subtitle_at(self, t: float) -> str:
        if not self.chunks:
            return ""
        i = max(0, int(np.searchsorted(self.starts, t, side="right")) - 1)
        return self.chunks[i]


@dataclass
class Animator:
    """Idle motion, blinks, speech and expression over time.

    Args:
        seed: seeds the blink RNG (same seed, same blinks).
        breath_period_s: one breath.
        blink_interval_s: (min, max) seconds between blinks, uniform.
        blink_s: one blink, close + open.
        double_blink_p: chance a blink is followed by a second one 0.25 s later.
        expression_hold_s: the reply's expression stays this long after the speech ends.

    Call :meth:`state` once per frame with the current monotonic time.
    """

    seed: int | None = None
    breath_period_s: float = 4.2
    blink_interval_s: tuple[float, float] = (2.0, 6.0)
    blink_s: float = 0.16
    double_blink_p: float = 0.15
    expression_hold_s: float = 0.8
    _rng: random.Random = field(init=False, repr=False)
    _next_blink: float | None = field(default=None, init=False, repr=False)
    _blinks: list[float] = field(default_factory=list, init=False, repr=False)
    _speech: _Speech | None = field(default=None, init=False, repr=False)
    _expression: str = field(default="neutral", init=False, repr=False)
    _expression_until: float = field(default=-math.inf, init=False, repr=False)
    blink_count: int = field(default=0, init=False)
    """Blinks started so far (for tests and diagnostics)."""

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    # -- commands
    def speak(self, text: str, envelope: np.ndarray, frame_s: float, intent: str | None,
              clock: Callable[[], float], params: MouthParams = MouthParams(),
              subtitle_width: float = 22.0) -> None:
        """Start speaking ``text`` (subtitled piece by piece, see :func:`subtitle_chunks`): the mouth follows ``envelope`` (RMS per ``frame_s`` s) at the
        playback position ``clock()`` (seconds into the audio; < 0 = not started yet); the
        expression comes from ``intent`` (see :func:`expression_for_intent`). Replaces any
        sentence in progress. ``subtitle_width``: the most text one subtitle may hold, in
        CJK-character widths (see :func:`subtitle_chunks`). Raises ValueError for a bad envelope /
        frame_s."""
        track = MouthTrack(envelope, frame_s, params)
        chunks = subtitle_chunks(text, subtitle_width)
        self._speech = _Speech(text=text, track=track, expression=expression_for_intent(intent),
                               clock=clock, chunks=chunks, starts=subtitle_timing(chunks, track))
        self._expression = self._speech.expression
        self._expression_until = math.inf

    def stop(self, now: float) -> None:
        """Stop speaking at once (panic mute): the next :meth:`state` has a closed mouth and no
        subtitle; the expression relaxes after ``expression_hold_s``."""
        if self._speech is not None:
            self._speech = None
            self._expression_until = now + self.expression_hold_s

    def set_expression(self, expression: str, now: float, hold_s: float = 2.0) -> None:
        """Show ``expression`` (one of :data:`EXPRESSIONS`) for ``hold_s`` seconds (or while a
        sentence is spoken). Raises ValueError for an unknown expression."""
        if expression not in EXPRESSIONS:
            raise ValueError(f"unknown expression {expression!r}; choose from {EXPRESSIONS}")
        self._expression = expression
        self._expression_until = math.inf if self._speech is not None else now + hold_s

    @property
    def speaking(self) -> bool:
        """True while a sentence is being spoken (until its audio ends or :meth:`stop`)."""
        return self._speech is not None

    # -- per frame
    def _eye_open(self, now: float) -> float:
        if self._next_blink is None:
            self._next_blink = now + self._rng.uniform(*self.blink_interval_s)
        while now >= self._next_blink:
            start = self._next_blink
            self._blinks.append(start)
            self.blink_count += 1
            if self._rng.random() < self.double_blink_p:
                self._next_blink = start + 0.25 + self.blink_s
            else:
                self._next_blink = start + self.blink_s + self._rng.uniform(*self.blink_interval_s)
        self._blinks = [b for b in self._blinks if now - b < self.blink_s]
        eye = 1.0
        for b in self._blinks:
            u = (now - b) / self.blink_s  # 0..1: close in the first 40 %, shut 20 %, open 40 %
            if u < 0:
                continue
            v = u / 0.4 if u < 0.4 else 1.0 if u < 0.6 else (1.0 - u) / 0.4
            eye = min(eye, 1.0 - min(max(v, 0.0), 1.0))
        return eye

    def state(self, now: float) -> AvatarState:
        """The pose at monotonic time ``now`` (seconds). Call with non-decreasing ``now``."""
        breath = math.sin(2 * math.pi * now / self.breath_period_s)
        sway = 1.1 * math.sin(2 * math.pi * now / 7.3) + 0.5 * math.sin(2 * math.pi * now / 3.1 + 1.0)
        sway_x = 3.0 * math.sin(2 * math.pi * now / 9.7 + 0.4)
        mouth, subtitle = 0.0, ""
        sp = self._speech
        if sp is not None:
            t = sp.clock()
            if t >= sp.track.duration_s:
                self._speech = None
                self._expression_until = now + self.expression_hold_s
            else:
                mouth, subtitle = sp.track.at(t), sp.subtitle_at(t)
        if self._speech is None and now >= self._expression_until:
            self._expression = "neutral"
        if self._speech is not None:  # talking heads move a little more
            sway *= 1.4
        return AvatarState(breath=breath, sway_deg=sway, sway_x=sway_x, eye_open=self._eye_open(now),
                           mouth_open=mouth, expression=self._expression,
                           speaking=self._speech is not None, subtitle=subtitle)
