"""Benchmark of the simulation engine: modlean against a minimal SimPy M/M/c, and a market.

Run from the project root:  .venv/bin/python bench/bench_sim.py [--items 1000000]

Prints, from one run on this machine:

1. The floor: a minimal hand-written SimPy M/M/c (one process per item, FIFO
   ``simpy.Resource``, inter-arrival and service times pre-drawn with numpy).
2. modlean on the same M/M/c (same number of items, same rates) with the event
   log off (KPIs only) and on (event log and per-item table), as ratios to the
   floor, plus the mean wait against Erlang C.
3. A 14-day preset market (templates/scenarios/US.yaml: 200k listings a day, about
   20 % to people, content, onboarding, IPR, QA and appeals) on one core, log off
   and on.

Each case runs in a fresh subprocess so its peak memory (max RSS) is its own; the
memory figure reported is the peak RSS minus the RSS just before the run (what the
run itself needed), with the process's peak in brackets. Timings are wall-clock seconds.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

LAMBDA_PER_S = 1.0  # arrivals per second
SERVERS = 10
UTILISATION = 0.9


def _rss_mb() -> float:
    """Peak resident memory of this process so far (MB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_now_mb() -> float:
    """Resident memory now (MB; Linux), the baseline a run's peak is measured from."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * resource.getpagesize() / 2**20
    except OSError:  # pragma: no cover - not Linux
        return _rss_mb()


def floor(items: int, seed: int = 1) -> dict[str, float]:
    """The minimal SimPy M/M/c: one process per item, a FIFO Resource, pre-drawn times."""
    import numpy as np
    import simpy

    base = _rss_now_mb()
    rng = np.random.default_rng(seed)
    gaps = rng.exponential(1 / LAMBDA_PER_S, items)
    service = rng.exponential(UTILISATION * SERVERS / LAMBDA_PER_S, items)
    waits = np.empty(items)
    t = time.perf_counter()
    env = simpy.Environment()
    servers = simpy.Resource(env, SERVERS)

    def item(i: int, s: float):
        arrived = env.now
        with servers.request() as req:
            yield req
            waits[i] = env.now - arrived
            yield env.timeout(s)

    def source():
        for i in range(items):
            yield env.timeout(gaps[i])
            env.process(item(i, service[i]))

    env.process(source())
    env.run()
    return {"seconds": time.perf_counter() - t, "mean_wait_s": float(waits.mean()),
            "rss_base_mb": base, "rss_peak_mb": _rss_mb()}


def mmc_scenario(items: int):
    from modlean.scenario import scenario_from_dict

    days = items / LAMBDA_PER_S / 86400
    return scenario_from_dict({
        "name": "bench M/M/c", "market": "B", "horizon_days": days, "drain_days": 0.5,
        "item_types": {"job": {"volume_per_day": LAMBDA_PER_S * 86400,
                               "hourly_profile": [1] * 24, "prevalence": 0.0}},
        "routing": {"job": {"pool": "srv"}},
        "pools": {"srv": {"headcount": SERVERS, "shrinkage": 0, "handling": {"job": {
            "dist": "exponential", "mean_s": UTILISATION * SERVERS / LAMBDA_PER_S}}}},
    })


def modlean_mmc(items: int, log: bool) -> dict[str, float]:
    from modlean.simulation import simulate

    scenario = mmc_scenario(items)
    base = _rss_now_mb()
    t = time.perf_counter()
    result = simulate(scenario, seed=1, event_log=log, item_table=False)
    seconds = time.perf_counter() - t
    k = result.kpis.set_index(["item_type", "kpi"])["value"]
    return {"seconds": seconds, "mean_wait_s": float(k[("all", "wait_l1_mean_h")] * 3600),
            "items": float(k[("all", "items")]), "rss_base_mb": base, "rss_peak_mb": _rss_mb(),
            "events": float(len(result.log)) if result.log is not None else 0.0}


def market(log: bool, name: str = "US") -> dict[str, float]:
    from modlean.scenario import preset
    from modlean.simulation import simulate

    scenario = preset(name)
    base = _rss_now_mb()
    t = time.perf_counter()
    result = simulate(scenario, seed=1, workers=1, event_log=log, item_table=log)
    seconds = time.perf_counter() - t
    k = result.kpis.set_index(["item_type", "kpi"])["value"]
    return {"seconds": seconds, "items": float(k[("all", "items")]),
            "human_share": float(k[("listing", "human_review_rate")]),
            "events": float(len(result.log)) if result.log is not None else 0.0,
            "rss_base_mb": base, "rss_peak_mb": _rss_mb()}


def _one(case: str, items: int) -> dict[str, float]:
    # import what every case imports before measuring the baseline
    import numpy  # noqa: F401
    import simpy  # noqa: F401

    if case != "floor":
        import pandas  # noqa: F401
        import scipy.stats  # noqa: F401

        import modlean.simulation.run  # noqa: F401
    return {"floor": lambda: floor(items), "mmc_off": lambda: modlean_mmc(items, False),
            "mmc_on": lambda: modlean_mmc(items, True), "market_off": lambda: market(False),
            "market_on": lambda: market(True)}[case]()


def _run(case: str, items: int) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--one", case, "--items", str(items)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--one", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--skip-market", action="store_true")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(_one(args.one, args.items)))
        return
    from modlean.simulation import mmc

    service = UTILISATION * SERVERS / LAMBDA_PER_S
    wq = mmc(LAMBDA_PER_S, 1 / service, SERVERS)["wq"]
    print(f"M/M/{SERVERS}, {args.items:,} items, utilisation {UTILISATION}, "
          f"Erlang C mean wait {wq:.2f} s")
    results = {case: _run(case, args.items) for case in ("floor", "mmc_off", "mmc_on")}
    ref = results["floor"]["seconds"]
    print(f"{'case':<28}{'seconds':>9}{'x floor':>9}{'mean wait s':>13}{'memory MB':>18}")
    labels = {"floor": "floor (minimal SimPy)", "mmc_off": "modlean, event log off",
              "mmc_on": "modlean, event log on"}
    for case, r in results.items():
        mem = r["rss_peak_mb"] - r["rss_base_mb"]
        print(f"{labels[case]:<28}{r['seconds']:>9.2f}{r['seconds'] / ref:>9.2f}"
              f"{r['mean_wait_s']:>13.2f}{mem:>10.0f} ({r['rss_peak_mb']:.0f})")
    if results["mmc_on"].get("events"):
        print(f"  event log: {results['mmc_on']['events']:,.0f} events")
    if args.skip_market:
        return
    print("\n14-day US preset market, one replication on one core")
    for case in ("market_off", "market_on"):
        r = _run(case, args.items)
        mem = r["rss_peak_mb"] - r["rss_base_mb"]
        print(f"  {'event log ' + case.split('_')[1]:<16}{r['seconds']:>8.1f} s  "
              f"{r['items']:,.0f} items (listings to people {r['human_share']:.0%}), "
              f"{r['events']:,.0f} events, memory {mem:,.0f} MB ({r['rss_peak_mb']:,.0f})")


if __name__ == "__main__":
    main()
