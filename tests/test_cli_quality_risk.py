"""``modlean qa-sample``, ``qa-plan``, ``qa-interval`` and ``modlean risk``."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from modlean.cli import main


@pytest.mark.parametrize("command", ["qa-sample", "qa-plan", "qa-interval", "risk"])
def test_help(command, capsys):
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    assert "usage" in capsys.readouterr().out


def test_qa_sample(capsys):
    assert main(["qa-sample", "--error-rate", "0.05", "--margin", "0.02"]) == 0
    assert "sample 457 decisions" in capsys.readouterr().out
    assert main(["qa-sample", "--error-rate", "0.05", "--margin", "0.02", "--population",
                 "2000", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["sample_size"] == 372


def test_qa_sample_bad_input_exits_2(capsys):
    assert main(["qa-sample", "--error-rate", "5", "--margin", "0.02"]) == 2
    assert "error rate 5.0" in capsys.readouterr().err


def test_qa_plan(capsys):
    assert main(["qa-plan", "--lot-size", "1000", "--level", "II", "--aql", "2.5",
                 "--defects", "6"]) == 0
    out = capsys.readouterr().out
    assert "code letter J" in out and "sample 80" in out and "6 defects: reject" in out
    assert main(["qa-plan", "--lot-size", "60", "--aql", "2.5", "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert (plan["code_letter"], plan["plan_letter"], plan["sample_size"]) == ("E", "F", 20)


def test_qa_interval(capsys):
    assert main(["qa-interval", "--errors", "0", "--n", "100", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    z2 = 1.959963984540054 ** 2  # Wilson, no errors: z^2 / (n + z^2) = 0.03699
    assert result["low"] == pytest.approx(0, abs=1e-12)
    assert result["high"] == pytest.approx(z2 / (100 + z2), abs=1e-9)


def test_risk_on_the_sample_register(root, tmp_path, capsys):
    out_dir = tmp_path / "risk"
    assert main(["risk", str(root / "data" / "risk_register.yaml"), "--out", str(out_dir),
                 "--today", "2026-03-22", "--runs", "2000"]) == 0
    text = capsys.readouterr().out
    assert "residual matrix" in text and "P90" in text and "FMEA by action priority" in text
    assert "R-07" in text.split("overdue actions")[1]
    for name in ("register_assessed.csv", "heatmaps.png", "fmea.png", "fmea.csv",
                 "overdue_actions.csv", "action_plans.csv", "matrix.csv", "summary.json"):
        assert (out_dir / name).stat().st_size > 0, name
    assessed = pd.read_csv(out_dir / "register_assessed.csv")
    assert {"residual_band", "expected_annual_loss", "tie"} <= set(assessed.columns)
    summary = json.loads((out_dir / "summary.json").read_text())
    assert summary["overdue_actions"] == ["R-07", "R-03"]


def test_risk_bad_register_exits_2_with_row_and_field(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("risk_id,title,process_area,inherent_l,inherent_i,residual_l,residual_i,"
                   "status\nR-1,t,qa,3,3,9,3,open\n")
    assert main(["risk", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "row 1 (line 2) (R-1), field 'residual_l'" in err and "found '9'" in err


def test_risk_with_csv_register_fmea_and_matrix(root, tmp_path, capsys):
    from modlean.risk import load_register, save_register

    reg = load_register(root / "data" / "risk_register.yaml")
    csv_path = save_register(reg, tmp_path / "register.csv")
    reg.fmea.to_csv(tmp_path / "fmea.csv", index=False)
    (tmp_path / "matrix.yaml").write_text("grid: [LLLLL, LLLLL, LLLLL, LLLLL, LLLLC]\n")
    assert main(["risk", str(csv_path), "--fmea", str(tmp_path / "fmea.csv"), "--matrix",
                 str(tmp_path / "matrix.yaml"), "--json", "--runs", "500"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["fmea_high_priority"][0] == "F-01"
    # the flat grid leaves only the overrides: I5 with L >= 2 is High, I4 L1 Medium
    assert summary["residual_bands"].get("High") == 1
    (tmp_path / "fmea_bad.csv").write_text("fmea_id,process_step,failure_mode,severity\n"
                                           "F-9,s,f,12\n")
    assert main(["risk", str(csv_path), "--fmea", str(tmp_path / "fmea_bad.csv")]) == 2
    assert "row 1 (line 2) (F-9), field 'severity'" in capsys.readouterr().err
