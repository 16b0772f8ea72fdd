"""Summaries of the mining results: the JSON overview (:func:`mine`) and every table by name."""

from __future__ import annotations

import warnings
from typing import Any

import pandas as pd

from modlean.eventlog import EventArrays, encode
from modlean.process.discovery import dfg, variants
from modlean.process.performance import (
    activity_times,
    bottlenecks,
    case_durations,
    handovers,
    rework,
)
from modlean.process.stats import MiningWarning

__all__ = ["mine", "tables"]


def mine(log: pd.DataFrame | EventArrays, top: int = 10) -> dict[str, Any]:
    """A JSON-friendly overview: sizes, start/end activities, DFG, top variants, durations.

    Keys: ``cases``, ``events``, ``activities`` (name -> events), ``variants``
    (how many), ``start_activities`` and ``end_activities`` (name -> cases),
    ``dfg`` (list of ``{source, target, count, mean_seconds}``), ``top_variants``
    (list of ``{activities, count}``) and ``case_duration_seconds``
    (``{mean, median, min, max}``). This is what ``modlean mine --json`` prints.
    """
    ev = encode(log)
    graph = dfg(ev)
    table = variants(ev)
    durations = case_durations(ev)["duration_seconds"]
    return {
        "cases": ev.n_cases,
        "events": ev.n_events,
        "activities": {str(k): int(v) for k, v in graph.activities.items()},
        "variants": len(table),
        "start_activities": {str(k): int(v) for k, v in graph.start_activities.items()},
        "end_activities": {str(k): int(v) for k, v in graph.end_activities.items()},
        "dfg": [{"source": str(r.source), "target": str(r.target), "count": int(r.count),
                 "mean_seconds": float(r.mean_seconds)}
                for r in graph.edges.itertuples(index=False)],
        "top_variants": [{"activities": [str(a) for a in v], "count": int(c)}
                         for v, c in zip(table["variant"].head(top), table["count"].head(top),
                                         strict=True)],
        "case_duration_seconds": {"mean": float(durations.mean()),
                                  "median": float(durations.median()),
                                  "min": float(durations.min()),
                                  "max": float(durations.max())},
    }


def tables(log: pd.DataFrame | EventArrays) -> dict[str, pd.DataFrame]:
    """Every mining table by name (``dfg``, ``variants``, ``case_durations``,
    ``activity_times``, ``rework``, ``handovers``, ``bottleneck_activities``,
    ``bottleneck_edges``), e.g. to write them all as CSV."""
    ev = encode(log)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MiningWarning)  # negatives are in the columns
        out = {
            "dfg": dfg(ev).edges,
            "variants": variants(ev).assign(variant=lambda t: t["variant"].map(" > ".join)),
            "case_durations": case_durations(ev),
            "activity_times": activity_times(ev),
            "rework": rework(ev),
        }
        if "resource" in ev.frame:
            out["handovers"] = handovers(ev)
        b = bottlenecks(ev, top=None)
    out["bottleneck_activities"] = b.activities
    out["bottleneck_edges"] = b.edges
    return out
