"""The outcome of one replication: per-item results, KPIs and hourly series from the times.

:class:`Outcome` takes the work plan (:mod:`modlean.simulation.plan`) and the
engine's start and end time of every visit (:mod:`modlean.simulation.engine`)
and derives, per item, when the decision was sent, the turnaround and SLA
breach, the decision in force at the end of the run, whether it is correct and
how long a violating item was live (exposure). From those it computes the tidy
KPIs per item type, the KPIs per pool (utilisation, paid hours, cost ...) and
the hourly backlog and pool-load series. The item table and the event log are
built from an outcome by :mod:`modlean.simulation.tables`.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from modlean.eventlog import NAT, utc_series
from modlean.simulation.codes import (
    APPEAL,
    AUTO_APPROVE,
    AUTO_REJECT,
    L1,
    QA_REVIEW,
    REWORK,
    STEP,
    Stage,
)
from modlean.simulation.grid import GRID_S
from modlean.simulation.plan import Plan

if TYPE_CHECKING:
    from modlean.scenario import Sla

__all__ = ["Outcome"]


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


def _percentile(values: np.ndarray, q: float) -> float:
    """The ``q``-th percentile of the values that are not NaN (NaN when there are none)."""
    values = values[~np.isnan(values)]
    return float(np.percentile(values, q)) if len(values) else np.nan


def _step_integral(times: np.ndarray, values: np.ndarray, t0: float, t1: float) -> float:
    """∫ of a right-continuous step function (values from times[k]) over [t0, t1]."""
    edges = np.r_[times, np.inf]
    lo = np.clip(edges[:-1], t0, t1)
    hi = np.clip(edges[1:], t0, t1)
    return float(np.sum(values * (hi - lo)))


class Outcome:
    """Times of one replication turned into per-item results, KPIs and series.

    Per-item arrays (in submission order, times in seconds from the plan's
    ``grid.t0``, NaN when it did not happen before the run ended):
    ``decision_time``, ``tat_h``, ``sla_h``, ``breach``, ``correction_time``
    (QA or its rework), ``appeal_filed``, ``appeal_end``, ``l1_wait_h``,
    ``sent_reject``, ``exposure_s``, ``final_reject``, ``correct``,
    ``first_correct``, ``closed_at``, ``window`` (after the warm-up) and ``auto``.
    Per visit: ``start``, ``end``, ``seat`` (from the engine) and ``enq`` (when
    it joined its queue).
    """

    def __init__(self, plan: Plan, start: np.ndarray, end: np.ndarray,
                 seat: np.ndarray | None) -> None:
        s = plan.scenario
        self.plan, self.start, self.end, self.seat = plan, start, end, seat
        self.end_s = plan.end_s
        self.horizon_s = s.horizon_days * 86400.0
        self.warmup_s = s.warmup_days * 86400.0
        self.enq = self._queue_times()
        n_stages = len(Stage)
        stages = np.bincount(plan.v_stage, minlength=n_stages) if len(plan.v_item) \
            else np.zeros(n_stages, np.int64)
        self.present = {stage: bool(stages[stage]) for stage in Stage}
        self.auto = (plan.route == AUTO_APPROVE) | (plan.route == AUTO_REJECT)
        self._times()
        audited = self._sent_decision()
        self.exposure_s = self._exposure(audited)
        self._decision_at_end(audited)
        self.closed_at = self._closed_at()
        self.window = (plan.submit >= self.warmup_s) if self.warmup_s > 0 else \
            np.ones(plan.n_items, bool)
        self._pool_cache: dict[str, dict[str, float]] | None = None

    # ----------------------------------------------------------------- per item
    def _queue_times(self) -> np.ndarray:
        """When each visit joined its queue."""
        p = self.plan
        enq = np.full(len(p.v_item), np.nan)
        has_first = p.first_visit >= 0
        enq[p.first_visit[has_first]] = p.ready[has_first] + p.v_delay[p.first_visit[has_first]]
        prev = np.nonzero(p.v_next >= 0)[0]
        enq[p.v_next[prev]] = self.end[prev] + p.v_delay[p.v_next[prev]]
        return enq

    def at(self, times: np.ndarray, stage: Stage | np.ndarray) -> np.ndarray:
        """Per item, ``times`` of its visit at ``stage`` (or of the given visit index)."""
        p = self.plan
        out = np.full(p.n_items, np.nan)
        if isinstance(stage, np.ndarray):
            ok = stage >= 0
            out[ok] = times[stage[ok]]
        elif self.present[stage]:
            m = p.v_stage == stage
            out[p.v_item[m]] = times[m]
        return out

    def _times(self) -> None:
        """Decision, turnaround, SLA breach, correction, appeal and L1 wait times per item."""
        p, s = self.plan, self.plan.scenario
        at, end = self.at, self.end
        self.decision_time = np.where(self.auto, p.ready, at(end, p.decision_visit))
        self.tat_h = (self.decision_time - p.submit) / 3600.0
        self.sla_h = np.array([s.item_types[t].sla.hours for t in p.type_names])[p.item_type]
        self.breach = ~(self.tat_h <= self.sla_h)
        has_rework = np.zeros(p.n_items, bool)
        has_rework[p.v_item[p.v_stage == REWORK]] = True
        self.correction_time = np.where(has_rework, at(end, REWORK), at(end, QA_REVIEW))
        del has_rework
        self.appeal_filed = at(self.enq, APPEAL)
        self.appeal_end = at(end, APPEAL)
        first = self.first_review()
        self.l1_wait_h = np.where(first >= 0, at(self.start, first) - at(self.enq, first),
                                  at(self.start, L1) - at(self.enq, L1)) / 3600.0

    def first_review(self) -> np.ndarray:
        """Per item, its first visit to a workflow review step (-1: none; the L1 of a
        workflow, whose wait is the ``wait_l1`` KPI)."""
        p = self.plan
        out = np.full(p.n_items, -1, np.int64)
        if not self.present[STEP]:
            return out
        reviews = np.array([k in ("review", "dual_review") for k in p.step_kinds])
        v = np.nonzero((p.v_stage == STEP) & reviews[np.maximum(p.v_step, 0)])[0]
        out[p.v_item[v[::-1]]] = v[::-1]  # the first visit of each item is written last
        return out

    def _sent_decision(self) -> np.ndarray:
        """Set ``sent_reject``, the decision sent: the reviewer's, or QA's when QA comes
        before sending. Returns which items QA corrects after sending (audited)."""
        p = self.plan
        before_send = p.scenario.qa.timing == "before_send"
        self.sent_reject = np.where(before_send & ~self.auto, p.after_qa_reject, p.first_reject)
        return p.qa_overturn & ~(before_send & ~self.auto)

    def _exposure(self, audited: np.ndarray) -> np.ndarray:
        """Seconds each violating item was live (0 for clean items) until the run's end."""
        p, s = self.plan, self.plan.scenario
        E = self.end_s
        sent_reject = self.sent_reject
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
        return np.where(p.violating, exposure, 0.0)

    def _decision_at_end(self, audited: np.ndarray) -> None:
        """The decision as it stands when the run ends (QA and appeal outcomes applied if
        done), and whether it and the first decision are correct."""
        p = self.plan
        decided = ~np.isnan(self.decision_time)
        qa_done = audited & ~np.isnan(self.correction_time)
        appeal_done = p.appeal_overturn & ~np.isnan(self.appeal_end)
        now_reject = np.where(qa_done, p.violating, self.sent_reject)
        now_reject = np.where(appeal_done, False, now_reject)
        self.final_reject = now_reject
        self.correct = np.where(decided, now_reject == p.violating, False)
        self.first_correct = decided & (p.first_reject == p.violating)

    def _closed_at(self) -> np.ndarray:
        """When the item's last step ended (NaN while any step is unfinished)."""
        p = self.plan
        last = np.nonzero(p.v_next < 0)[0]
        closed = np.where(self.auto, p.ready, np.nan)
        closed[p.v_item[last]] = self.end[last]
        return closed

    def label_codes(self) -> np.ndarray:
        """Per item, the rejection reason of a rejected item's decision (-1 otherwise)."""
        rejected = self.final_reject & ~np.isnan(self.decision_time)
        return np.where(rejected, self.plan.reason, -1).astype(np.int16)

    def final_codes(self) -> np.ndarray:
        """Per item, the decision in force at the end (0 approve, 1 reject, -1 undecided)."""
        return np.where(np.isnan(self.decision_time), -1,
                        self.final_reject.astype(np.int8)).astype(np.int8)

    # ----------------------------------------------------------------- memory
    def keep_only_what_the_log_needs(self) -> None:
        """Drop per-item arrays the event log does not use (lower peak memory)."""
        for name in ("tat_h", "sla_h", "correction_time", "appeal_filed", "appeal_end",
                     "l1_wait_h", "closed_at", "first_correct", "window", "sent_reject"):
            setattr(self, name, None)
        p = self.plan
        p.first_visit = p.decision_visit = p.v_next = None  # type: ignore[assignment]
        gc.collect()

    def release(self) -> None:
        """Free every per-item and per-visit array (after the event log took what it needs)."""
        for name in list(vars(self)):
            if isinstance(getattr(self, name), np.ndarray):
                setattr(self, name, None)
        p = self.plan
        for name in list(vars(p)):
            if isinstance(getattr(p, name), np.ndarray):
                setattr(p, name, None)
        gc.collect()

    # ----------------------------------------------------------------- KPIs
    def _groups(self) -> list[tuple[str, np.ndarray]]:
        p = self.plan
        groups = [(name, self.window & (p.item_type == t)) for t, name in
                  enumerate(p.type_names)]
        return [*groups, ("all", self.window)]

    def kpis(self, rep: int) -> pd.DataFrame:
        """Tidy KPIs: ``replication``, ``item_type`` (each type and ``all``), ``kpi``, ``value``."""
        rows: list[tuple[int, str, str, float]] = []
        hours = np.arange(self.warmup_s, self.horizon_s + 1, 3600.0)
        for name, m in self._groups():
            decided = m & ~np.isnan(self.decision_time)
            k = {**self._turnaround_kpis(name, m, decided), **self._decision_kpis(m, decided),
                 **self._qa_appeal_kpis(m), **self._backlog_kpis(m, hours)}
            if name == "all":
                k.update(self._cost_kpis(decided))
            rows += [(rep, name, kpi, float(v)) for kpi, v in k.items()]
        return pd.DataFrame(rows, columns=["replication", "item_type", "kpi", "value"])

    def _turnaround_kpis(self, name: str, m: np.ndarray, decided: np.ndarray
                         ) -> dict[str, float]:
        """Volume, throughput, turnaround percentiles and SLA attainment of the items ``m``."""
        k: dict[str, float] = {}
        n = int(m.sum())
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
        # the human-reviewed part alone: automatic decisions take seconds and lift the view
        human = m & ~self.auto
        k["turnaround_p95_human_h"] = _percentile(np.where(decided, self.tat_h, np.nan)[human],
                                                  95)
        k["sla_attainment_human"] = float((~self.breach[human]).mean()) if human.any() \
            else np.nan
        if name != "all":
            item = self.plan.scenario.item_types[name]
            # the P-th percentile is within the SLA when at least P % of items are
            k["sla_target_met"] = float(k["sla_attainment"] >= item.sla.percentile / 100) \
                if n else np.nan
        return k

    def _decision_kpis(self, m: np.ndarray, decided: np.ndarray) -> dict[str, float]:
        """Waiting, automation, accuracy, false approvals/rejections and exposure."""
        p = self.plan
        k: dict[str, float] = {}
        n = int(m.sum())
        nd = int(decided.sum())
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
        return k

    def _qa_appeal_kpis(self, m: np.ndarray) -> dict[str, float]:
        """QA samples and overturns; appeals filed, decided, overturned and their SLA."""
        p = self.plan
        k: dict[str, float] = {}
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
        k["appeal_sla_attainment"] = float((a_tat <= p.scenario.appeals.sla.hours).mean()) \
            if len(a_tat) else np.nan
        return k

    def _backlog_kpis(self, m: np.ndarray, hours: np.ndarray) -> dict[str, float]:
        """Mean, max and final open items, and mean and max of those past their SLA."""
        backlog, aged = self._open_series(m, hours)
        return {"backlog_mean": float(backlog.mean()), "backlog_max": float(backlog.max()),
                "backlog_end": float(backlog[-1]), "aged_backlog_mean": float(aged.mean()),
                "aged_backlog_max": float(aged.max())}

    def _cost_kpis(self, decided: np.ndarray) -> dict[str, float]:
        """Total cost, cost per (correct) decision, and utilisation and cost per pool."""
        k: dict[str, float] = {}
        nd = int(decided.sum())
        costs = self._pool_numbers()
        total = float(sum(c.get("cost", 0.0) for c in costs.values()))
        k["cost_total"] = total
        k["cost_per_decision"] = total / nd if nd else np.nan
        ncorrect = int(self.correct[decided].sum())
        k["cost_per_correct_decision"] = total / ncorrect if ncorrect else np.nan
        for pool, c in costs.items():  # pools with people of their own, and teams
            if "cost" in c:
                k[f"utilisation.{pool}"] = c["utilisation"]
                k[f"cost.{pool}"] = c["cost"]
        return k

    def _open_series(self, m: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Open items of ``m`` at each time ``t``, and those of them past their SLA."""
        sub = self.plan.submit[m]
        dec = np.nan_to_num(self.decision_time[m], nan=np.inf)
        backlog = _open_count(sub, dec, t)
        a = sub + self.sla_h[m] * 3600.0
        keep = dec > a
        aged = _open_count(a[keep], dec[keep], t)
        return backlog, aged

    def _pool_numbers(self) -> dict[str, dict[str, float]]:
        """Per pool, over the KPI window: utilisation, hours, cost, reviews, wait, queue;
        then per team its people's numbers (a pool in a team has no people of its own:
        its people KPIs are the team's, so one person is counted once)."""
        if self._pool_cache is not None:
            return self._pool_cache
        p, s = self.plan, self.plan.scenario
        t0, t1 = (self.warmup_s, self.horizon_s)
        out: dict[str, dict[str, float]] = {}
        for i, name in enumerate(p.pool_names):
            m = (p.v_pool == i) & ~np.isnan(self.start)
            en = np.nan_to_num(self.end[m], nan=self.end_s)
            waits = (self.start[m] - self.enq[m])
            in_w = (self.enq[m] >= t0) & (self.enq[m] < t1)
            waiting = _open_count(self.enq[(p.v_pool == i)],
                                  np.nan_to_num(self.start[(p.v_pool == i)], nan=np.inf),
                                  np.arange(t0, t1 + 1, 3600.0))
            people = {} if p.pool_team[i] >= 0 else self._people_numbers(
                m, p.cap_times[i], p.cap_values[i], p.seats[i], s.pools[name].cost_per_hour)
            out[name] = {
                **people,
                "busy_hours": self._busy_s(m) / 3600.0,
                "reviews": float(((en >= t0) & (en < t1) & ~np.isnan(self.end[m])).sum()),
                "wait_mean_h": float(waits[in_w].mean() / 3600.0) if in_w.any() else np.nan,
                "queue_max": float(waiting.max()) if len(waiting) else 0.0,
                **self._queue_numbers(i, s.pools[name].sla),
            }
        pool_team = np.asarray([*p.pool_team, -1], np.int64)  # the wait pseudo-pool: none
        for k, team in enumerate(p.team_names):
            m = (pool_team[p.v_pool] == k) & ~np.isnan(self.start)
            en = np.nan_to_num(self.end[m], nan=self.end_s)
            out[team] = {**self._people_numbers(m, p.team_cap_times[k], p.team_cap_values[k],
                                                p.team_seats[k], s.teams[team].cost_per_hour),
                         "busy_hours": self._busy_s(m) / 3600.0,
                         "reviews": float(((en >= t0) & (en < t1)
                                           & ~np.isnan(self.end[m])).sum())}
        self._pool_cache = out
        return out

    def _busy_s(self, m: np.ndarray) -> float:
        """Seconds the visits ``m`` (started) kept a reviewer busy inside the KPI window."""
        en = np.nan_to_num(self.end[m], nan=self.end_s)
        return float(np.diff(_cum_busy(self.start[m], en,
                                       np.array([self.warmup_s, self.horizon_s])))[0])

    def _people_numbers(self, m: np.ndarray, cap_times: np.ndarray, cap_values: np.ndarray,
                        seats: np.ndarray, cost_per_hour: float) -> dict[str, float]:
        """Utilisation, productive and paid hours and cost of one roster (a pool's or a
        team's) whose started visits are ``m``, over the KPI window."""
        t0, t1 = self.warmup_s, self.horizon_s
        grid = self.plan.grid.seconds
        cell = np.diff(grid, append=grid[-1] + GRID_S)
        in_win = (grid >= t0) & (grid < t1)
        productive = _step_integral(cap_times, cap_values, t0, t1)
        paid_h = float((seats * cell)[in_win].sum() / 3600.0)
        return {"utilisation": self._busy_s(m) / productive if productive > 0 else np.nan,
                "productive_hours": productive / 3600.0, "paid_hours": paid_h,
                "cost": paid_h * cost_per_hour}

    def _queue_numbers(self, pool: int, sla: Sla | None) -> dict[str, float]:
        """A pool as a queue, over the visits that joined it in the KPI window.

        ``wait_p95_h`` (joined to started) and ``turnaround_p95_h`` (joined to
        reviewed) over the visits that got that far; ``backlog_mean`` and
        ``backlog_end``: visits waiting or in review, hourly; with a pool SLA,
        ``sla_attainment``: the share reviewed within it (a visit not reviewed by
        the end of the run misses it) and ``sla_target_met``.
        """
        p = self.plan
        t0, t1 = self.warmup_s, self.horizon_s
        mine = p.v_pool == pool
        enq, start, end = self.enq[mine], self.start[mine], self.end[mine]
        joined = (enq >= t0) & (enq < t1)
        wait_h = (start[joined] - enq[joined]) / 3600.0
        tat_h = (end[joined] - enq[joined]) / 3600.0
        hours = np.arange(t0, t1 + 1, 3600.0)
        open_ = _open_count(enq, np.nan_to_num(end, nan=np.inf), hours)
        k = {
            "wait_p95_h": _percentile(wait_h, 95),
            "turnaround_p95_h": _percentile(tat_h, 95),
            "backlog_mean": float(open_.mean()) if len(open_) else np.nan,
            "backlog_end": float(open_[-1]) if len(open_) else np.nan,
        }
        if sla is not None:
            met = float((tat_h <= sla.hours).mean()) if len(tat_h) else np.nan
            k["sla_attainment"] = met
            k["sla_target_met"] = float(met >= sla.percentile / 100) if met == met else np.nan
        return k

    def pool_kpis(self, rep: int) -> pd.DataFrame:
        """Tidy pool KPIs: ``replication``, ``pool``, ``kpi``, ``value``."""
        rows = [(rep, pool, k, float(v)) for pool, d in self._pool_numbers().items()
                for k, v in d.items()]
        return pd.DataFrame(rows, columns=["replication", "pool", "kpi", "value"])

    # ----------------------------------------------------------------- series
    def micros(self, seconds: np.ndarray) -> np.ndarray:
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
        out[nan] = NAT
        return out

    def stamps(self, seconds: np.ndarray) -> pd.Series:
        """Simulation seconds as UTC timestamps (``datetime64[us, UTC]``; NaN -> NaT)."""
        return utc_series(self.micros(seconds))

    def backlog_series(self, rep: int) -> pd.DataFrame:
        """Hourly open items and aged (past-SLA) open items per item type and ``all``."""
        t = np.arange(0.0, self.end_s + 1, 3600.0)
        frames = []
        for name, m in self._groups():
            backlog, aged = self._open_series(m, t)
            frames.append(pd.DataFrame({"replication": rep, "item_type": name,
                                        "hours": t / 3600.0, "backlog": backlog,
                                        "aged_backlog": aged}))
        out = pd.concat(frames, ignore_index=True)
        out.insert(2, "time", self.stamps(out["hours"].to_numpy() * 3600.0))
        return out

    def pool_series(self, rep: int) -> pd.DataFrame:
        """Hourly busy reviewers, productive capacity and waiting items per pool (a pool in a
        team: the team's capacity, which its pools share)."""
        p = self.plan
        t = np.arange(0.0, self.end_s + 1, 3600.0)
        frames = []
        for i, name in enumerate(p.pool_names):
            m = (p.v_pool == i)
            started = m & ~np.isnan(self.start)
            busy = np.diff(_cum_busy(self.start[started],
                                     np.nan_to_num(self.end[started], nan=self.end_s), t),
                           prepend=0.0) / 3600.0
            k = p.pool_team[i]  # a pool in a team can draw on the whole team
            ct, cv = (p.cap_times[i], p.cap_values[i]) if k < 0 else \
                (p.team_cap_times[k], p.team_cap_values[k])
            cap = cv[np.clip(np.searchsorted(ct, t, side="right") - 1, 0, None)]
            waiting = _open_count(self.enq[m], np.nan_to_num(self.start[m], nan=np.inf), t)
            frames.append(pd.DataFrame({"replication": rep, "pool": name, "hours": t / 3600.0,
                                        "busy": busy, "capacity": cap, "waiting": waiting}))
        out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
            columns=["replication", "pool", "hours", "busy", "capacity", "waiting"])
        out.insert(2, "time", self.stamps(out["hours"].to_numpy(float) * 3600.0))
        return out
