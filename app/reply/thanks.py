"""Thanks and welcomes in aggregate: one line per window, never one per gift, follow or entry.

``ThanksStage``: GiftReceived / ViewerFollowed / ViewerShared / ViewerSubscribed / RoomRaided /
paid ChatReceived (Super Chat, ``amount``) / ViewerEntered / LikesReceived -> ReplySuggested |
NoReply. It buffers what arrives for a window of stream time and emits one combined line when the
window closes, after the model of Pipecat's ``processors/aggregators`` (small processors that
buffer frames and emit one combined frame):

* **thanks** (``thanks_window_s``): gifts (streaks at their last frame; the same viewer's repeats
  of one gift are one), Super Chats, subscriptions, raids, follows and shares become one line naming
  up to three viewers and the total -- "感谢小美、阿强等五位宝宝送的小心心！谢谢Lily的关注！";
* **welcome** (``welcome_window_s``): viewers who entered are welcomed in one line
  ("欢迎小美、阿强等八位宝宝来到直播间～"); each entry gets ``NoReply`` at once;
* **likes** are never thanked one by one (``NoReply``).

Names pass the :class:`~app.reply.guard.NameGuard` (an unsafe name is left out: "宝宝们" /
"everyone"); gift names too (an unsafe one is "礼物" / "a gift"). A paid message that is
offensive is not thanked, a muted viewer's gifts are not, and the line is in the room's language.
When the speech queue withdraws a thank-you that waited too long (``ReplyRejected(by="policy",
reason="merged")``), its viewers go back into the current window and are thanked in the next line
(until ``forget_s`` after they gave).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from app.catalog.model import Catalog
from app.events import (ChatReceived, Event, GiftReceived, IntentClassified, LikesReceived, NoReply, Received,
                        ReplyRejected, ReplySuggested, RoomRaided, SourcesEnded, StreamTimeAdvanced, Viewer,
                        ViewerEntered, ViewerFollowed, ViewerMuted, ViewerShared, ViewerSubscribed, next_id)
from app.pipeline import Emit, Stage
from app.reply.composer import spoken_names
from app.reply.guard import FactGuard, NameGuard
from app.reply.stage import split_held
from app.understanding.stage import viewer_key
from app.vocab import Approver, DropReason

KINDS = ("gift", "paid", "subscribe", "raid", "follow", "share")
"""Thank-you kinds, in the order their segments are said."""

MAX_SEGMENTS = 3
"""A thank-you line has at most this many parts (gifts, Super Chats, ... the first kinds win)."""

_WORDS = {
    "zh": {
        "gift_one": "感谢{names}送的{count}个{gift}！", "gift": "感谢{names}送的{gift}！", "gifts": "感谢{names}送的礼物！",
        "paid": "谢谢{names}的醒目留言！", "subscribe": "感谢{names}加入会员！", "raid": "欢迎{names}带来的朋友们！",
        "follow": "谢谢{names}的关注！", "share": "谢谢{names}分享直播间！",
        "welcome": "欢迎{names}来到直播间～", "someone": "宝宝", "everyone": "宝宝们", "welcome_all": "欢迎新来的宝宝们～",
    },
    "en": {
        "gift_one": "Thank you {names} for the {count} {gift}!", "gift": "Thank you {names} for the {gift}!",
        "gifts": "Thank you {names} for the gifts!", "paid": "Thanks {names} for the Super Chat!",
        "subscribe": "Thanks {names} for becoming a member!", "raid": "Thanks {names} for the raid, welcome everyone!",
        "follow": "Thanks {names} for the follow!", "share": "Thanks {names} for sharing the stream!",
        "welcome": "Welcome {names}!", "someone": "friend", "everyone": "everyone",
        "welcome_all": "Welcome to everyone who just joined!",
    },
}


@dataclass(frozen=True, slots=True)
class Contribution:
    """One thing to thank a viewer for."""

    kind: str
    """One of :data:`KINDS`."""
    viewer: Viewer
    t: float
    """Stream time it arrived (seconds)."""
    msg_id: str = ""
    """The event's id; empty for a Super Chat (its text is answered by the reply stage)."""
    gift: str = ""
    """The platform's gift name (unfiltered)."""
    count: int = 1
    value: Decimal = Decimal(0)
    """What it is worth in its currency, for ordering the names (largest first); 0 = unknown."""


def _names(viewers: list[Viewer], lang: str, guard: NameGuard) -> tuple[str, bool]:
    """The viewers as the host says them, and whether any name is spoken."""
    spoken = spoken_names([v.nickname for v in viewers], lang, guard)
    if spoken:
        return spoken, True
    w = _WORDS[lang]
    return (w["someone"] if len(viewers) == 1 else w["everyone"]), False


def _ordered(contribs: Iterable[Contribution]) -> list[Viewer]:
    """Distinct viewers, largest contribution first, then in arrival order."""
    total: dict[str, Decimal] = {}
    first: dict[str, tuple[float, Viewer]] = {}
    for c in contribs:
        k = viewer_key(c.viewer) or c.msg_id or f"{c.t}"
        total[k] = total.get(k, Decimal(0)) + c.value
        first.setdefault(k, (c.t, c.viewer))
    keys = sorted(total, key=lambda k: (-total[k], first[k][0]))
    return [first[k][1] for k in keys]


def compose_thanks(contribs: list[Contribution], lang: str, guard: NameGuard) -> tuple[str, tuple[str, ...], tuple[Decimal, ...]]:
    """One thank-you line for a window's contributions.

    Returns:
        ``(text, quoted, numbers)``: the line, the names and gift names it quotes (for the fact
        guard's banned-word check) and the numbers the platform supplied (a gift count).
    """
    w = _WORDS["en" if lang == "en" else "zh"]
    lang = "en" if lang == "en" else "zh"
    parts: list[str] = []
    quoted: list[str] = []
    numbers: list[Decimal] = []
    by_kind = {k: [c for c in contribs if c.kind == k] for k in KINDS}
    for kind in KINDS:
        cs = by_kind[kind]
        if not cs or len(parts) >= MAX_SEGMENTS:
            continue
        viewers = _ordered(cs)
        names, named = _names(viewers, lang, guard)
        if named:
            quoted.append(names)
        if kind == "gift":
            spoken = {guard.gift(c.gift, lang) for c in cs}
            if len(spoken) == 1:
                gift = spoken.pop()
                quoted.append(gift)
                if len(cs) == 1 and cs[0].count > 1:
                    numbers.append(Decimal(cs[0].count))
                    parts.append(w["gift_one"].format(names=names, count=cs[0].count, gift=gift))
                else:
                    parts.append(w["gift"].format(names=names, gift=gift))
            else:
                parts.append(w["gifts"].format(names=names))
        else:
            parts.append(w[kind].format(names=names))
    return ("" if lang == "zh" else " ").join(parts), tuple(quoted), tuple(numbers)


def compose_welcome(viewers: list[Viewer], lang: str, guard: NameGuard) -> tuple[str, tuple[str, ...]]:
    """One welcome line for the viewers who entered in a window: ``(text, quoted names)``."""
    lang = "en" if lang == "en" else "zh"
    w = _WORDS[lang]
    spoken = spoken_names([v.nickname for v in viewers], lang, guard)
    if not spoken:
        return w["welcome_all"], ()
    return w["welcome"].format(names=spoken), (spoken,)


class ThanksStage(Stage):
    """Aggregated thanks and welcomes (see the module docstring).

    Args:
        catalog: for the fact guard (a thank-you states no catalog fact, but it is checked all the same).
        names: the :class:`~app.reply.guard.NameGuard` for nicknames and gift names.
        lang: the room's language (``settings.language``).
        window_s: the thanks window, stream seconds (0 = a line per event).
        welcome_window_s: the welcome window, stream seconds.
        welcome: welcome entering viewers at all.
        forget_s: viewers whose thank-you kept being withdrawn for this long are not thanked.
    """

    name = "thanks"
    accepts = (GiftReceived, ViewerFollowed, ViewerShared, ViewerSubscribed, RoomRaided, ViewerEntered,
               LikesReceived, ChatReceived, IntentClassified, ViewerMuted, ReplyRejected, StreamTimeAdvanced,
               SourcesEnded)

    def __init__(self, catalog: Catalog, *, names: NameGuard | None = None, lang: str = "zh",
                 window_s: float = 5.0, welcome_window_s: float = 20.0, welcome: bool = True,
                 forget_s: float = 60.0) -> None:
        super().__init__()
        self.guard = FactGuard(catalog)
        self.names = names or NameGuard()
        self.lang = "en" if lang == "en" else "zh"
        self.window_s = max(0.0, float(window_s))
        self.welcome_window_s = float(welcome_window_s)
        self.welcome = bool(welcome)
        self.forget_s = float(forget_s)
        self._opened: float | None = None
        self._pending: list[Contribution] = []
        self._welcome_opened: float | None = None
        self._entered: dict[str, Viewer] = {}
        self._paid: dict[str, ChatReceived] = {}
        self._drafted: dict[str, list[Contribution]] = {}
        self.muted: set[str] = set()

    async def handle(self, event: Event, emit: Emit) -> None:
        await self._close_due(event.t, emit)
        if isinstance(event, StreamTimeAdvanced):
            return
        if isinstance(event, SourcesEnded):
            await self._close_due(float("inf"), emit)
            return
        if isinstance(event, ViewerMuted):
            await self._muted(event, emit)
            return
        if isinstance(event, ReplyRejected):
            back = self._drafted.pop(event.reply_id, None)
            if back and event.by == Approver.POLICY and event.reason == DropReason.MERGED:
                keep = [c for c in back if event.t - c.t <= self.forget_s and viewer_key(c.viewer) not in self.muted]
                if keep:
                    self._add(keep, event.t)
            return
        if isinstance(event, ChatReceived):
            if event.amount is not None and event.amount > 0:
                self._paid[event.msg_id] = event
            return
        if isinstance(event, IntentClassified):
            paid = self._paid.pop(event.msg_id, None)
            if paid is not None and not event.offensive and viewer_key(paid.viewer) not in self.muted:
                self._add([Contribution("paid", paid.viewer, paid.t, value=paid.amount or Decimal(0))], event.t)
            return
        assert isinstance(event, Received)
        if viewer_key(event.viewer) in self.muted:
            await emit(NoReply(t=event.t, msg_id=event.msg_id, viewer=event.viewer,
                               reason="viewer muted (nothing they send is answered)"))
            return
        if isinstance(event, LikesReceived):
            await emit(NoReply(t=event.t, msg_id=event.msg_id, viewer=event.viewer,
                               reason="likes (never thanked one by one)"))
            return
        if isinstance(event, ViewerEntered):
            reason = "viewer entered (welcomed in a batch)" if self.welcome else "viewer entered (no welcome)"
            await emit(NoReply(t=event.t, msg_id=event.msg_id, viewer=event.viewer, reason=reason))
            if self.welcome:
                key = viewer_key(event.viewer) or event.msg_id
                self._entered.setdefault(key, event.viewer)
                if self._welcome_opened is None:
                    self._welcome_opened = event.t
            return
        if isinstance(event, GiftReceived):
            if event.streak_id and not event.streak_end:
                await emit(NoReply(t=event.t, msg_id=event.msg_id, viewer=event.viewer,
                                   reason="gift streak in progress (thanked at its end)"))
                return
            c = Contribution("gift", event.viewer, event.t, event.msg_id, event.gift_name, max(1, event.count),
                             event.amount or Decimal(0))
        elif isinstance(event, ViewerSubscribed):
            c = Contribution("subscribe", event.viewer, event.t, event.msg_id)
        elif isinstance(event, RoomRaided):
            c = Contribution("raid", event.viewer, event.t, event.msg_id, value=Decimal(event.viewers))
        elif isinstance(event, ViewerShared):
            c = Contribution("share", event.viewer, event.t, event.msg_id)
        else:
            c = Contribution("follow", event.viewer, event.t, event.msg_id)
        self._add([c], event.t)
        if self.window_s <= 0:
            await self._close_due(float("inf"), emit, welcome=False)

    def _add(self, contribs: list[Contribution], t: float) -> None:
        self._pending.extend(contribs)
        if self._opened is None:
            self._opened = t

    async def _muted(self, event: ViewerMuted, emit: Emit) -> None:
        key = viewer_key(event.viewer)
        if not key:
            return
        if not event.muted:
            self.muted.discard(key)
            return
        self.muted.add(key)
        dropped = [c for c in self._pending if viewer_key(c.viewer) == key]
        self._pending = [c for c in self._pending if viewer_key(c.viewer) != key]
        for c in dropped:
            if c.msg_id:
                await emit(NoReply(t=event.t, msg_id=c.msg_id, viewer=c.viewer,
                                   reason="viewer muted (nothing they send is answered)"))
        self._entered.pop(key, None)
        if not self._pending:
            self._opened = None

    async def _close_due(self, t: float, emit: Emit, *, welcome: bool = True) -> None:
        if self._opened is not None and self._pending and t - self._opened >= self.window_s:
            await self._thank(min(t, self._opened + self.window_s), emit)
        if welcome and self._welcome_opened is not None and t - self._welcome_opened >= self.welcome_window_s:
            await self._welcome(min(t, self._welcome_opened + self.welcome_window_s), emit)

    async def _thank(self, t: float, emit: Emit) -> None:
        contribs, self._pending = self._pending, []
        opened, self._opened = self._opened, None
        merged: dict[tuple, Contribution] = {}
        for c in contribs:  # the same viewer's repeats of one gift are one thank-you
            k = (c.kind, viewer_key(c.viewer) or c.msg_id, c.gift)
            if k in merged:
                m = merged[k]
                # several frames of one gift: thanked without a count (platforms resend combos)
                merged[k] = Contribution(m.kind, m.viewer, m.t, m.msg_id, m.gift, 0, m.value + c.value)
            else:
                merged[k] = c
        text, quoted, numbers = compose_thanks(list(merged.values()), self.lang, self.names)
        if not text:
            return
        check = self.guard.check(text, (), numbers, quoted)
        reason, detail = split_held(check.reason)
        viewers = _ordered(contribs)
        intent = "gift" if any(c.kind in ("gift", "paid") for c in contribs) else "follow"
        reply = ReplySuggested(
            t=opened if opened is not None else t, reply_id=next_id("thx"),
            msg_ids=tuple(dict.fromkeys(c.msg_id for c in contribs if c.msg_id)), viewer=viewers[0],
            intent=intent, lang=self.lang, text=text, held_reason=reason, held_detail=detail,
            askers=tuple(viewers))
        self._drafted[reply.reply_id] = contribs
        if len(self._drafted) > 2000:
            for rid in list(self._drafted)[:1000]:
                del self._drafted[rid]
        await emit(reply)

    async def _welcome(self, t: float, emit: Emit) -> None:
        viewers, self._entered = list(self._entered.values()), {}
        opened, self._welcome_opened = self._welcome_opened, None
        if not viewers:
            return
        text, quoted = compose_welcome(viewers, self.lang, self.names)
        check = self.guard.check(text, (), (), quoted)
        reason, detail = split_held(check.reason)
        await emit(ReplySuggested(
            t=opened if opened is not None else t, reply_id=next_id("hi"), msg_ids=(), viewer=viewers[0],
            intent="greeting", lang=self.lang, text=text, held_reason=reason, held_detail=detail,
            askers=tuple(viewers)))
