"""QA sampling maths: how many decisions to check, and what the checks say.

- :func:`sample_size_for_rate` — n to estimate an error rate within ±e
  (``n0 = z² p(1−p)/e²``, finite-population correction, rounded up);
- :func:`allocate_strata` — proportional or Neyman allocation of n over strata;
- :func:`acceptance_plan` / :func:`code_letter` — ISO 2859-1 / ANSI/ASQ Z1.4
  single sampling, normal inspection (code letter, n, Ac/Re) for a lot;
- :func:`proportion_ci` — Wilson or Clopper-Pearson interval;
- :func:`stratified_estimate` — p̂_st = Σ W_h p̂_h with its variance and CI;
- :func:`horvitz_thompson` — error rate from units sampled with unequal
  inclusion probabilities (e.g. auto-decided items sampled at 0.5%, human ones
  at 3%).

Worked values (DOMAIN §2.4) are reproduced by ``z = 1.96`` and rounding up;
the exact normal quantile gives the same six numbers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats

from modlean.errors import ParameterError

__all__ = [
    "AQL_VALUES",
    "CODE_LETTER_SAMPLE_SIZE",
    "AcceptancePlan",
    "IntervalEstimate",
    "acceptance_plan",
    "allocate_strata",
    "code_letter",
    "horvitz_thompson",
    "proportion_ci",
    "sample_size_for_rate",
    "stratified_estimate",
    "z_value",
]

#: Sample size of each code letter (ISO 2859-1 Table II-A; the letters I and O are not used).
CODE_LETTER_SAMPLE_SIZE: dict[str, int] = {
    "A": 2, "B": 3, "C": 5, "D": 8, "E": 13, "F": 20, "G": 32, "H": 50, "J": 80,
    "K": 125, "L": 200, "M": 315, "N": 500, "P": 800, "Q": 1250, "R": 2000,
}
_LETTERS = list(CODE_LETTER_SAMPLE_SIZE)

#: Upper lot-size bound of each row of ISO 2859-1 Table I and the letters for levels I, II, III.
_CODE_LETTER_ROWS: list[tuple[float, str, str, str]] = [
    (8, "A", "A", "B"),
    (15, "A", "B", "C"),
    (25, "B", "C", "D"),
    (50, "C", "D", "E"),
    (90, "C", "E", "F"),
    (150, "D", "F", "G"),
    (280, "E", "G", "H"),
    (500, "F", "H", "J"),
    (1_200, "G", "J", "K"),
    (3_200, "H", "K", "L"),
    (10_000, "J", "L", "M"),
    (35_000, "K", "M", "N"),
    (150_000, "L", "N", "P"),
    (500_000, "M", "P", "Q"),
    (math.inf, "N", "Q", "R"),
]
_LEVELS = {"I": 1, "II": 2, "III": 3}

#: AQLs (percent nonconforming) supported by :func:`acceptance_plan`, and the code letter at
#: which each one's Ac=0/Re=1 plan sits in the normal-inspection master table.
_ZERO_PLAN_LETTER: dict[float, str] = {
    0.025: "N", 0.04: "M", 0.065: "L", 0.10: "K", 0.15: "J", 0.25: "H", 0.40: "G",
    0.65: "F", 1.0: "E", 1.5: "D", 2.5: "C", 4.0: "B", 6.5: "A",
}
AQL_VALUES: tuple[float, ...] = tuple(sorted(_ZERO_PLAN_LETTER))

#: Acceptance numbers along each AQL's diagonal from the 1/2 plan on (Re = Ac + 1).
_AC_SEQUENCE = (1, 2, 3, 5, 7, 10, 14, 21)


def z_value(confidence: float = 0.95, *, exact: bool = False) -> float:
    """The two-sided normal quantile for ``confidence``.

    ``exact=False`` (the default) rounds to two decimals, the textbook convention
    (1.96 at 95%, 2.58 at 99%, 1.64 at 90%) that the DOMAIN worked values use.
    """
    if not 0 < confidence < 1:
        raise ParameterError(f"confidence {confidence!r}: expected a number between 0 and 1")
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    return z if exact else round(z, 2)


def sample_size_for_rate(
    error_rate: float,
    margin: float,
    *,
    confidence: float = 0.95,
    population: int | None = None,
    exact_z: bool = False,
) -> int:
    """Decisions to sample to estimate an error rate within ± ``margin``.

    ``n0 = z² p(1−p) / e²``; with a population N, ``n = n0 / (1 + (n0 − 1)/N)``;
    rounded up.

    Parameters
    ----------
    error_rate:
        The expected error rate p (use 0.5 when nothing is known).
    margin:
        The half-width e of the confidence interval, as a proportion (0.02 = ±2 pp).
    confidence:
        Two-sided confidence level.
    population:
        Decisions in the lot or period (finite-population correction), or None.
    exact_z:
        Use the exact normal quantile instead of the two-decimal one (1.96).

    Returns
    -------
    int
        The sample size; never more than ``population``.

    Examples
    --------
    >>> sample_size_for_rate(0.05, 0.02)
    457
    """
    if not 0 < error_rate < 1:
        raise ParameterError(f"error rate {error_rate!r}: expected a proportion between 0 and 1")
    if not 0 < margin < 1:
        raise ParameterError(f"margin {margin!r}: expected a proportion between 0 and 1, "
                             "e.g. 0.02 for ±2 percentage points")
    z = z_value(confidence, exact=exact_z)
    n0 = z * z * error_rate * (1 - error_rate) / (margin * margin)
    if population is not None:
        if population < 1:
            raise ParameterError(f"population {population!r}: expected a whole number ≥ 1")
        n0 = n0 / (1 + (n0 - 1) / population)
    # round() first so that 384.0000000001 from floating point does not become 385
    n = math.ceil(round(n0, 9))
    return min(n, population) if population is not None else n


def allocate_strata(
    n: int,
    sizes: Mapping[str, int] | pd.Series,
    *,
    method: str = "proportional",
    error_rates: Mapping[str, float] | pd.Series | None = None,
    minimum: int = 0,
) -> pd.Series:
    """Split a QA sample of ``n`` over strata.

    Parameters
    ----------
    n:
        Total sample size.
    sizes:
        Stratum name -> population size N_h.
    method:
        ``"proportional"`` (n_h ∝ N_h) or ``"neyman"`` (n_h ∝ N_h √(p_h(1−p_h)),
        which oversamples strata with error rates nearer 50%).
    error_rates:
        Expected p_h per stratum (required for Neyman).
    minimum:
        Smallest sample per stratum (capped at N_h), e.g. enough to see an error at all.

    Returns
    -------
    pandas.Series
        n_h per stratum (integers summing to n, each ≤ N_h), by largest remainder.
    """
    size = pd.Series(sizes, dtype="float64")
    if size.empty or (size < 0).any() or size.isna().any():
        raise ParameterError(f"stratum sizes {dict(size)!r}: expected non-negative counts")
    if n < 0 or n > size.sum():
        raise ParameterError(f"sample size {n!r}: expected 0 to {int(size.sum())} "
                             "(the total of the strata)")
    if method == "proportional":
        weight = size
    elif method == "neyman":
        if error_rates is None:
            raise ParameterError("Neyman allocation needs error_rates for every stratum")
        p = pd.Series(error_rates, dtype="float64").reindex(size.index)
        if p.isna().any() or ((p < 0) | (p > 1)).any():
            missing = list(p.index[p.isna() | (p < 0) | (p > 1)])
            raise ParameterError(f"error_rates for strata {missing}: expected a proportion "
                                 "between 0 and 1 for each")
        weight = size * np.sqrt(p * (1 - p))
        if weight.sum() == 0:
            weight = size
    else:
        raise ParameterError(f"method {method!r}: expected 'proportional' or 'neyman'")
    floor = np.minimum(size, minimum)
    rest = n - floor.sum()
    if rest < 0:
        raise ParameterError(f"minimum {minimum} per stratum needs {int(floor.sum())} "
                             f"but the sample size is {n}")
    alloc = floor.copy()
    capacity = size - floor
    # loop over strata that hit their size (a handful), re-sharing what they cannot take
    while rest > 1e-9 and (capacity > 1e-9).any():
        open_ = capacity > 1e-9
        share = weight.where(open_, 0.0)
        share = share / share.sum() if share.sum() > 0 else open_ / open_.sum()
        add = np.minimum(share * rest, capacity)
        alloc += add
        capacity -= add
        rest = n - alloc.sum()
    base = np.floor(alloc + 1e-9)
    short = round(n - base.sum())
    if short > 0:
        remainder = (alloc - base).where(base < size, -1.0)
        order = remainder.sort_values(ascending=False, kind="stable").index[:short]
        base[order] += 1
    return base.astype("int64").rename("n")


@dataclass(frozen=True)
class AcceptancePlan:
    """An ISO 2859-1 single sampling plan, normal inspection.

    Attributes
    ----------
    lot_size, level, aql:
        What was asked.
    code_letter:
        Table I letter for the lot size and level.
    plan_letter:
        The letter whose plan is used after following the table's arrows.
    sample_size:
        Items to inspect (the whole lot when the plan's n is at least the lot).
    accept, reject:
        Ac and Re: accept the lot with ≤ Ac defects, reject it with ≥ Re.
    full_inspection:
        True when n ≥ lot size (inspect 100%).
    """

    lot_size: int
    level: str
    aql: float
    code_letter: str
    plan_letter: str
    sample_size: int
    accept: int
    reject: int
    full_inspection: bool

    def decide(self, defects: int) -> str:
        """``"accept"`` when ``defects`` ≤ Ac, else ``"reject"``."""
        if defects < 0:
            raise ParameterError(f"defects {defects!r}: expected a count ≥ 0")
        return "accept" if defects <= self.accept else "reject"

    def to_dict(self) -> dict[str, object]:
        """The plan as a plain dict (for JSON)."""
        return asdict(self)


def code_letter(lot_size: int, level: str = "II") -> str:
    """ISO 2859-1 / Z1.4 Table I sample-size code letter for a lot (general levels I, II, III)."""
    if level not in _LEVELS:
        raise ParameterError(f"inspection level {level!r}: expected one of I, II, III")
    if lot_size < 2:
        raise ParameterError(f"lot size {lot_size!r}: expected 2 or more items")
    for upper, *letters in _CODE_LETTER_ROWS:
        if lot_size <= upper:
            return letters[_LEVELS[level] - 1]
    raise AssertionError("unreachable")  # pragma: no cover


def _normal_plan(letter: str, aql: float) -> tuple[str, int]:
    """(plan letter, Ac) of the normal-inspection master table, arrows followed."""
    zero = _LETTERS.index(_ZERO_PLAN_LETTER[aql])
    i = _LETTERS.index(letter)
    if i <= zero:  # above the 0/1 plan the arrow points down to it
        return _LETTERS[zero], 0
    if i in (zero + 1,):  # up arrow just below the 0/1 plan
        return _LETTERS[zero], 0
    if i == zero + 2:  # down arrow to the 1/2 plan
        return _LETTERS[zero + 3], 1
    step = i - (zero + 3)
    if step < len(_AC_SEQUENCE):
        return letter, _AC_SEQUENCE[step]
    last = zero + 3 + len(_AC_SEQUENCE) - 1  # beyond 21/22 the arrow points up to it
    return _LETTERS[last], _AC_SEQUENCE[-1]


def acceptance_plan(lot_size: int, *, level: str = "II", aql: float = 2.5) -> AcceptancePlan:
    """Single sampling plan, normal inspection, per ISO 2859-1:1999 / ANSI/ASQ Z1.4-2008.

    Parameters
    ----------
    lot_size:
        Items in the lot, e.g. one reviewer-day of decisions.
    level:
        General inspection level ``"I"``, ``"II"`` (the default) or ``"III"``.
    aql:
        Acceptance quality limit in percent nonconforming; one of :data:`AQL_VALUES`.

    Returns
    -------
    AcceptancePlan

    Notes
    -----
    Arrows in the master table are followed to the first plan below (or above),
    and that plan's sample size is used, as the standard says. Switching to
    tightened or reduced inspection is not modelled.

    Examples
    --------
    >>> p = acceptance_plan(1000, aql=2.5)
    >>> (p.code_letter, p.sample_size, p.accept, p.reject)
    ('J', 80, 5, 6)
    """
    key = next((a for a in AQL_VALUES if math.isclose(a, float(aql))), None)
    if key is None:
        raise ParameterError(f"AQL {aql!r}: expected one of {', '.join(map(str, AQL_VALUES))} "
                             "(percent nonconforming)")
    letter = code_letter(int(lot_size), level)
    plan_letter, ac = _normal_plan(letter, key)
    n = CODE_LETTER_SAMPLE_SIZE[plan_letter]
    full = n >= lot_size
    return AcceptancePlan(
        lot_size=int(lot_size), level=level, aql=key, code_letter=letter,
        plan_letter=plan_letter, sample_size=min(n, int(lot_size)), accept=ac, reject=ac + 1,
        full_inspection=full,
    )


@dataclass(frozen=True)
class IntervalEstimate:
    """A proportion with its confidence interval.

    ``n`` is the (effective) sample size behind it.
    """

    estimate: float
    low: float
    high: float
    n: float
    method: str
    confidence: float

    def to_dict(self) -> dict[str, float | str]:
        """The estimate as a plain dict."""
        return asdict(self)


def proportion_ci(
    successes: int | float | np.ndarray,
    n: int | float | np.ndarray,
    *,
    confidence: float = 0.95,
    method: str = "wilson",
) -> tuple[np.ndarray, np.ndarray]:
    """Confidence interval of a proportion (vectorised over arrays).

    ``method="wilson"`` or ``"clopper-pearson"`` (exact, also ``"beta"``). Wald is
    not offered: it fails at the small error rates QA deals in. Where n is 0 the
    interval is (0, 1).
    """
    k = np.asarray(successes, dtype="float64")
    m = np.asarray(n, dtype="float64")
    if np.any(m < 0) or np.any(k < 0) or np.any(k > m):
        raise ParameterError(f"successes {successes!r} out of n {n!r}: expected 0 ≤ k ≤ n")
    alpha = 1 - confidence
    if method == "wilson":
        z = stats.norm.ppf(1 - alpha / 2)
        with np.errstate(invalid="ignore", divide="ignore"):
            p = k / m
            denom = 1 + z * z / m
            centre = (p + z * z / (2 * m)) / denom
            half = z * np.sqrt(p * (1 - p) / m + z * z / (4 * m * m)) / denom
            low, high = centre - half, centre + half
    elif method in ("clopper-pearson", "beta", "exact"):
        with np.errstate(invalid="ignore", divide="ignore"):
            low = np.where(k > 0, stats.beta.ppf(alpha / 2, k, m - k + 1), 0.0)
            high = np.where(k < m, stats.beta.ppf(1 - alpha / 2, k + 1, m - k), 1.0)
    else:
        raise ParameterError(f"interval method {method!r}: expected 'wilson' or "
                             "'clopper-pearson'")
    low = np.where(m > 0, np.clip(low, 0, 1), 0.0)
    high = np.where(m > 0, np.clip(high, 0, 1), 1.0)
    return low, high


def stratified_estimate(
    errors: Mapping[str, float] | pd.Series,
    sampled: Mapping[str, float] | pd.Series,
    sizes: Mapping[str, float] | pd.Series,
    *,
    confidence: float = 0.95,
) -> tuple[IntervalEstimate, pd.DataFrame]:
    """Stratified error rate p̂_st = Σ W_h p̂_h, W_h = N_h/N.

    Var = Σ W_h² p̂_h(1−p̂_h)/n_h · (1 − n_h/N_h). The interval is Wilson's on the
    effective sample size p̂(1−p̂)/Var (Korn & Graubard), which stays inside [0, 1].

    Parameters
    ----------
    errors, sampled, sizes:
        Per stratum: errors found, decisions sampled (n_h) and decisions in the
        population (N_h).

    Returns
    -------
    (IntervalEstimate, pandas.DataFrame)
        The overall estimate and a table per stratum (N, n, errors, p, weight, CI).
    """
    table = pd.DataFrame({"N": pd.Series(sizes, dtype="float64"),
                          "n": pd.Series(sampled, dtype="float64"),
                          "errors": pd.Series(errors, dtype="float64")})
    bad = table.index[table.isna().any(axis=1) | (table["n"] > table["N"])
                      | (table["errors"] > table["n"]) | (table < 0).any(axis=1)]
    if len(bad):
        h = bad[0]
        raise ParameterError(f"stratum {h!r}: N={table.at[h, 'N']}, n={table.at[h, 'n']}, "
                             f"errors={table.at[h, 'errors']}; expected 0 ≤ errors ≤ n ≤ N "
                             "given for every stratum")
    if (table["n"] == 0).any():
        h = table.index[table["n"] == 0][0]
        raise ParameterError(f"stratum {h!r} has no sampled decisions; expected n ≥ 1 in "
                             "every stratum (merge it with a neighbour)")
    table["p"] = table["errors"] / table["n"]
    table["weight"] = table["N"] / table["N"].sum()
    var_h = table["p"] * (1 - table["p"]) / table["n"] * (1 - table["n"] / table["N"])
    p_st = float((table["weight"] * table["p"]).sum())
    var = float((table["weight"] ** 2 * var_h).sum())
    lo_h, hi_h = proportion_ci(table["errors"], table["n"], confidence=confidence)
    table["low"], table["high"] = lo_h, hi_h
    n_eff = p_st * (1 - p_st) / var if var > 0 else float(table["n"].sum())
    lo, hi = proportion_ci(p_st * n_eff, n_eff, confidence=confidence)
    est = IntervalEstimate(p_st, float(lo), float(hi), float(n_eff), "stratified-wilson",
                           confidence)
    return est, table


def horvitz_thompson(
    outcome: Sequence[float] | np.ndarray | pd.Series,
    inclusion_probability: Sequence[float] | np.ndarray | pd.Series,
    *,
    population: float | None = None,
    confidence: float = 0.95,
) -> IntervalEstimate:
    """Error rate from units sampled with unequal inclusion probabilities π_i.

    Each sampled unit counts 1/π_i times. With ``population`` N known the
    Horvitz-Thompson estimate is Σ y_i/π_i ÷ N; otherwise the Hájek ratio
    Σ (y_i/π_i) ÷ Σ (1/π_i). The variance is the Poisson-sampling one,
    Σ (1−π_i)/π_i² (y_i − p̂)² ÷ N̂², and the interval Wilson's on the effective n.

    Parameters
    ----------
    outcome:
        1 where QA found an error (or the item violating), 0 otherwise.
    inclusion_probability:
        Each unit's probability of being sampled, e.g. 0.005 for auto-approved
        and 0.03 for human-reviewed decisions.
    """
    y = np.asarray(outcome, dtype="float64")
    pi = np.asarray(inclusion_probability, dtype="float64")
    if y.shape != pi.shape or y.size == 0:
        raise ParameterError(f"outcome ({y.size} values) and inclusion_probability "
                             f"({pi.size} values): expected the same, non-zero length")
    if np.any((pi <= 0) | (pi > 1) | np.isnan(pi)):
        raise ParameterError("inclusion_probability: expected every value in (0, 1]; found "
                             f"{pi[(pi <= 0) | (pi > 1) | np.isnan(pi)][:3].tolist()}")
    if np.any(np.isnan(y)):
        raise ParameterError("outcome: found missing values; expected 0/1 for every unit")
    w = 1.0 / pi
    n_hat = float(population) if population is not None else float(w.sum())
    p = float((w * y).sum() / n_hat)
    var = float(((1 - pi) / pi**2 * (y - p) ** 2).sum() / n_hat**2)
    n_eff = p * (1 - p) / var if var > 0 else float(y.size)
    lo, hi = proportion_ci(min(max(p, 0.0), 1.0) * n_eff, n_eff, confidence=confidence)
    method = "horvitz-thompson" if population is not None else "hajek"
    return IntervalEstimate(p, float(lo), float(hi), float(n_eff), method, confidence)
