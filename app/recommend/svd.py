"""Collaborative filtering with Surprise SVD (Funk-style biased matrix factorisation).

Trained on the seller's explicit ratings (1..5) and purchase history: a purchased but
unrated product counts as rating :data:`PURCHASE_RATING`. Questions, link clicks and
add-to-carts are not ratings and are left to the other models.

Scores are computed vectorised over all items (``mu + b_u + b_i + q_i . p_u``, NumPy over
the factor matrices) -- never by calling ``predict()`` per item -- and are *not* clipped to
the rating scale, so near-top candidates do not tie at 5. Known-ness is checked explicitly:
an unknown viewer gets ``None`` (the caller falls back deliberately), an item without
training ratings gets ``mu + b_u`` and ``known_items`` is False for it.

The Surprise trainset is built directly from our own ``str`` ids (normalised at ingestion,
see :func:`app.recommend.interactions_io.normalise_id`), so the id type used at query time is
the id type used at training time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

PURCHASE_RATING = 4.0
"""Rating assumed for a purchase without an explicit rating (a satisfied-enough buyer)."""


@dataclass(frozen=True)
class SvdModel:
    """A fitted SVD over our item index.

    Attributes:
        mu: global mean rating.
        user_index: viewer key -> row of ``pu``/``bu``.
        pu: (n_users, n_factors) float64 viewer factors.
        bu: (n_users,) viewer biases.
        qi: (n_items, n_factors) item factors, zero rows for items without ratings.
        bi: (n_items,) item biases, 0 for items without ratings.
        known_items: (n_items,) bool, True when the item had training ratings.
        algo: the Surprise ``SVD`` object (for cross-checks against ``predict``).
    """

    mu: float
    user_index: Mapping[str, int]
    pu: np.ndarray
    bu: np.ndarray
    qi: np.ndarray
    bi: np.ndarray
    known_items: np.ndarray
    algo: object

    def knows(self, viewer: str) -> bool:
        return viewer in self.user_index

    def scores(self, viewer: str) -> np.ndarray | None:
        """Predicted ratings (unclipped) for every item, shape (n_items,); ``None`` when the
        viewer had no ratings in training (cold start: the caller decides the fallback)."""
        u = self.user_index.get(viewer)
        if u is None:
            return None
        # einsum, not BLAS gemv: multi-threaded OpenBLAS wakes its threads for this small
        # product and costs milliseconds on a busy machine; einsum stays on this thread.
        return self.mu + self.bu[u] + self.bi + np.einsum("ij,j->i", self.qi, self.pu[u])


def fit_svd(ratings: Sequence[tuple[str, int, float]], item_ids: Sequence[str], *,
            n_factors: int = 50, n_epochs: int = 20, reg_all: float = 0.05,
            lr_all: float = 0.007, seed: int = 0) -> SvdModel | None:
    """Fit Surprise SVD on ``(viewer key, item position, rating 1..5)`` triples.

    ``item_ids`` is the full item index (positions index into it). Returns ``None`` when there
    are no ratings. Hyper-parameters: Surprise's defaults except 50 factors and slightly
    stronger regularisation (small shop data).
    """
    if not ratings:
        return None
    from surprise import SVD, Trainset

    raw2inner_u: dict[str, int] = {}
    raw2inner_i: dict[str, int] = {}
    item_pos_of_inner: list[int] = []
    ur: dict[int, list[tuple[int, float]]] = {}
    ir: dict[int, list[tuple[int, float]]] = {}
    for viewer, pos, r in ratings:
        u = raw2inner_u.setdefault(viewer, len(raw2inner_u))
        iid = item_ids[pos]
        i = raw2inner_i.get(iid)
        if i is None:
            i = raw2inner_i[iid] = len(raw2inner_i)
            item_pos_of_inner.append(pos)
        ur.setdefault(u, []).append((i, float(r)))
        ir.setdefault(i, []).append((u, float(r)))
    trainset = Trainset(ur, ir, len(raw2inner_u), len(raw2inner_i), len(ratings), (1, 5),
                        raw2inner_u, raw2inner_i)
    algo = SVD(n_factors=n_factors, n_epochs=n_epochs, reg_all=reg_all, lr_all=lr_all,
               random_state=seed)
    algo.fit(trainset)
    n_items = len(item_ids)
    qi = np.zeros((n_items, n_factors))
    bi = np.zeros(n_items)
    known = np.zeros(n_items, dtype=bool)
    pos = np.asarray(item_pos_of_inner)
    qi[pos] = algo.qi
    bi[pos] = algo.bi
    known[pos] = True
    return SvdModel(mu=float(trainset.global_mean), user_index=dict(raw2inner_u),
                    pu=np.asarray(algo.pu), bu=np.asarray(algo.bu), qi=qi, bi=bi,
                    known_items=known, algo=algo)
