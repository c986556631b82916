"""The suggestion queue: one card per suggested reply; the seller approves, edits or rejects.

Newest card on top. Keyboard first (focus on the queue): Enter approves the selected card, Esc rejects, E edits
in place (Enter in the editor approves the edited text, Esc leaves it unchanged), Space speaks
now, Up/Down select. Every decision is sent to the core as an event (``ReplyApproved``,
``ReplyEdited``, ``ReplyRejected``, ``CancelAutoApprove`` ...); the core's feedback logger
records rejections and edits (training signal). Nothing is decided here.

Identical questions are merged by the core (:mod:`app.reply.stage`): a card shows every asker of
its reply (``ReplySuggested.askers``), and a later ``QuestionMerged`` adds the asker to the card
that still waits.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFontMetrics, QKeyEvent, QPainter, QPalette
from PySide6.QtWidgets import (QFrame, QGridLayout, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton,
                               QScrollArea, QSizePolicy, QToolButton, QVBoxLayout, QWidget)

from app.events import (AutoApproveCancelled, AutoApproveScheduled, CancelAutoApprove, ChatReceived,
                        Event, MuteViewer, QuestionMerged, RecommendationsReady, ReplyApproved, ReplyEdited,
                        ReplyRejected, ReplyRephrased, ReplySuggested, SayText, SpeechMuted)
from app.gui.i18n import held_label, i18n, kind_label, tr
from app.gui.theme import intent_color
from app.understanding.labels import INTENTS
from app.vocab import HeldReason

MAX_CARDS = 100
"""Cards kept on screen; beyond this the oldest leaves the view (nothing is sent: its reply
simply stays unanswered, as if the seller let it scroll away)."""

AUTO_KINDS: tuple[str, ...] = tuple(k for k in INTENTS if k not in ("complaint", "spam")) + ("gift", "follow")
"""Reply kinds that can be switched to auto-approve (complaints and spam never)."""

def _ends_in_edit_trigger(ev: QKeyEvent) -> bool:
    return ev.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (
        ev.modifiers() & Qt.KeyboardModifier.ShiftModifier)


class _EditorKeys(QObject):
    """Enter in the card editor approves; Shift+Enter is a new line; Esc reverts."""

    def __init__(self, card: "SuggestionCard") -> None:
        super().__init__(card)
        self.card = card

    def eventFilter(self, obj, ev) -> bool:  # noqa: N802
        if ev.type() == QEvent.Type.KeyPress:
            if _ends_in_edit_trigger(ev):
                self.card.action.emit("approve", self.card)
                return True
            if ev.key() == Qt.Key.Key_Escape:
                self.card.revert_edit()
                self.card.action.emit("focus_queue", self.card)
                return True
        elif ev.type() == QEvent.Type.FocusIn:
            self.card.action.emit("editing", self.card)
        return False


class CountdownBar(QWidget):
    """A light countdown bar: paints on the next frame (``update``), unlike QProgressBar whose
    ``setValue`` repaints synchronously -- ten cards counting down at 10 Hz cost the GUI thread
    several ms per tick with it."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._fraction = 1.0
        self._text = ""
        fm = QFontMetrics(self.font())
        self.setFixedHeight(fm.height() + 4)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_state(self, fraction: float, text: str) -> None:
        fraction = min(1.0, max(0.0, fraction))
        if abs(fraction - self._fraction) > 1e-3 or text != self._text:
            self._fraction, self._text = fraction, text
            self.update()

    def format(self) -> str:
        return self._text

    def fraction(self) -> float:
        return self._fraction

    def paintEvent(self, _ev) -> None:  # noqa: N802
        p = QPainter(self)
        r = self.rect()
        pal = self.palette()
        p.fillRect(r, pal.color(QPalette.ColorRole.AlternateBase))
        done = QRect(r.left(), r.top(), round(r.width() * self._fraction), r.height())
        p.fillRect(done, QColor(46, 125, 50, 150))
        p.setPen(pal.color(QPalette.ColorRole.Text))
        p.drawText(r, int(Qt.AlignmentFlag.AlignCenter), self._text)
        p.end()


class SuggestionCard(QFrame):
    """One suggested reply (and the same questions merged into it).

    Signals:
        action(str, object): ``approve``, ``reject``, ``edit``, ``speak_now``, ``cancel_auto``,
            ``mute`` (offensive cards: mute the viewer for the session),
            ``editing`` (the editor got focus), ``focus_queue``, ``select``; with the card.
    """

    action = Signal(str, object)

    def __init__(self, s: ReplySuggested, messages: list[tuple[str, str]], product_line: str,
                 recs: list[str], parent=None) -> None:
        super().__init__(parent)
        self.suggestion = s
        self.reply_ids: list[str] = [s.reply_id]
        self.askers: list[tuple[str, str]] = list(messages)
        """(nickname, message text) of everyone this card answers."""
        self.original_text = s.text
        self.countdown_end: float | None = None
        self.countdown_total = 0.0
        self.created = time.monotonic()
        self.selected = False
        self.setObjectName("card")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

        self.header = QLabel(self)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setWordWrap(True)
        self.quotes = QLabel(self)
        self.quotes.setWordWrap(True)
        self.product = QLabel(product_line, self)
        self.product.setWordWrap(True)
        self.product.setVisible(bool(product_line))
        self.recs = QLabel("\n".join(recs), self)
        self.recs.setWordWrap(True)
        self.recs.setVisible(bool(recs))
        self.held = QLabel(self)
        self.held.setWordWrap(True)
        self.held.setObjectName("held")
        self.held.setVisible(bool(s.held_reason))
        self.editor = QPlainTextEdit(s.text, self)
        self.editor.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.editor.setTabChangesFocus(True)
        fm = QFontMetrics(self.editor.font())
        self.editor.setFixedHeight(int(fm.lineSpacing() * 3.2 + 10))
        self.editor.installEventFilter(_EditorKeys(self))
        self.bar = CountdownBar(self)
        self.bar.setVisible(False)
        self.state = QLabel(self)
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.state, 1)
        for name in ("mute", "cancel_auto", "speak_now", "edit", "reject", "approve"):
            b = QPushButton(self)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(lambda _c=False, n=name: self.action.emit(n, self))
            self.buttons[name] = b
            row.addWidget(b)
        self.buttons["approve"].setObjectName("approve")
        self.buttons["reject"].setObjectName("reject")
        self.buttons["mute"].setObjectName("reject")
        self.buttons["mute"].setVisible(self.offensive)
        lay = QVBoxLayout(self)
        fmh = QFontMetrics(self.font()).height()
        lay.setContentsMargins(fmh // 2, fmh // 3, fmh // 2, fmh // 3)
        lay.setSpacing(max(2, fmh // 5))
        for w in (self.header, self.quotes, self.product, self.recs, self.held, self.editor, self.bar):
            lay.addWidget(w)
        lay.addLayout(row)
        self.retranslate()

    # -- content
    @property
    def reply_id(self) -> str:
        return self.suggestion.reply_id

    @property
    def offensive(self) -> bool:
        """An offensive message's card (held ``offensive``): it offers "mute this viewer"."""
        s = self.suggestion
        return s.held_reason == HeldReason.OFFENSIVE and bool(s.viewer.uid) and s.viewer.uid != "host"

    @property
    def text(self) -> str:
        return self.editor.toPlainText().strip()

    @property
    def edited(self) -> bool:
        return self.text != self.original_text.strip()

    def add_asker(self, nickname: str, text: str, reply_id: str) -> None:
        self.askers.append((nickname, text))
        if reply_id not in self.reply_ids:
            self.reply_ids.append(reply_id)
        self.retranslate()

    def revert_edit(self) -> None:
        self.editor.setPlainText(self.original_text)

    def retranslate(self) -> None:
        s = self.suggestion
        names = "、".join(dict.fromkeys(n for n, _ in self.askers)) or tr("card.host")
        color = intent_color(s.intent).name()
        conf = "" if s.intent in ("gift", "follow", "introduce") else " · " + tr("card.confidence", c=s.confidence)
        merged = (" " if i18n.lang == "en" else "") + tr("card.merged", n=len(self.askers)) if len(self.askers) > 1 else ""
        self.header.setText(
            f"<span style='background:{color};color:white;border-radius:6px;'>&nbsp;{kind_label(s.intent)}&nbsp;</span>"
            f"&nbsp;<b>{_esc(tr('card.askers', names=names))}</b>{_esc(merged)}<span style='color:gray'>{conf}</span>")
        quotes = list(dict.fromkeys(t for _, t in self.askers if t))
        self.quotes.setText("\n".join(f"“{q}”" for q in quotes[:3]))
        self.quotes.setVisible(bool(quotes))
        self.held.setText(tr("card.held", reason=held_label(s.held)) if s.held_reason else "")
        labels = {"approve": tr("card.approve") + " ⏎", "reject": tr("card.reject") + " Esc",
                  "edit": tr("card.edit") + " E", "speak_now": tr("card.speak_now") + " ␣",
                  "cancel_auto": tr("card.cancel_auto"), "mute": tr("card.mute")}
        for n, b in self.buttons.items():
            b.setText(labels[n])
        self.buttons["mute"].setToolTip(tr("card.mute_tip"))
        self.buttons["cancel_auto"].setVisible(self.countdown_end is not None)
        self.update_countdown(time.monotonic())

    # -- countdown
    def start_countdown(self, delay_s: float) -> None:
        self.countdown_total = max(0.001, delay_s)
        self.countdown_end = time.monotonic() + delay_s
        self.bar.setVisible(True)
        self.buttons["cancel_auto"].setVisible(True)
        self.update_countdown(time.monotonic())

    def stop_countdown(self) -> None:
        self.countdown_end = None
        self.bar.setVisible(False)
        self.buttons["cancel_auto"].setVisible(False)
        self.update_countdown(time.monotonic())

    def update_countdown(self, now: float) -> None:
        if self.countdown_end is None:
            self.state.setText(tr("card.edited") if self.edited else tr("card.waiting"))
            return
        left = max(0.0, self.countdown_end - now)
        self.bar.set_state(left / self.countdown_total, tr("card.countdown", s=left))
        self.state.setText("")

    def set_selected(self, on: bool) -> None:
        self.selected = on
        self.setProperty("selected", on)
        self.style().unpolish(self)
        self.style().polish(self)

    def mousePressEvent(self, ev) -> None:  # noqa: N802
        self.action.emit("select", self)
        super().mousePressEvent(ev)


def _esc(s: str) -> str:
    return html.escape(s, quote=False)


class QueuePanel(QWidget):
    """Auto-approve switches + the cards, keyboard-driven.

    Args:
        submit: sends a command event to the core (``QtBridge.submit``).
        catalog: for the product line on each card.
        auto_approve: the kinds switched on at start.
        on_auto_changed: called with the new tuple of kinds when the seller flips a switch.
        supports_interrupt_approval: True when ``ReplyApproved`` carries ``interrupt`` (then
            Space approves with interrupt); otherwise Space says the text as a typed line
            (``SayText(interrupt=True)``) after cancelling the countdown.
    """

    def __init__(self, submit: Callable[[Event], object], catalog=None, auto_approve=(),
                 on_auto_changed: Callable[[tuple[str, ...]], None] | None = None, parent=None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(parent)
        from app.events import ReplyApproved as _RA

        self.submit = submit
        self.catalog = catalog
        self.clock = clock
        self.on_auto_changed = on_auto_changed
        self.supports_interrupt_approval = "interrupt" in getattr(_RA, "__dataclass_fields__", {})
        self.cards: list[SuggestionCard] = []
        self._by_reply: dict[str, SuggestionCard] = {}
        self._messages: dict[str, tuple[str, str]] = {}
        self._recs: dict[str, RecommendationsReady] = {}
        self.current: SuggestionCard | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        self.title = QLabel(self)
        self.title.setObjectName("panelTitle")
        self.keys = QLabel(self)
        self.keys.setObjectName("hint")
        self.keys.setWordWrap(True)
        self.auto_label = QLabel(self)
        self.switches: dict[str, QToolButton] = {}
        switch_box = QWidget(self)
        grid = QGridLayout(switch_box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(3)
        grid.addWidget(self.auto_label, 0, 0, 3, 1, Qt.AlignmentFlag.AlignTop)
        for i, k in enumerate(AUTO_KINDS + ("complaint",)):
            b = QToolButton(switch_box)
            b.setCheckable(True)
            b.setObjectName("switch")
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.setChecked(k in auto_approve and k != "complaint")
            b.setEnabled(k != "complaint")
            b.toggled.connect(self._switch_changed)
            self.switches[k] = b
            grid.addWidget(b, i // 6, 1 + i % 6)
        self.list_host = QWidget(self)
        self.list_lay = QVBoxLayout(self.list_host)
        self.list_lay.setContentsMargins(0, 0, 0, 0)
        self.empty = QLabel(self.list_host)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setObjectName("hint")
        self.list_lay.addWidget(self.empty)
        self.list_lay.addStretch(1)
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scroll.setWidget(self.list_host)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.title)
        lay.addWidget(switch_box)
        lay.addWidget(self.keys)
        lay.addWidget(self.scroll, 1)
        self._tick = QTimer(self)
        self._tick.setInterval(100)
        self._tick.timeout.connect(self._update_countdowns)
        i18n.changed.connect(self.retranslate)
        self.retranslate()

    # ------------------------------------------------------------------ i18n
    def retranslate(self, *_a) -> None:
        self.title.setText(tr("panel.queue"))
        self.keys.setText(tr("queue.keys"))
        self.auto_label.setText(tr("queue.auto"))
        self.auto_label.setToolTip(tr("queue.auto_tip"))
        for k, b in self.switches.items():
            b.setText(kind_label(k))
            b.setToolTip(tr("queue.auto_tip"))
        self.empty.setText(tr("queue.empty"))
        for c in self.cards:
            c.retranslate()

    # ------------------------------------------------------------------ switches
    def auto_kinds(self) -> tuple[str, ...]:
        return tuple(k for k in AUTO_KINDS if self.switches[k].isChecked())

    def set_auto_kinds(self, kinds) -> None:
        for k in AUTO_KINDS:
            self.switches[k].blockSignals(True)
            self.switches[k].setChecked(k in kinds)
            self.switches[k].blockSignals(False)

    def _switch_changed(self, _on: bool) -> None:
        if self.on_auto_changed is not None:
            self.on_auto_changed(self.auto_kinds())

    # ------------------------------------------------------------------ core events
    def on_event(self, e: Event) -> None:
        if isinstance(e, ChatReceived):
            self._messages[e.msg_id] = (e.viewer.nickname or e.viewer.uid, e.text)
            if len(self._messages) > 50000:  # keep memory bounded in a long stream
                for k in list(self._messages)[:10000]:
                    del self._messages[k]
        elif isinstance(e, RecommendationsReady):
            self._recs[e.msg_id] = e
            if len(self._recs) > 2000:  # only cards still on screen need them
                for k in list(self._recs)[:1000]:
                    del self._recs[k]
        elif isinstance(e, ReplySuggested):
            self._suggested(e)
        elif isinstance(e, QuestionMerged):
            c = self._by_reply.get(e.reply_id)
            if c is not None:
                c.add_asker(e.viewer.nickname or e.viewer.uid, e.text, e.reply_id)
        elif isinstance(e, AutoApproveScheduled):
            c = self._by_reply.get(e.reply_id)
            if c is not None and c.reply_id == e.reply_id:
                c.start_countdown(e.delay_s)
                if not self._tick.isActive():
                    self._tick.start()
        elif isinstance(e, AutoApproveCancelled):
            c = self._by_reply.get(e.reply_id)
            if c is not None and c.reply_id == e.reply_id:
                c.stop_countdown()
        elif isinstance(e, ReplyRephrased):  # the model's new wording of a reply still counting down
            c = self._by_reply.get(e.reply_id)
            if c is not None and c.reply_id == e.reply_id and not c.edited:
                c.original_text = e.text
                c.editor.setPlainText(e.text)
        elif isinstance(e, (ReplyApproved, ReplyRejected)):
            c = self._by_reply.get(e.reply_id)
            if c is not None and c.reply_id == e.reply_id:
                self._remove(c)
        elif isinstance(e, SpeechMuted) and e.muted:
            for c in self.cards:
                c.stop_countdown()

    def _product_line(self, product_id: str | None) -> str:
        p = self.catalog.get(product_id) if self.catalog is not None and product_id else None
        if p is None:
            return ""
        num = f"{p.listing_number}号 " if p.listing_number is not None and i18n.lang == "zh" else (
            f"#{p.listing_number} " if p.listing_number is not None else "")
        title = p.title if i18n.lang == "zh" or not p.title_en else p.title_en
        return f"{tr('card.product')}: {num}{title} · ¥{p.price:.2f} · {tr('prod.col.stock')} {p.total_stock}"

    def _rec_lines(self, s: ReplySuggested) -> list[str]:
        out = []
        for m in s.msg_ids:
            r = self._recs.get(m)
            if r is None:
                continue
            for it in r.items[:3]:
                p = self.catalog.get(it.product_id) if self.catalog is not None else None
                name = (p.title if p is not None else it.product_id)
                reason = it.reason_zh if i18n.lang == "zh" else it.reason_en
                out.append(f"{tr('card.recs')}: {name} — {reason}")
        return out

    def _suggested(self, s: ReplySuggested) -> None:
        if s.intent == "introduce" and not s.held_reason:
            return  # the seller asked for it; approved at once by the core
        msgs = []
        for i, m in enumerate(s.msg_ids):
            if m in self._messages:
                msgs.append(self._messages[m])
            elif i < len(s.askers):
                msgs.append((s.askers[i].nickname or s.askers[i].uid, ""))
        if not msgs and s.viewer.uid != "host":
            msgs = [(s.viewer.nickname or s.viewer.uid, "")]
        card = SuggestionCard(s, msgs, self._product_line(s.product_id), self._rec_lines(s), self.list_host)
        card.created = self.clock()
        card.action.connect(self._on_card_action)
        bar = self.scroll.verticalScrollBar()
        at_top = bar.value() <= bar.minimum()
        self.cards.insert(0, card)  # newest on top: fresh questions (and countdowns) stay in view
        self._by_reply[s.reply_id] = card
        self.list_lay.insertWidget(1, card)  # after the (hidden) "no replies" label
        self.empty.setVisible(False)
        if len(self.cards) > MAX_CARDS:
            self._remove(self.cards[-1])
        if self.current is None:
            self.select(card, scroll=False)
        if at_top:  # the seller is looking at the newest cards: keep showing them
            QTimer.singleShot(0, self, self._scroll_top)

    def _scroll_top(self) -> None:
        bar = self.scroll.verticalScrollBar()
        bar.setValue(bar.minimum())

    def _remove(self, card: SuggestionCard) -> None:
        if card not in self.cards:
            return
        i = self.cards.index(card)
        self.cards.remove(card)
        for rid in card.reply_ids:
            self._by_reply.pop(rid, None)
        had_focus = card.editor.hasFocus()
        card.hide()
        card.setParent(None)
        card.deleteLater()
        if self.current is card:
            self.current = None
            if self.cards:
                self.select(self.cards[min(i, len(self.cards) - 1)], scroll=had_focus or self.hasFocus())
        self.empty.setVisible(not self.cards)
        if had_focus:
            self.setFocus()

    # ------------------------------------------------------------------ selection / keys
    def select(self, card: SuggestionCard | None, scroll: bool = True) -> None:
        """Select ``card``; ``scroll`` brings it into view (keyboard / mouse navigation)."""
        if self.current is not None and self.current in self.cards:
            self.current.set_selected(False)
        self.current = card
        if card is not None:
            card.set_selected(True)
            if scroll:
                self.scroll.ensureWidgetVisible(card)

    def _move(self, step: int) -> None:
        if not self.cards:
            return
        i = self.cards.index(self.current) if self.current in self.cards else -1
        self.select(self.cards[max(0, min(len(self.cards) - 1, i + step))])

    def keyPressEvent(self, ev: QKeyEvent) -> None:  # noqa: N802
        c = self.current
        k = ev.key()
        if k in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self._move(-1 if k == Qt.Key.Key_Up else 1)
            return
        if c is None:
            return super().keyPressEvent(ev)
        if k in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.approve(c)
        elif k == Qt.Key.Key_Escape:
            self.reject(c)
        elif k == Qt.Key.Key_E:
            self.edit(c)
        elif k == Qt.Key.Key_Space:
            self.speak_now(c)
        else:
            super().keyPressEvent(ev)

    def _on_card_action(self, name: str, card: SuggestionCard) -> None:
        if name == "select":
            self.select(card)
            self.setFocus()
        elif name == "focus_queue":
            self.setFocus()
        elif name == "editing":
            self.select(card)
            if card.countdown_end is not None:
                self.cancel_auto(card)
        else:
            getattr(self, name)(card)

    # ------------------------------------------------------------------ decisions -> commands
    def _send_edit(self, c: SuggestionCard) -> None:
        if c.edited:
            self.submit(ReplyEdited(t=c.suggestion.t, reply_id=c.reply_id, old_text=c.original_text,
                                    new_text=c.text))

    def approve(self, c: SuggestionCard) -> None:
        """Approve (the edited text, if edited): ``ReplyEdited`` first when changed, then
        ``ReplyApproved(by="seller")``; the card leaves the queue."""
        if not c.text:
            return
        self._send_edit(c)
        self.submit(ReplyApproved(t=c.suggestion.t, reply_id=c.reply_id, text=c.text, lang=c.suggestion.lang,
                                  by="seller"))
        self._remove(c)

    def reject(self, c: SuggestionCard) -> None:
        """``ReplyRejected(by="seller")``: nothing is spoken; the core logs the rejection."""
        self.submit(ReplyRejected(t=c.suggestion.t, reply_id=c.reply_id, by="seller"))
        self._remove(c)

    def edit(self, c: SuggestionCard) -> None:
        """Edit in place: stop its countdown and put the cursor in the text."""
        self.select(c)
        if c.countdown_end is not None:
            self.cancel_auto(c)
        c.editor.setFocus()
        c.editor.moveCursor(c.editor.textCursor().MoveOperation.End)

    def speak_now(self, c: SuggestionCard) -> None:
        """Say it now, interrupting what is being said."""
        if not c.text:
            return
        self._send_edit(c)
        if self.supports_interrupt_approval:
            self.submit(ReplyApproved(t=c.suggestion.t, reply_id=c.reply_id, text=c.text,
                                      lang=c.suggestion.lang, by="seller", interrupt=True))
        else:
            if c.countdown_end is not None:
                self.submit(CancelAutoApprove(t=c.suggestion.t, reply_id=c.reply_id))
            self.submit(SayText(t=c.suggestion.t, text=c.text, lang=c.suggestion.lang, interrupt=True))
        self._remove(c)

    def mute(self, c: SuggestionCard) -> None:
        """Mute the card's viewer for the session (``MuteViewer``); the card is dismissed
        (``ReplyRejected``): nothing about the message is spoken."""
        self.submit(MuteViewer(t=c.suggestion.t, viewer=c.suggestion.viewer, muted=True,
                               reason=c.suggestion.held_reason or "seller"))
        self.submit(ReplyRejected(t=c.suggestion.t, reply_id=c.reply_id, by="seller"))
        self._remove(c)

    def cancel_auto(self, c: SuggestionCard) -> None:
        """``CancelAutoApprove``: the card waits for the seller."""
        self.submit(CancelAutoApprove(t=c.suggestion.t, reply_id=c.reply_id))
        c.stop_countdown()

    def _update_countdowns(self) -> None:
        now = time.monotonic()
        active = False
        for c in self.cards:
            if c.countdown_end is not None:
                c.update_countdown(now)
                active = True
        if not active:
            self._tick.stop()

    def card_for(self, reply_id: str) -> SuggestionCard | None:
        return self._by_reply.get(reply_id)
