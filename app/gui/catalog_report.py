"""The catalog import report: what was wrong with a catalog file (and what the reader did), with
the seller's way on -- import the good rows, pick another file, or use the demo catalog -- so a
broken catalog never stops the console from opening."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QLabel, QPushButton, QTextBrowser,
                               QVBoxLayout, QWidget)

from app.gui.i18n import tr


class CatalogReportDialog(QDialog):
    """Shows a :class:`~app.catalog.importer.CatalogImportError` (or an import's notes).

    After ``exec()``, :attr:`choice` is ``skip`` (import the good rows), ``other`` (with
    :attr:`path` the chosen file), ``demo`` or ``quit``.
    """

    def __init__(self, path: Path, error=None, notes: tuple[str, ...] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("catalog.report.title"))
        self.choice = "quit"
        self.path: Path | None = None
        self.error = error
        head = QLabel(tr("catalog.report.head", file=str(path)) if error is not None
                      else tr("catalog.report.notes", file=str(path)), self)
        head.setWordWrap(True)
        self.view = QTextBrowser(self)
        items = [html.escape(str(e), quote=False) for e in getattr(error, "errors", ())[:200]]
        if error is not None and not items:
            items = [html.escape(error.message, quote=False)]
        items += [f"<i>{html.escape(n, quote=False)}</i>" for n in notes]
        self.view.setHtml("<ul>" + "".join(f"<li>{x}</li>" for x in items) + "</ul>"
                          + (f"<p>{html.escape(error.hint, quote=False)}</p>" if error is not None and error.hint else ""))
        self.buttons = QDialogButtonBox(self)
        self.b_skip = QPushButton(tr("catalog.report.skip"), self)
        self.b_other = QPushButton(tr("catalog.report.other"), self)
        self.b_demo = QPushButton(tr("catalog.report.demo"), self)
        self.b_quit = QPushButton(tr("catalog.report.quit") if error is not None else tr("dlg.ok"), self)
        for b, role in ((self.b_skip, QDialogButtonBox.ButtonRole.AcceptRole),
                        (self.b_other, QDialogButtonBox.ButtonRole.ActionRole),
                        (self.b_demo, QDialogButtonBox.ButtonRole.ActionRole),
                        (self.b_quit, QDialogButtonBox.ButtonRole.RejectRole)):
            self.buttons.addButton(b, role)
        can_skip = error is not None and bool(getattr(error, "errors", ())) and any(
            getattr(e, "row", None) is not None for e in error.errors)
        self.b_skip.setVisible(can_skip)
        self.b_other.setVisible(error is not None)
        self.b_demo.setVisible(error is not None)
        self.b_skip.clicked.connect(lambda: self._done("skip"))
        self.b_other.clicked.connect(self._pick)
        self.b_demo.clicked.connect(lambda: self._done("demo"))
        self.b_quit.clicked.connect(lambda: self._done("quit" if error is not None else "ok"))
        lay = QVBoxLayout(self)
        lay.addWidget(head)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.buttons)
        fm = self.fontMetrics()
        self.resize(fm.horizontalAdvance("M") * 70, fm.height() * 24)

    def _done(self, choice: str) -> None:
        self.choice = choice
        (self.accept if choice != "quit" else self.reject)()

    def _pick(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("menu.open_catalog"), "", "Catalog (*.csv *.xlsx *.xlsm *.txt)")
        if path:
            self.path = Path(path)
            self._done("other")


def load_catalog_for_console(path: Path, *, skip_bad_rows: bool = False, ask=None):
    """Load the console's catalog; when it cannot be imported, ask the seller (``ask(path, error)``
    -> (choice, path); default: the dialog) until a catalog loads or they quit.

    Returns:
        (catalog, path) -- or ``None`` when the seller chose to quit.

    Raises:
        LiveHostError: the first file does not exist or cannot be read at all (a mistyped path is
            a command-line error, said before any window opens).
    """
    from app.catalog.importer import CatalogImportError, load_catalog
    from app.paths import DEMO_CATALOG

    def dialog(p, err):
        dlg = CatalogReportDialog(p, err)
        dlg.exec()
        return dlg.choice, dlg.path

    ask = ask or dialog
    skip = skip_bad_rows
    while True:
        try:
            return load_catalog(path, skip_bad_rows=skip).catalog, path
        except CatalogImportError as exc:
            choice, other = ask(path, exc)
        if choice == "skip":
            skip = True
        elif choice == "other" and other is not None:
            path, skip = Path(other), skip_bad_rows
        elif choice == "demo":
            path, skip = DEMO_CATALOG, False
        else:
            return None
