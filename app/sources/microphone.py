"""The seller's microphone as a chat source (``mic``): captions, host speech and voice commands.

Audio does not travel over the event bus (ten blocks a second would flood every observer): the
source pulls it from a capture source (:class:`~app.capture.sounddevice.SounddeviceCapture`
live, :class:`~app.capture.file.FileCapture` for files and tests) and feeds it to a
:class:`~app.recognition.vosk.VoskRecognizer` on the pipeline's single-thread ``vosk`` executor.

Yields:
    * ``MicrophoneStateChanged`` -- ``listening`` / ``no_device`` / ``lost`` / ``stopped`` from the
      capture source, ``gated`` while the virtual host speaks, ``no_model`` when no model can be
      loaded (the session then runs chat-only), and ``listening`` with a new ``overflows`` count
      (at most every 5 s) when the input overflows.
    * ``TranscriptPartial`` -- live captions (changed, non-empty partial results).
    * ``SpeechTranscribed`` -- each final result, ``viewer = Viewer(platform, "host", "host")``.
    * ``VoiceCommandRecognized`` followed by the command event (``StepNowSelling``,
      ``IntroduceProduct``, ``SetNowSelling``, ``MuteSpeech``, ``PauseAutoApprove``,
      ``RepeatLastReply``) when the utterance is a host command.
    * ``ErrorOccurred`` when recognition fails or no model is installed.

Gating (``on_event``): from the first audible ``SpeechStarted`` until every started reply has
finished, plus ``gate_tail_s`` of audio for the room's echo, microphone audio is dropped and the
utterance in progress is discarded, so the host's own voice is never transcribed or answered.
Silent previews (no audio device) do not gate: nothing is audible.

Commands: the free transcript is parsed first (:func:`~app.recognition.commands.parse_command`).
If it is not a command, the utterance is short (<= ``max_command_s``) and the model has a
run-time graph, the same audio is decoded a second time with a phrase list of the command
wordings and catalog terms (vosk grammar), which recognises command words that free recognition
garbles; that result must parse as a command with mean word confidence >= ``min_command_conf``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

from app.capture.base import AudioChunk, CaptureStatus
from app.capture.convert import TARGET_RATE
from app.errors import LiveHostError
from app.events import (ErrorOccurred, Event, MicrophoneStateChanged, SpeechFinished, SpeechStarted,
                        SpeechTranscribed, TranscriptPartial, Viewer, VoiceCommandRecognized, next_id)
from app.recognition.commands import VoiceCommand, command_phrases, parse_command, product_terms
from app.sources.base import SourceContext
from app.vocab import ErrorCode, MicrophoneState

log = logging.getLogger(__name__)

_OVERFLOW_REPORT_S = 5.0


class MicrophoneSource:
    """See the module docstring.

    Args:
        capture: the audio source (``items()`` / ``close()``).
        model_dir: vosk model folder (see :func:`app.recognition.models.resolve_model`); ``None``
            = no model installed (the source says so and ends).
        platform: platform key for the host's ``Viewer``.
        catalog: optional :class:`~app.catalog.model.Catalog` (product names for commands and the
            phrase list; listing numbers bound the phrase list).
        commands: recognise voice commands.
        phrase_pass: second pass with a phrase list for short utterances (run-time-graph models).
        gate_tail_s: seconds of audio still dropped after the host's speech finished (echo).
        recycle_after_s / endpoint_silence_s: passed to :class:`VoskRecognizer`.
        max_command_s: longest utterance (seconds) considered for the phrase-list pass.
        min_command_conf: mean word confidence (0..1) the phrase-list result needs.
        t_offset: stream time (seconds) of the capture's first sample; ``None`` = the session
            clock when the source starts.
        audio_path: put into ``SpeechTranscribed.audio_path`` (file sources).
        recognizer: an already built recognizer (``accept`` / ``finish`` / ``reset`` /
            ``last_utterance_audio``, like :class:`VoskRecognizer`) instead of loading ``model_dir``.
        missing_reason: why there is no model (shown when ``model_dir`` is None).
    """

    spec = "mic"
    platform = "host"

    def __init__(self, capture, model_dir: str | Path | None, *, platform: str = "douyin", catalog=None,
                 commands: bool = True, phrase_pass: bool = True, gate_tail_s: float = 0.3,
                 recycle_after_s: float | None = 60.0, endpoint_silence_s: float | None = 0.25,
                 max_command_s: float = 4.0, min_command_conf: float = 0.7, t_offset: float | None = None,
                 audio_path: str = "", recognizer=None, missing_reason: LiveHostError | None = None) -> None:
        self.capture = capture
        self.model_dir = Path(model_dir) if model_dir else None
        self.viewer = Viewer(platform, "host", "host")
        self.catalog = catalog
        self.commands = commands
        self.phrase_pass = phrase_pass
        self.gate_tail_samples = int(gate_tail_s * TARGET_RATE)
        self.recycle_after_s = recycle_after_s
        self.endpoint_silence_s = endpoint_silence_s
        self.max_command_s = max_command_s
        self.min_command_conf = min_command_conf
        self.t_offset = t_offset
        self.audio_path = audio_path
        self.recognizer = recognizer
        self.missing_reason = missing_reason
        self.phrase_recognizer = None
        self.products = product_terms(catalog) if catalog is not None else {}
        self.dropped_s = 0.0
        """Seconds of microphone audio dropped by the gate."""
        self._speaking: set[str] = set()
        self._tail_left = 0
        self._reset_pending = False
        self._audio_t = 0.0
        self._reported_overflows = 0
        self._last_overflow_report = -_OVERFLOW_REPORT_S
        self._device = ""
        self._capture_state = ""
        self._gate_events: list[Event] = []

    # ------------------------------------------------------------------ gating (observer)
    @property
    def gated(self) -> bool:
        """True while the host's own speech (or its echo tail) is being dropped."""
        return bool(self._speaking) or self._tail_left > 0

    def on_event(self, event: Event) -> None:
        """See every published event (event loop, never blocks): gate on audible speech."""
        if isinstance(event, SpeechStarted) and not event.preview:
            first = not self._speaking
            self._speaking.add(event.reply_id)
            if first and self._capture_state == MicrophoneState.LISTENING:
                self._reset_pending = True  # discard the utterance in progress
                self._gate_events.append(MicrophoneStateChanged(
                    t=event.t, state=MicrophoneState.GATED, device=self._device,
                    reason="the virtual host is speaking"))
        elif isinstance(event, SpeechFinished) and event.reply_id in self._speaking:
            self._speaking.discard(event.reply_id)
            if not self._speaking:
                self._tail_left = self.gate_tail_samples
                if self._capture_state == MicrophoneState.LISTENING:
                    self._gate_events.append(MicrophoneStateChanged(
                        t=event.t, state=MicrophoneState.LISTENING, device=self._device))

    # ------------------------------------------------------------------ the source
    async def aclose(self) -> None:
        if self.capture is not None:
            self.capture.close()

    async def events(self, ctx: SourceContext) -> AsyncIterator[Event]:
        if self.t_offset is None:
            self.t_offset = ctx.now()
        try:
            await ctx.run_blocking("vosk", self._load)
        except LiveHostError as exc:
            yield MicrophoneStateChanged(t=self.t_offset, state=MicrophoneState.NO_MODEL, reason=exc.message)
            yield ErrorOccurred(t=self.t_offset, code=exc.code, message=exc.message, hint=exc.hint,
                                stage="microphone")
            if self.capture is not None:
                self.capture.close()
            return
        try:
            async for item in self.capture.items():
                for e in self._take_gate_events():
                    yield e
                if isinstance(item, CaptureStatus):
                    self._device = item.device or self._device
                    self._capture_state = item.state
                    yield MicrophoneStateChanged(t=self.t_offset + self._audio_t, state=item.state,
                                                 device=item.device, reason=item.reason, overflows=item.overflows)
                    continue
                async for e in self._on_chunk(item, ctx):
                    yield e
            for e in self._take_gate_events():
                yield e
            final = await ctx.run_blocking("vosk", self.recognizer.finish)
            if final is not None and not self.gated:
                async for e in self._on_final(final, ctx):
                    yield e
        except LiveHostError as exc:
            yield ErrorOccurred(t=self.t_offset + self._audio_t, code=exc.code, message=exc.message,
                                hint=exc.hint, stage="microphone")
        except Exception as exc:  # noqa: BLE001 - translate, report; the chat part goes on
            log.exception("recognition failed")
            yield ErrorOccurred(t=self.t_offset + self._audio_t, code=ErrorCode.ASR_FAILED,
                                message=f"Speech recognition stopped ({type(exc).__name__}: {exc}).",
                                hint="Chat replies go on; restart the microphone in Settings.", stage="microphone")

    def _take_gate_events(self) -> list[Event]:
        out, self._gate_events = self._gate_events, []
        return out

    def _load(self) -> None:
        from app.errors import ModelMissingError
        from app.recognition.vosk import VoskRecognizer, supports_grammar, vocabulary_phrases

        if self.recognizer is not None:
            return
        if self.model_dir is None:
            if self.missing_reason is not None:
                raise self.missing_reason
            raise ModelMissingError(ErrorCode.ASR_MODEL_MISSING, "No speech recognition model is installed: "
                                    "the microphone is off, chat still works.",
                                    "Run `livehost models install small-cn` (or choose a model in Settings).")
        want_phrases = self.commands and self.phrase_pass and supports_grammar(self.model_dir)
        self.recognizer = VoskRecognizer(
            self.model_dir, recycle_after_s=self.recycle_after_s, endpoint_silence_s=self.endpoint_silence_s,
            keep_utterance_audio_s=self.max_command_s if want_phrases else 0.0)
        if want_phrases:
            listings = [p.listing_number for p in self.catalog] if self.catalog is not None else []
            max_listing = max([n for n in listings if n] or [20])
            terms = list(self.products)
            phrases = vocabulary_phrases(self.recognizer.model,
                                         command_phrases(max_listing=min(max_listing, 99), extra_terms=terms))
            if len(phrases) > 1:  # more than "[unk]"
                if "[unk]" not in phrases:
                    phrases.append("[unk]")
                self.phrase_recognizer = VoskRecognizer(self.model_dir, grammar=phrases, recycle_after_s=None,
                                                        endpoint_silence_s=None)
                log.info("phrase list: %d phrases", len(phrases))

    async def _on_chunk(self, chunk: AudioChunk, ctx: SourceContext) -> AsyncIterator[Event]:
        self._audio_t = chunk.t + chunk.duration_s
        now = self.t_offset + self._audio_t
        if chunk.overflows > self._reported_overflows and \
                self._audio_t - self._last_overflow_report >= _OVERFLOW_REPORT_S:
            self._reported_overflows = chunk.overflows
            self._last_overflow_report = self._audio_t
            yield MicrophoneStateChanged(
                t=now, state=MicrophoneState.LISTENING, device=self._device, overflows=chunk.overflows,
                reason="audio input overflowed (the computer is too busy); some audio was lost")
        if self._reset_pending:
            self._reset_pending = False
            await ctx.run_blocking("vosk", self.recognizer.reset)
        if self._speaking:
            self.dropped_s += chunk.duration_s
            return
        pcm = chunk.pcm
        if self._tail_left > 0:
            cut = min(self._tail_left, len(pcm))
            self._tail_left -= cut
            self.dropped_s += cut / TARGET_RATE
            pcm = pcm[cut:]
            if not len(pcm):
                return
        results = await ctx.run_blocking("vosk", self.recognizer.accept, pcm)
        for r in results:
            if self._speaking:  # the host started speaking meanwhile: its words are not ours
                break
            if r.final:
                async for e in self._on_final(r, ctx):
                    yield e
            else:
                yield TranscriptPartial(t=self.t_offset + r.end_s, text=r.text)

    async def _on_final(self, r, ctx: SourceContext) -> AsyncIterator[Event]:
        t = self.t_offset + r.end_s
        yield SpeechTranscribed(t=t, msg_id=next_id("asr"), viewer=self.viewer, text=r.text,
                                audio_path=self.audio_path, source=self.spec)
        if not self.commands:
            return
        cmd = parse_command(r.text, products=self.products, t=t)
        if cmd is None and self.phrase_recognizer is not None and self._short(r):
            cmd = await ctx.run_blocking("vosk", self._phrase_pass, t)
        if cmd is not None:
            yield VoiceCommandRecognized(t=t, text=r.text, command=cmd.command, listing_number=cmd.listing_number)
            yield cmd.event

    def _short(self, r) -> bool:
        if r.words:
            return r.words[-1].end - r.words[0].start <= self.max_command_s
        return len(r.text) <= 12

    def _phrase_pass(self, t: float) -> VoiceCommand | None:
        audio = self.recognizer.last_utterance_audio
        if not len(audio):
            return None
        rec = self.phrase_recognizer
        results = [x for x in rec.accept(audio) if x.final]
        tail = rec.finish()
        if tail is not None:
            results.append(tail)
        for x in results:
            if not x.words:
                continue
            conf = sum(w.conf for w in x.words) / len(x.words)
            if conf < self.min_command_conf:
                continue
            cmd = parse_command(x.text, products=self.products, t=t)
            if cmd is not None:
                return cmd
        return None


def open_source(target: str, *, settings=None, endpoint: str | None = None, catalog=None, capture=None,
                **_options) -> MicrophoneSource:
    """``mic`` (the input device in ``microphone.device``) or ``mic:DEVICE NAME``.

    A missing speech model does not raise: the source reports ``no_model`` when it starts and
    the session runs chat-only.
    """
    from app.capture.sounddevice import SounddeviceCapture
    from app.errors import ModelMissingError
    from app.recognition.models import resolve_model

    device = target or (settings.microphone.device if settings is not None else "")
    model_name = settings.recognition.model if settings is not None else ""
    missing = None
    try:
        model_dir = resolve_model(model_name or None)
    except ModelMissingError as exc:
        model_dir, missing = None, exc
    platform = settings.platform if settings is not None else "douyin"
    return MicrophoneSource(capture if capture is not None else SounddeviceCapture(device), model_dir,
                            platform=platform, catalog=catalog, missing_reason=missing)
