"""The seller's catalog as plain immutable data.

Prices are :class:`decimal.Decimal` yuan (CNY), exact to the fen. Heights are centimetres,
weights kilograms, times days. These objects are what the reply composer and the fact guard
read; nothing else is a source of facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Sku:
    """One purchasable variant (规格) of a product."""

    color: str = ""
    """Colour as the seller names it (e.g. 米白); empty when the product has no colours."""
    size: str = ""
    """Size label (S, M, 38, 均码); empty when the product has no sizes."""
    stock: int = 0
    """Units in stock (>= 0)."""


@dataclass(frozen=True, slots=True)
class SizeRange:
    """Who a size fits, from the size chart. Bounds are inclusive; ``None`` = open."""

    size: str
    height_min_cm: float | None = None
    height_max_cm: float | None = None
    weight_min_kg: float | None = None
    weight_max_kg: float | None = None

    def fits(self, height_cm: float | None, weight_kg: float | None) -> bool:
        """True when the given body measurements (either may be ``None``) are in range."""
        if height_cm is None and weight_kg is None:
            return False
        if height_cm is not None:
            if self.height_min_cm is not None and height_cm < self.height_min_cm:
                return False
            if self.height_max_cm is not None and height_cm > self.height_max_cm:
                return False
        if weight_kg is not None:
            if self.weight_min_kg is not None and weight_kg < self.weight_min_kg:
                return False
            if self.weight_max_kg is not None and weight_kg > self.weight_max_kg:
                return False
        return True


@dataclass(frozen=True, slots=True)
class Shipping:
    courier: str = ""
    """Courier company, e.g. 顺丰, 中通."""
    ships_from: str = ""
    """City/province it ships from."""
    dispatch_days: int | None = None
    """Days from order to dispatch (发货时间); ``None`` = unknown."""
    delivery_days: str = ""
    """Typical transit time as the seller states it, e.g. ``2-4``; empty = unknown."""
    free_shipping: bool | None = None
    """True = 包邮 (except the regions below); ``None`` = unknown."""
    free_shipping_exceptions: tuple[str, ...] = ()
    """Regions excluded from free shipping (e.g. 新疆, 西藏)."""


@dataclass(frozen=True, slots=True)
class AfterSales:
    return_days: int | None = None
    """No-reason return window in days (7 = 七天无理由); ``None`` = unknown, 0 = no returns."""
    return_shipping_paid_by: str = ""
    """``seller``, ``buyer`` or ``insurance`` (运费险); empty = unknown."""
    warranty: str = ""
    """Warranty terms as the seller states them; empty = none stated."""


@dataclass(frozen=True, slots=True)
class Product:
    """One product (商品) in the seller's catalog."""

    product_id: str
    listing_number: int | None
    """Number in the room's shopping bag (X号链接); ``None`` when not listed tonight."""
    title: str
    category: str
    price: Decimal
    """Current selling price in yuan."""
    brand: str = ""
    original_price: Decimal | None = None
    """Crossed-out price in yuan, if any."""
    skus: tuple[Sku, ...] = ()
    size_chart: tuple[SizeRange, ...] = ()
    material: str = ""
    selling_points: tuple[str, ...] = ()
    shipping: Shipping = field(default_factory=Shipping)
    after_sales: AfterSales = field(default_factory=AfterSales)
    tags: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    """Other names viewers use for it (e.g. 小白鞋 for a white sneaker)."""
    script: str = ""
    """Sales script (话术) the host reads when introducing it."""
    title_en: str = ""
    """English title for English replies; empty = use ``title``."""
    demo_data: bool = False
    """True when fields were filled in for the demo rather than taken from a real shop."""

    @property
    def colors(self) -> tuple[str, ...]:
        """Distinct SKU colours in catalog order."""
        return tuple(dict.fromkeys(s.color for s in self.skus if s.color))

    @property
    def sizes(self) -> tuple[str, ...]:
        """Distinct SKU sizes in catalog order."""
        return tuple(dict.fromkeys(s.size for s in self.skus if s.size))

    @property
    def total_stock(self) -> int:
        return sum(s.stock for s in self.skus)

    def stock_for(self, color: str | None = None, size: str | None = None) -> int:
        """Units in stock matching the colour and/or size (exact SKU labels); all when None."""
        return sum(
            s.stock
            for s in self.skus
            if (color is None or s.color == color) and (size is None or s.size == size)
        )


@dataclass(frozen=True)
class Catalog:
    """All products, indexed by id and listing number."""

    products: tuple[Product, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {p.product_id: p for p in self.products})
        object.__setattr__(
            self,
            "_by_listing",
            {p.listing_number: p for p in self.products if p.listing_number is not None},
        )

    def get(self, product_id: str | None) -> Product | None:
        return self._by_id.get(product_id) if product_id else None  # type: ignore[attr-defined]

    def by_listing(self, number: int | None) -> Product | None:
        return self._by_listing.get(number) if number is not None else None  # type: ignore[attr-defined]

    def __len__(self) -> int:
        return len(self.products)

    def __iter__(self):
        return iter(self.products)
