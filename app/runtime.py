"""A long-running LiveHost session for the seller console: the pipeline on its own thread.

:class:`LiveSession` builds the same stages as the replay (understanding, recommendation,
reply, approval with a countdown, speech with playback) and runs them on an asyncio loop in
a background thread named ``livehost-core``. Other threads (the Qt GUI) talk to it only by

* :meth:`LiveSession.submit` -- publish a command or event (thread-safe), and
* observers added with :meth:`LiveSession.add_observer` before :meth:`start` -- called on
  the core thread for every event (the Qt bridge re-emits them as a queued signal).

Sources (a replay file, later live platform adapters and the microphone) are attached with
:meth:`LiveSession.run_source`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Callable

from app.catalog.model import Catalog
from app.events import ErrorOccurred, Event
from app.observers import FeedbackLogger, MetricsObserver
from app.pipeline import Observer, Pipeline
from app.settings import Settings


class LiveSession:
    """The pipeline of one live session, running on a background thread.

    Args:
        settings: the app settings.
        catalog: the seller's catalog.
        session_id: id for the store's event log.
        synthesizer / player / understander: injected engines (tests); default = the real ones,
            created on :meth:`start` (the understander loads the model: seconds).
        audio_dir: where reply WAV files go (default ``<data_dir>/audio/<session_id>``).
        store: a :class:`~app.store.SqliteStore`; default = ``settings.db_path``.
        auto_delay_s: auto-approve countdown; default ``settings.reply.auto_approve_delay_s``.
    """

    def __init__(self, settings: Settings, catalog: Catalog, *, session_id: str | None = None,
                 synthesizer=None, player=None, understander=None, audio_dir: Path | None = None,
                 store=None, auto_delay_s: float | None = None, use_recommender: bool = True) -> None:
        self.settings = settings
        self.catalog = catalog
        self.session_id = session_id or time.strftime("live-%Y%m%d-%H%M%S")
        self._synth = synthesizer
        self._player = player
        self._understander = understander
        self.audio_dir = Path(audio_dir) if audio_dir else settings.data_dir / "audio" / self.session_id
        self._store = store
        self.auto_delay_s = settings.reply.auto_approve_delay_s if auto_delay_s is None else auto_delay_s
        self.use_recommender = use_recommender
        self._observers: list[Observer] = []
        self.metrics = MetricsObserver()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.pipeline: Pipeline | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._start_error: BaseException | None = None
        self._owns_synth = False
        self.approval = None
        self.reply_stage = None
        self.speech_stage = None

    # ------------------------------------------------------------------ wiring
    def add_observer(self, observer: Observer) -> None:
        """Add an observer (before :meth:`start`); it is called on the core thread."""
        self._observers.append(observer)

    @property
    def player(self):
        """The playback engine (None until :meth:`start`)."""
        return self._player

    @property
    def synthesizer(self):
        """The speech synthesizer (None until :meth:`start`); the GUI lists voices and sets
        rate/volume through it."""
        return self._synth

    def _build(self) -> Pipeline:
        from app.reply.stage import ApprovalStage, ReplyStage
        from app.replay import DEMO_INTERACTIONS, build_recommender
        from app.speaking import SpeechStage
        from app.store import SqliteStore
        from app.understanding.stage import Understander, UnderstandingStage

        s = self.settings
        if self._store is None:
            self._store = SqliteStore(s.db_path)
        self._store.save_catalog(self.catalog)
        self._store.start_session(self.session_id, s.platform)
        if self._understander is None:
            u = s.understanding
            self._understander = Understander.load(self.catalog, model_dir=u.model_dir, threads=u.threads,
                                                   usd_to_cny=u.usd_to_cny,
                                                   uncertain_threshold=u.uncertain_threshold,
                                default_lang=s.language)
        if self._synth is None:
            from app.synthesis.pyttsx3 import Pyttsx3Synthesizer

            voices = {k: v for k, v in (("zh", s.speech.voice_zh), ("en", s.speech.voice_en)) if v}
            self._synth = Pyttsx3Synthesizer(("zh", "en"), voices=voices, rate=s.speech.rate_wpm,
                                             volume=s.speech.volume)
            self._synth.start()
            self._owns_synth = True
        if self._player is None:
            from app.playback.sounddevice import SounddevicePlayer

            self._player = SounddevicePlayer(device=s.speech.output_device or None)
        recommender = (build_recommender(self.catalog, self._store, DEMO_INTERACTIONS)
                       if self.use_recommender else None)
        self.reply_stage = ReplyStage(self.catalog, use_recommender=recommender is not None)
        self.approval = ApprovalStage(s.reply.auto_approve, auto_delay_s=self.auto_delay_s)
        self.speech_stage = SpeechStage(self._synth, self.audio_dir, self._player)
        stages = [UnderstandingStage(self._understander)]
        if recommender is not None:
            stages.append(recommender)
        stages += [self.reply_stage, self.approval, self.speech_stage]
        if s.microphone.enabled:
            stages.append(self._recognition_stage())
        observers = [self.metrics, FeedbackLogger(self._store, self.session_id), *self._observers]
        return Pipeline(stages, observers, event_log=self._store, session_id=self.session_id)

    def _recognition_stage(self):
        """The microphone -> vosk stage (captions, host speech, voice commands). A missing
        model or microphone does not stop the session: the stage reports it and the app runs
        chat-only."""
        from app.capture.sounddevice import SounddeviceCapture
        from app.errors import ModelMissingError
        from app.recognition.models import resolve_model
        from app.recognition.stage import RecognitionStage

        s = self.settings
        try:
            model_dir = resolve_model(s.recognition.model or None)
        except ModelMissingError:
            model_dir = None  # the stage emits MicrophoneStateChanged(no_model) + ErrorOccurred
        return RecognitionStage(SounddeviceCapture(s.microphone.device), model_dir, platform=s.platform,
                                catalog=self.catalog)

    # ------------------------------------------------------------------ lifecycle
    def start(self, timeout: float = 120.0) -> None:
        """Build and start the pipeline on the core thread; returns when it is running.

        Raises:
            LiveHostError: a stage could not start (missing model, no voice ...).
        """
        self._thread = threading.Thread(target=self._run, name="livehost-core", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("LiveHost core did not start in time")
        if self._start_error is not None:
            raise self._start_error

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self.loop = loop
        asyncio.set_event_loop(loop)
        try:
            self.pipeline = self._build()
            loop.run_until_complete(self.pipeline.start())
        except BaseException as exc:  # noqa: BLE001 - reported to the starting thread
            self._start_error = exc
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        loop.run_forever()
        loop.close()

    def submit(self, event: Event) -> concurrent.futures.Future:
        """Publish ``event`` on the core thread (thread-safe); returns a future."""
        assert self.loop is not None and self.pipeline is not None, "start() first"
        return asyncio.run_coroutine_threadsafe(self.pipeline.publish(event), self.loop)

    def call(self, fn: Callable[[], Any]) -> concurrent.futures.Future:
        """Run ``fn()`` on the core thread and return its result as a future."""
        assert self.loop is not None

        async def _call():
            return fn()

        return asyncio.run_coroutine_threadsafe(_call(), self.loop)

    def run_source(self, source: AsyncIterator[Event]) -> concurrent.futures.Future:
        """Publish every event of an async source (e.g. a replay) on the core thread."""
        assert self.loop is not None and self.pipeline is not None

        async def _pump():
            try:
                async for ev in source:
                    await self.pipeline.publish(ev)
            except Exception as exc:  # noqa: BLE001 - a source failing must not stop the session
                await self.pipeline.publish(ErrorOccurred(
                    code="source-failed", message=f"The chat source stopped: {exc}",
                    hint="Check the connection or the session file; the session keeps running.",
                    stage="source"))

        return asyncio.run_coroutine_threadsafe(_pump(), self.loop)

    def drain(self, timeout: float = 60.0) -> None:
        """Wait until everything published so far has been handled."""
        assert self.loop is not None and self.pipeline is not None
        asyncio.run_coroutine_threadsafe(self.pipeline.drain(), self.loop).result(timeout)

    def stop(self, timeout: float = 30.0) -> None:
        """Drain, stop the stages and the core thread, close engines."""
        if self.loop is None or self.pipeline is None or not self.loop.is_running():
            return
        try:
            asyncio.run_coroutine_threadsafe(self.pipeline.stop(), self.loop).result(timeout)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            if self._thread is not None:
                self._thread.join(timeout)
            if self._owns_synth and self._synth is not None:
                self._synth.close()
            if self._store is not None:
                self._store.end_session(self.session_id)
