"""Bilibili danmaku source against a local server (127.0.0.1, port 0) that speaks the protocol
from constructed frames: room_init / nav / spi / getDanmuInfo over HTTP, then the binary
packet WebSocket with zlib and brotli bodies, heartbeats, auth replies, drops and garbage."""
from __future__ import annotations

import asyncio
import json
import struct
import urllib.parse
import zlib
from decimal import Decimal

import brotli
import keyring
import keyring.backend
import keyring.backends.fail
import pytest
from websockets.asyncio.server import serve
from websockets.datastructures import Headers
from websockets.http11 import Response

from app.errors import LiveHostError
from app.events import (ChatReceived, ErrorOccurred, GiftReceived, LikesReceived, SourceConnected,
                        SourceDisconnected, SourceStalled, ViewerCountUpdated, ViewerEntered, ViewerFollowed,
                        ViewerShared)
from app.sources import open_source
from app.sources.bilibili import expand, parse_room_id, unpack, wbi_mixin_key, wbi_sign
from app.sources.live import Backoff
from tests.live_helpers import collect, count, fast_options, of, settle

IMG = "https://i0.hdslb.com/bfs/wbi/7cd084941338484aae1ad9425b84077c.png"
SUB = "https://i0.hdslb.com/bfs/wbi/4932caff0ff746eab6f01bf08b70ac45.png"


def packet(op, body=b"", ver=1):
    """A packet built by hand (16-byte big-endian header), independent of the code under test."""
    if isinstance(body, (dict, list)):
        body = json.dumps(body, ensure_ascii=False).encode()
    return struct.pack(">IHHII", 16 + len(body), 16, ver, op, 1) + body


def cmd(obj):
    return packet(5, obj, ver=0)


def zlib_body(*packets):
    return packet(5, zlib.compress(b"".join(packets)), ver=2)


def brotli_body(*packets):
    return packet(5, brotli.compress(b"".join(packets)), ver=3)


def danmu(uid, name, text, id_str=None):
    extra = json.dumps({"id_str": id_str, "content": text}) if id_str else "{}"
    meta = [0, 1, 25, 16777215, 1700000000000, 12345, 0, "abcd", 0, 0, 0, "", 0, "{}", "{}", {"extra": extra}]
    return cmd({"cmd": "DANMU_MSG", "info": [meta, text, [uid, name, 0, 0, 0, 10000, 1, ""], [], [0, 0, 0, 0], [], 0, 0]})


def gift(uid, name, gift_name, num, combo, tid, coin=100):
    return cmd({"cmd": "SEND_GIFT", "data": {"uid": uid, "uname": name, "giftName": gift_name, "num": num,
                                             "batch_combo_id": combo, "tid": tid, "coin_type": "gold",
                                             "total_coin": coin * num, "price": coin}})


class BiliServer:
    """room_init, nav, spi and getDanmuInfo on HTTP; the danmaku WebSocket on /sub (same port).

    ``scripts``: per WebSocket connection (in order; the last repeats), a list of frames
    (bytes), pauses (float seconds), ``"DROP"`` (abort TCP) or ``"HOLD"`` (keep open).
    """

    def __init__(self, scripts, *, rooms=None, auth_code=0, live=True, heartbeat_reply=True):
        self.scripts = scripts
        self.rooms = rooms or {6: 21452505, 21452505: 21452505}
        self.auth_code = auth_code
        self.live = live
        self.heartbeat_reply = heartbeat_reply
        self.auths, self.http, self.heartbeats = [], [], 0
        self.ws_conns = 0
        self.open = 0

    async def __aenter__(self):
        self.server = await serve(self._ws, "127.0.0.1", 0, process_request=self._http, compression=None)
        self.port = self.server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        return self

    async def __aexit__(self, *exc):
        self.server.close()
        await self.server.wait_closed()

    def _json(self, obj, status=200):
        body = json.dumps(obj).encode()
        return Response(status, "OK", Headers([("Content-Type", "application/json"),
                                               ("Content-Length", str(len(body)))]), body)

    def _http(self, connection, request):
        url = urllib.parse.urlsplit(request.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        cookie = request.headers.get("Cookie", "")
        self.http.append((url.path, q, cookie))
        if url.path == "/sub":
            return None
        if url.path == "/room/v1/Room/room_init":
            real = self.rooms.get(int(q["id"]))
            if real is None:
                return self._json({"code": 60004, "message": "直播间不存在", "data": {}})
            live = self.live if isinstance(self.live, bool) else self.live.pop(0)
            return self._json({"code": 0, "data": {"room_id": real, "short_id": int(q["id"]) if real != int(q["id"]) else 0,
                                                   "uid": 99, "live_status": 1 if live else 0}})
        if url.path == "/x/web-interface/nav":
            logged = "SESSDATA=good" in cookie
            return self._json({"code": 0 if logged else -101, "data": {"isLogin": logged, "mid": 4242 if logged else 0,
                                                                       "wbi_img": {"img_url": IMG, "sub_url": SUB}}})
        if url.path == "/x/frontend/finger/spi":
            return self._json({"code": 0, "data": {"b_3": "BUVID-TEST", "b_4": "x"}})
        if url.path == "/xlive/web-room/v1/index/getDanmuInfo":
            return self._json({"code": 0, "data": {"token": f"TOKEN-{q['id']}", "host_list": [
                {"host": "127.0.0.1", "port": self.port, "ws_port": self.port, "wss_port": self.port}]}})
        return self._json({"code": -404}, status=404)

    async def _ws(self, ws):
        n = self.ws_conns
        self.ws_conns += 1
        self.open += 1
        try:
            auth = await ws.recv()
            (plen, hlen, ver, op, _), body = struct.unpack(">IHHII", auth[:16]), auth[16:]
            assert op == 7 and plen == len(auth)
            self.auths.append(json.loads(body))
            await ws.send(packet(8, {"code": self.auth_code}))
            if self.auth_code:
                return
            pump = asyncio.create_task(self._heartbeats(ws))
            try:
                script = self.scripts[min(n, len(self.scripts) - 1)]
                for item in script:
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
            finally:
                pump.cancel()
        except Exception:
            pass
        finally:
            self.open -= 1

    async def _heartbeats(self, ws):
        async for frame in ws:
            if isinstance(frame, bytes) and struct.unpack(">IHHII", frame[:16])[3] == 2:
                self.heartbeats += 1
                if self.heartbeat_reply:
                    await ws.send(packet(3, struct.pack(">I", 12345)))


@pytest.fixture
def memory_keyring():
    class Memory(keyring.backend.KeyringBackend):
        priority = 1
        store: dict = {}

        def get_password(self, service, username):
            return self.store.get((service, username))

        def set_password(self, service, username, password):
            self.store[(service, username)] = password

        def delete_password(self, service, username):
            self.store.pop((service, username), None)

    old = keyring.get_keyring()
    mem = Memory()
    keyring.set_keyring(mem)
    yield mem
    keyring.set_keyring(old)


def src(server, room="6", **kw):
    opts = fast_options(use_keyring=False, heartbeat_s=0.2, gift_idle_s=0.3, http_timeout_s=3)
    opts.update(kw)
    return open_source(f"bilibili:{room}", endpoint=server.url, **opts)


def test_short_id_resolved_auth_sent_and_packed_bodies_decoded():
    frames = [
        zlib_body(danmu(1001, "小美", "3号链接多少钱", id_str="dm-a"), danmu(0, "用***", "有优惠吗")),
        brotli_body(gift(1002, "阿强", "小心心", 1, "combo-1", "t1"), gift(1002, "阿强", "小心心", 2, "combo-1", "t2"),
                    cmd({"cmd": "INTERACT_WORD", "data": {"uid": 1003, "uname": "Lily", "msg_type": 1}}),
                    cmd({"cmd": "INTERACT_WORD", "data": {"uid": 1003, "uname": "Lily", "msg_type": 2}}),
                    cmd({"cmd": "INTERACT_WORD", "data": {"uid": 1003, "uname": "Lily", "msg_type": 3}})),
        cmd({"cmd": "GUARD_BUY", "data": {"uid": 1004, "username": "船长", "guard_level": 3, "num": 1,
                                          "price": 198000, "gift_name": "舰长", "start_time": 1700000000}}),
        cmd({"cmd": "SUPER_CHAT_MESSAGE", "data": {"id": 777, "uid": 1005, "price": 30, "message": "主播看看我",
                                                   "user_info": {"uname": "大佬"}}}),
        cmd({"cmd": "LIKE_INFO_V3_CLICK", "data": {"uid": 1006, "uname": "点赞狂魔", "like_text": "为主播点赞了"}}),
        cmd({"cmd": "SOMETHING_NEW", "data": {"x": 1}}),
        cmd({"cmd": "DANMU_MSG:4:0:2:2:2:0", "info": json.loads(danmu(1001, "小美", "还有吗")[16:])["info"]}),
        "HOLD",
    ]

    async def run():
        async with BiliServer([frames]) as srv:
            evs = await collect(src(srv), lambda e: any(isinstance(x, GiftReceived) and x.streak_end and x.streak_id
                                                        for x in e))
            return evs, srv

    evs, srv = asyncio.run(run())
    auth = srv.auths[0]
    assert auth == {"uid": 0, "roomid": 21452505, "protover": 3, "platform": "web", "type": 2,
                    "buvid": "BUVID-TEST", "key": "TOKEN-21452505"}
    info_q = next(q for p, q, _ in srv.http if p.endswith("getDanmuInfo"))
    assert info_q["id"] == "21452505" and info_q["type"] == "0" and len(info_q["w_rid"]) == 32
    key = wbi_mixin_key(IMG, SUB)
    assert wbi_sign({"id": 21452505, "type": 0}, key, ts=int(info_q["wts"]))["w_rid"] == info_q["w_rid"]
    assert of(evs, SourceConnected)[0].detail == "room 21452505 (short id 6) anonymously"

    chats = of(evs, ChatReceived)
    assert [(c.viewer.uid, c.viewer.nickname, c.text, c.amount) for c in chats] == [
        ("1001", "小美", "3号链接多少钱", None), ("", "用***", "有优惠吗", None),
        ("1005", "大佬", "主播看看我", Decimal("30")), ("1001", "小美", "还有吗", None)]
    assert chats[0].msg_id == "bili-dm-dm-a" and chats[2].currency == "CNY"
    assert all(c.source == "bilibili:6" and c.viewer.platform == "bilibili" for c in chats)
    gifts = of(evs, GiftReceived)
    assert [(g.viewer.uid, g.gift_name, g.count, g.streak_id, g.streak_end, g.amount) for g in gifts] == [
        ("1002", "小心心", 1, "combo-1", False, Decimal("0.1")),
        ("1002", "小心心", 3, "combo-1", False, Decimal("0.3")),
        ("1004", "舰长", 1, "", True, Decimal("198")),
        ("1002", "小心心", 3, "combo-1", True, Decimal("0.3"))]  # thanked once, at the end, with the total
    assert [(type(e).__name__, e.viewer.uid) for e in evs if isinstance(e, (ViewerEntered, ViewerFollowed, ViewerShared))] == [
        ("ViewerEntered", "1003"), ("ViewerFollowed", "1003"), ("ViewerShared", "1003")]
    assert [(x.viewer.nickname, x.count) for x in of(evs, LikesReceived)] == [("点赞狂魔", 1)]
    assert of(evs, ErrorOccurred) == [] and of(evs, SourceDisconnected) == []
    assert len({e.msg_id for e in evs if hasattr(e, "msg_id")}) == len([e for e in evs if hasattr(e, "msg_id")])


def test_combo_send_totals_do_not_add_up_twice():
    frames = [gift(1, "a", "辣条", 1, "c9", "x1"), gift(1, "a", "辣条", 1, "c9", "x2"),
              cmd({"cmd": "COMBO_SEND", "data": {"uid": 1, "uname": "a", "gift_name": "辣条", "batch_combo_id": "c9",
                                                 "batch_combo_num": 2, "combo_num": 2, "combo_total_coin": 200}}),
              gift(1, "a", "辣条", 1, "c9", "x3"), "HOLD"]

    async def run():
        async with BiliServer([frames]) as srv:
            return await collect(src(srv), lambda e: any(isinstance(x, GiftReceived) and x.streak_end for x in e))

    gifts = of(asyncio.run(run()), GiftReceived)
    assert [(g.count, g.streak_end) for g in gifts] == [(1, False), (2, False), (2, False), (3, False), (3, True)]


def test_heartbeat_replies_report_popularity_and_keep_the_connection():
    async def run():
        async with BiliServer([[1.2, danmu(7, "b", "late but fine"), "HOLD"]]) as srv:
            evs = await collect(src(srv, stall_timeout_s=0.5), count(ChatReceived, 1))
            return evs, srv.heartbeats

    evs, beats = asyncio.run(run())
    assert beats >= 4
    pops = of(evs, ViewerCountUpdated)
    assert pops and {(p.count, p.measure, p.source) for p in pops} == {(12345, "popularity", "bilibili:6")}
    assert of(evs, SourceStalled) == [] and of(evs, SourceDisconnected) == []


def test_silent_server_stalls_and_reconnects():
    async def run():
        async with BiliServer([["HOLD"], [danmu(7, "b", "after the stall"), "HOLD"]], heartbeat_reply=False) as srv:
            evs = await collect(src(srv, stall_timeout_s=0.4), count(ChatReceived, 1))
            return evs, srv.ws_conns

    evs, conns = asyncio.run(run())
    assert conns == 2
    assert [type(e).__name__ for e in evs if not isinstance(e, ViewerCountUpdated)] == [
        "SourceConnected", "SourceStalled", "SourceDisconnected", "SourceConnected", "ChatReceived"]
    assert of(evs, SourceDisconnected)[0].reason == "stalled"


def test_drop_mid_stream_reconnects_within_5s_with_the_default_backoff():
    scripts = [[danmu(1, "a", "before"), 0.05, "DROP"], [danmu(2, "b", "after"), "HOLD"]]

    async def run():
        async with BiliServer(scripts) as srv:
            s = src(srv, backoff=Backoff())  # the shipped default delays
            loop = asyncio.get_running_loop()
            stamps = []
            evs = await collect(s, lambda e: (stamps.append(loop.time()) or True) and len(of(e, ChatReceived)) >= 2)
            return evs, stamps

    evs, stamps = asyncio.run(run())
    assert [c.text for c in of(evs, ChatReceived)] == ["before", "after"]
    d = of(evs, SourceDisconnected)[0]
    assert d.reason == "server-closed" and 0 < d.retry_in_s <= 5
    i_drop = evs.index(d)
    i_back = next(i for i, e in enumerate(evs) if isinstance(e, SourceConnected) and i > i_drop)
    assert stamps[i_back] - stamps[i_drop] < 5


def test_garbage_frames_are_reported_once_each_and_skipped():
    bad_header = struct.pack(">IHHII", 999, 16, 0, 5, 1) + b"{}"
    frames = [bad_header, packet(5, b"\x00not zlib", ver=2), packet(5, b"nope", ver=3), packet(5, b"{not json", ver=0),
              cmd({"cmd": "DANMU_MSG", "info": "wrong"}), cmd({"cmd": "DANMU_MSG", "info": []}),
              packet(5, b"[1,2]", ver=0), danmu(5, "ok", "still delivered"), "HOLD"]

    async def run():
        async with BiliServer([frames]) as srv:
            return await collect(src(srv), count(ChatReceived, 1))

    evs = asyncio.run(run())
    errs = of(evs, ErrorOccurred)
    assert {e.code for e in errs} == {"source-frame-malformed"}
    # one per kind: bad packets (header, zlib, brotli), non-JSON body, DANMU_MSG shape (twice), no command
    assert len(errs) == 4
    assert ["bad packet" in errs[0].message, "not JSON" in errs[1].message, "DANMU_MSG" in errs[2].message,
            "without a command" in errs[3].message] == [True] * 4
    assert [c.text for c in of(evs, ChatReceived)] == ["still delivered"]
    assert of(evs, SourceDisconnected) == []


def test_auth_failure_anonymous_is_blocked_and_retried():
    async def run():
        async with BiliServer([["HOLD"]], auth_code=-101) as srv:
            return await collect(src(srv), count(SourceDisconnected, 2)), srv.ws_conns

    evs, conns = asyncio.run(run())
    ds = of(evs, SourceDisconnected)
    assert [d.reason for d in ds] == ["blocked", "blocked"] and all(d.retry_in_s > 0 for d in ds)
    assert "auth code -101" in ds[0].message and conns == 2


def test_expired_login_from_the_keyring_falls_back_to_anonymous(memory_keyring):
    from app.sources.credentials import store_login

    store_login("bilibili", "SESSDATA=stale; buvid3=MY-BUVID")

    async def run():
        async with BiliServer([[danmu(3, "c", "hello"), "HOLD"]]) as srv:
            evs = await collect(src(srv, use_keyring=True), count(ChatReceived, 1))
            return evs, srv

    evs, srv = asyncio.run(run())
    d = of(evs, SourceDisconnected)[0]
    assert d.reason == "login-expired" and "anonymously" in d.message and d.retry_in_s > 0
    assert srv.auths == [{"uid": 0, "roomid": 21452505, "protover": 3, "platform": "web", "type": 2,
                          "buvid": "BUVID-TEST", "key": "TOKEN-21452505"}]
    assert srv.http[0][2] == "SESSDATA=stale; buvid3=MY-BUVID" and srv.http[-1][2] == ""
    assert memory_keyring.get_password("livehost", "bilibili") == "SESSDATA=stale; buvid3=MY-BUVID"  # kept


def test_valid_login_authenticates_with_the_user_id(memory_keyring):
    from app.sources.credentials import store_login

    store_login("bilibili", "SESSDATA=good; buvid3=MY-BUVID")

    async def run():
        async with BiliServer([[danmu(3, "c", "hi"), "HOLD"]]) as srv:
            evs = await collect(src(srv, use_keyring=True), count(ChatReceived, 1))
            return evs, srv.auths

    evs, auths = asyncio.run(run())
    assert auths[0]["uid"] == 4242 and auths[0]["buvid"] == "MY-BUVID"
    assert of(evs, SourceConnected)[0].detail.endswith("as a logged-in viewer")


def test_no_keyring_backend_says_so_and_connects_anonymously():
    old = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        async def run():
            async with BiliServer([[danmu(3, "c", "hi"), "HOLD"]]) as srv:
                return await collect(src(srv, use_keyring=True), count(ChatReceived, 1))

        evs = asyncio.run(run())
    finally:
        keyring.set_keyring(old)
    err = of(evs, ErrorOccurred)[0]
    assert err.code == "login-store-unavailable" and "anonymously" in err.message and "keyring" in err.hint
    assert [c.text for c in of(evs, ChatReceived)] == ["hi"]


def test_unknown_room_ends_the_source():
    async def run():
        async with BiliServer([["HOLD"]]) as srv:
            s = src(srv, room="999")
            evs = [e async for e in s.events(__import__("tests.live_helpers", fromlist=["x"]).make_ctx())]
            return evs, await settle()

    evs, left = asyncio.run(run())
    assert len(evs) == 1 and evs[0].reason == "room-not-found" and evs[0].retry_in_s == 0 and left == []


def test_offline_room_waits_until_live_and_preparing_reconnects():
    async def run():
        async with BiliServer([[cmd({"cmd": "PREPARING", "roomid": 21452505}), "HOLD"], ["HOLD"]],
                              live=[False, True, False, True]) as srv:
            return await collect(src(srv), count(SourceConnected, 2))

    evs = asyncio.run(run())
    assert [(type(e).__name__, getattr(e, "reason", "")) for e in evs if not isinstance(e, ViewerCountUpdated)] == [
        ("SourceDisconnected", "room-offline"), ("SourceConnected", ""), ("SourceDisconnected", "room-offline"),
        ("SourceDisconnected", "room-offline"), ("SourceConnected", "")]


def test_closing_leaves_no_task_or_socket():
    async def run():
        async with BiliServer([[danmu(1, "a", "x"), "HOLD"]]) as srv:
            await collect(src(srv), count(ChatReceived, 1))
            left = await settle()
            for _ in range(50):
                if srv.open == 0:
                    break
                await asyncio.sleep(0.02)
            return left, srv.open

    left, still_open = asyncio.run(run())
    assert left == [] and still_open == 0


def test_packets_and_room_ids():
    two = packet(5, {"cmd": "A"}, ver=0) + packet(3, struct.pack(">I", 7))
    assert [(p.op, p.ver) for p in unpack(two)] == [(5, 0), (3, 1)]
    nested = packet(5, brotli.compress(packet(5, zlib.compress(packet(5, b'{"cmd":"X"}', ver=0)), ver=2)), ver=3)
    assert [p.body for p in expand(nested)] == [b'{"cmd":"X"}']
    with pytest.raises(ValueError):
        list(unpack(two + b"\x00\x00"))
    assert parse_room_id("21452505") == 21452505
    assert parse_room_id("https://live.bilibili.com/6?spm=1") == 6
    assert parse_room_id("live.bilibili.com/21452505") == 21452505
    for bad in ("", "abc", "0", "-5"):
        with pytest.raises(LiveHostError) as e:
            parse_room_id(bad)
        assert e.value.code == "source-spec-invalid"
