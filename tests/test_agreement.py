"""modlean.quality.agreement: known answers from irrCAC, statsmodels cross-checks, properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.inter_rater import cohens_kappa as sm_cohens_kappa
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

from modlean.errors import ParameterError
from modlean.quality import (
    agreement_summary,
    cohen_kappa,
    fleiss_kappa,
    golden_set_accuracy,
    gwet_ac1,
    interpret_kappa,
    krippendorff_alpha,
    percent_agreement,
    ratings_table,
    specific_agreement,
)

nan = np.nan

# Source for the three data sets and their values: the irrCAC R package (K. L. Gwet),
# README / vignette "Calculating Chance-corrected Agreement Coefficients (CAC)",
# stat.ethz.ch/CRAN/web/packages/irrCAC (github kgwet/irrCAC README.md), after
# Gwet (2014) Handbook of Inter-Rater Reliability, 4th ed.

#: cont3x3abstractors: 100 pregnancies classified by 2 abstractors (rows: rater 1).
CONT3X3 = np.array([[13, 0, 0], [0, 20, 7], [0, 4, 56]])

#: cac.raw4raters: 12 subjects, 4 raters, missing ratings (Krippendorff 2011's example).
RAW4 = pd.DataFrame({
    "Rater1": [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    "Rater2": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, nan],
    "Rater3": [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 3],
    "Rater4": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
})

#: distrib.6raters: 15 patients, 6 psychiatrists, 5 categories (counts per category).
DIST6 = np.array([[0, 0, 0, 6, 0], [0, 3, 0, 0, 3], [0, 1, 4, 0, 1], [0, 0, 0, 0, 6],
                  [0, 3, 0, 3, 0], [2, 0, 4, 0, 0], [0, 0, 4, 0, 2], [2, 0, 3, 1, 0],
                  [2, 0, 0, 4, 0], [0, 0, 0, 0, 6], [1, 0, 0, 5, 0], [1, 1, 0, 4, 0],
                  [0, 3, 3, 0, 0], [1, 0, 0, 5, 0], [0, 2, 0, 3, 1]])


def table_to_pairs(table: np.ndarray, cats=("Ectopic", "AIU", "NIU")) -> pd.DataFrame:
    rows = [(cats[i], cats[j]) for i in range(len(cats)) for j in range(len(cats))
            for _ in range(table[i, j])]
    return pd.DataFrame(rows, columns=["abstractor1", "abstractor2"])


def dist_to_wide(dist: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame([[c for c, k in enumerate(row) for _ in range(k)] for row in dist])


def test_cont3x3abstractors_matches_irrcac():
    pairs = table_to_pairs(CONT3X3)
    assert cohen_kappa(pairs) == pytest.approx(0.7964094, abs=1e-7)   # kappa2.table
    assert gwet_ac1(pairs) == pytest.approx(0.8493305, abs=1e-7)      # gwet.ac1.table
    assert percent_agreement(pairs) == pytest.approx(0.89)            # pa2.table
    assert krippendorff_alpha(pairs) == pytest.approx(0.7972585, abs=1e-7)  # krippen2.table
    assert fleiss_kappa(pairs) == pytest.approx(0.7962397, abs=1e-7)  # = Scott's pi, 2 raters


def test_cohen_kappa_agrees_with_statsmodels():
    assert cohen_kappa(table_to_pairs(CONT3X3)) == pytest.approx(
        sm_cohens_kappa(CONT3X3).kappa)


def test_raw4raters_with_missing_ratings_matches_irrcac():
    assert percent_agreement(RAW4) == pytest.approx(0.8181818, abs=1e-7)
    assert gwet_ac1(RAW4) == pytest.approx(0.77544, abs=1e-5)
    assert fleiss_kappa(RAW4) == pytest.approx(0.76117, abs=1e-5)
    # Krippendorff (2011) "Computing Krippendorff's alpha-reliability": nominal alpha = 0.743
    assert krippendorff_alpha(RAW4) == pytest.approx(0.74342, abs=1e-5)


def test_distrib_6raters_matches_irrcac_and_statsmodels():
    wide = dist_to_wide(DIST6)
    assert fleiss_kappa(wide) == pytest.approx(0.4139265, abs=1e-7)
    assert fleiss_kappa(wide) == pytest.approx(sm_fleiss_kappa(DIST6))
    assert gwet_ac1(wide) == pytest.approx(0.4448007, abs=1e-7)
    assert krippendorff_alpha(wide) == pytest.approx(0.4204384, abs=1e-7)


def test_kappa_paradox_at_high_prevalence():
    # 100 items: 95 both approve, 2 both reject, 3 disagreements
    rows = [("approve", "approve")] * 95 + [("reject", "reject")] * 2 + \
        [("reject", "approve")] * 1 + [("approve", "reject")] * 2
    s = agreement_summary(pd.DataFrame(rows), positive="reject")
    assert s["percent_agreement"] == pytest.approx(0.97)
    assert s["cohen_kappa"] < 0.6 < 0.9 < s["gwet_ac1"]
    assert s["positive_agreement"] == pytest.approx(4 / 7)      # 2a/(2a+b+c)
    assert s["negative_agreement"] == pytest.approx(190 / 193)  # 2d/(2d+b+c)
    assert s["prevalence"] == pytest.approx(0.965)


def test_specific_agreement_needs_two_raters():
    with pytest.raises(ParameterError, match="expected 2"):
        specific_agreement(RAW4, positive=1)


def test_interpretation_bands():
    assert [interpret_kappa(v) for v in (-0.1, 0.1, 0.3, 0.5, 0.7, 0.9)] == [
        "poor", "slight", "fair", "moderate", "substantial", "almost perfect"]
    assert interpret_kappa(float("nan")) == "undefined"


def test_ratings_table_and_golden_set_accuracy():
    long = pd.DataFrame({"case_id": ["a", "a", "b", "b", "c", "c", "d"],
                         "reviewer": ["r1", "r2", "r1", "r2", "r1", "r2", "r1"],
                         "label": ["x", "x", "y", "x", "y", "y", "x"]})
    wide = ratings_table(long)
    assert wide.shape == (4, 2) and pd.isna(wide.loc["d", "r2"])
    acc = golden_set_accuracy(long, {"a": "x", "b": "y", "c": "y", "d": "y"})
    assert acc.loc["r1", "accuracy"] == pytest.approx(3 / 4)
    assert acc.loc["r2", "accuracy"] == pytest.approx(2 / 3)
    assert acc.index[0] == "r2"  # worst first
    assert acc.loc["r1", "low"] < 0.75 < acc.loc["r1", "high"]


def test_errors_name_the_problem():
    with pytest.raises(ParameterError, match="at least 2"):
        gwet_ac1(pd.DataFrame({"only": [1, 2]}))
    with pytest.raises(ParameterError, match="exactly 2"):
        cohen_kappa(RAW4)


# ----------------------------------------------------------------- properties

ratings_strategy = st.integers(2, 5).flatmap(lambda raters: st.lists(
    st.lists(st.sampled_from(["approve", "reject", "other"]), min_size=raters,
             max_size=raters), min_size=3, max_size=30))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(["approve", "reject", "other"]), min_size=2, max_size=40),
       st.integers(2, 5))
def test_perfect_agreement_gives_one(labels, raters):
    wide = pd.DataFrame({f"r{j}": labels for j in range(raters)})
    assert percent_agreement(wide) == 1.0
    assert gwet_ac1(wide) == pytest.approx(1.0)
    assert krippendorff_alpha(wide) == pytest.approx(1.0)
    assert fleiss_kappa(wide) == pytest.approx(1.0)
    if raters == 2:
        assert cohen_kappa(wide) == pytest.approx(1.0)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(ratings_strategy, st.randoms(use_true_random=False))
def test_rater_order_does_not_matter(rows, rnd):
    wide = pd.DataFrame(rows)
    cols = list(wide.columns)
    rnd.shuffle(cols)
    shuffled = wide[cols]
    for measure in (percent_agreement, gwet_ac1, fleiss_kappa, krippendorff_alpha):
        a, b = measure(wide), measure(shuffled)
        assert (np.isnan(a) and np.isnan(b)) or a == pytest.approx(b)
    if wide.shape[1] == 2:
        a, b = cohen_kappa(wide), cohen_kappa(wide[wide.columns[::-1]])
        assert (np.isnan(a) and np.isnan(b)) or a == pytest.approx(b)


@settings(max_examples=80, deadline=None, derandomize=True)
@given(ratings_strategy)
def test_bounds_hold(rows):
    wide = pd.DataFrame(rows)
    assert 0.0 <= percent_agreement(wide) <= 1.0
    for value in (gwet_ac1(wide), fleiss_kappa(wide)):
        assert np.isnan(value) or -1.0 - 1e-9 <= value <= 1.0 + 1e-9
    alpha = krippendorff_alpha(wide)
    assert np.isnan(alpha) or alpha <= 1.0 + 1e-9
    if wide.shape[1] == 2:
        k = cohen_kappa(wide)
        assert np.isnan(k) or -1.0 - 1e-9 <= k <= 1.0 + 1e-9
