"""Facts answers: sensitive questions held by class, FAQ answers repeated, food facts,
missing facts held with the fact named, shipping answers only what was asked (three verticals)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.catalog.importer import load_catalog
from app.dialogue.facts import match_faq, to_english
from app.dialogue.sensitive import efficacy_claim, sensitive_reason
from app.reply.composer import ReplyComposer
from app.reply.guard import FactGuard
from app.understanding.slots import Slots

_CJK = re.compile(r"[\u4e00-\u9fff]")
DATA = Path(__file__).parent / "data" / "catalogs"


def _catalog(name: str):
    return load_catalog(str(DATA / f"{name}.csv")).catalog


@pytest.fixture(scope="module")
def cosmetics():
    return _catalog("cosmetics")


@pytest.fixture(scope="module")
def food():
    return _catalog("food")


@pytest.fixture(scope="module")
def mall():
    return _catalog("mall")


@pytest.mark.parametrize("text,reason", [
    ("这个能祛痘吗", "health"), ("孕期可以用吗", "pregnancy"), ("三岁小孩能吃吗", "children"),
    ("我对酒精过敏", "allergy"), ("保真吗，是正品吗", "authenticity"), ("可以开专票吗", "invoice"),
    ("支持花呗分期吗", "payment"), ("will it help my eczema", "health"), ("safe while breastfeeding?", "pregnancy"),
    ("is this a counterfeit", "authenticity"), ("can I get a receipt", "invoice"), ("do you take credit cards", "payment"),
])
def test_sensitive_classes(text, reason):
    assert sensitive_reason(text) == reason


@pytest.mark.parametrize("text", ["多少钱", "降价了吗", "有黑色吗", "which size for 170cm", "发什么快递"])
def test_ordinary_questions_are_not_sensitive(text):
    assert sensitive_reason(text) is None


def test_sensitive_held_even_with_a_product(cosmetics):
    c = ReplyComposer(cosmetics)
    p = cosmetics.products[0]
    d = c.compose("product_detail", Slots(), "zh", text="孕妇可以用这个吗", product=p, nickname="小美")
    assert d.held_reason == "sensitive: pregnancy"
    d = c.compose("price", Slots(), "en", text="is it genuine", product=p)
    assert d.held_reason == "sensitive: authenticity"


def test_efficacy_claim_is_held_by_the_guard(cosmetics):
    assert efficacy_claim("这款能祛痘哦") is not None
    assert efficacy_claim("不能治疗疾病") is None
    assert efficacy_claim("it cures acne") is not None
    g = FactGuard(cosmetics).check("这款精华可以祛痘", ())
    assert not g.ok and any("efficacy" in x for x in g.problems)


def test_product_faq_spoken(cosmetics):
    c = ReplyComposer(cosmetics)
    p = next(p for p in cosmetics.products if p.faq_answer("白天能用吗"))
    d = c.compose("product_detail", Slots(), "zh", text="这个白天可以用吗", product=p)
    assert d.held_reason == ""
    assert p.faq_answer("白天能用吗") in d.text


def test_faq_about_another_fact_not_used(mall):
    # the shop FAQ 运费 (shipping fee) does not answer who pays return shipping
    c = ReplyComposer(mall)
    p = mall.products[0]
    d = c.compose("after_sales", Slots(), "zh", text="退货运费谁出", product=p)
    assert mall.faq_answer("运费") not in d.text


def test_match_faq_short_key_must_appear():
    from app.catalog.model import FaqEntry

    entries = (FaqEntry("保质期", "60天"), FaqEntry("甜吗", "微甜"))
    assert match_faq(entries, "这个保质期多久呀").answer == "60天"
    assert match_faq(entries, "发什么快递") is None


def test_food_facts_from_columns(food):
    c = ReplyComposer(food)
    p = next(p for p in food.products if p.production_date)
    d = c.compose("product_detail", Slots(), "zh", text="生产日期是哪天", product=p)
    assert p.production_date in d.text and d.held_reason == ""
    p = next(p for p in food.products if p.storage)
    d = c.compose("after_sales", Slots(), "zh", text="怎么保存", product=p)
    assert p.storage in d.text


def test_missing_fact_held_with_its_name(mall, food):
    c = ReplyComposer(mall)
    p = next(p for p in mall.products if "T恤" in p.title and p.faq_answer("起球吗"))
    d = c.compose("product_detail", Slots(), "zh", text="这件会起球吗", product=p)
    assert d.held_reason == "" and p.faq_answer("起球吗") in d.text  # the seller answered once
    p = next(p for p in mall.products if not p.faq_answer("起球吗") and not mall.faq_answer("起球吗"))
    d = c.compose("product_detail", Slots(), "zh", text="这件会起球吗", product=p)
    assert d.held_reason == "missing_fact: pilling"
    ipad = next(p for p in mall.products if "iPad" in p.title)
    d = c.compose("product_detail", Slots(), "zh", text="支持手写笔吗", product=ipad)
    assert d.held_reason == "missing_fact: 手写笔"
    c = ReplyComposer(food)
    p = food.products[0]
    d = c.compose("product_detail", Slots(), "zh", text="是今年的新茶吗", product=p)
    assert d.held_reason == "missing_fact: harvest year"


def test_courier_question_gets_the_courier_only(cosmetics):
    c = ReplyComposer(cosmetics)
    p = cosmetics.products[0]
    d = c.compose("shipping", Slots(), "zh", text="发什么快递", product=p)
    assert p.shipping.courier in d.text and p.shipping.ships_from not in d.text
    d = c.compose("shipping", Slots(), "en", text="which courier", product=p)
    assert not _CJK.search(d.text) and "Express" in d.text
    d = c.compose("shipping", Slots(), "en", text="where do you ship from", product=p)
    assert not _CJK.search(d.text) and to_english("ships from", p.shipping.ships_from) in d.text


def test_english_values():
    assert to_english("courier", "顺丰") == "SF Express"
    assert to_english("shelf life", "3年") == "3 years"
    assert to_english("ships from", "杭州") == "Hangzhou"
    assert to_english("storage", "阴凉干燥处") == "in a cool, dry place"  # the goods glossary
    assert to_english("storage", "放在奶奶家的地窖") is None  # words outside it: held, not guessed


def test_restock_question_is_held_as_missing_fact_not_answered_with_stock(mall):
    """'When will it be restocked' asks a date no catalog column holds: held, never a stock count."""
    product = next(p for p in mall.products if p.skus)
    comp = ReplyComposer(mall)
    for text, lang in (("这个什么时候补货", "zh"), ("when will the black one be restocked", "en")):
        d = comp.compose("stock", Slots(), lang, text=text, product=product)
        assert d is not None and d.held_reason == "missing_fact: restock date", (text, d)
        assert not re.search(r"\d", d.text), d.text  # no stock count said


@pytest.mark.parametrize("text, on_air_word", [("什么面料", "印花T恤"), ("这个是什么料子", "花纹T恤")])
def test_without_a_material_column_the_selling_point_about_the_fabric_answers(mall, text, on_air_word):
    from tests.test_answers_resolution import _reply

    p = next(x for x in mall if x.short_name == on_air_word)
    assert not p.material
    point = next(sp for sp in p.selling_points if "面料" in sp)
    r = _reply(mall, text, "product_detail", on_air=p.listing_number)
    assert r.product_id == p.product_id and not r.held_reason and point in r.text


def test_a_feature_token_asked_is_answered_from_the_sellers_phrase_or_held(mall):
    from tests.test_answers_resolution import _reply

    tv = next(p for p in mall if "4K" in p.title and p.listing_number is not None)
    phrase = next(x for x in tv.title.split() if "4K" in x)
    r = _reply(mall, "是4K的吗", "product_detail", on_air=tv.listing_number, uncertain=True)
    assert not r.held_reason and phrase in r.text  # the seller's own words carry the feature asked
    for asked in ("8K", "5G"):
        assert asked not in tv.title
        r = _reply(mall, f"是{asked}的吗", "product_detail", on_air=tv.listing_number)
        assert (r.held_reason, r.held_detail) == ("missing_fact", asked.lower())
        assert phrase not in r.text  # no boilerplate in place of an answer


def test_a_phone_model_the_product_on_air_comes_in_is_answered_even_when_the_intent_is_unsure():
    from tests.test_answers_frames import _catalog
    from tests.test_answers_resolution import _reply

    phones = _catalog("tests/data/catalogs/phones.csv")
    film = phones.by_listing(12)
    (sku,) = [s for s in film.skus if any(v.replace(" ", "") == "Mate50" for v in s.values)]
    r = _reply(phones, "Mate50能用吗", "product_detail", on_air=12, uncertain=True)
    assert not r.held_reason and f"{sku.stock}件" in r.text


def test_an_alias_without_its_packaging_word_names_the_product():
    from tests.test_answers_frames import _catalog
    from tests.test_answers_resolution import _reply

    food = _catalog("tests/data/catalogs/food.csv")
    p = next(x for x in food if "冰粽礼盒" in x.aliases)
    r = _reply(food, "冰粽怎么保存", "product_detail")
    assert r.product_id == p.product_id and not r.held_reason and p.storage in r.text


def test_how_many_flavours_is_answered_from_the_sellers_own_phrase():
    from tests.test_answers_frames import _catalog
    from tests.test_answers_resolution import _reply

    food = _catalog("tests/data/catalogs/food.csv")
    p = food.by_listing(6)
    assert not p.skus or len({v for s in p.skus for v in s.values}) < 2  # no flavour variants to list
    point = next(sp for sp in p.selling_points if "口味" in sp)
    r = _reply(food, "几种口味的粽子", "product_detail", on_air=6)
    assert r.product_id == p.product_id and not r.held_reason and point in r.text


def test_a_content_question_about_a_percentage_in_the_products_name():
    from tests.test_answers_frames import _catalog
    from tests.test_answers_resolution import _reply

    food = _catalog("tests/data/catalogs/food.csv")
    choc = next(p for p in food if "巧克力" in p.title and "%" in p.title)
    pct = re.search(r"\d+%", choc.title).group(0)
    r = _reply(food, "黑巧可可含量多少", "product_detail")
    assert r.product_id == choc.product_id and not r.held_reason and f"可可含量{pct}" in r.text
    r = _reply(food, "cocoa percentage?", "product_detail", on_air=choc.listing_number, lang="en")
    assert not r.held_reason and f"{pct} cocoa" in r.text
    r = _reply(food, "可可脂含量多少", "product_detail", on_air=choc.listing_number)  # 可可脂 is not in the name
    assert r.held_reason == "missing_fact"


@pytest.mark.parametrize("text, lang, on_air", [("what are the ingredients", "en", 9), ("配料是什么", "zh", 9)])
def test_an_attribute_question_read_as_chitchat_is_held_as_a_missing_fact_not_ignored(text, lang, on_air):
    from tests.test_answers_frames import _catalog
    from tests.test_answers_resolution import _reply

    food = _catalog("tests/data/catalogs/food.csv")
    r = _reply(food, text, "chitchat", lang=lang, on_air=on_air)
    assert r.held_reason == "missing_fact" and r.product_id == food.by_listing(on_air).product_id


def test_how_big_a_product_is_gets_its_size_option_not_its_material():
    from tests.test_answers_frames import _catalog
    from tests.test_answers_resolution import _reply

    demo = _catalog("assets/demo/catalog.csv")
    duvet = next(p for p in demo if "驼绒" in p.title)
    size = next(sp for sp in duvet.selling_points if re.search(r"\d+\s*[*x×]\s*\d+", sp))
    r = _reply(demo, "驼绒被多大", "product_detail")
    assert r.product_id == duvet.product_id and size in r.text and duvet.material not in r.text
    r = _reply(demo, "牛仔裤160 47kg穿多大", "size_fit")  # 穿多大 asks the size to take
    assert "码" in r.text
