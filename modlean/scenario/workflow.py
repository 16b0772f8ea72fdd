"""The workflow schema: an item type's human work as a small graph of steps.

``workflows: {<item type>: {start: <step>, steps: {<name>: Step}}}``. An item
the ML pre-filter sends to people enters its type's workflow at ``start`` and
walks from step to step along the routes until a route goes to ``done``:

* ``review``: one review in a pool (handling from the pool's handling for the
  item type unless the step gives its own; the pool's accuracy decides approve
  or reject);
* ``dual_review``: two independent reviews in one pool; when they agree the
  routes apply, when they disagree the item goes to the ``tie_break`` step;
* ``wait``: an external delay (a seller's response, a vendor's turnaround),
  cut at ``timeout_hours`` when given;
* ``system``: no work and no time, a routing point (it may set a ``decision``).

A step may carry the activity names it logs (``activity``, ``queued_activity``),
so a simulated log speaks a real log's vocabulary; by default a step ``X`` logs
``queued_X`` and ``review_X`` (``wait_X`` for a wait).

Routes are an ordered list; consecutive routes with the same ``when`` form a
group, the first group whose ``when`` matches is taken and one route of it is
drawn by ``p``. Cross-field checks (unknown steps and pools, reachability,
probabilities) are in :mod:`modlean.scenario.workflow_checks`; the simulator
walks a workflow in :mod:`modlean.simulation.walk`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from modlean.scenario.fields import (
    MAX_HOURS,
    NAME_PATTERN,
    WHY_HOURS,
    Handling,
    Probability,
    StrictModel,
    unit_info,
    why_info,
)

__all__ = ["DONE", "KIND_FIELDS", "MAX_PASSES", "Delay", "EventName", "Step", "StepRoute", "When",
           "Workflow"]

#: The route target that ends a workflow (a reserved step name).
DONE = "done"

#: Steps an item may take in a workflow; an item still walking after them means a loop
#: taken too often (the simulator refuses it; the expected-work arithmetic stops there).
MAX_PASSES = 200

#: The fields each step kind may set (besides ``kind``, ``routes`` and ``priority``).
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "review": ("pool", "handling", "activity", "queued_activity"),
    "dual_review": ("pool", "handling", "tie_break", "activity", "queued_activity"),
    "wait": ("wait", "timeout_hours", "activity"),
    "system": ("decision",),
}

#: An event name a step logs: a name, ``False`` (no event), or None (the default name).
EventName = str | Literal[False] | None


class When(StrictModel):
    """The condition of a route group; every given condition must hold."""

    decision: Literal["approve", "reject"] | None = Field(
        None, description="the decision so far (of the last review, or an agreed dual review)")
    label: str | list[str] | None = Field(
        None, description="the item's label (its rejection reason code), or any of a list")
    score: list[float] | None = Field(
        None, description="a model score band [low, high); items without a score never match")
    timed_out: bool | None = Field(
        None, description="the wait step's timeout cut the wait (only on a wait step with "
        "timeout_hours)")

    @field_validator("score")
    @classmethod
    def _band(cls, value: list[float] | None) -> list[float] | None:
        if value is not None and (len(value) != 2 or not value[0] < value[1]):
            raise ValueError(f"expected a band [low, high) with low < high (got {value})")
        return value

    def labels(self) -> list[str]:
        """The labels this condition names ([] when it names none)."""
        if self.label is None:
            return []
        return [self.label] if isinstance(self.label, str) else list(self.label)


class StepRoute(StrictModel):
    """One way out of a step."""

    to: str = Field(description=f"the next step, or '{DONE}' to end the workflow")
    p: Probability = Field(1.0, description="probability within its group (consecutive "
                           "routes with the same when); a group sums to 1")
    when: When | None = Field(None, description="the group's condition; none: any item "
                              "(only the last group may have none)")


class Delay(StrictModel):
    """A delay in hours: a wait step's (a seller's response, a vendor's turnaround), or a
    pool's handoff (before the work joins its queue) or pickup (work waiting for someone to
    take it, whoever is free)."""

    dist: Literal["lognormal", "exponential", "constant", "empirical"] = Field(
        "lognormal", description="lognormal (by mean and CV), exponential, constant, or "
        "empirical (resampled from values)")
    mean_hours: float = Field(24.0, gt=0, le=MAX_HOURS, description="mean delay (ignored for "
                              "empirical)", json_schema_extra=unit_info("h", WHY_HOURS))
    cv: float = Field(1.0, ge=0, le=20, description="coefficient of variation (lognormal "
                      "only)", json_schema_extra=why_info("a CV above 20 is a typo"))
    values: list[float] = Field(default_factory=list, description="observed delays for "
                                "empirical", json_schema_extra=unit_info("h"))

    @model_validator(mode="after")
    def _empirical_has_values(self) -> Delay:
        if self.dist == "empirical" and (not self.values or min(self.values) <= 0):
            raise ValueError("an empirical delay needs values: a list of positive hours")
        if self.values and max(self.values) > MAX_HOURS:
            raise ValueError(f"expected delays <= {MAX_HOURS:g} h ({WHY_HOURS}); found "
                             f"{max(self.values):g}")
        return self

    @model_serializer(mode="wrap")
    def _only_what_its_dist_reads(self, handler: SerializerFunctionWrapHandler
                                  ) -> dict[str, Any]:
        """Written with the fields its ``dist`` reads: an empirical delay without a mean and
        CV it ignores, the others without values (a scenario file then says what runs)."""
        data = handler(self)
        if isinstance(data, dict):
            unread = ("mean_hours", "cv") if self.dist == "empirical" else \
                ("values",) if self.dist == "lognormal" else ("values", "cv")
            for key in unread:
                data.pop(key, None)
        return data

    @property
    def mean(self) -> float:
        """The mean delay in hours (the values' mean for an empirical one)."""
        return sum(self.values) / len(self.values) if self.dist == "empirical" else \
            self.mean_hours


class Step(StrictModel):
    """One step of a workflow; which fields apply depends on ``kind`` (:data:`KIND_FIELDS`)."""

    kind: Literal["review", "dual_review", "wait", "system"] = Field(
        description="review, dual_review, wait or system")
    pool: str | None = Field(None, description="the reviewing pool (review, dual_review)")
    handling: Handling | None = Field(None, description="handling time of this step (review, "
                                      "dual_review); none: the pool's for the item type")
    tie_break: str | None = Field(None, description="the step a disagreement goes to "
                                  "(dual_review)")
    wait: Delay | None = Field(None, description="the delay (wait)")
    timeout_hours: float | None = Field(None, gt=0, le=MAX_HOURS, description="the wait ends "
                                        "here at the latest (wait)",
                                        json_schema_extra=unit_info("h", WHY_HOURS))
    decision: Literal["approve", "reject"] | None = Field(
        None, description="a decision the step sets without a review (system)")
    activity: EventName = Field(
        None, description="the activity its review (or wait) logs, in the log's words; "
        "false: no event; none: review_<step> (wait_<step>)")
    queued_activity: EventName = Field(
        None, description="the activity logged when the item joins the queue (review, "
        "dual_review); false: no event; none: queued_<step>")
    priority: int = Field(0, description="lower is served first in 'priority' pools")
    routes: list[StepRoute] = Field(min_length=1, description="the ways out, in order; the "
                                    "first group whose when matches is taken")

    @field_validator("activity", "queued_activity")
    @classmethod
    def _event_name(cls, value: str | Literal[False] | None) -> str | Literal[False] | None:
        if isinstance(value, str) and not value.strip():
            raise ValueError("expected an activity name, or false for no event (found an "
                             "empty name)")
        return value

    @model_validator(mode="after")
    def _fields_of_kind(self) -> Step:
        allowed = KIND_FIELDS[self.kind]
        extra = [f for f in self.model_fields_set
                 if f not in (*allowed, "kind", "routes", "priority")
                 and getattr(self, f) is not None]
        if extra:
            raise ValueError(f"{', '.join(sorted(extra))} does not apply to a {self.kind} step;"
                             f" expected only {', '.join(allowed)} besides kind and routes")
        needed = {"review": "pool", "dual_review": "pool", "wait": "wait"}.get(self.kind)
        if needed and getattr(self, needed) is None:
            example = "a pool name" if needed == "pool" else "{mean_hours: 48}"
            raise ValueError(f"a {self.kind} step needs {needed}; expected {needed}: "
                             f"{example}")
        if self.kind == "dual_review" and self.tie_break is None:
            raise ValueError("a dual_review step needs tie_break: the step a disagreement "
                             "goes to")
        return self

    def groups(self) -> list[tuple[When | None, list[int]]]:
        """The route groups in order: a condition and the positions of its routes."""
        out: list[tuple[When | None, list[int]]] = []
        for i, route in enumerate(self.routes):
            if out and out[-1][0] == route.when:
                out[-1][1].append(i)
            else:
                out.append((route.when, [i]))
        return out

    def targets(self) -> list[str]:
        """The steps (or ``done``) an item can go to next: routes with p > 0, the tie-break."""
        out = [r.to for r in self.routes if r.p > 0]
        return [*out, self.tie_break] if self.tie_break else out

    def event_names(self, name: str) -> tuple[str | None, str | None]:
        """The activities this step (called ``name``) logs: its queued event (reviews) and
        its review or wait event; None where it logs none (a system step logs nothing)."""
        if self.kind == "system":
            return None, None
        main = f"wait_{name}" if self.kind == "wait" else f"review_{name}"
        queued = None if self.kind == "wait" else f"queued_{name}"
        return (_named(self.queued_activity, queued), _named(self.activity, main))

    @property
    def decides(self) -> bool:
        """True when the item has a decision after this step (a review or a system decision)."""
        return self.kind in ("review", "dual_review") or self.decision is not None


def _named(given: str | Literal[False] | None, default: str | None) -> str | None:
    """An event name as given, the default when none is, None when ``False``."""
    if given is False:
        return None
    return default if given is None else given


class Workflow(StrictModel):
    """The human work of one item type: a start step and the steps by name."""

    start: str = Field(description="the step items enter at")
    steps: dict[str, Step] = Field(min_length=1, description="the steps by name")

    @field_validator("steps")
    @classmethod
    def _names(cls, value: dict[str, Step]) -> dict[str, Step]:
        bad = [n for n in value if not NAME_PATTERN.fullmatch(str(n)) or n == DONE]
        if bad:
            raise ValueError(f"step names {bad} cannot be used; expected letters, digits, _ "
                             f"and - only, and not '{DONE}' (the end of the workflow)")
        return value
