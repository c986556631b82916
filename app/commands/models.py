"""``livehost models ...`` (speech-recognition models) and ``livehost transcribe FILE``."""

from __future__ import annotations

import json
import sys


def run(args) -> int:
    """``livehost models list | install NAME | install --from PATH_OR_ZIP | remove NAME | path NAME``."""
    from app.recognition import models

    if args.action == "list":
        rows = models.model_table()
        if args.json:
            print(json.dumps(rows, ensure_ascii=False, indent=2))
            return 0
        print(f"Models folder: {models.models_root()}")
        print(f"{'name':30} {'alias':10} {'lang':4} {'kind':15} {'size':8} {'checksum':20} installed")
        for r in rows:
            alias = r["aliases"][0] if r["aliases"] else ""
            state = ("yes (default)" if r["default"] else "yes (only when named)" if r["kind"] == "bundled (test)"
                     else "yes") if r["installed"] else "no"
            print(f"{r['name']:30} {alias:10} {r['lang']:4} {r['kind']:15} {r['size']:8} {r['checksum']:20} {state}")
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
    return 2


def transcribe(args) -> int:
    """``livehost transcribe FILE [--model NAME] [--json]``: the transcript of a WAV/FLAC file
    (any sample rate, any channel count)."""
    from app.recognition.models import resolve_model
    from app.recognition.transcribe import transcribe_file

    model_dir = resolve_model(args.model)
    result = transcribe_file(args.file, model_dir)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        for seg in result["segments"]:
            print(seg["text"])
    return 0
