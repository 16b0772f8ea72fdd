"""Bad risk registers and FMEA sheets: one clear message each, never a traceback.

Issue 15's held-out corpus: ``annual_frequency`` inf or 1e30 (and 1e12, which
asked the Monte-Carlo for petabytes), ``impact_cost`` inf, a binary ``.yaml``,
a 0-byte CSV, a register that is a list of text, a number where a category is
expected. Registers are written the way users write them: YAML typed by hand,
CSV and XLSX saved by pandas (as Excel would).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from modlean.cli import main
from modlean.errors import ParameterError, RegisterError
from modlean.risk import load_fmea, load_register, simulate_losses

REGISTER_YAML = """\
# our risks, typed by hand
risks:
  - risk_id: R-01
    title: Counterfeit listings go live
    process_area: listing_review
    inherent_l: 5
    inherent_i: 4
    residual_l: 4
    residual_i: 3
    annual_frequency: {frequency}
    impact_cost: {cost}
    risk_owner: Head of T&S Ops
    status: open
  - risk_id: R-02
    title: Wrong rejection reason
    process_area: listing_review
    inherent_l: 3
    inherent_i: 2
    residual_l: 2
    residual_i: 2
    status: open
"""


def register_yaml(tmp_path: Path, frequency: str = "6", cost: str = "250000") -> Path:
    path = tmp_path / "register.yaml"
    path.write_text(REGISTER_YAML.format(frequency=frequency, cost=cost), encoding="utf-8")
    return path


def register_csv(root: Path, tmp_path: Path, **cells: str) -> Path:
    """The shipped template, edited and saved by pandas as a user's spreadsheet would be."""
    frame = pd.read_csv(root / "templates" / "risk_register.csv", dtype=str,
                        keep_default_na=False)
    for column, value in cells.items():
        frame.loc[0, column] = value
    path = tmp_path / "register.csv"
    frame.to_csv(path, index=False)
    return path


def message_of(call) -> str:
    with pytest.raises(RegisterError) as info:
        call()
    text = str(info.value)
    assert "None" not in text and "Traceback" not in text
    return text


def test_the_hand_typed_register_is_valid(tmp_path):
    assert list(load_register(register_yaml(tmp_path)).risks["risk_id"]) == ["R-01", "R-02"]


@pytest.mark.parametrize("field, text, found, problem", [
    ("frequency", ".inf", "inf", "is not a finite number"),
    ("frequency", "1.0e+30", "1e+30", "is out of range"),
    ("frequency", "1.0e+12", "1000000000000.0", "is out of range"),
    ("cost", ".inf", "inf", "is not a finite number"),
    ("cost", "-5", "-5", "is out of range"),
])
def test_yaml_numbers_must_be_finite_and_bounded(tmp_path, field, text, found, problem):
    path = register_yaml(tmp_path, **{field: text})
    message = message_of(lambda: load_register(path))
    name = "annual_frequency" if field == "frequency" else "impact_cost"
    assert f"risks[0] (risk 1) (R-01), field {name!r}: {problem}; found {found}" in message
    if field == "frequency":
        assert "expected a finite number from 0 to 1,000,000 (a million events a year" in message
    else:
        assert "expected a finite number from 0 to 1,000,000,000,000 (a trillion EUR" in message


def test_an_explicit_nan_in_yaml_is_refused_not_taken_for_an_empty_field(tmp_path):
    message = message_of(lambda: load_register(register_yaml(tmp_path, frequency=".nan")))
    assert "risks[0] (risk 1), field 'annual_frequency': found .nan; expected a number, or " \
        "leave the field out" in message


def test_csv_numbers_name_row_line_and_value(root, tmp_path):
    path = register_csv(root, tmp_path, annual_frequency="inf", impact_cost="1e30")
    message = message_of(lambda: load_register(path))
    assert "row 1 (line 2) (R-01), field 'annual_frequency': is not a finite number; " \
        "found 'inf'" in message
    assert "row 1 (line 2) (R-01), field 'impact_cost': is out of range; found '1e30'" in message
    assert "(2 problems)" in message


def test_a_number_where_a_category_is_expected(root, tmp_path):
    path = register_csv(root, tmp_path, process_area="3", status="1")
    message = message_of(lambda: load_register(path))
    assert "field 'process_area': is not an allowed value; found '3'; expected one of " in message
    assert "listing_review" in message
    assert "field 'status': is not an allowed value; found '1'" in message


@pytest.mark.parametrize("name, content, expected", [
    ("register.csv", b"", "the file is empty (0 bytes); expected a register as CSV text"),
    ("register.csv", b"\n\n  \n", "the file is empty (only blank space)"),
    ("register.yaml", bytes(range(256)) * 4, "the file is binary (it holds NUL bytes)"),
    ("register.csv", "risk_id,title\nR-01,Caf\u00e9 fraud\n".encode("cp1252"),
     "the file is not UTF-8 text (byte 0xe9 at position 22); save it as UTF-8"),
    ("register.xlsx", b"", "the file is empty (0 bytes); expected a register as an .xlsx"),
    ("register.xlsx", b"risk_id,title\nR-01,x\n", "not a readable .xlsx workbook"),
    ("register.yaml", b"- R-01\n- R-02\n", "risks[0] (risk 1): found the text 'R-01'; expected "
     "a mapping of field: value lines"),
    ("register.yaml", b"risks: R-01\n", "risks: found the text 'R-01'; expected a list of risks"),
    ("register.yaml", b"42\n", "found the number 42; expected a list of risks"),
    ("register.yaml", b"risks:\n  - {risk_id: R-01, risk_id: R-02}\n",
     "line 2: not valid YAML (duplicate key 'risk_id' (first on line 2, again on line 2)"),
])
def test_unreadable_and_wrong_shape_files_get_one_message(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    message = message_of(lambda: load_register(path))
    assert message.startswith(str(path)) and expected in message
    assert "\n" not in message  # one message, one line


def test_fmea_sheets_are_checked_the_same_way(tmp_path):
    empty = tmp_path / "fmea.csv"
    empty.write_bytes(b"")
    assert "the file is empty (0 bytes); expected a FMEA sheet" in message_of(
        lambda: load_fmea(empty))
    sheet = pd.DataFrame([{"fmea_id": "F-01", "process_step": "L1 review",
                           "failure_mode": "Counterfeit approved", "severity": 7,
                           "rate_per_1000": float("inf"), "detection": 5},
                          {"fmea_id": "F-02", "process_step": "QA",
                           "failure_mode": "Sample too small", "severity": 5, "occurrence": 4,
                           "qa_coverage": 0.03, "qa_lag_hours": 1e9}])
    path = tmp_path / "fmea.xlsx"
    sheet.to_excel(path, sheet_name="fmea", index=False)
    message = message_of(lambda: load_fmea(path))
    assert "row 1 (sheet 'fmea' row 2) (F-01), field 'rate_per_1000': is not a finite number" \
        in message
    assert "row 2 (sheet 'fmea' row 3) (F-02), field 'qa_lag_hours': is out of range; found " \
        "1000000000; expected a finite number from 0 to 8,784 (a year" in message


def test_monte_carlo_refuses_a_run_past_its_limit_and_the_limit_is_a_knob(tmp_path):
    assessed = load_register(register_yaml(tmp_path, frequency="900000")).assess()
    with pytest.raises(ParameterError) as info:
        simulate_losses(assessed, runs=10_000)
    message = str(info.value)
    # R-02 has no frequency: its likelihood level 2's midpoint, 0.6 a year; draws are
    # runs x (events + one count per risk) = 10,000 x (900,000.6 + 2)
    assert "about 9,000,026,000 random draws (10,000 runs x 900,001 events a year over 2 " \
        "risks)" in message
    assert "the limit is 100,000,000 draws" in message and "--max-draws" in message
    summary, totals = simulate_losses(assessed, runs=10, max_draws=1e7)
    assert len(totals) == 10 and summary["mean"] > 0


def test_monte_carlo_refuses_a_frame_with_inf_by_risk(tmp_path):
    assessed = load_register(register_yaml(tmp_path)).assess()
    assessed.loc[1, "cost"] = float("inf")
    with pytest.raises(ParameterError, match=r"risk R-02, cost: found inf; expected a finite "
                       r"number ≥ 0"):
        simulate_losses(assessed)


# ------------------------------------------------------------------ through the CLI


@pytest.mark.parametrize("content, expected", [
    (b"", "the file is empty (0 bytes)"),
    (REGISTER_YAML.format(frequency=".inf", cost="1").encode(), "is not a finite number"),
    (REGISTER_YAML.format(frequency="1.0e+12", cost="1").encode(), "is out of range"),
    (bytes(range(256)), "the file is binary"),
])
def test_cli_risk_exits_2_and_writes_nothing(tmp_path, capsys, content, expected):
    path = tmp_path / "register.yaml"
    path.write_bytes(content)
    out = tmp_path / "out"
    out.mkdir()
    assert main(["risk", str(path), "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(f"modlean risk: error: {path}") and expected in captured.err
    assert list(out.iterdir()) == []


def test_cli_risk_max_draws(tmp_path, capsys):
    path = register_yaml(tmp_path, frequency="900000")
    out = tmp_path / "out"
    out.mkdir()
    assert main(["risk", str(path), "--out", str(out)]) == 2
    assert "too large" in capsys.readouterr().err and list(out.iterdir()) == []
    assert main(["risk", str(path), "--runs", "100", "--max-draws", "1e8", "--json"]) == 0


def test_cli_output_into_a_closed_pipe_ends_quietly(root):
    """``modlean risk ... | head -1``: no BrokenPipeError traceback, exit 141 like Unix tools."""
    proc = subprocess.Popen([sys.executable, "-m", "modlean", "risk",
                             str(root / "templates" / "risk_register.csv"), "--runs", "100"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=root)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()  # the reader goes away, as head does after its line
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141
    assert err == ""
