"""`livehost gui --demo --screenshot DIR --quit-after S` end to end under Xvfb.

Needs the shipped intent model (the demo uses the real engines); skipped when it is not
installed. Runs in a subprocess so the demo owns its QApplication.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

REPO = Path(__file__).resolve().parents[1]
MODEL = REPO / "models" / "intent"
needs_model = pytest.mark.skipif(not (MODEL / "config.json").is_file(),
                                 reason="the intent model is not installed in models/intent")

RUN = ("import sys; sys.path.insert(0, {repo!r}); from app.cli import main; "
       "sys.exit(main(['gui', *sys.argv[1:]]))")


def run_demo(tmp_path, env_extra, wrapper=()):
    env = dict(os.environ, HOME=str(tmp_path / "home"), XDG_CONFIG_HOME=str(tmp_path / "cfg"),
               XDG_DATA_HOME=str(tmp_path / "data"), **env_extra)
    shots = tmp_path / "shots"
    cmd = [*wrapper, sys.executable, "-c", RUN.format(repo=str(REPO)), "--demo", "--lang", "zh",
           "--speed", "30", "--screenshot", str(shots), "--screenshot-at", "5", "--quit-after", "10"]
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=240)
    return p, shots


def check(p, shots):
    from PySide6.QtGui import QImage

    assert p.returncode == 0, p.stdout + p.stderr
    line = next(x for x in p.stdout.splitlines() if x.startswith("console:"))
    events = int(line.split("console: ")[1].split(" events shown")[0])
    animated = int(line.split(" replies animated")[0].rsplit(", ", 1)[1])
    assert events > 10 and animated >= 1, line
    console, avatar = QImage(str(shots / "console.png")), QImage(str(shots / "avatar.png"))
    assert not console.isNull() and console.width() >= 800
    assert not avatar.isNull() and avatar.height() > avatar.width()  # 9:16
    corner = avatar.pixelColor(avatar.width() - 2, avatar.height() // 3)
    assert (corner.red(), corner.green(), corner.blue()) == (0, 255, 0)  # opaque chroma green


@needs_model
def test_demo_saves_screenshots_under_xvfb(tmp_path):
    """Under Xvfb as the README screenshots are taken (offscreen when xvfb-run is missing)."""
    if shutil.which("xvfb-run"):
        p, shots = run_demo(tmp_path, {"QT_QPA_PLATFORM": "xcb"},
                            wrapper=("xvfb-run", "-a", "-s", "-screen 0 1600x1000x24"))
    else:
        p, shots = run_demo(tmp_path, {"QT_QPA_PLATFORM": "offscreen"})
    check(p, shots)


HIDPI = """
import sys
sys.path.insert(0, {repo!r})
from PySide6.QtWidgets import QApplication
app = QApplication([])
from app.catalog.importer import load_catalog
from app.gui.console import ConsoleWindow
from app.gui.theme import apply_ui_font
from app.replay import DEMO_CATALOG
from app.settings import load_settings
from pathlib import Path
apply_ui_font(app)
w = ConsoleWindow(load_settings(Path({tmp!r}) / "none.toml"), load_catalog(DEMO_CATALOG).catalog)
w.show()
app.processEvents()
pm = w.grab()
fm = w.feed.view.fontMetrics()
print(pm.devicePixelRatio(), pm.width(), w.width(), w.feed.view.verticalHeader().defaultSectionSize(), fm.height())
"""


def test_console_renders_on_a_high_dpi_screen(tmp_path):
    """With a 2x scale factor the console renders at twice the pixels with the same layout."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_SCALE_FACTOR="2")
    p = subprocess.run([sys.executable, "-c", HIDPI.format(repo=str(REPO), tmp=str(tmp_path))], env=env,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    dpr, px_width, logical_width, row_h, font_h = p.stdout.split()
    assert float(dpr) == 2.0 and int(px_width) == 2 * int(logical_width)
    assert int(row_h) == int(font_h) + 8  # row height follows the font, not a fixed pixel size
