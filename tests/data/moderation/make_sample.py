"""Rebuild this folder's corpus samples from the full corpora (run once by hand):

    python tests/data/moderation/make_sample.py <folder with cold/ and davidson/>

Seeded (0) random rows, copied unchanged with their header: COLD train 200 / dev 100 / test 200,
Davidson 300 (its LICENSE files beside them).
"""

import csv
import random
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def sample(src: Path, dst: Path, n: int, encoding: str, rng: random.Random) -> None:
    with open(src, encoding=encoding, newline="") as fh:
        rows = list(csv.reader(fh))
    head, body = rows[0], rows[1:]
    picked = sorted(rng.sample(range(len(body)), n))
    dst.parent.mkdir(parents=True, exist_ok=True)
    with open(dst, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([c.lstrip("\ufeff") for c in head])
        w.writerows(body[i] for i in picked)


def main(data: Path) -> None:
    rng = random.Random(0)
    for name, n in (("train", 200), ("dev", 100), ("test", 200)):
        sample(data / "cold" / f"{name}.csv", HERE / "cold" / f"{name}.csv", n, "utf-8-sig", rng)
    shutil.copyfile(data / "cold" / "LICENSE", HERE / "cold" / "LICENSE")
    sample(data / "davidson" / "labeled_data.csv", HERE / "davidson" / "labeled_data.csv", 300, "utf-8", rng)
    shutil.copyfile(data / "davidson" / "LICENSE", HERE / "davidson" / "LICENSE")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
