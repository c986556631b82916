"""Content generation: time per product and per catalog, and the speech length of the variants
(prints rich tables).

Run: ``.venv/bin/python bench/bench_content.py [--repeat 5] [--rate 175] [--voice N]``

For each catalog (the demo catalog and ``tests/data/catalogs/*.csv``) and language, one
:class:`app.content.generator.IntroGenerator` writes ``content.variants`` (3) introductions and
the offer lines of every product:

* **time**: milliseconds per product (median and 95th percentile over every product of every
  repeat, ``statistics.quantiles``) and per whole catalog (median over ``--repeat`` runs), with
  a fresh generator per run (no cache);
* **length**: the estimated speech length of every introduction, seconds (min, p5, median, p95,
  max) at ``--rate`` words per minute (:func:`app.content.timing.speech_seconds`), and how many
  fall outside 15-40 s;
* **estimate vs voice** (``--voice N`` > 0, needs espeak-ng): N introductions per language
  synthesized with the project's voice at the same rate; the measured WAV length against the
  estimate (mean and worst relative error).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from app.catalog.importer import load_catalog  # noqa: E402
from app.content.generator import IntroGenerator  # noqa: E402
from app.observers import percentile  # noqa: E402

CATALOGS = [ROOT / "assets" / "demo" / "catalog.csv",
            *(ROOT / "tests" / "data" / "catalogs" / f"{n}.csv" for n in ("cosmetics", "food", "phones", "mall"))]


def run_catalog(path: Path, lang: str, repeat: int, rate: float):
    catalog = load_catalog(path).catalog
    per_product: list[float] = []
    per_catalog: list[float] = []
    seconds: list[float] = []
    intros = []
    for r in range(repeat):
        gen = IntroGenerator(catalog, rate_wpm=rate)
        t_cat = time.perf_counter()
        for p in catalog:
            t0 = time.perf_counter()
            made = gen.introductions(p, lang, 3)
            gen.offer_lines(p, lang)
            per_product.append((time.perf_counter() - t0) * 1000)
            if r == 0:
                seconds += [i.seconds for i in made]
                intros += made
        per_catalog.append((time.perf_counter() - t_cat) * 1000)
    return catalog, per_product, per_catalog, seconds, intros


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--rate", type=float, default=175.0, help="speech rate, words per minute")
    ap.add_argument("--voice", type=int, default=0, help="synthesize this many introductions per language")
    args = ap.parse_args()
    console = Console(highlight=False)
    timing = Table(title=f"generation time ({args.repeat} runs, 3 variants + offer lines per product)")
    for col in ("catalog", "lang", "products", "ms/product p50", "ms/product p95", "ms/catalog p50"):
        timing.add_column(col, justify="right" if col != "catalog" else "left")
    length = Table(title=f"speech length of the variants at {args.rate:g} wpm, seconds")
    for col in ("catalog", "lang", "intros", "min", "p5", "p50", "p95", "max", "outside 15-40 s"):
        length.add_column(col, justify="right" if col != "catalog" else "left")
    samples = {"zh": [], "en": []}
    for path in CATALOGS:
        for lang in ("zh", "en"):
            catalog, pp, pc, secs, intros = run_catalog(path, lang, args.repeat, args.rate)
            samples[lang] += intros
            timing.add_row(path.stem, lang, str(len(catalog)), f"{percentile(pp, 50):.2f}", f"{percentile(pp, 95):.2f}",
                           f"{statistics.median(pc):.1f}")
            cuts = statistics.quantiles(secs, n=20, method="inclusive")
            outside = sum(1 for s in secs if not 15 <= s <= 40)
            length.add_row(path.stem, lang, str(len(secs)), f"{min(secs):.1f}", f"{cuts[0]:.1f}",
                           f"{statistics.median(secs):.1f}", f"{cuts[-1]:.1f}", f"{max(secs):.1f}", str(outside))
    console.print(timing)
    console.print(length)
    if args.voice > 0:
        console.print(voice_table(samples, args.voice, args.rate))
    return 0


def voice_table(samples, n: int, rate: float) -> Table:
    from app.synthesis.pyttsx3 import Pyttsx3Synthesizer

    table = Table(title=f"estimate vs the voice (espeak-ng via pyttsx3, {rate:g} wpm)")
    for col in ("lang", "intros", "estimate mean s", "measured mean s", "mean |error|", "worst |error|"):
        table.add_column(col, justify="right")
    synth = Pyttsx3Synthesizer(("zh", "en"), rate=int(rate))
    synth.start()
    try:
        with tempfile.TemporaryDirectory() as d:
            for lang, intros in samples.items():
                step = max(1, len(intros) // n)
                chosen = intros[::step][:n]
                est, got = [], []
                for i, intro in enumerate(chosen):
                    res = synth.synthesize(intro.text, lang, Path(d) / f"{lang}{i}.wav")
                    est.append(intro.seconds)
                    got.append(res.duration_s)
                errors = [abs(e - g) / g for e, g in zip(est, got) if g > 0]
                table.add_row(lang, str(len(chosen)), f"{statistics.mean(est):.1f}", f"{statistics.mean(got):.1f}",
                              f"{statistics.mean(errors) * 100:.0f} %", f"{max(errors) * 100:.0f} %")
    finally:
        synth.close()
    return table


if __name__ == "__main__":
    sys.exit(main())
