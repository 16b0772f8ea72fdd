"""M/M/c closed forms written out for tests, independent of modlean's queueing module.

Erlang C and the distributions of the wait and of the turnaround (wait + service)
of a first-come-first-served M/M/c queue (Kleinrock 1975, vol. 1, §3.5; Gross &
Harris, Fundamentals of Queueing Theory, §2.3).
"""

from __future__ import annotations

import math


def erlang_c(servers: int, load: float) -> float:
    """P(an arrival waits) in M/M/c with ``load`` = lambda / mu Erlangs."""
    if load >= servers:
        return 1.0
    top = load**servers / math.factorial(servers) * servers / (servers - load)
    return top / (sum(load**k / math.factorial(k) for k in range(servers)) + top)


def wait_quantile(lam: float, mu: float, servers: int, q: float) -> float:
    """The ``q``-quantile of the wait (0 when at least ``q`` of arrivals do not wait)."""
    c = erlang_c(servers, lam / mu)
    if c <= 1 - q:
        return 0.0
    return math.log(c / (1 - q)) / (servers * mu - lam)


def turnaround_cdf(lam: float, mu: float, servers: int, t: float) -> float:
    """P(wait + service <= t): the service is Exp(mu), the wait 0 or Exp(c mu - lam)."""
    if lam / mu >= servers:
        return 0.0
    c = erlang_c(servers, lam / mu)
    theta = servers * mu - lam
    if abs(theta - mu) < 1e-9 * mu:  # Exp + Exp at one rate: Erlang-2
        tail_waiting = math.exp(-mu * t) * (1 + mu * t)
    else:
        tail_waiting = (theta * math.exp(-mu * t) - mu * math.exp(-theta * t)) / (theta - mu)
    return 1 - ((1 - c) * math.exp(-mu * t) + c * tail_waiting)
