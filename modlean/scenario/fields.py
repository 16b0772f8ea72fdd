"""Field types shared by the scenario's sections: bounds, StrictModel, Handling.

The building blocks :mod:`modlean.scenario.schema` and
:mod:`modlean.scenario.workflow` both use: checked probabilities and hours,
the bounds a real marketplace never reaches (each with its reason, shown in
messages and in docs/scenario-reference.md), the strict base model and the
handling-time distribution.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from modlean._util import ascii_fold

__all__ = [
    "MAX_BACKLOG",
    "MAX_COST_PER_HOUR",
    "MAX_DRAIN_DAYS",
    "MAX_HANDLING_S",
    "MAX_HEADCOUNT",
    "MAX_HORIZON_DAYS",
    "MAX_HOURS",
    "MAX_MULTIPLIER",
    "MAX_VOLUME_PER_DAY",
    "NAME_PATTERN",
    "WHY_COST",
    "WHY_HANDLING",
    "WHY_HOURS",
    "WHY_MULTIPLIER",
    "WHY_VOLUME",
    "Handling",
    "HourOfDay",
    "Probability",
    "StrictModel",
    "check_hour",
    "check_probability",
    "safe_names",
    "unit_info",
    "why_info",
]


# --------------------------------------------------------------------------- field types

def check_probability(value: float) -> float:
    """The value when it is a probability (0..1); a ValueError for pydantic otherwise."""
    if not 0.0 <= value <= 1.0 or math.isnan(value):
        raise ValueError("expected a probability between 0 and 1")
    return value


def check_hour(value: float) -> float:
    """The value when it is an hour of the day (0..24); a ValueError for pydantic otherwise."""
    if not 0.0 <= value <= 24.0 or math.isnan(value):
        raise ValueError("expected an hour of the day between 0 and 24")
    return value


#: Names of item types and pools: parts of dotted override paths.
NAME_PATTERN = re.compile(r"[A-Za-z0-9_-]+")


def safe_names(names: Iterable[str], taken: Iterable[str] = ()) -> dict[str, str]:
    """Each of ``names`` as a name override paths take (:data:`NAME_PATTERN`).

    A name that fits is kept; another has its accents folded (``Zdjęcie`` ->
    ``Zdjecie``, ``Łódź`` -> ``Lodz``) and any other run of characters written
    ``_``, with ``_2``, ``_3`` ... added where it would meet a name kept, made before
    or in ``taken``. Returns ``{name: safe name}`` for every distinct name, in order.
    """
    unique = list(dict.fromkeys(str(n) for n in names))
    used = set(map(str, taken)) | {n for n in unique if NAME_PATTERN.fullmatch(n)}
    out: dict[str, str] = {}
    for name in unique:
        if NAME_PATTERN.fullmatch(name):
            out[name] = name
            continue
        base = re.sub(r"[^A-Za-z0-9_-]+", "_", ascii_fold(name)).strip("_") or "unnamed"
        safe, k = base, 2
        while safe in used:
            safe, k = f"{base}_{k}", k + 1
        used.add(safe)
        out[name] = safe
    return out

Probability = Annotated[float, AfterValidator(check_probability)]
HourOfDay = Annotated[float, AfterValidator(check_hour)]


def unit_info(unit: str, why: str = "") -> dict[str, Any]:
    """A field's unit (and the reason for its bound) for the generated reference."""
    return {"unit": unit, "why": why} if why else {"unit": unit}


def why_info(why: str) -> dict[str, Any]:
    """The reason for a field's bound, for messages and the generated reference."""
    return {"why": why}


# Upper bounds a real marketplace never reaches: past them a value is a typo (an extra
# zero, minutes for seconds) and would only exhaust memory. Each is documented with its
# reason in docs/scenario.md ("Bounds"); the reason is part of the error message.
#: Items of one type a day.
MAX_VOLUME_PER_DAY = 1e9
#: Days of arrivals in one run.
MAX_HORIZON_DAYS = 1830.0
#: Days of drain after the last arrival.
MAX_DRAIN_DAYS = 366.0
#: Reviewers in one pool.
MAX_HEADCOUNT = 100_000.0
#: Cost of one paid hour, in the scenario's currency.
MAX_COST_PER_HOUR = 1e7
#: Seconds of one reviewer's work on one item.
MAX_HANDLING_S = 86_400.0
#: Hours in SLA targets, ages and delays: a year (a leap year).
MAX_HOURS = 8_784.0
#: A day's volume multiplier (weekly profile, surges).
MAX_MULTIPLIER = 100.0
#: Items already waiting at the start.
MAX_BACKLOG = 1e9

WHY_VOLUME = ("no marketplace receives a billion items of one type a day; "
              "a larger figure is a typo")
WHY_HOURS = "a year; a longer time is likely minutes typed as hours"
WHY_HANDLING = ("a full day of one reviewer's work on one item; a larger figure is likely "
                "minutes or hours typed as seconds")
WHY_COST = ("10 million an hour is above a senior specialist's billed rate even in "
            "currencies with small units (IDR, VND)")
WHY_MULTIPLIER = "100x a normal day is past any sale event's peak; a larger figure is a typo"


class StrictModel(BaseModel):
    """Base of every scenario section: unknown keys are errors, assignment is validated,
    and numbers must be finite (``.inf`` and ``.nan`` are refused by field path)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)



class Handling(StrictModel):
    """A handling-time distribution (seconds of reviewer work per item)."""

    dist: Literal["lognormal", "exponential", "constant", "empirical"] = Field(
        "lognormal", description="lognormal (by mean and CV), exponential, constant, or "
        "empirical (resampled from values)")
    mean_s: float = Field(60.0, gt=0, le=MAX_HANDLING_S,
                          description="mean handling time (ignored for empirical)",
                          json_schema_extra=unit_info("s", WHY_HANDLING))
    cv: float = Field(0.6, ge=0, le=20, description="coefficient of variation (lognormal only)",
                      json_schema_extra=why_info("a CV above 20 puts nearly all the work in a "
                                             "handful of items; a typo"))
    values: list[float] = Field(default_factory=list,
                                description="observed handling times for empirical",
                                json_schema_extra=unit_info("s"))

    @model_validator(mode="after")
    def _empirical_has_values(self) -> Handling:
        if self.dist == "empirical" and (not self.values or min(self.values) <= 0):
            raise ValueError("an empirical distribution needs values: a list of positive "
                             "handling times in seconds")
        if self.values and max(self.values) > MAX_HANDLING_S:
            raise ValueError(f"expected handling times <= {MAX_HANDLING_S:,.0f} s "
                             f"({WHY_HANDLING}); found {max(self.values):g}")
        return self

    @property
    def mean(self) -> float:
        """The mean handling time in seconds."""
        if self.dist == "empirical":
            return float(sum(self.values) / len(self.values))
        return self.mean_s


