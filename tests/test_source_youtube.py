"""YouTube live chat source against a local HTTP server (127.0.0.1, port 0) that serves the
live_chat page, the get_live_chat continuation API and the watch page from constructed
responses: poll interval honoured, an expired chat recreated, an ended stream told apart,
drops, silence and garbage."""
from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
from decimal import Decimal

import pytest

from app.errors import LiveHostError
from app.events import (ChatReceived, ErrorOccurred, GiftReceived, SourceConnected, SourceDisconnected,
                        SourceStalled, ViewerSubscribed)
from app.sources import open_source
from app.sources.youtube import parse_amount, parse_video_id
from tests.live_helpers import collect, count, fast_options, make_ctx, of, settle

VID = "dQw4w9WgXcQ"


def text_item(mid, author, channel, *runs):
    return {"addChatItemAction": {"item": {"liveChatTextMessageRenderer": {
        "id": mid, "authorName": {"simpleText": author}, "authorExternalChannelId": channel,
        "message": {"runs": list(runs)}, "timestampUsec": "1700000000000000"}}}}


def run_text(t):
    return {"text": t}


def run_emoji(shortcut, custom=True):
    return {"emoji": {"emojiId": "UCx/abc", "shortcuts": [shortcut], "isCustomEmoji": custom}}


class YtServer:
    """``sessions``: per chat session (each live_chat page load starts the next), the list of poll
    answers: ``(actions, timeout_ms)``, ``"END"`` (no continuation contents), ``"DROP"`` (abort the
    TCP connection), ``"HANG"`` (never answer), ``"GARBAGE"`` (not JSON), ``"NOCONT"`` (actions, no
    next continuation)."""

    def __init__(self, sessions, *, live=True, chat_open=True):
        self.sessions = sessions
        self.live = live
        self.chat_open = chat_open
        self.pages = 0
        self.polls: list[tuple[float, str, dict]] = []
        self.watch = 0
        self._pos: dict[int, int] = {}

    async def __aenter__(self):
        self.server = await asyncio.start_server(self._conn, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *exc):
        self.server.close()
        await self.server.wait_closed()

    async def _conn(self, reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode().split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                hdrs = {k.lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:] if x)}
                body = await reader.readexactly(int(hdrs.get("content-length", "0")))
                reply = await self._route(method, target, body, writer)
                if reply is None:
                    return
                status, payload = reply
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                writer.write(f"HTTP/1.1 {status} X\r\nContent-Length: {len(data)}\r\n"
                             f"Content-Type: application/json\r\n\r\n".encode() + data)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _route(self, method, target, body, writer):
        url = urllib.parse.urlsplit(target)
        q = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/live_chat":
            assert q["v"] == VID
            n = self.pages
            self.pages += 1
            if not self.chat_open:
                return 200, b"<html><script>var ytInitialData = {\"contents\": {}};</script></html>"
            data = {"contents": {"liveChatRenderer": {"continuations": [
                {"invalidationContinuationData": {"continuation": f"s{n}-0", "timeoutMs": 10000}}]}}}
            html = ('<html><script>ytcfg.set({"INNERTUBE_API_KEY":"KEY-1","INNERTUBE_CONTEXT_CLIENT_VERSION":'
                    f'"2.20240101"}});</script><script>window["ytInitialData"] = {json.dumps(data)};</script></html>')
            return 200, html.encode()
        if url.path == "/watch":
            self.watch += 1
            live = self.live if isinstance(self.live, bool) else self.live.pop(0)
            details = {"isLiveNow": True, "startTimestamp": "2024-01-01T00:00:00+00:00"} if live else \
                {"isLiveNow": False, "endTimestamp": "2024-01-01T02:00:00+00:00"}
            player = {"playabilityStatus": {"status": "OK"}, "videoDetails": {"videoId": VID, "isLive": live},
                      "microformat": {"playerMicroformatRenderer": {"liveBroadcastDetails": details}}}
            return 200, f"<script>var ytInitialPlayerResponse = {json.dumps(player)};</script>".encode()
        if url.path == "/youtubei/v1/live_chat/get_live_chat" and method == "POST":
            req = json.loads(body)
            assert q["key"] == "KEY-1" and req["context"]["client"]["clientVersion"] == "2.20240101"
            token = req["continuation"]
            session, step = (int(x) for x in token[1:].split("-"))
            self.polls.append((time.monotonic(), token, req))
            answers = self.sessions[min(session, len(self.sessions) - 1)]
            answer = answers[min(step, len(answers) - 1)]
            if callable(answer):
                answer = answer()
            if answer == "DROP":
                writer.transport.abort()
                return None
            if answer == "HANG":
                await asyncio.sleep(3600)
            if answer == "GARBAGE":
                return 200, b"<html>not json"
            if answer == "END":
                return 200, {"responseContext": {}}
            actions, ms = answer if answer[0] != "NOCONT" else (answer[1], None)
            cont = [] if answer[0] == "NOCONT" else [{"timedContinuationData": {"continuation": f"s{session}-{step + 1}",
                                                                               "timeoutMs": ms}}]
            return 200, {"continuationContents": {"liveChatContinuation": {"continuations": cont, "actions": actions}}}
        return 404, {"error": "no"}


def src(server, **kw):
    opts = fast_options(http_timeout_s=5)
    opts.update(kw)
    return open_source(f"youtube:https://www.youtube.com/watch?v={VID}&t=1", endpoint=server.url, **opts)


def test_messages_super_chats_members_and_the_poll_interval():
    paid = {"addChatItemAction": {"item": {"liveChatPaidMessageRenderer": {
        "id": "p1", "authorName": {"simpleText": "Rich"}, "authorExternalChannelId": "UC-rich",
        "purchaseAmountText": {"simpleText": "¥1,500"}, "message": {"runs": [run_text("how much is #3?")]}}}}}
    member = {"addChatItemAction": {"item": {"liveChatMembershipItemRenderer": {
        "id": "mb1", "authorName": {"simpleText": "Newbie"}, "authorExternalChannelId": "UC-new",
        "headerSubtext": {"runs": [run_text("Welcome to Shop!")]},
        "authorBadges": [{"liveChatAuthorBadgeRenderer": {"tooltip": "New member"}}]}}}}
    milestone = {"addChatItemAction": {"item": {"liveChatMembershipItemRenderer": {
        "id": "mb2", "authorName": {"simpleText": "Loyal"}, "authorExternalChannelId": "UC-loyal",
        "headerPrimaryText": {"runs": [run_text("Member for "), run_text("6"), run_text(" months")]},
        "headerSubtext": {"simpleText": "Gold"}, "message": {"runs": [run_text("still here")]},
        "authorBadges": [{"liveChatAuthorBadgeRenderer": {"tooltip": "Member (6 months)"}}]}}}}
    sticker = {"addChatItemAction": {"item": {"liveChatPaidStickerRenderer": {
        "id": "st1", "authorName": {"simpleText": "Fan"}, "authorExternalChannelId": "UC-fan",
        "purchaseAmountText": {"simpleText": "CA$4.99"},
        "sticker": {"accessibility": {"accessibilityData": {"label": "Cat waving"}}}}}}}
    other = {"addChatItemAction": {"item": {"liveChatViewerEngagementMessageRenderer": {"id": "x"}}}}
    polls = [([text_item("t1", "Ann", "UC-ann", run_text("hi "), run_emoji(":wave:"), run_text(" size M?"))], 300),
             ([paid, member, other], 300), ([milestone, sticker], 300),
             ([text_item("t2", "Bo", "UC-bo", run_emoji("😀", custom=False), run_text(" ok"))], 300), ([], 300)]

    async def run():
        async with YtServer([polls]) as srv:
            evs = await collect(src(srv), count(ChatReceived, 3))
            return evs, srv.polls

    evs, polls_seen = asyncio.run(run())
    assert of(evs, SourceConnected)[0].detail == f"video {VID}" and of(evs, SourceConnected)[0].source == f"youtube:{VID}"
    chats = of(evs, ChatReceived)
    assert [(c.msg_id, c.viewer.uid, c.viewer.nickname, c.text, c.emotes, c.amount, c.currency) for c in chats] == [
        ("yt-t1", "UC-ann", "Ann", "hi :wave: size M?", (":wave:",), None, ""),
        ("yt-p1", "UC-rich", "Rich", "how much is #3?", (), Decimal("1500"), "JPY"),
        ("yt-t2", "UC-bo", "Bo", "UCx/abc ok", (), None, "")]
    assert [(s.viewer.nickname, s.plan, s.months, s.text) for s in of(evs, ViewerSubscribed)] == [
        ("Newbie", "New member", 0, ""), ("Loyal", "Member (6 months)", 6, "still here")]
    g = of(evs, GiftReceived)[0]
    assert (g.gift_name, g.amount, g.currency, g.viewer.uid) == ("Cat waving", Decimal("4.99"), "CAD", "UC-fan")
    assert [t for _, t, _ in polls_seen[:4]] == ["s0-0", "s0-1", "s0-2", "s0-3"]
    gaps = [b[0] - a[0] for a, b in zip(polls_seen, polls_seen[1:])]
    assert all(0.28 <= g < 0.9 for g in gaps[:3])  # the 300 ms the server asked for


def test_expired_chat_is_recreated_while_live_and_an_ended_stream_ends():
    sessions = [[([text_item("a1", "A", "UC-a", run_text("first hour"))], 50), "END"],
                [([text_item("b1", "B", "UC-b", run_text("second hour"))], 50), "END"]]

    async def run():
        async with YtServer(sessions, live=[True, False]) as srv:
            evs = [e async for e in src(srv).events(make_ctx())]
            return evs, srv.pages, srv.watch, await settle()

    evs, pages, watch, left = asyncio.run(run())
    assert [c.text for c in of(evs, ChatReceived)] == ["first hour", "second hour"]
    ds = of(evs, SourceDisconnected)
    assert [(d.reason, d.retry_in_s > 0) for d in ds] == [("server-closed", True), ("ended", False)]
    assert "recreating" in ds[0].message and "has ended" in ds[1].message
    assert pages == 2 and watch == 2 and left == []


def test_drop_mid_poll_reconnects_and_keeps_delivering():
    sessions = [[([text_item("a1", "A", "UC-a", run_text("before"))], 50), "DROP"],
                [([text_item("b1", "B", "UC-b", run_text("after"))], 50), ([], 50)]]

    async def run():
        async with YtServer(sessions) as srv:
            return await collect(src(srv), count(ChatReceived, 2))

    evs = asyncio.run(run())
    assert [c.text for c in of(evs, ChatReceived)] == ["before", "after"]
    d = of(evs, SourceDisconnected)[0]
    assert d.reason == "server-closed" and d.retry_in_s <= 5


def test_hanging_server_stalls_then_reconnects():
    sessions = [[([], 50), "HANG"], [([text_item("b1", "B", "UC-b", run_text("back"))], 50), ([], 50)]]

    async def run():
        async with YtServer(sessions) as srv:
            return await collect(src(srv, stall_timeout_s=0.5), count(ChatReceived, 1))

    evs = asyncio.run(run())
    assert [type(e).__name__ for e in evs] == ["SourceConnected", "SourceStalled", "SourceDisconnected",
                                               "SourceConnected", "ChatReceived"]
    assert of(evs, SourceStalled)[0].silent_s >= 0.5


def test_garbage_answers_and_items_are_reported_once():
    bad_item = {"addChatItemAction": {"item": {"liveChatTextMessageRenderer": {"authorName": {"simpleText": "x"}}}}}
    sessions = [["GARBAGE", "GARBAGE"]]
    polls = [([bad_item, bad_item], 50), ([text_item("ok", "A", "UC-a", run_text("fine"))], 50), ([], 50)]

    async def run():
        async with YtServer([polls]) as srv:
            items = await collect(src(srv), count(ChatReceived, 1))
        async with YtServer(sessions) as srv:
            garbage = await collect(src(srv, default_interval_s=0.05), lambda e: srv.polls and len(srv.polls) >= 3)
        return items, garbage

    items, garbage = asyncio.run(run())
    errs = of(items, ErrorOccurred)
    assert len(errs) == 1 and errs[0].code == "source-frame-malformed" and "chat item" in errs[0].message
    assert [c.text for c in of(items, ChatReceived)] == ["fine"]
    gerrs = of(garbage, ErrorOccurred)
    assert len(gerrs) == 1 and "not JSON" in gerrs[0].message and of(garbage, SourceDisconnected) == []


def test_closed_chat_of_a_finished_stream_ends_the_source():
    async def run():
        async with YtServer([[([], 50)]], chat_open=False, live=False) as srv:
            ended = [e async for e in src(srv).events(make_ctx())]
        return ended

    ended = asyncio.run(run())
    assert [(d.reason, d.retry_in_s) for d in of(ended, SourceDisconnected)] == [("ended", 0.0)]


def test_amounts_and_video_ids():
    assert parse_amount("$5.00") == (Decimal("5.00"), "USD")
    assert parse_amount("CN¥30.00") == (Decimal("30.00"), "CNY")
    assert parse_amount("1.234,50 €") == (Decimal("1234.50"), "EUR")
    assert parse_amount("₩10,000") == (Decimal("10000"), "KRW")
    assert parse_amount("CHF 5.00") == (Decimal("5.00"), "CHF")
    assert parse_amount("free") is None
    for t in (VID, f"https://youtu.be/{VID}?si=x", f"youtube.com/live/{VID}", f"https://m.youtube.com/watch?v={VID}"):
        assert parse_video_id(t) == VID
    for bad in ("", "https://www.youtube.com/@shop/live", "short", "https://example.com/watch?v=" + VID):
        with pytest.raises(LiveHostError) as e:
            parse_video_id(bad)
        assert e.value.code == "source-spec-invalid"
