"""QA and appeals read from a log: sampling rates, pools, the appeal delay, reviewer accuracy.

A case is QA-checked when it has a QA event (:func:`~.review_roles.activity_kinds`),
whoever did it: an export whose profile maps no QA reviewer column still logs its QA
checks (``qa_review`` events without a resource), and the QA rate is the share of
human-reviewed cases with such a check. A log without QA events but with a QA table
(``qa=``) takes the cases the table checked. QA's pool is the pool of the people who
did the checks; when the checks name nobody, pool :data:`QA_POOL` is staffed for the
checks seen (an assumption, listed). Appeals: the pool of the people who worked them,
the rate per rejection (:mod:`~modlean.decisions.calibrate`), the mean delay from
the decision to the appeal, and how often they overturn (:func:`appeal_overturn`).
With a QA table, :func:`accuracy_from_qa` gives each pool's reviewer error rates.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from modlean.decisions.assumptions import Assumptions
from modlean.decisions.discover import empirical_delay
from modlean.decisions.review_roles import SYSTEM_RESOURCES, activity_kinds, pool_of_resource
from modlean.quality import decision_quality, read_qa, with_weights
from modlean.scenario import Scenario
from modlean.simulation import make_plan

__all__ = ["MIN_APPEALS", "QA_POOL", "QA_UTILISATION", "accuracy_from_qa", "appeal_overturn",
           "mode_of", "qa_and_appeals"]

#: The pool of QA checks that name no reviewer.
QA_POOL = "qa"
#: The utilisation an unseen QA pool is sized for.
QA_UTILISATION = 0.8
#: Appeals with a logged outcome needed to calibrate how often an appeal overturns.
MIN_APPEALS = 30


def mode_of(values: pd.Series) -> str | None:
    """The most frequent value (None when there is none)."""
    values = values.dropna()
    return str(values.mode().iloc[0]) if len(values) else None


def accuracy_from_qa(qa: pd.DataFrame | str | Path, *, confidence: float = 0.95
                     ) -> pd.DataFrame:
    """Reviewer error rates per pool from QA re-reviews, QA taken as the truth.

    Either QA shape is read (:func:`modlean.quality.read_qa`): QA's own verdicts, or
    PASS/FAIL, where a failed approval was a violation and a failed rejection was
    not. The pool is the table's ``pool`` column when it has one (an imported
    export's QA), else it follows the log's rule (``l1_listing_007`` ->
    ``l1_listing``); automatic decisions (reviewer ``model`` or ``system``) are left
    out. When the table has an ``inclusion_probability`` column, rows are weighted
    by its inverse.

    Returns
    -------
    pandas.DataFrame
        One row per pool: ``reviews``; ``false_approve`` (approved though QA rejects:
        P(approve | violating), the scenario's ``accuracy.false_approve``) with
        ``false_approve_low`` / ``_high`` and ``violating`` (rows behind it);
        ``false_reject`` (rejected though QA approves: P(reject | clean)) with
        ``false_reject_low`` / ``_high`` and ``clean``.
    """
    table = read_qa(qa)
    human = table[~table["reviewer"].astype(str).isin(SYSTEM_RESOURCES)]
    weight = None
    if "inclusion_probability" in human:
        human, weight = with_weights(human), "weight"
    pools = human["pool"].astype(str) if "pool" in human else pool_of_resource(human["reviewer"])
    rows = []
    for pool, group in human.groupby(pools, sort=True):
        q = decision_quality(group, weight=weight, confidence=confidence)
        fa, fr = q.loc["miss_rate"], q.loc["false_rejection_rate"]
        rows.append({"pool": pool, "reviews": len(group),
                     "false_approve": fa["value"], "false_approve_low": fa["low"],
                     "false_approve_high": fa["high"], "violating": int(fa["n"]),
                     "false_reject": fr["value"], "false_reject_low": fr["low"],
                     "false_reject_high": fr["high"], "clean": int(fr["n"])})
    return pd.DataFrame(rows, columns=["pool", "reviews", "false_approve", "false_approve_low",
                                       "false_approve_high", "violating", "false_reject",
                                       "false_reject_low", "false_reject_high", "clean"])



def qa_and_appeals(df: pd.DataFrame, roles: pd.DataFrame, data: Mapping[str, Any],
                   qa: pd.DataFrame | None, pools: dict[str, Any], days: float,
                   notes: list[str], assume: Assumptions
                   ) -> tuple[dict[str, Any], dict[str, Any], pd.DataFrame | None]:
    """QA and appeals: the QA pool and sampling rates, the appeals pool and delay, and
    (with a QA table ``qa``, as :func:`~modlean.quality.read_qa` gives it) each pool's
    reviewer accuracy, written into ``pools``.

    ``df`` holds the log's events with ``pool`` ("" for nobody's) and ``handling_s``;
    ``roles`` is :func:`~modlean.decisions.review_roles.review_roles`; ``days`` the days
    the log spans. A QA pool nobody is seen working is added to ``pools``.
    """
    qa_settings = dict(data.get("qa", {}))
    kind = activity_kinds(df["activity"])
    checked = roles["qa_checked"].astype(bool)
    checks = int((kind == "qa").sum())
    if not checked.any() and qa is not None and len(qa):
        checked = pd.Series(roles.index.isin(qa["case_id"].astype(str)), index=roles.index)
        checks = len(qa)
        notes.append(f"the log has no QA events: the QA rate comes from the QA table's "
                     f"{checks:,} checks")
    if checked.any():
        hum = roles["first_pool"].notna()
        qa_pool = mode_of(roles["qa_pool"])
        if qa_pool is None:
            qa_pool = QA_POOL if QA_POOL not in pools else f"{QA_POOL}_checks"
            review = df.loc[(kind == "review").to_numpy() & df["pool"].ne("").to_numpy(),
                            "handling_s"]
            pools[qa_pool] = _unseen_qa_pool(qa_pool, checks / max(days, 1.0),
                                             float(review.mean()),
                                             float(qa_settings.get("handling_factor", 1.3)),
                                             _qa_people(qa), assume)
        qa_settings.update({
            "enabled": True, "pool": qa_pool,
            "human_rate": float((checked & hum).sum() / max(hum.sum(), 1)),
            "auto_rate": float((checked & ~hum).sum() / max((~hum).sum(), 1))})
    else:
        qa_settings.update({"enabled": False, "pool": None})
    appeals = dict(data.get("appeals", {}))
    ap_pool = mode_of(roles["appeal_pool"])
    if ap_pool is not None:
        appeals.update({"enabled": True, "pool": ap_pool})
        seen = pools.get(ap_pool, {}).get("handling", {})
        if seen:  # the fallback for item types the pool does not list: its commonest one
            appeals["handling"] = dict(seen.get("*") or next(iter(seen.values())))
        sent = df[df["activity"] == "decision_sent"].groupby("case_id")["timestamp"].first()
        decided = sent.reindex(roles.index).fillna(roles["decided_before_appeal"])
        delay = (roles["appeal_at"] - decided).dt.total_seconds().dropna() / 3600
        if len(delay):
            appeals["delay_hours"] = float(delay.mean())
        if len(delay) >= MIN_APPEALS:  # the log's own shape, not a lognormal of its mean
            appeals["delay"] = empirical_delay(delay.clip(lower=0).to_numpy())
    else:
        appeals.update({"enabled": False, "pool": None})
    accuracy = _qa_accuracy(_in_log_pools(qa, df, pools), pools, notes) \
        if qa is not None else None
    return qa_settings, appeals, accuracy


def _qa_people(qa: pd.DataFrame | None) -> int:
    """The QA reviewers a QA table names (0 when it names none)."""
    if qa is None or "qa_reviewer" not in qa:
        return 0
    return int(qa["qa_reviewer"].dropna().astype(str).str.strip().replace("", None).nunique())


def _unseen_qa_pool(pool: str, per_day: float, review_s: float, factor: float, people: int,
                    assume: Assumptions) -> dict[str, Any]:
    """A QA pool for checks the log's events name nobody for: the QA reviewers the QA table
    names when it names them, else the seats the checks seen need at
    :data:`QA_UTILISATION`, around the clock (QA handling: ``factor`` x the mean review)."""
    review_s = review_s if math.isfinite(review_s) and review_s > 0 else 240.0
    busy = per_day * factor * review_s / 86400          # people busy on average, 24/7
    head = people or max(1, math.ceil(busy / QA_UTILISATION))
    why = (f"the {people} QA reviewers the QA table names, on duty around the clock (the "
           "log has no QA events with their hours)" if people else
           f"the QA checks name no reviewer (no QA reviewer column): seats sized for the "
           f"{per_day:,.0f} checks a day seen, each {factor:g} x the mean review "
           f"({review_s:,.0f} s), at {QA_UTILISATION:.0%} utilisation around the clock")
    assume.add(f"pools.{pool}.headcount", why)
    assume.add("qa.handling_factor", "the QA checks have no start times in the log: QA "
               "handling is this multiple of the review it checks")
    return {"headcount": float(head), "shrinkage": 0.0}


def _in_log_pools(qa: pd.DataFrame, df: pd.DataFrame, pools: Mapping[str, Any]
                  ) -> pd.DataFrame:
    """The QA table with each check in the calibrated pool its reviewer worked in the log,
    where its own ``pool`` (or the reviewer-id rule) names no pool of the calibration."""
    worked = df[df["pool"].ne("")]
    pool_of = worked.groupby(worked["resource"].astype(str))["pool"].agg(
        lambda p: p.mode().iloc[0])
    own = qa["pool"].astype(str) if "pool" in qa else pool_of_resource(qa["reviewer"])
    from_log = qa["reviewer"].astype(str).map(pool_of)
    return qa.assign(pool=own.where(own.isin(list(pools)), from_log.fillna(own)))


def _qa_accuracy(qa: pd.DataFrame | str | Path, pools: dict[str, Any], notes: list[str]
                 ) -> pd.DataFrame:
    """Reviewer error rates from QA (:func:`accuracy_from_qa`) written into ``pools``."""
    accuracy = accuracy_from_qa(qa)
    unseen = accuracy[~accuracy["pool"].isin(list(pools))]
    if len(unseen):
        notes.append(f"{int(unseen['reviews'].sum()):,} QA reviews of {len(unseen)} pool(s) "
                     f"the log does not show are left out: "
                     f"{', '.join(map(repr, unseen['pool'].head(5)))}"
                     + (" ..." if len(unseen) > 5 else ""))
    for r in accuracy.itertuples():
        if r.pool not in pools:
            continue
        old_acc = dict(pools[r.pool].get("accuracy", {}))
        for key, value in (("false_approve", r.false_approve),
                           ("false_reject", r.false_reject)):
            if value == value:          # no QA rows of that kind: keep the default
                old_acc[key] = float(value)
        pools[r.pool]["accuracy"] = old_acc
    notes.append(f"reviewer accuracy from {int(accuracy['reviews'].sum()):,} QA "
                 "re-reviews, QA's decision taken as the truth")
    return accuracy


def appeal_overturn(log: pd.DataFrame, scenario: Scenario, assume: Assumptions
                    ) -> dict[str, float]:
    """The ``appeals`` overturn probabilities that make the scenario overturn the log's
    share of appeals (empty, and nothing assumed, with fewer than :data:`MIN_APPEALS`
    appeals whose outcome the log's ``decision`` gives).

    An appeal overturns when its decision approves (appeals contest rejections). The
    scenario overturns a wrong rejection with ``overturn_if_wrong`` and a right one with
    ``overturn_if_right``; the log cannot tell them apart, so ``overturn_if_right`` is
    kept and ``overturn_if_wrong`` set, unless even 1 would overturn too few: then wrong
    rejections are all overturned and ``overturn_if_right`` makes up the rest. The share
    of wrong rejections among the appealed is read from the scenario's own draws (its
    prevalence, model and accuracy) without simulating the queues
    (:func:`~modlean.simulation.plan.make_plan`).
    """
    if not scenario.appeals.enabled or "decision" not in log:
        return {}
    kind = activity_kinds(log["activity"].astype(str))
    outcome = log.loc[(kind == "appeal").to_numpy(), ["case_id", "decision"]].dropna()
    outcome = outcome[outcome["decision"].astype(str).isin(["approve", "reject"])]
    last = outcome.groupby(outcome["case_id"].astype(str), sort=False)["decision"].last()
    if len(last) < MIN_APPEALS:
        return {}
    observed = float((last.astype(str) == "approve").mean())
    plan = make_plan(scenario, 0, 0)
    if not plan.appealed.any():
        return {}
    wrong = float(np.mean(~plan.violating[plan.appealed]))
    if_right = scenario.appeals.overturn_if_right
    seen = (f"the log overturns {observed:.0%} of {len(last):,} appeals, and in the calibrated "
            f"scenario {wrong:.0%} of the appealed rejections are wrong (its prevalence, model "
            "and accuracy); the truth behind appealed decisions is not in the log")
    if wrong and observed - (1 - wrong) * if_right <= wrong:
        if_wrong = max(observed - (1 - wrong) * if_right, 0.0) / wrong
        assume.add("appeals.overturn_if_wrong", f"set so the scenario overturns as often: "
                   f"{seen}", replace=True)
        assume.add("appeals.overturn_if_right", "a log cannot tell a right rejection from a "
                   "wrong one: a default, which sets how much of the overturned share is read "
                   "as wrong rejections")
        return {"overturn_if_wrong": round(if_wrong, 3)}
    assume.add("appeals.overturn_if_wrong", f"every wrong rejection appealed is overturned, and "
               f"still too few would be: {seen}", replace=True)
    assume.add("appeals.overturn_if_right", "set so the scenario overturns as often as the log: "
               "appeals also overturn rejections its accuracy counts as right (or that "
               f"accuracy is too good): {seen}")
    return {"overturn_if_wrong": 1.0,
            "overturn_if_right": round((observed - wrong) / (1 - wrong), 3)}
