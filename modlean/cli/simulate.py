"""``modlean simulate``: run a scenario and print or write its KPIs and event log."""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from modlean.cli.common import (
    SubParsers,
    add_run_options,
    add_size_option,
    max_events,
    parse_pairs,
    to_json,
    write_text_atomic,
)

if TYPE_CHECKING:
    import pandas as pd

    from modlean.simulation import SimulationResult

#: KPIs shown in the plain-text summary, in this order.
HEADLINE = ("items", "turnaround_p50_h", "turnaround_p95_h", "sla_attainment", "automation_rate",
            "accuracy", "false_approve_rate", "false_reject_rate", "exposure_hours_total",
            "appeals_filed", "appeal_overturn_rate", "qa_overturns", "backlog_max",
            "cost_per_decision")


def register(sub: SubParsers) -> None:
    p = sub.add_parser(
        "simulate",
        help="simulate a scenario (or a proposal on its baseline)",
        description="Simulate the moderation operation described by a scenario YAML (or a "
        "proposal file of overrides on top of a baseline) and print its KPIs with 95 % "
        "intervals across replications. --out writes the simulated event log (Parquet), the "
        "per-item table, the KPI tables and the resolved scenario.",
    )
    p.add_argument("scenario", metavar="SCENARIO",
                   help="a scenario or proposal YAML file, or a preset name (US, UK, ID, MY, TH, "
                   "mmc)")
    p.add_argument("--set", action="append", metavar="PATH=VALUE", dest="overrides",
                   help="change a field by dotted path, e.g. --set pools.l1_listing.headcount=140 "
                   "(repeatable; values are read as YAML)")
    p.add_argument("--base", default=None, help="baseline scenario for a proposal file without "
                   "'base:'")
    add_run_options(p, replications=1)
    p.add_argument("--start", default=None, metavar="TIME",
                   help="start the simulation clock at TIME, with a zone (2026-03-02T08:30:00Z), "
                   "instead of local midnight of the scenario's start date")
    p.add_argument("--cases", type=int, default=None, metavar="N",
                   help="stop arrivals after N cases (raise horizon_days if fewer arrive)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run replications on a Dask cluster (tcp://host:8786, or 'local')")
    p.add_argument("--no-log", action="store_true",
                   help="do not build the event log (faster; KPIs only)")
    add_size_option(p)
    p.add_argument("--json", action="store_true", help="print the KPI summary as JSON")
    p.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help="write events.parquet, items.parquet, kpis.csv, kpi_summary.csv, "
                   "pool_kpis.csv, backlog.csv and scenario.yaml into DIR")
    p.set_defaults(func=run)


def _load(args: argparse.Namespace) -> Any:
    from modlean.scenario import apply_overrides, list_presets, load_scenario, preset

    overrides = parse_pairs(args.overrides, "--set")
    path = Path(args.scenario)
    if not path.exists() and args.scenario in list_presets():
        scenario = preset(args.scenario)
    else:
        scenario = load_scenario(path, base=args.base)
    if overrides:
        scenario = apply_overrides(scenario, overrides, source="--set")
    clock = {"start_time": args.start, "max_cases": args.cases}
    clock = {k: v for k, v in clock.items() if v is not None}
    return apply_overrides(scenario, clock, source="--start/--cases") if clock else scenario


def run(args: argparse.Namespace) -> int:
    from modlean.errors import ParameterError
    from modlean.scenario import to_yaml
    from modlean.simulation import simulate

    if args.replications < 1:
        raise ParameterError(f"--replications: found {args.replications}; expected a whole "
                             "number >= 1")
    limit = max_events(args)
    scenario = _load(args)
    bar = None
    if not args.json and args.replications > 1:
        from tqdm import tqdm

        bar = tqdm(total=args.replications, desc=f"simulating {scenario.name}",
                   unit="replication", file=sys.stderr)
    try:
        result = simulate(scenario, seed=args.seed, replications=args.replications,
                          workers=args.workers, scheduler=args.scheduler,
                          event_log=args.out is not None and not args.no_log,
                          item_table=args.out is not None,
                          on_replication_done=(lambda _: bar.update()) if bar else None,
                          max_events=limit)
    finally:
        if bar is not None:
            bar.close()
    if args.cases is not None and result.log is not None \
            and result.log["case_id"].nunique() < args.cases:
        warnings.warn(f"--cases {args.cases}: only {result.log['case_id'].nunique()} cases "
                      f"arrived in {scenario.horizon_days:g} days; raise it with "
                      "--set horizon_days=...", stacklevel=1)
    summary = result.summary()
    if args.out is not None:
        _write(args.out, result, summary, to_yaml(scenario))
    if args.json:
        print(to_json({
            "scenario": scenario.name, "seed": result.seed,
            "replications": result.replications,
            "kpis": _records(summary),
            "pools": _records(result.pool_summary()),
        }))
    else:
        print(_describe(result, summary))
        if args.out is not None:
            print(f"written to {args.out}/")
    return 0


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts with NaN as None (JSON has no NaN)."""
    return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")


def _write(out: Path, result: SimulationResult, summary: pd.DataFrame,
           scenario_yaml: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    if result.log is not None:
        result.log.to_parquet(out / "events.parquet", index=False)
    if result.items is not None:
        result.items.to_parquet(out / "items.parquet", index=False)
    write_text_atomic(out / "kpis.csv", result.kpis.to_csv(index=False))
    write_text_atomic(out / "kpi_summary.csv", summary.to_csv(index=False))
    write_text_atomic(out / "pool_kpis.csv", result.pool_kpis.to_csv(index=False))
    write_text_atomic(out / "backlog.csv", result.backlog.to_csv(index=False))
    write_text_atomic(out / "scenario.yaml", scenario_yaml)


def _fmt(mean: float, low: float, high: float) -> str:
    if mean != mean:  # NaN
        return "-"
    digits = 0 if abs(mean) >= 100 else 3
    text = f"{mean:,.{digits}f}"
    if low == low and high == high and high > low:
        text += f" ±{(high - low) / 2:,.{digits}f}"
    return text


def _describe(result: SimulationResult, summary: pd.DataFrame) -> str:
    s = result.scenario
    lines = [f"{s.name}: {s.horizon_days:g} days, seed {result.seed}, "
             f"{result.replications} replication(s); mean ± 95 % half-width"]
    types = [*s.item_types, "all"]
    head = f"  {'kpi':<26}" + "".join(f"{t[:18]:>20}" for t in types)
    lines.append(head)
    table = summary.set_index(["kpi", "item_type"])
    for kpi in HEADLINE:
        cells = []
        for t in types:
            if (kpi, t) in table.index:
                row = table.loc[(kpi, t)]
                cells.append(_fmt(row["mean"], row["ci_low"], row["ci_high"]))
            else:
                cells.append("-")
        lines.append(f"  {kpi:<26}" + "".join(f"{c:>20}" for c in cells))
    pools = result.pool_summary()
    util = pools[pools["kpi"] == "utilisation"]
    lines.append("  utilisation: " + ", ".join(f"{r.pool} {r.mean:.0%}" for r in
                                              util.itertuples()))
    return "\n".join(lines)
