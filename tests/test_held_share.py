"""A held queue worth reading: on ordinary live chat (hand-written, zh and en; no product questions,
no complaints) the real understanding, reply and moderation stages hold at most ~10 % of the
messages for the seller, and the understanding stage's reading of unsure chat costs the intent
test set nothing it needs."""
import asyncio
import json
from pathlib import Path

import pytest

from app.events import ChatReceived, IntentClassified, ReplySuggested, Viewer
from app.pipeline import Pipeline
from app.reply.flood import FloodStage
from app.reply.policy import ModerationStage
from app.reply.stage import ReplyStage
from app.understanding.flood import FloodTagger
from app.understanding.stage import Understander, UnderstandingStage, load_moderator, settle_social
from app.understanding.text import normalize_text
from tests.conftest import make_catalog

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "general_chat"


def _lines(lang):
    return [ln.strip() for ln in (DATA / f"{lang}.txt").read_text(encoding="utf-8").splitlines()
            if ln.strip() and not ln.startswith("#")]


@pytest.fixture(scope="module")
def understander():
    return Understander.load(make_catalog())


def _held(und, lines):
    out = []

    class Rec:
        def on_event(self, e):
            out.append(e)

    async def go():
        cat = make_catalog()
        p = Pipeline([UnderstandingStage(und, moderator=load_moderator(), flood=FloodTagger()),
                      ReplyStage(cat, merge_window_s=2.0, repeat_window_s=20.0), ModerationStage(), FloodStage(cat)],
                     [Rec()])
        await p.start()
        for i, text in enumerate(lines):
            await p.publish(ChatReceived(t=float(i), msg_id=f"m{i}", viewer=Viewer("t", f"u{i}", f"观众{i}"), text=text))
            await p.drain()
        await p.stop()

    asyncio.run(go())
    held = [e for e in out if isinstance(e, ReplySuggested) and e.held_reason]
    return sum(len(e.msg_ids) for e in held), [e for e in out if isinstance(e, IntentClassified)]


def test_ordinary_chat_is_rarely_held_for_the_seller(understander):
    zh, en = _lines("zh"), _lines("en")
    assert len(zh) > 250 and len(en) > 250
    held_zh, read_zh = _held(understander, zh)
    held_en, read_en = _held(understander, en)
    assert len(read_zh) == len(zh) and len(read_en) == len(en)  # every line was read
    assert (held_zh + held_en) / (len(zh) + len(en)) <= 0.10, (held_zh / len(zh), held_en / len(en))


def test_reading_unsure_chat_as_chat_keeps_what_needs_an_answer(understander):
    rows = [json.loads(x) for x in (ROOT / "models" / "intent" / "data" / "test.jsonl").read_text(
        encoding="utf-8").splitlines() if x.strip()]
    needs_answer = [r for r in rows if r["intent"] not in ("greeting", "compliment", "chitchat", "spam")]
    preds = understander.classifier.classify_batch([normalize_text(r["text"]) for r in needs_answer])
    lost = []
    for r, p in zip(needs_answer, preds):
        text = normalize_text(r["text"])
        intent, _, uncertain = settle_social(p.intent, p.confidence, p.uncertain, p.probs, text=text,
                                             slots=understander.slots.extract(text))
        if (intent, uncertain) != (p.intent, p.uncertain):
            lost.append(r["text"])
    assert len(lost) <= 2, lost  # a message the model misread as chat with no question mark at all
    # and an unsure greeting is plain chat: not held, not thanked
    assert settle_social("greeting", 0.5, True, {"greeting": 0.5, "chitchat": 0.45, "price": 0.05}) == (
        "chitchat", 0.95, False)
    assert settle_social("greeting", 0.5, True, {"greeting": 0.4, "chitchat": 0.3, "price": 0.3})[2] is True
    assert settle_social("chitchat", 0.6, True, {"chitchat": 0.6, "greeting": 0.4}, text="多少钱呢")[2] is True
    # an unsure complaint with no word of a grievance is chat; with one it stays held
    assert settle_social("complaint", 0.8, True, {"complaint": 0.8, "chitchat": 0.2}, text="有点东西")[:2] == (
        "chitchat", 0.2)
    assert settle_social("complaint", 0.8, True, {"complaint": 0.8, "chitchat": 0.2}, text="发货太慢")[0] == "complaint"
