"""Streaming speech recognition with vosk (Kaldi), 16 kHz mono int16 in, transcripts out.

:class:`VoskRecognizer` wraps one ``vosk.KaldiRecognizer`` and adds what a multi-hour live
stream needs:

* **Streaming results.** :meth:`VoskRecognizer.accept` returns the changed partial result
  (a live caption) and every final result. ``Result()`` is read each time
  ``AcceptWaveform`` returns true (vosk's own endpoint); empty partials are skipped.
* **Fast end of utterance.** vosk's endpoint rules wait >= 0.5 s of trailing silence
  (``--endpoint.rule2.min-trailing-silence`` in the model's ``model.conf``). An energy-based
  end-of-speech detector (:class:`Endpointer`) ends the utterance after ``endpoint_silence_s``
  (default 0.25 s) of silence by calling ``FinalResult()``, which also resets the decoder.
* **Bounded memory.** A recognizer that lives for hours keeps growing. At an utterance
  boundary, once it has decoded ``recycle_after_s`` seconds of audio, it is replaced by a
  fresh one (the model is shared; only the decoder state is dropped). Word times stay on
  one clock across recycles.
* **Phrase lists.** Models with a run-time graph (``graph/HCLr.fst`` + ``graph/Gr.fst``, the
  "small" vosk models) accept a JSON list of phrases that restricts recognition to them
  (:func:`vocabulary_phrases` keeps only phrases made of words the model knows).

Times are seconds of audio since the recognizer object was created (i.e. since the stream
started), not wall clock.
"""

from __future__ import annotations

import json
import logging
import math
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.capture.convert import TARGET_RATE
from app.errors import ModelMissingError
from app.recognition.text import clean_transcript

log = logging.getLogger(__name__)

_model_lock = threading.Lock()
_models: dict[str, object] = {}


@dataclass(frozen=True, slots=True)
class Word:
    """One recognised word; times in seconds since the stream started, ``conf`` 0..1."""

    word: str
    start: float
    end: float
    conf: float


@dataclass(frozen=True, slots=True)
class Transcript:
    """A recognizer result.

    Attributes:
        text: cleaned text (``[unk]`` removed, no spaces between CJK characters).
        final: True for the end of an utterance, False for a live partial.
        raw: the text exactly as vosk returned it (space-separated lexicon words).
        words: per-word times (final results only).
        end_s: seconds of audio fed when the result was produced.
    """

    text: str
    final: bool
    raw: str = ""
    words: tuple[Word, ...] = ()
    end_s: float = 0.0

    @property
    def speech_end_s(self) -> float | None:
        """End of the last word in seconds, when word times are known."""
        return self.words[-1].end if self.words else None


def _vosk():
    try:
        import vosk
    except ImportError as exc:  # pragma: no cover - vosk is a dependency
        raise ModelMissingError("asr-vosk-missing", "Speech recognition needs the 'vosk' package.",
                                "Install it with: pip install vosk") from exc
    vosk.SetLogLevel(-1)
    return vosk


def check_model_dir(path: Path) -> list[str]:
    """Problems that make ``path`` unusable as a vosk model folder (empty list = looks fine).

    A vosk model folder has ``am/final.mdl``, ``conf/model.conf`` and a decoding graph:
    ``graph/HCLG.fst`` (static) or ``graph/HCLr.fst`` + ``graph/Gr.fst`` (run-time graph).
    Older models keep the same files at the top level; both layouts are accepted.
    """
    path = Path(path)
    if not path.is_dir():
        return [f"{path} is not a folder"]
    problems = []

    def has(rel: str) -> bool:
        return (path / rel).is_file() or (path / Path(rel).name).is_file()

    if not has("am/final.mdl"):
        problems.append("missing am/final.mdl (acoustic model)")
    if not (path / "conf" / "model.conf").is_file() and not (path / "mfcc.conf").is_file():
        problems.append("missing conf/model.conf")
    if not (has("graph/HCLG.fst") or (has("graph/HCLr.fst") and has("graph/Gr.fst"))):
        problems.append("missing graph/HCLG.fst or graph/HCLr.fst + graph/Gr.fst (decoding graph)")
    return problems


def supports_grammar(model_dir: Path) -> bool:
    """True when the model has a run-time graph, so phrase lists (grammars) work."""
    d = Path(model_dir)
    return any((d / p).is_file() for p in ("graph/Gr.fst", "Gr.fst")) and \
        any((d / p).is_file() for p in ("graph/HCLr.fst", "HCLr.fst"))


def load_model(model_dir: str | Path):
    """Load (once per process, then shared) the ``vosk.Model`` in ``model_dir``.

    Raises:
        ModelMissingError(code="asr-model-invalid"): the folder is not a vosk model.
    """
    model_dir = Path(model_dir).resolve()
    key = str(model_dir)
    with _model_lock:
        m = _models.get(key)
        if m is not None:
            return m
        problems = check_model_dir(model_dir)
        if problems:
            raise ModelMissingError("asr-model-invalid",
                                    f"{model_dir} is not a usable vosk model: {'; '.join(problems)}.",
                                    "Install one with `livehost models install small-cn` (or "
                                    "`livehost models install --from FILE.zip`).")
        vosk = _vosk()
        try:
            m = vosk.Model(str(model_dir))
        except Exception as exc:  # vosk raises a bare Exception("Failed to create a model")
            raise ModelMissingError("asr-model-invalid", f"vosk could not load the model in {model_dir}: {exc}",
                                    "Reinstall the model with `livehost models install NAME`.") from exc
        _models[key] = m
        return m


def vocabulary_phrases(model, phrases: list[str], *, max_word_chars: int = 6) -> list[str]:
    """Turn phrases into vosk grammar entries made only of words the model's lexicon has.

    Latin phrases are lower-cased and split on spaces; every word must be in the lexicon.
    CJK runs are split into lexicon words by greedy longest match (at most ``max_word_chars``
    characters per word), because vosk's Chinese lexicon is word-segmented. A phrase with any
    word the model does not know is dropped (vosk would silently ignore that word and
    recognise something else). Duplicates are removed, order kept.

    Args:
        model: a loaded ``vosk.Model`` (uses ``vosk_model_find_word``).
        phrases: e.g. ``["下一个商品", "next product"]``.

    Returns:
        space-separated phrases, e.g. ``["下 一个 商品", "next product"]``.
    """
    from app.recognition.text import has_cjk

    def known(w: str) -> bool:
        return model.vosk_model_find_word(w) >= 0

    out: list[str] = []
    seen = set()
    for phrase in phrases:
        words: list[str] = []
        ok = True
        for token in phrase.split():
            if not has_cjk(token):
                w = token.lower()
                if not known(w):
                    ok = False
                    break
                words.append(w)
                continue
            i = 0
            while i < len(token):
                for n in range(min(max_word_chars, len(token) - i), 0, -1):
                    if known(token[i:i + n]):
                        words.append(token[i:i + n])
                        i += n
                        break
                else:
                    ok = False
                    break
            if not ok:
                break
        if ok and words:
            s = " ".join(words)
            if s not in seen:
                seen.add(s)
                out.append(s)
    return out


class Endpointer:
    """Energy-based end-of-speech detector on int16 mono audio (``sample_rate`` Hz), 20 ms frames.

    A frame is speech when its level (dBFS) is at least ``margin_db`` above the noise floor and
    above ``min_db``. The noise floor is the quietest frame of the last ``floor_window_s``
    seconds (a sliding minimum: it follows the room's noise within that window, and pauses
    between words keep it down during speech). After speech, ``silence_s`` of non-speech
    frames is an end of utterance.
    """

    def __init__(self, silence_s: float = 0.25, *, sample_rate: int = TARGET_RATE, margin_db: float = 10.0,
                 min_db: float = -55.0, floor_window_s: float = 3.0) -> None:
        from collections import deque

        self.FRAME = max(1, int(sample_rate) // 50)  # samples per 20 ms
        self.silence_frames = max(1, int(math.ceil(silence_s / 0.02)))
        self.margin_db = margin_db
        self.min_db = min_db
        self.window = max(1, int(floor_window_s / 0.02))
        self._mins: deque = deque()  # (frame index, level) with increasing levels: sliding minimum
        self._frame_no = 0
        self.floor_db = -90.0
        self.in_speech = False
        self.quiet = 0
        self._rest = np.zeros(0, dtype=np.int16)

    def reset(self) -> None:
        """Forget the utterance in progress (the noise floor is kept)."""
        self.in_speech = False
        self.quiet = 0

    def _floor(self, level: float) -> float:
        q = self._mins
        while q and q[-1][1] >= level:
            q.pop()
        q.append((self._frame_no, level))
        while q[0][0] <= self._frame_no - self.window:
            q.popleft()
        self._frame_no += 1
        return q[0][1]

    def split(self, pcm: np.ndarray) -> list[tuple[np.ndarray, bool]]:
        """Cut ``pcm`` into consecutive pieces covering it exactly once; a piece flagged
        ``True`` ends where ``silence_s`` of silence after speech was reached."""
        carried = len(self._rest)
        buf = np.concatenate([self._rest, pcm]) if carried else pcm
        n_frames = len(buf) // self.FRAME
        pieces: list[tuple[np.ndarray, bool]] = []
        start = 0  # in pcm coordinates
        if n_frames:
            frames = buf[: n_frames * self.FRAME].astype(np.float32).reshape(n_frames, self.FRAME)
            db = 10.0 * np.log10(np.mean(frames * frames, axis=1) / (32768.0 ** 2) + 1e-12)
            for i, level in enumerate(db.tolist()):
                self.floor_db = self._floor(level)
                if level > max(self.floor_db + self.margin_db, self.min_db):
                    self.in_speech = True
                    self.quiet = 0
                elif self.in_speech:
                    self.quiet += 1
                    if self.quiet >= self.silence_frames:
                        cut = (i + 1) * self.FRAME - carried  # > 0: a frame is longer than the carry
                        pieces.append((pcm[start:cut], True))
                        start = cut
                        self.in_speech = False
                        self.quiet = 0
        self._rest = buf[n_frames * self.FRAME:].copy()  # analysed next time; already handed out
        if start < len(pcm):
            pieces.append((pcm[start:], False))
        return pieces


class VoskRecognizer:
    """Streaming recognizer over one vosk model (see the module docstring).

    Args:
        model_dir: vosk model folder (see :func:`check_model_dir`).
        sample_rate: Hz of the audio passed to :meth:`accept`; must be what the audio really is
            (captures deliver :data:`~app.capture.convert.TARGET_RATE`).
        grammar: phrases to restrict recognition to (needs a run-time-graph model; ignored with
            a warning otherwise). ``None`` = free recognition.
        recycle_after_s: replace the decoder at the first utterance boundary after this many
            seconds of audio (bounds memory); ``None`` = never.
        endpoint_silence_s: end an utterance after this much silence; ``None`` = only vosk's
            own endpoint rules.
        keep_utterance_audio_s: keep up to this many seconds of the current utterance's audio
            (``last_utterance_audio``) for a second, phrase-list pass; 0 = keep none.

    All methods must be called from one thread (the pipeline's ``vosk`` executor).

    Raises:
        ModelMissingError: the model cannot be loaded.
    """

    def __init__(self, model_dir: str | Path, *, sample_rate: int = TARGET_RATE,
                 grammar: list[str] | None = None, recycle_after_s: float | None = 60.0,
                 endpoint_silence_s: float | None = 0.25, keep_utterance_audio_s: float = 0.0) -> None:
        self.model_dir = Path(model_dir)
        self.model = load_model(self.model_dir)
        self.sample_rate = int(sample_rate)
        self.grammar_json: str | None = None
        if grammar is not None:
            if supports_grammar(self.model_dir):
                self.grammar_json = json.dumps(list(grammar), ensure_ascii=False)
            else:
                log.warning("model %s has a static graph: phrase list ignored", self.model_dir.name)
        self.recycle_after_s = recycle_after_s
        self.endpointer = Endpointer(endpoint_silence_s, sample_rate=self.sample_rate) if endpoint_silence_s else None
        self.keep_samples = int(keep_utterance_audio_s * self.sample_rate)
        self.recycles = 0
        """How many times the decoder was replaced."""
        self._recycle_due = False
        self._held: list[tuple[np.ndarray, bool]] = []
        self._fed = 0  # samples fed since the stream started
        self._rec = None
        self._rec_start = 0  # stream sample at which the current decoder started
        self._last_partial = ""
        self._utt: list[np.ndarray] = []
        self._utt_len = 0
        self.last_utterance_audio = np.zeros(0, dtype=np.int16)
        """int16 audio of the last finished utterance (up to ``keep_utterance_audio_s``)."""
        self._new_decoder()

    # ------------------------------------------------------------------ decoder lifecycle
    def _new_decoder(self) -> None:
        vosk = _vosk()
        if self.grammar_json is not None:
            rec = vosk.KaldiRecognizer(self.model, float(self.sample_rate), self.grammar_json)
        else:
            rec = vosk.KaldiRecognizer(self.model, float(self.sample_rate))
        rec.SetWords(True)
        self._rec = rec
        self._rec_start = self._fed

    def reset(self) -> None:
        """Discard the utterance in progress (used when the host's own voice starts)."""
        self._rec.Reset()
        self._held = []
        self._last_partial = ""
        self._utt, self._utt_len = [], 0
        if self.endpointer is not None:
            self.endpointer.reset()
        self._maybe_recycle()

    def _maybe_recycle(self, force: bool = False) -> None:
        """Mark the decoder for replacement when it is old enough; the replacement itself
        (~0.1-0.2 s) happens at the start of the next :meth:`accept`, so it never delays the
        final result that ended the utterance."""
        if self.recycle_after_s is None:
            return
        if (self._fed - self._rec_start) / self.sample_rate >= self.recycle_after_s:
            self._recycle_due = True

    def _recycle_if_due(self) -> None:
        if self._recycle_due:
            self._recycle_due = False
            self._rec = None
            self._new_decoder()
            self.recycles += 1

    # ------------------------------------------------------------------ results
    def _parse_final(self, js: str) -> Transcript | None:
        d = json.loads(js)
        raw = d.get("text", "")
        off = self._rec_start / self.sample_rate
        words = tuple(Word(w["word"], round(w["start"] + off, 3), round(w["end"] + off, 3),
                           float(w.get("conf", 1.0)))
                      for w in d.get("result", []) if w.get("word") != "[unk]")
        text = clean_transcript(raw)
        self._last_partial = ""
        keep = self._utt
        self._utt, self._utt_len = [], 0
        if self.keep_samples and keep:
            self.last_utterance_audio = np.concatenate(keep)[-self.keep_samples:]
        self._maybe_recycle()
        if not text:
            return None
        return Transcript(text=text, final=True, raw=raw, words=words, end_s=self._fed / self.sample_rate)

    def _feed(self, pcm: np.ndarray, out: list[Transcript]) -> None:
        if not len(pcm):
            return
        if self.keep_samples:
            self._utt.append(pcm)
            self._utt_len += len(pcm)
            while self._utt_len - len(self._utt[0]) > self.keep_samples and len(self._utt) > 1:
                self._utt_len -= len(self._utt.pop(0))
        self._fed += len(pcm)
        if self._rec.AcceptWaveform(np.ascontiguousarray(pcm, dtype=np.int16).tobytes()):
            t = self._parse_final(self._rec.Result())
            if t is not None:
                out.append(t)
            return
        raw = json.loads(self._rec.PartialResult()).get("partial", "")
        text = clean_transcript(raw)
        if text and text != self._last_partial:
            self._last_partial = text
            out.append(Transcript(text=text, final=False, raw=raw, end_s=self._fed / self.sample_rate))

    def accept(self, pcm: np.ndarray) -> list[Transcript]:
        """Feed int16 mono samples (shape ``(n,)``) at ``sample_rate``.

        Returns the new results in order: changed non-empty partials and final results.

        Raises:
            TypeError: the samples are not int16 (float bytes would decode as noise).
        """
        pcm = np.asarray(pcm)
        if pcm.dtype != np.int16:
            raise TypeError(f"recognizer expects int16 PCM, got {pcm.dtype}")
        out: list[Transcript] = []
        self._recycle_if_due()
        pieces = self._held + (self.endpointer.split(pcm) if self.endpointer is not None else [(pcm, False)])
        self._held = []
        for i, (piece, ended) in enumerate(pieces):
            self._feed(piece, out)
            if ended and self._last_partial:
                t = self._parse_final(self._rec.FinalResult())
                if t is not None:
                    out.append(t)
            if self._recycle_due and out and out[-1].final:
                # hold the rest of this block for the fresh decoder: the final goes out now
                self._held = pieces[i + 1:]
                break
        return out

    def finish(self) -> Transcript | None:
        """End of stream: the final result of the utterance in progress (``None`` if empty)."""
        out: list[Transcript] = []
        if self._held:
            self._recycle_if_due()
            for piece, _ in self._held:
                self._feed(piece, out)
            self._held = []
        last = self._parse_final(self._rec.FinalResult())
        finals = [t for t in out if t.final] + ([last] if last is not None else [])
        if len(finals) > 1:  # vosk ended an utterance inside the held audio: keep the texts together
            return Transcript(text=" ".join(t.text for t in finals), final=True,
                              raw=" ".join(t.raw for t in finals),
                              words=tuple(w for t in finals for w in t.words), end_s=finals[-1].end_s)
        return finals[0] if finals else None
