"""``livehost live SOURCE...`` (a headless live session) and ``livehost record SOURCE...``."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from app.cli import load_settings_for


def run(args) -> int:
    from app.commands.replay import LiveTable
    from app.live import health_line, run_live_async

    settings = load_settings_for(args)
    table = LiveTable(f"LiveHost live: {' '.join(args.sources)} with catalog {args.catalog} -> {args.out} "
                      "(Ctrl-C stops and writes the summary)", args.quiet)

    def on_event(e) -> None:
        line = health_line(e)
        if line:
            table.line(line)

    result = asyncio.run(run_live_async(list(args.sources), Path(args.catalog), Path(args.out), settings=settings,
                                        audio=not args.no_audio, duration_s=args.duration, endpoint=args.endpoint,
                                        on_row=table.on_row, on_event=on_event))
    table.summary(result, no_audio=args.no_audio, speed=1.0, out=Path(args.out))
    return 130 if result.summary.get("interrupted") else 0


def record(args) -> int:
    from app.live import health_line, record_async

    settings = load_settings_for(args)

    def on_event(e) -> None:
        line = health_line(e)
        if line:
            print(line, file=sys.stderr, flush=True)

    print(f"Recording {' '.join(args.sources)} into {args.out} (Ctrl-C stops)", file=sys.stderr, flush=True)
    n = asyncio.run(record_async(list(args.sources), Path(args.out), settings=settings, duration_s=args.duration,
                                 endpoint=args.endpoint, on_event=on_event))
    print(f"Wrote {n} events to {args.out}; replay it with: livehost replay {args.out}", file=sys.stderr)
    return 0
