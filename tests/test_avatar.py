"""Avatar window: the Qt-free motion core and the window itself (pytest-qt, offscreen).

Run: ``.venv/bin/python -m pytest tests/test_avatar.py -q`` (conftest sets QT_QPA_PLATFORM=offscreen).
"""

from __future__ import annotations

import numpy as np
import pytest

from app.gui.avatar.animation import (EXPRESSION_BY_INTENT, MOUTH_CLOSED_BELOW, Animator, MouthParams,
                                      MouthTrack, PlaybackClock, expression_for_intent, mouth_openness,
                                      rms_envelope, subtitle_chunks, subtitle_timing)
from app.understanding.labels import INTENTS

FRAME = 1.0 / 60.0


def square_envelope(n_periods: int = 4, loud: int = 20, quiet: int = 20, level: float = 0.25,
                    floor: float = 1e-4) -> tuple[np.ndarray, np.ndarray]:
    """RMS envelope of a tone gated on/off: ``loud`` frames at ``level`` then ``quiet`` frames of
    noise floor; returns (envelope, is_loud mask)."""
    is_loud = np.tile(np.r_[np.ones(loud, bool), np.zeros(quiet, bool)], n_periods)
    return np.where(is_loud, level, floor).astype(np.float32), is_loud


def square_wave_audio(rate: int = 48000) -> tuple[np.ndarray, np.ndarray]:
    """Real samples: a 220 Hz tone switched on/off every 1/3 s, and its per-frame loud mask."""
    frames = 160
    is_loud = (np.arange(frames) // 20) % 2 == 0
    t = np.arange(int(frames * FRAME * rate)) / rate
    gate = np.repeat(is_loud, int(rate * FRAME))[: t.size]
    rng = np.random.default_rng(0)
    x = 0.4 * np.sin(2 * np.pi * 220 * t) * gate + rng.normal(0, 1e-4, t.size)
    return x.astype(np.float32), is_loud


# --------------------------------------------------------------------------- mouth (no Qt)


def test_mouth_follows_square_wave_envelope_within_one_frame():
    env, is_loud = square_envelope()
    track = MouthTrack(env, FRAME)
    edges = np.flatnonzero(np.diff(is_loud.astype(int))) + 1  # first frame of each new level
    assert len(edges) == 7
    for i in range(len(env)):
        o = track.at((i + 0.5) * FRAME)  # the middle of frame i
        assert o == pytest.approx(float(track.values[i]))
        settled = not any(e <= i < e + 1 for e in edges[~is_loud[edges]])  # the 1 frame after a drop
        if is_loud[i]:
            assert o >= 0.5, f"frame {i} is loud but the mouth is only {o:.2f} open"
        elif settled:
            assert o < MOUTH_CLOSED_BELOW, f"frame {i} is silent but the mouth is {o:.2f} open"
    for e in edges:  # the mouth moves on the transition frame itself
        before, after = track.at((e - 0.5) * FRAME), track.at((e + 0.5) * FRAME)
        assert (after > before) if is_loud[e] else (after < before)


def test_mouth_from_real_audio_samples_via_rms_envelope():
    x, is_loud = square_wave_audio()
    env = rms_envelope(x, 48000, FRAME)
    assert env.shape == (160,)
    assert env[is_loud].min() == pytest.approx(0.4 / np.sqrt(2), rel=0.02)  # RMS of a sine
    track = MouthTrack(env, FRAME)
    opened = track.values >= 0.5
    closed = track.values < MOUTH_CLOSED_BELOW
    assert np.array_equal(opened, is_loud)
    lag = np.r_[False, is_loud[:-1]]  # allowed: the first silent frame after a loud one
    assert np.all(closed | is_loud | lag)


def test_noise_gate_keeps_mouth_shut_and_level_is_normalised():
    rng = np.random.default_rng(1)
    noise = np.abs(rng.normal(0, 10 ** (-60 / 20), 120)).astype(np.float32)  # ~ -60 dBFS hiss
    assert MouthTrack(noise, FRAME).values.max() == 0.0
    env, _ = square_envelope(level=0.3)
    quiet = env * 0.1  # same speech 20 dB quieter (still above the gate)
    assert np.allclose(MouthTrack(env, FRAME).values, MouthTrack(quiet, FRAME).values, atol=1e-3)
    assert mouth_openness(env, 5 * FRAME, FRAME) == pytest.approx(MouthTrack(env, FRAME).values[5])


def test_mouth_outside_audio_and_bad_input():
    env, _ = square_envelope()
    track = MouthTrack(env, FRAME)
    assert track.at(-0.01) == 0.0
    assert track.at(track.duration_s + 0.001) == 0.0
    with pytest.raises(ValueError):
        MouthTrack(env, 0.0)
    with pytest.raises(ValueError):
        MouthTrack(env.reshape(2, -1), FRAME)


def test_smoothing_time_constants_change_the_track():
    env, _ = square_envelope()
    fast = MouthTrack(env, FRAME)
    slow = MouthTrack(env, FRAME, MouthParams(attack_s=0.05, release_s=0.1))
    assert slow.values[20] > fast.values[20]  # slower release: still open on the first silent frame
    assert slow.values[0] < fast.values[0]  # slower attack


# --------------------------------------------------------------------------- motion (no Qt)


def test_expression_chosen_by_intent():
    assert expression_for_intent("compliment") == "warm"
    assert expression_for_intent("gift") == "warm"
    assert expression_for_intent("follow") == "warm"
    assert expression_for_intent("complaint") == "apologetic"
    assert expression_for_intent("product_detail") == "presenting"
    assert expression_for_intent("recommendation_request") == "presenting"
    assert expression_for_intent("price") == "neutral"
    assert expression_for_intent("no-such-intent") == "neutral"
    assert expression_for_intent(None) == "neutral"
    for intent in INTENTS:  # every real intent maps to an expression the art has
        assert expression_for_intent(intent) in ("neutral", "warm", "apologetic", "presenting")
    assert set(EXPRESSION_BY_INTENT) - set(INTENTS) <= {"gift", "follow", "like", "thanks",
                                                         "introduce", "script", "now_selling"}


def blink_times(seed: int, seconds: float = 20.0) -> list[float]:
    anim = Animator(seed=seed)
    closed, starts = False, []
    for k in range(int(seconds * 60)):
        t = 100.0 + k / 60.0
        shut = anim.state(t).eye_open < 0.3
        if shut and not closed:
            starts.append(round(t - 100.0, 3))
        closed = shut
    return starts


def test_blinks_are_random_but_seeded():
    a = blink_times(7)
    assert a and a[0] <= 6.0 + 0.2  # first blink within the longest interval
    assert all(b - a_ >= 0.2 for a_, b in zip(a, a[1:]))
    assert len(a) >= 3  # about every 2-6 s over 20 s
    assert blink_times(7) == a
    assert blink_times(8) != a


def test_breathing_and_sway_move_within_bounds():
    anim = Animator(seed=0)
    states = [anim.state(k / 60.0) for k in range(600)]
    breath = np.array([s.breath for s in states])
    sway = np.array([s.sway_deg for s in states])
    assert breath.max() > 0.9 and breath.min() < -0.9
    assert 0.3 < np.abs(sway).max() < 3.0
    assert np.all(np.abs(np.diff(sway)) < 0.2)  # smooth: no jumps between frames


def test_speak_follows_the_playback_clock_and_stop_closes_at_once():
    env, is_loud = square_envelope()
    pos = [-0.5]
    anim = Animator(seed=0)
    anim.speak("谢谢宝宝的关注！", env, FRAME, "follow", clock=lambda: pos[0])
    s = anim.state(1.0)
    assert s.speaking and s.mouth_open == 0.0 and s.expression == "warm"  # audio not heard yet
    track = MouthTrack(env, FRAME)
    for i in (3, 25, 47):
        pos[0] = (i + 0.5) * FRAME
        assert anim.state(1.0 + i * FRAME).mouth_open == pytest.approx(float(track.values[i]))
    pos[0] = 10.5 * FRAME
    assert anim.state(2.0).mouth_open >= 0.5
    anim.stop(2.01)
    s = anim.state(2.02)
    assert s.mouth_open == 0.0 and s.subtitle == "" and not s.speaking
    assert anim.state(2.02 + 1.0).expression == "neutral"  # relaxes after expression_hold_s


def test_speech_ends_with_its_audio():
    env, _ = square_envelope(n_periods=1)
    pos = [0.1]
    anim = Animator(seed=0)
    anim.speak("hi", env, FRAME, "greeting", clock=lambda: pos[0])
    assert anim.state(0.0).speaking
    pos[0] = len(env) * FRAME + 0.01
    assert not anim.state(0.1).speaking


def test_playback_clock_extrapolates_and_subtracts_latency():
    now = [10.0]
    clock = PlaybackClock(latency_s=0.03, max_extrapolate_s=0.1, now=lambda: now[0])
    assert clock.position() < 0
    clock.on_envelope(1.0, 0.2)
    now[0] = 10.05
    assert clock.position() == pytest.approx(1.0 + 0.05 - 0.03)
    now[0] = 11.0  # stream stalled: do not run ahead more than max_extrapolate_s
    assert clock.position() == pytest.approx(1.0 + 0.1 - 0.03)


def test_subtitles_are_split_into_sentences_and_timed_at_pauses():
    text = "谢谢宝宝的小心心！这款T恤今天只要59.9元。Thanks a lot."
    chunks = subtitle_chunks(text)
    assert chunks == ["谢谢宝宝的小心心！", "这款T恤今天只要59.9元。", "Thanks a lot."]
    assert "".join(chunks).replace(" ", "") == text.replace(" ", "")
    long = "这件衣服是纯棉的面料，穿起来很舒服透气，洗了也不容易变形起球，宝宝们放心拍"
    assert all(len(c) <= 22 for c in subtitle_chunks(long)) and len(subtitle_chunks(long)) >= 2
    english = "Only 59.90 yuan today, ships free."
    assert subtitle_chunks(english) == [english]  # 34 Latin characters are ~19 CJK widths: one piece
    # three voiced stretches separated by pauses at 1.0-1.3 s and 2.5-2.7 s
    env = np.full(240, 0.2, np.float32)
    env[60:78] = 0.0
    env[150:162] = 0.0
    starts = subtitle_timing(chunks, MouthTrack(env, FRAME))
    assert starts[0] == 0.0
    assert 60 * FRAME <= starts[1] <= 78 * FRAME
    assert 150 * FRAME <= starts[2] <= 162 * FRAME


# --------------------------------------------------------------------------- the window (Qt)

qt = pytest.importorskip("PySide6")
from PySide6.QtGui import QColor, QFont, QImage, QRawFont  # noqa: E402

from app.errors import LiveHostError  # noqa: E402
from app.gui.avatar.window import WINDOW_TITLE, AvatarSettings, AvatarWindow, cjk_font_family  # noqa: E402

MOUTH_RGB = (0x6E, 0x1F, 0x2A)  # inside of the open mouth (renderer._paint_mouth)
SUBTITLE_BOX_RGB = (24, 26, 38)


class FakeTime:
    def __init__(self, t: float = 100.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def rgb_array(img: QImage) -> np.ndarray:
    img = img.convertToFormat(QImage.Format.Format_RGB32)
    h, w, bpl = img.height(), img.width(), img.bytesPerLine()
    a = np.frombuffer(img.constBits(), np.uint8, count=h * bpl).reshape(h, bpl)[:, : w * 4]
    return a.reshape(h, w, 4)[:, :, 2::-1].astype(int)  # BGRA in memory -> RGB


def count_rgb(arr: np.ndarray, rgb: tuple[int, int, int], tol: int = 6) -> int:
    return int((np.abs(arr - np.array(rgb)).max(axis=2) <= tol).sum())


@pytest.fixture
def make_window(qtbot):
    def make(**kw) -> AvatarWindow:
        now = kw.pop("now", FakeTime())
        w = AvatarWindow(AvatarSettings(seed=kw.pop("seed", 1), **kw), now=now)
        qtbot.addWidget(w)
        return w
    return make


def test_window_title_and_top_level(make_window):
    w = make_window()
    assert w.windowTitle() == "LiveHost Avatar" == WINDOW_TITLE
    assert w.isWindow()


@pytest.mark.parametrize("color", ["#00FF00", "#FF00FF"])
def test_opaque_chroma_background_at_corners(make_window, qtbot, color):
    w = make_window(background=color)
    w.show()
    qtbot.waitExposed(w)
    img = w.grab().toImage()
    want = QColor(color).rgb()
    for x, y in ((0, 0), (img.width() - 1, 0), (0, img.height() - 1), (img.width() - 1, img.height() // 3)):
        assert img.pixel(x, y) == want, (x, y)
    w.set_background("#0000FF")
    assert w.grab().toImage().pixel(0, 0) == QColor("#0000FF").rgb()


def test_background_image_and_bad_background(make_window, tmp_path):
    w = make_window()
    src = QImage(40, 30, QImage.Format.Format_RGB32)
    src.fill(QColor(200, 120, 40))
    path = tmp_path / "studio.png"
    assert src.save(str(path))
    w.set_background(path)
    assert w.background_color() is None
    assert QColor(w.render_image().pixel(0, 0)) == QColor(200, 120, 40)
    with pytest.raises(LiveHostError) as err:
        w.set_background(tmp_path / "missing.png")
    assert err.value.code == "avatar-background-unreadable"
    with pytest.raises(LiveHostError):
        w.set_background("#nothex")


@pytest.mark.parametrize("aspect,ratio", [("9:16", 9 / 16), ("16:9", 16 / 9)])
def test_aspect_lock_keeps_ratio_on_resize(make_window, qtbot, aspect, ratio):
    w = make_window(aspect=aspect, size=(540, 960) if aspect == "9:16" else (960, 540))
    w.show()
    qtbot.waitExposed(w)
    for size in ((700, 700), (400, 900), (1000, 500)):
        w.resize(*size)
        qtbot.waitUntil(lambda: abs(w.width() - w.height() * ratio) <= 1.0, timeout=2000)
    w.set_aspect(None)
    w.resize(700, 700)
    qtbot.waitUntil(lambda: (w.width(), w.height()) == (700, 700), timeout=2000)
    w.set_aspect("9:16")
    qtbot.waitUntil(lambda: abs(w.width() - w.height() * 9 / 16) <= 1.0, timeout=2000)
    with pytest.raises(ValueError):
        w.set_aspect("4:3")


def loud_envelope(seconds: float = 4.0) -> np.ndarray:
    return np.full(int(seconds * 60), 0.25, np.float32)


def test_subtitles_shown_and_hidden(make_window):
    w = make_window()
    w.speak("这款纯棉T恤今天只要59.9元", loud_envelope(), FRAME, "price")
    img = rgb_array(w.render_image())
    rect = w.subtitle_rect()
    assert rect is not None and rect.bottom() > w.height() / 2  # default position: bottom
    box = img[int(rect.top()) + 2:int(rect.bottom()) - 2, int(rect.left()) + 2:int(rect.right()) - 2]
    assert count_rgb(box, SUBTITLE_BOX_RGB) > 0.3 * box.shape[0] * box.shape[1]
    assert count_rgb(box, (255, 255, 255), tol=30) > 50  # the text itself
    w.set_subtitles(False)
    img2 = rgb_array(w.render_image())
    assert w.subtitle_rect() is None
    assert count_rgb(img2, SUBTITLE_BOX_RGB, tol=0) < count_rgb(img, SUBTITLE_BOX_RGB, tol=0) // 10
    w.set_subtitles(True, size=0.06, position="top")
    w.render_image()
    top = w.subtitle_rect()
    assert top is not None and top.bottom() < w.height() / 2 and top.height() > rect.height()
    w.stop_speaking()
    w.render_image()
    assert w.subtitle_rect() is None


def test_window_mouth_follows_playback_clock_and_stop_closes_within_a_frame(make_window):
    env, is_loud = square_envelope()
    pos = [-1.0]
    w = make_window(subtitles=False, badge=False)
    w.speak("hello", env, FRAME, "price", clock=lambda: pos[0])
    closed_px = count_rgb(rgb_array(w.render_image()), MOUTH_RGB)
    assert closed_px == 0
    pos[0] = 10.5 * FRAME  # inside a loud stretch
    open_px = count_rgb(rgb_array(w.render_image()), MOUTH_RGB)
    assert open_px > 100
    pos[0] = 30.5 * FRAME  # settled silence
    assert count_rgb(rgb_array(w.render_image()), MOUTH_RGB) == 0
    pos[0] = 50.5 * FRAME  # loud again
    assert count_rgb(rgb_array(w.render_image()), MOUTH_RGB) > 100
    w.stop_speaking()  # panic mute: the very next frame is closed
    assert count_rgb(rgb_array(w.render_image()), MOUTH_RGB) == 0
    assert not w.speaking and w.current_state().mouth_open == 0.0


def test_expression_by_intent_changes_face(make_window):
    w = make_window(subtitles=False, badge=False)
    quiet = np.zeros(600, np.float32)
    w.speak("thanks", quiet, FRAME, "compliment")
    assert w.current_state().expression == "warm"
    warm = rgb_array(w.render_image())
    w.speak("sorry", quiet, FRAME, "complaint")
    assert w.current_state().expression == "apologetic"
    sorry = rgb_array(w.render_image())
    w.speak("look", quiet, FRAME, "product_detail")
    assert w.current_state().expression == "presenting"
    present = rgb_array(w.render_image())
    diff = lambda a, b: int((np.abs(a - b).max(axis=2) > 30).sum())  # noqa: E731
    assert diff(warm, sorry) > 300
    assert diff(sorry, present) > 1000  # the raised arm
    with pytest.raises(ValueError):
        w.set_expression("angry")


def test_blink_within_seconds_with_seeded_rng(make_window):
    now = FakeTime(50.0)
    w = make_window(now=now, seed=42)
    eyes = []
    for k in range(int(6.5 * 60)):
        now.t = 50.0 + k / 60.0
        eyes.append(w.current_state().eye_open)
    assert min(eyes) < 0.3  # a blink (eyes shut) happened within 6.5 s


def test_second_look_changes_rendered_pixels(make_window):
    w = make_window(subtitles=False, badge=False)
    assert set(w.looks()) >= {"studio", "casual"}
    a = rgb_array(w.render_image())
    w.set_look("casual")
    assert w.look == "casual"
    b = rgb_array(w.render_image())
    changed = int((np.abs(a - b).max(axis=2) > 40).sum())
    assert changed > 0.1 * a.shape[0] * a.shape[1]
    with pytest.raises(ValueError):
        w.set_look("no-such-look")


def test_badge_toggle(make_window):
    w = make_window(subtitles=False)
    on = rgb_array(w.render_image())
    w.set_badge(False)
    off = rgb_array(w.render_image())
    corner = (slice(0, w.height() // 8), slice(0, w.width() // 2))
    assert int((np.abs(on[corner] - off[corner]).max(axis=2) > 40).sum()) > 200
    assert np.array_equal(off[corner], np.broadcast_to(np.array([0, 255, 0]), off[corner].shape))


def test_cjk_font_has_chinese_glyphs(qapp):
    raw = QRawFont.fromFont(QFont(cjk_font_family()))
    for ch in "虚拟主播谢谢宝宝":
        assert raw.supportsCharacter(ch), ch


def test_frame_timer_runs_while_shown_and_stops_when_hidden(make_window, qtbot):
    w = AvatarWindow(AvatarSettings(seed=1))
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: len(w.tick_times) >= 10 and len(w.paint_s) >= 5, timeout=3000)
    w.hide()
    n = len(w.tick_times)
    qtbot.wait(100)
    assert len(w.tick_times) <= n + 1


def test_settings_validation():
    with pytest.raises(ValueError):
        AvatarSettings(aspect="4:3")
    with pytest.raises(ValueError):
        AvatarSettings(subtitle_position="left")
    with pytest.raises(ValueError):
        AvatarSettings(subtitle_size=0.5)
    with pytest.raises(ValueError):
        AvatarWindow(AvatarSettings(look="no-such-look"))


def test_look_switch_while_shown_is_spread_over_frames(make_window, qtbot):
    w = AvatarWindow(AvatarSettings(seed=1, subtitles=False, badge=False))
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    before = rgb_array(w.grab().toImage())
    w.set_look("casual")
    assert w.rebuilding  # not rendered synchronously in the GUI thread
    assert w._renderer.prepared_ratio() > 0  # the old look keeps being drawn meanwhile
    qtbot.waitUntil(lambda: not w.rebuilding, timeout=5000)
    after = rgb_array(w.grab().toImage())
    assert int((np.abs(before - after).max(axis=2) > 40).sum()) > 0.1 * before.shape[0] * before.shape[1]


def test_resize_rebuilds_caches_at_the_new_scale(make_window, qtbot):
    w = AvatarWindow(AvatarSettings(seed=1, size=(360, 640)))
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    small = w._renderer.prepared_ratio()
    w.resize(540, 960)
    qtbot.waitUntil(lambda: w._renderer.prepared_ratio() > small * 1.4 and not w.rebuilding, timeout=5000)
    assert w._renderer.prepared_ratio() == pytest.approx(small * 1.5, rel=0.02)


def test_finished_playback_clock_ends_speech():
    env, _ = square_envelope()
    now = [0.0]
    clock = PlaybackClock(now=lambda: now[0])
    anim = Animator(seed=0)
    anim.speak("hi", env, FRAME, "price", clock=clock.position)
    clock.on_envelope(10.5 * FRAME)
    assert anim.state(0.0).mouth_open >= 0.5
    clock.finish()  # playback stopped early: the clock no longer advances on its own
    s = anim.state(0.02)
    assert not s.speaking and s.mouth_open == 0.0


def test_window_handles_mute_and_now_selling_events(make_window):
    from app.events import MuteSpeech, NowSellingChanged, SpeechFinished, SpeechMuted

    w = make_window()
    w.speak("hello", loud_envelope(), FRAME, "price")
    assert w.current_state().mouth_open >= 0.5
    w.handle_event(MuteSpeech(muted=True))
    assert w.current_state().mouth_open == 0.0 and not w.speaking
    w.speak("hello", loud_envelope(), FRAME, "price")
    w.handle_event(SpeechFinished(reply_id="r1"))
    assert not w.speaking
    w.speak("hello", loud_envelope(), FRAME, "price")
    w.handle_event(SpeechMuted(muted=False))  # unmute: nothing to stop
    assert w.speaking
    w.handle_event(SpeechMuted(muted=True))
    assert not w.speaking
    w.handle_event(NowSellingChanged(product_id="P1"))
    assert w.current_state().expression == "presenting"
