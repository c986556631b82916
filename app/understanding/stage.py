"""The understanding stage: comment / host speech in, :class:`IntentClassified` out.

Classification runs on the pipeline's single-thread ``intent`` executor (one tokenizer per
thread inside the classifier, so the microphone path may classify concurrently).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.catalog.model import Catalog
from app.events import ChatReceived, Event, IntentClassified, SpeechTranscribed
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


class Understander:
    """Intent classifier + slot extractor behind one call. Thread-safe.

    Args:
        classifier: an :class:`app.understanding.classifier.IntentClassifier`.
        catalog: used for product mentions.
        uncertain_threshold: overrides the model's own threshold when given (0..1).
        default_lang: language of messages with no words (``666``, emoji): the seller's language.
    """

    def __init__(self, classifier, catalog: Catalog | None = None, *,
                 usd_to_cny: Decimal = Decimal("7.2"), uncertain_threshold: float | None = None,
                 default_lang: str = "zh") -> None:
        from app.understanding.slots import SlotExtractor

        self.default_lang = default_lang
        self.classifier = classifier
        self.slots = SlotExtractor(catalog, usd_to_cny=usd_to_cny)
        self.uncertain_threshold = uncertain_threshold

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
        from app.understanding.text import detect_lang, normalize_text

        norm = normalize_text(text)
        pred = self.classifier.classify(norm)
        uncertain = pred.uncertain if self.uncertain_threshold is None else (
            pred.confidence < self.uncertain_threshold)
        return Understanding(text=text, lang=detect_lang(norm, self.default_lang), intent=pred.intent,
                             confidence=float(pred.confidence), uncertain=bool(uncertain),
                             slots=self.slots.extract(norm))


class UnderstandingStage(Stage):
    """ChatReceived / SpeechTranscribed -> IntentClassified."""

    name = "understanding"
    accepts = (ChatReceived, SpeechTranscribed)

    def __init__(self, understander: Understander) -> None:
        super().__init__()
        self.understander = understander

    async def handle(self, event: Event, emit: Emit) -> None:
        assert isinstance(event, (ChatReceived, SpeechTranscribed))
        if not event.text.strip():
            return  # e.g. host speech given only as audio: the recognizer stage transcribes it
        u = await self.pipeline.run_blocking("intent", self.understander.understand, event.text)
        await emit(IntentClassified(
            t=event.t, msg_id=event.msg_id, viewer=event.viewer, text=event.text, lang=u.lang,
            intent=u.intent, confidence=u.confidence, uncertain=u.uncertain, slots=u.slots,
            source="host_speech" if isinstance(event, SpeechTranscribed) else "comment"))
