"""``modlean calibrate``: a real event log -> a baseline scenario (and its fidelity)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from modlean.cli.common import SubParsers, add_sla_option, to_json, write_text_atomic

if TYPE_CHECKING:
    import pandas as pd


#: ``--workflow`` onto :func:`modlean.decisions.calibrate`'s ``workflow``.
WORKFLOW = {"auto": None, "yes": True, "no": False}


def _history(text: str) -> int | str:
    """``--history`` as :func:`modlean.decisions.calibrate` takes it."""
    return text if text == "set" else int(text)


def register(sub: SubParsers) -> None:
    p = sub.add_parser(
        "calibrate",
        help="build a baseline scenario from an event log",
        description="Read an event log and write a scenario: arrivals by hour and weekday per "
        "item type, handling times per pool and item type (from start/complete pairs, or gaps "
        "when only completions are logged), routing, escalation, QA and appeal rates, pools "
        "and shifts from the resources. --fidelity simulates the result and compares it with "
        "the log (CFLD, 3-gram, cycle-time, arrival, circadian and relative event EMD, waits "
        "and SLA per pool); --holdout scores it on a held-out period beside a naive replay.",
    )
    p.add_argument("log", metavar="LOG", help="event log (csv, parquet, xlsx, xes ...)")
    p.add_argument("--out", type=Path, default=None, metavar="SCENARIO.yaml|DIR",
                   help="write the scenario YAML here (default: print it); a folder (a path "
                   "that exists as one, or has no .yaml/.yml suffix) gets scenario.yaml and "
                   "the assumptions, handling, accuracy and fidelity tables as CSV (for "
                   "`modlean appendix --include DIR`)")
    p.add_argument("--timezone", default="UTC", help="market time zone (IANA), default UTC")
    p.add_argument("--name", default="calibrated", help="scenario name")
    p.add_argument("--base", default=None, metavar="SCENARIO",
                   help="scenario whose SLAs, score distributions, accuracy and costs are kept")
    p.add_argument("--qa", default=None, metavar="QA.csv",
                   help="QA re-reviews (a QA table, docs/quality.md): each pool's false-approve "
                   "and false-reject rates, QA's decision taken as the truth")
    p.add_argument("--workflow", choices=["auto", "yes", "no"], default="auto",
                   help="discover the log's own workflow (steps, routes, pools, external "
                   "waits, in the log's activity names) instead of modlean's fixed template "
                   "(L1, L2, QA, appeal); auto (default): when the log does not use "
                   "modlean's activity names (docs/fidelity.md)")
    p.add_argument("--history", choices=["1", "2", "set"], default="set",
                   help="a discovered workflow's memory: 1, a step per activity (the smallest "
                   "diagram); 2, per activity and predecessor; set (default), per activity and "
                   "the activities done so far, so branches done in any order stay whole")
    p.add_argument("--fidelity", action="store_true",
                   help="simulate the calibrated scenario and print how far it is from the log")
    p.add_argument("--holdout", type=float, default=None, metavar="SHARE",
                   help="hold out the last SHARE of the cases (0.2: the last 20 %%, by case "
                   "start): calibrate on the rest, simulate the test period and print modlean's "
                   "fidelity beside a replay of the last training cases (docs/fidelity.md)")
    add_sla_option(p)
    p.add_argument("--seed", type=int, default=1, help="seed of the fidelity simulation")
    p.add_argument("--json", action="store_true", help="print notes and fidelity as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from modlean.decisions import CALIBRATION_TABLES, calibrate, fidelity
    from modlean.eventlog import read_log
    from modlean.scenario import to_yaml

    log = read_log(args.log)
    if args.holdout is not None:
        return _holdout(args, log)
    cal = calibrate(log, timezone=args.timezone, name=args.name, base=args.base, qa=args.qa,
                    workflow=WORKFLOW[args.workflow], history=_history(args.history))
    text = to_yaml(cal.scenario)
    fid = None
    if args.fidelity:
        from modlean.simulation import simulate

        sim = simulate(cal.scenario, seed=args.seed, item_table=False)
        fid = fidelity(log, sim.log, timezone=args.timezone, sla_hours=args.sla_hours)
    if args.out is not None and is_folder(args.out):
        args.out = write_folder(args.out, text, {
            **{name: getattr(cal, name) for name in CALIBRATION_TABLES}, "fidelity": fid})
    elif args.out is not None:
        write_text_atomic(args.out, text)
    if args.json:
        print(to_json({"scenario": str(args.out) if args.out else None, "notes": cal.notes,
                       "assumptions": cal.assumptions.to_dict("records"),
                       "handling": cal.handling.to_dict("records"),
                       "workflow": None if cal.workflow is None else
                       cal.workflow.to_dict("records"),
                       "accuracy": None if cal.accuracy is None else
                       cal.accuracy.astype(object).where(cal.accuracy.notna(), None)
                       .to_dict("records"),
                       "fidelity": None if fid is None else
                       fid.astype(object).where(fid.notna(), None).to_dict("records")}))
        return 0
    if args.out is None:
        print(text, end="")
    else:
        print(f"scenario written to {args.out}")
    for note in cal.notes:
        print(f"note: {note}")
    print(assumptions_text(cal.assumptions))
    if cal.accuracy is not None:
        print("reviewer accuracy from QA (95 % intervals):")
        for r in cal.accuracy.itertuples():
            print(f"  {r.pool:<16} false approve {r.false_approve:.3f} "
                  f"[{r.false_approve_low:.3f}, {r.false_approve_high:.3f}] of {r.violating}, "
                  f"false reject {r.false_reject:.3f} "
                  f"[{r.false_reject_low:.3f}, {r.false_reject_high:.3f}] of {r.clean}")
    if fid is not None:
        print("fidelity (real log vs simulated calibrated scenario):")
        for r in fid.itertuples():
            print(f"  {r.measure:<24} {r.distance:>9.3f}  {r.reading}")
    return 0


def is_folder(out: Path) -> bool:
    """True when ``--out`` names a folder: one that exists, or a path with no YAML suffix."""
    return out.is_dir() or out.suffix.lower() not in (".yaml", ".yml")


def write_folder(out: Path, scenario_yaml: str, tables: dict[str, pd.DataFrame | None]) -> Path:
    """Write ``scenario.yaml`` and each table given as ``<name>.csv`` into ``out``; the
    scenario file's path. The assumptions' values are written as text a reader understands."""
    from modlean.scenario import setting_words, shown_value

    out.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        if table is None:
            continue
        if name == "assumptions":
            table = table.assign(field=table["field"].map(setting_words),
                                 value=table["value"].map(shown_value))
        write_text_atomic(out / f"{name}.csv", table.to_csv(index=False))
    return write_text_atomic(out / "scenario.yaml", scenario_yaml)


def assumptions_text(table: pd.DataFrame) -> str:
    """The assumptions table as lines: ``field = value: why``."""
    if table.empty:
        return "assumptions: none (every value came from the log)"
    lines = [f"assumptions ({len(table)} values the log cannot show; check them):"]
    for r in table.itertuples():
        value = r.value if not isinstance(r.value, dict) else ", ".join(
            f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}" for k, v in r.value.items()
            if v not in ([], None))
        shown = f"{value:.3g}" if isinstance(value, float) else value
        lines.append(f"  {r.field} = {shown}: {r.why}")
    return "\n".join(lines)


def _holdout(args: argparse.Namespace, log: pd.DataFrame) -> int:
    """Split, calibrate on the training part, simulate the test period, score both."""
    from modlean.cli.fidelity import records, table_text
    from modlean.decisions import CALIBRATION_TABLES, run_holdout
    from modlean.scenario import to_yaml

    run = run_holdout(log, args.holdout, timezone=args.timezone, seed=args.seed,
                      sla_hours=args.sla_hours, name=args.name, base=args.base, qa=args.qa,
                      workflow=WORKFLOW[args.workflow], history=_history(args.history))
    split, cal, table = run.split, run.calibration, run.table
    if args.out is not None and is_folder(args.out):
        args.out = write_folder(args.out, to_yaml(cal.scenario), {
            **{name: getattr(cal, name) for name in CALIBRATION_TABLES}, "fidelity": table})
    elif args.out is not None:
        write_text_atomic(args.out, to_yaml(cal.scenario))
    about = {"share": split.share, "train_cases": split.n_train, "test_cases": split.n_test,
             "test_start": split.test_start.isoformat(), "seed": args.seed}
    if args.json:
        print(to_json({"scenario": str(args.out) if args.out else None, "holdout": about,
                       "notes": cal.notes, "fidelity": records(table)}))
        return 0
    print(f"holdout: calibrated on the first {split.n_train} cases, scored on the last "
          f"{split.n_test} (from {split.test_start:%Y-%m-%d %H:%M} UTC); completion times only")
    for note in cal.notes:
        print(f"note: {note}")
    if args.out is not None:
        print(f"scenario (calibrated on the training part) written to {args.out}")
    print(table_text(table, ["real", "modlean_distance", "replay_distance"]))
    return 0
