"""Thresholds of the ML pre-filter: the analytic sweep, its Pareto frontier, the tuned pair.

:func:`threshold_sweep` / :func:`tune_thresholds` sweep the ML pre-filter's
``t_low`` / ``t_high`` analytically from the scenario's score distributions
(or from observed scores) and pick the cost-minimising pair under precision
and recall floors, with the Pareto frontier of human workload vs error cost
(:func:`pareto_front`). :func:`model_item_type` says which item type's model is tuned.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy.stats import beta

from modlean.decisions.resolve import ScenarioSpec, resolve_scenario
from modlean.errors import ParameterError
from modlean.scenario import workflow_flow

if TYPE_CHECKING:
    from modlean.scenario import ModelSpec, Scenario

__all__ = [
    "FRONTIER_COLUMNS",
    "Thresholds",
    "model_item_type",
    "pareto_front",
    "threshold_sweep",
    "tune_thresholds",
]


def _class_cdfs(model: ModelSpec, scores: Sequence[float] | None,
                labels: Sequence[bool] | None, grid: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float | None]:
    """P(score < t) and P(score >= t) at each grid value, for violating and clean items."""
    if scores is None:
        v, c = model.violating, model.clean
        return (beta.cdf(grid, v.a, v.b), beta.sf(grid, v.a, v.b),
                beta.cdf(grid, c.a, c.b), beta.sf(grid, c.a, c.b), None)
    s = np.asarray(scores, float)
    y = np.asarray(labels).astype(bool)
    if s.shape != y.shape or s.ndim != 1 or not len(s):
        raise ParameterError(f"scores and labels: found {s.shape} and {y.shape}; expected two "
                             "1-d arrays of the same non-zero length")
    if not y.any() or y.all():
        raise ParameterError("labels: expected both violating (true) and clean (false) items")
    sv, sc = np.sort(s[y]), np.sort(s[~y])
    v_low = np.searchsorted(sv, grid, side="left") / len(sv)
    c_low = np.searchsorted(sc, grid, side="left") / len(sc)
    return v_low, 1 - v_low, c_low, 1 - c_low, float(y.mean())


def model_item_type(scenario: Scenario, item_type: str | None = None) -> str:
    """The item type whose ML pre-filter thresholds are tuned or moved.

    ``item_type`` when given (it must exist and have its model enabled), else (None or
    empty) the first item type with a model. Raises
    :class:`~modlean.errors.ParameterError` otherwise.
    """
    if not item_type:
        with_model = [n for n, it in scenario.item_types.items() if it.model.enabled]
        if not with_model:
            raise ParameterError(f"scenario {scenario.name!r}: no item type has an ML model "
                                 "(item_types.<name>.model.enabled); expected one with "
                                 "thresholds")
        return with_model[0]
    if item_type not in scenario.item_types:
        raise ParameterError(f"item_type {item_type!r}: not in the scenario; expected one of "
                             f"{list(scenario.item_types)}")
    if not scenario.item_types[item_type].model.enabled:
        raise ParameterError(f"item_type {item_type!r}: its ML model is disabled, so it has "
                             "no thresholds; expected an item type with a model")
    return item_type


def threshold_sweep(scenario: ScenarioSpec, item_type: str | None = None, *, step: float = 0.01,
                    t_low: Sequence[float] | None = None, t_high: Sequence[float] | None = None,
                    c_fp: float = 2.0, c_fn: float = 10.0, c_review: float | None = None,
                    min_precision: float = 0.0, min_recall: float = 0.0,
                    floors_on: str = "model", volume_per_day: float | None = None,
                    prevalence: float | None = None, human_errors: bool = True,
                    scores: Sequence[float] | None = None,
                    labels: Sequence[bool] | None = None) -> pd.DataFrame:
    """Every (t_low, t_high) pair of the ML pre-filter with its workload, errors and cost.

    Items scoring below ``t_low`` are approved automatically, at or above
    ``t_high`` rejected automatically, the rest reviewed by people. The rates
    come analytically from the scenario's Beta score distributions (or, when
    ``scores`` and ``labels`` are given, from those observed scores), for the
    whole grid at once.

    Parameters
    ----------
    scenario:
        A Scenario, YAML path or preset name.
    item_type:
        The item type whose model is tuned (default: the first with a model).
    step, t_low, t_high:
        The grid: every multiple of ``step`` in [0, 1], or explicit values.
    c_fp, c_fn:
        Cost of one false rejection (a clean item rejected) and of one false
        approval (a violating item approved), in the scenario's currency.
        Defaults 2 and 10 are working assumptions **[A]**: set your own.
    c_review:
        Cost of one human review; default the routed pool's cost per productive
        hour (``cost_per_hour / (1 - shrinkage)``) times its mean handling time.
    min_precision, min_recall:
        Floors; pairs below either are infeasible.
    floors_on:
        ``"model"``: precision of automatic rejections and recall of the model
        (share of violating items not auto-approved), as platforms report them;
        ``"system"``: precision and recall of the final decisions, people included.
    volume_per_day, prevalence:
        Default the item type's; with observed ``labels`` the prevalence is theirs.
    human_errors:
        People make the routed pool's errors (false approve / reject rates);
        False treats human review as always right.

    Returns
    -------
    pandas.DataFrame
        One row per pair: shares (``auto_approve_share``, ``auto_reject_share``,
        ``human_share``), per day ``n_review``, ``workload_hours``, ``tp``, ``fp``,
        ``fn``, ``tn``; ``precision``/``recall`` (final decisions),
        ``model_precision``/``model_recall``; ``error_cost`` (c_fp fp + c_fn fn),
        ``review_cost``, ``expected_cost``; ``feasible`` (floors met) and
        ``pareto`` (no feasible pair has both less human work and less error cost).
    """
    s = resolve_scenario(scenario)
    item_type = model_item_type(s, item_type)
    if floors_on not in ("model", "system"):
        raise ParameterError(f"floors_on: found {floors_on!r}; expected 'model' or 'system'")
    if not 0 < step <= 0.5:
        raise ParameterError(f"step: found {step!r}; expected a number in (0, 0.5]")
    item = s.item_types[item_type]
    aht, has_handling, c_review, fa, fr = _review_terms(s, item_type, c_review, human_errors)
    lows, highs = _threshold_grid(step, t_low, t_high)
    values = np.unique(np.r_[lows, highs])
    v_below, v_atleast, c_below, c_atleast, observed = _class_cdfs(item.model, scores, labels,
                                                                   values)
    low, high, li, hi = _pairs(lows, highs, values)
    p = float(prevalence if prevalence is not None else observed if observed is not None
              else item.prevalence)
    n = float(volume_per_day if volume_per_day is not None
              else item.volume_per_day * float(np.mean(item.weekly_profile)))
    out = pd.DataFrame({"t_low": low, "t_high": high,
                        **_daily_outcomes(n, p, fa, fr, v_below[li], v_atleast[hi],
                                          c_below[li], c_atleast[hi])})
    out.insert(out.columns.get_loc("n_review") + 1, "workload_hours",
               out["n_review"].to_numpy() * aht / 3600 if has_handling else np.nan)
    fp_, fn_ = (out["precision"], out["recall"]) if floors_on == "system" \
        else (out["model_precision"], out["model_recall"])
    out["error_cost"] = c_fp * out["fp"] + c_fn * out["fn"]
    out["review_cost"] = c_review * out["n_review"]
    out["expected_cost"] = out["error_cost"] + out["review_cost"]
    out["feasible"] = (np.nan_to_num(fp_, nan=1.0) >= min_precision - 1e-12) & \
        (np.nan_to_num(fn_, nan=1.0) >= min_recall - 1e-12)
    out["pareto"] = pareto_front(out, ("n_review", "error_cost"), where=out["feasible"])
    out.attrs.update({"item_type": item_type, "c_fp": c_fp, "c_fn": c_fn,
                      "c_review": c_review, "prevalence": p, "volume_per_day": n,
                      "current": (item.model.t_low, item.model.t_high),
                      "floors": (min_precision, min_recall, floors_on)})
    return out


def _review_terms(s: Scenario, item_type: str, c_review: float | None, human_errors: bool
                  ) -> tuple[float, bool, float, float, float]:
    """The routed pool's side of a sweep: mean handling seconds (NaN without a handling time),
    whether it has one, the cost of one review and the people's false approve / reject rates.

    The default review cost is the pool's cost per productive hour
    (``cost_per_hour / (1 - shrinkage)``) times its mean handling time; for an item
    type worked through a workflow, that of all its review steps.
    """
    route = s.routing.get(item_type)
    pool = s.pools.get(route.pool) if route else None
    handling = pool.handling_for(item_type) if pool else None
    aht = handling.mean if handling else math.nan
    if item_type in s.workflows and pool is None:  # the log's own workflow: all its reviews
        return _workflow_review_terms(s, item_type, c_review, human_errors)
    if c_review is None:
        c_review = (pool.cost_per_hour / (1 - pool.shrinkage) * aht / 3600) if pool else 0.0
    fa, fr = (pool.accuracy.false_approve, pool.accuracy.false_reject) \
        if (pool and human_errors) else (0.0, 0.0)
    return aht, bool(handling), c_review, fa, fr


def _workflow_review_terms(s: Scenario, item_type: str, c_review: float | None,
                           human_errors: bool) -> tuple[float, bool, float, float, float]:
    """:func:`_review_terms` for an item type whose people's work is a workflow: the
    handling and cost of every review step an item reaches, by its expected visits
    (:func:`~modlean.scenario.workflow_flow`), and the first review step's pool's error
    rates (the decision the workflow's first review takes)."""
    flow = workflow_flow(s, item_type)
    seconds = cost = 0.0
    first = None
    for name, visits in flow.visits.items():
        step = s.workflows[item_type].steps[name]
        if step.pool is None:
            continue
        pool = s.pools[step.pool]
        h = step.handling or pool.handling_for(item_type)
        if h is None:
            continue
        first = first or pool
        seconds += visits * h.mean
        cost += visits * pool.cost_per_hour / (1 - pool.shrinkage) * h.mean / 3600
    fa, fr = (first.accuracy.false_approve, first.accuracy.false_reject) \
        if (first is not None and human_errors) else (0.0, 0.0)
    return (seconds if first is not None else math.nan, first is not None,
            cost if c_review is None else c_review, fa, fr)


def _threshold_grid(step: float, t_low: Sequence[float] | None,
                    t_high: Sequence[float] | None) -> tuple[np.ndarray, np.ndarray]:
    """The candidate ``t_low`` and ``t_high`` values: explicit, or every multiple of ``step``."""
    grid = np.round(np.arange(0.0, 1.0 + step / 2, step), 10)
    lows = np.asarray(t_low if t_low is not None else grid, float)
    highs = np.asarray(t_high if t_high is not None else grid, float)
    if lows.min() < 0 or highs.max() > 1 or highs.min() < 0 or lows.max() > 1:
        raise ParameterError("t_low / t_high: expected values between 0 and 1")
    return lows, highs


def _pairs(lows: np.ndarray, highs: np.ndarray, values: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every pair with ``t_low <= t_high``: the two thresholds and their indices in ``values``."""
    idx = {float(v): i for i, v in enumerate(values)}
    low, high = np.meshgrid(lows, highs, indexing="ij")
    ok = low <= high
    li = np.array([idx[float(v)] for v in lows])[np.nonzero(ok)[0]]
    hi = np.array([idx[float(v)] for v in highs])[np.nonzero(ok)[1]]
    return low[ok], high[ok], li, hi


def _daily_outcomes(n: float, p: float, fa: float, fr: float, va: np.ndarray, vr: np.ndarray,
                    ca: np.ndarray, cr: np.ndarray) -> dict[str, np.ndarray]:
    """Shares, reviews and the confusion counts per day of each pair, with precision and recall.

    ``va`` / ``vr``: shares of violating items auto-approved / auto-rejected; ``ca`` /
    ``cr`` the same for clean items; the rest go to people, who err at ``fa`` / ``fr``.
    """
    vh, ch = 1 - va - vr, 1 - ca - cr            # sent to people
    tp = n * p * (vr + vh * (1 - fa))
    fn = n * p * (va + vh * fa)
    fp = n * (1 - p) * (cr + ch * fr)
    tn = n * (1 - p) * (ca + ch * (1 - fr))
    human = p * vh + (1 - p) * ch
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(tp + fp > 0, tp / (tp + fp), np.nan)
        recall = np.where(p > 0, tp / (tp + fn), np.nan)
        auto_rej = p * vr + (1 - p) * cr
        model_precision = np.where(auto_rej > 0, p * vr / auto_rej, np.nan)
    return {"auto_approve_share": p * va + (1 - p) * ca, "auto_reject_share": auto_rej,
            "human_share": human, "n_review": n * human,
            "tp": tp, "fp": fp, "fn": fn, "tn": tn,
            "precision": precision, "recall": recall,
            "model_precision": model_precision, "model_recall": 1 - va}


def pareto_front(table: pd.DataFrame, columns: Sequence[str] = ("n_review", "error_cost"),
                 where: pd.Series | np.ndarray | None = None) -> np.ndarray:
    """True for rows no other row beats on both ``columns`` (both minimised).

    Sort by the first column (ties by the second); a row is on the frontier when
    its second value is below every earlier row's (a running minimum), so the
    whole test is two sorts and a cumulative minimum.
    """
    a, b = (table[c].to_numpy(float) for c in columns)
    keep = np.ones(len(table), bool) if where is None else np.asarray(where, bool)
    idx = np.nonzero(keep & ~np.isnan(a) & ~np.isnan(b))[0]
    out = np.zeros(len(table), bool)
    if not len(idx):
        return out
    order = idx[np.lexsort((b[idx], a[idx]))]
    bs = b[order]
    best_before = np.r_[np.inf, np.minimum.accumulate(bs)[:-1]]
    out[order[bs < best_before - 1e-12]] = True
    return out


#: The columns of a threshold pair worth reading in a table (frontier, best pair).
FRONTIER_COLUMNS = ("t_low", "t_high", "n_review", "human_share", "auto_approve_share",
                    "auto_reject_share", "model_precision", "model_recall", "fp", "fn",
                    "error_cost", "review_cost", "expected_cost")


@dataclass(frozen=True)
class Thresholds:
    """The answer of :func:`tune_thresholds`."""

    t_low: float
    t_high: float
    expected_cost: float
    current_cost: float
    """Expected cost per day at the scenario's current thresholds."""
    best: pd.Series
    """The chosen row of the sweep."""
    sweep: pd.DataFrame
    """Every pair (see :func:`threshold_sweep`)."""

    @property
    def frontier(self) -> pd.DataFrame:
        """The Pareto frontier (human workload vs error cost), by workload."""
        return self.sweep[self.sweep["pareto"]].sort_values("n_review", ignore_index=True)

    def cheapest(self, n: int = 10) -> pd.DataFrame:
        """The ``n`` cheapest pairs of the frontier, with :data:`FRONTIER_COLUMNS`."""
        return self.frontier.nsmallest(n, "expected_cost")[list(FRONTIER_COLUMNS)]

    @property
    def overrides(self) -> dict[str, float]:
        """The dotted-path overrides that apply the chosen pair to the scenario."""
        t = self.sweep.attrs["item_type"]
        return {f"item_types.{t}.model.t_low": float(self.t_low),
                f"item_types.{t}.model.t_high": float(self.t_high)}


def tune_thresholds(scenario: ScenarioSpec, item_type: str | None = None,
                    **kwargs: Any) -> Thresholds:
    """The cost-minimising (t_low, t_high) meeting the floors, from :func:`threshold_sweep`.

    Keywords go to :func:`threshold_sweep` (costs, floors, grid). Raises
    :class:`~modlean.errors.ParameterError` when no pair meets the floors.
    """
    s = resolve_scenario(scenario)
    sweep = threshold_sweep(s, item_type, **kwargs)
    feasible = sweep[sweep["feasible"]]
    if feasible.empty:
        mp, mr, basis = sweep.attrs["floors"]
        raise ParameterError(f"no threshold pair meets precision >= {mp} and recall >= {mr} "
                             f"({basis}); expected lower floors")
    best = feasible.loc[feasible["expected_cost"].idxmin()]
    t = sweep.attrs["item_type"]
    lo, hi = s.item_types[t].model.t_low, s.item_types[t].model.t_high
    current = threshold_sweep(s, t, **{**kwargs, "t_low": [lo], "t_high": [hi]})
    return Thresholds(t_low=float(best["t_low"]), t_high=float(best["t_high"]),
                      expected_cost=float(best["expected_cost"]),
                      current_cost=float(current["expected_cost"].iloc[0]),
                      best=best, sweep=sweep)
