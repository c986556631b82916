"""Smaller console parts: the say box, the voice tab and the status bar."""

from __future__ import annotations

import html
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (QComboBox, QDialog, QFormLayout, QHBoxLayout, QLabel,
                               QLineEdit, QProgressBar, QPushButton, QSlider, QSpinBox, QStatusBar,
                               QTextBrowser, QVBoxLayout, QWidget)

from app.events import (AudioOutputChanged, ErrorOccurred, Event, IngestClientChanged, MetricsReported,
                        MicrophoneStateChanged, Received, SayText, SessionEnded, SessionStarted, SourceConnected,
                        SourceDisconnected, SourceStalled, Speak, SpeechFinished, SpeechMuted, SpeechStarted,
                        ViewerCountUpdated)
from app.vocab import NOTICE_CODES, AudioOutputState, DisconnectReason
from app.gui.i18n import STRINGS, i18n, tr

MUTE_SHORTCUT = "Ctrl+Shift+M"
"""Panic mute shortcut (application-wide: works in every console window, not OS-global)."""


class SayBox(QWidget):
    """A line the seller types for the virtual host: Enter = say next, Ctrl+Enter = say now."""

    def __init__(self, submit: Callable[[Event], object], lang: Callable[[], str], parent=None) -> None:
        super().__init__(parent)
        self.submit = submit
        self.lang = lang
        self.edit = QLineEdit(self)
        self.edit.setClearButtonEnabled(True)
        self.edit.returnPressed.connect(lambda: self.say(False))
        self.btn_next = QPushButton(self)
        self.btn_now = QPushButton(self)
        self.btn_next.clicked.connect(lambda: self.say(False))
        self.btn_now.clicked.connect(lambda: self.say(True))
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.edit, 1)
        lay.addWidget(self.btn_next)
        lay.addWidget(self.btn_now)
        i18n.changed.connect(self.retranslate)
        self.retranslate()

    def keyPressEvent(self, ev) -> None:  # noqa: N802
        if ev.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and ev.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.say(True)
            return
        super().keyPressEvent(ev)

    def retranslate(self, *_a) -> None:
        self.edit.setPlaceholderText(tr("say.placeholder"))
        self.btn_next.setText(tr("say.next"))
        self.btn_now.setText(tr("say.now"))

    def say(self, interrupt: bool) -> None:
        """Send the typed line as ``SayText`` (spoken next, or now when ``interrupt``)."""
        text = self.edit.text().strip()
        if not text:
            return
        from app.understanding.text import detect_lang

        lang = detect_lang(text) if text else self.lang()
        self.submit(SayText(text=text, lang=lang, interrupt=interrupt))
        self.edit.clear()


class MuteButton(QPushButton):
    """The panic mute toggle (red when muted). ``toggled_mute(bool)`` asks for mute/unmute."""

    toggled_mute = Signal(bool)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("panic")
        self.muted = False
        self.clicked.connect(lambda: self.toggled_mute.emit(not self.muted))
        i18n.changed.connect(self.retranslate)
        self.retranslate()

    def set_muted(self, muted: bool) -> None:
        self.muted = muted
        self.setProperty("muted", muted)
        self.style().unpolish(self)
        self.style().polish(self)
        self.retranslate()

    def retranslate(self, *_a) -> None:
        self.setText(("▶ " + tr("mute.off")) if self.muted else ("■ " + tr("mute.on")))
        self.setToolTip(tr("mute.tip", shortcut=QKeySequence(MUTE_SHORTCUT).toString(
            QKeySequence.SequenceFormat.NativeText)))


class VoicePanel(QWidget):
    """Voice per language, rate, volume, output device, test, panic mute.

    Signals:
        apply(dict): the new ``speech`` settings section (validated by the console).
        test(): speak the test line.
    """

    apply = Signal(dict)
    test = Signal()

    def __init__(self, speech_settings, parent=None) -> None:
        super().__init__(parent)
        self.voice_zh = QComboBox(self)
        self.voice_en = QComboBox(self)
        self.rate = QSpinBox(self)
        self.rate.setRange(80, 400)
        self.rate.setValue(speech_settings.rate_wpm)
        self.volume = QSlider(Qt.Orientation.Horizontal, self)
        self.volume.setRange(0, 100)
        self.volume.setValue(round(speech_settings.volume * 100))
        self.volume_value = QLabel(self)
        self.volume.valueChanged.connect(lambda v: self.volume_value.setText(f"{v}%"))
        self.volume_value.setText(f"{self.volume.value()}%")
        self.device = QComboBox(self)
        self.device_tip = QLabel(self)
        self.device_tip.setWordWrap(True)
        self.device_tip.setObjectName("hint")
        self.btn_test = QPushButton(self)
        self.btn_test.clicked.connect(self.test.emit)
        self.btn_apply = QPushButton(self)
        self.btn_apply.clicked.connect(lambda: self.apply.emit(self.values()))
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.note.setObjectName("hint")
        self.error = QLabel(self)
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.mute = MuteButton(self)
        self._labels = {k: QLabel(self) for k in ("voice.zh", "voice.en", "voice.rate", "voice.volume",
                                                  "voice.device")}
        form = QFormLayout()
        form.addRow(self._labels["voice.zh"], self.voice_zh)
        form.addRow(self._labels["voice.en"], self.voice_en)
        form.addRow(self._labels["voice.rate"], self.rate)
        vol = QHBoxLayout()
        vol.addWidget(self.volume, 1)
        vol.addWidget(self.volume_value)
        form.addRow(self._labels["voice.volume"], vol)
        form.addRow(self._labels["voice.device"], self.device)
        form.addRow("", self.device_tip)
        buttons = QHBoxLayout()
        buttons.addWidget(self.btn_test)
        buttons.addWidget(self.btn_apply)
        buttons.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addLayout(buttons)
        lay.addWidget(self.note)
        lay.addWidget(self.error)
        lay.addStretch(1)
        lay.addWidget(self.mute)
        self._current = speech_settings
        self.set_voices([])
        self.set_devices(None)
        i18n.changed.connect(self.retranslate)
        self.retranslate()

    def retranslate(self, *_a) -> None:
        for k, lab in self._labels.items():
            lab.setText(tr(k))
        self.device_tip.setText(tr("voice.device_tip"))
        self.btn_test.setText(tr("voice.test"))
        self.btn_apply.setText(tr("voice.apply"))
        self.note.setText(tr("voice.restart_note"))
        self.voice_zh.setItemText(0, tr("voice.auto"))
        self.voice_en.setItemText(0, tr("voice.auto"))
        self.device.setItemText(0, tr("voice.device_default"))

    def set_voices(self, voices) -> None:
        """Fill the voice lists from ``VoiceInfo``-like objects (``id``, ``name``, ``languages``)."""
        for combo, lang, cur in ((self.voice_zh, "zh", self._current.voice_zh),
                                 (self.voice_en, "en", self._current.voice_en)):
            combo.clear()
            combo.addItem(tr("voice.auto"), "")
            for v in voices:
                langs = getattr(v, "languages", ())
                if any(str(x).startswith(lang) or (lang == "zh" and str(x).startswith(("cmn", "yue")))
                       for x in langs) or not langs:
                    combo.addItem(f"{v.name} ({', '.join(langs)})", v.id)
            if cur and combo.findData(cur) < 0:
                combo.addItem(cur, cur)
            combo.setCurrentIndex(max(0, combo.findData(cur)))

    def set_devices(self, names: list[str] | None) -> None:
        """Fill the output device list (``None`` = ask sounddevice)."""
        if names is None:
            from app.playback.sounddevice import SounddevicePlayer

            names = SounddevicePlayer.available_output_devices()
        cur = self._current.output_device
        self.device.clear()
        self.device.addItem(tr("voice.device_default"), "")
        for n in names:
            self.device.addItem(n, n)
        if cur and self.device.findData(cur) < 0:
            self.device.addItem(cur, cur)
        self.device.setCurrentIndex(max(0, self.device.findData(cur)))

    def values(self) -> dict:
        return {"voice_zh": self.voice_zh.currentData() or "", "voice_en": self.voice_en.currentData() or "",
                "rate_wpm": self.rate.value(), "volume": round(self.volume.value() / 100, 2),
                "output_device": self.device.currentData() or ""}

    def set_current(self, speech_settings) -> None:
        self._current = speech_settings


class ErrorsDialog(QDialog):
    """All errors of the session with what to do."""

    def __init__(self, errors: list[ErrorOccurred], parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("errors.title"))
        view = QTextBrowser(self)
        parts = []
        for e in errors[-200:]:
            parts.append(f"<p><b>[{e.code}]</b> {_esc(e.message)}"
                        + (f"<br><i>{tr('status.what_to_do')}</i>{_esc(e.hint)}" if e.hint else "") + "</p>")
        view.setHtml("".join(parts) or tr("status.no_errors"))
        lay = QVBoxLayout(self)
        lay.addWidget(view)
        fm = self.fontMetrics()
        self.resize(fm.horizontalAdvance("M") * 60, fm.height() * 25)


def _esc(s: str) -> str:
    return html.escape(s, quote=False)


class ConsoleStatus(QObject):
    """Fills the status bar from core events: each chat source's state and messages per minute,
    speech recognition, speaking/queued (or preview only), latency of the last reply (from the
    core's ``MetricsReported``), the last error with what to do, start-up progress."""

    def __init__(self, bar: QStatusBar) -> None:
        super().__init__(bar)
        self.bar = bar
        self.progress = QProgressBar(bar)
        self.progress.setRange(0, 4)
        self.progress.setTextVisible(True)
        self.progress.setMaximumWidth(bar.fontMetrics().horizontalAdvance("M") * 22)
        self.progress.setVisible(False)  # shown while the core starts
        self.source = QLabel(bar)
        self.mic = QLabel(bar)
        self.speech = QLabel(bar)
        self.latency = QLabel(bar)
        self.error = QPushButton(bar)
        self.error.setFlat(True)
        self.error.setObjectName("statusError")
        self.error.clicked.connect(self.show_errors)
        for w in (self.progress, self.source, self.mic, self.speech, self.latency):
            bar.addWidget(w)
        bar.addPermanentWidget(self.error)
        self.errors: list[ErrorOccurred] = []
        self.sources: dict[str, tuple[str, str]] = {}
        """source spec -> (state, detail) as the status bar shows it."""
        self._per_min: dict[str, list[float]] = {}
        self.audience: dict[str, tuple[int, str]] = {}
        """source spec -> (count, measure) from ViewerCountUpdated."""
        self.grabbers: dict[str, int] = {}
        """ingest source spec -> grabbers connected."""
        self.session_over = False
        self.mic_state = "off"
        self.queued: set[str] = set()
        self.speaking: str | None = None
        self.muted = False
        self.preview = False
        self.latency_ms: float | None = None
        self.loading_step = "status.loading"
        self.loading_state = "idle"
        self._dirty = QTimer(self)  # coalesce: at most one status-bar update per 100 ms
        self._dirty.setSingleShot(True)
        self._dirty.setInterval(100)
        self._dirty.timeout.connect(self.refresh)
        i18n.changed.connect(self.refresh)
        self.refresh()

    @property
    def source_state(self) -> tuple[str, str]:
        """(kind, detail) of the first source: ``none``, ``replay``, ``ended``, ``lost`` or a
        :class:`app.vocab.SourceState` value (kept for the console's summary line)."""
        if not self.sources:
            return ("ended", "") if self.session_over else ("none", "")
        return next(iter(self.sources.values()))

    def on_status(self, st) -> None:
        self.loading_state = st.state
        if st.state == "progress":
            self.loading_step = st.step
            self.progress.setMaximum(max(1, st.total))
            self.progress.setValue(st.index - 1)
            self.progress.setVisible(True)
        elif st.state == "ready":
            self.progress.setValue(self.progress.maximum())
            self.progress.setVisible(False)
        elif st.state == "background":  # the session runs; the intent model still loads
            self.loading_step = st.step
            self.progress.setRange(0, 0)  # busy indicator
            self.progress.setFormat(tr(st.step))
            self.progress.setVisible(True)
            self.loading_state = "ready"
        elif st.state == "model-ready":
            self.progress.setRange(0, 4)
            self.progress.setVisible(False)
            self.loading_state = "ready"
        else:
            self.progress.setVisible(False)
            err = st.error
            self.errors.append(ErrorOccurred(
                code=getattr(err, "code", "start-failed"), message=getattr(err, "message", str(err)),
                hint=getattr(err, "hint", "")))
        self.refresh()

    def on_event(self, e: Event) -> None:
        if isinstance(e, SessionStarted):
            self.session_over = False
            self.sources = {s: ("connecting", "") for s in e.sources}
        elif isinstance(e, SessionEnded):
            self.session_over = True
            self.sources = {k: ("ended", "") for k in self.sources}
        elif isinstance(e, SourceConnected):
            self.sources[e.source] = ("connected", e.detail)
        elif isinstance(e, SourceStalled):
            self.sources[e.source] = ("stalled", f"{e.silent_s:.0f}")
        elif isinstance(e, SourceDisconnected):
            if e.reason in (DisconnectReason.ENDED, DisconnectReason.STOPPED):
                self.sources[e.source] = ("ended", "")
            else:
                self.sources[e.source] = ("lost", f"{e.reason}|{e.retry_in_s:.0f}")
        elif isinstance(e, Received):
            if e.source:
                times = self._per_min.setdefault(e.source, [])
                times.append(time.monotonic())
                if len(times) > 5000:
                    del times[:2500]
            return
        elif isinstance(e, ViewerCountUpdated):
            self.audience[e.source] = (e.count, e.measure)
        elif isinstance(e, IngestClientChanged):
            self.grabbers[e.source] = e.clients
        elif isinstance(e, MicrophoneStateChanged):
            self.mic_state = e.state
        elif isinstance(e, AudioOutputChanged):
            self.preview = e.state == AudioOutputState.PREVIEW
        elif isinstance(e, Speak):
            self.queued.add(e.reply_id)
        elif isinstance(e, SpeechStarted):
            self.speaking = e.reply_id
            self.queued.discard(e.reply_id)
        elif isinstance(e, SpeechFinished):
            if self.speaking == e.reply_id:
                self.speaking = None
            self.queued.discard(e.reply_id)
        elif isinstance(e, SpeechMuted):
            self.muted = e.muted
            if e.muted:
                self.queued.clear()
                self.speaking = None
        elif isinstance(e, MetricsReported):
            self.latency_ms = e.last_reply_ms
        elif isinstance(e, ErrorOccurred):
            if e.code in NOTICE_CODES:  # e.g. no audio device: shown as "preview only", not an error
                return
            self.errors.append(e)
        else:
            return
        if not self._dirty.isActive():
            self._dirty.start()

    def _source_text(self) -> str:
        if not self.sources:
            return tr("status.source.ended") if self.session_over else tr("status.source.none")
        parts = []
        now = time.monotonic()
        for spec, (state, detail) in self.sources.items():
            name = spec.split(":", 1)[0] if not spec.startswith("replay:") else spec.removeprefix("replay:")
            if spec.startswith("replay:") and state in ("connected", "connecting"):
                text = tr("status.source.replay", id=name)
            elif state == "connected":
                text = tr("status.source.connected", name=name)
            elif state == "stalled":
                text = tr("status.source.stalled", name=name, s=detail)
            elif state == "lost":
                reason, _, retry = detail.partition("|")
                text = tr("status.source.down", name=name, reason=reason, s=retry)
            elif state == "ended":
                text = tr("status.source.over", name=name)
            else:
                text = tr("status.source.connecting", name=name)
            n = sum(1 for x in self._per_min.get(spec, ()) if now - x <= 60.0)
            if state == "connected" and not spec.startswith("replay:"):
                text += " · " + tr("status.source.rate", n=n)
                if spec in self.audience:
                    count, measure = self.audience[spec]
                    text += " · " + tr("status.source.popularity" if measure == "popularity"
                                       else "status.source.viewers", n=count)
                if spec in self.grabbers:
                    text += " · " + tr("status.source.grabbers", n=self.grabbers[spec])
            parts.append(text)
        return " | ".join(parts)

    def refresh(self, *_a) -> None:
        if self.loading_state == "progress":
            self.progress.setFormat(f"{tr(self.loading_step)} %v/%m")
        self.source.setText(tr("status.source", s=self._source_text()))
        mic_key = f"status.mic.{self.mic_state}"
        self.mic.setText(tr("status.mic", s=tr(mic_key) if mic_key in STRINGS else self.mic_state))
        if self.muted:
            sp = tr("status.speech.muted")
        elif self.speaking:
            sp = tr("status.speech.speaking")
        else:
            sp = tr("status.speech.idle")
        if self.queued and not self.muted:
            sp += " · " + tr("status.speech.queued", n=len(self.queued))
        if self.preview:
            sp += " · " + tr("status.speech.preview")
        self.speech.setText(tr("status.speech", s=sp))
        self.latency.setText(tr("status.latency.none") if self.latency_ms is None
                             else tr("status.latency", ms=f"{self.latency_ms:.0f}"))
        if self.errors:
            last = self.errors[-1]
            text = f"⚠ {tr('status.errors', n=len(self.errors))}: {last.message}"
            if last.hint:
                text += f" — {tr('status.what_to_do')}{last.hint}"
            fm = self.error.fontMetrics()
            self.error.setText(fm.elidedText(text, Qt.TextElideMode.ElideRight, fm.horizontalAdvance("M") * 50))
            self.error.setToolTip(text)
        else:
            self.error.setText(tr("status.no_errors"))
        if self.error.property("has_errors") != bool(self.errors):
            self.error.setProperty("has_errors", bool(self.errors))
            self.error.style().unpolish(self.error)
            self.error.style().polish(self.error)

    def show_errors(self) -> None:
        ErrorsDialog(self.errors, self.bar.window()).exec()
