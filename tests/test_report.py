"""The session report (直播复盘) on the demo replay: its figures match independent SQL on the
session database, the HTML renders in headless chromium with every chart and no console errors,
and the CLI writes the HTML, report.json and the FAQ rows."""
import asyncio
import csv
import io
import json
import sqlite3
import urllib.parse
from collections import Counter

import pytest

from app.cli import main
from app.replay import DEMO_CATALOG, DEMO_SESSION, run_replay
from app.report import gather, render_html
from app.settings import load_settings
from app.understanding.labels import QUESTION_INTENTS
from tests.browser import Chromium, find_chromium, prepare_extension


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    settings = load_settings(out / "none.toml", {"data_dir": str(out)})
    run_replay(DEMO_SESSION, DEMO_CATALOG, out / "run", settings=settings, speed=None, audio=True)
    return out / "run" / "session.sqlite3"


@pytest.fixture(scope="module")
def report(demo_db):
    return gather(demo_db)


@pytest.fixture(scope="module")
def page(report):
    return render_html(report)


def _sql(db, q, *args):
    con = sqlite3.connect(db)
    try:
        return con.execute(q, args).fetchall()
    finally:
        con.close()


def test_questions_per_product_match_the_database(demo_db, report):
    qi = sorted(QUESTION_INTENTS)
    marks = ",".join("?" * len(qi))
    rows = _sql(demo_db, f"SELECT product_id, intent, COUNT(*) FROM replies WHERE intent IN ({marks}) "
                         "AND product_id IS NOT NULL GROUP BY product_id, intent", *qi)
    expected: dict[str, dict[str, int]] = {}
    for pid, intent, n in rows:
        expected.setdefault(pid, {})[intent] = n
    got = {p["product_id"]: p["by_intent"] for p in report["products"] if p["by_intent"]}
    assert got == expected
    assert sum(sum(d.values()) for d in expected.values()) >= 50
    assert report["headline"]["questions"] == _sql(
        demo_db, f"SELECT COUNT(*) FROM replies WHERE intent IN ({marks})", *qi)[0][0]


def test_unanswered_and_held_list_matches_the_database(demo_db, report):
    qi = sorted(QUESTION_INTENTS)
    rows = _sql(demo_db, f"SELECT reply_id, held_reason FROM replies WHERE status <> 'spoken' AND intent IN "
                         f"({','.join('?' * len(qi))})", *qi)
    assert {(u["reply_id"], u["held_reason"]) for u in report["unanswered"]} == set(rows)
    assert rows, "the demo leaves some questions unanswered"
    missing = _sql(demo_db, "SELECT product_id, held_detail, COUNT(*) FROM replies "
                            "WHERE held_reason = 'missing_fact' GROUP BY 1, 2")
    assert {(g["product_id"], g["fact"], len(g["questions"])) for g in report["missing_facts"]} == set(missing)
    # every held question's viewer text is shown (from the logged ChatReceived)
    assert all(u["question"] for u in report["unanswered"] if u["held_reason"] == "missing_fact")


def test_host_counts_per_intent_match_the_database(demo_db, report):
    per = report["host"]["per_intent"]
    assert {k: v["suggested"] for k, v in per.items()} == dict(
        _sql(demo_db, "SELECT intent, COUNT(*) FROM replies GROUP BY intent"))
    auto = dict(_sql(demo_db, "SELECT intent, COUNT(*) FROM replies WHERE decided_by='auto' "
                              "AND status IN ('approved','spoken','interrupted') GROUP BY intent"))
    assert {k: v["auto_approved"] for k, v in per.items() if v["auto_approved"]} == auto
    assert sum(auto.values()) > 0
    for col, where in (("rejected", "status='rejected'"), ("spoken", "status='spoken'"), ("edited", "edited=1")):
        expected = dict(_sql(demo_db, f"SELECT intent, COUNT(*) FROM replies WHERE {where} GROUP BY intent"))
        assert {k: v[col] for k, v in per.items() if v[col]} == expected, col
    # latency: question to speech start, from the replies table
    lat = sorted(s - t for s, t in _sql(demo_db, "SELECT spoken_t, t FROM replies WHERE status='spoken' "
                                                 "AND spoken_t IS NOT NULL"))
    assert lat, "the demo speaks replies"
    assert report["host"]["latency_p50_s"] == pytest.approx(
        lat[len(lat) // 2] if len(lat) % 2 else (lat[len(lat) // 2 - 1] + lat[len(lat) // 2]) / 2, abs=1e-3)
    speech = _sql(demo_db, "SELECT SUM(json_extract(payload, '$.duration_s')) FROM event_log WHERE type='SpeechStarted'")[0][0]
    assert sum(report["timeline"]["speech_s"]) == pytest.approx(speech, abs=0.1)


def test_timeline_and_purchase_signals_match_the_event_log(demo_db, report):
    tl = report["timeline"]
    chats = _sql(demo_db, "SELECT CAST(t / 60 AS INTEGER), COUNT(*) FROM event_log WHERE type='ChatReceived' GROUP BY 1")
    per_min = [0] * tl["minutes"]
    for m, n in chats:
        per_min[min(m, tl["minutes"] - 1)] += n
    assert tl["comments"] == per_min
    signals = Counter()
    for (payload,) in _sql(demo_db, "SELECT payload FROM event_log WHERE type='PurchaseSignalsCounted'"):
        ev = json.loads(payload)
        signals[ev["product_id"]] += ev["count"]
    assert {p["product_id"]: p["purchase_signals"] for p in report["products"] if p["purchase_signals"]} == \
        {k: v for k, v in signals.items() if v}
    bands = {b[2] for b in tl["bands"]}
    switched = {json.loads(p)["product_id"] for (p,) in _sql(
        demo_db, "SELECT payload FROM event_log WHERE type='NowSellingChanged'")} - {None}
    assert bands == switched


def test_viewer_names_pass_the_speech_name_filter(report):
    from app.reply.guard import safe_nickname
    from app.report.figures import HIDDEN_NAME

    names = [n for n, _ in report["viewers"]["top_askers"] + report["viewers"]["top_gift_senders"]]
    assert names
    for n in names:
        assert n == HIDDEN_NAME or safe_nickname(n) == n


def test_the_faq_export_link_holds_the_missing_fact_rows(report, page):
    start = page.index('href="data:text/csv;charset=utf-8,') + len('href="data:text/csv;charset=utf-8,')
    text = urllib.parse.unquote(page[start:page.index('"', start)]).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["question", "answer"]
    # one row per distinct question about one product (the same words about two products are two rows)
    n_questions = len({(g["product_id"], q) for g in report["missing_facts"] for q in g["questions"]})
    assert len(rows) - 1 == n_questions > 0


def test_cli_round_trip_and_compare(demo_db, tmp_path, capsys):
    out = tmp_path / "r" / "report.html"
    faq = tmp_path / "faq.csv"
    sid = _sql(demo_db, "SELECT session_id FROM sessions")[0][0]
    assert main(["report", str(demo_db.parent), "--out", str(out), "--faq-out", str(faq), "--compare", sid]) == 0
    data = json.loads((tmp_path / "r" / "report.json").read_text(encoding="utf-8"))
    assert data["headline"]["comments"] == _sql(demo_db, "SELECT COUNT(*) FROM event_log WHERE type='ChatReceived'")[0][0]
    assert data["compare"]["headline"] == data["headline"]
    assert "compared with a previous session" in out.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(faq.read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["question", "answer"] and len(rows) > 1
    assert "missing facts" in capsys.readouterr().out
    assert main(["report", str(tmp_path / "nowhere")]) != 0
    assert main(["report", str(demo_db), "--session", "no-such-session"]) != 0


@pytest.mark.skipif(find_chromium() is None, reason="chromium is not installed")
def test_report_renders_in_headless_chromium(report, page, tmp_path):
    page_path = tmp_path / "report.html"
    page_path.write_text(page, encoding="utf-8")
    n_word_charts = sum(1 for p in report["products"] if p["words"])

    async def run():
        ext = prepare_extension(tmp_path / "ext", test_page=False)
        async with Chromium(ext, tmp_path / "profile") as c:
            tab = await c.context.new_page()
            errors = []
            tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            tab.on("pageerror", lambda e: errors.append(str(e)))
            await tab.goto(page_path.as_uri())
            charts = await tab.eval_on_selector_all(
                "figure.chart", "els => els.map(e => [e.id, e.querySelector('svg') ? "
                "e.querySelector('svg').getBoundingClientRect().width : 0])")
            return errors, dict(charts)

    errors, charts = asyncio.run(run())
    assert errors == []
    expected = {"chart-timeline", "chart-questions", "chart-host", *(f"chart-words-{i}" for i in range(n_word_charts))}
    assert set(charts) == expected
    assert all(w > 100 for w in charts.values()), charts


def test_console_report_dialog_builds_on_a_worker(demo_db, qtbot):
    from PySide6.QtCore import QThread

    from app.gui.report_action import ReportDialog, report_path

    dlg = ReportDialog(demo_db, None, open_browser=False)
    qtbot.addWidget(dlg)
    sid = _sql(demo_db, "SELECT session_id FROM sessions")[0][0]
    assert dlg.session.currentText() == sid
    dlg.compare.setCurrentIndex(1)  # the picker: compare with a previous session
    threads = []
    import app.report.figures as figures
    real = figures.gather

    def spy(*a, **kw):
        threads.append(QThread.currentThread())
        return real(*a, **kw)

    import app.report as report_pkg
    report_pkg.gather = spy
    try:
        job = dlg.build()
        with qtbot.waitSignal(job.signals.done, timeout=60_000):
            pass
    finally:
        report_pkg.gather = real
    assert dlg.last_path == str(report_path(demo_db, sid))
    assert threads and all(t is not dlg.thread() for t in threads)
    data = json.loads((report_path(demo_db, sid).parent / "report.json").read_text(encoding="utf-8"))
    assert data["compare"]["session"]["session_id"] == sid
