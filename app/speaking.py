"""The speech stage: ``Speak`` -> WAV file (``SpeechSynthesized``) -> playback or preview.

Synthesis runs on the synthesizer's own engine thread (called from the pipeline's ``tts``
executor); playback on the ``playback`` executor, in a task of its own, so the next reply is
synthesized while the current one plays. How speech is delivered is published once at start as
``AudioOutputChanged``:

* ``device`` -- played on the output device: ``SpeechStarted`` / ``SpeechFinished`` around it;
* ``preview`` -- no output device (a server, a CI machine, a laptop with its sound off): the
  WAV is written and the reply is "played" silently for its duration (``SpeechStarted`` /
  ``SpeechFinished`` with ``preview=True``), so the avatar still moves and the console shows
  what is being said; the seller is told once (``ErrorOccurred`` code ``audio-output-missing``,
  a notice);
* ``files`` -- WAV files only (no player at all: headless runs that only write files).

Commands acted on at once (``intercept``), even while a reply is playing: ``MuteSpeech`` (panic
mute: stop now, drop what is queued), an interrupting ``Speak``, ``CancelSpeech`` (stop or drop
one reply). ``SetVoice`` changes rate / volume on the engine's own thread.

Faults never stop the stream: with less than ``min_free_mb`` free on the audio folder's disk no
WAV is written (the seller is told once, ``disk-low``; speech resumes when there is room again),
and after ``max_failures`` failed syntheses in a row speech pauses for ``pause_s`` seconds (one
``tts-failed`` message) instead of spending the engine's timeout on every reply.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import time
from pathlib import Path

from app.errors import SpeechError
from app.events import (AudioOutputChanged, CancelSpeech, ErrorOccurred, Event, MuteSpeech, SetVoice, Speak,
                        SpeechFinished, SpeechMuted, SpeechStarted, SpeechSynthesized)
from app.pipeline import Emit, Stage
from app.vocab import AudioOutputState, ErrorCode


def wav_name(reply_id: str) -> str:
    """File name for a reply's audio: ``<reply_id>.wav`` (reply ids are unique per run)."""
    return re.sub(r"[^\w-]", "_", reply_id) + ".wav"


class SpeechStage(Stage):
    """Speak -> SpeechSynthesized (+ SpeechStarted/SpeechFinished when played or previewed).

    Args:
        synthesizer: a :class:`app.adapters.Synthesizer` (``synthesize(text, lang, path)``), e.g.
            ``Pyttsx3Synthesizer``.
        audio_dir: where WAV files are written (created).
        player: a :class:`app.adapters.Player` (``available``, ``unavailable_reason``, blocking
            ``play(path)``, ``stop()``); ``None`` = files only.
        preview_pace: without an output device, seconds waited per second of audio while a reply
            is previewed (1.0 = as long as it would sound, the live console; ``1/speed`` for a
            paced replay; 0 = no waiting, a replay at full speed).
    """

    name = "speech"
    accepts = (Speak, MuteSpeech, CancelSpeech, SetVoice)

    def __init__(self, synthesizer, audio_dir: Path, player=None, *, preview_pace: float = 1.0,
                 min_free_mb: float = 50.0, max_failures: int = 3, pause_s: float = 60.0) -> None:
        super().__init__()
        self.min_free_mb = float(min_free_mb)
        self.max_failures = int(max_failures)
        self.pause_s = float(pause_s)
        self._failures = 0
        self._paused_until = 0.0
        self._disk_low = False
        self.synthesizer = synthesizer
        self.audio_dir = Path(audio_dir)
        self.player = player
        self.preview_pace = max(0.0, float(preview_pace))
        self.output: str = AudioOutputState.FILES
        self.muted = False
        self._generation = 0
        """Bumped by an interrupt: queued Speak commands from before it are not played."""
        self._queued_gen: dict[str, int] = {}
        self._cancelled: set[str] = set()
        self._playing: str | None = None
        self._preview_stop: asyncio.Event | None = None
        self._play_q: asyncio.Queue | None = None
        self._player_task: asyncio.Task | None = None

    @property
    def queued(self) -> int:
        """Replies waiting to be synthesized or played."""
        return len(self._queued_gen) + (self._play_q.qsize() if self._play_q is not None else 0)

    def intercept(self, event: Event) -> None:
        """Act at once on panic mute, interrupting speech and cancellations (even while a reply
        is playing)."""
        if isinstance(event, MuteSpeech):
            self.muted = event.muted
            if event.muted:
                self._generation += 1
                self._stop_current()
        elif isinstance(event, Speak):
            if event.interrupt:
                self._generation += 1
                self._stop_current()
            self._queued_gen[event.reply_id] = self._generation
        elif isinstance(event, CancelSpeech):
            self._cancelled.add(event.reply_id)
            if self._playing == event.reply_id:
                self._stop_current()

    def _stop_current(self) -> None:
        if self.player is not None and self.output == AudioOutputState.DEVICE:
            self.player.stop()
        if self._preview_stop is not None:
            self._preview_stop.set()

    async def start(self) -> None:
        self.audio_dir.mkdir(parents=True, exist_ok=True)
        self._play_q = asyncio.Queue()
        self._player_task = asyncio.create_task(self._player_loop(), name="speech-playback")
        if self.player is None:
            self.output = AudioOutputState.FILES
            reason = "files only"
        else:
            available = await self.pipeline.run_blocking("playback", lambda: bool(getattr(self.player, "available", False)))
            self.output = AudioOutputState.DEVICE if available else AudioOutputState.PREVIEW
            reason = "" if available else str(getattr(self.player, "unavailable_reason", ""))
        for problem in getattr(self.synthesizer, "problems", ()) or ():  # e.g. a configured voice not installed
            await self.pipeline.publish(ErrorOccurred(code=problem.code, message=problem.message, hint=problem.hint,
                                                      stage=self.name))
        device = str(getattr(self.player, "device_name", "") or getattr(self.player, "device", "") or "")
        await self.pipeline.publish(AudioOutputChanged(state=self.output, device=device, reason=reason))
        if self.output == AudioOutputState.PREVIEW:
            await self.pipeline.publish(ErrorOccurred(
                code=ErrorCode.AUDIO_OUTPUT_MISSING,
                message="No audio output device found: replies are written as WAV files and previewed "
                        f"by the avatar without sound. ({reason})",
                hint="Connect speakers or a virtual audio cable and choose it under Voice settings "
                     "(speech.output_device).", stage=self.name))

    async def handle(self, event: Event, emit: Emit) -> None:
        if isinstance(event, MuteSpeech):
            await emit(SpeechMuted(t=event.t, muted=event.muted))
            return
        if isinstance(event, SetVoice):
            await self.pipeline.run_blocking("tts", self._set_voice, event.rate_wpm, event.volume)
            return
        if isinstance(event, CancelSpeech):
            return
        assert isinstance(event, Speak)
        stale = self._queued_gen.pop(event.reply_id, self._generation) < self._generation
        if event.reply_id in self._cancelled:
            self._cancelled.discard(event.reply_id)
            return
        if not await self._can_synthesize(event, emit):
            return
        # the synthesizer normalises the text for speech itself (numbers, prices, symbols)
        path = self.audio_dir / wav_name(event.reply_id)
        try:
            result = await self.pipeline.run_blocking("tts", self.synthesizer.synthesize, event.text, event.lang, path)
        except SpeechError as exc:
            await self._failed(event, exc, emit)
            return
        self._failures = 0
        duration = float(result.duration_s)
        await emit(SpeechSynthesized(t=event.t, reply_id=event.reply_id, text=event.text,
                                     audio_path=str(result.path), duration_s=duration,
                                     sample_rate=int(result.sample_rate)))
        if self.output == AudioOutputState.FILES:
            return
        if self.muted or stale or event.reply_id in self._cancelled:  # written, not played
            self._cancelled.discard(event.reply_id)
            return
        assert self._play_q is not None
        self.pipeline.hold()  # drain() waits until it has been played
        self._play_q.put_nowait((event, result, self._generation))

    def free_mb(self) -> float:
        """Free space on the audio folder's disk, MB (a missing folder counts as plenty)."""
        try:
            return shutil.disk_usage(self.audio_dir).free / 1e6
        except OSError:
            return float("inf")

    async def _can_synthesize(self, event: Speak, emit: Emit) -> bool:
        if time.monotonic() < self._paused_until:
            return False
        low = self.free_mb() < self.min_free_mb
        if low and not self._disk_low:
            await emit(ErrorOccurred(
                t=event.t, code=ErrorCode.DISK_LOW, stage=self.name,
                message=f"Less than {self.min_free_mb:.0f} MB free on the disk of {self.audio_dir}: replies are "
                        "not spoken or saved as audio until there is room (everything else goes on).",
                hint="Free disk space; speech resumes by itself."))
        elif not low and self._disk_low:
            await emit(ErrorOccurred(t=event.t, code=ErrorCode.DISK_LOW, stage=self.name,
                                     message="There is disk space again: replies are spoken again.", hint=""))
        self._disk_low = low
        return not low

    async def _failed(self, event: Speak, exc: SpeechError, emit: Emit) -> None:
        self._failures += 1
        pause = self._failures >= self.max_failures
        if pause:
            self._paused_until = time.monotonic() + self.pause_s
            self._failures = 0
        await emit(ErrorOccurred(
            t=event.t, code=exc.code, stage=self.name, msg_id="",
            message=exc.message + (f" Speech pauses for {self.pause_s:.0f} s after {self.max_failures} failures "
                                   "in a row; replies are still drafted and decided." if pause else ""),
            hint=exc.hint))

    async def stop(self) -> None:
        if self._player_task is not None:
            self._player_task.cancel()
            try:
                await self._player_task
            except asyncio.CancelledError:
                pass
        while self._play_q is not None and not self._play_q.empty():
            self._play_q.get_nowait()
            self.pipeline.release()

    async def _player_loop(self) -> None:
        assert self._play_q is not None
        while True:
            event, result, gen = await self._play_q.get()
            try:
                await self._play(event, result, gen)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - one failed playback must not stop the others
                await self.pipeline.publish(ErrorOccurred(
                    t=event.t, code=getattr(exc, "code", ErrorCode.PLAYBACK_FAILED), stage=self.name,
                    message=f"A reply could not be played ({type(exc).__name__}: {exc}).",
                    hint=getattr(exc, "hint", "") or "Check the output device under Voice settings.",
                    msg_id=""))
            finally:
                self.pipeline.release()

    async def _play(self, event: Speak, result, gen: int) -> None:
        publish = self.pipeline.publish
        if self.muted or gen < self._generation or event.reply_id in self._cancelled:
            self._cancelled.discard(event.reply_id)  # muted, interrupted or cancelled while queued
            return
        duration = float(result.duration_s)
        self._playing = event.reply_id
        try:
            if self.output == AudioOutputState.DEVICE:
                latency = float(getattr(self.player, "output_latency_s", 0.0) or 0.0)
                await publish(SpeechStarted(t=event.t, reply_id=event.reply_id, text=event.text,
                                            audio_path=str(result.path), duration_s=duration,
                                            output_latency_s=latency))
                finished = await self.pipeline.run_blocking("playback", self.player.play, result.path)
                interrupted = (finished is False) or gen != self._generation
                await publish(SpeechFinished(t=event.t, reply_id=event.reply_id, interrupted=interrupted))
            else:
                await publish(SpeechStarted(t=event.t, reply_id=event.reply_id, text=event.text,
                                            audio_path=str(result.path), duration_s=duration, preview=True))
                interrupted = await self._preview(duration) or gen != self._generation
                await publish(SpeechFinished(t=event.t, reply_id=event.reply_id, interrupted=interrupted,
                                             preview=True))
        finally:
            self._playing = None
            self._cancelled.discard(event.reply_id)

    async def _preview(self, duration_s: float) -> bool:
        """Wait as long as the reply would sound (scaled by ``preview_pace``); True = stopped early."""
        wait = duration_s * self.preview_pace
        if wait <= 0:
            return False
        self._preview_stop = asyncio.Event()
        try:
            await asyncio.wait_for(self._preview_stop.wait(), wait)
            return True
        except asyncio.TimeoutError:
            return False
        finally:
            self._preview_stop = None

    def _set_voice(self, rate_wpm: int | None, volume: float | None) -> None:
        if rate_wpm is not None and hasattr(self.synthesizer, "set_rate"):
            self.synthesizer.set_rate(rate_wpm)
        if volume is not None and hasattr(self.synthesizer, "set_volume"):
            self.synthesizer.set_volume(volume)
