"""Light and dark themes, intent colours and a CJK-capable UI font.

Sizes are never fixed in pixels for text: the UI font keeps the platform's point size (Qt 6
scales points by the screen's DPI), and widths are derived from font metrics, so the console
stays correct on High-DPI screens.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

THEMES = ("light", "dark")

INTENT_COLORS: dict[str, str] = {
    "greeting": "#3BA55D", "compliment": "#2FA4A0", "chitchat": "#8A8F98", "spam": "#6B6B6B",
    "price": "#E8833A", "discount": "#D9A21B", "stock": "#C26BD0", "size_fit": "#4F7BEB",
    "product_detail": "#2E86C1", "shipping": "#16A085", "after_sales": "#8E44AD",
    "purchase_intent": "#E0457B", "recommendation_request": "#B5651D", "complaint": "#D93B3B",
    "gift": "#F06292", "follow": "#26A69A", "enter": "#90A4AE", "like": "#EF9A9A",
    "host_speech": "#5C6BC0", "introduce": "#7E57C2", "say": "#5C6BC0",
}
"""A colour per intent / event kind for feed tags and cards (complaints red, spam grey)."""

def intent_color(kind: str) -> QColor:
    """The tag colour of an intent or event kind (grey for unknown kinds)."""
    return QColor(INTENT_COLORS.get(kind, "#8A8F98"))


def cjk_family() -> str | None:
    """See :func:`app.gui.fonts.cjk_family`."""
    from app.gui.fonts import cjk_family as _cjk

    return _cjk()


def apply_ui_font(app: QApplication) -> QFont:
    """Make the application font able to show Chinese and emoji: keep the platform's family and
    point size, with a CJK family (when the default lacks Chinese glyphs) and a colour emoji
    family (nicknames carry emoji) behind it. Returns the font set."""
    from app.gui.fonts import cjk_family as _cjk, fallback_families

    font = QFont(app.font())
    families = fallback_families(font.family())
    cjk = _cjk()
    if cjk and cjk in families and families[0] != cjk:  # Chinese first when the default has none
        families.remove(cjk)
        families.insert(0, cjk)
    font.setFamilies(families)
    app.setFont(font)
    return font


def palette(theme: str) -> QPalette:
    """The palette of a theme (``light`` / ``dark``); ValueError for others."""
    if theme not in THEMES:
        raise ValueError(f"theme must be one of {THEMES}, got {theme!r}")
    p = QPalette()
    if theme == "light":
        base = {"window": "#F4F5F7", "base": "#FFFFFF", "alt": "#F0F2F5", "text": "#1D2129",
                "button": "#FFFFFF", "highlight": "#3370FF", "htext": "#FFFFFF", "mid": "#C9CDD4",
                "placeholder": "#86909C", "tooltip": "#FFFFE8"}
    else:
        base = {"window": "#1F2126", "base": "#17181C", "alt": "#24262C", "text": "#E8EAED",
                "button": "#2B2E35", "highlight": "#4C8DFF", "htext": "#FFFFFF", "mid": "#3A3D45",
                "placeholder": "#8A8F98", "tooltip": "#2B2E35"}
    R = QPalette.ColorRole
    p.setColor(R.Window, QColor(base["window"]))
    p.setColor(R.WindowText, QColor(base["text"]))
    p.setColor(R.Base, QColor(base["base"]))
    p.setColor(R.AlternateBase, QColor(base["alt"]))
    p.setColor(R.Text, QColor(base["text"]))
    p.setColor(R.Button, QColor(base["button"]))
    p.setColor(R.ButtonText, QColor(base["text"]))
    p.setColor(R.Highlight, QColor(base["highlight"]))
    p.setColor(R.HighlightedText, QColor(base["htext"]))
    p.setColor(R.Mid, QColor(base["mid"]))
    p.setColor(R.PlaceholderText, QColor(base["placeholder"]))
    p.setColor(R.ToolTipBase, QColor(base["tooltip"]))
    p.setColor(R.ToolTipText, QColor(base["text"]))
    p.setColor(R.Link, QColor(base["highlight"]))
    disabled = QColor(base["placeholder"])
    for role in (R.Text, R.WindowText, R.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return p


def apply_theme(app: QApplication, theme: str) -> None:
    """Switch the whole application to ``theme`` (Fusion style + palette)."""
    app.setStyle("Fusion")
    app.setPalette(palette(theme))
    app.setProperty("livehost_theme", theme)


def current_theme(app: QApplication | None = None) -> str:
    app = app or QApplication.instance()
    value = app.property("livehost_theme") if app is not None else None
    return value if value in THEMES else "light"
