"""Variants named by their distinctive words and in other unit spellings (issues 12 and 16): a
long option label (JSQ30-565W16【16升】【恒温旗舰款】, "980 PRO | NVMe PCIe 4.0") is named by the
words a viewer uses (16升, 16L, 980 PRO); two variants side by side with their price difference;
products of the same price said to cost the same; an English colour and size together (army
green M, white green 40). Events in -> ReplySuggested out; expected prices and stock are read
from the catalog's SKUs, never written here."""

import re

import pytest

from app.dialogue.variants import compared_values, label_tokens, named_options, option_values
from app.reply.composer import en_colors_named
from tests.test_answers_frames import _catalog
from tests.test_answers_resolution import _reply


@pytest.fixture(scope="module")
def mall():
    return _catalog("tests/data/catalogs/mall.csv")


@pytest.fixture(scope="module")
def demo():
    return _catalog("assets/demo/catalog.csv")


def _by_title(catalog, word):
    return next(p for p in catalog if word in p.title)


def _y(d):
    """A catalog amount as a reply says it (1649.00 -> 1649)."""
    return f"{d.normalize():f}"


def _sku(p, **parts):
    """The one SKU whose option values contain each given piece."""
    (s,) = [s for s in p.skus if all(any(piece in v for v in s.values) for piece in parts.values())]
    return s


def test_units_are_read_in_one_spelling():
    assert label_tokens("热水器16升") >= {"16l"}
    assert "16l" in label_tokens("water heater 16L")
    assert label_tokens("两万毫安的") >= {"20000mah"}
    assert "512g" in label_tokens("512GB") and "512g" in label_tokens("512G")
    assert "14in" in label_tokens("14英寸") and "14in" in label_tokens("14 inch")
    assert "2.25x2.6" in label_tokens("深卡其2.25x2.6还有吗")
    assert "小米8" in label_tokens("小米8能贴吗") and "小米" not in label_tokens("小米8能贴吗")


def test_a_long_option_label_is_named_by_its_distinctive_words(mall):
    heater = _by_title(mall, "热水器")
    (opt,) = option_values(heater)
    (v16,) = [v for v in named_options(heater, "16升的多少钱")[opt]]
    assert "16升" in v16
    assert named_options(heater, "the 13L one")[opt][0] != v16
    ssd = _by_title(mall, "SSD")
    named = named_options(ssd, "980 PRO 1TB")
    assert all(len(vs) == 1 for vs in named.values()) and len(named) == 2
    # "980" alone is in both series: it names the one without a qualifier the viewer did not say
    (series,) = named_options(ssd, "980 512GB")[next(iter(option_values(ssd)))]
    assert "980" in series and "PRO" not in series.upper()
    assert "PRO" in named_options(ssd, "980 pro的多少钱")[next(iter(option_values(ssd)))][0].upper()


def test_a_variant_price_is_said_with_the_viewers_words(mall):
    heater = _by_title(mall, "热水器")
    sku = _sku(heater, v="16升")
    r = _reply(mall, "热水器16升多少钱", "price")
    assert r.product_id == heater.product_id and f"{_y(sku.price)}元" in r.text and not r.held_reason
    assert "【" not in r.text and "16升" in r.text
    r = _reply(mall, "how much is the gas water heater 13L", "price", lang="en")
    assert f"{_y(_sku(heater, v='13升').price)} yuan" in r.text and not r.held_reason


def test_a_capacity_is_no_unknown_model_name(mall):
    ssd = _by_title(mall, "SSD")
    sku = _sku(ssd, a="980 PRO", b="1TB")
    r = _reply(mall, "硬盘980 PRO 1TB多少钱", "price")
    assert r.product_id == ssd.product_id and f"{_y(sku.price)}元" in r.text and not r.held_reason
    r = _reply(mall, "price of the samsung ssd 980 pro 512gb", "price", lang="en")
    assert f"{_y(_sku(ssd, a='980 PRO', b='512GB').price)} yuan" in r.text


def test_two_variants_compared_give_both_prices_and_the_difference(mall):
    heater = _by_title(mall, "热水器")
    a, b = _sku(heater, v="13升").price, _sku(heater, v="16升").price
    assert compared_values(heater, "13升和16升差多少钱")[1].__len__() == 2
    r = _reply(mall, "13升和16升差多少钱", "price", on_air=heater.listing_number)
    assert f"{_y(a)}元" in r.text and f"{_y(b)}元" in r.text and f"差{_y(abs(b - a))}元" in r.text
    assert not r.held_reason


def test_a_made_up_price_difference_is_caught_by_the_guard(mall):
    from app.reply.guard import FactGuard

    heater = _by_title(mall, "热水器")
    a, b = _sku(heater, v="13升").price, _sku(heater, v="16升").price
    guard = FactGuard(mall)
    assert guard.check(f"差{_y(abs(b - a))}元", [heater.product_id]).ok
    assert not guard.check(f"差{_y(abs(b - a) + 1)}元", [heater.product_id]).ok


def test_products_of_one_price_are_said_to_cost_the_same(mall):
    a, b = mall.by_listing(5), mall.by_listing(6)
    assert a.min_price == a.max_price == b.min_price == b.max_price
    r = _reply(mall, "no 5 vs no 6 which costs less", "price", lang="en")
    assert "the same" in r.text and "cheaper" not in r.text


def test_an_english_colour_and_size_name_one_variant(demo):
    jacket = _by_title(demo, "防风夹克")
    want = next(s for s in jacket.skus if "绿" in s.color and s.size == "M")
    r = _reply(demo, f"no {jacket.listing_number} army green M in stock?", "stock", lang="en")
    assert f"{want.stock} left" in r.text and "军" not in r.text and not r.held_reason
    shoes = _by_title(demo, "小白鞋")
    assert en_colors_named(shoes, "white green") == ["白绿"]
    assert en_colors_named(shoes, "white") == ["纯白"]
    want = next(s for s in shoes.skus if s.color == "白绿" and s.size == "40")
    r = _reply(demo, "do u have 40 in white green", "stock", lang="en", on_air=shoes.listing_number)
    assert f"{want.stock} left" in r.text and not r.held_reason


def test_a_plain_word_before_a_number_is_no_model_name(demo):
    pot = _by_title(demo, "珐琅")
    r = _reply(demo, "is the cherry red 24cm casserole in stock", "stock", lang="en")
    assert r.product_id == pot.product_id and not r.held_reason


def test_two_products_are_compared_by_dispatch_days(demo):
    a, b = next((x, y) for x in demo for y in demo if x.shipping.dispatch_days is not None
                and y.shipping.dispatch_days is not None and x.shipping.dispatch_days < y.shipping.dispatch_days)
    r = _reply(demo, f"{a.listing_number}号和{b.listing_number}号哪个发货快", "shipping")
    assert not r.held_reason
    assert f"{a.shipping.dispatch_days}天内发货" in r.text and f"{b.shipping.dispatch_days}天内发货" in r.text
    assert r.text.endswith(f"{a.listing_number}号「{a.spoken_name}」发货快一些")


def test_two_foods_are_compared_by_shelf_life_and_a_product_without_it_is_held():
    food = _catalog("tests/data/catalogs/food.csv")
    a = next(p for p in food if p.shelf_life.endswith("天"))
    b = next(p for p in food if p.shelf_life.endswith("个月"))
    r = _reply(food, f"{a.listing_number}号和{b.listing_number}号哪个保质期长", "product_detail")
    assert not r.held_reason and a.shelf_life in r.text and b.shelf_life in r.text
    assert r.text.endswith(f"{b.listing_number}号「{b.spoken_name}」保质期长一些")
    c = next(p for p in food if not any(ch.isdigit() for ch in p.shelf_life))  # 长期保存: no duration
    r = _reply(food, f"{a.listing_number}号和{c.listing_number}号哪个保质期长", "product_detail")
    assert (r.held_reason, r.held_detail) == ("unsure", "comparison")


def test_products_starting_at_the_same_price_are_said_to_start_the_same():
    cosmetics = _catalog("tests/data/catalogs/cosmetics.csv")
    a, b = next((x, y) for x in cosmetics for y in cosmetics if x is not y and not x.has_variant_prices
                and y.has_variant_prices and y.min_price == x.price and x.listing_number and y.listing_number)
    r = _reply(cosmetics, f"{a.listing_number}号和{b.listing_number}号哪个便宜", "price")
    assert not r.held_reason and f"都是{_y(a.price)}元起" in r.text and "更便宜" not in r.text


def test_a_named_variant_gets_its_price_or_stock_whatever_the_intent_label():
    phones = _catalog("tests/data/catalogs/phones.csv")
    charger = next(p for p in phones if p.short_name == "快充头")
    s67 = _sku(charger, power="67W")
    r = _reply(phones, "氮化镓充电器67W多少", "product_detail")
    assert not r.held_reason and f"{_y(charger.price_for(s67))}元" in r.text
    bank = next(p for p in phones if p.short_name == "充电宝")
    big = _sku(bank, cap="20000mAh")
    r = _reply(phones, "两万毫安的多少", "product_detail", on_air=bank.listing_number)
    assert not r.held_reason and f"{_y(bank.price_for(big))}元" in r.text
    food = _catalog("tests/data/catalogs/food.csv")
    tea = next(p for p in food if p.short_name == "龙井")
    box = _sku(tea, pack="250g礼盒")
    r = _reply(food, "龙井250g礼盒还有吗", "shipping")  # no shipping word: not a shipping answer
    assert not r.held_reason and re.search(rf"(还有|还剩){box.stock}件", r.text)


def test_a_whole_variant_label_of_the_product_on_air_is_that_variant_not_another_product():
    food = _catalog("tests/data/catalogs/food.csv")
    tea = next(p for p in food if p.short_name == "龙井")
    can = _sku(tea, pack="100g罐装")
    others = [p for p in food if p is not tea and "罐装" in p.title]
    assert others  # 罐装 is in other products' titles too
    r = _reply(food, "100g罐装还有几罐", "stock", on_air=tea.listing_number)
    assert r.product_id == tea.product_id and not r.held_reason and f"{can.stock}件" in r.text


def test_a_kind_word_and_a_variant_only_one_product_has_ask_that_products_stock():
    food = _catalog("tests/data/catalogs/food.csv")
    nuts = next(p for p in food if p.short_name == "每日坚果")
    big = _sku(nuts, pack="30包")
    r = _reply(food, "坚果30包的还有吗", "stock")
    assert r.product_id == nuts.product_id and not r.held_reason and f"{big.stock}件" in r.text
    phones = _catalog("tests/data/catalogs/phones.csv")
    film = next(p for p in phones if any("K50" in v for s in p.skus for v in s.values) and "钢化膜" in p.title)
    k50 = _sku(film, model="K50")
    assert k50.stock == 0
    r = _reply(phones, "钢化膜K50的还有吗", "stock")
    assert r.product_id == film.product_id and re.search("没货|卖完", r.text) and "可以看看这几款" not in r.text
    assert "颜色" not in r.text and "尺码" not in r.text  # a phone model is no colour or size


def test_a_storage_variant_price_read_as_a_size_question_is_a_price():
    phones = _catalog("tests/data/catalogs/phones.csv")
    phone = phones.by_listing(5)
    (price,) = {phone.price_for(s) for s in phone.skus if "128G" in s.values}  # every colour's 128G
    r = _reply(phones, "#5 128G多少", "size_fit")
    assert r.product_id == phone.product_id and not r.held_reason
    assert f"{_y(price)}元" in r.text and "尺码" not in r.text


def test_two_variants_priced_side_by_side_read_as_a_complaint_are_compared_a_grievance_stays_held():
    phones = _catalog("tests/data/catalogs/phones.csv")
    k50 = next(p for p in phones if p.short_name == "Redmi K50")
    p128, = {k50.price_for(s) for s in k50.skus if "128G" in s.values}
    p256, = {k50.price_for(s) for s in k50.skus if "256G" in s.values}
    r = _reply(phones, "128G和256G差多少钱", "complaint", on_air=k50.listing_number)
    assert not r.held_reason and f"差{_y(abs(p256 - p128))}元" in r.text
    r = _reply(phones, "128G和256G差这么多钱，坑人吧，差多少你说", "complaint", on_air=k50.listing_number)
    assert r.held_reason == "complaint"


def test_two_phones_are_compared_by_the_charging_power_their_listings_state():
    from app.reply.composer import _charging_watts

    phones = _catalog("tests/data/catalogs/phones.csv")
    k50 = next(p for p in phones if p.short_name == "Redmi K50")
    reno = next(p for p in phones if p.short_name == "Reno8")
    wk, wr = _charging_watts(k50), _charging_watts(reno)
    assert wk and wr and wk != wr
    faster = reno if wr > wk else k50
    r = _reply(phones, "reno8 or k50, which charges faster", "product_detail", lang="en")
    assert not r.held_reason and f"{_y(wk)}W" in r.text and f"{_y(wr)}W" in r.text
    assert r.text.rstrip(".").endswith(f"“{faster.title_en}” charges faster")
    r = _reply(phones, "K50和Reno8哪个充电快", "product_detail")
    assert not r.held_reason and r.text.endswith(f"「{faster.spoken_name}」充电更快")


def test_a_shade_picks_one_colour_and_a_family_over_several_is_held(demo):
    jeans = _by_title(demo, "牛仔裤")
    blues = [c for c in jeans.colors if "蓝" in c]
    assert len(blues) >= 2 and any("深" in c for c in blues)
    (dark,) = [c for c in blues if "深" in c]
    (sku,) = [s for s in jeans.skus if s.color == dark and s.size == "27"]
    r = _reply(demo, "dark blue jeans 27", "stock", on_air=jeans.listing_number, lang="en")
    assert not r.held_reason and f"{sku.stock} left" in r.text and "dark blue" in r.text
    assert not re.search(r"[\u4e00-\u9fff]", r.text.split(",", 1)[-1])
    r = _reply(demo, "blue 27 in stock?", "stock", on_air=jeans.listing_number, lang="en")
    assert r.held_reason  # 浅蓝 or 深蓝: never their sum
    r = _reply(demo, "蓝色27码还有吗", "stock", on_air=jeans.listing_number)
    assert r.held_reason


@pytest.mark.parametrize("catalog_name, text, lang, on_air", [
    ("assets/demo/catalog.csv", "窗帘灰蓝2.25米的有吗", "zh", None),   # 2.25 of 2.25x2.6 / 2.25x2.7 ...
    ("assets/demo/catalog.csv", "地垫大号米白有吗", "zh", None),        # 大号: no label says it
    ("tests/data/catalogs/cosmetics.csv", "卸妆水小瓶的还有吗", "zh", None),
    ("tests/data/catalogs/cosmetics.csv", "white tea body lotion 250ml stock", "en", 15),  # 白茶 has no English label
])
def test_a_part_of_the_variant_we_cannot_read_is_held_not_answered_with_a_total(catalog_name, text, lang, on_air):
    catalog = _catalog(catalog_name)
    r = _reply(catalog, text, "stock", on_air=on_air, lang=lang)
    assert r.held_reason and not re.search(r"\d+\s*(件|left)", r.text)


def test_a_variant_stock_question_naming_no_product_is_asked_back(demo):
    r = _reply(demo, "深蓝色27码还有吗", "stock")
    assert r.product_id is None and "链接" in r.text and "可以看看这几款" not in r.text


def test_a_shade_number_is_a_shade_not_a_listing_and_a_missing_shade_is_held():
    cosmetics = _catalog("tests/data/catalogs/cosmetics.csv")
    lip = next(p for p in cosmetics if p.short_name == "丝绒口红")
    assert cosmetics.by_listing(1) is not lip and cosmetics.by_listing(4) is not lip  # 1号色 is no listing 1
    (s01,) = [s for s in lip.skus if s.values[0].startswith("01")]
    r = _reply(cosmetics, "口红1号色还有吗", "stock", on_air=lip.listing_number)
    assert r.product_id == lip.product_id and f"{s01.stock}件" in r.text
    r = _reply(cosmetics, "4号色多少钱", "price", on_air=lip.listing_number)
    assert r.product_id == lip.product_id
    assert not any(s.values[0].startswith("05") for s in lip.skus)
    r = _reply(cosmetics, "口红05号色有吗", "stock", on_air=lip.listing_number)
    assert r.held_reason and not re.search(r"\d+件", r.text)


def test_prices_say_what_they_are_for():
    cosmetics = _catalog("tests/data/catalogs/cosmetics.csv")
    gift = next(p for p in cosmetics if p.free_gift)
    r = _reply(cosmetics, f"{gift.short_name}多少钱", "price")
    assert r.product_id == gift.product_id and "赠品" in r.text and "0元" not in r.text
    food = _catalog("tests/data/catalogs/food.csv")
    pastry = next(p for p in food if p.short_name == "凤梨酥")
    r = _reply(food, "凤梨酥买两盒多少钱", "price")
    assert f"{_y(pastry.price)}元" in r.text and "一盒的价格" in r.text  # never a multiplied total
    nuts = next(p for p in food if p.short_name == "每日坚果")
    assert not any("60包" in v for s in nuts.skus for v in s.values)
    r = _reply(food, "坚果60包多少钱", "price")
    assert r.held_reason and "起" not in r.text


def test_the_price_of_a_sold_out_variant_says_it_is_sold_out():
    phones = _catalog("tests/data/catalogs/phones.csv")
    film = next(p for p in phones if p.short_name == "钢化膜")
    sku = next(s for s in film.skus if s.stock == 0)
    r = _reply(phones, f"{sku.values[0]}的多少钱", "price", on_air=film.listing_number)
    assert r.product_id == film.product_id and not r.held_reason
    assert f"{_y(film.price_for(sku))}元" in r.text and "卖完" in r.text


def test_the_one_product_whose_title_names_the_kind_is_answered_not_other_towels(demo):
    bath = next(p for p in demo if "浴巾" in p.title)
    white = [s for s in bath.skus if "白" in s.color]
    assert white and sum(s.stock for s in white) == 0
    r = _reply(demo, "浴巾白色有吗", "stock")
    assert r.product_id == bath.product_id and re.search("卖完|没货", r.text) and "可以看看这几款" not in r.text


def test_an_english_colour_is_said_with_its_own_shade_word_only(demo):
    briefs = demo.by_listing(22)
    (navy,) = [c for c in briefs.colors if "藏青" in c]
    (sku,) = [s for s in briefs.skus if s.color == navy and s.size == "3XL"]
    r = _reply(demo, "navy men's briefs 3XL in stock?", "stock", on_air=22, lang="en")
    assert not r.held_reason and f"{sku.stock} left" in r.text and "navy men" not in r.text


def test_a_set_in_the_title_is_no_count_bought(demo):
    sets = next(p for p in demo if "四件套" in p.title)
    r = _reply(demo, "四件套多少钱", "price")
    assert r.product_id == sets.product_id and "一件的价格" not in r.text
