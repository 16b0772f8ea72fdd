"""The event log: any supported source read into the canonical log, and the log's clock.

The canonical log is one pandas DataFrame, one row per event (docs/event-log.md).

Other subpackages import these names from here, not from the modules inside.
"""

from __future__ import annotations

from modlean.eventlog.read import (
    CANONICAL_COLUMNS,
    DEFAULT_TZ,
    READERS,
    REQUIRED_COLUMNS,
    LogWarning,
    read_log,
    summarize,
)
from modlean.eventlog.timestamps import (
    MICROS_PER_SECOND,
    UTC_DTYPE,
    utc_index,
    utc_series,
)

__all__ = [
    "CANONICAL_COLUMNS",
    "DEFAULT_TZ",
    "MICROS_PER_SECOND",
    "READERS",
    "REQUIRED_COLUMNS",
    "UTC_DTYPE",
    "LogWarning",
    "read_log",
    "summarize",
    "utc_index",
    "utc_series",
]
