"""Soak benchmark: a simulated working day on air through the real pipeline, at compressed time.

A generated session (realistic rates: 2-20 comments/s with bursts to 50, gift streaks, viewers
entering, likes, the now-selling product changing every 10-20 minutes) runs through the real
session (the shipped intent model, the recommender, real speech synthesis writing WAVs, no
audio device) on a virtual clock: as fast as the machine allows, every event handled before the
next. Printed per simulated hour: RSS, open file descriptors, threads, database and WAL size,
audio folder size, messages, reply-ready p95 (ms, that hour's messages) and event-loop lag p99.

Targets (issue "A whole working day"): RSS slope <= 5 MB per simulated hour after the first
hour; reply-ready p95 in the last hour within 20 % of the first; audio folder within its budget
(``storage.audio_keep_s``); WAL <= 64 MB.

Usage: .venv/bin/python bench/bench_soak.py [--hours 8] [--rate-scale 1.0] [--seed 0] [--no-audio]
(``--rate-scale 0.1`` = a tenth of the messages, for a quick run; the rates scale, the day does not.)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from app.events import (ChatReceived, GiftReceived, LikesReceived, ReplySuggested, SetNowSelling,  # noqa: E402
                        SourceConnected, SourceDisconnected, ViewerEntered, Viewer)

QUESTIONS = ["多少钱", "有货吗", "还有M码吗", "身高165体重55kg穿什么码", "发什么快递", "几天能到", "可以退换吗", "是什么面料",
             "3号多少钱", "5号还有吗", "有什么推荐的", "送妈妈买什么好", "两百以内有推荐吗", "how much is this",
             "is it in stock", "what size for 170cm 60kg", "拍了", "怎么买", "主播好漂亮", "质量太差了"]
CHAT = ["哈哈哈", "好看", "来了来了", "主播晚上好", "666", "1", "111", "扣1", "W", "太好看了", "支持主播", "nice", "lol"]
GIFTS = ["小心心", "玫瑰", "棒棒糖", "跑车", "火箭"]


class DaySource:
    """A generated working day as a chat source whose times are the stream's (a replay)."""

    spec = "soak:day"
    platform = "douyin"
    clock_source = True

    def __init__(self, hours: float, rate_scale: float, seed: int, listings: list[int]) -> None:
        self.hours, self.rate_scale, self.rng, self.listings = hours, rate_scale, random.Random(seed), listings
        self.generated = 0

    async def events(self, ctx):
        rng = self.rng
        end = self.hours * 3600.0
        t = 0.0
        n = 0
        next_switch = 0.0
        viewers = [Viewer("douyin", f"v{i}", f"观众{i}") for i in range(20_000)]
        yield SourceConnected(t=0.0, source=self.spec, platform=self.platform)
        while t < end:
            minute = int(t // 60)
            base = 2 + 18 * (0.5 + 0.5 * __import__("math").sin(minute / 37.0)) ** 2  # 2..20 comments/s
            burst = rng.random() < 0.02
            rate = (50 if burst else base) * self.rate_scale
            t += rng.expovariate(rate)
            if t >= next_switch:
                yield SetNowSelling(t=t, listing_number=rng.choice(self.listings))
                next_switch = t + rng.uniform(600, 1200)
            v = rng.choice(viewers)
            n += 1
            mid = f"s{n}"
            r = rng.random()
            if r < 0.55:
                text = rng.choice(QUESTIONS if rng.random() < 0.5 else CHAT)
                yield ChatReceived(t=t, msg_id=mid, viewer=v, text=text)
            elif r < 0.65:  # a gift streak: 1-5 frames, thanked at its end
                frames = rng.randint(1, 5)
                gift = rng.choice(GIFTS)
                for k in range(frames):
                    yield GiftReceived(t=t + k * 0.3, msg_id=f"{mid}g{k}", viewer=v, gift_name=gift, count=k + 1,
                                       streak_id=mid, streak_end=k == frames - 1)
                t += frames * 0.3
            elif r < 0.9:
                yield ViewerEntered(t=t, msg_id=mid, viewer=v)
            else:
                yield LikesReceived(t=t, msg_id=mid, viewer=v, count=rng.randint(1, 30))
            self.generated = n
        yield SourceDisconnected(t=t, source=self.spec, platform=self.platform, reason="ended")


class HourlyProbe:
    """Observer: per simulated hour, the process and store figures and that hour's latencies."""

    def __init__(self, session_ref: dict, out_dir: Path, audio_dir: Path, db_path: Path) -> None:
        import psutil

        from app.observers import LatencySketch

        self.proc = psutil.Process()
        self.session_ref = session_ref
        self.audio_dir, self.db_path, self.out_dir = audio_dir, db_path, out_dir
        self.hour = 0
        self.rows: list[dict] = []
        self.sketch = LatencySketch()
        self.received: dict[str, float] = {}
        self.messages = 0
        self.started = time.perf_counter()
        self._sk = LatencySketch

    def on_event(self, e) -> None:
        now = time.perf_counter()
        if isinstance(e, ChatReceived):
            self.received[e.msg_id] = now
            self.messages += 1
        elif isinstance(e, ReplySuggested) and e.msg_ids:
            start = self.received.pop(e.msg_ids[0], None)
            for m in e.msg_ids[1:]:
                self.received.pop(m, None)
            if start is not None:
                self.sketch.add(now - start)
        if len(self.received) > 5000:
            for k in list(self.received)[:2500]:
                del self.received[k]
        if e.t >= (self.hour + 1) * 3600.0:
            self.hour += 1
            self._snapshot()

    def _snapshot(self) -> None:
        session = self.session_ref.get("s")
        lag = session.housekeeping.lag.quantile(0.99) if session is not None else None
        audio = sum(f.stat().st_size for f in self.audio_dir.rglob("*.wav")) if self.audio_dir.exists() else 0
        wal = Path(str(self.db_path) + "-wal")
        p95 = self.sketch.quantile(0.95)
        self.rows.append({
            "hour": self.hour, "rss_mb": self.proc.memory_info().rss / 1e6, "fds": self.proc.num_fds(),
            "threads": self.proc.num_threads(), "db_mb": self.db_path.stat().st_size / 1e6,
            "wal_mb": wal.stat().st_size / 1e6 if wal.exists() else 0.0, "audio_mb": audio / 1e6,
            "messages": self.messages, "p95_ms": None if p95 is None else p95 * 1000,
            "lag_p99_ms": None if lag is None else lag * 1000, "wall_s": time.perf_counter() - self.started})
        self.sketch = self._sk()
        self.messages = 0
        print(f"  simulated hour {self.hour} done after {self.rows[-1]['wall_s']:.0f} s wall", file=sys.stderr, flush=True)


async def run(args) -> list[dict]:
    from app.catalog.importer import load_catalog
    from app.paths import DEMO_CATALOG, DEMO_INTERACTIONS
    from app.session import Session, SessionOptions, load_engines, open_store
    from app.settings import load_settings

    out = Path(tempfile.mkdtemp(prefix="livehost-soak-"))
    settings = load_settings(out / "none.toml", {"data_dir": str(out)})
    catalog = load_catalog(DEMO_CATALOG).catalog
    store = open_store(out / "session.sqlite3")
    engines = load_engines(settings, catalog, store=store, audio=not args.no_audio, playback=False,
                           interactions_file=DEMO_INTERACTIONS)
    listings = sorted(p.listing_number for p in catalog if p.listing_number is not None)
    source = DaySource(args.hours, args.rate_scale, args.seed, listings)
    audio_dir = out / "audio"
    ref: dict = {}
    probe = HourlyProbe(ref, out, audio_dir, out / "session.sqlite3")
    session = Session(settings, catalog, engines, store=store, session_id="soak", sources=[source],
                      observers=[probe], options=SessionOptions(audio_dir=audio_dir, auto_delay_s=0.0, speed=None,
                                                                metrics_every_s=0.0, end_with_sources=True))
    ref["s"] = session
    try:
        await session.run()
    finally:
        engines.close()
    print(f"  {source.generated} events generated; data in {out}", file=sys.stderr)
    return probe.rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hours", type=float, default=8.0)
    ap.add_argument("--rate-scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-audio", action="store_true")
    args = ap.parse_args()
    rows = asyncio.run(run(args))
    from benchlib import print_table

    def f(v, fmt="{:.1f}"):
        return "-" if v is None else fmt.format(v)

    table = [(str(r["hour"]), f(r["rss_mb"]), str(r["fds"]), str(r["threads"]), f(r["db_mb"]), f(r["wal_mb"]),
              f(r["audio_mb"]), str(r["messages"]), f(r["p95_ms"]), f(r["lag_p99_ms"]), f(r["wall_s"], "{:.0f}"))
             for r in rows]
    print_table(table, header="hour", columns=("RSS MB", "fds", "threads", "DB MB", "WAL MB", "audio MB", "comments",
                                               "reply-ready p95 ms", "loop lag p99 ms", "wall s"),
                title=f"LiveHost soak: {args.hours:g} simulated hours at rate scale {args.rate_scale:g}")
    if len(rows) >= 3:
        slope = (rows[-1]["rss_mb"] - rows[0]["rss_mb"]) / (rows[-1]["hour"] - rows[0]["hour"])
        first, last = rows[0]["p95_ms"], rows[-1]["p95_ms"]
        print(f"RSS slope after hour 1: {slope:+.2f} MB per simulated hour (target <= 5); "
              f"reply-ready p95 last / first hour: {last / first if first and last else float('nan'):.2f} (target <= 1.2); "
              f"max WAL {max(r['wal_mb'] for r in rows):.1f} MB (target <= 64)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
