"""Products to and from JSON-ready dicts (for the store and the session log).

Prices are kept as decimal strings so nothing is rounded on the way through JSON.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.catalog.model import AfterSales, Product, Shipping, SizeRange, Sku


def product_to_json(p: Product) -> dict[str, Any]:
    """A JSON-ready dict of every field of ``p`` (Decimal -> str, tuples -> lists)."""
    return {
        "product_id": p.product_id,
        "listing_number": p.listing_number,
        "title": p.title,
        "title_en": p.title_en,
        "category": p.category,
        "brand": p.brand,
        "price": format(p.price, "f"),
        "original_price": None if p.original_price is None else format(p.original_price, "f"),
        "skus": [[s.color, s.size, s.stock] for s in p.skus],
        "size_chart": [[r.size, r.height_min_cm, r.height_max_cm, r.weight_min_kg, r.weight_max_kg]
                       for r in p.size_chart],
        "material": p.material,
        "selling_points": list(p.selling_points),
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
        "tags": list(p.tags),
        "aliases": list(p.aliases),
        "script": p.script,
        "demo_data": p.demo_data,
    }


def product_from_json(d: dict[str, Any]) -> Product:
    """Inverse of :func:`product_to_json`."""
    sh = d.get("shipping") or {}
    af = d.get("after_sales") or {}
    return Product(
        product_id=d["product_id"],
        listing_number=d.get("listing_number"),
        title=d["title"],
        title_en=d.get("title_en", ""),
        category=d["category"],
        brand=d.get("brand", ""),
        price=Decimal(d["price"]),
        original_price=None if d.get("original_price") is None else Decimal(d["original_price"]),
        skus=tuple(Sku(c, s, int(n)) for c, s, n in d.get("skus", [])),
        size_chart=tuple(SizeRange(*r) for r in d.get("size_chart", [])),
        material=d.get("material", ""),
        selling_points=tuple(d.get("selling_points", [])),
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
        tags=tuple(d.get("tags", [])),
        aliases=tuple(d.get("aliases", [])),
        script=d.get("script", ""),
        demo_data=bool(d.get("demo_data", False)),
    )
