"""``modlean check-log``: validate event logs and print what they hold."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from modlean.cli.common import SubParsers, add_log_options, log_options, to_json, write_text_atomic
from modlean.errors import ModleanError
from modlean.eventlog import read_log, summarize


def register(sub: SubParsers) -> None:
    p = sub.add_parser(
        "check-log",
        help="validate event logs and print a summary",
        description="Read each log into the canonical shape and print its summary (cases, "
        "events, activities, time span, resources, attributes) or what is wrong with it. "
        "Exit 0 when every log is valid, 2 otherwise.",
    )
    p.add_argument("logs", nargs="+", metavar="LOG",
                   help="a log file (.csv .csv.gz .tsv .parquet .xlsx .xes .db) or database URL")
    p.add_argument("--json", action="store_true", help="print the summaries as JSON")
    p.add_argument("--out", type=Path, default=None,
                   help="also write <log name>.summary.json for each log into this folder")
    add_log_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    options = log_options(args)
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
