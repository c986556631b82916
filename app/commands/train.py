"""``livehost train intent``: rebuild a model from its corpus."""

from __future__ import annotations

import json
from pathlib import Path

from app.errors import LiveHostError
from app.paths import MODELS


def intent(args) -> int:
    from app.understanding.train import train_intent

    data = Path(args.data) if args.data else MODELS / "intent" / "data"
    out = Path(args.out) if args.out else MODELS / "intent"
    try:
        report = train_intent(data, out, seed=args.seed, progress=True)
    except FileNotFoundError as exc:
        raise LiveHostError("train-missing-input", f"Cannot train: {exc}",
                            "Install the training extra: .venv/bin/pip install -e '.[train]' "
                            "(or run packaging/setup.sh), and check --data.") from exc
    print(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    return 0


def moderation(args) -> int:
    from app.understanding.train_moderation import train_moderation

    data = Path(args.data)
    if not data.is_dir():
        raise LiveHostError("train-missing-input", f"No training data folder at {data}.",
                            "Give the folder holding cold/ and davidson/ with --data.")
    out = Path(args.out) if args.out else MODELS / "moderation"
    try:
        report = train_moderation(data, out, seed=args.seed, progress=True)
    except ImportError as exc:
        raise LiveHostError("train-missing-input", f"Cannot train: {exc}",
                            "Install the training extra: .venv/bin/pip install -e '.[train]'.") from exc
    print(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    return 0
