"""modlean.quality: decision quality from QA tables and vendor scorecards, by hand."""

from __future__ import annotations

import importlib.util

import numpy as np
import pandas as pd
import pytest

from modlean.errors import ParameterError
from modlean.log import read_log
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
    assert q["false_rejection_rate"] == pytest.approx(1 / 6)  # FP/(FP+TN)
    assert q["miss_rate"] == pytest.approx(1 / 4)              # FN/(FN+TP)
    assert q["precision"] == pytest.approx(3 / 4)
    assert q["recall"] == pytest.approx(3 / 4)
    assert q["f1"] == pytest.approx(3 / 4)
    assert q["label_accuracy"] == pytest.approx(2 / 3)         # right code / right rejections
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
    with pytest.raises(ParameterError, match=r"missing column\(s\) \['qa_label'\]"):
        decision_quality(QA.drop(columns="qa_label"))


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
