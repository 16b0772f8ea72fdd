"""Parent links between tickets (escalations, appeals) chased to the root ticket.

An export may hold an escalation or appeal as its own ticket with a column
naming its parent's key. :func:`chase_links` follows every chain to its root
with pointer jumping on integer arrays (a handful of vectorised passes, never a
Python loop over rows): the root's key becomes the ``case_id`` of every ticket
in the chain. A parent key that is not in the file leaves the ticket its own
root (a *dangling* link); tickets on a cycle, or chained to one, have no root
and are marked *cyclic* for the caller to report and drop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Links", "chase_links", "coalesce_links"]


@dataclass(frozen=True)
class Links:
    """The result of chasing parent links, one entry per row of the export."""

    #: the root ticket's key per row (the row's own key for roots; missing for cyclic rows)
    root: pd.Series
    #: links followed from the row to its root (0 for a root)
    depth: np.ndarray
    #: rows whose parent key is not in the file (they are kept as their own root)
    dangling: np.ndarray
    #: rows on a cycle or chained to one (no root)
    cyclic: np.ndarray

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


def chase_links(keys: pd.Series, parents: pd.Series) -> Links:
    """Follow ``parents`` (the parent key per row, missing for a root) to each row's root key.

    ``keys`` and ``parents`` are text. A key that appears on several rows takes the
    parent of its first row that names one.
    """
    key_codes, uniques = pd.factorize(keys.to_numpy(), use_na_sentinel=True)
    n = len(uniques)
    parent_of_key = np.arange(n, dtype=np.int64)  # a root points to itself
    has_parent = parents.notna().to_numpy()
    parent_codes = pd.Index(uniques).get_indexer(parents.to_numpy()[has_parent])
    found = parent_codes >= 0
    rows_with = np.flatnonzero(has_parent)
    dangling = np.zeros(len(keys), dtype=bool)
    dangling[rows_with[~found]] = True
    # first row per key that names a parent known in the file wins
    linked_rows = rows_with[found]
    first = pd.Series(parent_codes[found]).groupby(key_codes[linked_rows], sort=False).first()
    parent_of_key[first.index.to_numpy()] = first.to_numpy()

    self_link = np.zeros(n, dtype=bool)
    self_link[first.index.to_numpy()] = first.index.to_numpy() == first.to_numpy()
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
    root = pd.Series(uniques[pointer], dtype="string")
    root = root.mask(pd.Series(cyclic_key))
    row_root = pd.Series(root.to_numpy()[key_codes], index=keys.index, dtype="string")
    return Links(root=row_root, depth=np.where(cyclic_key, 0, depth)[key_codes],
                 dangling=dangling, cyclic=cyclic_key[key_codes])
