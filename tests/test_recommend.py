"""Recommender core: id normalisation, cold start, filters, reasons, refit, stage, CLI."""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime
import json
import threading
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from app.catalog.model import Catalog, Product, SizeRange, Sku
from app.events import (IntentClassified, NowSellingChanged, RecommendationsReady, Slots,
                        Viewer)
from app.pipeline import Pipeline
from app.recommend.content import color_family
from app.recommend.interactions_io import (load_order_export, normalise_id, normalise_viewer_key,
                                           write_interactions_csv)
from app.recommend.recommender import HybridRecommender, size_system
from app.recommend.stage import RecommendationStage, merge_slots
from app.store.sqlite import Interaction, SqliteStore, viewer_key

CHART = (SizeRange("S", 150, 158, 40, 47), SizeRange("M", 158, 165, 47, 55),
         SizeRange("L", 165, 172, 55, 63))


def _p(pid, n, title, cat, price, skus, *, tags=(), chart=CHART):
    return Product(product_id=pid, listing_number=n, title=title, category=cat,
                   price=Decimal(price), skus=tuple(Sku(*s) for s in skus),
                   size_chart=chart if any(s[1] in ("S", "M", "L") for s in skus) else (),
                   tags=tuple(tags))


def shop() -> Catalog:
    return Catalog((
        _p("D1", 1, "红色碎花连衣裙", "连衣裙", "159", [("红色", "S", 3), ("红色", "M", 0), ("黑色", "M", 5)]),
        _p("D2", 2, "酒红针织连衣裙", "连衣裙", "219", [("酒红", "M", 4), ("酒红", "L", 2)]),
        _p("D3", 3, "黑色通勤连衣裙", "连衣裙", "129", [("黑色", "S", 1), ("黑色", "M", 6)]),
        _p("C1", 4, "羊毛开衫", "外套", "299", [("米白", "M", 0), ("米白", "L", 0)]),  # sold out
        _p("C2", 5, "中老年妈妈装羊毛开衫", "外套", "189", [("酒红", "L", 5), ("灰色", "XL", 2)],
           tags=("送妈妈", "中老年")),
        _p("P1", 6, "荞麦枕", "枕头", "99", [("", "标准", 8)], tags=("送长辈",)),
        _p("S1", 7, "红色运动鞋", "鞋靴", "369", [("红色", "38", 2), ("红色", "39", 0)]),
        _p("T1", 8, "纯棉毛巾", "毛巾", "29", [("白色", "", 50)]),
        _p("X1", None, "未上架的围巾", "围巾", "59", [("红色", "", 9)]),  # not listed tonight
    ))


def history(n_viewers: int = 30, seed: int = 3) -> list[Interaction]:
    """Viewers who like dresses buy dresses, others buy towels/pillows (plus ratings)."""
    rng = np.random.default_rng(seed)
    out = []
    t = 1_700_000_000.0
    for v in range(n_viewers):
        vk = viewer_key("douyin", v)
        group = ["D1", "D2", "D3", "S1"] if v % 2 == 0 else ["T1", "P1", "C2"]
        for pid in rng.choice(group, size=2, replace=False):
            t += 60
            out.append(Interaction(vk, str(pid), "purchased", None, t, "s1"))
            out.append(Interaction(vk, str(pid), "rated", float(rng.integers(3, 6)), t + 1, "s1"))
        out.append(Interaction(vk, group[-1], "asked", None, t + 2, "s1"))
    return out


def fitted(**kw) -> HybridRecommender:
    rec = HybridRecommender(shop(), auto_refit=False, svd_factors=8, **kw)
    rec.add_interactions(history())
    rec.fit()
    return rec


# ----------------------------------------------------------------------------- ids


@pytest.mark.parametrize("raw, want", [(123, "123"), (123.0, "123"), (" 123 ", "123"),
                                       ("123.0", "123"), ("u-7", "u-7"), ("0042", "0042")])
def test_normalise_id_gives_one_string_form(raw, want):
    assert normalise_id(raw) == want


@pytest.mark.parametrize("raw", ["", "   ", None, True, float("nan")])
def test_normalise_id_rejects_non_ids(raw):
    with pytest.raises(ValueError):
        normalise_id(raw)


def test_viewer_key_normalisation():
    assert normalise_viewer_key(42.0, "taobao") == "taobao:42"
    assert normalise_viewer_key("douyin: 42 ") == "douyin:42"


def _write_xlsx(path: Path, rows: list[list[object]]) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    wb.save(path)


def test_xlsx_export_with_numeric_ids_trains_svd_queried_with_string_keys(tmp_path):
    """Spreadsheets store ids as numbers; a model trained on them and queried with str keys
    must not silently fall back to the global mean (the Surprise int/str pitfall)."""
    cat = Catalog(tuple(_p(f"{100 + i}", i + 1, f"商品{i}", "杂货", "10", [("", "", 5)])
                        for i in range(6)))
    rows = [["买家ID", "商品ID", "评分", "下单时间"]]
    rng = np.random.default_rng(0)
    for u in range(1, 25):
        for i in rng.choice(6, size=3, replace=False):
            rows.append([u, 100 + int(i), int(rng.integers(1, 6)), 1_700_000_000 + u])
    path = tmp_path / "orders.xlsx"
    _write_xlsx(path, rows)
    report = load_order_export(path, default_platform="taobao")
    assert report.skipped == ()
    assert {type(it.viewer_key) for it in report.interactions} == {str}
    assert all(it.product_id in {"100", "101", "102", "103", "104", "105"}
               for it in report.interactions)
    assert all(it.kind == "rated" for it in report.interactions)
    rec = HybridRecommender(cat, auto_refit=False, svd_factors=4)
    rec.add_interactions(report.interactions)
    rec.fit()
    comps = rec.component_scores("taobao:7")
    assert "svd" in comps
    svd = rec._snapshot.svd
    # vectorised scores equal Surprise's own (unclipped) prediction for the raw ids ...
    for pid in ("100", "103", "105"):
        est = svd.algo.predict("taobao:7", pid, clip=False).est
        assert comps["svd"][rec.index[pid]] == pytest.approx(est, abs=1e-9)
    # ... and are not all the global mean (what an id-type mismatch silently returns)
    assert np.ptp(comps["svd"]) > 1e-3
    assert not np.allclose(comps["svd"], svd.mu)


def test_csv_export_chinese_headers_kinds_and_bad_rows(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(
        "\ufeff平台,买家ID,商品ID,行为,评分,时间,场次\n"
        "douyin,1001,D1,加购,,2026-11-28 20:05:00,s9\n"
        "douyin,1001,D1,,4,2026-11-29 10:00:00,\n"
        "douyin,1002,D2,下单,,1795000000,s9\n"
        "douyin,1003,D3,评分,9,1795000000,s9\n"
        "douyin,,D3,下单,,1795000000,s9\n"
        "douyin,1004,D3,跳舞,,1795000000,s9\n", encoding="utf-8")
    rep = load_order_export(path)
    kinds = [(it.viewer_key, it.product_id, it.kind, it.rating) for it in rep.interactions]
    assert kinds == [("douyin:1001", "D1", "added_to_cart", None), ("douyin:1001", "D1", "rated", 4.0),
                     ("douyin:1002", "D2", "purchased", None)]
    assert rep.interactions[0].session_id == "s9"
    # 2026-11-28 20:05 China time = 12:05 UTC
    assert rep.interactions[0].at == datetime.datetime(
        2026, 11, 28, 12, 5, tzinfo=datetime.timezone.utc).timestamp()
    assert [r for r, _ in rep.skipped] == [5, 6, 7]


def test_write_then_load_round_trip(tmp_path):
    items = history(4)
    write_interactions_csv(tmp_path / "i.csv", items, extra={"synthetic": "yes"})
    back = load_order_export(tmp_path / "i.csv").interactions
    assert [(i.viewer_key, i.product_id, i.kind, i.rating, i.session_id) for i in back] == \
        [(i.viewer_key, i.product_id, i.kind, i.rating, i.session_id) for i in items]


def test_vectorised_svd_scores_do_not_tie_where_clipped_predictions_do():
    """All-5 ratings: Surprise's clipped ``predict`` ties several items at 5.0 (no order
    among the best candidates); the unclipped vectorised scores still order them."""
    rec = HybridRecommender(shop(), auto_refit=False, svd_factors=8)
    rng = np.random.default_rng(1)
    ids = ["D1", "D2", "D3", "C2", "P1", "S1", "T1"]
    rec.add_interactions([Interaction(f"douyin:{u}", str(p), "rated", 5.0, 1.0)
                          for u in range(20) for p in rng.choice(ids, 3, replace=False)])
    rec.fit()
    svd = rec._snapshot.svd
    clipped = [svd.algo.predict("douyin:3", p).est for p in ids]
    assert clipped.count(5.0) >= 2
    s = rec.component_scores("douyin:3")["svd"][[rec.index[p] for p in ids]]
    assert len(set(np.round(s, 12))) == len(ids)
    # an item without ratings is flagged unknown and gets mu + b_u, not a made-up factor score
    assert not svd.known_items[rec.index["X1"]]
    u = svd.user_index["douyin:3"]
    assert rec.component_scores("douyin:3")["svd"][rec.index["X1"]] == pytest.approx(
        svd.mu + svd.bu[u])


def test_fit_with_no_interactions_and_unknown_mentions():
    rec = HybridRecommender(shop(), auto_refit=False)
    rec.fit()
    assert rec.fitted
    res = rec.recommend("douyin:1", Slots(product_mentions=("NOPE",), listing_number=99), k=2,
                        exclude=("NOPE",))
    assert len(res.items) == 2 and res.method == "popularity"


# ----------------------------------------------------------------------------- unknowns


def test_unknown_product_is_counted_and_ignored():
    rec = HybridRecommender(shop(), auto_refit=False)
    used = rec.add_interactions([Interaction("douyin:1", "GONE", "purchased", None, 1.0),
                                 Interaction("douyin:1", "T1", "purchased", None, 2.0)])
    assert used == 1
    assert rec.unknown_products == {"GONE": 1}
    assert rec.history("douyin:1") == {"T1": 4.0}


def test_unknown_viewer_gets_cold_start_not_cf():
    rec = fitted()
    comps = rec.component_scores("douyin:never-seen")
    assert "svd" not in comps and "ease" not in comps
    res = rec.recommend("douyin:never-seen", k=3)
    assert res.method == "popularity"
    assert len(res.items) == 3
    res = rec.recommend("douyin:never-seen", Slots(color="red"), k=3)
    assert res.method == "content" and "content" in res.components


def test_returning_viewer_uses_cf_and_live_fold_in():
    rec = fitted()
    res = rec.recommend(viewer_key("douyin", 0), k=3)
    assert res.method == "hybrid" and {"ease", "svd"} <= set(res.components)
    # a viewer who arrives after the fit is scored by the item-item model from live history
    rec.add_interactions([Interaction("douyin:late", "D1", "link_clicked", None, 9.0)])
    comps = rec.component_scores("douyin:late")
    assert "ease" in comps and "svd" not in comps
    # dress buyers co-bought dresses: the other dresses outrank towels for this viewer
    s = comps["ease"]
    assert s[rec.index["D3"]] > s[rec.index["T1"]]


def test_ease_weights_match_the_closed_form():
    from scipy import sparse

    from app.recommend.itemitem import EaseModel

    rng = np.random.default_rng(4)
    x = (rng.random((60, 12)) < 0.3).astype(np.float32)
    x[:, 11] = 0  # an item nobody touched is not modelled
    m = EaseModel(sparse.csr_matrix(x), lam=5.0)
    assert list(m.items) == list(range(11))
    g = x[:, :11].T.astype(np.float64) @ x[:, :11] + 5.0 * np.eye(11)
    p = np.linalg.inv(g)
    b = np.eye(11) - p / np.diag(p)[None, :]
    assert np.allclose(m.weights, b, atol=1e-5)
    assert np.all(np.diag(m.weights) == 0)
    s = m.scores([0, 3])
    assert s.shape == (12,) and s[11] == 0
    assert np.allclose(s[:11], b[0] + b[3], atol=1e-5)
    assert m.scores([11]) is None  # cold: only unmodelled items in the history


def test_no_history_no_fit_still_serves():
    rec = HybridRecommender(shop(), auto_refit=False)
    res = rec.recommend("douyin:1", Slots(budget_max=Decimal("100")), k=5)
    assert res.method == "popularity"
    assert {it.product_id for it in res.items} == {"T1", "P1"}


# ----------------------------------------------------------------------------- filters


def _ids(res):
    return [it.product_id for it in res.items]


def test_budget_filter():
    rec = fitted()
    res = rec.recommend("douyin:new", Slots(budget_max=Decimal("160")), k=10)
    prices = {it.product_id: shop().get(it.product_id).price for it in res.items}
    assert prices and all(p <= 160 for p in prices.values())
    assert set(prices) == {"D1", "D3", "P1", "T1"}
    res = rec.recommend("douyin:new", Slots(budget_min=Decimal("150"), budget_max=Decimal("250")),
                        k=10)
    assert set(_ids(res)) == {"D1", "D2", "C2"}


def test_stock_listing_and_size_filters():
    rec = fitted()
    every = set(_ids(rec.recommend("douyin:new", k=20)))
    assert "C1" not in every  # sold out
    assert "X1" not in every  # not in tonight's shopping bag
    m = set(_ids(rec.recommend("douyin:new", Slots(size="m"), k=20)))
    # letter-sized products need M in stock; numeric (shoes) and unsized (pillow) are unaffected
    assert m == {"D1", "D2", "D3", "P1", "S1", "T1"}
    assert "C2" not in m  # only L / XL
    n38 = set(_ids(rec.recommend("douyin:new", Slots(size="39"), k=20)))
    assert "S1" not in n38 and "D1" in n38  # shoe size 39 is sold out
    # height/weight -> size chart: 155 cm / 45 kg is S
    s = set(_ids(rec.recommend("douyin:new", Slots(height_cm=155, weight_kg=45), k=20)))
    assert {"D1", "D3"} <= s and "D2" not in s and "C2" not in s  # D2 has no S, C2 no chart row


def test_vectorised_size_chart_filter_matches_per_product_rule():
    from app.catalog.importer import load_catalog

    catalog = load_catalog(Path(__file__).resolve().parents[1] / "assets/demo/catalog.csv").catalog
    rec = HybridRecommender(catalog, auto_refit=False)
    checked = 0
    for h in (None, 150.0, 158.0, 163.5, 175.0, 190.0):
        for w in (None, 40.0, 50.0, 60.0, 66.0, 90.0):
            if h is None and w is None:
                continue
            got = rec._size_mask(Slots(height_cm=h, weight_kg=w))
            for i, p in enumerate(catalog):
                if not p.size_chart:
                    assert got[i]
                    continue
                row = next((r for r in p.size_chart if r.fits(h, w)), None)
                assert got[i] == (row is not None and p.stock_for(size=row.size) > 0), (p, h, w)
                checked += 1
    assert checked > 100


def test_already_bought_is_not_recommended():
    rec = fitted()
    vk = viewer_key("douyin", 0)
    bought = {it.product_id for it in history() if it.viewer_key == vk and it.kind == "purchased"}
    res = rec.recommend(vk, k=20)
    assert bought and not bought & set(_ids(res))


def test_exclude_and_colour_tier():
    rec = fitted()
    res = rec.recommend("douyin:new", Slots(color="red"), k=4, exclude=("D1",))
    ids = _ids(res)
    assert "D1" not in ids
    # every product with red in stock ranks above every product without
    red = [color_family("酒红") == "red" and pid in ("D2", "C2", "S1") for pid in ids]
    assert red[:3] == [True, True, True]


def test_colour_tier_respects_the_viewers_size():
    rec = fitted()
    # D1 has red only in S (M is black): with size M it is not "red in your size"
    tier = rec._color_mask(Slots(color="red", size="M"))
    assert {pid for pid in rec.index if tier[rec.index[pid]]} == {"D2", "S1", "X1"}  # X1: unsized
    tier = rec._color_mask(Slots(color="red"))
    assert {pid for pid in rec.index if tier[rec.index[pid]]} == {"D1", "D2", "C2", "S1", "X1"}
    res = rec.recommend("douyin:new", Slots(color="red", size="M"), k=3)
    ids = _ids(res)
    assert set(ids[:2]) == {"D2", "S1"}
    assert "D1" not in ids[:2]
    for it in res.items:
        if it.product_id == "D1":
            assert "红" not in it.reason_zh and "red" not in it.reason_en


def test_message_naming_a_category_or_tag_lifts_those_products():
    rec = fitted()
    res = rec.recommend(viewer_key("douyin", 1), k=3, query="连衣裙有什么推荐")
    assert {it.product_id for it in res.items} == {"D1", "D2", "D3"}  # towel buyer, still dresses
    res = rec.recommend("douyin:new", k=1, query="送长辈的有吗")
    assert _ids(res) == ["P1"]
    assert rec.query_mask("随便看看") is None
    assert "cat:连衣裙" in rec._query_tokens("连衣裙有什么推荐")


# ----------------------------------------------------------------------------- reasons


def _check_reasons_true(rec, res, slots, session, claims):
    cat = rec.catalog
    sold = rec.session_popularity.purchases(session)
    top = rec.session_popularity.top_seller(session)
    for it in res.items:
        p = cat.get(it.product_id)
        assert it.reason_zh and it.reason_en
        assert len(it.reason_zh.split("、")) <= 3
        if "码" in it.reason_zh and "有货" in it.reason_zh:
            size = slots.size or next(r.size for r in p.size_chart
                                      if r.fits(slots.height_cm, slots.weight_kg))
            assert p.stock_for(size=size) > 0
            claims.add("size")
        if "领先" in it.reason_zh:
            claims.add("top")
            assert top == p.product_id
            assert f"已卖{sold[p.product_id]}件" in it.reason_zh
        elif "今晚已卖" in it.reason_zh:
            assert f"今晚已卖{sold[p.product_id]}件" in it.reason_zh
        if "预算内" in it.reason_zh:
            assert slots.budget_max is not None and p.price <= slots.budget_max
            claims.add("budget")
        if slots.color and (f"comes in {slots.color}" in it.reason_en
                            or f"{slots.color} in your size" in it.reason_en):
            assert "你要的" in it.reason_zh or it.reason_zh.startswith("有")
            claims.add("color")
            assert any(s.stock > 0 and color_family(s.color) == slots.color for s in p.skus)
        if "适合送" in it.reason_zh:
            claims.add("recipient")
            assert any("妈妈" in t or "长辈" in t or "中老年" in t for t in (*p.tags, p.title))


def test_reasons_are_present_and_true():
    rec = fitted()
    rec.add_interactions([Interaction("douyin:b1", "D3", "purchased", None, 10.0, "tonight"),
                          Interaction("douyin:b2", "D3", "purchased", None, 11.0, "tonight"),
                          Interaction("douyin:b3", "T1", "purchased", None, 12.0, "tonight")])
    claims: set[str] = set()
    for slots in (Slots(), Slots(size="M", color="black"), Slots(budget_max=Decimal("200")),
                  Slots(recipient="mother"), Slots(height_cm=160, weight_kg=50, color="red")):
        for viewer in ("douyin:new", viewer_key("douyin", 0), viewer_key("douyin", 1)):
            res = rec.recommend(viewer, slots, k=3, session_id="tonight")
            assert res.items
            _check_reasons_true(rec, res, slots, "tonight", claims)
    assert claims == {"size", "top", "budget", "color", "recipient"}  # every claim was checked


def test_co_interaction_reason_is_true():
    rec = fitted()
    data = history()
    by_title = {p.title: p.product_id for p in rec.catalog}
    said = 0
    for v in range(30):
        vk = viewer_key("douyin", v)
        for it in rec.recommend(vk, k=4).items:
            if "感兴趣的人也看中了它" not in it.reason_zh:
                continue
            title = it.reason_zh.split("对「")[1].split("」")[0]
            other = by_title[title]
            assert other in rec.history(vk)
            users = lambda pid: {x.viewer_key for x in data if x.product_id == pid} - {vk}
            shared = users(other) & users(it.product_id)
            assert len(shared) >= 2
            assert len(shared) >= 0.1 * len(users(it.product_id))
            said += 1
    assert said > 0


def test_specific_reason_texts():
    rec = fitted()
    rec.add_interactions([Interaction("douyin:b1", "D3", "purchased", None, 10.0, "tonight"),
                          Interaction("douyin:b2", "D3", "purchased", None, 11.0, "tonight")])
    res = rec.recommend("douyin:new", Slots(size="M", color="black"), k=1, session_id="tonight")
    assert _ids(res) == ["D3"]
    assert res.items[0].reason_zh == "你要的黑色M码有货、今晚销量领先(已卖2件)"
    assert res.items[0].reason_en == "black in your size (M) is in stock, tonight's top seller (2 sold)"
    # a tie for the top is not called a lead
    rec.add_interactions([Interaction("douyin:b3", "T1", "purchased", None, 12.0, "tonight"),
                          Interaction("douyin:b4", "T1", "purchased", None, 13.0, "tonight")])
    res = rec.recommend("douyin:new", Slots(budget_max=Decimal("130")), k=2, session_id="tonight")
    for it in res.items:
        assert "领先" not in it.reason_zh
    assert {it.reason_zh for it in res.items} == {"129元，在预算内、今晚已卖2件", "29元，在预算内、今晚已卖2件"}
    res = rec.recommend("douyin:new", Slots(recipient="mother"), k=2, session_id="tonight")
    assert _ids(res) == ["C2", "P1"] or _ids(res) == ["P1", "C2"]
    assert all("适合送妈妈" in it.reason_zh for it in res.items)
    # size M is not in stock for the red D1 -> no 你的码 claim, only what is true
    res = rec.recommend("douyin:new", Slots(color="red", size="S"), k=3)
    d1 = next(it for it in res.items if it.product_id == "D1")
    assert d1.reason_zh.startswith("你要的红色S码有货")


# ----------------------------------------------------------------------------- refit


class ManualExecutor(concurrent.futures.Executor):
    """An executor that records what it is given and runs it only when told (the real
    ``Executor`` interface: ``submit`` returns a ``Future``)."""

    def __init__(self):
        self.submitted: list[concurrent.futures.Future] = []
        self._pending: list[tuple] = []

    def submit(self, fn, /, *args, **kwargs):
        fut = concurrent.futures.Future()
        self.submitted.append(fut)
        self._pending.append((fut, fn, args, kwargs))
        return fut

    def run_pending(self) -> int:
        n = 0
        while self._pending:
            fut, fn, args, kwargs = self._pending.pop(0)
            fut.set_running_or_notify_cancel()
            try:
                fut.set_result(fn(*args, **kwargs))
            except BaseException as exc:  # noqa: BLE001 - handed to the future like the real one
                fut.set_exception(exc)
            n += 1
        return n


class FakeClock:
    def __init__(self, t: float = 1000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


def _live(n: int, start: int = 0) -> list[Interaction]:
    pids = ["D1", "D2", "D3", "T1", "P1", "C2", "S1"]
    return [Interaction(f"douyin:live{i % 13}", pids[i % len(pids)], "asked", None, float(i),
                        "live") for i in range(start, start + n)]


def test_refit_is_due_by_count_and_runs_on_the_given_executor_one_at_a_time():
    clock = FakeClock()
    rec = HybridRecommender(shop(), svd_factors=4, refit_every=10, refit_every_s=600.0,
                            clock=clock)
    rec.add_interactions(history(10))
    ex = ManualExecutor()
    assert rec.refit_due()  # never fitted, has history
    fut = rec.refit_async(ex)
    assert fut is ex.submitted[0] and not rec.fitted  # submitted, not run: nothing blocks
    assert rec.refit_async(ex) is None and rec.refit_if_due(ex) is None  # one at a time
    assert ex.run_pending() == 1 and fut.result() > 0 and rec.fitted
    first = rec._snapshot
    assert first.n_interactions == rec.n_interactions
    for it in _live(9):  # below the count: no refit however many checks
        rec.add_interactions([it])
        assert rec.refit_if_due(ex) is None
    rec.add_interactions(_live(1, 9))
    assert rec.refit_due()
    second = rec.refit_if_due(ex)
    assert second is not None and len(ex.submitted) == 2
    for it in _live(25, 10):  # while that refit is pending: no second one is queued
        rec.add_interactions([it])
        assert rec.refit_if_due(ex) is None
    res = rec.recommend(viewer_key("douyin", 2), k=3)  # served from the old snapshot meanwhile
    assert len(res.items) == 3 and rec._snapshot is first
    ex.run_pending()
    assert rec._snapshot is not first and rec._snapshot.n_interactions == rec.n_interactions
    # the refit covered the 25 that came while it waited: nothing is due again
    assert not rec.refit_due() and len(ex.submitted) == 2


def test_refit_is_due_by_time_only_when_something_new_arrived():
    clock = FakeClock()
    rec = HybridRecommender(shop(), svd_factors=4, refit_every=1000, refit_every_s=60.0,
                            clock=clock)
    rec.add_interactions(history(10))
    ex = ManualExecutor()
    rec.refit_async(ex)
    ex.run_pending()
    clock.t += 120.0
    assert not rec.refit_due()  # time passed but nothing new: a refit would change nothing
    rec.add_interactions(_live(3))
    assert rec.refit_if_due(ex) is not None  # stale for over 60 s and new ones waiting
    ex.run_pending()
    rec.add_interactions(_live(3, 3))
    clock.t += 59.0
    assert rec.refit_if_due(ex) is None  # 3 new, but neither 1000 of them nor 60 s since
    clock.t += 1.0
    fut = rec.refit_if_due(ex)
    assert fut is not None and len(ex.submitted) == 3
    ex.run_pending()
    assert rec._snapshot.n_interactions == rec.n_interactions and not rec.refit_due()


def test_failed_refit_keeps_the_previous_snapshot(monkeypatch):
    rec = fitted()
    first = rec._snapshot
    ex = ManualExecutor()

    def boom(*a, **k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(rec, "_build_snapshot", boom)
    rec.add_interactions(_live(5))
    fut = rec.refit_async(ex)
    ex.run_pending()
    assert fut.result() is None and rec._snapshot is first
    assert len(rec.recommend("douyin:live1", k=3).items) == 3


def test_refit_knobs_are_checked():
    with pytest.raises(ValueError):
        HybridRecommender(shop(), refit_every=0)
    with pytest.raises(ValueError):
        HybridRecommender(shop(), refit_every_s=0.0)


# ----------------------------------------------------------------------------- stage


class Recorder:
    def __init__(self):
        self.events = []

    def on_event(self, e):
        self.events.append(e)


def _intent(i, uid, text, intent, slots=Slots(), source="comment"):
    return IntentClassified(t=float(i), msg_id=f"m{i}", viewer=Viewer("douyin", uid, "x"),
                            text=text, lang="zh", intent=intent, confidence=0.9,
                            uncertain=False, slots=slots, source=source)


def test_stage_records_interactions_and_emits_recommendations():
    store = SqliteStore(":memory:")
    rec = fitted()
    stage = RecommendationStage(rec, store=store, k=2, session_id="live-1", clock=lambda: 1234.0)
    out = Recorder()

    async def run():
        p = Pipeline([stage], [out], session_id="live-1")
        await p.start()
        for e in [
            _intent(1, "u9", "两百以内", "chitchat", Slots(budget_max=Decimal("200"))),
            _intent(2, "u9", "3号多少钱", "price", Slots(listing_number=3)),
            _intent(3, "u9", "8号链接怎么拍", "purchase_intent", Slots(listing_number=8)),
            _intent(4, "u9", "已拍8号", "purchase_intent", Slots(listing_number=8)),
            _intent(5, "host", "3号链接", "price", Slots(listing_number=3), source="host_speech"),
            _intent(6, "u9", "送妈妈买哪个好", "recommendation_request", Slots(recipient="mother")),
        ]:
            await p.publish(e)
        await p.stop()

    asyncio.run(run())
    stored = [(i.viewer_key, i.product_id, i.kind, i.at, i.session_id) for i in store.interactions()]
    assert stored == [("douyin:u9", "D3", "asked", 1234.0, "live-1"),
                      ("douyin:u9", "T1", "link_clicked", 1234.0, "live-1"),
                      ("douyin:u9", "T1", "purchased", 1234.0, "live-1")]
    ready = [e for e in out.events if isinstance(e, RecommendationsReady)]
    assert len(ready) == 1
    r = ready[0]
    assert r.msg_id == "m6" and r.viewer.uid == "u9" and r.t == 6.0
    assert len(r.items) == 2
    assert r.method == "hybrid"  # live history makes the viewer known to the item-item model
    cat = rec.catalog
    for it in r.items:
        assert cat.get(it.product_id).price <= 200  # the budget said earlier still holds
        assert it.product_id != "T1"  # already bought
    assert {it.product_id for it in r.items} == {"C2", "P1"}  # labelled for mothers / elders
    assert rec.session_popularity.purchases("live-1") == {"T1": 1}


def test_stage_uses_the_product_being_presented_when_none_is_named():
    store = SqliteStore(":memory:")
    rec = fitted()
    stage = RecommendationStage(rec, store=store, clock=lambda: 5.0)
    out = Recorder()

    async def run():
        p = Pipeline([stage], [out], session_id="live-2")
        await p.start()
        await p.publish(_intent(1, "u1", "多少钱", "price"))  # nothing presented yet: no record
        await p.drain()
        await p.publish(NowSellingChanged(t=2.0, product_id="D2"))
        await p.drain()
        await p.publish(_intent(3, "u1", "多少钱", "price"))
        await p.publish(_intent(4, "u1", "拍了拍了", "purchase_intent"))
        await p.publish(_intent(5, "u1", "有没有类似的", "recommendation_request",
                                Slots(product_mentions=("NOPE",), listing_number=99)))
        await p.stop()

    asyncio.run(run())
    assert [(i.product_id, i.kind, i.session_id) for i in store.interactions()] == [
        ("D2", "asked", "live-2"), ("D2", "purchased", "live-2")]
    ready = [e for e in out.events if isinstance(e, RecommendationsReady)]
    assert len(ready) == 1 and len(ready[0].items) == 3
    assert "D2" not in {it.product_id for it in ready[0].items}  # bought just now


def test_stage_after_purchase_suggestions_are_optional():
    for flag, want in ((False, 0), (True, 1)):
        rec = fitted()
        stage = RecommendationStage(rec, suggest_after_purchase=flag)
        out = Recorder()

        async def run():
            p = Pipeline([stage], [out], session_id="live-3")
            await p.start()
            await p.publish(_intent(1, "u5", "3号拍了", "purchase_intent", Slots(listing_number=3)))
            await p.publish(_intent(2, "u5", "3号怎么买", "purchase_intent", Slots(listing_number=3)))
            await p.stop()

        asyncio.run(run())
        ready = [e for e in out.events if isinstance(e, RecommendationsReady)]
        assert len(ready) == want
        if ready:
            assert ready[0].msg_id == "m1" and "D3" not in {i.product_id for i in ready[0].items}
        assert rec.history("douyin:u5") == {"D3": 4.0}


def test_stage_refits_on_the_pipelines_recommend_fit_executor():
    rec = HybridRecommender(shop(), svd_factors=4)
    rec.add_interactions(history())
    threads: list[str] = []
    build = rec._build_snapshot

    def spy(*a, **k):
        threads.append(threading.current_thread().name)
        return build(*a, **k)

    rec._build_snapshot = spy
    stage = RecommendationStage(rec)

    async def run():
        p = Pipeline([stage], [Recorder()], session_id="live-4")
        await p.start()  # never fitted, has history: the stage submits the first fit
        await p.stop()  # waits (off the loop) for that refit to finish

    asyncio.run(run())
    assert rec.fitted
    # the validation fit and the full fit, both on the pipeline's single-thread executor
    assert threads and all(t.startswith("livehost-recommend-fit") for t in threads), threads


def test_stage_schedules_refits_by_count_never_per_message():
    rec = HybridRecommender(shop(), svd_factors=8, refit_every=3, refit_every_s=3600.0)
    rec.add_interactions(history())
    rec.fit()
    ex = ManualExecutor()
    stage = RecommendationStage(rec, fit_executor=ex)

    async def run():
        p = Pipeline([stage], [Recorder()], session_id="live-5")
        await p.start()
        assert ex.submitted == []  # already fitted: nothing to do at start
        for i in range(1, 3):
            await p.publish(_intent(i, f"u{i}", "3号多少钱", "price", Slots(listing_number=3)))
        await p.drain()
        assert ex.submitted == []  # 2 new interactions < 3
        await p.publish(_intent(3, "u3", "3号多少钱", "price", Slots(listing_number=3)))
        await p.drain()
        assert len(ex.submitted) == 1  # the third: one refit submitted, not run yet
        for i in range(4, 12):
            await p.publish(_intent(i, f"u{i}", "8号多少钱", "price", Slots(listing_number=8)))
        await p.drain()
        assert len(ex.submitted) == 1  # at most one at a time, however many messages came
        ex.run_pending()
        await p.publish(_intent(12, "u12", "8号多少钱", "price", Slots(listing_number=8)))
        await p.drain()
        assert len(ex.submitted) == 1  # the refit covered the 8 that waited; 1 new < 3
        ex.run_pending()
        await p.stop()

    asyncio.run(run())
    assert rec._snapshot.n_interactions == rec.n_interactions - 1


def test_stage_timer_starts_a_refit_when_time_is_up():
    rec = HybridRecommender(shop(), svd_factors=8, refit_every=1000, refit_every_s=0.2)
    rec.add_interactions(history())
    rec.fit()
    ex = ManualExecutor()
    stage = RecommendationStage(rec, fit_executor=ex)

    async def run():
        p = Pipeline([stage], [Recorder()], session_id="live-6")
        await p.start()
        await asyncio.sleep(0.3)
        assert ex.submitted == []  # time is up, but nothing new: no refit
        await p.publish(_intent(1, "u1", "3号多少钱", "price", Slots(listing_number=3)))
        await p.drain()
        for _ in range(200):  # the timer (every 0.05 s) submits once the 0.2 s are up
            if ex.submitted:
                break
            await asyncio.sleep(0.05)
        assert len(ex.submitted) == 1
        ex.run_pending()
        await p.stop()

    asyncio.run(run())
    assert rec._snapshot.n_interactions == rec.n_interactions


def test_merge_slots_keeps_sticky_values():
    a = Slots(budget_max=Decimal("200"), size="M", listing_number=3, product_mentions=("D1",))
    b = Slots(color="red")
    m = merge_slots(a, b)
    assert m.budget_max == Decimal("200") and m.size == "M" and m.color == "red"
    assert m.listing_number is None and m.product_mentions == ()
    assert merge_slots(a, Slots(size="L")).size == "L"


def test_size_system():
    assert size_system("m") == "letter" and size_system("2XL") == "letter"
    assert size_system("38") == "number" and size_system("标准") is None
    assert size_system("1.5m床") is None


# ----------------------------------------------------------------------------- CLI


def _write_catalog(path: Path, catalog: Catalog) -> None:
    from app.catalog.importer import write_catalog_csv

    write_catalog_csv(catalog, path)


def test_cli_recommend_prints_reasons(tmp_path, capsys):
    from app.cli import main as _main

    def main(argv):
        return _main(["recommend", *argv])

    _write_catalog(tmp_path / "c.csv", shop())
    write_interactions_csv(tmp_path / "i.csv", history())
    code = main(["--viewer", "douyin:new", "--budget", "200", "--size", "M", "--color", "黑",
                 "--catalog", str(tmp_path / "c.csv"), "--interactions", str(tmp_path / "i.csv"),
                 "--json", "--k", "2"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["slots"]["color"] == "black"
    assert [x["product_id"] for x in data["items"]] == ["D3", "D1"]
    assert data["items"][0]["reason_zh"].startswith("你要的黑色M码有货")
    code = main(["--viewer", "new", "--catalog", str(tmp_path / "c.csv"),
                 "--interactions", str(tmp_path / "i.csv")])
    assert code == 0
    text = capsys.readouterr().out
    assert "douyin:new (new viewer); method popularity" in text
    assert text.count("号]") == 3


def test_cli_reads_live_interactions_from_the_database(tmp_path, capsys):
    from app.cli import main as _main

    def main(argv):
        return _main(["recommend", *argv])

    _write_catalog(tmp_path / "c.csv", shop())
    write_interactions_csv(tmp_path / "i.csv", history())
    db = tmp_path / "livehost.db"
    store = SqliteStore(db)
    store.add_interactions([Interaction("douyin:fan", "D3", "purchased", None, 5.0, "live")])
    store.close()
    args = ["--viewer", "douyin:fan", "--catalog", str(tmp_path / "c.csv"),
            "--interactions", str(tmp_path / "i.csv"), "--json", "--k", "8"]
    assert main(args) == 0
    before = json.loads(capsys.readouterr().out)
    assert before["known_interactions"] == 0 and "D3" in [x["product_id"] for x in before["items"]]
    assert main(args + ["--db", str(db)]) == 0
    after = json.loads(capsys.readouterr().out)
    assert after["known_interactions"] == 1 and after["method"] == "hybrid"
    assert "D3" not in [x["product_id"] for x in after["items"]]  # bought live
    assert main(args + ["--db", str(tmp_path / "nope.db")]) == 1  # unusable input
    assert "No LiveHost database" in capsys.readouterr().err


def test_cli_errors_are_reported(tmp_path, capsys):
    from app.cli import main as _main

    def main(argv):
        return _main(["recommend", *argv])

    assert main(["evaluate", "--interactions", str(tmp_path / "missing.csv")]) == 1
    assert "Cannot read the interactions file" in capsys.readouterr().err


def test_recipient_sex_filters_marked_products():
    """A gift for 男朋友 never lists products the seller titled for women (and vice versa)."""
    from app.catalog.importer import load_catalog
    from app.events import Slots
    from app.recommend.content import recipient_excludes
    from app.recommend.recommender import HybridRecommender
    from app.replay import DEMO_CATALOG

    cat = load_catalog(DEMO_CATALOG).catalog
    rec = HybridRecommender(cat, seed=0)
    for who, banned in (("boyfriend", "女"), ("mother", "男")):
        items = rec.recommend("douyin:new", Slots(recipient=who), k=10).items
        titles = [cat.get(i.product_id).title for i in items]
        assert titles and not any(banned in t and not t.startswith("婴童") for t in titles), titles
    dress = next(p for p in cat if "连衣裙" in p.title)
    assert recipient_excludes(dress, "boyfriend") and not recipient_excludes(dress, "mother")
