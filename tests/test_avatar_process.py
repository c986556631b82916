"""The avatar's mouth against the output device's latency (issue 18, item 2).

Events go into :class:`app.gui.avatar_link.AvatarLink`; the test reads back the playback position
the window would be driven by (the frame schedule) at known fake times. Offscreen Qt, no window.
"""

from __future__ import annotations

import wave

import numpy as np
import pytest

from app.events import MuteSpeech, Speak, SpeechFinished, SpeechStarted, SpeechSynthesized
from app.gui.avatar_link import FRAME_S, AvatarLink


class RecordingWindow:
    """Stands in for the avatar window: records what it is asked to play."""

    def __init__(self) -> None:
        self.spoken: list[tuple[str, np.ndarray, float, str | None, object]] = []
        self.stops = 0

    def speak(self, text, envelope, frame_s, intent, *, clock):
        self.spoken.append((text, envelope, frame_s, intent, clock))

    def stop_speaking(self):
        self.stops += 1


def write_wav(path, seconds: float, rate: int = 16000) -> None:
    n = int(seconds * rate)
    x = (0.5 * np.sin(2 * np.pi * 200 * np.arange(n) / rate) * 32767).astype(np.int16)
    with wave.open(str(path), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(rate)
        f.writeframes(x.tobytes())


@pytest.fixture
def link(qapp, qtbot):
    clock = [50.0]
    win = RecordingWindow()
    lk = AvatarLink(win, now=lambda: clock[0])
    yield lk, win, clock
    lk.close()


def feed_until_spoken(qtbot, lk, wav_path, latency_s: float):
    lk.on_event(Speak(reply_id="r1", text="大家好", lang="zh", intent="greet"))
    with qtbot.waitSignal(lk.envelope_ready, timeout=5000):
        lk.on_event(SpeechSynthesized(reply_id="r1", text="大家好", audio_path=str(wav_path),
                                      duration_s=0.5, sample_rate=16000))
    lk.on_event(SpeechStarted(reply_id="r1", text="大家好", audio_path=str(wav_path), duration_s=0.5,
                              output_latency_s=latency_s))


@pytest.mark.parametrize("latency_s", [0.0, 0.12, 0.35])
def test_mouth_starts_output_latency_after_speech_started(qtbot, link, tmp_path, latency_s):
    lk, win, clock = link
    wav = tmp_path / "r1.wav"
    write_wav(wav, 0.5)
    feed_until_spoken(qtbot, lk, wav, latency_s)
    assert len(win.spoken) == 1
    text, env, frame_s, intent, position = win.spoken[0]
    assert (text, frame_s, intent) == ("大家好", FRAME_S, "greet")
    assert env.shape == (30,)  # 0.5 s of audio at 60 envelope frames per second
    # frame schedule: the position the mouth follows at fake times after SpeechStarted (t = 50 s)
    for dt in (0.0, 0.05, 0.2, 0.4, 0.6):
        clock[0] = 50.0 + dt
        assert position() == pytest.approx(dt - latency_s, abs=1e-9)
    # the first envelope frame is shown exactly when the sound is heard, not before
    clock[0] = 50.0 + latency_s - 1e-3
    assert position() < 0  # not heard yet: the window keeps the mouth shut
    clock[0] = 50.0 + latency_s + 2 * FRAME_S + 1e-4
    assert int(position() // FRAME_S) == 2


def test_envelope_arriving_late_keeps_the_latency(qtbot, link, tmp_path):
    """SpeechStarted before the envelope is computed: the mouth still counts from start + latency."""
    lk, win, clock = link
    wav = tmp_path / "r1.wav"
    write_wav(wav, 0.5)
    lk.on_event(SpeechStarted(reply_id="r1", text="大家好", audio_path=str(wav), duration_s=0.5,
                              output_latency_s=0.25))
    assert win.spoken == []
    clock[0] = 50.1  # the envelope is ready 100 ms later
    with qtbot.waitSignal(lk.spoke, timeout=5000):
        lk.on_event(SpeechSynthesized(reply_id="r1", text="大家好", audio_path=str(wav),
                                      duration_s=0.5, sample_rate=16000))
    position = win.spoken[0][4]
    assert position() == pytest.approx(0.1 - 0.25)
    clock[0] = 50.5
    assert position() == pytest.approx(0.25)


def test_mute_and_finish_close_the_mouth_at_once(qtbot, link, tmp_path):
    lk, win, clock = link
    wav = tmp_path / "r1.wav"
    write_wav(wav, 0.5)
    feed_until_spoken(qtbot, lk, wav, 0.2)
    assert lk.current == "r1"
    lk.on_event(MuteSpeech(muted=True))  # panic mute: no waiting for the latency
    assert (win.stops, lk.current) == (1, None)
    feed_until_spoken(qtbot, lk, wav, 0.2)
    lk.on_event(SpeechFinished(reply_id="r1"))
    assert (win.stops, lk.current) == (2, None)


def test_negative_latency_is_treated_as_none(qtbot, link, tmp_path):
    lk, win, clock = link
    wav = tmp_path / "r1.wav"
    write_wav(wav, 0.5)
    feed_until_spoken(qtbot, lk, wav, -1.0)
    clock[0] = 50.3
    assert win.spoken[0][4]() == pytest.approx(0.3)
