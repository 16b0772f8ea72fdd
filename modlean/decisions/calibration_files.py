"""A calibration read back from the folder ``modlean calibrate --out FOLDER`` wrote.

``modlean calibrate`` writes ``scenario.yaml`` beside the tables it measured
(``assumptions.csv``, ``handling.csv``, and, when there were any, ``accuracy.csv``,
``workflow.csv``, ``waits.csv``). A workbook market whose ``scenario:`` names such a
file (perhaps edited since) is a calibrated baseline: :func:`read_calibration`
gives it back as a :class:`~modlean.decisions.calibrate.Calibration`, its scenario
the file as it now is, so a notebook shows its assumptions and workflow as it
would for ``scenario: calibrate``. A scenario file without ``assumptions.csv``
beside it was not written by calibrate, and gives None.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from modlean.decisions.calibrate import Calibration

if TYPE_CHECKING:
    from modlean.scenario import Scenario

__all__ = ["CALIBRATION_TABLES", "calibration_folder", "read_calibration"]

#: The tables ``modlean calibrate --out FOLDER`` writes, by the Calibration field they hold.
CALIBRATION_TABLES = ("assumptions", "handling", "accuracy", "workflow", "waits")


def calibration_folder(scenario_file: str | Path) -> Path | None:
    """The folder ``modlean calibrate`` wrote ``scenario_file`` in (``assumptions.csv`` is
    beside it), or None."""
    folder = Path(scenario_file).parent
    return folder if (folder / "assumptions.csv").is_file() else None


def read_calibration(scenario_file: str | Path, scenario: Scenario) -> Calibration:
    """The calibration whose folder holds ``scenario_file`` (check :func:`calibration_folder`
    first: the file must have been written by ``modlean calibrate``).

    ``scenario`` is the file's scenario as loaded (edits included). What calibrate
    measured but does not write (arrivals per hour of week, routing, seats per
    hour) comes back empty.
    """
    folder = Path(scenario_file).parent
    tables = {name: pd.read_csv(folder / f"{name}.csv") if (folder / f"{name}.csv").is_file()
              else None for name in CALIBRATION_TABLES}
    return Calibration(
        scenario=scenario, handling=_or_empty(tables["handling"]), arrivals=pd.DataFrame(),
        routing=pd.DataFrame(), pools=pd.DataFrame(),
        notes=[f"read back from {folder} (written by modlean calibrate)"],
        accuracy=tables["accuracy"], assumptions=_or_empty(tables["assumptions"]),
        workflow=tables["workflow"], waits=tables["waits"])


def _or_empty(table: pd.DataFrame | None) -> pd.DataFrame:
    return table if table is not None else pd.DataFrame()
