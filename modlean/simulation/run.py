"""Simulate a scenario: the simulated event log, per-item results and KPIs.

``simulate(scenario, seed=..., replications=...)`` draws a work plan per
replication (:mod:`modlean.simulation.plan`, vectorised numpy: arrivals, items, the
model's routing, every decision and handling time), runs the human visits
through SimPy (:mod:`modlean.simulation.engine`: pools, shifts, queues, priorities) and
turns the times into

* ``log``: the simulated event log in the canonical shape (``case_id``,
  ``activity``, ``timestamp``, ``start_timestamp``, ``resource``, then
  ``market``, ``item_type``, ``true_label``, ``decision``, ``label`` (the
  rejection reason), ``correct``, ``exposure_s``, ``sla_breach``), so
  :mod:`modlean.process.discovery` runs on it;
* ``items``: one row per item (route, decisions, times, turnaround, exposure);
* ``kpis``: tidy, one row per replication x item type (and ``all``) x KPI;
* ``pool_kpis``: one row per replication x pool x KPI (utilisation, cost ...);
* ``backlog`` and ``pool_load``: hourly series for the figures.

Replications run through :func:`modlean.executor.run_tasks` (a local process
pool, or Dask with ``scheduler=``). Replication *r* of seed *s* always uses
the same random streams, so results are identical for the same seed and two
scenarios run with the same seed see the same arrivals and items (common random
numbers).
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from modlean.errors import ParameterError
from modlean.eventlog import utc_series
from modlean.scenario import Scenario, scenario_from_dict
from modlean.simulation.engine import run_engine
from modlean.simulation.plan import (
    APPEAL,
    AUTO_APPROVE,
    AUTO_REJECT,
    L1,
    L2,
    QA_REVIEW,
    REWORK,
    ROUTES,
    Plan,
    make_plan,
)

__all__ = ["ACTIVITIES", "SimulationResult", "run_replication", "simulate", "summarize_kpis"]

#: Activities of the simulated log, in process order (ties at equal times keep it).
ACTIVITIES = ("submitted", "auto_screen", "auto_approved", "auto_rejected", "queued_l1",
              "review_l1", "escalated_l2", "review_l2", "qa_sample", "qa_overturn",
              "decision_sent", "appeal_filed", "appeal_queued", "appeal_review",
              "appeal_decided")
_ACT = {a: i for i, a in enumerate(ACTIVITIES)}
_FIXED_RESOURCES = ("seller", "model", "system")
_NAT = np.iinfo(np.int64).min  # NaT as int64


def _codes(categories: Any) -> np.dtype:
    """The integer dtype pandas keeps a categorical's codes in for these categories."""
    return pd.Categorical.from_codes(np.zeros(0, np.int8), categories=list(categories)) \
        .codes.dtype


@dataclass
class SimulationResult:
    """What :func:`simulate` returns.

    Attributes
    ----------
    scenario, seed, replications:
        What was run.
    kpis:
        Tidy KPIs: ``replication``, ``item_type`` (a type or ``"all"``), ``kpi``, ``value``.
    pool_kpis:
        ``replication``, ``pool``, ``kpi``, ``value`` (utilisation, busy/productive/paid
        hours, cost, reviews, mean wait, max queue).
    items:
        One row per item and replication (``None`` when ``item_table=False``).
    log:
        The simulated event log (``None`` when ``event_log=False``); with more than
        one replication, case ids carry the replication (``US-r2-0000123``) and a
        ``replication`` column is added.
    backlog:
        Hourly open items and aged (past-SLA) open items per item type and ``all``.
    pool_load:
        Hourly busy reviewers, productive capacity and waiting items per pool.
    """

    scenario: Scenario
    seed: int
    replications: int
    kpis: pd.DataFrame
    pool_kpis: pd.DataFrame
    backlog: pd.DataFrame
    pool_load: pd.DataFrame
    items: pd.DataFrame | None = None
    log: pd.DataFrame | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def summary(self, confidence: float = 0.95) -> pd.DataFrame:
        """KPIs across replications: mean, std, n and the Student-t interval of the mean."""
        return summarize_kpis(self.kpis, ["item_type", "kpi"], confidence)

    def pool_summary(self, confidence: float = 0.95) -> pd.DataFrame:
        """Pool KPIs across replications, like :meth:`summary`."""
        return summarize_kpis(self.pool_kpis, ["pool", "kpi"], confidence)

    def kpi(self, name: str, item_type: str = "all") -> float:
        """The mean over replications of one KPI (``result.kpi("sla_attainment", "listing")``)."""
        sel = self.kpis[(self.kpis["kpi"] == name) & (self.kpis["item_type"] == item_type)]
        if sel.empty:
            known = sorted(self.kpis["kpi"].unique())
            raise ParameterError(f"kpi {name!r} for item type {item_type!r}: not found; "
                                 f"expected one of {known}")
        return float(sel["value"].mean())


def summarize_kpis(kpis: pd.DataFrame, by: list[str], confidence: float = 0.95
                   ) -> pd.DataFrame:
    """Mean, standard deviation, count and t-interval of ``value`` per group of ``by``."""
    from scipy import stats

    g = kpis.groupby(by, sort=False, observed=True)["value"]
    out = g.agg(mean="mean", std="std", n="count").reset_index()
    t = stats.t.ppf(0.5 + confidence / 2, np.maximum(out["n"] - 1, 1))
    half = np.where(out["n"] > 1, t * out["std"] / np.sqrt(out["n"]), np.nan)
    out["ci_low"] = out["mean"] - half
    out["ci_high"] = out["mean"] + half
    return out


# --------------------------------------------------------------------------- running

def simulate(scenario: Scenario, *, seed: int | None = None, replications: int = 1,
             workers: int | None = None, scheduler: str | None = None,
             event_log: bool = True, item_table: bool = True,
             on_replication_done: Callable[[int], None] | None = None) -> SimulationResult:
    """Run a scenario ``replications`` times and collect the log, items and KPIs.

    Parameters
    ----------
    scenario:
        A validated :class:`~modlean.scenario.Scenario`.
    seed:
        Random seed (default ``scenario.seed``). Same seed, same results.
    replications:
        Independent runs; replication *r* uses streams spawned from (seed, r).
    workers:
        Local processes for replications (default: every core when there is more
        than one replication; ``1`` runs in this process).
    scheduler:
        A Dask scheduler address (``tcp://host:8786``) or ``"local"``.
    event_log, item_table:
        Build the event log / the per-item table (turn off for speed when only
        KPIs matter).
    on_replication_done:
        Called with the replication number as each finishes (progress bars).
    """
    from modlean.executor import run_tasks

    if not isinstance(scenario, Scenario):
        raise ParameterError(f"scenario: found {type(scenario).__name__}; expected a "
                             "modlean.scenario.Scenario (see load_scenario / preset)")
    if int(replications) != replications or replications < 1:
        raise ParameterError(f"replications: found {replications!r}; expected a whole "
                             "number >= 1")
    seed = scenario.seed if seed is None else seed
    if int(seed) != seed or seed < 0:
        raise ParameterError(f"seed: found {seed!r}; expected a whole number >= 0")
    data = scenario.model_dump(mode="json")
    tasks = [(data, int(seed), r, int(replications), event_log, item_table)
             for r in range(int(replications))]
    if workers is None and scheduler is None:
        workers = 1 if replications == 1 else None
    done = (lambda o: on_replication_done(o.index)) if on_replication_done else None
    outcomes = run_tasks(_replicate, tasks, workers=workers, scheduler=scheduler,
                         on_done=done)
    parts = [o.value for o in outcomes]

    def cat(name: str) -> pd.DataFrame | None:
        frames = [p[name] for p in parts if p[name] is not None]
        if not frames:
            return None
        return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)

    log = cat("log")
    if log is not None and replications > 1:
        for col in ("activity", "resource", "market", "item_type", "true_label", "decision"):
            if col in log and not isinstance(log[col].dtype, pd.CategoricalDtype):
                log[col] = log[col].astype("category")
    return SimulationResult(scenario=scenario, seed=int(seed), replications=int(replications),
                            kpis=cat("kpis"), pool_kpis=cat("pool_kpis"),  # type: ignore[arg-type]
                            backlog=cat("backlog"), pool_load=cat("pool_load"),  # type: ignore[arg-type]
                            items=cat("items"), log=log)


def _replicate(task: tuple[dict[str, Any], int, int, int, bool, bool]) -> dict[str, Any]:
    data, seed, rep, reps, event_log, item_table = task
    return run_replication(scenario_from_dict(data), seed, rep, replications=reps,
                           event_log=event_log, item_table=item_table)


def run_replication(scenario: Scenario, seed: int, replication: int = 0, *,
                    replications: int = 1, event_log: bool = True, item_table: bool = True
                    ) -> dict[str, Any]:
    """One replication in this process: a dict of ``kpis``, ``pool_kpis``, ``backlog``,
    ``pool_load``, ``items`` and ``log`` DataFrames (the last two may be ``None``)."""
    plan = make_plan(scenario, seed, replication)
    has_first = plan.first_visit >= 0
    firsts = plan.first_visit[has_first]
    first_times = plan.ready[has_first] + plan.v_delay[firsts]
    order = np.argsort(first_times, kind="stable")
    res = run_engine(first_visits=firsts[order], first_times=first_times[order],
                     pool=plan.v_pool, service=plan.v_service, delay=plan.v_delay,
                     nxt=plan.v_next, key=plan.v_key, key_now=plan.v_key_now,
                     cap_times=plan.cap_times, cap_values=plan.cap_values,
                     disciplines=plan.disciplines, end_time=plan.end_s,
                     record_seats=event_log)
    del firsts, first_times, order
    gc.collect()  # the engine's callbacks form reference cycles holding its arrays
    out = _Outcome(plan, res.start, res.end, res.seat)
    plan.v_service = plan.v_delay = plan.v_key = plan.v_key_now = None  # type: ignore[assignment]
    result: dict[str, Any] = {
        "kpis": out.kpis(replication),
        "pool_kpis": out.pool_kpis(replication),
        "backlog": out.backlog_series(replication),
        "pool_load": out.pool_series(replication),
        "items": out.item_frame(replication, replications) if item_table else None,
    }
    if event_log:
        out.keep_only_what_the_log_needs()
        result["log"] = out.event_log(replication, replications, release=True)
    else:
        result["log"] = None
    return result


# --------------------------------------------------------------------------- outcomes

def _cum_busy(start: np.ndarray, end: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Σ over intervals of their overlap with (-inf, t]: busy time accumulated by time t."""
    s = np.sort(start)
    e = np.sort(end)
    cs = np.r_[0.0, np.cumsum(s)]
    ce = np.r_[0.0, np.cumsum(e)]
    ks = np.searchsorted(s, t, side="right")
    ke = np.searchsorted(e, t, side="right")
    return (ks * t - cs[ks]) - (ke * t - ce[ke])


def _open_count(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Number of intervals [a, b) containing each t."""
    return (np.searchsorted(np.sort(a), t, side="right")
            - np.searchsorted(np.sort(b), t, side="right"))


def _step_integral(times: np.ndarray, values: np.ndarray, t0: float, t1: float) -> float:
    """∫ of a right-continuous step function (values from times[k]) over [t0, t1]."""
    edges = np.r_[times, np.inf]
    lo = np.clip(edges[:-1], t0, t1)
    hi = np.clip(edges[1:], t0, t1)
    return float(np.sum(values * (hi - lo)))


class _Outcome:
    """Times of one replication turned into per-item results, KPIs, series and the log."""

    def __init__(self, plan: Plan, start: np.ndarray, end: np.ndarray,
                 seat: np.ndarray | None) -> None:
        s = plan.scenario
        self.plan, self.start, self.end, self.seat = plan, start, end, seat
        p = plan
        n = p.n_items
        nv = len(p.v_item)
        self.end_s = p.end_s
        self.horizon_s = s.horizon_days * 86400.0
        self.warmup_s = s.warmup_days * 86400.0
        # when each visit joined its queue
        enq = np.full(nv, np.nan)
        has_first = p.first_visit >= 0
        enq[p.first_visit[has_first]] = p.ready[has_first] + p.v_delay[p.first_visit[has_first]]
        prev = np.nonzero(p.v_next >= 0)[0]
        enq[p.v_next[prev]] = end[prev] + p.v_delay[p.v_next[prev]]
        self.enq = enq
        stages = np.bincount(p.v_stage, minlength=5) if nv else np.zeros(5, np.int64)
        self.present = {stage: bool(stages[stage]) for stage in range(5)}

        def at(times: np.ndarray, stage: int | np.ndarray) -> np.ndarray:
            """Per item, ``times`` of its visit at ``stage`` (or of the given visit index)."""
            out = np.full(n, np.nan)
            if isinstance(stage, np.ndarray):
                ok = stage >= 0
                out[ok] = times[stage[ok]]
            elif self.present[stage]:
                m = p.v_stage == stage
                out[p.v_item[m]] = times[m]
            return out

        self.at = at
        auto = (p.route == AUTO_APPROVE) | (p.route == AUTO_REJECT)
        self.auto = auto
        self.decision_time = np.where(auto, p.ready, at(end, p.decision_visit))
        self.tat_h = (self.decision_time - p.submit) / 3600.0
        sla_h = np.array([s.item_types[t].sla.hours for t in p.type_names])[p.item_type]
        self.sla_h = sla_h
        self.breach = ~(self.tat_h <= sla_h)
        qa_end = at(end, QA_REVIEW)
        rework_end = at(end, REWORK)
        has_rework = np.zeros(n, bool)
        has_rework[p.v_item[p.v_stage == REWORK]] = True
        self.correction_time = np.where(has_rework, rework_end, qa_end)
        del qa_end, rework_end, has_rework
        self.appeal_filed = at(enq, APPEAL)
        self.appeal_end = at(end, APPEAL)
        self.l1_wait_h = (at(start, L1) - at(enq, L1)) / 3600.0
        # the decision sent: the reviewer's, or QA's when QA comes before sending
        before_send = s.qa.timing == "before_send"
        sent_reject = np.where(before_send & ~auto, p.after_qa_reject, p.first_reject)
        audited = p.qa_overturn & ~(before_send & ~auto)  # corrected after sending
        self.sent_reject = sent_reject
        # the decision in force at the end of the run, and exposure of violating items
        E = self.end_s
        dec = np.where(np.isnan(self.decision_time), E, self.decision_time)
        corr = np.where(audited & ~np.isnan(self.correction_time), self.correction_time,
                        np.inf)
        lwp = np.array([s.item_types[t].live_while_pending for t in p.type_names])[p.item_type]
        decided = ~np.isnan(self.decision_time)
        live_from = np.where(lwp, p.submit,
                             np.where(sent_reject | ~decided, np.inf, dec))
        removed = np.where(sent_reject & decided, dec, np.minimum(corr, E))
        exposure = np.clip(np.minimum(removed, E) - np.minimum(live_from, E), 0, None)
        reinstated = p.appeal_overturn & ~np.isnan(self.appeal_end)
        exposure += np.where(reinstated, np.clip(E - np.nan_to_num(self.appeal_end, nan=E), 0,
                                                 None), 0.0)
        self.exposure_s = np.where(p.violating, exposure, 0.0)
        del dec, corr, live_from, removed, exposure, reinstated
        # the decision as it stands when the run ends (QA and appeal outcomes applied if done)
        qa_done = audited & ~np.isnan(self.correction_time)
        appeal_done = p.appeal_overturn & ~np.isnan(self.appeal_end)
        now_reject = np.where(qa_done, p.violating, sent_reject)
        now_reject = np.where(appeal_done, False, now_reject)
        self.final_reject = now_reject
        self.correct = np.where(decided, now_reject == p.violating, False)
        self.first_correct = decided & (p.first_reject == p.violating)
        # when the item's last step ended (NaN while any step is unfinished)
        last = np.nonzero(p.v_next < 0)[0]
        closed = np.where(auto, p.ready, np.nan)
        closed[p.v_item[last]] = end[last]
        self.closed_at = closed
        self.window = (p.submit >= self.warmup_s) if self.warmup_s > 0 else \
            np.ones(n, bool)

    def keep_only_what_the_log_needs(self) -> None:
        """Drop per-item arrays the event log does not use (lower peak memory)."""
        for name in ("tat_h", "sla_h", "correction_time", "appeal_filed", "appeal_end",
                     "l1_wait_h", "closed_at", "first_correct", "window", "sent_reject"):
            setattr(self, name, None)
        p = self.plan
        p.first_visit = p.decision_visit = p.v_next = None  # type: ignore[assignment]
        gc.collect()

    # ----------------------------------------------------------------- KPIs
    def _groups(self) -> list[tuple[str, np.ndarray]]:
        p = self.plan
        groups = [(name, self.window & (p.item_type == t)) for t, name in
                  enumerate(p.type_names)]
        return [*groups, ("all", self.window)]

    def kpis(self, rep: int) -> pd.DataFrame:
        p, s = self.plan, self.plan.scenario
        rows: list[tuple[int, str, str, float]] = []
        hours = np.arange(self.warmup_s, self.horizon_s + 1, 3600.0)
        for name, m in self._groups():
            k: dict[str, float] = {}
            n = int(m.sum())
            decided = m & ~np.isnan(self.decision_time)
            nd = int(decided.sum())
            k["items"] = n
            k["decided"] = nd
            k["open_at_end"] = n - nd
            k["throughput_per_day"] = nd / max((self.horizon_s - self.warmup_s) / 86400, 1e-9)
            tat = self.tat_h[decided]
            k["turnaround_mean_h"] = float(tat.mean()) if nd else np.nan
            qs = np.percentile(tat, [50, 90, 95, 99]) if nd else [np.nan] * 4
            for q, value in zip((50, 90, 95, 99), qs, strict=True):
                k[f"turnaround_p{q}_h"] = float(value)
            del tat
            k["sla_attainment"] = float((~self.breach[m]).mean()) if n else np.nan
            k["sla_breaches"] = int(self.breach[m].sum())
            if name != "all":
                item = s.item_types[name]
                # the P-th percentile is within the SLA when at least P % of items are
                k["sla_target_met"] = float(k["sla_attainment"] >= item.sla.percentile / 100) \
                    if n else np.nan
            human = m & ~self.auto
            w = self.l1_wait_h[human]
            w = w[~np.isnan(w)]
            k["wait_l1_mean_h"] = float(w.mean()) if len(w) else np.nan
            k["automation_rate"] = float((self.auto & decided).sum() / nd) if nd else np.nan
            k["human_review_rate"] = float(human.sum() / n) if n else np.nan
            k["accuracy"] = float(self.correct[decided].mean()) if nd else np.nan
            k["first_decision_accuracy"] = float(self.first_correct[decided].mean()) if nd \
                else np.nan
            viol = decided & p.violating
            clean = decided & ~p.violating
            fa = int((viol & ~self.final_reject).sum())
            fr = int((clean & self.final_reject).sum())
            k["false_approvals"] = fa
            k["false_rejections"] = fr
            k["false_approve_rate"] = fa / int(viol.sum()) if viol.any() else np.nan
            k["false_reject_rate"] = fr / int(clean.sum()) if clean.any() else np.nan
            exp_h = self.exposure_s[m] / 3600.0
            nviol = int((m & p.violating).sum())
            k["exposure_hours_total"] = float(exp_h.sum())
            k["exposure_hours_per_violating_item"] = float(exp_h.sum() / nviol) if nviol \
                else np.nan
            k["qa_sampled"] = int((m & p.qa_sampled).sum())
            k["qa_overturns"] = int((m & p.qa_overturn & ~np.isnan(self.correction_time)).sum())
            appealed = m & p.appealed
            done = appealed & ~np.isnan(self.appeal_end)
            k["appeals_filed"] = int((appealed & ~np.isnan(self.appeal_filed)).sum())
            k["appeals_decided"] = int(done.sum())
            k["appeals_overturned"] = int((done & p.appeal_overturn).sum())
            k["appeal_overturn_rate"] = float(p.appeal_overturn[done].mean()) if done.any() \
                else np.nan
            a_tat = (self.appeal_end[done] - self.appeal_filed[done]) / 3600.0
            k["appeal_turnaround_p95_h"] = float(np.percentile(a_tat, 95)) if len(a_tat) \
                else np.nan
            k["appeal_sla_attainment"] = float((a_tat <= s.appeals.sla.hours).mean()) \
                if len(a_tat) else np.nan
            backlog, aged = self._open_series(m, hours)
            k["backlog_mean"] = float(backlog.mean())
            k["backlog_max"] = float(backlog.max())
            k["backlog_end"] = float(backlog[-1])
            k["aged_backlog_mean"] = float(aged.mean())
            k["aged_backlog_max"] = float(aged.max())
            if name == "all":
                costs = self._pool_numbers()
                total = float(sum(c["cost"] for c in costs.values()))
                k["cost_total"] = total
                k["cost_per_decision"] = total / nd if nd else np.nan
                ncorrect = int(self.correct[decided].sum())
                k["cost_per_correct_decision"] = total / ncorrect if ncorrect else np.nan
                for pool, c in costs.items():
                    k[f"utilisation.{pool}"] = c["utilisation"]
                    k[f"cost.{pool}"] = c["cost"]
            rows += [(rep, name, kpi, float(v)) for kpi, v in k.items()]
        return pd.DataFrame(rows, columns=["replication", "item_type", "kpi", "value"])

    def _open_series(self, m: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        sub = self.plan.submit[m]
        dec = np.nan_to_num(self.decision_time[m], nan=np.inf)
        backlog = _open_count(sub, dec, t)
        a = sub + self.sla_h[m] * 3600.0
        keep = dec > a
        aged = _open_count(a[keep], dec[keep], t)
        return backlog, aged

    def _pool_numbers(self) -> dict[str, dict[str, float]]:
        if hasattr(self, "_pool_cache"):
            return self._pool_cache
        p, s = self.plan, self.plan.scenario
        t0, t1 = (self.warmup_s, self.horizon_s)
        out: dict[str, dict[str, float]] = {}
        cell = np.diff(p.grid.seconds, append=p.grid.seconds[-1] + 900.0)
        in_win = (p.grid.seconds >= t0) & (p.grid.seconds < t1)
        for i, name in enumerate(p.pool_names):
            m = (p.v_pool == i) & ~np.isnan(self.start)
            st = self.start[m]
            en = np.nan_to_num(self.end[m], nan=self.end_s)
            busy = float(np.diff(_cum_busy(st, en, np.array([t0, t1])))[0])
            productive = _step_integral(p.cap_times[i], p.cap_values[i], t0, t1)
            paid_h = float((p.seats[i] * cell)[in_win].sum() / 3600.0)
            waits = (self.start[m] - self.enq[m])
            in_w = (self.enq[m] >= t0) & (self.enq[m] < t1)
            waiting = _open_count(self.enq[(p.v_pool == i)],
                                  np.nan_to_num(self.start[(p.v_pool == i)], nan=np.inf),
                                  np.arange(t0, t1 + 1, 3600.0))
            out[name] = {
                "utilisation": busy / productive if productive > 0 else np.nan,
                "busy_hours": busy / 3600.0,
                "productive_hours": productive / 3600.0,
                "paid_hours": paid_h,
                "cost": paid_h * s.pools[name].cost_per_hour,
                "reviews": float(((en >= t0) & (en < t1) & ~np.isnan(self.end[m])).sum()),
                "wait_mean_h": float(waits[in_w].mean() / 3600.0) if in_w.any() else np.nan,
                "queue_max": float(waiting.max()) if len(waiting) else 0.0,
            }
        self._pool_cache = out
        return out

    def pool_kpis(self, rep: int) -> pd.DataFrame:
        rows = [(rep, pool, k, float(v)) for pool, d in self._pool_numbers().items()
                for k, v in d.items()]
        return pd.DataFrame(rows, columns=["replication", "pool", "kpi", "value"])

    # ----------------------------------------------------------------- series
    def _us(self, seconds: np.ndarray) -> np.ndarray:
        """Simulation seconds as int64 microseconds since the epoch (UTC; NaN -> NaT)."""
        t0 = self.plan.grid.t0.tz_convert("UTC").tz_localize(None).to_datetime64() \
            .astype("datetime64[us]").astype(np.int64)
        us = np.multiply(seconds, 1e6)
        np.round(us, out=us)
        nan = np.isnan(us)
        us[nan] = 0
        out = us.astype(np.int64)
        del us
        out += t0
        out[nan] = _NAT
        return out

    def _stamps(self, seconds: np.ndarray) -> pd.Series:
        """Simulation seconds as UTC timestamps (``datetime64[us, UTC]``; NaN -> NaT)."""
        return utc_series(self._us(seconds))

    def backlog_series(self, rep: int) -> pd.DataFrame:
        t = np.arange(0.0, self.end_s + 1, 3600.0)
        frames = []
        for name, m in self._groups():
            backlog, aged = self._open_series(m, t)
            frames.append(pd.DataFrame({"replication": rep, "item_type": name,
                                        "hours": t / 3600.0, "backlog": backlog,
                                        "aged_backlog": aged}))
        out = pd.concat(frames, ignore_index=True)
        out.insert(2, "time", self._stamps(out["hours"].to_numpy() * 3600.0))
        return out

    def pool_series(self, rep: int) -> pd.DataFrame:
        p = self.plan
        t = np.arange(0.0, self.end_s + 1, 3600.0)
        frames = []
        for i, name in enumerate(p.pool_names):
            m = (p.v_pool == i)
            started = m & ~np.isnan(self.start)
            busy = np.diff(_cum_busy(self.start[started],
                                     np.nan_to_num(self.end[started], nan=self.end_s), t),
                           prepend=0.0) / 3600.0
            idx = np.searchsorted(p.cap_times[i], t, side="right") - 1
            cap = p.cap_values[i][np.clip(idx, 0, None)]
            waiting = _open_count(self.enq[m], np.nan_to_num(self.start[m], nan=np.inf), t)
            frames.append(pd.DataFrame({"replication": rep, "pool": name, "hours": t / 3600.0,
                                        "busy": busy, "capacity": cap, "waiting": waiting}))
        out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
            columns=["replication", "pool", "hours", "busy", "capacity", "waiting"])
        out.insert(2, "time", self._stamps(out["hours"].to_numpy(float) * 3600.0))
        return out

    # ----------------------------------------------------------------- tables
    def _case_ids(self, rep: int, reps: int, counts: np.ndarray | None = None) -> pd.Series:
        """``US-000001`` ... in submission order (``US-r2-000001`` with replications).

        With ``counts``, item *i*'s id is repeated ``counts[i]`` times (the log's
        column). Every id has the same length, so the Arrow string buffers are built
        directly with numpy (no Python string per item or event, no copy).
        """
        import pyarrow as pa

        s = self.plan.scenario
        n = self.plan.n_items if counts is None else len(counts)
        prefix = ((s.market or s.name or "case") + "-"
                  + (f"r{rep}-" if reps > 1 else "")).encode()
        width = max(6, len(str(n)))
        size = len(prefix) + width
        ids = np.empty((n, size), np.uint8)
        ids[:, :len(prefix)] = np.frombuffer(prefix, np.uint8)
        number = np.arange(1, n + 1, dtype=np.int64)
        for j in range(width - 1, -1, -1):  # digits, right to left
            ids[:, len(prefix) + j] = number % 10 + ord("0")
            number //= 10
        del number
        if counts is not None:
            ids = np.repeat(ids, counts, axis=0)
        rows = len(ids)
        offsets = np.arange(0, (rows + 1) * size, size, dtype=np.int64)
        arr = pa.LargeStringArray.from_buffers(rows, pa.py_buffer(offsets),
                                               pa.py_buffer(ids.reshape(-1)))
        text = pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([arr])), copy=False)
        return text.astype(pd.Series(["x"]).dtype)  # pandas' default text dtype

    def _cat(self, codes: np.ndarray, names: list[str] | tuple[str, ...]) -> pd.Categorical:
        return pd.Categorical.from_codes(codes, categories=list(names))

    def _label_codes(self) -> np.ndarray:
        """Per item, the rejection reason of a rejected item's decision (-1 otherwise)."""
        rejected = self.final_reject & ~np.isnan(self.decision_time)
        return np.where(rejected, self.plan.reason, -1).astype(np.int16)

    def _final_codes(self) -> np.ndarray:
        """Per item, the decision in force at the end (0 approve, 1 reject, -1 undecided)."""
        return np.where(np.isnan(self.decision_time), -1,
                        self.final_reject.astype(np.int8)).astype(np.int8)

    def item_frame(self, rep: int, reps: int) -> pd.DataFrame:
        p = self.plan
        dec = np.where(np.isnan(self.decision_time), -1, p.first_reject.astype(np.int8))
        return pd.DataFrame({
            "replication": rep,
            "case_id": self._case_ids(rep, reps),
            "item_type": self._cat(p.item_type, p.type_names),
            "submitted": self._stamps(p.submit),
            "route": self._cat(p.route, ROUTES),
            "score": p.score.astype(np.float32),
            "true_label": self._cat(p.violating.astype(np.int8), ["clean", "violating"]),
            "first_decision": self._cat(dec, ["approve", "reject"]),
            "decision": self._cat(self._final_codes(), ["approve", "reject"]),
            "label": self._cat(self._label_codes(), p.label_names),
            "decided_at": self._stamps(self.decision_time),
            "turnaround_h": self.tat_h,
            "closed_at": self._stamps(self.closed_at),
            "lead_time_h": (self.closed_at - p.submit) / 3600.0,
            "sla_breach": self.breach,
            "correct": self.correct,
            "exposure_s": self.exposure_s,
            "escalated": p.escalated,
            "wait_l1_h": self.l1_wait_h,
            "qa_sampled": p.qa_sampled,
            "qa_overturned": p.qa_overturn,
            "appealed": p.appealed,
            "appeal_overturned": p.appeal_overturn,
            "appeal_decided_at": self._stamps(self.appeal_end),
        })

    def _log_blocks(self) -> list[tuple[int, int, Callable[[], tuple[Any, ...]]]]:
        """The log's events as blocks, one per activity and step, in process order.

        Each block is ``(rank, activity code, make)``; ``make()`` returns the block's
        items, end times, start times (or ``None``) and resource codes (a scalar or
        one per event). Blocks are made when needed, so at most one is in memory.
        Within a case, events are in process order, which is also time order: each
        step starts when the one before it ended. ``rank`` is that order.
        """
        p, s = self.plan, self.plan.scenario
        SELLER, MODEL, SYSTEM = 0, 1, 2
        pool_offset = self._pool_offsets()
        before_send = s.qa.timing == "before_send"
        qa_rank = 7 if before_send else 8
        blocks: list[tuple[int, int, Callable[[], tuple[Any, ...]]]] = []

        def add(rank: int, activity: str, make: Callable[[], tuple[Any, ...]]) -> None:
            blocks.append((rank, _ACT[activity], make))

        def items_where(mask: Callable[[], np.ndarray], times: Callable[[], np.ndarray],
                        resource: int) -> Callable[[], tuple[Any, ...]]:
            def make() -> tuple[Any, ...]:
                m = mask()
                return np.nonzero(m)[0], times()[m], None, resource
            return make

        def every(times: Callable[[], np.ndarray], resource: int
                  ) -> Callable[[], tuple[Any, ...]]:
            return lambda: (np.arange(p.n_items), times(), None, resource)

        add(0, "submitted", every(lambda: p.submit, SELLER))
        add(1, "auto_screen", items_where(
            lambda: np.isin(p.route, [AUTO_APPROVE, AUTO_REJECT])
            | ((p.route == 2) & ~np.isnan(p.score)), lambda: p.ready, MODEL))
        for route, act in ((AUTO_APPROVE, "auto_approved"), (AUTO_REJECT, "auto_rejected")):
            add(2, act, items_where(lambda route=route: p.route == route, lambda: p.ready,
                                    MODEL))

        def visits(stage: int, times: str, resource: int | None, *, starts: bool = False,
                   only: Callable[[np.ndarray], np.ndarray] | None = None
                   ) -> Callable[[], tuple[Any, ...]]:
            def make() -> tuple[Any, ...]:
                m = p.v_stage == stage
                if only is not None:
                    m &= only(p.v_item)
                res: Any = resource
                if resource is None:  # the reviewer's seat
                    res = pool_offset[:-1][p.v_pool[m]]
                    if self.seat is not None:
                        res = res + self.seat[m]
                return (p.v_item[m], getattr(self, times)[m],
                        self.start[m] if starts else None, res)
            return make

        stage_acts = {L1: ("review_l1", 4), L2: ("review_l2", 6),
                      QA_REVIEW: ("qa_sample", qa_rank), REWORK: ("review_l1", qa_rank + 2),
                      APPEAL: ("appeal_review", 13)}
        for stage, (act, rank) in stage_acts.items():
            if not self.present[stage]:
                continue
            if stage == L1:
                add(3, "queued_l1", visits(stage, "enq", SYSTEM))
            elif stage == L2:
                add(5, "escalated_l2", visits(stage, "enq", SYSTEM))
            elif stage == APPEAL:
                add(11, "appeal_filed", visits(stage, "enq", SELLER))
                add(12, "appeal_queued", visits(stage, "enq", SYSTEM))
            add(rank, act, visits(stage, "end", None, starts=True))
            if stage == QA_REVIEW:
                add(qa_rank + 1, "qa_overturn", visits(
                    stage, "end", SYSTEM, only=lambda items: p.qa_overturn[items]))
            if stage == APPEAL:
                add(14, "appeal_decided", visits(stage, "end", SYSTEM))
        # an automatic decision is sent at once; a human one after review (and QA when
        # QA comes before sending)
        add(3, "decision_sent", items_where(lambda: self.auto, lambda: self.decision_time,
                                            SYSTEM))
        add(10 if before_send else 7, "decision_sent", items_where(
            lambda: ~self.auto, lambda: self.decision_time, SYSTEM))
        blocks.sort(key=lambda b: b[0])  # stable: equal ranks keep the order above
        return blocks

    @staticmethod
    def _kept(block: tuple[Any, ...]) -> tuple[Any, ...]:
        """A block without its events that never happened (NaN time)."""
        items, times, starts, resource = block
        keep = ~np.isnan(times)
        if not keep.all():
            items, times = items[keep], times[keep]
            starts = starts[keep] if starts is not None else None
            resource = resource if np.isscalar(resource) else np.asarray(resource)[keep]
        return items, times, starts, resource

    def _pool_offsets(self) -> np.ndarray:
        """Resource code of each pool's first seat (codes 0-2 are seller, model, system)."""
        return np.cumsum([3] + [max(1, int(v.max()) if len(v) else 1)
                                for v in self.plan.cap_values])

    def event_log(self, rep: int, reps: int, *, release: bool = False) -> pd.DataFrame:
        """The canonical event log of this replication (sorted by case, time, process order).

        Every event is written straight into its row of preallocated, narrow columns
        (a case's rows are contiguous, cases in item order, filled step by step), per
        item attributes are repeated per event only at the end, and case ids are
        built as Arrow buffers, so the peak memory stays near the size of the
        finished log. ``release=True`` frees this outcome's arrays as soon as the log
        no longer needs them (the outcome is unusable afterwards).
        """
        p, s = self.plan, self.plan.scenario
        n = p.n_items
        names = list(_FIXED_RESOURCES)
        pool_offset = self._pool_offsets()
        for name, hi, lo in zip(p.pool_names, pool_offset[1:], pool_offset[:-1], strict=True):
            names += [f"{name}_{k + 1:03d}" for k in range(hi - lo)]
        # per-item attributes, compact, before the arrays they come from are released
        attrs = {
            "item_type": (p.item_type.astype(_codes(p.type_names)), p.type_names),
            "true_label": (p.violating.astype(np.int8), ["clean", "violating"]),
            "decision": (self._final_codes(), ["approve", "reject"]),
            "label": (self._label_codes().astype(_codes(p.label_names)), p.label_names),
            "correct": (self.correct, None),
            "exposure_s": (self.exposure_s.astype(np.float32), None),
            "sla_breach": (self.breach, None),
        }
        blocks = self._log_blocks()
        counts = np.zeros(n, np.int32)
        for _, _, make in blocks:
            counts[self._kept(make())[0]] += 1  # an item appears at most once per block
        total = int(counts.sum(dtype=np.int64))
        slot = np.cumsum(counts, dtype=np.int64) - counts  # next free row of each case
        stamps = np.empty(total, np.int64)
        starts = np.full(total, _NAT, np.int64)
        acts = np.empty(total, _codes(ACTIVITIES))
        resources = np.empty(total, _codes(names))
        for _, act, make in blocks:
            items, times, block_starts, resource = self._kept(make())
            rows = slot[items]
            slot[items] += 1
            stamps[rows] = self._us(times)
            if block_starts is not None:
                starts[rows] = self._us(block_starts)
            acts[rows] = act
            resources[rows] = resource
            del items, times, block_starts, resource, rows
        del blocks, slot
        if release:
            self._release()
        cols: dict[str, Any] = {
            "activity": self._cat(acts, ACTIVITIES),
            "timestamp": utc_series(stamps),
            "start_timestamp": utc_series(starts),
            "resource": self._cat(resources, names),
            "market": pd.Categorical.from_codes(np.zeros(total, np.int8),
                                                [s.market or s.name]),
        }
        del acts, stamps, starts, resources
        for column, (values, categories) in attrs.items():
            per_event = np.repeat(values, counts)
            cols[column] = per_event if categories is None else self._cat(per_event,
                                                                         categories)
        del attrs
        case_id = self._case_ids(rep, reps, counts)
        log = pd.DataFrame({"case_id": case_id, **cols}, copy=False)
        del cols, case_id
        if reps > 1:
            log.insert(5, "replication", np.int16(rep))
        log.attrs["modlean"] = {"source": f"simulated: {s.name} (seed replication {rep})",
                                "notes": []}
        return log

    def _release(self) -> None:
        """Free every per-item and per-visit array (after the event log took what it needs)."""
        for name in list(vars(self)):
            if isinstance(getattr(self, name), np.ndarray):
                setattr(self, name, None)
        self.at = None
        p = self.plan
        for name in list(vars(p)):
            if isinstance(getattr(p, name), np.ndarray):
                setattr(p, name, None)
        gc.collect()
