"""A workflow discovered from a log in any vocabulary: steps, routes, pools and waits.

:func:`discover_workflow` reads, per item type, the graph a log's cases walk and
writes it as a scenario workflow (:class:`~modlean.scenario.Workflow`) whose steps log
the log's own activity names:

* **steps**: one per activity. An activity people do (at least half of its events
  name a person) is a ``review`` step in a pool; an activity done by nobody, the
  model or the system is a ``wait`` step that logs the activity at the end of its
  delay.
* **pools**: the log's ``pool`` (queue) column when it has one; otherwise the
  resources grouped by the activities they perform (a resource's *main*
  activities: those making at least 10 % of its events; an activity's pool is the
  group doing most of its events; activities of one group share its pool).
* **routes** from the directly-follows relation per case (a self-loop is a route
  back to the step, so repeats keep their mean count), with ``done`` after the end
  activities; a ``start`` system step routes to the start activities. Routes are
  conditioned on the case's ``label`` or ``decision`` only where the next step
  depends on it significantly: a chi-square test of independence on the table of
  attribute value x next step, at 1 % with a Bonferroni correction over the steps
  tested; labels with fewer than :data:`MIN_GROUP` transitions share the last group.
* **external waits**: the time from a case's previous completion to an activity's
  completion, less its handling (nothing for an activity nobody does), is a delay no
  resource's busy time explains when its median on an edge exceeds both 15 minutes
  and twice the step's mean handling, unless the edge's tasks waited for busy or
  absent seats: when most of them have a logged start and the median time they
  waited while a seat of their pool was free (``free_wait_h``,
  :func:`~modlean.decisions.queue_delays.free_seat_hours`) is within that bound, the
  wait is the pool's queue, which the simulation makes. Otherwise it becomes an
  unlogged ``wait`` step on that
  edge, resampled from the observed delays (an empirical distribution of up to
  :data:`WAIT_QUANTILES` quantiles). Edges seen fewer than :data:`MIN_CASES` times
  take the pooled delays into their activity.
* **thin steps**: a step seen in fewer than :data:`MIN_CASES` cases is named in the
  assumptions.
* **what the scenario simulates around it** (:func:`workflow_events`): for an item type
  whose model is read from its scores, the workflow starts after the model's routing (the
  model's events and those before them are left out, and so are the cases it decided);
  QA checks and appeals, when the scenario's QA and appeals simulate them, are no steps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import chi2_contingency

from modlean._util import ascii_fold, count_text
from modlean.decisions.assumptions import Assumptions
from modlean.decisions.review_roles import activity_kinds
from modlean.errors import ParameterError
from modlean.scenario import DONE, MAX_HOURS

__all__ = ["ALPHA", "MIN_CASES", "MIN_GROUP", "WAIT_QUANTILES", "Discovery", "assign_pools",
           "discover_workflow", "discovered_workflows", "empirical_delay", "slug",
           "workflow_events"]

#: Significance level of the route-conditioning test (before the Bonferroni correction).
ALPHA = 0.01
#: Fewer cases than this make a step or an edge thin.
MIN_CASES = 5
#: Fewer transitions than this give a label no route group of its own.
MIN_GROUP = 30
#: At most this many quantiles of the observed delays make an empirical wait.
WAIT_QUANTILES = 100
#: A delay below this (hours) is left to the queue: no wait step.
MIN_WAIT_H = 0.25
#: A resource's activities with at least this share of its events are its main ones.
MAIN_SHARE = 0.1
_START = "start"
_SEP = "\x1f"
_FIRST = "^"


@dataclass
class Discovery:
    """What :func:`discover_workflow` finds for one item type."""

    workflow: dict[str, Any]
    """the workflow as scenario data (``start``, ``steps``)."""
    routes: pd.DataFrame
    """per route: ``step``, ``to``, ``when``, ``p``, ``n`` (transitions behind it)."""
    waits: pd.DataFrame
    """per wait: ``step``, ``before`` (activity), ``after``, ``n``, ``mean_h``, ``median_h``."""
    labels: dict[str, float] = field(default_factory=dict)
    """the label shares the routes need (empty when none is conditioned on)."""


def slug(name: str, taken: set[str]) -> str:
    """A scenario name for ``name`` (letters, digits, _; accents folded), not in ``taken``
    (added to it)."""
    base = re.sub(r"[^a-z0-9]+", "_", ascii_fold(name).lower()).strip("_")[:40] or "step"
    out, k = base, 2
    while out in taken or out in (DONE, _START):
        out, k = f"{base}_{k}", k + 1
    taken.add(out)
    return out


def assign_pools(df: pd.DataFrame, human: pd.Series) -> pd.Series:
    """The pool of each activity people do: the log's queue column (``queue_pool``) when it
    has one, else its resources' group (see the module notes). Indexed by activity."""
    work = df[human]
    if work["queue_pool"].notna().any():
        named = work.dropna(subset=["queue_pool"])
        return named.groupby("activity")["queue_pool"].agg(lambda s: s.mode().iloc[0])
    counts = work.groupby(["resource", "activity"]).size()
    share = counts / counts.groupby(level="resource").transform("sum")
    main = share[share >= MAIN_SHARE].reset_index().groupby("resource")["activity"] \
        .agg(lambda a: "\x1f".join(sorted(a)))
    events = work.assign(group=work["resource"].map(main))
    by = events.groupby(["activity", "group"]).size().reset_index(name="n") \
        .sort_values(["activity", "n"], ascending=[True, False], kind="stable") \
        .drop_duplicates("activity").set_index("activity")["group"]
    size = work["activity"].value_counts()
    taken: set[str] = set()
    names = {}
    for group in by.unique():  # a group's pool is named after its busiest activity
        acts = by.index[by == group]
        names[group] = "pool_" + slug(size.reindex(acts).idxmax(), taken)
    return by.map(names)


def workflow_events(df: pd.DataFrame, model_events: pd.Series, screened: set[str],
                    leave_out: set[str]) -> np.ndarray:
    """Which of ``df``'s events (sorted by case and time) a discovered workflow is read from.

    For cases of the item types in ``screened`` (whose model the scenario keeps), only the
    events after the case's last model event (``model_events``): the workflow starts after
    the model's routing. Events of the kinds in ``leave_out`` (``qa``, ``appeal``:
    :func:`~modlean.decisions.review_roles.activity_kinds`) are left out too, since the
    scenario's QA and appeals simulate them.
    """
    case = df["case_id"].iloc[::-1]
    flag = (model_events & df["item_type"].isin(screened)).astype(np.int8).iloc[::-1]
    up_to_model = flag.groupby(case.to_numpy(), sort=False).cummax().iloc[::-1] > 0
    kind = activity_kinds(df["activity"])
    return (~up_to_model & ~kind.isin(leave_out)).to_numpy()


def discover_workflow(df: pd.DataFrame, facts: pd.DataFrame, labels: pd.Series,
                      step_handling: pd.Series, pool_of: pd.Series, human: pd.Series,
                      item_type: str, assume: Assumptions,
                      history: int | str = "set") -> Discovery:
    """The workflow of ``item_type`` from its events (see the module notes).

    ``df`` has ``case_id``, ``activity``, ``timestamp``, ``handling_s`` and
    ``item_type``, sorted by case and time; ``facts`` per case ``decision``;
    ``labels`` per case (missing: none); ``step_handling`` the mean handling
    seconds per activity; ``pool_of`` the pool per activity people do; ``human``
    which events name a person. ``history`` 1: a step per activity, its routes depend on
    it alone; 2: a step per activity and predecessor (the routes depend on the last two
    activities; a step with fewer than :data:`MIN_GROUP` transitions takes its activity's).
    """
    if history not in (1, 2, "set"):
        raise ParameterError(f"history: found {history!r}; expected 1 (a step per activity), "
                             "2 (per activity and predecessor) or 'set' (per activity and the "
                             "activities done so far)")
    mine = df["item_type"].eq(item_type).to_numpy()
    ev = df[mine]
    case = ev["case_id"].to_numpy()
    act = ev["activity"].to_numpy(dtype=object)
    last = np.r_[case[1:] != case[:-1], True]
    first = np.r_[True, case[1:] != case[:-1]]
    prev = np.where(first, _FIRST, np.roll(act, 1))
    state = _states(case, act, prev, first, history)
    nxt_state = np.where(last, DONE, np.roll(state, -1))
    trans = pd.DataFrame({"case": case, "src": state, "dst": nxt_state, "act": act,
                          "next": np.where(last, DONE, np.roll(act, -1))})
    out_n = trans["src"].value_counts()
    # steps: one per activity (the fallback), and with history one per frequent state
    kept = [] if history == 1 else list(out_n.index[out_n >= MIN_GROUP])
    taken: set[str] = set()
    acts = pd.Series(act).value_counts().index
    activity_of = dict(zip(state, act, strict=True))
    names: dict[str, str] = {}
    for st in kept:  # an activity's commonest state takes its name, the others a number
        a = activity_of[st]
        names[st] = slug(a if slug(a, set()) not in taken else f"{a} s{len(names) + 1}", taken)
    for a in acts:  # the fallback steps: plain names without history, else "<activity> any"
        names[a] = slug(a if history == 1 else f"{a} any", taken)
    kept_set = set(kept)
    people = pd.Series(human.to_numpy()[mine]).groupby(act).mean()
    kinds = {a: "review" if people.get(a, 0) >= 0.5 else "wait" for a in acts}
    gap_h = (ev["timestamp"].diff().dt.total_seconds() / 3600).to_numpy(float, copy=True)
    gap_h[first] = np.nan
    hand_h = np.array([step_handling.get(a, 0.0) / 3600 if kinds[a] == "review" else 0.0
                       for a in acts])
    hand_of = pd.Series(hand_h, index=acts)
    remainder = np.maximum(gap_h - hand_of.reindex(act).to_numpy(), 0.0)
    free = ev["free_wait_h"].to_numpy(float) if "free_wait_h" in ev else np.full(len(ev), np.nan)
    edges = pd.DataFrame({"src": prev, "dst": act, "r": remainder, "free": free})[~first]
    waits = _edge_waits(edges, {a: str(a) for a in acts}, hand_of, taken)
    steps: dict[str, Any] = {}
    for key in [*acts, *kept]:
        a = activity_of.get(key, key)
        if kinds[a] == "review":
            steps[names[key]] = {"kind": "review", "pool": pool_of[a], "activity": a,
                                 "queued_activity": False}
        else:  # done by nobody: logged at the end of its (tiny) delay
            steps[names[key]] = {"kind": "wait", "activity": a,
                                 "wait": {"dist": "constant", "mean_hours": 1 / 3600}}
    wait_steps: dict[tuple[str, str], str] = {}
    wait_rows: list[dict[str, Any]] = []

    def target(src_act: str, dst_key: str) -> str:
        """The step a route from activity ``src_act`` to a state (or activity) goes to: its
        own, or the external wait before it (one wait step per edge and step)."""
        if dst_key == DONE:
            return DONE
        dst_act = activity_of.get(dst_key, dst_key)
        w = waits.get((src_act, dst_act))
        if w is None:
            return names[dst_key]
        if (w["name"], names[dst_key]) not in wait_steps:
            name = w["name"] if w["name"] not in steps else slug(
                f"wait_before_{names[dst_key]}", taken)
            wait_steps[w["name"], names[dst_key]] = name
            wait_rows.append({"step": name, **w["row"]})
            steps[name] = {"kind": "wait", "activity": False, "wait": w["wait"],
                           "routes": [{"to": names[dst_key]}]}
        return wait_steps[w["name"], names[dst_key]]

    route_rows: list[dict[str, Any]] = []
    thin: dict[str, int] = {}  # cases behind each step's routes
    tested = max(len(acts) + len(kept), 1)
    by_label = False
    trans["dst"] = trans["dst"].where(trans["dst"].isin(kept_set), trans["next"])
    by_state = dict(tuple(trans[trans["src"].isin(kept_set)].groupby("src", sort=False)))
    by_act = dict(tuple(trans.assign(dst=trans["next"]).groupby("act", sort=False)))
    for key in [*kept, *acts]:
        a = activity_of.get(key, key)
        # a frequent state: its own transitions, to states kept or activities; an activity:
        # all its transitions, to activities
        out = by_state[key] if key in kept_set else by_act[a]
        groups = _groups(out, facts, labels, kinds[a] == "review", ALPHA / tested)
        routes = []
        for when, part in groups:
            counts = part["dst"].value_counts()
            for dst, n in counts.items():
                route = {"to": target(a, dst), "p": float(n / counts.sum())}
                if when:
                    route["when"] = when
                routes.append(route)
                route_rows.append({"step": names[key], "to": route["to"], "when": when or {},
                                   "p": route["p"], "n": int(n)})
            by_label |= bool(when and "label" in when)
        steps[names[key]]["routes"] = routes
        thin[names[key]] = out["case"].nunique()
    firsts = pd.Series([st if st in kept_set else a for st, a in
                        zip(state[first], act[first], strict=True)]).value_counts()
    steps[_START] = {"kind": "system", "decision": "approve", "routes": [
        {"to": names[k], "p": float(n / firsts.sum())} for k, n in firsts.items()]}
    route_rows += [{"step": _START, "to": names[k], "when": {}, "p": float(n / firsts.sum()),
                    "n": int(n)} for k, n in firsts.items()]
    _prune(steps)
    for name, seen in thin.items():
        if name in steps and seen < MIN_CASES:
            assume.add(f"workflows.{item_type}.steps.{name}", f"seen in only {seen} "
                       f"case(s) (fewer than {MIN_CASES}): its routes and times rest on them")
    wait_rows = [r for r in wait_rows if r["step"] in steps]
    route_rows = [r for r in route_rows if r["step"] in steps]
    label_shares = {}
    if by_label:
        per_case = labels.reindex(pd.unique(case)).fillna("unlabelled").astype(str)
        label_shares = {str(k): float(v) for k, v in per_case.value_counts(normalize=True)
                        .items()}
    return Discovery(workflow={"start": _START, "steps": steps},
                     routes=pd.DataFrame(route_rows, columns=["step", "to", "when", "p", "n"]),
                     waits=pd.DataFrame(wait_rows, columns=["step", "before", "after", "n",
                                                            "mean_h", "median_h"]),
                     labels=label_shares)


def _states(case: np.ndarray, act: np.ndarray, prev: np.ndarray, first: np.ndarray,
            history: int | str) -> np.ndarray:
    """Each event's state: its activity (history 1), with its predecessor (2), or with the
    set of activities its case has done so far ("set": concurrent branches in any order)."""
    if history == 1:
        return act
    if history == 2:
        return prev + _SEP + act
    codes, uniques = pd.factorize(pd.Series(act))
    done = np.zeros(len(act), dtype=object)
    done[:] = ""
    starts = np.cumsum(first) - 1  # the case number of each event
    for k in range(len(uniques)):  # per activity, not per event: seen so far in its case
        hit = (codes == k).astype(np.int64)
        seen = (np.cumsum(hit) - np.cumsum(hit)[np.flatnonzero(first)][starts] + hit[
            np.flatnonzero(first)][starts]) > 0
        done = np.where(seen, done + f"{k},", done)
    return act + _SEP + done


def _prune(steps: dict[str, Any]) -> None:
    """Drop the steps no route from the start reaches (fallback steps a log never needs)."""
    seen, todo = set(), ["start"]
    while todo:
        name = todo.pop()
        if name in seen or name == DONE:
            continue
        seen.add(name)
        todo += [r["to"] for r in steps[name]["routes"]]
    for name in [n for n in steps if n not in seen]:
        del steps[name]


def _queued(free_h: np.ndarray, least: float) -> bool:
    """Whether an edge's tasks waited for busy or absent seats: most of them timed (their
    start logged, their pool's seats known) and their median wait while a seat was free
    at most ``least`` hours. The simulated queue makes such a wait."""
    known = free_h[~np.isnan(free_h)]
    return len(known) > len(free_h) / 2 and float(np.median(known)) <= least


def _edge_waits(edges: pd.DataFrame, names: dict[str, str], hand_h: pd.Series,
                taken: set[str]) -> dict[tuple[str, str], dict[str, Any]]:
    """The external waits per edge (src, dst): a wait step's name, its delay and its row
    of the waits table (``before``, ``after``, ``n``, ``mean_h``, ``median_h``)."""
    pooled = edges.groupby("dst")["r"]
    pooled_median = pooled.median()
    waits: dict[tuple[str, str], dict[str, Any]] = {}
    for (src, dst), g in edges.groupby(["src", "dst"], sort=True):
        r = g["r"].to_numpy()
        thin = len(r) < MIN_CASES
        median = float(pooled_median[dst] if thin else np.median(r))
        least = max(MIN_WAIT_H, 2 * hand_h[dst])
        if median <= least or _queued(g["free"].to_numpy(), least):
            continue
        values = pooled.get_group(dst).to_numpy() if thin else r
        name = slug(f"wait_{names[dst]}_after_{names[src]}", taken)
        waits[(src, dst)] = {"name": name, "wait": empirical_delay(values), "row": {
            "before": dst, "after": src, "n": len(r), "mean_h": float(values.mean()),
            "median_h": median}}
    return waits


def empirical_delay(hours: np.ndarray) -> dict[str, Any]:
    """An empirical delay from observed hours: up to :data:`WAIT_QUANTILES` quantiles, each
    at least a second and at most the scenario's bound."""
    x = np.asarray(hours, float)
    x = x[np.isfinite(x)]
    if len(x) > WAIT_QUANTILES:
        x = np.quantile(x, (np.arange(WAIT_QUANTILES) + 0.5) / WAIT_QUANTILES)
    x = np.clip(x, 1 / 3600, MAX_HOURS)
    return {"dist": "empirical", "values": [round(float(v), 6) for v in np.sort(x)]}


def _groups(out: pd.DataFrame, facts: pd.DataFrame, labels: pd.Series, decides: bool,
            alpha: float) -> list[tuple[dict[str, Any] | None, pd.DataFrame]]:
    """The route groups of one step's transitions: one per label (or decision) when the
    next step depends on it significantly, else one for all."""
    best: tuple[float, str, pd.Series] | None = None
    candidates = [("label", labels.reindex(out["case"]).to_numpy())]
    if decides and "decision" in facts:
        candidates.append(("decision", facts["decision"].reindex(out["case"]).to_numpy()))
    for attr, values in candidates:
        v = pd.Series(values, index=out.index, dtype=object)
        if attr == "label":
            v = v.fillna("unlabelled")
        table = pd.crosstab(v, out["dst"])
        if table.shape[0] < 2 or table.shape[1] < 2:
            continue
        p = float(chi2_contingency(table.to_numpy())[1])
        if p < alpha and (best is None or p < best[0]):
            best = (p, attr, v)
    if best is None:
        return [(None, out)]
    _, attr, v = best
    if attr == "decision":
        known = v.isin(["approve", "reject"])
        v = v.where(known, "approve")  # cases without a logged decision: with the approvals
        return [({"decision": d}, out[v == d]) for d in ("reject", "approve") if (v == d).any()]
    sizes = v.value_counts()
    own = [lab for lab in sizes.index if sizes[lab] >= MIN_GROUP and lab != "unlabelled"]
    if sum(sizes[lab] for lab in own) == len(v):  # the last group takes the rest
        own = own[:-1]
    groups: list[tuple[dict[str, Any] | None, pd.DataFrame]] = [
        ({"label": lab}, out[v == lab]) for lab in own]
    return [*groups, (None, out[~v.isin(own)])]


def discovered_workflows(df: pd.DataFrame, log: pd.DataFrame, handling: pd.DataFrame,
                         pool_of: pd.Series, human: pd.Series, item_types: dict[str, Any],
                         facts: pd.DataFrame, assume: Assumptions, history: int | str = "set",
                         screened: set[str] | frozenset[str] = frozenset()
                         ) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame]:
    """Every item type's workflow (:func:`discover_workflow`), each review step with its own
    handling from ``handling`` (per pool x item type x activity). ``item_types`` gets the
    label shares the routes need; its model stays for the item types in ``screened`` (the
    workflow starts after its routing: ``df`` holds the events after it,
    :func:`workflow_events`) and is switched off for the others (every case enters the
    workflow). An item type with no events left gets no workflow. Returns the workflows
    and the routes and waits tables (with ``item_type``)."""
    if "label" in log:
        label = log["label"].astype("string").str.strip().replace("", pd.NA)
        labels = label.groupby(log["case_id"].astype(str), sort=False).first()
        labels = labels.dropna().astype(str)
    else:
        labels = pd.Series(dtype=object)
    workflows: dict[str, Any] = {}
    routes, waits = [], []
    present = set(df["item_type"].unique())
    for t in [t for t in item_types if t in present]:
        fits = handling[handling["item_type"] == t].set_index("activity")
        found = discover_workflow(df, facts, labels, fits["mean_s"], pool_of, human, t,
                                  assume, history)
        for step in found.workflow["steps"].values():
            a = step.get("activity")
            if step["kind"] == "review" and a in fits.index:
                f = fits.loc[a]
                step["handling"] = {"dist": f["dist"], "mean_s": float(f["mean_s"]),
                                    "cv": float(f["cv"]) if f["dist"] == "lognormal" else 0.6}
        workflows[t] = found.workflow
        it = item_types[t]
        if t in screened:
            assume.add(f"workflows.{t}.start", "the workflow starts after the model's routing: "
                       "the cases the model decided alone never enter it")
        else:
            it["model"] = {**it.get("model", {}), "enabled": False}
            assume.add(f"item_types.{t}.model.enabled", "the log's own workflow is simulated: "
                       "every case enters it (no model thresholds read from logged scores)")
        if found.labels:
            it["labels"] = found.labels
            assume.add(f"item_types.{t}.labels", "the cases' label shares; routes by label "
                       "draw each item's label from them (cases without one: 'unlabelled')")
        depends = {1: "current activity", 2: "last two activities"}.get(
            history, "current activity and the activities done so far")  # type: ignore[call-overload]
        kinds = pd.Series([st["kind"] for st in found.workflow["steps"].values()])
        assume.add(f"workflows.{t}", f"discovered: the next step depends only on the {depends}"
                   " (and, where a chi-square test finds it at 1 %, on the label or "
                   "decision), so longer-range patterns of the cases are not kept",
                   shown=", ".join(count_text(int(n), f"{what} step") for what, n in (
                       ("review", kinds.eq("review").sum()), ("wait", kinds.eq("wait").sum())))
                   + f", {count_text(len(found.routes), 'route')} (the workflow and waits tables)")
        routes.append(found.routes.assign(item_type=t))
        waits.append(found.waits.assign(item_type=t))
    return workflows, pd.concat(routes, ignore_index=True), pd.concat(waits, ignore_index=True)
