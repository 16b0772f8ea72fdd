"""Benchmark: importing a vendor's task export against reading the same file with pandas.

Run from the project root::

    .venv/bin/python bench/bench_intake.py              # 1e6 tasks
    .venv/bin/python bench/bench_intake.py --tasks 1e5

A seeded export in the shape of data/bpo_export.py (semicolons, decimal commas,
day-first Berlin times, parent links, vendor queue names, PASS/FAIL QA) is
written once. The reference is ``pandas.read_csv`` of that file with its
separator and decimal mark: the floor any import must pay. modlean's
``import_export`` then reads it with the profile, chases the links to the root
tickets, turns each task into its events, estimates starts from assignments and
writes the mapping report. Each is timed in the same run (fastest of three), so
compare the ratio: the aim is at most 2x ``read_csv``. For context it also times
``read_csv`` followed by the four time columns parsed and moved from Berlin to
UTC with pandas: what glue code pays before it has usable times. The stage lines
under the import split its time: the typed CSV read (Arrow, with the fixed-width
times parsed), and the CPU seconds of the import against those of ``read_csv``
(the wall-clock ratio moves with the load of a shared machine; CPU time less so).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "data"))

import yaml
from bpo_export import PROFILE, QUEUES, REASONS

import modlean
from modlean.eventlog.arrow_csv import read_typed_csv
from modlean.eventlog.profile import load_profile

#: How the vendor writes times (day-first, Berlin wall clock).
TIME_FORMAT = "%d.%m.%Y %H:%M:%S"
PROFILE_MAPPING = yaml.safe_load(PROFILE)


def write_export(tasks: int, path: Path, seed: int = 0) -> int:
    """About ``tasks`` task rows over 90 days, vectorised; returns the rows written."""
    rng = np.random.default_rng(seed)
    roots = int(tasks / 1.9)
    start = pd.Timestamp("2026-01-05", tz="UTC").value // 1000  # microseconds
    created = start + np.sort(rng.integers(0, 90 * 86_400, roots)) * 1_000_000
    human = rng.random(roots) < 0.9
    n_child = int(human.sum())
    queues = np.array(list(QUEUES))
    parent_of = np.flatnonzero(human)
    child_queue = queues[rng.choice(len(queues), n_child, p=[0.8, 0.08, 0.07, 0.05])]
    child_created = created[parent_of] + rng.integers(1, 3600, n_child) * 1_000_000
    picked = child_created + rng.integers(0, 1800, n_child) * 1_000_000
    closed = picked + rng.integers(60, 1800, n_child) * 1_000_000
    ids = np.char.add("DE-", np.arange(roots + n_child).astype(str))
    frame = pd.DataFrame({
        "ticket_id": ids,
        "parent_ticket": np.concatenate([np.full(roots, ""), ids[parent_of]]),
        "queue": np.concatenate([np.full(roots, "AUTO"), child_queue]),
        "agent": np.concatenate([np.full(roots, "model"),
                                 np.char.add("de.agent", rng.integers(1, 60, n_child)
                                             .astype(str))]),
        "created": np.concatenate([created, child_created]),
        "picked_up": np.concatenate([created, picked]),
        "closed": np.concatenate([created + 2_000_000, closed]),
        "verdict": rng.choice(["APPROVE", "REJECT", "ESCALATE"], roots + n_child),
        "reason_code": rng.choice(REASONS, roots + n_child),
        "model_score": rng.random(roots + n_child).round(3),
        "category": "listing",
        "market": "DE",
        "auto": "N",
        "qa_result": rng.choice(["", "", "", "PASS", "FAIL"], roots + n_child),
        "qa_fail_reason": "",
        "qa_time": np.concatenate([created, closed]) + 7_200_000_000,
        "qa_agent": "qa.fatma",
    })
    for col in ("created", "picked_up", "closed", "qa_time"):
        local = pd.to_datetime(frame[col], unit="us", utc=True).dt.tz_convert("Europe/Berlin")
        frame[col] = local.dt.strftime(TIME_FORMAT)  # a wall clock: no skipped hour
    frame.loc[frame["qa_result"] == "", ["qa_time", "qa_agent"]] = ""
    frame.to_csv(path, sep=";", decimal=",", index=True)
    return len(frame)


def with_times(export: Path) -> pd.DataFrame:
    """The export as a user's pandas glue reads it: times parsed day-first, Berlin to UTC."""
    frame = pd.read_csv(export, sep=";", decimal=",", dtype={"parent_ticket": str})
    for col in ("created", "picked_up", "closed", "qa_time"):
        local = pd.to_datetime(frame[col], format="%d.%m.%Y %H:%M:%S")
        frame[col] = local.dt.tz_localize("Europe/Berlin", ambiguous="NaT",
                                          nonexistent="NaT").dt.tz_convert("UTC")
    return frame


def fastest(run, repeat: int = 3) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - t0)
    return best, result


def cpu(run, repeat: int = 3) -> float:
    """The fewest CPU seconds (all threads) of ``repeat`` runs."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        run()
        best = min(best, time.process_time() - t0)
    return best


def typed_read(export: Path) -> pd.DataFrame | None:
    """The import's first stage alone: Arrow's typed read, the four times parsed."""
    prof = load_profile(PROFILE_MAPPING)
    plain = prof.id_columns() + prof.time_columns()
    text = [c for c in prof.columns().values() if c not in plain and c != prof.score]
    return read_typed_csv(export, sep=";", plain=plain, text=text, decimal=",",
                          times=dict.fromkeys(prof.time_columns(), TIME_FORMAT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=float, default=1e6)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        export, profile = Path(tmp) / "export.csv", Path(tmp) / "profile.yaml"
        rows = write_export(int(args.tasks), export)
        profile.write_text(PROFILE)
        size = export.stat().st_size / 2**20
        t_pandas, _ = fastest(lambda: pd.read_csv(export, sep=";", decimal=",",
                                                  dtype={"parent_ticket": str}))
        t_times, _ = fastest(lambda: with_times(export), repeat=1)
        t_import, result = fastest(lambda: modlean.import_export(export, profile))
        t_read, _ = fastest(lambda: typed_read(export))
        c_pandas = cpu(lambda: pd.read_csv(export, sep=";", decimal=",",
                                           dtype={"parent_ticket": str}))
        c_import = cpu(lambda: modlean.import_export(export, profile))
    log = result.log
    print(f"{rows:,} task rows ({size:,.0f} MiB CSV) -> {len(log):,} events, "
          f"{log['case_id'].nunique():,} cases")
    print(f"  pandas.read_csv              {t_pandas:7.2f} s   1.00x")
    print(f"  read_csv + four local times  {t_times:7.2f} s   {t_times / t_pandas:.2f}x "
          "(what pandas glue pays to have the times)")
    print(f"  modlean.import_export        {t_import:7.2f} s   {t_import / t_pandas:.2f}x "
          "(aim <= 2x)")
    print(f"    of which the typed read    {t_read:7.2f} s   {t_read / t_pandas:.2f}x "
          "(Arrow's CSV reader, times parsed)")
    print(f"    CPU: import {c_import:.2f} s, read_csv {c_pandas:.2f} s   "
          f"{c_import / c_pandas:.2f}x (all threads)")


if __name__ == "__main__":
    main()
