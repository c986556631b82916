"""Fonts for Chinese text and emoji, the same for the console and the avatar window.

A family is only used when it really has the glyphs: :func:`cjk_family` checks the candidates
with ``QRawFont`` glyph look-ups (a family can be *listed* for Simplified Chinese by
fontconfig and still resolve to a face without those glyphs -- e.g. while the font cache is
rebuilt right after ``apt-get install fonts-noto-cjk``, or when a Japanese-first face of a
collection is picked), and when fontconfig lists none it registers the usual font files directly.
Needs a QGuiApplication.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase, QRawFont

PREFERRED_CJK = ("Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei UI", "Microsoft YaHei",
                 "PingFang SC", "Hiragino Sans GB", "WenQuanYi Micro Hei", "Noto Sans SC")
"""Chinese UI families in order of preference (Linux, Windows, macOS)."""
PREFERRED_EMOJI = ("Noto Color Emoji", "Segoe UI Emoji", "Apple Color Emoji", "Twemoji Mozilla", "EmojiOne Color")
"""Colour emoji families (Debian/Ubuntu ``fonts-noto-color-emoji``, Windows, macOS)."""
CJK_SAMPLE = "虚拟主播谢谢宝宝"
EMOJI_SAMPLE = "😀🎁❤"

_CJK_FILES = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
              "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
              "C:/Windows/Fonts/msyh.ttc", "/System/Library/Fonts/PingFang.ttc")
_EMOJI_FILES = ("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf",)


def has_glyphs(family: str, text: str) -> bool:
    """True when ``family`` resolves to a face with a glyph for every character of ``text``."""
    raw = QRawFont.fromFont(QFont(family))
    if not raw.isValid() or raw.familyName() != family:  # Qt substituted another family
        return False
    glyphs = raw.glyphIndexesForString(text)  # 0 = no glyph; works for colour (bitmap) fonts too
    return len(glyphs) == len(text) and all(g != 0 for g in glyphs)


def _pick(preferred: tuple[str, ...], listed: list[str], sample: str, files: tuple[str, ...]) -> str | None:
    for name in [*(p for p in preferred if p in listed), *listed]:
        if has_glyphs(name, sample):
            return name
    for path in files:  # fontconfig lists nothing usable: load the file ourselves
        if Path(path).is_file():
            fid = QFontDatabase.addApplicationFont(path)
            for name in QFontDatabase.applicationFontFamilies(fid) if fid >= 0 else []:
                if has_glyphs(name, sample):
                    return name
    return None


@lru_cache(maxsize=1)
def cjk_family() -> str | None:
    """A family with Simplified Chinese glyphs, or ``None`` when the system has none."""
    listed = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    return _pick(PREFERRED_CJK, listed, CJK_SAMPLE, _CJK_FILES)


@lru_cache(maxsize=1)
def emoji_family() -> str | None:
    """A colour emoji family, or ``None`` (emoji then show as boxes; install fonts-noto-color-emoji)."""
    listed = [f for f in QFontDatabase.families() if "emoji" in f.lower()]
    return _pick(PREFERRED_EMOJI, listed, EMOJI_SAMPLE[:1], _EMOJI_FILES)


def fallback_families(primary: str) -> list[str]:
    """``primary`` followed by the CJK and emoji families it needs behind it, no duplicates."""
    out = [primary]
    for extra in (cjk_family(), emoji_family()):
        if extra and extra not in out:
            if extra == cjk_family() and has_glyphs(primary, CJK_SAMPLE):
                continue
            out.append(extra)
    return out
