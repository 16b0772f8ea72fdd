"""Reading a delimited export with Arrow's typed CSV reader, for imports at file speed.

An import knows its columns from the profile: the ids and times (values mostly
distinct) and the rest. :func:`read_typed_csv` reads them in one multi-threaded
pass: ids and times as text, other text columns dictionary-encoded (they arrive
as pandas categoricals, so mapping a queue or a verdict looks at each distinct
value once). Time columns of a fixed-width format are read as byte matrices and
parsed with numpy (:mod:`~modlean.eventlog.fixed_times`): no string per value.
A column that format does not fit is read as text, for the careful parser. It
returns None when Arrow cannot read the file that way, and the caller reads it
with pandas instead, whose errors name the line.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv

from modlean.eventlog.fixed_times import fixed_width, parse_fixed

__all__ = ["read_typed_csv"]

#: Distinct values per column (and per block) up to which Arrow dictionary-encodes text.
_DICTIONARY_LIMIT = 1 << 16


def read_typed_csv(path: Path, *, sep: str, plain: Iterable[str], text: Iterable[str],
                   decimal: str, times: Mapping[str, str] | None = None,
                   on_table: Callable[[pa.Table], None] | None = None,
                   columns: Iterable[str] | None = None) -> pd.DataFrame | None:
    """The file as a DataFrame: ``plain`` columns as text, ``text`` and other text as categoricals.

    ``plain`` are columns whose values are mostly distinct (ids, times);
    numbers are read with ``decimal``. ``times`` maps time columns to the
    fixed-width format of their first value: those whose every value fits come
    back as naive ``datetime64[us]``, the others as text. Returns None when
    Arrow refuses the file (a ragged row, a quoted line break, an encoding it
    cannot read). ``on_table`` is called with the table as read, before the
    times are parsed: work that needs only the ids may start on it. With
    ``columns`` only those columns are converted (in that order; the others are
    split from the line and left).
    """
    types: dict[str, pa.DataType] = {c: pa.dictionary(pa.int32(), pa.string()) for c in text}
    types.update({c: pa.string() for c in plain})
    fixed = {c: (fmt, width) for c, fmt in (times or {}).items()
             if (width := fixed_width(fmt)) is not None}
    include = list(columns) if columns is not None else None
    table = _read(path, sep, decimal, types | {c: pa.binary(w) for c, (_, w) in fixed.items()},
                  include)
    if table is None and fixed:  # a value of another width: read the times as text
        fixed = {}
        table = _read(path, sep, decimal, types, include)
    if table is None:
        return None
    if on_table is not None:
        on_table(table)

    def parse(col: str) -> pa.Array:
        values = table.column(col).combine_chunks()
        parsed = parse_fixed(values, fixed[col][0])
        return parsed if parsed is not None else values.cast(pa.string())

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:  # numpy frees the GIL
        for col, values in zip(fixed, pool.map(parse, fixed), strict=True):
            table = table.set_column(table.schema.get_field_index(col), col, values)
    return table.to_pandas()


def _read(path: Path, sep: str, decimal: str, types: dict[str, pa.DataType],
          include: list[str] | None) -> pa.Table | None:
    convert = pcsv.ConvertOptions(
        include_columns=include or [],
        column_types=types, decimal_point=decimal,
        strings_can_be_null=True, auto_dict_encode=True,
        auto_dict_max_cardinality=_DICTIONARY_LIMIT)
    try:
        return pcsv.read_csv(path, parse_options=pcsv.ParseOptions(delimiter=sep),
                             convert_options=convert)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return None
