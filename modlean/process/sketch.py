"""Mergeable summaries of times per group: counts, sums, extremes and log-spaced bins.

A :class:`Sketch` summarises the values (seconds) of many groups (DFG edges,
activities, all cases) so that two sketches of disjoint parts of a log merge
into the sketch of the whole: counts, sums, negatives add; minimum and maximum
take the extreme; the bin counts add. Means are exact (sum over count).

Quantiles come from the bins: each non-zero value falls in a bin
``[r**b, r**(b + 1))`` of its magnitude (``r`` = :data:`RATIO`, 1.01), zero has
a bin of its own, negatives mirror positives. A quantile is computed as numpy's
default (linear interpolation between the order statistics ``k`` and ``k + 1``
at ``q * (n - 1)``), with each order statistic replaced by its bin's value
``r**b * 2r / (1 + r)`` (clipped to the group's exact minimum and maximum). So
the error of a quantile is at most :data:`RELATIVE_ERROR` (``(r - 1) / (r + 1)``,
under 0.5 %) of the
larger magnitude of the two order statistics; the minimum, maximum, a group of
one value and values of exactly 0 are exact.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "QUANTILE_METHOD",
    "RATIO",
    "RELATIVE_ERROR",
    "Sketch",
    "bin_codes",
    "bin_values",
    "histogram",
    "merge_sketches",
    "quantiles",
    "sketch",
]

#: Growth of the bins: each bin's upper edge is this times its lower edge.
RATIO = 1.01
#: Largest error of a quantile, relative to the larger of the two order statistics it uses.
RELATIVE_ERROR = (RATIO - 1) / (RATIO + 1)
#: The quantile method, as stated in outputs.
QUANTILE_METHOD = (f"linear interpolation (numpy's default) between order statistics read from "
                   f"log-spaced bins of ratio {RATIO}; error at most {RELATIVE_ERROR:.3%} of the "
                   "larger of the two order statistics; minimum, maximum and zeros exact")

_LOG_RATIO = np.log(RATIO)
_OFFSET = 4096  # keeps every magnitude's bin index positive: 1e-6 s is bin -1389
_STATS = ["count", "total", "negative", "min", "max"]


@dataclass
class Sketch:
    """A mergeable summary of the values of each group (see the module docstring).

    ``stats`` has the key columns, then ``count``, ``total`` (sum, seconds),
    ``negative`` (values below 0), ``min`` and ``max``; ``bins`` has the key
    columns, ``code`` (the bin, ordered as the values are) and ``n``. Both are
    sorted by key (and code).
    """

    keys: list[str]
    stats: pd.DataFrame
    bins: pd.DataFrame


def bin_codes(seconds: np.ndarray) -> np.ndarray:
    """The bin of each value: 0 for zero, ``±(b + offset)`` for ``±r**b <= ±v < ±r**(b+1)``,
    so codes sort as the values do."""
    magnitude = np.abs(seconds)
    with np.errstate(divide="ignore"):
        b = np.floor(np.log(magnitude) / _LOG_RATIO)
    b = np.clip(np.nan_to_num(b, neginf=-_OFFSET + 1), -_OFFSET + 1, _OFFSET - 1)
    return (np.sign(seconds) * (b + _OFFSET)).astype(np.int32)


def bin_values(codes: np.ndarray) -> np.ndarray:
    """The value standing for each bin: ``r**b * 2r / (1 + r)`` with the bin's sign (0 for
    zero), the point whose relative error to either edge is the same, (r - 1) / (r + 1)."""
    b = np.abs(codes).astype(float) - _OFFSET
    return np.sign(codes) * RATIO ** b * (2 * RATIO / (1 + RATIO))


def sketch(seconds: np.ndarray, groups: np.ndarray, keys: pd.DataFrame) -> Sketch:
    """Summarise ``seconds`` (float) by ``groups`` (integer row of ``keys``, one row per
    possible group with the key columns); groups without values are left out."""
    n = len(keys)
    count = np.bincount(groups, minlength=n)
    total = np.bincount(groups, weights=seconds, minlength=n)
    negative = np.bincount(groups, weights=seconds < 0, minlength=n).astype(np.int64)
    low = np.full(n, np.inf)
    high = np.full(n, -np.inf)
    np.minimum.at(low, groups, seconds)
    np.maximum.at(high, groups, seconds)
    stats = keys.assign(count=count, total=total, negative=negative, min=low, max=high)
    stats = stats[count > 0]
    span = 4 * _OFFSET  # codes lie in (-2 * offset, 2 * offset)
    combined = groups.astype(np.int64) * span + (bin_codes(seconds) + 2 * _OFFSET)
    if n * span <= 1 << 24:  # few groups: one counting pass, no sort
        counted = np.bincount(combined, minlength=n * span)
        unique = np.flatnonzero(counted)
        n_in = counted[unique]
    else:
        unique, n_in = np.unique(combined, return_counts=True)
    bins = keys.iloc[unique // span].reset_index(drop=True)
    bins = bins.assign(code=(unique % span - 2 * _OFFSET).astype(np.int32), n=n_in)
    return _sorted(Sketch(list(keys.columns), stats, bins))


def _sorted(s: Sketch) -> Sketch:
    stats = s.stats.sort_values(s.keys, kind="stable", ignore_index=True)
    bins = s.bins.sort_values([*s.keys, "code"], kind="stable", ignore_index=True)
    return Sketch(s.keys, stats, bins)


def merge_sketches(parts: list[Sketch]) -> Sketch:
    """The sketch of the union of the parts' values (the parts share key columns)."""
    keys = parts[0].keys
    stats = pd.concat([p.stats for p in parts], ignore_index=True)
    stats = stats.groupby(keys, sort=True, observed=True).agg(
        count=("count", "sum"), total=("total", "sum"), negative=("negative", "sum"),
        min=("min", "min"), max=("max", "max")).reset_index()
    bins = pd.concat([p.bins for p in parts], ignore_index=True)
    bins = bins.groupby([*keys, "code"], sort=True, observed=True)["n"].sum().reset_index()
    return Sketch(keys, stats, bins)


def quantiles(s: Sketch, qs: list[float]) -> pd.DataFrame:
    """The ``qs`` quantiles of each group (one column per q, rows as ``s.stats``)."""
    count = s.stats["count"].to_numpy()
    rows_per_group = s.bins.groupby(s.keys, sort=True, observed=True).size().to_numpy()
    group = np.repeat(np.arange(len(count)), rows_per_group)
    value = np.clip(bin_values(s.bins["code"].to_numpy()),
                    s.stats["min"].to_numpy()[group], s.stats["max"].to_numpy()[group])
    cum = np.cumsum(s.bins["n"].to_numpy())
    before = np.concatenate(([0], np.cumsum(count)[:-1]))
    low, high = s.stats["min"].to_numpy(), s.stats["max"].to_numpy()

    def order_statistic(k: np.ndarray) -> np.ndarray:  # the k-th smallest (0-based) per group
        x = value[np.searchsorted(cum, before + k, side="right")]
        return np.where(k == 0, low, np.where(k == count - 1, high, x))

    out = {}
    for q in qs:  # a loop over requested quantiles, not over values
        h = q * (count - 1)
        k = np.floor(h).astype(np.int64)
        frac = h - k
        upper = order_statistic(np.minimum(k + 1, count - 1))
        out[q] = (1 - frac) * order_statistic(k) + frac * upper
    return pd.DataFrame(out, index=s.stats.index)


def histogram(s: Sketch) -> pd.DataFrame:
    """The bins as a distribution: key columns, ``lower`` and ``upper`` edges (seconds) and
    ``count``; zero's bin has both edges 0."""
    codes = s.bins["code"].to_numpy()
    b = np.abs(codes).astype(float) - _OFFSET
    sign = np.sign(codes)
    inner, outer = sign * RATIO ** b, sign * RATIO ** (b + 1)
    return s.bins[s.keys].assign(lower=np.minimum(inner, outer), upper=np.maximum(inner, outer),
                                 count=s.bins["n"].to_numpy())
