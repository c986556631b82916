"""Phone models and other model names (issues 12 and 16, class "silent fallback" and "fit beyond
height and weight"): a model with a qualifier the catalog lacks (iPhone 14 Pro, K50 Pro, iPad Air),
a Chinese brand with a number (小米13) or a one-letter model (P30, S23) is no product of ours and
never answered with the plain model's price; the goods word asked about is the product meant
("Mate 50的壳" is the case for the Mate 50, not the phone); a listing number is no variant
("12号多少钱" of a film that comes in 小米12 Pro); a variant label names its product (980 PRO 1TB).
Events in -> ReplySuggested out; expected values are read from the catalog."""

import pytest

from app.dialogue.frame import _model_names, without_listings
from app.dialogue.variants import named_options, say_value
from tests.test_answers_resolution import _reply




def _y(d):
    return f"{d.normalize():f}"


@pytest.mark.parametrize("text, models", [
    ("iPhone 14 Pro多少钱", ["iPhone 14Pro"]), ("小米13多少钱", ["小米13"]), ("华为P30", ["P30"]),
    ("iPad Air有吗", ["iPadAir"]), ("Redmi K50 Pro", ["K50", "K50Pro"]),
    ("12号多少钱", []), ("16G多少", []), ("5G手机", []), ("L码有吗", []),
])
def test_model_names_are_read_with_their_qualifiers(text, models):
    assert _model_names(text) == models


@pytest.mark.parametrize("text", ["iPhone 14 Pro多少钱", "小米13多少钱", "Redmi K50 Pro多少钱", "Mate 50 Pro多少钱",
                                  "华为P30多少钱", "how much is the iphone 14 pro"])
def test_a_model_we_do_not_carry_is_never_answered_with_a_similar_ones_price(phones, text):
    r = _reply(phones, text, "price", lang="en" if text.isascii() else "zh")
    assert r.held_reason or r.product_id is None
    assert not any(f"{_y(p.min_price)}" in r.text for p in phones if p.category == "手机通讯")


def test_a_qualifier_the_variant_lacks_does_not_name_it(phones):
    case = phones.by_listing(10)
    (opt,) = [n for n in named_options(case, "iPhone 14的壳")]
    assert named_options(case, "iPhone 14 Pro的壳") == {}
    assert named_options(case, "iPhone 8 Plus能用吗")[opt] == ("iPhone 8 Plus",)
    assert say_value(case, "iPhone 8 Plus", "iPhone 8 Plus能用吗", "zh") == "iPhone 8 Plus"
    r = _reply(phones, "iPhone 14 Pro的壳多少钱", "price", on_air=10)
    assert r.held_reason and "iPhone 14" not in r.text


def test_the_goods_word_asked_about_is_the_product_meant_for_the_model_named(phones):
    phone = phones.by_listing(8)
    case = next(p for p in phones if "壳" in p.title and named_options(p, "Mate 50"))
    (price,) = {case.price_for(s) for s in case.skus if any("Mate 50" in v for v in s.values)}
    for text in ("Mate 50 的壳多少钱", "Mate 50的手机壳多少钱"):
        r = _reply(phones, text, "price", on_air=phone.listing_number)
        assert r.product_id == case.product_id and f"{_y(price)}元" in r.text, text
    r = _reply(phones, "Mate 50多少钱", "price", on_air=phone.listing_number)
    assert r.product_id == phone.product_id


def test_a_listing_number_is_no_variant(phones):
    film = phones.by_listing(12)
    assert any("12" in v for s in film.skus for v in s.values)
    assert without_listings("12号多少钱", (12,)).strip() == "多少钱"
    r = _reply(phones, "12号多少钱", "price")
    assert r.product_id == film.product_id and f"{_y(film.min_price)}元起" in r.text


def test_a_variant_label_names_its_product_over_a_shared_qualifier_word(mall):
    ssd = next(p for p in mall if "SSD" in p.title)
    for text, size in (("980 PRO 1TB多少钱", "1TB"), ("980 PRO 512G多少钱", "512GB")):
        (price,) = {ssd.price_for(s) for s in ssd.skus if size in s.values and "PRO" in s.values[0]}
        r = _reply(mall, text, "price")
        assert r.product_id == ssd.product_id and f"{_y(price)}元" in r.text, text
