"""``modlean check-log``: validate event logs, say if they can be mined, print what they hold."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

from modlean.cli.common import SubParsers, add_log_options, log_options, to_json, write_text_atomic
from modlean.errors import ModleanError
from modlean.eventlog import guess_profile, read_log, shape_warnings, summarize

#: Exit code when every log reads but one cannot be mined as it stands.
EXIT_NOT_MINABLE = 1
#: Rows a failed log's guess reads: enough to tell a task table.
_GUESS_ROWS = 5_000


def register(sub: SubParsers) -> None:
    p = sub.add_parser(
        "check-log",
        help="validate event logs and print a summary",
        description="Read each log into the canonical shape and print its summary (cases, "
        "events, activities, time span, resources, attributes) or what is wrong with it. "
        "A log that reads but cannot be mined (most cases a single event: a task table read "
        "as events) is reported NOT MINABLE, with the way to read it as a task table "
        "(modlean profile, docs/intake.md); an activity column that looks like a flag "
        "(<= 3 values such as Y/N) is warned about. Exit 0 when every log is valid, "
        "1 when one is not minable, 2 when one cannot be read.",
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
    failed = not_minable = 0
    for source in args.logs:
        try:
            log = read_log(source, **options)
        except ModleanError as exc:
            failed += 1
            summaries[source] = {"error": str(exc)}
            print(f"modlean check-log: error: {exc}", file=sys.stderr)
            if (hint := _task_table_hint(source, options)) is not None:
                summaries[source]["hint"] = hint
                print(f"modlean check-log: hint: {hint}", file=sys.stderr)
            continue
        summary = summarize(log)
        warnings = shape_warnings(log, source)
        minable = not any(w.code == "single_event_cases" for w in warnings)
        not_minable += not minable
        summary["verdict"] = "valid" if minable else "not minable"
        summary["warnings"] = [dataclasses.asdict(w) for w in warnings]
        summaries[source] = summary
        if args.out is not None:
            target = args.out / (Path(source).name.split(".")[0] + ".summary.json")
            if len(args.logs) > 1 and Path(source).parent.name:
                target = args.out / Path(source).parent.name / target.name
            write_text_atomic(target, to_json(summary) + "\n")
        if not args.json:
            print(_describe(source, summary, options.get("mapping")))
    if args.json:
        print(to_json(summaries if len(args.logs) > 1 else next(iter(summaries.values()))))
    return 2 if failed else EXIT_NOT_MINABLE if not_minable else 0


def _task_table_hint(source: str, options: dict[str, Any]) -> str | None:
    """How to read ``source`` when a guess sees one row per task; None otherwise."""
    if not Path(source).is_file():
        return None
    try:
        guess = guess_profile(source, sep=options["sep"], encoding=options["encoding"],
                              sample_rows=_GUESS_ROWS)
    except ModleanError:
        return None
    if guess["shape"] != "tasks":
        return None
    task = guess.get("task", {})
    times = ", ".join(str(task[k]) for k in ("created", "started", "closed") if k in task)
    return (f"{source} looks like one row per task (key {guess['case']['id']!r}, times "
            f"{times}), not one row per event: guess its profile with `modlean profile "
            f"{source} --out profile.yaml`, edit it, then `modlean import {source} --profile "
            "profile.yaml --out events.parquet` (docs/intake.md)")


def _describe(source: str, s: dict[str, Any], mapping: dict[str, str] | None) -> str:
    top = ", ".join(f"{k} {v}" for k, v in list(s["activities"].items())[:6])
    verdict = "valid" if s["verdict"] == "valid" else "NOT MINABLE (read, but not as events)"
    lines = [
        f"{source}: {verdict}",
        f"  {s['cases']:,} cases, {s['events']:,} events, {len(s['activities'])} activities "
        f"({top}{', ...' if len(s['activities']) > 6 else ''})",
        f"  from {s['first_event']} to {s['last_event']} ({s['days']} days)",
        f"  {s['resources']} resources; start times: "
        f"{'yes' if s['has_start_timestamps'] else 'no'}",
        "  attributes: " + (", ".join(f"{k} ({v} values)" for k, v in s["attributes"].items())
                            or "none"),
    ]
    column = (mapping or {}).get("activity")
    for w in s["warnings"]:
        where = f" (column {column!r})" if column and w["code"] == "flag_like_activity" else ""
        lines.append(f"  warning [{w['code']}]{where}: {w['message']}")
    lines += [f"  note: {n}" for n in s["notes"]]
    return "\n".join(lines)
