"""The seller stays the author: generated drafts in the Products tab (built-in and by a local
model), saved into the catalog's script column; the language-model settings; a reworded reply
shown on its card."""
import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

from app.catalog.importer import load_catalog, write_catalog_csv  # noqa: E402
from app.content.generator import IntroGenerator  # noqa: E402
from app.events import ReplyRephrased, ReplySuggested, Viewer  # noqa: E402
from app.gui.i18n import i18n  # noqa: E402
from app.gui.prefs import GuiPrefs  # noqa: E402
from app.gui.products import ProductsPanel  # noqa: E402
from app.gui.queue import QueuePanel  # noqa: E402
from app.gui.settings_dialog import SettingsDialog  # noqa: E402
from app.settings import load_settings  # noqa: E402
from tests.llm_server import Answer  # noqa: E402
from tests.test_content_cli import _ServerThread  # noqa: E402


def _panel(qtbot, tmp_path, catalog, **llm):
    path = tmp_path / "shop.csv"
    write_catalog_csv(catalog, path)
    settings = load_settings(tmp_path / "none.toml", {"data_dir": str(tmp_path), "llm": llm} if llm else
                             {"data_dir": str(tmp_path)})
    sent = []
    panel = ProductsPanel(sent.append, catalog, path, tmp_path, settings=settings)
    qtbot.addWidget(panel)
    return panel, path


def test_generate_choose_edit_and_save_a_draft(qtbot, tmp_path, catalog):
    i18n.set_language("zh")
    panel, path = _panel(qtbot, tmp_path, catalog)
    assert not panel.btn_llm.isVisible()  # no model configured
    panel.select_product("P2")  # 5号浴巾: no script
    assert panel.script.toPlainText() == "" and panel.drafts_box.count() == 0
    qtbot.mouseClick(panel.btn_generate, Qt.MouseButton.LeftButton)
    expected = [i.text for i in IntroGenerator(catalog).introductions(catalog.get("P2"), "zh", 3)]
    offers = IntroGenerator(catalog).offer_lines(catalog.get("P2"), "zh")
    assert panel.drafts_box.count() == 3 + len(offers)
    assert panel.script.toPlainText() == expected[0]  # the first draft goes to the editor
    assert "用到的商品资料" in panel.draft_note.text() and "price" in panel.draft_note.text()
    panel.drafts_box.setCurrentIndex(2)
    panel.drafts_box.activated.emit(2)
    assert panel.script.toPlainText() == expected[2]
    edited = expected[2].replace("喜欢的", "想要的")
    panel.script.setPlainText(edited)
    qtbot.mouseClick(panel.btn_save, Qt.MouseButton.LeftButton)
    saved = load_catalog(path).catalog
    assert saved.get("P2").script == edited and saved.get("P1").script == catalog.get("P1").script
    # new settings from the dialog: the model's button appears once [llm] allows drafts
    panel.set_settings(load_settings(tmp_path / "none.toml", {"data_dir": str(tmp_path), "llm": {"enabled": True}}))
    assert panel.btn_llm.isVisibleTo(panel)


def test_a_draft_by_the_local_model_is_checked_sentence_by_sentence(qtbot, tmp_path, catalog):
    i18n.set_language("zh")
    text = ("来，宝宝们看5号链接，加厚纯棉浴巾，纯棉的材质，吸水快，洗完澡一擦就干。全网最低价！"
            "灰色现在有货，直播间价39元，包邮，拍下后1天内发货。支持7天无理由退货，喜欢的宝宝直接拍5号链接。")
    with _ServerThread(lambda body: Answer(text)) as srv:
        panel, _ = _panel(qtbot, tmp_path, catalog, enabled=True, base_url=srv.base_url, model="qwen-test",
                          max_chars=2000)
        panel.show()
        assert panel.btn_llm.isVisible()
        panel.select_product("P2")
        qtbot.mouseClick(panel.btn_llm, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: any(getattr(d, "source", "") == "llm" for d in panel.drafts.get("P2", [])),
                        timeout=15000)
    (draft,) = [d for d in panel.drafts["P2"] if d.source == "llm"]
    assert "最低价" not in draft.text and "39元" in draft.text
    assert draft.dropped[0][0] == "全网最低价！"
    assert panel.script.toPlainText() == draft.text
    assert draft.held_reason == "" and "用到的商品资料" in panel.draft_note.text()
    assert "price" in panel.draft_note.text()  # the kept sentences are traced to the catalog fields


def test_a_model_that_is_down_is_reported_in_the_tab(qtbot, tmp_path, catalog):
    i18n.set_language("en")
    panel, _ = _panel(qtbot, tmp_path, catalog, enabled=True, base_url="http://127.0.0.1:9/v1", retries=0)
    panel.select_product("P2")
    qtbot.mouseClick(panel.btn_llm, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.btn_llm.isEnabled() and "could not write" in panel.draft_note.text(),
                    timeout=15000)
    assert "ollama serve" in panel.draft_note.text() and panel.script.toPlainText() == ""
    i18n.set_language("zh")


def test_language_model_settings_are_validated_and_the_key_goes_to_the_keyring(qtbot, tmp_path, monkeypatch):
    i18n.set_language("zh")
    kept = []
    monkeypatch.setattr("app.content.llm.store_api_key", kept.append)
    settings = load_settings(tmp_path / "settings.toml", {"data_dir": str(tmp_path)})
    dlg = SettingsDialog(settings, GuiPrefs())
    qtbot.addWidget(dlg)
    dlg.fields["llm.base_url"].setText("localhost:11434")
    dlg.fields["llm.reply_timeout_s"].setText("0")
    assert dlg.validate() is False
    assert "http://" in dlg.error_text("llm.base_url") and dlg.error_text("llm.reply_timeout_s").startswith("必须大于 0")
    dlg.fields["llm.base_url"].setText("http://127.0.0.1:8080/v1/")
    dlg.fields["llm.reply_timeout_s"].setText("3")
    dlg.fields["llm.enabled"].setChecked(True)
    dlg.fields["llm.answer_chitchat"].setChecked(True)
    dlg.fields["llm.style"].setText("亲切活泼")
    dlg.fields["host.rotation_generated"].setChecked(True)
    dlg.api_key.setText("sk-test-123")
    qtbot.mouseClick(dlg.buttons.button(dlg.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert dlg.result() == dlg.DialogCode.Accepted
    s = dlg.settings
    assert (s.llm.enabled, s.llm.base_url, s.llm.reply_timeout_s, s.llm.answer_chitchat, s.llm.style) == (
        True, "http://127.0.0.1:8080/v1", 3.0, True, "亲切活泼")
    assert s.host.rotation_generated is True
    assert kept == ["sk-test-123"] and dlg.api_key.text() == ""
    assert "sk-test" not in s.model_dump_json()  # the key is never in the settings


def test_a_key_the_keyring_refuses_keeps_the_dialog_open(qtbot, tmp_path, monkeypatch):
    from app.errors import LiveHostError

    def refuse(_key):
        raise LiveHostError("login-store-unavailable", "The login cannot be kept: no keyring.", "Install one.")

    monkeypatch.setattr("app.content.llm.store_api_key", refuse)
    dlg = SettingsDialog(load_settings(tmp_path / "s.toml", {"data_dir": str(tmp_path)}), GuiPrefs())
    qtbot.addWidget(dlg)
    dlg.api_key.setText("sk-x")
    qtbot.mouseClick(dlg.buttons.button(dlg.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert dlg.result() != dlg.DialogCode.Accepted and "no keyring" in dlg.error_text("llm.api_key")


def test_a_reworded_reply_replaces_the_text_on_its_card(qtbot, catalog):
    q = QueuePanel(lambda e: None, catalog)
    qtbot.addWidget(q)
    v = Viewer("douyin", "u1", "小美")
    q.on_event(ReplySuggested(t=1, reply_id="r1", msg_ids=("a",), viewer=v, intent="price", lang="zh",
                              text="「纯棉圆领T恤」59.9元", product_id="P1", askers=(v,)))
    q.on_event(ReplyRephrased(t=1.5, reply_id="r1", text="宝宝们，「纯棉圆领T恤」59.9元", original="「纯棉圆领T恤」59.9元"))
    card = q.card_for("r1")
    assert card.text == "宝宝们，「纯棉圆领T恤」59.9元" and not card.edited
