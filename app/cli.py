"""The ``livehost`` command line: one parser, one path from errors to exit codes.

Subcommands: ``gui`` (also ``livehost`` with no arguments), ``replay``, ``live``, ``record``, ``export``, ``classify``,
``train``, ``recommend`` (and ``recommend evaluate``), ``models``, ``transcribe``, ``script generate``. Each
subcommand's work lives in :mod:`app.commands` (imported only when it runs) and raises
:class:`~app.errors.LiveHostError` for anything the user can fix; :func:`main` turns that into
``livehost: error [code]: message`` plus ``what to do: hint`` on stderr.

Exit codes: 0 = done, 1 = unusable input (the message says what to do), 2 = bad command-line
usage, 130 = interrupted (Ctrl-C; what was handled so far is kept).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

from app.errors import LiveHostError
from app.paths import DEMO_CATALOG, DEMO_INTERACTIONS, DEMO_SESSION


# --------------------------------------------------------------------------- argument types

MAX_SPEED = float("inf")
"""What ``--speed max`` parses to (as fast as possible); commands turn it into ``None``."""


def speed_arg(value: str) -> float:
    """``--speed``: a positive number (stream-time multiplier) or ``max`` (:data:`MAX_SPEED`)."""
    if value.lower() in ("max", "inf", "fastest"):
        return MAX_SPEED
    try:
        v = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"speed must be a number or 'max', got {value!r}") from None
    if not v > 0 or v == float("inf"):  # also rejects nan
        raise argparse.ArgumentTypeError("speed must be a positive number (or 'max')")
    return v


def seconds_arg(value: str) -> float:
    """A positive number of seconds."""
    try:
        v = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {value!r}") from None
    if not v > 0 or v == float("inf"):
        raise argparse.ArgumentTypeError("must be a positive number of seconds")
    return v


def yuan_arg(text: str) -> Decimal:
    """An amount in yuan >= 0."""
    try:
        d = Decimal(text)
    except InvalidOperation as exc:
        raise argparse.ArgumentTypeError(f"not an amount in yuan: {text!r}") from exc
    if not d.is_finite() or d < 0:
        raise argparse.ArgumentTypeError("amount must be a number >= 0")
    return d


# --------------------------------------------------------------------------- the parser

def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="livehost", description="LiveHost - AI virtual host for live-stream selling.")
    p.add_argument("--config", help="settings TOML file (default: the user config directory)")
    p.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    common = argparse.ArgumentParser(add_help=False)  # the same two options after the subcommand
    common.add_argument("--config", default=argparse.SUPPRESS, help="settings TOML file")
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="log details")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    _add = sub.add_parser

    def add_parser(name, **kw):
        return _add(name, parents=[common], **kw)

    sub.add_parser = add_parser  # type: ignore[method-assign]

    g = sub.add_parser("gui", help="open the seller console and the avatar window (also: livehost with no arguments)")
    g.add_argument("--catalog", help="catalog .csv/.xlsx (default: the last one opened, else the bundled demo)")
    g.add_argument("--session", help="replay this session .jsonl through the console once it is ready")
    g.add_argument("--speed", type=speed_arg, default=None,
                   help="replay speed: 1 = real time (default for --session), max = no waiting; --demo uses 10")
    g.add_argument("--demo", action="store_true",
                   help="replay the bundled demo session (or --session FILE) with the bundled catalog")
    g.add_argument("--screenshot", metavar="DIR", help="save console.png and avatar.png into DIR mid-session")
    g.add_argument("--screenshot-at", type=seconds_arg, metavar="SECONDS",
                   help="when to take the screenshots, seconds after the replay starts "
                        "(default: 60%% of --quit-after, else 20)")
    g.add_argument("--quit-after", type=seconds_arg, metavar="SECONDS", help="close this many seconds after the core is ready (or has failed to load)")
    g.add_argument("--lang", choices=("zh", "en"), help="UI language (default: settings, else the system locale)")
    g.add_argument("--theme", choices=("light", "dark"), help="colour theme (default: settings)")
    g.add_argument("--no-avatar", action="store_true", help="do not open the avatar window")
    g.add_argument("--avatar-process", choices=("separate", "inline"), default=None,
                   help="run the avatar window in its own process (default, smooth under load) or in the "
                        "console's process (default: gui.toml avatar_process)")
    g.add_argument("--no-recommender", action="store_true",
                   help="answer recommendation requests without the recommender (slot match only)")
    g.add_argument("--skip-bad-rows", action="store_true",
                   help="load the good catalog rows and list the bad ones (default: ask in the console)")
    g.set_defaults(handler="app.commands.gui:run")

    r = sub.add_parser("replay", help="replay a recorded live session through the virtual host")
    r.add_argument("session", nargs="?", default=str(DEMO_SESSION), help="session .jsonl (default: bundled demo)")
    r.add_argument("--catalog", default=str(DEMO_CATALOG), help="catalog .csv/.xlsx (default: bundled demo)")
    r.add_argument("--out", default="livehost-replay", help="output folder (default: ./livehost-replay)")
    r.add_argument("--speed", type=speed_arg, default=None,
                   help="stream-time speed: 1 = real time, 10 = ten times faster, max = no waiting (default)")
    r.add_argument("--no-audio", action="store_true", help="do not synthesize WAV files")
    r.add_argument("--skip-bad-rows", action="store_true",
                   help="import the good catalog rows and report the bad ones (default: import nothing)")
    r.add_argument("--interactions", help="the shop's order export for the recommender "
                                          "(default: the demo's history with the demo catalog)")
    r.add_argument("--model", help="intent model folder (default: the shipped model)")
    r.add_argument("--platform", help="platform name when the session file has no header")
    r.add_argument("-q", "--quiet", action="store_true", help="no live table")
    r.set_defaults(handler="app.commands.replay:run")

    lv = sub.add_parser("live", help="a headless live session on real chat sources (bilibili:ROOM, twitch:CHANNEL, "
                                     "youtube:VIDEO, tiktok:@USER, ingest:, mic ...)")
    lv.add_argument("sources", nargs="+", metavar="SOURCE", help="chat source specs")
    lv.add_argument("--catalog", default=str(DEMO_CATALOG), help="catalog .csv/.xlsx (default: bundled demo)")
    lv.add_argument("--out", default="livehost-live", help="output folder (default: ./livehost-live)")
    lv.add_argument("--no-audio", action="store_true", help="do not speak or write WAV files")
    lv.add_argument("--duration", type=seconds_arg, metavar="SECONDS", help="stop after this many seconds")
    lv.add_argument("--endpoint", metavar="URL", help="server address override for the (one) source (tests, relays)")
    lv.add_argument("-q", "--quiet", action="store_true", help="no live table")
    lv.set_defaults(handler="app.commands.live:run")

    rc = sub.add_parser("record", help="write a live room's events as a session file (replay format)")
    rc.add_argument("sources", nargs="+", metavar="SOURCE", help="chat source specs")
    rc.add_argument("--out", required=True, help="session .jsonl file to write")
    rc.add_argument("--duration", type=seconds_arg, metavar="SECONDS", help="stop after this many seconds")
    rc.add_argument("--endpoint", metavar="URL", help="server address override for the (one) source")
    rc.set_defaults(handler="app.commands.live:record")

    e = sub.add_parser("export", help="rebuild replies.jsonl and summary.json of a session from its database")
    e.add_argument("db", help="a session.sqlite3 file or a replay's --out folder")
    e.add_argument("--session", help="session id (default: the newest)")
    e.add_argument("--out", help="folder to write into (default: the database's folder)")
    e.add_argument("--list", action="store_true", help="list the sessions in the database")
    e.set_defaults(handler="app.commands.export:run")

    rp = sub.add_parser("report", help="the session report (直播复盘): one HTML file with charts, plus report.json")
    rp.add_argument("db", help="a session.sqlite3 file or a replay's --out folder")
    rp.add_argument("--session", help="session id (default: the newest)")
    rp.add_argument("--out", help="HTML file to write (default: report.html next to the database)")
    rp.add_argument("--pdf", action="store_true", help="also print a PDF next to it (needs chromium)")
    rp.add_argument("--compare", metavar="ID", help="a previous session to compare the headline figures with")
    rp.add_argument("--compare-db", metavar="DB", help="the database holding --compare (default: the same)")
    rp.add_argument("--faq-out", metavar="CSV", help="write the missing-fact questions as FAQ rows (question,answer)")
    rp.set_defaults(handler="app.commands.report:run")

    c = sub.add_parser("classify", help="print intent and slots for messages (args or stdin lines) as JSON")
    c.add_argument("text", nargs="*")
    c.add_argument("--catalog", help="catalog for product mentions")
    c.add_argument("--model", help="intent model folder")
    c.set_defaults(handler="app.commands.classify:run")

    t = sub.add_parser("train", help="train a model")
    tsub = t.add_subparsers(dest="what", required=True, metavar="MODEL")
    ti = tsub.add_parser("intent", help="rebuild the intent model from the corpus")
    ti.add_argument("--data", help="corpus folder (default: models/intent/data)")
    ti.add_argument("--out", help="output model folder (default: models/intent)")
    ti.add_argument("--seed", type=int, default=0)
    ti.set_defaults(handler="app.commands.train:intent")
    tm = tsub.add_parser("moderation", help="rebuild the offensive-language model (COLD + Davidson + live-room lines)")
    tm.add_argument("--data", required=True, help="folder with cold/ and davidson/ (e.g. ../shared/data/moderation)")
    tm.add_argument("--out", help="output model folder (default: models/moderation)")
    tm.add_argument("--seed", type=int, default=0)
    tm.set_defaults(handler="app.commands.train:moderation")

    rec = sub.add_parser("recommend", help="top products for a viewer, with reasons; `recommend evaluate` "
                                           "compares the ranking methods")
    _recommend_options(rec)
    rsub = rec.add_subparsers(dest="recommend_action", metavar="evaluate")
    ev = rsub.add_parser("evaluate", help="offline top-k evaluation of the ranking methods")
    ev.add_argument("--interactions", type=Path, required=True)
    ev.add_argument("--items", type=Path, help="catalog file (csv) or u.item (movielens)")
    ev.add_argument("--format", choices=("csv", "movielens"), default="csv")
    ev.add_argument("--k", type=int, default=10)
    ev.add_argument("--test-fraction", type=float, default=0.25)
    ev.add_argument("--seed", type=int, default=0)
    ev.add_argument("--json", action="store_true")
    ev.set_defaults(handler="app.commands.recommend:evaluate")
    rec.set_defaults(handler="app.commands.recommend:run")

    m = sub.add_parser("models", help="speech-recognition (vosk) models: list | install | remove | path")
    msub = m.add_subparsers(dest="action", required=True, metavar="ACTION")
    ls = msub.add_parser("list", help="catalogue and installed models")
    ls.add_argument("--json", action="store_true")
    ins = msub.add_parser("install", help="download and install a model, or install a local zip/folder")
    ins.add_argument("name", nargs="?", help="catalogue name or alias, e.g. small-cn, small-en")
    ins.add_argument("--from", dest="source", metavar="PATH_OR_ZIP", help="install from a local zip or folder (offline)")
    ins.add_argument("--name", dest="as_name", help="with --from: the name to install it as")
    ins.add_argument("--url", help="download from this URL (a mirror) instead of the catalogue's")
    ins.add_argument("--force", action="store_true", help="reinstall even if installed")
    ins.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    rm = msub.add_parser("remove", help="delete an installed model")
    rm.add_argument("name")
    pa = msub.add_parser("path", help="print the folder of an installed model")
    pa.add_argument("name")
    m.set_defaults(handler="app.commands.models:run")

    sc = sub.add_parser("script", help="sales scripts (话术): introductions and offer lines written from the catalog")
    scsub = sc.add_subparsers(dest="script_action", required=True, metavar="ACTION")
    sg = scsub.add_parser("generate", parents=[common], help="write introduction drafts (and offer lines) for review")
    sg.add_argument("--catalog", default=str(DEMO_CATALOG), help="catalog .csv/.xlsx (default: bundled demo)")
    sg.add_argument("--product", metavar="N", help="one product: listing number or product_id (default: all)")
    sg.add_argument("--lang", choices=("zh", "en"), help="language (default: settings.language)")
    sg.add_argument("--style", default="",
                    help="built-in order: fabe, offer-first, benefit-first, evidence-first; any other text is "
                         "the style the language model writes in (needs [llm])")
    sg.add_argument("--variants", type=int, choices=range(1, 9), metavar="1-8",
                    help="introductions per product (default: content.variants)")
    sg.add_argument("--llm", action="store_true", help="write with the language model of [llm] in the settings")
    sg.add_argument("--builtin", action="store_true", help="the built-in generator even when [llm] is enabled")
    sg.add_argument("--offers", action="store_true", help="also write offer lines (countdown, stock running low)")
    sg.add_argument("--out", default="script-drafts.csv",
                    help="drafts CSV: product_id, lang, variant, text, fields used ... (default: ./script-drafts.csv)")
    sg.add_argument("--catalog-out", metavar="FILE",
                    help="also write a copy of the catalog with the script column filled (products without one)")
    sg.add_argument("--overwrite", action="store_true", help="with --catalog-out: replace existing scripts too")
    sg.add_argument("--skip-bad-rows", action="store_true", help="use the good catalog rows, report the bad ones")
    sg.add_argument("-q", "--quiet", action="store_true", help="no table")
    sg.set_defaults(handler="app.commands.script:generate")

    tr = sub.add_parser("transcribe", help="transcribe a WAV/FLAC file of any rate and channel count (vosk)")
    tr.add_argument("file", help="WAV / FLAC file, any sample rate and channel count")
    tr.add_argument("--model", help="model name (small-cn, small-en, ko ...) or model folder; "
                                    "default: the first installed of small-cn, cn, small-en, en")
    tr.add_argument("--json", action="store_true", help="print JSON: segments, words, times, real-time factor")
    tr.set_defaults(handler="app.commands.models:transcribe")
    return p


def _recommend_options(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--viewer", help="viewer key platform:uid (or a uid, with --platform)")
    ap.add_argument("--platform", default="douyin", help="platform for a bare uid")
    ap.add_argument("--budget", type=yuan_arg, help="maximum price, yuan")
    ap.add_argument("--budget-min", type=yuan_arg, help="minimum price, yuan")
    ap.add_argument("--color", help="colour family (red, black ...) or a colour word (酒红)")
    ap.add_argument("--size", help="garment/shoe size (M, XL, 38)")
    ap.add_argument("--height", type=float, help="height, cm")
    ap.add_argument("--weight", type=float, help="weight, kg")
    ap.add_argument("--recipient", help="mother, father, wife, husband, girlfriend, boyfriend, "
                                        "child, elder, friend, gift, self")
    ap.add_argument("--listing", type=int, help="listing number the viewer is asking about")
    ap.add_argument("--text", default="", help="the viewer's message (categories/tags it names are preferred)")
    ap.add_argument("--k", type=int, default=3, help="how many products (default 3)")
    ap.add_argument("--catalog", type=Path, default=DEMO_CATALOG)
    ap.add_argument("--interactions", type=Path, default=DEMO_INTERACTIONS,
                    help="order export / interactions file (CSV/XLSX)")
    ap.add_argument("--db", type=Path, help="also use the interactions recorded live in this LiveHost database")
    ap.add_argument("--session", help="live session whose sales count as tonight (default: the latest)")
    ap.add_argument("--json", action="store_true", help="print JSON")


# --------------------------------------------------------------------------- running

def fail(exc: LiveHostError) -> int:
    """Print a LiveHostError for the user (stderr) and return exit code 1."""
    details = getattr(exc, "errors", ())
    head = exc.message if not details else (
        f"{getattr(exc, 'file', '')}: not imported, {len(details)} problem{'s' if len(details) != 1 else ''}:")
    print(f"livehost: error [{exc.code}]: {head}", file=sys.stderr)
    for extra in details[:50]:
        print(f"  - {extra}", file=sys.stderr)
    if len(details) > 50:
        print(f"  ... and {len(details) - 50} more", file=sys.stderr)
    if exc.hint:
        print(f"  what to do: {exc.hint}", file=sys.stderr)
    return 1


def load_settings_for(args) -> "Settings":  # noqa: F821
    """The settings for a command: the ``--config`` file (or the user's), with CLI overrides.

    Raises:
        LiveHostError(code="settings-missing" | "settings-invalid").
    """
    from app.settings import load_settings

    overrides: dict = {}
    if getattr(args, "model", None) and getattr(args, "command", "") in ("replay", "classify"):
        overrides.setdefault("understanding", {})["model_dir"] = str(args.model)
    if getattr(args, "platform", None) and getattr(args, "command", "") == "replay":
        overrides["platform"] = args.platform
    config = Path(args.config) if getattr(args, "config", None) else None
    if config is not None and not config.is_file():
        raise LiveHostError("settings-missing", f"Settings file not found: {config}",
                            "Check the --config path, or leave it out to use the user settings.")
    return load_settings(config, overrides)


def _handler(spec: str):
    import importlib

    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def main(argv: list[str] | None = None) -> int:
    """Run ``livehost`` with ``argv`` (default: ``sys.argv[1:]``); returns the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # no "Loading weights" bar in our output
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help") and "gui" not in argv
                    and not any(a in argv for a in _COMMANDS)):
        argv = [*argv, "gui"] if argv else ["gui"]
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: 2 on bad usage, 0 on --help
        return int(exc.code or 0)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return int(_handler(args.handler)(args) or 0)
    except LiveHostError as exc:
        return fail(exc)
    except KeyboardInterrupt:
        print("\nlivehost: interrupted; what was handled so far is kept.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `livehost classify ... | head`
        sys.stderr.close()
        return 0


_COMMANDS = ("gui", "replay", "live", "record", "export", "classify", "train", "recommend", "models", "transcribe",
             "script")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
