"""What :func:`~modlean.simulation.simulate` returns: the tables of every replication and
KPI summaries across replications (mean, standard deviation, Student-t interval)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from modlean.errors import ParameterError
from modlean.scenario import Scenario

__all__ = ["SimulationResult", "summarize_kpis"]


@dataclass
class SimulationResult:
    """What :func:`simulate` returns.

    Attributes
    ----------
    scenario, seed, replications:
        What was run.
    kpis:
        Tidy KPIs: ``replication``, ``item_type`` (a type or ``"all"``), ``kpi``, ``value``.
    pool_kpis:
        ``replication``, ``pool``, ``kpi``, ``value`` (utilisation, busy/productive/paid
        hours, cost, reviews, mean wait, max queue).
    items:
        One row per item and replication (``None`` when ``item_table=False``).
    log:
        The simulated event log (``None`` when ``event_log=False``); with more than
        one replication, case ids carry the replication (``US-r2-0000123``) and a
        ``replication`` column is added.
    backlog:
        Hourly open items and aged (past-SLA) open items per item type and ``all``.
    pool_load:
        Hourly busy reviewers, productive capacity and waiting items per pool.
    """

    scenario: Scenario
    seed: int
    replications: int
    kpis: pd.DataFrame
    pool_kpis: pd.DataFrame
    backlog: pd.DataFrame
    pool_load: pd.DataFrame
    items: pd.DataFrame | None = None
    log: pd.DataFrame | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def summary(self, confidence: float = 0.95) -> pd.DataFrame:
        """KPIs across replications: mean, std, n and the Student-t interval of the mean."""
        return summarize_kpis(self.kpis, ["item_type", "kpi"], confidence)

    def pool_summary(self, confidence: float = 0.95) -> pd.DataFrame:
        """Pool KPIs across replications, like :meth:`summary`."""
        return summarize_kpis(self.pool_kpis, ["pool", "kpi"], confidence)

    @property
    def main_item_type(self) -> str:
        """The item type with the most items submitted (ties: the first in name order)."""
        items = self.kpis[(self.kpis["kpi"] == "items") & (self.kpis["item_type"] != "all")]
        if items.empty:
            raise ParameterError("the run has no item type with items; expected a run that "
                                 "simulated at least one item")
        per_type = items.groupby("item_type", observed=True)["value"].mean()
        return str(per_type.sort_index().idxmax())

    def kpi(self, name: str, item_type: str = "all") -> float:
        """The mean over replications of one KPI (``result.kpi("sla_attainment", "listing")``)."""
        sel = self.kpis[(self.kpis["kpi"] == name) & (self.kpis["item_type"] == item_type)]
        if sel.empty and item_type not in set(self.kpis["item_type"]):
            types = sorted(set(self.kpis["item_type"].astype(str)) - {"all"})
            raise ParameterError(f"kpi {name!r} for item type {item_type!r}: the run has no "
                                 f"item type {item_type!r}; expected 'all' or one of {types}")
        if sel.empty:
            known = sorted(self.kpis["kpi"].unique())
            raise ParameterError(f"kpi {name!r} for item type {item_type!r}: not found; "
                                 f"expected one of {known}")
        return float(sel["value"].mean())


def summarize_kpis(kpis: pd.DataFrame, by: list[str], confidence: float = 0.95
                   ) -> pd.DataFrame:
    """Mean, standard deviation, count and t-interval of ``value`` per group of ``by``."""
    from scipy import stats  # deferred: scipy.stats takes ~1 s to import, needed only here


    g = kpis.groupby(by, sort=False, observed=True)["value"]
    out = g.agg(mean="mean", std="std", n="count").reset_index()
    t = stats.t.ppf(0.5 + confidence / 2, np.maximum(out["n"] - 1, 1))
    half = np.where(out["n"] > 1, t * out["std"] / np.sqrt(out["n"]), np.nan)
    out["ci_low"] = out["mean"] - half
    out["ci_high"] = out["mean"] + half
    return out
