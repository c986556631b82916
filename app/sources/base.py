"""The chat-source interface: what every source of live-room events implements.

A **chat source** turns one live room (a platform connection, a recorded file, the seller's
microphone, the local ingest endpoint) into LiveHost events. It is opened from a *source spec*
-- ``<kind>:<target>`` such as ``replay:session.jsonl``, ``bilibili:21452505``,
``twitch:somechannel``, ``mic`` -- by :func:`app.sources.open_source`, and run by the session
(:mod:`app.session`), which publishes what it yields into the pipeline.

What a source yields from :meth:`ChatSource.events`:

* :class:`~app.events.Received` events (``ChatReceived``, ``GiftReceived``, ``ViewerFollowed``,
  ``ViewerEntered``, ``LikesReceived``, ``SpeechTranscribed``) with ``t`` = stream time from
  :meth:`SourceContext.now` (a replay uses its file's times), ``source`` = its spec and
  ``viewer.platform`` = its platform. An anonymous viewer (a platform that masks users, e.g.
  Bilibili's uid 0) has ``viewer.uid == ""``: never greeted by name, never one shared viewer.
* health events: :class:`~app.events.SourceConnected` when it is delivering,
  :class:`~app.events.SourceStalled` when it went silent, :class:`~app.events.SourceDisconnected`
  (reason from :class:`app.vocab.DisconnectReason`, ``retry_in_s`` > 0 when it reconnects by
  itself);
* :class:`~app.events.ErrorOccurred` for a bad frame or line (logged once, then skipped) -- a
  bad frame never ends the source;
* anything else a source naturally produces (the microphone's captions and voice commands, a
  replay's now-selling changes and ``StreamTimeAdvanced`` ticks).

The iterator ends when the source has ended for good (a replay file is done, the session is
stopping); a live source reconnects by itself instead of ending. Cancelling the task that
iterates it must always propagate (``asyncio.CancelledError`` is never swallowed).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from app.events import Event


@dataclass(frozen=True)
class SourceContext:
    """What the session hands a running source.

    Attributes:
        now: current stream time, seconds since the session started (wall clock for live
            sessions; a replay session's clock follows its file).
        run_blocking: ``await run_blocking(executor_name, fn, *args)`` runs a blocking call on
            the pipeline's named single-thread executor (vosk decoding, file reads).
        session_id: the session the events belong to.
        settings: the app's :class:`~app.settings.Settings`.
    """

    now: Callable[[], float]
    run_blocking: Callable[..., Awaitable[Any]]
    session_id: str = "session"
    settings: Any = None


@runtime_checkable
class ChatSource(Protocol):
    """One source of live-room events (see the module docstring).

    Required: ``spec``, ``platform`` and :meth:`events`. Optional, looked up with ``getattr``:

    * ``clock_source: bool`` -- True when the events' ``t`` defines stream time (a replay); the
      session then takes its clock from this source instead of the wall clock.
    * ``on_event(event)`` -- called on the event loop for every published event (must not
      block); the microphone uses it to stop listening while the virtual host speaks.
    * ``async aclose()`` -- release connections and devices; called once when the session stops.
    """

    spec: str
    """The spec the source was opened with (``bilibili:21452505``); stamped on its events."""
    platform: str
    """Platform key: ``douyin``, ``taobao``, ``kuaishou``, ``wechat``, ``tiktok``, ``bilibili``,
    ``youtube``, ``twitch``, ``replay`` (a file without a platform), ``host`` (the microphone)."""

    def events(self, ctx: SourceContext) -> AsyncIterator[Event]:
        """The source's events, as they arrive (an async generator)."""
        ...


SourceFactory = Callable[..., ChatSource]
"""``open_source(target, *, settings, endpoint=None, **options) -> ChatSource`` in each
source module; raises :class:`~app.errors.LiveHostError` (``source-spec-invalid``, a missing
file, a missing optional package) before anything runs."""
