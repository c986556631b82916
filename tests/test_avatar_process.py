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


# --------------------------------------------------------------------------- the avatar process
# Real child processes (``python -m app.gui.avatar.process``, offscreen Qt). What the child's
# window shows is read back with ReportState; nothing here is faked.

import json  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from app.gui.avatar import messages as m  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def test_every_message_survives_its_line_and_bad_lines_are_refused():
    samples = [
        m.OpenWindow(look="casual", background="#FF00FF", aspect=None, size=(300, 500), position=(10, 20),
                     subtitles=False, badge=False, fps=50.0, seed=7, visible=False),
        m.SpeakLine(reply_id="r1", text="谢谢宝宝 🎁", envelope=(0.0, 0.25, 0.5), frame_s=1 / 60, heard_at=12.5,
                    intent="gift"),
        m.StopSpeaking(sent_at=3.25), m.ShowExpression(expression="warm", hold_s=1.5, unless_speaking=True),
        m.ApplyLook(look="studio", background="#00FF00", aspect="16:9", subtitles=True, badge=False),
        m.ShowWindow(), m.SaveScreenshot(path="/tmp/a.png"), m.ReportFrames(reset=True), m.ReportState(), m.Quit(),
        m.AvatarReady(pid=42, version=m.STREAM_VERSION, started_s=0.3),
        m.AvatarFailed(code="avatar-art-missing", message="gone", hint="reinstall"), m.WindowClosed(),
        m.WindowMoved(x=1, y=2, width=3, height=4), m.FramesReported(tick_times=(1.0, 1.5), paint_s=(0.001,), fps=60.0),
        m.StateReported(at=1.0, speaking=True, mouth_open=0.5, subtitle="好", expression="warm", look="studio",
                        visible=True, reply_id="r1", stop_delay_s=0.002),
        m.ScreenshotSaved(path="/tmp/a.png", ok=True),
    ]
    for msg in samples:
        line = m.encode(msg)
        assert line.endswith(b"\n") and line.count(b"\n") == 1
        assert json.loads(line)["v"] == m.STREAM_VERSION
        assert m.decode(line) == msg
    with pytest.raises(m.MessageError, match="version 2"):
        m.decode(json.dumps({"v": 2, "type": "Quit"}))
    with pytest.raises(m.MessageError, match="unknown avatar message type"):
        m.decode(json.dumps({"v": 1, "type": "Explode"}))
    with pytest.raises(m.MessageError, match="bad SpeakLine"):
        m.decode(json.dumps({"v": 1, "type": "SpeakLine", "text": "x"}))
    with pytest.raises(m.MessageError, match="not JSON"):
        m.decode(b"{half")
    assert m.MessageError("x").code == "avatar-message-invalid"


def test_the_avatar_process_imports_no_model_code():
    code = ("import sys, app.gui.avatar.process, app.gui.avatar.window, app.gui.avatar.messages; "
            "print(sorted(n for n in ('torch', 'transformers', 'jieba', 'soundfile', 'sounddevice', "
            "'app.session', 'app.understanding', 'app.pipeline') if n in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


@pytest.fixture
def avatar(qapp, qtbot):
    from app.gui.avatar_process import AvatarProcess

    made = []

    def make(**kw):
        a = AvatarProcess(m.OpenWindow(size=(180, 320), seed=1, **kw.pop("window", {})), **kw)
        a.start()
        a.wait_ready(30)
        made.append(a)
        return a

    yield make
    for a in made:
        a.close()


def wait_for(qtbot, fn, timeout_ms=15000):
    qtbot.waitUntil(lambda: bool(fn()), timeout=timeout_ms)


def test_the_mouth_in_the_avatar_process_waits_for_the_heard_sound(qtbot, avatar, tmp_path):
    """AvatarLink -> AvatarProcess -> the child's window: the mouth stays shut until playback
    start + output_latency_s, then follows the envelope of the WAV."""
    a = avatar()
    lk = AvatarLink(a)
    try:
        wav = tmp_path / "r1.wav"
        write_wav(wav, 3.0)
        lk.on_event(Speak(reply_id="r1", text="大家好", lang="zh", intent="greeting"))
        with qtbot.waitSignal(lk.envelope_ready, timeout=5000):
            lk.on_event(SpeechSynthesized(reply_id="r1", text="大家好", audio_path=str(wav), duration_s=3.0,
                                          sample_rate=16000))
        t_started = time.monotonic()
        lk.on_event(SpeechStarted(reply_id="r1", text="大家好", audio_path=str(wav), duration_s=3.0,
                                  output_latency_s=1.0))
        st = a.state()
        if st.at - t_started < 0.9:  # (a machine too busy to answer within 0.9 s skips this half)
            assert st.speaking and st.mouth_open == 0.0 and st.expression == "warm"
        wait_for(qtbot, lambda: time.monotonic() > t_started + 1.2)
        st = a.state()
        assert st.speaking and st.mouth_open > 0.5 and st.subtitle == "大家好"
        lk.on_event(MuteSpeech(muted=True))  # panic mute: the mouth closes at once
        st = a.state()
        assert not st.speaking and st.mouth_open == 0.0 and st.subtitle == ""
        assert 0.0 <= st.stop_delay_s
    finally:
        lk.close()


def test_a_crashed_avatar_comes_back_with_everything_decided(qtbot, avatar):
    a = avatar(backoff_s=(0.2, 0.4, 0.8), stable_s=60.0)
    a.set_look("casual")
    a.set_subtitles(True)
    a.speak("这款只要59.9元", np.full(600, 0.4, np.float32), FRAME_S, "price", clock=lambda: 0.0)  # 10 s
    first = a.pid
    crashes = []
    a.crashed.connect(crashes.append)
    os.kill(first, signal.SIGKILL)
    wait_for(qtbot, lambda: a.pid is not None and a.pid != first)
    assert len(crashes) == 1
    c = crashes[0]
    assert (c.crashed, c.crashes, c.restart_in_s, c.failed) == (True, 1, 0.2, None)
    st = a.state()
    assert st.look == "casual" and st.speaking and st.subtitle == "这款只要59.9元" and st.mouth_open > 0.3
    assert a.starts == 2
    second = a.pid
    os.kill(second, signal.SIGKILL)  # again at once: the wait grows
    wait_for(qtbot, lambda: a.pid is not None and a.pid != second)
    assert [x.restart_in_s for x in crashes] == [0.2, 0.4] and crashes[-1].crashes == 2


def test_a_window_the_seller_closed_stays_closed_after_a_restart(qtbot, avatar):
    a = avatar(backoff_s=(0.1,))
    closed = []
    a.closed.connect(lambda: closed.append(1))
    assert a.state().visible and a.isVisible()
    # what the avatar process sends when the seller closes its window (no window manager offscreen)
    a._on_message(m.decode(m.encode(m.WindowClosed())))
    assert closed == [1] and not a.isVisible()
    first = a.pid
    os.kill(first, signal.SIGKILL)
    wait_for(qtbot, lambda: a.pid is not None and a.pid != first)
    assert not a.state().visible  # restarted hidden, as the seller left it
    a.show()  # View -> Show avatar window
    assert a.state().visible and a.isVisible()


def test_quit_and_the_end_of_stdin_end_the_avatar_process(qtbot, avatar):
    a = avatar()
    pid = a.pid
    a.close()
    assert a.exit_code == 0 and not a.running
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    # the console dies: the avatar sees its stdin close and exits by itself
    child = subprocess.Popen([sys.executable, "-m", "app.gui.avatar.process"], cwd=REPO, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    child.stdin.write(m.encode(m.OpenWindow(size=(120, 200))))
    child.stdin.write(b"not json at all\n")  # a bad line is skipped, not fatal
    child.stdin.write(m.encode(m.ReportState()))
    child.stdin.flush()
    ready = m.decode(child.stdout.readline())
    assert isinstance(ready, m.AvatarReady) and ready.pid == child.pid and ready.version == m.STREAM_VERSION
    state = m.decode(child.stdout.readline())
    assert isinstance(state, m.StateReported) and state.visible
    child.stdin.close()
    assert child.wait(30) == 0


def test_an_avatar_that_cannot_open_is_reported_and_not_restarted(qtbot, qapp):
    from app.gui.avatar_process import AvatarProcess

    a = AvatarProcess(m.OpenWindow(look="no-such-look", size=(120, 200)), backoff_s=(0.1,))
    crashes = []
    a.crashed.connect(crashes.append)
    a.start()
    try:
        wait_for(qtbot, lambda: crashes)
        c = crashes[0]
        assert c.failed is not None and c.failed.code == "avatar-settings-invalid" and "no-such-look" in c.failed.message
        assert c.exit_code == 3 and c.restart_in_s == -1.0
        qtbot.wait(400)
        assert a.starts == 1 and not a.running
    finally:
        a.close()


def test_the_console_drives_the_avatar_process_and_shows_its_crash(qtbot, tmp_path, catalog):
    """One app to the seller: a spoken reply moves the child's mouth, the real panic-mute button
    closes it, a crash is shown in the status bar with what to do and the avatar comes back,
    and closing the console ends the avatar process."""
    from PySide6.QtCore import Qt

    from app.events import SayText
    from app.gui.avatar_process import AvatarProcess
    from app.gui.bridge import SessionSpec
    from app.gui.console import ConsoleWindow
    from app.gui.i18n import i18n
    from app.settings import load_settings
    from app.store import SqliteStore
    from app.understanding.stage import Understander
    from tests.fakes import FakePlayer, KeywordClassifier
    from tests.test_gui_console import WavSynth

    i18n.set_language("zh")
    settings = load_settings(tmp_path / "none.toml", {"data_dir": str(tmp_path)})
    spec = SessionSpec(settings=settings, catalog=catalog, session_id="avatar-proc", synthesizer=WavSynth(),
                       player=FakePlayer(play_s=5.0), understander=Understander(KeywordClassifier(), catalog),
                       store=SqliteStore(tmp_path / "db.sqlite3"), use_recommender=False,
                       audio_dir=tmp_path / "audio")
    w = ConsoleWindow(settings, catalog, settings_path=tmp_path / "settings.toml", spec=spec, feed_flush_ms=0)
    qtbot.addWidget(w)
    a = AvatarProcess(m.OpenWindow(size=(180, 320), seed=1), backoff_s=(0.2,), parent=w)
    w.attach_avatar(a)
    a.start()
    w.show()
    w.start_session()
    a.wait_ready(30)
    wait_for(qtbot, lambda: w.bridge.ready)
    w.bridge.submit(SayText(text="大家好"))
    with qtbot.waitSignal(w.avatar_link.spoke, timeout=15000):
        pass
    wait_for(qtbot, lambda: a.state().mouth_open > 0.5)  # the tone of WavSynth (0.3-0.6 s) is heard
    qtbot.mouseClick(w.mute_button, Qt.MouseButton.LeftButton)
    st = a.state()
    assert not st.speaking and st.mouth_open == 0.0
    # a crash: shown in the seller's words with what to do, then the avatar is back
    first = a.pid
    os.kill(first, signal.SIGKILL)
    wait_for(qtbot, lambda: w.status.errors and w.status.errors[-1].code == "avatar-crashed")
    err = w.status.errors[-1]
    assert err.message == "虚拟主播窗口意外关闭了（第 1 次），0.2 秒后自动重新打开；直播和回复不受影响。"
    assert "LiveHost Avatar" in err.hint and "avatar_process" in err.hint
    assert "虚拟主播窗口意外关闭了" in w.status.error.toolTip()
    wait_for(qtbot, lambda: a.pid is not None and a.pid != first)
    wait_for(qtbot, lambda: w.status.bar.currentMessage() == "虚拟主播窗口已重新打开")
    # one quit
    second = a.pid
    w.close()
    assert not a.running and a.exit_code == 0
    with pytest.raises(ProcessLookupError):
        os.kill(second, 0)


def _slice_ns(path: str) -> int | None:
    try:
        for line in open(path, encoding="ascii"):
            if line.startswith("se.slice"):
                return int(line.split(":")[1])
    except OSError:
        return None
    return None


@pytest.mark.skipif(not Path("/proc/self/sched").exists(), reason="Linux scheduler statistics only")
def test_the_avatar_frames_run_with_a_short_scheduler_slice(qtbot, avatar):
    probe = subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, %r); "
                            "from app.gui.avatar.process import request_short_slice as r; print(r())" % str(REPO)],
                           capture_output=True, text=True, timeout=60)
    if probe.stdout.strip() != "True" or _slice_ns("/proc/self/sched") is None:
        pytest.skip("this kernel has no custom time slices (Linux 6.12+ EEVDF)")
    a = avatar()
    assert _slice_ns(f"/proc/{a.pid}/sched") == 500_000  # the GUI thread: wakes before CPU-bound work
