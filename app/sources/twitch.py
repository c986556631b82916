"""Twitch chat (``twitch:CHANNEL``): anonymous read over the IRC WebSocket.

Connection: ``wss://irc-ws.chat.twitch.tv:443``; send ``CAP REQ :twitch.tv/tags
twitch.tv/commands``, ``PASS SCHMOOPIIE``, ``NICK justinfan<digits>`` (Twitch's anonymous,
read-only login) and ``JOIN #channel``; the channel's ``ROOMSTATE`` (or the names list end,
366) means it is delivering. One WebSocket message may hold several ``\\r\\n``-separated IRC
lines; they are tokenised by ``irctokens`` (IRCv3 message tags with their escapes ``\\s \\:
\\\\ \\r \\n``, values containing ``=``).

Mapped: ``PRIVMSG`` -> :class:`ChatReceived` (``bits`` -> ``amount`` in ``BITS``; ``/me`` text
unwrapped; emote codes from the ``emotes`` tag, whose positions are code-point indices into
the text); ``USERNOTICE`` ``sub`` / ``resub`` -> :class:`ViewerSubscribed`, ``subgift`` /
``submysterygift`` -> :class:`GiftReceived` from the gifter (a subgift belonging to an announced
mystery gift is not counted twice), ``raid`` -> :class:`RoomRaided`. ``PING`` is answered with
``PONG``; LiveHost also sends its own ``PING`` every ``ping_s`` and counts the ``PONG`` as a
heartbeat reply. ``RECONNECT`` -> reconnect at once (reason ``reconnect-requested``).

Reference: Twitch's IRC documentation (dev.twitch.tv/docs/irc: tags, commands, capabilities).
"""

from __future__ import annotations

import random
import re
from decimal import Decimal
from typing import Any

from app.errors import LiveHostError
from app.events import ChatReceived, GiftReceived, RoomRaided, ViewerSubscribed, Viewer
from app.sources.live import LiveChatSource, Link, SourceFailure, require_packages, source_options
from app.vocab import DisconnectReason, ErrorCode

IRC_WS = "wss://irc-ws.chat.twitch.tv:443"
CHANNEL_RE = re.compile(r"^[a-z0-9_]{1,25}$")
PLANS = {"1000": "Tier 1", "2000": "Tier 2", "3000": "Tier 3", "Prime": "Prime"}
MAX_TEXT_CHARS = 500


def parse_badges(value: str | None) -> dict[str, str]:
    """``"subscriber/12,premium/1,blue-1/1"`` -> ``{"subscriber": "12", "premium": "1", "blue-1": "1"}``."""
    out: dict[str, str] = {}
    for part in (value or "").split(","):
        if part:
            name, _, version = part.partition("/")
            out[name] = version
    return out


def parse_emotes(value: str | None, text: str) -> list[tuple[int, int, str, str]]:
    """The ``emotes`` tag (``"25:0-4,12-16/1902:6-10"``) as ``(start, end, emote_id, code)``
    sorted by position; ``start``/``end`` are inclusive code-point indices into ``text`` (Python
    strings index code points, so an emoji before an emote does not shift it).

    Raises:
        ValueError: a range that is not ``a-b`` with 0 <= a <= b < len(text).
    """
    out = []
    for group in (value or "").split("/"):
        if not group:
            continue
        emote_id, _, ranges = group.partition(":")
        for r in ranges.split(","):
            a, sep, b = r.partition("-")
            if not sep or not a.isdigit() or not b.isdigit():
                raise ValueError(f"bad emote range {r!r}")
            start, end = int(a), int(b)
            if not 0 <= start <= end < len(text):
                raise ValueError(f"emote range {start}-{end} is outside the {len(text)}-character message")
            out.append((start, end, emote_id, text[start:end + 1]))
    return sorted(out)


def parse_channel(target: str) -> str:
    """``somechannel``, ``#SomeChannel`` or ``https://www.twitch.tv/somechannel`` -> ``somechannel``.

    Raises:
        LiveHostError(code="source-spec-invalid"): not a Twitch channel name.
    """
    t = (target or "").strip()
    if "twitch.tv/" in t:
        t = t.split("twitch.tv/", 1)[1].split("/", 1)[0].split("?", 1)[0]
    t = t.lstrip("#@").lower()
    if not CHANNEL_RE.match(t):
        raise LiveHostError(ErrorCode.SOURCE_SPEC_INVALID, f"'{target}' is not a Twitch channel name.",
                            "Use the channel's name as in twitch.tv/<name>, e.g. twitch:somechannel.")
    return t


class TwitchChatSource(LiveChatSource):
    """Chat, bits, subs, gifted subs and raids of one Twitch channel, read anonymously.

    Args:
        channel: the channel's login name (lowercase).
        ping_s: seconds between LiveHost's own PINGs (their PONGs feed the watchdog).
        open_timeout_s: WebSocket handshake timeout.
        **kw: :class:`~app.sources.live.LiveChatSource` options; ``endpoint`` is a ``ws://`` or
            ``wss://`` URL replacing Twitch's IRC WebSocket.
    """

    platform = "twitch"

    def __init__(self, channel: str, *, ping_s: float = 30.0, open_timeout_s: float = 10.0, **kw: Any) -> None:
        super().__init__(f"twitch:{channel}", **kw)
        self.channel = channel
        self.ping_s = ping_s
        self.open_timeout_s = open_timeout_s
        self.url = self.endpoint or IRC_WS
        self.nick = ""

    async def connect(self, link: Link) -> None:
        import websockets

        self.nick = f"justinfan{self.rng.randint(10000, 99999999)}"
        async with websockets.connect(self.url, open_timeout=self.open_timeout_s, ping_interval=None,
                                      compression=None, max_size=2 ** 20) as ws:
            for line in ("CAP REQ :twitch.tv/tags twitch.tv/commands", "PASS SCHMOOPIIE",
                         f"NICK {self.nick}", f"JOIN #{self.channel}"):
                await ws.send(line)
            link.spawn(self._pinger(ws), "ping")
            joined = False
            async for message in ws:
                if isinstance(message, bytes):
                    message = message.decode("utf-8", "replace")
                for raw in message.split("\r\n"):
                    if not raw.strip():
                        continue
                    joined = await self._line(link, ws, raw, joined)

    async def _pinger(self, ws) -> None:
        import asyncio

        while True:
            await asyncio.sleep(self.ping_s)
            await ws.send("PING :livehost")

    async def _line(self, link: Link, ws, raw: str, joined: bool) -> bool:
        import irctokens

        try:
            line = irctokens.tokenise(raw)
        except (ValueError, IndexError):
            await link.malformed("irc-line", f"an IRC line could not be read ({raw[:60]!r})")
            return joined
        cmd, params, tags = line.command, line.params, line.tags or {}
        if cmd == "PING":
            await ws.send("PONG :" + (params[-1] if params else "tmi.twitch.tv"))
            link.alive()
        elif cmd == "PONG":
            link.alive()
        elif cmd == "RECONNECT":
            raise SourceFailure(DisconnectReason.RECONNECT_REQUESTED, "Twitch asked LiveHost to reconnect.",
                                retry_in_s=0.05 + self.rng.random() * 0.2, count_retry=False)
        elif cmd in ("ROOMSTATE", "366") and not joined:
            await link.connected(f"#{self.channel} as {self.nick} (read-only)")
            return True
        elif cmd == "NOTICE":
            await self._notice(tags, params)
        elif cmd == "PRIVMSG" and len(params) >= 2:
            try:
                await self._privmsg(link, line, tags, params[-1])
            except (ValueError, KeyError) as exc:
                await link.malformed("privmsg", f"a chat message has bad tags ({exc})")
        elif cmd == "USERNOTICE":
            try:
                await self._usernotice(link, tags, params[1] if len(params) > 1 else "")
            except (ValueError, KeyError) as exc:
                await link.malformed("usernotice", f"a USERNOTICE has bad tags ({exc})")
        return joined

    async def _notice(self, tags: dict[str, str], params: list[str]) -> None:
        text = params[-1] if params else ""
        mid = tags.get("msg-id", "")
        if "authentication failed" in text.lower() or "improperly formatted auth" in text.lower():
            raise SourceFailure(DisconnectReason.LOGIN_EXPIRED, f"Twitch refused the login: {text}")
        if mid in ("msg_channel_suspended", "msg_banned"):
            raise SourceFailure(DisconnectReason.ROOM_NOT_FOUND, f"Twitch: {text}", retry=False)

    def _viewer(self, line, tags: dict[str, str]) -> Viewer:
        login = ""
        if line is not None and line.source:
            login = line.source.split("!", 1)[0]
        login = tags.get("login") or login
        return Viewer("twitch", tags.get("user-id", ""), tags.get("display-name") or login)

    async def _privmsg(self, link: Link, line, tags: dict[str, str], text: str) -> None:
        if text.startswith("\x01ACTION ") and text.endswith("\x01"):
            text = text[8:-1]
        emotes = parse_emotes(tags.get("emotes"), text)
        bits = tags.get("bits")
        amount = Decimal(int(bits)) if bits and bits.isdigit() and int(bits) > 0 else None
        msg_id = tags.get("id") or f"tw-{link.now()}-{self.rng.random()}"
        await link.emit(ChatReceived(
            t=link.now(), msg_id=msg_id, viewer=self._viewer(line, tags), text=text[:MAX_TEXT_CHARS],
            amount=amount, currency="BITS" if amount is not None else "",
            emotes=tuple(code for _, _, _, code in emotes), source=self.spec))

    async def _usernotice(self, link: Link, tags: dict[str, str], text: str) -> None:
        kind = tags.get("msg-id", "")
        msg_id = tags.get("id") or f"tw-{kind}-{link.now()}-{self.rng.random()}"
        t = link.now()
        viewer = self._viewer(None, tags)
        if viewer.nickname.lower() == "ananonymousgifter":
            viewer = Viewer("twitch", "", viewer.nickname)
        plan = PLANS.get(tags.get("msg-param-sub-plan", ""), tags.get("msg-param-sub-plan", ""))
        if kind in ("sub", "resub"):
            months = tags.get("msg-param-cumulative-months", "0")
            await link.emit(ViewerSubscribed(t=t, msg_id=msg_id, viewer=viewer, plan=plan,
                                             months=int(months) if months.isdigit() else 0,
                                             text=text[:MAX_TEXT_CHARS], source=self.spec))
        elif kind == "subgift":
            if tags.get("msg-param-community-gift-id"):
                return  # one of the gifts a submysterygift already announced
            await link.emit(GiftReceived(t=t, msg_id=msg_id, viewer=viewer, gift_name=f"{plan} sub".strip(),
                                         count=1, source=self.spec))
        elif kind == "submysterygift":
            n = tags.get("msg-param-mass-gift-count", "1")
            await link.emit(GiftReceived(t=t, msg_id=msg_id, viewer=viewer, gift_name=f"{plan} sub".strip(),
                                         count=max(1, int(n)) if n.isdigit() else 1, source=self.spec))
        elif kind == "raid":
            n = tags.get("msg-param-viewerCount", "0")
            raider = Viewer("twitch", tags.get("user-id", ""), tags.get("msg-param-displayName")
                            or tags.get("display-name") or tags.get("msg-param-login", ""))
            await link.emit(RoomRaided(t=t, msg_id=msg_id, viewer=raider, viewers=int(n) if n.isdigit() else 0,
                                       source=self.spec))


def open_source(target: str, *, settings: Any = None, endpoint: str | None = None, **options: Any) -> TwitchChatSource:
    """``twitch:CHANNEL`` (the name in twitch.tv/<name>).

    Options: ``ping_s``, ``open_timeout_s``, ``stall_timeout_s``, ``backoff``, ``rng``.

    Raises:
        LiveHostError(code="source-spec-invalid"): not a channel name.
        LiveHostError(code="source-missing-package"): websockets / irctokens missing.
    """
    channel = parse_channel(target)
    require_packages("websockets", "irctokens")
    kw = source_options("twitch", settings, endpoint, options)
    kw.setdefault("rng", random.Random())
    kw.update({k: v for k, v in options.items() if k in ("ping_s", "open_timeout_s")})
    return TwitchChatSource(channel, **kw)
