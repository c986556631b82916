"""Clean recognizer output for display and parsing.

vosk's Chinese models emit one token per lexicon word separated by spaces ("这个 多少 钱").
Chinese is written without spaces, so spaces *between two CJK characters* are removed, while
spaces next to Latin letters or digits stay ("这个 iPhone 15 多少 钱" -> "这个 iPhone 15 多少钱").
Hangul is not touched (Korean is written with spaces).
"""

from __future__ import annotations

import re

# CJK ideographs (unified, extension A, compatibility), CJK symbols and punctuation,
# kana, and full-width forms.
_CJK = r"\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_UNK = re.compile(r"(?:^|\s)\[unk\](?=\s|$)")
_SPACES = re.compile(r"\s+")


def has_cjk(text: str) -> bool:
    """True when ``text`` contains at least one CJK ideograph or kana."""
    return re.search(rf"[{_CJK}]", text) is not None


def join_cjk(text: str) -> str:
    """Remove whitespace between CJK characters; collapse other runs of whitespace to one space.

    >>> join_cjk("这个 多少 钱")
    '这个多少钱'
    >>> join_cjk("这个 iPhone 15 多少 钱")
    '这个 iPhone 15 多少钱'
    """
    text = _SPACES.sub(" ", text.strip())
    return _BETWEEN_CJK.sub("", text)


def clean_transcript(text: str) -> str:
    """Recognizer text -> display text: drop vosk's ``[unk]`` tokens, then :func:`join_cjk`."""
    return join_cjk(_UNK.sub(" ", text))
