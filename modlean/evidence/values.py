"""How a recorded value becomes JSON, and how a value is shown to a reader.

One definition of the number formatting the notebooks' records, the batch
index and the appendices share (:func:`format_value`: 1,234 and 0.123 and
12.3), and of the JSON scalars a record may hold (:func:`json_scalar`).
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping
from typing import Any

from modlean.errors import ParameterError

__all__ = ["NOT_SCALAR", "float_cell", "format_value", "json_scalar", "jsonable"]

#: What :func:`json_scalar` returns for a value that is not a scalar.
NOT_SCALAR: Any = object()


def json_scalar(value: Any) -> Any:
    """A JSON scalar for ``value`` (number, text, ISO date, None), or :data:`NOT_SCALAR`.

    numpy scalars become Python numbers, non-finite floats ``None``, dates and
    timestamps ISO text, time deltas their text.
    """
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    module = type(value).__module__.split(".")[0]
    if module == "numpy" and getattr(value, "ndim", 1) == 0 and hasattr(value, "item"):
        return json_scalar(value.item())
    if isinstance(value, _dt.datetime | _dt.date) or (module == "pandas"
                                                      and hasattr(value, "isoformat")):
        return value.isoformat()
    if isinstance(value, _dt.timedelta) or (module == "pandas" and hasattr(value, "total_seconds")):
        return str(value)
    return NOT_SCALAR


def jsonable(name: str, value: Any) -> Any:
    """``value`` (a dict or list of scalars, nested) as JSON data, for record ``name``.

    Raises
    ------
    ParameterError
        For a value inside that is not a scalar.
    """
    if isinstance(value, Mapping):
        return {str(k): jsonable(name, v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(name, v) for v in value]
    scalar = json_scalar(value)
    if scalar is NOT_SCALAR:
        raise ParameterError(f"record {name!r}: cannot record a {type(value).__name__} inside "
                             "a dict or list; expected numbers, text, dates or None")
    return scalar


def format_value(value: Any) -> str:
    """A value as a reader sees it: 1,234 and 0.123 and 12.3 (``None`` is a dash)."""
    if value is None:
        return "—"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if value != 0 and abs(value) < 1:
        return f"{value:.3g}"
    return f"{value:,.2f}" if abs(value) < 1e6 else f"{value:,.0f}"


def float_cell(value: float) -> str:
    """A float in a shown table: 12,345 and 0.1235 and 3.5, never 1.2e+04."""
    if not math.isfinite(value):
        return ""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
