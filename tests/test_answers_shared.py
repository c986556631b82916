"""Several products a message may mean (issue 12, "resolution returns how sure it is"): when the
fact asked is the same for each of them the host says it once for all ("小米电视这两款发的是德邦"),
naming none of them as the one; when it differs the reply is held (the seller says which). A
free gift gives way to the product on sale ("面霜" is the cream, not its free sample). Events in ->
ReplySuggested out; every expected value is read from the catalog."""

import dataclasses

from app.catalog.model import Catalog
from tests.test_answers_frames import _catalog
from tests.test_answers_resolution import _reply



def _tvs(mall):
    tvs = [p for p in mall if p.title.startswith("小米电视")]
    assert len(tvs) == 2
    return tvs


def test_the_same_fact_for_both_products_is_said_once_for_both(mall):
    a, b = _tvs(mall)
    assert a.shipping.courier == b.shipping.courier
    r = _reply(mall, "小米电视发什么快递", "shipping")
    assert not r.held_reason and a.shipping.courier in r.text
    assert "两款" in r.text and a.title not in r.text and b.title not in r.text
    r = _reply(mall, "which courier ships the xiaomi tv", "shipping", lang="en")
    assert not r.held_reason and "both TVs" in r.text and "ship by" in r.text


def test_a_fact_that_differs_between_the_products_is_held(mall):
    a, b = _tvs(mall)
    assert a.price != b.price
    r = _reply(mall, "小米电视多少钱", "price")
    assert r.held_reason == "unsure"
    catalog = Catalog(tuple(dataclasses.replace(p, shipping=dataclasses.replace(p.shipping, courier="顺丰"))
                            if p is b else p for p in mall), mall.faq)
    assert a.shipping.courier != "顺丰"
    r = _reply(catalog, "小米电视发什么快递", "shipping")
    assert r.held_reason == "unsure" and "顺丰" not in r.text and a.shipping.courier not in r.text


def test_a_free_gift_gives_way_to_the_product_on_sale():
    cosmetics = _catalog("tests/data/catalogs/cosmetics.csv")
    gift = next(p for p in cosmetics if p.free_gift and "面霜" in p.title)
    cream = next(p for p in cosmetics if not p.free_gift and "面霜" in p.title)
    r = _reply(cosmetics, "面霜保质期多久", "product_detail")
    assert r.product_id == cream.product_id and not r.held_reason and cream.shelf_life in r.text
    assert gift.product_id != r.product_id


def test_a_fact_question_read_as_a_recommendation_request_gets_the_fact(mall):
    a, b = _tvs(mall)
    r = _reply(mall, "which courier for the tv 4a", "recommendation_request", lang="en", uncertain=True)
    assert not r.held_reason and "both TVs" in r.text
    from app.dialogue.facts import to_english

    assert to_english("courier", a.shipping.courier) in r.text


def test_a_fact_question_read_as_unsure_chitchat_is_answered_from_the_catalog():
    food = _catalog("tests/data/catalogs/food.csv")
    puer = next(p for p in food if p.title_en and "Pu-erh" in p.title_en)
    assert puer.production_date
    r = _reply(food, "when was the pu-erh cake produced", "chitchat", lang="en", uncertain=True)
    assert r.product_id == puer.product_id and not r.held_reason and puer.production_date in r.text
    r = _reply(food, "lol nice stream", "chitchat", lang="en", uncertain=True)
    assert r.held_reason == "uncertain_intent"  # no fact asked: the seller decides, as before


def test_a_feature_both_products_state_is_said_for_both_in_english(mall):
    a, b = _tvs(mall)
    assert all(any("4K" in x for x in p.title.split()) for p in (a, b))
    r = _reply(mall, "is the xiaomi tv 4a 4k", "product_detail", lang="en")
    assert not r.held_reason and "both TVs" in r.text and "4K" in r.text
    assert a.title_en not in r.text and b.title_en not in r.text
