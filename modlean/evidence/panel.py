"""An interactive SOP what-if panel for JupyterLab (ipywidgets).

A program manager moves four knobs of a market's scenario -- the headcount of
one reviewer pool, the ML pre-filter's two thresholds ``t_low`` / ``t_high``
and the QA sampling rate -- presses *Run*, and sees the key KPIs of a short
simulation beside those of the scenario as it stands (the *reference* run).
Every run uses the same seed, so the runs share their arrivals and items
(common random numbers) and the change shown is the knobs' change, not noise.

The logic is kept apart from the widgets so it can be tested without a browser:

* :func:`panel_overrides` turns the knob values into dotted-path overrides;
* :func:`panel_kpis` applies them, runs the short simulation and returns the KPIs;
* :class:`SopPanel` (built by :func:`sop_panel`) is the widget, calling
  :func:`panel_kpis` when *Run* is pressed;
* :func:`show_sop_panel` displays the panel in JupyterLab and skips it inside
  ``modlean batch`` runs (:func:`modlean.evidence.kernels.in_batch`), where nobody can
  press a button.
"""

from __future__ import annotations

import html
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from modlean.decisions import model_item_type, resolve_scenario
from modlean.errors import ModleanError, ParameterError
from modlean.evidence.kernels import in_batch
from modlean.scenario import apply_overrides
from modlean.simulation import simulate

if TYPE_CHECKING:
    from types import ModuleType

    from modlean.scenario import Scenario

__all__ = ["PANEL_KPIS", "SopPanel", "panel_kpis", "panel_overrides", "short_scenario",
           "show_sop_panel", "sop_panel"]

#: KPIs the panel shows: (label, KPI name, item type). ``{item}`` is the tuned
#: item type, ``{pool}`` the chosen pool.
PANEL_KPIS: tuple[tuple[str, str, str], ...] = (
    ("P95 turnaround, all items (h)", "turnaround_p95_h", "all"),
    ("P95 turnaround, {item} (h)", "turnaround_p95_h", "{item}"),
    ("SLA attainment, {item}", "sla_attainment", "{item}"),
    ("mean L1 wait, all items (h)", "wait_l1_mean_h", "all"),
    ("peak backlog (items)", "backlog_max", "all"),
    ("human review rate, {item}", "human_review_rate", "{item}"),
    ("utilisation of {pool}", "utilisation.{pool}", "all"),
    ("accuracy of final decisions", "accuracy", "all"),
    ("false approval rate", "false_approve_rate", "all"),
    ("false rejection rate", "false_reject_rate", "all"),
    ("QA samples", "qa_sampled", "all"),
    ("cost per decision", "cost_per_decision", "all"),
)


def _default_pool(scenario: Scenario, item_type: str) -> str:
    route = scenario.routing.get(item_type)
    return route.pool if route is not None else next(iter(scenario.pools))


def short_scenario(scenario: Scenario, *, horizon_days: float = 2, warmup_days: float = 1,
                   drain_days: float = 1) -> Scenario:
    """The scenario with a short horizon, for runs that answer within a few seconds.

    ``warmup_days`` must be below ``horizon_days`` (the KPIs count the days after it).
    """
    if not warmup_days < horizon_days:
        raise ParameterError(f"warmup_days: found {warmup_days!r}; expected fewer than "
                             f"horizon_days ({horizon_days!r}), or no day would be measured")
    return apply_overrides(scenario, {"horizon_days": horizon_days, "warmup_days": warmup_days,
                                      "drain_days": drain_days}, source="panel horizon")


def panel_overrides(scenario: Scenario, *, pool: str, headcount: float, t_low: float,
                    t_high: float, qa_rate: float, item_type: str | None = None
                    ) -> dict[str, Any]:
    """The dotted-path overrides that set the panel's four knobs on ``scenario``.

    Parameters
    ----------
    scenario:
        A :class:`~modlean.scenario.Scenario`.
    pool:
        The reviewer pool whose headcount is set.
    headcount:
        Reviewers rostered per day in ``pool`` (>= 0).
    t_low, t_high:
        ML thresholds of ``item_type``: below ``t_low`` approved automatically, at or
        above ``t_high`` rejected automatically; ``0 <= t_low <= t_high <= 1``.
    qa_rate:
        Share of human decisions QA samples (``qa.human_rate``), between 0 and 1.
    item_type:
        The item type whose thresholds move (default: the first with an ML model).

    Raises
    ------
    ParameterError
        For an unknown pool or item type, or values out of range.
    """
    item = model_item_type(scenario, item_type)
    if pool not in scenario.pools:
        raise ParameterError(f"pool {pool!r}: not in scenario {scenario.name!r}; expected one "
                             f"of {list(scenario.pools)}")
    checks = (("headcount", headcount, 0.0, math.inf), ("t_low", t_low, 0.0, 1.0),
              ("t_high", t_high, 0.0, 1.0), ("qa_rate", qa_rate, 0.0, 1.0))
    for name, value, low, high in checks:
        if not isinstance(value, (int, float)) or isinstance(value, bool) \
                or not low <= value <= high:
            bounds = f"between {low:g} and {high:g}" if high < math.inf else f">= {low:g}"
            raise ParameterError(f"{name}: found {value!r}; expected a number {bounds}")
    if t_low > t_high:
        raise ParameterError(f"thresholds: t_low {t_low!r} is above t_high {t_high!r}; "
                             "expected t_low <= t_high")
    return {f"pools.{pool}.headcount": headcount,
            f"item_types.{item}.model.t_low": float(t_low),
            f"item_types.{item}.model.t_high": float(t_high),
            "qa.human_rate": float(qa_rate)}


def panel_kpis(scenario: Scenario, *, pool: str, headcount: float, t_low: float, t_high: float,
               qa_rate: float, item_type: str | None = None, seed: int | None = None,
               replications: int = 1) -> pd.Series:
    """Run ``scenario`` with the panel's knob values; the KPIs the panel shows.

    This is the panel's callback, free of widgets. The scenario is simulated as
    given (shorten it first with :func:`short_scenario`), without event log or
    item table, on one process.

    Returns
    -------
    pandas.Series
        KPI values (means over ``replications``) indexed by the readable labels of
        :data:`PANEL_KPIS`; ``attrs["overrides"]`` holds the overrides applied.
    """
    item = model_item_type(scenario, item_type)
    overrides = panel_overrides(scenario, pool=pool, headcount=headcount, t_low=t_low,
                                t_high=t_high, qa_rate=qa_rate, item_type=item)
    s = apply_overrides(scenario, overrides, source="SOP panel")
    result = simulate(s, seed=seed, replications=replications, workers=1, event_log=False,
                      item_table=False)
    k = result.kpis
    means = k.groupby(["item_type", "kpi"], observed=True)["value"].mean()
    values = {}
    for label, name, of in PANEL_KPIS:
        key = (of.format(item=item), name.format(pool=pool))
        values[label.format(item=item, pool=pool)] = float(means.get(key, math.nan))
    out = pd.Series(values, name="value", dtype=float)
    out.attrs["overrides"] = overrides
    return out


def _table_html(reference: pd.Series, current: pd.Series | None) -> str:
    table = pd.DataFrame({"reference": reference})
    if current is not None:
        table["this run"] = current
        table["change"] = current - reference
    return table.to_html(float_format=lambda v: f"{v:,.4g}", na_rep="–", border=0)


def _widgets() -> ModuleType:
    try:  # deferred: ipywidgets is needed by the widget only, not by its logic
        import ipywidgets
    except ImportError as exc:  # pragma: no cover - a core dependency
        raise ModleanError("the SOP panel needs ipywidgets (pip install 'ipywidgets>=8')"
                           ) from exc
    return ipywidgets


class SopPanel(_widgets().VBox):  # type: ignore[misc]
    """The SOP what-if panel: pool, headcount, thresholds, QA rate, *Run*, and the KPIs.

    Build it with :func:`sop_panel`. Besides being a widget it offers
    :meth:`run` (what *Run* does), :attr:`reference` (the KPIs of the scenario as
    it stands), :attr:`last` (the KPIs of the latest run) and :attr:`history`
    (one row per run: knob values and KPIs).
    """

    def __init__(self, scenario: Scenario, *, item_type: str | None = None, pool: str | None = None,
                 seed: int | None = None, replications: int = 1,
                 max_headcount_factor: float = 3.0) -> None:
        w = _widgets()
        self.scenario = scenario
        self.item_type = model_item_type(scenario, item_type)
        start_pool = pool or _default_pool(scenario, self.item_type)
        if start_pool not in scenario.pools:
            raise ParameterError(f"pool {start_pool!r}: not in scenario {scenario.name!r}; "
                                 f"expected one of {list(scenario.pools)}")
        self.seed = scenario.seed if seed is None else seed
        self.replications = replications
        model = scenario.item_types[self.item_type].model
        top = max(int(max(p.headcount for p in scenario.pools.values()) * max_headcount_factor),
                  10)
        self.pool = w.Dropdown(options=list(scenario.pools), value=start_pool,
                               description="pool")
        self.headcount = w.BoundedIntText(value=round(scenario.pools[start_pool].headcount),
                                          min=0, max=top, step=1, description="headcount")
        self.thresholds = w.FloatRangeSlider(value=(model.t_low, model.t_high), min=0.0,
                                             max=1.0, step=0.01, readout_format=".2f",
                                             continuous_update=False,
                                             description=f"t_low/t_high ({self.item_type})",
                                             style={"description_width": "initial"},
                                             layout=w.Layout(width="480px"))
        self.qa_rate = w.BoundedFloatText(value=scenario.qa.human_rate, min=0.0, max=1.0,
                                          step=0.005, description="QA rate")
        self.run_button = w.Button(description="Run", button_style="primary",
                                   tooltip="simulate with these settings")
        self.reset_button = w.Button(description="Reset", tooltip="back to the scenario")
        self.status = w.HTML()
        self.table = w.HTML()
        self.history_table = w.HTML()
        self.pool.observe(self._on_pool, names="value")
        self.run_button.on_click(lambda _: self.run())
        self.reset_button.on_click(lambda _: self.reset())
        self.history: pd.DataFrame = pd.DataFrame()
        self.last: pd.Series | None = None
        header = w.HTML(
            f"<b>SOP what-if: {html.escape(str(scenario.name))}</b> — "
            f"{scenario.horizon_days:g} days of arrivals ({scenario.warmup_days:g} warm-up), "
            f"seed {self.seed}, {replications} replication(s). Change the settings and press "
            "<i>Run</i>; <i>reference</i> is the scenario as it stands.")
        super().__init__([header,
                          w.HBox([self.pool, self.headcount]),
                          w.HBox([self.thresholds, self.qa_rate]),
                          w.HBox([self.run_button, self.reset_button, self.status]),
                          self.table, self.history_table])
        self.reference = self._simulate(self.settings(**self._scenario_settings(start_pool)))
        self.table.value = _table_html(self.reference, None)

    def _scenario_settings(self, pool: str) -> dict[str, Any]:
        model = self.scenario.item_types[self.item_type].model
        return {"pool": pool, "headcount": self.scenario.pools[pool].headcount,
                "t_low": model.t_low, "t_high": model.t_high,
                "qa_rate": self.scenario.qa.human_rate}

    def settings(self, **changes: Any) -> dict[str, Any]:
        """The knob values (as :func:`panel_kpis` keywords), with ``changes`` applied."""
        t_low, t_high = self.thresholds.value
        values = {"pool": self.pool.value, "headcount": self.headcount.value,
                  "t_low": round(float(t_low), 4), "t_high": round(float(t_high), 4),
                  "qa_rate": float(self.qa_rate.value)}
        values.update(changes)
        return values

    def _simulate(self, settings: dict[str, Any]) -> pd.Series:
        return panel_kpis(self.scenario, item_type=self.item_type, seed=self.seed,
                          replications=self.replications, **settings)

    def _on_pool(self, change: dict[str, Any]) -> None:
        self.headcount.value = round(self.scenario.pools[change["new"]].headcount)

    def run(self, **changes: Any) -> pd.Series | None:
        """Set the knobs given in ``changes`` (pool, headcount, t_low, t_high, qa_rate),
        simulate, show the KPIs and add a row to :attr:`history`.

        Returns the KPIs, or None when the settings were refused (the message is
        shown in the panel).
        """
        unknown = sorted(set(changes) - {"pool", "headcount", "t_low", "t_high", "qa_rate"})
        if unknown:
            raise ParameterError(f"SOP panel: unknown settings {unknown}; expected pool, "
                                 "headcount, t_low, t_high, qa_rate")
        if changes:
            # the widgets refuse what the panel cannot run; check first, then set
            check = self.settings(**changes)
            panel_overrides(self.scenario, item_type=self.item_type, **check)
            if check["headcount"] > self.headcount.max:
                raise ParameterError(f"headcount: found {check['headcount']!r}; the panel "
                                     f"goes up to {self.headcount.max}")
            self.pool.value = check["pool"]
            self.headcount.value = int(check["headcount"])
            self.thresholds.value = (check["t_low"], check["t_high"])
            self.qa_rate.value = check["qa_rate"]
        settings = self.settings()
        self.run_button.disabled = True
        self.status.value = "<i>simulating…</i>"
        try:
            kpis = self._simulate(settings)
        except ModleanError as exc:
            self.status.value = f"<span style='color:#D55E00'>{html.escape(str(exc))}</span>"
            return None
        finally:
            self.run_button.disabled = False
        self.status.value = ""
        self.last = kpis
        if self.reference.index.equals(kpis.index):
            self.table.value = _table_html(self.reference, kpis)
        else:   # another pool: its utilisation row differs from the reference's
            self.table.value = _table_html(self.reference.reindex(kpis.index), kpis)
        row = pd.DataFrame([{**settings, **kpis.to_dict()}])
        self.history = pd.concat([self.history, row], ignore_index=True)
        self.history_table.value = ("<b>runs so far</b>" + self.history.to_html(
            float_format=lambda v: f"{v:,.4g}", na_rep="–", border=0))
        return kpis

    def reset(self) -> None:
        """Put the knobs back to the scenario's values and show the reference KPIs."""
        values = self._scenario_settings(self.pool.value)
        self.headcount.value = round(values["headcount"])
        self.thresholds.value = (values["t_low"], values["t_high"])
        self.qa_rate.value = values["qa_rate"]
        self.table.value = _table_html(self.reference, None)
        self.status.value = ""


def sop_panel(scenario: Scenario | str | Path, *, seed: int | None = None, horizon_days: float = 2,
              warmup_days: float = 1, drain_days: float = 1, item_type: str | None = None,
              pool: str | None = None, replications: int = 1) -> SopPanel:
    """Build the SOP what-if panel on a short run of ``scenario``.

    Parameters
    ----------
    scenario:
        A Scenario, YAML path or preset name (:func:`modlean.decisions.resolve_scenario`).
    seed:
        Seed of every run (default: the scenario's); the same for all runs, so runs
        differ only by the settings.
    horizon_days, warmup_days, drain_days:
        The short run (about 1 s per day of a full-scale market preset).
    item_type:
        The item type whose ML thresholds the panel moves (default: the first with a model).
    pool:
        The pool selected at first (default: the L1 pool of ``item_type``).
    replications:
        Replications per run (1 keeps the panel quick).

    Returns
    -------
    SopPanel
        An ``ipywidgets.VBox``; it has already simulated the reference run.
    """
    short = short_scenario(resolve_scenario(scenario), horizon_days=horizon_days,
                           warmup_days=warmup_days, drain_days=drain_days)
    return SopPanel(short, item_type=item_type, pool=pool, seed=seed,
                    replications=replications)


def show_sop_panel(scenario: Scenario | str | Path, **kwargs: Any) -> SopPanel | None:
    """Display the SOP panel in JupyterLab; inside ``modlean batch`` print a note instead.

    Keywords go to :func:`sop_panel`. Returns the panel (already displayed), or
    None in a batch run, where no simulation is spent on it.
    """
    if in_batch():
        print("The interactive SOP panel is skipped in batch runs: open this notebook in "
              "JupyterLab to use it.")
        return None
    from IPython.display import display  # deferred: only JupyterLab shows the panel

    panel = sop_panel(scenario, **kwargs)
    display(panel)
    return panel

