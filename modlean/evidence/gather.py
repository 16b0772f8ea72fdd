"""Gather one market's results of a batch run into a notebook (the BRD appendix notebook).

A gathering notebook declares ``run_dir``: the batch runs it after the others
and gives it the run folder. These functions read that folder's manifest and
executed notebooks; they leave out the gathering notebooks themselves.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from modlean.evidence.manifest import read_manifest
from modlean.evidence.readable import value_text
from modlean.evidence.readback import notebook_title, read_records
from modlean.evidence.recording import RecordedFigure
from modlean.kpis import readable

__all__ = ["key_figures", "market_runs", "show_results"]


def market_runs(run_dir: str | Path, market: str) -> pd.DataFrame:
    """One row per notebook run of ``market`` in a batch run folder.

    Columns: ``notebook``, ``scenario``, ``status``, ``seconds``, ``records`` (how many
    results it recorded), ``error`` (type and message of a failed run) and ``html``
    (the report's path inside the run folder). Gathering notebooks (those declaring
    ``run_dir``, such as the appendix notebook itself) are left out.
    """
    rows = [{"notebook": r.notebook, "scenario": r.scenario, "status": r.status,
             "seconds": r.seconds, "records": len(r.records),
             "error": f"{r.error_type}: {r.error}" if not r.ok else "",
             "html": r.html or ""}
            for r in read_manifest(run_dir).runs_of(market)]
    return pd.DataFrame(rows, columns=["notebook", "scenario", "status", "seconds", "records",
                                       "error", "html"])


def key_figures(run_dir: str | Path, market: str) -> pd.DataFrame:
    """The key figures (scalar records) of every notebook run of ``market``, as a table.

    Columns ``notebook``, ``name``, ``label`` (the KPI catalogue's), ``value`` (as
    recorded: number or text) and ``shown`` (in its unit and format: ``7.7 h``), in
    the order the notebooks and their records ran.
    """
    rows = [{"notebook": r.notebook, "name": name, "label": readable(name), "value": value,
             "shown": value_text(name, value)}
            for r in read_manifest(run_dir).runs_of(market)
            for name, value in r.kpis.items()]
    return pd.DataFrame(rows, columns=["notebook", "name", "label", "value", "shown"])


def show_results(run_dir: str | Path, market: str, *,
                 kinds: tuple[str, ...] = ("table", "figure"), max_rows: int = 30) -> None:
    """Display in the notebook what every run of ``market`` recorded, notebook by notebook.

    A heading per notebook (with its status), then each recorded table (first
    ``max_rows`` rows) and figure, in recording order. Nothing is recorded again,
    so an appendix of the run folder does not show them twice.
    """
    # deferred: IPython costs a second to import, and only a notebook shows results
    from IPython.display import Markdown, display

    folder = Path(run_dir)
    runs = read_manifest(folder).runs_of(market)
    if not runs:
        display(Markdown(f"*No notebook ran for market {market} in `{folder}`.*"))
        return
    for run in runs:  # a handful of notebooks
        path = folder / run.ipynb if run.ipynb else None
        title = notebook_title(path, run.notebook) + (f" ({run.scenario})" if run.scenario
                                                      else "")
        display(Markdown(f"### {title}: {run.status}"))
        if not run.ok:
            display(Markdown(f"**Failed:** {run.error_type}: {run.error}"))
        if path is None or not path.is_file():
            continue
        for name, value in read_records(path).items():
            kind = ("figure" if isinstance(value, RecordedFigure) else
                    "table" if isinstance(value, pd.DataFrame | pd.Series) else "other")
            if kind not in kinds:
                continue
            display(Markdown(f"**{readable(name)}**"))
            display(value.head(max_rows) if kind == "table" else value)

