"""The recommendation stage: intent + slots in, ranked products with reasons out.

Consumes :class:`~app.events.IntentClassified` (viewer comments only, not the host's speech):

* ``recommendation_request`` -> :class:`~app.events.RecommendationsReady` (top ``k``, best
  first, each with ``reason_zh``/``reason_en``), computed on the ``recommend`` executor;
* product questions (``price``, ``discount``, ``size_fit``, ``product_detail``, ``stock``)
  about a product named by listing number or mention (else the product being presented,
  from :class:`~app.events.NowSellingChanged`) -> an ``asked`` interaction;
* ``purchase_intent`` about a product -> ``purchased`` when the message announces a purchase
  (拍了 / 已下单 / 付款了 / bought ...), else ``link_clicked`` (a link request). With
  ``suggest_after_purchase`` an announced purchase also gets "you might also like" results.

Interactions are written to the store (when given) and fed to the recommender live (O(1)
each). Refits run on the pipeline's single-thread ``recommend-fit`` executor (or the one
given), at most one at a time, when the recommender says one is due: every ``refit_every``
new interactions (checked in O(1) after each recorded interaction) or every
``refit_every_s`` seconds with new ones (a timer task) -- never per event; serving keeps the
previous models until the new snapshot is swapped in. Slots are remembered per viewer for
the session (budget, size, colour, recipient, body measurements), so "两百以内" said once
still holds for the next request.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import logging
import re
import time
from collections.abc import Callable
from pathlib import Path

from app.catalog.model import Catalog
from app.events import (Event, IntentClassified, NowSellingChanged, RecommendationsReady,
                        SessionStarted, Slots)
from app.now_selling import NowSellingTimeline
from app.pipeline import Emit, Stage
from app.recommend.recommender import HybridRecommender
from app.store.sqlite import Interaction, SqliteStore, viewer_key

log = logging.getLogger(__name__)

FIT_EXECUTOR = "recommend-fit"
"""Name of the pipeline executor refits run on (one thread, apart from serving's
``recommend``)."""
STOP_WAIT_S = 30.0
"""Seconds :meth:`RecommendationStage.stop` waits for a running refit to finish."""

MAX_VIEWERS_REMEMBERED = 50_000
"""Viewers whose slots (budget, size ...) the stage remembers in a session; the least recent go."""

ASKED_INTENTS = frozenset({"price", "discount", "size_fit", "product_detail", "stock"})
"""Intents that count as the viewer asking about the product they name."""

_PURCHASED = re.compile(
    r"(已拍|拍了|拍下了|下单了|已下单|买了|已买|付款了|已付款|付了|抢到了|入手了|"
    r"\b(bought|ordered|paid|purchased)\b|just got)", re.IGNORECASE)
"""A purchase announcement in a purchase-intent message (vs. 'how do I buy / link please')."""

_STICKY = ("color", "color_word", "size", "height_cm", "weight_kg", "budget_max", "budget_min",
           "recipient")


def merge_slots(previous: Slots | None, current: Slots) -> Slots:
    """This session's slots for a viewer: the current message's values win, earlier values
    of the sticky slots (colour, size, body, budget, recipient) stay; listing number and
    product mentions are the current message's only."""
    if previous is None:
        return current
    kept = {name: getattr(previous, name) for name in _STICKY
            if getattr(current, name) is None and getattr(previous, name) is not None}
    return dataclasses.replace(current, **kept) if kept else current


def build_recommender(catalog: Catalog, *, store: SqliteStore | None = None,
                      interactions_file: Path | str | None = None,
                      **kwargs: object) -> HybridRecommender:
    """A recommender over ``catalog`` loaded with history from the store and/or an order
    export file (not yet fitted: call ``fit()`` or let the stage refit in the background)."""
    rec = HybridRecommender(catalog, **kwargs)  # type: ignore[arg-type]
    if interactions_file is not None:
        from app.recommend.interactions_io import load_order_export

        rec.add_interactions(load_order_export(interactions_file).interactions)
    if store is not None:
        rec.add_interactions(store.interactions())
    return rec


class RecommendationStage(Stage):
    """Pipeline stage around a :class:`HybridRecommender`.

    Args:
        recommender: the shared recommender (history already added).
        store: where live interactions are recorded (optional).
        k: products per recommendation (2-3 suit spoken replies).
        session_id: the live session (default: the pipeline's, or a SessionStarted event's).
        suggest_after_purchase: also emit recommendations after an announced purchase.
        clock: unix time for recorded interactions (seconds).
        fit_executor: where refits run (default: the pipeline's :data:`FIT_EXECUTOR`);
            without one and without a pipeline, no background refits.
    """

    name = "recommend"
    accepts = (IntentClassified, SessionStarted, NowSellingChanged)

    def __init__(self, recommender: HybridRecommender, *, store: SqliteStore | None = None,
                 k: int = 3, session_id: str | None = None, suggest_after_purchase: bool = False,
                 clock: Callable[[], float] = time.time,
                 fit_executor: concurrent.futures.Executor | None = None) -> None:
        super().__init__()
        self.recommender = recommender
        self.store = store
        self.k = k
        self.session_id = session_id
        self.suggest_after_purchase = suggest_after_purchase
        self.clock = clock
        self.fit_executor = fit_executor
        self._slots: dict[str, Slots] = {}
        self._selling: NowSellingTimeline[str | None] = NowSellingTimeline()
        self._timer: asyncio.Task | None = None

    async def start(self) -> None:
        if self.session_id is None and self.pipeline is not None:
            self.session_id = self.pipeline.session_id
        if self.fit_executor is None and self.pipeline is not None:
            self.fit_executor = self.pipeline.executor(FIT_EXECUTOR)
        rec = self.recommender
        if self.fit_executor is None:
            return
        if not rec.fitted and rec.n_interactions:
            rec.refit_async(self.fit_executor)  # serve content + popularity until it is done
        if rec.auto_refit:
            self._timer = asyncio.create_task(self._refit_timer(), name="recommend-refit-timer")

    async def _refit_timer(self) -> None:
        """Every quarter of ``refit_every_s`` (at most 5 s): start a refit if one is due by time."""
        rec = self.recommender
        period = max(0.05, min(rec.refit_every_s / 4.0, 5.0))
        while True:
            await asyncio.sleep(period)
            try:
                rec.refit_if_due(self.fit_executor)
            except Exception:  # noqa: BLE001 - the timer must outlive a failed submit
                log.exception("could not schedule a recommender refit")

    async def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._timer
            self._timer = None
        # let a running refit finish (awaited, not blocking the event loop) so the session
        # ends on fresh models and the executor shuts down at once
        fut = self.recommender.refit_future
        if fut is not None and not fut.done():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(fut)), STOP_WAIT_S)

    def _product_of(self, slots: Slots) -> str | None:
        catalog = self.recommender.catalog
        if catalog is not None and slots.listing_number is not None:
            p = catalog.by_listing(slots.listing_number)
            if p is not None:
                return p.product_id
        for pid in slots.product_mentions:
            if pid in self.recommender.index:
                return pid
        return None

    def _product_or_now_selling(self, slots: Slots, t: float) -> str | None:
        """The product a question or purchase is about: the one named, else the one the host
        is presenting (讲解中) -- "多少钱" / "拍了" without a number mean that one."""
        named = self._product_of(slots)
        if named is not None:
            return named
        selling = self._selling.at(t)  # at the message's time: changes skip the understanding backlog
        if selling is not None and selling in self.recommender.index:
            return selling
        return None

    def _record(self, vkey: str, product_id: str, kind: str) -> None:
        it = Interaction(vkey, product_id, kind, None, self.clock(), self.session_id)
        if self.store is not None:
            self.store.add_interaction(it)
        rec = self.recommender
        rec.add_interactions([it])
        if rec.auto_refit and self.fit_executor is not None:
            rec.refit_if_due(self.fit_executor)  # O(1) count check; the timer covers time

    async def handle(self, event: Event, emit: Emit) -> None:
        if isinstance(event, SessionStarted):
            self.session_id = event.session_id
            self._slots.clear()
            return
        if isinstance(event, NowSellingChanged):
            self._selling.set(event.t, event.product_id)
            return
        assert isinstance(event, IntentClassified)
        if event.source == "host_speech":
            return
        vkey = viewer_key(event.viewer.platform, event.viewer.uid)
        slots = merge_slots(self._slots.pop(vkey, None), event.slots)
        self._slots[vkey] = slots  # most recent last: the oldest viewers' slots are dropped beyond the cap
        if len(self._slots) > MAX_VIEWERS_REMEMBERED:
            del self._slots[next(iter(self._slots))]
        product = self._product_or_now_selling(event.slots, event.t)
        suggest = event.intent == "recommendation_request"
        if product is not None and event.intent in ASKED_INTENTS:
            self._record(vkey, product, "asked")
        elif product is not None and event.intent == "purchase_intent":
            bought = bool(_PURCHASED.search(event.text))
            self._record(vkey, product, "purchased" if bought else "link_clicked")
            suggest = suggest or (bought and self.suggest_after_purchase)
        if not suggest:
            return
        named = self._product_of(event.slots)
        exclude = tuple(x for x in (named, *event.slots.product_mentions) if x)
        result = await self._recommend(vkey, slots, exclude, event.text)
        await emit(RecommendationsReady(t=event.t, msg_id=event.msg_id, viewer=event.viewer,
                                        items=result.items, method=result.method))

    async def _recommend(self, vkey: str, slots: Slots, exclude: tuple[str, ...], text: str):
        def run():
            return self.recommender.recommend(vkey, slots, k=self.k, session_id=self.session_id,
                                              exclude=exclude, query=text)
        if self.pipeline is None:
            return run()
        return await self.pipeline.run_blocking("recommend", run)
