"""Seller strike-policy what-if: who reaches each penalty tier, and how many wrongly.

A strike policy maps strike counts inside a window to tiers (warning,
suspension, termination). Some strikes are wrongful: the rejection behind them
would not survive QA. Given each seller's strikes (real, or simulated with
:func:`simulate_strikes`) and the QA-estimated share of strikes that are
wrongful, :func:`strike_policy_whatif` counts, for the current and proposed
thresholds, the sellers reaching each tier and the expected number of them who
would *not* have reached it on valid strikes alone, with an interval that
carries both the QA sampling uncertainty (Jeffreys Beta posterior) and the
seller-level chance (binomial).

The wrongful share is FP ÷ (FP + TP) among rejections (1 − precision), not the
false-rejection rate FP ÷ (FP + TN) of DOMAIN §8: the latter is a share of
compliant items, while strikes only come from rejections.
:func:`wrongful_share_from_qa` takes it from a QA table.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from modlean.errors import ParameterError
from modlean.quality import decision_quality, read_qa

__all__ = [
    "max_strikes_in_window",
    "simulate_strikes",
    "strike_policy_whatif",
    "wrongful_share_from_qa",
]


def max_strikes_in_window(violations: pd.DataFrame, *, seller: str = "seller_id",
                          timestamp: str = "timestamp", window_days: float | None = 90
                          ) -> pd.Series:
    """Most strikes each seller had inside any window of ``window_days`` (all time if None).

    Vectorised: violations sorted by seller and time, and for each one the
    count of the same seller's violations in (t − window, t].
    """
    for col in (seller, timestamp) if window_days is not None else (seller,):
        if col not in violations.columns:
            raise ParameterError(f"violations: missing column {col!r}; found "
                                 f"{list(violations.columns)}")
    if window_days is None:
        return violations.groupby(seller).size().rename("strikes")
    t = pd.to_datetime(violations[timestamp], utc=True, errors="coerce")
    if t.isna().any():
        row = int(np.flatnonzero(t.isna().to_numpy())[0])
        raise ParameterError(f"violations row {row + 1}, column {timestamp!r}: found "
                             f"{violations[timestamp].iloc[row]!r}; expected a date or time")
    frame = pd.DataFrame({"s": violations[seller].to_numpy(),
                          "t": (t - t.min()).dt.total_seconds().to_numpy()})
    frame = frame.sort_values(["s", "t"], kind="stable").reset_index(drop=True)
    codes = pd.factorize(frame["s"])[0].astype("float64")
    span = frame["t"].max() + window_days * 86400 + 1
    key = codes * span + frame["t"].to_numpy()
    first = np.searchsorted(key, key - window_days * 86400, side="right")
    frame["count"] = np.arange(len(frame)) - first + 1
    return frame.groupby("s", sort=True)["count"].max().rename("strikes").rename_axis(seller)


def simulate_strikes(n_sellers: int, *, mean: float = 0.6, dispersion: float = 0.5,
                     seed: int = 0) -> pd.Series:
    """Strikes per seller in one window, negative binomial (over-dispersed) [A].

    ``mean`` strikes per seller; ``dispersion`` is the NB shape k (smaller =
    more concentrated on repeat offenders).
    """
    if n_sellers < 1 or mean <= 0 or dispersion <= 0:
        raise ParameterError("simulate_strikes: expected n_sellers ≥ 1, mean > 0, dispersion > 0")
    rng = np.random.default_rng(seed)
    p = dispersion / (dispersion + mean)
    counts = rng.negative_binomial(dispersion, p, size=n_sellers)
    return pd.Series(counts, index=pd.RangeIndex(n_sellers, name="seller_id"), name="strikes")


def wrongful_share_from_qa(qa: pd.DataFrame, *, positive: str = "reject") -> tuple[int, int]:
    """(wrongful rejections, rejections checked) from a QA table of either shape: FP and FP + TP.

    A verdict table says QA's own decision; a pass/fail table says a failed
    rejection was wrong (:func:`modlean.quality.read_qa`). Values are checked and
    matched in any case.
    """
    table = read_qa(qa, positive=(positive,))
    counts = decision_quality(table, positive=(positive,))["value"]
    return int(counts["fp"]), int(counts["fp"] + counts["tp"])


def _tiers(policy: Mapping[str, int], name: str) -> list[tuple[str, int]]:
    if not policy:
        raise ParameterError(f"{name} policy: expected tiers like {{'warning': 1, "
                             "'suspension': 3}}")
    items = sorted(policy.items(), key=lambda kv: kv[1])
    for tier, threshold in items:
        if int(threshold) != threshold or threshold < 1:
            raise ParameterError(f"{name} policy tier {tier!r}: threshold {threshold!r}; "
                                 "expected a whole number of strikes ≥ 1")
    return [(t, int(v)) for t, v in items]


def _wrongful_draws(wrongful: float | tuple[int, int], runs: int, rng: np.random.Generator
                    ) -> tuple[float, np.ndarray]:
    """The wrongful share and ``runs`` draws of it (Jeffreys beta for QA counts, else fixed)."""
    if isinstance(wrongful, tuple):
        k, n = wrongful
        if not 0 <= k <= n or n < 1:
            raise ParameterError(f"wrongful QA counts {wrongful!r}: expected (k, n), 0 ≤ k ≤ n, "
                                 "n ≥ 1")
        return k / n, rng.beta(k + 0.5, n - k + 0.5, size=runs)
    q = float(wrongful)
    if not 0 <= q <= 1:
        raise ParameterError(f"wrongful share {wrongful!r}: expected a number 0-1")
    return q, np.full(runs, q)


def strike_policy_whatif(
    strikes: pd.Series,
    policies: Mapping[str, Mapping[str, int]],
    *,
    wrongful: float | tuple[int, int],
    runs: int = 4000,
    confidence: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """Sellers reaching each tier under each policy, and how many of them wrongfully.

    Parameters
    ----------
    strikes:
        Strikes per seller (in the policy window), e.g. from
        :func:`max_strikes_in_window` or :func:`simulate_strikes`.
    policies:
        Policy name -> {tier: strikes needed}, e.g. ``{"current": {"warning": 1,
        "suspension": 3, "termination": 5}, "proposed": {...}}``.
    wrongful:
        Share of strikes that are wrongful (a number), or QA counts
        ``(wrongful, checked)`` so its uncertainty enters the interval.
    runs:
        Monte-Carlo draws for the interval.

    Returns
    -------
    pandas.DataFrame
        One row per policy and tier: ``threshold``, ``sellers`` reaching it,
        ``expected_wrongful`` (sellers at or above the tier who would be below
        it on valid strikes alone: Σ P(Binomial(v, 1−q) < threshold)),
        ``wrongful_low``/``wrongful_high`` and ``wrongful_share``.
    """
    v = pd.Series(strikes).astype("int64")
    if (v < 0).any():
        raise ParameterError("strikes: expected counts ≥ 0 for every seller")
    rng = np.random.default_rng(seed)
    q_hat, q_draws = _wrongful_draws(wrongful, runs, rng)
    hist = v.value_counts().sort_index()
    levels = hist.index.to_numpy()
    sellers_at = hist.to_numpy()
    alpha = 1 - confidence
    rows = []
    for name, policy in policies.items():  # a few policies × a few tiers
        for tier, threshold in _tiers(policy, name):
            reach = levels >= threshold
            vv, cc = levels[reach], sellers_at[reach]
            p_hat = stats.binom.cdf(threshold - 1, vv, 1 - q_hat)
            expected = float((cc * p_hat).sum())
            if vv.size:
                p_draw = stats.binom.cdf(threshold - 1, vv[None, :], 1 - q_draws[:, None])
                sims = rng.binomial(cc[None, :], p_draw).sum(axis=1)
                low, high = np.quantile(sims, [alpha / 2, 1 - alpha / 2])
            else:
                low = high = 0.0
            total = int(cc.sum())
            rows.append({"policy": name, "tier": tier, "threshold": threshold,
                         "sellers": total, "expected_wrongful": expected,
                         "wrongful_low": float(low), "wrongful_high": float(high),
                         "wrongful_share": expected / total if total else float("nan")})
    return pd.DataFrame(rows)
