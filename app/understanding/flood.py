"""Which chat messages are floods: repeated reaction tokens and lines pasted by many viewers.

Live rooms answer the host in chorus: ``1`` / ``111`` / ``扣1`` (I want it), ``666`` / ``W`` /
``哈哈哈`` / ``+1`` (cheering), or everyone pastes the same line. Answering each one would bury the
room in speech ("1" -> "观众想问的是几号链接呀？" fifty times a minute), so such messages are
*counted* (:mod:`app.reply.flood`), never answered one by one.

* :func:`flood_token` reads one message on its own: is it a reaction token, and which?
* :class:`FloodTagger` adds what only the stream shows: a line is a ``copy`` flood once
  ``copy_min_viewers`` distinct viewers sent it within ``window_s`` of stream time (questions
  excepted: identical questions are merged into one answer by the reply stage).

The understanding stage runs both and writes the verdict into
:attr:`IntentClassified.flood <app.events.IntentClassified.flood>`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import OrderedDict, deque

from app.understanding.labels import QUESTION_INTENTS

__all__ = ["flood_token", "FloodTagger", "PURCHASE", "CHEER", "COPY"]

PURCHASE = "purchase"
CHEER = "cheer"
COPY = "copy"

_PURCHASE = re.compile(r"^(?:扣\s*(?:个\s*)?)?(?:1+|一)(?:\s*扣)?$|^扣\s*扣+$")
"""``1``, ``11111``, ``扣1``, ``扣个1``, ``扣一``, ``1扣``: a purchase signal ("I want it") in a shop room."""

_CHEER = re.compile(
    r"(?ix)^(?:"
    r"6{2,}|8{3,}|9{3,}|2{3,}|0{3,}|"                 # 666 / 888 / 999 / 222 / 000
    r"\+\s*\d+|[+＋]{1,}|"                            # +1, +++
    r"w+|ww+|gg+|f|l+o+l+|lmf?ao+|xd+|kek\w*|pog\w*|lul+|omega\s?lul|"
    r"[哈呵嘿嘻]{2,}|h{3,}|(?:ha){2,}h?|(?:he){2,}|(?:ja){2,}|k{3,}|(?:rs){2,}|"
    r"啊{2,}|哇{2,}|嗷{2,}|冲{1,}|顶{1,}|来了+|打卡|签到|"
    r"[?？!！.。~～]+"
    r")$")
"""Cheering and reaction tokens (repeated digits, ``W``, laughter in several scripts, ``+1``,
``冲``, ``打卡``, bare punctuation)."""

_STRIP = re.compile(r"[\s,，、:：;；'\"“”‘’()（）\[\]【】<>《》_\-—*#@&^|\\/]+")


def _symbols_only(text: str) -> bool:
    return bool(text) and all(unicodedata.category(ch)[0] in "SPZ" or ch in "\u200d\ufe0f" for ch in text)


def flood_token(text: str) -> tuple[str, str] | None:
    """``(kind, token)`` when ``text`` on its own is a flood token, else ``None``.

    ``kind`` is :data:`PURCHASE` (``1``, ``111``, ``扣1``) or :data:`CHEER` (``666``, ``W``,
    ``哈哈哈``, ``+1``, ``冲冲冲``, ``???``); ``token`` is the normalised form counted per window
    (``111111`` and ``1`` are both ``1``; ``WWWW`` is ``w``; ``哈哈哈哈`` is ``哈哈``). Emoji-only
    messages are *not* floods (a ❤️ is answered like a compliment, in the room's language).

    Args:
        text: the message, raw or normalised.
    """
    s = unicodedata.normalize("NFKC", text or "").strip().lower()
    if not s or len(s) > 40:
        return None
    core = _STRIP.sub("", s)
    if not core:
        return None
    if _PURCHASE.match(core):
        return PURCHASE, "1"
    if _symbols_only(core) and not re.search(r"[?？!！.。~～+＋]", core):
        return None  # emoji / symbols only: answered like any message (in the room's language)
    if _CHEER.match(core):
        return CHEER, _token(core)
    return None


def _token(core: str) -> str:
    """A canonical form: ``6666`` -> ``666``, ``wwww`` -> ``w``, ``哈哈哈哈`` -> ``哈哈``, ``???`` -> ``??``."""
    if len(set(core)) == 1:
        ch = core[0]
        if ch.isdigit():
            return ch * 3
        return ch if ch.isascii() and ch.isalpha() else ch * 2
    if re.fullmatch(r"(?:ha)+h?", core):
        return "haha"
    if re.fullmatch(r"[哈呵嘿嘻]+", core):
        return core[:2]
    m = re.fullmatch(r"\+\s*(\d+)", core)
    if m:
        return "+" + m.group(1)
    return core[:20]


class FloodTagger:
    """Tags messages as floods: :func:`flood_token` plus lines pasted by many viewers.

    Not thread-safe; the understanding stage calls it on the event loop in message order, so a
    replay tags the same messages every time.

    Args:
        window_s: stream seconds over which pasted lines are counted.
        copy_min_viewers: distinct viewers that make a line a ``copy`` flood (the earlier copies
            are answered -- or merged -- as usual; from this one on they are counted).
        max_lines: distinct lines remembered (oldest forgotten first).
    """

    def __init__(self, *, window_s: float = 10.0, copy_min_viewers: int = 3, max_lines: int = 5000) -> None:
        self.window_s = float(window_s)
        self.copy_min_viewers = int(copy_min_viewers)
        self.max_lines = int(max_lines)
        self._lines: OrderedDict[str, deque[tuple[float, str]]] = OrderedDict()

    def tag(self, text: str, *, t: float, viewer_key: str, intent: str) -> tuple[str, str]:
        """``(flood, token)`` for one message (``("", "")`` when it is not a flood).

        Args:
            text: the message.
            t: its stream time, seconds.
            viewer_key: who sent it (``platform:uid``; empty for an anonymous viewer).
            intent: the intent model's reading (questions are never ``copy`` floods).
        """
        tok = flood_token(text)
        if tok is not None:
            return tok
        line = _STRIP.sub("", unicodedata.normalize("NFKC", text or "").strip().lower())
        if not line or len(line) > 120 or intent in QUESTION_INTENTS:
            return "", ""
        seen = self._lines.get(line)
        if seen is None:
            seen = deque()
            self._lines[line] = seen
            if len(self._lines) > self.max_lines:
                self._lines.popitem(last=False)
        else:
            self._lines.move_to_end(line)
        while seen and t - seen[0][0] > self.window_s:
            seen.popleft()
        seen.append((t, viewer_key or f"anon@{t}"))
        viewers = {v for _, v in seen}
        if len(viewers) >= self.copy_min_viewers:
            return COPY, line[:40]
        return "", ""
