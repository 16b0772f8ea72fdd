"""Conformance of the log to the SOP: which cases broke which rule, and where.

The SOP is a small reference model in YAML (see ``templates/sop/moderation.yaml``)
with six kinds of rule, each optional:

``start`` / ``end``
    the activities a case may start / end with;
``transitions``
    for each activity, the activities that may directly follow it;
``mandatory``
    activities every case must contain;
``forbidden``
    sequences that must never occur in this order within a case (other steps
    may sit between them; ``directly: true`` for back-to-back only);
``max_time``
    the longest allowed time from one activity's completion to the start of the
    next occurrence of another (e.g. escalation picked up within 4 h).

:func:`check_conformance` returns a per-case fitness and a deviations table naming the
rule each case broke, the event where it happened and why, in words plain
enough to paste into a BRD. Everything is vectorised over events; the loops
run over the SOP's rules only.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from modlean.errors import ScenarioError
from modlean.eventlog import MICROS_PER_SECOND, utc_index
from modlean.process.discovery import EventArrays, encode

__all__ = ["RULES", "SOP", "Conformance", "Forbidden", "MaxTime", "check_conformance", "load_sop",
           "token_replay"]

#: The rule kinds, in the order they are checked and reported.
RULES = ("start", "end", "transition", "mandatory", "forbidden", "max_time")
_UNITS = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Forbidden:
    """A sequence of activities that must not occur in this order in one case."""

    sequence: tuple[str, ...]
    directly: bool = False
    reason: str = ""


@dataclass(frozen=True)
class MaxTime:
    """At most ``seconds`` from ``source`` completing to the next ``target`` starting."""

    source: str
    target: str
    seconds: float
    reason: str = ""


@dataclass(frozen=True)
class SOP:
    """A reference model of the process (see the module docstring)."""

    name: str = "SOP"
    start: tuple[str, ...] | None = None
    end: tuple[str, ...] | None = None
    transitions: Mapping[str, tuple[str, ...]] | None = None
    mandatory: tuple[str, ...] = ()
    forbidden: tuple[Forbidden, ...] = ()
    max_time: tuple[MaxTime, ...] = ()
    description: str = ""
    source: str = field(default="", compare=False)

    def activities(self) -> set[str]:
        """Every activity the SOP names."""
        names = set(self.start or ()) | set(self.end or ()) | set(self.mandatory)
        for a, bs in (self.transitions or {}).items():
            names |= {a, *bs}
        for f in self.forbidden:
            names |= set(f.sequence)
        for m in self.max_time:
            names |= {m.source, m.target}
        return names


def _seconds(value: Any, where: str) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return float(value)
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(s|m|min|h|d)\s*", str(value))
    if not match:
        raise ScenarioError(f"{where}: found {value!r}; expected a duration such as 30m, "
                            "4h or 2d (or a number of seconds)")
    return float(match.group(1)) * _UNITS[match.group(2)]


def _names(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) and v
                                                       for v in value):
        raise ScenarioError(f"{where}: found {value!r}; expected a list of activity names")
    return tuple(value)


def _sop_from_dict(data: Any, source: str) -> SOP:
    at = f"{source}: " if source else ""
    if not isinstance(data, Mapping):
        raise ScenarioError(f"{at}found {type(data).__name__}; expected a mapping with "
                            f"the rules {', '.join(RULES)}")
    known = {"name", "description", "start", "end", "transitions", "mandatory", "forbidden",
             "max_time"}
    extra = sorted(set(data) - known)
    if extra:
        raise ScenarioError(f"{at}unknown field(s) {', '.join(map(str, extra))}; expected "
                            f"some of {', '.join(sorted(known))}")
    transitions = None
    if data.get("transitions") is not None:
        if not isinstance(data["transitions"], Mapping):
            raise ScenarioError(f"{at}transitions: expected a mapping activity -> list of "
                                "activities that may follow it")
        transitions = {str(k): _names(v or [], f"{at}transitions.{k}")
                       for k, v in data["transitions"].items()}
    forbidden = []
    for i, item in enumerate(data.get("forbidden") or []):
        where = f"{at}forbidden[{i}]"
        if isinstance(item, (list, tuple)):
            item = {"sequence": item}
        if not isinstance(item, Mapping) or "sequence" not in item:
            raise ScenarioError(f"{where}: found {item!r}; expected {{sequence: [a, b], "
                                "reason: ...}")
        seq = _names(item["sequence"], f"{where}.sequence")
        if len(seq) < 2:
            raise ScenarioError(f"{where}.sequence: found {list(seq)}; expected two or more "
                                "activities")
        forbidden.append(Forbidden(seq, bool(item.get("directly", False)),
                                   str(item.get("reason", ""))))
    limits = []
    for i, item in enumerate(data.get("max_time") or []):
        where = f"{at}max_time[{i}]"
        if not isinstance(item, Mapping) or not {"from", "to", "within"} <= set(item):
            raise ScenarioError(f"{where}: found {item!r}; expected {{from: a, to: b, "
                                "within: 4h}")
        limits.append(MaxTime(_names(item["from"], f"{where}.from")[0],
                              _names(item["to"], f"{where}.to")[0],
                              _seconds(item["within"], f"{where}.within"),
                              str(item.get("reason", ""))))
    return SOP(
        name=str(data.get("name") or "SOP"),
        description=str(data.get("description") or "").strip(),
        start=_names(data["start"], f"{at}start") if data.get("start") else None,
        end=_names(data["end"], f"{at}end") if data.get("end") else None,
        transitions=transitions,
        mandatory=_names(data.get("mandatory") or [], f"{at}mandatory"),
        forbidden=tuple(forbidden), max_time=tuple(limits), source=source,
    )


def load_sop(source: str | Path | Mapping[str, Any] | SOP) -> SOP:
    """Read an SOP from a YAML file (or a dict with the same fields).

    Raises
    ------
    ScenarioError
        When the file cannot be read or a field is not valid; the message names
        the file and the field path (``max_time[0].within``).
    """
    if isinstance(source, SOP):
        return source
    if isinstance(source, Mapping):
        return _sop_from_dict(source, "")
    import yaml

    path = Path(source)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise ScenarioError(f"{path}:{line} is not valid YAML "
                            f"({getattr(exc, 'problem', None) or exc})") from None
    return _sop_from_dict(data, str(path))


# --------------------------------------------------------------------------- checking


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


def check_conformance(log: pd.DataFrame | EventArrays, sop: str | Path | Mapping[str, Any] | SOP
          ) -> Conformance:
    """Check every case of the log against the SOP.

    Parameters
    ----------
    log:
        Canonical log (ordered by completion, see :mod:`modlean.process.discovery`).
    sop:
        An :class:`SOP`, a YAML file path or a dict with the same fields.

    Returns
    -------
    Conformance

    Examples
    --------
    >>> result = check(log, "templates/sop/moderation.yaml")   # doctest: +SKIP
    >>> result.rules                                             # doctest: +SKIP
    >>> result.deviations.head()                                 # doctest: +SKIP
    """
    sop = load_sop(sop)
    ev = encode(log)
    names = ev.activity_names
    code = {n: i for i, n in enumerate(names)}
    n, n_act = ev.n_events, len(names)
    act = ev.activity
    found = _Found()
    checks = np.zeros(ev.n_cases, dtype=np.int64)

    def codes_of(activities: tuple[str, ...]) -> np.ndarray:
        return np.array([code[a] for a in activities if a in code], dtype=np.int64)

    def allowed_text(allowed: tuple[str, ...]) -> str:
        return ", ".join(allowed) if allowed else "none"

    for rule, chosen in (("start", ev.first), ("end", ev.last)):
        allowed = getattr(sop, rule)
        if allowed is None:
            continue
        checks += 1
        bad = ~np.isin(act[chosen], codes_of(allowed))
        text = np.array([f"case {rule}s with {a}; the SOP allows {allowed_text(allowed)}"
                         for a in names], dtype=object)
        found.add(rule, f"{rule} activity in {allowed_text(allowed)}", chosen[bad],
                  np.flatnonzero(bad), text[act[chosen[bad]]])

    if sop.transitions is not None:
        ok = np.zeros((n_act, n_act), dtype=bool)
        for a, followers in sop.transitions.items():
            if a in code:
                ok[code[a], codes_of(followers)] = True
        pair = np.ones(max(n - 1, 0), dtype=bool)
        pair[ev.first[1:] - 1] = False  # pairs across two cases
        checks += ev.last - ev.first
        bad = pair & ~ok[act[:-1], act[1:]]
        at = np.flatnonzero(bad) + 1
        text = np.array([[f"{a} directly followed by {b}; after {a} the SOP allows "
                          f"{allowed_text(sop.transitions.get(a, ()))}"
                          for b in names] for a in names], dtype=object)
        found.add("transition", "only the listed transitions", at, ev.case[at],
                  text[act[at - 1], act[at]])

    for a in sop.mandatory:
        checks += 1
        present = np.zeros(ev.n_cases, dtype=bool)
        if a in code:
            present[ev.case[act == code[a]]] = True
        missing = np.flatnonzero(~present)
        found.add("mandatory", f"{a} is mandatory", ev.last[missing], missing,
                  f"{a} never happened in the case")

    for f in sop.forbidden:
        checks += 1
        label = " then ".join(f.sequence) + (" (directly)" if f.directly else "") + \
            (f": {f.reason}" if f.reason else "")
        if not all(a in code for a in f.sequence):
            none = np.zeros(0, np.int64)
            found.add("forbidden", label, none, none, "")
            continue
        seq = [code[a] for a in f.sequence]
        text = f"forbidden sequence {' -> '.join(f.sequence)}" + \
            (f" ({f.reason})" if f.reason else "")
        if f.directly:
            k = len(seq)
            hit = np.ones(max(n - k + 1, 0), dtype=bool)
            for j, s in enumerate(seq):
                hit &= act[j:n - k + 1 + j] == s
            hit &= ev.case[:n - k + 1] == ev.case[k - 1:]
            ends = np.flatnonzero(hit) + k - 1
            ends = ends[np.unique(ev.case[ends], return_index=True)[1]]  # once per case
        else:
            # earliest match of each step after the previous one, within the case
            p = _next_index(act == seq[0])[ev.first]
            for s in seq[1:]:
                nxt = _next_index(act == s)
                p = np.where(p < n, nxt[np.minimum(p + 1, n)], n)
            p = np.where(p <= ev.last, p, n)
            ends = p[p < n]
        found.add("forbidden", label, ends, ev.case[ends], text)

    for m in sop.max_time:
        label = f"{m.target} within {_fmt(m.seconds)} of {m.source}" + \
            (f": {m.reason}" if m.reason else "")
        if m.source not in code or m.target not in code:
            none = np.zeros(0, np.int64)
            found.add("max_time", label, none, none, "")  # kept in the summary
            continue
        src = np.flatnonzero(act == code[m.source])
        nxt = _next_index(act == code[m.target])[src + 1]
        valid = nxt <= ev.last[ev.case[src]]
        src, nxt = src[valid], nxt[valid]
        np.add.at(checks, ev.case[src], 1)
        gap = (ev.start[nxt] - ev.time[src]) / MICROS_PER_SECOND
        late = gap > m.seconds
        text = np.array([f"{m.target} came {_fmt(g)} after {m.source}; the SOP allows "
                         f"{_fmt(m.seconds)}" + (f" ({m.reason})" if m.reason else "")
                         for g in gap[late]], dtype=object)
        found.add("max_time", label, nxt[late], ev.case[nxt[late]], text)

    return _result(sop, ev, found, checks)


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


def token_replay(log: pd.DataFrame | EventArrays, sop: str | Path | Mapping[str, Any] | SOP
                 ) -> pd.DataFrame:
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
    try:
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
