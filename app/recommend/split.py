"""Per-viewer random hold-out split of interactions (the offline evaluation's test split, and
the validation split the hybrid learns its blend on, carved from the training part).

Protocol (the one Microsoft's *recommenders* benchmark uses on MovieLens): for every viewer
with at least two distinct items, a random ``fraction`` of their items (at least one, leaving
at least one) is held out with all interactions on them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from app.store.sqlite import Interaction


def split_per_viewer(interactions: Sequence[Interaction], test_fraction: float = 0.25,
                     seed: int = 0) -> tuple[list[Interaction], dict[str, set[str]]]:
    """Per-viewer random split of (viewer, item) pairs, deterministic for a seed.

    Returns:
        (the interactions not held out, in input order; viewer key -> held-out item ids).
        Viewers with fewer than two distinct items hold nothing out and are not in the dict.

    Raises:
        ValueError: ``test_fraction`` not strictly between 0 and 1.
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError("test_fraction must be between 0 and 1")
    rng = np.random.default_rng(seed)
    items_of: dict[str, dict[str, None]] = {}
    for it in interactions:
        items_of.setdefault(it.viewer_key, {})[it.product_id] = None
    test: dict[str, set[str]] = {}
    for v in sorted(items_of):
        items = sorted(items_of[v])
        if len(items) < 2:
            continue
        n_test = min(len(items) - 1, max(1, int(round(test_fraction * len(items)))))
        pick = rng.choice(len(items), size=n_test, replace=False)
        test[v] = {items[i] for i in pick}
    train = [it for it in interactions if it.product_id not in test.get(it.viewer_key, ())]
    return train, test
