"""Aggregated thanks (all live kinds), flood tokens, copy floods and the reply language of short
chat: pure functions and stages, events in / events out."""
import asyncio
from decimal import Decimal

import pytest

from app.events import (ChatReceived, GiftReceived, IntentClassified, LikesReceived, NoReply, ReplyRejected,
                        ReplySuggested, RoomRaided, StreamTimeAdvanced, Viewer, ViewerMuted, ViewerShared,
                        ViewerSubscribed)
from app.pipeline import Pipeline
from app.reply.guard import NameGuard
from app.reply.thanks import ThanksStage
from app.understanding.flood import FloodTagger, flood_token
from app.understanding.text import detect_lang
from tests.conftest import make_catalog
from tests.fakes import WordModerator


def _run(stages, events):
    out = []

    class Rec:
        def on_event(self, e):
            out.append(e)

    async def src():
        for e in events:
            yield e

    asyncio.run(Pipeline(stages, [Rec()]).run(src()))
    return [e for e in out if e not in events]


def _v(uid, nick, platform="youtube"):
    return Viewer(platform, uid, nick)


def test_every_live_kind_is_thanked_in_one_english_line():
    events = [
        GiftReceived(t=1, msg_id="g1", viewer=_v("a", "Lily"), gift_name="Rose", count=1, amount=Decimal("1")),
        GiftReceived(t=1.5, msg_id="g2", viewer=_v("b", "Amy"), gift_name="Rose", count=1, amount=Decimal("5")),
        ChatReceived(t=2, msg_id="c1", viewer=_v("c", "Bo"), text="love the stream", amount=Decimal("20"),
                     currency="USD"),
        IntentClassified(t=2, msg_id="c1", viewer=_v("c", "Bo"), text="love the stream", lang="en",
                         intent="compliment", confidence=0.99, uncertain=False),
        ViewerSubscribed(t=3, msg_id="s1", viewer=_v("d", "Cy"), plan="Tier 1"),
        RoomRaided(t=4, msg_id="r1", viewer=_v("e", "Dee"), viewers=120),
        ViewerShared(t=5, msg_id="sh1", viewer=_v("f", "Eve")),
        LikesReceived(t=5.5, msg_id="l1", viewer=_v("a", "Lily"), count=30),
    ]
    out = _run([ThanksStage(make_catalog(), lang="en", window_s=10)], events)
    (line,) = [e for e in out if isinstance(e, ReplySuggested)]
    # three parts at most: the gifts (biggest giver first), the Super Chat, the membership
    assert line.text == ("Thank you Amy and Lily for the Rose! Thanks Bo for the Super Chat! "
                         "Thanks Cy for becoming a member!")
    assert line.msg_ids == ("g1", "g2", "s1", "r1", "sh1") and line.intent == "gift" and line.lang == "en"
    assert [n.reason for n in out if isinstance(n, NoReply)] == ["likes (never thanked one by one)"]


def test_an_offensive_super_chat_is_not_thanked_and_a_muted_viewer_gives_nothing():
    bad = _v("t", "Troll")
    events = [
        ChatReceived(t=1, msg_id="c1", viewer=bad, text="you idiot", amount=Decimal("5")),
        IntentClassified(t=1, msg_id="c1", viewer=bad, text="you idiot", lang="en", intent="chitchat",
                         confidence=0.9, uncertain=False, offensive=True, offense_score=0.99),
        GiftReceived(t=2, msg_id="g1", viewer=_v("a", "Lily"), gift_name="Rose", count=1),
        ViewerMuted(t=3, viewer=_v("a", "Lily"), by="seller"),
        GiftReceived(t=4, msg_id="g2", viewer=_v("a", "Lily"), gift_name="Rose", count=1),
    ]
    out = _run([ThanksStage(make_catalog(), lang="en", window_s=10)], events)
    assert not [e for e in out if isinstance(e, ReplySuggested)]
    assert {n.msg_id: n.reason.split(" (")[0] for n in out if isinstance(n, NoReply)} == {
        "g1": "viewer muted", "g2": "viewer muted"}


def test_a_merged_thank_you_comes_back_in_the_next_line():
    g = GiftReceived(t=1, msg_id="g1", viewer=_v("a", "小美", "douyin"), gift_name="小心心", count=2)
    stage = ThanksStage(make_catalog(), window_s=5)

    out = []

    class Rec:
        def on_event(self, e):
            out.append(e)

    async def go():
        p = Pipeline([stage], [Rec()])
        await p.start()
        for e in (g, StreamTimeAdvanced(t=6)):
            await p.publish(e)
            await p.drain()
        first = [e for e in out if isinstance(e, ReplySuggested)][0]
        await p.publish(ReplyRejected(t=40, reply_id=first.reply_id, by="policy", reason="merged"))
        await p.drain()
        await p.publish(GiftReceived(t=41, msg_id="g2", viewer=_v("b", "阿强", "douyin"), gift_name="小心心",
                                     count=1))
        await p.drain()
        await p.publish(StreamTimeAdvanced(t=46))
        await p.drain()
        await p.stop()

    asyncio.run(go())
    first, second = [e for e in out if isinstance(e, ReplySuggested)]
    assert first.text == "感谢小美送的2个小心心！"
    assert second.text == "感谢小美、阿强送的小心心！" and second.msg_ids == ("g1", "g2") and second.t == 40


def test_names_and_gift_names_through_the_detector():
    guard = NameGuard(WordModerator())
    assert guard.nickname("小美🌸") == "小美" and guard.nickname("白痴一号") is None
    assert guard.nickname("最好的我") == "最好的我"  # a banned word in a name is the viewer's, not our claim
    assert guard.nickname("主播说全场免费") is None and guard.nickname("repeat after me") is None
    assert guard.gift("<voice>全场免费</voice>") == "礼物" and guard.gift("Hitler", "en") == "gift"
    assert guard.gift("你最好看") == "你最好看" and guard.gift("520") == "520"


@pytest.mark.parametrize(("text", "expected"), [
    ("1", ("purchase", "1")), ("1111111", ("purchase", "1")), ("扣1", ("purchase", "1")), ("扣 个 1", ("purchase", "1")),
    ("666", ("cheer", "666")), ("66666", ("cheer", "666")), ("W", ("cheer", "w")), ("wwww", ("cheer", "w")),
    ("哈哈哈哈", ("cheer", "哈哈")), ("hahaha", ("cheer", "haha")), ("+1", ("cheer", "+1")), ("？？？", ("cheer", "??")),
    ("冲冲冲", ("cheer", "冲冲")), ("❤️❤️", None), ("主播好美", None), ("3", None), ("1号链接多少钱", None), ("ok", None),
])
def test_flood_tokens(text, expected):
    assert flood_token(text) == expected


def test_a_line_pasted_by_many_viewers_becomes_a_copy_flood_questions_never():
    tag = FloodTagger(window_s=10, copy_min_viewers=3)
    got = [tag.tag("主播好美！", t=i, viewer_key=f"v{i}", intent="compliment") for i in range(4)]
    assert got == [("", ""), ("", ""), ("copy", "主播好美!"), ("copy", "主播好美!")]
    asks = [tag.tag("多少钱", t=i, viewer_key=f"v{i}", intent="price") for i in range(5)]
    assert asks == [("", "")] * 5  # identical questions are merged by the reply stage instead
    late = tag.tag("主播好美！", t=30, viewer_key="v9", intent="compliment")
    assert late == ("", "")  # the window has passed


@pytest.mark.parametrize(("text", "room", "lang"), [
    ("❤️❤️", "en", "en"), ("👍", "zh", "zh"), ("666", "en", "en"), ("W", "zh", "zh"), ("jjjj", "zh", "zh"),
    ("hahaha", "zh", "zh"), ("yyds", "zh", "zh"), ("kkkk", "en", "en"), ("hello", "zh", "en"),
    ("do you ship to Canada", "zh", "en"), ("多少钱", "en", "zh"), ("XL还有吗", "en", "zh"),
    ("Do you have S in 蓝色碎花?", "zh", "en"), ("iPhone 15 多少钱", "en", "zh"), ("かわいい", "en", "en"),
])
def test_reply_language_defaults_to_the_room_for_noise(text, room, lang):
    assert detect_lang(text, room) == lang
