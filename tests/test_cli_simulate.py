"""``modlean simulate``: help, presets, overrides, JSON, output folder and exit codes."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from modlean.cli import main
from modlean.eventlog import read_log

SHORT = ["--set", "horizon_days=2", "--set", "warmup_days=0", "--set", "drain_days=0.5"]


def test_help(capsys):
    with pytest.raises(SystemExit) as info:
        main(["simulate", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "--set PATH=VALUE" in out and "--replications" in out and "--json" in out


def test_preset_json_with_overrides(capsys):
    code = main(["simulate", "mmc", *SHORT, "--set", "pools.servers.headcount=6", "--seed", "3",
                 "--json"])
    assert code == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["seed"] == 3 and data["replications"] == 1
    kpis = {(k["item_type"], k["kpi"]): k["mean"] for k in data["kpis"]}
    assert kpis[("all", "items")] > 2000
    util = {p["kpi"]: p["mean"] for p in data["pools"]}["utilisation"]
    assert util == pytest.approx(1440 * 240 / 86400 / 6, abs=0.06)  # rho with 6 servers
    assert captured.err == ""  # silent with --json: no progress bar


def test_text_summary_and_out_folder(tmp_path, capsys, root):
    out = tmp_path / "run"
    code = main(["simulate", str(root / "templates" / "scenarios" / "mmc.yaml"), *SHORT,
                 "--replications", "2", "--workers", "1", "--out", str(out)])
    assert code == 0
    text = capsys.readouterr().out
    assert "M/M/5" in text and "turnaround_p95_h" in text and "utilisation: servers" in text
    for name in ("events.parquet", "items.parquet", "kpis.csv", "kpi_summary.csv",
                 "pool_kpis.csv", "backlog.csv", "scenario.yaml"):
        assert (out / name).exists(), name
    log = read_log(out / "events.parquet")
    assert set(log["replication"].unique()) == {0, 1}
    kpis = pd.read_csv(out / "kpis.csv")
    assert set(kpis["replication"]) == {0, 1}


def test_proposal_file_with_base(write, capsys, root):
    base = root / "templates" / "scenarios" / "mmc.yaml"
    proposal = write("more.yaml", "name: six servers\noverrides:\n  pools.servers.headcount: 6\n")
    assert main(["simulate", str(proposal), "--base", str(base), *SHORT, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["scenario"] == "six servers"


@pytest.mark.parametrize(("args", "message"), [
    (["mmc", "--set", "pools.servers.headcont=3"],
     "--set: pools.servers.headcont: unknown key 'headcont' in pools.servers; did you mean "
     "'headcount'?"),
    (["mmc", "--set", "pools.servers.headcount=-1"], "found -1; expected a number >= 0"),
    (["mmc", "--set", "nonsense"], "--set 'nonsense': expected NAME=VALUE"),
    (["no_such_file.yaml"], "no_such_file.yaml: no such scenario file"),
    (["NO"], "NO: no such scenario file; expected a YAML path or a preset name (ID, MY, TH"),
    (["mmc", "--replications", "0"], "--replications: found 0"),
])
def test_bad_input_exits_2(args, message, capsys):
    assert main(["simulate", *args]) == 2
    assert message in capsys.readouterr().err


def test_bad_yaml_exits_2_with_line(write, capsys):
    path = write("bad.yaml", "name: [x\n")
    assert main(["simulate", str(path)]) == 2
    assert f"{path}, line 2" in capsys.readouterr().err
