"""Part 7 of the report: complaints (Art. 20), disputes (Art. 21), suspensions (Art. 23).

A **complaint** is a case with an event among the mapping's ``complaint_filed``
activities (``appeal_filed``; an import's ``queued:appeal_review``) in the
period; its decision is the first ``complaint_decided`` event after it
(``appeal_decided``, ``appeal_review``), whose ``decision`` is the outcome. A
complaint against a restriction is upheld when the outcome still restricts and
reversed when it does not; a complaint against a notice not acted on is
reversed when the outcome restricts (a restriction newly imposed). A complaint
whose case shows neither a restriction before it nor a notice is counted in the
total only and listed. Partial reversals, complaints closed without a decision
and out-of-court disputes are not in a decision log: left empty and listed.

A **suspension on a repeated offender** (Art. 23(1)) is a restriction in the
period that suspends an account or the service, on the ground of illegal
content, of a seller (the mapping's ``seller_column``) with an earlier
restriction on that ground: the strike history in the log.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from modlean.dsa.annex import indicator_row
from modlean.dsa.mapping import Mapping
from modlean.dsa.report_cases import NOTICE_SOURCES, TRUSTED_FLAGGER
from modlean.dsa.report_measures import HOURS, ILLEGAL

__all__ = ["COMPLAINT_KINDS", "appeals_table", "complaints"]

TABLE = "7_appeals_and_recidivism"
ALL, PLATFORMS = "All", "Only for providers of online platforms"
INTERNAL = "Internal complaints mechanism"
SUBMITTED = "Number of complaints submitted to the internal-complaints mechanism"
NEWLY_IMPOSED = "Number of restrictions newly imposed as a result of an internal complaint"
OUT_OF_COURT = "Out-of-court dispute settlement bodies"
DISPUTES = "Number of disputes submitted to out-of-court dispute settlement bodies"
REPEATED = "Suspensions imposed on repeated offenders"
SUSPENSIONS = ("Number of suspensions enacted for the provision of manifestly illegal content ",
               "Number of suspensions enacted for the provision of manifestly unfounded notices",
               "Number of suspensions enacted for the provision of manifestly unfounded "
               "complaints")
#: Indicator of part 7 -> the case_facts booleans (any of) that put a complaint under it.
COMPLAINT_KINDS = {
    "Complaint regarding a decision to remove or disable access to or restrict visibility of "
    "information": ("vis_removed", "vis_disabled", "vis_demoted", "vis_age", "vis_interaction",
                    "vis_labelled", "vis_other"),
    "Complaint regarding a decision to suspend or terminate the provision of the service":
        ("prov_suspension", "prov_termination"),
    "Complaint regarding a decision to suspend or terminate an account ":
        ("acc_suspension", "acc_termination"),
    "Complaint regarding a decision to restrict the ability to monetise information":
        ("mon_suspension", "mon_termination", "mon_other"),
    "Complaint regarding a decision not to take action on a notice submitted in accordance "
    "with Article 16": ("no_action_notice",),
    "Complaint regarding a decision not to take action on a notice submitted by a Trusted "
    "Flagger in accordance with Article 16": ("no_action_tf",),
}
_MEDIAN_NOTE = (f"{HOURS}, from the complaint's filing to its decision in the log; complaints "
                "still open are left out")


def complaints(log: pd.DataFrame, facts: pd.DataFrame, mapping: Mapping) -> pd.DataFrame:
    """One row per case with a complaint: filed, decided, outcome, and what it was against.

    Columns: ``filed_at``, ``decided_at`` (NaT while open), ``outcome_restricts``,
    ``against_restriction``, ``against_no_action`` (a notice not acted on),
    ``upheld``, ``reversed``, ``hours``, and the facts' restriction kinds.
    """
    case = log["case_id"].astype(str)
    filed = log[log["activity"].isin(mapping.complaint_filed)]
    first = filed.groupby(case[filed.index], sort=False)["timestamp"].min()
    out = pd.DataFrame({"filed_at": first})
    since = case.map(first)
    done = log[log["activity"].isin(mapping.complaint_decided) & since.notna()
               & (log["timestamp"] >= since)]
    decision = done.assign(case=case[done.index]).drop_duplicates("case", keep="first") \
        .set_index("case")  # the log is in case, time order: the first decision after filing
    out["decided_at"] = decision["timestamp"].reindex(out.index)
    out["outcome_restricts"] = decision["decision"].isin(
        mapping.restricting_decisions).reindex(out.index).fillna(False).astype(bool)
    mine = facts.reindex(out.index)
    out["against_restriction"] = mine["restricted"].fillna(False).astype(bool).to_numpy() & \
        (mine["restricted_at"] <= out["filed_at"]).fillna(False).to_numpy()
    notice = mine["source_type"].isin(NOTICE_SOURCES).to_numpy()
    out["against_no_action"] = ~out["against_restriction"] & notice
    open_ = out["decided_at"].isna()
    out["upheld"] = ~open_ & np.where(out["against_restriction"], out["outcome_restricts"],
                                      out["against_no_action"] & ~out["outcome_restricts"])
    out["reversed"] = ~open_ & np.where(out["against_restriction"], ~out["outcome_restricts"],
                                        out["against_no_action"] & out["outcome_restricts"])
    out["hours"] = (out["decided_at"] - out["filed_at"]).dt.total_seconds() / 3600.0
    for kinds in COMPLAINT_KINDS.values():
        for kind in kinds:
            if kind.startswith("no_action"):
                continue
            out[kind] = out["against_restriction"] & mine[kind].fillna(False).astype(bool)
    tf = mine["source_type"].eq(TRUSTED_FLAGGER).to_numpy()
    out["no_action_notice"] = out["against_no_action"] & ~tf
    out["no_action_tf"] = out["against_no_action"] & tf
    return out


def _median(hours: pd.Series) -> float | None:
    hours = hours.dropna()
    return None if hours.empty else round(float(hours.median()), 2)


def _outcomes(rows: pd.DataFrame, applicability: str, indicator: str, total_applicability: str
              ) -> list[dict[str, object]]:
    return [indicator_row(total_applicability, INTERNAL, indicator, "Total number", len(rows)),
            indicator_row(applicability, INTERNAL, indicator, "Decisions upheld",
                          int(rows["upheld"].sum())),
            indicator_row(applicability, INTERNAL, indicator, "Decisions partially reversed",
                          None),
            indicator_row(applicability, INTERNAL, indicator, "Decisions reversed",
                          int(rows["reversed"].sum())),
            indicator_row(applicability, INTERNAL, indicator, "Median time",
                          _median(rows["hours"]), _MEDIAN_NOTE)]


def appeals_table(every: pd.DataFrame, log: pd.DataFrame, facts: pd.DataFrame,
                  mapping: Mapping, start: pd.Timestamp, end: pd.Timestamp
                  ) -> tuple[list[dict[str, object]], list[dict[str, str]]]:
    """Part 7's rows (without service and period) and its not-supported rows.

    ``every`` is :func:`complaints` of the whole log; those filed in the period count.
    """
    period = every[every["filed_at"].ge(start) & every["filed_at"].lt(end)]
    gaps: list[dict[str, str]] = []
    rows = _outcomes(period, PLATFORMS, SUBMITTED, ALL)
    rows.append(indicator_row(PLATFORMS, INTERNAL, SUBMITTED, "Decision omitted", None))
    newly = int((period["against_no_action"] & period["reversed"]).sum())
    rows.append(indicator_row(PLATFORMS, INTERNAL, NEWLY_IMPOSED, "Total number", newly))
    for indicator, kinds in COMPLAINT_KINDS.items():
        rows += _outcomes(period[period[list(kinds)].any(axis=1)], PLATFORMS, indicator,
                          PLATFORMS)
    gaps.append({"table": TABLE, "row": "every complaint indicator",
                 "column": "Decisions partially reversed", "reason": "the log records each "
                 "complaint's decision as restricting or not, never a partial reversal"})
    gaps.append({"table": TABLE, "row": SUBMITTED, "column": "Decision omitted",
                 "reason": "the log does not record complaints closed without a decision"})
    unknown = period[~period["against_restriction"] & ~period["against_no_action"]]
    if len(unknown):
        gaps.append({"table": TABLE, "row": SUBMITTED, "column": "Decisions upheld / reversed",
                     "reason": f"{len(unknown):,} complaints are in the total only: their cases "
                     "show no restriction before the complaint and are no notice (a simulated "
                     "log carries the final decision, so a reversed restriction no longer "
                     "shows)"})
    for scope in ("Total number", "Decisions upheld", "Decisions partially reversed",
                  "Decisions reversed", "Median time", "Decision omitted",
                  "Percentage of outcomes implemented"):
        rows.append(indicator_row(PLATFORMS, OUT_OF_COURT, DISPUTES, scope, None))
    gaps.append({"table": TABLE, "row": DISPUTES, "column": "all scopes", "reason":
                 "out-of-court disputes (Art. 21) are settled outside the platform's tools "
                 "and are not in the log"})
    suspended, note = _repeat_suspensions(log, facts, mapping, start, end)
    rows.append(indicator_row(PLATFORMS, REPEATED, SUSPENSIONS[0], "Total number", suspended,
                              note if suspended is not None else ""))
    if suspended is None:
        gaps.append({"table": TABLE, "row": SUSPENSIONS[0].strip(), "column": "Value",
                     "reason": note})
    for indicator in SUSPENSIONS[1:]:
        rows.append(indicator_row(PLATFORMS, REPEATED, indicator, "Total number", None))
        gaps.append({"table": TABLE, "row": indicator, "column": "Value", "reason":
                     "the log does not mark notices or complaints as manifestly unfounded"})
    return rows, gaps


def _repeat_suspensions(log: pd.DataFrame, facts: pd.DataFrame, mapping: Mapping,
                        start: pd.Timestamp, end: pd.Timestamp) -> tuple[int | None, str]:
    """Art. 23(1) suspensions in the period, or None with the reason the log cannot show them."""
    column = mapping.seller_column
    if column not in log:
        return None, (f"the log has no seller column ({column!r}, the mapping's "
                      "report.seller_column), so no strike history per seller")
    seller = log.groupby(log["case_id"].astype(str), sort=False)[column].first()
    strikes = facts[facts["restricted"] & facts["decision_ground"].eq(ILLEGAL)].assign(
        seller=lambda t: seller.reindex(t.index).to_numpy()).dropna(subset=["seller"])
    note = ("account or service suspensions on the ground of illegal content of sellers with an "
            "earlier illegal-content restriction in the log; whether the content was manifestly "
            "illegal and a warning was given (Art. 23(1)) is the reviewer's call, not in the log")
    if strikes.empty:
        return 0, note
    first_strike = strikes.groupby("seller")["restricted_at"].min()
    suspends = strikes[(strikes["acc_suspension"] | strikes["prov_suspension"])
                       & strikes["restricted_at"].ge(start) & strikes["restricted_at"].lt(end)]
    repeated = suspends["restricted_at"] > suspends["seller"].map(first_strike)
    return int(repeated.sum()), note
