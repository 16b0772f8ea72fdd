"""decision_quality: decision quality from QA tables and vendor scorecards, by hand."""

from __future__ import annotations

import importlib.util

import numpy as np
import pandas as pd
import pytest

from modlean.errors import ParameterError
from modlean.eventlog import read_log
from modlean.quality import (
    decision_quality,
    label_confusion,
    label_metrics,
    read_qa,
    scorecard,
    severity_weighted_score,
)

QA = pd.DataFrame({
    "case_id": [f"c{i}" for i in range(1, 11)],
    "reviewer": ["r1"] * 5 + ["r2"] * 5,
    "decision": ["reject", "reject", "reject", "approve", "approve", "approve", "approve",
                 "approve", "reject", "approve"],
    "label": ["counterfeit", "counterfeit", "prohibited", None, None, None, None, None,
              "prohibited", None],
    "qa_decision": ["reject", "reject", "approve", "reject", "approve", "approve", "approve",
                    "approve", "reject", "approve"],
    "qa_label": ["counterfeit", "image_theft", None, "prohibited", None, None, None, None,
                 "prohibited", None],
})


def test_decision_quality_by_hand():
    q = decision_quality(QA)["value"]
    assert (q["tp"], q["fp"], q["fn"], q["tn"]) == (3, 1, 1, 5)
    assert q["accuracy"] == pytest.approx(0.8)
    assert q["accuracy_with_label"] == pytest.approx(0.7)
    assert q["error_rate"] == pytest.approx(0.3)
    assert q["false_rejection_rate"] == pytest.approx(1 / 6)  # FP/(FP+TN)
    assert q["miss_rate"] == pytest.approx(1 / 4)              # FN/(FN+TP)
    assert q["precision"] == pytest.approx(3 / 4)
    assert q["recall"] == pytest.approx(3 / 4)
    assert q["f1"] == pytest.approx(3 / 4)
    assert q["label_accuracy"] == pytest.approx(2 / 3)         # right code / right rejections
    assert q["label_error_rate"] == pytest.approx(1 / 3)
    table = decision_quality(QA)
    assert table.loc["accuracy", "low"] < 0.8 < table.loc["accuracy", "high"]


def test_weights_turn_sample_counts_into_population_estimates():
    weighted = QA.assign(w=[1, 1, 10, 1, 1, 1, 1, 1, 1, 1])
    q = decision_quality(weighted, weight="w")["value"]
    assert q["false_rejection_rate"] == pytest.approx(10 / 15)
    with pytest.raises(ParameterError, match="row 1, column 'w'"):
        decision_quality(weighted.assign(w=0), weight="w")


def test_label_confusion_and_metrics_by_hand():
    conf = label_confusion(QA)
    assert conf.loc["counterfeit", "image_theft"] == 1
    assert conf.loc["prohibited", "(approve)"] == 1
    assert conf.loc["(approve)", "prohibited"] == 1
    assert conf.to_numpy().sum() == 10
    m = label_metrics(QA)
    assert m.loc["counterfeit", ["predicted", "actual", "correct"]].tolist() == [2, 1, 1]
    assert m.loc["counterfeit", "precision"] == pytest.approx(0.5)
    assert m.loc["counterfeit", "recall"] == pytest.approx(1.0)
    assert m.loc["prohibited", "f1"] == pytest.approx(0.5)
    assert m.loc["image_theft", "recall"] == 0 and np.isnan(m.loc["image_theft", "precision"])
    assert "(approve)" not in m.index


def test_missing_columns_are_named():
    with pytest.raises(ParameterError, match=r"missing column\(s\) \['decision'\]"):
        decision_quality(QA.drop(columns="decision"))


def test_without_qa_label_the_label_figures_are_left_out_with_a_note():
    q = decision_quality(QA.drop(columns="qa_label"))
    full = decision_quality(QA)
    assert q.loc["accuracy", "value"] == full.loc["accuracy", "value"]
    assert q.loc["error_rate", "value"] == pytest.approx(0.2)  # wrong decisions only
    assert "no ['qa_label'] column" in q.loc["error_rate", "note"]
    assert np.isnan(q.loc["label_accuracy", "value"])
    assert "no ['qa_label'] column" in q.loc["label_accuracy", "note"]
    assert (label_metrics(QA.drop(columns="qa_label"))["note"] != "").all()


def _small_log() -> pd.DataFrame:
    rows = []
    t0 = pd.Timestamp("2026-03-02T00:00:00Z")
    for case, reviewer, aht, hours in [("c1", "r1", 60, 2), ("c2", "r1", 60, 30),
                                       ("c3", "r2", 120, 2), ("c4", "r2", 120, 30)]:
        start = t0 + pd.Timedelta(hours=1)
        rows += [
            (case, "submitted", t0, pd.NaT, "seller"),
            (case, "review_l1", start + pd.Timedelta(seconds=aht), start, reviewer),
            (case, "decision_sent", t0 + pd.Timedelta(hours=hours), pd.NaT, "system"),
        ]
    frame = pd.DataFrame(rows, columns=["case_id", "activity", "timestamp", "start_timestamp",
                                        "resource"])
    return read_log(frame)


def test_scorecard_by_hand():
    qa = pd.DataFrame({"case_id": ["c1", "c2", "c3", "c4"], "reviewer": ["r1", "r1", "r2", "r2"],
                       "vendor": ["A", "A", "B", "B"],
                       "decision": ["reject", "approve", "approve", "reject"],
                       "qa_decision": ["reject", "reject", "approve", "reject"]})
    card = scorecard(_small_log(), qa, sla_hours=24, cost_per_hour={"A": 9, "B": 22})
    assert card.loc["A", "accuracy"] == pytest.approx(0.5)
    assert card.loc["B", "accuracy"] == pytest.approx(1.0)
    assert card.loc["A", "aht_s"] == pytest.approx(60)
    assert card.loc["B", "aht_s"] == pytest.approx(120)
    assert card.loc["A", "sla"] == pytest.approx(0.5)
    assert card.loc["A", "cost_per_decision"] == pytest.approx(60 / 3600 * 9)
    assert card.loc["B", "cost_per_decision"] == pytest.approx(120 / 3600 * 22)
    assert card.loc["A", "accuracy_low"] < 0.5 < card.loc["A", "accuracy_high"]
    with pytest.raises(ParameterError, match="scorecard by 'site'"):
        scorecard(_small_log(), qa, by="site")


def test_scorecard_of_a_log_in_a_vendors_words_by_hand():
    """No review_l1 in the log: reviews are what people did, turnaround from a case's first
    event to its last review (the model, the system and QA are no reviewers)."""
    t = pd.Timestamp("2026-03-02 08:00", tz="UTC")
    h = pd.Timedelta(hours=1)
    log = pd.DataFrame({
        "case_id": ["c1"] * 4 + ["c2"] * 3,
        "activity": ["NOWE", "Weryfikacja", "Eskalacja", "qa_review",
                     "NOWE", "Automat", "Weryfikacja"],
        "timestamp": [t, t + 2 * h, t + 5 * h, t + 9 * h, t, t, t + 30 * h],
        "start_timestamp": [pd.NaT, t + h, t + 4 * h, pd.NaT, pd.NaT, pd.NaT, t + 29.5 * h],
        "resource": ["system", "ola", "ewa", "qa1", "system", "model", "ola"],
        "vendor": ["A", "A", "B", "Q", "A", "A", "A"]})
    qa = pd.DataFrame({"case_id": ["c1", "c2"], "reviewer": ["ewa", "ola"],
                       "decision": ["reject", "approve"], "qa_result": ["pass", "fail"]})
    card = scorecard(log, qa, sla_hours=24)
    assert card.loc["B", "reviews"] == 1 and card.loc["A", "reviews"] == 2  # not NOWE/Automat
    assert card.loc["A", "aht_s"] == pytest.approx((3600 + 1800) / 2)
    assert card.loc["B", "sla"] == pytest.approx(1.0)  # c1: 5 h from its first event
    assert card.loc["A", "sla"] == pytest.approx(0.0)  # c2: 30 h
    assert set(card.index) == {"A", "B"}


def _sample_script(root):
    spec = importlib.util.spec_from_file_location("make_sample_qa",
                                                  root / "data" / "make_sample_qa.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("market", ["US", "TH"])
def test_sample_qa_tables_are_reproducible_and_match_the_logs(root, market):
    path = root / "data" / market / "qa_reviews.csv"
    on_disk = read_qa(path)
    made = _sample_script(root).make_market(market, _sample_script(root).SEEDS[market])
    assert len(made) == len(on_disk) > 20
    assert made["case_id"].tolist() == on_disk["case_id"].tolist()
    events = pd.read_csv(root / "data" / market / "events.csv", usecols=["case_id"])
    assert set(on_disk["case_id"]) <= set(events["case_id"])
    quality = decision_quality(on_disk, weight=None)["value"]
    assert 0.8 < quality["accuracy"] <= 1.0


def test_severity_weighted_score_by_hand():
    qa = QA.assign(error_severity=["", "minor", "major", "critical"] + [""] * 6)
    # 1 − (0.1 + 0.5 + 1.0) / (10 × 1.0)
    assert severity_weighted_score(qa) == pytest.approx(1 - 1.6 / 10)
    with pytest.raises(ParameterError, match="row 2, column 'error_severity': found 'tiny'"):
        severity_weighted_score(qa.assign(error_severity=["", "tiny"] + [""] * 8))


# ---------------------------------------------------------------- chart and Pareto inputs

def test_is_error_matches_accuracy_with_and_without_labels():
    from modlean.quality import is_error

    assert is_error(QA).tolist() == [False, True, True, True] + [False] * 6
    assert is_error(QA, label=False).sum() == 2  # decision only: 1 FP + 1 FN
    q = decision_quality(QA)["value"]
    assert 1 - is_error(QA).mean() == pytest.approx(q["accuracy_with_label"])
    assert 1 - is_error(QA, label=False).mean() == pytest.approx(q["accuracy"])


def test_error_types_name_the_kind_and_the_label():
    from modlean.quality import error_types

    kinds = error_types(QA)
    assert kinds.to_dict() == {1: "wrong label: counterfeit",
                               2: "wrong rejection: prohibited",
                               3: "missed: prohibited"}
    assert error_types(QA, by="kind").tolist() == ["wrong label", "wrong rejection", "missed"]
    assert error_types(QA, by="label").tolist() == ["counterfeit", "prohibited", "prohibited"]
    with pytest.raises(ParameterError, match="by 'vendor'"):
        error_types(QA, by="vendor")


def test_error_counts_per_column_and_per_series():
    from modlean.quality import error_counts

    per = error_counts(QA, "reviewer")
    assert per["errors"].tolist() == [3, 0] and per["checked"].tolist() == [5, 5]
    assert per["rate"].tolist() == [0.6, 0.0]
    halves = pd.Series(["a"] * 3 + ["b"] * 6 + [None], index=QA.index)
    by_series = error_counts(QA, halves)
    assert by_series.to_dict("index") == {"a": {"errors": 2, "checked": 3, "rate": 2 / 3},
                                          "b": {"errors": 1, "checked": 6, "rate": 1 / 6}}
    with pytest.raises(ParameterError, match="no such column"):
        error_counts(QA, "vendor")


def test_decision_periods_date_each_check_by_its_decision():
    from modlean.quality import decision_periods, error_counts

    ts = pd.to_datetime(["2026-03-02T10:00Z", "2026-03-02T23:00Z", "2026-03-03T01:00Z",
                         "2026-03-03T00:30Z", "2026-03-09T05:00Z"]).astype("datetime64[us, UTC]")
    log = pd.DataFrame({"case_id": ["c1", "c2", "c3", "c3", "c4"],
                        "activity": ["decision_sent"] * 3 + ["decision_sent", "decision_sent"],
                        "timestamp": ts})
    days = decision_periods(QA, log)
    assert [str(d.date()) if pd.notna(d) else None for d in days[:5]] == [
        "2026-03-02", "2026-03-02", "2026-03-03", "2026-03-09", None]
    counts = error_counts(QA, days)
    assert counts["checked"].tolist() == [2, 1, 1]  # c5..c10 are not in the log
    weeks = decision_periods(QA, log, freq="W")
    assert str(weeks[0].date()) == "2026-03-02" and str(weeks[3].date()) == "2026-03-09"
    with pytest.raises(ParameterError, match="freq 'fortnight'"):
        decision_periods(QA, log, freq="fortnight")


def test_with_weights_is_one_over_the_inclusion_probability():
    from modlean.quality import with_weights

    qa = QA.assign(inclusion_probability=[0.2] * 5 + [0.05] * 5)
    w = with_weights(qa)["weight"]
    assert w.tolist() == pytest.approx([5] * 5 + [20] * 5)
    q = decision_quality(with_weights(qa), weight="weight")["value"]
    assert q["tn"] == pytest.approx(5 + 4 * 20)
    with pytest.raises(ParameterError, match="row 2, column 'inclusion_probability'"):
        with_weights(qa.assign(inclusion_probability=[0.2, 0, 1, 1, 1, 1, 1, 1, 1, 1]))
