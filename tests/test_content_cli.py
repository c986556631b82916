"""``livehost script generate``: drafts CSV and a catalog copy with scripts, with the built-in
generator and with a language model (a local server), and its errors."""
import asyncio
import csv
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from app.catalog.importer import load_catalog
from app.content.drafts import DRAFT_COLUMNS
from app.reply.guard import FactGuard
from tests.llm_server import Answer, ChatServer

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "assets" / "examples" / "beauty-snacks-phone.csv"  # no product has a script
FOOD = REPO / "tests" / "data" / "catalogs" / "food.csv"


def cli(*args, config: Path):
    return subprocess.run([sys.executable, "-m", "app.cli", "script", "generate", "--config", str(config), *args],
                          cwd=REPO, capture_output=True, text=True, timeout=120)


def rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text(f'data_dir = "{(tmp_path / "data").as_posix()}"\n', encoding="utf-8")
    return path


def test_drafts_and_a_catalog_copy_with_the_scripts_filled(tmp_path, config):
    out, copy = tmp_path / "drafts.csv", tmp_path / "with-scripts.csv"
    r = cli("--catalog", str(EXAMPLE), "--out", str(out), "--catalog-out", str(copy), "--offers", "-q", config=config)
    assert r.returncode == 0, r.stderr
    catalog = load_catalog(EXAMPLE).catalog
    drafts = rows(out)
    assert tuple(drafts[0]) == DRAFT_COLUMNS
    intros = [d for d in drafts if d["kind"] == "introduction"]
    assert sorted({d["product_id"] for d in intros}) == sorted(p.product_id for p in catalog)
    assert all(d["lang"] == "zh" and d["source"] == "builtin" for d in intros)
    assert {d["variant"] for d in intros} == {"0", "1", "2"}
    for d in intros:  # each clause with its fields; the text is the clauses
        clauses = json.loads(d["sentences"])
        assert all(fields for _, fields in clauses)
        assert set(d["fields"].split("|")) == {f for _, fs in clauses for f in fs}
        assert all(text in d["text"] for text, _ in clauses)
    assert any(d["kind"] == "countdown" for d in drafts)
    filled = load_catalog(copy).catalog
    guard = FactGuard(filled)
    for p in filled:
        first = next(d for d in intros if d["product_id"] == p.product_id and not d["held_reason"])
        assert p.script == first["text"] and guard.check(p.script, [p.product_id]).ok
    assert "scripts filled" in r.stderr


def test_one_product_in_english_and_a_built_in_style(tmp_path, config):
    out = tmp_path / "d.csv"
    r = cli("--catalog", str(FOOD), "--product", "3", "--lang", "en", "--style", "offer-first", "--variants", "2",
            "--out", str(out), "-q", config=config)
    assert r.returncode == 0, r.stderr
    (a, b) = rows(out)
    assert a["product_id"] == b["product_id"] == "lm-1111007" and a["lang"] == "en" and a["text"] != b["text"]
    for d in (a, b):  # offer first: the price right after the opening
        assert json.loads(d["sentences"])[1][1][0] in ("price", "skus")


def test_bad_requests_say_what_to_do(tmp_path, config):
    r = cli("--catalog", str(FOOD), "--product", "99", "--out", str(tmp_path / "x.csv"), config=config)
    assert r.returncode == 1 and "[script-product-unknown]" in r.stderr
    r = cli("--catalog", str(FOOD), "--builtin", "--style", "亲切活泼", "--out", str(tmp_path / "x.csv"), config=config)
    assert r.returncode == 1 and "[usage]" in r.stderr and "offer-first" in r.stderr
    down = tmp_path / "down.toml"
    down.write_text('[llm]\nbase_url = "http://127.0.0.1:9/v1"\nretries = 0\n', encoding="utf-8")
    r = cli("--catalog", str(FOOD), "--product", "1", "--style", "亲切活泼", "--out", str(tmp_path / "x.csv"),
            config=down)
    assert r.returncode == 1 and "[llm-unreachable]" in r.stderr and "ollama serve" in r.stderr
    assert not (tmp_path / "x.csv").exists()


class _ServerThread:
    """A :class:`ChatServer` on its own loop in a thread (the CLI runs in another process)."""

    def __init__(self, answer):
        self.server = ChatServer(answer)
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self.server.start())
        self.ready.set()
        self.loop.run_forever()

    def __enter__(self):
        self.thread.start()
        self.ready.wait(10)
        return self.server

    def __exit__(self, *exc):
        asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def test_the_language_model_writes_in_the_sellers_style_and_is_checked(tmp_path):
    text = ("来，宝宝们看3号链接，曲奇礼盒，六种口味，酥香脆爽。净含量520克，保质期180天。"
            "今天直播间价78元，划线价98元，包邮。全网最低价，错过再等一年！拍3号链接就对了。")
    with _ServerThread(lambda body: Answer(text)) as srv:
        config = tmp_path / "llm.toml"
        config.write_text(f'[llm]\nenabled = true\nbase_url = "{srv.base_url}"\nmodel = "qwen-test"\n'
                          f'max_chars = 2000\n', encoding="utf-8")
        out = tmp_path / "d.csv"
        r = cli("--catalog", str(FOOD), "--product", "3", "--style", "亲切活泼", "--variants", "1", "--out", str(out),
                "-q", config=config)
        requests = list(srv.requests)
    assert r.returncode == 0, r.stderr
    (d,) = rows(out)
    assert d["source"] == "llm" and d["style"] == "亲切活泼"
    assert "最低价" not in d["text"] and "78元" in d["text"] and "曲奇礼盒" in d["text"]
    assert json.loads(d["dropped"])[0][0] == "全网最低价，错过再等一年！"
    assert d["held_reason"] == ""  # what is left passed every check, the offensive-language filter included
    assert len(requests) == 1 and "亲切活泼" in requests[0]["messages"][1]["content"]
