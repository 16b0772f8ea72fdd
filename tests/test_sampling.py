"""sampling: sample sizes, ISO 2859-1 plans, intervals, stratified and HT estimates."""

from __future__ import annotations

import math

import numpy as np
import pytest
from statsmodels.stats.proportion import proportion_confint

from modlean.errors import ParameterError
from modlean.quality import (
    CODE_LETTER_SAMPLE_SIZE,
    acceptance_plan,
    allocate_strata,
    code_letter,
    horvitz_thompson,
    proportion_ci,
    sample_size_for_rate,
    stratified_estimate,
    z_value,
)

# DOMAIN.md §2.4 worked values: (p, e) -> n
WORKED = [(0.5, 0.05, 385), (0.05, 0.02, 457), (0.05, 0.01, 1825), (0.03, 0.01, 1118),
          (0.10, 0.03, 385), (0.02, 0.005, 3012)]


@pytest.mark.parametrize(("p", "e", "n"), WORKED)
def test_domain_worked_sample_sizes(p, e, n):
    assert sample_size_for_rate(p, e) == n


@pytest.mark.parametrize(("p", "e", "n"), WORKED)
def test_both_rounding_conventions_give_the_worked_values(p, e, n):
    """ceil(1.96² p(1−p)/e²) and the exact quantile 1.959964 both give all six."""
    assert math.ceil(1.96**2 * p * (1 - p) / e**2) == n
    assert sample_size_for_rate(p, e, exact_z=True) == n
    assert z_value(0.95) == 1.96
    assert z_value(0.95, exact=True) == pytest.approx(1.959964, abs=1e-6)


def test_finite_population_correction_by_hand():
    n0 = 1.96**2 * 0.05 * 0.95 / 0.02**2  # 456.17
    assert sample_size_for_rate(0.05, 0.02, population=2000) == math.ceil(
        n0 / (1 + (n0 - 1) / 2000)) == 372
    assert sample_size_for_rate(0.5, 0.01, population=100) <= 100


@pytest.mark.parametrize("bad", [dict(error_rate=0, margin=0.02), dict(error_rate=0.05, margin=0),
                                 dict(error_rate=1.2, margin=0.02)])
def test_sample_size_rejects_bad_input(bad):
    with pytest.raises(ParameterError, match="expected"):
        sample_size_for_rate(**bad)


# ISO 2859-1 Table I (DOMAIN §2.4): lot size -> letters for I, II, III, at row boundaries
@pytest.mark.parametrize(("lot", "letters"), [
    (2, "AAB"), (8, "AAB"), (9, "ABC"), (25, "BCD"), (26, "CDE"), (90, "CEF"), (150, "DFG"),
    (280, "EGH"), (500, "FHJ"), (501, "GJK"), (1200, "GJK"), (3200, "HKL"), (10_000, "JLM"),
    (10_001, "KMN"), (150_000, "LNP"), (500_000, "MPQ"), (500_001, "NQR"),
])
def test_code_letters(lot, letters):
    assert "".join(code_letter(lot, lv) for lv in ("I", "II", "III")) == letters


def test_code_letter_sample_sizes_match_domain():
    assert list(CODE_LETTER_SAMPLE_SIZE.values()) == [2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200,
                                                      315, 500, 800, 1250, 2000]


# DOMAIN §2.4 normal-inspection Ac/Re; a level-II lot size that gives each letter
LOT_FOR_LETTER = {"E": 60, "F": 100, "G": 200, "H": 300, "J": 1000, "K": 3000, "L": 10_000,
                  "M": 20_000, "N": 100_000}
DOMAIN_AC = {
    2.5: {"E": 1, "F": 1, "G": 2, "H": 3, "J": 5, "K": 7, "L": 10, "M": 14, "N": 21},
    1.0: {"H": 1, "J": 2, "K": 3, "L": 5, "M": 7, "N": 10},
    4.0: {"G": 3, "H": 5, "J": 7, "K": 10, "L": 14, "M": 21},
}


@pytest.mark.parametrize("aql", sorted(DOMAIN_AC))
def test_acceptance_numbers_match_domain(aql):
    for letter, ac in DOMAIN_AC[aql].items():
        plan = acceptance_plan(LOT_FOR_LETTER[letter], aql=aql)
        assert plan.code_letter == letter
        assert (plan.accept, plan.reject) == (ac, ac + 1), (aql, letter)


@pytest.mark.parametrize(("lot", "level", "aql", "expected"), [
    (1000, "II", 2.5, ("J", "J", 80, 5)),
    (3000, "II", 2.5, ("K", "K", 125, 7)),
    (50_000, "II", 2.5, ("N", "N", 500, 21)),
    (60, "II", 2.5, ("E", "F", 20, 1)),        # E is a down arrow to F's 1/2 plan
    (50, "II", 2.5, ("D", "C", 5, 0)),         # D is an up arrow to C's 0/1 plan
    (600_000, "II", 2.5, ("Q", "N", 500, 21)),  # beyond 21/22 the arrow points up
    (1000, "I", 1.0, ("G", "H", 50, 1)),       # G is a down arrow to H
    (1000, "III", 0.65, ("K", "K", 125, 2)),
])
def test_acceptance_plans_follow_the_arrows(lot, level, aql, expected):
    p = acceptance_plan(lot, level=level, aql=aql)
    assert (p.code_letter, p.plan_letter, p.sample_size, p.accept) == expected
    assert p.reject == p.accept + 1


def test_plan_decision_and_full_inspection():
    plan = acceptance_plan(1000, aql=2.5)
    assert plan.decide(5) == "accept"
    assert plan.decide(6) == "reject"
    small = acceptance_plan(5, aql=2.5)
    assert small.full_inspection and small.sample_size == 5


def test_plan_rejects_unknown_aql_and_level():
    with pytest.raises(ParameterError, match=r"AQL 3\.3"):
        acceptance_plan(1000, aql=3.3)
    with pytest.raises(ParameterError, match="inspection level 'IV'"):
        acceptance_plan(1000, level="IV")


@pytest.mark.parametrize(("k", "n"), [(0, 50), (1, 20), (5, 100), (23, 457), (457, 457)])
def test_intervals_agree_with_statsmodels(k, n):
    lo, hi = proportion_ci(k, n, method="wilson")
    slo, shi = proportion_confint(k, n, method="wilson")
    assert (float(lo), float(hi)) == pytest.approx((max(slo, 0), min(shi, 1)), abs=1e-9)
    lo, hi = proportion_ci(k, n, method="clopper-pearson")
    slo, shi = proportion_confint(k, n, method="beta")
    assert (float(lo), float(hi)) == pytest.approx((slo, shi), abs=1e-9)


def test_rule_of_three():
    # one-sided 95% (two-sided 90%) exact upper bound for 0 errors in n is about 3/n
    _, hi = proportion_ci(0, 1000, confidence=0.90, method="clopper-pearson")
    assert float(hi) == pytest.approx(3 / 1000, rel=0.01)


def test_proportional_and_neyman_allocation_by_hand():
    prop = allocate_strata(100, {"a": 6000, "b": 3000, "c": 1000})
    assert prop.to_dict() == {"a": 60, "b": 30, "c": 10}
    # weights N_h sqrt(p(1-p)): 1000*0.5 = 500 and 1000*0.3 = 300 -> 50 : 30 of 80
    ney = allocate_strata(80, {"x": 1000, "y": 1000}, method="neyman",
                          error_rates={"x": 0.5, "y": 0.1})
    assert ney.to_dict() == {"x": 50, "y": 30}


def test_allocation_caps_small_strata_and_sums_to_n():
    out = allocate_strata(100, {"tiny": 5, "big": 5000, "mid": 100}, minimum=10)
    assert out.sum() == 100 and out["tiny"] == 5 and (out <= [5, 5000, 100]).all()


def test_stratified_estimate_by_hand():
    est, table = stratified_estimate({"h": 10, "a": 2}, {"h": 200, "a": 100},
                                     {"h": 2000, "a": 8000})
    # W = 0.2, 0.8; p = 0.05, 0.02 -> 0.2*0.05 + 0.8*0.02 = 0.026
    assert est.estimate == pytest.approx(0.026)
    var = 0.2**2 * 0.05 * 0.95 / 200 * (1 - 0.1) + 0.8**2 * 0.02 * 0.98 / 100 * (1 - 100 / 8000)
    assert est.n == pytest.approx(0.026 * 0.974 / var)
    assert est.low < 0.026 < est.high
    assert table.loc["h", "weight"] == pytest.approx(0.2)


def test_horvitz_thompson_equals_stratified_when_sampled_at_stratum_rates():
    # human stratum: N=1000 sampled at 10% (100, 8 errors); auto: N=9000 at 1% (90, 1 error)
    y = np.r_[np.ones(8), np.zeros(92), np.ones(1), np.zeros(89)]
    pi = np.r_[np.full(100, 0.1), np.full(90, 0.01)]
    ht = horvitz_thompson(y, pi, population=10_000)
    strat, _ = stratified_estimate({"h": 8, "a": 1}, {"h": 100, "a": 90},
                                   {"h": 1000, "a": 9000})
    assert ht.estimate == pytest.approx(strat.estimate)  # (80 + 100) / 10000 = 0.018
    assert ht.estimate == pytest.approx(0.018)
    hajek = horvitz_thompson(y, pi)
    assert hajek.estimate == pytest.approx(0.018)  # Σ1/π = 10000 here too
    with pytest.raises(ParameterError, match="inclusion_probability"):
        horvitz_thompson([1, 0], [0.5, 0])
