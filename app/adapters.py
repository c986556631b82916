"""The adapter interfaces every engine implements (``typing.Protocol``), one to three methods
each. The pipeline's stages depend only on these; the real engines
(:class:`~app.understanding.stage.Understander`, :class:`~app.synthesis.pyttsx3.Pyttsx3Synthesizer`,
:class:`~app.playback.sounddevice.SounddevicePlayer`, :class:`~app.recommend.recommender.HybridRecommender`,
the chat sources in :mod:`app.sources`) and the test doubles in ``tests/fakes.py`` implement them
(``tests/test_adapters.py`` checks both).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from app.sources.base import ChatSource

__all__ = ["ChatSource", "Player", "Recommender", "SynthesisResultLike", "Synthesizer", "Understander"]


class SynthesisResultLike(Protocol):
    path: Path
    """The WAV file written."""
    duration_s: float
    """Its length, seconds."""
    sample_rate: int
    """Hz."""


@runtime_checkable
class Synthesizer(Protocol):
    """Text -> a WAV file. Blocking; called on the pipeline's ``tts`` executor (a thread-affine
    engine keeps its own thread behind it). Optional: ``set_rate(wpm)``, ``set_volume(0..1)``,
    ``available_voices``, ``close()``.

    Raises:
        SpeechError: ``tts-failed``, ``tts-no-voice`` ...
    """

    def synthesize(self, text: str, lang: str, path: Path) -> SynthesisResultLike: ...


@runtime_checkable
class Player(Protocol):
    """Plays a WAV file on the output device. ``play`` blocks until the end (True) or a
    ``stop()`` (False); called on the ``playback`` executor. ``available`` is False when there is
    no device (the session then previews silently); ``unavailable_reason`` says why. Optional:
    ``output_latency_s`` (seconds from start of play to the sound being heard)."""

    available: bool
    unavailable_reason: str

    def play(self, path: Path | str) -> bool: ...

    def stop(self) -> None: ...


@runtime_checkable
class Understander(Protocol):
    """One message -> its reading: an object with ``text``, ``lang`` (``zh``/``en``), ``intent``,
    ``confidence`` (0..1), ``uncertain`` and ``slots`` (:class:`~app.events.Slots`). Thread-safe;
    called on the ``intent`` executor."""

    def understand(self, text: str) -> Any: ...


@runtime_checkable
class Recommender(Protocol):
    """Ranked products for a viewer: ``recommend(viewer_key, slots, k=..., session_id=...,
    exclude=..., query=...)`` -> an object with ``items`` (best first, each with ``product_id``,
    ``score``, ``reason_zh``, ``reason_en``) and ``method``; live interactions are fed with
    ``add_interactions``."""

    def recommend(self, viewer: str, slots: Any = None, **kwargs: Any) -> Any: ...

    def add_interactions(self, interactions: Any) -> None: ...
