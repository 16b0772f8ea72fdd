"""Part 8 of the transparency report: the use of automated means (Art. 15(1)(e)).

Counts come from the log: a measure is *solely automated* when its statement's
``automated_decision`` is ``AUTOMATED_DECISION_FULLY`` (the last decider up to
the decision was the model); a notice was processed solely by automated means
when the last decider up to its decision was the model. Accuracy, precision and
recall come from QA samples only (:func:`modlean.quality.decision_quality`,
with Wilson intervals): the QA rows whose production reviewer (or pool) is
automated, on cases decided in the period. Precision from appeals (automated
restrictions not reversed on complaint) is shown beside it as an upper bound:
errors nobody appealed are invisible to it. Without QA checks of automated
decisions the accuracy rows stay empty and are listed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from modlean.dsa.annex import indicator_row
from modlean.dsa.mapping import Mapping
from modlean.dsa.report_cases import NOTICE_SOURCES, OWN_INITIATIVE, TRUSTED_FLAGGER
from modlean.quality import decision_quality

__all__ = ["SCOPES", "automation_table"]

TABLE = "8_automated_means"
SECTION = "Use of automated means for content moderation"
ALL = "All"
HOSTING = "Only for providers of hosting services, including online platforms"
PLATFORMS = "Only for providers of online platforms"
FULLY = "AUTOMATED_DECISION_FULLY"
#: The template's scopes (labels exact) and the applicability of their rows.
SCOPES = {"Total number": ALL, "Own-initiative ": ALL, "NAM Total": HOSTING,
          "NAM Trusted Flagger": PLATFORMS}
ACCURACY = {"accuracy": "Accuracy of the automated means - Accuracy",
            "precision": "Accuracy of the automated means - Precision",
            "recall": "Accuracy of the automated means - Recall"}


def _scope_cases(facts: pd.DataFrame, scope: str, start: pd.Timestamp, end: pd.Timestamp
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(measures or notices counted in the scope, cases whose decision QA may judge)."""
    decided = facts[facts["decided_at"].ge(start) & facts["decided_at"].lt(end)]
    if scope.startswith("NAM"):
        wanted = (TRUSTED_FLAGGER,) if scope == "NAM Trusted Flagger" else NOTICE_SOURCES
        received = facts["received_at"].ge(start) & facts["received_at"].lt(end)
        notices = facts[received & facts["source_type"].isin(wanted)]
        return notices[notices["decided_at"].notna()], decided[
            decided["source_type"].isin(wanted)]
    if scope.startswith("Own"):
        decided = decided[decided["source_type"].eq(OWN_INITIATIVE)]
    measures = decided[decided["restricted"] & decided["restricted_at"].ge(start)
                       & decided["restricted_at"].lt(end)]
    return measures, decided


def _qa_rows(qa: pd.DataFrame, cases: pd.Index, mapping: Mapping) -> pd.DataFrame:
    """QA checks of automated decisions on ``cases``."""
    automated = qa["reviewer"].isin(mapping.automated_resources) if "reviewer" in qa else \
        pd.Series(False, index=qa.index)
    if "pool" in qa:
        automated |= qa["pool"].isin(mapping.automated_pools)
    return qa[automated & qa["case_id"].astype(str).isin(cases)]


def _appeal_upper_bound(measures: pd.DataFrame, complaints: pd.DataFrame) -> str:
    auto = measures[measures["automated_decision"].eq(FULLY)]
    if auto.empty:
        return ""
    reversed_ = complaints["reversed"] & complaints["against_restriction"]
    n_reversed = int(reversed_.reindex(auto.index).fillna(False).sum())
    share = 1 - n_reversed / len(auto)
    return (f"; for comparison, appeal-based precision (solely automated measures not reversed "
            f"on complaint: {len(auto) - n_reversed:,} of {len(auto):,}) is {share:.4f}, an "
            "upper bound: errors nobody appealed are invisible to it")


def _accuracy_rows(scope: str, qa: pd.DataFrame | None, judged: pd.DataFrame,
                   measures: pd.DataFrame, complaints: pd.DataFrame, mapping: Mapping
                   ) -> tuple[list[dict[str, object]], list[dict[str, str]]]:
    applicability = SCOPES[scope]
    rows: list[dict[str, object]] = []
    gaps: list[dict[str, str]] = []
    checks = None if qa is None else _qa_rows(qa, judged.index, mapping)
    quality = None
    if checks is not None and len(checks):
        weight = "weight" if "weight" in checks else None
        quality = decision_quality(checks, positive=mapping.restricting_decisions,
                                   weight=weight)
    made = 0 if checks is None else int(checks["decision"].isin(
        mapping.restricting_decisions).sum())
    for metric, indicator in ACCURACY.items():
        reason = ""
        if qa is None:
            reason = "no QA table was given (--qa): accuracy needs QA checks"
        elif quality is None:
            reason = ("the QA table holds no check of an automated decision (reviewer or pool "
                      "among the mapping's automated ones) on a case decided in the period")
        elif metric == "precision" and made == 0:
            reason = "QA checked no automated restriction in the period"
        elif metric == "recall" and made == len(checks):
            reason = ("QA checked only automated restrictions, no automated approvals, so "
                      "the violations the automated means missed are not seen")
        if reason:
            rows.append(indicator_row(applicability, SECTION, indicator, scope, None))
            gaps.append({"table": TABLE, "row": f"{indicator} ({scope.strip()})",
                         "column": "Value", "reason": reason})
            continue
        assert quality is not None  # reason is set otherwise
        value = quality.loc[metric]
        note = (f"share (0 to 1) from {int(value['n']):,} QA checks of automated decisions; "
                f"95% Wilson interval {value['low']:.4f} to {value['high']:.4f}; QA's "
                "verdict taken as the truth")
        if metric == "precision":
            note += _appeal_upper_bound(measures, complaints)
        rows.append(indicator_row(applicability, SECTION, indicator, scope,
                                  round(float(value["value"]), 4), note))
    return rows, gaps


def automation_table(facts: pd.DataFrame, complaints: pd.DataFrame, qa: pd.DataFrame | None,
                     mapping: Mapping, start: pd.Timestamp, end: pd.Timestamp
                     ) -> tuple[list[dict[str, object]], list[dict[str, str]]]:
    """Part 8's rows (without service and period) and its not-supported rows."""
    rows: list[dict[str, object]] = []
    gaps: list[dict[str, str]] = []
    for scope, applicability in SCOPES.items():
        measures, judged = _scope_cases(facts, scope, start, end)
        if scope.startswith("NAM"):
            solely = measures["decided_by_model"].to_numpy()
            names = ("Number of notices solely processed by automated means ",
                     "Number of notices not processed by automated means")
            note = "notices received in the period and decided; the last decider was the model"
        else:
            solely = measures["automated_decision"].eq(FULLY).to_numpy()
            names = ("Number of measures solely taken by automated means ",
                     "Number of measures not taken by automated means")
            note = ("restrictions decided in the period whose statement says "
                    "AUTOMATED_DECISION_FULLY")
        rows.append(indicator_row(applicability, SECTION, names[0], scope,
                                  int(np.sum(solely)), note))
        rows.append(indicator_row(applicability, SECTION, names[1], scope,
                                  int(np.sum(~solely))))
        more, missing = _accuracy_rows(scope, qa, judged, measures, complaints, mapping)
        rows += more
        gaps += missing
    return rows, gaps
