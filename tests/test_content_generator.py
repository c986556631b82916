"""The built-in generator: every number and name in generated text is a fact of that product,
named by the fields each clause keeps; variants differ; lengths fit the target; offer lines."""
import re
from decimal import Decimal
from pathlib import Path

import pytest
from rapidfuzz import fuzz

from app.catalog.importer import load_catalog
from app.content.generator import PLANS, IntroGenerator
from app.content.timing import speech_seconds, speech_units, zh_chars_per_second
from app.reply.guard import BANNED_WORDS, FactGuard

REPO = Path(__file__).resolve().parents[1]
CATALOGS = [REPO / "assets" / "demo" / "catalog.csv",
            *(REPO / "tests" / "data" / "catalogs" / f"{n}.csv" for n in ("cosmetics", "food", "phones", "mall"))]
NUM = re.compile(r"\d+(?:\.\d+)?")


def _numbers_of(text: str) -> set[Decimal]:
    return {Decimal(n).normalize() for n in NUM.findall(text)}


def field_numbers(p, field: str) -> set[Decimal]:
    """The numbers a catalog field of ``p`` holds, read straight from the product (what a clause
    naming that field may say)."""
    sh, af = p.shipping, p.after_sales
    values: list[object] = {
        "listing_number": [p.listing_number],
        "title": [p.title], "short_name": [p.short_name], "title_en": [p.title_en], "brand": [p.brand],
        "price": [p.price, *(s.price for s in p.skus)],
        "original_price": [p.original_price],
        "skus": [p.total_stock, *(s.stock for s in p.skus), *(s.price for s in p.skus),
                 *(s.original_price for s in p.skus), *(v for s in p.skus for v in s.values)],
        "stock": [p.total_stock], "options": [], "options_en": [v for pair in p.labels_en for v in pair],
        "unit": [p.unit], "material": [p.material], "material_en": [p.material_en],
        "selling_points": list(p.selling_points), "selling_points_en": list(p.selling_points_en),
        "suitable_for": list(p.suitable_for), "net_weight": [p.net_weight], "shelf_life": [p.shelf_life],
        "production_date": [p.production_date], "storage": [p.storage],
        "courier": [sh.courier], "ships_from": [sh.ships_from], "dispatch_days": [sh.dispatch_days],
        "delivery_days": [sh.delivery_days], "free_shipping": [], "free_shipping_exceptions": [],
        "return_days": [af.return_days], "return_shipping_paid_by": [], "warranty": [af.warranty],
        "faq": [x for e in p.faq for x in (e.question, e.answer)], "size_chart": [],
        "free_gift": [p.price],
    }[field]
    out: set[Decimal] = set()
    for v in values:
        if v is None:
            continue
        out |= _numbers_of(str(v)) if not isinstance(v, (int, Decimal)) else {Decimal(v).normalize()}
    return out


def _own_names(p) -> list[str]:
    return [n for n in (p.title, p.title_en, p.short_name, *p.aliases) if n and len(n) >= 2]


def _own_text(p) -> str:
    """Everything the seller wrote about ``p`` (a selling point may name another product's alias:
    外搭大衣好看)."""
    return " ".join((p.title, p.title_en, p.short_name, *p.aliases, p.material, *p.selling_points,
                     *p.selling_points_en, *p.suitable_for, *(x for e in p.faq for x in (e.question, e.answer)),
                     *(v for k in p.skus for v in k.values)))


@pytest.fixture(scope="module", params=CATALOGS, ids=lambda p: p.stem)
def catalog(request):
    return load_catalog(request.param).catalog


def test_every_number_and_name_is_a_fact_of_that_product(catalog):
    gen = IntroGenerator(catalog)
    guard = FactGuard(catalog)
    checked = 0
    for p in catalog:
        others = {n for q in catalog if q.product_id != p.product_id for n in _own_names(q)}
        own = _own_names(p) + [_own_text(p)]
        for lang in ("zh", "en"):
            texts = [(s.text, s.fields) for i in gen.introductions(p, lang, 3) for s in i.sentences]
            texts += [(o.text, o.fields) for o in gen.offer_lines(p, lang)]
            for text, fields in texts:
                assert fields, f"{p.product_id}: clause without fields: {text}"
                allowed = set().union(*(field_numbers(p, f) for f in fields))
                stray = _numbers_of(text) - allowed
                assert not stray, f"{p.product_id} {lang}: {sorted(stray)} not in fields {fields}: {text}"
                for w in BANNED_WORDS:
                    assert w not in text
                # another product's name appears only where this product's own catalog text has it
                for name in others:
                    if name in text:
                        assert any(name in mine for mine in own), f"{p.product_id}: names {name!r}: {text}"
                checked += 1
            for intro in gen.introductions(p, lang, 3):
                assert intro.held_reason == ""
                result = guard.check(intro.text, [p.product_id])
                assert result.ok, (intro.text, result.problems)
    assert checked > len(catalog) * 10


def test_the_name_said_is_the_products_own(catalog):
    gen = IntroGenerator(catalog)
    for p in catalog:
        zh = gen.introductions(p, "zh", 1)[0]
        opening = zh.sentences[0]
        assert opening.part == "opening"
        said = p.short_name if "short_name" in opening.fields else p.title
        assert said in opening.text and ("short_name" in opening.fields or "title" in opening.fields)
        if p.listing_number is not None:
            assert f"{p.listing_number}号链接" in opening.text
        en = gen.introductions(p, "en", 1)[0]
        if p.title_en:
            assert p.title_en in en.sentences[0].text and "title_en" in en.sentences[0].fields


def test_variants_differ_in_wording_and_order(catalog):
    gen = IntroGenerator(catalog)
    for p in list(catalog)[:12]:
        for lang in ("zh", "en"):
            intros = gen.introductions(p, lang, 3)
            assert len(intros) == 3
            assert len({i.text for i in intros}) == 3
            assert len({i.plan for i in intros}) == 3
            for a in range(3):
                for b in range(a + 1, 3):
                    assert fuzz.ratio(intros[a].text, intros[b].text) < 90, (intros[a].text, intros[b].text)
            orders = {tuple(dict.fromkeys(s.part for s in i.sentences)) for i in intros}
            # the order of the parts differs too (an English text with few facts may share one)
            assert len(orders) == 3 if lang == "zh" else len(orders) >= 2


def test_lengths_fit_the_target_at_the_configured_rate(catalog):
    for rate in (175, 240):
        gen = IntroGenerator(catalog, rate_wpm=rate, min_seconds=15, max_seconds=40)
        for p in catalog:
            for lang in ("zh", "en"):
                for i in gen.introductions(p, lang, 3):
                    assert 15 <= i.seconds <= 40, (rate, p.product_id, lang, i.seconds, i.text)
                    assert i.seconds == pytest.approx(speech_seconds(i.text, lang, rate), abs=0.01)


def test_fabe_order_in_the_classic_plan(catalog):
    gen = IntroGenerator(catalog)
    order = PLANS[0]
    for p in catalog:
        intro = gen.introductions(p, "zh", 1, plan=0)[0]
        ranks = [order.index(s.part) for s in intro.sentences]
        assert ranks == sorted(ranks)
        assert intro.sentences[-1].part == "call" and intro.sentences[0].part == "opening"


def test_offer_lines_say_the_price_and_the_units_left(catalog):
    gen = IntroGenerator(catalog, low_stock_units=20)
    for p in catalog:
        lines = gen.offer_lines(p, "zh")
        if p.skus and p.total_stock <= 0:
            assert lines == []
            continue
        countdown = [o for o in lines if o.kind == "countdown"]
        assert countdown and all("元" in o.text or p.free_gift for o in countdown)
        for o in (x for x in lines if x.kind == "low_stock"):
            assert 0 < o.units_left <= 20
            assert f"{o.units_left}件" in o.text
            if o.sku_label:
                assert p.sku(o.sku_label).stock == o.units_left
            else:
                assert p.total_stock == o.units_left


def test_low_stock_line_for_the_demo_cardigan():
    cat = load_catalog(CATALOGS[0]).catalog
    p = cat.get("mall-7")  # 雾霾蓝/XL has 3 left, the fewest of its in-stock variants
    lines = [o for o in IntroGenerator(cat).offer_lines(p, "zh") if o.kind == "low_stock"]
    assert lines[0].text == "雾霾蓝XL码只剩最后3件了" and lines[0].sku_label == "雾霾蓝/XL"
    assert [o.units_left for o in lines] == sorted(o.units_left for o in lines)


def test_variant_prices_are_said_per_variant():
    cat = load_catalog(CATALOGS[1]).catalog  # cosmetics: the serum is 129 / 189 by volume
    p = cat.get("cos-serum-01")
    texts = [i.text for i in IntroGenerator(cat).introductions(p, "zh", 3)]
    assert all("30ml是129元" in t and "50ml是189元" in t for t in texts)


def test_a_sold_out_product_is_not_sold():
    cat = load_catalog(CATALOGS[1]).catalog
    p = cat.get("cos-cream-01")  # every variant at 0
    assert p.total_stock == 0
    for i in IntroGenerator(cat).introductions(p, "zh", 3):
        assert "暂时没货" in i.text and "抓紧" not in i.text and "下单" not in i.text


def test_a_seller_text_with_a_banned_word_is_left_out():
    import dataclasses

    from app.catalog.model import Catalog, FaqEntry

    cat = load_catalog(CATALOGS[0]).catalog
    p = dataclasses.replace(cat.get("mall-7"), selling_points=("全网最低价", "内里拉毛，上身柔软"),
                            faq=(FaqEntry("起球吗", "不起球，第一次洗也不掉色"),))
    cat2 = Catalog(tuple(p if q.product_id == "mall-7" else q for q in cat))
    for i in IntroGenerator(cat2).introductions(p, "zh", 3):
        assert "最低" not in i.text and "第一" not in i.text and i.held_reason == ""


def test_speech_length_formula():
    # Chinese: one unit per character once numbers are written out; chars/s = rate/60 * factor
    text = "直播间价249元"  # -> 直播间价二百四十九元 = 10 characters
    assert speech_units(text, "zh") == 10
    assert speech_seconds(text, "zh", 175) == pytest.approx(10 / zh_chars_per_second(175))
    assert speech_seconds(text, "zh", 350) == pytest.approx(speech_seconds(text, "zh", 175) / 2)
    # English: words, a number counted as the words it is read as
    assert speech_units("It is 249 yuan", "en") == 3 + 4
    assert speech_units("139.9 yuan", "en") == 6 + 1
