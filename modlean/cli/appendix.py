"""``modlean appendix``: a BRD appendix from a batch run folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from modlean.cli.common import SubParsers


def register(sub: SubParsers) -> None:
    p = sub.add_parser(
        "appendix",
        help="write a BRD appendix (HTML, Markdown, DOCX, PDF) from a batch run",
        description="Gather the results recorded by the notebooks of a `modlean batch` run "
        "into one self-contained decision document per market: an executive summary (the "
        "question, the proposal, the recommendation from the decision table's verdicts, cost, "
        "staffing, risks and what the evidence cannot say), evidence sections with numbered "
        "figures and tables, assumptions and limits, then the commands, seed, git commit and "
        "package versions that reproduce them. --include adds the --out folders of compare, "
        "staff, thresholds, risk and calibrate. HTML has a table of contents and prints with "
        "a page per part; DOCX uses Word's heading, caption and table styles and a "
        "table-of-contents field, to paste into a BRD template. PDF needs a headless "
        "Chromium: without it PDF is skipped with a note (an error when it is the only "
        "format). Written into RUN_DIR, the run's index.html is refreshed to link them.",
    )
    p.add_argument("run_dir", type=Path, metavar="RUN_DIR", help="the folder a batch wrote")
    p.add_argument("--market", default=None, help="only this market (default: all)")
    p.add_argument("--format", default="html", metavar="FORMATS",
                   help="html, md, docx or pdf, or several separated by commas "
                   "(html,docx,md,pdf); default html")
    p.add_argument("--out", type=Path, default=None,
                   help="file to write (default RUN_DIR/appendix[-MARKET].FORMAT); with "
                   "several formats, each gets its own suffix")
    p.add_argument("--include", action="append", type=Path, default=[], metavar="DIR",
                   help="an --out folder of modlean compare, staff, thresholds, risk or "
                   "calibrate, added as a section (repeatable)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from modlean.evidence import appendix_files

    written, notes = appendix_files(args.run_dir, market=args.market, formats=args.format,
                                    out=args.out, include=args.include)
    for note in notes:
        print(note, file=sys.stderr)
    for path in written:
        print(path)
    return 0
