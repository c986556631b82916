"""Fit / suitability questions, kind-of-goods searches and "we don't sell that": events in
(IntentClassified with the real slot extractor's slots) -> ReplySuggested out, on the test
catalogs. Expected products and facts were read by hand from the catalog files."""

import pytest

from app.dialogue.vocabulary import ProductVocabulary, heads, of_kind
from tests.test_answers_frames import _catalog
from tests.test_answers_resolution import _reply


@pytest.fixture(scope="module")
def cosmetics():
    return _catalog("tests/data/catalogs/cosmetics.csv")


@pytest.fixture(scope="module")
def food():
    return _catalog("tests/data/catalogs/food.csv")


@pytest.fixture(scope="module")
def phones():
    return _catalog("tests/data/catalogs/phones.csv")


@pytest.fixture(scope="module")
def mall():
    return _catalog("tests/data/catalogs/mall.csv")


@pytest.fixture(scope="module")
def demo():
    return _catalog("assets/demo/catalog.csv")


def _listed(catalog, reply) -> set[str]:
    """Product ids whose listing number the reply names as 「N号」 or "link N"."""
    import re

    nums = {int(n) for n in re.findall(r"(\d+)号「", reply.text)} | {int(n) for n in re.findall(r"link (\d+)", reply.text)}
    return {catalog.by_listing(n).product_id for n in nums}


# ------------------------------------------------------------------ one product: does it suit?
def test_skin_type_of_the_product_on_air_is_answered_from_suitable_for(cosmetics):
    r = _reply(cosmetics, "油皮能用吗", "product_detail", on_air=5)  # sunscreen: 油皮|户外
    assert not r.held_reason and r.product_id == "cos-sun-01" and "油皮" in r.text
    r = _reply(cosmetics, "干皮用这个水可以吗", "product_detail", on_air=10)  # toner: 干皮|混合皮
    assert not r.held_reason and "干皮" in r.text
    r = _reply(cosmetics, "is it ok for dry skin", "product_detail", on_air=10, lang="en")
    assert not r.held_reason and "dry skin" in r.text


def test_a_skin_type_the_catalog_does_not_list_is_held(cosmetics):
    r = _reply(cosmetics, "干皮能用吗", "product_detail", on_air=5)  # sunscreen lists 油皮 only
    assert r.held_reason == "missing_fact" and "干皮" not in r.text


def test_gift_and_household_fit_come_from_the_products_facts(food, mall):
    r = _reply(food, "这个拿来送人合适吗", "recommendation_request", on_air=10)  # oolong: 送礼|办公室
    assert not r.held_reason and r.product_id == "tea-oolong-01" and "送礼" in r.text
    r = _reply(food, "乌龙茶适合办公室喝吗", "recommendation_request")
    assert not r.held_reason and r.product_id == "tea-oolong-01" and "办公室" in r.text
    r = _reply(food, "is it a good gift for my parents", "recommendation_request", on_air=13, lang="en")
    assert not r.held_reason and r.product_id == "tea-black-01" and "elders" in r.text
    r = _reply(mall, "家里是天然气能用吗", "product_detail", on_air=18)  # the heater's title says 天然气
    assert not r.held_reason and "天然气" in r.text


def test_a_phone_model_asked_of_the_accessory_on_air_is_its_variant(phones):
    r = _reply(phones, "Mate50能用吗", "product_detail", on_air=12)  # the film comes in Mate 50 (38 left)
    assert not r.held_reason and r.product_id == "acc-film-01" and "Mate 50" in r.text


# ------------------------------------------------------------------ searches by fit
def test_skin_and_hair_searches_list_only_products_made_for_it(cosmetics):
    r = _reply(cosmetics, "干皮适合用哪几个", "product_detail")
    got = _listed(cosmetics, r)
    assert got and not r.held_reason
    for pid in got:  # each lists 干皮 (or all skin types); never the foundation whose FAQ only hedges
        p = cosmetics.get(pid)
        assert {"干皮", "所有肤质"} & set(p.suitable_for)
    r = _reply(cosmetics, "头皮爱出油用哪个洗发水", "recommendation_request")
    assert _listed(cosmetics, r) == {"cos-shampoo-01"}  # never the face cleanser nor the conditioner
    r = _reply(cosmetics, "which one is good for oily skin", "recommendation_request", lang="en")
    got = _listed(cosmetics, r)
    assert got and all({"油皮", "所有肤质"} & set(cosmetics.get(pid).suitable_for) for pid in got)
    assert "cos-shampoo-01" not in got  # 油性头皮 is no oily skin


def test_accessories_for_a_phone_model(phones):
    r = _reply(phones, "Mate 50有壳吗", "product_detail")
    assert _listed(phones, r) == {"acc-case-01"}  # the silicone case has no Mate 50 variant
    r = _reply(phones, "8 Plus能用哪些壳", "product_detail")
    assert _listed(phones, r) == {"acc-case-01", "acc-case-02"}
    r = _reply(phones, "有适合K50的散热器吗", "recommendation_request")  # suitable_for Redmi K50
    assert _listed(phones, r) == {"acc-cooler-01"}
    r = _reply(phones, "which screen protectors fit the mate 50", "size_fit", lang="en")
    got = _listed(phones, r)
    assert got and got <= {"acc-film-01", "acc-film-02", "acc-lens-01"}  # never the free install kit


def test_a_phone_model_we_lack_gets_an_honest_no(phones):
    r = _reply(phones, "any case for pixel 8", "shipping", lang="en")
    assert "don't have" in r.text and r.product_id is None


# ------------------------------------------------------------------ kinds of goods
def test_general_goods_words_cover_their_kinds(cosmetics, food, mall, demo):
    v = ProductVocabulary(cosmetics)
    assert of_kind(cosmetics.get("cos-cream-01"), "护肤品") and not of_kind(cosmetics.get("cos-lotion-01"), "护肤品")
    assert of_kind(cosmetics.get("cos-lip-01"), "makeup") and not of_kind(cosmetics.get("cos-brush-01"), "makeup")
    assert of_kind(cosmetics.get("cos-brush-01"), "化妆工具")
    assert of_kind(food.get("tea-chrys-01"), "茶叶") and not of_kind(food.get("snack-lemon-01"), "茶叶")
    assert not of_kind(food.get("lm-1045000"), "茶")  # 绿茶蛋黄酥 is a pastry
    assert of_kind(mall.get("mall-30"), "衣服") and not of_kind(mall.get("mall-30"), "女装")
    assert of_kind(demo.get("demo-hoodie-01"), "女装")
    assert heads("端午粽礼盒", "粽") and not heads("绿茶蛋黄酥", "绿茶") and not heads("磨砂防摔手机壳", "手机")
    assert v.products_named("护肤品")


@pytest.mark.parametrize("cat,text,intent,want", [
    ("cosmetics", "100以内的护肤品推荐下", "recommendation_request", {"面部护理"}),
    ("cosmetics", "makeup under 100 yuan", "size_fit", {"美妆"}),
    ("cosmetics", "化妆工具有哪些", "product_detail", {"用具"}),
    ("cosmetics", "any hair care products", "product_detail", {"护发"}),
    ("food", "粽子有哪几款", "product_detail", {"糕点"}),
    ("food", "any dried fruit", "product_detail", {"果干"}),
    ("food", "100以内的茶叶有吗", "product_detail", {"茗茶"}),
    ("phones", "phones under 3000", "chitchat", {"手机通讯"}),
    ("phones", "accessories under 20 yuan", "chitchat", {"手机膜", "数据线", "手机支架", "手机挂绳"}),
    ("mall", "100块以内的衣服", "price", {"T恤"}),
    ("mall", "any big home appliances", "chitchat", {"电视", "厨卫大电"}),
    ("demo", "给一岁宝宝买衣服推荐下", "recommendation_request", {"童装"}),
])
def test_kind_searches_list_products_of_that_kind(request, cat, text, intent, want):
    catalog = request.getfixturevalue(cat)
    r = _reply(catalog, text, intent, lang="en" if text.isascii() else "zh")
    got = _listed(catalog, r)
    assert got, r.text
    assert {catalog.get(pid).category for pid in got} <= want, r.text
    assert "没有" not in r.text and "don't have" not in r.text


def test_budgets_hold_within_a_kind(food, phones):
    r = _reply(food, "100以内的茶叶有吗", "product_detail")
    assert _listed(food, r) == {"tea-chrys-01"}  # 柠檬片 (a lemon-tea snack) is no tea; the rest cost more
    r = _reply(phones, "phones under 3000", "chitchat", lang="en")
    assert all(phones.get(pid).price <= 3000 for pid in _listed(phones, r))


def test_goods_we_do_not_sell_get_an_honest_no(food, mall):
    r = _reply(food, "卖辣条吗", "product_detail", on_air=20)
    assert "没有辣条" in r.text and r.product_id is None
    r = _reply(mall, "有女装吗", "stock")  # every tee is a men's tee
    assert "没有女装" in r.text and r.product_id is None


def test_a_tag_search_uses_the_tags_own_word(phones, demo):
    r = _reply(phones, "打游戏用哪个手机", "recommendation_request")
    assert _listed(phones, r) == {"mall-27", "mall-41"}  # tagged 游戏 (the 12 Pro's 高刷 is no tag)
    r = _reply(demo, "学生宿舍用啥好", "recommendation_request")
    got = _listed(demo, r)
    assert got and all({"学生", "宿舍"} & set(demo.get(pid).tags) for pid in got)
