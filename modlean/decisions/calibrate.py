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

Any vocabulary is read: who did the first and second review, QA and appeals
comes from who worked each case (:mod:`~modlean.decisions.review_roles`), pools
from the log's ``pool`` column when it has one, the model from the scores when
logged (:mod:`~modlean.decisions.calibrate_model`), seats counting each person
once (:mod:`~modlean.decisions.rosters`). What a log cannot show (shrinkage, SLA
targets, reviewer accuracy) keeps the defaults or comes from ``base``, and is
listed in :attr:`Calibration.assumptions` (:mod:`~modlean.decisions.assumptions`);
reviewer accuracy comes from QA re-reviews when a QA table is given
(:func:`accuracy_from_qa`: per pool, the false-approve and false-reject rates
with QA as the truth).

How far a simulation is from the log is :mod:`modlean.decisions.fidelity`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from modlean.decisions.assumptions import Assumptions
from modlean.decisions.calibrate_model import case_facts, model_from_scores, model_from_shares
from modlean.decisions.calibrate_qa import appeal_overturn, mode_of, qa_and_appeals
from modlean.decisions.discover import assign_pools, discovered_workflows, workflow_events
from modlean.decisions.log_words import describe_log_names, template_log_names
from modlean.decisions.queue_delays import free_seat_hours, queue_delays, seats_by_pool
from modlean.decisions.resolve import ScenarioSpec, resolve_scenario
from modlean.decisions.review_roles import (
    SYSTEM_RESOURCES,
    pool_of_resource,
    review_roles,
    template_misfits,
)
from modlean.decisions.rosters import TEAM_SHARE, pools_from_work, shared_people
from modlean.errors import LogError
from modlean.eventlog import QA_EVENT, UTC_DTYPE
from modlean.quality import read_qa
from modlean.scenario import Scenario, safe_names, scenario_from_dict

__all__ = ["MAX_GAP_H", "Calibration", "calibrate", "fit_handling", "in_modleans_words"]

#: The review activities of modlean's own vocabulary (a log with none of them gets a workflow).
_OWN_REVIEWS = {"review_l1", "review_l2", "queued_l1", "escalated_l2"}
#: In a discovered workflow, an agent's close-to-close gap longer than this (hours) is a
#: break, not handling.
MAX_GAP_H = 4.0


@dataclass
class Calibration:
    """What :func:`calibrate` returns."""

    scenario: Scenario
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
    assumptions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["field", "value", "why"]))
    """Every scenario value the log could not show: ``field``, ``value`` used, ``why``."""
    workflow: pd.DataFrame | None = None
    """A discovered workflow's routes (``item_type``, ``step``, ``to``, ``when``, ``p``,
    ``n``), None when the fixed template was calibrated."""
    waits: pd.DataFrame | None = None
    """A discovered workflow's external waits (:mod:`modlean.decisions.discover`)."""


def in_modleans_words(log: pd.DataFrame) -> bool:
    """True when the log uses modlean's own review activities (``review_l1`` ...)."""
    return bool(_OWN_REVIEWS & set(log["activity"].astype(str).unique()))


#: The handling time of a status change that takes no work (a scenario needs more than 0).
INSTANT_S = 1.0


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


def _local(ts: pd.Series, tz: str) -> pd.Series:
    return ts.dt.tz_convert(tz)


def calibrate(log: pd.DataFrame, *, timezone: str = "UTC", name: str = "calibrated",
              market: str | None = None, base: ScenarioSpec | None = None,
              activity_map: Mapping[str, str] | None = None,
              seat_quantile: float = 0.9,
              qa: pd.DataFrame | str | Path | None = None,
              workflow: bool | None = None, history: int | str = "set") -> Calibration:
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
    workflow:
        Discover the log's own workflow (:mod:`modlean.decisions.discover`: steps, routes,
        pools, waits in the log's activity names) instead of the fixed template; None
        (default): when the log is not in modlean's vocabulary (:func:`in_modleans_words`).
    history:
        A discovered workflow's memory: 1, a step per activity; 2, also a step per activity
        and predecessor; ``"set"`` (default), per activity and the activities done so far
        (branches done in any order), for states with at least 30 transitions; the larger
        the memory, the closer the control flow and the larger the diagram.
    """
    df = _events(log, activity_map)
    renamed = _safe_item_types(df)
    human = ~df["resource"].isin(SYSTEM_RESOURCES)
    model_ev = df["resource"].eq("model") | df["queue_pool"].eq("model")
    misfits: list[str] = []
    if workflow is None and in_modleans_words(df):  # the template, unless it drops work
        pool0 = df["queue_pool"].fillna(pool_of_resource(df["resource"])).where(human, "")
        roles0 = review_roles(df.assign(pool=pool0), human)
        misfits = template_misfits(roles0, df.groupby("case_id", sort=False)["item_type"]
                                   .first())
    discover = (not in_modleans_words(df) or bool(misfits)) if workflow is None \
        else bool(workflow)
    if discover:
        pool_of = assign_pools(df, human)
        df["queue_pool"] = df["activity"].map(pool_of).where(human)
    base_s = resolve_scenario(base) if base is not None else None
    data: dict[str, Any] = base_s.model_dump(mode="python") if base_s is not None else {}
    data.update({"name": name, "timezone": timezone,
                 "market": market if market is not None else
                 (str(log["market"].iloc[0]) if "market" in log else "")})
    notes: list[str] = [f"the fixed template would drop work ({'; '.join(misfits)}): the "
                        "log's own workflow is calibrated"] if misfits else []
    assume = Assumptions()
    for old, new in renamed.items():
        assume.add(f"item_types.{new}", f"the log's item type {old!r} is named {new!r} in the "
                   "scenario: override paths take letters, digits, _ and - only",
                   shown=f"{old} -> {new}")
    if renamed:
        notes.append("item types renamed for override paths: " + ", ".join(
            f"{old!r} -> {new!r}" for old, new in renamed.items()))
    source = "the base scenario" if base_s is not None else "a default"
    cases, arrivals, item_types, first_day, n_days = _arrivals(
        df, timezone, data.get("item_types", {}), notes)
    handling, work = _handling(df, notes, MAX_GAP_H * 3600 if discover else None)
    if work.empty:
        raise LogError("calibrate: no event names a person who did the work (the resource "
                       "column is missing or holds only the model, the system or the seller); "
                       "expected reviewers' ids, which give the pools and their seats")
    roles = review_roles(df, df["pool"].ne(""))
    routing, routing_table = _routing(log, df, cases, roles, item_types,
                                       data.get("routing", {}),
                                       case_facts(log, SYSTEM_RESOURCES), assume,
                                       fixed=not discover)
    pools, teams, seat_rows = pools_from_work(work, handling, item_types, routing, timezone,
                                       seat_quantile, data.get("pools", {}), notes)
    qa_table = read_qa(qa) if qa is not None else None
    qa_settings, appeals, accuracy = qa_and_appeals(df, roles, data, qa_table, pools, n_days,
                                                    notes, assume)
    if not discover:  # a discovered workflow's waits are its wait steps
        queue_delays(df, timezone, seat_rows, pools, assume,
                     no_handoff={qa_settings.get("pool"), appeals.get("pool")} - {None})
    routes = waits = None
    if discover:
        screened = set(routing_table.loc[routing_table["model_read"].astype(bool), "item_type"])
        keep = workflow_events(df, model_ev, screened, {
            k for k, on in (("qa", qa_settings["enabled"]), ("appeal", appeals["enabled"]))
            if on})
        # how long each task waited while its pool had a seat free: a wait spent queueing
        # for busy or absent seats is the simulated queue's, not an external wait
        df["free_wait_h"] = free_seat_hours(df, timezone, seats_by_pool(seat_rows))
        flows, routes, waits = discovered_workflows(
            df[keep], log, handling, pool_of, human[keep], item_types,
            case_facts(log, SYSTEM_RESOURCES), assume, history, screened=screened)
        data.update({"workflows": flows, "envelope_events": False})
        routing = {t: r for t, r in routing.items() if t not in flows}
        notes.append(f"workflow discovered from the log's {df['activity'].nunique()} "
                     f"activities: {len(routes)} routes, {len(waits)} external waits; the "
                     "simulated log uses the log's activity names and only them")
    else:
        _in_logs_words(df, roles, data, item_types, notes, assume)
    _unseen(assume, item_types, pools, handling, qa_settings, appeals, source,
            has_qa=accuracy is not None)
    for team in teams:
        members = [p for p in pools if pools[p].get("team") == team]
        assume.add(f"teams.{team}.headcount", f"pools {', '.join(members)} share people: more "
                   f"than {TEAM_SHARE:.0%} of one's person-hours are by people who also work "
                   "another, so they are one team whose seats count each person once, and "
                   "any of its people may serve any of its pools")
    for pool, people in shared_people(work).items():
        if pools.get(pool, {}).get("team"):
            continue
        assume.add(f"pools.{pool}.headcount", f"{len(people)} of its people also work in other "
                   f"pools ({', '.join(people[:3])}{' ...' if len(people) > 3 else ''}): each is "
                   "split by their share of the work in each hour, and the simulator gives "
                   "every pool whole reviewers")
    span_days = (df["timestamp"].max() - df["timestamp"].min()).total_seconds() / 86400
    data.update({"item_types": item_types, "routing": routing, "pools": pools, "teams": teams,
                 "qa": qa_settings,
                 "appeals": appeals, "start": first_day.date(),
                 "horizon_days": float(max(n_days, 1)),
                 "warmup_days": 0.0, "drain_days": float(max(1.0, math.ceil(span_days - n_days
                                                                             + 1)))})
    flows = data.get("workflows", {})
    for t in item_types:  # an item type nobody reviews needs no route
        if t not in routing and t not in flows and item_types[t].get("model", {}).get("enabled"):
            m = item_types[t]["model"]
            m["t_high"] = m["t_low"]
    scenario: Scenario = scenario_from_dict(data, source="calibrate")
    overturn = appeal_overturn(log, scenario, assume)
    if overturn:
        data["appeals"].update(overturn)
        scenario = scenario_from_dict(data, source="calibrate")
    return Calibration(scenario=scenario, handling=handling, arrivals=arrivals,
                       routing=routing_table,
                       pools=pd.DataFrame(seat_rows, columns=["pool", "hour", "seats"]),
                       notes=notes, accuracy=accuracy, assumptions=assume.table(scenario),
                       workflow=routes, waits=waits)


def _in_logs_words(df: pd.DataFrame, roles: pd.DataFrame, data: dict[str, Any],
                   item_types: dict[str, Any], notes: list[str], assume: Assumptions) -> None:
    """The fixed template's simulated log in the log's own words
    (:func:`~modlean.decisions.log_words.template_log_names`), said in the notes and listed
    in the assumptions."""
    case_type = df.groupby("case_id", sort=False)["item_type"].first()
    overall, by_type = template_log_names(df, roles, case_type)
    if not overall and not by_type:
        return
    data["log_names"] = overall
    for t, names in by_type.items():
        item_types[t]["log_names"] = names
    told = describe_log_names(overall, by_type)
    notes.append(f"the simulated log is written in the log's words: {told}")
    own = f"; item types with names of their own: {', '.join(by_type)}" if by_type else ""
    assume.add("log_names", "each simulated event is named after the log's event for the same "
               "role (first review, escalation, QA, appeal, model); an event the log has no "
               f"counterpart for is left out (null){own}")


def _events(log: pd.DataFrame, activity_map: Mapping[str, str] | None) -> pd.DataFrame:
    """The log's events in the columns calibration reads, sorted by case and time.

    ``case_id``, ``activity`` (mapped onto the simulator's names), ``timestamp`` and
    ``start`` (UTC; NaT without starts), ``resource`` and ``item_type``.
    """
    need = {"case_id", "activity", "timestamp"}
    if not isinstance(log, pd.DataFrame) or need - set(log.columns):
        raise LogError(f"calibrate: expected a canonical log with columns {sorted(need)}; "
                       f"found {list(getattr(log, 'columns', []))}")
    if log.empty:
        raise LogError("calibrate: the log has no events")
    df = pd.DataFrame({"case_id": log["case_id"].astype(str),
                       "activity": log["activity"].astype(str),
                       "timestamp": log["timestamp"].astype(UTC_DTYPE)})
    if activity_map:
        df["activity"] = df["activity"].replace(dict(activity_map))
    df["start"] = log["start_timestamp"].astype(UTC_DTYPE) \
        if "start_timestamp" in log else pd.Series(pd.NaT, index=log.index, dtype=UTC_DTYPE)
    df["resource"] = log["resource"].astype(object).where(log["resource"].notna(), "nan") \
        .astype(str) if "resource" in log else "nan"
    df["item_type"] = log["item_type"].astype(str) if "item_type" in log else "item"
    df["queue_pool"] = _queue_pools(log, df["activity"])
    return df.sort_values(["case_id", "timestamp"], kind="stable", ignore_index=True)


def _safe_item_types(df: pd.DataFrame) -> dict[str, str]:
    """Item types named so override paths can hold them (:func:`~modlean.scenario.safe_names`:
    ``Zdjęcie`` -> ``Zdjecie``), in ``df``; returns ``{log's name: scenario's name}`` of
    those renamed."""
    names = safe_names(df["item_type"].unique())
    renamed = {old: new for old, new in names.items() if old != new}
    if renamed:
        df["item_type"] = df["item_type"].replace(renamed)
    return renamed


def _queue_pools(log: pd.DataFrame, activity: pd.Series) -> pd.Series:
    """The pool of each event from the log's ``pool`` column (an imported export's queues),
    QA checks in pool ``qa``; missing where the log has no pool column."""
    if "pool" not in log:
        return pd.Series(np.nan, index=log.index, dtype=object)
    pool = log["pool"].astype("string").str.strip()
    pool = pool.map(safe_names(pool.dropna().unique())).mask(pool.eq(""))
    is_qa = activity.isin([QA_EVENT, "qa_sample"]).to_numpy()
    return pool.astype(object).where(~is_qa, "qa").where(pool.notna() | is_qa, np.nan)


def _arrivals(df: pd.DataFrame, timezone: str, old_types: Mapping[str, Any], notes: list[str]
              ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any], pd.Timestamp, int]:
    """Arrivals: per item type the daily volume and the hour-of-day and day-of-week profiles.

    Returns the cases (``arrival``, ``item_type``, ``how`` = local hour of week), the
    arrivals table, the item types' settings (on top of ``old_types``), the first local
    day and the number of days the log spans.
    """
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
    return cases, arrivals, item_types, first_day, n_days


def _handling(df: pd.DataFrame, notes: list[str], max_gap_s: float | None = None
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Handling times per pool x item type x activity, fitted (:func:`fit_handling`).

    Adds ``pool``, ``handling_s`` and ``basis`` to ``df`` (start to complete when the
    start is logged, else the gap bound, left out above ``max_gap_s``: a break); returns
    the fits and the people's events.
    """
    human = ~df["resource"].isin(SYSTEM_RESOURCES)
    named = df["queue_pool"].fillna(pool_of_resource(df["resource"]))
    df["pool"] = np.where(human, named, "")
    has_start = df["start"].notna()
    service = (df["timestamp"] - df["start"]).dt.total_seconds()
    same_case = df["case_id"].eq(df["case_id"].shift())
    case_gap = (df["timestamp"] - df["timestamp"].shift()).dt.total_seconds().where(same_case)
    by_res = df.sort_values(["resource", "timestamp"], kind="stable")
    res_gap = (by_res["timestamp"] - by_res["timestamp"].shift()).dt.total_seconds() \
        .where(by_res["resource"].eq(by_res["resource"].shift())).reindex(df.index)
    gap = np.fmin(case_gap, res_gap)
    if max_gap_s is not None:
        gap = gap.where(gap <= max_gap_s)
    df["handling_s"] = np.where(has_start, service, gap)
    df["basis"] = np.where(has_start, "start/complete", "gap")
    instant = _status_changes(df[human], has_start[human])
    df.loc[df["activity"].isin(instant), "basis"] = "instant"
    if instant:
        notes.append(f"{', '.join(map(repr, instant))}: logged by people without a start "
                     "where the log times their other work from its start: status changes "
                     f"taking no work ({INSTANT_S:g} s), not the gap before them")
    work = df[human]
    hrows = []
    for (pool, t, act), g in work.groupby(["pool", "item_type", "activity"], sort=True):
        basis = g["basis"].mode().iloc[0]
        fit = {"dist": "constant", "mean_s": INSTANT_S, "cv": 0.0, "n": len(g)} \
            if basis == "instant" else fit_handling(g["handling_s"].to_numpy(float))
        hrows.append({"pool": pool, "item_type": t, "activity": act, **fit, "basis": basis})
    handling = pd.DataFrame(hrows, columns=["pool", "item_type", "activity", "dist", "mean_s",
                                            "cv", "n", "basis"])
    if (handling["basis"] == "gap").any():
        notes.append("some handling times come from gaps (no start times logged): they are "
                      "upper bounds and include any wait between steps")
    return handling, work


def _status_changes(work: pd.DataFrame, has_start: pd.Series) -> list[str]:
    """Activities people log without ever a start, in a log that times most of an activity
    of theirs from its start (a status history: ``assigned`` beside a timed ``review``)."""
    started = has_start.groupby(work["activity"].astype(str), observed=True).mean()
    if not (started >= 0.5).any():
        return []
    return sorted(started.index[started == 0])


def _count(pc: pd.DataFrame, activity: str) -> pd.Series:
    """Events of ``activity`` per case (0 when the log has none)."""
    return pc[activity] if activity in pc else pd.Series(0, index=pc.index)


def _routing(log: pd.DataFrame, df: pd.DataFrame, cases: pd.DataFrame, roles: pd.DataFrame,
             item_types: dict[str, Any], old_routing: Mapping[str, Any], facts: pd.DataFrame,
             assume: Assumptions, *, fixed: bool = True) -> tuple[dict[str, Any], pd.DataFrame]:
    """Routing: the model's shares (and thresholds), L1 / L2 pools, escalation, appeal rate.

    Updates ``item_types`` (prevalence, model, appeal rate) and returns the scenario's
    routes and the routing table. ``roles`` (per case: the pools
    of its first and second review and of its appeal, :func:`review_roles`) give the pools
    and escalation in any vocabulary; ``facts`` (per case: score, human, decision) the
    model and the prevalence when the log carries them. The table's ``model_read`` says
    whether the model's thresholds were read from logged scores. ``fixed``: for the fixed
    template, whose single first-review pool the assumptions name when work is left out.
    """
    per_case = df.assign(one=1).pivot_table(index="case_id", columns="activity", values="one",
                                            aggfunc="sum", fill_value=0)
    per_case = per_case.join(cases["item_type"])
    rrows = []
    routing: dict[str, Any] = {}
    prevalence_col = "true_label" in log
    if prevalence_col:
        labels = log.groupby(log["case_id"].astype(str), sort=False)["true_label"].first()
        cases["violating"] = labels.reindex(cases.index).astype(str).eq("violating")
    for t in item_types:
        pc = per_case[per_case["item_type"] == t]
        n = len(pc)
        ft = facts.reindex(pc.index)
        if "auto_approved" in pc or "auto_rejected" in pc or not n:
            auto_a = float((_count(pc, "auto_approved") > 0).mean()) if n else 0.0
            auto_r = float((_count(pc, "auto_rejected") > 0).mean()) if n else 0.0
        else:  # any vocabulary: decided with no person involved
            auto_a = float((~ft["human"] & ft["decision"].eq("approve")).mean())
            auto_r = float((~ft["human"] & ft["decision"].eq("reject")).mean())
        rt = roles.reindex(pc.index)
        l1, l2 = rt["first_pool"].notna(), rt["second_pool"].notna()
        esc = float((l2 & l1).sum() / max(l1.sum(), 1))
        rec = {"item_type": t, "cases": n, "auto_approve_share": auto_a,
               "auto_reject_share": auto_r, "human_share": float(l1.mean()) if n else 0.0,
               "escalation_probability": esc}
        it = item_types[t]
        _prevalence(it, t, cases, ft, prevalence_col, assume)
        fitted = model_from_scores(ft, it.get("model", {}))
        rec["model_read"] = fitted is not None and "thresholds" in fitted["fitted"]["parts"]
        if fitted is not None:
            rec.update(_fitted_model(it, t, fitted, assume))
        else:
            screened = (_count(pc, "auto_screen") > 0).any() or auto_a + auto_r > 0
            rec.update(model_from_shares(it, screened, auto_a, auto_r))
            if screened:
                for part in ("violating", "clean"):
                    assume.add(f"item_types.{t}.model.{part}", "the log has no model scores: "
                               "the score curves are assumed and the thresholds solved on them "
                               "from the automatic shares")
        pool1, pool2 = mode_of(rt["first_pool"]), mode_of(rt["second_pool"])
        if fixed:
            _left_out_pools(t, rt["first_pool"], pool1, assume)
        if pool1:
            r = dict(old_routing.get(t, {}))
            r.update({"pool": pool1, "escalation_probability": esc if pool2 else 0.0,
                      "escalation_pool": pool2})
            routing[t] = r
        appealed = rt["appeal_at"].notna()
        if appealed.any():
            rejected = (_count(pc, "auto_rejected") > 0) | ft["first_decision"].eq("reject") \
                | appealed
            it["appeal_rate"] = float(appealed.sum() / rejected.sum())
            rec["appeal_rate"] = it["appeal_rate"]
        rrows.append(rec)
    return routing, pd.DataFrame(rrows)


def _left_out_pools(t: str, first: pd.Series, chosen: str | None, assume: Assumptions) -> None:
    """Name the queues the fixed template cannot route to: it sends an item type's first
    review to one pool, so first reviews done in another pool are left out of the model."""
    shares = first.dropna().astype(str).value_counts(normalize=True)
    others = shares[(shares.index != chosen) & (shares >= 0.01)]
    if chosen and len(others):
        listed = ", ".join(f"{pool} {share:.0%}" for pool, share in others.items())
        assume.add(f"routing.{t}.pool", f"{t}: the first review was also done in {listed}; "
                   f"the template routes every {t} item to {chosen}, so that work is left "
                   "out. Calibrate with workflow=True (--workflow yes) to keep every queue")


def _prevalence(it: dict[str, Any], t: str, cases: pd.DataFrame, facts: pd.DataFrame,
                measured: bool, assume: Assumptions) -> None:
    """The share of violating items: measured (``true_label``), read from the decisions (an
    assumption: reviewer errors are not netted out), or assumed."""
    if measured:
        it["prevalence"] = float(cases.loc[cases["item_type"] == t, "violating"].mean())
        return
    decided = facts["decision"].dropna()
    if len(decided):
        it["prevalence"] = float(decided.eq("reject").mean())
        assume.add(f"item_types.{t}.prevalence", f"the share of rejections among {len(decided):,}"
                   " decided cases stands for the share of violating items (the log has no "
                   "true label; reviewer errors are not netted out)")
    else:
        assume.add(f"item_types.{t}.prevalence", "the log shows neither true labels nor "
                   "decisions")


def _fitted_model(it: dict[str, Any], t: str, fitted: dict[str, Any], assume: Assumptions
                  ) -> dict[str, float]:
    """Write a model fitted from the scores (:func:`model_from_scores`) into ``it``."""
    info = fitted.pop("fitted")
    it["model"] = fitted
    truth = "the decisions stand for the truth" if info["truth"] == "decision" else \
        "true labels"
    for part in ("violating", "clean"):
        if part not in info["parts"]:
            assume.add(f"item_types.{t}.model.{part}", f"too few {part} cases with a score to "
                       "fit a curve")
        elif info["truth"] == "decision":
            assume.add(f"item_types.{t}.model.{part}", f"fitted to the scores; {truth}")
    if "thresholds" not in info["parts"]:
        assume.add(f"item_types.{t}.model.t_low", "no automatic decisions with a score")
    return {"t_low": fitted["t_low"], "t_high": fitted["t_high"]}


def _unseen(assume: Assumptions, item_types: Mapping[str, Any], pools: Mapping[str, Any],
            handling: pd.DataFrame, qa: Mapping[str, Any], appeals: Mapping[str, Any],
            source: str, *, has_qa: bool) -> None:
    """Record the values no log shows: SLA targets, shrinkage, costs and their currency,
    accuracy without QA, QA's catch rate, appeal outcomes, and handling read from gaps."""
    for t in item_types:
        assume.add(f"item_types.{t}.sla.hours", f"a log holds no SLA targets: {source} "
                   "(set them in the workbook's sla_hours or a base scenario)")
    assume.add("currency", f"a log holds no costs: {source} (set currency and cost_per_hour "
               "in the workbook)")
    for pool in pools:
        team = pools[pool].get("team")
        people = f"teams.{team}" if team else f"pools.{pool}"
        assume.add(f"{people}.shrinkage", "shrinkage cannot be seen in a log: headcount is "
                   "the seats seen on duty")
        assume.add(f"{people}.cost_per_hour", f"a log holds no costs: {source}")
        if not has_qa:
            assume.add(f"pools.{pool}.accuracy", f"no QA table given (--qa): {source}")
        gaps = handling[(handling["pool"] == pool) & (handling["basis"] == "gap")]
        for t in gaps["item_type"].unique():
            assume.add(f"pools.{pool}.handling.{t}", "no start times logged: read from gaps "
                       "between events, an upper bound that includes any wait")
    if qa.get("enabled"):
        assume.add("qa.catch_probability", f"a log cannot show the errors QA misses: {source}")
    if appeals.get("enabled"):
        assume.add("appeals.overturn_if_wrong", f"needs the truth behind appealed decisions: "
                   f"{source}")
