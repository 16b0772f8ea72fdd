"""Workflows: known answers for each step kind and route, and every bad input refused by path."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

from modlean.decisions.headcount import pool_loads
from modlean.errors import ScenarioError
from modlean.scenario import apply_overrides, preset, scenario_from_dict, workflow_flow
from modlean.simulation import STEP, make_plan, simulate
from modlean.simulation.size import estimate_run_size

LABELS = {"fake": 0.25, "spam": 0.75}


def base(**workflow: Any) -> dict[str, Any]:
    """The M/M/5 preset with labels and errors, its job routed by ``workflow``."""
    d = preset("mmc").model_dump(mode="json")
    d["item_types"]["job"].update(labels=LABELS, prevalence=0.3)
    d["pools"]["servers"]["accuracy"] = {"false_approve": 0.1, "false_reject": 0.1}
    d["pools"]["servers"]["handling"]["job"] = {"dist": "constant", "mean_s": 200}
    d["pools"]["spec"] = dict(copy.deepcopy(d["pools"]["servers"]), headcount=4)
    d["drain_days"] = 3
    d.pop("routing")
    d["workflows"] = {"job": workflow}
    return d


def review(pool: str = "servers", routes: list | None = None, **more: Any) -> dict[str, Any]:
    return {"kind": "review", "pool": pool, "routes": routes or [{"to": "done"}], **more}


ONE = {"start": "l1", "steps": {"l1": review()}}


def run(d: dict[str, Any], **kw: Any):
    return simulate(scenario_from_dict(d), seed=2, **kw)


# ------------------------------------------------------------------ known answers

def test_a_workflow_of_one_review_simulates_and_logs_todays_l1_names():
    r = run(base(**ONE))
    acts = set(r.log["activity"].astype(str).unique())
    assert {"queued_l1", "review_l1", "decision_sent"} <= acts
    k = r.kpis.set_index(["item_type", "kpi"])["value"]
    assert k["job", "decided"] == k["job", "items"]
    assert k["job", "wait_l1_mean_h"] >= 0


def test_steps_log_the_activity_names_they_carry():
    named = base(start="l1", steps={
        "l1": review(routes=[{"to": "seller"}], activity="T1 review",
                     queued_activity="T1 queue"),
        "seller": {"kind": "wait", "wait": {"dist": "constant", "mean_hours": 1.0},
                   "activity": False, "routes": [{"to": "l2"}]},
        "l2": review(pool="spec", activity="Legal check", queued_activity=False)})
    r = run(named)
    log = r.log
    acts = set(log["activity"].astype(str).unique())
    assert {"T1 queue", "T1 review", "Legal check", "submitted", "decision_sent"} <= acts
    assert not acts & {"queued_l1", "review_l1", "wait_seller", "queued_l2", "review_l2"}
    per_case = log.groupby("case_id", observed=True)["activity"].agg(lambda a: list(a.astype(
        str)))
    human = per_case[per_case.map(lambda a: "T1 review" in a)]
    assert len(human) and all(a.index("T1 queue") < a.index("T1 review") < a.index(
        "Legal check") for a in human)
    # the same run without the names: the times are the same, only the names differ
    plain = run(base(start="l1", steps={
        "l1": review(routes=[{"to": "seller"}]),
        "seller": {"kind": "wait", "wait": {"dist": "constant", "mean_hours": 1.0},
                   "routes": [{"to": "l2"}]},
        "l2": review(pool="spec")}))
    assert (plain.log["activity"].astype(str) == "review_l2").sum() == (
        log["activity"].astype(str) == "Legal check").sum()
    # only the steps' events when the envelope is switched off
    bare = run({**named, "envelope_events": False}).log
    assert set(bare["activity"].astype(str).unique()) == {"T1 queue", "T1 review",
                                                         "Legal check"}


@pytest.mark.parametrize("name", ["", "  "])
def test_an_empty_activity_name_is_refused(name):
    with pytest.raises(ScenarioError, match=r"activity.*expected an activity name"):
        scenario_from_dict(base(start="l1", steps={"l1": review(activity=name)}))


def test_an_activity_name_on_a_system_step_is_refused():
    with pytest.raises(ScenarioError, match="activity does not apply to a system step"):
        scenario_from_dict(base(start="s", steps={
            "s": {"kind": "system", "decision": "approve", "activity": "x",
                  "routes": [{"to": "done"}]}}))


@pytest.mark.parametrize("dist", ["constant", "exponential"])
def test_a_wait_step_adds_its_mean_to_the_turnaround(dist):
    waited = base(start="l1", steps={
        "l1": review(routes=[{"to": "seller"}]),
        "seller": {"kind": "wait", "wait": {"dist": dist, "mean_hours": 2.0},
                   "routes": [{"to": "done"}]}})
    a = run(base(**ONE)).items.set_index("case_id")["turnaround_h"]
    b = run(waited).items.set_index("case_id")["turnaround_h"]
    diff = (b - a).dropna()
    assert len(diff) > 10_000
    if dist == "constant":  # same arrivals and reviews (common random numbers): exactly 2 h
        np.testing.assert_allclose(diff, 2.0, atol=1e-6)
    else:
        assert abs(diff.mean() - 2.0) < 4 * diff.std() / np.sqrt(len(diff))


def test_a_wait_timeout_cuts_the_wait_and_routes_the_timed_out():
    d = base(start="l1", steps={
        "l1": review(routes=[{"to": "seller"}]),
        "seller": {"kind": "wait", "wait": {"dist": "exponential", "mean_hours": 2.0},
                   "timeout_hours": 1.0,
                   "routes": [{"to": "done", "when": {"timed_out": True}},
                              {"to": "l2", "when": {"timed_out": False}}]},
        "l2": review("spec")})
    r = run(d)
    acts = r.log["activity"].astype(str)
    waits = r.log[acts == "wait_seller"]
    hours = (waits["timestamp"] - waits["start_timestamp"]).dt.total_seconds() / 3600
    assert hours.max() <= 1.0 + 1e-6
    share_back = (acts == "review_l2").sum() / len(waits)
    assert abs(share_back - (1 - np.exp(-0.5))) < 0.02  # P(Exp(mean 2) < 1)


def test_a_dual_review_doubles_the_pools_work():
    dual = base(start="d", steps={"d": {"kind": "dual_review", "pool": "servers",
                                        "tie_break": "tb", "routes": [{"to": "done"}]},
                                  "tb": review("spec")})
    dual["pools"]["servers"]["headcount"] = 12
    one = base(**ONE)
    one["pools"]["servers"]["headcount"] = 12
    a, b = run(one), run(dual)
    acts = b.log["activity"].astype(str)
    assert (acts == "review_d").sum() == 2 * (acts == "submitted").sum()

    def busy(r):
        return r.pool_kpis.set_index(["pool", "kpi"])["value"]["servers", "busy_hours"]
    assert busy(b) / busy(a) == pytest.approx(2.0, rel=0.01)
    # the two looks disagree with P = 2 x 0.1 x 0.9; those go to the tie-break
    assert (acts == "review_tb").sum() / (acts == "submitted").sum() == \
        pytest.approx(0.18, abs=0.015)


def test_routing_by_label_sends_exactly_that_labels_share():
    d = base(start="triage", steps={
        "triage": {"kind": "system", "routes": [{"to": "spec", "when": {"label": "fake"}},
                                                {"to": "l1"}]},
        "spec": review("spec"), "l1": review()})
    s = scenario_from_dict(d)
    plan = make_plan(s, 3, 0)
    spec = plan.step_names.index("spec")
    at_spec = np.zeros(plan.n_items, bool)
    at_spec[plan.v_item[(plan.v_stage == STEP) & (plan.v_step == spec)]] = True
    fake = plan.reason == plan.label_names.index("fake")
    np.testing.assert_array_equal(at_spec, fake)


def test_probabilities_route_their_share_within_sampling_error():
    d = base(start="l1", steps={"l1": review(routes=[{"to": "l2", "p": 0.3},
                                                     {"to": "done", "p": 0.7}]),
                                "l2": review("spec")})
    plan = make_plan(scenario_from_dict(d), 4, 0)
    l2 = plan.step_names.index("l2")
    share = ((plan.v_stage == STEP) & (plan.v_step == l2)).sum() / plan.n_items
    assert abs(share - 0.3) < 4 * np.sqrt(0.3 * 0.7 / plan.n_items)


def test_routes_by_decision_and_score_band():
    d = base(start="l1", steps={"l1": review(routes=[
        {"to": "l2", "when": {"decision": "reject"}},
        {"to": "done", "when": {"decision": "approve"}}]), "l2": review("spec")})
    r = run(d)
    acts = r.log["activity"].astype(str)
    n = (acts == "submitted").sum()
    rejected = 0.3 * 0.9 + 0.7 * 0.1  # violating and caught, or clean and wrongly rejected
    assert abs((acts == "review_l2").sum() / n - rejected) < 4 * np.sqrt(rejected / n)
    banded = preset("US").model_dump(mode="json")
    banded["routing"].pop("content")
    banded["workflows"] = {"content": {"start": "l1", "steps": {
        "l1": {"kind": "system", "routes": [{"to": "l2", "when": {"score": [0.5, 1.0]}},
                                            {"to": "l1c"}]},
        "l1c": review("l1_content"), "l2": review("l2_policy")}}}
    s = apply_overrides(scenario_from_dict(banded), {"horizon_days": 1, "warmup_days": 0})
    plan = make_plan(s, 1, 0)
    content = plan.item_type == plan.type_names.index("content")
    human = content & (plan.route == 2)
    l2 = np.zeros(plan.n_items, bool)
    l2[plan.v_item[(plan.v_stage == STEP)
                   & (plan.v_step == plan.step_names.index("l2"))]] = True
    np.testing.assert_array_equal(l2[human], plan.score[human] >= 0.5)
    expected = workflow_flow(s, "content").visits["l2"]  # the band's share, from the Betas
    assert l2[human].mean() == pytest.approx(expected, abs=0.01)


def test_qa_and_appeals_follow_a_workflows_decision():
    d = base(**ONE)
    d["qa"] = {"enabled": True, "pool": "spec", "human_rate": 0.2, "catch_probability": 1.0}
    d["appeals"] = {"enabled": True, "pool": "spec", "delay_hours": 1}
    d["item_types"]["job"]["appeal_rate"] = 0.5
    r = run(d)
    acts = set(r.log["activity"].astype(str))
    assert {"qa_sample", "qa_overturn", "appeal_review"} <= acts
    k = r.kpis.set_index(["item_type", "kpi"])["value"]
    assert k["job", "qa_sampled"] > 0 and k["job", "appeals_decided"] > 0


def test_inserting_a_step_keeps_the_other_steps_draws():
    """Common random numbers: a step inserted before l1 leaves l1's handling times."""
    a = make_plan(scenario_from_dict(base(**ONE)), 1, 0)
    d = base(start="pre", steps={"pre": {"kind": "system", "routes": [{"to": "l1"}]},
                                 "l1": review()})
    b = make_plan(scenario_from_dict(d), 1, 0)
    np.testing.assert_array_equal(a.v_service, b.v_service)


def test_a_loop_taken_too_often_is_refused_at_run_time_with_its_path():
    d = base(start="l1", steps={"l1": review(routes=[{"to": "l1", "p": 0.99},
                                                     {"to": "done", "p": 0.01}])})
    with pytest.raises(ScenarioError, match=r"workflows\.job: .* still in the workflow"):
        make_plan(scenario_from_dict(d), 1, 0)
    with pytest.raises(ScenarioError, match=r"^workflows\.job: .* after 200 steps"):
        run(d)  # from simulate as the scenario error it is, not a worker's traceback


def test_a_score_pool_serves_the_highest_score_first():
    s = apply_overrides(preset("US"), {"horizon_days": 2, "warmup_days": 0,
                                       "pools.l1_listing.discipline": "score",
                                       "pools.l1_listing.headcount": 100})
    items = simulate(s, seed=1, event_log=False).items
    human = items[(items["item_type"] == "listing") & (items["route"] == "human")]
    high = human["score"] >= human["score"].median()
    assert human.loc[high, "wait_l1_h"].mean() < 0.5 * human.loc[~high, "wait_l1_h"].mean()


def test_the_expected_visits_per_step_match_the_simulated_ones():
    """workflow_flow (staffing's arithmetic) against the walk: every kind and condition."""
    d = base(start="triage", steps={
        "triage": {"kind": "system", "routes": [{"to": "dual", "when": {"label": "fake"}},
                                                {"to": "l1"}]},
        "dual": {"kind": "dual_review", "pool": "spec", "tie_break": "l1",
                 "routes": [{"to": "seller", "when": {"decision": "reject"}},
                            {"to": "done", "when": {"decision": "approve"}}]},
        "seller": {"kind": "wait", "wait": {"mean_hours": 2}, "timeout_hours": 3,
                   "routes": [{"to": "done", "when": {"timed_out": True}},
                              {"to": "l1", "when": {"timed_out": False}}]},
        "l1": review(routes=[{"to": "l2", "p": 0.2}, {"to": "done", "p": 0.8}]),
        "l2": review("spec")})
    s = scenario_from_dict(d)
    plan = make_plan(s, 1, 0)
    flow = workflow_flow(s, "job")
    for i, step in enumerate(plan.step_names):
        seen = ((plan.v_stage == STEP) & (plan.v_step == i)).sum() / plan.n_items
        assert seen == pytest.approx(flow.visits[step], abs=0.01), step
    assert plan.first_reject.mean() == pytest.approx(flow.reject, abs=0.01)
    loads = pool_loads(s)  # the analytic headcount sees the workflow's work
    assert loads["spec"].volume["job"] == pytest.approx(
        1440 * (flow.visits["dual"] + flow.visits["l2"]))


def test_the_size_guard_counts_a_workflows_extra_visits():
    chain = {f"s{i}": review(routes=[{"to": f"s{i + 1}" if i < 9 else "done"}])
             for i in range(10)}
    one = estimate_run_size(scenario_from_dict(base(**ONE)))
    ten = estimate_run_size(scenario_from_dict(base(start="s0", steps=chain)))
    items = one.items
    assert ten.events - one.events == pytest.approx(items * 2 * 9)  # 9 more reviews an item


# ------------------------------------------------------------------ overrides

def test_overrides_insert_remove_and_reroute_a_step():
    s = scenario_from_dict(base(**ONE))
    s2 = apply_overrides(s, {
        "workflows.job.steps.l2": {"kind": "review", "pool": "spec",
                                   "routes": [{"to": "done"}]},
        "workflows.job.steps.l1.routes": [{"to": "l2", "p": 0.2}, {"to": "done", "p": 0.8}],
    })
    assert list(s2.workflows["job"].steps) == ["l1", "l2"]
    with pytest.raises(ScenarioError, match=r"workflows\.job\.steps\.l2: unreachable"):
        apply_overrides(s2, {"workflows.job.steps.l1.routes.0.to": "done",
                             "workflows.job.steps.l1.routes.0.p": 1.0,
                             "workflows.job.steps.l1.routes.1": None})
    s4 = apply_overrides(s2, {"workflows.job.steps.l1.routes": [{"to": "done"}],
                              "workflows.job.steps.l2": None})
    assert list(s4.workflows["job"].steps) == ["l1"]


def test_a_proposal_turns_a_route_into_a_workflow():
    s = apply_overrides(preset("mmc"), {"routing.job": None, "workflows.job": ONE})
    assert "job" not in s.routing and s.workflows["job"].start == "l1"


# ------------------------------------------------------------------ bad input

BAD = [
    ({"start": "l1", "steps": {"l1": review(routes=[{"to": "dnoe"}])}},
     r"workflows\.job\.steps\.l1\.routes\.0\.to: unknown step 'dnoe'; did you mean 'done'"),
    ({"start": "l1", "steps": {"l1": review("servrs")}},
     r"workflows\.job\.steps\.l1\.pool: unknown pool 'servrs'; did you mean 'servers'"),
    ({"start": "l0", "steps": {"l1": review()}},
     r"workflows\.job\.start: unknown step 'l0'"),
    ({"start": "l1", "steps": {"l1": review(), "l2": review()}},
     r"workflows\.job\.steps\.l2: unreachable"),
    ({"start": "l1", "steps": {"l1": review(routes=[{"to": "l2", "p": 0.5},
                                                    {"to": "done", "p": 0.5}]),
                               "l2": review(routes=[{"to": "l3"}]),
                               "l3": review(routes=[{"to": "l2"}])}},
     r"workflows\.job\.steps\.l2: a cycle with no way out"),
    ({"start": "l1", "steps": {"l1": review(routes=[{"to": "done", "p": 0.5},
                                                    {"to": "done", "p": 0.3}])}},
     r"workflows\.job\.steps\.l1\.routes: the p of routes 0-1 .* sum to 0\.8; expected 1"),
    ({"start": "l1", "steps": {"l1": review(routes=[{"to": "done"},
                                                    {"to": "done", "when": {"label": "fake"}}])}},
     r"workflows\.job\.steps\.l1\.routes\.1: follows a group without when"),
    ({"start": "l1", "steps": {"l1": review(routes=[
        {"to": "done", "when": {"label": "fake"}}, {"to": "done", "when": {"label": "spam"}},
        {"to": "done", "when": {"label": "fake"}}, {"to": "done"}])}},
     r"workflows\.job\.steps\.l1\.routes\.2: repeats the when of an earlier group"),
    ({"start": "l1", "steps": {"l1": review(routes=[{"to": "done", "when": {"label": "faek"}},
                                                    {"to": "done"}])}},
     r"routes\.0\.when\.label: unknown label 'faek'; did you mean 'fake'"),
    ({"start": "l1", "steps": {"l1": {"kind": "review", "routes": [{"to": "done"}]}}},
     r"workflows\.job\.steps\.l1: .*a review step needs pool"),
    ({"start": "l1", "steps": {"l1": review(routes=[{"to": "done",
                                                     "when": {"label": "fake"}}])}},
     r"workflows\.job\.steps\.l1\.routes: some items match no group"),
    ({"start": "s", "steps": {"s": {"kind": "system", "routes": [{"to": "done"}]}}},
     r"workflows\.job\.steps\.s\.routes: an item can reach 'done' here without a decision"),
    ({"start": "w", "steps": {"w": {"kind": "wait", "pool": "servers",
                                    "wait": {"mean_hours": 1}, "routes": [{"to": "l1"}]},
                              "l1": review()}},
     r"workflows\.job\.steps\.w: .*pool does not apply to a wait step"),
    ({"start": "l1", "steps": {"l1": review(routes=[{"to": "done",
                                                     "when": {"timed_out": True}},
                                                    {"to": "done"}])}},
     r"routes\.0\.when\.timed_out: only a wait step with timeout_hours"),
    ({"start": "l1", "steps": {"l1": review(routes=[{"to": "done", "p": 1.5}])}},
     r"workflows\.job\.steps\.l1\.routes\.0\.p: .*probability"),
    ({"start": "d", "steps": {"d": {"kind": "dual_review", "pool": "servers",
                                    "routes": [{"to": "done"}]}}},
     r"workflows\.job\.steps\.d: .*needs tie_break"),
]


@pytest.mark.parametrize(("workflow", "message"), BAD)
def test_a_bad_workflow_is_refused_with_its_path(workflow, message):
    with pytest.raises(ScenarioError, match=message):
        scenario_from_dict(base(**workflow), source="w.yaml")


def test_a_workflow_beside_a_route_or_for_an_unknown_type_is_refused():
    d = base(**ONE)
    d["routing"] = {"job": {"pool": "servers"}}
    with pytest.raises(ScenarioError, match=r"workflows\.job: item type 'job' has both"):
        scenario_from_dict(d)
    d = base(**ONE)
    d["workflows"] = {"jbo": ONE}
    with pytest.raises(ScenarioError, match=r"workflows\.jbo: unknown item type 'jbo'; "
                                            r"did you mean 'job'"):
        scenario_from_dict(d)
