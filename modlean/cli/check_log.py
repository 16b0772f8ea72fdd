"""``modlean check-log``: validate event logs and print what they hold."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from modlean.cli.common import parse_pairs, to_json, write_text_atomic
from modlean.errors import ModleanError
from modlean.log import DEFAULT_TZ, read_log, summarize


def register(sub: Any) -> None:
    p = sub.add_parser(
        "check-log",
        help="validate event logs and print a summary",
        description="Read each log into the canonical shape and print its summary (cases, "
        "events, activities, time span, resources, attributes) or what is wrong with it. "
        "Exit 0 when every log is valid, 2 otherwise.",
    )
    p.add_argument("logs", nargs="+", metavar="LOG",
                   help="a log file (.csv .csv.gz .tsv .parquet .xlsx .xes .db) or database URL")
    p.add_argument("--map", action="append", metavar="CANONICAL=COLUMN", dest="mapping",
                   help="name a column, e.g. --map case_id=ticket_no (repeatable)")
    p.add_argument("--tz", default=None, help="time zone of times written without an offset")
    p.add_argument("--sheet", default=None, help="worksheet of an .xlsx file")
    p.add_argument("--query", default=None, help="SQL query or table name for a database")
    p.add_argument("--encoding", default=None, help="text encoding, e.g. cp1252")
    p.add_argument("--sep", default=None, help="column separator of a text file")
    order = p.add_mutually_exclusive_group()
    order.add_argument("--dayfirst", dest="dayfirst", action="store_const", const=True,
                       default=None, help="dates like 03/04/2025 mean 3 April")
    order.add_argument("--monthfirst", dest="dayfirst", action="store_const", const=False,
                       help="dates like 03/04/2025 mean 4 March")
    p.add_argument("--json", action="store_true", help="print the summaries as JSON")
    p.add_argument("--out", type=Path, default=None,
                   help="also write <log name>.summary.json for each log into this folder")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    mapping = parse_pairs(args.mapping, "--map")
    options = {
        "mapping": mapping or None,
        "tz": args.tz or DEFAULT_TZ,
        "sheet": int(args.sheet) if args.sheet and args.sheet.isdigit() else args.sheet,
        "query": args.query,
        "encoding": args.encoding,
        "sep": args.sep,
        "dayfirst": args.dayfirst,
    }
    summaries: dict[str, Any] = {}
    failed = 0
    for source in args.logs:
        try:
            summary = summarize(read_log(source, **options))
        except ModleanError as exc:
            failed += 1
            summaries[source] = {"error": str(exc)}
            print(f"modlean check-log: error: {exc}", file=sys.stderr)
            continue
        summaries[source] = summary
        if args.out is not None:
            target = args.out / (Path(source).name.split(".")[0] + ".summary.json")
            if len(args.logs) > 1 and Path(source).parent.name:
                target = args.out / Path(source).parent.name / target.name
            write_text_atomic(target, to_json(summary) + "\n")
        if not args.json:
            print(_describe(source, summary))
    if args.json:
        print(to_json(summaries if len(args.logs) > 1 else next(iter(summaries.values()))))
    return 2 if failed else 0


def _describe(source: str, s: dict[str, Any]) -> str:
    top = ", ".join(f"{k} {v}" for k, v in list(s["activities"].items())[:6])
    lines = [
        f"{source}: valid",
        f"  {s['cases']:,} cases, {s['events']:,} events, {len(s['activities'])} activities "
        f"({top}{', ...' if len(s['activities']) > 6 else ''})",
        f"  from {s['first_event']} to {s['last_event']} ({s['days']} days)",
        f"  {s['resources']} resources; start times: "
        f"{'yes' if s['has_start_timestamps'] else 'no'}",
        "  attributes: " + (", ".join(f"{k} ({v} values)" for k, v in s["attributes"].items())
                            or "none"),
    ]
    lines += [f"  note: {n}" for n in s["notes"]]
    return "\n".join(lines)
