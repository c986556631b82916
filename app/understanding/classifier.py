"""Intent classifier for live-room chat: a small BERT-architecture sequence classifier
(Hugging Face ``transformers``, CPU) with temperature-calibrated confidence.

The shipped model lives in ``models/intent/`` at the repository root (``config.json``,
``model.safetensors``, tokenizer files and ``livehost_intent.json`` holding the calibration
temperature and the ``uncertain`` threshold). It is built by
:func:`app.understanding.train.train_intent` (CLI: ``livehost train intent``).

Every message goes through :func:`normalize_text` before tokenisation, both at training and
at inference time:

1. Unicode NFKC (full-width letters/digits/punctuation -> ASCII forms);
2. traditional -> simplified Chinese with OpenCC ``t2s``;
3. lower-casing (``XL``, ``iPhone`` -> ``xl``, ``iphone``), so upper-case Latin never falls
   out of the vocabulary;
4. each emoji replaced by its Unicode character name (``🔥`` -> `` fire ``), so emoji-only
   messages carry words the model has seen instead of ``[UNK]``; variation selectors, ZWJ and
   skin-tone modifiers are dropped;
5. whitespace runs collapsed to one space.

Thread safety: ``transformers`` fast tokenizers are not safe to share between threads (a
concurrent call raises ``RuntimeError: Already borrowed``), so each thread gets its own
tokenizer (``threading.local``). The torch model is only read during inference and is shared.
"""

from __future__ import annotations

import json
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from app.errors import ModelMissingError
from app.understanding.labels import INTENTS

CALIBRATION_FILE = "livehost_intent.json"
"""Name of the file next to ``config.json`` that stores temperature, threshold and metadata."""

PREPROCESS_VERSION = "nfkc+t2s+lower+emoji-names/1"
"""Identifier of :func:`normalize_text`'s behaviour; stored with the model and checked at load."""

MAX_CHARS = 4096
"""Raw messages are cut to this many characters before normalisation (the model sees at most
``max_length`` tokens anyway; this only bounds the work done on pathological input)."""

EMPTY_INTENT = "chitchat"
"""Intent returned for a message that is empty after normalisation."""

_DROP_CODEPOINTS = frozenset({0x200D, 0xFE0E, 0xFE0F, 0x20E3}) | frozenset(range(0x1F3FB, 0x1F400))
"""Zero-width joiner, variation selectors, keycap combiner and skin-tone modifiers."""

_local = threading.local()

QUANTIZATIONS = ("none", "int8-dynamic")
"""Inference-time weight formats: float32 as saved, or torch dynamic int8 quantisation of every
``nn.Linear`` (weights int8 per tensor, activations quantised on the fly; ~2x faster on CPU)."""


def prepare_for_inference(model, quantization: str = "none"):
    """Put a ``transformers`` model in eval mode and apply the inference weight format.

    Args:
        model: a float32 ``torch.nn.Module``.
        quantization: one of :data:`QUANTIZATIONS`.

    Returns:
        The model to run (a quantised copy for ``"int8-dynamic"``; the same object otherwise).

    Raises:
        ValueError: unknown ``quantization``.
    """
    import torch

    model.eval()
    if quantization == "none":
        return model
    if quantization == "int8-dynamic":
        import warnings

        with warnings.catch_warnings():  # the eager API is marked deprecated but works in torch 2.x
            warnings.simplefilter("ignore")
            return torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
    raise ValueError(f"unknown quantization {quantization!r} (expected one of {QUANTIZATIONS})")


def default_model_dir() -> Path:
    """The shipped model directory ``<repo root>/models/intent``, resolved from the installed
    ``app`` package (``Path(app.__file__).parents[1]``), never from the current directory."""
    import app

    return Path(app.__file__).resolve().parents[1] / "models" / "intent"


def is_emoji(ch: str) -> bool:
    """True for a pictographic emoji code point (Unicode category ``So`` in the emoji blocks
    U+2190..U+2BFF, U+1F000..U+1FAFF, or regional indicators).

    Args:
        ch: a single character.
    """
    cp = ord(ch)
    if 0x1F1E6 <= cp <= 0x1F1FF:  # regional indicator letters (flags)
        return True
    if not (0x2190 <= cp <= 0x2BFF or 0x1F000 <= cp <= 0x1FAFF):
        return False
    return unicodedata.category(ch) == "So"


def _t2s(text: str) -> str:
    conv = getattr(_local, "opencc", None)
    if conv is None:
        import opencc

        conv = opencc.OpenCC("t2s")
        _local.opencc = conv
    return conv.convert(text)


def normalize_text(text: str) -> str:
    """Normalise one chat message for the intent model (see the module docstring).

    Args:
        text: the raw message (any length; only the first :data:`MAX_CHARS` characters are used).

    Returns:
        The normalised text; ``""`` when nothing but whitespace/format characters remains.

    Raises:
        TypeError: ``text`` is not a ``str``.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS])
    if any("\u3400" <= c <= "\u9fff" for c in text):
        text = _t2s(text)
    text = text.lower()
    out: list[str] = []
    for ch in text:
        cp = ord(ch)
        if cp in _DROP_CODEPOINTS:
            continue
        if 0x1F1E6 <= cp <= 0x1F1FF:  # regional indicators: pairs form national flags
            out.append(" flag ")
        elif is_emoji(ch):
            name = unicodedata.name(ch, "")
            out.append(f" {name.lower()} " if name else " ")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            out.append(" ")
        else:
            out.append(ch)
    return " ".join("".join(out).split())


@dataclass(frozen=True)
class IntentPrediction:
    """The classifier's reading of one message.

    Attributes:
        intent: one of :data:`app.understanding.labels.INTENTS`.
        confidence: calibrated probability of ``intent`` (0..1, temperature-scaled softmax).
        uncertain: True when ``confidence`` is below the model's threshold (chosen on a
            validation split carved from the training data), or the message was empty.
        probs: calibrated probability of every one of the 14 intents (sums to 1).
    """

    intent: str
    confidence: float
    uncertain: bool
    probs: dict[str, float] = field(default_factory=dict)


class IntentClassifier:
    """Classifies live-room chat messages into the 14 intents.

    Build with :meth:`load`; then :meth:`classify` / :meth:`classify_batch` may be called from
    any number of threads concurrently.

    Attributes:
        model_dir: directory the model was loaded from.
        temperature: softmax temperature (logits are divided by it), > 0.
        threshold: confidence below which a prediction is flagged ``uncertain`` (0..1).
        max_length: maximum tokens per message incl. special tokens; longer input is truncated.
    """

    def __init__(self, model_dir: Path, model, tokenizer_factory, *, temperature: float,
                 threshold: float, max_length: int, labels: Sequence[str],
                 batch_size: int = 64) -> None:
        self.model_dir = model_dir
        self._model = model
        self._tokenizer_factory = tokenizer_factory
        self.temperature = float(temperature)
        self.threshold = float(threshold)
        self.max_length = int(max_length)
        self.labels = tuple(labels)
        self.batch_size = int(batch_size)
        self._tls = threading.local()
        self._tok_lock = threading.Lock()

    # ------------------------------------------------------------------ loading
    @staticmethod
    def check_files(model_dir: Path | None = None) -> dict:
        """Check a model folder without loading it (no torch import; milliseconds): the files are
        there and ``livehost_intent.json`` is readable and of this text normalisation. Returns
        that file's content.

        Raises:
            ModelMissingError: ``intent-model-missing`` / ``intent-model-invalid`` as :meth:`load`.
        """
        model_dir = Path(model_dir) if model_dir is not None else default_model_dir()
        needed = ("config.json", "model.safetensors", "tokenizer.json", CALIBRATION_FILE)
        missing = [n for n in needed if not (model_dir / n).is_file()]
        if missing:
            raise ModelMissingError(
                code="intent-model-missing",
                message=f"The intent model is not installed in {model_dir} (missing: {', '.join(missing)}).",
                hint="run `livehost train intent`",
            )
        try:
            meta = json.loads((model_dir / CALIBRATION_FILE).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ModelMissingError(
                code="intent-model-invalid",
                message=f"The intent model's {CALIBRATION_FILE} in {model_dir} cannot be read ({exc}).",
                hint="restore models/intent from the repository, or run `livehost train intent`",
            ) from exc
        if not isinstance(meta, dict):
            raise ModelMissingError(
                code="intent-model-invalid",
                message=f"The intent model's {CALIBRATION_FILE} in {model_dir} is not a JSON object.",
                hint="restore models/intent from the repository, or run `livehost train intent`")
        if meta.get("preprocess") != PREPROCESS_VERSION:
            raise ModelMissingError(
                code="intent-model-invalid",
                message=(f"The intent model in {model_dir} was built with text normalisation "
                         f"{meta.get('preprocess')!r}, this LiveHost uses {PREPROCESS_VERSION!r}."),
                hint="run `livehost train intent`",
            )

        return meta

    @classmethod
    def load(cls, model_dir: Path | None = None, *, num_threads: int | None = 1) -> "IntentClassifier":
        """Load a saved model without any network access.

        Args:
            model_dir: directory holding ``config.json``, ``model.safetensors``, the tokenizer
                files and ``livehost_intent.json``; default :func:`default_model_dir`.
            num_threads: torch intra-op threads to use (``torch.set_num_threads``, which is
                process-wide). Default 1, the fastest setting for single-message latency;
                ``None`` leaves torch's setting alone.

        Raises:
            ModelMissingError: ``code="intent-model-missing"`` when the directory or one of its
                files is missing; ``code="intent-model-invalid"`` when the files cannot be read,
                its label set is not exactly the 14 intents, or it was built with another text
                normalisation.
        """
        model_dir = Path(model_dir) if model_dir is not None else default_model_dir()
        meta = cls.check_files(model_dir)

        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        if num_threads is not None:
            torch.set_num_threads(int(num_threads))
        try:
            model = AutoModelForSequenceClassification.from_pretrained(
                model_dir, local_files_only=True, dtype=torch.float32)
            AutoTokenizer.from_pretrained(model_dir, local_files_only=True)  # fail early, not per thread
        except Exception as exc:  # noqa: BLE001 - any unreadable model file (safetensors, json, ...)
            raise ModelMissingError(
                code="intent-model-invalid",
                message=f"The intent model in {model_dir} could not be read ({exc}).",
                hint="run `livehost train intent`",
            ) from exc
        labels = [model.config.id2label[i] for i in range(model.config.num_labels)]
        if tuple(labels) != INTENTS:
            raise ModelMissingError(
                code="intent-model-invalid",
                message=f"The intent model in {model_dir} has labels {labels}, expected {list(INTENTS)}.",
                hint="run `livehost train intent`",
            )

        quantization = meta.get("quantization", "none")
        model = prepare_for_inference(model, quantization)

        def factory():
            return AutoTokenizer.from_pretrained(model_dir, local_files_only=True)

        # Dynamic int8 quantises activations with one scale per input tensor, so in a padded
        # batch a message's result would depend on its neighbours: run such models one message
        # per forward pass (results then never depend on the rest of the batch).
        batch_size = 1 if quantization == "int8-dynamic" else 64
        return cls(model_dir, model, factory, temperature=meta["temperature"],
                   threshold=meta["threshold"], max_length=int(meta["max_length"]), labels=labels,
                   batch_size=batch_size)

    def _tokenizer(self):
        tok = getattr(self._tls, "tok", None)
        if tok is None:
            with self._tok_lock:  # loading reads files; keep it one at a time
                tok = self._tokenizer_factory()
            self._tls.tok = tok
        return tok

    # --------------------------------------------------------------- inference
    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """Raw (uncalibrated) logits for already-normalised, non-empty texts.

        Args:
            texts: output of :func:`normalize_text`, none empty.

        Returns:
            float32 array of shape ``(len(texts), 14)``.
        """
        import torch

        out = np.zeros((len(texts), len(self.labels)), dtype=np.float32)
        if not texts:
            return out
        tok = self._tokenizer()
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            idx = order[start:start + self.batch_size]
            enc = tok([texts[i] for i in idx], truncation=True, max_length=self.max_length,
                      padding=True, return_tensors="pt", return_token_type_ids=False)
            with torch.inference_mode():
                lg = self._model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).logits
            out[idx] = lg.float().numpy()
        return out

    def _predictions(self, probs: np.ndarray) -> list[IntentPrediction]:
        preds = []
        for row in probs:
            k = int(row.argmax())
            conf = float(row[k])
            preds.append(IntentPrediction(
                intent=self.labels[k], confidence=conf, uncertain=conf < self.threshold,
                probs={lab: float(p) for lab, p in zip(self.labels, row)}))
        return preds

    def _empty_prediction(self) -> IntentPrediction:
        p = 1.0 / len(self.labels)
        return IntentPrediction(intent=EMPTY_INTENT, confidence=p, uncertain=True,
                                probs={lab: p for lab in self.labels})

    def classify_batch(self, texts: Iterable[str]) -> list[IntentPrediction]:
        """Classify several messages at once (faster per message than :meth:`classify`).

        Args:
            texts: raw chat messages. Longer than ``max_length`` tokens -> truncated; empty or
                whitespace-only -> ``chitchat`` with confidence 1/14 and ``uncertain=True``.

        Returns:
            One :class:`IntentPrediction` per input, in input order.

        Raises:
            TypeError: an element is not a ``str``.
        """
        raw = list(texts)
        norm = [normalize_text(t) for t in raw]
        keep = [i for i, t in enumerate(norm) if t]
        result: list[IntentPrediction | None] = [None] * len(raw)
        if keep:
            lg = self.logits([norm[i] for i in keep]) / self.temperature
            lg = lg - lg.max(axis=1, keepdims=True)
            probs = np.exp(lg)
            probs /= probs.sum(axis=1, keepdims=True)
            for i, pred in zip(keep, self._predictions(probs)):
                result[i] = pred
        return [r if r is not None else self._empty_prediction() for r in result]

    def classify(self, text: str) -> IntentPrediction:
        """Classify one message; see :meth:`classify_batch` for the handling of odd input.

        Raises:
            TypeError: ``text`` is not a ``str``.
        """
        return self.classify_batch([text])[0]

    def classify_with_states(self, text: str, layer: int) -> tuple[IntentPrediction, np.ndarray | None]:
        """Classify one message and return the encoder's hidden states entering layer ``layer``
        (``hidden_states[layer]``: ``(tokens, hidden)`` float32), for the offensive-language
        detector's encoder head (:mod:`app.understanding.moderation_head`). Same prediction as
        :meth:`classify`, from the same single forward pass.

        Returns:
            ``(prediction, states)``; ``states`` is ``None`` for a message empty after
            normalisation.

        Raises:
            TypeError: ``text`` is not a ``str``.
        """
        import torch

        norm = normalize_text(text)
        if not norm:
            return self._empty_prediction(), None
        enc = self._tokenizer()([norm], truncation=True, max_length=self.max_length, return_tensors="pt",
                                return_token_type_ids=False)
        with torch.inference_mode():
            out = self._model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"],
                              output_hidden_states=True)
        lg = out.logits.float().numpy() / self.temperature
        lg = lg - lg.max(axis=1, keepdims=True)
        probs = np.exp(lg)
        probs /= probs.sum(axis=1, keepdims=True)
        return self._predictions(probs)[0], out.hidden_states[layer][0].float().numpy()


__all__ = ["IntentClassifier", "IntentPrediction", "normalize_text", "default_model_dir",
           "CALIBRATION_FILE", "PREPROCESS_VERSION"]
