"""The grounding benchmark: its grader (hand-made records against hand-made questions over the
small test catalog) and its question sets (valid against the catalogs they name)."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from app.catalog.importer import load_catalog
from app.events import ChatReceived, SetNowSelling
from app.sources.replay import ReplayChatSource
from bench.grounding import (
    NICKNAMES, ProductNames, Question, QuestionSet, QuestionSetError, Grader, fact_present, load_set,
    matching_products, session_lines, tally, validate_set, write_session,
)

REPO = Path(__file__).resolve().parents[1]
SETS = sorted((REPO / "bench" / "questions").glob("*.jsonl"))


def _q(text, expect, *, type="price", lang="zh", ref="listing", now_selling=None, qid="q1"):
    return Question(id=qid, lang=lang, text=text, now_selling=now_selling, type=type, ref=ref, expect=expect)


def _rec(reply, *, product_id=None, held_reason=None, approved_by="auto", nickname="小鱼"):
    if held_reason:
        approved_by = None
    return {"reply": reply, "product_id": product_id, "held_reason": held_reason, "approved_by": approved_by,
            "nickname": nickname, "intent": "price", "no_reply_reason": None if reply else "no_intent"}


@pytest.fixture
def grader(catalog):
    return Grader(catalog)


PRICE_P1 = {"outcome": "answer", "product_ids": ["P1"], "facts": ["59.9"], "forbid": ["39"]}


# ------------------------------------------------------------------------------ matching

def test_numbers_ranges_and_sizes_are_matched_as_such():
    assert fact_present("59.9", "到手59.90元")
    assert fact_present("59.9", "一共五十九点九块")
    assert not fact_present("59.9", "159.9元")
    assert not fact_present("59", "59.9元")
    assert fact_present("2-4", "一般两到四天到") and fact_present("2-4", "arrives in 2 to 4 days")
    assert fact_present("2-4", "2~4天") and not fact_present("2-4", "2天发货，4号到")
    assert fact_present("XL", "建议XL码") and not fact_present("XL", "建议2XL码")
    assert fact_present("M", "size M should fit") and not fact_present("M", "Medium")
    assert fact_present("re:(?<!不)包邮", "包邮哦") and not fact_present("re:(?<!不)包邮", "不包邮哦")
    assert fact_present("7", "seven-day returns") and fact_present("中通", "发中通")
    assert fact_present("insurance", "Return shipping INSURANCE included")


def test_product_mentions_by_title_alias_and_listing_reference(catalog):
    names = ProductNames(catalog)
    assert names.mentioned("「纯棉圆领T恤」59.9元") == {"P1"}
    assert names.mentioned("Cotton crew-neck T-shirt is 59.9 yuan") == {"P1"}
    assert names.mentioned("看看5号链接") == {"P2"}
    assert names.mentioned("#8 and no. 3") == {"P1", "P3"}
    assert names.mentioned("加厚纯棉浴巾和陶瓷马克杯") == {"P2", "P3"}
    # a bare 3号 the viewer wrote (a shoe size, say) is the viewer's number, not a listing reference
    assert names.mentioned("平时穿3号", question="我平时穿3号") == set()
    assert names.mentioned("平时穿3号", question="多少钱") == {"P1"}
    # two-character aliases (T恤, 短袖) and 99号 (no such listing) name nothing
    assert names.mentioned("短袖T恤都有，99号没有") == set()


# ------------------------------------------------------------------------------- grading

def test_right_product_and_all_facts_is_correct(grader):
    g = grader.grade(_q("3号多少钱", PRICE_P1), _rec("小鱼，「纯棉圆领T恤」到手59.9元，原价99元", product_id="P1"))
    assert (g.verdict, g.wrong_spoken, g.facts_found, g.facts_total) == ("correct", False, 1, 1)
    assert g.spoken and not g.held


def test_missing_facts_and_off_topic_are_partial(grader):
    q = _q("3号白色M还有吗", {"outcome": "answer", "product_ids": ["P1"], "facts": ["12", "白色"]}, type="stock")
    g = grader.grade(q, _rec("「纯棉圆领T恤」白色M码有货", product_id="P1"))
    assert g.verdict == "partial" and g.reasons == ("missing: 12",) and (g.facts_found, g.facts_total) == (1, 2)
    q2 = _q("发什么快递", {"outcome": "answer", "product_ids": ["P1"], "facts": ["中通"], "off_topic": ["杭州"]},
            type="shipping", ref="now_selling", now_selling=3)
    g2 = grader.grade(q2, _rec("发中通，从杭州发货", product_id="P1"))
    assert g2.verdict == "partial" and g2.reasons == ("off topic: 杭州",)
    assert grader.grade(q2, _rec("发中通哦", product_id="P1")).verdict == "correct"


def test_another_products_facts_are_wrong_and_spoken_unless_held(grader):
    q = _q("3号多少钱", PRICE_P1)
    spoken = grader.grade(q, _rec("「加厚纯棉浴巾」39元", product_id="P2"))
    assert spoken.verdict == "wrong" and spoken.wrong_spoken
    assert spoken.reasons[0] == "wrong product: P2" and "forbidden: 39" in spoken.reasons
    held = grader.grade(q, _rec("「加厚纯棉浴巾」39元", product_id="P2", held_reason="fact_guard"))
    assert held.verdict == "wrong" and not held.wrong_spoken and held.held


def test_unsupported_amount_days_and_courier_are_wrong(grader):
    q = _q("3号多少钱", {"outcome": "answer", "product_ids": ["P1"], "facts": ["59.9"]})
    g = grader.grade(q, _rec("「纯棉圆领T恤」59.9元，今天只要49元", product_id="P1"))
    assert g.verdict == "wrong" and g.reasons == ("unsupported amount: 49元",)
    q2 = _q("能退吗", {"outcome": "answer", "product_ids": ["P1"], "facts": ["7"]}, type="after_sales")
    assert grader.grade(q2, _rec("支持7天无理由", product_id="P1")).verdict == "correct"
    g2 = grader.grade(q2, _rec("支持7天无理由，15天内可换", product_id="P1"))
    assert g2.verdict == "wrong" and g2.reasons == ("unsupported days: 15",)
    q3 = _q("发什么快递", {"outcome": "answer", "product_ids": ["P1"], "facts": ["中通"]}, type="shipping")
    g3 = grader.grade(q3, _rec("发中通或者顺丰", product_id="P1"))
    assert g3.verdict == "wrong" and g3.reasons == ("unsupported courier: 顺丰",)
    # a courier the viewer named may be repeated ("不发顺丰，发中通")
    q4 = _q("发顺丰吗", {"outcome": "answer", "product_ids": ["P1"], "facts": ["中通"]}, type="shipping")
    assert grader.grade(q4, _rec("不发顺丰哦，发中通", product_id="P1")).verdict == "correct"


def test_held_or_clarifying_reply_to_an_answerable_question_is_no_answer(grader):
    q = _q("3号多少钱", PRICE_P1)
    held = grader.grade(q, _rec("「纯棉圆领T恤」59.9元", product_id="P1", held_reason="uncertain_intent"))
    assert held.verdict == "no_answer" and held.held and not held.wrong_spoken
    assert grader.grade(q, _rec(None)).verdict == "no_answer"
    assert grader.grade(q, None).verdict == "no_answer"
    asked_back = grader.grade(q, _rec("想问的是几号链接呀？"))
    assert asked_back.verdict == "no_answer" and not asked_back.wrong_spoken


def test_denying_a_product_the_shop_sells_is_wrong(grader):
    g = grader.grade(_q("3号多少钱", PRICE_P1), _rec("直播间没有这个商品哦"))
    assert g.verdict == "wrong" and g.wrong_spoken and g.reasons == ("denied a product the shop sells",)


def test_not_sold_honest_or_held_is_correct_and_other_products_are_wrong(grader):
    q = _q("有口红吗", {"outcome": "no_such_product", "product_ids": [], "facts": [], "absent": ["口红"]},
           type="not_sold", ref="none", now_selling=3)
    assert grader.grade(q, _rec("宝宝，直播间暂时没有口红哦")).verdict == "correct"
    assert grader.grade(q, _rec("sorry, we don't have lipstick")).verdict == "correct"
    assert grader.grade(q, _rec(None, held_reason="uncertain_intent")).verdict == "correct"
    wrong = grader.grade(q, _rec("「纯棉圆领T恤」59.9元", product_id="P1"))
    assert wrong.verdict == "wrong" and wrong.wrong_spoken
    assert set(wrong.reasons) == {"other product: P1", "unsupported amount: 59.9元"}
    # a price without a name is still another product's fact
    assert grader.grade(q, _rec("这款59.9元", product_id="P1")).verdict == "wrong"
    vague = grader.grade(q, _rec("宝宝想看哪款"))
    assert vague.verdict == "no_answer" and not vague.wrong_spoken


def test_held_question_answered_on_air_is_wrong_spoken(grader):
    q = _q("能开发票吗", {"outcome": "held", "product_ids": ["P1"], "facts": []}, type="sensitive",
           ref="now_selling", now_selling=3)
    boiler = grader.grade(q, _rec("包邮，发中通，付款后2天内发货", product_id="P1"))
    assert boiler.verdict == "wrong" and boiler.wrong_spoken
    assert boiler.reasons == ("answered where the seller must decide",)
    deferred = grader.grade(q, _rec("这个我请主播确认一下", product_id="P1"))
    assert deferred.verdict == "partial" and not deferred.wrong_spoken
    held_ok = grader.grade(q, _rec("稍等，这个请主播确认", product_id="P1", held_reason="missing_fact: invoice"))
    assert held_ok.verdict == "correct" and held_ok.held
    held_boiler = grader.grade(q, _rec("支持7天无理由退换", product_id="P1", held_reason="uncertain_intent"))
    assert held_boiler.verdict == "partial" and held_boiler.held
    held_false = grader.grade(q, _rec("可以开，满100元送券", product_id="P1", held_reason="uncertain_intent"))
    assert held_false.verdict == "wrong" and not held_false.wrong_spoken
    assert grader.grade(q, _rec(None, held_reason="missing_fact: invoice")).verdict == "correct"


def test_comparison_names_both_products_and_may_state_the_difference(grader):
    q = _q("3号和8号哪个便宜", {"outcome": "answer", "product_ids": ["P1", "P3"], "facts": ["59.9", "29.9"],
                            "match": "set"}, type="comparison")
    ok = grader.grade(q, _rec("8号「陶瓷马克杯」29.9元，比3号59.9元便宜30元", product_id="P3"))
    assert ok.verdict == "correct"
    half = grader.grade(q, _rec("8号「陶瓷马克杯」29.9元更便宜", product_id="P3"))
    assert half.verdict == "partial"
    other = grader.grade(q, _rec("看看5号「加厚纯棉浴巾」39元", product_id="P2"))
    assert other.verdict == "wrong" and other.wrong_spoken


def test_nickname_is_not_graded_as_reply_text(grader):
    q = _q("3号多少钱", PRICE_P1)
    g = grader.grade(q, _rec("陶瓷马克杯迷，「纯棉圆领T恤」59.9元", product_id="P1", nickname="陶瓷马克杯迷"))
    assert g.verdict == "correct"


def test_tally_counts_verdicts_and_wrong_spoken(grader):
    q = _q("3号多少钱", PRICE_P1)
    grades = [grader.grade(q, _rec("「纯棉圆领T恤」59.9元", product_id="P1")),
              grader.grade(q, _rec("「加厚纯棉浴巾」39元", product_id="P2")),
              grader.grade(q, _rec("「加厚纯棉浴巾」39元", product_id="P2", held_reason="fact_guard")),
              grader.grade(q, None)]
    c = tally(("price", g) for g in grades)["price"]
    assert c == {"n": 4, "correct": 1, "partial": 0, "wrong": 2, "no_answer": 1, "wrong_spoken": 1, "held": 1}


# -------------------------------------------------------------------------- question sets

@pytest.fixture(scope="module")
def demo():
    qset = load_set(REPO / "bench" / "questions" / "demo.jsonl")
    return qset, load_catalog(qset.catalog_path).catalog


@pytest.mark.parametrize("path", SETS, ids=[p.name for p in SETS])
def test_every_question_set_is_valid_against_its_catalog(path):
    qset = load_set(path)
    assert qset.catalog_path.is_relative_to(REPO) and qset.catalog_path.is_file()
    catalog = load_catalog(qset.catalog_path).catalog
    assert validate_set(qset, catalog) == []


def test_demo_set_covers_every_class(demo):
    qset, catalog = demo
    qs = qset.questions
    assert 180 <= len(qs) <= 240
    zh = sum(q.lang == "zh" for q in qs) / len(qs)
    assert 0.70 <= zh <= 0.80
    types = Counter(q.type for q in qs)
    assert all(types[t] >= 8 for t in ("price", "stock", "size_fit", "shipping", "after_sales", "product_detail",
                                       "discount", "comparison", "not_sold", "no_listing", "budget",
                                       "recommendation", "faq_missing", "sensitive")), types
    refs = Counter(q.ref for q in qs)
    assert all(refs[r] >= 8 for r in ("listing", "title", "alias", "title_en", "category", "now_selling")), refs
    assert sum(q.lang == "en" for q in qs if q.type == "shipping") >= 4
    assert Counter(q.outcome for q in qs)["held"] >= 16
    # the product on air is named by neither number nor name, yet it is the right product
    on_air = [q for q in qs if q.ref == "now_selling"]
    assert all(q.product_ids == (catalog.by_listing(q.now_selling).product_id,) for q in on_air)
    # every way of writing a listing number the viewers use
    texts = " ".join(q.text for q in qs)
    for form in ("号链接", "#19", "21#", "二号", "链接7", "第8个链接", "no 5", "link 33", "三十一号"):
        assert form in texts, form
    # a budget: every product in stock at or under it, and only those
    fifty = next(q for q in qs if q.text == "50块以内有啥")
    assert sorted(fifty.product_ids) == sorted(p.product_id for p in catalog if p.price <= 50 and p.total_stock > 0)


def test_validation_catches_facts_stock_sizes_absent_items_and_listings(demo):
    qset, catalog = demo
    by_id = {q.id: q for q in qset.questions}

    def errors(qid, **expect):
        q = by_id[qid]
        broken = replace(q, expect={**q.expect, **expect})
        return validate_set(replace(qset, questions=(broken,)), catalog)

    assert any("fact '59.9' is no value" in e for e in errors("zh-price-01", facts=["59.9"]))
    assert any("stock of 黑色/L is 93" in e for e in errors("zh-stock-01", facts=["92"]))
    assert any("the fitting size M is not in facts" in e for e in errors("zh-size_fit-01", facts=["L"]))
    assert any("need exactly one" in e for e in errors("zh-size_fit-01", body={"height_cm": 158, "weight_kg": 47}))
    assert any("'开衫' is in the catalog" in e for e in errors("zh-not_sold-01", absent=["开衫"]))
    assert any("listing 3 does exist" in e for e in errors("zh-no_listing-01", missing_listing=3))
    assert any("constraint matches" in e for e in errors("zh-budget-01", constraint={"max_price": 40}))
    assert any("unknown product id" in e for e in errors("zh-price-01", product_ids=["nope"]))
    assert any("listing 3 is not one of" in e for e in errors("zh-price-02", listing=[3]))
    dup = validate_set(replace(qset, questions=qset.questions[:2] + (qset.questions[0],)), catalog)
    assert any("duplicate id" in e for e in dup) and any("duplicate text" in e for e in dup)


def test_matching_products_applies_every_constraint(catalog):
    assert matching_products(catalog, {"max_price": 40}) == ["P2", "P3"]
    assert matching_products(catalog, {"max_price": 40, "categories": ["浴巾"]}) == ["P2"]
    assert matching_products(catalog, {"color": "粉色"}) == []          # 粉色 浴巾 is sold out
    assert matching_products(catalog, {"color": "白色", "size": "L"}) == []
    assert matching_products(catalog, {"color": "白色", "size": "M"}) == ["P1"]
    assert matching_products(catalog, {"tags_any": ["夏季"], "categories_any": ["餐具"]}) == ["P1", "P3"]


def test_load_set_reports_bad_lines(tmp_path):
    meta = json.dumps({"type": "meta", "catalog": "assets/demo/catalog.csv"})
    ok = json.dumps({"id": "a", "lang": "zh", "text": "多少钱", "type": "price", "expect": {"outcome": "answer"}})
    cases = {
        "no meta": ([ok], "line 1: the first line must be the meta line"),
        "bad json": ([meta, "{oops"], "line 2: not valid JSON"),
        "missing": ([meta, json.dumps({"id": "a", "text": "x"})], "line 2: missing lang, type, expect"),
        "no outcome": ([meta, json.dumps({"id": "a", "lang": "zh", "text": "x", "type": "price", "expect": {}})],
                       "line 2: 'expect' must be an object with 'outcome'"),
    }
    for name, (lines, msg) in cases.items():
        p = tmp_path / f"{name}.jsonl"
        p.write_text("\n".join(lines) + "\n", encoding="utf-8")
        with pytest.raises(QuestionSetError) as exc:
            load_set(p)
        assert exc.value.code == "question-set-invalid" and msg in exc.value.message, name
    with pytest.raises(QuestionSetError):
        load_set(tmp_path / "missing.jsonl")
    p = tmp_path / "good.jsonl"
    p.write_text(meta + "\n" + ok + "\n", encoding="utf-8")
    qs = load_set(p, catalog=REPO / "tests" / "nowhere.csv")
    assert qs.catalog_path == REPO / "tests" / "nowhere.csv" and qs.questions[0].line == 2


def test_session_file_is_read_by_the_replay_source(demo, tmp_path):
    qset, _ = demo
    path = write_session(qset, tmp_path / "s.jsonl")
    lines = session_lines(qset)
    assert lines[0]["type"] == "session"
    comments = [o for o in lines if o["type"] == "comment"]
    assert sorted(o["id"] for o in comments) == sorted(q.id for q in qset.questions)
    assert len({o["uid"] for o in comments}) == len(comments)
    assert not any(ch.isdigit() for n in NICKNAMES for ch in n)
    # nothing on air first; then every question right after its own now_selling line
    ns = {q.id: q.now_selling for q in qset.questions}
    first_on_air = next(i for i, o in enumerate(comments) if ns[o["id"]] is not None)
    assert all(ns[o["id"]] is None for o in comments[:first_on_air])
    assert all(ns[o["id"]] is not None for o in comments[first_on_air:])
    for i, o in enumerate(lines):
        if o["type"] == "comment" and ns[o["id"]] is not None:
            assert lines[i - 1] == {"t": o["t"] - 1.0, "type": "now_selling", "listing_number": ns[o["id"]]}
    evs = list(ReplayChatSource(path).iter_events())
    chats = [e for e in evs if isinstance(e, ChatReceived)]
    assert [(c.msg_id, c.text) for c in chats] == [(o["id"], o["text"]) for o in comments]
    assert sum(isinstance(e, SetNowSelling) for e in evs) == sum(v is not None for v in ns.values())


def test_bench_runs_a_set_through_the_real_pipeline(tmp_path):
    """Three questions through the real replay: each graded on its own record (matched by
    message id), the figures written to --json add up."""
    from bench.bench_grounding import main

    lines = [{"type": "meta", "name": "tiny", "catalog": "assets/demo/catalog.csv"},
             {"id": "t-price", "lang": "zh", "text": "3号链接多少钱", "now_selling": None, "type": "price",
              "ref": "listing", "expect": {"outcome": "answer", "product_ids": ["demo-dress-02"], "facts": ["159.9"]}},
             {"id": "t-nosuch", "lang": "zh", "text": "99号链接还有吗", "now_selling": 5, "type": "no_listing",
              "ref": "listing", "expect": {"outcome": "no_such_product", "missing_listing": 99}},
             {"id": "t-held", "lang": "en", "text": "is this authentic", "now_selling": 15, "type": "sensitive",
              "ref": "now_selling", "expect": {"outcome": "held", "product_ids": ["demo-coat-01"]}}]
    s = tmp_path / "tiny.jsonl"
    s.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in lines), encoding="utf-8")
    out = tmp_path / "fig.json"
    assert main(["--set", str(s), "--json", str(out), "--out", str(tmp_path / "run")]) == 0
    fig = json.loads(out.read_text(encoding="utf-8"))
    assert [q["id"] for q in fig["questions"]] == ["t-price", "t-nosuch", "t-held"]
    records = {json.loads(x)["msg_id"]: json.loads(x)
               for x in (tmp_path / "run" / "tiny" / "replay" / "replies.jsonl").read_text(encoding="utf-8").splitlines()}
    qset = load_set(s)
    grader = Grader(load_catalog(qset.catalog_path).catalog)
    for q, row in zip(qset.questions, fig["questions"]):
        rec = records[q.id]
        assert rec["text"] == q.text and row["reply"] == rec["reply"]
        assert row["verdict"] == grader.grade(q, rec).verdict
    assert fig["total"]["n"] == 3
    assert sum(fig["total"][v] for v in ("correct", "partial", "wrong", "no_answer")) == 3
    assert fig["by_lang"]["zh"]["n"] == 2 and fig["by_lang"]["en"]["n"] == 1


def test_bench_reports_an_invalid_set_and_stops(tmp_path, capsys):
    from bench.bench_grounding import main

    s = tmp_path / "bad.jsonl"
    s.write_text(json.dumps({"type": "meta", "catalog": "assets/demo/catalog.csv"}) + "\n"
                 + json.dumps({"id": "b", "lang": "zh", "text": "3号多少", "type": "price",
                               "expect": {"outcome": "answer", "product_ids": ["demo-dress-02"], "facts": ["59.9"]}})
                 + "\n", encoding="utf-8")
    assert main(["--set", str(s)]) == 1
    assert "question-set-invalid" in capsys.readouterr().out


# --------------------------------------------------- variants by any option, FAQ, food facts

def _variant_catalog():
    """A phone by colour and capacity, a case by colour and phone model, tea by weight (250 g
    sold out), a food FAQ, a free gift and the shop's FAQ: the facts the vertical sets ask about."""
    from decimal import Decimal as D

    from app.catalog.model import AfterSales, Catalog, FaqEntry, Product, Shipping, Sku

    def sku(stock, price=None, **opts):
        return Sku(options=tuple(opts.items()), stock=stock, price=None if price is None else D(price))

    phone = Product(
        product_id="PH", listing_number=1, title="Apple iPhone 14 5G手机", short_name="iPhone 14",
        title_en="Apple iPhone 14", category="手机通讯", price=D("5999"),
        skus=(sku(195, "5999", 颜色="午夜色", 容量="128G"), sku(200, "6899", 颜色="午夜色", 容量="256G"),
              sku(0, "5999", 颜色="紫色", 容量="128G")),
        shipping=Shipping(courier="京东物流", ships_from="深圳", dispatch_days=1, delivery_days="1-3"),
        after_sales=AfterSales(return_days=7, warranty="全国联保一年"), selling_points=("8天超长待机",),
        faq=(FaqEntry("支持5G吗", "支持5G"),))
    case = Product(
        product_id="CS", listing_number=2, title="磨砂防摔手机壳", short_name="防摔壳", category="手机壳",
        price=D("29.9"),
        skus=(sku(10, "34.9", 颜色="黑色", 适用机型="iPhone 14"), sku(0, "34.9", 颜色="透明", 适用机型="iPhone 14"),
              sku(21, None, 颜色="黑色", 适用机型="Mate 50"), sku(5, None, 颜色="透明", 适用机型="Mate 50")),
        shipping=Shipping(courier="中通", dispatch_days=1, delivery_days="3-5"),
        faq=(FaqEntry("支持无线充电吗", "支持，不影响无线充电"),))
    tea = Product(
        product_id="TEA", listing_number=3, title="高山乌龙茶 罐装", short_name="乌龙茶", category="茗茶",
        price=D("88"), unit="1罐", skus=(sku(0, None, 重量="250g"), sku(226, "168", 重量="500g")),
        suitable_for=("送礼", "办公室"), net_weight="250g / 500g", shelf_life="60天", production_date="2025-07-10",
        storage="密封，避光", shipping=Shipping(courier="顺丰", dispatch_days=1, delivery_days="3-5"),
        after_sales=AfterSales(return_days=0), faq=(FaqEntry("怎么泡", "90度水，5克茶叶冲泡3-5泡"),))
    gift = Product(product_id="GF", listing_number=4, title="试吃装（赠品）", category="赠品", price=D("0"),
                   free_gift=True, skus=(Sku(stock=100),))
    return Catalog((phone, case, tea, gift), faq=(FaqEntry("发票", "可以开电子普通发票"),
                                                   FaqEntry("运费", "满49元包邮，新疆除外"),
                                                   FaqEntry("快递", "手机发顺丰，配件发圆通或中通")))


@pytest.fixture
def vgrader():
    return Grader(_variant_catalog())


def test_every_variant_price_and_facts_written_in_the_row_are_supported(vgrader):
    q = _q("256G多少钱", {"outcome": "answer", "product_ids": ["PH"], "facts": ["6899"], "sku": {"容量": "256G"}})
    assert vgrader.grade(q, _rec("「iPhone 14」256G 6899元，128G 5999元", product_id="PH")).verdict == "correct"
    assert vgrader.grade(q, _rec("「iPhone 14」256G到手6899元，比128G贵900元", product_id="PH")).verdict == "correct"
    bad = vgrader.grade(q, _rec("「iPhone 14」256G 6899元，今天减500元", product_id="PH"))
    assert bad.verdict == "wrong" and bad.reasons == ("unsupported amount: 500元",)
    # days of a shelf life or a selling point, the shop FAQ's amount, 京东 for 京东物流
    q2 = _q("保质期多久", {"outcome": "answer", "product_ids": ["TEA"], "facts": ["60天"]}, type="food_facts")
    assert vgrader.grade(q2, _rec("乌龙茶保质期60天，满49元包邮", product_id="TEA")).verdict == "correct"
    q3 = _q("发什么快递", {"outcome": "answer", "product_ids": ["PH"], "facts": [], "any_of": [["京东"]]},
            type="shipping")
    assert vgrader.grade(q3, _rec("发京东，8天超长待机", product_id="PH")).verdict == "correct"
    assert vgrader.grade(q3, _rec("发顺丰", product_id="PH")).reasons == ("unsupported courier: 顺丰",
                                                                        "missing one of: 京东")[:1]


def test_a_variant_word_names_no_product_but_the_products_title_does(vgrader):
    q = _q("防摔壳iPhone 14款多少钱", {"outcome": "answer", "product_ids": ["CS"], "facts": ["34.9"],
                                   "sku": {"适用机型": "iPhone 14"}}, ref="alias")
    assert vgrader.grade(q, _rec("防摔壳iPhone 14款34.9元", product_id="CS")).verdict == "correct"
    wrong = vgrader.grade(q, _rec("「Apple iPhone 14 5G手机」5999元", product_id="CS"))
    assert wrong.verdict == "wrong" and "other product: PH" in wrong.reasons


def test_the_stock_of_another_variant_or_the_total_is_wrong(vgrader):
    q = _q("黑色iPhone 14的还有吗", {"outcome": "answer", "product_ids": ["CS"], "facts": ["10"],
                                 "sku": {"颜色": "黑色", "适用机型": "iPhone 14"}}, type="stock")
    assert vgrader.grade(q, _rec("黑色iPhone 14还有10件", product_id="CS")).verdict == "correct"
    total = vgrader.grade(q, _rec("防摔壳还有36件", product_id="CS"))
    assert total.verdict == "wrong" and total.reasons == ("wrong stock: 36 (the variant asked about has 10)",)
    # the colour's own stock (黑色: 31) is a fact about part of the variant, so not wrong; missing 10
    part = vgrader.grade(q, _rec("黑色还有31件", product_id="CS"))
    assert part.verdict == "partial"
    # both stated: a stock of some variant next to the asked one is fine
    assert vgrader.grade(q, _rec("黑色iPhone 14还有10件，Mate 50还有21件", product_id="CS")).verdict == "correct"
    denied = vgrader.grade(q, _rec("不好意思，没有黑色了", product_id="CS"))
    assert denied.verdict == "wrong" and "denied a variant that is in stock" in denied.reasons
    sold = _q("250g还有吗", {"outcome": "answer", "product_ids": ["TEA"], "facts": [], "any_of": [["没货", "售罄"]],
                             "sku": {"重量": "250g"}}, type="stock")
    assert vgrader.grade(sold, _rec("250g没货了，500g有", product_id="TEA")).verdict == "correct"
    assert vgrader.grade(sold, _rec("乌龙茶还有226件", product_id="TEA")).verdict == "wrong"


def test_a_model_the_product_does_not_come_in_may_name_the_product_but_not_a_restock(vgrader):
    q = _q("16promax能用吗", {"outcome": "no_such_product", "product_ids": ["CS"],
                           "no_variant": {"适用机型": "iPhone 16 Pro Max"}}, type="fit", ref="now_selling", now_selling=2)
    ok = vgrader.grade(q, _rec("防摔壳没有16 Pro Max的，有iPhone 14和Mate 50款", product_id="CS"))
    assert ok.verdict == "correct" and ok.spoken
    assert vgrader.grade(q, _rec("防摔壳34.9元，没有16 Pro Max款", product_id="CS")).verdict == "correct"
    restock = vgrader.grade(q, _rec("16 Pro Max款暂时没货，等补货", product_id="CS"))
    assert restock.verdict == "wrong" and restock.reasons == ("called a variant that does not exist sold out",)
    other = vgrader.grade(q, _rec("没有哦，看看「Apple iPhone 14 5G手机」", product_id="PH"))
    assert other.verdict == "wrong" and other.reasons == ("other product: PH",)
    # without product_ids (a product the shop does not sell), naming any product stays wrong
    q2 = _q("Mate 60有吗", {"outcome": "no_such_product", "product_ids": [], "absent": ["mate 60"]}, type="not_sold",
            ref="none")
    assert vgrader.grade(q2, _rec("没有Mate 60，有防摔壳29.9元")).verdict == "wrong"


def test_a_faq_answer_may_quote_the_couriers_of_the_shop_faq(vgrader):
    q = _q("你们发什么快递", {"outcome": "answer", "product_ids": ["CS"], "facts": ["中通"], "faq": "快递"},
           type="faq", ref="now_selling", now_selling=2)
    assert vgrader.grade(q, _rec("配件发圆通或中通", product_id="CS")).verdict == "correct"
    q2 = _q("发什么快递", {"outcome": "answer", "product_ids": ["CS"], "facts": ["中通"]}, type="shipping",
            ref="now_selling", now_selling=2)
    assert vgrader.grade(q2, _rec("配件发圆通或中通", product_id="CS")).reasons == ("unsupported courier: 圆通",)


def test_validation_of_option_skus_faq_entries_missing_variants_and_fit_constraints():
    cat = _variant_catalog()
    base = QuestionSet(path=Path("x.jsonl"), name="x", catalog_path=Path("x.csv"), questions=())

    def errors(text, expect, **kw):
        return validate_set(replace(base, questions=(_q(text, expect, **kw),)), cat)

    price = {"outcome": "answer", "product_ids": ["PH"], "facts": ["6899"], "sku": {"容量": "256G"}}
    assert errors("256G多少钱", price) == []
    assert any("the price of 256G is 6899" in e for e in errors("256G多少钱", {**price, "facts": ["5999"]}))
    assert any("sell at several prices" in e for e in errors("午夜色多少钱", {**price, "sku": {"颜色": "午夜色"}}))
    stock = {"outcome": "answer", "product_ids": ["CS"], "facts": ["10"], "sku": {"颜色": "黑色", "适用机型": "iPhone 14"}}
    assert errors("黑色14还有吗", stock, type="stock") == []
    assert any("stock of 黑色/iPhone 14 is 10" in e for e in errors("黑色14还有吗", {**stock, "facts": ["31"]}, type="stock"))
    assert any("sold out" in e for e in errors("透明14还有吗", {**stock, "facts": [], "sku": {"颜色": "透明", "适用机型": "iPhone 14"}},
                                               type="stock"))
    assert any("no SKU 黑色/Pixel 8" in e for e in errors("x", {**stock, "sku": {"颜色": "黑色", "适用机型": "Pixel 8"}},
                                                          type="stock"))
    faq = {"outcome": "answer", "product_ids": ["TEA"], "facts": ["90", "3-5"], "faq": "怎么泡"}
    assert errors("怎么泡", faq, type="faq") == []
    assert any("not in the FAQ answer" in e for e in errors("怎么泡", {**faq, "facts": ["80"]}, type="faq"))
    assert any("no FAQ entry" in e for e in errors("怎么泡", {**faq, "faq": "好喝吗"}, type="faq"))
    assert errors("能开发票吗", {"outcome": "answer", "product_ids": ["TEA"], "facts": ["电子"], "faq": "发票"}, type="faq") == []
    assert any("need expect.faq" in e for e in errors("怎么泡", {"outcome": "answer", "product_ids": ["TEA"], "facts": ["90"]},
                                                    type="faq"))
    nv = {"outcome": "no_such_product", "product_ids": ["CS"], "no_variant": {"适用机型": "iPhone 16 Pro Max"}}
    assert errors("16pm有吗", nv, type="fit") == []
    assert any("does have 适用机型 Mate50" in e for e in errors("mate50有吗", {**nv, "no_variant": {"适用机型": "Mate50"}},
                                                               type="fit"))
    # fit constraints: suitable_for, a variant's option value in stock; a free gift never matches; a
    # budget counts the price of a variant in stock (the 88 yuan 250 g tea is sold out)
    assert matching_products(cat, {"suitable_any": ["送礼"]}) == ["TEA"]
    assert matching_products(cat, {"fits": "mate50"}) == ["CS"]
    assert matching_products(cat, {"fits": "iPhone 14", "color": "透明"}) == []
    assert matching_products(cat, {"max_price": 100}) == ["CS"]
    assert matching_products(cat, {"max_price": 200, "categories": ["茗茶"]}) == ["TEA"]


def test_a_held_reply_that_quotes_the_faq_is_right_for_a_sensitive_question(vgrader):
    q = _q("能开发票吗", {"outcome": "held", "product_ids": ["TEA"], "facts": []}, type="sensitive",
           ref="now_selling", now_selling=3)
    assert vgrader.grade(q, _rec("可以开电子普通发票", product_id="TEA", held_reason="sensitive")).verdict == "correct"
    assert vgrader.grade(q, _rec("可以开电子普通发票", product_id="TEA")).verdict == "wrong"


VERTICAL = {"cosmetics": ("food_facts", "unit"), "food": ("food_facts", "unit"), "phones": (), "mall": ()}
"""The four vertical sets and the types their catalogs allow beyond the common ones."""


@pytest.mark.parametrize("name", sorted(VERTICAL))
def test_vertical_sets_cover_every_class_their_catalog_allows(name):
    qset = load_set(REPO / "bench" / "questions" / f"{name}.jsonl")
    catalog = load_catalog(qset.catalog_path).catalog
    assert qset.catalog_path == REPO / "tests" / "data" / "catalogs" / f"{name}.csv"
    qs = qset.questions
    assert 110 <= len(qs) <= 150
    assert 0.70 <= sum(q.lang == "zh" for q in qs) / len(qs) <= 0.80
    types = Counter(q.type for q in qs)
    need = ("price", "stock", "fit", "faq", "faq_missing", "sensitive", "not_sold", "comparison") + VERTICAL[name]
    assert all(types[t] >= 8 for t in need), types
    assert types["budget"] + types["recommendation"] >= 8 and types["no_listing"] >= 3
    assert Counter(q.outcome for q in qs)["held"] >= 16
    # every way of writing a listing number, in both languages
    texts = [q.text for q in qs if q.ref == "listing"]
    for rx in (r"^\d+号", r"#\d+", r"\d+#", r"链接\d+", r"[一二三四五六七八九十]+号", r"\bno \d+", r"\bnumber \d+"):
        assert any(re.search(rx, t) for t in texts), rx
    # per-variant prices and the stock of the exact variant, by options other than colour/size
    assert sum(1 for q in qs if q.type == "price" and "sku" in q.expect) >= 4
    assert sum(1 for q in qs if q.type == "stock" and "sku" in q.expect) >= 8
    # FAQ answers are the catalog's, sensitive questions are held even where a FAQ answers them
    assert all(catalog.faq_answer(q.expect["faq"], catalog.get(q.product_ids[0]) if len(q.product_ids) == 1 else None)
               for q in qs if "faq" in q.expect)
    # English questions as complete as Chinese: courier, ships-from, warranty or ingredients
    en = [q for q in qs if q.lang == "en"]
    assert {"shipping", "after_sales", "product_detail", "faq", "sensitive", "not_sold", "stock", "price"} <= {q.type for q in en}
    assert sum(q.type == "shipping" for q in en) >= 3
