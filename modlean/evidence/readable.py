"""Records as a reader sees them: catalogue labels, units and formatted numbers, never code names.

The appendix (HTML, Markdown, DOCX) shows what notebooks recorded through these
functions, so a director reads "P95 turnaround 7.7 h", not
``turnaround_p95_h 7.712039``:

* :func:`figure_rows`: the scalar records as (label, value with unit) rows;
* :func:`json_rows`: a recorded dict (``lean_flow``) as labelled rows, nested
  dicts as "Lead time, P90"; a list as one line of text;
* :func:`table_view`: a recorded table with labelled headers; rows that are KPIs
  (a ``kpi`` column or index) get the KPI's label and its numbers its format;
  columns that are KPIs (``utilisation`` of a pool summary) likewise;
* :func:`readable_text`: a text cell with identifiers (``review_l1``) in words.

Names come from :mod:`modlean.kpis`; a name without an entry (a user's own
record) is shown in words (underscores as spaces), never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from modlean.evidence.recording import ROW_VALUES, Record
from modlean.evidence.values import NOT_SCALAR, format_value, json_scalar
from modlean.kpis import Kpi, catalogue, column_label, find, format_relative, readable

__all__ = ["KPI_KEYS", "SHARE_COLUMNS", "figure_rows", "json_rows", "readable_text",
           "shrinkage_caveat", "table_view", "value_text"]

#: Columns or index names whose values are KPI names (a row per KPI).
KPI_KEYS = ("kpi", "measure", "metric")
#: Columns never shown in the row's KPI unit: counts, relative changes, ranks.
_OWN_UNIT = {"n", "replications", "horizon_days", "relative_change", "rank", "count",
             "evaluations"}
#: Columns holding a change of the row's KPI (signed; a share's in points).
_CHANGES = {"difference", "low_change", "high_change", "swing"}
#: Table columns holding a share (0-1): shown as a percentage, whatever table they are in
#: (a bottleneck's ``share`` of all waiting, a variant's ``cumulative_share``, QA's ``p``).
SHARE_COLUMNS = frozenset({
    "share", "cumulative_share", "cum_share", "share_of_cases", "human_share",
    "auto_approve_share", "auto_reject_share", "share_met", "p", "center", "lcl", "ucl",
    "precision", "recall", "f1", "model_precision", "model_recall"})
_SHARE = Kpi(name="share", label="Share", unit="share", direction="none", fmt=".1f",
             definition="", source="")
_SNAKE = re.compile(r"\b[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+\b")


def value_text(name: str, value: Any, currency: str | None = None) -> str:
    """A recorded value as text: by the catalogue entry of ``name`` when it has one."""
    entry = find(name)
    if entry is None:
        return format_value(value)
    if isinstance(value, str) and entry.kind == "number":
        return value
    return entry.format(value, currency=currency)


def shrinkage_caveat(shrinkage: Any) -> str:
    """What a headcount means when its pool assumes no shrinkage (a calibrated pool's):
    people on duty, not paid heads; "" for a pool with shrinkage, or when not known."""
    try:
        value = float(shrinkage)
    except (TypeError, ValueError):
        return ""
    if value != 0:
        return ""
    return " (people on duty at 0 % shrinkage, as calibrated; paid heads are this ÷ " \
        "(1 − your shrinkage))"


def readable_text(text: Any) -> str:
    """Text for a reader: a catalogue label, or identifiers in words; paths kept as they are."""
    shown = str(text)
    entry = find(shown)
    if entry is not None:
        return entry.label
    if "/" in shown or "\\" in shown:  # a file path or a URL: the reader may need to open it
        return shown
    return _SNAKE.sub(lambda m: m.group(0).replace("_", " "), shown)


def figure_rows(records: Iterable[Record], currency: str | None = None) -> list[list[str]]:
    """Scalar records as ``[label, value]`` rows, the value in its unit and format."""
    return [[readable(r.name), _scalar_text(r.name, r.value, currency)] for r in records]


def _scalar_text(name: str, value: Any, currency: str | None) -> str:
    text = value_text(name, value, currency)
    entry = find(name)
    return readable_text(text) if entry is None or entry.kind != "number" else text


def json_rows(value: Any, currency: str | None = None, prefix: str = "") -> list[list[str]]:
    """A recorded dict as ``[label, value]`` rows (nested dicts flattened); a list as one row."""
    if isinstance(value, list):
        return [[prefix, ", ".join(readable_text(v) for v in value) or "none"]]
    rows: list[list[str]] = []
    for key, item in (value or {}).items():
        name = column_label(str(key))
        label = f"{prefix}, {name.lower() if prefix else name}" if prefix else name
        if isinstance(item, Mapping):
            entry = find(str(key))
            rows += [[f"{label}, {_stat(k)}", value_text(str(key), v, currency)
                      if entry is not None else format_value(v)] for k, v in item.items()]
        elif isinstance(item, list):
            rows += json_rows(item, currency, label)
        else:
            rows.append([label, _scalar_text(str(key), item, currency)])
    return rows


def _stat(key: str) -> str:
    """``p90`` -> ``P90``, ``mean`` -> ``mean``."""
    return key.upper() if re.fullmatch(r"p\d+", key) else column_label(key).lower()


def table_view(frame: pd.DataFrame, rows: int, currency: str | None = None) -> dict[str, Any]:
    """A table ready for a template: labelled ``header``, formatted ``rows``, ``more`` left out."""
    shown = frame.head(rows)
    plain = _plain_index(shown)
    key_col = next((c for c in shown.columns if str(c) in KPI_KEYS), None)
    index_is_kpi = str(shown.index.name) in KPI_KEYS
    header = ([] if plain else [column_label(str(shown.index.name or ""))]) + \
        [column_label(str(c)) for c in shown.columns]
    # a recorded row of a table (its one column ``value``, its rows fields): each row is
    # labelled and formatted as that field's column would be
    fields = list(map(str, shown.columns)) == [ROW_VALUES] and not plain and \
        all(isinstance(i, str) for i in shown.index)
    headings = catalogue().columns
    body = []
    for index, row in zip(shown.index, shown.itertuples(index=False), strict=True):
        name = str(row[list(shown.columns).index(key_col)]) if key_col is not None else \
            str(index) if index_is_kpi else None
        kpi = find(name) if name is not None else None
        cells = [] if plain else [headings.get(index, readable_text(index))
                                  if fields else readable_text(index)]
        changes = _CHANGES | ({"ci_low", "ci_high"} if "difference" in shown.columns else set())
        for column, value in zip(shown.columns, row, strict=True):
            shown_as = str(index) if fields else str(column)
            cells.append(_cell(shown_as, value, kpi, currency, shown_as in changes))
        body.append(cells)
    return {"header": header, "rows": body, "more": max(0, len(frame) - rows)}


def _cell(column: str, value: Any, row_kpi: Any, currency: str | None, change: bool) -> str:
    if isinstance(value, list | tuple):  # a variant: activities in order
        return " → ".join(readable_text(v) for v in value)
    scalar = json_scalar(value)
    if scalar is NOT_SCALAR:
        return readable_text(value)
    if isinstance(scalar, str):
        return readable_text(scalar)
    if isinstance(scalar, bool) or scalar is None:
        return format_value(scalar) if scalar is None else ("yes" if scalar else "no")
    if row_kpi is not None and row_kpi.kind == "number" and column not in _OWN_UNIT:
        return row_kpi.format_change(scalar, currency=currency) if change else \
            row_kpi.format(scalar, currency=currency)
    if column == "relative_change":
        return format_relative(scalar)
    if column in SHARE_COLUMNS and isinstance(scalar, float) and 0.0 <= scalar <= 1.0:
        return _SHARE.format(scalar)
    column_kpi = None if column in catalogue().columns else find(column)
    if column_kpi is not None and column_kpi.kind == "number":
        return column_kpi.format(scalar, currency=currency)
    return format_value(scalar)


def _plain_index(frame: pd.DataFrame) -> bool:
    """True for a 0, 1, 2 ... index, or row labels that are only numbers (not worth a column)."""
    index = frame.index
    if isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1:
        return True
    return index.name is None and pd.api.types.is_integer_dtype(index.dtype)
