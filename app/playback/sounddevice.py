"""Play reply WAV files on a sound card with python-sounddevice (PortAudio).

Playback runs on the player's own single-thread executor (``playback``); the PortAudio callback
only copies the next block of samples into the output buffer and counts frames. ``stop()``
aborts the stream; with 10 ms blocks the sound stops well within 100 ms.

When there is no output device (a headless server, a machine without a sound card, a device name
in the settings that is not plugged in) the player is *unavailable*: ``available`` is False,
``unavailable_reason`` says why (logged once as a warning), and ``play()`` returns ``False``
immediately without raising -- replies are then only written as WAV files.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["SounddevicePlayer", "rms_envelope"]

log = logging.getLogger(__name__)

#: Called on the playback thread about 60 times a second with (seconds into the file, RMS of
#: the current 1/60 s frame on a 0..1 full-scale basis); a final call reports (duration, 0.0).
EnvelopeCallback = Callable[[float, float], None]

_BLOCK_S = 0.010  # PortAudio block length: bounds stop() latency and envelope jitter
_POLL_S = 1.0 / 120.0


def rms_envelope(samples: np.ndarray, sample_rate: int, frame_s: float = 1.0 / 60.0) -> np.ndarray:
    """Root-mean-square level per frame of ``frame_s`` seconds.

    Args:
        samples: audio, shape ``(n,)`` or ``(n, channels)`` (channels are averaged first);
            float in -1..1 full scale (integer PCM is scaled by its dtype's maximum).
        sample_rate: Hz, > 0.
        frame_s: frame length in seconds, > 0 (default 1/60 s: one value per video frame at
            60 fps, used for the avatar's mouth).

    Returns:
        float32 array of shape ``(ceil(n / (sample_rate * frame_s)),)``; frame ``i`` covers
        samples ``round(i * sample_rate * frame_s)`` up to ``round((i + 1) * ...)`` so frame
        times do not drift when ``sample_rate * frame_s`` is fractional; the last frame may be
        shorter. RMS = sqrt(mean(x**2)): a full-scale sine of amplitude A gives A/sqrt(2).

    Raises:
        ValueError: non-positive ``sample_rate`` or ``frame_s``, or more than 2 dimensions.
    """
    if sample_rate <= 0 or frame_s <= 0:
        raise ValueError("sample_rate and frame_s must be positive")
    x = np.asarray(samples)
    if x.ndim > 2:
        raise ValueError(f"samples must have shape (n,) or (n, channels), got {x.shape}")
    if np.issubdtype(x.dtype, np.integer):
        x = x.astype(np.float64) / float(np.iinfo(x.dtype).max)
    else:
        x = x.astype(np.float64, copy=False)
    if x.ndim == 2:
        x = x.mean(axis=1)
    n = x.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.float32)
    hop = sample_rate * frame_s
    n_frames = int(np.ceil(n / hop - 1e-9))
    starts = np.minimum(np.round(np.arange(n_frames) * hop).astype(np.int64), n - 1)
    ends = np.append(starts[1:], n)
    sums = np.add.reduceat(x * x, starts)
    counts = np.maximum(ends - starts, 1)
    return np.sqrt(sums / counts).astype(np.float32)


class SounddevicePlayer:
    """Blocking WAV playback on a named (or the default) output device.

    Args:
        device: output device name from the settings (a case-insensitive substring of the
            PortAudio name is enough); ``None`` or ``""`` = the system default output.

    ``available`` / ``unavailable_reason`` are decided on first use (or by :meth:`refresh`).
    """

    def __init__(self, device: str | None = None) -> None:
        self._device_name = device or ""
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="playback")
        self._pending: set[threading.Event] = set()
        self._checked = False
        self._device_index: int | None = None
        self._reason = ""
        self._warned = False
        self._lock = threading.Lock()

    # -- devices
    @staticmethod
    def available_output_devices() -> list[str]:
        """Names of PortAudio devices with at least one output channel; ``[]`` when
        PortAudio is missing or reports none."""
        try:
            import sounddevice as sd

            return [d["name"] for d in sd.query_devices() if d["max_output_channels"] > 0]
        except Exception:  # OSError: PortAudio library missing; PortAudioError: no host API
            return []

    def refresh(self) -> bool:
        """Look for the output device again (e.g. after plugging one in). Returns
        :attr:`available`."""
        with self._lock:
            self._checked = False
            self._warned = False
        return self.available

    def _check(self) -> None:
        with self._lock:
            if self._checked:
                return
            self._device_index, self._reason = self._find_device()
            self._checked = True
            if self._reason and not self._warned:
                self._warned = True
                log.info("no audio output device: replies are written as WAV files only (%s)",
                     self._reason)

    def _find_device(self) -> tuple[int | None, str]:
        asked = f"the output device '{self._device_name}' from the settings (speech.output_device): " \
            if self._device_name else ""
        try:
            import sounddevice as sd
        except OSError as exc:
            import ctypes.util

            if ctypes.util.find_library("portaudio") is None and "portaudio" in str(exc).lower():
                return None, f"{asked}the PortAudio library is missing ({exc}); install libportaudio2"
            return None, f"{asked}PortAudio could not start: {exc}"
        try:
            devices = list(sd.query_devices())
        except Exception as exc:
            return None, f"{asked}PortAudio cannot list devices ({type(exc).__name__}: {exc})"
        outputs = [(i, d) for i, d in enumerate(devices) if d["max_output_channels"] > 0]
        if not outputs:
            return None, f"{asked}this computer reports no audio output device at all" + (
                f" (input-only devices: {', '.join(d['name'] for d in devices)})" if devices else "")
        if self._device_name:
            wanted = self._device_name.lower()
            exact = [i for i, d in outputs if d["name"].lower() == wanted]
            partial = [i for i, d in outputs if wanted in d["name"].lower()]
            match = exact or partial
            if not match:
                names = ", ".join(d["name"] for _i, d in outputs)
                return None, (f"the output device '{self._device_name}' from the settings "
                              f"(speech.output_device) is not connected (available: {names})")
            return match[0], ""
        try:
            default = sd.query_devices(kind="output")
        except Exception as exc:
            return None, f"there is no default audio output device ({exc})"
        return int(default["index"]), ""

    @property
    def available(self) -> bool:
        """True when a usable output device was found."""
        self._check()
        return self._device_index is not None

    @property
    def unavailable_reason(self) -> str:
        """Why playback is unavailable (empty when it is available)."""
        self._check()
        return self._reason

    # -- playback
    def play(self, path: Path | str, on_envelope: EnvelopeCallback | None = None) -> bool:
        """Play a WAV file and block until it ends or :meth:`stop` is called.

        Runs on the player's single playback thread, so plays never overlap; a call made
        while another plays waits for it.

        Args:
            path: audio file readable by soundfile (WAV, FLAC, OGG).
            on_envelope: optional ``(t_s, rms)`` callback, see :data:`EnvelopeCallback`.

        Returns:
            True when the whole file was played; False when stopped or when no output device is
            available (nothing raised in that case, see :attr:`unavailable_reason`).

        Raises:
            app.errors.SpeechError: ``playback-failed`` when the file cannot be read or the
                device fails while playing.
        """
        return self.play_async(path, on_envelope).result()

    def play_async(self, path: Path | str,
                   on_envelope: EnvelopeCallback | None = None) -> concurrent.futures.Future[bool]:
        """Like :meth:`play` but returns a future at once (result: see :meth:`play`)."""
        token = threading.Event()
        with self._lock:
            self._pending.add(token)
        return self._executor.submit(self._play, Path(path), on_envelope, token)

    def stop(self) -> None:
        """Interrupt the current playback and drop queued ones (sound stops within ~20 ms);
        no-op when idle."""
        with self._lock:
            for token in self._pending:
                token.set()

    def close(self) -> None:
        """Stop playback and shut the playback thread down."""
        self.stop()
        self._executor.shutdown(wait=True, cancel_futures=True)

    def _play(self, path: Path, on_envelope: EnvelopeCallback | None,
              stop: threading.Event) -> bool:
        try:
            return self._play_file(path, on_envelope, stop)
        finally:
            with self._lock:
                self._pending.discard(stop)

    def _play_file(self, path: Path, on_envelope: EnvelopeCallback | None,
                   stop: threading.Event) -> bool:
        from app.errors import SpeechError

        if stop.is_set() or not self.available:
            return False
        import sounddevice as sd
        import soundfile as sf

        try:
            data, rate = sf.read(str(path), dtype="float32", always_2d=True)
        except Exception as exc:
            raise SpeechError("playback-failed", f"Cannot read audio file {path.name}: {exc}",
                              "the reply WAV file is missing or damaged") from exc
        envelope = rms_envelope(data, rate) if on_envelope is not None else None
        device = self._device_index
        data, rate = self._fit_device(sd, device, data, rate)
        try:
            return self._run_stream(sd, device, data, rate, envelope, on_envelope, stop)
        except sd.PortAudioError as exc:
            raise SpeechError("playback-failed", f"The audio device failed: {exc}",
                              "check the output device in the settings") from exc

    @staticmethod
    def _fit_device(sd: Any, device: int | None, data: np.ndarray,
                    rate: int) -> tuple[np.ndarray, int]:
        """Return audio the device accepts: the file as is if possible, else mono duplicated
        to stereo and/or resampled (soxr) to the device's default rate (e.g. WASAPI shared
        mode only takes the mixer format)."""
        import soxr

        device_rate = int(sd.query_devices(device)["default_samplerate"])
        channels = data.shape[1]
        for ch, sr in ((channels, rate), (2, rate), (channels, device_rate), (2, device_rate)):
            if ch < channels:
                continue
            try:
                sd.check_output_settings(device=device, channels=ch, samplerate=sr)
            except Exception:  # sd.PortAudioError / ValueError: format not supported
                continue
            out = data if ch == channels else np.repeat(data[:, :1], ch, axis=1)
            if sr != rate:
                out = soxr.resample(out, rate, sr).astype(np.float32)
            return np.ascontiguousarray(out, dtype=np.float32), sr
        return data, rate  # let PortAudio report the real error when the stream opens

    def _run_stream(self, sd: Any, device: int | None, data: np.ndarray, rate: int,
                    envelope: np.ndarray | None, on_envelope: EnvelopeCallback | None,
                    stop: threading.Event) -> bool:
        n = data.shape[0]
        pos = [0]  # frames handed to PortAudio so far (written only by the callback)
        done = threading.Event()

        def callback(outdata: np.ndarray, frames: int, _time: Any, _status: Any) -> None:
            start = pos[0]
            chunk = data[start:start + frames]
            outdata[:len(chunk)] = chunk
            if len(chunk) < frames:
                outdata[len(chunk):] = 0
                pos[0] = n
                raise sd.CallbackStop
            pos[0] = start + frames

        stream = sd.OutputStream(device=device, samplerate=rate, channels=data.shape[1],
                                 dtype="float32", blocksize=max(1, int(rate * _BLOCK_S)),
                                 callback=callback, finished_callback=done.set)
        frame_len = rate / 60.0
        last_frame = -1
        with stream:
            # Frames handed to PortAudio are heard `latency` seconds later.
            lag = float(stream.latency) * rate
            while not done.wait(_POLL_S):
                if stop.is_set():
                    stream.abort()
                    break
                if envelope is not None and on_envelope is not None:
                    idx = min(int(max(0.0, pos[0] - lag) / frame_len), len(envelope) - 1)
                    if idx != last_frame and idx >= 0:
                        last_frame = idx
                        on_envelope(idx / 60.0, float(envelope[idx]))
        if on_envelope is not None:
            on_envelope(min(pos[0], n) / rate, 0.0)
        return not stop.is_set() and pos[0] >= n
