"""Bilibili live danmaku (``bilibili:ROOM_ID``): the public web danmaku WebSocket protocol.

Connection (one per attempt):

1. ``GET {live_api}/room/v1/Room/room_init?id=ROOM`` -> the real room id (a short room id such
   as ``6`` resolves to its long id), ``live_status`` (1 = live). Code 60004 = no such room.
2. ``GET {api}/x/web-interface/nav`` -> the WBI signing keys and, with a login cookie, the
   user id (``isLogin`` false with a cookie = the login expired). ``GET {api}/x/frontend/finger/spi``
   -> a ``buvid3`` browser id when the cookie has none.
3. ``GET {live_api}/xlive/web-room/v1/index/getDanmuInfo?id=REAL&type=0`` (WBI-signed) -> the
   connection token and the danmaku servers.
4. WebSocket ``wss://HOST:WSS_PORT/sub``; every frame holds packets with a 16-byte big-endian
   header: packet length (u32), header length (u16, 16), protocol version (u16), operation
   (u32), sequence (u32). Operations: 7 auth (JSON ``{uid, roomid, protover: 3, platform: "web",
   type: 2, buvid, key}``) -> 8 auth reply (``{"code": 0}``); 2 heartbeat every 30 s -> 3 reply
   (u32 popularity); 5 message. A message's version says its body: 0 JSON, 2 zlib, 3 brotli --
   a decompressed body is again a sequence of packets.

Commands mapped (others are ignored): ``DANMU_MSG`` -> :class:`ChatReceived`; ``SEND_GIFT`` and
``COMBO_SEND`` -> :class:`GiftReceived` streaks (Bilibili sends no end-of-combo frame: a streak
ends ``gift_idle_s`` after its last frame, see :class:`~app.sources.live.GiftStreaks`);
``GUARD_BUY`` (舰长/提督/总督) -> :class:`GiftReceived` with its price; ``SUPER_CHAT_MESSAGE``
(醒目留言) -> :class:`ChatReceived` with ``amount`` in CNY; ``INTERACT_WORD`` -> enter (1),
follow (2, 4, 5), share (3); ``LIKE_INFO_V3_CLICK`` -> :class:`LikesReceived`; ``PREPARING``
/ ``CUT_OFF`` (broadcast ended / cut) -> reconnect, which waits for the room to be live.

Anonymous connections get masked names and uid 0 after a few minutes: uid 0 becomes
``viewer.uid == ""`` (an unknown viewer). An optional login cookie is read from the OS keyring
(:mod:`app.sources.credentials`, entry ``bilibili``); 1000 gold coins (金瓜子) = 1 yuan.

Protocol references: the web client's own JavaScript, as documented by the open-source
projects blivedm (xfgryujk) and bilibili-API-collect (SocialSisterYi; WBI signing).
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import struct
import time
import urllib.parse
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.errors import LiveHostError
from app.events import (ChatReceived, ErrorOccurred, GiftReceived, LikesReceived, ViewerCountUpdated,
                        ViewerEntered, ViewerFollowed, ViewerShared, Viewer)
from app.sources.live import (GiftStreaks, LiveChatSource, Link, SourceFailure, gift_amount, require_packages,
                              source_options)
from app.vocab import DisconnectReason, ErrorCode

LIVE_API = "https://api.live.bilibili.com"
MAIN_API = "https://api.bilibili.com"
ROOM_INIT_PATH = "/room/v1/Room/room_init"
DANMU_INFO_PATH = "/xlive/web-room/v1/index/getDanmuInfo"
NAV_PATH = "/x/web-interface/nav"
SPI_PATH = "/x/frontend/finger/spi"
USER_AGENT = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/124.0 Safari/537.36")

HEADER = struct.Struct(">IHHII")
"""Packet header: packet length, header length (16), protocol version, operation, sequence."""
HEADER_LEN = HEADER.size

OP_HEARTBEAT, OP_HEARTBEAT_REPLY, OP_MESSAGE, OP_AUTH, OP_AUTH_REPLY = 2, 3, 5, 7, 8
VER_JSON, VER_INT, VER_ZLIB, VER_BROTLI = 0, 1, 2, 3

ROOM_NOT_FOUND_CODES = {60004, 19002000}
"""room_init codes for a room that does not exist."""
RISK_CODES = {-352, -412, 412}
"""Codes of Bilibili's risk control (rate limit / bot check)."""

WBI_MIXIN = (46, 47, 18, 2, 53, 8, 23, 32, 15, 50, 10, 31, 58, 3, 45, 35, 27, 43, 5, 49, 33, 9, 42, 19,
             29, 28, 14, 39, 12, 38, 41, 13, 37, 48, 7, 16, 24, 55, 40, 61, 26, 17, 0, 1, 60, 51, 30, 4,
             22, 25, 54, 21, 56, 59, 6, 63, 57, 62, 11, 36, 20, 34, 44, 52)
"""The web client's fixed permutation of the two WBI key halves (bilibili-API-collect,
docs/misc/sign/wbi.md); the first 32 characters form the mixin key."""

GUARD_NAMES = {1: "总督", 2: "提督", 3: "舰长"}


@dataclass(frozen=True, slots=True)
class Packet:
    ver: int
    op: int
    body: bytes


def pack(op: int, body: bytes = b"", ver: int = VER_INT, seq: int = 1) -> bytes:
    """One packet: the 16-byte header, then ``body``."""
    return HEADER.pack(HEADER_LEN + len(body), HEADER_LEN, ver, op, seq) + body


def unpack(data: bytes) -> Iterator[Packet]:
    """The packets in ``data`` (a frame or a decompressed body), in order.

    Raises:
        ValueError: a header whose lengths do not fit the data (after yielding the good ones).
    """
    off = 0
    n = len(data)
    while off < n:
        if n - off < HEADER_LEN:
            raise ValueError(f"{n - off} trailing bytes are shorter than a packet header")
        plen, hlen, ver, op, _seq = HEADER.unpack_from(data, off)
        if plen < hlen or hlen < HEADER_LEN or off + plen > n:
            raise ValueError(f"packet length {plen} / header length {hlen} do not fit the {n - off} bytes left")
        yield Packet(ver, op, data[off + hlen:off + plen])
        off += plen


def expand(data: bytes, _depth: int = 0) -> Iterator[Packet]:
    """The packets of a frame with compressed bodies opened (zlib v2, brotli v3), recursively.

    Raises:
        ValueError: bad header or a body that does not decompress.
    """
    for p in unpack(data):
        if p.op == OP_MESSAGE and p.ver in (VER_ZLIB, VER_BROTLI):
            if _depth > 2:
                raise ValueError("compressed bodies nested too deep")
            try:
                if p.ver == VER_ZLIB:
                    inner = zlib.decompress(p.body)
                else:
                    import brotli

                    inner = brotli.decompress(p.body)
            except Exception as exc:  # zlib.error, brotli.error
                raise ValueError(f"a {'zlib' if p.ver == VER_ZLIB else 'brotli'} body does not decompress ({exc})") from exc
            yield from expand(inner, _depth + 1)
        else:
            yield p


def wbi_mixin_key(img_url: str, sub_url: str) -> str:
    """The WBI mixin key from the nav call's ``wbi_img`` URLs (their file names' stems)."""
    img = img_url.rsplit("/", 1)[-1].split(".", 1)[0]
    sub = sub_url.rsplit("/", 1)[-1].split(".", 1)[0]
    full = img + sub
    if len(full) < 64:
        raise ValueError("WBI key halves are too short")
    return "".join(full[i] for i in WBI_MIXIN)[:32]


def wbi_sign(params: dict[str, Any], mixin_key: str, ts: int | None = None) -> dict[str, str]:
    """``params`` plus ``wts`` (unix seconds) and ``w_rid`` = md5(sorted urlencoded query +
    mixin key), with the characters ``!'()*`` removed from values (bilibili-API-collect)."""
    q = {k: "".join(c for c in str(v) if c not in "!'()*") for k, v in params.items()}
    q["wts"] = str(int(time.time()) if ts is None else ts)
    query = urllib.parse.urlencode(sorted(q.items()))
    q["w_rid"] = hashlib.md5((query + mixin_key).encode()).hexdigest()
    return q


def _cookie_value(cookie: str, name: str) -> str:
    for part in cookie.split(";"):
        k, _, v = part.strip().partition("=")
        if k == name:
            return v
    return ""


class BilibiliChatSource(LiveChatSource):
    """Danmaku, gifts, guards, Super Chats, entries, follows and likes of one Bilibili live room.

    Args:
        room_id: the number in ``live.bilibili.com/<room_id>`` (a short id is resolved).
        cookie: a login cookie (``SESSDATA=...``); ``None`` = read the keyring when
            ``use_keyring`` (else anonymous).
        use_keyring: look for a stored login in the OS keyring.
        heartbeat_s: seconds between heartbeats (Bilibili's web client: 30).
        gift_idle_s: a gift streak ends this many seconds after its last frame.
        http_timeout_s: per HTTP call and for the WebSocket handshake and auth reply.
        **kw: :class:`~app.sources.live.LiveChatSource` options (endpoint, stall_timeout_s,
            backoff, rng). With ``endpoint`` (``http://host:port``) every HTTP call goes there,
            and the WebSocket uses ``ws://`` (``wss://`` for an ``https`` endpoint) to the hosts
            its getDanmuInfo returns.
    """

    platform = "bilibili"

    def __init__(self, room_id: int, *, cookie: str | None = None, use_keyring: bool = True,
                 heartbeat_s: float = 30.0, gift_idle_s: float = 4.0, http_timeout_s: float = 10.0,
                 **kw: Any) -> None:
        super().__init__(f"bilibili:{room_id}", **kw)
        self.room_id = int(room_id)
        self.real_room_id: int | None = None
        self.cookie = cookie
        self._keyring_checked = cookie is not None or not use_keyring
        self.heartbeat_s = heartbeat_s
        self.http_timeout_s = http_timeout_s
        self.streaks = GiftStreaks(gift_idle_s)
        self.popularity: int | None = None
        self._buvid = ""
        self._ids = itertools.count(1)
        self.live_api = self.endpoint or LIVE_API
        self.main_api = self.endpoint or MAIN_API

    # ------------------------------------------------------------------ HTTP

    async def _get_json(self, http, url: str, params: dict[str, Any]) -> dict[str, Any]:
        r = await http.get(url, params=params)
        if r.status_code in (403, 412, 429):
            raise SourceFailure(DisconnectReason.BLOCKED,
                                f"Bilibili refused the request (HTTP {r.status_code}): too many requests or a bot check.")
        r.raise_for_status()
        try:
            data = r.json()
        except ValueError as exc:
            raise SourceFailure(DisconnectReason.PROTOCOL_ERROR, f"{url} did not answer JSON.") from exc
        if not isinstance(data, dict):
            raise SourceFailure(DisconnectReason.PROTOCOL_ERROR, f"{url} answered {type(data).__name__}, not an object.")
        return data

    async def _room_init(self, http) -> tuple[int, int]:
        data = await self._get_json(http, self.live_api + ROOM_INIT_PATH, {"id": self.room_id})
        code = data.get("code")
        if code in ROOM_NOT_FOUND_CODES:
            raise SourceFailure(DisconnectReason.ROOM_NOT_FOUND, f"Bilibili has no live room {self.room_id}.",
                                retry=False)
        if code in RISK_CODES:
            raise SourceFailure(DisconnectReason.BLOCKED, f"Bilibili's risk control refused the room lookup ({code}).")
        d = data.get("data")
        if code != 0 or not isinstance(d, dict) or not isinstance(d.get("room_id"), int):
            raise SourceFailure(DisconnectReason.PROTOCOL_ERROR,
                                f"Unexpected room_init answer (code {code}: {data.get('message', '')}).")
        return d["room_id"], int(d.get("live_status") or 0)

    async def _nav(self, http) -> tuple[str | None, int, bool]:
        """(WBI mixin key or None, logged-in uid or 0, login refused)."""
        try:
            data = await self._get_json(http, self.main_api + NAV_PATH, {})
        except SourceFailure:
            return None, 0, False
        d = data.get("data") if isinstance(data.get("data"), dict) else {}
        key = None
        img = d.get("wbi_img") if isinstance(d.get("wbi_img"), dict) else {}
        try:
            key = wbi_mixin_key(str(img.get("img_url", "")), str(img.get("sub_url", "")))
        except ValueError:
            key = None
        logged_in = bool(d.get("isLogin"))
        uid = int(d.get("mid") or 0) if logged_in else 0
        return key, uid, bool(self.cookie) and not logged_in

    async def _buvid3(self, http) -> str:
        if self.cookie and _cookie_value(self.cookie, "buvid3"):
            return _cookie_value(self.cookie, "buvid3")
        if self._buvid:
            return self._buvid
        try:
            data = await self._get_json(http, self.main_api + SPI_PATH, {})
            self._buvid = str((data.get("data") or {}).get("b_3") or "")
        except (SourceFailure, AttributeError):
            self._buvid = ""
        return self._buvid

    async def _danmu_info(self, http, real_id: int, key: str | None) -> tuple[str, list[dict[str, Any]]]:
        params: dict[str, Any] = {"id": real_id, "type": 0}
        if key:
            params = wbi_sign(params, key)
        data = await self._get_json(http, self.live_api + DANMU_INFO_PATH, params)
        code = data.get("code")
        if code in RISK_CODES:
            raise SourceFailure(DisconnectReason.BLOCKED,
                                f"Bilibili's risk control refused the danmaku server lookup ({code}).")
        d = data.get("data")
        if code != 0 or not isinstance(d, dict) or not isinstance(d.get("token"), str):
            raise SourceFailure(DisconnectReason.PROTOCOL_ERROR,
                                f"Unexpected getDanmuInfo answer (code {code}: {data.get('message', '')}).")
        hosts = [h for h in d.get("host_list") or [] if isinstance(h, dict) and h.get("host")]
        if not hosts:
            raise SourceFailure(DisconnectReason.PROTOCOL_ERROR, "getDanmuInfo listed no danmaku servers.")
        return d["token"], hosts

    def _ws_url(self, host: dict[str, Any], attempt: int) -> str:
        if self.endpoint and self.endpoint.startswith("http://"):
            return f"ws://{host['host']}:{host.get('ws_port', 2244)}/sub"
        return f"wss://{host['host']}:{host.get('wss_port', 443)}/sub"

    # ------------------------------------------------------------------ connection

    async def _load_login(self, link: Link) -> None:
        from app.sources.credentials import UNAVAILABLE_HINT, load_login

        self._keyring_checked = True
        secret, notice = await asyncio.to_thread(load_login, "bilibili")
        if secret:
            self.cookie = secret
        elif notice:
            await link.emit(ErrorOccurred(t=link.now(), code=ErrorCode.LOGIN_STORE_UNAVAILABLE, stage="bilibili",
                                          message=notice + " Connecting to Bilibili anonymously (viewer names "
                                                           "may be masked).", hint=UNAVAILABLE_HINT))

    async def connect(self, link: Link) -> None:
        import httpx
        import websockets

        if not self._keyring_checked:
            await self._load_login(link)
        headers = {"User-Agent": USER_AGENT, "Referer": "https://live.bilibili.com/",
                   "Origin": "https://live.bilibili.com"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        async with httpx.AsyncClient(headers=headers, timeout=self.http_timeout_s, follow_redirects=True,
                                     trust_env=not self.endpoint) as http:
            real_id, live_status = await self._room_init(http)
            self.real_room_id = real_id
            if live_status != 1:
                raise SourceFailure(DisconnectReason.ROOM_OFFLINE,
                                    f"Bilibili room {self.room_id} is not live right now.")
            key, uid, refused = await self._nav(http)
            if refused:
                self.cookie = None
                raise SourceFailure(DisconnectReason.LOGIN_EXPIRED,
                                    "Bilibili did not accept the stored login; connecting anonymously.",
                                    retry_in_s=self.backoff.first_s, count_retry=False)
            buvid = await self._buvid3(http)
            token, hosts = await self._danmu_info(http, real_id, key)
        host = hosts[link.attempt % len(hosts)]
        url = self._ws_url(host, link.attempt)
        async with websockets.connect(url, open_timeout=self.http_timeout_s, ping_interval=None,
                                      max_size=8 * 2 ** 20, compression=None,
                                      user_agent_header=USER_AGENT) as ws:
            auth = {"uid": uid, "roomid": real_id, "protover": 3, "platform": "web", "type": 2,
                    "buvid": buvid, "key": token}
            await ws.send(pack(OP_AUTH, json.dumps(auth, separators=(",", ":")).encode()))
            async with asyncio.timeout(self.http_timeout_s):
                first = await ws.recv()
            await self._check_auth(first, uid)
            detail = f"room {real_id}" + (f" (short id {self.room_id})" if real_id != self.room_id else "")
            await link.connected(detail + (" as a logged-in viewer" if uid else " anonymously"))
            link.spawn(self._heartbeat(ws), "heartbeat")
            link.spawn(self._streak_timer(link), "gift streaks")
            async for frame in ws:
                if isinstance(frame, str):
                    await link.malformed("text-frame", "Bilibili sent a text frame where binary packets belong")
                    continue
                await self._frame(link, frame)

    async def _check_auth(self, frame: Any, uid: int) -> None:
        try:
            packets = list(expand(frame)) if isinstance(frame, bytes) else []
        except ValueError:
            packets = []
        reply = next((p for p in packets if p.op == OP_AUTH_REPLY), None)
        if reply is None:
            raise SourceFailure(DisconnectReason.PROTOCOL_ERROR, "Bilibili did not answer the auth packet.")
        try:
            code = json.loads(reply.body or b"{}").get("code", 0)
        except (ValueError, AttributeError):
            raise SourceFailure(DisconnectReason.PROTOCOL_ERROR, "Bilibili's auth reply is not JSON.") from None
        if code != 0:
            if uid:
                self.cookie = None
                raise SourceFailure(DisconnectReason.LOGIN_EXPIRED,
                                    f"Bilibili refused the logged-in connection (auth code {code}); "
                                    "connecting anonymously.", retry_in_s=self.backoff.first_s, count_retry=False)
            raise SourceFailure(DisconnectReason.BLOCKED,
                                f"Bilibili refused the anonymous connection (auth code {code}).")

    async def _heartbeat(self, ws) -> None:
        while True:
            await ws.send(pack(OP_HEARTBEAT))
            await asyncio.sleep(self.heartbeat_s)

    async def _streak_timer(self, link: Link) -> None:
        while True:
            wait = self.streaks.next_due_in()
            await asyncio.sleep(self.streaks.idle_s if wait is None else max(0.05, wait))
            for ev in self.streaks.due(link.now()):
                await link.emit(ev)

    def drain(self, t: float) -> list[GiftReceived]:
        return self.streaks.due(t, everything=True)

    async def _frame(self, link: Link, frame: bytes) -> None:
        try:
            packets = list(expand(frame))
        except ValueError as exc:
            await link.malformed("packet", f"a bad packet ({exc})")
            return
        for p in packets:
            if p.op == OP_HEARTBEAT_REPLY:
                link.alive()
                if len(p.body) >= 4:
                    self.popularity = struct.unpack_from(">I", p.body)[0]
                    await link.emit(ViewerCountUpdated(t=link.now(), source=self.spec, platform=self.platform,
                                                       count=self.popularity, measure="popularity"))
            elif p.op == OP_MESSAGE:
                try:
                    msg = json.loads(p.body)
                except ValueError:
                    await link.malformed("json", "a message body is not JSON")
                    continue
                if not isinstance(msg, dict) or not isinstance(msg.get("cmd"), str):
                    await link.malformed("no-cmd", "a message without a command")
                    continue
                cmd = msg["cmd"].split(":", 1)[0]
                try:
                    await self._command(link, cmd, msg)
                except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
                    await link.malformed(f"cmd:{cmd}", f"a {cmd} message has an unexpected shape ({type(exc).__name__}: {exc})")

    def _viewer(self, uid: Any, name: Any) -> Viewer:
        uid = int(uid or 0)
        return Viewer("bilibili", str(uid) if uid else "", str(name or ""))

    def _id(self, kind: str, platform_id: Any = None) -> str:
        if platform_id:
            return f"bili-{kind}-{platform_id}"
        return f"bili-{kind}-{time.time_ns()}-{next(self._ids)}"

    async def _command(self, link: Link, cmd: str, msg: dict[str, Any]) -> None:
        t = link.now()
        sp = self.spec
        if cmd == "DANMU_MSG":
            info = msg["info"]
            meta, text, user = info[0], info[1], info[2]
            extra = meta[15].get("extra") if len(meta) > 15 and isinstance(meta[15], dict) else None
            if isinstance(extra, str):
                try:
                    extra = json.loads(extra)
                except ValueError:
                    extra = None
            id_str = extra.get("id_str") if isinstance(extra, dict) else None
            if not isinstance(text, str):
                raise TypeError("text is not a string")
            await link.emit(ChatReceived(t=t, msg_id=self._id("dm", id_str), viewer=self._viewer(user[0], user[1]),
                                         text=text[:500], source=sp))
        elif cmd == "SEND_GIFT":
            d = msg["data"]
            num = int(d["num"])
            amount = gift_amount(d.get("total_coin")) if d.get("coin_type") == "gold" else None
            streak = str(d.get("batch_combo_id") or "")
            ev = GiftReceived(t=t, msg_id=self._id("gift", d.get("tid") or None), viewer=self._viewer(d["uid"], d["uname"]),
                              gift_name=str(d["giftName"]), count=num, amount=amount,
                              currency="CNY" if amount is not None else "", streak_id=streak, source=sp)
            await link.emit(self.streaks.update(ev) if streak else ev)
        elif cmd == "COMBO_SEND":
            d = msg["data"]
            streak = str(d.get("batch_combo_id") or d.get("combo_id") or "")
            total = int(d.get("batch_combo_num") or d.get("total_num") or d["combo_num"])
            amount = gift_amount(d.get("combo_total_coin"))
            ev = GiftReceived(t=t, msg_id=self._id("combo", f"{streak}-{total}" if streak else None),
                              viewer=self._viewer(d["uid"], d["uname"]), gift_name=str(d["gift_name"]),
                              count=total, amount=amount, currency="CNY" if amount is not None else "",
                              streak_id=streak, source=sp)
            await link.emit(self.streaks.update(ev, cumulative=True) if streak else ev)
        elif cmd == "GUARD_BUY":
            d = msg["data"]
            num = int(d.get("num") or 1)
            amount = gift_amount(int(d.get("price") or 0) * num)
            name = str(d.get("gift_name") or GUARD_NAMES.get(int(d.get("guard_level") or 0), "大航海"))
            await link.emit(GiftReceived(t=t, msg_id=self._id("guard", f"{d['uid']}-{d.get('start_time', '')}"),
                                         viewer=self._viewer(d["uid"], d["username"]), gift_name=name, count=num,
                                         amount=amount, currency="CNY" if amount is not None else "", source=sp))
        elif cmd == "SUPER_CHAT_MESSAGE":
            d = msg["data"]
            user = d.get("user_info") or {}
            await link.emit(ChatReceived(t=t, msg_id=self._id("sc", d.get("id")),
                                         viewer=self._viewer(d["uid"], user.get("uname", "")),
                                         text=str(d["message"])[:500], amount=Decimal(str(d["price"])),
                                         currency="CNY", source=sp))
        elif cmd == "INTERACT_WORD":
            d = msg["data"]
            kind = int(d["msg_type"])
            cls = {1: ViewerEntered, 2: ViewerFollowed, 3: ViewerShared, 4: ViewerFollowed, 5: ViewerFollowed}.get(kind)
            if cls is not None:
                await link.emit(cls(t=t, msg_id=self._id(cls.kind), viewer=self._viewer(d["uid"], d["uname"]), source=sp))
        elif cmd == "LIKE_INFO_V3_CLICK":
            d = msg["data"]
            await link.emit(LikesReceived(t=t, msg_id=self._id("like"), viewer=self._viewer(d["uid"], d["uname"]),
                                          count=1, source=sp))
        elif cmd in ("PREPARING", "CUT_OFF"):
            what = "ended" if cmd == "PREPARING" else "was cut off by Bilibili"
            raise SourceFailure(DisconnectReason.ROOM_OFFLINE, f"The broadcast in Bilibili room {self.room_id} {what}.")


def parse_room_id(target: str) -> int:
    """``21452505``, ``live.bilibili.com/21452505`` or its URL -> 21452505.

    Raises:
        LiveHostError(code="source-spec-invalid"): no room number.
    """
    t = (target or "").strip()
    if "bilibili.com" in t:
        t = urllib.parse.urlsplit(t if "://" in t else "https://" + t).path.strip("/").split("/")[0]
    if not t.isdigit() or int(t) <= 0:
        raise LiveHostError(ErrorCode.SOURCE_SPEC_INVALID, f"'{target}' is not a Bilibili live room id.",
                            "Use the number in the room's address, e.g. bilibili:21452505 for "
                            "live.bilibili.com/21452505.")
    return int(t)


def open_source(target: str, *, settings: Any = None, endpoint: str | None = None, **options: Any) -> BilibiliChatSource:
    """``bilibili:ROOM_ID`` (the number in the room's address; short ids work).

    Options: ``cookie``, ``use_keyring``, ``heartbeat_s``, ``gift_idle_s``, ``http_timeout_s``,
    ``stall_timeout_s``, ``backoff``, ``rng``.

    Raises:
        LiveHostError(code="source-spec-invalid"): not a room number.
        LiveHostError(code="source-missing-package"): httpx / websockets / brotli missing.
    """
    room = parse_room_id(target)
    require_packages("httpx", "websockets", "brotli")
    kw = source_options("bilibili", settings, endpoint, options)
    allowed = {"cookie", "use_keyring", "heartbeat_s", "gift_idle_s", "http_timeout_s"}
    kw.update({k: v for k, v in options.items() if k in allowed})
    return BilibiliChatSource(room, **kw)

