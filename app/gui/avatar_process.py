"""The console's side of the avatar process (issue 18).

:class:`AvatarProcess` starts ``python -m app.gui.avatar.process`` with a ``QProcess`` and drives
it with the messages of :mod:`app.gui.avatar.messages`. It has the window methods the console
and :class:`~app.gui.avatar_link.AvatarLink` use (``speak``, ``stop_speaking``, ``handle_event``,
``set_look`` ..., ``show``, ``close``), so it stands where an in-process
:class:`~app.gui.avatar.window.AvatarWindow` would (``avatar_process = "inline"`` in
``gui.toml``).

The two processes behave as one app:

* one launch: the console starts the avatar; one quit: :meth:`close` sends ``Quit`` (and kills
  the process after 2 s); if the console dies, the avatar sees its stdin close and exits;
* panic mute: :meth:`stop_speaking` writes ``StopSpeaking`` and flushes the pipe at once;
* a crash (the process exits without being asked) emits :attr:`crashed` with an
  :class:`AvatarCrash`; the process is started again after a backoff (0.5, 1, 2, 4, 8, 15, 30 s;
  back to 0.5 s once a run lasted :attr:`stable_s`), with everything already decided: the look,
  the window's place and size, whether the seller had closed it, and the line being spoken
  (the mouth picks it up where the sound is).

The envelope is computed in the console (:class:`AvatarLink`, on its worker thread, as for the
in-process window) and sent with the line: a reply's envelope is 60 values per second (~4 KB of
JSON for 10 s), the avatar needs no audio library and no access to the audio folder.

GUI thread only.
"""

from __future__ import annotations

import logging
import sys
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEventLoop, QObject, QProcess, QProcessEnvironment, QTimer, Signal

from app.errors import LiveHostError
from app.gui.avatar import messages as m

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BACKOFF_S: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0)
"""Waits before restarting the avatar after consecutive crashes, seconds (the last repeats)."""


@dataclass(frozen=True)
class AvatarCrash:
    """The avatar process stopped without being asked to."""

    exit_code: int
    """Its exit code (negative / crash status: killed by a signal)."""
    crashed: bool
    """True when it was killed or crashed (no normal exit)."""
    restart_in_s: float
    """When it is started again, seconds from now."""
    crashes: int
    """Consecutive crashes so far (1 = the first)."""
    stderr_tail: str
    """The last lines it wrote on stderr (for the log)."""
    failed: m.AvatarFailed | None = None
    """Its own report when it could not open the window (then it is not restarted)."""


class AvatarProcess(QObject):
    """The avatar window in a child process, seen from the console.

    Args:
        window: the window's settings (look, background, aspect, size, position ...).
        python: the interpreter to run (default: this one).
        backoff_s: waits before each restart after consecutive crashes, seconds.
        stable_s: a run this long (seconds) resets the backoff.
        parent: Qt parent.

    Signals:
        ready(object): :class:`~app.gui.avatar.messages.AvatarReady` -- the window is open (first
            start and every restart).
        crashed(object): an :class:`AvatarCrash`.
        closed(): the seller closed the avatar window (it is hidden; :meth:`show` brings it back).
        received(object): every message from the avatar.
    """

    ready = Signal(object)
    crashed = Signal(object)
    closed = Signal()
    received = Signal(object)

    def __init__(self, window: m.OpenWindow = m.OpenWindow(), *, python: str | None = None,
                 backoff_s: tuple[float, ...] = BACKOFF_S, stable_s: float = 30.0, parent=None) -> None:
        super().__init__(parent)
        self._open = window
        self.python = python or sys.executable
        self.backoff_s = backoff_s
        self.stable_s = stable_s
        self.proc: QProcess | None = None
        self.pid: int | None = None
        """The running avatar's process id (None while it is down)."""
        self.starts = 0
        """How many times the process was started."""
        self.crashes = 0
        """Consecutive crashes (0 after a stable run)."""
        self.last_ready: m.AvatarReady | None = None
        self.exit_code: int | None = None
        """The last run's exit code (None while it runs or before the first run ended)."""
        self._buf = b""
        self._stderr: deque[str] = deque(maxlen=40)
        self._started_at = 0.0
        self._quitting = False
        self._line: m.SpeakLine | None = None
        self._line_end = 0.0
        self._n = 0
        self._failed: m.AvatarFailed | None = None
        self._replies: list[m.Message] = []
        self._restart = QTimer(self)
        self._restart.setSingleShot(True)
        self._restart.timeout.connect(self.start)
        self._looks: dict[str, dict] | None = None

    # ------------------------------------------------------------------ life cycle
    def start(self) -> None:
        """Start the avatar process (no-op while it runs). Returns at once; :attr:`ready`
        follows when the window is open."""
        if self.running or self._quitting:
            return
        self._buf = b""
        self._failed = None
        p = QProcess(self)
        env = QProcessEnvironment.systemEnvironment()
        path = env.value("PYTHONPATH", "")
        env.insert("PYTHONPATH", str(PROJECT_ROOT) + ((":" if sys.platform != "win32" else ";") + path if path else ""))
        p.setProcessEnvironment(env)
        p.setProgram(self.python)
        p.setArguments(["-m", "app.gui.avatar.process"])
        p.readyReadStandardOutput.connect(self._read_stdout)
        p.readyReadStandardError.connect(self._read_stderr)
        p.finished.connect(self._finished)
        p.errorOccurred.connect(self._error)
        self.proc = p
        self.starts += 1
        self.exit_code = None
        self._started_at = time.monotonic()
        p.start()
        self._send(self._open)
        if self._line is not None and self._line_end > time.monotonic():
            self._send(self._line)  # mid-sentence after a crash: the mouth picks up where the sound is

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.state() != QProcess.ProcessState.NotRunning

    def close(self, timeout_s: float = 2.0) -> None:
        """Quit the avatar (the console quits): ``Quit``, then kill after ``timeout_s``. Blocking."""
        self._quitting = True
        self._restart.stop()
        p = self.proc
        if p is None or p.state() == QProcess.ProcessState.NotRunning:
            return
        self._send(m.Quit())
        p.closeWriteChannel()
        if not p.waitForFinished(int(timeout_s * 1000)):
            log.warning("avatar process did not quit in %.1f s: killing it", timeout_s)
            p.kill()
            p.waitForFinished(1000)

    def _read_stdout(self) -> None:
        self._buf += bytes(self.proc.readAllStandardOutput())
        *lines, self._buf = self._buf.split(b"\n")
        for raw in lines:
            if not raw.strip():
                continue
            try:
                msg = m.decode(raw)
            except m.MessageError as exc:
                log.warning("avatar: %s", exc.message)
                continue
            self._on_message(msg)

    def _read_stderr(self) -> None:
        text = bytes(self.proc.readAllStandardError()).decode("utf-8", "replace")
        for line in text.splitlines():
            if line.strip():
                self._stderr.append(line)
                log.debug("avatar stderr: %s", line)

    def _on_message(self, msg: m.Message) -> None:
        if isinstance(msg, m.AvatarReady):
            self.pid = msg.pid
            self.last_ready = msg
            if msg.version != m.STREAM_VERSION:
                log.warning("avatar speaks stream version %s, the console %s", msg.version, m.STREAM_VERSION)
            self.ready.emit(msg)
        elif isinstance(msg, m.AvatarFailed):
            self._failed = msg
        elif isinstance(msg, m.WindowClosed):
            self._open = _replace(self._open, visible=False)
            self.closed.emit()
        elif isinstance(msg, m.WindowMoved):
            self._open = _replace(self._open, position=(msg.x, msg.y), size=(msg.width, msg.height))
        self._replies.append(msg)
        self.received.emit(msg)

    def _error(self, err) -> None:
        if err == QProcess.ProcessError.FailedToStart:
            self._finished(-1, QProcess.ExitStatus.CrashExit)

    def _finished(self, code: int, status) -> None:
        proc, self.proc, self.pid = self.proc, None, None
        self.exit_code = int(code)
        if proc is not None:
            proc.deleteLater()
        if self._quitting:
            return
        crashed = status == QProcess.ExitStatus.CrashExit
        if time.monotonic() - self._started_at >= self.stable_s:
            self.crashes = 0
        self.crashes += 1
        failed = self._failed
        wait = self.backoff_s[min(self.crashes - 1, len(self.backoff_s) - 1)]
        tail = "\n".join(self._stderr)
        log.warning("avatar process stopped (exit code %s%s); %s", code, ", crashed" if crashed else "",
                    "not restarted: " + failed.message if failed else f"restarting in {wait:.1f} s")
        if tail:
            log.info("avatar stderr before it stopped:\n%s", tail)
        self.crashed.emit(AvatarCrash(exit_code=int(code), crashed=crashed, restart_in_s=wait if not failed else -1.0,
                                      crashes=self.crashes, stderr_tail=tail, failed=failed))
        if failed is None:
            self._restart.start(int(wait * 1000))

    def _send(self, msg: m.Message, flush: bool = False) -> None:
        p = self.proc
        if p is None:  # down (restarting): what matters is re-sent by start()
            return
        p.write(m.encode(msg))
        if flush:
            p.waitForBytesWritten(100)

    # ------------------------------------------------------------------ requests (tests, bench, screenshots)
    def request(self, msg: m.Message, answer: type[m.Message], timeout_s: float = 5.0) -> m.Message:
        """Send ``msg`` and run a local event loop until an ``answer`` message arrives.

        Raises:
            TimeoutError: no answer within ``timeout_s`` (the avatar is down or stuck).
        """
        self._replies = [r for r in self._replies if not isinstance(r, answer)]
        self._send(msg, flush=True)
        loop = QEventLoop()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            got = next((r for r in self._replies if isinstance(r, answer)), None)
            if got is not None:
                self._replies.remove(got)
                return got
            if self.proc is not None:
                self.proc.waitForReadyRead(10)  # reads the pipe (emits readyRead) without a full loop
            loop.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)
        raise TimeoutError(f"the avatar process did not answer {type(msg).__name__} in {timeout_s:.1f} s")

    def wait_ready(self, timeout_s: float = 10.0) -> m.AvatarReady:
        """Block (running Qt events) until the window is open. TimeoutError otherwise."""
        deadline = time.monotonic() + timeout_s
        n = self.starts
        loop = QEventLoop()
        while time.monotonic() < deadline:
            if self.pid is not None and self.starts == n and self.last_ready is not None and self.last_ready.pid == self.pid:
                return self.last_ready
            if self.proc is not None:
                self.proc.waitForReadyRead(10)
            loop.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)
        raise TimeoutError(f"the avatar window did not open in {timeout_s:.1f} s")

    def frames(self, reset: bool = False) -> m.FramesReported:
        """The avatar's frame record since the last reset (see :class:`FramesReported`)."""
        return self.request(m.ReportFrames(reset=reset), m.FramesReported)

    def state(self) -> m.StateReported:
        """What the avatar window shows now."""
        return self.request(m.ReportState(), m.StateReported)

    def save_screenshot(self, path: str | Path) -> bool:
        """Save the avatar's current frame as an image; False when it failed or did not answer."""
        try:
            return bool(self.request(m.SaveScreenshot(path=str(path)), m.ScreenshotSaved).ok)
        except TimeoutError:
            return False

    # ------------------------------------------------------------------ the window's methods
    def speak(self, text: str, envelope: np.ndarray, frame_s: float = 1.0 / 60.0, intent: str | None = None, *,
              clock=None, started_at: float | None = None) -> None:
        """As :meth:`AvatarWindow.speak <app.gui.avatar.window.AvatarWindow.speak>`. ``clock``
        (the playback position, seconds) is turned into the monotonic time the first sample is
        heard (``time.monotonic() - clock()``), which the avatar process follows on its own.

        Raises:
            ValueError: envelope not 1-D or ``frame_s <= 0``.
        """
        env = np.asarray(envelope, dtype=np.float32)
        if env.ndim != 1 or frame_s <= 0:
            raise ValueError(f"envelope must be 1-D and frame_s > 0, got shape {env.shape}, frame_s {frame_s}")
        now = time.monotonic()
        heard_at = now - float(clock()) if clock is not None else (now if started_at is None else float(started_at))
        self._n += 1
        self._line = m.SpeakLine(reply_id=f"line-{self._n}", text=text, envelope=tuple(env.tolist()),
                                 frame_s=float(frame_s), heard_at=heard_at, intent=intent)
        self._line_end = heard_at + len(env) * frame_s
        self._send(self._line, flush=True)

    def stop_speaking(self) -> None:
        """Panic mute / speech finished: the mouth closes on the avatar's next frame."""
        self._line = None
        self._send(m.StopSpeaking(sent_at=time.monotonic()), flush=True)

    @property
    def speaking(self) -> bool:
        """True while a line sent here is still being heard (the console's view)."""
        return self._line is not None and time.monotonic() < self._line_end

    def handle_event(self, event: object) -> None:
        """As :meth:`AvatarWindow.handle_event <app.gui.avatar.window.AvatarWindow.handle_event>`."""
        from app.events import MuteSpeech, NowSellingChanged, SpeechFinished, SpeechMuted

        if isinstance(event, SpeechFinished) or (isinstance(event, MuteSpeech | SpeechMuted) and event.muted):
            self.stop_speaking()
        elif isinstance(event, NowSellingChanged):
            self._send(m.ShowExpression(expression="presenting", hold_s=2.5, unless_speaking=True))

    def set_expression(self, expression: str, hold_s: float = 2.0) -> None:
        from app.gui.avatar.animation import EXPRESSIONS

        if expression not in EXPRESSIONS:
            raise ValueError(f"unknown expression {expression!r}; choose from {EXPRESSIONS}")
        self._send(m.ShowExpression(expression=expression, hold_s=hold_s))

    def looks(self) -> dict[str, dict]:
        """Available looks (read from ``assets/avatar/avatar.json``)."""
        if self._looks is None:
            import json

            from app.gui.avatar.renderer import ART_DIR

            try:
                self._looks = dict(json.loads((ART_DIR / "avatar.json").read_text(encoding="utf-8"))["looks"])
            except (OSError, ValueError, KeyError) as exc:
                raise LiveHostError("avatar-art-missing", f"Cannot read the avatar art manifest: {exc}",
                                    "Reinstall LiveHost; assets/avatar/avatar.json is part of it.") from exc
        return dict(self._looks)

    @property
    def look(self) -> str:
        return self._open.look

    @property
    def settings(self) -> m.OpenWindow:
        """The window settings a (re)start uses: what the seller chose so far."""
        return self._open

    def _apply(self, **changes) -> None:
        self._open = _replace(self._open, **changes)
        o = self._open
        self._send(m.ApplyLook(look=o.look, background=o.background, aspect=o.aspect, subtitles=o.subtitles,
                               badge=o.badge))

    def set_look(self, name: str) -> None:
        """ValueError for a look the art does not have."""
        if name not in self.looks():
            raise ValueError(f"unknown look {name!r}; choose from {sorted(self.looks())}")
        self._apply(look=name)

    def set_background(self, value) -> None:
        """A colour (``#RRGGBB``, a Qt colour name) or an image path.

        Raises:
            LiveHostError(code="avatar-background-unreadable"): neither a colour nor a readable image.
        """
        from PySide6.QtGui import QColor, QImageReader

        text = str(value.name() if hasattr(value, "name") and callable(value.name) else value)
        color = QColor(text) if text.startswith("#") or not Path(text).suffix else QColor()
        if not color.isValid():
            if not Path(text).suffix:
                raise LiveHostError("avatar-background-unreadable", f"{value!r} is not a colour.",
                                    "Use #RRGGBB (for example #00FF00) or an image file.")
            if not QImageReader(text).canRead():
                raise LiveHostError("avatar-background-unreadable", f"Cannot read the background image {text}.",
                                    "Choose a PNG or JPEG file, or a colour.")
        self._apply(background=text)

    def set_aspect(self, aspect: str | None) -> None:
        from app.gui.avatar.window import ASPECTS

        if aspect is not None and aspect not in ASPECTS:
            raise ValueError(f"aspect must be one of {sorted(ASPECTS)} or None, got {aspect!r}")
        self._apply(aspect=aspect)

    def set_subtitles(self, enabled: bool, size: float | None = None, position: str | None = None) -> None:
        self._apply(subtitles=bool(enabled))

    def set_badge(self, enabled: bool, text: str | None = None) -> None:
        self._apply(badge=bool(enabled))

    def show(self) -> None:
        """Show (and raise) the window; starts the process if it is down and not restarting."""
        self._open = _replace(self._open, visible=True)
        if not self.running and not self._restart.isActive():
            self.start()
        else:
            self._send(m.ShowWindow())

    def raise_(self) -> None:
        self._send(m.ShowWindow())

    def isVisible(self) -> bool:  # noqa: N802 - the QWidget name, for code written for the window
        return self.running and self._open.visible

    def move(self, x: int, y: int) -> None:
        """Place the window (takes effect at the next start; the first start reads it)."""
        self._open = _replace(self._open, position=(int(x), int(y)))


def _replace(o: m.OpenWindow, **changes) -> m.OpenWindow:
    import dataclasses

    return dataclasses.replace(o, **changes)
