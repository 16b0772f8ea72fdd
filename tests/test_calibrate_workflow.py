"""Calibrate discovers a log's own workflow: a seeded seller-onboarding log whose
generating workflow is known (tests/onboarding_log.py), in a vocabulary unlike
modlean's, read back from the log alone.

Tolerances: a route probability within 4 standard errors of the generator's
(sqrt(p (1 - p) / n), n the transitions out of the step); a handling mean within 4
standard errors of a lognormal with CV 0.5 (2 % per 1,000 events) plus 1 %; the
seller's wait within 10 % (CV 0.8, and the queue before the call is in it).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from onboarding_log import (
    CALL_S,
    DOC_S,
    P_RISK,
    P_VERIFY,
    RISK_S,
    SELLER_WAIT_H,
    TEAMS,
    make_onboarding_log,
    write_onboarding_log,
)

import modlean
from modlean.cli import main
from modlean.decisions import calibrate
from modlean.decisions.rosters import pools_from_work
from modlean.simulation import simulate

ACTS = {"Doc check": "doc_check", "Verification call": "verification_call",
        "Risk review": "risk_review"}


@pytest.fixture(scope="module")
def path(tmp_path_factory):
    return write_onboarding_log(tmp_path_factory.mktemp("onb") / "onboarding.csv")


@pytest.fixture(scope="module")
def log(path):
    return modlean.read_log(path)


@pytest.fixture(scope="module")
def cal(log):
    return calibrate(log, timezone="UTC")


def within_4_se(p_hat: float, p: float, n: int) -> bool:
    return abs(p_hat - p) <= 4 * math.sqrt(p * (1 - p) / n) + 1e-9


def test_steps_are_the_logs_activities_with_a_wait_before_the_call(cal):
    s = cal.scenario
    assert set(s.workflows) == {"item"} and not s.routing
    wf = s.workflows["item"]
    reviews = {n: st for n, st in wf.steps.items() if st.kind == "review"}
    assert {st.activity for st in reviews.values()} == set(ACTS)
    assert set(reviews) == set(ACTS.values())
    waits = cal.waits.set_index("before")
    assert list(waits.index) == ["Verification call"]  # the only external wait
    assert waits.loc["Verification call", "after"] == "Doc check"
    wait = wf.steps[waits.loc["Verification call", "step"]]
    assert wait.kind == "wait" and wait.activity is False
    assert np.mean(wait.wait.values) == pytest.approx(SELLER_WAIT_H, rel=0.1)
    assert not s.envelope_events and not s.qa.enabled and not s.appeals.enabled
    # the assumptions table sums the workflow up; its steps are in the workflow table
    shown = cal.assumptions.set_index("field").at["workflows.item", "value"]
    assert shown == f"3 review steps, 1 wait step, {len(cal.workflow)} routes (the workflow " \
        "and waits tables)"


def test_routes_and_the_label_condition_are_recovered_within_4_se(cal):
    wf = cal.scenario.workflows["item"]
    routes = cal.workflow
    doc = routes[routes["step"] == "doc_check"]
    n = int(doc["n"].sum())
    to_wait = doc[doc["to"].str.startswith("wait_")]
    assert within_4_se(float(to_wait["p"].iloc[0]), P_VERIFY, n)
    call = wf.steps["verification_call"]
    groups = {str(w.label) if w else "rest": [r for r in call.routes if r.when == w]
              for w, _ in call.groups()}
    assert set(groups) == {"standard", "rest"}  # high_risk is the last group
    table = routes[routes["step"] == "verification_call"]
    for group, truth in (("standard", P_RISK["standard"]), ("rest", P_RISK["high_risk"])):
        p = next(r.p for r in groups[group] if r.to == "risk_review")
        in_group = table[table["when"].map(lambda w, g=group: w.get("label", "rest") == g)]
        assert within_4_se(p, truth, int(in_group["n"].sum())), (group, p)
    assert cal.scenario.item_types["item"].labels == pytest.approx(
        {"standard": 0.7, "high_risk": 0.3}, abs=0.04)
    # the start goes to the only first activity; doc check has no condition (not significant)
    assert [(r.to, r.p) for r in wf.steps["start"].routes] == [("doc_check", 1.0)]
    assert all(r.when is None for r in wf.steps["doc_check"].routes)


def test_pools_group_the_people_by_their_work_and_count_each_once(cal):
    s = cal.scenario
    wf = s.workflows["item"]
    pool = {act: wf.steps[step].pool for act, step in ACTS.items()}
    assert len(set(pool.values())) == 3 and set(pool.values()) == set(s.pools)
    for act, team in TEAMS.items():
        assert 1 <= s.pools[pool[act]].headcount <= len(team)
    shared = cal.assumptions.set_index("field").loc[
        f"pools.{pool['Risk review']}.headcount", "why"]
    assert "Ana Costa" in shared  # she works document checks too


def test_handling_from_start_and_complete_within_tolerance(cal, log):
    wf = cal.scenario.workflows["item"]
    counts = log["activity"].value_counts()
    for act, mean_s in (("Doc check", DOC_S), ("Verification call", CALL_S),
                        ("Risk review", RISK_S)):
        got = wf.steps[ACTS[act]].handling.mean_s
        tol = 4 * 0.5 / math.sqrt(counts[act]) + 0.01
        assert got == pytest.approx(mean_s, rel=tol), act
    assert set(cal.handling["basis"]) == {"start/complete"}


def test_without_starts_handling_comes_from_an_agents_own_gaps_and_says_so(log):
    cal = calibrate(log.drop(columns="start_timestamp"))
    wf = cal.scenario.workflows["item"]
    assert set(cal.handling["basis"]) == {"gap"}
    # close-to-close within an agent's sequence: an upper bound (idle time is in it)
    assert wf.steps["doc_check"].handling.mean_s >= DOC_S * 0.9
    why = cal.assumptions.set_index("field")["why"]
    assert any("gaps" in w for w in why[why.index.str.contains(".handling.")])


def test_the_calibrated_workflow_simulates_in_the_logs_words_and_times(cal, log):
    sim = simulate(cal.scenario, seed=3, item_table=False).log
    assert set(sim["activity"].astype(str).unique()) == set(ACTS)

    def cycle_h(df: pd.DataFrame) -> float:
        span = df.groupby("case_id", observed=True)["timestamp"].agg(["min", "max"])
        return float((span["max"] - span["min"]).dt.total_seconds().mean() / 3600)

    assert cycle_h(sim) == pytest.approx(cycle_h(log), rel=0.15)
    share = sim.groupby("case_id", observed=True)["activity"].agg(
        lambda a: "Risk review" in set(a.astype(str))).mean()
    truth = P_VERIFY * (0.3 * P_RISK["high_risk"] + 0.7 * P_RISK["standard"])
    assert share == pytest.approx(truth, abs=0.04)


def _weekday_specialists_log(cases: int = 1500, seed: int = 4) -> pd.DataFrame:
    """Triage around the clock (four agents), then a specialist check by one person who
    works 09-17 on weekdays, first come first served: escalations of the evening and the
    weekend wait for her shift. Starts are logged."""
    rng = np.random.default_rng(seed)
    t0 = pd.Timestamp("2026-03-02", tz="UTC")
    rows, free_at = [], t0

    def on_shift(t: pd.Timestamp) -> pd.Timestamp:
        while t.weekday() >= 5 or not 9 <= t.hour < 17:
            t = (t.normalize() + pd.Timedelta(hours=9)) if t.hour < 9 and t.weekday() < 5 \
                else t.normalize() + pd.Timedelta(days=1, hours=9)
        return t

    for i, s in enumerate(np.sort(rng.uniform(0, 28 * 86400, cases))):
        arrive = t0 + pd.Timedelta(seconds=float(s))
        done = arrive + pd.Timedelta(minutes=float(rng.gamma(2, 2)))
        case = f"K{i:05d}"
        rows.append((case, "Triage", f"triage.{i % 4}", arrive, done))
        if rng.random() < 0.25:
            begin = on_shift(max(done, free_at))
            free_at = begin + pd.Timedelta(minutes=float(rng.gamma(2, 6)))
            rows.append((case, "Specialist check", "spec.ada", begin, free_at))
    log = pd.DataFrame(rows, columns=["case_id", "activity", "resource", "start_timestamp",
                                      "timestamp"])
    return log.sort_values(["case_id", "timestamp"], ignore_index=True)


def test_a_wait_for_a_weekday_shift_is_the_queue_not_an_external_wait():
    log = _weekday_specialists_log()
    cal = calibrate(log, timezone="UTC", workflow=True)
    assert "Specialist check" not in set(cal.waits["before"])  # the queue makes it

    def wait_h(df: pd.DataFrame) -> float:
        check = df[df["activity"].astype(str) == "Specialist check"].set_index("case_id")
        triage = df[df["activity"].astype(str) == "Triage"].set_index("case_id")["timestamp"]
        return float((check["start_timestamp"] - triage.reindex(check.index))
                     .dt.total_seconds().mean() / 3600)

    sim = simulate(cal.scenario, seed=1, item_table=False).log
    assert wait_h(sim) == pytest.approx(wait_h(log), rel=0.25)


def test_a_thin_step_is_named_in_the_assumptions(log):
    rare = log[log["activity"] == "Risk review"].head(3).copy()
    rare["activity"] = "Manual escalation"
    rare["timestamp"] = rare["timestamp"] + pd.Timedelta(hours=1)
    rare["start_timestamp"] = rare["start_timestamp"] + pd.Timedelta(hours=1)
    cal = calibrate(pd.concat([log, rare], ignore_index=True))
    why = cal.assumptions.set_index("field")["why"]
    step = next(n for n, st in cal.scenario.workflows["item"].steps.items()
                if st.activity == "Manual escalation")
    assert "seen in only 3 case(s)" in why[f"workflows.item.steps.{step}"]


def test_a_pool_seen_only_as_part_of_a_seat_still_gets_one():
    at = pd.Timestamp("2026-03-02 09:10", tz="UTC")
    work = pd.DataFrame({"pool": ["X", "Y", "Y", "Y"], "resource": ["zoe"] * 4,
                         "start": pd.Series([pd.NaT] * 4, dtype="datetime64[us, UTC]"),
                         "timestamp": [at] * 4})
    handling = pd.DataFrame(columns=["pool", "item_type", "activity", "dist", "mean_s", "cv",
                                     "n", "basis"])
    notes: list[str] = []
    pools, teams, _ = pools_from_work(work, handling, {}, {}, "UTC", 0.9, {}, notes)
    # zoe is all of X's and Y's people: one team, one seat, counted once
    assert pools["X"]["team"] == pools["Y"]["team"] == "team_X_Y"
    team = teams["team_X_Y"]
    assert team["headcount"] == 1 and team["shifts"][0]["start_hour"] == 9
    assert any("pool 'X' works in too few hours" in n for n in notes)


def test_modleans_own_vocabulary_keeps_the_fixed_template_unless_asked(log):
    own = log.assign(activity=log["activity"].map({"Doc check": "review_l1",
                                                   "Verification call": "review_l2",
                                                   "Risk review": "review_l2"}))
    # at most two reviews, each in one pool (ids l1_<n> / l2_<n>; a name like "Ana Costa"
    # is a pool of one, so its first reviews would spread over pools): the template fits
    two = own[log["activity"] != "Risk review"]
    two = two.assign(resource=two["activity"].map({"review_l1": "l1_01", "review_l2": "l2_01"}))
    assert not calibrate(two).scenario.workflows
    three = calibrate(own)  # a third review the template has no place for: discovered
    assert three.scenario.workflows and "more than two reviews" in three.notes[0]
    forced = calibrate(own, workflow=True).scenario
    assert set(forced.workflows["item"].steps) >= {"review_l1", "review_l2"}


def test_cli_discovers_and_writes_the_workflow_tables(path, tmp_path, capsys):
    out = tmp_path / "cal"
    assert main(["calibrate", str(path), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "workflow discovered from the log's 3 activities" in text
    routes = pd.read_csv(out / "workflow.csv")
    assert {"doc_check", "verification_call", "risk_review", "start"} <= set(routes["step"])
    assert (out / "waits.csv").exists()
    assert main(["calibrate", str(path), "--json", "--workflow", "no"]) == 0
    assert json.loads(capsys.readouterr().out)["workflow"] is None
    assert main(["calibrate", str(path), "--json", "--history", "1"]) == 0
    steps = {r["step"] for r in json.loads(capsys.readouterr().out)["workflow"]}
    assert steps == {"start", "doc_check", "verification_call", "risk_review"}


def test_cli_holdout_scores_the_discovered_workflow_beside_the_replay(path, capsys):
    assert main(["calibrate", str(path), "--holdout", "0.2", "--json"]) == 0
    rows = {r["measure"]: r for r in json.loads(capsys.readouterr().out)["fidelity"]}
    cfld = rows["control_flow_log_distance"]
    assert cfld["modlean_distance"] is not None and cfld["modlean_distance"] < 0.15
    assert rows["cycle_time_emd"]["modlean_distance"] < rows["cycle_time_emd"]["real"]


def test_the_generator_is_seeded():
    a, b = make_onboarding_log(200, seed=1), make_onboarding_log(200, seed=1)
    pd.testing.assert_frame_equal(a, b)


def concurrent_log(cases: int = 400, seed: int = 5) -> pd.DataFrame:
    """Each case: Register, then Check and Call in either order (half and half), then Close;
    an hour between events, one clerk per activity."""
    rng = np.random.default_rng(seed)
    rows = []
    t0 = pd.Timestamp("2026-03-02", tz="UTC")
    for c in range(cases):
        middle = ["Check", "Call"] if rng.random() < 0.5 else ["Call", "Check"]
        start = t0 + pd.Timedelta(minutes=int(rng.integers(0, 14 * 24 * 60)))
        for k, act in enumerate(["Register", *middle, "Close"]):
            rows.append({"case_id": f"C{c:04d}", "activity": act, "resource": f"clerk {act}",
                         "timestamp": start + pd.Timedelta(hours=k)})
    return pd.DataFrame(rows)


def test_the_set_memory_keeps_concurrent_branches_whole():
    log = concurrent_log()
    for history, whole in (("set", True), (1, False)):
        s = calibrate(log, history=history).scenario
        sim = simulate(s, seed=4, item_table=False).log
        acts = sim.groupby("case_id", observed=True)["activity"].agg(
            lambda a: " ".join(sorted(a.astype(str))))
        every = bool(acts.eq("Call Check Close Register").all())
        assert every == whole, history  # a first-order walk repeats or skips a branch


def test_an_unknown_history_is_refused(log):
    with pytest.raises(modlean.ParameterError, match="history: found 3"):
        calibrate(log, history=3)
