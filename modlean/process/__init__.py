"""Process mining on the canonical log: discovery, performance, lean metrics, SOP conformance.

Modules: ``discovery`` (DFG, variants), ``performance`` (durations, waits,
rework, handovers, bottlenecks), ``filters``, ``summary`` (mine, tables),
``stats`` (shared statistics, MiningWarning), ``lean`` (lean metrics),
``log_distance`` (the distance measures of two logs, CFLD ... relative event EMD), ``sop``
(the SOP model) and ``conformance`` (the rule checkers); ``large`` (mine_dataset: a
folder of log files mined in memory or partition by partition) and ``sketch`` (the
mergeable summaries its partial results are combined with). The encoding they share
(EventArrays, encode) lives in :mod:`modlean.eventlog.arrays` and is re-exported here.

Other subpackages import these names from here, not from the modules inside.
"""

from __future__ import annotations

from modlean.eventlog import (
    EventArrays,
    Order,
    completion_span,
    encode,
    lead_span,
)
from modlean.process.conformance import (
    CHECKERS,
    Conformance,
    check_conformance,
    token_replay,
)
from modlean.process.discovery import (
    DFG,
    case_variants,
    dfg,
    to_networkx,
    top_k_coverage,
    variants,
)
from modlean.process.filters import (
    filter_attribute,
    filter_case_size,
    filter_time,
    filter_variants,
)
from modlean.process.large import (
    ENGINES,
    DatasetMining,
    mine_dataset,
)
from modlean.process.lean import (
    describe,
    first_pass_yield,
    flow_summary,
    handoffs,
    lead_times,
    littles_law,
    metrics,
    process_cycle_efficiency,
    rework_rate,
    rolled_throughput_yield,
    sla_attainment,
    takt_from_log,
    takt_time,
    wip_over_time,
)
from modlean.process.log_distance import (
    LOG_DISTANCES,
    case_arrival_emd,
    circadian_event_emd,
    control_flow_log_distance,
    cycle_time_emd,
    log_distances,
    n_gram_distance,
    relative_event_emd,
)
from modlean.process.performance import (
    Bottlenecks,
    WaitBasis,
    activity_times,
    bottlenecks,
    case_durations,
    event_times,
    handover_graph,
    handovers,
    rework,
)
from modlean.process.sketch import QUANTILE_METHOD, RELATIVE_ERROR
from modlean.process.sop import RULE_FIELDS, RULES, SOP, Forbidden, MaxTime, load_sop
from modlean.process.stats import MiningWarning
from modlean.process.summary import mine, tables

__all__ = [
    "CHECKERS",
    "DFG",
    "ENGINES",
    "LOG_DISTANCES",
    "QUANTILE_METHOD",
    "RELATIVE_ERROR",
    "RULES",
    "RULE_FIELDS",
    "SOP",
    "Bottlenecks",
    "Conformance",
    "DatasetMining",
    "EventArrays",
    "Forbidden",
    "MaxTime",
    "MiningWarning",
    "Order",
    "WaitBasis",
    "activity_times",
    "bottlenecks",
    "case_arrival_emd",
    "case_durations",
    "case_variants",
    "check_conformance",
    "circadian_event_emd",
    "completion_span",
    "control_flow_log_distance",
    "cycle_time_emd",
    "describe",
    "dfg",
    "encode",
    "event_times",
    "filter_attribute",
    "filter_case_size",
    "filter_time",
    "filter_variants",
    "first_pass_yield",
    "flow_summary",
    "handoffs",
    "handover_graph",
    "handovers",
    "lead_span",
    "lead_times",
    "littles_law",
    "load_sop",
    "log_distances",
    "metrics",
    "mine",
    "mine_dataset",
    "n_gram_distance",
    "process_cycle_efficiency",
    "relative_event_emd",
    "rework",
    "rework_rate",
    "rolled_throughput_yield",
    "sla_attainment",
    "tables",
    "takt_from_log",
    "takt_time",
    "to_networkx",
    "token_replay",
    "top_k_coverage",
    "variants",
    "wip_over_time",
]
