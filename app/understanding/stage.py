"""The understanding stage: comment / host speech in, :class:`IntentClassified` out.

One call per message on the pipeline's single-thread ``intent`` executor reads the message
three ways at once: the intent model (with slots and the reply language), the offensive-language
detector (``offensive``, ``offense_score``) and the flood tagger (``flood``: ``1`` / ``666`` /
pasted lines are counted, not answered). Messages from a viewer muted for the session
(``ViewerMuted``) are not read at all: they get ``NoReply`` at once.
"""

from __future__ import annotations

import re
from pathlib import Path
from dataclasses import dataclass
from decimal import Decimal

from app.catalog.model import Catalog
from app.events import ChatReceived, Event, IntentClassified, NoReply, SpeechTranscribed, ViewerMuted
from app.pipeline import Emit, Stage


@dataclass(frozen=True, slots=True)
class Understanding:
    """The result of understanding one message (plain, for callers outside the pipeline)."""

    text: str
    lang: str
    intent: str
    confidence: float
    uncertain: bool
    slots: object
    encoder_states: object = None
    """The intent encoder's hidden states for the offensive-language detector's encoder head
    (``(tokens, hidden)`` float32), or ``None`` when not asked for (:attr:`Understander.states_layer`)."""


class Understander:
    """Intent classifier + slot extractor behind one call. Thread-safe.

    Args:
        classifier: an :class:`app.understanding.classifier.IntentClassifier`.
        catalog: used for product mentions.
        uncertain_threshold: overrides the model's own threshold when given (0..1).
        default_lang: the room's language (``settings.language``): the reply language of
            messages with no language of their own (``666``, emoji, ``W``, ``jjjj``).
    """

    def __init__(self, classifier, catalog: Catalog | None = None, *,
                 usd_to_cny: Decimal = Decimal("7.2"), uncertain_threshold: float | None = None,
                 default_lang: str = "zh") -> None:
        from app.understanding.slots import SlotExtractor

        self.default_lang = default_lang
        self.classifier = classifier
        self.slots = SlotExtractor(catalog, usd_to_cny=usd_to_cny)
        self.uncertain_threshold = uncertain_threshold
        self.states_layer: int | None = None
        """When set, :meth:`understand` also returns the intent encoder's ``hidden_states[states_layer]``
        (set by :func:`load_moderator` when the detector has an encoder head for this intent model)."""

    @classmethod
    def load(cls, catalog: Catalog | None = None, *, model_dir=None, threads: int = 1,
             usd_to_cny: Decimal = Decimal("7.2"), uncertain_threshold: float | None = None,
             default_lang: str = "zh") -> Understander:
        """Load the shipped (or given) intent model. Raises ModelMissingError if absent."""
        from app.understanding.classifier import IntentClassifier

        clf = IntentClassifier.load(model_dir, num_threads=threads)
        return cls(clf, catalog, usd_to_cny=usd_to_cny, uncertain_threshold=uncertain_threshold,
                   default_lang=default_lang)

    def understand(self, text: str) -> Understanding:
        """Intent (see :func:`settle_social`), slots and reply language of one message."""
        from app.understanding.text import detect_lang, normalize_text

        norm = normalize_text(text)
        states = None
        if self.states_layer is not None and hasattr(self.classifier, "classify_with_states"):
            pred, states = self.classifier.classify_with_states(norm, self.states_layer)
        else:
            pred = self.classifier.classify(norm)
        uncertain = pred.uncertain if self.uncertain_threshold is None else (
            pred.confidence < self.uncertain_threshold)
        slots = self.slots.extract(norm)
        intent, confidence, uncertain = settle_social(pred.intent, float(pred.confidence), bool(uncertain),
                                                      getattr(pred, "probs", None) or {}, text=norm, slots=slots)
        return Understanding(text=text, lang=detect_lang(norm, self.default_lang), intent=intent,
                             confidence=confidence, uncertain=uncertain, slots=slots, encoder_states=states)


class DeferredUnderstander:
    """An :class:`Understander` that loads on its own thread (``livehost-model-loader``) while
    the session already runs: the console is usable and comments are shown at once, and the
    first :meth:`understand` call waits for the model (the first reply may wait; nothing else does).

    Args:
        load: builds the real :class:`Understander` (e.g. ``lambda: Understander.load(...)``);
            runs on the loader thread.

    Attributes:
        loaded_s: seconds the load took (None until it ended).
    """

    def __init__(self, load, model_dir: Path | None = None) -> None:
        import concurrent.futures
        import threading
        import time

        self._future: concurrent.futures.Future = concurrent.futures.Future()
        self.loaded_s: float | None = None
        self.model_dir = model_dir
        """The intent model's folder (known before it loads: the detector's encoder head checks it)."""
        self._states_layer: int | None = None

        def run() -> None:
            t0 = time.perf_counter()
            try:
                result = load()
            except BaseException as exc:  # noqa: BLE001 - re-raised by every understand() call
                self.loaded_s = time.perf_counter() - t0
                self._future.set_exception(exc)
                return
            if self._states_layer is not None:
                result.states_layer = self._states_layer
            self.loaded_s = time.perf_counter() - t0
            self._future.set_result(result)

        self._thread = threading.Thread(target=run, name="livehost-model-loader", daemon=True)
        self._thread.start()

    @property
    def ready(self) -> bool:
        """True once the load ended (loaded or failed)."""
        return self._future.done()

    def add_done_callback(self, fn) -> None:
        """Call ``fn(self)`` once the load ended (on the loader thread, or now if it already has)."""
        self._future.add_done_callback(lambda _f: fn(self))

    def error(self) -> BaseException | None:
        """The load's error (None while loading or when it loaded)."""
        return self._future.exception() if self._future.done() else None

    def wait(self, timeout: float | None = None) -> Understander:
        """The loaded understander (blocks). Raises the load's error (``ModelMissingError`` ...)
        or ``TimeoutError``."""
        return self._future.result(timeout)

    def understand(self, text: str) -> Understanding:
        """As :meth:`Understander.understand`; waits for the model first."""
        return self.wait().understand(text)

    @property
    def states_layer(self) -> int | None:
        """As :attr:`Understander.states_layer`; set before the load ends, it is passed on."""
        return self._states_layer

    @states_layer.setter
    def states_layer(self, layer: int | None) -> None:
        self._states_layer = layer
        if self._future.done() and self._future.exception() is None:
            self._future.result().states_layer = layer

    @property
    def classifier(self):
        return self.wait().classifier

    @property
    def slots(self):
        return self.wait().slots


SOCIAL_INTENTS = frozenset({"greeting", "compliment", "chitchat"})
"""Intents that ask nothing of the host."""

ANSWER_MASS_MAX = 0.25
"""Most probability the model may give to intents that need an answer (questions, complaints,
purchases) for an unsure social message to count as plain chat (see :func:`settle_social`)."""


_ASKS = re.compile(
    r"(?i)[?？]|[吗呢么嘛咩]\s*$|(.)[不唔没冇]\1|多少|几号|几多|链接|怎么|什么时候|可以吗|"
    r"慢|卡|差|坏|退|假|贵|骗|破|烂|垃圾|不回|没收到|没到|坑|失望|"
    r"\b(?:how much|price|cost|link|size|ship\w*|deliver\w*|order\w*|slow|lag\w*|broken|worst|refund|"
    r"scam|fake|cheap|return)\b")
"""Marks of a question or a grievance: with one of them an unsure message stays unsure (held)."""

_GRIEVANCE = re.compile(
    r"(?i)差|烂|坏|破|退|换货|骗|假|贵|慢|卡|不回|没收到|没到|还没|坑|失望|后悔|垃圾|无语|气死|问题|毛病|掉色|"
    r"起球|缩水|开线|线头|异味|味道|臭|冲|熏|漏|裂|过敏|不合适|不准|不一样|不对|色差|不符|上当|态度|不理|没人|"
    r"不讲|不上|抢不到|虚高|涨价|割韭菜|抢钱|离谱|太小|太大|偏小|偏大|磨脚|扎|刺|痒|疼|脏|旧|听不清|声音太|"
    r"看不清|转圈|拖|等了|投诉|举报|差评|恶心|不好|不行|别买|智商税|忽悠|吐槽|敷衍|"
    r"refund|return|broke|damag|late|never|scam|fake|poor|bad|worst|terrible|awful|disappoint|cheap|ripped|"
    r"torn|wrong|missing|complain|quality|ignor|waste|useless|doesn'?t work|stopped|defect|smell|faded|shrunk|"
    r"too (?:small|big|tight|loose)|nothing like|still waiting|rip ?off|overpriced|fell apart|ridiculous|"
    r"so slow|can'?t hear|lag|annoy|hate|sucks|trash|garbage|not happy|unhappy|upset|angry|mad")
"""Words of a grievance about a product, an order, the service or the stream (zh, en; hand-collected from
the kinds of complaint in the intent corpus): an unsure "complaint" without one is ordinary chat."""


def settle_social(intent: str, confidence: float, uncertain: bool, probs: dict[str, float], *,
                  text: str = "", slots=None) -> tuple[str, float, bool]:
    """An unsure reading that is sure the message asks nothing becomes plain, certain ``chitchat``.

    Ordinary chat ("the vibes are immaculate", "刚吃完饭") often falls below the model's confidence
    threshold only because greeting, compliment and chitchat share it; holding every such message
    for the seller floods the held queue (81 % of a general chat), and thanking an unsure
    "compliment" is how "I'm dying" would get "Aw, thanks!". So when the top intent is social and
    the intents that need an answer (questions, complaints, purchases, spam is not one) together
    have at most :data:`ANSWER_MASS_MAX` of the probability, the message is ``chitchat`` (no reply,
    nothing held) with confidence ``1 - that mass``. Likewise an unsure ``complaint`` with no word of
    a grievance in it (:data:`_GRIEVANCE`: 差, 退, 慢, 卡, refund, broken, lag ...) -- "有点东西",
    "can't stop laughing" -- is chat (confidence: the social intents' probability); complaints the
    model is sure of are always held. Anything else is returned unchanged.

    A message that still looks like a question or a grievance -- a question mark, 吗/呢 at its
    end, 多少 / 链接 / how much / price ..., 慢 / 卡 / 退 / refund / lag ..., or any slot (a listing
    number, a product, a size, a budget) -- stays unsure and is held as before: those are the
    model's likely mistakes ("what's link 7 going for" read as a greeting).

    Args:
        intent / confidence / uncertain: the classifier's reading.
        probs: the calibrated probability of every intent (empty = unchanged).
        text: the normalised message.
        slots: its :class:`~app.events.Slots`.
    """
    if not uncertain or not probs or (intent not in SOCIAL_INTENTS and intent != "complaint"):
        return intent, confidence, uncertain
    if (text and _ASKS.search(text)) or (slots is not None and slots.as_dict()):
        return intent, confidence, uncertain
    if intent == "complaint":
        if not text or _GRIEVANCE.search(text):
            return intent, confidence, uncertain
        return "chitchat", round(sum(probs.get(k, 0.0) for k in SOCIAL_INTENTS), 4), False
    answer = sum(p for k, p in probs.items() if k not in SOCIAL_INTENTS and k != "spam")
    if answer > ANSWER_MASS_MAX:
        return intent, confidence, uncertain
    return "chitchat", round(1.0 - answer, 4), False


def load_moderator(model_dir=None, *, understander: Understander | None = None):
    """The offensive-language detector (:class:`app.understanding.moderation.OffenseDetector`)
    from ``model_dir`` (``None`` = the shipped ``models/moderation``).

    With ``understander``, the detector's encoder head (:mod:`app.understanding.moderation_head`) is
    loaded too when it was trained on that understander's intent model, and the understander is
    told to hand over the encoder states it needs (:attr:`Understander.states_layer`); with
    another intent model, or without the head's file, the detector works from the text alone.

    Raises:
        ModelMissingError: ``moderation-model-missing`` / ``moderation-model-invalid``.
    """
    from app.understanding.moderation import OffenseDetector

    if isinstance(understander, DeferredUnderstander):  # never wait for the model here
        intent_dir = understander.model_dir
    else:
        intent_dir = getattr(getattr(understander, "classifier", None), "model_dir", None)
    det = OffenseDetector.load(model_dir, intent_dir=intent_dir)
    if understander is not None:
        understander.states_layer = det.encoder_layer
    return det


def viewer_key(viewer) -> str:
    """``platform:uid`` of a viewer; empty for an anonymous one (uid ``""``)."""
    return f"{viewer.platform}:{viewer.uid}" if viewer.uid else ""


class UnderstandingStage(Stage):
    """ChatReceived / SpeechTranscribed -> IntentClassified (or NoReply for a muted viewer).

    Args:
        understander: an :class:`Understander` (intent, slots, reply language).
        moderator: the offensive-language detector (``score(text)`` -> an object with
            ``offensive`` and ``score``); ``None`` = messages are not screened (tests).
        flood: a :class:`~app.understanding.flood.FloodTagger`; ``None`` = no flood tagging.
    """

    name = "understanding"
    accepts = (ChatReceived, SpeechTranscribed, ViewerMuted)

    def __init__(self, understander: Understander, *, moderator=None, flood=None) -> None:
        super().__init__()
        self.understander = understander
        self.moderator = moderator
        self.flood = flood
        self.muted: set[str] = set()

    def _read(self, text: str, screen: bool):
        u = self.understander.understand(text)
        offense = None
        if screen and self.moderator is not None:
            states = getattr(u, "encoder_states", None)
            offense = (self.moderator.score(text) if states is None
                       else self.moderator.score(text, encoder_states=states))
        return u, offense

    async def handle(self, event: Event, emit: Emit) -> None:
        if isinstance(event, ViewerMuted):
            key = viewer_key(event.viewer)
            if key:
                (self.muted.add if event.muted else self.muted.discard)(key)
            return
        assert isinstance(event, (ChatReceived, SpeechTranscribed))
        if not event.text.strip():
            return  # e.g. host speech given only as audio: the recognizer stage transcribes it
        comment = isinstance(event, ChatReceived)
        key = viewer_key(event.viewer)
        if comment and key in self.muted:
            await emit(NoReply(t=event.t, msg_id=event.msg_id, viewer=event.viewer,
                               reason="viewer muted (nothing they send is answered)"))
            return
        u, offense = await self.pipeline.run_blocking("intent", self._read, event.text, comment)
        flood = token = ""
        if comment and self.flood is not None and not (offense is not None and offense.offensive):
            flood, token = self.flood.tag(event.text, t=event.t, viewer_key=key, intent=u.intent)
        await emit(IntentClassified(
            t=event.t, msg_id=event.msg_id, viewer=event.viewer, text=event.text, lang=u.lang,
            intent=u.intent, confidence=u.confidence, uncertain=u.uncertain, slots=u.slots,
            source="comment" if comment else "host_speech",
            offensive=bool(offense.offensive) if offense is not None else False,
            offense_score=round(float(offense.score), 4) if offense is not None else 0.0,
            offense_terms=tuple(getattr(offense, "lexicon_hits", ()) or ()) if offense is not None else (),
            flood=flood, flood_token=token))
