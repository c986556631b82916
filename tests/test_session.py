"""The session (the one composition root): on a thread like the console uses it, and with the
microphone as a source."""
import threading

from app.events import (ChatReceived, ErrorOccurred, MicrophoneStateChanged, ReplyApproved, ReplySuggested,
                        SessionStarted, SetNowSelling, SpeechSynthesized, Viewer)
from app.session import Engines, Session, SessionOptions, SessionThread
from app.settings import load_settings
from app.store import SqliteStore
from app.understanding.stage import Understander
from tests.fakes import FakePlayer, FakeSynth, KeywordClassifier, Rec


def _thread(settings, catalog, store, rec, *observers, sources=(), synth=None, sid="t1"):
    synth = synth or FakeSynth()
    engines = Engines(Understander(KeywordClassifier(), catalog), synth, FakePlayer(play_s=0.01))

    def build():
        return Session(settings, catalog, engines, store=store, session_id=sid, sources=list(sources),
                       observers=[rec, *observers], options=SessionOptions(auto_delay_s=0))

    return SessionThread(build), synth


def test_session_runs_on_its_own_thread(tmp_path, catalog):
    settings = load_settings(tmp_path / "none.toml", {"data_dir": str(tmp_path), "reply": {"merge_window_s": 0}})
    rec = Rec()
    threads = set()

    class ThreadSpy:
        def on_event(self, e):
            threads.add(threading.current_thread().name)

    s, synth = _thread(settings, catalog, SqliteStore(tmp_path / "db"), rec, ThreadSpy())
    s.start()
    try:
        s.submit(SetNowSelling(listing_number=5)).result(5)
        s.submit(ChatReceived(t=1, msg_id="a", viewer=Viewer("douyin", "u1", "小美"), text="多少钱")).result(5)
        s.drain()
    finally:
        s.stop()
    assert threads == {"livehost-core"}
    assert rec.of(SessionStarted)[0].session_id == "t1"
    (sug,) = rec.of(ReplySuggested)
    assert sug.product_id == "P2" and "39元" in sug.text
    assert [a.by for a in rec.of(ReplyApproved)] == ["auto"]
    assert [c[0] for c in synth.calls] == [sug.text]
    assert len(rec.of(SpeechSynthesized)) == 1
    store = SqliteStore(tmp_path / "db")
    assert [e["msg_id"] for e in store.received_events("t1")] == ["a"]
    (row,) = store.replies("t1")
    assert (row["text"], row["status"], row["decided_by"]) == (sug.text, "spoken", "auto")
    assert store.viewer("douyin:u1")["nickname"] == "小美"
    assert store.sessions()[0]["ended_at"] is not None


def test_microphone_without_model_keeps_session_running(tmp_path, catalog, monkeypatch):
    """Microphone on but no speech model installed: the session starts, says so, and chat works."""
    from app.sources import open_source

    monkeypatch.setenv("LIVEHOST_DATA_DIR", str(tmp_path / "data"))
    settings = load_settings(tmp_path / "none.toml", {"data_dir": str(tmp_path),
                                                      "microphone": {"enabled": True},
                                                      "recognition": {"model": "small-cn"},
                                                      "reply": {"merge_window_s": 0}})
    rec = Rec()
    mic = open_source("mic", settings=settings, catalog=catalog)
    s, _ = _thread(settings, catalog, SqliteStore(":memory:"), rec, sources=[mic], sid="t2")
    s.start()
    try:
        s.submit(ChatReceived(t=1, msg_id="a", viewer=Viewer("douyin", "u1", "小美"), text="5号多少钱")).result(5)
        s.drain()
    finally:
        s.stop()
    assert [m.state for m in rec.of(MicrophoneStateChanged)][:1] == ["no_model"]
    assert "asr-model-missing" in [e.code for e in rec.of(ErrorOccurred)]
    assert len(rec.of(ReplySuggested)) == 1
