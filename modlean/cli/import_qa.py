"""``modlean import-qa``: a QA team's own file of checks joined to the imported log -> QA table."""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

from modlean.cli.common import SubParsers, check_table_paths, sheet_of, show_report, write_table


def register(sub: SubParsers) -> None:
    p = sub.add_parser(
        "import-qa",
        help="import a QA team's own file of checks with a QA profile, joined to the log",
        description="Read QA_FILE as the QA profile says (key column, verdict and its value "
        "map, reason, reviewer, time, locale: docs/intake.md), join each check to the "
        "checked ticket's (or case's) last decision event at or before the QA time in LOG "
        "(its case, reviewer, pool, decision, label), write the QA table to --out and print "
        "the mapping report: rows read, checks joined, keys not in the log, checks without "
        "a decision before them, verdicts, time span and warnings. Exit 0 on success, 2 on "
        "bad input (nothing is written then).",
    )
    p.add_argument("qa_file", metavar="QA_FILE", help="the QA file (.csv .xlsx .parquet ...)")
    p.add_argument("--profile", required=True, type=Path,
                   help="the QA file profile (YAML; see templates/profiles/qa_example.yaml)")
    p.add_argument("--log", required=True, type=Path,
                   help="the canonical log of the same operation (modlean import --out), or "
                   "the export itself with --log-profile")
    p.add_argument("--log-profile", type=Path, default=None,
                   help="the source profile that reads --log when it is the export")
    p.add_argument("--out", type=Path, default=None,
                   help="where to write the QA table (.parquet or .csv)")
    p.add_argument("--report", type=Path, default=None,
                   help="also write the mapping report as a table (.csv)")
    p.add_argument("--json", action="store_true",
                   help="print the report's warnings and table as JSON")
    p.add_argument("--sheet", default=None, help="worksheet of an .xlsx QA file")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from modlean.eventlog import LogWarning, import_qa, read_log

    check_table_paths(out=args.out)
    with warnings.catch_warnings():  # the log's own report was read when it was imported
        warnings.simplefilter("ignore", LogWarning)
        log = read_log(args.log, profile=args.log_profile)
    result = import_qa(args.qa_file, args.profile, log, sheet=sheet_of(args.sheet))
    if args.out is not None:
        write_table(result.qa, args.out)
    show_report(result.report, table_path=args.report, as_json=args.json)
    if not args.json and args.out is not None:
        print(f"wrote {args.out} ({len(result.qa):,} rows)")
    return 0
