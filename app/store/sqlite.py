"""The embedded SQLite store: catalog snapshot, viewers, interactions, sessions, event log.

WAL mode, versioned migrations (``PRAGMA user_version``). One :class:`SqliteStore` per
process, used from one thread (the pipeline's event loop); open a second instance for
another thread. Received events are appended to ``event_log`` and committed *before* any
stage processes them, so a crash loses nothing that was received.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from app.catalog.model import Catalog, Product
from app.errors import LiveHostError
from app.events import Event, to_record

WAL_LIMIT_BYTES = 64 * 1024 * 1024
"""The write-ahead log is cut back to at most this size after each checkpoint."""

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
    # 3: each session keeps its catalog and options; every reply and its fate; viewers per session
    """
    ALTER TABLE sessions ADD COLUMN catalog TEXT;           -- the catalog the session ran with (JSON list)
    ALTER TABLE sessions ADD COLUMN meta TEXT;              -- JSON: sources, out folder, options
    CREATE TABLE replies (
        session_id   TEXT NOT NULL,
        reply_id     TEXT NOT NULL,
        t            REAL NOT NULL,                 -- stream time of the question, seconds
        intent       TEXT NOT NULL,
        lang         TEXT NOT NULL,
        text         TEXT NOT NULL,                 -- the suggested text
        product_id   TEXT,
        held_reason  TEXT NOT NULL DEFAULT '',      -- app.vocab.HeldReason value or ''
        held_detail  TEXT NOT NULL DEFAULT '',
        confidence   REAL,
        viewer_key   TEXT NOT NULL DEFAULT '',
        msg_ids      TEXT NOT NULL DEFAULT '[]',    -- JSON list: the messages it answers
        askers       TEXT NOT NULL DEFAULT '[]',    -- JSON list of [viewer_key, nickname]
        status       TEXT NOT NULL DEFAULT 'suggested'
                     CHECK (status IN ('suggested','approved','rejected','spoken','interrupted','cancelled')),
        decided_by   TEXT,                          -- app.vocab.Approver value
        decided_t    REAL,                          -- stream time of the decision
        final_text   TEXT,                          -- what was (to be) said, after any edit
        edited       INTEGER NOT NULL DEFAULT 0,
        audio_path   TEXT,
        speech_s     REAL,                          -- audio length, seconds
        spoken_t     REAL,                          -- stream time speech started
        suggested_at REAL NOT NULL,                 -- unix time, seconds
        PRIMARY KEY (session_id, reply_id)
    );
    CREATE INDEX replies_product ON replies(session_id, product_id);
    CREATE TABLE session_viewers (
        session_id  TEXT NOT NULL,
        viewer_key  TEXT NOT NULL,
        nickname    TEXT NOT NULL DEFAULT '',
        first_t     REAL NOT NULL,                  -- stream time, seconds
        last_t      REAL NOT NULL,
        events      INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (session_id, viewer_key)
    );
    CREATE INDEX event_log_type ON event_log(session_id, type);
    """,
    # 4: SKUs keyed by their label (variants by any option, per-variant price), the shop-wide FAQ
    """
    CREATE TABLE skus_v4 (
        product_id TEXT NOT NULL REFERENCES products(product_id) ON DELETE CASCADE,
        label      TEXT NOT NULL,                  -- app.catalog.model.Sku.label, unique per product
        color      TEXT NOT NULL DEFAULT '',
        size       TEXT NOT NULL DEFAULT '',
        options    TEXT NOT NULL DEFAULT '[]',     -- JSON list of [option name, value]
        price      TEXT,                           -- yuan, NULL = the product's price
        stock      INTEGER NOT NULL CHECK (stock >= 0),
        barcode    TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (product_id, label)
    );
    INSERT INTO skus_v4(product_id, label, color, size, stock)
        SELECT product_id, CASE WHEN color != '' AND size != '' THEN color || '/' || size
                                ELSE color || size END, color, size, stock FROM skus;
    DROP TABLE skus;
    ALTER TABLE skus_v4 RENAME TO skus;
    CREATE TABLE shop_faq (
        position   INTEGER PRIMARY KEY,
        question   TEXT NOT NULL,
        answer     TEXT NOT NULL
    );
    """,
)

REPLY_STATUSES: tuple[str, ...] = ("suggested", "approved", "rejected", "spoken", "interrupted", "cancelled")
"""Fates of a suggested reply in the ``replies`` table, in the order they can happen."""


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
            # the WAL is checkpointed every 1000 pages (SQLite's default) and by checkpoint();
            # after a checkpoint it is cut back to at most this size instead of keeping its peak
            self._db.execute(f"PRAGMA journal_size_limit={WAL_LIMIT_BYTES}")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.Error as exc:
            raise LiveHostError(
                "store-open-failed",
                f"Cannot open the LiveHost database at {self.path}: {exc}",
                "Check the folder is writable and not full; move the file away to start fresh.",
            ) from exc

    # ------------------------------------------------------------------ writing
    @contextlib.contextmanager
    def _tx(self):
        """One transaction; a failed write (disk full ...) becomes a LiveHostError and is rolled
        back (SQLite may already have rolled it back itself: that is not a second error)."""
        self._db.execute("BEGIN")
        try:
            yield
            self._db.execute("COMMIT")
        except BaseException as exc:
            if self._db.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise store_write_error(exc, self.path) from exc
            raise

    def _write(self, sql: str, args: tuple = ()) -> sqlite3.Cursor:
        """One autocommitted write. Raises LiveHostError(``disk-full`` | ``store-write-failed``)."""
        try:
            return self._db.execute(sql, args)
        except sqlite3.Error as exc:
            raise store_write_error(exc, self.path) from exc

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
                if self._db.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        self._db.execute("ROLLBACK")
                raise

    @property
    def schema_version(self) -> int:
        return self._db.execute("PRAGMA user_version").fetchone()[0]

    def checkpoint(self) -> int:
        """Copy the WAL into the database and truncate it (``PRAGMA wal_checkpoint(TRUNCATE)``);
        returns the WAL's size afterwards, bytes. A busy database is simply left for the next
        time (SQLite's own checkpoints go on meanwhile)."""
        with contextlib.suppress(sqlite3.Error):
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        return self.wal_bytes()

    def wal_bytes(self) -> int:
        """Size of the ``-wal`` file, bytes (0 for ``:memory:`` or when there is none)."""
        try:
            return Path(self.path + "-wal").stat().st_size
        except OSError:
            return 0

    @property
    def journal_mode(self) -> str:
        return self._db.execute("PRAGMA journal_mode").fetchone()[0]

    def close(self) -> None:
        self._db.close()

    # ------------------------------------------------------------------ catalog
    def save_catalog(self, catalog: Catalog) -> None:
        """Replace the stored catalog snapshot with ``catalog`` (one transaction): products, their
        SKUs (keyed by label) and the shop-wide FAQ."""
        from app.catalog.serialize import faq_to_json, product_to_json

        now = time.time()
        with self._tx():
            self._db.execute("DELETE FROM skus")
            self._db.execute("DELETE FROM products")
            self._db.execute("DELETE FROM shop_faq")
            for p in catalog:
                self._db.execute(
                    "INSERT INTO products VALUES (?,?,?,?,?,?,?)",
                    (p.product_id, p.listing_number, p.title, p.category, format(p.price, "f"),
                     json.dumps(product_to_json(p), ensure_ascii=False), now),
                )
                self._db.executemany(
                    "INSERT INTO skus(product_id, label, color, size, options, price, stock, barcode) "
                    "VALUES (?,?,?,?,?,?,?,?)",
                    [(p.product_id, s.label, s.color, s.size,
                      json.dumps([[n, v] for n, v in s.options], ensure_ascii=False),
                      None if s.price is None else format(s.price, "f"), s.stock, s.barcode) for s in p.skus],
                )
            self._db.executemany("INSERT INTO shop_faq(question, answer) VALUES (?,?)",
                                 [tuple(e) for e in faq_to_json(catalog.faq)])

    def load_catalog(self) -> Catalog:
        """The stored catalog snapshot (empty when none was saved), with its shop-wide FAQ."""
        from app.catalog.serialize import faq_from_json, product_from_json

        rows = self._db.execute("SELECT data FROM products ORDER BY listing_number, product_id")
        products = tuple(product_from_json(json.loads(r[0])) for r in rows)
        faq = faq_from_json([list(r) for r in self._db.execute("SELECT question, answer FROM shop_faq ORDER BY position")])
        return Catalog(products, faq=faq)

    # ------------------------------------------------------------------ viewers
    def upsert_viewer(self, platform: str, uid: object, nickname: str, at: float | None = None) -> str:
        """Record a viewer sighting; returns the viewer key."""
        key = viewer_key(platform, uid)
        at = time.time() if at is None else at
        self._write(
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
        with self._tx():
            self._db.executemany(
                "INSERT INTO interactions(viewer_key, product_id, kind, rating, at, session_id) "
                "VALUES (?,?,?,?,?,?)", rows)
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
    def start_session(self, session_id: str, platform: str, room_id: str = "", *,
                      catalog: Catalog | None = None, meta: dict | None = None) -> None:
        """Record a session's start (once; a second call for the same id changes nothing).

        Args:
            catalog: the catalog it runs with, kept with the session (the report reads it).
            meta: JSON-ready details (sources, output folder, options).
        """
        from app.catalog.serialize import catalog_to_json

        cat = None if catalog is None else json.dumps(catalog_to_json(catalog), ensure_ascii=False)
        self._write(
            "INSERT INTO sessions(session_id, platform, room_id, started_at, ended_at, catalog, meta) "
            "VALUES (?,?,?,?,NULL,?,?) ON CONFLICT(session_id) DO NOTHING",
            (session_id, platform, room_id, time.time(), cat,
             None if meta is None else json.dumps(meta, ensure_ascii=False, default=str)))

    def unique_session_id(self, base: str) -> str:
        """``base`` if no session has it yet, else ``base#2``, ``base#3`` ... (a new run into
        the same database never mixes with an earlier one)."""
        taken = {r[0] for r in self._db.execute(
            "SELECT session_id FROM sessions WHERE session_id = ? OR session_id LIKE ?",
            (base, base.replace("%", "").replace("_", "") + "#%"))}
        if base not in taken:
            return base
        n = 2
        while f"{base}#{n}" in taken:
            n += 1
        return f"{base}#{n}"

    def sessions(self) -> list[dict]:
        """Every session, oldest first: ``session_id``, ``platform``, ``room_id``, ``started_at``,
        ``ended_at`` (unix seconds; ``None`` while running or after a crash), ``meta`` (dict)."""
        out = []
        for sid, platform, room, started, ended, meta in self._db.execute(
                "SELECT session_id, platform, room_id, started_at, ended_at, meta FROM sessions "
                "ORDER BY started_at, rowid"):
            out.append({"session_id": sid, "platform": platform, "room_id": room, "started_at": started,
                        "ended_at": ended, "meta": json.loads(meta) if meta else {}})
        return out

    def session_catalog(self, session_id: str) -> Catalog | None:
        """The catalog a session ran with (``None`` when it was not kept)."""
        from app.catalog.serialize import catalog_from_json

        row = self._db.execute("SELECT catalog FROM sessions WHERE session_id=?", (session_id,)).fetchone()
        if row is None or row[0] is None:
            return None
        data = json.loads(row[0])
        return catalog_from_json({"products": data} if isinstance(data, list) else data)

    # ------------------------------------------------------------------ replies (decisions)
    def add_reply(self, session_id: str, reply, *, viewer_key_: str = "") -> None:
        """Record a suggested reply (a :class:`~app.events.ReplySuggested`) as it is drafted."""
        askers = [[viewer_key(v.platform, v.uid) if v.uid else "", v.nickname] for v in reply.askers]
        self._write(
            "INSERT INTO replies(session_id, reply_id, t, intent, lang, text, product_id, held_reason, "
            "held_detail, confidence, viewer_key, msg_ids, askers, suggested_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT(session_id, reply_id) DO NOTHING",
            (session_id, reply.reply_id, reply.t, reply.intent, reply.lang, reply.text, reply.product_id,
             reply.held_reason, reply.held_detail, reply.confidence, viewer_key_,
             json.dumps(list(reply.msg_ids), ensure_ascii=False), json.dumps(askers, ensure_ascii=False),
             time.time()))

    def add_reply_asker(self, session_id: str, reply_id: str, msg_id: str, viewer_key_: str, nickname: str) -> None:
        """A later message merged into a reply: it answers that message (and viewer) too."""
        row = self._db.execute("SELECT msg_ids, askers FROM replies WHERE session_id=? AND reply_id=?",
                               (session_id, reply_id)).fetchone()
        if row is None:
            return
        msgs, askers = json.loads(row[0]), json.loads(row[1])
        msgs.append(msg_id)
        askers.append([viewer_key_, nickname])
        self._write("UPDATE replies SET msg_ids=?, askers=? WHERE session_id=? AND reply_id=?",
                         (json.dumps(msgs, ensure_ascii=False), json.dumps(askers, ensure_ascii=False),
                          session_id, reply_id))

    def update_reply(self, session_id: str, reply_id: str, **fields) -> None:
        """Set columns of a recorded reply (``status``, ``decided_by``, ``decided_t``,
        ``final_text``, ``edited``, ``audio_path``, ``speech_s``, ``spoken_t``)."""
        allowed = {"status", "decided_by", "decided_t", "final_text", "edited", "audio_path", "speech_s", "spoken_t"}
        bad = set(fields) - allowed
        if bad:
            raise ValueError(f"unknown reply columns {sorted(bad)}")
        if not fields:
            return
        cols = ", ".join(f"{k}=?" for k in fields)
        self._write(f"UPDATE replies SET {cols} WHERE session_id=? AND reply_id=?",  # noqa: S608 - fixed names
                         (*fields.values(), session_id, reply_id))

    def replies(self, session_id: str) -> list[dict]:
        """The session's replies in drafting order, with their fate (JSON columns decoded)."""
        cur = self._db.execute("SELECT * FROM replies WHERE session_id=? ORDER BY rowid", (session_id,))
        cols = [d[0] for d in cur.description]
        out = []
        for row in cur:
            r = dict(zip(cols, row))
            r["msg_ids"] = json.loads(r["msg_ids"])
            r["askers"] = json.loads(r["askers"])
            out.append(r)
        return out

    def see_viewer(self, session_id: str, platform: str, uid: object, nickname: str, t: float) -> None:
        """A viewer did something in this session (stream time ``t``): kept in ``viewers`` (across
        sessions) and ``session_viewers``. Anonymous viewers (empty uid) are not recorded."""
        if not str(uid).strip():
            return
        key = self.upsert_viewer(platform, uid, nickname)
        self._write(
            "INSERT INTO session_viewers VALUES (?,?,?,?,?,1) ON CONFLICT(session_id, viewer_key) DO UPDATE SET "
            "nickname=excluded.nickname, last_t=excluded.last_t, events=events+1",
            (session_id, key, nickname, t, t))

    def session_viewers(self, session_id: str) -> list[dict]:
        cur = self._db.execute("SELECT viewer_key, nickname, first_t, last_t, events FROM session_viewers "
                               "WHERE session_id=? ORDER BY first_t", (session_id,))
        return [dict(zip(("viewer_key", "nickname", "first_t", "last_t", "events"), r)) for r in cur]

    def end_session(self, session_id: str) -> None:
        self._write("UPDATE sessions SET ended_at=? WHERE session_id=?", (time.time(), session_id))

    def append_event(self, session_id: str, event: Event) -> int:
        """Append one event to the log and commit it; returns its sequence number.

        Raises:
            LiveHostError(code="disk-full" | "store-write-failed"): the write failed.
        """
        rec = to_record(event)
        try:
            cur = self._db.execute(
                "INSERT INTO event_log(session_id, t, type, payload, logged_at) VALUES (?,?,?,?,?)",
                (session_id, event.t, rec["type"], json.dumps(rec, ensure_ascii=False), time.time()))
        except sqlite3.Error as exc:
            raise store_write_error(exc, self.path) from exc
        return int(cur.lastrowid)

    def add_feedback(self, session_id: str, reply_id: str, action: str, *, intent: str = "",
                     text: str = "", new_text: str | None = None, by: str = "seller") -> None:
        """Record the seller's decision on a suggested reply (approved / rejected / edited /
        auto_cancelled)."""
        self._write(
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

    def events(self, session_id: str, types: Iterable[str] | None = None) -> Iterator[dict]:
        """The logged events of a session as dicts (:func:`app.events.to_record`), in publish
        order; ``types`` = only these event class names."""
        if types is None:
            rows = self._db.execute("SELECT payload FROM event_log WHERE session_id=? ORDER BY seq", (session_id,))
        else:
            names = tuple(types)
            marks = ",".join("?" * len(names))
            rows = self._db.execute(f"SELECT payload FROM event_log WHERE session_id=? AND type IN ({marks}) "  # noqa: S608
                                    "ORDER BY seq", (session_id, *names))
        for (payload,) in rows:
            yield json.loads(payload)

    def received_events(self, session_id: str) -> Iterator[dict]:
        """The logged events that came into the live room (comments, gifts, follows, enters,
        likes, host speech), in order."""
        return self.events(session_id, RECEIVED_TYPES)


RECEIVED_TYPES: tuple[str, ...] = ("ChatReceived", "GiftReceived", "ViewerFollowed", "ViewerEntered",
                                   "LikesReceived", "SpeechTranscribed")
"""Event class names of what comes into the live room (:class:`app.events.Received` subclasses)."""


def store_write_error(exc: sqlite3.Error, path: str) -> LiveHostError:
    """The LiveHostError for a failed write: ``disk-full`` when SQLite says the disk is full."""
    text = str(exc).lower()
    if "full" in text or getattr(exc, "sqlite_errorcode", None) == 13:  # SQLITE_FULL
        return LiveHostError("disk-full", f"The disk holding {path} is full.",
                             "Free disk space (or use a folder on another disk); a running session goes on "
                             "and saves again once there is room.")
    return LiveHostError("store-write-failed", f"Cannot write to the LiveHost database {path}: {exc}",
                         "Check the data folder is writable.")
