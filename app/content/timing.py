"""How long a text takes to say, from the speaking rate in ``settings.speech.rate_wpm``.

The text is first rewritten the way the voice will read it
(:func:`app.synthesis.speech_text.normalize_for_speech`: ``139.9元`` -> 一百三十九点九元,
``2-4 days`` -> ``2 to 4 days``), then counted:

* **Chinese**: one unit per Han character (one syllable each) plus one per run of Latin
  letters or digits left (``XL``, ``iPhone``), and the duration is

  ``seconds = units / chars_per_s``, with ``chars_per_s = rate_wpm / 60 * ZH_CHARS_PER_WORD``.

* **English**: one unit per word, a number counting as the words it is read as (``249`` ->
  "two hundred forty nine" = 4), and

  ``seconds = units * 60 / (rate_wpm * EN_WORDS_PER_WORD)``.

The two factors fold in the pauses at punctuation. They were measured with eSpeak NG 1.51
through pyttsx3 (the project's voice, :mod:`app.synthesis.pyttsx3`) at ``rate_wpm = 175``:
over 30 generated Chinese introductions (demo, food and phone catalogs) the Mandarin voice
said 1.13-1.21 units per nominal word (mean 1.17; about 3.4 characters per second), over eight
of the demo catalog's scripts 1.07-1.13; over 30 English introductions the English voice said
0.91-1.04 words per nominal word (mean 0.97). The factors below sit at the low end, so an
estimate errs on the long side.
``bench/bench_content.py`` prints the estimate next to the measured length of each
generated introduction (when a voice is installed).
"""

from __future__ import annotations

import re

from app.synthesis.speech_text import normalize_for_speech

ZH_CHARS_PER_WORD = 1.12
"""Chinese units (characters) spoken per nominal 'word' of ``rate_wpm`` (espeak-ng cmn at 175
wpm: 1.07-1.21, i.e. 3.1-3.5 characters per second)."""
EN_WORDS_PER_WORD = 0.93
"""Words actually spoken per nominal word of ``rate_wpm`` once the pauses at punctuation count
(espeak-ng en at 175 wpm: 0.91-1.04)."""

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_RUN = re.compile(r"[A-Za-z0-9]+")
_EN_WORD = re.compile(r"\d+(?:\.\d+)?|[A-Za-z]+(?:['-][A-Za-z]+)*")


def zh_chars_per_second(rate_wpm: float) -> float:
    """Chinese characters per second at ``rate_wpm`` (``rate_wpm / 60 * ZH_CHARS_PER_WORD``)."""
    return max(1.0, float(rate_wpm)) / 60.0 * ZH_CHARS_PER_WORD


def _number_words(token: str) -> int:
    """How many English words a number is read as: ``7`` -> 1, ``49`` -> 2, ``249`` -> 4,
    ``1299`` -> 5, ``139.9`` -> 6 ("one hundred thirty nine point nine")."""
    whole, _, frac = token.partition(".")
    n = int(whole or "0")
    words = 0
    if n >= 1_000_000:
        words += 2  # "N million", roughly
        n %= 1_000_000
    if n >= 1000:
        words += _below_1000(n // 1000) + 1
        n %= 1000
    if n or words == 0:
        words += _below_1000(n) if n else 1
    if frac:
        words += 1 + len(frac)
    return words


def _below_1000(n: int) -> int:
    words = 0
    if n >= 100:
        words += 2
        n %= 100
    if n == 0:
        return max(words, 1)
    if n <= 20 or n % 10 == 0:
        return words + 1
    return words + 2


def speech_units(text: str, lang: str) -> int:
    """Syllables (Chinese) or words (English) of ``text`` as the voice reads it."""
    spoken = normalize_for_speech(text, lang)
    if lang == "zh":
        return len(_HAN.findall(spoken)) + len(_LATIN_RUN.findall(spoken))
    return sum(_number_words(w) if w[0].isdigit() else 1 for w in _EN_WORD.findall(spoken))


def speech_seconds(text: str, lang: str, rate_wpm: float) -> float:
    """Seconds of speech for ``text`` in ``lang`` (``zh`` / ``en``) at ``rate_wpm`` words per
    minute; see the module docstring for the formula and where its factors come from."""
    units = speech_units(text, lang)
    rate = max(1.0, float(rate_wpm))
    if lang == "zh":
        return units / zh_chars_per_second(rate)
    return units * 60.0 / (rate * EN_WORDS_PER_WORD)
