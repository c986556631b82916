"""``livehost live`` and ``livehost record`` on a real chat source: the local ingest endpoint,
fed over HTTP like the browser bridge feeds it."""
import asyncio
import json

import aiohttp

from app.catalog.importer import write_catalog_csv
from app.events import SourceConnected
from app.live import record_async, run_live_async
from app.settings import load_settings
from app.sources.ingest import IngestChatSource
from app.sources.replay import ReplayChatSource
from app.understanding.stage import Understander
from tests.fakes import KeywordClassifier

TOKEN = "live-test-token"
EVENTS = [{"type": "comment", "uid": "u1", "nickname": "小美", "text": "3号多少钱", "id": "a"},
          {"type": "comment", "uid": "u2", "nickname": "阿强", "text": "5号有货吗", "id": "b"},
          {"type": "follow", "uid": "u3", "nickname": "Lily", "id": "c"}]


async def _feed_when_connected(connected: asyncio.Event, src: IngestChatSource) -> int:
    await asyncio.wait_for(connected.wait(), 10)
    async with aiohttp.ClientSession() as http:
        async with http.post(src.events_url, data=json.dumps(EVENTS), params={"token": TOKEN}) as r:
            return r.status


def test_live_session_on_the_ingest_endpoint_writes_the_outputs(tmp_path, catalog):
    cat = tmp_path / "c.csv"
    write_catalog_csv(catalog, cat)
    settings = load_settings(tmp_path / "none.toml", {"data_dir": str(tmp_path), "reply": {"merge_window_s": 0}})
    src = IngestChatSource(port=0, token=TOKEN)
    connected = asyncio.Event()
    rows = []

    async def run():
        feed = asyncio.create_task(_feed_when_connected(connected, src))
        result = await run_live_async([src], cat, tmp_path / "out", settings=settings, audio=False, duration_s=3.0,
                                      understander=Understander(KeywordClassifier(), catalog), use_recommender=False,
                                      on_row=rows.append,
                                      on_event=lambda e: connected.set() if isinstance(e, SourceConnected) else None)
        return result, await feed

    result, status = asyncio.run(run())
    assert status == 200
    by_id = {r["msg_id"]: r for r in result.records}
    assert set(by_id) == {"a", "b", "c"}
    assert "59.9元" in by_id["a"]["reply"] and "20件" in by_id["b"]["reply"]
    assert by_id["c"]["kind"] == "follow" and by_id["c"]["reply"]
    assert [r["msg_id"] for r in rows] == ["a", "b", "c"]
    written = [json.loads(x) for x in (tmp_path / "out" / "replies.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [w["msg_id"] for w in written] == ["a", "b", "c"]
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["session"] == src.spec and summary["events"] == 3


def test_record_writes_a_session_file_that_replays(tmp_path):
    settings = load_settings(tmp_path / "none.toml", {"data_dir": str(tmp_path)})
    src = IngestChatSource(port=0, token=TOKEN)
    connected = asyncio.Event()
    out = tmp_path / "room.jsonl"

    async def run():
        feed = asyncio.create_task(_feed_when_connected(connected, src))
        n = await record_async([src], out, settings=settings, duration_s=2.0,
                               on_event=lambda e: connected.set() if isinstance(e, SourceConnected) else None)
        return n, await feed

    n, status = asyncio.run(run())
    assert (n, status) == (3, 200)
    back = [e for e in ReplayChatSource(out).iter_events() if hasattr(e, "msg_id")]
    assert [(type(e).__name__, e.msg_id, e.viewer.nickname) for e in back] == [
        ("ChatReceived", "a", "小美"), ("ChatReceived", "b", "阿强"), ("ViewerFollowed", "c", "Lily")]
    assert back[0].text == "3号多少钱"
