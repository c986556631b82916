"""Products tab: the catalog table, the now-selling pointer, Introduce, script editing,
generated drafts, and the idle rotation switch (the rotation itself runs in the core:
:mod:`app.reply.rotation`).

**Drafts.** "Generate" fills the drafts list of the selected product with the built-in
generator's introductions (:mod:`app.content.generator`; several variants, each with its length
in seconds) and its offer lines; "Write with the model" (when ``[llm]`` allows it) adds a draft
by the language model, written on a worker thread and checked sentence by sentence
(:mod:`app.content.writer`) -- a held draft shows why. Choosing a draft puts it in the script
editor; the seller edits it and "Save script" approves it into the catalog's ``script`` column.

The pointer is the core's: clicking "Set now selling", the F7/F8 hotkeys or typing a listing
number send ``SetNowSelling`` / ``StepNowSelling``; the highlighted row follows the core's
``NowSellingChanged``. "Introduce" sends ``IntroduceProduct``. Scripts are saved to a catalog
CSV (the seller's own file, or ``<data_dir>/catalog.csv`` when the catalog is the bundled demo
or an Excel file).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QIntValidator
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QPlainTextEdit, QPushButton, QSpinBox, QSplitter, QTableView,
                               QVBoxLayout, QWidget)

from app.catalog.model import Catalog, Product
from app.events import (Event, IntroduceProduct, NowSellingChanged, PurchaseSignalsCounted, SetNowSelling,
                        StepNowSelling)
from app.gui.i18n import i18n, tr

COLS = ("prod.col.listing", "prod.col.title", "prod.col.price", "prod.col.stock", "prod.col.variants",
        "prod.col.script", "prod.col.signals")


class CatalogModel(QAbstractTableModel):
    """The catalog as a table; the now-selling row is bold and tinted."""

    def __init__(self, catalog: Catalog, parent=None) -> None:
        super().__init__(parent)
        self.catalog = catalog
        self.products: list[Product] = self._ordered(catalog)
        self.now_selling: str | None = None
        self.signals: dict[str, PurchaseSignalsCounted] = {}
        """The latest purchase-signal count (扣1) per product id, from the core."""
        i18n.changed.connect(self._retranslate)

    def _retranslate(self, _lang: str) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLS) - 1)

    @staticmethod
    def _ordered(catalog: Catalog) -> list[Product]:
        return sorted(catalog, key=lambda p: (p.listing_number is None, p.listing_number or 0, p.product_id))

    def set_catalog(self, catalog: Catalog) -> None:
        self.beginResetModel()
        self.catalog = catalog
        self.products = self._ordered(catalog)
        self.endResetModel()

    def replace(self, product: Product) -> None:
        for i, p in enumerate(self.products):
            if p.product_id == product.product_id:
                self.products[i] = product
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLS) - 1))
        self.catalog = dataclasses.replace(
            self.catalog, products=tuple(product if p.product_id == product.product_id else p for p in self.catalog))

    def row_of(self, product_id: str | None) -> int:
        for i, p in enumerate(self.products):
            if p.product_id == product_id:
                return i
        return -1

    def set_signals(self, e: PurchaseSignalsCounted) -> None:
        """Show the live purchase-signal count of a product (the 扣1 column)."""
        self.signals[e.product_id] = e
        r = self.row_of(e.product_id)
        if r >= 0:
            c = len(COLS) - 1
            self.dataChanged.emit(self.index(r, c), self.index(r, c))

    def set_now_selling(self, product_id: str | None) -> None:
        old = self.row_of(self.now_selling)
        self.now_selling = product_id
        for r in {old, self.row_of(product_id)} - {-1}:
            self.dataChanged.emit(self.index(r, 0), self.index(r, len(COLS) - 1))

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.products)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return tr(COLS[section])
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        p = self.products[index.row()]
        c = index.column()
        now = p.product_id == self.now_selling
        if role == Qt.ItemDataRole.DisplayRole:
            if c == 0:
                return ("▶ " if now else "") + ("" if p.listing_number is None else str(p.listing_number))
            if c == 1:
                title = p.title if i18n.lang == "zh" or not p.title_en else p.title_en
                return title + (f"  [{tr('prod.now_selling')}]" if now else "")
            if c == 2:
                return f"¥{p.price:.2f}"
            if c == 3:
                return str(p.total_stock)
            if c == 4:
                return " / ".join(x for x in ("、".join(p.colors), "、".join(p.sizes)) if x)
            if c == 5:
                return tr("prod.yes") if p.script.strip() else tr("prod.no")
            sig = self.signals.get(p.product_id)
            return "" if sig is None else (f"{sig.count} / {sig.total}" if sig.count else f"{sig.total}")
        if role == Qt.ItemDataRole.FontRole and now:
            f = QFont()
            f.setBold(True)
            return f
        if role == Qt.ItemDataRole.BackgroundRole and now:
            return QBrush(QColor(255, 170, 60, 70))
        if role == Qt.ItemDataRole.ToolTipRole and c == len(COLS) - 1 and p.product_id in self.signals:
            sig = self.signals[p.product_id]
            return tr("prod.signals_tip", count=sig.count, viewers=sig.viewers, total=sig.total)
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join(x for x in (p.title, p.title_en, p.material, " | ".join(p.selling_points)) if x)
        if role == Qt.ItemDataRole.TextAlignmentRole and c in (0, 2, 3, 6):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class ProductsPanel(QWidget):
    """Products tab.

    Args:
        submit: sends a command event to the core.
        catalog: the catalog shown.
        catalog_path: the file it came from (scripts are saved relative to it).
        data_dir: where scripts of the bundled demo / Excel catalogs are saved.
    """

    script_saved = Signal(str)
    """Path the catalog with the edited script was written to."""
    rotation_changed = Signal(float)
    """The idle-rotation interval the seller chose, seconds (0 = off)."""
    drafts_ready = Signal(object)
    """(product_id, [Introduction | OfferLine | str error]) from a worker thread (queued to the GUI)."""

    def __init__(self, submit: Callable[[Event], object], catalog: Catalog, catalog_path: Path | None = None,
                 data_dir: Path | None = None, rotation_s: float = 0.0, parent=None, *, settings=None) -> None:
        super().__init__(parent)
        self.submit = submit
        self.settings = settings
        self.lang = settings.language if settings is not None else "zh"
        self.drafts: dict[str, list] = {}
        """Drafts per product id: Introduction / OfferLine objects, newest last."""
        self._generator = None
        self._llm_busy = False
        self.drafts_ready.connect(self._drafts_arrived)
        self.catalog_path = Path(catalog_path) if catalog_path else None
        self.data_dir = Path(data_dir) if data_dir else None
        self.model = CatalogModel(catalog, self)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.setAlternatingRowColors(True)
        self.view.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for c in (0, 2, 3, 5):
            self.view.horizontalHeader().setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.view.doubleClicked.connect(lambda _i: self.set_now_selected())
        self.view.selectionModel().currentRowChanged.connect(self._row_changed)

        self.btn_prev = QPushButton(self)
        self.btn_next = QPushButton(self)
        self.btn_set = QPushButton(self)
        self.btn_intro = QPushButton(self)
        self.btn_prev.clicked.connect(lambda: self.submit(StepNowSelling(step=-1)))
        self.btn_next.clicked.connect(lambda: self.submit(StepNowSelling(step=1)))
        self.btn_set.clicked.connect(self.set_now_selected)
        self.btn_intro.clicked.connect(self.introduce_selected)
        self.listing_label = QLabel(self)
        self.listing = QLineEdit(self)
        self.listing.setValidator(QIntValidator(1, 9999, self))
        self.listing.setMaximumWidth(self.fontMetrics().horizontalAdvance("0000") * 3)
        self.listing.returnPressed.connect(self.go_listing)
        self.btn_go = QPushButton(self)
        self.btn_go.clicked.connect(self.go_listing)
        self.now_label = QLabel(self)
        self.now_label.setObjectName("nowSelling")
        top = QHBoxLayout()
        for w in (self.btn_prev, self.btn_next, self.btn_set, self.btn_intro, self.listing_label, self.listing,
                  self.btn_go):
            top.addWidget(w)
        top.addStretch(1)
        top.addWidget(self.now_label)

        self.script_label = QLabel(self)
        self.script = QPlainTextEdit(self)
        self.btn_save = QPushButton(self)
        self.btn_save.clicked.connect(self.save_script)
        self.saved_label = QLabel(self)
        self.saved_label.setWordWrap(True)
        self.saved_label.setObjectName("hint")
        self.drafts_label = QLabel(self)
        self.drafts_box = QComboBox(self)
        self.drafts_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.drafts_box.setMinimumContentsLength(30)
        self.drafts_box.activated.connect(self._draft_chosen)
        self.btn_generate = QPushButton(self)
        self.btn_generate.clicked.connect(self.generate_drafts)
        self.btn_llm = QPushButton(self)
        self.btn_llm.clicked.connect(self.write_with_model)
        self.btn_llm.setVisible(self._llm_allowed())
        self.draft_note = QLabel(self)
        self.draft_note.setWordWrap(True)
        self.draft_note.setObjectName("hint")
        self.rotation_check = QCheckBox(self)
        self.rotation_every = QSpinBox(self)
        self.rotation_every.setRange(10, 3600)
        self.rotation_every.setValue(int(rotation_s) if rotation_s > 0 else 120)
        self.rotation_every_label = QLabel(self)
        self.rotation_check.setChecked(rotation_s > 0)
        self.rotation_check.toggled.connect(lambda _on: self._rotation_edited())
        self.rotation_every.valueChanged.connect(lambda _v: self._rotation_edited())

        bottom = QWidget(self)
        bl = QVBoxLayout(bottom)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.addWidget(self.script_label)
        drafts = QHBoxLayout()
        drafts.addWidget(self.drafts_label)
        drafts.addWidget(self.drafts_box, 1)
        drafts.addWidget(self.btn_generate)
        drafts.addWidget(self.btn_llm)
        bl.addLayout(drafts)
        bl.addWidget(self.draft_note)
        bl.addWidget(self.script, 1)
        row = QHBoxLayout()
        row.addWidget(self.btn_save)
        row.addWidget(self.saved_label, 1)
        bl.addLayout(row)
        rot = QHBoxLayout()
        rot.addWidget(self.rotation_check)
        rot.addWidget(self.rotation_every_label)
        rot.addWidget(self.rotation_every)
        rot.addStretch(1)
        bl.addLayout(rot)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.view)
        split.addWidget(bottom)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        lay.addWidget(split, 1)
        i18n.changed.connect(self.retranslate)
        self.retranslate()
        if self.model.products:
            self.view.selectRow(0)

    def retranslate(self, *_a) -> None:
        self.btn_prev.setText(tr("prod.prev") + " (F7)")
        self.btn_next.setText(tr("prod.next") + " (F8)")
        self.btn_set.setText(tr("prod.set_now"))
        self.btn_intro.setText(tr("prod.introduce") + " (F9)")
        self.listing_label.setText(tr("prod.listing_box"))
        self.btn_go.setText(tr("prod.go"))
        self.script_label.setText(tr("prod.script"))
        self.btn_save.setText(tr("prod.save_script"))
        self.drafts_label.setText(tr("prod.drafts"))
        self.btn_generate.setText(tr("prod.generate"))
        self.btn_llm.setText(tr("prod.write_llm"))
        self.rotation_check.setText(tr("prod.rotation"))
        self.rotation_every_label.setText(tr("prod.rotation_every"))
        self._update_now_label()

    # -- selection / commands
    def selected(self) -> Product | None:
        idx = self.view.currentIndex()
        return self.model.products[idx.row()] if idx.isValid() else None

    def select_product(self, product_id: str) -> None:
        r = self.model.row_of(product_id)
        if r >= 0:
            self.view.selectRow(r)

    def _row_changed(self, cur, _prev) -> None:
        p = self.model.products[cur.row()] if cur.isValid() else None
        self.script.setPlainText(p.script if p else "")
        self.saved_label.setText("")
        self._show_drafts(p.product_id if p else None)

    # -- drafts (generated introductions and offer lines)
    def generator(self):
        """The built-in generator for the catalog shown (made on first use)."""
        from app.content.generator import IntroGenerator

        if self._generator is None or self._generator.catalog is not self.model.catalog:
            if self.settings is not None:
                self._generator = IntroGenerator.from_settings(self.model.catalog, self.settings)
            else:
                self._generator = IntroGenerator(self.model.catalog)
        return self._generator

    def set_settings(self, settings) -> None:
        """Use new settings for drafts (language, speech rate, ``[content]``, ``[llm]``)."""
        self.settings = settings
        self.lang = settings.language
        self._generator = None
        self.btn_llm.setVisible(self._llm_allowed())

    def _llm_allowed(self) -> bool:
        s = self.settings
        return s is not None and s.llm.enabled and s.llm.write_introductions

    def generate_drafts(self) -> list:
        """Built-in drafts for the selected product: its introductions and offer lines (about a
        millisecond; on the GUI thread). Returns them."""
        p = self.selected()
        if p is None:
            return []
        g = self.generator()
        n = self.settings.content.variants if self.settings is not None else 3
        made = [*g.introductions(p, self.lang, n), *g.offer_lines(p, self.lang)]
        self.drafts[p.product_id] = [d for d in self.drafts.get(p.product_id, []) if getattr(d, "source", "") == "llm"]
        self.drafts[p.product_id] += made
        self._show_drafts(p.product_id, select_first=True)
        return made

    def write_with_model(self) -> None:
        """Ask the language model for a draft of the selected product on a worker thread; the
        checked draft (or the error) arrives through :attr:`drafts_ready`."""
        import threading

        p = self.selected()
        if p is None or self._llm_busy or not self._llm_allowed():
            return
        self._llm_busy = True
        self.btn_llm.setEnabled(False)
        self.draft_note.setText(tr("prod.llm_writing"))
        catalog, settings, lang = self.model.catalog, self.settings, self.lang
        count = sum(1 for d in self.drafts.get(p.product_id, []) if getattr(d, "source", "") == "llm")

        def work() -> None:
            import asyncio

            from app.content.llm import ChatClient, load_api_key
            from app.content.writer import LlmWriter
            from app.errors import LiveHostError

            try:
                key = load_api_key()[0] if settings.llm.api_key_in_keyring else None
                writer = LlmWriter.from_settings(catalog, settings,
                                                 client=ChatClient.from_settings(settings.llm, api_key=key))

                async def one():
                    try:
                        return await writer.introduction(p, lang, settings.llm.style, variant=count)
                    finally:
                        await writer.client.aclose()

                result = [asyncio.run(one())]
            except LiveHostError as exc:
                result = [f"{exc.message} {exc.hint}".strip()]
            except Exception as exc:  # noqa: BLE001 - shown to the seller, the console goes on
                result = [f"{type(exc).__name__}: {exc}"]
            self.drafts_ready.emit((p.product_id, result))

        threading.Thread(target=work, name="livehost-llm-draft", daemon=True).start()

    def _drafts_arrived(self, payload) -> None:
        pid, items = payload
        self._llm_busy = False
        self.btn_llm.setEnabled(True)
        errors = [x for x in items if isinstance(x, str)]
        self.drafts.setdefault(pid, []).extend(x for x in items if not isinstance(x, str))
        sel = self.selected()
        if sel is not None and sel.product_id == pid:
            self._show_drafts(pid, select_last=not errors)
        if errors:
            self.draft_note.setText(tr("prod.llm_failed", error=errors[0]))

    def _draft_label(self, d) -> str:
        if hasattr(d, "kind"):  # an offer line
            return f"{tr('prod.draft.' + d.kind)}: {d.text}"
        src = tr("prod.draft.llm") if d.source == "llm" else tr("prod.draft.builtin")
        head = f"{src} {d.variant + 1} · {d.seconds:.0f}s" + (f" · {tr('prod.draft.held')}" if d.held_reason else "")
        return f"{head}: {d.text[:40]}"

    def _show_drafts(self, product_id: str | None, *, select_first: bool = False, select_last: bool = False) -> None:
        self.drafts_box.clear()
        items = self.drafts.get(product_id or "", [])
        for d in items:
            self.drafts_box.addItem(self._draft_label(d))
        self.draft_note.setText("" if items else (tr("prod.drafts_none") if product_id else ""))
        if items and (select_first or select_last):
            i = 0 if select_first else len(items) - 1
            self.drafts_box.setCurrentIndex(i)
            self._draft_chosen(i)

    def _draft_chosen(self, index: int) -> None:
        p = self.selected()
        items = self.drafts.get(p.product_id, []) if p is not None else []
        if not 0 <= index < len(items):
            return
        d = items[index]
        self.script.setPlainText(d.text)
        held = getattr(d, "held_reason", "")
        fields = "、".join(d.fields) if i18n.lang == "zh" else ", ".join(d.fields)
        note = tr("prod.draft.fields", fields=fields)
        if held:
            note = tr("prod.draft.held_note", reason=held) + " " + note
        self.draft_note.setText(note)

    def set_now_selected(self) -> None:
        p = self.selected()
        if p is not None:
            self.submit(SetNowSelling(product_id=p.product_id))

    def introduce_selected(self) -> None:
        p = self.selected()
        self.submit(IntroduceProduct(product_id=p.product_id) if p is not None else IntroduceProduct())

    def introduce_now_selling(self) -> None:
        self.submit(IntroduceProduct())

    def go_listing(self) -> None:
        text = self.listing.text().strip()
        if text.isdigit():
            self.submit(SetNowSelling(listing_number=int(text)))
            self.listing.clear()

    def set_listing(self, n: int) -> None:
        self.submit(SetNowSelling(listing_number=n))

    # -- scripts
    def script_target(self) -> Path | None:
        """Where an edited script is saved: the seller's CSV catalog itself, else
        ``<data_dir>/catalog.csv`` (for the bundled demo catalog or an Excel file)."""
        from app.paths import ASSETS

        p = self.catalog_path
        if p is not None and p.suffix.lower() == ".csv":
            try:
                p.resolve().relative_to(ASSETS.resolve())
            except ValueError:
                return p
        return self.data_dir / "catalog.csv" if self.data_dir else None

    def save_script(self) -> Path | None:
        """Save the editor's text as the selected product's script; returns the file written."""
        from app.catalog.importer import write_catalog_csv

        p = self.selected()
        target = self.script_target()
        if p is None or target is None:
            return None
        new = dataclasses.replace(p, script=self.script.toPlainText().strip())
        self.model.replace(new)
        target.parent.mkdir(parents=True, exist_ok=True)
        write_catalog_csv(self.model.catalog, target)
        self.saved_label.setText(tr("prod.saved", path=str(target)) + " " + tr("prod.saved_note"))
        self.script_saved.emit(str(target))
        return target

    # -- idle rotation (the switch; the core does the rotating)
    @property
    def rotation_s(self) -> float:
        """The interval shown: seconds, 0 when switched off."""
        return float(self.rotation_every.value()) if self.rotation_check.isChecked() else 0.0

    def set_rotation(self, interval_s: float) -> None:
        """Show ``interval_s`` (0 = off) without announcing a change."""
        for w in (self.rotation_check, self.rotation_every):
            w.blockSignals(True)
        self.rotation_check.setChecked(interval_s > 0)
        if interval_s > 0:
            self.rotation_every.setValue(int(interval_s))
        for w in (self.rotation_check, self.rotation_every):
            w.blockSignals(False)

    def _rotation_edited(self) -> None:
        self.rotation_changed.emit(self.rotation_s)

    # -- core events
    def on_event(self, e: Event) -> None:
        if isinstance(e, PurchaseSignalsCounted):
            self.model.set_signals(e)
        if isinstance(e, NowSellingChanged):
            self.model.set_now_selling(e.product_id)
            self._update_now_label()

    def _update_now_label(self) -> None:
        p = self.model.catalog.get(self.model.now_selling)
        name = tr("prod.none") if p is None else (
            f"{p.listing_number}号 {p.title}" if i18n.lang == "zh" else f"#{p.listing_number} {p.title_en or p.title}")
        self.now_label.setText(f"{tr('prod.now_selling')}: {name}")
