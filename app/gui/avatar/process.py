"""The avatar process: ``python -m app.gui.avatar.process`` (started by the console, issue 18).

Runs the ``LiveHost Avatar`` window (:class:`~app.gui.avatar.window.AvatarWindow`) in its own
interpreter, so its frames never wait for the core's Python work (understanding, replies,
synthesis) in the console's process. It imports PySide6, numpy and the avatar modules only
(never torch / transformers): the window is up a fraction of a second after the start.

Protocol (:mod:`app.gui.avatar.messages`): one JSON line per message; commands arrive on stdin,
facts leave on the original stdout (stray prints from libraries are sent to stderr instead, so
they cannot corrupt the stream). The first command is :class:`OpenWindow`; the process answers
:class:`AvatarReady` (or :class:`AvatarFailed` and exits with code 3). It exits on
:class:`Quit` or when stdin closes (the console is gone), so a crashed console never leaves an
orphan avatar on the desktop. A line it cannot read is logged on stderr and skipped.

Threads: a reader thread only turns stdin lines into a queued ``Signal(object)``; everything else
runs on the GUI thread, which asks Linux for a short scheduler slice (:func:`request_short_slice`)
so that a frame-timer wake-up preempts CPU-bound work of other programs at once (measured on the
2 shared cores under load 3.3-4: idle frame interval p99 18.1-18.2 ms with it, 24-35.5 ms without;
``LIVEHOST_AVATAR_SLICE=0`` turns it off).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time

T_START = time.monotonic()

log = logging.getLogger("app.gui.avatar.process")

EXIT_FAILED = 3
"""Exit code when the window could not be opened (after :class:`AvatarFailed`)."""


def request_short_slice(slice_s: float = 0.0005) -> bool:
    """Linux 6.12+ (EEVDF): ask the scheduler for a short time slice for the calling thread
    (``sched_setattr`` with ``SCHED_OTHER`` and ``sched_runtime``; no privilege needed, the nice
    value is kept). A task with a short slice gets an earlier deadline, so when its frame timer
    wakes it, it preempts a CPU-bound task (another program, the console's core) at once
    instead of after that task's slice (~3 ms). Returns False where unsupported (older kernels,
    other systems): the window works the same, with more jitter on a busy machine."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes
    import platform

    nr = {"x86_64": 314, "aarch64": 274}.get(platform.machine())
    if nr is None:
        return False

    class SchedAttr(ctypes.Structure):
        _fields_ = [("size", ctypes.c_uint32), ("sched_policy", ctypes.c_uint32), ("sched_flags", ctypes.c_uint64),
                    ("sched_nice", ctypes.c_int32), ("sched_priority", ctypes.c_uint32),
                    ("sched_runtime", ctypes.c_uint64), ("sched_deadline", ctypes.c_uint64),
                    ("sched_period", ctypes.c_uint64)]

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        attr = SchedAttr(size=ctypes.sizeof(SchedAttr), sched_policy=0,
                         sched_nice=os.getpriority(os.PRIO_PROCESS, 0), sched_runtime=int(slice_s * 1e9))
        ok = libc.syscall(nr, 0, ctypes.byref(attr), 0) == 0
    except (OSError, AttributeError, ValueError):
        return False
    if not ok:
        log.info("short scheduler slice not granted: %s", os.strerror(ctypes.get_errno()))
    return ok


def main(argv: list[str] | None = None) -> int:
    """Run the avatar process until :class:`Quit` or the end of stdin. Returns the exit code."""
    proto = os.fdopen(os.dup(sys.stdout.fileno()), "wb", buffering=0)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # C-level prints land on stderr too
    sys.stdout = sys.stderr
    logging.basicConfig(level=logging.INFO if os.environ.get("LIVEHOST_AVATAR_VERBOSE") else logging.WARNING,
                        format="livehost-avatar: %(levelname)s %(message)s", stream=sys.stderr)

    from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
    from PySide6.QtWidgets import QApplication

    from app.errors import LiveHostError
    from app.gui.avatar import messages as m

    class Host(QObject):
        """Applies the console's commands to the window (GUI thread)."""

        line = Signal(object)
        """A raw stdin line (bytes), or ``None`` at the end of stdin; emitted by the reader thread."""

        def __init__(self, app: QApplication) -> None:
            super().__init__()
            self.app = app
            self.window = None
            self.reply_id = ""
            self.stop_delay_s = -1.0
            self.line.connect(self.on_line, Qt.ConnectionType.QueuedConnection)
            self._moved = QTimer(self)  # report the geometry once the seller stops dragging
            self._moved.setSingleShot(True)
            self._moved.setInterval(300)
            self._moved.timeout.connect(self._report_geometry)

        def send(self, msg: m.Message) -> None:
            try:
                proto.write(m.encode(msg))
            except (BrokenPipeError, OSError):  # the console is gone: nothing to tell
                self.app.quit()

        def read_stdin(self) -> None:  # reader thread: copy and hand off only
            # os.read on the descriptor, not sys.stdin: a daemon thread blocked inside a buffered
            # reader at exit makes the interpreter abort ("_enter_buffered_busy")
            fd, buf = sys.stdin.fileno(), b""
            while True:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    break
                *lines, buf = (buf + chunk).split(b"\n")
                for raw in lines:
                    self.line.emit(raw)
            self.line.emit(None)

        def on_line(self, raw) -> None:
            if raw is None:
                log.info("stdin closed: quitting")
                self.app.quit()
                return
            if not raw.strip():
                return
            try:
                msg = m.decode(raw)
            except m.MessageError as exc:
                log.warning("%s", exc.message)
                return
            try:
                self.apply(msg)
            except (ValueError, LiveHostError) as exc:  # one bad command never stops the avatar
                log.warning("%s not applied: %s", type(msg).__name__, exc)

        def apply(self, msg: m.Message) -> None:
            w = self.window
            if isinstance(msg, m.OpenWindow):
                self.open(msg)
            elif isinstance(msg, m.Quit):
                self.app.quit()
            elif w is None:
                log.warning("%s before OpenWindow: ignored", type(msg).__name__)
            elif isinstance(msg, m.SpeakLine):
                import numpy as np

                heard_at = float(msg.heard_at)
                w.speak(msg.text, np.asarray(msg.envelope, dtype=np.float32), msg.frame_s, msg.intent,
                        clock=lambda: time.monotonic() - heard_at)
                self.reply_id = msg.reply_id
            elif isinstance(msg, m.StopSpeaking):
                w.stop_speaking()
                self.reply_id = ""
                if msg.sent_at:
                    self.stop_delay_s = time.monotonic() - msg.sent_at
            elif isinstance(msg, m.ShowExpression):
                if not (msg.unless_speaking and w.speaking):
                    w.set_expression(msg.expression, msg.hold_s)
            elif isinstance(msg, m.ApplyLook):
                if msg.look in w.looks():
                    w.set_look(msg.look)
                try:
                    w.set_background(msg.background)
                except LiveHostError as exc:  # a bad image path keeps the previous background
                    log.warning("background not applied: %s", exc)
                w.set_aspect(msg.aspect)
                w.set_subtitles(msg.subtitles)
                w.set_badge(msg.badge)
            elif isinstance(msg, m.ShowWindow):
                w.show()
                w.raise_()
                w.activateWindow()
            elif isinstance(msg, m.SaveScreenshot):
                self.send(m.ScreenshotSaved(path=msg.path, ok=w.save_screenshot(msg.path)))
            elif isinstance(msg, m.ReportFrames):
                self.send(m.FramesReported(tick_times=tuple(w.tick_times), paint_s=tuple(w.paint_s),
                                           fps=w.settings.fps))
                if msg.reset:
                    w.tick_times.clear()
                    w.paint_s.clear()
                    w.paint_cpu_s.clear()
                    w.tick_cpu.clear()
            elif isinstance(msg, m.ReportState):
                st = w.current_state()
                self.send(m.StateReported(at=time.monotonic(), speaking=st.speaking, mouth_open=st.mouth_open,
                                          subtitle=st.subtitle, expression=st.expression, look=w.look,
                                          visible=w.isVisible(), reply_id=self.reply_id if st.speaking else "",
                                          stop_delay_s=self.stop_delay_s))
            else:
                log.warning("%s is not a command: ignored", type(msg).__name__)

        def open(self, msg: m.OpenWindow) -> None:
            from app.gui.avatar.window import AvatarSettings, AvatarWindow

            if self.window is not None:
                log.warning("OpenWindow twice: ignored")
                return
            try:
                settings = AvatarSettings(look=msg.look, aspect=msg.aspect, size=tuple(msg.size),
                                          subtitles=msg.subtitles, badge=msg.badge, fps=msg.fps, seed=msg.seed)
                w = AvatarWindow(settings)
            except LiveHostError as exc:
                self.send(m.AvatarFailed(code=exc.code, message=exc.message, hint=exc.hint))
                self.app.exit(EXIT_FAILED)
                return
            except ValueError as exc:
                self.send(m.AvatarFailed(code="avatar-settings-invalid", message=str(exc),
                                         hint="Check the avatar settings (File -> Settings -> Avatar)."))
                self.app.exit(EXIT_FAILED)
                return
            try:
                w.set_background(msg.background)
            except LiveHostError as exc:
                log.warning("background not applied: %s", exc)
            self.window = w
            w.closed.connect(lambda: self.send(m.WindowClosed()))
            w.installEventFilter(self)
            if msg.position is not None:
                w.move(int(msg.position[0]), int(msg.position[1]))
            if msg.visible:
                w.show()
            self.send(m.AvatarReady(pid=os.getpid(), version=m.STREAM_VERSION,
                                    started_s=round(time.monotonic() - T_START, 4)))

        def eventFilter(self, obj, ev) -> bool:  # noqa: N802 - Qt override
            if ev.type() in (QEvent.Type.Move, QEvent.Type.Resize):
                self._moved.start()
            return False

        def _report_geometry(self) -> None:
            w = self.window
            if w is not None:
                self.send(m.WindowMoved(x=w.x(), y=w.y(), width=w.width(), height=w.height()))

    if os.environ.get("LIVEHOST_AVATAR_SLICE", "1") != "0":
        request_short_slice()  # the GUI thread (this one): frames on time on a busy machine
    app = QApplication.instance() or QApplication(["livehost-avatar"])
    app.setApplicationName("LiveHost Avatar")
    app.setQuitOnLastWindowClosed(False)  # closing the window hides it; the console decides
    host = Host(app)
    threading.Thread(target=host.read_stdin, name="livehost-avatar-stdin", daemon=True).start()
    code = app.exec()
    if host.window is not None:
        host.window.hide()
    with contextlib.suppress(OSError):  # the console may already have closed its end of the pipe
        proto.close()
    return code


if __name__ == "__main__":
    sys.exit(main())
