"""``modlean init DIR``: a new workbook folder for your own markets."""

from __future__ import annotations

import argparse
from pathlib import Path

from modlean.cli.common import SubParsers


def register(sub: SubParsers) -> None:
    p = sub.add_parser(
        "init",
        help="make a workbook folder for your own markets",
        description="Write a workbook folder from the files modlean ships: workbook.yaml "
        "(one example market, commented), notebooks/, a risk-register template, the SOP model, "
        "a source-profile example and a README with the three steps: put your exports in "
        "exports/, edit workbook.yaml, run `modlean batch` in the folder. Refuses a folder that "
        "is not empty unless --force.",
    )
    p.add_argument("folder", type=Path, metavar="DIR", help="the new workbook folder")
    p.add_argument("--force", action="store_true",
                   help="write the workbook files into a folder that is not empty "
                   "(files of the same name are replaced)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from modlean.workbook import scaffold

    done = scaffold(args.folder, force=args.force)
    for file in done.files:
        print(f"wrote {file.relative_to(done.folder)}")
    for note in done.notes:
        print(f"note: {note}")
    print(f"\nworkbook ready in {done.folder}\n"
          "  1. put your exports in exports/ (and a profile in profiles/, see docs/intake.md)\n"
          "  2. edit workbook.yaml: one entry per market\n"
          f"  3. cd {done.folder} && modlean batch")
    return 0
