"""Benchmark the local ingest endpoint (``ingest:``): sustained events/s over WebSocket and over
HTTP POST batches, latency from a frame leaving the grabber to the event being yielded, and RSS
over a simulated hour of chat.

Usage (from the repo root)::

    .venv/bin/python bench/bench_ingest.py [--events 20000] [--batch 100] [--paced-rate 500]
        [--paced-seconds 10] [--hour-rate 50]

The grabber runs in a separate process (aiohttp client, its own event loop), the endpoint and
a consumer that iterates it (what the session does) in this one, on 127.0.0.1.

* throughput: ``--events`` comment events sent as fast as the acknowledgements allow (WebSocket,
  up to 256 unacknowledged) or as ``--batch``-sized JSON arrays (POST); events/s = (events - 1)
  / (last yielded - first yielded), so the grabber process's start-up is not counted. The per-client rate limit is off here: it is a policy,
  not the capacity.
* latency: events paced at ``--paced-rate`` per second for ``--paced-seconds``; each carries its
  send time (``time.monotonic``, one clock for all processes); latency = yielded - sent, so it
  includes the loopback transfer on top of "frame received -> event yielded".
* memory: ``--hour-rate`` events/s for one hour of stream time (default 50/s = 180,000 events, a
  busy room), sent as fast as possible with a reconnect every 10,000 events; RSS of this process
  sampled every 10 %. The duplicate-id memory is bounded (20,000 ids), so RSS levels off.

Targets (issue): >= 500 events/s sustained, p95 <= 5 ms. Prints a table; exits 0 either way.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from app.events import Received  # noqa: E402
from app.sources.base import SourceContext  # noqa: E402
from app.sources.ingest import IngestChatSource, IngestLimits  # noqa: E402

TOKEN = "bench-token"


def _event(i: int, prefix: str, stamp: bool) -> dict:
    text = f"{time.monotonic():.9f}" if stamp else f"第{i}条：3号链接多少钱，有M码吗"
    return {"type": "comment", "id": f"{prefix}{i}", "platform": "douyin", "uid": f"u{i % 997}",
            "nickname": f"观众{i % 997}", "text": text}


# ------------------------------------------------------------------ the grabber (own process)

async def _ws_client(url: str, n: int, prefix: str, rate: float | None, window: int = 256,
                     reconnect_every: int = 0) -> None:
    import aiohttp

    async with aiohttp.ClientSession() as s:
        sent = 0
        while sent < n:
            chunk = n - sent if not reconnect_every else min(reconnect_every, n - sent)
            async with s.ws_connect(url) as ws:
                await ws.receive_json()  # welcome
                credit = asyncio.Semaphore(window)
                done = asyncio.Event()
                acked = 0

                async def reader():
                    nonlocal acked
                    async for msg in ws:
                        credit.release()
                        acked += 1
                        if acked == chunk:
                            done.set()
                            return

                task = asyncio.create_task(reader())
                start = time.monotonic()
                for i in range(sent, sent + chunk):
                    await credit.acquire()
                    if rate:
                        due = start + (i - sent) / rate
                        delay = due - time.monotonic()
                        if delay > 0:
                            await asyncio.sleep(delay)
                    await ws.send_str(json.dumps(_event(i, prefix, stamp=bool(rate)), ensure_ascii=False))
                await done.wait()
                await task
            sent += chunk


async def _post_client(url: str, n: int, prefix: str, batch: int) -> None:
    import aiohttp

    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {TOKEN}"}) as s:
        for start in range(0, n, batch):
            body = [_event(i, prefix, stamp=False) for i in range(start, min(n, start + batch))]
            async with s.post(url, data=json.dumps(body, ensure_ascii=False).encode()) as r:
                assert r.status == 200, await r.text()
                await r.read()


def _grabber(kind: str, url: str, n: int, prefix: str, arg: float | int | None, reconnect_every: int = 0) -> None:
    if kind == "ws":
        asyncio.run(_ws_client(url, n, prefix, rate=arg, reconnect_every=reconnect_every))
    else:
        asyncio.run(_post_client(url, n, prefix, int(arg)))


# ------------------------------------------------------------------ the endpoint (this process)

class Consumer:
    def __init__(self, src: IngestChatSource) -> None:
        self.src = src
        self.count = 0
        self.first = self.last = 0.0
        self.phase_first: float | None = None
        self.latencies: list[float] = []
        self.want_latency = False
        self.target = 0
        self.reached = asyncio.Event()
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        t0 = time.monotonic()
        async for ev in self.src.events(SourceContext(now=lambda: time.monotonic() - t0, run_blocking=None)):
            if not isinstance(ev, Received):
                continue
            now = time.monotonic()
            if self.count == 0:
                self.first = now
            if self.phase_first is None:
                self.phase_first = now
            self.count += 1
            self.last = now
            if self.want_latency:
                self.latencies.append(now - float(ev.text))
            if self.count >= self.target:
                self.reached.set()

    async def expect(self, n: int, timeout: float = 600) -> None:
        self.target = self.count + n
        self.reached.clear()
        if self.count < self.target:
            await asyncio.wait_for(self.reached.wait(), timeout)


async def _run_grabber(*args) -> float:
    """Start the grabber process; returns when it exits; the start time (monotonic) is returned."""
    ctx = mp.get_context("spawn")
    p = ctx.Process(target=_grabber, args=args)
    start = time.monotonic()
    p.start()
    await asyncio.get_running_loop().run_in_executor(None, p.join)
    if p.exitcode != 0:
        raise RuntimeError(f"grabber process failed ({p.exitcode})")
    return start


async def main(args) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    limits = IngestLimits(rate_per_s=None, max_batch=max(500, args.batch), burst=max(1000, args.batch))
    src = IngestChatSource(port=0, token=TOKEN, limits=limits)
    c = Consumer(src)
    ws_url = f"{src.ws_url}?token={TOKEN}&client=bench"
    await asyncio.sleep(0.2)

    # warm-up (imports, first connection)
    await _run_grabber("ws", ws_url, 500, "warm", None)
    await c.expect(0)

    # 1. WebSocket throughput
    n = args.events
    base = c.count
    c.phase_first = None
    proc = asyncio.create_task(_run_grabber("ws", ws_url, n, "ws", None))
    await c.expect(n - (c.count - base))
    await proc
    ws_rate = (n - 1) / (c.last - c.phase_first)
    rows.append(("WebSocket, sustained", f"{ws_rate:,.0f} events/s", ">= 500 events/s"))

    # 2. HTTP POST batches
    base = c.count
    c.phase_first = None
    proc = asyncio.create_task(_run_grabber("post", src.events_url, n, "post", args.batch))
    await c.expect(n - (c.count - base))
    await proc
    post_rate = (n - 1) / (c.last - c.phase_first)
    rows.append((f"HTTP POST, batches of {args.batch}", f"{post_rate:,.0f} events/s", ">= 500 events/s"))

    # 3. latency at a paced rate
    m = int(args.paced_rate * args.paced_seconds)
    c.latencies.clear()
    c.want_latency = True
    await _run_grabber("ws", ws_url, m, "lat", float(args.paced_rate))
    if len(c.latencies) < m:
        await c.expect(m - len(c.latencies))
    c.want_latency = False
    lat_ms = [x * 1000 for x in c.latencies]
    q = statistics.quantiles(lat_ms, n=100, method="inclusive")
    rows.append((f"latency at {args.paced_rate:g} events/s, p50", f"{q[49]:.2f} ms", ""))
    rows.append((f"latency at {args.paced_rate:g} events/s, p95", f"{q[94]:.2f} ms", "<= 5 ms"))
    rows.append((f"latency at {args.paced_rate:g} events/s, p99", f"{q[98]:.2f} ms", ""))

    # 4. RSS over a simulated hour
    proc_info = psutil.Process()
    hour = int(args.hour_rate * 3600)
    step = max(1, hour // 10)
    samples = [proc_info.memory_info().rss]
    sent = 0
    while sent < hour:
        chunk = min(step, hour - sent)
        base = c.count
        await _run_grabber("ws", ws_url, chunk, f"hour{sent}-", None, 10_000)
        await c.expect(chunk - (c.count - base))
        sent += chunk
        samples.append(proc_info.memory_info().rss)
    mb = [s / 2**20 for s in samples]
    half = len(mb) // 2
    rows.append((f"RSS over one hour at {args.hour_rate:g} events/s ({hour:,} events)",
                 " -> ".join(f"{x:.0f}" for x in mb[::2]) + " MB", "start, every 20 % of the hour"))
    rows.append(("RSS growth, second half of the hour", f"{mb[-1] - mb[half]:+.1f} MB",
                 f"ids remembered: {len(src._seen):,} (cap {src.limits.remembered_ids:,})"))
    rows.append(("events accepted / duplicates / malformed",
                 f"{src.stats.accepted:,} / {src.stats.duplicates} / {src.stats.malformed}", ""))
    await src.aclose()
    await c.task
    return rows


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=20_000)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--paced-rate", type=float, default=500.0)
    ap.add_argument("--paced-seconds", type=float, default=10.0)
    ap.add_argument("--hour-rate", type=float, default=50.0)
    a = ap.parse_args()
    result = asyncio.run(main(a))
    table = Table(title="Ingest endpoint (127.0.0.1, grabber in its own process)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("target / note")
    for r in result:
        table.add_row(*r)
    Console(width=120).print(table)
