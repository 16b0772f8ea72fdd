"""The fidelity command, calibrate --holdout and simulate --start/--cases."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from modlean.cli import main
from modlean.decisions import HOLDOUT_COLUMNS
from modlean.eventlog import read_log
from modlean.process import LOG_DISTANCES

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REFERENCE = json.loads((FIXTURES / "log_distance_reference.json").read_text())


def test_fidelity_json_gives_the_reference_values(capsys):
    code = main(["fidelity", str(FIXTURES / "ld_real_1.csv"), str(FIXTURES / "ld_sim_1.csv"),
                 "--json"])
    assert code == 0
    rows = {r["measure"]: r for r in json.loads(capsys.readouterr().out)["fidelity"]}
    expected = REFERENCE["pairs"][0]
    assert (expected["real"], expected["simulated"]) == ("ld_real_1", "ld_sim_1")
    for name, value in expected["measures"].items():
        assert rows[name]["distance"] == pytest.approx(value, abs=1e-9, rel=0)
    assert rows["wait:decision"]["simulated"] is None  # NaN as null: only in the real log


def test_fidelity_text_names_each_measure_with_a_reading(capsys):
    assert main(["fidelity", str(FIXTURES / "ld_real_2.csv"), str(FIXTURES / "ld_sim_2.csv"),
                 "--sla-hours", "8"]) == 0
    out = capsys.readouterr().out
    for name in LOG_DISTANCES:
        assert name in out
    assert "done within 8 h" in out and "completion times only" in out


def test_fidelity_bad_input_exits_2_naming_the_file(tmp_path, capsys):
    missing = tmp_path / "none.csv"
    assert main(["fidelity", str(missing), str(FIXTURES / "ld_sim_1.csv")]) == 2
    assert "none.csv" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text("case_id,activity,timestamp\nc1,a,not a time\n")
    assert main(["fidelity", str(FIXTURES / "ld_real_1.csv"), str(bad)]) == 2
    err = capsys.readouterr().err
    assert "timestamp" in err and "Traceback" not in err
    pair = [str(FIXTURES / "ld_real_1.csv"), str(FIXTURES / "ld_sim_1.csv")]
    assert main(["fidelity", *pair, "--timezone", "Europe/Berln"]) == 2
    assert "did you mean 'Europe/Berlin'" in capsys.readouterr().err
    for bad in ("0", "l1=soon"):
        with pytest.raises(SystemExit) as exit_:  # argparse's usage error
            main(["fidelity", *pair, "--sla-hours", bad])
        assert exit_.value.code == 2
        err = capsys.readouterr().err
        assert "--sla-hours" in err and "expected hours > 0" in err and "Traceback" not in err


def test_fidelity_scores_each_pool_against_its_own_sla(capsys):
    pair = [str(FIXTURES / "ld_real_1.csv"), str(FIXTURES / "ld_sim_1.csv")]
    assert main(["fidelity", *pair, "--json"]) == 0
    rows = {r["measure"]: r for r in json.loads(capsys.readouterr().out)["fidelity"]}
    pool = next(m.split(":", 1)[1] for m in rows if m.startswith("sla:")
                and rows[m]["distance"] is not None)
    assert main(["fidelity", *pair, "--json", "--sla-hours", f"{pool}=0.001"]) == 0
    tight = {r["measure"]: r for r in json.loads(capsys.readouterr().out)["fidelity"]}
    assert tight[f"sla:{pool}"]["reading"].startswith(f"{tight[f'sla:{pool}']['simulated']:.0%}")
    assert "within 0.001 h" in tight[f"sla:{pool}"]["reading"]
    others = [m for m in tight if m.startswith("sla:") and m != f"sla:{pool}"
              and tight[m]["distance"] is not None]
    assert all("24 h assumed" in tight[m]["reading"] for m in others)


def test_simulate_starts_at_time_with_exactly_n_cases(tmp_path, capsys):
    out = tmp_path / "run"
    code = main(["simulate", "mmc", "--set", "drain_days=0.5", "--start",
                 "2026-03-04T10:07:00+01:00", "--cases", "137", "--out", str(out)])
    assert code == 0
    log = read_log(out / "events.parquet")
    assert log["case_id"].nunique() == 137
    start = pd.Timestamp("2026-03-04T09:07:00", tz="UTC")
    assert start <= log["timestamp"].min() < start + pd.Timedelta(minutes=30)
    assert "start_time: 2026-03-04T10:07:00+01:00" in (out / "scenario.yaml").read_text() \
        or "start_time: '2026-03-04T10:07:00+01:00'" in (out / "scenario.yaml").read_text()


def test_simulate_start_without_a_zone_or_zero_cases_is_refused(capsys):
    assert main(["simulate", "mmc", "--start", "2026-03-04T10:07:00"]) == 2
    assert "start_time" in capsys.readouterr().err
    assert main(["simulate", "mmc", "--cases", "0"]) == 2
    assert "max_cases" in capsys.readouterr().err


def test_simulate_warns_when_fewer_cases_arrive(tmp_path, capsys):
    code = main(["simulate", "mmc", "--set", "warmup_days=0", "--set", "horizon_days=0.01",
                 "--set", "drain_days=0.1",
                 "--cases", "100000", "--out", str(tmp_path / "run")])
    assert code == 0
    assert "--cases 100000: only" in capsys.readouterr().err


def test_calibrate_holdout_json_puts_modlean_beside_the_replay(root, tmp_path, capsys):
    out = tmp_path / "cal.yaml"
    code = main(["calibrate", str(root / "data" / "UK" / "events.csv"), "--holdout", "0.2",
                 "--json", "--out", str(out), "--timezone", "Europe/London"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    log = read_log(root / "data" / "UK" / "events.csv")
    n = log["case_id"].nunique()
    assert data["holdout"]["train_cases"] == int(0.8 * n)
    assert data["holdout"]["train_cases"] + data["holdout"]["test_cases"] == n
    rows = pd.DataFrame(data["fidelity"])
    assert rows.columns.tolist() == HOLDOUT_COLUMNS
    six = rows.set_index("measure").loc[list(LOG_DISTANCES)]
    assert six["modlean_distance"].notna().all() and six["replay_distance"].notna().all()
    assert out.exists()


def test_calibrate_holdout_text_and_bad_share(root, capsys):
    events = str(root / "data" / "US" / "events.csv")
    assert main(["calibrate", events, "--holdout", "0.2"]) == 0
    text = capsys.readouterr().out
    assert "holdout: calibrated on the first 560 cases, scored on the last 140" in text
    assert "modlean_distance" in text and "replay_distance" in text
    assert main(["calibrate", events, "--holdout", "1.2"]) == 2
    assert "strictly between 0 and 1" in capsys.readouterr().err


def test_calibrate_holdout_on_a_log_without_people_exits_2(tmp_path, capsys):
    rows = ["case_id,activity,timestamp"]
    for i in range(30):
        rows += [f"c{i},Register,2026-03-02T{8 + i % 12:02d}:00:00Z",
                 f"c{i},Approve,2026-03-02T{9 + i % 12:02d}:30:00Z"]
    path = tmp_path / "foreign.csv"
    path.write_text("\n".join(rows) + "\n")
    assert main(["calibrate", str(path), "--holdout", "0.2"]) == 2
    assert "no event names a person" in capsys.readouterr().err
