"""Turn reply text into text a speech engine reads naturally.

:func:`normalize_for_speech` is a pure function (no engine, no I/O). It is applied by the
synthesizers right before text goes to the engine, and can be called on its own to show the
seller what will be spoken.

Why each rule exists (eSpeak NG 1.51, pyttsx3 2.99, SAPI5):

* eSpeak reads most ASCII symbols aloud by name (``#`` "hash", ``*`` "asterisk", ``@``
  "at sign", ``&`` "ampersand", ``=`` "equals", ``/`` "slash", ``~`` "tilde", ``'`` "tick"
  in the Mandarin voice) -- checked with ``espeak-ng -v cmn -x``; those are dropped or replaced
  by the word a host would say.
* Digits inside Chinese text are read digit-group-wise and decimals lose the point
  (``59.9`` -> "wu shi jiu jiu"), so Chinese numbers are written out with cn2an
  (``an2cn``) before synthesis; prices, ranges, percentages, times, dates and units get the
  reading a Chinese live host uses (``59.9元`` -> 五十九点九元, ``2-4天`` -> 二到四天,
  ``160cm`` -> 一百六十厘米).
* An English voice reads Chinese characters as "Chinese letter", so in English text CJK
  ideographs are removed.
* SAPI5 parses text that starts with ``<`` as XML and raises on malformed markup, so no
  ``<``/``>`` survives (tags are removed, stray angle brackets dropped).
* Emoji, other pictographic symbols, control, private-use and zero-width characters and
  variation selectors carry no speech and some make engines say their Unicode names.
"""

from __future__ import annotations

import html
import re
import unicodedata

__all__ = ["normalize_for_speech", "speech_language"]

# ----------------------------------------------------------------------------- shared tables

_FULLWIDTH = {cp: cp - 0xFEE0 for cp in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B),
                                         *range(0xFF41, 0xFF5B))}
_FULLWIDTH.update({ord("￥"): "¥", ord("％"): "%", ord("＄"): "$", ord("～"): "~",
                   ord("－"): "-", ord("＋"): "+", ord("．"): ".", ord("＆"): "&",
                   ord("＃"): "#", ord("＊"): "*", ord("＠"): "@", ord("／"): "/",
                   ord("＝"): "=", ord("＜"): "<", ord("＞"): ">", ord("｜"): "|",
                   ord("＿"): "_", ord("＾"): "^", ord("｀"): "`", ord("＼"): "\\",
                   ord("㎝"): "cm", ord("㎜"): "mm", ord("㎏"): "kg", ord("㎞"): "km",
                   ord("㎖"): "ml", ord("㎎"): "mg", ord("\u2009"): " ", ord("\u00a0"): " ",
                   ord("\u3000"): " "})

_URL = re.compile(r"(?i)(?<![A-Za-z0-9])(?:https?://|ftp://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
_EMAIL = re.compile(r"\b[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}\b")
_TAG = re.compile(r"<[^<>]{0,300}>")
_SPACES = re.compile(r"\s+")

# A number as written in a reply: 59, 59.9, 1,299.00 (thousands separators are removed).
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_RANGE_SEP = r"[-~–—至到]"

# Characters an engine would read aloud by name and that carry no meaning in a spoken reply.
_DROP_SYMBOLS = re.compile(r"[#*_|\\^`<>{}\[\]【】〖〗〔〕=@~$¥%]")


def speech_language(lang: str) -> str:
    """Map a language tag (``zh``, ``zh-CN``, ``cmn``, ``en-US`` ...) to ``"zh"``, ``"en"``
    or the lower-cased tag itself for other languages."""
    tag = lang.strip().lower().replace("_", "-")
    if tag.startswith(("zh", "cmn")):
        return "zh"
    if tag.startswith("en"):
        return "en"
    return tag


def normalize_for_speech(text: str, lang: str) -> str:
    """Return ``text`` rewritten so a TTS engine reads it the way a live host would say it.

    Args:
        text: reply text (may contain emoji, markup, URLs, prices, sizes ...).
        lang: language of the reply; ``zh*``/``cmn*`` gets the Chinese rules, ``en*`` the
            English rules, anything else only the language-independent clean-up.

    Returns:
        Text with single spaces, no leading/trailing space, never starting with ``<``
        (contains no ``<`` at all). Empty when nothing speakable is left.

    Chinese (``zh``): numbers become Chinese numerals via cn2an (``3号链接`` -> 三号链接,
    ``7天`` -> 七天), prices in yuan without trailing zeros (``¥59.90`` -> 五十九点九元),
    ranges with 到 (``2-4天`` -> 二到四天), percentages (``30%`` -> 百分之三十), times
    (``20:30`` -> 二十点三十分), years digit by digit (``2026年`` -> 二零二六年), metric
    units in words (``160cm`` -> 一百六十厘米, ``50kg`` -> 五十公斤), a lone 2 before a
    measure word as 两 (``2件`` -> 两件), digit strings of 7 or more digits one digit at a
    time. Latin letters (sizes such as ``XL``, ``T恤``) are kept as letters.

    English (``en``): ``¥59.90`` / ``59.90元`` -> ``59.90 yuan``, ``$5`` -> ``5 dollars``,
    ``2-4 days`` -> ``2 to 4 days``, ``160cm`` -> ``160 centimeters``; Chinese characters
    are removed and Chinese punctuation becomes ASCII punctuation.
    """
    language = speech_language(lang)
    out = _clean_common(text)
    if language == "zh":
        out = _zh_numbers(out)
        out = _zh_symbols(out)
    elif language == "en":
        out = _en_numbers(out)
        out = _en_symbols(out)
    else:
        out = _DROP_SYMBOLS.sub(" ", out.replace("\x00C\x00", " ").replace("&", " "))
    out = _SPACES.sub(" ", out).strip()
    return out.lstrip(" ,，、;；:：.。!！?？")


# ----------------------------------------------------------------------------- common clean-up


def _is_dropped_char(ch: str) -> bool:
    """True for characters that are never spoken: emoji/pictographs (So), modifier symbols
    (Sk, e.g. skin tones), enclosing marks (keycaps), variation selectors, control, format
    (zero-width space/joiner, BOM, bidi marks), private-use, surrogate and unassigned code
    points."""
    cat = unicodedata.category(ch)
    if cat in ("So", "Sk", "Me", "Cf", "Co", "Cs", "Cn"):
        return True
    if cat == "Cc":
        return ch not in "\t\n\r"
    cp = ord(ch)
    return 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF


def _clean_common(text: str) -> str:
    text = html.unescape(text)
    text = text.translate(_FULLWIDTH)
    text = _URL.sub(" ", text)
    text = _EMAIL.sub(" ", text)
    text = _TAG.sub(" ", text)
    # Temperatures before the degree sign (a So symbol) is dropped with the emoji.
    text = text.replace("°C", "℃").replace("° C", "℃")
    text = re.sub(r"℃", "\x00C\x00", text)  # placeholder survives the symbol filter
    text = "".join(" " if ch in "\t\n\r" else ch for ch in text
                   if ch == "\x00" or not _is_dropped_char(ch))
    return text


# ----------------------------------------------------------------------------- Chinese

_ZH_DIGITS = "零一二三四五六七八九"
_ZH_UNITS = [  # (pattern, reading, case-sensitive)
    ("km", "公里", False), ("cm", "厘米", False), ("mm", "毫米", False), ("kg", "公斤", False),
    ("mg", "毫克", False), ("ml", "毫升", False), ("m", "米", True), ("g", "克", True),
    ("L", "升", True),
]
_ZH_MEASURE = "件|个|位|种|款|只|双|条|包|盒|瓶|斤|次|天|周|年|元|块|小时|分钟|套|支|张"


def _plain_number(num: str) -> str:
    return num.replace(",", "")


def _zh_read(num: str) -> str:
    """Chinese reading of a plain decimal number string (cn2an ``an2cn``, 'low' mode)."""
    import cn2an

    num = _plain_number(num)
    int_part = num.split(".", 1)[0]
    if len(int_part) >= 7 or (len(int_part) > 1 and int_part.startswith("0")):
        return _zh_digits(num)
    return cn2an.an2cn(num, "low")


def _zh_digits(num: str) -> str:
    return "".join(_ZH_DIGITS[int(c)] if c.isdigit() else "点" if c == "." else "" for c in num)


def _zh_price(num: str) -> str:
    num = _plain_number(num)
    if "." in num:
        num = num.rstrip("0").rstrip(".")
    return _zh_read(num)


def _zh_numbers(text: str) -> str:
    # Dates: 2026-11-29 / 2026/11/29 / 2026.11.29 / 2026年11月29日
    def date(m: re.Match[str]) -> str:
        return f"{_zh_digits(m[1])}年{_zh_read(str(int(m[2])))}月{_zh_read(str(int(m[3])))}日"

    text = re.sub(r"(?<!\d)(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?(?!\d)", date, text)
    text = re.sub(r"(?<!\d)(\d{4})年", lambda m: _zh_digits(m[1]) + "年", text)

    # Clock times 20:30 -> 二十点三十分, 8:00 -> 八点, 8:05 -> 八点零五分
    def clock(m: re.Match[str]) -> str:
        hour, minute = int(m[1]), int(m[2])
        spoken = _zh_read(str(hour)) + "点"
        if minute:
            spoken += ("零" if minute < 10 else "") + _zh_read(str(minute)) + "分"
        return spoken

    text = re.sub(r"(?<![\d.])([01]?\d|2[0-3])[:：]([0-5]\d)(?![\d.])", clock, text)

    # Ranges: 2-4天 -> 2到4天 (numbers are written out below).
    text = re.sub(rf"({_NUM})\s*{_RANGE_SEP}\s*(?=(?:{_NUM}))", r"\1到", text)

    # A lone 2 before a measure word is 两 (两件, 一到两天), but not an ordinal (第2天).
    text = re.sub(rf"(?<![\d.,第])2(?![\d.,])(?=\s*(?:{_ZH_MEASURE}))", "两", text)

    # Prices: ¥59.9 / 59.90元 / 59.9块 -> 五十九点九元 / 五十九点九块
    text = re.sub(rf"¥\s*({_NUM})(?:\s*元)?", lambda m: _zh_price(m[1]) + "元", text)
    text = re.sub(rf"({_NUM})\s*(元|块钱|块)",
                  lambda m: _zh_price(m[1]) + m[2], text)

    # Percentages: 30% -> 百分之三十
    text = re.sub(rf"({_NUM})\s*%", lambda m: "百分之" + _zh_read(m[1]), text)

    # Temperatures (placeholder from _clean_common)
    text = re.sub(rf"({_NUM})?\s*\x00C\x00",
                  lambda m: (_zh_read(m[1]) if m[1] else "") + "摄氏度", text)

    # Metric units after a number.
    for unit, reading, case_sensitive in _ZH_UNITS:
        flags = 0 if case_sensitive else re.IGNORECASE
        text = re.sub(rf"({_NUM})\s*{unit}(?![A-Za-z])",
                      lambda m, r=reading: _zh_read(m[1]) + r, text, flags=flags)

    # Every remaining number.
    return re.sub(_NUM, lambda m: _zh_read(m[0]), text)


def _zh_symbols(text: str) -> str:
    text = text.replace("&", "和").replace("+", "加")
    text = text.replace("/", " ")
    text = re.sub(r"[\"'“”‘’]", "", text)
    return _DROP_SYMBOLS.sub(" ", text)


# ----------------------------------------------------------------------------- English

_EN_UNITS = [("km", "kilometer"), ("cm", "centimeter"), ("mm", "millimeter"),
             ("kg", "kilogram"), ("mg", "milligram"), ("ml", "milliliter")]
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
                  r"\u3040-\u30ff\uac00-\ud7af]+")
_EN_PUNCT = str.maketrans({"，": ", ", "。": ". ", "！": "! ", "？": "? ", "、": ", ",
                           "：": ": ", "；": "; ", "（": " (", "）": ") ", "…": "... ",
                           "「": " ", "」": " ", "《": " ", "》": " ", "“": " ", "”": " ",
                           "‘": "'", "’": "'", "·": " ", "—": ", "})


def _en_numbers(text: str) -> str:
    text = re.sub(rf"({_NUM})\s*(?:-|–|—|~|to)\s*(?=(?:[¥$]\s*)?(?:{_NUM}))", r"\1 to ", text)
    text = re.sub(rf"¥\s*({_NUM})(?:\s*(?:元|yuan\b|RMB\b|CNY\b))?", r"\1 yuan", text)
    text = re.sub(rf"({_NUM})\s*(?:元|RMB\b|CNY\b)", r"\1 yuan", text)
    text = re.sub(rf"\$\s*({_NUM})", lambda m: m[1] + (" dollar" if m[1] == "1" else " dollars"),
                  text)
    text = re.sub(rf"({_NUM})?\s*\x00C\x00",
                  lambda m: (m[1] + " " if m[1] else "") + "degrees Celsius", text)
    text = re.sub(rf"({_NUM})\s*%", r"\1 percent", text)
    for unit, word in _EN_UNITS:
        text = re.sub(rf"({_NUM})\s*{unit}\b",
                      lambda m, w=word: f"{m[1]} {w}" + ("" if m[1] == "1" else "s"),
                      text, flags=re.IGNORECASE)
    return text


def _en_symbols(text: str) -> str:
    text = _CJK.sub(" ", text)
    text = text.translate(_EN_PUNCT)
    text = text.replace("&", " and ").replace("+", " plus ").replace("/", " ")
    text = text.replace('"', " ")
    text = re.sub(r"(?<![A-Za-z])'|'(?![A-Za-z])", " ", text)  # keep don't / it's
    text = _DROP_SYMBOLS.sub(" ", text)
    return re.sub(r"\s+([,.!?;:])", r"\1", text)
