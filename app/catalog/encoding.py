"""Which text encoding a CSV catalog is in: byte-order marks, the candidates
charset-normalizer proposes, and how plausible a decoding's text is.

Excel writes "CSV" in the ANSI code page of the Windows it runs on: GB18030/GBK on
Simplified-Chinese Windows, Big5 (Microsoft's cp950) on Traditional-Chinese Windows; "CSV UTF-8"
and "Unicode text" (UTF-16 with BOM) are the Unicode options. Big5 bytes also decode as GBK (and
GBK text mostly decodes as Big5) into gibberish, so a byte-level guess is not enough: the
importer decodes with every candidate and keeps the one whose product titles are the most
plausible text (:func:`plausibility`).
"""

from __future__ import annotations

import codecs

__all__ = ["BOMS", "CODEC_NAMES", "LEGACY_FALLBACKS", "codec_name", "legacy_candidates",
           "plausibility"]

CODEC_NAMES = {"utf_8": "UTF-8", "utf_8_sig": "UTF-8 (BOM)", "gb18030": "GB18030",
               "gbk": "GBK", "gb2312": "GB2312", "cp950": "Big5 (cp950)", "big5": "Big5",
               "big5hkscs": "Big5-HKSCS", "utf_16": "UTF-16", "utf_16_le": "UTF-16LE",
               "utf_16_be": "UTF-16BE", "utf_32": "UTF-32", "cp1252": "Windows-1252",
               "cp932": "Shift-JIS (cp932)", "shift_jis": "Shift-JIS"}
"""How an encoding is named to the seller (Python codec name -> display name)."""
BOMS = ((codecs.BOM_UTF32_LE, "utf_32"), (codecs.BOM_UTF32_BE, "utf_32"),
        (codecs.BOM_UTF8, "utf_8_sig"), (codecs.BOM_UTF16_LE, "utf_16"),
        (codecs.BOM_UTF16_BE, "utf_16"))
"""Byte-order marks and the codec they announce (UTF-32 before UTF-16: its LE mark starts
with UTF-16's)."""
LEGACY_FALLBACKS = ("gb18030", "cp950")
"""Tried after what charset-normalizer proposes, and preferred in this order when candidates
read equally well: the Excel "CSV" encodings of Chinese Windows (Simplified: GB18030, a superset
of GBK; Traditional: cp950, Microsoft's Big5)."""


def codec_name(codec: str) -> str:
    """The display name of a codec (``cp950`` -> ``Big5 (cp950)``); unknown ones unchanged."""
    try:
        codec = codecs.lookup(codec).name.replace("-", "_")
    except LookupError:
        pass
    return CODEC_NAMES.get(codec, codec)


def legacy_candidates(data: bytes) -> list[str]:
    """Encodings to try for a file that is not UTF-8: charset-normalizer's guesses (best
    first, at most five), then :data:`LEGACY_FALLBACKS`."""
    from charset_normalizer import from_bytes  # only needed for non-UTF-8 files

    seen: set[str] = set()
    out: list[str] = []
    for codec in [m.encoding for m in from_bytes(data)][:5] + list(LEGACY_FALLBACKS):
        try:
            key = codecs.lookup(codec).name
        except LookupError:
            continue
        if key == "big5":  # Excel writes Microsoft's Big5 (cp950), a superset
            key = "cp950"
        if key not in seen:
            seen.add(key)
            out.append(key)
    return out


def plausibility(text: str) -> float:
    """Share of the non-ASCII characters of ``text`` that are ordinary in a catalog.

    Ordinary: Chinese characters of the national common-character sets (GB 2312 hanzi; Big5
    常用字 A440-C67E), CJK and full-width punctuation, GB 2312 symbol rows (★ ① № ...),
    accented Latin letters, general punctuation and characters outside the BMP (emoji; legacy
    Chinese encodings produce none by accident). Not ordinary: rarer hanzi, kana, Greek,
    Cyrillic, box drawing, private-use and control characters (NUL ...) -- what a wrong legacy
    decoding produces (Big5 read as GBK gives kana, Cyrillic and private-use characters;
    GBK read as Big5 gives rare hanzi). 1.0 for printable ASCII only.
    """
    good = total = 0
    for ch in text:
        o = ord(ch)
        if 32 <= o < 128 or ch in "\t\r\n":
            continue
        total += 1
        if o > 0xFFFF or 0x00C0 <= o <= 0x024F or 0x2000 <= o <= 0x206F or 0x3000 <= o <= 0x303F \
                or 0xFF01 <= o <= 0xFF5E or ch in "¥£€©®°±·×÷™":
            good += 1
            continue
        try:
            b = ch.encode("gb2312")
            if b[0] >= 0xB0 or b[0] <= 0xA3:  # hanzi, or symbols/numerals/full-width rows
                good += 1
                continue
        except UnicodeEncodeError:
            pass
        try:
            b = ch.encode("big5")
            code = b[0] << 8 | b[1]
            if 0xA440 <= code <= 0xC67E or 0xA140 <= code <= 0xA3BF:
                good += 1
        except (UnicodeEncodeError, IndexError):
            pass
    return good / total if total else 1.0


