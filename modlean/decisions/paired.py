"""Paired statistics of a what-if: KPI directions, differences with intervals, the decision table.

The statistics here are deliberately plain. Each scenario is simulated with the
same seeds, so replication *r* of the baseline and replication *r* of a
proposal see the same arrivals and items; the difference of a KPI is then
taken replication by replication (a paired comparison), and its 95 % interval
is the Student-t interval of those differences. Pairing removes the noise the
two runs share, which is why the interval is narrower than the one from two
independent samples (:func:`unpaired_difference`, kept for comparison).

A verdict reads the interval with each KPI's good direction (from the KPI
catalogue, :mod:`modlean.kpis`): *better* or
*worse* when the interval excludes zero, *no significant difference* when it
does not, and *changed* for KPIs with no good direction (utilisation).
The KPI lists a decision table is usually read with (:data:`HEADLINE_KPIS`,
:data:`QUALITY_COST_KPIS`) live here too.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from modlean.errors import ParameterError
from modlean.kpis import find

__all__ = [
    "HEADLINE_KPIS",
    "OVERALL_RULE",
    "QUALITY_COST_KPIS",
    "VERDICT_BETTER",
    "VERDICT_CHANGED",
    "VERDICT_MIXED",
    "VERDICT_NONE",
    "VERDICT_WORSE",
    "Difference",
    "decision_table",
    "kpi_direction",
    "overall_verdict",
    "paired_difference",
    "unpaired_difference",
]

VERDICT_BETTER = "better"
VERDICT_WORSE = "worse"
VERDICT_NONE = "no significant difference"
VERDICT_CHANGED = "changed"
VERDICT_MIXED = "mixed"

#: How :func:`overall_verdict` reads the verdicts of one proposal, in words.
OVERALL_RULE = ("better when at least one KPI is significantly better and none significantly "
                "worse; worse when at least one is significantly worse and none better; mixed "
                "when some are better and some worse; otherwise no significant difference "
                "(KPIs with no good direction, such as utilisation, are not counted)")

#: The decision-quality and cost KPIs of a decision table: the ones a forest chart shows
#: well (turnaround, waits and backlog can start near zero, so their relative change explodes).
QUALITY_COST_KPIS = ("accuracy", "false_approve_rate", "false_reject_rate",
                     "exposure_hours_total", "human_review_rate", "appeal_overturn_rate",
                     "cost_per_decision")

#: KPIs shown first in decision tables (``kpis="headline"``).
HEADLINE_KPIS = ("turnaround_p50_h", "turnaround_p95_h", "sla_attainment", "wait_l1_mean_h",
                 "backlog_max", "aged_backlog_max", "accuracy", "false_approve_rate",
                 "false_reject_rate", "exposure_hours_total", "human_review_rate",
                 "appeal_overturn_rate", "cost_total", "cost_per_decision")


def kpi_direction(name: str, directions: Mapping[str, str] | None = None) -> str:
    """The good direction of a KPI: ``"lower"``, ``"higher"`` or ``"none"``.

    An explicit ``directions`` mapping (KPI name -> direction) wins over the KPI
    catalogue (:func:`modlean.kpis.direction`, ``modlean/kpis.yaml``); a name the
    catalogue does not list has no direction (its verdict is *changed*, never
    *better* or *worse*).
    """
    if directions and name in directions:
        value = directions[name]
        if value not in ("lower", "higher", "none"):
            raise ParameterError(f"direction of KPI {name!r}: {value!r} is not one of "
                                 "'lower', 'higher', 'none'")
        return value
    entry = find(name)
    return entry.direction if entry is not None else "none"


@dataclass(frozen=True)
class Difference:
    """A difference of means (proposal minus baseline) with its confidence interval."""

    baseline: float
    proposal: float
    difference: float
    low: float
    high: float
    n: int

    @property
    def relative(self) -> float:
        """The difference as a share of the baseline (NaN when the baseline is 0)."""
        return self.difference / self.baseline if self.baseline else math.nan

    @property
    def significant(self) -> bool:
        """True when the interval excludes zero."""
        return self.low > 0 or self.high < 0


def _t_interval(values: np.ndarray, confidence: float) -> tuple[float, float, float]:
    mean = float(np.mean(values))
    if len(values) < 2:
        return mean, math.nan, math.nan
    sd = float(np.std(values, ddof=1))
    half = stats.t.ppf(0.5 + confidence / 2, len(values) - 1) * sd / math.sqrt(len(values))
    return mean, mean - half, mean + half


def paired_difference(baseline: Sequence[float], proposal: Sequence[float],
                      confidence: float = 0.95) -> Difference:
    """Mean difference ``proposal - baseline`` of paired replications, with a t interval.

    ``baseline[r]`` and ``proposal[r]`` must come from the same replication seed.
    """
    b = np.asarray(baseline, dtype=float)
    p = np.asarray(proposal, dtype=float)
    if b.shape != p.shape:
        raise ParameterError(f"paired samples need the same replications: {len(b)} baseline "
                             f"values vs {len(p)} proposal values")
    _check_confidence(confidence)
    diff, low, high = _t_interval(p - b, confidence)
    return Difference(float(b.mean()), float(p.mean()), diff, low, high, len(b))


def unpaired_difference(baseline: Sequence[float], proposal: Sequence[float],
                        confidence: float = 0.95) -> Difference:
    """Welch's interval for ``mean(proposal) - mean(baseline)`` of independent samples."""
    b = np.asarray(baseline, dtype=float)
    p = np.asarray(proposal, dtype=float)
    _check_confidence(confidence)
    diff = float(p.mean() - b.mean())
    vb, vp = b.var(ddof=1) / len(b), p.var(ddof=1) / len(p)
    se = math.sqrt(vb + vp)
    if se == 0:
        return Difference(float(b.mean()), float(p.mean()), diff, diff, diff, min(len(b), len(p)))
    dof = (vb + vp) ** 2 / (vb**2 / (len(b) - 1) + vp**2 / (len(p) - 1))
    half = stats.t.ppf(0.5 + confidence / 2, dof) * se
    return Difference(float(b.mean()), float(p.mean()), diff, diff - half, diff + half,
                      min(len(b), len(p)))


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ParameterError(f"confidence: {confidence} is not between 0 and 1 "
                             "(e.g. 0.95)")


def _verdict(d: Difference, direction: str) -> str:
    if math.isnan(d.low):
        return VERDICT_NONE
    if not d.significant:
        return VERDICT_NONE
    if direction == "none":
        return VERDICT_CHANGED
    up = d.difference > 0
    return VERDICT_BETTER if up == (direction == "higher") else VERDICT_WORSE


def overall_verdict(verdicts: Iterable[str]) -> str:
    """One proposal's overall reading from its KPIs' verdicts (the rule: :data:`OVERALL_RULE`).

    Returns :data:`VERDICT_BETTER`, :data:`VERDICT_WORSE`, :data:`VERDICT_MIXED` or
    :data:`VERDICT_NONE`.
    """
    seen = set(verdicts)
    better, worse = VERDICT_BETTER in seen, VERDICT_WORSE in seen
    if better and worse:
        return VERDICT_MIXED
    return VERDICT_BETTER if better else VERDICT_WORSE if worse else VERDICT_NONE


def decision_table(kpis: pd.DataFrame, baseline: str, *, confidence: float = 0.95,
                   directions: Mapping[str, str] | None = None,
                   by: Sequence[str] = ()) -> pd.DataFrame:
    """The paired decision table a program manager pastes into a BRD.

    Parameters
    ----------
    kpis:
        Tidy KPI values: columns ``scenario``, ``replication``, ``kpi``, ``value``
        and any grouping columns named in ``by`` (e.g. ``item_type``).
    baseline:
        The name in ``scenario`` of the baseline; every other scenario is a proposal.
    confidence:
        Level of the interval of the paired difference.
    directions:
        Good direction per KPI name, overriding the KPI catalogue's.

    Returns
    -------
    pandas.DataFrame
        One row per proposal x group x KPI: ``baseline_mean``, ``proposal_mean``,
        ``difference``, ``ci_low``, ``ci_high``, ``relative_change``,
        ``direction``, ``verdict`` and ``replications``.
    """
    needed = {"scenario", "replication", "kpi", "value", *by}
    missing = needed - set(kpis.columns)
    if missing:
        raise ParameterError(f"KPI table: missing columns {sorted(missing)}; expected "
                             f"{sorted(needed)}")
    scenarios = list(dict.fromkeys(kpis["scenario"]))
    if baseline not in scenarios:
        raise ParameterError(f"baseline {baseline!r} is not among the scenarios "
                             f"{scenarios}")
    keys = [*by, "kpi"]
    wide = kpis.pivot_table(index=[*keys, "replication"], columns="scenario", values="value",
                            aggfunc="mean", observed=True)
    rows = []
    for proposal in (s for s in scenarios if s != baseline):
        for key, group in wide[[baseline, proposal]].groupby(level=keys, sort=False):
            group = group.dropna()
            if group.empty:
                continue
            key = key if isinstance(key, tuple) else (key,)
            name = key[-1]
            d = paired_difference(group[baseline], group[proposal], confidence)
            direction = kpi_direction(str(name), directions)
            rows.append({
                "proposal": proposal, **dict(zip(keys, key, strict=True)),
                "baseline_mean": d.baseline, "proposal_mean": d.proposal,
                "difference": d.difference, "ci_low": d.low, "ci_high": d.high,
                "relative_change": d.relative, "direction": direction,
                "verdict": _verdict(d, direction), "replications": d.n,
            })
    return pd.DataFrame(rows)
