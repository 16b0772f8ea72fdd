"""Calibration in a vocabulary unlike modlean's: a BPO export imported with its profile.

The export (data/bpo_export.py) has its own queues, one row per task, a model
score and agents who work two queues. Calibration must find its pools from the
queue column, its routes from who reviewed first and second, the model's
thresholds from the scores of the auto-decided tickets, and list every value
the log could not show.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from bpo_export import PROFILE, make_export

import modlean
from modlean.cli import main
from modlean.decisions import calibrate
from modlean.decisions.calibrate_model import beta_by_moments, separating_threshold
from modlean.decisions.rosters import on_duty_hours, person_seats
from modlean.errors import LogError


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("any")
    path = make_export(3000, seed=3, days=5).write(folder / "de.csv")
    profile = folder / "de.yaml"
    profile.write_text(PROFILE)
    return modlean.import_export(path, profile)


@pytest.fixture(scope="module")
def cal(imported):
    return calibrate(imported.log, timezone="Europe/Berlin", qa=imported.qa)


def test_pools_come_from_the_queue_column_with_their_handling(cal):
    pools = cal.scenario.pools
    assert set(pools) == {"l1_listing", "l2_policy", "ipr", "appeals", "qa"}
    truth = {("l1_listing", "listing"): 240, ("l2_policy", "listing"): 720,
             ("ipr", "ipr"): 900, ("appeals", "listing"): 900}  # data/bpo_export.py QUEUES
    for (pool, item_type), mean_s in truth.items():
        assert pools[pool].handling[item_type].mean_s == pytest.approx(mean_s, rel=0.1)


def test_routes_escalation_qa_and_appeals_in_the_exports_words(cal):
    s = cal.scenario
    listing, ipr = s.routing["listing"], s.routing["ipr"]
    assert (listing.pool, listing.escalation_pool) == ("l1_listing", "l2_policy")
    assert listing.escalation_probability == pytest.approx(0.1, abs=0.03)
    assert (ipr.pool, ipr.escalation_pool, ipr.escalation_probability) == ("ipr", None, 0.0)
    assert (s.qa.enabled, s.qa.pool) == (True, "qa")
    assert (s.appeals.enabled, s.appeals.pool) == (True, "appeals")
    assert s.appeals.delay_hours == pytest.approx(25, abs=4)  # uniform 2-48 h after the reject
    # the delays' own shape: uniform, not a lognormal's long tail
    delay = s.appeals.delay
    assert delay.dist == "empirical" and delay.mean == pytest.approx(s.appeals.delay_hours,
                                                                      rel=0.02)
    assert min(delay.values) > 1.5 and max(delay.values) < 48.5


def test_model_thresholds_are_read_from_the_scores(cal):
    model = cal.scenario.item_types["listing"].model
    assert model.enabled
    assert model.t_low == pytest.approx(0.15, abs=0.01)  # APPROVE below 0.15
    assert model.t_high == pytest.approx(0.60, abs=0.01)  # REJECT above 0.6


def test_every_unseen_value_is_in_the_assumptions_with_the_value_used(cal):
    table = cal.assumptions.set_index("field")
    s = cal.scenario
    for field in ("item_types.listing.sla.hours", "pools.l1_listing.shrinkage",
                  "pools.l1_listing.cost_per_hour", "qa.catch_probability",
                  "item_types.listing.prevalence", "currency"):
        assert field in table.index, field
    assert table.loc["item_types.listing.sla.hours", "value"] == s.item_types["listing"].sla.hours
    assert table.loc["currency", "value"] == s.currency
    assert table.loc["item_types.listing.prevalence", "value"] == pytest.approx(
        s.item_types["listing"].prevalence)
    assert "share of rejections" in table.loc["item_types.listing.prevalence", "why"]
    shared = table.loc["pools.l1_listing.headcount", "why"]
    assert "de.agent01" in shared and "de.agent04" in shared  # they also work T2 / appeals
    assert "pools.ipr.headcount" not in table.index  # the legal team works one queue


def test_cli_prints_the_assumptions(imported, tmp_path, capsys):
    log = tmp_path / "events.parquet"
    imported.log.to_parquet(log)
    assert main(["calibrate", str(log), "--timezone", "Europe/Berlin", "--out",
                 str(tmp_path / "s.yaml")]) == 0
    out = capsys.readouterr().out
    assert "values the log cannot show" in out and "pools.l1_listing.shrinkage = 0" in out
    assert main(["calibrate", str(log), "--timezone", "Europe/Berlin", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {r["field"] for r in data["assumptions"]} >= {"qa.catch_probability"}


def test_a_log_without_people_is_refused(imported):
    with pytest.raises(LogError, match="no event names a person"):
        calibrate(imported.log.assign(resource=None))


def test_separating_threshold_takes_the_cut_with_fewest_on_the_wrong_side():
    assert separating_threshold(np.array([0.1, 0.12, 0.14]), np.array([0.16, 0.3])) == \
        pytest.approx(0.15)
    # one value each way overlaps: the best cut leaves one wrong (0.3 below it)
    assert separating_threshold(np.array([0.1, 0.2, 0.35]), np.array([0.3, 0.4])) == \
        pytest.approx(0.375)
    assert separating_threshold(np.array([]), np.array([0.3])) is None


def test_beta_by_moments_recovers_the_shapes():
    scores = np.random.default_rng(4).beta(2.0, 5.0, 40_000)
    shape = beta_by_moments(scores)
    assert shape["a"] == pytest.approx(2.0, rel=0.05) and shape["b"] == pytest.approx(5.0,
                                                                                        rel=0.05)
    assert beta_by_moments(scores[:5]) is None


def test_a_person_is_one_seat_split_over_the_pools_of_the_hour():
    seats = pd.DataFrame({"resource": ["a", "a", "a", "b", "b"],
                          "pool": ["X", "X", "Y", "X", "X"],
                          "date": ["d1"] * 5, "hour": [9, 9, 9, 9, 10]})
    got = person_seats(seats)
    assert got[("X", "d1", 9)] == pytest.approx(1 + 2 / 3)
    assert got[("Y", "d1", 9)] == pytest.approx(1 / 3)
    assert got[("X", "d1", 10)] == pytest.approx(1.0)
    assert got.sum() == pytest.approx(3.0)  # two people in hour 9, one in hour 10


def test_a_quiet_queue_is_on_duty_between_its_tasks_but_not_across_a_long_break():
    at = pd.Timestamp("2026-03-02 09:10", tz="UTC")
    hours = [0, 2.3, 3.9, 12]  # 09:10, 11:28, 13:04, then 21:10 after an 8 h break
    work = pd.DataFrame({"pool": ["appeals", "appeals", "qa", "appeals"],
                         "resource": ["marta"] * 4,
                         "start": [at + pd.Timedelta(hours=h) for h in hours],
                         "timestamp": [at + pd.Timedelta(hours=h, minutes=55) for h in hours]})
    seats = person_seats(on_duty_hours(work, "Europe/Madrid"))  # UTC+1: 10:10 local first
    by_hour = seats.groupby(level="hour").sum()
    # one person on duty 10-14 local (the 14:04 task ends at 14:59: no 15:00 seat), then 22
    assert by_hour.to_dict() == {10: 1.0, 11: 1.0, 12: 1.0, 13: 1.0, 14: 1.0, 22: 1.0}
    # the idle hours 11 and 13 are split over the spell's pools (two appeals, one QA check)
    assert seats[("qa", pd.Timestamp("2026-03-02"), 11)] == pytest.approx(1 / 3)
    assert seats[("qa", pd.Timestamp("2026-03-02"), 14)] == 1.0
    assert seats[("appeals", pd.Timestamp("2026-03-02"), 12)] == 1.0


def test_a_queue_the_fixed_template_cannot_route_to_is_named(imported):
    """One item type reviewed first in two queues: the template keeps one and says so."""
    log = imported.log.copy()
    log["item_type"] = "listing"  # the IPR tickets are listings too: ipr is a second L1 queue
    cal = calibrate(log, timezone="Europe/Berlin", workflow=False)  # the auto rule discovers
    why = cal.assumptions.set_index("field").at["routing.listing.pool", "why"]
    assert why.startswith("listing: the first review was also done in ipr ")
    assert "--workflow yes" in why
    assert not any(f.startswith("routing.") for f in
                   calibrate(imported.log, timezone="Europe/Berlin").assumptions["field"])


def test_a_separate_qa_table_is_read_through_the_reviewers_pools_and_names_qa_seats(imported):
    """A QA file apart from the export: the log has no QA events, the table's pools are its
    own words. Each check counts in the pool its reviewer worked in the log, and QA gets a
    seat per QA reviewer the table names."""
    log = imported.log[imported.log["activity"].astype(str) != "qa_review"]
    qa = imported.qa.assign(pool="vendor-team-" + imported.qa["reviewer"].astype(str),
                            qa_reviewer=np.resize(["qa.ana", "qa.bo", "qa.cy"],
                                                  len(imported.qa)))
    cal = calibrate(log, timezone="Europe/Berlin", qa=qa)
    assert cal.scenario.qa.enabled and cal.scenario.pools["qa"].headcount == 3
    assert set(cal.accuracy["pool"]) <= set(cal.scenario.pools)  # none left out
    assert not any("left out" in n and "QA reviews" in n for n in cal.notes)
    why = cal.assumptions.set_index("field").loc["pools.qa.headcount", "why"]
    assert "3 QA reviewers" in why
