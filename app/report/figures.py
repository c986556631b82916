"""Gather a session's figures from its SQLite database (read-only) into one JSON-ready dict.

Every figure is defined in :data:`DEFINITIONS` (shown in the report). Times are stream seconds
(``event_log.t``) unless named ``*_min`` (minutes). Viewer names pass
:func:`app.reply.guard.safe_nickname`; a name that fails it shows as ``(名字已隐藏)``.
"""

from __future__ import annotations

import bisect
import json
import re
import sqlite3
from collections import Counter, defaultdict
from pathlib import Path

from app.errors import LiveHostError
from app.understanding.labels import QUESTION_INTENTS

DB_NAME = "session.sqlite3"
HIDDEN_NAME = "(名字已隐藏)"
TIMELINE_TYPES = {"ChatReceived": "comments", "GiftReceived": "gifts", "ViewerFollowed": "follows",
                  "ViewerEntered": "enters", "LikesReceived": "likes"}

DEFINITIONS: dict[str, str] = {
    "duration_min": "Stream length: the last logged event's stream time, in minutes.",
    "comments": "Chat messages received (ChatReceived events), the host's own speech not included.",
    "gifts": "Gift events received (a combo streak counts once per event logged).",
    "likes": "Likes: the sum of the counts in LikesReceived events.",
    "follows": "ViewerFollowed events.",
    "enters": "ViewerEntered events.",
    "viewers": "Distinct viewers seen in the session (session_viewers rows).",
    "returning_viewers": "Viewers first seen in an earlier session (viewers.first_seen before this session started).",
    "new_viewers": "viewers minus returning_viewers.",
    "replies": "Replies suggested (replies rows), any intent; merged messages count once.",
    "questions": "Replies to questions: intent one of " + ", ".join(sorted(QUESTION_INTENTS)) + "; merged questions count once.",
    "spoken": "Replies the host said (status 'spoken'), any intent.",
    "questions_answered": "Questions whose reply the host said.",
    "answer_rate": "questions_answered / questions.",
    "held": "Replies held for the seller (held_reason not empty: missing fact, complaint, uncertain intent ...).",
    "unanswered": "Questions whose reply was never spoken: held, rejected, cancelled, interrupted or left undecided.",
    "purchase_signals": "Purchase signals (扣1, 已拍, 下单了 ...) counted by the flood counter (PurchaseSignalsCounted.count summed).",
    "link_clicks": "Interactions of kind link_clicked recorded in this session (when the source reports them).",
    "purchases": "Interactions of kind purchased recorded in this session (when the source reports them).",
    "moderated": "Messages the moderation model marked offensive (IntentClassified.offensive).",
    "latency_p50_s": "Median seconds from the question's stream time to the start of its spoken reply.",
    "latency_p95_s": "95th percentile of that latency.",
    "speech_s": "Seconds of host speech (SpeechStarted.duration_s summed).",
    "on_air_min": "Minutes a product was the now-selling product (NowSellingChanged until the next one or the end).",
    "questions_per_min": "A product's questions divided by its on_air_min.",
    "recommended": "Times the recommender listed the product in RecommendationsReady.",
    "auto_approved": "Replies let through by auto-approve (decided_by 'auto'; approved, spoken or interrupted).",
    "seller_approved": "Replies the seller let through (console or voice command).",
    "edited": "Replies the seller edited before they were said (draft and final text shown side by side).",
    "rejected": "Replies withdrawn: by the seller, or by the speech policy (budget, age limit, aggregated thanks).",
    "words": "Words of viewers' comments while the product was on air, jieba segmentation, stop words, digits, "
             "punctuation and one-character tokens removed, ranked by count.",
}

# Stop words: common Chinese function words and live-room filler, written for LiveHost (no outside list).
STOP_WORDS = frozenset("""
的 了 吗 呢 吧 啊 呀 哦 嗯 哈 哈哈 哈哈哈 是 在 有 和 与 就 都 也 还 又 很 太 这 那 这个 那个 这款 那款
什么 怎么 怎么样 多少 几 吗 我 你 他 她 它 我们 你们 他们 主播 一下 一个 可以 能 能不能 有没有 没有 不 没
要 想 会 给 看 看看 请问 问 一 二 一样 还有 现在 今天 今晚 大家 谢谢 好 好的 哈喽 老师 宝宝 姐姐 家人 家人们
the a an is are to of and or for in on it you i me my this that what how do does can with
""".split())
_WORDISH = re.compile(r"[\u4e00-\u9fffA-Za-z]")


def open_db(path: str | Path) -> tuple[sqlite3.Connection, Path]:
    """Open a session database read-only. ``path``: a ``session.sqlite3`` file or a folder
    holding one. Raises LiveHostError(code='store-not-found')."""
    p = Path(path)
    if p.is_dir():
        p = p / DB_NAME
    if not p.is_file():
        raise LiveHostError("store-not-found", f"No LiveHost session database at {p}.",
                            "Give a session.sqlite3 file or the --out folder of a replay.")
    con = sqlite3.connect(f"file:{p}?mode=ro", uri=True)
    con.row_factory = sqlite3.Row
    return con, p


def _session(con: sqlite3.Connection, session_id: str | None) -> sqlite3.Row:
    rows = con.execute("SELECT * FROM sessions ORDER BY started_at").fetchall()
    if not rows:
        raise LiveHostError("session-not-found", "The database holds no session.", "")
    if session_id is None:
        return rows[-1]
    for r in rows:
        if r["session_id"] == session_id:
            return r
    raise LiveHostError("session-not-found", f"No session '{session_id}' in the database.",
                        "Sessions in it: " + ", ".join(r["session_id"] for r in rows))


def _name(nickname: str) -> str:
    from app.reply.guard import safe_nickname

    return safe_nickname(nickname or "") or HIDDEN_NAME


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    v = sorted(values)
    k = (len(v) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return round(v[lo] + (v[hi] - v[lo]) * (k - lo), 3)


def _titles(con, sess) -> dict[str, str]:
    titles: dict[str, str] = {}
    try:
        for p in json.loads(sess["catalog"] or "[]"):
            if isinstance(p, dict) and p.get("product_id"):
                titles[p["product_id"]] = p.get("title", "")
    except (ValueError, TypeError):
        pass
    for r in con.execute("SELECT product_id, title FROM products"):
        titles.setdefault(r["product_id"], r["title"])
    return titles


def gather(path: str | Path, session_id: str | None = None, *, top_words: int = 15) -> dict:
    """All figures of one session as a JSON-ready dict.

    Keys: ``session`` (id, platform, started_at unix s, duration_min), ``headline`` (the
    figures of :data:`DEFINITIONS` for the whole session), ``timeline`` (per-minute lists:
    comments, gifts, follows, enters, likes, speech_s; ``bands``: [start_min, end_min,
    product_id]), ``products`` (per product: title, on_air_min, questions, by_intent,
    purchase_signals, link_clicks, purchases, questions_per_min, recommended, words
    [[word, count]]), ``unanswered`` (list of replies never spoken), ``missing_facts``
    (grouped [product_id, fact, questions]), ``host`` (per intent counts, edits, latency),
    ``viewers`` (new/returning, top askers, top gift senders, moderated), ``definitions``.

    Raises LiveHostError(code='store-not-found' | 'session-not-found').
    """
    import jieba

    jieba.setLogLevel(60)
    con, _ = open_db(path)
    try:
        sess = _session(con, session_id)
        sid = sess["session_id"]
        titles = _titles(con, sess)
        end_t = con.execute("SELECT MAX(t) FROM event_log WHERE session_id=?", (sid,)).fetchone()[0] or 0.0
        n_min = int(end_t // 60) + 1
        series = {k: [0] * n_min for k in (*TIMELINE_TYPES.values(), "speech_s")}
        switches: list[tuple[float, str | None]] = []
        chats: list[tuple[float, str]] = []
        purchase = Counter()
        recommended = Counter()
        moderated = 0
        gifts_by = Counter()
        gift_names: dict[str, str] = {}
        spoken_start: dict[str, float] = {}
        types = (*TIMELINE_TYPES, "NowSellingChanged", "PurchaseSignalsCounted", "RecommendationsReady",
                 "IntentClassified", "SpeechStarted")
        q = (f"SELECT t, type, payload FROM event_log WHERE session_id=? AND type IN "
             f"({','.join('?' * len(types))}) ORDER BY seq")
        for t, typ, payload in con.execute(q, (sid, *types)):
            m = min(int(t // 60), n_min - 1)
            if typ in TIMELINE_TYPES and typ not in ("LikesReceived", "ChatReceived", "GiftReceived"):
                series[TIMELINE_TYPES[typ]][m] += 1
                continue
            ev = json.loads(payload)
            if typ == "ChatReceived":
                series["comments"][m] += 1
                chats.append((t, ev.get("text", "")))
            elif typ == "GiftReceived":
                series["gifts"][m] += 1
                v = ev.get("viewer") or {}
                key = f"{v.get('platform', '')}:{v.get('uid', '')}"
                gifts_by[key] += int(ev.get("count") or 1)
                gift_names[key] = v.get("nickname", "")
            elif typ == "LikesReceived":
                series["likes"][m] += int(ev.get("count") or 1)
            elif typ == "NowSellingChanged":
                switches.append((t, ev.get("product_id")))
            elif typ == "PurchaseSignalsCounted":
                purchase[ev.get("product_id") or ""] += int(ev.get("count") or 0)
            elif typ == "RecommendationsReady":
                for it in ev.get("items") or ():
                    recommended[it.get("product_id")] += 1
            elif typ == "IntentClassified":
                if ev.get("offensive") and ev.get("source") != "host_speech":
                    moderated += 1
            elif typ == "SpeechStarted":
                d = float(ev.get("duration_s") or 0.0)
                series["speech_s"][m] += d
                spoken_start[ev.get("reply_id", "")] = t
        series["speech_s"] = [round(x, 2) for x in series["speech_s"]]

        # now-selling bands
        bands: list[list] = []
        for i, (t0, pid) in enumerate(switches):
            t1 = switches[i + 1][0] if i + 1 < len(switches) else end_t
            if pid and t1 > t0:
                bands.append([round(t0 / 60, 3), round(t1 / 60, 3), pid])
        on_air = Counter()
        for a, b, pid in bands:
            on_air[pid] += b - a

        # words per product
        words: dict[str, Counter] = defaultdict(Counter)
        sw_t = [s[0] for s in switches]
        for t, text in chats:
            i = bisect.bisect_right(sw_t, t) - 1
            pid = switches[i][1] if i >= 0 else None
            if not pid:
                continue
            for w in jieba.lcut(text):
                w = w.strip().lower()
                if len(w) > 1 and _WORDISH.search(w) and w not in STOP_WORDS:
                    words[pid][w] += 1

        replies = con.execute("SELECT * FROM replies WHERE session_id=? ORDER BY t", (sid,)).fetchall()
        by_product = defaultdict(Counter)
        for r in replies:
            if r["intent"] in QUESTION_INTENTS:
                by_product[r["product_id"] or ""][r["intent"]] += 1
        inter = Counter()
        for r in con.execute("SELECT product_id, kind, COUNT(*) n FROM interactions WHERE session_id=? "
                             "GROUP BY product_id, kind", (sid,)):
            inter[(r["product_id"], r["kind"])] = r["n"]

        pids = sorted(set(on_air) | {p for p in by_product if p} | {p for p in purchase if p},
                      key=lambda p: (-on_air.get(p, 0), p))
        products = []
        for pid in pids:
            qn = sum(by_product[pid].values())
            mins = on_air.get(pid, 0.0)
            products.append({
                "product_id": pid, "title": titles.get(pid, ""), "on_air_min": round(mins, 2),
                "questions": qn, "by_intent": dict(sorted(by_product[pid].items())),
                "purchase_signals": purchase.get(pid, 0),
                "link_clicks": inter[(pid, "link_clicked")], "purchases": inter[(pid, "purchased")],
                "questions_per_min": round(qn / mins, 3) if mins > 0 else None,
                "recommended": recommended.get(pid, 0),
                "words": [[w, c] for w, c in words[pid].most_common(top_words)],
            })

        # unanswered / held, missing facts
        text_of = _message_texts(con, sid, replies)
        unanswered, missing = [], defaultdict(list)
        for r in replies:
            if r["status"] == "spoken" or r["intent"] not in QUESTION_INTENTS:
                continue
            msgs = json.loads(r["msg_ids"] or "[]")
            question = " / ".join(text_of.get(m, "") for m in msgs if text_of.get(m))
            item = {"reply_id": r["reply_id"], "t": r["t"], "product_id": r["product_id"],
                    "title": titles.get(r["product_id"] or "", ""), "intent": r["intent"],
                    "status": r["status"], "held_reason": r["held_reason"], "held_detail": r["held_detail"],
                    "question": question, "draft": r["text"]}
            unanswered.append(item)
            if r["held_reason"] == "missing_fact":
                missing[(r["product_id"] or "", r["held_detail"])].append(question or r["text"])
        missing_facts = [{"product_id": p, "title": titles.get(p, ""), "fact": f, "questions": qs}
                         for (p, f), qs in sorted(missing.items(), key=lambda kv: (-len(kv[1]), kv[0]))]

        # host performance (the replies table records each reply's fate)
        keys = ("suggested", "auto_approved", "seller_approved", "edited", "rejected", "spoken")
        per_intent: dict[str, dict[str, int]] = {}
        edits = []
        latencies = []
        for r in replies:
            d = per_intent.setdefault(r["intent"], dict.fromkeys(keys, 0))
            d["suggested"] += 1
            let_through = r["status"] in ("approved", "spoken", "interrupted")
            if let_through and r["decided_by"] == "auto":
                d["auto_approved"] += 1
            elif let_through and r["decided_by"] in ("seller", "voice"):
                d["seller_approved"] += 1
            if r["edited"]:
                d["edited"] += 1
                edits.append({"intent": r["intent"], "draft": r["text"], "edited": r["final_text"] or ""})
            if r["status"] == "rejected":
                d["rejected"] += 1
            if r["status"] == "spoken":
                d["spoken"] += 1
                st = r["spoken_t"] if r["spoken_t"] is not None else spoken_start.get(r["reply_id"])
                if st is not None:
                    latencies.append(max(0.0, st - r["t"]))

        # viewers
        sv = con.execute("SELECT sv.viewer_key, sv.nickname, v.first_seen FROM session_viewers sv "
                         "LEFT JOIN viewers v ON v.viewer_key = sv.viewer_key WHERE sv.session_id=?",
                         (sid,)).fetchall()
        returning = sum(1 for r in sv if r["first_seen"] is not None and r["first_seen"] < sess["started_at"])
        askers = Counter()
        ask_names: dict[str, str] = {}
        for r in replies:
            for key, nick in json.loads(r["askers"] or "[]"):
                askers[key] += 1
                ask_names[key] = nick
        viewers = {
            "viewers": len(sv), "returning_viewers": returning, "new_viewers": len(sv) - returning,
            "top_askers": [[_name(ask_names[k]), n] for k, n in askers.most_common(10)],
            "top_gift_senders": [[_name(gift_names[k]), n] for k, n in gifts_by.most_common(10)],
            "moderated": moderated,
        }

        spoken = sum(1 for r in replies if r["status"] == "spoken")
        questions = [r for r in replies if r["intent"] in QUESTION_INTENTS]
        answered = sum(1 for r in questions if r["status"] == "spoken")
        head = {
            "duration_min": round(end_t / 60, 2), "comments": sum(series["comments"]),
            "gifts": sum(series["gifts"]), "likes": sum(series["likes"]), "follows": sum(series["follows"]),
            "enters": sum(series["enters"]), "viewers": len(sv), "returning_viewers": returning,
            "new_viewers": len(sv) - returning, "replies": len(replies), "spoken": spoken,
            "questions": len(questions), "questions_answered": answered,
            "answer_rate": round(answered / len(questions), 3) if questions else None,
            "held": sum(1 for r in replies if r["held_reason"]), "unanswered": len(unanswered),
            "purchase_signals": sum(purchase.values()),
            "link_clicks": sum(n for (p, k), n in inter.items() if k == "link_clicked"),
            "purchases": sum(n for (p, k), n in inter.items() if k == "purchased"),
            "moderated": moderated, "latency_p50_s": _pct(latencies, 0.5), "latency_p95_s": _pct(latencies, 0.95),
            "speech_s": round(sum(series["speech_s"]), 1),
        }
        return {
            "session": {"session_id": sid, "platform": sess["platform"], "started_at": sess["started_at"],
                        "ended": sess["ended_at"] is not None, "duration_min": head["duration_min"]},
            "headline": head,
            "timeline": {**series, "minutes": n_min, "bands": bands},
            "products": products, "unanswered": unanswered, "missing_facts": missing_facts,
            "host": {"per_intent": dict(sorted(per_intent.items())), "edits": edits,
                     "latency_p50_s": head["latency_p50_s"], "latency_p95_s": head["latency_p95_s"]},
            "viewers": viewers, "definitions": DEFINITIONS,
        }
    finally:
        con.close()


def _message_texts(con, sid: str, replies) -> dict[str, str]:
    wanted = {m for r in replies if r["status"] != "spoken" and r["intent"] in QUESTION_INTENTS for m in json.loads(r["msg_ids"] or "[]")}
    out: dict[str, str] = {}
    if not wanted:
        return out
    for (payload,) in con.execute("SELECT payload FROM event_log WHERE session_id=? AND type='ChatReceived'", (sid,)):
        if len(out) == len(wanted):
            break
        ev = json.loads(payload)
        if ev.get("msg_id") in wanted:
            out[ev["msg_id"]] = ev.get("text", "")
    return out


def headline(path: str | Path, session_id: str | None = None) -> dict:
    """Only the headline figures of a session (for the compare view); see :func:`gather`."""
    return gather(path, session_id, top_words=0)["headline"]


def faq_rows(report: dict) -> list[tuple[str, str]]:
    """The missing-fact questions as FAQ rows ``(question, answer)`` with an empty answer for
    the seller to write (the catalog importer refuses a row until its answer is filled in).
    One row per distinct question; the product title leads the question, e.g. ``【T恤】有XXL吗``."""
    seen, rows = set(), []
    for g in report["missing_facts"]:
        for qtext in g["questions"]:
            q = f"【{g['title'] or g['product_id']}】{qtext}" if (g["title"] or g["product_id"]) else qtext
            if q not in seen:
                seen.add(q)
                rows.append((q, ""))
    return rows
