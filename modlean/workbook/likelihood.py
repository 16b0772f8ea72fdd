"""Likelihoods from a market's data for the risks whose register asks for them.

A risk's ``evidence`` field (:data:`modlean.risk.EVIDENCE_MEASURES`) names a measure
the workbook can compute for a market: a QA rate per decision
(``qa:false_rejection_rate``, ``qa:label_error_rate``, ``qa:miss_rate``,
``qa:error_rate``), or ``simulation:p_sla_missed_in_surge``, the share of simulated
surges of the market's baseline in which some item type misses its SLA target. Only the measures
some risk asks for are computed; a risk whose measure the market cannot give (no QA
table, say) keeps its stated likelihood, and a note says why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from modlean.quality import decision_quality
from modlean.risk import likelihood_evidence, share_of_periods_missed
from modlean.simulation import simulate

if TYPE_CHECKING:
    from modlean.risk import RiskRegister
    from modlean.workbook.market import MarketInputs

__all__ = ["MEASURE_TEXT", "RegisterEvidence", "register_evidence"]

#: How each measure reads in the evidence table.
MEASURE_TEXT = {
    "qa:false_rejection_rate": "false-rejection rate (QA)",
    "qa:label_error_rate": "wrong reason among right rejections (QA)",
    "qa:miss_rate": "violating items approved (QA miss rate)",
    "qa:error_rate": "wrong decisions (QA error rate)",
    "simulation:p_sla_missed_in_surge": "P(SLA target missed) in simulated surges",
}


@dataclass
class RegisterEvidence:
    """What the data says about the register's risks.

    ``table`` is :func:`modlean.risk.likelihood_evidence` for the risks with a
    measure (``risk_id``, ``measure``, ``basis``, ``value``, ``likelihood``,
    ``register_l``, ``change``); ``measures`` the computed values by measure name;
    ``notes`` one line per risk that keeps its stated likelihood, and why.
    """

    table: pd.DataFrame
    measures: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _asked(register: RiskRegister) -> pd.Series:
    """risk id -> measure, for the risks whose ``evidence`` names one."""
    risks = register.risks
    if "evidence" not in risks.columns:
        return pd.Series(dtype=object)
    asked = risks.set_index("risk_id")["evidence"]
    return asked[asked.notna() & asked.astype(str).str.strip().ne("")].astype(str)


def _share_missed_any(kpis: pd.DataFrame) -> tuple[float, int]:
    """Share of replications in which some item type missed its SLA target, and how many
    replications (:func:`modlean.risk.share_of_periods_missed` over every item type)."""
    flags = kpis[kpis["kpi"].eq("sla_target_met") & kpis["item_type"].ne("all")]
    if flags.empty:  # the message of the risk function: no such KPI
        return share_of_periods_missed(kpis)
    met = flags.groupby("replication")["value"].min()
    return float(1.0 - met.mean()), len(met)


def register_evidence(inputs: MarketInputs, register: RiskRegister, *,
                      surge_multiplier: float = 2.5, surge_days: int = 1,
                      replications: int = 3, seed: int = 1) -> RegisterEvidence:
    """Compute the measures the register asks for, and the likelihoods they give.

    Parameters
    ----------
    inputs:
        The market's inputs (:func:`modlean.workbook.market_inputs`).
    register:
        The risk register; risks with an ``evidence`` field are measured.
    surge_multiplier, surge_days, replications, seed:
        The simulated surge of ``simulation:p_sla_missed_in_surge``: every item
        type's volume × ``surge_multiplier`` for ``surge_days`` days, run
        ``replications`` times (only when some risk asks for it).
    """
    asked = _asked(register)
    measures: dict[str, float] = {}
    notes: list[str] = []
    texts = dict(MEASURE_TEXT)
    wanted = set(asked)
    qa_wanted = sorted(m for m in wanted if m.startswith("qa:"))
    if qa_wanted and inputs.has("qa"):
        dq = decision_quality(inputs.qa())
        measures.update({m: float(dq.loc[m.removeprefix("qa:"), "value"]) for m in qa_wanted})
    if "simulation:p_sla_missed_in_surge" in wanted:
        run = simulate(inputs.surge_scenario(surge_multiplier, surge_days), seed=seed,
                       replications=replications, workers=1, event_log=False,
                       item_table=False)
        p_missed, n = _share_missed_any(run.kpis)
        measures["simulation:p_sla_missed_in_surge"] = p_missed
        texts["simulation:p_sla_missed_in_surge"] = (
            f"P(SLA target missed), {n} simulated surges of {surge_days} day(s) at "
            f"{surge_multiplier:g}x volume")
    evidence: dict[str, dict[str, float | str]] = {}
    for risk_id, measure in asked.items():  # one per risk with evidence (a handful)
        value = measures.get(measure)
        if value is None or math.isnan(value):
            why = (inputs.skip_note("qa").replace(": section skipped", "")
                   if measure.startswith("qa:") and not inputs.has("qa")
                   else f"{measure} cannot be computed from this market's data")
            notes.append(f"{risk_id}: {why}; the register's likelihood is kept")
            continue
        key = "probability" if measure.startswith("simulation:") else "rate_per_decision"
        item: dict[str, float | str] = {"measure": texts[measure], key: value}
        if key == "probability":
            item["period_days"] = surge_days
        evidence[str(risk_id)] = item
    table = likelihood_evidence(evidence, risks=register.risks, matrix=register.matrix)
    return RegisterEvidence(table=table, measures=measures, notes=notes)
