"""The main job: replay a recorded live session through the whole pipeline.

``run_replay`` builds a :class:`~app.session.Session` (the one composition root) with a
:class:`~app.sources.replay.ReplayChatSource`, runs it to the end of the file and writes
``replies.jsonl``, ``summary.json`` and ``audio/<session>/*.wav`` into the output folder. The
output folder's ``session.sqlite3`` keeps every run: a second run into the same folder is a new
session in the same database (``demo#2``), nothing earlier is deleted. ``export_session``
rebuilds ``replies.jsonl`` / ``summary.json`` of any session from that database alone.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from app.catalog.model import Catalog
from app.errors import LiveHostError
from app.observers import SessionRecorder
from app.paths import DEMO_CATALOG, DEMO_INTERACTIONS, DEMO_SESSION, REPO_ROOT, is_demo_catalog
from app.settings import Settings
from app.vocab import ErrorCode

DB_NAME = "session.sqlite3"
"""The session database's file name inside an output folder."""


@dataclass(frozen=True)
class ReplayResult:
    out_dir: Path
    session_id: str
    """The run's session id in ``<out_dir>/session.sqlite3`` (``demo``, ``demo#2`` ...)."""
    summary: dict[str, Any]
    records: list[dict[str, Any]]
    events: list[Any] | None
    """Every published event in publish order, only when ``keep_events=True`` (tests)."""


class _EventList:
    def __init__(self) -> None:
        self.events: list[Any] = []

    def on_event(self, e) -> None:
        self.events.append(e)


def load_catalog_or_fail(path: Path, *, skip_bad_rows: bool = False) -> tuple[Catalog, tuple]:
    """Load a catalog file for a run: all-or-nothing unless ``skip_bad_rows``; returns the
    catalog and the skipped rows' errors. Raises CatalogImportError / LiveHostError."""
    catalog, skipped, _notes = load_catalog_with_notes(path, skip_bad_rows=skip_bad_rows)
    return catalog, skipped


def load_catalog_with_notes(path: Path, *, skip_bad_rows: bool = False) -> tuple[Catalog, tuple, tuple[str, ...]]:
    """:func:`load_catalog_or_fail` plus the import's notes (encoding read, merged cells filled,
    banner rows skipped, where the shop FAQ came from)."""
    from app.catalog.importer import load_catalog

    result = load_catalog(Path(path), skip_bad_rows=skip_bad_rows)
    return result.catalog, result.skipped, tuple(result.notes)


def file_transcriber(settings: Settings) -> Callable[[Path], str]:
    """See :func:`app.recognition.transcribe.settings_transcriber`."""
    from app.recognition.transcribe import settings_transcriber

    return settings_transcriber(settings)


def prepare_out_dir(out_dir: Path) -> Path:
    """Create the output folder and check it is writable.

    Raises:
        LiveHostError(code="output-unwritable"): it cannot be created or written.
    """
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = out_dir / ".livehost-write-test"
        probe.touch()
        probe.unlink()
    except OSError as exc:
        raise LiveHostError(ErrorCode.OUTPUT_UNWRITABLE,
                            f"Cannot write the results to {out_dir}: {exc.strerror or exc}",
                            "Choose another folder with --out (it must be a folder you can write to).") from exc
    return out_dir


async def run_replay_async(session: Path, catalog_path: Path, out_dir: Path, *, settings: Settings,
                           speed: float | None = None, audio: bool = True,
                           on_row: Callable[[dict], None] | None = None,
                           synthesizer=None, player=None, understander=None,
                           use_recommender: bool = True, skip_bad_rows: bool = False,
                           interactions: Path | None = None, keep_events: bool = False,
                           observers: tuple = ()) -> ReplayResult:
    """Run a session file through the pipeline and write the outputs.

    Args:
        session: session ``.jsonl`` path.
        catalog_path: catalog CSV/XLSX path.
        out_dir: output folder (created): ``replies.jsonl``, ``summary.json``,
            ``audio/<session>/``, ``session.sqlite3`` (every run's events and decisions).
        speed: stream-time multiplier; ``None`` = as fast as possible (each event handled
            before the next: the same events on every run).
        audio: synthesize WAV files for approved replies.
        on_row: called with each ``replies.jsonl`` row as soon as it is decided (the live table).
        synthesizer / player / understander: injected engines (tests); default = real ones.
        interactions: an order export for the recommender; ``None`` = the demo's own history when
            the catalog is the bundled demo catalog, else ``recommend.interactions_file``.
        keep_events: keep every published event in :attr:`ReplayResult.events` (tests).
        observers: more observers of the stream.

    Raises:
        LiveHostError: unusable input (missing or empty session, missing or invalid catalog, no
            model, an output folder that cannot be written).
    """
    from app.session import Session, SessionOptions, load_engines, open_store
    from app.sources.replay import ReplayChatSource

    source = ReplayChatSource(session, speed=speed, default_platform=settings.platform,
                              transcriber=file_transcriber(settings))
    catalog, skipped_rows, notes = load_catalog_with_notes(catalog_path, skip_bad_rows=skip_bad_rows)
    out_dir = prepare_out_dir(out_dir)
    store = open_store(out_dir / DB_NAME)
    session_id = store.unique_session_id(source.header.session_id)
    if interactions is None and is_demo_catalog(catalog_path):
        interactions = DEMO_INTERACTIONS
    engines = load_engines(settings, catalog, store=store, audio=audio, use_recommender=use_recommender,
                           interactions_file=interactions, understander=understander, synthesizer=synthesizer,
                           player=player)
    recorder = SessionRecorder(on_row=on_row)
    everything = _EventList() if keep_events else None
    extra = [recorder, *observers] + ([everything] if everything is not None else [])
    live = Session(settings, catalog, engines, store=store, session_id=session_id, sources=[source],
                   observers=extra, platform=source.header.platform, room_id=source.header.room_id,
                   options=SessionOptions(audio_dir=out_dir / "audio" / session_id.replace("#", "-"),
                                          auto_delay_s=0.0, speed=speed, metrics_every_s=0.0,
                                          end_with_sources=True),
                   meta={"kind": "replay", "session_file": str(session), "catalog_file": str(catalog_path),
                         "out_dir": str(out_dir)})

    async def report_skipped() -> None:
        from app.events import ErrorOccurred

        for err in skipped_rows:  # the seller asked to skip bad rows: still say which
            await live.publish(ErrorOccurred(code=err.code, message=f"{err.message} (row skipped)",
                                             hint=err.hint, stage="catalog"))
        for note in notes:  # what the reader did (encoding, merged cells, banner rows): a notice
            await live.publish(ErrorOccurred(code=ErrorCode.CATALOG_NOTE, message=f"{catalog_path}: {note}",
                                             stage="catalog"))

    started = time.perf_counter()
    interrupted = False
    try:
        await live.start()
        await report_skipped()
        await live.wait_sources()
    except asyncio.CancelledError:  # Ctrl-C: keep what was handled, write it, then re-raise
        interrupted = True
    finally:
        try:
            await asyncio.shield(live.finish())
        finally:
            engines.close()
    wall = time.perf_counter() - started
    recorder.flush()
    summary = _summary(recorder, live.metrics, session_id=session_id, platform=source.header.platform,
                       session=str(session), catalog=str(catalog_path), products=len(catalog), wall=wall,
                       recommender="hybrid" if engines.recommender is not None else "slot-match fallback",
                       interrupted=interrupted)
    records = recorder.records()
    write_outputs(out_dir, records, summary)
    store.close()
    if interrupted:
        raise KeyboardInterrupt
    return ReplayResult(out_dir=out_dir, session_id=session_id, summary=summary, records=records,
                        events=everything.events if everything is not None else None)


def _summary(recorder: SessionRecorder, metrics, **info) -> dict[str, Any]:
    records = recorder.records()
    summary = recorder.summary()
    wall = info.pop("wall", None)
    summary.update({
        "session_id": info["session_id"], "platform": info["platform"], "session": info["session"],
        "catalog": info["catalog"], "products": info["products"],
        "stream_seconds": max((r["t"] for r in records), default=0.0),
        "wall_seconds": None if wall is None else round(wall, 3),
        "messages_per_second": (round(metrics.received_count / wall, 2) if metrics is not None and wall
                                else None),
        "latency_ms": metrics.summary() if metrics is not None else None,
        "recommender": info.get("recommender"),
        "interrupted": info.get("interrupted", False),
    })
    return summary


def write_outputs(out_dir: Path, records: list[dict], summary: dict) -> None:
    """Write ``replies.jsonl`` and ``summary.json`` (UTF-8) into ``out_dir``, each to a temporary
    file first and renamed when complete (a failed write leaves the previous file as it was).

    Raises:
        LiveHostError(code="output-unwritable" | "disk-full"): they cannot be written.
    """
    import os

    def put(name: str, text_chunks) -> None:
        target = out_dir / name
        tmp = out_dir / f".{name}.part"
        try:
            with open(tmp, "w", encoding="utf-8") as f:
                for chunk in text_chunks:
                    f.write(chunk)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)

    try:
        put("replies.jsonl", (json.dumps(r, ensure_ascii=False) + "\n" for r in records))
        put("summary.json", [json.dumps(summary, ensure_ascii=False, indent=2)])
    except OSError as exc:
        code = ErrorCode.DISK_FULL if exc.errno == 28 else ErrorCode.OUTPUT_UNWRITABLE
        raise LiveHostError(code, f"Cannot write the results into {out_dir}: {exc.strerror or exc}",
                            "Free disk space or choose another folder with --out; what fitted into the session "
                            "database is kept (livehost export OUT_DIR rebuilds the files).") from exc


def export_session(db_path: Path, out_dir: Path | None = None, *, session_id: str | None = None) -> tuple[str, dict]:
    """Rebuild ``replies.jsonl`` and ``summary.json`` of a session from its database alone (after
    a crash, or for an earlier run). Latencies are not in the database: the summary's
    ``latency_ms`` is ``null``.

    Args:
        db_path: a ``session.sqlite3`` file, or an output folder holding one.
        out_dir: where to write (default: the database's folder).
        session_id: which session (default: the newest).

    Returns:
        (session id, summary).

    Raises:
        LiveHostError(code="store-not-found" | "session-not-found").
    """
    from app.events import from_record
    from app.store import SqliteStore

    db_path = Path(db_path)
    if db_path.is_dir():
        db_path = db_path / DB_NAME
    if not db_path.is_file():
        raise LiveHostError(ErrorCode.STORE_NOT_FOUND, f"No LiveHost session database at {db_path}.",
                            "Give a session.sqlite3 file or the --out folder of a replay.")
    store = SqliteStore(db_path)
    try:
        sessions = store.sessions()
        if not sessions:
            raise LiveHostError(ErrorCode.SESSION_NOT_FOUND, f"{db_path} holds no session.", "")
        ids = [s["session_id"] for s in sessions]
        if session_id is None:
            session_id = ids[-1]
        elif session_id not in ids:
            raise LiveHostError(ErrorCode.SESSION_NOT_FOUND, f"No session '{session_id}' in {db_path}.",
                                "Sessions in it: " + ", ".join(ids))
        meta = next(s for s in sessions if s["session_id"] == session_id)
        recorder = SessionRecorder()
        for rec in store.events(session_id):
            try:
                recorder.on_event(from_record(rec))
            except (ValueError, TypeError):
                continue  # an event type of another LiveHost version: not needed for the outputs
        recorder.flush()
        cat = store.session_catalog(session_id)
        summary = _summary(recorder, None, session_id=session_id, platform=meta["platform"],
                           session=meta["meta"].get("session_file", ""), catalog=meta["meta"].get("catalog_file", ""),
                           products=len(cat) if cat is not None else None,
                           interrupted=meta["ended_at"] is None)
        summary["rebuilt_from"] = str(db_path)
    finally:
        store.close()
    write_outputs(prepare_out_dir(Path(out_dir)) if out_dir else db_path.parent, recorder.records(), summary)
    return session_id, summary


def run_replay(*args, **kwargs) -> ReplayResult:
    """Synchronous wrapper of :func:`run_replay_async`."""
    return asyncio.run(run_replay_async(*args, **kwargs))


__all__ = ["run_replay", "run_replay_async", "export_session", "ReplayResult", "LiveHostError", "DEMO_SESSION",
           "DEMO_CATALOG", "DEMO_INTERACTIONS", "REPO_ROOT"]
