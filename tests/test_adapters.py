"""The real engines and the test doubles implement the same adapter interfaces."""
from app.adapters import ChatSource, Player, Recommender, Synthesizer, Understander
from app.playback.sounddevice import SounddevicePlayer
from app.recommend.recommender import HybridRecommender
from app.sources.microphone import MicrophoneSource
from app.sources.replay import ReplayChatSource
from app.synthesis.pyttsx3 import Pyttsx3Synthesizer
from app.understanding.stage import Understander as RealUnderstander
from tests.fakes import FakePlayer, FakeSynth, KeywordClassifier


def test_real_engines_implement_the_interfaces(catalog, tmp_path):
    assert isinstance(Pyttsx3Synthesizer(("zh",)), Synthesizer)
    assert isinstance(SounddevicePlayer(device="none"), Player)
    assert isinstance(RealUnderstander(KeywordClassifier(), catalog), Understander)
    assert isinstance(HybridRecommender(catalog), Recommender)
    p = tmp_path / "s.jsonl"
    p.write_text('{"t": 1, "type": "comment", "uid": "u", "text": "hi"}\n', encoding="utf-8")
    assert isinstance(ReplayChatSource(p), ChatSource)
    assert isinstance(MicrophoneSource(None, None), ChatSource)


def test_doubles_implement_the_interfaces():
    assert isinstance(FakeSynth(), Synthesizer)
    assert isinstance(FakePlayer(), Player)
    assert not isinstance(object(), Synthesizer) and not isinstance(object(), ChatSource)
