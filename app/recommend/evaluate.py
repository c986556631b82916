"""Offline evaluation of the ranking methods: per-viewer random split, top-k metrics.

Protocol (the one Microsoft's *recommenders* benchmark uses on MovieLens, so figures are
comparable in kind): for every viewer with at least two distinct items, a random
``test_fraction`` of their items (at least one, leaving at least one) is held out with all
interactions on them (:func:`app.recommend.split.split_per_viewer`); the models are fitted on
the rest. For each viewer with held-out items every item they have *not* interacted with in
training is ranked, and the top ``k`` is compared with the held-out items (all held-out items
count as relevant, binary gain).

The hybrid learns its blend inside its own fit, on a validation split carved from the
*training* interactions (:mod:`app.recommend.blend`); the test split is never seen by it.

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
from dataclasses import asdict, dataclass, replace

import numpy as np

from app.catalog.model import Catalog
from app.recommend.recommender import HybridRecommender
from app.recommend.split import split_per_viewer
from app.store.sqlite import Interaction

__all__ = ["METHODS", "MethodResult", "catalog_coverage", "evaluate", "format_table",
           "ndcg_at_k", "precision_at_k", "recall_at_k", "results_json", "split_per_viewer"]


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
    detail: str = ""
    """For ``hybrid`` / ``hybrid_no_ease``: the blend's weights and how they were chosen."""


METHODS: tuple[str, ...] = ("popularity", "session", "svd", "content", "ease", "hybrid",
                            "hybrid_no_ease")
"""Each component alone (``session`` = popularity tonight: units sold in the latest live
session; left out when the interactions carry no session ids; ``svd`` is left out when they
carry no ratings or purchases), the hybrid, and
``hybrid_no_ease``: the blend learned on the same validation split without the item-item
model (an ablation showing what it adds)."""


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
    kwargs = dict(seed=seed, auto_refit=False, keep_validation="hybrid_no_ease" in methods)
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
        "session": tim["matrix"],
        "hybrid": content_s + sum(tim.values()),
        "hybrid_no_ease": content_s + sum(tim.values()),
    }
    known = set(rec.index)
    test = {v: items & known for v, items in test.items()}  # products outside the catalog
    viewers = [v for v in sorted(test) if test[v]]
    results = []
    for method in methods:
        if method == "session" and rec.latest_session is None:
            continue  # no session ids: "tonight" does not exist in these interactions
        if method == "svd" and not rec.has_svd:
            continue  # no ratings or purchases: SVD has nothing to learn from
        t1 = time.perf_counter()
        blend = None
        if method == "hybrid_no_ease":
            try:
                blend = rec.relearn_blend(exclude=("ease",))
            except RuntimeError:  # too few validation viewers: the prior without ease
                blend = replace(rec.blend, weights=tuple(
                    replace(w, ease=0.0) for w in rec.blend.weights))
            except ValueError:  # nothing but ease scored anyone
                continue
        elif method == "hybrid":
            blend = rec.blend
        p = r = n = 0.0
        lists = []
        for v in viewers:
            if blend is not None:
                total, _, _ = rec.scores(v, method="hybrid", blend=blend)
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
                                    fit_for.get(method, 0.0), time.perf_counter() - t1,
                                    blend.describe() if blend is not None else ""))
    return results


def format_table(results: Sequence[MethodResult], k: int) -> str:
    """A plain-text table of the results."""
    head = f"{'method':<16}{'P@'+str(k):>8}{'R@'+str(k):>8}{'nDCG@'+str(k):>9}{'cover':>8}" \
           f"{'viewers':>9}{'fit s':>8}{'rank s':>8}"
    lines = [head, "-" * len(head)]
    for x in results:
        lines.append(f"{x.method:<16}{x.precision:>8.3f}{x.recall:>8.3f}{x.ndcg:>9.3f}"
                     f"{x.coverage:>8.3f}{x.viewers:>9d}{x.fit_s:>8.2f}{x.rank_s:>8.2f}")
    for x in results:
        if x.detail:
            lines.append(f"{x.method}: {x.detail}")
    return "\n".join(lines)


def results_json(results: Sequence[MethodResult]) -> list[dict]:
    return [asdict(x) for x in results]
