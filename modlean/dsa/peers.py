"""Peer benchmarks: statements of reasons counted per platform, category and day, mergeably.

:func:`peer_benchmarks` reads the public daily dumps (:mod:`modlean.dsa.dumps`)
batch by batch, keeps the chosen platforms (``platform_name``) and categories,
and counts per **platform x category x day** (the statement's
``application_date``, the day the decision applied, which the market's own
statements have too): statements, automated detection (Yes / No), automated
decision (fully / partially / not; the 2023 schema's plain ``Yes`` is counted
apart as *automated, level not stated*), and the statements restricting
visibility, monetary payments, the provision of the service and the account.
The time from posting to decision (``application_date - content_date``, whole
days, as the database holds only days) is kept as exact counts per day of lag,
so merged days give exact quantiles at day resolution.

Every figure is a count, so a batch, a part and a day aggregate alone and their
results add up (:func:`merge_counts`); days run in parallel through
:func:`modlean.executor.run_tasks` (local processes or a Dask scheduler). Old
category names (before 1 July 2025) become the current ones by the
vocabulary's table; a v1 category without a successor keeps its old name.

The same :func:`count_statements` counts the market's own statements
(:func:`modlean.dsa.build_statements`), so both sides are measured alike.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from modlean._util import suggest
from modlean.dsa.dumps import BLOCK_SIZE, dump_batches, dump_files
from modlean.dsa.vocabulary import expected_values, vocabulary
from modlean.errors import LogError, ModleanError, ParameterError
from modlean.executor import run_tasks

__all__ = ["COUNT_COLUMNS", "KEYS", "NEEDED_COLUMNS", "PeerCounts", "category_names",
           "count_batch", "count_statements", "merge_counts", "peer_benchmarks"]

#: The dump columns the peer figures read (present in the 2024 and the 2025 schema).
NEEDED_COLUMNS = ("platform_name", "category", "content_date", "application_date",
                  "automated_detection", "automated_decision", "decision_visibility",
                  "decision_monetary", "decision_provision", "decision_account")
#: The grain of the peer table.
KEYS = ["platform", "category", "day"]
#: The counts per platform x category x day (every one adds up across batches and days).
COUNT_COLUMNS = ["statements", "detection_automated", "detection_not_automated",
                 "decision_fully", "decision_partially", "decision_not_automated",
                 "decision_automated_unstated", "visibility", "monetary", "provision",
                 "account", "lag_unknown"]
_DECISIONS = {"AUTOMATED_DECISION_FULLY": "decision_fully",
              "AUTOMATED_DECISION_PARTIALLY": "decision_partially",
              "AUTOMATED_DECISION_NOT_AUTOMATED": "decision_not_automated",
              "No": "decision_not_automated", "Yes": "decision_automated_unstated"}
_PREFIX = "STATEMENT_CATEGORY_"
_MERGE_EVERY = 32
_NO_DAY = -(10**9)  # the day code of an application_date that is no date


@dataclass
class PeerCounts:
    """Counts per platform x category x day, and per day of lag; partial or merged.

    ``counts`` has :data:`KEYS` and :data:`COUNT_COLUMNS`; ``lags`` has :data:`KEYS`,
    ``lag_days`` and ``statements``. ``platforms_seen`` counts every statement read per
    platform (before the filters), ``rows_read`` all statements read, ``sources`` the files.
    """

    counts: pd.DataFrame
    lags: pd.DataFrame
    platforms_seen: Counter[str] = field(default_factory=Counter)
    rows_read: int = 0
    sources: list[str] = field(default_factory=list)


def category_names(categories: Iterable[str] | None) -> list[str] | None:
    """The current names of the categories asked for (the prefix optional), checked.

    A name of the taxonomy used before 1 July 2025 is taken as its successor.
    """
    if categories is None:
        return None
    vocab = vocabulary()
    names = []
    for given in categories:
        name = given.strip().upper()
        name = name if name.startswith(_PREFIX) else _PREFIX + name
        is_v1, new = vocab.to_v2("category", name)
        if is_v1:
            name = new or name
        elif name not in vocab.allowed("category"):
            raise ParameterError(f"category {given!r} is no category of the database; "
                                 f"expected {expected_values('category', name)}")
        names.append(name)
    return sorted(set(names))


def _raw_categories(wanted: list[str]) -> list[str]:
    """The dump values that count as ``wanted``: the names and their v1 predecessors."""
    vocab = vocabulary()
    old = [v1 for v1 in vocab.v1.get("category", ()) if (vocab.to_v2("category", v1)[1] or v1)
           in wanted]
    return sorted(set(wanted) | set(old))


def _text(column: pa.Array) -> pa.Array:
    if pa.types.is_dictionary(column.type):
        column = column.dictionary_decode()
    if pa.types.is_boolean(column.type):  # a converted dump may hold Yes/No as booleans
        return pc.if_else(column, "Yes", "No")
    return pc.fill_null(column.cast(pa.string()), "")


def _days(column: pa.Array) -> np.ndarray:
    """Days since the epoch (float, NaN where empty or not a date) of a date column."""
    if pa.types.is_timestamp(column.type) or pa.types.is_date(column.type):
        dates = column.cast(pa.date32())
    else:
        text = pc.utf8_slice_codeunits(_text(column), 0, 10)
        dates = pc.strptime(text, format="%Y-%m-%d", unit="s", error_is_null=True)
        dates = dates.cast(pa.date32())
    return dates.cast(pa.int32()).to_numpy(zero_copy_only=False).astype("float64")


def _given(column: pa.Array) -> np.ndarray:
    """True where a restriction field holds a value (a list field: a non-empty list)."""
    if pa.types.is_list(column.type) or pa.types.is_large_list(column.type):
        given = pc.greater(pc.fill_null(pc.list_value_length(column), 0), 0)
    else:
        text = _text(column)
        given = pc.and_(pc.not_equal(text, ""), pc.not_equal(text, "[]"))
    return given.to_numpy(zero_copy_only=False)


def _renamed() -> dict[str, str]:
    """Old category name -> current name (a v1 name without a successor keeps its name)."""
    vocab = vocabulary()
    return {old: (vocab.to_v2("category", old)[1] or old) for old in vocab.v1.get("category", ())}


def _codes(text: pa.Array | pa.ChunkedArray,
           rename: dict[str, str] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of a text column and the names they stand for (renamed, merged)."""
    if isinstance(text, pa.ChunkedArray):  # a whole table rather than one batch
        text = text.combine_chunks()
    encoded = pc.dictionary_encode(text)
    names = np.array(encoded.dictionary.to_pylist(), dtype=object)
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype("int64")
    if rename:
        names = np.array([rename.get(n, n) for n in names], dtype=object)  # a few dozen names
        names, merged = np.unique(names, return_inverse=True) if len(names) else (names, names)
        codes = merged.astype("int64")[codes] if len(codes) else codes
    return codes, names


def _equals(text: pa.Array, values: list[str]) -> np.ndarray:
    return pc.is_in(text, pa.array(values, pa.string())).to_numpy(zero_copy_only=False)


def count_batch(batch: pa.RecordBatch | pa.Table, platforms: Sequence[str] | None = None,
                categories: Sequence[str] | None = None) -> PeerCounts:
    """Count one batch of statements (dump columns), keeping ``platforms`` and ``categories``.

    ``categories`` are current names (:func:`category_names`); None keeps every one.
    """
    platform = _text(batch.column("platform_name"))
    seen = pc.value_counts(platform)
    platforms_seen = Counter(dict(zip(seen.field("values").to_pylist(),
                                      seen.field("counts").to_pylist(), strict=True)))
    keep = pc.is_in(platform, pa.array(list(platforms))) if platforms is not None else None
    category = _text(batch.column("category"))
    if categories is not None:
        in_category = pc.is_in(category, pa.array(_raw_categories(list(categories))))
        keep = in_category if keep is None else pc.and_(keep, in_category)
    if keep is not None:
        batch = batch.filter(keep)
        platform, category = platform.filter(keep), category.filter(keep)
    applied = _days(batch.column("application_date"))
    lag = applied - _days(batch.column("content_date"))
    decision = _text(batch.column("automated_decision"))
    detection = _text(batch.column("automated_detection"))
    # Group on small integer codes (the names are looked up once per group, at the end).
    platform_code, platform_names = _codes(platform)
    category_code, category_names_ = _codes(category, _renamed())
    day_code = np.where(np.isnan(applied), _NO_DAY, np.nan_to_num(applied)).astype("int64")
    rows = pd.DataFrame({
        "platform": platform_code, "category": category_code, "day": day_code,
        "statements": np.ones(len(day_code), dtype="int64"),
        "detection_automated": _equals(detection, ["Yes"]),
        "detection_not_automated": _equals(detection, ["No"]),
        **{name: _equals(decision, [v for v, n in _DECISIONS.items() if n == name])
           for name in dict.fromkeys(_DECISIONS.values())},
        "visibility": _given(batch.column("decision_visibility")),
        "monetary": _given(batch.column("decision_monetary")),
        "provision": _given(batch.column("decision_provision")),
        "account": _given(batch.column("decision_account")),
        "lag_unknown": np.isnan(lag),
    })
    counts = rows.groupby(KEYS, sort=False)[COUNT_COLUMNS].sum().astype("int64").reset_index()
    known = ~np.isnan(lag)
    lags = (rows.loc[known, KEYS].assign(lag_days=lag[known].astype("int64"))
            .groupby([*KEYS, "lag_days"], sort=False).size().rename("statements").reset_index())
    for table in (counts, lags):
        table["platform"] = platform_names[table["platform"].to_numpy()]
        table["category"] = category_names_[table["category"].to_numpy()]
        days = table["day"].to_numpy()
        table["day"] = pd.to_datetime(np.where(days == _NO_DAY, np.nan, days), unit="D")
    return PeerCounts(counts, lags, platforms_seen, sum(platforms_seen.values()))


def merge_counts(parts: Iterable[PeerCounts]) -> PeerCounts:
    """One :class:`PeerCounts` of several (batches, parts, days): the counts summed."""
    parts = list(parts)
    counts = pd.concat([p.counts for p in parts] or [_empty(COUNT_COLUMNS)], ignore_index=True)
    lags = pd.concat([p.lags for p in parts] or [_empty(["lag_days", "statements"])],
                     ignore_index=True)
    seen: Counter[str] = Counter()
    for part in parts:
        seen.update(part.platforms_seen)
    return PeerCounts(
        counts.groupby(KEYS, sort=True, dropna=False)[COUNT_COLUMNS].sum().reset_index(),
        lags.groupby([*KEYS, "lag_days"], sort=True, dropna=False)["statements"].sum()
        .reset_index(),
        seen, sum(p.rows_read for p in parts), [s for p in parts for s in p.sources])


def _empty(columns: list[str]) -> pd.DataFrame:
    table = pd.DataFrame({c: pd.Series(dtype="int64") for c in columns})
    table.insert(0, "day", pd.Series(dtype="datetime64[ns]"))
    table.insert(0, "category", pd.Series(dtype=object))
    table.insert(0, "platform", pd.Series(dtype=object))
    return table


def count_dump(task: tuple[str, list[str] | None, list[str] | None, int]) -> PeerCounts:
    """Count one dump file (a task of :func:`peer_benchmarks`): ``(path, platforms, categories,
    block size)``. Batches are merged every few dozen, so memory stays bounded."""
    path, platforms, categories, block_size = task
    merged, pending = None, []
    for _, batch in dump_batches(path, NEEDED_COLUMNS, block_size=block_size):
        pending.append(count_batch(batch, platforms, categories))
        if len(pending) >= _MERGE_EVERY:
            merged = merge_counts([merged, *pending] if merged else pending)
            pending = []
    result = merge_counts([merged, *pending] if merged else pending)
    result.sources = [str(path)]
    return result


def count_statements(statements: pd.DataFrame, platform: str,
                     categories: Sequence[str] | None = None) -> PeerCounts:
    """The market's own statements (API shape, :func:`modlean.dsa.build_statements`) counted
    as the peers are, under the name ``platform``."""
    table = statements.copy()
    table["platform_name"] = platform
    for name in ("decision_visibility", "decision_monetary", "decision_provision",
                 "decision_account"):  # a restriction the mapping never sets: absent
        if name not in table:
            table[name] = ""
    # A list field (visibility) counts when its list is not empty.
    table["decision_visibility"] = table["decision_visibility"].map(
        lambda v: "x" if (isinstance(v, list | tuple) and v) or (isinstance(v, str) and v)
        else "")
    missing = [c for c in NEEDED_COLUMNS if c not in table]
    if missing:
        raise ParameterError(f"the statements lack the columns {', '.join(missing)}; expected "
                             "statements from modlean.dsa.build_statements")
    batch = pa.Table.from_pandas(table[list(NEEDED_COLUMNS)].fillna("").astype(str),
                                 preserve_index=False)
    return count_batch(batch, None, categories)


def peer_benchmarks(dumps: Sequence[str | Path], platforms: Sequence[str], *,
                    categories: Sequence[str] | None = None, workers: int | None = 1,
                    scheduler: str | None = None, block_size: int = BLOCK_SIZE) -> PeerCounts:
    """Count the statements of ``platforms`` in the daily ``dumps``, one task per file.

    ``dumps`` are zip, CSV or Parquet files or folders of them; files run in parallel on
    ``workers`` local processes or the Dask ``scheduler``. A platform with no statement in
    any dump is an error naming the platforms found (did-you-mean).
    """
    if not platforms:
        raise ParameterError("no platform given; expected one or more platform names as the "
                             "database spells them (platform_name), e.g. 'Temu'")
    if block_size < 1024:
        raise ParameterError(f"block size {block_size} bytes is too small; expected at least "
                             "1024 (a CSV block must hold a whole statement)")
    wanted = category_names(categories)
    files = dump_files(dumps)
    tasks = [(str(f), list(platforms), wanted, block_size) for f in files]
    outcomes = run_tasks(count_dump, tasks, workers=workers, scheduler=scheduler,
                         raise_errors=False)
    for outcome in outcomes:
        if not outcome.ok:
            if outcome.error_type in {c.__name__ for c in (LogError, ParameterError,
                                                           ModleanError)}:
                raise LogError(outcome.error or "")
            raise RuntimeError(f"counting {tasks[outcome.index][0]} failed: "
                               f"{outcome.error_type}: {outcome.error}\n{outcome.traceback}")
    result = merge_counts(o.value for o in outcomes if o.value is not None)
    found = [name for name, _ in result.platforms_seen.most_common()]
    for name in platforms:
        if not result.platforms_seen.get(name):
            shown = ", ".join(repr(n) for n in found[:10]) + (" ..." if len(found) > 10 else "")
            raise ParameterError(
                f"platform {name!r}: no statement of this platform in {len(files)} dump "
                f"file(s) ({result.rows_read:,} statements read); the platforms found are "
                f"{shown or 'none'}{suggest(name, found)}")
    return result
