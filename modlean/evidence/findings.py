"""The one-sentence finding that opens each evidence section, written from its figures.

A finding is a sentence template whose ``{placeholders}`` are record names; the
first template of :data:`FINDINGS` whose records a run holds is filled in, each
figure in its catalogue unit and format (:func:`~modlean.evidence.readable.value_text`).
A run that recorded a decision table opens with its overall reading instead
(:mod:`modlean.evidence.verdicts`); a run no template fits opens with its first
key figures; a failed run says so.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

import pandas as pd

from modlean.evidence.readable import readable_text, value_text
from modlean.evidence.verdicts import DECISION_COLUMNS, proposals_of, reading
from modlean.kpis import readable

__all__ = ["FINDINGS", "finding", "template_finding"]

#: Sentence templates, most specific first; each placeholder is a record name.
FINDINGS = (
    "The log holds {cases} and {events} over {days}; the ten commonest paths cover "
    "{top10_coverage} of the cases, and half the cases finish within {median_case_seconds}.",
    "Over {horizon_days} and {replications}, the simulated operation decides "
    "{throughput_per_day} with {sla_attainment} within SLA, a P95 turnaround of "
    "{turnaround_p95_h} and a backlog of at most {backlog_max}.",
    "QA re-checked {qa_checked}: {qa_error_rate} were wrong (false rejections "
    "{false_rejection_rate}, misses {miss_rate}), and production and QA agree with "
    "Cohen's kappa {cohen_kappa}.",
    "Of {risks}, {critical_or_high} are critical or high now; the register may cost "
    "{expected_annual_loss} in an average year and {annual_loss_p90} in a bad one, and "
    "{overdue_count} are overdue.",
    "The analytic estimate needs {staff_analytic} and the simulation confirms "
    "{staff_simulated} in the pool sized.",
)
_FIELDS = string.Formatter()
#: Key figures named in a finding no template fits.
_FALLBACK_FIGURES = 3


def _names(template: str) -> list[str]:
    return [f for _, f, _, _ in _FIELDS.parse(template) if f]


def template_finding(values: Mapping[str, Any], currency: str | None = None) -> str | None:
    """The first :data:`FINDINGS` template whose records are all in ``values``, filled in."""
    for template in FINDINGS:
        names = _names(template)
        if all(values.get(n) is not None for n in names):
            return template.format(**{n: value_text(n, values[n], currency) for n in names})
    return None


def _decision_finding(table: pd.DataFrame, proposal: Any) -> str:
    chosen = str(proposal) if proposal in proposals_of(table) else proposals_of(table)[0]
    r = reading(table, chosen)
    better = sum(line.verdict == "better" for line in r.lines)
    worse = sum(line.verdict == "worse" for line in r.lines)
    n = f", {r.basis.removeprefix('averaged over ')}" if r.replications else ""
    return (f"Against the baseline, {chosen} is {r.overall}: {better} of {len(r.lines)} "
            f"KPIs significantly better and {worse} worse (95 % intervals{n}).")


def finding(values: Mapping[str, Any], *, failed: str | None = None,
            currency: str | None = None) -> str:
    """The sentence that opens a section holding the records ``values`` (name -> value).

    ``failed`` is the error of a failed run: the sentence then says the evidence is
    incomplete, whatever the run recorded before it failed.
    """
    if failed:
        return f"This notebook failed ({failed}); its evidence below is incomplete."
    table = values.get("decision_table")
    if isinstance(table, pd.DataFrame) and set(DECISION_COLUMNS) <= set(table.columns) \
            and len(table):
        return _decision_finding(table, values.get("proposal"))
    sentence = template_finding(values, currency)
    if sentence:
        return sentence
    figures = [(n, v) for n, v in values.items()
               if isinstance(v, int | float | str) and not isinstance(v, bool)
               and not n.startswith("skipped_")][:_FALLBACK_FIGURES]
    if not figures:
        return "This section recorded tables and charts only; they follow."
    return "; ".join(f"{readable(n)}: {readable_text(value_text(n, v, currency))}"
                     for n, v in figures) + "."
