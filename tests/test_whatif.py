"""whatif: paired comparison on common random numbers, sensitivity, threshold tuning."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import beta

from modlean import ParameterError
from modlean.decisions import (
    FRONTIER_COLUMNS,
    compare,
    model_item_type,
    pareto_front,
    resolve_scenario,
    run_scenarios,
    sensitivity,
    threshold_sweep,
    tune_thresholds,
    unpaired_difference,
)
from modlean.scenario import preset, to_yaml
from modlean.simulation import mmc

SHORT = {"horizon_days": 3, "warmup_days": 0.5, "drain_days": 0.5}


@pytest.fixture(scope="module")
def mm5():
    return preset("mmc", overrides=SHORT)


@pytest.fixture(scope="module")
def added_server(mm5):
    """M/M/5 vs M/M/6 on common random numbers, plus M/M/6 on independent streams."""
    table, values = compare(mm5, {"pools.servers.headcount": 6}, replications=8, seed=11,
                            workers=1, kpis=["wait_l1_mean_h", "turnaround_mean_h"],
                            return_kpis=True)
    independent = run_scenarios([resolve_scenario({"pools.servers.headcount": 6}, mm5)],
                                replications=8, seed=12, workers=1)
    return table, values, independent


def test_adding_a_server_paired_interval_is_narrower_and_right_signed(added_server):
    table, values, independent = added_server
    row = table.set_index("kpi").loc["wait_l1_mean_h"]
    # Erlang C: the mean wait falls from Wq(5) to Wq(6) (133 s -> 34 s at rho 0.8)
    lam, mu = 1 / 60, 1 / 240
    analytic = (mmc(lam, mu, 6)["wq"] - mmc(lam, mu, 5)["wq"]) / 3600
    assert row["difference"] < 0 and row["ci_high"] < 0
    assert row["verdict"] == "better"
    assert row["ci_low"] <= analytic <= row["ci_high"]  # the 95 % interval covers Erlang C
    base = values[(values["scenario"] == table.attrs["baseline"])
                  & (values["item_type"] == "all") & (values["kpi"] == "wait_l1_mean_h")]
    other = independent[(independent["item_type"] == "all")
                        & (independent["kpi"] == "wait_l1_mean_h")]
    unpaired = unpaired_difference(base["value"], other["value"])
    assert unpaired.difference < 0
    paired_width = row["ci_high"] - row["ci_low"]
    # common random numbers: the paired interval is narrower (0.68-0.80 of the width over
    # seeds 11, 21, 31; bench/bench_whatif.py prints the figure for 10-day runs)
    assert paired_width < 0.9 * (unpaired.high - unpaired.low)


def test_compare_rows_and_names(added_server, mm5):
    table, values, _ = added_server
    assert list(table["kpi"]) == ["wait_l1_mean_h", "turnaround_mean_h"]
    assert set(table["proposal"]) == {"pools.servers.headcount=6"}
    assert (table["replications"] == 8).all()
    assert (table["horizon_days"] == mm5.horizon_days).all()  # what the totals run over
    assert {"pool:servers"} <= set(values["item_type"])
    # same seed, same arrivals: the item counts are identical replication by replication
    items = values[(values["kpi"] == "items") & (values["item_type"] == "all")]
    assert items.groupby("replication")["value"].nunique().eq(1).all()


def test_compare_reads_proposal_files_without_base(mm5, tmp_path):
    prop = tmp_path / "more.yaml"
    prop.write_text("name: six servers\noverrides:\n  pools.servers.headcount: 6\n")
    base = tmp_path / "base.yaml"
    to_yaml(mm5, base)
    table = compare(base, prop, replications=2, workers=1, kpis="headline")
    assert set(table["proposal"]) == {"six servers"}
    assert table["kpi"].iloc[0] == "turnaround_p50_h"


def test_compare_keeps_the_proposals_in_the_order_given(mm5):
    table = compare(mm5, {"pools.servers.headcount": 7}, {"pools.servers.headcount": 6},
                    replications=2, seed=3, workers=1, kpis=["wait_l1_mean_h"])
    assert list(table["proposal"]) == ["pools.servers.headcount=7",
                                       "pools.servers.headcount=6"]


def test_compare_refuses_bad_input(mm5):
    with pytest.raises(ParameterError, match="at least one proposal"):
        compare(mm5)
    with pytest.raises(ParameterError, match="replications"):
        compare(mm5, {"pools.servers.headcount": 6}, replications=1)
    with pytest.raises(ParameterError, match="expected a Scenario"):
        resolve_scenario(3.5)


def test_sensitivity_volume_raises_waits(mm5):
    table = sensitivity(mm5, ["volumes", "handling"], kpis=["wait_l1_mean_h"], delta=0.1,
                        replications=2, workers=1, seed=3)
    assert set(table["parameter"]) == {"volumes", "handling"}
    for row in table.itertuples():
        assert row.high_change > 0 > row.low_change
        assert row.swing == pytest.approx(abs(row.high - row.low))
    assert table["swing"].is_monotonic_decreasing
    with pytest.raises(ParameterError, match="matches no numeric field"):
        sensitivity(mm5, ["pools.nope.headcount"], replications=2, workers=1)


def test_threshold_sweep_matches_the_model_rates():
    us = preset("US")
    model = us.item_types["listing"].model
    sweep = threshold_sweep(us, "listing", t_low=[model.t_low], t_high=[model.t_high],
                            human_errors=False)
    rates = model.rates(us.item_types["listing"].prevalence)
    row = sweep.iloc[0]
    assert row["human_share"] == pytest.approx(rates["human_share"])
    assert row["model_precision"] == pytest.approx(rates["auto_reject_precision"])
    assert row["model_recall"] == pytest.approx(rates["recall"])
    # without human errors every human decision is right: FP and FN come from the model only
    n = sweep.attrs["volume_per_day"]
    p = us.item_types["listing"].prevalence
    assert row["fp"] == pytest.approx(n * (1 - p) * beta.sf(model.t_high, model.clean.a,
                                                             model.clean.b))
    assert row["fn"] == pytest.approx(n * p * beta.cdf(model.t_low, model.violating.a,
                                                       model.violating.b))
    assert row["expected_cost"] == pytest.approx(2 * row["fp"] + 10 * row["fn"]
                                                 + row["review_cost"])


def test_threshold_sweep_from_observed_scores_agrees_with_analytic():
    us = preset("US")
    m = us.item_types["listing"].model
    rng = np.random.default_rng(5)
    y = rng.random(200_000) < 0.15
    scores = np.where(y, rng.beta(m.violating.a, m.violating.b, y.size),
                      rng.beta(m.clean.a, m.clean.b, y.size))
    grid = dict(t_low=[0.1, 0.26], t_high=[0.64, 0.8])
    a = threshold_sweep(us, "listing", **grid)
    b = threshold_sweep(us, "listing", scores=scores, labels=y, **grid)
    assert np.allclose(a["human_share"], b["human_share"], atol=0.005)
    assert np.allclose(a["model_precision"], b["model_precision"], atol=0.01)


def test_pareto_front_by_hand():
    import pandas as pd

    t = pd.DataFrame({"n_review": [1, 2, 2, 3, 4], "error_cost": [5, 3, 4, 3, 1]})
    assert list(pareto_front(t)) == [True, True, False, False, True]


def test_tune_thresholds_respects_floors_and_beats_current():
    best = tune_thresholds("US", "listing", step=0.02, min_precision=0.95, min_recall=0.9)
    row = best.best
    assert row["model_precision"] >= 0.95 and row["model_recall"] >= 0.9
    feasible = best.sweep[best.sweep["feasible"]]
    assert best.expected_cost == pytest.approx(feasible["expected_cost"].min())
    assert best.expected_cost <= best.current_cost
    assert best.frontier["pareto"].all() and best.frontier["n_review"].is_monotonic_increasing
    assert set(best.overrides) == {"item_types.listing.model.t_low",
                                   "item_types.listing.model.t_high"}
    cheapest = best.cheapest(3)
    assert list(cheapest.columns) == list(FRONTIER_COLUMNS)
    assert cheapest["expected_cost"].is_monotonic_increasing and len(cheapest) == 3
    assert cheapest["expected_cost"].iloc[0] == pytest.approx(
        best.frontier["expected_cost"].min())
    with pytest.raises(ParameterError, match="no threshold pair"):
        tune_thresholds("US", "listing", step=0.05, min_precision=0.9, min_recall=0.99,
                        floors_on="system")


def test_model_item_type_picks_or_checks_the_tuned_item_type():
    us = preset("US")
    assert model_item_type(us) == "listing"
    assert model_item_type(us, "content") == "content"
    with pytest.raises(ParameterError, match="not in the scenario"):
        model_item_type(us, "nope")
    no_model = preset("US", overrides={"item_types.listing.model.enabled": False})
    with pytest.raises(ParameterError, match="its ML model is disabled"):
        threshold_sweep(no_model, "listing")
    with pytest.raises(ParameterError, match="no item type has an ML model"):
        model_item_type(preset("mmc"))
