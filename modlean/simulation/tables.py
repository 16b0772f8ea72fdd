"""The tables of one replication: the per-item table and the simulated event log.

Both are built from an :class:`~modlean.simulation.outcome.Outcome`. The event
log has the canonical shape (``case_id``, ``activity``, ``timestamp``,
``start_timestamp``, ``resource``, then ``market``, ``item_type``,
``true_label``, ``decision``, ``label``, ``correct``, ``exposure_s``,
``sla_breach``), so :mod:`modlean.process` runs on it as on a real log; a workflow's
steps log as ``queued_<step>`` and ``review_<step>`` (``wait_<step>`` for a wait),
today's names for the L1 review when the step is called ``l1``; a scenario's
``log_names`` renames any event into a real log's words or leaves it out. It is
assembled block by block (one block per activity and step) straight into
preallocated narrow columns, which keeps its peak memory near the size of the
finished log.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import IntEnum
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from modlean.eventlog import NAT, NOT_PEOPLE, utc_series
from modlean.scenario import SIMULATED_EVENTS, log_name_table
from modlean.simulation.codes import (
    APPEAL,
    AUTO_APPROVE,
    AUTO_REJECT,
    HUMAN,
    L1,
    L2,
    QA_REVIEW,
    REWORK,
    ROUTES,
    STEP,
    Stage,
)
from modlean.simulation.outcome import Outcome
from modlean.simulation.plan import Plan

__all__ = ["ACTIVITIES", "FIXED_RESOURCES", "EventRank", "Resource", "activity_names",
           "build_event_log", "build_item_table", "case_ids", "log_blocks", "step_blocks"]

#: Activities of the simulated log, in process order (ties at equal times keep it).
ACTIVITIES = SIMULATED_EVENTS
_ACT = {a: i for i, a in enumerate(ACTIVITIES)}


class Resource(IntEnum):
    """Resource codes of the log's non-reviewer events; reviewer seats follow them."""

    SELLER = 0
    MODEL = 1
    SYSTEM = 2


#: Names of the fixed resources, by code (the log's names for who is no reviewer).
FIXED_RESOURCES = NOT_PEOPLE


class EventRank(IntEnum):
    """A step's place in its case's process order, with QA after sending (the default).

    Within a case, process order is also time order: each step starts when the
    one before it ended. With QA before sending, QA, its overturn and the rework
    come one place earlier and the human decision is sent after them
    (:func:`_rank`).
    """

    SUBMITTED = 0
    AUTO_SCREEN = 1
    AUTO_DECISION = 2
    QUEUED_L1 = 3
    AUTO_SENT = 3  # an automatic decision is sent at once (never in a case with queued_l1)
    REVIEW_L1 = 4
    ESCALATED_L2 = 5
    REVIEW_L2 = 6
    DECISION_SENT = 7
    QA_SAMPLE = 8
    QA_OVERTURN = 9
    REWORK = 10
    APPEAL_FILED = 11
    APPEAL_QUEUED = 12
    APPEAL_REVIEW = 13
    APPEAL_DECIDED = 14


def _rank(step: EventRank, before_send: bool) -> int:
    """The rank of a step; QA before sending moves the QA steps ahead of the decision sent."""
    if before_send:
        if step == EventRank.DECISION_SENT:
            return EventRank.REWORK
        if EventRank.QA_SAMPLE <= step <= EventRank.REWORK:
            return step - 1
    return step


#: The events of a block: items, end times, start times (or ``None``), resource codes
#: (one for all, or one per event) and activity codes per event (``None``: the block's).
Events = tuple[np.ndarray, np.ndarray, np.ndarray | None, int | np.ndarray, np.ndarray | None]
#: A block of events: ``(rank, activity code, make)``; ``make()`` gives its :data:`Events`.
Block = tuple[int, int, Callable[[], Events]]


def _codes_dtype(categories: Sequence[str]) -> np.dtype:
    """The integer dtype pandas keeps a categorical's codes in for these categories."""
    return pd.Categorical.from_codes(np.zeros(0, np.int8), categories=list(categories)) \
        .codes.dtype


def _categorical(codes: np.ndarray, names: Sequence[str]) -> pd.Categorical:
    return pd.Categorical.from_codes(codes, categories=list(names))


def case_ids(plan: Plan, rep: int, reps: int, counts: np.ndarray | None = None) -> pd.Series:
    """``US-000001`` ... in submission order (``US-r2-000001`` with replications).

    With ``counts``, item *i*'s id is repeated ``counts[i]`` times (the log's
    column). Every id has the same length, so the Arrow string buffers are built
    directly with numpy (no Python string per item or event, no copy).
    """
    s = plan.scenario
    n = plan.n_items if counts is None else len(counts)
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


def build_item_table(out: Outcome, rep: int, reps: int) -> pd.DataFrame:
    """One row per item: route, decisions, times, turnaround, exposure, QA and appeal."""
    p = out.plan
    dec = np.where(np.isnan(out.decision_time), -1, p.first_reject.astype(np.int8))
    return pd.DataFrame({
        "replication": rep,
        "case_id": case_ids(p, rep, reps),
        "item_type": _categorical(p.item_type, p.type_names),
        "submitted": out.stamps(p.submit),
        "route": _categorical(p.route, ROUTES),
        "score": p.score.astype(np.float32),
        "true_label": _categorical(p.violating.astype(np.int8), ["clean", "violating"]),
        "first_decision": _categorical(dec, ["approve", "reject"]),
        "decision": _categorical(out.final_codes(), ["approve", "reject"]),
        "label": _categorical(out.label_codes(), p.label_names),
        "decided_at": out.stamps(out.decision_time),
        "turnaround_h": out.tat_h,
        "closed_at": out.stamps(out.closed_at),
        "lead_time_h": (out.closed_at - p.submit) / 3600.0,
        "sla_breach": out.breach,
        "correct": out.correct,
        "exposure_s": out.exposure_s,
        "escalated": p.escalated,
        "wait_l1_h": out.l1_wait_h,
        "qa_sampled": p.qa_sampled,
        "qa_overturned": p.qa_overturn,
        "appealed": p.appealed,
        "appeal_overturned": p.appeal_overturn,
        "appeal_decided_at": out.stamps(out.appeal_end),
    })


# --------------------------------------------------------------------------- log blocks

def _items_where(mask: Callable[[], np.ndarray], times: Callable[[], np.ndarray],
                 resource: int) -> Callable[[], Events]:
    """A block of the items where ``mask()`` holds, at ``times()``."""
    def make() -> Events:
        m = mask()
        return np.nonzero(m)[0], times()[m], None, resource, None
    return make


def _visit_events(out: Outcome, pool_offset: np.ndarray, stage: Stage, times: str,
                  resource: int | None, *, starts: bool = False,
                  only: Callable[[np.ndarray], np.ndarray] | None = None
                  ) -> Callable[[], Events]:
    """A block of the visits at ``stage`` (``only``: of the items it selects), at the
    outcome's ``times`` array (``"enq"`` or ``"end"``); ``resource`` None: the seat."""
    p = out.plan

    def make() -> Events:
        m = p.v_stage == stage
        if only is not None:
            m &= only(p.v_item)
        res: Any = resource
        if resource is None:  # the reviewer's seat
            res = pool_offset[:-1][p.v_pool[m]]
            if out.seat is not None:
                res = res + out.seat[m]
        return (p.v_item[m], getattr(out, times)[m], out.start[m] if starts else None, res,
                None)
    return make


def _screen_blocks(out: Outcome) -> list[Block]:
    """Submission, the model's screening and its automatic decisions."""
    p = out.plan
    n = p.n_items
    blocks: list[Block] = [
        (EventRank.SUBMITTED, _ACT["submitted"],
         lambda: (np.arange(n), p.submit, None, Resource.SELLER, None)),
        (EventRank.AUTO_SCREEN, _ACT["auto_screen"], _items_where(
            lambda: np.isin(p.route, [AUTO_APPROVE, AUTO_REJECT])
            | ((p.route == HUMAN) & ~np.isnan(p.score)), lambda: p.ready, Resource.MODEL)),
    ]
    for route, act in ((AUTO_APPROVE, "auto_approved"), (AUTO_REJECT, "auto_rejected")):
        blocks.append((EventRank.AUTO_DECISION, _ACT[act], _items_where(
            lambda route=route: p.route == route, lambda: p.ready, Resource.MODEL)))
    return blocks


def _visit_blocks(out: Outcome, pool_offset: np.ndarray, before_send: bool) -> list[Block]:
    """The human visits: queued, reviewed, escalated, QA and its overturn, rework, appeal."""
    p = out.plan
    SYSTEM, SELLER = Resource.SYSTEM, Resource.SELLER
    blocks: list[Block] = []

    def add(step: EventRank, activity: str, make: Callable[[], Events]) -> None:
        blocks.append((_rank(step, before_send), _ACT[activity], make))

    def visits(stage: Stage, times: str, resource: int | None, **kw: Any
               ) -> Callable[[], Events]:
        return _visit_events(out, pool_offset, stage, times, resource, **kw)

    reviews = {L1: ("review_l1", EventRank.REVIEW_L1), L2: ("review_l2", EventRank.REVIEW_L2),
               QA_REVIEW: ("qa_sample", EventRank.QA_SAMPLE),
               REWORK: ("review_l1", EventRank.REWORK),
               APPEAL: ("appeal_review", EventRank.APPEAL_REVIEW)}
    for stage, (act, step) in reviews.items():
        if not out.present[stage]:
            continue
        if stage == L1:
            add(EventRank.QUEUED_L1, "queued_l1", visits(stage, "enq", SYSTEM))
        elif stage == L2:
            add(EventRank.ESCALATED_L2, "escalated_l2", visits(stage, "enq", SYSTEM))
        elif stage == APPEAL:
            add(EventRank.APPEAL_FILED, "appeal_filed", visits(stage, "enq", SELLER))
            add(EventRank.APPEAL_QUEUED, "appeal_queued", visits(stage, "enq", SYSTEM))
        add(step, act, visits(stage, "end", None, starts=True))
        if stage == QA_REVIEW:
            add(EventRank.QA_OVERTURN, "qa_overturn", visits(
                stage, "end", SYSTEM, only=lambda items: p.qa_overturn[items]))
        if stage == APPEAL:
            add(EventRank.APPEAL_DECIDED, "appeal_decided", visits(stage, "end", SYSTEM))
    return blocks


def activity_names(plan: Plan) -> tuple[list[str], np.ndarray]:
    """The log's activities (:data:`ACTIVITIES`, then the workflow steps') and, per workflow
    step, the codes of its two events (-1 where it logs none): ``queued_<step>`` and
    ``review_<step>`` or ``wait_<step>``, or the names the step gives
    (:meth:`~modlean.scenario.Step.event_names`). A step named ``l1`` logs as today's L1
    review."""
    names = list(ACTIVITIES)
    codes = np.full((len(plan.step_names), 2), -1, np.int64)
    for i, pair in enumerate(plan.step_events):
        for k, act in enumerate(pair):
            if act is not None:
                if act not in names:
                    names.append(act)
                codes[i, k] = names.index(act)
    return names, codes


def step_blocks(out: Outcome, pool_offset: np.ndarray, step_acts: np.ndarray) -> list[Block]:
    """The workflow steps' visits: per place in the walk, one block of queued events (at
    joining, reviews only) and one of reviews or waits (start and end; a wait's resource
    is the seller, the party a workflow waits for)."""
    p = out.plan
    if not out.present[STEP]:
        return []
    v = np.nonzero(p.v_stage == STEP)[0]  # an item's step visits are contiguous, in order
    items = p.v_item[v]
    first = np.r_[True, items[1:] != items[:-1]]
    place = np.arange(len(v)) - np.maximum.accumulate(np.where(first, np.arange(len(v)), 0))
    n_places = int(place.max()) + 1
    wait_pool = len(p.pool_names)
    blocks: list[Block] = []

    def events(k: int, phase: int) -> Callable[[], Events]:
        def make() -> Events:
            w = v[place == k]
            acts = step_acts[p.v_step[w], phase]
            if phase == 0:  # queued: reviews only
                w, acts = w[acts >= 0], acts[acts >= 0]
                return p.v_item[w], out.enq[w], None, Resource.SYSTEM, acts
            w, acts = w[acts >= 0], acts[acts >= 0]
            pool = p.v_pool[w]
            res = np.where(pool == wait_pool, int(Resource.SELLER),
                           pool_offset[np.minimum(pool, wait_pool - 1)]
                           + (out.seat[w] if out.seat is not None else 0))
            return p.v_item[w], out.end[w], out.start[w], res, acts
        return make

    for k in range(n_places):  # between a model's decision and the decision sent
        for phase in (0, 1):
            rank = EventRank.QUEUED_L1 + (2 * k + phase) / (2 * n_places)
            blocks.append((rank, 0, events(k, phase)))  # type: ignore[arg-type]
    return blocks


def _sent_blocks(out: Outcome, before_send: bool) -> list[Block]:
    """The decision sent: an automatic one at once, a human one after review (and QA when
    QA comes before sending)."""
    sent = _ACT["decision_sent"]
    return [
        (EventRank.AUTO_SENT, sent, _items_where(lambda: out.auto, lambda: out.decision_time,
                                                 Resource.SYSTEM)),
        (_rank(EventRank.DECISION_SENT, before_send), sent, _items_where(
            lambda: ~out.auto, lambda: out.decision_time, Resource.SYSTEM)),
    ]


def log_blocks(out: Outcome, pool_offset: np.ndarray,
               step_acts: np.ndarray | None = None) -> list[Block]:
    """The log's events as blocks, one per activity and step, in process order.

    ``step_acts`` (from :func:`activity_names`) names the workflow steps' events. A
    scenario with ``envelope_events: false`` writes no submission, automatic decision or
    decision sent (a workflow calibrated in a real log's vocabulary), only the model's
    ``auto_screen`` of the items it scored, so the cases it decides alone stay cases.
    Blocks are made when needed, so at most one is in memory. The sort is stable:
    equal ranks keep the order the blocks are listed in.
    """
    before_send = out.plan.scenario.qa.timing == "before_send"
    if step_acts is None:
        step_acts = activity_names(out.plan)[1]
    envelope = out.plan.scenario.envelope_events
    screen = _screen_blocks(out)
    blocks = [*(screen if envelope else screen[1:2]),
              *_visit_blocks(out, pool_offset, before_send),
              *step_blocks(out, pool_offset, step_acts),
              *(_sent_blocks(out, before_send) if envelope else [])]
    blocks.sort(key=lambda b: b[0])
    return blocks


def _kept(block: Events) -> Events:
    """A block without its events that never happened (NaN time)."""
    items, times, starts, resource, acts = block
    keep = ~np.isnan(times)
    if not keep.all():
        items, times = items[keep], times[keep]
        starts = starts[keep] if starts is not None else None
        resource = resource if np.isscalar(resource) else np.asarray(resource)[keep]
        acts = acts[keep] if acts is not None else None
    return items, times, starts, resource, acts


def _seat_groups(plan: Plan) -> list[tuple[str, int]]:
    """Who owns seats, with how many: the pools with people of their own, then the teams
    (a pool in a team has no seats: its reviewers are the team's people)."""
    def size(values: np.ndarray) -> int:
        return max(1, int(values.max()) if len(values) else 1)

    groups = [(name, 0 if team >= 0 else size(v))
              for name, team, v in zip(plan.pool_names, plan.pool_team or
                                       [-1] * len(plan.pool_names), plan.cap_values,
                                       strict=True)]
    return groups + [(name, size(v)) for name, v in zip(plan.team_names,
                                                       plan.team_cap_values, strict=True)]


def _pool_offsets(plan: Plan) -> np.ndarray:
    """Resource code of each pool's first seat (a pool in a team: its team's first seat;
    codes 0-2 are seller, model, system), then the code after the last seat."""
    first = np.cumsum([len(Resource)] + [n for _, n in _seat_groups(plan)])
    n_pools = len(plan.pool_names)
    teams = plan.pool_team or [-1] * n_pools
    return np.array([first[n_pools + t] if t >= 0 else first[i] for i, t in enumerate(teams)]
                    + [first[-1]])


# --------------------------------------------------------------------------- event log

def _resource_names(plan: Plan) -> list[str]:
    """Names of the resource codes: the fixed ones, then ``<pool>_001`` ... per seat of a
    pool, then ``<team>_001`` ... per person of a team (one person, every pool they work)."""
    names = list(FIXED_RESOURCES)
    for name, n in _seat_groups(plan):
        names += [f"{name}_{k + 1:03d}" for k in range(n)]
    return names


def _item_attributes(out: Outcome) -> dict[str, tuple[np.ndarray, Sequence[str] | None]]:
    """Per-item columns of the log, compact, with their categories (None: not categorical)."""
    p = out.plan
    return {
        "item_type": (p.item_type.astype(_codes_dtype(p.type_names)), p.type_names),
        "true_label": (p.violating.astype(np.int8), ["clean", "violating"]),
        "decision": (out.final_codes(), ["approve", "reject"]),
        "label": (out.label_codes().astype(_codes_dtype(p.label_names)), p.label_names),
        "correct": (out.correct, None),
        "exposure_s": (out.exposure_s.astype(np.float32), None),
        "sla_breach": (out.breach, None),
    }


def _fill_rows(out: Outcome, blocks: list[Block], counts: np.ndarray, names: list[str],
               activities: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every event written into its row: a case's rows are contiguous, cases in item
    order, filled block by block. Returns end and start microseconds, activity and
    resource codes."""
    total = int(counts.sum(dtype=np.int64))
    slot = np.cumsum(counts, dtype=np.int64) - counts  # next free row of each case
    stamps = np.empty(total, np.int64)
    starts = np.full(total, NAT, np.int64)
    acts = np.empty(total, _codes_dtype(activities))
    resources = np.empty(total, _codes_dtype(names))
    for _, act, make in blocks:
        items, times, block_starts, resource, block_acts = _kept(make())
        rows = slot[items]
        slot[items] += 1
        stamps[rows] = out.micros(times)
        if block_starts is not None:
            starts[rows] = out.micros(block_starts)
        acts[rows] = act if block_acts is None else block_acts
        resources[rows] = resource
        del items, times, block_starts, resource, rows, block_acts
    return stamps, starts, acts, resources


def _renamed(acts: np.ndarray, renamed: tuple[list[list[int]], list[str]],
             item_type: np.ndarray) -> tuple[np.ndarray, list[str], np.ndarray | None]:
    """Activity codes after a scenario's ``log_names`` (:func:`~modlean.scenario.log_name_table`,
    looked up by each event's item type), the new names, and the events kept (None: all)."""
    table, activities = renamed
    codes = np.asarray(table, np.int64)[item_type, acts]
    keep = codes >= 0
    if keep.all():
        return codes.astype(_codes_dtype(activities)), activities, None
    return codes[keep].astype(_codes_dtype(activities)), activities, keep


def build_event_log(out: Outcome, rep: int, reps: int, *, release: bool = False) -> pd.DataFrame:
    """The canonical event log of a replication (sorted by case, time, process order).

    Every event is written straight into its row of preallocated, narrow columns,
    per item attributes are repeated per event only at the end, and case ids are
    built as Arrow buffers, so the peak memory stays near the size of the finished
    log. ``release=True`` frees the outcome's arrays as soon as the log no longer
    needs them (the outcome is unusable afterwards).
    """
    p, s = out.plan, out.plan.scenario
    pool_offset = _pool_offsets(p)
    names = _resource_names(p)
    # per-item attributes, compact, before the arrays they come from are released
    attrs = _item_attributes(out)
    activities, step_acts = activity_names(p)
    blocks = log_blocks(out, pool_offset, step_acts)
    counts = np.zeros(p.n_items, np.int32)
    for _, _, make in blocks:
        counts[_kept(make())[0]] += 1  # an item appears at most once per block
    stamps, starts, acts, resources = _fill_rows(out, blocks, counts, names, activities)
    renamed = log_name_table(s, activities, p.type_names)
    if renamed is not None:  # the scenario's log_names: recode, drop the events named null
        acts, activities, keep = _renamed(acts, renamed, np.repeat(p.item_type, counts))
        if keep is not None:
            stamps, starts, resources = stamps[keep], starts[keep], resources[keep]
            counts = np.bincount(np.repeat(np.arange(p.n_items), counts)[keep],
                                 minlength=p.n_items).astype(counts.dtype)
    total = len(stamps)
    del blocks
    if release:
        out.release()
    cols: dict[str, Any] = {
        "activity": _categorical(acts, activities),
        "timestamp": utc_series(stamps),
        "start_timestamp": utc_series(starts),
        "resource": _categorical(resources, names),
        "market": pd.Categorical.from_codes(np.zeros(total, np.int8), [s.market or s.name]),
    }
    del acts, stamps, starts, resources
    for column, (values, categories) in attrs.items():
        per_event = np.repeat(values, counts)
        cols[column] = per_event if categories is None else _categorical(per_event, categories)
    del attrs
    case_id = case_ids(p, rep, reps, counts)
    log = pd.DataFrame({"case_id": case_id, **cols}, copy=False)
    del cols, case_id
    if reps > 1:
        log.insert(5, "replication", np.int16(rep))
    log.attrs["modlean"] = {"source": f"simulated: {s.name} (seed replication {rep})",
                            "notes": []}
    return log
