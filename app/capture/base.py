"""The capture interface shared by the microphone and the file source."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol, Union

import numpy as np


@dataclass(frozen=True, slots=True)
class AudioChunk:
    """One block of recognizer-ready audio.

    Attributes:
        pcm: int16 samples, shape ``(n,)``, mono, at the source's ``sample_rate`` (16 000 Hz).
        t: seconds of audio delivered by this source before the first sample of this chunk
            (counted from samples, so it never drifts from the audio itself).
        overflows: input overflows counted so far on this source (PortAudio ``input_overflow``).
    """

    pcm: np.ndarray
    t: float
    overflows: int = 0

    @property
    def duration_s(self) -> float:
        """Length of the chunk in seconds at 16 kHz."""
        from app.capture.convert import TARGET_RATE

        return len(self.pcm) / TARGET_RATE


@dataclass(frozen=True, slots=True)
class CaptureStatus:
    """A change of the capture path's state.

    Attributes:
        state: ``listening`` (audio flows), ``no_device`` (no input device; retrying),
            ``lost`` (the device vanished mid-stream; retrying), ``stopped`` (source ended).
        device: the device name (empty when none).
        reason: why, in words a seller understands.
        overflows: input overflows counted so far.
    """

    state: str
    device: str = ""
    reason: str = ""
    overflows: int = 0


CaptureItem = Union[AudioChunk, CaptureStatus]


class CaptureSource(Protocol):
    """Anything that yields recognizer-ready audio.

    ``items()`` is an async iterator of :class:`AudioChunk` and :class:`CaptureStatus`; it
    ends when the source is exhausted (a file) or closed. ``close()`` stops it from any task.
    """

    sample_rate: int

    def items(self) -> AsyncIterator[CaptureItem]: ...

    def close(self) -> None: ...
