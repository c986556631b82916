import asyncio

import pytest

from app.errors import LiveHostError
from app.events import ChatReceived, ErrorOccurred, Event, NoReply, SourcesEnded, Viewer
from app.pipeline import Pipeline, Stage
from app.store import SqliteStore

V = Viewer("douyin", "u1", "小美")


class Upper(Stage):
    name = "upper"
    accepts = (ChatReceived,)

    async def handle(self, event, emit):
        if event.text == "boom":
            raise RuntimeError("engine exploded")
        if event.text == "bad":
            raise LiveHostError("custom-code", "something the seller can fix", "do this")
        await emit(NoReply(t=event.t, msg_id=event.msg_id, viewer=event.viewer, reason=event.text.upper()))


class Blocking(Stage):
    name = "blocking"
    accepts = (NoReply,)

    def __init__(self):
        super().__init__()
        self.threads = set()

    async def handle(self, event, emit):
        import threading

        name = await self.pipeline.run_blocking("engine", lambda: threading.current_thread().name)
        self.threads.add(name)


class Recorder:
    def __init__(self):
        self.events = []

    def on_event(self, e):
        self.events.append(e)


async def _source(items):
    for e in items:
        yield e


def _chat(i, text):
    return ChatReceived(t=float(i), msg_id=f"m{i}", viewer=V, text=text)


def test_events_in_events_out_and_errors_become_events():
    rec = Recorder()
    blocking = Blocking()
    p = Pipeline([Upper(), blocking], [rec])
    asyncio.run(p.run(_source([_chat(1, "hi"), _chat(2, "boom"), _chat(3, "bad"), _chat(4, "ok")])))
    out = [(type(e).__name__, getattr(e, "msg_id", ""), getattr(e, "reason", getattr(e, "code", "")))
           for e in rec.events if not isinstance(e, (ChatReceived, SourcesEnded))]
    assert sum(isinstance(e, SourcesEnded) for e in rec.events) == 1  # the runner says when the source is done
    assert out == [
        ("NoReply", "m1", "HI"),
        ("ErrorOccurred", "m2", "upper-failed"),
        ("ErrorOccurred", "m3", "custom-code"),
        ("NoReply", "m4", "OK"),
    ]
    err = [e for e in rec.events if isinstance(e, ErrorOccurred)][1]
    assert err.message == "something the seller can fix" and err.hint == "do this"
    # every blocking call ran on the same named single thread
    assert blocking.threads == {"livehost-engine_0"}


def test_received_events_are_logged_before_any_stage_sees_them(tmp_path):
    store = SqliteStore(tmp_path / "db.sqlite3")
    seen_logged = []

    class Check(Stage):
        name = "check"
        accepts = (ChatReceived,)

        async def handle(self, event, emit):
            # the event is already in the log when the stage runs
            seen_logged.append([e["msg_id"] for e in store.received_events("s1")])

    p = Pipeline([Check()], event_log=store, session_id="s1")
    asyncio.run(p.run(_source([_chat(1, "a"), _chat(2, "b")])))
    assert seen_logged[0][0] == "m1"
    assert "m2" in seen_logged[1]
    logged = list(store.received_events("s1"))
    assert [e["text"] for e in logged] == ["a", "b"]
    assert [e["type"] for e in store.events("s1")] == ["ChatReceived", "ChatReceived", "SourcesEnded"]
    assert logged[0]["viewer"] == {"platform": "douyin", "uid": "u1", "nickname": "小美"}


def test_crash_after_receive_loses_nothing(tmp_path):
    """A stage that kills the run mid-stream: every event received before is in the log."""
    db = tmp_path / "db.sqlite3"
    store = SqliteStore(db)

    class Crash(Stage):
        name = "crash"
        accepts = (ChatReceived,)

        async def handle(self, event, emit):
            if event.msg_id == "m3":
                raise SystemExit("simulated crash")

    async def run():
        p = Pipeline([Crash()], event_log=store, session_id="s")
        await p.start()
        for i in range(1, 5):
            await p.publish(_chat(i, f"t{i}"))
        await asyncio.sleep(0.05)

    with pytest.raises(SystemExit):
        asyncio.run(run())
    reopened = SqliteStore(db)
    assert [e["msg_id"] for e in reopened.received_events("s")] == ["m1", "m2", "m3", "m4"]
