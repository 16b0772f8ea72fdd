"""modlean.risk.fmea: every cell of the AIAG-VDA action-priority table, O and D scales, sorting."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from modlean.errors import ParameterError, RegisterError
from modlean.risk import action_priority, assess_fmea, detection_from_qa, occurrence_from_rate

# DOMAIN.md §1.3, transcribed row by row: (S range, O range, AP for D 7-10, 5-6, 2-4, 1)
DOMAIN_AP = [
    ((9, 10), (8, 10), "HHHH"), ((9, 10), (6, 7), "HHHH"), ((9, 10), (4, 5), "HHHM"),
    ((9, 10), (2, 3), "HMLL"), ((9, 10), (1, 1), "LLLL"),
    ((7, 8), (8, 10), "HHHH"), ((7, 8), (6, 7), "HHHM"), ((7, 8), (4, 5), "HMMM"),
    ((7, 8), (2, 3), "MMLL"), ((7, 8), (1, 1), "LLLL"),
    ((4, 6), (8, 10), "HHMM"), ((4, 6), (6, 7), "MMML"), ((4, 6), (4, 5), "MLLL"),
    ((4, 6), (1, 3), "LLLL"),
    ((2, 3), (8, 10), "MMLL"), ((2, 3), (1, 7), "LLLL"),
    ((1, 1), (1, 10), "LLLL"),
]
D_COLUMNS = [(7, 10), (5, 6), (2, 4), (1, 1)]


def expected_ap() -> dict[tuple[int, int, int], str]:
    table = {}
    for (s_lo, s_hi), (o_lo, o_hi), letters in DOMAIN_AP:
        for (d_lo, d_hi), ap in zip(D_COLUMNS, letters, strict=True):
            for s, o, d in itertools.product(range(s_lo, s_hi + 1), range(o_lo, o_hi + 1),
                                             range(d_lo, d_hi + 1)):
                assert (s, o, d) not in table
                table[(s, o, d)] = ap
    return table


def test_every_cell_of_the_action_priority_table():
    table = expected_ap()
    assert len(table) == 1000  # the transcription covers every S, O, D once
    s, o, d = zip(*table, strict=True)
    got = action_priority(list(s), list(o), list(d))
    wrong = [(k, v, g) for (k, v), g in zip(table.items(), got, strict=True) if v != g]
    assert not wrong, wrong[:5]


def test_severity_nine_is_not_always_high():
    assert action_priority(10, 1, 10) == "L"
    assert action_priority(9, 2, 4) == "L"
    assert action_priority(9, 8, 1) == "H"


def test_out_of_range_scores():
    with pytest.raises(ParameterError, match="severity 11"):
        action_priority(11, 1, 1)


def test_occurrence_from_rate_per_1000():
    rates = [150, 100, 60, 50, 25, 12, 3, 1, 0.2, 0.05, 0.005, 0.001, 0]
    assert occurrence_from_rate(rates).tolist() == [10, 10, 9, 9, 8, 7, 6, 5, 4, 3, 3, 2, 2]
    assert occurrence_from_rate(5, prevented=True) == 1


@pytest.mark.parametrize(("kwargs", "d"), [
    (dict(coverage=0.0), 10), (dict(coverage=0.003), 9), (dict(coverage=0.007), 8),
    (dict(coverage=0.03, lag_hours=48), 8), (dict(coverage=0.03, lag_hours=4), 7),
    (dict(coverage=0.10), 6), (dict(coverage=0.03, targeted=True), 5),
    (dict(coverage=0.005, targeted=True), 6), (dict(coverage=0.0, automated_check=True), 4),
    (dict(coverage=1.0, dual_review=True), 3), (dict(coverage=0.0, error_proofed=True), 2),
])
def test_detection_from_qa_coverage(kwargs, d):
    assert detection_from_qa(**kwargs) == d


def test_assess_sorts_by_ap_then_rpn():
    sheet = pd.DataFrame([
        {"fmea_id": "low-ap-high-rpn", "process_step": "s", "failure_mode": "f",
         "severity": 4, "occurrence": 3, "detection": 10},          # L, RPN 120
        {"fmea_id": "high-ap-low-rpn", "process_step": "s", "failure_mode": "f",
         "severity": 9, "occurrence": 4, "detection": 2},           # H, RPN 72
        {"fmea_id": "derived", "process_step": "s", "failure_mode": "f",
         "severity": 7, "rate_per_1000": 12, "qa_coverage": 0.03, "qa_lag_hours": 48},
    ])
    out = assess_fmea(sheet)
    assert out["fmea_id"].tolist() == ["derived", "high-ap-low-rpn", "low-ap-high-rpn"]
    derived = out.iloc[0]
    assert (derived["occurrence"], derived["detection"], derived["ap"], derived["rpn"]) == (
        7, 8, "H", 392)


def test_bad_fmea_rows_are_named():
    sheet = [{"fmea_id": "F-1", "process_step": "s", "failure_mode": "f", "severity": 11,
              "occurrence": 2, "detection": 2},
             {"fmea_id": "F-2", "process_step": "s", "failure_mode": "f", "severity": 5}]
    with pytest.raises(RegisterError) as err:
        assess_fmea(sheet, source="sheet.csv")
    assert "row 1 (F-1), field 'severity': is out of range; found 11" in str(err.value)
    sheet[0]["severity"] = 5
    with pytest.raises(RegisterError) as err:
        assess_fmea(sheet, source="sheet.csv")
    text = str(err.value)
    assert "row 2 (F-2), field 'occurrence': is required when rate_per_1000 is empty" in text
    assert "row 2 (F-2), field 'detection'" in text
