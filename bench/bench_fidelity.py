"""Benchmark: fidelity on a held-out period, modlean's calibration beside a naive replay.

Run from the project root::

    .venv/bin/python bench/bench_fidelity.py                     # the sample logs in data/
    .venv/bin/python bench/bench_fidelity.py PATH [PATH ...]     # and real public logs
    .venv/bin/python bench/bench_fidelity.py --pm4py REPO         # pm4py's real logs

``--pm4py REPO`` (default: ``$MODLEAN_PM4PY_REPO``, else the local mirror path in
``PM4PY_REPO``) reads receipt, helpdesk and BPIC 2012 from a git copy of pm4py-core
(``git show HEAD:tests/input_data/<file>``) at run time, into a temporary folder; a log
that is not there is skipped with a message. BPIC 2012 is cut to its first cases up to
``--max-events`` events (100,000 by default) for the speed figure: calibrate + simulate +
score on a ~100k-event real log, printed as ``total``.

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
discovers the log's own workflow (steps, routes, pools, external waits) and the
simulator writes the log's activity names (docs/fidelity.md).

Real public logs are not shipped (their licences are their own); docs/fidelity.md says
where to get them (pm4py's test data: ``receipt.csv``, ``helpdesk.xes.gz``,
``bpic2012.xes.gz``). Published Simod figures are printed where they exist for the same
log and split; see ``SIMOD_FIGURES``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
from pathlib import Path

import pandas as pd

from modlean.decisions import (
    calibrate,
    case_starts,
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
#: Where a git copy of pm4py-core is looked for when --pm4py is not given.
PM4PY_REPO = os.environ.get("MODLEAN_PM4PY_REPO", "/work/.mirror/pm4py+pm4py-core/repo")
#: pm4py's real logs the bench runs, and the events each is cut to (None: whole).
PM4PY_LOGS = {"receipt.csv": None, "helpdesk.xes.gz": None, "bpic2012.xes.gz": "max"}


def pm4py_logs(repo: str, folder: Path, max_events: int) -> list[tuple[str, Path, int | None]]:
    """pm4py's real logs copied out of the git copy at ``repo`` into ``folder``; a message
    for each one missing."""
    out = []
    for name, cut in PM4PY_LOGS.items():
        target = folder / name
        done = subprocess.run(["git", "-C", repo, "show", f"HEAD:tests/input_data/{name}"],
                              capture_output=True, check=False)
        if done.returncode or not done.stdout:
            print(f"skipped {name}: not found in {repo} (give --pm4py REPO, a git copy of "
                  "pm4py-core)")
            continue
        target.write_bytes(done.stdout)
        out.append((name, target, max_events if cut else None))
    return out


def first_cases(log: pd.DataFrame, max_events: int) -> pd.DataFrame:
    """The log's first cases in the split order (by start, then id), whole, up to
    ``max_events`` events."""
    _, rank = case_starts(log)
    per_case = pd.Series(rank).value_counts().sort_index()
    keep = int((per_case.cumsum() <= max_events).sum())
    return log[rank < keep].reset_index(drop=True)


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
    if modlean_table is not None:
        seconds["total"] = seconds["calibrate"] + seconds["simulate"] + seconds["score"]
        if cal.workflow is not None:
            steps = sum(len(w.steps) for w in cal.scenario.workflows.values())
            note = f"discovered workflow: {steps} steps, {len(cal.waits)} external waits"
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
    parser.add_argument("--pm4py", default=None, metavar="REPO", nargs="?", const=PM4PY_REPO,
                        help="also run pm4py's receipt, helpdesk and BPIC 2012 logs from a git "
                        f"copy of pm4py-core (default {PM4PY_REPO})")
    parser.add_argument("--max-events", type=int, default=100_000,
                        help="cut BPIC 2012 to its first cases up to this many events")
    args = parser.parse_args()
    runs = [] if args.no_samples else [(f"data/{m}/events.csv", ROOT / "data" / m /
                                        "events.csv", tz, None) for m, tz in SAMPLES.items()]
    runs += [(p.name, p, "UTC", None) for p in args.logs]
    with tempfile.TemporaryDirectory() as tmp:
        if args.pm4py:
            runs += [(n, p, "UTC", cut) for n, p, cut in pm4py_logs(args.pm4py, Path(tmp),
                                                                     args.max_events)]
        for name, path, tz, cut in runs:
            t = time.perf_counter()
            log = read_log(path)
            read_s = time.perf_counter() - t
            whole = len(log)
            if cut is not None:
                log = first_cases(log, cut)
            table, about, seconds = score(log, share=args.share, seed=args.seed, timezone=tz)
            size = f"{len(log)} events" + (f" (first cases of {whole})" if cut else "")
            report(name, table, f"{size}, read in {read_s:.1f} s; {about}", seconds)
    print("\nPublished Simod figures: none found for these logs on this split "
          "(see SIMOD_FIGURES in this file and docs/fidelity.md).")


if __name__ == "__main__":
    main()
