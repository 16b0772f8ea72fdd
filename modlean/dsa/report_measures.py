"""Parts 4 to 6 of the transparency report: notices, and measures at the provider's own initiative.

- **Part 4, notices** (DSA Art. 15(1)(b), Art. 16): the cases whose source is a
  notice (``SOURCE_ARTICLE_16`` or ``SOURCE_TRUSTED_FLAGGER``) received in the
  period, per category of the action taken; notices not acted on are in
  ``STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE``. The median time to take action
  runs from the notice's first event to the decision, in hours.
- **Parts 5 and 6, own-initiative measures** (Art. 15(1)(c)): the restrictions
  decided in the period whose source is ``SOURCE_VOLUNTARY``, on the ground of
  illegal content (part 5) or the terms and conditions (part 6), per category
  and keyword and per kind of restriction.

Each function returns the part's table and the rows of the not-supported list
(table, row, column, reason) for what the log cannot show.
"""

from __future__ import annotations

import pandas as pd

from modlean.dsa.annex import TOTAL, annex, category_table
from modlean.dsa.report_cases import NOTICE_SOURCES, OWN_INITIATIVE, TRUSTED_FLAGGER

__all__ = ["HOURS", "ILLEGAL", "TERMS", "notices_table", "own_initiative_table"]

ILLEGAL = "DECISION_GROUND_ILLEGAL_CONTENT"
TERMS = "DECISION_GROUND_INCOMPATIBLE_CONTENT"
#: The unit of every median time in the report.
HOURS = "hours"
_NOTICE_FIGURES = annex().notices["figures"]
_OWN_FIGURES = annex().own_initiative["figures"]
#: The own-initiative figures after the two counts: one restriction kind each (report_cases).
_KINDS = ("vis_removed", "vis_disabled", "vis_demoted", "vis_age", "vis_interaction",
          "vis_labelled", "vis_other", "mon_suspension", "mon_termination", "mon_other",
          "prov_suspension", "prov_termination", "acc_suspension", "acc_termination")


def _unsupported(table: str, column: str, reason: str, row: str = "all rows") -> dict[str, str]:
    return {"table": table, "row": row, "column": column.strip(), "reason": reason}


def _hours(later: pd.Series, earlier: pd.Series) -> pd.Series:
    return (later - earlier).dt.total_seconds() / 3600.0


def _uncategorised(table: str, items: pd.DataFrame) -> list[dict[str, str]]:
    """A not-supported row for restrictions the mapping gives no category (counted in TOTAL)."""
    missing = items[items["restricted"] & (items["category"] == "")]
    if missing.empty:
        return []
    labels = ", ".join(sorted(set(missing["label"].replace("", "(no label)"))))
    return [_unsupported(table, "category rows", f"{len(missing):,} restrictions are counted "
                         f"in {TOTAL} only: the mapping gives their labels ({labels}) no "
                         "category", row=TOTAL)]


def notices_table(facts: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp, *,
                  service: str, period: str) -> tuple[pd.DataFrame, list[dict[str, str]]]:
    """Part 4: notices received in [start, end), by category of the action taken."""
    name = "4_notices"
    received = facts["received_at"].ge(start) & facts["received_at"].lt(end)
    items = facts[received & facts["source_type"].isin(NOTICE_SOURCES)].copy()
    items.loc[~items["restricted"], "category"] = annex().notices_only
    tf = items["source_type"].eq(TRUSTED_FLAGGER)
    hours = _hours(items["decided_at"], items["received_at"])
    law = items["restricted"] & items["decision_ground"].eq(ILLEGAL)
    terms = items["restricted"] & items["decision_ground"].eq(TERMS)
    items = items.assign(one=True, tf=tf, hours=hours, hours_tf=hours.where(tf), law=law,
                         law_tf=law & tf, terms=terms, terms_tf=terms & tf)
    f = _NOTICE_FIGURES
    figures = {f[0]: ("sum", "one"), f[1]: ("sum", "tf"), f[4]: ("median", "hours"),
               f[5]: ("median", "hours_tf"), f[6]: ("sum", "law"), f[7]: ("sum", "law_tf"),
               f[8]: ("sum", "terms"), f[9]: ("sum", "terms_tf")}
    median_note = (f"{HOURS}, from the notice's first event in the log to the decision on it "
                   "(the restriction, or the last decision not to act); notices still "
                   "undecided are left out")
    table = category_table(items, "notices", figures, service=service, period=period,
                           context={f[4]: median_note, f[5]: median_note})
    gaps = [_unsupported(name, column, "the log has one case per notice and does not show "
                         "how many items a notifier named in one notice")
            for column in (f[2], f[3])]
    undecided = int(items["decided_at"].isna().sum())
    if undecided:
        gaps.append(_unsupported(name, f[4], f"{undecided:,} notices received in the period "
                                 "have no decision in the log and are left out of the medians"))
    return table, gaps + _uncategorised(name, items)


def own_initiative_table(facts: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp,
                         ground: str, *, service: str, period: str
                         ) -> tuple[pd.DataFrame, list[dict[str, str]]]:
    """Part 5 (``ground`` illegal content) or 6 (terms and conditions): restrictions decided
    in [start, end) at the provider's own initiative."""
    part = "illegal" if ground == ILLEGAL else "terms"
    name = "5_own_initiative_illegal" if part == "illegal" else "6_own_initiative_TC"
    decided = facts["restricted_at"].ge(start) & facts["restricted_at"].lt(end)
    own = facts[decided & facts["source_type"].eq(OWN_INITIATIVE)]
    items = own[own["decision_ground"].eq(ground)].assign(
        one=True, auto_detected=lambda t: t["automated_detection"].eq("Yes"))
    f = _OWN_FIGURES
    figures = {f[0]: ("sum", "one"), f[1]: ("sum", "auto_detected")}
    figures.update({label: ("sum", kind) for label, kind in zip(f[2:], _KINDS, strict=True)})
    table = category_table(items, part, figures, service=service, period=period, context={
        f[1]: "automated_detection Yes: an automated step (the model) screened the item "
              "before the decision"})
    gaps = _uncategorised(name, items)
    if part == "illegal":
        no_ground = own[~own["decision_ground"].isin([ILLEGAL, TERMS])]
        if len(no_ground):
            gaps.append(_unsupported(name, f[0], f"{len(no_ground):,} own-initiative "
                                     "restrictions have no decision_ground in the mapping and "
                                     "are in neither part 5 nor part 6"))
    return table, gaps
