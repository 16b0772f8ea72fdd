"""Benchmark: QA and risk maths at production scale, against a reference in the same run.

Run from the project root::

    .venv/bin/python bench/bench_quality.py [--items 200000]

Prints, for a seeded calibration set of N items × 3 raters, the time of
modlean.quality.agreement's Fleiss κ and AC1 against statsmodels' fleiss_kappa (after
its aggregate_raters step) and checks that the values agree; the time of a
Laney p′ chart plus all 12 rule flags on N subgroups; the register Monte-Carlo
(10,000 runs × 15 risks); and the strike-policy what-if over N sellers. Ratios,
not absolute times, are the figures to compare across machines.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

from modlean.quality import fleiss_kappa as ml_fleiss
from modlean.quality import gwet_ac1, laney_p_chart, rule_flags
from modlean.risk import load_register, simulate_losses, simulate_strikes, strike_policy_whatif

ROOT = Path(__file__).resolve().parents[1]


def timed(func, *args, **kwargs):
    t = time.perf_counter()
    out = func(*args, **kwargs)
    return out, time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=float, default=2e5)
    n = int(parser.parse_args().items)
    rng = np.random.default_rng(0)
    truth = rng.choice(["approve", "reject", "other"], size=n, p=[0.9, 0.08, 0.02])
    raters = np.stack([np.where(rng.random(n) < 0.95, truth,
                                rng.choice(["approve", "reject", "other"], size=n))
                       for _ in range(3)], axis=1)
    wide = pd.DataFrame(raters)

    def reference():
        codes = pd.DataFrame(raters).apply(lambda c: c.map({"approve": 0, "reject": 1,
                                                            "other": 2})).to_numpy()
        return fleiss_kappa(aggregate_raters(codes)[0])

    ref, t_ref = timed(reference)
    ours, t_ours = timed(ml_fleiss, wide)
    ac1, t_ac1 = timed(gwet_ac1, wide)
    print(f"agreement, {n:,} items x 3 raters:")
    print(f"  statsmodels Fleiss kappa {t_ref:7.3f} s  (kappa {ref:.6f})")
    print(f"  modlean Fleiss kappa     {t_ours:7.3f} s  (kappa {ours:.6f}, ratio "
          f"{t_ours / t_ref:.2f}x, agree: {abs(ours - ref) < 1e-9})")
    print(f"  modlean Gwet AC1         {t_ac1:7.3f} s  (AC1 {ac1:.6f})")

    checked = rng.integers(2000, 6000, n)
    errors = rng.binomial(checked, np.clip(rng.normal(0.05, 0.01, n), 0.001, None))
    chart, t_chart = timed(lambda: rule_flags(laney_p_chart(errors, checked)))
    print(f"Laney p' chart + 12 rule flags on {n:,} subgroups: {t_chart:.3f} s "
          f"({int(chart['flagged'].sum()):,} flagged)")

    table = load_register(ROOT / "data" / "risk_register.yaml").assess()
    (summary, _), t_mc = timed(simulate_losses, table, runs=10_000, seed=1)
    print(f"register Monte-Carlo, 10,000 runs x {len(table)} risks: {t_mc:.3f} s "
          f"(P90 EUR {summary['p90']:,.0f})")

    strikes = simulate_strikes(n, seed=2)
    policies = {"current": {"warning": 1, "suspension": 3, "termination": 5},
                "proposed": {"warning": 2, "suspension": 4, "termination": 6}}
    _, t_pen = timed(strike_policy_whatif, strikes, policies, wrongful=(12, 300))
    print(f"strike-policy what-if, {n:,} sellers, 2 policies x 3 tiers, 4,000 draws: "
          f"{t_pen:.3f} s")


if __name__ == "__main__":
    main()
