"""Per-unit questions (issues 12 and 16, "units in the catalog stated when the question's unit
differs"): 一斤多少钱 over 250 g packs, 一个多少钱 over a box of 4, 一盒多少抽, "how many sponges
in one pack". The answer says what one pack holds and what its price buys, never a divided price.
Events in -> ReplySuggested out; every expected figure is read from the catalog rows."""

import re
from decimal import Decimal

import pytest

from app.dialogue.units import count_in, grams_of, read_question
from tests.test_answers_frames import _catalog
from tests.test_answers_resolution import _reply




def _y(d):
    return f"{d.normalize():f}"


def _short(catalog, name):
    return next(p for p in catalog if p.short_name == name)


def _numbers(text):
    return {Decimal(n) for n in re.findall(r"\d+(?:\.\d+)?", text)}


@pytest.mark.parametrize("text, grams, counter, how_many", [
    ("一斤多少钱", Decimal(500), "", False),
    ("半斤多少钱", Decimal(250), "", False),
    ("100g多少钱", Decimal(100), "", False),
    ("一盒多少抽", None, "抽", True),
    ("面膜一片多少钱", None, "片", False),
    ("how many sponges in one pack", None, "个", True),
    ("is the hand cream set price for 1 tube", None, "支", False),
])
def test_a_per_unit_question_is_read(text, grams, counter, how_many):
    q = read_question(text)
    assert q is not None
    assert (q.grams, q.counter, q.how_many) == (grams, counter, how_many)


@pytest.mark.parametrize("text", ["#5 128G多少", "原味还剩几袋", "多少钱", "how much is it"])
def test_storage_stock_and_plain_price_questions_are_no_per_unit_question(text):
    assert read_question(text) is None


def test_a_pack_of_one_jin_says_so_with_its_price(food):
    pecan = _short(food, "碧根果")
    assert grams_of(pecan, None) == 500
    r = _reply(food, "碧根果一斤多少", "price")
    assert r.product_id == pecan.product_id and not r.held_reason
    assert _y(pecan.price) in r.text and "500g" in r.text and "一斤" in r.text


def test_packs_smaller_than_the_unit_asked_are_listed_never_divided(food):
    tea = _short(food, "龙井")
    r = _reply(food, "龙井一斤多少钱", "price")
    assert r.product_id == tea.product_id and not r.held_reason
    prices = {tea.price_for(s) for s in tea.skus}
    assert len(prices) >= 2 and all(_y(p) in r.text for p in prices)
    for s in tea.skus:
        assert f"{_y(grams_of(tea, s))}g" in r.text
    allowed = prices | {grams_of(tea, s) for s in tea.skus}
    assert _numbers(r.text) <= allowed  # no per-jin price was worked out


def test_one_piece_of_a_box_says_what_the_box_holds(food):
    pastry = _short(food, "蛋黄酥")
    n = count_in(pastry, None, "个")
    assert n is not None and n > 1
    r = _reply(food, "蛋黄酥一个多少钱", "price")
    assert not r.held_reason
    assert _y(pastry.price) in r.text and f"{_y(n)}个" in r.text
    assert _y(pastry.price / n) not in r.text


def test_how_many_a_pack_holds_in_both_languages(cosmetics):
    towels = _short(cosmetics, "洗脸巾")
    r = _reply(cosmetics, "洗脸巾一盒多少抽", "product_detail")
    assert not r.held_reason and f"{_y(count_in(towels, None, '抽'))}抽" in r.text
    sponge = _short(cosmetics, "美妆蛋")
    r = _reply(cosmetics, "how many sponges in one pack", "product_detail", lang="en")
    assert r.product_id == sponge.product_id and not r.held_reason
    assert f"{_y(count_in(sponge, None, '个'))} pieces" in r.text
    assert not re.search(r"[\u4e00-\u9fff]", r.text.split(",", 1)[-1])  # the answer is all English


def test_variants_of_different_counts_each_get_their_price(cosmetics):
    mask = _short(cosmetics, "补水面膜")
    r = _reply(cosmetics, "面膜一片多少钱", "price")
    assert not r.held_reason
    for s in mask.skus:
        assert _y(mask.price_for(s)) in r.text and s.values[0] in r.text


def test_a_sensitive_per_unit_question_still_goes_to_the_seller(food):
    r = _reply(food, "孕妇一天吃一个蛋黄酥多少钱", "price")
    assert r.held_reason.startswith("sensitive")


def test_one_piece_of_a_kind_two_products_are_means_the_one_sold_in_packs():
    phones = _catalog("tests/data/catalogs/phones.csv")
    films = [p for p in phones if "钢化膜" in p.title]
    assert len(films) == 2
    (packed,) = [p for p in films if any((count_in(p, s, "片") or 0) > 1 for s in p.skus)]
    r = _reply(phones, "钢化膜一片多少钱", "price")
    assert r.product_id == packed.product_id and not r.held_reason
    assert f"（{_y(count_in(packed, packed.skus[0], '片'))}片）" in r.text


def test_a_selling_point_saying_what_a_pack_holds_answers_a_per_piece_question():
    demo = _catalog("assets/demo/catalog.csv")
    briefs = next(p for p in demo if "一次性" in p.title)
    point = next(sp for sp in briefs.selling_points if "每包" in sp)
    n = re.search(r"每包(\d+)条", point).group(1)
    r = _reply(demo, "一次性内裤一条多少钱", "price")
    assert r.product_id == briefs.product_id and not r.held_reason
    assert f"{_y(briefs.price)}元" in r.text and f"{n}条" in r.text
    assert _y(briefs.price / int(n)) not in r.text
