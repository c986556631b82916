"""Variant option labels named in a message (2.25x2.6, 250g, 38码, 30ml, a phone model ...)."""

from __future__ import annotations

import re

from app.catalog.model import Product, Sku

_SPACE = re.compile(r"[\s\-_/·]+")
VARIANT_TOKEN = re.compile(
    r"(?i)\d+(?:\.\d+)?\s*(?:ml|毫升|l|升|g|克|kg|公斤|斤|gb|g\b|tb|t\b|寸|英寸|inch|w|瓦|mah|包|片|支|袋|盒|罐|瓶|粒|件套|米|m\b|码|cm"
    r"|pcs\b|pieces?\b|packs?\b|bags?\b|sachets?\b|tubes?\b|bottles?\b|boxes\b|box\b|pairs?\b|cans?\b)"
    r"|\d+(?:\.\d+)?\s*[x×*]\s*\d+(?:\.\d+)?")
"""A variant-like token: a quantity with a unit or a dimension (what an option label looks like)."""


_MODEL_TAIL = re.compile(r"[a-z]+\d+[a-z]*")
"""The model part at the end of a value (reno8 of "oppo reno8", k50 of "redmi k50")."""


def _norm(s: str) -> str:
    return _SPACE.sub("", s.lower())


def option_values(p: Product) -> dict[str, tuple[str, ...]]:
    """Option name -> its distinct non-empty values over the product's SKUs."""
    out: dict[str, dict[str, None]] = {}
    for s in p.skus:
        for name, value in s.options:
            if value:
                out.setdefault(name, {})[value] = None
    return {n: tuple(v) for n, v in out.items()}


def _names_value(key: str, low: str, spaced: str) -> bool:
    if key.isdigit() or (key.isascii() and len(key) <= 2):  # 40, XL: a whole token only
        return re.search(rf"(?<![0-9a-z.]){re.escape(key)}(?![0-9a-z.])", spaced) is not None
    if key in low:
        return True

    stem = key[:-1] if key.endswith("色") and len(key) > 2 else ""
    return bool(stem) and stem in low


def named_options(p: Product, text: str) -> dict[str, tuple[str, ...]]:
    """Option name -> the values of it the message names (longest first, none inside a longer
    one that matched). Values (and their English labels) are matched without case and spaces;
    a value of digits only or of one or two Latin letters must be a whole token."""
    low, spaced = _norm(text), text.lower()
    found: dict[str, tuple[str, ...]] = {}
    for name, values in option_values(p).items():
        hits: list[str] = []
        for v in sorted(values, key=len, reverse=True):
            keys = [k for k in dict.fromkeys(_norm(x) for x in (v, p.label_en(v)) if x) if k]
            parts = v.split()
            if len(parts) > 1 and _MODEL_TAIL.fullmatch(parts[-1].lower()) and len(parts[-1]) >= 3:
                keys.append(parts[-1].lower())  # "OPPO Reno8" is named by "Reno8" alone
            rest = _norm("".join(parts[1:]))
            if len(parts) > 2 and re.search(r"\d", rest) and re.search(r"[a-z]", rest) and len(rest) >= 4:
                keys.append(rest)  # "iPhone 8 Plus" is named by "8 Plus"
            if any(_names_value(k, low, spaced) for k in keys) \
                    and not any(_norm(v) in _norm(h) for h in hits):
                hits.append(v)
        if hits:
            found[name] = tuple(hits)
    return found


def skus_with(p: Product, named: dict[str, tuple[str, ...]]) -> list[Sku]:
    """The SKUs carrying, for every option named, one of the values named."""
    return [s for s in p.skus if all(dict(s.options).get(n) in vs for n, vs in named.items())]


def value_mentioned_loosely(p: Product, word: str) -> bool:
    """True when ``word`` (a colour or option word of the viewer's) is part of one of the
    product's option values, or one of them is part of it (正红 / 复古正红): then "we don't have
    it" would be a guess."""
    w = _norm(word).removesuffix("色")
    if not w:
        return False
    return any(w in _norm(v) or _norm(v).removesuffix("色") in w
               for vs in option_values(p).values() for v in vs if _norm(v).removesuffix("色"))
