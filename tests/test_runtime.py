"""LiveSession: the pipeline on its own thread, driven from another thread like the GUI does."""
import threading

from app.catalog.importer import write_catalog_csv
from app.events import (ChatReceived, IntentClassified, ReplyApproved, ReplySuggested, SetNowSelling,
                        SpeechSynthesized, Viewer)
from app.runtime import LiveSession
from app.settings import load_settings
from app.store import SqliteStore
from app.understanding.stage import Understander
from tests.fakes import FakePlayer, FakeSynth, KeywordClassifier, Rec


def test_live_session_runs_on_its_own_thread(tmp_path, catalog):
    settings = load_settings(tmp_path / "none.toml", {"data_dir": str(tmp_path)})
    rec = Rec()
    threads = set()

    class ThreadSpy:
        def on_event(self, e):
            threads.add(threading.current_thread().name)

    synth = FakeSynth()
    s = LiveSession(settings, catalog, session_id="t1", synthesizer=synth, player=FakePlayer(play_s=0.01),
                    understander=Understander(KeywordClassifier(), catalog), store=SqliteStore(tmp_path / "db"),
                    auto_delay_s=0, use_recommender=False)
    s.add_observer(rec)
    s.add_observer(ThreadSpy())
    s.start()
    try:
        s.submit(SetNowSelling(listing_number=5)).result(5)
        s.submit(ChatReceived(t=1, msg_id="a", viewer=Viewer("douyin", "u1", "小美"), text="多少钱")).result(5)
        s.drain()
    finally:
        s.stop()
    assert threads == {"livehost-core"}
    (sug,) = rec.of(ReplySuggested)
    assert sug.product_id == "P2" and "39元" in sug.text
    assert [a.by for a in rec.of(ReplyApproved)] == ["auto"]
    assert [c[0] for c in synth.calls] == [sug.text]
    assert len(rec.of(SpeechSynthesized)) == 1
    assert [e["msg_id"] for e in SqliteStore(tmp_path / "db").events("t1")] == ["a"]


def test_microphone_without_model_keeps_session_running(tmp_path, catalog, monkeypatch):
    """Microphone on but no speech model installed: the session starts, says so, and chat works."""
    from app.events import ErrorOccurred, MicrophoneStateChanged

    monkeypatch.setenv("LIVEHOST_DATA_DIR", str(tmp_path / "data"))
    settings = load_settings(tmp_path / "none.toml", {"data_dir": str(tmp_path),
                                                      "microphone": {"enabled": True},
                                                      "recognition": {"model": "small-cn"}})
    rec = Rec()
    s = LiveSession(settings, catalog, session_id="t2", synthesizer=FakeSynth(), player=FakePlayer(play_s=0.01),
                    understander=Understander(KeywordClassifier(), catalog), store=SqliteStore(":memory:"),
                    auto_delay_s=0, use_recommender=False)
    s.add_observer(rec)
    s.start()
    try:
        s.submit(ChatReceived(t=1, msg_id="a", viewer=Viewer("douyin", "u1", "小美"), text="5号多少钱")).result(5)
        s.drain()
    finally:
        s.stop()
    assert [m.state for m in rec.of(MicrophoneStateChanged)][:1] == ["no_model"]
    assert "asr-model-missing" in [e.code for e in rec.of(ErrorOccurred)]
    assert len(rec.of(ReplySuggested)) == 1
