"""Content matching: product attributes and text against the viewer's profile.

Each item is a bag of feature tokens -- ``cat:`` category, ``color:`` colour family of every
SKU colour, ``mat:`` material words, ``tag:`` tags, ``brand:``, ``price:`` price band and
``w:`` title / alias / selling-point words (jieba) -- weighted TF-IDF
(``idf = ln((1 + n) / (1 + df)) + 1``, the smoothed form scikit-learn uses) and L2-normalised
per item. A viewer profile is a vector in the same space (items they interacted with,
weighted by signal strength, plus this session's slots); the content score of every item is
one sparse mat-vec ``F @ profile`` (cosine up to the profile's norm).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

import numpy as np
from scipy import sparse

from app.catalog.model import Product

# Colour words (Chinese as sellers write SKU colours, plus English) -> the colour families of
# app.events.Slots.color. Longer words are tried first so 酒红 -> red, 米白 -> beige.
_COLOR_WORDS: dict[str, str] = {
    "酒红": "red", "大红": "red", "枣红": "red", "玫红": "pink", "豆沙": "pink", "粉": "pink",
    "红": "red", "橙": "orange", "橘": "orange", "黄": "yellow", "绿": "green", "藏青": "blue",
    "藏蓝": "blue", "蓝": "blue", "青": "blue", "紫": "purple", "棕": "brown", "咖": "brown",
    "褐": "brown", "驼": "brown", "栗": "brown", "焦糖": "brown", "米白": "beige", "米": "beige",
    "杏": "beige", "卡其": "beige", "燕麦": "beige", "肤": "beige", "奶白": "white", "本白": "white",
    "白": "white", "灰": "grey", "黑": "black", "金": "gold", "银": "silver", "彩": "multi",
    "red": "red", "pink": "pink", "orange": "orange", "yellow": "yellow", "green": "green",
    "blue": "blue", "navy": "blue", "purple": "purple", "brown": "brown", "beige": "beige",
    "khaki": "beige", "white": "white", "grey": "grey", "gray": "grey", "black": "black",
    "gold": "gold", "silver": "silver",
}
"""Colour words (Chinese as sellers write SKU colours, plus English) -> the colour families of
:attr:`app.events.Slots.color`. The family of a name is that of its *first* colour word
(``雾霾蓝`` -> blue, ``白绿`` -> white, ``米白`` -> beige)."""
_COLOR_KEYS = sorted(_COLOR_WORDS, key=len, reverse=True)

COLOR_ZH: dict[str, str] = {
    "red": "红色", "pink": "粉色", "orange": "橙色", "yellow": "黄色", "green": "绿色", "blue": "蓝色",
    "purple": "紫色", "brown": "棕色", "beige": "米色", "white": "白色", "grey": "灰色", "black": "黑色",
    "gold": "金色", "silver": "银色", "multi": "彩色",
}

RECIPIENT_WORDS: dict[str, tuple[str, ...]] = {
    "mother": ("妈妈", "母亲", "老妈", "婆婆", "岳母", "妈妈装", "中老年", "长辈"),
    "father": ("爸爸", "父亲", "老爸", "公公", "岳父", "爸爸装", "中老年", "长辈"),
    "wife": ("老婆", "妻子", "媳妇"),
    "husband": ("老公", "丈夫"),
    "girlfriend": ("女朋友", "女友"),
    "boyfriend": ("男朋友", "男友"),
    "child": ("孩子", "儿童", "宝宝", "童装", "小孩", "婴童", "婴儿"),
    "elder": ("老人", "长辈", "中老年", "爷爷", "奶奶", "外婆", "外公"),
    "friend": ("送朋友", "闺蜜", "送礼", "礼物", "礼盒"),
    "gift": ("送礼", "礼物", "礼盒", "伴手礼"),
    "self": (),
}
"""Words in a product's title, tags or aliases that mark it as suited to a recipient (the
seller's own labels; selling-point prose such as 宛如妈妈的怀抱 does not count)."""

RECIPIENT_ZH: dict[str, str] = {
    "mother": "妈妈", "father": "爸爸", "wife": "老婆", "husband": "老公", "girlfriend": "女朋友",
    "boyfriend": "男朋友", "child": "孩子", "elder": "长辈", "friend": "朋友", "gift": "送人",
}
RECIPIENT_EN: dict[str, str] = {
    "mother": "your mum", "father": "your dad", "wife": "your wife", "husband": "your husband",
    "girlfriend": "your girlfriend", "boyfriend": "your boyfriend", "child": "a child",
    "elder": "an elder", "friend": "a friend", "gift": "a gift",
}

PRICE_BANDS: tuple[int, ...] = (50, 100, 200, 500, 1000)
"""Upper bounds (yuan) of the price bands 0..4; band 5 is 1000 and above."""

_PUNCT = re.compile(r"^[\W_]+$", re.UNICODE)


def color_family(word: str | None) -> str | None:
    """The colour family (``red`` ...) of a seller's colour name, or ``None``."""
    if not word:
        return None
    w = word.strip().lower()
    best: tuple[int, int, str] | None = None
    for key in _COLOR_KEYS:
        at = w.find(key)
        if at >= 0 and (best is None or (at, -len(key)) < best[:2]):
            best = (at, -len(key), key)
    return _COLOR_WORDS[best[2]] if best else None


def is_color_char(ch: str) -> bool:
    """True when ``ch`` is a one-character colour word (蓝, 白 ...)."""
    return len(ch) == 1 and ch in _COLOR_WORDS


def price_band(price: Decimal | float) -> int:
    p = float(price)
    for i, bound in enumerate(PRICE_BANDS):
        if p < bound:
            return i
    return len(PRICE_BANDS)


def words(text: str) -> list[str]:
    """jieba words of ``text``, lower-cased, without punctuation and one-character symbols."""
    if not text:
        return []
    from app.understanding.slots import jieba_tokenizer  # shared, quiet, thread-safe

    out = []
    for tok in jieba_tokenizer().lcut(text):
        tok = tok.strip().lower()
        if not tok or _PUNCT.match(tok):
            continue
        if len(tok) == 1 and not tok.isalnum():
            continue
        out.append(tok)
    return out


def product_labels(p: Product) -> str:
    """The seller's labels for a product that suitability claims may rest on (title, tags,
    aliases)."""
    return " ".join([p.title, *p.tags, *p.aliases])


_MALE_RECIPIENTS = frozenset({"boyfriend", "husband", "father"})
_FEMALE_RECIPIENTS = frozenset({"girlfriend", "wife", "mother"})
_WOMENS = re.compile(r"女(?!童)|妈妈|闺蜜|淑女|裙|Women|women's|\bladies\b|dress|skirt", re.IGNORECASE)
_MENS = re.compile(r"男(?!童)|爸爸|绅士|\bmen\b|\bmen's", re.IGNORECASE)


def recipient_excludes(p: Product, recipient: str | None) -> bool:
    """True when the seller's title marks ``p`` for the other sex than the recipient
    (a 女款 top or a dress for 男朋友, a 男士 shirt for 妈妈), by title, English title and category.
    Unmarked products are never excluded."""
    text = f"{p.title} {p.title_en} {p.category}"
    if recipient in _MALE_RECIPIENTS:
        return bool(_WOMENS.search(text)) and not _MENS.search(text)
    if recipient in _FEMALE_RECIPIENTS:
        return bool(_MENS.search(text)) and not _WOMENS.search(text)
    return False


def recipient_match(p: Product, recipient: str | None) -> bool:
    """True when the seller's own words for ``p`` mark it for ``recipient``."""
    if not recipient:
        return False
    text = product_labels(p)
    return any(w in text for w in RECIPIENT_WORDS.get(recipient, ()))


def product_features(p: Product) -> list[str]:
    """Feature tokens of a product (see module docstring)."""
    feats = [f"cat:{p.category}"]
    feats += [f"w:{w}" for w in words(p.category)]
    if p.brand:
        feats.append(f"brand:{p.brand}")
    for c in p.colors:
        fam = color_family(c)
        if fam:
            feats.append(f"color:{fam}")
    feats += [f"mat:{w}" for w in words(p.material)]
    feats += [f"tag:{t}" for t in p.tags]
    feats += [f"w:{w}" for w in words(" ".join([p.title, *p.aliases, *p.selling_points]))]
    feats.append(f"price:{price_band(p.price)}")
    return feats


class ContentModel:
    """TF-IDF item features for content scoring.

    Args:
        item_features: one token list per item, in item-index order.
    Attributes:
        matrix: (n_items, n_features) CSR float32, rows L2-normalised (zero rows stay zero).
        vocab: token -> column.
    """

    def __init__(self, item_features: Sequence[Iterable[str]]) -> None:
        vocab: dict[str, int] = {}
        rows, cols, vals = [], [], []
        for r, feats in enumerate(item_features):
            counts: dict[int, float] = {}
            for f in feats:
                c = vocab.setdefault(f, len(vocab))
                counts[c] = counts.get(c, 0.0) + 1.0
            for c, v in counts.items():
                rows.append(r)
                cols.append(c)
                vals.append(1.0 + math.log(v))  # sublinear term frequency
        n_items, n_feat = len(item_features), max(len(vocab), 1)
        m = sparse.csr_matrix((np.asarray(vals, dtype=np.float32), (rows, cols)),
                              shape=(n_items, n_feat))
        df = np.bincount(m.indices, minlength=n_feat)
        idf = (np.log((1.0 + n_items) / (1.0 + df)) + 1.0).astype(np.float32)
        m = m @ sparse.diags(idf)
        norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        self.matrix = sparse.csr_matrix(sparse.diags(1.0 / norms) @ m, dtype=np.float32)
        self.vocab = vocab
        self.n_items = n_items

    def profile(self, weighted_items: Mapping[int, float] | None = None,
                tokens: Mapping[str, float] | None = None) -> np.ndarray:
        """A profile vector, shape (n_features,): weighted sum of item rows plus weighted
        feature tokens (unknown tokens are ignored)."""
        vec = np.zeros(self.matrix.shape[1], dtype=np.float32)
        if weighted_items:
            idx = np.fromiter(weighted_items.keys(), dtype=np.int64)
            w = np.fromiter(weighted_items.values(), dtype=np.float32)
            vec += np.asarray(self.matrix[idx].T @ w).ravel()
        if tokens:
            for tok, w in tokens.items():
                c = self.vocab.get(tok)
                if c is not None:
                    vec[c] += w
        return vec

    def scores(self, profile: np.ndarray) -> np.ndarray:
        """Content score of every item, shape (n_items,); all zero for an empty profile."""
        norm = float(np.linalg.norm(profile))
        if norm == 0.0:
            return np.zeros(self.n_items, dtype=np.float32)
        return np.asarray(self.matrix @ (profile / norm)).ravel()
