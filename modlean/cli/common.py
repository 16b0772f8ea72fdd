"""Helpers shared by the sub-commands: log-reading options, pairs, JSON and atomic writes."""

from __future__ import annotations

import argparse
import io
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from modlean._util import to_json
from modlean._util import write_atomic as write_text_atomic
from modlean.errors import ParameterError

if TYPE_CHECKING:
    import pandas as pd

    from modlean.eventlog import MappingReport

__all__ = ["TABLE_SUFFIXES", "SubParsers", "add_log_options", "check_table_paths", "log_options",
           "parse_pairs", "sheet_of", "show_report", "to_json", "write_table",
           "write_text_atomic"]

#: The formats a table (a log, a QA table) is written in, by suffix.
TABLE_SUFFIXES = (".parquet", ".csv")

#: What ``add_subparsers()`` returns; each command's ``register`` adds its parser to it.
SubParsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def parse_pairs(items: list[str] | None, option: str) -> dict[str, str]:
    """Turn ``["a=b", "c=d"]`` from a repeated CLI option into a dict."""
    pairs: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ParameterError(f"{option} {item!r}: expected NAME=VALUE")
        pairs[key.strip()] = value.strip()
    return pairs


def add_sla_option(parser: argparse.ArgumentParser) -> None:
    """``--sla-hours``: the SLA the fidelity table scores each pool's ``sla:`` row against."""
    parser.add_argument(
        "--sla-hours", type=_sla_hours, default=24.0, metavar="H|POOL=H,...",
        help="SLA target in hours of the fidelity table's sla: rows: one for every pool "
        "(default 24), or per pool, e.g. l1_listing=24,appeals=72 (other pools: 24)")


def _sla_hours(text: str) -> float | dict[str, float]:
    """One number of hours, or ``pool=hours`` pairs split by commas."""
    if "=" not in text:
        return _hours(text, text)
    pairs = parse_pairs([p for p in text.split(",") if p.strip()], "--sla-hours")
    return {pool: _hours(hours, f"{pool}={hours}") for pool, hours in pairs.items()}


def _hours(text: str, given: str) -> float:
    try:
        hours = float(text.replace(",", "."))
    except ValueError:
        hours = math.nan
    if not (math.isfinite(hours) and hours > 0):
        raise argparse.ArgumentTypeError(
            f"found {given!r}; expected hours > 0, or POOL=HOURS pairs split by commas")
    return hours


def add_run_options(parser: argparse.ArgumentParser, *, replications: int,
                    per: str = "independent replications", at_least: int = 1,
                    seed_default: str = "the scenario's") -> None:
    """``--replications``, ``--seed`` and ``--workers``, for every command that simulates."""
    floor = f", at least {at_least}" if at_least > 1 else ""
    parser.add_argument("--replications", type=int, default=replications, metavar="R",
                        help=f"{per} (default {replications}{floor})")
    parser.add_argument("--seed", type=int, default=None,
                        help=f"random seed (default: {seed_default})")
    parser.add_argument("--workers", type=int, default=None, metavar="N",
                        help="local processes for replications (default: all cores)")


def add_size_option(parser: argparse.ArgumentParser) -> None:
    """``--max-events``, the simulation's size guard, for commands that simulate a scenario."""
    parser.add_argument("--max-events", type=float, default=None, metavar="N",
                        help="the size guard: refuse a run holding more than N events in "
                        "memory (default 1e8, about 10 GB with the event log)")


def max_events(args: argparse.Namespace) -> float | None:
    """``--max-events`` checked: None (the default limit) or a number of events >= 1."""
    if args.max_events is not None and not args.max_events >= 1:
        raise ParameterError(f"--max-events: found {args.max_events:g}; expected a number of "
                             "events >= 1, e.g. 2e8")
    return args.max_events


def add_log_options(parser: argparse.ArgumentParser) -> None:
    """The options of :func:`modlean.read_log`, for every command that reads a log."""
    group = parser.add_argument_group("reading the log")
    group.add_argument("--map", action="append", metavar="CANONICAL=COLUMN", dest="mapping",
                       help="name a column, e.g. --map case_id=ticket_no (repeatable)")
    group.add_argument("--tz", default=None,
                       help="time zone of times written without an offset")
    group.add_argument("--sheet", default=None, help="worksheet of an .xlsx file")
    group.add_argument("--query", default=None, help="SQL query or table name for a database")
    group.add_argument("--encoding", default=None, help="text encoding, e.g. cp1252")
    group.add_argument("--sep", default=None, help="column separator of a text file")
    group.add_argument("--columns", default=None, metavar="NAME,NAME",
                       help="read only these columns besides the case id, activity and time "
                       "(canonical or column names, comma-separated; '' for none): faster "
                       "and leaner on a large Parquet log")
    order = group.add_mutually_exclusive_group()
    order.add_argument("--dayfirst", dest="dayfirst", action="store_const", const=True,
                       default=None, help="dates like 03/04/2025 mean 3 April")
    order.add_argument("--monthfirst", dest="dayfirst", action="store_const", const=False,
                       help="dates like 03/04/2025 mean 4 March")


def log_options(args: argparse.Namespace) -> dict[str, Any]:
    """Keyword arguments for :func:`modlean.read_log` from :func:`add_log_options`."""
    from modlean.eventlog import DEFAULT_TZ

    options: dict[str, Any] = {
        "mapping": parse_pairs(args.mapping, "--map") or None,
        "tz": args.tz or DEFAULT_TZ,
        "sheet": sheet_of(args.sheet),
        "query": args.query,
        "encoding": args.encoding,
        "sep": args.sep,
        "dayfirst": args.dayfirst,
    }
    if getattr(args, "columns", None) is not None:
        options["columns"] = [c.strip() for c in args.columns.split(",") if c.strip()]
    return options


def sheet_of(text: str | None) -> str | int | None:
    """A ``--sheet`` value: a worksheet's position when it is digits, else its name."""
    return int(text) if text and text.isdigit() else text


def show_report(report: MappingReport, *, table_path: Path | None, as_json: bool) -> None:
    """Print a mapping report (as JSON with ``--json``), and write its table to ``--report``."""
    table = report.table
    if table_path is not None:
        write_text_atomic(table_path, table.to_csv(index=False))
    if as_json:
        print(to_json({"warnings": [vars(w) for w in report.warnings],
                       "table": table.to_dict(orient="records")}))
    else:
        print(report)


def check_table_paths(**paths: Path | None) -> None:
    """Refuse an output path (``out=...``, named as its option) that is not .parquet or .csv,
    before anything is read or written."""
    for option, path in paths.items():
        if path is not None and path.suffix.lower() not in TABLE_SUFFIXES:
            raise ParameterError(f"--{option.replace('_', '-')} {path}: expected a .parquet or "
                                 ".csv file")


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """``frame`` to ``path`` (.csv with ISO UTC times, else Parquet), atomically."""
    if path.suffix.lower() == ".csv":
        write_text_atomic(path, frame.to_csv(index=False, date_format="%Y-%m-%dT%H:%M:%S.%fZ"))
        return
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    write_text_atomic(path, buffer.getvalue())
