"""The one composition root: settings + catalog + sources + engines -> a running live session.

Everything that runs LiveHost's pipeline -- ``livehost replay``, the headless ``livehost live``,
the seller console -- builds it here and nowhere else:

* :func:`load_engines` loads the engines (the intent model, the voice, the player, the
  recommender) once, reporting each step (the console shows them in its status bar);
* :class:`Session` wires the stages (understanding (intent, language, offensive language,
  floods) -> recommendation -> reply / moderation policy / floods and purchase signals /
  aggregated thanks -> idle rotation -> approval -> the budgeted speech queue -> speech, and the
  optional language model's small talk / rewording, :mod:`app.content.stage`), the observers
  (metrics, the store's record of decisions and viewers, any
  the caller adds) and the chat sources, owns the stream clock, and pumps every source into the
  pipeline;
* :class:`SessionThread` runs a :class:`Session` on a background thread named ``livehost-core``
  for the console: commands go in with :meth:`SessionThread.submit` (thread-safe), events come
  out through observers (called on the core thread).

**Stream time.** ``t`` of every event is seconds since the session started. A live session's
clock is the wall clock; a replay's clock is its file: paced at ``speed``, or -- at full speed --
advanced by each event, with every event handled before the next is published, so a replay
gives the same events every time and on every path. ``StreamTimeAdvanced`` ticks every
``clock_tick_s`` of stream time (also through silence) drive the merge windows and the idle
rotation.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.catalog.model import Catalog
from app.errors import LiveHostError
from app.events import (ErrorOccurred, Event, MetricsReported, Received, SessionEnded, SessionStarted,
                        SourcesEnded, StreamTimeAdvanced)
from app.observers import MetricsObserver, StoreRecorder
from app.pipeline import Observer, Pipeline
from app.settings import Settings
from app.sources.base import ChatSource, SourceContext
from app.vocab import ErrorCode

log = logging.getLogger(__name__)

LOAD_STEPS: tuple[str, ...] = ("model", "voice", "recommender")
"""The steps :func:`load_engines` reports, in order."""


# --------------------------------------------------------------------------- engines

@dataclass
class Engines:
    """The blocking engines a session uses (see :mod:`app.adapters` for their interfaces).

    ``None`` means the session runs without it: no synthesizer = no speech (replies are still
    drafted and decided), no player = WAV files only, no recommender = recommendation requests
    are answered by slot matching.
    """

    understander: Any
    synthesizer: Any = None
    player: Any = None
    recommender: Any = None
    moderator: Any = None
    """The offensive-language detector (``score``, ``check_name``); ``None`` = messages and names
    are not screened by it (only tests build a session without it)."""
    llm_writer: Any = None
    """An :class:`app.content.writer.LlmWriter` to use instead of one built from ``[llm]`` (tests)."""
    owned: list[Any] = field(default_factory=list)
    """Engines created by :func:`load_engines` (closed by :meth:`close`); injected ones are not."""

    def close(self) -> None:
        """Close the engines this object created (``close()`` on each, errors logged)."""
        for engine in reversed(self.owned):
            try:
                engine.close()
            except Exception:  # noqa: BLE001 - closing must not raise
                log.exception("engine %r did not close cleanly", engine)
        self.owned.clear()


def load_engines(settings: Settings, catalog: Catalog, *, store=None, audio: bool = True, playback: bool = True,
                 use_recommender: bool = True, interactions_file: Path | None = None, understander=None,
                 synthesizer=None, player=None, moderator=None, defer_model: bool = False,
                 progress: Callable[[str, int, int], None] | None = None) -> Engines:
    """Load (or take the injected) engines for a session.

    Args:
        settings: the app settings (model folder, threads, voices, output device ...).
        catalog: the seller's catalog (product mentions, the recommender's items).
        store: the session store (the recommender's history); optional.
        audio: load a synthesizer (False: replies are not spoken, e.g. ``--no-audio``).
        playback: open the output device (False: WAV files only, no preview).
        use_recommender: build the hybrid recommender.
        interactions_file: a shop's order export (CSV) to learn from; ``None`` = the setting
            ``recommend.interactions_file`` (empty = none).
        understander / synthesizer / player / moderator: injected engines (tests) used as they
            are; the offensive-language detector is loaded with the intent model (step ``model``)
            from ``moderation.model_dir`` when not given.
        defer_model: load the intent model on its own thread (a
            :class:`~app.understanding.stage.DeferredUnderstander`) and return at once: the session
            runs and the first message waits for the model (the console). The model folder is
            still checked now (``intent-model-missing`` / ``-invalid`` are raised here).
        progress: called with (step, index, total) before each step of :data:`LOAD_STEPS`.

    Raises:
        LiveHostError: a required engine cannot load (``intent-model-missing``,
            ``moderation-model-missing``, ``tts-no-voice`` ...).
    """
    owned: list[Any] = []

    def step(name: str) -> None:
        if progress is not None:
            progress(name, LOAD_STEPS.index(name) + 1, len(LOAD_STEPS))

    try:
        step("model")
        if understander is None:
            from app.understanding.stage import DeferredUnderstander, Understander

            u = settings.understanding

            def load_understander():
                return Understander.load(catalog, model_dir=u.model_dir, threads=u.threads,
                                         usd_to_cny=u.usd_to_cny, uncertain_threshold=u.uncertain_threshold,
                                         default_lang=settings.language)

            if defer_model:
                from app.understanding.classifier import IntentClassifier

                IntentClassifier.check_files(u.model_dir)  # a missing model fails the start now
                # started now, before the other engines: they share one interpreter, yet the model's
                # import overlaps them enough that the model is in ~1 s sooner (measured 4.8-7.1 s vs
                # 5.9-7.0 s when started after them; the session itself is then ready at 3-4.4 s
                # instead of 1.4-1.9 s -- the first reply matters more)
                from app.understanding.classifier import default_model_dir

                understander = DeferredUnderstander(load_understander,
                                                    model_dir=Path(u.model_dir) if u.model_dir else default_model_dir())
            else:
                understander = load_understander()
        if moderator is None:
            from app.understanding.stage import load_moderator

            moderator = load_moderator(settings.moderation.model_dir, understander=understander)
            moderator.check_name("小美")  # reads pypinyin's tables now, not on the first spoken name
        step("voice")
        if audio and synthesizer is None:
            from app.synthesis.pyttsx3 import Pyttsx3Synthesizer

            sp = settings.speech
            voices = {k: v for k, v in (("zh", sp.voice_zh), ("en", sp.voice_en)) if v}
            synthesizer = Pyttsx3Synthesizer(("zh", "en"), voices=voices, rate=sp.rate_wpm, volume=sp.volume)
            synthesizer.start()
            owned.append(synthesizer)
        if audio and playback and player is None:
            from app.playback.sounddevice import SounddevicePlayer

            player = SounddevicePlayer(device=settings.speech.output_device or None)
            owned.append(player)
        step("recommender")
        recommender = None
        if use_recommender:
            from app.recommend.stage import build_recommender

            path = interactions_file
            if path is None and settings.recommend.interactions_file:
                path = Path(settings.recommend.interactions_file)
            if path is not None and not Path(path).is_file():
                path = None
            recommender = build_recommender(catalog, store=store, interactions_file=path)
    except BaseException:
        Engines(understander, owned=owned).close()
        raise
    return Engines(understander=understander, synthesizer=synthesizer if audio else None,
                   player=player if audio and playback else None, recommender=recommender,
                   moderator=moderator, owned=owned)


# --------------------------------------------------------------------------- the clock

class StreamClock:
    """Stream time in seconds since the session started.

    ``wall`` mode: ``(monotonic now - start) * speed``; ``virtual`` mode (a replay at full
    speed): the time of the latest event, set with :meth:`advance`.
    """

    def __init__(self, *, speed: float = 1.0, virtual: bool = False, offset: float = 0.0) -> None:
        self.speed = float(speed)
        self.virtual = virtual
        self._start = time.monotonic()
        self._t = float(offset)
        self._offset = float(offset)

    def restart(self) -> None:
        """Count from now (called when the session starts its sources)."""
        self._start = time.monotonic()

    def now(self) -> float:
        if self.virtual:
            return self._t
        return self._offset + (time.monotonic() - self._start) * self.speed

    def advance(self, t: float) -> None:
        """Virtual mode: stream time has reached ``t`` (never goes back)."""
        self._t = max(self._t, float(t))


# --------------------------------------------------------------------------- the session

@dataclass
class SessionOptions:
    """How a session runs (everything else comes from :class:`~app.settings.Settings`).

    Attributes:
        audio_dir: where reply WAV files go (default ``<data_dir>/audio/<session_id>``).
        auto_delay_s: auto-approve countdown, seconds; ``None`` = ``reply.auto_approve_delay_s``
            (the console); replays pass 0.
        speed: stream-time speed of the clock source (a replay): ``None`` = full speed, else
            paced; ignored for live sessions (wall clock).
        preview_pace: seconds a silent preview waits per second of audio; ``None`` = derived
            (1 live, ``1/speed`` paced replay, 0 at full speed).
        idle_rotation_s: ``None`` = ``host.idle_rotation_s``.
        clock_tick_s: stream-time seconds between ``StreamTimeAdvanced`` ticks.
        metrics_every_s: wall-clock seconds between ``MetricsReported`` snapshots (0 = none).
        end_with_sources: the session ends when every source has ended (a replay); False keeps
            it running until :meth:`Session.finish` (the console, ``livehost live``).
    """

    audio_dir: Path | None = None
    auto_delay_s: float | None = None
    speed: float | None = 1.0
    preview_pace: float | None = None
    idle_rotation_s: float | None = None
    clock_tick_s: float = 0.5
    metrics_every_s: float = 2.0
    end_with_sources: bool = False


class Session:
    """One live session: the pipeline built from settings, catalog and engines, its sources and
    its clock. Build it, then ``await run()`` (a replay) or ``await start()`` ... ``await
    finish()`` (live); :class:`SessionThread` does the latter on a thread.

    Args:
        settings: the app settings.
        catalog: the seller's catalog (the only source of facts).
        engines: from :func:`load_engines`.
        store: the session store (:class:`~app.store.SqliteStore`); every event and decision is
            written to it as it happens.
        session_id: the session's id in the store (made unique there by the caller).
        sources: chat sources to run (more can be added with :meth:`add_source`).
        observers: extra observers (the console's bridge, the replay's recorder), called on the
            session's loop for every event.
        options: see :class:`SessionOptions`.
        platform / room_id: recorded with the session (default: the first source's platform).
        meta: JSON-ready details kept with the session in the store.
    """

    def __init__(self, settings: Settings, catalog: Catalog, engines: Engines, *, store, session_id: str,
                 sources: Iterable[ChatSource] = (), observers: Iterable[Observer] = (),
                 options: SessionOptions | None = None, platform: str | None = None, room_id: str = "",
                 meta: dict | None = None) -> None:
        from app.recommend.stage import RecommendationStage
        from app.reply.flood import FloodStage
        from app.reply.guard import NameGuard
        from app.reply.policy import ModerationStage
        from app.reply.rotation import IdleRotationStage
        from app.reply.stage import ApprovalStage, ReplyStage
        from app.reply.thanks import ThanksStage
        from app.speaking import SpeechStage
        from app.speech_queue import ANSWER, GREETING, PURCHASE, THANKS, SpeechQueueStage
        from app.understanding.flood import FloodTagger
        from app.understanding.stage import UnderstandingStage

        self.settings = settings
        self.catalog = catalog
        self.engines = engines
        self.store = store
        self.session_id = session_id
        self.options = options or SessionOptions()
        self.sources: list[ChatSource] = list(sources)
        clock_sources = [s for s in self.sources if getattr(s, "clock_source", False)]
        self.replay = bool(clock_sources)
        opts = self.options
        self.clock = StreamClock(speed=opts.speed or 1.0, virtual=self.replay and opts.speed is None)
        self.platform = platform or (self.sources[0].platform if self.sources else settings.platform)
        self.room_id = room_id
        self.meta = dict(meta or {})
        self.metrics = MetricsObserver()
        r = settings.reply
        preview = opts.preview_pace
        if preview is None:
            preview = 1.0 if not self.replay else (0.0 if opts.speed is None else 1.0 / opts.speed)
        auto_delay = r.auto_approve_delay_s if opts.auto_delay_s is None else opts.auto_delay_s
        rotation_s = settings.host.idle_rotation_s if opts.idle_rotation_s is None else opts.idle_rotation_s
        audio_dir = opts.audio_dir or settings.data_dir / "audio" / session_id.replace("#", "-")

        # ---- the stages, in the one place they are built
        b, m = settings.speech_budget, settings.moderation
        self.names = NameGuard(engines.moderator)
        """Every spoken nickname and gift name passes this (filters + the offensive-language detector)."""
        self.understanding = UnderstandingStage(
            engines.understander, moderator=engines.moderator,
            flood=FloodTagger(window_s=b.flood_window_s, copy_min_viewers=b.copy_min_viewers))
        self.recommendation = (RecommendationStage(engines.recommender, store=store)
                               if engines.recommender is not None else None)
        self.introductions = None  # generated introductions for products without a script
        if settings.host.rotation_generated:
            from app.content.book import IntroductionBook

            self.introductions = IntroductionBook.from_settings(catalog, settings)
        book = self.introductions
        self.reply_stage = ReplyStage(catalog, use_recommender=self.recommendation is not None,
                                      merge_window_s=r.merge_window_s, repeat_window_s=r.repeat_window_s,
                                      introductions=book.speakable if book is not None else None,
                                      names=self.names)
        self.moderation = ModerationStage(auto_mute_after=m.auto_mute_after, window_s=m.auto_mute_window_s,
                                          flag_score=m.flag_score)
        self.flood = FloodStage(catalog, window_s=b.flood_window_s, purchase_window_s=b.purchase_window_s,
                                min_signals=b.purchase_min_signals, default_lang=settings.language)
        self.thanks = ThanksStage(catalog, names=self.names, lang=settings.language, window_s=b.thanks_window_s,
                                  welcome_window_s=b.welcome_window_s, welcome=b.welcome_entries,
                                  forget_s=b.forget_thanks_s)
        self.rotation = IdleRotationStage(catalog, interval_s=rotation_s,
                                          introducible=book.has if book is not None else None)
        self.approval = ApprovalStage(r.auto_approve, auto_delay_s=auto_delay)
        self.llm_stage = None  # the optional language model: small talk and rephrased replies
        if settings.llm.enabled and (settings.llm.answer_chitchat or settings.llm.rephrase_replies):
            from app.content.stage import LlmReplyStage

            self.llm_stage = LlmReplyStage.from_settings(catalog, settings, writer=engines.llm_writer)
        self.speech_queue = (SpeechQueueStage(
            max_share=b.max_share, answer_share=b.answer_share, share_window_s=b.share_window_s,
            max_queued=b.max_queued,
            max_age_s={GREETING: b.greeting_max_age_s, THANKS: b.thanks_max_age_s,
                       PURCHASE: b.purchase_max_age_s, ANSWER: b.answer_max_age_s},
            playback=engines.player is not None)
            if engines.synthesizer is not None else None)
        self.speech_stage = (SpeechStage(engines.synthesizer, audio_dir, engines.player, preview_pace=preview,
                                         min_free_mb=settings.speech.min_free_disk_mb, queued=True)
                             if engines.synthesizer is not None else None)
        stages = [self.understanding]
        if self.recommendation is not None:
            stages.append(self.recommendation)
        stages += [self.reply_stage, self.moderation, self.flood, self.thanks, self.rotation, self.approval]
        if self.llm_stage is not None:
            stages.append(self.llm_stage)
        if self.speech_stage is not None:
            stages += [self.speech_queue, self.speech_stage]
        self._source_observers: list[Observer] = []
        from app.housekeeping import AudioBudget, Housekeeping

        st = settings.storage
        self.audio_budget = AudioBudget(keep_s=st.audio_keep_s, keep_mb=st.audio_keep_mb)
        all_observers = [self.metrics, StoreRecorder(store, session_id), self.audio_budget, *observers,
                         _Relay(self._source_observers)]
        self.pipeline = Pipeline(stages, all_observers, event_log=store, session_id=session_id)
        folders = [audio_dir] + ([Path(store.path).parent] if getattr(store, "path", ":memory:") != ":memory:" else [])
        self.housekeeping = Housekeeping(store, folders, self.pipeline.publish, min_free_mb=st.min_free_mb,
                                         checkpoint_every_s=st.checkpoint_every_s)
        self._pumps: dict[int, asyncio.Task] = {}
        self._tasks: list[asyncio.Task] = []
        self._next_tick = 0.0
        self._last_t = 0.0
        self._started = False
        self._finished = False
        self._all_ended: asyncio.Event | None = None

    # ------------------------------------------------------------------ running
    @property
    def started(self) -> bool:
        return self._started

    async def start(self) -> None:
        """Start the stages, record the session, publish ``SessionStarted`` and start the
        sources (and, for a live or paced session, the clock ticks)."""
        if self._started:
            return
        self._all_ended = asyncio.Event()
        self.store.save_catalog(self.catalog)
        self.store.start_session(self.session_id, self.platform, self.room_id, catalog=self.catalog,
                                 meta={**self.meta, "sources": [s.spec for s in self.sources]})
        await self.pipeline.start()
        self._started = True
        self.clock.restart()
        await self.pipeline.publish(SessionStarted(t=0.0, session_id=self.session_id, platform=self.platform,
                                                   room_id=self.room_id,
                                                   sources=tuple(s.spec for s in self.sources)))
        if not self.clock.virtual:
            self._tasks.append(asyncio.create_task(self._tick(), name="session-clock"))
        self.housekeeping.start()
        if self.options.metrics_every_s > 0:
            self._tasks.append(asyncio.create_task(self._report_metrics(), name="session-metrics"))
        for source in list(self.sources):
            self._start_pump(source)
        if not self.sources:
            self._all_ended.set()

    def add_source(self, source: ChatSource) -> None:
        """Run another source in this session (on the session's loop, after :meth:`start`)."""
        if source not in self.sources:
            self.sources.append(source)
        if self._started:
            assert self._all_ended is not None
            self._all_ended.clear()
            self._start_pump(source)

    def _start_pump(self, source: ChatSource) -> None:
        if on_event := getattr(source, "on_event", None):
            self._source_observers.append(source)
        self._pumps[id(source)] = asyncio.create_task(self._pump(source), name=f"source-{source.spec}")

    async def run(self) -> None:
        """Start, run until every source has ended, then :meth:`finish` (a replay)."""
        await self.start()
        try:
            await self.wait_sources()
        finally:
            await self.finish()

    async def wait_sources(self) -> None:
        """Return when every source has ended."""
        assert self._all_ended is not None
        await self._all_ended.wait()

    async def publish(self, event: Event) -> None:
        """Publish an event as it is (a source's event, with its own stream time)."""
        await self.pipeline.publish(event)

    async def command(self, event: Event) -> None:
        """Publish a command from the seller (console, voice) at the current stream time."""
        if event.t == 0.0:
            event = dataclasses.replace(event, t=self.clock.now())
        await self.pipeline.publish(event)

    async def drain(self) -> None:
        await self.pipeline.drain()

    async def finish(self) -> None:
        """End the session: stop the sources, close open windows (``SourcesEnded``), let
        everything be handled, publish ``SessionEnded``, stop the stages, mark it ended in the store."""
        if self._finished or not self._started:
            return
        self._finished = True
        for task in self._pumps.values():
            task.cancel()
        await asyncio.gather(*self._pumps.values(), return_exceptions=True)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.housekeeping.stop()
        end_t = max(self._last_t, self.clock.now())
        try:
            await self.pipeline.publish(SourcesEnded(t=end_t))
            await self.pipeline.drain()
            await self.pipeline.publish(SessionEnded(t=end_t, session_id=self.session_id))
        finally:
            await self.pipeline.stop()
            for source in self.sources:
                close = getattr(source, "aclose", None)
                if close is not None:
                    try:
                        await close()
                    except Exception:  # noqa: BLE001 - closing must not raise
                        log.exception("source %s did not close cleanly", source.spec)
            try:
                self.store.checkpoint()
                self.store.end_session(self.session_id)
            except Exception as exc:  # noqa: BLE001 - a full disk must not hide the session's results
                log.warning("could not mark the session ended: %s", exc)

    # ------------------------------------------------------------------ pumps and clock
    def _context(self) -> SourceContext:
        return SourceContext(now=self.clock.now, run_blocking=self.pipeline.run_blocking,
                             session_id=self.session_id, settings=self.settings)

    async def _pump(self, source: ChatSource) -> None:
        unpaced = self.clock.virtual and getattr(source, "clock_source", False)
        try:
            async for event in source.events(self._context()):
                if isinstance(event, Received) and not event.source:
                    event = dataclasses.replace(event, source=source.spec)
                if unpaced:
                    await self._ticks_until(event.t)
                    self.clock.advance(event.t)
                self._last_t = max(self._last_t, event.t)
                await self.pipeline.publish(event)
                if unpaced:
                    await self.pipeline.drain()
        except asyncio.CancelledError:
            raise
        except LiveHostError as exc:
            await self.pipeline.publish(ErrorOccurred(t=self.clock.now(), code=exc.code, message=exc.message,
                                                      hint=exc.hint, stage="source"))
        except Exception as exc:  # noqa: BLE001 - a source failing must not stop the session
            log.exception("source %s failed", source.spec)
            await self.pipeline.publish(ErrorOccurred(
                t=self.clock.now(), code=ErrorCode.SOURCE_FAILED, stage="source",
                message=f"The chat source {source.spec} stopped: {type(exc).__name__}: {exc}",
                hint="Check the connection or the session file; the session keeps running."))
        finally:
            self._pumps.pop(id(source), None)
            if not self._pumps and self._all_ended is not None:
                self._all_ended.set()

    async def _ticks_until(self, t: float) -> None:
        """Virtual clock: publish the ticks due up to stream time ``t``, each handled in turn."""
        step = self.options.clock_tick_s
        if step <= 0:
            return
        while self._next_tick <= t:
            if self._next_tick > self._last_t:
                self.clock.advance(self._next_tick)
                await self.pipeline.publish(StreamTimeAdvanced(t=self._next_tick))
                await self.pipeline.drain()
            self._next_tick += step

    async def _tick(self) -> None:
        step = self.options.clock_tick_s
        if step <= 0:
            return
        wall = step / max(self.clock.speed, 1e-9)
        while True:
            await asyncio.sleep(wall)
            await self.pipeline.publish(StreamTimeAdvanced(t=self.clock.now()))

    async def _report_metrics(self) -> None:
        while True:
            await asyncio.sleep(self.options.metrics_every_s)
            await self.pipeline.publish(self.metrics_snapshot())

    def metrics_snapshot(self) -> MetricsReported:
        """The core's health now (called on the session's loop)."""
        snap = self.metrics.snapshot()
        q = self.speech_queue
        lag = self.housekeeping.lag.quantile(0.99)
        return MetricsReported(t=self.clock.now(),
                               speech_queue=(q.queued + self.speech_stage.queued) if q is not None else 0,
                               speech_share=round(q.share(self.clock.now()), 3) if q is not None else 0.0,
                               loop_lag_p99_ms=None if lag is None else round(lag * 1000, 1), **snap)


class _Relay:
    """Passes every event to the sources that observe the stream (the microphone's gate)."""

    def __init__(self, targets: list) -> None:
        self.targets = targets

    def on_event(self, event: Event) -> None:
        for t in self.targets:
            t.on_event(event)


# --------------------------------------------------------------------------- on a thread

class SessionThread:
    """A :class:`Session` on its own asyncio loop in a thread named ``livehost-core`` (the console).

    Other threads talk to it only through :meth:`submit` (a command, thread-safe),
    :meth:`add_source` and :meth:`call`; they see its events through the observers given to the
    session (called on the core thread -- the Qt bridge re-emits them as a queued signal).

    Args:
        build: called on the core thread to build the :class:`Session` (so its loop objects
            belong to that thread).
        on_stopped: called (on the core thread) after the session finished.
    """

    def __init__(self, build: Callable[[], Session]) -> None:
        self._build = build
        self.session: Session | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._start_error: BaseException | None = None

    def start(self, timeout: float = 120.0) -> None:
        """Build and start the session on the core thread; returns when it is running.

        Raises:
            LiveHostError: a stage could not start.
            TimeoutError: it did not start within ``timeout`` seconds.
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
            self.session = self._build()
            loop.run_until_complete(self.session.start())
        except BaseException as exc:  # noqa: BLE001 - reported to the starting thread
            self._start_error = exc
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        loop.run_forever()
        loop.close()

    @property
    def running(self) -> bool:
        return self.loop is not None and self.loop.is_running() and self.session is not None

    def submit(self, event: Event) -> concurrent.futures.Future:
        """Publish a command on the core thread at the current stream time (thread-safe)."""
        assert self.loop is not None and self.session is not None, "start() first"
        return asyncio.run_coroutine_threadsafe(self.session.command(event), self.loop)

    def publish(self, event: Event) -> concurrent.futures.Future:
        """Publish an event as it is (its own ``t``), thread-safe."""
        assert self.loop is not None and self.session is not None, "start() first"
        return asyncio.run_coroutine_threadsafe(self.session.publish(event), self.loop)

    def add_source(self, source: ChatSource) -> None:
        """Run another chat source in the session (thread-safe)."""
        assert self.loop is not None and self.session is not None
        self.loop.call_soon_threadsafe(self.session.add_source, source)

    def call(self, fn: Callable[[], Any]) -> concurrent.futures.Future:
        """Run ``fn()`` on the core thread; its result as a future."""
        assert self.loop is not None

        async def _call():
            return fn()

        return asyncio.run_coroutine_threadsafe(_call(), self.loop)

    def drain(self, timeout: float = 60.0) -> None:
        """Wait until everything published so far has been handled."""
        assert self.loop is not None and self.session is not None
        asyncio.run_coroutine_threadsafe(self.session.drain(), self.loop).result(timeout)

    def wait_sources(self, timeout: float | None = None) -> None:
        """Wait until every source has ended (e.g. a replay in the console)."""
        assert self.loop is not None and self.session is not None
        asyncio.run_coroutine_threadsafe(self.session.wait_sources(), self.loop).result(timeout)

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the session (drains it) and stop the core thread."""
        if self.loop is None or self.session is None or not self.loop.is_running():
            return
        try:
            asyncio.run_coroutine_threadsafe(self.session.finish(), self.loop).result(timeout)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            if self._thread is not None:
                self._thread.join(timeout)


def open_store(path: Path):
    """The session store at ``path`` (created with its folder). Raises LiveHostError."""
    from app.store import SqliteStore

    return SqliteStore(path)
