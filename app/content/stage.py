"""The language model in a running session: answers to small talk and new wordings of replies.

:class:`LlmReplyStage` only runs when ``[llm] enabled`` and the seller allowed
``answer_chitchat`` and/or ``rephrase_replies``. It never holds up the stream: each request is
a background task with a wall-clock deadline (``llm.reply_timeout_s``); ``handle`` returns at
once, so the understanding, replies and speech go on while the model thinks.

* **Small talk** (``IntentClassified`` ``chitchat`` from a comment, not uncertain): the model's
  one-line answer, if it passes every check (:meth:`app.content.writer.LlmWriter.chitchat`) and
  arrives while the room has moved on by less than ``reply_timeout_s`` of stream time, becomes
  a ``ReplySuggested`` (intent ``chitchat``, auto-approved like any chit-chat reply). Without
  the offensive-language filter it is held (``unmoderated``). At most one small-talk answer
  per ``llm.chitchat_gap_s`` seconds of stream time; nothing is said to a message the filter
  flags.
* **Rewording** (``AutoApproveScheduled``: a reply counting down to being spoken): the model's
  wording, if it keeps every number and name and passes every check before the countdown ends,
  is sent as ``ReplyRephrased``; the approval stage speaks it instead. The seller approving,
  editing or rejecting the reply cancels the request. Never without the offensive-language
  filter.
* Anything refused, late or failed is reported as ``ModelTextRejected`` (nothing of it is
  spoken); a change of the endpoint's health as ``LlmStatusChanged`` (and, when it went bad, an
  ``ErrorOccurred`` with the client's code, e.g. ``llm-unreachable``, once per change).
"""

from __future__ import annotations

import asyncio
import logging

from app.catalog.model import Catalog
from app.errors import LiveHostError
from app.events import (AutoApproveCancelled, AutoApproveScheduled, ErrorOccurred, Event, IntentClassified,
                        LlmStatusChanged,
                        ModelTextRejected, ReplyApproved, ReplyEdited, ReplyRejected, ReplyRephrased,
                        ReplySuggested, SessionStarted, SourcesEnded, StreamTimeAdvanced, next_id)
from app.pipeline import Emit, Stage
from app.vocab import HeldReason, LlmState

log = logging.getLogger(__name__)

REPHRASE_KINDS = frozenset({"greeting", "compliment", "gift", "follow", "price", "stock", "shipping", "after_sales",
                            "size_fit", "product_detail", "discount", "purchase_intent"})
"""Reply kinds the model may reword (never complaints, recommendations, introductions or the
seller's own lines)."""

_HINTS = {
    LlmState.UNREACHABLE: "Start the model server (e.g. `ollama serve`) or correct llm.base_url in Settings; "
                          "replies go on without it.",
    LlmState.TIMEOUT: "The model is too slow for live replies: choose a smaller model, or raise llm.reply_timeout_s.",
    LlmState.ERROR: "Check llm.model and the API key in Settings; replies go on without the model.",
}


class LlmReplyStage(Stage):
    """See the module docstring.

    Args:
        writer: an :class:`app.content.writer.LlmWriter`.
        chitchat: answer small talk.
        rephrase: reword replies that count down to auto-approval.
        max_in_flight: requests at once; more are skipped.
        chitchat_gap_s: stream-time seconds between two small-talk answers.
    """

    name = "llm"
    accepts = (SessionStarted, IntentClassified, ReplySuggested, AutoApproveScheduled, AutoApproveCancelled,
               ReplyApproved, ReplyRejected, ReplyEdited, StreamTimeAdvanced, SourcesEnded)

    def __init__(self, writer, *, chitchat: bool = False, rephrase: bool = False, max_in_flight: int = 2,
                 chitchat_gap_s: float = 10.0) -> None:
        super().__init__()
        self.writer = writer
        self.chitchat = chitchat
        self.rephrase = rephrase
        self.max_in_flight = max(1, int(max_in_flight))
        self.chitchat_gap_s = float(chitchat_gap_s)
        self.now = 0.0
        """The latest stream time seen, seconds."""
        self._last_chitchat = float("-inf")
        self._tasks: dict[str, asyncio.Task] = {}
        self._suggested: dict[str, ReplySuggested] = {}
        self._state: str = ""
        self.skipped_busy = 0
        """Requests not made because ``max_in_flight`` were running."""

    @classmethod
    def from_settings(cls, catalog: Catalog, settings, *, writer=None) -> "LlmReplyStage":
        """From :class:`app.settings.Settings` (``[llm]``); the API key comes from the OS keyring
        when ``llm.api_key_in_keyring``."""
        if writer is None:
            from app.content.llm import ChatClient, load_api_key
            from app.content.writer import LlmWriter

            key = None
            if settings.llm.api_key_in_keyring:
                key, _notice = load_api_key()
            writer = LlmWriter.from_settings(catalog, settings,
                                             client=ChatClient.from_settings(settings.llm, api_key=key))
        return cls(writer, chitchat=settings.llm.answer_chitchat, rephrase=settings.llm.rephrase_replies,
                   chitchat_gap_s=settings.llm.chitchat_gap_s)

    # ------------------------------------------------------------------ lifecycle
    async def stop(self) -> None:
        for task in list(self._tasks.values()):
            task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)
        self._tasks.clear()
        await self.writer.client.aclose()

    # ------------------------------------------------------------------ events
    async def handle(self, event: Event, emit: Emit) -> None:
        self.now = max(self.now, event.t)
        if isinstance(event, SessionStarted):
            checker = self.writer.checker
            if not checker.moderated:
                log.info("language-model text is held for the seller: %s", checker.moderation_notice)
            return
        if isinstance(event, StreamTimeAdvanced):
            return
        if isinstance(event, SourcesEnded):  # the session is ending: whatever is still coming is late
            for key, task in list(self._tasks.items()):
                task.cancel()
            return
        if isinstance(event, ReplySuggested):
            self._suggested[event.reply_id] = event
            if len(self._suggested) > 2000:
                for rid in list(self._suggested)[:1000]:
                    del self._suggested[rid]
            return
        if isinstance(event, (ReplyApproved, ReplyRejected, ReplyEdited, AutoApproveCancelled)):
            task = self._tasks.pop("re:" + event.reply_id, None)
            if task is not None:
                task.cancel()
            return
        if isinstance(event, AutoApproveScheduled):
            s = self._suggested.get(event.reply_id)
            if (self.rephrase and s is not None and s.intent in REPHRASE_KINDS and not s.held_reason
                    and self.writer.checker.moderated):
                self._start("re:" + s.reply_id, self._rephrase(s, event.delay_s, emit))
            return
        assert isinstance(event, IntentClassified)
        if (self.chitchat and event.intent == "chitchat" and event.source == "comment" and not event.uncertain
                and not event.offensive and not event.flood  # floods are counted, abuse is never answered
                and event.t - self._last_chitchat >= self.chitchat_gap_s and event.text.strip()):
            if self.writer.checker.offensive(event.text):  # nothing is said to an abusive message
                await emit(ModelTextRejected(t=event.t, purpose="chitchat", msg_id=event.msg_id,
                                             reason="offensive: the viewer's message (the model is not asked)"))
                return
            if self._start("cc:" + event.msg_id, self._chitchat(event, emit)):
                self._last_chitchat = event.t

    def _start(self, key: str, coro) -> bool:
        if len(self._tasks) >= self.max_in_flight:
            coro.close()
            self.skipped_busy += 1
            return False
        task = asyncio.create_task(coro, name=f"llm-{key}")
        self._tasks[key] = task
        task.add_done_callback(lambda _t, k=key: self._tasks.pop(k, None) if self._tasks.get(k) is _t else None)
        return True

    async def _status(self, emit: Emit) -> None:
        client = self.writer.client
        state = str(client.state)
        if state == self._state:
            return
        self._state = state
        err = client.last_error
        bad = err is not None and state != LlmState.READY
        await emit(LlmStatusChanged(t=self.now, state=state,
                                    message=err.message if bad else f"The language model at {client.base_url} answers.",
                                    hint=_HINTS.get(state, "")))
        if bad:  # once per change, so the status bar and the run's summary show it
            await emit(ErrorOccurred(t=self.now, code=err.code, message=err.message,
                                     hint=_HINTS.get(state, err.hint), stage=self.name))

    # ------------------------------------------------------------------ jobs
    async def _chitchat(self, ev: IntentClassified, emit: Emit) -> None:
        try:
            result = await self.writer.chitchat(ev.text, ev.lang)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - nothing the model does may stop the stream
            if not isinstance(exc, LiveHostError):
                log.exception("small-talk request failed")
                exc = LiveHostError("llm-bad-response", f"{type(exc).__name__}: {exc}")
            await self._status(emit)
            await emit(ModelTextRejected(t=self.now, purpose="chitchat", reason=f"{exc.code}: {exc.message}",
                                         msg_id=ev.msg_id))
            return
        await self._status(emit)
        age = self.now - ev.t
        if result.refused or age > self.writer.reply_timeout_s:
            reason = result.refused or f"late: the room moved on {age:.1f} s of stream time"
            await emit(ModelTextRejected(t=self.now, purpose="chitchat", reason=reason, msg_id=ev.msg_id,
                                         text=result.raw[:300]))
            return
        held = "" if self.writer.checker.moderated else HeldReason.UNMODERATED
        await emit(ReplySuggested(
            t=self.now, reply_id=next_id("r"), msg_ids=(ev.msg_id,), viewer=ev.viewer, intent="chitchat",
            lang=ev.lang, text=result.text, held_reason=held,
            held_detail=self.writer.checker.moderation_notice if held else "", confidence=ev.confidence,
            askers=(ev.viewer,)))

    async def _rephrase(self, s: ReplySuggested, delay_s: float, emit: Emit) -> None:
        writer = self.writer
        budget = max(0.1, min(writer.reply_timeout_s, delay_s - 0.3))
        try:
            async with asyncio.timeout(budget):
                result = await writer.rephrase(s.text, s.lang, s.product_id)
        except TimeoutError:
            await emit(ModelTextRejected(t=self.now, purpose="rephrase", reply_id=s.reply_id,
                                         reason=f"late: no wording within the {budget:.1f} s countdown"))
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - nothing the model does may stop the stream
            if not isinstance(exc, LiveHostError):
                log.exception("rewording request failed")
                exc = LiveHostError("llm-bad-response", f"{type(exc).__name__}: {exc}")
            await self._status(emit)
            await emit(ModelTextRejected(t=self.now, purpose="rephrase", reply_id=s.reply_id,
                                         reason=f"{exc.code}: {exc.message}"))
            return
        await self._status(emit)
        if result.refused:
            await emit(ModelTextRejected(t=self.now, purpose="rephrase", reply_id=s.reply_id, reason=result.refused,
                                         text=result.raw[:300]))
            return
        await emit(ReplyRephrased(t=self.now, reply_id=s.reply_id, text=result.text, original=s.text))
