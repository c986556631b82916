"""Helpers for the live-source tests: a SourceContext, collecting events until a condition,
and checks that nothing is left running."""
from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable

from app.sources.base import SourceContext
from app.sources.live import Backoff

FAST = Backoff(first_s=0.05, factor=2.0, max_s=0.4, jitter=0.2, stable_s=5.0)
"""Reconnect delays for tests (the real default starts at 1 s)."""


def make_ctx() -> SourceContext:
    start = time.monotonic()

    async def run_blocking(_name, fn, *args):
        return await asyncio.to_thread(fn, *args)

    return SourceContext(now=lambda: round(time.monotonic() - start, 6), run_blocking=run_blocking,
                         session_id="test")


def fast_options(**kw):
    opts = {"stall_timeout_s": 2.0, "backoff": FAST, "rng": random.Random(7)}
    opts.update(kw)
    return opts


async def collect(source, until: Callable[[list], bool], timeout: float = 10.0, ctx=None) -> list:
    """Iterate ``source.events`` until ``until(events)`` holds; closes the iterator after.

    Raises AssertionError with the events seen on timeout."""
    events: list = []
    agen = source.events(ctx or make_ctx())
    try:
        async with asyncio.timeout(timeout):
            async for ev in agen:
                events.append(ev)
                if until(events):
                    break
    except TimeoutError:
        raise AssertionError(f"timed out; events so far: {events}") from None
    finally:
        await agen.aclose()
    return events


def of(events, cls):
    return [e for e in events if isinstance(e, cls)]


def count(cls, n):
    return lambda evs: len(of(evs, cls)) >= n


def other_tasks() -> list[asyncio.Task]:
    """Tasks still running besides the current one."""
    me = asyncio.current_task()
    return [t for t in asyncio.all_tasks() if t is not me and not t.done()]


async def settle() -> list[asyncio.Task]:
    """Give finished things a moment, then return what is still running."""
    for _ in range(20):
        left = other_tasks()
        if not left:
            return []
        await asyncio.sleep(0.02)
    return other_tasks()
