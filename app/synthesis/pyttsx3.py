"""Text-to-speech to WAV files with pyttsx3 (eSpeak NG on Linux, SAPI5 on Windows, NSSS on macOS).

pyttsx3 engines are thread-affine and fragile, so :class:`Pyttsx3Synthesizer` creates, uses and
stops its engine on ONE dedicated thread (``pyttsx3-engine``) for the engine's whole life; every
other thread talks to it through a queue and waits on a future with a timeout.

Faults this module works around (pyttsx3 2.99, eSpeak NG 1.51, checked on this machine):

* **runAndWait returns before the WAV exists** (pyttsx3 issue #219 "Espeak returns early"): the
  espeak driver initialises eSpeak in ``AUDIO_OUTPUT_RETRIEVAL`` mode, which is asynchronous;
  the queued ``endLoop`` command runs before synthesis starts, so ``runAndWait`` returns after
  one 10 ms sleep while eSpeak's own thread is still synthesising. Short sentences happen to be
  finished by then; a 40-character sentence is not (its file appeared ~35 ms later), and a long
  text's file was later written under the *next* job's file name. We therefore wait for the
  driver's ``finished-utterance`` notification (sent after the file is written) and for eSpeak
  to go idle before a job counts as done, and never start the next job before that.
* The driver writes the WAV from inside a ctypes callback; if that raises (directory missing)
  the error is swallowed and ``finished-utterance`` never comes. Jobs write to a temp file in an
  existing directory and are bounded by a timeout.
* eSpeak keeps one process-wide synthesis callback: a second driver instance silently steals it
  and the first one's jobs never finish. The callback of the engine in use is re-registered
  before each job, and jobs of all synthesizers in the process are serialised by a lock.
* The driver ``print``s "Audio saved to ..." on stdout for every file; that line is routed to
  ``logging`` (debug) instead.
* The WAV header sample rate is hard-coded to 22050 Hz by the driver; it is checked against
  ``espeak_ng_GetSampleRate()`` and the header rewritten if they differ (mbrola voices run at
  16 kHz; pyttsx3 issue #220).
* **"Chinese read as English letters"**: eSpeak NG 1.51's ``cmn`` voice ("latin as English")
  turns 汉字 into pinyin with tone digits and then reads that pinyin with English rules
  ("你好" -> "ni three hao three"; eSpeak NG issues #1028, #1370). Every Mandarin candidate is
  verified at :meth:`start` by translating "你好" to phonemes with the chosen voice: a real
  Mandarin reading has Chao tone numbers (``n'i214_| X'Au214``) and no switch to another
  language (``(en)``). On 1.51 this picks ``cmn-latn-pinyin``.
* SAPI5 raises on text starting with ``<`` (it parses it as XML): all text goes through
  :func:`app.synthesis.speech_text.normalize_for_speech`, which removes every ``<``.
* The documented pyttsx3 faults "a second runAndWait never returns" and "run loop already
  started" after a ``stop()`` come from calling the engine from several threads or reusing a
  half-stopped loop; neither can happen here (one thread, ``stop()`` only at close), and a job
  that does not finish in time gets a fresh engine thread once.
"""

from __future__ import annotations

import atexit
import concurrent.futures
import contextlib
import logging
import os
import queue
import re
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.errors import SpeechError
from app.synthesis.speech_text import normalize_for_speech, speech_language

__all__ = ["Pyttsx3Synthesizer", "SynthesisResult", "VoiceInfo", "reads_as_mandarin",
           "voice_rank"]

log = logging.getLogger(__name__)

#: Serialises engine jobs of every synthesizer in the process (eSpeak is a process singleton).
_PROCESS_ENGINE_LOCK = threading.Lock()
#: Closed engines, kept alive on purpose (see ``_EngineThread._close_engine``).
_RETIRED_ENGINES: list[Any] = []


def _release_retired_engines() -> None:
    """At interpreter exit, let retired engines go while every module is still alive (pyttsx3's
    ``DriverProxy.__del__`` fails noisily once ``contextlib`` has been torn down)."""
    gc_engines = list(_RETIRED_ENGINES)
    _RETIRED_ENGINES.clear()
    del gc_engines


atexit.register(_release_retired_engines)

_INSTALL_HINT = {
    "zh": ("install a Mandarin voice: on Linux `sudo apt install espeak-ng` (voice "
           "cmn-latn-pinyin); on Windows add 'Chinese (Simplified)' under Settings > Time & "
           "Language > Speech; on macOS add a Chinese voice in System Settings > Accessibility"
           " > Spoken Content"),
    "en": ("install an English voice: on Linux `sudo apt install espeak-ng`; on Windows / "
           "macOS add an English voice in the system speech settings"),
}
_DEFAULT_HINT = "install espeak-ng (`sudo apt install espeak-ng`) or a system voice for {lang}"

# SAPI5 reports a Windows LCID (hex) as the voice language.
_LCID = {"804": "zh-cn", "404": "zh-tw", "c04": "zh-hk", "1004": "zh-sg", "1404": "zh-mo",
         "409": "en-us", "809": "en-gb", "c09": "en-au", "1009": "en-ca", "4009": "en-in"}
_NOT_MANDARIN = {"yue", "cantonese", "hak", "hakka", "nan", "minnan", "wuu", "hsn", "gan"}


@dataclass(frozen=True, slots=True)
class SynthesisResult:
    """A synthesised reply."""

    path: Path
    """The WAV file written (mono, 16-bit PCM)."""
    duration_s: float
    """Audio duration in seconds (frames / sample rate, read back with soundfile)."""
    sample_rate: int
    """Sample rate of the file in Hz (22050 for eSpeak NG's own voices)."""
    voice_id: str
    """Engine voice id used (e.g. ``sit/cmn-latn-pinyin``)."""


@dataclass(frozen=True, slots=True)
class VoiceInfo:
    """A voice the engine offers, with its languages normalised to lower-case tags."""

    id: str
    name: str
    languages: tuple[str, ...]


# ----------------------------------------------------------------------------- voice choice


def _tokens(*parts: str) -> set[str]:
    return {t for p in parts for t in re.split(r"[^a-z0-9]+", p.lower()) if t}


def _normalise_language(raw: Any) -> str:
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "ignore")
    tag = "".join(ch for ch in str(raw) if ch >= " ").strip().lower().replace("_", "-")
    return _LCID.get(tag, tag)


def _voice_info(voice: Any) -> VoiceInfo:
    langs = getattr(voice, "languages", None) or []
    if isinstance(langs, (str, bytes)):
        langs = [langs]
    return VoiceInfo(id=str(voice.id), name=str(getattr(voice, "name", "") or ""),
                     languages=tuple(t for t in (_normalise_language(x) for x in langs) if t))


def _code_matches(code: str, lang: str) -> bool:
    parts = set(code.split("-"))
    if lang == "zh":
        return (code.startswith(("zh", "cmn"))) and not (parts & _NOT_MANDARIN)
    return code == lang or code.startswith(lang + "-")


def voice_rank(voice: VoiceInfo, lang: str) -> tuple[int, int] | None:
    """How well ``voice`` fits ``lang`` (``"zh"``, ``"en"`` or another tag); lower is better,
    ``None`` when it does not fit at all.

    The first number says what matched: 0 = the voice's language code, 1 = only its id or
    name (pyttsx3 versions and eSpeak NG releases disagree on ids and on whether languages
    are filled in). The second orders variants: for ``zh`` mainland Mandarin before
    Taiwan/Hong Kong, for ``en`` US before US regional before generic before British before other English.
    Cantonese, Hakka, Min Nan ... never match ``zh``.
    """
    lang = speech_language(lang)
    codes = [c for c in voice.languages if _code_matches(c, lang)]
    toks = _tokens(voice.id, voice.name)
    if lang == "zh":
        if toks & _NOT_MANDARIN or any(set(c.split("-")) & _NOT_MANDARIN
                                       for c in voice.languages):
            return None
        variant = 1 if toks & {"tw", "hk", "taiwan", "hongkong", "traditional"} or any(
            c.startswith(("zh-tw", "zh-hk", "zh-mo")) for c in codes) else 0
        if codes:
            return (0, variant)
        if toks & {"zh", "cmn", "mandarin", "chinese"}:
            return (1, variant)
        return None
    if lang == "en":
        def en_variant(tags: Sequence[str]) -> int:
            if "en-us" in tags:
                return 0
            if any(t.startswith("en-us") for t in tags):  # en-us-nyc ...
                return 1
            if "en" in tags:
                return 2
            if any(t.startswith(("en-gb", "en-uk")) for t in tags):
                return 3
            return 4
        if codes:
            return (0, en_variant(codes))
        if toks & {"en", "english"}:
            tags = ["en-us"] if toks & {"us", "america", "american"} else ["en"]
            return (1, en_variant(tags))
        return None
    if codes:
        return (0, 0)
    if lang in toks:
        return (1, 0)
    return None


def reads_as_mandarin(phonemes: str) -> bool:
    """True when eSpeak phonemes for a Chinese probe text are a Mandarin reading.

    A Mandarin reading carries Chao tone numbers after the syllables (``n'i214_| X'Au214_|``
    for 你好); a broken voice switches to another language, which eSpeak marks with
    ``(en)``, or spells the characters ("Chinese letter" = ``tS'aIni:zl,Et``).
    """
    return "(" not in phonemes and re.search(r"[1-5]{2,3}", phonemes) is not None


# ----------------------------------------------------------------------------- eSpeak hooks


def _quiet_print(*args: Any, **_kw: Any) -> None:
    log.debug("pyttsx3: %s", " ".join(str(a) for a in args))


class _Espeak:
    """The few eSpeak NG library calls pyttsx3 does not expose (only with the espeak driver)."""

    def __init__(self, engine: Any) -> None:
        import ctypes

        from pyttsx3.drivers import _espeak  # the library pyttsx3 already loaded

        self._ctypes = ctypes
        self.lib = _espeak
        self.driver = engine.proxy._driver
        module = sys.modules.get(type(self.driver).__module__)
        if module is not None:
            module.print = _quiet_print  # the driver prints "Audio saved to ..." per file
        # pyttsx3's runAndWait() queues endLoop(), which calls driver.stop(); while eSpeak is
        # still synthesising (the espeak driver is asynchronous) that cancels the utterance
        # ("finished-utterance" with completed=False). We only ever write files, never play
        # through pyttsx3, so nothing needs that cancel: make stop() a no-op on this driver.
        self.driver.stop = lambda: None
        fn = _espeak.dll.espeak_TextToPhonemes
        fn.restype = ctypes.c_char_p
        fn.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_int, ctypes.c_int]
        self._to_phonemes = fn
        rate = getattr(_espeak.dll, "espeak_ng_GetSampleRate", None)
        if rate is not None:
            rate.restype = ctypes.c_int
        self._sample_rate = rate

    def claim_callback(self) -> None:
        """Make eSpeak's process-wide synthesis callback point at our driver again."""
        self.lib.SetSynthCallback(self.driver._onSynth)

    def phonemes(self, voice_id: str, text: str) -> str:
        """eSpeak phoneme mnemonics for ``text`` read with ``voice_id``."""
        ct = self._ctypes
        if self.lib.SetVoiceByName(voice_id.encode("utf-8")) != 0:
            return ""
        buf = ct.create_string_buffer(text.encode("utf-8"))
        ptr = ct.c_void_p(ct.addressof(buf))
        parts = []
        while ptr.value:
            out = self._to_phonemes(ct.byref(ptr), self.lib.CHARS_UTF8, 0)
            if out is None:
                break
            parts.append(out.decode("utf-8", "replace"))
        return " ".join(parts)

    def wait_idle(self, deadline: float) -> bool:
        while self.lib.IsPlaying():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.002)
        return True

    def sample_rate(self) -> int | None:
        return int(self._sample_rate()) if self._sample_rate is not None else None


# ----------------------------------------------------------------------------- engine thread


@dataclass(frozen=True, slots=True)
class _Job:
    text: str
    voice_id: str
    path: Path
    timeout_s: float


class _EngineThread:
    """One pyttsx3 engine living on one thread. Jobs arrive on a queue; results go back
    through futures."""

    def __init__(self, *, factory: Callable[[], Any], languages: Sequence[str],
                 voice_overrides: Mapping[str, str], rate: int | None, volume: float | None,
                 generation: int) -> None:
        self._factory = factory
        self._languages = list(languages)
        self._overrides = dict(voice_overrides)
        self._rate = rate
        self._volume = volume
        self._jobs: queue.Queue[tuple[Any, concurrent.futures.Future[Any]] | None] = queue.Queue()
        self.ready: concurrent.futures.Future[dict[str, VoiceInfo]] = concurrent.futures.Future()
        self.voices_available: list[VoiceInfo] = []
        self.problems: list[SpeechError] = []
        """Configured voices that could not be used (another voice was chosen instead)."""
        self._finished = threading.Event()
        self._finished_ok = False
        self._engine: Any = None
        self._espeak: _Espeak | None = None
        self._current: tuple[str, int | None, float | None] | None = None
        self.thread = threading.Thread(target=self._run, name=f"pyttsx3-engine-{generation}",
                                       daemon=True)
        self.thread.start()

    # -- called from other threads
    def submit(self, item: Any) -> concurrent.futures.Future[Any]:
        fut: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self._jobs.put((item, fut))
        return fut

    def stop(self, wait_s: float) -> None:
        self._jobs.put(None)
        if threading.current_thread() is not self.thread:
            self.thread.join(wait_s)

    # -- engine thread
    def _run(self) -> None:
        try:
            chosen = self._open()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller of start()
            self.ready.set_exception(exc)
            self._close_engine()
            return
        self.ready.set_result(chosen)
        while True:
            item = self._jobs.get()
            if item is None:
                break
            job, fut = item
            if not fut.set_running_or_notify_cancel():
                continue
            try:
                fut.set_result(self._handle(job))
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting caller
                fut.set_exception(exc)
        self._close_engine()

    def _open(self) -> dict[str, VoiceInfo]:
        try:
            engine = self._factory()
        except ImportError as exc:
            raise SpeechError("tts-no-engine", f"The speech package is missing: {exc}",
                              "install it with `pip install pyttsx3`") from exc
        except Exception as exc:
            raise SpeechError("tts-no-engine", f"The speech engine could not start: {exc}",
                              "install espeak-ng (`sudo apt install espeak-ng`) on Linux") from exc
        self._engine = engine
        engine.connect("finished-utterance", self._on_finished)
        if getattr(engine, "driver_name", "") == "espeak" or str(engine) == "espeak":
            self._espeak = _Espeak(engine)
        self.voices_available = [_voice_info(v) for v in engine.getProperty("voices")]
        chosen = {lang: self._choose(lang) for lang in self._languages}
        self._current = None  # the probe changed eSpeak's voice
        return chosen

    def _choose(self, lang: str) -> VoiceInfo:
        key = speech_language(lang)
        hint = _INSTALL_HINT.get(key, _DEFAULT_HINT.format(lang=lang))
        ranked = sorted((r, i, v) for i, v in enumerate(self.voices_available)
                        if (r := voice_rank(v, key)) is not None)
        candidates = [v for _r, _i, v in ranked]
        if lang in self._overrides:
            wanted = self._overrides[lang]
            setting = f"speech.voice_{lang}"
            voice = next((v for v in self.voices_available if v.id == wanted), None)
            fitting = ", ".join(v.id for v in candidates[:8]) or "none"
            problem = None
            if voice is None:
                problem = SpeechError("tts-no-voice", f"The {lang} voice '{wanted}' set in {setting} is not "
                                      f"installed; the best installed {lang} voice is used instead.",
                                      f"Choose one of these in {setting} (Voice tab): {fitting}.")
            elif voice_rank(voice, key) is None or (voice.languages and not any(
                    _code_matches(c, key) for c in voice.languages)):
                problem = SpeechError(
                    "tts-wrong-voice",
                    f"The voice '{wanted}' set in {setting} speaks "
                    f"{', '.join(voice.languages) or 'another language'}, not {lang}; the best installed {lang} "
                    "voice is used instead.", f"Choose one of these in {setting} (Voice tab): {fitting}.")
            if problem is None:
                candidates = [voice]
            else:
                log.warning("%s", problem)
                self.problems.append(problem)  # told to the seller; the stream goes on with another voice
        if not candidates:
            raise SpeechError("tts-no-voice", f"No text-to-speech voice for language '{lang}' "
                              "is installed", hint)
        if key != "zh" or self._espeak is None:
            return candidates[0]
        rejected = []
        for voice in candidates:
            phonemes = self._espeak.phonemes(voice.id, "你好")
            if reads_as_mandarin(phonemes):
                return voice
            rejected.append(f"{voice.id} -> {phonemes!r}")
        raise SpeechError(
            "tts-wrong-voice",
            "The installed Mandarin voices read Chinese characters as English letters/pinyin "
            f"({'; '.join(rejected)})",
            f"{hint} (eSpeak NG 1.51's 'cmn' voice has this fault; 'cmn-latn-pinyin' does not)")

    def _on_finished(self, name: Any = None, completed: bool = True, **_kw: Any) -> None:
        self._finished_ok = bool(completed)
        self._finished.set()

    def _handle(self, job: Any) -> Any:
        if isinstance(job, _Job):
            return self._synthesize(job)
        kind, value = job
        if kind == "rate":
            self._rate = value
        elif kind == "volume":
            self._volume = value
        self._current = None
        return None

    def _apply_voice(self, voice_id: str) -> None:
        state = (voice_id, self._rate, self._volume)
        if state == self._current:
            return
        engine = self._engine
        engine.setProperty("voice", voice_id)
        if self._rate is not None:
            engine.setProperty("rate", int(self._rate))
        if self._volume is not None:
            engine.setProperty("volume", float(self._volume))
        self._current = state

    def _synthesize(self, job: _Job) -> None:
        deadline = time.monotonic() + job.timeout_s
        # eSpeak is one library state per process; other drivers have one engine per object.
        lock = _PROCESS_ENGINE_LOCK if self._espeak is not None else threading.Lock()
        if not lock.acquire(timeout=job.timeout_s):
            raise TimeoutError("another speech job in this process did not finish")
        try:
            if self._espeak is not None:
                self._espeak.claim_callback()
            self._apply_voice(job.voice_id)
            self._finished.clear()
            self._finished_ok = False
            self._engine.save_to_file(job.text, str(job.path))
            self._engine.runAndWait()
            self._wait_done(job, deadline)
        finally:
            lock.release()
        if self._espeak is not None:
            self._fix_sample_rate(job.path)

    def _wait_done(self, job: _Job, deadline: float) -> None:
        if self._espeak is None:
            # SAPI5 / NSSS write the file inside runAndWait; a notification may or may not come.
            while not (job.path.exists() and job.path.stat().st_size > 44):
                if self._finished.wait(0.01) and not self._finished_ok:
                    raise RuntimeError("the speech engine cancelled the utterance")
                if time.monotonic() > deadline:
                    raise TimeoutError("the speech engine did not write the WAV file in time")
            return
        if not self._finished.wait(max(0.0, deadline - time.monotonic())):
            with contextlib.suppress(Exception):
                self._espeak.lib.Cancel()
            raise TimeoutError("eSpeak did not finish the utterance in time")
        if not self._finished_ok:
            raise RuntimeError("eSpeak cancelled the utterance")
        if not self._espeak.wait_idle(deadline):
            raise TimeoutError("eSpeak did not go idle after the utterance")

    def _fix_sample_rate(self, path: Path) -> None:
        import soundfile as sf

        actual = self._espeak.sample_rate() if self._espeak is not None else None
        if not actual or not path.exists():
            return
        info = sf.info(str(path))
        if info.samplerate != actual:
            data, _ = sf.read(str(path), dtype="int16")
            sf.write(str(path), data, actual, subtype="PCM_16")

    def _close_engine(self) -> None:
        engine, self._engine = self._engine, None
        self._espeak = None
        if engine is None:
            return
        got = _PROCESS_ENGINE_LOCK.acquire(timeout=5.0)
        try:
            with contextlib.suppress(Exception):
                engine.stop()
            with contextlib.suppress(Exception):
                engine.disconnect({"topic": "finished-utterance", "cb": self._on_finished})
            # Freeing a pyttsx3 espeak engine runs DriverProxy.__del__, which clears eSpeak's
            # process-wide synth callback -- at whatever moment the garbage collector picks,
            # possibly in the middle of another engine's job. Retired engines are therefore
            # kept (a few kB each; one per close/restart).
            _RETIRED_ENGINES.append(engine)
        finally:
            if got:
                _PROCESS_ENGINE_LOCK.release()


# ----------------------------------------------------------------------------- public class


class Pyttsx3Synthesizer:
    """Speak text into WAV files with the system's pyttsx3 voices.

    Args:
        languages: languages that must have a voice (``"zh"``, ``"en"`` or other tags);
            :meth:`start` fails when one is missing.
        voices: optional ``{language: voice id}`` chosen in the settings; a voice that does not
            speak that language is refused.
        rate: speaking rate in words per minute (eSpeak: syllables for Mandarin); ``None``
            keeps the engine default (pyttsx3 sets 200).
        volume: 0.0 - 1.0; ``None`` keeps the engine default (1.0).
        driver: pyttsx3 driver name (``espeak``, ``sapi5``, ``nsss``); ``None`` = platform
            default.
        timeout_s: longest a single synthesis may take, in seconds.
        engine_factory: builds the engine on the engine thread; defaults to
            ``pyttsx3.Engine(driver)`` (a fresh engine, never pyttsx3's shared cached one).

    Thread-safe: any thread may call :meth:`synthesize`; jobs run one at a time on the engine
    thread.
    """

    def __init__(self, languages: Sequence[str] = ("zh", "en"), *,
                 voices: Mapping[str, str] | None = None, rate: int | None = None,
                 volume: float | None = None, driver: str | None = None,
                 timeout_s: float = 20.0,
                 engine_factory: Callable[[], Any] | None = None) -> None:
        self._languages = list(dict.fromkeys(languages))
        self._overrides = dict(voices or {})
        self._rate = rate
        self._volume = volume
        self._driver = driver
        self._timeout_s = float(timeout_s)
        self._factory = engine_factory or self._default_factory
        self._worker: _EngineThread | None = None
        self._voices: dict[str, VoiceInfo] = {}
        self._lock = threading.Lock()
        self._generation = 0
        self.restarts = 0
        """How many times the engine thread was replaced after a failure."""

    def _default_factory(self) -> Any:
        import pyttsx3

        return pyttsx3.Engine(self._driver)

    # -- lifecycle
    def start(self) -> None:
        """Start the engine thread, create the engine there and choose a voice per language.

        Raises:
            SpeechError: ``tts-no-engine`` (pyttsx3/eSpeak cannot start), ``tts-no-voice`` (no
                voice for a required language; the hint names what to install),
                ``tts-wrong-voice`` (the configured voice, or every Mandarin voice, does not
                actually read Chinese).
        """
        with self._lock:
            if self._worker is not None:
                return
            self._worker, self._voices = self._spawn()
        # Import cn2an now rather than inside the first Chinese reply (~100 ms).
        for lang in self._voices:
            normalize_for_speech("1", lang)

    def _spawn(self) -> tuple[_EngineThread, dict[str, VoiceInfo]]:
        self._generation += 1
        worker = _EngineThread(factory=self._factory, languages=self._languages,
                               voice_overrides=self._overrides, rate=self._rate,
                               volume=self._volume, generation=self._generation)
        try:
            voices = worker.ready.result(timeout=self._timeout_s)
        except concurrent.futures.TimeoutError as exc:
            worker.stop(0)
            raise SpeechError("tts-no-engine", "The speech engine did not start in time",
                              "check that espeak-ng works: `espeak-ng --voices`") from exc
        return worker, voices

    def close(self) -> None:
        """Stop the engine thread (waits up to 5 s). The synthesizer can be started again."""
        with self._lock:
            worker, self._worker = self._worker, None
        if worker is not None:
            worker.stop(5.0)

    def __enter__(self) -> Pyttsx3Synthesizer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- properties
    @property
    def voices(self) -> dict[str, VoiceInfo]:
        """The voice chosen for each language (empty before :meth:`start`)."""
        return dict(self._voices)

    @property
    def problems(self) -> list[SpeechError]:
        """Configured voices that could not be used at :meth:`start` (another voice was chosen)."""
        worker = self._worker
        return list(worker.problems) if worker is not None else []

    @property
    def available_voices(self) -> list[VoiceInfo]:
        """Every voice the engine reported at :meth:`start`."""
        worker = self._worker
        return list(worker.voices_available) if worker is not None else []

    def set_rate(self, words_per_minute: int) -> None:
        """Set the speaking rate (words per minute) for the following syntheses."""
        self._rate = int(words_per_minute)
        self._control("rate", self._rate)

    def set_volume(self, volume: float) -> None:
        """Set the volume, 0.0 - 1.0, for the following syntheses.

        Raises:
            ValueError: volume outside 0.0 - 1.0.
        """
        if not 0.0 <= volume <= 1.0:
            raise ValueError(f"volume must be within 0.0 and 1.0, got {volume}")
        self._volume = float(volume)
        self._control("volume", self._volume)

    def _control(self, kind: str, value: Any) -> None:
        worker = self._worker
        if worker is not None:
            worker.submit((kind, value)).result(timeout=self._timeout_s)

    # -- synthesis
    def synthesize(self, text: str, lang: str, path: Path) -> SynthesisResult:
        """Speak ``text`` in ``lang`` into the WAV file ``path`` (blocking).

        The text is first passed through :func:`normalize_for_speech`. The file is written
        to a temporary name next to ``path`` and renamed when complete, so ``path`` never holds
        a partial file. Parent directories are created.

        Returns:
            :class:`SynthesisResult` (duration in seconds, sample rate in Hz).

        Raises:
            SpeechError: ``tts-not-started`` (call :meth:`start` first), ``tts-no-voice``
                (``lang`` was not among the languages given at construction),
                ``tts-empty-text`` (nothing speakable after normalisation), ``tts-failed``
                (the engine failed or timed out twice; the engine thread was restarted once
                in between).
        """
        worker = self._worker
        if worker is None:
            raise SpeechError("tts-not-started", "The speech engine is not running",
                              "start the synthesizer before speaking")
        voice = self._voices.get(lang) or self._voices.get(speech_language(lang))
        if voice is None:
            raise SpeechError("tts-no-voice", f"No voice was prepared for language '{lang}'",
                              f"add '{lang}' to the synthesizer languages")
        spoken = normalize_for_speech(text, lang)
        if not spoken:
            raise SpeechError("tts-empty-text", "The reply has nothing that can be spoken",
                              "write the reply with words, not only emoji or symbols")
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        timeout = self._timeout_s + 0.05 * len(spoken)
        errors: list[str] = []
        for attempt in range(2):
            tmp = path.with_name(f".{path.stem}.{uuid.uuid4().hex[:8]}.part.wav")
            try:
                fut = worker.submit(_Job(spoken, voice.id, tmp, timeout))
                fut.result(timeout=timeout + 2.0)
                return self._check_output(tmp, path, voice.id)
            except Exception as exc:  # engine crash, timeout, bad file
                errors.append(f"{type(exc).__name__}: {exc}")
                log.warning("speech synthesis failed (attempt %d): %s", attempt + 1, exc)
            finally:
                with contextlib.suppress(OSError):
                    tmp.unlink()
            if attempt == 0:
                try:
                    worker = self._restart(worker)
                except SpeechError as exc:
                    errors.append(f"restart: {exc}")
                    break
        raise SpeechError("tts-failed", f"Speech synthesis failed: {' / '.join(errors)}",
                          "the reply was not spoken; if this repeats, restart LiveHost")

    def _restart(self, failed: _EngineThread) -> _EngineThread:
        with self._lock:
            if self._worker is not failed and self._worker is not None:
                return self._worker  # another caller already restarted it
            failed.stop(0.5)
            self.restarts += 1
            try:
                self._worker, self._voices = self._spawn()
            except SpeechError:
                self._worker = None
                raise
            return self._worker

    @staticmethod
    def _check_output(tmp: Path, path: Path, voice_id: str) -> SynthesisResult:
        import soundfile as sf

        if not tmp.exists() or tmp.stat().st_size <= 44:
            raise RuntimeError(f"the engine wrote no audio to {tmp.name}")
        info = sf.info(str(tmp))
        if info.frames <= 0:
            raise RuntimeError("the engine wrote an empty WAV file")
        os.replace(tmp, path)
        return SynthesisResult(path=path, duration_s=info.frames / info.samplerate,
                               sample_rate=int(info.samplerate), voice_id=voice_id)
