"""The shared machinery of live (network) chat sources: reconnect, watchdog, bad frames.

A platform module subclasses :class:`LiveChatSource` and implements one method,
:meth:`LiveChatSource.connect`, which opens ONE connection, reports events through the
:class:`Link` it is given, and returns (or raises) when that connection is over. Everything
around it lives here:

* **Reconnect** with exponential backoff and jitter (:class:`Backoff`): the first retry comes
  within 5 s, later ones grow to 60 s; a connection that stayed up ``Backoff.stable_s`` resets
  the growth. Every lost connection yields a :class:`~app.events.SourceDisconnected` with a
  :class:`~app.vocab.DisconnectReason` (see :func:`classify`) and ``retry_in_s``.
* **Watchdog**: no event and no heartbeat reply (:meth:`Link.alive`) for ``stall_timeout_s``
  seconds -> :class:`~app.events.SourceStalled`, then a reconnect.
* **Bad frames** (:meth:`Link.malformed`): reported once per kind of problem as
  ``ErrorOccurred(code="source-frame-malformed")`` and skipped; they never end the source.
* **Duplicates**: a :class:`~app.events.Received` whose ``msg_id`` was already delivered (a
  platform replaying recent chat after a reconnect) is dropped.
* **Cancellation** propagates; when the iterator is closed or cancelled the connection task and
  every task it spawned (:meth:`Link.spawn`) are cancelled and awaited, so no task, socket or
  thread is left behind.

The connection runs as its own task and hands events over an :class:`asyncio.Queue`, so a
protocol's code may freely use timeouts and helper tasks without touching the consumer's task.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass, field
from typing import Any

from app.errors import LiveHostError
from app.events import (ErrorOccurred, Event, GiftReceived, Received, SourceConnected,
                        SourceDisconnected, SourceStalled)
from app.sources.base import SourceContext
from app.vocab import DISCONNECT_HINTS, DisconnectReason, ErrorCode

log = logging.getLogger(__name__)

QUEUE_SIZE = 4096
"""Events buffered between a connection and the session; a full queue makes the connection
wait (network back-pressure) -- callbacks that cannot wait drop and report (:meth:`Link.emit_nowait`)."""

SEEN_IDS = 4096
"""How many recent message ids are remembered to drop re-delivered messages."""


@dataclass(frozen=True)
class Backoff:
    """Reconnect delays: ``min(max_s, first_s * factor**n)`` for the n-th retry in a row
    (n = 0, 1, ...), times a random factor in ``[1 - jitter, 1 + jitter]`` so many clients do
    not reconnect in lock-step ("exponential backoff and jitter", AWS Architecture Blog, 2015).

    Attributes:
        first_s: delay before the first retry, seconds; ``first_s * (1 + jitter)`` <= 5.
        factor: growth per failed retry.
        max_s: longest delay, seconds.
        jitter: relative spread (0..0.5).
        stable_s: a connection that delivered and stayed up this long resets the growth, seconds.
    """

    first_s: float = 1.0
    factor: float = 2.0
    max_s: float = 60.0
    jitter: float = 0.25
    stable_s: float = 30.0

    def __post_init__(self) -> None:
        if not (0 < self.first_s and self.first_s * (1 + self.jitter) <= 5.0):
            raise ValueError("the first retry must come within 5 s (first_s * (1 + jitter) <= 5)")
        if self.factor < 1 or self.max_s < self.first_s or not 0 <= self.jitter <= 0.5 or self.stable_s < 0:
            raise ValueError("invalid backoff (factor >= 1, max_s >= first_s, 0 <= jitter <= 0.5)")

    def delay(self, retry: int, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (0 = the first retry)."""
        base = min(self.max_s, self.first_s * self.factor ** min(retry, 64))
        r = (rng or random).uniform(1 - self.jitter, 1 + self.jitter)
        return round(min(self.max_s * (1 + self.jitter), max(0.01, base * r)), 3)


class SourceFailure(Exception):
    """Raised by a connection to say why it ended, in the seller's terms.

    Args:
        reason: a :class:`~app.vocab.DisconnectReason`.
        message: what happened, for the seller.
        hint: what to do (default: :data:`~app.vocab.DISCONNECT_HINTS` for ``reason``).
        retry: False = do not reconnect (wrong room id ...): the source ends.
        retry_in_s: a delay the platform asked for (overrides the backoff).
        count_retry: False = this does not count as a failure for the backoff (a reconnect the
            platform requested).
    """

    def __init__(self, reason: DisconnectReason, message: str, *, hint: str = "", retry: bool = True,
                 retry_in_s: float | None = None, count_retry: bool = True) -> None:
        super().__init__(message)
        self.reason = DisconnectReason(reason)
        self.message = message
        self.hint = hint
        self.retry = retry
        self.retry_in_s = retry_in_s
        self.count_retry = count_retry


@dataclass
class _End:
    exc: BaseException | None


@dataclass
class SourceStats:
    """Counters of one source, for the status bar and the bench."""

    connects: int = 0
    disconnects: int = 0
    stalls: int = 0
    events: int = 0
    malformed: int = 0
    duplicates: int = 0
    dropped: int = 0
    last_connected_at: float = 0.0
    """``time.monotonic()`` of the last SourceConnected."""
    reasons: list[str] = field(default_factory=list)


class Link:
    """What one connection attempt uses to talk to its source (created by the base).

    All methods must be called on the event loop.
    """

    def __init__(self, source: "LiveChatSource", ctx: SourceContext, attempt: int) -> None:
        self.source = source
        self.ctx = ctx
        self.attempt = attempt
        """Connection attempts before this one (0 = the first)."""
        self.queue: asyncio.Queue[Any] = asyncio.Queue(QUEUE_SIZE)
        self.last_alive = time.monotonic()
        self.connected_at: float | None = None
        self._tasks: set[asyncio.Task] = set()

    def now(self) -> float:
        """Stream time, seconds (``ctx.now()``): the ``t`` of every event built now."""
        return self.ctx.now()

    def alive(self) -> None:
        """The platform showed it is there (a heartbeat reply): feeds the watchdog."""
        self.last_alive = time.monotonic()

    def _accept(self, event: Event) -> bool:
        self.last_alive = time.monotonic()
        if isinstance(event, Received):
            if not self.source.remember(event.msg_id):
                self.source.stats.duplicates += 1
                return False
        return True

    async def emit(self, event: Event) -> None:
        """Hand an event to the session (waits while the queue is full)."""
        if self._accept(event):
            await self.queue.put(event)

    def emit_nowait(self, event: Event) -> bool:
        """For library callbacks that cannot await: False (and counted) when the queue is full."""
        if not self._accept(event):
            return True
        try:
            self.queue.put_nowait(event)
            return True
        except asyncio.QueueFull:
            self.source.stats.dropped += 1
            if self.source.stats.dropped == 1:
                log.warning("%s: the session is not keeping up; events are being dropped", self.source.spec)
            return False

    def _connected_event(self, detail: str) -> SourceConnected:
        self.connected_at = time.monotonic()
        src = self.source
        src.stats.connects += 1
        src.stats.last_connected_at = self.connected_at
        return SourceConnected(t=self.now(), source=src.spec, platform=src.platform, detail=detail)

    async def connected(self, detail: str = "") -> None:
        """The connection is delivering: emits :class:`~app.events.SourceConnected`."""
        await self.emit(self._connected_event(detail))

    def connected_nowait(self, detail: str = "") -> None:
        """:meth:`connected` for library callbacks that cannot await."""
        self.emit_nowait(self._connected_event(detail))

    async def malformed(self, problem: str, message: str) -> None:
        """A frame could not be used: reported once per ``problem`` key, then skipped."""
        src = self.source
        src.stats.malformed += 1
        if problem in src.told:
            return
        src.told.add(problem)
        log.warning("%s: %s", src.spec, message)
        await self.emit(ErrorOccurred(
            t=self.now(), code=ErrorCode.SOURCE_FRAME_MALFORMED, stage=src.platform,
            message=f"{src.spec}: {message}; skipped (further frames like it are skipped silently).",
            hint="If this repeats, the platform may have changed its protocol: report it (README, "
                 "'Platform changes')."))

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str = "") -> asyncio.Task:
        """Start a helper task (heartbeats, timers) that ends with this connection."""
        task = asyncio.get_running_loop().create_task(coro, name=f"{self.source.spec} {name}".strip())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _close(self) -> None:
        await cancel_and_wait(*list(self._tasks))


async def cancel_and_wait(*tasks: asyncio.Task) -> None:
    """Cancel tasks and wait until they are done; the caller's own cancellation propagates."""
    pending = [t for t in tasks if not t.done()]
    for t in pending:
        t.cancel()
    if pending:
        await asyncio.wait(pending)
    for t in tasks:
        if t.done() and not t.cancelled() and t.exception() is not None:
            log.debug("helper task %s ended with %r", t.get_name(), t.exception())


def _status_of(exc: BaseException) -> int | None:
    resp = getattr(exc, "response", None)
    for attr in ("status_code", "status"):
        v = getattr(resp, attr, None) if resp is not None else None
        if isinstance(v, int):
            return v
    v = getattr(exc, "status_code", None)
    return v if isinstance(v, int) else None


def classify(exc: BaseException | None) -> SourceFailure:
    """Translate how a connection ended into a :class:`SourceFailure` a seller can act on.

    ``None`` (the connection returned) and a closed socket -> ``server-closed``; refused,
    unreachable, DNS failure or connect timeout -> ``network-down``; HTTP/WebSocket status 401,
    403, 412, 429 -> ``blocked``, 404 -> ``room-not-found``; anything else -> ``protocol-error``.
    """
    if exc is None:
        return SourceFailure(DisconnectReason.SERVER_CLOSED, "The platform closed the chat connection.")
    if isinstance(exc, SourceFailure):
        return exc
    import httpx
    import websockets.exceptions as wse

    status = _status_of(exc) if isinstance(exc, (httpx.HTTPStatusError, wse.InvalidStatus)) or \
        type(exc).__name__ == "InvalidStatusCode" else None
    if status is not None:
        if status in (401, 403, 412, 429):
            return SourceFailure(DisconnectReason.BLOCKED, f"The platform refused the connection (HTTP {status}).")
        if status == 404:
            return SourceFailure(DisconnectReason.ROOM_NOT_FOUND, "The platform says this room does not exist (HTTP 404).")
        return SourceFailure(DisconnectReason.SERVER_CLOSED, f"The platform answered HTTP {status}.")
    if isinstance(exc, wse.ConnectionClosed):
        code = exc.rcvd.code if exc.rcvd is not None else None
        detail = f" (close code {code})" if code is not None else " without a close frame"
        return SourceFailure(DisconnectReason.SERVER_CLOSED, f"The chat connection was closed{detail}.")
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)):
        return SourceFailure(DisconnectReason.NETWORK_DOWN, f"Cannot reach the platform: {exc or type(exc).__name__}.")
    if isinstance(exc, (httpx.TransportError, EOFError, ConnectionResetError, BrokenPipeError,
                        asyncio.IncompleteReadError, wse.InvalidMessage)):
        return SourceFailure(DisconnectReason.SERVER_CLOSED, f"The connection broke: {exc or type(exc).__name__}.")
    if isinstance(exc, (OSError, TimeoutError)):
        return SourceFailure(DisconnectReason.NETWORK_DOWN, f"Cannot reach the platform: {exc or type(exc).__name__}.")
    if isinstance(exc, LiveHostError):
        return SourceFailure(DisconnectReason.PROTOCOL_ERROR, exc.message, hint=exc.hint)
    log.error("chat source failed unexpectedly", exc_info=exc)
    return SourceFailure(DisconnectReason.PROTOCOL_ERROR,
                         f"Unexpected answer from the platform ({type(exc).__name__}: {exc}).")


class LiveChatSource:
    """Base of the platform sources (see the module docstring).

    Args:
        spec: the source spec (``bilibili:21452505``), stamped on events.
        endpoint: server URL override (tests, relays); ``None`` = the platform's own.
        stall_timeout_s: watchdog, seconds without events or heartbeat replies.
        backoff: reconnect delays.
        rng: random source for the jitter (tests pass a seeded one).

    Subclasses set ``platform`` and implement :meth:`connect`.
    """

    platform = "live"

    def __init__(self, spec: str, *, endpoint: str | None = None, stall_timeout_s: float = 60.0,
                 backoff: Backoff | None = None, rng: random.Random | None = None) -> None:
        if not stall_timeout_s > 0:
            raise ValueError("stall_timeout_s must be > 0")
        self.spec = spec
        self.endpoint = endpoint.rstrip("/") if endpoint else None
        self.stall_timeout_s = float(stall_timeout_s)
        self.backoff = backoff or Backoff()
        self.rng = rng or random.Random()
        self.stats = SourceStats()
        self.told: set[str] = set()
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._closed = False

    # ------------------------------------------------------------------ for subclasses

    async def connect(self, link: Link) -> None:
        """Open one connection and deliver its events through ``link`` until it ends.

        Return when the server closed the connection; raise :class:`SourceFailure` (or let a
        network exception through: :func:`classify` names it) otherwise.
        """
        raise NotImplementedError

    def drain(self, t: float) -> list[Event]:
        """Events still owed when a connection ends (open gift streaks ...), stamped with
        stream time ``t``; default none."""
        return []

    # ------------------------------------------------------------------ machinery

    def remember(self, msg_id: str) -> bool:
        """False when ``msg_id`` was delivered before (recent ids only)."""
        if msg_id in self._seen:
            return False
        self._seen[msg_id] = None
        if len(self._seen) > SEEN_IDS:
            self._seen.popitem(last=False)
        return True

    def _disconnected(self, link: Link, failure: SourceFailure, retry_in_s: float) -> SourceDisconnected:
        self.stats.disconnects += 1
        self.stats.reasons.append(failure.reason.value)
        return SourceDisconnected(
            t=link.now(), source=self.spec, platform=self.platform, reason=failure.reason.value,
            message=failure.message, hint=failure.hint or DISCONNECT_HINTS.get(failure.reason, ""),
            retry_in_s=retry_in_s)

    async def _run(self, link: Link) -> None:
        exc: BaseException | None = None
        try:
            await self.connect(link)
        except asyncio.CancelledError:
            raise
        except Exception as e:  # every way a connection ends is reported, none ends the source
            exc = e
        finally:
            await link._close()
        await link.queue.put(_End(exc))

    async def events(self, ctx: SourceContext) -> AsyncIterator[Event]:
        """Events from the live room, reconnecting by itself; ends only when the room cannot
        be used at all (:class:`SourceFailure` with ``retry=False``, a stream that ended for
        good) or when the caller stops iterating / cancels."""
        retry = 0
        attempt = 0
        while not self._closed:
            link = Link(self, ctx, attempt)
            attempt += 1
            task = asyncio.get_running_loop().create_task(self._run(link), name=f"{self.spec} connection")
            outcome: BaseException | None = None
            stalled_for: float | None = None
            try:
                while True:
                    if link.queue.empty():
                        remaining = link.last_alive + self.stall_timeout_s - time.monotonic()
                        if remaining <= 0:
                            stalled_for = time.monotonic() - link.last_alive
                            break
                        try:
                            async with asyncio.timeout(remaining):
                                item = await link.queue.get()
                        except TimeoutError:
                            continue  # a heartbeat reply may have moved the deadline
                    else:
                        item = link.queue.get_nowait()
                    if isinstance(item, _End):
                        outcome = item.exc
                        break
                    self.stats.events += 1
                    yield item
            finally:
                await cancel_and_wait(task)
            for ev in self.drain(link.now()):
                yield ev
            if stalled_for is not None:
                self.stats.stalls += 1
                yield SourceStalled(t=link.now(), source=self.spec, platform=self.platform,
                                    silent_s=round(stalled_for, 3))
                failure = SourceFailure(DisconnectReason.STALLED,
                                        f"No chat and no heartbeat for {stalled_for:.0f} s; reconnecting.")
            else:
                failure = classify(outcome)
            up = link.connected_at is not None and time.monotonic() - link.connected_at >= self.backoff.stable_s
            if up:
                retry = 0
            if not failure.retry:
                yield self._disconnected(link, failure, 0.0)
                return
            delay = failure.retry_in_s if failure.retry_in_s is not None else self.backoff.delay(retry, self.rng)
            if failure.count_retry:
                retry += 1
            yield self._disconnected(link, failure, max(0.01, delay))
            await asyncio.sleep(delay)

    async def aclose(self) -> None:
        """Stop reconnecting (the running iterator is closed by the session)."""
        self._closed = True


def source_options(platform: str, settings: Any, endpoint: str | None, options: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for a :class:`LiveChatSource` from the settings' ``[sources]``
    section, overridden by ``endpoint`` and the options given to ``open_source``
    (``stall_timeout_s``, ``backoff``, ``rng``)."""
    sec = getattr(settings, "sources", None)
    out: dict[str, Any] = {
        "endpoint": endpoint or (getattr(sec, f"{platform}_endpoint", "") or None),
        "stall_timeout_s": float(options.pop("stall_timeout_s", None) or getattr(sec, "stall_timeout_s", 60.0)),
    }
    backoff = options.pop("backoff", None)
    if backoff is None and sec is not None:
        backoff = Backoff(first_s=sec.reconnect_first_s, max_s=max(sec.reconnect_max_s, sec.reconnect_first_s))
    out["backoff"] = backoff
    if "rng" in options:
        out["rng"] = options.pop("rng")
    return out


def require_packages(*modules: str) -> None:
    """Raise ``LiveHostError(code="source-missing-package")`` naming the missing modules."""
    import importlib.util

    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        raise LiveHostError(ErrorCode.SOURCE_MISSING_PACKAGE,
                            f"This chat source needs the Python package(s) {', '.join(missing)}.",
                            f"pip install {' '.join(missing)}")


def gift_amount(coins: Any, per_yuan: int = 1000):
    """Coins -> yuan as a Decimal (Bilibili: 1000 gold coins = 1 yuan); None when unknown."""
    from decimal import Decimal, InvalidOperation

    try:
        v = Decimal(str(coins)) / per_yuan
    except (InvalidOperation, ValueError, TypeError):
        return None
    return v if v > 0 else None


class GiftStreaks:
    """Turns platforms' repeated combo frames into streaks that end (for platforms without an
    explicit end-of-combo frame, e.g. Bilibili): every frame becomes a
    ``GiftReceived(streak_end=False)`` with the cumulative count, and ``idle_s`` after the
    last frame of a streak, :meth:`due` returns its final ``GiftReceived(streak_end=True)``.
    """

    def __init__(self, idle_s: float = 4.0) -> None:
        self.idle_s = idle_s
        self._open: dict[str, tuple[float, GiftReceived]] = {}

    def update(self, gift: GiftReceived, *, cumulative: bool = False) -> GiftReceived:
        """Record a frame; returns the in-progress event with the streak's running total.

        ``cumulative=False``: the frame's ``count`` / ``amount`` are this frame's own (added up);
        True: they are the streak's total so far (the larger of it and what was seen wins, so a
        total and per-frame counts of the same streak never add up twice).
        """
        import dataclasses

        prev = self._open.get(gift.streak_id)
        pc, pa = (prev[1].count, prev[1].amount) if prev else (0, None)
        if cumulative:
            total = max(pc, gift.count)
            amount = max((a for a in (pa, gift.amount) if a is not None), default=None)
        else:
            total = pc + gift.count
            amount = gift.amount if pa is None else (pa + gift.amount if gift.amount is not None else pa)

        running = dataclasses.replace(gift, count=total, amount=amount, streak_end=False)
        self._open[gift.streak_id] = (time.monotonic(), running)
        return running

    def next_due_in(self) -> float | None:
        if not self._open:
            return None
        return max(0.0, min(t for t, _ in self._open.values()) + self.idle_s - time.monotonic())

    def due(self, t: float, *, everything: bool = False) -> list[GiftReceived]:
        """Final events of streaks idle for ``idle_s`` (all open ones with ``everything``),
        stamped with stream time ``t``."""
        import dataclasses

        now = time.monotonic()
        out = []
        for sid, (last, ev) in list(self._open.items()):
            if everything or now - last >= self.idle_s:
                del self._open[sid]
                out.append(dataclasses.replace(ev, t=t, msg_id=f"{ev.msg_id}-end", streak_end=True))
        return out


__all__ = ["Backoff", "GiftStreaks", "LiveChatSource", "Link", "SourceFailure", "SourceStats",
           "cancel_and_wait", "classify", "gift_amount", "require_packages", "source_options"]
