"""The introductions a running session may speak for products without a script.

:class:`IntroductionBook` holds the built-in generator's variants per product (made on first
use, about a millisecond per product) and hands them out in turn, so the idle rotation coming
back to a product says it differently. Only introductions that passed the fact guard are
handed out, and none for a product that is sold out. The seller's own script always wins: the
book is asked only for products whose ``script`` is empty (see
:class:`app.reply.stage.ReplyStage` and :class:`app.reply.rotation.IdleRotationStage`).
"""

from __future__ import annotations

from app.catalog.model import Catalog, Product
from app.content.generator import IntroGenerator
from app.content.model import Introduction


class IntroductionBook:
    """Generated introductions per product, handed out in turn.

    Args:
        generator: the built-in generator.
        lang: the language introductions are spoken in (``settings.language``).
        variants: how many different introductions per product.
    """

    def __init__(self, generator: IntroGenerator, *, lang: str = "zh", variants: int = 3) -> None:
        self.generator = generator
        self.lang = "en" if lang == "en" else "zh"
        self.variants = max(1, int(variants))
        self._made: dict[str, list[Introduction]] = {}
        self._next: dict[str, int] = {}

    @classmethod
    def from_settings(cls, catalog: Catalog, settings) -> "IntroductionBook":
        """From :class:`app.settings.Settings` (language, speech rate, ``[content]``)."""
        return cls(IntroGenerator.from_settings(catalog, settings), lang=settings.language,
                   variants=settings.content.variants)

    def introductions(self, product: Product) -> list[Introduction]:
        """The speakable variants for ``product`` (passed the guard; none when sold out)."""
        made = self._made.get(product.product_id)
        if made is None:
            if product.skus and product.total_stock <= 0:
                made = []
            else:
                made = [i for i in self.generator.introductions(product, self.lang, self.variants)
                        if not i.held_reason]
            self._made[product.product_id] = made
        return made

    def has(self, product: Product) -> bool:
        """True when there is something to say about ``product``."""
        return bool(self.introductions(product))

    def next(self, product: Product) -> Introduction | None:
        """The next variant for ``product`` in turn, or ``None``."""
        made = self.introductions(product)
        if not made:
            return None
        i = self._next.get(product.product_id, 0)
        self._next[product.product_id] = i + 1
        return made[i % len(made)]

    def speakable(self, product: Product) -> tuple[str, str] | None:
        """``(text, lang)`` of the next variant, or ``None`` -- the form
        :class:`app.reply.stage.ReplyStage` takes."""
        intro = self.next(product)
        return (intro.text, intro.lang) if intro is not None else None
