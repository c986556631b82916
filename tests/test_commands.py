"""Host/seller commands through the real stages: countdown auto-approve and its cancel,
pause, panic mute stopping playback at once, interrupting speech, now-selling steps,
product introductions, repeat, and the feedback log."""
import asyncio

from app.events import (AutoApproveCancelled, AutoApproveScheduled, CancelAutoApprove, IntentClassified,
                        IntroduceProduct, MuteSpeech, NowSellingChanged, PauseAutoApprove, RepeatLastReply,
                        ReplyApproved, ReplyEdited, ReplyRejected, ReplySuggested, SayText, SetNowSelling,
                        Slots, Speak, SpeechFinished, SpeechMuted, SpeechStarted, SpeechSynthesized,
                        StepNowSelling, Viewer)
from app.observers import StoreRecorder
from app.pipeline import Pipeline
from app.reply.stage import ApprovalStage, ReplyStage
from app.speaking import SpeechStage
from app.store import SqliteStore
from tests.fakes import FakePlayer, FakeSynth, Rec

V = Viewer("douyin", "u1", "小美")


def _ic(text, intent, slots=Slots(), msg="m1"):
    return IntentClassified(t=1.0, msg_id=msg, viewer=V, text=text, lang="zh", intent=intent,
                            confidence=0.98, uncertain=False, slots=slots)


def test_countdown_auto_approves_and_cancel_stops_it(catalog):
    rec = Rec()

    async def run():
        p = Pipeline([ReplyStage(catalog), ApprovalStage(("price",), auto_delay_s=0.2)], [rec])
        await p.start()
        await p.publish(_ic("3号多少钱", "price", Slots(listing_number=3), msg="a"))
        await p.publish(_ic("5号多少钱", "price", Slots(listing_number=5), msg="b"))
        await p.drain()
        sched = rec.of(AutoApproveScheduled)
        assert [s.delay_s for s in sched] == [0.2, 0.2]
        await p.publish(CancelAutoApprove(reply_id=sched[1].reply_id))
        await asyncio.sleep(0.4)
        await p.stop()

    asyncio.run(run())
    approved = rec.of(ReplyApproved)
    suggested = {s.msg_ids[0]: s.reply_id for s in rec.of(ReplySuggested)}
    assert [a.reply_id for a in approved] == [suggested["a"]]
    assert [(c.reply_id, c.reason) for c in rec.of(AutoApproveCancelled)] == [(suggested["b"], "seller")]
    assert len(rec.of(Speak)) == 1


def test_pause_holds_auto_approve(catalog):
    rec = Rec()

    async def run():
        p = Pipeline([ReplyStage(catalog), ApprovalStage(("price",))], [rec])
        await p.start()
        await p.publish(PauseAutoApprove(paused=True))
        await p.drain()
        await p.publish(_ic("3号多少钱", "price", Slots(listing_number=3), msg="a"))
        await p.drain()
        await p.publish(PauseAutoApprove(paused=False))
        await p.drain()
        await p.publish(_ic("5号多少钱", "price", Slots(listing_number=5), msg="b"))
        await p.stop()

    asyncio.run(run())
    suggested = {s.msg_ids[0]: s.reply_id for s in rec.of(ReplySuggested)}
    assert [a.reply_id for a in rec.of(ReplyApproved)] == [suggested["b"]]


def test_panic_mute_stops_playback_at_once_and_pauses_auto_approve(catalog, tmp_path):
    rec = Rec()
    player = FakePlayer()
    synth = FakeSynth()

    async def run():
        p = Pipeline([ReplyStage(catalog), ApprovalStage(("price",)), SpeechStage(synth, tmp_path, player)], [rec])
        await p.start()
        await p.publish(_ic("3号多少钱", "price", Slots(listing_number=3), msg="a"))
        while not player.started.is_set():
            await asyncio.sleep(0.01)
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        await p.publish(MuteSpeech(muted=True))   # playback is blocking the speech stage right now
        assert player.stops == 1                  # stop() was called synchronously, not queued
        await p.drain()
        elapsed = loop.time() - t0
        await p.publish(_ic("5号多少钱", "price", Slots(listing_number=5), msg="b"))
        await p.stop()
        return elapsed

    elapsed = asyncio.run(run())
    assert elapsed < 1.5  # the 2 s playback was cut short (an ordering check, not a benchmark)
    fin = rec.of(SpeechFinished)
    assert len(fin) == 1 and fin[0].interrupted is True
    assert [m.muted for m in rec.of(SpeechMuted)] == [True]
    assert len(rec.of(ReplyApproved)) == 1     # the reply after the mute was not auto-approved
    assert len(player.played) == 1


def test_say_text_interrupts_and_repeat(catalog, tmp_path):
    rec = Rec()
    player = FakePlayer()
    synth = FakeSynth()

    async def run():
        p = Pipeline([ApprovalStage(()), SpeechStage(synth, tmp_path, player)], [rec])
        await p.start()
        await p.publish(SayText(text="先说第一句", lang="zh"))
        while not player.started.is_set():
            await asyncio.sleep(0.01)
        player.started.clear()
        await p.publish(SayText(text="马上说这句", lang="zh", interrupt=True))
        await p.drain()
        await p.publish(RepeatLastReply())
        await asyncio.sleep(0.05)
        player.stop()
        await p.drain()
        player.stop()
        await p.stop()

    asyncio.run(run())
    assert [c[0] for c in synth.calls] == ["先说第一句", "马上说这句", "马上说这句"]
    assert rec.of(SpeechFinished)[0].interrupted is True
    assert [s.interrupt for s in rec.of(Speak)] == [False, True, False]


def test_now_selling_steps_and_introduce(catalog):
    rec = Rec()

    async def run():
        p = Pipeline([ReplyStage(catalog), ApprovalStage(())], [rec])
        await p.start()
        for ev in (SetNowSelling(listing_number=3), StepNowSelling(step=1), StepNowSelling(step=1),
                   StepNowSelling(step=1), StepNowSelling(step=-1), IntroduceProduct(listing_number=3),
                   IntroduceProduct(listing_number=8)):
            await p.publish(ev)
            await p.drain()
        await p.stop()

    asyncio.run(run())
    # listings 3 -> 5 -> 8 -> (stays 8) -> 5
    assert [c.product_id for c in rec.of(NowSellingChanged)] == ["P1", "P2", "P3", "P2"]
    intro = [s for s in rec.of(ReplySuggested) if s.intent == "introduce"]
    assert [s.text for s in intro] == ["纯棉面料，透气不闷。"]
    assert [a.by for a in rec.of(ReplyApproved)] == ["seller"]
    from app.events import ErrorOccurred

    assert [e.code for e in rec.of(ErrorOccurred)] == ["introduce-no-script"]  # the mug has no script


def test_rejections_and_edits_are_logged(catalog):
    store = SqliteStore(":memory:")
    rec = Rec()

    async def run():
        p = Pipeline([ReplyStage(catalog), ApprovalStage(())], [rec, StoreRecorder(store, "s1")])
        await p.start()
        await p.publish(_ic("3号多少钱", "price", Slots(listing_number=3), msg="a"))
        await p.publish(_ic("5号多少钱", "price", Slots(listing_number=5), msg="b"))
        await p.drain()
        a, b = rec.of(ReplySuggested)
        await p.publish(ReplyRejected(reply_id=a.reply_id))
        await p.publish(ReplyEdited(reply_id=b.reply_id, old_text=b.text, new_text="浴巾39元，今晚包邮"))
        await p.publish(ReplyApproved(reply_id=b.reply_id, text="浴巾39元，今晚包邮", lang="zh", by="seller"))
        await p.stop()

    asyncio.run(run())
    fb = store.feedback("s1")
    assert [(f["action"], f["intent"]) for f in fb] == [("rejected", "price"), ("edited", "price"),
                                                        ("approved", "price")]
    assert fb[1]["new_text"] == "浴巾39元，今晚包邮"
    assert [s.text for s in rec.of(Speak)] == ["浴巾39元，今晚包邮"]
