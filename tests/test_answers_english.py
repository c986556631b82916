"""English answers as complete as Chinese (issue 16, class 5): a catalog value written in Chinese
(material, storage, warranty, flavours) is said in English from the goods glossary, or held for
the seller when a word of it is not in the glossary -- never half-translated, never with Chinese
words in the English reply. Events in -> ReplySuggested out."""

import re

import pytest

from app.dialogue.english import GOODS_EN, arabic_durations, say_in_english
from tests.test_answers_resolution import _reply

_CJK = re.compile(r"[\u3400-\u9fff]")





@pytest.mark.parametrize("value, fact, english", [
    ("羊毛50% 腈纶50%", "material", "50% wool, 50% acrylic"),
    ("100%棉", "material", "100% cotton"),
    ("鞋面网布，鞋底橡胶", "material", "upper: mesh, sole: rubber"),
    ("锦纶100%，网布内衬", "material", "100% nylon, mesh lining"),
    ("聚酯纤维100%（雪纺）", "material", "100% polyester (chiffon)"),
    ("ABS树脂+PP树脂", "material", "ABS resin and PP resin"),
    ("冷藏0-4℃", "storage", "refrigerated at 0-4°C"),
    ("20℃以下阴凉干燥处", "storage", "in a cool, dry place below 20°C"),
    ("全国联保一年", "warranty", "1 year, nationwide"),
    ("五年有限保修", "warranty", "5 years, limited"),
    ("五香", "", "five-spice"),
])
def test_catalog_values_are_said_in_english(value, fact, english):
    assert say_in_english(value, fact) == english


@pytest.mark.parametrize("value", ["真丝连衣裙", "一次性", "特殊工艺处理", "棉，手工编织"])
def test_a_value_with_a_word_outside_the_glossary_is_not_half_translated(value):
    assert say_in_english(value) is None


def test_durations_in_chinese_numerals_become_digits_and_flavours_stay_words():
    assert arabic_durations("整机三年保修，十二个月换新") == "整机3年保修，12个月换新"
    assert arabic_durations("五香牛肉") == "五香牛肉"
    assert all(not _CJK.search(en) for en in GOODS_EN.values())


def test_an_english_material_question_gets_the_material_in_english(demo):
    knit = next(p for p in demo if "羊毛" in p.material and "腈纶" in p.material)
    r = _reply(demo, "what's it made of", "product_detail", on_air=knit.listing_number, lang="en")
    assert r.product_id == knit.product_id and not r.held_reason
    assert "wool" in r.text and "acrylic" in r.text
    for pct in re.findall(r"\d+%", knit.material):
        assert pct in r.text
    assert not _CJK.search(r.text.split(",", 1)[-1])


def test_a_warranty_in_chinese_numerals_passes_the_fact_guard(mall):
    ssd = next(p for p in mall if "五年" in p.after_sales.warranty)
    r = _reply(mall, f"warranty on the {ssd.title_en.split()[0].lower()} ssd?", "after_sales", lang="en")
    assert r.product_id == ssd.product_id and not r.held_reason
    assert "5 years" in r.text


def test_english_storage_is_an_instruction_with_the_catalog_temperature(food):
    choc = next(p for p in food if "℃" in p.storage)
    r = _reply(food, "how should i store it", "product_detail", on_air=choc.listing_number, lang="en")
    assert not r.held_reason and "°C" in r.text
    assert re.search(r"[\d.-]+(?=℃)", choc.storage).group(0) + "°C" in r.text
    assert not _CJK.search(r.text.split(",", 1)[-1])


def test_an_untranslatable_value_is_held_for_the_seller(demo):
    import dataclasses

    from app.catalog.model import Catalog

    knit = next(p for p in demo if p.material)
    odd = dataclasses.replace(knit, material="特殊工艺处理面料")
    catalog = Catalog(tuple(odd if p is knit else p for p in demo), demo.faq)
    r = _reply(catalog, "what's it made of", "product_detail", on_air=knit.listing_number, lang="en")
    assert r.held_reason == "missing_fact" and r.held_detail == "material in English"



@pytest.mark.parametrize("value, english", [
    ("5160mAh大电量", "5160mAh large battery"), ("天玑8100", "Dimensity 8100"),
    ("读速高达3500MB/s", "read speeds up to 3500MB/s"), ("67W快充", "67W fast charging"),
])
def test_electronics_selling_points_keep_their_word_order_in_english(value, english):
    assert say_in_english(value) == english


def test_an_english_question_answered_only_by_a_chinese_selling_point_gets_it_in_english(phones):
    k50 = next(p for p in phones if p.short_name == "Redmi K50" and not p.selling_points_en)
    chip = next(sp for sp in k50.selling_points if "天玑" in sp)
    r = _reply(phones, "what processor does the redmi k50 have", "product_detail", lang="en")
    assert r.product_id == k50.product_id and not r.held_reason
    assert re.search(r"\d+", chip).group(0) in r.text and "Dimensity" in r.text and not _CJK.search(r.text)


def test_an_english_question_whose_chinese_point_is_outside_the_glossary_is_held(phones):
    import dataclasses

    from app.catalog.model import Catalog

    k50 = next(p for p in phones if p.short_name == "Redmi K50")
    odd = dataclasses.replace(k50, selling_points=("天玑8100旗舰芯",))
    catalog = Catalog(tuple(odd if p is k50 else p for p in phones), phones.faq)
    r = _reply(catalog, "what processor does the redmi k50 have", "product_detail", lang="en")
    assert r.held_reason == "missing_fact" and not _CJK.search(r.text)


def test_a_model_name_that_is_one_products_own_name_names_it(phones):
    mi8 = next(p for p in phones if p.title_en and "Mi 8" in p.title_en)
    r = _reply(phones, "warranty on the mi 8?", "after_sales", lang="en")
    assert r.product_id == mi8.product_id and not r.held_reason
    assert say_in_english(mi8.after_sales.warranty, "warranty") in r.text


def test_clothing_selling_points_are_said_in_english():
    assert say_in_english("微弹面料，舒适透气") == "slightly stretchy fabric, comfortable and breathable"


def test_an_english_faq_entry_answers_english_questions_and_the_chinese_one_chinese(phones):
    import dataclasses

    from app.catalog.model import Catalog, FaqEntry

    buds = next(p for p in phones if any(e.question == "防水吗" for e in p.faq))
    zh_answer = next(e.answer for e in buds.faq if e.question == "防水吗")
    r = _reply(phones, "are they waterproof", "product_detail", on_air=buds.listing_number, lang="en")
    assert r.held_reason == "missing_fact"  # the FAQ answers only in Chinese: held, never quoted
    en = FaqEntry("waterproof?", "Sweat and splash resistant, not for swimming.")
    catalog = Catalog(tuple(dataclasses.replace(p, faq=p.faq + (en,)) if p is buds else p for p in phones),
                      phones.faq)
    r = _reply(catalog, "are they waterproof", "product_detail", on_air=buds.listing_number, lang="en")
    assert not r.held_reason and en.answer in r.text
    r = _reply(catalog, "防水吗", "product_detail", on_air=buds.listing_number)
    assert not r.held_reason and zh_answer in r.text
