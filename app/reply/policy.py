"""The moderation policy: what happens to an offensive message and to a viewer who keeps at it.

``ModerationStage``: IntentClassified (offensive ones) / MuteViewer -> ReplySuggested (held,
``HeldReason.OFFENSIVE``, intent ``offensive``) | NoReply | ViewerMuted.

* An offensive message never gets a greeting, compliment, thanks or answer of ours: the reply
  stage ignores it (``IntentClassified.offensive``). When the detector is sure -- its score is at
  least ``flag_score`` or its lexicon named an abusive term -- this stage puts a card in front of
  the seller: held (never auto-approved), offering only a neutral reminder to keep the chat
  friendly (no name, nothing quoted) and the "mute this viewer" action (``MuteViewer``); the
  message is a strike. Below that it only gets ``NoReply`` (left unanswered, not flagged): the
  detector's own threshold flags some ordinary chat ("proud of you" scores 0.35).
* A viewer who sends ``auto_mute_after`` offensive messages within ``auto_mute_window_s`` of
  stream time is muted for the session (``ViewerMuted(by="policy")``); the seller's
  ``MuteViewer`` mutes (or unmutes) at once. From ``ViewerMuted`` on, the understanding stage
  answers nothing they send, the thanks stage thanks nothing they give, and the speech queue drops
  any line still waiting for them. Anonymous viewers (no uid) cannot be muted: each of their
  offensive messages is held all the same.
"""

from __future__ import annotations

from collections import deque

from app.events import Event, IntentClassified, MuteViewer, NoReply, ReplySuggested, ViewerMuted, next_id
from app.pipeline import Emit, Stage
from app.understanding.stage import viewer_key
from app.vocab import Approver, HeldReason

CIVILITY = {
    "zh": "请大家文明发言，有问题随时问哦",
    "en": "Let's keep the chat friendly, everyone - ask me anything about the products.",
}
"""The one line the seller may approve on an offensive card: addressed to the room, quoting
nothing and naming no one."""


class ModerationStage(Stage):
    """Offensive messages -> held cards; strikes -> automatic mute; the seller's mute command.

    Args:
        auto_mute_after: offensive messages within ``window_s`` that mute a viewer (0 = never).
        window_s: stream seconds strikes are counted over.
        flag_score: the detector's score from which an offensive message is flagged (see above).
    """

    name = "moderation"
    accepts = (IntentClassified, MuteViewer)

    def __init__(self, *, auto_mute_after: int = 3, window_s: float = 600.0, flag_score: float = 0.7) -> None:
        super().__init__()
        self.auto_mute_after = int(auto_mute_after)
        self.window_s = float(window_s)
        self.flag_score = float(flag_score)
        self._strikes: dict[str, deque[float]] = {}
        self.muted: set[str] = set()

    async def handle(self, event: Event, emit: Emit) -> None:
        if isinstance(event, MuteViewer):
            key = viewer_key(event.viewer)
            if not key or (key in self.muted) == event.muted:
                return
            (self.muted.add if event.muted else self.muted.discard)(key)
            if not event.muted:
                self._strikes.pop(key, None)
            await emit(ViewerMuted(t=event.t, viewer=event.viewer, muted=event.muted, by=Approver.SELLER,
                                   reason=event.reason, strikes=len(self._strikes.get(key, ()))))
            return
        assert isinstance(event, IntentClassified)
        if not event.offensive or event.source != "comment":
            return
        if event.offense_score < self.flag_score and not event.offense_terms:
            await emit(NoReply(t=event.t, msg_id=event.msg_id, viewer=event.viewer,
                               reason=f"possibly offensive (score {event.offense_score:.2f}): not answered"))
            return
        lang = "en" if event.lang == "en" else "zh"
        await emit(ReplySuggested(
            t=event.t, reply_id=next_id("r"), msg_ids=(event.msg_id,), viewer=event.viewer,
            intent="offensive", lang=lang, text=CIVILITY[lang], held_reason=HeldReason.OFFENSIVE,
            held_detail=f"offensive message (score {event.offense_score:.2f})",
            confidence=event.offense_score, askers=(event.viewer,)))
        key = viewer_key(event.viewer)
        if not key or key in self.muted or self.auto_mute_after <= 0:
            return
        strikes = self._strikes.setdefault(key, deque())
        strikes.append(event.t)
        while strikes and event.t - strikes[0] > self.window_s:
            strikes.popleft()
        if len(strikes) >= self.auto_mute_after:
            self.muted.add(key)
            await emit(ViewerMuted(t=event.t, viewer=event.viewer, muted=True, by=Approver.POLICY,
                                   reason="offensive", strikes=len(strikes)))
