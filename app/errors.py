"""LiveHost's own error type: a stable code, a message a seller understands, and what to do."""

from __future__ import annotations


class LiveHostError(Exception):
    """Base error. Stages translate foreign exceptions into this.

    Attributes:
        code: stable machine-readable code (``catalog-row-invalid``, ``tts-no-voice`` ...).
        message: what happened, for the seller.
        hint: what to do about it.
    """

    def __init__(self, code: str, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class CatalogError(LiveHostError):
    """A catalog file or row could not be used. ``file``, ``row`` (1-based, header = 1) and
    ``column`` name the place."""

    def __init__(self, message: str, *, file: str = "", row: int | None = None,
                 column: str = "", hint: str = "", code: str = "catalog-row-invalid") -> None:
        where = file
        if row is not None:
            where += f", row {row}"
        if column:
            where += f", column '{column}'"
        super().__init__(code, f"{where}: {message}" if where else message, hint)
        self.file = file
        self.row = row
        self.column = column


class SessionFileError(LiveHostError):
    """A session (replay) file line could not be used."""


class ModelMissingError(LiveHostError):
    """A model the app needs is not installed."""


class SpeechError(LiveHostError):
    """Text-to-speech or playback failed."""
