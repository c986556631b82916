"""Headless live sessions (``livehost live``) and recording a room (``livehost record``).

``run_live`` runs one :class:`~app.session.Session` (the one composition root) on live chat
sources until Ctrl-C or ``duration_s``, prints the same live table as ``replay`` and writes the
same outputs (``replies.jsonl``, ``summary.json``, ``audio/``, ``session.sqlite3``).

``record`` runs the sources only (no models) and writes everything that comes into the room as
a session file in the replay format, so any live session can be replayed and tuned later.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.errors import LiveHostError
from app.events import Event, Received, SourceConnected, SourceDisconnected, SourceStalled
from app.settings import Settings
from app.vocab import ErrorCode


def open_sources(specs: list, settings: Settings, *, endpoint: str | None = None, catalog=None) -> list:
    """Open every source spec (nothing connects yet); already opened sources pass through.

    Raises:
        LiveHostError: an unknown kind, a bad target, a missing optional package; ``usage`` when
            ``endpoint`` is given for more than one source.
    """
    from app.sources import open_source

    if endpoint and len(specs) != 1:
        raise LiveHostError(ErrorCode.USAGE, "--endpoint applies to one source; several were given.",
                            "Give one source with --endpoint, or set each platform's endpoint in settings.")
    return [open_source(s, settings=settings, endpoint=endpoint, catalog=catalog) if isinstance(s, str) else s
            for s in specs]


async def _until_stopped(duration_s: float | None, done: asyncio.Future | None = None) -> bool:
    """Wait for Ctrl-C / SIGTERM, ``duration_s`` or ``done``; True when interrupted by a signal."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    hit = {"signal": False}

    def on_signal() -> None:
        hit["signal"] = True
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows, or not the main thread
            loop.add_signal_handler(sig, on_signal)
    waits = [asyncio.create_task(stop.wait())]
    if done is not None:
        waits.append(asyncio.ensure_future(done))
    try:
        await asyncio.wait(waits, timeout=duration_s, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waits:
            w.cancel()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
    return hit["signal"]


async def run_live_async(specs: list[str], catalog_path: Path, out_dir: Path, *, settings: Settings,
                         audio: bool = True, duration_s: float | None = None, endpoint: str | None = None,
                         on_row: Callable[[dict], None] | None = None, on_event: Callable[[Event], None] | None = None,
                         understander=None, synthesizer=None, player=None, use_recommender: bool = True):
    """Run a headless live session; returns a :class:`~app.replay.ReplayResult`-like result.

    Args:
        specs: chat source specs (``bilibili:ROOM``, ``twitch:CHANNEL``, ``mic`` ...) or opened sources.
        catalog_path: the seller's catalog.
        out_dir: output folder (as for ``replay``).
        duration_s: stop after this many seconds (``None`` = until Ctrl-C).
        on_row: each decided row (the live table); on_event: every event (source health lines).

    Raises:
        LiveHostError: unusable input (catalog, sources, output folder, models).
    """
    from app.observers import SessionRecorder
    from app.paths import DEMO_INTERACTIONS, is_demo_catalog
    from app.replay import DB_NAME, ReplayResult, _summary, load_catalog_or_fail, prepare_out_dir, write_outputs
    from app.session import Session, SessionOptions, load_engines, open_store

    catalog, _skipped = load_catalog_or_fail(catalog_path)
    sources = open_sources(specs, settings, endpoint=endpoint, catalog=catalog)
    out_dir = prepare_out_dir(out_dir)
    store = open_store(out_dir / DB_NAME)
    session_id = store.unique_session_id(time.strftime("live-%Y%m%d-%H%M%S"))
    engines = load_engines(settings, catalog, store=store, audio=audio, use_recommender=use_recommender,
                           interactions_file=DEMO_INTERACTIONS if is_demo_catalog(catalog_path) else None,
                           understander=understander, synthesizer=synthesizer, player=player)
    recorder = SessionRecorder(on_row=on_row)

    class _Tap:
        def on_event(self, e: Event) -> None:
            if on_event is not None:
                on_event(e)

    live = Session(settings, catalog, engines, store=store, session_id=session_id, sources=sources,
                   observers=[recorder, _Tap()], options=SessionOptions(audio_dir=out_dir / "audio" / session_id,
                                                                        metrics_every_s=0.0),
                   meta={"kind": "live", "catalog_file": str(catalog_path), "out_dir": str(out_dir)})
    started = time.perf_counter()
    interrupted = False
    try:
        await live.start()
        interrupted = await _until_stopped(duration_s, asyncio.ensure_future(live.wait_sources()))
    finally:
        try:
            await asyncio.shield(live.finish())
        finally:
            engines.close()
    wall = time.perf_counter() - started
    recorder.flush()
    summary = _summary(recorder, live.metrics, session_id=session_id, platform=live.platform,
                       session=" ".join(s.spec for s in sources), catalog=str(catalog_path), products=len(catalog), wall=wall,
                       recommender="hybrid" if engines.recommender is not None else "slot-match fallback",
                       interrupted=interrupted)
    records = recorder.records()
    write_outputs(out_dir, records, summary)
    store.close()
    return ReplayResult(out_dir=out_dir, session_id=session_id, summary=summary, records=records, events=None)


def replay_line(event: Event, t0: float = 0.0) -> dict[str, Any] | None:
    """One session-file line (the replay format) for an event that came into the room, or ``None``
    for events the format does not hold. ``t`` is relative to ``t0`` (seconds)."""
    from app.events import (ChatReceived, GiftReceived, LikesReceived, SetNowSelling, SpeechTranscribed,
                            ViewerEntered, ViewerFollowed)

    if isinstance(event, SetNowSelling) and event.listing_number is not None:
        return {"t": round(max(0.0, event.t - t0), 3), "type": "now_selling", "listing_number": event.listing_number}
    if not isinstance(event, Received):
        return None
    base: dict[str, Any] = {"t": round(max(0.0, event.t - t0), 3), "id": event.msg_id,
                            "platform": event.viewer.platform, "uid": event.viewer.uid or "anonymous",
                            "nickname": event.viewer.nickname}
    if isinstance(event, ChatReceived):
        return {**base, "type": "comment", "text": event.text}
    if isinstance(event, GiftReceived):
        out = {**base, "type": "gift", "gift": event.gift_name, "count": event.count}
        if event.streak_id:
            out.update(streak_id=event.streak_id, streak_end=event.streak_end)
        return out
    if isinstance(event, ViewerFollowed):
        return {**base, "type": "follow"}
    if isinstance(event, ViewerEntered):
        return {**base, "type": "enter"}
    if isinstance(event, LikesReceived):
        return {**base, "type": "like", "count": event.count}
    if isinstance(event, SpeechTranscribed):
        return {"t": base["t"], "id": event.msg_id, "type": "host_speech", "text": event.text}
    return None


async def record_async(specs: list[str], out_file: Path, *, settings: Settings, duration_s: float | None = None,
                       endpoint: str | None = None, on_event: Callable[[Event], None] | None = None) -> int:
    """Write what comes into the room as a session file (replay format); returns the events written.

    Each line is flushed as it is written, so an interrupted recording keeps everything up to then.

    Raises:
        LiveHostError: bad sources, or the file cannot be written.
    """
    sources = open_sources(specs, settings, endpoint=endpoint)
    out_file = Path(out_file)
    try:
        out_file.parent.mkdir(parents=True, exist_ok=True)
        f = open(out_file, "w", encoding="utf-8")
    except OSError as exc:
        raise LiveHostError(ErrorCode.OUTPUT_UNWRITABLE, f"Cannot write {out_file}: {exc.strerror or exc}",
                            "Choose another --out file.") from exc
    start = time.monotonic()
    executors: dict[str, concurrent.futures.ThreadPoolExecutor] = {}
    loop = asyncio.get_running_loop()

    async def run_blocking(name, fn, *args):
        ex = executors.setdefault(name, concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix=f"livehost-{name}"))
        return await loop.run_in_executor(ex, fn, *args)

    from app.sources.base import SourceContext

    ctx = SourceContext(now=lambda: time.monotonic() - start, run_blocking=run_blocking, session_id="record",
                        settings=settings)
    written = 0
    platform = sources[0].platform if sources else settings.platform
    f.write(json.dumps({"type": "session", "session_id": out_file.stem, "platform": platform,
                        "recorded_from": [s.spec for s in sources], "recorded_at": time.strftime("%Y-%m-%d %H:%M:%S")},
                       ensure_ascii=False) + "\n")

    async def pump(source) -> None:
        nonlocal written
        async for event in source.events(ctx):
            if on_event is not None:
                on_event(event)
            line = replay_line(event)
            if line is not None:
                f.write(json.dumps(line, ensure_ascii=False) + "\n")
                f.flush()
                written += 1

    tasks = [asyncio.create_task(pump(s)) for s in sources]
    try:
        await _until_stopped(duration_s, asyncio.ensure_future(asyncio.gather(*tasks, return_exceptions=True)))
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for s in sources:
            close = getattr(s, "aclose", None)
            if close is not None:
                with contextlib.suppress(Exception):
                    await close()
        for ex in executors.values():
            ex.shutdown(wait=False, cancel_futures=True)
        f.close()
    return written


def health_line(event: Event) -> str | None:
    """A line for the terminal about a source's health, or ``None``."""
    if isinstance(event, SourceConnected):
        return f"[{event.source}] connected {event.detail}".rstrip()
    if isinstance(event, SourceStalled):
        return f"[{event.source}] no events for {event.silent_s:.0f} s - reconnecting"
    if isinstance(event, SourceDisconnected):
        retry = f"; retrying in {event.retry_in_s:.0f} s" if event.retry_in_s > 0 else ""
        return f"[{event.source}] disconnected ({event.reason}): {event.message}{retry}" + (
            f" -> {event.hint}" if event.hint else "")
    return None
