"""The seller console main window.

Layout: the room feed, products and voice as tabs on the left; the suggestion queue on the
right; the say box below; the status bar at the bottom. The window shows first; the core
session (model load) starts on a background thread (:class:`~app.gui.bridge.SessionLoader`)
with its progress in the status bar, so products and settings are usable at once.

Everything the seller does becomes an event sent through the bridge; everything shown comes
from the core's events. The console decides nothing itself.
"""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QShortcut
from PySide6.QtWidgets import (QApplication, QFileDialog, QLabel, QMainWindow, QMessageBox,
                               QSplitter, QStatusBar, QTabWidget, QToolBar, QVBoxLayout, QWidget)

from app.catalog.model import Catalog
from app.errors import LiveHostError
from app.events import (AudioOutputChanged, SessionEnded, Event, MuteSpeech, NowSellingChanged, SayText, SessionStarted,
                        SetAutoApprove, SetIdleRotation, SetVoice, SpeechMuted)
from app.gui.avatar_link import AvatarLink
from app.gui.bridge import LoaderStatus, QtBridge, SessionLoader, SessionSpec
from app.gui.feed import FeedPanel
from app.gui.i18n import i18n, system_language, tr
from app.gui.panels import MUTE_SHORTCUT, ConsoleStatus, MuteButton, SayBox, VoicePanel
from app.gui.prefs import GuiPrefs, gui_prefs_path, save_prefs, save_settings
from app.gui.products import ProductsPanel
from app.gui.queue import QueuePanel
from app.gui.theme import apply_theme, current_theme
from app.settings import Settings, SpeechSettings

log = logging.getLogger(__name__)


def stylesheet(theme: str) -> str:
    """Console styles on top of the palette (cards, the panic button, hints, errors)."""
    card_bg = "#FFFFFF" if theme == "light" else "#26282E"
    card_border = "#D9DCE1" if theme == "light" else "#3A3D45"
    held_bg = "#FFF1E6" if theme == "light" else "#4A3320"
    hint = "#6B7280" if theme == "light" else "#9AA0A6"
    return f"""
    QFrame#card {{ background: {card_bg}; border: 1px solid {card_border}; border-radius: 8px; }}
    QFrame#card[selected="true"] {{ border: 2px solid palette(highlight); }}
    QLabel#held {{ background: {held_bg}; color: #C2410C; border-radius: 4px; padding: 2px 6px; }}
    QLabel#hint {{ color: {hint}; }}
    QLabel#error {{ color: #D93B3B; }}
    QLabel#panelTitle {{ font-weight: bold; }}
    QLabel#nowSelling {{ font-weight: bold; color: #E8833A; }}
    QPushButton#approve {{ background: #2E7D32; color: white; border-radius: 4px; padding: 3px 10px; }}
    QPushButton#reject {{ padding: 3px 10px; }}
    QPushButton#panic {{ background: #D93B3B; color: white; font-weight: bold; border-radius: 4px;
                         padding: 4px 14px; }}
    QPushButton#panic[muted="true"] {{ background: #6B7280; }}
    QToolButton#switch {{ border: 1px solid {card_border}; border-radius: 10px; padding: 1px 8px; }}
    QToolButton#switch:checked {{ background: #2E7D32; color: white; border-color: #2E7D32; }}
    QToolButton#switch:disabled {{ color: #D93B3B; text-decoration: line-through; }}
    QPushButton#statusError {{ color: {hint}; text-align: left; }}
    QPushButton#statusError[has_errors="true"] {{ color: #D93B3B; }}
    """


class ConsoleWindow(QMainWindow):
    """The seller console.

    Args:
        settings: the app settings.
        catalog: the catalog to show and to run the session with.
        catalog_path: its file (scripts are saved next to it, see ProductsPanel).
        settings_path: where the settings dialog writes ``settings.toml`` (``gui.toml`` beside it).
        prefs: console preferences.
        spec: engines and options for the session (default: the real engines).
        avatar: the avatar window to drive (optional).
        now: monotonic clock for the avatar link (tests).
    """

    def __init__(self, settings: Settings, catalog: Catalog, *, catalog_path: Path | None = None,
                 settings_path: Path | None = None, prefs: GuiPrefs | None = None,
                 spec: SessionSpec | None = None, avatar=None, now: Callable[[], float] | None = None,
                 feed_flush_ms: int = 50) -> None:
        super().__init__()
        self.settings = settings
        self.catalog = catalog
        self.catalog_path = catalog_path
        self.settings_path = settings_path
        self.prefs = prefs or GuiPrefs()
        self.spec = spec or SessionSpec(settings=settings, catalog=catalog)
        self.avatar = avatar
        self.bridge = QtBridge(self)
        self.loader: SessionLoader | None = None
        self.replay_path: Path | None = None
        self.replay_speed: float | None = 1.0
        self._worker = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="livehost-console")
        """One thread for the console's blocking chores (restarting the session), never the GUI thread."""
        self.muted = False
        self.audio_available: bool | None = None
        self.event_count = 0
        link_kw = {"now": now} if now is not None else {}
        self.avatar_link = AvatarLink(avatar, parent=self, **link_kw)

        # panels
        self.feed = FeedPanel(flush_ms=feed_flush_ms)
        self.queue = QueuePanel(self.bridge.submit, catalog, settings.reply.auto_approve,
                                on_auto_changed=self.set_auto_approve)
        self.products = ProductsPanel(self.bridge.submit, catalog, catalog_path, settings.data_dir,
                                      rotation_s=settings.host.idle_rotation_s, settings=settings)
        self.products.rotation_changed.connect(self._rotation_changed)
        self.voice = VoicePanel(settings.speech)
        self.voice.apply.connect(self.apply_voice)
        self.voice.test.connect(self.test_voice)
        self.voice.mute.toggled_mute.connect(self.set_muted)
        self.say = SayBox(self.bridge.submit, lambda: self.settings.language)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.feed, "")
        self.tabs.addTab(self.products, "")
        self.tabs.addTab(self.voice, "")
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.tabs)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.queue)
        split.addWidget(right)
        split.setStretchFactor(0, 5)
        split.setStretchFactor(1, 4)
        central = QWidget()
        cl = QVBoxLayout(central)
        cl.addWidget(split, 1)
        cl.addWidget(self.say)
        self.setCentralWidget(central)

        # toolbar: now selling + panic mute
        tb = QToolBar(self)
        tb.setMovable(False)
        tb.setObjectName("main")
        self.now_label = QLabel()
        self.now_label.setObjectName("nowSelling")
        self.mute_button = MuteButton()
        self.mute_button.toggled_mute.connect(self.set_muted)
        spacer = QWidget()
        spacer.setSizePolicy(spacer.sizePolicy().horizontalPolicy().Expanding,
                             spacer.sizePolicy().verticalPolicy().Preferred)
        tb.addWidget(self.now_label)
        tb.addWidget(spacer)
        tb.addWidget(self.mute_button)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, tb)

        self.setStatusBar(QStatusBar(self))
        self.status = ConsoleStatus(self.statusBar())
        self._build_menus()
        self._build_shortcuts()

        self.bridge.event.connect(self._on_event)
        self.bridge.status.connect(self._on_status)
        i18n.changed.connect(self.retranslate)
        self.retranslate()
        fm = self.fontMetrics()
        self.resize(fm.horizontalAdvance("M") * 110, fm.height() * 44)

    # ------------------------------------------------------------------ menus / shortcuts
    def _build_menus(self) -> None:
        mb = self.menuBar()
        self.m_file = mb.addMenu("")
        self.a_open = QAction(self, triggered=self._open_catalog)
        self.a_connect = QAction(self, triggered=self.open_connect)
        self.a_connect.setShortcut(QKeySequence("Ctrl+K"))
        self.a_replay = QAction(self, triggered=self._open_replay)
        self.a_report = QAction(self, triggered=self.open_report)
        self.a_settings = QAction(self, triggered=self.open_settings)
        self.a_settings.setShortcut(QKeySequence("Ctrl+,"))
        self.a_quit = QAction(self, triggered=self.close)
        self.a_quit.setShortcut(QKeySequence(QKeySequence.StandardKey.Quit))
        for a in (self.a_connect, self.a_open, self.a_replay, self.a_report, self.a_settings, self.a_quit):
            self.m_file.addAction(a)
        self.m_view = mb.addMenu("")
        grp = QActionGroup(self)
        self.a_light = QAction(self, checkable=True, triggered=lambda: self.set_theme("light"))
        self.a_dark = QAction(self, checkable=True, triggered=lambda: self.set_theme("dark"))
        for a in (self.a_light, self.a_dark):
            grp.addAction(a)
            self.m_view.addAction(a)
        self.m_view.addSeparator()
        lang_grp = QActionGroup(self)
        self.a_zh = QAction("中文", self, checkable=True, triggered=lambda: self.set_ui_language("zh"))
        self.a_en = QAction("English", self, checkable=True, triggered=lambda: self.set_ui_language("en"))
        for a in (self.a_zh, self.a_en):
            lang_grp.addAction(a)
            self.m_view.addAction(a)
        self.m_view.addSeparator()
        self.a_avatar = QAction(self, triggered=self._show_avatar)
        self.m_view.addAction(self.a_avatar)
        self.m_help = mb.addMenu("")
        self.a_keys = QAction(self, triggered=lambda: QMessageBox.information(
            self, tr("menu.shortcuts"), tr("help.shortcuts", mute=MUTE_SHORTCUT)))
        self.m_help.addAction(self.a_keys)

    def _build_shortcuts(self) -> None:
        def sc(seq: str, fn) -> QShortcut:
            s = QShortcut(QKeySequence(seq), self)
            s.setContext(Qt.ShortcutContext.ApplicationShortcut)
            s.activated.connect(fn)
            return s

        self.mute_shortcut = sc(MUTE_SHORTCUT, lambda: self.set_muted(not self.muted))
        sc("F7", lambda: self.products.btn_prev.click())
        sc("F8", lambda: self.products.btn_next.click())
        sc("F9", self.products.introduce_now_selling)
        sc("Ctrl+L", lambda: self.say.edit.setFocus())
        for n in range(1, 10):
            sc(f"Ctrl+{n}", lambda n=n: self.products.set_listing(n))

    def retranslate(self, *_a) -> None:
        self.setWindowTitle(tr("app.title"))
        self.tabs.setTabText(0, tr("tab.feed"))
        self.tabs.setTabText(1, tr("tab.products"))
        self.tabs.setTabText(2, tr("tab.voice"))
        self.m_file.setTitle(tr("menu.file"))
        self.a_open.setText(tr("menu.open_catalog"))
        self.a_replay.setText(tr("menu.replay"))
        self.a_report.setText(tr("menu.report"))
        self.a_connect.setText(tr("menu.connect"))
        self.a_settings.setText(tr("menu.settings"))
        self.a_quit.setText(tr("menu.quit"))
        self.m_view.setTitle(tr("menu.view"))
        self.a_light.setText(tr("menu.theme_light"))
        self.a_dark.setText(tr("menu.theme_dark"))
        self.a_avatar.setText(tr("menu.avatar"))
        self.m_help.setTitle(tr("menu.help"))
        self.a_keys.setText(tr("menu.shortcuts"))
        self.a_light.setChecked(current_theme() == "light")
        self.a_dark.setChecked(current_theme() == "dark")
        self.a_zh.setChecked(i18n.lang == "zh")
        self.a_en.setChecked(i18n.lang == "en")
        self.now_label.setText(self.products.now_label.text())

    def open_report(self, *_a, ended: bool = False):
        """The "Session report" dialog for the current (or last) session's database; shown
        by itself when a session ends. Returns the dialog, or None when no database is known."""
        from app.gui.report_action import ReportDialog

        if self.feed.history_source is None:
            QMessageBox.information(self, tr("report.title"), tr("report.none"))
            return None
        db, sid = self.feed.history_source
        dlg = ReportDialog(db, sid, parent=self)
        if ended:
            dlg.state.setText(tr("report.ended"))
        dlg.show()
        self.report_dialog = dlg
        return dlg

    # ------------------------------------------------------------------ session lifecycle
    def start_session(self, replay: Path | None = None, speed: float | None = 1.0,
                      sources: list | None = None) -> None:
        """Load the engines and start the core on a background thread. With ``replay``, the
        session replays that file (``speed`` = stream-time multiplier, ``None`` = as fast as
        possible); ``sources`` are more source specs (``bilibili:ROOM`` ...)."""
        self.replay_path = Path(replay) if replay else None
        self.replay_speed = speed
        specs = list(sources or [])
        if self.replay_path is not None:
            specs.insert(0, f"replay:{self.replay_path}")
        self.spec.sources = specs
        self.spec.speed = speed
        self.status.on_status(LoaderStatus("progress", SessionLoader.STEPS[0], 1, len(SessionLoader.STEPS)))
        self.loader = SessionLoader(self.bridge, self.spec)
        self.loader.start()

    @property
    def session(self):
        return self.loader.session if self.loader is not None else None

    def _on_status(self, st: LoaderStatus) -> None:
        self.status.on_status(st)
        if st.state != "ready" or self.loader is None or self.loader.session is None:
            return
        session = self.loader.session
        self.bridge.attach(session)
        synth = self.loader.engines.synthesizer if self.loader.engines is not None else None
        self.voice.set_voices(getattr(synth, "available_voices", []) or [])

    def play_replay(self, path: Path, speed: float | None) -> concurrent.futures.Future | None:
        """Replay a recorded session file through the console: the running session ends and a
        replay session starts with the same engines (its clock is the file's)."""
        return self.open_sources([f"replay:{path}"], speed)

    def open_sources(self, specs: list, speed: float | None = 1.0) -> concurrent.futures.Future | None:
        """Run these chat sources (specs or source objects): live sources join the running session;
        a replay starts a new session. Returns the future of the restart, if any."""
        from app.sources import open_source

        if self.loader is None or self.loader.session is None:
            return None
        opened = [open_source(s, settings=self.settings, speed=speed, catalog=self.catalog) if isinstance(s, str)
                  else s for s in specs]
        if not any(getattr(s, "clock_source", False) for s in opened):
            for s in opened:
                self.loader.session.add_source(s)
            return None
        loader = self.loader
        self.bridge.detach()

        def restart() -> None:
            loader.restart(opened, speed)
            self.bridge.status.emit(LoaderStatus("ready"))

        return self._worker.submit(restart)

    def shutdown(self) -> None:
        """Stop the core (drains it) and the avatar link; blocking."""
        if self.loader is not None:
            if self.session is not None:  # silence at once; the core then drains and stops
                self.session.submit(MuteSpeech(muted=True))
            self.loader.stop()
        self._worker.shutdown(wait=True, cancel_futures=True)
        self.bridge.detach()
        self.avatar_link.close()

    def showEvent(self, ev) -> None:  # noqa: N802
        super().showEvent(ev)
        if not getattr(self, "_focused_once", False):  # keyboard-first: keys go to the reply queue
            self._focused_once = True
            self.queue.setFocus()

    def closeEvent(self, ev) -> None:  # noqa: N802
        self.shutdown()
        if self.avatar is not None:
            self.avatar.close()
        super().closeEvent(ev)

    # ------------------------------------------------------------------ events
    def _on_event(self, e: Event) -> None:
        self.event_count += 1
        if isinstance(e, SessionStarted) and self.loader is not None and self.loader.store is not None:
            path = getattr(self.loader.store, "path", ":memory:")
            self.feed.history_source = None if path == ":memory:" else (path, e.session_id)
        if isinstance(e, SessionEnded) and self.feed.history_source is not None:
            self.open_report(ended=True)
        self.feed.on_event(e)
        self.queue.on_event(e)
        self.products.on_event(e)
        self.status.on_event(e)
        self.avatar_link.on_event(e)
        if isinstance(e, SpeechMuted):
            self.muted = e.muted
            self.mute_button.set_muted(e.muted)
            self.voice.mute.set_muted(e.muted)
        elif isinstance(e, AudioOutputChanged):
            self.audio_available = e.state == "device"
        elif isinstance(e, NowSellingChanged):
            self.now_label.setText(self.products.now_label.text())

    # ------------------------------------------------------------------ commands
    def set_muted(self, muted: bool) -> None:
        """Panic mute (or unmute): the core stops playback at once and pauses auto-approve; the
        avatar closes its mouth now."""
        self.muted = muted
        if muted:
            self.avatar_link.on_event(MuteSpeech(muted=True))
        self.bridge.submit(MuteSpeech(muted=muted))
        self.mute_button.set_muted(muted)
        self.voice.mute.set_muted(muted)

    def test_voice(self) -> None:
        lang = i18n.lang
        self.bridge.submit(SayText(text=tr("voice.test_line"), lang=lang))

    def set_auto_approve(self, kinds: tuple[str, ...]) -> None:
        """The seller flipped an auto-approve switch: save it and tell the running core."""
        try:
            reply = self.settings.reply.model_copy(update={"auto_approve": tuple(kinds)})
            new = self.settings.model_copy(update={"reply": type(self.settings.reply).model_validate(reply.model_dump())})
        except Exception as exc:  # noqa: BLE001 - invalid combination: keep the old one
            log.warning("auto-approve not changed: %s", exc)
            self.queue.set_auto_kinds(self.settings.reply.auto_approve)
            return
        self.settings = new
        self._save_settings()
        if self.session is not None:
            self.bridge.submit(SetAutoApprove(kinds=tuple(kinds)))

    def apply_voice(self, values: dict) -> None:
        try:
            speech = SpeechSettings.model_validate(values)
        except Exception as exc:  # noqa: BLE001
            self.voice.error.setText(str(exc))
            return
        self.voice.error.setText("")
        self.settings = self.settings.model_copy(update={"speech": speech})
        self.voice.set_current(speech)
        self._save_settings()
        self.voice.note.setText(tr("voice.saved") + " · " + tr("voice.restart_note"))
        # rate and volume apply at once, on the voice's own thread; voices and device at the next start
        self.bridge.submit(SetVoice(rate_wpm=speech.rate_wpm, volume=speech.volume))

    def _save_settings(self) -> None:
        if self.settings_path is None:
            return
        try:
            save_settings(self.settings, self.settings_path)
        except OSError as exc:
            log.warning("settings not saved: %s", exc)

    def _save_prefs(self) -> None:
        if self.settings_path is None:
            return
        try:
            save_prefs(self.prefs, gui_prefs_path(self.settings_path))
        except OSError as exc:
            log.warning("preferences not saved: %s", exc)

    def _rotation_changed(self, interval_s: float) -> None:
        """The seller switched the idle rotation (Products tab): the core rotates from now on,
        and the setting (``host.idle_rotation_s``) is saved."""
        self.bridge.submit(SetIdleRotation(interval_s=interval_s))
        if interval_s != self.settings.host.idle_rotation_s:
            host = self.settings.host.model_copy(update={"idle_rotation_s": float(interval_s)})
            self.settings = self.settings.model_copy(update={"host": host})
            self._save_settings()

    def set_theme(self, theme: str) -> None:
        app = QApplication.instance()
        apply_theme(app, theme)
        app.setStyleSheet(stylesheet(theme))
        self.prefs = self.prefs.model_copy(update={"theme": theme})
        self._save_prefs()
        self.retranslate()

    def set_ui_language(self, lang: str) -> None:
        i18n.set_language(lang)
        self.prefs = self.prefs.model_copy(update={"ui_language": lang})
        self._save_prefs()

    def open_settings(self):
        from app.gui.settings_dialog import SettingsDialog

        looks = self.avatar.looks() if self.avatar is not None else None
        dlg = SettingsDialog(self.settings, self.prefs, looks, self)
        if dlg.exec():
            self.apply_settings(dlg.settings, dlg.prefs)
        return dlg

    def apply_settings(self, settings: Settings, prefs: GuiPrefs) -> None:
        """Use new settings and preferences: saved, applied where they can be live (UI
        language, theme, auto-approve kinds, avatar, idle rotation); the rest at the next start."""
        self.settings = settings
        self.prefs = prefs
        self._save_settings()
        self._save_prefs()
        lang = system_language() if prefs.ui_language == "system" else prefs.ui_language
        i18n.set_language(lang)
        self.set_theme(prefs.theme)
        self.queue.set_auto_kinds(settings.reply.auto_approve)
        self.set_auto_approve(settings.reply.auto_approve)
        self.products.set_rotation(settings.host.idle_rotation_s)
        self.products.set_settings(settings)  # drafts: language, rate, [content], [llm]
        if self.avatar is not None:
            apply_avatar_prefs(self.avatar, prefs)

    def _open_catalog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("menu.open_catalog"), "", "Catalog (*.csv *.xlsx)")
        if not path:
            return
        from app.catalog.importer import load_catalog
        from app.errors import LiveHostError

        try:
            load_catalog(Path(path))
        except LiveHostError as exc:
            QMessageBox.warning(self, tr("menu.open_catalog"), f"{exc.message}\n{exc.hint}")
            return
        self.prefs = self.prefs.model_copy(update={"last_catalog": path})
        self._save_prefs()
        QMessageBox.information(self, tr("menu.open_catalog"), tr("set.restart"))

    def open_connect(self):
        """File -> Connect to a live room: add that chat source to the running session."""
        from app.gui.connect import ConnectDialog

        dlg = ConnectDialog(self)
        if dlg.exec():
            self.connect_source(dlg.spec, dlg.login)
        return dlg

    def connect_source(self, spec: str, login: str | None = None) -> object | None:
        """Open ``spec`` and run it in the session (a login is kept in the OS keyring first).
        Returns the source, or None when it could not be opened (the seller is told why)."""
        from app.sources import open_source, parse_spec

        try:
            if login:
                from app.sources.credentials import store_login

                store_login(parse_spec(spec)[0], login)
            src = open_source(spec, settings=self.settings, catalog=self.catalog)
        except LiveHostError as exc:
            QMessageBox.warning(self, tr("connect.title"), tr("connect.failed", message=f"{exc.message}\n{exc.hint}"))
            return None
        if self.session is None:
            self.spec.sources = [*self.spec.sources, src]
        else:
            self.open_sources([src])
        if hasattr(src, "token") and hasattr(src, "url"):  # the local ingest endpoint (browser bridge)
            text = tr("connect.bridge_ready", url=src.url, token=src.token)
            if not getattr(src, "token_persistent", True):
                text += "\n" + tr("connect.bridge_temp")
            self.status.bar.showMessage(text.replace("\n", "  "), 60_000)
            QMessageBox.information(self, tr("connect.title"), text)
        return src

    def _open_replay(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("menu.replay"), "", "Session (*.jsonl)")
        if path and self.session is not None:
            try:
                self.play_replay(Path(path), 1.0)
            except LiveHostError as exc:
                QMessageBox.warning(self, tr("menu.replay"), f"{exc.message}\n{exc.hint}")

    def attach_avatar(self, avatar) -> None:
        """Drive ``avatar`` (an AvatarWindow, or an :class:`~app.gui.avatar_process.AvatarProcess`)
        from now on (it may be created after the console is shown, to keep start-up short). A
        crash of the avatar process is shown in the status bar with what to do."""
        self.avatar = avatar
        self.avatar_link.window = avatar
        if hasattr(avatar, "crashed"):
            avatar.crashed.connect(self._avatar_crashed)
            avatar.ready.connect(self._avatar_ready)

    def _avatar_crashed(self, crash) -> None:
        """The avatar process stopped: tell the seller (it restarts by itself unless it reported
        that it cannot open the window)."""
        from app.events import ErrorOccurred

        if crash.failed is not None:
            e = ErrorOccurred(code=crash.failed.code, message=tr("avatar.failed", message=crash.failed.message),
                              hint=crash.failed.hint, stage="avatar")
        else:
            e = ErrorOccurred(code="avatar-crashed", stage="avatar",
                              message=tr("avatar.crashed", n=crash.crashes, s=f"{crash.restart_in_s:g}"),
                              hint=tr("avatar.crashed_hint"))
        self.status.on_event(e)
        self.status.refresh()

    def _avatar_ready(self, ready) -> None:
        if self.avatar is not None and getattr(self.avatar, "starts", 1) > 1:
            self.status.bar.showMessage(tr("avatar.back"), 10_000)

    def _show_avatar(self) -> None:
        if self.avatar is not None:
            self.avatar.show()
            self.avatar.raise_()


def apply_avatar_prefs(avatar, prefs: GuiPrefs) -> None:
    """Apply the avatar part of the preferences to a live avatar window."""
    try:
        if prefs.avatar_look in avatar.looks():
            avatar.set_look(prefs.avatar_look)
        avatar.set_background(prefs.avatar_background)
    except Exception as exc:  # noqa: BLE001 - a bad image path keeps the previous background
        log.warning("avatar preference not applied: %s", exc)
    avatar.set_aspect(None if prefs.avatar_aspect == "free" else prefs.avatar_aspect)
    avatar.set_subtitles(prefs.avatar_subtitles)
    avatar.set_badge(prefs.avatar_badge)
