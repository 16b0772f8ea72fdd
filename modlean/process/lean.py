"""Lean metrics from the event log (DOMAIN.md §2.1 and §8).

Lead time, process time, process cycle efficiency, first-pass yield per step
and rolled throughput yield, rework rate, handoffs per case, SLA attainment,
WIP over time with a Little's-law check, and takt time. Every function takes a
canonical log (or :class:`modlean.eventlog.EventArrays`) and is vectorised.

Definitions (per case):

* **lead time** = last completion − first start (the first event's
  ``start_timestamp`` when it has one, else its ``timestamp``);
* **process time** = Σ (completion − start) over events that have a start
  (events without a start are instants and add nothing);
* **wait time** = lead time − process time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from modlean.errors import ParameterError
from modlean.eventlog import (
    MICROS_PER_SECOND,
    EventArrays,
    TimeLike,
    as_micros,
    encode,
    lead_span,
    utc_index,
)
from modlean.process.performance import handover_pairs, rework

__all__ = [
    "describe",
    "first_pass_yield",
    "flow_summary",
    "handoffs",
    "lead_times",
    "littles_law",
    "metrics",
    "process_cycle_efficiency",
    "rework_rate",
    "rolled_throughput_yield",
    "sla_attainment",
    "takt_from_log",
    "takt_time",
    "wip_over_time",
]

Log = pd.DataFrame | EventArrays


def describe(seconds: Iterable[float] | np.ndarray) -> dict[str, float]:
    """Mean, P50, P90 and P95 of durations in seconds (NaN when empty)."""
    values = np.asarray(seconds, dtype=float)
    if not len(values):
        return {"mean": np.nan, "p50": np.nan, "p90": np.nan, "p95": np.nan}
    p50, p90, p95 = np.percentile(values, [50, 90, 95])
    return {"mean": float(values.mean()), "p50": float(p50), "p90": float(p90),
            "p95": float(p95)}


def _service(ev: EventArrays, value_adding: Iterable[str] | None = None) -> np.ndarray:
    """Touch time of each event in microseconds (0 without a start; VA filter applied)."""
    service = (ev.time - ev.start).astype(float)
    if value_adding is not None:
        wanted = set(value_adding)
        unknown = wanted - set(ev.activity_names)
        if unknown:
            raise ParameterError(f"value_adding names activities not in the log: "
                                 f"{', '.join(sorted(unknown))}")
        va = np.isin(ev.activity_names, list(wanted))
        service = np.where(va[ev.activity], service, 0.0)
    return service


def lead_times(log: Log) -> pd.DataFrame:
    """Per case (index ``case_id``): ``start``, ``end``, ``lead_seconds``,
    ``process_seconds``, ``wait_seconds`` and ``events``."""
    ev = encode(log)
    begin, end = lead_span(ev)
    process = np.add.reduceat(_service(ev), ev.first) / MICROS_PER_SECOND
    lead = (end - begin) / MICROS_PER_SECOND
    return pd.DataFrame({"start": utc_index(begin), "end": utc_index(end), "lead_seconds": lead,
                         "process_seconds": process, "wait_seconds": lead - process,
                         "events": ev.last - ev.first + 1}, index=ev.case_names)


def process_cycle_efficiency(log: Log, value_adding: Iterable[str] | None = None) -> float:
    """PCE = Σ value-adding process time ÷ Σ lead time, over all cases.

    With ``value_adding=None`` every timed step counts, which is Martin's
    *activity ratio* (Σ PT ÷ Σ LT); give the value-adding activities (e.g.
    ``["review_l1", "review_l2"]``) for George's PCE.
    """
    ev = encode(log)
    begin, end = lead_span(ev)
    lead = (end - begin).sum()
    if lead <= 0:
        return float("nan")
    return float(_service(ev, value_adding).sum() / lead)


def flow_summary(log: Log, value_adding: Iterable[str] | None = None) -> dict[str, Any]:
    """Lead, process and wait time (mean, P50, P90, P95, in seconds), PCE and activity ratio."""
    times = lead_times(log)
    return {
        "cases": len(times),
        "lead_seconds": describe(times["lead_seconds"]),
        "process_seconds": describe(times["process_seconds"]),
        "wait_seconds": describe(times["wait_seconds"]),
        "activity_ratio": process_cycle_efficiency(log),
        "process_cycle_efficiency": process_cycle_efficiency(log, value_adding),
    }


def first_pass_yield(log: Log, steps: Sequence[str] | None = None,
                     failures: Mapping[str, Iterable[str]] | None = None) -> pd.DataFrame:
    """First-pass yield per step: cases passing the step the first time ÷ cases entering it.

    A case fails a step the first time when the step happens more than once in
    the case (it was redone), or when one of ``failures[step]`` (e.g.
    ``{"review_l1": ["qa_overturn"]}``) happens after the step's first
    occurrence. Columns ``entering``, ``first_pass``, ``fpy``; rows follow
    ``steps`` (default: every activity, sorted).
    """
    ev = encode(log)
    names = list(ev.activity_names)
    steps = sorted(names) if steps is None else list(steps)
    failures = dict(failures or {})
    unknown = sorted(({*steps} | {*failures} | {a for v in failures.values() for a in v})
                     - set(names))
    if unknown:
        raise ParameterError(f"activities not in the log: {', '.join(unknown)}")
    code = ev.activity_codes
    n_act = len(names)
    pairs, per_pair = np.unique(ev.case * n_act + ev.activity, return_counts=True)
    pair_case, pair_act = pairs // n_act, pairs % n_act
    pos = np.arange(ev.n_events)
    rows = []
    for step in steps:  # a loop over steps, vectorised over events
        s = code[step]
        entered = np.zeros(ev.n_cases, dtype=bool)
        entered[pair_case[pair_act == s]] = True
        failed = np.zeros(ev.n_cases, dtype=bool)
        failed[pair_case[(pair_act == s) & (per_pair > 1)]] = True  # the step was redone
        if failures.get(step):
            first_at = np.full(ev.n_cases, ev.n_events)
            at = ev.activity == s
            np.minimum.at(first_at, ev.case[at], pos[at])
            bad = np.isin(ev.activity, [code[a] for a in failures[step]]) & (
                pos > first_at[ev.case])
            failed[ev.case[bad]] = True
        n_in = int(entered.sum())
        n_ok = int((entered & ~failed).sum())
        rows.append((step, n_in, n_ok, n_ok / n_in if n_in else np.nan))
    return pd.DataFrame(rows, columns=["step", "entering", "first_pass", "fpy"]).set_index(
        "step")


def rolled_throughput_yield(fpy: pd.DataFrame | Log, steps: Sequence[str] | None = None,
                            failures: Mapping[str, Iterable[str]] | None = None) -> float:
    """RTY = Π FPY_i over the steps (a :func:`first_pass_yield` table, or a log)."""
    if not (isinstance(fpy, pd.DataFrame) and "fpy" in fpy):
        fpy = first_pass_yield(fpy, steps, failures)
    return float(np.prod(fpy["fpy"].dropna().to_numpy()))


def rework_rate(log: Log, rework_activities: Iterable[str] | None = None) -> float:
    """Share of cases with rework: a repeated activity, or any of ``rework_activities``.

    E.g. ``rework_rate(log, ["qa_overturn", "appeal_review"])`` counts cases that
    were re-reviewed after QA or appealed (DOMAIN.md §8.7).
    """
    ev = encode(log)
    if rework_activities is None:
        return float(rework(ev, by="case")["reworked"].mean())
    wanted = np.isin(ev.activity_names, list(rework_activities))
    return float((np.bincount(ev.case[wanted[ev.activity]], minlength=ev.n_cases) > 0).mean())


def handoffs(log: Log, column: str = "resource", ignore: Iterable[str] = ()) -> pd.Series:
    """Handoffs per case: changes of ``column`` (owner or queue) between consecutive events.

    Events with no value, or with a value in ``ignore`` (e.g. ``["system"]``),
    are skipped. ``handoffs(log).mean()`` is the handoffs per case of DOMAIN.md §8.7.
    """
    ev = encode(log)
    case, _, _, _ = handover_pairs(ev, column, ignore)
    return pd.Series(np.bincount(case, minlength=ev.n_cases), index=ev.case_names,
                     name="handoffs")


def sla_attainment(log: Log, sla: float | Mapping[str, float], *, by: str = "item_type",
                   unit: str = "hours") -> pd.DataFrame:
    """SLA attainment: share of cases with lead time ≤ SLA, per group and overall.

    Parameters
    ----------
    sla:
        One target for every case, or ``{group: target}`` (e.g. per item type,
        ``{"listing": 24, "seller_onboarding": 72}``); cases of groups without a
        target are left out and counted in ``no_target``.
    by:
        The case attribute that picks the target (its first value in the case).
    unit:
        ``"hours"``, ``"minutes"``, ``"seconds"`` or ``"days"``.

    Returns
    -------
    pandas.DataFrame
        One row per group plus ``"all"``: ``cases``, ``sla_seconds``, ``met``,
        ``attainment``, ``breaches``, and lead-time ``mean``, ``p50``, ``p90``,
        ``p95`` in seconds.
    """
    scale = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
    if unit not in scale:
        raise ParameterError(f"unit={unit!r}: expected one of {', '.join(scale)}")
    ev = encode(log)
    lead = lead_times(ev)["lead_seconds"].to_numpy()
    if isinstance(sla, Mapping):
        group = ev.column(by).iloc[ev.first].astype(object).to_numpy()
        target = pd.Series(group).map({k: v * scale[unit] for k, v in sla.items()})
        target = target.to_numpy(dtype=float)
    else:
        group = np.full(ev.n_cases, "all", dtype=object)
        target = np.full(ev.n_cases, float(sla) * scale[unit])
    has = ~np.isnan(target)
    rows = []
    frame = pd.DataFrame({"group": group[has], "lead": lead[has], "target": target[has]})
    parts = [(str(k), g) for k, g in frame.groupby("group", sort=True)] \
        if isinstance(sla, Mapping) else []
    for name, g in [*parts, ("all", frame)]:
        met = int((g["lead"] <= g["target"]).sum())
        targets = g["target"].unique()
        rows.append({"group": name, "cases": len(g),
                     "sla_seconds": float(targets[0]) if len(targets) == 1 else np.nan,
                     "met": met, "attainment": met / len(g) if len(g) else np.nan,
                     "breaches": len(g) - met, **describe(g["lead"])})
    out = pd.DataFrame(rows).set_index("group")
    out.attrs["no_target"] = int((~has).sum())
    return out


def wip_over_time(log: Log, freq: str = "1h") -> pd.Series:
    """Work in progress: cases open (arrived, not yet completed) at each tick of ``freq``.

    A case is open on ``[first start, last completion)``. Ticks run from the
    first arrival (floored to ``freq``) to the last completion.
    """
    ev = encode(log)
    begin, end = lead_span(ev)
    ticks = pd.date_range(utc_index(begin[[begin.argmin()]])[0].floor(freq),
                          utc_index(end[[end.argmax()]])[0], freq=freq)
    t = np.asarray(ticks.as_unit("us").asi8)
    open_ = (np.searchsorted(np.sort(begin), t, side="right")
             - np.searchsorted(np.sort(end), t, side="right"))
    return pd.Series(open_, index=ticks.rename("time"), name="wip")


def littles_law(log: Log, start: TimeLike | None = None, end: TimeLike | None = None
                ) -> dict[str, float]:
    """Little's-law check over a window: average WIP against throughput × mean lead time.

    ``wip_average`` is the exact time-average of open cases over the window;
    ``throughput_per_hour`` counts cases completed in the window; ``lead_hours``
    is their mean lead time; ``littles_wip`` = throughput × lead time, and
    ``ratio`` = wip_average ÷ littles_wip (≈ 1 when the window is long compared
    with lead times and the process is stable). The window defaults to the span
    of the log; give ``start``/``end`` (times with a zone) to cut it.
    """
    ev = encode(log)
    begin, finish = lead_span(ev)
    lo = as_micros(start, "start") if start is not None else int(begin.min())
    hi = as_micros(end, "end") if end is not None else int(finish.max())
    if hi <= lo:
        raise ParameterError("the window is empty: end must be after start")
    span = float(hi - lo)
    overlap = np.clip(np.minimum(finish, hi) - np.maximum(begin, lo), 0, None).sum()
    done = (finish >= lo) & (finish <= hi)
    wip = overlap / span
    hour = 3600 * MICROS_PER_SECOND
    throughput = done.sum() / (span / hour)
    lead_h = float(((finish - begin)[done] / hour).mean()) if done.any() else np.nan
    expected = throughput * lead_h
    return {"window_hours": span / hour, "wip_average": float(wip),
            "throughput_per_hour": float(throughput), "lead_hours": lead_h,
            "littles_wip": float(expected),
            "ratio": float(wip / expected) if expected else np.nan}


def takt_time(available_seconds: float, demand: float) -> float:
    """Takt = available working time ÷ demand (e.g. 86,400 s ÷ 40,000 = 2.16 s)."""
    if demand <= 0:
        raise ParameterError(f"demand={demand}: expected a positive number of items")
    if available_seconds <= 0:
        raise ParameterError(f"available_seconds={available_seconds}: expected a positive "
                             "time")
    return available_seconds / demand


def takt_from_log(log: Log, available_seconds: float = 86400.0, freq: str = "D"
                  ) -> pd.DataFrame:
    """Demand (cases arriving) per period and the takt time it implies.

    ``available_seconds`` is the productive time per period (default one
    24-hour day of a follow-the-sun team). Columns ``demand`` and ``takt_seconds``
    (NaN for a period without demand).
    """
    ev = encode(log)
    begin, _ = lead_span(ev)
    demand = pd.Series(1, index=utc_index(begin)).resample(freq).sum()
    takt = available_seconds / demand.where(demand > 0)
    return pd.DataFrame({"demand": demand.astype(int), "takt_seconds": takt}).rename_axis(
        "period")


def metrics(log: Log, value_adding: Iterable[str] | None = None,
            rework_activities: Iterable[str] | None = None) -> pd.Series:
    """The headline lean figures of a log in one Series (hours where a time).

    ``cases``, ``lead_hours_mean`` / ``_p50`` / ``_p90`` / ``_p95``,
    ``process_hours_mean``, ``wait_hours_mean``, ``activity_ratio``,
    ``process_cycle_efficiency``, ``rework_rate``, ``handoffs_per_case`` (when
    the log has resources), ``wip_average``, ``throughput_per_hour`` and
    ``littles_ratio`` (see :func:`littles_law`).
    """
    ev = encode(log)
    flow = flow_summary(ev, value_adding)
    little = littles_law(ev)
    out: dict[str, float] = {"cases": float(flow["cases"])}
    for key in ("mean", "p50", "p90", "p95"):
        out[f"lead_hours_{key}"] = flow["lead_seconds"][key] / 3600
    out["process_hours_mean"] = flow["process_seconds"]["mean"] / 3600
    out["wait_hours_mean"] = flow["wait_seconds"]["mean"] / 3600
    out["activity_ratio"] = flow["activity_ratio"]
    out["process_cycle_efficiency"] = flow["process_cycle_efficiency"]
    out["rework_rate"] = rework_rate(ev, rework_activities)
    if "resource" in ev.frame:
        out["handoffs_per_case"] = float(handoffs(ev).mean())
    out["wip_average"] = little["wip_average"]
    out["throughput_per_hour"] = little["throughput_per_hour"]
    out["littles_ratio"] = little["ratio"]
    return pd.Series(out, name="value").rename_axis("metric")
