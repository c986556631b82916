"""A faster start (issue 18, item 3): the session runs while the intent model loads on its own
thread; the first message waits for it; a missing model still fails the start at once."""
import threading

import pytest

from app.errors import ModelMissingError
from app.understanding.stage import DeferredUnderstander, Understander
from tests.fakes import KeywordClassifier


def test_understand_waits_for_the_model_then_answers(catalog):
    gate = threading.Event()
    names = []

    def load():
        names.append(threading.current_thread().name)
        gate.wait(10)
        return Understander(KeywordClassifier(), catalog)

    d = DeferredUnderstander(load)
    assert not d.ready and d.error() is None
    got = []
    worker = threading.Thread(target=lambda: got.append(d.understand("3号链接多少钱")))
    worker.start()
    worker.join(0.3)
    assert worker.is_alive() and got == []  # the first message waits for the model
    done = []
    d.add_done_callback(lambda u: done.append(u.ready))
    gate.set()
    worker.join(10)
    assert got and got[0].intent == "price" and got[0].slots.listing_number == 3
    assert d.ready and done == [True] and names == ["livehost-model-loader"]
    assert d.loaded_s is not None and d.loaded_s >= 0.0


def test_a_model_that_fails_to_load_fails_every_message(catalog):
    def load():
        raise ModelMissingError("intent-model-invalid", "broken weights", "run `livehost train intent`")

    d = DeferredUnderstander(load)
    d.add_done_callback(lambda u: None)
    with pytest.raises(ModelMissingError, match="broken weights"):
        d.understand("你好")
    assert d.ready and d.error().code == "intent-model-invalid"


def test_a_missing_model_folder_fails_the_start_at_once(tmp_path, catalog):
    from app.session import load_engines
    from app.settings import load_settings

    settings = load_settings(tmp_path / "none.toml", {"data_dir": str(tmp_path),
                                                      "understanding": {"model_dir": str(tmp_path / "nothing")}})
    with pytest.raises(ModelMissingError) as exc:
        load_engines(settings, catalog, audio=False, use_recommender=False, defer_model=True)
    assert exc.value.code == "intent-model-missing"


def test_the_status_bar_shows_the_model_loading_after_the_session_runs(qtbot):
    pytest.importorskip("PySide6")
    from PySide6.QtWidgets import QMainWindow

    from app.gui.bridge import LoaderStatus
    from app.gui.i18n import i18n
    from app.gui.panels import ConsoleStatus

    i18n.set_language("en")
    win = QMainWindow()
    qtbot.addWidget(win)
    st = ConsoleStatus(win.statusBar())
    win.show()
    st.on_status(LoaderStatus("ready"))
    assert not st.progress.isVisible()
    st.on_status(LoaderStatus("background", "status.step.model_background"))
    assert st.progress.isVisible() and st.loading_state == "ready"
    assert st.progress.format() == "Loading the intent model: replies start when it is in"
    st.on_status(LoaderStatus("model-ready"))
    assert not st.progress.isVisible() and st.loading_state == "ready" and st.errors == []


def test_the_avatar_process_setting_is_validated(tmp_path):
    from app.errors import LiveHostError
    from app.gui.prefs import GuiPrefs, load_prefs

    assert GuiPrefs().avatar_process == "separate"
    (tmp_path / "gui.toml").write_text('avatar_process = "inline"\n', encoding="utf-8")
    assert load_prefs(tmp_path / "gui.toml").avatar_process == "inline"
    (tmp_path / "gui.toml").write_text('avatar_process = "thread"\n', encoding="utf-8")
    with pytest.raises(LiveHostError) as exc:
        load_prefs(tmp_path / "gui.toml")
    assert exc.value.code == "gui-prefs-invalid"
