"""Benchmark: avatar frame time, dropped frames and GUI-thread stalls under console-like load.

While the avatar window animates (and speaks replies with speech-like envelopes), the demo
session (``assets/demo/session.jsonl``) is replayed at 10 messages/s: a worker thread emits each
event through a ``Signal(object)`` bridge (as the real Qt bridge will) and the GUI thread adds a
row to a console-like QListWidget (formatting, insertion, trimming to 500 rows, scrolling).

Measured:
  * paint time: wall time inside the avatar's ``paintEvent`` (mean, p99, max), ms, and the same
    in GUI-thread CPU time (``time.thread_time``: excludes waiting for a CPU other processes hold);
  * frame intervals between frame-timer ticks; a frame is *dropped* when an interval exceeds
    1.5 x the 16.7 ms budget (each such interval counts ``round(interval / budget) - 1`` frames).
    Each dropped frame is attributed: if this process (all threads) used CPU for >= 80 % of that
    interval, our own work made it late; otherwise it was runnable but waiting for a CPU that
    other processes held (a loaded machine);
  * GUI-thread stalls: a watchdog thread posts a probe to the GUI thread every 5 ms; the delay
    until the GUI thread runs it is the stall. Reported: probes delayed > 50 ms, max delay;
  * GUI-thread share: total paint time / wall time, and process CPU (psutil).

Targets (issue 5): 60 fps, <= 1 % frames dropped, no stall over 100 ms.

Run:  QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_avatar.py [--seconds 30] [--size 540x960]
Under Xvfb (a real X server, xcb platform):  Xvfb :99 & DISPLAY=:99 .venv/bin/python bench/bench_avatar.py
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
if "DISPLAY" not in os.environ and "WAYLAND_DISPLAY" not in os.environ:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def speech_like_envelope(seconds: float, rng: np.random.Generator, frame_s: float = 1 / 60) -> np.ndarray:
    """A synthetic RMS envelope shaped like speech: syllables at ~5 Hz with random loudness,
    short gaps between words and a pause between sentences."""
    n = int(seconds / frame_s)
    env = np.zeros(n, np.float32)
    i = 0
    while i < n:
        syl = int(rng.integers(8, 16))  # 130-260 ms syllables
        shape = np.sin(np.linspace(0, np.pi, syl)) * rng.uniform(0.05, 0.3)
        env[i:i + syl] = shape[: max(0, min(syl, n - i))]
        i += syl + (int(rng.integers(12, 25)) if rng.random() < 0.15 else int(rng.integers(0, 3)))
    return env + rng.uniform(0, 2e-4, n).astype(np.float32)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--size", default="540x960", help="avatar window size WxH (e.g. 1080x1920)")
    ap.add_argument("--rate", type=float, default=10.0, help="replayed messages per second")
    ap.add_argument("--look", default="studio")
    ap.add_argument("--switch-look", action="store_true",
                    help="also switch to the other look half-way (cache rebuild spread over frames)")
    args = ap.parse_args(argv)
    width, height = (int(v) for v in args.size.lower().split("x"))

    import psutil
    from PySide6.QtCore import QObject, Qt, QTimer, Signal
    from PySide6.QtWidgets import QApplication, QListWidget

    from app.events import ChatReceived, SpeechTranscribed, to_record
    from app.gui.avatar.window import AvatarSettings, AvatarWindow
    from app.replay import DEMO_SESSION
    from app.sources.replay import ReplayChatSource

    app = QApplication.instance() or QApplication([])
    avatar = AvatarWindow(AvatarSettings(look=args.look, size=(width, height), seed=1,
                                         aspect="9:16" if height > width else "16:9"))
    console = QListWidget()
    console.setWindowTitle("bench console")
    console.resize(700, 500)
    avatar.show()
    console.show()

    events = [e for e in ReplayChatSource(DEMO_SESSION).iter_events()]
    speeches = [e.text for e in events if isinstance(e, (SpeechTranscribed, ChatReceived)) and e.text]
    rng = np.random.default_rng(0)
    intents = ["price", "compliment", "complaint", "product_detail", "gift", "size_fit"]

    class Bridge(QObject):
        event = Signal(object)
        probe = Signal(object)

    bridge = Bridge()
    rows = [0]
    spoken = [0]
    next_speech = [time.monotonic() + 0.5]

    def on_event(e) -> None:  # GUI thread: what the console will do per event
        rec = to_record(e)
        who = getattr(getattr(e, "viewer", None), "nickname", "")
        text = rec.get("text") or rec.get("gift_name") or rec["type"]
        console.addItem(f"{e.t:7.1f}  {rec['type']:<16} {who:<10} {text}")
        rows[0] += 1
        if console.count() > 500:
            console.takeItem(0)
        console.scrollToBottom()
        now = time.monotonic()
        if now >= next_speech[0] and not avatar.speaking:
            dur = float(rng.uniform(2.0, 4.5))
            avatar.speak(speeches[spoken[0] % len(speeches)], speech_like_envelope(dur, rng),
                         1 / 60, intents[spoken[0] % len(intents)], started_at=now)
            spoken[0] += 1
            next_speech[0] = now + dur + 0.8

    delays: list[float] = []

    def on_probe(sent: float) -> None:
        delays.append(time.monotonic() - sent)

    bridge.event.connect(on_event, Qt.ConnectionType.QueuedConnection)
    bridge.probe.connect(on_probe, Qt.ConnectionType.QueuedConnection)
    stop = threading.Event()

    def replay_worker() -> None:
        k, t0 = 0, time.monotonic()
        while not stop.is_set():
            due = t0 + k / args.rate
            if stop.wait(max(0.0, due - time.monotonic())):
                break
            e = events[k % len(events)]
            bridge.event.emit(e)
            k += 1

    def watchdog() -> None:
        while not stop.wait(0.005):
            bridge.probe.emit(time.monotonic())

    # warm up 1 s (first paints, font loading), then measure
    t_end = time.monotonic() + 1.0
    while time.monotonic() < t_end:
        app.processEvents()
    avatar.paint_s.clear()
    avatar.paint_cpu_s.clear()
    avatar.tick_times.clear()
    avatar.tick_cpu.clear()
    proc = psutil.Process()
    cpu0, wall0 = proc.cpu_times(), time.monotonic()
    threads = [threading.Thread(target=replay_worker, name="replay", daemon=True),
               threading.Thread(target=watchdog, name="watchdog", daemon=True)]
    for th in threads:
        th.start()
    if args.switch_look:
        other = next(k for k in avatar.looks() if k != args.look)
        QTimer.singleShot(int(args.seconds * 500), lambda: avatar.set_look(other))
    QTimer.singleShot(int(args.seconds * 1000), app.quit)
    app.exec()
    stop.set()
    for th in threads:
        th.join()
    wall = time.monotonic() - wall0
    cpu1 = proc.cpu_times()

    budget = 1.0 / avatar.settings.fps
    ticks = np.array(avatar.tick_times)
    iv = np.diff(ticks)
    late = iv > 1.5 * budget
    missed = np.maximum(np.round(iv / budget) - 1, 1)
    dropped = int(np.sum(missed[late]))
    # Process CPU used during each interval (all threads: Qt's raster engine spreads large fills
    # over helper threads). A frame made late by our own work has the process computing for
    # (nearly) the whole interval; one that waited for a CPU held by other processes has used
    # only its usual few ms. Threshold: CPU >= 80 % of the interval's wall time.
    busy = np.diff(np.array(avatar.tick_cpu))
    own = late & (busy >= 0.8 * iv)
    dropped_own = int(np.sum(missed[own]))
    expected = wall / budget
    paint = np.array(avatar.paint_s) * 1000
    paint_cpu = np.array(avatar.paint_cpu_s) * 1000
    d = np.array(delays) * 1000
    cpu = (cpu1.user - cpu0.user + cpu1.system - cpu0.system) / wall * 100

    platform = app.platformName()
    load = os.getloadavg()
    print(f"avatar bench: platform={platform} size={width}x{height} look={args.look} "
          f"{args.seconds:.0f} s, replay {args.rate:g} msg/s ({rows[0]} rows added), "
          f"{spoken[0]} sentences spoken" + (", look switched half-way" if args.switch_look else ""))
    print(f"machine: {os.cpu_count()} CPUs, load average {load[0]:.2f} / {load[1]:.2f} (1 / 5 min) "
          "-- other processes compete for the CPU when the load is above the CPU count")
    print(f"{'metric':<34}{'value':>12}  target")
    lines = [
        ("frames rendered (paintEvent)", f"{len(paint)}", ""),
        ("frame-timer ticks", f"{len(ticks)}", f"{expected:.0f} at 60 fps"),
        ("achieved fps (ticks)", f"{(len(ticks) - 1) / (ticks[-1] - ticks[0]):.1f}", "60"),
        ("frame interval mean / p99 (ms)", f"{iv.mean() * 1000:.2f} / {np.percentile(iv, 99) * 1000:.2f}", "16.7"),
        ("paint time mean (ms)", f"{paint.mean():.2f}", ""),
        ("paint time p99 / max (ms)", f"{np.percentile(paint, 99):.2f} / {paint.max():.2f}", "< 16.7"),
        ("paint GUI-thread CPU mean / p99 (ms)", f"{paint_cpu.mean():.2f} / {np.percentile(paint_cpu, 99):.2f}", ""),
        ("dropped frames (interval > 1.5x)", f"{dropped} ({dropped / expected * 100:.2f} %)", "<= 1 %"),
        ("  own work (process busy >= 80 %)", f"{dropped_own} ({dropped_own / expected * 100:.2f} %)", ""),
        ("  of which waiting for a CPU", f"{dropped - dropped_own}", ""),
        ("GUI probe delay p99 (ms)", f"{np.percentile(d, 99):.1f}", ""),
        ("GUI stalls > 50 ms", f"{int(np.sum(d > 50))}", "report"),
        ("max GUI stall (ms)", f"{d.max():.1f}", "<= 100"),
        ("GUI thread in avatar paint (%)", f"{paint.sum() / 1000 / wall * 100:.1f}", ""),
        ("  same, GUI-thread CPU time (%)", f"{paint_cpu.sum() / 1000 / wall * 100:.1f}", ""),
        ("process CPU, all threads (% of a core)", f"{cpu:.0f}", ""),
    ]
    for name, value, target in lines:
        print(f"{name:<34}{value:>12}  {target}")
    ok = dropped / expected <= 0.01 and d.max() <= 100
    print("RESULT:", "PASS" if ok else "FAIL", "(60 fps, <= 1 % dropped, no stall > 100 ms)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
