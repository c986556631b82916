"""Answers from the seller's facts: sensitive questions held, FAQ answers repeated, food facts,
and honest "the host will check" for facts the catalog does not hold.

:class:`FactAnswerer` is called first by :meth:`app.reply.composer.ReplyComposer.compose` for
product-bound questions; it returns a :class:`~app.reply.composer.Draft` when it can decide the
reply, else ``None`` (the composer's per-intent answer follows).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Sequence

import jieba
from rapidfuzz import fuzz

from app.catalog.model import Catalog, FaqEntry, Product, faq_key
from app.dialogue.sensitive import sensitive_reason

jieba.setLogLevel(60)

# Facts a viewer may ask about: (seller words, zh pattern, en pattern, attribute reader or None).
# ``None`` = no catalog column holds it: only a FAQ entry can answer it, else it is a missing fact.
_ATTRS: tuple[tuple[str, str, str, object], ...] = (
    ("shelf life", r"保质期|能放多久|放多久|能保存多久|过期", r"shelf[- ]life|expir\w*|best before|how long .*(keep|last)",
     lambda p: p.shelf_life),
    ("production date", r"生产日期|什么时候生产|哪天生产|新鲜吗|是新货吗|新日期", r"production date|manufactur\w* date|when was it (made|produced)",
     lambda p: p.production_date),
    ("storage", r"储存|存放|保存方式|怎么保存|冷藏|冷冻|放冰箱", r"stor(e|age)|refrigerat\w*|fridge|keep it cold",
     lambda p: p.storage),
    ("net weight", r"净含量|多重|几克|多少克|多少斤|几斤|多少毫升|容量多大|分量", r"net weight|how (heavy|much does it weigh)|how many grams|\bweight\b of",
     lambda p: p.net_weight),
    ("warranty", r"保修|质保|三包|保固", r"warrant\w*|guarantee",
     lambda p: p.after_sales.warranty),
    ("pilling", r"起球|掉毛", r"pill(ing|s)?\b|shed(s|ding)?\b", None),
    ("shrinkage", r"缩水|变形", r"shrink\w*", None),
    ("fading", r"掉色|褪色|串色", r"fad(e|es|ing)|colou?r ?bleed", None),
    ("harvest year", r"今年的|新茶|哪年的|年份|陈茶", r"this year'?s|harvest|vintage", None),
    ("origin", r"产地|哪里产|哪产的|原产|哪里生产", r"made in|origin|where (is it|was it) (made|produced)", None),
    ("ingredients", r"配料|成分|添加剂|防腐剂", r"ingredient\w*|additive\w*|preservative\w*", None),
    ("taste", r"甜吗|辣吗|咸吗|口味|口感|好吃吗|什么味", r"\btaste\b|sweet\??$|spicy|salty|flavou?r", None),
    ("smell", r"味道大|有味道|香味|气味|香精", r"\bsmell\w*|fragrance|scent", None),
    ("battery", r"续航|电池|待机", r"battery|standby", None),
    ("noise", r"噪音|声音大|吵不吵", r"\bnois\w*|\bloud\b", None),
    ("thickness", r"厚不厚|薄不薄|厚吗|薄吗|透不透|透吗", r"thick|thin|see-through|sheer", None),
)
_ATTRS_C = tuple((name, re.compile(zh), re.compile(en, re.IGNORECASE), read) for name, zh, en, read in _ATTRS)

_SELLER_ZH = {"shelf life": "保质期", "production date": "生产日期", "storage": "储存方式", "net weight": "净含量",
              "warranty": "保修"}


def _norm(text: str) -> str:
    t = unicodedata.normalize("NFKC", text or "").casefold()
    return re.sub(r"[\s\W_]+", "", t)


def _terms(text: str) -> set[str]:
    t = unicodedata.normalize("NFKC", text or "").casefold()
    out = set()
    for w in jieba.lcut(t):
        w = w.strip()
        if not w or not re.search(r"\w", w):
            continue
        if w in _STOP:
            continue
        out.add(w)
    return out


_STOP = frozenset(("吗", "呢", "嘛", "的", "了", "是", "有", "不", "能", "可以", "这个", "这款", "那个", "请问", "主播",
                   "一下", "多少", "怎么", "什么", "吧", "啊", "呀", "宝宝", "你们", "我", "你", "会", "要", "就", "还",
                   "the", "a", "an", "is", "it", "this", "does", "do", "can", "i", "you", "what", "how", "of", "to",
                   "for", "there", "are", "be", "will", "any", "have", "has"))


def match_faq(entries: Sequence[FaqEntry], question: str, *, threshold: float = 0.62) -> FaqEntry | None:
    """The FAQ entry whose question best matches ``question`` by meaning-ish fuzzy matching.

    The score mixes rapidfuzz's partial ratio on normalised text (catches 保质期 inside
    保质期多久呀) with the share of the entry's key terms (jieba words) found in the question.

    Args:
        entries: FAQ entries (a product's, or the shop's).
        question: the viewer's message.
        threshold: the lowest score (0..1) accepted.

    Returns:
        The best entry, or ``None`` when none scores ``threshold`` or more.
    """
    q = _norm(question)
    if not q or not entries:
        return None
    qterms = _terms(question)
    best, best_score = None, 0.0
    for e in entries:
        k = _norm(faq_key(e.question))
        if not k:
            continue
        if k == _norm(faq_key(question)):
            return e
        if len(k) <= 4:  # a short key (保质期, 发票, 快递) must appear whole
            score = 1.0 if k in q else 0.0
        else:
            fuzzy = fuzz.partial_ratio(k, q) / 100.0
            eterms = _terms(e.question)
            overlap = len(eterms & qterms) / len(eterms) if eterms else 0.0
            score = 0.5 * fuzzy + 0.5 * overlap
        if score > best_score:
            best, best_score = e, score
    return best if best_score >= threshold else None


def asked_attribute(text: str) -> tuple[str, object] | None:
    """The fact a question asks about, as (seller words, reader or ``None``), or ``None``."""
    t = unicodedata.normalize("NFKC", text or "")
    for name, zh, en, read in _ATTRS_C:
        if zh.search(t) or en.search(t):
            return name, read
    return None


class FactAnswerer:
    """Decides replies that rest on the seller's own facts.

    Args:
        catalog: the seller's catalog (products' FAQ, the shop FAQ, food-fact columns).
        composer: the :class:`~app.reply.composer.ReplyComposer` whose templates and name filters
            the drafts use.
    """

    _PRODUCT_INTENTS = frozenset(("product_detail", "size_fit", "shipping", "after_sales", "stock", "price",
                                  "discount", "missing_fact_prompt", "purchase_intent"))

    def __init__(self, catalog: Catalog, composer) -> None:
        self.catalog = catalog
        self.composer = composer

    def faq(self, text: str, product: Product | None) -> FaqEntry | None:
        """The product's FAQ entry for ``text``, else the shop's, else ``None``."""
        if product is not None:
            e = match_faq(product.faq, text)
            if e is not None:
                return e
        return match_faq(self.catalog.faq, text)

    def answer(self, intent: str, slots, lang: str, *, text: str = "", product: Product | None = None,
               nickname: str | Sequence[str] = ""):
        """A draft for the question, or ``None`` when the per-intent composer should answer.

        Sensitive questions are always held (reason ``sensitive: <class>``), quoting the FAQ
        answer when one matches. A matched FAQ answer is spoken. A question about a fact the
        catalog lacks is held with ``missing_fact: <fact>``.
        """
        lang = "en" if lang == "en" else "zh"
        c = self.composer
        reason = sensitive_reason(text)
        if reason is not None:
            e = self.faq(text, product)
            if e is not None:
                return c._draft("faq_held", lang, nickname, product, held=f"sensitive: {reason}", answer=e.answer)
            return c._draft("sensitive_held", lang, nickname, product, held=f"sensitive: {reason}")
        if intent not in self._PRODUCT_INTENTS or not text:
            return None
        if intent in ("price", "discount", "stock", "purchase_intent"):
            return None  # frames' answers; only sensitive questions are taken here
        attr = asked_attribute(text)
        e = self.faq(text, product)
        if e is not None:
            if lang == "en" and not e.answer.isascii():
                return c._draft("missing_fact", lang, nickname, product,
                                held=f"missing_fact: English answer to '{e.question}'")
            return c._draft("faq_answer", lang, nickname, product, answer=e.answer)
        if attr is None or product is None:
            return None
        name, read = attr
        value = read(product) if callable(read) else ""
        if value:
            if lang == "en" and not str(value).isascii():
                return c._missing(lang, nickname, product, f"{name} in English")
            return c._draft("fact_value", lang, nickname, product, fact=_SELLER_ZH.get(name, name),
                            fact_en=name, value=value)
        return c._missing(lang, nickname, product, name)
