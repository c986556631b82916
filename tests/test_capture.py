"""Capture: conversion to 16 kHz mono int16, file source, device listing, no-device and lost-device paths.

No real microphone is needed: sounddevice's device queries and InputStream are replaced by
objects with the same interface that record what they are asked and call the callback from
a thread, as PortAudio does.
"""

import asyncio
import threading
import time
import types
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from app.capture.base import AudioChunk, CaptureStatus
from app.capture.convert import TARGET_RATE, PcmConverter, float_to_int16, to_float_mono
from app.capture.file import FileCapture
from app.capture import sounddevice as capmod
from app.errors import LiveHostError

AUDIO = Path(__file__).resolve().parent / "data" / "audio"  # copies with their licences (SOURCES.md)


def _peak_hz(x: np.ndarray, rate: int) -> float:
    spec = np.abs(np.fft.rfft(x.astype(np.float64) * np.hanning(len(x))))
    return float(np.fft.rfftfreq(len(x), 1.0 / rate)[int(np.argmax(spec))])


@pytest.mark.parametrize("rate, channels", [(44100, 2), (48000, 1), (48000, 2), (16000, 1), (8000, 1)])
def test_converter_resamples_to_16k_mono_int16(rate, channels):
    t = np.arange(rate * 2) / rate
    tone = (0.5 * np.sin(2 * np.pi * 440.0 * t)).astype(np.float32)
    block = np.repeat(tone[:, None], channels, axis=1)
    conv = PcmConverter(rate)
    n = int(rate * 0.1)
    parts = [conv.convert(block[i:i + n]) for i in range(0, len(block), n)] + [conv.flush()]
    out = np.concatenate(parts)
    assert out.dtype == np.int16 and out.ndim == 1
    assert abs(len(out) - 2 * TARGET_RATE) <= 2
    mid = out[TARGET_RATE // 2: TARGET_RATE // 2 + 8000]
    assert abs(_peak_hz(mid, TARGET_RATE) - 440.0) < 3.0
    amp = np.sqrt(np.mean(mid.astype(np.float64) ** 2)) * np.sqrt(2) / 32768
    assert abs(amp - 0.5) < 0.02


def test_blockwise_conversion_equals_whole_conversion():
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((44100, 2)) * 0.1).astype(np.float32)
    whole = PcmConverter(44100)
    a = np.concatenate([whole.convert(x), whole.flush()])
    blocks = PcmConverter(44100)
    b = np.concatenate([blocks.convert(x[i:i + 441]) for i in range(0, len(x), 441)] + [blocks.flush()])
    assert len(a) == len(b)
    assert np.max(np.abs(a.astype(int) - b.astype(int))) <= 2


def test_int_inputs_are_scaled_and_mixed():
    pcm = np.array([[32767, -32768], [16384, 16384]], dtype=np.int16)
    np.testing.assert_allclose(to_float_mono(pcm), [(32767 - 32768) / 2 / 32768, 0.5], atol=1e-6)
    assert float_to_int16(np.array([2.0, -2.0, 0.25], dtype=np.float32)).tolist() == [32767, -32768, 8192]
    with pytest.raises(ValueError):
        to_float_mono(np.zeros((2, 2, 2)))


@pytest.mark.parametrize("name", ["english.wav", "chinese.flac", "vosk-test.wav"])
def test_file_capture_streams_contiguous_16k_chunks(name):
    path = AUDIO / name
    info = sf.info(str(path))
    cap = FileCapture(path, trailing_silence_s=0.3)
    chunks = list(cap.chunks())
    assert cap.source_rate == info.samplerate
    total = sum(len(c.pcm) for c in chunks)
    expected = (info.frames / info.samplerate + 0.3) * TARGET_RATE
    assert abs(total - expected) <= 2 + 0.001 * expected
    t = 0.0
    for c in chunks:
        assert c.pcm.dtype == np.int16
        assert c.t == pytest.approx(t)
        t += len(c.pcm) / TARGET_RATE


def test_file_capture_items_are_framed_by_status():
    async def run():
        return [x async for x in FileCapture(AUDIO / "english.wav").items()]

    items = asyncio.run(run())
    assert isinstance(items[0], CaptureStatus) and items[0].state == "listening"
    assert isinstance(items[-1], CaptureStatus) and items[-1].state == "stopped"
    assert all(isinstance(x, AudioChunk) for x in items[1:-1]) and len(items) > 3


def test_unreadable_file_is_a_livehost_error(tmp_path):
    bad = tmp_path / "x.wav"
    bad.write_bytes(b"not audio")
    with pytest.raises(LiveHostError) as e:
        list(FileCapture(bad).chunks())
    assert e.value.code == "audio-file-unreadable"


# --------------------------------------------------------------------------- sounddevice

class _Devices:
    """Stands in for PortAudio's device list; tests switch ``current`` to (un)plug devices."""

    def __init__(self, current):
        self.current = current
        self.queries = 0

    def query_devices(self, *a, **k):
        self.queries += 1
        return [dict(d, index=i) for i, d in enumerate(self.current)]


SPEAKER = {"name": "Speakers (Realtek)", "hostapi": 0, "max_input_channels": 0, "max_output_channels": 2,
           "default_samplerate": 48000.0}
MIC = {"name": "USB Mic", "hostapi": 0, "max_input_channels": 1, "max_output_channels": 0,
       "default_samplerate": 44100.0}


@pytest.fixture
def fake_sd(monkeypatch):
    import sounddevice as sd

    devs = _Devices([SPEAKER])
    monkeypatch.setattr(sd, "query_devices", devs.query_devices)
    monkeypatch.setattr(sd, "query_hostapis", lambda *a, **k: [{"name": "ALSA"}])
    monkeypatch.setattr(sd, "_terminate", lambda: None)
    monkeypatch.setattr(sd, "_initialize", lambda: None)
    monkeypatch.setattr(sd.default, "device", [-1, -1])
    return devs


def test_only_input_devices_are_listed(fake_sd):
    fake_sd.current = [SPEAKER, MIC]
    devices = capmod.list_input_devices()
    assert [d.name for d in devices] == ["USB Mic"]
    assert devices[0].index == 1 and devices[0].hostapi == "ALSA"
    assert capmod.find_input_device("usb mic", devices).name == "USB Mic"
    assert capmod.find_input_device("Speakers (Realtek)", devices) is None
    assert capmod.find_input_device("", devices).name == "USB Mic"


def test_sample_rate_choice_prefers_device_default_then_supported():
    dev = capmod.InputDevice(3, "Mic", "ALSA", 2, 44100.0)
    asked = []

    def only_48k(rate):
        asked.append(rate)
        if rate != 48000:
            raise ValueError("Invalid sample rate [-9997]")

    assert capmod.pick_sample_rate(dev, check=only_48k) == 48000
    assert asked[:3] == [44100, 16000, 48000]
    assert capmod.pick_sample_rate(dev, check=lambda r: None) == 44100

    def nothing(rate):
        raise ValueError("no")

    assert capmod.pick_sample_rate(dev, check=nothing) is None


def test_no_input_device_reports_no_device_and_keeps_waiting(fake_sd):
    cap = capmod.SounddeviceCapture(retry_s=0.05)

    async def run():
        got = []
        async for item in cap.items():
            got.append(item)
            if len(got) == 1:  # several retries happen before close()
                asyncio.get_running_loop().call_later(0.3, cap.close)
        return got

    items = asyncio.run(run())
    assert items[0] == CaptureStatus("no_device", device="", reason="No microphone (input device) found.")
    assert [i.state for i in items] == ["no_device", "stopped"]  # no repeated no_device while waiting
    assert fake_sd.queries >= 3


class _FakeInputStream:
    """sounddevice.InputStream look-alike: a thread calls ``callback`` with 0.1 s blocks of a tone."""

    instances = []

    def __init__(self, device, channels, samplerate, dtype, blocksize, callback, finished_callback):
        self.kw = dict(device=device, channels=channels, samplerate=samplerate, dtype=dtype, blocksize=blocksize)
        self.callback, self.finished = callback, finished_callback
        self.stop_flag = threading.Event()
        self.vanish_after = None
        self.overflow_on = {2}
        _FakeInputStream.instances.append(self)

    def start(self):
        def run():
            i = 0
            while not self.stop_flag.is_set():
                t = (np.arange(self.kw["blocksize"]) + i * self.kw["blocksize"]) / self.kw["samplerate"]
                block = (0.3 * np.sin(2 * np.pi * 300 * t)).astype(np.float32)[:, None]
                status = types.SimpleNamespace(input_overflow=i in self.overflow_on)
                self.callback(block, len(block), None, status)
                i += 1
                if self.vanish_after is not None and i >= self.vanish_after:
                    self.finished()  # PortAudio ends the stream when the device disappears
                    return
                time.sleep(0.01)

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def abort(self):
        self.stop_flag.set()

    def close(self):
        self.stop_flag.set()


def test_device_found_resampled_lost_and_reopened(fake_sd, monkeypatch):
    import sounddevice as sd

    fake_sd.current = [SPEAKER, MIC]
    _FakeInputStream.instances = []
    monkeypatch.setattr(sd, "InputStream", _FakeInputStream)
    monkeypatch.setattr(sd, "check_input_settings",
                        lambda device, channels, dtype, samplerate: None if samplerate == 48000 else
                        (_ for _ in ()).throw(ValueError("Invalid sample rate [-9997]")))
    cap = capmod.SounddeviceCapture("USB Mic", retry_s=0.05, stall_s=1.0)

    async def run():
        got = []
        async for item in cap.items():
            got.append(item)
            chunks = [x for x in got if isinstance(x, AudioChunk)]
            if len(chunks) == 5 and len(_FakeInputStream.instances) == 1:
                _FakeInputStream.instances[0].vanish_after = 0  # unplugged
            if len([x for x in got if isinstance(x, CaptureStatus) and x.state == "listening"]) == 2 \
                    and isinstance(item, AudioChunk):
                cap.close()
        return got

    items = asyncio.run(asyncio.wait_for(run(), 20))
    states = [x.state for x in items if isinstance(x, CaptureStatus)]
    assert states == ["listening", "lost", "listening", "stopped"]
    first = _FakeInputStream.instances[0].kw
    assert first["device"] == 1 and first["samplerate"] == 48000 and first["dtype"] == "float32"
    assert cap.device_rate == 48000
    chunks = [x for x in items if isinstance(x, AudioChunk)]
    assert all(c.pcm.dtype == np.int16 for c in chunks)
    # 0.1 s blocks at 48 kHz become ~1600 samples at 16 kHz
    assert abs(np.mean([len(c.pcm) for c in chunks]) - 1600) <= 160
    assert cap.overflows >= 1 and chunks[-1].overflows == cap.overflows
    assert len(_FakeInputStream.instances) == 2 and all(s.stop_flag.is_set() for s in _FakeInputStream.instances)
