"""Test doubles that implement the real engine interfaces and record what they receive."""
import threading
from dataclasses import dataclass
from pathlib import Path

RULES = [("多少钱", "price"), ("有货", "stock"), ("加V", "spam"), ("质量", "complaint"), ("什么码", "size_fit")]


@dataclass(frozen=True)
class Pred:
    intent: str
    confidence: float
    uncertain: bool


class KeywordClassifier:
    """Same interface as IntentClassifier.classify; records what it was asked."""

    def __init__(self, rules=RULES):
        self.rules = rules
        self.seen = []

    def classify(self, text):
        self.seen.append(text)
        for kw, intent in self.rules:
            if kw in text:
                return Pred(intent, 0.99, False)
        return Pred("chitchat", 0.5, True)


@dataclass
class SynthResult:
    path: Path
    duration_s: float = 1.0
    sample_rate: int = 22050


class FakeSynth:
    """Implements synthesize(text, lang, path); writes a small file and records the call."""

    def __init__(self):
        self.calls = []

    def synthesize(self, text, lang, path):
        self.calls.append((text, lang))
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_bytes(b"RIFF")
        return SynthResult(Path(path))


class FakePlayer:
    """A player whose play() blocks until stop() or ``play_s`` pass; records plays and stops."""

    available = True
    unavailable_reason = ""

    def __init__(self, play_s=2.0):
        self.play_s = play_s
        self.stop_event = threading.Event()
        self.started = threading.Event()
        self.stops = 0
        self.played = []

    def play(self, path):
        self.played.append(Path(path).name)
        self.started.set()
        stopped = self.stop_event.wait(self.play_s)
        self.stop_event.clear()
        return not stopped

    def stop(self):
        self.stops += 1
        self.stop_event.set()


def run_events(stages, events) -> list:
    """Run ``events`` (in order) through a real :class:`app.pipeline.Pipeline` of ``stages`` and
    return every event an observer saw."""
    import asyncio

    from app.pipeline import Pipeline

    rec = Rec()

    async def src():
        for e in events:
            yield e

    asyncio.run(Pipeline(list(stages), [rec]).run(src()))
    return rec.events


class Rec:
    """An observer that keeps every event."""

    def __init__(self):
        self.events = []

    def on_event(self, e):
        self.events.append(e)

    def of(self, cls):
        return [e for e in self.events if isinstance(e, cls)]


@dataclass(frozen=True)
class Verdict:
    offensive: bool
    score: float
    lexicon_hits: tuple = ()
    lang: str = "zh"
    categories: tuple = ()


class WordModerator:
    """Same interface as OffenseDetector (``score``, ``check_name``): offensive when a listed
    word occurs; records what it was asked."""

    WORDS = ("傻逼", "白痴", "死全家", "操你妈", "fat", "bimbo", "fuck", "hitler", "idiot")

    def __init__(self, words=WORDS):
        self.words = words
        self.scored = []
        self.names = []

    def _v(self, text):
        hit = any(w in text.lower() for w in self.words)
        return Verdict(hit, 0.97 if hit else 0.02)

    def score(self, text):
        self.scored.append(text)
        return self._v(text)

    def check_name(self, name):
        self.names.append(name)
        return self._v(name)
