"""The offensive-language detector's second opinion from the intent encoder (optional, torch).

The understanding stage already runs the intent model (:mod:`app.understanding.classifier`, a
6-layer BERT) on every chat message. :class:`EncoderHead` reads the hidden states that enter the
encoder's **last layer** (``hidden_states[5]``), runs its own fine-tuned copy of that layer
(one transformer layer, int8 like the intent model) and a linear read-out over the ``[CLS]`` and
mean-pooled outputs, and adds the n-gram model's logit:

    logit = head(branch(hidden_states[5])) + a * ngram_logit

The intent model itself is untouched (its own last layer still produces the intent), so the intent
figures do not move; the extra work per message is one layer, not a second encoder. Trained by
:func:`app.understanding.train_moderation.train_encoder_head`; tied to the exact intent model it
was trained on (``intent_fingerprint``): with another intent model the head is not used and the
detector falls back to the n-gram model alone.

Files (in the moderation model folder): ``encoder_head.safetensors`` (float16 weights) and the
``encoder_head`` entry of ``moderation.json`` (layer index, thresholds, fingerprint, metrics).
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import numpy as np

HEAD_FILE = "encoder_head.safetensors"
HEAD_VERSION = "bert-layer5-copy+cls-mean+ngram-logit/1"
"""Identifier of :class:`EncoderHead`'s architecture; stored in ``moderation.json``."""

LAYER = 5
"""Index of the intent encoder layer the head copies: it reads ``hidden_states[LAYER]``
(the input of that layer, i.e. the output of layer ``LAYER - 1``)."""

_INTENT_LAYER_KEYS = {
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "o": "attention.output.dense", "ln1": "attention.output.LayerNorm", "f1": "intermediate.dense",
    "f2": "output.dense", "ln2": "output.LayerNorm"}
"""Our parameter names -> the ``transformers`` BERT layer's (``bert.encoder.layer.N.<name>``)."""


def intent_fingerprint(intent_dir: Path) -> str:
    """sha256 (first 16 hex digits) of the intent model's ``model.safetensors``: the head is valid
    only on top of the encoder it was trained with."""
    h = hashlib.sha256()
    with open(Path(intent_dir) / "model.safetensors", "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:16]


def build_module(d: int = 384, heads: int = 12, ff: int = 1536, eps: float = 1e-12, dropout: float = 0.1):
    """The head as a ``torch.nn.Module`` (imported here: torch is needed only with the head)."""
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    class Branch(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.heads, self.dh = heads, d // heads
            self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))
            self.ln1, self.ln2 = nn.LayerNorm(d, eps=eps), nn.LayerNorm(d, eps=eps)
            self.f1, self.f2 = nn.Linear(d, ff), nn.Linear(ff, d)
            self.drop = nn.Dropout(dropout)
            self.out = nn.Linear(2 * d, 1)
            nn.init.zeros_(self.out.weight)
            nn.init.zeros_(self.out.bias)
            self.a = nn.Parameter(torch.tensor(1.0))
            """Weight of the n-gram model's logit (starts at 1: training learns what it misses)."""

        def forward(self, h, mask, ngram_logit):
            """h: (batch, tokens, d) float; mask: (batch, tokens) bool; ngram_logit: (batch,)."""
            b, t, _ = h.shape
            q = self.q(h).view(b, t, self.heads, self.dh).transpose(1, 2)
            k = self.k(h).view(b, t, self.heads, self.dh).transpose(1, 2)
            v = self.v(h).view(b, t, self.heads, self.dh).transpose(1, 2)
            att = (q @ k.transpose(-1, -2)) / math.sqrt(self.dh)
            att = att.masked_fill(~mask[:, None, None, :], -1e9)
            a = (att.softmax(-1) @ v).transpose(1, 2).reshape(b, t, d)
            h = self.ln1(h + self.drop(self.o(a)))
            h = self.ln2(h + self.drop(self.f2(F.gelu(self.f1(h)))))
            mf = mask.to(h.dtype)[..., None]
            pooled = torch.cat([h[:, 0], (h * mf).sum(1) / mf.sum(1).clamp(min=1.0)], -1)
            return self.out(self.drop(pooled)).squeeze(-1) + self.a * ngram_logit

    return Branch()


def init_from_intent(module, intent_dir: Path) -> None:
    """Copy layer :data:`LAYER` of the intent model's encoder into ``module`` (float32)."""
    from safetensors.torch import load_file

    sd = load_file(str(Path(intent_dir) / "model.safetensors"))
    pre = f"bert.encoder.layer.{LAYER}."
    for ours, theirs in _INTENT_LAYER_KEYS.items():
        getattr(module, ours).weight.data = sd[pre + theirs + ".weight"].float().clone()
        getattr(module, ours).bias.data = sd[pre + theirs + ".bias"].float().clone()


class EncoderHead:
    """The loaded head (int8 dynamic quantisation of its linear layers, like the intent model).
    Only read after loading: safe to call from any thread.

    Attributes:
        thresholds: per language, the combined probability at or above which a chat message is
            offensive (chosen on validation like the n-gram model's).
        fingerprint: :func:`intent_fingerprint` of the intent model it was trained with.
    """

    def __init__(self, module, thresholds: dict[str, float], fingerprint: str) -> None:
        self._m = module
        self.thresholds = dict(thresholds)
        self.fingerprint = fingerprint

    @classmethod
    def load(cls, model_dir: Path, meta: dict) -> "EncoderHead":
        """Read ``encoder_head.safetensors`` and the ``encoder_head`` entry of ``moderation.json``.

        Raises:
            ValueError: the entry or the file is missing or malformed (the caller names the code).
        """
        import torch
        from safetensors.torch import load_file

        if meta.get("version") != HEAD_VERSION:
            raise ValueError(f"encoder head version {meta.get('version')!r}, expected {HEAD_VERSION!r}")
        thresholds = {k: float(v) for k, v in meta["thresholds"].items()}
        m = build_module()
        sd = {k: v.float() for k, v in load_file(str(Path(model_dir) / HEAD_FILE)).items()}
        m.load_state_dict(sd)
        m.eval()
        import warnings

        with warnings.catch_warnings():  # the eager API is marked deprecated but works in torch 2.x
            warnings.simplefilter("ignore")
            m = torch.ao.quantization.quantize_dynamic(m, {torch.nn.Linear}, dtype=torch.qint8)
        return cls(m, thresholds, str(meta["intent_fingerprint"]))

    def logit(self, states, ngram_logit: float) -> float:
        """Combined logit of one message.

        Args:
            states: ``hidden_states[LAYER]`` of the intent encoder for this message,
                ``(tokens, d)`` (numpy or torch, any float dtype).
            ngram_logit: the n-gram model's logit for the same message.
        """
        import torch

        h = torch.as_tensor(np.asarray(states, dtype=np.float32))[None]
        mask = torch.ones(h.shape[:2], dtype=torch.bool)
        with torch.inference_mode():
            return float(self._m(h, mask, torch.tensor([float(ngram_logit)]))[0])


__all__ = ["EncoderHead", "HEAD_FILE", "HEAD_VERSION", "LAYER", "build_module", "init_from_intent",
           "intent_fingerprint"]
