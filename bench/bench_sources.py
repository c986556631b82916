"""Benchmark of the live chat sources against their local protocol servers (127.0.0.1).

Per source (Bilibili, Twitch, YouTube, TikTok), using the servers the tests use:

* **events/s sustained**: a burst of ``--burst`` chat messages, first to last yielded;
* **p95 latency**: frame sent by the server -> event yielded by the source, at ``--rate``
  messages per second (the send time travels inside the message text);
* **reconnect**: server drops the TCP connection -> next ``SourceConnected``, with the shipped
  default backoff (mean and max over ``--drops`` drops);
* **RSS over a simulated hour**: an hour of chat at 10 messages/s (36 000 messages) with a drop
  every simulated 10 minutes, replayed as fast as possible; RSS before and after.

Targets: >= 500 events/s per source, p95 <= 5 ms, reconnect <= 5 s.

Usage: .venv/bin/python bench/bench_sources.py [--burst 5000] [--rate 500] [--drops 3]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
warnings.filterwarnings("ignore", category=DeprecationWarning)

import psutil  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from app.events import ChatReceived, SourceConnected  # noqa: E402
from app.sources import open_source  # noqa: E402
from app.sources.live import Backoff  # noqa: E402
from tests import test_source_bilibili as tb  # noqa: E402
from tests import test_source_tiktok as tt  # noqa: E402
from tests import test_source_twitch as tw  # noqa: E402
from tests import test_source_youtube as ty  # noqa: E402
from tests.live_helpers import make_ctx  # noqa: E402

_n = iter(range(1, 10 ** 9))


def stamp() -> str:
    return f"t{time.perf_counter_ns()}"


# --------------------------------------------------------------------------- per platform
# each: (server factory(scripts), source factory(server, backoff), message builder -> item, batch)

def bili_item(k=1):
    return lambda: tb.zlib_body(*[tb.danmu(1000 + i, "v", stamp(), id_str=f"b{next(_n)}") for i in range(k)])


def twitch_item(k=1):
    return lambda: "\r\n".join(tw.privmsg(7, "V", stamp(), f"w{next(_n)}") for _ in range(k))


def tiktok_item(k=1):
    return lambda: tt.frame(*[tt.comment(9, "V", stamp()) for _ in range(k)])


PLATFORMS = {
    "bilibili": (lambda scripts: tb.BiliServer(scripts),
                 lambda srv, b, st: open_source("bilibili:6", endpoint=srv.url, use_keyring=False, backoff=b,
                                                stall_timeout_s=st), bili_item),
    "twitch": (lambda scripts: tw.IrcServer(scripts),
               lambda srv, b, st: open_source("twitch:shop", endpoint=srv.url, backoff=b, stall_timeout_s=st),
               twitch_item),
    "tiktok": (lambda scripts: tt.TikTokServer(scripts),
               lambda srv, b, st: open_source("tiktok:@shop", endpoint=srv.url, backoff=b, stall_timeout_s=st),
               tiktok_item),
}


def yt_poll(k, ms):
    return lambda: ([ty.text_item(f"y{next(_n)}", "V", "UC-v", ty.run_text(stamp())) for _ in range(k)], ms)


def latency_of(ev, now_ns):
    if isinstance(ev, ChatReceived) and ev.text.startswith("t"):
        return (now_ns - int(ev.text[1:])) / 1e6
    return None


async def consume(src, want: int, on=None):
    lat, first, last, got = [], None, None, 0
    agen = src.events(make_ctx())
    try:
        async for ev in agen:
            if on:
                on(ev)
            ms = latency_of(ev, time.perf_counter_ns())
            if ms is not None:
                lat.append(ms)
                got += 1
                first = first or time.perf_counter()
                last = time.perf_counter()
                if got >= want:
                    break
    finally:
        await agen.aclose()
    return lat, first, last


async def run_platform(name: str, args) -> dict:
    fast = Backoff()
    out: dict = {}
    if name == "youtube":
        batch = 50
        burst = [yt_poll(batch, 1) for _ in range(args.burst // batch)] + [([], 1)]
        async with ty.YtServer([burst]) as srv:
            lat, a, b = await consume(open_source(f"youtube:{ty.VID}", endpoint=srv.url, backoff=fast),
                                      args.burst - batch)
        out["eps"] = len(lat) / (b - a) if b > a else float("nan")
        paced = [yt_poll(max(1, args.rate // 100), 10) for _ in range(args.paced // max(1, args.rate // 100))] + [([], 10)]
        async with ty.YtServer([paced]) as srv:
            lat, _, _ = await consume(open_source(f"youtube:{ty.VID}", endpoint=srv.url, backoff=fast), args.paced - 10)
        out["lat"] = lat
        drops = [[yt_poll(1, 10), "DROP"]] * args.drops + [[yt_poll(1, 10), ([], 10)]]
        make_server = lambda scripts: ty.YtServer(scripts)  # noqa: E731
        mk_src = lambda srv: open_source(f"youtube:{ty.VID}", endpoint=srv.url, backoff=fast)  # noqa: E731
    else:
        make_server, make_src, item = PLATFORMS[name]
        batch = 10
        async with make_server([[item(batch) for _ in range(args.burst // batch)] + ["HOLD"]]) as srv:
            lat, a, b = await consume(make_src(srv, fast, 60), args.burst)
        out["eps"] = len(lat) / (b - a) if b > a else float("nan")
        gap = 1.0 / args.rate
        paced = [x for _ in range(args.paced) for x in (item(1), gap)] + ["HOLD"]
        async with make_server([paced]) as srv:
            lat, _, _ = await consume(make_src(srv, fast, 60), args.paced)
        out["lat"] = lat
        drops = [[item(1), 0.05, "DROP"]] * args.drops + [[item(1), "HOLD"]]
        mk_src = lambda srv: make_src(srv, fast, 60)  # noqa: E731

    # reconnect after a drop, with the shipped default backoff
    marks: list[tuple[str, float]] = []

    def on(ev):
        if isinstance(ev, SourceConnected):
            marks.append(("up", time.perf_counter()))
        elif type(ev).__name__ == "SourceDisconnected":
            marks.append(("down", time.perf_counter()))

    async with make_server(drops) as srv:
        await consume(mk_src(srv), args.drops + 1, on=on)
    gaps = [b[1] - a[1] for a, b in zip(marks, marks[1:]) if a[0] == "down" and b[0] == "up"]
    out["reconnect"] = gaps

    # RSS over a simulated hour: 36 000 messages, a drop every 6 000 (10 simulated minutes)
    gc.collect()
    proc = psutil.Process()
    rss0 = proc.memory_info().rss
    per = 6000 // batch
    if name == "youtube":
        hour = [[yt_poll(batch, 1) for _ in range(per)] + ["DROP"]] * 5 + [[yt_poll(batch, 1) for _ in range(per)] + [([], 1)]]
        async with ty.YtServer(hour) as srv:
            await consume(open_source(f"youtube:{ty.VID}", endpoint=srv.url, backoff=Backoff(first_s=0.05, jitter=0)),
                          36000 - batch * 6)
    else:
        hour = [[item(batch) for _ in range(per)] + [0.2, "DROP"]] * 5 + [[item(batch) for _ in range(per)] + ["HOLD"]]
        async with make_server(hour) as srv:
            await consume(make_src(srv, Backoff(first_s=0.05, jitter=0), 60), 36000 - batch * 6)
    gc.collect()
    out["rss"] = (rss0, proc.memory_info().rss)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--burst", type=int, default=5000)
    ap.add_argument("--rate", type=int, default=500, help="messages/s for the latency run")
    ap.add_argument("--paced", type=int, default=1000, help="messages in the latency run")
    ap.add_argument("--drops", type=int, default=3)
    ap.add_argument("--only", default="", help="comma-separated platforms")
    args = ap.parse_args()
    names = [n for n in ("bilibili", "twitch", "youtube", "tiktok") if not args.only or n in args.only.split(",")]
    table = Table(title="Live chat sources against local protocol servers (127.0.0.1)")
    for col in ("source", "events/s (burst)", "latency p50 ms", "latency p95 ms", "reconnect mean s",
                "reconnect max s", "RSS start MiB", "RSS after 1 h MiB", "targets"):
        table.add_column(col, justify="right" if col != "source" else "left")
    for name in names:
        r = asyncio.run(run_platform(name, args))
        q = statistics.quantiles(r["lat"], n=100)
        rec = r["reconnect"] or [float("nan")]
        ok = r["eps"] >= 500 and q[94] <= 5 and max(rec) <= 5
        table.add_row(name, f"{r['eps']:.0f}", f"{q[49]:.2f}", f"{q[94]:.2f}", f"{statistics.mean(rec):.2f}",
                      f"{max(rec):.2f}", f"{r['rss'][0] / 2**20:.0f}", f"{r['rss'][1] / 2**20:.0f}",
                      "met" if ok else "MISSED")
    Console(width=160).print(table)
    print("Targets: >= 500 events/s, p95 <= 5 ms, reconnect <= 5 s (default backoff: first retry 0.75-1.25 s).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
