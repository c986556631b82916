"""The local ingest endpoint against real aiohttp HTTP and WebSocket clients on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import time

import aiohttp
import pytest
from keyring.backend import KeyringBackend

from app.errors import LiveHostError
from app.events import (ChatReceived, ErrorOccurred, GiftReceived, IngestClientChanged, LikesReceived,
                        Received, SourceConnected, SourceDisconnected, ViewerEntered, ViewerFollowed)
from app.settings import load_settings
from app.sources import open_source
from app.sources.base import SourceContext
from app.sources.ingest import (KEYRING_SERVICE, KEYRING_USERNAME, WS_CLOSE_TOKEN_REFUSED, IngestChatSource,
                                IngestLimits, TokenBucket, load_token)

TOKEN = "test-token-1234"


class MemoryKeyring(KeyringBackend):
    """A real keyring backend that keeps passwords in a dict (never touches the OS keyring)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        self.store.pop((service, username), None)


class LockedKeyring(MemoryKeyring):
    def get_password(self, service, username):
        from keyring.errors import KeyringLocked

        raise KeyringLocked("the keyring is locked")


class Running:
    """An ingest source being iterated on this loop; ``events`` collects what it yields."""

    def __init__(self, src: IngestChatSource) -> None:
        self.src = src
        self.events: list = []
        self._t0 = time.monotonic()
        self._new = asyncio.Event()
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        ctx = SourceContext(now=lambda: time.monotonic() - self._t0, run_blocking=None)
        async for ev in self.src.events(ctx):
            self.events.append(ev)
            self._new.set()

    def of(self, cls):
        return [e for e in self.events if isinstance(e, cls)]

    async def wait_for(self, pred, timeout: float = 5.0):
        deadline = time.monotonic() + timeout
        while not pred(self.events):
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"timed out; events so far: {self.events}")
            self._new.clear()
            try:
                await asyncio.wait_for(self._new.wait(), left)
            except asyncio.TimeoutError:
                pass

    async def started(self):
        await self.wait_for(lambda evs: any(isinstance(e, SourceConnected) for e in evs))
        return self

    async def stop(self):
        await self.src.aclose()
        await asyncio.wait_for(self.task, 5)


def _source(**kw) -> IngestChatSource:
    kw.setdefault("port", 0)
    kw.setdefault("token", TOKEN)
    return IngestChatSource(**kw)


def _run(coro):
    return asyncio.run(asyncio.wait_for(coro, 60))


EVENTS = [
    {"type": "comment", "id": "a1", "platform": "douyin", "uid": "u1", "nickname": "小美", "text": "3号链接多少钱"},
    {"type": "gift", "id": "a2", "platform": "douyin", "uid": "u9", "nickname": "阿强", "gift": "小心心", "count": 5},
    {"type": "follow", "id": "a3", "platform": "kuaishou", "uid": 42, "nickname": "阿强"},
    {"type": "enter", "id": "a4", "platform": "taobao", "uid": "u7", "nickname": "Lily"},
    {"type": "like", "id": "a5", "platform": "wechat", "uid": "u7", "nickname": "Lily", "count": 12},
]


def _check_exact(received: list[Received], sent: list[dict], spec: str) -> None:
    """Each event out carries exactly what was sent (and the endpoint's spec, stream time)."""
    assert len(received) == len(sent)
    for ev, obj in zip(received, sent):
        assert ev.msg_id == obj["id"]
        assert ev.viewer.platform == obj["platform"]
        assert ev.viewer.uid == str(obj["uid"])
        assert ev.viewer.nickname == obj["nickname"]
        assert ev.source == spec
        kind = {"comment": ChatReceived, "gift": GiftReceived, "follow": ViewerFollowed,
                "enter": ViewerEntered, "like": LikesReceived}[obj["type"]]
        assert type(ev) is kind
        if obj["type"] == "comment":
            assert ev.text == obj["text"]
        if obj["type"] == "gift":
            assert (ev.gift_name, ev.count) == (obj["gift"], obj["count"])
        if obj["type"] == "like":
            assert ev.count == obj["count"]
    times = [e.t for e in received]
    assert times == sorted(times) and all(t >= 0 for t in times)


def test_websocket_events_come_out_exactly_as_sent():
    async def main():
        r = await Running(_source()).started()
        async with aiohttp.ClientSession() as s:
            async with s.ws_connect(f"{r.src.ws_url}?token={TOKEN}&client=grabber-1") as ws:
                welcome = await ws.receive_json()
                assert welcome["type"] == "welcome" and welcome["client"] == "grabber-1"
                assert welcome["limits"]["max_message_bytes"] == r.src.limits.max_message_bytes
                acks = []
                for obj in EVENTS:
                    await ws.send_str(json.dumps(obj, ensure_ascii=False))
                    acks.append(await ws.receive_json())
                await ws.send_str('{"type":"ping"}')
                assert await ws.receive_json() == {"type": "pong"}
        assert acks == [{"type": "ack", "id": o["id"], "status": "accepted"} for o in EVENTS]
        await r.wait_for(lambda evs: len([e for e in evs if isinstance(e, IngestClientChanged)]) == 2)
        await r.stop()
        _check_exact(r.of(Received), EVENTS, r.src.spec)
        changes = r.of(IngestClientChanged)
        assert [(c.client, c.connected, c.clients) for c in changes] == [("grabber-1", True, 1),
                                                                         ("grabber-1", False, 0)]
        assert isinstance(r.events[0], SourceConnected) and r.src.url in r.events[0].detail
        last = r.events[-1]
        assert isinstance(last, SourceDisconnected) and last.reason == "stopped" and last.retry_in_s == 0
        assert r.src.stats.accepted == 5 and r.src.stats.clients_total == 1

    _run(main())


def test_http_post_json_array_and_json_lines():
    async def main():
        r = await Running(_source(default_platform="douyin")).started()
        auth = {"Authorization": f"Bearer {TOKEN}"}
        async with aiohttp.ClientSession() as s:
            resp = await s.post(r.src.events_url, data=json.dumps(EVENTS[:3], ensure_ascii=False).encode(), headers=auth)
            body = await resp.json()
            assert resp.status == 200
            assert body == {"accepted": 3, "duplicates": 0, "rejected": 0, "ids": ["a1", "a2", "a3"], "errors": []}
            lines = "\n".join(json.dumps(o, ensure_ascii=False) for o in EVENTS[3:]) + "\n"
            resp = await s.post(r.src.events_url, data=lines.encode(), headers={"X-LiveHost-Token": TOKEN})
            assert resp.status == 200 and (await resp.json())["ids"] == ["a4", "a5"]
            # one object, no id, no platform: an id is made up, the default platform is used
            resp = await s.post(f"{r.src.events_url}?token={TOKEN}",
                                json={"type": "comment", "uid": "u5", "nickname": "路人", "text": "hi", "t": -99})
            one = await resp.json()
            assert resp.status == 200 and one["accepted"] == 1 and one["ids"][0].startswith("ingest-")
        await r.wait_for(lambda evs: len([e for e in evs if isinstance(e, Received)]) == 6)
        await r.stop()
        got = r.of(Received)
        _check_exact(got[:5], EVENTS, r.src.spec)
        assert got[5].viewer.platform == "douyin" and got[5].text == "hi" and got[5].msg_id == one["ids"][0]
        assert got[5].t >= got[4].t  # the client's t is ignored: stream time is the endpoint's clock

    _run(main())


def test_wrong_token_is_refused_and_counted():
    async def main():
        r = await Running(_source()).started()
        async with aiohttp.ClientSession() as s:
            async with s.ws_connect(f"{r.src.ws_url}?token=wrong") as ws:
                msg = await ws.receive()
                assert msg.type == aiohttp.WSMsgType.CLOSE
                assert msg.data == WS_CLOSE_TOKEN_REFUSED and "token refused" in msg.extra
            async with s.ws_connect(r.src.ws_url) as ws:  # no token at all
                msg = await ws.receive()
                assert msg.data == WS_CLOSE_TOKEN_REFUSED
            resp = await s.post(r.src.events_url, json=EVENTS[0], headers={"Authorization": "Bearer nope"})
            assert resp.status == 401
            assert (await resp.json())["error"]["code"] == "ingest-token-refused"
            assert resp.headers["WWW-Authenticate"].startswith("Bearer")
        await r.stop()
        assert r.src.stats.refused == 3 and r.src.stats.clients_total == 0
        assert not r.of(Received)
        reports = [e for e in r.of(ErrorOccurred) if e.code == "ingest-token-refused"]
        assert reports and "token" in reports[0].message and reports[0].hint

    _run(main())


def test_malformed_frames_get_an_error_reply_and_the_connection_survives():
    async def main():
        r = await Running(_source()).started()
        bad = [
            ("{not json", "not JSON"),
            ('["a", "list"]', "one event per WebSocket message"),
            ('{"type":"dance","uid":"u1"}', "unknown type 'dance'"),
            ('{"type":"comment","uid":"u1","nickname":"a"}', "missing field 'text'"),
            ('{"type":"comment","text":"no uid"}', "missing field 'uid'"),
            ('{"type":"gift","uid":"u1","gift":"rose","count":-2}', "positive integer"),
            ('{"type":"host_speech","text":"x","uid":"u1"}', "unknown type 'host_speech'"),
            ('{"type":"comment","uid":"u1","text":"x","platform":"Not A Key"}', "platform"),
            ('{"type":"comment","uid":"u1","text":"x","id":{"a":1}}', "field 'id'"),
        ]
        async with aiohttp.ClientSession() as s:
            async with s.ws_connect(f"{r.src.ws_url}?token={TOKEN}") as ws:
                await ws.receive_json()
                replies = []
                for frame, _ in bad:
                    await ws.send_str(frame)
                    replies.append(await ws.receive_json())
                await ws.send_bytes(b"\xff\xfe")
                replies.append(await ws.receive_json())
                await ws.send_str(json.dumps(EVENTS[0], ensure_ascii=False))  # still open
                ok = await ws.receive_json()
            resp = await s.post(r.src.events_url, headers={"Authorization": f"Bearer {TOKEN}"},
                                data='{"type":"enter","uid":"u3","id":"p1"}\n{broken\n[1]\n')
            body = await resp.json()
        await r.wait_for(lambda evs: len([e for e in evs if isinstance(e, Received)]) == 2)
        await r.stop()
        for (frame, needle), reply in zip(bad, replies):
            assert reply["type"] == "error" and reply["code"] == "source-frame-malformed", frame
            assert needle in reply["message"], (frame, reply)
        assert replies[-1]["code"] == "source-frame-malformed" and "UTF-8" in replies[-1]["message"]
        assert ok == {"type": "ack", "id": "a1", "status": "accepted"}
        assert resp.status == 200 and body["accepted"] == 1 and body["rejected"] == 2
        assert [e["item"] for e in body["errors"]] == [2, 3]
        assert "line 2 is not JSON" in body["errors"][0]["message"]
        assert "must be a JSON object" in body["errors"][1]["message"]
        assert [e.msg_id for e in r.of(Received)] == ["a1", "p1"]
        assert r.src.stats.malformed == len(bad) + 1 + 2
        # reported to the seller, throttled per client and kind (not one error per bad frame)
        reports = [e for e in r.of(ErrorOccurred) if e.code == "source-frame-malformed"]
        assert 1 <= len(reports) <= 2 and "skipped" in reports[0].message

    _run(main())


def test_size_limits_reply_with_an_error_and_keep_the_connection():
    async def main():
        limits = IngestLimits(max_message_bytes=1000, max_body_bytes=4096, max_batch=3, rate_per_s=None)
        r = await Running(_source(limits=limits)).started()
        big = dict(EVENTS[0], text="长" * 400)  # 1200 bytes of UTF-8 text: over 1000
        async with aiohttp.ClientSession() as s:
            async with s.ws_connect(f"{r.src.ws_url}?token={TOKEN}") as ws:
                await ws.receive_json()
                await ws.send_str(json.dumps(big, ensure_ascii=False))
                too_big = await ws.receive_json()
                await ws.send_str(json.dumps(EVENTS[1], ensure_ascii=False))
                ok = await ws.receive_json()
            auth = {"Authorization": f"Bearer {TOKEN}"}
            resp = await s.post(r.src.events_url, headers=auth, data=json.dumps(EVENTS[:4]))
            batch = (resp.status, await resp.json())
            resp = await s.post(r.src.events_url, headers=auth, data=b"[" + b" " * 5000 + b"]")
            body = (resp.status, await resp.json())
        await r.stop()
        assert too_big["code"] == "ingest-too-large" and "1000" in too_big["message"]
        assert ok["status"] == "accepted"
        assert batch[0] == 413 and batch[1]["error"]["code"] == "ingest-too-large" and "at most 3" in batch[1]["error"]["message"]
        assert body[0] == 413 and body[1]["error"]["code"] == "ingest-too-large"
        assert [e.msg_id for e in r.of(Received)] == ["a2"]
        assert r.src.stats.too_large == 3

    _run(main())


def test_rate_limit_per_client_refuses_the_excess_and_the_client_resends_it():
    async def main():
        limits = IngestLimits(rate_per_s=20.0, burst=5, max_batch=5)
        r = await Running(_source(limits=limits)).started()
        sent = [dict(EVENTS[0], id=f"r{i}", text=f"消息{i}") for i in range(8)]
        async with aiohttp.ClientSession() as s:
            async with s.ws_connect(f"{r.src.ws_url}?token={TOKEN}&client=fast") as ws:
                await ws.receive_json()
                for obj in sent:
                    await ws.send_str(json.dumps(obj, ensure_ascii=False))
                replies = [await ws.receive_json() for _ in sent]
                # a second client has its own bucket
                async with s.ws_connect(f"{r.src.ws_url}?token={TOKEN}&client=other") as ws2:
                    await ws2.receive_json()
                    await ws2.send_str(json.dumps(dict(EVENTS[3], id="o1")))
                    other = await ws2.receive_json()
                limited = [rep for rep in replies if rep["type"] == "error"]
                wait = max(rep["retry_after_s"] for rep in limited)
                await asyncio.sleep(wait + 0.1)
                for rep in limited:  # what was refused is sent again, and now taken
                    await ws.send_str(json.dumps(next(o for o in sent if o["id"] == rep["id"]), ensure_ascii=False))
                    assert (await ws.receive_json())["status"] == "accepted"
            # HTTP: a batch over the bucket is refused whole with 429 and Retry-After
            auth = {"Authorization": f"Bearer {TOKEN}", "X-LiveHost-Client": "poster"}
            batch = [dict(EVENTS[3], id=f"h{i}") for i in range(5)]
            first = await s.post(r.src.events_url, headers=auth, json=batch)
            second = await s.post(r.src.events_url, headers=auth, json=[dict(o, id="x" + o["id"]) for o in batch])
            second_body = await second.json()
        await r.stop()
        statuses = [rep.get("status") or rep["code"] for rep in replies]
        assert statuses == ["accepted"] * 5 + ["ingest-rate-limited"] * 3
        assert [rep["id"] for rep in limited] == ["r5", "r6", "r7"]
        assert all(0 < rep["retry_after_s"] <= 1 for rep in limited)
        assert other["status"] == "accepted"
        assert first.status == 200
        assert second.status == 429 and int(second.headers["Retry-After"]) >= 1
        assert second_body["error"]["code"] == "ingest-rate-limited" and second_body["retry_after_s"] > 0
        got = [e.msg_id for e in r.of(Received)]
        assert sorted(got) == sorted([o["id"] for o in sent] + ["o1"] + [o["id"] for o in batch])
        assert len(got) == len(set(got))  # nothing twice, nothing lost
        assert r.src.stats.rate_limited == 3 + 5

    _run(main())


def test_duplicate_ids_from_a_client_that_drops_and_reconnects_are_dropped():
    async def main():
        r = await Running(_source()).started()
        url = f"{r.src.ws_url}?token={TOKEN}&client=bridge"
        async with aiohttp.ClientSession() as s:
            ws = await s.ws_connect(url)
            await ws.receive_json()
            for obj in EVENTS[:3]:
                await ws.send_str(json.dumps(obj, ensure_ascii=False))
                await ws.receive_json()
            ws._response.connection.transport.abort()  # the browser was killed: no close frame
            await r.wait_for(lambda evs: any(isinstance(e, IngestClientChanged) and not e.connected for e in evs))
            async with s.ws_connect(url) as ws2:
                await ws2.receive_json()
                replies = []
                for obj in EVENTS[1:]:  # it was not sure about a2 and a3: sends them again
                    await ws2.send_str(json.dumps(obj, ensure_ascii=False))
                    replies.append(await ws2.receive_json())
        await r.wait_for(lambda evs: len([e for e in evs if isinstance(e, Received)]) == 5)
        await r.stop()
        assert [(x["id"], x["status"]) for x in replies] == [("a2", "duplicate"), ("a3", "duplicate"),
                                                             ("a4", "accepted"), ("a5", "accepted")]
        _check_exact(r.of(Received), EVENTS, r.src.spec)
        changes = [(c.connected, c.clients, c.detail) for c in r.of(IngestClientChanged)]
        assert changes[0] == (True, 1, "connected")
        assert changes[1][0] is False and changes[1][1] == 0 and changes[1][2] in ("dropped", "closed (code 1006)")
        assert changes[2] == (True, 1, "connected")
        assert r.src.stats.duplicates == 2 and r.src.stats.clients_total == 2

    _run(main())


def test_aclose_closes_open_websockets_and_ends_with_stopped():
    async def main():
        r = await Running(_source()).started()
        async with aiohttp.ClientSession() as s:
            async with s.ws_connect(f"{r.src.ws_url}?token={TOKEN}") as ws:
                await ws.receive_json()
                await r.stop()
                msg = await ws.receive()
                assert msg.type == aiohttp.WSMsgType.CLOSE and msg.data == 1001
        assert isinstance(r.events[-1], SourceDisconnected) and r.events[-1].reason == "stopped"
        # the port is free again: a new endpoint can listen on it at once
        again = _source(port=r.src.port)
        await again.aclose()

    _run(main())


def test_binding_refused_on_a_non_loopback_address():
    for host in ("0.0.0.0", "192.168.1.20", "::", "example.com", ""):
        with pytest.raises(LiveHostError) as e:
            _source(host=host)
        assert e.value.code == "ingest-bind-refused", host
        assert "127.0.0.1" in e.value.message and e.value.hint
    for host in ("127.0.0.1", "localhost", "::1"):
        try:
            src = _source(host=host)
        except LiveHostError as exc:  # a machine without IPv6 loopback
            assert host == "::1" and exc.code == "ingest-port-in-use"
            continue
        assert src.host in ("127.0.0.1", "::1")
        _run(src.aclose())


def test_requests_for_another_host_name_are_refused():
    async def main():
        r = await Running(_source()).started()
        async with aiohttp.ClientSession() as s:
            resp = await s.post(r.src.events_url, json=EVENTS[0],
                                headers={"Authorization": f"Bearer {TOKEN}", "Host": "evil.example:80"})
            status = resp.status
            info = await (await s.get(r.src.url + "/")).json()
        await r.stop()
        assert status == 403 and not r.of(Received)
        assert info["server"] == "livehost-ingest" and info["types"] == ["comment", "gift", "follow", "enter", "like"]
        assert TOKEN not in json.dumps(info)

    _run(main())


def test_port_in_use_is_a_clear_error_before_anything_runs():
    first = _source()
    try:
        with pytest.raises(LiveHostError) as e:
            _source(port=first.port)
        assert e.value.code == "ingest-port-in-use" and str(first.port) in e.value.message
    finally:
        _run(first.aclose())


def test_token_is_kept_in_the_keyring_and_reused():
    kr = MemoryKeyring()
    a = _source(token=None, keyring_backend=kr)
    b_token = None
    try:
        assert a.token_persistent and len(a.token) >= 24
        assert kr.store[(KEYRING_SERVICE, KEYRING_USERNAME)] == a.token
    finally:
        _run(a.aclose())
    b = _source(token=None, keyring_backend=kr)
    b_token = b.token
    _run(b.aclose())
    assert b_token == a.token


def test_without_a_keyring_the_token_lasts_for_the_session_and_the_seller_is_told():
    from keyring.backends.fail import Keyring as NoKeyring

    token, problem = load_token(NoKeyring())
    assert token and "keyring" in problem.lower()
    token2, problem2 = load_token(LockedKeyring())
    assert token2 and token2 != token and "locked" in problem2

    async def main():
        r = await Running(_source(token=None, keyring_backend=NoKeyring())).started()
        await r.wait_for(lambda evs: any(isinstance(e, ErrorOccurred) for e in evs))
        await r.stop()
        return r

    r = _run(main())
    assert r.src.token_persistent is False
    notice = r.of(ErrorOccurred)[0]
    assert notice.code == "ingest-keyring-unavailable" and "this session only" in notice.message


def test_open_source_reads_spec_and_settings():
    settings = load_settings(overrides={"platform": "kuaishou", "ingest": {"rate_per_s": 50, "burst": 600}})
    src = open_source("ingest:0", settings=settings, token=TOKEN)
    try:
        assert isinstance(src, IngestChatSource)
        assert src.spec == f"ingest:{src.port}" and src.port > 0 and src.platform == "kuaishou"
        assert src.limits.rate_per_s == 50 and src.limits.burst == 600
        assert src.url == f"http://127.0.0.1:{src.port}" and src.ws_url.endswith("/ws")
    finally:
        _run(src.aclose())
    for bad in ("ingest:abc", "ingest:70000"):
        with pytest.raises(LiveHostError) as e:
            open_source(bad, token=TOKEN)
        assert e.value.code == "source-spec-invalid"


def test_token_bucket_refills_at_its_rate():
    now = [0.0]
    b = TokenBucket(rate=10, capacity=3, clock=lambda: now[0])
    assert [b.take() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert b.take() == pytest.approx(0.1)
    now[0] = 0.25  # 2.5 tokens back
    assert b.take(2) == 0.0 and b.take() == pytest.approx(0.05)
