"""Reading a delimited export with Arrow's typed CSV reader, for imports at file speed.

An import knows its columns from the profile: the ids and times (values mostly
distinct) and the rest. :func:`read_typed_csv` reads them in one multi-threaded
pass: ids and times as text, other text columns dictionary-encoded (they arrive
as pandas categoricals, so mapping a queue or a verdict looks at each distinct
value once). It returns None when Arrow cannot read the file that way, and the
caller reads it with pandas instead, whose errors name the line.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv

__all__ = ["read_typed_csv"]

#: Distinct values per column (and per block) up to which Arrow dictionary-encodes text.
_DICTIONARY_LIMIT = 1 << 16


def read_typed_csv(path: Path, *, sep: str, plain: Iterable[str], text: Iterable[str],
                   decimal: str) -> pd.DataFrame | None:
    """The file as a DataFrame: ``plain`` columns as text, ``text`` and other text as categoricals.

    ``plain`` are columns whose values are mostly distinct (ids, times);
    numbers are read with ``decimal``. Returns None when Arrow refuses the
    file (a ragged row, a quoted line break, an encoding it cannot read).
    """
    types: dict[str, pa.DataType] = {c: pa.dictionary(pa.int32(), pa.string()) for c in text}
    types.update({c: pa.string() for c in plain})
    convert = pcsv.ConvertOptions(
        column_types=types, decimal_point=decimal,
        strings_can_be_null=True, auto_dict_encode=True,
        auto_dict_max_cardinality=_DICTIONARY_LIMIT)
    try:
        table = pcsv.read_csv(path, parse_options=pcsv.ParseOptions(delimiter=sep),
                              convert_options=convert)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return None
    return table.to_pandas()
