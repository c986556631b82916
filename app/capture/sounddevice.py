"""The live microphone, through python-sounddevice (PortAudio).

* Only input-capable devices are listed and opened (a speaker picked as a microphone is a
  classic cause of PortAudio's ``Invalid sample rate [-9997]``). The choice is remembered by
  *name*, because device indexes change when devices are plugged in or out.
* The device is opened at a rate it supports (its default rate first) and the audio is
  resampled to 16 kHz mono int16 by :class:`~app.capture.convert.PcmConverter`.
* The PortAudio callback only copies the block and hands it to the event loop
  (``loop.call_soon_threadsafe``); input overflows are counted there.
* No input device, or the device vanishes mid-stream: :meth:`SounddeviceCapture.items` yields
  a ``no_device`` / ``lost`` :class:`~app.capture.base.CaptureStatus`, keeps retrying every
  ``retry_s`` seconds, and yields ``listening`` again when the device is back. It never raises
  for a missing device, so the app keeps running chat-only.

PortAudio enumerates devices once, when it is initialised. When it had *no* input device at
all, the only way to see a newly plugged microphone is to re-initialise PortAudio
(``sounddevice._terminate()`` / ``_initialize()``); that also closes any stream open at that
moment (e.g. a reply being played), so it is done only while no input device is known and at
most every ``rescan_s`` seconds.
"""

from __future__ import annotations

import contextlib

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass



from app.capture.base import AudioChunk, CaptureItem, CaptureStatus
from app.capture.convert import TARGET_RATE, PcmConverter

log = logging.getLogger(__name__)

__all__ = ["InputDevice", "list_input_devices", "find_input_device", "SounddeviceCapture"]

_PREFERRED_RATES = (16000, 48000, 44100, 32000, 22050, 8000)
_LOST = object()  # sentinel handed off by PortAudio's finished-callback


@dataclass(frozen=True, slots=True)
class InputDevice:
    """An input-capable audio device as PortAudio reports it."""

    index: int
    name: str
    hostapi: str
    max_input_channels: int
    default_samplerate: float
    """Hz."""
    is_default: bool = False


def list_input_devices() -> list[InputDevice]:
    """All devices with at least one input channel (output-only devices are left out).

    Returns an empty list when PortAudio is missing or reports no device (never raises).
    """
    try:
        import sounddevice as sd
    except (ImportError, OSError) as exc:  # OSError: PortAudio library not found
        log.warning("sounddevice unavailable: %s", exc)
        return []
    try:
        devices = sd.query_devices()
        hostapis = sd.query_hostapis()
    except Exception as exc:  # noqa: BLE001 - PortAudioError and friends: no devices
        log.warning("cannot list audio devices: %s", exc)
        return []
    try:
        default_in = sd.default.device[0]
    except Exception:  # noqa: BLE001
        default_in = -1
    out = []
    for i, d in enumerate(devices):
        if int(d.get("max_input_channels", 0)) <= 0:
            continue
        api = d.get("hostapi", 0)
        try:
            api_name = hostapis[api]["name"]
        except (IndexError, KeyError, TypeError):
            api_name = ""
        out.append(InputDevice(index=int(d.get("index", i)), name=str(d["name"]), hostapi=api_name,
                               max_input_channels=int(d["max_input_channels"]),
                               default_samplerate=float(d.get("default_samplerate") or 0.0),
                               is_default=int(d.get("index", i)) == default_in))
    return out


def find_input_device(name: str, devices: list[InputDevice] | None = None) -> InputDevice | None:
    """The input device called ``name``: exact match first, then case-insensitive substring.

    An empty ``name`` means the system's default input device (or the first input device
    when the default is not input-capable). ``None`` when nothing matches.
    """
    devices = list_input_devices() if devices is None else devices
    if not devices:
        return None
    if not name:
        return next((d for d in devices if d.is_default), devices[0])
    for d in devices:
        if d.name == name:
            return d
    low = name.casefold()
    return next((d for d in devices if low in d.name.casefold()), None)


def pick_sample_rate(device: InputDevice, check=None) -> int | None:
    """A rate (Hz) the device accepts for 1-channel float32 input: its default rate first,
    then 16, 48, 44.1, 32, 22.05, 8 kHz. ``None`` when none is accepted.

    Args:
        check: ``f(rate) -> None`` raising on an unsupported rate; default
            ``sounddevice.check_input_settings``.
    """
    if check is None:
        import sounddevice as sd

        def check(rate: int) -> None:
            sd.check_input_settings(device=device.index, channels=1, dtype="float32", samplerate=rate)

    rates = []
    if device.default_samplerate > 0:
        rates.append(int(round(device.default_samplerate)))
    rates += [r for r in _PREFERRED_RATES if r not in rates]
    for r in rates:
        try:
            check(r)
            return r
        except Exception:  # noqa: BLE001 - PortAudioError / ValueError: try the next rate
            continue
    return None


class SounddeviceCapture:
    """Live microphone capture as an async iterator of chunks and status changes.

    Args:
        device_name: remembered device name; empty = the system default input.
        block_s: seconds per PortAudio block (0.1 s: 10 hand-offs a second).
        retry_s: seconds between attempts to find / reopen a missing device.
        stall_s: no block for this long while the stream should run = the device is lost.
        max_queued_blocks: blocks buffered between the callback and the consumer; when the
            consumer falls further behind, new blocks are dropped and counted as overflows.
    """

    sample_rate = TARGET_RATE

    def __init__(self, device_name: str = "", *, block_s: float = 0.1, retry_s: float = 2.0,
                 stall_s: float = 2.0, max_queued_blocks: int = 100, rescan_s: float = 10.0) -> None:
        self.device_name = device_name
        self.block_s = block_s
        self.retry_s = retry_s
        self.stall_s = stall_s
        self.rescan_s = rescan_s
        self.max_queued_blocks = max_queued_blocks
        self.overflows = 0
        """Input overflows (PortAudio flag) plus blocks dropped because the consumer lagged."""
        self.device: InputDevice | None = None
        self.device_rate: int | None = None
        """Hz the device was opened at (before resampling)."""
        self._closed = False
        self._queue: asyncio.Queue | None = None
        self._stream = None
        self._last_rescan = 0.0

    # ------------------------------------------------------------------ public
    def close(self) -> None:
        """Stop capturing (safe from any task; ``items()`` ends soon after)."""
        self._closed = True
        if self._queue is not None:
            with contextlib.suppress(asyncio.QueueFull):
                self._queue.put_nowait(None)

    async def items(self) -> AsyncIterator[CaptureItem]:
        """Yield :class:`CaptureStatus` on every state change and :class:`AudioChunk` while listening."""
        loop = asyncio.get_running_loop()
        self._queue = asyncio.Queue(maxsize=self.max_queued_blocks + 1)
        last_state = ""
        produced = 0
        try:
            while not self._closed:
                dev = self._find()
                if dev is None:
                    if last_state != "no_device":
                        last_state = "no_device"
                        reason = (f"Microphone '{self.device_name}' is not connected."
                                  if self.device_name else "No microphone (input device) found.")
                        yield CaptureStatus("no_device", device=self.device_name, reason=reason,
                                            overflows=self.overflows)
                    await self._sleep(self.retry_s)
                    continue
                try:
                    rate = self._open(dev, loop)
                except Exception as exc:  # noqa: BLE001 - PortAudioError etc.: retry later
                    self._close_stream()
                    if last_state != "no_device":
                        last_state = "no_device"
                        yield CaptureStatus("no_device", device=dev.name,
                                            reason=f"Cannot open microphone '{dev.name}': {exc}",
                                            overflows=self.overflows)
                    await self._sleep(self.retry_s)
                    continue
                last_state = "listening"
                yield CaptureStatus("listening", device=dev.name, overflows=self.overflows,
                                    reason=f"{rate} Hz -> {TARGET_RATE} Hz mono")
                conv = PcmConverter(rate)
                lost_reason = ""
                while not self._closed:
                    try:
                        block = await asyncio.wait_for(self._queue.get(), self.stall_s)
                    except asyncio.TimeoutError:
                        lost_reason = f"no audio from '{dev.name}' for {self.stall_s:g} s"
                        break
                    if block is None:
                        break
                    if block is _LOST:
                        lost_reason = f"'{dev.name}' stopped delivering audio (unplugged?)"
                        break
                    pcm = conv.convert(block)
                    if len(pcm):
                        yield AudioChunk(pcm=pcm, t=produced / TARGET_RATE, overflows=self.overflows)
                        produced += len(pcm)
                self._close_stream()
                if self._closed:
                    break
                last_state = "lost"
                yield CaptureStatus("lost", device=dev.name, reason=lost_reason, overflows=self.overflows)
                await self._sleep(self.retry_s)
        finally:
            self._close_stream()
        yield CaptureStatus("stopped", device=self.device.name if self.device else "",
                            overflows=self.overflows)

    # ------------------------------------------------------------------ internals
    async def _sleep(self, seconds: float) -> None:
        assert self._queue is not None
        # wake early on close(); anything else read here is a stale block of a closed stream: dropped
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._queue.get(), seconds)

    def _find(self) -> InputDevice | None:
        devices = list_input_devices()
        if not devices and time.monotonic() - self._last_rescan >= self.rescan_s:
            self._last_rescan = time.monotonic()
            self._reinit_portaudio()
            devices = list_input_devices()
        dev = find_input_device(self.device_name, devices)
        self.device = dev or self.device
        return dev

    @staticmethod
    def _reinit_portaudio() -> None:
        try:
            import sounddevice as sd

            sd._terminate()  # noqa: SLF001 - the documented way to re-enumerate devices
            sd._initialize()  # noqa: SLF001
        except Exception as exc:  # noqa: BLE001
            log.debug("PortAudio re-initialisation failed: %s", exc)

    def _open(self, dev: InputDevice, loop: asyncio.AbstractEventLoop) -> int:
        import sounddevice as sd

        rate = pick_sample_rate(dev)
        if rate is None:
            raise RuntimeError("the device accepts none of the usual sample rates")
        q = self._queue
        assert q is not None

        def put(item) -> None:  # runs on the event loop
            try:
                q.put_nowait(item)
            except asyncio.QueueFull:
                self.overflows += 1

        mine: dict = {}  # the stream these callbacks belong to (late calls of a closed one are ignored)

        def callback(indata, frames, time_info, status) -> None:  # PortAudio thread: copy, hand off
            if status.input_overflow:
                self.overflows += 1
            if self._stream is mine.get("s"):
                loop.call_soon_threadsafe(put, indata.copy())

        def finished() -> None:
            if not self._closed and self._stream is mine.get("s"):
                loop.call_soon_threadsafe(put, _LOST)

        while not q.empty():  # stale blocks of a previous stream
            q.get_nowait()
        stream = sd.InputStream(device=dev.index, channels=1, samplerate=rate, dtype="float32",
                                blocksize=max(1, int(round(rate * self.block_s))), callback=callback,
                                finished_callback=finished)
        mine["s"] = stream
        self._stream = stream
        stream.start()
        self.device = dev
        self.device_rate = rate
        return rate

    def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is None:
            return
        with contextlib.suppress(Exception):  # the device may already be gone
            stream.abort()
        with contextlib.suppress(Exception):
            stream.close()


