"""The SOP: a small reference model of the process in YAML, and how it is read.

See ``templates/sop/moderation.yaml``. Six kinds of rule, each optional:

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

:mod:`modlean.process.conformance` checks a log against it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modlean._util import describe, kind_of
from modlean.errors import ScenarioError
from modlean.yamlread import read_yaml_file

__all__ = ["RULES", "RULE_FIELDS", "SOP", "Forbidden", "MaxTime", "SopSource", "load_sop"]

#: The rule kinds, in the order they are checked and reported (the ``rule`` of a deviation).
RULES = ("start", "end", "transition", "mandatory", "forbidden", "max_time")
#: The SOP fields that hold rules, in the same order (``transitions`` holds ``transition``).
RULE_FIELDS = ("start", "end", "transitions", "mandatory", "forbidden", "max_time")
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
        raise ScenarioError(f"{where}: found {describe(value)}; expected a duration such as 30m, "
                            "4h or 2d (or a number of seconds)")
    return float(match.group(1)) * _UNITS[match.group(2)]


def _names(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) and v
                                                       for v in value):
        raise ScenarioError(f"{where}: found {describe(value)}; expected a list of activity names")
    return tuple(value)


def _sop_from_dict(data: Any, source: str) -> SOP:
    at = f"{source}: " if source else ""
    if not isinstance(data, Mapping):
        raise ScenarioError(f"{at}found {kind_of(data)}; expected a mapping with "
                            f"the rules {', '.join(RULES)}")
    known = {"name", "description", *RULE_FIELDS}
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
            raise ScenarioError(f"{where}: found {describe(item)}; expected {{sequence: [a, b], "
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
            raise ScenarioError(f"{where}: found {describe(item)}; expected {{from: a, to: b, "
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




#: What :func:`load_sop` reads: an SOP, a YAML file or a dict with the same fields.
SopSource = str | Path | Mapping[str, Any] | SOP


def load_sop(source: SopSource) -> SOP:
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
    path = Path(source)
    data = read_yaml_file(path, where=str(path), error=ScenarioError,
                          expected="an SOP model as YAML text")
    return _sop_from_dict(data, str(path))
