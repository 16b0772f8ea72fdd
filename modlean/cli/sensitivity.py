"""``modlean sensitivity``: which parameters move the KPIs most (the tornado's numbers)."""

from __future__ import annotations

import argparse
from pathlib import Path

from modlean.cli.common import (
    SubParsers,
    add_run_options,
    add_size_option,
    max_events,
    to_json,
    write_text_atomic,
)

DEFAULT_KPIS = "turnaround_p95_h,sla_attainment,cost_total"


def register(sub: SubParsers) -> None:
    p = sub.add_parser(
        "sensitivity",
        help="move each parameter by +/- x %% and measure the KPIs (tornado)",
        description="Simulate the scenario with each parameter group moved down and up by "
        "--delta (every run on the same seed, so the change is the parameter's) and print, "
        "per KPI, the parameters ranked by the swing they cause.",
    )
    p.add_argument("scenario", metavar="SCENARIO", help="scenario YAML or preset name")
    p.add_argument("--parameter", action="append", dest="parameters", metavar="NAME",
                   help="a group (volumes, handling, headcount, error_rates, prevalence) or a "
                   "dotted path with * for any key, e.g. pools.*.shrinkage (repeatable; "
                   "default every group)")
    p.add_argument("--kpis", default=DEFAULT_KPIS,
                   help=f"comma-separated KPI names (default {DEFAULT_KPIS})")
    p.add_argument("--item-type", default="all", metavar="NAME",
                   help="item type the KPIs are read for (default all)")
    p.add_argument("--delta", type=float, default=0.1,
                   help="relative change, 0.1 = +/-10 %% (default)")
    add_run_options(p, replications=5, per="replications per run")
    add_size_option(p)
    p.add_argument("--json", action="store_true", help="print the table as JSON")
    p.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help="write sensitivity.csv and one tornado_<kpi>.png per KPI into DIR")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from modlean.decisions import SENSITIVITY_GROUPS, sensitivity

    kpis = [k.strip() for k in args.kpis.split(",") if k.strip()]
    table = sensitivity(args.scenario, args.parameters or tuple(SENSITIVITY_GROUPS),
                        kpis=kpis, delta=args.delta, replications=args.replications,
                        seed=args.seed, workers=args.workers, item_type=args.item_type,
                        max_events=max_events(args))
    if args.out is not None:
        from modlean.plots import save
        from modlean.plots.whatif import tornado

        write_text_atomic(args.out / "sensitivity.csv", table.to_csv(index=False))
        for kpi in table["kpi"].unique():
            save(tornado(table, kpi), args.out / f"tornado_{kpi}.png")
    if args.json:
        print(to_json({"delta": args.delta, "item_type": args.item_type,
                       "table": table.astype(object).where(table.notna(), None)
                       .to_dict("records")}))
        return 0
    print(f"each parameter moved by -{args.delta:.0%} and +{args.delta:.0%}, "
          f"{args.replications} replications per run, KPIs for {args.item_type!r}")
    for kpi, rows in table.groupby("kpi", sort=False):
        print(f"{kpi} (baseline {rows['baseline'].iloc[0]:.4g}):")
        for r in rows.itertuples(index=False):
            print(f"  {r.parameter:<24} {r.low_change:+11.4g} {r.high_change:+11.4g}   "
                  f"swing {r.swing:.4g}")
    if args.out is not None:
        print(f"written to {args.out}/")
    return 0
