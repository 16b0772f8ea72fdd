"""``modlean profile``: guess the source profile of an export, for the user to edit."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from modlean.cli.common import SubParsers, sheet_of, write_text_atomic
from modlean.errors import ParameterError
from modlean.eventlog import guess_profile, profile_yaml


def register(sub: SubParsers) -> None:
    p = sub.add_parser(
        "profile",
        help="guess the profile that reads a vendor export (one row per task or per event)",
        description="Read the first rows of an export and guess its source profile: one row "
        "per task or per event, the ticket key and parent links, the created/started/closed "
        "columns (and whether 'started' means assigned), the queues with suggested stages "
        "and pools, verdicts, reason codes, model score, QA columns and the locale. Every "
        "guess to check is marked CONFIRM, every value the data cannot tell TODO. Prints the "
        "YAML, or writes it with --out; then edit it and run `modlean import EXPORT "
        "--profile P.yaml` (docs/intake.md). Exit 0 on success, 2 on bad input.",
    )
    p.add_argument("export", metavar="EXPORT", help="the export (.csv .tsv .xlsx .parquet ...)")
    p.add_argument("--out", type=Path, default=None, metavar="P.yaml",
                   help="write the profile here (default: print it)")
    p.add_argument("--force", action="store_true", help="replace an existing --out file")
    p.add_argument("--sep", default=None, help="column separator (default: sniffed)")
    p.add_argument("--encoding", default=None,
                   help="text encoding (default: UTF-8, else cp1252, said in the profile)")
    p.add_argument("--sheet", default=None,
                   help="worksheet of an .xlsx export (name or number from 0; default the "
                   "first sheet with times)")
    p.add_argument("--rows", type=int, default=50_000, metavar="N",
                   help="rows to read for the guess (default 50000)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.rows < 1:
        raise ParameterError(f"--rows {args.rows}: expected a positive number of rows")
    if args.out is not None and args.out.exists() and not args.force:
        raise ParameterError(f"--out {args.out}: the file exists (an edited profile?); "
                             "pass --force to replace it or choose another name")
    guess = guess_profile(args.export, sep=args.sep, encoding=args.encoding,
                          sample_rows=args.rows, sheet=sheet_of(args.sheet))
    text = profile_yaml(guess)
    marks = sum(c.startswith("CONFIRM") for c in guess.comments.values())
    todos = sum(c.startswith("TODO") for c in guess.comments.values()) + sum(
        len(lines) for lines in guess.pending.values())
    summary = [f"{args.export}: {guess['shape']} ({guess.rows:,} rows read)",
               *(f"  {f}" for f in guess.findings),
               f"  {marks} guesses to confirm, {todos} values to fill (TODO)"]
    if args.out is None:
        print(text, end="")
        print("\n".join(summary), file=sys.stderr)
        return 0
    write_text_atomic(args.out, text)
    print("\n".join([*summary, f"wrote {args.out}: edit it, then modlean import "
                     f"{args.export} --profile {args.out} --out events.parquet"]))
    return 0
