"""The walk of an item type's workflow: its visits and decision, drawn with numpy.

Every item the ML pre-filter sends to people enters the workflow at its
``start``. The walk goes in passes: in each pass all items standing at a step
are handled together (vectorised), one step after the other, and move on along
the routes, until every item is ``done``. A review draws a handling time and
the reviewer's error; a dual review two of each (its two visits follow each
other in the pool); a wait draws its delay (cut at the timeout) and becomes a
visit to the wait pseudo-pool, which has unlimited capacity, so the engine
times it like any other visit; a system step only routes.

Common random numbers: each step draws from its own streams, keyed by the step's
name, the purpose (``time``, ``error``, ``route`` ...) and how many times the item
was there before, one value per item of the type. Inserting, removing or
rerouting another step therefore leaves this step's draws unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from modlean.errors import ScenarioError
from modlean.scenario import DONE, MAX_PASSES, Handling, Scenario, Step, When, Workflow
from modlean.simulation.draws import Draws, sample_delay_s, sample_handling

__all__ = ["Walk", "step_handling", "walk_workflow"]


@dataclass
class Walk:
    """The visits of a workflow walk (item numbers local to the type) and its decisions.

    Per visit: ``item``, ``step`` (index in the workflow's steps), ``pool`` (the
    wait pool for waits), ``svc`` (seconds) and ``seq`` (its place in the item's
    walk). Per item of the type: ``reject`` (the decision at ``done``) and
    ``last_review`` (the last review step, else the workflow's first; -1 when it has
    none): rework and QA use its pool and handling.
    """

    item: np.ndarray
    step: np.ndarray
    pool: np.ndarray
    svc: np.ndarray
    seq: np.ndarray
    priority: np.ndarray
    reject: np.ndarray
    last_review: np.ndarray


def step_handling(s: Scenario, name: str, step: Step) -> Handling:
    """A review step's handling time: its own, else its pool's for the item type."""
    return step.handling or s.pools[step.pool].handling_for(name)  # type: ignore[index]


class _Walker:
    """The state of one walk: where each item stands, its decision, the visits so far."""

    def __init__(self, s: Scenario, name: str, wf: Workflow, draws: Draws,
                 items: np.ndarray, item_attrs: dict[str, np.ndarray],
                 pool_index: dict[str, int], wait_pool: int) -> None:
        self.s, self.name, self.wf, self.draws = s, name, wf, draws
        self.names = list(wf.steps)
        self.index = {n: i for i, n in enumerate(self.names)}
        self.items = items
        self.attrs = item_attrs  # violating, reason, score per item of the type
        self.pool_index, self.wait_pool = pool_index, wait_pool
        m = len(items)
        self.decision = np.full(m, -1, np.int8)  # -1: none yet, 0 approve, 1 reject
        self.timed_out = np.zeros(m, bool)
        self.last_review = np.full(m, -1, np.int16)
        self.been = np.zeros((len(self.names), m), np.int16)  # visits to each step so far
        self.visits: list[tuple[np.ndarray, ...]] = []
        self.cache: dict[str, np.ndarray] = {}

    def uniform(self, step: str, purpose: str, pos: np.ndarray, st: int) -> np.ndarray:
        """One uniform per item at ``pos``, from the stream of (step, purpose, visit number)."""
        out = np.empty(len(pos))
        k = self.been[st, pos]
        for times in np.unique(k):
            at = k == times
            key = f"step:{step}:{purpose}:{times}"
            if key not in self.cache:
                self.cache[key] = self.draws.uniform(key)
            u = self.cache[key]
            out[at] = u[self.items[pos[at]]]
        return out

    def review(self, st: int, pos: np.ndarray, seq: int, look: str = "") -> np.ndarray:
        """One review of the items at ``pos``: a visit, and the reviewer's decision."""
        name = self.names[st]
        step = self.wf.steps[name]
        acc = self.s.pools[step.pool].accuracy  # type: ignore[index]
        svc = sample_handling(step_handling(self.s, self.name, step),
                              self.uniform(name, "time" + look, pos, st))
        violating = self.attrs["violating"][self.items[pos]]
        wrong = self.uniform(name, "error" + look, pos, st) < np.where(
            violating, acc.false_approve, acc.false_reject)
        self.visit(pos, st, self.pool_index[step.pool], svc, seq)  # type: ignore[index]
        self.last_review[pos] = st
        return violating ^ wrong

    def visit(self, pos: np.ndarray, st: int, pool: int, svc: np.ndarray, seq: int) -> None:
        """Record a visit of the items at ``pos`` to step ``st`` in ``pool``."""
        prio = self.wf.steps[self.names[st]].priority
        self.visits.append((pos, np.full(len(pos), st, np.int16), np.full(len(pos), pool,
                            np.int16), svc, np.full(len(pos), seq, np.int32),
                            np.full(len(pos), float(prio))))

    def at_step(self, st: int, pos: np.ndarray, seq: int) -> np.ndarray:
        """Handle the items at step ``st``; their next step (-1: done)."""
        name = self.names[st]
        step = self.wf.steps[name]
        nxt = np.full(len(pos), -2, np.int64)
        if step.kind == "review":
            self.decision[pos] = self.review(st, pos, seq)
        elif step.kind == "dual_review":
            first = self.review(st, pos, seq)
            second = self.review(st, pos, seq + 1, "2")
            agree = first == second
            self.decision[pos[agree]] = first[agree]
            nxt[~agree] = self.index[step.tie_break]  # type: ignore[index]
        elif step.kind == "wait":
            delay = sample_delay_s(step.wait, self.uniform(name, "time", pos, st))  # type: ignore[arg-type]
            if step.timeout_hours is not None:
                self.timed_out[pos] = delay > step.timeout_hours * 3600.0
                delay = np.minimum(delay, step.timeout_hours * 3600.0)
            self.visit(pos, st, self.wait_pool, delay, seq)
        elif step.decision is not None:  # system
            self.decision[pos] = int(step.decision == "reject")
        todo = nxt == -2
        nxt[todo] = self.route(st, pos[todo])
        self.been[st, pos] += 1
        return nxt

    def matches(self, when: When | None, pos: np.ndarray) -> np.ndarray:
        """Which items at ``pos`` meet a route group's condition."""
        ok = np.ones(len(pos), bool)
        if when is None:
            return ok
        item = self.items[pos]
        if when.decision is not None:
            ok &= self.decision[pos] == int(when.decision == "reject")
        if when.label is not None:
            codes = [self.attrs["label_names"].index(lab) for lab in when.labels()]
            ok &= np.isin(self.attrs["reason"][item], codes)
        if when.score is not None:
            score = self.attrs["score"][item]
            ok &= (score >= when.score[0]) & (score < when.score[1])
        if when.timed_out is not None:
            ok &= self.timed_out[pos] == when.timed_out
        return ok

    def route(self, st: int, pos: np.ndarray) -> np.ndarray:
        """The next step of each item at ``pos`` (-1: done): the first matching group, then
        one of its routes drawn by p."""
        name = self.names[st]
        step = self.wf.steps[name]
        nxt = np.full(len(pos), -2, np.int64)
        u = self.uniform(name, "route", pos, st)
        for when, idx in step.groups():
            take = (nxt == -2) & self.matches(when, pos)
            cum = np.cumsum([step.routes[i].p for i in idx])
            pick = np.minimum(np.searchsorted(cum / cum[-1], u[take], side="right"),
                              len(idx) - 1)
            targets = np.array([-1 if step.routes[i].to == DONE else self.index[step.routes[i].to]
                                for i in idx])
            nxt[take] = targets[pick]
        if (nxt == -2).any():  # validation makes this unreachable
            raise ScenarioError(f"workflows.{self.name}.steps.{name}.routes: "
                                f"{int((nxt == -2).sum())} items match no route")
        return nxt


def walk_workflow(s: Scenario, name: str, draws: Draws, human: np.ndarray,
                  item_attrs: dict[str, np.ndarray], pool_index: dict[str, int],
                  wait_pool: int) -> Walk:
    """Walk the workflow of item type ``name`` for the items ``human`` selects.

    ``item_attrs`` holds, per item of the type, ``violating``, ``reason`` (label
    code), ``score`` and ``label_names`` (the codes' names); ``pool_index`` maps
    pool names to the plan's pool numbers, ``wait_pool`` is the wait pseudo-pool.

    Raises
    ------
    ScenarioError
        When items still walk after :data:`MAX_PASSES` steps (a loop taken too often).
    """
    wf = s.workflows[name]
    items = np.nonzero(human)[0]
    w = _Walker(s, name, wf, draws, items, item_attrs, pool_index, wait_pool)
    at = np.full(len(items), w.index[wf.start], np.int64)
    active = np.arange(len(items))
    for seq in range(0, 2 * MAX_PASSES, 2):
        if not len(active):
            break
        here = at[active]
        nxt = np.empty(len(active), np.int64)
        for st in np.unique(here):
            sel = here == st
            nxt[sel] = w.at_step(int(st), active[sel], seq)
        at[active] = nxt
        active = active[nxt >= 0]
    if len(active):
        stuck = sorted({w.names[i] for i in at[active]})
        raise ScenarioError(f"workflows.{name}: {len(active)} items still in the workflow "
                            f"after {MAX_PASSES} steps (at {', '.join(stuck)}); expected loops "
                            "that items leave: lower the p of the routes that go back")
    cols = list(zip(*w.visits, strict=True)) if w.visits else [[np.empty(0)]] * 6
    pos, step, pool, svc, seq_, prio = (np.concatenate(c) for c in cols)
    reject = np.zeros(draws.n, bool)
    reject[items] = w.decision == 1
    # items no review decided (automatic, or a system decision) are QA'd and reworked as
    # the workflow's first review step would review them
    first = next((i for i, st in enumerate(wf.steps.values()) if st.pool), -1)
    last = np.full(draws.n, first, np.int16)
    last[items] = np.where(w.last_review >= 0, w.last_review, first)
    return Walk(item=items[pos.astype(np.int64)], step=step.astype(np.int16),
                pool=pool.astype(np.int16), svc=svc, seq=seq_.astype(np.int32),
                priority=prio, reject=reject, last_review=last)
