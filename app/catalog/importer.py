"""Read and write the seller's catalog file (CSV or XLSX) in the LiveHost catalog format.

The format (one header row, one product per row) is the project contract; columns map 1:1 to
:class:`app.catalog.model.Product`:

=========================== ==================================================================
column                      value
=========================== ==================================================================
product_id (required)       unique text
listing_number              whole number >= 1, unique, or empty (not listed tonight)
title (required)            text, at most :data:`MAX_TITLE_CHARS` characters
short_name                  how the host says it (碎花裙), at most :data:`MAX_SHORT_NAME_CHARS`
title_en                    text
category (required)         text
brand                       text
price (required column)     yuan, > 0, at most 2 decimals; 0 only with ``free_gift`` = yes.
                            May be empty when every SKU has its own price: then it is the
                            lowest SKU price (and if given, it must be that lowest price)
original_price              yuan, like ``price``, or empty
unit                        what one price buys: 250g, 1双, 1盒
free_gift                   yes / no / empty (= no): a free gift (赠品), its price is 0
options                     the option names of the SKUs, ``|``-separated: ``颜色|适用机型``,
                            ``容量``; empty = ``颜色|尺码`` (colour/size)
skus                        entries separated by ``;``, each ``VALUES:STOCK`` with one value
                            per option, ``/``-separated (``黑色/M:12``; ``30ml:50``), then
                            optionally ``@PRICE``, ``(原价PRICE)`` after the price, and
                            ``#BARCODE``: ``50ml:30@149(原价199)#6901234567890``. With the
                            default options (colour/size) either value may be empty:
                            ``黑色/M:12; /均码:5; 白色/:3``. A product without variants:
                            ``150``, ``/:150`` or ``:150`` (or the ``stock`` column)
stock                       whole number >= 0: the stock of a product without variants, or
                            (when ``skus`` lists variants) their total, which must match
options_en                  English for option names and values: ``颜色=Colour; 黑色=black``
size_chart                  ``size=HMIN-HMAXcm,WMIN-WMAXkg`` entries separated by ``;``; either
                            measure may be left out, but each given measure has both bounds
material, material_en       text
selling_points              ``|``-separated; ``selling_points_en`` likewise, in English
suitable_for                ``|``-separated: 油皮|干皮, iPhone 16 Pro Max, 3-6岁, 小型犬
net_weight, shelf_life      text: 250g; 12个月
production_date, storage    text (an Excel date cell is written as YYYY-MM-DD); 阴凉干燥处
courier, ships_from         text
dispatch_days               whole number of days >= 0
delivery_days               text such as ``2-4``
free_shipping               yes / no / empty
free_shipping_exceptions    ``|``-separated regions
return_days                 whole number of days >= 0 (0 = no returns)
return_shipping_paid_by     seller / buyer / insurance / empty
warranty                    text
faq                         this product's questions answered in advance, ``问题=答案``
                            entries separated by ``;``: ``保质期=12个月; 起球=不起球``
tags, aliases               ``|``-separated
script                      text
demo_data                   yes / no / empty (= no)
=========================== ==================================================================

The shop-wide FAQ (货到付款, 发票, 运费险 ...) is a table with the columns ``question`` and
``answer`` (or 问题 and 答案): in an XLSX catalog the sheet named ``FAQ`` (or 常见问题, 问答);
for any catalog the file ``<catalog>.faq.csv`` next to it (``shop.csv`` -> ``shop.faq.csv``),
or a file given with ``faq=``. It becomes :attr:`Catalog.faq`.

What the reader tolerates, so that a file typed or exported by a seller in Excel with a Chinese
input method loads (all of it documented here, nothing else is guessed):

* CSV in UTF-8 with or without BOM, UTF-16 with BOM (Excel's "Unicode text", tab-separated),
  and legacy encodings detected with ``charset-normalizer``: GB18030/GBK (Excel on Simplified-
  Chinese Windows) and Big5 (read as cp950, Excel on Traditional-Chinese Windows) among them.
  Of the candidate encodings the one whose product titles read as the most plausible text
  (common Chinese characters, punctuation, Latin letters) wins, so Big5 is not taken for
  GB18030 gibberish or the other way round; when no candidate reads plausibly the file is
  refused (code ``catalog-encoding``). Fields separated by ``,``, tab or ``;``.
* XLSX: the first sheet that is not the FAQ sheet, cached values of formulas. Merged cells
  below the header (a courier merged over several rows) are filled with the merged range's
  value and reported in :attr:`ImportResult.notes`.
* Banner rows above the header (shop name, export date) are skipped and reported in the notes;
  the header is the row (among the first :data:`HEADER_SEARCH_ROWS`) naming the most catalog
  columns.
* Header names are matched case-insensitively, surrounding spaces ignored, inner spaces or
  hyphens read as ``_``. Columns the format does not know are ignored.
* Money: ``59.9``, ``59.90``, ``¥59.90``, ``￥59.9``, ``59.9元``, ``1,299.00`` (thousands
  commas), full-width digits. Rejected: negative amounts, more than 2 decimals (``59.999``),
  anything else (``59.9起``, ``面议``). A number cell in XLSX is read by its shortest decimal
  form; float noise from formulas (``59.900000000000006``) is rounded to the fen, a real third
  decimal (``59.995``) is rejected. Prices are returned quantized to the fen:
  ``19.9`` -> ``Decimal('19.90')``.
* Yes/no: ``yes/no``, ``y/n``, ``true/false``, ``1/0``, ``是/否``, ``包邮/不包邮`` (free_shipping).
* Who pays return shipping: ``seller/buyer/insurance`` or ``卖家/商家/买家/运费险``.
* Full-width forms (``；`` ``：`` ``，`` ``／`` ``＠`` ``＃`` ``（`` ``Ｍ`` ``３``) are read as their
  ASCII form (Unicode NFKC) in the structured columns: options, skus, stock, options_en keys,
  size_chart, numbers, yes/no, delivery_days. List columns (selling_points, tags, aliases,
  suitable_for, free_shipping_exceptions) accept ``｜`` as separator, the faq column ``；`` and
  ``＝``; their items' text is kept unchanged.
* Completely empty rows are skipped (they still count for row numbers).

Row numbers in errors are the ones the seller sees in Excel: the first row of the file is row 1
(the header is row 1 unless banner rows stand above it); a CSV record spanning several lines
because of a quoted line break is one row.
"""

from __future__ import annotations

import codecs
import csv
import datetime as _dt
import io
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from app.catalog.encoding import (BOMS, LEGACY_FALLBACKS, codec_name, legacy_candidates,
                                  plausibility)
from app.catalog.model import (COLOR_OPTION, SIZE_OPTION, AfterSales, Catalog, FaqEntry, Product,
                               Shipping, SizeRange, Sku, faq_key, is_color_option, is_size_option)
from app.errors import CatalogError, LiveHostError
from app.vocab import ErrorCode

__all__ = [
    "COLUMNS",
    "FAQ_COLUMNS",
    "REQUIRED_COLUMNS",
    "CatalogImportError",
    "ImportResult",
    "faq_path_for",
    "load_catalog",
    "write_catalog_csv",
    "write_faq_csv",
]

COLUMNS: tuple[str, ...] = (
    "product_id", "listing_number", "title", "short_name", "title_en", "category", "brand",
    "price", "original_price", "unit", "free_gift", "options", "skus", "stock", "options_en",
    "size_chart", "material", "material_en", "selling_points", "selling_points_en",
    "suitable_for", "net_weight", "shelf_life", "production_date", "storage", "courier",
    "ships_from", "dispatch_days", "delivery_days", "free_shipping", "free_shipping_exceptions",
    "return_days", "return_shipping_paid_by", "warranty", "faq", "tags", "aliases", "script",
    "demo_data",
)
"""All columns of the catalog format, in the order :func:`write_catalog_csv` writes them."""

REQUIRED_COLUMNS: tuple[str, ...] = ("product_id", "title", "category", "price")
"""Columns that must be present in the header and (but for ``price``, see the format) non-empty
in every row."""
FAQ_COLUMNS: tuple[str, ...] = ("question", "answer")
"""Columns of the shop-wide FAQ table (also accepted: 问题, 答案)."""

MAX_PRICE = Decimal("10000000")
"""Largest price accepted, yuan (a guard against a mistyped number of digits)."""
MAX_TITLE_CHARS = 120
"""Longest title accepted (titles are spoken in replies)."""
MAX_SHORT_NAME_CHARS = 20
"""Longest short_name accepted (it is what the host says instead of the title)."""
MAX_FAQ_ANSWER_CHARS = 300
"""Longest FAQ answer accepted (answers are spoken)."""
MAX_STOCK = 999_999_999
"""Largest stock of one SKU."""
HEADER_SEARCH_ROWS = 30
"""How many rows from the top are searched for the header (banner rows above it)."""
PLAUSIBLE_TEXT = 0.8
"""Share of plausible characters (see :func:`app.catalog.encoding.plausibility`) the titles of a legacy-encoded
CSV must reach in the chosen encoding."""

_CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
_XLSX_SUFFIXES = {".xlsx", ".xlsm"}
_FAQ_SHEETS = {"faq", "faqs", "常见问题", "常見問題", "问答", "問答", "qa", "q&a", "shop_faq"}
_FAQ_HEADER = {"question": "question", "问题": "question", "問題": "question", "问": "question",
               "q": "question", "answer": "answer", "答案": "answer", "回答": "answer",
               "答": "answer", "a": "answer"}

_YES = {"yes", "y", "true", "t", "1", "是", "有", "包邮", "√"}
_NO = {"no", "n", "false", "f", "0", "否", "无", "不包邮", "×"}
_PAID_BY = {
    "seller": "seller", "卖家": "seller", "商家": "seller", "店铺": "seller",
    "buyer": "buyer", "买家": "buyer", "顾客": "buyer",
    "insurance": "insurance", "运费险": "insurance", "退货险": "insurance",
}

_MONEY_RE = re.compile(r"^(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.(\d+))?$")
_RANGE_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s*(cm|kg)$", re.IGNORECASE)
_BARCODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
_ORIGINAL_MARKS = ("原价", "原價", "划线价", "劃線價", "was", "original")
_OPTION_NAME_FORBIDDEN = set(";:/@#()=|")
_FEN = Decimal("0.01")

_SKU_HINT = ("Write each SKU as VALUES:STOCK separated by ';', with one value per option "
             "(colour/size by default), e.g. 黑色/M:12; 白色/L:0, or with options 容量: "
             "30ml:50@99; 50ml:30@149.")


class CatalogImportError(LiveHostError):
    """The catalog file was not imported; ``errors`` lists every problem found.

    Attributes:
        errors: one :class:`CatalogError` per problem (file, row, column named in each).
        file: the catalog file's path as text.
    """

    def __init__(self, errors: Sequence[CatalogError], *, file: str = "",
                 code: str = ErrorCode.CATALOG_INVALID) -> None:
        self.errors: tuple[CatalogError, ...] = tuple(errors)
        self.file = file
        n = len(self.errors)
        head = f"{file}: catalog not imported, {n} problem{'s' if n != 1 else ''}"
        detail = "; ".join(e.message for e in self.errors[:5])
        if n > 5:
            detail += f"; ... and {n - 5} more"
        super().__init__(
            str(code),
            f"{head}: {detail}" if detail else head,
            "Fix the rows listed and import again, or import with 'skip bad rows' (--skip-bad-rows) to load "
            "the good rows now.",
        )


@dataclass(frozen=True)
class ImportResult:
    """What :func:`load_catalog` read.

    Attributes:
        catalog: the products that were imported, in file order, and the shop-wide FAQ.
        skipped: the problems of rows left out (only with ``skip_bad_rows=True``; else empty).
        notes: what the reader did that the seller should know, one sentence each: banner rows
            skipped, merged cells filled (``column 'courier', rows 3-7: merged cells filled
            with 中通``), the encoding a CSV was read in when it was not UTF-8, where the shop
            FAQ came from.
        encoding: the text encoding a CSV catalog was read in (Python codec name such as
            ``utf-8``, ``gb18030``, ``cp950``, ``utf-16``); ``""`` for XLSX.
    """

    catalog: Catalog
    skipped: tuple[CatalogError, ...] = ()
    notes: tuple[str, ...] = ()
    encoding: str = ""


# ---------------------------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------------------------

def faq_path_for(path: Path) -> Path:
    """The shop-FAQ file that goes with catalog ``path``: ``shop.csv`` -> ``shop.faq.csv``."""
    path = Path(path)
    return path.with_name(path.stem + ".faq.csv")


def load_catalog(path: Path, *, skip_bad_rows: bool = False,
                 faq: Path | None = None) -> ImportResult:
    """Read a catalog file (``.csv`` or ``.xlsx``) into a :class:`Catalog`.

    Args:
        path: the catalog file. ``.csv``/``.txt``/``.tsv`` is read as CSV, ``.xlsx``/``.xlsm``
            as Excel (the first sheet that is not a FAQ sheet).
        skip_bad_rows: False (default): any bad row (of the catalog or of the shop FAQ) stops
            the import and nothing is imported. True: bad rows are left out and reported in
            :attr:`ImportResult.skipped`.
        faq: a CSV/XLSX file holding the shop-wide FAQ (columns question, answer). ``None``:
            the XLSX catalog's FAQ sheet, else ``<catalog>.faq.csv`` next to the catalog when
            it exists, else no shop FAQ.

    Returns:
        :class:`ImportResult` with the catalog in file order.

    Raises:
        CatalogError: code ``catalog-missing`` when the file (or the given FAQ file) does not
            exist, ``catalog-unsupported`` for another file type, ``catalog-unreadable`` when
            the file cannot be opened or parsed, ``catalog-encoding`` when a CSV's text does
            not decode to plausible text in any encoding tried (the message names them).
        CatalogImportError: code ``catalog-invalid`` listing every problem (missing required
            column, bad values, duplicate product_id or listing_number, bad FAQ rows) when rows
            are bad and ``skip_bad_rows`` is False, or when a required column is missing
            (always); code ``catalog-empty`` when no product is left to import.
    """
    path = Path(path)
    name = str(path)
    _check_file(path)
    notes: list[str] = []
    suffix = path.suffix.lower()
    faq_table: _Table | None = None
    encoding = ""
    if suffix in _CSV_SUFFIXES:
        table, encoding = _read_csv(path, _product_header, "title")
    elif suffix in _XLSX_SUFFIXES:
        table, faq_table = _read_xlsx(path)
    else:
        raise CatalogError(
            f"unsupported file type '{path.suffix or '(none)'}'", file=name,
            code=ErrorCode.CATALOG_UNSUPPORTED,
            hint="Save the catalog as .xlsx or as CSV UTF-8 (.csv).",
        )
    notes.extend(table.notes)
    products, bad = _build(table, name)

    faq_entries: tuple[FaqEntry, ...] = ()
    faq_bad: list[CatalogError] = []
    if faq is not None:
        faq = Path(faq)
        _check_file(faq)
        faq_table = _read_faq_file(faq)
    elif faq_table is None and faq_path_for(path).is_file():
        faq_table = _read_faq_file(faq_path_for(path))
    if faq_table is not None:
        notes.extend(f"{faq_table.source}: {n}" for n in faq_table.notes)
        faq_entries, faq_bad = _build_faq(faq_table)
        notes.append(f"shop FAQ: {len(faq_entries)} entr{'y' if len(faq_entries) == 1 else 'ies'} "
                     f"from {faq_table.source}")
    bad.extend(faq_bad)

    if bad and not skip_bad_rows:
        raise CatalogImportError(bad, file=name)
    if not products:
        err = CatalogError(
            "no product could be imported" if bad else "the file has a header but no products",
            file=name, code=ErrorCode.CATALOG_EMPTY,
            hint="Add one product per row below the header row.")
        raise CatalogImportError([*bad, err], file=name, code=ErrorCode.CATALOG_EMPTY)
    return ImportResult(Catalog(tuple(products), faq=faq_entries),
                        tuple(bad) if skip_bad_rows else (), tuple(notes), encoding)


def _check_file(path: Path) -> None:
    if not path.is_file():
        raise CatalogError(
            "catalog file not found" if not path.exists() else "catalog path is not a file",
            file=str(path), code=ErrorCode.CATALOG_MISSING,
            hint="Check the path, or export the catalog from your shop again.",
        )


@dataclass
class _Table:
    """One sheet or CSV file, located: its rows, header and column positions."""

    file: str
    source: str
    """How to name it in a note: the file name, or ``sheet 'FAQ' of shop.xlsx``."""
    rows: list[list[object]]
    header_idx: int | None
    """0-based index of the header row in ``rows``; ``None`` when every row is empty."""
    col_index: dict[str, int]
    problems: list[CatalogError]
    """Header problems (a column twice, a required column missing): nothing can be imported."""
    notes: list[str]


def _norm_header(value: object) -> str:
    text = _cell_text(value)
    text = unicodedata.normalize("NFKC", text).strip().lower()
    return re.sub(r"[\s\-]+", "_", text)


def _product_header(cell: object) -> str | None:
    h = _norm_header(cell)
    return h if h in COLUMNS else None


def _faq_header(cell: object) -> str | None:
    return _FAQ_HEADER.get(_norm_header(cell))


def _locate(rows: list[list[object]], file: str, source: str, header_of) -> _Table:
    """Find the header (banner rows above it allowed) and the columns it names.

    ``header_of`` maps a header cell to its column name (``None`` = not a column). The header
    is the row among the first :data:`HEADER_SEARCH_ROWS` non-empty ones that names the most
    columns (the first such row on a tie; the first non-empty row when none names any).
    """
    first = next((i for i, r in enumerate(rows) if not _blank(r)), None)
    notes: list[str] = []
    if first is None:
        return _Table(file, source, rows, None, {}, [], notes)
    best, best_score = first, 0
    for i in range(first, min(len(rows), first + HEADER_SEARCH_ROWS)):
        score = len({c for c in (header_of(v) for v in rows[i]) if c})
        if score > best_score:
            best, best_score = i, score
    header_idx = best
    banner = [i for i in range(first, header_idx) if not _blank(rows[i])]
    if banner:
        shown = " / ".join(" ".join(_cell_text(v) for v in rows[i] if _cell_text(v))
                           for i in banner)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        where = (f"row {banner[0] + 1}" if len(banner) == 1
                 else f"rows {banner[0] + 1}-{banner[-1] + 1}")
        notes.append(f"{where} above the header (row {header_idx + 1}) skipped: {shown}")
    header_row = header_idx + 1
    col_index: dict[str, int] = {}
    problems: list[CatalogError] = []
    for i, cell in enumerate(rows[header_idx]):
        h = header_of(cell)
        if not h:
            continue
        if h in col_index:
            problems.append(CatalogError(
                f"column '{h}' appears twice (columns {_col_letter(col_index[h])} and "
                f"{_col_letter(i)})", file=file, row=header_row, column=h,
                hint="Delete or rename one of the two columns."))
        else:
            col_index[h] = i
    return _Table(file, source, rows, header_idx, col_index, problems, notes)


def _require(table: _Table, required: Sequence[str], all_columns: Sequence[str]
             ) -> list[CatalogError]:
    """The header problems of ``table`` plus one error per required column it lacks."""
    assert table.header_idx is not None
    problems = list(table.problems)
    for req in required:
        if req not in table.col_index:
            problems.append(CatalogError(
                f"required column '{req}' is missing from the header", file=table.file,
                row=table.header_idx + 1, column=req,
                hint=f"Add a column named '{req}' to the header row (columns: "
                     f"{', '.join(all_columns)})."))
    return problems


# ---- CSV -------------------------------------------------------------------------------------

_DELIMITERS = ((",", "commas"), ("\t", "tabs"), (";", "semicolons"))


def _read_csv(path: Path, header_of, key_column: str) -> tuple[_Table, str]:
    """Decode, split and locate a CSV file; ``key_column`` is the column whose text judges a
    legacy encoding (titles). Returns the table and the codec used."""
    data = path.read_bytes()
    name = str(path)
    bom = next((codec for mark, codec in BOMS if data.startswith(mark)), None)
    if bom is not None:  # a BOM says what it is: nothing to guess
        try:
            text = data.decode(bom)
        except UnicodeDecodeError as exc:
            raise CatalogError(
                f"the file starts like {codec_name(bom)} text but is not ({exc.reason})",
                file=name, code=ErrorCode.CATALOG_ENCODING,
                hint="In Excel choose 'Save as' -> 'CSV UTF-8 (comma delimited)'.") from exc
        return _split_csv(text, name, header_of), codecs.lookup(bom).name
    try:  # valid UTF-8 is practically never another encoding's text
        return _split_csv(data.decode("utf-8"), name, header_of), "utf-8"
    except UnicodeDecodeError:
        pass

    tried: list[str] = []
    best: tuple[tuple, float, str, _Table] | None = None
    for order, codec in enumerate(legacy_candidates(data)):
        tried.append(codec_name(codec))
        try:
            text = data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        try:
            table = _split_csv(text, name, header_of)
        except CatalogError:
            continue
        score = plausibility(_sample_text(table, header_of, key_column))
        # more columns recognised, then more plausible text, then the commoner Excel encoding
        # (GB18030, then Big5) on a tie, then charset-normalizer's order
        rank = (len(table.col_index), score,
                -LEGACY_FALLBACKS.index(codec) if codec in LEGACY_FALLBACKS else -2, -order)
        if best is None or rank > best[0]:
            best = (rank, score, codec, table)
    if best is None or best[1] < PLAUSIBLE_TEXT:
        detail = ("no encoding tried decodes it" if best is None else
                  f"in the best of them, {codec_name(best[2])}, only {best[1]:.0%} of the "
                  f"{key_column} characters are ordinary text")
        raise CatalogError(
            f"the {key_column}s do not read as text in any encoding tried "
            f"({', '.join(tried)}): {detail}", file=name, code=ErrorCode.CATALOG_ENCODING,
            hint="In Excel choose 'Save as' -> 'CSV UTF-8 (comma delimited)', or import the "
                 ".xlsx file.")
    _, _, codec, table = best
    codec = codecs.lookup(codec).name
    table.notes.insert(0, f"file read as {codec_name(codec)} text (it is not UTF-8)")
    return table, codec


def _split_csv(text: str, name: str, header_of) -> _Table:
    """Rows of a decoded CSV text, with the delimiter that makes the best header."""
    best: _Table | None = None
    best_score = -1
    first_error: csv.Error | None = None
    for delim, label in _DELIMITERS:
        try:
            rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delim)]
        except csv.Error as exc:
            first_error = first_error or exc
            continue
        located = _locate(rows, name, Path(name).name, header_of)
        score = len(located.col_index)
        if score > best_score:
            best, best_score = located, score
            if delim != ",":
                best.notes.insert(0, f"columns separated by {label}")
    if best is None:
        raise CatalogError(
            f"not a valid CSV file ({first_error})", file=name,
            code=ErrorCode.CATALOG_UNREADABLE,
            hint="Save the catalog from Excel as 'CSV UTF-8', or import the .xlsx file.")
    return best


def _sample_text(table: _Table, header_of, key_column: str) -> str:
    """The text an encoding is judged by: the key column's cells (titles), or all cells when
    those hold too few non-ASCII characters to judge."""
    rows = table.rows
    start = 0 if table.header_idx is None else table.header_idx + 1
    col = None
    if table.header_idx is not None:
        col = next((i for i, c in enumerate(rows[table.header_idx])
                    if header_of(c) == key_column), None)
    if col is not None:
        sample = "".join(_cell_text(r[col]) for r in rows[start:] if col < len(r))
        if sum(1 for ch in sample if ord(ch) > 127) >= 6:
            return sample
    return "".join(_cell_text(v) for r in rows for v in r)


def _read_faq_file(path: Path) -> _Table:
    suffix = path.suffix.lower()
    if suffix in _XLSX_SUFFIXES:
        sheets = _xlsx_sheets(path)
        faq = next((s for s in sheets if _norm_header(s[0]) in _FAQ_SHEETS), sheets[0])
        return _faq_table(faq[1], str(path), f"sheet '{faq[0]}' of {path.name}", faq[2])
    if suffix not in _CSV_SUFFIXES:
        raise CatalogError(
            f"unsupported FAQ file type '{path.suffix or '(none)'}'", file=str(path),
            code=ErrorCode.CATALOG_UNSUPPORTED,
            hint="Save the FAQ as CSV UTF-8 (.csv) with the columns question and answer.")
    table, _ = _read_csv(path, _faq_header, "question")
    return table


def _faq_table(rows, file: str, source: str, merged) -> _Table:
    table = _locate(rows, file, source, _faq_header)
    _fill_merged(table, merged)
    return table


# ---- XLSX ------------------------------------------------------------------------------------

def _xlsx_sheets(path: Path) -> list[tuple[str, list[list[object]], list[tuple[int, int, int, int]]]]:
    """``(title, rows, merged ranges)`` of every sheet; ranges are 1-based
    ``(min_row, max_row, min_col, max_col)``."""
    import openpyxl  # only needed for Excel files

    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # InvalidFileException, zipfile.BadZipFile, KeyError ... from a bad file
        raise CatalogError(
            f"cannot open the Excel file ({exc.__class__.__name__}: {exc})", file=str(path),
            code=ErrorCode.CATALOG_UNREADABLE,
            hint="Open it in Excel or WPS and save it again as .xlsx.",
        ) from exc
    try:
        out = []
        for ws in wb.worksheets:
            rows = [list(r) for r in ws.iter_rows(min_row=1, values_only=True)]
            merged = [(m.min_row, m.max_row, m.min_col, m.max_col) for m in ws.merged_cells.ranges]
            out.append((ws.title, rows, merged))
        return out
    finally:
        wb.close()


def _read_xlsx(path: Path) -> tuple[_Table, _Table | None]:
    sheets = _xlsx_sheets(path)
    name = str(path)
    faq = next((s for s in sheets if _norm_header(s[0]) in _FAQ_SHEETS), None)
    products = next((s for s in sheets if s is not faq), None)
    if products is None:
        table = _Table(name, name, [], None, {}, [], [])
    else:
        table = _locate(products[1], name, path.name, _product_header)
        _fill_merged(table, products[2])
    faq_table = (_faq_table(faq[1], name, f"sheet '{faq[0]}' of {path.name}", faq[2])
                 if faq is not None else None)
    return table, faq_table


def _fill_merged(table: _Table, merged: Iterable[tuple[int, int, int, int]]) -> None:
    """Give every cell of a merged range below the header the range's value (Excel keeps it
    in the top-left cell only), and note it for the named columns."""
    if table.header_idx is None:
        return
    header_row = table.header_idx + 1
    names = {i: c for c, i in table.col_index.items()}
    rows = table.rows
    for min_row, max_row, min_col, max_col in sorted(merged):
        max_row = min(max_row, len(rows))
        if min_row <= header_row or max_row < min_row:
            continue
        top = rows[min_row - 1]
        value = top[min_col - 1] if min_col - 1 < len(top) else None
        if _cell_text(value) == "":
            continue
        for r in range(min_row, max_row + 1):
            row = rows[r - 1]
            if len(row) < max_col:
                row.extend([None] * (max_col - len(row)))
            for c in range(min_col, max_col + 1):
                row[c - 1] = value
        where = f"rows {min_row}-{max_row}" if max_row > min_row else f"row {min_row}"
        for c in range(min_col, max_col + 1):
            if c - 1 in names and (max_row > min_row or c > min_col):
                table.notes.append(f"column '{names[c - 1]}', {where}: merged cells filled "
                                   f"with {_cell_text(value)}")


# ---- building --------------------------------------------------------------------------------

def _build(table: _Table, name: str) -> tuple[list[Product], list[CatalogError]]:
    if table.header_idx is None:
        err = CatalogError("the file is empty (no header row, no products)", file=name,
                           code=ErrorCode.CATALOG_EMPTY,
                           hint="Put the column names in row 1 and one product per row below.")
        raise CatalogImportError([err], file=name, code=ErrorCode.CATALOG_EMPTY)
    problems = _require(table, REQUIRED_COLUMNS, COLUMNS)
    if problems:
        raise CatalogImportError(problems, file=name)
    rows, col_index = table.rows, table.col_index

    products: list[Product] = []
    bad: list[CatalogError] = []
    seen_id: dict[str, int] = {}
    seen_listing: dict[int, int] = {}
    for idx in range(table.header_idx + 1, len(rows)):
        raw = rows[idx]
        if _blank(raw):
            continue
        row_no = idx + 1
        cells = {c: (raw[i] if i < len(raw) else None) for c, i in col_index.items()}
        product, errs = _parse_row(cells, name, row_no)
        if product is not None:
            first = seen_id.get(product.product_id)
            if first is not None:
                errs.append(CatalogError(
                    f"product_id '{product.product_id}' is used in both row {first} and "
                    f"row {row_no}", file=name, row=row_no, column="product_id",
                    hint="Give every product its own product_id."))
            ln = product.listing_number
            first_ln = seen_listing.get(ln) if ln is not None else None
            if first_ln is not None:
                errs.append(CatalogError(
                    f"listing_number {ln} is used in both row {first_ln} and row {row_no}",
                    file=name, row=row_no, column="listing_number",
                    hint="Each product in the shopping bag needs its own number; "
                         "leave it empty for products not listed tonight."))
        if errs:
            bad.extend(errs)
            continue
        assert product is not None
        seen_id[product.product_id] = row_no
        if product.listing_number is not None:
            seen_listing[product.listing_number] = row_no
        products.append(product)
    return products, bad


def _build_faq(table: _Table) -> tuple[tuple[FaqEntry, ...], list[CatalogError]]:
    if table.header_idx is None:
        return (), []
    problems = _require(table, FAQ_COLUMNS, ("question (问题)", "answer (答案)"))
    if problems:
        raise CatalogImportError(problems, file=table.file)
    qi, ai = table.col_index["question"], table.col_index["answer"]
    entries: list[FaqEntry] = []
    bad: list[CatalogError] = []
    seen: dict[str, int] = {}
    for idx in range(table.header_idx + 1, len(table.rows)):
        raw = table.rows[idx]
        if _blank(raw):
            continue
        row_no = idx + 1
        q = _cell_text(raw[qi] if qi < len(raw) else None)
        a = _cell_text(raw[ai] if ai < len(raw) else None)
        errs = []
        if not q:
            errs.append(CatalogError("question is empty", file=table.file, row=row_no,
                                     column="question", hint="Write the question, e.g. 能开发票吗."))
        if not a:
            errs.append(CatalogError("answer is empty", file=table.file, row=row_no,
                                     column="answer", hint="Write the answer the host may say."))
        elif len(a) > MAX_FAQ_ANSWER_CHARS:
            errs.append(CatalogError(
                f"answer is {len(a)} characters long (at most {MAX_FAQ_ANSWER_CHARS})",
                file=table.file, row=row_no, column="answer",
                hint="Shorten the answer: it is read out in the live room."))
        if q and faq_key(q) in seen:
            errs.append(CatalogError(
                f"question '{q}' is asked in both row {seen[faq_key(q)]} and row {row_no}",
                file=table.file, row=row_no, column="question",
                hint="Keep one answer per question."))
        if errs:
            bad.extend(errs)
            continue
        seen[faq_key(q)] = row_no
        entries.append(FaqEntry(q, a))
    return tuple(entries), bad


def _blank(row: Iterable[object]) -> bool:
    return all(_cell_text(v) == "" for v in row)


def _col_letter(i: int) -> str:
    letters = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def _cell_text(value: object) -> str:
    """A cell as text: None -> '', whole floats without '.0', bools as yes/no, Excel dates as
    ``YYYY-MM-DD`` (with ``THH:MM`` when the time is not midnight)."""
    if type(value) is str:  # the common case (every CSV cell)
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, _dt.datetime):
        if value.time() == _dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(timespec="minutes")
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value).strip()


def _money_text(text: str) -> tuple[Decimal | None, str]:
    """Parse a money string (see the module docstring). Returns ``(amount, problem)``; the
    problem is ``""`` when the amount is good, else a phrase such as ``has more than 2
    decimals``."""
    t = unicodedata.normalize("NFKC", text).replace(" ", "")
    t = t.removeprefix("¥").removeprefix("RMB").removeprefix("CNY")
    t = t.removesuffix("元")
    if t.startswith("-") and _MONEY_RE.match(t[1:]):
        return None, "is negative"
    m = _MONEY_RE.match(t)
    if not m:
        return None, "is not an amount of money"
    if m.group(1) is not None and len(m.group(1)) > 2:
        return None, "has more than 2 decimals"
    value = Decimal(t.replace(",", "")).quantize(_FEN)
    if value > MAX_PRICE:
        return None, f"is more than {MAX_PRICE} yuan"
    return value, ""


def _too_big_hint() -> str:
    return "Check the number of digits; prices are in yuan, e.g. 59.90."


_MONEY_HINTS = {
    "is negative": "Prices are amounts in yuan of 0 or more, e.g. 59.90.",
    "is not an amount of money": "Write only the number of yuan, e.g. 59.90 (¥ and 元 are "
                                 "allowed).",
    "has more than 2 decimals": "Prices are exact to the fen (0.01 yuan): round to 2 decimals, "
                                "e.g. 59.90.",
}


class _Row:
    """Collects the errors of one row while its cells are converted."""

    def __init__(self, cells: dict[str, object], file: str, row: int) -> None:
        self.cells = cells
        self.file = file
        self.row = row
        self.errors: list[CatalogError] = []

    def fail(self, column: str, message: str, hint: str) -> None:
        self.errors.append(CatalogError(message, file=self.file, row=self.row, column=column,
                                        hint=hint))

    def text(self, column: str, *, required: bool = False) -> str:
        value = _cell_text(self.cells.get(column))
        if required and not value:
            self.fail(column, f"{column} is empty", f"Fill in the {column} of this product.")
        return value

    def structured(self, column: str) -> str:
        return unicodedata.normalize("NFKC", self.text(column)).strip()

    def money(self, column: str, *, required: bool = False) -> Decimal | None:
        raw = self.cells.get(column)
        if isinstance(raw, bool):
            self.fail(column, f"'{_cell_text(raw)}' is not an amount of money",
                      "Write the price in yuan, e.g. 59.90.")
            return None
        if isinstance(raw, (int, float)):
            value = self._money_number(column, raw)
        else:
            text = self.structured(column)
            if not text:
                if required:
                    self.fail(column, f"{column} is empty", "Write the price in yuan, e.g. 59.90.")
                return None
            value, problem = _money_text(text)
            if problem:
                if problem == "is not an amount of money":
                    self.fail(column, f"'{text}' {problem}", _MONEY_HINTS[problem])
                else:
                    self.fail(column, f"{column} '{text}' {problem}",
                              _MONEY_HINTS.get(problem, _too_big_hint()))
                return None
        if value is not None and value > MAX_PRICE:
            self.fail(column, f"{column} {value} is more than {MAX_PRICE} yuan", _too_big_hint())
            return None
        return value

    def _money_number(self, column: str, value: int | float) -> Decimal | None:
        if isinstance(value, float) and not math.isfinite(value):
            self.fail(column, f"'{value}' is not an amount of money",
                      "Write the price in yuan, e.g. 59.90.")
            return None
        if value < 0:
            self.fail(column, f"{column} '{_cell_text(value)}' is negative",
                      "Prices are amounts in yuan of 0 or more, e.g. 59.90.")
            return None
        d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        q = d.quantize(_FEN)
        if d != q and abs(d - q) > Decimal("1e-9"):
            self.fail(column, f"{column} '{_cell_text(value)}' has more than 2 decimals",
                      "Prices are exact to the fen (0.01 yuan): round to 2 decimals, "
                      "e.g. 59.90.")
            return None
        return q

    def integer(self, column: str, *, minimum: int, what: str,
                maximum: int | None = None) -> int | None:
        raw = self.cells.get(column)
        if isinstance(raw, bool):
            raw = _cell_text(raw)
        if isinstance(raw, int):
            value = raw
        elif isinstance(raw, float):
            if not (math.isfinite(raw) and raw.is_integer()):
                self.fail(column, f"'{_cell_text(raw)}' is not a whole number",
                          f"Write {what} as a whole number, e.g. {max(minimum, 1)}.")
                return None
            value = int(raw)
        else:
            text = self.structured(column)
            if not text:
                return None
            if not re.fullmatch(r"[+-]?\d+", text):
                self.fail(column, f"'{text}' is not a whole number",
                          f"Write {what} as a whole number, e.g. {max(minimum, 1)}.")
                return None
            value = int(text)
        if value < minimum:
            self.fail(column, f"{column} {value} is below {minimum}",
                      f"Write {what} as a whole number of {minimum} or more.")
            return None
        if maximum is not None and value > maximum:
            self.fail(column, f"{column} {value} is above {maximum}",
                      f"Write {what} as a whole number of at most {maximum}.")
            return None
        return value

    def yes_no(self, column: str) -> bool | None:
        text = self.structured(column).lower()
        if not text:
            return None
        if text in _YES:
            return True
        if text in _NO:
            return False
        self.fail(column, f"'{text}' is not yes or no", "Write yes, no, or leave it empty.")
        return None

    def listing(self, column: str) -> tuple[str, ...]:
        text = self.text(column).replace("｜", "|")
        return tuple(p.strip() for p in text.split("|") if p.strip())


def _parse_row(cells: dict[str, object], file: str, row_no: int
               ) -> tuple[Product | None, list[CatalogError]]:
    r = _Row(cells, file, row_no)
    product_id = r.text("product_id", required=True)
    title = r.text("title", required=True)
    if len(title) > MAX_TITLE_CHARS:
        r.fail("title", f"title is {len(title)} characters long (at most {MAX_TITLE_CHARS})",
               "Shorten the title; put details in selling_points or the script.")
    short_name = r.text("short_name")
    if len(short_name) > MAX_SHORT_NAME_CHARS:
        r.fail("short_name", f"short_name is {len(short_name)} characters long (at most "
                             f"{MAX_SHORT_NAME_CHARS})",
               "Write the few words the host says for it, e.g. 碎花裙.")
    category = r.text("category", required=True)
    price = r.money("price")
    price_given = r.text("price") != ""
    original_price = r.money("original_price")
    free_gift = bool(r.yes_no("free_gift"))
    listing_number = r.integer("listing_number", minimum=1, what="the listing number (X号链接)")
    n_errors = len(r.errors)
    names = _parse_options(r)
    skus: tuple[Sku, ...] = ()
    if len(r.errors) == n_errors:
        skus = _parse_skus(r, names)
    skus_ok = len(r.errors) == n_errors
    if skus_ok:  # SKUs read whole: their stock and prices can be checked against the row
        skus = _apply_stock_column(r, skus)
        _check_prices(r, price, free_gift, skus)
    else:
        r.integer("stock", minimum=0, maximum=MAX_STOCK, what="the stock")
    if price is None and not price_given:  # an empty price cell
        if skus and all(s.price is not None for s in skus):
            price = min(s.price for s in skus if s.price is not None)
        elif free_gift:
            price = Decimal("0.00")
        elif skus_ok or "@" not in r.structured("skus"):  # no SKU price could stand in
            r.fail("price", "price is empty", "Write the price in yuan, e.g. 59.90.")
    labels_en = _parse_labels_en(r, skus) if skus_ok else ()
    size_chart = _parse_size_chart(r)
    dispatch_days = r.integer("dispatch_days", minimum=0, what="the days to dispatch")
    return_days = r.integer("return_days", minimum=0, what="the return window in days")
    free_shipping = r.yes_no("free_shipping")
    demo = r.yes_no("demo_data")
    faq = _parse_faq_column(r)

    paid_raw = r.structured("return_shipping_paid_by")
    paid_by = ""
    if paid_raw:
        paid_by = _PAID_BY.get(paid_raw.lower(), "")
        if not paid_by:
            r.fail("return_shipping_paid_by", f"'{paid_raw}' is not seller, buyer or insurance",
                   "Write seller (卖家), buyer (买家), insurance (运费险), or leave it empty.")

    if r.errors:
        return None, r.errors
    assert price is not None
    try:
        product = Product(
            product_id=product_id,
            listing_number=listing_number,
            title=title,
            category=category,
            price=price,
            brand=r.text("brand"),
            original_price=original_price,
            skus=skus,
            size_chart=size_chart,
            material=r.text("material"),
            selling_points=r.listing("selling_points"),
            shipping=Shipping(
                courier=r.text("courier"),
                ships_from=r.text("ships_from"),
                dispatch_days=dispatch_days,
                delivery_days=r.structured("delivery_days"),
                free_shipping=free_shipping,
                free_shipping_exceptions=r.listing("free_shipping_exceptions"),
            ),
            after_sales=AfterSales(
                return_days=return_days,
                return_shipping_paid_by=paid_by,
                warranty=r.text("warranty"),
            ),
            tags=r.listing("tags"),
            aliases=r.listing("aliases"),
            script=r.text("script"),
            title_en=r.text("title_en"),
            demo_data=bool(demo),
            short_name=short_name,
            unit=r.text("unit"),
            free_gift=free_gift,
            suitable_for=r.listing("suitable_for"),
            net_weight=r.text("net_weight"),
            shelf_life=r.text("shelf_life"),
            production_date=r.text("production_date"),
            storage=r.text("storage"),
            material_en=r.text("material_en"),
            selling_points_en=r.listing("selling_points_en"),
            labels_en=labels_en,
            faq=faq,
        )
    except ValueError as exc:  # the model refused a combination the checks above missed
        r.fail("skus", str(exc), _SKU_HINT)
        return None, r.errors
    return product, []


def _check_prices(r: _Row, price: Decimal | None, free_gift: bool,
                  skus: tuple[Sku, ...]) -> None:
    """Price 0 only for a free gift; a free gift costs 0; with every SKU priced, the product
    price is the lowest SKU price."""
    sku_prices = [s.price for s in skus if s.price is not None]
    if free_gift:
        if price is not None and price != 0:
            r.fail("price", f"free_gift is yes but price is {price}",
                   "A free gift (赠品) costs 0: write price 0, or set free_gift to no.")
        if any(p != 0 for p in sku_prices):
            r.fail("skus", "free_gift is yes but a SKU has a price above 0",
                   "A free gift (赠品) costs 0: remove the @price of its SKUs.")
        return
    if price is not None and price == 0:
        r.fail("price", "price is 0 (the host would say 到手0元)",
               "Write the real price in yuan, or set free_gift to yes if this is a free gift "
               "(赠品).")
    if any(p == 0 for p in sku_prices):
        r.fail("skus", "a SKU has the price @0 (the host would say 到手0元)",
               "Write the real price of the SKU, or set free_gift to yes if this is a free "
               "gift (赠品).")
    if price is not None and skus and len(sku_prices) == len(skus) and price != min(sku_prices):
        r.fail("price", f"price {price} is not the lowest SKU price ({min(sku_prices)}), and "
                        "every SKU has its own price",
               f"Write {min(sku_prices)} (the price from which the product sells), or leave "
               "price empty.")


def _parse_options(r: _Row) -> tuple[str, ...] | None:
    """The option names from the ``options`` column; ``None`` = colour/size (the default)."""
    text = r.structured("options")
    if not text:
        return None
    hint = ("Name the options the SKUs differ by, separated by '|', e.g. 颜色|适用机型 or 容量; "
            "leave it empty for colour/size.")
    names = [n.strip() for n in re.split(r"[|/、]", text)]
    if any(not n for n in names):
        r.fail("options", f"options '{text}' has an empty name", hint)
        return None
    bad = [n for n in names if set(n) & _OPTION_NAME_FORBIDDEN]
    if bad:
        r.fail("options", f"option name '{bad[0]}' contains one of ; : / @ # ( ) = |", hint)
        return None
    keys = [n.casefold() for n in names]
    if len(set(keys)) != len(keys):
        r.fail("options", f"options '{text}' names an option twice", hint)
        return None
    if sum(map(is_color_option, names)) > 1 or sum(map(is_size_option, names)) > 1:
        r.fail("options", f"options '{text}' has two colour or two size options",
               hint + " A product has at most one colour and one size option.")
        return None
    if tuple(names) == (COLOR_OPTION, SIZE_OPTION):
        return None
    return tuple(names)


def _parse_skus(r: _Row, names: tuple[str, ...] | None) -> tuple[Sku, ...]:
    """SKUs from the ``skus`` column; ``names`` = the options (``None`` = colour/size)."""
    text = r.structured("skus")
    if not text:
        if names is not None:
            r.fail("options", "options is filled but skus lists no SKU",
                   "List the SKUs in the skus column, or leave options empty.")
        return ()
    entries = [e.strip() for e in text.split(";") if e.strip()]
    dims = names or (COLOR_OPTION, SIZE_OPTION)
    out: list[Sku] = []
    seen: dict[str, str] = {}
    for entry in entries:
        sku = _parse_sku_entry(r, entry, names, dims, len(entries))
        if sku is None:
            continue
        if sku.label in seen:
            r.fail("skus", f"SKU {sku.label or entry} is listed twice",
                   "Keep one entry per variant and put the total stock there.")
            continue
        seen[sku.label] = entry
        out.append(sku)
    return tuple(out)


def _parse_sku_entry(r: _Row, entry: str, names: tuple[str, ...] | None,
                     dims: tuple[str, ...], n_entries: int) -> Sku | None:
    main, hash_, barcode = entry.partition("#")
    barcode = barcode.strip()
    if hash_ and not _BARCODE_RE.match(barcode):
        r.fail("skus", f"barcode '{barcode}' of SKU '{entry}' is not a code of letters and "
                       "digits", "Write the barcode after '#', e.g. #6901234567890.")
        return None
    main = main.strip()
    original: Decimal | None = None
    if main.endswith(")") and "(" in main:
        main, _, inner = main[:-1].rpartition("(")
        inner = inner.strip()
        mark = next((m for m in _ORIGINAL_MARKS if inner.lower().startswith(m)), None)
        if mark is None:
            r.fail("skus", f"'({inner})' in SKU '{entry}' is not an original price",
                   "Write the crossed-out price after the price as (原价199) or (原價199), e.g. "
                   "50ml:30@149(原价199).")
            return None
        original, problem = _money_text(inner[len(mark):].lstrip(":= "))
        if problem:
            r.fail("skus", f"original price '{inner}' of SKU '{entry}' {problem}",
                   "Write it as (原价199) after the SKU's @price.")
            return None
        main = main.strip()
    price: Decimal | None = None
    main, at, price_text = main.partition("@")
    main = main.strip()
    if at:
        price, problem = _money_text(price_text)
        if problem:
            r.fail("skus", f"price '{price_text.strip()}' of SKU '{entry}' {problem}",
                   "Write the SKU's own price after '@' in yuan, e.g. 50ml:30@149.")
            return None
    elif original is not None:
        r.fail("skus", f"SKU '{entry}' has an original price but no @price",
               "Write the SKU's price first, e.g. 50ml:30@149(原价199).")
        return None
    variant, colon, stock_text = main.rpartition(":")
    stock_text = stock_text.strip()
    if not re.fullmatch(r"\d+", stock_text) or len(stock_text) > 9:
        if not colon:
            r.fail("skus", f"SKU '{entry}' has no ':stock'", _SKU_HINT)
        else:
            r.fail("skus", f"stock '{stock_text}' of SKU '{entry}' is not a whole number from 0 "
                           f"to {MAX_STOCK}", _SKU_HINT)
        return None
    stock = int(stock_text)
    parts = [p.strip() for p in variant.split("/")] if colon else []
    if not any(parts):  # '150', ':150', '/:150': a product without variants
        if names is not None:
            r.fail("skus", f"SKU '{entry}' has no option values (options: {'/'.join(names)})",
                   _SKU_HINT + " For a product without variants leave options empty.")
            return None
        if names is None and colon and len(parts) not in (1, 2):
            r.fail("skus", f"SKU '{entry}' has neither colour nor size", _SKU_HINT)
            return None
        if n_entries > 1:
            r.fail("skus", f"SKU '{entry}' has neither colour nor size (or option values); "
                           "a stock without a variant must be the only entry",
                   "For a product without variants write only its stock, e.g. 150; otherwise "
                   "name every variant, e.g. 黑色/M:12.")
            return None
        return Sku(stock=stock, price=price, original_price=original, barcode=barcode)
    if len(parts) != len(dims):
        if names is None and len(parts) == 1:
            r.fail("skus", f"SKU '{entry}' has no '/' between colour and size",
                   _SKU_HINT + " Leave a side empty when there is no colour or size: /均码:5; "
                   "or name the options in the options column (e.g. 容量).")
        else:
            r.fail("skus", f"SKU '{entry}' has {len(parts)} values but the options are "
                           f"{'/'.join(dims)} ({len(dims)})",
                   "Give one value per option, separated by '/'; name the options in the "
                   "options column, e.g. 颜色|适用机型.")
        return None
    return Sku(options=tuple(zip(dims, parts)), stock=stock, price=price,
               original_price=original, barcode=barcode)


def _apply_stock_column(r: _Row, skus: tuple[Sku, ...]) -> tuple[Sku, ...]:
    stock = r.integer("stock", minimum=0, maximum=MAX_STOCK, what="the stock")
    if stock is None:
        return skus
    if not skus:
        return (Sku(stock=stock),)
    total = sum(s.stock for s in skus)
    if total != stock:
        r.fail("stock", f"stock {stock} is not the total of the SKUs' stock ({total})",
               "Leave stock empty when the skus column lists the variants, or correct it.")
    return skus


def _parse_labels_en(r: _Row, skus: tuple[Sku, ...]) -> tuple[tuple[str, str], ...]:
    text = r.text("options_en")
    if not text.strip():
        return ()
    known = {n for s in skus for n in s.option_names} | {v for s in skus for v in s.values if v}
    hint = ("Write the English of option names and values as 中文=English separated by ';', "
            "e.g. 颜色=Colour; 黑色=black.")
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for entry in (e.strip() for e in re.split(r"[;；]", text)):
        if not entry:
            continue
        m = re.search(r"[=＝]", entry)
        zh = unicodedata.normalize("NFKC", entry[:m.start()]).strip() if m else entry
        en = entry[m.end():].strip() if m else ""
        if not m or not zh or not en:
            r.fail("options_en", f"'{entry}' is not 中文=English", hint)
            continue
        if zh not in known:
            r.fail("options_en", f"'{zh}' is not an option name or value of this product",
                   hint + f" The product's options and values: {', '.join(sorted(known))}."
                   if known else "This product has no SKU options to translate.")
            continue
        if zh in seen:
            r.fail("options_en", f"'{zh}' is translated twice", hint)
            continue
        seen.add(zh)
        out.append((zh, en))
    return tuple(out)


def _parse_faq_column(r: _Row) -> tuple[FaqEntry, ...]:
    text = r.text("faq")
    if not text.strip():
        return ()
    hint = ("Write questions and answers as 问题=答案 separated by ';', e.g. 保质期=12个月; "
            "发票=可以开电子发票.")
    out: list[FaqEntry] = []
    seen: set[str] = set()
    for entry in (e.strip() for e in re.split(r"[;；]", text)):
        if not entry:
            continue
        m = re.search(r"[=＝]", entry)
        if not m:
            r.fail("faq", f"'{entry}' has no '=' between question and answer", hint)
            continue
        q, a = entry[:m.start()].strip(), entry[m.end():].strip()
        if not q or not a:
            r.fail("faq", f"'{entry}' needs both a question and an answer", hint)
            continue
        if len(a) > MAX_FAQ_ANSWER_CHARS:
            r.fail("faq", f"the answer to '{q}' is {len(a)} characters long (at most "
                          f"{MAX_FAQ_ANSWER_CHARS})", "Shorten it: it is read out in the room.")
            continue
        if faq_key(q) in seen:
            r.fail("faq", f"question '{q}' is answered twice", "Keep one answer per question.")
            continue
        seen.add(faq_key(q))
        out.append(FaqEntry(q, a))
    return tuple(out)


def _parse_size_chart(r: _Row) -> tuple[SizeRange, ...]:
    text = r.structured("size_chart")
    if not text:
        return ()
    hint = ("Write each size as size=HMIN-HMAXcm,WMIN-WMAXkg, separated by ';', "
            "e.g. S=150-158cm,40-48kg; M=158-165cm,48-55kg (either measure may be left out).")
    out: list[SizeRange] = []
    seen: set[str] = set()
    for entry in (e.strip() for e in text.split(";")):
        if not entry:
            continue
        size, eq, measures = entry.partition("=")
        size = size.strip()
        if not eq or not size:
            r.fail("size_chart", f"size chart entry '{entry}' has no 'size='", hint)
            continue
        if size in seen:
            r.fail("size_chart", f"size '{size}' appears twice in the size chart", hint)
            continue
        bounds: dict[str, tuple[float, float]] = {}
        ok = True
        for part in (p.strip() for p in measures.split(",")):
            m = _RANGE_RE.match(part)
            if not m:
                r.fail("size_chart", f"'{part}' in size {size} is not a range like 150-158cm "
                                     "or 40-48kg", hint)
                ok = False
                break
            lo, hi, unit = float(m.group(1)), float(m.group(2)), m.group(3).lower()
            if lo > hi:
                r.fail("size_chart", f"range '{part}' of size {size} has min above max",
                       "Write the smaller number first, e.g. 150-158cm.")
                ok = False
                break
            if unit in bounds:
                r.fail("size_chart", f"size {size} gives {unit} twice", hint)
                ok = False
                break
            bounds[unit] = (lo, hi)
        if not ok:
            continue
        if not bounds:
            r.fail("size_chart", f"size {size} has no height or weight range", hint)
            continue
        seen.add(size)
        h = bounds.get("cm", (None, None))
        w = bounds.get("kg", (None, None))
        out.append(SizeRange(size=size, height_min_cm=h[0], height_max_cm=h[1],
                             weight_min_kg=w[0], weight_max_kg=w[1]))
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# writing
# ---------------------------------------------------------------------------------------------

def write_catalog_csv(catalog: Catalog | Iterable[Product], path: Path) -> None:
    """Write products to ``path`` as CSV in the catalog format (the inverse of
    :func:`load_catalog`), and a :class:`Catalog`'s shop FAQ, when it has one, to
    :func:`faq_path_for` ``(path)`` (``shop.csv`` -> ``shop.faq.csv``), where
    :func:`load_catalog` finds it.

    The files are UTF-8 with BOM (so Excel shows Chinese correctly), header row =
    :data:`COLUMNS`, ``\\r\\n`` line ends (what Excel writes). Prices are written with 2
    decimals; a product whose one SKU has no options and nothing but stock is written with
    the ``stock`` column; a product with the options 颜色 and 尺码 leaves ``options`` empty.

    Raises:
        ValueError: a product cannot be expressed in the format (a size range with only one
            bound of a measure, a ``|`` inside a list item, ``;``/``:``/``/``/``@``/``#``
            inside a SKU value, ``;``/``=`` inside a size label, ``;`` in a FAQ entry or
            ``=`` in a FAQ question, ``;``/``=`` in an English label).
    """
    path = Path(path)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(COLUMNS)
        for p in catalog:
            w.writerow(_product_row(p))
    if isinstance(catalog, Catalog) and catalog.faq:
        write_faq_csv(catalog.faq, faq_path_for(path))


def write_faq_csv(entries: Iterable[FaqEntry], path: Path) -> None:
    """Write shop FAQ entries as CSV (header ``question,answer``; UTF-8 with BOM, ``\\r\\n``)."""
    with Path(path).open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(FAQ_COLUMNS)
        for e in entries:
            w.writerow([e.question, e.answer])


def _product_row(p: Product) -> list[str]:
    s, a = p.shipping, p.after_sales
    options, skus, stock = _fmt_skus(p)
    values = {
        "product_id": p.product_id,
        "listing_number": "" if p.listing_number is None else str(p.listing_number),
        "title": p.title,
        "short_name": p.short_name,
        "title_en": p.title_en,
        "category": p.category,
        "brand": p.brand,
        "price": _fmt_money(p.price),
        "original_price": "" if p.original_price is None else _fmt_money(p.original_price),
        "unit": p.unit,
        "free_gift": "yes" if p.free_gift else "",
        "options": options,
        "skus": skus,
        "stock": stock,
        "options_en": _fmt_pairs(p, p.labels_en, "English label"),
        "size_chart": "; ".join(_fmt_size(p, z) for z in p.size_chart),
        "material": p.material,
        "material_en": p.material_en,
        "selling_points": _fmt_list(p, p.selling_points),
        "selling_points_en": _fmt_list(p, p.selling_points_en),
        "suitable_for": _fmt_list(p, p.suitable_for),
        "net_weight": p.net_weight,
        "shelf_life": p.shelf_life,
        "production_date": p.production_date,
        "storage": p.storage,
        "courier": s.courier,
        "ships_from": s.ships_from,
        "dispatch_days": "" if s.dispatch_days is None else str(s.dispatch_days),
        "delivery_days": s.delivery_days,
        "free_shipping": "" if s.free_shipping is None else ("yes" if s.free_shipping else "no"),
        "free_shipping_exceptions": _fmt_list(p, s.free_shipping_exceptions),
        "return_days": "" if a.return_days is None else str(a.return_days),
        "return_shipping_paid_by": a.return_shipping_paid_by,
        "warranty": a.warranty,
        "faq": _fmt_pairs(p, ((e.question, e.answer) for e in p.faq), "FAQ entry"),
        "tags": _fmt_list(p, p.tags),
        "aliases": _fmt_list(p, p.aliases),
        "script": p.script,
        "demo_data": "yes" if p.demo_data else "no",
    }
    return [values[c] for c in COLUMNS]


def _fmt_money(d: Decimal) -> str:
    return str(d.quantize(_FEN))


def _fmt_list(p: Product, items: Iterable[str]) -> str:
    items = list(items)
    for it in items:
        if "|" in it or "｜" in it:
            raise ValueError(f"{p.product_id}: list item {it!r} contains '|'")
    return "|".join(items)


def _fmt_pairs(p: Product, pairs: Iterable[tuple[str, str]], what: str) -> str:
    out = []
    for k, v in pairs:
        if any(ch in k + v for ch in ";；") or any(ch in k for ch in "=＝"):
            raise ValueError(f"{p.product_id}: {what} {k!r}={v!r} contains ';' (or '=' before "
                             "the '=')")
        out.append(f"{k}={v}")
    return "; ".join(out)


def _fmt_skus(p: Product) -> tuple[str, str, str]:
    """``(options, skus, stock)`` column texts of ``p``."""
    if not p.skus:
        return "", "", ""
    first = p.skus[0]
    if not first.options:  # a product without variants
        if first.price is None and not first.barcode:
            return "", "", str(first.stock)
        return "", _fmt_extras(p, first, str(first.stock)), ""
    names = p.option_names
    options = "" if names == (COLOR_OPTION, SIZE_OPTION) else "|".join(names)
    entries = []
    for k in p.skus:
        for v in k.values:
            if any(ch in v for ch in ";:/@#"):
                raise ValueError(f"{p.product_id}: SKU value {v!r} contains ';', ':', '/', "
                                 "'@' or '#'")
        entries.append(_fmt_extras(p, k, f"{'/'.join(k.values)}:{k.stock}"))
    return options, "; ".join(entries), ""


def _fmt_extras(p: Product, k: Sku, head: str) -> str:
    text = head
    if k.price is not None:
        text += f"@{_fmt_money(k.price)}"
        if k.original_price is not None:
            text += f"(原价{_fmt_money(k.original_price)})"
    elif k.original_price is not None:
        raise ValueError(f"{p.product_id}: SKU {k.label!r} has an original price without a "
                         "price of its own")
    if k.barcode:
        if not _BARCODE_RE.match(k.barcode):
            raise ValueError(f"{p.product_id}: barcode {k.barcode!r} is not letters and digits")
        text += f"#{k.barcode}"
    return text


def _fmt_num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _fmt_size(p: Product, z: SizeRange) -> str:
    if any(ch in z.size for ch in ";="):
        raise ValueError(f"{p.product_id}: size label {z.size!r} contains ';' or '='")
    parts = []
    for lo, hi, unit in ((z.height_min_cm, z.height_max_cm, "cm"),
                         (z.weight_min_kg, z.weight_max_kg, "kg")):
        if lo is None and hi is None:
            continue
        if lo is None or hi is None:
            raise ValueError(f"{p.product_id}: size {z.size} has an open {unit} range, which "
                             "the catalog format cannot express")
        parts.append(f"{_fmt_num(lo)}-{_fmt_num(hi)}{unit}")
    if not parts:
        raise ValueError(f"{p.product_id}: size {z.size} has no range")
    return f"{z.size}={','.join(parts)}"
