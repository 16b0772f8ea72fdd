"""The work plan of one replication: every item and every human visit, drawn with numpy.

Everything about an item that does not depend on queues is decided here,
vectorised, before any SimPy event exists: arrival time, true label, model score
and route, each reviewer's (in)correctness, escalation, QA sampling and
catching, rework, appeal and its outcome, and every handling time. What is left
for the engine (:mod:`modlean.simulation.engine`) is *when* each human visit happens,
which depends on contention for reviewers.

Common random numbers: every purpose (arrivals, labels, scores, each stage's
handling times and errors ...) draws from its own stream, keyed by name and item
type, and draws one value for *every* item of that type whether or not the item
needs it. Changing a threshold, a headcount or an accuracy therefore leaves all
other draws of every item unchanged, so two scenarios run with the same seed
see the same arrivals and items.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtri

from modlean.errors import ScenarioError
from modlean.scenario import Handling, ItemType, Scenario
from modlean.simulation.codes import (
    APPEAL,
    AUTO_APPROVE,
    AUTO_REJECT,
    BACKLOG,
    HUMAN,
    L1,
    L2,
    QA_REVIEW,
    REWORK,
    Discipline,
    Stage,
)
from modlean.simulation.grid import GRID_S, Grid, pool_capacity, time_grid

__all__ = ["Plan", "make_plan", "sample_handling"]


def _stream(seed: int, replication: int, *names: str) -> np.random.Generator:
    """An independent generator for one purpose, stable under reordering of the scenario."""
    key = (replication, *(zlib.crc32(n.encode()) for n in names))
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))


def sample_handling(h: Handling, u: np.ndarray, factor: float = 1.0) -> np.ndarray:
    """Handling times (s) from uniforms by inverse CDF, so the same u gives comparable times."""
    if h.dist == "constant":
        out = np.full(len(u), h.mean_s)
    elif h.dist == "exponential":
        out = -h.mean_s * np.log1p(-u)
    elif h.dist == "lognormal":
        if h.cv == 0:
            out = np.full(len(u), h.mean_s)
        else:
            sigma2 = np.log1p(h.cv ** 2)
            out = np.exp(np.log(h.mean_s) - sigma2 / 2 + np.sqrt(sigma2) * ndtri(u))
    else:  # empirical
        values = np.asarray(h.values, float)
        out = values[np.minimum((u * len(values)).astype(np.int64), len(values) - 1)]
    return out * factor


@dataclass
class Plan:
    """Items and visits of one replication (arrays; times in seconds from ``grid.t0``)."""

    scenario: Scenario
    grid: Grid
    type_names: list[str]
    pool_names: list[str]
    # items, numbered in submission order
    item_type: np.ndarray
    submit: np.ndarray
    ready: np.ndarray  # when the model has routed it (submit + latency, or 0 for backlog)
    violating: np.ndarray
    score: np.ndarray
    route: np.ndarray
    first_reject: np.ndarray  # the first decision is a rejection
    escalated: np.ndarray
    qa_sampled: np.ndarray
    qa_overturn: np.ndarray
    after_qa_reject: np.ndarray
    appealed: np.ndarray
    appeal_overturn: np.ndarray
    final_reject: np.ndarray
    reason: np.ndarray  # rejection reason code (index in label_names), -1 when none
    label_names: list[str]
    # visits, grouped by item in stage order
    v_item: np.ndarray
    v_stage: np.ndarray
    v_pool: np.ndarray
    v_service: np.ndarray
    v_delay: np.ndarray
    v_next: np.ndarray
    v_key: np.ndarray
    v_key_now: np.ndarray
    first_visit: np.ndarray  # per item, -1 when the item never meets a human
    decision_visit: np.ndarray  # per item, the visit after which the decision is sent, or -1
    # pools
    cap_times: list[np.ndarray] = field(default_factory=list)
    cap_values: list[np.ndarray] = field(default_factory=list)
    seats: list[np.ndarray] = field(default_factory=list)  # scheduled seats per grid cell
    disciplines: list[str] = field(default_factory=list)

    @property
    def n_items(self) -> int:
        return len(self.submit)

    @property
    def end_s(self) -> float:
        s = self.scenario
        return (s.horizon_days + s.drain_days) * 86400.0


def _arrivals(s: Scenario, grid: Grid, name: str, seed: int, rep: int) -> np.ndarray:
    item = s.item_types[name]
    horizon = s.horizon_days * 86400.0
    cells = grid.seconds < horizon
    weights = np.asarray(item.hourly_profile, float)
    weights = weights / weights.mean()
    hour_idx = np.minimum(grid.hour[cells].astype(np.int64), 23)
    rate = item.volume_per_day / 86400.0 * weights[hour_idx] \
        * np.asarray(item.weekly_profile)[grid.weekday[cells]]
    for surge in item.surges:
        inside = (grid.date[cells] >= surge.start) & (grid.date[cells] <= surge.end)
        rate = np.where(inside, rate * surge.multiplier, rate)
    width = np.minimum(GRID_S, horizon - grid.seconds[cells])
    rng = _stream(seed, rep, "arrivals", name)
    counts = rng.poisson(rate * width)
    starts = np.repeat(grid.seconds[cells], counts)
    offsets = rng.random(counts.sum()) * np.repeat(width, counts)
    return np.sort(starts + offsets)


def make_plan(s: Scenario, seed: int, replication: int) -> Plan:
    """Draw every item and visit of one replication of ``s``."""
    grid = time_grid(s)
    type_names = list(s.item_types)
    pool_names = list(s.pools)
    pool_index = {p: i for i, p in enumerate(pool_names)}
    chunks: list[dict[str, np.ndarray]] = []
    label_names = list(dict.fromkeys(lab for it in s.item_types.values() for lab in it.labels))
    for t, name in enumerate(type_names):
        for part in ("backlog", "new"):
            chunk = _items_of_type(s, grid, name, part, seed, replication, pool_index,
                                   label_names)
            if len(chunk["submit"]):
                chunk["item_type"] = np.full(len(chunk["submit"]), t, np.int16)
                chunk["n"] = len(chunk["submit"])
                chunks.append(chunk)
    keys = ["item_type", "submit", "ready", "violating", "score", "route", "first_reject",
            "escalated", "qa_sampled", "qa_overturn", "after_qa_reject", "appealed",
            "appeal_overturn", "final_reject", "reason"]
    items = {k: _join([c.pop(k) for c in chunks]) for k in keys}
    submit = items["submit"]
    if np.all(submit[1:] >= submit[:-1]):  # one chunk, already in submission order
        rank = None
    else:
        order = np.argsort(submit, kind="stable")
        items = {k: v[order] for k, v in items.items()}
        submit = items["submit"]
        rank = np.empty(len(order), np.int64)
        rank[order] = np.arange(len(order))
        del order
    offsets = np.cumsum([0] + [c["n"] for c in chunks])
    vparts = [c.pop("visits") for c in chunks]
    visits = {k: _join([vp.pop(k) for vp in vparts])
              for k in ("stage", "pool", "svc", "delay", "deadline", "from_now", "priority")}
    item_idx = _join([vp["item"] + off for vp, off in zip(vparts, offsets, strict=False)])
    visits["item"] = rank[item_idx] if rank is not None else item_idx
    if s.max_cases is not None and len(submit) > s.max_cases:  # arrivals stop after N cases
        items = {k: v[:s.max_cases] for k, v in items.items()}
        submit = items["submit"]
        kept = visits["item"] < s.max_cases
        visits = {k: v[kept] for k, v in visits.items()}
    del vparts, chunks, item_idx, rank
    plan_visits = _visits(visits, len(submit), [p.discipline for p in s.pools.values()],
                          qa_before_send=s.qa.timing == "before_send")
    times, values, seats = pool_capacity(s, grid)
    return Plan(
        scenario=s, grid=grid, type_names=type_names, pool_names=pool_names,
        item_type=items["item_type"].astype(np.int16), submit=items["submit"],
        ready=items["ready"], violating=items["violating"].astype(bool),
        score=items["score"], route=items["route"].astype(np.int8),
        first_reject=items["first_reject"].astype(bool),
        escalated=items["escalated"].astype(bool), qa_sampled=items["qa_sampled"].astype(bool),
        qa_overturn=items["qa_overturn"].astype(bool),
        after_qa_reject=items["after_qa_reject"].astype(bool),
        appealed=items["appealed"].astype(bool),
        appeal_overturn=items["appeal_overturn"].astype(bool),
        final_reject=items["final_reject"].astype(bool),
        reason=items["reason"].astype(np.int16), label_names=label_names,
        cap_times=times, cap_values=values, seats=seats,
        disciplines=[p.discipline for p in s.pools.values()], **plan_visits)


@dataclass
class _Draws:
    """The uniforms of one item type and part (backlog or new): one stream per purpose.

    Every purpose draws one value for each of the ``n`` items, whether or not the
    item needs it (common random numbers).
    """

    seed: int
    rep: int
    name: str
    part: str
    n: int = 0

    def stream(self, purpose: str) -> np.random.Generator:
        return _stream(self.seed, self.rep, purpose, self.name, self.part)

    def uniform(self, purpose: str) -> np.ndarray:
        return self.stream(purpose).random(self.n)


def _items_of_type(s: Scenario, grid: Grid, name: str, part: str, seed: int, rep: int,
                   pool_index: dict[str, int], label_names: list[str]
                   ) -> dict[str, np.ndarray]:
    """All draws and decisions of the items of one type (``part``: backlog or new)."""
    item = s.item_types[name]
    draws = _Draws(seed, rep, name, part)
    if part == "backlog":
        b = item.initial_backlog
        draws.n = b.count
        submit = np.sort(-draws.uniform("backlog_age") * b.max_age_hours * 3600.0)
    else:
        submit = _arrivals(s, grid, name, seed, rep)
        draws.n = len(submit)
    violating = draws.uniform("label") < item.prevalence
    reason = _reasons(item, draws, label_names)
    score, routes, ready = _screen(item, draws, violating, submit)
    out = _decisions(s, name, draws, routes, violating)
    visits = _visits_of_type(s, name, draws, out, submit, pool_index)
    return {
        "submit": submit, "ready": ready, "violating": violating,
        "score": score.astype(np.float32),
        "route": routes.astype(np.int8), "first_reject": out["first_reject"],
        "escalated": out["escalated"], "qa_sampled": out["qa_sampled"],
        "qa_overturn": out["qa_overturn"], "after_qa_reject": out["after_qa_reject"],
        "appealed": out["appealed"], "appeal_overturn": out["appeal_overturn"],
        "final_reject": out["final_reject"], "reason": reason, "visits": visits,
    }


def _reasons(item: ItemType, draws: _Draws, label_names: list[str]) -> np.ndarray:
    """The reason code a rejection of each item gives (drawn for every item; -1: none)."""
    if not item.labels:
        return np.full(draws.n, -1, np.int16)
    weights = np.cumsum(list(item.labels.values()))
    pick = np.searchsorted(weights / weights[-1], draws.uniform("reason"), side="right")
    codes = np.array([label_names.index(k) for k in item.labels], np.int16)
    return codes[np.minimum(pick, len(codes) - 1)]


def _screen(item: ItemType, draws: _Draws, violating: np.ndarray, submit: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ML pre-filter: each item's score, route and when it is routed."""
    n = draws.n
    model = item.model
    if model.enabled and draws.part == "new":
        rng_v = draws.stream("score_violating")
        rng_c = draws.stream("score_clean")
        score = np.where(violating, rng_v.beta(model.violating.a, model.violating.b, n),
                         rng_c.beta(model.clean.a, model.clean.b, n))
        routes = np.where(score < model.t_low, AUTO_APPROVE,
                          np.where(score >= model.t_high, AUTO_REJECT, HUMAN))
        latency = model.latency_s
    else:
        score = np.full(n, np.nan)
        routes = np.full(n, BACKLOG if draws.part == "backlog" else HUMAN)
        latency = 0.0
    ready = np.maximum(submit + latency, 0.0) if draws.part == "new" else np.zeros(n)
    return score, routes, ready


def _decisions(s: Scenario, name: str, draws: _Draws, routes: np.ndarray,
               violating: np.ndarray) -> dict[str, np.ndarray]:
    """Every decision about the items: reviewers' errors, escalation, QA, rework, appeals.

    Also the stages each item visits (``human``, ``escalated``, ``qa_sampled``,
    ``rework``, ``appealed``) and the appeals' filing delays (s, per appeal).
    """
    n = draws.n
    uniform = draws.uniform
    route = s.routing.get(name)
    human = routes >= HUMAN
    auto = ~human

    def wrong(purpose: str, pool: str | None) -> np.ndarray:
        u = uniform(purpose)
        if pool is None:
            return np.zeros(n, bool)
        acc = s.pools[pool].accuracy
        return u < np.where(violating, acc.false_approve, acc.false_reject)

    l1_pool = route.pool if route else None
    l2_pool = route.escalation_pool if route else None
    if human.any() and route is None:  # scenario validation makes this unreachable
        raise ScenarioError(f"routing.{name}: missing; expected a route for human review")
    first_reject = np.where(auto, routes == AUTO_REJECT, violating ^ wrong("l1_error", l1_pool))
    escalated = human & (uniform("escalate") < (route.escalation_probability if route else 0))
    l2_reject = violating ^ wrong("l2_error", l2_pool)
    first_reject = np.where(escalated, l2_reject, first_reject)
    first_wrong = first_reject != violating

    qa = s.qa
    u_qa = uniform("qa_sample")
    qa_sampled = qa.enabled & (u_qa < np.where(human, qa.human_rate, qa.auto_rate))
    qa_overturn = qa_sampled & first_wrong & (uniform("qa_catch") < qa.catch_probability)
    rework = qa_overturn & qa.rework & (l1_pool is not None)
    after_qa_reject = np.where(qa_overturn, violating, first_reject)

    ap = s.appeals
    appealed = ap.enabled & after_qa_reject & (uniform("appeal") < s.item_types[name].appeal_rate)
    u_over = uniform("appeal_overturn")
    wrong_now = after_qa_reject != violating
    appeal_overturn = appealed & (u_over < np.where(wrong_now, ap.overturn_if_wrong,
                                                    ap.overturn_if_right))
    final_reject = after_qa_reject & ~appeal_overturn
    # appeal delay: lognormal, mean delay_hours, CV 1
    sigma2 = np.log(2.0)
    delay_h = np.exp(np.log(max(ap.delay_hours, 1e-9)) - sigma2 / 2
                     + np.sqrt(sigma2) * ndtri(uniform("appeal_delay")[appealed]))
    appeal_delay = delay_h * 3600.0 if ap.delay_hours > 0 else np.zeros(len(delay_h))
    return {
        "human": human, "first_reject": first_reject, "escalated": escalated,
        "qa_sampled": qa_sampled, "qa_overturn": qa_overturn, "rework": rework,
        "after_qa_reject": after_qa_reject, "appealed": appealed,
        "appeal_overturn": appeal_overturn, "final_reject": final_reject,
        "appeal_delay": appeal_delay,
    }


def _stage_pools(s: Scenario, name: str) -> dict[Stage, str | None]:
    """The pool of each stage for an item type (None: no such pool)."""
    route = s.routing.get(name)
    l1_pool = route.pool if route else None
    return {L1: l1_pool, L2: route.escalation_pool if route else None,
            QA_REVIEW: s.qa.pool if s.qa.enabled else None, REWORK: l1_pool,
            APPEAL: s.appeals.pool if s.appeals.enabled else None}


def _service_times(s: Scenario, name: str, draws: _Draws, has: dict[Stage, np.ndarray]
                   ) -> dict[Stage, np.ndarray]:
    """Handling times per stage, for the items that make the visit.

    One uniform for every item (common random numbers), turned into times only for
    the items that make the visit. QA falls back to the L1 time x ``handling_factor``,
    an appeal to ``appeals.handling``.
    """
    pools = _stage_pools(s, name)
    qa, ap = s.qa, s.appeals

    def handling(stage: Stage, fallback: tuple[Handling, float] | None,
                 purpose: str) -> np.ndarray:
        u = draws.uniform(purpose)[has[stage]]
        pool = pools[stage]
        h = s.pools[pool].handling_for(name) if pool else None
        if h is not None:
            return sample_handling(h, u)
        if fallback is not None:
            return sample_handling(fallback[0], u, fallback[1])
        return np.full(len(u), np.nan)

    l1_pool = pools[L1]
    l1_h = s.pools[l1_pool].handling_for(name) if l1_pool else None
    svc: dict[Stage, np.ndarray] = {}
    svc[L1] = handling(L1, None, "l1_time")
    svc[L2] = handling(L2, None, "l2_time")
    qa_fallback = (l1_h, qa.handling_factor) if l1_h is not None else None
    svc[QA_REVIEW] = handling(QA_REVIEW, qa_fallback, "qa_time")
    svc[REWORK] = handling(REWORK, None, "rework_time")
    svc[APPEAL] = handling(APPEAL, (ap.handling, 1.0), "appeal_time")
    if np.isnan(svc[QA_REVIEW]).any():
        raise ScenarioError(f"pools.{qa.pool}.handling: no QA handling time for item type "
                            f"{name!r} (it has no route to take it from); expected a key "
                            f"{name!r} or '*'")
    return svc


def _visits_of_type(s: Scenario, name: str, draws: _Draws, out: dict[str, np.ndarray],
                    submit: np.ndarray, pool_index: dict[str, int]) -> dict[str, np.ndarray]:
    """The human visits of the items of one type, stage by stage (item numbers local)."""
    has = {L1: out["human"], L2: out["escalated"], QA_REVIEW: out["qa_sampled"],
           REWORK: out["rework"], APPEAL: out["appealed"]}
    svc = _service_times(s, name, draws, has)
    stage_pool = _stage_pools(s, name)
    route = s.routing.get(name)
    appeal_sla_s = s.appeals.sla.hours * 3600.0
    deadline = submit + s.item_types[name].sla.hours * 3600.0
    parts: dict[str, list[np.ndarray]] = {k: [] for k in ("item", "stage", "pool", "svc",
                                                          "delay", "deadline", "from_now")}
    for stage in Stage:
        idx = np.nonzero(has[stage])[0]
        if not len(idx):
            continue
        m = len(idx)
        parts["item"].append(idx)
        parts["stage"].append(np.full(m, stage, np.int8))
        parts["pool"].append(np.full(m, pool_index[stage_pool[stage]], np.int16))
        parts["svc"].append(svc[stage])
        parts["delay"].append(out["appeal_delay"] if stage == APPEAL else np.zeros(m))
        # SLA deadline for sla_age pools; an appeal's counts from its filing time
        parts["deadline"].append(np.full(m, appeal_sla_s) if stage == APPEAL
                                 else deadline[idx])
        parts["from_now"].append(np.full(m, stage == APPEAL))
    visits = {k: _join(v) for k, v in parts.items()}
    visits["priority"] = np.full(len(visits["item"]), float(route.priority if route else 0))
    return visits


def _join(arrays: list[np.ndarray]) -> np.ndarray:
    """Concatenate, without a copy when there is only one array."""
    if not arrays:
        return np.empty(0)
    return arrays[0] if len(arrays) == 1 else np.concatenate(arrays)


def _visits(visits: dict[str, np.ndarray], n: int, disciplines: list[str], *,
            qa_before_send: bool = False) -> dict[str, np.ndarray]:
    """The visit table: one row per human visit, grouped by item in stage order."""
    item_idx = visits["item"]
    if len(item_idx) and not np.all(item_idx[1:] > item_idx[:-1]):
        order = np.lexsort((visits["stage"], item_idx))
        v = {k: a[order] for k, a in visits.items()}
        del order
    else:
        v = visits
    item_idx = v["item"].astype(np.int64)
    stage = v["stage"].astype(np.int8)
    v_next = np.full(len(item_idx), -1, np.int64)
    same = item_idx[1:] == item_idx[:-1]
    v_next[:-1][same] = np.nonzero(same)[0] + 1
    first_visit = np.full(n, -1, np.int64)
    starts = np.r_[True, ~same] if len(item_idx) else np.zeros(0, bool)
    first_visit[item_idx[starts]] = np.nonzero(starts)[0]
    decision_visit = np.full(n, -1, np.int64)
    deciding = (stage == L1) | (stage == L2)
    if qa_before_send:  # the decision is sent after QA (and rework) of a sampled decision
        deciding |= (stage == QA_REVIEW) | (stage == REWORK)
    cand = np.nonzero(deciding)[0]
    decision_visit[item_idx[cand]] = cand  # stages are in order, so the last one wins
    pool = v["pool"].astype(np.int16)
    kind = np.array([Discipline.of(d) for d in disciplines] or [Discipline.FIFO])
    by_sla = kind[pool] == Discipline.SLA_AGE if len(pool) else np.zeros(0, bool)
    key = np.where(by_sla, v["deadline"], v["priority"])
    key_now = by_sla & v["from_now"].astype(bool)
    return {
        "v_item": item_idx, "v_stage": stage, "v_pool": pool, "v_service": v["svc"],
        "v_delay": v["delay"], "v_next": v_next, "v_key": key, "v_key_now": key_now,
        "first_visit": first_visit, "decision_visit": decision_visit,
    }
