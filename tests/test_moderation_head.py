"""Tests for the offensive-language detector's encoder head (app.understanding.moderation_head):
loaded only on top of the intent model it was trained on, used only when the intent encoder's
states are given, and the same verdicts on live-room chat as the n-gram model's tests ask for."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import app
from app.understanding.moderation import OffenseDetector
from app.understanding.moderation_head import HEAD_FILE, LAYER, intent_fingerprint
from tests.test_moderation import INSULTS_EN, INSULTS_ZH, ORDINARY_CHAT

REPO = Path(app.__file__).resolve().parents[1]
INTENT = REPO / "models" / "intent"
MODEL = REPO / "models" / "moderation"


@pytest.fixture(scope="module")
def clf():
    from app.understanding.classifier import IntentClassifier

    return IntentClassifier.load(INTENT)


@pytest.fixture(scope="module")
def det() -> OffenseDetector:
    return OffenseDetector.load(intent_dir=INTENT)


def _states(clf, text):
    from app.understanding.text import normalize_text

    return clf.classify_with_states(normalize_text(text), LAYER)[1]


def test_the_shipped_head_matches_the_shipped_intent_model(det):
    assert det.head is not None
    assert det.encoder_layer == LAYER
    assert det.meta["encoder_head"]["intent_fingerprint"] == intent_fingerprint(INTENT)
    assert set(det.head.thresholds) == {"zh", "en"}
    assert OffenseDetector.load().head is None  # without the intent model: the n-gram model alone
    assert OffenseDetector.load().encoder_layer is None


def test_classify_with_states_gives_the_same_intent_as_classify(clf):
    for text in ("3号链接多少钱", "主播好美", "how much is the blue one", "快递太慢了"):
        pred, states = clf.classify_with_states(text, LAYER)
        ref = clf.classify(text)
        assert pred.intent == ref.intent
        assert pred.confidence == pytest.approx(ref.confidence, abs=1e-6)
        assert states.ndim == 2 and states.shape[1] == 384 and states.dtype == np.float32
    pred, states = clf.classify_with_states("   ", LAYER)
    assert states is None and pred.uncertain


@pytest.mark.parametrize("text", INSULTS_ZH + INSULTS_EN)
def test_insults_are_flagged_with_the_head(det, clf, text):
    o = det.score(text, encoder_states=_states(clf, text))
    assert o.encoder
    assert o.offensive, (text, o.score)


@pytest.mark.parametrize("text", [t for t in ORDINARY_CHAT if t])
def test_ordinary_chat_is_not_flagged_with_the_head(det, clf, text):
    o = det.score(text, encoder_states=_states(clf, text))
    assert o.encoder
    assert not o.offensive, (text, o.score)


def test_the_head_changes_the_score_and_without_states_it_is_the_ngram_model(det, clf):
    plain = OffenseDetector.load()
    text = "河南人都是骗子"
    with_head = det.score(text, encoder_states=_states(clf, text))
    without = det.score(text)
    assert not without.encoder
    assert without.score == plain.score(text).score
    assert with_head.score != without.score
    assert with_head.lexicon_hits == without.lexicon_hits
    # names never use the head: the lexicon decides
    assert det.check_name("煞 笔").offensive and not det.check_name("煞 笔").encoder


def test_a_head_trained_on_another_intent_model_is_not_used(tmp_path, caplog):
    dst = tmp_path / "moderation"
    shutil.copytree(MODEL, dst, ignore=shutil.ignore_patterns("data", "LICENSES"))
    meta = json.loads((dst / "moderation.json").read_text(encoding="utf-8"))
    meta["encoder_head"]["intent_fingerprint"] = "0" * 16
    (dst / "moderation.json").write_text(json.dumps(meta), encoding="utf-8")
    d = OffenseDetector.load(dst, intent_dir=INTENT)
    assert d.head is None and d.encoder_layer is None
    assert "another intent model" in caplog.text
    # and a folder without the head file loads without it
    (dst / HEAD_FILE).unlink()
    assert OffenseDetector.load(dst, intent_dir=INTENT).head is None


def test_a_broken_head_file_is_a_clear_error(tmp_path):
    from app.errors import ModelMissingError

    dst = tmp_path / "moderation"
    shutil.copytree(MODEL, dst, ignore=shutil.ignore_patterns("data", "LICENSES"))
    (dst / HEAD_FILE).write_bytes(b"not safetensors")
    with pytest.raises(ModelMissingError) as ei:
        OffenseDetector.load(dst, intent_dir=INTENT)
    assert ei.value.code == "moderation-model-invalid"


def test_the_understanding_stage_passes_the_states_to_the_detector():
    from app.understanding.stage import Understander, UnderstandingStage, load_moderator

    und = Understander.load()
    moderator = load_moderator(understander=und)
    assert und.states_layer == LAYER and moderator.head is not None
    seen = []

    class Recording:
        def score(self, text, encoder_states=None):
            seen.append(encoder_states is not None)
            return moderator.score(text, encoder_states=encoder_states)

    stage = UnderstandingStage(und, moderator=Recording())
    # the stage's blocking read (what the pipeline runs on the intent executor)
    u, o = stage._read("主播好丑", True)
    assert u.encoder_states is not None and o.encoder and o.offensive
    u, o = stage._read("3号链接多少钱", True)
    assert o.encoder and not o.offensive
    u, o = stage._read("主播好丑", False)  # host speech is not screened
    assert o is None
    assert seen == [True, True]


def test_a_model_loading_in_the_background_gets_the_head_without_waiting_for_it():
    """The console loads the intent model on its own thread: the detector's head is found from the
    model's folder at once, and the states layer reaches the understander when it is in."""
    import threading

    from app.understanding.classifier import default_model_dir
    from app.understanding.stage import DeferredUnderstander, Understander, load_moderator

    gate = threading.Event()

    def load():
        gate.wait(60)
        return Understander.load()

    deferred = DeferredUnderstander(load, model_dir=default_model_dir())
    moderator = load_moderator(understander=deferred)  # returns while the model is still held back
    assert not deferred.ready and moderator.head is not None and deferred.states_layer == LAYER
    gate.set()
    assert deferred.wait(120).states_layer == LAYER
