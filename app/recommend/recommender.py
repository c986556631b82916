"""The hybrid recommender: a plain class the recommendation stage, the CLI, the evaluation
and the tests share.

Components (each a score for every item, computed vectorised):

* ``ease``       -- closed-form item-item model on implicit feedback (:mod:`.itemitem`);
* ``svd``        -- Surprise SVD on ratings and purchases (:mod:`.svd`);
* ``content``    -- TF-IDF product features vs the viewer's profile (:mod:`.content`);
* ``popularity`` -- distinct viewers per item, ``log1p``;
* ``session``    -- units sold in the current live session, ``log1p``.

Each component is standardised over all items (z-score) and blended with weights learned on
a validation split carved from the interactions (:mod:`.blend`; at the first fit and again
whenever the interactions grew by ``blend_relearn_growth``): coordinate ascent on P@10 +
nDCG@10 with every component alone among the candidates, so the blend never scores below its
best component on validation, per history-length regime for viewers with history; viewers
without collaborative signal get :data:`NEW_VIEWER_WEIGHTS`. A component that cannot score
the viewer drops out.
Then the filters: in stock (in the viewer's size when known), within budget, listed tonight,
not already bought. What the viewer asked for right now outranks taste: products with the
asked colour in stock (in their size), then products the seller labelled for the recipient
(送妈妈), then products whose category or tag the message names, each form a tier above the
rest (:data:`COLOR_BOOST`, :data:`RECIPIENT_BOOST`, :data:`QUERY_BOOST`); within a tier the
blend orders them. Every result carries a reason in Chinese and English built only from
checked facts (your size in stock, colour in stock, price within budget, seller's recipient
label, units sold tonight / tonight's strict top seller, viewers shared with an item in the
viewer's history, units sold in the shop).

Threading: :meth:`HybridRecommender.recommend` reads an immutable snapshot of the fitted
models and blend; :meth:`~HybridRecommender.refit_async` builds a new snapshot on an executor
the caller gives (the pipeline's single-thread ``recommend-fit``), at most one at a time, and
swaps it in, so serving never waits for a refit. Refits are scheduled by count or time
(:meth:`~HybridRecommender.refit_if_due`: every ``refit_every`` new interactions or every
``refit_every_s`` seconds with new ones), never per event. Live interactions update the
viewer's history and the session counts immediately, O(1) per interaction (the item-item
model folds them in without a refit; SVD and the blend learn them at the next refit).
"""

from __future__ import annotations

import concurrent.futures
import logging
import math
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

import numpy as np
from scipy import sparse

from app.catalog.model import Catalog, Product
from app.events import Recommendation, Slots
from app.recommend.blend import (TIE_BREAK, Blend, ValidationPools, ViewerScores, Weights,
                                 learn_blend, top_k)
from app.recommend.content import (RECIPIENT_EN, RECIPIENT_WORDS, RECIPIENT_ZH, ContentModel,
                                   color_family, is_color_char, product_features,
                                   recipient_match, words)
from app.recommend.interactions_io import normalise_id
from app.recommend.itemitem import EaseModel
from app.recommend.popularity import SessionPopularity, overall_popularity
from app.recommend.split import split_per_viewer
from app.recommend.svd import PURCHASE_RATING, SvdModel, fit_svd
from app.store.sqlite import INTERACTION_KINDS, Interaction

log = logging.getLogger(__name__)

KIND_STRENGTH: dict[str, float] = {"asked": 1.0, "link_clicked": 2.0, "added_to_cart": 3.0,
                                   "purchased": 4.0}
"""Profile weight of each implicit interaction kind; a rating r weighs ``r - 2.5``
(so 1-2 stars push the profile away from the item)."""

COMPONENTS: tuple[str, ...] = ("ease", "svd", "content", "popularity", "session")

"""Component order (the blend's weight vectors and the validation pools follow it)."""

RETURNING_WEIGHTS = Weights(ease=1.0, svd=0.1, content=0.4, popularity=0.1, session=0.2)
"""Prior for a viewer with history (collaborative signals lead, content and popularity break
ties): serves until a blend is learned (too few validation viewers, or ``learn_blend=False``)
and is one of the blend search's starting points."""
NEW_VIEWER_WEIGHTS = Weights(content=1.0, popularity=0.3, session=0.6)
"""A viewer with no collaborative signal: this session's slots (content) and what sells
tonight. Not learned (offline logs have no slots; see :mod:`.blend`)."""
METHOD_WEIGHTS: dict[str, Weights] = {
    "popularity": Weights(popularity=1.0),
    "svd": Weights(svd=1.0),
    "content": Weights(content=1.0),
    "ease": Weights(ease=1.0),
    "session": Weights(session=1.0),
}
"""Single-component methods for evaluation (``hybrid`` uses the learned blend)."""

COLOR_BOOST = 100.0
"""Added to the blended score (z units, so this is a tier, not a nudge) of products that have
the asked-for colour in stock: they all rank above the rest, which only fill up the list."""
CO_VIEWERS_MIN = 2
"""Other viewers who must share an item pair before a reason says so ..."""
CO_SHARE_MIN = 0.1
"""... and the share of the recommended item's viewers they must make up."""
BLEND_K = 10
"""Cut-off of the validation metric the blend maximises (P@10 + nDCG@10)."""
BLEND_POOL = 100
"""Top items per component kept in a validation viewer's pool (:mod:`.blend`)."""
QUERY_BOOST = 20.0
"""Likewise (a lower tier) for products whose category or tag the message names."""
RECIPIENT_BOOST = 50.0
"""Likewise for products the seller labelled for the recipient asked about (送妈妈 ...)."""


def _norm_size(label: str | None) -> str:
    s = (label or "").strip().upper().replace("码", "")
    for n, rep in (("4XL", "XXXXL"), ("3XL", "XXXL"), ("2XL", "XXL")):
        if s == n:
            return rep
    return s


_ONE_SIZE = {"", "均", "均码", "F", "FREE", "ONE SIZE", "ONESIZE"}
_LETTER_SIZE = re.compile(r"^(X{0,4}S|M|X{0,5}L)$")
_NUMBER_SIZE = re.compile(r"^\d{2,3}(\.5)?$")


def size_system(label: str | None) -> str | None:
    """``letter`` (S, M, XL ...), ``number`` (38, 27, 100 ...) or ``None`` (标准, 1.5m床 ...).

    A viewer's size only constrains products whose sizes are in the same system: an M does
    not rule out a pillow sized 中枕.
    """
    s = _norm_size(label)
    if _LETTER_SIZE.match(s):
        return "letter"
    if _NUMBER_SIZE.match(s):
        return "number"
    return None


def _zscore(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float64)
    sd = v.std()
    if sd == 0.0 or not math.isfinite(sd):
        return np.zeros_like(v)
    return (v - v.mean()) / sd


@dataclass(frozen=True)
class RecommendResult:
    """Ranked recommendations (best first) and the method the ranking could use."""

    items: tuple[Recommendation, ...]
    method: str
    """``hybrid`` (collaborative + content), ``content``, ``popularity``."""
    components: tuple[str, ...] = ()
    """Components that scored this viewer."""


@dataclass(frozen=True)
class _Snapshot:
    viewer_rows: Mapping[str, int]
    x: sparse.csr_matrix
    x_csc: sparse.csc_matrix
    popularity: np.ndarray
    svd: SvdModel | None
    ease: EaseModel | None
    n_interactions: int
    fit_seconds: float
    timings: Mapping[str, float]
    """Seconds per part of the fit: ``matrix``, ``svd``, ``ease``, ``blend`` (learning the
    blend on the validation split: its own fit of the components, scoring, search)."""
    blend: Blend


@dataclass
class _Viewer:
    strength: dict[int, float] = field(default_factory=dict)
    purchased: set[int] = field(default_factory=set)
    rating: dict[int, float] = field(default_factory=dict)


class _History:
    """Per-viewer histories and purchase counts, updated in O(1) per interaction (the live
    state, or the validation fit part's)."""

    def __init__(self, n_items: int) -> None:
        self.n_items = n_items
        self.viewers: dict[str, _Viewer] = {}
        self.purchase_counts = np.zeros(n_items, dtype=np.int64)
        self.session_sold: dict[str, np.ndarray] = {}
        self.latest_session: str | None = None

    def add(self, it: Interaction, pos: int) -> None:
        """Fold in one (validated, normalised) interaction on item position ``pos``."""
        v = self.viewers.setdefault(it.viewer_key, _Viewer())
        if it.kind == "rated":
            assert it.rating is not None
            v.rating[pos] = float(it.rating)
            v.strength[pos] = float(it.rating) - 2.5
        else:
            v.strength[pos] = max(v.strength.get(pos, 0.0), KIND_STRENGTH[it.kind])
        if it.kind == "purchased":
            v.purchased.add(pos)
            self.purchase_counts[pos] += 1
            if it.session_id:
                arr = self.session_sold.get(it.session_id)
                if arr is None:
                    arr = self.session_sold[it.session_id] = np.zeros(self.n_items,
                                                                      dtype=np.int64)
                arr[pos] += 1
                self.latest_session = it.session_id


class HybridRecommender:
    """Hybrid product recommender over a catalog (or a bare item list, for evaluation).

    Args:
        catalog: the products (candidates, filters and reasons come from it).
        item_ids / item_features: instead of a catalog, items as ids and feature tokens
            (e.g. MovieLens genres); no stock, price or size filters then.
        seed: seeds SVD and the validation split of the blend.
        svd_factors / svd_epochs: Surprise SVD size.
        ease_lambda / ease_max_items: item-item model regularisation and size cap.
        auto_refit: let a :class:`~app.recommend.stage.RecommendationStage` schedule
            background refits (:meth:`refit_if_due`); ``False`` for one-off fits (CLI,
            evaluation).
        refit_every / refit_every_s: a refit is due after this many new interactions, or
            this many seconds (monotonic clock) after the last one when any arrived.
        returning_weights: prior blend for viewers with history (see module docstring).
        new_viewer_weights: blend for viewers without collaborative signal.
        learn_blend: learn the blend on a validation split at every fit (:mod:`.blend`).
        validation_fraction: share of each viewer's items held out for validation.
        max_validation_viewers / min_validation_viewers: validation viewers sampled (seeded)
            at most; fewer than the minimum keep the prior blend.
        blend_min_gain: relative gain a searched blend needs over the best component alone.
        blend_relearn_growth: a refit relearns the blend once the interactions grew by this
            fraction since it was learned (else it keeps the learned weights and refits the
            models only: learning costs about one more fit).
        keep_validation: keep the validation pools after a fit (:meth:`relearn_blend`, for
            ablations; costs their memory).
        clock: monotonic seconds, for the refit timer.
    """

    def __init__(self, catalog: Catalog | None = None, *, item_ids: Sequence[str] | None = None,
                 item_features: Mapping[str, Sequence[str]] | None = None,
                 item_titles: Mapping[str, str] | None = None, seed: int = 0,
                 svd_factors: int = 50, svd_epochs: int = 20, ease_lambda: float = 100.0,
                 ease_max_items: int = 3000, auto_refit: bool = True, refit_every: int = 200,
                 refit_every_s: float = 300.0, returning_weights: Weights = RETURNING_WEIGHTS,
                 new_viewer_weights: Weights = NEW_VIEWER_WEIGHTS, learn_blend: bool = True,
                 validation_fraction: float = 0.25, max_validation_viewers: int = 1000,
                 min_validation_viewers: int = 20, blend_min_gain: float = 0.01,
                 blend_relearn_growth: float = 0.5,
                 keep_validation: bool = False,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if refit_every < 1 or not refit_every_s > 0:
            raise ValueError("refit_every must be >= 1 and refit_every_s > 0")
        if catalog is not None:
            products: list[Product | None] = list(catalog.products)
            ids = [p.product_id for p in catalog.products]
            feats = [product_features(p) for p in catalog.products]
        else:
            if item_ids is None:
                item_ids = list(item_features or ())
            ids = [normalise_id(i) for i in item_ids]
            products = [None] * len(ids)
            feats = [list((item_features or {}).get(i, ())) for i in ids]
        self.catalog = catalog
        self.item_ids: tuple[str, ...] = tuple(ids)
        self.index: dict[str, int] = {iid: n for n, iid in enumerate(ids)}
        if len(self.index) != len(ids):
            raise ValueError("duplicate item ids")
        self.products = products
        self.titles = dict(item_titles or {})
        self.content = ContentModel(feats)
        self.seed = seed
        self.svd_factors, self.svd_epochs = svd_factors, svd_epochs
        self.ease_lambda, self.ease_max_items = ease_lambda, ease_max_items
        self.auto_refit, self.refit_every, self.refit_every_s = auto_refit, refit_every, refit_every_s
        self.returning_weights, self.new_viewer_weights = returning_weights, new_viewer_weights
        self.learn_blend = learn_blend
        self.validation_fraction = validation_fraction
        self.max_validation_viewers = max_validation_viewers
        self.min_validation_viewers = min_validation_viewers
        self.blend_min_gain = blend_min_gain
        self.blend_relearn_growth = blend_relearn_growth
        self.keep_validation = keep_validation
        self.clock = clock
        self._build_item_arrays()

        self._lock = threading.RLock()
        self._interactions: list[Interaction] = []
        self._hist = _History(len(ids))
        self.session_popularity = SessionPopularity()
        self.unknown_products: dict[str, int] = {}
        """Product ids seen in interactions but not among the items, with counts (ignored)."""
        self._snapshot: _Snapshot | None = None
        self._refit_future: concurrent.futures.Future | None = None
        self._refit_requested_n = 0
        self._refit_requested_at = clock()
        self._validation: ValidationPools | None = None
        self._recipient_cache: dict[str, list[str]] = {}
        self._recipient_masks: dict[str, np.ndarray] = {}
        self._label_masks: dict[str, np.ndarray] = {}
        for i, p in enumerate(catalog.products if catalog is not None else ()):
            for label in (p.category, *p.tags):
                if len(label) >= 2:
                    self._label_masks.setdefault(label, np.zeros(len(ids), dtype=bool))[i] = True
        self._label_tokens = [t for t in self.content.vocab if t.startswith(("cat:", "tag:"))
                              and len(t.split(":", 1)[1]) >= 2]

    # ------------------------------------------------------------------ item facts
    def _build_item_arrays(self) -> None:
        n = len(self.item_ids)
        self.price = np.full(n, np.nan)
        self.in_stock = np.ones(n, dtype=bool)
        self.listed = np.ones(n, dtype=bool)
        self.has_chart = np.zeros(n, dtype=bool)
        self._size_systems: dict[str, np.ndarray] = {}
        self._chart: tuple[np.ndarray, ...] | None = None
        """Size-chart rows of all products, in chart order: (product, h_min, h_max, w_min,
        w_max, that size in stock); NaN = open bound."""
        self._size_stock: dict[str, np.ndarray] = {}
        self._color_stock: dict[str, np.ndarray] = {}
        self._color_size_stock: dict[tuple[str, str], np.ndarray] = {}
        if self.catalog is None:
            return
        any_listed = any(p.listing_number is not None for p in self.catalog)
        chart_rows: list[tuple] = []
        for i, p in enumerate(self.products):
            assert p is not None
            self.price[i] = float(p.price)
            self.in_stock[i] = p.total_stock > 0
            self.listed[i] = p.listing_number is not None or not any_listed
            self.has_chart[i] = bool(p.size_chart)
            for r in p.size_chart:
                chart_rows.append((i, *(np.nan if b is None else float(b) for b in (
                    r.height_min_cm, r.height_max_cm, r.weight_min_kg, r.weight_max_kg)),
                    p.stock_for(size=r.size) > 0))
            for s in p.skus:
                system = size_system(s.size)
                if system:
                    self._size_systems.setdefault(system, np.zeros(n, dtype=bool))[i] = True
                if s.stock <= 0:
                    continue
                size = _norm_size(s.size)
                if size not in _ONE_SIZE:
                    self._size_stock.setdefault(size, np.zeros(n, dtype=bool))[i] = True
                fam = color_family(s.color)
                if fam:
                    self._color_stock.setdefault(fam, np.zeros(n, dtype=bool))[i] = True
                    if size not in _ONE_SIZE:
                        self._color_size_stock.setdefault(
                            (fam, size), np.zeros(n, dtype=bool))[i] = True

        if chart_rows:
            arr = np.array([r[:5] for r in chart_rows], dtype=np.float64)
            self._chart = (arr[:, 0].astype(np.int64), arr[:, 1], arr[:, 2], arr[:, 3], arr[:, 4],
                           np.array([r[5] for r in chart_rows], dtype=bool))

    def _viewer_size_for(self, p: Product, slots: Slots) -> str | None:
        """The viewer's size label for product ``p``: the size slot, else the product's size
        chart row that fits their height/weight; ``None`` when unknown."""
        if slots.size:
            want = _norm_size(slots.size)
            for s in p.sizes:
                if _norm_size(s) == want:
                    return s
            return want
        if slots.height_cm is None and slots.weight_kg is None:
            return None
        for r in p.size_chart:
            if r.fits(slots.height_cm, slots.weight_kg):
                return r.size
        return None

    def _color_mask(self, slots: Slots) -> np.ndarray | None:
        """Bool (n_items,): products with the asked colour in stock -- in the viewer's size
        when a size slot is given and the product is sized in that system; ``None`` when no
        colour was asked."""
        if not slots.color or self.catalog is None:
            return None
        n = len(self.item_ids)
        none = np.zeros(n, dtype=bool)
        mask = self._color_stock.get(slots.color, none)
        if slots.size:
            want = _norm_size(slots.size)
            subject = self._size_systems.get(size_system(want) or "", none)
            mask = (mask & ~subject) | self._color_size_stock.get((slots.color, want), none)
        return mask

    def _size_mask(self, slots: Slots) -> np.ndarray:
        """Bool mask (n_items,): products the viewer's size does not rule out.

        With a size slot: products sized in the same system (letter / number) must have that
        size in stock. With height/weight only: products with a size chart must have a chart
        row that fits and that size in stock. Other products pass (their size is not at issue).
        """
        n = len(self.item_ids)
        none = np.zeros(n, dtype=bool)
        if self.catalog is None:
            return ~none
        if slots.size:
            want = _norm_size(slots.size)
            subject = self._size_systems.get(size_system(want) or "", none)
            return ~subject | self._size_stock.get(want, none)
        if slots.height_cm is None and slots.weight_kg is None:
            return ~none
        mask = ~self.has_chart
        if self._chart is not None:
            prod, hmin, hmax, wmin, wmax, ok = self._chart
            fit = np.ones(prod.size, dtype=bool)
            h, w = slots.height_cm, slots.weight_kg
            with np.errstate(invalid="ignore"):
                if h is not None:
                    fit &= (np.isnan(hmin) | (h >= hmin)) & (np.isnan(hmax) | (h <= hmax))
                if w is not None:
                    fit &= (np.isnan(wmin) | (w >= wmin)) & (np.isnan(wmax) | (w <= wmax))
            rows = np.flatnonzero(fit)
            # the first fitting row of each product's chart (same rule as SizeRange order)
            first_prod, first = np.unique(prod[rows], return_index=True)
            mask[first_prod] = ok[rows[first]]
        return mask

    # ------------------------------------------------------------------ interactions
    @property
    def n_interactions(self) -> int:
        return len(self._interactions)

    @property
    def fitted(self) -> bool:
        return self._snapshot is not None

    @property
    def latest_session(self) -> str | None:
        """The live session of the most recent purchase with a session id (``None``: none)."""
        return self._hist.latest_session

    @property
    def has_svd(self) -> bool:
        """True when the last fit had ratings or purchases to train SVD on."""
        snap = self._snapshot
        return snap is not None and snap.svd is not None

    def add_interactions(self, items: Iterable[Interaction]) -> int:
        """Add interactions (history, or live from the session); returns how many were used.

        Ids are normalised to ``str``; interactions with products not among the items are
        counted in :attr:`unknown_products` and ignored. O(1) per interaction: no refit
        starts here (see :meth:`refit_if_due`).

        Raises:
            ValueError: unknown kind, or a rating outside 1..5.
        """
        used = 0
        with self._lock:
            for it in items:
                if it.kind not in INTERACTION_KINDS:
                    raise ValueError(f"unknown interaction kind {it.kind!r}")
                if it.kind == "rated" and (it.rating is None or not 1 <= it.rating <= 5):
                    raise ValueError(f"rating {it.rating!r} outside 1..5")
                vkey, pid = normalise_id(it.viewer_key), normalise_id(it.product_id)
                pos = self.index.get(pid)
                if pos is None:
                    self.unknown_products[pid] = self.unknown_products.get(pid, 0) + 1
                    continue
                if (vkey, pid) != (it.viewer_key, it.product_id):
                    it = replace(it, viewer_key=vkey, product_id=pid)
                self._interactions.append(it)
                self._hist.add(it, pos)
                self.session_popularity.add([it])
                used += 1
        return used

    def history(self, viewer: str) -> dict[str, float]:
        """Product id -> profile strength of everything the viewer interacted with."""
        v = self._hist.viewers.get(normalise_id(viewer))
        return {self.item_ids[i]: s for i, s in v.strength.items()} if v else {}

    # ------------------------------------------------------------------ fitting
    @property
    def blend(self) -> Blend:
        """The blend serving now: the last fit's, else the prior."""
        snap = self._snapshot
        return snap.blend if snap is not None else Blend.fixed(
            self.returning_weights, self.new_viewer_weights, "not fitted yet")

    def fit(self, relearn: bool | None = None) -> float:
        """Refit every model on all interactions so far, learning the blend on a validation
        split first when ``relearn`` (default: when none was learned yet or the
        interactions grew by ``blend_relearn_growth`` since); blocking, so call it off the
        event loop. Returns seconds taken."""
        with self._lock:
            data = list(self._interactions)
            # what this fit covers no longer counts towards the next one
            self._refit_requested_n = max(self._refit_requested_n, len(data))
            self._refit_requested_at = max(self._refit_requested_at, self.clock())
        prev = self._snapshot.blend if self._snapshot is not None else None
        if relearn is None:
            relearn = (prev is None or not prev.learned or not self.learn_blend
                       or len(data) >= (1.0 + self.blend_relearn_growth) * prev.interactions)
        t0 = time.perf_counter()
        blend = self._learn_blend(data) if relearn or prev is None else prev
        t_blend = time.perf_counter() - t0
        snap = self._build_snapshot(data, blend, t_blend)
        with self._lock:
            self._snapshot = snap
        return snap.fit_seconds

    def refit_due(self, now: float | None = None) -> bool:
        """True when a background refit should start: ``refit_every`` interactions arrived
        that no fit covers (or none has run yet), or ``refit_every_s`` seconds passed since
        the last refit was requested and at least one such interaction arrived. O(1)."""
        new = self.n_interactions - self._refit_requested_n
        if new <= 0:
            return False
        if new >= self.refit_every or not self.fitted:
            return True
        now = self.clock() if now is None else now
        return now - self._refit_requested_at >= self.refit_every_s

    def refit_if_due(self, executor: concurrent.futures.Executor,
                     now: float | None = None) -> concurrent.futures.Future | None:
        """Submit a refit to ``executor`` when :meth:`refit_due` (and none is running);
        returns its future, else ``None``."""
        if not self.refit_due(now):
            return None
        return self.refit_async(executor, now)

    @property
    def refitting(self) -> bool:
        """True while a refit submitted by :meth:`refit_async` has not finished."""
        fut = self._refit_future
        return fut is not None and not fut.done()

    def refit_async(self, executor: concurrent.futures.Executor,
                    now: float | None = None) -> concurrent.futures.Future | None:
        """Submit :meth:`fit` to ``executor`` (e.g. the pipeline's single-thread
        ``recommend-fit``); returns its future, or ``None`` when a refit is still pending or
        running (at most one at a time). The future's result is the fit's seconds; a failed
        refit is logged and keeps the previous snapshot serving."""
        with self._lock:
            if self.refitting:
                return None
            self._refit_requested_n = self.n_interactions
            self._refit_requested_at = self.clock() if now is None else now
            fut = executor.submit(self._refit_worker)
            self._refit_future = fut
        return fut

    def _refit_worker(self) -> float | None:
        try:
            return self.fit()
        except Exception:  # noqa: BLE001 - a failed refit keeps the previous snapshot serving
            log.exception("recommender refit failed; keeping the previous models")
            return None

    def wait_for_refit(self, timeout: float | None = None) -> bool:
        """Block until the pending refit (if any) is done; True when none is left running."""
        fut = self._refit_future
        if fut is None:
            return True
        done, _ = concurrent.futures.wait([fut], timeout)
        return bool(done)

    @property
    def refit_future(self) -> concurrent.futures.Future | None:
        """The last submitted refit (done or not), ``None`` before the first."""
        return self._refit_future

    def _build_snapshot(self, data: Sequence[Interaction], blend: Blend,
                        blend_seconds: float = 0.0) -> _Snapshot:
        t0 = time.perf_counter()
        rows: dict[str, int] = {}
        pairs: set[tuple[int, int]] = set()
        explicit: dict[tuple[str, int], float] = {}
        bought: set[tuple[str, int]] = set()
        for it in data:
            pos = self.index[it.product_id]
            r = rows.setdefault(it.viewer_key, len(rows))
            pairs.add((r, pos))
            if it.kind == "rated":
                explicit[(it.viewer_key, pos)] = float(it.rating)  # latest rating wins
            elif it.kind == "purchased":
                bought.add((it.viewer_key, pos))
        n_items = len(self.item_ids)
        if pairs:
            rr, cc = zip(*pairs)
        else:
            rr, cc = (), ()
        x = sparse.csr_matrix((np.ones(len(rr), dtype=np.float32), (rr, cc)),
                              shape=(len(rows), n_items))
        ratings = [(v, p, r) for (v, p), r in explicit.items()]
        ratings += [(v, p, PURCHASE_RATING) for (v, p) in sorted(bought) if (v, p) not in explicit]
        t1 = time.perf_counter()
        svd = fit_svd(ratings, self.item_ids, n_factors=self.svd_factors,
                      n_epochs=self.svd_epochs, seed=self.seed) if ratings else None
        t2 = time.perf_counter()
        ease = EaseModel(x, lam=self.ease_lambda, max_items=self.ease_max_items) if pairs else None
        t3 = time.perf_counter()
        return _Snapshot(viewer_rows=rows, x=x, x_csc=x.tocsc(), popularity=overall_popularity(x),
                         svd=svd, ease=ease, n_interactions=len(data),
                         fit_seconds=time.perf_counter() - t0 + blend_seconds,
                         timings={"matrix": t1 - t0, "svd": t2 - t1, "ease": t3 - t2,
                                  "blend": blend_seconds},
                         blend=blend)

    # ------------------------------------------------------------------ the blend
    def _learn_blend(self, data: Sequence[Interaction]) -> Blend:
        """The blend for a fit on ``data`` (method in :mod:`.blend`): the prior when learning
        is off or fewer than ``min_validation_viewers`` viewers can be validated."""
        prior = Blend.fixed(self.returning_weights, self.new_viewer_weights)
        if not self.learn_blend:
            self._validation = None
            return replace(prior, note="prior weights, learning off")
        t0 = time.perf_counter()
        pools = self._validation_pools(data)
        t1 = time.perf_counter()
        if pools is None or len(pools) < self.min_validation_viewers:
            self._validation = None
            n = 0 if pools is None else len(pools)
            return replace(prior, note=f"prior weights: {n} validation viewers, "
                                       f"{self.min_validation_viewers} needed")
        blend = learn_blend(pools, prior=self.returning_weights,
                            new_viewer=self.new_viewer_weights, min_gain=self.blend_min_gain,
                            seconds={"fit": pools.fit_seconds,
                                     "pools": t1 - t0 - pools.fit_seconds})
        self._validation = pools if self.keep_validation else None
        return replace(blend, interactions=len(data))

    def relearn_blend(self, exclude: Sequence[str] = ()) -> Blend:
        """The blend learned again on the last fit's validation pools without the
        ``exclude`` components (an ablation; needs ``keep_validation=True``).

        Raises:
            RuntimeError: no validation pools kept from the last fit.
        """
        pools = self._validation
        if pools is None:
            raise RuntimeError("no validation pools kept (keep_validation=True, then fit())")
        return learn_blend(pools, prior=self.returning_weights, new_viewer=self.new_viewer_weights,
                           exclude=exclude, min_gain=self.blend_min_gain)

    def _validation_pools(self, data: Sequence[Interaction]) -> ValidationPools | None:
        """Split ``data`` per viewer, fit the components on the fit part and pool every
        validation viewer's scores (``None`` when nobody can be validated)."""
        fit_part, held = split_per_viewer(data, self.validation_fraction, seed=self.seed + 1)
        viewers = sorted(v for v, items in held.items() if items)
        if len(viewers) > self.max_validation_viewers:
            rng = np.random.default_rng(self.seed + 2)
            pick = np.sort(rng.choice(len(viewers), self.max_validation_viewers, replace=False))
            viewers = [viewers[i] for i in pick]
        if not viewers:
            return None
        t0 = time.perf_counter()
        hist = _History(len(self.item_ids))
        for it in fit_part:
            hist.add(it, self.index[it.product_id])
        snap = self._build_snapshot(fit_part, Blend.fixed(self.returning_weights,
                                                          self.new_viewer_weights))
        fit_seconds = time.perf_counter() - t0

        def viewer_scores(vkey: str) -> ViewerScores | None:
            comps = self._component_scores(snap, hist, vkey, Slots(), None, "")
            if "ease" not in comps and "svd" not in comps:
                return None  # no collaborative signal: the new-viewer blend would serve
            z = np.zeros((len(COMPONENTS), len(self.item_ids)))
            for c, name in enumerate(COMPONENTS):
                if name in comps:
                    z[c] = _zscore(comps[name])
            v = hist.viewers[vkey]
            cand = np.ones(len(self.item_ids), dtype=bool)
            cand[np.fromiter(v.strength.keys(), dtype=np.int64)] = False
            rel = np.array(sorted(self.index[p] for p in held[vkey]), dtype=np.int64)
            return ViewerScores(z, cand, rel, len(v.strength))

        keys: list[str] = []

        def scored():
            for vkey in viewers:
                vs = viewer_scores(vkey)
                if vs is not None:
                    keys.append(vkey)
                    yield vs

        pools = ValidationPools(scored(), COMPONENTS, k=BLEND_K, pool=BLEND_POOL,
                                rescore=lambda i: viewer_scores(keys[i]))
        if not len(pools):
            return None
        pools.fit_seconds = fit_seconds
        return pools

    # ------------------------------------------------------------------ scoring
    def component_scores(self, viewer: str, slots: Slots | None = None,
                         session_id: str | None = None, query: str = "") -> dict[str, np.ndarray]:
        """Raw score of every item per component that can score this viewer, each shape
        (n_items,). Components that cannot (unknown viewer for SVD, empty profile for
        content, no sales this session) are absent. ``query``: the viewer's message; its
        words that name a category, tag or title word join the content profile."""
        return self._component_scores(self._snapshot, self._hist, normalise_id(viewer),
                                      slots or Slots(), session_id, query)

    def _component_scores(self, snap: _Snapshot | None, hist: _History, viewer: str,
                          slots: Slots, session_id: str | None,
                          query: str) -> dict[str, np.ndarray]:
        v = hist.viewers.get(viewer)
        out: dict[str, np.ndarray] = {}
        history = v.strength if v else {}
        if snap is not None:
            if snap.ease is not None and history:
                s = snap.ease.scores(history.keys())
                if s is not None:
                    out["ease"] = s
            if snap.svd is not None:
                s = snap.svd.scores(viewer)
                if s is not None:
                    out["svd"] = s
            pop = snap.popularity
        else:
            pop = np.zeros(len(self.item_ids))
        out["popularity"] = np.log1p(np.maximum(pop, hist.purchase_counts))
        # content profile: history plus this session's slots
        weighted = dict(history)
        for pid in slots.product_mentions:
            i = self.index.get(pid)
            if i is not None:
                weighted[i] = weighted.get(i, 0.0) + 3.0
        if slots.listing_number is not None and self.catalog is not None:
            p = self.catalog.by_listing(slots.listing_number)
            if p is not None and p.product_id in self.index:
                i = self.index[p.product_id]
                weighted[i] = weighted.get(i, 0.0) + 3.0
        tokens: dict[str, float] = {}
        if slots.color:
            tokens[f"color:{slots.color}"] = 2.0
        if slots.recipient:
            for tok in self._recipient_tokens(slots.recipient):
                tokens[tok] = 2.0
        for tok in self._query_tokens(query):
            tokens[tok] = tokens.get(tok, 0.0) + 3.0
        prof = self.content.profile(weighted, tokens)
        if np.any(prof):
            out["content"] = self.content.scores(prof)
        sold = hist.session_sold.get(session_id or hist.latest_session or "")
        if sold is not None:
            out["session"] = np.log1p(sold.astype(np.float64))
        return out

    def _recipient_tokens(self, recipient: str) -> list[str]:
        """Feature tokens (tags, words) containing one of the recipient's words (cached)."""
        toks = self._recipient_cache.get(recipient)
        if toks is None:
            words = RECIPIENT_WORDS.get(recipient, ())
            toks = [t for t in self.content.vocab
                    if t.startswith(("tag:", "w:")) and any(w in t for w in words)]
            self._recipient_cache[recipient] = toks
        return toks

    def _query_tokens(self, query: str) -> list[str]:
        """Feature tokens named by a message: categories and tags it contains (two or more
        characters), and its jieba words that are title/alias words of some product."""
        if not query:
            return []
        found = [t for t in self._label_tokens if t.split(":", 1)[1] in query]
        found += [f"w:{w}" for w in words(query) if len(w) >= 2 and f"w:{w}" in self.content.vocab]
        return list(dict.fromkeys(found))

    def query_mask(self, query: str) -> np.ndarray | None:
        """Bool (n_items,): products whose category or one of whose tags the message names
        literally (送妈妈, 学生, 连衣裙 ...); ``None`` when it names none."""
        if not query or self.catalog is None:
            return None
        hit = None
        for label, mask in self._label_masks.items():
            if label in query:
                hit = mask.copy() if hit is None else hit | mask
        return hit

    def _recipient_mask(self, recipient: str) -> np.ndarray | None:
        if self.catalog is None:
            return None
        m = self._recipient_masks.get(recipient)
        if m is None:
            m = np.array([recipient_match(p, recipient) for p in self.catalog.products], dtype=bool)
            self._recipient_masks[recipient] = m
        return m

    @property
    def fit_timings(self) -> dict[str, float]:
        """Seconds the last fit spent per part (``matrix``, ``svd``, ``ease``); empty before."""
        snap = self._snapshot
        return dict(snap.timings) if snap else {}

    def scores(self, viewer: str, slots: Slots | None = None, *, method: str = "hybrid",
               session_id: str | None = None, weights: Weights | None = None, query: str = "",
               blend: Blend | None = None) -> tuple[np.ndarray, tuple[str, ...], str]:
        """Blended score of every item (before filters), shape (n_items,), the components
        used, and the method label. ``method``: ``hybrid`` (the learned :attr:`blend`, by the
        viewer's history regime) or one of :data:`METHOD_WEIGHTS`; ``weights`` or ``blend``
        override the hybrid's blend (for ablations)."""
        viewer = normalise_id(viewer)
        comps = self.component_scores(viewer, slots, session_id, query)
        if weights is None:  # given weights (ablations) override the method's blend
            if method == "hybrid":
                b = blend if blend is not None else self.blend
                if "ease" in comps or "svd" in comps:
                    v = self._hist.viewers.get(viewer)
                    weights = b.for_history(len(v.strength) if v else 0)
                else:
                    weights = b.new_viewer
            elif method in METHOD_WEIGHTS:
                weights = METHOD_WEIGHTS[method]
            else:
                raise ValueError(f"unknown method {method!r}")
        total = np.zeros(len(self.item_ids))
        used: list[str] = []
        for name in COMPONENTS:
            w = weights.get(name)
            if w and name in comps:
                total += w * _zscore(comps[name])
                used.append(name)
        # deterministic tie-break by overall popularity (far below any real score difference)
        total += TIE_BREAK * _zscore(comps["popularity"])
        if method == "hybrid":
            if "ease" in used or "svd" in used:
                label = "hybrid"
            elif "content" in used:
                label = "content"
            else:
                label = "popularity"
        else:
            label = method
        return total, tuple(used), label

    def _recipient_allowed(self, recipient: str) -> np.ndarray:
        """Bool (n_items,): products not marked for the other sex than ``recipient`` (cached
        per recipient; the product list is fixed for the recommender's life)."""
        cache = getattr(self, "_recipient_allowed_by", None)
        if cache is None:
            cache = self._recipient_allowed_by = {}
        allowed = cache.get(recipient)
        if allowed is None:
            from app.recommend.content import recipient_excludes

            allowed = np.array([p is None or not recipient_excludes(p, recipient) for p in self.products],
                               dtype=bool)
            cache[recipient] = allowed
        return allowed

    def candidate_mask(self, viewer: str, slots: Slots | None = None, *,
                       exclude_seen: bool = False, listed_only: bool = True) -> np.ndarray:
        """Bool (n_items,): products that pass the filters -- in stock (in the viewer's size
        when known), within budget, listed tonight, not already bought (``exclude_seen``:
        nothing the viewer interacted with, as in the offline evaluation)."""
        slots = slots or Slots()
        mask = self.in_stock.copy()
        if listed_only:
            mask &= self.listed
        if self.catalog is not None:
            if slots.budget_max is not None:
                mask &= self.price <= float(slots.budget_max) + 1e-9
            if slots.budget_min is not None:
                mask &= self.price >= float(slots.budget_min) - 1e-9
            mask &= self._size_mask(slots)
            if slots.recipient:
                mask &= self._recipient_allowed(slots.recipient)
        v = self._hist.viewers.get(normalise_id(viewer))
        if v is not None:
            seen = v.strength.keys() if exclude_seen else v.purchased
            if seen:
                mask[np.fromiter(seen, dtype=np.int64)] = False
        return mask

    def recommend(self, viewer: str, slots: Slots | None = None, *, k: int = 3,
                  session_id: str | None = None, method: str = "hybrid",
                  exclude_seen: bool = False, explain: bool = True,
                  listed_only: bool = True, exclude: Iterable[str] = (),
                  query: str = "") -> RecommendResult:
        """Top-``k`` products for a viewer, best first, each with a true reason.

        Args:
            viewer: viewer key (``platform:uid``); unknown viewers get the cold-start blend.
            slots: this session's slots for the viewer (colour, budget, size, recipient ...).
            session_id: the live session whose sales count as "tonight" (default: the most
                recent session seen in the interactions).
            method: ``hybrid`` or a single component (``popularity``, ``svd``, ``content``,
                ``ease``) for comparisons.
            exclude: product ids not to recommend (e.g. the one the viewer is asking about).
            query: the viewer's message ("学生党有什么推荐"): categories/tags it names lift
                those products (a tier, like a colour) and its words join the content profile.

        Returns fewer than ``k`` items (possibly none) when fewer products pass the filters.
        Each item's ``score`` is the blended z-score plus any tier boost: for ordering only,
        it has no unit.
        """
        slots = slots or Slots()
        viewer = normalise_id(viewer)
        with self._lock:  # live interactions may arrive from the event loop meanwhile
            sid = session_id or self._hist.latest_session
            total, used, label = self.scores(viewer, slots, method=method, session_id=sid,
                                             query=query)
            if self.catalog is not None and method == "hybrid":
                fam_mask = self._color_mask(slots)
                if fam_mask is not None:
                    total = total + COLOR_BOOST * fam_mask
                rec_mask = self._recipient_mask(slots.recipient) if slots.recipient else None
                if rec_mask is not None:
                    total = total + RECIPIENT_BOOST * rec_mask
                q_mask = self.query_mask(query)
                if q_mask is not None:
                    total = total + QUERY_BOOST * q_mask
            mask = self.candidate_mask(viewer, slots, exclude_seen=exclude_seen,
                                       listed_only=listed_only)
            for pid in exclude:
                i = self.index.get(pid)
                if i is not None:
                    mask[i] = False
            top = self._top_k(total, mask, k)
            items = []
            sold = self._hist.session_sold.get(sid or "")
            top_seller = None
            if sold is not None and explain:
                best = int(np.argmax(sold))
                if sold[best] > 0 and np.count_nonzero(sold == sold[best]) == 1:
                    top_seller = best
            co_items = self._co_interacted(top, viewer) if explain else {}
            for i in top:
                zh, en = (self._reason(int(i), viewer, slots, sold, top_seller, co_items)
                          if explain else ("", ""))
                items.append(Recommendation(product_id=self.item_ids[i], score=float(total[i]),
                                            reason_zh=zh, reason_en=en))
        return RecommendResult(tuple(items), label, used)

    @staticmethod
    def _top_k(total: np.ndarray, mask: np.ndarray, k: int) -> np.ndarray:
        """Positions of the best ``k`` items where ``mask`` is True, best first (ties: the
        lower position, :func:`app.recommend.blend.top_k`)."""
        return top_k(total, np.flatnonzero(mask), k)

    # ------------------------------------------------------------------ reasons
    def _reason(self, i: int, viewer: str, slots: Slots, sold_tonight: np.ndarray | None,
                top_seller: int | None, co_items: Mapping[int, int]) -> tuple[str, str]:
        """Reason parts (zh, en), each checked against the catalog / interactions.

        ``sold_tonight``: units sold per item in the session; ``top_seller``: the item with
        strictly the most sales in it (ties: ``None``); ``co_items``: item -> history item
        viewers also chose with it (:meth:`_co_interacted`)."""
        p = self.products[i]
        zh: list[str] = []
        en: list[str] = []
        if p is not None:
            size = self._viewer_size_for(p, slots) if p.sizes else None
            size_ok = size is not None and any(
                _norm_size(s.size) == _norm_size(size) and s.stock > 0 for s in p.skus)
            color_sku = None
            if slots.color:
                for s in p.skus:
                    if s.stock > 0 and color_family(s.color) == slots.color and (
                            not size_ok or _norm_size(s.size) == _norm_size(size)):
                        color_sku = s
                        break
            if color_sku is not None and size_ok:
                zh.append(f"你要的{_zh_color(color_sku.color)}{size}码有货")
                en.append(f"{slots.color} in your size ({size}) is in stock")
            elif color_sku is not None:
                zh.append(f"有{_zh_color(color_sku.color)}")
                en.append(f"comes in {slots.color}")
            elif size_ok:
                zh.append(f"你的码({size})有货")
                en.append(f"your size ({size}) is in stock")
            if slots.budget_max is not None and p.price <= slots.budget_max:
                price = _yuan(p.price)
                zh.append(f"{price}元，在预算内")
                en.append(f"¥{price}, within your budget")
            if slots.recipient and recipient_match(p, slots.recipient):
                zh.append(f"适合送{RECIPIENT_ZH.get(slots.recipient, '人')}")
                en.append(f"suits {RECIPIENT_EN.get(slots.recipient, 'a gift')}")
        sold = int(sold_tonight[i]) if sold_tonight is not None else 0
        if sold and top_seller == i:
            zh.append(f"今晚销量领先(已卖{sold}件)")
            en.append(f"tonight's top seller ({sold} sold)")
        elif sold:
            zh.append(f"今晚已卖{sold}件")
            en.append(f"{sold} sold tonight")
        if len(zh) < 3:
            co = co_items.get(i)
            if co is not None:
                t_zh, t_en = self._title(co)
                zh.append(f"对「{t_zh}」感兴趣的人也看中了它")
                en.append(f"viewers interested in {t_en} also picked it")
        if not zh:
            total_sold = int(self._hist.purchase_counts[i])
            if total_sold:
                zh.append(f"店里已卖{total_sold}件")
                en.append(f"{total_sold} sold in the shop")
            elif p is not None and p.total_stock > 0:
                zh.append("有货")
                en.append("in stock")
        return "、".join(zh[:3]), ", ".join(en[:3])

    def _co_interacted(self, top: Sequence[int], viewer: str) -> dict[int, int]:
        """For each recommended item ``i`` in ``top``: the item in the viewer's history (among
        their 20 strongest) sharing the most *other* viewers with ``i``, kept only when at
        least :data:`CO_VIEWERS_MIN` viewers and :data:`CO_SHARE_MIN` of ``i``'s viewers
        interacted with both. One sparse product for all pairs."""
        snap = self._snapshot
        v = self._hist.viewers.get(viewer)
        if snap is None or v is None or not v.strength or not len(top):
            return {}
        hist = [h for h, s in sorted(v.strength.items(), key=lambda kv: (-kv[1], kv[0]))[:20]
                if s > 0]
        if not hist:
            return {}
        top = [int(i) for i in top]
        xh, xt = snap.x_csc[:, hist], snap.x_csc[:, top]
        shared = np.asarray((xh.T @ xt).todense())  # (len(hist), len(top)) viewers in common
        me = snap.viewer_rows.get(viewer)
        if me is not None:  # the viewer's own fitted row does not count as "other viewers"
            own = snap.x[me].toarray().ravel()
            shared -= np.outer(own[hist], own[top])
        n_users = np.diff(snap.x_csc.indptr)[top]
        out: dict[int, int] = {}
        for col, i in enumerate(top):
            counts = shared[:, col].copy()
            counts[[r for r, h in enumerate(hist) if h == i]] = 0
            r = int(np.argmax(counts))
            if counts[r] >= max(CO_VIEWERS_MIN, CO_SHARE_MIN * n_users[col]):
                out[i] = hist[r]
        return out

    def _title(self, i: int) -> tuple[str, str]:
        p = self.products[i]
        if p is not None:
            return p.title, p.title_en or p.title
        t = self.titles.get(self.item_ids[i], self.item_ids[i])
        return t, t


def _zh_color(name: str) -> str:
    """The seller's colour name, with 色 added after a bare colour character (雾霾蓝 -> 雾霾蓝色)."""
    name = name.strip()
    return name + "色" if name and is_color_char(name[-1]) else name


def _yuan(price: Decimal) -> str:
    """Yuan as spoken: 89.9, 200 (no trailing zeros)."""
    return format(price.quantize(Decimal("0.01")).normalize(), "f")
