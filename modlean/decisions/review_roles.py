"""Who reviewed each case, in any vocabulary: first and second review, QA and appeal.

Calibration must not depend on modlean's activity names. Here an activity is a
*QA check* when it is named ``qa_sample`` (modlean's) or ``qa_review`` (an
import's) or carries the word QA, an *appeal* when its name contains "appeal",
and any other event worked by a person is a *review*. Per case,
:func:`review_roles` gives the pool of its first review, of a second review
before any QA or appeal (an escalation; a review after QA is rework), of its QA
check and of its appeal, whether anyone QA-checked it (a QA event may name no
reviewer: an export whose profile maps no QA reviewer column), and when the appeal
was filed and the decision it contests was made.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from modlean.eventlog import NOT_PEOPLE, QA_EVENT
from modlean.scenario import safe_names

__all__ = ["ROLE_COLUMNS", "SPREAD_SHARE", "SYSTEM_RESOURCES", "activity_kinds",
           "pool_of_resource", "review_roles", "template_misfits"]

#: Resources that are no person: their events are nobody's work.
SYSTEM_RESOURCES = {*NOT_PEOPLE, "", "nan", "None"}

#: The columns of :func:`review_roles`.
ROLE_COLUMNS = ["first_pool", "second_pool", "reviews", "qa_pool", "qa_checked",
                "appeal_pool", "appeal_at", "decided_before_appeal", "first_activity",
                "second_activity", "qa_activity", "appeal_activity"]
#: Work outside an item type's main pool from this share on is work the fixed template drops.
SPREAD_SHARE = 0.05
_QA_WORD = r"(?:^|[^a-z])qa(?:[^a-z]|$)"


def activity_kinds(activity: pd.Series) -> pd.Series:
    """``review``, ``qa`` or ``appeal`` per event, from its activity name."""
    name = activity.astype(str).str.lower()
    qa = name.isin(["qa_sample", QA_EVENT]) | name.str.contains(_QA_WORD, regex=True)
    appeal = name.str.contains("appeal", regex=False)
    return pd.Series(np.select([qa.to_numpy(), appeal.to_numpy()], ["qa", "appeal"], "review"),
                     index=activity.index)


def pool_of_resource(resource: pd.Series) -> pd.Series:
    """A pool name from a reviewer id (``l1_listing_07`` -> ``l1_listing``), made safe for
    override paths (``appeals.dora`` -> ``appeals_dora``)."""
    base = resource.astype(str).str.replace(r"[_\-]?\d+$", "", regex=True)
    return base.map(safe_names(base.unique()))


def review_roles(events: pd.DataFrame, human: pd.Series) -> pd.DataFrame:
    """Per case (index ``case_id``): the :data:`ROLE_COLUMNS`.

    ``events`` are all the log's events sorted by case and time (``case_id``,
    ``activity``, ``timestamp``, ``pool``); ``human`` marks the events a person
    worked. ``reviews`` counts a case's reviews by people before any QA or appeal.
    ``qa_checked`` is True when the case has a QA event, whoever did it (the
    ``qa_pool`` names the pool of a person's QA check). ``appeal_at`` is the first appeal
    event (filed or queued), and
    ``decided_before_appeal`` the end of the last review before it. The ``*_activity``
    columns name the event of the first and second review, of the QA check (whoever did
    it) and of the appeal's review by a person, in the log's own words.
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
        out[col.replace("pool", "activity")] = picked.set_index("case_id")["activity"] \
            .astype(str).reindex(cases)
    out["reviews"] = reviews.groupby("case_id", sort=False).size().reindex(cases, fill_value=0)
    for col, which in (("qa_pool", "qa"), ("appeal_pool", "appeal")):
        worked = events[(kind == which).to_numpy() & human.to_numpy()]
        out[col] = worked.groupby("case_id", sort=False)["pool"].first().reindex(cases)
        named = worked if which == "appeal" else events[(kind == which).to_numpy()]
        out[f"{which}_activity"] = named["activity"].astype(str).groupby(
            named["case_id"], sort=False).first().reindex(cases)
    out["qa_checked"] = pd.Series((kind == "qa").to_numpy()).groupby(
        case.to_numpy(), sort=False).any().reindex(cases, fill_value=False).astype(bool)
    appeal_at = events["timestamp"].where((kind == "appeal").to_numpy()).groupby(
        case, sort=False).min()
    out["appeal_at"] = appeal_at.reindex(cases)
    done = events[(kind == "review").to_numpy() & human.to_numpy()]
    before = done["timestamp"] < out["appeal_at"].reindex(done["case_id"]).to_numpy()
    out["decided_before_appeal"] = done[before.to_numpy()].groupby(
        "case_id", sort=False)["timestamp"].max().reindex(cases)
    return out


def template_misfits(roles: pd.DataFrame, item_type: pd.Series) -> list[str]:
    """Why the fixed template would drop work, in words (empty when it represents the log).

    The template sends an item type's first review to one pool and its escalation to one
    other; QA and appeals follow. Work is dropped when, for an item type, the first (or
    the second) review is done outside its main pool in at least :data:`SPREAD_SHARE` of
    the cases, or that share of its cases has more than two reviews before QA or an
    appeal (review steps the template has no place for). ``roles`` is
    :func:`review_roles`; ``item_type`` the item type per case.
    """
    out = []
    for t, r in roles.groupby(item_type.reindex(roles.index).astype(str), sort=True):
        for col, what in (("first_pool", "first review"), ("second_pool", "second review")):
            shares = r[col].dropna().astype(str).value_counts(normalize=True)
            if len(shares) > 1 and 1 - shares.iloc[0] >= SPREAD_SHARE:
                listed = ", ".join(f"{p} {v:.0%}" for p, v in shares.iloc[:4].items())
                out.append(f"{t}: the {what} is done in {len(shares)} pools ({listed})")
        more = float((r["reviews"] > 2).mean())
        if more >= SPREAD_SHARE:
            out.append(f"{t}: {more:.0%} of the cases have more than two reviews before QA or "
                       "an appeal")
    return out
