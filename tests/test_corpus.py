"""Checks on the intent-classifier training corpus models/intent/data/train.jsonl.

The held-out set models/intent/data/test.jsonl is written independently; these tests only compare
the two at run time (no overlap) and never print its contents.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from app.understanding.labels import INTENTS

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "models" / "intent" / "data"
TRAIN = DATA / "train.jsonl"
TEST = DATA / "test.jsonl"
SOURCES = {"rasa", "bitext", "clinc150", "handwritten"}
MIN_PER_LABEL = 180


def _key(text: str) -> str:
    """NFKC, case-folded, whitespace removed (same rule as build_corpus.dedup_key and the
    test set's own duplicate check)."""
    import unicodedata

    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def _load(path: Path) -> list[dict]:
    rows = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                rows.append(json.loads(line))
            else:
                pytest.fail(f"{path.name}: blank line {n}")
    return rows


@pytest.fixture(scope="module")
def train() -> list[dict]:
    assert TRAIN.exists(), f"missing {TRAIN}; run models/intent/data/build_corpus.py"
    return _load(TRAIN)


def test_rows_have_the_contract_fields(train):
    for r in train:
        assert set(r) == {"text", "intent", "source"}, r
        assert isinstance(r["text"], str) and r["text"] == r["text"].strip() and r["text"], r
        assert r["source"] in SOURCES, r
        assert r["intent"] in INTENTS, r


def test_exactly_the_fourteen_labels(train):
    assert {r["intent"] for r in train} == set(INTENTS)
    assert len(INTENTS) == 14


def test_every_label_has_enough_examples(train):
    counts = Counter(r["intent"] for r in train)
    thin = {label: counts[label] for label in INTENTS if counts[label] < MIN_PER_LABEL}
    assert not thin, f"labels under {MIN_PER_LABEL} examples: {thin}"
    assert len(train) >= 3500


def test_no_duplicate_texts(train):
    counts = Counter(_key(r["text"]) for r in train)
    dups = [k for k, c in counts.items() if c > 1]
    assert not dups, f"{len(dups)} duplicated texts, e.g. {dups[:5]}"


def test_handwritten_live_room_lines_dominate(train):
    by_source = Counter(r["source"] for r in train)
    assert by_source["handwritten"] > 0.6 * len(train), by_source
    cjk = sum(1 for r in train if re.search(r"[\u4e00-\u9fff]", r["text"]))
    assert cjk > 0.5 * len(train), f"only {cjk} of {len(train)} lines contain Chinese"


def test_no_overlap_with_the_independent_test_set(train):
    if not TEST.exists():
        pytest.skip("models/intent/data/test.jsonl not written yet")
    test_keys = {_key(r["text"]) for r in _load(TEST)}
    overlap = sum(1 for r in train if _key(r["text"]) in test_keys)
    # Report only the count: the held-out texts must not leak into logs read by corpus authors.
    assert overlap == 0, (
        f"{overlap} training texts also occur in test.jsonl; rebuild with "
        "`build_corpus.py ... --exclude models/intent/data/test.jsonl` or edit handwritten/")


def _build_module():
    spec = importlib.util.spec_from_file_location("build_corpus", DATA / "build_corpus.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_build_is_reproducible_and_produces_the_committed_rows(tmp_path, train):
    """From the repository alone: the hand-written lines plus the public sources' extract."""
    mod = _build_module()
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert mod.main(["--out", str(a)]) == 0
    assert mod.main(["--shared", str(mod.EXTRACT), "--out", str(b)]) == 0
    assert a.read_bytes() == b.read_bytes()
    built = {(r["text"], r["intent"], r["source"]) for r in _load(a)}
    committed = {(r["text"], r["intent"], r["source"]) for r in train}
    # --exclude may only remove rows, so the committed file is a subset of a plain rebuild.
    missing = committed - built
    assert not missing, f"{len(missing)} rows in train.jsonl the script does not produce, e.g. {sorted(missing)[:3]}"


def test_dedup_key_matches_the_builder():
    mod = _build_module()
    for text in ["  多少钱 ", "How  MUCH\tis it", "M码 还有吗"]:
        assert mod.dedup_key(text) == _key(text)
    assert mod.dedup_key("Link  Plz") == mod.dedup_key("link plz")
    assert mod.dedup_key("多少钱") != mod.dedup_key("多少")
    assert mod.dedup_key("hello 主播") == mod.dedup_key("Hello主播")


def test_builder_rejects_a_line_filed_under_two_labels(tmp_path, monkeypatch):
    mod = _build_module()
    hw = tmp_path / "handwritten"
    (hw / "templates").mkdir(parents=True)
    (hw / "slots.json").write_text("{}", encoding="utf-8")
    for label in mod.INTENTS:
        (hw / f"{label}.txt").write_text(f"line for {label}\n", encoding="utf-8")
    (hw / "complaint.txt").write_text("多少钱\n", encoding="utf-8")
    (hw / "price.txt").write_text("多少钱\n", encoding="utf-8")
    extract = mod.EXTRACT
    monkeypatch.setattr(mod, "HERE", tmp_path)
    with pytest.raises(SystemExit, match="two labels"):
        mod.build(extract, seed=1, exclude=[])


def test_every_label_has_chinese_and_english_examples(train):
    zh, en = Counter(), Counter()
    for r in train:
        if re.search(r"[\u4e00-\u9fff]", r["text"]):
            zh[r["intent"]] += 1
        elif re.search(r"[A-Za-z]", r["text"]):
            en[r["intent"]] += 1
    for label in INTENTS:
        assert zh[label] >= 100, (label, zh[label])
        assert en[label] >= 30, (label, en[label])


HARD_CASES = {
    # the brief's contrast pairs, kept in the hand-written sources under these labels
    "太贵了吧": "complaint",
    "多少钱": "price",
    "M码还有吗": "stock",
    "拍了": "purchase_intent",
    "上链接": "purchase_intent",
    "几号链接": "purchase_intent",
    "诱惑吗": "stock",
    "主播好美": "compliment",
    "666": "chitchat",
    "背景音乐叫什么": "chitchat",
    "加薇看福利": "spam",
    "私我有福利": "spam",
    "退货运费谁出": "after_sales",
    "运费多少": "shipping",
    "160斤穿什么码": "size_fit",
    "送妈妈买哪个好": "recommendation_request",
    "有优惠券吗": "discount",
    "是纯棉的吗": "product_detail",
    "来了来了": "greeting",
}


def test_handwritten_sources_file_the_hard_cases_under_the_right_label():
    hw = DATA / "handwritten"
    where: dict[str, set[str]] = {}
    for label in INTENTS:
        for line in (hw / f"{label}.txt").read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                where.setdefault(_key(line), set()).add(label)
    for text, label in HARD_CASES.items():
        assert where.get(_key(text)) == {label}, (text, where.get(_key(text)))


def test_templates_stay_a_minority_of_handwritten_lines(train):
    mod = _build_module()
    hw = DATA / "handwritten"
    file_keys = set()
    for label in INTENTS:
        for line in mod.read_lines(hw / f"{label}.txt"):
            file_keys.add(_key(line))
    handwritten = [r for r in train if r["source"] == "handwritten"]
    # lines not literally in a file come from templates or the traditional-character rewrite
    generated = [r for r in handwritten if _key(r["text"]) not in file_keys]
    assert len(generated) < 0.3 * len(handwritten), (len(generated), len(handwritten))
