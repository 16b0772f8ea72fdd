"""``modlean fidelity``: how far a simulated event log is from a real one, measure by measure."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from modlean.cli.common import SubParsers, add_log_options, add_sla_option, log_options, to_json

if TYPE_CHECKING:
    import pandas as pd


def register(sub: SubParsers) -> None:
    p = sub.add_parser(
        "fidelity",
        help="score a simulated event log against a real one",
        description="Compare two event logs with the measures of the log-distance-measures "
        "package (control-flow log distance, 3-gram distance, cycle-time, case-arrival, "
        "circadian and relative event EMD, in hours with 1-hour bins) and each pool's wait "
        "and SLA attainment, read from completion timestamps only. docs/fidelity.md defines "
        "them. Any tool's simulated log can be scored.",
    )
    p.add_argument("real", metavar="REAL", help="the real event log (csv, parquet, xes ...)")
    p.add_argument("simulated", metavar="SIMULATED", help="the simulated event log")
    p.add_argument("--timezone", default="UTC",
                   help="clock of the circadian measure (IANA), default UTC")
    add_sla_option(p)
    p.add_argument("--json", action="store_true", help="print the table as JSON")
    add_log_options(p)
    p.set_defaults(func=run)


def records(table: pd.DataFrame) -> list[dict[str, object]]:
    """Rows as dicts with NaN as None (JSON has no NaN)."""
    return table.astype(object).where(table.notna(), None).to_dict(orient="records")


def table_text(table: pd.DataFrame, columns: list[str]) -> str:
    """A fidelity table as aligned text: the measure, the numeric ``columns``, the reading."""
    lines = [f"  {'measure':<28}" + "".join(f"{c:>17}" for c in columns) + "  reading"]
    for row in table.itertuples(index=False):
        cells = "".join("{:>17}".format("-" if getattr(row, c) != getattr(row, c)
                                        else f"{getattr(row, c):.3f}") for c in columns)
        lines.append(f"  {row.measure:<28}{cells}  {row.reading}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from modlean.decisions import fidelity
    from modlean.eventlog import read_log

    options = log_options(args)
    real = read_log(args.real, **options)
    simulated = read_log(args.simulated, **options)
    table = fidelity(real, simulated, timezone=args.timezone, sla_hours=args.sla_hours)
    if args.json:
        print(to_json({"real": args.real, "simulated": args.simulated,
                       "fidelity": records(table)}))
        return 0
    print(f"fidelity of {args.simulated} against {args.real} (completion times only):")
    print(table_text(table, ["real", "simulated", "distance"]))
    return 0
