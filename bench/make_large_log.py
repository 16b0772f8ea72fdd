"""A seeded moderation log of any size, written as a hive-partitioned Parquet dataset.

    .venv/bin/python bench/make_large_log.py /tmp/large 1e8

One folder per day (``day=2026-03-01/part-0.parquet``), 200,000 cases a day, each
day made by :func:`bench_mining.make_log` with its own seed (the same moderation
process: about 7 events per case, rework loops, ties at equal seconds, 200
resources) and written before the next day is made, so the generator holds one
day in memory (about 1.4 million events) whatever the total size.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_mining import make_log

CASES_PER_DAY = 200_000
EVENTS_PER_CASE = 7.0  # about what make_log's process gives; the last day is cut to size


def write_dataset(folder: Path, n_events: int, seed: int = 7) -> dict[str, float]:
    """Write about ``n_events`` events under ``folder``; return events, cases and days."""
    folder.mkdir(parents=True, exist_ok=True)
    per_day = int(CASES_PER_DAY * EVENTS_PER_CASE)
    written = cases = days = 0
    while n_events - written >= 100:  # a loop over days, each day vectorised
        day = make_log(min(per_day, n_events - written), seed=seed * 100_003 + days)
        date = pd.Timestamp("2026-03-01", tz="UTC") + pd.Timedelta(days=days)
        # make_log spreads a day's arrivals over 30 days from 2026-03-01: shift to this day
        day["timestamp"] = day["timestamp"] + pd.Timedelta(days=days)
        day["case_id"] = f"{date:%m%d}-" + day["case_id"].astype(str)
        out = folder / f"day={date:%Y-%m-%d}"
        out.mkdir(exist_ok=True)
        day.to_parquet(out / "part-0.parquet", index=False)
        written += len(day)
        cases += int(day["case_id"].nunique())
        days += 1
    return {"events": written, "cases": cases, "days": days}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("events", type=float, help="events to write, e.g. 1e8")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    made = write_dataset(args.folder, int(args.events), args.seed)
    print(f"{made['events']:,} events, {made['cases']:,} cases, {made['days']} days "
          f"in {time.perf_counter() - t0:.0f} s -> {args.folder}")


if __name__ == "__main__":
    main()
