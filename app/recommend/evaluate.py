"""Offline evaluation of the ranking methods: per-viewer random split, top-k metrics.

Protocol (the one Microsoft's *recommenders* benchmark uses on MovieLens, so figures are
comparable in kind): for every viewer with at least two distinct items, a random
``test_fraction`` of their items (at least one, leaving at least one) is held out with all
interactions on them; the models are fitted on the rest. For each viewer with held-out items
every item they have *not* interacted with in training is ranked, and the top ``k`` is
compared with the held-out items (all held-out items count as relevant, binary gain).

Metrics (averaged over evaluated viewers):

* precision@k = hits in top k / k
* recall@k    = hits in top k / number of held-out items
* nDCG@k      = DCG / IDCG, ``DCG = sum over hits at rank r (1-based) of 1 / log2(r + 1)``,
  IDCG the same for a perfect ranking of ``min(k, held-out)`` hits (Järvelin & Kekäläinen 2002)
* coverage    = distinct items recommended to anyone / items in the catalog
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from app.catalog.model import Catalog
from app.recommend.recommender import HybridRecommender, Weights
from app.store.sqlite import Interaction


def precision_at_k(ranked: Sequence[str], relevant: Iterable[str], k: int) -> float:
    """Hits among the first ``k`` ranked items, divided by ``k``."""
    rel = set(relevant)
    return sum(1 for x in ranked[:k] if x in rel) / k


def recall_at_k(ranked: Sequence[str], relevant: Iterable[str], k: int) -> float:
    """Hits among the first ``k`` ranked items, divided by the number of relevant items
    (0 when there are none)."""
    rel = set(relevant)
    return sum(1 for x in ranked[:k] if x in rel) / len(rel) if rel else 0.0


def ndcg_at_k(ranked: Sequence[str], relevant: Iterable[str], k: int) -> float:
    """Binary-gain nDCG@k (formula in the module docstring); 0 when nothing is relevant."""
    rel = set(relevant)
    if not rel:
        return 0.0
    dcg = sum(1.0 / math.log2(r + 2) for r, x in enumerate(ranked[:k]) if x in rel)
    idcg = sum(1.0 / math.log2(r + 2) for r in range(min(k, len(rel))))
    return dcg / idcg


def catalog_coverage(recommended: Iterable[Sequence[str]], n_items: int) -> float:
    """Distinct items in all recommendation lists / ``n_items``."""
    seen: set[str] = set()
    for lst in recommended:
        seen.update(lst)
    return len(seen) / n_items if n_items else 0.0


def split_per_viewer(interactions: Sequence[Interaction], test_fraction: float = 0.25,
                     seed: int = 0) -> tuple[list[Interaction], dict[str, set[str]]]:
    """Per-viewer random split of (viewer, item) pairs.

    Returns:
        (training interactions, viewer -> held-out item ids).
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError("test_fraction must be between 0 and 1")
    rng = np.random.default_rng(seed)
    items_of: dict[str, list[str]] = {}
    for it in interactions:
        lst = items_of.setdefault(it.viewer_key, [])
        if it.product_id not in lst:
            lst.append(it.product_id)
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


@dataclass(frozen=True)
class MethodResult:
    method: str
    precision: float
    recall: float
    ndcg: float
    coverage: float
    viewers: int
    fit_s: float
    """Seconds to fit what the method needs."""
    rank_s: float
    """Seconds to rank all items for every evaluated viewer."""


METHODS: tuple[str, ...] = ("popularity", "svd", "content", "ease", "hybrid", "hybrid_no_ease")
"""``ease`` (item-item alone) and ``hybrid_no_ease`` are ablations showing what the
implicit-feedback ranker adds to the blend."""


def evaluate(interactions: Sequence[Interaction], *, catalog: Catalog | None = None,
             item_ids: Sequence[str] | None = None,
             item_features: Mapping[str, Sequence[str]] | None = None, k: int = 10,
             test_fraction: float = 0.25, seed: int = 0,
             methods: Sequence[str] = METHODS,
             make: Callable[..., HybridRecommender] | None = None) -> list[MethodResult]:
    """Split, fit once, rank with each method, and score (protocol in the module docstring).

    ``catalog`` or ``item_ids``/``item_features`` give the item universe (default: the items
    in the interactions). ``make`` builds the recommender (tests pass smaller models).
    """
    train, test = split_per_viewer(interactions, test_fraction, seed)
    if catalog is None and item_ids is None:
        ids = sorted({it.product_id for it in interactions} | set(item_features or ()))
    else:
        ids = list(item_ids) if item_ids is not None else None
    t0 = time.perf_counter()
    kwargs = dict(seed=seed, auto_refit=False)
    if catalog is not None:
        rec = (make or HybridRecommender)(catalog, **kwargs)
    else:
        rec = (make or HybridRecommender)(item_ids=ids, item_features=item_features, **kwargs)
    content_s = time.perf_counter() - t0
    rec.add_interactions(train)
    rec.fit()
    tim = rec.fit_timings
    fit_for = {
        "popularity": tim["matrix"],
        "svd": tim["matrix"] + tim["svd"],
        "content": content_s + tim["matrix"],
        "ease": tim["matrix"] + tim["ease"],
        "hybrid": content_s + sum(tim.values()),
        "hybrid_no_ease": content_s + tim["matrix"] + tim["svd"],
    }
    known = set(rec.index)
    test = {v: items & known for v, items in test.items()}  # products outside the catalog
    viewers = [v for v in sorted(test) if test[v]]
    results = []
    for method in methods:
        t1 = time.perf_counter()
        p = r = n = 0.0
        lists = []
        for v in viewers:
            if method == "hybrid_no_ease":
                w = rec.returning_weights
                total, _, _ = rec.scores(v, method="hybrid", weights=Weights(
                    svd=w.svd, content=w.content, popularity=w.popularity, session=w.session))
            else:
                total, _, _ = rec.scores(v, method=method)
            seen = rec.history(v)
            mask = np.ones(len(rec.item_ids), dtype=bool)
            if seen:
                mask[[rec.index[i] for i in seen]] = False
            top = rec._top_k(total, mask, k)
            ranked = [rec.item_ids[i] for i in top]
            lists.append(ranked)
            rel = test[v]
            p += precision_at_k(ranked, rel, k)
            r += recall_at_k(ranked, rel, k)
            n += ndcg_at_k(ranked, rel, k)
        m = max(len(viewers), 1)
        results.append(MethodResult(method, p / m, r / m, n / m,
                                    catalog_coverage(lists, len(rec.item_ids)), len(viewers),
                                    fit_for.get(method, 0.0), time.perf_counter() - t1))
    return results


def format_table(results: Sequence[MethodResult], k: int) -> str:
    """A plain-text table of the results."""
    head = f"{'method':<16}{'P@'+str(k):>8}{'R@'+str(k):>8}{'nDCG@'+str(k):>9}{'cover':>8}" \
           f"{'viewers':>9}{'fit s':>8}{'rank s':>8}"
    lines = [head, "-" * len(head)]
    for x in results:
        lines.append(f"{x.method:<16}{x.precision:>8.3f}{x.recall:>8.3f}{x.ndcg:>9.3f}"
                     f"{x.coverage:>8.3f}{x.viewers:>9d}{x.fit_s:>8.2f}{x.rank_s:>8.2f}")
    return "\n".join(lines)


def results_json(results: Sequence[MethodResult]) -> list[dict]:
    return [asdict(x) for x in results]
