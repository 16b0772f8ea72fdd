"""The assumptions of a calibration: every scenario value the log could not show.

A log shows arrivals, handling, routing and who worked when. It cannot show
which items truly violate policy without QA, the SLA targets, shrinkage, costs
or how often QA catches an error. :class:`Assumptions` collects, while
:func:`~modlean.decisions.calibrate.calibrate` runs, the field path of each such
value and why it was assumed; :meth:`Assumptions.table` reads the value used
from the finished scenario, so the table always shows what the simulation ran
with (a default, or the ``base`` scenario's value).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from modlean.scenario import Scenario

__all__ = ["Assumptions"]


@dataclass
class Assumptions:
    """Field paths of assumed values and why, in the order they were met."""

    why: dict[str, str] = field(default_factory=dict)

    def add(self, path: str, why: str) -> None:
        """Record that the value at dotted ``path`` was assumed, and why (first reason wins)."""
        self.why.setdefault(path, why)

    def table(self, scenario: Scenario) -> pd.DataFrame:
        """``field``, ``value`` (as the scenario holds it) and ``why``, one row per assumption."""
        data = scenario.model_dump(mode="json")
        rows = [{"field": path, "value": _at(data, path), "why": why}
                for path, why in self.why.items()]
        return pd.DataFrame(rows, columns=["field", "value", "why"])


def _at(data: Any, path: str) -> Any:
    """The value at a dotted path of nested mappings and lists (None when absent)."""
    for part in path.split("."):
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data
