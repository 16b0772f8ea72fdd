"""modlean.process.conformance: one test per rule type, the SOP template, and bad SOP files."""

from __future__ import annotations

import pandas as pd
import pytest

import modlean
from modlean import process
from modlean.errors import ScenarioError

T0 = pd.Timestamp("2026-03-02T08:00:00Z")


def make_log(cases: dict[str, list[tuple[str, float]]]) -> pd.DataFrame:
    """Cases as lists of (activity, hours after 08:00 UTC)."""
    rows = [(c, a, T0 + pd.Timedelta(hours=h)) for c, evs in cases.items() for a, h in evs]
    frame = pd.DataFrame(rows, columns=["case_id", "activity", "timestamp"])
    frame["timestamp"] = frame["timestamp"].astype("datetime64[us, UTC]")
    return frame


SOP = {
    "name": "test",
    "start": ["submit"],
    "end": ["decide"],
    "transitions": {"submit": ["review"], "review": ["decide", "escalate"],
                    "escalate": ["review_l2"], "review_l2": ["decide"], "decide": ["appeal"],
                    "appeal": ["decide"]},
    "mandatory": ["submit", "decide"],
    "forbidden": [{"sequence": ["decide", "review"], "reason": "no review after the decision"},
                  {"sequence": ["appeal", "appeal"], "directly": True}],
    "max_time": [{"from": "escalate", "to": "review_l2", "within": "4h",
                  "reason": "escalations are picked up within 4 hours"}],
}
GOOD = [("submit", 0), ("review", 1), ("decide", 2)]


def only(result: process.Conformance, case: str) -> pd.DataFrame:
    return result.deviations[result.deviations["case_id"] == case]


def test_a_conforming_case_has_fitness_one():
    r = process.check_conformance(make_log({"ok": GOOD}), SOP)
    assert r.deviations.empty
    assert r.cases.loc["ok", "fitness"] == 1.0 and r.conforming_share == 1.0
    # start, end, 2 transitions, 2 mandatory, 2 forbidden (no max_time measured)
    assert r.cases.loc["ok", "checks"] == 8
    assert set(r.rules["rule"]) == set(process.RULES)  # every rule listed, even unbroken


def test_start_rule():
    r = process.check_conformance(make_log({"c": [("review", 0), ("decide", 1)]}), SOP)
    d = only(r, "c")
    start = d[d["rule"] == "start"].iloc[0]
    assert start["position"] == 1 and start["activity"] == "review"
    assert "starts with review; the SOP allows submit" in start["detail"]


def test_end_rule():
    r = process.check_conformance(make_log({"c": [("submit", 0), ("review", 1)]}), SOP)
    end = only(r, "c").query("rule == 'end'").iloc[0]
    assert end["position"] == 2 and end["activity"] == "review"


def test_transition_rule():
    r = process.check_conformance(make_log({"c": [("submit", 0), ("decide", 1)]}), SOP)
    d = only(r, "c")
    assert list(d["rule"]) == ["transition"]
    assert d.iloc[0]["position"] == 2
    assert d.iloc[0]["detail"] == ("submit directly followed by decide; after submit the SOP "
                                   "allows review")
    assert r.cases.loc["c", "fitness"] == pytest.approx(1 - 1 / 7)


def test_mandatory_rule():
    r = process.check_conformance(make_log({"c": [("review", 0)]}), {"mandatory": ["submit",
                                                                          "decide"]})
    d = only(r, "c")
    assert list(d["rule"]) == ["mandatory", "mandatory"]
    assert set(d["detail"]) == {"submit never happened in the case",
                                "decide never happened in the case"}
    assert r.cases.loc["c", "fitness"] == 0.0


def test_forbidden_sequence_with_steps_between():
    log = make_log({"c": [*GOOD, ("appeal", 3), ("review", 4), ("decide", 5)],
                    "ok": [*GOOD, ("appeal", 3), ("decide", 4)]})
    r = process.check_conformance(log, SOP)
    d = only(r, "c").query("rule == 'forbidden'")
    assert len(d) == 1 and d.iloc[0]["position"] == 5  # the review after the decision
    assert "no review after the decision" in d.iloc[0]["detail"]
    assert only(r, "ok").empty


def test_forbidden_directly():
    log = make_log({"c": [*GOOD, ("appeal", 3), ("appeal", 4), ("decide", 5)],
                    "gap": [*GOOD, ("appeal", 3), ("decide", 4), ("appeal", 5),
                            ("decide", 6)]})
    r = process.check_conformance(log, SOP)
    assert list(only(r, "c").query("rule == 'forbidden'")["position"]) == [5]
    assert only(r, "gap").query("rule == 'forbidden'").empty


def test_max_time_rule():
    log = make_log({
        "late": [("submit", 0), ("review", 1), ("escalate", 1.5), ("review_l2", 6),
                 ("decide", 7)],
        "fast": [("submit", 0), ("review", 1), ("escalate", 1.5), ("review_l2", 5),
                 ("decide", 6)],
    })
    r = process.check_conformance(log, SOP)
    d = r.deviations
    assert list(d["case_id"]) == ["late"]
    assert d.iloc[0]["rule"] == "max_time" and d.iloc[0]["position"] == 4
    assert d.iloc[0]["detail"].startswith("review_l2 came 4 h 30 min after escalate; the SOP "
                                          "allows 4 h")
    assert r.cases.loc["fast", "checks"] == 11  # start, end, 4 transitions, 2+2, one timing
    row = r.rules.set_index("rule").loc["max_time"]
    assert row["cases"] == 1 and row["share_of_cases"] == 0.5


def test_max_time_uses_the_start_of_the_target():
    log = make_log({"c": [("escalate", 0), ("review_l2", 5)]})
    log["start_timestamp"] = [pd.NaT, T0 + pd.Timedelta(hours=3)]
    log["start_timestamp"] = log["start_timestamp"].astype("datetime64[us, UTC]")
    r = process.check_conformance(log, {"max_time": SOP["max_time"]})
    assert r.deviations.empty


def test_template_sop_on_the_sample_logs(root):
    sop = process.load_sop(root / "templates/sop/moderation.yaml")
    log = modlean.read_log(root / "data/US/events.csv")
    assert set(log["activity"]) <= sop.activities()
    r = process.check_conformance(log, sop)
    assert set(r.deviations["rule"]) <= {"max_time"}  # the sample follows the flow
    assert 0.95 < r.conforming_share < 1.0
    assert r.cases["fitness"].between(0, 1).all()


def test_bad_sop_files_name_the_field(write):
    bad = write("sop.yaml", "max_time:\n  - {from: a, to: b, within: soon}\n")
    with pytest.raises(ScenarioError, match=r"sop.yaml: max_time\[0\].within: found 'soon'"):
        process.load_sop(bad)
    with pytest.raises(ScenarioError, match="unknown field"):
        process.load_sop({"strat": ["a"]})
    with pytest.raises(ScenarioError, match="two or more"):
        process.load_sop({"forbidden": [["a"]]})
    with pytest.raises(ScenarioError, match="not valid YAML"):
        process.load_sop(write("x.yaml", "start: [a\n"))
    with pytest.raises(ScenarioError, match="cannot read it"):
        process.load_sop("/nonexistent/sop.yaml")


def test_token_replay_agrees_with_the_control_flow_rules():
    pytest.importorskip("pm4py")
    log = make_log({"ok": GOOD, "skip": [("submit", 0), ("decide", 1)],
                    "late_start": [("review", 0), ("decide", 1)]})
    replay = process.token_replay(log, SOP)
    assert list(replay.index) == ["late_start", "ok", "skip"]
    assert replay.loc["ok", "fitness"] == 1.0 and replay.loc["ok", "is_fit"]
    assert not replay.loc["skip", "is_fit"] and replay.loc["skip", "fitness"] < 1
    rules = process.check_conformance(log, {k: SOP[k] for k in ("start", "end", "transitions")})
    assert dict(replay["is_fit"]) == dict(rules.cases["conforming"])
    with pytest.raises(ScenarioError, match="needs the SOP"):
        process.token_replay(log, {"mandatory": ["submit"]})


def test_every_rule_field_of_the_sop_has_a_registered_checker():
    from modlean.process.sop import RULE_FIELDS

    assert tuple(process.CHECKERS) == RULE_FIELDS
    assert all(hasattr(process.SOP(), key) for key in RULE_FIELDS)


def test_only_the_rules_the_sop_sets_are_checked():
    r = process.check_conformance(make_log({"c": [("review", 0), ("decide", 1)]}),
                                  {"mandatory": ["submit"]})
    assert set(r.rules["rule"]) == {"mandatory"}
    assert r.cases.loc["c", "checks"] == 1


def test_an_sop_in_another_vocabulary_is_warned_about():
    log = make_log({"c": [("queued:review_l1", 0), ("review_l1", 1), ("closed", 2)]})
    with pytest.warns(process.MiningWarning, match="never occur in the log.*Is this the SOP"):
        result = process.check_conformance(log, SOP)
    assert not result.cases["conforming"].any()


def test_rules_naming_only_activities_the_log_never_records_are_warned_about():
    # the review steps are the SOP's, but the export logs no submission and no sent decision
    log = make_log({"c": [("queued_l1", 0), ("review_l1", 1)],
                    "d": [("queued_l1", 0), ("review_l1", 1)]})
    sop = {"start": ["submitted"], "end": ["decision_sent", "review_l1"],
           "mandatory": ["review_l1", "decision_sent"],
           "transitions": {"queued_l1": ["review_l1"]}}
    with pytest.warns(process.MiningWarning,
                      match="every case breaks its rules start, mandatory decision_sent;"):
        process.check_conformance(log, sop)
