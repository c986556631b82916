"""The vertical test catalogs in tests/data/catalogs (cosmetics, food, phones, mall): they load,
hold what their shop needs, round-trip, and the composer, fact guard, slot extractor and
recommender accept them."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from app.catalog.importer import load_catalog, write_catalog_csv
from app.catalog.serialize import catalog_from_json, catalog_to_json

DATA = Path(__file__).resolve().parent / "data" / "catalogs"
NAMES = ("cosmetics", "food", "phones", "mall")
BANNED = ("最", "第一", "国家级", "顶级", "绝对", "全网", "神器", "唯一")


def _load(name):
    return load_catalog(DATA / f"{name}.csv")


@pytest.fixture(scope="module")
def catalogs():
    return {n: _load(n) for n in NAMES}


def _gtin_ok(code: str) -> bool:
    digits = [int(c) for c in code]
    check = (10 - sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits[:-1])) % 10) % 10
    return check == digits[-1]


@pytest.mark.parametrize("name", NAMES)
def test_catalog_loads_whole_with_listing_numbers_1_to_n(catalogs, name):
    res = catalogs[name]
    cat = res.catalog
    assert res.skipped == () and 15 <= len(cat) <= 40
    assert [p.listing_number for p in cat] == list(range(1, len(cat) + 1))
    assert all(p.demo_data for p in cat)
    assert len({p.product_id for p in cat}) == len(cat)
    assert (DATA / f"{name}_provenance.csv").is_file()
    assert [line.split(",")[0] for line in
            (DATA / f"{name}_provenance.csv").read_text(encoding="utf-8").splitlines()[1:]] == \
        [p.product_id for p in cat]
    for p in cat:
        assert p.title and p.short_name and p.title_en and p.category and p.skus, p.product_id
        assert p.shipping.courier and p.after_sales.return_days is not None
        assert p.price > 0 or p.free_gift
        for text in (p.title, p.short_name, p.script, *p.selling_points,
                     *(e.answer for e in p.faq)):
            assert not any(b in text for b in BANNED), (p.product_id, text)
        spoken = {Decimal(x) for x in re.findall(r"(\d+(?:\.\d+)?)元", p.script)}
        allowed = {p.price, p.min_price, *([p.original_price] if p.original_price else [])}
        assert spoken <= allowed, (p.product_id, spoken)


@pytest.mark.parametrize("name", NAMES)
def test_shop_faq_answers_the_usual_questions(catalogs, name):
    cat = catalogs[name].catalog
    for q in ("运费", "快递", "退货", "发票"):
        assert cat.faq_answer(q), (name, q)
    assert f"shop FAQ: {len(cat.faq)} entries from {name}.faq.csv" in catalogs[name].notes


@pytest.mark.parametrize("name", NAMES)
def test_round_trips(catalogs, tmp_path, name):
    cat = catalogs[name].catalog
    write_catalog_csv(cat, tmp_path / f"{name}.csv")
    again = load_catalog(tmp_path / f"{name}.csv").catalog
    assert again.products == cat.products and again.faq == cat.faq
    assert catalog_from_json(json.loads(json.dumps(catalog_to_json(cat), ensure_ascii=False))) == cat


def test_cosmetics_have_volumes_shades_and_skin_types(catalogs):
    cat = catalogs["cosmetics"].catalog
    volume = [p for p in cat if p.option_names == ("容量",)]
    assert len(volume) >= 3 and all(p.has_variant_prices for p in volume)
    for p in volume:  # the product price is the lowest volume's
        assert p.price == min(s.price for s in p.skus)
    assert any(p.option_names == ("色号",) for p in cat)
    assert any(len(p.option_names) == 2 and p.has_variant_prices for p in cat)
    skin = {s for p in cat for s in p.suitable_for}
    assert {"干皮", "油皮", "敏感肌"} <= skin
    assert sum(1 for p in cat if p.net_weight and p.shelf_life) >= 15
    assert sum(1 for p in cat if not p.has_variants) >= 5
    assert any(p.free_gift and p.price == 0 for p in cat)


def test_food_has_food_facts_on_every_row(catalogs):
    cat = catalogs["food"].catalog
    for p in cat:
        assert p.net_weight and p.shelf_life and p.storage, p.product_id
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", p.production_date), p.production_date
        assert p.faq_answer("保质期") == p.shelf_life
    assert sum(1 for p in cat if not p.has_variants) >= 10
    tea = [p for p in cat if p.category == "茗茶" and p.has_variant_prices]
    assert tea and any(p.option_values("重量") == ("250g", "500g") for p in tea)
    oolong = next(p for p in tea if p.option_names == ("重量",))
    small, big = oolong.skus_matching(重量="250g")[0], oolong.skus_matching(重量="500g")[0]
    assert oolong.price_for(small) == oolong.price < oolong.price_for(big)
    assert len({p.category for p in cat}) >= 6


def test_phones_vary_by_model_with_their_own_prices(catalogs):
    cat = catalogs["phones"].catalog
    phones = [p for p in cat if p.category == "手机通讯"]
    assert len(phones) >= 6
    for p in phones:
        assert p.option_names == ("颜色", "容量") and p.has_variant_prices and p.colors
        assert all(s.barcode for s in p.skus)
    by_model = [p for p in cat if "适用机型" in p.option_names]
    assert len(by_model) >= 4
    sold_models = {m for p in by_model for m in p.option_values("适用机型")}
    titles = " ".join(f"{p.title} {p.short_name}" for p in phones)
    for m in sold_models:  # accessories fit the phones this shop sells
        assert m.split()[-1] in titles, m
    case = next(p for p in by_model if p.option_names == ("颜色", "适用机型") and p.has_variant_prices)
    black = case.skus_matching(颜色="黑色")
    assert len(black) >= 3 and len({case.price_for(s) for s in black}) >= 2
    codes = [s.barcode for p in cat if p.product_id.startswith("acc-") for s in p.skus if s.barcode]
    assert codes and all(len(c) == 13 and _gtin_ok(c) for c in codes)


def test_mall_keeps_the_dump_specs(catalogs):
    cat = catalogs["mall"].catalog
    names = {n for p in cat for n in p.option_names}
    assert {"颜色", "容量", "尺寸", "风格", "屏幕尺寸", "内存", "型号", "版本", "系列"} <= names
    shoes = [p for p in cat if p.option_names == ("颜色", "尺寸", "风格")]
    assert shoes and all(s.size and s.color and s.option("风格") for p in shoes for s in p.skus)
    # shoes share colour and size across seasons: only the label tells the SKUs apart
    assert any(len({(s.color, s.size) for s in p.skus}) < len(p.skus) for p in shoes)
    tvs = [p for p in cat if "屏幕尺寸" in p.option_names]
    assert tvs and all(s.size == "" for p in tvs for s in p.skus)
    assert all(s.price is not None and s.barcode for p in cat for s in p.skus)
    assert sum(1 for p in cat if p.has_variant_prices) >= 12


@pytest.mark.parametrize("name", NAMES)
def test_composer_guard_slots_and_recommender_accept_the_catalog(catalogs, name):
    from app.events import Slots
    from app.recommend.recommender import HybridRecommender
    from app.reply.composer import ReplyComposer
    from app.reply.guard import FactGuard
    from app.understanding.slots import SlotExtractor

    cat = catalogs[name].catalog
    comp, guard = ReplyComposer(cat, seed=1), FactGuard(cat)
    for p in cat:
        d = comp.compose("price", Slots(listing_number=p.listing_number), "zh", product=p)
        if p.free_gift:  # a free gift is said to be one, never "0元"
            assert "赠品" in d.text and "0元" not in d.text, d.text
        else:
            assert format(p.price.normalize(), "f") in d.text, d.text
        assert guard.check(d.text, d.product_ids).ok, d.text
        d = comp.compose("stock", Slots(listing_number=p.listing_number), "zh", product=p)
        assert guard.check(d.text, d.product_ids).ok, d.text
        assert str(p.total_stock) in d.text or p.total_stock == 0, d.text
    slots = SlotExtractor(cat).extract(f"{cat.products[2].listing_number}号链接还有吗")
    assert slots.listing_number == cat.products[2].listing_number
    budget = sorted(p.price for p in cat)[len(cat) // 2]
    result = HybridRecommender(cat).recommend("douyin:u1", Slots(budget_max=budget), k=3)
    assert result.items
    for item in result.items:
        p = cat.get(item.product_id)
        assert p.price <= budget and p.total_stock > 0, item


@pytest.mark.parametrize("name", ("mall", "cosmetics"))
def test_store_keeps_skus_that_share_colour_and_size(catalogs, tmp_path, name):
    from app.store.sqlite import SqliteStore

    store = SqliteStore(tmp_path / "s.sqlite3")
    try:
        store.save_catalog(catalogs[name].catalog)
        back = store.load_catalog()
        assert back.products == catalogs[name].catalog.products
        assert back.faq == catalogs[name].catalog.faq
    finally:
        store.close()
