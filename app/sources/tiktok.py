"""TikTok LIVE (``tiktok:@USER``) through the ``TikTokLive`` library (PyPI, isaackogan).

Per connection the library reads the user's live page for the room id (``SIGI_STATE``),
checks the room is alive (``/webcast/room/check_alive/``), asks its sign server for a signed
WebSocket address (``/webcast/fetch``, a ``ProtoMessageFetchResult``) and reads protobuf
``WebcastPushFrame`` messages. This module maps the library's events:

* ``CommentEvent`` -> :class:`ChatReceived`;
* ``GiftEvent`` -> :class:`GiftReceived`: a streakable gift (gift type 1) sends a frame per
  repeat with the running ``repeat_count`` and a last frame with ``repeat_end``; every frame
  shares ``streak_id`` and only the last has ``streak_end=True`` (so it is thanked once, with
  its final count). ``amount`` = diamonds x count (currency ``DIAMOND``);
* ``LikeEvent`` -> :class:`LikesReceived`; ``FollowEvent`` -> :class:`ViewerFollowed`;
  ``ShareEvent`` -> :class:`ViewerShared`; ``JoinEvent`` -> :class:`ViewerEntered`;
  ``RoomUserSeqEvent`` -> :class:`ViewerCountUpdated`; every WebSocket response feeds the watchdog.

Every way a connection ends surfaces as :class:`SourceDisconnected` and a reconnect: the
socket closing without a disconnect event (``server-closed``), the stream-ended control
message (``ended``; retried, since the host may go live again, then ``room-offline`` while
offline), the library's errors (offline user -> ``room-offline``, unknown user ->
``room-not-found``, sign-server rate limit or WebSocket refusal -> ``blocked``). The library's
tasks (its WebSocket loop and ping loop) are cancelled and awaited when a connection ends.

``endpoint`` points the library at another server: its app URL, webcast URL and sign server
all become ``{endpoint}``, ``{endpoint}/webcast`` and ``{endpoint}``. The library keeps these
in a process-wide ``WebDefaults``; they are set only while a connection starts (under a lock).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import re
import warnings
from decimal import Decimal
from typing import Any

from app.errors import LiveHostError
from app.events import (ChatReceived, GiftReceived, LikesReceived, ViewerCountUpdated,
                        ViewerEntered, ViewerFollowed, ViewerShared, Viewer)
from app.sources.live import LiveChatSource, Link, SourceFailure, cancel_and_wait, require_packages, source_options
from app.vocab import DisconnectReason, ErrorCode

USER_RE = re.compile(r"^[A-Za-z0-9_.]{2,24}$")
MAX_TEXT_CHARS = 500
_defaults_lock = asyncio.Lock()


def parse_user(target: str) -> str:
    """``@shop``, ``shop`` or ``https://www.tiktok.com/@shop/live`` -> ``shop``.

    Raises:
        LiveHostError(code="source-spec-invalid"): not a TikTok user name.
    """
    t = (target or "").strip()
    if "tiktok.com/" in t:
        t = t.split("tiktok.com/", 1)[1].split("?", 1)[0].split("/", 1)[0]
    t = t.lstrip("@")
    if not USER_RE.match(t):
        raise LiveHostError(ErrorCode.SOURCE_SPEC_INVALID, f"'{target}' is not a TikTok user name.",
                            "Use the host's @name, e.g. tiktok:@shopname.")
    return t


def _import_library():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # it uses websockets.legacy
        import TikTokLive  # noqa: F401
        from TikTokLive import TikTokLiveClient
        from TikTokLive.client import errors
        from TikTokLive.client.web.web_settings import WebDefaults
        from TikTokLive import events
    return TikTokLiveClient, errors, WebDefaults, events


class TikTokChatSource(LiveChatSource):
    """Comments, gifts, likes, follows, shares and joins of one TikTok LIVE.

    Args:
        user: the host's unique id (the @name without ``@``).
        **kw: :class:`~app.sources.live.LiveChatSource` options (``endpoint`` ...).
    """

    platform = "tiktok"

    def __init__(self, user: str, **kw: Any) -> None:
        super().__init__(f"tiktok:@{user}", **kw)
        self.user = user
        self._ids = itertools.count(1)
        self.room_id: int | None = None

    # ------------------------------------------------------------------ mapping

    def _viewer(self, user) -> Viewer:
        if user is None:
            return Viewer("tiktok", "", "")
        uid = int(getattr(user, "id", 0) or 0)
        name = getattr(user, "nickname", "") or getattr(user, "display_id", "") or ""
        return Viewer("tiktok", str(uid) if uid else "", str(name))

    def _msg_id(self, event, kind: str) -> str:
        common = getattr(event, "common", None)
        mid = int(getattr(common, "msg_id", 0) or 0) if common is not None else 0
        return f"tt-{mid}" if mid else f"tt-{kind}-{next(self._ids)}"

    def map_event(self, event, t: float):
        """One library event -> a LiveHost event (or None), see the module docstring."""
        _, _, _, ev = _import_library()
        sp = self.spec
        if isinstance(event, ev.CommentEvent):
            return ChatReceived(t=t, msg_id=self._msg_id(event, "c"), viewer=self._viewer(event.user),
                                text=str(event.content or "")[:MAX_TEXT_CHARS], source=sp)
        if isinstance(event, ev.GiftEvent):
            gift = event.gift
            name = str(getattr(gift, "name", "") or "gift")
            count = max(1, int(event.repeat_count or 1))
            diamonds = int(getattr(gift, "diamond_count", 0) or 0)
            amount = Decimal(diamonds * count) if diamonds else None
            streakable = gift is not None and int(getattr(gift, "type", 0) or 0) == 1
            viewer = self._viewer(event.user)
            if streakable:
                streak = f"tt-{viewer.uid or 'anon'}-{getattr(gift, 'id', 0)}-{event.group_id}"
                end = bool(event.repeat_end)
                return GiftReceived(t=t, msg_id=self._msg_id(event, "g") + ("-end" if end else f"-{count}"),
                                    viewer=viewer, gift_name=name, count=count, streak_id=streak,
                                    streak_end=end, amount=amount, currency="DIAMOND" if amount else "", source=sp)
            return GiftReceived(t=t, msg_id=self._msg_id(event, "g"), viewer=viewer, gift_name=name, count=count,
                                amount=amount, currency="DIAMOND" if amount else "", source=sp)
        if isinstance(event, ev.LikeEvent):
            return LikesReceived(t=t, msg_id=self._msg_id(event, "l"), viewer=self._viewer(event.user),
                                 count=max(1, int(event.count or 1)), source=sp)
        if isinstance(event, ev.FollowEvent):
            return ViewerFollowed(t=t, msg_id=self._msg_id(event, "f"), viewer=self._viewer(event.user), source=sp)
        if isinstance(event, ev.ShareEvent):
            return ViewerShared(t=t, msg_id=self._msg_id(event, "s"), viewer=self._viewer(event.user), source=sp)
        if isinstance(event, ev.JoinEvent):
            return ViewerEntered(t=t, msg_id=self._msg_id(event, "j"), viewer=self._viewer(event.user), source=sp)
        if isinstance(event, ev.RoomUserSeqEvent):
            return ViewerCountUpdated(t=t, source=sp, platform="tiktok", count=int(event.total or 0))
        return None

    # ------------------------------------------------------------------ connection

    @contextlib.contextmanager
    def _pointed(self, WebDefaults):
        if not self.endpoint:
            yield
            return
        saved = (WebDefaults.tiktok_app_url, WebDefaults.tiktok_webcast_url)
        WebDefaults.tiktok_app_url, WebDefaults.tiktok_webcast_url = self.endpoint, self.endpoint + "/webcast"
        try:
            yield
        finally:
            WebDefaults.tiktok_app_url, WebDefaults.tiktok_webcast_url = saved

    async def connect(self, link: Link) -> None:
        Client, errors, WebDefaults, ev = _import_library()
        web_kwargs: dict[str, Any] = {}
        if self.endpoint:
            web_kwargs = {"signer_kwargs": {"sign_api_base": self.endpoint}}
        before = asyncio.all_tasks()
        client = Client(unique_id=self.user, web_kwargs=web_kwargs)
        state = {"ended": False}

        def on_event(event) -> None:
            if isinstance(event, ev.WebsocketResponseEvent):
                link.alive()
                return
            if isinstance(event, ev.LiveEndEvent):
                state["ended"] = True
                return
            if isinstance(event, ev.ConnectEvent):
                self.room_id = event.room_id
                link.connected_nowait(f"@{self.user} room {event.room_id}")
                return
            try:
                mapped = self.map_event(event, link.now())
            except (AttributeError, TypeError, ValueError) as exc:
                link.spawn(link.malformed(f"event:{type(event).__name__}",
                                          f"a {type(event).__name__} has an unexpected shape ({exc})"), "report")
                return
            if mapped is not None:
                link.emit_nowait(mapped)

        for cls in (ev.WebsocketResponseEvent, ev.ConnectEvent, ev.LiveEndEvent, ev.CommentEvent, ev.GiftEvent,
                    ev.LikeEvent, ev.FollowEvent, ev.ShareEvent, ev.JoinEvent, ev.RoomUserSeqEvent):
            client.add_listener(cls, on_event)
        try:
            try:
                async with _defaults_lock:
                    with self._pointed(WebDefaults):
                        task = await client.start(process_connect_events=False, fetch_live_check=True)
            except errors.UserOfflineError as exc:
                raise SourceFailure(DisconnectReason.ROOM_OFFLINE, f"@{self.user} is not live on TikTok right now.") from exc
            except errors.UserNotFoundError as exc:
                raise SourceFailure(DisconnectReason.ROOM_NOT_FOUND,
                                    f"TikTok has no LIVE for @{self.user} (or a captcha hid it).", retry=False) from exc
            except errors.AgeRestrictedError as exc:
                raise SourceFailure(DisconnectReason.BLOCKED, "This TikTok LIVE is age-restricted and needs a login.") from exc
            except errors.SignatureRateLimitError as exc:
                try:
                    wait = min(600.0, max(self.backoff.first_s, float(exc.retry_after)))
                except (TypeError, ValueError, AttributeError):
                    wait = None
                raise SourceFailure(DisconnectReason.BLOCKED, f"TikTok's sign server is rate-limiting: {exc}",
                                    retry_in_s=wait) from exc
            except errors.SignAPIError as exc:
                reason = getattr(exc, "reason", None)
                if getattr(reason, "name", "") == "CONNECT_ERROR":
                    raise SourceFailure(DisconnectReason.NETWORK_DOWN, "Cannot reach TikTok's sign server.") from exc
                raise SourceFailure(DisconnectReason.BLOCKED, f"TikTok's sign server refused: {exc}") from exc
            except errors.WebcastBlockedError as exc:
                raise SourceFailure(DisconnectReason.BLOCKED, f"TikTok refused the WebSocket: {exc}") from exc
            except errors.TikTokLiveError as exc:
                raise SourceFailure(DisconnectReason.PROTOCOL_ERROR, f"TikTok: {exc}") from exc
            try:
                await task
            except errors.WebcastBlockedError as exc:
                raise SourceFailure(DisconnectReason.BLOCKED, f"TikTok refused the WebSocket: {exc}") from exc
            if state["ended"]:
                raise SourceFailure(DisconnectReason.ENDED,
                                    f"@{self.user}'s TikTok LIVE ended; LiveHost reconnects when it starts again.")
        finally:
            await self._cleanup(client, before)

    async def _cleanup(self, client, before: set[asyncio.Task]) -> None:
        """Close the library's socket, its loop and ping tasks, and its HTTP client."""
        ws = client._ws  # the library keeps these private; closing them is the only way to leave nothing behind
        with contextlib.suppress(Exception):
            if ws.connected:
                await ws.disconnect()
        mine = asyncio.current_task()
        leftovers = [t for t in asyncio.all_tasks() - before if t is not mine and not t.done()
                     and (t is client._event_loop_task or t is ws._ping_loop
                          or "TikTokLive" in repr(t.get_coro()))]
        await cancel_and_wait(*leftovers)
        client._event_loop_task = None
        with contextlib.suppress(Exception):
            await client.web.close()


def open_source(target: str, *, settings: Any = None, endpoint: str | None = None, **options: Any) -> TikTokChatSource:
    """``tiktok:@USER`` (or the LIVE's URL).

    Options: ``stall_timeout_s``, ``backoff``, ``rng``.

    Raises:
        LiveHostError(code="source-spec-invalid"): not a user name.
        LiveHostError(code="source-missing-package"): TikTokLive missing.
    """
    user = parse_user(target)
    require_packages("TikTokLive")
    return TikTokChatSource(user, **source_options("tiktok", settings, endpoint, options))
