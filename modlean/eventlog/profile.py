"""The source profile: how a vendor export becomes the canonical log (a small YAML file).

:func:`load_profile` reads a profile from a YAML file or a mapping into a typed,
validated :class:`Profile`. Every problem is one :class:`~modlean.errors.LogError`
naming the profile, the key path, the value found and what was expected, with a
did-you-mean for unknown keys. The keys are documented in docs/intake.md and in
the shipped example ``templates/profiles/example.yaml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from modlean._util import kind_of, suggest, unknown_zone
from modlean.errors import LogError
from modlean.eventlog.columns import NOT_PEOPLE
from modlean.messages import error_lines
from modlean.yamlread import load_yaml, yaml_problem

__all__ = [
    "EVENT_KEYS",
    "CaseSpec",
    "DecisionSpec",
    "Locale",
    "Profile",
    "QASpec",
    "QueueSpec",
    "StatusSpec",
    "TaskSpec",
    "invalid_profile",
    "load_profile",
    "locale_problems",
    "qa_value_problems",
    "read_profile_file",
]

#: Canonical names an events-shaped profile's ``event:`` map may name (``case_id`` is ``case.id``).
EVENT_KEYS = ("activity", "timestamp", "start_timestamp", "resource", "lifecycle", "queue")
#: The activity of a status that stands for its row's queue's stage (with ``event.queue``).
QUEUE_STAGE = "review"
#: QA outcome words of the pass/fail shape.
PASS_FAIL = frozenset({"pass", "fail"})


class _Section(BaseModel):
    """Base of every profile section: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid")


class Locale(_Section):
    """How the export writes text, numbers and times."""

    sep: str | None = Field(None, description="field separator (default: sniffed)")
    decimal: Literal[".", ","] = Field(".", description="decimal mark of number columns")
    thousands: Literal[".", ",", " ", "'"] | None = Field(None, description="thousands mark")
    dayfirst: bool | None = Field(None, description="03/04 is 3 April (default: from the data)")
    timezone: str | None = Field(None, description="zone of times without an offset")
    encoding: str | None = Field(None, description="text encoding (default UTF-8)")

    @field_validator("sep")
    @classmethod
    def _one_character(cls, value: str | None) -> str | None:
        if value is not None and len(value) != 1:
            raise ValueError("one character such as ';', ',', '|' or a tab")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is None:
            return value
        expected = unknown_zone(value)
        if expected:
            raise ValueError(expected)
        return value


class CaseSpec(_Section):
    """The ticket key and the columns that point to a parent ticket."""

    id: str = Field(description="the ticket/task key column")
    links: list[str] = Field(default_factory=list, description="parent/appeal key columns")

    @field_validator("links", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class TaskSpec(_Section):
    """The columns of a tasks-shaped export (one row per task)."""

    queue: str = Field(description="the vendor's queue/stage column")
    closed: str = Field(description="when the task was closed (the stage event completes)")
    resource: str | None = Field(None, description="who worked the task")
    created: str | None = Field(None, description="when the task was created (queued event)")
    started: str | None = Field(None, description="when work started, or was assigned")
    started_means: Literal["started", "assigned"] = Field(
        "started", description="started: the real start; assigned: picked into a personal queue")


class QueueSpec(_Section):
    """What one vendor queue value means: a stage (activity name) and its pool."""

    stage: str = Field(description="the activity name of the queue's work")
    pool: str | None = Field(None, description="the reviewer pool (default: the stage)")
    automated: bool = Field(False, description="worked by a model or system that takes many "
                            "tasks at once: its starts are never moved (started_means)")


#: A status mapped to ``drop``: its rows are left out of the log (and counted).
DROP = "drop"


class StatusSpec(_Section):
    """What one vendor status means in a status history (``statuses:``).

    A status is an event of ``activity``: on its own (no ``lifecycle``), or the
    ``start`` or ``complete`` of a piece of work, paired by
    :func:`~modlean.eventlog.lifecycle.pair_lifecycle` into one event with a
    ``start_timestamp``.
    """

    activity: str = Field(description="the activity name of the status's event")
    lifecycle: Literal["start", "complete"] | None = Field(
        None, description="start: work on the activity starts; complete: it ends (empty: an "
        "event on its own)")


class DecisionSpec(_Section):
    """The verdict column and its value map (matched case-insensitively).

    A value mapped to null (YAML ``~``) is no verdict: its rows carry no decision
    (a status column that is the activity and the verdict at once)."""

    column: str
    values: dict[str, str | None] = Field(
        default_factory=dict, description="vendor value -> decision, or null for no "
        "verdict (empty: lower case)")


class QASpec(_Section):
    """QA columns of the export: each task row may carry a QA check."""

    verdict: str = Field(description="the QA outcome column")
    values: dict[str, str] = Field(description="vendor value -> pass/fail, or -> a decision")
    reason: str | None = Field(None, description="the fail reason (feeds the Pareto)")
    label: str | None = Field(None, description="QA's own label (verdict shape)")
    time: str | None = Field(None, description="when QA checked the task")
    reviewer: str | None = Field(None, description="who did the QA check")

    @property
    def pass_fail(self) -> bool:
        """True when the values map to pass/fail, False when they map to decisions."""
        return {v.strip().lower() for v in self.values.values()} <= PASS_FAIL


class Profile(_Section):
    """A validated source profile (the keys of intake_spec.md / docs/intake.md)."""

    shape: Literal["tasks", "events"]
    case: CaseSpec
    sheet: str | int | None = Field(None, description="the worksheet of an Excel export "
                                    "(its name, or its number from 0; default the first)")
    locale: Locale = Field(default_factory=Locale)
    task: TaskSpec | None = None
    event: dict[str, str] = Field(default_factory=dict)
    queues: dict[str, QueueSpec] = Field(default_factory=dict)
    statuses: dict[str, StatusSpec | None] = Field(
        default_factory=dict, description="shape events: each value of the activity column "
        "-> its activity and lifecycle, or drop; in the order ties are broken")
    decision: DecisionSpec | None = None
    label: str | None = None
    score: str | None = None
    attributes: dict[str, str] = Field(default_factory=dict)
    resources: dict[str, str] = Field(
        default_factory=dict, description="vendor login -> model, system or seller: who is "
        "no reviewer (the log names them so; every other login is a person)")
    qa: QASpec | None = None
    _source: str = PrivateAttr("profile")

    @field_validator("statuses", mode="before")
    @classmethod
    def _status_words(cls, value: Any) -> Any:
        """``drop`` leaves a status out; a plain name is an event of that activity."""
        if not isinstance(value, Mapping):
            return value
        out = {}
        for status, spec in value.items():
            if spec is None:
                raise ValueError(f"status {status!r} maps to nothing; expected an activity "
                                 "name, {activity: ..., lifecycle: start|complete} or drop")
            out[status] = (None if spec == DROP else {"activity": spec}) \
                if isinstance(spec, str) else spec
        return out

    @property
    def source(self) -> str:
        """Where the profile came from (its file, or ``profile`` for a mapping)."""
        return self._source

    def columns(self) -> dict[str, str]:
        """Every column the profile names: ``{key path: column}`` (``task.closed``: ``closed``)."""
        named: dict[str, str] = {"case.id": self.case.id}
        named.update({f"case.links[{i}]": c for i, c in enumerate(self.case.links)})
        for section in ("task", "decision", "qa"):
            spec = getattr(self, section)
            if spec is None:
                continue
            for key, value in spec.model_dump().items():
                if isinstance(value, str) and key not in {"started_means"}:
                    named[f"{section}.{key}"] = value
        named.update({f"event.{k}": v for k, v in self.event.items()})
        for key in ("label", "score"):
            if getattr(self, key):
                named[key] = getattr(self, key)
        named.update({f"attributes.{k}": v for k, v in self.attributes.items()})
        return named

    def time_columns(self) -> tuple[str, ...]:
        """The columns the profile reads as times (task and QA times, event times)."""
        keys = ("task.created", "task.started", "task.closed", "qa.time",
                "event.timestamp", "event.start_timestamp")
        named = self.columns()
        return tuple(dict.fromkeys(named[k] for k in keys if k in named))

    def id_columns(self) -> tuple[str, ...]:
        """The columns holding ticket keys: the case id and its parent links."""
        return tuple(dict.fromkeys([self.case.id, *self.case.links]))


def load_profile(source: str | Path | Mapping[str, Any] | Profile) -> Profile:
    """Read and validate a source profile from a YAML file or a mapping.

    Raises
    ------
    LogError
        When the file cannot be read or is not valid YAML, or a key is unknown
        (with a did-you-mean), missing or has a bad value; the message names the
        profile and the key path.
    """
    if isinstance(source, Profile):
        return source
    if isinstance(source, Mapping):
        return _from_dict(source, "profile")
    return _from_dict(read_profile_file(source, "templates/profiles/example.yaml"),
                      str(source))


def read_profile_file(source: str | Path, example: str) -> Any:
    """The YAML data of a profile file (a source profile, a QA file profile).

    Raises
    ------
    LogError
        A missing or unreadable file, or text that is not valid YAML (its line named);
        ``example`` is the shipped example the message points to.
    """
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LogError("no such profile file", source=str(path),
                       expected=f"a YAML profile (see {example})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LogError(f"the profile cannot be read ({exc})", source=str(path)) from None
    try:
        return load_yaml(text)
    except yaml.YAMLError as exc:
        line, problem = yaml_problem(exc)
        raise LogError(f"not valid YAML ({problem})", source=str(path), line=line,
                       expected="indented 'key: value' lines") from None


def _from_dict(data: Any, name: str) -> Profile:
    if not isinstance(data, Mapping):
        raise LogError(f"the profile is not a mapping of keys; found {kind_of(data)}",
                       source=name, expected="'shape: tasks' and the other keys")
    try:
        profile = Profile.model_validate(dict(data))
    except ValidationError as exc:
        raise _translate(exc, name) from None
    problems = _cross_checks(profile)
    if problems:
        raise invalid_profile(problems, name)
    profile._source = name
    return profile


def _cross_checks(p: Profile) -> list[str]:
    problems = []
    if p.shape == "tasks" and p.task is None:
        problems.append("task: missing; expected the task columns (queue, closed, ...) "
                        "for shape: tasks")
    if p.shape == "events" and p.task is not None:
        problems.append("task: only for shape: tasks; expected event: for shape: events")
    if p.shape == "tasks" and p.event:
        problems.append("event: only for shape: events; expected task: for shape: tasks")
    for login, name in p.resources.items():
        if name not in NOT_PEOPLE:
            problems.append(f"resources.{login}: found {name!r}; expected one of "
                            f"{', '.join(NOT_PEOPLE)} (who is no reviewer; leave people out)"
                            f"{suggest(str(name), list(NOT_PEOPLE))}")
    for key in p.event:
        if key not in EVENT_KEYS:
            problems.append(f"event.{key}: unknown canonical name{suggest(key, list(EVENT_KEYS))}"
                            f" (expected one of: {', '.join(EVENT_KEYS)})")
    problems += _status_checks(p)
    problems += locale_problems(p.locale)
    if p.qa is not None:
        problems += qa_value_problems(p.qa, "qa.values")
    return problems


def _status_checks(p: Profile) -> list[str]:
    """``statuses:`` needs an events shape, no ``queues:`` or ``event.lifecycle`` beside it,
    and a complete status for every activity that has a start status."""
    if not p.statuses:
        return []
    problems = []
    if p.shape != "events":
        problems.append("statuses: only for shape: events (a status history); expected "
                        "queues: for shape: tasks")
    if p.queues and "queue" not in p.event:
        problems.append("statuses: and queues: both map the activity column; expected one "
                        "of them (statuses: for a status history), or event.queue: the "
                        "column queues: maps")
    if "lifecycle" in p.event:
        problems.append("event.lifecycle: statuses: already says which status starts and "
                        "which completes the work; expected one of them")
    kinds: dict[str, set[str]] = {}  # a status with no lifecycle completes a started activity
    for spec in p.statuses.values():
        if spec is not None:
            kinds.setdefault(spec.activity, set()).add(spec.lifecycle or "complete")
    for activity, seen in kinds.items():
        if seen == {"start"}:
            starts = [s for s, v in p.statuses.items()
                      if v is not None and v.activity == activity and v.lifecycle == "start"]
            problems.append(f"statuses: activity {activity!r} has a start status "
                            f"({', '.join(map(repr, starts))}) but no complete status; expected "
                            "the status that ends the work with lifecycle: complete")
    return problems


def locale_problems(locale: Locale) -> list[str]:
    """What is wrong with a profile's ``locale:`` beyond its single keys: a thousands mark
    equal to the decimal mark."""
    if locale.thousands is not None and locale.thousands == locale.decimal:
        return [f"locale.thousands: found {locale.thousands!r}; expected a mark other than "
                f"the decimal mark {locale.decimal!r}"]
    return []


def qa_value_problems(spec: QASpec, key_path: str) -> list[str]:
    """What is wrong with a QA value map (``key_path`` names it): empty, or pass/fail mixed
    with decisions."""
    outcomes = {v.strip().lower() for v in spec.values.values()}
    if not spec.values:
        return [f"{key_path}: missing; expected {{PASS: pass, FAIL: fail}} or a decision map "
                "such as {APPROVE: approve, REJECT: reject}"]
    if outcomes & PASS_FAIL and not outcomes <= PASS_FAIL:
        return [f"{key_path}: found {sorted(outcomes)}; expected only pass/fail, or only "
                "decisions"]
    return []


def _translate(exc: ValidationError, name: str) -> LogError:
    return invalid_profile(error_lines(exc, Profile), name)


def invalid_profile(lines: list[str], name: str, what: str = "profile") -> LogError:
    """One error for a profile's problems (``lines``: ``key.path: found ...; expected ...``)."""
    head = f"invalid {what}" + (":\n  " if len(lines) > 1 else ": ")
    return LogError(head + "\n  ".join(lines), source=name)
