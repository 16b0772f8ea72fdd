"""Bad QA tables: one clear message each; verdicts and labels checked in any case, by row.

Issue 15: a QA verdict ``maybe`` was counted as approve, and ``Reject``
capitalised changed a pool's false-reject rate from 0.000 to 0.045. Tables are
written the way users write them: ``DataFrame.to_csv`` (with its unnamed index
column) or Excel's text export.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from modlean.cli import main
from modlean.errors import ParameterError
from modlean.quality import decision_quality, read_qa


def qa_table(n: int = 40) -> pd.DataFrame:
    """A verdict-shaped QA table whose figures are known (see the first test)."""
    decision = ["reject"] * 20 + ["approve"] * 20
    qa_decision = ["reject"] * 16 + ["approve"] * 4 + ["approve"] * 18 + ["reject"] * 2
    label = ["counterfeit"] * 10 + ["prohibited"] * 10 + [""] * 20
    return pd.DataFrame({"case_id": [f"C{i:03d}" for i in range(n)],
                         "reviewer": ["r1", "r2"] * (n // 2), "decision": decision,
                         "label": label, "qa_decision": qa_decision, "qa_label": label})


def saved(frame: pd.DataFrame, tmp_path: Path, name: str = "qa.csv") -> Path:
    path = tmp_path / name
    frame.to_csv(path)  # pandas' default: an unnamed index column first
    return path


def message_of(call) -> str:
    with pytest.raises(ParameterError) as info:
        call()
    text = str(info.value)
    assert "None" not in text and "Traceback" not in text
    return text


def test_the_known_table_gives_the_known_false_rejection_rate(tmp_path):
    figures = decision_quality(read_qa(saved(qa_table(), tmp_path)))
    # QA approves 22 (the 4 rejections it overturned + 18 approvals): 4 false rejections;
    # QA rejects 18 (16 upheld + 2 approvals it overturned): 2 misses
    assert figures.loc["false_rejection_rate", "value"] == pytest.approx(4 / 22)
    assert figures.loc["miss_rate", "value"] == pytest.approx(2 / 18)


def test_capitalised_verdicts_count_the_same_as_lower_case(tmp_path):
    table = qa_table()
    shouted = table.assign(decision=table["decision"].str.capitalize(),
                           qa_decision=table["qa_decision"].str.upper(),
                           qa_label=table["qa_label"].str.title())
    lower = decision_quality(read_qa(saved(table, tmp_path, "lower.csv")))
    mixed = decision_quality(read_qa(saved(shouted, tmp_path, "mixed.csv")))
    pd.testing.assert_frame_equal(lower, mixed)
    assert mixed.loc["label_accuracy", "value"] == 1.0  # 'Counterfeit' is 'counterfeit'


def test_maybe_is_refused_with_its_rows_not_counted_as_approve(tmp_path):
    table = qa_table()
    table.loc[[4, 30, 31], "qa_decision"] = "maybe"
    table.loc[7, "qa_decision"] = "Unsure "
    path = saved(table, tmp_path)
    message = message_of(lambda: read_qa(path))
    assert message.startswith(f"{path}, column 'qa_decision': 4 row(s) hold values outside "
                              "the declared set; found ")
    assert "'maybe' ×3 (rows 5, 31, 32)" in message and "'Unsure' ×1 (row 8)" in message
    assert "expected one of ['reject', 'approve'] (any case)" in message


def test_row_numbers_stay_the_files_after_escalations_are_left_out(tmp_path):
    table = qa_table()
    table.loc[[0, 1], "decision"] = "escalate"
    table.loc[10, "qa_decision"] = "maybe"
    assert "'maybe' ×1 (row 11)" in message_of(lambda: read_qa(saved(table, tmp_path)))


def test_a_number_where_a_decision_is_expected(tmp_path):
    table = qa_table().assign(decision=[1] * 20 + [0] * 20)  # an export's 1/0 flags
    message = message_of(lambda: read_qa(saved(table, tmp_path)))
    assert "column 'decision': 40 row(s)" in message
    assert "'1' ×20 (rows 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 ... and 10 more)" in message
    assert "'0' ×20 (rows 21," in message


def test_declared_labels_are_checked_in_any_case_with_rows(tmp_path):
    table = qa_table()
    table.loc[3, "qa_label"] = "COUNTERFEIT"
    table.loc[12, "label"] = "spam?"
    path = saved(table, tmp_path)
    message = message_of(lambda: read_qa(path, labels=["counterfeit", "prohibited"]))
    assert "column 'label': 1 row(s) hold values outside the declared set; found 'spam?' ×1 " \
        "(row 13); expected one of ['counterfeit', 'prohibited']" in message
    table.loc[12, "label"] = "Prohibited"
    read = read_qa(saved(table, tmp_path), labels=["counterfeit", "prohibited"])
    assert read.loc[3, "qa_label"] == "counterfeit" and pd.isna(read.loc[25, "label"])


@pytest.mark.parametrize("content, expected", [
    (b"", "the file is empty (0 bytes); expected a QA table as CSV text"),
    (b"\x89PNG\r\n\x1a\n" + bytes(200), "the file is binary (it holds NUL bytes)"),
    ("case_id;reviewer;decision;qa_decision\nC1;Jos\u00e9;reject;reject\n".encode("cp1252"),
     "the file is not UTF-8 text (byte 0xe9 at position"),
])
def test_unreadable_files_get_one_message(tmp_path, content, expected):
    path = tmp_path / "qa.csv"
    path.write_bytes(content)
    message = message_of(lambda: read_qa(path))
    assert message.startswith(f"{path}: ") and expected in message and "\n" not in message


def test_a_parquet_that_is_not_one(tmp_path):
    path = tmp_path / "qa.parquet"
    path.write_text("case_id,decision\n")
    assert "not a readable Parquet file" in message_of(lambda: read_qa(path))


def test_weights_must_be_positive_and_finite():
    table = qa_table().assign(w=np.r_[np.ones(39), np.inf])
    with pytest.raises(ParameterError, match=r"row 40, column 'w': found inf; expected a "
                       r"positive finite weight"):
        decision_quality(table, weight="w")


@pytest.mark.parametrize("change, expected", [
    ({"qa_decision": "maybe"}, "'maybe' ×1 (row 3)"),
    ({"decision": ""}, "'(empty)' ×1 (row 3)"),
])
def test_cli_qa_quality_exits_2_and_writes_nothing(tmp_path, capsys, change, expected):
    table = qa_table()
    for column, value in change.items():
        table.loc[2, column] = value
    path = saved(table, tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    assert main(["qa-quality", str(path), "--out", str(out / "figures.csv")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"modlean qa-quality: error: {path}, column ") and expected in err
    assert list(out.iterdir()) == []
