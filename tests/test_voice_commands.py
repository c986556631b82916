"""Voice command grammar: spoken host commands -> pipeline command events."""

import dataclasses

import pytest

from app.events import (IntroduceProduct, MuteSpeech, PauseAutoApprove, RepeatLastReply, SetNowSelling,
                        StepNowSelling)
from app.recognition.commands import command_phrases, parse_command, parse_number, product_terms
from app.recognition.text import clean_transcript, join_cjk
from app.recognition.vosk import vocabulary_phrases


@pytest.mark.parametrize("text, event", [
    ("下 一个 商品", StepNowSelling(step=1)),          # vosk Chinese output has spaces
    ("下一款", StepNowSelling(step=1)),
    ("好 下一个 吧", StepNowSelling(step=1)),
    ("next product", StepNowSelling(step=1)),
    ("OK, next item please.", StepNowSelling(step=1)),
    ("上一个商品", StepNowSelling(step=-1)),
    ("previous product", StepNowSelling(step=-1)),
    ("介绍 三 号 链接", IntroduceProduct(listing_number=3)),
    ("介绍一下十二号链接", IntroduceProduct(listing_number=12)),
    ("讲解第二十三号", IntroduceProduct(listing_number=23)),
    ("介绍两号链接", IntroduceProduct(listing_number=2)),
    ("introduce number five", IntroduceProduct(listing_number=5)),
    ("introduce product twenty one", IntroduceProduct(listing_number=21)),
    ("introduce listing 7", IntroduceProduct(listing_number=7)),
    ("介绍一下", IntroduceProduct()),
    ("切到 5 号 链接", SetNowSelling(listing_number=5)),
    ("十二号", SetNowSelling(listing_number=12)),
    ("go to number three", SetNowSelling(listing_number=3)),
    ("静音", MuteSpeech(muted=True)),
    ("别说了", MuteSpeech(muted=True)),
    ("mute", MuteSpeech(muted=True)),
    ("取消 静音", MuteSpeech(muted=False)),
    ("unmute", MuteSpeech(muted=False)),
    ("暂停 自动 回复", PauseAutoApprove(paused=True)),
    ("pause auto approve", PauseAutoApprove(paused=True)),
    ("恢复自动回复", PauseAutoApprove(paused=False)),
    ("resume auto-approve", PauseAutoApprove(paused=False)),
    ("再说 一遍", RepeatLastReply()),
    ("say that again", RepeatLastReply()),
    ("repeat the last reply", RepeatLastReply()),
])
def test_commands_map_to_events(text, event):
    cmd = parse_command(text, t=12.5)
    assert cmd is not None, text
    assert cmd.event == dataclasses.replace(event, t=12.5)
    assert cmd.command == type(event).__name__
    assert cmd.listing_number == getattr(event, "listing_number", None)


@pytest.mark.parametrize("text", [
    "我们下一个商品是一件T恤",        # a command word inside selling talk
    "这款静音效果特别好",
    "今天十二号发货",
    "介绍零号链接",                    # listing numbers start at 1
    "next time we will show you more",
    "this is muted colour",
    "大家好欢迎来到直播间",
    "",
    "   ",
])
def test_ordinary_speech_is_not_a_command(text):
    assert parse_command(text) is None


@pytest.mark.parametrize("token, lang, value", [
    ("三", "zh", 3), ("十二", "zh", 12), ("两", "zh", 2), ("一百零五", "zh", 105), ("7", "zh", 7),
    ("five", "en", 5), ("twenty one", "en", 21), ("twenty-one", "en", 21), ("12", "en", 12),
    ("abc", "en", None), ("", "zh", None),
])
def test_parse_number(token, lang, value):
    assert parse_number(token, lang) == value


def test_introduce_by_catalog_name(catalog):
    terms = product_terms(catalog)
    assert terms["浴巾"] == "P2"
    cmd = parse_command("介绍 一下 浴巾", products=terms)
    assert cmd is not None and cmd.event == IntroduceProduct(product_id="P2")
    cmd = parse_command("introduce the ceramic mug", products=terms)
    assert cmd is not None and cmd.event == IntroduceProduct(product_id="P3")
    assert parse_command("介绍一下洗衣机", products=terms) is None


def test_cjk_space_removal():
    assert join_cjk("这个 多少 钱") == "这个多少钱"
    assert join_cjk("这个 iPhone 15 多少 钱") == "这个 iPhone 15 多少钱"
    assert join_cjk("  买 两件   有 优惠 吗  ") == "买两件有优惠吗"
    assert join_cjk("one two three") == "one two three"
    assert join_cjk("안녕 하세요") == "안녕 하세요"          # Hangul keeps its spaces
    assert join_cjk("好 ， 谢谢") == "好，谢谢"               # full-width punctuation is CJK
    assert clean_transcript("[unk] 下 一个 [unk] 商品") == "下一个商品"


class _Lexicon:
    """The one method of vosk.Model that vocabulary_phrases uses, over a fixed word list."""

    def __init__(self, words):
        self.words = {w: i for i, w in enumerate(words)}
        self.asked = []

    def vosk_model_find_word(self, word):
        self.asked.append(word)
        return self.words.get(word, -1)


def test_vocabulary_phrases_segment_with_model_lexicon():
    lex = _Lexicon(["下", "一个", "商品", "介绍", "一下", "浴巾", "next", "product", "[unk]"])
    out = vocabulary_phrases(lex, ["下一个商品", "next product", "介绍一下浴巾", "介绍一下冲锋衣",
                                   "Next Product", "[unk]"])
    assert out == ["下 一个 商品", "next product", "介绍 一下 浴巾", "[unk]"]


def test_command_phrases_cover_listings_and_terms():
    phrases = command_phrases(max_listing=12, extra_terms=["浴巾", "ceramic mug"])
    assert "介绍十二号链接" in phrases and "介绍三号链接" in phrases and "介绍十三号链接" not in phrases
    assert "introduce number twelve" in phrases
    assert "介绍一下浴巾" in phrases and "introduce ceramic mug" in phrases
    assert phrases[-1] == "[unk]"
    # every generated wording parses as a command
    for p in phrases[:-1]:
        if not p.startswith(("介绍一下浴", "introduce ceramic")):
            assert parse_command(p) is not None, p
