"""Fidelity: how far a simulated event log is from a real one, measure by measure.

:func:`fidelity` compares a real and a simulated log (typically the log a calibrated
scenario, :func:`modlean.decisions.calibrate.calibrate`, simulates) with one table of
distances (cycle times, paths, arrival pattern, volumes, waits), each with a plain-words
reading.
"""

from __future__ import annotations

import math
import warnings

import pandas as pd
from scipy.stats import wasserstein_distance

from modlean.process import activity_times, case_durations, dfg

__all__ = ["fidelity"]


def _tv(p: pd.Series, q: pd.Series) -> float:
    """Total-variation distance of two frequency vectors (normalised inside)."""
    p, q = p.align(q, fill_value=0)
    p = p / p.sum() if p.sum() else p
    q = q / q.sum() if q.sum() else q
    return float(0.5 * (p - q).abs().sum())


def fidelity(real_log: pd.DataFrame, simulated_log: pd.DataFrame, *,
             timezone: str = "UTC") -> pd.DataFrame:
    """How far a simulated log is from a real one, measure by measure.

    Rows (``measure``, ``real``, ``simulated``, ``distance``, ``reading``):

    * ``cycle_time``: Wasserstein (earth mover's) distance between case durations
      in hours (:func:`scipy.stats.wasserstein_distance`); ``real``/``simulated``
      are the mean durations;
    * ``cycle_time_relative``: that distance over the real mean;
    * ``dfg_edges``: total-variation distance between the edge-frequency
      distributions of the two DFGs (:func:`modlean.process.dfg`), 0 = same mix of
      paths, 1 = no edge in common;
    * ``arrival_profile``: total-variation distance of the hour-of-week shares of
      case arrivals (local ``timezone``);
    * ``arrivals_per_day``: relative difference of daily volumes;
    * ``wait:<activity>``: mean wait before each activity in hours (real vs
      simulated); ``distance`` is the absolute difference.
    """
    rows = []
    d_real = case_durations(real_log)["duration_seconds"].to_numpy() / 3600
    d_sim = case_durations(simulated_log)["duration_seconds"].to_numpy() / 3600
    w = float(wasserstein_distance(d_real, d_sim))
    rel = w / d_real.mean() if d_real.mean() else math.nan
    rows.append({"measure": "cycle_time", "real": float(d_real.mean()),
                 "simulated": float(d_sim.mean()), "distance": w,
                 "reading": f"moving the simulated cycle-time distribution onto the real one "
                 f"shifts each case by {w:.2f} h on average ({rel:.0%} of the real mean of "
                 f"{d_real.mean():.2f} h)"})
    rows.append({"measure": "cycle_time_relative", "real": 1.0, "simulated": math.nan,
                 "distance": rel, "reading": _grade(rel, 0.05, 0.15, "cycle times")})
    e_real = dfg(real_log, performance=False).edges.set_index(["source", "target"])["count"]
    e_sim = dfg(simulated_log, performance=False).edges.set_index(["source", "target"])["count"]
    tv = _tv(e_real, e_sim)
    only = len(set(e_real.index) ^ set(e_sim.index))
    rows.append({"measure": "dfg_edges", "real": float(len(e_real)), "simulated":
                 float(len(e_sim)), "distance": tv,
                 "reading": f"{tv:.0%} of the path mix would have to move to match "
                 f"({only} edge(s) appear in only one log); " + _grade(tv, 0.05, 0.15,
                                                                      "the paths")})
    arr = []
    for lg in (real_log, simulated_log):
        first = lg.groupby(lg["case_id"].astype(str), sort=False)["timestamp"].min()
        loc = first.dt.tz_convert(timezone)
        arr.append(((loc.dt.day_of_week * 24 + loc.dt.hour).value_counts(), first))
    tv_a = _tv(arr[0][0], arr[1][0])
    rows.append({"measure": "arrival_profile", "real": math.nan, "simulated": math.nan,
                 "distance": tv_a, "reading": f"{tv_a:.0%} of arrivals fall in other hours of "
                 "the week; " + _grade(tv_a, 0.05, 0.15, "the arrival pattern")})
    per_day = []
    for _, first in arr:
        days = max((first.max() - first.min()).total_seconds() / 86400, 1e-9)
        per_day.append(len(first) / days)
    rd = per_day[1] / per_day[0] - 1 if per_day[0] else math.nan
    rows.append({"measure": "arrivals_per_day", "real": per_day[0], "simulated": per_day[1],
                 "distance": abs(rd), "reading": f"the simulation has {rd:+.0%} arrivals per "
                 "day; " + _grade(abs(rd), 0.03, 0.1, "volumes")})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w_real = activity_times(real_log)["wait_mean"] / 3600
        w_sim = activity_times(simulated_log)["wait_mean"] / 3600
    for act in sorted(set(w_real.index) | set(w_sim.index)):
        a, b = float(w_real.get(act, math.nan)), float(w_sim.get(act, math.nan))
        if math.isnan(a) and math.isnan(b):
            continue
        diff = abs(a - b)
        reading = (f"only in the {'simulated' if math.isnan(a) else 'real'} log"
                   if math.isnan(a) or math.isnan(b) else
                   f"waits {b - a:+.2f} h vs real ({a:.2f} h)")
        rows.append({"measure": f"wait:{act}", "real": a, "simulated": b, "distance": diff,
                     "reading": reading})
    return pd.DataFrame(rows, columns=["measure", "real", "simulated", "distance", "reading"])


def _grade(value: float, close: float, fair: float, what: str) -> str:
    if value != value:
        return "not comparable"
    if value <= close:
        return f"{what} match closely"
    if value <= fair:
        return f"{what} match roughly"
    return f"{what} differ: check the calibration"
