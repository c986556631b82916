"""Checks on text written by the language model, sentence by sentence, before it can be spoken
or saved.

Every sentence goes through, in order:

1. **markup**: HTML/XML tags, URLs, code and ``<think>`` blocks make a sentence fail; Markdown
   emphasis, headings and list bullets are removed (formatting, not content); emoji and control
   characters are removed (:func:`app.reply.guard.sanitize_spoken_text`);
2. **language**: a Chinese text's sentences must contain Chinese, an English text's none;
3. **length**: a sentence longer than :data:`MAX_SENTENCE_CHARS` fails;
4. **the fact guard** (:meth:`app.reply.guard.FactGuard.check`): every price, stock count,
   number of days and other number must be a catalog fact of the product (or, for a rephrased
   reply, a number of the original), every quoted name a catalog name, no absolute-claim word
   (:data:`app.reply.guard.BANNED_WORDS`);
5. **claims the guard does not know**: English absolute claims (:data:`EN_ABSOLUTE`) and
   medical claims (:data:`MEDICAL_CLAIMS`, 广告法 art. 17: no medical effects for products that
   are not medicines);
6. **other products**: a sentence about one product that names another product of the catalog
   (its title, short name or alias) fails; small talk must not name any product nor talk
   prices, stock, offers or shipping (:data:`SALES_TALK`);
7. **offensive language**: :class:`app.understanding.moderation.OffenseDetector` (``score``).
   Should it not load (model files missing or damaged), the text is marked *unmoderated* and is
   never spoken without the seller (:attr:`ContentChecker.moderated` is False; the seam is
   :func:`load_moderation`).

A failing sentence is dropped with its reasons (introductions) or the whole text is refused
(small talk, rephrased replies): :meth:`ContentChecker.check_text`.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from app.catalog.model import Catalog
from app.reply.guard import FactGuard, sanitize_spoken_text

log = logging.getLogger(__name__)

MAX_SENTENCE_CHARS = 160
"""A sentence longer than this (after clean-up) is refused: nobody says that in one breath."""

EN_ABSOLUTE = re.compile(
    r"(?i)\b(?:the\s+best|best[- ]selling|bestseller|number\s+one|no\.?\s*1\b|#\s*1\b|cheapest|lowest\s+price|"
    r"world[- ]class|world'?s\s+(?:best|first|only)|guarantee[sd]?|unbeatable|the\s+only|unique|perfect|"
    r"100\s*%\s*(?:safe|natural|effective|guaranteed)|miracle|top[- ]quality|first[- ]class)\b")
"""English absolute claims (the English counterparts of 极限词)."""
MEDICAL_CLAIMS = re.compile(r"(?i)治疗|治愈|根治|疗效|药效|医疗级|医用级|消炎|杀菌率|防癌|抗癌|降血压|降血糖|"
                            r"\bcures?\b|\bheals?\b|\btreats?\s+(?:acne|eczema|disease)|\bmedical[- ]grade\b")
"""Medical effects a non-medical product may not claim (广告法 2021 art. 17)."""
SALES_TALK = re.compile(r"(?i)[元块¥￥$]|价|钱|优惠|折扣|打折|库存|现货|包邮|发货|快递|退货|退款|售后|链接|下单|秒杀|"
                        r"price|yuan|discount|coupon|stock|shipping|deliver|refund|return|order|link")
"""Words that make small talk a sales statement (small talk must leave those to the host)."""

_TAG = re.compile(r"<\s*/?\s*[A-Za-z][^>]{0,200}>|&[A-Za-z]{2,8};|&#\d{2,6};")
_URL = re.compile(r"(?i)\b(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|cn|net|org|top|xyz|cc|io)\b")
_CODE = re.compile(r"```|`[^`]+`|\{\{|\}\}|\$\{")
_THINK = re.compile(r"(?is)<think>.*?</think>|<think>.*$")
_MD_LINE = re.compile(r"(?m)^\s*(?:#{1,6}\s+|[-*+•·]\s+|\d{1,2}[.)、]\s+|>\s+)")
_MD_EMPHASIS = re.compile(r"\*{1,3}|_{2,3}|~~")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_SPLIT = re.compile(r"(?<=[。！？!?；;\n])|(?<=\.)(?=\s)|(?<=[.!?][\"”'’])(?=\s)")


def load_moderation():
    """The offensive-language detector, or ``(None, why)`` when it cannot be used.

    Returns ``(detector, "")`` with an object whose ``score(text)`` returns something with an
    ``offensive`` attribute (:class:`app.understanding.moderation.OffenseDetector`, about 0.1 s
    to load), or ``(None, notice)`` when the module is missing or its model does not load.
    Never raises.
    """
    try:
        from app.understanding.moderation import OffenseDetector  # type: ignore[import-not-found]
    except ImportError:
        return None, "the offensive-language filter is not installed in this version"
    try:
        return OffenseDetector.load(), ""
    except Exception as exc:  # noqa: BLE001 - a broken model must not stop the session
        return None, f"the offensive-language filter did not load ({getattr(exc, 'message', exc)})"


def split_sentences(text: str) -> list[str]:
    """Split ``text`` into sentences at 。！？；!?; line breaks and ``. `` (not inside 139.9)."""
    return [s.strip() for s in _SPLIT.split(text) if s.strip()]


def clean_text(text: str) -> str:
    """``text`` as it may be kept: formatting removed (:func:`strip_formatting`), emoji, symbols,
    control and zero-width characters dropped, whitespace collapsed; the writer's punctuation
    (，。) is kept as written."""
    text = strip_formatting(text)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf", "Co", "Cs", "Cn", "So", "Sk", "Me")
                   and not 0xFE00 <= ord(ch) <= 0xFE0F)
    return re.sub(r"\s+", " ", text).strip()


def strip_formatting(text: str) -> str:
    """Remove ``<think>`` blocks, Markdown headings, list bullets and emphasis (formatting a model
    adds, not content)."""
    text = _THINK.sub(" ", text)
    text = _MD_LINE.sub("", text)
    return _MD_EMPHASIS.sub("", text)


@dataclass(frozen=True, slots=True)
class TextCheck:
    """The verdict on one text."""

    text: str
    """The sentences that passed, joined (Chinese without spaces, English with one)."""
    kept: tuple[str, ...]
    dropped: tuple[tuple[str, str], ...]
    """``(sentence, reason)`` for every sentence that failed."""
    problems: tuple[str, ...]
    """Problems of the text as a whole (too long, cut off, nothing left)."""
    moderated: bool
    """False when the offensive-language filter was not available."""

    @property
    def clean(self) -> bool:
        """True when nothing failed and the text was moderated (fit to speak as it is)."""
        return not self.dropped and not self.problems and self.moderated and bool(self.kept)

    @property
    def reason(self) -> str:
        """Everything that failed, as one line (``fact_guard: price 39 yuan ...; offensive: ...``)."""
        parts = [r for _, r in self.dropped] + list(self.problems)
        if not self.moderated:
            parts.append("unmoderated: the offensive-language filter is not available")
        return "; ".join(dict.fromkeys(parts))


class ContentChecker:
    """Checks model-written text against one catalog (see the module docstring).

    Args:
        catalog: the seller's catalog.
        moderation: an offensive-language detector (``score(text).offensive``); ``"auto"`` loads
            it with :func:`load_moderation`; ``None`` = none (texts are unmoderated).
    """

    def __init__(self, catalog: Catalog, *, moderation="auto") -> None:
        self.catalog = catalog
        self.guard = FactGuard(catalog)
        if moderation == "auto":
            moderation, notice = load_moderation()
            if moderation is None:
                log.info("model text is not moderated: %s", notice)
            self.moderation_notice = notice
        else:
            self.moderation_notice = "" if moderation is not None else "no offensive-language filter given"
        self.moderation = moderation
        names: dict[str, set[str]] = {}
        for p in catalog:
            for n in (p.title, p.title_en, p.short_name, *p.aliases):
                if n and len(n) >= 2:
                    names.setdefault(n.casefold(), set()).add(p.product_id)
        self._names = names
        self._own_text = {p.product_id: " ".join((
            p.title, p.title_en, p.short_name, *p.aliases, p.material, p.material_en, *p.selling_points,
            *p.selling_points_en, *p.suitable_for, *(x for e in p.faq for x in (e.question, e.answer)),
            *(v for s in p.skus for v in s.values))).casefold()
            for p in catalog}
        """What the seller wrote about each product (a selling point or a variant may name another
        product: 外搭大衣好看, a case for 小米8)."""

    @property
    def moderated(self) -> bool:
        """True when an offensive-language detector checks every sentence."""
        return self.moderation is not None

    def offensive(self, text: str) -> bool:
        """True when the detector flags ``text`` (False without a detector)."""
        if self.moderation is None:
            return False
        try:
            return bool(self.moderation.score(text).offensive)
        except Exception:  # noqa: BLE001 - a detector failure counts as "not sure"
            log.exception("the offensive-language filter failed")
            return True

    # ------------------------------------------------------------------ one sentence
    def sentence_problems(self, sentence: str, *, lang: str, product_ids: Iterable[str] = (),
                          viewer_numbers: Iterable[Decimal] = (), small_talk: bool = False) -> list[str]:
        """Every reason ``sentence`` must not be spoken (``[]`` = it may be).

        Args:
            sentence: one sentence, as the model wrote it.
            lang: the language it must be in (``zh``/``en``).
            product_ids: the products it is about (facts and names are checked against them).
            viewer_numbers: numbers allowed besides the products' facts (a rephrased reply: the
                numbers of the original).
            small_talk: True for chit-chat (no product, no sales talk at all).
        """
        problems: list[str] = []
        raw = strip_formatting(sentence)
        if _TAG.search(raw) or _URL.search(raw) or _CODE.search(raw):
            problems.append("markup: tags, links or code")
        text = sanitize_spoken_text(raw)
        if not text:
            return problems or ["empty"]
        if lang == "zh" and not _HAN.search(text):
            problems.append("language: not Chinese")
        if lang == "en" and _HAN.search(text):
            problems.append("language: not English")
        if len(text) > MAX_SENTENCE_CHARS:
            problems.append(f"length: {len(text)} characters in one sentence")
        pids = [p for p in product_ids if p]
        guard = self.guard.check(text, pids, tuple(viewer_numbers))
        if not guard.ok:
            problems.append(guard.reason)
        if m := EN_ABSOLUTE.search(text):
            problems.append(f"absolute claim: {m.group(0)}")
        if m := MEDICAL_CLAIMS.search(text):
            problems.append(f"medical claim: {m.group(0)}")
        folded = text.casefold()
        own = {n for n, ids in self._names.items() if set(pids) & ids}
        own_text = " ".join(self._own_text.get(pid, "") for pid in pids)
        for name, ids in self._names.items():
            if name in folded and not (set(pids) & ids) and not any(name in o for o in own) \
                    and name not in own_text:
                problems.append(f"names another product: {name}" if pids else f"talks about a product: {name}")
                break
        if small_talk and (m := SALES_TALK.search(text)):
            problems.append(f"sales talk in small talk: {m.group(0)}")
        if self.offensive(text):
            problems.append("offensive: flagged by the offensive-language filter")
        return problems

    # ------------------------------------------------------------------ a whole text
    def check_text(self, text: str, *, lang: str, product_ids: Iterable[str] = (),
                   viewer_numbers: Iterable[Decimal] = (), small_talk: bool = False, max_chars: int = 600,
                   truncated: bool = False) -> TextCheck:
        """Check every sentence of ``text``; see :class:`TextCheck` for the verdict.

        Args:
            max_chars: a text longer than this (before clean-up) is refused as a whole.
            truncated: the answer was cut off while being read (too long): refused as a whole.
        """
        pids = tuple(product_ids)
        problems: list[str] = []
        if truncated or len(text) > max_chars:
            problems.append(f"too_long: the answer is longer than {max_chars} characters")
        kept: list[str] = []
        dropped: list[tuple[str, str]] = []
        for s in split_sentences(_THINK.sub(" ", text)):
            why = self.sentence_problems(s, lang=lang, product_ids=pids, viewer_numbers=viewer_numbers,
                                         small_talk=small_talk)
            if why:
                dropped.append((s, "; ".join(why)))
            else:
                kept.append(clean_text(s))
        if not kept and not problems:
            problems.append("empty: no sentence passed the checks")
        joined = ("" if lang == "zh" else " ").join(kept)
        return TextCheck(text=joined, kept=tuple(kept), dropped=tuple(dropped), problems=tuple(problems),
                         moderated=self.moderated)
