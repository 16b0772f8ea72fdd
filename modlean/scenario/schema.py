"""The operation as a scenario: schema, YAML files, overrides and market presets.

A scenario describes one market's moderation operation with numbers: which
items arrive and when, how the ML pre-filter routes them, which reviewer pool
reviews what, how many reviewers work which shifts, how long a review takes, how
often reviewers are wrong, how QA samples decisions and how appeals come back.
:func:`modlean.simulation.simulate` runs it.

On disk a scenario is YAML; in memory it is a validated :class:`Scenario`.
Any field can be changed by a dotted path (``pools.l1_listing.headcount=140``)
from code (:func:`apply_overrides`), from a *proposal* file of overrides on top
of a baseline (:func:`load_scenario`) or from ``modlean simulate --set``.
Every invalid value raises :class:`~modlean.errors.ScenarioError` naming the
file, the field path, the value found and what was expected.

Units: times in the field names (``_s`` seconds, ``_hours``, ``_days``), money
per hour in the scenario's currency, probabilities in [0, 1], hours of the day
in the market's local time zone. The full field reference (generated from this
schema by :func:`scenario_reference`) is docs/scenario-reference.md.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import math
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from modlean._util import describe
from modlean.errors import ScenarioError
from modlean.resources import template_names, template_path

__all__ = [
    "DAYS",
    "QA",
    "Appeals",
    "Handling",
    "ItemType",
    "ModelSpec",
    "Pool",
    "Route",
    "Scenario",
    "ScoreDist",
    "Shift",
    "apply_overrides",
    "list_presets",
    "load_proposal",
    "load_scenario",
    "market_scenario",
    "parse_override_value",
    "preset",
    "scenario_from_dict",
    "scenario_reference",
    "to_yaml",
]

#: Folder of the market presets and proposals shipped with modlean.

#: Day names accepted in shifts, Monday first (the order of ``weekly_profile``).
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

#: Default diurnal shape of arrivals (local hours 0..23): peak 10:00-22:00,
#: trough 02:00-06:00 at about a third of the peak (docs/domain.md §6).
DEFAULT_HOURLY = (0.45, 0.38, 0.35, 0.35, 0.35, 0.4, 0.55, 0.75, 0.9, 1.0, 1.15, 1.25,
                  1.3, 1.3, 1.3, 1.25, 1.25, 1.3, 1.35, 1.4, 1.4, 1.3, 1.0, 0.7)


# --------------------------------------------------------------------------- field types

def _probability(value: float) -> float:
    if not 0.0 <= value <= 1.0 or math.isnan(value):
        raise ValueError("expected a probability between 0 and 1")
    return value


def _hour(value: float) -> float:
    if not 0.0 <= value <= 24.0 or math.isnan(value):
        raise ValueError("expected an hour of the day between 0 and 24")
    return value


Probability = Annotated[float, AfterValidator(_probability)]
HourOfDay = Annotated[float, AfterValidator(_hour)]


def _unit(unit: str) -> dict[str, Any]:
    return {"unit": unit}


class _Strict(BaseModel):
    """Base of every scenario section: unknown keys are errors, assignment is validated."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


# --------------------------------------------------------------------------- sections

class ScoreDist(_Strict):
    """Model scores of one class of items, a Beta(a, b) distribution on [0, 1]."""

    a: float = Field(2.0, gt=0, description="Beta shape a (> 0)")
    b: float = Field(5.0, gt=0, description="Beta shape b (> 0)")


class ModelSpec(_Strict):
    """The ML pre-filter: a score per item and two thresholds.

    Items scoring below ``t_low`` are approved automatically, items scoring at or
    above ``t_high`` are rejected automatically, the rest go to human review.
    Precision, recall and routed shares follow from the two score distributions
    (:meth:`rates`).
    """

    enabled: bool = Field(False, description="false: every item goes to human review")
    violating: ScoreDist = Field(default_factory=lambda: ScoreDist(a=5.0, b=1.5),
                                 description="score distribution of violating items")
    clean: ScoreDist = Field(default_factory=lambda: ScoreDist(a=1.0, b=8.0),
                             description="score distribution of clean items")
    t_low: Probability = Field(0.2, description="auto-approve below this score")
    t_high: Probability = Field(0.9, description="auto-reject at or above this score")
    latency_s: float = Field(5.0, ge=0, description="time the model takes to score an item",
                             json_schema_extra=_unit("s"))

    @model_validator(mode="after")
    def _thresholds_in_order(self) -> ModelSpec:
        if self.t_low > self.t_high:
            raise ValueError(f"t_low ({self.t_low}) is above t_high ({self.t_high}); "
                             "expected t_low <= t_high")
        return self

    def rates(self, prevalence: float) -> dict[str, float]:
        """Expected routing and quality of the model at the given violation prevalence.

        Returns shares of all items auto-approved, auto-rejected and sent to
        humans, the precision of auto-rejections, the recall of the model (share
        of violating items not auto-approved) and the share of violating items
        among those sent to humans.
        """
        from scipy.stats import beta

        v, c = self.violating, self.clean
        v_low, c_low = beta.cdf(self.t_low, v.a, v.b), beta.cdf(self.t_low, c.a, c.b)
        v_high, c_high = beta.sf(self.t_high, v.a, v.b), beta.sf(self.t_high, c.a, c.b)
        p = prevalence
        approve = p * v_low + (1 - p) * c_low
        reject = p * v_high + (1 - p) * c_high
        human = 1.0 - approve - reject
        v_human = p * (1 - v_low - v_high)
        return {
            "auto_approve_share": float(approve),
            "auto_reject_share": float(reject),
            "human_share": float(human),
            "auto_reject_precision": float(p * v_high / reject) if reject > 0 else math.nan,
            "recall": float(1 - v_low),
            "human_violating_share": float(v_human / human) if human > 0 else math.nan,
        }


class Surge(_Strict):
    """A period of extra volume: arrivals multiplied on the local dates start..end."""

    start: dt.date = Field(description="first local date of the surge")
    end: dt.date = Field(description="last local date of the surge (inclusive)")
    multiplier: float = Field(gt=0, description="volume multiplier on those dates")

    @model_validator(mode="after")
    def _ordered(self) -> Surge:
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start}); "
                             "expected end >= start")
        return self


class Sla(_Strict):
    """A service-level target: ``percentile`` of turnaround within ``hours``."""

    hours: float = Field(24.0, gt=0, description="turnaround target",
                         json_schema_extra=_unit("h"))
    percentile: float = Field(95.0, gt=0, le=100,
                              description="share of items (in %) that must meet it")


class InitialBacklog(_Strict):
    """Items already waiting for human review when the simulation starts."""

    count: int = Field(0, ge=0, description="items waiting at the start")
    max_age_hours: float = Field(12.0, ge=0,
                                 description="their submission times spread uniformly over "
                                 "this many hours before the start",
                                 json_schema_extra=_unit("h"))


class ItemType(_Strict):
    """One kind of work item (listing, seller_onboarding, content, ipr_complaint)."""

    volume_per_day: float = Field(ge=0, description="arrivals on a day with weekly and surge "
                                  "multipliers 1", json_schema_extra=_unit("items/day"))
    hourly_profile: list[float] = Field(
        default_factory=lambda: list(DEFAULT_HOURLY),
        description="relative arrival weights for local hours 0..23 (24 values >= 0; "
        "normalised, so they shape the day without changing its volume)")
    weekly_profile: list[float] = Field(
        default_factory=lambda: [1.0] * 7,
        description="volume multipliers Monday..Sunday (7 values >= 0)")
    surges: list[Surge] = Field(default_factory=list, description="surge periods")
    prevalence: Probability = Field(0.1, description="share of items that truly violate policy")
    sla: Sla = Field(default_factory=Sla, description="turnaround target of the first decision")
    model: ModelSpec = Field(default_factory=ModelSpec, description="ML pre-filter")
    live_while_pending: bool = Field(
        False, description="true when the item is visible while it waits for a decision "
        "(content, IPR complaints about live listings); counts toward violation exposure")
    appeal_rate: Probability = Field(0.05, description="share of rejected items that appeal")
    labels: dict[str, float] = Field(
        default_factory=dict, description="rejection reason codes and their relative frequency "
        "(a rejected item carries one, in the log's label column)")
    required_skills: list[str] = Field(
        default_factory=list, description="skills a reviewer pool needs for this item type "
        "(e.g. language, policy); checked against the routed pools' skills")
    initial_backlog: InitialBacklog = Field(default_factory=InitialBacklog,
                                            description="work waiting at the start")

    @field_validator("hourly_profile")
    @classmethod
    def _hours(cls, value: list[float]) -> list[float]:
        if len(value) != 24 or min(value) < 0 or sum(value) <= 0:
            raise ValueError(f"expected 24 non-negative weights, not all zero "
                             f"(got {len(value)} values)")
        return value

    @field_validator("labels")
    @classmethod
    def _labels(cls, value: dict[str, float]) -> dict[str, float]:
        if value and (min(value.values()) < 0 or sum(value.values()) <= 0):
            raise ValueError("expected non-negative weights, not all zero")
        return value

    @field_validator("weekly_profile")
    @classmethod
    def _week(cls, value: list[float]) -> list[float]:
        if len(value) != 7 or min(value) < 0:
            raise ValueError(f"expected 7 non-negative multipliers, Monday first "
                             f"(got {len(value)} values)")
        return value


class Handling(_Strict):
    """A handling-time distribution (seconds of reviewer work per item)."""

    dist: Literal["lognormal", "exponential", "constant", "empirical"] = Field(
        "lognormal", description="lognormal (by mean and CV), exponential, constant, or "
        "empirical (resampled from values)")
    mean_s: float = Field(60.0, gt=0, description="mean handling time (ignored for empirical)",
                          json_schema_extra=_unit("s"))
    cv: float = Field(0.6, ge=0, description="coefficient of variation (lognormal only)")
    values: list[float] = Field(default_factory=list,
                                description="observed handling times for empirical",
                                json_schema_extra=_unit("s"))

    @model_validator(mode="after")
    def _empirical_has_values(self) -> Handling:
        if self.dist == "empirical" and (not self.values or min(self.values) <= 0):
            raise ValueError("an empirical distribution needs values: a list of positive "
                             "handling times in seconds")
        return self

    @property
    def mean(self) -> float:
        """The mean handling time in seconds."""
        if self.dist == "empirical":
            return float(sum(self.values) / len(self.values))
        return self.mean_s


class Shift(_Strict):
    """A working period of a pool, in the site's local time.

    ``end_hour`` below ``start_hour`` means the shift runs past midnight (22 -> 6).
    ``days`` are the days the shift *starts*.
    """

    start_hour: HourOfDay = Field(0.0, description="local start time (0-24)",
                                  json_schema_extra=_unit("h"))
    end_hour: HourOfDay = Field(24.0, description="local end time (0-24)",
                                json_schema_extra=_unit("h"))
    days: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = Field(
        default_factory=lambda: list(DAYS), description="days the shift starts")
    share: float = Field(1.0, ge=0, description="share of the pool's headcount on this shift")


class Accuracy(_Strict):
    """How often a reviewer's decision is wrong."""

    false_approve: Probability = Field(0.05, description="P(approve | item violates)")
    false_reject: Probability = Field(0.03, description="P(reject | item is clean)")


class Pool(_Strict):
    """A team of reviewers: a BPO vendor site, an internal L2, QA or appeals team."""

    headcount: float = Field(ge=0, description="reviewers on the roster of a day; a shift "
                             "gets share x headcount seats")
    shifts: list[Shift] = Field(default_factory=lambda: [Shift()],
                                description="working periods (default: one 24/7 shift)")
    shrinkage: float = Field(0.35, ge=0, lt=1, description="share of paid time not available "
                             "for reviews (breaks, training, wellness, absence)")
    handling: dict[str, Handling] = Field(
        default_factory=dict, description="handling time per item type; key '*' for any type")
    accuracy: Accuracy = Field(default_factory=Accuracy, description="decision error rates")
    cost_per_hour: float = Field(9.0, ge=0, description="billed cost of one paid hour",
                                 json_schema_extra=_unit("currency/h"))
    vendor: str = Field("", description="vendor or 'internal'")
    site: str = Field("", description="site or city")
    skills: list[str] = Field(default_factory=list,
                              description="skills of the pool (languages, policies)")
    discipline: Literal["fifo", "priority", "sla_age"] = Field(
        "fifo", description="queue order: fifo (first come first served), priority "
        "(routing priority, then fifo) or sla_age (earliest SLA deadline first)")

    def handling_for(self, item_type: str) -> Handling | None:
        """The handling time of an item type in this pool (or the ``'*'`` entry)."""
        return self.handling.get(item_type, self.handling.get("*"))


class Route(_Strict):
    """Where human review of one item type goes."""

    pool: str = Field(description="pool doing the first (L1) review")
    escalation_probability: Probability = Field(0.0, description="share of L1 reviews "
                                                "escalated to L2")
    escalation_pool: str | None = Field(None, description="pool doing L2 reviews")
    priority: int = Field(0, description="lower is served first in 'priority' pools")


class QA(_Strict):
    """Quality assurance: a sample of decisions re-reviewed by a QA pool."""

    enabled: bool = Field(False, description="false: no QA sampling")
    pool: str | None = Field(None, description="the QA pool")
    human_rate: Probability = Field(0.03, description="share of human decisions sampled")
    auto_rate: Probability = Field(0.005, description="share of automated decisions sampled")
    catch_probability: Probability = Field(0.85, description="P(QA finds a wrong decision)")
    handling_factor: float = Field(1.3, gt=0, description="QA handling time as a multiple of "
                                   "the L1 handling time, unless the QA pool lists the type")
    rework: bool = Field(True, description="a QA overturn sends the item back to its L1 pool "
                         "for rework (which corrects the decision)")
    timing: Literal["after_send", "before_send"] = Field(
        "after_send", description="after_send: QA audits decisions already sent (a caught error "
        "is corrected later); before_send: sampled human decisions wait for QA (and rework) "
        "before the decision is sent, so QA time counts in turnaround")


class Appeals(_Strict):
    """Appeals of rejections (sellers contest the decision)."""

    enabled: bool = Field(False, description="false: no appeals")
    pool: str | None = Field(None, description="the appeals pool")
    sla: Sla = Field(default_factory=lambda: Sla(hours=72.0),
                     description="turnaround target from appeal filed to decided")
    delay_hours: float = Field(24.0, ge=0, description="mean time from the decision to the "
                               "appeal (lognormal, CV 1)", json_schema_extra=_unit("h"))
    handling: Handling = Field(default_factory=lambda: Handling(mean_s=240.0),
                               description="appeal handling time unless the pool lists the "
                               "item type")
    overturn_if_wrong: Probability = Field(0.9, description="P(overturn | rejection was wrong)")
    overturn_if_right: Probability = Field(0.05, description="P(overturn | rejection was "
                                           "right)")


class Scenario(_Strict):
    """A moderation operation as numbers; see docs/scenario.md."""

    name: str = Field("scenario", description="short name, used in reports")
    description: str = Field("", description="what this scenario is")
    market: str = Field("", description="market code (US, UK, ID, ...); prefixes case ids")
    timezone: str = Field("UTC", description="IANA time zone of profiles and shifts")
    currency: str = Field("USD", description="currency of costs")
    start: dt.date = Field(dt.date(2026, 3, 2), description="first local date simulated")
    horizon_days: float = Field(7.0, gt=0, description="days of arrivals",
                                json_schema_extra=_unit("d"))
    warmup_days: float = Field(0.0, ge=0, description="days at the start left out of KPIs",
                               json_schema_extra=_unit("d"))
    drain_days: float = Field(7.0, ge=0, description="extra days simulated after the last "
                              "arrival so work in progress can finish",
                              json_schema_extra=_unit("d"))
    seed: int = Field(0, ge=0, description="default random seed")
    item_types: dict[str, ItemType] = Field(description="kinds of work, by name")
    routing: dict[str, Route] = Field(default_factory=dict,
                                      description="human review route per item type")
    pools: dict[str, Pool] = Field(default_factory=dict, description="reviewer pools by name")
    qa: QA = Field(default_factory=QA, description="QA sampling")
    appeals: Appeals = Field(default_factory=Appeals, description="appeals of rejections")

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("expected an IANA time zone such as 'Asia/Jakarta'") from None
        return value

    @model_validator(mode="after")
    def _warmup_inside(self) -> Scenario:
        if self.warmup_days >= self.horizon_days:
            raise ValueError(f"warmup_days ({self.warmup_days}) is not below horizon_days "
                             f"({self.horizon_days}); expected a warm-up shorter than the "
                             "horizon")
        return self


# --------------------------------------------------------------------------- validation

_EXPECTED = {
    "greater_than_equal": "a number >= {ge}",
    "greater_than": "a number > {gt}",
    "less_than_equal": "a number <= {le}",
    "less_than": "a number < {lt}",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_parsing": "a number",
    "bool_parsing": "true or false",
    "date_from_datetime_parsing": "a date such as 2026-03-02",
    "date_parsing": "a date such as 2026-03-02",
    "missing": "a value (the field is required)",
    "dict_type": "a mapping (key: value)",
    "list_type": "a list",
    "string_type": "text",
}


def _number(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _path(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc) or "(top level)"


def _where(source: str | None) -> str:
    return f"{source}: " if source else ""


def _field_names(loc: tuple[Any, ...]) -> list[str]:
    """Field names of the model found at ``loc`` (for did-you-mean)."""
    annotation: Any = Scenario
    for part in loc:
        annotation = _child_type(annotation, str(part))
        if annotation is None:
            return []
    model = _model_of(annotation)
    return list(model.model_fields) if model else []


def _suggest(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _translate(exc: ValidationError, source: str | None) -> ScenarioError:
    lines = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and ":" in p))
        kind = err["type"]
        if kind == "extra_forbidden":
            key = str(loc[-1])
            options = _field_names(loc[:-1])
            lines.append(f"{_path(loc)}: unknown key {key!r}{_suggest(key, options)} "
                         f"(expected one of: {', '.join(options)})")
            continue
        if kind in {"value_error", "assertion_error"}:
            expected = str(err["msg"]).removeprefix("Value error, ")
        elif kind == "literal_error":
            expected = f"expected one of {err.get('ctx', {}).get('expected', '')}"
        else:
            template = _EXPECTED.get(kind)
            ctx = {k: _number(v) for k, v in err.get("ctx", {}).items()}
            expected = "expected " + (template.format(**ctx) if template else str(err["msg"]))
        found = "missing; " if kind == "missing" else f"found {describe(err.get('input'), 60)}; "
        if kind in {"value_error"} and isinstance(err.get("input"), dict):
            found = ""  # a whole section: its path says enough
        lines.append(f"{_path(loc)}: {found}{expected}")
    head = f"{_where(source)}invalid scenario" + (":" if len(lines) > 1 else "")
    if len(lines) == 1:
        return ScenarioError(f"{_where(source)}{lines[0]}")
    return ScenarioError(head + "\n  " + "\n  ".join(lines))


def _check_references(s: Scenario, source: str | None) -> None:
    """Cross-field checks: routing names real item types and pools, pools can do the work."""
    where = _where(source)
    pools = list(s.pools)

    def pool_ref(path: str, name: str | None) -> Pool:
        if name not in s.pools:
            raise ScenarioError(f"{where}{path}: unknown pool {name!r}{_suggest(str(name), pools)}"
                                f" (expected one of: {', '.join(pools) or 'no pools defined'})")
        return s.pools[name]

    for name, route in s.routing.items():
        if name not in s.item_types:
            raise ScenarioError(
                f"{where}routing.{name}: unknown item type {name!r}"
                f"{_suggest(name, list(s.item_types))} (expected one of: "
                f"{', '.join(s.item_types)})")
        item = s.item_types[name]
        for path, pool_name in ((f"routing.{name}.pool", route.pool),
                                (f"routing.{name}.escalation_pool", route.escalation_pool)):
            if pool_name is None:
                continue
            pool = pool_ref(path, pool_name)
            missing = sorted(set(item.required_skills) - set(pool.skills))
            if missing:
                raise ScenarioError(f"{where}{path}: pool {pool_name!r} lacks skills {missing} "
                                    f"that item type {name!r} requires; found skills "
                                    f"{pool.skills}")
            if pool.handling_for(name) is None:
                raise ScenarioError(f"{where}pools.{pool_name}.handling: no handling time for "
                                    f"item type {name!r}; expected a key {name!r} or '*'")
        if route.escalation_probability > 0 and route.escalation_pool is None:
            raise ScenarioError(f"{where}routing.{name}.escalation_pool: found None; expected "
                                "a pool when escalation_probability > 0")
    for name, item in s.item_types.items():
        reaches_humans = (not item.model.enabled or item.model.t_low < item.model.t_high
                          or item.initial_backlog.count > 0)
        if reaches_humans and item.volume_per_day + item.initial_backlog.count > 0 \
                and name not in s.routing:
            raise ScenarioError(f"{where}routing.{name}: missing; item type {name!r} sends "
                                "items to human review, expected a route (routing."
                                f"{name}.pool)")
    for section, cfg in (("qa", s.qa), ("appeals", s.appeals)):
        if cfg.enabled:
            pool_ref(f"{section}.pool", cfg.pool)


def scenario_from_dict(data: Mapping[str, Any], *, source: str | None = None) -> Scenario:
    """Validate a plain mapping (as read from YAML) into a :class:`Scenario`.

    Raises
    ------
    ScenarioError
        Naming ``source``, each bad field's dotted path, the value and what was
        expected (with a did-you-mean for unknown keys).
    """
    if not isinstance(data, Mapping):
        raise ScenarioError(f"{_where(source)}found {type(data).__name__}; expected a "
                            "mapping of scenario fields (name, item_types, pools, ...)")
    try:
        scenario = Scenario.model_validate(dict(data))
    except ValidationError as exc:
        raise _translate(exc, source) from None
    _check_references(scenario, source)
    return scenario


# --------------------------------------------------------------------------- YAML IO

def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        hint = "" if path.suffix or len(path.parts) > 1 else \
            f"; expected a YAML path or a preset name ({', '.join(list_presets())})"
        raise ScenarioError(f"{path}: no such scenario file{hint}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read the file ({exc})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}, line {mark.line + 1}, column {mark.column + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(f"{where}: not valid YAML ({problem}); expected indented "
                            "'key: value' lines") from None


def _is_proposal(data: Any) -> bool:
    return isinstance(data, Mapping) and ("overrides" in data or "base" in data) \
        and "item_types" not in data


def load_proposal(path: str | Path) -> dict[str, Any]:
    """Read a proposal file: ``base`` (optional), ``name``, ``description``, ``overrides``.

    Returns ``{"base": Path | None, "overrides": {dotted path: value}}``, with
    ``name`` and ``description`` folded into the overrides.
    """
    path = Path(path)
    data = _read_yaml(path)
    allowed = {"base", "name", "description", "overrides"}
    if not isinstance(data, Mapping):
        raise ScenarioError(f"{path}: found {type(data).__name__}; expected a proposal "
                            "mapping with 'overrides'")
    for key in data:
        if key not in allowed:
            raise ScenarioError(f"{path}: {key}: unknown key {key!r}"
                                f"{_suggest(str(key), sorted(allowed))} (expected one of: "
                                f"{', '.join(sorted(allowed))})")
    overrides = data.get("overrides") or {}
    if not isinstance(overrides, Mapping):
        raise ScenarioError(f"{path}: overrides: found {describe(overrides, 60)}; expected a "
                            "mapping of dotted paths to values")
    flat = dict(_flatten(overrides))
    for key in ("name", "description"):
        if key in data:
            flat[key] = data[key]
    base = data.get("base")
    return {"base": (path.parent / base) if base else None, "overrides": flat}


def _flatten(mapping: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """Nested override mappings become dotted paths; a dotted key is kept as it is."""
    out: list[tuple[str, Any]] = []
    for key, value in mapping.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value and not _leaf_mapping(path):
            out.extend(_flatten(value, path + "."))
        else:
            out.append((path, value))
    return out


def _leaf_mapping(path: str) -> bool:
    """True when the field at ``path`` is a free-form mapping given as a whole."""
    annotation: Any = Scenario
    for part in path.split("."):
        annotation = _child_type(annotation, part)
        if annotation is None:
            return False
    return _model_of(annotation) is None and typing.get_origin(annotation) is not dict \
        and not _is_dict_annotation(annotation)


def load_scenario(path: str | Path, *, overrides: Mapping[str, Any] | None = None,
                  base: str | Path | None = None) -> Scenario:
    """Read a scenario (or a proposal on top of its baseline) from YAML.

    Parameters
    ----------
    path:
        A scenario YAML file, or a proposal file (``overrides:`` and optionally
        ``base:``, a path relative to the proposal).
    overrides:
        Dotted-path overrides applied last (``{"pools.l1.headcount": 140}``).
    base:
        The baseline for a proposal file without ``base:``.

    Raises
    ------
    ScenarioError
        Bad YAML (file, line and column), invalid fields (file and field path).
    """
    path = Path(path)
    data = _read_yaml(path)
    source = str(path)
    if _is_proposal(data):
        proposal = load_proposal(path)
        base_path = proposal["base"] or (Path(base) if base else None)
        if base_path is None:
            raise ScenarioError(f"{path}: a proposal needs a baseline; expected 'base: "
                                "<scenario.yaml>' in the file or a base argument (--base)")
        scenario = load_scenario(base_path)
        scenario = apply_overrides(scenario, proposal["overrides"], source=source)
    else:
        scenario = scenario_from_dict(data if data is not None else {}, source=source)
    if overrides:
        scenario = apply_overrides(scenario, overrides, source="overrides")
    return scenario


def to_yaml(scenario: Scenario, path: str | Path | None = None) -> str:
    """The scenario as YAML text (every field, defaults included); written to ``path`` if given
    (atomically, creating its folder)."""
    data = scenario.model_dump(mode="json")
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    if path is not None:
        from modlean._util import write_atomic

        write_atomic(path, text)
    return text


def list_presets() -> list[str]:
    """Names of the scenarios and proposals in templates/scenarios/ (any layer)."""
    return template_names("scenarios", "*.yaml")


def preset(name: str, *, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """A shipped scenario from templates/scenarios/ by name.

    Market baselines ``"US"``, ``"UK"``, ``"ID"``, ``"MY"``, ``"TH"``, the plain
    M/M/c ``"mmc"`` and proposals such as ``"US_sop_thresholds_qa"``
    (:func:`list_presets`).
    """
    names = list_presets()
    if name not in names:
        raise ScenarioError(f"preset {name!r}: unknown{_suggest(name, names)} (expected one "
                            f"of: {', '.join(names)})")
    return load_scenario(template_path(f"scenarios/{name}.yaml"), overrides=overrides)


def market_scenario(market: str, path: str | Path | None = None, *,
                    overrides: Mapping[str, Any] | None = None) -> Scenario:
    """The scenario a notebook runs for ``market``: its preset, or a scenario file.

    ``path`` None (or empty) gives :func:`preset` ``(market)``; otherwise the YAML
    file (a calibrated baseline, say), which must be for that market when it names
    one. ``overrides`` are applied last either way.

    Raises
    ------
    ScenarioError
        Unknown preset, bad file, or a file written for another market.
    """
    if path is None or not str(path).strip():
        return preset(market, overrides=overrides)
    scenario = load_scenario(path, overrides=overrides)
    if scenario.market and scenario.market.upper() != market.upper():
        raise ScenarioError(f"{path}: a scenario for market {scenario.market!r}, but the run "
                            f"is for {market!r}; expected a file for {market!r} (use "
                            "{market} in the path to pick one per market)")
    return scenario


# --------------------------------------------------------------------------- overrides

def _is_dict_annotation(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (dict, Mapping)


def _unwrap(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _unwrap(args[0]) if len(args) == 1 else annotation
    return annotation


def _model_of(annotation: Any) -> type[BaseModel] | None:
    annotation = _unwrap(annotation)
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) \
        else None


def _child_type(annotation: Any, key: str) -> Any:
    """The type one step down a dotted path, or None when there is no such step."""
    model = _model_of(annotation)
    if model is not None:
        info = model.model_fields.get(key)
        return info.annotation if info else None
    annotation = _unwrap(annotation)
    origin = typing.get_origin(annotation)
    if origin in (dict, Mapping):
        return typing.get_args(annotation)[1]
    if origin is list:
        return typing.get_args(annotation)[0] if key.lstrip("-").isdigit() else None
    return None


def parse_override_value(text: str) -> Any:
    """A CLI value as YAML: ``140`` -> 140, ``0.3`` -> 0.3, ``[mon, tue]`` -> a list."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def apply_overrides(scenario: Scenario, overrides: Mapping[str, Any], *,
                    source: str | None = None) -> Scenario:
    """A new scenario with fields changed by dotted path.

    Parameters
    ----------
    scenario:
        The baseline (not modified).
    overrides:
        ``{"pools.l1_listing.headcount": 140, "item_types.listing.model.t_low": 0.25}``.
        Path steps are field names, mapping keys (a new key adds an entry, e.g. a
        new pool) or list positions (``pools.l1.shifts.0.start_hour``). String
        values are read as YAML (``"140"`` is the number 140).
    source:
        Named in error messages (a proposal file, ``--set``).

    Raises
    ------
    ScenarioError
        An unknown step (with a did-you-mean) or an invalid resulting value.
    """
    data = scenario.model_dump(mode="python")
    where = _where(source)
    for dotted, value in overrides.items():
        if isinstance(value, str):
            value = parse_override_value(value)
        parts = [p for p in str(dotted).split(".")]
        if not all(parts):
            raise ScenarioError(f"{where}{dotted}: not a dotted path; expected names joined by "
                                "dots, e.g. pools.l1_listing.headcount")
        node: Any = data
        annotation: Any = Scenario
        for i, part in enumerate(parts):
            here = ".".join(parts[:i]) or "(top level)"
            child = _child_type(annotation, part)
            last = i == len(parts) - 1
            if isinstance(node, list):
                if child is None or not -len(node) <= int(part) < len(node):
                    raise ScenarioError(f"{where}{dotted}: {here} has {len(node)} entries; "
                                        f"found position {part!r}, expected 0..{len(node) - 1}")
                key: Any = int(part)
            elif isinstance(node, dict):
                if child is None:
                    options = sorted(_field_names_of(annotation) or node)
                    raise ScenarioError(f"{where}{dotted}: unknown key {part!r} in {here}"
                                        f"{_suggest(part, options)} (expected one of: "
                                        f"{', '.join(options)})")
                key = part
                if not last and key not in node:
                    node[key] = {}
            else:
                raise ScenarioError(f"{where}{dotted}: {here} is a value "
                                    f"({describe(node, 60)}), not a section with {part!r}")
            if last:
                node[key] = copy.deepcopy(value)
            else:
                node = node[key]
                annotation = child
    return scenario_from_dict(data, source=source)


def _field_names_of(annotation: Any) -> list[str]:
    model = _model_of(annotation)
    return list(model.model_fields) if model else []


# --------------------------------------------------------------------------- reference

def _type_name(annotation: Any) -> str:
    annotation = _unwrap(annotation)
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return " \\| ".join(str(a) for a in typing.get_args(annotation))
    if origin is list:
        return f"list of {_type_name(typing.get_args(annotation)[0])}"
    if origin in (dict, Mapping):
        return f"mapping of {_type_name(typing.get_args(annotation)[1])}"
    if origin in (Union, types.UnionType):
        return " or ".join(_type_name(a) for a in typing.get_args(annotation))
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return "section"
        return {"float": "number", "int": "whole number", "str": "text", "bool": "true/false",
                "date": "date", "NoneType": "none"}.get(annotation.__name__,
                                                        annotation.__name__)
    return str(annotation)


def _default_text(info: Any) -> str:
    if info.is_required():
        return "required"
    value = info.get_default(call_default_factory=True)
    if isinstance(value, BaseModel):
        return "see below"
    if isinstance(value, list) and len(value) > 8:
        return f"{len(value)} values (see docs/scenario.md)"
    if isinstance(value, list) and value and isinstance(value[0], BaseModel):
        return "; ".join(str(v.model_dump(mode="json")) for v in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return "`" + (yaml.safe_dump(value, default_flow_style=True).strip().removesuffix("...")
                  .strip()) + "`"


def _constraints(info: Any) -> str:
    bits = []
    for meta in info.metadata:
        for attr, sign in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            if getattr(meta, attr, None) is not None:
                bits.append(f"{sign} {getattr(meta, attr)}")
        func = getattr(meta, "func", None)
        if func is _probability:
            bits.append("0-1")
        elif func is _hour:
            bits.append("0-24")
    return ", ".join(bits)


def _walk(model: type[BaseModel], prefix: str, sections: list[tuple[str, type[BaseModel]]],
          seen: set[str]) -> None:
    sections.append((prefix, model))
    for name, info in model.model_fields.items():
        annotation = _unwrap(info.annotation)
        path = f"{prefix}.{name}" if prefix else name
        origin = typing.get_origin(annotation)
        inner = annotation
        if origin in (dict, Mapping):
            inner = typing.get_args(annotation)[1]
            path += ".<name>"
        elif origin is list:
            inner = typing.get_args(annotation)[0]
            path += ".<i>"
        sub = _model_of(inner)
        if sub is not None and path not in seen:
            seen.add(path)
            _walk(sub, path, sections, seen)


def scenario_reference() -> str:
    """The scenario field reference in Markdown, generated from the schema.

    docs/scenario-reference.md is this text; a test checks it never drifts.
    """
    sections: list[tuple[str, type[BaseModel]]] = []
    _walk(Scenario, "", sections, set())
    out = [
        "# Scenario reference",
        "",
        "<!-- Generated by modlean.scenario.scenario_reference(); do not edit by hand. -->",
        "<!-- Regenerate: .venv/bin/python -c \"import modlean.scenario as s; "
        "print(s.scenario_reference(), end='')\" > docs/scenario-reference.md -->",
        "",
        "Every field of a scenario file, its type, unit, allowed range and default. "
        "Paths are what `--set` and proposal `overrides:` accept; `<name>` is a key you "
        "choose (an item type or pool name) and `<i>` a list position from 0. "
        "See docs/scenario.md for the meaning and worked examples.",
        "",
    ]
    for prefix, model in sections:
        title = prefix or "(top level)"
        doc = (model.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
        out += [f"## `{title}`", "", doc, "",
                "| field | type | unit | allowed | default | meaning |",
                "| --- | --- | --- | --- | --- | --- |"]
        for name, info in model.model_fields.items():
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            out.append(f"| `{name}` | {_type_name(info.annotation)} | {extra.get('unit', '')} "
                       f"| {_constraints(info)} | {_default_text(info)} | "
                       f"{(info.description or '').replace('|', '/')} |")
        out.append("")
    return "\n".join(out)
