"""``livehost export``: rebuild a session's replies.jsonl and summary.json from its database."""

from __future__ import annotations

from pathlib import Path


def run(args) -> int:
    from app.replay import DB_NAME, export_session

    if args.list:
        from app.errors import LiveHostError
        from app.store import SqliteStore

        db = Path(args.db)
        db = db / DB_NAME if db.is_dir() else db
        if not db.is_file():
            raise LiveHostError("store-not-found", f"No LiveHost session database at {db}.",
                                "Give a session.sqlite3 file or the --out folder of a replay.")
        store = SqliteStore(db)
        for s in store.sessions():
            state = "ended" if s["ended_at"] else "not ended (interrupted or still running)"
            print(f"{s['session_id']}\t{s['platform']}\t{state}")
        store.close()
        return 0
    session_id, summary = export_session(Path(args.db), Path(args.out) if args.out else None,
                                         session_id=args.session)
    rep = summary["replies"]
    where = Path(args.out) if args.out else (Path(args.db) if Path(args.db).is_dir() else Path(args.db).parent)
    print(f"Session {session_id}: {summary['events']} events, replies spoken {rep['spoken']}, held {rep['held']}, "
          f"awaiting the seller {rep['awaiting_seller']}, no reply {rep['none']}"
          + ("; the session did not end cleanly" if summary.get("interrupted") else "") + ".")
    print(f"Wrote {where / 'replies.jsonl'} and {where / 'summary.json'}")
    return 0
