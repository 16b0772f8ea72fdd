"""The Transparency Database's daily dumps read as a stream of Arrow record batches.

The Commission publishes one zip per day, ``sor-global-YYYY-MM-DD-full.zip``,
about 2 GiB. It holds zips again (``...-full-00000.csv.zip``), and each of those
the CSV parts (``...-full-00000-00000.csv``) with the columns of
``vocabulary.yaml`` (the 2024 dumps lack ``content_id_ean``); the layout is as
in the shantay project's reader (``apparebit/shantay``, ``shantay/processor.py``
and ``dsa_sor.py``). :func:`dump_batches` walks a zip, nested or not, a plain
CSV part, or a Parquet file (a dump converted by a tool such as shantay),
member by member, without unpacking to disk and without holding more than one
block of text in memory: zip members are decompressed as they are read (a
nested zip is seeked inside its parent), CSV text is parsed by
``pyarrow.csv.open_csv`` one block at a time, and only the columns asked for
are converted. Text fields may hold line breaks, as the real dumps' do.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import IO

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from modlean._util import suggest
from modlean.errors import LogError

__all__ = ["BLOCK_SIZE", "DUMP_SUFFIXES", "dump_batches", "dump_files"]

#: Bytes of CSV text parsed at a time (one record batch); memory grows with it, not with the file.
BLOCK_SIZE = 4 << 20
#: The files a dump argument may name (a folder stands for the files of these kinds in it).
DUMP_SUFFIXES = (".zip", ".csv", ".parquet")
_HEADER_PEEK = 1 << 16
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError)


def dump_files(paths: Sequence[str | Path]) -> list[Path]:
    """The dump files named: files as given, a folder as its zip, CSV and Parquet files, sorted."""
    files: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in DUMP_SUFFIXES)
            if not found:
                raise LogError("the folder holds no dump files", source=str(path),
                               expected="daily dump zips (sor-global-YYYY-MM-DD-full.zip), "
                               "CSV parts or Parquet files")
            files.extend(found)
        elif not path.is_file():
            raise LogError("no such dump file", source=str(path),
                           expected="a daily dump zip, a CSV part or a Parquet file")
        elif path.suffix.lower() not in DUMP_SUFFIXES:
            raise LogError("not a dump file", source=str(path), found=path.suffix or path.name,
                           expected="a file ending in .zip, .csv or .parquet")
        else:
            files.append(path)
    return files


def dump_batches(path: str | Path, columns: Sequence[str], *,
                 block_size: int = BLOCK_SIZE) -> Iterator[tuple[str, pa.RecordBatch]]:
    """``(part, batch)`` for each block of the dump at ``path``, only ``columns``, as read.

    ``part`` names where the batch came from (``day.zip:day-00000.csv.zip:day-00000-00000.csv``).
    CSV columns come as text; Parquet columns keep their types. A file that is no zip, CSV
    or Parquet, a part without one of ``columns`` and text that is no CSV raise
    :class:`~modlean.errors.LogError` naming the file and part.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        yield from _parquet_batches(path, columns, block_size)
        return
    with ExitStack() as stack:
        if suffix == ".zip":
            if not zipfile.is_zipfile(path):
                raise LogError("not a zip archive", source=str(path),
                               expected="a daily dump zip as the database publishes "
                               "(sor-global-YYYY-MM-DD-full.zip)")
            archive = stack.enter_context(zipfile.ZipFile(path))
            yield from _zip_batches(archive, str(path), columns, block_size)
        else:
            stream = stack.enter_context(path.open("rb"))
            yield from _csv_batches(stream, str(path), columns, block_size)


def _zip_batches(archive: zipfile.ZipFile, where: str, columns: Sequence[str],
                 block_size: int) -> Iterator[tuple[str, pa.RecordBatch]]:
    names = sorted(n for n in archive.namelist() if not n.endswith("/"))
    parts = [n for n in names if n.lower().endswith((".zip", ".csv"))]
    if not parts:
        raise LogError("the zip holds no CSV parts or zips", source=where,
                       found=", ".join(names[:5]) or "nothing",
                       expected="the database's CSV parts (sor-global-...-full-00000-00000.csv)")
    for name in parts:
        part = f"{where}:{name}"
        try:
            with archive.open(name) as member:
                if name.lower().endswith(".zip"):
                    # A nested zip is read in place: ZipExtFile seeks (re-reading as needed).
                    with zipfile.ZipFile(member) as inner:
                        yield from _zip_batches(inner, part, columns, block_size)
                else:
                    yield from _csv_batches(member, part, columns, block_size)
        except _ZIP_ERRORS as exc:
            raise LogError(f"the zip member cannot be read ({exc})", source=part,
                           expected="an intact zip; download the day again") from None


def _header(stream: io.BufferedReader, where: str) -> list[str]:
    head = stream.peek(_HEADER_PEEK)[:_HEADER_PEEK]
    first = head.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace").rstrip("\r")
    return next(csv.reader([first]), [])


def _check_columns(found: Sequence[str], columns: Sequence[str], where: str) -> None:
    missing = [c for c in columns if c not in found]
    if missing:
        shown = ", ".join(found[:6]) + (", ..." if len(found) > 6 else "")
        others = [f for f in found if f not in columns]
        raise LogError(f"the column{'s' if len(missing) > 1 else ''} "
                       f"{', '.join(repr(m) for m in missing)} the peer figures need "
                       f"{'are' if len(missing) > 1 else 'is'} missing; the header has "
                       f"{len(found)} columns ({shown or 'none'})", source=where,
                       expected="the columns of the database's daily dumps (docs/dsa.md)"
                       + suggest(missing[0], others))


def _csv_batches(raw: IO[bytes], where: str, columns: Sequence[str],
                 block_size: int) -> Iterator[tuple[str, pa.RecordBatch]]:
    stream = io.BufferedReader(raw, buffer_size=_HEADER_PEEK)  # type: ignore[arg-type]
    _check_columns(_header(stream, where), columns, where)
    rows, reader = 0, None
    while True:
        try:  # the first block is parsed when the reader opens
            reader = reader or pacsv.open_csv(
                stream,
                read_options=pacsv.ReadOptions(block_size=block_size, use_threads=False),
                parse_options=pacsv.ParseOptions(newlines_in_values=True),
                convert_options=pacsv.ConvertOptions(
                    include_columns=list(columns),
                    column_types=dict.fromkeys(columns, pa.string()),
                    strings_can_be_null=False, quoted_strings_can_be_null=False),
            )
            batch = reader.read_next_batch()
        except StopIteration:
            return
        except pa.ArrowInvalid as exc:
            detail = str(exc).split(":", 1)[-1].strip().split("\n")[0]
            raise LogError(f"the CSV cannot be read after {rows:,} statements ({detail})",
                           source=where, expected="the database's CSV (RFC 4180, UTF-8); "
                           "a row's fields must match the header") from None
        rows += batch.num_rows
        yield where, batch


def _parquet_batches(path: Path, columns: Sequence[str],
                     block_size: int) -> Iterator[tuple[str, pa.RecordBatch]]:
    try:
        file = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise LogError(f"not a Parquet file ({exc})", source=str(path),
                       expected="a Parquet file of the database's columns") from None
    _check_columns(file.schema_arrow.names, columns, str(path))
    rows = max(1, block_size // 512)  # about as many statements as a CSV block holds
    for batch in file.iter_batches(batch_size=rows, columns=list(columns)):
        yield str(path), batch
