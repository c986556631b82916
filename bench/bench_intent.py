"""Benchmark the intent classifier: load time, RSS after load, single-message latency on one
torch thread (normalisation + tokenisation + forward pass), and batch throughput on 2 threads.

Usage (from the repo root)::

    .venv/bin/python bench/bench_intent.py [--model-dir models/intent] [--n 500]

Messages: the texts of ``models/intent/data/train.jsonl`` when present (a seeded sample), else
a built-in list of live-room messages. Prints a table; targets: p95 <= 10 ms on 1 thread.
Wall-clock latency includes waiting for a busy CPU; the CPU-time row (``time.thread_time``)
shows the work per message independent of other processes on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchlib import percentile, print_table  # noqa: E402

FALLBACK = [
    "主播好", "3号链接多少钱", "有没有优惠券", "我165cm 55kg穿什么码", "这个是纯棉的吗", "黑色L还有吗",
    "发什么快递，几天能到", "不合适可以退吗", "拍了拍了", "有什么适合送男朋友的吗", "主播今天好美",
    "上次买的质量太差了", "加v看更多福利", "今天天气真好", "how much is the blue one", "🔥🔥🔥",
    "XL有货吗", "這件外套還有貨嗎", "what size for 180cm 75kg", "能便宜点吗",
]


def messages(n: int, seed: int = 0) -> list[str]:
    path = ROOT / "models" / "intent" / "data" / "train.jsonl"
    texts = FALLBACK
    if path.is_file():
        with open(path, encoding="utf-8") as fh:
            texts = [json.loads(line)["text"] for line in fh if line.strip()]
    rng = random.Random(seed)
    return [rng.choice(texts) for _ in range(n)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model-dir", type=Path, default=None)
    ap.add_argument("--n", type=int, default=500, help="single messages to time")
    ap.add_argument("--batch-n", type=int, default=2000, help="messages for the throughput run")
    args = ap.parse_args(argv)

    import psutil

    proc = psutil.Process(os.getpid())
    rss0 = proc.memory_info().rss
    t0 = time.perf_counter()
    from app.understanding.classifier import IntentClassifier

    clf = IntentClassifier.load(args.model_dir, num_threads=1)
    t_load = time.perf_counter() - t0
    clf.classify("你好")  # first call builds this thread's tokenizer
    t_first = time.perf_counter() - t0
    rss = proc.memory_info().rss

    import torch

    msgs = messages(args.n)
    for m in msgs[:50]:
        clf.classify(m)
    lat, cpu = [], []
    for m in msgs:
        s, c = time.perf_counter(), time.thread_time()
        clf.classify(m)
        cpu.append((time.thread_time() - c) * 1e3)
        lat.append((time.perf_counter() - s) * 1e3)

    batch = messages(args.batch_n, seed=1)
    clf.classify_batch(batch[:64])
    s = time.perf_counter()
    clf.classify_batch(batch)
    thr1 = len(batch) / (time.perf_counter() - s)

    # 2 cores: two Python threads (torch releases the GIL), each with torch's 1 intra-op thread
    from concurrent.futures import ThreadPoolExecutor

    halves = [batch[: len(batch) // 2], batch[len(batch) // 2:]]
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(clf.classify_batch, [h[:32] for h in halves]))  # per-thread tokenizers
        s = time.perf_counter()
        list(pool.map(clf.classify_batch, halves))
        thr2 = len(batch) / (time.perf_counter() - s)

    torch.set_num_threads(2)
    s = time.perf_counter()
    clf.classify_batch(batch)
    thr2i = len(batch) / (time.perf_counter() - s)
    torch.set_num_threads(1)

    size = sum(f.stat().st_size for f in clf.model_dir.iterdir() if f.is_file())
    rows = [
        ("model dir", str(clf.model_dir)),
        ("model files size", f"{size / 1e6:.1f} MB"),
        ("load time (imports + model + tokenizer)", f"{t_load:.2f} s"),
        ("time to first prediction", f"{t_first:.2f} s"),
        ("RSS after load (first prediction)", f"{rss / 1e6:.0f} MB (+{(rss - rss0) / 1e6:.0f} MB)"),
        (f"single message latency p50, 1 thread (n={len(lat)})", f"{statistics.median(lat):.2f} ms"),
        ("single message latency p95, 1 thread", f"{percentile(lat, 95):.2f} ms  (target <= 10 ms)"),
        ("single message latency max, 1 thread", f"{max(lat):.2f} ms"),
        ("single message CPU time p50 / p95 (thread_time)", f"{statistics.median(cpu):.2f} / {percentile(cpu, 95):.2f} ms"),
        ("load average (1 min) during the run", f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"),
        (f"classify_batch throughput, 1 thread (n={len(batch)}, forward batch {clf.batch_size})", f"{thr1:.0f} msg/s"),
        ("classify_batch throughput, 2 cores (2 threads x 1 torch thread)", f"{thr2:.0f} msg/s"),
        ("classify_batch throughput, 2 cores (1 thread, torch.set_num_threads(2))", f"{thr2i:.0f} msg/s"),
    ]
    print_table(rows, "metric")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
