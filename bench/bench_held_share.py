"""How much of ordinary chat does the host hold for the seller? (A held queue worth reading.)

General live chat -- greetings, reactions, small talk, remarks about the host and the stream,
goodbyes; no product questions, no complaints -- in Chinese and English: the hand-written lines of
``tests/data/general_chat/{zh,en}.txt`` (written for LiveHost, see their headers), each also sent
the way chat decorates it (``~``, ``！！``, ``哈哈``, ``😂``, `` lol``, ``@主播``), a few thousand
messages in all. They go through the real understanding stage (the shipped intent model, the
offensive-language detector, flood tagging) and the real reply, moderation and flood stages, one
viewer per message, one message a second of stream time.

Printed (rich tables), per language and in all:

* the held share (messages whose reply waits for the seller) by reason -- target <= 10 %;
* how often the intent model itself says ``complaint`` (each one a false complaint here) and how
  often it is unsure, before the understanding stage's own reading (``settle_social``);
* the understanding stage's accuracy on the intent test set (``models/intent/data/test.jsonl``),
  with and without that reading, so a change here cannot hide a loss there.

Usage (repository root)::

    .venv/bin/python bench/bench_held_share.py
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchlib import print_table  # noqa: E402

DATA = ROOT / "tests" / "data" / "general_chat"
DECORATIONS = {
    "zh": ("", "~", "！！", "哈哈", "😂", "❤️", "@主播 {}", "{}呀"),
    "en": ("", "!", " lol", " 😂", " ❤️", "omg {}", "@host {}", " haha"),
}


def general_chat(lang: str, variants: int = 6, seed: int = 0) -> list[str]:
    """The base lines of ``lang`` plus ``variants - 1`` decorated copies of each (seeded)."""
    rng = random.Random(seed)
    base = [ln.strip() for ln in (DATA / f"{lang}.txt").read_text(encoding="utf-8").splitlines()
            if ln.strip() and not ln.startswith("#")]
    out = list(base)
    for line in base:
        for deco in rng.sample(DECORATIONS[lang][1:], variants - 1):
            out.append(deco.format(line) if "{}" in deco else line + deco)
    return out


async def held(lines: list[str], und, moderator, catalog) -> tuple[Counter, int]:
    """Held replies by reason for ``lines`` sent one a second by different viewers."""
    from app.events import ChatReceived, ReplySuggested, Viewer
    from app.pipeline import Pipeline
    from app.reply.flood import FloodStage
    from app.reply.policy import ModerationStage
    from app.reply.stage import ReplyStage
    from app.understanding.flood import FloodTagger
    from app.understanding.stage import UnderstandingStage

    reasons: Counter = Counter()

    class Rec:
        def on_event(self, e):
            if isinstance(e, ReplySuggested) and e.held_reason:
                reasons[e.held_reason] += len(e.msg_ids)

    p = Pipeline([UnderstandingStage(und, moderator=moderator, flood=FloodTagger()),
                  ReplyStage(catalog, merge_window_s=2.0, repeat_window_s=20.0), ModerationStage(),
                  FloodStage(catalog)], [Rec()])
    await p.start()
    for i, text in enumerate(lines):
        await p.publish(ChatReceived(t=float(i), msg_id=f"m{i}", viewer=Viewer("bench", f"u{i}", f"观众{i}"),
                                     text=text))
        await p.drain()
    await p.stop()
    return reasons, len(lines)


def main() -> int:
    from app.catalog.importer import load_catalog
    from app.paths import DEMO_CATALOG
    from app.understanding.stage import Understander, load_moderator, settle_social
    from app.understanding.text import normalize_text

    catalog = load_catalog(DEMO_CATALOG).catalog
    und = Understander.load(catalog)
    moderator = load_moderator()
    rows, total_held, total = [], 0, 0
    for lang in ("zh", "en"):
        lines = general_chat(lang)
        preds = und.classifier.classify_batch([normalize_text(t) for t in lines])
        complaint = sum(1 for p in preds if p.intent == "complaint")
        unsure = sum(1 for p in preds if p.uncertain)
        reasons, n = asyncio.run(held(lines, und, moderator, catalog))
        h = sum(reasons.values())
        total_held += h
        total += n
        rows.append((lang, f"{n}", f"{h / n:.3f} ({h}: " + ", ".join(f"{k} {v}" for k, v in reasons.most_common())
                     + ")", f"{complaint / n:.3f} ({complaint})", f"{unsure / n:.3f}"))
    rows.append(("all", f"{total}", f"{total_held / total:.3f}  (target <= 0.10)", "", ""))
    print_table(rows, header="language", columns=("messages", "held share", "model says complaint",
                                                  "model unsure"), title="General chat: held for the seller")

    test = [json.loads(x) for x in (ROOT / "models" / "intent" / "data" / "test.jsonl").read_text(
        encoding="utf-8").splitlines() if x.strip()]
    preds = und.classifier.classify_batch([normalize_text(r["text"]) for r in test])
    raw = sum(p.intent == r["intent"] for p, r in zip(preds, test))
    settled = [settle_social(p.intent, p.confidence, p.uncertain, p.probs, text=normalize_text(r["text"]),
                             slots=und.slots.extract(normalize_text(r["text"]))) for p, r in zip(preds, test)]
    ours = sum(s[0] == r["intent"] for s, r in zip(settled, test))
    questions_lost = sum(1 for s, p, r in zip(settled, preds, test)
                         if s[0] != p.intent and r["intent"] not in ("greeting", "compliment", "chitchat"))
    print_table([("intent model (MODEL_CARD)", f"{raw / len(test):.4f}"),
                 ("understanding stage (settle_social)", f"{ours / len(test):.4f}"),
                 ("test messages needing an answer turned into chat", f"{questions_lost}")],
                header=f"intent test set (n={len(test)})", columns=("accuracy",), title="No loss elsewhere")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
