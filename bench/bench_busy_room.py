"""A busy room through the real pipeline: does the host keep up without talking all the time?

A seeded generator plays a shop room -- 30 gifts/min (most of them combos that repeat sender and
gift within 3 s), 100 comments/min of which a third are floods (``1`` / ``扣1`` / ``666`` / ``W`` /
pasted lines), a few insults and offensive nicknames, 60 entries/min, likes, follows, a product
switch every 3 minutes and a line typed by the seller every 2 minutes -- for ``--minutes`` of
stream time, *paced* by stream time (``--speed`` x real time), through the real session: the
shipped intent model, the offensive-language detector, the reply / thanks / flood / moderation
stages, approval with auto-approve, the budgeted speech queue and real synthesis (pyttsx3) with no
audio device (silent preview, paced like playback).

Printed (rich tables):

* spoken time / stream time (target <= 0.6) and what the queue dropped or merged, by reason;
* the age of a reply when it is spoken -- stream seconds from the message it answers to the start
  of its speech -- p50 / p95 / max (target p95 <= 15 s; the seller's own lines excepted);
* the held share (messages whose reply waits for the seller, of all comments) by reason;
* the speech queue's length each minute (max and mean of the clock-tick samples).

Usage (repository root)::

    .venv/bin/python bench/bench_busy_room.py [--minutes 10] [--speed 1] [--seed 0]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchlib import percentile, print_table  # noqa: E402

NICKS = ["小美", "阿强", "Lily", "晴天", "豆豆妈", "橘子汽水", "北方的狼", "momo", "Grace", "小林同学", "奶茶续命",
         "芒果布丁", "陈阿姨", "春天里", "深夜食堂", "Sunny", "九九", "阿May", "糖糖", "欧阳", "路人甲", "小雨点",
         "喵喵喵", "风吹麦浪", "大橙子", "吃货一枚", "葡萄", "海绵宝宝", "Amy", "Bo"]
BAD_NICKS = ["傻逼一号", "操你妈", "fuck you", "Hitler粉丝"]
GIFTS = ["小心心", "玫瑰", "你最好看", "人气票", "棒棒糖", "小星星", "墨镜", "嘉年华"]
QUESTIONS = ["多少钱", "这件多少钱呀", "还有货吗", "M码还有吗", "身高165体重55kg穿什么码", "什么时候发货", "包邮吗",
             "是纯棉的吗", "能退吗", "有优惠券吗", "黑色还有吗", "5号链接多少钱", "8号还有吗", "发什么快递",
             "how much is it", "do you ship abroad", "is it cotton", "3号多少钱", "有没有L码", "洗了会缩水吗"]
CHAT = ["主播好美", "好看", "今天穿得真好看", "大家好", "晚上好", "来了来了", "主播声音好好听", "刚下班", "第一次来",
        "❤️❤️", "👍", "hello everyone", "nice", "拜拜下次见", "主播辛苦了", "这个颜色好显白", "哈喽", "gg",
        "我也想要", "已经拍了"]
FLOODS = ["1", "1", "111", "扣1", "1111111", "666", "6666", "W", "哈哈哈哈", "+1", "冲冲冲", "？？？"]
PASTE = ["主播好美主播好美", "支持主播！！！", "抢到了吗"]
INSULTS = ["主播是傻逼", "你长得真丑", "You're so fat", "垃圾主播", "滚出直播间"]


def make_events(minutes: float, seed: int = 0) -> list[dict]:
    """The room, as (stream time, kind, fields) dicts sorted by time."""
    rng = random.Random(seed)
    end = minutes * 60.0
    out: list[dict] = []

    def poisson(rate_per_min: float):
        t = 0.0
        while True:
            t += rng.expovariate(rate_per_min / 60.0)
            if t >= end:
                return
            yield t

    for i in range(int(end // 180) + 1):
        out.append({"t": i * 180.0 + 0.5, "kind": "now_selling", "listing": [3, 5, 8][i % 3]})
    for i in range(1, int(end // 120) + 1):
        out.append({"t": i * 120.0, "kind": "say", "text": "大家喜欢的抓紧拍，库存不多了"})
    t_gift = 0.0
    for t in poisson(10):  # 10 senders/min, each a combo of ~3 frames within 3 s: ~30 gift events/min
        nick = rng.choice(BAD_NICKS) if rng.random() < 0.04 else rng.choice(NICKS)
        gift = rng.choice(GIFTS)
        uid = f"g{abs(hash(nick)) % 10_000}"
        for k in range(rng.choice([1, 2, 3, 4, 5])):
            t_gift = t + k * 0.7
            if t_gift < end:
                out.append({"t": t_gift, "kind": "gift", "uid": uid, "nick": nick, "gift": gift, "count": 1})
    people = {f"u{i}": (rng.choice(BAD_NICKS) if rng.random() < 0.02 else f"{rng.choice(NICKS)}{i}")
              for i in range(400)}  # one nickname per viewer, as on a platform
    people.update({f"troll{i}": f"路人{i}" for i in range(3)})
    for t in poisson(100):
        r = rng.random()
        uid = f"u{rng.randrange(400)}"
        if r < 0.30:
            text = rng.choice(FLOODS)
        elif r < 0.36:
            text = rng.choice(PASTE)
        elif r < 0.58:
            text = rng.choice(QUESTIONS)
        elif r < 0.97:
            text = rng.choice(CHAT)
        else:
            text, uid = rng.choice(INSULTS), f"troll{rng.randrange(3)}"
        out.append({"t": t, "kind": "comment", "uid": uid, "nick": people[uid], "text": text})
    for t in poisson(60):
        out.append({"t": t, "kind": "enter", "uid": f"e{rng.randrange(5000)}", "nick": rng.choice(NICKS)})
    for t in poisson(30):
        uid = f"u{rng.randrange(400)}"
        out.append({"t": t, "kind": "like", "uid": uid, "nick": people[uid], "count": rng.randrange(1, 30)})
    for t in poisson(5):
        out.append({"t": t, "kind": "follow", "uid": f"f{rng.randrange(5000)}", "nick": rng.choice(NICKS)})
    out.sort(key=lambda e: e["t"])
    return out


class BusyRoomSource:
    """A paced clock source playing :func:`make_events` (like a replay file at ``speed``)."""

    spec = "bench:busy-room"
    platform = "douyin"
    clock_source = True

    def __init__(self, events: list[dict], speed: float) -> None:
        self.items = events
        self.speed = speed

    async def events(self, ctx=None):
        from app.events import (ChatReceived, GiftReceived, LikesReceived, SayText, SetNowSelling, Viewer,
                                ViewerEntered, ViewerFollowed)

        start = time.monotonic()
        for i, e in enumerate(self.items):
            delay = start + e["t"] / self.speed - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            t, kind = e["t"], e["kind"]
            v = Viewer("douyin", e.get("uid", ""), e.get("nick", ""))
            mid = f"b{i}"
            if kind == "comment":
                yield ChatReceived(t=t, msg_id=mid, viewer=v, text=e["text"])
            elif kind == "gift":
                yield GiftReceived(t=t, msg_id=mid, viewer=v, gift_name=e["gift"], count=e["count"])
            elif kind == "enter":
                yield ViewerEntered(t=t, msg_id=mid, viewer=v)
            elif kind == "like":
                yield LikesReceived(t=t, msg_id=mid, viewer=v, count=e["count"])
            elif kind == "follow":
                yield ViewerFollowed(t=t, msg_id=mid, viewer=v)
            elif kind == "now_selling":
                yield SetNowSelling(t=t, listing_number=e["listing"])
            elif kind == "say":
                yield SayText(t=t, text=e["text"], lang="zh")


class Measure:
    """Observer: speech, ages, held replies and the queue's length over stream time."""

    def __init__(self) -> None:
        from app.events import (ReplyApproved, ReplyRejected, ReplySuggested, SpeakNow, SpeechStarted,
                                StreamTimeAdvanced)

        self.kinds = (ReplySuggested, ReplyRejected, SpeakNow, SpeechStarted, StreamTimeAdvanced, ReplyApproved)
        self.session = None
        self.suggested = {}
        self.approved_by = {}
        self.ages: list[float] = []
        self.seller_ages: list[float] = []
        self.spoken_s = 0.0
        self.spoken_by_kind: Counter[str] = Counter()
        self.dropped: Counter[str] = Counter()
        self.queue: dict[int, list[int]] = defaultdict(list)
        self.comments = 0
        self.held_msgs: Counter[str] = Counter()

    def on_event(self, e) -> None:
        from app.events import (ChatReceived, ReplyApproved, ReplyRejected, ReplySuggested, SpeakNow, SpeechStarted,
                                StreamTimeAdvanced)

        if isinstance(e, ChatReceived):
            self.comments += 1
        elif isinstance(e, ReplySuggested):
            self.suggested[e.reply_id] = e
            if e.held_reason:
                self.held_msgs[e.held_reason] += len(e.msg_ids)
        elif isinstance(e, ReplyApproved):
            self.approved_by[e.reply_id] = e.by
        elif isinstance(e, ReplyRejected) and e.by == "policy":
            self.dropped[e.reason] += 1
        elif isinstance(e, SpeakNow):
            s = self.suggested.get(e.reply_id)
            seller = s is None or self.approved_by.get(e.reply_id) == "seller"
            (self.seller_ages if seller else self.ages).append(e.age_s)
        elif isinstance(e, SpeechStarted):
            self.spoken_s += e.duration_s
            s = self.suggested.get(e.reply_id)
            self.spoken_by_kind[s.intent if s is not None else "say"] += 1
        elif isinstance(e, StreamTimeAdvanced) and self.session is not None:
            q = self.session.speech_queue
            if q is not None:
                self.queue[int(e.t // 60)].append(q.queued)


async def run(minutes: float, speed: float, seed: int) -> tuple[Measure, float, float]:
    from app.catalog.importer import load_catalog
    from app.paths import DEMO_CATALOG
    from app.session import Session, SessionOptions, load_engines, open_store
    from app.settings import load_settings

    tmp = Path(tempfile.mkdtemp(prefix="busy-room-"))
    settings = load_settings(tmp / "none.toml", {"data_dir": str(tmp)})
    catalog = load_catalog(DEMO_CATALOG).catalog
    store = open_store(tmp / "busy.sqlite3")
    engines = load_engines(settings, catalog, store=store, use_recommender=False)
    measure = Measure()
    events = make_events(minutes, seed)
    source = BusyRoomSource(events, speed)
    session = Session(settings, catalog, engines, store=store, session_id="busy", sources=[source],
                      observers=[measure], options=SessionOptions(audio_dir=tmp / "audio", auto_delay_s=0.0,
                                                                   speed=speed, metrics_every_s=0.0,
                                                                   end_with_sources=True))
    measure.session = session
    wall = time.perf_counter()
    try:
        await session.run()
    finally:
        engines.close()
        store.close()
    return measure, minutes * 60.0, time.perf_counter() - wall


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10.0, help="stream minutes (default 10)")
    ap.add_argument("--speed", type=float, default=1.0, help="stream seconds per wall second (default 1)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    events = make_events(args.minutes, args.seed)
    per_min = Counter(e["kind"] for e in events)
    m, stream_s, wall = asyncio.run(run(args.minutes, args.speed, args.seed))
    share = m.spoken_s / stream_s
    held = sum(m.held_msgs.values())
    rows = [
        ("stream time / wall time", f"{stream_s:.0f} s / {wall:.0f} s (speed {args.speed:g})"),
        ("events", ", ".join(f"{k} {v / args.minutes:.1f}/min" for k, v in sorted(per_min.items()))),
        ("spoken time / stream time", f"{share:.3f}  (target <= 0.6; {m.spoken_s:.0f} s spoken)"),
        ("lines spoken by kind", ", ".join(f"{k} {v}" for k, v in m.spoken_by_kind.most_common())),
        ("withdrawn by the queue", ", ".join(f"{k} {v}" for k, v in m.dropped.most_common()) or "none"),
        ("reply age when spoken p50 / p95 / max",
         (f"{percentile(m.ages, 50):.1f} / {percentile(m.ages, 95):.1f} / {max(m.ages):.1f} s "
          f"(n={len(m.ages)}; target p95 <= 15 s)") if m.ages else "none spoken"),
        ("seller lines: age when spoken max", f"{max(m.seller_ages):.1f} s (n={len(m.seller_ages)})"
         if m.seller_ages else "none"),
        ("held share of comments", f"{held / max(1, m.comments):.3f}  ({held} of {m.comments}: "
         + ", ".join(f"{k} {v}" for k, v in m.held_msgs.most_common()) + ")"),
    ]
    print_table(rows, title="Busy room: speech budget")
    qrows = [(f"{minute}-{minute + 1} min", f"{max(xs)}", f"{statistics.fmean(xs):.1f}")
             for minute, xs in sorted(m.queue.items())]
    print_table(qrows, header="stream minute", columns=("queue max", "queue mean"), title="Speech queue length")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
