"""``livehost gui``: open the seller console (and the avatar window).

``livehost`` with no arguments calls :func:`main_gui` with ``[]``.

``livehost gui --demo [--screenshot DIR] [--quit-after SECONDS]`` opens the console and the
avatar window, replays the bundled demo session through them (auto-approving per the
defaults) and, with ``--screenshot``, saves ``console.png`` and ``avatar.png`` mid-session.
Works under Xvfb and with ``QT_QPA_PLATFORM=offscreen``.

Exit codes: 0 closed normally, 1 unusable input (bad settings, catalog, session file), 2 usage.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

from app.errors import LiveHostError


from app.cli import _speed  # one parser for --speed across the commands


def _positive(value: str) -> float:
    try:
        v = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {value!r}") from None
    if v <= 0:
        raise argparse.ArgumentTypeError("must be positive")
    return v


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="livehost gui", description="Open the LiveHost seller console.")
    p.add_argument("--config", help="settings TOML file (default: the user config directory)")
    p.add_argument("--catalog", help="catalog .csv/.xlsx (default: the last one opened, else the bundled demo)")
    p.add_argument("--session", help="replay this session .jsonl through the console once it is ready")
    p.add_argument("--speed", type=_speed, default=None,
                   help="replay speed: 1 = real time (default for --session), max = no waiting; --demo uses 10")
    p.add_argument("--demo", action="store_true",
                   help="replay the bundled demo session with the bundled catalog")
    p.add_argument("--screenshot", metavar="DIR", help="save console.png and avatar.png into DIR mid-session")
    p.add_argument("--screenshot-at", type=_positive, metavar="SECONDS",
                   help="when to take the screenshots, seconds after the replay starts "
                        "(default: 60%% of --quit-after, else 20)")
    p.add_argument("--quit-after", type=_positive, metavar="SECONDS", help="close after this many seconds")
    p.add_argument("--lang", choices=("zh", "en"), help="UI language (default: settings, else the system locale)")
    p.add_argument("--theme", choices=("light", "dark"), help="colour theme (default: settings)")
    p.add_argument("--no-avatar", action="store_true", help="do not open the avatar window")
    p.add_argument("--no-recommender", action="store_true",
                   help="answer recommendation requests without the recommender (slot match only)")
    p.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    return p


def _fail(exc: LiveHostError) -> int:
    print(f"livehost: error [{exc.code}]: {exc.message}", file=sys.stderr)
    if exc.hint:
        print(f"  what to do: {exc.hint}", file=sys.stderr)
    return 1


def main_gui(argv: list[str]) -> int:
    """Run the console until it is closed (or ``--quit-after``). Returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    t_start = time.perf_counter()

    from app.replay import DEMO_CATALOG, DEMO_SESSION
    from app.settings import default_settings_path, load_settings

    settings_path = Path(args.config) if args.config else default_settings_path()
    try:
        settings = load_settings(settings_path)
        from app.gui.prefs import gui_prefs_path, load_prefs

        prefs = load_prefs(gui_prefs_path(settings_path))
    except LiveHostError as exc:
        return _fail(exc)
    if args.demo:
        catalog_path, session_path = DEMO_CATALOG, DEMO_SESSION
        speed = 10.0 if args.speed is None else args.speed
    else:
        catalog_path = Path(args.catalog) if args.catalog else (
            Path(prefs.last_catalog) if prefs.last_catalog and Path(prefs.last_catalog).is_file() else DEMO_CATALOG)
        session_path = Path(args.session) if args.session else None
        speed = 1.0 if args.speed is None and args.session else args.speed
    try:
        from app.catalog.importer import load_catalog

        catalog = load_catalog(catalog_path).catalog
        if session_path is not None:
            from app.sources.replay import ReplayChatSource

            ReplayChatSource(session_path)  # fail now on a missing file, before any window opens
    except LiveHostError as exc:
        return _fail(exc)

    if (sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM")
            and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")):
        return _fail(LiveHostError(
            "gui-no-display", "There is no display to open the console on (DISPLAY is not set).",
            "Run it on the desktop, or headless with `xvfb-run -a livehost gui ...` "
            "or QT_QPA_PLATFORM=offscreen."))
    try:
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication
    except ImportError as exc:
        return _fail(LiveHostError("gui-missing", f"The console needs PySide6 ({exc}).",
                                   "Install it: pip install PySide6-Essentials"))

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

    from app.gui.bridge import SessionSpec

    session_id = time.strftime(("demo-" if args.demo else "live-") + "%Y%m%d-%H%M%S")
    spec = SessionSpec(settings=settings, catalog=catalog, session_id=session_id,
                       use_recommender=not args.no_recommender)
    console = ConsoleWindow(settings, catalog, catalog_path=catalog_path, settings_path=settings_path,
                            prefs=prefs, spec=spec)
    console.show()
    app.processEvents()
    shown_s = time.perf_counter() - t_start
    logging.getLogger(__name__).info("console shown after %.2f s", shown_s)
    console.start_session(session_path, speed)  # the core loads on its own thread
    avatar = None  # opened after the console is usable
    if not args.no_avatar:
        from app.gui.avatar.window import AvatarSettings, AvatarWindow

        try:
            avatar = AvatarWindow(AvatarSettings(
                look=prefs.avatar_look, aspect=None if prefs.avatar_aspect == "free" else prefs.avatar_aspect,
                subtitles=prefs.avatar_subtitles, badge=prefs.avatar_badge, size=(405, 720)))
            apply_avatar_prefs(avatar, prefs)
        except (LiveHostError, ValueError) as exc:
            print(f"livehost: avatar window not opened: {exc}", file=sys.stderr)
            avatar = None

    if avatar is not None:
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
            avatar.grab().save(str(out / "avatar.png"))
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

        QTimer.singleShot(int(args.quit_after * 1000), quit_now)
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


def main() -> int:  # pragma: no cover - console script helper
    return main_gui(sys.argv[1:])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
