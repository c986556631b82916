from decimal import Decimal

from app.reply.guard import FactGuard, safe_nickname, sanitize_spoken_text


def test_correct_price_passes(catalog):
    r = FactGuard(catalog).check("「纯棉圆领T恤」现在直播间价59.9元，原价99元", ["P1"])
    assert r.ok, r.problems


def test_wrong_price_is_rejected(catalog):
    r = FactGuard(catalog).check("「纯棉圆领T恤」现在直播间价49.9元", ["P1"])
    assert not r.ok
    assert r.problems == ("price 49.9 yuan is not a catalog price",)
    assert r.reason.startswith("fact_guard: ")


def test_price_of_another_product_is_rejected(catalog):
    # 39 is the towel's price, not the T-shirt's
    r = FactGuard(catalog).check("「纯棉圆领T恤」只要39元", ["P1"])
    assert not r.ok


def test_wrong_stock_is_rejected_and_right_stock_passes(catalog):
    g = FactGuard(catalog)
    assert g.check("「纯棉圆领T恤」白色M码还有12件", ["P1"]).ok
    bad = g.check("「纯棉圆领T恤」白色M码还有30件", ["P1"])
    assert bad.problems == ("stock count 30 is not in the catalog",)


def test_days_checked(catalog):
    g = FactGuard(catalog)
    assert g.check("付款后2天内发货，一般2到4天到，支持7天无理由退换", ["P1"]).ok
    assert not g.check("付款后5天内发货", ["P1"]).ok


def test_unknown_product_name_and_banned_words(catalog):
    g = FactGuard(catalog)
    r = g.check("「真丝连衣裙」是全网最便宜的", ["P1"])
    assert "product name '真丝连衣裙' is not in the catalog" in r.problems
    assert any(p.startswith("banned words") for p in r.problems)


def test_viewer_numbers_allowed(catalog):
    g = FactGuard(catalog)
    text = "身高165厘米、体重55公斤的话，「纯棉圆领T恤」建议选M码"
    assert not g.check(text, ["P1"]).ok
    assert g.check(text, ["P1"], (Decimal("165"), Decimal("55"))).ok


def test_sanitize_strips_markup_urls_zero_width_and_emoji():
    raw = "<b>小美</b>\u200b🔥 看 http://spam.example.com/x 好物\x07"
    assert sanitize_spoken_text(raw) == "小美 看 好物"
    assert not sanitize_spoken_text("<speak>hi").startswith("<")


def test_safe_nickname():
    assert safe_nickname("小美🌸") == "小美"
    assert safe_nickname("Lily2023") == "Lily"
    assert safe_nickname("加V看福利") is None
    assert safe_nickname("wx: abc123456") is None
    assert safe_nickname("www.spam.cn") is None
    assert safe_nickname("🔥🔥🔥") is None
    assert safe_nickname("这是一个特别特别特别长的昵称啊啊") is None
    assert safe_nickname("全网最低价") is None
    assert safe_nickname("a\u200bb") == "ab"


def test_every_demo_sales_script_passes_the_guard():
    from app.catalog.importer import load_catalog
    from app.replay import DEMO_CATALOG

    cat = load_catalog(DEMO_CATALOG).catalog
    g = FactGuard(cat)
    failures = {p.product_id: g.check(p.script, [p.product_id]).problems for p in cat if p.script}
    assert {k: v for k, v in failures.items() if v} == {}
    assert len(failures) == len(cat)


def test_the_stock_of_one_option_value_over_the_other_options_is_a_catalog_fact():
    from tests.test_answers_frames import _catalog

    mall = _catalog("tests/data/catalogs/mall.csv")
    tv = next(p for p in mall if len(p.skus) >= 4 and len(p.skus[0].options) == 2 and "英寸" in p.skus[0].values[0])
    size = tv.skus[0].values[0]
    total = sum(s.stock for s in tv.skus if s.values[0] == size)
    assert total not in {s.stock for s in tv.skus}
    g = FactGuard(mall)
    assert g.check(f"「{tv.spoken_name}」{size}还剩{total}件", [tv.product_id]).ok
    assert not g.check(f"「{tv.spoken_name}」{size}还剩{total + 7}件", [tv.product_id]).ok
