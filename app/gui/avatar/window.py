"""The avatar window: a separate top-level ``LiveHost Avatar`` window for OBS window capture.

Opaque by design: OBS captures translucent / frameless Qt windows as black on several platforms,
so the window always paints a solid chroma colour (default ``#00FF00``; OBS "Chroma Key" filter
removes it) or an image. The host is drawn by :class:`~app.gui.avatar.renderer.AvatarRenderer`
from cached layers; the motion comes from :class:`~app.gui.avatar.animation.Animator` (Qt-free).

Frames are driven by a ``Qt.PreciseTimer`` paced to a deadline (60 fps average, not 62.5), and
``paintEvent`` only composites cached pixmaps, so the GUI thread stays free for the console.

Threading: create and call the window on the GUI thread only. Worker code (pipeline, player)
reaches it through the Qt bridge (a ``Signal(object)`` delivered queued). Typical wiring::

    win = AvatarWindow(AvatarSettings(look="studio", background="#00FF00", aspect="9:16"))
    win.show()
    # SpeechSynthesized -> read the WAV, env = rms_envelope(samples, rate, 1/60)
    # SpeechStarted     -> clock = PlaybackClock(latency_s=...); player.play_async(wav, on_envelope=clock.on_envelope)
    #                      win.speak(text, env, 1/60, intent=reply.intent, clock=clock.position)
    # SpeechFinished / MuteSpeech(muted=True) -> win.handle_event(event)  (= win.stop_speaking())
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QWidget

from app.errors import LiveHostError
from app.gui.avatar.animation import Animator, AvatarState, MouthParams, MouthTrack
from app.gui.avatar.renderer import AvatarArt, AvatarRenderer

__all__ = ["ASPECTS", "WINDOW_TITLE", "AvatarSettings", "AvatarWindow", "cjk_font_family"]

WINDOW_TITLE = "LiveHost Avatar"
ASPECTS: dict[str, tuple[int, int]] = {"9:16": (9, 16), "16:9": (16, 9)}
"""Supported fixed aspects (width : height); ``None`` = free."""
def cjk_font_family() -> str:
    """A font family with Simplified Chinese glyphs (:func:`app.gui.fonts.cjk_family`), else the
    application default. Needs a QGuiApplication."""
    from app.gui.fonts import cjk_family

    return cjk_family() or QFont().family()


@dataclass(frozen=True)
class AvatarSettings:
    """Avatar window settings (validated on construction; ValueError when invalid)."""

    look: str = "studio"
    """Outfit / character: a key of ``assets/avatar/avatar.json`` ``looks`` (``studio``, ``casual``)."""
    background: str = "#00FF00"
    """A colour (``#RRGGBB`` or a Qt colour name) or the path of an image file (PNG/JPEG),
    scaled to cover the window."""
    aspect: str | None = "9:16"
    """``9:16`` (phone live rooms), ``16:9`` or ``None`` (free)."""
    size: tuple[int, int] = (540, 960)
    """Initial window size in logical pixels (width, height)."""
    subtitles: bool = True
    subtitle_size: float = 0.04
    """Subtitle font height as a fraction of the window height (0.01 .. 0.2)."""
    subtitle_position: str = "bottom"
    """``bottom`` or ``top``."""
    badge: bool = True
    """Show the AI disclosure badge (several platforms require AI-generated hosts to say so)."""
    badge_text: str = "AI 虚拟主播 / AI host"
    fps: float = 60.0
    """Target frames per second (1 .. 240)."""
    seed: int | None = None
    """Seeds the blink timing (``None`` = different every run)."""
    mouth: MouthParams = field(default_factory=MouthParams)

    def __post_init__(self) -> None:
        if self.aspect is not None and self.aspect not in ASPECTS:
            raise ValueError(f"aspect must be one of {sorted(ASPECTS)} or None, got {self.aspect!r}")
        if self.subtitle_position not in ("bottom", "top"):
            raise ValueError(f"subtitle_position must be 'bottom' or 'top', got {self.subtitle_position!r}")
        if not 0.01 <= self.subtitle_size <= 0.2:
            raise ValueError(f"subtitle_size must be within 0.01..0.2 of the window height, got {self.subtitle_size}")
        if not 1 <= self.fps <= 240:
            raise ValueError(f"fps must be within 1..240, got {self.fps}")
        if min(self.size) < 64:
            raise ValueError(f"size must be at least 64x64, got {self.size}")


class AvatarWindow(QWidget):
    """Top-level window titled exactly ``LiveHost Avatar`` that shows the animated host.

    Args:
        settings: see :class:`AvatarSettings`.
        art: the art to draw (default: ``assets/avatar``).
        now: monotonic clock in seconds (tests may pass a fake one).

    Raises:
        ValueError: unknown look in ``settings``.
        LiveHostError: ``avatar-art-missing`` (art files), ``avatar-background-unreadable``
            (background image).

    Attributes:
        paint_s: deque of paintEvent wall-clock durations (seconds), newest last (last 36 000).
        paint_cpu_s: the same paints in GUI-thread CPU time (``time.thread_time``); excludes
            time spent waiting for a CPU, and the span fills Qt's raster engine hands to its
            helper threads for large areas.
        tick_times: deque of frame-timer tick times (``now()`` seconds), newest last.
        tick_cpu: process CPU time (``time.process_time()``: all threads, including Qt's raster
            helper threads) at each tick, to tell a late frame caused by this process's work from
            one caused by waiting for a CPU held by other processes.
    """

    closed = Signal()
    """Emitted when the user closes the window (it only hides; call ``show()`` to bring it back)."""

    def __init__(self, settings: AvatarSettings = AvatarSettings(), art: AvatarArt | None = None,
                 now: Callable[[], float] = time.monotonic) -> None:
        super().__init__(None)
        self.setWindowTitle(WINDOW_TITLE)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)  # we paint every pixel
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setMinimumSize(90, 90)
        self._now = now
        self._settings = settings
        self._renderer = AvatarRenderer(art or AvatarArt(), settings.look)
        self._animator = Animator(seed=settings.seed)
        self._mouth_params = settings.mouth
        self._bg_color = QColor("#00FF00")
        self._bg_image: QImage | None = None
        self._bg_cache: QPixmap | None = None
        self.set_background(settings.background)
        self._aspect = ASPECTS[settings.aspect] if settings.aspect else None
        self._subtitles = settings.subtitles
        self._subtitle_size = settings.subtitle_size
        self._subtitle_position = settings.subtitle_position
        self._badge = settings.badge
        self._badge_text = settings.badge_text
        self._font_family = cjk_font_family()
        self._sub_cache: tuple[tuple, QPixmap] | None = None
        self._badge_cache: tuple[tuple, QPixmap] | None = None
        self._state = AvatarState()
        self.paint_s: deque[float] = deque(maxlen=36000)
        self.paint_cpu_s: deque[float] = deque(maxlen=36000)
        self.tick_times: deque[float] = deque(maxlen=36000)
        self.tick_cpu: deque[float] = deque(maxlen=36000)
        self._period = 1.0 / settings.fps
        self._due = 0.0
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._tick)
        self._rebuild_timer = QTimer(self)  # debounce cache rebuilds while the window is dragged
        self._rebuild_timer.setSingleShot(True)
        self._rebuild_timer.setInterval(120)
        self._rebuild_timer.timeout.connect(self._start_build)
        self._build = None
        self.resize(*settings.size)
        self._warm_up()

    def _warm_up(self) -> None:
        """Pay one-time costs now rather than in the first spoken frame: numpy's first
        percentile call, and loading the CJK font and its glyph cache (~20-50 ms together)."""
        MouthTrack(np.array([0.0, 0.1], np.float32), 1.0 / 60.0, self._mouth_params)
        subtitles = self._subtitles
        self._subtitles = True
        self._subtitle_pixmap("谢谢宝宝的关注！这款只要59.9元 Thanks")
        self._subtitles, self._sub_cache = subtitles, None
        self._badge_pixmap()

    # ------------------------------------------------------------------ public API
    @property
    def settings(self) -> AvatarSettings:
        """The settings the window was created with (later ``set_*`` calls are not reflected)."""
        return self._settings

    def looks(self) -> dict[str, dict]:
        """Available looks: name -> ``{"label_zh", "label_en", ...}`` (for a settings combo box)."""
        return dict(self._renderer.art.looks)

    @property
    def look(self) -> str:
        return self._renderer.look

    def speak(self, text: str, envelope: np.ndarray, frame_s: float = 1.0 / 60.0,
              intent: str | None = None, *, clock: Callable[[], float] | None = None,
              started_at: float | None = None) -> None:
        """Start the mouth animation and subtitle for a sentence being played.

        Args:
            text: what is being said (shown as subtitles, sentence by sentence).
            envelope: RMS per frame of the audio being played, shape ``(n,)``, 0..1 full scale
                (:func:`app.playback.sounddevice.rms_envelope`).
            frame_s: seconds per envelope frame (default 1/60).
            intent: the reply's intent / kind; picks the expression (see
                :data:`app.gui.avatar.animation.EXPRESSION_BY_INTENT`).
            clock: callable returning the playback position in seconds (what is being heard;
                e.g. :meth:`PlaybackClock.position`); the mouth follows it every frame.
            started_at: when no ``clock`` is given, the monotonic time (``time.monotonic()``)
                the audio started; default now.

        Raises:
            ValueError: envelope not 1-D or ``frame_s <= 0``.
        """
        if clock is None:
            t0 = self._now() if started_at is None else float(started_at)
            clock = lambda: self._now() - t0  # noqa: E731
        self._animator.speak(text, envelope, frame_s, intent, clock, self._mouth_params,
                             subtitle_width=self._subtitle_capacity())
        self.update()

    def handle_event(self, event: object) -> None:
        """React to pipeline events the avatar cares about without audio (GUI thread):
        ``SpeechFinished``, ``SpeechMuted(muted=True)`` and ``MuteSpeech(muted=True)`` close the
        mouth at once (:meth:`stop_speaking`); ``NowSellingChanged`` shows the presenting pose
        for 2.5 s. Other events are ignored. Speech itself needs its audio envelope: see :meth:`speak`."""
        from app.events import MuteSpeech, NowSellingChanged, SpeechFinished, SpeechMuted

        if isinstance(event, SpeechFinished) or (isinstance(event, MuteSpeech | SpeechMuted) and event.muted):
            self.stop_speaking()
        elif isinstance(event, NowSellingChanged) and not self.speaking:
            self.set_expression("presenting", hold_s=2.5)

    def stop_speaking(self) -> None:
        """Panic mute: close the mouth and clear the subtitle on the next frame."""
        self._animator.stop(self._now())
        self.update()

    @property
    def speaking(self) -> bool:
        return self._animator.speaking

    def set_expression(self, expression: str, hold_s: float = 2.0) -> None:
        """Show an expression (``neutral``, ``warm``, ``apologetic``, ``presenting``) for
        ``hold_s`` seconds without speaking. ValueError for other names."""
        self._animator.set_expression(expression, self._now(), hold_s)
        self.update()

    def set_look(self, name: str) -> None:
        """Switch outfit / character (see :meth:`looks`); ValueError for an unknown name.
        While the window is shown, the new look's layers are rendered over the next ~30 frames
        (one layer per frame, so the animation never freezes) and then swapped in at once."""
        self._renderer.set_look(name)
        self._start_build()
        self.update()

    def set_background(self, value: str | Path | QColor) -> None:
        """Background: a QColor, a colour string (``#00FF00``, ``magenta``) or an image path.

        Raises:
            LiveHostError(code="avatar-background-unreadable"): neither a valid colour nor a
                readable image file.
        """
        if isinstance(value, QColor):
            color, path = value, None
        else:
            text = str(value)
            color = QColor(text) if text.startswith("#") or not Path(text).suffix else QColor()
            path = None if color.isValid() else Path(text)
        if path is None:
            if not color.isValid():
                raise LiveHostError("avatar-background-unreadable", f"{value!r} is not a colour.",
                                    "Use #RRGGBB (for example #00FF00) or an image file.")
            self._bg_color, self._bg_image = QColor(color.rgb()), None  # opaque, alpha dropped
        else:
            img = QImage(str(path))
            if img.isNull():
                raise LiveHostError("avatar-background-unreadable",
                                    f"Cannot read the background image {path}.",
                                    "Choose a PNG or JPEG file, or a colour.")
            self._bg_image = img.convertToFormat(QImage.Format.Format_RGB32)  # drop alpha: opaque
        self._bg_cache = None
        self.update()

    def background_color(self) -> QColor | None:
        """The background colour, or ``None`` when an image is used."""
        return None if self._bg_image is not None else QColor(self._bg_color)

    def set_aspect(self, aspect: str | None) -> None:
        """Lock the window to ``9:16`` / ``16:9`` or free it (``None``); ValueError otherwise.
        Locking resizes the window now, keeping its shorter side. If the window manager refuses
        a size (e.g. maximised), the stage is letterboxed at the aspect inside the window."""
        if aspect is not None and aspect not in ASPECTS:
            raise ValueError(f"aspect must be one of {sorted(ASPECTS)} or None, got {aspect!r}")
        self._aspect = ASPECTS[aspect] if aspect else None
        if self._aspect:
            a, b = self._aspect
            short = min(self.width(), self.height())
            self.resize(*((short, round(short * b / a)) if a < b else (round(short * a / b), short)))
        self.update()

    @property
    def aspect(self) -> str | None:
        return next((k for k, v in ASPECTS.items() if v == self._aspect), None)

    def set_subtitles(self, enabled: bool, size: float | None = None, position: str | None = None) -> None:
        """Subtitles on/off; ``size`` = font height as a fraction of the window height
        (0.01..0.2); ``position`` = ``bottom`` | ``top``. ValueError for bad values."""
        if size is not None and not 0.01 <= size <= 0.2:
            raise ValueError(f"subtitle size must be within 0.01..0.2, got {size}")
        if position is not None and position not in ("bottom", "top"):
            raise ValueError(f"subtitle position must be 'bottom' or 'top', got {position!r}")
        self._subtitles = bool(enabled)
        self._subtitle_size = size if size is not None else self._subtitle_size
        self._subtitle_position = position or self._subtitle_position
        self.update()

    @property
    def subtitles_enabled(self) -> bool:
        return self._subtitles

    def subtitle_rect(self) -> QRectF | None:
        """Where the subtitle is drawn now (px), ``None`` when none is shown."""
        sub = self._subtitle_pixmap(self._state.subtitle)
        return None if sub is None else self._subtitle_geometry(sub)

    def set_badge(self, enabled: bool, text: str | None = None) -> None:
        """Show / hide the AI disclosure badge (default text ``AI 虚拟主播 / AI host``)."""
        self._badge = bool(enabled)
        if text is not None:
            self._badge_text = text
        self.update()

    def current_state(self) -> AvatarState:
        """The pose for the current time (advances blink timing like a frame would)."""
        self._state = self._animator.state(self._now())
        return self._state

    def render_image(self) -> QImage:
        """Paint one frame now into an image of the window's size (for tests, screenshots and
        thumbnails; does not need the window to be shown)."""
        img = QImage(self.size() * self.devicePixelRatioF(), QImage.Format.Format_RGB32)
        img.setDevicePixelRatio(self.devicePixelRatioF())
        self._ensure_caches()
        p = QPainter(img)
        self._paint_frame(p, self.current_state())
        p.end()
        return img

    def save_screenshot(self, path: str | Path) -> bool:
        """Save what the window shows now as an image file (PNG by the suffix); False when it
        could not be written."""
        return bool(self.grab().save(str(path)))

    # ------------------------------------------------------------------ frame loop
    def _tick(self) -> None:
        now = self._now()
        self.tick_times.append(now)
        self.tick_cpu.append(time.process_time())
        self._due += self._period
        if self._due <= now:  # fell behind (stall): restart the cadence from now
            self._due = now + self._period
        self._timer.start(max(1, round((self._due - now) * 1000)))
        self._build_step()
        self.update()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        self._ensure_caches()
        self._due = self._now() + self._period
        self._timer.start(max(1, round(self._period * 1000)))
        super().showEvent(event)

    def hideEvent(self, event) -> None:  # noqa: N802
        self._timer.stop()
        super().hideEvent(event)

    def closeEvent(self, event) -> None:  # noqa: N802
        self._timer.stop()
        self.closed.emit()
        super().closeEvent(event)

    def resizeEvent(self, event) -> None:  # noqa: N802
        if self._aspect is not None:
            a, b = self._aspect
            w, h, old = self.width(), self.height(), event.oldSize()
            width_led = not old.isValid() or abs(w - old.width()) * h >= abs(h - old.height()) * w
            want = QSize(w, round(w * b / a)) if width_led else QSize(round(h * a / b), h)
            if abs(want.width() - w) > 1 or abs(want.height() - h) > 1:
                self.resize(want)  # a window manager may refuse (maximised): we then letterbox
        self._bg_cache = None
        if self._renderer.prepared_ratio():
            self._rebuild_timer.start()  # debounce while dragging: old caches are scaled meanwhile
        super().resizeEvent(event)

    def _stage(self) -> QRectF:
        r = QRectF(self.rect())
        if self._aspect is None:
            return r
        a, b = self._aspect
        w = min(r.width(), r.height() * a / b)
        h = w * b / a
        return QRectF(r.center().x() - w / 2, r.center().y() - h / 2, w, h)

    def _target_ratio(self) -> float:
        return self._renderer.fit(self._stage())[0] * self.devicePixelRatioF()

    def _ensure_caches(self) -> None:
        """Finish any rebuild now (first frame, hidden window, render_image)."""
        self._build = None
        self._renderer.prepare(self._target_ratio())

    def _start_build(self) -> None:
        """Rebuild the layer caches for the current size / look, one step per frame tick
        (the old caches are drawn, scaled, until the new ones are complete)."""
        if not self._renderer.prepared_ratio() or not self.isVisible():
            self._ensure_caches()
        elif not self._renderer.is_current(self._target_ratio()):
            self._build = self._renderer.build(self._target_ratio())

    def _build_step(self) -> None:
        if self._build is not None:
            try:
                next(self._build)
            except StopIteration:
                self._build = None
                self.update()

    @property
    def rebuilding(self) -> bool:
        """True while layer caches are being rebuilt in the background (after a resize or a
        look change)."""
        return self._build is not None

    def paintEvent(self, event) -> None:  # noqa: N802
        t0, c0 = time.perf_counter(), time.thread_time()
        if not self._renderer.prepared_ratio():
            self._ensure_caches()
        p = QPainter(self)
        self._paint_frame(p, self.current_state())
        p.end()
        self.paint_s.append(time.perf_counter() - t0)
        self.paint_cpu_s.append(time.thread_time() - c0)

    def _paint_frame(self, p: QPainter, state: AvatarState) -> None:
        rect = QRectF(self.rect())
        if self._bg_image is None:
            p.fillRect(rect, self._bg_color)
        else:
            if self._bg_cache is None or self._bg_cache.size() != self.size() * self.devicePixelRatioF():
                dpr = self.devicePixelRatioF()
                scaled = self._bg_image.scaled(self.size() * dpr, Qt.AspectRatioMode.KeepAspectRatioByExpanding,
                                               Qt.TransformationMode.SmoothTransformation)
                x, y = (scaled.width() - self.width() * dpr) // 2, (scaled.height() - self.height() * dpr) // 2
                pm = QPixmap.fromImage(scaled.copy(int(x), int(y), round(self.width() * dpr),
                                                   round(self.height() * dpr)))
                pm.setDevicePixelRatio(dpr)
                self._bg_cache = pm
            p.drawPixmap(0, 0, self._bg_cache)
        self._renderer.paint(p, self._stage(), state)
        if self._badge:
            badge = self._badge_pixmap()
            m = 0.025 * min(self.width(), self.height())
            stage = self._stage()
            p.drawPixmap(QPointF(stage.left() + m, stage.top() + m), badge)
        sub = self._subtitle_pixmap(state.subtitle)
        if sub is not None:
            p.drawPixmap(self._subtitle_geometry(sub).topLeft(), sub)

    # ------------------------------------------------------------------ cached overlays
    def _subtitle_geometry(self, pm: QPixmap) -> QRectF:
        stage = self._stage()
        w, h = pm.width() / pm.devicePixelRatio(), pm.height() / pm.devicePixelRatio()
        m = 0.04 * stage.height()
        y = stage.bottom() - m - h if self._subtitle_position == "bottom" else stage.top() + 2.2 * m
        return QRectF(stage.center().x() - w / 2, y, w, h)

    def _subtitle_capacity(self) -> float:
        """How much text one subtitle shows: two lines of the subtitle box, in CJK-character
        widths (a CJK glyph is ~1 em wide)."""
        stage = self._stage()
        px = max(10.0, self._subtitle_size * stage.height())
        return max(8.0, 2 * 0.95 * stage.width() * 0.86 / px - 1)

    def _subtitle_pixmap(self, text: str) -> QPixmap | None:
        if not self._subtitles or not text:
            return None
        stage = self._stage()
        px = max(10.0, self._subtitle_size * stage.height())
        key = (text, round(px, 1), round(stage.width()), self.devicePixelRatioF())
        if self._sub_cache is not None and self._sub_cache[0] == key:
            return self._sub_cache[1]
        font = QFont(self._font_family)
        font.setPixelSize(round(px))
        font.setWeight(QFont.Weight.DemiBold)
        fm = QFontMetricsF(font)
        max_w = stage.width() * 0.86
        # balanced lines: wrap at (text width / number of lines) rather than leaving one or two
        # characters alone on the last line
        lines = max(1, math.ceil(fm.horizontalAdvance(text) / max_w))
        wrap_w = min(max_w, fm.horizontalAdvance(text) / lines + 1.5 * px)
        flags = int(Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap)
        br = fm.boundingRect(QRectF(0, 0, wrap_w, 10 * px), flags, text)
        pad_x, pad_y = 0.6 * px, 0.3 * px
        w, h = math.ceil(br.width() + 2 * pad_x), math.ceil(br.height() + 2 * pad_y)
        dpr = self.devicePixelRatioF()
        img = QImage(round(w * dpr), round(h * dpr), QImage.Format.Format_ARGB32_Premultiplied)
        img.setDevicePixelRatio(dpr)
        img.fill(0)
        p = QPainter(img)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(24, 26, 38))  # opaque: a translucent box would mix with the chroma colour
        p.drawRoundedRect(QRectF(0, 0, w, h), 0.35 * px, 0.35 * px)
        p.setFont(font)
        p.setPen(QColor("#FFFFFF"))
        p.drawText(QRectF(pad_x, pad_y, br.width(), br.height()), flags, text)
        p.end()
        pm = QPixmap.fromImage(img)
        self._sub_cache = (key, pm)
        return pm

    def _badge_pixmap(self) -> QPixmap:
        stage = self._stage()
        px = max(9.0, 0.021 * max(stage.width(), stage.height()))
        key = (self._badge_text, round(px, 1), self.devicePixelRatioF())
        if self._badge_cache is not None and self._badge_cache[0] == key:
            return self._badge_cache[1]
        font = QFont(self._font_family)
        font.setPixelSize(round(px))
        font.setWeight(QFont.Weight.Bold)
        fm = QFontMetricsF(font)
        dot = px * 0.8
        tw = fm.horizontalAdvance(self._badge_text)
        w, h = math.ceil(tw + dot + px * 1.6), math.ceil(px * 1.8)
        dpr = self.devicePixelRatioF()
        img = QImage(round(w * dpr), round(h * dpr), QImage.Format.Format_ARGB32_Premultiplied)
        img.setDevicePixelRatio(dpr)
        img.fill(0)
        p = QPainter(img)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(QPen(QColor("#FFFFFF"), max(1.0, px / 10)))
        p.setBrush(QColor(30, 32, 48))
        p.drawRoundedRect(QRectF(0.5, 0.5, w - 1, h - 1), h / 2, h / 2)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#FF4F7B"))
        p.drawEllipse(QPointF(px * 0.6 + dot / 2, h / 2), dot / 2, dot / 2)
        p.setFont(font)
        p.setPen(QColor("#FFFFFF"))
        p.drawText(QRectF(px * 0.9 + dot, 0, tw + px, h),
                   int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), self._badge_text)
        p.end()
        pm = QPixmap.fromImage(img)
        self._badge_cache = (key, pm)
        return pm

