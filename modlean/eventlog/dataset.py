"""A folder of log files (a dataset): listed, read whole, or cut into partitions by case.

A dataset is a folder of Parquet files (hive-partitioned, ``date=2026-03-01/``,
or not) or of text exports (``.csv``, ``.csv.gz``, ``.tsv``), found in every
sub-folder. Its log is the files in path order, each file's rows in order, so
"the row order" (which decides ties at equal times) is well defined.

:func:`partition_dataset` streams the dataset once, in batches, and writes each
event to one of ``n`` partition files (Arrow IPC, LZ4) chosen by a hash of its
case id, so every partition holds whole cases even when a case's events are
spread over files. A column ``__modlean_row`` keeps each event's row number in
the dataset; :func:`read_partition` restores that order and reads the partition
through :func:`~modlean.eventlog.read_log`, so a partition is read exactly as the
same rows of the whole log would be. Memory stays at a few batches.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from modlean.errors import LogError
from modlean.eventlog.columns import resolve_columns
from modlean.eventlog.read import read_log

__all__ = [
    "BYTES_PER_TEXT_EVENT",
    "ROW_COLUMN",
    "Partitioned",
    "case_buckets",
    "dataset_events",
    "dataset_files",
    "partition_dataset",
    "read_dataset",
    "read_partition",
]

#: The column that carries an event's row number in the dataset through the partitions.
ROW_COLUMN = "__modlean_row"
#: Bytes of a text export per event, for estimating a text dataset's events from its size.
BYTES_PER_TEXT_EVENT = 80
_PARQUET = (".parquet", ".pq")
_TEXT = (".csv", ".csv.gz", ".tsv", ".txt")
_BATCH_ROWS = 1 << 20


def _kind(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(_PARQUET):
        return "parquet"
    return "text" if name.endswith(_TEXT) else None


def dataset_files(path: str | Path) -> tuple[list[Path], str]:
    """The log files of a folder, in path order, and their kind (``parquet`` or ``text``).

    Hidden files and files of other kinds (``_SUCCESS``, ``.crc``) are skipped; a
    folder mixing Parquet and text files is refused.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise LogError("a dataset is a folder of log files", source=str(folder),
                       found="no such folder" if not folder.exists() else "a file",
                       expected="a folder of .parquet or .csv files")
    files = sorted(f for f in folder.rglob("*") if f.is_file() and _kind(f)
                   and not any(p.startswith((".", "_")) for p in f.relative_to(folder).parts))
    kinds = {_kind(f) for f in files}
    if not files:
        raise LogError("the folder holds no log files", source=str(folder),
                       expected="files ending .parquet, .pq, .csv, .csv.gz or .tsv")
    if len(kinds) > 1:
        text = next(f for f in files if _kind(f) == "text")
        parquet = next(f for f in files if _kind(f) == "parquet")
        raise LogError("the folder mixes Parquet and text files", source=str(folder),
                       found=f"{parquet.relative_to(folder)} and {text.relative_to(folder)}",
                       expected="one kind of file", hint="convert the exports to one format")
    return files, kinds.pop()


def _parquet_dataset(folder: Path, files: list[Path]) -> ds.Dataset:
    try:
        return ds.dataset([str(f) for f in files], format="parquet", partitioning="hive",
                          partition_base_dir=str(folder))
    except (pa.ArrowInvalid, OSError) as exc:
        raise LogError(f"the Parquet files cannot be read as one dataset: {exc}",
                       source=str(folder), expected="Parquet files with the same columns"
                       ) from None


def dataset_events(path: str | Path) -> int:
    """The events of a dataset: exact for Parquet (from the files' footers), estimated
    for text exports (their bytes / :data:`BYTES_PER_TEXT_EVENT`)."""
    files, kind = dataset_files(path)
    if kind == "parquet":
        return sum(pq.ParquetFile(f).metadata.num_rows for f in files)
    return sum(f.stat().st_size for f in files) // BYTES_PER_TEXT_EVENT


def read_dataset(path: str | Path, **read_options: Any) -> pd.DataFrame:
    """The whole dataset as one canonical log, in memory (the reference for partitions).

    ``read_options`` are those of :func:`~modlean.eventlog.read_log`; each text file
    is read with them, a Parquet dataset is read as one table and then with them.
    """
    folder = Path(path)
    files, kind = dataset_files(folder)
    if kind == "parquet":
        table = _scan(lambda: _parquet_dataset(folder, files).to_table(), folder)
        return read_log(table.to_pandas(), **read_options)
    frames = [read_log(f, **read_options) for f in files]
    return read_log(pd.concat(frames, ignore_index=True))


def _scan(read: Any, folder: Path) -> Any:
    try:
        return read()
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
        raise LogError(f"the Parquet files do not agree: {exc}", source=str(folder),
                       expected="the same columns and types in every file") from None


def case_buckets(values: pa.Array | pa.ChunkedArray, partitions: int) -> np.ndarray:
    """The partition (0 .. partitions-1) of each event, from a hash of its case id's text.

    The text is the id as :func:`~modlean.eventlog.read_log` makes it (whitespace
    stripped, ``12.0`` as ``12``), so an id written differently in two files still
    lands in one partition. Each distinct id is hashed once.
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if pa.types.is_dictionary(values.type):
        values = values.cast(values.type.value_type)
    if pa.types.is_floating(values.type):
        with contextlib.suppress(pa.ArrowInvalid, pa.ArrowNotImplementedError):
            values = values.cast(pa.int64())  # fractional ids stay as they are written
    if not pa.types.is_string(values.type) and not pa.types.is_large_string(values.type):
        values = values.cast(pa.string())
    encoded = pc.dictionary_encode(pc.utf8_trim_whitespace(values))
    names = encoded.dictionary.to_numpy(zero_copy_only=False).astype(object)
    hashed = pd.util.hash_array(names, categorize=False) % np.uint64(partitions)
    indices = pc.fill_null(encoded.indices, 0).to_numpy(zero_copy_only=False)
    return hashed.astype(np.int64)[indices] if len(names) else np.zeros(len(values), np.int64)


@dataclass
class Partitioned:
    """A dataset cut into partitions of whole cases (:func:`partition_dataset`)."""

    paths: list[Path]
    """the partition files that hold events (empty partitions have none)."""
    read_options: dict[str, Any] = field(default_factory=dict)
    """the options :func:`read_partition` reads each partition with."""
    events: int = 0
    bytes: int = 0
    """bytes written to disk (the data spilled out of memory)."""


def _batches(folder: Path, files: list[Path], kind: str, read_options: dict[str, Any]
             ) -> Iterator[tuple[pa.RecordBatch, str]]:
    """The dataset's rows as record batches in order, each with its case id column's name."""
    if kind == "parquet":
        dataset = _parquet_dataset(folder, files)
        case = resolve_columns(dataset.schema.names, read_options.get("mapping"),
                               str(folder))["case_id"]
        batches = dataset.scanner(batch_size=_BATCH_ROWS).to_batches()
        while (batch := _scan(lambda: next(batches, None), folder)) is not None:
            if batch.num_rows:
                yield batch, case
        return
    for f in files:  # a text export is read whole: one file must fit in memory
        frame = read_log(f, **read_options)
        for b in pa.Table.from_pandas(frame, preserve_index=False).to_batches(_BATCH_ROWS):
            yield b, "case_id"


def _plain(batch: pa.RecordBatch) -> pa.Table:
    """The batch with dictionary (categorical) columns as plain values."""
    table = pa.Table.from_batches([batch])
    types = [f.type.value_type if pa.types.is_dictionary(f.type) else f.type
             for f in table.schema]
    return table.cast(pa.schema([pa.field(f.name, t) for f, t in zip(table.schema, types,
                                                                     strict=True)]))


def partition_dataset(path: str | Path, folder: str | Path, partitions: int,
                      **read_options: Any) -> Partitioned:
    """Write the dataset's events into ``partitions`` files of whole cases under ``folder``.

    One pass over the data in batches of about a million rows; each batch is cut by
    :func:`case_buckets` and appended to the partition files (Arrow IPC, LZ4). Parquet
    rows are written as they are (read with ``read_options`` later); text exports are
    read with ``read_options`` first, one file at a time.
    """
    source = Path(path)
    files, kind = dataset_files(source)
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    writers: dict[int, ipc.RecordBatchFileWriter] = {}
    schema: pa.Schema | None = None
    rows = 0
    options = ipc.IpcWriteOptions(compression="lz4")
    try:
        for batch, case in _batches(source, files, kind, read_options):
            table = _plain(batch)
            table = table.append_column(ROW_COLUMN, pa.array(
                np.arange(rows, rows + table.num_rows, dtype=np.int64)))
            rows += table.num_rows
            if schema is None:
                schema = table.schema
            elif table.schema != schema:
                table = _conform(table, schema, source)
            bucket = case_buckets(table[case], partitions)
            order = np.argsort(bucket, kind="stable")
            table = table.take(order)
            bounds = np.concatenate(([0], np.cumsum(np.bincount(bucket, minlength=partitions))))
            for b in np.flatnonzero(np.diff(bounds)):  # a loop over partitions, not events
                if b not in writers:
                    writers[b] = ipc.new_file(out / f"part-{b:05d}.arrow", schema,
                                              options=options)
                writers[b].write_table(table.slice(bounds[b], bounds[b + 1] - bounds[b]))
    finally:
        for w in writers.values():
            w.close()
    paths = [out / f"part-{b:05d}.arrow" for b in sorted(writers)]
    return Partitioned(paths=paths, read_options={} if kind == "text" else dict(read_options),
                       events=rows, bytes=sum(p.stat().st_size for p in paths))


def _conform(table: pa.Table, schema: pa.Schema, source: Path) -> pa.Table:
    if set(table.schema.names) != set(schema.names):
        raise LogError("the files of the dataset have different columns", source=str(source),
                       found=", ".join(sorted(set(table.schema.names) ^ set(schema.names))),
                       expected=f"the columns {', '.join(n for n in schema.names)} in every file")
    try:
        return table.select(schema.names).cast(schema)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise LogError(f"the files of the dataset have different column types: {exc}",
                       source=str(source), expected=str(schema)) from None


def read_partition(path: str | Path, **read_options: Any) -> pd.DataFrame:
    """One partition as a canonical log, its rows in the dataset's order."""
    with ipc.open_file(path) as reader:
        table = reader.read_all()
    table = table.take(pc.sort_indices(table[ROW_COLUMN])).drop_columns([ROW_COLUMN])
    return read_log(table.to_pandas(), **read_options)
