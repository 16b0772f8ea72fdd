"""The 5×5 likelihood × impact matrix: bands from levels, levels from numbers (DOMAIN §7).

:class:`RiskMatrix` holds the descriptors, the band grid (a lookup, never the
raw L×I product) with its severity overrides, and the numeric anchors that turn
a rate, a frequency, a probability or a cost into a level 1-5
(:func:`likelihood_from_rate`, :func:`likelihood_from_frequency`,
:func:`likelihood_from_probability`, :func:`likelihood_level`,
:func:`impact_from_cost`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from modlean.errors import ParameterError

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

__all__ = [
    "BANDS",
    "DEFAULT_MATRIX",
    "Override",
    "RiskMatrix",
    "impact_from_cost",
    "likelihood_from_frequency",
    "likelihood_from_probability",
    "likelihood_from_rate",
    "likelihood_level",
]

#: Risk bands, lowest first.
BANDS = ("Low", "Medium", "High", "Critical")
_BAND_CODE = {"L": "Low", "M": "Medium", "H": "High", "C": "Critical"}


@dataclass(frozen=True)
class Override:
    """A band floor for some cells: impact in [impact_min, impact_max] and
    likelihood in [likelihood_min, likelihood_max] are at least ``at_least``."""

    at_least: str
    impact_min: int = 1
    impact_max: int = 5
    likelihood_min: int = 1
    likelihood_max: int = 5


_DEFAULT_GRID = (  # rows L1..L5, columns I1..I5 (DOMAIN §7)
    "LLLMM",
    "LLMMH",
    "LMMHH",
    "LMHHC",
    "MHHCC",
)


@dataclass(frozen=True)
class RiskMatrix:
    """The 5×5 matrix: descriptors, band grid, overrides and numeric anchors.

    Attributes
    ----------
    likelihood, impact:
        Descriptors of levels 1-5.
    grid:
        Five strings of five band letters (L/M/H/C), likelihood 1 first, impact 1..5.
    overrides:
        Floors applied after the grid (by default: I4 with L1 at least Medium;
        any I5 with L ≥ 2 at least High).
    rate_anchors:
        Lower bounds of the per-decision rate for L2..L5 (1e-6, 1e-5, 1e-4, 1e-3).
    frequency_anchors:
        Lower bounds of events per year for L2..L5 (1/3, 1, 4, 52) [A].
    frequency_midpoints:
        Events per year assumed for L1..L5 when a risk gives no frequency [A].
    cost_anchors:
        Lower bounds of EUR per event for I2..I5 (10k, 100k, 1M, 10M).
    cost_midpoints:
        EUR per event assumed for I1..I5 when a risk gives no cost [A].
    """

    likelihood: tuple[str, ...] = ("Rare", "Unlikely", "Possible", "Likely", "Almost certain")
    impact: tuple[str, ...] = ("Negligible", "Minor", "Moderate", "Major", "Severe")
    grid: tuple[str, ...] = _DEFAULT_GRID
    overrides: tuple[Override, ...] = (
        Override("Medium", impact_min=4, impact_max=4, likelihood_max=1),
        Override("High", impact_min=5, likelihood_min=2),
    )
    rate_anchors: tuple[float, ...] = (1e-6, 1e-5, 1e-4, 1e-3)
    frequency_anchors: tuple[float, ...] = (1 / 3, 1.0, 4.0, 52.0)
    frequency_midpoints: tuple[float, ...] = (0.2, 0.6, 1.5, 8.0, 52.0)
    cost_anchors: tuple[float, ...] = (1e4, 1e5, 1e6, 1e7)
    cost_midpoints: tuple[float, ...] = (5e3, 5.5e4, 5.5e5, 5.5e6, 3e7)
    _lookup: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        where = "risk matrix"
        if len(self.likelihood) != 5 or len(self.impact) != 5:
            raise ParameterError(f"{where}: expected 5 likelihood and 5 impact descriptors")
        if len(self.grid) != 5 or any(len(r) != 5 for r in self.grid):
            raise ParameterError(f"{where} grid {self.grid!r}: expected 5 rows of 5 letters")
        bad = {c for r in self.grid for c in r} - set(_BAND_CODE)
        if bad:
            raise ParameterError(f"{where} grid: letters {sorted(bad)}; expected L, M, H, C")
        for o in self.overrides:
            if o.at_least not in BANDS:
                raise ParameterError(f"{where} override {o!r}: at_least must be one of {BANDS}")
        for name, n in (("rate_anchors", 4), ("frequency_anchors", 4), ("cost_anchors", 4),
                        ("frequency_midpoints", 5), ("cost_midpoints", 5)):
            values = getattr(self, name)
            numbers = all(isinstance(v, int | float) and not isinstance(v, bool)
                          and math.isfinite(v) for v in values)
            if len(values) != n or not numbers or any(b <= a for a, b in pairwise(values)):
                raise ParameterError(f"{where} {name} {values!r}: expected {n} increasing "
                                     "finite numbers")
        table = np.zeros((6, 6), dtype=int)
        for li, row in enumerate(self.grid, start=1):
            for ii, letter in enumerate(row, start=1):
                table[li, ii] = BANDS.index(_BAND_CODE[letter])
        for o in self.overrides:
            sl = (slice(o.likelihood_min, o.likelihood_max + 1),
                  slice(o.impact_min, o.impact_max + 1))
            table[sl] = np.maximum(table[sl], BANDS.index(o.at_least))
        object.__setattr__(self, "_lookup", table)

    def band_index(self, likelihood: ArrayLike, impact: ArrayLike) -> np.ndarray:
        """Band as 0 (Low) .. 3 (Critical) for arrays of levels."""
        li = np.asarray(likelihood, dtype=int)
        ii = np.asarray(impact, dtype=int)
        if np.any((li < 1) | (li > 5) | (ii < 1) | (ii > 5)):
            raise ParameterError("likelihood and impact levels: expected whole numbers 1-5")
        return self._lookup[li, ii]

    def band(self, likelihood: ArrayLike, impact: ArrayLike) -> np.ndarray | str:
        """Band name ("Low" .. "Critical") for levels (scalars or arrays)."""
        out = np.asarray(BANDS, dtype=object)[self.band_index(likelihood, impact)]
        return str(out) if np.ndim(out) == 0 else out

    def table(self) -> pd.DataFrame:
        """The matrix as a table: likelihood 5 at the top, impact 1..5 across, "H (12)"."""
        rows = {}
        for li in range(5, 0, -1):
            rows[f"{li} {self.likelihood[li - 1]}"] = [
                f"{BANDS[self._lookup[li, ii]][0]} ({li * ii})" for ii in range(1, 6)]
        return pd.DataFrame(rows, index=[f"{i} {d}" for i, d in enumerate(self.impact, 1)]).T

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for YAML."""
        return {
            "likelihood": list(self.likelihood), "impact": list(self.impact),
            "grid": list(self.grid),
            "overrides": [o.__dict__.copy() for o in self.overrides],
            "rate_anchors": list(self.rate_anchors),
            "frequency_anchors": list(self.frequency_anchors),
            "frequency_midpoints": list(self.frequency_midpoints),
            "cost_anchors": list(self.cost_anchors),
            "cost_midpoints": list(self.cost_midpoints),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None, source: str = "matrix") -> RiskMatrix:
        """Build from a YAML mapping; keys left out keep their defaults."""
        if not data:
            return cls()
        if not isinstance(data, Mapping):
            raise ParameterError(f"{source}: expected a mapping of matrix settings")
        known = {"likelihood", "impact", "grid", "overrides", "rate_anchors",
                 "frequency_anchors", "frequency_midpoints", "cost_anchors", "cost_midpoints"}
        unknown = set(data) - known
        if unknown:
            raise ParameterError(f"{source}: unknown key(s) {sorted(unknown)}; expected some "
                                 f"of {sorted(known)}")
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            if key == "overrides":
                try:
                    kwargs[key] = tuple(Override(**o) for o in value)
                except TypeError as exc:
                    raise ParameterError(f"{source}.overrides: {exc}; expected entries like "
                                         "{at_least: High, impact_min: 5, likelihood_min: 2}"
                                         ) from None
            elif key == "grid":
                rows = [r.replace(" ", "") if isinstance(r, str) else "".join(r)
                        for r in value]
                # YAML writers show likelihood 5 first; accept the top-down order too
                kwargs[key] = tuple(rows)
            else:
                kwargs[key] = tuple(value)
        return cls(**kwargs)


DEFAULT_MATRIX = RiskMatrix()


# ---------------------------------------------------------------- levels from numbers


def _level(values: ArrayLike, anchors: Sequence[float], name: str) -> np.ndarray | int:
    x = np.asarray(values, dtype="float64")
    if np.any(np.isnan(x) | (x < 0)):
        raise ParameterError(f"{name} {values!r}: expected numbers ≥ 0")
    out = 1 + np.searchsorted(np.asarray(anchors), x, side="right")
    return int(out) if out.ndim == 0 else out


def likelihood_from_rate(rate_per_decision: ArrayLike, matrix: RiskMatrix = DEFAULT_MATRIX
                         ) -> np.ndarray | int:
    """Likelihood level from a per-decision rate (DOMAIN §7 anchors).

    < 1 in 1,000,000 → 1; up to 1 in 100,000 → 2; up to 1 in 10,000 → 3;
    up to 1 in 1,000 → 4; above → 5. A rate exactly on an anchor takes the
    higher level.

    Examples
    --------
    >>> likelihood_from_rate(0.004)   # 4 in 1,000 decisions
    5
    """
    return _level(rate_per_decision, matrix.rate_anchors, "rate per decision")


def likelihood_from_frequency(per_year: ArrayLike, matrix: RiskMatrix = DEFAULT_MATRIX
                              ) -> np.ndarray | int:
    """Likelihood level from events per year: < 1/3 → 1, < 1 → 2, < 4 → 3, < 52 → 4, else 5."""
    return _level(per_year, matrix.frequency_anchors, "events per year")


def likelihood_from_probability(probability: ArrayLike, *, period_days: float = 7.0,
                                matrix: RiskMatrix = DEFAULT_MATRIX) -> np.ndarray | int:
    """Likelihood level from the probability that the event happens in one period.

    E.g. P(SLA breach in a simulated week) across replications. The probability
    becomes a yearly rate λ = −ln(1 − p) × 365 / period_days (a Poisson
    process), then :func:`likelihood_from_frequency`.
    """
    p = np.asarray(probability, dtype="float64")
    if np.any(np.isnan(p) | (p < 0) | (p > 1)):
        raise ParameterError(f"probability {probability!r}: expected values between 0 and 1")
    if period_days <= 0:
        raise ParameterError(f"period_days {period_days!r}: expected a positive number")
    with np.errstate(divide="ignore"):
        per_year = -np.log1p(-np.minimum(p, 1 - 1e-12)) * 365.0 / period_days
    return likelihood_from_frequency(per_year, matrix)


def likelihood_level(*, rate_per_decision: float | None = None,
                     per_year: float | None = None,
                     matrix: RiskMatrix = DEFAULT_MATRIX) -> int:
    """The higher of the rate-based and the frequency-based likelihood (DOMAIN §7)."""
    levels = []
    if rate_per_decision is not None:
        levels.append(int(likelihood_from_rate(rate_per_decision, matrix)))
    if per_year is not None:
        levels.append(int(likelihood_from_frequency(per_year, matrix)))
    if not levels:
        raise ParameterError("likelihood_level: give rate_per_decision, per_year or both")
    return max(levels)


def impact_from_cost(cost: ArrayLike, matrix: RiskMatrix = DEFAULT_MATRIX) -> np.ndarray | int:
    """Impact level from EUR per event: < 10k → 1, < 100k → 2, < 1M → 3, < 10M → 4, else 5."""
    return _level(cost, matrix.cost_anchors, "cost")
