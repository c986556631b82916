"""The one bridge between the core (its own thread) and Qt (the GUI thread).

* :class:`QtBridge` is an observer of the session (:class:`~app.session.Session`). ``on_event``
  is called on the core thread for every published event and only re-emits it as ``event`` (a
  ``Signal(object)``); Qt delivers it *queued* on the GUI thread, where widgets read it.
  Commands go the other way with :meth:`QtBridge.submit` -> :meth:`SessionThread.submit
  <app.session.SessionThread.submit>` (``asyncio.run_coroutine_threadsafe``).
* :class:`SessionLoader` loads the engines (:func:`app.session.load_engines`) and starts the
  session (:class:`~app.session.SessionThread`) on a background thread after the window is
  shown (the model takes seconds), reporting each step through the bridge's ``status`` signal,
  so the window is usable at once. It can restart the session with other sources, reusing the
  engines.
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
        """Use ``session`` (a :class:`~app.session.SessionThread`) for commands and send the
        commands that waited."""
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
    """What the loader needs to build a session.

    Engines left ``None`` are the real ones (the intent model, pyttsx3, sounddevice); tests
    inject fakes. ``sources`` are source specs or :class:`~app.sources.base.ChatSource`
    objects (a ``replay:`` one makes it a replay session, paced at ``speed``).
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
    interactions_file: Path | None = None
    observers: list = field(default_factory=list)
    sources: list = field(default_factory=list)
    speed: float | None = 1.0
    defer_model: bool = True
    """Start the session before the intent model is loaded (it loads on its own thread; the first
    comment waits for it). Only for the real model (``understander`` None)."""


class SessionLoader:
    """Loads the engines and starts a :class:`~app.session.SessionThread` on a thread named
    ``livehost-loader``.

    Steps (each reported as ``LoaderStatus('progress', step, i, n)``): intent model, speech
    synthesis, recommender, pipeline. Ends with ``ready`` (then :attr:`session` is set and the
    bridge is attached on the GUI thread by the console) or ``failed`` with the error.

    With ``spec.defer_model`` the intent model loads on its own thread meanwhile (only its folder
    is checked in the first step): after ``ready`` comes ``LoaderStatus('background',
    'status.step.model_background')`` while it loads, then ``model-ready`` or ``failed`` with
    its error. Timings (seconds from :meth:`start`): :attr:`ready_s`, :attr:`model_ready_s`.
    """

    STEPS = ("status.step.model", "status.step.voice", "status.step.recommender", "status.step.pipeline")

    def __init__(self, bridge: QtBridge, spec: SessionSpec) -> None:
        self.bridge = bridge
        self.spec = spec
        self.session = None
        """The running :class:`~app.session.SessionThread` (None until ready)."""
        self.engines = None
        self.store = None
        self._thread: threading.Thread | None = None
        self.ready_s: float | None = None
        """Seconds from start() to the session running (None until then)."""
        self.model_ready_s: float | None = None
        """Seconds from start() to the intent model being loaded (None until then)."""

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

    def _open_store(self):
        if self.store is None:
            from app.session import open_store

            self.store = self.spec.store if self.spec.store is not None else open_store(self.spec.settings.db_path)
        return self.store

    def _run(self) -> None:
        from app.session import load_engines

        t0 = time.perf_counter()
        spec = self.spec
        try:
            store = self._open_store()
            names = {"model": self.STEPS[0], "voice": self.STEPS[1], "recommender": self.STEPS[2]}
            self.engines = load_engines(
                spec.settings, spec.catalog, store=store, use_recommender=spec.use_recommender,
                interactions_file=spec.interactions_file, understander=spec.understander,
                synthesizer=spec.synthesizer, player=spec.player,
                defer_model=spec.defer_model and spec.understander is None,
                progress=lambda step, i, n: self._report("progress", names[step], i, t0=t0))
            self._report("progress", self.STEPS[3], 4, t0=t0)
            self.session = self._start_session(spec.sources, spec.speed, spec.session_id)
        except BaseException as exc:  # noqa: BLE001 - shown in the status bar with its hint
            log.exception("session failed to start")
            if self.engines is not None:
                self.engines.close()
                self.engines = None
            self._report("failed", error=exc, t0=t0)
            return
        self.ready_s = time.perf_counter() - t0
        self._report("ready", t0=t0)
        understander = self.engines.understander
        if hasattr(understander, "add_done_callback"):  # a DeferredUnderstander: still loading?
            if not understander.ready:
                self._report("background", "status.step.model_background", t0=t0)

            def loaded(u) -> None:
                self.model_ready_s = time.perf_counter() - t0
                err = u.error()
                if err is not None:
                    log.error("intent model failed to load: %s", err)
                    self._report("failed", error=err, t0=t0)
                else:
                    self._report("model-ready", t0=t0)

            understander.add_done_callback(loaded)
        else:
            self.model_ready_s = self.ready_s

    def _start_session(self, sources, speed, session_id=None):
        from app.session import Session, SessionOptions, SessionThread
        from app.sources import open_source

        spec = self.spec
        store = self._open_store()
        opened = [open_source(s, settings=spec.settings, speed=speed, catalog=spec.catalog) if isinstance(s, str)
                  else s for s in sources]
        replay = any(getattr(s, "clock_source", False) for s in opened)
        prefix = "replay-" if replay else "live-"
        sid = store.unique_session_id(session_id or time.strftime(prefix + "%Y%m%d-%H%M%S"))
        if spec.settings.microphone.enabled and not any(s.spec == "mic" for s in opened):
            opened.append(open_source("mic", settings=spec.settings, catalog=spec.catalog))
        engines = self.engines

        def build() -> Session:
            return Session(spec.settings, spec.catalog, engines, store=store, session_id=sid, sources=opened,
                           observers=[*spec.observers, self.bridge],
                           options=SessionOptions(audio_dir=spec.audio_dir, auto_delay_s=spec.auto_delay_s,
                                                  speed=speed if replay else 1.0),
                           meta={"kind": "console", "sources": [s.spec for s in opened]})

        thread = SessionThread(build)
        thread.start()
        return thread

    def restart(self, sources, speed: float | None = 1.0) -> None:
        """Finish the running session and start another with ``sources`` (blocking; call it off
        the GUI thread), reusing the loaded engines."""
        old, self.session = self.session, None
        if old is not None:
            old.stop()
        self.session = self._start_session(sources, speed)

    def stop(self) -> None:
        """Stop the session and close the engines this loader created (blocking)."""
        self.join(60)
        if self.session is not None:
            try:
                self.session.stop()
            except Exception:  # noqa: BLE001
                log.exception("session did not stop cleanly")
            self.session = None
        if self.engines is not None:
            self.engines.close()
            self.engines = None
