"""Reply composer and reply/approval stages: events in, events out, facts only from the catalog."""
import asyncio
from decimal import Decimal

import pytest

from app.events import (GiftReceived, IntentClassified, NoReply, NowSellingChanged, ReplyApproved,
                        ReplySuggested, SetNowSelling, Slots, Speak, ViewerEntered, ViewerFollowed, Viewer)
from app.pipeline import Pipeline
from app.reply.composer import ReplyComposer
from app.reply.guard import FactGuard
from app.reply.stage import ApprovalStage, ReplyStage

V = Viewer("douyin", "u1", "小美")


def _ic(text, intent, slots=Slots(), *, msg="m1", lang="zh", uncertain=False, viewer=V, conf=0.97):
    return IntentClassified(t=1.0, msg_id=msg, viewer=viewer, text=text, lang=lang, intent=intent,
                            confidence=conf, uncertain=uncertain, slots=slots)


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


def _only(events, cls):
    return [e for e in events if isinstance(e, cls)]


def test_price_reply_uses_catalog_price(catalog):
    out = _run([ReplyStage(catalog)], [_ic("3号链接多少钱", "price", Slots(listing_number=3))])
    (s,) = _only(out, ReplySuggested)
    assert "59.9元" in s.text and "99元" in s.text and "「纯棉圆领T恤」" in s.text
    assert s.product_id == "P1" and s.held_reason == ""


def test_every_price_variant_matches_catalog(catalog):
    comp, guard = ReplyComposer(catalog), FactGuard(catalog)
    for lang in ("zh", "en"):
        for _ in range(12):
            for p in catalog:
                d = comp.compose("price", Slots(), lang, product=p, nickname="Lily")
                assert guard.check(d.text, d.product_ids).ok, d.text
                assert format(p.price.normalize(), "f") in d.text


def test_variants_do_not_repeat_immediately(catalog):
    comp = ReplyComposer(catalog, seed=3)
    texts = [comp.compose("compliment", Slots(), "zh", nickname="小美").text for _ in range(20)]
    assert all(a != b for a, b in zip(texts, texts[1:]))


def test_product_resolution_order(catalog):
    stage = ReplyStage(catalog)
    evs = [SetNowSelling(t=0.5, listing_number=8),
           _ic("多少钱", "price", msg="a"),                                        # now selling -> mug
           _ic("5号多少钱", "price", Slots(listing_number=5), msg="b"),           # listing number -> towel
           _ic("多少钱", "price", msg="c"),                                        # last asked -> towel
           _ic("T恤多少钱", "price", Slots(product_mentions=("P1",)), msg="d")]   # mention -> tee
    out = _run([stage], evs)
    assert _only(out, NowSellingChanged)[0].product_id == "P3"
    assert [s.product_id for s in _only(out, ReplySuggested)] == ["P3", "P2", "P2", "P1"]


def test_size_fit_uses_chart(catalog):
    comp = ReplyComposer(catalog)
    tee = catalog.get("P1")
    d = comp.compose("size_fit", Slots(height_cm=165, weight_kg=55), "zh", product=tee)
    assert "M码" in d.text and "165" in d.text
    assert FactGuard(catalog).check(d.text, d.product_ids, d.viewer_numbers).ok
    d2 = comp.compose("size_fit", Slots(height_cm=190, weight_kg=100), "zh", product=tee)
    assert d2.held_reason.startswith("missing_fact")
    d3 = comp.compose("size_fit", Slots(), "zh", product=tee)
    assert "S、M、L" in d3.text and "身高体重" in d3.text


def test_stock_by_size_and_sold_out(catalog):
    comp = ReplyComposer(catalog)
    tee = catalog.get("P1")
    d = comp.compose("stock", Slots(size="M"), "zh", product=tee)
    assert "还有19件" in d.text or "还剩19件" in d.text  # white M 12 + black M 7
    d = comp.compose("stock", Slots(size="L", color="white", color_word="白色"), "zh", product=tee)
    assert d.key == "stock_no"
    # a size the tee is not made in is not "sold out": say it does not come in it, and name the sizes
    d = comp.compose("stock", Slots(size="XXL"), "zh", product=tee)
    assert d.key == "size_no"
    assert "没有XXL码" in d.text and "、".join(tee.sizes) in d.text and "没货" not in d.text
    assert FactGuard(catalog).check(d.text, d.product_ids, d.viewer_numbers).ok
    d = comp.compose("stock", Slots(size="XXL"), "en", product=tee)
    assert "doesn't come in size XXL" in d.text and "sold out" not in d.text


def test_missing_fact_is_held_not_invented(catalog):
    comp = ReplyComposer(catalog)
    mug = catalog.get("P3")  # no shipping, no after-sales, no sizes
    for intent in ("shipping", "after_sales"):
        d = comp.compose(intent, Slots(), "zh", product=mug)
        assert d.held_reason.startswith("missing_fact"), intent
        assert not any(ch.isdigit() for ch in d.text)


def test_spam_chitchat_complaint_and_uncertain(catalog):
    out = _run([ReplyStage(catalog)], [
        _ic("加V看福利", "spam", msg="s"), _ic("666", "chitchat", msg="c"),
        _ic("质量太差了", "complaint", msg="k"), _ic("这个呢", "price", msg="u", uncertain=True, conf=0.3)])
    assert {n.msg_id: n.reason for n in _only(out, NoReply)} == {
        "s": "spam (never answered)", "c": "chitchat (no reply needed)"}
    held = {s.msg_ids[0]: s.held_reason for s in _only(out, ReplySuggested)}
    assert held == {"k": "complaint", "u": "uncertain_intent"}


def test_gift_streak_thanked_once_and_follow(catalog):
    g = Viewer("douyin", "u9", "阿强")
    evs = [GiftReceived(t=1, msg_id="g1", viewer=g, gift_name="小心心", count=1, streak_id="s", streak_end=False),
           GiftReceived(t=2, msg_id="g2", viewer=g, gift_name="小心心", count=5, streak_id="s", streak_end=False),
           GiftReceived(t=3, msg_id="g3", viewer=g, gift_name="小心心", count=9, streak_id="s", streak_end=True),
           ViewerFollowed(t=4, msg_id="f1", viewer=g), ViewerEntered(t=5, msg_id="e1", viewer=g)]
    # gifts, follows and entries are the thanks stage's (aggregated per window: one line here)
    from app.reply.thanks import ThanksStage

    out = _run([ReplyStage(catalog), ThanksStage(catalog, window_s=10)], evs)
    reply, hello = _only(out, ReplySuggested)
    assert (reply.msg_ids, reply.intent) == (("g3", "f1"), "gift")
    assert reply.text == "感谢阿强送的9个小心心！谢谢阿强的关注！" and reply.held_reason == ""
    assert (hello.text, hello.intent, hello.msg_ids) == ("欢迎阿强来到直播间～", "greeting", ())  # entries: batched
    assert [n.msg_id for n in _only(out, NoReply)] == ["g1", "g2", "e1"]


def test_nickname_filtered_before_speaking(catalog):
    bad = Viewer("douyin", "u3", "加V123456看福利")
    good = Viewer("douyin", "u4", "Lily🌸\u200b")
    tagged = Viewer("douyin", "u5", "<speak>免费</speak>")
    out = _run([ReplyStage(catalog)], [_ic("主播好美", "compliment", viewer=bad, msg="a"),
                                       _ic("主播好美", "compliment", viewer=good, msg="b"),
                                       _ic("主播好美", "compliment", viewer=tagged, msg="c")])
    a, b, c = _only(out, ReplySuggested)
    assert "加V" not in a.text and "123456" not in a.text
    assert "Lily" in b.text and "🌸" not in b.text and "\u200b" not in b.text
    assert "免费" not in c.text and "speak" not in c.text and "<" not in c.text


def test_listing_number_not_in_catalog_is_said_honestly(catalog):
    out = _run([ReplyStage(catalog)], [SetNowSelling(t=0.5, listing_number=3),
                                       _ic("999号链接多少钱", "price", Slots(listing_number=999))])
    (s,) = _only(out, ReplySuggested)
    assert "999号链接" in s.text and "59.9" not in s.text and s.product_id is None
    assert FactGuard(catalog).check(s.text, (), (Decimal(999),)).ok


def test_uncertain_noise_is_held_for_the_seller(catalog):
    out = _run([ReplyStage(catalog)], [_ic("主播刚才说3号链接99元包邮对吧", "spam", uncertain=True, conf=0.4)])
    (s,) = _only(out, ReplySuggested)
    assert s.held_reason == "uncertain_intent" and "99" not in s.text


def test_english_reply_follows_language(catalog):
    out = _run([ReplyStage(catalog)], [_ic("how much is link 3", "price", Slots(listing_number=3), lang="en")])
    (s,) = _only(out, ReplySuggested)
    assert s.lang == "en" and "59.9 yuan" in s.text and "Cotton crew-neck T-shirt" in s.text


def test_fact_guard_holds_a_wrong_reply(catalog, monkeypatch):
    """If a phrasing ever carried a wrong number, the stage holds it instead of speaking."""
    from app.reply import phrasing

    monkeypatch.setitem(phrasing.PHRASES, "price", {"zh": ("「{title}」只要19.9元",), "en": ("{title_en} 1 yuan",)})
    out = _run([ReplyStage(catalog), ApprovalStage(("price",))],
               [_ic("3号多少钱", "price", Slots(listing_number=3))])
    (s,) = _only(out, ReplySuggested)
    assert s.held == "fact_guard: price 19.9 yuan is not a catalog price"
    assert (s.held_reason, s.held_detail) == ("fact_guard", "price 19.9 yuan is not a catalog price")
    assert _only(out, ReplyApproved) == [] and _only(out, Speak) == []


def test_approval_auto_and_manual(catalog):
    stage_out = _run([ReplyStage(catalog), ApprovalStage(("price",))], [
        _ic("3号多少钱", "price", Slots(listing_number=3), msg="a"),
        _ic("5号怎么发货", "shipping", Slots(listing_number=5), msg="b")])
    approved = _only(stage_out, ReplyApproved)
    speaks = _only(stage_out, Speak)
    assert len(approved) == 1 and approved[0].by == "auto"
    assert [s.text for s in speaks] == [approved[0].text]
    # a seller approval of the held/awaiting one leads to Speak too
    waiting = [s for s in _only(stage_out, ReplySuggested) if s.msg_ids == ("b",)][0]
    out2 = _run([ApprovalStage(())], [ReplyApproved(t=2, reply_id=waiting.reply_id, text="改过的话", lang="zh",
                                                    by="seller")])
    assert [(s.reply_id, s.text) for s in _only(out2, Speak)] == [(waiting.reply_id, "改过的话")]


def test_now_selling_is_resolved_at_the_message_time(catalog):
    """With a backlog, later now-selling switches can reach the reply stage before earlier
    messages: each message still refers to what was on sale at its own stream time."""
    evs = [SetNowSelling(t=1.0, listing_number=3), SetNowSelling(t=5.0, listing_number=8),
           IntentClassified(t=2.0, msg_id="a", viewer=V, text="多少钱", lang="zh", intent="price",
                            confidence=0.99, uncertain=False),
           IntentClassified(t=6.0, msg_id="b", viewer=V, text="多少钱", lang="zh", intent="price",
                            confidence=0.99, uncertain=False)]
    out = _run([ReplyStage(catalog)], evs)
    # "b" is the same viewer: the last-asked product (P1) no longer counts after the switch at t=5
    assert [s.product_id for s in _only(out, ReplySuggested)] == ["P1", "P3"]


@pytest.mark.parametrize("listing,text,expect_color,expect_size", [
    (6, "6号深灰色还有吗", "深灰色", None),
    (11, "浅蓝色30还有吗", "浅蓝色", "30"),
    (20, "白绿36有货吗 想要", "白绿", "36"),
    (20, "還有白绿嗎", "白绿", None),
])
def test_stock_answer_is_for_the_colour_and_size_asked(listing, text, expect_color, expect_size):
    """Stock answers name the SKU asked about and its own count (the demo's real questions)."""
    from app.catalog.importer import load_catalog
    from app.replay import DEMO_CATALOG
    from app.understanding.slots import SlotExtractor

    cat = load_catalog(DEMO_CATALOG).catalog
    p = cat.by_listing(listing)
    colors = [c for c in p.colors if c.startswith(expect_color)]
    assert colors, p.colors
    want = sum(s.stock for s in p.skus if s.color == colors[0] and (expect_size is None or s.size == expect_size))
    slots = SlotExtractor(cat).extract(text)
    d = ReplyComposer(cat).compose("stock", slots, "zh", product=p, text=text)
    assert colors[0] in d.text
    if expect_size:
        assert expect_size in d.text
    if want > 0:
        assert f"{want}件" in d.text, (d.text, want)
    else:
        assert d.key == "stock_no"
    assert FactGuard(cat).check(d.text, d.product_ids, d.viewer_numbers).ok
