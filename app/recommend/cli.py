"""``livehost recommend``: top-k for a viewer, and ``livehost recommend evaluate``.

Usage::

    livehost recommend --viewer douyin:v0001 [--budget 200] [--color red] [--size M]
        [--height 160 --weight 50] [--recipient mother] [--listing 3] [--text MESSAGE] [--k 3]
        [--catalog FILE] [--interactions FILE] [--db livehost.db] [--session ID] [--json]

    livehost recommend evaluate --interactions FILE [--items FILE] [--format csv|movielens]
        [--k 10] [--test-fraction 0.25] [--seed 0] [--json]

Without ``--catalog``/``--interactions`` the demo catalog and the synthetic demo
interactions in ``assets/demo/`` are used. For ``evaluate --format csv``, ``--items`` is a
catalog file (product features for the content model); for ``--format movielens`` it is the
``u.item`` file and ``--interactions`` the ``u.data`` file.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from decimal import Decimal, InvalidOperation
from pathlib import Path

from app.errors import LiveHostError

_ROOT = Path(__file__).resolve().parents[2]
DEMO_CATALOG = _ROOT / "assets" / "demo" / "catalog.csv"
DEMO_INTERACTIONS = _ROOT / "assets" / "demo" / "interactions.csv"


def _decimal(text: str) -> Decimal:
    try:
        d = Decimal(text)
    except InvalidOperation as exc:
        raise argparse.ArgumentTypeError(f"not an amount in yuan: {text!r}") from exc
    if d < 0:
        raise argparse.ArgumentTypeError("amount must be >= 0")
    return d


def _recommend_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="livehost recommend",
                                 description="Recommend products for a viewer, with reasons.")
    ap.add_argument("--viewer", required=True,
                    help="viewer key platform:uid (or a uid, with --platform)")
    ap.add_argument("--platform", default="douyin", help="platform for a bare uid")
    ap.add_argument("--budget", type=_decimal, help="maximum price, yuan")
    ap.add_argument("--budget-min", type=_decimal, help="minimum price, yuan")
    ap.add_argument("--color", help="colour family (red, black ...) or a colour word (酒红)")
    ap.add_argument("--size", help="garment/shoe size (M, XL, 38)")
    ap.add_argument("--height", type=float, help="height, cm")
    ap.add_argument("--weight", type=float, help="weight, kg")
    ap.add_argument("--recipient", help="mother, father, wife, husband, girlfriend, boyfriend, "
                                        "child, elder, friend, gift, self")
    ap.add_argument("--listing", type=int, help="listing number the viewer is asking about")
    ap.add_argument("--text", default="", help="the viewer's message (categories/tags it names "
                                               "are preferred), e.g. 学生党有什么推荐")
    ap.add_argument("--k", type=int, default=3, help="how many products (default 3)")
    ap.add_argument("--catalog", type=Path, default=DEMO_CATALOG)
    ap.add_argument("--interactions", type=Path, default=DEMO_INTERACTIONS,
                    help="order export / interactions file (CSV/XLSX)")
    ap.add_argument("--db", type=Path, help="also use the interactions recorded live in this "
                                            "LiveHost database (SQLite file)")
    ap.add_argument("--session", help="live session whose sales count as tonight "
                                      "(default: the latest in the interactions)")
    ap.add_argument("--json", action="store_true", help="print JSON")
    return ap


def _evaluate_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="livehost recommend evaluate",
                                 description="Offline top-k evaluation of the ranking methods.")
    ap.add_argument("--interactions", type=Path, required=True)
    ap.add_argument("--items", type=Path, help="catalog file (csv) or u.item (movielens)")
    ap.add_argument("--format", choices=("csv", "movielens"), default="csv")
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--test-fraction", type=float, default=0.25)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true")
    return ap


def main(argv: list[str]) -> int:
    """Entry point for ``livehost recommend ...``; returns the exit code (0 ok, 2 error)."""
    try:
        if argv and argv[0] == "evaluate":
            return _evaluate(_evaluate_parser().parse_args(argv[1:]))
        return _recommend(_recommend_parser().parse_args(argv))
    except LiveHostError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        return 2


def _load_catalog(path: Path):
    from app.catalog.importer import load_catalog

    return load_catalog(path).catalog


def _recommend(args: argparse.Namespace) -> int:
    from app.events import Slots
    from app.recommend.content import color_family
    from app.recommend.interactions_io import normalise_viewer_key
    from app.recommend.stage import build_recommender

    catalog = _load_catalog(args.catalog)
    store = None
    if args.db is not None:
        if not args.db.is_file():
            raise LiveHostError("recommend-db-missing", f"No LiveHost database at {args.db}.",
                                "Give the path of livehost.db, or leave --db out.")
        from app.store.sqlite import SqliteStore

        store = SqliteStore(args.db)
    rec = build_recommender(catalog, store=store, interactions_file=args.interactions,
                            auto_refit=False)
    if store is not None:
        store.close()
    rec.fit()
    color = None
    if args.color:
        color = args.color.lower() if args.color.lower() in (
            "red", "pink", "orange", "yellow", "green", "blue", "purple", "brown", "beige",
            "white", "grey", "black", "gold", "silver", "multi") else color_family(args.color)
        if color is None:
            raise LiveHostError("recommend-bad-color", f"Unknown colour {args.color!r}.",
                                "Use a colour family such as red, black, beige, or 红/黑/米白.")
    slots = Slots(listing_number=args.listing, color=color, color_word=args.color,
                  size=args.size, height_cm=args.height, weight_kg=args.weight,
                  budget_max=args.budget, budget_min=args.budget_min, recipient=args.recipient)
    viewer = normalise_viewer_key(args.viewer, args.platform)
    exclude = ()
    if args.listing is not None and catalog.by_listing(args.listing) is not None:
        exclude = (catalog.by_listing(args.listing).product_id,)
    t0 = time.perf_counter()
    result = rec.recommend(viewer, slots, k=args.k, session_id=args.session, exclude=exclude,
                           query=args.text)
    ms = (time.perf_counter() - t0) * 1000
    history = rec.history(viewer)
    if args.json:
        print(json.dumps({
            "viewer": viewer, "method": result.method, "components": list(result.components),
            "known_interactions": len(history), "slots": slots.as_dict(),
            "items": [{"product_id": it.product_id,
                       "listing_number": catalog.get(it.product_id).listing_number,
                       "title": catalog.get(it.product_id).title,
                       "price": format(catalog.get(it.product_id).price, "f"),
                       "score": round(it.score, 4), "reason_zh": it.reason_zh,
                       "reason_en": it.reason_en} for it in result.items]},
            ensure_ascii=False, indent=2))
        return 0
    who = f"returning viewer, {len(history)} products in history" if history else "new viewer"
    print(f"{viewer} ({who}); method {result.method} "
          f"[{', '.join(result.components)}]; {ms:.1f} ms")
    if not result.items:
        print("no product passes the filters (stock, size, budget)")
    for n, it in enumerate(result.items, start=1):
        p = catalog.get(it.product_id)
        num = f"{p.listing_number}号" if p.listing_number is not None else "-"
        print(f"{n}. [{num}] {p.title}  ¥{format(p.price, 'f')}  ({it.product_id})")
        print(f"   {it.reason_zh}")
        print(f"   {it.reason_en}")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from app.recommend.evaluate import evaluate, format_table, results_json

    catalog = None
    item_ids = None
    features = None
    if args.format == "movielens":
        from app.recommend.interactions_io import load_movielens

        interactions, features, _titles = load_movielens(args.interactions, args.items)
        if features:
            item_ids = sorted(set(features) | {it.product_id for it in interactions})
    else:
        from app.recommend.interactions_io import load_order_export

        interactions = list(load_order_export(args.interactions).interactions)
        if args.items is not None:
            catalog = _load_catalog(args.items)
        else:
            print("note: no --items catalog given: 'content' has no product features and ranks "
                  "like popularity; pass --items CATALOG for content matching.", file=sys.stderr)
    if not interactions:
        raise LiveHostError("recommend-no-interactions",
                            f"{args.interactions} has no interactions.",
                            "Check the file and its --format.")
    t0 = time.perf_counter()
    results = evaluate(interactions, catalog=catalog, item_ids=item_ids, item_features=features,
                       k=args.k, test_fraction=args.test_fraction, seed=args.seed)
    wall = time.perf_counter() - t0
    if args.json:
        print(json.dumps({"k": args.k, "test_fraction": args.test_fraction, "seed": args.seed,
                          "interactions": len(interactions), "wall_s": round(wall, 3),
                          "methods": results_json(results)}, indent=2))
    else:
        print(f"{len(interactions)} interactions, k={args.k}, test fraction "
              f"{args.test_fraction}, seed {args.seed}; wall {wall:.1f} s")
        print(format_table(results, args.k))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
