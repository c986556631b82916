"""Read and write the seller's catalog file (CSV or XLSX) in the LiveHost catalog format.

The format (one header row, one product per row) is the project contract; columns map 1:1 to
:class:`app.catalog.model.Product`:

=========================== ==================================================================
column                      value
=========================== ==================================================================
product_id (required)       unique text
listing_number              whole number >= 1, unique, or empty (not listed tonight)
title (required)            text
title_en                    text
category (required)         text
brand                       text
price (required)            yuan, >= 0, at most 2 decimals
original_price              yuan, like ``price``, or empty
skus                        ``colour/size:stock`` entries separated by ``;``; either part may be
                            empty: ``黑色/M:12; 黑色/L:0; /均码:5; 白色/:3``
size_chart                  ``size=HMIN-HMAXcm,WMIN-WMAXkg`` entries separated by ``;``; either
                            measure may be left out, but each given measure has both bounds
material                    text
selling_points              ``|``-separated
courier, ships_from         text
dispatch_days               whole number of days >= 0
delivery_days               text such as ``2-4``
free_shipping               yes / no / empty
free_shipping_exceptions    ``|``-separated regions
return_days                 whole number of days >= 0 (0 = no returns)
return_shipping_paid_by     seller / buyer / insurance / empty
warranty                    text
tags, aliases               ``|``-separated
script                      text
demo_data                   yes / no / empty (= no)
=========================== ==================================================================

What the reader tolerates, so that a file typed by a seller in Excel with a Chinese input method
loads (all of it documented here, nothing else is guessed):

* CSV in UTF-8 with or without BOM; a CSV that is not UTF-8 is tried as GB18030 (what Excel on
  Chinese Windows writes for "CSV"); XLSX: the first sheet, cached values of formulas.
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
* Full-width forms (``；`` ``：`` ``，`` ``／`` ``Ｍ`` ``３``) are read as their ASCII form
  (Unicode NFKC) in the structured columns: skus, size_chart, numbers, yes/no, delivery_days.
  List columns (selling_points, tags, aliases, free_shipping_exceptions) accept ``｜`` as
  separator and keep their items' text unchanged.
* Completely empty rows are skipped (they still count for row numbers).

Row numbers in errors are the ones the seller sees in Excel: the header is row 1, the first
product row 2 (a CSV record spanning several lines because of a quoted line break is one row).
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from app.catalog.model import AfterSales, Catalog, Product, Shipping, SizeRange, Sku
from app.errors import CatalogError, LiveHostError

__all__ = [
    "COLUMNS",
    "REQUIRED_COLUMNS",
    "CatalogImportError",
    "ImportResult",
    "load_catalog",
    "write_catalog_csv",
]

COLUMNS: tuple[str, ...] = (
    "product_id", "listing_number", "title", "title_en", "category", "brand", "price",
    "original_price", "skus", "size_chart", "material", "selling_points", "courier",
    "ships_from", "dispatch_days", "delivery_days", "free_shipping", "free_shipping_exceptions",
    "return_days", "return_shipping_paid_by", "warranty", "tags", "aliases", "script",
    "demo_data",
)
"""All columns of the catalog format, in the order :func:`write_catalog_csv` writes them."""

REQUIRED_COLUMNS: tuple[str, ...] = ("product_id", "title", "category", "price")
MAX_PRICE = Decimal("10000000")
"""Largest price accepted, yuan (a guard against a mistyped number of digits)."""
MAX_TITLE_CHARS = 120
"""Longest title accepted (titles are spoken in replies)."""
"""Columns that must be present in the header and non-empty in every row."""

_CSV_SUFFIXES = {".csv", ".txt"}
_XLSX_SUFFIXES = {".xlsx", ".xlsm"}

_YES = {"yes", "y", "true", "t", "1", "是", "有", "包邮", "√"}
_NO = {"no", "n", "false", "f", "0", "否", "无", "不包邮", "×"}
_PAID_BY = {
    "seller": "seller", "卖家": "seller", "商家": "seller", "店铺": "seller",
    "buyer": "buyer", "买家": "buyer", "顾客": "buyer",
    "insurance": "insurance", "运费险": "insurance", "退货险": "insurance",
}

_MONEY_RE = re.compile(r"^(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.(\d+))?$")
_RANGE_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s*(cm|kg)$", re.IGNORECASE)
_FEN = Decimal("0.01")


class CatalogImportError(LiveHostError):
    """The catalog file was not imported; ``errors`` lists every problem found.

    Attributes:
        errors: one :class:`CatalogError` per problem (file, row, column named in each).
        file: the catalog file's path as text.
    """

    def __init__(self, errors: Sequence[CatalogError], *, file: str = "",
                 code: str = "catalog-invalid") -> None:
        self.errors: tuple[CatalogError, ...] = tuple(errors)
        self.file = file
        n = len(self.errors)
        head = f"{file}: catalog not imported, {n} problem{'s' if n != 1 else ''}"
        detail = "; ".join(e.message for e in self.errors[:5])
        if n > 5:
            detail += f"; ... and {n - 5} more"
        super().__init__(
            code,
            f"{head}: {detail}" if detail else head,
            "Fix the rows listed and import again, or import with 'skip bad rows' (--skip-bad-rows) to load "
            "the good rows now.",
        )


@dataclass(frozen=True)
class ImportResult:
    """What :func:`load_catalog` read.

    Attributes:
        catalog: the products that were imported, in file order.
        skipped: the problems of rows left out (only with ``skip_bad_rows=True``; else empty).
    """

    catalog: Catalog
    skipped: tuple[CatalogError, ...] = ()


# ---------------------------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------------------------

def load_catalog(path: Path, *, skip_bad_rows: bool = False) -> ImportResult:
    """Read a catalog file (``.csv`` or ``.xlsx``) into a :class:`Catalog`.

    Args:
        path: the catalog file. ``.csv``/``.txt`` is read as CSV, ``.xlsx``/``.xlsm`` as Excel
            (first sheet).
        skip_bad_rows: False (default): any bad row stops the import and nothing is imported.
            True: bad rows are left out and reported in :attr:`ImportResult.skipped`.

    Returns:
        :class:`ImportResult` with the catalog in file order.

    Raises:
        CatalogError: code ``catalog-missing`` when the file does not exist,
            ``catalog-unsupported`` for another file type, ``catalog-unreadable`` when the file
            cannot be opened or decoded.
        CatalogImportError: code ``catalog-invalid`` listing every problem (missing required
            column, bad values, duplicate product_id or listing_number) when rows are bad and
            ``skip_bad_rows`` is False, or when a required column is missing (always);
            code ``catalog-empty`` when no product is left to import.
    """
    path = Path(path)
    name = str(path)
    if not path.is_file():
        raise CatalogError(
            "catalog file not found" if not path.exists() else "catalog path is not a file",
            file=name, code="catalog-missing",
            hint="Check the path, or export the catalog from your shop again.",
        )
    suffix = path.suffix.lower()
    if suffix in _CSV_SUFFIXES:
        rows = _read_csv(path)
    elif suffix in _XLSX_SUFFIXES:
        rows = _read_xlsx(path)
    else:
        raise CatalogError(
            f"unsupported file type '{path.suffix or '(none)'}'", file=name,
            code="catalog-unsupported",
            hint="Save the catalog as .xlsx or as CSV UTF-8 (.csv).",
        )
    return _build(rows, name, skip_bad_rows)


def _read_csv(path: Path) -> list[list[object]]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise CatalogError(
                "the file is neither UTF-8 nor GB18030 text", file=str(path),
                code="catalog-unreadable",
                hint="In Excel choose 'Save as' -> 'CSV UTF-8 (comma delimited)'.",
            ) from exc
    try:
        return [list(r) for r in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise CatalogError(
            f"not a valid CSV file ({exc})", file=str(path), code="catalog-unreadable",
            hint="Save the catalog from Excel as 'CSV UTF-8', or import the .xlsx file.",
        ) from exc


def _read_xlsx(path: Path) -> list[list[object]]:
    import openpyxl  # only needed for Excel files

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # InvalidFileException, zipfile.BadZipFile, KeyError ... from a bad file
        raise CatalogError(
            f"cannot open the Excel file ({exc.__class__.__name__}: {exc})", file=str(path),
            code="catalog-unreadable",
            hint="Open it in Excel or WPS and save it again as .xlsx.",
        ) from exc
    try:
        if not wb.worksheets:
            return []
        return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    finally:
        wb.close()


def _norm_header(value: object) -> str:
    text = _cell_text(value)
    text = unicodedata.normalize("NFKC", text).strip().lower()
    return re.sub(r"[\s\-]+", "_", text)


def _build(rows: list[list[object]], name: str, skip_bad_rows: bool) -> ImportResult:
    # header = first row that is not completely empty (normally row 1)
    header_idx = next((i for i, r in enumerate(rows) if not _blank(r)), None)
    if header_idx is None:
        err = CatalogError("the file is empty (no header row, no products)", file=name,
                           code="catalog-empty",
                           hint="Put the column names in row 1 and one product per row below.")
        raise CatalogImportError([err], file=name, code="catalog-empty")

    header = [_norm_header(h) for h in rows[header_idx]]
    header_row = header_idx + 1
    col_index: dict[str, int] = {}
    problems: list[CatalogError] = []
    for i, h in enumerate(header):
        if not h or h not in COLUMNS:
            continue
        if h in col_index:
            problems.append(CatalogError(
                f"column '{h}' appears twice (columns {_col_letter(col_index[h])} and "
                f"{_col_letter(i)})", file=name, row=header_row, column=h,
                hint="Delete or rename one of the two columns."))
        else:
            col_index[h] = i
    for req in REQUIRED_COLUMNS:
        if req not in col_index:
            problems.append(CatalogError(
                f"required column '{req}' is missing from the header", file=name,
                row=header_row, column=req,
                hint=f"Add a column named '{req}' to row 1 (columns: {', '.join(COLUMNS)})."))
    if problems:
        raise CatalogImportError(problems, file=name)

    products: list[Product] = []
    bad: list[CatalogError] = []
    seen_id: dict[str, int] = {}
    seen_listing: dict[int, int] = {}
    for idx in range(header_idx + 1, len(rows)):
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

    if bad and not skip_bad_rows:
        raise CatalogImportError(bad, file=name)
    if not products:
        err = CatalogError(
            "no product could be imported" if bad else "the file has a header but no products",
            file=name, code="catalog-empty",
            hint="Add one product per row below the header row.")
        raise CatalogImportError([*bad, err], file=name, code="catalog-empty")
    return ImportResult(Catalog(tuple(products)), tuple(bad) if skip_bad_rows else ())


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
    """A cell as text: None -> '', whole floats without '.0', bools as yes/no."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    return str(value).strip()


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
        value = self._money(column, required=required)
        if value is not None and value > MAX_PRICE:
            self.fail(column, f"{column} {value} is more than {MAX_PRICE} yuan",
                      "Check the number of digits; prices are in yuan, e.g. 59.90.")
            return None
        return value

    def _money(self, column: str, *, required: bool = False) -> Decimal | None:
        raw = self.cells.get(column)
        if isinstance(raw, bool):
            self.fail(column, f"'{_cell_text(raw)}' is not an amount of money",
                      "Write the price in yuan, e.g. 59.90.")
            return None
        if isinstance(raw, (int, float)):
            return self._money_number(column, raw)
        text = self.structured(column)
        if not text:
            if required:
                self.fail(column, f"{column} is empty", "Write the price in yuan, e.g. 59.90.")
            return None
        t = text.replace(" ", "")
        t = t.removeprefix("¥").removeprefix("RMB").removeprefix("CNY")
        t = t.removesuffix("元")
        if t.startswith("-") and _MONEY_RE.match(t[1:]):
            self.fail(column, f"{column} '{text}' is negative",
                      "Prices are amounts in yuan of 0 or more, e.g. 59.90.")
            return None
        m = _MONEY_RE.match(t)
        if not m:
            self.fail(column, f"'{text}' is not an amount of money",
                      "Write only the number of yuan, e.g. 59.90 (¥ and 元 are allowed).")
            return None
        if m.group(1) is not None and len(m.group(1)) > 2:
            self.fail(column, f"{column} '{text}' has more than 2 decimals",
                      "Prices are exact to the fen (0.01 yuan): round to 2 decimals, "
                      "e.g. 59.90.")
            return None
        return Decimal(t.replace(",", "")).quantize(_FEN)

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

    def integer(self, column: str, *, minimum: int, what: str) -> int | None:
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
    category = r.text("category", required=True)
    price = r.money("price", required=True)
    original_price = r.money("original_price")
    listing_number = r.integer("listing_number", minimum=1, what="the listing number (X号链接)")
    skus = _parse_skus(r)
    size_chart = _parse_size_chart(r)
    dispatch_days = r.integer("dispatch_days", minimum=0, what="the days to dispatch")
    return_days = r.integer("return_days", minimum=0, what="the return window in days")
    free_shipping = r.yes_no("free_shipping")
    demo = r.yes_no("demo_data")

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
    )
    return product, []


def _parse_skus(r: _Row) -> tuple[Sku, ...]:
    text = r.structured("skus")
    if not text:
        return ()
    out: list[Sku] = []
    seen: set[tuple[str, str]] = set()
    hint = "Write each SKU as colour/size:stock, separated by ';', e.g. 黑色/M:12; 白色/L:0."
    for entry in (e.strip() for e in text.split(";")):
        if not entry:
            continue
        variant, sep, stock_text = entry.rpartition(":")
        if not sep:
            r.fail("skus", f"SKU '{entry}' has no ':stock'", hint)
            continue
        stock_text = stock_text.strip()
        if not re.fullmatch(r"\d+", stock_text) or len(stock_text) > 9:
            r.fail("skus", f"stock '{stock_text}' of SKU '{entry}' is not a whole number from 0 to 999999999",
                   hint)
            continue
        color, slash, size = variant.partition("/")
        if not slash:
            r.fail("skus", f"SKU '{entry}' has no '/' between colour and size",
                   hint + " Leave a side empty when there is no colour or size: /均码:5.")
            continue
        color, size = color.strip(), size.strip()
        if not color and not size:
            r.fail("skus", f"SKU '{entry}' has neither colour nor size", hint)
            continue
        if (color, size) in seen:
            r.fail("skus", f"SKU {color}/{size} is listed twice",
                   "Keep one entry per colour/size and put the total stock there.")
            continue
        seen.add((color, size))
        out.append(Sku(color=color, size=size, stock=int(stock_text)))
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
    :func:`load_catalog`).

    The file is UTF-8 with BOM (so Excel shows Chinese correctly), header row = :data:`COLUMNS`,
    ``\\r\\n`` line ends (what Excel writes). Prices are written with 2 decimals.

    Raises:
        ValueError: a product cannot be expressed in the format (a size range with only one
            bound of a measure, a ``|`` inside a list item, ``;``/``:``/``/`` inside a SKU label,
            ``;``/``=`` inside a size label).
    """
    path = Path(path)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(COLUMNS)
        for p in catalog:
            w.writerow(_product_row(p))


def _product_row(p: Product) -> list[str]:
    s, a = p.shipping, p.after_sales
    values = {
        "product_id": p.product_id,
        "listing_number": "" if p.listing_number is None else str(p.listing_number),
        "title": p.title,
        "title_en": p.title_en,
        "category": p.category,
        "brand": p.brand,
        "price": _fmt_money(p.price),
        "original_price": "" if p.original_price is None else _fmt_money(p.original_price),
        "skus": "; ".join(_fmt_sku(p, k) for k in p.skus),
        "size_chart": "; ".join(_fmt_size(p, z) for z in p.size_chart),
        "material": p.material,
        "selling_points": _fmt_list(p, p.selling_points),
        "courier": s.courier,
        "ships_from": s.ships_from,
        "dispatch_days": "" if s.dispatch_days is None else str(s.dispatch_days),
        "delivery_days": s.delivery_days,
        "free_shipping": "" if s.free_shipping is None else ("yes" if s.free_shipping else "no"),
        "free_shipping_exceptions": _fmt_list(p, s.free_shipping_exceptions),
        "return_days": "" if a.return_days is None else str(a.return_days),
        "return_shipping_paid_by": a.return_shipping_paid_by,
        "warranty": a.warranty,
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
        if "|" in it:
            raise ValueError(f"{p.product_id}: list item {it!r} contains '|'")
    return "|".join(items)


def _fmt_sku(p: Product, k: Sku) -> str:
    for label in (k.color, k.size):
        if any(ch in label for ch in ";:/"):
            raise ValueError(f"{p.product_id}: SKU label {label!r} contains ';', ':' or '/'")
    return f"{k.color}/{k.size}:{k.stock}"


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

