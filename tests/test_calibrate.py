"""calibrate: recover a known scenario from its simulated log; fidelity distances."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from modlean import LogError, ParameterError
from modlean.decisions import accuracy_from_qa, calibrate, fidelity, fit_handling
from modlean.decisions.fidelity import open_by_hour
from modlean.process import encode
from modlean.scenario import apply_overrides, scenario_from_dict
from modlean.simulation import simulate

KNOWN = yaml.safe_load("""
name: known
market: CAL
timezone: UTC
start: 2026-03-02
horizon_days: 7
warmup_days: 0
drain_days: 2
seed: 3
item_types:
  listing:
    volume_per_day: 3000
    prevalence: 0.15
    model: {enabled: true, violating: {a: 2.76, b: 2.09}, clean: {a: 0.82, b: 5.58},
            t_low: 0.26, t_high: 0.64}
    appeal_rate: 0.0
  ipr:
    volume_per_day: 400
    prevalence: 0.5
    model: {enabled: false}
    appeal_rate: 0.0
routing:
  listing: {pool: l1, escalation_probability: 0.1, escalation_pool: l2}
  ipr: {pool: ipr}
pools:
  l1: {headcount: 2, shrinkage: 0.0, handling: {listing: {dist: lognormal, mean_s: 120, cv: 0.6}}}
  l2: {headcount: 1, shrinkage: 0.0, handling: {listing: {dist: lognormal, mean_s: 300, cv: 0.6}}}
  ipr:
    headcount: 8
    shrinkage: 0.0
    shifts: [{start_hour: 8, end_hour: 20, share: 1.0}]
    handling: {ipr: {dist: exponential, mean_s: 600}}
qa: {enabled: false}
appeals: {enabled: false}
""")


@pytest.fixture(scope="module")
def known():
    return scenario_from_dict(KNOWN)


@pytest.fixture(scope="module")
def real(known):
    return simulate(known, seed=1, item_table=False).log


@pytest.fixture(scope="module")
def calibrated(real, known):
    return calibrate(real, timezone="UTC", base=known)


def test_recovers_the_known_parameters(known, calibrated):
    """Tolerances: volumes 5 %, mean handling 5 %, CV 15 %, shares and probabilities 0.02,
    thresholds 0.03 (given the score distributions), seats and shift hours exactly."""
    got = calibrated.scenario
    for t in ("listing", "ipr"):
        assert got.item_types[t].volume_per_day == pytest.approx(
            known.item_types[t].volume_per_day, rel=0.05)
    profile = np.asarray(known.item_types["ipr"].hourly_profile)
    assert np.allclose(got.item_types["ipr"].hourly_profile, profile / profile.mean(), atol=0.25)
    for pool, t in (("l1", "listing"), ("l2", "listing"), ("ipr", "ipr")):
        want, have = known.pools[pool].handling[t], got.pools[pool].handling[t]
        assert have.mean_s == pytest.approx(want.mean_s, rel=0.05)
        assert have.dist == want.dist
        if want.dist == "lognormal":
            assert have.cv == pytest.approx(want.cv, rel=0.15)
    route = got.routing["listing"]
    assert (route.pool, route.escalation_pool) == ("l1", "l2")
    assert route.escalation_probability == pytest.approx(0.1, abs=0.02)
    assert got.routing["ipr"].pool == "ipr"
    model = got.item_types["listing"].model
    assert model.enabled and not got.item_types["ipr"].model.enabled
    assert model.t_low == pytest.approx(0.26, abs=0.03)
    assert model.t_high == pytest.approx(0.64, abs=0.03)
    assert got.item_types["listing"].prevalence == pytest.approx(0.15, abs=0.02)
    assert {p: got.pools[p].headcount for p in ("l1", "l2", "ipr")} == {"l1": 2, "l2": 1,
                                                                       "ipr": 8}
    shifts = got.pools["ipr"].shifts
    assert [(s.start_hour, s.end_hour, s.share) for s in shifts] == [(8, 20, 1.0)]
    assert set(calibrated.handling["basis"]) == {"start/complete"}


def test_routing_shares_without_a_base(real, known):
    cal = calibrate(real)
    rates = known.item_types["listing"].model.rates(0.15)
    row = cal.routing.set_index("item_type").loc["listing"]
    assert row["auto_approve_share"] == pytest.approx(rates["auto_approve_share"], abs=0.02)
    assert row["auto_reject_share"] == pytest.approx(rates["auto_reject_share"], abs=0.02)
    assert any("shrinkage" in n for n in cal.notes)


def test_reviewer_ids_with_dots_give_pool_names_overrides_can_address(real):
    names = real["resource"].astype(str)
    dotted = real.assign(resource=names.where(~names.str.match(r".*\d+$"), "team." + names))
    pools = calibrate(dotted).scenario.pools
    assert pools and all("." not in name for name in pools)


def test_gap_basis_when_only_completions_are_logged(real):
    cal = calibrate(real.drop(columns=["start_timestamp"]))
    row = cal.handling.set_index(["pool", "activity"]).loc[("l1", "review_l1")]
    assert row["basis"] == "gap"
    # a gap includes the wait, so it is an upper bound of the handling time
    assert row["mean_s"] >= 120 * 0.95


def test_fidelity_near_zero_for_the_same_scenario_larger_for_a_perturbed_one(known, real,
                                                                          calibrated):
    again = simulate(calibrated.scenario, seed=2, item_table=False).log
    perturbed = apply_overrides(known, {"pools.l1.handling.listing.mean_s": 170,
                                        "item_types.listing.volume_per_day": 3600})
    other = simulate(perturbed, seed=2, item_table=False).log
    same = fidelity(real, again).set_index("measure")
    diff = fidelity(real, other).set_index("measure")
    d_same, d_diff = same["distance"], diff["distance"]
    assert d_same["control_flow_log_distance"] < 0.01 and d_same["n_gram_distance"] < 0.01
    assert d_same["cycle_time_emd"] < 0.05 * same.at["cycle_time_emd", "real"]
    assert d_diff["cycle_time_emd"] > 2 * d_same["cycle_time_emd"]
    assert d_diff["n_gram_distance"] > 10 * d_same["n_gram_distance"]
    assert other["case_id"].nunique() / real["case_id"].nunique() - 1 > 0.1  # 3600 vs 3000
    # every number of a row is in the distance's unit: cases a day are in the reading only
    assert same.loc["case_arrival_emd", ["real", "simulated"]].isna().all()
    assert " a day)" in diff.at["case_arrival_emd", "reading"]
    assert d_diff["wait:review_l2"] > d_same["wait:review_l2"]
    assert "match closely" in same.at["control_flow_log_distance", "reading"]
    # 20 % more listings and slower L1 handling leave more cases open over the day
    assert d_diff["open_cases_by_hour"] > 2 * d_same["open_cases_by_hour"]
    opened = [np.nanmean(open_by_hour(encode(log), "UTC")) for log in (real, other)]
    assert opened[1] > opened[0]


def test_open_cases_by_hour_are_counted_on_the_local_clock():
    import pandas as pd

    # one case a day, open from 06:00 to 09:30 New York time, over ten days
    days = pd.date_range("2026-03-02 06:00", periods=10, freq="D", tz="America/New_York")
    log = pd.DataFrame({"case_id": [f"c{i}" for i in range(10) for _ in range(2)],
                        "activity": ["in", "out"] * 10,
                        "timestamp": [t for d in days for t in (d, d + pd.Timedelta("3.5h"))]})
    log["timestamp"] = log["timestamp"].dt.tz_convert("UTC")
    by_hour = open_by_hour(encode(log), "America/New_York")
    assert list(np.flatnonzero(by_hour > 0)) == [6, 7, 8, 9]
    assert np.nanmax(by_hour) == 1.0


def test_fit_handling_picks_the_family():
    rng = np.random.default_rng(0)
    assert fit_handling(rng.exponential(100, 5000))["dist"] == "exponential"
    fit = fit_handling(rng.lognormal(4, 0.5, 5000))
    assert fit["dist"] == "lognormal" and fit["cv"] == pytest.approx(0.53, abs=0.03)


def test_calibrate_refuses_a_non_log():
    import pandas as pd

    with pytest.raises(LogError, match="expected a canonical log"):
        calibrate(pd.DataFrame({"a": [1]}))


def _qa_sample(log, rate: float, seed: int):
    """A QA table of the human decisions in a simulated log: QA's verdict is the truth."""
    import pandas as pd

    reviews = log[log["activity"].isin(["review_l1", "review_l2"])]
    last = reviews.groupby("case_id", observed=True).agg(
        reviewer=("resource", "last"), decision=("decision", "first"),
        truth=("true_label", "first"))
    picked = last[np.random.default_rng(seed).random(len(last)) < rate].reset_index()
    return pd.DataFrame({
        "case_id": picked["case_id"].astype(str), "reviewer": picked["reviewer"].astype(str),
        "decision": picked["decision"].astype(str), "label": "",
        "qa_decision": np.where(picked["truth"].astype(str) == "violating", "reject", "approve"),
        "qa_label": "", "inclusion_probability": rate})


def test_reviewer_accuracy_is_recovered_from_qa_reviews(known):
    wrong = apply_overrides(known, {"pools.l1.accuracy.false_approve": 0.10,
                                    "pools.l1.accuracy.false_reject": 0.04,
                                    "pools.l2.accuracy.false_approve": 0.20})
    log = simulate(wrong, seed=5, item_table=False).log
    qa = _qa_sample(log, 0.6, seed=1)
    cal = calibrate(log, base=known, qa=qa)
    acc = cal.accuracy.set_index("pool")
    for pool, key, want in (("l1", "false_approve", 0.10), ("l1", "false_reject", 0.04),
                            ("l2", "false_approve", 0.20), ("ipr", "false_reject", 0.03)):
        row = acc.loc[pool]
        # the simulated rate lies inside the 95 % interval, and the scenario carries it
        assert row[f"{key}_low"] <= want <= row[f"{key}_high"], (pool, key, row[key])
        assert getattr(cal.scenario.pools[pool].accuracy, key) == pytest.approx(row[key])
    assert acc.loc["l1", "violating"] > 300
    assert any("QA re-reviews" in n for n in cal.notes)
    # the same checks as PASS/FAIL (QA agreed or not) give the same approve/reject rates
    pass_fail = qa.drop(columns=["qa_decision", "qa_label"]).assign(
        qa_result=np.where(qa["decision"] == qa["qa_decision"], "PASS", "FAIL"))
    pd.testing.assert_frame_equal(accuracy_from_qa(pass_fail), accuracy_from_qa(qa))


def test_accuracy_from_qa_refuses_a_table_without_the_columns():
    import pandas as pd

    with pytest.raises(ParameterError, match=r"missing column\(s\) \['qa_decision'\]"):
        accuracy_from_qa(pd.DataFrame({"case_id": ["a"], "reviewer": ["r1"],
                                       "decision": ["approve"], "label": [""]}))
