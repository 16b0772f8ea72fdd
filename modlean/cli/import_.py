"""``modlean import``: a vendor export and its source profile -> the canonical log, QA table."""

from __future__ import annotations

import argparse
from pathlib import Path

from modlean.cli.common import SubParsers, check_table_paths, sheet_of, show_report, write_table
from modlean.errors import ParameterError


def register(sub: SubParsers) -> None:
    p = sub.add_parser(
        "import",
        help="import a vendor export with a source profile and print the mapping report",
        description="Read EXPORT as the source profile says (shape, links, vocabulary, locale, "
        "QA columns: docs/intake.md), write the canonical event log to --out and the QA "
        "table to --qa-out, and print the mapping report: rows read, cases, events per "
        "stage, links chased, rows dropped and why, unused columns, the time span and "
        "warnings. Exit 0 on success, 2 on bad input (nothing is written then).",
    )
    p.add_argument("export", metavar="EXPORT", help="the export (.csv .parquet .xlsx ...)")
    p.add_argument("--profile", required=True, type=Path,
                   help="the source profile (YAML; see templates/profiles/example.yaml)")
    p.add_argument("--out", type=Path, default=None,
                   help="where to write the canonical log (.parquet or .csv)")
    p.add_argument("--qa-out", type=Path, default=None,
                   help="where to write the QA table (.parquet or .csv; needs qa: in the profile)")
    p.add_argument("--report", type=Path, default=None,
                   help="also write the mapping report as a table (.csv)")
    p.add_argument("--json", action="store_true",
                   help="print the report's warnings and table as JSON")
    p.add_argument("--sheet", default=None, help="worksheet of an .xlsx export")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from modlean.eventlog import import_export

    check_table_paths(out=args.out, qa_out=args.qa_out)
    result = import_export(args.export, args.profile, sheet=sheet_of(args.sheet))
    if args.qa_out is not None and result.qa is None:
        raise ParameterError(f"--qa-out {args.qa_out}: the profile {args.profile} has no qa: "
                             "section, so the export gives no QA table")
    if args.out is not None:
        write_table(result.log, args.out)
    if args.qa_out is not None and result.qa is not None:
        write_table(result.qa, args.qa_out)
    show_report(result.report, table_path=args.report, as_json=args.json)
    if not args.json:
        written = [f"{p} ({n:,} rows)" for p, n in ((args.out, len(result.log)), (
            args.qa_out, 0 if result.qa is None else len(result.qa))) if p is not None]
        if written:
            print("wrote " + ", ".join(written))
    return 0

