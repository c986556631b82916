"""The browser bridge (packaging/browser-bridge) in real headless Chromium, delivering a local
live-room page's comments to the ingest endpoint, across an endpoint restart.

Set ``LIVEHOST_BRIDGE_SCREENSHOTS=DIR`` to also save the README screenshots (chrome://extensions
in developer mode, the options page) into DIR.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path

import pytest

from app.events import ChatReceived, GiftReceived, IngestClientChanged, Received, ViewerEntered, ViewerFollowed
from app.sources.base import SourceContext
from app.sources.ingest import IngestChatSource
from tests.browser import BRIDGE, DATA, Chromium, find_chromium, prepare_extension

pytestmark = pytest.mark.skipif(find_chromium() is None,
                                reason="chromium is not installed (Debian package 'chromium', see packaging/setup.sh)")

TOKEN = "bridge-test-token"
KIND = {"comment": ChatReceived, "gift": GiftReceived, "enter": ViewerEntered, "follow": ViewerFollowed}


class Endpoint:
    """An ingest source on a fixed port, iterated on this loop."""

    def __init__(self, port: int, t0: float) -> None:
        self.src = IngestChatSource(port=port, token=TOKEN)
        self.events: list = []
        self.task = asyncio.create_task(self._run(t0))

    async def _run(self, t0: float) -> None:
        async for ev in self.src.events(SourceContext(now=lambda: time.monotonic() - t0, run_blocking=None)):
            self.events.append(ev)

    def received(self) -> list[Received]:
        return [e for e in self.events if isinstance(e, Received)]

    async def wait_received(self, n: int, timeout: float = 45.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received()) < n:
            assert time.monotonic() < deadline, f"only {len(self.received())} of {n} events: {self.events}"
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # anything more (a duplicate) would arrive now
        return self.received()

    async def stop(self) -> None:
        await self.src.aclose()
        await asyncio.wait_for(self.task, 10)


async def _serve_test_page():
    from aiohttp import web

    app = web.Application()
    app.router.add_static("/live/", DATA)
    app.router.add_static("/bridge/", BRIDGE)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]


def _expected(msg: dict, platform: str = "testlive") -> dict:
    """What the endpoint must yield for one message of chat_script.json."""
    out = {"kind": KIND[msg["kind"]], "nickname": msg["nickname"], "uid": f"nick:{msg['nickname']}",
           "platform": platform}
    if msg["kind"] == "comment":
        out["text"] = msg["text"] + msg.get("emoji", "")
    if msg["kind"] == "gift":
        out["gift"], out["count"] = msg["gift"], msg["count"]
    if msg.get("id"):
        out["msg_id"] = f"{platform}:{msg['id']}"
    return out


def _actual(ev: Received, with_id: bool) -> dict:
    out = {"kind": type(ev), "nickname": ev.viewer.nickname, "uid": ev.viewer.uid, "platform": ev.viewer.platform}
    if isinstance(ev, ChatReceived):
        out["text"] = ev.text
    if isinstance(ev, GiftReceived):
        out["gift"], out["count"] = ev.gift_name, ev.count
    if with_id:
        out["msg_id"] = ev.msg_id
    return out


def _compare(events: list[Received], msgs: list[dict]) -> None:
    assert len(events) == len(msgs), [(_actual(e, True)) for e in events]
    for ev, msg in zip(events, msgs):
        assert _actual(ev, bool(msg.get("id"))) == _expected(msg)
        if not msg.get("id"):  # a list without message ids: the bridge makes one per page run
            assert ev.msg_id.startswith("testlive:")


async def _set_options(page, port: int, token: str) -> None:
    await page.fill("#port", str(port))
    await page.fill("#token", token)
    await page.click("#save")


async def _wait_status(c: Chromium, page, pred, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        st = await c.status(page)
        if pred(st):
            return st
        assert time.monotonic() < deadline, f"bridge status never matched: {json.dumps(st, ensure_ascii=False)}"
        await asyncio.sleep(0.2)


def test_bridge_delivers_page_comments_and_resumes_after_the_endpoint_restarts(tmp_path):
    script = json.loads((DATA / "chat_script.json").read_text(encoding="utf-8"))
    msgs = script["messages"]
    shots = os.environ.get("LIVEHOST_BRIDGE_SCREENSHOTS")

    async def main():
        t0 = time.monotonic()
        runner, page_port = await _serve_test_page()
        ep = Endpoint(0, t0)
        port = ep.src.port
        ext = prepare_extension(tmp_path / "browser-bridge")
        try:
            async with Chromium(ext, tmp_path / "profile", developer_mode=bool(shots)) as c:
                options = await c.context.new_page()
                await options.goto(c.extension_url("options.html"))
                await _set_options(options, port, TOKEN)
                await _wait_status(c, options, lambda st: st["conn"] == "open")

                live = await c.context.new_page()
                await live.goto(f"http://127.0.0.1:{page_port}/live/live_room.html")
                await live.evaluate("window.chatReady")
                st = await _wait_status(c, options, lambda st: any(
                    p["platform"] == "testlive" and len(p["lists"]) == 2 and
                    all(lst["state"] == "watching" for lst in p["lists"]) for p in st["pages"]))
                files = {f["name"]: f for f in st["selectorFiles"]}
                for name in ("douyin.json", "taobao.json", "kuaishou.json", "wechat-channels.json"):
                    assert files[name]["ok"], files[name]["errors"]  # the shipped files are valid
                    assert files[name]["verified"] is False

                # 1. the page's own script appends comments, gifts, enters, follows
                first = msgs[:6]
                await live.evaluate("playChat(0, 6, 40)")
                got = await ep.wait_received(len(first))
                _compare(got, first)  # history already on the page was not sent
                clients = [e for e in ep.events if isinstance(e, IngestClientChanged) and e.connected]
                assert clients and clients[0].client == "browser-bridge"

                # 2. LiveHost restarts: the bridge buffers, reconnects with backoff, delivers the rest
                await ep.stop()
                await _wait_status(c, options, lambda st: st["conn"] in ("waiting", "connecting"))
                rest = msgs[6:]
                await live.evaluate(f"playChat(6, {len(msgs)}, 40)")
                await _wait_status(c, options, lambda st: st["queued"] == len(rest))
                ep = Endpoint(port, t0)
                got2 = await ep.wait_received(len(rest))
                _compare(got2, rest)
                st = await _wait_status(c, options, lambda st: st["conn"] == "open" and st["queued"] == 0)
                assert st["stats"]["accepted"] == len(msgs) and st["stats"]["dropped"] == 0
                assert st["stats"]["rejected"] == 0

                # 3. a wrong token: refused, and the seller sees why
                await _set_options(options, port, "not-the-token")
                st = await _wait_status(c, options, lambda st: st["conn"] == "token-refused")
                assert "token" in st["lastError"]
                assert ep.src.stats.refused >= 1
                if shots:
                    await _screenshots(c, options, Path(shots), port)
        finally:
            if not ep.task.done():
                await ep.stop()
            await runner.cleanup()

    asyncio.run(asyncio.wait_for(main(), 240))


async def _screenshots(c: Chromium, options, out: Path, port: int) -> None:
    out.mkdir(parents=True, exist_ok=True)
    await _set_options(options, port, TOKEN)
    await _wait_status(c, options, lambda st: st["conn"] == "open")
    await options.set_viewport_size({"width": 900, "height": 870})
    await asyncio.sleep(1.2)  # one status refresh
    await options.screenshot(path=str(out / "bridge-options.png"), full_page=True)
    ext_page = await c.context.new_page()
    await ext_page.set_viewport_size({"width": 1100, "height": 700})
    await ext_page.goto("chrome://extensions/")
    await asyncio.sleep(1.0)
    await ext_page.screenshot(path=str(out / "bridge-extensions.png"))


def test_shipped_selector_files_read_items_shaped_like_each_platforms(tmp_path):
    """Each shipped selector file against hand-written items shaped as public descriptions of
    the page describe them (tests/data/browser-bridge/fixtures): comments, gifts with counts
    before or after the name, a comment that only mentions a gift word, follows, enters, likes,
    a system notice that is skipped."""
    cases = json.loads((DATA / "fixtures" / "platform_items.json").read_text(encoding="utf-8"))["cases"]

    async def main():
        runner, page_port = await _serve_test_page()
        try:
            async with Chromium(prepare_extension(tmp_path / "ext", test_page=False), tmp_path / "profile") as c:
                page = await c.context.new_page()
                await page.goto(f"http://127.0.0.1:{page_port}/live/harness.html")
                return [await page.evaluate("c => runCase(c)", case) for case in cases]
        finally:
            await runner.cleanup()

    results = asyncio.run(asyncio.wait_for(main(), 120))
    for case, got in zip(cases, results):
        assert got == case["expect"], (case["file"], case["html"], got)
    assert {c["file"] for c in cases} == {"douyin.json", "taobao.json", "kuaishou.json", "wechat-channels.json"}
