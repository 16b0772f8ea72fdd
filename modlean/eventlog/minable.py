"""Whether a log read as events can be mined: most cases with a single event (a task
table read as events) or an activity column that looks like a flag.

``modlean check-log`` refuses to call such a log valid; the advice points to the
task-table shape (``modlean profile``, docs/intake.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from modlean._util import parse_flag
from modlean.eventlog.categorical import distinct_text

__all__ = ["FLAG_DISTINCT", "FLAG_MIN_ROWS", "SINGLE_EVENT_LIMIT", "ShapeWarning", "flag_like",
           "shape_warnings", "single_event_share"]

#: Share of cases with one event above which a log is not minable as events.
SINGLE_EVENT_LIMIT = 0.5
#: Most distinct values a column mapped to activity may have before it looks like a flag.
FLAG_DISTINCT = 3
#: Rows below which few distinct activities are not suspicious (a small log).
FLAG_MIN_ROWS = 20


def single_event_share(case_ids: pd.Series | None = None, *,
                       sizes: pd.Series | None = None) -> float:
    """The share of cases with a single event (0 for an empty log).

    Give the case id of each event, or ``sizes``: the events per case, counted already.
    """
    if sizes is None:
        if case_ids is None:
            raise TypeError("single_event_share needs case_ids or sizes")
        sizes = case_ids.value_counts(sort=False)
    return float(sizes.eq(1).mean()) if len(sizes) else 0.0


def flag_like(values: pd.Series, *, few_values: bool = True) -> str | None:
    """What an activity column looks like when it is no activity: ``"a yes/no flag"``
    (only yes/no words), ``"a flag or a status"`` (with ``few_values``: at most
    :data:`FLAG_DISTINCT` values over :data:`FLAG_MIN_ROWS` rows or more), else None."""
    distinct = distinct_text(values)
    if distinct.size and all(parse_flag(v) is not None for v in distinct):
        return "a yes/no flag"
    if few_values and len(distinct) <= FLAG_DISTINCT and len(values) >= FLAG_MIN_ROWS:
        return "a flag or a status"
    return None


@dataclass(frozen=True)
class ShapeWarning:
    """Something that makes a log read as events unfit for mining (``code`` as in the
    mapping report: ``single_event_cases``, ``flag_like_activity``)."""

    code: str
    message: str
    share: float | None = None


def shape_warnings(log: pd.DataFrame, source: str = "EXPORT") -> list[ShapeWarning]:
    """What makes a canonical log unfit for mining as events: most cases with a single
    event (``single_event_cases``), an activity with few values (``flag_like_activity``).
    ``source`` names the export in the advice given."""
    found: list[ShapeWarning] = []
    single = single_event_share(log["case_id"])
    if single > SINGLE_EVENT_LIMIT:
        found.append(ShapeWarning(
            "single_event_cases",
            f"{single:.0%} of {log['case_id'].nunique():,} cases have a single event: there is "
            f"no flow to mine. One row per task? Read it as a task table: modlean profile {source} "
            f"--out profile.yaml, then modlean import {source} --profile profile.yaml "
            "(docs/intake.md)", single))
    kind = flag_like(log["activity"])
    if kind:
        values = log["activity"].astype(str).value_counts()
        shown = ", ".join(map(repr, values.index[:FLAG_DISTINCT]))
        found.append(ShapeWarning(
            "flag_like_activity",
            f"the activity has only {len(values)} distinct values ({shown}): it looks like "
            f"{kind}, not the step that happened", None))
    return found
