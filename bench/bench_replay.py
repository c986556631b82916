"""Benchmark of the main job: the bundled demo replay through the real pipeline.

Runs the demo twice: paced at ``--paced-speed`` x stream time (per-message latencies without
an artificial backlog) and at ``--speed max`` (throughput). Prints a table:
message -> reply-ready p50/p95, message -> audio-ready p50/p95, per-stage p50/p95,
throughput (received events per second at max speed) and peak RSS.

Usage: .venv/bin/python bench/bench_replay.py [--paced-speed 60] [--no-audio]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

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
    from benchlib import print_table

    def cell(v):
        return "-" if v is None else str(v)

    out = [(label, str(n), cell(p50), cell(p95)) for label, n, p50, p95 in rows]
    out += [("throughput at --speed max (events/s)", "", str(fast.summary["messages_per_second"]), ""),
            ("wall time at --speed max (s)", "", f"{t2 - t1:.2f}", ""),
            ("wall time paced (s)", "", f"{t1 - t0:.2f}", ""),
            ("identical questions merged (demo)", "", str(fast.summary["replies"]["questions_merged"]), ""),
            ("peak RSS (MB)", "", f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f}", "")]
    print_table(out, header="measure", columns=("n", "p50 ms", "p95 ms"),
                title=f"LiveHost demo replay: {fast.summary['events']} events, {fast.summary['products']} products, "
                      f"stream {fast.summary['stream_seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
