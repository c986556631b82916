"""Evaluation: metrics against hand-computed values, the split, and the method comparison on
the synthetic MovieLens-format file and the synthetic demo interactions."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from app.recommend.evaluate import (catalog_coverage, evaluate, ndcg_at_k, precision_at_k,
                                    recall_at_k, split_per_viewer)
from app.recommend.interactions_io import MOVIELENS_GENRES, load_movielens, load_order_export
from app.recommend.synthetic_movielens import write_synthetic_movielens
from app.store.sqlite import Interaction

REPO = Path(__file__).resolve().parents[1]
DEMO_CATALOG = REPO / "assets" / "demo" / "catalog.csv"
DEMO_INTERACTIONS = REPO / "assets" / "demo" / "interactions.csv"


def test_metrics_match_hand_computed_values():
    ranked = ["a", "b", "c", "d", "e"]
    rel = {"a", "c", "x"}
    assert precision_at_k(ranked, rel, 3) == pytest.approx(2 / 3)
    assert recall_at_k(ranked, rel, 3) == pytest.approx(2 / 3)
    # DCG = 1/log2(2) + 1/log2(4) = 1.5 ; IDCG = 1 + 1/log2(3) + 1/log2(4) = 2.1309297535714578
    assert ndcg_at_k(ranked, rel, 3) == pytest.approx(1.5 / 2.1309297535714578)
    # k larger than the list: precision still divides by k
    assert precision_at_k(["a"], {"a"}, 10) == pytest.approx(0.1)
    assert recall_at_k(ranked, set(), 3) == 0.0 and ndcg_at_k(ranked, set(), 3) == 0.0
    # a perfect ranking has nDCG 1; a hit at rank 2 only: (1/log2 3) / 1
    assert ndcg_at_k(["c", "a"], {"a", "c"}, 2) == pytest.approx(1.0)
    assert ndcg_at_k(["b", "a"], {"a"}, 2) == pytest.approx(1 / math.log2(3))
    assert catalog_coverage([["a", "b"], ["b", "c"]], 5) == pytest.approx(3 / 5)


def test_split_per_viewer_is_deterministic_and_disjoint():
    inter = [Interaction(f"v:{u}", f"i{i}", "purchased", None, float(i))
             for u in range(20) for i in range(u % 7 + 1)]
    train, test = split_per_viewer(inter, 0.25, seed=1)
    train2, test2 = split_per_viewer(inter, 0.25, seed=1)
    assert test == test2 and train == train2
    train_pairs = {(it.viewer_key, it.product_id) for it in train}
    for v, items in test.items():
        n = len({it.product_id for it in inter if it.viewer_key == v})
        assert n >= 2
        assert len(items) == min(n - 1, max(1, round(0.25 * n)))
        assert not {(v, i) for i in items} & train_pairs
        assert any(tv == v for tv, _ in train_pairs)  # at least one item left to learn from
    assert "v:0" not in test and "v:7" not in test  # one item only: not evaluated
    assert len(train) + sum(len(s) for s in test.values()) == len(inter)
    with pytest.raises(ValueError):
        split_per_viewer(inter, 1.5)


def test_movielens_reader(tmp_path):
    (tmp_path / "u.data").write_text("1\t10\t5\t881250949\n1\t20\t3\t881250950\n2\t10\t1\t1\n",
                                     encoding="latin-1")
    flags = ["0"] * len(MOVIELENS_GENRES)
    flags[MOVIELENS_GENRES.index("Comedy")] = "1"
    flags[MOVIELENS_GENRES.index("Romance")] = "1"
    (tmp_path / "u.item").write_text(
        f"10|Caf\xe9 (1995)|01-Jan-1995||http://x|{'|'.join(flags)}\n"
        f"20|Other (1996)|01-Jan-1996||http://y|{'|'.join(['0'] * 19)}\n", encoding="latin-1")
    inter, feats, titles = load_movielens(tmp_path / "u.data", tmp_path / "u.item")
    assert [(i.viewer_key, i.product_id, i.rating, i.at) for i in inter] == [
        ("ml:1", "10", 5.0, 881250949.0), ("ml:1", "20", 3.0, 881250950.0), ("ml:2", "10", 1.0, 1.0)]
    assert feats == {"10": ("genre:Comedy", "genre:Romance"), "20": ()}
    assert titles["10"] == "Café (1995)"


@pytest.fixture(scope="module")
def synthetic_ml(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ml")
    return write_synthetic_movielens(folder, users=300, items=400, seed=5)


def _by_method(results):
    return {r.method: r for r in results}


COMPONENT_METHODS = ("popularity", "session", "svd", "content", "ease")


def _assert_hybrid_never_loses(res):
    h = res["hybrid"]
    comps = [m for m in COMPONENT_METHODS if m in res]
    assert len(comps) >= 4
    for m in comps:
        assert h.precision >= res[m].precision, m
        assert h.ndcg >= res[m].ndcg, m


def test_hybrid_is_at_least_every_component_on_synthetic_movielens(synthetic_ml):
    data, items = synthetic_ml
    inter, feats, _ = load_movielens(data, items)
    res = _by_method(evaluate(inter, item_ids=sorted(feats, key=int), item_features=feats,
                              k=10, seed=0))
    # no session ids in MovieLens: no "tonight" to report
    assert set(res) == {"popularity", "svd", "content", "ease", "hybrid", "hybrid_no_ease"}
    h = res["hybrid"]
    assert h.viewers == 300
    _assert_hybrid_never_loses(res)
    for other in ("popularity", "svd"):
        assert h.precision > res[other].precision
        assert h.ndcg > res[other].ndcg
    # the implicit item-item model earns its place in the blend
    assert h.precision > res["hybrid_no_ease"].precision
    assert "ease" in h.detail and "learned on" in h.detail
    assert "ease" not in res["hybrid_no_ease"].detail.split("(")[0]
    assert 0.0 < h.coverage <= 1.0


def test_hybrid_is_at_least_every_component_on_demo_interactions():
    from app.catalog.importer import load_catalog

    catalog = load_catalog(DEMO_CATALOG).catalog
    rep = load_order_export(DEMO_INTERACTIONS)
    assert rep.skipped == ()
    res = _by_method(evaluate(rep.interactions, catalog=catalog, k=10, seed=0,
                              methods=(*COMPONENT_METHODS, "hybrid")))
    assert set(res) == {*COMPONENT_METHODS, "hybrid"}
    _assert_hybrid_never_loses(res)
    h = res["hybrid"]
    for other in ("popularity", "svd"):
        assert h.precision > res[other].precision
        assert h.ndcg > res[other].ndcg


def test_demo_interactions_are_synthetic_reproducible_and_match_the_catalog(tmp_path):
    import csv

    from app.catalog.importer import load_catalog
    from app.recommend.demo_interactions import generate
    from app.recommend.interactions_io import write_interactions_csv

    catalog = load_catalog(DEMO_CATALOG).catalog
    with DEMO_INTERACTIONS.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and {r["synthetic"] for r in rows} == {"yes"}
    assert {r["product_id"] for r in rows} <= {p.product_id for p in catalog}
    # the shipped file is exactly what the documented, seeded generator writes
    out = tmp_path / "again.csv"
    write_interactions_csv(out, generate(catalog), extra={"synthetic": "yes"})
    assert out.read_text(encoding="utf-8") == DEMO_INTERACTIONS.read_text(encoding="utf-8")


def test_cli_evaluate_movielens_json(synthetic_ml, capsys):
    from app.cli import main as _main

    def main(argv):
        return _main(["recommend", *argv])

    data, items = synthetic_ml
    code = main(["evaluate", "--interactions", str(data), "--items", str(items),
                 "--format", "movielens", "--k", "5", "--test-fraction", "0.2", "--seed", "3",
                 "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["k"] == 5 and out["seed"] == 3
    methods = {m["method"]: m for m in out["methods"]}
    assert {"popularity", "svd", "content", "hybrid"} <= set(methods)
    for m in methods.values():
        assert 0.0 <= m["precision"] <= 1.0 and 0.0 <= m["ndcg"] <= 1.0
        assert m["fit_s"] >= 0.0 and m["rank_s"] > 0.0
