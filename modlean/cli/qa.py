"""``modlean qa-sample``, ``qa-plan``, ``qa-interval`` (QA sampling maths) and ``qa-quality``."""

from __future__ import annotations

import argparse

from modlean.cli.common import SubParsers, to_json, write_text_atomic
from modlean.errors import ParameterError


def register(sub: SubParsers) -> None:
    p = sub.add_parser(
        "qa-sample",
        help="decisions to sample to estimate an error rate within a margin",
        description="Sample size n0 = z^2 p(1-p) / e^2 (z = 1.96 at 95 %), with the "
        "finite-population correction when --population is given; rounded up.",
    )
    p.add_argument("--error-rate", type=float, required=True,
                   help="expected error rate p, e.g. 0.05 (use 0.5 if unknown)")
    p.add_argument("--margin", type=float, required=True,
                   help="half-width of the interval, e.g. 0.02 for +/-2 points")
    p.add_argument("--population", type=int, default=None,
                   help="decisions in the period or lot (finite-population correction)")
    p.add_argument("--confidence", type=float, default=0.95, help="confidence level (0.95)")
    p.add_argument("--exact-z", action="store_true",
                   help="use the exact normal quantile instead of 1.96")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run_sample)

    p = sub.add_parser(
        "qa-plan",
        help="ISO 2859-1 / ANSI Z1.4 acceptance sampling plan for a lot",
        description="Code letter, sample size and Ac/Re for single sampling, normal "
        "inspection. Give --defects to get the accept/reject decision.",
    )
    p.add_argument("--lot-size", type=int, required=True,
                   help="items in the lot, e.g. one reviewer-day of decisions")
    p.add_argument("--level", default="II", choices=["I", "II", "III"],
                   help="general inspection level (II)")
    p.add_argument("--aql", type=float, default=2.5, help="AQL in percent (2.5)")
    p.add_argument("--defects", type=int, default=None, help="defects found in the sample")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run_plan)

    p = sub.add_parser(
        "qa-interval",
        help="confidence interval of an error rate found in a QA sample",
        description="Wilson (default) or Clopper-Pearson interval for k errors in n checks.",
    )
    p.add_argument("--errors", type=int, required=True, help="errors found (k)")
    p.add_argument("--n", type=int, required=True, help="decisions checked (n)")
    p.add_argument("--confidence", type=float, default=0.95, help="confidence level (0.95)")
    p.add_argument("--method", default="wilson", choices=["wilson", "clopper-pearson"])
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run_interval)

    p = sub.add_parser(
        "qa-quality",
        help="decision quality from a QA table (QA's verdicts or PASS/FAIL)",
        description="Accuracy, error rate, false-rejection and miss rates with Wilson intervals, "
        "agreement with QA and what QA finds wrong. A PASS/FAIL table gives the decision "
        "figures; those that need QA's own verdict or reason code are left out with a note.",
    )
    p.add_argument("qa", help="QA table: CSV (any separator) or Parquet")
    p.add_argument("--by", default=None, help="a column to give the figures per group "
                   "(reviewer, pool, vendor)")
    p.add_argument("--positive", action="append", default=None, metavar="VALUE",
                   help="a decision value meaning action (default reject; repeatable)")
    p.add_argument("--negative", action="append", default=None, metavar="VALUE",
                   help="a decision value meaning no action (default approve; repeatable)")
    p.add_argument("--label", action="append", default=None, metavar="VALUE", dest="labels",
                   help="a declared rejection reason code (repeatable); label and qa_label "
                   "values outside them are an error")
    p.add_argument("--out", default=None, help="write the figures as CSV here")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run_quality)


def run_sample(args: argparse.Namespace) -> int:
    from modlean.quality import sample_size_for_rate

    n = sample_size_for_rate(args.error_rate, args.margin, confidence=args.confidence,
                             population=args.population, exact_z=args.exact_z)
    result = {"error_rate": args.error_rate, "margin": args.margin,
              "confidence": args.confidence, "population": args.population, "sample_size": n}
    if args.json:
        print(to_json(result))
    else:
        pop = f" of {args.population:,}" if args.population else ""
        print(f"sample {n:,} decisions{pop} to estimate an error rate near "
              f"{args.error_rate:.1%} within ±{args.margin:.1%} at {args.confidence:.0%}")
    return 0


def run_plan(args: argparse.Namespace) -> int:
    from modlean.quality import acceptance_plan

    plan = acceptance_plan(args.lot_size, level=args.level, aql=args.aql)
    result = plan.to_dict()
    if args.defects is not None:
        result["defects"] = args.defects
        result["decision"] = plan.decide(args.defects)
    if args.json:
        print(to_json(result))
        return 0
    arrow = "" if plan.plan_letter == plan.code_letter else \
        f" (table arrow -> plan {plan.plan_letter})"
    print(f"lot {plan.lot_size:,}, level {plan.level}, AQL {plan.aql:g}%: code letter "
          f"{plan.code_letter}{arrow}")
    what = "inspect all" if plan.full_inspection else "sample"
    print(f"{what} {plan.sample_size:,} items; accept with ≤ {plan.accept} defects, "
          f"reject with ≥ {plan.reject}")
    if args.defects is not None:
        print(f"{args.defects} defects: {result['decision']}")
    return 0


def run_interval(args: argparse.Namespace) -> int:
    from modlean.quality import proportion_ci

    if args.n < 1:
        raise ParameterError(f"--n {args.n}: expected at least 1 decision checked")
    low, high = proportion_ci(args.errors, args.n, confidence=args.confidence,
                              method=args.method)
    result = {"errors": args.errors, "n": args.n, "rate": args.errors / args.n,
              "low": float(low), "high": float(high), "method": args.method,
              "confidence": args.confidence}
    if args.json:
        print(to_json(result))
    else:
        print(f"{args.errors} errors in {args.n:,}: {result['rate']:.2%} "
              f"({args.confidence:.0%} {args.method}: {float(low):.2%} to {float(high):.2%})")
    return 0


def run_quality(args: argparse.Namespace) -> int:
    from modlean.quality import decision_quality, error_types, pareto, qa_agreement, read_qa

    declared = {"positive": args.positive or ["reject"], "negative": args.negative or ["approve"]}
    qa = read_qa(args.qa, **declared, labels=args.labels)
    table = decision_quality(qa, by=args.by, **declared)
    agreement = qa_agreement(qa, **declared)
    errors = error_types(qa, **declared)
    found = pareto(errors) if len(errors) else None
    if args.out:
        write_text_atomic(args.out, table.to_csv())
    if args.json:
        print(to_json({"checked": len(qa), "notes": qa.attrs.get("notes", []),
                       "figures": table.reset_index().to_dict("records"),
                       "agreement": agreement.to_dict(),
                       "errors": {} if found is None else found["value"].to_dict()}))
        return 0
    shape = "QA's verdicts" if "qa_decision" in qa.columns else "PASS/FAIL"
    print(f"{args.qa}: {len(qa):,} checked decisions ({shape})")
    for note in qa.attrs.get("notes", []):
        print(f"  {note}")
    print(table.to_string(float_format=lambda v: f"{v:.4f}"))
    if agreement["note"]:
        print(f"agreement with QA: {agreement['note']}")
    else:
        print(f"agreement with QA: raw {agreement['percent_agreement']:.1%}, "
              f"Cohen's kappa {agreement['cohen_kappa']:.3f} ({agreement['kappa_reading']}), "
              f"Gwet's AC1 {agreement['gwet_ac1']:.3f}")
    if found is not None:
        print("what QA finds wrong (vital few first):")
        print(found[["value", "cum_share", "vital_few"]].to_string())
    return 0
