"""Console preferences (``gui.toml``) and writing ``settings.toml``.

The core's :class:`app.settings.Settings` rejects unknown keys, so what only the console
uses (UI language, theme, avatar window, idle rotation) lives in its own validated file,
``gui.toml``, next to ``settings.toml`` in the user config directory.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from app.errors import LiveHostError


class GuiPrefs(BaseModel):
    """Console-only preferences (validated)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ui_language: Literal["system", "zh", "en"] = "system"
    """UI language; ``system`` follows the system locale."""
    theme: Literal["light", "dark"] = "light"
    rotation_s: int = Field(default=0, ge=0, le=3600)
    """Deprecated (read for old ``gui.toml`` files): the idle rotation is the core setting
    ``host.idle_rotation_s`` now."""
    avatar_look: str = "studio"
    avatar_background: str = "#00FF00"
    """Chroma colour ``#RRGGBB`` (OBS Chroma Key) or an image path."""
    avatar_aspect: Literal["9:16", "16:9", "free"] = "9:16"
    avatar_subtitles: bool = True
    avatar_badge: bool = True
    avatar_process: Literal["separate", "inline"] = "separate"
    """``separate``: the avatar window runs in its own process (frames never wait for the core);
    ``inline``: in the console's process (where a child process cannot be started)."""
    last_catalog: str = ""
    """The catalog file opened last (empty = the bundled demo catalog)."""

    @field_validator("avatar_background")
    @classmethod
    def _bg(cls, v: str) -> str:
        v = v.strip()
        if v.startswith("#"):
            if len(v) != 7 or any(c not in "0123456789abcdefABCDEF" for c in v[1:]):
                raise ValueError("a colour must be #RRGGBB, e.g. #00FF00")
        elif v and not Path(v).expanduser().is_file():
            raise ValueError(f"image file not found: {v}")
        return v


def gui_prefs_path(settings_path: Path) -> Path:
    """``gui.toml`` beside the settings file."""
    return Path(settings_path).with_name("gui.toml")


def load_prefs(path: Path) -> GuiPrefs:
    """Read ``gui.toml`` (missing = defaults). Raises LiveHostError(``gui-prefs-invalid``)."""
    if not path.exists():
        return GuiPrefs()
    try:
        return GuiPrefs.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError, ValidationError) as exc:
        raise LiveHostError("gui-prefs-invalid", f"Cannot use console preferences {path}: {exc}",
                            "Fix the file or delete it to use the defaults.") from exc


def _drop_none(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _drop_none(v) for k, v in data.items() if v is not None}
    if isinstance(data, (list, tuple)):
        return [_drop_none(x) for x in data]
    return data


def to_toml(data: dict[str, Any]) -> str:
    """Serialise settings or preferences as TOML (``tomli-w``); ``None`` values are left out
    (= default)."""
    import tomli_w

    return tomli_w.dumps(_drop_none(data))


def settings_dict(settings) -> dict[str, Any]:
    """The settings as the nested dict ``settings.toml`` holds (JSON-mode values)."""
    return settings.model_dump(mode="json")


def save_settings(settings, path: Path) -> None:
    """Write ``settings`` to ``path`` as TOML (created with its folder); it reads back equal
    with :func:`app.settings.load_settings`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_toml(settings_dict(settings)), encoding="utf-8")


def save_prefs(prefs: GuiPrefs, path: Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_toml(prefs.model_dump(mode="json")), encoding="utf-8")
