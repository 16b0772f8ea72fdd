"""Likelihood from observed or simulated data, set into the register's ratings.

- :func:`share_of_periods_missed` — the share of simulated periods that miss a
  target (a probability for :func:`~modlean.risk.matrix.likelihood_from_probability`);
- :func:`likelihood_evidence` — levels from per-risk evidence (a rate per
  decision, a probability per period or events per year) beside the register's own;
- :func:`apply_likelihoods` — the register with those levels in place of its ratings.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from modlean.errors import ParameterError
from modlean.risk.matrix import (
    DEFAULT_MATRIX,
    RiskMatrix,
    likelihood_from_frequency,
    likelihood_from_probability,
    likelihood_from_rate,
)

__all__ = ["apply_likelihoods", "likelihood_evidence", "share_of_periods_missed"]


def share_of_periods_missed(kpis: pd.DataFrame, *, kpi: str = "sla_target_met",
                            item_type: str = "all") -> tuple[float, int]:
    """Share of simulated periods (replications) in which a target was missed.

    ``kpis`` is the tidy KPI table of a simulation (``replication``, ``item_type``,
    ``kpi``, ``value``), where ``kpi`` is a 1/0 flag (1 = target met), e.g.
    ``sla_target_met``. Returns (share missed, replications): the probability to
    pass to :func:`likelihood_from_probability` with the simulated period's length.
    """
    missing = [c for c in ("replication", "item_type", "kpi", "value") if c not in kpis.columns]
    if missing:
        raise ParameterError(f"kpis: missing column(s) {missing}; expected the tidy KPI "
                             "table of modlean.simulate")
    sel = kpis[(kpis["kpi"] == kpi) & (kpis["item_type"] == item_type)]
    if sel.empty:
        raise ParameterError(f"kpis: no {kpi!r} for item type {item_type!r}; found item types "
                             f"{sorted(map(str, kpis['item_type'].unique()))}")
    met = sel.groupby("replication")["value"].min().to_numpy(dtype="float64")
    return float((met < 0.5).mean()), int(met.size)


def likelihood_evidence(evidence: Mapping[str, Mapping[str, float | str]], *,
                        risks: pd.DataFrame | None = None,
                        matrix: RiskMatrix = DEFAULT_MATRIX) -> pd.DataFrame:
    """Likelihood levels from observed or simulated data, one row per risk.

    Parameters
    ----------
    evidence:
        risk id -> ``{"measure": text, ...}`` with one of ``rate_per_decision``
        (e.g. a QA error rate), ``probability`` (with ``period_days``: e.g. the share of
        simulated weeks that miss the SLA) or ``per_year`` (events a year).
    risks:
        The register's risks, to show the likelihood it states beside the data's.

    Returns
    -------
    pandas.DataFrame
        ``risk_id``, ``measure``, ``basis``, ``value``, ``likelihood`` (1-5), and with
        ``risks`` also ``register_l`` (current residual) and ``change`` (data − register).
    """
    rows = []
    for risk_id, item in evidence.items():  # one per risk with evidence (a handful)
        given = [k for k in ("rate_per_decision", "probability", "per_year") if k in item]
        if len(given) != 1:
            raise ParameterError(f"likelihood evidence for {risk_id!r}: found keys "
                                 f"{sorted(item)}; expected exactly one of rate_per_decision, "
                                 "probability (with period_days) or per_year")
        key = given[0]
        value = float(item[key])
        if key == "rate_per_decision":
            level = likelihood_from_rate(value, matrix)
            basis = "rate per decision"
        elif key == "probability":
            days = float(item.get("period_days", 7.0))
            level = likelihood_from_probability(value, period_days=days, matrix=matrix)
            basis = f"probability per {days:g} days"
        else:
            level = likelihood_from_frequency(value, matrix)
            basis = "events per year"
        rows.append({"risk_id": str(risk_id), "measure": str(item.get("measure", key)),
                     "basis": basis, "value": value, "likelihood": int(level)})
    out = pd.DataFrame(rows, columns=["risk_id", "measure", "basis", "value", "likelihood"])
    if risks is not None:
        known = risks.set_index("risk_id")["residual_l"]
        unknown = sorted(set(out["risk_id"]) - set(known.index))
        if unknown:
            raise ParameterError(f"likelihood evidence: risk id(s) {unknown} are not in the "
                                 "register")
        out["register_l"] = known.reindex(out["risk_id"]).astype(int).to_numpy()
        out["change"] = out["likelihood"] - out["register_l"]
    return out


def apply_likelihoods(risks: pd.DataFrame, evidence: pd.DataFrame, *,
                      stage: str = "residual") -> pd.DataFrame:
    """The risks with the ``<stage>_l`` of each risk in ``evidence`` set from the data.

    ``evidence`` is :func:`likelihood_evidence` output. The register's own rating
    is kept in ``<stage>_l_register`` and ``likelihood_source`` says ``data`` or
    ``register``; pass the result to :func:`assess`.
    """
    col = f"{stage}_l"
    if col not in risks.columns:
        raise ParameterError(f"stage {stage!r}: the register has no {col!r} column")
    levels = evidence.set_index("risk_id")["likelihood"]
    unknown = sorted(set(levels.index) - set(risks["risk_id"]))
    if unknown:
        raise ParameterError(f"likelihood evidence: risk id(s) {unknown} are not in the "
                             "register")
    out = risks.copy()
    from_data = out["risk_id"].isin(levels.index)
    out[f"{col}_register"] = out[col]
    out.loc[from_data, col] = out.loc[from_data, "risk_id"].map(levels).astype(int)
    out["likelihood_source"] = np.where(from_data, "data", "register")
    return out

