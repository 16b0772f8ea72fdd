"""Parent links between tickets (escalations, appeals) chased to the root ticket.

An export may hold an escalation or appeal as its own ticket with a column
naming its parent's key. :func:`chase_links` follows every chain to its root
with pointer jumping on integer arrays (a handful of vectorised passes, never a
Python loop over rows): the root's key becomes the ``case_id`` of every ticket
in the chain. A parent key that is not in the file leaves the ticket its own
root (a *dangling* link); tickets on a cycle, or chained to one, have no root
and are marked *cyclic* for the caller to report and drop. The keys come back
sorted too (:class:`~modlean.eventlog.sorting.SortedKeys`), so the log orders
cases and tickets by integer codes.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from modlean.eventlog.categorical import arrow_strings
from modlean.eventlog.sorting import SortedKeys, sort_dictionary

__all__ = ["Links", "chase_links", "chase_table_links", "coalesce_links"]


@dataclass(frozen=True)
class Links:
    """The result of chasing parent links, one entry per row of the export."""

    #: links followed from the row to its root (0 for a root)
    depth: np.ndarray
    #: rows whose parent key is not in the file (they are kept as their own root)
    dangling: np.ndarray
    #: rows on a cycle or chained to one (no root)
    cyclic: np.ndarray
    #: every key and parent key, sorted; ``codes`` are the rows' own keys
    keys: SortedKeys
    #: per row, the root's code in ``keys`` (-1 for cyclic rows)
    root_codes: np.ndarray
    #: the index of the rows (the export's)
    index: pd.Index

    @property
    def root(self) -> pd.Series:
        """The root ticket's key per row (the row's own key for roots; missing for cyclic rows).

        Made from the codes when asked: a task table needs the keys of its QA rows only
        (:meth:`root_at`).
        """
        root = self.root_at(np.arange(len(self.root_codes)))
        root.index = self.index
        return root

    def root_at(self, rows: np.ndarray) -> pd.Series:
        """The root ticket's key of the rows at positions ``rows`` (text, a new RangeIndex)."""
        return self.keys.text(self.root_codes[rows])

    @property
    def chased(self) -> int:
        """Rows that reached a root through at least one link."""
        return int((self.depth > 0).sum())


def coalesce_links(columns: list[pd.Series]) -> pd.Series:
    """The first non-empty parent key across the link columns, per row (text, missing if none)."""
    parent = pd.Series(pd.NA, index=columns[0].index, dtype="string") if columns else \
        pd.Series(dtype="string")
    for col in columns:
        parent = parent.fillna(col.astype("string"))
    return parent


def chase_table_links(table: pa.Table, key: str, links: list[str]) -> Links:
    """:func:`chase_links` on the columns of an Arrow table as read: ``key`` and the
    first non-empty of ``links`` per row, each stripped, blanks missing (as
    :func:`~modlean.eventlog.values.strings` cleans them)."""
    columns = [_stripped(table.column(c)) for c in (key, *links)]
    parents = columns[1] if len(columns) == 2 else pc.coalesce(*columns[1:])
    return chase_links(columns[0], parents)


def _stripped(values: pa.ChunkedArray) -> pa.Array:
    """Text stripped of surrounding blanks, empty text missing (ids written cleanly, the
    usual case, are told so by their first and last bytes and kept as they are)."""
    text = values.combine_chunks().cast(pa.string())
    if _may_need_cleaning(text):
        text = pc.utf8_trim_whitespace(text)
        text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    return text


#: Bytes that may start or end a blank: ASCII white space, and any byte of a
#: multi-byte character (a non-breaking or other Unicode space).
_MAY_BE_BLANK = np.zeros(256, dtype=bool)
_MAY_BE_BLANK[[0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20]] = True
_MAY_BE_BLANK[0x80:] = True


def _may_need_cleaning(text: pa.StringArray) -> bool:
    """Whether a value of ``text`` is empty or may start or end with white space (told
    from the bytes at each value's ends, without a copy of the text)."""
    offsets = np.frombuffer(text.buffers()[1], np.int32)[text.offset:text.offset + len(text) + 1]
    first, end = offsets[:-1], offsets[1:]
    filled = end > first  # missing values and empty text have no bytes
    if (~filled).sum() > text.null_count:
        return True  # an empty text
    data = np.frombuffer(text.buffers()[2], np.uint8) if filled.any() else np.zeros(0, np.uint8)
    return bool(_MAY_BE_BLANK[data[first[filled]]].any()
                or _MAY_BE_BLANK[data[end[filled] - 1]].any())


def chase_links(keys: pd.Series | pa.Array, parents: pd.Series | pa.Array) -> Links:
    """Follow ``parents`` (the parent key per row, missing for a root) to each row's root key.

    ``keys`` and ``parents`` are text (pandas or Arrow). A key that appears on
    several rows takes the parent of its first row that names one.
    """
    n_rows = len(keys)
    index = keys.index if isinstance(keys, pd.Series) else pd.RangeIndex(n_rows)
    if isinstance(keys, pd.Series):
        keys = arrow_strings(keys)
    if isinstance(parents, pd.Series):
        parents = arrow_strings(parents)
    both = pa.concat_arrays([keys, parents])
    if _nearly_sorted(both):  # ids written in order: one sort codes and ranks them
        codes, names = _sorted_codes(both)
        return _chased(codes, n_rows, len(names), lambda: (None, names), index)
    # else one dictionary for keys and parents, its distinct values sorted (in Arrow,
    # which frees the GIL) while numpy chases the links
    encoded = pc.dictionary_encode(both)
    codes = encoded.indices.fill_null(-1).to_numpy().astype(np.int64)
    with ThreadPoolExecutor(max_workers=1) as pool:
        ranked = pool.submit(sort_dictionary, encoded.dictionary)
        return _chased(codes, n_rows, len(encoded.dictionary), ranked.result, index)


#: Values out of order (a value below the one before) up to which ids count as written in
#: order, per this many values (a file sorted by time with ids counting up has a handful).
_OUT_OF_ORDER_PER = 10_000


def _nearly_sorted(values: pa.Array) -> bool:
    """Whether the present ``values`` step down rarely: Arrow's sort then beats hashing."""
    present = values.drop_null()
    if len(present) < 2:
        return True
    down = pc.sum(pc.less(present[1:], present[:-1])).as_py() or 0
    return down <= max(64, len(present) // _OUT_OF_ORDER_PER)


def _sorted_codes(values: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Each value's rank among the distinct present values (-1 for missing), and those
    values sorted, by one sort."""
    order = pc.sort_indices(values).to_numpy()[:len(values) - values.null_count]  # nulls last
    ordered = values.take(pa.array(order))
    new = np.ones(len(order), dtype=bool)
    if len(order) > 1:
        new[1:] = pc.not_equal(ordered[1:], ordered[:-1]).to_numpy(zero_copy_only=False)
    codes = np.full(len(values), -1, dtype=np.int64)
    codes[order] = np.cumsum(new) - 1
    return codes, ordered.filter(pa.array(new))


def _chased(codes: np.ndarray, n_rows: int, n: int,
            ranked: Callable[[], tuple[np.ndarray | None, pa.Array]], index: pd.Index) -> Links:
    """Links from the codes (``n`` distinct, -1 missing) of the keys then the parents;
    ``ranked`` gives each code's position among the sorted values (None: the codes are
    the positions) and the values sorted."""
    key_codes, parent_codes = codes[:n_rows], codes[n_rows:]
    is_key = np.zeros(n, dtype=bool)
    is_key[key_codes[key_codes >= 0]] = True
    rows_with = np.flatnonzero(parent_codes >= 0)
    found = is_key[parent_codes[rows_with]]
    dangling = np.zeros(n_rows, dtype=bool)
    dangling[rows_with[~found]] = True
    # first row per key that names a parent known in the file wins
    linked_rows = rows_with[found]
    linked_keys = key_codes[linked_rows]
    first_of_key, first_at = np.unique(linked_keys, return_index=True)
    parent_of_key = np.arange(n, dtype=np.int64)  # a root points to itself
    parent_of_key[first_of_key] = parent_codes[linked_rows[first_at]]

    self_link = np.zeros(n, dtype=bool)
    self_link[first_of_key] = parent_of_key[first_of_key] == first_of_key
    is_root = (parent_of_key == np.arange(n)) & ~self_link
    depth = (parent_of_key != np.arange(n)).astype(np.int64)
    pointer = parent_of_key.copy()
    for _ in range(max(1, int(np.ceil(np.log2(n + 1))) + 1)):
        nxt = pointer[pointer]
        if np.array_equal(nxt, pointer):
            break
        depth = depth + depth[pointer]  # list ranking: a root adds 0
        pointer = nxt
    cyclic_key = ~is_root[pointer]
    row_root = pointer[key_codes]
    cyclic = cyclic_key[key_codes]
    row_depth = np.where(cyclic_key, 0, depth)[key_codes]
    position, names = ranked()
    if position is not None:  # dictionary codes to ranks
        key_codes, row_root = position[key_codes], position[row_root]
    return Links(depth=row_depth, dangling=dangling, cyclic=cyclic,
                 keys=SortedKeys(names, key_codes), root_codes=np.where(cyclic, -1, row_root),
                 index=index)
