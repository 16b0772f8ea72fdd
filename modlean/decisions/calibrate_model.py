"""The model pre-filter calibrated from the scores and decisions a log carries.

An export that logs the model's score lets calibration read the model instead of
assuming it. Per case: its score (the first one logged), whether a person
reviewed it (any event by a resource that is not the model, a system or the
seller) and its decision. Then

* the thresholds are read from the auto-decided cases: ``t_low`` separates
  automatic approvals from the rest, ``t_high`` automatic rejections from the
  human-reviewed (:func:`separating_threshold`, the cut with the fewest cases on
  the wrong side);
* the score distribution of each class is a Beta fitted by moments to the
  scores of the violating and the clean cases, where the truth is the log's
  ``true_label`` when it has one, else the decision (an assumption, recorded).

A log without scores but with automatic decisions gets thresholds solved on the
assumed score curves from the automatic shares (:func:`model_from_shares`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.stats import beta

from modlean.scenario import ModelSpec

__all__ = ["MIN_SCORES", "beta_by_moments", "case_facts", "model_from_scores",
           "model_from_shares", "separating_threshold", "solve_threshold"]

#: Scores per class below which a Beta fit is not attempted.
MIN_SCORES = 20


def case_facts(log: pd.DataFrame, system_resources: set[str]) -> pd.DataFrame:
    """Per case (index ``case_id``): ``score`` (first logged, NaN if none), ``human`` (a person
    worked on it), ``decision`` and ``first_decision`` (the last and the first logged
    approve/reject, missing if none) and ``violating`` (from ``true_label`` when logged,
    else NaN)."""
    case = log["case_id"].astype(str)
    resource = log["resource"].astype(str) if "resource" in log else pd.Series("nan",
                                                                                index=log.index)
    person = ~resource.isin(system_resources) & log.get("resource", resource).notna()
    facts = pd.DataFrame({"human": person.groupby(case, sort=False).any()})
    if "model_score" in log:
        facts["score"] = pd.to_numeric(log["model_score"], errors="coerce") \
            .groupby(case, sort=False).first()
    else:
        facts["score"] = np.nan
    if "decision" in log:
        dec = log["decision"].astype("string").str.lower()
        dec = dec.where(dec.isin(["approve", "reject"]))
        order = np.argsort(log["timestamp"].to_numpy(), kind="stable")
        in_time = dec.iloc[order].groupby(case.iloc[order], sort=False)
        facts["decision"] = in_time.last()
        facts["first_decision"] = in_time.first()
    else:
        facts["decision"] = facts["first_decision"] = pd.NA
    if "true_label" in log:
        truth = log["true_label"].astype(str).groupby(case, sort=False).first()
        facts["violating"] = truth.eq("violating").astype(float)
    else:
        facts["violating"] = np.nan
    return facts


def separating_threshold(below: np.ndarray, above: np.ndarray) -> float | None:
    """The cut ``t`` with the fewest of ``below`` at or over it and of ``above`` under it.

    Ties between cuts take the middle of the widest gap of the best ones. None when
    either side is empty.
    """
    below, above = np.asarray(below, float), np.asarray(above, float)
    below, above = below[np.isfinite(below)], above[np.isfinite(above)]
    if not len(below) or not len(above):
        return None
    values = np.unique(np.concatenate([below, above]))
    cuts = np.concatenate([[values[0]], (values[1:] + values[:-1]) / 2, [values[-1] + 1e-9]])
    wrong = (len(below) - np.searchsorted(np.sort(below), cuts, side="left")) \
        + np.searchsorted(np.sort(above), cuts, side="left")
    best = np.flatnonzero(wrong == wrong.min())
    return float(np.clip(cuts[best[len(best) // 2]], 0.0, 1.0))


def beta_by_moments(scores: np.ndarray) -> dict[str, float] | None:
    """Beta shapes ``a``, ``b`` with the scores' mean and variance (None: too few or flat)."""
    x = np.clip(np.asarray(scores, float), 1e-6, 1 - 1e-6)
    x = x[np.isfinite(x)]
    if len(x) < MIN_SCORES:
        return None
    mean, var = float(x.mean()), float(x.var(ddof=1))
    if var <= 0 or var >= mean * (1 - mean):
        return None
    common = mean * (1 - mean) / var - 1
    return {"a": mean * common, "b": (1 - mean) * common}


def model_from_scores(facts: pd.DataFrame, model: dict[str, object]) -> dict[str, object] | None:
    """The model section fitted from the cases' scores, or None when too few are logged.

    ``facts`` are one item type's cases (:func:`case_facts`); ``model`` the section
    to update. Returns the updated section, with ``fitted``: which of ``thresholds``,
    ``violating`` and ``clean`` came from the data and which class stood for the truth.
    """
    scored = facts[facts["score"].notna()]
    if len(scored) < MIN_SCORES:
        return None
    auto = ~scored["human"]
    approve, reject = scored["decision"].eq("approve"), scored["decision"].eq("reject")
    auto_a, auto_r = scored["score"][auto & approve], scored["score"][auto & reject]
    human = scored["score"][scored["human"]]
    out = {**model, "enabled": True}
    fitted: list[str] = []
    t_low = separating_threshold(auto_a.to_numpy(), scored["score"][~(auto & approve)].to_numpy())
    t_high = separating_threshold(human.to_numpy(), auto_r.to_numpy())
    out["t_low"] = t_low if t_low is not None else 0.0
    out["t_high"] = max(out["t_low"], t_high) if t_high is not None else 1.0
    if t_low is not None or t_high is not None:
        fitted.append("thresholds")
    truth = scored["violating"]
    by_truth = truth.notna().any()
    violating = truth.eq(1.0) if by_truth else reject
    clean = truth.eq(0.0) if by_truth else approve
    for name, rows in (("violating", violating), ("clean", clean)):
        shape = beta_by_moments(scored["score"][rows].to_numpy())
        if shape is not None:
            out[name] = shape
            fitted.append(name)
    out["fitted"] = {"parts": fitted, "truth": "true_label" if by_truth else "decision"}
    return out


def solve_threshold(model: ModelSpec, prevalence: float, share: float, upper: bool) -> float:
    """The score threshold giving a share below (or at/above, ``upper``) it."""
    def below(t: float) -> float:
        return float(prevalence * beta.cdf(t, model.violating.a, model.violating.b)
                     + (1 - prevalence) * beta.cdf(t, model.clean.a, model.clean.b))

    target = 1 - share if upper else share
    if target <= 0:
        return 0.0
    if target >= 1:
        return 1.0
    return float(brentq(lambda t: below(t) - target, 0.0, 1.0))


def model_from_shares(it: dict[str, Any], screened: bool, auto_a: float, auto_r: float
               ) -> dict[str, float]:
    """The item type's model: thresholds solved on the score distributions from the automatic
    approve / reject shares when the log shows screening, else disabled (``it`` is updated;
    the thresholds are returned for the routing table)."""
    if not screened:
        it["model"] = {**it.get("model", {}), "enabled": False}
        return {}
    model = ModelSpec(**{**it.get("model", {}), "enabled": True})
    p = it.get("prevalence", 0.1)
    t_low = solve_threshold(model, p, auto_a, upper=False)
    t_high = max(t_low, solve_threshold(model, p, auto_r, upper=True))
    it["model"] = {**model.model_dump(mode="python"), "t_low": t_low, "t_high": t_high}
    return {"t_low": t_low, "t_high": t_high}
