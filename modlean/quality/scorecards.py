"""BPO vendor / site scorecards from a canonical log and a QA table.

:func:`scorecard` gives, per vendor or site, accuracy (QA agreement), mean
handling time, SLA attainment and cost per decision, each with a confidence
interval. Either QA table shape gives the accuracy (QA's verdict, or pass/fail).
A log in modlean's words (``review_l1`` ...) is read by those names; an imported
log in a vendor's words by who did what: its review events are those people did
(not the model, the system, the seller or QA), a case starts at its first event
and is decided at its last review.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from modlean.errors import ParameterError
from modlean.eventlog import NOT_PEOPLE, QA_EVENT
from modlean.quality.qa_table import check_log_columns, check_qa_columns, qa_outcomes
from modlean.quality.sampling import proportion_ci

__all__ = ["scorecard"]

#: modlean's own review, submission and decision activities (a simulated or sample log).
_OWN_REVIEWS = ("review_l1", "review_l2")
_OWN_SUBMIT = "submitted"
_OWN_DECISION = "decision_sent"


def _mean_ci(values: pd.Series, confidence: float) -> tuple[float, float, float]:
    x = values.dropna().to_numpy(dtype="float64")
    if x.size == 0:
        return float("nan"), float("nan"), float("nan")
    m = float(x.mean())
    if x.size < 2:
        return m, float("nan"), float("nan")
    half = float(stats.t.ppf(0.5 + confidence / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))
    return m, m - half, m + half


def scorecard(
    log: pd.DataFrame,
    qa: pd.DataFrame,
    *,
    by: str = "vendor",
    reviewer_groups: Mapping[str, str] | None = None,
    review_activities: Sequence[str] | None = None,
    submit_activity: str | None = None,
    decision_activity: str | None = None,
    sla_hours: float = 24.0,
    cost_per_hour: float | Mapping[str, float] = 9.0,
    productive_share: float = 1.0,
    positive: Sequence[str] | str = ("reject",),
    negative: Sequence[str] | str = ("approve",),
    confidence: float = 0.95,
) -> pd.DataFrame:
    """BPO vendor / site scorecard from a canonical log and a QA table.

    Each review event and QA row belongs to its own ``by`` value when the log
    (or the QA table) has that column, so a reviewer working two pools counts in
    each; otherwise to the group of its reviewer. Each human-reviewed case
    belongs to the group of its last review event. Per group:

    - ``accuracy`` — QA agreement with the production decision, or the share QA
      passed with a pass/fail QA table (Wilson CI);
    - ``aht_s`` — mean handling time of review events, start to end (t CI);
    - ``sla`` — share of the group's cases decided within ``sla_hours`` of
      submission (Wilson CI);
    - ``cost_per_decision`` — handling hours × hourly rate ÷ ``productive_share``
      (the share of billed time spent handling), with the AHT's CI carried through.

    Parameters
    ----------
    log:
        Canonical event log (modlean.eventlog.read_log) with ``start_timestamp`` on review events.
    qa:
        QA table of either shape (:mod:`modlean.quality.qa_table`); its
        ``reviewer`` → ``by`` columns give the grouping when the log has no ``by``
        column and no ``reviewer_groups`` is passed.
    by:
        The grouping, e.g. ``"vendor"`` or ``"site"``.
    reviewer_groups:
        Reviewer id -> group, overriding the above.
    review_activities, submit_activity, decision_activity:
        The review events, and the events a case's turnaround runs between. By
        default modlean's own (``review_l1``/``review_l2``, ``submitted``,
        ``decision_sent``) when the log has them; otherwise every event a person
        did (:data:`~modlean.eventlog.NOT_PEOPLE` and QA are no reviewers), from a
        case's first event to its last review.
    cost_per_hour:
        One billed rate, or a rate per group.
    positive, negative:
        Decision values meaning action / no action (case-insensitive; others are an error).

    Returns
    -------
    pandas.DataFrame
        One row per group with the value, ``_low`` and ``_high`` of each measure
        and the counts behind them (``qa_n``, ``reviews``, ``cases``).
    """
    check_log_columns(log, ("case_id", "activity", "timestamp", "resource"))
    check_qa_columns(qa, ("case_id", "reviewer"))
    outcomes = qa_outcomes(qa, positive, negative)
    if not 0 < productive_share <= 1:
        raise ParameterError(f"productive_share {productive_share!r}: expected (0, 1]")
    groups = _reviewer_groups(log, qa, by, reviewer_groups)
    own_words = _OWN_REVIEWS[0] in set(log["activity"].astype(str))
    if review_activities is None:
        review_activities = _OWN_REVIEWS if own_words else _by_people(log)
    reviews = _review_events(log, groups, review_activities)
    if reviewer_groups is None and by in log.columns:  # a reviewer working two pools counts in each
        reviews["group"] = reviews[by].where(reviews[by].notna(), reviews["group"])
    case_group = reviews.groupby("case_id")["group"].last()
    cases = _turnaround(log, reviews, case_group,
                        submit_activity or (_OWN_SUBMIT if own_words else None),
                        decision_activity or (_OWN_DECISION if own_words else None))

    own = qa[by] if reviewer_groups is None and by in qa.columns else None
    qa_g = qa.assign(group=qa["reviewer"].map(groups) if own is None
                     else own.where(own.notna(), qa["reviewer"].map(groups)),
                     correct=outcomes.correct)

    rows = []
    names = sorted(set(case_group.dropna()) | set(qa_g["group"].dropna()), key=str)
    for g in names:  # one iteration per vendor/site (a handful)
        rate = (cost_per_hour.get(g, np.nan) if isinstance(cost_per_hour, Mapping)
                else float(cost_per_hour))
        row = _group_measures(qa_g[qa_g["group"] == g],
                              cases[cases["group"] == g]["tat_h"].dropna(),
                              reviews.loc[reviews["group"] == g, "handling_s"],
                              sla_hours=sla_hours,
                              scale=rate / 3600 / productive_share, confidence=confidence)
        rows.append({by: g, **row})
    return pd.DataFrame(rows).set_index(by)


def _reviewer_groups(log: pd.DataFrame, qa: pd.DataFrame, by: str,
                     reviewer_groups: Mapping[str, str] | None) -> pd.Series:
    """Reviewer id -> group: the mapping given, else the log's ``by`` column, else the QA's."""
    if reviewer_groups is not None:
        return pd.Series(reviewer_groups, dtype=object)
    if by in log.columns:
        return log.dropna(subset=["resource"]).groupby("resource")[by].last()
    if by in qa.columns:
        return qa.dropna(subset=[by]).groupby("reviewer")[by].last()
    raise ParameterError(f"scorecard by {by!r}: no such column in the log or QA table, "
                         "and no reviewer_groups mapping given")


def _review_events(log: pd.DataFrame, groups: pd.Series,
                   review_activities: Sequence[str]) -> pd.DataFrame:
    """The review events with their reviewer's ``group`` and ``handling_s`` (NaN without starts)."""
    reviews = log[log["activity"].isin(review_activities)].copy()
    if reviews.empty:
        raise ParameterError(f"log: no review events {list(review_activities)}")
    reviews["group"] = reviews["resource"].map(groups)
    if "start_timestamp" in reviews.columns:
        reviews["handling_s"] = (reviews["timestamp"] - reviews["start_timestamp"]
                                 ).dt.total_seconds()
    else:
        reviews["handling_s"] = np.nan
    return reviews


def _by_people(log: pd.DataFrame) -> list[str]:
    """The activities people did in a log in a vendor's words (not the model, the system,
    the seller or QA)."""
    person = log["resource"].notna() & ~log["resource"].astype(str).isin(NOT_PEOPLE)
    done = log.loc[person & log["activity"].astype(str).ne(QA_EVENT), "activity"]
    return sorted(set(done.astype(str)))


def _turnaround(log: pd.DataFrame, reviews: pd.DataFrame, case_group: pd.Series,
                submit_activity: str | None, decision_activity: str | None) -> pd.DataFrame:
    """Per human-reviewed case: its ``group`` and ``tat_h``, submission to decision in hours
    (a case's first event and last review when no activity is named)."""
    by_case = log.groupby("case_id")["timestamp"]
    submitted = by_case.min() if submit_activity is None else \
        log[log["activity"] == submit_activity].groupby("case_id")["timestamp"].min()
    decided = reviews.groupby("case_id")["timestamp"].max() if decision_activity is None else \
        log[log["activity"] == decision_activity].groupby("case_id")["timestamp"].min()
    tat_h = (decided - submitted).dt.total_seconds() / 3600
    return pd.DataFrame({"group": case_group, "tat_h": tat_h.reindex(case_group.index)})


def _group_measures(q: pd.DataFrame, tat_h: pd.Series, handling_s: pd.Series, *,
                    sla_hours: float, scale: float, confidence: float) -> dict[str, float]:
    """One group's scorecard row: accuracy, AHT, SLA and cost (``scale`` = EUR per second)."""
    acc_lo, acc_hi = proportion_ci(q["correct"].sum(), len(q), confidence=confidence)
    met = int((tat_h <= sla_hours).sum())
    sla_lo, sla_hi = proportion_ci(met, len(tat_h), confidence=confidence)
    aht, aht_lo, aht_hi = _mean_ci(handling_s, confidence)
    return {
        "qa_n": len(q),
        "accuracy": q["correct"].mean() if len(q) else np.nan,
        "accuracy_low": float(acc_lo), "accuracy_high": float(acc_hi),
        "reviews": int(handling_s.size),
        "aht_s": aht, "aht_s_low": aht_lo, "aht_s_high": aht_hi,
        "cases": len(tat_h),
        "sla": met / len(tat_h) if len(tat_h) else np.nan,
        "sla_low": float(sla_lo), "sla_high": float(sla_hi),
        "cost_per_decision": aht * scale,
        "cost_per_decision_low": aht_lo * scale,
        "cost_per_decision_high": aht_hi * scale,
    }
