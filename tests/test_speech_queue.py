"""The budgeted speech queue, events in / events out, in stream time: priorities, age limits,
the speech share, overflow, mutes -- with the real speech stage writing files (no player)."""
import asyncio
from pathlib import Path

from app.events import (MuteSpeech, ReplyApproved, ReplyRejected, ReplySuggested, SayText, Speak, SpeakNow,
                        SpeechSynthesized, StreamTimeAdvanced, Viewer)
from app.pipeline import Pipeline
from app.reply.stage import ApprovalStage
from app.speaking import SpeechStage
from app.speech_queue import ANSWER, GREETING, PURCHASE, SELLER, THANKS, SpeechQueueStage, tier_of
from tests.fakes import SynthResult

V = Viewer("douyin", "u1", "小美")


class TimedSynth:
    def __init__(self, seconds):
        self.seconds = seconds

    def synthesize(self, text, lang, path):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_bytes(b"RIFF")
        return SynthResult(Path(path), duration_s=self.seconds)


def _line(rid, intent, t, text="「纯棉圆领T恤」现在直播间价59.9元"):
    return [ReplySuggested(t=t, reply_id=rid, msg_ids=(f"m{rid}",), viewer=V, intent=intent, lang="zh", text=text,
                           askers=(V,)),
            ReplyApproved(t=t, reply_id=rid, text=text, lang="zh", by="auto"),
            Speak(t=t, reply_id=rid, text=text, lang="zh", intent=intent)]


def _run(tmp_path, script, *, seconds=5.0, until=120.0, **queue_kw):
    """``script``: (t, [events]) pairs, published in order with clock ticks every 0.5 s between."""
    out = []

    class Rec:
        def on_event(self, e):
            out.append(e)

    queue = SpeechQueueStage(**queue_kw)

    async def go():
        p = Pipeline([queue, SpeechStage(TimedSynth(seconds), tmp_path, None, queued=True)], [Rec()])
        await p.start()
        t = 0.0
        pending = sorted(script, key=lambda x: x[0])
        while t <= until:
            while pending and pending[0][0] <= t:
                for e in pending.pop(0)[1]:
                    await p.publish(e)
                    await p.drain()
            await p.publish(StreamTimeAdvanced(t=t))
            await p.drain()
            t += 0.5
        await p.stop()

    asyncio.run(go())
    return out, queue


def test_tiers_follow_who_let_the_line_through():
    assert tier_of("price", "seller") == SELLER and tier_of("say", "seller") == SELLER
    assert tier_of("price", "auto") == ANSWER and tier_of("introduce", "rotation", "rotation") == ANSWER
    assert tier_of("purchase_intent", "auto") == PURCHASE and tier_of("gift", "auto") == THANKS
    assert tier_of("greeting", "auto") == GREETING and tier_of("compliment", "auto") == GREETING


def test_waiting_lines_are_said_by_priority_not_arrival(tmp_path):
    script = [(0.0, _line("busy", "price", 0.0)),
              (1.0, _line("hi", "greeting", 1.0) + _line("thx", "gift", 1.0) + _line("buy", "purchase_intent", 1.0)
               + _line("ans", "stock", 1.0))]
    out, _ = _run(tmp_path, script, seconds=2.0, until=30)
    assert [e.reply_id for e in out if isinstance(e, SpeakNow)] == ["busy", "ans", "buy", "thx", "hi"]
    starts = {e.reply_id: e.t for e in out if isinstance(e, SpeakNow)}
    assert starts["ans"] >= starts["busy"] + 2.0  # the host was busy saying the first for 2 s of stream time


def test_a_greeting_goes_stale_a_thank_you_is_merged_the_sellers_line_never_expires(tmp_path):
    def approved(rid, intent, t):  # the approval stage turns the approval into the Speak
        return [e for e in _line(rid, intent, t) if not isinstance(e, Speak)]

    script = [(0.0, approved("long", "price", 0.0)),
              (1.0, approved("hi", "greeting", 1.0) + approved("thx", "gift", 1.0)),
              (2.0, [SayText(t=2.0, text="大家抓紧拍")])]
    out = []

    class Rec:
        def on_event(self, e):
            out.append(e)

    async def go():  # the seller's typed line goes through the approval stage
        p = Pipeline([ApprovalStage(()), SpeechQueueStage(),
                      SpeechStage(TimedSynth(40.0), tmp_path, None, queued=True)], [Rec()])
        await p.start()
        t = 0.0
        for when, events in script:
            while t < when:
                await p.publish(StreamTimeAdvanced(t=t))
                await p.drain()
                t += 0.5
            for e in events:
                await p.publish(e)
                await p.drain()
        while t <= 100:
            await p.publish(StreamTimeAdvanced(t=t))
            await p.drain()
            t += 0.5
        await p.stop()

    asyncio.run(go())
    dropped = {e.reply_id: e.reason for e in out if isinstance(e, ReplyRejected)}
    assert dropped == {"hi": "stale", "thx": "merged"}
    said = [e for e in out if isinstance(e, SpeakNow)]
    assert [e.reply_id for e in said][0] == "long" and said[1].reply_id.startswith("say")
    assert said[1].t == 40.0 and said[1].waited_s == 38.0  # waited for the host, never dropped


def test_the_host_never_speaks_more_than_its_share_of_stream_time(tmp_path):
    script = [(i * 2.0, _line(f"a{i}", "price", i * 2.0)) for i in range(60)]  # a question every 2 s
    out, queue = _run(tmp_path, script, seconds=6.0, until=120, max_share=0.5, share_window_s=60,
                      max_age_s={ANSWER: 600}, max_queued=100)
    starts = [e.t for e in out if isinstance(e, SpeakNow)]
    for lo in range(0, 60, 5):  # every 60 s window: at most half of it spoken
        spoken = sum(6.0 for s in starts if lo <= s < lo + 60)
        assert spoken <= 30.0 + 6.0, (lo, spoken)  # the last line may run over the edge
    assert len(starts) >= 9
    assert abs(queue.share(120.0) - 0.5) <= 0.1


def test_a_full_queue_drops_the_lowest_priority_oldest_line(tmp_path):
    script = [(0.0, _line("busy", "price", 0.0)),
              (1.0, _line("g1", "greeting", 1.0) + _line("t1", "gift", 1.0) + _line("a1", "price", 1.0)),
              (1.5, _line("a2", "stock", 1.5))]
    out, queue = _run(tmp_path, script, seconds=3.0, until=20, max_queued=3)
    assert [(e.reply_id, e.reason) for e in out if isinstance(e, ReplyRejected)][0] == ("g1", "overflow")
    assert queue.stats.dropped["overflow"] == 1


def test_panic_mute_drops_everything_waiting(tmp_path):
    script = [(0.0, _line("busy", "price", 0.0)),
              (1.0, _line("a1", "price", 1.0) + _line("a2", "stock", 1.0)),
              (2.0, [MuteSpeech(t=2.0, muted=True)])]
    out, _ = _run(tmp_path, script, seconds=10.0, until=20)
    assert sorted((e.reply_id, e.reason) for e in out if isinstance(e, ReplyRejected)) == [
        ("a1", "muted"), ("a2", "muted")]
    assert [e.reply_id for e in out if isinstance(e, SpeechSynthesized)] == ["busy"]


def test_the_sellers_approval_countdown_does_not_count_against_the_age_limit(tmp_path):
    hi = _line("hi", "greeting", 1.0)
    script = [(1.0, hi[:1]), (20.0, hi[1:])]  # drafted at 1 s, approved (after a countdown) at 20 s
    out, _ = _run(tmp_path, script, seconds=2.0, until=30)
    (said,) = [e for e in out if isinstance(e, SpeakNow)]
    assert said.reply_id == "hi" and said.t >= 19.5 and said.age_s == said.t - 1.0  # the true age is reported
    assert not [e for e in out if isinstance(e, ReplyRejected)]
