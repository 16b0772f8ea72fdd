"""Whether a log read as events can be mined: most cases with a single event (a task
table read as events) or an activity column that looks like a flag.

``modlean check-log`` refuses to call such a log valid; the advice points to the
task-table shape (``modlean profile``, docs/intake.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from modlean._util import parse_flag

__all__ = ["FLAG_DISTINCT", "SINGLE_EVENT_LIMIT", "ShapeWarning", "shape_warnings"]

#: Share of cases with one event above which a log is not minable as events.
SINGLE_EVENT_LIMIT = 0.5
#: Most distinct values a column mapped to activity may have before it looks like a flag.
FLAG_DISTINCT = 3


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
    sizes = log["case_id"].value_counts()
    single = float(sizes.eq(1).mean()) if len(sizes) else 0.0
    if single > SINGLE_EVENT_LIMIT:
        found.append(ShapeWarning(
            "single_event_cases",
            f"{single:.0%} of {len(sizes):,} cases have a single event: there is no flow to "
            f"mine. One row per task? Read it as a task table: modlean profile {source} "
            f"--out profile.yaml, then modlean import {source} --profile profile.yaml "
            "(docs/intake.md)", single))
    values = log["activity"].astype(str).value_counts()
    if len(values) <= FLAG_DISTINCT:
        shown = ", ".join(map(repr, values.index[:FLAG_DISTINCT]))
        kind = "a yes/no flag" if all(parse_flag(v) is not None for v in values.index) \
            else "a flag or a status"
        found.append(ShapeWarning(
            "flag_like_activity",
            f"the activity has only {len(values)} distinct values ({shown}): it looks like "
            f"{kind}, not the step that happened", None))
    return found
