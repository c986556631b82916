"""The one bridge between the core (its own thread) and Qt (the GUI thread).

* :class:`QtBridge` is a :class:`~app.runtime.LiveSession` observer. ``on_event`` is called on
  the core thread for every published event and only re-emits it as ``event`` (a
  ``Signal(object)``); Qt delivers it *queued* on the GUI thread, where widgets read it.
  Commands go the other way with :meth:`QtBridge.submit` -> ``LiveSession.submit`` (which uses
  ``asyncio.run_coroutine_threadsafe``).
* :class:`SessionLoader` builds and starts the session on a background thread after the
  window is shown (model load takes seconds), reporting each step through the bridge's
  ``status`` signal, so the window is usable at once.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.events import Event

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoaderStatus:
    """A start-up step report: ``state`` is ``progress``, ``ready`` or ``failed``."""

    state: str
    step: str = ""
    """i18n key of the step (``status.step.model`` ...)."""
    index: int = 0
    total: int = 0
    error: BaseException | None = None
    elapsed_s: float = 0.0


class QtBridge(QObject):
    """Core -> GUI events (``event``), start-up progress (``status``); GUI -> core commands.

    Signals:
        event(object): every core event (an :class:`app.events.Event`), on the GUI thread.
        status(object): a :class:`LoaderStatus` while the session starts.
    """

    event = Signal(object)
    status = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = None
        self.submitted: list[Event] = []
        """Every command the GUI sent, in order (the console's own record; tests read it)."""
        self.pending: list[Event] = []
        """Commands sent before the session was ready; they are sent once it is."""

    # core thread
    def on_event(self, e: Event) -> None:
        """Observer callback (core thread): hand the event to Qt. Never blocks."""
        self.event.emit(e)

    # GUI thread
    @property
    def ready(self) -> bool:
        return self.session is not None

    def attach(self, session) -> None:
        """Use ``session`` for commands (after it started) and send the commands that waited."""
        self.session = session
        waiting, self.pending = self.pending, []
        for e in waiting:
            session.submit(e)

    def detach(self) -> None:
        self.session = None

    def submit(self, e: Event) -> bool:
        """Send a command / event to the core. Returns True when it went out now, False when
        it waits for the session to start."""
        self.submitted.append(e)
        if self.session is None:
            self.pending.append(e)
            return False
        self.session.submit(e)
        return True


@dataclass
class SessionSpec:
    """What the loader needs to build a :class:`~app.runtime.LiveSession`.

    Engines left ``None`` are the real ones (the intent model, pyttsx3, sounddevice); tests
    inject fakes.
    """

    settings: Any
    catalog: Any
    session_id: str | None = None
    synthesizer: Any = None
    player: Any = None
    understander: Any = None
    store: Any = None
    audio_dir: Path | None = None
    auto_delay_s: float | None = None
    use_recommender: bool = True
    observers: list = field(default_factory=list)


class SessionLoader:
    """Builds and starts a LiveSession on a thread named ``livehost-loader``.

    Steps (each reported as ``LoaderStatus('progress', step, i, n)``): intent model, speech
    synthesis, pipeline. Ends with ``ready`` (then :attr:`session` is set and the bridge is
    attached on the GUI thread by the console) or ``failed`` with the error.
    """

    STEPS = ("status.step.model", "status.step.voice", "status.step.pipeline")

    def __init__(self, bridge: QtBridge, spec: SessionSpec) -> None:
        self.bridge = bridge
        self.spec = spec
        self.session = None
        self.owned_synth = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="livehost-loader", daemon=True)
        self._thread.start()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _report(self, state: str, step: str = "", index: int = 0, error=None, t0: float = 0.0) -> None:
        log.info("core start: %s %s at %.2f s", state, step, time.perf_counter() - t0)
        self.bridge.status.emit(LoaderStatus(state, step, index, len(self.STEPS), error,
                                             time.perf_counter() - t0))

    def _run(self) -> None:
        from app.runtime import LiveSession
        from app.understanding.stage import Understander

        t0 = time.perf_counter()
        spec = self.spec
        s = spec.settings
        try:
            self._report("progress", self.STEPS[0], 1, t0=t0)
            understander = spec.understander
            if understander is None:
                u = s.understanding
                understander = Understander.load(spec.catalog, model_dir=u.model_dir, threads=u.threads,
                                                 usd_to_cny=u.usd_to_cny,
                                                 uncertain_threshold=u.uncertain_threshold)
            self._report("progress", self.STEPS[1], 2, t0=t0)
            synth = spec.synthesizer
            if synth is None:
                from app.synthesis.pyttsx3 import Pyttsx3Synthesizer

                voices = {k: v for k, v in (("zh", s.speech.voice_zh), ("en", s.speech.voice_en)) if v}
                synth = Pyttsx3Synthesizer(("zh", "en"), voices=voices, rate=s.speech.rate_wpm,
                                           volume=s.speech.volume)
                synth.start()
                self.owned_synth = synth
            self._report("progress", self.STEPS[2], 3, t0=t0)
            session = LiveSession(s, spec.catalog, session_id=spec.session_id, synthesizer=synth,
                                  player=spec.player, understander=understander, audio_dir=spec.audio_dir,
                                  store=spec.store, auto_delay_s=spec.auto_delay_s,
                                  use_recommender=spec.use_recommender)
            for obs in spec.observers:
                session.add_observer(obs)
            session.add_observer(self.bridge)
            session.start()
            self.session = session
        except BaseException as exc:  # noqa: BLE001 - shown in the status bar with its hint
            log.exception("session failed to start")
            if self.owned_synth is not None:
                self.owned_synth.close()
                self.owned_synth = None
            self._report("failed", error=exc, t0=t0)
            return
        self._report("ready", t0=t0)

    def stop(self) -> None:
        """Stop the session and close the engines this loader created (blocking)."""
        self.join(60)
        if self.session is not None:
            try:
                self.session.stop()
            except Exception:  # noqa: BLE001
                log.exception("session did not stop cleanly")
            self.session = None
        if self.owned_synth is not None:
            self.owned_synth.close()
            self.owned_synth = None
