"""modlean.plots.quality and modlean.plots.risk: the figures render."""

from __future__ import annotations

import io

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from modlean.errors import ParameterError
from modlean.eventlog import read_log
from modlean.plots.quality import (
    control_chart,
    label_metrics_chart,
    pareto_chart,
    scorecard_chart,
)
from modlean.plots.risk import fmea_chart, loss_distribution, risk_heatmaps
from modlean.quality import label_metrics, laney_p_chart, pareto, read_qa, rule_flags, scorecard
from modlean.risk import load_register, simulate_losses


def _renders(fig) -> None:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    assert buf.tell() > 1000
    plt.close(fig)


def test_control_chart_with_flags():
    chart = rule_flags(laney_p_chart([40, 45, 38, 50, 42, 41, 44, 90, 43, 39] * 2,
                                     [1000] * 20, index=pd.date_range("2026-03-01",
                                                                      periods=20)))
    fig = control_chart(chart, title="daily QA error rate (Laney p')")
    assert fig.axes[0].get_title().startswith("daily")
    _renders(fig)


def test_pareto_and_scorecard_charts(root):
    qa = read_qa(root / "data" / "US" / "qa_reviews.csv")
    _renders(pareto_chart(pareto(qa["label"]), title="rejection labels"))
    card = scorecard(read_log(root / "data" / "US" / "events.csv"), qa[qa["vendor"] != "model"])
    _renders(scorecard_chart(card, "accuracy"))


def test_label_metrics_chart_draws_precision_and_recall_per_label(root):
    metrics = label_metrics(read_qa(root / "data" / "US" / "qa_reviews.csv"))
    fig = label_metrics_chart(metrics)
    bars = fig.axes[0].patches
    assert len(bars) == 2 * len(metrics)
    assert [round(b.get_width(), 6) for b in bars[:len(metrics)]] == [
        round(v, 6) for v in metrics["precision"].fillna(0)]
    _renders(fig)
    with pytest.raises(ParameterError, match="'recall' missing"):
        label_metrics_chart(metrics.drop(columns="recall"))
    with pytest.raises(ParameterError, match="column 'value' missing"):
        pareto_chart(pd.DataFrame({"x": [1]}))


def test_label_metrics_chart_shows_the_note_when_qa_gave_pass_fail(root):
    qa = read_qa(root / "data" / "US" / "qa_reviews.csv")
    passfail = qa.drop(columns=["qa_decision", "qa_label"]).assign(
        qa_result=(qa["decision"] == qa["qa_decision"]).map({True: "PASS", False: "FAIL"}))
    fig = label_metrics_chart(label_metrics(passfail))
    assert not fig.axes[0].patches  # no empty bars pretending to be zeros
    assert "pass/fail" in fig.axes[0].texts[0].get_text()
    _renders(fig)


def test_risk_heatmaps_and_fmea(root):
    reg = load_register(root / "data" / "risk_register.yaml")
    fig = risk_heatmaps(reg.assess(), matrix=reg.matrix)
    assert [ax.get_title().split(" (")[0] for ax in fig.axes[:3]] == [
        "Inherent", "Current residual", "Target residual"]
    texts = [t.get_text() for t in fig.axes[1].texts]
    assert any("R-02" in t for t in texts)
    _renders(fig)
    _renders(fmea_chart(reg.fmea))
    with pytest.raises(ParameterError, match="stages"):
        risk_heatmaps(reg.assess(), stages=("future",))


def test_loss_distribution_marks_expected_and_p90(root):
    table = load_register(root / "data" / "risk_register.yaml").assess()
    summary, totals = simulate_losses(table, runs=2000, seed=3)
    fig = loss_distribution(totals, summary)
    lines = fig.axes[0].get_lines()
    assert [ln.get_xdata()[0] for ln in lines] == [summary["expected"], summary["p90"]]
    assert "P90" in fig.axes[0].get_legend().get_texts()[1].get_text()
    _renders(fig)
    with pytest.raises(ParameterError, match="no simulated totals"):
        loss_distribution([])


def test_scorecard_chart_with_an_interval_ending_at_the_estimate():
    """Rounding can put a bound a hair past the estimate; the chart must still draw."""
    import pandas as pd

    from modlean.plots.quality import scorecard_chart

    card = pd.DataFrame({"accuracy": [1.0, 0.9], "accuracy_low": [0.93, 0.8],
                         "accuracy_high": [1.0 - 1e-12, 0.95]}, index=["BPO-A", "BPO-B"])
    assert scorecard_chart(card).axes
