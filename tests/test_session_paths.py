"""The same input gives the same events on every path: the headless replay and the console's
session (its loader, its thread, its bridge) build the session in the same place."""
import threading
from pathlib import Path

import pytest

from app.catalog.importer import load_catalog
from app.events import IntentClassified, ReplySuggested
from app.gui.bridge import QtBridge, SessionLoader, SessionSpec
from app.paths import DEMO_CATALOG, DEMO_SESSION
from app.replay import run_replay
from app.settings import load_settings
from app.store import SqliteStore
from tests.fakes import FakeSynth

MODEL = Path(__file__).resolve().parents[1] / "models" / "intent" / "config.json"


class ThreadRec:
    def __init__(self):
        self.lock = threading.Lock()
        self.events = []

    def on_event(self, e):
        with self.lock:
            self.events.append(e)


class NoDevice:
    available = False
    unavailable_reason = "test: no output device"

    def play(self, path):
        return False

    def stop(self):
        pass


def _signature(events):
    ic = [(e.msg_id, e.lang, e.intent, round(e.confidence, 4), e.uncertain, e.slots.as_dict())
          for e in events if isinstance(e, IntentClassified)]
    rs = [(e.msg_ids, e.intent, e.lang, e.text, e.product_id, e.held) for e in events if isinstance(e, ReplySuggested)]
    return ic, rs


@pytest.mark.skipif(not MODEL.is_file(), reason="the intent model is not in models/intent")
def test_the_demo_gives_the_same_events_headless_and_through_the_console(qtbot, tmp_path):
    # language = "en": messages without words ("666", emoji) take the seller's language on both paths
    settings = load_settings(tmp_path / "none.toml", {"data_dir": str(tmp_path), "language": "en"})
    headless = run_replay(DEMO_SESSION, DEMO_CATALOG, tmp_path / "headless", settings=settings, audio=False,
                          use_recommender=False, keep_events=True)

    rec = ThreadRec()
    bridge = QtBridge()
    catalog = load_catalog(DEMO_CATALOG).catalog
    spec = SessionSpec(settings=settings, catalog=catalog, store=SqliteStore(tmp_path / "console.sqlite3"),
                       synthesizer=FakeSynth(), player=NoDevice(), use_recommender=False, observers=[rec],
                       sources=[f"replay:{DEMO_SESSION}"], speed=None, audio_dir=tmp_path / "audio")
    loader = SessionLoader(bridge, spec)
    states = []
    bridge.status.connect(lambda st: states.append(st.state))
    loader.start()
    # the session runs first ("ready"), the intent model loads on its own thread meanwhile
    qtbot.waitUntil(lambda: bool(states) and states[-1] in ("model-ready", "failed"), timeout=60_000)
    assert states[-1] == "model-ready" and "ready" in states
    assert states.index("ready") < states.index("model-ready")
    loader.session.wait_sources(120)
    loader.stop()

    h_ic, h_rs = _signature(headless.events)
    c_ic, c_rs = _signature(rec.events)
    assert len(h_ic) > 200 and len(h_rs) > 150
    assert c_ic == h_ic
    assert c_rs == h_rs
    wordless = [x for x in h_ic if x[0] in {r["msg_id"] for r in headless.records
                                             if r["text"] and not any(ch.isalpha() for ch in r["text"])}]
    assert wordless and all(lang == "en" for _, lang, *_ in wordless)
