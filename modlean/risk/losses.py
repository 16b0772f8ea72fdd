"""Monte-Carlo annual loss of a whole register (compound Poisson, lognormal costs)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from modlean.errors import ParameterError

__all__ = ["simulate_losses"]


def simulate_losses(assessed: pd.DataFrame, *, runs: int = 10_000, seed: int = 0,
                    loss_cv: float = 1.0, quantiles: Sequence[float] = (0.5, 0.9, 0.95)
                    ) -> tuple[pd.Series, np.ndarray]:
    """Monte-Carlo annual loss of the whole register.

    Each risk has Poisson(``frequency``) events a year, each costing a
    lognormal amount with mean ``cost`` and coefficient of variation
    ``loss_cv`` [A]; risks are independent.

    Returns
    -------
    (pandas.Series, numpy.ndarray)
        ``mean`` and the requested quantiles (``p50``, ``p90``, ``p95``) of the
        yearly total, plus ``expected`` (Σ expected annual loss, the exact mean);
        and the simulated totals (one per run).
    """
    if runs < 1 or loss_cv < 0:
        raise ParameterError(f"runs {runs!r} / loss_cv {loss_cv!r}: expected runs ≥ 1, cv ≥ 0")
    freq = assessed["frequency"].to_numpy(dtype="float64")
    cost = assessed["cost"].to_numpy(dtype="float64")
    rng = np.random.default_rng(seed)
    counts = rng.poisson(freq[None, :], size=(runs, freq.size))
    sigma2 = math.log1p(loss_cv**2)
    mu = np.log(np.where(cost > 0, cost, 1.0)) - sigma2 / 2
    which = np.repeat(np.tile(np.arange(freq.size), runs), counts.ravel())
    run_of = np.repeat(np.repeat(np.arange(runs), freq.size), counts.ravel())
    draws = rng.lognormal(mu[which], math.sqrt(sigma2)) * (cost[which] > 0)
    totals = np.bincount(run_of, weights=draws, minlength=runs)
    summary = {"expected": float((freq * cost).sum()), "mean": float(totals.mean())}
    for q in quantiles:
        summary[f"p{round(q * 100):d}"] = float(np.quantile(totals, q))
    return pd.Series(summary), totals
