"""Command-line results in an appendix: the ``--out`` folders of compare, staff, thresholds,
risk and calibrate, each recognised by the files it holds (``modlean appendix --include DIR``).

:data:`FOLDER_KINDS` says which files make each kind of folder, which tables and
figures it shows and how its one-sentence finding is written from them.
:func:`read_included` reads a folder into an :class:`Included` section (its tables
as :class:`~modlean.evidence.recording.Record` objects, so the appendix shows them
like a notebook's); a folder no kind fits is a :class:`~modlean.errors.ParameterError`
naming the folder and the files each kind needs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from modlean.errors import ParameterError
from modlean.evidence.findings import finding
from modlean.evidence.readable import shrinkage_caveat, value_text
from modlean.evidence.recording import Record, RecordedFigure
from modlean.evidence.verdicts import item_rows
from modlean.scenario import setting_words

__all__ = ["FOLDER_KINDS", "FolderKind", "Included", "read_included"]


@dataclass(frozen=True)
class FolderKind:
    """One command's ``--out`` folder: the files that identify it, what it shows, its finding."""

    command: str
    title: str
    needs: tuple[str, ...]
    tables: tuple[tuple[str, str], ...]  # (file, caption), shown when present
    figures: tuple[tuple[str, str], ...] = ()
    finding: Callable[[dict[str, pd.DataFrame]], str] | None = None


@dataclass
class Included:
    """An included folder read: its kind, its records (tables, figures) and its finding."""

    folder: Path
    kind: FolderKind
    finding: str
    records: list[tuple[str, Record]] = field(default_factory=list)  # (caption, record)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def title(self) -> str:
        """The section's heading: the command's title and the folder's name."""
        return f"{self.kind.title} ({self.folder.name})"

    @property
    def decision_table(self) -> pd.DataFrame | None:
        """The decision table of a ``modlean compare`` folder, else None."""
        return self.tables.get("decision_table.csv") if self.kind.command == "compare" else None


def _compare_finding(tables: dict[str, pd.DataFrame]) -> str:
    return finding({"decision_table": item_rows(tables["decision_table.csv"])})


def _staff_finding(tables: dict[str, pd.DataFrame]) -> str:
    parts = []
    for r in tables["staffing.csv"].itertuples(index=False):
        simulated = "" if pd.isna(getattr(r, "simulated", None)) else \
            f", {value_text('staff_simulated', r.simulated)} confirmed by simulation"
        parts.append(f"{setting_words(str(r.pool))} needs "
                     f"{value_text('staff_analytic', r.analytic)} by the analytic estimate"
                     f"{simulated} (today {r.current:,.0f})"
                     + shrinkage_caveat(getattr(r, "shrinkage", None)))
    return "; ".join(parts) + "." if parts else "No pool with work was sized."


def _thresholds_finding(tables: dict[str, pd.DataFrame]) -> str:
    frontier = tables["frontier.csv"]
    if frontier.empty or "expected_cost" not in frontier.columns:
        return f"The sweep tried {len(tables['sweep.csv']):,} threshold pairs; none is on " \
               "the frontier."
    best = frontier.loc[frontier["expected_cost"].idxmin()]
    return (f"Of {len(tables['sweep.csv']):,} threshold pairs tried, the cheapest on the "
            f"frontier is {best['t_low']:.2f} / {best['t_high']:.2f} at "
            f"{value_text('threshold_cost_per_day_best', best['expected_cost'])}.")


def _risk_finding(tables: dict[str, pd.DataFrame]) -> str:
    table = tables["register_assessed.csv"]
    outside = table.loc[table["within_appetite"].astype(str).str.lower().eq("false"),
                        "risk_id"].tolist()
    high = int(table["residual_band"].isin(["Critical", "High"]).sum())
    return (f"Of {value_text('risks', len(table))}, {value_text('critical_or_high', high)} "
            f"are critical or high and {len(outside)} outside appetite"
            + (f" ({', '.join(map(str, outside))})." if outside else "."))


def _calibrate_finding(tables: dict[str, pd.DataFrame]) -> str:
    assumed = tables["assumptions.csv"]
    return (f"The scenario was calibrated from the log; {len(assumed)} of its values could "
            "not be read from the log and are assumed (the table says which and why).")


#: The folders ``--include`` recognises, tried in this order.
FOLDER_KINDS = (
    FolderKind("compare", "Decision table from modlean compare", ("decision_table.csv",),
               (("decision_table.csv", "Decision table: proposal against baseline"),),
               (("decision_table.png", "Change against the baseline, with 95 % intervals"),),
               _compare_finding),
    FolderKind("staff", "Staffing from modlean staff", ("staffing.csv",),
               (("staffing.csv", "Headcount per pool: analytic and simulated"),
                ("evaluations.csv", "Headcounts simulated in the search")),
               finding=_staff_finding),
    FolderKind("thresholds", "ML thresholds from modlean thresholds",
               ("sweep.csv", "frontier.csv"),
               (("frontier.csv", "Threshold pairs on the cost frontier"),),
               (("frontier.png", "Threshold sweep and its frontier"),), _thresholds_finding),
    FolderKind("risk", "Risk register from modlean risk", ("register_assessed.csv",),
               (("register_assessed.csv", "The register, assessed"),
                ("action_plans.csv", "Action plans"),
                ("overdue_actions.csv", "Overdue actions"), ("fmea.csv", "Process FMEA")),
               (("heatmaps.png", "Risk matrix: inherent, now and target"),
                ("fmea.png", "FMEA by action priority")), _risk_finding),
    FolderKind("calibrate", "Calibration from modlean calibrate",
               ("scenario.yaml", "assumptions.csv"),
               (("assumptions.csv", "What the calibrated scenario assumes"),
                ("handling.csv", "Handling times from the log"),
                ("accuracy.csv", "Reviewer accuracy from QA"),
                ("fidelity.csv", "Fidelity: the simulated log against the real one")),
               finding=_calibrate_finding),
)


def _expected() -> str:
    return "; ".join(f"{' and '.join(k.needs)} ({k.command} --out)" for k in FOLDER_KINDS)


def _read_csv(file: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(file)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise ParameterError(f"--include: {str(file)!r} is not a readable CSV table "
                             f"({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})"
                             ) from None


def _shown(table: pd.DataFrame) -> pd.DataFrame:
    """A table as shown: a KPI's label and unit columns left out (the KPI column shows both)."""
    if "kpi" not in table.columns:
        return table
    return table.drop(columns=[c for c in ("label", "unit") if c in table.columns])


def read_included(folder: str | Path) -> Included:
    """Read an ``--out`` folder of ``modlean compare``, ``staff``, ``thresholds``, ``risk`` or
    ``calibrate`` into an appendix section.

    Raises
    ------
    ParameterError
        When ``folder`` is no folder, or holds the files of none of :data:`FOLDER_KINDS`
        (the message names the folder and the files each kind needs), or a table in it
        cannot be read.
    """
    path = Path(folder)
    if not path.is_dir():
        raise ParameterError(f"--include {str(path)!r}: no such folder; expected the --out "
                             "folder of modlean compare, staff, thresholds, risk or calibrate")
    kind = next((k for k in FOLDER_KINDS if all((path / f).is_file() for f in k.needs)), None)
    if kind is None:
        found = ", ".join(sorted(p.name for p in path.iterdir())[:8]) or "nothing"
        raise ParameterError(f"--include {str(path)!r}: not an output folder modlean "
                             f"recognises (it holds {found}); expected {_expected()}")
    files = dict.fromkeys([*(f for f in kind.needs if f.endswith(".csv")),
                           *(f for f, _ in kind.tables)])
    tables = {f: _read_csv(path / f) for f in files if (path / f).is_file()}
    records = [(caption, Record(name=f.removesuffix(".csv"), kind="table",
                                value=_shown(tables[f])))
               for f, caption in kind.tables if f in tables]
    records += [(caption, Record(name=f.removesuffix(".png"), kind="figure",
                                 value=RecordedFigure(f, (path / f).read_bytes())))
                for f, caption in kind.figures if (path / f).is_file()]
    try:
        sentence = kind.finding(tables) if kind.finding else ""
    except (KeyError, AttributeError, TypeError, ValueError) as exc:
        raise ParameterError(f"--include {str(path)!r}: its tables are not the ones "
                             f"modlean {kind.command} writes ({exc})") from None
    return Included(folder=path, kind=kind, finding=sentence, records=records, tables=tables)
