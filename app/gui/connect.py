"""The Connect dialog: pick a platform, give the room / channel / URL (and optionally a login),
and the console adds that chat source to the running session. Several sources can run at once.

Douyin, Taobao Live, Kuaishou and WeChat Channels have no public chat API for sellers: they come
in through the browser bridge and LiveHost's local ingest endpoint (``ingest:``); the dialog then
shows the endpoint's address and token to paste into the extension's options page.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QVBoxLayout, QWidget)

from app.gui.i18n import tr


@dataclass(frozen=True)
class Platform:
    key: str
    """Source kind (``bilibili`` ...) or ``ingest`` for the browser-bridge platforms."""
    label_key: str
    """i18n key of its name."""
    target_key: str
    """i18n key of what the seller types (room id, channel ...); empty = nothing to type."""
    login: bool = False
    """It accepts an optional login (kept in the OS keyring)."""
    bridge: str = ""
    """For browser-bridge platforms: the platform key the extension reports."""


PLATFORMS: tuple[Platform, ...] = (
    Platform("bilibili", "connect.p.bilibili", "connect.t.room", login=True),
    Platform("twitch", "connect.p.twitch", "connect.t.channel"),
    Platform("youtube", "connect.p.youtube", "connect.t.video"),
    Platform("tiktok", "connect.p.tiktok", "connect.t.user"),
    Platform("ingest", "connect.p.douyin", "", bridge="douyin"),
    Platform("ingest", "connect.p.taobao", "", bridge="taobao"),
    Platform("ingest", "connect.p.kuaishou", "", bridge="kuaishou"),
    Platform("ingest", "connect.p.wechat", "", bridge="wechat"),
)


def spec_for(platform: Platform, target: str) -> str:
    """The source spec for the dialog's choice (``bilibili:21452505``, ``tiktok:@shop``, ``ingest:``).

    Raises:
        ValueError: a platform that needs a target got none.
    """
    target = target.strip()
    if platform.key == "ingest":
        return "ingest:"
    if not target:
        raise ValueError(tr(platform.target_key))
    if platform.key == "tiktok" and not target.startswith("@"):
        target = "@" + target
    return f"{platform.key}:{target}"


class ConnectDialog(QDialog):
    """Asks for one chat source. After ``exec()``: :attr:`spec` and :attr:`login` (or ``None``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("connect.title"))
        self.spec: str | None = None
        self.login: str | None = None
        self.platform = QComboBox(self)
        for p in PLATFORMS:
            self.platform.addItem(tr(p.label_key), p)
        self.target = QLineEdit(self)
        self.login_edit = QLineEdit(self)
        self.login_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.login_edit.setPlaceholderText(tr("connect.login_tip"))
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        self.hint.setObjectName("hint")
        self.error = QLabel(self)
        self.error.setObjectName("error")
        self.target_label = QLabel(self)
        self.login_label = QLabel(tr("connect.login"), self)
        form = QFormLayout()
        form.addRow(tr("connect.platform"), self.platform)
        form.addRow(self.target_label, self.target)
        form.addRow(self.login_label, self.login_edit)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.hint)
        lay.addWidget(self.error)
        lay.addWidget(self.buttons)
        self.platform.currentIndexChanged.connect(self._changed)
        self._changed()

    def current(self) -> Platform:
        return self.platform.currentData()

    def _changed(self, *_a) -> None:
        p = self.current()
        has_target = bool(p.target_key)
        self.target_label.setText(tr(p.target_key) if has_target else "")
        self.target.setVisible(has_target)
        self.target_label.setVisible(has_target)
        self.login_edit.setVisible(p.login)
        self.login_label.setVisible(p.login)
        self.hint.setText(tr("connect.bridge_hint") if p.key == "ingest" else tr(f"connect.h.{p.key}"))
        self.error.setText("")

    def accept(self) -> None:
        try:
            self.spec = spec_for(self.current(), self.target.text())
        except ValueError as exc:
            self.error.setText(tr("connect.need", what=str(exc)))
            return
        self.login = self.login_edit.text().strip() if self.current().login else None
        super().accept()
