"""A vendor's words mapped to modlean's: queue values, verdicts, QA outcomes.

:func:`map_values` maps a column through a profile's value map, case-insensitively
and vectorised (each distinct value is looked up once). A value the map does not
name is an error listing every unmapped value with its count and what the profile
declares, with a did-you-mean: nothing is dropped or guessed silently. A value
the map names with ``None`` (YAML ``~``) is known and maps to a missing value.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from modlean._util import suggest
from modlean.errors import LogError
from modlean.eventlog.categorical import is_categorical, map_categories
from modlean.eventlog.values import strings

__all__ = ["map_values", "value_counts_text"]


def value_counts_text(values: pd.Series, limit: int = 8) -> str:
    """``'A' (12 rows), 'B' (3 rows)``: the most frequent values first."""
    counts = values.value_counts()
    text = ", ".join(f"{k!r} ({v:,} row{'s' if v != 1 else ''})"
                     for k, v in counts.head(limit).items())
    more = len(counts) - limit
    return text + (f" and {more} more values" if more > 0 else "")


def map_values(values: pd.Series, mapping: Mapping[str, str | None], *, source: str,
               column: str, key_path: str, code: str) -> pd.Series:
    """``values`` mapped through ``mapping`` (keys matched case-insensitively, blanks stay missing).

    A value mapped to ``None`` is known and becomes missing (a status that is no
    verdict). A categorical gives a categorical, mapped once per category.

    Raises
    ------
    LogError
        ``[<code>]``: values the map does not name, with their counts, the
        declared values and the profile key to add them to.
    """
    text = strings(values) if is_categorical(values) else values.astype("string").str.strip()
    if is_categorical(text):
        codes, uniques = text.cat.codes.to_numpy(), text.cat.categories
    else:
        codes, uniques = pd.factorize(text.to_numpy(), use_na_sentinel=True)
    lookup = {str(k).strip().casefold(): v for k, v in mapping.items()}
    mapped = np.array([lookup.get(str(u).casefold()) for u in uniques], dtype=object)
    unknown = np.array([str(u).casefold() not in lookup for u in uniques], dtype=bool)
    if unknown.any():
        bad_rows = (codes >= 0) & unknown[np.maximum(codes, 0)]
        found = text[bad_rows].astype(str)
        first = str(found.iloc[0])
        raise LogError(
            f"[{code}] values not named in the profile's {key_path}", source=source,
            column=column, found=value_counts_text(found),
            expected="one of " + ", ".join(map(repr, mapping)),
            hint=f"Add them under {key_path}{suggest(first, list(map(str, mapping)))}",
        )
    if is_categorical(text):
        return map_categories(text, lambda cats: pd.Series(mapped, dtype=object))
    out = pd.Series(np.where(codes >= 0, mapped[np.maximum(codes, 0)] if len(mapped) else None,
                             None), index=values.index, dtype="string")
    return out.mask(codes < 0)
