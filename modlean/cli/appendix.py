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
        "into one self-contained document: key figures, tables and figures per market and "
        "notebook, then the parameters, seed, git commit and package versions that reproduce "
        "them. PDF needs a headless Chromium.",
    )
    p.add_argument("run_dir", type=Path, metavar="RUN_DIR", help="the folder a batch wrote")
    p.add_argument("--market", default=None, help="only this market (default: all)")
    p.add_argument("--format", choices=("html", "md", "docx", "pdf"), default="html",
                   help="document format (default html)")
    p.add_argument("--out", type=Path, default=None,
                   help="file to write (default RUN_DIR/appendix[-MARKET].FORMAT)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from modlean.evidence import appendix

    print(appendix(args.run_dir, market=args.market, format=args.format, out=args.out))
    return 0
