"""Tests for app.understanding.text: normalisation and language detection."""

from __future__ import annotations

import threading

import pytest

from app.understanding.text import detect_lang, has_cjk, normalize_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # fullwidth digits / letters / punctuation -> ASCII (NFKC)
        ("３号链接多少钱？", "3号链接多少钱?"),
        ("ＸＬ码还有吗", "XL码还有吗"),
        ("１６５ｃｍ ５０㎏", "165cm 50kg"),
        ("①号链接", "1号链接"),
        # traditional -> simplified
        ("這件衣服多少錢", "这件衣服多少钱"),
        ("3號鏈接還有嗎", "3号链接还有吗"),
        ("3號連結", "3号连结"),  # t2s is per character: the Taiwan word 連結 stays 连结
        ("顏色", "颜色"),
        # zero-width / control characters removed, whitespace collapsed
        ("多\u200b少\u200c钱\ufeff", "多少钱"),
        ("\u202e多少钱\u202c", "多少钱"),
        ("  多少\t\t钱 \n 啊  ", "多少 钱 啊"),
        ("好看\u3000吗", "好看 吗"),
        ("a\x00b\x07c", "abc"),
        # a lone ZWJ between letters is dropped
        ("a\u200db", "ab"),
        # CJK and English kept as they are (case too)
        ("Hello 主播 M码", "Hello 主播 M码"),
        ("", ""),
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_normalize_keeps_emoji_sequences() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # man ZWJ woman ZWJ girl
    heart = "\u2764\ufe0f"  # heart + VS16
    thumbs = "\U0001f44d\U0001f3fd"  # thumbs up + skin tone
    flag = "\U0001f1e8\U0001f1f3"  # regional indicators C N
    text = f"{family} 好看 {heart}{thumbs}{flag}"
    assert normalize_text(text) == text


def test_normalize_keeps_cjk_compat_and_punctuation() -> None:
    # ideographic comma / full stop are not changed by NFKC
    assert normalize_text("好看、便宜。") == "好看、便宜。"
    # a CJK compatibility ideograph folds to its unified form (U+F907 -> U+9F9C 龜 -> 龟)
    assert normalize_text("\uf907") == "龟"


def test_normalize_is_idempotent() -> None:
    for raw in ["這件ＸＬ　多少錢？\u200b", "5'6\" 130 lbs", "一米六五 一百二十斤", "👍🏽好"]:
        once = normalize_text(raw)
        assert normalize_text(once) == once


def test_normalize_rejects_non_str() -> None:
    with pytest.raises(TypeError):
        normalize_text(None)  # type: ignore[arg-type]


def test_normalize_thread_safe() -> None:
    results: list[str] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(200):
                results.append(normalize_text("這件衣服多少錢"))
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 800
    assert set(results) == {"这件衣服多少钱"}


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("多少钱", "zh"),
        ("這件多少錢", "zh"),
        ("XL还有吗", "zh"),  # mixed -> zh
        ("how much is link 3", "en"),
        ("666", "zh"),  # no letters, no ideographs: the default (the seller's language)
        ("👍", "zh"),
        ("", "zh"),
        ("かわいい", "zh"),  # kana are not CJK ideographs (and not Latin): the default
        ("Do you have S in 蓝色碎花?", "en"),  # an English sentence quoting a Chinese name
        ("iPhone 15 多少钱", "zh"),
        ("可愛いです", "zh"),  # kanji are
        ("\U00020000", "zh"),  # Extension B
    ],
)
def test_detect_lang(text: str, lang: str) -> None:
    assert detect_lang(text) == lang


def test_detect_lang_default_for_messages_without_words() -> None:
    assert detect_lang("666", default="en") == "en"
    assert detect_lang("1", default="zh") == "zh"


def test_has_cjk() -> None:
    assert has_cjk("abc中")
    assert not has_cjk("abc,.!")
