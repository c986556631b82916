"""A whole replay (real source, slots, composer, guard, approval, store) compared with the
event sequence worked out by hand. The intent model is replaced by a keyword classifier that
implements the same interface, so this test pins the pipeline, not the model's weights."""
import json
from decimal import Decimal

from app.catalog.importer import write_catalog_csv
from app.replay import run_replay
from app.settings import load_settings
from app.understanding.stage import Understander
from tests.fakes import KeywordClassifier

SESSION = [
    {"type": "session", "session_id": "mini", "platform": "douyin"},
    {"t": 1, "type": "enter", "uid": "u1", "nickname": "小美"},
    {"t": 2, "type": "now_selling", "listing_number": 3},
    {"t": 3, "type": "comment", "uid": "u1", "nickname": "小美", "text": "多少钱"},
    {"t": 4, "type": "comment", "uid": "u2", "nickname": "阿花", "text": "5号链接还有货吗"},
    {"t": 5, "type": "comment", "uid": "u3", "nickname": "推广", "text": "加V看福利"},
    {"t": 6, "type": "gift", "uid": "u4", "nickname": "阿强", "gift": "小心心", "count": 1,
     "streak_id": "g", "streak_end": False},
    {"t": 7, "type": "gift", "uid": "u4", "nickname": "阿强", "gift": "小心心", "count": 3,
     "streak_id": "g", "streak_end": True},
    "this line is broken",
    {"t": 8, "type": "comment", "uid": "u5", "nickname": "路人", "text": "质量太差了"},
    {"t": 9, "type": "follow", "uid": "u6", "nickname": "Amy"},
    {"t": 10, "type": "comment", "uid": "u1", "nickname": "小美", "text": "身高165体重55kg穿什么码"},
]

def _chains(events):
    """Per message: the event types that followed it (replies are followed through reply_id)."""
    by_reply = {}
    chains = {}
    for e in events:
        name = type(e).__name__
        msg = getattr(e, "msg_id", None)
        if name == "ReplySuggested":
            msg = e.msg_ids[0]
            by_reply[e.reply_id] = msg
        elif hasattr(e, "reply_id"):
            msg = by_reply.get(e.reply_id)
        if msg:
            chains.setdefault(msg, []).append(name)
    return chains


def test_whole_replay_matches_expected_sequence(tmp_path, catalog):
    sess = tmp_path / "mini.jsonl"
    sess.write_text("\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in SESSION),
                    encoding="utf-8")
    cat = tmp_path / "catalog.csv"
    write_catalog_csv(catalog, cat)
    clf = KeywordClassifier()
    settings = load_settings(tmp_path / "none.toml", {"data_dir": str(tmp_path)})
    result = run_replay(sess, cat, tmp_path / "out", settings=settings, audio=False,
                        understander=Understander(clf, catalog), use_recommender=False, keep_events=True)

    types = [type(e).__name__ for e in result.events]
    assert types[0] == "SessionStarted" and types[-1] != "SessionStarted"
    assert types.count("ErrorOccurred") == 1  # the broken line, reported once
    err = [e for e in result.events if type(e).__name__ == "ErrorOccurred"][0]
    assert err.code == "session-line-malformed" and "line 9" in err.message

    assert _chains(result.events) == {
        "m2": ["ViewerEntered", "NoReply"],
        "m4": ["ChatReceived", "IntentClassified", "ReplySuggested", "ReplyApproved", "Speak"],
        "m5": ["ChatReceived", "IntentClassified", "ReplySuggested", "ReplyApproved", "Speak"],
        "m6": ["ChatReceived", "IntentClassified", "NoReply"],
        "m7": ["GiftReceived", "NoReply"],
        "m8": ["GiftReceived", "ReplySuggested", "ReplyApproved", "Speak"],
        "m10": ["ChatReceived", "IntentClassified", "ReplySuggested"],          # complaint: held
        "m11": ["ViewerFollowed", "ReplySuggested", "ReplyApproved", "Speak"],
        "m12": ["ChatReceived", "IntentClassified", "ReplySuggested", "ReplyApproved", "Speak"],
    }
    assert clf.seen == ["多少钱", "5号链接还有货吗", "加V看福利", "质量太差了", "身高165体重55kg穿什么码"]

    rec = {r["msg_id"]: r for r in result.records}
    assert rec["m4"]["product_id"] == "P1" and "59.9元" in rec["m4"]["reply"]       # now selling
    assert rec["m5"]["product_id"] == "P2" and "20件" in rec["m5"]["reply"]          # listing 5, stock 20
    assert rec["m10"]["held_reason"] == "complaint"
    assert "M码" in rec["m12"]["reply"]                                              # size chart
    assert rec["m6"]["no_reply_reason"] == "spam (never answered)"

    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["replies"]["held"] == 1
    assert summary["unanswered_questions"] == []
    lines = (tmp_path / "out" / "replies.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 9  # one per received event (the broken line is not an event)
    for line in lines:
        obj = json.loads(line)
        assert {"t", "viewer", "text", "intent", "confidence", "reply", "product_id", "audio",
                "held_reason"} <= obj.keys()

    # the store has the received events (logged before processing)
    from app.store import SqliteStore

    logged = list(SqliteStore(tmp_path / "out" / "session.sqlite3").received_events("mini"))
    assert [e["msg_id"] for e in logged] == ["m2", "m4", "m5", "m6", "m7", "m8", "m10", "m11", "m12"]
