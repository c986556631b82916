"""Drives the avatar window from the core's speech events (presentation only).

* ``Speak`` -> remember the reply's intent (the avatar's expression).
* ``SpeechSynthesized`` -> read the WAV and compute its RMS envelope (1/60 s frames,
  :func:`app.playback.sounddevice.rms_envelope`) on a worker thread; the result comes back to
  the GUI thread through a queued signal.
* ``SpeechStarted`` -> ``AvatarWindow.speak(text, envelope, 1/60, intent, clock=...)``; the
  clock counts from the moment the sound is *heard*: playback start plus the event's
  ``output_latency_s`` (the output device's latency), so the mouth opens with the audible
  sound, not with the write to the device. Before that moment the clock is negative and the
  mouth stays shut.
* ``SpeechFinished`` / ``SpeechMuted(True)`` -> ``stop_speaking()``.
* ``NowSellingChanged`` -> the window's presenting pose (``AvatarWindow.handle_event``).

Without an audio output device the core previews each reply silently (``SpeechStarted`` /
``SpeechFinished`` with ``preview=True``, timed by the WAV's duration): the mouth moves the same
way, nothing here needs to know.
"""

from __future__ import annotations

import concurrent.futures
import logging
import time
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, Signal

from app.events import (Event, MuteSpeech, NowSellingChanged, Speak, SpeechFinished, SpeechMuted, SpeechStarted,
                        SpeechSynthesized)

log = logging.getLogger(__name__)

FRAME_S = 1.0 / 60.0
"""Envelope frame length, seconds (one value per 60 fps video frame)."""


def wav_envelope(path: str, frame_s: float = FRAME_S) -> tuple[np.ndarray, float]:
    """RMS envelope of a WAV file and its duration in seconds.

    Raises:
        RuntimeError / OSError (from soundfile): the file is missing or not audio.
    """
    import soundfile as sf

    from app.playback.sounddevice import rms_envelope

    data, rate = sf.read(path, dtype="float32", always_2d=False)
    return rms_envelope(data, rate, frame_s), len(data) / float(rate)


class AvatarLink(QObject):
    """Connects speech events to an avatar window (anything with ``speak`` and ``stop_speaking``).

    Args:
        window: the :class:`~app.gui.avatar.window.AvatarWindow` (or ``None``: nothing is driven,
            envelopes are still computed -- headless tests).
        now: monotonic clock in seconds (tests pass a fake one).
    """

    envelope_ready = Signal(object)
    """(reply_id, envelope | None, duration_s) -- emitted from the worker, delivered queued."""
    spoke = Signal(str)
    """reply_id whose mouth animation started (for tests and the bench)."""
    idle = Signal()
    """The mouth animation ended (speech finished, muted, or the preview queue ran out)."""

    def __init__(self, window=None, now: Callable[[], float] = time.monotonic, parent=None) -> None:
        super().__init__(parent)
        self.window = window
        self.now = now
        self.envelopes: dict[str, tuple[np.ndarray, float]] = {}
        self._texts: dict[str, str] = {}
        self._intents: dict[str, str] = {}
        self._started: dict[str, float] = {}
        self._current: str | None = None
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="livehost-envelope")
        self.envelope_ready.connect(self._on_envelope)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    @property
    def current(self) -> str | None:
        """The reply being animated now."""
        return self._current

    # ------------------------------------------------------------------ events
    def on_event(self, e: Event) -> None:
        if isinstance(e, Speak):
            self._intents[e.reply_id] = e.intent
            self._texts[e.reply_id] = e.text
            if len(self._texts) > 1000:  # a long stream: keep the recent replies only
                for d in (self._texts, self._intents):
                    for k in list(d)[:500]:
                        del d[k]
        elif isinstance(e, SpeechSynthesized):
            self._texts[e.reply_id] = e.text
            fut = self._pool.submit(self._compute, e.reply_id, e.audio_path)
            fut.add_done_callback(lambda f: None)
        elif isinstance(e, SpeechStarted):
            # the sound is heard output_latency_s after playback started: the mouth waits for it
            latency = max(0.0, float(e.output_latency_s or 0.0))
            self._started[e.reply_id] = self.now() + latency
            self._texts[e.reply_id] = e.text
            if e.reply_id in self.envelopes:
                self._speak(e.reply_id, self._started[e.reply_id])
        elif isinstance(e, SpeechFinished):
            self._started.pop(e.reply_id, None)
            if self._current == e.reply_id:
                self.stop()
        elif (isinstance(e, SpeechMuted) and e.muted) or (isinstance(e, MuteSpeech) and e.muted):
            self._started.clear()
            self.stop()
        elif isinstance(e, NowSellingChanged) and hasattr(self.window, "handle_event"):
            self.window.handle_event(e)  # the presenting pose for a moment

    def _compute(self, reply_id: str, path: str) -> None:
        try:
            env, dur = wav_envelope(path)
        except Exception as exc:  # noqa: BLE001 - a bad file only means no mouth movement
            log.debug("no envelope for %s: %s", path, exc)
            env, dur = None, 0.0
        self.envelope_ready.emit((reply_id, env, dur))

    def _on_envelope(self, item) -> None:
        reply_id, env, dur = item
        if env is None:
            return
        self.envelopes[reply_id] = (env, dur)
        if len(self.envelopes) > 200:
            for k in list(self.envelopes)[:100]:
                del self.envelopes[k]
        if reply_id in self._started:
            self._speak(reply_id, self._started[reply_id])

    # ------------------------------------------------------------------ driving the window
    def _speak(self, reply_id: str, t0: float) -> None:
        """Animate ``reply_id``; ``t0`` is the monotonic time (s) its first sample is heard."""
        env, _dur = self.envelopes[reply_id]
        self._current = reply_id
        if self.window is not None:
            now = self.now
            self.window.speak(self._texts.get(reply_id, ""), env, FRAME_S, self._intents.get(reply_id) or None,
                              clock=lambda: now() - t0)
        self.spoke.emit(reply_id)

    def stop(self) -> None:
        """Close the mouth now (panic mute / speech finished)."""
        self._current = None
        if self.window is not None:
            self.window.stop_speaking()
        self.idle.emit()
