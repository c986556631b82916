"""The seller's catalog as plain immutable data.

Prices are :class:`decimal.Decimal` yuan (CNY), exact to the fen. Heights are centimetres,
weights kilograms, times days. These objects are what the reply composer and the fact guard
read; nothing else is a source of facts.

A product's variants (:class:`Sku`) differ by any options the seller names (颜色 and 尺码 for
clothes; 颜色 and 适用机型 for a phone case; 容量 for a cream; 重量 for tea), each with its
own stock and, optionally, its own price, crossed-out price and barcode. A product without
variants has a single SKU without options that holds its stock. Free text (titles, FAQ
answers, shelf life) is kept as the seller wrote it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal


COLOR_OPTION = "颜色"
"""The option name colour has when a SKU is made from ``color``/``size`` alone."""
SIZE_OPTION = "尺码"
"""The option name size has when a SKU is made from ``color``/``size`` alone."""
COLOR_NAMES = frozenset({"颜色", "顏色", "颜色分类", "顏色分類", "色", "色系", "配色",
                         "color", "colour", "colors", "colours"})
"""Option names that mean colour: an option of that name fills :attr:`Sku.color`."""
SIZE_NAMES = frozenset({"尺码", "尺碼", "尺寸", "码数", "碼數", "码", "碼", "鞋码", "鞋碼",
                        "size", "sizes"})
"""Option names that mean size: an option of that name fills :attr:`Sku.size`."""


def _option_key(name: str) -> str:
    return name.strip().casefold()


def is_color_option(name: str) -> bool:
    """True when an option called ``name`` is the colour (颜色, 颜色分类, color ...)."""
    return _option_key(name) in COLOR_NAMES


def is_size_option(name: str) -> bool:
    """True when an option called ``name`` is the size (尺码, 尺寸, size ...)."""
    return _option_key(name) in SIZE_NAMES


@dataclass(frozen=True, slots=True)
class Sku:
    """One purchasable variant (规格) of a product.

    A SKU is the combination of one value per option of its product (颜色 黑色 + 适用机型
    iPhone 16 Pro Max; 容量 50ml; 重量 250g). :attr:`color` and :attr:`size` mirror the
    options named like a colour or a size (see :data:`COLOR_NAMES`, :data:`SIZE_NAMES`), so
    code that only knows colour and size keeps working.

    ``Sku("黑色", "M", 12)`` (colour/size only) has the options ``(("颜色", "黑色"),
    ("尺码", "M"))``. ``Sku(options=(("容量", "50ml"),), stock=30, price=Decimal("149"))``
    has neither colour nor size. ``Sku(stock=150)`` is the single SKU of a product without
    variants (no options, label ``""``).

    Raises:
        ValueError: ``color``/``size`` contradict the options, two options have the same
            name, or two options are a colour (or a size).
    """

    color: str = ""
    """Colour as the seller names it (e.g. 米白); empty when the product has no colours."""
    size: str = ""
    """Size label (S, M, 38, 均码); empty when the product has no sizes."""
    stock: int = 0
    """Units in stock (>= 0)."""
    options: tuple[tuple[str, str], ...] = ()
    """``(option name, value)`` for every option of the product, in the product's order;
    a value may be empty (a colour-and-size product whose SKU has no size). Empty only for
    the single SKU of a product without variants."""
    price: Decimal | None = None
    """This variant's own price in yuan; ``None`` = the product's price
    (:meth:`Product.price_for`)."""
    original_price: Decimal | None = None
    """This variant's own crossed-out price in yuan; only set together with :attr:`price`."""
    barcode: str = ""
    """Barcode or merchant code (条码 / 商家编码) of this variant; empty = none given."""

    def __post_init__(self) -> None:
        if not self.options:
            if self.color or self.size:
                object.__setattr__(self, "options",
                                   ((COLOR_OPTION, self.color), (SIZE_OPTION, self.size)))
            return
        options = tuple((str(n), str(v)) for n, v in self.options)
        names = [_option_key(n) for n, _ in options]
        if len(set(names)) != len(names):
            raise ValueError(f"SKU options repeat a name: {options!r}")
        colors = [v for n, v in options if is_color_option(n)]
        sizes = [v for n, v in options if is_size_option(n)]
        if len(colors) > 1 or len(sizes) > 1:
            raise ValueError(f"SKU has more than one colour or size option: {options!r}")
        color = colors[0] if colors else ""
        size = sizes[0] if sizes else ""
        if (self.color and self.color != color) or (self.size and self.size != size):
            raise ValueError(f"SKU colour/size {self.color!r}/{self.size!r} contradict its "
                             f"options {options!r}")
        object.__setattr__(self, "options", options)
        object.__setattr__(self, "color", color)
        object.__setattr__(self, "size", size)

    @property
    def option_names(self) -> tuple[str, ...]:
        """The option names in order (``("颜色", "尺码")`` for a colour/size SKU)."""
        return tuple(n for n, _ in self.options)

    @property
    def values(self) -> tuple[str, ...]:
        """The option values in order (may contain empty strings)."""
        return tuple(v for _, v in self.options)

    @property
    def label(self) -> str:
        """The variant as the seller reads it, unique within its product: the non-empty
        option values joined by ``/`` (``黑色/M``, ``均码``, ``30ml``,
        ``黑色/iPhone 16 Pro Max``); ``""`` for the SKU of a product without variants."""
        return "/".join(v for _, v in self.options if v)

    def option(self, name: str) -> str:
        """The value of option ``name`` (matched without case; any colour name such as
        颜色/color reads :attr:`color`, any size name reads :attr:`size`); ``""`` when the
        SKU has no such option."""
        key = _option_key(name)
        for n, v in self.options:
            if _option_key(n) == key:
                return v
        if key in COLOR_NAMES:
            return self.color
        if key in SIZE_NAMES:
            return self.size
        return ""


@dataclass(frozen=True, slots=True)
class FaqEntry:
    """One question the seller has answered in advance (常见问题), e.g. 保质期 -> 12个月."""

    question: str
    """The question as the seller wrote it (保质期, 发票, 会起球吗)."""
    answer: str
    """The answer as the seller wrote it; what the host may say."""


def faq_key(question: str) -> str:
    """The form questions are compared in: NFKC, no spaces, lower case, without trailing
    question marks or 吗/呢 (``保质期多久？`` -> ``保质期多久``)."""
    text = unicodedata.normalize("NFKC", question).casefold()
    text = re.sub(r"\s+", "", text)
    text = text.rstrip("?？!！。.")
    return re.sub(r"(吗|呢|嘛)$", "", text)


def _faq_lookup(entries: tuple[FaqEntry, ...], question: str) -> str | None:
    key = faq_key(question)
    for e in entries:
        if faq_key(e.question) == key:
            return e.answer
    return None


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
    """One product (商品) in the seller's catalog.

    Raises:
        ValueError: the SKUs do not all have the same option names in the same order, two
            SKUs have the same :attr:`Sku.label`, or a SKU without options (a product without
            variants) is not the only SKU.
    """

    product_id: str
    listing_number: int | None
    """Number in the room's shopping bag (X号链接); ``None`` when not listed tonight."""
    title: str
    category: str
    price: Decimal
    """Current selling price in yuan: the price of every SKU without a price of its own.
    When every SKU has its own price, the importer makes it the lowest of them (起价)."""
    brand: str = ""
    original_price: Decimal | None = None
    """Crossed-out price in yuan, if any (for the SKUs without a price of their own)."""
    skus: tuple[Sku, ...] = ()
    """The variants with their stock; ``()`` = stock unknown. A product without variants
    has one SKU without options (``Sku(stock=150)``)."""
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
    short_name: str = ""
    """How the host says it (碎花裙 for a 20-character title); empty = use ``title``."""
    unit: str = ""
    """What one price buys, as the seller writes it: 250g, 1双, 1盒; empty = one item."""
    free_gift: bool = False
    """True for a free gift (赠品): its price is 0 and that is meant."""
    suitable_for: tuple[str, ...] = ()
    """Who or what it fits, as the seller writes it: 油皮, 干皮, iPhone 16 Pro Max, 3-6岁,
    小型犬."""
    net_weight: str = ""
    """Net content (净含量) as written: 250g, 50ml, 12片."""
    shelf_life: str = ""
    """Shelf life (保质期) as written: 12个月, 180天."""
    production_date: str = ""
    """Production date (生产日期) as written, or ``YYYY-MM-DD`` from an Excel date cell."""
    storage: str = ""
    """Storage conditions (储存方式): 阴凉干燥处, 冷藏0-4℃."""
    material_en: str = ""
    """English ``material``; empty = none."""
    selling_points_en: tuple[str, ...] = ()
    """English selling points; empty = none."""
    labels_en: tuple[tuple[str, str], ...] = ()
    """English for option names and values: ``(("颜色", "Colour"), ("黑色", "black"))``."""
    faq: tuple[FaqEntry, ...] = ()
    """Questions about this product answered in advance (保质期 -> 12个月, 起球 -> 不起球)."""

    def __post_init__(self) -> None:
        if not self.skus:
            return
        names = self.skus[0].option_names
        labels: set[str] = set()
        for s in self.skus:
            if not s.options and len(self.skus) > 1:
                raise ValueError(f"{self.product_id}: a SKU without options (a product without "
                                 "variants) must be the only SKU")
            if s.option_names != names:
                raise ValueError(f"{self.product_id}: SKU options {s.option_names!r} differ "
                                 f"from {names!r}")
            if s.label in labels:
                raise ValueError(f"{self.product_id}: two SKUs are labelled {s.label!r}")
            labels.add(s.label)

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

    @property
    def has_variants(self) -> bool:
        """True when the SKUs differ by some option (False without SKUs or with the one SKU
        of a product without variants)."""
        return any(s.options for s in self.skus)

    @property
    def option_names(self) -> tuple[str, ...]:
        """The product's option names in order (``("颜色", "适用机型")``); ``()`` without
        variants."""
        return self.skus[0].option_names if self.skus else ()

    def option_values(self, name: str) -> tuple[str, ...]:
        """Distinct non-empty values of option ``name`` in catalog order (``颜色`` ->
        ``("黑色", "白色")``); colour and size names match as in :meth:`Sku.option`."""
        return tuple(dict.fromkeys(v for v in (s.option(name) for s in self.skus) if v))

    def skus_matching(self, **options: str) -> tuple[Sku, ...]:
        """The SKUs whose options have the given values exactly, e.g.
        ``skus_matching(颜色="黑色", 适用机型="iPhone 16")`` or ``skus_matching(color="黑色")``;
        all SKUs when no option is given."""
        return tuple(s for s in self.skus
                     if all(s.option(name) == value for name, value in options.items()))

    def sku(self, label: str) -> Sku | None:
        """The SKU with this :attr:`Sku.label`, or ``None``."""
        return next((s for s in self.skus if s.label == label), None)

    def stock_for(self, color: str | None = None, size: str | None = None) -> int:
        """Units in stock matching the colour and/or size (exact SKU labels); all when None."""
        return sum(
            s.stock
            for s in self.skus
            if (color is None or s.color == color) and (size is None or s.size == size)
        )

    def price_for(self, sku: Sku) -> Decimal:
        """What ``sku`` costs in yuan: its own price, else the product's price."""
        return self.price if sku.price is None else sku.price

    def original_price_for(self, sku: Sku) -> Decimal | None:
        """The crossed-out price of ``sku`` in yuan: its own when it has its own price (may be
        ``None``), else the product's."""
        return self.original_price if sku.price is None else sku.original_price

    @property
    def min_price(self) -> Decimal:
        """The lowest price any SKU sells at (the product price when there are no SKUs)."""
        return min((self.price_for(s) for s in self.skus), default=self.price)

    @property
    def max_price(self) -> Decimal:
        """The highest price any SKU sells at (the product price when there are no SKUs)."""
        return max((self.price_for(s) for s in self.skus), default=self.price)

    @property
    def has_variant_prices(self) -> bool:
        """True when SKUs sell at different prices (then "the price" needs a variant)."""
        return self.min_price != self.max_price

    @property
    def spoken_name(self) -> str:
        """``short_name`` when given, else ``title``."""
        return self.short_name or self.title

    def label_en(self, text: str) -> str:
        """The English for an option name or value (from :attr:`labels_en`), or ``""``."""
        return next((en for zh, en in self.labels_en if zh == text), "")

    def sku_label_en(self, sku: Sku) -> str:
        """``sku``'s label in English: each value's English (the value itself where none is
        given) joined by ``/``."""
        return "/".join(self.label_en(v) or v for v in sku.values if v)

    def faq_answer(self, question: str) -> str | None:
        """This product's answer to ``question`` (compared by :func:`faq_key`), or ``None``."""
        return _faq_lookup(self.faq, question)


@dataclass(frozen=True)
class Catalog:
    """All products, indexed by id and listing number, and the shop-wide FAQ."""

    products: tuple[Product, ...]
    faq: tuple[FaqEntry, ...] = ()
    """Questions about the shop answered in advance (货到付款, 发票, 运费险 ...)."""

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

    def faq_answer(self, question: str, product: Product | None = None) -> str | None:
        """The answer to ``question``: the product's own FAQ first (when given), then the
        shop's; ``None`` when neither has it. Questions are compared by :func:`faq_key`."""
        if product is not None:
            answer = product.faq_answer(question)
            if answer is not None:
                return answer
        return _faq_lookup(self.faq, question)

    def __len__(self) -> int:
        return len(self.products)

    def __iter__(self):
        return iter(self.products)
