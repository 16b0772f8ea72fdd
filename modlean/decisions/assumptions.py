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
from typing import TYPE_CHECKING

import pandas as pd

from modlean.scenario import value_at

if TYPE_CHECKING:
    from modlean.scenario import Scenario

__all__ = ["Assumptions"]


@dataclass
class Assumptions:
    """Field paths of assumed values and why, in the order they were met."""

    why: dict[str, str] = field(default_factory=dict)
    shown: dict[str, object] = field(default_factory=dict)
    """Values to show instead of the scenario's (a renamed name, not the section under it)."""

    def add(self, path: str, why: str, shown: object = None, *, replace: bool = False) -> None:
        """Record that the value at dotted ``path`` was assumed, and why (first reason wins,
        unless ``replace``: a reason found once the scenario is made); ``shown``: the value
        to show in place of the scenario's value at ``path``."""
        if replace:
            self.why.pop(path, None)
            self.shown.pop(path, None)
        if path not in self.why and shown is not None:
            self.shown[path] = shown
        self.why.setdefault(path, why)

    def table(self, scenario: Scenario) -> pd.DataFrame:
        """``field``, ``value`` (as the scenario holds it) and ``why``, one row per assumption."""
        data = scenario.model_dump(mode="json")
        rows = [{"field": path, "value": self.shown.get(path, value_at(data, path)), "why": why}
                for path, why in self.why.items()]
        return pd.DataFrame(rows, columns=["field", "value", "why"])

