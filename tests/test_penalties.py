"""modlean.risk.penalties: strike-policy what-if checked by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from modlean.errors import ParameterError
from modlean.risk import (
    max_strikes_in_window,
    simulate_strikes,
    strike_policy_whatif,
    wrongful_share_from_qa,
)

STRIKES = pd.Series([0, 1, 2, 3, 3, 5], index=list("abcdef"))


def test_expected_wrongful_by_hand():
    out = strike_policy_whatif(STRIKES, {"now": {"suspension": 3}}, wrongful=0.1)
    row = out.iloc[0]
    assert row["sellers"] == 3  # d, e, f
    # P(Bin(3, .9) < 3) = 1 − .9³ = .271 (twice); P(Bin(5, .9) ≤ 2) = 1e-5 + 4.5e-4 + 8.1e-3
    expected = 2 * 0.271 + (1e-5 + 4.5e-4 + 8.1e-3)
    assert row["expected_wrongful"] == pytest.approx(expected)
    assert row["wrongful_low"] <= expected <= row["wrongful_high"]
    assert row["wrongful_share"] == pytest.approx(expected / 3)


def test_tiers_current_vs_proposed():
    out = strike_policy_whatif(STRIKES, {
        "current": {"warning": 1, "suspension": 3, "termination": 5},
        "proposed": {"warning": 2, "suspension": 4}}, wrongful=0.0)
    counts = out.set_index(["policy", "tier"])["sellers"].to_dict()
    assert counts == {("current", "warning"): 5, ("current", "suspension"): 3,
                      ("current", "termination"): 1, ("proposed", "warning"): 4,
                      ("proposed", "suspension"): 1}
    assert (out["expected_wrongful"] == 0).all() and (out["wrongful_high"] == 0).all()


def test_qa_uncertainty_widens_the_interval_and_is_seeded():
    strikes = simulate_strikes(5000, seed=3)
    policy = {"p": {"suspension": 3}}
    fixed = strike_policy_whatif(strikes, policy, wrongful=0.04, seed=1).iloc[0]
    counted = strike_policy_whatif(strikes, policy, wrongful=(12, 300), seed=1).iloc[0]
    again = strike_policy_whatif(strikes, policy, wrongful=(12, 300), seed=1).iloc[0]
    assert counted.equals(again)
    assert fixed["expected_wrongful"] == pytest.approx(counted["expected_wrongful"])
    width = lambda r: r["wrongful_high"] - r["wrongful_low"]  # noqa: E731
    assert width(counted) > width(fixed)


def test_strikes_inside_a_window():
    v = pd.DataFrame({"seller_id": ["a", "a", "a", "b", "b", "b"],
                      "timestamp": ["2026-01-01", "2026-01-20", "2026-05-01", "2026-01-01",
                                    "2026-01-02", "2026-01-03"]})
    assert max_strikes_in_window(v, window_days=30).to_dict() == {"a": 2, "b": 3}
    assert max_strikes_in_window(v, window_days=None).to_dict() == {"a": 3, "b": 3}
    with pytest.raises(ParameterError, match="row 2, column 'timestamp'"):
        max_strikes_in_window(v.assign(timestamp=["2026-01-01", "soon", "x", "y", "z", "w"]))


def test_wrongful_share_from_qa_and_bad_policies():
    qa = pd.DataFrame({"case_id": list("abcd"), "reviewer": "r1",
                       "decision": ["reject", "REJECT", "approve", "Reject"],
                       "qa_decision": ["reject", "approve", "reject", "reject"]})
    assert wrongful_share_from_qa(qa) == (1, 3)
    pass_fail = qa.drop(columns="qa_decision").assign(qa_result=["PASS", "fail", "fail", "pass"])
    assert wrongful_share_from_qa(pass_fail) == (1, 3)
    with pytest.raises(ParameterError, match="maybe"):
        wrongful_share_from_qa(qa.assign(qa_decision=["reject", "maybe", "reject", "reject"]))
    with pytest.raises(ParameterError, match="threshold 0"):
        strike_policy_whatif(STRIKES, {"p": {"warning": 0}}, wrongful=0.1)
    with pytest.raises(ParameterError, match="expected a number 0-1"):
        strike_policy_whatif(STRIKES, {"p": {"warning": 1}}, wrongful=1.5)
