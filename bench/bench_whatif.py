"""Benchmark of what-if work: paired vs unpaired intervals, staffing search time, tuning.

Run from the project root:  .venv/bin/python bench/bench_whatif.py [--scale 10] [--reps 10]

Prints, from one run on this machine:

1. M/M/5 vs M/M/6 (templates/scenarios/mmc.yaml, 10 days): the paired 95 % interval
   of the change in mean wait (common random numbers) and the unpaired (Welch)
   interval from independent seeds, their width ratio, and the Erlang C answer.
2. Staffing of the US preset scaled down by ``--scale`` (volumes and headcounts
   divided): analytic vs simulated headcount per pool, the simulations run and the
   wall-clock time of the search, against the time of one replication of the
   scenario measured in the same run.
3. Threshold tuning of the US listing model on a 0.005 grid (20,301 pairs): seconds.
4. People per shift (integer programme) for every pool of the full US preset with an
   SLA: seconds, against one 7-day replication of the same market (event log off)
   measured in the same run.
"""

from __future__ import annotations

import argparse
import time

import pandas as pd


def paired_vs_unpaired(reps: int) -> None:
    from modlean.decisions import compare, resolve_scenario, run_scenarios, unpaired_difference
    from modlean.scenario import preset
    from modlean.simulation import mmc

    base = preset("mmc")
    t0 = time.perf_counter()
    table, values = compare(base, {"pools.servers.headcount": 6}, replications=reps,
                            kpis=["wait_l1_mean_h"], return_kpis=True, workers=1)
    elapsed = time.perf_counter() - t0
    other = run_scenarios([resolve_scenario({"pools.servers.headcount": 6}, base)],
                          replications=reps, seed=base.seed + 1000, workers=1)
    row = table.iloc[0]
    b = values[(values["scenario"] == table.attrs["baseline"]) & (values["item_type"] == "all")
               & (values["kpi"] == "wait_l1_mean_h")]["value"]
    o = other[(other["item_type"] == "all") & (other["kpi"] == "wait_l1_mean_h")]["value"]
    u = unpaired_difference(b, o)
    analytic = (mmc(1 / 60, 1 / 240, 6)["wq"] - mmc(1 / 60, 1 / 240, 5)["wq"]) / 3600 * 60
    pw, uw = (row.ci_high - row.ci_low) * 60, (u.high - u.low) * 60
    print(f"1. M/M/5 -> M/M/6, {reps} replications x 10 days ({elapsed:.1f} s):")
    print(f"   paired   change of mean wait {row.difference * 60:+.3f} min, 95 % CI "
          f"[{row.ci_low * 60:+.3f}, {row.ci_high * 60:+.3f}] width {pw:.3f}")
    print(f"   unpaired change of mean wait {u.difference * 60:+.3f} min, 95 % CI "
          f"[{u.low * 60:+.3f}, {u.high * 60:+.3f}] width {uw:.3f}")
    print(f"   width ratio paired / unpaired = {pw / uw:.2f}; Erlang C change "
          f"{analytic:+.3f} min")


def staffing(scale: float, reps: int) -> None:
    from modlean.decisions import staff
    from modlean.scenario import preset
    from modlean.simulation import simulate

    s = preset("US")
    ov = {f"item_types.{t}.volume_per_day": it.volume_per_day / scale
          for t, it in s.item_types.items()}
    ov.update({f"pools.{p}.headcount": max(1, round(pl.headcount / scale))
               for p, pl in s.pools.items()})
    s = preset("US", overrides=ov)
    t0 = time.perf_counter()
    simulate(s, replications=1, event_log=False, item_table=False)
    one = time.perf_counter() - t0
    res = staff(s, replications=reps)
    cols = ["pool", "kind", "current", "analytic", "simulated", "share_met", "evaluations"]
    print(f"2. US preset / {scale:g} (14 days), {reps} replications per headcount, "
          "confidence 0.95:")
    with pd.option_context("display.width", 160):
        print(res.table[cols].to_string(index=False))
    sims = int(res.evaluations.shape[0]) * reps
    print(f"   search: {res.seconds:.1f} s for {sims} replications = "
          f"{res.seconds / max(one, 1e-9):.0f} x one replication ({one:.2f} s)")
    for r in res.table.itertuples():
        print(f"   {r.pool}: {r.reason}")


def tuning() -> None:
    from modlean.decisions import tune_thresholds

    t0 = time.perf_counter()
    best = tune_thresholds("US", "listing", step=0.005, min_precision=0.95, min_recall=0.9)
    print(f"3. threshold tuning, {len(best.sweep):,} pairs: {time.perf_counter() - t0:.2f} s; "
          f"best {best.t_low:.3f} / {best.t_high:.3f}, cost {best.expected_cost:,.0f} vs "
          f"current {best.current_cost:,.0f} per day")


def shift_plans() -> None:
    from modlean.decisions import analytic_staffing, shift_staffing
    from modlean.errors import ParameterError
    from modlean.scenario import preset
    from modlean.simulation import simulate

    s = preset("US")
    pools = [r.pool for r in analytic_staffing(s).itertuples()
             if r.kind != "idle" and r.sla_hours == r.sla_hours]
    t0 = time.perf_counter()
    planned, refused = [], []
    for pool in pools:
        try:
            plan = shift_staffing(s, pool)
            planned.append(f"{pool} {plan.headcount} ({'/'.join(map(str, plan.shifts.needed))})")
        except ParameterError:
            refused.append(pool)
    plans_s = time.perf_counter() - t0
    week = preset("US", overrides={"horizon_days": 7, "warmup_days": 1, "drain_days": 1})
    t0 = time.perf_counter()
    simulate(week, replications=1, workers=1, event_log=False, item_table=False)
    sim_s = time.perf_counter() - t0
    print(f"4. people per shift, {len(pools)} US pools: {plans_s:.1f} s "
          f"({plans_s / sim_s:.2f} x one 7-day replication, {sim_s:.1f} s)")
    print("   " + "; ".join(planned))
    if refused:
        print(f"   no plan possible with today's shifts: {', '.join(refused)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=10.0)
    parser.add_argument("--reps", type=int, default=10)
    args = parser.parse_args()
    paired_vs_unpaired(args.reps)
    tuning()
    shift_plans()
    staffing(args.scale, args.reps)


if __name__ == "__main__":
    main()
