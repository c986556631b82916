"""The embedded SQLite store: catalog snapshot, viewers, interactions, sessions, event log.

WAL mode, versioned migrations (``PRAGMA user_version``). One :class:`SqliteStore` per
process, used from one thread (the pipeline's event loop); open a second instance for
another thread. Received events are appended to ``event_log`` and committed *before* any
stage processes them, so a crash loses nothing that was received.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from app.catalog.model import Catalog, Product
from app.errors import LiveHostError
from app.events import Event, to_record

INTERACTION_KINDS: tuple[str, ...] = ("asked", "link_clicked", "added_to_cart", "purchased", "rated")
"""Kinds of viewer x product interaction, weakest to strongest signal."""

_MIGRATIONS: tuple[str, ...] = (
    # 1: initial schema
    """
    CREATE TABLE products (
        product_id     TEXT PRIMARY KEY,
        listing_number INTEGER,
        title          TEXT NOT NULL,
        category       TEXT NOT NULL,
        price          TEXT NOT NULL,          -- yuan, exact decimal as text
        data           TEXT NOT NULL,          -- full product as JSON
        updated_at     REAL NOT NULL
    );
    CREATE TABLE skus (
        product_id TEXT NOT NULL REFERENCES products(product_id) ON DELETE CASCADE,
        color      TEXT NOT NULL DEFAULT '',
        size       TEXT NOT NULL DEFAULT '',
        stock      INTEGER NOT NULL CHECK (stock >= 0),
        PRIMARY KEY (product_id, color, size)
    );
    CREATE TABLE viewers (
        viewer_key  TEXT PRIMARY KEY,          -- platform:uid
        platform    TEXT NOT NULL,
        uid         TEXT NOT NULL,
        nickname    TEXT NOT NULL DEFAULT '',
        first_seen  REAL NOT NULL,
        last_seen   REAL NOT NULL
    );
    CREATE TABLE sessions (
        session_id  TEXT PRIMARY KEY,
        platform    TEXT NOT NULL,
        room_id     TEXT NOT NULL DEFAULT '',
        started_at  REAL NOT NULL,
        ended_at    REAL
    );
    CREATE TABLE interactions (
        id          INTEGER PRIMARY KEY,
        viewer_key  TEXT NOT NULL,
        product_id  TEXT NOT NULL,
        kind        TEXT NOT NULL CHECK (kind IN ('asked','link_clicked','added_to_cart','purchased','rated')),
        rating      REAL,                      -- 1..5 for kind='rated', else NULL
        at          REAL NOT NULL,             -- unix time, seconds
        session_id  TEXT
    );
    CREATE INDEX interactions_viewer ON interactions(viewer_key);
    CREATE INDEX interactions_product ON interactions(product_id);
    CREATE TABLE event_log (
        seq         INTEGER PRIMARY KEY,
        session_id  TEXT NOT NULL,
        t           REAL NOT NULL,             -- stream time, seconds
        type        TEXT NOT NULL,
        payload     TEXT NOT NULL,             -- the event as JSON
        logged_at   REAL NOT NULL
    );
    CREATE INDEX event_log_session ON event_log(session_id, seq);
    """,
    # 2: the seller's decisions on suggested replies (training signal)
    """
    CREATE TABLE reply_feedback (
        id          INTEGER PRIMARY KEY,
        session_id  TEXT NOT NULL,
        reply_id    TEXT NOT NULL,
        action      TEXT NOT NULL CHECK (action IN ('approved','rejected','edited','auto_cancelled')),
        intent      TEXT NOT NULL DEFAULT '',
        text        TEXT NOT NULL DEFAULT '',   -- the suggested text
        new_text    TEXT,                       -- the seller's text for 'edited'
        by          TEXT NOT NULL DEFAULT 'seller',
        at          REAL NOT NULL
    );
    CREATE INDEX reply_feedback_session ON reply_feedback(session_id);
    """,
)


def viewer_key(platform: str, uid: object) -> str:
    """The one id type used for viewers everywhere: ``"<platform>:<uid as str>"``."""
    return f"{platform}:{str(uid).strip()}"


@dataclass(frozen=True, slots=True)
class Interaction:
    viewer_key: str
    product_id: str
    kind: str
    rating: float | None
    at: float
    """Unix time, seconds."""
    session_id: str | None = None


class SqliteStore:
    """LiveHost's database. ``path`` may be ``":memory:"`` for tests.

    Raises:
        LiveHostError(code="store-open-failed"): the file cannot be opened or migrated.
    """

    SCHEMA_VERSION = len(_MIGRATIONS)

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.Error as exc:
            raise LiveHostError(
                "store-open-failed",
                f"Cannot open the LiveHost database at {self.path}: {exc}",
                "Check the folder is writable and not full; move the file away to start fresh.",
            ) from exc

    # ------------------------------------------------------------------ schema
    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > self.SCHEMA_VERSION:
            raise sqlite3.DatabaseError(
                f"database schema v{version} is newer than this LiveHost (v{self.SCHEMA_VERSION})"
            )
        for number, script in enumerate(_MIGRATIONS[version:], start=version + 1):
            self._db.execute("BEGIN")
            try:
                for stmt in script.split(";"):
                    if stmt.strip():
                        self._db.execute(stmt)
                self._db.execute(f"PRAGMA user_version={number}")
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    @property
    def schema_version(self) -> int:
        return self._db.execute("PRAGMA user_version").fetchone()[0]

    @property
    def journal_mode(self) -> str:
        return self._db.execute("PRAGMA journal_mode").fetchone()[0]

    def close(self) -> None:
        self._db.close()

    # ------------------------------------------------------------------ catalog
    def save_catalog(self, catalog: Catalog) -> None:
        """Replace the stored catalog snapshot with ``catalog`` (one transaction)."""
        from app.catalog.serialize import product_to_json

        now = time.time()
        self._db.execute("BEGIN")
        try:
            self._db.execute("DELETE FROM skus")
            self._db.execute("DELETE FROM products")
            for p in catalog:
                self._db.execute(
                    "INSERT INTO products VALUES (?,?,?,?,?,?,?)",
                    (p.product_id, p.listing_number, p.title, p.category, format(p.price, "f"),
                     json.dumps(product_to_json(p), ensure_ascii=False), now),
                )
                self._db.executemany(
                    "INSERT INTO skus VALUES (?,?,?,?)",
                    [(p.product_id, s.color, s.size, s.stock) for s in p.skus],
                )
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def load_catalog(self) -> Catalog:
        """The stored catalog snapshot (empty when none was saved)."""
        from app.catalog.serialize import product_from_json

        rows = self._db.execute("SELECT data FROM products ORDER BY listing_number, product_id")
        return Catalog(tuple(product_from_json(json.loads(r[0])) for r in rows))

    # ------------------------------------------------------------------ viewers
    def upsert_viewer(self, platform: str, uid: object, nickname: str, at: float | None = None) -> str:
        """Record a viewer sighting; returns the viewer key."""
        key = viewer_key(platform, uid)
        at = time.time() if at is None else at
        self._db.execute(
            "INSERT INTO viewers VALUES (?,?,?,?,?,?) ON CONFLICT(viewer_key) DO UPDATE SET "
            "nickname=excluded.nickname, last_seen=excluded.last_seen",
            (key, platform, str(uid), nickname, at, at),
        )
        return key

    def viewer(self, key: str) -> dict | None:
        row = self._db.execute(
            "SELECT viewer_key, platform, uid, nickname, first_seen, last_seen FROM viewers "
            "WHERE viewer_key=?", (key,)).fetchone()
        if row is None:
            return None
        return dict(zip(("viewer_key", "platform", "uid", "nickname", "first_seen", "last_seen"), row))

    # ------------------------------------------------------------------ interactions
    def add_interactions(self, items: Iterable[Interaction]) -> int:
        """Append interactions in one transaction; returns how many were written.

        Raises:
            ValueError: unknown ``kind`` or a rating outside 1..5.
        """
        rows = []
        for it in items:
            if it.kind not in INTERACTION_KINDS:
                raise ValueError(f"unknown interaction kind {it.kind!r}; expected one of {INTERACTION_KINDS}")
            if it.rating is not None and not 1 <= it.rating <= 5:
                raise ValueError(f"rating {it.rating} outside 1..5")
            rows.append((str(it.viewer_key), str(it.product_id), it.kind, it.rating, it.at, it.session_id))
        self._db.execute("BEGIN")
        try:
            self._db.executemany(
                "INSERT INTO interactions(viewer_key, product_id, kind, rating, at, session_id) "
                "VALUES (?,?,?,?,?,?)", rows)
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        return len(rows)

    def add_interaction(self, item: Interaction) -> None:
        self.add_interactions([item])

    def interactions(self, viewer_key: str | None = None) -> list[Interaction]:
        """All interactions (optionally of one viewer), oldest first."""
        sql = "SELECT viewer_key, product_id, kind, rating, at, session_id FROM interactions"
        args: tuple = ()
        if viewer_key is not None:
            sql += " WHERE viewer_key=?"
            args = (viewer_key,)
        return [Interaction(*r) for r in self._db.execute(sql + " ORDER BY at, id", args)]

    def interaction_count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM interactions").fetchone()[0]

    # ------------------------------------------------------------------ sessions & event log
    def start_session(self, session_id: str, platform: str, room_id: str = "") -> None:
        self._db.execute(
            "INSERT INTO sessions VALUES (?,?,?,?,NULL) ON CONFLICT(session_id) DO NOTHING",
            (session_id, platform, room_id, time.time()))

    def end_session(self, session_id: str) -> None:
        self._db.execute("UPDATE sessions SET ended_at=? WHERE session_id=?", (time.time(), session_id))

    def append_event(self, session_id: str, event: Event) -> int:
        """Append one event to the log and commit it; returns its sequence number."""
        rec = to_record(event)
        cur = self._db.execute(
            "INSERT INTO event_log(session_id, t, type, payload, logged_at) VALUES (?,?,?,?,?)",
            (session_id, event.t, rec["type"], json.dumps(rec, ensure_ascii=False), time.time()))
        return int(cur.lastrowid)

    def add_feedback(self, session_id: str, reply_id: str, action: str, *, intent: str = "",
                     text: str = "", new_text: str | None = None, by: str = "seller") -> None:
        """Record the seller's decision on a suggested reply (approved / rejected / edited /
        auto_cancelled)."""
        self._db.execute(
            "INSERT INTO reply_feedback(session_id, reply_id, action, intent, text, new_text, by, at) "
            "VALUES (?,?,?,?,?,?,?,?)", (session_id, reply_id, action, intent, text, new_text, by, time.time()))

    def feedback(self, session_id: str | None = None) -> list[dict]:
        """Recorded decisions, oldest first."""
        sql = "SELECT session_id, reply_id, action, intent, text, new_text, by, at FROM reply_feedback"
        args: tuple = ()
        if session_id is not None:
            sql += " WHERE session_id=?"
            args = (session_id,)
        cols = ("session_id", "reply_id", "action", "intent", "text", "new_text", "by", "at")
        return [dict(zip(cols, r)) for r in self._db.execute(sql + " ORDER BY id", args)]

    def events(self, session_id: str) -> Iterator[dict]:
        """The logged events of a session as dicts, in order."""
        for (payload,) in self._db.execute(
                "SELECT payload FROM event_log WHERE session_id=? ORDER BY seq", (session_id,)):
            yield json.loads(payload)
