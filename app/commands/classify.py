"""``livehost classify``: one JSON line per message (intent, confidence, slots, language, and the
offensive-language verdict: ``offensive``, ``offense_score``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from app.cli import load_settings_for


def run(args) -> int:
    from app.understanding.stage import Understander, load_moderator

    settings = load_settings_for(args)
    catalog = None
    if args.catalog:
        from app.replay import load_catalog_or_fail

        catalog, _ = load_catalog_or_fail(Path(args.catalog))
    u = settings.understanding
    und = Understander.load(catalog, model_dir=u.model_dir, threads=u.threads, usd_to_cny=u.usd_to_cny,
                            uncertain_threshold=u.uncertain_threshold, default_lang=settings.language)
    moderator = load_moderator(settings.moderation.model_dir, understander=und)
    texts = args.text if args.text else (line.rstrip("\r\n") for line in sys.stdin)
    for text in texts:
        r = und.understand(text)
        o = (moderator.score(text) if r.encoder_states is None
             else moderator.score(text, encoder_states=r.encoder_states))
        print(json.dumps({"text": text, "lang": r.lang, "intent": r.intent,
                          "confidence": round(r.confidence, 4), "uncertain": r.uncertain,
                          "slots": r.slots.as_dict(), "offensive": bool(o.offensive),
                          "offense_score": round(float(o.score), 4)}, ensure_ascii=False), flush=True)
    return 0
