"""Evidence: typed notebook parameters, recorded results, batch runs and appendices.

The JupyterLab panel (``modlean.evidence.panel``) is imported on its own: it needs ipywidgets.

Other subpackages import these names from here, not from the modules inside.
"""

from __future__ import annotations

from modlean.evidence.appendices import (
    FORMATS,
    appendix,
    appendix_context,
    appendix_files,
    parse_formats,
    write_appendices,
)
from modlean.evidence.batch import BatchResult, environment, run_batch
from modlean.evidence.dashboard import STATUS_RULE, kpi_status, market_cards
from modlean.evidence.documents import chromium
from modlean.evidence.execute import execute_run, to_html
from modlean.evidence.gather import key_figures, market_runs, show_results
from modlean.evidence.kernels import BATCH_ENV, INLINE_BACKEND, in_batch, kernel_manager_class
from modlean.evidence.manifest import RunEntry, RunManifest, load_manifest, read_manifest
from modlean.evidence.params import (
    MARKET_PATTERN,
    FilePath,
    Flag,
    Ident,
    Integer,
    Items,
    Market,
    Number,
    Param,
    Params,
    Text,
    notebook_parameters,
    validate,
)
from modlean.evidence.planning import RunSpec, plan_runs
from modlean.evidence.readback import iter_records, read_records, strip_outputs
from modlean.evidence.recording import MIME, Record, RecordedFigure, record, records
from modlean.evidence.run_index import write_index
from modlean.evidence.values import format_value

__all__ = [
    "BATCH_ENV",
    "FORMATS",
    "INLINE_BACKEND",
    "MARKET_PATTERN",
    "MIME",
    "STATUS_RULE",
    "BatchResult",
    "FilePath",
    "Flag",
    "Ident",
    "Integer",
    "Items",
    "Market",
    "Number",
    "Param",
    "Params",
    "Record",
    "RecordedFigure",
    "RunEntry",
    "RunManifest",
    "RunSpec",
    "Text",
    "appendix",
    "appendix_context",
    "appendix_files",
    "chromium",
    "environment",
    "execute_run",
    "format_value",
    "in_batch",
    "iter_records",
    "kernel_manager_class",
    "key_figures",
    "kpi_status",
    "load_manifest",
    "market_cards",
    "market_runs",
    "notebook_parameters",
    "parse_formats",
    "plan_runs",
    "read_manifest",
    "read_records",
    "record",
    "records",
    "run_batch",
    "show_results",
    "strip_outputs",
    "to_html",
    "validate",
    "write_appendices",
    "write_index",
]
