"""``modlean risk``: rate a risk register and draw its matrix, heat maps and FMEA table."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from modlean.cli.common import SubParsers, to_json, write_text_atomic
from modlean.errors import ParameterError

if TYPE_CHECKING:
    import pandas as pd

    from modlean.risk import RiskRegister


def register(sub: SubParsers) -> None:
    p = sub.add_parser(
        "risk",
        help="rate a risk register: matrix, heat maps, expected loss, FMEA, overdue actions",
        description="Validate a risk register (.yaml, .csv or .xlsx), band every risk on the "
        "5x5 grid (inherent, current residual, target), rank inside bands by expected annual "
        "loss, run the Monte-Carlo P90 and rate the FMEA sheet by action priority. With "
        "--out, write the assessed register, heat maps and tables there.",
    )
    p.add_argument("register", metavar="REGISTER", type=Path, help="the risk register file")
    p.add_argument("--out", type=Path, default=None, help="folder for tables and figures")
    p.add_argument("--fmea", type=Path, default=None,
                   help="an FMEA sheet (.csv or .xlsx) to rate with the register")
    p.add_argument("--matrix", type=Path, default=None,
                   help="a YAML file with matrix settings (grid, overrides, anchors)")
    p.add_argument("--today", default=None,
                   help="date for the overdue list, e.g. 2026-03-31 (default: today)")
    p.add_argument("--runs", type=int, default=10_000, help="Monte-Carlo runs (10000)")
    p.add_argument("--seed", type=int, default=0, help="random seed (0)")
    p.add_argument("--max-draws", type=float, default=None, metavar="N",
                   help="the Monte-Carlo size guard: refuse a run drawing more than N random "
                   "numbers (default 1e8, about 4 GB)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from modlean.risk import action_plan, cell_ids, load_register, overdue_actions, simulate_losses

    try:
        today = dt.date.fromisoformat(args.today) if args.today else dt.date.today()
    except ValueError:
        raise ParameterError(f"--today {args.today!r}: expected a date like 2026-03-31"
                             ) from None
    matrix = None
    if args.matrix is not None:

        from modlean.risk import RiskMatrix
        from modlean.yamlread import read_yaml_file

        data = read_yaml_file(args.matrix, where=f"--matrix {args.matrix}",
                              error=ParameterError,
                              expected="a YAML file of matrix settings")
        matrix = RiskMatrix.from_dict(data.get("matrix", data) if isinstance(data, dict)
                                      else data, str(args.matrix))
    reg = load_register(args.register, matrix=matrix)
    if args.fmea is not None:
        from modlean.risk import load_fmea

        reg.fmea = load_fmea(args.fmea)
    assessed = reg.assess()
    losses, _ = simulate_losses(assessed, runs=args.runs, seed=args.seed,
                                max_draws=args.max_draws)
    overdue = overdue_actions(reg.risks, today)
    bands = assessed["residual_band"].value_counts().to_dict()
    summary = {
        "register": str(args.register), "risks": len(assessed),
        "residual_bands": bands,
        "outside_appetite": assessed.loc[assessed["within_appetite"] == False,  # noqa: E712
                                         "risk_id"].tolist(),
        "ties": assessed.loc[assessed["tie"], "risk_id"].tolist(),
        "annual_loss": losses.to_dict(),
        "overdue_actions": overdue["risk_id"].tolist(),
        "fmea_high_priority": ([] if reg.fmea is None
                               else reg.fmea.loc[reg.fmea["ap"] == "H", "fmea_id"].tolist()),
    }
    if args.out is not None:
        _write(args.out, reg, assessed, overdue, summary, action_plan(assessed))
        summary["out"] = str(args.out)
    if args.json:
        print(to_json(summary))
        return 0
    cols = ["rank", "risk_id", "title", "inherent_band", "residual_band", "target_band",
            "expected_annual_loss", "tie"]
    table = assessed[cols].copy()
    table["title"] = table["title"].str.slice(0, 40)
    table["expected_annual_loss"] = table["expected_annual_loss"].map(lambda v: f"{v:,.0f}")
    print(f"{args.register}: {len(assessed)} risks; residual bands "
          + ", ".join(f"{b} {bands.get(b, 0)}" for b in ("Critical", "High", "Medium", "Low")))
    print(table.to_string(index=False))
    print("\nresidual matrix (risk ids per cell):")
    print(cell_ids(assessed, "residual").to_string())
    print(f"\nannual loss, EUR: expected {losses['expected']:,.0f}; Monte-Carlo P50 "
          f"{losses['p50']:,.0f}, P90 {losses['p90']:,.0f} ({args.runs:,} runs, seed "
          f"{args.seed})")
    if summary["outside_appetite"]:
        print("outside appetite: " + ", ".join(summary["outside_appetite"]))
    if summary["ties"]:
        print("ties in expected loss within a band: " + ", ".join(summary["ties"]))
    if len(overdue):
        print(f"\noverdue actions on {today}:")
        print(overdue.to_string(index=False))
    if reg.fmea is not None:
        print("\nFMEA by action priority (RPN only as a secondary sort):")
        print(reg.fmea[["fmea_id", "process_step", "failure_mode", "severity", "occurrence",
                        "detection", "ap", "rpn"]].to_string(index=False))
    if args.out is not None:
        print(f"\nwritten to {args.out}/")
    return 0


def _write(out: Path, reg: RiskRegister, assessed: pd.DataFrame, overdue: pd.DataFrame,
           summary: dict, plans: pd.DataFrame) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from modlean.plots import save
    from modlean.plots.risk import fmea_chart, risk_heatmaps
    from modlean.risk import save_register

    out.mkdir(parents=True, exist_ok=True)
    save_register(reg, out / "register_assessed.csv", computed=True)
    write_text_atomic(out / "matrix.csv", reg.matrix.table().to_csv())
    write_text_atomic(out / "overdue_actions.csv", overdue.to_csv(index=False))
    write_text_atomic(out / "action_plans.csv", plans.to_csv(index=False))
    save(risk_heatmaps(assessed, matrix=reg.matrix), out / "heatmaps.png")
    if reg.fmea is not None:
        write_text_atomic(out / "fmea.csv", reg.fmea.to_csv(index=False))
        save(fmea_chart(reg.fmea), out / "fmea.png")
    write_text_atomic(out / "summary.json", to_json(summary) + "\n")
