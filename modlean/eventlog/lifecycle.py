"""Lifecycle events: start/complete pairs turned into one row per activity instance."""

from __future__ import annotations

from enum import IntEnum

import numpy as np
import pandas as pd

from modlean.eventlog.readers import RawLog
from modlean.eventlog.timestamps import UTC_DTYPE

__all__ = ["LifecycleRank", "pair_lifecycle"]


class LifecycleRank(IntEnum):
    """How lifecycle events at the same time are ordered: starts before completes."""

    START = 0
    COMPLETE = 1


def pair_lifecycle(frame: pd.DataFrame, raw: RawLog, column: str, notes: list[str], *,
                   by: tuple[str, ...] = ()) -> pd.DataFrame:
    """Turn start/complete event pairs into one row per activity instance.

    Within a case and activity (and the columns ``by``, such as ``resource``: an
    empty value is a value of its own), each ``complete`` is paired with the
    earliest still-open ``start`` before it (first in, first out). Completes with
    no open start keep an empty ``start_timestamp``; starts never completed are
    dropped and counted in the log's notes.
    """
    kind = frame["lifecycle"].astype("string").str.strip().str.lower()
    is_start = kind.eq("start").fillna(False).to_numpy(bool)
    is_complete = kind.eq("complete").fillna(False).to_numpy(bool)
    other = ~is_start & ~is_complete
    if other.any():
        found = ", ".join(sorted(kind[other].dropna().unique())[:5]) or "empty"
        notes.append(f"{int(other.sum())} events with lifecycle other than start/complete "
                     f"({found}) were left out")
    if not is_start.any():
        return frame.loc[is_complete].drop(columns="lifecycle")

    keys = ["case_id", "activity", *by]
    ev = frame.loc[is_start | is_complete, [*keys, "timestamp", "_row"]].copy()
    for key in by:  # an empty value pairs with empty values (groupby drops missing keys)
        ev[key] = ev[key].astype(object).where(ev[key].notna(), "")
    ev["_is_start"] = is_start[is_start | is_complete]
    # starts before completes at equal times, then file order
    ev["_rank"] = np.where(ev["_is_start"].to_numpy(), LifecycleRank.START,
                           LifecycleRank.COMPLETE).astype(np.int8)
    ev = ev.sort_values([*keys, "timestamp", "_rank", "_row"], kind="stable")
    grp = ev.groupby(keys, sort=False, observed=True)
    ev["_starts_so_far"] = grp["_is_start"].cumsum()
    comp = ev.loc[~ev["_is_start"]].copy()
    cgrp = comp.groupby(keys, sort=False, observed=True)
    j = cgrp.cumcount()
    slack = (comp["_starts_so_far"] - j).groupby([comp[k] for k in keys], sort=False,
                                                 observed=True).cummin()
    matched_total = j + np.minimum(1, slack)  # matched completes up to and including this one
    prev = matched_total.groupby([comp[k] for k in keys], sort=False, observed=True).shift(
        1, fill_value=0)
    comp["_start_rank"] = np.where(matched_total > prev, matched_total - 1, -1)

    starts = ev.loc[ev["_is_start"], [*keys, "timestamp", "_row"]].copy()
    starts["_start_rank"] = starts.groupby(keys, sort=False, observed=True).cumcount()
    pairs = comp[["_row", *keys, "_start_rank"]].merge(
        starts.rename(columns={"timestamp": "_start_time", "_row": "_start_row"}),
        on=[*keys, "_start_rank"], how="left")
    unmatched_starts = int(is_start.sum()) - int(pairs["_start_row"].notna().sum())
    if unmatched_starts:
        notes.append(f"{unmatched_starts} start events had no matching complete and were "
                     "left out (activities still in progress)")

    completes = frame.loc[is_complete].drop(columns="lifecycle")
    start_time = pd.Series(pairs["_start_time"].to_numpy(), index=pairs["_row"].to_numpy())
    paired = start_time.reindex(completes["_row"].to_numpy()).to_numpy()
    if "start_timestamp" in completes:
        existing = completes["start_timestamp"].to_numpy()
        paired = np.where(pd.isna(existing), paired, existing)
    completes = completes.assign(start_timestamp=pd.Series(paired, index=completes.index)
                                 .astype(UTC_DTYPE))
    if "resource" in completes and completes["resource"].isna().any():
        start_res = frame.loc[is_start].set_index("_row")["resource"]
        start_row = pd.Series(pairs["_start_row"].to_numpy(), index=pairs["_row"].to_numpy())
        from_start = start_res.reindex(start_row.reindex(completes["_row"].to_numpy())
                                       .to_numpy()).to_numpy()
        completes["resource"] = completes["resource"].where(completes["resource"].notna(),
                                                            pd.Series(from_start,
                                                                      index=completes.index))
    notes.append(f"start/complete events from {column!r} paired into "
                 f"{len(completes)} activity instances")
    return completes
