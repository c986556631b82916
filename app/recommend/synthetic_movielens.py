"""A small SYNTHETIC data set in the MovieLens-100k file format, for tests and benchmarks.

MovieLens itself is not shipped (its licence forbids redistribution); this writes files with
the same layout (``u.data``: ``user<TAB>item<TAB>rating<TAB>timestamp``; ``u.item``:
``id|title|date|video date|url|19 genre flags``) from a documented generative model:

* each item has 1-3 genres (the 19 ml-100k genres), a latent vector ``w_i ~ N(0, I_d)`` and
  a popularity ``pi_i`` following a Zipf-like law (``1 / rank^0.8``);
* each user has genre tastes ``g_u ~ Dirichlet(0.4)`` and a latent vector ``z_u ~ N(0, I_d)``;
* affinity ``s(u, i) = 1.5 ln(1e-3 + 19 * mean g_u[genres i]) + z_u . w_i / sqrt(d)
  + ln pi_i + N(0, 0.5)``;
* a user rates ``20 + Geometric(1/40)`` items drawn without replacement with probability
  ``softmax(s(u, .))``; the rating is ``clip(round(3.2 + 0.7 (s - mean_u s) + N(0, 0.7)), 1, 5)``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from app.recommend.interactions_io import MOVIELENS_GENRES


def write_synthetic_movielens(folder: Path | str, *, users: int = 300, items: int = 400,
                              dims: int = 8, seed: int = 0) -> tuple[Path, Path]:
    """Write ``u.data`` and ``u.item`` into ``folder``; returns their paths."""
    rng = np.random.default_rng(seed)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    n_g = len(MOVIELENS_GENRES)
    genres = [rng.choice(np.arange(1, n_g), size=int(rng.integers(1, 4)), replace=False)
              for _ in range(items)]
    w = rng.normal(size=(items, dims))
    pop = 1.0 / (1.0 + rng.permutation(items)) ** 0.8
    item_path = folder / "u.item"
    with item_path.open("w", encoding="latin-1") as fh:
        for i in range(items):
            flags = ["1" if g in genres[i] else "0" for g in range(n_g)]
            fh.write(f"{i + 1}|Synthetic Film {i + 1} (1990)|01-Jan-1990||"
                     f"http://example.invalid/{i + 1}|{'|'.join(flags)}\n")
    data_path = folder / "u.data"
    t0 = 874_000_000
    with data_path.open("w", encoding="latin-1") as fh:
        for u in range(users):
            g = rng.dirichlet(np.full(n_g - 1, 0.4))
            z = rng.normal(size=dims)
            gm = np.array([g[genres[i] - 1].mean() for i in range(items)])
            s = (1.5 * np.log(1e-3 + (n_g - 1) * gm) + w @ z / np.sqrt(dims) + np.log(pop)
                 + rng.normal(0.0, 0.5, items))
            n = min(items - 1, 20 + int(rng.geometric(1 / 40)))
            p = np.exp(s - s.max())
            picked = rng.choice(items, size=n, replace=False, p=p / p.sum())
            centred = s[picked] - s[picked].mean()
            ratings = np.clip(np.round(3.2 + 0.7 * centred + rng.normal(0.0, 0.7, n)), 1, 5)
            for i, r in zip(picked, ratings):
                fh.write(f"{u + 1}\t{i + 1}\t{int(r)}\t{t0 + int(rng.integers(0, 10**7))}\n")
    return data_path, item_path
