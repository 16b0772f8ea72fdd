"""Monte-Carlo annual loss of a whole register (compound Poisson, lognormal costs).

Before drawing, the run's size is estimated (runs x sum of annual frequencies loss
draws, plus a runs x risks count table) and refused past ``max_draws`` (default
:data:`DEFAULT_MAX_DRAWS`), naming the estimate and the knob: a typo such as
``annual_frequency: 1e12`` would otherwise ask for petabytes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from modlean.errors import ParameterError

__all__ = ["DEFAULT_MAX_DRAWS", "simulate_losses"]

#: Random numbers a Monte-Carlo run may draw unless the limit is raised: about 4 GB at
#: 40 bytes a draw (the count, the risk and run it belongs to, the loss).
DEFAULT_MAX_DRAWS = 100_000_000
_BYTES_PER_DRAW = 40


def simulate_losses(assessed: pd.DataFrame, *, runs: int = 10_000, seed: int = 0,
                    loss_cv: float = 1.0, quantiles: Sequence[float] = (0.5, 0.9, 0.95),
                    max_draws: float | None = None) -> tuple[pd.Series, np.ndarray]:
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

    Raises
    ------
    ParameterError
        Bad ``runs`` or ``loss_cv``; a frequency or cost that is not a finite
        number ≥ 0 (naming the risk); a run larger than ``max_draws`` (default
        :data:`DEFAULT_MAX_DRAWS`) random numbers.
    """
    if int(runs) != runs or runs < 1 or not 0 <= loss_cv <= 100:
        raise ParameterError(f"runs {runs!r} / loss_cv {loss_cv!r}: expected runs a whole "
                             "number ≥ 1 and loss_cv from 0 to 100")
    freq = assessed["frequency"].to_numpy(dtype="float64")
    cost = assessed["cost"].to_numpy(dtype="float64")
    ids = assessed["risk_id"].astype(str).to_numpy() if "risk_id" in assessed else \
        np.arange(1, len(freq) + 1).astype(str)
    for name, values in (("frequency", freq), ("cost", cost)):
        bad = np.flatnonzero(~np.isfinite(values) | (values < 0))
        if bad.size:
            raise ParameterError(f"risk {ids[bad[0]]}, {name}: found {float(values[bad[0]])!r}; "
                                 "expected a finite number ≥ 0")
    _check_size(runs, freq, max_draws)
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


def _check_size(runs: int, freq: np.ndarray, max_draws: float | None) -> None:
    """Refuse a run that would draw more than ``max_draws`` random numbers."""
    limit = DEFAULT_MAX_DRAWS if max_draws is None else max_draws
    draws = runs * (float(freq.sum()) + freq.size)
    if draws > limit:
        gib = draws * _BYTES_PER_DRAW / 2**30
        raise ParameterError(
            f"Monte-Carlo annual loss: too large: about {draws:,.0f} random draws ({runs:,} "
            f"runs x {freq.sum():,.6g} events a year over {freq.size} risks), {gib:,.1f} GiB of "
            f"memory; the limit is {limit:,.0f} draws. Check annual_frequency for a typo; if "
            "the size is meant, run fewer runs (--runs) or raise the limit with --max-draws "
            "(simulate_losses(..., max_draws=...))")
