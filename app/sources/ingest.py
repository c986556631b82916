"""The local ingest endpoint: live-room events pushed in by grabbers (``ingest:`` / ``ingest:PORT``).

Douyin, Taobao Live, Kuaishou and WeChat Channels have no public chat API for individual
sellers. The seller's own logged-in browser already shows the live room (or the seller console);
the LiveHost browser bridge (``packaging/browser-bridge/``) reads the comment list there and
pushes each comment, gift, follow, enter and like to this endpoint. Any other grabber can feed
it the same way.

Transport (one port, :mod:`aiohttp`, in the session's asyncio loop, **127.0.0.1 only**):

* ``GET /ws?token=TOKEN[&client=NAME]`` -- a WebSocket; one event per text message.
* ``POST /events`` with ``Authorization: Bearer TOKEN`` (or ``X-LiveHost-Token`` or
  ``?token=``) -- a body of one JSON object, a JSON array of objects, or JSON Lines.
* ``GET /`` -- what the endpoint is (no token needed, nothing secret).

Events use the session-file schema of :mod:`app.sources.replay` (parsed by its
:func:`~app.sources.replay.parse_line`, so there is one schema)::

    {"type":"comment","id":"dy:7301","platform":"douyin","uid":"u1","nickname":"小美","text":"3号多少钱"}
    {"type":"gift","uid":"u9","nickname":"阿强","gift":"小心心","count":5}
    {"type":"follow","uid":"u9","nickname":"阿强"}
    {"type":"enter","uid":"u7","nickname":"Lily"}
    {"type":"like","uid":"u7","nickname":"Lily","count":12}

``t`` is ignored: stream time is :meth:`SourceContext.now` when the event arrives, and events
keep their arrival order. ``id`` (text, unique per event) lets a grabber that reconnects send
again what it is unsure about: an id seen before is acknowledged as a duplicate and not
published twice. ``platform`` defaults to the app's platform setting.

WebSocket replies (JSON, one per message received)::

    {"type":"welcome","server":"livehost-ingest","protocol":1,"limits":{...}}   # on connect
    {"type":"ack","id":"dy:7301","status":"accepted"}        # or "duplicate"
    {"type":"error","id":"dy:7302","code":"source-frame-malformed","message":"..."}
    {"type":"error","id":"dy:7303","code":"ingest-rate-limited","message":"...","retry_after_s":0.25}
    {"type":"pong"}                                           # reply to {"type":"ping"}

A ``{"type":"hello","client":"...","platform":"...","page":"..."}`` message describes the
grabber (shown with its connect event) and is acknowledged with ``{"type":"ack","id":null,
"status":"hello"}``. A wrong or missing token: the WebSocket is accepted and closed at once with
code 4401 and the reason; a POST gets HTTP 401. Both are counted (``stats.refused``).

Limits (:class:`~app.settings.IngestSettings`): message/line size, POST body size, events per
POST, and a token bucket per client (``rate_per_s`` refill, ``burst`` size). A frame over a limit
gets an error reply and is not published; the connection stays open. A rate-limited event is
*not* remembered as seen, so the grabber sends it again after ``retry_after_s`` -- nothing is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hmac
import ipaddress
import itertools
import json
import re
import secrets
import socket
import sys
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.errors import LiveHostError
from app.events import ErrorOccurred, Event, IngestClientChanged, SourceConnected, SourceDisconnected
from app.sources.base import SourceContext
from app.sources.replay import SessionHeader, parse_line
from app.vocab import DisconnectReason, ErrorCode

DEFAULT_PORT = 17321
"""Port used by ``ingest:`` without a port (and the browser bridge's default)."""

PROTOCOL_VERSION = 1
ACCEPTED_TYPES = ("comment", "gift", "follow", "enter", "like")
"""Event types a grabber may send (host speech and now-selling come from the seller's side)."""

KEYRING_SERVICE = "livehost"
KEYRING_USERNAME = "ingest-token"

WS_CLOSE_TOKEN_REFUSED = 4401
"""WebSocket close code for a wrong or missing token (4000-4999: application codes, RFC 6455)."""
WS_CLOSE_STOPPED = 1001
"""Going away: LiveHost stopped the endpoint."""

_PLATFORM_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
_MAX_ID_CHARS = 200
_REPORT_EVERY_S = 10.0
"""Repeated errors of one kind from one client are reported at most this often (wall clock, s)."""


@dataclass(frozen=True, slots=True)
class IngestLimits:
    """Size and rate limits of the endpoint (see :class:`~app.settings.IngestSettings`).

    Attributes:
        max_message_bytes: largest WebSocket message or JSON Lines line, bytes (UTF-8).
        max_body_bytes: largest POST body, bytes.
        max_batch: most events in one POST.
        rate_per_s: token-bucket refill, events per second per client; ``None`` = no rate limit.
        burst: token-bucket size, events (>= ``max_batch``).
        remembered_ids: how many recent event ids are kept for duplicate detection (a grabber
            that reconnects sends again only what was in flight: seconds of chat, far fewer).
        queue: events waiting for the pipeline before readers are paused (backpressure).
    """

    max_message_bytes: int = 16_384
    max_body_bytes: int = 1_048_576
    max_batch: int = 500
    rate_per_s: float | None = 500.0
    burst: int = 1000
    remembered_ids: int = 20_000
    queue: int = 10_000

    def as_dict(self) -> dict[str, Any]:
        return {"max_message_bytes": self.max_message_bytes, "max_body_bytes": self.max_body_bytes,
                "max_batch": self.max_batch, "rate_per_s": self.rate_per_s, "burst": self.burst}


@dataclass(slots=True)
class IngestStats:
    """Counters since the endpoint was opened (read them for the status bar or a bench)."""

    accepted: int = 0
    """Events published into the session."""
    duplicates: int = 0
    """Events whose id was seen before (acknowledged, not published)."""
    malformed: int = 0
    """Frames, lines or items that were not a valid event."""
    too_large: int = 0
    """Messages, lines or bodies over a size limit."""
    rate_limited: int = 0
    """Events refused by the per-client rate limit (the grabber sends them again)."""
    refused: int = 0
    """Connections and requests refused for a wrong or missing token."""
    clients_now: int = 0
    """WebSocket clients connected right now."""
    clients_total: int = 0
    """WebSocket clients that connected since the start (with the right token)."""


class TokenBucket:
    """Classic token bucket: ``capacity`` tokens, refilled at ``rate`` tokens per second.

    ``clock`` is a monotonic clock in seconds (``time.monotonic``).
    """

    __slots__ = ("rate", "capacity", "tokens", "stamp", "clock")

    def __init__(self, rate: float, capacity: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = float(rate)
        self.capacity = float(capacity)
        self.tokens = float(capacity)
        self.clock = clock
        self.stamp = clock()

    def take(self, n: float = 1.0) -> float:
        """Take ``n`` tokens. Returns 0.0 when taken, else the seconds until ``n`` are there
        (nothing is taken then)."""
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= n:
            self.tokens -= n
            return 0.0
        return (n - self.tokens) / self.rate


def load_token(backend: Any = None) -> tuple[str, str]:
    """The endpoint's token from the OS keyring, created there on first use.

    Args:
        backend: a :class:`keyring.backend.KeyringBackend`; ``None`` = the ``keyring`` package's
            default for this OS (Windows Credential Locker, macOS Keychain, Secret Service ...).

    Returns:
        ``(token, problem)``: ``problem`` is ``""`` when the token is kept in the keyring, else
        why not (no backend, keyring locked ...); the token is then good for this session only.
    """
    token = ""
    try:
        import keyring
        import keyring.errors  # noqa: F401 - the backends raise these

        kr = backend if backend is not None else keyring.get_keyring()
        token = kr.get_password(KEYRING_SERVICE, KEYRING_USERNAME) or ""
        if token:
            return token, ""
        token = secrets.token_urlsafe(24)
        kr.set_password(KEYRING_SERVICE, KEYRING_USERNAME, token)
        return token, ""
    except ImportError:
        problem = "the 'keyring' package is not installed"
    except Exception as exc:  # noqa: BLE001 - every backend failure means the same to the seller
        problem = str(exc).strip() or type(exc).__name__
    return token or secrets.token_urlsafe(24), problem


def _loopback_host(host: str) -> str:
    """The literal loopback address to bind for ``host``.

    Raises:
        LiveHostError(code="ingest-bind-refused"): ``host`` is not a loopback address.
    """
    h = (host or "").strip().strip("[]")
    if h.lower() == "localhost":
        return "127.0.0.1"
    try:
        ip = ipaddress.ip_address(h)
    except ValueError:
        ip = None
    if ip is None or not ip.is_loopback:
        raise LiveHostError(
            ErrorCode.INGEST_BIND_REFUSED,
            f"The ingest endpoint only listens on this computer (127.0.0.1), not on '{host}'.",
            "Leave the address out: grabbers run in the seller's own browser on the same computer.")
    return str(ip)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        if sys.platform == "win32":
            sock.setsockopt(socket.SOL_SOCKET, getattr(socket, "SO_EXCLUSIVEADDRUSE", socket.SO_REUSEADDR), 1)
        else:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
        sock.setblocking(False)
    except OSError as exc:
        sock.close()
        raise LiveHostError(
            ErrorCode.INGEST_PORT_IN_USE,
            f"The ingest endpoint cannot listen on {host}:{port}: {exc.strerror or exc}.",
            "Another program (or another LiveHost) uses that port: close it, or choose another "
            "port with ingest:PORT and set the same port in the browser bridge's options.") from exc
    return sock


class _Reject(Exception):
    """One frame / item is refused: becomes an error reply (and maybe an ErrorOccurred)."""

    def __init__(self, code: str, message: str, retry_after_s: float = 0.0) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after_s = retry_after_s


_STOP = object()


class IngestChatSource:
    """The local ingest endpoint as a chat source (see the module docstring).

    Args:
        port: TCP port; 0 = any free port (tests). The socket is bound here, so a port in use
            fails before the session starts.
        host: a loopback address (``127.0.0.1``, ``::1``, ``localhost``); anything else is refused.
        token: the token grabbers must present; ``None`` = from the OS keyring (created there on
            first use), see :func:`load_token`.
        keyring_backend: the keyring to use instead of the OS default (tests).
        limits: size and rate limits.
        default_platform: ``platform`` of events that do not name one.

    Attributes:
        token: the token to give the grabbers (shown to the seller).
        url: ``http://127.0.0.1:PORT`` -- the base address; ``ws_url`` and ``events_url`` are the
            WebSocket and POST addresses (without the token).
        token_persistent: False when no keyring was available (a new token every session).
        stats: :class:`IngestStats`.

    Raises:
        LiveHostError: ``ingest-bind-refused`` (not a loopback address), ``ingest-port-in-use``,
            ``source-missing-package`` (aiohttp not installed).
    """

    clock_source = False

    def __init__(self, *, port: int = DEFAULT_PORT, host: str = "127.0.0.1", token: str | None = None,
                 keyring_backend: Any = None, limits: IngestLimits | None = None,
                 default_platform: str = "ingest") -> None:
        try:
            import aiohttp  # noqa: F401
        except ImportError as exc:  # pragma: no cover - a dependency of the package
            raise LiveHostError(ErrorCode.SOURCE_MISSING_PACKAGE,
                                "The ingest endpoint needs the 'aiohttp' package.",
                                "Install it: pip install aiohttp") from exc
        if not isinstance(port, int) or not 0 <= port <= 65535:
            raise LiveHostError(ErrorCode.SOURCE_SPEC_INVALID, f"'{port}' is not a port number.",
                                "Use ingest: or ingest:PORT with PORT between 1 and 65535.")
        self.limits = limits or IngestLimits()
        if self.limits.rate_per_s is not None and self.limits.burst < self.limits.max_batch:
            raise LiveHostError(ErrorCode.SETTINGS_INVALID,
                                "The ingest burst must be at least max_batch.",
                                "Raise ingest.burst or lower ingest.max_batch in settings.toml.")
        self.host = _loopback_host(host)
        self.default_platform = default_platform
        self.platform = default_platform
        self.stats = IngestStats()
        if token is not None:
            if not token.strip():
                raise LiveHostError(ErrorCode.SOURCE_SPEC_INVALID, "The ingest token is empty.",
                                    "Leave the token out to use the one kept in the OS keyring.")
            self.token, self.token_problem = token, ""
        else:
            self.token, self.token_problem = load_token(keyring_backend)
        self.token_persistent = not self.token_problem
        self._sock: socket.socket | None = _bind(self.host, port)
        self.port = self._sock.getsockname()[1]
        self.spec = f"ingest:{self.port}"
        netloc = f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"
        self.url = f"http://{netloc}"
        self.ws_url = f"ws://{netloc}/ws"
        self.events_url = f"{self.url}/events"
        self._allowed_hosts = {netloc, f"localhost:{self.port}"}
        self._header = SessionHeader(session_id="ingest", platform=default_platform)
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._buckets: dict[str, TokenBucket] = {}
        self._ws_numbers = itertools.count(1)
        self._auto_ids = itertools.count(1)
        self._open_ws: set[Any] = set()
        self._reported: dict[tuple[str, str], tuple[float, int]] = {}
        self._queue: asyncio.Queue | None = None
        self._now: Callable[[], float] = _monotonic_since(time.monotonic())
        self._running = False
        self._closed = False

    # ------------------------------------------------------------------ the source interface

    async def events(self, ctx: SourceContext | None = None) -> AsyncIterator[Event]:
        """Serve until :meth:`aclose`; yields what grabbers send, as it arrives.

        Yields ``SourceConnected`` once listening (``detail`` = the address), an
        ``ErrorOccurred`` notice when the token could not be kept in the keyring,
        ``IngestClientChanged`` as grabbers come and go, the received events, ``ErrorOccurred``
        for refused frames (throttled per client and kind), and ``SourceDisconnected(reason=
        "stopped")`` after :meth:`aclose`.
        """
        from aiohttp import web

        if self._running or self._closed or self._sock is None:
            raise LiveHostError(ErrorCode.SOURCE_FAILED, "The ingest endpoint is already running or closed.",
                                "Open a new ingest source for each session.")
        self._running = True
        if ctx is not None:
            self._now = ctx.now
        self._queue = asyncio.Queue(maxsize=self.limits.queue)
        app = web.Application(client_max_size=self.limits.max_body_bytes, middlewares=[self._host_guard()])
        app.router.add_get("/", self._info)
        app.router.add_get("/ws", self._ws)
        app.router.add_post("/events", self._post)
        runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=1.0)
        try:
            await runner.setup()
            site = web.SockSite(runner, self._sock)
            await site.start()
            yield SourceConnected(t=self._now(), source=self.spec, platform=self.platform,
                                  detail=f"listening on {self.url} (WebSocket {self.ws_url})")
            if self.token_problem:
                yield ErrorOccurred(
                    t=self._now(), code=ErrorCode.INGEST_KEYRING_UNAVAILABLE, stage="ingest",
                    message="The OS keyring is not available "
                            f"({self.token_problem}): the ingest token is kept for this session only.",
                    hint="Enter the token shown in LiveHost into the browser bridge's options again "
                         "after each restart, or set up a keyring (Secret Service / KWallet).")
            while True:
                item = await self._queue.get()
                if item is _STOP:
                    yield SourceDisconnected(t=self._now(), source=self.spec, platform=self.platform,
                                             reason=DisconnectReason.STOPPED,
                                             message="The ingest endpoint stopped.")
                    return
                yield item
        finally:
            await self._shutdown(runner)

    def __aiter__(self) -> AsyncIterator[Event]:
        return self.events()

    async def aclose(self) -> None:
        """Stop listening: open WebSockets are closed (code 1001), the iterator ends with
        ``SourceDisconnected(reason="stopped")``. Safe to call more than once."""
        if self._closed:
            return
        self._closed = True
        if self._running and self._queue is not None:
            await self._close_websockets()
            with contextlib.suppress(asyncio.QueueFull):
                self._queue.put_nowait(_STOP)
            if self._queue.full():  # make room for the stop marker: the session is ending anyway
                with contextlib.suppress(asyncio.QueueEmpty):
                    self._queue.get_nowait()
                self._queue.put_nowait(_STOP)
        elif self._sock is not None:
            self._sock.close()
            self._sock = None

    # ------------------------------------------------------------------ HTTP handlers

    async def _shutdown(self, runner: Any) -> None:
        self._closed = True
        await self._close_websockets()
        with contextlib.suppress(Exception):
            await runner.cleanup()
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    async def _close_websockets(self) -> None:
        for ws in list(self._open_ws):
            with contextlib.suppress(Exception):
                await ws.close(code=WS_CLOSE_STOPPED, message=b"LiveHost stopped the ingest endpoint")

    @property
    def _web(self):
        from aiohttp import web

        return web

    @staticmethod
    def _json_response(web, status: int, body: dict[str, Any], headers: dict[str, str] | None = None):
        return web.json_response(body, status=status, headers=headers,
                                 dumps=lambda o: json.dumps(o, ensure_ascii=False))

    async def _info(self, request):
        return self._json_response(self._web, 200, {
            "server": "livehost-ingest", "protocol": PROTOCOL_VERSION, "websocket": "/ws",
            "post": "/events", "types": list(ACCEPTED_TYPES), "limits": self.limits.as_dict()})

    def _token_ok(self, request) -> bool:
        given = request.query.get("token") or request.headers.get("X-LiveHost-Token", "")
        auth = request.headers.get("Authorization", "")
        if not given and auth[:7].lower() == "bearer ":
            given = auth[7:].strip()
        return bool(given) and hmac.compare_digest(given.encode("utf-8"), self.token.encode("utf-8"))

    def _refused(self, client: str, how: str) -> None:
        self.stats.refused += 1
        self._report(client, ErrorCode.INGEST_TOKEN_REFUSED,
                     f"A grabber ({client}) was refused: {how} had a wrong or missing token.",
                     "Copy the token LiveHost shows into the browser bridge's options (or the grabber's settings).")

    async def _ws(self, request):
        web = self._web
        ws = web.WebSocketResponse(max_msg_size=max(self.limits.max_body_bytes, self.limits.max_message_bytes),
                                   autoping=True)
        await ws.prepare(request)
        name = (request.query.get("client") or "").strip()[:64]
        client = name or f"ws-{next(self._ws_numbers)}"
        if not self._token_ok(request):
            self._refused(client, "its WebSocket connection")
            await ws.close(code=WS_CLOSE_TOKEN_REFUSED,
                           message=b"token refused: copy the token LiveHost shows into the options")
            return ws
        if self._closed:
            await ws.close(code=WS_CLOSE_STOPPED, message=b"LiveHost stopped the ingest endpoint")
            return ws
        bucket_key = f"ws:{name}" if name else client
        self._open_ws.add(ws)
        self.stats.clients_now += 1
        self.stats.clients_total += 1
        await self._publish(IngestClientChanged(t=self._now(), source=self.spec, client=client, connected=True,
                                                clients=self.stats.clients_now, detail="connected"))
        await ws.send_str(json.dumps({"type": "welcome", "server": "livehost-ingest",
                                      "protocol": PROTOCOL_VERSION, "client": client,
                                      "limits": self.limits.as_dict()}))
        detail = ""
        try:
            from aiohttp import WSMsgType

            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    data = msg.data
                elif msg.type == WSMsgType.BINARY:
                    try:
                        data = msg.data.decode("utf-8")
                    except UnicodeDecodeError:
                        self.stats.malformed += 1
                        await ws.send_str(self._error_reply(None, ErrorCode.SOURCE_FRAME_MALFORMED,
                                                            "the message is not UTF-8 text"))
                        continue
                else:  # ERROR: the reader already closed the connection
                    detail = f"connection error: {ws.exception()}"
                    break
                reply = await self._ws_message(client, bucket_key, data)
                if reply is not None and not ws.closed:
                    await ws.send_str(reply)
        finally:
            self._open_ws.discard(ws)
            self.stats.clients_now -= 1
            if not detail:
                code = ws.close_code
                detail = ("closed by LiveHost" if self._closed else
                          f"closed (code {code})" if code is not None else "dropped")
            if not self._closed:
                await self._publish(IngestClientChanged(t=self._now(), source=self.spec, client=client,
                                                        connected=False, clients=self.stats.clients_now,
                                                        detail=detail))
        return ws

    async def _ws_message(self, client: str, bucket_key: str, data: str) -> str | None:
        size = len(data) if len(data) * 4 <= self.limits.max_message_bytes else len(data.encode("utf-8", "replace"))
        if size > self.limits.max_message_bytes:
            self.stats.too_large += 1
            msg = (f"the message has {size} bytes; at most {self.limits.max_message_bytes} are accepted")
            self._report(client, ErrorCode.INGEST_TOO_LARGE, f"A grabber ({client}) sent a message too large: {msg}.",
                         "One event per message; long texts are cut by the grabber.")
            return self._error_reply(None, ErrorCode.INGEST_TOO_LARGE, msg)
        try:
            obj = json.loads(data)
        except json.JSONDecodeError as exc:
            self.stats.malformed += 1
            self._report_malformed(client, f"not JSON ({exc.msg} at character {exc.pos})")
            return self._error_reply(None, ErrorCode.SOURCE_FRAME_MALFORMED,
                                     f"the message is not JSON ({exc.msg} at character {exc.pos})")
        if isinstance(obj, dict) and obj.get("type") == "ping":
            return '{"type":"pong"}'
        if isinstance(obj, dict) and obj.get("type") == "hello":
            parts = [str(obj.get(k))[:120] for k in ("client", "platform", "page") if obj.get(k)]
            await self._publish(IngestClientChanged(t=self._now(), source=self.spec, client=client, connected=True,
                                                    clients=self.stats.clients_now, detail=" ".join(parts)))
            return '{"type":"ack","id":null,"status":"hello"}'
        if isinstance(obj, list):
            self.stats.malformed += 1
            return self._error_reply(None, ErrorCode.SOURCE_FRAME_MALFORMED,
                                     "send one event per WebSocket message (arrays are for POST /events)")
        wait = self._bucket(bucket_key).take(1)
        if wait:
            self.stats.rate_limited += 1
            eid = _peek_id(obj)
            self._report(client, ErrorCode.INGEST_RATE_LIMITED,
                         f"A grabber ({client}) sends faster than {self.limits.rate_per_s:g} events/s; "
                         "the extra events are refused and sent again.",
                         "Nothing is lost; if it keeps happening, raise ingest.rate_per_s in settings.toml.")
            return self._error_reply(eid, ErrorCode.INGEST_RATE_LIMITED,
                                     f"more than {self.limits.rate_per_s:g} events/s: send it again later",
                                     retry_after_s=wait)
        try:
            eid, status = await self._accept(obj, client)
        except _Reject as rej:
            return self._error_reply(_peek_id(obj), rej.code, rej.message)
        return json.dumps({"type": "ack", "id": eid, "status": status}, ensure_ascii=False)

    async def _post(self, request):
        web = self._web
        name = (request.query.get("client") or request.headers.get("X-LiveHost-Client", "")).strip()[:64]
        client = name or f"http-{request.remote or 'local'}"
        if not self._token_ok(request):
            self._refused(client, "its POST request")
            return self._json_response(web, 401, _error_body(
                ErrorCode.INGEST_TOKEN_REFUSED, "wrong or missing token",
                "send Authorization: Bearer TOKEN with the token LiveHost shows"),
                headers={"WWW-Authenticate": 'Bearer realm="livehost-ingest"'})
        if request.content_length is not None and request.content_length > self.limits.max_body_bytes:
            return self._too_large_body(web, client, request.content_length)
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return self._too_large_body(web, client, None)
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError:
            self.stats.malformed += 1
            return self._json_response(web, 400, _error_body(ErrorCode.SOURCE_FRAME_MALFORMED,
                                                             "the body is not UTF-8 text"))
        items = self._split_body(text)
        if isinstance(items, _Reject):
            self.stats.malformed += 1
            self._report_malformed(client, items.message)
            return self._json_response(web, 400, _error_body(items.code, items.message))
        if len(items) > self.limits.max_batch:
            self.stats.too_large += 1
            return self._json_response(web, 413, _error_body(
                ErrorCode.INGEST_TOO_LARGE,
                f"the body has {len(items)} events; at most {self.limits.max_batch} per request",
                "split it into smaller batches"))
        wait = self._bucket(f"http:{name}" if name else "http").take(max(1, len(items)))
        if wait:
            self.stats.rate_limited += len(items)
            retry = max(1, int(wait + 0.999))
            return self._json_response(web, 429, dict(_error_body(
                ErrorCode.INGEST_RATE_LIMITED,
                f"more than {self.limits.rate_per_s:g} events/s: nothing of this batch was taken",
                f"send the same batch again in {wait:.2f} s"), retry_after_s=round(wait, 3)),
                headers={"Retry-After": str(retry)})
        result: dict[str, Any] = {"accepted": 0, "duplicates": 0, "rejected": 0, "ids": [], "errors": []}
        for item_no, obj in items:
            try:
                if isinstance(obj, _Reject):
                    if obj.code == ErrorCode.SOURCE_FRAME_MALFORMED:
                        self.stats.malformed += 1
                        self._report_malformed(client, obj.message)
                    raise obj
                eid, status = await self._accept(obj, client, where=f"item {item_no}")
            except _Reject as rej:
                result["rejected"] += 1
                result["errors"].append({"item": item_no, "id": _peek_id(obj), "code": rej.code,
                                         "message": rej.message})
                continue
            result["ids"].append(eid)
            result["accepted" if status == "accepted" else "duplicates"] += 1
        return self._json_response(web, 200, result)

    def _too_large_body(self, web, client: str, size: int | None):
        self.stats.too_large += 1
        what = f"{size} bytes" if size is not None else "more bytes than allowed"
        self._report(client, ErrorCode.INGEST_TOO_LARGE,
                     f"A grabber ({client}) posted a body too large ({what}).", "Send smaller batches.")
        return self._json_response(web, 413, _error_body(
            ErrorCode.INGEST_TOO_LARGE,
            f"the body has {what}; at most {self.limits.max_body_bytes} bytes per request",
            "send smaller batches"))

    def _split_body(self, text: str) -> list[tuple[int, Any]] | _Reject:
        """A POST body as ``[(item number, decoded object or _Reject)]`` (items numbered from 1)."""
        stripped = text.strip()
        if not stripped:
            return _Reject(ErrorCode.SOURCE_FRAME_MALFORMED, "the body is empty")
        if stripped[0] == "[":
            try:
                arr = json.loads(stripped)
            except json.JSONDecodeError as exc:
                return _Reject(ErrorCode.SOURCE_FRAME_MALFORMED,
                               f"the body is not a JSON array ({exc.msg} at character {exc.pos})")
            if not isinstance(arr, list):  # pragma: no cover - '[' always decodes to a list
                return _Reject(ErrorCode.SOURCE_FRAME_MALFORMED, "the body is not a JSON array")
            return list(enumerate(arr, start=1))
        out: list[tuple[int, Any]] = []
        lines = stripped.splitlines()
        for no, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            if len(line) * 4 > self.limits.max_message_bytes and \
                    len(line.encode("utf-8", "replace")) > self.limits.max_message_bytes:
                self.stats.too_large += 1
                out.append((no, _Reject(ErrorCode.INGEST_TOO_LARGE,
                                        f"line {no} is longer than {self.limits.max_message_bytes} bytes")))
                continue
            try:
                out.append((no, json.loads(line)))
            except json.JSONDecodeError as exc:
                if len(lines) == 1:
                    return _Reject(ErrorCode.SOURCE_FRAME_MALFORMED,
                                   f"the body is not JSON ({exc.msg} at character {exc.pos})")
                out.append((no, _Reject(ErrorCode.SOURCE_FRAME_MALFORMED,
                                        f"line {no} is not JSON ({exc.msg} at character {exc.pos})")))
        return out

    # ------------------------------------------------------------------ events

    async def _accept(self, obj: Any, client: str, where: str = "") -> tuple[str, str]:
        """Validate one decoded event and publish it. Returns ``(id, "accepted"|"duplicate")``.

        Raises:
            _Reject: the object is not a valid event (counted, reported, not published).
        """
        prefix = f"{where}: " if where else ""
        try:
            if not isinstance(obj, dict):
                raise ValueError(f"an event must be a JSON object, not {_json_kind(obj)}")
            typ = obj.get("type")
            if typ not in ACCEPTED_TYPES:
                shown = typ if isinstance(typ, str) else _json_kind(typ)
                raise ValueError(f"unknown type '{shown}' (the endpoint takes {', '.join(ACCEPTED_TYPES)})"
                                 if "type" in obj else "missing field 'type'")
            eid = obj.get("id")
            if eid is None or eid == "":
                eid = f"ingest-{next(self._auto_ids)}"
            elif isinstance(eid, bool) or not isinstance(eid, (str, int)):
                raise ValueError("field 'id' must be text or a whole number")
            else:
                eid = str(eid)
                if len(eid) > _MAX_ID_CHARS:
                    raise ValueError(f"field 'id' is longer than {_MAX_ID_CHARS} characters")
            platform = obj.get("platform")
            if platform is not None and platform != "" and (
                    not isinstance(platform, str) or not _PLATFORM_RE.match(platform)):
                raise ValueError("field 'platform' must be a platform key such as 'douyin' "
                                 "(lowercase letters, digits, '-' or '_')")
            if eid in self._seen:
                self._seen.move_to_end(eid)
                self.stats.duplicates += 1
                return eid, "duplicate"
            fields = dict(obj)
            fields["id"] = eid
            fields["t"] = max(0.0, float(self._now()))
            event = parse_line(fields, 0, self._header, Path("."))
        except (ValueError, TypeError) as exc:
            self.stats.malformed += 1
            self._report_malformed(client, f"{prefix}{exc}")
            raise _Reject(ErrorCode.SOURCE_FRAME_MALFORMED, f"{prefix}{exc}") from None
        event = dataclasses.replace(event, source=self.spec)
        self._remember(eid)
        self.stats.accepted += 1
        await self._publish(event)
        return eid, "accepted"

    def _remember(self, eid: str) -> None:
        self._seen[eid] = None
        if len(self._seen) > self.limits.remembered_ids:
            self._seen.popitem(last=False)

    def _bucket(self, key: str) -> _Unlimited | TokenBucket:
        if self.limits.rate_per_s is None:
            return _UNLIMITED
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) > 1000:  # clients without a name come and go: forget full buckets
                for k in [k for k, b in self._buckets.items() if b.take(0) == 0.0 and b.tokens >= b.capacity]:
                    del self._buckets[k]
            bucket = self._buckets[key] = TokenBucket(self.limits.rate_per_s, self.limits.burst)
        return bucket

    async def _publish(self, event: Event) -> None:
        if self._queue is not None and not self._closed:
            await self._queue.put(event)

    def _report_malformed(self, client: str, reason: str) -> None:
        self._report(client, ErrorCode.SOURCE_FRAME_MALFORMED,
                     f"A grabber ({client}) sent an event LiveHost cannot use: {reason}; it was skipped.",
                     "Check the grabber against the ingest schema (README, 'Browser bridge').")

    def _report(self, client: str, code: str, message: str, hint: str) -> None:
        """Publish an ErrorOccurred, at most once per ``_REPORT_EVERY_S`` per (client, code);
        the reports in between are counted into the next one."""
        if self._queue is None or self._closed:
            return
        key = (client, str(code))
        now = time.monotonic()
        last, skipped = self._reported.get(key, (-1e18, 0))
        if now - last < _REPORT_EVERY_S:
            self._reported[key] = (last, skipped + 1)
            return
        self._reported[key] = (now, 0)
        if skipped:
            message += f" ({skipped} more like it since the last report)"
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(ErrorOccurred(t=self._now(), code=str(code), message=message, hint=hint,
                                                 stage="ingest"))

    @staticmethod
    def _error_reply(eid: Any, code: str, message: str, retry_after_s: float = 0.0) -> str:
        reply: dict[str, Any] = {"type": "error", "id": eid, "code": str(code), "message": message}
        if retry_after_s:
            reply["retry_after_s"] = round(retry_after_s, 3)
        return json.dumps(reply, ensure_ascii=False)

    def _host_guard(self):
        """aiohttp middleware: only requests addressed to this endpoint's own loopback address
        (the ``Host`` header) are served -- a web page cannot reach it by DNS rebinding."""
        web = self._web

        @web.middleware
        async def guard(request, handler):
            if request.headers.get("Host", "") not in self._allowed_hosts:
                return self._json_response(web, 403, _error_body(
                    ErrorCode.INGEST_BIND_REFUSED, "requests must address 127.0.0.1 (Host header)",
                    "connect to the address LiveHost shows"))
            return await handler(request)

        return guard


class _Unlimited:
    @staticmethod
    def take(n: float = 1.0) -> float:
        return 0.0


_UNLIMITED = _Unlimited()


def _monotonic_since(start: float) -> Callable[[], float]:
    return lambda: time.monotonic() - start


def _peek_id(obj: Any) -> Any:
    if isinstance(obj, dict):
        v = obj.get("id")
        if isinstance(v, (str, int)) and not isinstance(v, bool):
            return str(v)[:_MAX_ID_CHARS]
    return None


def _json_kind(v: Any) -> str:
    if isinstance(v, list):
        return "an array"
    if isinstance(v, str):
        return "text"
    if isinstance(v, bool):
        return "true/false"
    if isinstance(v, (int, float)):
        return "a number"
    if v is None:
        return "null"
    return type(v).__name__


def _error_body(code: str, message: str, hint: str = "") -> dict[str, Any]:
    body: dict[str, Any] = {"error": {"code": str(code), "message": message}}
    if hint:
        body["error"]["hint"] = hint
    return body


def open_source(target: str, *, settings: Any = None, endpoint: str | None = None,
                token: str | None = None, keyring_backend: Any = None, host: str = "127.0.0.1",
                limits: IngestLimits | None = None, **_options: Any) -> IngestChatSource:
    """``ingest:`` / ``ingest:PORT`` -- the local endpoint grabbers feed (module docstring).

    Args:
        target: ``""`` (the port from ``settings.ingest.port``, default :data:`DEFAULT_PORT`) or
            a port number.
        settings: the app settings: ``ingest`` limits and port, ``platform`` for events without one.
        endpoint: unused (the endpoint is a server; it has no upstream to override).
        token, keyring_backend, host, limits: see :class:`IngestChatSource`.

    Raises:
        LiveHostError: ``source-spec-invalid`` (not a port), ``ingest-bind-refused``,
            ``ingest-port-in-use``.
    """
    ing = getattr(settings, "ingest", None)
    target = (target or "").strip()
    if target:
        if not target.isdigit() or not 0 <= int(target) <= 65535:
            raise LiveHostError(ErrorCode.SOURCE_SPEC_INVALID, f"'ingest:{target}' does not name a port.",
                                "Use ingest: (port from the settings) or ingest:PORT, e.g. ingest:17321.")
        port = int(target)
    else:
        port = int(getattr(ing, "port", DEFAULT_PORT))
    if limits is None and ing is not None:
        limits = IngestLimits(max_message_bytes=ing.max_message_bytes, max_body_bytes=ing.max_body_bytes,
                              max_batch=ing.max_batch, rate_per_s=ing.rate_per_s, burst=ing.burst)
    platform = getattr(settings, "platform", None) or "ingest"
    return IngestChatSource(port=port, host=host, token=token, keyring_backend=keyring_backend,
                            limits=limits, default_platform=platform)
