"""The hybrid's blend, learned on a validation split so that it never scores below its own
best component there.

Method (run by :meth:`app.recommend.recommender.HybridRecommender.fit`):

1. **Validation split.** The recommender's interactions -- in an offline evaluation, the
   *training* part only; the test split never reaches the recommender -- are split per viewer
   again (:func:`app.recommend.split.split_per_viewer`, seed ``seed + 1``, fraction
   ``validation_fraction``) into a *fit part* and held-out *validation items*. Every
   component is fitted on the fit part alone.
2. **Scores.** For each validation viewer (at most ``max_validation_viewers``, a seeded
   sample) each component scores every item and is z-scored over all items, exactly as at
   serving time; items in the viewer's fit-part history are not candidates.
3. **Objective.** A weight vector ``w >= 0`` ranks by ``sum_c w_c z_c`` (plus the serving
   tie-break, ``1e-6`` x popularity z, then item order) and is scored by
   ``J = P@k + nDCG@k`` over the validation viewers (binary gain; the definitions of
   :mod:`app.recommend.evaluate`).
4. **Candidates.** Every component alone (one-hot weights), the documented prior
   (:data:`app.recommend.recommender.RETURNING_WEIGHTS`), and coordinate ascent from the
   better of those -- one weight at a time over :data:`GRID`, a change kept when ``J``
   improves, up to ``passes`` passes: the coordinate-ascent ranker of Metzler & Croft,
   "Linear feature-based models for information retrieval", *Information Retrieval* 10
   (2007) 257-274 (RankLib's ``CoorAscent``), without its random restarts.
5. **The guard.** A searched blend is used only when, on validation, it is at least as good
   as *every* component alone on P@k *and* nDCG@k and beats the best component's ``J`` by
   ``min_gain`` (relative). Otherwise the best component alone is the blend. So on
   validation the hybrid never scores below its best component; on the test split it can
   only fall behind by what validation noise does to the choice, and the ``min_gain`` margin
   keeps a blend out unless its gain is clear.
6. **Regimes** by the viewer's history length (:data:`REGIMES`): each regime with at least
   ``min_regime_viewers`` validation viewers repeats 4-5 on its own viewers, starting from
   the pooled choice, and keeps its own weights only when they pass the guard there and beat
   the pooled choice there by ``min_gain``; the assembled per-regime blend must still pass
   the guard over all validation viewers, else the pooled choice serves every regime.
   Viewers with no collaborative signal (new viewers) keep the documented new-viewer prior:
   offline interaction logs carry no slots and every evaluated viewer has history, so that
   regime cannot be validated from them.

Cost and exactness: each viewer keeps a *pool* -- the union of every component's top
``pool`` unseen items and the viewer's held-out items -- with the best z score of each
component among the items outside it, so every outside item is irrelevant and, with
``w >= 0``, scores at most ``sum_c w_c max_outside z_c``. A blend ranked inside the pools
gives the exact P@k and nDCG@k of a viewer unless that bound exceeds the k-th pooled score
or a relevant item is in a tie group at the k-th score (ties fall to item order, which the
pool cannot see outside itself); for those "unsure" viewers the pooled value can only be
too high (an outside item can only push relevant ones down). The ascent climbs on pooled
values (cheap: one pass over ``viewers x pool`` arrays per weight vector); the guard
compares *exact* values -- the unsure viewers of the weight vectors it compares are ranked
over every item -- so the figures it decides on are exactly what
:func:`app.recommend.evaluate.evaluate` would report for the same models and items.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields

import numpy as np

TIE_BREAK = 1e-6
"""Weight of the popularity z score added to every blend to order exact ties (serving rule)."""

GRID: tuple[float, ...] = (0.0, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0)
"""Values one weight takes in a coordinate-ascent step (blends are scale-free: ratios count)."""


@dataclass(frozen=True)
class Weights:
    """Blend weights per component (applied to z-scored component scores, all >= 0)."""

    ease: float = 0.0
    svd: float = 0.0
    content: float = 0.0
    popularity: float = 0.0
    session: float = 0.0

    def get(self, name: str) -> float:
        return float(getattr(self, name))

    def vector(self, components: Sequence[str]) -> np.ndarray:
        """The weights as a float64 array in ``components`` order."""
        return np.array([self.get(c) for c in components], dtype=np.float64)

    @classmethod
    def from_vector(cls, components: Sequence[str], v: Sequence[float]) -> Weights:
        return cls(**{c: float(x) for c, x in zip(components, v)})

    def describe(self) -> str:
        """``ease 1 + popularity 0.2`` (non-zero weights only)."""
        parts = [f"{f.name} {self.get(f.name):g}" for f in fields(self) if self.get(f.name)]
        return " + ".join(parts) or "none"


@dataclass(frozen=True)
class Regime:
    """Viewers whose history has ``min_items`` .. ``max_items`` distinct products (inclusive;
    ``None``: no upper bound)."""

    name: str
    min_items: int
    max_items: int | None = None

    def contains(self, n_items: int) -> bool:
        return n_items >= self.min_items and (self.max_items is None or n_items <= self.max_items)


REGIMES: tuple[Regime, ...] = (Regime("short", 0, 4), Regime("medium", 5, 19),
                               Regime("long", 20, None))
"""History-length regimes that may learn their own weights (distinct products in history)."""


@dataclass(frozen=True)
class Score:
    """Mean validation metrics of one weight vector over a set of viewers."""

    precision: float
    ndcg: float

    @property
    def objective(self) -> float:
        """``P@k + nDCG@k``, what the search maximises."""
        return self.precision + self.ndcg


@dataclass(frozen=True)
class RegimeChoice:
    """The weights one regime (or the pooled set, ``regime="all"``) uses and why."""

    regime: str
    viewers: int
    weights: "Weights"
    source: str
    """``component:<name>`` (one component alone), ``blend`` (searched), ``pooled``."""
    score: Score
    best_single: str
    best_single_score: Score


@dataclass(frozen=True)
class BlendReport:
    """What the learning saw and did (validation metrics, costs)."""

    viewers: int
    """Validation viewers scored."""
    k: int
    pooled: RegimeChoice
    regimes: tuple[RegimeChoice, ...]
    """Regimes that learned their own weights or took the pooled ones (those with viewers)."""
    singles: Mapping[str, Score]
    """Each component alone over all validation viewers."""
    hybrid: Score
    """The chosen blend over all validation viewers."""
    candidates: int
    """Weight vectors scored."""
    rescored: int
    """Viewer scorings recomputed to rank over every item (the pool did not settle them for
    a weight vector the guard compared)."""
    seconds: Mapping[str, float] = field(default_factory=dict)
    """``fit`` (components on the fit part), ``pools`` (scoring validation viewers),
    ``search``."""


@dataclass(frozen=True)
class Blend:
    """Weights per history regime plus the new-viewer prior.

    ``learned`` is False when the prior serves (learning off, or too few validation viewers:
    ``note`` says which)."""

    regimes: tuple[Regime, ...]
    weights: tuple[Weights, ...]
    new_viewer: Weights
    learned: bool = False
    report: BlendReport | None = None
    note: str = ""
    interactions: int = 0
    """Interactions the blend was learned on (the recommender relearns it as they grow)."""

    @classmethod
    def fixed(cls, returning: Weights, new_viewer: Weights, note: str = "") -> Blend:
        """The same ``returning`` weights for every regime (not learned)."""
        return cls(REGIMES, tuple(returning for _ in REGIMES), new_viewer, False, None, note)

    def for_history(self, n_items: int) -> Weights:
        """Weights for a viewer with collaborative signal and ``n_items`` distinct products
        in their history."""
        for r, w in zip(self.regimes, self.weights):
            if r.contains(n_items):
                return w
        return self.weights[-1]

    def describe(self) -> str:
        """One line: the weights per regime (merged when equal) and how they were chosen."""
        groups: list[tuple[list[str], Weights]] = []
        for r, w in zip(self.regimes, self.weights):
            if groups and groups[-1][1] == w:
                groups[-1][0].append(r.name)
            else:
                groups.append(([r.name], w))
        text = "; ".join(("all" if len(g) == len(self.regimes) else "/".join(g)) + ": "
                         + w.describe() for g, w in groups)
        if self.learned and self.report is not None:
            rep = self.report
            text += (f" (learned on {rep.viewers} validation viewers; validation P@{rep.k} "
                     f"{rep.hybrid.precision:.3f} vs best component {rep.pooled.best_single} "
                     f"{rep.singles[rep.pooled.best_single].precision:.3f})")
        elif self.note:
            text += f" ({self.note})"
        return text


@dataclass
class ViewerScores:
    """One validation viewer's component scores (what the pool is built from).

    Attributes:
        z: (n_components, n_items) float64 z-scored component scores, zero rows for
            components that cannot score this viewer.
        candidates: (n_items,) bool, items not in the viewer's fit-part history.
        relevant: (n_relevant,) int64 item positions held out for validation.
        n_history: distinct products in the viewer's fit-part history (the regime).
    """

    z: np.ndarray
    candidates: np.ndarray
    relevant: np.ndarray
    n_history: int


def _discounts(k: int) -> np.ndarray:
    return 1.0 / np.log2(np.arange(k, dtype=np.float64) + 2.0)


class _PoolSet:
    """Pools of a set of validation viewers as padded arrays (one row per viewer)."""

    def __init__(self, rows: Sequence[int], z: np.ndarray, item: np.ndarray, valid: np.ndarray,
                 rel: np.ndarray, n_rel: np.ndarray, bound: np.ndarray, has_outside: np.ndarray,
                 components: Sequence[str], k: int, exact: _Exact) -> None:
        self.rows = np.asarray(rows, dtype=np.int64)  # viewer numbers (for exact rankings)
        self.z, self.item, self.valid, self.rel = z, item, valid, rel  # (C, V, W) / (V, W)
        self.n_rel, self.bound, self.has_outside = n_rel, bound, has_outside  # (V,), (V, C), (V,)
        self.components = tuple(components)
        self.pop = self.components.index("popularity")
        self.k = k
        self.exact = exact
        self.memo: dict[tuple[float, ...], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        disc = _discounts(k)
        self.idcg = np.cumsum(disc)[np.minimum(k, np.maximum(n_rel, 1)) - 1]
        self.disc = disc

    def subset(self, sel: np.ndarray) -> _PoolSet:
        return _PoolSet(self.rows[sel], self.z[:, sel], self.item[sel], self.valid[sel],
                        self.rel[sel], self.n_rel[sel], self.bound[sel], self.has_outside[sel],
                        self.components, self.k, self.exact)

    def __len__(self) -> int:
        return len(self.rows)

    def pooled(self, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(P@k, nDCG@k, unsure) per viewer for weights ``w`` (C,) ranked inside the pools:
        exact where ``unsure`` is False, at least the exact value where it is True (an
        outside item is irrelevant and can only push relevant ones down)."""
        key = tuple(float(x) for x in w)
        hit = self.memo.get(key)
        if hit is not None:
            return hit
        n_v, width = self.item.shape
        # the serving sum, term by term in component order (bit-identical to scores())
        total = np.zeros((n_v, width))
        for c in range(len(self.components)):
            if w[c]:
                total += w[c] * self.z[c]
        total += TIE_BREAK * self.z[self.pop]
        total[~self.valid] = -np.inf
        kk = min(self.k, width)
        part = np.argpartition(-total, kk - 1, axis=1)[:, :kk]
        vals = np.take_along_axis(total, part, 1)
        tied = np.flatnonzero((total >= vals.min(axis=1)[:, None]).sum(axis=1) > kk)
        if tied.size:  # ties across the k-th place: lower item positions win, as in top_k
            part[tied] = np.argsort(-total[tied], axis=1, kind="stable")[:, :kk]
            vals[tied] = np.take_along_axis(total[tied], part[tied], 1)
        items = np.take_along_axis(self.item, part, 1)
        order = np.lexsort((items, -vals), axis=1)
        part = np.take_along_axis(part, order, 1)
        vals = np.take_along_axis(vals, order, 1)
        kth = vals[:, -1]
        hits = np.take_along_axis(self.rel, part, 1)
        prec = hits.sum(axis=1) / self.k
        ndcg = (hits * self.disc[:kk]).sum(axis=1) / self.idcg
        # rows the pool does not settle (module docstring): an outside item might score above
        # the k-th, or a relevant item sits in a tie group at the k-th score (pool or outside)
        fin = np.isfinite(kth)
        tol = np.where(fin, 1e-9 * (1.0 + np.abs(np.where(fin, kth, 0.0))), 0.0)
        wb = w.copy()
        wb[self.pop] += TIE_BREAK
        outside_best = self.bound @ wb
        outside_beat = self.has_outside & fin & (outside_best > kth + tol)
        outside_reach = self.has_outside & fin & (outside_best >= kth - tol)
        with np.errstate(invalid="ignore"):
            near = fin[:, None] & (np.abs(total - kth[:, None]) <= tol[:, None])
        tie_group = (near.sum(axis=1) > 1) | outside_reach
        unsure = outside_beat | (tie_group & (near & self.rel).any(axis=1))
        self.memo[key] = (prec, ndcg, unsure)
        return prec, ndcg, unsure

    def score(self, w: np.ndarray) -> Score:
        """Pooled mean metrics (what the search climbs on)."""
        p, n, _ = self.pooled(w)
        return Score(float(p.mean()), float(n.mean())) if len(p) else Score(0.0, 0.0)

    def per_viewer(self, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Exact (P@k, nDCG@k) per viewer: pooled values, with the unsure viewers ranked
        over every item."""
        self.prefetch([w])
        p, n, unsure = self.pooled(w)
        p, n = p.copy(), n.copy()
        key = tuple(float(x) for x in w)
        for r in np.flatnonzero(unsure):
            p[r], n[r] = self.exact.cache[(int(self.rows[r]), key)]
        return p, n

    def exact_score(self, w: np.ndarray) -> Score:
        p, n = self.per_viewer(w)
        return Score(float(p.mean()), float(n.mean())) if len(p) else Score(0.0, 0.0)

    def prefetch(self, ws: Sequence[np.ndarray]) -> None:
        """Rank the unsure viewers of all ``ws`` over every item, each viewer's scores
        recomputed once for all of them."""
        need: list[tuple[int, np.ndarray]] = []
        for w in ws:
            _, _, unsure = self.pooled(w)
            need += [(int(self.rows[r]), w) for r in np.flatnonzero(unsure)]
        self.exact.compute(need)


class _Exact:
    """Exact metrics of (viewer, weights) pairs, cached; each viewer's full scores are
    recomputed (not kept) once per batch."""

    def __init__(self, source: Callable[[int], ViewerScores], components: Sequence[str],
                 k: int) -> None:
        self.source, self.components, self.k = source, tuple(components), k
        self.cache: dict[tuple[int, tuple[float, ...]], tuple[float, float]] = {}
        self.viewers_ranked = 0
        """Viewer scorings recomputed to rank over every item."""

    def compute(self, pairs: Sequence[tuple[int, np.ndarray]]) -> None:
        by_row: dict[int, list[np.ndarray]] = {}
        for row, w in pairs:
            if (row, tuple(float(x) for x in w)) not in self.cache:
                by_row.setdefault(row, []).append(w)
        for row in sorted(by_row):
            vs = self.source(row)
            self.viewers_ranked += 1
            for w in by_row[row]:
                self.cache[(row, tuple(float(x) for x in w))] = exact_metrics(
                    vs, w, self.components, self.k)


def _pool_of(v: ViewerScores, pool: int) -> tuple[np.ndarray, ...]:
    """One viewer's pool: (items (m,), z (C, m), relevant (m,) bool, n_relevant, outside
    maxima (C,) or ``None`` when nothing is outside)."""
    cand = np.flatnonzero(v.candidates)
    chosen = [cand[:0]]
    for c in range(v.z.shape[0]):
        zc = v.z[c, cand]
        if not zc.any():
            continue
        top = np.argpartition(-zc, pool - 1)[:pool] if cand.size > pool else np.arange(cand.size)
        chosen.append(cand[top])
    # the held-out items always join the pool: every item outside it is irrelevant
    chosen.append(v.relevant[v.candidates[v.relevant]])
    p = np.unique(np.concatenate(chosen))
    outside = v.candidates.copy()
    outside[p] = False
    bound = v.z[:, outside].max(axis=1) if outside.any() else None
    return p, v.z[:, p], np.isin(p, v.relevant), len(v.relevant), bound


def _build_poolset(viewers: Iterable[ViewerScores], pool: int, components: Sequence[str],
                   k: int, exact: _Exact) -> tuple[_PoolSet, np.ndarray, np.ndarray]:
    """Pools of ``viewers`` (numbered 0, 1, ... in order), each the union of every
    component's top ``pool`` candidates and the held-out items, with the outside maxima.
    Each viewer's full scores are dropped as soon as its pool is taken. Also returns each
    viewer's history length and which components scored anyone."""
    n_c = len(components)
    pieces = []
    n_history = []
    present = np.zeros(n_c, dtype=bool)
    for v in viewers:
        present |= np.any(v.z[:, v.candidates] != 0.0, axis=1)
        pieces.append(_pool_of(v, pool))
        n_history.append(v.n_history)
    n_v = len(pieces)
    width = max((len(pc[0]) for pc in pieces), default=1) or 1
    z = np.zeros((n_c, n_v, width))
    item = np.full((n_v, width), np.iinfo(np.int64).max, dtype=np.int64)
    valid = np.zeros((n_v, width), dtype=bool)
    rel = np.zeros((n_v, width), dtype=bool)
    n_rel = np.zeros(n_v, dtype=np.int64)
    bound = np.zeros((n_v, n_c))
    has_outside = np.zeros(n_v, dtype=bool)
    for r, (p, zp, relp, nr, b) in enumerate(pieces):
        m = len(p)
        z[:, r, :m] = zp
        item[r, :m] = p
        valid[r, :m] = True
        rel[r, :m] = relp
        n_rel[r] = nr
        if b is not None:
            has_outside[r] = True
            bound[r] = b
    ps = _PoolSet(np.arange(n_v), z, item, valid, rel, n_rel, bound, has_outside, components, k,
                  exact)
    return ps, np.array(n_history, dtype=np.int64), present


class ValidationPools:
    """Validation viewers' pools, and exact rankings of the viewers they do not settle.

    Args:
        viewers: one :class:`ViewerScores` per validation viewer, in viewer-number order
            (an iterable: each is dropped once pooled, unless ``rescore`` is not given).
        components: component names, in the order of ``ViewerScores.z`` rows (must include
            ``popularity``, the tie-break).
        k: cut-off of the metric.
        pool: top items kept per component and viewer.
        rescore: viewer number -> its :class:`ViewerScores` again (default: from
            ``viewers``, which are then kept).
    """

    def __init__(self, viewers: Iterable[ViewerScores], components: Sequence[str], *, k: int = 10,
                 pool: int = 100, rescore: Callable[[int], ViewerScores] | None = None) -> None:
        self.components = tuple(components)
        self.k = k
        self.fit_seconds = 0.0
        """Seconds the caller spent fitting the components on the fit part (reported)."""
        if rescore is None:
            viewers = list(viewers)
            kept = viewers
            rescore = kept.__getitem__
        self._source = rescore
        self.exact = _Exact(self._source, self.components, k)
        self.all, self.n_history, present = _build_poolset(viewers, pool, self.components, k,
                                                           self.exact)
        self.present = tuple(c for c, p in zip(self.components, present) if p)
        """Components that scored at least one validation viewer."""

    def __len__(self) -> int:
        return len(self.all)

    def _viewer(self, i: int) -> ViewerScores:
        """Viewer ``i``'s full scores (recomputed when not kept)."""
        return self._source(i)


def top_k(total: np.ndarray, candidates: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` best ``candidates`` (ascending item positions) by ``total``,
    best first: higher score first, and among equal scores the lower item position -- also
    across the k-th place. The serving and evaluation ranking (O(n) plus O(k log k))."""
    if candidates.size == 0 or k <= 0:
        return candidates[:0]
    s = total[candidates]
    if candidates.size > k:
        part = np.argpartition(-s, k - 1)[:k]
        kth = s[part].min()
        if np.count_nonzero(s >= kth) > k:  # a tie across the k-th place: lower positions win
            above = np.flatnonzero(s > kth)
            part = np.concatenate([above, np.flatnonzero(s == kth)[:k - above.size]])
    else:
        part = np.arange(candidates.size)
    return candidates[part[np.lexsort((candidates[part], -s[part]))]]


def exact_metrics(v: ViewerScores, w: np.ndarray, components: Sequence[str],
                  k: int) -> tuple[float, float]:
    """(P@k, nDCG@k) of one viewer ranked over all candidate items by weights ``w``: the
    serving sum, tie-break and :func:`top_k`."""
    total = np.zeros(v.z.shape[1])
    for c in range(len(components)):
        if w[c]:
            total += w[c] * v.z[c]
    total += TIE_BREAK * v.z[list(components).index("popularity")]
    top = top_k(total, np.flatnonzero(v.candidates), k)
    rel = set(int(x) for x in v.relevant)
    hits = np.array([int(i) in rel for i in top], dtype=bool)
    disc = _discounts(k)
    idcg = float(disc[:max(1, min(k, len(rel)))].sum())
    return float(hits.sum() / k), float((hits * disc[:len(hits)]).sum() / idcg)


def _dominates(s: Score, singles: Mapping[str, Score]) -> bool:
    eps = 1e-12
    return all(s.precision >= x.precision - eps and s.ndcg >= x.ndcg - eps
               for x in singles.values())


class _Search:
    """Coordinate ascent (module docstring, step 4) on one pool set's pooled metrics."""

    def __init__(self, ps: _PoolSet, components: Sequence[str], available: Sequence[str],
                 grid: Sequence[float], passes: int) -> None:
        self.ps, self.components, self.available = ps, tuple(components), tuple(available)
        self.grid, self.passes = tuple(grid), passes
        self.singles: dict[str, Score] = {}
        for c in self.available:
            self.singles[c] = ps.score(self.one_hot(c))

    def one_hot(self, name: str) -> np.ndarray:
        w = np.zeros(len(self.components))
        w[self.components.index(name)] = 1.0
        return w

    def best_single(self) -> str:
        # ties: the earlier component in COMPONENTS order
        return max(self.available, key=lambda c: (self.singles[c].objective,
                                                  -self.available.index(c)))

    def ascend(self, starts: Sequence[np.ndarray]) -> tuple[np.ndarray, Score]:
        cur, cur_s = None, None
        for w in starts:
            s = self.ps.score(w)
            if cur_s is None or s.objective > cur_s.objective + 1e-12:
                cur, cur_s = w, s
        assert cur is not None and cur_s is not None
        idx = [self.components.index(c) for c in self.available]
        for _ in range(self.passes):
            changed = False
            for c in idx:
                best, best_s = cur, cur_s
                for g in self.grid:
                    if g == cur[c]:
                        continue
                    w = cur.copy()
                    w[c] = g
                    if not w[idx].any():
                        continue
                    s = self.ps.score(w)
                    if s.objective > best_s.objective + 1e-12:
                        best, best_s = w, s
                if best is not cur:
                    cur, cur_s, changed = best, best_s, True
            if not changed:
                break
        return cur, cur_s


def learn_blend(pools: ValidationPools, *, prior: Weights, new_viewer: Weights,
                regimes: Sequence[Regime] = REGIMES, exclude: Sequence[str] = (),
                min_gain: float = 0.01, min_regime_viewers: int = 100,
                grid: Sequence[float] = GRID, passes: int = 2,
                seconds: Mapping[str, float] | None = None) -> Blend:
    """Choose the blend per regime on the validation pools (module docstring).

    Args:
        pools: the validation viewers' pools.
        prior: documented weights, one of the ascent's starting points.
        new_viewer: weights for viewers without collaborative signal (kept as given).
        exclude: components not to use (ablations, e.g. ``("ease",)``).
        min_gain: relative gain in ``J`` a searched blend needs over the best component
            alone (and a regime's own weights over the pooled ones).
        min_regime_viewers: validation viewers a regime needs to learn its own weights.

    Returns:
        The blend, with a :class:`BlendReport`. Raises ``ValueError`` when no component
        scored any validation viewer.
    """
    t0 = time.perf_counter()
    comps = pools.components
    available = [c for c in pools.present if c not in exclude]
    if not available:
        raise ValueError("no component scored any validation viewer")
    evaluated = 0

    prior_w = prior.vector(comps)
    for c in comps:
        if c not in available:  # excluded, or scored no validation viewer
            prior_w[comps.index(c)] = 0.0
    one_hots = {c: _one_hot(comps, c) for c in available}

    def choose(ps: _PoolSet, name: str, baseline: np.ndarray | None
               ) -> tuple[np.ndarray, RegimeChoice]:
        """Search on pooled metrics; decide with exact ones (the guard)."""
        nonlocal evaluated
        search = _Search(ps, comps, available, grid, passes)
        starts = [one_hots[search.best_single()]] + ([prior_w] if prior_w.any() else [])
        if baseline is not None:
            starts.append(baseline)
        w, _ = search.ascend(starts)
        evaluated += len(ps.memo)
        ps.prefetch([*one_hots.values(), w] + ([baseline] if baseline is not None else []))
        singles = {c: ps.exact_score(v) for c, v in one_hots.items()}
        best = max(available, key=lambda c: (singles[c].objective, -available.index(c)))
        best_s = singles[best]
        choice_w, source, choice_s = one_hots[best], f"component:{best}", best_s
        s = ps.exact_score(w)
        if _dominates(s, singles) and s.objective >= best_s.objective * (1 + min_gain) \
                and not np.array_equal(w, one_hots[best]):
            choice_w, source, choice_s = w, "blend", s
        if baseline is not None:
            base_s = ps.exact_score(baseline)
            # a regime keeps weights of its own only when clearly better than the pooled ones
            if not (choice_s.objective >= base_s.objective * (1 + min_gain)) and \
                    _dominates(base_s, singles):
                choice_w, source, choice_s = baseline, "pooled", base_s
        return choice_w, RegimeChoice(name, len(ps), Weights.from_vector(comps, choice_w),
                                      source, choice_s, best, best_s)

    pooled_w, pooled = choose(pools.all, "all", None)
    pooled_p, pooled_n = pools.all.per_viewer(pooled_w)
    per_viewer_p, per_viewer_n = pooled_p.copy(), pooled_n.copy()
    chosen: list[np.ndarray] = []
    regime_choices: list[RegimeChoice] = []
    selections = [np.flatnonzero([reg.contains(int(n)) for n in pools.n_history])
                  for reg in regimes]
    for reg, sel in zip(regimes, selections):
        if len(sel) >= min_regime_viewers:
            sub = pools.all.subset(sel)
            w, rc = choose(sub, reg.name, pooled_w)
            per_viewer_p[sel], per_viewer_n[sel] = sub.per_viewer(w)
        else:
            w = pooled_w
            s = (Score(float(pooled_p[sel].mean()), float(pooled_n[sel].mean())) if len(sel)
                 else Score(0.0, 0.0))
            rc = RegimeChoice(reg.name, len(sel), pooled.weights, "pooled", s,
                              pooled.best_single, pooled.best_single_score)
        chosen.append(w)
        regime_choices.append(rc)
    singles = {c: pools.all.exact_score(v) for c, v in one_hots.items()}
    hybrid = Score(float(per_viewer_p.mean()), float(per_viewer_n.mean()))
    if not _dominates(hybrid, singles):  # the assembled regimes lost somewhere: pooled for all
        regime_choices = [
            RegimeChoice(rc.regime, rc.viewers, pooled.weights, "pooled",
                         Score(float(pooled_p[sel].mean()), float(pooled_n[sel].mean()))
                         if len(sel) else Score(0.0, 0.0), rc.best_single, rc.best_single_score)
            for rc, sel in zip(regime_choices, selections)]
        chosen = [pooled_w for _ in regimes]
        hybrid = Score(float(pooled_p.mean()), float(pooled_n.mean()))
    secs = dict(seconds or {})
    secs["search"] = time.perf_counter() - t0
    report = BlendReport(viewers=len(pools), k=pools.k, pooled=pooled,
                         regimes=tuple(rc for rc in regime_choices if rc.viewers),
                         singles=singles, hybrid=hybrid, candidates=evaluated,
                         rescored=pools.exact.viewers_ranked, seconds=secs)
    return Blend(tuple(regimes), tuple(Weights.from_vector(comps, w) for w in chosen),
                 new_viewer, True, report)


def _one_hot(components: Sequence[str], name: str) -> np.ndarray:
    w = np.zeros(len(components))
    w[list(components).index(name)] = 1.0
    return w
