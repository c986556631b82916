"""Chat sources and their registry, keyed by the kind in a source spec (``<kind>:<target>``).

Adding a platform is one new module under ``app/sources/`` with an ``open_source(target, *,
settings, endpoint=None, **options)`` function, plus one line in :data:`SOURCE_KINDS`.
"""

from __future__ import annotations

import importlib
from typing import Any

from app.errors import LiveHostError
from app.sources.base import ChatSource, SourceContext

SOURCE_KINDS: dict[str, str] = {
    "replay": "app.sources.replay",
    "mic": "app.sources.microphone",
    "bilibili": "app.sources.bilibili",
    "twitch": "app.sources.twitch",
    "youtube": "app.sources.youtube",
    "tiktok": "app.sources.tiktok",
    "ingest": "app.sources.ingest",
}
"""Source kind -> module that implements it (imported only when a spec of that kind is opened,
so a platform's optional packages are needed only by sellers who use that platform)."""


def parse_spec(spec: str) -> tuple[str, str]:
    """Split ``"bilibili:21452505"`` into ``("bilibili", "21452505")``; ``"mic"`` -> ``("mic", "")``.

    A bare path ending in ``.jsonl`` is read as ``replay:<path>``.

    Raises:
        LiveHostError(code="source-spec-invalid"): empty spec.
        LiveHostError(code="source-unknown"): a kind that is not registered.
    """
    spec = (spec or "").strip()
    if not spec:
        raise LiveHostError("source-spec-invalid", "An empty chat source was given.",
                            "Give a source such as replay:session.jsonl or bilibili:ROOM_ID.")
    kind, sep, target = spec.partition(":")
    kind = kind.strip().lower()
    if kind not in SOURCE_KINDS:
        if spec.lower().endswith(".jsonl"):
            return "replay", spec
        raise LiveHostError("source-unknown", f"Unknown chat source '{spec}'.",
                            "Use one of: " + ", ".join(f"{k}:..." for k in SOURCE_KINDS) + ".")
    return kind, target.strip() if sep else ""


def open_source(spec: str, *, settings: Any = None, endpoint: str | None = None, **options: Any) -> ChatSource:
    """Open the chat source a spec names (nothing connects until the session iterates it).

    Args:
        spec: ``<kind>:<target>``, see :func:`parse_spec`.
        settings: the app settings (per-platform keys, e.g. endpoint overrides).
        endpoint: server URL override (tests, relays); ``None`` = the platform's own.
        options: kind-specific options (``speed`` for replays ...).

    Raises:
        LiveHostError: unknown kind, bad target, missing file or optional package.
    """
    kind, target = parse_spec(spec)
    module = importlib.import_module(SOURCE_KINDS[kind])
    return module.open_source(target, settings=settings, endpoint=endpoint, **options)


__all__ = ["ChatSource", "SourceContext", "SOURCE_KINDS", "open_source", "parse_spec"]
