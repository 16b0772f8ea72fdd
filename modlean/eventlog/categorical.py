"""Text columns as pandas categoricals: cleaned, mapped and made plain text at the end.

The typed reader (:mod:`~modlean.eventlog.arrow_csv`) gives an export's text
columns as categoricals: each distinct value once, and integer codes per row.
Cleaning (:func:`strip_categories`) and mapping a vendor's words
(:func:`map_categories`) then look at the distinct values only, and taking rows
moves codes, not strings. :func:`plain_text` and :func:`plain_objects` make the
columns of the finished log the text dtypes :func:`~modlean.read_log` gives.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa

__all__ = ["TEXT", "arrow_strings", "default_text", "distinct_text", "is_categorical",
           "map_categories", "plain_objects", "plain_text", "strip_categories"]

#: pandas' default text dtype (missing values as NaN), as read_csv and read_log give text.
TEXT = pd.StringDtype(na_value=np.nan)


def arrow_strings(values: pd.Series) -> pa.Array:
    """A text column as one Arrow string array (no copy when it is Arrow-backed already)."""
    data = pa.array(values.array, type=pa.string(), from_pandas=True) \
        if not is_categorical(values) else pa.array(values.astype(object), pa.string(),
                                                    from_pandas=True)
    return data.combine_chunks() if isinstance(data, pa.ChunkedArray) else data


def distinct_text(values: pd.Series) -> np.ndarray:
    """The distinct non-missing values of a column as stripped text, in order of appearance."""
    if is_categorical(values):
        codes = values.cat.codes.to_numpy()
        seen = pd.unique(codes[codes >= 0])
        values = pd.Series(values.cat.categories[seen])
    return values.dropna().astype(str).str.strip().unique()


def is_categorical(values: pd.Series) -> bool:
    """Whether ``values`` is a pandas categorical column."""
    return isinstance(values.dtype, pd.CategoricalDtype)


def map_categories(values: pd.Series, rename: Callable[[pd.Index], pd.Series]) -> pd.Series:
    """A categorical whose categories are ``rename(categories)`` (missing drops the category).

    Categories that become equal are merged, so the result's categories stay unique.
    """
    codes = values.cat.codes.to_numpy()
    new = pd.Series(rename(values.cat.categories)).to_numpy(dtype=object)
    present = pd.notna(new)
    new_codes, uniques = pd.factorize(pd.Series(new[present], dtype=object))
    lookup = np.full(len(new) + 1, -1, dtype=np.int32)  # the last slot: code -1 stays -1
    lookup[np.flatnonzero(present)] = new_codes
    out = pd.Categorical.from_codes(lookup[codes], categories=pd.Index(uniques, dtype=str))
    return pd.Series(out, index=values.index, name=values.name)


def strip_categories(values: pd.Series) -> pd.Series:
    """Categories stripped of surrounding blanks; empty ones become missing."""
    def strip(cats: pd.Index) -> pd.Series:
        text = pd.Series(cats.astype(str), dtype=object).str.strip()
        return text.where(text.ne(""), None)

    return map_categories(values, strip)


def plain_text(values: pd.Series) -> pd.Series:
    """A categorical column as pandas' default text dtype (missing as NaN)."""
    codes = pa.array(values.cat.codes.to_numpy(), mask=values.cat.codes.to_numpy() < 0)
    names = pa.array(values.cat.categories.astype(str).to_numpy(dtype=object), pa.string())
    text = pa.DictionaryArray.from_arrays(codes, names).cast(pa.large_string())
    return pd.Series(pd.array(text, dtype=TEXT), index=values.index, name=values.name)


def default_text(values: pd.Series) -> pd.Series:
    """A text column in pandas' default text dtype (categoricals and NA-strings alike)."""
    if is_categorical(values):
        return plain_text(values)
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.na_value is pd.NA:
        return values.astype(TEXT)
    return values


def plain_objects(values: pd.Series) -> pd.Series:
    """A categorical column as Python strings in an object column, missing as None."""
    names = np.append(values.cat.categories.astype(str).to_numpy(dtype=object), None)
    return pd.Series(names[values.cat.codes.to_numpy()], index=values.index,
                     name=values.name, dtype=object)
