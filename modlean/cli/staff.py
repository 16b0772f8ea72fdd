"""``modlean staff``: the smallest headcount per pool meeting every SLA."""

from __future__ import annotations

import argparse
from typing import Any

from modlean.cli.common import to_json


def register(sub: Any) -> None:
    p = sub.add_parser(
        "staff",
        help="size pools: analytic (Erlang C / workload) and confirmed by simulation",
        description="For each pool: the analytic headcount (Erlang C for short-SLA real-time "
        "queues, workload FTE for back-office queues) and the smallest headcount that meets "
        "every SLA depending on the pool in at least --confidence of the replications, found "
        "by a bracketing search of simulations; with a plain-words reason for the difference.",
    )
    p.add_argument("scenario", metavar="SCENARIO", help="scenario YAML or preset name")
    p.add_argument("--pool", action="append", dest="pools", metavar="NAME",
                   help="pool to size (repeatable; default every pool with work)")
    p.add_argument("--confidence", type=float, default=0.95,
                   help="required share of replications meeting every SLA (0.95)")
    p.add_argument("--replications", type=int, default=10, metavar="R",
                   help="replications per simulated headcount (default 10)")
    p.add_argument("--seed", type=int, default=None, help="random seed")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="local processes for replications")
    p.add_argument("--max-evaluations", type=int, default=12, metavar="K",
                   help="simulated headcounts tried per pool at most (default 12)")
    p.add_argument("--analytic-only", action="store_true", help="skip the simulation search")
    p.add_argument("--json", action="store_true", help="print the table as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from modlean.staffing import staff

    res = staff(args.scenario, args.pools, confidence=args.confidence,
                replications=args.replications, seed=args.seed, workers=args.workers,
                simulate_check=not args.analytic_only, max_evaluations=args.max_evaluations)
    t = res.table
    if args.json:
        print(to_json({"seconds": res.seconds,
                       "pools": t.astype(object).where(t.notna(), None).to_dict("records"),
                       "evaluations": res.evaluations.to_dict("records")}))
        return 0
    print(f"{'pool':<14}{'kind':<13}{'current':>8}{'analytic':>9}{'simulated':>10}{'met':>6}")
    for r in t.itertuples():
        sim = "-" if r.simulated != r.simulated else f"{r.simulated:g}"
        met = "-" if r.share_met != r.share_met else f"{r.share_met:.0%}"
        ana = "-" if r.analytic != r.analytic else f"{r.analytic:g}"
        print(f"{r.pool:<14}{r.kind:<13}{r.current:>8g}{ana:>9}{sim:>10}{met:>6}")
        print(f"    analytic: {r.method}")
        print(f"    why: {r.reason}")
    print(f"searched in {res.seconds:.1f} s")
    return 0
