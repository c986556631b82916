"""Replay of a recorded live session from a JSON Lines file (the ``livehost replay`` source).

Format (one JSON object per line, UTF-8; ``t`` = stream time in seconds, non-decreasing)::

    {"type":"session","session_id":"demo","platform":"douyin","room_id":"123","title":"..."}
    {"t":12.5,"type":"comment","uid":"u1","nickname":"小美","text":"3号链接多少钱"}
    {"t":13.0,"type":"gift","uid":"u9","nickname":"阿强","gift":"小心心","count":5,
     "streak_id":"g1","streak_end":false}
    {"t":14.0,"type":"follow","uid":"u9","nickname":"阿强"}
    {"t":15.0,"type":"enter","uid":"u7","nickname":"Lily"}
    {"t":16.0,"type":"like","uid":"u7","nickname":"Lily","count":12}
    {"t":20.0,"type":"host_speech","text":"接下来看3号链接"}      # or "audio": "clip.wav"
    {"t":21.0,"type":"now_selling","listing_number":3}

The optional first ``session`` line sets the session id and platform. Any line may carry
``id`` (unique message id; default ``m<line number>``) and ``platform``. A malformed line
becomes an :class:`~app.events.ErrorOccurred` (code ``session-line-malformed``) naming the
line number, and is skipped; the replay goes on.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.errors import LiveHostError, SessionFileError
from app.events import (ChatReceived, ErrorOccurred, Event, GiftReceived, LikesReceived, SetNowSelling,
                        SourceConnected, SourceDisconnected, SpeechTranscribed, ViewerEntered, ViewerFollowed,
                        Viewer)
from app.vocab import DisconnectReason, ErrorCode

_UNDECODABLE = "\x00<undecodable line>"
"""Placeholder for a line that is not UTF-8 (compared by identity)."""

EVENT_TYPES = ("comment", "gift", "follow", "enter", "like", "host_speech", "now_selling")


@dataclass(frozen=True, slots=True)
class SessionHeader:
    session_id: str
    platform: str
    room_id: str = ""
    title: str = ""


def _req(obj: dict[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    if key not in obj:
        raise ValueError(f"missing field '{key}'")
    v = obj[key]
    if not isinstance(v, kind) or isinstance(v, bool) and kind is not bool:
        raise ValueError(f"field '{key}' has the wrong type ({type(v).__name__})")
    return v


MAX_TEXT_CHARS = 500
"""Longest comment / host line handled; platforms cap danmaku far below this. Longer text is
cut (and reported) so one pathological message cannot stall the stream."""


def _clean_str(v: Any) -> Any:
    """Strings without unpaired surrogates (``\ud800`` escapes decode to them and cannot be
    stored or spoken); other values unchanged."""
    if isinstance(v, str):
        return v.encode("utf-8", "replace").decode("utf-8") if _SURROGATE.search(v) else v
    return v


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def parse_line(obj: dict[str, Any], line_no: int, header: SessionHeader, base: Path) -> Event:
    """Turn one decoded session line into an event. Raises ValueError with a readable reason."""
    obj = {k: _clean_str(v) for k, v in obj.items()}
    typ = _req(obj, "type", str)
    if typ not in EVENT_TYPES:
        raise ValueError(f"unknown type '{typ}' (expected one of {', '.join(EVENT_TYPES)})")
    t = float(_req(obj, "t", (int, float)))
    if not math.isfinite(t) or t < 0:
        raise ValueError(f"field 't' must be a finite number of seconds >= 0, got {t}")
    if typ == "now_selling":
        n = _req(obj, "listing_number", int)
        return SetNowSelling(t=t, listing_number=n)
    msg_id = str(obj.get("id") or f"m{line_no}")
    platform = str(obj.get("platform") or header.platform)
    if typ == "host_speech":
        text = obj.get("text", "")
        audio = obj.get("audio", "")
        if not isinstance(text, str) or not isinstance(audio, str) or not (text or audio):
            raise ValueError("host_speech needs 'text' or 'audio'")
        audio_path = str((base / audio).resolve()) if audio else ""
        return SpeechTranscribed(t=t, msg_id=msg_id, viewer=Viewer(platform, "host", "host"),
                                 text=text[:MAX_TEXT_CHARS], audio_path=audio_path)
    uid = obj.get("uid")
    if uid is None or isinstance(uid, (dict, list, bool)) or str(uid).strip() == "":
        raise ValueError("missing field 'uid'")
    nickname = obj.get("nickname", "")
    if not isinstance(nickname, str):
        raise ValueError("field 'nickname' must be text")
    viewer = Viewer(platform, str(uid).strip(), nickname)
    if typ == "comment":
        return ChatReceived(t=t, msg_id=msg_id, viewer=viewer, text=_req(obj, "text", str)[:MAX_TEXT_CHARS])
    if typ == "gift":
        count = obj.get("count", 1)
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise ValueError("field 'count' must be a positive integer")
        streak_id = str(obj.get("streak_id", ""))
        return GiftReceived(t=t, msg_id=msg_id, viewer=viewer, gift_name=_req(obj, "gift", str),
                            count=count, streak_id=streak_id,
                            streak_end=bool(obj.get("streak_end", True)))
    if typ == "follow":
        return ViewerFollowed(t=t, msg_id=msg_id, viewer=viewer)
    if typ == "enter":
        return ViewerEntered(t=t, msg_id=msg_id, viewer=viewer)
    count = obj.get("count", 1)
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise ValueError("field 'count' must be a positive integer")
    return LikesReceived(t=t, msg_id=msg_id, viewer=viewer, count=count)


class ReplayChatSource:
    """Async iterator over the events of a session file, paced to stream time.

    Args:
        path: the session ``.jsonl`` file.
        speed: playback speed multiplier (1.0 = real time); ``None`` or ``inf`` = as fast as possible.
        default_platform: used when the file has no session line.
        transcriber: turns a ``host_speech`` line's ``audio`` file into text (blocking; run on a
            worker thread), e.g. vosk via :func:`app.recognition.transcribe.transcribe_file`. Without
            one, or when it raises :class:`LiveHostError` (no speech model), the line is kept with
            empty text and the problem is reported once.

    Raises:
        SessionFileError(code="session-missing"): the file does not exist or cannot be read
            (raised on construction, so the CLI can exit before starting anything).
    """

    clock_source = True
    """A replay's ``t`` values are the session's stream time."""

    def __init__(self, path: Path, *, speed: float | None = None, default_platform: str = "replay",
                 transcriber: Callable[[Path], str] | None = None) -> None:
        self.path = Path(path)
        self.spec = f"replay:{self.path.name}"
        self.transcriber = transcriber
        if self.path.is_dir():
            raise SessionFileError("session-missing", f"{self.path} is a folder, not a session file.",
                                   "Give the path of a .jsonl session file.")
        if not self.path.is_file():
            raise SessionFileError("session-missing", f"Session file not found: {self.path}",
                                   "Check the path; the demo session is assets/demo/session.jsonl.")
        try:
            raw_lines = self.path.read_bytes().splitlines()
        except OSError as exc:
            raise SessionFileError("session-unreadable", f"Cannot read session file {self.path}: {exc}",
                                   "Check the file's permissions.") from exc
        self._lines = []
        undecodable = 0
        for i, raw in enumerate(raw_lines):
            if i == 0:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            try:
                self._lines.append(raw.decode("utf-8"))
            except UnicodeDecodeError:
                undecodable += 1
                self._lines.append(_UNDECODABLE)  # reported with its line number, then skipped
        if raw_lines and undecodable == sum(1 for r in raw_lines if r.strip()):
            raise SessionFileError("session-unreadable", f"{self.path} is not UTF-8 text.",
                                   "Save the file as UTF-8 JSON Lines.")
        if not any(raw.strip() for raw in self._lines) or all(
                _is_header_line(raw) for raw in self._lines if raw.strip()):
            raise SessionFileError(ErrorCode.SESSION_EMPTY, f"{self.path} has no events.",
                                   "Record a session first (livehost record ...) or check you chose the right file.")
        self.speed = None if speed is None or speed == float("inf") else float(speed)
        if self.speed is not None and self.speed <= 0:
            raise SessionFileError("session-speed-invalid", f"Speed must be positive, got {speed}",
                                   "Use --speed 1 for real time or --speed max.")
        self.header = SessionHeader(session_id=self.path.stem, platform=default_platform)
        for raw in self._lines:
            if raw.strip():
                try:
                    obj = json.loads(raw)
                except json.JSONDecodeError:
                    break
                if isinstance(obj, dict) and obj.get("type") == "session":
                    self.header = SessionHeader(
                        session_id=str(obj.get("session_id") or self.path.stem),
                        platform=str(obj.get("platform") or default_platform),
                        room_id=str(obj.get("room_id", "")), title=str(obj.get("title", "")))
                break

    @property
    def platform(self) -> str:
        """The session file's platform (its header line), else the default platform."""
        return self.header.platform

    def iter_events(self) -> Iterator[Event]:
        """All events in file order (no pacing), with ErrorOccurred for malformed lines; starts
        with ``SourceConnected`` and ends with ``SourceDisconnected(reason="ended")``."""
        yield SourceConnected(t=0.0, source=self.spec, platform=self.header.platform, detail=str(self.path))
        last_t = 0.0
        seen_ids: set[str] = set()
        for line_no, raw in enumerate(self._lines, start=1):
            if not raw.strip():
                continue
            try:
                if raw is _UNDECODABLE:
                    raise ValueError("the line is not valid UTF-8 text")
                obj = json.loads(raw)
                if not isinstance(obj, dict):
                    raise ValueError("a line must be a JSON object")
                if obj.get("type") == "session":
                    continue
                event = parse_line(obj, line_no, self.header, self.path.parent)
                msg_id = getattr(event, "msg_id", None)
                if msg_id is not None:
                    if msg_id in seen_ids:
                        raise ValueError(f"duplicate id '{msg_id}'")
                    seen_ids.add(msg_id)
            except (ValueError, TypeError) as exc:  # JSONDecodeError is a ValueError
                reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
                yield ErrorOccurred(
                    t=last_t, code="session-line-malformed",
                    message=f"{self.path.name} line {line_no}: {reason}; line skipped.",
                    hint="Fix or delete that line; see the session format in the README.",
                    stage="replay")
                continue
            if event.t < last_t:  # keep stream time monotonic; report but keep the event
                yield ErrorOccurred(
                    t=last_t, code="session-time-backwards",
                    message=f"{self.path.name} line {line_no}: t={event.t} is earlier than the "
                            f"line before (t={last_t}); handled at t={last_t}.",
                    hint="Sort the session file by t.", stage="replay")
                event = _retime(event, last_t)
            last_t = event.t
            yield event
        yield SourceDisconnected(t=last_t, source=self.spec, platform=self.header.platform,
                                 reason=DisconnectReason.ENDED, message=f"{self.path.name}: end of the session file.")

    async def events(self, ctx=None) -> AsyncIterator[Event]:
        """The events paced by ``speed`` (sleeps between stream times); ``ctx`` (a
        :class:`~app.sources.base.SourceContext`) is not needed: the file is the clock."""
        start = time.monotonic()
        told: set[str] = set()
        for event in self.iter_events():
            if isinstance(event, SpeechTranscribed) and event.audio_path and not event.text:
                event, error = await self._transcribe(event)
                if error is not None and error.code not in told:
                    if error.code == "asr-model-missing":
                        told.add(error.code)
                    yield error
            if self.speed is not None:
                due = start + event.t / self.speed
                delay = due - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            else:
                await asyncio.sleep(0)  # let stages run between events
            yield event

    def __aiter__(self) -> AsyncIterator[Event]:
        return self.events()

    async def _transcribe(self, event: SpeechTranscribed) -> tuple[SpeechTranscribed, ErrorOccurred | None]:
        if self.transcriber is None:
            return event, ErrorOccurred(
                t=event.t, code="asr-model-missing", stage="replay", msg_id=event.msg_id,
                message="Host speech given as audio cannot be transcribed: no speech recognizer is set up.",
                hint="Install a model with `livehost models install small-cn`.")
        try:
            text = await asyncio.to_thread(self.transcriber, Path(event.audio_path))
        except LiveHostError as exc:
            return event, ErrorOccurred(t=event.t, code=exc.code, message=exc.message, hint=exc.hint,
                                        stage="replay", msg_id=event.msg_id)
        return _retime(event, event.t, text=text), None


def _is_header_line(raw: str) -> bool:
    try:
        obj = json.loads(raw)
    except (json.JSONDecodeError, TypeError):
        return False
    return isinstance(obj, dict) and obj.get("type") == "session"


def _retime(event: Event, t: float, **changes) -> Event:
    import dataclasses

    return dataclasses.replace(event, t=t, **changes)


def open_source(target: str, *, settings=None, endpoint: str | None = None, speed: float | None = None,
                transcriber: Callable[[Path], str] | None = None, **_options) -> ReplayChatSource:
    """``replay:PATH`` -- a recorded session file (see the module docstring).

    Raises:
        SessionFileError: missing or unreadable file, bad speed.
    """
    if not target:
        raise SessionFileError("source-spec-invalid", "replay: needs a session file, e.g. replay:session.jsonl",
                               "Give the path of a .jsonl session file after 'replay:'.")
    platform = getattr(settings, "platform", None) or "replay"
    if transcriber is None and settings is not None:
        from app.recognition.transcribe import settings_transcriber

        transcriber = settings_transcriber(settings)
    return ReplayChatSource(Path(target), speed=speed, default_platform=platform, transcriber=transcriber)
