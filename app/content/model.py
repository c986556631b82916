"""Generated sales copy as plain immutable data: sentences that name the catalog fields they
say, introductions made of them, and short offer lines."""

from __future__ import annotations

from dataclasses import dataclass, field

PARTS: tuple[str, ...] = ("opening", "feature", "advantage", "benefit", "evidence", "offer", "shipping",
                          "after_sales", "call")
"""The parts of an introduction. ``feature`` -> ``advantage`` -> ``benefit`` -> ``evidence`` is the
FABE structure sellers use (特点 -> 优势 -> 利益 -> 证据); ``offer`` is the live price against the
crossed-out price and the stock left, ``shipping`` / ``after_sales`` the promises, ``call`` the
call to action (去X号链接拍)."""


@dataclass(frozen=True, slots=True)
class Sentence:
    """One clause of generated copy and the catalog fields it was made from."""

    text: str
    """The clause as spoken, without the final punctuation (``直播间价249元``)."""
    part: str
    """Which part of the introduction it belongs to (one of :data:`PARTS`)."""
    fields: tuple[str, ...]
    """Catalog columns (README "Catalog format") whose values the clause says: ``price``,
    ``original_price``, ``skus``, ``selling_points`` ... Every number and name in ``text``
    comes from one of them; a clause written by the language model that passed every check
    has ``("llm",)`` here."""


@dataclass(frozen=True, slots=True)
class Introduction:
    """A product introduction (话术) ready to be spoken or reviewed.

    ``source`` ``builtin`` = :class:`app.content.generator.IntroGenerator`; ``llm`` = written
    by the language model and checked sentence by sentence (``dropped`` lists what was
    removed and why; ``held_reason`` non-empty = the whole text must not be used without the
    seller's review).
    """

    product_id: str
    lang: str
    """``zh`` or ``en``."""
    variant: int
    """0-based number of the variant (variants differ in wording and order)."""
    sentences: tuple[Sentence, ...]
    seconds: float
    """Estimated speech length at the rate it was generated for, seconds
    (:func:`app.content.timing.speech_seconds`)."""
    source: str = "builtin"
    style: str = ""
    """The style the seller asked for (LLM drafts); empty for the built-in generator."""
    held_reason: str = ""
    """Why this text must not be spoken without the seller (``fact_guard: ...``,
    ``unmoderated: ...``, ``too_short: ...`` for a model draft); empty = fit to speak."""
    dropped: tuple[tuple[str, str], ...] = ()
    """``(sentence, reason)`` for every sentence a check removed."""
    plan: tuple[str, ...] = field(default=())
    """The order of the parts in this variant."""

    @property
    def text(self) -> str:
        """The introduction as one text (Chinese clauses joined as written, with 。 at the end
        of each part; English sentences joined by spaces)."""
        return join_sentences(self.sentences, self.lang)

    @property
    def fields(self) -> tuple[str, ...]:
        """Every catalog field the introduction uses, in order of first use."""
        return tuple(dict.fromkeys(f for s in self.sentences for f in s.fields))


@dataclass(frozen=True, slots=True)
class OfferLine:
    """A short line for a countdown or a stock-running-low moment (只剩最后20件了)."""

    product_id: str
    lang: str
    kind: str
    """``countdown`` (price and a call to buy now) or ``low_stock`` (units left)."""
    text: str
    fields: tuple[str, ...]
    sku_label: str = ""
    """The variant a ``low_stock`` line is about (``黑色/M``); empty = the whole product."""
    units_left: int | None = None
    """For ``low_stock``: the units left that the line says."""


def join_sentences(sentences, lang: str) -> str:
    """Join clauses into one text. Chinese: consecutive clauses of the same part are joined with
    ``，`` and a new part starts a new sentence (``。``); English: every clause is a sentence of
    its own (``.``, first letter capitalised). Clauses that already end with punctuation keep it."""
    out: list[str] = []
    prev_part = None
    for s in sentences:
        text = s.text.strip()
        if not text:
            continue
        if lang == "zh":
            if out and prev_part == s.part and not out[-1].endswith(("。", "！", "？")):
                out[-1] += "，"
            elif out and not out[-1].endswith(("。", "！", "？")):
                out[-1] += "。"
            out.append(text)
        else:
            if out and not out[-1].endswith((".", "!", "?")):
                out[-1] += "."
            out.append(text[0].upper() + text[1:] if text[0].islower() else text)
        prev_part = s.part
    if out:
        end = ("。", "！", "？") if lang == "zh" else (".", "!", "?")
        if not out[-1].endswith(end):
            out[-1] += end[0]
    return ("" if lang == "zh" else " ").join(out)
