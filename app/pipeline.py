"""The asyncio event pipeline: small stages that consume and emit events, plus observers.

Shape::

    source (async iterator of Received events)
        -> Pipeline.publish(event)  -- writes the event to the store's event log first (every
                                       event but clock ticks, live captions and metrics)
        -> every Stage whose ``accepts`` matches gets the event in its own inbox (FIFO)
        -> a stage's ``handle`` emits new events, which are published the same way
    observers (session log, metrics, GUI bridge) see every published event, in publish order.

Stages never call each other. Blocking engines (model inference, TTS, vosk) run on named
single-thread executors from :meth:`Pipeline.executor`, so each engine stays on one thread.
An exception inside a stage becomes an :class:`~app.events.ErrorOccurred` event with a
stable code; the stream goes on.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any, Protocol

from app.errors import LiveHostError
from app.events import (ErrorOccurred, Event, MetricsReported, SourcesEnded, StreamTimeAdvanced,
                        TranscriptPartial)
from app.vocab import ErrorCode

UNLOGGED: tuple[type[Event], ...] = (StreamTimeAdvanced, TranscriptPartial, MetricsReported)
"""Events not written to the event log: clock ticks, live captions and metrics snapshots carry
nothing a session report or an export needs."""

log = logging.getLogger(__name__)

Emit = Callable[[Event], Awaitable[None]]


class Observer(Protocol):
    """Anything that wants to see every event (called on the event-loop thread, must not block)."""

    def on_event(self, event: Event) -> None: ...


class EventLog(Protocol):
    def append_event(self, session_id: str, event: Event) -> int: ...


class Stage:
    """Base class of a pipeline stage.

    Subclasses set ``name`` and ``accepts`` and implement :meth:`handle`. ``handle`` runs on
    the event loop; put blocking work on ``await self.pipeline.run_blocking(executor, fn, ...)``.
    """

    name: str = "stage"
    accepts: tuple[type[Event], ...] = ()

    def __init__(self) -> None:
        self.pipeline: Pipeline | None = None

    async def start(self) -> None:
        """Called once before the first event (load models here)."""

    async def stop(self) -> None:
        """Called once after the last event was handled."""

    async def handle(self, event: Event, emit: Emit) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def intercept(self, event: Event) -> None:
        """Optional: called synchronously when an accepted event is published, before it is
        queued -- for controls that must act at once (panic mute stops playback even while
        the stage is busy playing). Must not block."""


class Pipeline:
    """Runs stages over a stream of events.

    Args:
        stages: the stages, each gets its own inbox and task.
        observers: called with every published event, synchronously, in publish order.
        event_log: store that receives every event (but :data:`UNLOGGED`) before any observer
            or stage sees it, so a crash loses nothing that was received or decided.
        session_id: the session the log entries belong to.
    """

    def __init__(self, stages: Iterable[Stage], observers: Iterable[Observer] = (), *,
                 event_log: EventLog | None = None, session_id: str = "session") -> None:
        self.stages = list(stages)
        self.observers = list(observers)
        self.event_log = event_log
        self.session_id = session_id
        self._executors: dict[str, concurrent.futures.ThreadPoolExecutor] = {}
        self._inboxes: dict[Stage, asyncio.Queue] = {}
        self._tasks: list[asyncio.Task] = []
        self._pending = 0
        self._idle: asyncio.Event | None = None
        self._started = False
        self._log_failed = False
        for s in self.stages:
            s.pipeline = self

    # ------------------------------------------------------------------ executors
    def executor(self, name: str) -> concurrent.futures.ThreadPoolExecutor:
        """The named single-thread executor (created on first use; thread named ``livehost-<name>``)."""
        ex = self._executors.get(name)
        if ex is None:
            ex = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"livehost-{name}")
            self._executors[name] = ex
        return ex

    async def run_blocking(self, executor: str, fn: Callable[..., Any], *args: Any) -> Any:
        """Run ``fn(*args)`` on the named single-thread executor and await its result."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor(executor), fn, *args)

    # ------------------------------------------------------------------ lifecycle
    @property
    def started(self) -> bool:
        """True once every stage has started and has its inbox (events may be published)."""
        return self._started

    async def start(self) -> None:
        if self._started:
            return
        self._idle = asyncio.Event()
        self._idle.set()
        for s in self.stages:
            try:
                await s.start()
            except LiveHostError as exc:
                await self.publish(ErrorOccurred(code=exc.code, message=exc.message, hint=exc.hint,
                                                 stage=s.name))
                raise
        for s in self.stages:
            q: asyncio.Queue = asyncio.Queue()
            self._inboxes[s] = q
            self._tasks.append(asyncio.create_task(self._run_stage(s, q), name=f"stage-{s.name}"))
        self._started = True

    def hold(self) -> None:
        """Count work a stage does outside its inbox (queued playback) as pending, so
        :meth:`drain` waits for it too; pair every call with :meth:`release`."""
        self._pending += 1
        if self._idle is not None:
            self._idle.clear()

    def release(self) -> None:
        """The work counted by :meth:`hold` is done."""
        self._pending -= 1
        if self._pending == 0 and self._idle is not None:
            self._idle.set()

    async def drain(self) -> None:
        """Wait until every published event has been handled by every stage (transitively)."""
        assert self._idle is not None
        await self._idle.wait()

    async def stop(self) -> None:
        """Drain, stop stages, cancel their tasks and shut the executors down."""
        if not self._started:
            return
        await self.drain()
        for t in self._tasks:
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for s in self.stages:
            try:
                await s.stop()
            except Exception:  # noqa: BLE001 - stopping must not raise
                log.exception("stage %s failed to stop", s.name)
        for ex in self._executors.values():
            ex.shutdown(wait=True, cancel_futures=False)
        self._started = False

    async def run(self, source: AsyncIterator[Event]) -> None:
        """Start, publish every event from ``source``, then :class:`SourcesEnded`, drain and stop
        (the simple single-source runner the stage tests use; sessions use :mod:`app.session`)."""
        await self.start()
        try:
            last_t = 0.0
            async for event in source:
                last_t = max(last_t, event.t)
                await self.publish(event)
            await self.publish(SourcesEnded(t=last_t))
        finally:
            await self.stop()

    # ------------------------------------------------------------------ publishing
    async def publish(self, event: Event) -> None:
        """Log, show to observers, and queue ``event`` for every accepting stage.

        A failing event log (disk full, database gone) is reported once as ``ErrorOccurred``
        and the stream goes on; it is retried with every event.
        """
        if self.event_log is not None and not isinstance(event, UNLOGGED):
            try:
                self.event_log.append_event(self.session_id, event)
                self._log_failed = False
            except Exception as exc:  # noqa: BLE001 - the stream goes on without the log
                if not self._log_failed:
                    self._log_failed = True
                    log.warning("event log write failed: %s", exc)
                    code = getattr(exc, "code", ErrorCode.STORE_WRITE_FAILED)
                    await self.publish(ErrorOccurred(
                        t=event.t, code=code, stage="store",
                        message=f"The session database could not be written ({exc}); the stream goes on, "
                                "but what happens now is not saved.",
                        hint="Free disk space (or check the data folder is writable); saving resumes by itself."))
        for obs in self.observers:
            try:
                obs.on_event(event)
            except Exception:  # noqa: BLE001 - an observer must never stop the stream
                log.exception("observer %r failed on %s", obs, type(event).__name__)
        for stage, q in self._inboxes.items():
            if isinstance(event, stage.accepts):
                try:
                    stage.intercept(event)
                except Exception:  # noqa: BLE001
                    log.exception("stage %s failed to intercept %s", stage.name, type(event).__name__)
                self._pending += 1
                assert self._idle is not None
                self._idle.clear()
                q.put_nowait((event, time.perf_counter()))

    async def _run_stage(self, stage: Stage, q: asyncio.Queue) -> None:
        while True:
            event, _queued_at = await q.get()
            try:
                await stage.handle(event, self.publish)
            except asyncio.CancelledError:
                raise
            except LiveHostError as exc:
                await self.publish(ErrorOccurred(
                    t=event.t, code=exc.code, message=exc.message, hint=exc.hint, stage=stage.name,
                    msg_id=getattr(event, "msg_id", "")))
            except Exception as exc:  # noqa: BLE001 - translate, report, go on
                log.exception("stage %s failed on %s", stage.name, type(event).__name__)
                await self.publish(ErrorOccurred(
                    t=event.t, code=f"{stage.name}-failed",
                    message=f"The {stage.name} step failed on one event ({type(exc).__name__}: {exc}).",
                    hint="The stream goes on; if this repeats, send the session log to support.",
                    stage=stage.name, msg_id=getattr(event, "msg_id", "")))
            finally:
                self._pending -= 1
                if self._pending == 0:
                    assert self._idle is not None
                    self._idle.set()
