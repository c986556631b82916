"""The intent label set (exactly these 14, in this order) and which of them are questions."""

INTENTS: tuple[str, ...] = (
    "greeting",
    "price",
    "discount",
    "size_fit",
    "product_detail",
    "stock",
    "shipping",
    "after_sales",
    "purchase_intent",
    "recommendation_request",
    "compliment",
    "complaint",
    "spam",
    "chitchat",
)

QUESTION_INTENTS: frozenset[str] = frozenset(
    {"price", "discount", "size_fit", "product_detail", "stock", "shipping", "after_sales",
     "recommendation_request"}
)
"""Intents that ask the host something and must get a reply (spoken or held for the seller)."""
