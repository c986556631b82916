"""The speech stage: ``Speak`` -> WAV file (``SpeechSynthesized``) -> playback.

Synthesis runs on the synthesizer's own engine thread (called from the pipeline's ``tts``
executor); playback on the ``playback`` executor. With no output device the stage says so
once (``ErrorOccurred`` code ``audio-output-missing``) and keeps writing WAV files.
"""

from __future__ import annotations

import re
from pathlib import Path

from app.events import (ErrorOccurred, Event, MuteSpeech, Speak, SpeechFinished, SpeechMuted, SpeechStarted,
                        SpeechSynthesized)
from app.pipeline import Emit, Stage


def wav_name(reply_id: str) -> str:
    """File name for a reply's audio: ``<reply_id>.wav`` (reply ids are unique per run)."""
    return re.sub(r"[^\w-]", "_", reply_id) + ".wav"


class SpeechStage(Stage):
    """Speak -> SpeechSynthesized (+ SpeechStarted/SpeechFinished when played).

    Args:
        synthesizer: object with ``synthesize(text, lang, path) -> result`` (result has
            ``path``, ``duration_s``, ``sample_rate``), e.g. ``Pyttsx3Synthesizer``.
        audio_dir: where WAV files are written (created).
        player: optional object with ``available`` (bool), ``unavailable_reason`` (str) and blocking
            ``play(path)``; ``None`` = files only.
    """

    name = "speech"
    accepts = (Speak, MuteSpeech)

    def __init__(self, synthesizer, audio_dir: Path, player=None) -> None:
        super().__init__()
        self.synthesizer = synthesizer
        self.audio_dir = Path(audio_dir)
        self.player = player
        self._told_no_output = False
        self.muted = False
        self._generation = 0
        """Bumped by an interrupt: queued Speak commands from before it are not played."""
        self._queued_gen: dict[str, int] = {}

    def intercept(self, event: Event) -> None:
        """Act at once on panic mute and interrupting speech (even while a reply is playing)."""
        if isinstance(event, MuteSpeech):
            self.muted = event.muted
            if event.muted:
                self._generation += 1
                if self.player is not None:
                    self.player.stop()
        elif isinstance(event, Speak):
            if event.interrupt:
                self._generation += 1
                if self.player is not None:
                    self.player.stop()
            self._queued_gen[event.reply_id] = self._generation

    async def start(self) -> None:
        self.audio_dir.mkdir(parents=True, exist_ok=True)

    async def handle(self, event: Event, emit: Emit) -> None:
        if isinstance(event, MuteSpeech):
            await emit(SpeechMuted(t=event.t, muted=event.muted))
            return
        assert isinstance(event, Speak)
        stale = self._queued_gen.pop(event.reply_id, self._generation) < self._generation
        # the synthesizer normalises the text for speech itself (numbers, prices, symbols)
        path = self.audio_dir / wav_name(event.reply_id)
        result = await self.pipeline.run_blocking("tts", self.synthesizer.synthesize, event.text, event.lang, path)
        await emit(SpeechSynthesized(t=event.t, reply_id=event.reply_id, text=event.text,
                                     audio_path=str(result.path), duration_s=float(result.duration_s),
                                     sample_rate=int(result.sample_rate)))
        if self.player is None:
            return
        if self.muted or stale:  # written to file, but not played: muted or interrupted meanwhile
            return
        if not getattr(self.player, "available", False):
            if not self._told_no_output:
                self._told_no_output = True
                await emit(ErrorOccurred(
                    t=event.t, code="audio-output-missing",
                    message="No audio output device found: replies are written as WAV files only. "
                            f"({getattr(self.player, 'unavailable_reason', '')})",
                    hint="Connect speakers or a virtual audio cable and choose it under Voice settings.",
                    stage=self.name))
            return
        await emit(SpeechStarted(t=event.t, reply_id=event.reply_id, text=event.text))
        gen = self._generation
        finished = await self.pipeline.run_blocking("playback", self.player.play, result.path)
        await emit(SpeechFinished(t=event.t, reply_id=event.reply_id,
                                  interrupted=(finished is False) or gen != self._generation))
