"""Speech recognition benchmark: real-time factor, final-result latency, memory over a long session.

Usage::

    .venv/bin/python bench/bench_asr.py [--model ko|small-cn|PATH] [--hour-s 3600] [--no-recycle-s 600]

Measures, through the same path the microphone uses (file blocks of 0.1 s -> PcmConverter ->
VoskRecognizer with the default end-of-utterance detector and recycling):

1. **Real-time factor** per clip of ``../shared/data/audio`` = decoding seconds / audio seconds,
   both wall clock and process CPU time (on a shared machine the CPU figure is the fair one).
2. **Final-result latency after the end of speech**, simulated in real time: block *k* arrives
   when its last sample has been "spoken" (audio time), processing starts when the recognizer is
   free, and the latency of a final result is (time it is returned) - (end of the last word, from
   vosk's word times). Each clip is followed by 1.5 s of silence.
3. **RSS over one simulated hour** in one session: ``--hour-s`` seconds of audio (the speech
   clips in a loop with 0.5-3 s pauses, ~60 % speech, a little background noise) fed as fast as
   possible through one recognizer with recycling on (the default, every 60 s at an utterance
   boundary); RSS (psutil) is sampled every 5 simulated minutes. ``--no-recycle-s`` runs the same
   audio without recycling for comparison.

Prints tables; numbers depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from app.capture.convert import TARGET_RATE  # noqa: E402
from app.capture.file import FileCapture  # noqa: E402
from app.recognition.models import resolve_model  # noqa: E402
from app.recognition.vosk import VoskRecognizer, load_model  # noqa: E402

AUDIO = REPO.parent / "shared" / "data" / "audio"
CLIPS = ["aishell-BAC009S0724W0121.wav", "librispeech-1995-1837-0001.wav", "vosk-test.wav", "chinese.flac",
         "english.wav"]


def rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2 ** 20


def bench_rtf(model: Path) -> list[tuple]:
    rows = []
    for name in CLIPS:
        cap = FileCapture(AUDIO / name)
        rec = VoskRecognizer(model)
        w0, c0 = time.perf_counter(), time.process_time()
        for ch in cap.chunks():
            rec.accept(ch.pcm)
        rec.finish()
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        dur = cap.duration_s or 1.0
        rows.append((name, f"{cap.source_rate // 1000 if cap.source_rate % 1000 == 0 else cap.source_rate / 1000} kHz",
                     dur, wall / dur, cpu / dur))
    return rows


def bench_latency(model: Path) -> tuple[list[float], list[float], list[float]]:
    """(latency with wall-clock processing, latency with CPU-time processing, audio-only gap), s."""
    wall_lat, cpu_lat, gaps = [], [], []
    for name in CLIPS:
        rec = VoskRecognizer(model)
        clock_w = clock_c = 0.0  # simulated clocks, seconds
        for ch in FileCapture(AUDIO / name, trailing_silence_s=1.5).chunks():
            arrive = ch.t + len(ch.pcm) / TARGET_RATE
            t0, c0 = time.perf_counter(), time.thread_time()
            out = rec.accept(ch.pcm)
            clock_w = max(clock_w, arrive) + (time.perf_counter() - t0)
            clock_c = max(clock_c, arrive) + (time.thread_time() - c0)
            for r in out:
                if r.final and r.speech_end_s is not None:
                    wall_lat.append(clock_w - r.speech_end_s)
                    cpu_lat.append(clock_c - r.speech_end_s)
                    gaps.append(r.end_s - r.speech_end_s)
    return wall_lat, cpu_lat, gaps


def hour_audio(total_s: float, seed: int = 0):
    """Yield 0.1 s int16 blocks: the clips in a loop separated by pauses, with low noise."""
    import soundfile as sf
    import soxr

    rng = np.random.default_rng(seed)
    clips = []
    for name in CLIPS:
        x, sr = sf.read(str(AUDIO / name), dtype="float32", always_2d=True)
        x = x.mean(axis=1)
        if sr != TARGET_RATE:
            x = soxr.resample(x, sr, TARGET_RATE)
        clips.append(x)
    produced = 0
    need = int(total_s * TARGET_RATE)
    buf = np.zeros(0, dtype=np.float32)
    i = 0
    while produced < need:
        while len(buf) < 1600:
            pause = np.zeros(int(rng.uniform(0.5, 3.0) * TARGET_RATE), dtype=np.float32)
            buf = np.concatenate([buf, clips[i % len(clips)], pause])
            i += 1
        block, buf = buf[:1600], buf[1600:]
        block = block + rng.normal(0, 0.002, size=1600).astype(np.float32)
        produced += 1600
        yield np.clip(block * 32768, -32768, 32767).astype(np.int16)


def bench_memory(model: Path, total_s: float, recycle: float | None, every_s: float = 300.0):
    rec = VoskRecognizer(model, recycle_after_s=recycle)
    samples = [(0.0, rss_mb())]
    fed = 0
    finals = 0
    w0, c0 = time.perf_counter(), time.process_time()
    next_mark = every_s
    for block in hour_audio(total_s):
        finals += sum(1 for r in rec.accept(block) if r.final)
        fed += len(block)
        if fed / TARGET_RATE >= next_mark:
            samples.append((fed / TARGET_RATE, rss_mb()))
            next_mark += every_s
            print(f"  ... {fed / TARGET_RATE / 60:.0f} min of audio, RSS {samples[-1][1]:.0f} MB", file=sys.stderr,
                  flush=True)
    return samples, finals, rec.recycles, time.perf_counter() - w0, time.process_time() - c0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="ko", help="model name or folder (default: ko, the bundled Korean model)")
    ap.add_argument("--hour-s", type=float, default=3600.0, help="seconds of audio for the memory run")
    ap.add_argument("--no-recycle-s", type=float, default=600.0, help="seconds for the no-recycling comparison (0 = skip)")
    ap.add_argument("--skip-memory", action="store_true")
    args = ap.parse_args(argv)
    model = resolve_model(args.model)
    t = time.perf_counter()
    base0 = rss_mb()
    load_model(model)
    print(f"model: {model} (load {time.perf_counter() - t:.1f} s, +{rss_mb() - base0:.0f} MB RSS)")

    print("\n1. Real-time factor (decode seconds / audio seconds), microphone path, 0.1 s blocks")
    print(f"{'clip':34} {'rate':>9} {'audio s':>8} {'RTF wall':>9} {'RTF cpu':>8}")
    rows = bench_rtf(model)
    for name, rate, dur, rw, rc in rows:
        print(f"{name:34} {rate:>9} {dur:8.1f} {rw:9.3f} {rc:8.3f}")
    tot = sum(r[2] for r in rows)
    print(f"{'all (duration-weighted)':34} {'':>9} {tot:8.1f} {sum(r[2] * r[3] for r in rows) / tot:9.3f} "
          f"{sum(r[2] * r[4] for r in rows) / tot:8.3f}")

    print("\n2. Final result latency after the end of speech (simulated real time, 0.25 s end-of-speech silence)")
    print("   (from the end of the last word, as vosk aligns it, to the final result being returned)")
    print(f"{'processing timed by':24} {'finals':>7} {'p50 ms':>7} {'p90 ms':>7} {'max ms':>7} {'min ms':>7}")
    for label, values in zip(("wall clock", "CPU time (no contention)", "audio gap only"), bench_latency(model)):
        lat = np.array(values) * 1000
        print(f"{label:24} {len(lat):7d} {np.percentile(lat, 50):7.0f} {np.percentile(lat, 90):7.0f} "
              f"{lat.max():7.0f} {lat.min():7.0f}")

    if args.skip_memory:
        return 0
    print(f"\n3. RSS over {args.hour_s / 60:.0f} simulated minutes in one session")
    runs = [("recycling every 60 s", 60.0, args.hour_s)]
    if args.no_recycle_s > 0:
        runs.append(("no recycling", None, args.no_recycle_s))
    for label, recycle, secs in runs:
        samples, finals, recycles, wall, cpu = bench_memory(model, secs, recycle)
        print(f"  {label}: {secs / 60:.0f} min audio, {finals} utterances, {recycles} recycles, "
              f"wall {wall:.0f} s (RTF {wall / secs:.3f}), cpu RTF {cpu / secs:.3f}")
        print(f"  {'audio min':>9} {'RSS MB':>8}")
        for at, mb in samples:
            print(f"  {at / 60:9.0f} {mb:8.0f}")
        first_after = samples[1][1] if len(samples) > 1 else samples[0][1]
        print(f"  growth from the first mark to the end: {samples[-1][1] - first_after:+.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
