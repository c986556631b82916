"""Floods and purchase signals: counted in stream-time windows, never answered one by one.

``FloodStage``: IntentClassified (``flood`` set) / NowSellingChanged / StreamTimeAdvanced /
SourcesEnded -> NoReply | FloodCounted | PurchaseSignalsCounted | ReplySuggested.

* ``cheer`` and ``copy`` floods (``666``, ``W``, ``哈哈哈``, a pasted line): each message gets
  ``NoReply`` at once; when the flood window closes, one ``FloodCounted`` per token says how many
  messages and viewers it had (the console shows the counts).
* ``purchase`` signals (``1``, ``111``, ``扣1``) while a product is being presented (讲解中):
  counted per product; once ``min_signals`` arrived in a purchase window, *one* line for the
  whole chorus -- "好多宝宝扣1了！3号链接「纯棉圆领T恤」，喜欢的直接拍" -- answering every
  signal so far, and no other line until the window ends. ``PurchaseSignalsCounted`` carries the
  live count for the products tab (at most once per clock tick). Without a now-selling product a
  ``1`` is counted as a cheer.

Windows follow stream time (every event's ``t`` and ``StreamTimeAdvanced`` ticks), like the
question merging of :mod:`app.reply.stage`, so a replay and a live room behave alike.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from app.catalog.model import Catalog, Product
from app.events import (Event, FloodCounted, IntentClassified, NoReply, NowSellingChanged, PurchaseSignalsCounted,
                        ReplySuggested, SourcesEnded, StreamTimeAdvanced, Viewer, next_id)
from app.pipeline import Emit, Stage
from app.reply.guard import FactGuard
from app.reply.stage import split_held
from app.understanding.flood import CHEER, PURCHASE
from app.understanding.stage import viewer_key

PHRASES = {
    "zh": ("好多宝宝扣1了！{listing}号链接「{title}」，喜欢的直接拍",
           "好多宝宝扣1了！「{title}」在购物车里，喜欢的直接拍"),
    "en": ("Lots of you want it! “{title}” is link number {listing} in the shopping bag.",
           "Lots of you want it! “{title}” is in the shopping bag."),
}
"""The purchase-signal line: (with listing number, without); facts only from the catalog."""


@dataclass
class _Tally:
    flood: str
    count: int = 0
    viewers: set[str] = field(default_factory=set)


@dataclass
class _Signals:
    product: Product
    opened_t: float
    pending: list[IntentClassified] = field(default_factory=list)
    count: int = 0
    viewers: set[str] = field(default_factory=set)
    answered: bool = False


class FloodStage(Stage):
    """Counts flood messages; one purchase-signal line per window.

    Args:
        catalog: the products (the purchase line's facts).
        window_s: the flood window for cheers and pasted lines, stream seconds.
        purchase_window_s: at most one purchase line per this many stream seconds.
        min_signals: purchase signals needed in a window before the line is said.
        default_lang: the room's language (the purchase line's language).
    """

    name = "flood"
    accepts = (IntentClassified, NowSellingChanged, StreamTimeAdvanced, SourcesEnded)

    def __init__(self, catalog: Catalog, *, window_s: float = 10.0, purchase_window_s: float = 30.0,
                 min_signals: int = 3, default_lang: str = "zh") -> None:
        super().__init__()
        self.catalog = catalog
        self.guard = FactGuard(catalog)
        self.window_s = float(window_s)
        self.purchase_window_s = float(purchase_window_s)
        self.min_signals = max(1, int(min_signals))
        self.default_lang = "en" if default_lang == "en" else "zh"
        self.now_selling: Product | None = None
        self._opened: float | None = None
        self._tallies: dict[str, _Tally] = {}
        self._signals: _Signals | None = None
        self.totals: Counter[str] = Counter()
        """Purchase signals per product id since the session started."""
        self._dirty = False

    async def handle(self, event: Event, emit: Emit) -> None:
        await self._close_due(event.t, emit)
        if isinstance(event, StreamTimeAdvanced):
            await self._report(event.t, emit)
            return
        if isinstance(event, SourcesEnded):
            await self._close_due(float("inf"), emit)
            return
        if isinstance(event, NowSellingChanged):
            p = self.catalog.get(event.product_id) if event.product_id else None
            if self._signals is not None and p is not self._signals.product:
                await self._close_signals(event.t, emit)
            self.now_selling = p
            return
        assert isinstance(event, IntentClassified)
        if not event.flood or event.offensive or event.source != "comment":
            return
        key = viewer_key(event.viewer) or event.msg_id
        if event.flood == PURCHASE and self.now_selling is not None:
            await self._signal(event, key, emit)
            return
        flood = CHEER if event.flood == PURCHASE else event.flood
        if self._opened is None:
            self._opened = event.t
        tally = self._tallies.setdefault(event.flood_token, _Tally(flood))
        tally.count += 1
        tally.viewers.add(key)
        await emit(NoReply(t=event.t, msg_id=event.msg_id, viewer=event.viewer,
                           reason=f"flood: {event.flood_token} (counted, not answered)"))

    # ------------------------------------------------------------------ purchase signals
    async def _signal(self, ev: IntentClassified, key: str, emit: Emit) -> None:
        s = self._signals
        if s is None:
            s = self._signals = _Signals(self.now_selling, ev.t)
        s.count += 1
        s.viewers.add(key)
        self.totals[s.product.product_id] += 1
        self._dirty = True
        if s.answered:
            await emit(NoReply(t=ev.t, msg_id=ev.msg_id, viewer=ev.viewer,
                               reason="purchase signal (counted; this window's line is said)"))
            return
        s.pending.append(ev)
        if s.count >= self.min_signals:
            await self._say(s, ev.t, emit)

    async def _say(self, s: _Signals, t: float, emit: Emit) -> None:
        p = s.product
        lang = s.pending[0].lang if s.pending and s.pending[0].lang in ("zh", "en") else self.default_lang
        with_listing, without = PHRASES[lang]
        title = p.title if lang == "zh" else (p.title_en or p.title)
        text = (with_listing.format(listing=p.listing_number, title=title) if p.listing_number is not None
                else without.format(title=title))
        check = self.guard.check(text, (p.product_id,), (Decimal(1),))  # the "1" the viewers typed
        reason, detail = split_held(check.reason)
        viewers: dict[str, Viewer] = {}
        for e in s.pending:
            viewers.setdefault(viewer_key(e.viewer) or e.msg_id, e.viewer)
        s.answered = True
        await emit(ReplySuggested(
            t=t, reply_id=next_id("r"), msg_ids=tuple(e.msg_id for e in s.pending),
            viewer=s.pending[0].viewer, intent="purchase_intent", lang=lang, text=text, product_id=p.product_id,
            held_reason=reason, held_detail=detail, confidence=1.0, askers=tuple(viewers.values())))
        s.pending.clear()

    async def _close_signals(self, t: float, emit: Emit) -> None:
        s, self._signals = self._signals, None
        if s is None:
            return
        for e in s.pending:  # too few for a line: counted only
            await emit(NoReply(t=e.t, msg_id=e.msg_id, viewer=e.viewer,
                               reason="purchase signal (counted; too few for a line)"))
        await emit(FloodCounted(t=t, token="1", flood=PURCHASE, count=s.count, viewers=len(s.viewers),
                                window_s=self.purchase_window_s))
        await emit(PurchaseSignalsCounted(t=t, product_id=s.product.product_id,
                                          listing_number=s.product.listing_number, count=0,
                                          total=self.totals[s.product.product_id], viewers=0))
        self._dirty = False

    async def _report(self, t: float, emit: Emit) -> None:
        s = self._signals
        if s is None or not self._dirty:
            return
        self._dirty = False
        await emit(PurchaseSignalsCounted(t=t, product_id=s.product.product_id,
                                          listing_number=s.product.listing_number, count=s.count,
                                          total=self.totals[s.product.product_id], viewers=len(s.viewers)))

    # ------------------------------------------------------------------ windows
    async def _close_due(self, t: float, emit: Emit) -> None:
        if self._opened is not None and t - self._opened >= self.window_s:
            tallies, self._tallies = self._tallies, {}
            opened, self._opened = self._opened, None
            end = opened + self.window_s if t == float("inf") else t
            for token, tally in sorted(tallies.items(), key=lambda kv: -kv[1].count):
                if tally.count < 2:
                    continue  # one "666" is not a flood worth reporting
                await emit(FloodCounted(t=end, token=token, flood=tally.flood, count=tally.count,
                                        viewers=len(tally.viewers), window_s=self.window_s))
        if self._signals is not None and t - self._signals.opened_t >= self.purchase_window_s:
            end = self._signals.opened_t + self.purchase_window_s if t == float("inf") else t
            await self._close_signals(end, emit)
