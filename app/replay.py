"""The main job: replay a recorded live session through the whole pipeline.

``run_replay`` wires source -> understanding -> (recommendation) -> reply -> approval ->
speech, with the store's event log, the metrics observer and the session recorder, and
writes ``replies.jsonl``, ``summary.json`` and ``audio/*.wav`` into the output folder.
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
from app.observers import FeedbackLogger, MetricsObserver, SessionRecorder
from app.pipeline import Pipeline
from app.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[1]
DEMO_SESSION = REPO_ROOT / "assets" / "demo" / "session.jsonl"
DEMO_CATALOG = REPO_ROOT / "assets" / "demo" / "catalog.csv"
DEMO_INTERACTIONS = REPO_ROOT / "assets" / "demo" / "interactions.csv"


@dataclass(frozen=True)
class ReplayResult:
    out_dir: Path
    summary: dict[str, Any]
    records: list[dict[str, Any]]
    events: list[Any]
    """Every published event, in publish order."""


class _EventList:
    def __init__(self) -> None:
        self.events: list[Any] = []

    def on_event(self, e) -> None:
        self.events.append(e)


def load_catalog_or_fail(path: Path, *, skip_bad_rows: bool = False) -> tuple[Catalog, tuple]:
    """Load a catalog file for a run: all-or-nothing unless ``skip_bad_rows``; returns the
    catalog and the skipped rows' errors. Raises CatalogImportError / LiveHostError."""
    from app.catalog.importer import load_catalog

    result = load_catalog(Path(path), skip_bad_rows=skip_bad_rows)
    return result.catalog, result.skipped


def file_transcriber(settings: Settings) -> Callable[[Path], str]:
    """A blocking ``path -> text`` transcriber for host speech given as audio files (vosk,
    the model named in ``settings.recognition.model`` or the first one installed).

    Raises (when called):
        ModelMissingError(code="asr-model-missing"): no speech model installed.
        LiveHostError(code="audio-file-unreadable"): the file cannot be read.
    """

    def transcribe(path: Path) -> str:
        from app.recognition.cli import transcribe_file
        from app.recognition.models import resolve_model

        return transcribe_file(path, resolve_model(settings.recognition.model or None))["text"]

    return transcribe


def build_recommender(catalog: Catalog, store, interactions_path: Path | None):
    """The hybrid recommender stage (Surprise SVD + item-item + content + popularity), loaded
    with the store's interactions and the order export at ``interactions_path`` (if it exists)."""
    from app.recommend.stage import RecommendationStage
    from app.recommend.stage import build_recommender as _build

    path = interactions_path if interactions_path is not None and Path(interactions_path).is_file() else None
    return RecommendationStage(_build(catalog, store=store, interactions_file=path), store=store)


async def run_replay_async(session: Path, catalog_path: Path, out_dir: Path, *, settings: Settings,
                           speed: float | None = None, audio: bool = True,
                           on_row: Callable[[dict], None] | None = None,
                           synthesizer=None, player=None, understander=None,
                           use_recommender: bool = True, skip_bad_rows: bool = False,
                           interactions: Path | None = DEMO_INTERACTIONS) -> ReplayResult:
    """Run a session file through the pipeline and write the outputs.

    Args:
        session: session ``.jsonl`` path.
        catalog_path: catalog CSV/XLSX path.
        out_dir: output folder (created): ``replies.jsonl``, ``summary.json``, ``audio/``,
            ``session.sqlite3`` (store with the event log).
        speed: stream-time multiplier; ``None`` = as fast as possible.
        audio: synthesize WAV files for approved replies.
        synthesizer / player / understander: injected engines (tests); default = real ones.

    Raises:
        LiveHostError: unusable input (missing session or catalog, invalid catalog, no model).
    """
    from app.reply.stage import ApprovalStage, ReplyStage
    from app.sources.replay import ReplayChatSource
    from app.store import SqliteStore
    from app.understanding.stage import Understander, UnderstandingStage

    source = ReplayChatSource(session, speed=speed, default_platform=settings.platform,
                              transcriber=file_transcriber(settings))
    catalog, skipped_rows = load_catalog_or_fail(catalog_path, skip_bad_rows=skip_bad_rows)
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / ".livehost-write-test").touch()
        (out_dir / ".livehost-write-test").unlink()
    except OSError as exc:
        raise LiveHostError("output-unwritable", f"Cannot write the results to {out_dir}: {exc.strerror or exc}",
                            "Choose another folder with --out (it must be a folder you can write to).") from exc
    db = out_dir / "session.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    store = SqliteStore(db)
    store.save_catalog(catalog)
    session_id = source.header.session_id
    store.start_session(session_id, source.header.platform, source.header.room_id)

    u = settings.understanding
    if understander is None:
        understander = Understander.load(catalog, model_dir=u.model_dir, threads=u.threads,
                                         usd_to_cny=u.usd_to_cny, uncertain_threshold=u.uncertain_threshold,
                                default_lang=settings.language)
    recommender = build_recommender(catalog, store, interactions) if use_recommender else None
    stages = [UnderstandingStage(understander)]
    if recommender is not None:
        stages.append(recommender)
    stages += [ReplyStage(catalog, use_recommender=recommender is not None),
               ApprovalStage(settings.reply.auto_approve)]
    if audio:
        from app.speaking import SpeechStage

        if synthesizer is None:
            from app.synthesis.pyttsx3 import Pyttsx3Synthesizer

            voices = {k: v for k, v in (("zh", settings.speech.voice_zh), ("en", settings.speech.voice_en)) if v}
            synthesizer = Pyttsx3Synthesizer(("zh", "en"), voices=voices, rate=settings.speech.rate_wpm,
                                             volume=settings.speech.volume)
            synthesizer.start()
            owns_synth = True
        else:
            owns_synth = False
        if player is None:
            from app.playback.sounddevice import SounddevicePlayer

            player = SounddevicePlayer(device=settings.speech.output_device or None)
        stages.append(SpeechStage(synthesizer, out_dir / "audio", player))
    else:
        owns_synth = False

    metrics = MetricsObserver()
    recorder = SessionRecorder(on_row=on_row)
    everything = _EventList()
    pipeline = Pipeline(stages, [everything, metrics, recorder, FeedbackLogger(store, session_id)],
                        event_log=store, session_id=session_id)
    async def events():
        from app.events import ErrorOccurred

        for err in skipped_rows:  # the seller asked to skip bad rows: still say which
            yield ErrorOccurred(code=err.code, message=f"{err.message} (row skipped)", hint=err.hint,
                                stage="catalog")
        async for ev in source.events():
            yield ev

    started = time.perf_counter()
    interrupted = False
    try:
        await pipeline.run(events())
    except asyncio.CancelledError:  # Ctrl-C: keep what was handled, write it, then re-raise
        interrupted = True
    finally:
        if owns_synth:
            synthesizer.close()
        store.end_session(session_id)
    wall = time.perf_counter() - started
    recorder.flush()

    records = recorder.records()
    summary = recorder.summary()
    summary.update({
        "session_id": session_id, "platform": source.header.platform,
        "session": str(session), "catalog": str(catalog_path), "products": len(catalog),
        "stream_seconds": max((r["t"] for r in records), default=0.0),
        "wall_seconds": round(wall, 3),
        "messages_per_second": round(metrics.received_count / wall, 2) if wall > 0 else None,
        "latency_ms": metrics.summary(),
        "recommender": "hybrid" if recommender is not None else "slot-match fallback",
        "interrupted": interrupted,
    })
    with open(out_dir / "replies.jsonl", "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    (out_dir / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    store.close()
    if interrupted:
        raise KeyboardInterrupt
    return ReplayResult(out_dir=out_dir, summary=summary, records=records, events=everything.events)


def run_replay(*args, **kwargs) -> ReplayResult:
    """Synchronous wrapper of :func:`run_replay_async`."""
    return asyncio.run(run_replay_async(*args, **kwargs))


__all__ = ["run_replay", "run_replay_async", "ReplayResult", "LiveHostError", "DEMO_SESSION", "DEMO_CATALOG"]
