"""The settings dialog: every field of :class:`app.settings.Settings` plus the console's
:class:`app.gui.prefs.GuiPrefs`, validated by their pydantic models. A bad value shows the
model's message next to its field and the dialog stays open.
"""

from __future__ import annotations

import contextlib

from pydantic import ValidationError
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QTabWidget,
                               QVBoxLayout, QWidget)

from app.gui.i18n import kind_label, tr
from app.gui.prefs import GuiPrefs
from app.gui.queue import AUTO_KINDS
from app.settings import Settings

_ZH_ERRORS = {
    "greater_than": "必须大于 {gt}", "greater_than_equal": "必须大于或等于 {ge}",
    "less_than": "必须小于 {lt}", "less_than_equal": "必须小于或等于 {le}",
    "int_parsing": "请输入整数", "int_from_float": "请输入整数", "float_parsing": "请输入数字",
    "decimal_parsing": "请输入数字", "literal_error": "只能是 {expected}", "missing": "必填",
}
"""Chinese wording of pydantic's common error types (others keep pydantic's English message)."""


def error_message(err: dict) -> str:
    """A validation error in the UI language: pydantic's ``msg`` in English; in Chinese for the
    common types (the value error messages our own validators raise stay as written)."""
    from app.gui.i18n import i18n

    if i18n.lang == "zh" and err.get("type") in _ZH_ERRORS:
        with contextlib.suppress(KeyError, IndexError):
            return _ZH_ERRORS[err["type"]].format(**(err.get("ctx") or {}))
    msg = err["msg"]
    return msg.removeprefix("Value error, ")


PLATFORMS = ("douyin", "taobao", "kuaishou", "tiktok", "bilibili", "youtube", "twitch", "replay")


class SettingsDialog(QDialog):
    """Edit settings and console preferences.

    After ``exec()`` returns Accepted, :attr:`settings` and :attr:`prefs` hold the new,
    validated values (the caller saves them).
    """

    def __init__(self, settings: Settings, prefs: GuiPrefs, looks: dict[str, dict] | None = None,
                 parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("set.title"))
        self.settings = settings
        self.prefs = prefs
        self.fields: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        tabs = QTabWidget(self)
        self.tabs = tabs

        def form_tab(title_key: str) -> QFormLayout:
            w = QWidget()
            f = QFormLayout(w)
            tabs.addTab(w, tr(title_key))
            return f

        def add(form: QFormLayout, key: str, label_key: str, widget: QWidget) -> None:
            err = QLabel()
            err.setObjectName("error")
            err.setWordWrap(True)
            err.hide()
            box = QVBoxLayout()
            box.setContentsMargins(0, 0, 0, 0)
            box.setSpacing(1)
            box.addWidget(widget)
            box.addWidget(err)
            form.addRow(tr(label_key), box)
            self.fields[key] = widget
            self.errors[key] = err

        def line(value) -> QLineEdit:
            e = QLineEdit("" if value is None else str(value))
            return e

        def combo(items: list[tuple[str, str]], current: str, editable: bool = False) -> QComboBox:
            c = QComboBox()
            c.setEditable(editable)
            for label, data in items:
                c.addItem(label, data)
            i = c.findData(current)
            if i >= 0:
                c.setCurrentIndex(i)
            elif editable:
                c.setEditText(current)
            return c

        s, p = settings, prefs
        g = form_tab("set.tab.general")
        add(g, "gui.ui_language", "set.ui_language",
            combo([(tr("set.ui_language.system"), "system"), ("中文", "zh"), ("English", "en")], p.ui_language))
        add(g, "gui.theme", "set.theme",
            combo([(tr("set.theme.light"), "light"), (tr("set.theme.dark"), "dark")], p.theme))
        add(g, "language", "set.language", combo([("中文", "zh"), ("English", "en")], s.language))
        add(g, "platform", "set.platform", combo([(x, x) for x in PLATFORMS], s.platform, editable=True))
        data_dir = line(s.data_dir)
        add(g, "data_dir", "set.data_dir", self._with_browse(data_dir, directory=True))
        self.fields["data_dir"] = data_dir

        u = form_tab("set.tab.understanding")
        model_dir = line(s.understanding.model_dir or "")
        add(u, "understanding.model_dir", "set.model_dir", self._with_browse(model_dir, directory=True))
        self.fields["understanding.model_dir"] = model_dir
        add(u, "understanding.uncertain_threshold", "set.threshold", line(s.understanding.uncertain_threshold))
        add(u, "understanding.usd_to_cny", "set.usd_to_cny", line(s.understanding.usd_to_cny))
        add(u, "understanding.threads", "set.threads", line(s.understanding.threads))

        r = form_tab("set.tab.replies")
        boxes = QWidget()
        grid = QGridLayout(boxes)
        grid.setContentsMargins(0, 0, 0, 0)
        self.auto_boxes: dict[str, QCheckBox] = {}
        for i, k in enumerate(AUTO_KINDS):
            cb = QCheckBox(kind_label(k))
            cb.setChecked(k in s.reply.auto_approve)
            self.auto_boxes[k] = cb
            grid.addWidget(cb, i // 4, i % 4)
        never = QCheckBox(kind_label("complaint"))
        never.setEnabled(False)
        grid.addWidget(never, len(AUTO_KINDS) // 4 + 1, 0)
        add(r, "reply.auto_approve", "set.auto_approve", boxes)
        add(r, "reply.auto_approve_delay_s", "set.delay", line(s.reply.auto_approve_delay_s))
        add(r, "reply.merge_window_s", "set.merge_window", line(s.reply.merge_window_s))
        add(r, "reply.repeat_window_s", "set.repeat_window", line(s.reply.repeat_window_s))
        add(r, "host.idle_rotation_s", "set.rotation", line(s.host.idle_rotation_s))
        gen = QCheckBox()
        gen.setChecked(s.host.rotation_generated)
        add(r, "host.rotation_generated", "set.rotation_generated", gen)

        m = form_tab("set.tab.llm")
        llm = s.llm

        def check(value: bool) -> QCheckBox:
            cb = QCheckBox()
            cb.setChecked(value)
            return cb

        add(m, "llm.enabled", "set.llm.enabled", check(llm.enabled))
        add(m, "llm.base_url", "set.llm.base_url", line(llm.base_url))
        add(m, "llm.model", "set.llm.model", line(llm.model))
        add(m, "llm.api_key_in_keyring", "set.llm.key_in_keyring", check(llm.api_key_in_keyring))
        self.api_key = QLineEdit()
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key.setPlaceholderText(tr("set.llm.key_placeholder"))
        add(m, "llm.api_key", "set.llm.api_key", self.api_key)
        add(m, "llm.stream", "set.llm.stream", check(llm.stream))
        add(m, "llm.timeout_s", "set.llm.timeout", line(llm.timeout_s))
        add(m, "llm.reply_timeout_s", "set.llm.reply_timeout", line(llm.reply_timeout_s))
        add(m, "llm.write_introductions", "set.llm.write_intros", check(llm.write_introductions))
        add(m, "llm.style", "set.llm.style", line(llm.style))
        add(m, "llm.rephrase_replies", "set.llm.rephrase", check(llm.rephrase_replies))
        add(m, "llm.answer_chitchat", "set.llm.chitchat", check(llm.answer_chitchat))
        self.llm_test = QPushButton(tr("set.llm.test"))
        self.llm_result = QLabel()
        self.llm_result.setWordWrap(True)
        self.llm_test.clicked.connect(self.test_llm)
        m.addRow(self.llm_test, self.llm_result)
        note = QLabel(tr("set.llm.note"))
        note.setWordWrap(True)
        note.setObjectName("hint")
        m.addRow(note)

        sp = form_tab("set.tab.speech")
        add(sp, "speech.rate_wpm", "voice.rate", line(s.speech.rate_wpm))
        add(sp, "speech.volume", "voice.volume", line(s.speech.volume))
        add(sp, "speech.voice_zh", "voice.zh", line(s.speech.voice_zh))
        add(sp, "speech.voice_en", "voice.en", line(s.speech.voice_en))
        add(sp, "speech.output_device", "voice.device", line(s.speech.output_device))

        safety = form_tab("set.tab.safety")
        for section, model in (("moderation", s.moderation), ("speech_budget", s.speech_budget)):
            for name in type(model).model_fields:
                if name == "model_dir":
                    continue
                value = getattr(model, name)
                if isinstance(value, bool):
                    box = QCheckBox()
                    box.setChecked(value)
                    add(safety, f"{section}.{name}", f"set.{section}.{name}", box)
                else:
                    add(safety, f"{section}.{name}", f"set.{section}.{name}", line(value))

        a = form_tab("set.tab.avatar")
        looks = looks or {p.avatar_look: {}}
        add(a, "gui.avatar_look", "set.look",
            combo([(v.get("label_zh" if tr("dlg.ok") == "确定" else "label_en", k) if isinstance(v, dict) else k, k)
                   for k, v in looks.items()], p.avatar_look))
        bg = line(p.avatar_background)
        add(a, "gui.avatar_background", "set.background", self._with_browse(bg, directory=False))
        self.fields["gui.avatar_background"] = bg
        add(a, "gui.avatar_aspect", "set.aspect",
            combo([("9:16", "9:16"), ("16:9", "16:9"), (tr("set.aspect.free"), "free")], p.avatar_aspect))
        sub = QCheckBox()
        sub.setChecked(p.avatar_subtitles)
        add(a, "gui.avatar_subtitles", "set.subtitles", sub)
        badge = QCheckBox()
        badge.setChecked(p.avatar_badge)
        add(a, "gui.avatar_badge", "set.badge", badge)

        self.message = QLabel(self)
        self.message.setObjectName("error")
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("dlg.ok"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("dlg.cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        lay = QVBoxLayout(self)
        lay.addWidget(tabs, 1)
        lay.addWidget(self.message)
        lay.addWidget(buttons)
        fm = self.fontMetrics()
        self.resize(fm.horizontalAdvance("M") * 52, fm.height() * 28)

    def _with_browse(self, edit: QLineEdit, directory: bool) -> QWidget:
        w = QWidget()
        h = QHBoxLayout(w)
        h.setContentsMargins(0, 0, 0, 0)
        h.addWidget(edit, 1)
        b = QPushButton(tr("set.browse"))

        def pick() -> None:
            path = (QFileDialog.getExistingDirectory(self, tr("set.browse"), edit.text()) if directory
                    else QFileDialog.getOpenFileName(self, tr("set.browse"), edit.text(),
                                                     "Images (*.png *.jpg *.jpeg)")[0])
            if path:
                edit.setText(path)

        b.clicked.connect(pick)
        h.addWidget(b)
        return w

    # ------------------------------------------------------------------ values
    def _value(self, key: str):
        w = self.fields[key]
        if isinstance(w, QComboBox):
            return w.currentData() if not w.isEditable() else (
                w.currentData() if w.currentText() == w.itemText(w.currentIndex()) else w.currentText())
        if isinstance(w, QCheckBox):
            return w.isChecked()
        if isinstance(w, QLineEdit):
            return w.text().strip()
        return None

    def collect(self) -> tuple[dict, dict]:
        """The raw values as the dicts ``Settings`` / ``GuiPrefs`` validate."""
        def opt(key):
            v = self._value(key)
            return None if v == "" else v

        from app.settings import _deep_merge

        edited = {
            "language": self._value("language"),
            "platform": self._value("platform"),
            "data_dir": self._value("data_dir") or str(self.settings.data_dir),
            "understanding": {
                "model_dir": opt("understanding.model_dir"),
                "uncertain_threshold": opt("understanding.uncertain_threshold"),
                "usd_to_cny": self._value("understanding.usd_to_cny"),
                "threads": self._value("understanding.threads"),
            },
            "reply": {
                "auto_approve": [k for k, cb in self.auto_boxes.items() if cb.isChecked()],
                "auto_approve_delay_s": self._value("reply.auto_approve_delay_s"),
                "merge_window_s": self._value("reply.merge_window_s"),
                "repeat_window_s": self._value("reply.repeat_window_s"),
            },
            "host": {"idle_rotation_s": self._value("host.idle_rotation_s"),
                     "rotation_generated": self._value("host.rotation_generated")},
            "llm": {k: self._value(f"llm.{k}") for k in (
                "enabled", "base_url", "model", "api_key_in_keyring", "stream", "timeout_s", "reply_timeout_s",
                "write_introductions", "style", "rephrase_replies", "answer_chitchat")},
            "moderation": {k.split(".", 1)[1]: self._value(k) for k in self.fields if k.startswith("moderation.")},
            "speech_budget": {k.split(".", 1)[1]: self._value(k) for k in self.fields
                              if k.startswith("speech_budget.")},
            "speech": {k: self._value(f"speech.{k}") for k in ("rate_wpm", "volume", "voice_zh", "voice_en",
                                                                "output_device")},
        }
        # keys the dialog does not show (microphone, recognition, sources ...) keep their values
        settings = _deep_merge(self.settings.model_dump(mode="json"), edited)
        prefs = {k.split(".", 1)[1]: self._value(k) for k in self.fields if k.startswith("gui.")}
        prefs["last_catalog"] = self.prefs.last_catalog
        return settings, prefs

    def validate(self) -> bool:
        """Validate everything; show each error next to its field. True when all valid (then
        :attr:`settings` / :attr:`prefs` are the new values)."""
        for e in self.errors.values():
            e.hide()
        raw_s, raw_p = self.collect()
        problems: list[tuple[str, str]] = []
        new_s = new_p = None
        try:
            new_s = Settings.model_validate(raw_s)
        except ValidationError as exc:
            problems += [(".".join(str(x) for x in err["loc"]), error_message(err)) for err in exc.errors()]
        try:
            new_p = GuiPrefs.model_validate(raw_p)
        except ValidationError as exc:
            problems += [("gui." + ".".join(str(x) for x in err["loc"]), error_message(err))
                         for err in exc.errors()]
        for loc, msg in problems:
            key = next((k for k in self.errors if loc == k or loc.startswith(k + ".")), None)
            if key is None:
                key = next((k for k in self.errors if k.startswith(loc)), None)
            if key is not None:
                self.errors[key].setText(msg)
                self.errors[key].show()
                for i in range(self.tabs.count()):
                    if self.tabs.widget(i).isAncestorOf(self.fields[key]):
                        self.tabs.setCurrentIndex(i)
                        break
        if problems:
            self.message.setText(tr("set.invalid"))
            return False
        self.settings, self.prefs = new_s, new_p
        self.message.setText("")
        return True

    def accept(self) -> None:
        if self.validate() and self._store_key():
            super().accept()

    def _store_key(self) -> bool:
        """Keep a typed API key in the OS keyring (never in settings.toml). False (and the
        reason next to the field) when the keyring refuses it."""
        key = self.api_key.text().strip()
        if not key:
            return True
        from app.content.llm import store_api_key
        from app.errors import LiveHostError

        try:
            store_api_key(key)
        except LiveHostError as exc:
            self.errors["llm.api_key"].setText(f"{exc.message} {exc.hint}".strip())
            self.errors["llm.api_key"].show()
            return False
        self.api_key.clear()
        return True

    def test_llm(self) -> None:
        """Ask the endpoint in the fields for its models (on a worker thread); the answer is
        shown next to the button."""
        import threading

        from PySide6.QtCore import QTimer

        url, model = self._value("llm.base_url"), self._value("llm.model")
        key = self.api_key.text().strip() or None
        self.llm_result.setText(tr("set.llm.testing"))
        self.llm_test.setEnabled(False)
        box: dict[str, str] = {}

        def work() -> None:
            import asyncio

            from app.content.llm import ChatClient

            async def probe() -> str:
                client = ChatClient(url, model, api_key=key)
                try:
                    return await client.probe()
                finally:
                    await client.aclose()

            try:
                box["text"] = asyncio.run(probe())
            except Exception as exc:  # noqa: BLE001 - shown next to the button
                box["text"] = f"{type(exc).__name__}: {exc}"

        thread = threading.Thread(target=work, name="livehost-llm-probe", daemon=True)
        thread.start()
        timer = QTimer(self)

        def poll() -> None:
            if "text" in box:
                timer.stop()
                self.llm_result.setText(box["text"])
                self.llm_test.setEnabled(True)

        timer.timeout.connect(poll)
        timer.start(100)

    def error_text(self, key: str) -> str:
        """The error shown next to field ``key`` ('' when none) -- for tests."""
        e = self.errors.get(key)
        return e.text() if e is not None and not e.isHidden() else ""
