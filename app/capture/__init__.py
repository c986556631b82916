"""Microphone and file audio capture: raw blocks in, 16 kHz mono int16 chunks out.

A capture source is an async iterator of :class:`~app.capture.base.AudioChunk` (audio) and
:class:`~app.capture.base.CaptureStatus` (device state) items. The live source is
:class:`app.capture.sounddevice.SounddeviceCapture`; :class:`app.capture.file.FileCapture` feeds
a WAV/FLAC file through the same block -> converter path (tests, ``livehost transcribe``).
"""

from app.capture.base import AudioChunk, CaptureSource, CaptureStatus
from app.capture.convert import TARGET_RATE, PcmConverter

__all__ = ["AudioChunk", "CaptureSource", "CaptureStatus", "PcmConverter", "TARGET_RATE"]
