"""Tests for the intent classifier (app.understanding.classifier) and the calibration /
metric helpers of app.understanding.train. Uses the shipped model in models/intent/."""

from __future__ import annotations

import json
import math
import threading
from pathlib import Path

import numpy as np
import pytest

import app
from app.errors import ModelMissingError
from app.understanding.classifier import (
    CALIBRATION_FILE, IntentClassifier, IntentPrediction, default_model_dir, normalize_text)
from app.understanding.labels import INTENTS
from app.understanding import train as tr


@pytest.fixture(scope="module")
def clf() -> IntentClassifier:
    return IntentClassifier.load()


def _token_ids(clf: IntentClassifier, text: str) -> list[int]:
    tok = clf._tokenizer()
    return tok(normalize_text(text), truncation=True, max_length=clf.max_length)["input_ids"]


# ------------------------------------------------------------------ model files
def test_default_model_dir_is_relative_to_package_not_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    expected = Path(app.__file__).resolve().parents[1] / "models" / "intent"
    assert default_model_dir() == expected
    assert (expected / "config.json").is_file()


def test_label_set_is_exactly_the_14_intents(clf):
    assert clf.labels == INTENTS
    assert len(set(clf.labels)) == 14
    cfg = json.loads((clf.model_dir / "config.json").read_text(encoding="utf-8"))
    assert [cfg["id2label"][str(i)] for i in range(len(cfg["id2label"]))] == list(INTENTS)
    p = clf.classify("3号链接多少钱")
    assert set(p.probs) == set(INTENTS)


def test_calibration_file(clf):
    meta = json.loads((clf.model_dir / CALIBRATION_FILE).read_text(encoding="utf-8"))
    assert meta["temperature"] > 0
    assert 0.0 <= meta["threshold"] < 1.0
    assert meta["labels"] == list(INTENTS)
    assert clf.temperature == pytest.approx(meta["temperature"])
    assert clf.threshold == pytest.approx(meta["threshold"])


def test_shipped_size_limit(clf):
    size = sum(f.stat().st_size for f in clf.model_dir.iterdir() if f.is_file())
    assert size <= 60 * 1024 * 1024


def test_missing_model_dir_raises_model_missing(tmp_path):
    with pytest.raises(ModelMissingError) as ei:
        IntentClassifier.load(tmp_path / "no-such-model")
    assert ei.value.code == "intent-model-missing"
    assert "livehost train intent" in ei.value.hint


def test_model_dir_without_weights_raises(tmp_path, clf):
    d = tmp_path / "partial"
    d.mkdir()
    (d / "config.json").write_bytes((clf.model_dir / "config.json").read_bytes())
    with pytest.raises(ModelMissingError) as ei:
        IntentClassifier.load(d)
    assert ei.value.code == "intent-model-missing"
    assert "model.safetensors" in ei.value.message


def test_corrupt_weights_raise_model_invalid(tmp_path, clf):
    d = tmp_path / "corrupt"
    d.mkdir()
    for f in clf.model_dir.iterdir():
        if f.is_file():
            (d / f.name).write_bytes(f.read_bytes())
    (d / "model.safetensors").write_bytes(b"not a safetensors file")
    with pytest.raises(ModelMissingError) as ei:
        IntentClassifier.load(d, num_threads=None)
    assert ei.value.code == "intent-model-invalid"


# ------------------------------------------------------------- robust inputs
def test_prediction_shape(clf):
    p = clf.classify("这件衣服是纯棉的吗")
    assert isinstance(p, IntentPrediction)
    assert p.intent in INTENTS
    assert math.isclose(sum(p.probs.values()), 1.0, rel_tol=1e-5)
    assert p.confidence == pytest.approx(max(p.probs.values()))
    assert p.probs[p.intent] == p.confidence
    assert p.uncertain == (p.confidence < clf.threshold)
    with pytest.raises(Exception):
        p.intent = "price"  # frozen


def test_long_input_is_truncated(clf):
    text = "请问这件衣服多少钱" + "啊" * 5000
    assert len(text) > 5000
    assert len(_token_ids(clf, text)) == clf.max_length
    p = clf.classify(text)
    assert p.intent in INTENTS
    assert math.isclose(sum(p.probs.values()), 1.0, rel_tol=1e-5)
    latin = "how much " * 700  # 6,300 characters of Latin words
    assert clf.classify(latin).intent in INTENTS


@pytest.mark.parametrize("text", ["🔥🔥🔥", "👍👍", "❤️❤️❤️", "😍"])
def test_emoji_only_not_unknown(clf, text):
    norm = normalize_text(text)
    assert norm  # emoji become words, not nothing
    ids = _token_ids(clf, text)
    unk = clf._tokenizer().unk_token_id
    assert unk not in ids
    assert len(ids) > 2
    p = clf.classify(text)
    assert len(set(round(v, 6) for v in p.probs.values())) > 1  # not the empty fallback


def test_uppercase_latin_same_as_lowercase(clf):
    unk = clf._tokenizer().unk_token_id
    for text in ("XL", "iPhone", "XXL有货吗", "HOW MUCH"):
        assert unk not in _token_ids(clf, text)
    a, b = clf.classify("XL有货吗"), clf.classify("xl有货吗")
    assert a.intent == b.intent
    assert a.probs == pytest.approx(b.probs, abs=1e-6)


def test_traditional_normalised_to_simplified(clf):
    assert normalize_text("這件衣服多少錢") == "这件衣服多少钱"
    a, b = clf.classify("這件衣服還有貨嗎"), clf.classify("这件衣服还有货吗")
    assert a.intent == b.intent
    assert a.probs == pytest.approx(b.probs, abs=1e-6)


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "\u200b"])
def test_empty_input_is_low_confidence_chitchat(clf, text):
    p = clf.classify(text)
    assert p.intent == "chitchat"
    assert p.uncertain
    assert p.confidence == pytest.approx(1 / 14)


def test_non_string_input_raises(clf):
    with pytest.raises(TypeError):
        clf.classify(None)  # type: ignore[arg-type]


def test_normalize_text():
    assert normalize_text("ＸＬ　有貨嗎？") == "xl 有货吗?"
    assert normalize_text("🔥🔥🔥") == "fire fire fire"
    assert normalize_text("好看👍🏻") == "好看 thumbs up sign"
    assert normalize_text("  a \n b  ") == "a b"
    assert normalize_text("") == ""


def test_batch_equals_single(clf):
    texts = ["主播好", "", "有优惠券吗", "🔥🔥🔥", "發什麼快遞", "I want to return it"]
    batch = clf.classify_batch(texts)
    assert len(batch) == len(texts)
    for t, b in zip(texts, batch):
        s = clf.classify(t)
        assert s.intent == b.intent
        assert s.confidence == pytest.approx(b.confidence, abs=1e-4)


# ------------------------------------------------------------------- threads
def test_two_threads_concurrently_match_single_thread(clf):
    base = ["3号链接多少钱", "有没有满减", "我160cm 50kg穿什么码", "是什么面料", "白色还有吗",
            "几天能到", "可以退换吗", "拍了", "有什么推荐的", "主播好漂亮", "客服不理人", "加v领福利",
            "哈哈哈", "大家好", "how much is it", "XL有货吗", "🔥🔥", "這個多少錢"]
    # every base text in three variants, in batches small enough that the two threads interleave
    # many times (the property under test: one tokenizer per thread, no shared mutable state)
    msgs = [f"{base[i % len(base)]}{'!' * (i // len(base) % 3)}" for i in range(3 * len(base) * 3)]
    expected = [(p.intent, p.confidence) for p in clf.classify_batch(msgs)]
    results: dict[int, list] = {}
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            out = []
            for s in range(0, len(msgs), 6):
                out += [(p.intent, p.confidence) for p in clf.classify_batch(msgs[s:s + 6])]
            results[k] = out
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for k in range(2):
        assert [r[0] for r in results[k]] == [e[0] for e in expected]
        assert np.allclose([r[1] for r in results[k]], [e[1] for e in expected], rtol=0, atol=1e-5)


# ------------------------------------------------------- clear messages per label
CLEAR = {
    "greeting": ["主播晚上好", "大家好呀，我来了", "hello host"],
    "price": ["这个多少钱", "3号链接什么价格", "how much is this jacket"],
    "discount": ["有优惠券吗", "能不能再便宜一点", "有满减活动吗"],
    "size_fit": ["我身高165体重110斤穿什么码", "这条裤子偏大还是偏小", "what size should I get if I'm 180cm"],
    "product_detail": ["这件是什么材质的", "这个面料起球吗", "是纯棉的吗"],
    "stock": ["黑色M码还有货吗", "白色什么时候补货", "还有库存吗"],
    "shipping": ["发什么快递", "今天拍什么时候发货", "偏远地区包邮吗"],
    "after_sales": ["不合适可以退货吗", "支持七天无理由退换吗", "收到坏的怎么办"],
    "purchase_intent": ["我要一件黑色的", "已拍", "下单了"],
    "recommendation_request": ["有适合送妈妈的推荐吗", "微胖穿哪件好看", "推荐一款适合学生的"],
    "compliment": ["主播好漂亮", "这件衣服真好看", "质量真好，回购了"],
    "complaint": ["等了一个星期还没发货，太差了", "客服一直不回复", "收到的衣服有色差，很失望"],
    "spam": ["加微信领红包", "私聊我有更便宜的货源", "关注我的直播间送礼物"],
    "chitchat": ["今天天气好热", "你们吃饭了吗", "哈哈哈哈笑死我了"],
}


@pytest.mark.parametrize("intent", list(CLEAR))
def test_clear_messages_classified(clf, intent):
    got = [p.intent for p in clf.classify_batch(CLEAR[intent])]
    assert got == [intent] * len(CLEAR[intent])


# --------------------------------------------------- calibration and metric maths
def test_fit_temperature_recovers_known_temperature():
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 3, size=(4000, 14))
    true_t = 2.5
    probs = tr.softmax(logits, true_t)
    y = np.array([rng.choice(14, p=p) for p in probs])
    assert tr.fit_temperature(logits, y) == pytest.approx(true_t, rel=0.1)


def test_choose_threshold_finds_accuracy_drop():
    conf = np.linspace(0.2, 1.0, 801)
    correct = conf >= 0.6  # wrong below 0.6, right above
    t = tr.choose_threshold(conf, correct, target=0.9)
    assert 0.59 <= t <= 0.61
    assert tr.choose_threshold(conf, np.ones_like(correct)) == 0.0
    assert tr.choose_threshold(conf, np.zeros_like(correct)) == 1.0


def test_classification_metrics_by_hand():
    price, stock, spam = INTENTS.index("price"), INTENTS.index("stock"), INTENTS.index("spam")
    yt = [price, price, stock, stock, spam]
    yp = [price, stock, stock, stock, price]
    m = tr.classification_metrics(yt, yp)
    assert m["accuracy"] == pytest.approx(3 / 5)
    assert m["per_label"]["price"]["precision"] == pytest.approx(1 / 2)
    assert m["per_label"]["price"]["recall"] == pytest.approx(1 / 2)
    assert m["per_label"]["stock"]["precision"] == pytest.approx(2 / 3)
    assert m["per_label"]["stock"]["recall"] == pytest.approx(1.0)
    assert m["per_label"]["spam"]["recall"] == 0.0
    assert m["macro_f1"] == pytest.approx((0.5 + 0.8 + 0.0) / 3)
    assert m["confusion"][spam][price] == 1


def test_stratified_split_is_seeded_and_stratified():
    rows = [(f"消息{i}{lab}", lab) for lab in INTENTS for i in range(20)]
    rows += [("多少钱", "price")] * 3  # duplicates stay on one side
    a_tr, a_va = tr.stratified_split(rows, 0.1, seed=0)
    b_tr, b_va = tr.stratified_split(rows, 0.1, seed=0)
    assert a_va == b_va and a_tr == b_tr
    assert len(a_tr) + len(a_va) == len(rows)
    for lab in INTENTS:
        assert sum(1 for _, l in a_va if l == lab) == 2
    dup_sides = {("多少钱", "price") in a_tr, ("多少钱", "price") in a_va}
    assert len(dup_sides) == 2  # in exactly one of the two
    assert not ({t for t, _ in a_tr} & {t for t, _ in a_va})
