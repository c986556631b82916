"""Popularity: overall (distinct viewers per item) and within one live session (units sold
tonight)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import numpy as np
from scipy import sparse

from app.store.sqlite import Interaction


def overall_popularity(x: sparse.csr_matrix) -> np.ndarray:
    """Distinct viewers who interacted with each item: column sums of the binary
    viewer x item matrix, shape (n_items,) float64."""
    return np.asarray(x.sum(axis=0), dtype=np.float64).ravel()


class SessionPopularity:
    """Running purchase and link-click counts per product for each live session.

    Updated live (one dict increment per interaction); read with :meth:`counts`.
    """

    def __init__(self) -> None:
        self._purchases: dict[str, Counter[str]] = {}
        self._clicks: dict[str, Counter[str]] = {}

    def add(self, items: Iterable[Interaction]) -> None:
        for it in items:
            if not it.session_id:
                continue
            if it.kind == "purchased":
                self._purchases.setdefault(it.session_id, Counter())[it.product_id] += 1
            elif it.kind in ("link_clicked", "added_to_cart"):
                self._clicks.setdefault(it.session_id, Counter())[it.product_id] += 1

    def purchases(self, session_id: str | None) -> Counter[str]:
        """Units announced/recorded as purchased in the session, by product id (a copy)."""
        return Counter(self._purchases.get(session_id or "", Counter()))

    def clicks(self, session_id: str | None) -> Counter[str]:
        return Counter(self._clicks.get(session_id or "", Counter()))

    def latest_session(self) -> str | None:
        """The session id seen most recently (insertion order)."""
        keys = list(self._purchases) + [k for k in self._clicks if k not in self._purchases]
        return keys[-1] if keys else None

    def top_seller(self, session_id: str | None) -> str | None:
        """The product with strictly the most purchases this session (ties -> ``None``)."""
        top = self.purchases(session_id).most_common(2)
        if not top or (len(top) == 2 and top[0][1] == top[1][1]):
            return None
        return top[0][0]
