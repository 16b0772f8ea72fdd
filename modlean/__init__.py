"""modlean: a workbook for running e-commerce moderation operations by the numbers.

``import modlean`` is quick: it loads the log reader and the errors, and the
other modules on first use, so ``modlean.mining``, ``modlean.simulate`` ... work
after a plain ``import modlean`` without paying for SimPy or matplotlib up front.
See docs/design.md for what each module does.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from types import ModuleType

from modlean.errors import LogError, ModleanError, ParameterError, ScenarioError
from modlean.log import read_log, summarize

try:
    __version__ = version("modlean")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

#: Modules loaded on first attribute access (``modlean.mining``).
SUBMODULES = (
    "batch",
    "executor",
    "files",
    "log",
    "mining", "lean", "conformance",
    "params",
    "plots",
    "queueing", "scenario", "simulate",
    "whatif", "staffing", "calibrate",
    "report", "panel",
    "agreement", "fmea", "penalties", "quality", "records", "risk", "sampling", "spc",
)

__all__ = [
    "LogError",
    "ModleanError",
    "ParameterError",
    "ScenarioError",
    "__version__",
    "read_log",
    "summarize",
    *SUBMODULES,
]


def __getattr__(name: str) -> ModuleType:
    if name in SUBMODULES:
        return importlib.import_module(f"modlean.{name}")
    raise AttributeError(f"module 'modlean' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(SUBMODULES))
