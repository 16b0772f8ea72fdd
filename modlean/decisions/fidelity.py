"""Fidelity: how far a simulated event log is from a real one, measure by measure.

:func:`fidelity` scores a simulated log (a calibrated scenario's, or any tool's) against
the real one with the measures the field uses, those of the ``log-distance-measures``
package (:mod:`modlean.process.log_distance`: CFLD, 3-gram distance, cycle-time,
case-arrival, circadian and relative event EMD, in hours with 1-hour bins), plus each
pool's wait and SLA attainment. Everything is read from completion timestamps only, so
a log without start times is scored like one with them. docs/fidelity.md defines each
measure and says how to read the table.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from numbers import Real

import numpy as np
import pandas as pd

from modlean.errors import ParameterError
from modlean.eventlog import MICROS_PER_SECOND
from modlean.process import EventArrays, completion_span, encode, log_distances

__all__ = ["DEFAULT_SLA_HOURS", "FIDELITY_COLUMNS", "SlaHours", "fidelity", "open_by_hour"]

#: The columns of the fidelity table.
FIDELITY_COLUMNS = ["measure", "real", "simulated", "distance", "reading"]
#: The SLA a pool's ``sla:<pool>`` row is scored against when none is given for it (hours).
DEFAULT_SLA_HOURS = 24.0
#: One SLA for every pool, or each named pool's own (hours; the rest take the default).
SlaHours = float | Mapping[str, float]


def _grade(value: float, close: float, fair: float, what: str) -> str:
    """``what`` match closely / roughly / differ, by thresholds on ``value``."""
    if value != value:
        return "not comparable"
    if value <= close:
        return f"{what} match closely"
    if value <= fair:
        return f"{what} match roughly"
    return f"{what} differ: check the calibration"


def _summary(ev: EventArrays) -> dict[str, float]:
    """What a reader compares beside the distances: cases, mean cycle time, cases a day."""
    first, last = completion_span(ev)
    days = max((int(first.max()) - int(first.min())) / MICROS_PER_SECOND / 86400, 1.0)
    return {"cases": float(ev.n_cases),
            "cycle_h": float((last - first).mean() / MICROS_PER_SECOND / 3600),
            "per_day": ev.n_cases / days}


def _readings(d: dict[str, float], real: dict[str, float], sim: dict[str, float]
              ) -> dict[str, tuple[float, float, str]]:
    """The real and simulated summary and a plain-words reading of each distance."""
    ct = d["cycle_time_emd"]
    rel = ct / real["cycle_h"] if real["cycle_h"] else math.nan
    nan = math.nan
    return {
        "control_flow_log_distance": (
            nan, nan,
            f"paired one to one ({real['cases']:,.0f} real cases, {sim['cases']:,.0f} "
            f"simulated), a case needs {d['control_flow_log_distance']:.0%} of its steps "
            "edited to become its simulated twin; "
            + _grade(d["control_flow_log_distance"], 0.1, 0.3, "the paths")),
        "n_gram_distance": (
            nan, nan, f"{d['n_gram_distance']:.0%} of the runs of three steps are not matched "
            "in the other log; " + _grade(d["n_gram_distance"], 0.1, 0.3, "step sequences")),
        "cycle_time_emd": (
            real["cycle_h"], sim["cycle_h"],
            f"moving the simulated cycle times onto the real ones shifts each case by "
            f"{ct:.1f} h on average ({rel:.0%} of the real mean of {real['cycle_h']:.1f} h); "
            + _grade(rel, 0.1, 0.3, "cycle times")),
        "case_arrival_emd": (
            nan, nan,
            f"cases arrive {d['case_arrival_emd']:.1f} h away from the real arrivals on "
            f"average ({sim['per_day']:.0f} vs {real['per_day']:.0f} a day)"),
        "circadian_event_emd": (
            nan, nan, f"steps complete {d['circadian_event_emd']:.1f} h away from their real "
            "hour of the day, weekday by weekday (23 h for a weekday found in one log only); "
            + _grade(d["circadian_event_emd"], 1.0, 3.0, "daily patterns")),
        "relative_event_emd": (
            nan, nan, f"steps complete {d['relative_event_emd']:.1f} h away from when they "
            "complete after the case's start in the real log"),
    }


def open_by_hour(ev: EventArrays, timezone: str) -> np.ndarray:
    """Mean open cases (first completion seen, last not yet) at each local hour of the day
    (24 values, NaN for an hour never ticked), on the hours between the log's first and last
    case arrival: the drain after arrivals stop is left out."""
    first, last = completion_span(ev)
    hour = 3600 * MICROS_PER_SECOND
    ticks = np.arange(int(first.min()) // hour * hour + hour, int(first.max()) + 1, hour)
    open_ = np.searchsorted(np.sort(first), ticks, "right") - \
        np.searchsorted(np.sort(last), ticks, "right")
    local = pd.DatetimeIndex(ticks.astype("datetime64[us]"), tz="UTC").tz_convert(timezone).hour
    counts = np.bincount(local, minlength=24)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.bincount(local, weights=open_, minlength=24) / counts


def _open_row(a: EventArrays, b: EventArrays, timezone: str) -> dict[str, object]:
    """``open_cases_by_hour``: how far the open cases of the day's hours are apart."""
    real, sim = open_by_hour(a, timezone), open_by_hour(b, timezone)
    both = ~np.isnan(real) & ~np.isnan(sim)
    if not both.any():
        return {"measure": "open_cases_by_hour", "real": math.nan, "simulated": math.nan,
                "distance": math.nan, "reading": "the logs share no hour of the day"}
    gap = float(np.abs(real[both] - sim[both]).mean())
    busiest = int(np.nanargmax(np.where(both, real, np.nan)))
    return {"measure": "open_cases_by_hour", "real": float(real[busiest]),
            "simulated": float(sim[busiest]), "distance": gap,
            "reading": f"open cases by local hour of the day differ by {gap:.1f} on average; "
            f"at {busiest:02d}:00, the busiest, {real[busiest]:,.0f} real vs "
            f"{sim[busiest]:,.0f} simulated"}


def _pool_times(ev: EventArrays, by: str) -> tuple[np.ndarray, np.ndarray]:
    """Per event: the pool (``by`` column's value; None for the first event of a case or no
    pool) and the hours since the case's previous completion (queue and handling)."""
    prev = np.r_[ev.time[:1], ev.time[:-1]]
    hours = (ev.time - prev) / MICROS_PER_SECOND / 3600
    group = np.array(ev.column(by).astype(object), dtype=object)  # a copy: written below
    group[ev.first] = None
    return group, hours


def _pool_rows(a: EventArrays, b: EventArrays, sla_hours: SlaHours
               ) -> list[dict[str, object]]:
    """``wait:<pool>`` and ``sla:<pool>`` rows for every pool (or activity) of either log."""
    by = "pool" if "pool" in a.frame and "pool" in b.frame else "activity"
    # scored per step: a step's SLA is its own, else its pool's in the real log
    pool_of = _pool_of_step(a) if by == "activity" else {}
    stats = []
    for ev in (a, b):
        group, hours = _pool_times(ev, by)
        keep = pd.notna(group)
        frame = pd.DataFrame({"pool": group[keep].astype(str), "h": hours[keep]})
        limit = frame["pool"].map({p: _sla_of(sla_hours, p, pool_of)[0]
                                   for p in frame["pool"].unique()})
        stats.append(frame.assign(met=frame["h"] <= limit).groupby("pool").agg(
            wait=("h", "mean"), sla=("met", "mean")))
    real, sim = stats[0], stats[1]
    rows: list[dict[str, object]] = []
    what = "pool" if by == "pool" else "step"
    for pool in sorted(set(real.index) | set(sim.index)):
        if pool not in real.index or pool not in sim.index:
            side = "simulated" if pool not in real.index else "real"
            for kind in ("wait", "sla"):
                rows.append({"measure": f"{kind}:{pool}",
                             "real": float(real[kind].get(pool, math.nan)),
                             "simulated": float(sim[kind].get(pool, math.nan)),
                             "distance": math.nan,
                             "reading": f"this {what} is only in the {side} log"})
            continue
        wr, ws = float(real.at[pool, "wait"]), float(sim.at[pool, "wait"])
        sr, ss = float(real.at[pool, "sla"]), float(sim.at[pool, "sla"])
        hours, given = _sla_of(sla_hours, pool, pool_of)
        rows.append({"measure": f"wait:{pool}", "real": wr, "simulated": ws,
                     "distance": abs(ws - wr),
                     "reading": f"work reaches completion {ws - wr:+.1f} h vs real ({wr:.1f} h "
                     "from the previous step's completion)"})
        rows.append({"measure": f"sla:{pool}", "real": sr, "simulated": ss,
                     "distance": abs(ss - sr),
                     "reading": f"{ss:.0%} done within {hours:g} h vs {sr:.0%} real"
                     + ("" if given else f" (no SLA given for this {what}: "
                        f"{DEFAULT_SLA_HOURS:g} h assumed)")})
    return rows


def _sla_of(sla_hours: SlaHours, pool: str, pool_of: Mapping[str, str] | None = None
            ) -> tuple[float, bool]:
    """The SLA hours ``pool`` (or a step, whose pool ``pool_of`` gives) is scored against,
    and whether they were given for it (a single number is given for every pool)."""
    if not isinstance(sla_hours, Mapping):
        return float(sla_hours), True
    for name in (pool, (pool_of or {}).get(pool)):
        if name in sla_hours:
            return float(sla_hours[name]), True
    return DEFAULT_SLA_HOURS, False


def _pool_of_step(ev: EventArrays) -> dict[str, str]:
    """Each activity's commonest pool in a log with a ``pool`` column (else nothing)."""
    if "pool" not in ev.frame:
        return {}
    pairs = pd.DataFrame({"step": ev.column("activity").astype(str),
                          "pool": ev.column("pool").astype(object)}).dropna()
    pairs = pairs[pairs["pool"].astype(str).ne("")]
    return {str(k): str(v) for k, v in
            pairs.groupby("step")["pool"].agg(lambda p: p.mode().iloc[0]).items()}


def _checked_slas(sla_hours: object) -> SlaHours:
    """``sla_hours`` when it is hours > 0 (one number, or one per pool), else a clear error."""
    if isinstance(sla_hours, Mapping):
        for pool, hours in sla_hours.items():
            if not _positive(hours):
                raise ParameterError(f"sla_hours.{pool}: found {hours!r}; expected hours > 0")
        return {str(pool): float(hours) for pool, hours in sla_hours.items()}
    if not _positive(sla_hours):
        raise ParameterError(f"sla_hours: found {sla_hours!r}; expected hours > 0, or a "
                             "mapping of pool to hours")
    return float(sla_hours)  # type: ignore[arg-type]


def _positive(value: object) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and \
        math.isfinite(value) and value > 0


def fidelity(real_log: pd.DataFrame | EventArrays, simulated_log: pd.DataFrame | EventArrays,
             *, timezone: str = "UTC", sla_hours: SlaHours = DEFAULT_SLA_HOURS
             ) -> pd.DataFrame:
    """How far a simulated log is from a real one: one row per measure.

    Columns (:data:`FIDELITY_COLUMNS`): ``measure``, ``real``, ``simulated`` (each log's
    own figure in the distance's unit where one exists, NaN otherwise: a reader sees every
    number of a row in one unit), ``distance`` and ``reading`` (plain words, with the
    logs' cases and cases a day). Rows:

    * the six measures of :func:`modlean.process.log_distances`:
      ``control_flow_log_distance`` and ``n_gram_distance`` (0-1),
      ``cycle_time_emd`` (h; real/simulated: mean cycle times), ``case_arrival_emd`` (h),
      ``circadian_event_emd`` (h, on ``timezone``'s clock), ``relative_event_emd`` (h);
    * ``open_cases_by_hour`` (cases): the mean absolute difference, over the local hours
      of the day, of the mean open cases at each hour (:func:`open_by_hour`);
      real/simulated: each log's figure at the real log's busiest hour;
    * per pool (the logs' ``pool`` column when both have one, else per activity):
      ``wait:<pool>``, mean hours from the case's previous completion to the pool's
      completion, and ``sla:<pool>``, the share of them within the pool's SLA; distance
      is the absolute difference. The first event of a case waits for nothing and is
      left out. ``sla_hours`` is one SLA for every pool, or a mapping of pool (or step)
      to hours; a pool it does not name is scored against :data:`DEFAULT_SLA_HOURS`,
      and its reading says so.

    Only completion timestamps are read.
    """
    slas = _checked_slas(sla_hours)
    a, b = encode(real_log), encode(simulated_log)
    d = log_distances(a, b, timezone=timezone).set_index("measure")["distance"].to_dict()
    rows = [{"measure": name, "real": r, "simulated": s, "distance": d[name], "reading": text}
            for name, (r, s, text) in _readings(d, _summary(a), _summary(b)).items()]
    rows.append(_open_row(a, b, timezone))
    rows += _pool_rows(a, b, slas)
    return pd.DataFrame(rows, columns=FIDELITY_COLUMNS)
