"""The ``livehost`` command line.

Subcommands: ``replay``, ``classify``, ``train intent``, ``recommend``. Exit codes: 0 = done,
1 = unusable input (message says what to do), 2 = bad command-line usage.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from app.errors import LiveHostError


def _speed(value: str) -> float | None:
    if value.lower() in ("max", "inf", "fastest"):
        return None
    try:
        v = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"speed must be a number or 'max', got {value!r}") from None
    if not v > 0 or v == float("inf"):  # also rejects nan
        raise argparse.ArgumentTypeError("speed must be a positive number (or 'max')")
    return v


def _settings(args) -> "Settings":  # noqa: F821
    from app.settings import load_settings

    overrides: dict = {}
    if getattr(args, "model", None):
        overrides.setdefault("understanding", {})["model_dir"] = str(args.model)
    if getattr(args, "platform", None):
        overrides["platform"] = args.platform
    config = Path(args.config) if getattr(args, "config", None) else None
    if config is not None and not config.is_file():
        raise LiveHostError("settings-missing", f"Settings file not found: {config}",
                            "Check the --config path, or leave it out to use the user settings.")
    return load_settings(config, overrides)


def _fail(exc: LiveHostError) -> int:
    details = getattr(exc, "errors", ())
    head = exc.message if not details else (
        f"{getattr(exc, 'file', '')}: not imported, {len(details)} problem{'s' if len(details) != 1 else ''}:")
    print(f"livehost: error [{exc.code}]: {head}", file=sys.stderr)
    for extra in details[:50]:
        print(f"  - {extra}", file=sys.stderr)
    if len(details) > 50:
        print(f"  ... and {len(details) - 50} more", file=sys.stderr)
    if exc.hint:
        print(f"  what to do: {exc.hint}", file=sys.stderr)
    return 1


# --------------------------------------------------------------------------- replay

def _cmd_replay(args) -> int:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from app.replay import run_replay

    import shutil

    console = Console(highlight=False, soft_wrap=False,
                      width=max(shutil.get_terminal_size((160, 40)).columns, 140))
    widths = (7, 10, 28, 22, 60)

    def row_table(cells, header=False):
        t = Table(show_header=False, box=None, pad_edge=False, padding=(0, 1))
        for w in widths:
            t.add_column(width=w, no_wrap=True, overflow="ellipsis")
        t.add_row(*(Text(c) for c in cells), style="bold" if header else None)  # viewer text is never markup
        return t

    def mmss(t: float) -> str:
        return f"{int(t // 60):02d}:{t % 60:04.1f}"

    def shown(text: str) -> str:  # zero-width / direction / control characters would shift the columns
        import unicodedata

        return "".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Cc"))

    def on_row(r: dict) -> None:
        if args.quiet:
            return
        who = shown(r["nickname"] or r["viewer"])
        if r["kind"] == "host_speech":
            intent = "host speech"
        else:
            intent = r["intent"] or r["kind"]
            if r["confidence"] is not None:
                intent += f" {r['confidence']:.2f}" + ("?" if r["uncertain"] else "")
        if r["reply"]:
            out = ("[HELD: " + r["held_reason"] + "] " if r["held_reason"] else "") + r["reply"]
        else:
            out = f"(no reply: {r['no_reply_reason']})"
        console.print(row_table([mmss(r["t"]), who, shown(r["text"]), intent, shown(out)]))

    try:
        settings = _settings(args)
        if not args.quiet:
            console.print(f"LiveHost replay: {args.session} with catalog {args.catalog} -> {args.out}",
                          markup=False)
            console.print(row_table(["time", "viewer", "message", "intent", "reply (or why none)"], True))
        result = run_replay(Path(args.session), Path(args.catalog), Path(args.out), settings=settings,
                            speed=args.speed, audio=not args.no_audio, on_row=on_row,
                            skip_bad_rows=args.skip_bad_rows)
    except LiveHostError as exc:
        return _fail(exc)
    except KeyboardInterrupt:
        print(f"\nlivehost: replay interrupted; what was handled so far is in {args.out}", file=sys.stderr)
        return 130
    s = result.summary
    rep = s["replies"]
    console.print(
        f"\nDone: {s['events']} events in {s['wall_seconds']} s; replies spoken {rep['spoken']}"
        + (f" (approved, not synthesized because of --no-audio: {rep['approved_not_spoken']})" if args.no_audio else "")
        + ", "
        f"held for the seller {rep['held']}, awaiting approval {rep['awaiting_seller']}, "
        f"no reply {rep['none']}; unanswered questions {len(s['unanswered_questions'])}; "
        f"errors {len(s['errors'])}" + (f", notes {len(s['notes'])}" if s["notes"] else "") + ".")
    lat = s["latency_ms"]
    console.print(f"Latency p50/p95 (ms): reply-ready {lat['reply_ready']['p50_ms']}/{lat['reply_ready']['p95_ms']}, "
                  f"audio-ready {lat['audio_ready']['p50_ms']}/{lat['audio_ready']['p95_ms']}"
                  + (" (at --speed max these include waiting behind the whole backlog; "
                     "bench/bench_replay.py measures them paced)" if args.speed is None else ""))
    for kind, items in (("error", s["errors"]), ("note", s["notes"])):
        for e in items[:20]:
            console.print(f"  {kind} [{e['code']}]: {e['message']}"
                          + (f" -> {e['hint']}" if e.get("hint") else ""), markup=False)
    console.print(markup=False, *[f"Wrote {Path(args.out) / 'replies.jsonl'}, {Path(args.out) / 'summary.json'}"
                  + ("" if args.no_audio else f" and {Path(args.out) / 'audio'}/*.wav")])
    return 0


# --------------------------------------------------------------------------- classify

def _cmd_classify(args) -> int:
    from app.understanding.stage import Understander

    try:
        settings = _settings(args)
        catalog = None
        if args.catalog:
            from app.replay import load_catalog_or_fail

            catalog, _ = load_catalog_or_fail(Path(args.catalog))
        u = settings.understanding
        und = Understander.load(catalog, model_dir=u.model_dir, threads=u.threads, usd_to_cny=u.usd_to_cny,
                                uncertain_threshold=u.uncertain_threshold,
                                default_lang=settings.language)
    except LiveHostError as exc:
        return _fail(exc)
    texts = args.text if args.text else (line.rstrip("\r\n") for line in sys.stdin)
    for text in texts:
        r = und.understand(text)
        print(json.dumps({"text": text, "lang": r.lang, "intent": r.intent,
                          "confidence": round(r.confidence, 4), "uncertain": r.uncertain,
                          "slots": r.slots.as_dict()}, ensure_ascii=False), flush=True)
    return 0


# --------------------------------------------------------------------------- train

def _cmd_train(args) -> int:
    from app.understanding.train import train_intent

    repo = Path(__file__).resolve().parents[1]
    data = Path(args.data) if args.data else repo / "models" / "intent" / "data"
    out = Path(args.out) if args.out else repo / "models" / "intent"
    try:
        report = train_intent(data, out, seed=args.seed, progress=True)
    except LiveHostError as exc:
        return _fail(exc)
    except FileNotFoundError as exc:
        return _fail(LiveHostError("train-missing-input", f"Cannot train: {exc}",
                                   "Install the training extra: .venv/bin/pip install -e '.[train]' "
                                   "(or run packaging/setup.sh), and check --data."))
    print(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    return 0


# --------------------------------------------------------------------------- main

def build_parser() -> argparse.ArgumentParser:
    from app.replay import DEMO_CATALOG, DEMO_SESSION

    p = argparse.ArgumentParser(prog="livehost", description="LiveHost - AI virtual host for live-stream selling.")
    p.add_argument("--config", help="settings TOML file (default: the user config directory)")
    p.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    sub = p.add_subparsers(dest="command")

    r = sub.add_parser("replay", help="replay a recorded live session through the virtual host")
    r.add_argument("session", nargs="?", default=str(DEMO_SESSION), help="session .jsonl (default: bundled demo)")
    r.add_argument("--catalog", default=str(DEMO_CATALOG), help="catalog .csv/.xlsx (default: bundled demo)")
    r.add_argument("--out", default="livehost-replay", help="output folder (default: ./livehost-replay)")
    r.add_argument("--speed", type=_speed, default=None,
                   help="stream-time speed: 1 = real time, 10 = ten times faster, max = no waiting (default)")
    r.add_argument("--no-audio", action="store_true", help="do not synthesize WAV files")
    r.add_argument("--skip-bad-rows", action="store_true",
                   help="import the good catalog rows and report the bad ones (default: import nothing)")
    r.add_argument("--model", help="intent model folder (default: the shipped model)")
    r.add_argument("--platform", help="platform name when the session file has no header")
    r.add_argument("-q", "--quiet", action="store_true", help="no live table")
    r.set_defaults(func=_cmd_replay)

    c = sub.add_parser("classify", help="print intent and slots for messages (args or stdin lines) as JSON")
    c.add_argument("text", nargs="*")
    c.add_argument("--catalog", help="catalog for product mentions")
    c.add_argument("--model", help="intent model folder")
    c.set_defaults(func=_cmd_classify)

    t = sub.add_parser("train", help="train a model")
    tsub = t.add_subparsers(dest="what", required=True)
    ti = tsub.add_parser("intent", help="rebuild the intent model from the corpus")
    ti.add_argument("--data", help="corpus folder (default: models/intent/data)")
    ti.add_argument("--out", help="output model folder (default: models/intent)")
    ti.add_argument("--seed", type=int, default=0)
    ti.set_defaults(func=_cmd_train)

    sub.add_parser("gui", help="open the seller console and the avatar window (also: livehost with no "
                               "arguments); --demo drives the demo session through them", add_help=False)
    sub.add_parser("models", help="speech-recognition models: list | install NAME | install --from PATH | "
                                  "remove NAME | path NAME", add_help=False)
    sub.add_parser("transcribe", help="transcribe a WAV/FLAC file (see `livehost transcribe --help`)",
                   add_help=False)
    rec = sub.add_parser("recommend", help="recommendations (see `livehost recommend --help`)", add_help=False)
    rec.add_argument("rest", nargs=argparse.REMAINDER)
    rec.set_defaults(func=lambda a: _recommend(a.rest))
    return p


def _recommend(rest: list[str]) -> int:
    from app.recommend.cli import main

    return main(rest)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # no "Loading weights" bar in our output
    if argv[:1] == ["recommend"]:  # its own parser (options like --viewer must not reach ours)
        return _recommend(argv[1:])
    if not argv or argv[:1] == ["gui"]:  # the seller console
        from app.gui.cli import main_gui

        return main_gui(argv[1:])
    if argv[:1] in (["models"], ["transcribe"]):
        from app.recognition.cli import main_models, main_transcribe

        return (main_models if argv[0] == "models" else main_transcribe)(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return args.func(args)
    except BrokenPipeError:  # e.g. `livehost classify ... | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
