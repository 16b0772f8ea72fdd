"""Calibration reads how often appeals overturn from the log's appeal outcomes.

The export (data/bpo_export.py) upholds 70 % of appeals whatever the truth; the
default ``overturn_if_wrong`` (0.9) made the simulated share about 2.5 times too high.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from bpo_export import make_export

import modlean
from modlean.decisions import calibrate
from modlean.decisions.assumptions import Assumptions
from modlean.decisions.calibrate_qa import MIN_APPEALS, appeal_overturn
from modlean.scenario import apply_overrides, preset
from modlean.simulation import simulate
from modlean.simulation.plan import make_plan


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    export = make_export(4000, seed=8, days=4, qa_share=0.4)
    return modlean.import_export(*export.write_with_profile(tmp_path_factory.mktemp("appeals")))


def _observed(log: pd.DataFrame) -> tuple[float, int]:
    appeals = log[log["activity"] == "appeal_review"]
    return float((appeals["decision"] == "approve").mean()), len(appeals)


def test_the_calibrated_scenario_overturns_the_logs_share_of_appeals(imported):
    cal = calibrate(imported.log, timezone="Europe/Berlin", qa=imported.qa, workflow=False)
    share, n = _observed(imported.log)
    assert n >= MIN_APPEALS and 0.2 < share < 0.4
    named = cal.assumptions.set_index("field")
    # QA fails 8 % of decisions at random: too few wrong rejections to explain 30 %
    assert f"{share:.0%} of {n:,} appeals" in named.loc["appeals.overturn_if_right", "why"]
    assert cal.scenario.appeals.overturn_if_wrong == 1.0
    items = simulate(cal.scenario, seed=3, replications=2, workers=1).items
    appealed = items[items["appealed"].astype(bool)]
    simulated = appealed["appeal_overturned"].astype(bool).mean()
    spread = np.sqrt(share * (1 - share) / n + share * (1 - share) / len(appealed))
    assert abs(simulated - share) < 3 * spread


def test_too_few_appeals_keep_the_default(imported):
    log = imported.log
    keep = ~log["case_id"].isin(log.loc[log["activity"] == "appeal_review", "case_id"]
                                .iloc[MIN_APPEALS - 1:])
    scenario = calibrate(imported.log, timezone="Europe/Berlin", workflow=False).scenario
    assume = Assumptions()
    assert appeal_overturn(log[keep], scenario, assume) == {}
    assert "appeals.overturn_if_wrong" not in assume.why


def test_overturn_if_wrong_solves_for_the_logs_share_when_it_can(imported):
    scenario = calibrate(imported.log, timezone="Europe/Berlin", workflow=False).scenario
    scenario = apply_overrides(scenario, {  # reviewers who reject many clean items
        f"pools.{pool}.accuracy.false_reject": 0.6 for pool in ("l1_listing", "l2_policy")})
    assume = Assumptions()
    found = appeal_overturn(imported.log, scenario, assume)
    assert set(found) == {"overturn_if_wrong"} and 0 < found["overturn_if_wrong"] < 1
    plan = make_plan(scenario, 0, 0)
    wrong = np.mean(~plan.violating[plan.appealed])
    expected = wrong * found["overturn_if_wrong"] + (1 - wrong) * \
        scenario.appeals.overturn_if_right
    assert expected == pytest.approx(_observed(imported.log)[0], abs=1e-3)
    assert "set so the scenario overturns as often" in assume.why["appeals.overturn_if_wrong"]


def test_the_appeals_fallback_handling_is_the_appeals_pools_own(imported):
    scenario = calibrate(imported.log, timezone="Europe/Berlin", workflow=False).scenario
    pool = scenario.pools[scenario.appeals.pool]
    assert scenario.appeals.handling.mean_s in {h.mean_s for h in pool.handling.values()}


def test_an_appeal_is_filed_after_its_own_delay_distribution():
    s = apply_overrides(preset("US"), {"horizon_days": 2, "warmup_days": 0, "drain_days": 3,
                                       "qa.enabled": False,  # an audit would delay the filing
                                       "appeals.delay": {"dist": "constant", "mean_hours": 5}})
    log = simulate(s, seed=3).log
    at = log[log["activity"].isin(["decision_sent", "appeal_filed"])]
    first = at.groupby(["case_id", "activity"], observed=True)["timestamp"].min().unstack()
    gaps = (first["appeal_filed"] - first["decision_sent"]).dropna().dt.total_seconds() / 3600
    assert len(gaps) > 20 and np.allclose(gaps, 5)
