"""Grounding benchmark: how many of the virtual host's answers are correct, partial, wrong or
missing -- and how many WRONG answers would have been spoken automatically.

Each question set (``bench/questions/*.jsonl``, schema in ``bench/questions/README.md``) becomes
one replay session (one ``comment`` per question, its own viewer, preceded by a
``now_selling`` line when the question has one), run through the real pipeline
(``app.replay.run_replay``: the real intent model, the recommender, no audio). Every record is
graded against the question's ``expect`` by :class:`bench.grounding.Grader`.

Prints tables by question type, by language and by how the product was named, the totals, and
every wrong answer that would have been spoken (question, reply, why).

Usage:
    .venv/bin/python bench/bench_grounding.py [--set PATH ...] [--catalog PATH] [--json OUT]
        [--out DIR] [--show wrong|all]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rich.console import Console  # noqa: E402
from rich.markup import escape  # noqa: E402
from rich.table import Table  # noqa: E402

from app.errors import LiveHostError  # noqa: E402
from bench.grounding import (  # noqa: E402
    QUESTION_TYPES, REFS, Grade, Grader, Question, QuestionSet, load_set, tally, validate_set, write_session,
)

DEFAULT_SET = Path(__file__).resolve().parent / "questions" / "demo.jsonl"


def run_set(qset: QuestionSet, out_dir: Path) -> tuple[list[tuple[Question, dict | None, Grade]], dict]:
    """Replay one question set through the real pipeline and grade every question.

    Returns ``[(question, record or None, grade)]`` in set order and the replay summary.
    Raises LiveHostError (unusable catalog, missing intent model) from the replay.
    """
    from app.catalog.importer import load_catalog
    from app.replay import run_replay
    from app.settings import load_settings

    catalog = load_catalog(qset.catalog_path).catalog
    problems = validate_set(qset, catalog)
    if problems:
        raise LiveHostError("question-set-invalid", f"{qset.path}: {len(problems)} problem(s): " + "; ".join(problems[:5]),
                            "Fix the set (python -m pytest tests/test_grounding_bench.py lists them all).")
    out_dir.mkdir(parents=True, exist_ok=True)
    session = write_session(qset, out_dir / f"{qset.name}.session.jsonl")
    settings = load_settings(Path("/nonexistent/settings.toml"))  # defaults, never the user's file
    result = run_replay(session, qset.catalog_path, out_dir / "replay", settings=settings, audio=False,
                        use_recommender=True)
    by_msg: dict[str, dict] = {}
    for r in result.records:
        mid = r.get("msg_id")
        if mid is None:
            continue
        # several records for one message: grade the one with a reply
        if mid not in by_msg or (r.get("reply") and not by_msg[mid].get("reply")):
            by_msg[mid] = r
    grader = Grader(catalog)
    graded = [(q, by_msg.get(q.id), grader.grade(q, by_msg.get(q.id))) for q in qset.questions]
    return graded, result.summary


def _pct(a: int, n: int) -> str:
    return f"{100 * a / n:.0f}%" if n else "-"


def _table(title: str, counts: dict[str, dict[str, int]], order: list[str]) -> Table:
    t = Table(title=title, title_justify="left")
    t.add_column(title.split(" by ")[-1] if " by " in title else "group")
    for c in ("n", "correct", "partial", "wrong", "wrong spoken", "no answer", "(held)", "correct %"):
        t.add_column(c, justify="right")
    keys = [k for k in order if k in counts] + sorted(k for k in counts if k not in order and k != "total")
    for k in keys + (["total"] if "total" in counts else []):
        if k == "total":
            t.add_section()
        c = counts[k]
        ws = str(c["wrong_spoken"])
        t.add_row(k, str(c["n"]), str(c["correct"]), str(c["partial"]), str(c["wrong"]),
                  f"[bold red]{ws}[/]" if c["wrong_spoken"] else ws, str(c["no_answer"]), str(c["held"]),
                  _pct(c["correct"], c["n"]))
    return t


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", action="append", type=Path, dest="sets",
                    help="question set (.jsonl); repeatable (default: bench/questions/demo.jsonl)")
    ap.add_argument("--catalog", type=Path, help="catalog to use instead of the one each set's meta line names")
    ap.add_argument("--json", type=Path, help="write the figures and every grade to this JSON file")
    ap.add_argument("--out", type=Path, help="keep the sessions and replay outputs in this folder")
    ap.add_argument("--show", choices=("spoken", "wrong", "all"), default="spoken",
                    help="list wrong answers that would be spoken (default), every wrong answer, or every question")
    args = ap.parse_args(argv)
    console = Console()
    if not console.is_terminal:  # piped into a file: wide enough for the tables
        console = Console(width=160)
    sets = args.sets or [DEFAULT_SET]
    rows: list[tuple[str, Question, dict | None, Grade]] = []
    summaries = {}
    with tempfile.TemporaryDirectory() as tmp:
        base = args.out or Path(tmp)
        for path in sets:
            try:
                qset = load_set(path, catalog=args.catalog)
                t0 = time.perf_counter()
                graded, summary = run_set(qset, base / qset.name)
            except LiveHostError as exc:
                console.print("[red]error[/] " + escape(f"[{exc.code}] {exc.message}")
                              + (f"\n  {escape(exc.hint)}" if exc.hint else ""))
                return 1
            summaries[qset.name] = {"questions": len(graded), "catalog": str(qset.catalog_path),
                                    "seconds": round(time.perf_counter() - t0, 1),
                                    "latency_ms": summary.get("latency_ms")}
            rows += [(qset.name, q, r, g) for q, r, g in graded]

    def counts(key) -> dict[str, dict[str, int]]:
        c = tally((key(q, s), g) for s, q, _, g in rows)
        c["total"] = tally(("total", g) for _, _, _, g in rows)["total"]
        return c

    by_type, by_lang, by_ref = counts(lambda q, s: q.type), counts(lambda q, s: q.lang), counts(lambda q, s: q.ref)
    by_set = counts(lambda q, s: s)
    by_outcome = counts(lambda q, s: q.outcome)
    console.print(_table("Grounding by question type", by_type, list(QUESTION_TYPES)))
    console.print(_table("Grounding by expected outcome", by_outcome, ["answer", "no_such_product", "held"]))
    console.print(_table("Grounding by language", by_lang, ["zh", "en"]))
    console.print(_table("Grounding by how the product is named", by_ref, list(REFS)))
    if len(sets) > 1:
        console.print(_table("Grounding by set", by_set, []))

    listed = [(s, q, r, g) for s, q, r, g in rows
              if args.show == "all" or (g.verdict == "wrong" and (args.show == "wrong" or g.wrong_spoken))]
    title = {"spoken": "Wrong answers that would be spoken automatically",
             "wrong": "Every wrong answer", "all": "Every question"}[args.show]
    lt = Table(title=f"{title} ({len(listed)})", title_justify="left", show_lines=True)
    for c in ("id", "question", "reply", "verdict", "why"):
        lt.add_column(c, overflow="fold")
    for _, q, r, g in listed:
        reply = (r or {}).get("reply") or "-"
        tag = g.verdict + (" (spoken)" if g.wrong_spoken else " (held)" if g.held else "")
        lt.add_row(q.id, escape(q.text) + (f"  [dim](on air: {q.now_selling})[/]" if q.now_selling else ""),
                   escape(reply), tag, escape("; ".join(g.reasons) or "-"))
    console.print(lt)
    tot = by_type["total"]
    console.print(f"total {tot['n']}: correct {tot['correct']} ({_pct(tot['correct'], tot['n'])}), "
                  f"partial {tot['partial']}, wrong {tot['wrong']}, [bold]wrong spoken {tot['wrong_spoken']}[/], "
                  f"no answer {tot['no_answer']} (held {tot['held']})")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "sets": summaries, "total": tot, "by_type": by_type, "by_outcome": by_outcome, "by_lang": by_lang,
            "by_ref": by_ref, "by_set": by_set,
            "questions": [{"set": s, "id": q.id, "lang": q.lang, "type": q.type, "ref": q.ref, "text": q.text,
                           "now_selling": q.now_selling, "outcome": q.outcome, "verdict": g.verdict,
                           "wrong_spoken": g.wrong_spoken, "held": g.held, "reasons": list(g.reasons),
                           "facts_found": g.facts_found, "facts_total": g.facts_total,
                           "reply": (r or {}).get("reply"), "intent": (r or {}).get("intent"),
                           "product_id": (r or {}).get("product_id"), "held_reason": (r or {}).get("held_reason"),
                           "approved_by": (r or {}).get("approved_by")} for s, q, r, g in rows],
        }, ensure_ascii=False, indent=1), encoding="utf-8")
        console.print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
