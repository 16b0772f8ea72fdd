"""``modlean compare``: a baseline and proposals on common random numbers, the decision table."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from modlean.cli.common import (
    SubParsers,
    add_run_options,
    add_size_option,
    max_events,
    to_json,
    write_text_atomic,
)

if TYPE_CHECKING:
    import pandas as pd


def register(sub: SubParsers) -> None:
    p = sub.add_parser(
        "compare",
        help="compare a baseline with proposals (paired, common random numbers)",
        description="Simulate a baseline scenario and one or more proposals with the same seed "
        "(replication r of every scenario sees the same arrivals and items) and print the "
        "decision table: per KPI the baseline and proposal means, the paired difference with "
        "its 95 % interval, the relative change and a verdict (better / worse / no "
        "significant difference).",
    )
    p.add_argument("baseline", metavar="BASE", help="baseline scenario YAML or preset name")
    p.add_argument("proposals", metavar="PROPOSAL", nargs="+",
                   help="proposal YAML files (overrides on top of BASE when they have no "
                   "'base:') or scenario files")
    add_run_options(p, replications=10, per="replications per scenario", at_least=2,
                    seed_default="the baseline's")
    add_size_option(p)
    p.add_argument("--all-kpis", action="store_true",
                   help="every KPI instead of the headline ones")
    p.add_argument("--item-type", action="append", dest="item_types", metavar="NAME",
                   help="rows for this item type ('all' by default; repeatable)")
    p.add_argument("--confidence", type=float, default=0.95, help="interval level (0.95)")
    p.add_argument("--json", action="store_true", help="print the decision table as JSON")
    p.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help="write decision_table.csv, decision_table.md, kpis.csv and "
                   "decision_table.png into DIR")
    p.set_defaults(func=run)


def markdown(table: pd.DataFrame) -> str:
    """The decision table as a Markdown table a PM can paste into a BRD: labels and units."""
    from modlean.kpis import find, format_relative, readable

    head = ("| proposal | item type | KPI | baseline | proposal | change | 95 % interval "
            "| relative change | verdict |\n" + "|---" * 9 + "|\n")

    def shown(name: str, value: float, change: bool = False) -> str:
        entry = find(name)
        if value != value:
            return "—"
        if entry is None or entry.kind != "number":
            return f"{value:+.4g}" if change else f"{value:.4g}"
        return entry.format_change(value) if change else entry.format(value)

    lines = []
    for r in table.itertuples(index=False):
        name = str(r.kpi)
        interval = (f"{shown(name, r.ci_low, True)} to {shown(name, r.ci_high, True)}"
                    if r.ci_low == r.ci_low else "—")
        rel = format_relative(r.relative_change)
        cells = [str(r.proposal), readable(str(getattr(r, "item_type", "all"))), readable(name),
                 shown(name, r.baseline_mean), shown(name, r.proposal_mean),
                 shown(name, r.difference, True), interval, rel, str(r.verdict)]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return head + "\n".join(lines) + "\n"


def labelled(table: pd.DataFrame) -> pd.DataFrame:
    """The decision table with ``label`` and ``unit`` columns beside the KPI's code name."""
    from modlean.kpis import find

    entries = table["kpi"].astype(str).map(find)
    out = table.copy()
    at = list(out.columns).index("kpi") + 1
    out.insert(at, "label", [e.label if e else k for e, k in zip(entries, table["kpi"],
                                                                  strict=True)])
    out.insert(at + 1, "unit", [e.unit_words() if e else "" for e in entries])
    return out


def run(args: argparse.Namespace) -> int:
    from modlean.decisions import compare

    table, values = compare(args.baseline, *args.proposals, replications=args.replications,
                            seed=args.seed, workers=args.workers, confidence=args.confidence,
                            kpis=None if args.all_kpis else "headline",
                            item_types=args.item_types or ("all",), return_kpis=True,
                            max_events=max_events(args))
    if args.out is not None:
        out = args.out
        out.mkdir(parents=True, exist_ok=True)
        write_text_atomic(out / "decision_table.csv", labelled(table).to_csv(index=False))
        write_text_atomic(out / "decision_table.md", markdown(table))
        write_text_atomic(out / "kpis.csv", values.to_csv(index=False))
        from modlean.plots import save
        from modlean.plots.whatif import forest

        save(forest(table), out / "decision_table.png")
    if args.json:
        records = table.astype(object).where(table.notna(), None).to_dict(orient="records")
        print(to_json({"baseline": table.attrs.get("baseline"), "seed": table.attrs.get("seed"),
                       "replications": table.attrs.get("replications"), "table": records}))
    else:
        print(f"baseline {table.attrs.get('baseline')!r}, seed {table.attrs.get('seed')}, "
              f"{table.attrs.get('replications')} paired replications of "
              f"{table['horizon_days'].max():g} simulated days")
        print(markdown(table), end="")
        if args.out is not None:
            print(f"written to {args.out}/")
    return 0
