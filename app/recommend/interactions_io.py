"""Reading interactions: the shop's order export (CSV/XLSX) and MovieLens-format files.

Order export format (CSV UTF-8 with or without BOM, or the first sheet of an XLSX; a header
row; one interaction per row; column names are matched case-insensitively, Chinese names in
brackets are accepted too; unknown columns are ignored):

==============  =========================================================================
column          meaning
==============  =========================================================================
viewer_key      ``platform:uid`` as :func:`app.store.viewer_key` makes it. Or give
                ``viewer_id`` (买家ID / 用户ID / buyer_id / uid) plus an optional
                ``platform`` (平台) column; without one the ``default_platform`` is used.
product_id      (商品ID / 商品编码) the catalog's product id.
kind            (行为 / 类型) one of ``asked, link_clicked, added_to_cart, purchased, rated``
                or 咨询/浏览, 点击, 加购, 购买/下单, 评分/评价. Empty: ``rated`` when a rating
                is given, else ``purchased`` (an order export lists purchases).
rating          (评分) 1..5, only for ``rated``; empty otherwise.
time            (at / 时间 / 下单时间 / 付款时间) unix seconds, or ISO 8601 date/time
                (``2026-11-28 20:15:00``; naive times are read as UTC+8, China time).
session_id      (场次) optional live-session id the interaction happened in.
==============  =========================================================================

Every viewer and product id is normalised to one type, ``str``, here, at ingestion
(:func:`normalise_id`): ``123``, ``123.0`` (what spreadsheets make of numbers) and ``" 123 "``
all become ``"123"``. Nothing downstream ever sees an ``int`` id -- this is what keeps a
Surprise model trained on one id type from being queried with another (which silently
returns the global mean for every pair).

MovieLens format (the community-standard ml-100k layout, GroupLens): ratings are
tab-separated ``user item rating timestamp`` lines (``u.data``); the item file is
pipe-separated ``id|title|release date|video release date|IMDb URL|g0|...|g18`` with 19 0/1
genre flags in the fixed ml-100k genre order (``u.item``, Latin-1).
"""

from __future__ import annotations

import contextlib

import csv
import datetime as _dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from app.errors import LiveHostError
from app.store.sqlite import INTERACTION_KINDS, Interaction, viewer_key

_CHINA_TZ = _dt.timezone(_dt.timedelta(hours=8))

_COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "viewer_key": ("viewer_key", "viewer"),
    "viewer_id": ("viewer_id", "buyer_id", "user_id", "uid", "买家id", "用户id", "买家", "会员id"),
    "platform": ("platform", "平台"),
    "product_id": ("product_id", "item_id", "商品id", "商品编码", "宝贝id"),
    "kind": ("kind", "action", "event", "行为", "类型"),
    "rating": ("rating", "score", "评分", "打分"),
    "time": ("time", "at", "timestamp", "时间", "下单时间", "付款时间", "创建时间"),
    "session_id": ("session_id", "session", "场次", "直播场次"),
}

_KIND_ALIASES: dict[str, str] = {
    **{k: k for k in INTERACTION_KINDS},
    "viewed": "asked", "view": "asked", "ask": "asked", "click": "link_clicked",
    "clicked": "link_clicked", "cart": "added_to_cart", "add_to_cart": "added_to_cart",
    "purchase": "purchased", "buy": "purchased", "order": "purchased", "rate": "rated",
    "咨询": "asked", "浏览": "asked", "提问": "asked", "点击": "link_clicked", "点链接": "link_clicked",
    "加购": "added_to_cart", "加入购物车": "added_to_cart", "购买": "purchased", "下单": "purchased",
    "成交": "purchased", "评分": "rated", "评价": "rated",
}

MOVIELENS_GENRES: tuple[str, ...] = (
    "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime",
    "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance",
    "Sci-Fi", "Thriller", "War", "Western",
)
"""The 19 genre flags of ml-100k's ``u.item``, in file order."""


def normalise_id(value: object) -> str:
    """Return the one id type used everywhere: a stripped ``str``.

    Integral floats (``123.0``, spreadsheets' numbers) become ``"123"``.

    Raises:
        ValueError: the id is empty or not a finite number when numeric.
    """
    if isinstance(value, bool):
        raise ValueError(f"not an id: {value!r}")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"not an id: {value!r}")
        if value.is_integer():
            value = int(value)
    text = str(value).strip() if value is not None else ""
    if text.endswith(".0") and text[:-2].lstrip("-").isdigit():
        text = text[:-2]
    if not text:
        raise ValueError("empty id")
    return text


def normalise_viewer_key(value: object, default_platform: str = "shop") -> str:
    """A viewer key ``platform:uid`` from a key or a bare uid (which gets ``default_platform``)."""
    text = normalise_id(value)
    if ":" in text:
        platform, _, uid = text.partition(":")
        return viewer_key(platform.strip(), normalise_id(uid))
    return viewer_key(default_platform, text)


def parse_time(value: object) -> float:
    """Unix seconds from unix seconds (number or text) or an ISO 8601 date/time.

    Naive date/times are China time (UTC+8).

    Raises:
        ValueError: unreadable time.
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, _dt.datetime):
        dt = value
    else:
        text = str(value or "").strip()
        if not text:
            raise ValueError("empty time")
        with contextlib.suppress(ValueError):
            return float(text)
        dt = _dt.datetime.fromisoformat(text.replace("/", "-"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=_CHINA_TZ)
    return dt.timestamp()


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import read: the interactions and the rows it skipped (1-based, header = 1)."""

    interactions: tuple[Interaction, ...]
    skipped: tuple[tuple[int, str], ...]
    """(row number, why) for each row that could not be used."""


def _read_rows(path: Path) -> list[list[object]]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            ws = wb.worksheets[0]
            return [list(r) for r in ws.iter_rows(values_only=True)]
        finally:
            wb.close()
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [list(r) for r in csv.reader(fh)]


def load_order_export(path: Path | str, *, default_platform: str = "shop") -> ImportReport:
    """Read an order export / interactions file (format in the module docstring).

    Bad rows are skipped and listed in the report; the file as a whole fails only when it
    cannot be read or lacks the required columns.

    Raises:
        LiveHostError(code="interactions-file-unreadable"): missing file, bad encoding.
        LiveHostError(code="interactions-columns-missing"): no viewer or product column.
    """
    path = Path(path)
    try:
        rows = _read_rows(path)
    except (OSError, UnicodeDecodeError, ValueError, KeyError) as exc:
        raise LiveHostError(
            "interactions-file-unreadable", f"Cannot read the interactions file {path}: {exc}",
            "Save it as CSV (UTF-8) or XLSX with a header row.") from exc
    if not rows:
        return ImportReport((), ())
    header = [str(h or "").strip().lower() for h in rows[0]]
    col: dict[str, int] = {}
    for name, aliases in _COLUMN_ALIASES.items():
        for i, h in enumerate(header):
            if h in aliases:
                col[name] = i
                break
    if "product_id" not in col or ("viewer_key" not in col and "viewer_id" not in col):
        raise LiveHostError(
            "interactions-columns-missing",
            f"{path}: the header needs a product_id column and a viewer_key or viewer_id column "
            f"(found: {', '.join(header)}).",
            "Rename the columns as documented (商品ID, 买家ID ... are accepted).")

    def cell(row: list[object], name: str) -> object:
        i = col.get(name)
        if i is None or i >= len(row):
            return None
        v = row[i]
        return None if v is None or (isinstance(v, str) and not v.strip()) else v

    out: list[Interaction] = []
    skipped: list[tuple[int, str]] = []
    for rowno, row in enumerate(rows[1:], start=2):
        if not any(v not in (None, "") for v in row):
            continue
        try:
            if cell(row, "viewer_key") is not None:
                vkey = normalise_viewer_key(cell(row, "viewer_key"), default_platform)
            else:
                platform = cell(row, "platform")
                platform = str(platform).strip() if platform is not None else default_platform
                vkey = viewer_key(platform, normalise_id(cell(row, "viewer_id")))
            pid = normalise_id(cell(row, "product_id"))
            rating_raw = cell(row, "rating")
            rating = float(rating_raw) if rating_raw is not None else None
            kind_raw = cell(row, "kind")
            if kind_raw is None:
                kind = "rated" if rating is not None else "purchased"
            else:
                kind = _KIND_ALIASES.get(str(kind_raw).strip().lower())
                if kind is None:
                    raise ValueError(f"unknown kind {kind_raw!r}")
            if kind == "rated":
                if rating is None or not 1 <= rating <= 5:
                    raise ValueError(f"rating {rating_raw!r} is not 1..5")
            else:
                rating = None
            t_raw = cell(row, "time")
            at = parse_time(t_raw) if t_raw is not None else 0.0
            sid = cell(row, "session_id")
            out.append(Interaction(vkey, pid, kind, rating, at,
                                   normalise_id(sid) if sid is not None else None))
        except (ValueError, TypeError) as exc:
            skipped.append((rowno, str(exc)))
    return ImportReport(tuple(out), tuple(skipped))


def write_interactions_csv(path: Path | str, items: Iterable[Interaction], *,
                           extra: dict[str, str] | None = None) -> int:
    """Write interactions in the order-export format (``viewer_key`` form); returns rows written.

    ``extra`` adds constant columns (e.g. ``{"synthetic": "yes"}``).
    """
    extra = extra or {}
    n = 0
    with Path(path).open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["viewer_key", "product_id", "kind", "rating", "time", "session_id", *extra])
        for it in items:
            w.writerow([it.viewer_key, it.product_id, it.kind,
                        "" if it.rating is None else f"{it.rating:g}", f"{it.at:.0f}",
                        it.session_id or "", *extra.values()])
            n += 1
    return n


def load_movielens(ratings_path: Path | str, items_path: Path | str | None = None, *,
                   platform: str = "ml",
                   ) -> tuple[list[Interaction], dict[str, tuple[str, ...]], dict[str, str]]:
    """Read MovieLens-format ratings (and optionally items).

    Returns:
        (interactions as kind ``rated`` with viewer keys ``<platform>:<user>``,
         item id -> feature tokens ``("genre:Comedy", ...)``, item id -> title).

    Raises:
        LiveHostError(code="interactions-file-unreadable"): missing file or a malformed line.
    """
    out: list[Interaction] = []
    try:
        with Path(ratings_path).open(encoding="latin-1") as fh:
            for lineno, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                parts = line.split("\t") if "\t" in line else line.split()
                if len(parts) < 3:
                    raise ValueError(f"line {lineno}: expected 'user item rating timestamp'")
                rating = float(parts[2])
                at = float(parts[3]) if len(parts) > 3 else 0.0
                out.append(Interaction(viewer_key(platform, normalise_id(parts[0])),
                                       normalise_id(parts[1]), "rated",
                                       min(5.0, max(1.0, rating)), at))
        features: dict[str, tuple[str, ...]] = {}
        titles: dict[str, str] = {}
        if items_path is not None:
            with Path(items_path).open(encoding="latin-1") as fh:
                for lineno, line in enumerate(fh, start=1):
                    parts = line.rstrip("\r\n").split("|")
                    if len(parts) < 2:
                        continue
                    iid = normalise_id(parts[0])
                    flags = parts[5:5 + len(MOVIELENS_GENRES)]
                    features[iid] = tuple(f"genre:{g}" for g, f in zip(MOVIELENS_GENRES, flags)
                                          if f.strip() == "1")
                    titles[iid] = parts[1]
    except (OSError, ValueError) as exc:
        raise LiveHostError("interactions-file-unreadable",
                            f"Cannot read the MovieLens-format file: {exc}",
                            "Ratings: tab-separated 'user item rating timestamp'; items: u.item "
                            "pipe-separated.") from exc
    return out, features, titles
