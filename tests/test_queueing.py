"""Analytic queueing and WFM formulas against published worked values and identities."""

from __future__ import annotations

import math

import numpy as np
import pytest

from modlean.errors import ParameterError
from modlean.simulation import (
    erlang_a,
    erlang_b,
    erlang_c,
    halfin_whitt_beta,
    jackson_network,
    kingman_wait,
    littles_law,
    mean_wait,
    mmc,
    offered_load,
    required_agents,
    service_level,
    sqrt_staffing,
    workload_fte,
)


def _erlang_c_textbook(n: int, a: float) -> float:
    """DOMAIN.md §4 formula with factorials, for small n."""
    top = a**n / math.factorial(n) * n / (n - a)
    return top / (sum(a**k / math.factorial(k) for k in range(n)) + top)


def test_erlang_b_worked_value():
    """Erlang B with 15 agents and 10 Erlang is 0.0365 (DOMAIN.md §2.6)."""
    assert round(erlang_b(15, 10), 4) == 0.0365


def test_required_agents_pyworkforce_example():
    """100 contacts / 30 min, AHT 180 s, 80 % in 20 s -> 14 agents, 20 after 30 % shrinkage."""
    s = required_agents(100 / 1800, 180, 20, service_level_goal=0.8, shrinkage=0.3)
    assert (s.agents, s.scheduled) == (14, 20)
    assert s.load == pytest.approx(10.0)
    assert s.occupancy == pytest.approx(10 / 14)
    assert s.service_level >= 0.8 > service_level(13, 10, 180, 20)


@pytest.mark.parametrize(("n", "a"), [(2, 1.2), (5, 4.0), (14, 10.0), (20, 18.5)])
def test_erlang_c_matches_the_factorial_formula(n, a):
    assert erlang_c(n, a) == pytest.approx(_erlang_c_textbook(n, a), rel=1e-10)
    c = _erlang_c_textbook(n, a)
    assert mean_wait(n, a, 180) == pytest.approx(c * 180 / (n - a))
    assert service_level(n, a, 180, 20) == pytest.approx(1 - c * math.exp(-(n - a) * 20 / 180))


def test_erlang_c_unstable_and_mm1():
    assert erlang_c(3, 3.0) == 1.0 and mean_wait(3, 3.5, 60) == math.inf
    # M/M/1: P(wait) = rho, Wq = rho / (mu - lambda)
    assert erlang_c(1, 0.7) == pytest.approx(0.7)
    m = mmc(0.7, 1.0, 1)
    assert m["wq"] == pytest.approx(0.7 / 0.3) and m["l"] == pytest.approx(0.7 / 0.3)


def test_erlang_a_tends_to_erlang_c_and_abandonment_shortens_waits():
    lam, aht, n = 100 / 1800, 180.0, 11
    a_inf = erlang_a(n, lam, aht, patience=1e9)
    assert a_inf["p_wait"] == pytest.approx(erlang_c(n, lam * aht), rel=1e-6)
    assert a_inf["mean_wait"] == pytest.approx(mean_wait(n, lam * aht, aht), rel=1e-5)
    impatient = erlang_a(n, lam, aht, patience=120)
    assert impatient["mean_wait"] < a_inf["mean_wait"]
    assert 0 < impatient["p_abandon"] < impatient["p_wait"]
    # flow balance: served + abandoned = arrivals -> busy servers = lambda (1 - P_ab) AHT
    assert impatient["occupancy"] * n == pytest.approx(lam * (1 - impatient["p_abandon"]) * aht,
                                                       rel=1e-6)
    # Erlang A stays finite when Erlang C is unstable
    over = erlang_a(5, 1 / 30, 180, patience=300)
    assert math.isfinite(over["mean_wait"]) and over["p_abandon"] > 0.1


def test_littles_law_kingman_and_square_root_staffing():
    assert littles_law(throughput=40, lead_time=0.5) == 20
    assert littles_law(wip=20, lead_time=0.5) == 40
    assert littles_law(wip=20, throughput=40) == 0.5
    with pytest.raises(ParameterError, match="exactly two"):
        littles_law(wip=1)
    # Kingman is exact for M/M/1
    assert kingman_wait(0.8, 10) == pytest.approx(mmc(0.08, 0.1, 1)["wq"])
    beta = halfin_whitt_beta(0.2)
    assert 1 / (1 + beta * _phi_ratio(beta)) == pytest.approx(0.2)
    n = sqrt_staffing(400, beta)
    assert n == math.ceil(400 + beta * 20)
    assert erlang_c(n, 400) == pytest.approx(0.2, abs=0.03)  # asymptotically exact


def _phi_ratio(b: float) -> float:
    from scipy.stats import norm

    return norm.cdf(b) / norm.pdf(b)


def test_workload_fte():
    """40,000 listings x 45 s = 500 h; / (8 h x 0.65 x 0.85) = 113.1 FTE."""
    assert workload_fte(40_000, 45) == pytest.approx(500 / (8 * 0.65 * 0.85))
    both = workload_fte({"listing": 40_000, "ipr": 800}, {"listing": 45, "ipr": 720},
                        shrinkage=0.3, occupancy=0.8, paid_hours=7.5)
    assert both == pytest.approx((500 + 160) / (7.5 * 0.7 * 0.8))
    with pytest.raises(ParameterError, match="aht"):
        workload_fte({"listing": 1}, {"ipr": 1})


def test_jackson_tandem_with_feedback():
    """Three stations in tandem, 10 % of jobs leaving station 3 go back to station 1."""
    gamma = 0.5
    p = [[0, 1, 0], [0, 0, 1], [0.1, 0, 0]]
    net = jackson_network([gamma, 0, 0], p, [0.3, 0.6, 1.0], [2, 1, 1])
    lam = gamma / 0.9
    assert np.allclose(net["arrival"], [lam, lam, lam])
    expected = [mmc(lam, 0.3, 2)["w"], mmc(lam, 0.6, 1)["w"], mmc(lam, 1.0, 1)["w"]]
    assert np.allclose(net["w"], expected)
    assert net["sojourn"] == pytest.approx(sum(expected) / 0.9)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: erlang_b(0, 1), "servers: found 0; expected a whole number >= 1"),
    (lambda: erlang_c(3, -1), "load: found -1"),
    (lambda: offered_load(1, 0), "aht: found 0"),
    (lambda: required_agents(1, 1, 1, service_level_goal=1.2), "service_level_goal"),
    (lambda: required_agents(1, 1, 1, shrinkage=1), "shrinkage"),
])
def test_bad_parameters_are_named(call, message):
    with pytest.raises(ParameterError, match=message):
        call()
