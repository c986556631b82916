"""Checks on the hand-written intent test set, models/intent/data/test.jsonl.

The file is JSON Lines: one object per line, {"text": str, "intent": one of INTENTS,
"source": "testset-handwritten"}. See models/intent/data/TESTSET.md for how it was written.
"""

import json
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from app.understanding.labels import INTENTS

DATA_DIR = Path(__file__).resolve().parents[1] / "models" / "intent" / "data"
TEST_PATH = DATA_DIR / "test.jsonl"
TRAIN_PATH = DATA_DIR / "train.jsonl"

MIN_PER_LABEL = 30
MIN_TOTAL = 480
SOURCE = "testset-handwritten"


def _normalise(text: str) -> str:
    """NFKC + casefold + whitespace removed, so near-identical texts compare equal."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def _read_lines(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as f:
        return f.read().splitlines()


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    lines = _read_lines(TEST_PATH)
    parsed = []
    for number, line in enumerate(lines, start=1):
        assert line.strip(), f"line {number} is empty"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            pytest.fail(f"line {number} is not valid JSON: {exc}")
        assert isinstance(obj, dict), f"line {number} is not a JSON object"
        parsed.append(obj)
    return parsed


def test_every_line_has_exactly_the_three_fields(rows):
    for number, row in enumerate(rows, start=1):
        assert set(row) == {"text", "intent", "source"}, f"line {number}: keys {sorted(row)}"
        assert isinstance(row["text"], str), f"line {number}: text is not a string"
        assert row["text"].strip() == row["text"] and row["text"], f"line {number}: empty or padded text"
        assert row["source"] == SOURCE, f"line {number}: source {row['source']!r}"


def test_only_the_fourteen_labels(rows):
    used = {row["intent"] for row in rows}
    assert used <= set(INTENTS), f"unknown labels: {sorted(used - set(INTENTS))}"
    assert used == set(INTENTS), f"labels with no example: {sorted(set(INTENTS) - used)}"


def test_every_label_has_enough_examples(rows):
    counts = Counter(row["intent"] for row in rows)
    short = {label: counts.get(label, 0) for label in INTENTS if counts.get(label, 0) < MIN_PER_LABEL}
    assert not short, f"labels under {MIN_PER_LABEL}: {short}"
    assert len(rows) >= MIN_TOTAL, f"only {len(rows)} messages"


def test_no_duplicate_texts(rows):
    counts = Counter(_normalise(row["text"]) for row in rows)
    duplicates = sorted(text for text, n in counts.items() if n > 1)
    assert not duplicates, f"duplicate texts: {duplicates}"


def test_no_text_is_both_in_training_and_test_data(rows):
    """Leakage guard: a test message must never also be a training message."""
    if not TRAIN_PATH.exists():
        pytest.skip("train.jsonl not written yet")
    train_texts = set()
    for line in _read_lines(TRAIN_PATH):
        if line.strip():
            train_texts.add(_normalise(json.loads(line)["text"]))
    shared = sorted(row["text"] for row in rows if _normalise(row["text"]) in train_texts)
    assert not shared, f"{len(shared)} test texts also appear in train.jsonl: {shared}"
