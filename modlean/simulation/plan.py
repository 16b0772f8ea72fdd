"""The work plan of one replication: every item and every human visit, drawn with numpy.

Everything about an item that does not depend on queues is decided here,
vectorised, before any SimPy event exists: arrival time, true label, model score
and route, each reviewer's (in)correctness, escalation, QA sampling and
catching, rework, appeal and its outcome, and every handling time; for an item
type with a workflow, its walk (:mod:`modlean.simulation.walk`) stands in for
the L1 review and escalation. What is left
for the engine (:mod:`modlean.simulation.engine`) is *when* each human visit happens,
which depends on contention for reviewers.

Common random numbers (:mod:`modlean.simulation.draws`): every purpose draws
from its own stream, one value for every item of the type, so two scenarios run
with the same seed see the same arrivals and items.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtri

from modlean.errors import ScenarioError
from modlean.scenario import Delay, Handling, ItemType, Scenario
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
    STEP,
    Discipline,
    Stage,
)
from modlean.simulation.draws import Draws, sample_delay_s, sample_handling, stream
from modlean.simulation.grid import GRID_S, Grid, pool_capacity, team_capacity, time_grid
from modlean.simulation.walk import Walk, step_handling, walk_workflow

__all__ = ["Plan", "make_plan", "sample_handling"]  # sample_handling: from draws


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
    v_step: np.ndarray  # the workflow step of a STEP visit (index in step_names), else -1
    first_visit: np.ndarray  # per item, -1 when the item never meets a human
    decision_visit: np.ndarray  # per item, the visit after which the decision is sent, or -1
    # pools
    cap_times: list[np.ndarray] = field(default_factory=list)
    cap_values: list[np.ndarray] = field(default_factory=list)
    seats: list[np.ndarray] = field(default_factory=list)  # scheduled seats per grid cell
    disciplines: list[str] = field(default_factory=list)
    # teams: people shared by several pools (a pool in a team has no capacity of its own)
    team_names: list[str] = field(default_factory=list)
    pool_team: list[int] = field(default_factory=list)  # per pool, its team's index or -1
    team_cap_times: list[np.ndarray] = field(default_factory=list)
    team_cap_values: list[np.ndarray] = field(default_factory=list)
    team_seats: list[np.ndarray] = field(default_factory=list)
    # workflow steps of every item type, numbered in scenario order
    step_names: list[str] = field(default_factory=list)
    step_kinds: list[str] = field(default_factory=list)
    #: per step, the activities it logs: (queued event or None, review / wait event or None)
    step_events: list[tuple[str | None, str | None]] = field(default_factory=list)
    #: per visit, the pool's pickup delay (s) before a reviewer may take it; None: no pool
    #: has one
    v_pickup: np.ndarray | None = None

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
    rng = stream(seed, rep, "arrivals", name)
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
    steps = [(name, step, st.kind) for name, wf in s.workflows.items()
             for step, st in wf.steps.items()]
    offsets = {name: next(i for i, st in enumerate(steps) if st[0] == name)
               for name in s.workflows}
    for t, name in enumerate(type_names):
        for part in ("backlog", "new"):
            chunk = _items_of_type(s, grid, name, part, seed, replication, pool_index,
                                   label_names, offsets.get(name, 0))
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
    picked = ("pickup",) if any(p.pickup is not None for p in s.pools.values()) else ()
    visits = {k: _join([vp.pop(k) for vp in vparts])
              for k in ("stage", "pool", "svc", "delay", "deadline", "from_now", "priority",
                        "order", "step", *picked)}
    item_idx = _join([vp["item"] + off for vp, off in zip(vparts, offsets, strict=False)])
    visits["item"] = rank[item_idx] if rank is not None else item_idx
    if s.max_cases is not None and len(submit) > s.max_cases:  # arrivals stop after N cases
        items = {k: v[:s.max_cases] for k, v in items.items()}
        submit = items["submit"]
        kept = visits["item"] < s.max_cases
        visits = {k: v[kept] for k, v in visits.items()}
    del vparts, chunks, item_idx, rank
    plan_visits = _visits(visits, items["score"], [p.discipline for p in s.pools.values()],
                          qa_before_send=s.qa.timing == "before_send")
    times, values, seats = pool_capacity(s, grid)
    team_times, team_values, team_seats = team_capacity(s, grid)
    team_names = list(s.teams)
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
        disciplines=[p.discipline for p in s.pools.values()],
        team_names=team_names, team_cap_times=team_times, team_cap_values=team_values,
        team_seats=team_seats,
        pool_team=[team_names.index(p.team) if p.team is not None else -1
                   for p in s.pools.values()],
        step_names=[st[1] for st in steps], step_kinds=[st[2] for st in steps],
        step_events=[s.workflows[name].steps[step].event_names(step) for name, step, _ in steps],
        **plan_visits)


def _items_of_type(s: Scenario, grid: Grid, name: str, part: str, seed: int, rep: int,
                   pool_index: dict[str, int], label_names: list[str], step_offset: int
                   ) -> dict[str, np.ndarray]:
    """All draws and decisions of the items of one type (``part``: backlog or new)."""
    item = s.item_types[name]
    draws = Draws(seed, rep, name, part)
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
    walk = walk_workflow(s, name, draws, routes >= HUMAN, {
        "violating": violating, "reason": reason, "score": score, "label_names": label_names},
        pool_index, wait_pool=len(pool_index)) if name in s.workflows else None
    out = _decisions(s, name, draws, routes, violating, walk)
    visits = _visits_of_type(s, name, draws, out, submit, pool_index, walk, step_offset)
    return {
        "submit": submit, "ready": ready, "violating": violating,
        "score": score.astype(np.float32),
        "route": routes.astype(np.int8), "first_reject": out["first_reject"],
        "escalated": out["escalated"], "qa_sampled": out["qa_sampled"],
        "qa_overturn": out["qa_overturn"], "after_qa_reject": out["after_qa_reject"],
        "appealed": out["appealed"], "appeal_overturn": out["appeal_overturn"],
        "final_reject": out["final_reject"], "reason": reason, "visits": visits,
    }


def _reasons(item: ItemType, draws: Draws, label_names: list[str]) -> np.ndarray:
    """The reason code a rejection of each item gives (drawn for every item; -1: none)."""
    if not item.labels:
        return np.full(draws.n, -1, np.int16)
    weights = np.cumsum(list(item.labels.values()))
    pick = np.searchsorted(weights / weights[-1], draws.uniform("reason"), side="right")
    codes = np.array([label_names.index(k) for k in item.labels], np.int16)
    return codes[np.minimum(pick, len(codes) - 1)]


def _screen(item: ItemType, draws: Draws, violating: np.ndarray, submit: np.ndarray
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


def _decisions(s: Scenario, name: str, draws: Draws, routes: np.ndarray,
               violating: np.ndarray, walk: Walk | None) -> dict[str, np.ndarray]:
    """Every decision about the items: reviewers' errors, escalation, QA, rework, appeals.

    With a workflow (``walk``), the human decision is the walk's and there is no
    escalation; QA and appeals follow it as they follow a routed review.

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
    if walk is not None:
        first_reject = np.where(auto, routes == AUTO_REJECT, walk.reject)
        escalated = np.zeros(n, bool)
    else:
        if human.any() and route is None:  # scenario validation makes this unreachable
            raise ScenarioError(f"routing.{name}: missing; expected a route for human review")
        first_reject = np.where(auto, routes == AUTO_REJECT,
                                violating ^ wrong("l1_error", l1_pool))
        escalated = human & (uniform("escalate") < (route.escalation_probability if route
                                                     else 0))
        first_reject = np.where(escalated, violating ^ wrong("l2_error", l2_pool), first_reject)
    first_wrong = first_reject != violating

    qa = s.qa
    u_qa = uniform("qa_sample")
    qa_sampled = qa.enabled & (u_qa < np.where(human, qa.human_rate, qa.auto_rate))
    qa_overturn = qa_sampled & first_wrong & (uniform("qa_catch") < qa.catch_probability)
    reworkable = walk.last_review >= 0 if walk is not None else l1_pool is not None
    rework = qa_overturn & qa.rework & reworkable
    after_qa_reject = np.where(qa_overturn, violating, first_reject)

    ap = s.appeals
    appealed = ap.enabled & after_qa_reject & (uniform("appeal") < s.item_types[name].appeal_rate)
    u_over = uniform("appeal_overturn")
    wrong_now = after_qa_reject != violating
    appeal_overturn = appealed & (u_over < np.where(wrong_now, ap.overturn_if_wrong,
                                                    ap.overturn_if_right))
    final_reject = after_qa_reject & ~appeal_overturn
    u_delay = uniform("appeal_delay")[appealed]
    if ap.delay is not None:  # its own distribution (a calibrated log's: empirical)
        appeal_delay = sample_delay_s(ap.delay, u_delay)
    else:  # lognormal, mean delay_hours, CV 1
        sigma2 = np.log(2.0)
        delay_h = np.exp(np.log(max(ap.delay_hours, 1e-9)) - sigma2 / 2
                         + np.sqrt(sigma2) * ndtri(u_delay))
        appeal_delay = delay_h * 3600.0 if ap.delay_hours > 0 else np.zeros(len(delay_h))
    return {
        "human": human, "first_reject": first_reject, "escalated": escalated,
        "qa_sampled": qa_sampled, "qa_overturn": qa_overturn, "rework": rework,
        "after_qa_reject": after_qa_reject, "appealed": appealed,
        "appeal_overturn": appeal_overturn, "final_reject": final_reject,
        "appeal_delay": appeal_delay,
    }


def _stage_pools(s: Scenario, name: str, pool_index: dict[str, int], walk: Walk | None
                 ) -> dict[Stage, int | np.ndarray | None]:
    """The pool number of each stage for an item type (None: no such pool); rework after a
    workflow goes to the pool of the item's last review, so it is a number per item."""
    route = s.routing.get(name)

    def number(pool: str | None) -> int | None:
        return pool_index[pool] if pool else None

    rework: int | np.ndarray | None = number(route.pool if route else None)
    if walk is not None:
        steps = s.workflows[name].steps.values()
        rework = np.array([pool_index[st.pool] if st.pool else -1 for st in steps] + [-1],
                          np.int16)[walk.last_review]
    return {L1: number(route.pool if route else None),
            L2: number(route.escalation_pool if route else None),
            QA_REVIEW: number(s.qa.pool if s.qa.enabled else None), REWORK: rework,
            APPEAL: number(s.appeals.pool if s.appeals.enabled else None)}


def _service_times(s: Scenario, name: str, draws: Draws, has: dict[Stage, np.ndarray],
                   walk: Walk | None) -> dict[Stage, np.ndarray]:
    """Handling times per stage, for the items that make the visit.

    One uniform for every item (common random numbers), turned into times only for
    the items that make the visit. Rework takes the handling of the item's review
    (L1, or its last workflow review); QA falls back to it x ``handling_factor``,
    an appeal to ``appeals.handling``.
    """
    route = s.routing.get(name)
    qa, ap = s.qa, s.appeals
    l1_h = s.pools[route.pool].handling_for(name) if route else None
    steps = list(s.workflows[name].steps.values()) if walk is not None else []

    def own(stage: Stage, pool: str | None, purpose: str,
            fallback: Handling | None = None) -> np.ndarray:
        """Times from the pool's handling of the type (else ``fallback``; else NaN)."""
        u = draws.uniform(purpose)[has[stage]]
        h = (s.pools[pool].handling_for(name) if pool else None) or fallback
        return sample_handling(h, u) if h is not None else np.full(len(u), np.nan)

    def review_time(stage: Stage, purpose: str, factor: float) -> np.ndarray:
        """Times from the handling of each item's own review, x ``factor``."""
        u = draws.uniform(purpose)[has[stage]]
        if walk is None:
            return sample_handling(l1_h, u, factor) if l1_h else np.full(len(u), np.nan)
        last = walk.last_review[has[stage]]
        out = np.full(len(u), np.nan)
        for st in np.unique(last[last >= 0]):
            at = last == st
            out[at] = sample_handling(step_handling(s, name, steps[st]), u[at], factor)
        return out

    svc: dict[Stage, np.ndarray] = {}
    svc[L1] = own(L1, route.pool if route else None, "l1_time")
    svc[L2] = own(L2, route.escalation_pool if route else None, "l2_time")
    qa_pool = qa.pool if qa.enabled else None
    qa_h = s.pools[qa_pool].handling_for(name) if qa_pool else None
    svc[QA_REVIEW] = own(QA_REVIEW, qa_pool, "qa_time") if qa_h is not None \
        else review_time(QA_REVIEW, "qa_time", qa.handling_factor)
    svc[REWORK] = review_time(REWORK, "rework_time", 1.0)
    svc[APPEAL] = own(APPEAL, ap.pool if ap.enabled else None, "appeal_time", ap.handling)
    if np.isnan(svc[QA_REVIEW]).any():
        raise ScenarioError(f"pools.{qa.pool}.handling: no QA handling time for item type "
                            f"{name!r} (it has no review to take it from); expected a key "
                            f"{name!r} or '*'")
    return svc


#: A visit's place in its item's chain: L1 and L2 first, workflow steps by their place in
#: the walk, then QA, rework and appeal.
_AFTER_STEPS = 1 << 20


def _visits_of_type(s: Scenario, name: str, draws: Draws, out: dict[str, np.ndarray],
                    submit: np.ndarray, pool_index: dict[str, int], walk: Walk | None,
                    step_offset: int) -> dict[str, np.ndarray]:
    """The human visits of the items of one type, stage by stage (item numbers local)."""
    has = {L1: out["human"] & (walk is None), L2: out["escalated"],
           QA_REVIEW: out["qa_sampled"], REWORK: out["rework"], APPEAL: out["appealed"]}
    svc = _service_times(s, name, draws, has, walk)
    stage_pool = _stage_pools(s, name, pool_index, walk)
    route = s.routing.get(name)
    appeal_sla_s = s.appeals.sla.hours * 3600.0
    deadline = submit + s.item_types[name].sla.hours * 3600.0
    parts: dict[str, list[np.ndarray]] = {k: [] for k in (
        "item", "stage", "pool", "svc", "delay", "deadline", "from_now", "priority", "order",
        "step", "pickup")}
    pickups = [p.pickup for p in s.pools.values()]
    handoffs = [p.handoff for p in s.pools.values()]

    def add(idx: np.ndarray, stage: Stage, **cols: np.ndarray) -> None:
        m = len(idx)
        if any(pickups):
            parts["pickup"].append(_pool_delays(pickups, cols["pool"], draws.uniform(
                f"pickup_{stage}")[idx], cols["order"]))
        if any(handoffs):  # before joining the queue, as an appeal's filing delay
            cols["delay"] = cols.get("delay", np.zeros(m)) + _pool_delays(
                handoffs, cols["pool"], draws.uniform(f"handoff_{stage}")[idx], cols["order"])
        parts["item"].append(idx)
        parts["stage"].append(np.full(m, stage, np.int8))
        for key, default in (("delay", 0.0), ("from_now", False), ("step", -1),
                             ("priority", float(route.priority if route else 0))):
            parts[key].append(cols.pop(key, np.full(m, default)))
        parts["deadline"].append(cols.pop("deadline", deadline[idx]))
        for key, value in cols.items():
            parts[key].append(value)

    for stage, mask in has.items():
        idx = np.nonzero(mask)[0]
        if not len(idx):
            continue
        pool = stage_pool[stage]
        pools = pool[idx] if isinstance(pool, np.ndarray) else np.full(len(idx), pool, np.int16)
        order = np.full(len(idx), stage + (_AFTER_STEPS if stage >= QA_REVIEW else 0), np.int32)
        if stage == APPEAL:  # an appeal's SLA deadline counts from its filing time
            add(idx, stage, pool=pools, svc=svc[stage], order=order,
                delay=out["appeal_delay"], deadline=np.full(len(idx), appeal_sla_s),
                from_now=np.ones(len(idx), bool))
        else:
            add(idx, stage, pool=pools, svc=svc[stage], order=order)
    if walk is not None and len(walk.item):
        add(walk.item, STEP, pool=walk.pool, svc=walk.svc, order=2 + walk.seq,
            step=step_offset + walk.step, priority=walk.priority)
    return {k: _join(v) for k, v in parts.items()}


#: Spreads the uniforms of an item's repeated visits to one stage (a loop in a workflow):
#: the golden ratio's fractional part, so the k-th repeat draws ``u + k * phi`` (mod 1).
_SPREAD = (5 ** 0.5 - 1) / 2


def _pool_delays(delays: list[Delay | None], pool: np.ndarray, u: np.ndarray,
                 order: np.ndarray) -> np.ndarray:
    """Each visit's delay (s) of its pool (a ``handoff`` or ``pickup``, ``delays`` per pool)
    drawn from the item's uniform for the stage, spread by the visit's place in the chain;
    0 in a pool without one (and in the wait pseudo-pool, numbered after the real pools)."""
    u = np.mod(u + order * _SPREAD, 1.0)
    out = np.zeros(len(pool))
    for i, delay in enumerate(delays):
        mine = pool == i
        if delay is not None and mine.any():
            out[mine] = sample_delay_s(delay, u[mine])
    return out


def _join(arrays: list[np.ndarray]) -> np.ndarray:
    """Concatenate, without a copy when there is only one array."""
    if not arrays:
        return np.empty(0)
    return arrays[0] if len(arrays) == 1 else np.concatenate(arrays)


def _visits(visits: dict[str, np.ndarray], score: np.ndarray, disciplines: list[str], *,
            qa_before_send: bool = False) -> dict[str, np.ndarray]:
    """The visit table: one row per human visit, grouped by item in stage order, with each
    visit's queue key (its pool's discipline: priority, SLA deadline or model score)."""
    n = len(score)
    item_idx = visits["item"]
    if len(item_idx) and not np.all(item_idx[1:] > item_idx[:-1]):
        order = np.lexsort((visits["order"], item_idx))
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
    deciding = (stage == L1) | (stage == L2) | (stage == STEP)
    if qa_before_send:  # the decision is sent after QA (and rework) of a sampled decision
        deciding |= (stage == QA_REVIEW) | (stage == REWORK)
    cand = np.nonzero(deciding)[0]
    decision_visit[item_idx[cand]] = cand  # stages are in order, so the last one wins
    pool = v["pool"].astype(np.int16)
    # the wait pseudo-pool (numbered after the real pools) queues nothing: fifo
    kind = np.array([Discipline.of(d) for d in disciplines] + [Discipline.FIFO])
    by_sla = kind[pool] == Discipline.SLA_AGE if len(pool) else np.zeros(0, bool)
    by_score = kind[pool] == Discipline.SCORE if len(pool) else np.zeros(0, bool)
    key = np.where(by_sla, v["deadline"], v["priority"])
    if by_score.any():  # higher score first; items without a score after every scored one
        key = np.where(by_score, np.nan_to_num(-score[item_idx].astype(float), nan=1.0), key)
    key_now = by_sla & v["from_now"].astype(bool)
    return {
        "v_item": item_idx, "v_stage": stage, "v_pool": pool, "v_service": v["svc"],
        "v_delay": v["delay"], "v_next": v_next, "v_key": key, "v_key_now": key_now,
        "first_visit": first_visit, "decision_visit": decision_visit,
        "v_step": v["step"].astype(np.int16), "v_pickup": v.get("pickup"),
    }
