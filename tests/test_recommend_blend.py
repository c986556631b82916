"""The blend learned on a validation split: exact validation metrics, the guard (the hybrid
never loses to one of its components), regimes, and data where one component is clearly
best (pure item-item structure, pure popularity, pure content)."""

from __future__ import annotations

import functools

import numpy as np
import pytest

from app.recommend.blend import (REGIMES, Regime, ValidationPools, ViewerScores, Weights,
                                 exact_metrics, learn_blend)
from app.recommend.evaluate import evaluate, ndcg_at_k, precision_at_k
from app.recommend.interactions_io import load_movielens
from app.recommend.recommender import COMPONENTS, HybridRecommender
from app.recommend.split import split_per_viewer
from app.recommend.synthetic_movielens import write_synthetic_movielens
from app.store.sqlite import Interaction

K = 10


# ----------------------------------------------------------------------------- data


def pure_popularity(seed: int = 0, n_items: int = 500, n_viewers: int = 400, per: int = 12):
    """Every viewer draws items by one global Zipf popularity; item features are noise."""
    rng = np.random.default_rng(seed)
    pop = 1.0 / (1.0 + rng.permutation(n_items)) ** 1.0
    feats = {f"i{i}": (f"g:{rng.integers(20)}",) for i in range(n_items)}
    out = []
    for v in range(n_viewers):
        for i in rng.choice(n_items, per, replace=False, p=pop / pop.sum()):
            out.append(Interaction(f"t:{v}", f"i{i}", "link_clicked", None, float(len(out))))
    return out, feats


def pure_itemitem(seed: int = 0, clusters: int = 40, size: int = 10, n_viewers: int = 400):
    """Items form hidden clusters (no feature says which); a viewer takes 5-8 items of one
    cluster, uniformly: only co-occurrence reveals what goes together."""
    rng = np.random.default_rng(seed)
    n_items = clusters * size
    perm = rng.permutation(n_items)
    feats = {f"i{i}": (f"g:{rng.integers(20)}",) for i in range(n_items)}
    out = []
    for v in range(n_viewers):
        c = int(rng.integers(clusters))
        members = perm[c * size:(c + 1) * size]
        for i in rng.choice(members, int(rng.integers(5, 9)), replace=False):
            out.append(Interaction(f"t:{v}", f"i{i}", "link_clicked", None, float(len(out))))
    return out, feats


def pure_content(seed: int = 0, n_viewers: int = 200, size: int = 10, per: int = 8):
    """Each viewer has a cell of ``size`` items nobody else touches, marked by a (genre,
    style) feature pair; they take ``per`` of them. Held-out items were never seen by
    anyone in training: only their features lead to them."""
    rng = np.random.default_rng(seed)
    genres, styles = 20, n_viewers // 20
    feats: dict[str, tuple[str, ...]] = {}
    out = []
    for v in range(n_viewers):
        g, s = v % genres, v // genres
        cell = [f"c{v}-{j}" for j in range(size)]
        for pid in cell:
            feats[pid] = (f"genre:{g}", f"style:{s}")
        for j in rng.choice(size, per, replace=False):
            out.append(Interaction(f"t:{v}", cell[j], "link_clicked", None, float(len(out))))
    return out, feats


@functools.cache
def _results(scenario, learn: bool = True):
    """Evaluation of a scenario (cached: several tests read the same run)."""
    inter, feats = scenario()
    return {r.method: r for r in evaluate(
        inter, item_ids=sorted(feats), item_features=feats, k=K, seed=0,
        make=lambda *a, **k: HybridRecommender(*a, learn_blend=learn, **k))}


def _components(res):
    return {m: r for m, r in res.items() if m in COMPONENTS}


def assert_hybrid_never_loses(res):
    h = res["hybrid"]
    comps = _components(res)
    assert len(comps) >= 3
    for m, r in comps.items():
        assert h.precision >= r.precision - 1e-12, (m, r.precision, h.precision)
        assert h.ndcg >= r.ndcg - 1e-12, (m, r.ndcg, h.ndcg)


# ----------------------------------------------------------------------------- scenarios


@pytest.mark.parametrize("scenario, best", [(pure_itemitem, "ease"),
                                            (pure_popularity, "popularity"),
                                            (pure_content, "content")])
def test_hybrid_is_at_least_its_clearly_best_component(scenario, best):
    res = _results(scenario)
    comps = _components(res)
    # the scenario is what it says: one component is clearly best on the test split
    top = max(comps, key=lambda m: comps[m].precision)
    assert top == best
    runner_up = max(r.precision for m, r in comps.items() if m != best)
    assert comps[best].precision > 1.02 * runner_up
    assert_hybrid_never_loses(res)
    assert res["hybrid"].precision >= comps[best].precision


def test_the_fixed_prior_blend_would_lose_where_the_learned_one_does_not():
    """Without learning (the hand-set prior), the hybrid falls behind popularity alone on
    pure popularity data -- the failure the validation split exists to prevent."""
    prior = _results(pure_popularity, learn=False)
    assert prior["hybrid"].precision < prior["popularity"].precision
    learned = _results(pure_popularity)
    assert learned["hybrid"].precision >= learned["popularity"].precision
    assert learned["hybrid"].ndcg >= learned["popularity"].ndcg


@pytest.fixture(scope="module")
def synthetic_ml(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ml")
    return load_movielens(*write_synthetic_movielens(folder, users=300, items=400, seed=5))


# ----------------------------------------------------------------------------- exactness


@pytest.fixture(scope="module")
def ml_fit(synthetic_ml):
    inter, feats, _ = synthetic_ml
    train, _test = split_per_viewer(inter, 0.25, seed=0)
    rec = HybridRecommender(item_ids=sorted(feats, key=int), item_features=feats,
                            auto_refit=False, keep_validation=True, seed=0)
    rec.add_interactions(train)
    rec.fit()
    return rec, train, feats


def _weight_vectors(seed=0, n=6):
    rng = np.random.default_rng(seed)
    out = [np.eye(len(COMPONENTS))[c] for c in range(len(COMPONENTS))]
    out += [rng.random(len(COMPONENTS)) * (rng.random(len(COMPONENTS)) < 0.7) + 0.01 * np.eye(
        len(COMPONENTS))[0] for _ in range(n)]
    return out


def test_pooled_metrics_are_exact_where_sure_and_never_too_low(ml_fit):
    rec, _, _ = ml_fit
    pools = rec._validation
    assert pools is not None and len(pools) == 300
    unsure_total = 0
    for w in _weight_vectors():
        exact = np.array([exact_metrics(pools._viewer(i), w, COMPONENTS, K)
                          for i in range(len(pools))])
        pp, pn, unsure = pools.all.pooled(w)
        sure = ~unsure
        assert np.allclose(pp[sure], exact[sure, 0], atol=1e-12)
        assert np.allclose(pn[sure], exact[sure, 1], atol=1e-12)
        assert np.all(pp >= exact[:, 0] - 1e-12) and np.all(pn >= exact[:, 1] - 1e-12)
        # what the guard reads is exact for every viewer
        p, n = pools.all.per_viewer(w)
        assert np.allclose(p, exact[:, 0], atol=1e-12) and np.allclose(n, exact[:, 1], atol=1e-12)
        unsure_total += int(unsure.sum())
    # the pools settle nearly every ranking by themselves (that is what makes them cheap)
    assert unsure_total < 0.05 * len(pools) * len(_weight_vectors())


def test_validation_metrics_are_what_evaluate_would_compute_on_the_fit_part(ml_fit):
    """The validation pools score a blend exactly as a recommender fitted on the fit part
    alone, ranked like the offline evaluation, would."""
    rec, train, feats = ml_fit
    fit_part, held = split_per_viewer(train, 0.25, seed=rec.seed + 1)
    other = HybridRecommender(item_ids=sorted(feats, key=int), item_features=feats,
                              auto_refit=False, learn_blend=False, seed=rec.seed)
    other.add_interactions(fit_part)
    other.fit()
    viewers = sorted(v for v in held if held[v])
    pools = rec._validation
    for w in _weight_vectors(seed=1, n=3)[-4:]:
        weights = Weights.from_vector(COMPONENTS, w)
        ps = pn = 0.0
        for v in viewers:
            total, _, _ = other.scores(v, weights=weights)
            mask = np.ones(len(other.item_ids), dtype=bool)
            mask[[other.index[i] for i in other.history(v)]] = False
            ranked = [other.item_ids[i] for i in other._top_k(total, mask, K)]
            ps += precision_at_k(ranked, held[v], K)
            pn += ndcg_at_k(ranked, held[v], K)
        s = pools.all.score(w)
        assert s.precision == pytest.approx(ps / len(viewers), abs=1e-12)
        assert s.ndcg == pytest.approx(pn / len(viewers), abs=1e-12)


def test_learned_blend_is_deterministic_and_beats_every_component_on_validation(ml_fit):
    rec, train, feats = ml_fit
    again = HybridRecommender(item_ids=sorted(feats, key=int), item_features=feats,
                              auto_refit=False, seed=0)
    again.add_interactions(train)
    again.fit()
    assert again.blend.weights == rec.blend.weights
    rep = rec.blend.report
    assert rep.viewers == 300 and rec.blend.learned
    for name, s in rep.singles.items():
        assert rep.hybrid.precision >= s.precision and rep.hybrid.ndcg >= s.ndcg, name
    assert set(rep.seconds) == {"fit", "pools", "search"}
    assert rec.fit_timings["blend"] >= sum(rep.seconds.values()) * 0.99


def test_the_test_split_never_reaches_the_recommender(synthetic_ml):
    inter, feats, _ = synthetic_ml
    made = []

    def make(*a, **k):
        made.append(HybridRecommender(*a, **k))
        return made[-1]

    evaluate(inter, item_ids=sorted(feats, key=int), item_features=feats, k=K, seed=4,
             make=make, methods=("ease", "hybrid"))
    _, test = split_per_viewer(inter, 0.25, seed=4)
    seen = {(it.viewer_key, it.product_id) for it in made[0]._interactions}
    assert seen and not any((v, i) in seen for v, items in test.items() for i in items)


# ----------------------------------------------------------------------------- the search


def _pools_from(z_by_viewer, relevant, n_history=None, candidates=None):
    viewers = []
    for r, z in enumerate(z_by_viewer):
        cand = np.ones(z.shape[1], dtype=bool) if candidates is None else candidates[r]
        viewers.append(ViewerScores(z, cand, np.asarray(sorted(relevant[r]), dtype=np.int64),
                                    3 if n_history is None else n_history[r]))
    return ValidationPools(viewers, COMPONENTS, k=K, pool=20)


def _zs(a):
    return (a - a.mean()) / a.std()


def test_a_component_that_is_right_wins_alone_and_noise_is_not_blended_in():
    rng = np.random.default_rng(0)
    zs, rel = [], []
    for _ in range(80):
        z = np.zeros((len(COMPONENTS), 200))
        z[COMPONENTS.index("content")] = _zs(rng.normal(size=200))
        z[COMPONENTS.index("ease")] = _zs(rng.normal(size=200))  # noise
        z[COMPONENTS.index("popularity")] = _zs(rng.normal(size=200))  # noise
        zs.append(z)
        rel.append(set(np.argsort(-z[COMPONENTS.index("content")])[:5].tolist()))
    blend = learn_blend(_pools_from(zs, rel), prior=Weights(ease=1.0, content=0.4),
                        new_viewer=Weights(content=1.0))
    assert blend.weights[0] == Weights(content=1.0)
    rep = blend.report
    assert rep.pooled.source == "component:content"
    assert rep.hybrid == rep.singles["content"] and rep.hybrid.precision == pytest.approx(0.5)


def test_complementary_components_are_blended():
    """Relevant items are the top of content + ease together: neither alone finds them, the
    search does and the guard lets the blend in."""
    rng = np.random.default_rng(1)
    zs, rel = [], []
    c, e = COMPONENTS.index("content"), COMPONENTS.index("ease")
    for _ in range(80):
        z = np.zeros((len(COMPONENTS), 300))
        z[c], z[e] = _zs(rng.normal(size=300)), _zs(rng.normal(size=300))
        z[COMPONENTS.index("popularity")] = _zs(rng.normal(size=300))
        zs.append(z)
        rel.append(set(np.argsort(-(z[c] + z[e]))[:10].tolist()))
    blend = learn_blend(_pools_from(zs, rel), prior=Weights(popularity=1.0),
                        new_viewer=Weights(content=1.0))
    rep = blend.report
    assert rep.pooled.source == "blend"
    w = blend.weights[0]
    assert w.content == pytest.approx(w.ease) and w.content > 0 and w.popularity == 0.0
    assert rep.hybrid.precision == pytest.approx(1.0)
    assert all(rep.hybrid.precision > s.precision + 0.3 for s in rep.singles.values())


def test_regimes_learn_their_own_weights_when_their_viewers_differ():
    rng = np.random.default_rng(2)
    zs, rel, hist = [], [], []
    for r in range(240):
        z = np.zeros((len(COMPONENTS), 200))
        for name in ("ease", "popularity", "content"):
            z[COMPONENTS.index(name)] = _zs(rng.normal(size=200))
        short = r % 2 == 0  # short histories follow popularity, long ones the item-item model
        lead = z[COMPONENTS.index("popularity" if short else "ease")]
        zs.append(z)
        rel.append(set(np.argsort(-lead)[:5].tolist()))
        hist.append(2 if short else 30)
    blend = learn_blend(_pools_from(zs, rel, hist), prior=Weights(ease=1.0),
                        new_viewer=Weights(content=1.0), min_regime_viewers=100)
    assert blend.for_history(2) == Weights(popularity=1.0)
    assert blend.for_history(30) == Weights(ease=1.0)
    assert blend.for_history(10) == blend.report.pooled.weights  # no medium viewers: pooled
    rep = blend.report
    assert rep.hybrid.precision == pytest.approx(0.5)  # every viewer gets their own leader
    assert all(rep.hybrid.precision > s.precision + 0.2 for s in rep.singles.values())
    assert {rc.regime: rc.source for rc in rep.regimes} == {"short": "component:popularity",
                                                            "long": "component:ease"}


def test_too_few_validation_viewers_keep_the_prior():
    rec = HybridRecommender(item_ids=["a", "b", "c"], auto_refit=False, seed=0)
    rec.add_interactions([Interaction("v:1", "a", "asked", None, 1.0),
                          Interaction("v:1", "b", "asked", None, 2.0)])
    rec.fit()
    assert not rec.blend.learned and "validation viewers" in rec.blend.note
    assert rec.blend.for_history(2) == rec.returning_weights


def test_regime_bounds():
    assert [r.name for r in REGIMES if r.contains(0)] == ["short"]
    assert [r.name for r in REGIMES if r.contains(4)] == ["short"]
    assert [r.name for r in REGIMES if r.contains(5)] == ["medium"]
    assert [r.name for r in REGIMES if r.contains(19)] == ["medium"]
    assert [r.name for r in REGIMES if r.contains(500)] == ["long"]
    assert Regime("x", 3, 3).contains(3) and not Regime("x", 3, 3).contains(4)


def test_top_k_breaks_ties_by_item_position_even_across_the_cut():
    from app.recommend.blend import top_k

    total = np.array([1.0, 5.0, 3.0, 5.0, 5.0, 2.0, 5.0])
    assert top_k(total, np.arange(7), 2).tolist() == [1, 3]
    assert top_k(total, np.arange(7), 5).tolist() == [1, 3, 4, 6, 2]
    assert top_k(total, np.array([0, 2, 4, 5, 6]), 2).tolist() == [4, 6]
    assert top_k(total, np.array([0, 5]), 10).tolist() == [5, 0]
    assert top_k(total, np.array([], dtype=np.int64), 3).tolist() == []


def test_refits_keep_the_learned_blend_until_the_interactions_grew_enough(synthetic_ml):
    inter, feats, _ = synthetic_ml
    rec = HybridRecommender(item_ids=sorted(feats, key=int), item_features=feats,
                            auto_refit=False, blend_relearn_growth=0.5)
    half = len(inter) // 2
    rec.add_interactions(inter[:half])
    rec.fit()
    first = rec.blend
    assert first.learned and first.interactions == half and rec.fit_timings["blend"] > 0
    rec.add_interactions(inter[half:half + half // 4])  # +25 %: models refit, blend kept
    rec.fit()
    assert rec.blend is first and rec.fit_timings["blend"] < 0.01
    assert rec._snapshot.n_interactions == half + half // 4
    rec.add_interactions(inter[half + half // 4:])  # +100 % since it was learned: relearned
    rec.fit()
    assert rec.blend is not first and rec.blend.interactions == len(inter)
    again = rec.blend
    rec.fit(relearn=True)  # forced
    assert rec.blend is not again and rec.blend.weights == again.weights
