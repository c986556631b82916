"""Generated introductions in a running session: the demo session's idle rotation speaks them
for products without a script (scripts first), Introduce uses them when allowed, and nothing
changes while the seller has not allowed it."""
import dataclasses
from pathlib import Path

from app.catalog.importer import load_catalog, write_catalog_csv
from app.catalog.model import Catalog
from app.content.generator import IntroGenerator
from app.events import ErrorOccurred, IntroduceProduct, ReplyApproved, ReplySuggested, SetNowSelling, Speak
from app.replay import run_replay
from app.settings import load_settings
from app.understanding.stage import Understander
from tests.conftest import make_catalog
from tests.fakes import FakeSynth, KeywordClassifier

REPO = Path(__file__).resolve().parents[1]
DEMO_SESSION = REPO / "assets" / "demo" / "session.jsonl"
DEMO_CATALOG = REPO / "assets" / "demo" / "catalog.csv"


def _demo_without_scripts(tmp_path, keep=(1, 2)):
    """The demo catalog with the scripts of every product but listings ``keep`` removed."""
    cat = load_catalog(DEMO_CATALOG).catalog
    products = tuple(p if p.listing_number in keep else dataclasses.replace(p, script="") for p in cat)
    cat = Catalog(products, cat.faq)
    path = tmp_path / "catalog.csv"
    write_catalog_csv(cat, path)
    return cat, path


def _replay(tmp_path, catalog_path, catalog, settings, session=DEMO_SESSION, out="out"):
    return run_replay(session, catalog_path, tmp_path / out, settings=settings, speed=None, audio=True,
                      synthesizer=FakeSynth(), understander=Understander(KeywordClassifier(), catalog),
                      use_recommender=False, keep_events=True)


def _settings(tmp_path, **host):
    return load_settings(tmp_path / "none.toml", {"data_dir": str(tmp_path), "host": {"idle_rotation_s": 12, **host}})


def test_the_demo_rotation_speaks_generated_introductions_for_products_without_a_script(tmp_path):
    cat, path = _demo_without_scripts(tmp_path)
    result = _replay(tmp_path, path, cat, _settings(tmp_path, rotation_generated=True))
    intros = [e for e in result.events if isinstance(e, ReplySuggested) and e.intent == "introduce"]
    assert len(intros) >= 4 and all(e.requested_by == "rotation" for e in intros)
    spoken = {e.reply_id: e.text for e in result.events if isinstance(e, Speak)}
    approved = {e.reply_id: e.by for e in result.events if isinstance(e, ReplyApproved)}
    gen = IntroGenerator(cat)  # the session's settings: rate 175 wpm, 15-40 s, 3 variants
    generated = [e for e in intros if not cat.get(e.product_id).script]
    scripted = [e for e in intros if cat.get(e.product_id).script]
    assert generated, "no product without a script was introduced"
    for e in intros:
        p = cat.get(e.product_id)
        assert e.held_reason == "" and approved[e.reply_id] == "rotation" and spoken[e.reply_id] == e.text
        if p.script:  # the seller's own script comes first, word for word
            assert e.text == p.script.strip()
        else:
            assert e.text in [i.text for i in gen.introductions(p, "zh", 3)]
    assert {cat.get(e.product_id).listing_number for e in scripted} <= {1, 2}
    # coming back to a product, the rotation says it in another variant
    by_product: dict[str, list[str]] = {}
    for e in generated:
        by_product.setdefault(e.product_id, []).append(e.text)
    for texts in by_product.values():
        assert len(set(texts[:3])) == len(texts[:3])


def test_without_the_sellers_permission_products_without_a_script_are_skipped(tmp_path):
    cat, path = _demo_without_scripts(tmp_path)
    result = _replay(tmp_path, path, cat, _settings(tmp_path))
    intros = [e for e in result.events if isinstance(e, ReplySuggested) and e.intent == "introduce"]
    assert intros and all(cat.get(e.product_id).listing_number in (1, 2) for e in intros)


async def _introduce(tmp_path, settings, catalog, name):
    from app.session import Engines, Session, SessionOptions
    from app.store import SqliteStore
    from tests.fakes import Rec

    rec = Rec()
    s = Session(settings, catalog, Engines(Understander(KeywordClassifier(), catalog), FakeSynth()),
                store=SqliteStore(tmp_path / f"{name}.sqlite3"), session_id=name, observers=[rec],
                options=SessionOptions(auto_delay_s=0, metrics_every_s=0))
    await s.start()
    try:
        await s.command(SetNowSelling(listing_number=5))
        await s.command(IntroduceProduct(by="seller"))  # F9: introduce the now-selling product
        await s.drain()
    finally:
        await s.finish()
    return rec


def test_introduce_speaks_a_generated_introduction_when_allowed(tmp_path):
    import asyncio

    cat = make_catalog()  # P2 (5号浴巾) has no script
    allowed = asyncio.run(_introduce(tmp_path, load_settings(tmp_path / "x.toml", {
        "data_dir": str(tmp_path), "host": {"rotation_generated": True}}), cat, "a"))
    (sug,) = [e for e in allowed.of(ReplySuggested) if e.intent == "introduce"]
    assert sug.product_id == "P2" and sug.held_reason == "" and sug.requested_by == "seller"
    assert "5号链接" in sug.text and "39元" in sug.text
    assert sug.text in [i.text for i in IntroGenerator(cat).introductions(cat.get("P2"), "zh", 3)]
    assert [e.text for e in allowed.of(Speak)] == [sug.text]
    refused = asyncio.run(_introduce(tmp_path, load_settings(tmp_path / "x.toml", {"data_dir": str(tmp_path)}),
                                     cat, "b"))
    assert refused.of(ReplySuggested) == [] and refused.of(Speak) == []
    assert [e.code for e in refused.of(ErrorOccurred)] == ["introduce-no-script"]
