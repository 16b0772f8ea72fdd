"""QA tables in the field's shapes: PASS/FAIL with fail reasons, vendor spellings, local days.

The QA export below is made the way a BPO's review tool and a PM's pandas session
make them: the vendor's own words (APPROVE/REJECT, PASS/FAIL, queue names), a
semicolon separator, a decimal-comma score, day-first local times, and the
unnamed index column ``DataFrame.to_csv`` writes by default. Its truth is known,
so every figure is checked against the verdict table that truth implies.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from modlean.errors import ParameterError
from modlean.quality import (
    NO_LABEL_NOTE,
    NO_REASON,
    NO_VERDICT_NOTE,
    agreement_summary,
    decision_periods,
    decision_quality,
    error_counts,
    error_types,
    is_error,
    label_confusion,
    label_metrics,
    local_periods,
    pareto,
    qa_agreement,
    qa_overview,
    qa_shape,
    read_qa,
    scorecard,
)

QUEUES = {"T1-LISTING-DE": 0.06, "T2-SPECIALIST": 0.12, "IPR-LEGAL": 0.03}
REASONS = ["Missed counterfeit", "Over-enforcement", "Policy misread", "Wrong queue"]
BINARY = ["reject", "approve"]


def _export(n: int = 600, seed: int = 11) -> pd.DataFrame:
    """One row per QA-checked task, with the truth kept aside in ``_truth``."""
    rng = np.random.default_rng(seed)
    queue = rng.choice(list(QUEUES), size=n, p=[0.6, 0.3, 0.1])
    agent = np.char.add("de.agent", rng.integers(10, 30, size=n).astype(str))
    violating = rng.random(n) < 0.3
    wrong = rng.random(n) < pd.Series(queue).map(QUEUES).to_numpy()
    rejected = violating ^ wrong
    reason = np.where(wrong, rng.choice([*REASONS, ""], size=n), "")
    spelling = rng.choice(["REJECT", "Reject", "reject"], size=n)
    closed = pd.Timestamp("2026-03-02 08:00") + pd.to_timedelta(rng.integers(0, 14 * 24 * 60,
                                                                             size=n), unit="min")
    return pd.DataFrame({
        "ticket_id": [f"DE-{i:06d}" for i in range(n)],
        "queue": queue,
        "agent": agent,
        "verdict": np.where(rejected, spelling, "APPROVE"),
        "reason_code": np.where(rejected, rng.choice(["CF-01", "PRH-2", "IP-7"], size=n), ""),
        "model_score": [f"{s:.2f}".replace(".", ",") for s in rng.random(n)],
        "qa_agent": rng.choice(["qa.anna", "qa.ben"], size=n),
        "qa_time": (closed + pd.Timedelta(hours=20)).strftime("%d.%m.%Y %H:%M"),
        "qa_result": np.where(wrong, "FAIL", "PASS"),
        "qa_fail_reason": reason,
        "_truth": np.where(violating, "reject", "approve"),
    })


def _qa_table(export: pd.DataFrame) -> pd.DataFrame:
    """The export's columns named as a QA table (what an import's ``--qa-out`` gives)."""
    return export.rename(columns={"ticket_id": "case_id", "agent": "reviewer", "queue": "pool",
                                  "verdict": "decision", "reason_code": "label",
                                  "qa_agent": "qa_reviewer", "qa_fail_reason": "qa_reason"}
                         ).drop(columns="_truth")


@pytest.fixture(scope="module")
def export():
    return _export()


@pytest.fixture(scope="module")
def passfail(export, tmp_path_factory):
    path = tmp_path_factory.mktemp("qa") / "de_qa.csv"
    _qa_table(export).to_csv(path, sep=";")  # pandas' default: the index is written too
    return read_qa(path)


@pytest.fixture(scope="module")
def verdicts(export):
    """The verdict table the truth implies: QA's decision is the truth itself."""
    table = _qa_table(export).drop(columns=["qa_result", "qa_reason"])
    return table.assign(qa_decision=export["_truth"].to_numpy(), qa_label="")


def test_a_pandas_written_semicolon_export_reads_as_the_pass_fail_shape(export, passfail):
    assert qa_shape(passfail) == "pass_fail"
    assert "Unnamed: 0" not in passfail.columns and len(passfail) == len(export)
    assert set(passfail["decision"]) == set(BINARY)  # REJECT, Reject, reject all read as reject
    assert set(passfail["qa_result"]) == {"pass", "fail"}
    assert passfail["case_id"].iloc[0] == "DE-000000"


def test_read_qa_takes_parquet_and_frames_too(passfail, tmp_path):
    path = tmp_path / "qa.parquet"
    passfail.to_parquet(path)
    pd.testing.assert_frame_equal(read_qa(path), passfail)
    pd.testing.assert_frame_equal(read_qa(passfail), passfail)


def test_pass_fail_gives_the_decision_figures_the_implied_verdicts_give(export, passfail,
                                                                        verdicts):
    pf, vd = decision_quality(passfail), decision_quality(verdicts)
    for metric in ("accuracy", "false_rejection_rate", "miss_rate", "precision", "recall", "f1",
                   "tp", "fp", "fn", "tn"):
        assert pf.loc[metric, "value"] == pytest.approx(vd.loc[metric, "value"], nan_ok=True)
        assert pf.loc[metric, "note"] == ""
    failed = export["qa_result"] == "FAIL"
    rejected = export["verdict"].str.lower() == "reject"
    # a failed reject was a wrong reject; a failed approve a missed violation
    frr = (failed & rejected).sum() / ((failed & rejected) | (~failed & ~rejected)).sum()
    assert pf.loc["false_rejection_rate", "value"] == pytest.approx(frr)
    assert pf.loc["error_rate", "value"] == pytest.approx(failed.mean())
    assert "failed" in pf.loc["error_rate", "note"]
    assert pf.loc["accuracy", "low"] < pf.loc["accuracy", "value"] < pf.loc["accuracy", "high"]


def test_figures_that_need_qa_s_own_label_are_left_out_with_a_note(passfail):
    q = decision_quality(passfail)
    for metric in ("accuracy_with_label", "label_accuracy", "label_error_rate"):
        assert np.isnan(q.loc[metric, "value"]) and q.loc[metric, "n"] == 0
        assert q.loc[metric, "note"] == NO_LABEL_NOTE
    metrics = label_metrics(passfail)
    assert metrics["precision"].isna().all() and (metrics["note"] == NO_LABEL_NOTE).all()
    assert metrics["predicted"].sum() == (passfail["decision"] == "reject").sum()
    confusion = label_confusion(passfail)
    assert list(confusion.columns) == ["checked", "note"]
    assert confusion["checked"].sum() == len(passfail)


def test_agreement_with_qa_is_left_out_for_pass_fail_and_computed_for_verdicts(passfail,
                                                                               verdicts):
    left_out = qa_agreement(passfail)
    assert left_out["note"] == NO_VERDICT_NOTE and np.isnan(left_out["cohen_kappa"])
    assert left_out["items"] == len(passfail)
    given = qa_agreement(verdicts.assign(decision=verdicts["decision"].str.lower()))
    expected = agreement_summary(verdicts[["decision", "qa_decision"]].apply(
        lambda c: c.str.lower()), positive="reject")
    assert given["cohen_kappa"] == pytest.approx(expected["cohen_kappa"])
    assert given["gwet_ac1"] == pytest.approx(expected["gwet_ac1"])
    assert given["note"] == ""


def test_error_rates_per_pool_and_reviewer_come_with_intervals(export, passfail):
    per_pool = decision_quality(passfail, by="pool")
    share = (export["qa_result"] == "FAIL").groupby(export["queue"]).mean()
    for pool, rate in share.items():
        row = per_pool.loc[(pool, "error_rate")]
        assert row["value"] == pytest.approx(rate)
        assert row["low"] <= rate <= row["high"]
    counts = error_counts(passfail, "reviewer")
    fails = (export["qa_result"] == "FAIL").groupby(export["agent"]).sum()
    assert counts["errors"].to_dict() == fails.to_dict()
    with pytest.raises(ParameterError, match="by 'queue'"):
        decision_quality(passfail, by="queue")


def test_fail_reasons_feed_the_pareto(export, passfail):
    wrong = export["qa_result"] == "FAIL"
    reasons = error_types(passfail, by="label")
    given = export.loc[wrong, "qa_fail_reason"].replace("", NO_REASON).value_counts()
    assert reasons.value_counts().sort_index().to_dict() == given.sort_index().to_dict()
    kinds = error_types(passfail, by="kind")
    rejected = export["verdict"].str.lower() == "reject"
    assert (kinds == "wrong rejection").sum() == (wrong & rejected).sum()
    assert (kinds == "missed").sum() == (wrong & ~rejected).sum()
    assert error_types(passfail).str.contains(": ").all()
    table = pareto(reasons)
    assert table["value"].sum() == wrong.sum() and table["vital_few"].any()
    assert is_error(passfail).sum() == wrong.sum() == is_error(passfail, label=False).sum()


def test_scorecard_accuracy_is_the_pass_share(export, passfail):
    log = pd.DataFrame({"case_id": passfail["case_id"], "activity": "review_l1",
                        "timestamp": pd.Timestamp("2026-03-02T10:00Z"),
                        "resource": passfail["reviewer"], "pool": passfail["pool"]})
    card = scorecard(log, passfail, by="pool", sla_hours=24)
    passed = (export["qa_result"] == "PASS").groupby(export["queue"]).mean()
    assert card["accuracy"].to_dict() == pytest.approx(passed.to_dict())


def test_verdicts_are_read_in_any_case(verdicts):
    shouted = verdicts.assign(qa_decision=verdicts["qa_decision"].str.upper())
    lower = verdicts.assign(decision=verdicts["decision"].str.lower())
    pd.testing.assert_frame_equal(decision_quality(shouted), decision_quality(lower))


@pytest.mark.parametrize("column, bad, expected", [
    ("qa_decision", "maybe", r"\['reject', 'approve'\]"),
    ("decision", "ESCALATE", r"\['reject', 'approve'\]"),
])
def test_an_undeclared_verdict_is_one_error_listing_the_values(verdicts, column, bad, expected):
    table = verdicts.copy()
    table.loc[[3, 8, 9], column] = [bad, bad, None]
    with pytest.raises(ParameterError) as err:
        decision_quality(table)
    msg = str(err.value)
    assert f"column {column!r}" in msg and "3 row(s)" in msg
    assert f"{bad!r} ×2 (rows 4, 9)" in msg and "'(empty)' ×1 (row 10)" in msg
    assert re.search(expected, msg)


def test_an_undeclared_pass_fail_value_is_an_error_naming_the_file(passfail, tmp_path):
    table = passfail.assign(qa_result=passfail["qa_result"].replace("pass", "ok"))
    with pytest.raises(ParameterError, match=r"column 'qa_result'.*'ok' ×\d+.*\['pass', 'fail'\]"):
        decision_quality(table)
    path = tmp_path / "qa.csv"
    table.to_csv(path, index=False)
    with pytest.raises(ParameterError, match=r"qa\.csv, column 'qa_result'"):
        read_qa(path)
    with pytest.raises(ParameterError, match=r"missing column\(s\) \['qa_decision'\].*qa_result"):
        read_qa(table.drop(columns="qa_result"))


def test_other_declared_sets_are_honoured(verdicts):
    renamed = verdicts.assign(decision=verdicts["decision"].str.lower().map(
        {"reject": "Remove", "approve": "keep"}), qa_decision=verdicts["qa_decision"].map(
        {"reject": "remove", "approve": "KEEP"}))
    got = decision_quality(renamed, positive="remove", negative="keep")
    pd.testing.assert_frame_equal(got, decision_quality(verdicts))


# ---------------------------------------------------------------- local days and weeks

def _decided(times: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"case_id": [f"c{i}" for i in range(len(times))],
                         "activity": "decision_sent",
                         "timestamp": pd.to_datetime(times, utc=True).astype(
                             "datetime64[us, UTC]")})


def test_periods_are_local_days_and_weeks_in_the_market_s_zone():
    # 23:30 UTC on Sunday 1 March is 00:30 on Monday 2 March in Berlin (CET, +1)
    # 22:30 UTC on Sunday 29 March (the day clocks go forward) is 00:30 CEST on 30 March
    log = _decided(["2026-03-01T23:30Z", "2026-03-02T10:00Z", "2026-03-29T22:30Z"])
    qa = pd.DataFrame({"case_id": ["c0", "c1", "c2"]})
    utc = decision_periods(qa, log)
    berlin = decision_periods(qa, log, tz="Europe/Berlin")
    assert [str(d.date()) for d in utc] == ["2026-03-01", "2026-03-02", "2026-03-29"]
    assert [str(d.date()) for d in berlin] == ["2026-03-02", "2026-03-02", "2026-03-30"]
    assert berlin[2] == pd.Timestamp("2026-03-30 00:00", tz="Europe/Berlin")
    assert str(berlin.dt.tz) == "Europe/Berlin" and str(utc.dt.tz) == "UTC"
    weeks_utc = decision_periods(qa, log, freq="W")
    weeks_berlin = decision_periods(qa, log, freq="W", tz="Europe/Berlin")
    assert str(weeks_utc[0].date()) == "2026-02-23"  # Sunday 1 March: the week of 23 Feb
    assert str(weeks_berlin[0].date()) == "2026-03-02"  # Monday 2 March in Berlin
    counts = error_counts(pd.DataFrame({"case_id": qa["case_id"], "decision": "reject",
                                        "qa_result": ["pass", "fail", "pass"]}), berlin)
    assert counts["checked"].tolist() == [2, 1] and counts["errors"].tolist() == [1, 0]


def test_a_task_table_dates_each_check_by_its_task():
    log = pd.DataFrame({"case_id": ["A", "A", "A"], "task_id": ["t1", "t1", "t2"],
                        "activity": ["queued:l1", "review_l1", "review_l2"],
                        "timestamp": pd.to_datetime(["2026-03-01T20:00Z", "2026-03-01T23:10Z",
                                                     "2026-03-03T09:00Z"], utc=True)})
    qa = pd.DataFrame({"case_id": ["A", "A"], "task_id": ["t1", "t2"]})
    days = decision_periods(qa, log, tz="Europe/Berlin")
    assert [str(d.date()) for d in days] == ["2026-03-02", "2026-03-03"]


def test_a_status_history_dates_each_check_by_the_cases_first_decision():
    # no decision_sent and no task_id (an imported status history): its decided events
    log = pd.DataFrame({"case_id": ["A", "A", "A", "B"],
                        "activity": ["created", "review_l1", "review_l2", "review_l1"],
                        "decision": [None, "escalate", "reject", "approve"],
                        "timestamp": pd.to_datetime(["2026-03-01T20:00Z", "2026-03-01T23:10Z",
                                                     "2026-03-03T09:00Z", "2026-03-02T08:00Z"],
                                                    utc=True)})
    days = decision_periods(pd.DataFrame({"case_id": ["A", "B"]}), log, tz="Europe/Berlin")
    assert [str(d.date()) for d in days] == ["2026-03-02", "2026-03-02"]
    with pytest.raises(ParameterError, match="no 'decision_sent' events or decisions"):
        decision_periods(pd.DataFrame({"case_id": ["A"]}), log.assign(decision=None))


def test_an_unknown_zone_is_an_error_with_a_did_you_mean():
    times = pd.Series(pd.to_datetime(["2026-03-01T23:30Z"], utc=True))
    with pytest.raises(ParameterError, match="did you mean 'Europe/Berlin'"):
        local_periods(times, "D", "Europe/Berln")
    with pytest.raises(ParameterError, match="freq 'fortnight'"):
        local_periods(times, "fortnight", "Europe/Berlin")


# ---------------------------------------------------------------- the command line

def test_qa_quality_command_reads_the_vendor_export(export, tmp_path, capsys):
    from modlean.cli import main

    path = tmp_path / "de_qa.csv"
    _qa_table(export).to_csv(path, sep=";")
    out = tmp_path / "figures.csv"
    assert main(["qa-quality", str(path), "--by", "pool", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "600 checked decisions (PASS/FAIL)" in text
    assert f"agreement with QA: {NO_VERDICT_NOTE}" in text
    assert "wrong rejection: Over-enforcement" in text or "missed: Missed counterfeit" in text
    written = pd.read_csv(out, index_col=[0, 1])
    assert written.loc[("IPR-LEGAL", "error_rate"), "value"] == pytest.approx(
        (export.loc[export["queue"] == "IPR-LEGAL", "qa_result"] == "FAIL").mean())


def test_qa_quality_command_refuses_an_undeclared_verdict(export, tmp_path, capsys):
    from modlean.cli import main

    table = _qa_table(export)
    table.loc[[1, 2], "qa_result"] = "maybe"
    path = tmp_path / "bad.csv"
    table.to_csv(path, index=False)
    assert main(["qa-quality", str(path)]) == 2
    err = capsys.readouterr().err
    assert "bad.csv, column 'qa_result'" in err and "'maybe' ×2" in err
    assert "Traceback" not in err


def test_escalations_checked_by_qa_are_left_out_and_said():
    qa = pd.DataFrame({"case_id": list("abcd"), "reviewer": "r1", "pool": ["l1", "l1", "l2", "l2"],
                       "decision": ["reject", "ESCALATE", "approve", "escalate"],
                       "qa_result": ["pass", "pass", "fail", "pass"]})
    table = read_qa(qa)
    assert list(table["case_id"]) == ["a", "c"]
    overview = qa_overview(table)
    assert "left out: 2 escalate checked by QA" in " ".join(overview["note"])
    assert overview.loc[overview["section"] == "by pool", "value"].tolist() == [1, 1]
    with pytest.raises(ParameterError, match="'hold'"):
        read_qa(qa.assign(decision=["reject", "hold", "approve", "approve"]))
