"""What-if: compare scenarios on common random numbers and read the difference.

The statistics here are deliberately plain. Each scenario is simulated with the
same seeds, so replication *r* of the baseline and replication *r* of a
proposal see the same arrivals and items; the difference of a KPI is then
taken replication by replication (a paired comparison), and its 95 % interval
is the Student-t interval of those differences. Pairing removes the noise the
two runs share, which is why the interval is narrower than the one from two
independent samples (:func:`unpaired_difference`, kept for comparison).

A verdict reads the interval with each KPI's good direction: *better* or
*worse* when the interval excludes zero, *no significant difference* when it
does not, and *changed* for KPIs with no good direction (utilisation).

On top of the statistics:

* :func:`compare` simulates a baseline and proposals on common random numbers
  (:func:`modlean.simulation.simulate` with one seed) and returns the decision table;
* :func:`sensitivity` moves each chosen parameter by ±x % and reports the
  change of chosen KPIs (the numbers behind a tornado chart);
* :func:`threshold_sweep` / :func:`tune_thresholds` sweep the ML pre-filter's
  ``t_low`` / ``t_high`` analytically from the scenario's score distributions
  (or from observed scores) and pick the cost-minimising pair under precision
  and recall floors, with the Pareto frontier of human workload vs error cost.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from modlean.errors import ParameterError, ScenarioError

__all__ = [
    "FRONTIER_COLUMNS",
    "HEADLINE_KPIS",
    "KPI_DIRECTIONS",
    "QUALITY_COST_KPIS",
    "SENSITIVITY_GROUPS",
    "Difference",
    "Thresholds",
    "compare",
    "decision_table",
    "kpi_direction",
    "model_item_type",
    "paired_difference",
    "pareto_front",
    "resolve_scenario",
    "run_scenarios",
    "sensitivity",
    "threshold_sweep",
    "tune_thresholds",
    "unpaired_difference",
]

#: Good direction of a KPI by name pattern (first match wins): "lower",
#: "higher" or "none". Names are matched with :func:`re.search`; the patterns
#: follow the KPI names of :mod:`modlean.simulation.run` (``turnaround_p95_h``,
#: ``sla_attainment``, ``utilisation.<pool>``, ``cost.<pool>`` ...).
KPI_DIRECTIONS: tuple[tuple[str, str], ...] = (
    (r"utili[sz]ation|occupancy|headcount|^items$|^qa_sampled$|^appeals_(filed|decided)$"
     r"|^human_review_rate$|^automation_rate$|busy_hours|productive_hours|paid_hours|^reviews$",
     "none"),
    (r"attainment|accuracy|precision|recall|within_sla|sla_target_met|throughput|^decided$",
     "higher"),
    (r"turnaround|wait|backlog|cost|false_|miss|exposure|breach|overturn|aged|error|rework"
     r"|lead_time|queue|fte|open_at_end", "lower"),
)

VERDICT_BETTER = "better"
VERDICT_WORSE = "worse"
VERDICT_NONE = "no significant difference"
VERDICT_CHANGED = "changed"


def kpi_direction(name: str, directions: Mapping[str, str] | None = None) -> str:
    """The good direction of a KPI: ``"lower"``, ``"higher"`` or ``"none"``.

    An explicit ``directions`` mapping (KPI name -> direction) wins over the
    name patterns in :data:`KPI_DIRECTIONS`; unknown names have no direction.
    """
    if directions and name in directions:
        value = directions[name]
        if value not in ("lower", "higher", "none"):
            raise ParameterError(f"direction of KPI {name!r}: {value!r} is not one of "
                                 "'lower', 'higher', 'none'")
        return value
    for pattern, direction in KPI_DIRECTIONS:
        if re.search(pattern, name):
            return direction
    return "none"


@dataclass(frozen=True)
class Difference:
    """A difference of means (proposal minus baseline) with its confidence interval."""

    baseline: float
    proposal: float
    difference: float
    low: float
    high: float
    n: int

    @property
    def relative(self) -> float:
        """The difference as a share of the baseline (NaN when the baseline is 0)."""
        return self.difference / self.baseline if self.baseline else math.nan

    @property
    def significant(self) -> bool:
        """True when the interval excludes zero."""
        return self.low > 0 or self.high < 0


def _t_interval(values: np.ndarray, confidence: float) -> tuple[float, float, float]:
    mean = float(np.mean(values))
    if len(values) < 2:
        return mean, math.nan, math.nan
    sd = float(np.std(values, ddof=1))
    half = stats.t.ppf(0.5 + confidence / 2, len(values) - 1) * sd / math.sqrt(len(values))
    return mean, mean - half, mean + half


def paired_difference(baseline: Sequence[float], proposal: Sequence[float],
                      confidence: float = 0.95) -> Difference:
    """Mean difference ``proposal - baseline`` of paired replications, with a t interval.

    ``baseline[r]`` and ``proposal[r]`` must come from the same replication seed.
    """
    b = np.asarray(baseline, dtype=float)
    p = np.asarray(proposal, dtype=float)
    if b.shape != p.shape:
        raise ParameterError(f"paired samples need the same replications: {len(b)} baseline "
                             f"values vs {len(p)} proposal values")
    _check_confidence(confidence)
    diff, low, high = _t_interval(p - b, confidence)
    return Difference(float(b.mean()), float(p.mean()), diff, low, high, len(b))


def unpaired_difference(baseline: Sequence[float], proposal: Sequence[float],
                        confidence: float = 0.95) -> Difference:
    """Welch's interval for ``mean(proposal) - mean(baseline)`` of independent samples."""
    b = np.asarray(baseline, dtype=float)
    p = np.asarray(proposal, dtype=float)
    _check_confidence(confidence)
    diff = float(p.mean() - b.mean())
    vb, vp = b.var(ddof=1) / len(b), p.var(ddof=1) / len(p)
    se = math.sqrt(vb + vp)
    if se == 0:
        return Difference(float(b.mean()), float(p.mean()), diff, diff, diff, min(len(b), len(p)))
    dof = (vb + vp) ** 2 / (vb**2 / (len(b) - 1) + vp**2 / (len(p) - 1))
    half = stats.t.ppf(0.5 + confidence / 2, dof) * se
    return Difference(float(b.mean()), float(p.mean()), diff, diff - half, diff + half,
                      min(len(b), len(p)))


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ParameterError(f"confidence: {confidence} is not between 0 and 1 "
                             "(e.g. 0.95)")


def _verdict(d: Difference, direction: str) -> str:
    if math.isnan(d.low):
        return VERDICT_NONE
    if not d.significant:
        return VERDICT_NONE
    if direction == "none":
        return VERDICT_CHANGED
    up = d.difference > 0
    return VERDICT_BETTER if up == (direction == "higher") else VERDICT_WORSE


def decision_table(kpis: pd.DataFrame, baseline: str, *, confidence: float = 0.95,
                   directions: Mapping[str, str] | None = None,
                   by: Sequence[str] = ()) -> pd.DataFrame:
    """The paired decision table a program manager pastes into a BRD.

    Parameters
    ----------
    kpis:
        Tidy KPI values: columns ``scenario``, ``replication``, ``kpi``, ``value``
        and any grouping columns named in ``by`` (e.g. ``item_type``).
    baseline:
        The name in ``scenario`` of the baseline; every other scenario is a proposal.
    confidence:
        Level of the interval of the paired difference.
    directions:
        Good direction per KPI name, overriding :data:`KPI_DIRECTIONS`.

    Returns
    -------
    pandas.DataFrame
        One row per proposal x group x KPI: ``baseline_mean``, ``proposal_mean``,
        ``difference``, ``ci_low``, ``ci_high``, ``relative_change``,
        ``direction``, ``verdict`` and ``replications``.
    """
    needed = {"scenario", "replication", "kpi", "value", *by}
    missing = needed - set(kpis.columns)
    if missing:
        raise ParameterError(f"KPI table: missing columns {sorted(missing)}; expected "
                             f"{sorted(needed)}")
    scenarios = list(dict.fromkeys(kpis["scenario"]))
    if baseline not in scenarios:
        raise ParameterError(f"baseline {baseline!r} is not among the scenarios "
                             f"{scenarios}")
    keys = [*by, "kpi"]
    wide = kpis.pivot_table(index=[*keys, "replication"], columns="scenario", values="value",
                            aggfunc="mean", observed=True)
    rows = []
    for proposal in (s for s in scenarios if s != baseline):
        for key, group in wide[[baseline, proposal]].groupby(level=keys, sort=False):
            group = group.dropna()
            if group.empty:
                continue
            key = key if isinstance(key, tuple) else (key,)
            name = key[-1]
            d = paired_difference(group[baseline], group[proposal], confidence)
            direction = kpi_direction(str(name), directions)
            rows.append({
                "proposal": proposal, **dict(zip(keys, key, strict=True)),
                "baseline_mean": d.baseline, "proposal_mean": d.proposal,
                "difference": d.difference, "ci_low": d.low, "ci_high": d.high,
                "relative_change": d.relative, "direction": direction,
                "verdict": _verdict(d, direction), "replications": d.n,
            })
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- compare

#: The decision-quality and cost KPIs of a decision table: the ones a forest chart shows
#: well (turnaround, waits and backlog can start near zero, so their relative change explodes).
QUALITY_COST_KPIS = ("accuracy", "false_approve_rate", "false_reject_rate",
                     "exposure_hours_total", "human_review_rate", "appeal_overturn_rate",
                     "cost_per_decision")

#: KPIs shown first in decision tables (``kpis="headline"``).
HEADLINE_KPIS = ("turnaround_p50_h", "turnaround_p95_h", "sla_attainment", "wait_l1_mean_h",
                 "backlog_max", "aged_backlog_max", "accuracy", "false_approve_rate",
                 "false_reject_rate", "exposure_hours_total", "human_review_rate",
                 "appeal_overturn_rate", "cost_total", "cost_per_decision")


def resolve_scenario(spec: Any, baseline: Any = None) -> Any:
    """A :class:`~modlean.scenario.Scenario` from what a user may pass.

    ``spec`` may be a Scenario, a path to a scenario or proposal YAML (a proposal
    without ``base:`` goes on top of ``baseline``), a preset name (``"US"``,
    ``"mmc"``), or a mapping of dotted-path overrides applied to ``baseline``
    (``{"pools.servers.headcount": 6}``; its ``name`` key, if any, names it).
    """
    from modlean.scenario import Scenario, apply_overrides, list_presets, load_scenario, preset

    if isinstance(spec, Scenario):
        return spec
    if isinstance(spec, Mapping):
        if baseline is None:
            raise ParameterError("a proposal given as overrides needs a baseline scenario")
        base = resolve_scenario(baseline)
        overrides = dict(spec)
        if "name" not in overrides:
            overrides["name"] = ", ".join(f"{k}={v}" for k, v in spec.items())
        return apply_overrides(base, overrides, source="proposal overrides")
    if isinstance(spec, (str, Path)):
        path = Path(spec)
        if not path.exists() and str(spec) in list_presets():
            return preset(str(spec))
        if isinstance(baseline, Scenario):
            return _proposal_on(path, baseline)
        return load_scenario(path, base=baseline)
    raise ParameterError(f"scenario: found {type(spec).__name__}; expected a Scenario, a YAML "
                         "path, a preset name or a mapping of overrides")


def _proposal_on(path: Path, baseline: Any) -> Any:
    from modlean.scenario import apply_overrides, load_proposal, load_scenario

    try:
        return load_scenario(path)
    except ScenarioError as exc:
        if "needs a baseline" not in str(exc):
            raise
    proposal = load_proposal(path)
    return apply_overrides(baseline, proposal["overrides"], source=str(path))


def _unique_names(scenarios: Sequence[Any]) -> list[str]:
    names: list[str] = []
    for i, s in enumerate(scenarios):
        name = s.name or f"scenario {i}"
        while name in names:
            name = f"{name} ({i})"
        names.append(name)
    return names


def run_scenarios(scenarios: Sequence[Any], *, replications: int = 10, seed: int | None = None,
                  workers: int | None = None, scheduler: str | None = None,
                  names: Sequence[str] | None = None) -> pd.DataFrame:
    """Simulate scenarios with the same seed (common random numbers) and stack their KPIs.

    Returns
    -------
    pandas.DataFrame
        Tidy: ``scenario``, ``replication``, ``item_type``, ``kpi``, ``value``; pool
        KPIs come with ``item_type`` ``"pool:<name>"``.
    """
    from modlean.simulation import simulate

    if not scenarios:
        raise ParameterError("run_scenarios: no scenarios given")
    seed = scenarios[0].seed if seed is None else seed
    names = list(names) if names is not None else _unique_names(scenarios)
    frames = []
    for name, scenario in zip(names, scenarios, strict=True):
        res = simulate(scenario, seed=seed, replications=replications, workers=workers,
                       scheduler=scheduler, event_log=False, item_table=False)
        k = res.kpis.assign(scenario=name)
        pk = res.pool_kpis.rename(columns={"pool": "item_type"})
        pk["item_type"] = "pool:" + pk["item_type"].astype(str)
        frames += [k, pk.assign(scenario=name)]
    out = pd.concat(frames, ignore_index=True)
    out["item_type"] = out["item_type"].astype(str)
    out["kpi"] = out["kpi"].astype(str)
    return out[["scenario", "replication", "item_type", "kpi", "value"]]


def compare(baseline: Any, *proposals: Any, replications: int = 10, seed: int | None = None,
            workers: int | None = None, scheduler: str | None = None,
            confidence: float = 0.95, kpis: Sequence[str] | str | None = None,
            item_types: Sequence[str] | None = ("all",),
            directions: Mapping[str, str] | None = None,
            return_kpis: bool = False) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Simulate a baseline and proposals on common random numbers; the paired decision table.

    Parameters
    ----------
    baseline:
        A Scenario, a YAML path or a preset name.
    proposals:
        Each a Scenario, a YAML path (a proposal file of overrides goes on top of
        the baseline when it has no ``base:``) or a mapping of dotted-path
        overrides of the baseline.
    replications:
        Replications per scenario; replication *r* of every scenario uses the same
        random streams (the same arrivals, items and handling draws).
    seed:
        Random seed (default: the baseline's).
    workers, scheduler:
        Where replications run (:func:`modlean.simulation.simulate`).
    confidence:
        Level of the paired intervals.
    kpis:
        KPI names to keep, ``"headline"`` for :data:`HEADLINE_KPIS`, or None for all.
    item_types:
        Rows for these item types (``"all"`` is every item; ``"pool:<name>"`` a
        pool's KPIs); None keeps every item type and pool.
    directions:
        Good direction per KPI, overriding :data:`KPI_DIRECTIONS`.
    return_kpis:
        Also return the tidy per-replication KPI values.

    Returns
    -------
    pandas.DataFrame
        :func:`decision_table` with an ``item_type`` column: per proposal, item
        type and KPI the baseline and proposal means, the paired difference and
        its interval, the relative change and the verdict.

    Examples
    --------
    >>> compare("mmc", {"pools.servers.headcount": 6}, replications=5)  # doctest: +SKIP
    """
    if not proposals:
        raise ParameterError("compare: expected at least one proposal after the baseline")
    if int(replications) != replications or replications < 2:
        raise ParameterError(f"replications: found {replications!r}; expected a whole number "
                             ">= 2 (a paired interval needs at least two)")
    base = resolve_scenario(baseline)
    props = [resolve_scenario(p, base) for p in proposals]
    scenarios = [base, *props]
    names = _unique_names(scenarios)
    values = run_scenarios(scenarios, replications=replications, seed=seed, workers=workers,
                           scheduler=scheduler, names=names)
    sel = values
    if kpis is not None:
        wanted = list(HEADLINE_KPIS) if kpis == "headline" else [kpis] if isinstance(kpis, str) \
            else list(kpis)
        sel = sel[sel["kpi"].isin(wanted)]
    if item_types is not None:
        sel = sel[sel["item_type"].isin(list(item_types))]
    table = decision_table(sel, names[0], confidence=confidence, directions=directions,
                           by=("item_type",))
    if kpis is not None:  # proposals in the order given, KPIs in the order asked for
        order = {k: i for i, k in enumerate(wanted)}
        position = {n: i for i, n in enumerate(names)}
        table = table.assign(_p=table["proposal"].map(position), _k=table["kpi"].map(order)) \
            .sort_values(["_p", "item_type", "_k"], kind="stable").drop(columns=["_p", "_k"])
    table = table.reset_index(drop=True)
    table.attrs["baseline"] = names[0]
    table.attrs["seed"] = int(base.seed if seed is None else seed)
    table.attrs["replications"] = int(replications)
    return (table, values) if return_kpis else table


# --------------------------------------------------------------------------- sensitivity

#: Parameter groups :func:`sensitivity` understands by name; each expands to every
#: matching dotted path of the scenario (all item types, all pools).
SENSITIVITY_GROUPS = {
    "volumes": "item_types.*.volume_per_day",
    "handling": "pools.*.handling.*.mean_s",
    "headcount": "pools.*.headcount",
    "error_rates": "pools.*.accuracy.*",
    "prevalence": "item_types.*.prevalence",
}


def _expand(scenario: Any, pattern: str) -> list[str]:
    """Dotted paths of the scenario matching ``pattern`` (``*`` = any one key)."""
    data = scenario.model_dump(mode="python")
    paths = [""]
    nodes = [data]
    for part in pattern.split("."):
        new_paths, new_nodes = [], []
        for path, node in zip(paths, nodes, strict=True):
            if not isinstance(node, Mapping):
                continue
            keys = list(node) if part == "*" else [part] if part in node else []
            for key in keys:
                new_paths.append(f"{path}.{key}" if path else str(key))
                new_nodes.append(node[key])
        paths, nodes = new_paths, new_nodes
    return [p for p, n in zip(paths, nodes, strict=True) if isinstance(n, (int, float))
            and not isinstance(n, bool)]


def _value_at(data: Mapping[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        node = node[part]
    return node


def _scaled(scenario: Any, paths: Sequence[str], factor: float, label: str) -> Any:
    from modlean.scenario import apply_overrides

    data = scenario.model_dump(mode="python")
    overrides: dict[str, Any] = {}
    for path in paths:
        value = float(_value_at(data, path)) * factor
        if path.endswith(("prevalence", "false_approve", "false_reject", "_probability",
                          "_rate")):
            value = min(max(value, 0.0), 1.0)
        overrides[path] = value
    overrides["name"] = label
    return apply_overrides(scenario, overrides, source=f"sensitivity {label}")


def sensitivity(baseline: Any, parameters: Sequence[str] | Mapping[str, str | Sequence[str]]
                = ("volumes", "handling", "headcount", "error_rates", "prevalence"), *,
                kpis: Sequence[str] = ("turnaround_p95_h", "sla_attainment", "cost_total"),
                delta: float = 0.1, replications: int = 5, seed: int | None = None,
                workers: int | None = None, scheduler: str | None = None,
                item_type: str = "all") -> pd.DataFrame:
    """Change each parameter by ±``delta`` and measure the KPIs: the tornado's numbers.

    Every run uses the same seed, so each low/high run is paired with the
    baseline (common random numbers) and the change is mostly the parameter's.

    Parameters
    ----------
    baseline:
        A Scenario, YAML path or preset name.
    parameters:
        Group names of :data:`SENSITIVITY_GROUPS`, dotted paths (``*`` matches any
        key: ``pools.*.headcount``), or a mapping label -> path pattern(s). Every
        path of a group moves together.
    kpis:
        KPI names of :mod:`modlean.simulation.run` (read for ``item_type``).
    delta:
        The relative change (0.1 = ±10 %). Probabilities are clipped to [0, 1].

    Returns
    -------
    pandas.DataFrame
        One row per parameter x KPI: ``parameter``, ``kpi``, ``baseline``, ``low``
        (KPI at -delta), ``high`` (at +delta), ``low_change``, ``high_change``
        (differences from the baseline) and ``swing`` (|high - low|), sorted by
        KPI then swing, largest first.
    """
    if not 0 < delta < 1:
        raise ParameterError(f"delta: found {delta!r}; expected a share between 0 and 1 "
                             "(0.1 for ±10 %)")
    base = resolve_scenario(baseline)
    if isinstance(parameters, Mapping):
        groups = {label: [pat] if isinstance(pat, str) else list(pat)
                  for label, pat in parameters.items()}
    else:
        groups = {p: [SENSITIVITY_GROUPS.get(p, p)] for p in parameters}
    scenarios, names = [base], ["baseline"]
    for label, patterns in groups.items():
        paths = [path for pat in patterns for path in _expand(base, pat)]
        if not paths:
            raise ParameterError(f"sensitivity parameter {label!r}: {patterns} matches no "
                                 "numeric field of the scenario; expected a group name "
                                 f"({', '.join(SENSITIVITY_GROUPS)}) or a dotted path")
        for sign, factor in (("low", 1 - delta), ("high", 1 + delta)):
            scenarios.append(_scaled(base, paths, factor, f"{label} {sign}"))
            names.append(f"{label}\t{sign}")
    values = run_scenarios(scenarios, replications=replications, seed=seed, workers=workers,
                           scheduler=scheduler, names=names)
    values = values[(values["item_type"] == item_type) & values["kpi"].isin(list(kpis))]
    means = values.groupby(["scenario", "kpi"], sort=False)["value"].mean().unstack("kpi")
    missing = [k for k in kpis if k not in means.columns]
    if missing:
        raise ParameterError(f"kpis {missing}: not produced by the simulation for item type "
                             f"{item_type!r}")
    rows = []
    for label in groups:
        for kpi in kpis:
            b = float(means.loc["baseline", kpi])
            lo = float(means.loc[f"{label}\tlow", kpi])
            hi = float(means.loc[f"{label}\thigh", kpi])
            rows.append({"parameter": label, "kpi": kpi, "baseline": b, "low": lo, "high": hi,
                         "low_change": lo - b, "high_change": hi - b, "swing": abs(hi - lo)})
    out = pd.DataFrame(rows)
    out = out.sort_values(["kpi", "swing"], ascending=[True, False], kind="stable",
                          ignore_index=True)
    out.attrs["delta"] = delta
    return out


# --------------------------------------------------------------------------- thresholds

def _class_cdfs(model: Any, scores: Any, labels: Any, grid: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float | None]:
    """P(score < t) and P(score >= t) at each grid value, for violating and clean items."""
    if scores is None:
        from scipy.stats import beta

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


def model_item_type(scenario: Any, item_type: str | None = None) -> str:
    """The item type whose ML pre-filter thresholds are tuned or moved.

    ``item_type`` when given (it must exist and have its model enabled), else the
    first item type with a model. Raises :class:`~modlean.errors.ParameterError`
    otherwise.
    """
    if item_type is None:
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


def threshold_sweep(scenario: Any, item_type: str | None = None, *, step: float = 0.01,
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
    route = s.routing.get(item_type)
    pool = s.pools.get(route.pool) if route else None
    handling = pool.handling_for(item_type) if pool else None
    aht = handling.mean if handling else math.nan
    if c_review is None:
        c_review = (pool.cost_per_hour / (1 - pool.shrinkage) * aht / 3600) if pool else 0.0
    fa, fr = (pool.accuracy.false_approve, pool.accuracy.false_reject) \
        if (pool and human_errors) else (0.0, 0.0)
    grid = np.round(np.arange(0.0, 1.0 + step / 2, step), 10)
    lows = np.asarray(t_low if t_low is not None else grid, float)
    highs = np.asarray(t_high if t_high is not None else grid, float)
    if lows.min() < 0 or highs.max() > 1 or highs.min() < 0 or lows.max() > 1:
        raise ParameterError("t_low / t_high: expected values between 0 and 1")
    values = np.unique(np.r_[lows, highs])
    v_below, v_atleast, c_below, c_atleast, observed = _class_cdfs(item.model, scores, labels,
                                                                   values)
    idx = {float(v): i for i, v in enumerate(values)}
    L, H = np.meshgrid(lows, highs, indexing="ij")
    ok = L <= H
    L, H = L[ok], H[ok]
    li = np.array([idx[float(v)] for v in lows])[np.nonzero(ok)[0]]
    hi = np.array([idx[float(v)] for v in highs])[np.nonzero(ok)[1]]
    p = float(prevalence if prevalence is not None else observed if observed is not None
              else item.prevalence)
    n = float(volume_per_day if volume_per_day is not None
              else item.volume_per_day * float(np.mean(item.weekly_profile)))
    va, vr = v_below[li], v_atleast[hi]          # violating: auto-approved / auto-rejected
    ca, cr = c_below[li], c_atleast[hi]          # clean
    vh, ch = 1 - va - vr, 1 - ca - cr            # sent to people
    tp = n * p * (vr + vh * (1 - fa))
    fn = n * p * (va + vh * fa)
    fp = n * (1 - p) * (cr + ch * fr)
    tn = n * (1 - p) * (ca + ch * (1 - fr))
    human = p * vh + (1 - p) * ch
    n_review = n * human
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(tp + fp > 0, tp / (tp + fp), np.nan)
        recall = np.where(p > 0, tp / (tp + fn), np.nan)
        auto_rej = p * vr + (1 - p) * cr
        model_precision = np.where(auto_rej > 0, p * vr / auto_rej, np.nan)
    model_recall = 1 - va
    fp_, fn_ = (precision, recall) if floors_on == "system" else (model_precision, model_recall)
    feasible = (np.nan_to_num(fp_, nan=1.0) >= min_precision - 1e-12) & \
        (np.nan_to_num(fn_, nan=1.0) >= min_recall - 1e-12)
    error_cost = c_fp * fp + c_fn * fn
    review_cost = c_review * n_review
    out = pd.DataFrame({
        "t_low": L, "t_high": H,
        "auto_approve_share": p * va + (1 - p) * ca, "auto_reject_share": auto_rej,
        "human_share": human, "n_review": n_review,
        "workload_hours": n_review * aht / 3600 if handling else np.nan,
        "tp": tp, "fp": fp, "fn": fn, "tn": tn,
        "precision": precision, "recall": recall,
        "model_precision": model_precision, "model_recall": model_recall,
        "error_cost": error_cost, "review_cost": review_cost,
        "expected_cost": error_cost + review_cost, "feasible": feasible,
    })
    out["pareto"] = pareto_front(out, ("n_review", "error_cost"), where=out["feasible"])
    out.attrs.update({"item_type": item_type, "c_fp": c_fp, "c_fn": c_fn,
                      "c_review": c_review, "prevalence": p, "volume_per_day": n,
                      "current": (item.model.t_low, item.model.t_high),
                      "floors": (min_precision, min_recall, floors_on)})
    return out


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


def tune_thresholds(scenario: Any, item_type: str | None = None, **kwargs: Any) -> Thresholds:
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
