"""Headless Chromium with the LiveHost browser bridge loaded, for the tests (and the README
screenshots): Debian's ``chromium`` started with the extension, driven over the DevTools
protocol by Playwright (``connect_over_cdp``; Playwright downloads no browser here).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BRIDGE = REPO / "packaging" / "browser-bridge"
DATA = REPO / "tests" / "data" / "browser-bridge"

CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--no-default-browser-check", "--disable-dev-shm-usage", "--lang=zh-CN"]


def find_chromium() -> str | None:
    """Path of a Chromium binary (Debian's ``chromium``), or None."""
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def prepare_extension(dest: Path, *, test_page: bool = True) -> Path:
    """Copy the bridge to ``dest``; with ``test_page``, add the test page's selector file
    (tests/data/browser-bridge/selectors/testlive.json) and let the content script run on
    http://127.0.0.1 (the shipped manifest lists only the platforms' own sites)."""
    shutil.copytree(BRIDGE, dest)
    if test_page:
        shutil.copy(DATA / "selectors" / "testlive.json", dest / "selectors" / "testlive.json")
        index_path = dest / "selectors" / "index.json"
        index = json.loads(index_path.read_text(encoding="utf-8"))
        index["files"].append("testlive.json")
        index_path.write_text(json.dumps(index, indent=2), encoding="utf-8")
        manifest_path = dest / "manifest.json"
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        manifest["content_scripts"][0]["matches"].append("http://127.0.0.1/*")
        manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    return dest


class Chromium:
    """``async with Chromium(ext_dir, profile_dir) as c:`` -- a running headless Chromium with the
    extension loaded; ``c.browser`` is the Playwright Browser, ``c.context`` its default context,
    ``c.extension_id`` the bridge's id."""

    def __init__(self, extension: Path, profile: Path, *, developer_mode: bool = False,
                 window: tuple[int, int] = (1100, 760)) -> None:
        self.extension = Path(extension)
        self.profile = Path(profile)
        self.developer_mode = developer_mode
        self.window = window
        self.proc: asyncio.subprocess.Process | None = None
        self._pw = None
        self.browser = None
        self.context = None
        self.extension_id = ""

    async def __aenter__(self) -> "Chromium":
        from playwright.async_api import async_playwright

        exe = find_chromium()
        if exe is None:
            raise RuntimeError("chromium is not installed")
        self.profile.mkdir(parents=True, exist_ok=True)
        if self.developer_mode:  # what a seller switches on in chrome://extensions
            (self.profile / "Default").mkdir(exist_ok=True)
            (self.profile / "Default" / "Preferences").write_text(
                json.dumps({"extensions": {"ui": {"developer_mode": True}}}), encoding="utf-8")
        args = [exe, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}",
                f"--window-size={self.window[0]},{self.window[1]}",
                f"--disable-extensions-except={self.extension}", f"--load-extension={self.extension}",
                "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "about:blank"]
        self.proc = await asyncio.create_subprocess_exec(*args, stdin=subprocess.DEVNULL,
                                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = self.profile / "DevToolsActivePort"
        for _ in range(300):
            if port_file.exists() and port_file.read_text().strip():
                break
            if self.proc.returncode is not None:
                raise RuntimeError(f"chromium exited with code {self.proc.returncode}")
            await asyncio.sleep(0.05)
        else:
            raise RuntimeError("chromium did not open its DevTools port")
        port = int(port_file.read_text().split()[0])
        self._pw = await async_playwright().start()
        self.browser = await self._pw.chromium.connect_over_cdp(f"http://127.0.0.1:{port}")
        self.context = self.browser.contexts[0]
        worker = next((w for w in self.context.service_workers if w.url.startswith("chrome-extension://")), None)
        if worker is None:
            worker = await self.context.wait_for_event("serviceworker", timeout=20_000)
        self.extension_id = worker.url.split("/")[2]
        self.worker = worker
        return self

    async def __aexit__(self, *exc) -> None:
        with contextlib.suppress(Exception):
            await self.browser.close()
        with contextlib.suppress(Exception):
            await self._pw.stop()
        if self.proc is not None and self.proc.returncode is None:
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), 10)
            except asyncio.TimeoutError:
                self.proc.kill()
                await self.proc.wait()

    def extension_url(self, path: str) -> str:
        return f"chrome-extension://{self.extension_id}/{path}"

    async def status(self, page) -> dict:
        """The bridge's status, asked from one of its own pages (``page`` shows options.html)."""
        return await page.evaluate("chrome.runtime.sendMessage({type: 'get-status'})")
