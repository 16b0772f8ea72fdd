"""The targets a scenario sets for its KPIs: SLA hours and percentiles, per item type and pool.

A scenario states its service levels as numbers (``item_types.listing.sla:
{hours: 24, percentile: 95}``, ``appeals.sla``). :func:`kpi_targets` turns them
into targets on the KPI catalogue's names (:mod:`modlean.kpis`), so a table or a
dashboard can say whether a simulated figure met its target and by which rule. A
pool's own SLA (``pools.l1_listing.sla``, which a workbook's ``sla_hours`` sets) is a
target of that pool's KPIs (the pool summary's ``sla_attainment`` and
``turnaround_p95_h``, from joining its queue to the end of the review).
"""

from __future__ import annotations

import pandas as pd

from modlean.kpis import kpi
from modlean.scenario.schema import Scenario

__all__ = ["TARGET_COLUMNS", "kpi_targets"]

#: Columns of :func:`kpi_targets`.
TARGET_COLUMNS = ["kpi", "item_type", "pool", "target", "comparison", "rule"]
#: Turnaround percentiles the simulator reports (``turnaround_p95_h`` ...).
_PERCENTILES = (50, 90, 95, 99)


def kpi_targets(scenario: Scenario) -> pd.DataFrame:
    """The KPI targets ``scenario`` sets: one row per KPI and item type.

    Per item type: the turnaround percentile of its SLA within the SLA hours
    (``turnaround_p95_h <= 24`` when the SLA is 95 % within 24 h and the simulator
    reports that percentile), the SLA attainment at least the percentile, and
    every replication meeting the SLA. The same targets for ``all`` items when
    every item type has the same SLA; when only their hours differ, the attainment
    of ``all`` items at least the common percentile (each item within its own
    type's hours). With appeals enabled, the appeals SLA.

    Per pool with its own SLA, the same two targets on the pool's KPIs (``pool``
    set, ``item_type`` empty).

    Returns
    -------
    pandas.DataFrame
        Columns ``kpi``, ``item_type`` (empty for a pool's row), ``pool`` (empty for an
        item type's row), ``target`` (in the KPI's unit: hours, or a share 0-1),
        ``comparison`` (``"<="`` or ``">="``) and ``rule`` in words.
    """
    rows = []
    slas = {name: (t.sla.hours, t.sla.percentile) for name, t in scenario.item_types.items()}
    groups = dict(slas)
    if len(set(slas.values())) == 1:
        groups["all"] = next(iter(slas.values()))
    for item_type, (hours, percentile) in groups.items():
        rows += _sla_rows(item_type, hours, percentile, "turnaround_p{}_h", "sla_attainment")
        if item_type != "all":  # the simulator reports it per item type only
            rows.append(("sla_target_met", item_type, 1.0, ">=",
                         "every replication meets the SLA"))
    percentiles = {p for _, p in slas.values()}
    if "all" not in groups and len(percentiles) == 1:  # hours differ, the percentile does not
        percentile = percentiles.pop()
        rows.append(("sla_attainment", "all", percentile / 100, ">=",
                     f"SLA: {percentile:g} % within each item type's hours"))
    if scenario.appeals.enabled:
        sla = scenario.appeals.sla
        rows += _sla_rows("all", sla.hours, sla.percentile, "appeal_turnaround_p{}_h",
                          "appeal_sla_attainment", reported=(95,))
    rows = [(kpi_name, item_type, "", *rest) for kpi_name, item_type, *rest in rows]
    for name, pool in scenario.pools.items():
        if pool.sla is not None:
            rows += [(kpi_name, "", name, *rest) for kpi_name, _, *rest in _sla_rows(
                "", pool.sla.hours, pool.sla.percentile, "turnaround_p{}_h", "sla_attainment",
                reported=(95,), what=f"{name.replace('_', ' ')} queue SLA")]
    table = pd.DataFrame(rows, columns=TARGET_COLUMNS)
    for name in table["kpi"].unique():  # every target names a catalogue entry
        kpi(name)
    return table


def _sla_rows(item_type: str, hours: float, percentile: float, turnaround: str,
              attainment: str, reported: tuple[int, ...] = _PERCENTILES,
              what: str = "SLA") -> list[tuple]:
    """Targets of one SLA: the percentile's turnaround (when reported) and the attainment."""
    rule = f"{what}: {percentile:g} % within {hours:g} h"
    rows = [(attainment, item_type, percentile / 100, ">=", rule)]
    if float(percentile).is_integer() and int(percentile) in reported:
        rows.insert(0, (turnaround.format(int(percentile)), item_type, hours, "<=", rule))
    return rows
