"""TikTok LIVE source (through the TikTokLive library) against a local server (127.0.0.1, port
0) that plays TikTok's parts: the live page (SIGI_STATE), check_alive, the sign server's
/webcast/fetch (a ProtoMessageFetchResult) and the WebSocket of WebcastPushFrames carrying the
library's own event types -- plus its failure paths."""
from __future__ import annotations

import asyncio
import json
import urllib.parse
import warnings
from decimal import Decimal

import pytest

warnings.filterwarnings("ignore", category=DeprecationWarning)
from TikTokLive.events import CommentEvent, GiftEvent, JoinEvent, LikeEvent, RoomUserSeqEvent, SocialEvent  # noqa: E402
from TikTokLive.events.proto_events import ControlEvent  # noqa: E402
from TikTokLive.proto import (CommonMessageData, ExtendedGift, ExtendedUser, ProtoMessageFetchResult,  # noqa: E402
                              ProtoMessageFetchResultBaseProtoMessage, WebcastPushFrame)
from TikTokLive.proto.custom_proto import ControlAction  # noqa: E402
from websockets.asyncio.server import serve  # noqa: E402
from websockets.datastructures import Headers  # noqa: E402
from websockets.http11 import Response  # noqa: E402

from app.errors import LiveHostError  # noqa: E402
from app.events import (ChatReceived, GiftReceived, LikesReceived, SourceConnected, SourceDisconnected,  # noqa: E402
                        SourceStalled, ViewerCountUpdated, ViewerEntered, ViewerFollowed, ViewerShared)
from app.sources import open_source  # noqa: E402
from app.sources.tiktok import parse_user  # noqa: E402
from tests.live_helpers import collect, count, fast_options, make_ctx, of, settle  # noqa: E402

_mid = iter(range(1000, 10 ** 6))


def common(display_key=""):
    c = CommonMessageData(msg_id=next(_mid))
    if display_key:
        from TikTokLiveProto.v3.webcast.model.message.common import Text

        c.display_text = Text(key=display_key)
    return c


def user(uid, nick):
    return ExtendedUser(id=uid, nickname=nick, display_id=nick.lower())


def msg(method, event):
    return ProtoMessageFetchResultBaseProtoMessage(method=method, payload=bytes(event))


def comment(uid, nick, text):
    return msg("WebcastChatMessage", CommentEvent(common=common(), user=user(uid, nick), content=text))


def gift(uid, nick, name, gid, repeat, end, streakable=True, group=1, diamonds=1):
    g = ExtendedGift(id=gid, name=name, type=1 if streakable else 0, diamond_count=diamonds)
    return msg("WebcastGiftMessage", GiftEvent(common=common(), user=user(uid, nick), gift=g, gift_id=gid,
                                               repeat_count=repeat, repeat_end=1 if end else 0, group_id=group))


def frame(*messages):
    return bytes(WebcastPushFrame(payload_type="msg", payload_encoding="pb", log_id=1,
                                  payload=bytes(ProtoMessageFetchResult(messages=list(messages), cursor="c"))))


class TikTokServer:
    """``scripts``: per WebSocket connection, a list of push frames (bytes), pauses, "DROP",
    "HOLD" or "CLOSE" (a clean close with no disconnect event). ``status``: per room lookup,
    ``live`` / ``offline`` / ``missing``; ``sign``: per sign call, ``ok`` / ``ratelimit``."""

    def __init__(self, scripts, *, status="live", sign="ok"):
        self.scripts = scripts
        self.status = status
        self.sign = sign
        self.ws_conns = 0
        self.open = 0
        self.calls: list[str] = []
        self.client_frames: list[str] = []

    async def __aenter__(self):
        self.server = await serve(self._ws, "127.0.0.1", 0, process_request=self._http, compression=None)
        self.port = self.server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        return self

    async def __aexit__(self, *exc):
        self.server.close()
        await self.server.wait_closed()

    def _reply(self, status, body, ctype="application/json", extra=()):
        body = body if isinstance(body, bytes) else json.dumps(body).encode()
        return Response(status, "OK", Headers([("Content-Type", ctype), ("Content-Length", str(len(body))), *extra]), body)

    def _pick(self, attr):
        v = getattr(self, attr)
        return v if isinstance(v, str) else (v.pop(0) if len(v) > 1 else v[0])

    def _http(self, connection, request):
        url = urllib.parse.urlsplit(request.path)
        self.calls.append(url.path)
        if url.path == "/ws":
            return None
        if url.path == "/@shop/live":
            st = self._pick("status")
            if st == "missing":
                sigi = {"AppContext": {}}
            else:
                sigi = {"LiveRoom": {"liveRoomUserInfo": {"user": {"roomId": "7001", "uniqueId": "shop",
                                                                   "status": 4 if st == "offline" else 2}}}}
            html = f'<html><script id="SIGI_STATE" type="application/json">{json.dumps(sigi)}</script></html>'
            return self._reply(200, html.encode(), "text/html")
        if url.path == "/api-live/user/room/":  # the library's fallback when the page has no room
            return self._reply(200, {"message": "user_not_found", "statusCode": 19881007})
        if url.path == "/webcast/room/check_alive/":
            return self._reply(200, {"data": [{"alive": True, "room_id": 7001}]})
        if url.path == "/webcast/fetch":
            if self._pick("sign") == "ratelimit":
                return self._reply(429, {"message": "too many", "limit_label": "free"},
                                   extra=[("RateLimit-Remaining", "0")])
            first = ProtoMessageFetchResult(cursor="c0", push_server=f"ws://127.0.0.1:{self.port}/ws",
                                            route_params={"ims": "1"}, is_first=True, messages=[])
            return self._reply(200, bytes(first), "application/protobuf",
                               extra=[("X-Set-TT-Cookie", "ttwid=abc; Path=/")])
        return self._reply(404, {"error": url.path})

    async def _ws(self, ws):
        n = self.ws_conns
        self.ws_conns += 1
        self.open += 1

        async def reader():
            async for data in ws:
                self.client_frames.append(WebcastPushFrame().parse(data).payload_type)

        task = asyncio.create_task(reader())
        try:
            for item in self.scripts[min(n, len(self.scripts) - 1)]:
                if isinstance(item, (int, float)):
                    await asyncio.sleep(item)
                elif item == "DROP":
                    ws.transport.abort()
                    return
                elif item == "CLOSE":
                    await ws.close()
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
    return open_source("tiktok:@shop", endpoint=server.url, **fast_options(**kw))


def test_comments_gifts_streaks_likes_follows_shares_joins():
    frames = [
        frame(comment(11, "Mia", "how much is this?"),
              gift(12, "Leo", "Rose", 5655, 1, False), gift(12, "Leo", "Rose", 5655, 3, False),
              gift(12, "Leo", "Rose", 5655, 5, True),
              gift(13, "Ivy", "Lion", 6369, 1, False, streakable=False, diamonds=29999)),
        frame(msg("WebcastLikeMessage", LikeEvent(common=common(), user=user(14, "Zed"), count=15, total=300)),
              msg("WebcastSocialMessage", SocialEvent(common=common("pm_main_follow_message_viewer_2"), user=user(15, "Fay"))),
              msg("WebcastSocialMessage", SocialEvent(common=common("pm_mt_guidance_share"), user=user(16, "Gus"))),
              msg("WebcastMemberMessage", JoinEvent(common=common(), user=user(17, "Hal"))),
              msg("WebcastRoomUserSeqMessage", RoomUserSeqEvent(common=common(), total=321)),
              msg("WebcastUnknownThing", CommentEvent(common=common(), content="ignored"))),
        frame(comment(11, "Mia", "thanks")), "HOLD"]

    async def run():
        async with TikTokServer([frames]) as srv:
            evs = await collect(src(srv), count(ChatReceived, 2))
            await asyncio.sleep(0.05)
            return evs, srv

    evs, srv = asyncio.run(run())
    c = of(evs, SourceConnected)[0]
    assert c.source == "tiktok:@shop" and c.detail == "@shop room 7001"
    assert [(m.viewer.uid, m.viewer.nickname, m.text) for m in of(evs, ChatReceived)] == [
        ("11", "Mia", "how much is this?"), ("11", "Mia", "thanks")]
    gifts = of(evs, GiftReceived)
    assert [(g.viewer.nickname, g.gift_name, g.count, g.streak_end, bool(g.streak_id), g.amount) for g in gifts] == [
        ("Leo", "Rose", 1, False, True, Decimal(1)), ("Leo", "Rose", 3, False, True, Decimal(3)),
        ("Leo", "Rose", 5, True, True, Decimal(5)), ("Ivy", "Lion", 1, True, False, Decimal(29999))]
    assert len({g.streak_id for g in gifts[:3]}) == 1 and all(g.currency == "DIAMOND" for g in gifts)
    assert [(x.viewer.nickname, x.count) for x in of(evs, LikesReceived)] == [("Zed", 15)]
    assert [type(e).__name__ + ":" + e.viewer.nickname for e in evs
            if isinstance(e, (ViewerFollowed, ViewerShared, ViewerEntered))] == [
        "ViewerFollowed:Fay", "ViewerShared:Gus", "ViewerEntered:Hal"]
    assert [v.count for v in of(evs, ViewerCountUpdated)] == [321]
    assert srv.calls[:3] == ["/@shop/live", "/webcast/room/check_alive/", "/webcast/fetch"]
    assert "im_enter_room" in srv.client_frames and "hb" in srv.client_frames


def test_closed_socket_without_disconnect_event_and_drop_reconnect():
    scripts = [[frame(comment(1, "A", "one")), "CLOSE"], [frame(comment(2, "B", "two")), 0.05, "DROP"],
               [frame(comment(3, "C", "three")), "HOLD"]]

    async def run():
        async with TikTokServer(scripts) as srv:
            evs = await collect(src(srv), count(ChatReceived, 3))
            return evs, srv.ws_conns

    evs, conns = asyncio.run(run())
    assert [m.text for m in of(evs, ChatReceived)] == ["one", "two", "three"] and conns == 3
    ds = of(evs, SourceDisconnected)
    assert [d.reason for d in ds] == ["server-closed", "server-closed"] and all(0 < d.retry_in_s <= 5 for d in ds)


def test_stream_end_message_disconnects_and_reconnects():
    end = msg("WebcastControlMessage", ControlEvent(common=common(), action=ControlAction.STREAM_ENDED))
    scripts = [[frame(comment(1, "A", "bye")), frame(end), "HOLD"], [frame(comment(2, "B", "back live")), "HOLD"]]

    async def run():
        async with TikTokServer(scripts, status=["live", "offline", "live"]) as srv:
            return await collect(src(srv), count(ChatReceived, 2))

    evs = asyncio.run(run())
    assert [(d.reason, d.retry_in_s > 0) for d in of(evs, SourceDisconnected)] == [("ended", True), ("room-offline", True)]
    assert [m.text for m in of(evs, ChatReceived)] == ["bye", "back live"]


def test_library_failure_paths():
    async def run():
        async with TikTokServer([["HOLD"]], sign=["ratelimit", "ok"]) as srv:
            limited = await collect(src(srv), count(SourceConnected, 1))
        async with TikTokServer([["HOLD"]], status="missing") as srv:
            async with asyncio.timeout(10):
                missing = [e async for e in src(srv).events(make_ctx())]
        return limited, missing, await settle()

    limited, missing, left = asyncio.run(run())
    d = of(limited, SourceDisconnected)[0]
    assert d.reason == "blocked" and "rate-limiting" in d.message and d.retry_in_s == 0.05  # the floor: first_s
    assert [(d.reason, d.retry_in_s) for d in of(missing, SourceDisconnected)] == [("room-not-found", 0.0)]
    assert left == []


def test_silent_socket_stalls_and_closing_leaves_nothing():
    async def run():
        async with TikTokServer([["HOLD"], [frame(comment(2, "B", "after stall")), "HOLD"]]) as srv:
            evs = await collect(src(srv, stall_timeout_s=0.6), count(ChatReceived, 1))
            left = await settle()
            for _ in range(50):
                if srv.open == 0:
                    break
                await asyncio.sleep(0.02)
            return evs, left, srv.open

    evs, left, still_open = asyncio.run(run())
    assert [type(e).__name__ for e in evs] == ["SourceConnected", "SourceStalled", "SourceDisconnected",
                                               "SourceConnected", "ChatReceived"]
    assert left == [] and still_open == 0


def test_user_names():
    assert parse_user("@shop.name") == "shop.name" and parse_user("https://www.tiktok.com/@shop_1/live") == "shop_1"
    for bad in ("", "@", "has space", "a"):
        with pytest.raises(LiveHostError) as e:
            parse_user(bad)
        assert e.value.code == "source-spec-invalid"
