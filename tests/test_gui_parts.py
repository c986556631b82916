"""Console parts without a running core: the 100,000-row feed, the settings dialog and its
files, the idle rotation, themes and translations."""
import random

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

from app.events import ChatReceived, GiftReceived, IntentClassified, Slots, Viewer  # noqa: E402
from app.gui.feed import COL_INTENT, FeedFilter, FeedModel, FeedPanel, FeedRow, IntentRole  # noqa: E402
from app.gui.queue import QueuePanel  # noqa: E402
from app.gui.i18n import STRINGS, held_label, i18n, tr  # noqa: E402
from app.gui.prefs import GuiPrefs, gui_prefs_path, load_prefs, save_prefs, save_settings  # noqa: E402
from app.gui.settings_dialog import SettingsDialog  # noqa: E402
from app.gui.theme import palette  # noqa: E402
from app.settings import load_settings  # noqa: E402

TAGS = ("price", "stock", "greeting", "complaint", "gift")


def make_rows(n, seed=7):
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        tag = rng.choice(TAGS)
        nick = f"观众{i % 997}"
        text = f"第{i}条 {'多少钱' if tag == 'price' else '你好'}"
        rows.append(FeedRow(t=i * 0.1, msg_id=f"m{i}", kind="comment", nickname=nick, uid=f"u{i}", text=text,
                            tag=tag, search=f"{nick}\n{text}".casefold()))
    return rows


def test_feed_inserts_and_filters_100000_rows(qtbot):
    panel = FeedPanel(flush_ms=50, max_rows=100_000)  # the window (20,000 by default) can be this large
    qtbot.addWidget(panel)
    rows = make_rows(100_000)
    inserted = []
    panel.model.rowsInserted.connect(lambda _p, a, b: inserted.append(b - a + 1))
    for i in range(0, len(rows), 1000):  # arrives in bursts; the 50 ms timer coalesces them
        panel.model.add_many(rows[i:i + 1000])
    with qtbot.waitSignal(panel.model.flushed, timeout=5000):
        pass
    assert panel.model.rowCount() == 100_000
    assert sum(inserted) == 100_000 and len(inserted) < 100  # batches, not one insert per row
    want_price = sum(1 for r in rows if r.tag == "price")
    panel.set_filter("price")
    assert panel.proxy.rowCount() == want_price
    assert {panel.proxy.index(i, COL_INTENT).data(IntentRole) for i in range(0, want_price, 997)} == {"price"}
    panel.search.setText("观众996")
    want = sum(1 for r in rows if r.tag == "price" and "观众996" in r.nickname)
    assert panel.proxy.rowCount() == want and want > 0
    panel.set_filter(None)
    panel.search.setText("")
    assert panel.proxy.rowCount() == 100_000
    assert panel.count.text() == "100000 / 100000 条"


def test_feed_rows_from_events_get_their_intent_and_slots_on_hover(qtbot):
    model = FeedModel(flush_ms=0)
    v = Viewer("douyin", "u1", "小美")
    model.on_event(ChatReceived(t=65, msg_id="a", viewer=v, text="3号多少钱"))
    model.on_event(GiftReceived(t=66, msg_id="b", viewer=v, gift_name="小心心", count=5))
    assert [r.tag for r in model.rows] == ["pending", "gift"]
    model.on_event(IntentClassified(t=65, msg_id="a", viewer=v, text="3号多少钱", lang="zh", intent="price",
                                    confidence=0.93, uncertain=False, slots=Slots(listing_number=3)))
    i = model.index(0, COL_INTENT)
    assert model.data(i) == "价格" and model.data(i, IntentRole) == "price"
    assert model.data(model.index(0, 0)) == "01:05"
    tip = model.data(model.index(0, 3), Qt.ItemDataRole.ToolTipRole)
    assert "listing_number=3" in tip and "0.93" in tip
    assert model.data(model.index(1, 3)) == "送出 小心心 ×5"


def test_feed_filter_search_is_case_insensitive():
    proxy = FeedFilter()
    model = FeedModel(flush_ms=0)
    proxy.setSourceModel(model)
    model.add_many(make_rows(50))
    model.add(FeedRow(t=0, msg_id="x", kind="comment", nickname="Lily", uid="u", text="Hello THERE", tag="greeting",
                      search="lily\nhello there"))
    proxy.set_search("there")
    assert proxy.rowCount() == 1
    proxy.set_tags({"price"})
    assert proxy.rowCount() == 0


def test_settings_dialog_shows_errors_next_to_fields_and_saves(qtbot, tmp_path):
    i18n.set_language("zh")
    path = tmp_path / "settings.toml"
    settings = load_settings(path, {"data_dir": str(tmp_path)})
    dlg = SettingsDialog(settings, GuiPrefs())
    qtbot.addWidget(dlg)
    dlg.fields["understanding.usd_to_cny"].setText("-1")
    dlg.fields["speech.rate_wpm"].setText("fast")
    dlg.fields["gui.avatar_background"].setText("#12345")
    assert dlg.validate() is False
    assert dlg.error_text("understanding.usd_to_cny") == "必须大于 0"
    assert dlg.error_text("speech.rate_wpm") == "请输入整数"
    assert "#RRGGBB" in dlg.error_text("gui.avatar_background")
    assert dlg.error_text("speech.volume") == ""
    assert dlg.message.text() == tr("set.invalid")
    i18n.set_language("en")
    assert dlg.validate() is False and "greater than 0" in dlg.error_text("understanding.usd_to_cny")
    i18n.set_language("zh")
    dlg.fields["understanding.usd_to_cny"].setText("7.1")
    dlg.fields["speech.rate_wpm"].setText("200")
    dlg.fields["gui.avatar_background"].setText("#FF00FF")
    dlg.fields["understanding.uncertain_threshold"].setText("0.55")
    dlg.auto_boxes["chitchat"].setChecked(False)
    dlg.fields["gui.theme"].setCurrentIndex(dlg.fields["gui.theme"].findData("dark"))
    qtbot.mouseClick(dlg.buttons.button(dlg.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert dlg.result() == dlg.DialogCode.Accepted
    save_settings(dlg.settings, path)
    save_prefs(dlg.prefs, gui_prefs_path(path))
    back = load_settings(path)
    assert back == dlg.settings
    assert back.speech.rate_wpm == 200 and str(back.understanding.usd_to_cny) == "7.1"
    assert back.understanding.uncertain_threshold == 0.55 and "chitchat" not in back.reply.auto_approve
    assert load_prefs(gui_prefs_path(path)).theme == "dark" and load_prefs(gui_prefs_path(path)).avatar_background == "#FF00FF"


def test_translations_are_complete_and_held_reasons_read_well():
    for key, (zh, en) in STRINGS.items():
        assert zh and en, key
    i18n.set_language("en")
    try:
        assert held_label("fact_guard: price 49 not in catalog; uncertain_intent") == \
            "fact guard (price 49 not in catalog); uncertain intent"
    finally:
        i18n.set_language("zh")
    assert held_label("complaint") == "投诉，需要您处理"


def test_themes_differ_and_reject_unknown():
    from PySide6.QtGui import QPalette

    light, dark = palette("light"), palette("dark")
    assert light.color(QPalette.ColorRole.Window).lightness() > 200
    assert dark.color(QPalette.ColorRole.Window).lightness() < 60
    with pytest.raises(ValueError):
        palette("blue")


def test_filtered_feed_picks_up_rows_when_they_are_classified(qtbot):
    panel = FeedPanel(flush_ms=0)
    qtbot.addWidget(panel)
    v = Viewer("douyin", "u1", "小美")
    panel.set_filter("price")
    panel.on_event(ChatReceived(t=1, msg_id="a", viewer=v, text="多少钱"))
    panel.on_event(ChatReceived(t=2, msg_id="b", viewer=v, text="你好"))
    assert panel.proxy.rowCount() == 0  # not classified yet
    for mid, text, intent in (("a", "多少钱", "price"), ("b", "你好", "greeting")):
        panel.on_event(IntentClassified(t=1, msg_id=mid, viewer=v, text=text, lang="zh", intent=intent,
                                        confidence=0.9, uncertain=False))
    assert panel.proxy.rowCount() == 1
    assert panel.proxy.index(0, 3).data() == "多少钱"
    panel.set_filter("greeting")
    assert [panel.proxy.index(i, 3).data() for i in range(panel.proxy.rowCount())] == ["你好"]
    panel.set_filter(None)
    assert panel.proxy.rowCount() == 2 and panel.proxy.mapToSource(panel.proxy.index(1, 0)).row() == 1


def main_gui(argv):
    from app.cli import main

    return main(["gui", *argv])


def test_gui_command_line_fails_early_on_bad_input(tmp_path, capsys):

    assert main_gui(["--catalog", str(tmp_path / "missing.csv"), "--config", str(tmp_path / "s.toml")]) == 1
    assert "catalog-missing" in capsys.readouterr().err
    assert main_gui(["--session", str(tmp_path / "none.jsonl"), "--config", str(tmp_path / "s.toml")]) == 1
    assert "session-missing" in capsys.readouterr().err
    (tmp_path / "bad.toml").write_text("[speech]\nrate_wpm = 5\n", encoding="utf-8")
    assert main_gui(["--config", str(tmp_path / "bad.toml")]) == 1
    assert "settings-invalid" in capsys.readouterr().err
    assert main_gui(["--quit-after", "-3"]) == 2
    assert main_gui(["--help"]) == 0


def test_gui_command_line_explains_a_missing_display(tmp_path, capsys, monkeypatch):
    import sys

    if not sys.platform.startswith("linux"):
        pytest.skip("the display check is for Linux")
    for k in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(k, raising=False)
    assert main_gui(["--config", str(tmp_path / "s.toml")]) == 1
    err = capsys.readouterr().err
    assert "gui-no-display" in err and "xvfb-run" in err


def test_cards_show_recommendations_with_reasons_and_the_askers_the_core_merged(qtbot, catalog):
    from app.events import QuestionMerged, Recommendation, RecommendationsReady, ReplySuggested

    i18n.set_language("zh")
    sent = []
    q = QueuePanel(sent.append, catalog)
    qtbot.addWidget(q)
    v1, v2, v3 = Viewer("douyin", "u1", "小美"), Viewer("douyin", "u2", "阿强"), Viewer("douyin", "u3", "Lily")
    q.on_event(ChatReceived(t=1, msg_id="a", viewer=v1, text="送妈妈买什么好"))
    q.on_event(ChatReceived(t=1.5, msg_id="b", viewer=v2, text="送妈妈买什么好？"))
    q.on_event(RecommendationsReady(t=1, msg_id="a", viewer=v1, method="hybrid", items=(
        Recommendation(product_id="P2", score=0.9, reason_zh="纯棉吸水，实用", reason_en="cotton, absorbent"),)))
    q.on_event(ReplySuggested(t=1, reply_id="r1", msg_ids=("a", "b"), viewer=v1, intent="recommendation_request",
                              lang="zh", text="推荐5号浴巾", product_id="P2", confidence=0.91, askers=(v1, v2)))
    (card,) = q.cards
    assert card.recs.text() == "推荐: 加厚纯棉浴巾 — 纯棉吸水，实用" and not card.recs.isHidden()
    assert "5号 加厚纯棉浴巾" in card.product.text() and "¥39.00" in card.product.text()
    assert [n for n, _ in card.askers] == ["小美", "阿强"] and "2 人问了同样的问题" in card.header.text()
    # the same question again while the card waits: the core ties it to r1, the card lists the asker
    q.on_event(ChatReceived(t=5, msg_id="c", viewer=v3, text="送妈妈买什么好"))
    q.on_event(QuestionMerged(t=5, reply_id="r1", msg_id="c", viewer=v3, text="送妈妈买什么好"))
    assert len(q.cards) == 1 and [n for n, _ in card.askers] == ["小美", "阿强", "Lily"]
    assert sent == []  # nothing is decided in the console


def test_ui_font_falls_back_to_chinese_and_emoji_glyphs(qapp):
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QApplication

    from app.gui.fonts import CJK_SAMPLE, EMOJI_SAMPLE, cjk_family, emoji_family, has_glyphs
    from app.gui.theme import apply_ui_font

    cjk, emoji = cjk_family(), emoji_family()
    assert cjk and has_glyphs(cjk, CJK_SAMPLE)  # set-up installs fonts-noto-cjk
    assert emoji and has_glyphs(emoji, EMOJI_SAMPLE[:1])  # ... and fonts-noto-color-emoji
    before = QFont(QApplication.instance().font())
    try:
        font = apply_ui_font(QApplication.instance())
        assert cjk in font.families() and emoji in font.families()
        assert font.families().index(cjk) < font.families().index(emoji)
    finally:
        QApplication.instance().setFont(before)


def test_a_broken_catalog_opens_the_report_and_the_seller_chooses(qtbot, tmp_path, catalog):
    from app.catalog.importer import write_catalog_csv
    from app.gui.catalog_report import CatalogReportDialog, load_catalog_for_console
    from app.paths import DEMO_CATALOG

    good = tmp_path / "good.csv"
    write_catalog_csv(catalog, good)
    lines = good.read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([lines[0], lines[1].replace("59.90", "59.9起"), *lines[2:]]) + "\n", encoding="utf-8")
    asked = []

    def choose(*answers):
        it = iter(answers)

        def ask(path, err):
            asked.append((path.name, err.code))
            return next(it)
        return ask

    cat, path = load_catalog_for_console(bad, ask=choose(("skip", None)))
    assert len(cat) == 2 and path == bad and asked == [("bad.csv", "catalog-invalid")]
    cat, path = load_catalog_for_console(bad, ask=choose(("other", good)))
    assert len(cat) == 3 and path == good
    cat, path = load_catalog_for_console(bad, ask=choose(("demo", None)))
    assert path == DEMO_CATALOG and len(cat) > 40
    assert load_catalog_for_console(bad, ask=choose(("quit", None))) is None
    # the dialog itself: the problem with its row, and the buttons that lead on
    from app.catalog.importer import CatalogImportError, load_catalog

    with pytest.raises(CatalogImportError) as err:
        load_catalog(bad)
    dlg = CatalogReportDialog(bad, err.value)
    qtbot.addWidget(dlg)
    assert "row 2" in dlg.view.toPlainText() and "59.9起" in dlg.view.toPlainText()
    assert not dlg.b_skip.isHidden() and not dlg.b_other.isHidden()
    qtbot.mouseClick(dlg.b_skip, Qt.MouseButton.LeftButton)
    assert dlg.choice == "skip"


def test_the_settings_dialog_edits_the_safety_limits(qtbot, tmp_path):
    i18n.set_language("en")
    path = tmp_path / "settings.toml"
    settings = load_settings(path, {"data_dir": str(tmp_path)})
    dlg = SettingsDialog(settings, GuiPrefs())
    qtbot.addWidget(dlg)
    dlg.fields["speech_budget.max_share"].setText("2")
    assert dlg.validate() is False and "less than or equal to 1" in dlg.error_text("speech_budget.max_share")
    dlg.fields["speech_budget.max_share"].setText("0.4")
    dlg.fields["speech_budget.greeting_max_age_s"].setText("6")
    dlg.fields["moderation.auto_mute_after"].setText("2")
    dlg.fields["speech_budget.welcome_entries"].setChecked(False)
    assert dlg.validate() is True
    save_settings(dlg.settings, path)
    back = load_settings(path)
    assert (back.speech_budget.max_share, back.speech_budget.greeting_max_age_s) == (0.4, 6.0)
    assert back.moderation.auto_mute_after == 2 and back.speech_budget.welcome_entries is False


def test_feed_tags_offensive_messages_and_floods():
    i18n.set_language("zh")
    model = FeedModel(flush_ms=0)
    v = Viewer("douyin", "u1", "Troll")
    for mid, text in (("a", "主播是傻逼"), ("b", "666"), ("c", "主播好美")):
        model.on_event(ChatReceived(t=1, msg_id=mid, viewer=v, text=text))
    model.on_event(IntentClassified(t=1, msg_id="a", viewer=v, text="主播是傻逼", lang="zh", intent="compliment",
                                    confidence=0.9, uncertain=False, offensive=True, offense_score=1.0))
    model.on_event(IntentClassified(t=1, msg_id="b", viewer=v, text="666", lang="zh", intent="chitchat",
                                    confidence=0.99, uncertain=False, flood="cheer", flood_token="666"))
    model.on_event(IntentClassified(t=1, msg_id="c", viewer=v, text="主播好美", lang="zh", intent="compliment",
                                    confidence=0.99, uncertain=False))
    assert [model.data(model.index(i, COL_INTENT)) for i in range(3)] == ["不文明", "刷屏", "夸奖"]
