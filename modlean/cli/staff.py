"""``modlean staff``: the smallest headcount per pool meeting every SLA."""

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


def register(sub: SubParsers) -> None:
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
    add_run_options(p, replications=10, per="replications per simulated headcount")
    add_size_option(p)
    p.add_argument("--max-evaluations", type=int, default=12, metavar="K",
                   help="simulated headcounts tried per pool at most (default 12)")
    p.add_argument("--analytic-only", action="store_true", help="skip the simulation search")
    p.add_argument("--by-shift", action="store_true",
                   help="people per shift instead: the fewest paid hours meeting the SLA with "
                   "the pool's shifts as they are, checked by one simulation of the plan")
    p.add_argument("--json", action="store_true", help="print the table as JSON")
    p.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help="write staffing.csv and evaluations.csv into DIR (for `modlean "
                   "appendix --include DIR`)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.by_shift:
        if args.out is not None:
            from modlean.errors import ParameterError

            raise ParameterError("--out writes the search's tables; it does not go with "
                                 "--by-shift (use --json to keep a shift plan)")
        return run_by_shift(args)
    from modlean.decisions import staff

    res = staff(args.scenario, args.pools, confidence=args.confidence,
                replications=args.replications, seed=args.seed, workers=args.workers,
                simulate_check=not args.analytic_only, max_evaluations=args.max_evaluations,
                max_events=max_events(args))
    t = res.table
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        write_text_atomic(args.out / "staffing.csv", t.to_csv(index=False))
        write_text_atomic(args.out / "evaluations.csv", res.evaluations.to_csv(index=False))
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
    if args.out is not None:
        print(f"written to {args.out}/")
    return 0


def run_by_shift(args: argparse.Namespace) -> int:
    """``--by-shift``: a shift plan per pool, confirmed by simulating it."""
    from modlean.decisions import analytic_staffing, meets_sla, resolve_scenario, shift_staffing
    from modlean.errors import ParameterError
    from modlean.scenario import apply_overrides

    scenario = resolve_scenario(args.scenario)
    pools = args.pools or [r.pool for r in analytic_staffing(scenario).itertuples()
                           if r.kind != "idle" and r.sla_hours == r.sla_hours]
    plans = []
    for pool in pools:
        try:
            plan = shift_staffing(scenario, pool)
        except ParameterError as err:    # one pool's shifts cannot work: say so, go on
            if args.pools and len(args.pools) == 1:
                raise
            plans.append({"pool": pool, "problem": str(err)})
            continue
        entry = {"pool": pool, "kind": plan.kind, "current": scenario.pools[pool].headcount,
                 "headcount": plan.headcount, "method": plan.method,
                 "shifts": plan.shifts.to_dict("records"), "overrides": plan.overrides,
                 "share_met": None}
        if not args.analytic_only:
            planned = apply_overrides(scenario, plan.overrides, source="shift plan")
            _, share, _ = meets_sla(planned, pool, plan.headcount,
                                    replications=args.replications, seed=args.seed,
                                    confidence=args.confidence, workers=args.workers,
                                    max_events=max_events(args))
            entry["share_met"] = share
        plans.append(entry)
    failed = 1 if any("problem" in e for e in plans) else 0
    if args.json:
        print(to_json({"pools": plans}))
        return failed
    for e in plans:
        if "problem" in e:
            print(f"{e['pool']}: no shift plan: {e['problem']}")
            continue
        met = "" if e["share_met"] is None else \
            f"; simulated: every SLA met in {e['share_met']:.0%} of replications"
        print(f"{e['pool']} ({e['kind']}): {e['headcount']} people a day, today "
              f"{e['current']:g}{met}")
        print(f"    {e['method']}")
        for r in e["shifts"]:
            print(f"    {r['shift']:<28}{r['current']:>8.1f} now{r['needed']:>6} needed "
                  f"({r['share']:.0%})")
        print("    apply with: " + " ".join(f"--set {k}={v:.4g}" for k, v in
                                            e["overrides"].items()))
    return failed
