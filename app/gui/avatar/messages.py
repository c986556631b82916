"""The message stream between the console and the avatar process (issue 18).

The avatar window runs in a child process (:mod:`app.gui.avatar.process`) so that the core's
Python work in the console's interpreter never delays a frame. The console drives it with the
small typed messages below; each is one JSON line ``{"v": 1, "type": "SpeakLine", ...fields}``
(UTF-8, ``\\n``-terminated) on the child's stdin (console -> avatar: commands, verbs) or on its
stdout (avatar -> console: facts, past tense). :data:`STREAM_VERSION` is checked on every line.

Qt-free and numpy-free: both sides import it, and it must stay cheap.

Times are ``time.monotonic()`` seconds. On Linux (CLOCK_MONOTONIC), Windows
(QueryPerformanceCounter) and macOS (mach_absolute_time) that clock is system-wide, so a time
taken in the console means the same instant in the avatar process.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

from app.errors import LiveHostError

__all__ = [
    "STREAM_VERSION", "Message", "MessageError", "decode", "encode",
    # console -> avatar
    "OpenWindow", "SpeakLine", "StopSpeaking", "ShowExpression", "ApplyLook", "ShowWindow", "SaveScreenshot",
    "ReportFrames", "ReportState", "Quit",
    # avatar -> console
    "AvatarReady", "AvatarFailed", "WindowClosed", "WindowMoved", "FramesReported", "StateReported",
    "ScreenshotSaved",
]

STREAM_VERSION = 1
"""Version of the line format and of the message set; a line with another ``v`` is refused."""


class MessageError(LiveHostError):
    """A line of the avatar stream could not be read (not JSON, other version, unknown type or
    fields). Code ``avatar-message-invalid``."""

    def __init__(self, message: str) -> None:
        super().__init__("avatar-message-invalid", message,
                         "The console and the avatar process come from different LiveHost versions: reinstall.")


@dataclass(frozen=True, slots=True)
class Message:
    """Base of every avatar-stream message."""


# --------------------------------------------------------------------------- console -> avatar


@dataclass(frozen=True, slots=True)
class OpenWindow(Message):
    """The first command: create the ``LiveHost Avatar`` window with these settings."""

    look: str = "studio"
    """A look of ``assets/avatar/avatar.json``."""
    background: str = "#00FF00"
    """``#RRGGBB`` / a Qt colour name, or an image path."""
    aspect: str | None = "9:16"
    """``9:16``, ``16:9`` or ``None`` (free)."""
    size: tuple[int, int] = (405, 720)
    """Window size, logical pixels (width, height)."""
    position: tuple[int, int] | None = None
    """Top-left corner on the desktop, logical pixels; ``None`` = where the window manager puts it."""
    subtitles: bool = True
    badge: bool = True
    fps: float = 60.0
    seed: int | None = None
    """Seeds the blink timing (``None`` = different every run)."""
    visible: bool = True
    """Show the window at once (a restarted avatar that the seller had closed stays hidden)."""


@dataclass(frozen=True, slots=True)
class SpeakLine(Message):
    """Move the mouth to a reply's audio and show its subtitle."""

    reply_id: str
    text: str
    """What is said (subtitles)."""
    envelope: tuple[float, ...]
    """RMS per frame of the reply's audio, 0..1 full scale (``rms_envelope``), one per ``frame_s``."""
    frame_s: float
    """Seconds per envelope frame (1/60)."""
    heard_at: float
    """Monotonic time (s) the first sample is heard (playback start + output latency); the mouth
    follows ``now - heard_at`` and stays shut before it."""
    intent: str | None = None
    """The reply's intent / kind: picks the expression."""


@dataclass(frozen=True, slots=True)
class StopSpeaking(Message):
    """Close the mouth and clear the subtitle now (panic mute, speech finished)."""

    sent_at: float = 0.0
    """Monotonic time (s) the console sent it (the avatar reports how late it applied it)."""


@dataclass(frozen=True, slots=True)
class ShowExpression(Message):
    """Show an expression for ``hold_s`` seconds without speaking."""

    expression: str
    """``neutral``, ``warm``, ``apologetic`` or ``presenting``."""
    hold_s: float = 2.0
    unless_speaking: bool = False
    """Ignore it while a line is spoken (the now-selling pose must not cut a reply's expression)."""


@dataclass(frozen=True, slots=True)
class ApplyLook(Message):
    """Change the window's look (the seller's avatar preferences)."""

    look: str
    background: str
    aspect: str | None
    subtitles: bool
    badge: bool


@dataclass(frozen=True, slots=True)
class ShowWindow(Message):
    """Show and raise the window (View -> Show avatar window)."""


@dataclass(frozen=True, slots=True)
class SaveScreenshot(Message):
    """Save the window's current frame as a PNG; answered by :class:`ScreenshotSaved`."""

    path: str


@dataclass(frozen=True, slots=True)
class ReportFrames(Message):
    """Send the frame record (:class:`FramesReported`); ``reset`` then clears it."""

    reset: bool = False


@dataclass(frozen=True, slots=True)
class ReportState(Message):
    """Send what the window shows now (:class:`StateReported`)."""


@dataclass(frozen=True, slots=True)
class Quit(Message):
    """Close the window and exit (the console quits)."""


# --------------------------------------------------------------------------- avatar -> console


@dataclass(frozen=True, slots=True)
class AvatarReady(Message):
    """The window is open (after :class:`OpenWindow`)."""

    pid: int
    version: int
    """The avatar's :data:`STREAM_VERSION`."""
    started_s: float
    """Seconds from the process start to the window being shown."""


@dataclass(frozen=True, slots=True)
class AvatarFailed(Message):
    """The window could not be opened (art missing, bad settings); the process then exits."""

    code: str
    message: str
    hint: str = ""


@dataclass(frozen=True, slots=True)
class WindowClosed(Message):
    """The seller closed the avatar window (it is hidden; :class:`ShowWindow` brings it back)."""


@dataclass(frozen=True, slots=True)
class WindowMoved(Message):
    """The window was moved or resized (kept by the console for a restart)."""

    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class FramesReported(Message):
    """The frame record since the last reset (for the benchmark and diagnostics)."""

    tick_times: tuple[float, ...]
    """Monotonic time (s) of every frame-timer tick."""
    paint_s: tuple[float, ...]
    """Wall-clock duration (s) of every paint."""
    fps: float
    """The target frame rate."""


@dataclass(frozen=True, slots=True)
class StateReported(Message):
    """What the window shows at ``at``."""

    at: float
    """Monotonic time (s) of the report."""
    speaking: bool
    mouth_open: float
    """0..1."""
    subtitle: str
    expression: str
    look: str
    visible: bool
    reply_id: str = ""
    """The line being spoken ('' = none)."""
    stop_delay_s: float = -1.0
    """How long after it was sent the last :class:`StopSpeaking` was applied (s; -1 = none yet)."""


@dataclass(frozen=True, slots=True)
class ScreenshotSaved(Message):
    """Answer to :class:`SaveScreenshot`."""

    path: str
    ok: bool


# --------------------------------------------------------------------------- the line format

_TYPES: dict[str, type[Message]] = {c.__name__: c for c in (
    OpenWindow, SpeakLine, StopSpeaking, ShowExpression, ApplyLook, ShowWindow, SaveScreenshot, ReportFrames,
    ReportState, Quit, AvatarReady, AvatarFailed, WindowClosed, WindowMoved, FramesReported, StateReported,
    ScreenshotSaved)}
_TUPLES = {"envelope", "tick_times", "paint_s", "size", "position"}


def encode(msg: Message) -> bytes:
    """One JSON line (UTF-8, ending in ``\\n``) for ``msg``. Floats keep 6 significant digits in
    envelopes (plenty for a 0..1 level)."""
    d: dict[str, Any] = {"v": STREAM_VERSION, "type": type(msg).__name__}
    for f in dataclasses.fields(msg):
        v = getattr(msg, f.name)
        if f.name == "envelope":
            v = [float(f"{x:.6g}") for x in v]
        d[f.name] = list(v) if isinstance(v, tuple) else v
    return (json.dumps(d, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def decode(line: bytes | str) -> Message:
    """The message on one line.

    Raises:
        MessageError: not JSON, another :data:`STREAM_VERSION`, an unknown type or bad fields.
    """
    try:
        d = json.loads(line)
    except ValueError as exc:
        raise MessageError(f"avatar stream line is not JSON: {exc}") from exc
    if not isinstance(d, dict):
        raise MessageError("avatar stream line is not a JSON object")
    if d.get("v") != STREAM_VERSION:
        raise MessageError(f"avatar stream version {d.get('v')!r}, this LiveHost speaks {STREAM_VERSION}")
    cls = _TYPES.get(str(d.get("type")))
    if cls is None:
        raise MessageError(f"unknown avatar message type {d.get('type')!r}")
    fields = {k: (tuple(v) if k in _TUPLES and isinstance(v, list) else v)
              for k, v in d.items() if k not in ("v", "type")}
    try:
        return cls(**fields)
    except TypeError as exc:
        raise MessageError(f"bad {cls.__name__} message: {exc}") from exc
