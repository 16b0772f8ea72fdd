"""The compare, staff, thresholds, sensitivity and calibrate commands: thin layers over
whatif, staffing and calibrate."""

from __future__ import annotations

import json

from modlean.cli import main
from modlean.scenario import preset, to_yaml


def _base(tmp_path):
    s = preset("mmc", overrides={"horizon_days": 2, "warmup_days": 0.5, "drain_days": 0.5})
    path = tmp_path / "base.yaml"
    to_yaml(s, path)
    prop = tmp_path / "six.yaml"
    prop.write_text("name: six servers\noverrides:\n  pools.servers.headcount: 6\n")
    return path, prop


def test_compare_json_and_out(tmp_path, capsys):
    base, prop = _base(tmp_path)
    out = tmp_path / "out"
    code = main(["compare", str(base), str(prop), "--replications", "3", "--seed", "4",
                 "--workers", "1", "--json", "--out", str(out)])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["replications"] == 3 and data["seed"] == 4
    rows = {r["kpi"]: r for r in data["table"]}
    assert rows["wait_l1_mean_h"]["difference"] < 0
    assert rows["wait_l1_mean_h"]["proposal"] == "six servers"
    for name in ("decision_table.csv", "decision_table.md", "kpis.csv", "decision_table.png"):
        assert (out / name).exists()
    md = (out / "decision_table.md").read_text()
    assert "| proposal |" in md and "Mean wait for first review" in md
    assert "wait_l1_mean_h" not in md and " h |" in md  # labels and units, not code names
    csv = (out / "decision_table.csv").read_text().splitlines()
    assert csv[0].startswith("proposal,item_type,kpi,label,unit,baseline_mean")
    assert any(",wait_l1_mean_h,Mean wait for first review,hours," in line for line in csv)


def test_compare_text_and_bad_input(tmp_path, capsys):
    base, prop = _base(tmp_path)
    assert main(["compare", str(base), str(prop), "--replications", "2", "--workers", "1"]) == 0
    text = capsys.readouterr().out
    assert "paired replications" in text and "Mean wait for first review" in text
    assert main(["compare", str(base), str(tmp_path / "missing.yaml")]) == 2
    assert "no such scenario file" in capsys.readouterr().err


def test_staff_analytic_and_search(tmp_path, capsys):
    base, _ = _base(tmp_path)
    assert main(["staff", str(base), "--analytic-only", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["pools"][0]["pool"] == "servers"
    assert data["pools"][0]["kind"] == "real-time"
    assert main(["staff", str(base), "--pool", "servers", "--replications", "2",
                 "--workers", "1", "--confidence", "0.5"]) == 0
    text = capsys.readouterr().out
    assert "servers" in text and "why:" in text and "searched in" in text
    assert main(["staff", str(base), "--pool", "nope"]) == 2


def test_calibrate_writes_a_scenario_and_fidelity(root, tmp_path, capsys):
    out = tmp_path / "cal.yaml"
    code = main(["calibrate", str(root / "data" / "US" / "events.csv"), "--out", str(out),
                 "--timezone", "America/New_York", "--fidelity", "--json",
                 "--qa", str(root / "data" / "US" / "qa_reviews.csv")])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    accuracy = {r["pool"]: r for r in data["accuracy"]}
    assert accuracy["us_r"]["reviews"] > 0 and 0 <= accuracy["us_r"]["false_reject"] <= 1
    measures = {r["measure"] for r in data["fidelity"]}
    assert {"control_flow_log_distance", "cycle_time_emd", "case_arrival_emd"} <= measures
    assert any(m.startswith("sla:") for m in measures)
    from modlean.scenario import load_scenario

    s = load_scenario(out)
    assert "listing" in s.item_types and s.pools
    assert main(["calibrate", str(tmp_path / "none.csv")]) == 2


def test_thresholds_json_matches_tune_thresholds(tmp_path, capsys):
    from modlean.decisions import tune_thresholds

    out = tmp_path / "thr"
    code = main(["thresholds", "US", "--item-type", "listing", "--min-precision", "0.9",
                 "--min-recall", "0.9", "--c-fn", "12", "--json", "--out", str(out)])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    tuned = tune_thresholds("US", "listing", min_precision=0.9, min_recall=0.9, c_fn=12.0)
    assert (data["best"]["t_low"], data["best"]["t_high"]) == (tuned.t_low, tuned.t_high)
    assert data["best"]["model_precision"] >= 0.9 and data["best"]["model_recall"] >= 0.9
    assert data["current_cost"] >= data["best"]["expected_cost"]
    front = data["frontier"]
    reviews = [r["n_review"] for r in front]
    errors = [r["error_cost"] for r in front]
    assert reviews == sorted(reviews) and errors == sorted(errors, reverse=True)
    assert data["overrides"] == {"item_types.listing.model.t_low": tuned.t_low,
                                 "item_types.listing.model.t_high": tuned.t_high}
    for name in ("sweep.csv", "frontier.csv", "frontier.png"):
        assert (out / name).stat().st_size > 0


def test_thresholds_text_and_impossible_floors(capsys):
    assert main(["thresholds", "US", "--step", "0.05"]) == 0
    text = capsys.readouterr().out
    assert "cheapest" in text and "--set item_types.listing.model.t_low=" in text
    # Final decisions include people's false rejections, so precision 1 is out of reach.
    assert main(["thresholds", "US", "--floors-on", "system", "--min-precision", "1",
                 "--min-recall", "0.5"]) == 2
    assert "no threshold pair meets" in capsys.readouterr().err


def test_sensitivity_ranks_headcount_on_mmc(tmp_path, capsys):
    base, _ = _base(tmp_path)
    out = tmp_path / "sens"
    code = main(["sensitivity", str(base), "--parameter", "headcount", "--parameter",
                 "volumes", "--kpis", "wait_l1_mean_h", "--delta", "0.2",
                 "--replications", "2", "--workers", "1", "--json", "--out", str(out)])
    assert code == 0
    rows = {r["parameter"]: r for r in json.loads(capsys.readouterr().out)["table"]}
    # More servers shorten the wait, more arrivals lengthen it.
    assert rows["headcount"]["high_change"] < 0 < rows["headcount"]["low_change"]
    assert rows["volumes"]["high_change"] > 0 > rows["volumes"]["low_change"]
    assert (out / "sensitivity.csv").exists() and (out / "tornado_wait_l1_mean_h.png").exists()
    assert main(["sensitivity", str(base), "--parameter", "pools.*.nothing"]) == 2


def test_staff_by_shift_plans_and_confirms(tmp_path, capsys):
    base, _ = _base(tmp_path)
    assert main(["staff", str(base), "--by-shift", "--replications", "2", "--workers", "1",
                 "--json"]) == 0
    entry = json.loads(capsys.readouterr().out)["pools"][0]
    assert entry["pool"] == "servers" and entry["kind"] == "real-time"
    assert entry["overrides"]["pools.servers.headcount"] == entry["headcount"]
    assert entry["share_met"] is not None
    # every pool of a market: a pool whose shifts cannot meet its SLA is named, the others
    # are planned, and the exit code says something failed
    assert main(["staff", "US", "--by-shift", "--analytic-only"]) == 1
    text = capsys.readouterr().out
    assert "ipr: no shift plan" in text and "daily 14:00-22:00" in text
    assert "--set pools.l1_listing.shifts.2.share=" in text
