"""``modlean kpis``: the KPI catalogue, as a listing or as the Markdown page docs/kpis.md."""

from __future__ import annotations

import argparse

from modlean.cli.common import SubParsers


def register(sub: SubParsers) -> None:
    p = sub.add_parser(
        "kpis",
        help="list the KPI catalogue (labels, units, directions)",
        description="Print every KPI and recorded figure the catalogue knows, with its label "
        "and unit; --markdown prints the full page (definition, direction, source, target) "
        "that docs/kpis.md holds.",
    )
    p.add_argument("--markdown", action="store_true", help="print the Markdown page")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from modlean.kpi_docs import catalogue_markdown, catalogue_text

    print(catalogue_markdown() if args.markdown else catalogue_text(), end="")
    return 0
