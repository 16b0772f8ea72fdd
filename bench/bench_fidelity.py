"""Benchmark: fidelity on a held-out period, modlean's calibration beside a naive replay.

Run from the project root::

    .venv/bin/python bench/bench_fidelity.py                     # the sample logs in data/
    .venv/bin/python bench/bench_fidelity.py PATH [PATH ...]     # and real public logs

For each log: the split rule of docs/fidelity.md (cases ordered by first event time and
case id, the first 80 % train, the rest test), then

* **modlean**: ``calibrate`` on the training part, the test period simulated (as many
  cases as the test has, from its first case start), scored against the test part;
* **replay**: the last training cases shifted onto the test's first start, scored the
  same way.

Both are scored with the six log-distance measures (completion timestamps only, hours,
1-hour bins); lower is better. Per-pool wait and SLA rows are summarised as how many
pools each column is closer on. A log calibrate refuses (no resources, say) gets the
replay's figures and calibrate's message. On a log in another vocabulary, calibration
reads pools, routes, handling and arrivals in the log's own words, but the simulator
still writes the fixed template's activity names, which the bench says.

Real public logs are not shipped (their licences are their own); docs/fidelity.md says
where to get them (pm4py's test data: ``receipt.csv``, ``helpdesk.xes.gz``,
``bpic2012.xes.gz``). Published Simod figures are printed where they exist for the same
log and split; see ``SIMOD_FIGURES``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from modlean.decisions import (
    calibrate,
    fidelity,
    holdout_split,
    replay_baseline,
    side_by_side,
    simulate_test_period,
)
from modlean.errors import ModleanError
from modlean.eventlog import read_log
from modlean.process import LOG_DISTANCES

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = {"US": "America/New_York", "UK": "Europe/London", "ID": "Asia/Jakarta",
           "MY": "Asia/Kuala_Lumpur", "TH": "Asia/Bangkok"}

#: Published Simod figures on the same log, split and measures, by log file name. None
#: found: Chapela-Campa et al. (BPM 2023, "Can I trust my simulation model? Measuring the
#: quality of business process simulation models", arXiv:2303.17463) score Simod with
#: these measures on other logs and subsets (BPIC 2012's W subset, not the full log here)
#: and on another split, so their figures are not comparable and are not printed.
SIMOD_FIGURES: dict[str, dict[str, float]] = {}


def score(log: pd.DataFrame, *, share: float, seed: int, timezone: str
          ) -> tuple[pd.DataFrame, str, dict[str, float]]:
    """The side-by-side table, a note on modlean's column and the seconds of each step."""
    seconds: dict[str, float] = {}
    t = time.perf_counter()
    split = holdout_split(log, share)
    replay = replay_baseline(split.train, split.n_test, split.test_start)
    replay_table = fidelity(split.test, replay, timezone=timezone)
    seconds["split + replay + score"] = time.perf_counter() - t
    note = ""
    modlean_table = None
    try:
        t = time.perf_counter()
        cal = calibrate(split.train, timezone=timezone)
        seconds["calibrate"] = time.perf_counter() - t
        t = time.perf_counter()
        simulated = simulate_test_period(cal.scenario, split, seed=seed)
        seconds["simulate"] = time.perf_counter() - t
        t = time.perf_counter()
        modlean_table = fidelity(split.test, simulated, timezone=timezone)
        seconds["score"] = time.perf_counter() - t
    except ModleanError as exc:
        note = f"modlean's column is empty: calibrate says: {exc}"
    if modlean_table is not None and not set(log["activity"].astype(str)) & set(
            simulated["activity"].astype(str)):
        note = ("the simulator still writes its own activity names (the fixed template; "
                "workflows in the log's steps are issue 13, part 1), so the control-flow "
                "measures compare no common activity")
    about = (f"{split.n_train} train / {split.n_test} test cases, test from "
             f"{split.test_start:%Y-%m-%d %H:%M} UTC")
    return side_by_side(modlean_table, replay_table), about + ("\n  " + note if note else ""), \
        seconds


def report(name: str, table: pd.DataFrame, about: str, seconds: dict[str, float]) -> None:
    """Print one log's figures."""
    print(f"\n== {name}: {about}")
    rows = table.set_index("measure")
    simod = SIMOD_FIGURES.get(name, {})
    print(f"  {'measure':<28}{'modlean':>10}{'replay':>10}{'simod':>10}  better")
    for m in LOG_DISTANCES:
        mod, rep = rows.at[m, "modlean_distance"], rows.at[m, "replay_distance"]
        better = "-" if mod != mod else ("modlean" if mod < rep else
                                         "replay" if rep < mod else "tie")
        cells = "".join("{:>10}".format("-" if v != v else f"{v:.3f}")
                        for v in (mod, rep, simod.get(m, float("nan"))))
        print(f"  {m:<28}{cells}  {better}")
    pools = rows.loc[[m for m in rows.index if m not in LOG_DISTANCES]]
    both = pools.dropna(subset=["modlean_distance", "replay_distance"])
    if len(both):
        closer = (both["modlean_distance"] < both["replay_distance"]).sum()
        worse = (both["modlean_distance"] > both["replay_distance"]).sum()
        print(f"  wait/SLA per pool: modlean closer on {closer}, replay on {worse}, "
              f"tied on {len(both) - closer - worse} of {len(both)} rows")
    print("  seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in seconds.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("logs", nargs="*", type=Path, help="real public event logs")
    parser.add_argument("--share", type=float, default=0.2, help="test share (default 0.2)")
    parser.add_argument("--seed", type=int, default=1, help="simulation seed (default 1)")
    parser.add_argument("--no-samples", action="store_true", help="skip the sample logs")
    args = parser.parse_args()
    runs = [] if args.no_samples else [(f"data/{m}/events.csv", ROOT / "data" / m /
                                        "events.csv", tz) for m, tz in SAMPLES.items()]
    runs += [(p.name, p, "UTC") for p in args.logs]
    for name, path, tz in runs:
        t = time.perf_counter()
        log = read_log(path)
        read_s = time.perf_counter() - t
        table, about, seconds = score(log, share=args.share, seed=args.seed, timezone=tz)
        report(name, table, f"{len(log)} events, read in {read_s:.1f} s; {about}", seconds)
    print("\nPublished Simod figures: none found for these logs on this split "
          "(see SIMOD_FIGURES in this file and docs/fidelity.md).")


if __name__ == "__main__":
    main()
