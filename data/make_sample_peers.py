"""Make the SAMPLE peer benchmark file data/dsa_peers_SAMPLE.parquet (seeded, reproducible).

Run from the project root:  .venv/bin/python data/make_sample_peers.py

SYNTHETIC, NOT THE DATABASE'S DATA. Seven days of made-up statements of reasons
(``modlean.dsa.synthetic_dump``) for four platforms whose automated shares follow
their published DSA transparency reports (DOMAIN.md 3.3: AliExpress, Temu and
Amazon Store H1 2026, TikTok H2 2025; ``modlean.dsa.PUBLISHED_PEERS``); volumes,
categories, detection where unpublished, account shares and lags are invented.
The days are zipped as the Commission zips a dump and counted by the same
``modlean.dsa.peer_benchmarks`` a real run uses, so the notebook has peers to show
without downloading anything. The file's metadata says it is a sample. For real
benchmarks run ``modlean dsa peers`` on the database's daily dumps.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd

from modlean.dsa import (
    PUBLISHED_PEERS,
    peer_benchmarks,
    synthetic_dump,
    write_benchmarks,
    write_dump_zip,
)

ROOT = Path(__file__).resolve().parent
OUT = ROOT / "dsa_peers_SAMPLE.parquet"
FIRST_DAY, DAYS, ROWS_PER_DAY, SEED = "2026-03-02", 7, 4000, 31
SAMPLE = ("SYNTHETIC SAMPLE made by data/make_sample_peers.py: made-up statements; the "
          "automated decision shares follow the platforms' published DSA transparency reports "
          "(AliExpress, Temu, Amazon Store H1 2026; TikTok H2 2025); volumes, categories, lags "
          "and the other shares are invented. Not the Transparency Database's data.")


def main() -> Path:
    """Write the sample file and return its path."""
    days = pd.date_range(FIRST_DAY, periods=DAYS, freq="D").strftime("%Y-%m-%d")
    with tempfile.TemporaryDirectory() as folder:
        dumps = [write_dump_zip([synthetic_dump(ROWS_PER_DAY, seed=SEED + i, day=day)],
                                Path(folder) / f"sor-global-{day}-full.zip")
                 for i, day in enumerate(days)]
        counts = peer_benchmarks(dumps, [p.name for p in PUBLISHED_PEERS], workers=1)
    return write_benchmarks(counts, OUT, sample=SAMPLE)


if __name__ == "__main__":
    print(f"wrote {main()}")
