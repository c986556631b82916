"""Twitch IRC-over-WebSocket source against a local server (127.0.0.1, port 0) sending raw
IRC lines: IRCv3 tags with escapes, emotes after emoji, USERNOTICEs, PING, RECONNECT, drops,
silence and garbage."""
from __future__ import annotations

import asyncio
import re
from decimal import Decimal

import pytest
from websockets.asyncio.server import serve

from app.errors import LiveHostError
from app.events import (ChatReceived, ErrorOccurred, GiftReceived, RoomRaided, SourceConnected,
                        SourceDisconnected, SourceStalled, ViewerSubscribed)
from app.sources import open_source
from app.sources.twitch import parse_badges, parse_channel, parse_emotes
from tests.live_helpers import collect, count, fast_options, of, settle

TAGS_HARD = ("@badge-info=subscriber/12;badges=subscriber/12,blue-1/1;bits=100;color=#FF0000;"
             "display-name=Some\\sName;emotes=25:3-7;id=m-1;note=a=b=c;odd=semi\\:colon\\\\back\\sslash\\r\\n;"
             "user-id=123 :somename!somename@somename.tmi.twitch.tv PRIVMSG #shop :😀😀 Kappa how much cheer100")


def privmsg(uid, name, text, mid, extra=""):
    return (f"@badges=;display-name={name};emotes=;id={mid};user-id={uid}{extra} "
            f":{name.lower()}!{name.lower()}@{name.lower()}.tmi.twitch.tv PRIVMSG #shop :{text}")


class IrcServer:
    """Per connection (in order; the last repeats): lines, pauses, "DROP", "HOLD"."""

    def __init__(self, scripts, *, pong=True):
        self.scripts = scripts
        self.pong = pong
        self.received: list[list[str]] = []
        self.conns = 0
        self.open = 0

    async def __aenter__(self):
        self.server = await serve(self._handle, "127.0.0.1", 0, compression=None)
        self.url = f"ws://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *exc):
        self.server.close()
        await self.server.wait_closed()

    async def _handle(self, ws):
        n = self.conns
        self.conns += 1
        self.open += 1
        got: list[str] = []
        self.received.append(got)
        joined = asyncio.Event()

        async def reader():
            async for msg in ws:
                for line in msg.split("\r\n"):
                    got.append(line)
                    if line.startswith("JOIN "):
                        nick = next(x.split()[1] for x in got if x.startswith("NICK "))
                        await ws.send(f":{nick}!{nick}@{nick}.tmi.twitch.tv JOIN #shop\r\n"
                                      f"@emote-only=0;room-id=42 :tmi.twitch.tv ROOMSTATE #shop")
                        joined.set()
                    elif line.startswith("PING") and self.pong:
                        await ws.send(":tmi.twitch.tv PONG tmi.twitch.tv :" + line.split(":", 1)[-1])

        task = asyncio.create_task(reader())
        try:
            await asyncio.wait_for(joined.wait(), 5)
            for item in self.scripts[min(n, len(self.scripts) - 1)]:
                if isinstance(item, (int, float)):
                    await asyncio.sleep(item)
                elif item == "DROP":
                    ws.transport.abort()
                    return
                elif item == "HOLD":
                    await ws.wait_closed()
                    return
                else:
                    await ws.send(item() if callable(item) else item)
        except Exception:
            pass
        finally:
            task.cancel()
            self.open -= 1


def src(server, **kw):
    opts = fast_options(ping_s=0.2)
    opts.update(kw)
    return open_source("twitch:Shop", endpoint=server.url, **opts)


def test_handshake_tags_with_escapes_and_emotes_after_emoji():
    script = [TAGS_HARD + "\r\n" + privmsg(7, "Lily", "\x01ACTION waves\x01", "m-2"), "HOLD"]

    async def run():
        async with IrcServer([script]) as srv:
            evs = await collect(src(srv), count(ChatReceived, 2))
            return evs, srv.received[0]

    evs, lines = asyncio.run(run())
    assert lines[:4] == ["CAP REQ :twitch.tv/tags twitch.tv/commands", "PASS SCHMOOPIIE", lines[2], "JOIN #shop"]
    assert re.fullmatch(r"NICK justinfan\d+", lines[2])
    c = of(evs, SourceConnected)[0]
    assert c.source == "twitch:shop" and c.detail.startswith("#shop as justinfan")
    m1, m2 = of(evs, ChatReceived)
    assert (m1.msg_id, m1.viewer.uid, m1.viewer.nickname, m1.text) == ("m-1", "123", "Some Name",
                                                                       "😀😀 Kappa how much cheer100")
    assert m1.emotes == ("Kappa",) and m1.amount == Decimal(100) and m1.currency == "BITS"
    assert (m2.viewer.nickname, m2.text, m2.amount, m2.emotes) == ("Lily", "waves", None, ())


def test_tag_and_emote_parsing():
    import irctokens

    tags = irctokens.tokenise(TAGS_HARD).tags
    assert tags["note"] == "a=b=c"
    assert tags["odd"] == "semi;colon\\back slash\r\n"
    assert parse_badges(tags["badges"]) == {"subscriber": "12", "blue-1": "1"}
    text = "👍🏽 LUL x PogChamp"
    assert parse_emotes("425618:3-5/88:9-16", text) == [(3, 5, "425618", "LUL"), (9, 16, "88", "PogChamp")]
    for bad in ("25:0-99", "25:4-2", "25:x-1", "25:3"):
        with pytest.raises(ValueError):
            parse_emotes(bad, text)
    assert parse_channel("https://www.twitch.tv/SomeOne?x=1") == "someone" and parse_channel("#abc_1") == "abc_1"
    for bad in ("", "has space", "toolong" * 5, "bad-dash"):
        with pytest.raises(LiveHostError) as e:
            parse_channel(bad)
        assert e.value.code == "source-spec-invalid"


def test_usernotices_subs_gifts_and_raids():
    base = ":tmi.twitch.tv USERNOTICE #shop"
    script = [
        f"@display-name=Ann;id=u1;login=ann;msg-id=sub;msg-param-cumulative-months=1;msg-param-sub-plan=1000;"
        f"system-msg=Ann\\ssubscribed;user-id=11 {base}",
        f"@display-name=Bob;id=u2;login=bob;msg-id=resub;msg-param-cumulative-months=14;msg-param-sub-plan=Prime;"
        f"user-id=12 {base} :14 months, still here",
        f"@display-name=Cat;id=u3;login=cat;msg-id=submysterygift;msg-param-mass-gift-count=5;"
        f"msg-param-sub-plan=2000;user-id=13 {base}",
        f"@display-name=Cat;id=u4;login=cat;msg-id=subgift;msg-param-community-gift-id=777;"
        f"msg-param-sub-plan=2000;msg-param-recipient-display-name=Dan;user-id=13 {base}",
        f"@display-name=Eve;id=u5;login=eve;msg-id=subgift;msg-param-sub-plan=1000;user-id=14 {base}",
        f"@display-name=AnAnonymousGifter;id=u6;login=ananonymousgifter;msg-id=subgift;msg-param-sub-plan=1000;"
        f"user-id=274598607 {base}",
        f"@display-name=Raider;id=u7;login=raider;msg-id=raid;msg-param-displayName=Raider;msg-param-viewerCount=250;"
        f"user-id=15 {base}",
        f"@display-name=X;id=u8;login=x;msg-id=announcement;user-id=16 {base} :hello",
        "HOLD"]

    async def run():
        async with IrcServer([script]) as srv:
            return await collect(src(srv), count(RoomRaided, 1))

    evs = asyncio.run(run())
    assert [(s.viewer.nickname, s.plan, s.months, s.text) for s in of(evs, ViewerSubscribed)] == [
        ("Ann", "Tier 1", 1, ""), ("Bob", "Prime", 14, "14 months, still here")]
    assert [(g.viewer.uid, g.viewer.nickname, g.gift_name, g.count) for g in of(evs, GiftReceived)] == [
        ("13", "Cat", "Tier 2 sub", 5), ("14", "Eve", "Tier 1 sub", 1), ("", "AnAnonymousGifter", "Tier 1 sub", 1)]
    r = of(evs, RoomRaided)[0]
    assert (r.viewer.uid, r.viewer.nickname, r.viewers) == ("15", "Raider", 250)


def test_ping_is_answered_and_reconnect_is_obeyed():
    scripts = [["PING :tmi.twitch.tv", privmsg(1, "A", "one", "r1"), 0.1, ":tmi.twitch.tv RECONNECT", "HOLD"],
               [privmsg(2, "B", "two", "r2"), "HOLD"]]

    async def run():
        async with IrcServer(scripts) as srv:
            evs = await collect(src(srv), count(ChatReceived, 2))
            return evs, srv.received

    evs, received = asyncio.run(run())
    assert "PONG :tmi.twitch.tv" in received[0]
    d = of(evs, SourceDisconnected)[0]
    assert d.reason == "reconnect-requested" and 0 < d.retry_in_s < 0.5
    assert [c.text for c in of(evs, ChatReceived)] == ["one", "two"] and len(received) == 2


def test_drop_mid_stream_reconnects_and_keeps_delivering():
    scripts = [[privmsg(1, "A", "before", "d1"), "DROP"], [privmsg(2, "B", "after", "d2"), "HOLD"]]

    async def run():
        async with IrcServer(scripts) as srv:
            return await collect(src(srv), count(ChatReceived, 2))

    evs = asyncio.run(run())
    assert [c.text for c in of(evs, ChatReceived)] == ["before", "after"]
    assert [type(e).__name__ for e in evs] == ["SourceConnected", "ChatReceived", "SourceDisconnected",
                                               "SourceConnected", "ChatReceived"]
    assert of(evs, SourceDisconnected)[0].reason == "server-closed"


def test_own_pings_keep_a_quiet_channel_alive_and_silence_stalls():
    async def run():
        async with IrcServer([[1.0, privmsg(1, "A", "quiet but alive", "q1"), "HOLD"]]) as srv:
            alive = await collect(src(srv, stall_timeout_s=0.5), count(ChatReceived, 1))
        async with IrcServer([["HOLD"], [privmsg(2, "B", "back", "q2"), "HOLD"]], pong=False) as srv:
            silent = await collect(src(srv, stall_timeout_s=0.5), count(ChatReceived, 1))
        return alive, silent

    alive, silent = asyncio.run(run())
    assert of(alive, SourceStalled) == [] and of(alive, SourceDisconnected) == []
    assert [type(e).__name__ for e in silent] == ["SourceConnected", "SourceStalled", "SourceDisconnected",
                                                  "SourceConnected", "ChatReceived"]


def test_garbage_lines_are_reported_once_and_skipped():
    script = ["@", ":only.a.source", privmsg(1, "A", "bad emote", "g0", extra=";x=1").replace("emotes=;", "emotes=1:5-99;"),
              "@bad", privmsg(1, "A", "fine", "g1"), "HOLD"]

    async def run():
        async with IrcServer([script]) as srv:
            return await collect(src(srv), count(ChatReceived, 1))

    evs = asyncio.run(run())
    errs = of(evs, ErrorOccurred)
    assert [e.code for e in errs] == ["source-frame-malformed", "source-frame-malformed"]
    assert "IRC line" in errs[0].message and "bad tags" in errs[1].message
    assert [c.text for c in of(evs, ChatReceived)] == ["fine"]


def test_closing_leaves_no_task_or_socket():
    async def run():
        async with IrcServer([[privmsg(1, "A", "x", "c1"), "HOLD"]]) as srv:
            await collect(src(srv), count(ChatReceived, 1))
            left = await settle()
            for _ in range(50):
                if srv.open == 0:
                    break
                await asyncio.sleep(0.02)
            return left, srv.open

    assert asyncio.run(run()) == ([], 0)
