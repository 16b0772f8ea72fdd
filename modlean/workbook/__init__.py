"""The user's own workbook: ``workbook.yaml`` and the markets it lists.

``load_workbook`` reads and checks the file; ``market_inputs`` gives a notebook its
market's files and settings (log, QA table, register, SOP model, scenario: a file,
a preset or calibrated from the log); ``register_evidence`` measures the risks the
register asks for; ``scaffold`` makes a new workbook folder (``modlean init``).
A notebook section whose input a market lacks is skipped with a note
(:mod:`modlean.workbook.sections`). See docs/workbook.md.

Other subpackages import these names from here, not from the modules inside.
"""

from __future__ import annotations

from modlean.workbook.likelihood import (
    MEASURE_TEXT,
    MIN_QA_CHECKS,
    WEEK_DAYS,
    RegisterEvidence,
    register_evidence,
)
from modlean.workbook.market import (
    INPUT_NAMES,
    MarketInputs,
    find_upwards,
    market_inputs,
    reviewer_pool,
)
from modlean.workbook.scaffold import SCAFFOLD, Scaffold, scaffold
from modlean.workbook.schema import (
    CALIBRATE,
    FROM_LOG,
    MARKET_PATTERN,
    MarketSettings,
    QAFileSetting,
    Workbook,
    load_workbook,
    scenario_kind,
)
from modlean.workbook.sections import NEEDS, install, needs_of

__all__ = [
    "CALIBRATE",
    "FROM_LOG",
    "INPUT_NAMES",
    "MARKET_PATTERN",
    "MEASURE_TEXT",
    "MIN_QA_CHECKS",
    "NEEDS",
    "SCAFFOLD",
    "WEEK_DAYS",
    "MarketInputs",
    "MarketSettings",
    "QAFileSetting",
    "RegisterEvidence",
    "Scaffold",
    "Workbook",
    "find_upwards",
    "install",
    "load_workbook",
    "market_inputs",
    "needs_of",
    "register_evidence",
    "reviewer_pool",
    "scaffold",
    "scenario_kind",
]
