"""Training and evaluation of the offensive-language model (:mod:`app.understanding.moderation`).

Data (``data_dir``, by default ``../shared/data/moderation`` next to the repository):

* ``cold/{train,dev,test}.csv`` -- COLD (Deng et al., EMNLP 2022; Apache-2.0): Chinese comments,
  ``label`` 1 offensive / 0 safe. train -> training, dev -> validation, test -> test only.
* ``davidson/labeled_data.csv`` -- Davidson et al., ICWSM 2017 (MIT): English tweets, ``class``
  0 hate / 1 offensive / 2 neither -> offensive = class 0 or 1. Split 80/10/10 (stratified,
  :data:`DAVIDSON_SEED`, independent of the training seed) by :func:`davidson_split`.

Live-room data (in the repository):

* the intent corpus ``models/intent/data/{train,test}.jsonl``: every message is a negative except
  those listed in ``models/moderation/data/intent_abusive.txt``, which are positives.
  ``train.jsonl`` -> 90 % training / 10 % validation (seeded); ``test.jsonl`` -> test only;
* ``models/moderation/data/live_insults_{zh,en}.txt`` (positives) and ``live_benign.txt``
  (negatives), split 70/15/15 by a hash of the text (stable when lines are added).

Pipeline of :func:`train_moderation`: generate the lexicon variants (COLD train as evidence for
ordinary-looking homophones) -> features -> logistic regression (scikit-learn, liblinear, class
and source weights, ``C`` chosen on validation) -> per-language thresholds on validation
(best accuracy on the corpora's validation splits while the false-positive rate on live-room
validation messages stays <= :data:`MAX_LIVE_FPR`) -> save -> test metrics.
:func:`compare_models` measures the alternatives reported in ``models/moderation/MODEL_CARD.md``.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import sys
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from app.understanding import moderation as M
from app.understanding.moderation_lexicon import (
    BASE_FILES, VARIANTS_FILE, Lexicon, build_variants, prepare, read_corpus_evidence, write_variants)
from app.understanding.text import detect_lang, normalize_text

DAVIDSON_SEED = 2017
"""Seed of the Davidson train/validation/test split (fixed, so every model is tested on the same rows)."""

DAVIDSON_FRACTIONS = (0.8, 0.1, 0.1)
INTENT_VAL_FRACTION = 0.1
MAX_LIVE_FPR = 0.005
"""Largest share of benign live-room validation messages a chat threshold may flag."""

C_GRID = (3.0, 10.0, 30.0)
LIVE_POS_WEIGHT = 4.0
"""Sample weight of a live-room positive (abuse is rare in the live-room data; corpora rows weigh 1)."""

HARD_NEGATIVE_WEIGHT = 4.0
"""Sample weight of a hand-written benign live-room line (slang, crude praise, harsh complaints:
the few examples that contradict what the corpora teach)."""


@dataclass
class Split:
    """Texts, labels (1 offensive) and a source tag per row."""

    texts: list[str] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)
    """Extra sample weight per row (1 for most; see :func:`sample_weights`)."""

    def add(self, rows: Sequence[tuple[str, int]], source: str, weight: float = 1.0) -> None:
        for t, y in rows:
            self.texts.append(t)
            self.labels.append(int(y))
            self.sources.append(source)
            self.weights.append(weight)

    def __len__(self) -> int:
        return len(self.texts)


# ============================================================================ reading data
def repo_root() -> Path:
    import app

    return Path(app.__file__).resolve().parents[1]


def default_data_dir() -> Path:
    """``../shared/data/moderation`` beside the repository."""
    return repo_root().parent / "shared" / "data" / "moderation"


def read_cold(path: Path) -> list[tuple[str, int]]:
    """One COLD csv (``TEXT``, ``label``) -> ``(text, label)`` rows.

    Raises:
        FileNotFoundError: the file is missing.
        ValueError: a row without text or with a label other than 0/1.
    """
    rows = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for n, r in enumerate(csv.DictReader(fh), 2):
            text, label = r.get("TEXT"), (r.get("label") or "").strip()
            if text is None or label not in ("0", "1"):
                raise ValueError(f"{path}:{n}: expected columns TEXT and label 0/1")
            rows.append((text, int(label)))
    return rows


def read_davidson(path: Path) -> list[tuple[str, int]]:
    """``labeled_data.csv`` -> ``(tweet, class)`` rows (class 0 hate, 1 offensive, 2 neither).

    Raises:
        FileNotFoundError: the file is missing.
        ValueError: a row without a tweet or with another class.
    """
    rows = []
    with open(path, encoding="utf-8", newline="") as fh:
        for n, r in enumerate(csv.DictReader(fh), 2):
            text, cls = r.get("tweet"), (r.get("class") or "").strip()
            if text is None or cls not in ("0", "1", "2"):
                raise ValueError(f"{path}:{n}: expected columns tweet and class 0/1/2")
            rows.append((text, int(cls)))
    return rows


def davidson_split(rows: Sequence[tuple[str, int]], seed: int = DAVIDSON_SEED):
    """Stratified (by class) 80/10/10 split -> ``(train, val, test)`` of ``(text, offensive)``
    where offensive = class 0 (hate) or 1 (offensive)."""
    rng = random.Random(seed)
    parts: tuple[list, list, list] = ([], [], [])
    for cls in (0, 1, 2):
        idx = [i for i, (_, c) in enumerate(rows) if c == cls]
        rng.shuffle(idx)
        n_tr = round(DAVIDSON_FRACTIONS[0] * len(idx))
        n_va = round(DAVIDSON_FRACTIONS[1] * len(idx))
        for k, i in enumerate(idx):
            part = 0 if k < n_tr else (1 if k < n_tr + n_va else 2)
            parts[part].append(i)
    return tuple([(rows[i][0], int(rows[i][1] != 2)) for i in sorted(p)] for p in parts)


def read_lines(path: Path) -> list[str]:
    """Non-empty, non-comment lines of a text file."""
    return [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()
            if ln.strip() and not ln.lstrip().startswith("#")]


def _key(text: str) -> str:
    return "".join(normalize_text(text).lower().split())


def hash_part(text: str) -> int:
    """0 (train, 70 %), 1 (validation, 15 %) or 2 (test, 15 %), from a hash of the normalised text."""
    h = zlib.crc32(_key(text).encode("utf-8")) % 100
    return 0 if h < 70 else (1 if h < 85 else 2)


def read_intent_corpus(path: Path, abusive: set[str]) -> list[tuple[str, int]]:
    """Texts of an intent-corpus JSONL file, label 1 when listed in ``intent_abusive.txt``."""
    rows = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                text = json.loads(line)["text"]
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{n}: not an intent record ({exc})") from exc
            rows.append((text, int(_key(text) in abusive)))
    return rows


@dataclass
class Corpora:
    train: Split
    val: Split
    test: dict[str, list[tuple[str, int]]]
    """Test sets by name: ``cold``, ``davidson``, ``live_intent`` (intent test.jsonl), ``live_hand``."""


def load_corpora(data_dir: Path, live_dir: Path, intent_dir: Path, seed: int = 0) -> Corpora:
    """Read every corpus and make the splits described in the module docstring.

    Raises:
        FileNotFoundError: a corpus file is missing (the message names it).
    """
    for p in (data_dir / "cold" / "train.csv", data_dir / "davidson" / "labeled_data.csv",
              intent_dir / "train.jsonl", live_dir / "live_insults_zh.txt"):
        if not p.is_file():
            raise FileNotFoundError(f"training data not found: {p}")
    train, val = Split(), Split()
    train.add(read_cold(data_dir / "cold" / "train.csv"), "cold")
    val.add(read_cold(data_dir / "cold" / "dev.csv"), "cold")
    d_tr, d_va, d_te = davidson_split(read_davidson(data_dir / "davidson" / "labeled_data.csv"))
    train.add(d_tr, "davidson")
    val.add(d_va, "davidson")

    abusive = {_key(t) for t in read_lines(live_dir / "intent_abusive.txt")}
    intent_rows = read_intent_corpus(intent_dir / "train.jsonl", abusive)
    rng = random.Random(seed)
    order = list(range(len(intent_rows)))
    rng.shuffle(order)
    n_val = round(INTENT_VAL_FRACTION * len(order))
    val_keys = {_key(intent_rows[i][0]) for i in order[:n_val]}
    train.add([r for r in intent_rows if _key(r[0]) not in val_keys], "live")
    val.add([r for r in intent_rows if _key(r[0]) in val_keys], "live")

    hand = ([(t, 1) for t in read_lines(live_dir / "live_insults_zh.txt")]
            + [(t, 1) for t in read_lines(live_dir / "live_insults_en.txt")]
            + [(t, 0) for t in read_lines(live_dir / "live_benign.txt")])
    parts: tuple[list, list, list] = ([], [], [])
    for t, y in hand:
        parts[hash_part(t)].append((t, y))
    train.add([r for r in parts[0] if r[1] == 1], "live")
    train.add([r for r in parts[0] if r[1] == 0], "live", HARD_NEGATIVE_WEIGHT)
    val.add(parts[1], "live")

    test: dict[str, list[tuple[str, int]]] = {"live_hand": parts[2]}
    cold_test = data_dir / "cold" / "test.csv"
    if cold_test.is_file():
        test["cold"] = read_cold(cold_test)
    test["davidson"] = d_te
    if (intent_dir / "test.jsonl").is_file():
        test["live_intent"] = read_intent_corpus(intent_dir / "test.jsonl", abusive)
    return Corpora(train, val, test)


# ============================================================================ features / fit
def design_matrix(texts: Sequence[str], lexicon: Lexicon | None, idf: np.ndarray | None = None,
                  keep: Callable[[str], bool] | None = None):
    """Hashed counts of every text -> (CSR matrix of tf-idf rows, idf used).

    With ``idf=None`` the idf is computed from these texts (smoothed: ``ln((1+N)/(1+df)) + 1``).
    ``lexicon=None`` leaves the lexicon features out; ``keep`` keeps only the feature strings it
    accepts (both for :func:`compare_models`).
    """
    import scipy.sparse as sp

    counts = []
    for t in texts:
        s = prepare(t[:M.MAX_CHARS])
        feats = M.features(s, lexicon.find(s, prepared=True) if lexicon else ())
        if keep is not None:
            feats = [f for f in feats if keep(f)]
        counts.append(M.hash_counts(feats))
    if idf is None:
        df = np.zeros(M.N_BUCKETS, dtype=np.float64)
        for c in counts:
            df[np.fromiter(c.keys(), dtype=np.int64, count=len(c))] += 1
        idf = (np.log((1.0 + len(counts)) / (1.0 + df)) + 1.0).astype(np.float32)
    indptr, indices, data = [0], [], []
    for c in counts:
        idx, val = M.vectorize(c, idf)
        indices.append(idx)
        data.append(val)
        indptr.append(indptr[-1] + len(idx))
    X = sp.csr_matrix((np.concatenate(data) if data else np.zeros(0, np.float32),
                       np.concatenate(indices).astype(np.int32) if indices else np.zeros(0, np.int32),
                       np.asarray(indptr, dtype=np.int32)),
                      shape=(len(texts), M.N_BUCKETS), dtype=np.float32)
    X.indices = X.indices.astype(np.int32)  # liblinear wants 32-bit indices
    X.indptr = X.indptr.astype(np.int32)
    return X, idf


def sample_weights(split: Split) -> np.ndarray:
    """1 per corpus row; live-room positives :data:`LIVE_POS_WEIGHT`; hand-written live-room
    negatives :data:`HARD_NEGATIVE_WEIGHT`; Davidson's classes balanced (its offensive class is
    5x its neither class)."""
    y = np.asarray(split.labels)
    src = np.asarray(split.sources)
    w = np.asarray(split.weights, dtype=np.float64) if split.weights else np.ones(len(y))
    w[(src == "live") & (y == 1)] *= LIVE_POS_WEIGHT
    dav = src == "davidson"
    if dav.any():
        pos, neg = int((y[dav] == 1).sum()), int((y[dav] == 0).sum())
        if pos and neg:
            w[dav & (y == 0)] = pos / neg
    return w


def fit_lr(X, y, w, C: float, seed: int):
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=C, solver="liblinear", max_iter=2000, random_state=seed)
    clf.fit(X, y, sample_weight=w)
    return clf


def choose_thresholds(p: np.ndarray, y: np.ndarray, sources: np.ndarray, langs: np.ndarray) -> dict[str, float]:
    """Per language: among thresholds flagging at most :data:`MAX_LIVE_FPR` of the benign
    live-room validation rows (all languages), the one with the best sum of validation accuracy
    on that language's corpus rows and on its live-room rows. Ties go to the threshold nearest 0.5."""
    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    live_neg = p[(sources == "live") & (y == 0)]
    allowed = [float(t) for t in grid if not len(live_neg) or float((live_neg >= t).mean()) <= MAX_LIVE_FPR]
    out = {}
    for lang in M.LANGS:
        m = (sources != "live") & (langs == lang)
        if not m.any():
            m = langs == lang
        live = (sources == "live") & (langs == lang)
        best = None
        for t in allowed:
            acc = float(((p[m] >= t) == y[m]).mean()) if m.any() else 0.0
            if live.any():
                acc += float(((p[live] >= t) == y[live]).mean())
            key = (acc, -abs(t - 0.5))
            if best is None or key > best[0]:
                best = (key, t)
        out[lang] = best[1] if best else 0.95
    return out


# ============================================================================ metrics
def binary_metrics(y_true: Sequence[int], y_pred: Sequence[int]) -> dict:
    """Accuracy, precision, recall, F1 of the positive (offensive) class, and counts."""
    yt = np.asarray(y_true, dtype=bool)
    yp = np.asarray(y_pred, dtype=bool)
    tp = int((yt & yp).sum())
    fp = int((~yt & yp).sum())
    fn = int((yt & ~yp).sum())
    tn = int((~yt & ~yp).sum())
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    n = len(yt)
    return {"n": n, "accuracy": (tp + tn) / n if n else 0.0, "precision": prec, "recall": rec,
            "f1": f1, "fpr": fp / (fp + tn) if fp + tn else 0.0, "tp": tp, "fp": fp, "fn": fn, "tn": tn}


def evaluate_detector(det: M.OffenseDetector, rows: Sequence[tuple[str, int]], *,
                      timing: bool = False) -> dict:
    """Metrics of ``det.score`` on ``(text, label)`` rows; with ``timing``, per-message latency
    percentiles (ms, wall clock, this thread)."""
    preds, lat = [], []
    for t, _ in rows:
        s = time.perf_counter()
        preds.append(det.score(t).offensive)
        lat.append((time.perf_counter() - s) * 1e3)
    out = binary_metrics([y for _, y in rows], preds)
    if timing and lat:
        out["latency_ms_p50"] = float(np.percentile(lat, 50))
        out["latency_ms_p95"] = float(np.percentile(lat, 95))
    return out


# ============================================================================ training
def _copy_lexicon(src: Path, dst: Path) -> None:
    dst.mkdir(parents=True, exist_ok=True)
    for name in (*BASE_FILES, "PROVENANCE.md"):
        if (src / name).is_file() and (src / name).resolve() != (dst / name).resolve():
            shutil.copyfile(src / name, dst / name)


def train_moderation(data_dir: Path, out_dir: Path, *, seed: int = 0, live_dir: Path | None = None,
                     intent_dir: Path | None = None, lexicon_dir: Path | None = None,
                     progress: bool = False) -> dict:
    """Train the offensive-language model and save it to ``out_dir`` (see the module docstring).

    Args:
        data_dir: folder with ``cold/`` and ``davidson/`` (COLD's ``test.csv`` is optional).
        out_dir: where ``moderation.json``, ``moderation.npz`` and ``lexicon/`` are written.
        seed: seed of the intent-corpus validation split and the solver; the same seed and data
            give the same model.
        live_dir: live-room data (default ``models/moderation/data``).
        intent_dir: the intent corpus (default ``models/intent/data``).
        lexicon_dir: base lexicon (default ``models/moderation/lexicon``).
        progress: print what is being done to stderr.

    Returns:
        The metrics (also stored in ``moderation.json`` under ``metrics``): per test set
        accuracy / precision / recall / F1 / false-positive rate, validation figures, the chosen
        ``C`` and thresholds.

    Raises:
        FileNotFoundError: a corpus file is missing.
        ValueError: a corpus file is malformed.
    """
    t_start = time.perf_counter()
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    root = repo_root()
    live_dir = Path(live_dir) if live_dir else root / "models" / "moderation" / "data"
    intent_dir = Path(intent_dir) if intent_dir else root / "models" / "intent" / "data"
    lexicon_dir = Path(lexicon_dir) if lexicon_dir else root / "models" / "moderation" / "lexicon"

    def say(msg: str) -> None:
        if progress:
            print(f"[{time.perf_counter() - t_start:6.1f}s] {msg}", file=sys.stderr, flush=True)

    corpora = load_corpora(data_dir, live_dir, intent_dir, seed=seed)
    say(f"data: {len(corpora.train)} training rows, {len(corpora.val)} validation rows")

    evidence = read_corpus_evidence(
        [(t, y) for t, y, s in zip(corpora.train.texts, corpora.train.labels, corpora.train.sources)
         if s == "cold"])
    variants = build_variants(lexicon_dir, evidence)
    out_dir.mkdir(parents=True, exist_ok=True)
    _copy_lexicon(lexicon_dir, out_dir / M.LEXICON_DIR)
    write_variants(out_dir / M.LEXICON_DIR / VARIANTS_FILE, variants)
    from app.understanding.moderation_head import HEAD_FILE

    (out_dir / HEAD_FILE).unlink(missing_ok=True)  # trained on the old n-gram logits: retrain it
    lexicon = Lexicon(variants)
    say(f"lexicon: {len(variants)} variants")

    Xtr, idf = design_matrix(corpora.train.texts, lexicon)
    Xva, _ = design_matrix(corpora.val.texts, lexicon, idf)
    ytr = np.asarray(corpora.train.labels)
    yva = np.asarray(corpora.val.labels)
    w = sample_weights(corpora.train)
    va_src = np.asarray(corpora.val.sources)
    va_lang = np.asarray([detect_lang(normalize_text(t[:M.MAX_CHARS]), "zh") for t in corpora.val.texts])
    say("features done")

    best = None
    for C in C_GRID:
        clf = fit_lr(Xtr, ytr, w, C, seed)
        p = clf.predict_proba(Xva)[:, 1]
        th = choose_thresholds(p, yva, va_src, va_lang)
        pred = p >= np.vectorize(th.get)(va_lang)
        corp = va_src != "live"
        score = float((pred[corp] == yva[corp]).mean()) + float((pred[~corp] == yva[~corp]).mean())
        say(f"C={C}: validation accuracy corpora {float((pred[corp] == yva[corp]).mean()):.4f}, "
            f"live {float((pred[~corp] == yva[~corp]).mean()):.4f}")
        if best is None or score > best[0]:
            best = (score, C, clf, p)
    _, C, clf, p_va = best
    thresholds = choose_thresholds(p_va, yva, va_src, va_lang)

    weights = np.asarray(clf.coef_[0], dtype=np.float32)
    bias = float(clf.intercept_[0])
    np.savez_compressed(out_dir / M.WEIGHTS_FILE, weights=weights, idf=idf, bias=np.float32(bias))

    pred_va = p_va >= np.vectorize(thresholds.get)(va_lang)
    val_metrics = {}
    for name, m in (("cold_dev", va_src == "cold"), ("davidson_val", va_src == "davidson"),
                    ("live_val", va_src == "live")):
        if m.any():
            val_metrics[name] = binary_metrics(yva[m], pred_va[m])
    meta = {
        "feature_version": M.FEATURE_VERSION,
        "n_buckets": M.N_BUCKETS,
        "thresholds": thresholds,
        "C": C,
        "seed": seed,
        "max_live_fpr": MAX_LIVE_FPR,
        "trained_on": {
            "rows": len(corpora.train),
            "by_source": {s: int(sum(1 for x in corpora.train.sources if x == s))
                          for s in sorted(set(corpora.train.sources))},
            "positives": int(ytr.sum()),
        },
        "validation": val_metrics,
        "lexicon_variants": len(variants),
        "data": {
            "COLD": "thu-coai/COLDataset @a0c55a9 (Apache-2.0): train for training, dev for validation, test for testing",
            "Davidson": f"t-davidson/hate-speech-and-offensive-language @cb50f7e (MIT): 80/10/10 split, seed {DAVIDSON_SEED}",
            "live-room": "models/intent/data (intent corpus) + models/moderation/data (hand-written)",
        },
    }
    (out_dir / M.META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    say("saved; testing")

    det = M.OffenseDetector.load(out_dir)
    metrics = {"validation": val_metrics, "C": C, "thresholds": thresholds}
    for name, rows in corpora.test.items():
        metrics[name] = evaluate_detector(det, rows, timing=name in ("cold", "davidson"))
    metrics["train_seconds"] = round(time.perf_counter() - t_start, 1)
    meta["metrics"] = {k: v for k, v in metrics.items() if k not in ("validation",)}
    (out_dir / M.META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return metrics


# ============================================================================ encoder head
HEAD_EPOCHS = 2
HEAD_BATCH = 32
HEAD_LR_LAYER = 5e-5
"""Learning rate of the copied encoder layer (the read-out and the n-gram weight use 1e-3)."""
HEAD_FOLDS = 5
"""Folds of the out-of-fold n-gram logits the head is trained with (so it learns what the n-gram
model misses on text it has not seen, as at run time)."""


def encoder_states(texts: Sequence[str], intent_dir: Path, *, progress: Callable[[str], None] | None = None,
                   cache: Path | None = None):
    """``hidden_states[LAYER]`` of the intent encoder (int8, one message per pass, as in the
    understanding stage) for every text, float16; ``None`` for text empty after normalisation.

    With ``cache`` (a folder), the states are read from / written to
    ``<cache>/states-<fingerprint>-<hash of the texts>.npz``, so a second run (another seed,
    another learning rate) skips the slow part; the key covers the intent model and the texts."""
    import hashlib

    from app.understanding.classifier import IntentClassifier
    from app.understanding.moderation_head import LAYER, intent_fingerprint

    path = None
    if cache is not None:
        key = hashlib.sha256("\x00".join(texts).encode("utf-8")).hexdigest()[:16]
        path = Path(cache) / f"states-{intent_fingerprint(intent_dir)}-{key}.npz"
        if path.is_file():
            with np.load(path, allow_pickle=False) as z:
                flat, lens = z["states"], z["lengths"]
            ends = np.cumsum(lens)
            return [None if n == 0 else flat[e - n:e] for n, e in zip(lens, ends)]
    clf = IntentClassifier.load(intent_dir, num_threads=1)
    out = []
    for i, t in enumerate(texts):
        _, st = clf.classify_with_states(normalize_text(t), LAYER)
        out.append(None if st is None else st.astype(np.float16))
        if progress and i and i % 10000 == 0:
            progress(f"encoder states: {i}/{len(texts)}")
    if path is not None:
        save_states(path, out)
    return out


def save_states(path: Path, states) -> None:
    """Write :func:`encoder_states`' list to one ``.npz`` (rows concatenated, with their lengths)."""
    lens = np.asarray([0 if st is None else st.shape[0] for st in states], dtype=np.int64)
    rows = [st for st in states if st is not None]
    flat = np.concatenate(rows).astype(np.float16) if rows else np.zeros((0, 384), np.float16)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, states=flat, lengths=lens)


def oof_logits(split: Split, lexicon: Lexicon, C: float, seed: int, folds: int = HEAD_FOLDS) -> np.ndarray:
    """Out-of-fold logits of the n-gram model on the training rows (``folds`` random folds)."""
    X, _ = design_matrix(split.texts, lexicon)
    y, w = np.asarray(split.labels), sample_weights(split)
    fold = np.random.RandomState(seed).randint(0, folds, len(y))
    out = np.zeros(len(y))
    for k in range(folds):
        tr = fold != k
        out[~tr] = fit_lr(X[tr], y[tr], w[tr], C, seed).decision_function(X[~tr])
    return out


def _head_batches(states, idx, logits, bs: int, rng: np.random.RandomState | None):
    import torch

    idx = sorted(idx, key=lambda i: states[i].shape[0])
    chunks = [idx[j:j + bs] for j in range(0, len(idx), bs)]
    if rng is not None:
        rng.shuffle(chunks)
    for ch in chunks:
        L = max(states[i].shape[0] for i in ch)
        h = torch.zeros(len(ch), L, states[ch[0]].shape[1])
        m = torch.zeros(len(ch), L, dtype=torch.bool)
        for r, i in enumerate(ch):
            h[r, :states[i].shape[0]] = torch.from_numpy(states[i].astype(np.float32))
            m[r, :states[i].shape[0]] = True
        yield ch, h, m, torch.tensor(np.asarray(logits)[ch], dtype=torch.float32)


def train_encoder_head(data_dir: Path, model_dir: Path | None = None, *, intent_dir: Path | None = None,
                       seed: int = 0, threads: int = 2, states_cache: Path | None = None,
                       progress: bool = False) -> dict:
    """Train the encoder head (:mod:`app.understanding.moderation_head`) on top of the n-gram
    model already in ``model_dir`` (run :func:`train_moderation` first) and save it there.

    Steps: out-of-fold n-gram logits for the training rows; the intent encoder's states for every
    row (int8, one message at a time, as at run time: the slow part, ~10 minutes per core); copy
    the encoder's last layer, train it with a read-out (weighted BCE, :data:`HEAD_EPOCHS` epochs,
    AdamW, the same sample weights) to correct the n-gram logit; per-language thresholds on
    validation with :func:`choose_thresholds`, through the int8 head the detector runs; test metrics.

    Returns:
        The head's metrics (also stored under ``encoder_head`` in ``moderation.json``).
    """
    import torch
    import torch.nn.functional as F
    from safetensors.torch import save_file

    from app.understanding import moderation_head as MH

    t_start = time.perf_counter()
    model_dir = Path(model_dir) if model_dir else M.default_model_dir()
    root = repo_root()
    intent_dir = Path(intent_dir) if intent_dir else root / "models" / "intent"

    def say(msg: str) -> None:
        if progress:
            print(f"[{time.perf_counter() - t_start:6.1f}s] {msg}", file=sys.stderr, flush=True)

    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    corpora = load_corpora(Path(data_dir), root / "models" / "moderation" / "data", intent_dir / "data", seed=seed)
    det = M.OffenseDetector.load(model_dir)
    meta = dict(det.meta)
    meta.pop("encoder_head", None)
    oof = oof_logits(corpora.train, det.lexicon, float(meta["C"]), seed)
    say("out-of-fold n-gram logits done")

    def ngram_logits(texts):
        out = []
        for t in texts:
            s = prepare(t[:M.MAX_CHARS])
            z = det._logit(s, det.lexicon.find(s, prepared=True))
            out.append(0.0 if z is None else z)
        return np.asarray(out)

    st_tr = encoder_states(corpora.train.texts, intent_dir, progress=say, cache=states_cache)
    st_va = encoder_states(corpora.val.texts, intent_dir, progress=say, cache=states_cache)
    say("encoder states done")
    z_va = ngram_logits(corpora.val.texts)

    net = MH.build_module()
    MH.init_from_intent(net, intent_dir)
    ytr = torch.tensor(corpora.train.labels, dtype=torch.float32)
    wtr = torch.tensor(sample_weights(corpora.train), dtype=torch.float32)
    tr_idx = [i for i, st in enumerate(st_tr) if st is not None]
    head_params = [net.out.weight, net.out.bias, net.a]
    body = [p for n, p in net.named_parameters() if not n.startswith(("out.", "a"))]
    opt = torch.optim.AdamW([{"params": body, "lr": HEAD_LR_LAYER}, {"params": head_params, "lr": 1e-3}],
                            weight_decay=0.01)
    steps = HEAD_EPOCHS * -(-len(tr_idx) // HEAD_BATCH)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda k: min(1.0, k / max(1.0, 0.06 * steps)) * max(0.0, (steps - k) / steps))
    rng = np.random.RandomState(seed)
    for ep in range(HEAD_EPOCHS):
        net.train()
        tot = n = 0.0
        for ch, h, m, z in _head_batches(st_tr, tr_idx, oof, HEAD_BATCH, rng):
            loss = (F.binary_cross_entropy_with_logits(net(h, m, z), ytr[ch], reduction="none")
                    * wtr[ch]).sum() / wtr[ch].sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot += float(loss.detach()) * len(ch)
            n += len(ch)
        say(f"head epoch {ep + 1}/{HEAD_EPOCHS}: loss {tot / n:.4f}, n-gram weight {net.a.item():.3f}")

    sd = {k: v.detach().to(torch.float16).contiguous() for k, v in net.state_dict().items()}
    save_file(sd, str(model_dir / MH.HEAD_FILE))
    head_meta = {"version": MH.HEAD_VERSION, "layer": MH.LAYER, "intent_fingerprint": MH.intent_fingerprint(intent_dir),
                 "thresholds": {lang: 0.5 for lang in M.LANGS}, "epochs": HEAD_EPOCHS, "batch": HEAD_BATCH,
                 "lr_layer": HEAD_LR_LAYER, "folds": HEAD_FOLDS, "seed": seed}
    head = MH.EncoderHead.load(model_dir, head_meta)  # the int8 head the detector will run
    p_va = np.zeros(len(st_va))
    for i, st in enumerate(st_va):
        p_va[i] = 1.0 / (1.0 + np.exp(-(z_va[i] if st is None else head.logit(st, z_va[i]))))
    yva, va_src = np.asarray(corpora.val.labels), np.asarray(corpora.val.sources)
    va_lang = np.asarray([detect_lang(normalize_text(t[:M.MAX_CHARS]), "zh") for t in corpora.val.texts])
    head_meta["thresholds"] = choose_thresholds(p_va, yva, va_src, va_lang)
    pred_va = p_va >= np.vectorize(head_meta["thresholds"].get)(va_lang)
    head_meta["validation"] = {name: binary_metrics(yva[m], pred_va[m]) for name, m in (
        ("cold_dev", va_src == "cold"), ("davidson_val", va_src == "davidson"), ("live_val", va_src == "live"))}
    meta["encoder_head"] = head_meta
    (model_dir / M.META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    say(f"saved; thresholds {head_meta['thresholds']}; testing")

    det = M.OffenseDetector.load(model_dir, intent_dir=intent_dir)
    assert det.head is not None
    metrics: dict = {"validation": head_meta["validation"], "thresholds": head_meta["thresholds"]}
    for name, rows in corpora.test.items():
        states = encoder_states([t for t, _ in rows], intent_dir, cache=states_cache)
        preds = [det.score(t, encoder_states=st).offensive for (t, _), st in zip(rows, states)]
        metrics[name] = binary_metrics([y for _, y in rows], preds)
    metrics["train_seconds"] = round(time.perf_counter() - t_start, 1)
    head_meta["metrics"] = {k: v for k, v in metrics.items() if k not in ("validation", "thresholds")}
    (model_dir / M.META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return metrics


COMPARED = {
    "lexicon only (a non-vulgar hit = offensive)": None,
    "char 1-3-grams": lambda f: not f.startswith(("w:", "b:", "c:", "lex:")),
    "char 1-3 + English words/bigrams + word 4/5-grams": lambda f: not f.startswith("lex:"),
    "shipped: the above + lexicon features": lambda f: True,
    "shipped features, trained without live-room data": lambda f: True,
}
"""The variants :func:`compare_models` measures (feature filter per variant)."""


def compare_models(data_dir: Path, *, seed: int = 0, C: float = 10.0, progress: bool = False) -> list[dict]:
    """Measure the alternatives in :data:`COMPARED` on the same splits as :func:`train_moderation`
    (thresholds chosen the same way on validation).

    Returns:
        One row per variant: ``name`` and, per test set, ``accuracy`` / ``f1`` / ``fpr``.
    """
    root = repo_root()
    live_dir = root / "models" / "moderation" / "data"
    corpora = load_corpora(Path(data_dir), live_dir, root / "models" / "intent" / "data", seed=seed)
    lexicon = M.OffenseDetector.load().lexicon
    te_texts, te_y, te_src = [], [], []
    for name, rows in corpora.test.items():
        for t, y in rows:
            te_texts.append(t)
            te_y.append(y)
            te_src.append(name)
    yte, te_src_a = np.asarray(te_y), np.asarray(te_src)
    te_lang = np.asarray([detect_lang(prepare(t[:M.MAX_CHARS]), "zh") for t in te_texts])
    va_lang = np.asarray([detect_lang(prepare(t[:M.MAX_CHARS]), "zh") for t in corpora.val.texts])
    yva, va_src = np.asarray(corpora.val.labels), np.asarray(corpora.val.sources)
    out = []
    for name, keep in COMPARED.items():
        if keep is None:
            pred = np.asarray([any(h.category != "vulgar" for h in lexicon.find(t[:M.MAX_CHARS]))
                               for t in te_texts])
        else:
            tr = corpora.train
            if "without live-room" in name:
                idx = [i for i, s in enumerate(tr.sources) if s != "live"]
                tr = Split([tr.texts[i] for i in idx], [tr.labels[i] for i in idx],
                           [tr.sources[i] for i in idx], [tr.weights[i] for i in idx])
            Xtr, idf = design_matrix(tr.texts, lexicon, keep=keep)
            clf = fit_lr(Xtr, np.asarray(tr.labels), sample_weights(tr), C, seed)
            p_va = clf.predict_proba(design_matrix(corpora.val.texts, lexicon, idf, keep)[0])[:, 1]
            th = choose_thresholds(p_va, yva, va_src, va_lang)
            p_te = clf.predict_proba(design_matrix(te_texts, lexicon, idf, keep)[0])[:, 1]
            pred = p_te >= np.vectorize(th.get)(te_lang)
        row = {"name": name}
        for test in corpora.test:
            m = te_src_a == test
            row[test] = binary_metrics(yte[m], pred[m])
        out.append(row)
        if progress:
            print(name, {k: round(v["accuracy"], 4) for k, v in row.items() if k != "name"},
                  file=sys.stderr, flush=True)
    return out


def format_metrics(metrics: dict) -> str:
    """A short plain-text report of :func:`train_moderation`'s metrics."""
    lines = [f"C={metrics['C']}  thresholds={metrics['thresholds']}"]
    for name in ("cold", "davidson", "live_intent", "live_hand"):
        m = metrics.get(name)
        if not m:
            continue
        extra = f"  p95 {m['latency_ms_p95']:.2f} ms" if "latency_ms_p95" in m else ""
        lines.append(f"{name:<12} n={m['n']:<6} acc {m['accuracy']:.4f}  P {m['precision']:.4f}  "
                     f"R {m['recall']:.4f}  F1 {m['f1']:.4f}  FPR {m['fpr']:.4f}{extra}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python -m app.understanding.train_moderation [--data DIR] [--out DIR] [--seed N] [--encoder-head]``."""
    ap = argparse.ArgumentParser(prog="train_moderation", description="Train the offensive-language model.")
    ap.add_argument("--data", type=Path, default=None, help="folder with cold/ and davidson/ "
                    "(default ../shared/data/moderation beside the repository)")
    ap.add_argument("--out", type=Path, default=None, help="output folder (default models/moderation)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--compare", action="store_true",
                    help="measure the alternative models of MODEL_CARD.md instead of training")
    ap.add_argument("--encoder-head", action="store_true",
                    help="train the encoder head over the n-gram model already in --out (needs torch; ~30 min)")
    ap.add_argument("--threads", type=int, default=2, help="torch threads for --encoder-head")
    ap.add_argument("--states-cache", type=Path, default=None,
                    help="folder to keep the intent encoder's states in between --encoder-head runs")
    args = ap.parse_args(argv)
    data = args.data or default_data_dir()
    out = args.out or M.default_model_dir()
    try:
        if args.compare:
            for row in compare_models(data, seed=args.seed, progress=True):
                print(row["name"])
                for test, m in row.items():
                    if test != "name":
                        print(f"  {test:<12} acc {m['accuracy']:.4f}  F1 {m['f1']:.4f}  FPR {m['fpr']:.4f}  R {m['recall']:.4f}")
            return 0
        if args.encoder_head:
            metrics = train_encoder_head(data, out, seed=args.seed, threads=args.threads,
                                         states_cache=args.states_cache, progress=True)
            for name in ("cold", "davidson", "live_intent", "live_hand"):
                if name in metrics:
                    m = metrics[name]
                    print(f"{name:<12} n={m['n']:<6} acc {m['accuracy']:.4f}  P {m['precision']:.4f}  "
                          f"R {m['recall']:.4f}  F1 {m['f1']:.4f}  FPR {m['fpr']:.4f}")
            return 0
        metrics = train_moderation(data, out, seed=args.seed, progress=True)
    except (FileNotFoundError, ValueError) as exc:
        print(f"train_moderation: {exc}", file=sys.stderr)
        return 2
    print(format_metrics(metrics))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
