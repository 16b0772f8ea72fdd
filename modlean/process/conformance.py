"""Conformance of the log to the SOP: which cases broke which rule, and where.

:func:`check_conformance` returns a per-case fitness and a deviations table naming the
rule each case broke, the event where it happened and why, in words plain
enough to paste into a BRD. Each kind of rule of the SOP (:mod:`modlean.process.sop`)
is one checker in the registry :data:`CHECKERS`, keyed by the SOP field that
holds it; a new kind of rule is a new entry rather than a new branch.
Everything is vectorised over events; the loops run over the SOP's rules only.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from modlean.errors import ScenarioError
from modlean.eventlog import MICROS_PER_SECOND, EventArrays, encode, utc_index
from modlean.process.sop import SOP, SopSource, load_sop
from modlean.process.stats import MiningWarning

__all__ = ["CHECKERS", "Checker", "Conformance", "RuleContext", "check_conformance",
           "token_replay"]


@dataclass
class Conformance:
    """The result of :func:`check_conformance`.

    ``cases``: one row per case (index ``case_id``) with ``checks``,
    ``deviations``, ``fitness`` (1 − deviations ÷ checks) and ``conforming``.
    ``deviations``: one row per broken rule: ``case_id``, ``rule``, ``position``
    (1-based event number in the case), ``activity``, ``timestamp`` and ``detail``.
    ``rules``: per rule, the cases that broke it and their share.
    """

    sop: SOP
    cases: pd.DataFrame
    deviations: pd.DataFrame
    rules: pd.DataFrame

    @property
    def fitness(self) -> float:
        """Mean fitness over cases."""
        return float(self.cases["fitness"].mean())

    @property
    def conforming_share(self) -> float:
        """Share of cases with no deviation."""
        return float(self.cases["conforming"].mean())


@dataclass
class _Found:
    rule: list[str] = field(default_factory=list)
    label: list[str] = field(default_factory=list)
    events: list[np.ndarray] = field(default_factory=list)
    cases: list[np.ndarray] = field(default_factory=list)
    details: list[np.ndarray] = field(default_factory=list)

    def add(self, rule: str, label: str, events: np.ndarray, cases: np.ndarray,
            details: np.ndarray | str) -> None:
        self.rule.append(rule)
        self.label.append(label)
        self.events.append(events)
        self.cases.append(cases)
        self.details.append(np.broadcast_to(np.asarray(details, dtype=object), cases.shape))


@dataclass
class RuleContext:
    """What a rule checker works on: the encoded log, the deviations found so far and the
    number of checks made per case (the denominator of fitness)."""

    ev: EventArrays
    found: _Found = field(default_factory=_Found)
    checks: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.checks = np.zeros(self.ev.n_cases, dtype=np.int64)

    def add(self, rule: str, label: str, events: np.ndarray, cases: np.ndarray,
            details: np.ndarray | str) -> None:
        """Record the deviations of one rule (an empty selection still lists the rule)."""
        self.found.add(rule, label, events, cases, details)


#: A rule checker: reads its rules from the SOP, counts its checks and records deviations.
Checker = Callable[[SOP, RuleContext], None]


def _next_index(mask: np.ndarray) -> np.ndarray:
    """For each i, the smallest j >= i with mask[j] (len(mask) if none); one extra slot."""
    n = len(mask)
    idx = np.where(mask, np.arange(n), n)
    return np.concatenate((np.minimum.accumulate(idx[::-1])[::-1], [n]))


def _fmt(seconds: float) -> str:
    """A duration for people: ``2 d 3 h``, ``4 h 05 min``, ``12 min 30 s``, ``45 s``."""
    s = round(float(seconds))
    d, h, m, sec = s // 86400, s % 86400 // 3600, s % 3600 // 60, s % 60
    if d:
        return f"{d} d {h} h" if h else f"{d} d"
    if h:
        return f"{h} h {m:02d} min" if m else f"{h} h"
    if m:
        return f"{m} min {sec:02d} s" if sec else f"{m} min"
    return f"{sec} s"


def _allowed_text(allowed: tuple[str, ...]) -> str:
    return ", ".join(allowed) if allowed else "none"


# --------------------------------------------------------------------------- rule checkers


def _check_boundary(rule: str, chosen: np.ndarray, allowed: tuple[str, ...],
                    ctx: RuleContext) -> None:
    """The ``start`` or ``end`` rule: the event ``chosen`` in each case must be allowed."""
    ev = ctx.ev
    act = ev.activity
    ctx.checks += 1
    bad = ~np.isin(act[chosen], ev.codes_of(allowed))
    text = np.array([f"case {rule}s with {a}; the SOP allows {_allowed_text(allowed)}"
                     for a in ev.activity_names], dtype=object)
    ctx.add(rule, f"{rule} activity in {_allowed_text(allowed)}", chosen[bad],
            np.flatnonzero(bad), text[act[chosen[bad]]])


def check_start(sop: SOP, ctx: RuleContext) -> None:
    """``start``: each case starts with one of the listed activities."""
    _check_boundary("start", ctx.ev.first, sop.start or (), ctx)


def check_end(sop: SOP, ctx: RuleContext) -> None:
    """``end``: each case ends with one of the listed activities."""
    _check_boundary("end", ctx.ev.last, sop.end or (), ctx)


def check_transitions(sop: SOP, ctx: RuleContext) -> None:
    """``transitions``: each activity is directly followed only by its listed followers."""
    ev = ctx.ev
    transitions = sop.transitions or {}
    names, code, act = ev.activity_names, ev.activity_codes, ev.activity
    n, n_act = ev.n_events, len(names)
    ok = np.zeros((n_act, n_act), dtype=bool)
    for a, followers in transitions.items():
        if a in code:
            ok[code[a], ev.codes_of(followers)] = True
    pair = np.ones(max(n - 1, 0), dtype=bool)
    pair[ev.first[1:] - 1] = False  # pairs across two cases
    ctx.checks += ev.last - ev.first
    bad = pair & ~ok[act[:-1], act[1:]]
    at = np.flatnonzero(bad) + 1
    text = np.array([[f"{a} directly followed by {b}; after {a} the SOP allows "
                      f"{_allowed_text(transitions.get(a, ()))}"
                      for b in names] for a in names], dtype=object)
    ctx.add("transition", "only the listed transitions", at, ev.case[at],
            text[act[at - 1], act[at]])


def check_mandatory(sop: SOP, ctx: RuleContext) -> None:
    """``mandatory``: each listed activity happens in every case."""
    ev = ctx.ev
    code = ev.activity_codes
    for a in sop.mandatory:
        ctx.checks += 1
        present = np.zeros(ev.n_cases, dtype=bool)
        if a in code:
            present[ev.case[ev.activity == code[a]]] = True
        missing = np.flatnonzero(~present)
        ctx.add("mandatory", f"{a} is mandatory", ev.last[missing], missing,
                f"{a} never happened in the case")


def _sequence_ends(ev: EventArrays, seq: list[int], directly: bool) -> np.ndarray:
    """The event ending the first occurrence of ``seq`` (activity codes) in each case that has
    one: back to back when ``directly``, else with other steps allowed in between."""
    act, n = ev.activity, ev.n_events
    if directly:
        k = len(seq)
        hit = np.ones(max(n - k + 1, 0), dtype=bool)
        for j, s in enumerate(seq):
            hit &= act[j:n - k + 1 + j] == s
        hit &= ev.case[:n - k + 1] == ev.case[k - 1:]
        ends = np.flatnonzero(hit) + k - 1
        return ends[np.unique(ev.case[ends], return_index=True)[1]]  # once per case
    # earliest match of each step after the previous one, within the case
    p = _next_index(act == seq[0])[ev.first]
    for s in seq[1:]:
        nxt = _next_index(act == s)
        p = np.where(p < n, nxt[np.minimum(p + 1, n)], n)
    p = np.where(p <= ev.last, p, n)
    return p[p < n]


def check_forbidden(sop: SOP, ctx: RuleContext) -> None:
    """``forbidden``: no case contains one of the listed sequences."""
    ev = ctx.ev
    code = ev.activity_codes
    for f in sop.forbidden:
        ctx.checks += 1
        label = " then ".join(f.sequence) + (" (directly)" if f.directly else "") + \
            (f": {f.reason}" if f.reason else "")
        if not all(a in code for a in f.sequence):
            none = np.zeros(0, np.int64)
            ctx.add("forbidden", label, none, none, "")
            continue
        text = f"forbidden sequence {' -> '.join(f.sequence)}" + \
            (f" ({f.reason})" if f.reason else "")
        ends = _sequence_ends(ev, [code[a] for a in f.sequence], f.directly)
        ctx.add("forbidden", label, ends, ev.case[ends], text)


def check_max_time(sop: SOP, ctx: RuleContext) -> None:
    """``max_time``: the next ``to`` starts within the limit of each ``from`` completing."""
    ev = ctx.ev
    code, act = ev.activity_codes, ev.activity
    for m in sop.max_time:
        label = f"{m.target} within {_fmt(m.seconds)} of {m.source}" + \
            (f": {m.reason}" if m.reason else "")
        if m.source not in code or m.target not in code:
            none = np.zeros(0, np.int64)
            ctx.add("max_time", label, none, none, "")  # kept in the summary
            continue
        src = np.flatnonzero(act == code[m.source])
        nxt = _next_index(act == code[m.target])[src + 1]
        valid = nxt <= ev.last[ev.case[src]]
        src, nxt = src[valid], nxt[valid]
        np.add.at(ctx.checks, ev.case[src], 1)
        gap = (ev.start[nxt] - ev.time[src]) / MICROS_PER_SECOND
        late = gap > m.seconds
        text = np.array([f"{m.target} came {_fmt(g)} after {m.source}; the SOP allows "
                         f"{_fmt(m.seconds)}" + (f" ({m.reason})" if m.reason else "")
                         for g in gap[late]], dtype=object)
        ctx.add("max_time", label, nxt[late], ev.case[nxt[late]], text)


#: The checker of each kind of rule, keyed by the SOP field that holds it
#: (:data:`modlean.process.sop.RULE_FIELDS`), in the order they are checked and reported.
#: :func:`check_conformance` runs those whose field the SOP sets (not None).
CHECKERS: dict[str, Checker] = {
    "start": check_start,
    "end": check_end,
    "transitions": check_transitions,
    "mandatory": check_mandatory,
    "forbidden": check_forbidden,
    "max_time": check_max_time,
}


# --------------------------------------------------------------------------- checking


def check_conformance(log: pd.DataFrame | EventArrays, sop: SopSource) -> Conformance:
    """Check every case of the log against the SOP.

    Parameters
    ----------
    log:
        Canonical log (ordered by completion, see :mod:`modlean.eventlog.arrays`).
    sop:
        An :class:`~modlean.process.sop.SOP`, a YAML file path or a dict with the same fields.

    Returns
    -------
    Conformance

    Examples
    --------
    >>> result = check_conformance(log, "templates/sop/moderation.yaml")   # doctest: +SKIP
    >>> result.rules                                                         # doctest: +SKIP
    >>> result.deviations.head()                                             # doctest: +SKIP
    """
    sop = load_sop(sop)
    ctx = RuleContext(encode(log))
    _warn_foreign_vocabulary(sop, ctx.ev)
    for key, checker in CHECKERS.items():
        if getattr(sop, key) is not None:
            checker(sop, ctx)
    return _result(sop, ctx.ev, ctx.found, ctx.checks)


def _warn_foreign_vocabulary(sop: SOP, ev: EventArrays) -> None:
    """Warn when the SOP speaks of activities the log never records: most of the SOP's
    activities and most of the log's differ (another process's SOP, or the same one in
    other words), or a start, end or mandatory rule names only activities the log never
    records, so that every case breaks it.

    Every case would then deviate, which reads as a finding but is a mismatch of
    names (an export imported with its own stage names checked against the shipped SOP).
    """
    named = sop.activities()
    seen = set(ev.activity_codes)
    absent = sorted(named - seen)
    unnamed = seen - named
    unmet = [rule for rule, names in (("start", sop.start), ("end", sop.end))
             if names and not set(names) & seen]
    unmet += [f"mandatory {name}" for name in sop.mandatory if name not in seen]
    foreign = named and len(absent) > len(named) / 2 and len(unnamed) > len(seen) / 2
    if foreign or unmet:
        broken = f"; every case breaks its rules {', '.join(unmet)}" if unmet else ""
        warnings.warn(
            f"the SOP names {len(absent)} of its {len(named)} activities that never occur in "
            f"the log ({', '.join(absent[:6])}{' ...' if len(absent) > 6 else ''}){broken}; "
            f"the log's activities are {', '.join(sorted(seen)[:8])}"
            f"{' ...' if len(seen) > 8 else ''}. Is this the SOP of this process? Write the "
            "SOP in the log's activity names (the workbook's sop: for this market)",
            MiningWarning, stacklevel=3)


def _result(sop: SOP, ev: EventArrays, found: _Found, checks: np.ndarray) -> Conformance:
    if found.cases:
        events = np.concatenate(found.events).astype(np.int64)
        cases = np.concatenate(found.cases).astype(np.int64)
        details = np.concatenate([np.asarray(d, dtype=object) for d in found.details])
        rule_of = np.repeat(np.arange(len(found.rule)), [len(c) for c in found.cases])
    else:
        events = cases = rule_of = np.zeros(0, np.int64)
        details = np.zeros(0, object)
    deviations = pd.DataFrame({
        "case_id": ev.case_names.take(cases),
        "rule": np.asarray(found.rule, dtype=object)[rule_of] if len(rule_of) else [],
        "position": events - ev.first[cases] + 1,
        "activity": ev.activity_names[ev.activity[events]] if len(events) else [],
        "timestamp": utc_index(ev.time[events]),
        "detail": details,
    })
    order = np.lexsort((deviations["position"].to_numpy(), cases))
    deviations = deviations.iloc[order].reset_index(drop=True)
    count = np.bincount(cases, minlength=ev.n_cases)
    fitness = np.clip(1 - count / np.maximum(checks, 1), 0, 1)
    per_case = pd.DataFrame({"checks": checks, "deviations": count, "fitness": fitness,
                             "conforming": count == 0}, index=ev.case_names)
    rows = []
    for i, (rule, label) in enumerate(zip(found.rule, found.label, strict=True)):
        broken = np.unique(cases[rule_of == i]).size
        rows.append({"rule": rule, "description": label, "deviations": int((rule_of == i)
                                                                             .sum()),
                     "cases": broken, "share_of_cases": broken / ev.n_cases})
    rules = pd.DataFrame(rows, columns=["rule", "description", "deviations", "cases",
                                        "share_of_cases"])
    rules = rules.groupby(["rule", "description"], sort=False, as_index=False).sum()
    rules = rules.sort_values("cases", ascending=False, kind="stable", ignore_index=True)
    return Conformance(sop=sop, cases=per_case, deviations=deviations, rules=rules)


def token_replay(log: pd.DataFrame | EventArrays, sop: SopSource) -> pd.DataFrame:
    """pm4py token-based replay of each case on the SOP's control flow (optional extra).

    The SOP's ``start``, ``end`` and ``transitions`` become a Petri net (pm4py's
    DFG conversion); each case is replayed on it. Needs pm4py (``pip install
    'modlean[xes]'``). Returns per case (index ``case_id``): ``fitness``,
    ``is_fit``, ``missing_tokens`` and ``remaining_tokens``. :func:`check_conformance`
    remains the plain, rule-by-rule explanation; this is the textbook measure.
    """
    sop = load_sop(sop)
    if sop.transitions is None or sop.start is None or sop.end is None:
        raise ScenarioError("token replay needs the SOP's start, end and transitions")
    try:  # deferred: pm4py is an optional (AGPL) extra, needed only for token replay
        import pm4py
        from pm4py.objects.conversion.dfg import converter as dfg_converter
    except ImportError:
        raise ScenarioError("token replay needs pm4py: pip install 'modlean[xes]'") from None
    ev = encode(log)
    graph = {(a, b): 1 for a, followers in sop.transitions.items() for b in followers}
    net, initial, final = dfg_converter.apply(graph, parameters={
        "start_activities": dict.fromkeys(sop.start, 1),
        "end_activities": dict.fromkeys(sop.end, 1)})
    frame = pd.DataFrame({"case:concept:name": ev.case_names.take(ev.case).astype(str),
                          "concept:name": ev.activity_names[ev.activity],
                          "time:timestamp": utc_index(ev.time)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        traces = pm4py.convert_to_event_log(frame)
        results = pm4py.conformance_diagnostics_token_based_replay(traces, net, initial, final)
    return pd.DataFrame(
        {"fitness": [r["trace_fitness"] for r in results],
         "is_fit": [bool(r["trace_is_fit"]) for r in results],
         "missing_tokens": [int(r["missing_tokens"]) for r in results],
         "remaining_tokens": [int(r["remaining_tokens"]) for r in results]},
        index=pd.Index([t.attributes["concept:name"] for t in traces], name="case_id"),
    ).reindex(ev.case_names.astype(str))
