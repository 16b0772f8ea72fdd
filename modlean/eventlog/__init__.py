"""The event log: any supported source read into the canonical log, the log's clock,
and the log encoded as arrays for the miners.

The canonical log is one pandas DataFrame, one row per event (docs/event-log.md).
Modules: ``read`` (the front: read_log, summarize), ``readers`` (the format
registry), ``columns`` (canonical names and aliases), ``values`` (ids, numbers and
times), ``lifecycle`` (start/complete pairing), ``canonical`` (the last step to the
canonical shape), ``timestamps`` (the clock) and ``arrays`` (EventArrays and encode,
shared by every miner), ``dataset`` (a folder of log files: read whole or cut into
partitions of whole cases for mining larger than memory). Vendor exports with a source
profile (docs/intake.md):
``profile`` (load_profile, Profile), ``intake`` (import_export, Intake), ``links``
(parent tickets chased to the root), ``vocabulary`` (vendor values mapped),
``tasks`` (a task table made into events), ``report`` and ``intake_report`` (the
mapping report); a QA team's own file of checks: ``qa_profile`` (load_qa_profile,
QAFileProfile) and ``qa_intake`` (import_qa: the checks joined to the log's
decisions). ``facts``, ``guess``, ``guess_rules`` and ``guess_yaml`` guess a profile
from an export (``modlean profile``); ``minable`` says when a log read as events cannot
be mined.

Other subpackages import these names from here, not from the modules inside.
"""

from __future__ import annotations

from modlean.eventlog.arrays import (
    EventArrays,
    Order,
    completion_span,
    encode,
    factorize,
    lead_span,
)
from modlean.eventlog.canonical import with_market
from modlean.eventlog.columns import CANONICAL_COLUMNS, NOT_PEOPLE, REQUIRED_COLUMNS
from modlean.eventlog.dataset import (
    Partitioned,
    dataset_events,
    dataset_files,
    partition_dataset,
    read_dataset,
    read_partition,
)
from modlean.eventlog.guess import GuessedProfile, guess_profile
from modlean.eventlog.guess_yaml import profile_yaml
from modlean.eventlog.intake import Intake, import_export
from modlean.eventlog.lifecycle import LifecycleRank
from modlean.eventlog.minable import ShapeWarning, shape_warnings
from modlean.eventlog.profile import Profile, load_profile
from modlean.eventlog.qa_intake import QAIntake, import_qa
from modlean.eventlog.qa_profile import QAFileProfile, load_qa_profile
from modlean.eventlog.read import name_of, read_log, summarize
from modlean.eventlog.readers import READERS, is_pandas_index
from modlean.eventlog.report import WARNING_CODES, MappingReport, ReportWarning
from modlean.eventlog.tasks import QA_EVENT
from modlean.eventlog.timestamps import (
    MICROS_PER_SECOND,
    NAT,
    UTC_DTYPE,
    TimeLike,
    as_micros,
    utc_index,
    utc_series,
)
from modlean.eventlog.values import DEFAULT_TZ, LogWarning

__all__ = [
    "CANONICAL_COLUMNS",
    "DEFAULT_TZ",
    "MICROS_PER_SECOND",
    "NAT",
    "NOT_PEOPLE",
    "QA_EVENT",
    "READERS",
    "REQUIRED_COLUMNS",
    "UTC_DTYPE",
    "WARNING_CODES",
    "EventArrays",
    "GuessedProfile",
    "Intake",
    "LifecycleRank",
    "LogWarning",
    "MappingReport",
    "Order",
    "Partitioned",
    "Profile",
    "QAFileProfile",
    "QAIntake",
    "ReportWarning",
    "ShapeWarning",
    "TimeLike",
    "as_micros",
    "completion_span",
    "dataset_events",
    "dataset_files",
    "encode",
    "factorize",
    "guess_profile",
    "import_export",
    "import_qa",
    "is_pandas_index",
    "lead_span",
    "load_profile",
    "load_qa_profile",
    "name_of",
    "partition_dataset",
    "profile_yaml",
    "read_dataset",
    "read_log",
    "read_partition",
    "shape_warnings",
    "summarize",
    "utc_index",
    "utc_series",
    "with_market",
]
