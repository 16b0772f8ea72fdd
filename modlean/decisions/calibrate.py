"""Calibration: a real event log -> a baseline scenario, and how far a simulation is from it.

:func:`calibrate` reads what a log can tell about the operation and writes it
into a :class:`~modlean.scenario.Scenario`:

* **arrivals**: cases per day per item type (a case arrives at its first event),
  the hour-of-day profile and the day-of-week profile in the market's time zone
  (the full hour-of-week table is returned too; the scenario holds it as the
  product of the two profiles);
* **handling times** per pool and item type, fitted (lognormal by mean and CV,
  or exponential when it fits better by likelihood) from ``start_timestamp`` to
  ``timestamp`` when starts are logged (``basis="start/complete"``), otherwise
  from *gaps*: the smaller of the time since the case's previous event and the
  time since the same resource's previous completion, an upper bound of the
  handling time (``basis="gap"``);
* **routing**: the model's automatic approve/reject shares (thresholds solved on
  the score distributions), the L1 and L2 pools per item type, the escalation
  probability, QA sampling rates and the appeal rate;
* **pools** from the resources: a resource ``l1_listing_007`` belongs to pool
  ``l1_listing`` (a trailing number is dropped); the seats on duty per hour are
  the distinct resources completing work in that hour (90th percentile over the
  log's days), turned into shifts.

Activity names follow the simulator's vocabulary (``modlean.simulation.ACTIVITIES``:
``review_l1``, ``review_l2``, ``qa_sample``, ``appeal_filed`` ...); map other
names with ``activity_map``. What a log cannot show (shrinkage, SLA targets,
reviewer accuracy) keeps the defaults or comes from ``base``; reviewer accuracy
comes from QA re-reviews when a QA table is given (:func:`accuracy_from_qa`:
per pool, the false-approve and false-reject rates with QA as the truth).

:func:`fidelity` compares a real and a simulated log with one table of
distances, each with a plain-words reading.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from modlean.errors import LogError, ParameterError

__all__ = ["Calibration", "accuracy_from_qa", "calibrate", "fidelity", "fit_handling"]

_SYSTEM_RESOURCES = {"seller", "model", "system", "", "nan", "None"}


@dataclass
class Calibration:
    """What :func:`calibrate` returns."""

    scenario: Any
    """The calibrated :class:`~modlean.scenario.Scenario`."""
    handling: pd.DataFrame
    """Per pool x item type x activity: ``n``, ``mean_s``, ``cv``, ``dist``, ``basis``."""
    arrivals: pd.DataFrame
    """Arrivals per day by item type and hour of week (0 = Monday 00:00 local)."""
    routing: pd.DataFrame
    """Per item type: shares and probabilities read from the log."""
    pools: pd.DataFrame
    """Per pool and local hour: seats seen on duty."""
    notes: list[str] = field(default_factory=list)
    accuracy: pd.DataFrame | None = None
    """Per pool, reviewer error rates from QA (:func:`accuracy_from_qa`), when given."""


def accuracy_from_qa(qa: pd.DataFrame | str | Path, *, confidence: float = 0.95
                     ) -> pd.DataFrame:
    """Reviewer error rates per pool from QA re-reviews, QA's decision taken as the truth.

    The pool of a reviewer follows the log's rule (``l1_listing_007`` -> ``l1_listing``);
    automatic decisions (reviewer ``model`` or ``system``) are left out. When the
    table has an ``inclusion_probability`` column, rows are weighted by its inverse.

    Returns
    -------
    pandas.DataFrame
        One row per pool: ``reviews``; ``false_approve`` (approved though QA rejects:
        P(approve | violating), the scenario's ``accuracy.false_approve``) with
        ``false_approve_low`` / ``_high`` and ``violating`` (rows behind it);
        ``false_reject`` (rejected though QA approves: P(reject | clean)) with
        ``false_reject_low`` / ``_high`` and ``clean``.
    """
    from modlean.quality import QA_COLUMNS, decision_quality, read_qa, with_weights

    table = read_qa(qa) if isinstance(qa, (str, Path)) else qa
    missing = [c for c in QA_COLUMNS[:5] if c not in table.columns]
    if missing:
        raise ParameterError(f"QA table: missing column(s) {missing}; expected at least "
                             f"{list(QA_COLUMNS[:5])}")
    human = table[~table["reviewer"].astype(str).isin(_SYSTEM_RESOURCES)]
    weight = None
    if "inclusion_probability" in human:
        human, weight = with_weights(human), "weight"
    rows = []
    for pool, group in human.groupby(_pool_of(human["reviewer"]), sort=True):
        q = decision_quality(group, weight=weight, confidence=confidence)
        fa, fr = q.loc["miss_rate"], q.loc["false_rejection_rate"]
        rows.append({"pool": pool, "reviews": len(group),
                     "false_approve": fa["value"], "false_approve_low": fa["low"],
                     "false_approve_high": fa["high"], "violating": int(fa["n"]),
                     "false_reject": fr["value"], "false_reject_low": fr["low"],
                     "false_reject_high": fr["high"], "clean": int(fr["n"])})
    return pd.DataFrame(rows, columns=["pool", "reviews", "false_approve", "false_approve_low",
                                       "false_approve_high", "violating", "false_reject",
                                       "false_reject_low", "false_reject_high", "clean"])


def fit_handling(seconds: np.ndarray) -> dict[str, Any]:
    """Fit a handling-time distribution: lognormal (mean, CV) or exponential, by likelihood."""
    x = np.asarray(seconds, float)
    x = x[np.isfinite(x) & (x > 0)]
    if len(x) < 2:
        return {"dist": "constant", "mean_s": float(x.mean()) if len(x) else 60.0, "cv": 0.0,
                "n": len(x)}
    mean, cv = float(x.mean()), float(x.std(ddof=1) / x.mean())
    logs = np.log(x)
    sigma = logs.std()
    ll_logn = -np.sum(logs) - len(x) * (math.log(max(sigma, 1e-12)) + 0.5 * math.log(2 * math.pi)
                                        + 0.5)
    ll_exp = -len(x) * (math.log(mean) + 1)
    dist = "exponential" if ll_exp > ll_logn else "lognormal"
    return {"dist": dist, "mean_s": mean, "cv": cv, "n": len(x)}


def _pool_of(resource: pd.Series) -> pd.Series:
    return resource.astype(str).str.replace(r"[_\-]?\d+$", "", regex=True)


def _local(ts: pd.Series, tz: str) -> pd.Series:
    return ts.dt.tz_convert(tz)


def _solve_threshold(model: Any, prevalence: float, share: float, upper: bool) -> float:
    """The score threshold giving a share below (or at/above, ``upper``) it."""
    from scipy.optimize import brentq
    from scipy.stats import beta

    def below(t: float) -> float:
        return float(prevalence * beta.cdf(t, model.violating.a, model.violating.b)
                     + (1 - prevalence) * beta.cdf(t, model.clean.a, model.clean.b))

    target = 1 - share if upper else share
    if target <= 0:
        return 0.0
    if target >= 1:
        return 1.0
    return float(brentq(lambda t: below(t) - target, 0.0, 1.0))


def calibrate(log: pd.DataFrame, *, timezone: str = "UTC", name: str = "calibrated",
              market: str | None = None, base: Any = None,
              activity_map: Mapping[str, str] | None = None,
              seat_quantile: float = 0.9,
              qa: pd.DataFrame | str | Path | None = None) -> Calibration:
    """A baseline scenario from a canonical event log (see the module notes).

    Parameters
    ----------
    log:
        A canonical log (:func:`modlean.eventlog.read_log`).
    timezone:
        The market's IANA time zone, for profiles and shifts.
    base:
        A scenario whose SLA targets, score distributions, accuracy, costs, QA and
        appeal settings are kept where the log says nothing (default: schema
        defaults).
    activity_map:
        ``{"your activity": "review_l1", ...}`` onto the simulator's names.
    seat_quantile:
        Quantile over days of the distinct resources seen in an hour, read as the
        seats on duty.
    qa:
        A QA table (:mod:`modlean.quality.decision_quality`; a frame or a CSV path) whose re-reviews
        give each pool's ``accuracy`` (:func:`accuracy_from_qa`).
    """
    from modlean.decisions.resolve import resolve_scenario
    from modlean.scenario import Scenario, scenario_from_dict

    need = {"case_id", "activity", "timestamp"}
    if not isinstance(log, pd.DataFrame) or need - set(log.columns):
        raise LogError(f"calibrate: expected a canonical log with columns {sorted(need)}; "
                       f"found {list(getattr(log, 'columns', []))}")
    if log.empty:
        raise LogError("calibrate: the log has no events")
    notes: list[str] = []
    df = pd.DataFrame({"case_id": log["case_id"].astype(str),
                       "activity": log["activity"].astype(str),
                       "timestamp": log["timestamp"].astype("datetime64[us, UTC]")})
    if activity_map:
        df["activity"] = df["activity"].replace(dict(activity_map))
    df["start"] = log["start_timestamp"].astype("datetime64[us, UTC]") \
        if "start_timestamp" in log else pd.Series(pd.NaT, index=log.index,
                                                   dtype="datetime64[us, UTC]")
    df["resource"] = log["resource"].astype(str) if "resource" in log else "nan"
    df["item_type"] = log["item_type"].astype(str) if "item_type" in log else "item"
    df = df.sort_values(["case_id", "timestamp"], kind="stable", ignore_index=True)
    base_s = resolve_scenario(base) if base is not None else None
    data: dict[str, Any] = base_s.model_dump(mode="python") if base_s is not None else {}
    data.update({"name": name, "timezone": timezone,
                 "market": market if market is not None else
                 (str(log["market"].iloc[0]) if "market" in log else "")})

    # ---------------------------------------------------------------- arrivals
    cases = df.groupby("case_id", sort=False).agg(arrival=("timestamp", "first"),
                                                  item_type=("item_type", "first"))
    local = _local(cases["arrival"], timezone)
    first_day = local.min().normalize()
    last_day = local.max().normalize()
    n_days = int((last_day - first_day).days) + 1
    dates = pd.date_range(first_day, last_day, freq="D")
    weekday_days = np.bincount(dates.day_of_week, minlength=7)
    cases["how"] = local.dt.day_of_week * 24 + local.dt.hour
    how = cases.groupby(["item_type", "how"]).size().unstack(fill_value=0) \
        .reindex(columns=range(168), fill_value=0)
    per_day_how = how.div(np.repeat(np.maximum(weekday_days, 1), 24), axis=1)
    arrivals = per_day_how.stack().rename("arrivals_per_day").reset_index() \
        .rename(columns={"how": "hour_of_week"})
    old_types = data.get("item_types", {})
    item_types: dict[str, Any] = {}
    for t, row in per_day_how.iterrows():
        m = row.to_numpy().reshape(7, 24)
        daily = m.sum(axis=1)                       # mean arrivals per weekday
        seen = weekday_days > 0
        volume = float(cases["item_type"].eq(t).sum() / n_days)
        weekly = np.where(seen, daily / volume if volume else 1.0, 1.0)
        hourly = m[seen].sum(axis=0)
        hourly = hourly / hourly.mean() if hourly.sum() else np.ones(24)
        it = dict(old_types.get(t, {}))
        it.update({"volume_per_day": volume, "hourly_profile": [float(v) for v in hourly],
                   "weekly_profile": [float(v) for v in weekly], "surges": [],
                   "initial_backlog": {"count": 0, "max_age_hours": 12.0}})
        item_types[str(t)] = it
    if n_days < 7:
        notes.append(f"the log spans {n_days} day(s): weekdays it does not cover keep a "
                     "multiplier of 1")

    # ---------------------------------------------------------------- handling
    human = ~df["resource"].isin(_SYSTEM_RESOURCES)
    df["pool"] = np.where(human, _pool_of(df["resource"]), "")
    has_start = df["start"].notna()
    service = (df["timestamp"] - df["start"]).dt.total_seconds()
    same_case = df["case_id"].eq(df["case_id"].shift())
    case_gap = (df["timestamp"] - df["timestamp"].shift()).dt.total_seconds().where(same_case)
    by_res = df.sort_values(["resource", "timestamp"], kind="stable")
    res_gap = (by_res["timestamp"] - by_res["timestamp"].shift()).dt.total_seconds() \
        .where(by_res["resource"].eq(by_res["resource"].shift())).reindex(df.index)
    gap = np.fmin(case_gap, res_gap)
    df["handling_s"] = np.where(has_start, service, gap)
    df["basis"] = np.where(has_start, "start/complete", "gap")
    work = df[human]
    hrows = []
    for (pool, t, act), g in work.groupby(["pool", "item_type", "activity"], sort=True):
        fit = fit_handling(g["handling_s"].to_numpy(float))
        basis = g["basis"].mode().iloc[0]
        hrows.append({"pool": pool, "item_type": t, "activity": act, **fit, "basis": basis})
    handling = pd.DataFrame(hrows, columns=["pool", "item_type", "activity", "dist", "mean_s",
                                            "cv", "n", "basis"])
    if (handling["basis"] == "gap").any():
        notes.append("some handling times come from gaps (no start times logged): they are "
                      "upper bounds and include any wait between steps")

    # ---------------------------------------------------------------- routing
    per_case = df.assign(one=1).pivot_table(index="case_id", columns="activity", values="one",
                                            aggfunc="sum", fill_value=0)
    per_case = per_case.join(cases["item_type"])
    rrows = []
    routing: dict[str, Any] = {}
    old_routing = data.get("routing", {})

    def main_pool(t: str, act: str) -> str | None:
        sel = work[(work["item_type"] == t) & (work["activity"] == act)]
        return str(sel["pool"].mode().iloc[0]) if len(sel) else None

    prevalence_col = "true_label" in log
    if prevalence_col:
        labels = log.groupby(log["case_id"].astype(str), sort=False)["true_label"].first()
        cases["violating"] = labels.reindex(cases.index).astype(str).eq("violating")
    for t in item_types:
        pc = per_case[per_case["item_type"] == t]
        n = len(pc)
        col = lambda a, pc=pc: pc[a] if a in pc else pd.Series(0, index=pc.index)  # noqa: E731
        auto_a = float((col("auto_approved") > 0).mean()) if n else 0.0
        auto_r = float((col("auto_rejected") > 0).mean()) if n else 0.0
        l1 = col("review_l1") > 0
        esc = float(((col("review_l2") > 0) & l1).sum() / max(l1.sum(), 1))
        rec = {"item_type": t, "cases": n, "auto_approve_share": auto_a,
               "auto_reject_share": auto_r, "human_share": float(l1.mean()) if n else 0.0,
               "escalation_probability": esc}
        it = item_types[t]
        if prevalence_col:
            it["prevalence"] = float(cases.loc[cases["item_type"] == t, "violating"].mean())
        if (col("auto_screen") > 0).any():
            from modlean.scenario import ModelSpec

            model = ModelSpec(**{**it.get("model", {}), "enabled": True})
            p = it.get("prevalence", 0.1)
            t_low = _solve_threshold(model, p, auto_a, upper=False)
            t_high = max(t_low, _solve_threshold(model, p, auto_r, upper=True))
            it["model"] = {**model.model_dump(mode="python"), "t_low": t_low, "t_high": t_high}
            rec.update({"t_low": t_low, "t_high": t_high})
        else:
            it["model"] = {**it.get("model", {}), "enabled": False}
        pool1, pool2 = main_pool(t, "review_l1"), main_pool(t, "review_l2")
        if pool1:
            r = dict(old_routing.get(t, {}))
            r.update({"pool": pool1, "escalation_probability": esc if pool2 else 0.0,
                      "escalation_pool": pool2})
            routing[t] = r
        if "appeal_filed" in pc:
            rejected = (pc.get("auto_rejected", 0) > 0)
            if "decision" in log:
                dec = log.groupby(log["case_id"].astype(str), sort=False)["decision"].first()
                rejected = dec.reindex(pc.index).astype(str).eq("reject") | \
                    (col("appeal_filed") > 0)
            it["appeal_rate"] = float((col("appeal_filed") > 0).sum() / max(rejected.sum(), 1))
            rec["appeal_rate"] = it["appeal_rate"]
        rrows.append(rec)
    routing_table = pd.DataFrame(rrows)

    # ---------------------------------------------------------------- pools
    old_pools = data.get("pools", {})
    lw = _local(work["start"].fillna(work["timestamp"]), timezone)  # when the seat was busy
    seats = pd.DataFrame({"pool": work["pool"], "date": lw.dt.normalize(), "hour": lw.dt.hour,
                          "weekday": lw.dt.day_of_week, "resource": work["resource"]})
    distinct = seats.groupby(["pool", "date", "hour"]).resource.nunique()
    pools: dict[str, Any] = {}
    prow = []
    for pool, g in distinct.groupby(level="pool"):
        g = g.droplevel("pool")
        active_dates = g.index.get_level_values("date").unique()
        full = g.reindex(pd.MultiIndex.from_product([active_dates, range(24)],
                                                    names=["date", "hour"]), fill_value=0)
        level = full.groupby(level="hour").quantile(seat_quantile).round().astype(int) \
            .reindex(range(24), fill_value=0).to_numpy()
        days = sorted(set(seats.loc[seats["pool"] == pool, "weekday"]))
        from modlean.scenario import DAYS

        head = int(level.max())
        shifts = []
        h = 0
        while h < 24:
            if level[h] == 0:
                h += 1
                continue
            e = h
            while e < 24 and level[e] == level[h]:
                e += 1
            shifts.append({"start_hour": float(h), "end_hour": float(e),
                           "days": [DAYS[d] for d in days], "share": level[h] / head})
            h = e
        if len(shifts) == 1 and shifts[0]["start_hour"] == 0 and shifts[0]["end_hour"] == 24:
            shifts[0]["end_hour"] = 24.0
        old = dict(old_pools.get(pool, {}))
        hand = {}
        for r in handling[handling["pool"] == pool].itertuples():
            if r.activity == "review_l1" or r.item_type not in hand:
                hand[r.item_type] = {"dist": r.dist, "mean_s": float(r.mean_s),
                                     "cv": float(r.cv) if r.dist == "lognormal" else 0.6}
        old.update({"headcount": float(head), "shifts": shifts, "shrinkage": 0.0,
                    "handling": hand or old.get("handling", {})})
        pools[str(pool)] = old
        prow += [{"pool": pool, "hour": hh, "seats": int(v)} for hh, v in enumerate(level)]
    notes.append("shrinkage cannot be seen in a log: calibrated pools have shrinkage 0 and "
                 "headcount = seats seen on duty; for paid heads divide by (1 - shrinkage)")
    for pool in pools:
        skills = sorted({s for t in item_types for s in item_types[t].get("required_skills", [])
                         if routing.get(t, {}).get("pool") == pool
                         or routing.get(t, {}).get("escalation_pool") == pool})
        pools[pool]["skills"] = sorted(set(pools[pool].get("skills", [])) | set(skills))

    # ---------------------------------------------------------------- QA and appeals
    qa_settings = dict(data.get("qa", {}))
    qa_pool = work.loc[work["activity"] == "qa_sample", "pool"]
    if len(qa_pool):
        hum = per_case.get("review_l1", 0) > 0
        sampled = per_case.get("qa_sample", 0) > 0
        qa_settings.update({
            "enabled": True, "pool": str(qa_pool.mode().iloc[0]),
            "human_rate": float((sampled & hum).sum() / max(hum.sum(), 1)),
            "auto_rate": float((sampled & ~hum).sum() / max((~hum).sum(), 1))})
    else:
        qa_settings.update({"enabled": False, "pool": None})
    appeals = dict(data.get("appeals", {}))
    ap_pool = work.loc[work["activity"] == "appeal_review", "pool"]
    if len(ap_pool):
        appeals.update({"enabled": True, "pool": str(ap_pool.mode().iloc[0])})
        filed = df[df["activity"] == "appeal_filed"].groupby("case_id")["timestamp"].first()
        sent = df[df["activity"] == "decision_sent"].groupby("case_id")["timestamp"].first()
        delay = (filed - sent.reindex(filed.index)).dt.total_seconds().dropna() / 3600
        if len(delay):
            appeals["delay_hours"] = float(delay.mean())
    else:
        appeals.update({"enabled": False, "pool": None})

    accuracy = None
    if qa is not None:
        accuracy = accuracy_from_qa(qa)
        for r in accuracy.itertuples():
            if r.pool not in pools:
                notes.append(f"QA reviews of pool {r.pool!r}, which the log does not show, "
                             "are left out")
                continue
            old_acc = dict(pools[r.pool].get("accuracy", {}))
            for key, value in (("false_approve", r.false_approve),
                               ("false_reject", r.false_reject)):
                if value == value:          # no QA rows of that kind: keep the default
                    old_acc[key] = float(value)
            pools[r.pool]["accuracy"] = old_acc
        notes.append(f"reviewer accuracy from {int(accuracy['reviews'].sum()):,} QA "
                     "re-reviews, QA's decision taken as the truth")

    span_days = (df["timestamp"].max() - df["timestamp"].min()).total_seconds() / 86400
    data.update({"item_types": item_types, "routing": routing, "pools": pools, "qa": qa_settings,
                 "appeals": appeals, "start": first_day.date(),
                 "horizon_days": float(max(n_days, 1)),
                 "warmup_days": 0.0, "drain_days": float(max(1.0, math.ceil(span_days - n_days
                                                                             + 1)))})
    for t in item_types:  # an item type nobody reviews needs no route
        if t not in routing and item_types[t].get("model", {}).get("enabled"):
            m = item_types[t]["model"]
            m["t_high"] = m["t_low"]
    scenario: Scenario = scenario_from_dict(data, source="calibrate")
    return Calibration(scenario=scenario, handling=handling, arrivals=arrivals,
                       routing=routing_table,
                       pools=pd.DataFrame(prow, columns=["pool", "hour", "seats"]), notes=notes,
                       accuracy=accuracy)


# --------------------------------------------------------------------------- fidelity

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
    from scipy.stats import wasserstein_distance

    from modlean.process import activity_times, case_durations, dfg

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
    import warnings

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
