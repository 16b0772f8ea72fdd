"""The scenario schema: field types and the validated sections, ScoreDist ... Scenario.

A scenario describes one market's moderation operation with numbers: which
items arrive and when, how the ML pre-filter routes them, which reviewer pool
reviews what, how many reviewers work which shifts, how long a review takes, how
often reviewers are wrong, how QA samples decisions and how appeals come back.
:func:`modlean.simulation.simulate` runs it.

This module is the pydantic schema only. On disk a scenario is YAML
(:mod:`modlean.scenario.files`); a plain mapping becomes a :class:`Scenario`
through :func:`~modlean.scenario.validation.scenario_from_dict`, which turns
pydantic's errors into :class:`~modlean.errors.ScenarioError` naming the file,
the field path, the value found and what was expected. Any field can be changed
by a dotted path (:mod:`modlean.scenario.overrides`).

Units: times in the field names (``_s`` seconds, ``_hours``, ``_days``), money
per hour in the scenario's currency, probabilities in [0, 1], hours of the day
in the market's local time zone. The full field reference (generated from this
schema by :func:`~modlean.scenario.reference.scenario_reference`) is
docs/scenario-reference.md.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Literal

from pydantic import (
    AwareDatetime,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from modlean._util import unknown_zone
from modlean.scenario.fields import (
    MAX_BACKLOG,
    MAX_COST_PER_HOUR,
    MAX_DRAIN_DAYS,
    MAX_HANDLING_S,
    MAX_HEADCOUNT,
    MAX_HORIZON_DAYS,
    MAX_HOURS,
    MAX_MULTIPLIER,
    MAX_VOLUME_PER_DAY,
    NAME_PATTERN,
    WHY_COST,
    WHY_HOURS,
    WHY_MULTIPLIER,
    WHY_VOLUME,
    Handling,
    HourOfDay,
    Probability,
    StrictModel,
    check_hour,
    check_probability,
    safe_names,
)
from modlean.scenario.fields import unit_info as _unit
from modlean.scenario.fields import why_info as _why
from modlean.scenario.workflow import Delay, Workflow

__all__ = [
    "DAYS",
    "DEFAULT_HOURLY",
    "MAX_COST_PER_HOUR",
    "MAX_DRAIN_DAYS",
    "MAX_HANDLING_S",
    "MAX_HEADCOUNT",
    "MAX_HORIZON_DAYS",
    "MAX_VOLUME_PER_DAY",
    "NAME_PATTERN",
    "QA",
    "Accuracy",
    "Appeals",
    "Handling",
    "HourOfDay",
    "InitialBacklog",
    "ItemType",
    "ModelSpec",
    "People",
    "Pool",
    "Probability",
    "Route",
    "Scenario",
    "ScoreDist",
    "Shift",
    "Sla",
    "StrictModel",
    "Surge",
    "Team",
    "check_hour",
    "check_probability",
]

#: Day names accepted in shifts, Monday first (the order of ``weekly_profile``).
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

#: Default diurnal shape of arrivals (local hours 0..23): peak 10:00-22:00,
#: trough 02:00-06:00 at about a third of the peak (docs/domain.md §6).
DEFAULT_HOURLY = (0.45, 0.38, 0.35, 0.35, 0.35, 0.4, 0.55, 0.75, 0.9, 1.0, 1.15, 1.25,
                  1.3, 1.3, 1.3, 1.25, 1.25, 1.3, 1.35, 1.4, 1.4, 1.3, 1.0, 0.7)


# --------------------------------------------------------------------------- sections

class ScoreDist(StrictModel):
    """Model scores of one class of items, a Beta(a, b) distribution on [0, 1]."""

    a: float = Field(2.0, gt=0, le=10_000, description="Beta shape a (> 0)",
                     json_schema_extra=_why("shapes above 10,000 put every score on one value"))
    b: float = Field(5.0, gt=0, le=10_000, description="Beta shape b (> 0)",
                     json_schema_extra=_why("shapes above 10,000 put every score on one value"))


class ModelSpec(StrictModel):
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
    latency_s: float = Field(5.0, ge=0, le=MAX_HANDLING_S,
                             description="time the model takes to score an item",
                             json_schema_extra=_unit("s", "a day; a model that takes longer "
                                                     "is no pre-filter"))

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
        from scipy.stats import beta  # deferred: scipy.stats takes ~0.8 s to import

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


class Surge(StrictModel):
    """A period of extra volume: arrivals multiplied on the local dates start..end."""

    start: dt.date = Field(description="first local date of the surge")
    end: dt.date = Field(description="last local date of the surge (inclusive)")
    multiplier: float = Field(gt=0, le=MAX_MULTIPLIER,
                              description="volume multiplier on those dates",
                              json_schema_extra=_why(WHY_MULTIPLIER))

    @model_validator(mode="after")
    def _ordered(self) -> Surge:
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start}); "
                             "expected end >= start")
        return self


class Sla(StrictModel):
    """A service-level target: ``percentile`` of turnaround within ``hours``."""

    hours: float = Field(24.0, gt=0, le=MAX_HOURS, description="turnaround target",
                         json_schema_extra=_unit("h", WHY_HOURS))
    percentile: float = Field(95.0, gt=0, le=100,
                              description="share of items (in %) that must meet it")


class InitialBacklog(StrictModel):
    """Items already waiting for human review when the simulation starts."""

    count: int = Field(0, ge=0, le=MAX_BACKLOG, description="items waiting at the start",
                       json_schema_extra=_why("no review queue holds a billion items; a "
                                              "larger figure is a typo"))
    max_age_hours: float = Field(12.0, ge=0, le=MAX_HOURS,
                                 description="their submission times spread uniformly over "
                                 "this many hours before the start",
                                 json_schema_extra=_unit("h", WHY_HOURS))


class ItemType(StrictModel):
    """One kind of work item (listing, seller_onboarding, content, ipr_complaint)."""

    volume_per_day: float = Field(ge=0, le=MAX_VOLUME_PER_DAY,
                                  description="arrivals on a day with weekly and surge "
                                  "multipliers 1",
                                  json_schema_extra=_unit("items/day", WHY_VOLUME))
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
    log_names: dict[str, str | None] = Field(
        default_factory=dict, description="the simulated log's event names for this item "
        "type's cases, over the scenario's log_names (same form)")

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
        if max(value) > MAX_MULTIPLIER:
            raise ValueError(f"expected multipliers <= {MAX_MULTIPLIER:g} ({WHY_MULTIPLIER})")
        return value


class Shift(StrictModel):
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
    share: float = Field(1.0, ge=0, le=1, description="share of the pool's headcount on this "
                         "shift", json_schema_extra=_why("a shift holds at most the whole "
                                                         "pool"))


class Accuracy(StrictModel):
    """How often a reviewer's decision is wrong."""

    false_approve: Probability = Field(0.05, description="P(approve | item violates)")
    false_reject: Probability = Field(0.03, description="P(reject | item is clean)")


_WHY_HEADCOUNT = _why("the largest BPO vendors employ a few hundred thousand people across "
                      "all clients; no one pool has 100,000")


class People(StrictModel):
    """Who works: a roster's headcount, its shifts, shrinkage and cost (a pool's or a team's)."""

    headcount: float = Field(ge=0, le=MAX_HEADCOUNT,
                             description="reviewers on the roster of a day; a shift "
                             "gets share x headcount seats", json_schema_extra=_WHY_HEADCOUNT)
    shifts: list[Shift] = Field(default_factory=lambda: [Shift()],
                                description="working periods (default: one 24/7 shift)")
    shrinkage: float = Field(0.35, ge=0, lt=1, description="share of paid time not available "
                             "for reviews (breaks, training, wellness, absence)")
    cost_per_hour: float = Field(9.0, ge=0, le=MAX_COST_PER_HOUR,
                                 description="billed cost of one paid hour",
                                 json_schema_extra=_unit("currency/h", WHY_COST))


class Team(People):
    """People who work several pools (vendor queues): one person is one seat.

    Its pools name it (``pools.<p>.team``) and give handling, SLA and queue order; the
    team gives the people, whichever of its pools they serve.
    """

    vendor: str = Field("", description="vendor or 'internal'")
    site: str = Field("", description="site or city")


class Pool(People):
    """A reviewer pool (a vendor queue): a BPO vendor site, an internal L2, QA or appeals team.

    Its people are its own (``headcount``, ``shifts``, ``shrinkage``, ``cost_per_hour``)
    or a team's (``team``), shared with the team's other pools.
    """

    headcount: float | None = Field(  # type: ignore[assignment]
        None, ge=0, le=MAX_HEADCOUNT, description="reviewers on the roster of a day; a shift "
        "gets share x headcount seats (required unless the pool names a team)",
        json_schema_extra=_WHY_HEADCOUNT)
    team: str | None = Field(None, description="the team whose people work this pool "
                             "(teams.<name>); the pool then has no headcount, shifts, "
                             "shrinkage or cost of its own")
    handling: dict[str, Handling] = Field(
        default_factory=dict, description="handling time per item type; key '*' for any type")
    accuracy: Accuracy = Field(default_factory=Accuracy, description="decision error rates")
    vendor: str = Field("", description="vendor or 'internal'")
    site: str = Field("", description="site or city")
    skills: list[str] = Field(default_factory=list,
                              description="skills of the pool (languages, policies)")
    discipline: Literal["fifo", "priority", "sla_age", "score"] = Field(
        "fifo", description="queue order: fifo (first come first served), priority "
        "(routing priority, then fifo), sla_age (earliest SLA deadline first) or score "
        "(highest model score first; items without a score after them)")
    sla: Sla | None = Field(None, description="the queue's own target: from joining the "
                            "pool's queue to the end of the review (a vendor queue's SLA); "
                            "none: the pool has no SLA KPIs")
    handoff: Delay | None = Field(None, description="time from the step before until the "
                                  "work joins the queue (a ticket created by a batch job): "
                                  "before the queued event, not shortened by staff; none: it "
                                  "joins at once")
    pickup: Delay | None = Field(None, description="time from joining the queue until a "
                                 "reviewer may take the work, whoever is free (work pulled in "
                                 "batches or on a timer): counted in the wait, not shortened "
                                 "by staff; none: work is taken the moment a reviewer is free")

    @field_validator("headcount", mode="before")
    @classmethod
    def _given_headcount_is_a_number(cls, value: Any) -> Any:
        """An empty ``headcount:`` is a typo, not "no people": leave the key out for a team."""
        if value is None:
            raise ValueError("expected a number")
        return value

    @model_serializer(mode="wrap")
    def _without_absent_headcount(self, handler: SerializerFunctionWrapHandler
                                  ) -> dict[str, Any]:
        """A pool in a team is written without ``headcount``, so it reads back the same."""
        data = handler(self)
        if isinstance(data, dict) and data.get("headcount", 0) is None:
            del data["headcount"]
        return data

    @model_validator(mode="after")
    def _people_once(self) -> Pool:
        if self.team is None and self.headcount is None:
            raise ValueError("headcount missing; expected the pool's reviewers (headcount: 12) "
                             "or the team whose people work it (team: <name>)")
        return self

    def handling_for(self, item_type: str) -> Handling | None:
        """The handling time of an item type in this pool (or the ``'*'`` entry)."""
        return self.handling.get(item_type, self.handling.get("*"))


class Route(StrictModel):
    """Where human review of one item type goes."""

    pool: str = Field(description="pool doing the first (L1) review")
    escalation_probability: Probability = Field(0.0, description="share of L1 reviews "
                                                "escalated to L2")
    escalation_pool: str | None = Field(None, description="pool doing L2 reviews")
    priority: int = Field(0, description="lower is served first in 'priority' pools")


class QA(StrictModel):
    """Quality assurance: a sample of decisions re-reviewed by a QA pool."""

    enabled: bool = Field(False, description="false: no QA sampling")
    pool: str | None = Field(None, description="the QA pool")
    human_rate: Probability = Field(0.03, description="share of human decisions sampled")
    auto_rate: Probability = Field(0.005, description="share of automated decisions sampled")
    catch_probability: Probability = Field(0.85, description="P(QA finds a wrong decision)")
    handling_factor: float = Field(1.3, gt=0, le=100, description="QA handling time as a "
                                   "multiple of the L1 handling time, unless the QA pool "
                                   "lists the type", json_schema_extra=_why(
                                       "QA taking 100x the review is a typo"))
    rework: bool = Field(True, description="a QA overturn sends the item back to its L1 pool "
                         "for rework (which corrects the decision)")
    timing: Literal["after_send", "before_send"] = Field(
        "after_send", description="after_send: QA audits decisions already sent (a caught error "
        "is corrected later); before_send: sampled human decisions wait for QA (and rework) "
        "before the decision is sent, so QA time counts in turnaround")


class Appeals(StrictModel):
    """Appeals of rejections (sellers contest the decision)."""

    enabled: bool = Field(False, description="false: no appeals")
    pool: str | None = Field(None, description="the appeals pool")
    sla: Sla = Field(default_factory=lambda: Sla(hours=72.0),
                     description="turnaround target from appeal filed to decided")
    delay_hours: float = Field(24.0, ge=0, le=MAX_HOURS, description="mean time from the "
                               "decision to the appeal (lognormal, CV 1)",
                               json_schema_extra=_unit("h", WHY_HOURS))
    delay: Delay | None = Field(None, description="the time from the decision to the appeal "
                                "as a distribution (calibration reads it from the log, "
                                "empirical); none: lognormal with mean delay_hours, CV 1")
    handling: Handling = Field(default_factory=lambda: Handling(mean_s=240.0),
                               description="appeal handling time unless the pool lists the "
                               "item type")
    overturn_if_wrong: Probability = Field(0.9, description="P(overturn | rejection was wrong)")
    overturn_if_right: Probability = Field(0.05, description="P(overturn | rejection was "
                                           "right)")


class Scenario(StrictModel):
    """A moderation operation as numbers; see docs/scenario.md."""

    name: str = Field("scenario", description="short name, used in reports")
    description: str = Field("", description="what this scenario is")
    market: str = Field("", description="market code (US, UK, ID, ...); prefixes case ids")
    timezone: str = Field("UTC", description="IANA time zone of profiles and shifts")
    currency: str = Field("USD", description="currency of costs")
    start: dt.date = Field(dt.date(2026, 3, 2), description="first local date simulated")
    start_time: AwareDatetime | None = Field(
        None, description="instant the simulation clock starts, with a zone (replaces local "
        "midnight of start; `modlean simulate --start`)")
    horizon_days: float = Field(7.0, gt=0, le=MAX_HORIZON_DAYS, description="days of arrivals",
                                json_schema_extra=_unit("d", "five years; plans, SOPs and "
                                                        "staffing change long before that"))
    max_cases: int | None = Field(None, ge=1, description="stop arrivals after this many cases, "
                                  "in arrival order over all item types, a starting backlog "
                                  "first (`modlean simulate --cases`); none: the horizon decides")
    warmup_days: float = Field(0.0, ge=0, description="days at the start left out of KPIs",
                               json_schema_extra=_unit("d"))
    drain_days: float = Field(7.0, ge=0, le=MAX_DRAIN_DAYS, description="extra days "
                              "simulated after the last arrival so work in progress can "
                              "finish", json_schema_extra=_unit("d", "a year; work still "
                                                                "open after that never ends"))
    seed: int = Field(0, ge=0, description="default random seed")
    item_types: dict[str, ItemType] = Field(description="kinds of work, by name")
    routing: dict[str, Route] = Field(default_factory=dict,
                                      description="human review route per item type")
    workflows: dict[str, Workflow] = Field(
        default_factory=dict, description="human work per item type as a graph of steps "
        "(instead of its routing entry); see docs/scenario.md, Workflows")
    pools: dict[str, Pool] = Field(default_factory=dict, description="reviewer pools by name")
    teams: dict[str, Team] = Field(
        default_factory=dict, description="people shared by several pools (agents with several "
        "skills): a pool with team: <name> is worked by that team's people; see "
        "docs/scenario.md, Teams")
    envelope_events: bool = Field(
        True, description="the simulated log writes submitted, auto_screen, the model's "
        "decisions and decision_sent; false: only the workflow steps' events and the model's "
        "auto_screen of the items it scored (a workflow calibrated in a real log's own "
        "vocabulary)")
    log_names: dict[str, str | None] = Field(
        default_factory=dict, description="the simulated log's events in a real log's words: "
        "{modlean event: log name, or null to leave the event out}; events not named keep "
        "modlean's names (calibrate fills it from the log it reads); see docs/scenario.md, "
        "Event names")
    qa: QA = Field(default_factory=QA, description="QA sampling")
    appeals: Appeals = Field(default_factory=Appeals, description="appeals of rejections")

    @field_validator("item_types", "routing", "pools", "workflows", "teams")
    @classmethod
    def _addressable_names(cls, value: dict[str, Any]) -> dict[str, Any]:
        """Names are path parts of overrides (``pools.<name>.headcount``): no dots or spaces."""
        bad = [name for name in value if not NAME_PATTERN.fullmatch(str(name))]
        if bad:
            safe = safe_names(bad, taken=value)[str(bad[0])]
            raise ValueError(f"names {bad} cannot be used in override paths; expected letters, "
                             f"digits, _ and - only (e.g. {safe!r} for {bad[0]!r})")
        return value

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        expected = unknown_zone(value)
        if expected:
            raise ValueError(f"expected {expected}")
        return value

    @model_validator(mode="after")
    def _warmup_inside(self) -> Scenario:
        if self.warmup_days >= self.horizon_days:
            raise ValueError(f"warmup_days ({self.warmup_days}) is not below horizon_days "
                             f"({self.horizon_days}); expected a warm-up shorter than the "
                             "horizon")
        return self
