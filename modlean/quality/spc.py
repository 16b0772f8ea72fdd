"""Control charts for proportions, run rules and Pareto.

- :func:`p_chart` — variable n: p̄ ± 3√(p̄(1−p̄)/n_i), LCL floored at 0;
- :func:`np_chart` — constant n: n p̄ ± 3√(n p̄(1−p̄));
- :func:`laney_p_chart` — Laney (2002) p′: limits p̄ ± 3 σ_pi σ_z with
  σ_z = MR̄(z)/1.128, for large n where binomial limits are too tight
  (the default for daily team-level charts; p is for per-reviewer charts);
- :func:`western_electric` and :func:`nelson` — rule flags on z-scores
  (points in σ units), so they work with variable n;
- :func:`pareto` — counts sorted, cumulative share and the vital few (the
  smallest set reaching 80%).

Every chart returns a DataFrame with one row per subgroup: ``p`` (or ``np``),
``center``, ``sigma``, ``ucl``, ``lcl``, ``z``, ``beyond`` (outside the limits).
A rule flag marks the point that completes the pattern.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from modlean.errors import ParameterError

__all__ = [
    "D2",
    "laney_p_chart",
    "nelson",
    "np_chart",
    "p_chart",
    "pareto",
    "rule_flags",
    "western_electric",
]

#: d2 for moving ranges of 2 (σ = MR̄ / d2).
D2 = 1.128


def _counts(defects: Sequence[float], n: Sequence[float] | float,
            index: Sequence[object] | None) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    d = np.asarray(defects, dtype="float64")
    m = np.broadcast_to(np.asarray(n, dtype="float64"), d.shape).copy()
    if d.ndim != 1 or d.size < 2:
        raise ParameterError(f"control chart: found {d.size} subgroup(s); expected at least 2")
    bad = np.flatnonzero(np.isnan(d) | np.isnan(m) | (m <= 0) | (d < 0) | (d > m))
    if bad.size:
        i = int(bad[0])
        raise ParameterError(f"control chart subgroup {i + 1}: defects={d[i]:g}, n={m[i]:g}; "
                             "expected 0 ≤ defects ≤ n and n > 0")
    idx = pd.Index(index) if index is not None else (
        defects.index if isinstance(defects, pd.Series) else pd.RangeIndex(d.size))
    return d, m, idx


def _frame(value: np.ndarray, center: np.ndarray | float, sigma: np.ndarray,
           idx: pd.Index, name: str, n: np.ndarray, defects: np.ndarray,
           upper_cap: float | np.ndarray) -> pd.DataFrame:
    center = np.broadcast_to(center, value.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(sigma > 0, (value - center) / sigma, 0.0)
    ucl = np.minimum(center + 3 * sigma, upper_cap)
    lcl = np.maximum(center - 3 * sigma, 0.0)
    out = pd.DataFrame({"defects": defects, "n": n, name: value, "center": center,
                        "sigma": sigma, "ucl": ucl, "lcl": lcl, "z": z}, index=idx)
    out["beyond"] = (value > ucl) | (value < lcl)
    return out


def p_chart(defects: Sequence[float], n: Sequence[float] | float, *,
            index: Sequence[object] | None = None) -> pd.DataFrame:
    """p-chart with limits for each subgroup's n (DOMAIN §2.3).

    Parameters
    ----------
    defects:
        Errors (or rejections, SLA breaches) per subgroup, e.g. per day.
    n:
        Items inspected per subgroup (one number if constant).
    index:
        Labels of the subgroups (dates, reviewer ids); defaults to the index of
        ``defects`` when it is a Series.
    """
    d, m, idx = _counts(defects, n, index)
    pbar = d.sum() / m.sum()
    sigma = np.sqrt(pbar * (1 - pbar) / m)
    return _frame(d / m, pbar, sigma, idx, "p", m, d, 1.0)


def np_chart(defects: Sequence[float], n: float, *,
             index: Sequence[object] | None = None) -> pd.DataFrame:
    """np-chart (constant subgroup size n): n p̄ ± 3√(n p̄(1−p̄))."""
    if np.ndim(n) != 0:
        raise ParameterError("np-chart: expected one subgroup size n for every subgroup; "
                             "use p_chart when n varies")
    d, m, idx = _counts(defects, n, index)
    pbar = d.sum() / m.sum()
    sigma = np.full(d.shape, np.sqrt(n * pbar * (1 - pbar)))
    return _frame(d, n * pbar, sigma, idx, "np", m, d, float(n))


def laney_p_chart(defects: Sequence[float], n: Sequence[float] | float, *,
                  index: Sequence[object] | None = None) -> pd.DataFrame:
    """Laney p′ chart: binomial σ_pi scaled by the between-subgroup variation σ_z.

    z_i = (p_i − p̄)/σ_pi; σ_z = mean |z_i − z_{i−1}| / 1.128; limits
    p̄ ± 3 σ_pi σ_z. The ``z`` column is in p′ units ((p_i − p̄)/(σ_pi σ_z)), so
    the rule flags see the same picture as the limits. ``sigma_z`` is stored in
    ``DataFrame.attrs``.
    """
    d, m, idx = _counts(defects, n, index)
    pbar = d.sum() / m.sum()
    sigma_p = np.sqrt(pbar * (1 - pbar) / m)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(sigma_p > 0, (d / m - pbar) / sigma_p, 0.0)
    sigma_z = float(np.mean(np.abs(np.diff(z))) / D2)
    out = _frame(d / m, pbar, sigma_p * sigma_z, idx, "p", m, d, 1.0)
    out.attrs["sigma_z"] = sigma_z
    return out


def _window_count(mask: np.ndarray, width: int) -> np.ndarray:
    """Count of True in the window of ``width`` ending at each point (0 before it fills)."""
    out = np.zeros(mask.size, dtype=int)
    if mask.size >= width:
        out[width - 1:] = sliding_window_view(mask.astype(int), width).sum(axis=1)
    return out


def _run(mask: np.ndarray, width: int) -> np.ndarray:
    return _window_count(mask, width) == width


def _k_of_m(z: np.ndarray, k: int, m: int, limit: float) -> np.ndarray:
    above, below = z > limit, z < -limit
    return (((_window_count(above, m) >= k) & above)
            | ((_window_count(below, m) >= k) & below))


def _trend(z: np.ndarray, points: int) -> np.ndarray:
    step = np.diff(z)
    up = np.concatenate([[False], step > 0])
    down = np.concatenate([[False], step < 0])
    return _run(up, points - 1) | _run(down, points - 1)


def _alternating(z: np.ndarray, points: int) -> np.ndarray:
    step = np.sign(np.diff(z))
    flips = np.concatenate([[False, False], (step[1:] * step[:-1]) < 0])
    return _run(flips, points - 2)


def western_electric(z: Sequence[float]) -> pd.DataFrame:
    """Western Electric rules 1-4 on z-scores.

    1: one point beyond 3σ; 2: 2 of 3 beyond 2σ on the same side; 3: 4 of 5
    beyond 1σ on the same side; 4: 8 in a row on the same side of the centre.
    For rules 2 and 3 the flagged point is itself beyond the limit.
    """
    x = np.asarray(z, dtype="float64")
    idx = z.index if isinstance(z, pd.Series) else pd.RangeIndex(x.size)
    return pd.DataFrame({
        "we1": np.abs(x) > 3,
        "we2": _k_of_m(x, 2, 3, 2.0),
        "we3": _k_of_m(x, 4, 5, 1.0),
        "we4": _run(x > 0, 8) | _run(x < 0, 8),
    }, index=idx)


def nelson(z: Sequence[float]) -> pd.DataFrame:
    """Nelson (1984) rules 1-8 on z-scores.

    1: beyond 3σ; 2: 9 in a row on one side; 3: 6 in a row steadily increasing
    or decreasing; 4: 14 in a row alternating up and down; 5: 2 of 3 beyond 2σ
    on one side; 6: 4 of 5 beyond 1σ on one side; 7: 15 in a row within 1σ
    (either side); 8: 8 in a row beyond 1σ, on both sides, none within.
    """
    x = np.asarray(z, dtype="float64")
    idx = z.index if isinstance(z, pd.Series) else pd.RangeIndex(x.size)
    outside = np.abs(x) > 1
    both_sides = (_window_count(x > 1, 8) > 0) & (_window_count(x < -1, 8) > 0)
    return pd.DataFrame({
        "nelson1": np.abs(x) > 3,
        "nelson2": _run(x > 0, 9) | _run(x < 0, 9),
        "nelson3": _trend(x, 6),
        "nelson4": _alternating(x, 14),
        "nelson5": _k_of_m(x, 2, 3, 2.0),
        "nelson6": _k_of_m(x, 4, 5, 1.0),
        "nelson7": _run(np.abs(x) < 1, 15),
        "nelson8": _run(outside, 8) & both_sides,
    }, index=idx)


def rule_flags(chart: pd.DataFrame, rules: str = "both") -> pd.DataFrame:
    """The chart with rule-flag columns added and ``flagged`` (any rule) and ``rules`` (names).

    ``rules`` is ``"we"``, ``"nelson"`` or ``"both"``.
    """
    if "z" not in chart.columns:
        raise ParameterError("rule_flags: expected a chart from p_chart, np_chart or "
                             "laney_p_chart (a 'z' column)")
    parts = []
    if rules in ("we", "both"):
        parts.append(western_electric(chart["z"]))
    if rules in ("nelson", "both"):
        parts.append(nelson(chart["z"]))
    if not parts:
        raise ParameterError(f"rules {rules!r}: expected 'we', 'nelson' or 'both'")
    flags = pd.concat(parts, axis=1)
    out = pd.concat([chart, flags], axis=1)
    out["flagged"] = flags.any(axis=1)
    names = np.asarray(flags.columns)
    out["rules"] = [", ".join(names[row]) for row in flags.to_numpy()]
    return out


def pareto(counts: pd.Series | Sequence[object], *, weights: pd.Series | None = None,
           threshold: float = 0.8) -> pd.DataFrame:
    """Pareto table: categories by count (or cost-weighted count), cumulative share, vital few.

    Parameters
    ----------
    counts:
        Either a numeric Series of counts indexed by category, or the raw
        values (rejection labels, error codes ...) to be counted.
    weights:
        Cost per category: the ranking uses count × weight.
    threshold:
        The vital few are the smallest set of top categories whose cumulative
        share reaches it (0.8).
    """
    if isinstance(counts, pd.Series) and pd.api.types.is_numeric_dtype(counts):
        table = counts.astype("float64")
    else:
        table = pd.Series(counts).dropna().value_counts().astype("float64")
    if table.empty or (table < 0).any():
        raise ParameterError("pareto: expected non-negative counts for at least one category")
    frame = pd.DataFrame({"count": table})
    value = table
    if weights is not None:
        w = pd.Series(weights, dtype="float64").reindex(table.index)
        if w.isna().any():
            raise ParameterError(f"pareto weights: missing for {list(w.index[w.isna()])}")
        frame["weighted"] = value = table * w
    frame["value"] = value
    frame = frame.sort_values("value", ascending=False, kind="stable")
    total = frame["value"].sum()
    frame["share"] = frame["value"] / total if total else 0.0
    frame["cum_share"] = frame["share"].cumsum()
    before = frame["cum_share"] - frame["share"]
    frame["vital_few"] = before < threshold - 1e-12
    frame.index.name = frame.index.name or "category"
    return frame
