"""Draws an :class:`~app.gui.avatar.animation.AvatarState` with QPainter from cached layers.

The art is a stack of SVG layers in ``assets/avatar/`` (all on one 600 x 900 viewBox, described
by ``assets/avatar/avatar.json``). Every layer of the current look is rendered once with QtSvg at
the on-screen scale, cropped to its opaque pixels and kept as a QPixmap whose device-pixel ratio
equals that scale -- so inside the painter's art-unit transform it is drawn 1:1. Head composites
(face + eyes + brows + fringe) are pre-built per (expression, eye state).
:meth:`AvatarRenderer.build` does this one layer per step so the window can spread a rebuild
(resize, look change) over several frames; :meth:`AvatarRenderer.prepare` does it at once.
A frame is then 4 pixmap draws with a small transform (head: rotation about the neck) and one
QPainterPath for the mouth (parametric: its openness comes from the audio envelope).

GUI-thread only (QPixmap). Units: ``art`` = the SVG viewBox units, ``px`` = logical widget pixels.
"""

from __future__ import annotations

import collections

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen, QPixmap, QTransform
from PySide6.QtSvg import QSvgRenderer

from app.errors import LiveHostError
from app.gui.avatar.animation import MOUTH_CLOSED_BELOW, AvatarState

__all__ = ["ART_DIR", "AvatarArt", "AvatarRenderer"]

ART_DIR = Path(__file__).resolve().parents[3] / "assets" / "avatar"
"""The shipped art (``assets/avatar``)."""

_LOOK_LAYERS = ("hair_back", "body", "arms_rest", "arms_present", "hair_front")
_SHARED_LAYERS = ("head", "blush", "eyes_open", "eyes_half", "eyes_closed", "eyes_happy",
                  "brows_neutral", "brows_warm", "brows_apologetic", "brows_presenting")
_EXPRESSION_EYES = {"warm": "eyes_happy"}


class AvatarArt:
    """The art manifest and its SVG files.

    Args:
        root: folder with ``avatar.json``, ``shared/*.svg`` and ``looks/<name>/*.svg``.

    Raises:
        LiveHostError(code="avatar-art-missing"): the manifest or a layer file is missing or is
            not valid SVG (checked for every look on construction).
    """

    def __init__(self, root: Path = ART_DIR) -> None:
        self.root = Path(root)
        try:
            meta = json.loads((self.root / "avatar.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise LiveHostError("avatar-art-missing", f"Cannot read the avatar art manifest: {exc}",
                                "Reinstall LiveHost; assets/avatar/avatar.json is part of it.") from exc
        self.canvas: tuple[float, float] = (float(meta["canvas"][0]), float(meta["canvas"][1]))
        self.neck_pivot = QPointF(*meta["neck_pivot"])
        self.mouth_center = QPointF(*meta["mouth"]["center"])
        self.mouth_width = float(meta["mouth"]["width"])
        self.looks: dict[str, dict] = dict(meta["looks"])
        self.default_look: str = meta.get("default_look", next(iter(self.looks)))
        self._svg: dict[Path, QSvgRenderer] = {}
        for look in self.looks:
            for name in _LOOK_LAYERS:
                self.svg(look, name)
        for name in _SHARED_LAYERS:
            self.svg(None, name)

    def path(self, look: str | None, layer: str) -> Path:
        """File of ``layer`` (look-specific when ``look`` is given, else shared)."""
        return (self.root / "looks" / look if look else self.root / "shared") / f"{layer}.svg"

    def svg(self, look: str | None, layer: str) -> QSvgRenderer:
        """The parsed SVG of a layer (parsed once)."""
        p = self.path(look, layer)
        r = self._svg.get(p)
        if r is None:
            r = QSvgRenderer(str(p)) if p.is_file() else None
            if r is None or not r.isValid():
                raise LiveHostError("avatar-art-missing", f"Avatar layer {p.name} of "
                                    f"{look or 'shared'} art is missing or not valid SVG.",
                                    "Reinstall LiveHost or restore assets/avatar/.")
            self._svg[p] = r
        return r


@dataclass
class _Sprite:
    pixmap: QPixmap
    """Logical size in art units (device-pixel ratio = scale * screen dpr)."""
    pos: QPointF
    """Top-left in art units."""


def _render_layer(svg: QSvgRenderer, canvas: tuple[float, float], ratio: float) -> QImage:
    w, h = max(1, math.ceil(canvas[0] * ratio)), max(1, math.ceil(canvas[1] * ratio))
    img = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(0)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    svg.render(p, QRectF(0, 0, canvas[0] * ratio, canvas[1] * ratio))
    p.end()
    return img


def _crop(img: QImage, ratio: float) -> _Sprite | None:
    """Crop to the non-transparent pixels; ``None`` for an empty image."""
    w, h, bpl = img.width(), img.height(), img.bytesPerLine()
    arr = np.frombuffer(img.constBits(), dtype=np.uint8, count=h * bpl).reshape(h, bpl)
    alpha = arr[:, : w * 4].reshape(h, w, 4)[:, :, 3]  # ARGB32 is BGRA in memory (little endian)
    rows = np.flatnonzero(alpha.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(alpha.any(axis=0))
    x0, x1, y0, y1 = int(cols[0]), int(cols[-1]) + 1, int(rows[0]), int(rows[-1]) + 1
    pm = QPixmap.fromImage(img.copy(x0, y0, x1 - x0, y1 - y0))
    pm.setDevicePixelRatio(ratio)
    return _Sprite(pm, QPointF(x0 / ratio, y0 / ratio))


@dataclass
class _Cache:
    """Every pre-rendered piece of one look at one scale."""

    look: str
    ratio: float
    sprites: dict[str, _Sprite | None]
    images: dict[str, QImage]
    """Full-canvas renders of the head-composite layers (shared layers + ``hair_front``)."""
    heads: dict[tuple[str, str], _Sprite]


_EYE_STATES = ("open", "half", "closed")


class AvatarRenderer:
    """Paints the host for a given state into a stage rectangle.

    Args:
        art: the loaded :class:`AvatarArt`.
        look: a key of ``art.looks``.

    Raises:
        ValueError: unknown look.
    """

    def __init__(self, art: AvatarArt, look: str | None = None) -> None:
        self.art = art
        look = look or art.default_look
        self._check_look(look)
        self._look = look
        self._cache: _Cache | None = None

    # -- caches
    def _check_look(self, look: str) -> None:
        if look not in self.art.looks:
            raise ValueError(f"unknown look {look!r}; available: {sorted(self.art.looks)}")

    @property
    def look(self) -> str:
        """The look being (or about to be) drawn."""
        return self._look

    def set_look(self, look: str) -> None:
        """Choose the outfit/character; it is drawn once :meth:`prepare` or a :meth:`build`
        finishes (until then the previous look stays on screen). ValueError for unknown looks."""
        self._check_look(look)
        self._look = look

    def fit(self, stage: QRectF) -> tuple[float, QPointF]:
        """Scale (px per art unit) and top-left (px) of the character in ``stage``: the whole
        canvas fits, centred horizontally, standing on the stage's bottom edge."""
        cw, ch = self.art.canvas
        s = min(stage.width() / cw, stage.height() / ch)
        return s, QPointF(stage.center().x() - cw * s / 2, stage.bottom() - ch * s)

    def prepared_ratio(self) -> float:
        """Device pixels per art unit of the current caches (0 = none yet)."""
        return self._cache.ratio if self._cache is not None else 0.0

    def is_current(self, ratio: float) -> bool:
        """True when the caches hold the chosen look at ``ratio``."""
        c = self._cache
        return c is not None and c.look == self._look and abs(c.ratio - ratio) < 1e-6

    def build(self, ratio: float) -> Iterator[None]:
        """Re-render the chosen look at ``ratio`` device px per art unit, one layer per step.

        A generator: each ``next()`` renders one SVG layer or one head composite (a few ms at
        540x960, up to ~25 ms at 1080x1920), so the window can spread a rebuild over frames
        instead of freezing; the new caches replace the old ones atomically after the last step.
        """
        if ratio <= 0:
            return
        look, canvas = self._look, self.art.canvas
        sprites: dict[str, _Sprite | None] = {}
        for name in _LOOK_LAYERS[:-1]:  # hair_front goes into the head composites
            sprites[name] = _crop(_render_layer(self.art.svg(look, name), canvas, ratio), ratio)
            yield
        images: dict[str, QImage] = {}
        for name in _SHARED_LAYERS:
            images[name] = _render_layer(self.art.svg(None, name), canvas, ratio)
            yield
        images["hair_front"] = _render_layer(self.art.svg(look, "hair_front"), canvas, ratio)
        cache = _Cache(look, ratio, sprites, images, {})
        for expression in ("neutral", "warm", "apologetic", "presenting"):
            for eyes in _EYE_STATES:
                yield
                self._compose_head(cache, expression, eyes)
        self._cache = cache

    def prepare(self, ratio: float) -> None:
        """Run a whole :meth:`build` now (no-op when already current). ~40 ms at 540x960,
        ~250 ms at 1080x1920: for the first frame; later rebuilds should be spread."""
        if not self.is_current(ratio):
            collections.deque(self.build(ratio), maxlen=0)  # run the generator to the end

    @staticmethod
    def _compose_head(cache: _Cache, expression: str, eyes: str) -> _Sprite:
        key = (expression, eyes)
        sp = cache.heads.get(key)
        if sp is None:
            base = QImage(cache.images["head"])
            p = QPainter(base)
            eye_layer = {"open": _EXPRESSION_EYES.get(expression, "eyes_open"),
                         "half": _EXPRESSION_EYES.get(expression, "eyes_half"),
                         "closed": "eyes_closed"}[eyes]
            layers = [eye_layer, f"brows_{expression}", "hair_front"]
            if expression == "warm":
                layers.insert(0, "blush")
            for name in layers:
                p.drawImage(0, 0, cache.images[name])
            p.end()
            sp = _crop(base, cache.ratio)
            assert sp is not None
            cache.heads[key] = sp
        return sp

    # -- per frame
    def paint(self, p: QPainter, stage: QRectF, state: AvatarState) -> None:
        """Draw the character for ``state`` into ``stage`` (px). Uses the caches when their
        ratio matches the stage, else scales the old caches (e.g. during a window drag)."""
        cache = self._cache
        if cache is None:
            return
        s, origin = self.fit(stage)
        p.save()
        # Bilinear sampling for the moving layers, but no geometric antialiasing: the sprites'
        # edges are already antialiased in their pixels, and the AA path costs twice as much.
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        base = QTransform.fromTranslate(origin.x(), origin.y()).scale(s, s)
        pv = self.art.neck_pivot
        head_t = (QTransform().translate(pv.x() + state.sway_x, pv.y() - 3.5 * state.breath)
                  .rotate(state.sway_deg).translate(-pv.x(), -pv.y())) * base
        body_t = QTransform().translate(0.5 * state.sway_x, -1.8 * state.breath) * base

        def draw(sprite: _Sprite | None, t: QTransform) -> None:
            if sprite is not None:
                p.setTransform(t)
                p.drawPixmap(sprite.pos, sprite.pixmap)

        draw(cache.sprites.get("hair_back"), head_t)
        draw(cache.sprites.get("body"), body_t)
        eyes = "open" if state.eye_open > 0.7 else "half" if state.eye_open > 0.3 else "closed"
        draw(self._compose_head(cache, state.expression, eyes), head_t)
        arms = "arms_present" if state.expression == "presenting" else "arms_rest"
        draw(cache.sprites.get(arms), body_t)
        p.setTransform(head_t)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._paint_mouth(p, state)
        p.restore()

    def _paint_mouth(self, p: QPainter, state: AvatarState) -> None:
        """Closed: a lip curve whose smile depth depends on the expression. Open: a dark mouth
        whose lower lip drops 6..46 art units with openness, upper teeth and a tongue."""
        c, w = self.art.mouth_center, self.art.mouth_width
        smile = {"neutral": 7.0, "warm": 12.0, "apologetic": -2.5, "presenting": 9.0}.get(state.expression, 7.0)
        if state.expression == "apologetic":
            w *= 0.8
        x0, x1, y = c.x() - w / 2, c.x() + w / 2, c.y()
        o = state.mouth_open
        if o < MOUTH_CLOSED_BELOW:
            path = QPainterPath(QPointF(x0, y))
            path.quadTo(QPointF(c.x(), y + 2 * smile), QPointF(x1, y))
            p.setPen(QPen(QColor("#9E4A4A"), 4.0, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawPath(path)
            return
        h = 6.0 + 40.0 * o  # lower-lip drop in art units
        wo = w * (1.0 - 0.18 * o)  # the mouth narrows a little as it opens ("o" shape)
        x0, x1 = c.x() - wo / 2, c.x() + wo / 2
        top = y - 0.6 * smile + 2.0
        path = QPainterPath(QPointF(x0, y))
        path.cubicTo(QPointF(x0 + wo * 0.2, top - 4), QPointF(x1 - wo * 0.2, top - 4), QPointF(x1, y))
        path.cubicTo(QPointF(x1 - wo * 0.05, y + h), QPointF(x0 + wo * 0.05, y + h), QPointF(x0, y))
        p.setPen(QPen(QColor("#8A3A3E"), 3.0))
        p.setBrush(QColor("#6E1F2A"))
        p.drawPath(path)
        p.save()
        p.setClipPath(path)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#FFFFFF"))
        p.drawRect(QRectF(x0, top - 6, wo, 8 + 4 * o))
        p.setBrush(QColor("#E6707A"))
        p.drawEllipse(QPointF(c.x(), y + h * 0.95), wo * 0.32, h * 0.35)
        p.restore()
