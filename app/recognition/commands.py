"""Spoken host commands (Chinese and English) -> pipeline command events.

The host's utterance must *be* the command, give or take filler words ("好，下一个商品吧",
"OK next product please"); commands inside longer sentences ("我们下一个商品是一件T恤")
are not taken, so ordinary selling talk never moves the pipeline. Everything that is not a
command stays a caption / ``SpeechTranscribed``.

| command | Chinese (examples) | English (examples) | event |
|---|---|---|---|
| next product | 下一个商品, 下一款, 换下一个 | next product, next item | ``StepNowSelling(step=1)`` |
| previous product | 上一个商品, 上一款 | previous product, go back | ``StepNowSelling(step=-1)`` |
| introduce listing N | 介绍三号链接, 讲解一下第12号 | introduce number five | ``IntroduceProduct(listing_number=N)`` |
| introduce a product | 介绍一下浴巾 (catalog term) / 介绍一下 | introduce this product | ``IntroduceProduct(product_id=..)`` / now selling |
| switch to listing N | 切到三号链接, 上5号, 十二号 (alone) | go to number three | ``SetNowSelling(listing_number=N)`` |
| mute / unmute | 静音, 别说了 / 取消静音 | mute, stop talking / unmute | ``MuteSpeech(muted=True/False)`` |
| pause / resume auto-approve | 暂停自动回复 / 恢复自动回复 | pause auto approve / resume auto approve | ``PauseAutoApprove(paused=..)`` |
| repeat last reply | 再说一遍, 重复一下 | repeat, say that again | ``RepeatLastReply()`` |

Listing numbers are read from Chinese numerals with ``cn2an`` ("十二" -> 12, "两" -> 2) and
from English number words with ``text2num`` ("twenty one" -> 21); digits work in both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from app.events import (Event, IntroduceProduct, MuteSpeech, PauseAutoApprove, RepeatLastReply,
                        SetNowSelling, StepNowSelling)
from app.recognition.text import join_cjk

__all__ = ["VoiceCommand", "parse_command", "parse_number", "command_phrases", "product_terms"]

_ZH_NUM = r"[零〇一二两三四五六七八九十百千\d]+"
_EN_NUMWORD = (r"(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
               r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|"
               r"sixty|seventy|eighty|ninety|hundred|and)")
_EN_NUM = rf"(?:\d+|{_EN_NUMWORD}(?:[ -]{_EN_NUMWORD})*)"

_ZH_PREFIX = r"(?:好的?|那么?|嗯|呃|来|我们|咱们|请|帮我|给我|现在|ok|okay)*"
_ZH_SUFFIX = r"(?:吧|啊|呀|了|哈|一下|谢谢)*"
_EN_PREFIX = r"(?:(?:ok|okay|now|please|so|and|hey|let's|lets|let us)\s+)*"
_EN_SUFFIX = r"(?:\s+(?:please|now|thanks|thank you))*"
_ITEM_ZH = r"(?:商品|产品|链接|宝贝|款)?"
_ITEM_EN = r"(?:product|item|listing|one|link)"


@dataclass(frozen=True, slots=True)
class VoiceCommand:
    """A recognised command: the event to emit and what was heard."""

    event: Event
    text: str

    @property
    def command(self) -> str:
        """The event's class name (``StepNowSelling`` ...)."""
        return type(self.event).__name__

    @property
    def listing_number(self) -> int | None:
        return getattr(self.event, "listing_number", None)


def parse_number(token: str, lang: str = "zh") -> int | None:
    """A spoken or written number as int: ``"十二"`` -> 12, ``"twenty one"`` -> 21, ``"5"`` -> 5.

    ``None`` when the token is not a whole number >= 0.
    """
    token = token.strip()
    if not token:
        return None
    if token.isdigit():
        return int(token)
    try:
        if lang == "en":
            from text_to_num import text2num

            value = text2num(token.replace("-", " "), "en")
        else:
            import cn2an

            value = cn2an.cn2an(token, "smart")
    except (ValueError, TypeError, KeyError):
        return None
    try:
        iv = int(value)
    except (TypeError, ValueError):
        return None
    return iv if iv == value and iv >= 0 else None


def _normalize(text: str) -> str:
    t = join_cjk(text).lower()
    t = re.sub(r"[，。！？、,.!?;；:：\"'“”‘’~～…]+", " ", t)
    t = join_cjk(t)
    t = re.sub(r"(?<=\d)\s+(?=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff])\s+(?=\d)", "", t)  # "切到 5 号"
    return re.sub(r"\s+", " ", t).strip()


def product_terms(catalog) -> dict[str, str]:
    """``{term: product_id}`` from a :class:`~app.catalog.model.Catalog`: titles, English titles
    and aliases, lower-cased, spaces between CJK removed. Longer terms win on overlap."""
    terms: dict[str, str] = {}
    for p in catalog:
        for term in (p.title, p.title_en, *p.aliases):
            t = _normalize(term or "")
            if len(t) >= 2 and t not in terms:
                terms[t] = p.product_id
    return terms


def _zh(body: str) -> re.Pattern:
    return re.compile(rf"^{_ZH_PREFIX}{body}{_ZH_SUFFIX}$")


def _en(body: str) -> re.Pattern:
    return re.compile(rf"^{_EN_PREFIX}{body}{_EN_SUFFIX}$")


# (pattern, builder(match) -> Event | None). Order matters: "取消静音" before "静音".
_RULES: list[tuple[re.Pattern, object]] = [
    (_zh(r"(?:取消|解除|关闭|关掉)静音|恢复(?:声音|说话|播报)|打开声音"), lambda m: MuteSpeech(muted=False)),
    (_zh(r"静音|闭嘴|别说了|不要说了|停止(?:说话|播报|讲话)|安静"), lambda m: MuteSpeech(muted=True)),
    (_zh(r"(?:恢复|继续|开启|打开)自动(?:回复|审核|通过|批准|审批)?"), lambda m: PauseAutoApprove(paused=False)),
    (_zh(r"(?:暂停|停止|关闭|关掉)自动(?:回复|审核|通过|批准|审批)?"), lambda m: PauseAutoApprove(paused=True)),
    (_zh(r"(?:再说|重复|再讲)(?:一遍|一次|一下)?(?:刚才的?|上一条)?(?:话|回复)?|刚才(?:的|说的)?再说一遍"),
     lambda m: RepeatLastReply()),
    (_zh(rf"(?:换|切到|切换到|切换|看)?(?:下一个|下一款|下个|下一件|下一){_ITEM_ZH}"), lambda m: StepNowSelling(step=1)),
    (_zh(rf"(?:换|切到|切换到|切换|回到|看)?(?:上一个|上一款|上个|上一件|前一个){_ITEM_ZH}"),
     lambda m: StepNowSelling(step=-1)),
    (_zh(rf"(?:介绍|讲解|讲讲|讲一下|说说|说一下)(?:一下)?第?(?P<n>{_ZH_NUM})号?{_ITEM_ZH}"),
     lambda m: _num_event(IntroduceProduct, m["n"], "zh")),
    (_zh(rf"第?(?P<n>{_ZH_NUM})号{_ITEM_ZH}(?:介绍|讲解)(?:一下)?"),
     lambda m: _num_event(IntroduceProduct, m["n"], "zh")),
    (_zh(rf"(?:切到|切换到|换到|上|看|来看|上架)第?(?P<n>{_ZH_NUM})号{_ITEM_ZH}"),
     lambda m: _num_event(SetNowSelling, m["n"], "zh")),
    (_zh(rf"第?(?P<n>{_ZH_NUM})号{_ITEM_ZH}"), lambda m: _num_event(SetNowSelling, m["n"], "zh")),
    (_zh(r"(?:介绍|讲解)(?:一下)?(?:这个|这款|这件)?(?:商品|产品|宝贝)?"), lambda m: IntroduceProduct()),
    (_en(r"unmute|sound on|resume (?:speaking|talking)"), lambda m: MuteSpeech(muted=False)),
    (_en(r"mute|stop talking|be quiet|silence|shut up"), lambda m: MuteSpeech(muted=True)),
    (_en(r"(?:resume|start|enable|turn on) auto[ -]?(?:approve|approval|approving|reply|replies)"),
     lambda m: PauseAutoApprove(paused=False)),
    (_en(r"(?:pause|stop|disable|turn off) auto[ -]?(?:approve|approval|approving|reply|replies)"),
     lambda m: PauseAutoApprove(paused=True)),
    (_en(r"repeat(?: that| it| (?:the )?last (?:reply|answer))?|say (?:that|it) again"), lambda m: RepeatLastReply()),
    (_en(rf"(?:go to |show )?(?:the )?next(?: {_ITEM_EN})?"), lambda m: StepNowSelling(step=1)),
    (_en(rf"(?:go to |show )?(?:the )?previous(?: {_ITEM_EN})?|go back"), lambda m: StepNowSelling(step=-1)),
    (_en(rf"(?:introduce|present|talk about) (?:{_ITEM_EN} )?(?:number |no )?(?P<n>{_EN_NUM})"),
     lambda m: _num_event(IntroduceProduct, m["n"], "en")),
    (_en(rf"(?:go to|switch to|show|sell) (?:{_ITEM_EN} )?(?:number |no )?(?P<n>{_EN_NUM})"),
     lambda m: _num_event(SetNowSelling, m["n"], "en")),
    (_en(r"(?:introduce|present) (?:this|it|this product|this item|the product)"), lambda m: IntroduceProduct()),
]

_INTRO_NAME = re.compile(rf"^{_ZH_PREFIX}(?:介绍|讲解|讲讲|说说)(?:一下)?(?:这个|这款)?(?P<name>.+?){_ZH_SUFFIX}$")
_INTRO_NAME_EN = re.compile(rf"^{_EN_PREFIX}(?:introduce|present|talk about) (?:the )?(?P<name>.+?){_EN_SUFFIX}$")


def _num_event(cls, token: str, lang: str) -> Event | None:
    n = parse_number(token, lang)
    if n is None or n < 1:
        return None
    return cls(listing_number=n)


def parse_command(text: str, *, products: Mapping[str, str] | None = None, t: float = 0.0) -> VoiceCommand | None:
    """The command in a host utterance, or ``None`` when it is ordinary speech.

    Args:
        text: recognizer text (spaces between CJK characters are ignored).
        products: ``{term: product_id}`` (see :func:`product_terms`) for "介绍一下浴巾".
        t: stream time (seconds) given to the event.
    """
    norm = _normalize(text)
    if not norm:
        return None
    for pattern, build in _RULES:
        m = pattern.match(norm)
        if m:
            ev = build(m)
            if ev is None:
                return None
            return VoiceCommand(event=_with_t(ev, t), text=text)
    if products:
        for rx in (_INTRO_NAME, _INTRO_NAME_EN):
            m = rx.match(norm)
            if not m:
                continue
            name = m["name"].strip()
            pid = products.get(name)
            if pid is None:  # longest catalog term contained in what was said
                hits = sorted((k for k in products if k in name), key=len, reverse=True)
                pid = products[hits[0]] if hits and len(hits[0]) >= max(2, len(name) // 2) else None
            if pid is not None:
                return VoiceCommand(event=IntroduceProduct(t=t, product_id=pid), text=text)
    return None


def _with_t(ev: Event, t: float) -> Event:
    import dataclasses

    return dataclasses.replace(ev, t=t)


_ZH_DIGITS = "一二三四五六七八九十"


def command_phrases(max_listing: int = 20, extra_terms: Iterable[str] = ()) -> list[str]:
    """Phrases for a recognizer phrase list (vosk grammar): every command wording in both
    languages, the "介绍/切到 N号链接" forms for listings 1..``max_listing``, and ``extra_terms``
    (catalog titles/aliases) in "介绍一下<term>" form. Unknown words are filtered later by
    :func:`app.recognition.vosk.vocabulary_phrases`."""
    import cn2an

    base = ["下一个商品", "下一个", "下一款", "上一个商品", "上一个", "上一款", "静音", "别说了", "取消静音",
            "暂停自动回复", "恢复自动回复", "再说一遍", "重复一下", "介绍一下",
            "next product", "next item", "previous product", "go back", "mute", "unmute",
            "stop talking", "pause auto reply", "resume auto reply", "repeat that", "say that again"]
    out = list(base)
    en_words = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
                "twenty"]
    for n in range(1, max_listing + 1):
        zh = cn2an.an2cn(n)
        out += [f"介绍{zh}号链接", f"{zh}号链接", f"切到{zh}号链接"]
        if n <= len(en_words):
            out += [f"introduce number {en_words[n - 1]}", f"go to number {en_words[n - 1]}"]
    for term in extra_terms:
        term = term.strip()
        if term:
            out.append(f"介绍一下{term}" if re.search(r"[\u4e00-\u9fff]", term) else f"introduce {term}")
    out.append("[unk]")
    return out
