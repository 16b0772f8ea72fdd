"""What discovery and performance share: per-group time statistics and the warning
that negative times (a step started before the previous one completed) are kept."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from modlean.eventlog import MICROS_PER_SECOND

__all__ = ["MiningWarning", "group_stats", "warn_negative"]


class MiningWarning(UserWarning):
    """Something in the log that a mining result should not hide (e.g. negative waits)."""


def warn_negative(count: int, what: str) -> None:
    if count:
        warnings.warn(f"{count} {what} are negative: a step started before the previous "
                      "one in its case completed (overlap or order by completion). They are "
                      "kept as they are and counted in the 'negative' column.",
                      MiningWarning, stacklevel=3)


def group_stats(values: np.ndarray, groups: np.ndarray, n_groups: int,
           skip: int | None = None) -> pd.DataFrame:
    """count, mean, median, P90, total and negatives of ``values`` per group, in seconds.

    ``values`` are float seconds, or int64 microseconds (summed exactly, then
    converted). Group ``skip`` (a spare bin) gets a count but no statistics.
    One radix sort of the (small) group keys puts each group's values together.
    """
    scale = 1.0 / MICROS_PER_SECOND if values.dtype.kind in "iu" else 1.0
    counts = np.bincount(groups, minlength=n_groups)
    total = np.zeros(n_groups)
    neg = np.zeros(n_groups, dtype=np.int64)
    med = np.full(n_groups, np.nan)
    p90 = np.full(n_groups, np.nan)
    filled = np.flatnonzero(counts)
    if skip is not None:
        filled = filled[filled != skip]
    if len(filled):
        key = groups.astype(np.uint16) if n_groups <= 65536 else groups
        sorted_values = values[np.argsort(key, kind="stable")]
        bounds = np.concatenate(([0], np.cumsum(counts)))
        lo, hi = bounds[filled], bounds[filled + 1]
        if scale != 1.0 and len(values) and \
                max(float(values.max()), -float(values.min())) * len(values) >= 2.0**62:
            sorted_values = sorted_values.astype(float)  # an int64 sum could overflow
        running = np.concatenate(([0], np.cumsum(sorted_values)))  # exact for int64
        total[filled] = (running[hi] - running[lo]) * scale
        below = np.concatenate(([0], np.cumsum(sorted_values < 0)))
        neg[filled] = below[hi] - below[lo]
        for g in filled:  # a loop over groups, not events
            part = sorted_values[bounds[g]:bounds[g + 1]]
            med[g], p90[g] = np.quantile(part, [0.5, 0.9]) * scale
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / counts
    if skip is not None:
        mean[skip] = np.nan
    return pd.DataFrame({"count": counts, "mean_seconds": mean, "median_seconds": med,
                         "p90_seconds": p90, "total_seconds": total, "negative": neg})
