"""``livehost gui`` (and ``livehost`` with no arguments): the seller console and the avatar window.

``livehost gui --demo [--session FILE] [--screenshot DIR] [--quit-after SECONDS]`` opens the
console and the avatar window, replays the bundled demo session (or FILE) through them
(auto-approving per the defaults) and, with ``--screenshot``, saves ``console.png`` and
``avatar.png`` mid-session. Works under Xvfb and with ``QT_QPA_PLATFORM=offscreen``.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

from app.errors import LiveHostError


def what_to_run(args, prefs) -> tuple[Path, Path | None, float | None]:
    """(catalog file, session file or None, replay speed or None = as fast as possible) for the
    console's options: ``--demo`` = the bundled catalog and session (or ``--session FILE``) at 10x,
    ``--session FILE`` at real time, ``--speed X|max`` overriding either."""
    from app.paths import DEMO_CATALOG, DEMO_SESSION

    asked = args.speed  # None: not given; inf: --speed max
    if args.demo:
        catalog_path = Path(args.catalog) if args.catalog else DEMO_CATALOG
        session_path = Path(args.session) if args.session else DEMO_SESSION
        speed = 10.0 if asked is None else asked
    else:
        catalog_path = Path(args.catalog) if args.catalog else (
            Path(prefs.last_catalog) if prefs.last_catalog and Path(prefs.last_catalog).is_file() else DEMO_CATALOG)
        session_path = Path(args.session) if args.session else None
        speed = 1.0 if asked is None else asked
    return catalog_path, session_path, None if speed == float("inf") else speed


def run(args) -> int:
    """Run the console until it is closed (or ``--quit-after``). Returns the exit code.

    Raises:
        LiveHostError: bad settings or preferences, a missing or empty session file, no display.
    """
    t_start = time.perf_counter()

    from app.settings import default_settings_path, load_settings

    settings_path = Path(args.config) if args.config else default_settings_path()
    settings = load_settings(settings_path)
    from app.gui.prefs import gui_prefs_path, load_prefs

    prefs = load_prefs(gui_prefs_path(settings_path))
    catalog_path, session_path, speed = what_to_run(args, prefs)
    if session_path is not None:
        from app.sources.replay import ReplayChatSource

        ReplayChatSource(session_path)  # fail now on a missing or empty file, before any window opens
    from app.paths import DEMO_INTERACTIONS, is_demo_catalog

    if (sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM")
            and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")):
        raise LiveHostError(
            "gui-no-display", "There is no display to open the console on (DISPLAY is not set).",
            "Run it on the desktop, or headless with `xvfb-run -a livehost gui ...` "
            "or QT_QPA_PLATFORM=offscreen.")
    try:
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication
    except ImportError as exc:
        raise LiveHostError("gui-missing", f"The console needs PySide6 ({exc}).",
                            "Install it: pip install PySide6-Essentials") from exc

    from app.gui.catalog_report import load_catalog_for_console
    from app.gui.console import ConsoleWindow, apply_avatar_prefs, stylesheet
    from app.gui.i18n import i18n, system_language
    from app.gui.theme import apply_theme, apply_ui_font

    # The GUI thread shares the GIL with the core thread: hand it over more often (default 5 ms)
    # so frames and clicks are not held up by Python work on the core thread.
    sys.setswitchinterval(0.001)
    app = QApplication.instance() or QApplication(["livehost"])
    app.setApplicationName("LiveHost")
    apply_ui_font(app)
    theme = args.theme or prefs.theme
    apply_theme(app, theme)
    app.setStyleSheet(stylesheet(theme))
    lang = args.lang or (system_language() if prefs.ui_language == "system" else prefs.ui_language)
    i18n.set_language(lang)

    # a broken catalog does not stop the console: the seller sees the report and chooses what to do
    loaded = load_catalog_for_console(catalog_path, skip_bad_rows=args.skip_bad_rows)
    if loaded is None:
        return 1
    catalog, catalog_path = loaded

    from app.gui.bridge import SessionSpec

    session_id = time.strftime(("demo-" if args.demo else "live-") + "%Y%m%d-%H%M%S")
    spec = SessionSpec(settings=settings, catalog=catalog, session_id=session_id,
                       use_recommender=not args.no_recommender,
                       interactions_file=DEMO_INTERACTIONS if is_demo_catalog(catalog_path) else None)
    console = ConsoleWindow(settings, catalog, catalog_path=catalog_path, settings_path=settings_path,
                            prefs=prefs, spec=spec)
    console.show()
    app.processEvents()
    shown_s = time.perf_counter() - t_start
    logging.getLogger(__name__).info("console shown after %.2f s", shown_s)
    console.start_session(session_path, speed)  # the core loads on its own thread
    avatar = None  # opened after the console is usable
    avatar_process = getattr(args, "avatar_process", None) or prefs.avatar_process
    if not args.no_avatar and avatar_process == "separate":
        from app.gui.avatar.messages import OpenWindow
        from app.gui.avatar_process import AvatarProcess

        g = console.frameGeometry()
        avatar = AvatarProcess(OpenWindow(
            look=prefs.avatar_look, background=prefs.avatar_background,
            aspect=None if prefs.avatar_aspect == "free" else prefs.avatar_aspect,
            subtitles=prefs.avatar_subtitles, badge=prefs.avatar_badge, size=(405, 720),
            position=(g.right() + 8, g.top())), parent=console)
        console.attach_avatar(avatar)
        avatar.start()  # its own interpreter: the window is up in ~0.3 s, whatever the core does
    elif not args.no_avatar:
        from app.gui.avatar.window import AvatarSettings, AvatarWindow

        try:
            avatar = AvatarWindow(AvatarSettings(
                look=prefs.avatar_look, aspect=None if prefs.avatar_aspect == "free" else prefs.avatar_aspect,
                subtitles=prefs.avatar_subtitles, badge=prefs.avatar_badge, size=(405, 720)))
            apply_avatar_prefs(avatar, prefs)
        except (LiveHostError, ValueError) as exc:
            print(f"livehost: avatar window not opened: {exc}", file=sys.stderr)
            avatar = None

    if avatar is not None and avatar_process != "separate":
        console.attach_avatar(avatar)
        avatar.show()
        g = console.frameGeometry()
        avatar.move(g.right() + 8, g.top())

    shots = {"done": False}

    def take_screenshots() -> None:
        if shots["done"] or not args.screenshot:
            return
        shots["done"] = True
        out = Path(args.screenshot)
        out.mkdir(parents=True, exist_ok=True)
        console.grab().save(str(out / "console.png"))
        if avatar is not None:
            avatar.save_screenshot(out / "avatar.png")
        print(f"screenshots saved in {out}", flush=True)

    if args.screenshot:
        at = args.screenshot_at or (0.6 * args.quit_after if args.quit_after else 20.0)

        def arm() -> None:  # count from the moment the core is ready (the replay starts then)
            if console.session is not None:
                QTimer.singleShot(int(at * 1000), take_screenshots)
            else:
                QTimer.singleShot(200, arm)

        arm()
    if args.quit_after:
        def quit_now() -> None:
            take_screenshots()
            console.close()
            app.quit()

        def arm_quit() -> None:  # count from the moment the core is ready (or failed to load)
            if console.session is not None or console.status.loading_state == "failed":
                QTimer.singleShot(int(args.quit_after * 1000), quit_now)
            else:
                QTimer.singleShot(200, arm_quit)

        arm_quit()
    if avatar is not None:
        avatar.closed.connect(lambda: None)
    code = app.exec()
    summary = (f"console: {console.feed.model.rowCount()} events shown, {console.event_count} core events, "
               f"{len(console.queue.cards)} cards waiting, {len(console.avatar_link.envelopes)} replies animated, "
               f"{len(console.status.errors)} errors, window shown after {shown_s:.2f} s")
    if console.isVisible():
        console.close()
    failed = console.status.loading_state == "failed"
    if args.demo or args.verbose:
        print(summary, flush=True)
        for e in console.status.errors[-5:]:
            print(f"  [{e.code}] {e.message}", flush=True)
    return 1 if failed and args.demo else code
