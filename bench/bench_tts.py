"""Benchmark text-to-speech: synthesis latency and speed for typical live-room replies.

Usage:  .venv/bin/python bench/bench_tts.py [--rounds N]

Synthesises 20 Chinese and 20 English reply sentences (15-40 characters each) with
:class:`app.synthesis.pyttsx3.Pyttsx3Synthesizer` into a temporary directory and prints, per
language: latency p50 / p95 / max (wall time of ``synthesize()``, milliseconds, including text
normalisation, WAV write and read-back), mean audio duration (seconds) and the speed ratio
audio seconds / synthesis seconds (x real time; the inverse of the real-time factor). The
first call of each language is reported separately (it loads the voice's dictionary).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.synthesis.pyttsx3 import Pyttsx3Synthesizer  # noqa: E402

ZH = [
    "欢迎新进直播间的宝宝们，喜欢主播的点个关注哦！",
    "3号链接这款纯棉短袖今天只要59.9元，还包邮。",
    "身高160cm体重50kg的宝宝建议拍M码。",
    "这款是100%纯棉的，亲肤透气不闷汗。",
    "现在下单48小时内发货，一般2-4天就能到。",
    "支持7天无理由退货，还送运费险，放心拍。",
    "黑色和白色都还有货，白色L码只剩最后3件了。",
    "谢谢小美送的小心心，爱你哦，记得常来玩！",
    "新疆、西藏地区不包邮，需要补10元运费。",
    "今晚8:00整点秒杀，大家定好闹钟。",
    "XL码适合体重65到75公斤的朋友。",
    "这件外套是加绒加厚的，冬天穿特别暖和。",
    "拍两件可以再减20元，数量有限先到先得。",
    "5号链接的保温杯能保温12个小时。",
    "关注主播，每天晚上都有福利放送。",
    "有宝宝问能不能机洗，可以的，建议反面洗。",
    "这个颜色是今年的流行色，显白又百搭。",
    "库存不多了，喜欢的宝宝抓紧时间下单。",
    "质量问题我们包退包换，售后无忧。",
    "这款裤子是高腰设计，显瘦又显腿长。",
]

EN = [
    "Welcome to the live room, everyone!",
    "Link 3 is a cotton tee at 59.90 yuan.",
    "At 160cm and 50kg, size M should fit.",
    "It's 100% cotton, soft and breathable.",
    "Orders ship within 48 hours.",
    "Delivery usually takes 2-4 days.",
    "Free returns within 7 days.",
    "Thanks for the hearts, Lily!",
    "Only three white size L left in stock.",
    "Flash sale starts at 8 pm tonight.",
    "Size XL fits 65 to 75 kilograms.",
    "This jacket is fleece lined and warm.",
    "Buy two and save another 20 yuan.",
    "The flask keeps drinks hot for 12 hours.",
    "Follow us for daily deals!",
    "Yes, it is machine washable.",
    "This color is very popular this year.",
    "Stock is limited, grab yours now!",
    "Quality issues? Free exchange or refund.",
    "High waist design, slim and flattering.",
]


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1,
                        help="times each sentence is synthesised (default 1)")
    args = parser.parse_args()
    for sentences in (ZH, EN):
        assert all(15 <= len(s) <= 40 for s in sentences), [s for s in sentences
                                                            if not 15 <= len(s) <= 40]

    t0 = time.perf_counter()
    synth = Pyttsx3Synthesizer(("zh", "en"))
    synth.start()
    start_s = time.perf_counter() - t0
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench_tts_") as tmp:
        out = Path(tmp)
        for lang, sentences in (("zh", ZH), ("en", EN)):
            first_ms = None
            lat: list[float] = []
            audio: list[float] = []
            for r in range(args.rounds):
                for i, text in enumerate(sentences):
                    t = time.perf_counter()
                    res = synth.synthesize(text, lang, out / f"{lang}-{r}-{i}.wav")
                    ms = (time.perf_counter() - t) * 1000.0
                    if first_ms is None:
                        first_ms = ms
                        continue
                    lat.append(ms)
                    audio.append(res.duration_s)
            speed = sum(audio) / (sum(lat) / 1000.0)
            rows.append((lang, synth.voices[lang].id, len(lat), first_ms, _pct(lat, 50),
                         _pct(lat, 95), max(lat), float(np.mean(audio)), speed))
    synth.close()

    print(f"engine start (voices chosen, Mandarin probe): {start_s * 1000:.0f} ms")
    head = (f"{'lang':<4} {'voice':<22} {'n':>3} {'first ms':>9} {'p50 ms':>8} {'p95 ms':>8} "
            f"{'max ms':>8} {'audio s':>8} {'audio/synth':>12}")
    print(head)
    print("-" * len(head))
    for lang, voice, n, first, p50, p95, mx, mean_audio, speed in rows:
        print(f"{lang:<4} {voice:<22} {n:>3} {first:>9.1f} {p50:>8.1f} {p95:>8.1f} {mx:>8.1f} "
              f"{mean_audio:>8.2f} {speed:>11.0f}x")


if __name__ == "__main__":
    main()
