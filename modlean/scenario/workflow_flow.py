"""The expected work of a workflow, without simulating: visits per step, the reject share.

The staffing arithmetic (:mod:`modlean.decisions.headcount`) needs, per step, how
many visits an item entering the workflow makes on average. The items entering
are split into the classes routes can tell apart (violating or clean, label,
score band), each class's probability mass is pushed along the routes (a review
decides with its pool's error rates, a dual review agrees or goes to its
tie-break, a wait times out with its delay's tail) until it reaches ``done``,
and the classes are added up by their shares.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from modlean.scenario.schema import ItemType, Scenario
from modlean.scenario.workflow import DONE, MAX_PASSES, Delay, Step, Workflow

__all__ = ["Flow", "timeout_share", "workflow_flow"]

@dataclass
class Flow:
    """Per item entering a workflow: expected visits per step (a dual review's two looks
    count 2, a system step 0) and the share rejected when it reaches ``done``."""

    visits: dict[str, float] = field(default_factory=dict)
    reject: float = 0.0


def timeout_share(delay: Delay, hours: float) -> float:
    """P(delay > hours): the share of waits a timeout of ``hours`` cuts."""
    if delay.dist == "empirical":
        return sum(v > hours for v in delay.values) / len(delay.values)
    if delay.dist == "exponential":
        return math.exp(-hours / delay.mean_hours)
    if delay.dist == "constant" or delay.cv == 0:
        return float(delay.mean_hours > hours)
    sigma = math.sqrt(math.log1p(delay.cv ** 2))
    z = (math.log(hours) - (math.log(delay.mean_hours) - sigma ** 2 / 2)) / sigma
    return 0.5 * math.erfc(z / math.sqrt(2))


def _classes(item: ItemType, wf: Workflow) -> list[tuple[float, bool, str | None, float]]:
    """(share, violating, label, a score in the band) of the items entering the workflow."""
    model = item.model
    edges = sorted({e for st in wf.steps.values() for r in st.routes
                    if r.when and r.when.score for e in r.when.score})
    bands: dict[bool, list[tuple[float, float]]] = {}
    violating = item.prevalence
    if model.enabled and model.t_low < model.t_high:
        from scipy.stats import beta  # deferred: scipy.stats takes ~0.8 s to import

        rates = model.rates(item.prevalence)
        violating = rates["human_violating_share"]
        cuts = sorted({model.t_low, model.t_high, *(e for e in edges
                                                    if model.t_low < e < model.t_high)})
        for v, dist in ((True, model.violating), (False, model.clean)):
            cdf = [float(beta.cdf(c, dist.a, dist.b)) for c in cuts]
            inside = cdf[-1] - cdf[0]
            bands[v] = [((hi - lo) / inside if inside > 0 else 1.0 / (len(cuts) - 1),
                         (a + b) / 2) for lo, hi, a, b in zip(cdf, cdf[1:], cuts, cuts[1:],
                                                               strict=False)]
    else:  # no scores: items never match a score band
        bands = {True: [(1.0, math.nan)], False: [(1.0, math.nan)]}
    weights = item.labels or {None: 1.0}
    total = sum(weights.values())
    return [(share * w / total * band_share, v, label, score)
            for v, share in ((True, violating), (False, 1 - violating))
            for label, w in weights.items() for band_share, score in bands[v]]


def _next(step: Step, decision: int, label: str | None, score: float, timed: bool
          ) -> list[tuple[str, float]]:
    """The targets of the first group that matches, with their p."""
    for when, idx in step.groups():
        ok = when is None or (
            (when.decision is None or decision == int(when.decision == "reject"))
            and (when.label is None or label in when.labels())
            and (when.score is None or when.score[0] <= score < when.score[1])
            and (when.timed_out is None or timed == when.timed_out))
        if ok:
            return [(step.routes[i].to, step.routes[i].p) for i in idx]
    return []  # validation makes this unreachable


def _outcomes(s: Scenario, step: Step, violating: bool, decision: int
              ) -> list[tuple[float, int, bool, str | None]]:
    """(p, decision, timed out, forced next step) of one pass through ``step``."""
    if step.kind in ("review", "dual_review"):
        acc = s.pools[step.pool].accuracy  # type: ignore[index]
        pr = 1 - acc.false_approve if violating else acc.false_reject
        if step.kind == "review":
            return [(pr, 1, False, None), (1 - pr, 0, False, None)]
        return [(pr * pr, 1, False, None), ((1 - pr) ** 2, 0, False, None),
                (2 * pr * (1 - pr), decision, False, step.tie_break)]
    if step.kind == "wait" and step.timeout_hours is not None:
        pt = timeout_share(step.wait, step.timeout_hours)  # type: ignore[arg-type]
        return [(pt, decision, True, None), (1 - pt, decision, False, None)]
    if step.decision is not None:
        return [(1.0, int(step.decision == "reject"), False, None)]
    return [(1.0, decision, False, None)]


def workflow_flow(s: Scenario, name: str) -> Flow:
    """The expected visits per step and the reject share of item type ``name``'s workflow."""
    wf = s.workflows[name]
    flow = Flow(visits=dict.fromkeys(wf.steps, 0.0))
    looks = {"review": 1, "dual_review": 2, "wait": 1, "system": 0}
    for share, violating, label, score in _classes(s.item_types[name], wf):
        mass: dict[tuple[str, int, bool], float] = {(wf.start, -1, False): share}
        for _ in range(MAX_PASSES):
            nxt: dict[tuple[str, int, bool], float] = defaultdict(float)
            for (at, decision, _timed), m in mass.items():
                step = wf.steps[at]
                flow.visits[at] += m * looks[step.kind]
                for p, dec, timed, forced in _outcomes(s, step, violating, decision):
                    targets = [(forced, 1.0)] if forced else _next(step, dec, label, score,
                                                                   timed)
                    for to, q in targets:
                        if to == DONE:
                            flow.reject += m * p * q * (dec == 1)
                        else:
                            nxt[(to, dec, timed)] += m * p * q
            mass = nxt
            if sum(mass.values()) < 1e-12:
                break
    return flow
