"""The console's "Session report" (直播复盘): builds :mod:`app.report` for a session on a
worker thread (never the GUI thread) and opens the HTML in the system browser."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QWidget

from app.gui.i18n import tr


class _Signals(QObject):
    done = Signal(str)      # the HTML path
    failed = Signal(str)    # a message for the seller


class ReportJob(QRunnable):
    """Gather and write the report of ``session_id`` in ``db_path`` to ``out`` (report.html
    and report.json); ``compare``: another session id in the same database, or None.
    ``signals.done(path)`` / ``signals.failed(message)`` arrive on the GUI thread."""

    def __init__(self, db_path, session_id: str, out: Path, compare: str | None = None) -> None:
        super().__init__()
        self.db_path, self.session_id, self.out, self.compare = Path(db_path), session_id, Path(out), compare
        self.signals = _Signals()

    def run(self) -> None:  # worker thread
        from app.errors import LiveHostError
        from app.report import gather, write_report

        try:
            rep = gather(self.db_path, self.session_id)
            cmp = gather(self.db_path, self.compare, top_words=0) if self.compare else None
            write_report(rep, self.out, compare=cmp)
        except (LiveHostError, OSError, sqlite3.Error, ValueError) as exc:
            self.signals.failed.emit(str(exc))
            return
        self.signals.done.emit(str(self.out))


def session_ids(db_path) -> list[str]:
    """The session ids in a database, oldest first ([] when it cannot be read)."""
    try:
        con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            return [r[0] for r in con.execute("SELECT session_id FROM sessions ORDER BY started_at")]
        finally:
            con.close()
    except sqlite3.Error:
        return []


def report_path(db_path, session_id: str) -> Path:
    """Where the console writes a session's report: ``reports/<session>/report.html`` beside the database."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in session_id)
    return Path(db_path).parent / "reports" / safe / "report.html"


class ReportDialog(QDialog):
    """Pick the session (default: the given one) and an optional previous session to compare
    with, then build the report on the thread pool and open it in the browser."""

    def __init__(self, db_path, session_id: str | None = None, parent: QWidget | None = None, *,
                 open_browser: bool = True) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("report.title"))
        self.db_path = Path(db_path)
        self.open_browser = open_browser
        ids = session_ids(self.db_path)
        self.session = QComboBox(self)
        self.session.addItems(ids[::-1])
        if session_id in ids:
            self.session.setCurrentText(session_id)
        self.compare = QComboBox(self)
        self.compare.addItem(tr("report.no_compare"), None)
        for sid in ids[::-1]:
            self.compare.addItem(sid, sid)
        self.state = QLabel("", self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Close, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("report.build"))
        self.buttons.accepted.connect(self.build)
        self.buttons.rejected.connect(self.reject)
        lay = QFormLayout(self)
        lay.addRow(tr("report.session"), self.session)
        lay.addRow(tr("report.compare"), self.compare)
        lay.addRow(self.state)
        lay.addRow(self.buttons)
        self.last_path: str | None = None
        self.job: ReportJob | None = None

    def build(self) -> ReportJob | None:
        """Start the report job; returns it (None when there is no session)."""
        sid = self.session.currentText()
        if not sid:
            self.state.setText(tr("report.none"))
            return None
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        self.state.setText(tr("report.building"))
        self.job = ReportJob(self.db_path, sid, report_path(self.db_path, sid), self.compare.currentData())
        self.job.setAutoDelete(False)
        self.job.signals.done.connect(self._done)
        self.job.signals.failed.connect(self._failed)
        QThreadPool.globalInstance().start(self.job)
        return self.job

    def _done(self, path: str) -> None:
        self.last_path = path
        self.state.setText(tr("report.written", path=path))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(True)
        if self.open_browser:
            QDesktopServices.openUrl(QUrl.fromLocalFile(path))

    def _failed(self, message: str) -> None:
        self.state.setText(tr("report.failed", error=message))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(True)
