"""Products, FAQ entries and catalogs to and from JSON-ready dicts (for the store and the
session log).

Prices are kept as decimal strings so nothing is rounded on the way through JSON. SKUs are
written as objects (``{"color", "size", "stock", "options", "price", "original_price",
"barcode"}``); the ``[color, size, stock]`` lists of earlier versions are still read.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.catalog.model import AfterSales, Catalog, FaqEntry, Product, Shipping, SizeRange, Sku

__all__ = [
    "catalog_from_json",
    "catalog_to_json",
    "faq_from_json",
    "faq_to_json",
    "product_from_json",
    "product_to_json",
    "sku_from_json",
    "sku_to_json",
]


def _money(d: Decimal | None) -> str | None:
    return None if d is None else format(d, "f")


def _decimal(s: str | None) -> Decimal | None:
    return None if s is None else Decimal(s)


def sku_to_json(s: Sku) -> dict[str, Any]:
    """A JSON-ready dict of one SKU (options as ``[[name, value], ...]``, prices as strings)."""
    return {
        "label": s.label,
        "color": s.color,
        "size": s.size,
        "stock": s.stock,
        "options": [[n, v] for n, v in s.options],
        "price": _money(s.price),
        "original_price": _money(s.original_price),
        "barcode": s.barcode,
    }


def sku_from_json(d: dict[str, Any] | list[Any]) -> Sku:
    """Inverse of :func:`sku_to_json`; also reads the ``[color, size, stock]`` list form."""
    if isinstance(d, list):
        color, size, stock = d
        return Sku(color, size, int(stock))
    options = tuple((str(n), str(v)) for n, v in d.get("options", []))
    return Sku(
        color="" if options else d.get("color", ""),
        size="" if options else d.get("size", ""),
        stock=int(d.get("stock", 0)),
        options=options,
        price=_decimal(d.get("price")),
        original_price=_decimal(d.get("original_price")),
        barcode=d.get("barcode", ""),
    )


def faq_to_json(entries: tuple[FaqEntry, ...]) -> list[list[str]]:
    """FAQ entries as ``[[question, answer], ...]``."""
    return [[e.question, e.answer] for e in entries]


def faq_from_json(data: list[Any] | None) -> tuple[FaqEntry, ...]:
    """Inverse of :func:`faq_to_json` (``None`` -> no entries)."""
    return tuple(FaqEntry(str(q), str(a)) for q, a in (data or []))


def product_to_json(p: Product) -> dict[str, Any]:
    """A JSON-ready dict of every field of ``p`` (Decimal -> str, tuples -> lists)."""
    return {
        "product_id": p.product_id,
        "listing_number": p.listing_number,
        "title": p.title,
        "short_name": p.short_name,
        "title_en": p.title_en,
        "category": p.category,
        "brand": p.brand,
        "price": format(p.price, "f"),
        "original_price": _money(p.original_price),
        "unit": p.unit,
        "free_gift": p.free_gift,
        "skus": [sku_to_json(s) for s in p.skus],
        "size_chart": [[r.size, r.height_min_cm, r.height_max_cm, r.weight_min_kg, r.weight_max_kg]
                       for r in p.size_chart],
        "material": p.material,
        "material_en": p.material_en,
        "selling_points": list(p.selling_points),
        "selling_points_en": list(p.selling_points_en),
        "labels_en": [[zh, en] for zh, en in p.labels_en],
        "suitable_for": list(p.suitable_for),
        "net_weight": p.net_weight,
        "shelf_life": p.shelf_life,
        "production_date": p.production_date,
        "storage": p.storage,
        "shipping": {
            "courier": p.shipping.courier, "ships_from": p.shipping.ships_from,
            "dispatch_days": p.shipping.dispatch_days, "delivery_days": p.shipping.delivery_days,
            "free_shipping": p.shipping.free_shipping,
            "free_shipping_exceptions": list(p.shipping.free_shipping_exceptions),
        },
        "after_sales": {
            "return_days": p.after_sales.return_days,
            "return_shipping_paid_by": p.after_sales.return_shipping_paid_by,
            "warranty": p.after_sales.warranty,
        },
        "faq": faq_to_json(p.faq),
        "tags": list(p.tags),
        "aliases": list(p.aliases),
        "script": p.script,
        "demo_data": p.demo_data,
    }


def product_from_json(d: dict[str, Any]) -> Product:
    """Inverse of :func:`product_to_json` (fields missing from older JSON get their
    defaults)."""
    sh = d.get("shipping") or {}
    af = d.get("after_sales") or {}
    return Product(
        product_id=d["product_id"],
        listing_number=d.get("listing_number"),
        title=d["title"],
        short_name=d.get("short_name", ""),
        title_en=d.get("title_en", ""),
        category=d["category"],
        brand=d.get("brand", ""),
        price=Decimal(d["price"]),
        original_price=_decimal(d.get("original_price")),
        unit=d.get("unit", ""),
        free_gift=bool(d.get("free_gift", False)),
        skus=tuple(sku_from_json(s) for s in d.get("skus", [])),
        size_chart=tuple(SizeRange(*r) for r in d.get("size_chart", [])),
        material=d.get("material", ""),
        material_en=d.get("material_en", ""),
        selling_points=tuple(d.get("selling_points", [])),
        selling_points_en=tuple(d.get("selling_points_en", [])),
        labels_en=tuple((str(zh), str(en)) for zh, en in d.get("labels_en", [])),
        suitable_for=tuple(d.get("suitable_for", [])),
        net_weight=d.get("net_weight", ""),
        shelf_life=d.get("shelf_life", ""),
        production_date=d.get("production_date", ""),
        storage=d.get("storage", ""),
        shipping=Shipping(
            courier=sh.get("courier", ""), ships_from=sh.get("ships_from", ""),
            dispatch_days=sh.get("dispatch_days"), delivery_days=sh.get("delivery_days", ""),
            free_shipping=sh.get("free_shipping"),
            free_shipping_exceptions=tuple(sh.get("free_shipping_exceptions", [])),
        ),
        after_sales=AfterSales(
            return_days=af.get("return_days"),
            return_shipping_paid_by=af.get("return_shipping_paid_by", ""),
            warranty=af.get("warranty", ""),
        ),
        faq=faq_from_json(d.get("faq")),
        tags=tuple(d.get("tags", [])),
        aliases=tuple(d.get("aliases", [])),
        script=d.get("script", ""),
        demo_data=bool(d.get("demo_data", False)),
    )


def catalog_to_json(catalog: Catalog) -> dict[str, Any]:
    """``{"products": [product_to_json ...], "faq": faq_to_json(catalog.faq)}``."""
    return {"products": [product_to_json(p) for p in catalog],
            "faq": faq_to_json(catalog.faq)}


def catalog_from_json(d: dict[str, Any]) -> Catalog:
    """Inverse of :func:`catalog_to_json`."""
    return Catalog(tuple(product_from_json(p) for p in d.get("products", [])),
                   faq=faq_from_json(d.get("faq")))
