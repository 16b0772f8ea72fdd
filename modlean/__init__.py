"""modlean: a workbook for running e-commerce moderation operations by the numbers.

The face holds one verb per step a program manager takes, the error family and
``__version__``; the subpackages hold the rest (docs/design.md has the map)::

    log = modlean.read_log("events.csv")          # eventlog
    log = modlean.read_log("tasks.csv", profile="vendor.yaml")   # an export, see docs/intake.md
    modlean.summarize(log)
    scenario = modlean.load_scenario("US.yaml")   # scenario
    result = modlean.simulate(scenario, seed=1)   # simulation
    table = modlean.compare(scenario, "proposal.yaml")   # decisions

``import modlean`` is quick: it loads the errors only. A verb or a subpackage
(``modlean.process``, ``modlean.quality`` ...) is imported on first use
(PEP 562), so a notebook cell or the CLI never pays for SimPy, matplotlib or
pm4py it does not use.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from modlean.errors import (
    LogError,
    ModleanError,
    ParameterError,
    RegisterError,
    ScenarioError,
)

if TYPE_CHECKING:  # the lazy names below, for type checkers and IDEs
    from modlean.decisions import calibrate, compare, staff
    from modlean.eventlog import import_export, import_qa, read_log, summarize
    from modlean.evidence import appendix, record, run_batch
    from modlean.process import check_conformance, mine
    from modlean.quality import decision_quality
    from modlean.risk import assess
    from modlean.scenario import load_scenario
    from modlean.simulation import simulate

try:
    __version__ = version("modlean")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

#: The verbs, in the order a user meets them, and the subpackage each lives in.
VERBS = {
    "read_log": "eventlog",
    "import_export": "eventlog",
    "import_qa": "eventlog",
    "summarize": "eventlog",
    "mine": "process",
    "check_conformance": "process",
    "load_scenario": "scenario",
    "simulate": "simulation",
    "compare": "decisions",
    "staff": "decisions",
    "calibrate": "decisions",
    "decision_quality": "quality",
    "assess": "risk",
    "record": "evidence",
    "run_batch": "evidence",
    "appendix": "evidence",
}

#: Subpackages along the data flow, loaded on first attribute access.
SUBPACKAGES = (
    "eventlog", "process", "scenario", "simulation", "decisions",
    "quality", "risk", "evidence", "plots", "cli",
)

__all__ = [  # tests/test_architecture.py checks it names the errors and every verb
    "LogError",
    "ModleanError",
    "ParameterError",
    "RegisterError",
    "ScenarioError",
    "__version__",
    "appendix",
    "assess",
    "calibrate",
    "check_conformance",
    "compare",
    "decision_quality",
    "import_export",
    "import_qa",
    "load_scenario",
    "mine",
    "read_log",
    "record",
    "run_batch",
    "simulate",
    "staff",
    "summarize",
]


def __getattr__(name: str) -> Any:
    if name in VERBS:
        value = getattr(importlib.import_module(f"modlean.{VERBS[name]}"), name)
        globals()[name] = value
        return value
    if name in SUBPACKAGES:
        return importlib.import_module(f"modlean.{name}")
    raise AttributeError(f"module 'modlean' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | set(SUBPACKAGES))
