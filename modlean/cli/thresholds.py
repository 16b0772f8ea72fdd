"""``modlean thresholds``: sweep the ML pre-filter's t_low / t_high, the cheapest pair."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from modlean.cli.common import SubParsers, to_json, write_text_atomic


def register(sub: SubParsers) -> None:
    p = sub.add_parser(
        "thresholds",
        help="tune the ML pre-filter's thresholds: Pareto frontier and cheapest pair",
        description="Sweep every (t_low, t_high) pair of an item type's model analytically "
        "(from the scenario's score distributions): human reviews, precision, recall, false "
        "approvals and rejections and the expected cost C_FP*FP + C_FN*FN + C_review*reviews "
        "per day. Prints the cheapest pair meeting the floors, the cost at today's pair and "
        "the Pareto frontier (human work vs error cost).",
    )
    p.add_argument("scenario", metavar="SCENARIO", help="scenario YAML or preset name")
    p.add_argument("--item-type", default=None, metavar="NAME",
                   help="item type whose model is tuned (default: the first with a model)")
    p.add_argument("--c-fp", type=float, default=2.0,
                   help="cost of a false rejection (default 2, a working assumption)")
    p.add_argument("--c-fn", type=float, default=10.0,
                   help="cost of a false approval (default 10, a working assumption)")
    p.add_argument("--c-review", type=float, default=None,
                   help="cost of one human review (default: the pool's cost per productive "
                   "hour times its mean handling time)")
    p.add_argument("--min-precision", type=float, default=0.0,
                   help="floor on the precision of automatic rejections (0-1)")
    p.add_argument("--min-recall", type=float, default=0.0,
                   help="floor on the model's recall: violating items not auto-approved (0-1)")
    p.add_argument("--floors-on", choices=("model", "system"), default="model",
                   help="apply the floors to the model's decisions or to the final ones, "
                   "people included (default model)")
    p.add_argument("--step", type=float, default=0.01, help="grid step (default 0.01)")
    p.add_argument("--json", action="store_true", help="print the answer as JSON")
    p.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help="write sweep.csv, frontier.csv and frontier.png into DIR")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from modlean.decisions import FRONTIER_COLUMNS, tune_thresholds

    tuned = tune_thresholds(args.scenario, args.item_type, step=args.step, c_fp=args.c_fp,
                            c_fn=args.c_fn, c_review=args.c_review,
                            min_precision=args.min_precision, min_recall=args.min_recall,
                            floors_on=args.floors_on)
    attrs = tuned.sweep.attrs
    frontier = tuned.frontier[list(FRONTIER_COLUMNS)]
    if args.out is not None:
        from modlean.plots import save
        from modlean.plots.whatif import threshold_frontier

        write_text_atomic(args.out / "sweep.csv", tuned.sweep.to_csv(index=False))
        write_text_atomic(args.out / "frontier.csv", frontier.to_csv(index=False))
        save(threshold_frontier(tuned.sweep, tuned), args.out / "frontier.png")
    if args.json:
        best = {c: float(tuned.best[c]) for c in FRONTIER_COLUMNS}
        print(to_json({"item_type": attrs["item_type"], "current": list(attrs["current"]),
                       "current_cost": tuned.current_cost, "best": best,
                       "overrides": tuned.overrides, "c_fp": attrs["c_fp"],
                       "c_fn": attrs["c_fn"], "c_review": attrs["c_review"],
                       "frontier": frontier.to_dict("records")}))
        return 0
    lo, hi = attrs["current"]
    saving = tuned.current_cost - tuned.expected_cost
    sweep = tuned.sweep
    today = sweep[np.isclose(sweep["t_low"], lo) & np.isclose(sweep["t_high"], hi)]
    print(f"{attrs['item_type']}: {attrs['volume_per_day']:,.0f} items a day, prevalence "
          f"{attrs['prevalence']:.1%}; C_FP {attrs['c_fp']:g}, C_FN {attrs['c_fn']:g}, "
          f"C_review {attrs['c_review']:.3g}")
    print(f"  today     t_low {lo:.2f}  t_high {hi:.2f}  expected cost "
          f"{tuned.current_cost:,.0f} a day"
          + ("; below a precision or recall floor" if len(today) and not today["feasible"].iloc[0]
             else ""))
    print(f"  cheapest  t_low {tuned.t_low:.2f}  t_high {tuned.t_high:.2f}  expected cost "
          f"{tuned.expected_cost:,.0f} a day ({abs(saving):,.0f} "
          f"{'less' if saving >= 0 else 'more, to meet the floors'}), "
          f"{tuned.best['n_review']:,.0f} human reviews, model precision "
          f"{tuned.best['model_precision']:.3f}, recall {tuned.best['model_recall']:.3f}")
    print("  apply with: " + " ".join(f"--set {k}={v:g}" for k, v in tuned.overrides.items()))
    print(f"Pareto frontier ({len(frontier)} pairs; fewer reviews cost more errors):")
    print(frontier.to_string(index=False, float_format=lambda v: f"{v:,.3g}"))
    if args.out is not None:
        print(f"written to {args.out}/")
    return 0
