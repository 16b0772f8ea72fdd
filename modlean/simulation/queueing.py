"""Analytic queueing and workforce formulas: the numbers to check a simulation against.

Erlang B (blocking), Erlang C (waiting, service level, required agents),
Erlang A (waiting with abandonment), M/M/c metrics, Jackson networks, Little's
law, Kingman's approximation, square-root staffing and the workload FTE model
used for back-office queues (docs/domain.md §4 and §8).

Conventions: rates per second and times in seconds unless a name says
otherwise (any consistent unit works); ``load`` is the offered load in Erlangs,
A = arrival rate x mean handling time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from modlean.errors import ParameterError

__all__ = [
    "Staffing",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "halfin_whitt_beta",
    "jackson_network",
    "kingman_wait",
    "littles_law",
    "mean_wait",
    "mmc",
    "offered_load",
    "required_agents",
    "service_level",
    "sqrt_staffing",
    "workload_fte",
]

_EPS = 1e-9


def _positive(name: str, value: float, *, zero: bool = False) -> float:
    ok = value >= 0 if zero else value > 0
    if not ok or math.isnan(value):
        raise ParameterError(f"{name}: found {value!r}; expected a number "
                             f"{'>= 0' if zero else '> 0'}")
    return float(value)


def _servers(servers: int) -> int:
    if int(servers) != servers or servers < 1:
        raise ParameterError(f"servers: found {servers!r}; expected a whole number >= 1")
    return int(servers)


def offered_load(arrival_rate: float, aht: float) -> float:
    """Offered load A = arrival rate x mean handling time, in Erlangs."""
    return _positive("arrival_rate", arrival_rate, zero=True) * _positive("aht", aht)


def erlang_b(servers: int, load: float) -> float:
    """Erlang B: the probability an arrival finds every server busy (lost-calls model).

    Computed with the stable recursion B(0) = 1, B(n) = A B(n-1) / (n + A B(n-1)).
    Example: ``erlang_b(15, 10) ≈ 0.0365``.
    """
    n = _servers(servers)
    a = _positive("load", load, zero=True)
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(servers: int, load: float) -> float:
    """Erlang C: the probability an arrival has to wait (M/M/c, no abandonment).

    1 when the load is at or above the number of servers (the queue is unstable).
    """
    n = _servers(servers)
    a = _positive("load", load, zero=True)
    if a >= n:
        return 1.0
    b = erlang_b(n, a)
    return n * b / (n - a * (1 - b))


def mean_wait(servers: int, load: float, aht: float) -> float:
    """Mean wait in queue (ASA) of an M/M/c: P_wait x AHT / (N - A); inf when unstable."""
    n, a = _servers(servers), _positive("load", load, zero=True)
    if a >= n:
        return math.inf
    return erlang_c(n, a) * _positive("aht", aht) / (n - a)


def service_level(servers: int, load: float, aht: float, target: float) -> float:
    """Share of arrivals answered within ``target``: 1 - P_wait e^{-(N-A) t / AHT}."""
    n, a = _servers(servers), _positive("load", load, zero=True)
    if a >= n:
        return 0.0
    return 1.0 - erlang_c(n, a) * math.exp(-(n - a) * _positive("target", target, zero=True)
                                            / _positive("aht", aht))


@dataclass(frozen=True)
class Staffing:
    """The answer of :func:`required_agents`."""

    agents: int
    """Productive agents needed at the same time (Erlang C)."""
    scheduled: int
    """Agents to schedule once shrinkage is taken off: ceil(agents / (1 - shrinkage))."""
    load: float
    """Offered load in Erlangs."""
    service_level: float
    """Share answered within the target with ``agents``."""
    mean_wait: float
    """Mean wait in queue (ASA) with ``agents``."""
    occupancy: float
    """Load / agents."""
    p_wait: float
    """Probability of waiting with ``agents``."""


def required_agents(arrival_rate: float, aht: float, target: float, *,
                    service_level_goal: float = 0.8, max_occupancy: float | None = None,
                    shrinkage: float = 0.0, max_wait: float | None = None) -> Staffing:
    """The fewest agents meeting a service level (Erlang C), then scheduled with shrinkage.

    Parameters
    ----------
    arrival_rate:
        Arrivals per unit time (per second with AHT in seconds).
    aht:
        Mean handling time.
    target:
        Answer-time target of the service level (same unit as AHT).
    service_level_goal:
        Required share answered within ``target`` (0.8 for "80/20").
    max_occupancy:
        Optional cap on load / agents (e.g. 0.85).
    shrinkage:
        Share of paid time not available; ``scheduled = ceil(agents / (1 - shrinkage))``.
    max_wait:
        Optional cap on the mean wait.

    Examples
    --------
    100 contacts per 30 minutes, AHT 180 s, 80 % within 20 s: 14 agents, 20 after
    30 % shrinkage::

        >>> s = required_agents(100 / 1800, 180, 20, shrinkage=0.3)
        >>> s.agents, s.scheduled
        (14, 20)
    """
    a = offered_load(arrival_rate, aht)
    if not 0 < service_level_goal < 1:
        raise ParameterError(f"service_level_goal: found {service_level_goal!r}; expected a "
                             "share between 0 and 1")
    if not 0 <= shrinkage < 1:
        raise ParameterError(f"shrinkage: found {shrinkage!r}; expected a share in [0, 1)")
    if max_occupancy is not None and not 0 < max_occupancy <= 1:
        raise ParameterError(f"max_occupancy: found {max_occupancy!r}; expected a share in "
                             "(0, 1]")
    n = max(1, math.floor(a) + 1)
    while True:
        sl = service_level(n, a, aht, target)
        asa = mean_wait(n, a, aht)
        ok = sl >= service_level_goal - _EPS
        ok = ok and (max_occupancy is None or a / n <= max_occupancy + _EPS)
        ok = ok and (max_wait is None or asa <= max_wait + _EPS)
        if ok:
            break
        n += 1
    return Staffing(agents=n, scheduled=math.ceil(n / (1 - shrinkage) - _EPS), load=a,
                    service_level=sl, mean_wait=asa, occupancy=a / n,
                    p_wait=erlang_c(n, a))


def erlang_a(servers: int, arrival_rate: float, aht: float, patience: float,
             *, tolerance: float = 1e-12) -> dict[str, float]:
    """Erlang A (M/M/c+M): waiting with exponential abandonment.

    Solved exactly as a birth-death chain (births λ, deaths min(n, N)/AHT +
    max(n - N, 0)/patience), truncated where the state probabilities fall below
    ``tolerance``.

    Returns
    -------
    dict
        ``p_wait`` (an arrival waits), ``p_abandon`` (it leaves before service),
        ``mean_wait`` (mean time in queue over all arrivals), ``mean_queue``
        (mean number waiting), ``occupancy`` (busy servers / N).
    """
    n = _servers(servers)
    lam = _positive("arrival_rate", arrival_rate, zero=True)
    mu = 1.0 / _positive("aht", aht)
    gamma = 1.0 / _positive("patience", patience)
    # log-probabilities up to a state where the chain's mass is negligible
    logs = [0.0]
    k = 0
    while True:
        k += 1
        death = min(k, n) * mu + max(k - n, 0) * gamma
        logs.append(logs[-1] + math.log(lam / death) if lam > 0 else -math.inf)
        if k > n and (logs[-1] - max(logs) < math.log(tolerance) or k > n + 10**6):
            break
    logp = np.array(logs)
    p = np.exp(logp - logp.max())
    p /= p.sum()
    states = np.arange(len(p))
    waiting = np.maximum(states - n, 0)
    lq = float((waiting * p).sum())
    p_wait = float(p[n:].sum())  # PASTA: an arrival sees the time-stationary state
    p_abandon = gamma * lq / lam if lam > 0 else 0.0
    busy = float((np.minimum(states, n) * p).sum())
    return {"p_wait": p_wait, "p_abandon": p_abandon,
            "mean_wait": lq / lam if lam > 0 else 0.0, "mean_queue": lq,
            "occupancy": busy / n}


def mmc(arrival_rate: float, service_rate: float, servers: int) -> dict[str, float]:
    """Steady-state M/M/c: utilisation, P(wait), Wq, W, Lq, L (Erlang C with Little's law)."""
    lam = _positive("arrival_rate", arrival_rate, zero=True)
    mu = _positive("service_rate", service_rate)
    n = _servers(servers)
    a = lam / mu
    wq = mean_wait(n, a, 1 / mu)
    return {"utilisation": a / n, "p_wait": erlang_c(n, a), "wq": wq, "w": wq + 1 / mu,
            "lq": lam * wq, "l": lam * (wq + 1 / mu)}


def jackson_network(external: Sequence[float], routing: Sequence[Sequence[float]],
                    service_rates: Sequence[float], servers: Sequence[int]
                    ) -> dict[str, np.ndarray | float]:
    """An open Jackson network of M/M/c stations.

    Parameters
    ----------
    external:
        External arrival rate at each station.
    routing:
        ``routing[i][j]`` = probability a job leaving station i goes to station j
        (rows sum to at most 1; the rest leaves the network).
    service_rates, servers:
        Per station.

    Returns
    -------
    dict
        ``arrival`` (total arrival rate per station, solving λ = γ + Pᵀλ),
        ``wq`` and ``w`` per station, ``visits`` per external job, ``sojourn``
        (mean time in the network per external job = Σ visits_i w_i) and
        ``utilisation`` per station.
    """
    gamma = np.asarray(external, float)
    p = np.asarray(routing, float)
    lam = np.linalg.solve(np.eye(len(gamma)) - p.T, gamma)
    wq = np.array([mmc(li, mu, c)["wq"] for li, mu, c in
                   zip(lam, service_rates, servers, strict=True)])
    w = wq + 1 / np.asarray(service_rates, float)
    total = gamma.sum()
    visits = lam / total
    return {"arrival": lam, "wq": wq, "w": w, "visits": visits,
            "sojourn": float((visits * w).sum()),
            "utilisation": lam / (np.asarray(service_rates, float) * np.asarray(servers))}


def littles_law(*, wip: float | None = None, throughput: float | None = None,
                lead_time: float | None = None) -> float:
    """Little's law WIP = throughput x lead time: give two, get the third."""
    given = {k: v for k, v in (("wip", wip), ("throughput", throughput),
                                ("lead_time", lead_time)) if v is not None}
    if len(given) != 2:
        raise ParameterError(f"littles_law: found {sorted(given) or 'nothing'}; expected "
                             "exactly two of wip, throughput, lead_time")
    if wip is None:
        return float(throughput) * float(lead_time)  # type: ignore[arg-type]
    if throughput is None:
        return float(wip) / _positive("lead_time", float(lead_time))  # type: ignore[arg-type]
    return float(wip) / _positive("throughput", float(throughput))


def kingman_wait(utilisation: float, service_time: float, ca2: float = 1.0,
                 cs2: float = 1.0) -> float:
    """Kingman's G/G/1 approximation of the mean wait: ρ/(1-ρ) x (ca² + cs²)/2 x E[S]."""
    if not 0 <= utilisation < 1:
        raise ParameterError(f"utilisation: found {utilisation!r}; expected a share in [0, 1)")
    return utilisation / (1 - utilisation) * (ca2 + cs2) / 2 * _positive("service_time",
                                                                           service_time)


def halfin_whitt_beta(p_wait: float) -> float:
    """The square-root staffing β giving a target P(wait) (Halfin-Whitt: 1/(1 + βΦ(β)/φ(β)))."""
    # deferred: scipy.stats takes ~1 s to import, this module otherwise needs only numpy
    from scipy.optimize import brentq
    from scipy.stats import norm

    if not 0 < p_wait < 1:
        raise ParameterError(f"p_wait: found {p_wait!r}; expected a share between 0 and 1")
    return float(brentq(lambda b: 1 / (1 + b * norm.cdf(b) / norm.pdf(b)) - p_wait,
                        1e-9, 10))


def sqrt_staffing(load: float, beta: float = 1.0) -> int:
    """Square-root staffing: N = ceil(A + β √A)."""
    a = _positive("load", load, zero=True)
    return max(1, math.ceil(a + beta * math.sqrt(a) - _EPS))


def workload_fte(volume: float | Mapping[str, float], aht: float | Mapping[str, float], *,
                 paid_hours: float = 8.0, shrinkage: float = 0.35,
                 occupancy: float = 0.85) -> float:
    """FTE for back-office work: Σ volume x AHT / 3600 / (paid hours x (1 - shrinkage) x occupancy).

    Parameters
    ----------
    volume:
        Items per day (a number, or a mapping item type -> items per day).
    aht:
        Mean handling time in seconds (a number, or a mapping with the same keys).
    paid_hours:
        Paid hours per FTE per day.
    shrinkage, occupancy:
        Share of paid time unavailable; planned share of available time busy.
    """
    if isinstance(volume, Mapping):
        if not isinstance(aht, Mapping) or not set(volume) <= set(aht):
            raise ParameterError(f"aht: expected a handling time for each of {sorted(volume)}")
        hours = sum(_positive(f"volume[{k}]", v, zero=True) * _positive(f"aht[{k}]", aht[k])
                    for k, v in volume.items()) / 3600
    else:
        hours = _positive("volume", float(volume), zero=True) * _positive("aht", float(aht)) \
            / 3600
    if not 0 <= shrinkage < 1 or not 0 < occupancy <= 1:
        raise ParameterError(f"shrinkage {shrinkage!r} / occupancy {occupancy!r}: expected "
                             "shrinkage in [0, 1) and occupancy in (0, 1]")
    return hours / (_positive("paid_hours", paid_hours) * (1 - shrinkage) * occupancy)
