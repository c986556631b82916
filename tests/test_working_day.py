"""A whole working day on air: every per-session structure is bounded."""
import asyncio
import pickle

from app.events import (ChatReceived, ErrorOccurred, IntentClassified, NoReply, ReplyApproved, ReplySuggested,
                        SpeechFinished, SpeechSynthesized, Viewer)
from app.housekeeping import AudioBudget, Housekeeping
from app.observers import LatencySketch, MetricsObserver
from app.store import SqliteStore

V = Viewer("douyin", "u1", "小美")


def test_latency_sketch_keeps_constant_size_over_a_million_samples():
    import random

    rng = random.Random(1)
    sk = LatencySketch()
    for _ in range(10_000):
        sk.add(rng.random() * 0.05 + 0.001)
    small = len(pickle.dumps(sk._sketch))
    exact = sorted(rng.random() * 0.05 + 0.001 for _ in range(990_000))
    for x in exact:
        sk.add(x)
    assert sk.count == 1_000_000
    assert len(pickle.dumps(sk._sketch)) <= small * 1.05  # the same buckets, not a million floats
    assert abs(sk.quantile(0.95) - exact[int(0.95 * len(exact))]) / exact[int(0.95 * len(exact))] < 0.02


def test_metrics_keep_no_per_message_state_once_a_message_is_done():
    m = MetricsObserver()
    for i in range(50_000):
        mid = f"m{i}"
        m.on_event(ChatReceived(t=i, msg_id=mid, viewer=V, text="多少钱"))
        m.on_event(IntentClassified(t=i, msg_id=mid, viewer=V, text="多少钱", lang="zh", intent="price",
                                    confidence=0.9, uncertain=False))
        if i % 2:
            m.on_event(NoReply(t=i, msg_id=mid, viewer=V, reason="chitchat"))
            continue
        m.on_event(ReplySuggested(t=i, reply_id=f"r{i}", msg_ids=(mid,), viewer=V, intent="price", lang="zh",
                                  text="x"))
        m.on_event(ReplyApproved(t=i, reply_id=f"r{i}", text="x", lang="zh"))
        m.on_event(SpeechSynthesized(t=i, reply_id=f"r{i}", text="x", audio_path="", duration_s=1, sample_rate=1))
    assert m.in_flight == 0
    assert m.summary()["audio_ready"]["count"] == 25_000
    for i in range(3 * MetricsObserver.MAX_IN_FLIGHT):  # messages whose outcome never comes
        m.on_event(ChatReceived(t=i, msg_id=f"x{i}", viewer=V, text="?"))
    assert m.in_flight <= MetricsObserver.MAX_IN_FLIGHT


def test_audio_budget_removes_the_oldest_and_keeps_held_and_edited(tmp_path):
    budget = AudioBudget(keep_s=100, keep_mb=0, grace_s=10)
    paths = {}
    for i in range(30):
        rid = f"r{i}"
        p = tmp_path / f"{rid}.wav"
        p.write_bytes(b"RIFF" + b"\0" * 1000)
        paths[rid] = p
        if i == 3:  # a held reply the seller approved later: the report wants its audio
            budget.on_event(ReplySuggested(t=i * 10, reply_id=rid, msg_ids=(), viewer=V, intent="price", lang="zh",
                                           text="x", held_reason="missing_fact"))
        budget.on_event(SpeechSynthesized(t=i * 10, reply_id=rid, text="x", audio_path=str(p), duration_s=1,
                                          sample_rate=22050))
        budget.on_event(SpeechFinished(t=i * 10, reply_id=rid))
    alive = {rid for rid, p in paths.items() if p.exists()}
    # stream time is 290: files older than 100 s (t < 190) are gone, except the held one
    assert alive == {"r3"} | {f"r{i}" for i in range(19, 30)}
    assert budget.deleted == 18
    # a size budget too: at most ~5 kB of the newest
    size = AudioBudget(keep_s=0, keep_mb=0.005, grace_s=0)
    for rid in sorted(alive - {"r3"}, key=lambda r: int(r[1:])):
        size.on_event(SpeechSynthesized(t=1000, reply_id=rid, text="x", audio_path=str(paths[rid]), duration_s=1,
                                        sample_rate=22050))
        size.on_event(SpeechFinished(t=1000, reply_id=rid))
    assert size.kept_bytes <= 5_000 and sum(p.exists() for p in paths.values()) == 1 + 4


def test_wal_is_checkpointed_and_cut_back(tmp_path):
    store = SqliteStore(tmp_path / "s.sqlite3")
    for i in range(20_000):
        store.append_event("s", ChatReceived(t=i, msg_id=f"m{i}", viewer=V, text="多少钱" * 20))
    assert store.wal_bytes() > 0
    assert store.checkpoint() == 0
    assert len(list(store.received_events("s"))) == 20_000  # nothing lost


def test_low_disk_is_told_once_before_anything_fails(tmp_path):
    store = SqliteStore(tmp_path / "s.sqlite3")
    said = []

    async def publish(e):
        said.append(e)

    hk = Housekeeping(store, [tmp_path], publish, min_free_mb=10**12)  # more than any disk

    async def run():
        await hk.check_disk()
        await hk.check_disk()

    asyncio.run(run())
    assert [(e.code, "free on the disk" in e.message) for e in said if isinstance(e, ErrorOccurred)] == \
        [("disk-low", True)]


def test_the_feed_keeps_a_window_while_the_store_keeps_everything(qtbot, tmp_path):
    from app.gui.feed import FeedPanel, HistoryDialog

    store = SqliteStore(tmp_path / "s.sqlite3")
    panel = FeedPanel(flush_ms=0, max_rows=1000)
    qtbot.addWidget(panel)
    for i in range(5000):
        e = ChatReceived(t=i, msg_id=f"m{i}", viewer=V, text=f"消息{i}")
        store.append_event("live", e)
        panel.model.on_event(e)
    assert panel.model.rowCount() <= 1000 and panel.model.evicted >= 4000
    assert panel.model.rows[-1].text == "消息4999"
    panel.history_source = (store.path, "live")
    dlg = panel.open_history()
    qtbot.addWidget(dlg)
    assert isinstance(dlg, HistoryDialog) and dlg.model.rows[0].text == "消息4999"
    while dlg.load_more():
        pass
    assert dlg.model.rowCount() == 5000 and dlg.model.rows[-1].text == "消息0"
    dlg.search.setText("消息123")
    dlg.reload()
    assert {r.text for r in dlg.model.rows} == {"消息123", "消息1230", "消息1231", "消息1232", "消息1233", "消息1234",
                                              "消息1235", "消息1236", "消息1237", "消息1238", "消息1239"}
