"""``modlean appendix``: a BRD appendix from a batch run folder."""

from __future__ import annotations

import argparse
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
        "staff, thresholds, risk and calibrate. PDF needs a headless Chromium.",
    )
    p.add_argument("run_dir", type=Path, metavar="RUN_DIR", help="the folder a batch wrote")
    p.add_argument("--market", default=None, help="only this market (default: all)")
    p.add_argument("--format", choices=("html", "md", "docx", "pdf"), default="html",
                   help="document format (default html)")
    p.add_argument("--out", type=Path, default=None,
                   help="file to write (default RUN_DIR/appendix[-MARKET].FORMAT)")
    p.add_argument("--include", action="append", type=Path, default=[], metavar="DIR",
                   help="an --out folder of modlean compare, staff, thresholds, risk or "
                   "calibrate, added as a section (repeatable)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from modlean.evidence import appendix

    print(appendix(args.run_dir, market=args.market, format=args.format, out=args.out,
                   include=args.include))
    return 0
