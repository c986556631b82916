"""``livehost recommend``: top-k for a viewer, and ``livehost recommend evaluate``.

Without ``--catalog``/``--interactions`` the demo catalog and the synthetic demo interactions in
``assets/demo/`` are used. For ``evaluate --format csv``, ``--items`` is a catalog file (product
features for the content model); for ``--format movielens`` it is the ``u.item`` file and
``--interactions`` the ``u.data`` file.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from app.errors import LiveHostError


def _load_catalog(path: Path):
    from app.catalog.importer import load_catalog

    return load_catalog(path).catalog


def run(args) -> int:
    """``livehost recommend --viewer ...``."""
    if args.viewer is None:
        raise LiveHostError("usage", "livehost recommend needs --viewer PLATFORM:UID (or `recommend evaluate ...`).",
                            "Example: livehost recommend --viewer douyin:v0001 --budget 200")
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


def evaluate(args) -> int:
    """``livehost recommend evaluate ...``."""
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
