"""Question frames and the answers that depend on them: events in (IntentClassified) ->
ReplySuggested out, on three catalogs of different verticals (clothing demo, food, phones).
Expected values were read by hand from the catalog files."""
import re
from pathlib import Path

import pytest

from app.catalog.importer import load_catalog
from app.dialogue.frame import listing_refs
from app.events import IntentClassified, ReplySuggested, SetNowSelling, Slots, Viewer
from app.reply.stage import ReplyStage
from tests.fakes import run_events

ROOT = Path(__file__).resolve().parents[1]
V = Viewer("douyin", "u9", "晴天")


def _catalog(name):
    c = load_catalog(ROOT / name)
    return getattr(c, "catalog", c)


@pytest.fixture(scope="module")
def demo():
    return _catalog("assets/demo/catalog.csv")


@pytest.fixture(scope="module")
def food():
    return _catalog("tests/data/catalogs/food.csv")


@pytest.fixture(scope="module")
def phones():
    return _catalog("tests/data/catalogs/phones.csv")


def _reply(catalog, text, intent, *, on_air=None, lang="zh", uncertain=False, slots=Slots()):
    events = []
    if on_air is not None:
        events.append(SetNowSelling(t=0.5, listing_number=on_air))
    events.append(IntentClassified(t=1.0, msg_id="m1", viewer=V, text=text, lang=lang, intent=intent,
                                   confidence=0.9, uncertain=uncertain, slots=slots))
    out = run_events([ReplyStage(catalog)], events)
    (s,) = [e for e in out if isinstance(e, ReplySuggested)]
    return s


@pytest.mark.parametrize("text, refs", [
    ("2号多少钱", (2,)), ("#2 price", (2,)), ("no. 2 price", (2,)), ("number 2?", (2,)), ("link 33", (33,)),
    ("二号有货吗", (2,)), ("三十一号呢", (31,)), ("链接2", (2,)), ("2号链接", (2,)), ("第8个链接", (8,)),
    ("21#还有吗", (21,)), ("31和32号哪个便宜", (31, 32)), ("which is cheaper, 3 or 5", (3, 5)),
    ("身高165体重50", ()), ("40码有吗", ()),
])
def test_listing_refs_in_every_writing(text, refs):
    assert listing_refs(text) == refs


def test_price_comparison_names_both_prices_and_the_cheaper(demo):
    s = _reply(demo, "1号和2号哪个便宜", "recommendation_request", uncertain=True)
    assert s.held_reason == ""
    assert "249元" in s.text and "139.9元" in s.text and s.text.endswith("更便宜")
    assert s.text.index("2号") < s.text.rindex("更便宜")
    assert "「法式碎花雪纺连衣裙」更便宜" in s.text


def test_dearer_comparison_and_overlapping_ranges(phones):
    s = _reply(phones, "1号和2号哪个贵", "price")
    assert "3788到3999元" in s.text and "2699到2999元" in s.text and "更贵" in s.text
    assert "1号「" in s.text.split("，")[-1]


def test_comparison_by_an_attribute_the_catalog_lacks_is_held(demo):
    s = _reply(demo, "20号和21号哪个更保暖", "product_detail")  # warmth: no catalog column
    assert (s.held_reason, s.held_detail) == ("unsure", "comparison")


def test_unknown_listing_is_named_not_answered_for_another(food):
    s = _reply(food, "99号多少钱", "price", on_air=1)
    assert "99号" in s.text and "28" not in s.text and s.product_id is None


def test_goods_we_do_not_sell_get_an_honest_no(food):
    s = _reply(food, "有洗衣机吗", "stock", on_air=1)
    assert "没有洗衣机" in s.text or "没上洗衣机" in s.text
    assert s.product_id is None and "28" not in s.text


def test_unknown_model_name_is_held_not_answered_for_the_now_selling_phone(phones):
    s = _reply(phones, "Mate 60多少钱", "price", on_air=1)
    assert s.held_reason == "unsure" and "3788" not in s.text


def test_stock_of_the_exact_variant_by_an_option_label(food):
    sold_out = _reply(food, "乌龙茶250g还有吗", "stock", on_air=10)
    assert "226" not in sold_out.text and "250g" in sold_out.text and sold_out.held_reason == ""
    in_stock = _reply(food, "500g的还有吗", "stock", on_air=10)
    assert "226" in in_stock.text


def test_a_variant_label_the_product_lacks_is_held_not_answered_with_the_total(food):
    s = _reply(food, "1kg的还有吗", "stock", on_air=10)
    assert s.held_reason == "unsure" and "226" not in s.text


@pytest.mark.parametrize("text, lang", [("有SK-II吗", "zh"), ("有没有兰蔻的", "zh"), ("any samsung galaxy?", "en"),
                                        ("do you sell new balance", "en")])
def test_a_brand_the_shop_does_not_carry_is_not_sold_and_not_repeated(phones, text, lang):
    s = _reply(phones, text, "stock", on_air=2, lang=lang)
    assert s.product_id is None and not s.held_reason
    assert ("没有这个牌子" in s.text or "这个牌子" in s.text) if lang == "zh" else "that brand" in s.text
    for word in ("sk-ii", "兰蔻", "samsung", "galaxy", "new balance"):
        assert word not in s.text.lower()
    on_air = phones.by_listing(2)
    assert on_air.spoken_name not in s.text and (on_air.title_en or "@") not in s.text


def test_a_brand_the_shop_carries_is_no_unknown_brand(phones):
    from app.dialogue.vocabulary import ProductVocabulary

    vocab = ProductVocabulary(phones)
    brand = next(p.brand for p in phones if p.brand.lower() in ("xiaomi", "小米", "oppo", "redmi", "华为", "huawei"))
    assert vocab.unknown_brands(f"有{brand}吗") == ()
    assert vocab.unknown_brands("有三星吗") == ("三星",)


@pytest.mark.parametrize("text", ["两百以内的眼霜", "200以内的眼霜"])
def test_a_budget_with_a_kind_one_product_is_named_by_is_a_search_within_budget(text):
    cosmetics = _catalog("tests/data/catalogs/cosmetics.csv")
    eye = next(p for p in cosmetics if p.short_name == "眼霜")
    assert eye.min_price <= 200
    s = _reply(cosmetics, text, "product_detail")
    assert not s.held_reason and eye.spoken_name in s.text and f"{eye.min_price.normalize():f}元" in s.text
    prices = [float(x) for x in re.findall(r"(\d+(?:\.\d+)?)元", s.text)]
    assert prices and all(x <= 200 for x in prices)


@pytest.mark.parametrize("text, refs", [("is 35 or 36 cheaper", (35, 36)), ("is 3 or 5 more expensive", (3, 5)),
                                        ("is it cheaper than 2 days ago", ())])
def test_an_english_price_comparison_of_two_bare_numbers_names_two_listings(text, refs):
    assert listing_refs(text) == refs


@pytest.mark.parametrize("catalog_name, text, lang", [
    ("tests/data/catalogs/cosmetics.csv", "is the white tea body wash in stock", "en"),  # 白茶 is its scent
    ("assets/demo/catalog.csv", "price of the pink hoodie XL", "en"),  # the catalog says 卫衣 / sweatshirt
    ("tests/data/catalogs/food.csv", "50以内的零食推荐", "zh"),  # 零食: the shop's 糕点, 坚果, 果干 ...
])
def test_goods_the_catalog_names_otherwise_are_never_denied(catalog_name, text, lang):
    catalog = _catalog(catalog_name)
    for intent in ("stock", "price", "recommendation_request"):
        s = _reply(catalog, text, intent, lang=lang)
        assert not ("没有" in s.text and not s.held_reason) and "don't have" not in s.text, (intent, s.text)


@pytest.mark.parametrize("catalog_name, text, lang, word", [
    ("tests/data/catalogs/food.csv", "有洗衣机吗", "zh", "洗衣机"),
    ("tests/data/catalogs/cosmetics.csv", "do you sell perfume", "en", "perfume"),
])
def test_goods_nowhere_in_the_catalog_by_any_name_are_said_not_sold(catalog_name, text, lang, word):
    from app.dialogue.vocabulary import ProductVocabulary

    catalog = _catalog(catalog_name)
    assert ProductVocabulary(catalog).surely_absent(word)
    s = _reply(catalog, text, "stock", lang=lang)
    assert s.product_id is None and not s.held_reason and (word in s.text.lower())


def test_a_recommendation_of_a_kind_names_only_that_kind_and_never_a_free_gift():
    cosmetics = _catalog("tests/data/catalogs/cosmetics.csv")
    for text, word in (("混油皮用什么粉底", "粉底"), ("推荐个口红", "口红")):
        s = _reply(cosmetics, text, "recommendation_request")
        named = [p for p in cosmetics if f"「{p.spoken_name}」" in s.text]
        assert named and all(word in p.title or word in p.short_name for p in named), s.text
    s = _reply(cosmetics, "有什么推荐的", "recommendation_request")
    assert not any(f"「{p.spoken_name}」" in s.text for p in cosmetics if p.free_gift) and "0元" not in s.text
