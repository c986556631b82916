"""The one session core, end to end: question merging, the idle rotation in stream time, the
same events on every path, decisions that survive ``kill -9``, runs that never overwrite each
other, and outputs rebuilt from the database alone."""
import dataclasses
import json
import multiprocessing
import os
import signal
from pathlib import Path

import pytest

from app.catalog.importer import write_catalog_csv
from app.catalog.model import Catalog
from app.events import (CancelSpeech, IntentClassified, IntroduceProduct, NowSellingChanged, QuestionMerged,
                        ReplyApproved, ReplySuggested, SetNowSelling, Speak, SpeechFinished, SpeechStarted)
from app.replay import export_session, run_replay
from app.settings import load_settings
from app.store import SqliteStore
from app.understanding.stage import Understander
from tests.conftest import make_catalog
from tests.fakes import FakePlayer, FakeSynth, KeywordClassifier

REPO = Path(__file__).resolve().parents[1]


def _session(tmp_path, lines, name="s.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    return path


def _catalog_file(tmp_path, catalog=None):
    path = tmp_path / "catalog.csv"
    write_catalog_csv(catalog or make_catalog(), path)
    return path


def _settings(tmp_path, **sections):
    return load_settings(tmp_path / "none.toml", {"data_dir": str(tmp_path), **sections})


def _replay(tmp_path, lines, *, catalog=None, settings=None, synth=None, player=None, speed=None, out="out", **kw):
    cat = catalog or make_catalog()
    return run_replay(_session(tmp_path, lines), _catalog_file(tmp_path, cat), tmp_path / out,
                      settings=settings or _settings(tmp_path), speed=speed, audio=synth is not None,
                      synthesizer=synth, player=player, understander=Understander(KeywordClassifier(), cat),
                      use_recommender=False, keep_events=True, **kw)


HEADER = {"type": "session", "session_id": "core", "platform": "douyin"}


def test_two_identical_questions_from_two_viewers_are_spoken_once_naming_both(tmp_path):
    synth = FakeSynth()
    result = _replay(tmp_path, [
        HEADER,
        {"t": 1, "type": "now_selling", "listing_number": 3},
        {"t": 2.0, "type": "comment", "uid": "u1", "nickname": "小美", "text": "多少钱"},
        {"t": 2.6, "type": "comment", "uid": "u2", "nickname": "阿强", "text": "这件多少钱？"},
        {"t": 9.0, "type": "comment", "uid": "u3", "nickname": "Lily", "text": "多少钱"},      # repeat: tied to it
        {"t": 60.0, "type": "comment", "uid": "u4", "nickname": "晴天", "text": "多少钱"},     # a minute later: anew
    ], synth=synth)
    sug = [e for e in result.events if isinstance(e, ReplySuggested)]
    assert [s.msg_ids for s in sug] == [("m3", "m4"), ("m6",)]
    first = sug[0]
    assert first.text.startswith("小美、阿强") and "59.9元" in first.text
    assert [v.nickname for v in first.askers] == ["小美", "阿强"]
    merged = [e for e in result.events if isinstance(e, QuestionMerged)]
    assert [(m.msg_id, m.reply_id, m.answered) for m in merged] == [("m5", first.reply_id, True)]
    assert len(synth.calls) == 2 and synth.calls[0][0] == first.text  # two questions, one spoken answer
    rows = {r["msg_id"]: r for r in result.records}
    assert rows["m5"]["merged_into"] == first.reply_id and rows["m5"]["reply"] == first.text
    assert result.summary["replies"]["questions_merged"] == 2
    assert result.summary["replies"]["spoken"] == 2
    # the store knows every asker of the merged reply
    store = SqliteStore(tmp_path / "out" / "session.sqlite3")
    (row, _) = store.replies("core")
    assert row["msg_ids"] == ["m3", "m4", "m5"] and [a[1] for a in row["askers"]] == ["小美", "阿强", "Lily"]


def test_different_questions_are_not_merged(tmp_path):
    result = _replay(tmp_path, [
        HEADER,
        {"t": 1, "type": "now_selling", "listing_number": 3},
        {"t": 2.0, "type": "comment", "uid": "u1", "nickname": "小美", "text": "多少钱"},
        {"t": 2.1, "type": "comment", "uid": "u2", "nickname": "阿强", "text": "5号多少钱"},   # another product
        {"t": 2.2, "type": "comment", "uid": "u3", "nickname": "Lily", "text": "什么码 身高165体重55kg"},
        {"t": 2.3, "type": "comment", "uid": "u4", "nickname": "Bo", "text": "什么码 身高175体重70kg"},
        {"t": 2.4, "type": "comment", "uid": "u5", "nickname": "Al", "text": "质量太差了"},
        {"t": 2.5, "type": "comment", "uid": "u6", "nickname": "Cy", "text": "质量太差了"},      # complaints: one by one
    ])
    sug = [e for e in result.events if isinstance(e, ReplySuggested)]
    assert sorted(s.msg_ids for s in sug) == [("m3",), ("m4",), ("m5",), ("m6",), ("m7",), ("m8",)]
    assert not [e for e in result.events if isinstance(e, QuestionMerged)]


def _scripted_catalog():
    cat = make_catalog()
    p1, p2, p3 = cat.products
    return Catalog((p1, dataclasses.replace(p2, script="浴巾吸水快，洗澡后一擦就干。"), p3))


def test_idle_rotation_introduces_in_stream_time_and_moves_on(tmp_path):
    """At full speed (no waiting): quiet stretches of stream time trigger introductions."""
    result = _replay(tmp_path, [
        HEADER,
        {"t": 1, "type": "now_selling", "listing_number": 3},
        {"t": 2, "type": "comment", "uid": "u1", "nickname": "小美", "text": "多少钱"},
        {"t": 200, "type": "comment", "uid": "u2", "nickname": "阿强", "text": "有货吗"},
    ], catalog=_scripted_catalog(), settings=_settings(tmp_path, host={"idle_rotation_s": 60}), synth=FakeSynth())
    intros = [e for e in result.events if isinstance(e, ReplySuggested) and e.intent == "introduce"]
    # quiet from t=2: the now-selling product (3号) at 62, then the next with a script (5号) at 122,
    # then back to 3号 at 182; the question at 200 ends the quiet
    assert [(round(e.t), e.product_id) for e in intros] == [(62, "P1"), (122, "P2"), (182, "P1")]
    assert all(e.requested_by == "rotation" for e in intros)
    approvals = {a.reply_id: a.by for a in result.events if isinstance(a, ReplyApproved)}
    assert [approvals[e.reply_id] for e in intros] == ["rotation"] * 3
    assert [e.product_id for e in result.events if isinstance(e, NowSellingChanged)] == ["P1", "P2", "P1"]
    # nothing quiet for long enough: no rotation at all (and off by default)
    again = _replay(tmp_path, [HEADER, {"t": 1, "type": "now_selling", "listing_number": 3},
                               {"t": 50, "type": "comment", "uid": "u1", "text": "多少钱"}],
                    catalog=_scripted_catalog(), synth=FakeSynth(), out="out2")
    assert not [e for e in again.events if isinstance(e, IntroduceProduct)]


def test_a_question_interrupts_the_rotation_introduction(tmp_path):
    """Paced replay with a playing device: the viewer's question cuts the introduction short."""
    player = FakePlayer(play_s=6.0)
    result = _replay(tmp_path, [
        HEADER,
        {"t": 1, "type": "now_selling", "listing_number": 3},
        {"t": 12, "type": "comment", "uid": "u1", "nickname": "小美", "text": "5号多少钱"},
    ], catalog=_scripted_catalog(), settings=_settings(tmp_path, host={"idle_rotation_s": 5},
                                                       reply={"merge_window_s": 0}),
        synth=FakeSynth(), player=player, speed=4.0)
    intro = next(e for e in result.events if isinstance(e, ReplySuggested) and e.intent == "introduce")
    assert round(intro.t) == 5 and intro.product_id == "P1"  # quiet since the start
    cancel = [e for e in result.events if isinstance(e, CancelSpeech)]
    assert [c.reply_id for c in cancel] == [intro.reply_id]
    finished = {e.reply_id: e for e in result.events if isinstance(e, SpeechFinished)}
    assert finished[intro.reply_id].interrupted is True
    answer = next(e for e in result.events if isinstance(e, ReplySuggested) and e.intent == "price")
    started = [e.reply_id for e in result.events if isinstance(e, SpeechStarted)]
    assert started == [intro.reply_id, answer.reply_id]  # the answer follows at once


def test_a_second_run_into_the_same_folder_keeps_the_first(tmp_path):
    lines = [HEADER, {"t": 1, "type": "comment", "uid": "u1", "nickname": "小美", "text": "3号多少钱"}]
    first = _replay(tmp_path, lines)
    second = _replay(tmp_path, lines + [{"t": 2, "type": "comment", "uid": "u2", "text": "5号有货吗"}])
    assert (first.session_id, second.session_id) == ("core", "core#2")
    store = SqliteStore(tmp_path / "out" / "session.sqlite3")
    assert [s["session_id"] for s in store.sessions()] == ["core", "core#2"]
    assert len(store.replies("core")) == 1 and len(store.replies("core#2")) == 2
    assert [e["msg_id"] for e in store.received_events("core")] == ["m2"]
    # replies.jsonl is the newest run's; the first stays rebuildable from the database
    assert len((tmp_path / "out" / "replies.jsonl").read_text(encoding="utf-8").splitlines()) == 2
    sid, summary = export_session(tmp_path / "out", tmp_path / "first", session_id="core")
    assert sid == "core" and summary["events"] == 1


def test_export_rebuilds_the_outputs_from_the_database_alone(tmp_path):
    lines = [HEADER, {"t": 1, "type": "now_selling", "listing_number": 3},
             {"t": 2, "type": "comment", "uid": "u1", "nickname": "小美", "text": "多少钱"},
             {"t": 2.5, "type": "comment", "uid": "u2", "nickname": "阿强", "text": "多少钱"},
             {"t": 3, "type": "comment", "uid": "u3", "nickname": "推广", "text": "加V看福利"},
             {"t": 4, "type": "gift", "uid": "u4", "nickname": "阿强", "gift": "小心心", "count": 3},
             {"t": 5, "type": "comment", "uid": "u5", "nickname": "路人", "text": "质量太差了"}]
    result = _replay(tmp_path, lines, synth=FakeSynth())
    written = (tmp_path / "out" / "replies.jsonl").read_text(encoding="utf-8")
    sid, summary = export_session(tmp_path / "out" / "session.sqlite3", tmp_path / "rebuilt")
    assert sid == "core"
    assert (tmp_path / "rebuilt" / "replies.jsonl").read_text(encoding="utf-8") == written
    for key in ("events", "by_kind", "comments_by_intent", "replies", "held_reasons", "unanswered_questions"):
        assert summary[key] == result.summary[key], key


def _child_replay(session, catalog, out, conn):  # runs in a spawned process
    import sys

    sys.path.insert(0, str(REPO))
    from app.catalog.importer import load_catalog
    from app.replay import run_replay as replay
    from app.settings import load_settings as settings_from
    from app.understanding.stage import Understander as U
    from tests.fakes import KeywordClassifier as K

    cat = load_catalog(Path(catalog)).catalog

    class Pipe:  # sees each decision after the store observer wrote it
        def on_event(self, e):
            name = type(e).__name__
            if name in ("ReplySuggested", "ReplyApproved", "QuestionMerged", "NoReply"):
                conn.send((name, getattr(e, "reply_id", ""), getattr(e, "msg_id", "")))

    replay(Path(session), Path(catalog), Path(out), settings=settings_from(Path(out) / "none.toml",
                                                                          {"data_dir": str(out)}),
           speed=20.0, audio=False, understander=U(K(), cat), use_recommender=False, observers=(Pipe(),))


def test_kill_9_mid_session_loses_no_decision(tmp_path):
    lines = [HEADER, {"t": 0.5, "type": "now_selling", "listing_number": 3}]
    texts = ["多少钱", "5号有货吗", "什么码 身高165体重55kg", "质量太差了", "加V看福利"]
    for i in range(400):
        lines.append({"t": 1 + i * 0.25, "type": "comment", "uid": f"u{i}", "nickname": f"观众{i % 7}",
                      "text": texts[i % len(texts)] + ("" if i % 2 else "？")})
    session = _session(tmp_path, lines)
    catalog = _catalog_file(tmp_path)
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child_replay, args=(str(session), str(catalog), str(tmp_path / "out"), child))
    proc.start()
    seen = []
    try:
        while sum(1 for s in seen if s[0] == "ReplyApproved") < 15:
            assert parent.poll(60), "the replay made no decisions"
            seen.append(parent.recv())
        os.kill(proc.pid, signal.SIGKILL)
        proc.join(10)
        while parent.poll(0.2):  # what was sent before it died
            seen.append(parent.recv())
    finally:
        if proc.is_alive():
            proc.kill()
    assert proc.exitcode == -signal.SIGKILL
    store = SqliteStore(tmp_path / "out" / "session.sqlite3")
    (sess,) = store.sessions()
    assert sess["ended_at"] is None  # it never ended cleanly
    replies = {r["reply_id"]: r for r in store.replies(sess["session_id"])}
    logged = {(e["type"], e.get("reply_id", ""), e.get("msg_id", "")) for e in store.events(sess["session_id"])}
    for name, reply_id, msg_id in seen:
        assert (name, reply_id, msg_id) in logged, (name, reply_id, msg_id)
        if name == "ReplySuggested":
            assert reply_id in replies
        if name == "ReplyApproved":
            assert replies[reply_id]["status"] == "approved" and replies[reply_id]["decided_by"] == "auto"
    # and the outputs can be rebuilt from what survived
    sid, summary = export_session(tmp_path / "out", tmp_path / "rebuilt")
    assert summary["interrupted"] is True
    assert summary["replies"]["held"] + summary["replies"]["approved_not_spoken"] >= 15
