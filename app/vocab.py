"""LiveHost's stable vocabularies, as ``str`` enums in one place.

Every value here is written to the session database, ``replies.jsonl`` and ``summary.json``,
shown in the console and matched by tests, so values never change meaning once released: add
new members, do not rename old ones. Being ``str`` subclasses, members compare equal to their
plain-text values (``HeldReason.COMPLAINT == "complaint"``) and serialise as that text.
"""

from __future__ import annotations

from enum import StrEnum


class HeldReason(StrEnum):
    """Why a suggested reply waits for the seller instead of being spoken automatically.

    The detail (which fact is missing, which number failed the guard) travels next to it in
    ``ReplySuggested.held_detail``.
    """

    FACT_GUARD = "fact_guard"
    """A number, product name or banned word in the draft is not backed by the catalog."""
    UNCERTAIN_INTENT = "uncertain_intent"
    """The intent model is not sure what the message asks."""
    COMPLAINT = "complaint"
    """A complaint: only the seller answers those."""
    MISSING_FACT = "missing_fact"
    """The catalog does not hold the fact the question asks for."""
    OFFENSIVE = "offensive"
    """The message (or the viewer's name) is abusive; nothing about it is spoken."""
    SENSITIVE = "sensitive"
    """Health, safety, authenticity, payment or invoice questions: always the seller's."""
    UNKNOWN_PRODUCT = "unknown_product"
    """The message names a product the resolver could not pin down with certainty."""
    UNMODERATED = "unmoderated"
    """Written by the language model, which passed every check there is, but the offensive-language
    filter is not available: only the seller can let it be spoken."""


class Approver(StrEnum):
    """Who let a reply be spoken (``ReplyApproved.by``) or withdrew it (``ReplyRejected.by``)."""

    AUTO = "auto"
    """Auto-approve (after its countdown, if any)."""
    SELLER = "seller"
    """The seller, in the console (approve, edit, speak now, typed line)."""
    VOICE = "voice"
    """The seller, by a spoken voice command."""
    ROTATION = "rotation"
    """The idle rotation introducing a product while the room is quiet."""
    POLICY = "policy"
    """A core policy withdrew the reply (it went stale, or its question was merged)."""


class DropReason(StrEnum):
    """Why the core withdrew a reply before it was spoken (``ReplyRejected.reason`` when
    ``by == "policy"``). Every withdrawn reply is an event, so the store and the report see it."""

    STALE = "stale"
    """It waited in the speech queue longer than its kind may (a greeting after ~10 s)."""
    MERGED = "merged"
    """A thank-you that waited too long: its viewers are thanked in the next aggregate line."""
    OVERFLOW = "overflow"
    """The speech queue was full: the lowest-priority, oldest line made room."""
    VIEWER_MUTED = "viewer_muted"
    """It answered (or named) a viewer who has since been muted."""
    MUTED = "muted"
    """Panic mute: everything waiting was dropped."""
    INTERRUPTED = "interrupted"
    """The seller's "speak now" line dropped what was waiting."""


class LlmState(StrEnum):
    """How the optional language model's endpoint is doing (``LlmStatusChanged.state``)."""

    OFF = "off"
    """Not configured, or switched off in the settings."""
    READY = "ready"
    """The endpoint answered its last request."""
    UNREACHABLE = "unreachable"
    """No connection (nothing listens at the URL, DNS, refused)."""
    TIMEOUT = "timeout"
    """The endpoint did not answer in time; late answers are dropped."""
    ERROR = "error"
    """The endpoint answered with an error (HTTP status, malformed answer, refused key)."""


class MicrophoneState(StrEnum):
    """States of the microphone path (``MicrophoneStateChanged.state``)."""

    LISTENING = "listening"
    NO_DEVICE = "no_device"
    LOST = "lost"
    GATED = "gated"
    """The virtual host is speaking: its own voice is not transcribed."""
    STOPPED = "stopped"
    NO_MODEL = "no_model"


class AudioOutputState(StrEnum):
    """How the host's speech is delivered (``AudioOutputChanged.state``)."""

    DEVICE = "device"
    """Played on an output device."""
    PREVIEW = "preview"
    """No output device: WAV files are written and the avatar previews them (no sound)."""
    FILES = "files"
    """Written as WAV files only, no playback and no preview (headless replays)."""


class SourceState(StrEnum):
    """Health of one chat source, as the console's status bar shows it."""

    CONNECTING = "connecting"
    CONNECTED = "connected"
    STALLED = "stalled"
    DISCONNECTED = "disconnected"
    ENDED = "ended"


class DisconnectReason(StrEnum):
    """Why a chat source lost (or never got) its connection (``SourceDisconnected.reason``).

    Each has a hint a seller can act on in :data:`DISCONNECT_HINTS`.
    """

    NETWORK_DOWN = "network-down"
    """No route to the platform (DNS, refused, timed out)."""
    SERVER_CLOSED = "server-closed"
    """The platform closed the connection (or it dropped mid-stream)."""
    STALLED = "stalled"
    """No events for longer than the watchdog allows; reconnecting."""
    ROOM_OFFLINE = "room-offline"
    """The live room is not broadcasting."""
    ROOM_NOT_FOUND = "room-not-found"
    """The room id, channel or video id does not exist."""
    LOGIN_EXPIRED = "login-expired"
    """The stored login (cookie / token) was refused."""
    BLOCKED = "blocked"
    """The platform refused us (rate limit, captcha, IP block)."""
    PROTOCOL_ERROR = "protocol-error"
    """The platform answered with something we do not understand (a protocol change?)."""
    RECONNECT_REQUESTED = "reconnect-requested"
    """The platform asked us to reconnect (e.g. Twitch ``RECONNECT``)."""
    ENDED = "ended"
    """The stream (or the replay file) ended."""
    STOPPED = "stopped"
    """LiveHost stopped the source (session ending)."""


DISCONNECT_HINTS: dict[DisconnectReason, str] = {
    DisconnectReason.NETWORK_DOWN: "Check the internet connection; LiveHost keeps retrying.",
    DisconnectReason.SERVER_CLOSED: "LiveHost reconnects by itself; if it keeps happening, check the network.",
    DisconnectReason.STALLED: "No chat for a while: LiveHost reconnects. If the room is quiet this is harmless.",
    DisconnectReason.ROOM_OFFLINE: "Start the broadcast on the platform; LiveHost connects when the room is live.",
    DisconnectReason.ROOM_NOT_FOUND: "Check the room id / channel / URL in the Connect dialog.",
    DisconnectReason.LOGIN_EXPIRED: "Log in again in the Connect dialog (the login is kept in the OS keyring).",
    DisconnectReason.BLOCKED: "The platform is refusing connections for now: wait a few minutes, "
                              "or log in to lift the limit.",
    DisconnectReason.PROTOCOL_ERROR: "The platform may have changed its chat protocol: update LiveHost "
                                     "or report it (see README, 'Platform changes').",
    DisconnectReason.RECONNECT_REQUESTED: "The platform asked LiveHost to reconnect; nothing to do.",
    DisconnectReason.ENDED: "The stream ended.",
    DisconnectReason.STOPPED: "",
}
"""What the seller can do about each disconnect reason (shown next to it)."""


class ErrorCode(StrEnum):
    """Stable codes of :class:`~app.errors.LiveHostError` and ``ErrorOccurred.code``.

    The README's troubleshooting table is keyed by these.
    """

    # settings / output
    SETTINGS_INVALID = "settings-invalid"
    SETTINGS_MISSING = "settings-missing"
    OUTPUT_UNWRITABLE = "output-unwritable"
    DISK_FULL = "disk-full"
    DISK_LOW = "disk-low"
    STORE_OPEN_FAILED = "store-open-failed"
    STORE_WRITE_FAILED = "store-write-failed"
    STORE_NOT_FOUND = "store-not-found"
    SESSION_NOT_FOUND = "session-not-found"
    USAGE = "usage"
    # catalog
    CATALOG_MISSING = "catalog-missing"
    CATALOG_UNREADABLE = "catalog-unreadable"
    CATALOG_UNSUPPORTED = "catalog-unsupported"
    CATALOG_EMPTY = "catalog-empty"
    CATALOG_INVALID = "catalog-invalid"
    CATALOG_ROW_INVALID = "catalog-row-invalid"
    CATALOG_ENCODING = "catalog-encoding"
    CATALOG_NOTE = "catalog-note"
    """What the importer did that the seller should know (a notice)."""
    REPORT_WRITE_FAILED = "report-write-failed"
    """The session report could not be written (folder not writable, disk full)."""
    REPORT_PDF_FAILED = "report-pdf-failed"
    """``livehost report --pdf``: chromium is missing or could not print the page."""
    # sessions and sources
    SESSION_MISSING = "session-missing"
    SESSION_UNREADABLE = "session-unreadable"
    SESSION_EMPTY = "session-empty"
    SESSION_SPEED_INVALID = "session-speed-invalid"
    SESSION_LINE_MALFORMED = "session-line-malformed"
    SESSION_TIME_BACKWARDS = "session-time-backwards"
    SOURCE_UNKNOWN = "source-unknown"
    SOURCE_SPEC_INVALID = "source-spec-invalid"
    SOURCE_FAILED = "source-failed"
    SOURCE_FRAME_MALFORMED = "source-frame-malformed"
    SOURCE_MISSING_PACKAGE = "source-missing-package"
    LOGIN_STORE_UNAVAILABLE = "login-store-unavailable"
    """No OS keyring: a platform login cannot be kept or read (the source connects anonymously)."""
    INGEST_BIND_REFUSED = "ingest-bind-refused"
    """The ingest endpoint was asked to listen on an address that is not this computer's own."""
    INGEST_PORT_IN_USE = "ingest-port-in-use"
    INGEST_TOKEN_REFUSED = "ingest-token-refused"
    INGEST_TOO_LARGE = "ingest-too-large"
    INGEST_RATE_LIMITED = "ingest-rate-limited"
    INGEST_KEYRING_UNAVAILABLE = "ingest-keyring-unavailable"
    """No OS keyring: the ingest token lasts for this session only (a notice, not a failure)."""
    NOW_SELLING_UNKNOWN = "now-selling-unknown"
    INTRODUCE_NO_SCRIPT = "introduce-no-script"
    # content generation and the optional language model
    LLM_DISABLED = "llm-disabled"
    """The language model is needed (``--style`` text, "write with the model") but ``[llm]`` is off."""
    LLM_UNREACHABLE = "llm-unreachable"
    LLM_TIMEOUT = "llm-timeout"
    LLM_HTTP_ERROR = "llm-http-error"
    LLM_BAD_RESPONSE = "llm-bad-response"
    LLM_KEY_UNAVAILABLE = "llm-key-unavailable"
    """``llm.api_key_in_keyring`` is on but no key can be read from the OS keyring."""
    LLM_OUTPUT_REJECTED = "llm-output-rejected"
    """A text the model wrote failed a check and was not used (a notice, not a failure)."""
    SCRIPT_PRODUCT_UNKNOWN = "script-product-unknown"
    # understanding / recommendation
    INTENT_MODEL_MISSING = "intent-model-missing"
    INTENT_MODEL_INVALID = "intent-model-invalid"
    MODEL_INVALID = "model-invalid"
    MODERATION_MODEL_MISSING = "moderation-model-missing"
    MODERATION_MODEL_INVALID = "moderation-model-invalid"
    TRAIN_MISSING_INPUT = "train-missing-input"
    INTERACTIONS_FILE_UNREADABLE = "interactions-file-unreadable"
    INTERACTIONS_COLUMNS_MISSING = "interactions-columns-missing"
    RECOMMEND_NO_INTERACTIONS = "recommend-no-interactions"
    RECOMMEND_DB_MISSING = "recommend-db-missing"
    RECOMMEND_BAD_COLOR = "recommend-bad-color"
    # speech out
    TTS_NO_ENGINE = "tts-no-engine"
    TTS_NO_VOICE = "tts-no-voice"
    TTS_WRONG_VOICE = "tts-wrong-voice"
    TTS_NOT_STARTED = "tts-not-started"
    TTS_FAILED = "tts-failed"
    TTS_EMPTY_TEXT = "tts-empty-text"
    PLAYBACK_FAILED = "playback-failed"
    AUDIO_OUTPUT_MISSING = "audio-output-missing"
    # microphone / speech recognition
    ASR_MODEL_MISSING = "asr-model-missing"
    ASR_MODEL_INVALID = "asr-model-invalid"
    ASR_VOSK_MISSING = "asr-vosk-missing"
    ASR_FAILED = "asr-failed"
    AUDIO_FILE_UNREADABLE = "audio-file-unreadable"
    AUDIO_FILE_MISSING = "audio-file-missing"
    MODEL_UNKNOWN = "model-unknown"
    MODEL_NOT_INSTALLED = "model-not-installed"
    MODEL_NAME_INVALID = "model-name-invalid"
    MODEL_SOURCE_MISSING = "model-source-missing"
    MODEL_DOWNLOAD_FAILED = "model-download-failed"
    MODEL_DOWNLOAD_CORRUPT = "model-download-corrupt"
    MODEL_ARCHIVE_INVALID = "model-archive-invalid"
    # console / avatar
    GUI_MISSING = "gui-missing"
    GUI_NO_DISPLAY = "gui-no-display"
    GUI_PREFS_INVALID = "gui-prefs-invalid"
    AVATAR_ART_MISSING = "avatar-art-missing"
    AVATAR_BACKGROUND_UNREADABLE = "avatar-background-unreadable"
    AVATAR_SETTINGS_INVALID = "avatar-settings-invalid"
    AVATAR_MESSAGE_INVALID = "avatar-message-invalid"
    AVATAR_CRASHED = "avatar-crashed"
    """The avatar process stopped unexpectedly; the console restarts it (with backoff)."""
    AVATAR_START_FAILED = "avatar-start-failed"
    """The avatar process could not be started at all (no Python executable, no display)."""
    # a pipeline stage failed on one event (``<stage>-failed`` is derived from this)
    STAGE_FAILED = "stage-failed"


NOTICE_CODES: frozenset[str] = frozenset({ErrorCode.AUDIO_OUTPUT_MISSING, ErrorCode.DISK_LOW, ErrorCode.CATALOG_NOTE,
                                          ErrorCode.LOGIN_STORE_UNAVAILABLE, ErrorCode.INGEST_KEYRING_UNAVAILABLE,
                                          ErrorCode.LLM_OUTPUT_REJECTED})
"""``ErrorOccurred`` codes that describe the machine, not a failure (listed as notes, not errors)."""
