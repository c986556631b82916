"""Where LiveHost's bundled files are (inside the installed package's repository checkout)."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
"""The repository root (``pyproject.toml``, ``assets/``, ``models/``)."""
ASSETS = REPO_ROOT / "assets"
DEMO_DIR = ASSETS / "demo"
DEMO_SESSION = DEMO_DIR / "session.jsonl"
"""The bundled demo live session (an evening of a small clothing and home-goods shop)."""
DEMO_CATALOG = DEMO_DIR / "catalog.csv"
"""The bundled demo catalog (52 products, see ``assets/demo/ATTRIBUTION.md``)."""
DEMO_INTERACTIONS = DEMO_DIR / "interactions.csv"
"""Synthetic order history for the demo catalog's products (see ``assets/demo/INTERACTIONS.md``)."""
MODELS = REPO_ROOT / "models"


def is_demo_catalog(path: Path | str | None) -> bool:
    """True when ``path`` is the bundled demo catalog (its interactions then apply)."""
    if path is None:
        return False
    try:
        return Path(path).resolve() == DEMO_CATALOG.resolve()
    except OSError:
        return False
