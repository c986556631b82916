"""YouTube Live chat (``youtube:VIDEO_ID_OR_URL``): the page's own continuation polling.

No maintained library could be pointed at another server (pytchat-ng and chat-downloader
build ``youtube.com`` URLs inside), so this speaks the web client's protocol with ``httpx``:

1. ``GET {base}/live_chat?is_popout=1&v=VIDEO_ID`` -> the page's ``ytcfg`` (the InnerTube API
   key and client version) and ``ytInitialData`` (``contents.liveChatRenderer.continuations``:
   the first continuation token). No live chat renderer (or a replay's) -> the watch page says
   whether the stream is upcoming, ended or missing.
2. ``POST {base}/youtubei/v1/live_chat/get_live_chat?key=KEY`` with ``{"context": {"client":
   {"clientName": "WEB", "clientVersion": V}}, "continuation": TOKEN}`` ->
   ``continuationContents.liveChatContinuation``: ``actions`` (new chat items) and the next
   ``continuations[0]`` token with ``timeoutMs`` -- the poll interval the server asks for,
   which is honoured.

The chat session of a long stream can expire (after about an hour the continuation stops)
while the stream is still live: when the continuation ends, ``{base}/watch?v=ID`` is read; if
its ``liveBroadcastDetails`` say ``isLiveNow`` the chat is recreated at once (reason
``server-closed``, not counted as a failure), if the stream has an ``endTimestamp`` or is no
longer live the source ends (reason ``ended``).

Mapped items: ``liveChatTextMessageRenderer`` -> :class:`ChatReceived` (emoji runs become
their shortcut, listed in ``emotes``); ``liveChatPaidMessageRenderer`` (Super Chat) ->
:class:`ChatReceived` with ``amount``/``currency`` from ``purchaseAmountText``;
``liveChatPaidStickerRenderer`` -> :class:`GiftReceived` (Super Sticker);
``liveChatMembershipItemRenderer`` -> :class:`ViewerSubscribed`;
``liveChatSponsorshipsGiftPurchaseAnnouncementRenderer`` -> :class:`GiftReceived` (gifted
memberships). Other items are ignored.
"""

from __future__ import annotations

import asyncio
import json
import re
import urllib.parse
from decimal import Decimal, InvalidOperation
from typing import Any

from app.errors import LiveHostError
from app.events import ChatReceived, GiftReceived, ViewerSubscribed, Viewer
from app.sources.live import LiveChatSource, Link, SourceFailure, require_packages, source_options
from app.vocab import DisconnectReason, ErrorCode

BASE = "https://www.youtube.com"
USER_AGENT = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/124.0 Safari/537.36")
VIDEO_ID_RE = re.compile(r"^[A-Za-z0-9_-]{11}$")
MAX_TEXT_CHARS = 500

CURRENCY_SYMBOLS = {"$": "USD", "US$": "USD", "CA$": "CAD", "A$": "AUD", "NZ$": "NZD", "HK$": "HKD", "NT$": "TWD",
                    "MX$": "MXN", "R$": "BRL", "€": "EUR", "£": "GBP", "¥": "JPY", "CN¥": "CNY", "₩": "KRW",
                    "₹": "INR", "₱": "PHP", "₫": "VND", "₪": "ILS", "₺": "TRY", "₽": "RUB", "฿": "THB", "zł": "PLN"}
"""YouTube's display prefixes of ``purchaseAmountText`` -> ISO 4217 (plain codes such as
``CHF`` pass through)."""

_AMOUNT_RE = re.compile(r"^\s*([^\d\s.,]*)\s*([\d][\d.,\s\u00a0]*)\s*([^\d\s.,]*)\s*$")


def parse_amount(text: str) -> tuple[Decimal, str] | None:
    """``"¥500"`` -> (500, ``JPY``); ``"CA$10.00"`` -> (10.00, ``CAD``); ``"1.234,50 €"`` ->
    (1234.50, ``EUR``); ``"CHF 5.00"`` -> (5.00, ``CHF``). None when unreadable."""
    m = _AMOUNT_RE.match(text or "")
    if not m:
        return None
    sym = (m.group(1) or m.group(3)).strip()
    num = re.sub(r"[\s\u00a0]", "", m.group(2))
    if "," in num and "." in num:
        dec = "," if num.rfind(",") > num.rfind(".") else "."
        num = num.replace("." if dec == "," else ",", "").replace(",", ".")
    elif "," in num:
        head, _, tail = num.rpartition(",")
        num = (head.replace(",", "") + "." + tail) if len(tail) == 2 else num.replace(",", "")
    try:
        value = Decimal(num)
    except InvalidOperation:
        return None
    code = CURRENCY_SYMBOLS.get(sym, sym.upper() if sym.isalpha() and len(sym) == 3 else "")
    return value, code


def parse_video_id(target: str) -> str:
    """A video id or a watch / youtu.be / live URL -> the 11-character video id.

    Raises:
        LiveHostError(code="source-spec-invalid"): no video id in ``target``.
    """
    t = (target or "").strip()
    if VIDEO_ID_RE.match(t):
        return t
    u = urllib.parse.urlsplit(t if "://" in t else "https://" + t)
    host = u.netloc.lower()
    vid = ""
    if host.endswith("youtu.be"):
        vid = u.path.strip("/").split("/")[0]
    elif "youtube.com" in host:
        q = urllib.parse.parse_qs(u.query)
        if "v" in q:
            vid = q["v"][0]
        else:
            parts = u.path.strip("/").split("/")
            if len(parts) >= 2 and parts[0] in ("live", "embed", "shorts", "v"):
                vid = parts[1]
    if not VIDEO_ID_RE.match(vid):
        raise LiveHostError(ErrorCode.SOURCE_SPEC_INVALID, f"'{target}' does not name a YouTube live video.",
                            "Give the live stream's video id or URL, e.g. youtube:https://www.youtube.com/"
                            "watch?v=VIDEO_ID (a channel's page is not enough).")
    return vid


def _embedded_json(html: str, name: str) -> dict[str, Any] | None:
    """The JSON object assigned to ``name`` in a page's script (``var ytInitialData = {...};``)."""
    m = re.search(r"(?:window\[\"" + name + r"\"\]|\b" + name + r")\s*=\s*\{", html)
    if not m:
        return None
    try:
        obj, _ = json.JSONDecoder().raw_decode(html, m.end() - 1)
    except ValueError:
        return None
    return obj if isinstance(obj, dict) else None


def _text(node: Any) -> tuple[str, list[str]]:
    """A YouTube text node (``simpleText`` or ``runs``) -> (text, emoji shortcuts)."""
    if not isinstance(node, dict):
        return "", []
    if "simpleText" in node:
        return str(node["simpleText"]), []
    out, emotes = [], []
    for run in node.get("runs") or []:
        if "text" in run:
            out.append(str(run["text"]))
        elif isinstance(run.get("emoji"), dict):
            e = run["emoji"]
            code = (e.get("shortcuts") or [None])[0] or e.get("emojiId", "")
            if e.get("isCustomEmoji") or (code.startswith(":") and code.endswith(":")):
                emotes.append(code)
                out.append(code)
            else:
                out.append(e.get("emojiId", code))
    return "".join(out), emotes


def _continuation(obj: dict[str, Any]) -> tuple[str | None, float | None]:
    for c in obj.get("continuations") or []:
        for key in ("invalidationContinuationData", "timedContinuationData", "reloadContinuationData"):
            d = c.get(key)
            if isinstance(d, dict) and d.get("continuation"):
                ms = d.get("timeoutMs")
                return str(d["continuation"]), (float(ms) / 1000 if isinstance(ms, (int, float)) else None)
    return None, None


class YouTubeChatSource(LiveChatSource):
    """Chat, Super Chats, Super Stickers and memberships of one YouTube live stream.

    Args:
        video_id: the stream's video id.
        default_interval_s: poll interval when the server names none, seconds.
        min_interval_s: shortest poll interval honoured (protects against a 0 ms answer).
        http_timeout_s: per HTTP request.
        **kw: :class:`~app.sources.live.LiveChatSource` options; ``endpoint`` replaces
            ``https://www.youtube.com``.
    """

    platform = "youtube"

    def __init__(self, video_id: str, *, default_interval_s: float = 5.0, min_interval_s: float = 0.05,
                 http_timeout_s: float = 10.0, **kw: Any) -> None:
        super().__init__(f"youtube:{video_id}", **kw)
        self.video_id = video_id
        self.base = self.endpoint or BASE
        self.default_interval_s = default_interval_s
        self.min_interval_s = min_interval_s
        self.http_timeout_s = http_timeout_s
        self.polls = 0
        self.intervals: list[float] = []
        """Poll intervals used (for tests and the bench)."""
        self.recreated = 0

    async def _status(self, http) -> str:
        """``live``, ``upcoming``, ``ended`` or ``missing``, from the watch page."""
        r = await http.get(f"{self.base}/watch", params={"v": self.video_id})
        if r.status_code == 404:
            return "missing"
        r.raise_for_status()
        player = _embedded_json(r.text, "ytInitialPlayerResponse") or {}
        status = (player.get("playabilityStatus") or {}).get("status", "")
        details = (((player.get("microformat") or {}).get("playerMicroformatRenderer") or {})
                   .get("liveBroadcastDetails") or {})
        video = player.get("videoDetails") or {}
        if status == "ERROR" or (not player and "ytInitialPlayerResponse" not in r.text):
            return "missing"
        if details.get("isLiveNow") or (video.get("isLive") and not details.get("endTimestamp")):
            return "live"
        if video.get("isUpcoming") or status == "LIVE_STREAM_OFFLINE":
            return "upcoming"
        return "ended"

    async def _not_chatting(self, http, why: str) -> SourceFailure:
        st = await self._status(http)
        if st == "live":
            self.recreated += 1
            return SourceFailure(DisconnectReason.SERVER_CLOSED,
                                 f"YouTube's chat session {why} while the stream is still live; recreating the chat.",
                                 retry_in_s=self.backoff.first_s * 0.5, count_retry=False)
        if st == "upcoming":
            return SourceFailure(DisconnectReason.ROOM_OFFLINE, f"The YouTube stream {self.video_id} has not started yet.")
        if st == "missing":
            return SourceFailure(DisconnectReason.ROOM_NOT_FOUND,
                                 f"There is no YouTube video {self.video_id} (or it is private).", retry=False)
        return SourceFailure(DisconnectReason.ENDED, f"The YouTube stream {self.video_id} has ended.", retry=False)

    async def connect(self, link: Link) -> None:
        import httpx

        headers = {"User-Agent": USER_AGENT, "Accept-Language": "en-US,en;q=0.9"}
        async with httpx.AsyncClient(headers=headers, timeout=self.http_timeout_s, follow_redirects=True,
                                     trust_env=not self.endpoint) as http:
            r = await http.get(f"{self.base}/live_chat", params={"is_popout": "1", "v": self.video_id})
            if r.status_code in (403, 429):
                raise SourceFailure(DisconnectReason.BLOCKED, f"YouTube refused the chat page (HTTP {r.status_code}).")
            if r.status_code == 404:
                raise await self._not_chatting(http, "page is gone")
            r.raise_for_status()
            html = r.text
            key = re.search(r'"INNERTUBE_API_KEY"\s*:\s*"([^"]+)"', html)
            version = re.search(r'"INNERTUBE_CONTEXT_CLIENT_VERSION"\s*:\s*"([^"]+)"', html)
            data = _embedded_json(html, "ytInitialData")
            renderer = ((data or {}).get("contents") or {}).get("liveChatRenderer")
            if not isinstance(renderer, dict) or renderer.get("isReplay"):
                raise await self._not_chatting(http, "is not open")
            token, _ = _continuation(renderer)
            if not key or not version or not token:
                raise SourceFailure(DisconnectReason.PROTOCOL_ERROR,
                                    "The YouTube chat page has changed: no API key, client version or continuation.")
            url = f"{self.base}/youtubei/v1/live_chat/get_live_chat"
            context = {"client": {"clientName": "WEB", "clientVersion": version.group(1)}}
            connected = False
            while True:
                r = await http.post(url, params={"key": key.group(1), "prettyPrint": "false"},
                                    json={"context": context, "continuation": token})
                self.polls += 1
                if r.status_code in (403, 429):
                    raise SourceFailure(DisconnectReason.BLOCKED, f"YouTube refused the chat poll (HTTP {r.status_code}).")
                if r.status_code in (400, 404):
                    raise await self._not_chatting(http, f"was refused (HTTP {r.status_code})")
                r.raise_for_status()
                try:
                    body = r.json()
                except ValueError:
                    await link.malformed("json", "a chat poll answer is not JSON")
                    await asyncio.sleep(self.default_interval_s)
                    continue
                chat = ((body.get("continuationContents") or {}).get("liveChatContinuation")
                        if isinstance(body, dict) else None)
                if not isinstance(chat, dict):
                    raise await self._not_chatting(http, "ended")
                link.alive()
                if not connected:
                    connected = True
                    await link.connected(f"video {self.video_id}")
                for action in chat.get("actions") or []:
                    try:
                        ev = self._action(link, action)
                    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
                        await link.malformed("action", f"a chat item has an unexpected shape ({type(exc).__name__}: {exc})")
                        continue
                    if ev is not None:
                        await link.emit(ev)
                token, interval = _continuation(chat)
                if not token:
                    raise await self._not_chatting(http, "ended")
                wait = interval if interval is not None else self.default_interval_s
                wait = min(30.0, max(self.min_interval_s, wait))
                self.intervals.append(wait)
                await asyncio.sleep(wait)

    def _action(self, link: Link, action: dict[str, Any]):
        item = (action.get("addChatItemAction") or {}).get("item")
        if not isinstance(item, dict) or not item:
            return None
        kind, r = next(iter(item.items()))
        if not isinstance(r, dict):
            raise TypeError(f"{kind} is not an object")
        t = link.now()
        if kind not in ("liveChatTextMessageRenderer", "liveChatPaidMessageRenderer", "liveChatPaidStickerRenderer",
                        "liveChatMembershipItemRenderer", "liveChatSponsorshipsGiftPurchaseAnnouncementRenderer"):
            return None
        if kind == "liveChatSponsorshipsGiftPurchaseAnnouncementRenderer":
            header = (r.get("header") or {}).get("liveChatSponsorshipsHeaderRenderer") or {}
            viewer = Viewer("youtube", str(r.get("authorExternalChannelId") or ""), _text(header.get("authorName"))[0])
            primary = _text(header.get("primaryText"))[0]
            n = re.search(r"\d+", primary)
            return GiftReceived(t=t, msg_id=f"yt-{r['id']}", viewer=viewer, gift_name="membership",
                                count=int(n.group()) if n else 1, source=self.spec)
        viewer = Viewer("youtube", str(r.get("authorExternalChannelId") or ""), _text(r.get("authorName"))[0])
        msg_id = f"yt-{r['id']}"
        if kind == "liveChatTextMessageRenderer":
            text, emotes = _text(r["message"])
            return ChatReceived(t=t, msg_id=msg_id, viewer=viewer, text=text[:MAX_TEXT_CHARS], emotes=tuple(emotes),
                                source=self.spec)
        money = parse_amount(_text(r.get("purchaseAmountText"))[0])
        amount, currency = money if money else (None, "")
        if kind == "liveChatPaidMessageRenderer":
            text, emotes = _text(r.get("message"))
            return ChatReceived(t=t, msg_id=msg_id, viewer=viewer, text=text[:MAX_TEXT_CHARS], emotes=tuple(emotes),
                                amount=amount, currency=currency, source=self.spec)
        if kind == "liveChatPaidStickerRenderer":
            sticker = ((r.get("sticker") or {}).get("accessibility") or {}).get("accessibilityData", {}).get("label", "")
            return GiftReceived(t=t, msg_id=msg_id, viewer=viewer, gift_name=sticker or "Super Sticker", count=1,
                                amount=amount, currency=currency, source=self.spec)
        # membership: a new member ("Welcome to ..."), or a milestone ("Member for 6 months")
        primary = _text(r.get("headerPrimaryText"))[0]
        sub = _text(r.get("headerSubtext"))[0]
        badges = [((b.get("liveChatAuthorBadgeRenderer") or {}).get("tooltip") or "") for b in r.get("authorBadges") or []]
        plan = next((b for b in badges if "ember" in b), "") or sub or "member"
        months = re.search(r"(\d+)\s*month", primary + " " + plan)
        return ViewerSubscribed(t=t, msg_id=msg_id, viewer=viewer, plan=plan,
                                months=int(months.group(1)) if months else 0,
                                text=_text(r.get("message"))[0][:MAX_TEXT_CHARS], source=self.spec)


def open_source(target: str, *, settings: Any = None, endpoint: str | None = None, **options: Any) -> YouTubeChatSource:
    """``youtube:VIDEO_ID`` or ``youtube:https://www.youtube.com/watch?v=VIDEO_ID`` (also
    youtu.be and /live/ URLs).

    Options: ``default_interval_s``, ``min_interval_s``, ``http_timeout_s``,
    ``stall_timeout_s``, ``backoff``, ``rng``.

    Raises:
        LiveHostError(code="source-spec-invalid"): no video id.
        LiveHostError(code="source-missing-package"): httpx missing.
    """
    vid = parse_video_id(target)
    require_packages("httpx")
    kw = source_options("youtube", settings, endpoint, options)
    kw.update({k: v for k, v in options.items() if k in ("default_interval_s", "min_interval_s", "http_timeout_s")})
    return YouTubeChatSource(vid, **kw)
