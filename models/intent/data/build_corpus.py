"""Build the intent-classifier TRAINING corpus (``train.jsonl``) for LiveHost.

Usage (from the repo root)::

    .venv/bin/python models/intent/data/build_corpus.py --shared ../shared/data \
        --out models/intent/data/train.jsonl [--exclude models/intent/data/test.jsonl]

``--exclude`` drops training texts that also occur in the held-out set (the committed file is
built with it; only the number of dropped rows is printed). ``--skip-source bitext`` leaves out
the CDLA-Sharing-1.0 rows.

Inputs
------
* ``<shared>/intent/rasa_shopping_bot_nlu.md`` (Apache-2.0), ``clinc150_data_full.json`` (CC-BY-3.0),
  ``bitext_customer_support_sample.csv`` (CDLA-Sharing-1.0): only the source intents listed in
  ``RASA_MAP`` / ``CLINC_MAP`` / ``BITEXT_MAP`` are used, each capped (``cap``) so English
  customer-service phrasing does not dominate. See ``SOURCES.md`` next to this file.
* ``handwritten/<label>.txt``: the project's own live-room messages, one per line (``#`` = comment).
* ``handwritten/templates/<label>.txt`` + ``handwritten/slots.json``: a small number of templates
  with ``{slot}`` placeholders; at most ``TEMPLATE_SHARE`` of a label's hand-written lines come from
  templates, so most lines stay distinct natural phrasings.

Output: JSON Lines ``{"text": str, "intent": one of app.understanding.labels.INTENTS,
"source": "rasa"|"bitext"|"clinc150"|"handwritten"}``, deduplicated on whitespace-collapsed,
case-folded text; a text that would carry two different labels is dropped from the mapped source
(hand-written wins) and a conflict inside the hand-written files is an error. Same inputs and seed
give a byte-identical file.

Raises ``SystemExit`` with a message when an input file is missing or a hand-written line conflicts.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import unicodedata
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent

INTENTS: tuple[str, ...] = (
    "greeting", "price", "discount", "size_fit", "product_detail", "stock", "shipping",
    "after_sales", "purchase_intent", "recommendation_request", "compliment", "complaint",
    "spam", "chitchat",
)
"""Copy of app.understanding.labels.INTENTS (checked against it at run time when importable)."""

# source intent -> (our label, cap, optional filter name)
RASA_MAP: dict[str, tuple[str, int, str | None]] = {
    "cloth_start": ("stock", 10, None),
    "inform_ask_delivery": ("shipping", 10, None),
    "inform_choose_delivery": ("shipping", 10, None),
    "inform_height_weight": ("size_fit", 13, None),
    "inform_unknown_size": ("size_fit", 10, "rasa_unknown_size"),
    "inform_size": ("purchase_intent", 10, "rasa_want_size"),
    "greet": ("greeting", 10, None),
    "goodbye": ("greeting", 10, "not_ok"),
    "child_ask_child": ("product_detail", 10, None),
}

CLINC_MAP: dict[str, tuple[str, int, str | None]] = {
    "greeting": ("greeting", 55, "no_assistant"),
    "goodbye": ("greeting", 40, "no_assistant"),
    "order_status": ("shipping", 35, None),
    # unrelated-domain small talk -> chitchat
    "what_song": ("chitchat", 15, None),
    "where_are_you_from": ("chitchat", 10, "no_assistant"),
    "how_old_are_you": ("chitchat", 10, "no_assistant"),
    "what_are_your_hobbies": ("chitchat", 10, None),
    "do_you_have_pets": ("chitchat", 10, None),
    "are_you_a_bot": ("chitchat", 10, None),
    "tell_joke": ("chitchat", 8, None),
    "fun_fact": ("chitchat", 8, None),
    "weather": ("chitchat", 10, None),
    "meaning_of_life": ("chitchat", 6, None),
    "next_holiday": ("chitchat", 6, None),
    "time": ("chitchat", 6, None),
    "travel_suggestion": ("chitchat", 6, "no_shopping"),
    "oos": ("chitchat", 30, "no_shopping"),
}

BITEXT_MAP: dict[str, tuple[str, int, str | None]] = {
    "delivery_period": ("shipping", 30, None),
    "delivery_options": ("shipping", 30, None),
    "track_order": ("shipping", 15, None),
    "get_refund": ("after_sales", 25, "no_profanity"),
    "check_refund_policy": ("after_sales", 25, "no_profanity"),
    "track_refund": ("after_sales", 15, "no_profanity"),
    "complaint": ("complaint", 35, None),
    "place_order": ("purchase_intent", 30, "no_profanity"),
}

TEMPLATE_SHARE = 0.25
"""Upper bound on template-generated lines as a fraction of a label's hand-written file lines."""

TRAD_SHARE = 0.06
"""Fraction of Chinese hand-written lines rewritten in traditional characters (OpenCC ``s2tw``),
because viewers from Taiwan, Hong Kong and overseas type them; the rest stay simplified."""


def _traditional_converter():
    try:
        import opencc  # noqa: PLC0415  (the `opencc` wheel; a project dependency)
    except ImportError as exc:  # pragma: no cover
        raise SystemExit("build_corpus.py needs the `opencc` package (pip install opencc)") from exc
    return opencc.OpenCC("s2tw")

SHOPPING_WORDS = re.compile(
    r"(\$|\b(how much|pric\w*|cost\w*|expensive|cheap\w*|deal\w*|discount\w*|coupon\w*|ship\w*|"
    r"deliver\w*|order\w*|refund\w*|return\w*|size\w*|fit\w*|stock\w*|buy\w*|bought|purchas\w*|"
    r"recommend\w*|suggest\w*|best|scam\w*|complain\w*|worst|sale\w*|sell\w*|shop\w*|store\w*|"
    r"brand\w*|wear\w*|colou?r\w*|package\w*|suit\w*|dress\w*|shoe\w*|gift\w*|money|pay\w*|"
    r"dollars?|amazon|ebay)\b)", re.I)
SENSITIVE_WORDS = re.compile(
    r"\b(prostitut\w*|playboy|murder\w*|muslims?|christians?|kill\w*|sex\w*|drugs?|gun\w*|"
    r"fake news|weapon\w*|bomb\w*|die|death|dead)\b", re.I)
ASSISTANT_WORDS = re.compile(
    r"\b(ai|assistant|device|robot|computer|bot|machine|program|siri|alexa|google|cortana)\b", re.I)
PROFANITY = re.compile(r"\b(fuck\w*|goddamn|damn|bloody|shit\w*)\b", re.I)


def _passes(text: str, filt: str | None) -> bool:
    if filt is None:
        return True
    if filt == "no_assistant":
        return not ASSISTANT_WORDS.search(text)
    if filt == "no_shopping":  # small talk must not look like a shopping question
        return not SHOPPING_WORDS.search(text) and not SENSITIVE_WORDS.search(text)
    if filt == "no_profanity":
        return not PROFANITY.search(text)
    if filt == "not_ok":
        return text.strip().lower() not in {"ok", "okay"}
    if filt == "rasa_unknown_size":
        return "码" in text  # "不清楚" alone says nothing about size
    if filt == "rasa_want_size":
        return text.startswith("我要")  # a bare "M码的" is too ambiguous for a live room
    raise ValueError(f"unknown filter {filt}")


def normalise(text: str) -> str:
    """Collapse every whitespace run to one space and strip the ends."""
    return re.sub(r"\s+", " ", text).strip()


def dedup_key(text: str) -> str:
    """Key used for deduplication and test-set exclusion: NFKC, case-folded, all whitespace
    removed (so "hello 主播" and "Hello主播" are the same text)."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def _sample(items: list[str], cap: int, rng: random.Random) -> list[str]:
    items = sorted(set(items))
    if len(items) <= cap:
        return items
    return sorted(rng.sample(items, cap))


def load_rasa(path: Path) -> dict[str, list[str]]:
    """Parse Rasa markdown NLU: ``## intent:name`` headers, ``- text`` lines, ``[v](e)`` entities."""
    out: dict[str, list[str]] = defaultdict(list)
    intent = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        m = re.match(r"##\s*intent:\s*([\w]+)", line)
        if m:
            intent = m.group(1)
            continue
        if line.startswith("- ") and intent:
            text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", line[2:])
            out[intent].append(normalise(text))
    return out


def load_clinc(path: Path) -> dict[str, list[str]]:
    """CLINC150 ``train`` and ``oos_train`` splits only (its val/test splits stay unused, so an
    evaluation set drawn from them cannot overlap)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    out: dict[str, list[str]] = defaultdict(list)
    for split in ("train", "oos_train"):
        for text, intent in data[split]:
            out[intent].append(normalise(text))
    return out


def load_bitext(path: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            text = normalise(row["instruction"])
            if "{{" in text:  # anonymisation placeholders are not chat
                continue
            if len(text.split()) < 4 or re.search(r"\d{5,}", text):
                continue  # "reimburse $3", "track order 3707955617": form-like, not chat
            out[row["intent"]].append(text)
    return out


def map_source(name: str, table: dict[str, list[str]], mapping: dict, rng: random.Random,
               stats: dict) -> list[dict]:
    rows = []
    for src_intent in sorted(mapping):
        label, cap, filt = mapping[src_intent]
        cands = [t for t in table.get(src_intent, []) if t and _passes(t, filt)]
        chosen = _sample(cands, cap, rng)
        stats[(name, src_intent, label)] = len(chosen)
        rows += [{"text": t, "intent": label, "source": name} for t in chosen]
    return rows


def read_lines(path: Path) -> list[str]:
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = normalise(raw)
        if line and not line.startswith("#"):
            lines.append(line)
    return lines


def expand_templates(path: Path, slots: dict[str, list[str]], budget: int,
                     rng: random.Random) -> list[str]:
    """Fill ``{slot}`` placeholders with values from ``slots``; return up to ``budget`` lines.

    Each template contributes at most ``ceil(budget / n_templates) + 1`` lines so no single
    template dominates.
    """
    if not path.exists() or budget <= 0:
        return []
    templates = read_lines(path)
    if not templates:
        return []
    per = budget // len(templates) + 1
    out: list[str] = []
    for tpl in templates:
        names = re.findall(r"\{(\w+)\}", tpl)
        for n in names:
            if n not in slots:
                raise SystemExit(f"{path}: unknown slot {{{n}}} in template {tpl!r}")
        made: set[str] = set()
        for _ in range(per * 6):
            if len(made) >= per:
                break
            text, used = tpl, []
            for n in names:
                # a slot used twice ("{num}号和{num}号") gets two different values
                value = rng.choice([v for v in slots[n] if (n, v) not in used] or slots[n])
                used.append((n, value))
                text = text.replace("{" + n + "}", value, 1)
            made.add(normalise(text))
        out += sorted(made)
    rng.shuffle(out)
    return out[:budget]


SOURCE_FILES = {"rasa": "rasa_shopping_bot_nlu.md", "clinc150": "clinc150_data_full.json",
                "bitext": "bitext_customer_support_sample.csv"}
EXTRACT = HERE / "sources_extract.json"
"""The mapped public sources' candidate texts (only the source intents the maps use, after the
loaders' filters), so the corpus rebuilds from the repository alone; refreshed from the full
public files with ``--shared DIR --write-extract``. Licences: ``LICENSES/`` (see SOURCES.md)."""


def load_sources(shared: Path) -> dict[str, dict[str, list[str]]]:
    """Source name -> {source intent: texts}: from the shared data folder (the full public files)
    or from :data:`EXTRACT` (a file)."""
    shared = Path(shared)
    if shared.is_file():
        data = json.loads(shared.read_text(encoding="utf-8"))
        return {name: {k: list(v) for k, v in data[name].items()} for name in SOURCE_FILES}
    intent_dir = shared / "intent"
    for f in SOURCE_FILES.values():
        if not (intent_dir / f).exists():
            raise SystemExit(f"missing input {intent_dir / f}")
    return {"rasa": load_rasa(intent_dir / SOURCE_FILES["rasa"]),
            "clinc150": load_clinc(intent_dir / SOURCE_FILES["clinc150"]),
            "bitext": load_bitext(intent_dir / SOURCE_FILES["bitext"])}


def write_extract(shared: Path, out: Path = EXTRACT) -> None:
    """Keep only what the maps read from the public sources, for rebuilding without them."""
    tables = load_sources(shared)
    maps = {"rasa": RASA_MAP, "clinc150": CLINC_MAP, "bitext": BITEXT_MAP}
    extract = {name: {k: tables[name].get(k, []) for k in sorted(maps[name])} for name in SOURCE_FILES}
    out.write_text(json.dumps(extract, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")


def build(shared: Path, seed: int, exclude: list[Path],
          skip: frozenset[str] = frozenset()) -> tuple[list[dict], dict]:
    """Assemble the corpus rows (shuffled with ``seed``) and per-source statistics.

    ``exclude``: JSONL files whose texts (by ``dedup_key``) are removed from the output.
    ``skip``: mapped sources to leave out entirely ("rasa", "clinc150", "bitext"), e.g. ``bitext``
    to avoid the CDLA-Sharing-1.0 share-alike obligation on the output file.
    """
    rng = random.Random(seed)
    tables = load_sources(shared)
    stats: dict = {}

    # 1. hand-written (authoritative)
    hw_dir = HERE / "handwritten"
    slots = json.loads((hw_dir / "slots.json").read_text(encoding="utf-8"))
    to_trad = _traditional_converter()
    seen: dict[str, str] = {}
    rows: list[dict] = []
    conflicts: list[str] = []
    for label in INTENTS:
        path = hw_dir / f"{label}.txt"
        if not path.exists():
            raise SystemExit(f"missing hand-written file {path}")
        lines = read_lines(path)
        n_trad = 0
        for i, line in enumerate(lines):
            if re.search(r"[\u4e00-\u9fff]", line) and rng.random() < TRAD_SHARE:
                converted = to_trad.convert(line)
                if converted != line:
                    lines[i] = converted
                    n_trad += 1
        stats[("handwritten", "traditional", label)] = n_trad
        budget = int(len(lines) * TEMPLATE_SHARE)
        tpl_lines = expand_templates(hw_dir / "templates" / f"{label}.txt", slots, budget, rng)
        n_file = n_tpl = 0
        for i, text in enumerate(lines + tpl_lines):
            from_tpl = i >= len(lines)
            k = dedup_key(text)
            if k in seen:
                if seen[k] != label and not from_tpl:
                    conflicts.append(f"{text!r}: {seen[k]} vs {label}")
                continue
            seen[k] = label
            rows.append({"text": text, "intent": label, "source": "handwritten"})
            if from_tpl:
                n_tpl += 1
            else:
                n_file += 1
        stats[("handwritten", "file", label)] = n_file
        stats[("handwritten", "template", label)] = n_tpl
    if conflicts:
        raise SystemExit("hand-written lines with two labels:\n  " + "\n  ".join(conflicts))

    # 2. mapped public sources (capped)
    mapped: list[dict] = []
    for name, mapping in (("rasa", RASA_MAP), ("clinc150", CLINC_MAP), ("bitext", BITEXT_MAP)):
        if name not in skip:
            mapped += map_source(name, tables[name], mapping, rng, stats)
    for r in mapped:
        k = dedup_key(r["text"])
        if k in seen:
            continue  # duplicate, or a conflicting label: hand-written / first seen wins
        seen[k] = r["intent"]
        rows.append(r)

    # 3. optional decontamination against other files (e.g. a held-out set), opt-in only
    if exclude:
        banned = set()
        for p in exclude:
            with p.open(encoding="utf-8") as fh:
                for line in fh:
                    if line.strip():
                        banned.add(dedup_key(json.loads(line)["text"]))
        before = len(rows)
        rows = [r for r in rows if dedup_key(r["text"]) not in banned]
        stats[("excluded", "overlap", "-")] = before - len(rows)

    rng.shuffle(rows)
    return rows, stats


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=EXTRACT,
                    help="the shared data dir (has intent/) or the extract file (default: sources_extract.json)")
    ap.add_argument("--write-extract", action="store_true",
                    help="with --shared DIR: refresh sources_extract.json from the full public files")
    ap.add_argument("--out", type=Path, required=True, help="output train.jsonl")
    ap.add_argument("--seed", type=int, default=20261129)
    ap.add_argument("--exclude", type=Path, action="append", default=[],
                    help="JSONL file whose texts must not appear in the output (repeatable)")
    ap.add_argument("--skip-source", action="append", default=[],
                    choices=["rasa", "clinc150", "bitext"],
                    help="leave a mapped public source out (repeatable)")
    args = ap.parse_args(argv)

    try:  # keep the label copy honest when run inside the repo
        sys.path.insert(0, str(HERE.parents[2]))
        from app.understanding.labels import INTENTS as APP_INTENTS  # noqa: PLC0415
        if tuple(APP_INTENTS) != INTENTS:
            raise SystemExit("INTENTS differ from app.understanding.labels")
    except ImportError:
        pass

    if args.write_extract:
        write_extract(args.shared)
    rows, stats = build(args.shared, args.seed, args.exclude, frozenset(args.skip_source))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")

    by_label = Counter(r["intent"] for r in rows)
    by_source = Counter(r["source"] for r in rows)
    table = defaultdict(Counter)
    for r in rows:
        table[r["intent"]][r["source"]] += 1
    print(f"wrote {len(rows)} examples to {args.out}")
    srcs = ["handwritten", "rasa", "clinc150", "bitext"]
    print(f"{'label':24s}" + "".join(f"{s:>12s}" for s in srcs) + f"{'total':>8s}")
    for label in INTENTS:
        print(f"{label:24s}" + "".join(f"{table[label][s]:12d}" for s in srcs)
              + f"{by_label[label]:8d}")
    print(f"{'total':24s}" + "".join(f"{by_source[s]:12d}" for s in srcs) + f"{len(rows):8d}")
    tpl = sum(v for (s, kind, _), v in stats.items() if s == "handwritten" and kind == "template")
    print(f"hand-written lines from templates: {tpl}")
    trad = sum(v for (s, kind, _), v in stats.items() if s == "handwritten" and kind == "traditional")
    print(f"hand-written lines rewritten in traditional characters: {trad}")
    print("mapped source intents (sampled, before cross-source dedup and --exclude):")
    for (src, src_intent, label), n in sorted(stats.items()):
        if src in ("rasa", "clinc150", "bitext"):
            print(f"  {src:9s} {src_intent:24s} -> {label:16s} {n:4d}")
    if ("excluded", "overlap", "-") in stats:
        print(f"dropped for overlap with --exclude files: {stats[('excluded', 'overlap', '-')]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
