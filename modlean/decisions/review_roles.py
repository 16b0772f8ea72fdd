"""Who reviewed each case, in any vocabulary: first and second review, QA and appeal.

Calibration must not depend on modlean's activity names. Here an activity is a
*QA check* when it is named ``qa_sample`` (modlean's) or ``qa_review`` (an
import's) or carries the word QA, an *appeal* when its name contains "appeal",
and any other event worked by a person is a *review*. Per case,
:func:`review_roles` gives the pool of its first review, of a second review
before any QA or appeal (an escalation; a review after QA is rework), of its QA
check and of its appeal, and when the appeal was filed and the decision it
contests was made.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from modlean.eventlog import QA_EVENT

__all__ = ["ROLE_COLUMNS", "activity_kinds", "review_roles"]

#: The columns of :func:`review_roles`.
ROLE_COLUMNS = ["first_pool", "second_pool", "qa_pool", "appeal_pool", "appeal_at",
                "decided_before_appeal"]
_QA_WORD = r"(?:^|[^a-z])qa(?:[^a-z]|$)"


def activity_kinds(activity: pd.Series) -> pd.Series:
    """``review``, ``qa`` or ``appeal`` per event, from its activity name."""
    name = activity.astype(str).str.lower()
    qa = name.isin(["qa_sample", QA_EVENT]) | name.str.contains(_QA_WORD, regex=True)
    appeal = name.str.contains("appeal", regex=False)
    return pd.Series(np.select([qa.to_numpy(), appeal.to_numpy()], ["qa", "appeal"], "review"),
                     index=activity.index)


def review_roles(events: pd.DataFrame, human: pd.Series) -> pd.DataFrame:
    """Per case (index ``case_id``): the :data:`ROLE_COLUMNS`.

    ``events`` are all the log's events sorted by case and time (``case_id``,
    ``activity``, ``timestamp``, ``pool``); ``human`` marks the events a person
    worked. ``appeal_at`` is the first appeal event (filed or queued), and
    ``decided_before_appeal`` the end of the last review before it.
    """
    kind = activity_kinds(events["activity"])
    case = events["case_id"]
    cases = pd.Index(case.unique(), name="case_id")
    out = pd.DataFrame(index=cases, columns=ROLE_COLUMNS, dtype=object)
    other = (kind != "review").to_numpy()
    cut = events["timestamp"].where(other).groupby(case, sort=False).transform("min")
    reviews = events[(kind == "review").to_numpy() & human.to_numpy()
                     & ~(events["timestamp"] >= cut).to_numpy()]
    nth = reviews.groupby("case_id", sort=False).cumcount().to_numpy()
    for col, k in (("first_pool", 0), ("second_pool", 1)):
        picked = reviews[nth == k]
        out[col] = picked.set_index("case_id")["pool"].reindex(cases)
    for col, which in (("qa_pool", "qa"), ("appeal_pool", "appeal")):
        worked = events[(kind == which).to_numpy() & human.to_numpy()]
        out[col] = worked.groupby("case_id", sort=False)["pool"].first().reindex(cases)
    appeal_at = events["timestamp"].where((kind == "appeal").to_numpy()).groupby(
        case, sort=False).min()
    out["appeal_at"] = appeal_at.reindex(cases)
    done = events[(kind == "review").to_numpy() & human.to_numpy()]
    before = done["timestamp"] < out["appeal_at"].reindex(done["case_id"]).to_numpy()
    out["decided_before_appeal"] = done[before.to_numpy()].groupby(
        "case_id", sort=False)["timestamp"].max().reindex(cases)
    return out
