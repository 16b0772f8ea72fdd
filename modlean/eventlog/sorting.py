"""The stable lexicographic order of integer keys, packed into one key when they fit.

``np.lexsort`` sorts once per key; an import or a mining step that orders
millions of events by case, time and a tie-breaker pays that three times over.
:func:`lex_order` packs the keys (each shifted to start at 0, a time key in
whole seconds or milliseconds when every value is one) into a single int64
when their bit widths add up to 63 or fewer, and sorts once, stably. Otherwise
it falls back to ``np.lexsort``: the order is the same either way.
:func:`in_order` tells, in a few vectorised passes, when rows are in that
order already, so a log that arrives sorted is not sorted or copied again.
:func:`sorted_rank` turns a text column into integer keys that sort like it;
:func:`sorted_keys` does so for ids, sorting each distinct id once, and keeps
the sorted ids once, so the ids of millions of events are integer codes
until they are written out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from modlean.eventlog.categorical import TEXT, arrow_strings, category_names, is_categorical

__all__ = ["SortedKeys", "in_order", "lex_order", "sort_dictionary", "sorted_keys",
           "sorted_rank"]

_BITS = 63
#: Rows from which a first key of few groups is sorted by itself first.
_GROUPED_FROM = 50_000
#: Units tried for a wide key (microseconds to seconds, to milliseconds).
_UNITS = (1_000_000, 1_000)


def lex_order(*keys: np.ndarray) -> np.ndarray:
    """The stable order of rows by ``keys``, the most significant key first.

    Each key is an integer array of the same length. Equal rows keep their
    position, as with ``np.lexsort(keys[::-1])``.
    """
    if not keys:
        raise ValueError("lex_order needs at least one key")
    n = len(keys[0])
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    packed = _packed(keys)
    if packed is None:
        return np.lexsort(keys[::-1])
    first = np.asarray(keys[0])
    if len(keys) > 1 and n > _GROUPED_FROM and int(first.max()) - int(first.min()) < 2**16:
        # few groups first (resources, pools): a radix sort by group, then the packed keys
        # are in order within each group as often as rows come in time order, which the
        # stable (run-finding) sort passes through
        by_group = np.argsort((first - first.min()).astype(np.uint16), kind="stable")
        return by_group[np.argsort(packed[by_group], kind="stable")]
    return np.argsort(packed, kind="stable")


def in_order(*keys: np.ndarray) -> bool:
    """Whether rows are already in the order of ``keys`` (most significant first), so that
    :func:`lex_order` would return ``0, 1, ..., n-1`` and no row needs to move."""
    if not keys or len(keys[0]) < 2:
        return True
    tied = None  # rows equal to their predecessor on the keys so far
    for key in keys:
        after, before = key[1:], key[:-1]
        back = after < before
        if (back if tied is None else back & tied).any():
            return False
        same = after == before
        tied = same if tied is None else tied & same
        if not tied.any():
            return True
    return True


def _packed(keys: tuple[np.ndarray, ...]) -> np.ndarray | None:
    """One int64 key holding all ``keys`` (None when they need more than 63 bits).

    A wide key (times in microseconds) is divided down to whole milliseconds or
    seconds only when the keys would not fit otherwise and every value allows it.
    Each key is added in place (shifted down by its lowest value only when that
    is not 0), never copied to int64 first.
    """
    parts: list[tuple[np.ndarray, int, int]] = []  # each key, its lowest value, its span
    for key in keys:
        key = np.asarray(key)
        if key.dtype.kind not in "iub":
            key = key.astype(np.int64)
        low = int(key.min())
        span = int(key.max()) - low
        if span < 0 or low < -(2**62):  # overflowed: keys near the int64 limits
            return None
        parts.append((key, low, span))
    total = sum(span.bit_length() for _, _, span in parts)
    for i, (key, low, span) in enumerate(parts):
        if total <= _BITS:
            break
        if span < 2**32:
            continue
        for unit in _UNITS:
            whole, rest = np.divmod(key - low, unit)
            if not rest.any():
                total -= span.bit_length() - (span // unit).bit_length()
                parts[i] = (whole, 0, span // unit)
                break
    if total > _BITS:
        return None
    packed = np.zeros(len(keys[0]), dtype=np.int64)
    for key, low, span in parts:
        bits = span.bit_length()
        if bits:  # packed + (key - low) < 2**63, and so is every step on the way
            packed <<= bits
            if low > 0:
                packed -= low
            np.add(packed, key, out=packed, casting="unsafe")
            if low < 0:
                packed -= low
    return packed


def sorted_rank(values: pd.Series) -> np.ndarray:
    """Each value's rank among the sorted distinct values of a text column (ties share one)."""
    if is_categorical(values):
        names = category_names(values)
        if len(names) < 2 or pc.all(pc.less(names[:-1], names[1:])).as_py():
            return values.cat.codes.to_numpy()  # sorted categories: a code is its rank
        ranks = pc.rank(names, sort_keys="ascending").to_numpy()
        return np.append(ranks, 0)[values.cat.codes.to_numpy()]
    return pc.rank(arrow_strings(values), sort_keys="ascending", tiebreaker="dense").to_numpy()


@dataclass(frozen=True)
class SortedKeys:
    """Ids as codes into their sorted distinct values: a code is the id's rank."""

    #: the distinct ids, sorted
    names: pa.Array
    #: per row, the code of the row's id (-1 for missing)
    codes: np.ndarray

    def __post_init__(self) -> None:
        if self.names.type != pa.large_string():  # pandas' text storage: ids taken as they are
            object.__setattr__(self, "names", self.names.cast(pa.large_string()))

    def text(self, codes: np.ndarray) -> pd.Series:
        """The ids of ``codes`` as text (pandas' default string dtype; -1 is missing)."""
        missing = codes < 0 if len(codes) and codes.min() < 0 else None
        return pd.Series(pd.array(self.names.take(pa.array(codes, mask=missing)), dtype=TEXT))


def sort_dictionary(names: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """For distinct strings ``names``: each one's position in sorted order, and the sorted names."""
    order = pc.sort_indices(names).to_numpy()
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    return position, names.take(pa.array(order))


def sorted_keys(values: pd.Series) -> SortedKeys:
    """A text column of ids as :class:`SortedKeys` (each distinct id sorted once, in Arrow)."""
    encoded = pc.dictionary_encode(arrow_strings(values))
    position, names = sort_dictionary(encoded.dictionary)
    codes = np.append(position, -1)[encoded.indices.fill_null(-1).to_numpy()]
    return SortedKeys(names, codes)
