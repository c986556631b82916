"""The shared live-source machinery (app/sources/live.py), exercised with a tiny line protocol
over real TCP on 127.0.0.1: reconnect after drops, backoff, the watchdog, bad frames,
duplicates, cancellation and cleanup."""
from __future__ import annotations

import asyncio
import json
import random

import pytest

from app.errors import LiveHostError
from app.events import ChatReceived, ErrorOccurred, SourceConnected, SourceDisconnected, SourceStalled, Viewer
from app.settings import load_settings
from app.sources.live import Backoff, LiveChatSource, SourceFailure, classify, source_options
from tests.live_helpers import collect, count, fast_options, make_ctx, of, settle


class LineSource(LiveChatSource):
    """A minimal live protocol for the tests: one JSON object per line --
    ``{"chat": [uid, text, id]}``, ``{"hb": 1}`` (heartbeat reply), ``{"fail": reason}``."""

    platform = "lines"

    async def connect(self, link):
        host, port = self.endpoint.split("//")[1].split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            await link.connected(f"{host}:{port}")
            while True:
                line = await reader.readline()
                if not line:
                    return
                try:
                    obj = json.loads(line)
                except ValueError:
                    await link.malformed("json", "a line is not JSON")
                    continue
                if "hb" in obj:
                    link.alive()
                elif "fail" in obj:
                    raise SourceFailure(obj["fail"], "the server said so", retry=obj.get("retry", True))
                elif "chat" in obj:
                    uid, text, mid = obj["chat"]
                    await link.emit(ChatReceived(t=link.now(), msg_id=mid, viewer=Viewer("lines", uid, uid),
                                                 text=text, source=self.spec))
        finally:
            writer.close()


class Server:
    """A scripted TCP server: ``script(conn_no)`` returns the lines (or actions) per connection."""

    def __init__(self, script):
        self.script = script
        self.conns = 0
        self.open = 0
        self.server = None

    async def __aenter__(self):
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.url = f"tcp://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *exc):
        self.server.close()
        await self.server.wait_closed()

    async def _handle(self, reader, writer):
        n = self.conns
        self.conns += 1
        self.open += 1
        try:
            for item in self.script(n):
                if isinstance(item, (int, float)):
                    await asyncio.sleep(item)
                elif item == "DROP":
                    writer.transport.abort()
                    return
                elif item == "HOLD":
                    await reader.read()  # until the client closes
                    return
                else:
                    writer.write((item if isinstance(item, str) else json.dumps(item)).encode() + b"\n")
                    await writer.drain()
            writer.close()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self.open -= 1


def chat(uid, text, mid):
    return {"chat": [uid, text, mid]}


def texts(events):
    return [(e.viewer.uid, e.text) for e in of(events, ChatReceived)]


def test_drop_mid_stream_reconnects_and_keeps_delivering():
    def script(n):
        if n == 0:
            return [chat("u1", "first", "a1"), chat("u2", "second", "a2"), 0.05, "DROP"]
        return [chat("u3", "after the drop", "b1"), "HOLD"]

    async def run():
        async with Server(script) as srv:
            src = LineSource("lines:x", endpoint=srv.url, **fast_options())
            evs = await collect(src, lambda e: len(of(e, ChatReceived)) >= 3)
            return evs, srv.conns

    evs, conns = asyncio.run(run())
    assert texts(evs) == [("u1", "first"), ("u2", "second"), ("u3", "after the drop")]
    assert conns == 2
    kinds = [type(e).__name__ for e in evs]
    assert kinds == ["SourceConnected", "ChatReceived", "ChatReceived", "SourceDisconnected",
                     "SourceConnected", "ChatReceived"]
    d = of(evs, SourceDisconnected)[0]
    assert d.reason == "server-closed" and d.source == "lines:x" and d.platform == "lines"
    assert 0 < d.retry_in_s <= 0.05 * 1.2 + 1e-9
    assert d.hint  # a seller can act on it
    assert of(evs, SourceConnected)[0].detail.startswith("127.0.0.1:")
    assert all(e.t >= 0 for e in evs)


def test_silent_server_stalls_then_reconnects():
    def script(n):
        return ["HOLD"] if n == 0 else [chat("u1", "back", "c1"), "HOLD"]

    async def run():
        async with Server(script) as srv:
            src = LineSource("lines:x", endpoint=srv.url, **fast_options(stall_timeout_s=0.3))
            return await collect(src, count(ChatReceived, 1)), srv

    evs, srv = asyncio.run(run())
    assert [type(e).__name__ for e in evs] == ["SourceConnected", "SourceStalled", "SourceDisconnected",
                                               "SourceConnected", "ChatReceived"]
    st = of(evs, SourceStalled)[0]
    assert 0.3 <= st.silent_s < 1.5
    assert of(evs, SourceDisconnected)[0].reason == "stalled"
    assert texts(evs) == [("u1", "back")]


def test_heartbeat_replies_keep_the_watchdog_quiet():
    def script(n):
        return [x for _ in range(8) for x in ({"hb": 1}, 0.1)] + [chat("u1", "still here", "h1"), "HOLD"]

    async def run():
        async with Server(script) as srv:
            src = LineSource("lines:x", endpoint=srv.url, **fast_options(stall_timeout_s=0.35))
            return await collect(src, count(ChatReceived, 1))

    evs = asyncio.run(run())
    assert of(evs, SourceStalled) == [] and of(evs, SourceDisconnected) == []
    assert texts(evs) == [("u1", "still here")]


def test_garbage_is_reported_once_and_skipped():
    def script(n):
        return ["{not json", chat("u1", "ok 1", "g1"), "\x00\xff garbage", "]]", chat("u2", "ok 2", "g2"), "HOLD"]

    async def run():
        async with Server(script) as srv:
            src = LineSource("lines:x", endpoint=srv.url, **fast_options())
            evs = await collect(src, count(ChatReceived, 2))
            return evs, src.stats

    evs, stats = asyncio.run(run())
    errs = of(evs, ErrorOccurred)
    assert len(errs) == 1 and errs[0].code == "source-frame-malformed" and "lines:x" in errs[0].message
    assert stats.malformed == 3
    assert texts(evs) == [("u1", "ok 1"), ("u2", "ok 2")]
    assert of(evs, SourceDisconnected) == []


def test_redelivered_messages_are_dropped():
    def script(n):
        if n == 0:
            return [chat("u1", "one", "d1"), "DROP"]
        return [chat("u1", "one", "d1"), chat("u2", "two", "d2"), "HOLD"]  # history replayed on reconnect

    async def run():
        async with Server(script) as srv:
            src = LineSource("lines:x", endpoint=srv.url, **fast_options())
            return await collect(src, count(ChatReceived, 2)), src.stats

    evs, stats = asyncio.run(run())
    assert texts(evs) == [("u1", "one"), ("u2", "two")]
    assert stats.duplicates == 1


def test_refused_connection_backs_off_exponentially():
    async def run():
        srv = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = srv.sockets[0].getsockname()[1]
        srv.close()
        await srv.wait_closed()  # nothing listens there now
        src = LineSource("lines:x", endpoint=f"tcp://127.0.0.1:{port}",
                         **fast_options(backoff=Backoff(first_s=0.02, factor=2, max_s=0.1, jitter=0.0)))
        return await collect(src, count(SourceDisconnected, 5))

    evs = asyncio.run(run())
    ds = of(evs, SourceDisconnected)
    assert {d.reason for d in ds} == {"network-down"}
    assert [d.retry_in_s for d in ds] == [0.02, 0.04, 0.08, 0.1, 0.1]
    assert of(evs, SourceConnected) == []


def test_fatal_failure_ends_the_source():
    def script(n):
        return [{"fail": "room-not-found", "retry": False}]

    async def run():
        async with Server(script) as srv:
            src = LineSource("lines:x", endpoint=srv.url, **fast_options())
            evs = []
            async for e in src.events(make_ctx()):
                evs.append(e)
            return evs, srv.conns, await settle()

    evs, conns, left = asyncio.run(run())
    assert conns == 1 and left == []
    d = evs[-1]
    assert isinstance(d, SourceDisconnected) and d.reason == "room-not-found" and d.retry_in_s == 0
    assert d.message == "the server said so"


def test_backoff_delays():
    b = Backoff(first_s=1.0, factor=2.0, max_s=60.0, jitter=0.25)
    rng = random.Random(3)
    ds = [b.delay(i, rng) for i in range(10)]
    assert 0.75 <= ds[0] <= 1.25  # the first retry comes within 5 s
    for i, d in enumerate(ds):
        base = min(60.0, 2.0 ** i)
        assert base * 0.75 - 1e-9 <= d <= base * 1.25 + 1e-9
    assert ds[-1] >= 45  # grown to the cap
    with pytest.raises(ValueError):
        Backoff(first_s=4.5, jitter=0.25)  # could wait 5.6 s before the first retry


def test_backoff_resets_after_a_connection_that_stayed_up():
    def script(n):
        if n < 3:
            return [chat("u", f"m{n}", f"r{n}"), 0.25, "DROP"]
        return ["HOLD"]

    async def run():
        async with Server(script) as srv:
            b = Backoff(first_s=0.02, factor=3, max_s=1.0, jitter=0.0, stable_s=0.2)
            src = LineSource("lines:x", endpoint=srv.url, **fast_options(backoff=b))
            return await collect(src, count(SourceDisconnected, 3))

    evs = asyncio.run(run())
    assert [d.retry_in_s for d in of(evs, SourceDisconnected)] == [0.02, 0.02, 0.02]


def test_cancelling_the_consumer_propagates_and_leaves_nothing_behind():
    def script(n):
        return [chat("u1", "hi", "x1"), "HOLD"]

    async def run():
        async with Server(script) as srv:
            src = LineSource("lines:x", endpoint=srv.url, **fast_options())
            got = asyncio.Event()

            async def consume():
                async for e in src.events(make_ctx()):
                    if isinstance(e, ChatReceived):
                        got.set()

            task = asyncio.create_task(consume())
            await asyncio.wait_for(got.wait(), 5)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            left = await settle()
            for _ in range(50):
                if srv.open == 0:
                    break
                await asyncio.sleep(0.02)
            return left, srv.open

    left, still_open = asyncio.run(run())
    assert left == []
    assert still_open == 0  # the socket was closed, the server saw it go


def test_classify_names_the_reason():
    import httpx

    req = httpx.Request("GET", "http://127.0.0.1/")
    assert classify(None).reason == "server-closed"
    assert classify(ConnectionRefusedError()).reason == "network-down"
    assert classify(ConnectionResetError()).reason == "server-closed"
    assert classify(httpx.ConnectError("no route", request=req)).reason == "network-down"
    for status, reason in ((412, "blocked"), (429, "blocked"), (404, "room-not-found"), (503, "server-closed")):
        err = httpx.HTTPStatusError("x", request=req, response=httpx.Response(status, request=req))
        assert classify(err).reason == reason
    assert classify(KeyError("data")).reason == "protocol-error"


def test_settings_sources_section(tmp_path):
    s = load_settings(path=tmp_path / "none.toml", overrides={"sources": {"stall_timeout_s": 30,
                                                        "bilibili_endpoint": "http://127.0.0.1:9"}})
    assert s.sources.stall_timeout_s == 30 and s.sources.bilibili_endpoint == "http://127.0.0.1:9"
    opts = source_options("bilibili", s, None, {})
    assert opts["endpoint"] == "http://127.0.0.1:9" and opts["stall_timeout_s"] == 30
    assert opts["backoff"].first_s == 1.0 and opts["backoff"].max_s == 60.0
    assert source_options("bilibili", s, "http://relay:1", {"stall_timeout_s": 0.5})["endpoint"] == "http://relay:1"
    for bad in ({"stall_timeout_s": 1}, {"twitch_endpoint": "irc.example"}, {"reconnect_first_s": 9},
                {"youtube_endpoint": "http://"}, {"tiktok_typo": 1}):
        with pytest.raises(LiveHostError) as e:
            load_settings(path=tmp_path / "none.toml", overrides={"sources": bad})
        assert e.value.code == "settings-invalid" and "sources" in e.value.message
    # the console writes settings.toml with one level of tables: the section must survive it
    from app.gui.prefs import save_settings

    save_settings(s, tmp_path / "out.toml")
    assert load_settings(path=tmp_path / "out.toml").sources == s.sources
