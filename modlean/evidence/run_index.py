"""The cross-market index of a batch run (``RUN/index.html``): one row per market.

Rendered from the manifest with the template ``templates/batch/index.html.j2``. At
the top the run's status and each failure with its reason; then the dashboard
(:mod:`modlean.evidence.dashboard`): per market the headline KPIs against their
targets with a status colour and the rule stated, small multiples of the key series,
the top risks and the appendix; then every recorded scalar (KPI) as a column of
one table, each run linking its HTML report and notebook.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from modlean._util import write_atomic
from modlean.evidence.dashboard import SERIES, STATUS_RULE, market_cards
from modlean.evidence.manifest import RunEntry, RunManifest, read_manifest
from modlean.evidence.readable import readable_text, value_text
from modlean.evidence.readback import notebook_title
from modlean.evidence.values import format_value
from modlean.kpis import readable
from modlean.resources import template_dirs

__all__ = ["index_rows", "kpi_columns", "notebook_titles", "write_index"]


def kpi_columns(runs: Iterable[RunEntry], titles: Mapping[str, str] | None = None
                ) -> list[tuple[str, str, str, str]]:
    """(notebook, name, notebook title, label) of every scalar KPI, in first-seen order.

    The label is the KPI catalogue's (:func:`modlean.kpis.readable`); the title is
    ``titles[notebook]``, else the notebook's name in words.
    """
    seen: dict[tuple[str, str], None] = {}
    for run in runs:
        for name in run.kpis:
            seen.setdefault((run.notebook, name), None)
    titles = titles or {}
    return [(nb, n, titles.get(nb) or notebook_title(None, nb), readable(n)) for (nb, n) in seen]


def notebook_titles(run_dir: Path, runs: Iterable[RunEntry]) -> dict[str, str]:
    """Each notebook's short title, read from one executed copy of it in the run folder."""
    paths: dict[str, Path | None] = {}
    for run in runs:  # the first run whose executed notebook is there
        path = run_dir / run.ipynb if run.ipynb else None
        if paths.get(run.notebook) is None:
            paths[run.notebook] = path if path is not None and path.is_file() else None
    return {nb: notebook_title(path, nb) for nb, path in paths.items()}


def index_rows(manifest: RunManifest, titles: Mapping[str, str] | None = None
               ) -> tuple[list[dict[str, Any]], list[tuple[str, str, str, str]]]:
    """The cross-market table: one row per market (and scenario), and the KPI columns."""
    columns = kpi_columns(manifest.runs, titles)
    rows: dict[tuple[str, str | None], dict[str, Any]] = {}
    for run in manifest.runs:
        key = (run.market, run.scenario)
        row = rows.setdefault(key, {"market": key[0], "scenario": key[1], "runs": [],
                                    "values": {}, "failed": []})
        row["runs"].append(run)
        if not run.ok:
            row["failed"].append(run)
        for name, value in run.kpis.items():
            row["values"][(run.notebook, name)] = value
    for row in rows.values():  # money in the currency a run of the row recorded
        currency = next((str(v) for (_, n), v in row["values"].items() if n == "currency" and v),
                        None)
        row["values"] = {key: _shown(key[1], value, currency)
                         for key, value in row["values"].items()}
    return list(rows.values()), columns


def _shown(name: str, value: Any, currency: str | None) -> str:
    """A key figure as the index shows it: catalogue format and unit; text in words."""
    text = value_text(name, value, currency)
    return readable_text(text) if isinstance(value, str) else text


def write_index(run_dir: str | Path,
                manifest: RunManifest | Mapping[str, Any] | None = None) -> Path:
    """Write ``index.html`` of a run folder from its manifest (template ``templates/batch``).

    ``manifest`` defaults to the folder's ``manifest.json``; a plain dict is read
    as that file's data.
    """
    import jinja2  # deferred: only rendering needs it, and the face imports this module

    folder = Path(run_dir)
    if manifest is None:
        data = read_manifest(folder)
    elif isinstance(manifest, RunManifest):
        data = manifest
    else:
        data = RunManifest.from_dict({"run": folder.resolve().name, **manifest})
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(template_dirs("batch")),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["fmt"] = format_value
    titles = notebook_titles(folder, data.runs)
    rows, columns = index_rows(data, titles)
    html = env.get_template("index.html.j2").render(
        manifest=data.to_dict(), rows=rows, columns=columns, titles=titles,
        scenarios=any(r["scenario"] for r in rows), failed=data.failed,
        cards=market_cards(folder, data), rule=STATUS_RULE,
        series=[label for _, label in SERIES], missing=_missing(data))
    target = folder / "index.html"
    write_atomic(target, html)
    return target


def _missing(manifest: RunManifest) -> list[str]:
    """Planned runs with no result yet ("US: 03_sop_change_test"), while a batch runs."""
    markets = dict.fromkeys(p.get("market") for p in manifest.planned)
    return [f"{m}: {name}" for m in markets if m for name in manifest.missing(m)]
