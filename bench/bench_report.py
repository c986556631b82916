"""Session report on a synthetic 10-hour session of 100,000 logged events: time and peak RSS of
gathering the figures and writing the HTML + report.json (targets: < 30 s, < 500 MB).

    python bench/bench_report.py [--events 100000] [--hours 10]

The session is written straight into a LiveHost store (same schema: SqliteStore migrations);
the report runs in a fresh child process so its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.benchlib import print_table  # noqa: E402

WORDS = ["这件", "多少钱", "有没有", "XL", "黑色", "发货", "快递", "包邮", "尺码", "身高", "体重", "面料", "起球",
         "洗了", "缩水", "好看", "优惠券", "链接", "几号", "库存", "退货", "质量", "显瘦", "舒服", "保暖"]
INTENTS = ["price", "size_fit", "stock", "shipping", "product_detail", "discount", "greeting", "gift", "compliment"]


def build(db: Path, n_events: int, hours: float, seed: int = 7) -> dict:
    from app.store import SqliteStore

    rnd = random.Random(seed)
    store = SqliteStore(db)
    sid = "bench-10h"
    store.start_session(sid, "douyin", "room")
    store.close()
    con = sqlite3.connect(db)
    span = hours * 3600.0
    products = [f"p{i:02d}" for i in range(30)]
    viewers = [(f"douyin:u{i}", f"观众{i}") for i in range(5000)]
    ev_rows, reply_rows = [], []
    seq_t = sorted(rnd.uniform(0, span) for _ in range(n_events))
    switch_every = span / 60
    next_switch, pi = 0.0, 0
    for k, t in enumerate(seq_t):
        if t >= next_switch:
            ev_rows.append((sid, next_switch, "NowSellingChanged",
                            json.dumps({"type": "NowSellingChanged", "t": next_switch, "product_id": products[pi % 30]}), 0))
            next_switch += switch_every
            pi += 1
        key, nick = rnd.choice(viewers)
        viewer = {"platform": "douyin", "uid": key.split(":")[1], "nickname": nick}
        r = rnd.random()
        if r < 0.6:
            text = "".join(rnd.choice(WORDS) for _ in range(rnd.randint(2, 5)))
            ev = {"type": "ChatReceived", "t": t, "msg_id": f"m{k}", "viewer": viewer, "text": text}
            if rnd.random() < 0.15:
                intent = rnd.choice(INTENTS)
                status = rnd.choice(["spoken", "spoken", "rejected", "suggested"])
                held = "missing_fact" if status == "suggested" and rnd.random() < 0.5 else ""
                reply_rows.append((sid, f"r{k}", t, intent, "zh", "回复" + text, products[pi % 30], held,
                                   "size chart" if held else "", 0.9, key, json.dumps([f"m{k}"]),
                                   json.dumps([[key, nick]]), status, "auto" if status == "spoken" else "policy",
                                   t + 1, None, 0, t + rnd.uniform(1, 20) if status == "spoken" else None, time.time()))
        elif r < 0.8:
            ev = {"type": "LikesReceived", "t": t, "viewer": viewer, "count": rnd.randint(1, 30)}
        elif r < 0.88:
            ev = {"type": "ViewerEntered", "t": t, "viewer": viewer}
        elif r < 0.92:
            ev = {"type": "GiftReceived", "t": t, "msg_id": f"g{k}", "viewer": viewer, "gift_name": "小心心", "count": 1}
        elif r < 0.94:
            ev = {"type": "ViewerFollowed", "t": t, "viewer": viewer}
        elif r < 0.945:
            ev = {"type": "PurchaseSignalsCounted", "t": t, "product_id": products[pi % 30], "count": rnd.randint(1, 9)}
        else:
            ev = {"type": "SpeechStarted", "t": t, "reply_id": f"s{k}", "duration_s": rnd.uniform(1, 8)}
        ev_rows.append((sid, t, ev["type"], json.dumps(ev, ensure_ascii=False), 0))
    con.executemany("INSERT INTO event_log (session_id, t, type, payload, logged_at) VALUES (?,?,?,?,?)", ev_rows)
    con.executemany("INSERT INTO replies (session_id, reply_id, t, intent, lang, text, product_id, held_reason, "
                    "held_detail, confidence, viewer_key, msg_ids, askers, status, decided_by, decided_t, final_text, "
                    "edited, spoken_t, suggested_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", reply_rows)
    con.executemany("INSERT INTO session_viewers (session_id, viewer_key, nickname, first_t, last_t, events) "
                    "VALUES (?,?,?,?,?,?)", [(sid, k, n, 0.0, span, 1) for k, n in viewers])
    con.execute("UPDATE sessions SET ended_at = started_at + ?", (span,))
    con.commit()
    con.close()
    return {"events": len(ev_rows), "replies": len(reply_rows)}


def child(db: str, out: str) -> None:
    t0 = time.perf_counter()
    from app.report import gather, write_report

    rep = gather(db)
    t1 = time.perf_counter()
    write_report(rep, Path(out))
    t2 = time.perf_counter()
    print(json.dumps({"gather_s": t1 - t0, "render_s": t2 - t1, "total_s": t2 - t0,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "html_kb": Path(out).stat().st_size / 1024}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--hours", type=float, default=10.0)
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "session.sqlite3"
        made = build(db, args.events, args.hours)
        proc = subprocess.run([sys.executable, __file__, "--child", str(db), str(Path(tmp) / "report.html")],
                              capture_output=True, text=True, check=True)
        m = json.loads(proc.stdout.strip().splitlines()[-1])
    print_table([("events logged", made["events"]), ("replies", made["replies"]),
                 ("gather figures, s", f"{m['gather_s']:.2f}"), ("render HTML + JSON, s", f"{m['render_s']:.2f}"),
                 ("total, s (target < 30)", f"{m['total_s']:.2f}"),
                 ("peak RSS, MB (target < 500)", f"{m['peak_rss_mb']:.0f}"), ("HTML size, KB", f"{m['html_kb']:.0f}")],
                title=f"livehost report, synthetic {args.hours:g}-hour session")


if __name__ == "__main__":
    main()
