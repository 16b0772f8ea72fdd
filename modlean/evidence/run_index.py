"""The cross-market index of a batch run (``RUN/index.html``): one row per market.

Rendered from the manifest with the template ``templates/batch/index.html.j2``;
each recorded scalar (KPI) becomes a column, each run links its HTML report
and notebook, and failed runs are listed with their message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from modlean._util import write_atomic
from modlean.evidence.manifest import RunEntry, RunManifest, read_manifest
from modlean.evidence.values import format_value
from modlean.resources import template_dirs

__all__ = ["index_rows", "kpi_columns", "write_index"]


def kpi_columns(runs: Iterable[RunEntry]) -> list[tuple[str, str, str]]:
    """(notebook, name, heading) of every scalar KPI, in first-seen order.

    The heading is the KPI's name, prefixed with its notebook when two notebooks
    record the same name.
    """
    seen: dict[tuple[str, str], None] = {}
    for run in runs:
        for name in run.kpis:
            seen.setdefault((run.notebook, name), None)
    clash = {n for (_, n) in seen if sum(1 for (_, m) in seen if m == n) > 1}
    return [(nb, n, f"{nb}: {n}" if n in clash else n) for (nb, n) in seen]


def index_rows(manifest: RunManifest) -> tuple[list[dict[str, Any]], list[tuple[str, str, str]]]:
    """The cross-market table: one row per market (and scenario), and the KPI columns."""
    columns = kpi_columns(manifest.runs)
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
    return list(rows.values()), columns


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
    rows, columns = index_rows(data)
    html = env.get_template("index.html.j2").render(
        manifest=data.to_dict(), rows=rows, columns=columns,
        scenarios=any(r["scenario"] for r in rows), failed=data.failed)
    target = folder / "index.html"
    write_atomic(target, html)
    return target
