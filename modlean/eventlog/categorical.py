"""Text columns as pandas categoricals: cleaned, mapped, and in the canonical log's dtype.

The typed reader (:mod:`~modlean.eventlog.arrow_csv`) gives an export's text
columns as categoricals: each distinct value once, and integer codes per row.
Cleaning (:func:`strip_categories`) and mapping a vendor's words
(:func:`map_categories`) then look at the distinct values only, and taking rows
moves codes, not strings. :func:`plain_text` and :func:`default_text` make the
columns plain text where plain text is wanted (ids, the QA table), and
:func:`as_category` gives every other text column of a finished log the
canonical dtype: a categorical of the values used, sorted (docs/event-log.md).
:func:`text_codes` makes any text column a categorical (a sorted one by its
runs, found with :func:`adjacent`, without hashing every string).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["TEXT", "adjacent", "arrow_backing", "arrow_strings", "as_category",
           "category_names", "default_text", "distinct_text", "is_categorical", "is_text",
           "map_categories", "plain_text", "strip_categories", "take_rows", "text_codes"]

#: Rows looked at to guess whether a text column is sorted before checking all of it.
_HEAD = 4096

#: pandas' default text dtype (missing values as NaN), as read_csv and read_log give text.
TEXT = pd.StringDtype(na_value=np.nan)


def arrow_strings(values: pd.Series) -> pa.Array:
    """A text column as one Arrow string array (no copy when it is Arrow-backed already)."""
    data = pa.array(values.array, type=pa.string(), from_pandas=True) \
        if not is_categorical(values) else pa.array(values.astype(object), pa.string(),
                                                    from_pandas=True)
    return data.combine_chunks() if isinstance(data, pa.ChunkedArray) else data


def category_names(values: pd.Series) -> pa.Array:
    """A categorical's categories as one Arrow string array (no Python string per category)."""
    cats = values.cat.categories
    if isinstance(cats.dtype, pd.StringDtype) and cats.dtype.storage == "pyarrow":
        data = pa.array(cats.array)
        data = data.combine_chunks() if isinstance(data, pa.ChunkedArray) else data
        return data.cast(pa.string())
    return pa.array(cats.astype(str).to_numpy(dtype=object), pa.string())


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
    """Categories stripped of surrounding blanks; empty ones become missing.

    ``values`` itself when no category has surrounding blanks or is empty (checked
    in Arrow, on the distinct values only).
    """
    names = category_names(values)
    if len(names) == 0 or (pc.all(pc.equal(names, pc.utf8_trim_whitespace(names))).as_py()
                           and pc.min(pc.utf8_length(names)).as_py() > 0):
        return values

    def strip(cats: pd.Index) -> pd.Series:
        text = pd.Series(cats.astype(str), dtype=object).str.strip()
        return text.where(text.ne(""), None)

    return map_categories(values, strip)


def take_rows(values: pd.Series, rows: np.ndarray) -> pd.Series:
    """``values`` at positions ``rows``, with a new RangeIndex (a categorical moves its codes
    only, never a string)."""
    if is_categorical(values):
        return pd.Series(pd.Categorical.from_codes(values.cat.codes.to_numpy()[rows],
                                                   dtype=values.dtype), name=values.name)
    return values.take(rows).reset_index(drop=True)


def plain_text(values: pd.Series) -> pd.Series:
    """A categorical column as pandas' default text dtype (missing as NaN)."""
    codes = pa.array(values.cat.codes.to_numpy(), mask=values.cat.codes.to_numpy() < 0)
    names = category_names(values)
    text = pa.DictionaryArray.from_arrays(codes, names).cast(pa.large_string())
    return pd.Series(pd.array(text, dtype=TEXT), index=values.index, name=values.name)


def is_text(values: pd.Series) -> bool:
    """Whether ``values`` is text: categorical, string, or Python strings in an object column."""
    if is_categorical(values) or isinstance(values.dtype, pd.StringDtype):
        return True
    return values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) in (
        "string", "empty")


def as_category(values: pd.Series) -> pd.Series:
    """A text column as the canonical log keeps it: a categorical of the used values, sorted.

    Missing values stay missing (code -1). A categorical whose categories are
    already used and sorted is returned as it is; otherwise only the distinct
    values are sorted and the codes renumbered, never the rows' strings.
    """
    if is_categorical(values):
        codes = values.cat.codes.to_numpy()
        names = category_names(values)
    else:  # each distinct string once, in Arrow (C++), then as a categorical
        codes, names = _dictionary(values)
    k = len(names)
    used = np.bincount(codes + 1, minlength=k + 1)[1:] > 0
    if is_categorical(values) and used.all() and (
            k < 2 or pc.all(pc.less(names[:-1], names[1:])).as_py()):
        return values
    kept = np.flatnonzero(used)
    order = kept[pc.sort_indices(names.take(pa.array(kept))).to_numpy()]
    lookup = np.full(k + 1, -1, dtype=np.int64)  # the last slot: code -1 stays -1
    lookup[order] = np.arange(len(order))
    cats = pd.Index(pd.array(names.take(pa.array(order)), dtype=TEXT))
    out = pd.Categorical.from_codes(lookup[codes].astype(codes.dtype), categories=cats)
    return pd.Series(out, index=values.index, name=values.name)


def _dictionary(values: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """int32 codes (-1 for missing) and distinct strings of a text column, in Arrow.

    Text already sorted (ids of a log ordered by case) is cut into its runs of
    equal values instead of hashing every string: the codes are then the ranks.
    """
    if len(values) > 1 and not values.hasnans and adjacent(values.iloc[:_HEAD])[1]:
        same, ordered = adjacent(values)
        if ordered:
            new = np.concatenate(([True], ~same))
            codes = np.cumsum(new, dtype=np.int32)
            codes -= 1
            return codes, arrow_strings(values.iloc[np.flatnonzero(new)])
    encoded = pc.dictionary_encode(arrow_strings(values))
    return encoded.indices.fill_null(-1).to_numpy().astype(np.int32), encoded.dictionary


def text_codes(values: pd.Series) -> pd.Series:
    """A text column as a categorical of its distinct values in order of appearance.

    Each distinct string is kept once (Arrow's dictionary encoding), so later steps
    (stripping, ranking, taking rows) move integer codes, not strings. A
    categorical is returned as it is.
    """
    if is_categorical(values):
        return values
    codes, names = _dictionary(values)
    cats = pd.Index(pd.array(names, dtype=TEXT))
    return pd.Series(pd.Categorical.from_codes(codes, categories=cats), index=values.index,
                     name=values.name)


def arrow_backing(values: pd.Series) -> pa.Array | pa.ChunkedArray | None:
    """The pyarrow array behind an Arrow-backed string column, else None."""
    data = getattr(values.array, "_pa_array", None)
    return data if data is not None and type(values.array).__name__.startswith("Arrow") \
        else None


def adjacent(values: pd.Series) -> tuple[np.ndarray, bool]:
    """``values[i+1] == values[i]`` for each i, and whether the values are sorted.

    The order is checked only where the value changes (within a run of equal
    values it holds trivially). Arrow strings are compared chunk by chunk in
    pyarrow, without copying them.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(str)
    data = arrow_backing(values)
    if data is not None:
        chunks = [c for c in getattr(data, "chunks", [data]) if len(c)]
        parts = []
        ordered = True
        for k, c in enumerate(chunks):  # chunk by chunk: no copy of the strings
            if k:
                before, after = chunks[k - 1][-1].as_py(), c[0].as_py()
                parts.append(np.array([before == after]))
                ordered = ordered and before <= after
            eq = np.asarray(pc.equal(c[1:], c[:-1]).to_numpy(zero_copy_only=False), bool)
            parts.append(eq)
            at = np.flatnonzero(~eq)  # order matters only where the value changes
            if ordered and len(at):
                ordered = pc.all(pc.less(c.take(at), c.take(at + 1))).as_py() is not False
        return np.asarray(np.concatenate(parts), dtype=bool), bool(ordered)
    arr = values.array
    same = np.asarray(arr[1:] == arr[:-1], dtype=bool)
    at = np.flatnonzero(~same)
    return same, bool(np.asarray(arr.take(at) < arr.take(at + 1), dtype=bool).all())


def default_text(values: pd.Series) -> pd.Series:
    """A text column in pandas' default text dtype (categoricals and NA-strings alike)."""
    if is_categorical(values):
        return plain_text(values)
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.na_value is pd.NA:
        return values.astype(TEXT)
    return values
