"""Speech output: text normalisation, pyttsx3/eSpeak synthesis to WAV, playback, RMS envelope."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from app.errors import SpeechError
from app.playback.sounddevice import SounddevicePlayer, rms_envelope
from app.synthesis.pyttsx3 import (
    Pyttsx3Synthesizer,
    VoiceInfo,
    _voice_info,
    reads_as_mandarin,
    voice_rank,
)
from app.synthesis.speech_text import normalize_for_speech

# ----------------------------------------------------------------------------- normalisation

ZH_CASES = [
    ("¥59.9", "五十九点九元"),
    ("59.9元", "五十九点九元"),
    ("￥59.90包邮", "五十九点九元包邮"),
    ("原价¥1,299.00现价999元", "原价一千二百九十九元现价九百九十九元"),
    ("3.50元一斤", "三点五元一斤"),
    ("3号链接多少钱", "三号链接多少钱"),
    ("身高160cm体重50kg穿什么码", "身高一百六十厘米体重五十公斤穿什么码"),
    ("2-4天到货", "二到四天到货"),
    ("1~2天发货", "一到两天发货"),
    ("150-158cm", "一百五十到一百五十八厘米"),
    ("7天无理由退货", "七天无理由退货"),
    ("全场打8折，满减30%", "全场打八折，满减百分之三十"),
    ("0.5折", "零点五折"),
    ("XL码还有", "XL码还有"),
    ("2XL和M码", "二XL和M码"),
    ("拍2件更划算", "拍两件更划算"),
    ("第2天发货", "第二天发货"),
    ("晚上8:00开播，10:20结束", "晚上八点开播，十点二十分结束"),
    ("8:05准时", "八点零五分准时"),
    ("2026-11-29发货", "二零二六年十一月二十九日发货"),
    ("2026年双11", "二零二六年双十一"),
    ("订单号20261129001", "订单号二零二六一一二九零零一"),
    ("5L大容量", "五升大容量"),
    ("水温40℃刚好", "水温四十摄氏度刚好"),
    ("<b>限时</b>秒杀😀🔥👍🏻", "限时 秒杀"),
    ("详情见https://shop.example.com/item?id=3 看看", "详情见 看看"),
    ("零\u200b宽\u200d字符\ufeff", "零宽字符"),
    ("\x07控制\x1b字符", "控制字符"),
    ("【爆款】纯棉T恤 #好物# @小美 谢谢", "爆款 纯棉T恤 好物 小美 谢谢"),
    ("黑色/白色都有", "黑色 白色都有"),
    ("“正品”保障", "正品保障"),
    ("❤️谢谢小美的小心心", "谢谢小美的小心心"),
    ("３号链接１２９元", "三号链接一百二十九元"),
]

EN_CASES = [
    ("¥59.90", "59.90 yuan"),
    ("It costs 59.9元 with free shipping 😀", "It costs 59.9 yuan with free shipping"),
    ("Delivery takes 2-4 days", "Delivery takes 2 to 4 days"),
    ("Size XL fits 160cm, 50kg", "Size XL fits 160 centimeters, 50 kilograms"),
    ("Link #3 is $5 & free", "Link 3 is 5 dollars and free"),
    ("<i>hi</i> there", "hi there"),
    ("30% off today!", "30 percent off today!"),
    ("Don't miss it: 纯棉T恤 (cotton) tee", "Don't miss it: T (cotton) tee"),
    ("Visit www.shop.com now", "Visit now"),
    ("Water at 40°C", "Water at 40 degrees Celsius"),
    ("谢谢！Thanks，see you", "Thanks, see you"),
]


@pytest.mark.parametrize(("text", "expected"), ZH_CASES)
def test_normalize_zh(text: str, expected: str) -> None:
    assert normalize_for_speech(text, "zh") == expected


@pytest.mark.parametrize(("text", "expected"), EN_CASES)
def test_normalize_en(text: str, expected: str) -> None:
    assert normalize_for_speech(text, "en") == expected


def test_normalize_language_tags_are_normalised() -> None:
    assert normalize_for_speech("3号链接", "zh-CN") == "三号链接"
    assert normalize_for_speech("3号链接", "cmn") == "三号链接"
    assert normalize_for_speech("¥5", "en_US") == "5 yuan"


@pytest.mark.parametrize("text", ["<speak>你好</speak>", "<<3号链接>>", "< 59元", "<", "<br/>hi",
                                  "&lt;b&gt;bold&lt;/b&gt;", "<!-- x -->好"])
@pytest.mark.parametrize("lang", ["zh", "en", "fr"])
def test_normalize_never_leaves_angle_brackets(text: str, lang: str) -> None:
    out = normalize_for_speech(text, lang)
    assert "<" not in out and ">" not in out
    assert out == out.strip()


@pytest.mark.parametrize("text", ["😀🔥👍🏻", "\u200b\u200d\ufeff", "<b></b>", "https://a.b/c"])
def test_normalize_unspeakable_text_becomes_empty(text: str) -> None:
    assert normalize_for_speech(text, "zh") == ""
    assert normalize_for_speech(text, "en") == ""


# ----------------------------------------------------------------------------- voice choice


def test_voice_rank_handles_espeak_sapi_and_old_pyttsx3_voices() -> None:
    class V:  # the attributes pyttsx3.voice.Voice has
        def __init__(self, id: str, name: str, languages: list) -> None:  # noqa: A002
            self.id, self.name, self.languages = id, name, languages

    espeak_cmn = _voice_info(V("sit/cmn-latn-pinyin", "Chinese (Mandarin, latin as Pinyin)",
                               ["cmn-latn-pinyin"]))
    old_pyttsx3 = _voice_info(V("zh", "zh", [b"\x05zh"]))  # pyttsx3 2.90 gave bytes
    sapi_huihui = _voice_info(V(r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Speech\Voices\Tokens"
                                r"\TTS_MS_ZH-CN_HUIHUI_11.0",
                                "Microsoft Huihui Desktop - Chinese (Simplified)", ["804"]))
    name_only = _voice_info(V("voice7", "Mandarin Female", []))
    cantonese = _voice_info(V("sit/yue", "Chinese (Cantonese)", ["yue"]))
    sapi_tw = _voice_info(V("TTS_MS_ZH-TW_HANHAN_11.0", "Microsoft Hanhan", ["zh-TW"]))
    en_us = _voice_info(V("gmw/en-us", "English (America)", ["en-us"]))
    en_gb = _voice_info(V("gmw/en", "English (Great Britain)", ["en-gb"]))

    assert old_pyttsx3.languages == ("zh",)
    assert sapi_huihui.languages == ("zh-cn",)
    assert voice_rank(espeak_cmn, "zh") == (0, 0)
    assert voice_rank(old_pyttsx3, "zh") == (0, 0)
    assert voice_rank(sapi_huihui, "zh") == (0, 0)
    assert voice_rank(name_only, "zh") == (1, 0)
    assert voice_rank(sapi_tw, "zh") == (0, 1)
    assert voice_rank(cantonese, "zh") is None
    assert voice_rank(en_us, "zh") is None
    assert voice_rank(en_us, "en") < voice_rank(en_gb, "en")
    assert voice_rank(espeak_cmn, "en") is None
    assert voice_rank(VoiceInfo("x", "Klingon", ("tlh",)), "tlh") == (0, 0)


def test_reads_as_mandarin_on_real_espeak_phonemes() -> None:
    # eSpeak NG 1.51 phonemes for 你好 (espeak_TextToPhonemes, see pyttsx3.py docstring)
    assert reads_as_mandarin("n'i214_| X'Au214_|")  # cmn-latn-pinyin
    assert not reads_as_mandarin("(en)nITr'i:_| h,eI@Tr'i:(cmn)_|")  # cmn: "ni three hao three"
    assert not reads_as_mandarin("tS'aIni:zl,Et#3 tS'aIni:zl,Et#3")  # en-us: "Chinese letter"
    assert not reads_as_mandarin("")


# ----------------------------------------------------------------------------- synthesis

ZH_SENTENCE = "大家好，3号链接的纯棉短袖今天只要59.9元，包邮哦！"
EN_SENTENCE = "Link three is a cotton tee, only 59.90 yuan today."


def _syllables(text: str, lang: str) -> int:
    spoken = normalize_for_speech(text, lang)
    if lang == "zh":
        return len(re.findall(r"[\u4e00-\u9fff]", spoken)) + len(re.findall(r"[A-Za-z]", spoken))
    return sum(max(1, len(re.findall(r"[aeiouy]+", w.lower()))) for w in re.findall(r"[A-Za-z']+",
                                                                                    spoken))


def _read(path: Path) -> tuple[np.ndarray, int]:
    import soundfile as sf

    data, rate = sf.read(str(path), dtype="float32")
    return data, rate


@pytest.fixture(scope="module")
def synth():
    s = Pyttsx3Synthesizer(("zh", "en"))
    s.start()
    yield s
    s.close()


def test_start_picks_a_real_voice_per_language(synth: Pyttsx3Synthesizer) -> None:
    voices = synth.voices
    assert set(voices) == {"zh", "en"}
    assert voice_rank(voices["zh"], "zh") is not None
    assert voice_rank(voices["en"], "en") is not None
    assert all(voices[lang] in synth.available_voices for lang in voices)


def test_chinese_is_not_spelled_out_as_english(synth: Pyttsx3Synthesizer, tmp_path: Path) -> None:
    # A voice that reads 你好 as pinyin with English rules says "ni three hao three"
    # (1.8 s with eSpeak NG 1.51's cmn voice); two Mandarin syllables take well under 1.2 s.
    assert synth.synthesize("你好", "zh", tmp_path / "nihao.wav").duration_s < 1.2


@pytest.mark.parametrize(("text", "lang"), [(ZH_SENTENCE, "zh"), (EN_SENTENCE, "en")])
def test_synthesize_writes_non_silent_wav_of_plausible_length(
        synth: Pyttsx3Synthesizer, tmp_path: Path, text: str, lang: str) -> None:
    out = tmp_path / f"reply-{lang}.wav"
    result = synth.synthesize(text, lang, out)
    assert result.path == out and out.exists()
    data, rate = _read(out)
    assert rate == result.sample_rate
    assert result.duration_s == pytest.approx(len(data) / rate)
    assert float(np.sqrt(np.mean(data ** 2))) > 0.02
    syllables = _syllables(text, lang)
    # Speech runs at roughly 3-7 syllables per second; 4/s is the estimate.
    assert 0.4 < result.duration_s < 3 * syllables / 4.0
    assert result.duration_s > syllables / 12.0
    assert result.voice_id == synth.voices[lang].id
    assert not list(tmp_path.glob(".*.part.wav"))


def test_twenty_consecutive_syntheses_all_succeed(synth: Pyttsx3Synthesizer,
                                                 tmp_path: Path) -> None:
    durations: dict[str, list[float]] = {"zh": [], "en": []}
    for i in range(20):
        lang = "zh" if i % 2 == 0 else "en"
        text = ZH_SENTENCE if lang == "zh" else EN_SENTENCE
        result = synth.synthesize(text, lang, tmp_path / f"r{i:02d}.wav")
        assert result.path.stat().st_size > 1000
        durations[lang].append(result.duration_s)
    for lang, ds in durations.items():
        # Same text -> same audio; a file holding another job's audio would differ.
        assert max(ds) - min(ds) < 0.05 * max(ds), (lang, ds)


def test_rate_and_volume_change_the_audio(synth: Pyttsx3Synthesizer, tmp_path: Path) -> None:
    synth.set_rate(120)
    slow = synth.synthesize(EN_SENTENCE, "en", tmp_path / "slow.wav")
    synth.set_rate(240)
    fast = synth.synthesize(EN_SENTENCE, "en", tmp_path / "fast.wav")
    synth.set_volume(0.2)
    quiet = synth.synthesize(EN_SENTENCE, "en", tmp_path / "quiet.wav")
    synth.set_volume(1.0)
    loud = synth.synthesize(EN_SENTENCE, "en", tmp_path / "loud.wav")
    synth.set_rate(200)
    assert slow.duration_s > 1.5 * fast.duration_s
    q, _ = _read(quiet.path)
    v, _ = _read(loud.path)
    assert float(np.sqrt(np.mean(q ** 2))) < 0.5 * float(np.sqrt(np.mean(v ** 2)))
    with pytest.raises(ValueError):
        synth.set_volume(1.5)


def test_close_then_new_synthesizer_works(tmp_path: Path) -> None:
    first = Pyttsx3Synthesizer(("en",))
    first.start()
    a = first.synthesize(EN_SENTENCE, "en", tmp_path / "a.wav")
    first.close()
    with pytest.raises(SpeechError) as err:
        first.synthesize(EN_SENTENCE, "en", tmp_path / "closed.wav")
    assert err.value.code == "tts-not-started"
    with Pyttsx3Synthesizer(("zh", "en")) as second:
        b = second.synthesize(EN_SENTENCE, "en", tmp_path / "b.wav")
        c = second.synthesize(ZH_SENTENCE, "zh", tmp_path / "c.wav")
    assert b.duration_s == pytest.approx(a.duration_s, rel=0.05)
    assert c.duration_s > 0.4


def test_missing_voice_raises_with_code_and_install_hint() -> None:
    synth = Pyttsx3Synthesizer(("zh", "en", "tlh"))  # no engine ships a Klingon voice
    with pytest.raises(SpeechError) as err:
        synth.start()
    assert err.value.code == "tts-no-voice"
    assert "tlh" in err.value.message
    assert "espeak-ng" in err.value.hint


def test_a_configured_voice_that_cannot_be_used_names_the_setting_and_falls_back() -> None:
    probe = Pyttsx3Synthesizer(("zh", "en"))
    probe.start()
    en_voice, zh_voice = probe.voices["en"].id, probe.voices["zh"].id
    probe.close()
    synth = Pyttsx3Synthesizer(("zh",), voices={"zh": en_voice})  # a voice of another language
    synth.start()
    try:
        assert synth.voices["zh"].id == zh_voice  # the stream goes on with the best Mandarin voice
        (problem,) = synth.problems
        assert problem.code == "tts-wrong-voice" and en_voice in problem.message
        assert "speech.voice_zh" in problem.message and zh_voice in problem.hint
    finally:
        synth.close()
    missing = Pyttsx3Synthesizer(("zh",), voices={"zh": "no-such-voice"})
    missing.start()
    try:
        (problem,) = missing.problems
        assert problem.code == "tts-no-voice" and "speech.voice_zh" in problem.message
        assert "espeak-ng" not in problem.hint and zh_voice in problem.hint
    finally:
        missing.close()


def test_bad_requests_raise_speech_errors(synth: Pyttsx3Synthesizer, tmp_path: Path) -> None:
    with pytest.raises(SpeechError) as err:
        synth.synthesize("bonjour", "fr", tmp_path / "fr.wav")
    assert err.value.code == "tts-no-voice"
    with pytest.raises(SpeechError) as err:
        synth.synthesize("😀🔥", "zh", tmp_path / "emoji.wav")
    assert err.value.code == "tts-empty-text"
    assert not (tmp_path / "emoji.wav").exists()


def test_text_starting_with_markup_is_spoken_without_it(synth: Pyttsx3Synthesizer,
                                                       tmp_path: Path) -> None:
    tagged = synth.synthesize("<b>Welcome</b> to the room", "en", tmp_path / "tag.wav")
    plain = synth.synthesize("Welcome to the room", "en", tmp_path / "plain.wav")
    assert tagged.duration_s == pytest.approx(plain.duration_s, rel=0.05)


def test_output_goes_to_new_directories(synth: Pyttsx3Synthesizer, tmp_path: Path) -> None:
    out = tmp_path / "session" / "replies" / "r1.wav"
    assert synth.synthesize("谢谢关注", "zh", out).path.exists()


class _CrashingEngine:
    """A real pyttsx3 engine whose save_to_file raises (a driver crash)."""

    def __init__(self, behaviour: str) -> None:
        import pyttsx3

        self._real = pyttsx3.Engine()
        self._behaviour = behaviour
        self.calls = 0

    def __getattr__(self, name: str):
        return getattr(self._real, name)

    def __str__(self) -> str:
        return str(self._real)

    def save_to_file(self, text: str, filename: str, name: str | None = None) -> None:
        self.calls += 1
        if self._behaviour == "crash":
            raise RuntimeError("simulated driver crash")
        # "hang": the utterance is never queued, so no finished-utterance ever comes


def test_engine_crash_restarts_the_engine_thread_once(tmp_path: Path) -> None:
    made: list[object] = []

    def factory():
        import pyttsx3

        engine = _CrashingEngine("crash") if not made else pyttsx3.Engine()
        made.append(engine)
        return engine

    with Pyttsx3Synthesizer(("en",), engine_factory=factory) as synth:
        result = synth.synthesize(EN_SENTENCE, "en", tmp_path / "after-crash.wav")
        assert synth.restarts == 1
    assert len(made) == 2 and made[0].calls == 1
    assert result.duration_s > 0.4


@pytest.mark.parametrize("behaviour", ["crash", "hang"])
def test_engine_failing_twice_raises_tts_failed(tmp_path: Path, behaviour: str) -> None:
    made: list[_CrashingEngine] = []

    def factory():
        made.append(_CrashingEngine(behaviour))
        return made[-1]

    with Pyttsx3Synthesizer(("en",), engine_factory=factory, timeout_s=1.0) as synth:
        with pytest.raises(SpeechError) as err:
            synth.synthesize(EN_SENTENCE, "en", tmp_path / "never.wav")
        assert synth.restarts == 1
    assert err.value.code == "tts-failed"
    assert [e.calls for e in made] == [1, 1]
    assert not (tmp_path / "never.wav").exists()


# ----------------------------------------------------------------------------- playback


def test_player_availability_matches_the_devices_present(tmp_path: Path) -> None:
    player = SounddevicePlayer()
    devices = SounddevicePlayer.available_output_devices()
    assert player.available == bool(devices)
    if not devices:  # this CI machine: no sound card
        assert "no audio output device" in player.unavailable_reason
        assert player.play(tmp_path / "missing.wav") is False
    player.close()


def test_no_device_play_does_not_raise_and_reports_once(tmp_path: Path,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    import soundfile as sf

    wav = tmp_path / "beep.wav"
    sf.write(str(wav), np.zeros(2205, dtype=np.float32), 22050)
    player = SounddevicePlayer(device="LiveHost test device that does not exist")
    with caplog.at_level(logging.INFO, logger="app.playback.sounddevice"):
        assert player.play(wav) is False
        assert player.play(wav, on_envelope=lambda t, r: None) is False
        assert player.available is False
    reason = player.unavailable_reason
    assert reason  # explains why
    warnings = [r for r in caplog.records if "no audio output device" in r.getMessage()]
    assert len(warnings) == 1
    player.stop()
    player.close()


_NULL_DEVICE_SCRIPT = textwrap.dedent("""
    import json, sys
    import numpy as np, soundfile as sf
    from app.playback.sounddevice import SounddevicePlayer
    path = sys.argv[1]
    sr = 22050
    t = np.arange(sr // 2) / sr
    sf.write(path, (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), sr)
    player = SounddevicePlayer()
    calls = []
    ok = player.play(path, on_envelope=lambda ts, rms: calls.append([ts, rms]))
    print(json.dumps({"available": player.available, "ok": ok, "last": calls[-1],
                      "devices": SounddevicePlayer.available_output_devices()}))
    player.close()
""")


@pytest.mark.skipif(not Path("/usr/share/alsa/alsa.conf").exists(), reason="needs ALSA")
def test_play_through_the_alsa_null_device(tmp_path: Path) -> None:
    # An ALSA config whose default PCM discards audio gives PortAudio a real output device.
    conf = tmp_path / "asound.conf"
    conf.write_text("</usr/share/alsa/alsa.conf>\npcm.!default { type null }\n")
    env = dict(os.environ, ALSA_CONFIG_PATH=str(conf))
    proc = subprocess.run([sys.executable, "-c", _NULL_DEVICE_SCRIPT, str(tmp_path / "s.wav")],
                          capture_output=True, text=True, env=env, timeout=60,
                          cwd=Path(__file__).resolve().parents[1])
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["available"] is True and out["devices"]
    assert out["ok"] is True
    assert out["last"] == [pytest.approx(0.5, abs=1e-3), 0.0]


# ----------------------------------------------------------------------------- envelope


def test_rms_envelope_of_a_sine_and_of_silence() -> None:
    sr = 48000
    t = np.arange(sr) / sr
    sine = 0.5 * np.sin(2 * np.pi * 440 * t)
    env = rms_envelope(sine, sr)
    assert env.shape == (60,)
    assert env.dtype == np.float32
    np.testing.assert_allclose(env, 0.5 / np.sqrt(2), rtol=0.01)  # 0.35355
    np.testing.assert_array_equal(rms_envelope(np.zeros(sr), sr), np.zeros(60, dtype=np.float32))


def test_rms_envelope_frames_follow_time_without_drift() -> None:
    sr = 22050  # 367.5 samples per 1/60 s frame
    x = np.zeros(sr * 2)
    x[sr: sr + 200] = 1.0  # a click at exactly t = 1.0 s
    env = rms_envelope(x, sr)
    assert env.shape == (120,)
    assert int(np.argmax(env)) == 60
    assert rms_envelope(np.zeros(10), sr).shape == (1,)
    assert rms_envelope(np.zeros(0), sr).shape == (0,)


def test_rms_envelope_accepts_int16_and_stereo() -> None:
    sr = 16000
    t = np.arange(sr // 2) / sr
    mono = 0.5 * np.sin(2 * np.pi * 440 * t)
    pcm = np.round(mono * 32767).astype(np.int16)
    np.testing.assert_allclose(rms_envelope(pcm, sr), 0.5 / np.sqrt(2), rtol=0.01)
    stereo = np.stack([mono, np.zeros_like(mono)], axis=1)  # averaged to amplitude 0.25
    np.testing.assert_allclose(rms_envelope(stereo, sr), 0.25 / np.sqrt(2), rtol=0.01)
    with pytest.raises(ValueError):
        rms_envelope(mono, 0)
