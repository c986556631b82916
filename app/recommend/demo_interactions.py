"""Generate the SYNTHETIC demo interactions for the demo catalog (seeded, reproducible).

Run: ``python -m app.recommend.demo_interactions [--catalog assets/demo/catalog.csv]
[--out assets/demo/interactions.csv] [--viewers 400] [--sessions 8] [--seed 7]``.

Generative model (documented in ``assets/demo/INTERACTIONS.md``). No real shop data is used;
every row carries ``synthetic=yes``.

1. Each viewer ``v`` draws latent tastes: category affinities ``a_v ~ Dirichlet(0.3)`` over
   the catalog's categories (a few favourite categories), colour-family affinities
   ``c_v ~ Dirichlet(0.5)`` over the SKU colour families, a preferred price band
   ``b_v`` (0..5, bands of :data:`app.recommend.content.PRICE_BANDS`) and an activity level
   ``n_v ~ LogNormal(0, 0.6)``.
2. Each product ``p`` has an appeal ``q_p ~ N(0, 0.5)``.
3. Utility ``u(v,p) = 3 ln(K a_v[cat p]) / ln K'`` ... concretely
   ``u = 1.2 ln(1e-3 + K a_v[cat]) + 1.0 ln(1e-3 + F max_f c_v[f]) - 0.6 |band(p) - b_v|
   + q_p + e_vp`` with ``K`` categories, ``F`` colour families and ``e_vp ~ N(0, 0.7)`` fixed
   per pair (idiosyncratic taste).
4. Sessions are evenings (20:00-22:00 China time) on consecutive days. A viewer attends each
   with probability ``min(0.9, 0.3 n_v)``; when there, looks at ``1 + Poisson(1.5 n_v)``
   products drawn without replacement with probability ``softmax(u(v, .) / 0.7)``.
5. For each product looked at: ``asked``; then ``link_clicked`` with probability
   ``sigmoid(u - 0.5)``; after a click ``added_to_cart`` with ``sigmoid(u - 1.0)``; after the
   cart ``purchased`` with ``sigmoid(u - 0.5)``; after a purchase ``rated`` with probability
   0.4, ``rating = clip(round(3 + 0.8 u + N(0, 0.6)), 1, 5)``.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import math
from pathlib import Path

import numpy as np

from app.catalog.model import Catalog
from app.recommend.content import color_family, price_band
from app.recommend.interactions_io import write_interactions_csv
from app.store.sqlite import Interaction, viewer_key

_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CATALOG = _ROOT / "assets" / "demo" / "catalog.csv"
DEFAULT_OUT = _ROOT / "assets" / "demo" / "interactions.csv"
FIRST_SESSION = _dt.datetime(2026, 11, 20, 20, 0, tzinfo=_dt.timezone(_dt.timedelta(hours=8)))


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def generate(catalog: Catalog, *, viewers: int = 400, sessions: int = 8, seed: int = 7,
             platform: str = "douyin") -> list[Interaction]:
    """Synthetic interactions for ``catalog`` (model in the module docstring), oldest first."""
    rng = np.random.default_rng(seed)
    products = list(catalog.products)
    cats = sorted({p.category for p in products})
    fams = sorted({f for p in products for c in p.colors if (f := color_family(c))})
    cat_of = np.array([cats.index(p.category) for p in products])
    band_of = np.array([price_band(p.price) for p in products])
    fam_sets = [sorted({fams.index(f) for c in p.colors if (f := color_family(c))})
                for p in products]
    appeal = rng.normal(0.0, 0.5, len(products))
    out: list[Interaction] = []
    tastes = []
    for v in range(viewers):
        a = rng.dirichlet(np.full(len(cats), 0.3))
        c = rng.dirichlet(np.full(len(fams), 0.5)) if fams else np.zeros(0)
        b = int(rng.integers(0, 6))
        n = float(rng.lognormal(0.0, 0.6))
        col = np.array([max((c[f] for f in fs), default=1.0 / max(len(fams), 1))
                        for fs in fam_sets])
        u = (1.2 * np.log(1e-3 + len(cats) * a[cat_of])
             + 1.0 * np.log(1e-3 + max(len(fams), 1) * col)
             - 0.6 * np.abs(band_of - b) + appeal + rng.normal(0.0, 0.7, len(products)))
        tastes.append((u, n))
    for s in range(sessions):
        start = FIRST_SESSION + _dt.timedelta(days=s)
        sid = f"demo-{start:%Y-%m-%d}"
        for v, (u, n) in enumerate(tastes):
            if rng.random() >= min(0.9, 0.3 * n):
                continue
            k = min(len(products), 1 + int(rng.poisson(1.5 * n)))
            p = np.exp((u - u.max()) / 0.7)
            picks = rng.choice(len(products), size=k, replace=False, p=p / p.sum())
            vkey = viewer_key(platform, f"v{v + 1:04d}")
            for i in picks:
                t = start.timestamp() + float(rng.uniform(0, 7200))
                pid = products[i].product_id
                ui = float(u[i])
                out.append(Interaction(vkey, pid, "asked", None, t, sid))
                if rng.random() >= _sigmoid(ui - 0.5):
                    continue
                t += float(rng.uniform(5, 60))
                out.append(Interaction(vkey, pid, "link_clicked", None, t, sid))
                if rng.random() >= _sigmoid(ui - 1.0):
                    continue
                t += float(rng.uniform(5, 120))
                out.append(Interaction(vkey, pid, "added_to_cart", None, t, sid))
                if rng.random() >= _sigmoid(ui - 0.5):
                    continue
                t += float(rng.uniform(5, 300))
                out.append(Interaction(vkey, pid, "purchased", None, t, sid))
                if rng.random() < 0.4:
                    r = int(np.clip(round(3 + 0.8 * ui + rng.normal(0.0, 0.6)), 1, 5))
                    out.append(Interaction(vkey, pid, "rated", float(r),
                                           t + 86400 * float(rng.uniform(2, 6)), sid))
    out.sort(key=lambda it: it.at)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--catalog", type=Path, default=DEFAULT_CATALOG)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--viewers", type=int, default=400)
    ap.add_argument("--sessions", type=int, default=8)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    from app.catalog.importer import load_catalog

    catalog = load_catalog(args.catalog).catalog
    rows = generate(catalog, viewers=args.viewers, sessions=args.sessions, seed=args.seed)
    n = write_interactions_csv(args.out, rows, extra={"synthetic": "yes"})
    print(f"wrote {n} synthetic interactions to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
