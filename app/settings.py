"""LiveHost settings: one typed, validated object, built once and passed down.

Loaded from ``settings.toml`` in the user config directory (``platformdirs.user_config_dir
("livehost")``, e.g. ``~/.config/livehost/settings.toml`` on Linux,
``%APPDATA%\\livehost\\settings.toml`` on Windows), then overridden by CLI options. Unknown
keys and bad values are rejected with a message naming the key.

Example ``settings.toml``::

    language = "zh"
    [reply]
    auto_approve = ["greeting", "compliment", "gift", "follow", "price", "shipping"]
    [speech]
    rate_wpm = 180
    [sources]
    stall_timeout_s = 60
    bilibili_endpoint = ""   # a relay's URL; empty = Bilibili's own servers
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from app.errors import LiveHostError

APP_NAME = "livehost"

AUTO_APPROVE_DEFAULT = ("greeting", "compliment", "gift", "follow", "price", "stock", "shipping",
                        "after_sales", "size_fit", "product_detail", "discount", "purchase_intent",
                        "recommendation_request", "chitchat")
"""Reply kinds let through without the seller by default. Complaints are never auto-approved."""


def _user_config_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME))


def _user_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME))


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class UnderstandingSettings(_Frozen):
    model_dir: Path | None = None
    """Intent model folder; ``None`` = the model shipped in ``models/intent``."""
    uncertain_threshold: float | None = Field(default=None, ge=0.0, le=1.0)
    """Override of the model's held-out confidence threshold (0..1)."""
    usd_to_cny: Decimal = Field(default=Decimal("7.2"), gt=0)
    """Exchange rate for budgets given in dollars."""
    threads: int = Field(default=1, ge=1, le=64)
    """Torch intra-op threads for classification."""


class ReplySettings(_Frozen):
    auto_approve: tuple[str, ...] = AUTO_APPROVE_DEFAULT
    """Intents (plus ``gift``/``follow``) whose replies are approved without the seller."""
    auto_approve_delay_s: float = Field(default=3.0, ge=0.0, le=60.0)
    """Countdown in the seller console before an auto-approved reply is spoken, seconds
    (the seller can cancel it). Replays approve at once."""
    merge_window_s: float = Field(default=2.0, ge=0.0, le=30.0)
    """Identical questions asked within this many seconds (stream time) share one reply that
    names every asker; 0 = answer each at once."""
    repeat_window_s: float = Field(default=20.0, ge=0.0, le=600.0)
    """For this many seconds after a reply, the same question again is tied to it instead of
    answered anew (0 = off)."""

    @field_validator("auto_approve")
    @classmethod
    def _no_complaints(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        from app.understanding.labels import INTENTS

        allowed = set(INTENTS) | {"gift", "follow"}
        bad = [x for x in v if x not in allowed]
        if bad:
            raise ValueError(f"unknown reply kinds {bad}; allowed: {sorted(allowed)}")
        if "complaint" in v or "spam" in v:
            raise ValueError("complaints and spam are never auto-approved")
        return v


class SpeechSettings(_Frozen):
    rate_wpm: int = Field(default=175, ge=80, le=400)
    """Speaking rate, words per minute (pyttsx3 ``rate``)."""
    volume: float = Field(default=1.0, ge=0.0, le=1.0)
    voice_zh: str = ""
    """Voice id for Chinese; empty = pick automatically."""
    voice_en: str = ""
    """Voice id for English; empty = pick automatically."""
    output_device: str = ""
    """Output device name for playback; empty = system default; none found = files only."""
    min_free_disk_mb: float = Field(default=50.0, ge=0.0, le=100_000.0)
    """Below this much free space (MB) on the audio folder's disk, no reply audio is written
    (the seller is told; speech resumes when there is room)."""


class ModerationSettings(_Frozen):
    """Offensive-language handling (see README "Safety on air")."""

    model_dir: Path | None = None
    """Offensive-language model folder; ``None`` = the model shipped in ``models/moderation``."""
    auto_mute_after: int = Field(default=3, ge=0, le=100)
    """Mute a viewer for the session after this many offensive messages within
    ``auto_mute_window_s``; 0 = never automatically (the seller still can, on the card)."""
    auto_mute_window_s: float = Field(default=600.0, ge=10.0, le=86_400.0)
    """Stream seconds over which a viewer's offensive messages are counted."""
    flag_score: float = Field(default=0.7, ge=0.0, le=1.0)
    """An offensive message is put in front of the seller (a held card, a strike towards the
    automatic mute) when the detector's score reaches this or its lexicon named an abusive term;
    below it the message is only left unanswered (the detector flags some ordinary English chat
    just above its own threshold)."""


class SpeechBudgetSettings(_Frozen):
    """The budgeted speech queue and the aggregation in front of it: the host never needs more
    speech time than stream time. Times are stream seconds."""

    max_share: float = Field(default=0.5, gt=0.0, le=1.0)
    """Most of any ``share_window_s`` the host may spend speaking lines it was not told to say
    (the seller's own lines always go through)."""
    answer_share: float = Field(default=0.6, gt=0.0, le=1.0)
    """... and at most this much for answers to questions and purchase lines (never less than
    ``max_share``): questions matter more than thanks."""
    share_window_s: float = Field(default=60.0, ge=10.0, le=3600.0)
    """The rolling window ``max_share`` is measured over."""
    max_queued: int = Field(default=12, ge=1, le=1000)
    """Most lines waiting to be spoken; beyond it the lowest-priority, oldest one is dropped."""
    answer_max_age_s: float = Field(default=20.0, ge=1.0, le=600.0)
    """An answer to a question not spoken this long after the question is dropped."""
    purchase_max_age_s: float = Field(default=12.0, ge=1.0, le=600.0)
    """A purchase-signal line ("好多宝宝扣1了 ...") older than this is dropped."""
    thanks_max_age_s: float = Field(default=15.0, ge=1.0, le=600.0)
    """A thank-you older than this is withdrawn and its viewers thanked in the next aggregate line."""
    greeting_max_age_s: float = Field(default=8.0, ge=1.0, le=600.0)
    """A greeting, goodbye or compliment reply older than this is dropped."""
    thanks_window_s: float = Field(default=5.0, ge=0.0, le=120.0)
    """Gifts, follows, shares, subscriptions and raids within this window are thanked in one line
    naming up to three viewers and the total (0 = every event at once, still one line each)."""
    welcome_window_s: float = Field(default=20.0, ge=1.0, le=600.0)
    """Viewers entering within this window are welcomed in one line."""
    welcome_entries: bool = True
    """Welcome entering viewers (in batches); False = never."""
    forget_thanks_s: float = Field(default=60.0, ge=10.0, le=3600.0)
    """Viewers whose thank-you kept being merged for this long are no longer thanked."""
    flood_window_s: float = Field(default=10.0, ge=1.0, le=600.0)
    """Repeated tokens (``666``, ``W``, ``1``) and pasted lines are counted per window of this length."""
    copy_min_viewers: int = Field(default=3, ge=2, le=1000)
    """A line sent by this many viewers within the flood window is a flood from then on."""
    purchase_window_s: float = Field(default=30.0, ge=5.0, le=600.0)
    """At most one purchase-signal line per window of this length."""
    purchase_min_signals: int = Field(default=3, ge=1, le=10_000)
    """Purchase signals (``1``, ``扣1``) needed in a window before the host says the aggregate line."""


class HostSettings(_Frozen):
    idle_rotation_s: float = Field(default=0.0, ge=0.0, le=3600.0)
    """When the room is quiet for this many seconds (no comment, nothing said), introduce the
    now-selling product, then the next ones in turn; 0 = off."""
    rotation_generated: bool = False
    """Products without a script (话术) are introduced with an introduction generated from the
    catalog (:mod:`app.content`) -- by the idle rotation and by Introduce; False = they are
    skipped by the rotation and Introduce reports ``introduce-no-script``. Scripts the seller
    wrote or approved always come first."""


class ContentSettings(_Frozen):
    """The built-in introduction and offer-line generator (:mod:`app.content`)."""

    variants: int = Field(default=3, ge=1, le=8)
    """Introductions generated per product and language; they differ in wording and order."""
    min_seconds: float = Field(default=15.0, ge=5.0, le=120.0)
    """Shortest introduction, seconds of speech at ``speech.rate_wpm``."""
    max_seconds: float = Field(default=40.0, ge=10.0, le=180.0)
    """Longest introduction, seconds of speech at ``speech.rate_wpm``."""
    low_stock_units: int = Field(default=20, ge=1, le=100_000)
    """A variant (or a product without variants) with at most this many units left gets a
    stock-running-low offer line (只剩最后20件了)."""

    @model_validator(mode="after")
    def _range(self) -> "ContentSettings":
        if self.min_seconds >= self.max_seconds:
            raise ValueError(f"min_seconds ({self.min_seconds}) must be below max_seconds ({self.max_seconds})")
        return self


class LlmSettings(_Frozen):
    """An optional large language model behind an OpenAI-compatible chat-completions endpoint
    (Ollama, llama.cpp's server, LM Studio, or a hosted service). Off by default; everything it
    writes passes the fact guard, the banned-word check and the offensive-language filter
    before it can be spoken or saved (see :mod:`app.content.check`)."""

    enabled: bool = False
    """Use the model at all (False: only the built-in generator writes)."""
    base_url: str = "http://127.0.0.1:11434/v1"
    """The endpoint's base URL; ``/chat/completions`` is appended (Ollama's default shown;
    llama.cpp's server ``http://127.0.0.1:8080/v1``, LM Studio ``http://127.0.0.1:1234/v1``)."""
    model: str = ""
    """Model name as the server knows it (``qwen2.5:7b-instruct``); empty = the server's default."""
    api_key_in_keyring: bool = False
    """Send the API key stored in the OS keyring (service ``livehost``, user ``llm``) as a bearer
    token; local servers need none."""
    stream: bool = True
    """Ask for a streamed answer (server-sent events); False = one JSON answer."""
    connect_timeout_s: float = Field(default=3.0, gt=0.0, le=60.0)
    """Seconds to open the connection."""
    timeout_s: float = Field(default=20.0, gt=0.0, le=600.0)
    """Longest wait for a whole answer, seconds (an introduction draft); a late answer is dropped."""
    reply_timeout_s: float = Field(default=4.0, gt=0.0, le=60.0)
    """Longest wait for a chit-chat answer or a rephrased reply, seconds (wall clock); a late
    answer is dropped and the original reply (or none) stands."""
    retries: int = Field(default=1, ge=0, le=5)
    """Retries after a failed request (connection refused, 5xx, 429), with a short back-off."""
    max_chars: int = Field(default=600, ge=50, le=20_000)
    """Longest answer read, characters; a longer one is cut off and refused."""
    temperature: float = Field(default=0.7, ge=0.0, le=2.0)
    write_introductions: bool = True
    """The model may write introduction drafts (Products tab, ``livehost script generate --llm``)."""
    style: str = ""
    """How the seller wants introductions to sound (亲切活泼, 专业简洁 ...); empty = natural."""
    rephrase_replies: bool = False
    """The model may reword replies that are counting down to auto-approval (same facts, same
    numbers); if its wording is not back in time or fails a check, the original is spoken."""
    answer_chitchat: bool = False
    """The model may answer chit-chat (闲聊) that gets no reply otherwise."""
    chitchat_gap_s: float = Field(default=10.0, ge=0.0, le=3600.0)
    """At most one small-talk answer per this many seconds of stream time."""

    @field_validator("base_url")
    @classmethod
    def _http(cls, v: str) -> str:
        v = v.strip().rstrip("/")
        if v.split("://", 1)[0].lower() not in ("http", "https") or not v.split("://", 1)[-1]:
            raise ValueError("must be a URL starting with http:// or https://")
        return v


class StorageSettings(_Frozen):
    audio_keep_s: float = Field(default=3600.0, ge=0.0)
    """Reply audio (WAV) is kept for this many seconds of stream time (0 = forever); the audio
    of held or edited replies is always kept (the session report plays it back)."""
    audio_keep_mb: float = Field(default=0.0, ge=0.0)
    """... and at most this many MB of it (0 = no size limit)."""
    min_free_mb: float = Field(default=200.0, ge=0.0)
    """Warn the seller when the data folder's disk has less free space than this, MB."""
    checkpoint_every_s: float = Field(default=300.0, ge=10.0)
    """Seconds (wall clock) between checkpoints of the session database's write-ahead log."""


class RecommendSettings(_Frozen):
    interactions_file: str = ""
    """The shop's order export (CSV, see README "Recommendations") the recommender learns from;
    empty = only what the store has seen."""


class MicrophoneSettings(_Frozen):
    enabled: bool = False
    """Listen to the seller's microphone (captions, voice commands)."""
    device: str = ""
    """Input device name; empty = the system default input."""


class RecognitionSettings(_Frozen):
    model: str = ""
    """Speech-recognition model: an installed model name (``livehost models list``) or a folder;
    empty = the first installed one."""


def _endpoint_url(v: str) -> str:
    v = v.strip()
    if v and v.split("://", 1)[0].lower() not in ("http", "https", "ws", "wss"):
        raise ValueError("must be a URL starting with http://, https://, ws:// or wss://")
    if v and "://" in v and not v.split("://", 1)[1].strip("/"):
        raise ValueError("the URL has no host")
    return v


class SourcesSettings(_Frozen):
    """Live chat sources (``bilibili:``, ``twitch:``, ``youtube:``, ``tiktok:``).

    ``<platform>_endpoint``: a server URL replacing the platform's own (a relay, a test
    server); empty = the platform's. ``http(s)://`` for Bilibili, YouTube and TikTok,
    ``ws(s)://`` for Twitch's IRC WebSocket.
    """

    stall_timeout_s: float = Field(default=60.0, ge=5.0, le=600.0)
    """Seconds without any event or heartbeat reply before a source counts as stalled and
    reconnects."""
    reconnect_first_s: float = Field(default=1.0, gt=0.0, le=4.0)
    """Delay before the first reconnect, seconds (later ones double, with +-25 % jitter)."""
    reconnect_max_s: float = Field(default=60.0, ge=5.0, le=600.0)
    """Longest delay between reconnects, seconds."""
    bilibili_endpoint: str = ""
    twitch_endpoint: str = ""
    youtube_endpoint: str = ""
    tiktok_endpoint: str = ""

    @field_validator("bilibili_endpoint", "twitch_endpoint", "youtube_endpoint", "tiktok_endpoint")
    @classmethod
    def _url(cls, v: str) -> str:
        return _endpoint_url(v)
class IngestSettings(_Frozen):
    """The local ingest endpoint (``ingest:`` source) that the browser bridge and other
    grabbers feed; see :mod:`app.sources.ingest`."""

    port: int = Field(default=17321, ge=1, le=65535)
    """TCP port on 127.0.0.1 (``ingest:PORT`` overrides it); the browser bridge's default."""
    rate_per_s: float = Field(default=500.0, gt=0)
    """Events per second one grabber may send, sustained (token-bucket refill rate)."""
    burst: int = Field(default=1000, ge=1, le=1_000_000)
    """Events one grabber may send at once before the rate applies (token-bucket size);
    at least ``max_batch``."""
    max_message_bytes: int = Field(default=16_384, ge=256, le=1_048_576)
    """Largest WebSocket message (one event) or JSON Lines line, bytes."""
    max_body_bytes: int = Field(default=1_048_576, ge=1024, le=64 * 1_048_576)
    """Largest HTTP POST body, bytes."""
    max_batch: int = Field(default=500, ge=1, le=100_000)
    """Most events in one POST body."""

    @model_validator(mode="after")
    def _burst_fits_batch(self) -> "IngestSettings":
        if self.burst < self.max_batch:
            raise ValueError(f"burst ({self.burst}) must be at least max_batch ({self.max_batch}), "
                             "or a full batch could never be accepted")
        return self


class Settings(_Frozen):
    language: Literal["zh", "en"] = "zh"
    """Language of the seller's UI and of replies when a message has no language of its own."""
    platform: str = "douyin"
    data_dir: Path = Field(default_factory=_user_data_dir)
    """Database, session logs and audio live here."""
    understanding: UnderstandingSettings = UnderstandingSettings()
    reply: ReplySettings = ReplySettings()
    speech: SpeechSettings = SpeechSettings()
    microphone: MicrophoneSettings = MicrophoneSettings()
    recognition: RecognitionSettings = RecognitionSettings()
    host: HostSettings = HostSettings()
    moderation: ModerationSettings = ModerationSettings()
    speech_budget: SpeechBudgetSettings = SpeechBudgetSettings()
    content: ContentSettings = ContentSettings()
    llm: LlmSettings = LlmSettings()
    recommend: RecommendSettings = RecommendSettings()
    storage: StorageSettings = StorageSettings()
    sources: SourcesSettings = SourcesSettings()
    ingest: IngestSettings = IngestSettings()

    @property
    def db_path(self) -> Path:
        return self.data_dir / "livehost.sqlite3"


def default_settings_path() -> Path:
    return _user_config_dir() / "settings.toml"


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _deep_merge(out[k], v)
        else:
            out[k] = v
    return out


def load_settings(path: Path | None = None, overrides: dict[str, Any] | None = None) -> Settings:
    """Build the settings: defaults <- TOML file (if it exists) <- ``overrides``.

    Args:
        path: TOML file; ``None`` = :func:`default_settings_path`. A missing file is fine.
        overrides: nested dict of CLI overrides, e.g. ``{"speech": {"rate_wpm": 200}}``.

    Raises:
        LiveHostError(code="settings-invalid"): unreadable TOML or a bad value (message names the key).
    """
    path = default_settings_path() if path is None else path
    data: dict[str, Any] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
            raise LiveHostError("settings-invalid", f"Cannot read settings file {path}: {exc}",
                                "Fix the file or delete it to use the defaults.") from exc
    if overrides:
        data = _deep_merge(data, overrides)
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise LiveHostError("settings-invalid", f"Invalid settings ({path}): {problems}",
                            "Correct the value named above or remove it to use the default.") from exc
