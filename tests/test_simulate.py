"""The simulation engine against queueing theory, hand-computed cases and its own contracts."""

from __future__ import annotations

from typing import Any

import matplotlib
import numpy as np
import pandas as pd
import pytest

from modlean.errors import ParameterError
from modlean.eventlog import read_log
from modlean.scenario import apply_overrides, preset, scenario_from_dict
from modlean.simulation import ACTIVITIES, mmc, simulate

matplotlib.use("Agg")

FLAT = [1.0] * 24


def mmc_scenario(lam: float, mu: float, c: int, *, days: float = 10, **extra: Any):
    """A plain M/M/c: rates per second."""
    data: dict[str, Any] = {
        "name": "mmc", "market": "T", "horizon_days": days, "warmup_days": 1, "drain_days": 1,
        "item_types": {"job": {"volume_per_day": lam * 86400, "hourly_profile": FLAT,
                               "prevalence": 0.0}},
        "routing": {"job": {"pool": "srv"}},
        "pools": {"srv": {"headcount": c, "shrinkage": 0,
                          "handling": {"job": {"dist": "exponential", "mean_s": 1 / mu}}}},
    }
    for key, value in extra.items():
        data[key] = value
    return scenario_from_dict(data)


def small_market(**overrides: Any):
    """A small market with model, escalation, QA and appeals (about 3,000 items a day)."""
    s = preset("US")
    scale = {
        "horizon_days": 3, "warmup_days": 0, "drain_days": 3,
        "item_types.listing.volume_per_day": 2000, "item_types.content.volume_per_day": 600,
        "item_types.seller_onboarding.volume_per_day": 100,
        "item_types.ipr_complaint.volume_per_day": 40,
        "pools.l1_listing.headcount": 4, "pools.l1_content.headcount": 2,
        "pools.kyb.headcount": 5, "pools.ipr.headcount": 5, "pools.l2_policy.headcount": 4,
        "pools.qa.headcount": 3, "pools.appeals.headcount": 3,
        "qa.human_rate": 0.2, "qa.auto_rate": 0.05,
    }
    return apply_overrides(s, {**scale, **overrides})


@pytest.fixture(scope="module")
def market():
    return simulate(small_market(), seed=3)


def _summary(result, kpi: str, item_type: str = "all") -> pd.Series:
    s = result.summary()
    return s[(s["kpi"] == kpi) & (s["item_type"] == item_type)].iloc[0]


# ------------------------------------------------------------------ queueing theory

@pytest.mark.parametrize(("lam", "mu", "c"), [
    (1 / 40, 1 / 168, 6),    # utilisation 0.70
    (1 / 60, 1 / 240, 5),    # 0.80
    (1 / 20, 1 / 95, 5),     # 0.95
])
def test_mmc_mean_wait_within_ci_of_erlang_c(lam, mu, c):
    result = simulate(mmc_scenario(lam, mu, c), seed=7, replications=10, workers=1,
                      event_log=False, item_table=False)
    row = _summary(result, "wait_l1_mean_h")
    wq_h = mmc(lam, mu, c)["wq"] / 3600
    assert row["ci_low"] <= wq_h <= row["ci_high"], (row.to_dict(), wq_h)
    util = result.pool_summary().query("kpi == 'utilisation'").iloc[0]
    assert util["mean"] == pytest.approx(lam / (c * mu), abs=0.02)


def test_tandem_with_rework_matches_jackson():
    """L1 (2 servers) -> L2 (1) -> QA (1); QA finds 10 % of decisions wrong and sends them back
    to L1 once. Product form (BCMP, FIFO, exponential): each station is an M/M/c with its
    total arrival rate (L1 sees 1.1 lambda), and the mean lead time is
    1.1 W1 + W2 + W3."""
    lam, a1, a2, a3 = 1 / 120, 180.0, 80.0, 90.0
    s = apply_overrides(mmc_scenario(lam, 1 / a1, 2, days=8), {
        "pools.l2": {"headcount": 1, "shrinkage": 0, "handling": {
            "job": {"dist": "exponential", "mean_s": a2}},
            "accuracy": {"false_approve": 0.1, "false_reject": 0.1}},
        "pools.qa": {"headcount": 1, "shrinkage": 0, "handling": {
            "job": {"dist": "exponential", "mean_s": a3}}},
        "routing.job": {"pool": "srv", "escalation_probability": 1.0, "escalation_pool": "l2"},
        "qa": {"enabled": True, "pool": "qa", "human_rate": 1.0, "catch_probability": 1.0},
        "item_types.job.prevalence": 0.5,
    })
    result = simulate(s, seed=11, replications=8, workers=1, event_log=False)
    items = result.items[result.items["submitted"] >= result.items["submitted"].min()
                         + pd.Timedelta(days=1)]
    reworked = items["qa_overturned"].mean()
    assert reworked == pytest.approx(0.1, abs=0.01)
    w1 = mmc(1.1 * lam, 1 / a1, 2)["w"]
    w2 = mmc(lam, 1 / a2, 1)["w"]
    w3 = mmc(lam, 1 / a3, 1)["w"]
    expected_h = (1.1 * w1 + w2 + w3) / 3600
    per_rep = items.groupby("replication")["lead_time_h"].mean()
    half = 2.365 * per_rep.std(ddof=1) / np.sqrt(len(per_rep))  # t(0.975, 7)
    assert abs(per_rep.mean() - expected_h) <= half, (per_rep.mean(), half, expected_h)
    pools = result.pool_summary().set_index(["pool", "kpi"])
    for pool, rate, aht, c in (("srv", 1.1 * lam, a1, 2), ("l2", lam, a2, 1),
                               ("qa", lam, a3, 1)):
        row = pools.loc[(pool, "wait_mean_h")]
        wq = mmc(rate, 1 / aht, c)["wq"] / 3600
        assert row["ci_low"] <= wq <= row["ci_high"], (pool, row.to_dict(), wq)


def test_littles_law_on_the_simulated_backlog():
    result = simulate(mmc_scenario(1 / 60, 1 / 240, 5, days=12), seed=5, replications=4,
                      workers=1, event_log=False, item_table=False)
    backlog = _summary(result, "backlog_mean")["mean"]
    throughput_h = _summary(result, "throughput_per_day")["mean"] / 24
    lead_h = _summary(result, "turnaround_mean_h")["mean"]
    assert backlog == pytest.approx(throughput_h * lead_h, rel=0.05)


# ------------------------------------------------------------------ seeds and streams

def test_same_seed_same_results_and_other_seed_differs():
    s = small_market(horizon_days=1)
    a = simulate(s, seed=5)
    b = simulate(s, seed=5)
    pd.testing.assert_frame_equal(a.kpis, b.kpis)
    pd.testing.assert_frame_equal(a.log, b.log)
    pd.testing.assert_frame_equal(a.items, b.items)
    c = simulate(s, seed=6)
    assert not a.kpis["value"].equals(c.kpis["value"])


def test_replications_are_the_same_in_a_pool_and_inline():
    s = mmc_scenario(1 / 60, 1 / 240, 5, days=2)
    inline = simulate(s, seed=2, replications=2, workers=1)
    pooled = simulate(s, seed=2, replications=2, workers=2)
    pd.testing.assert_frame_equal(inline.kpis, pooled.kpis)
    pd.testing.assert_frame_equal(inline.log, pooled.log)
    assert inline.log["case_id"].str.startswith("T-r1-").any()
    first = simulate(s, seed=2, replications=1)
    assert not first.kpis["value"].equals(inline.kpis.query("replication == 1")["value"]
                                          .reset_index(drop=True))


def test_common_random_numbers_across_scenarios():
    """Changing thresholds, headcount or accuracy leaves arrivals and item draws unchanged."""
    base = small_market(horizon_days=1)
    other = apply_overrides(base, {"item_types.listing.model.t_low": 0.1,
                                   "pools.l1_listing.headcount": 9,
                                   "pools.l1_listing.accuracy.false_approve": 0.2})
    a = simulate(base, seed=9, event_log=False).items
    b = simulate(other, seed=9, event_log=False).items
    for col in ("case_id", "item_type", "submitted", "true_label", "score"):
        pd.testing.assert_series_equal(a[col], b[col])
    listing = a["item_type"] == "listing"
    assert (a.loc[listing, "route"] != b.loc[listing, "route"]).any()
    # items outside the change are decided identically
    ipr = a["item_type"] == "ipr_complaint"
    pd.testing.assert_series_equal(a.loc[ipr, "first_decision"], b.loc[ipr, "first_decision"])


# ------------------------------------------------------------------ the event log

def test_log_is_canonical_and_readable(market):
    log = market.log
    assert list(log.columns[:5]) == ["case_id", "activity", "timestamp", "start_timestamp",
                                     "resource"]
    assert {"market", "item_type", "true_label", "decision", "correct", "exposure_s",
            "sla_breach"} <= set(log.columns)
    assert str(log["timestamp"].dtype) == "datetime64[us, UTC]"
    assert set(log["activity"].unique()) <= set(ACTIVITIES)
    again = read_log(log)
    assert len(again) == len(log)
    pd.testing.assert_series_equal(again["case_id"].astype(str), log["case_id"].astype(str))
    assert (log["start_timestamp"].isna() | (log["start_timestamp"] <= log["timestamp"])).all()
    first = log.groupby("case_id", sort=False).head(1)
    assert (first["activity"] == "submitted").all()
    assert log["timestamp"].is_monotonic_increasing is False  # sorted by case, not by time
    ordered = log.sort_values(["case_id", "timestamp"], kind="stable", ignore_index=True)
    pd.testing.assert_frame_equal(ordered, log)


def test_log_repeats_each_items_attributes_on_its_events(market):
    log, items = market.log, market.items
    assert log["case_id"].dtype == pd.Series(["x"]).dtype  # pandas' default text dtype
    assert items["case_id"].iloc[[0, 1, -1]].tolist() == [
        "US-000001", "US-000002", f"US-{len(items):06d}"]
    assert log["case_id"].is_monotonic_increasing  # cases contiguous, in submission order
    joined = log.merge(items, on="case_id", how="left", suffixes=("", "_item"))
    assert len(joined) == len(log) and joined["submitted"].notna().all()
    for col in ("item_type", "true_label", "decision", "label", "correct", "sla_breach"):
        pd.testing.assert_series_equal(joined[col].astype(object), joined[f"{col}_item"]
                                       .astype(object), check_names=False)
    np.testing.assert_array_equal(joined["exposure_s"], joined["exposure_s_item"]
                                  .astype(np.float32))
    submitted = joined[joined["activity"] == "submitted"]
    assert (submitted["timestamp"] == submitted["submitted"]).all()


def test_auto_decisions_are_events_without_reviews(market):
    log, items = market.log, market.items
    auto = set(items.loc[(items["route"] == "auto_approve") & ~items["qa_overturned"], "case_id"])
    reviewed = set(log.loc[log["activity"].isin(["review_l1", "review_l2"]), "case_id"])
    assert auto and not auto & reviewed
    auto_events = log[log["case_id"].isin(auto)]
    assert set(auto_events["activity"].unique()) >= {"submitted", "auto_screen", "auto_approved",
                                                     "decision_sent"}
    human = items[items["route"] == "human"]
    assert (human["first_decision"].notna()).mean() > 0.95


def test_routing_follows_the_model():
    s = small_market(horizon_days=4, **{"qa.enabled": False, "appeals.enabled": False})
    items = simulate(s, seed=1, event_log=False).items
    listing = items[items["item_type"] == "listing"]
    rates = s.item_types["listing"].model.rates(s.item_types["listing"].prevalence)
    shares = listing["route"].value_counts(normalize=True)
    assert shares["auto_approve"] == pytest.approx(rates["auto_approve_share"], abs=0.015)
    assert shares["auto_reject"] == pytest.approx(rates["auto_reject_share"], abs=0.01)
    assert shares["human"] == pytest.approx(rates["human_share"], abs=0.015)
    rejected = listing[listing["route"] == "auto_reject"]
    precision = (rejected["true_label"] == "violating").mean()
    assert precision == pytest.approx(rates["auto_reject_precision"], abs=0.03)


# ------------------------------------------------------------------ shifts, priorities, KPIs

def test_shifts_and_shrinkage_set_capacity_in_local_time():
    s = mmc_scenario(1 / 300, 1 / 240, 1, days=3, timezone="Asia/Jakarta")
    s = apply_overrides(s, {"pools.srv.headcount": 10, "pools.srv.shrinkage": 0.35,
                            "pools.srv.shifts": [{"start_hour": 9, "end_hour": 17}]})
    result = simulate(s, seed=1)
    load = result.pool_load
    local = load["time"].dt.tz_convert("Asia/Jakarta").dt.hour
    assert set(load.loc[(local >= 9) & (local < 17), "capacity"]) == {7}  # 10 x 0.65 -> 7
    assert set(load.loc[(local < 9) | (local >= 17), "capacity"]) == {0}
    reviews = result.log[result.log["activity"] == "review_l1"]
    hours = reviews["start_timestamp"].dt.tz_convert("Asia/Jakarta").dt.hour
    assert hours.between(9, 16).all()
    assert reviews["resource"].nunique() <= 7
    productive = result.pool_summary().set_index("kpi").loc["productive_hours", "mean"]
    assert productive == pytest.approx(2 * 8 * 7)  # days 2 and 3 (warm-up day 1 excluded)


def test_priority_pool_serves_the_urgent_type_first():
    s = mmc_scenario(1 / 100, 1 / 150, 2, days=6)
    s = apply_overrides(s, {
        "item_types.urgent": {"volume_per_day": 86400 / 100, "hourly_profile": FLAT,
                              "prevalence": 0.0},
        "routing.urgent": {"pool": "srv", "priority": 0},
        "pools.srv.handling.urgent": {"dist": "exponential", "mean_s": 150},
        "routing.job.priority": 1,
        "pools.srv.discipline": "priority",
    })
    result = simulate(s, seed=4, event_log=False)
    urgent = _summary(result, "wait_l1_mean_h", "urgent")["mean"]
    bulk = _summary(result, "wait_l1_mean_h", "job")["mean"]
    assert urgent < bulk / 3
    by_deadline = simulate(apply_overrides(s, {  # earliest deadline first, utilisation 0.9
        "pools.srv.discipline": "sla_age", "item_types.urgent.sla.hours": 0.5,
        "item_types.job.sla.hours": 24, "item_types.urgent.volume_per_day": 518.4,
        "item_types.job.volume_per_day": 518.4}), seed=4, event_log=False)
    assert _summary(by_deadline, "wait_l1_mean_h", "urgent")["mean"] < \
        _summary(by_deadline, "wait_l1_mean_h", "job")["mean"] / 3
    fifo = simulate(apply_overrides(s, {"pools.srv.discipline": "fifo"}), seed=4,
                    event_log=False)
    assert _summary(fifo, "wait_l1_mean_h", "urgent")["mean"] == pytest.approx(
        _summary(fifo, "wait_l1_mean_h", "job")["mean"], rel=0.25)


def test_exposure_hand_computed():
    """Live-while-pending violating items are exposed from submission to the rejection;
    a pre-publication item approved by mistake is exposed until the end of the run."""
    s = mmc_scenario(1 / 600, 1 / 60, 2, days=2)
    s = apply_overrides(s, {"item_types.job.prevalence": 1.0,
                            "item_types.job.live_while_pending": True,
                            "pools.srv.accuracy": {"false_approve": 0.0, "false_reject": 0.0}})
    items = simulate(s, seed=1, event_log=False).items
    assert np.allclose(items["exposure_s"], items["turnaround_h"] * 3600)
    s2 = apply_overrides(s, {"item_types.job.live_while_pending": False,
                             "pools.srv.accuracy.false_approve": 1.0})
    r2 = simulate(s2, seed=1, event_log=False)
    end = r2.items["submitted"].min().floor("D") + pd.Timedelta(days=3)  # horizon + drain
    expected = (end - r2.items["decided_at"]).dt.total_seconds()
    assert np.allclose(r2.items["exposure_s"], expected)
    assert _summary(r2, "false_approve_rate")["mean"] == 1.0


def test_qa_and_appeals_are_consistent(market):
    items = market.items
    human = items[items["route"] == "human"]
    assert human["qa_sampled"].mean() == pytest.approx(0.2, abs=0.03)
    assert not (items["qa_overturned"] & ~items["qa_sampled"]).any()
    appealed = items[items["appealed"]]
    assert len(appealed) > 20
    # only rejections are appealed, and overturned appeals end approved
    after_qa = np.where(appealed["qa_overturned"], appealed["true_label"] == "violating",
                        appealed["first_decision"] == "reject")
    assert after_qa.all()
    done = appealed[appealed["appeal_overturned"] & appealed["appeal_decided_at"].notna()]
    assert len(done) and (done["decision"] == "approve").all()
    decided = appealed[appealed["appeal_decided_at"].notna()]
    assert (decided["appeal_decided_at"] > decided["decided_at"]).all()
    k = market.kpis.set_index(["item_type", "kpi"])["value"]
    assert k[("all", "appeals_overturned")] <= k[("all", "appeals_decided")]
    log = market.log
    assert (log["activity"] == "qa_overturn").sum() == k[("all", "qa_overturns")]


def test_kpis_are_tidy_and_costs_add_up(market):
    k = market.kpis
    assert list(k.columns) == ["replication", "item_type", "kpi", "value"]
    assert not k.duplicated(["replication", "item_type", "kpi"]).any()
    wide = k.set_index(["item_type", "kpi"])["value"]
    types = list(market.scenario.item_types)
    assert wide[("all", "items")] == sum(wide[(t, "items")] for t in types)
    pools = market.pool_kpis.set_index(["pool", "kpi"])["value"]
    paid = sum(pools[(p, "paid_hours")] * market.scenario.pools[p].cost_per_hour
               for p in market.scenario.pools)
    assert wide[("all", "cost_total")] == pytest.approx(paid)
    assert wide[("all", "cost_per_decision")] == pytest.approx(paid / wide[("all", "decided")])
    for t in types:
        assert 0 <= wide[(t, "sla_attainment")] <= 1 and 0 <= wide[(t, "accuracy")] <= 1


def test_initial_backlog_is_served_first():
    s = mmc_scenario(1 / 120, 1 / 60, 1, days=2)
    s = apply_overrides(s, {"item_types.job.initial_backlog": {"count": 50,
                                                               "max_age_hours": 6}})
    items = simulate(s, seed=1, event_log=False).items
    start = items["submitted"].min()
    old = items[items["route"] == "backlog"]
    assert len(old) == 50 and (old["submitted"] < start + pd.Timedelta(hours=6)).all()
    assert old["turnaround_h"].min() > 0


def test_surge_multiplies_arrivals():
    s = mmc_scenario(1 / 60, 1 / 30, 2, days=4)
    s = apply_overrides(s, {"item_types.job.surges": [
        {"start": "2026-03-04", "end": "2026-03-04", "multiplier": 3}]})
    items = simulate(s, seed=1, event_log=False).items
    per_day = items.groupby(items["submitted"].dt.day).size()
    assert per_day[4] / per_day[[2, 3, 5]].mean() == pytest.approx(3, rel=0.1)


def test_bad_arguments():
    s = mmc_scenario(1 / 60, 1 / 240, 5, days=1.5)
    with pytest.raises(ParameterError, match="replications: found 0"):
        simulate(s, replications=0)
    with pytest.raises(ParameterError, match=r"expected a modlean\.scenario\.Scenario"):
        simulate({"item_types": {}})  # type: ignore[arg-type]
    result = simulate(s, seed=1)
    with pytest.raises(ParameterError, match="kpi 'nope'"):
        result.kpi("nope")


def test_figures(market):
    from modlean.plots.simulation import backlog_over_time, turnaround_distribution, utilisation

    for fig in (backlog_over_time(market), turnaround_distribution(market),
                utilisation(market), utilisation(market, by_hour=True)):
        assert isinstance(fig, matplotlib.figure.Figure) and fig.axes
        matplotlib.pyplot.close(fig)


def test_qa_before_send_holds_the_decision_until_qa():
    s = apply_overrides(mmc_scenario(1 / 300, 1 / 60, 2, days=2), {
        "pools.qa": {"headcount": 1, "shrinkage": 0,
                     "handling": {"job": {"dist": "constant", "mean_s": 100}}},
        "qa": {"enabled": True, "pool": "qa", "human_rate": 1.0, "catch_probability": 1.0,
               "timing": "before_send"},
        "item_types.job.prevalence": 0.5,
        "item_types.job.labels": {"counterfeit": 3, "image_theft": 1},
        "pools.srv.accuracy": {"false_approve": 0.2, "false_reject": 0.2},
    })
    result = simulate(s, seed=2)
    items, log = result.items, result.log
    assert items["correct"].all() and result.kpi("false_approvals") == 0
    assert result.kpi("first_decision_accuracy") == pytest.approx(0.8, abs=0.05)
    qa_end = log[log["activity"] == "qa_sample"].groupby("case_id")["timestamp"].max()
    sent = log[log["activity"] == "decision_sent"].set_index("case_id")["timestamp"]
    caught = items.set_index("case_id")["qa_overturned"]
    clean = caught[~caught].index
    assert (sent[clean] == qa_end[clean]).all()   # sent when QA agreed
    assert (sent[caught[caught].index] > qa_end[caught[caught].index]).all()  # after rework
    after = simulate(apply_overrides(s, {"qa.timing": "after_send"}), seed=2)
    assert after.kpi("turnaround_mean_h") < result.kpi("turnaround_mean_h")
    # rejection labels follow the weights and only rejected items carry one
    labels = items.loc[items["decision"] == "reject", "label"]
    assert labels.notna().all() and items.loc[items["decision"] == "approve", "label"].isna().all()
    assert (labels == "counterfeit").mean() == pytest.approx(0.75, abs=0.08)


def test_mining_runs_on_the_simulated_log(market):
    from modlean import process
    log = market.log
    variants = process.variants(log)
    assert variants["count"].sum() == log["case_id"].nunique()
    durations = process.case_durations(log)
    assert len(durations) == log["case_id"].nunique()


def test_handling_time_distributions():
    from modlean.scenario import Handling
    from modlean.simulation.plan import sample_handling

    u = np.random.default_rng(0).random(200_000)
    logn = sample_handling(Handling(dist="lognormal", mean_s=45, cv=0.6), u)
    assert logn.mean() == pytest.approx(45, rel=0.01)
    assert logn.std() / logn.mean() == pytest.approx(0.6, rel=0.03)
    expo = sample_handling(Handling(dist="exponential", mean_s=240), u)
    assert expo.mean() == pytest.approx(240, rel=0.01)
    assert expo.std() == pytest.approx(240, rel=0.02)
    assert (sample_handling(Handling(dist="constant", mean_s=30), u) == 30).all()
    emp = sample_handling(Handling(dist="empirical", values=[10, 20, 60]), u, factor=1.5)
    assert set(np.unique(emp)) == {15, 30, 90}
    assert np.bincount((emp // 15).astype(int))[[1, 2, 6]] / len(u) == pytest.approx(
        [1 / 3] * 3, abs=0.01)
    # the same uniforms give ordered times: common random numbers across distributions
    assert np.corrcoef(np.argsort(np.argsort(logn)), np.argsort(np.argsort(expo)))[0, 1] > 0.999


def test_fixed_resource_codes_name_the_logs_non_people():
    """The simulator's resource codes and the log's names of who is no reviewer agree."""
    from modlean.eventlog import NOT_PEOPLE
    from modlean.simulation.tables import FIXED_RESOURCES, Resource

    assert FIXED_RESOURCES is NOT_PEOPLE
    assert [FIXED_RESOURCES[r] for r in Resource] == [r.name.lower() for r in Resource]
