"""Audio files as a capture source: the microphone's streaming path, fed from a WAV/FLAC file.

The file is read in blocks of the same shape the PortAudio callback delivers
(``(frames, channels)`` float32 at the file's own rate), and each block goes through the same
:class:`~app.capture.convert.PcmConverter` as live audio. Used by ``livehost transcribe``,
by replayed ``host_speech`` audio and by the tests.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import numpy as np

from app.capture.base import AudioChunk, CaptureItem, CaptureStatus
from app.capture.convert import TARGET_RATE, PcmConverter
from app.errors import LiveHostError


def _open(path: Path):
    import soundfile as sf

    try:
        return sf.SoundFile(str(path))
    except (OSError, RuntimeError, sf.LibsndfileError) as exc:
        raise LiveHostError("audio-file-unreadable", f"Cannot read audio file {path}: {exc}",
                            "Use a WAV or FLAC file (any sample rate, mono or stereo).") from exc


class FileCapture:
    """Yield a file's audio as :class:`AudioChunk` items, like a microphone would.

    Args:
        path: WAV/FLAC/OGG file readable by libsndfile (any rate, any channel count).
        block_s: seconds per block (the microphone uses the same default, 0.1 s).
        realtime: pace the blocks at the audio's own speed (as a live microphone would);
            False = as fast as the consumer takes them.
        trailing_silence_s: seconds of digital silence appended after the file (lets the
            recognizer's end-of-utterance detection run as it would after real speech).

    Raises:
        LiveHostError(code="audio-file-unreadable"): the file cannot be opened (on first read).
    """

    sample_rate = TARGET_RATE

    def __init__(self, path: str | Path, *, block_s: float = 0.1, realtime: bool = False,
                 trailing_silence_s: float = 0.0) -> None:
        if block_s <= 0:
            raise ValueError("block_s must be positive")
        self.path = Path(path)
        self.block_s = block_s
        self.realtime = realtime
        self.trailing_silence_s = max(0.0, trailing_silence_s)
        self._closed = False
        self.source_rate: int | None = None
        self.source_channels: int | None = None
        self.duration_s: float | None = None

    def close(self) -> None:
        self._closed = True

    def blocks(self) -> Iterator[np.ndarray]:
        """The raw blocks, shape ``(frames, channels)`` float32 at the file's rate."""
        with _open(self.path) as f:
            self.source_rate, self.source_channels = f.samplerate, f.channels
            self.duration_s = f.frames / f.samplerate if f.frames else None
            n = max(1, int(round(f.samplerate * self.block_s)))
            while not self._closed:
                block = f.read(frames=n, dtype="float32", always_2d=True)
                if len(block) == 0:
                    break
                yield block
            silence = int(round(self.trailing_silence_s * f.samplerate))
            while silence > 0 and not self._closed:
                k = min(n, silence)
                yield np.zeros((k, f.channels), dtype=np.float32)
                silence -= k

    def chunks(self) -> Iterator[AudioChunk]:
        """Synchronous version of :meth:`items` (audio only), for tools and benchmarks."""
        conv: PcmConverter | None = None
        done = 0
        for block in self.blocks():
            if conv is None:
                conv = PcmConverter(self.source_rate or TARGET_RATE)
            pcm = conv.convert(block)
            if len(pcm):
                yield AudioChunk(pcm=pcm, t=done / TARGET_RATE)
                done += len(pcm)
        if conv is not None:
            tail = conv.flush()
            if len(tail):
                yield AudioChunk(pcm=tail, t=done / TARGET_RATE)

    async def items(self) -> AsyncIterator[CaptureItem]:
        """``CaptureStatus('listening')``, the audio chunks, then ``CaptureStatus('stopped')``."""
        device = f"file:{self.path.name}"
        started = time.monotonic()
        first = True
        for chunk in self.chunks():
            if first:
                first = False
                yield CaptureStatus("listening", device=device)
            if self.realtime:
                ahead = chunk.t - (time.monotonic() - started)
                if ahead > 0:
                    await asyncio.sleep(ahead)
            else:
                await asyncio.sleep(0)
            yield chunk
        yield CaptureStatus("stopped", device=device, reason="end of file")
