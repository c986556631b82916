"""Benchmark of the main job: the bundled demo replay through the real pipeline.

Runs the demo twice: paced at ``--paced-speed`` x stream time (per-message latencies without
an artificial backlog) and at ``--speed max`` (throughput). Prints a table:
message -> reply-ready p50/p95, message -> audio-ready p50/p95, per-stage p50/p95,
throughput (received events per second at max speed) and peak RSS.

Usage: .venv/bin/python bench/bench_replay.py [--paced-speed 60] [--no-audio]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.replay import DEMO_CATALOG, DEMO_SESSION, run_replay  # noqa: E402
from app.settings import load_settings  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--paced-speed", type=float, default=60.0)
    ap.add_argument("--no-audio", action="store_true")
    args = ap.parse_args()
    settings = load_settings(Path("/nonexistent/settings.toml"))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        paced = run_replay(DEMO_SESSION, DEMO_CATALOG, Path(tmp) / "paced", settings=settings,
                           speed=args.paced_speed, audio=not args.no_audio)
        t1 = time.perf_counter()
        fast = run_replay(DEMO_SESSION, DEMO_CATALOG, Path(tmp) / "max", settings=settings,
                          speed=None, audio=not args.no_audio)
        t2 = time.perf_counter()
    lat = paced.summary["latency_ms"]
    for name, label in (("reply_ready", "message -> reply ready"), ("audio_ready", "message -> audio ready"),
                        ("understanding", "  understanding stage"), ("reply", "  reply stage (+guard)"),
                        ("tts", "  speech synthesis")):
        m = lat[name]
        rows.append((f"{label} (x{args.paced_speed:g})", m["count"], m["p50_ms"], m["p95_ms"]))
    fl = fast.summary["latency_ms"]
    rows.append(("message -> reply ready (max, backlog)", fl["reply_ready"]["count"],
                 fl["reply_ready"]["p50_ms"], fl["reply_ready"]["p95_ms"]))
    print(f"LiveHost demo replay benchmark: {fast.summary['events']} events, "
          f"{fast.summary['products']} products, stream {fast.summary['stream_seconds']:.0f} s")
    print(f"{'measure':44s} {'n':>5s} {'p50 ms':>9s} {'p95 ms':>9s}")
    for label, n, p50, p95 in rows:
        print(f"{label:44s} {n:5d} {p50 if p50 is not None else '-':>9} {p95 if p95 is not None else '-':>9}")
    print(f"{'throughput at --speed max (events/s)':44s} {'':5s} {fast.summary['messages_per_second']:>9}")
    print(f"{'wall time at --speed max (s)':44s} {'':5s} {t2 - t1:>9.2f}")
    print(f"{'wall time paced (s)':44s} {'':5s} {t1 - t0:>9.2f}")
    print(f"{'peak RSS (MB)':44s} {'':5s} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:>9.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
