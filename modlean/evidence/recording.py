"""Record results inside a notebook: :func:`record` and the display bundle it publishes.

``record(name, value)`` displays one output whose bundle carries a custom MIME
type, :data:`MIME` (``application/vnd.modlean.record+json``), next to the usual
representations, so the executed ``.ipynb`` file *is* the record:

* a number, text, date or ``None`` (kind ``scalar``) -> ``{"name", "kind", "value"}``
  plus ``text/plain`` and ``text/markdown`` (``**name**: value``);
* a dict or list of such values (kind ``json``);
* a pandas DataFrame or Series (kind ``table``) -> the table as JSON
  (``orient="table"``, types kept) plus ``text/html`` for readers;
* a matplotlib Figure (kind ``figure``) -> ``image/png`` rendered by ``savefig``
  (so the picture is there whatever the matplotlib backend) and the figure is
  closed, so the inline backend does not show it a second time.

Jupyter front ends ignore the unknown MIME type and show the ordinary
representation. Outside a kernel (plain Python, tests), records are kept in this
process: see :func:`records`. Reading them back from an executed notebook is
:mod:`modlean.evidence.readback`.
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from modlean.errors import ParameterError
from modlean.evidence.values import NOT_SCALAR, float_cell, format_value, json_scalar, jsonable

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "MAX_TABLE_ROWS",
    "MIME",
    "RECORD_VERSION",
    "ROW_VALUES",
    "Record",
    "RecordedFigure",
    "decode_record",
    "record",
    "records",
]

#: The MIME type of a record in a notebook output bundle.
MIME = "application/vnd.modlean.record+json"
#: Version of the record payload, stored in every record.
RECORD_VERSION = 1
#: Largest table (rows) :func:`record` accepts: records are evidence, not data dumps.
MAX_TABLE_ROWS = 20_000

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,79}$")
_RECORDED: dict[str, Any] = {}


@dataclass(frozen=True)
class RecordedFigure:
    """A figure read back from a notebook: its PNG bytes (shown as an image in Jupyter)."""

    name: str
    png: bytes = field(repr=False)

    def _repr_png_(self) -> bytes:
        return self.png

    def data_uri(self) -> str:
        """The PNG as a ``data:`` URI, for self-contained HTML and Markdown."""
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass(frozen=True)
class Record:
    """One recorded result: its name, kind (scalar, json, table, figure), value, cell."""

    name: str
    kind: str
    value: Any
    cell: int | None = None


def record(name: str, value: Any) -> None:
    """Record a result under ``name`` so the batch runner and appendices can read it back.

    Parameters
    ----------
    name:
        A short id: a letter, then letters, digits, ``_``, ``.`` or ``-`` (at most 80).
        It becomes a column of the batch index and a heading of the appendix.
    value:
        A number, text, date, ``None``, a dict/list of those, a pandas DataFrame or
        Series, or a matplotlib Figure (an Axes or a seaborn grid records its figure).

    Returns ``None`` on purpose, so a ``record(...)`` as the last line of a cell
    does not show the value twice.

    Raises
    ------
    ParameterError
        For a bad name or a value of another type.
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ParameterError(f"record name {name!r}: expected a letter, then letters, digits, "
                             "'_', '.' or '-' (at most 80 characters)")
    payload, bundle = _encode(name, value)
    _RECORDED[name] = decode_record(payload, bundle)
    bundle[MIME] = payload
    _publish(bundle)


def records() -> dict[str, Any]:
    """What :func:`record` recorded in this process so far (name -> value), in order."""
    return dict(_RECORDED)


def decode_record(payload: Mapping[str, Any], bundle: Mapping[str, Any]) -> Any:
    """The value of a record from its payload and display bundle.

    Figures come back as :class:`RecordedFigure`, tables as DataFrames, the rest as
    the JSON value stored.
    """
    kind = payload.get("kind")
    if kind == "figure":
        data = bundle.get("image/png", "")
        if isinstance(data, list):  # nbformat may keep multi-line strings as lists
            data = "".join(data)
        return RecordedFigure(str(payload.get("name")), base64.b64decode(data))
    if kind == "table":
        return pd.read_json(io.StringIO(json.dumps(payload["value"])), orient="table")
    return payload.get("value")


def _publish(bundle: dict[str, Any]) -> None:
    try:  # deferred: IPython matters only inside a kernel, and costs a second to import
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        return
    if get_ipython() is None:
        return
    from IPython.display import publish_display_data

    publish_display_data(bundle)


def _encode(name: str, value: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The record payload and the ordinary display bundle for ``value``."""
    base = {"name": name, "version": RECORD_VERSION}
    if not _is_figure(value) and _is_figure(getattr(value, "figure", None)):
        value = value.figure  # an Axes or a seaborn grid: record the whole figure
    if _is_figure(value):
        png = _figure_png(value)
        return ({**base, "kind": "figure", "value": None},
                {"image/png": base64.b64encode(png).decode("ascii"),
                 "text/plain": f"<figure {name}>"})
    table = _as_frame(value)
    if table is not None:
        if len(table) > MAX_TABLE_ROWS:
            raise ParameterError(f"record {name!r}: a table of {len(table):,} rows; expected at "
                                 f"most {MAX_TABLE_ROWS:,} (record a summary instead)")
        return ({**base, "kind": "table", "value": _table_json(name, table)},
                {"text/html": _table_html(name, table),
                 "text/plain": f"{name}:\n{table.to_string(max_rows=30)}"})
    scalar = json_scalar(value)
    if scalar is not NOT_SCALAR:
        shown = format_value(scalar)
        return ({**base, "kind": "scalar", "value": scalar},
                {"text/plain": f"{name}: {shown}", "text/markdown": f"**{name}**: {shown}"})
    if isinstance(value, Mapping | list | tuple):
        data = jsonable(name, value)
        text = json.dumps(data, ensure_ascii=False, indent=1)
        return ({**base, "kind": "json", "value": data},
                {"text/plain": f"{name}: {text if len(text) < 2000 else text[:2000] + ' ...'}"})
    raise ParameterError(f"record {name!r}: cannot record a {type(value).__name__}; expected a "
                         "number, text, date, DataFrame/Series, matplotlib Figure, or a "
                         "dict/list of numbers and text")


def _is_figure(value: Any) -> bool:
    return type(value).__module__.startswith("matplotlib") and hasattr(value, "savefig")


def _figure_png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    import matplotlib.pyplot as plt  # deferred: pyplot is heavy, and loaded by now anyway

    plt.close(fig)  # otherwise the inline backend shows it once more at the end of the cell
    return buffer.getvalue()


#: The column a recorded Series becomes when its name is no label: a row of fields.
ROW_VALUES = "value"


def _as_frame(value: Any) -> pd.DataFrame | None:
    if isinstance(value, pd.Series):
        # a row of a table (its name a row number) shows as its fields and their values
        return value.to_frame(name=value.name if isinstance(value.name, str) else ROW_VALUES)
    return value if isinstance(value, pd.DataFrame) else None


def _table_html(name: str, table: pd.DataFrame) -> str:
    body = table.to_html(max_rows=60, border=0, classes="modlean-table",
                         float_format=float_cell)
    return (f'<div class="modlean-record"><p><strong>{html.escape(name)}</strong></p>'
            f'<div style="overflow-x: auto">{body}</div></div>')


def _table_json(name: str, table: pd.DataFrame) -> dict[str, Any]:
    frame = table.copy()
    frame.columns = [str(c) for c in frame.columns]
    if frame.columns.duplicated().any():
        raise ParameterError(f"record {name!r}: the table has duplicate column names "
                             f"{sorted(set(frame.columns[frame.columns.duplicated()]))}")
    if frame.index.name in frame.columns or any(n in frame.columns for n in frame.index.names):
        frame = frame.reset_index(drop=True)
    return json.loads(frame.to_json(orient="table", date_format="iso", default_handler=str))
