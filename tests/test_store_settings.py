import sqlite3
from decimal import Decimal

import pytest

from app.errors import LiveHostError
from app.settings import load_settings
from app.store import Interaction, SqliteStore, viewer_key


def test_store_is_wal_and_migrated(tmp_path):
    s = SqliteStore(tmp_path / "x.sqlite3")
    assert s.journal_mode == "wal"
    assert s.schema_version == SqliteStore.SCHEMA_VERSION
    s.close()
    # reopening does not re-run migrations
    s2 = SqliteStore(tmp_path / "x.sqlite3")
    assert s2.schema_version == SqliteStore.SCHEMA_VERSION


def test_newer_schema_is_refused(tmp_path):
    db = tmp_path / "x.sqlite3"
    SqliteStore(db).close()
    con = sqlite3.connect(db)
    con.execute("PRAGMA user_version=99")
    con.commit()
    con.close()
    with pytest.raises(LiveHostError) as e:
        SqliteStore(db)
    assert e.value.code == "store-open-failed"


def test_catalog_round_trip_keeps_exact_prices(tmp_path, catalog):
    s = SqliteStore(tmp_path / "x.sqlite3")
    s.save_catalog(catalog)
    back = s.load_catalog()
    assert back.products == catalog.products
    assert back.get("P1").price == Decimal("59.90")


def test_viewers_and_interactions(tmp_path):
    s = SqliteStore(":memory:")
    k = s.upsert_viewer("douyin", 12345, "小美", at=10.0)
    assert k == "douyin:12345" == viewer_key("douyin", "12345")
    s.upsert_viewer("douyin", "12345", "小美2", at=20.0)
    v = s.viewer(k)
    assert (v["nickname"], v["first_seen"], v["last_seen"]) == ("小美2", 10.0, 20.0)
    s.add_interactions([Interaction(k, "P1", "asked", None, 1.0), Interaction(k, "P1", "rated", 4, 2.0)])
    assert [(i.kind, i.rating) for i in s.interactions(k)] == [("asked", None), ("rated", 4)]
    with pytest.raises(ValueError):
        s.add_interaction(Interaction(k, "P1", "liked", None, 3.0))
    with pytest.raises(ValueError):
        s.add_interaction(Interaction(k, "P1", "rated", 9, 3.0))
    assert s.interaction_count() == 2


def test_settings_defaults_file_and_overrides(tmp_path):
    f = tmp_path / "settings.toml"
    f.write_text('language = "en"\n[speech]\nrate_wpm = 200\n[reply]\nauto_approve = ["greeting"]\n',
                 encoding="utf-8")
    s = load_settings(f, {"speech": {"volume": 0.5}})
    assert (s.language, s.speech.rate_wpm, s.speech.volume, s.reply.auto_approve) == ("en", 200, 0.5, ("greeting",))
    d = load_settings(tmp_path / "missing.toml")
    assert d.speech.rate_wpm == 175 and "complaint" not in d.reply.auto_approve


@pytest.mark.parametrize("body,key", [
    ("[speech]\nrate_wpm = 5\n", "speech.rate_wpm"),
    ("[reply]\nauto_approve = [\"complaint\"]\n", "reply.auto_approve"),
    ("colour = 1\n", "colour"),
    ("language = [\n", "Cannot read settings file"),
])
def test_bad_settings_name_the_key(tmp_path, body, key):
    f = tmp_path / "settings.toml"
    f.write_text(body, encoding="utf-8")
    with pytest.raises(LiveHostError) as e:
        load_settings(f)
    assert e.value.code == "settings-invalid"
    assert key in e.value.message


def test_an_older_database_is_migrated_keeping_its_rows(tmp_path):
    import sqlite3

    from app.store.sqlite import _MIGRATIONS

    db = tmp_path / "old.sqlite3"
    con = sqlite3.connect(db)
    for script in _MIGRATIONS[:2]:
        con.executescript(script)
    con.execute("PRAGMA user_version=2")
    con.execute("INSERT INTO products VALUES ('P1', 3, 'T恤', 'T恤', '59.90', '{}', 0)")
    con.execute("INSERT INTO skus VALUES ('P1', '白色', 'M', 12)")
    con.execute("INSERT INTO skus VALUES ('P1', '', '均码', 5)")
    con.execute("INSERT INTO sessions VALUES ('old', 'douyin', '', 1.0, 2.0)")
    con.commit()
    con.close()
    s = SqliteStore(db)
    assert s.schema_version == s.SCHEMA_VERSION == 4
    rows = s._db.execute("SELECT product_id, label, color, size, stock FROM skus ORDER BY label").fetchall()
    assert rows == [("P1", "均码", "", "均码", 5), ("P1", "白色/M", "白色", "M", 12)]
    assert [x["session_id"] for x in s.sessions()] == ["old"] and s.unique_session_id("old") == "old#2"
