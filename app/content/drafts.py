"""Generated copy as files for the seller to review: a drafts CSV, and a copy of the catalog
with the ``script`` column filled.

The drafts CSV (UTF-8 with BOM, so Excel shows Chinese; ``\\r\\n`` line ends) has one row per
introduction or offer line, columns :data:`DRAFT_COLUMNS`:

* ``kind``: ``introduction``, ``countdown`` or ``low_stock``;
* ``fields``: the catalog columns the text uses, ``|``-separated;
* ``sentences``: JSON ``[[clause, [field, ...]], ...]`` -- each clause with its own fields;
* ``held_reason``: why it must not be used as it is ('' = fit to speak);
* ``dropped``: JSON ``[[sentence, reason], ...]`` of what the checks removed (model drafts).
"""

from __future__ import annotations

import csv
import dataclasses
import json
from collections.abc import Iterable
from pathlib import Path

from app.catalog.model import Catalog
from app.content.model import Introduction, OfferLine

DRAFT_COLUMNS: tuple[str, ...] = ("product_id", "listing_number", "title", "kind", "lang", "variant", "source",
                                  "style", "seconds", "text", "fields", "sentences", "held_reason", "dropped")


def draft_rows(catalog: Catalog, intros: Iterable[Introduction] = (),
               offers: Iterable[OfferLine] = ()) -> list[dict[str, str]]:
    """The CSV rows (``{column: text}``) of introductions and offer lines."""
    rows = []
    for i in intros:
        p = catalog.get(i.product_id)
        rows.append({
            "product_id": i.product_id, "listing_number": "" if p is None or p.listing_number is None
            else str(p.listing_number), "title": p.title if p else "", "kind": "introduction", "lang": i.lang,
            "variant": str(i.variant), "source": i.source, "style": i.style, "seconds": f"{i.seconds:.1f}",
            "text": i.text, "fields": "|".join(i.fields),
            "sentences": json.dumps([[s.text, list(s.fields)] for s in i.sentences], ensure_ascii=False),
            "held_reason": i.held_reason, "dropped": json.dumps([list(d) for d in i.dropped], ensure_ascii=False)})
    for n, o in enumerate(offers):
        p = catalog.get(o.product_id)
        rows.append({
            "product_id": o.product_id, "listing_number": "" if p is None or p.listing_number is None
            else str(p.listing_number), "title": p.title if p else "", "kind": o.kind, "lang": o.lang,
            "variant": str(n), "source": "builtin", "style": "", "seconds": "", "text": o.text,
            "fields": "|".join(o.fields), "sentences": json.dumps([[o.text, list(o.fields)]], ensure_ascii=False),
            "held_reason": "", "dropped": "[]"})
    return rows


def write_drafts_csv(path: Path, rows: Iterable[dict[str, str]]) -> int:
    """Write draft rows to ``path``; returns how many. Raises OSError."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.DictWriter(f, fieldnames=DRAFT_COLUMNS, lineterminator="\r\n")
        w.writeheader()
        for row in rows:
            w.writerow(row)
            n += 1
    return n


def fill_scripts(catalog: Catalog, intros: Iterable[Introduction], *, overwrite: bool = False) -> tuple[Catalog, int]:
    """A copy of ``catalog`` whose products without a script (all products with ``overwrite``)
    get the first introduction of theirs that is fit to speak; returns it and how many scripts
    were filled."""
    best: dict[str, Introduction] = {}
    for i in intros:
        if not i.held_reason and i.product_id not in best:
            best[i.product_id] = i
    filled = 0
    products = []
    for p in catalog:
        intro = best.get(p.product_id)
        if intro is not None and (overwrite or not p.script.strip()):
            p = dataclasses.replace(p, script=intro.text)
            filled += 1
        products.append(p)
    return dataclasses.replace(catalog, products=tuple(products)), filled
