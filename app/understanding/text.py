"""Text normalisation and language detection for live-room chat (Chinese, English, mixed).

Every message goes through :func:`normalize_text` before intent classification and slot
extraction, so that ``３号鏈接`` and ``3号链接`` look the same to the rest of the pipeline.

Sources:
- Unicode normalisation form NFKC: Unicode Standard Annex #15
  (https://unicode.org/reports/tr15/). It folds fullwidth ASCII (``３``, ``ＸＬ``), circled
  digits (``①``), unit squares (``㎏``, ``㎝``) and CJK compatibility ideographs to their
  ordinary forms; ordinary CJK ideographs are unchanged by it.
- Traditional -> simplified Chinese: OpenCC's ``t2s`` conversion (``opencc`` package).
- Emoji sequences keep their joiners: ZWJ (U+200D), variation selectors (U+FE0E/U+FE0F) and
  tag characters (U+E0020..U+E007F, used by subdivision flags) per Unicode Technical
  Standard #51 (https://unicode.org/reports/tr51/).
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata

__all__ = ["normalize_text", "detect_lang", "has_cjk", "is_cjk_char"]

_tls = threading.local()


def _t2s(text: str) -> str:
    """Traditional -> simplified with OpenCC ``t2s``; one converter per thread.

    OpenCC's converter object is not documented as thread-safe, so each thread that
    normalises text gets its own instance (created once, then cached in thread-local
    storage; creation costs about a millisecond).
    """
    conv = getattr(_tls, "t2s", None)
    if conv is None:
        import opencc

        conv = opencc.OpenCC("t2s")
        _tls.t2s = conv
    return conv.convert(text)


# Characters removed outright: zero-width space / non-joiner, word joiner, BOM / zero-width
# no-break space, soft hyphen, bidi marks and embeddings/isolates, invisible operators,
# Mongolian vowel separator, Hangul fillers.
_ZERO_WIDTH = frozenset(
    "\u200b\u200c\u2060\ufeff\u00ad\u200e\u200f\u061c\u180e\u3164\uffa0"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    "\u2061\u2062\u2063\u2064"
)
_ZWJ = "\u200d"
_VS = frozenset("\ufe0e\ufe0f")
_WS_RE = re.compile(r"\s+")


def _is_emoji_like(ch: str) -> bool:
    """True for pictographic symbols that take part in emoji sequences (So/Sk, regional
    indicators, keycap/skin-tone modifiers)."""
    if not ch:
        return False
    cat = unicodedata.category(ch)
    return cat in ("So", "Sk") or "\U0001f1e6" <= ch <= "\U0001f1ff" or ch in _VS or ch == "\u20e3"


def _clean_chars(text: str) -> str:
    """Drop control, format and zero-width characters; control whitespace becomes a space.

    Emoji joiners survive when they sit inside an emoji sequence (see module docstring).
    """
    out: list[str] = []
    n = len(text)
    for i, ch in enumerate(text):
        if ch in _ZERO_WIDTH:
            continue
        cat = unicodedata.category(ch)
        if cat == "Cc":
            # tab, newline, CR, etc. separate words; other C0/C1 controls vanish
            if ch in "\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85":
                out.append(" ")
            continue
        if ch == _ZWJ:
            prev = out[-1] if out else ""
            nxt = text[i + 1] if i + 1 < n else ""
            if _is_emoji_like(prev) and _is_emoji_like(nxt):
                out.append(ch)
            continue
        if "\U000e0020" <= ch <= "\U000e007f":
            prev = out[-1] if out else ""
            if prev and (_is_emoji_like(prev) or "\U000e0020" <= prev <= "\U000e007f"):
                out.append(ch)
            continue
        if cat == "Cf":
            continue
        if cat in ("Co", "Cs", "Cn") and not ("\U0001f000" <= ch <= "\U0001faff"):
            # private use, lone surrogates, unassigned (newer emoji in the 1F000 block kept)
            continue
        out.append(ch)
    return "".join(out)


def normalize_text(text: str) -> str:
    """Normalise one chat message; idempotent (``normalize_text(normalize_text(x)) == normalize_text(x)``).

    Steps, in order:

    1. Unicode NFKC (fullwidth ``３ＸＬ`` -> ``3XL``, ``㎏`` -> ``kg``, ``①`` -> ``1``,
       fullwidth ``，？！`` -> ``,?!``). CJK ideographs, ``、`` and ``。`` are unchanged.
    2. Control, format and zero-width characters removed (tabs/newlines become spaces);
       emoji, including ZWJ sequences, skin tones and flags, are kept.
    3. Traditional Chinese -> simplified (OpenCC ``t2s``).
    4. Runs of whitespace (including the ideographic space U+3000) collapse to one ASCII
       space; leading/trailing whitespace is stripped.

    Letter case is kept (``M`` vs ``m`` matters to size extraction).

    Args:
        text: the raw message. ``None`` is not accepted.
    Returns:
        The normalised text (may be empty).
    Raises:
        TypeError: if ``text`` is not a ``str``.
    """
    if not isinstance(text, str):
        raise TypeError(f"normalize_text expects str, got {type(text).__name__}")
    if not text:
        return ""
    s = unicodedata.normalize("NFKC", text)
    s = _clean_chars(s)
    if has_cjk(s):
        s = _t2s(s)
    s = _WS_RE.sub(" ", s).strip()
    return s


def is_cjk_char(ch: str) -> bool:
    """True when ``ch`` is a CJK ideograph: URO U+4E00..9FFF, Extension A U+3400..4DBF,
    Extensions B..H U+20000..U+323AF, compatibility ideographs U+F900..FAFF and
    U+2F800..2FA1F, and the ideographic zero ``〇`` (U+3007)."""
    o = ord(ch)
    return (
        0x4E00 <= o <= 0x9FFF
        or 0x3400 <= o <= 0x4DBF
        or 0x20000 <= o <= 0x323AF
        or 0xF900 <= o <= 0xFAFF
        or 0x2F800 <= o <= 0x2FA1F
        or o == 0x3007
    )


def has_cjk(text: str) -> bool:
    """True when ``text`` contains at least one CJK ideograph (see :func:`is_cjk_char`)."""
    return any(is_cjk_char(ch) for ch in text)


_LATIN_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
_VOWELS = frozenset("aeiouy")
_PINYIN_SLANG = frozenset({
    "yyds", "xswl", "awsl", "nb", "nbcs", "zqsg", "dbq", "bhys", "xjj", "xgg", "hhh", "hhhh", "jjww",
    "kswl", "u1s1", "yysy", "plmm", "gg", "mm", "dd", "zsbd", "nsdd", "bdjw", "ssfd", "wsl", "xs",
    "srds", "emmm", "emm", "nihao", "zhubo", "baobao", "jiayou", "xiexie", "haode", "shi", "bu",
})
"""Latin-letter words a Chinese room types that are not English: pinyin and its initialisms
(``yyds`` 永远的神, ``xswl`` 笑死我了, ``u1s1`` 有一说一 ...). Hand-collected."""
_LAUGH = re.compile(r"(?i)^(?:(?:ha|he|hi|ho|ja|je|ka|ke|xi|ha?h)+h?|l+o+l+(?:o+l+)*|lmf?ao+|rs(?:rs)+|x+d+|k+|w+|z+|h+|a+|e+|o+|m+|f+)$")
"""Laughter, cheering and noise spelled in Latin letters: haha, hehe, jaja (Spanish), kkkk
(Portuguese / Korean), rsrs, lol, lmao, xD, www (Japanese), zzz."""


def _is_latin_noise(word: str) -> bool:
    """True for a Latin-letter word that says nothing in English: one letter (``W``, ``F``), one
    letter repeated (``jjjj``), laughter (``haha``, ``kkkk``), no vowel at all (``xswl``,
    ``hhh``), or Chinese-room pinyin slang (``yyds``)."""
    w = word.lower()
    if len(w) <= 1 or len(set(w)) == 1:
        return True
    if w in _PINYIN_SLANG or _LAUGH.match(w):
        return True
    return not any(ch in _VOWELS for ch in w)


@functools.lru_cache(maxsize=1)
def _lingua():
    """The language identifier (lingua, restricted to the languages LiveHost speaks: Chinese and
    English), built once per process; ``None`` when the package is missing (then the script
    counts decide, as before). Thread-safe (lingua's detector is immutable)."""
    try:
        from lingua import Language, LanguageDetectorBuilder
    except ImportError:  # pragma: no cover - lingua-language-detector is a dependency
        return None
    return LanguageDetectorBuilder.from_languages(Language.CHINESE, Language.ENGLISH).build()


def detect_lang(text: str, default: str = "zh") -> str:
    """Reply language for a message: ``"zh"`` or ``"en"``.

    ``default`` is the room's language (``settings.language``). Rules, in order:

    * nothing but emoji, symbols, digits, punctuation or Latin noise (``666``, ``???``, ``👍``,
      ``W``, ``jjjj``, ``hahaha``, ``kkkk``, ``yyds``; see :func:`_is_latin_noise`): ``default``;
    * Latin words only: ``"en"`` (``"hello"``, ``"do you ship to Canada"``);
    * Chinese ideographs only, or ideographs with Latin words that are noise: ``"zh"``;
    * mixed Chinese and English: the language identifier lingua (Stahl, lingua-rs, Apache-2.0;
      n-gram models, built for short text), restricted to Chinese and English, decides --
      ``"Do you have S in 蓝色碎花?"`` is English, ``"XL还有吗"`` and ``"iPhone 15 多少钱"`` are Chinese.

    Japanese kana or Korean hangul alone are neither: ``default``. Works on raw or normalised text.
    """
    default = "en" if default == "en" else "zh"
    cjk = sum(1 for ch in text if is_cjk_char(ch))
    words = [w for w in _LATIN_WORD.findall(text) if not _is_latin_noise(w)]
    if not words:
        return "zh" if cjk else default
    if cjk == 0:
        return "en"
    detector = _lingua()
    if detector is not None:
        lang = detector.detect_language_of(text)
        if lang is not None:
            return "en" if lang.name == "ENGLISH" else "zh"
    if len(words) >= 3 and len(words) * 2 >= cjk:
        return "en"
    return "zh"
