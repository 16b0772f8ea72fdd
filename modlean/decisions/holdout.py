"""The held-out period: the split rule every tool is compared on, and the naive baseline.

:func:`holdout_split` cuts a log in time, the same way for any tool compared (see
docs/fidelity.md):

1. a case starts at its first event (its earliest start, or completion where no start
   is logged);
2. cases are ordered by (start, case id);
3. the first ``floor((1 - share) * n)`` cases, whole, are the training part; the rest
   is the test part.

:func:`replay_baseline` is the naive model a simulator has to beat: the last ``k``
training cases (``k`` = the number of test cases; all training cases if fewer),
replayed with every time shifted so that the first replayed case starts at the test
part's first case start.

:func:`simulate_test_period` runs a calibrated scenario over the test period (as many
cases as the test has, the clock starting at the test's first case start) and
:func:`side_by_side` lays modlean's fidelity table beside the baseline's.
:func:`run_holdout` does it all in one go (``modlean calibrate --holdout``, notebook 02).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from modlean.decisions.calibrate import Calibration, calibrate
from modlean.decisions.fidelity import DEFAULT_SLA_HOURS, SlaHours, fidelity
from modlean.errors import LogError, ParameterError
from modlean.eventlog import as_micros
from modlean.process import encode, lead_span
from modlean.scenario import Scenario, apply_overrides
from modlean.simulation import simulate

__all__ = ["HOLDOUT_COLUMNS", "Holdout", "HoldoutRun", "case_starts", "holdout_split",
           "replay_baseline", "run_holdout", "side_by_side", "simulate_test_period"]

#: The columns of :func:`side_by_side`.
HOLDOUT_COLUMNS = ["measure", "real", "modlean", "modlean_distance", "replay",
                   "replay_distance", "reading"]
#: How many times :func:`simulate_test_period` doubles the horizon to reach the test's cases.
_HORIZON_TRIES = 4


@dataclass(frozen=True)
class Holdout:
    """A log cut in time: the training part, the test part and where the test starts."""

    train: pd.DataFrame
    """the events of the first cases (the calibration data)."""
    test: pd.DataFrame
    """the events of the last cases (what a simulation is scored against)."""
    test_start: pd.Timestamp
    """the first test case's start: where a simulation of the test period starts."""
    share: float
    """the test share asked for (0.2: the last 20 % of the cases)."""

    @property
    def n_train(self) -> int:
        return int(self.train["case_id"].nunique())

    @property
    def n_test(self) -> int:
        return int(self.test["case_id"].nunique())


def case_starts(log: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Cases in the split order, by (start, case id): each case's start (microseconds,
    UTC) in that order, and per row of ``log`` the rank of its case (0 = first case)."""
    ev = encode(log)
    start = lead_span(ev)[0]
    names = np.asarray(ev.case_names.astype(str), dtype=object)
    order = np.lexsort((names, start))  # by start, ties by case id
    rank = np.empty(ev.n_cases, np.int64)
    rank[order] = np.arange(ev.n_cases)
    row_rank = np.empty(ev.n_events, np.int64)
    rows = np.arange(ev.n_events) if ev.order is None else ev.order
    row_rank[rows] = rank[ev.case]
    return start[order], row_rank


def holdout_split(log: pd.DataFrame, share: float = 0.2) -> Holdout:
    """Split ``log`` into a training and a test part by the rule in the module docstring.

    ``share`` is the test share, strictly between 0 and 1. Refused with a
    :class:`~modlean.errors.LogError` when either part would have no case.
    """
    if not isinstance(share, (int, float)) or not 0 < share < 1:
        raise ParameterError(f"holdout share: found {share!r}; expected a number strictly "
                             "between 0 and 1, e.g. 0.2 for the last 20 % of the cases")
    starts, row_rank = case_starts(log)
    n = len(starts)
    n_train = math.floor(round((1 - share) * n, 9))
    if n_train < 1 or n_train >= n:
        raise LogError(f"a holdout of {share:g} of {n} case(s) leaves {n_train} for training "
                       f"and {n - n_train} for the test", found=n,
                       expected="enough cases for both parts (at least one in each)")
    train = row_rank < n_train
    return Holdout(train=log[train].reset_index(drop=True),
                   test=log[~train].reset_index(drop=True),
                   test_start=pd.Timestamp(int(starts[n_train]), unit="us", tz="UTC"),
                   share=float(share))


def replay_baseline(train: pd.DataFrame, n_cases: int, start: pd.Timestamp) -> pd.DataFrame:
    """The last ``n_cases`` training cases (all of them if fewer), every time shifted by
    one offset so that the first of them starts at ``start``.

    Events keep their columns; ``timestamp`` and ``start_timestamp`` (when present) move.
    """
    if n_cases < 1:
        raise ParameterError(f"replay: found {n_cases} case(s) to replay; expected >= 1")
    starts, row_rank = case_starts(train)
    first = max(len(starts) - n_cases, 0)
    out = train[row_rank >= first].reset_index(drop=True)
    shift = pd.Timedelta(microseconds=as_micros(start, "start") - int(starts[first]))
    for column in ("timestamp", "start_timestamp"):
        if column in out:
            out[column] = out[column] + shift
    return out


def simulate_test_period(scenario: Scenario, split: Holdout, *, seed: int = 1) -> pd.DataFrame:
    """The simulated log of the test period: ``scenario`` with its clock at the test's first
    case start and arrivals stopped after as many cases as the test has.

    The horizon is the test's span of case starts (at least a day), doubled until the
    scenario's arrival rate gives that many cases; refused when it still does not.
    """
    starts, _ = case_starts(split.test)
    days = max((int(starts[-1]) - int(starts[0])) / 86_400e6, 1.0)
    n = split.n_test
    found = 0
    for _ in range(_HORIZON_TRIES):
        run = apply_overrides(scenario, {"start_time": split.test_start.isoformat(),
                                         "max_cases": n, "horizon_days": days,
                                         "warmup_days": 0}, source="holdout")
        log = simulate(run, seed=seed, item_table=False).log
        found = int(log["case_id"].nunique())
        if found >= n:
            return log
        days *= 2
    raise LogError(f"the calibrated scenario makes only {found} case(s) in {days / 2:g} days",
                   found=found, expected=f"the test part's {n} cases; check its arrival "
                   "volumes (item_types.<type>.volume_per_day)")


def side_by_side(modlean: pd.DataFrame | None, replay: pd.DataFrame) -> pd.DataFrame:
    """Two fidelity tables against the same test part, one row per measure
    (:data:`HOLDOUT_COLUMNS`), in the replay table's order then modlean's own rows;
    ``modlean`` None leaves its columns empty (NaN) and keeps the baseline's reading."""
    base = replay.set_index("measure")
    mod = (modlean if modlean is not None else replay.iloc[:0]).set_index("measure")
    order = pd.Index(list(base.index) + [m for m in mod.index if m not in base.index])
    base, mod = base.reindex(order), mod.reindex(order)
    reading = mod["reading"] if modlean is not None else "replay: " + base["reading"]
    return pd.DataFrame({
        "measure": order, "real": base["real"].fillna(mod["real"]).to_numpy(),
        "modlean": mod["simulated"].to_numpy(dtype=float),
        "modlean_distance": mod["distance"].to_numpy(dtype=float),
        "replay": base["simulated"].to_numpy(dtype=float),
        "replay_distance": base["distance"].to_numpy(dtype=float),
        "reading": reading.fillna("only in the replay's table").to_numpy()},
        columns=HOLDOUT_COLUMNS)


@dataclass(frozen=True)
class HoldoutRun:
    """What :func:`run_holdout` returns."""

    split: Holdout
    calibration: Calibration
    """the calibration of the training part."""
    table: pd.DataFrame
    """modlean's fidelity beside the replay's (:func:`side_by_side`)."""


def run_holdout(log: pd.DataFrame, share: float = 0.2, *, timezone: str = "UTC",
                seed: int = 1, sla_hours: SlaHours = DEFAULT_SLA_HOURS,
                **calibrate_args: object) -> HoldoutRun:
    """Split ``log`` (:func:`holdout_split`), calibrate the training part
    (:func:`~modlean.decisions.calibrate`, with ``calibrate_args``), simulate the test
    period and score it beside the replay baseline, both against the test part
    (``sla_hours`` as for :func:`~modlean.decisions.fidelity`: one SLA, or one per pool)."""
    split = holdout_split(log, share)
    cal = calibrate(split.train, timezone=timezone, **calibrate_args)  # type: ignore[arg-type]
    simulated = simulate_test_period(cal.scenario, split, seed=seed)
    replay = replay_baseline(split.train, split.n_test, split.test_start)
    score = {"timezone": timezone, "sla_hours": sla_hours}
    test = split.test
    if "pool" not in simulated.columns:  # a log in the real log's words: both scored per step
        test, replay = test.drop(columns="pool", errors="ignore"), \
            replay.drop(columns="pool", errors="ignore")
    table = side_by_side(fidelity(test, simulated, **score), fidelity(test, replay, **score))
    return HoldoutRun(split=split, calibration=cal, table=table)
