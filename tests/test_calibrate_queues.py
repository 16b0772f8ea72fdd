"""Calibration keeps what a vendor export shows: both first-review queues, the model, QA,
appeals and a team of agents shared by two queues.

The export (data/bpo_export.py, with ``one_item_type``): one item type, listings,
screened by a model with logged scores (APPROVE below 0.15, REJECT from 0.6), reviewed
first in two queues (90 % T1, 10 % IPR-LEGAL), PASS/FAIL QA on 46 % of the human tasks,
appeals 2-48 h after a fifth of the rejections; two of the four T1 agents also work
IPR-LEGAL. The fixed template would route every listing to T1, so the auto rule picks the
discovered workflow.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from bpo_export import PROFILE, QUEUES, make_export

import modlean
from modlean.decisions import calibrate
from modlean.scenario import apply_overrides

SHARED = {**QUEUES, "IPR-LEGAL": {"handling_s": 900.0, "agents": ["de.agent03", "de.agent04"]}}


@pytest.fixture(scope="module")
def export():
    return make_export(3000, seed=5, days=5, qa_share=0.46, one_item_type=True, queues=SHARED)


@pytest.fixture(scope="module")
def imported(export, tmp_path_factory):
    return modlean.import_export(*export.write_with_profile(tmp_path_factory.mktemp("queues")))


@pytest.fixture(scope="module")
def cal(imported):
    return calibrate(imported.log, timezone="Europe/Berlin", qa=imported.qa)


def _truth(export) -> pd.DataFrame:
    """Per root ticket: a person reviewed it, QA checked it, its first human queue."""
    t = export.truth.merge(export.tasks[["ticket_id", "qa_result"]], on="ticket_id")
    human = t[t["queue"] != "AUTO"].sort_values("created", kind="stable")
    first = human.groupby("root")["queue"].first()
    checked = human.groupby("root")["qa_result"].agg(lambda r: r.ne("").any())
    return pd.DataFrame({"first": first, "checked": checked})


def test_the_auto_rule_picks_the_workflow_when_the_template_drops_a_queue(cal):
    assert cal.workflow is not None and "listing" in cal.scenario.workflows
    assert any("fixed template would drop work" in n and "ipr 1" in n for n in cal.notes)
    assert "routing.listing.pool" not in set(cal.assumptions["field"])  # nothing left out


def test_both_first_review_queues_keep_their_shares(cal, export):
    truth = _truth(export)
    wf = cal.scenario.workflows["listing"]
    start = cal.workflow[cal.workflow["step"] == "start"].set_index("to")["p"]
    ipr_step = next(name for name in start.index if "ipr" in name)
    review_ipr = next(s for s in wf.steps.values() if s.kind == "review" and s.pool == "ipr")
    assert review_ipr.activity == "review_ipr"
    n = len(truth)
    share = float((truth["first"] == "IPR-LEGAL").mean())
    se = np.sqrt(share * (1 - share) / n)
    assert start[ipr_step] == pytest.approx(share, abs=4 * se)
    assert start.sum() == pytest.approx(1.0)


def test_the_model_is_kept_with_its_thresholds(cal):
    model = cal.scenario.item_types["listing"].model
    assert model.enabled
    assert model.t_low == pytest.approx(0.15, abs=0.02)
    assert model.t_high == pytest.approx(0.60, abs=0.02)
    # the workflow starts after the model's routing: no step for the model's events
    acts = {s.activity for s in cal.scenario.workflows["listing"].steps.values()}
    assert not acts & {"auto_screen", "queued:auto_screen", "qa_review", "appeal_review"}
    assert "workflows.listing.start" in set(cal.assumptions["field"])


def test_qa_and_appeals_stay_enabled_with_their_rates(cal, export):
    s = cal.scenario
    truth = _truth(export)
    rate = float(truth["checked"].mean())
    assert rate == pytest.approx(0.5, abs=0.06)  # 46 % of tasks, some cases have two
    assert (s.qa.enabled, s.qa.pool) == (True, "qa")
    assert s.qa.human_rate == pytest.approx(rate, abs=4 * np.sqrt(rate * (1 - rate) / len(truth)))
    assert (s.appeals.enabled, s.appeals.pool) == (True, "appeals")
    assert s.item_types["listing"].appeal_rate == pytest.approx(0.2, abs=0.04)
    assert s.appeals.delay_hours == pytest.approx(25, abs=4)  # uniform 2-48 h


def test_pools_sharing_people_become_a_team_counting_each_person_once(cal):
    s = cal.scenario
    team = s.pools["l1_listing"].team
    assert team is not None and s.pools["ipr"].team == team
    assert s.pools["ipr"].headcount is None
    assert 1 <= s.teams[team].headcount <= 4  # de.agent01-04, each once
    assert s.pools["l2_policy"].team is None  # de.spec01 does most of T2: no team
    assert f"teams.{team}.headcount" in set(cal.assumptions["field"])


def test_the_calibrated_scenario_simulates_qa_and_both_queues(cal):
    s = apply_overrides(cal.scenario, {"horizon_days": 2.0, "drain_days": 3.0})
    result = modlean.simulate(s, seed=2)
    assert {"review_l1", "review_ipr", "qa_sample", "appeal_review"} <= set(
        result.log["activity"].astype(str))
    reviews = result.pool_kpis.query("kpi == 'reviews'").set_index("pool")["value"]
    assert reviews["ipr"] > 0 and reviews["qa"] > 0


def test_qa_without_a_reviewer_column_stays_enabled_in_the_fixed_path(tmp_path):
    """The profile's qa: section maps no reviewer: the QA events name nobody. QA was
    switched off (no person's QA check seen); its rate comes from the checks now."""
    path = make_export(1500, seed=3, days=3, qa_share=0.46).write(tmp_path / "de.csv")
    rates = {}
    for name, profile in (("named", PROFILE),
                          ("unnamed", PROFILE.replace("  reviewer: qa_agent\n", ""))):
        (tmp_path / f"{name}.yaml").write_text(profile)
        got = modlean.import_export(path, tmp_path / f"{name}.yaml")
        cal = calibrate(got.log, timezone="Europe/Berlin", qa=got.qa, workflow=False)
        assert cal.scenario.qa.enabled and cal.scenario.qa.pool == "qa", name
        rates[name] = cal.scenario.qa.human_rate
        if name == "unnamed":
            assert got.log.loc[got.log["activity"] == "qa_review", "resource"].isna().all()
            why = cal.assumptions.set_index("field").at["pools.qa.headcount", "why"]
            assert "name no reviewer" in why
            assert cal.scenario.pools["qa"].headcount >= 1
    assert rates["unnamed"] == pytest.approx(rates["named"])
    assert rates["named"] == pytest.approx(0.5, abs=0.06)
