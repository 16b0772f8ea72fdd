"""Bad scenarios, overrides and proposals: refused by field path, with the value and a reason.

Issue 15's held-out corpus: ``.inf`` and huge numbers, a duplicate YAML key, a
routed pool that never works, library wording in messages, and a plausible typo
that would allocate gigabytes. Files are typed the way a user types them (YAML
text); the CLI must exit 2, print one message and leave ``--out`` empty.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from modlean.cli import main
from modlean.errors import ParameterError, ScenarioError
from modlean.evidence.params import Integer, Number, validate
from modlean.scenario import apply_overrides, load_scenario
from modlean.simulation import DEFAULT_MAX_EVENTS, estimate_run_size, simulate

#: A small scenario as a user types it; ``{...}`` fields are filled per test.
SCENARIO = """\
name: small
start: 2026-03-02          # a Monday
horizon_days: {horizon}
drain_days: 0.5
item_types:
  listing:
    volume_per_day: {volume}
    model: {{enabled: false}}
routing:
  listing: {{pool: l1}}
pools:
  l1:
    headcount: {headcount}
    shifts: {shifts}
    handling: {{listing: {{mean_s: {mean_s}}}}}
    cost_per_hour: {cost}
  spare:
    headcount: 3
    shifts: []
"""
GOOD = {"horizon": 2, "volume": 500, "headcount": 4, "shifts": "[{start_hour: 8, end_hour: 20}]",
        "mean_s": 60, "cost": 9.5}


def scenario_file(tmp_path: Path, **changes: object) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(SCENARIO.format(**{**GOOD, **changes}), encoding="utf-8")
    return path


def error_of(call) -> str:
    with pytest.raises(ScenarioError) as info:
        call()
    message = str(info.value)
    for library_words in ("Input should be", "None", "NoneType", "float_type", "dict["):
        assert library_words not in message, message
    return message


def test_the_small_scenario_is_valid_and_its_spare_pool_may_have_no_shifts(tmp_path):
    s = load_scenario(scenario_file(tmp_path))
    assert s.pools["spare"].shifts == [] and s.pools["l1"].headcount == 4


@pytest.mark.parametrize("field, text, path", [
    ("volume", ".inf", "item_types.listing.volume_per_day"),
    ("headcount", ".inf", "pools.l1.headcount"),
    ("mean_s", ".inf", "pools.l1.handling.listing.mean_s"),
    ("cost", ".inf", "pools.l1.cost_per_hour"),
    ("cost", ".nan", "pools.l1.cost_per_hour"),
    ("horizon", "-.inf", "horizon_days"),
])
def test_inf_and_nan_are_refused_by_field_path(tmp_path, field, text, path):
    file = scenario_file(tmp_path, **{field: text})
    message = error_of(lambda: load_scenario(file))
    assert message.startswith(f"{file}: {path}: found ")
    assert "expected a finite number (not .inf or .nan)" in message


def test_nan_inside_a_list_names_its_position(tmp_path):
    file = scenario_file(tmp_path)
    text = file.read_text().replace("model: {enabled: false}", "model: {enabled: false}\n"
                                    "    weekly_profile: [1, 1, .nan, 1, 1, 1, 1]")
    file.write_text(text)
    assert "item_types.listing.weekly_profile.2: found nan; expected a finite number" in \
        error_of(lambda: load_scenario(file))


@pytest.mark.parametrize("field, text, path, bound, reason", [
    ("volume", "1.0e308", "item_types.listing.volume_per_day", "1,000,000,000",
     "no marketplace receives a billion items of one type a day"),
    ("headcount", "5000000", "pools.l1.headcount", "100,000", "BPO vendors"),
    ("mean_s", "1.0e7", "pools.l1.handling.listing.mean_s", "86,400",
     "a full day of one reviewer's work on one item"),
    ("cost", "1.0e9", "pools.l1.cost_per_hour", "10,000,000", "IDR, VND"),
    ("horizon", "36500", "horizon_days", "1,830", "five years"),
])
def test_upper_bounds_give_the_bound_and_the_reason(tmp_path, field, text, path, bound, reason):
    message = error_of(lambda: load_scenario(scenario_file(tmp_path, **{field: text})))
    assert f"{path}: found " in message and f"expected a number <= {bound} (" in message
    assert reason in message


def test_a_duplicate_key_names_the_key_and_both_lines(tmp_path):
    file = scenario_file(tmp_path)
    text = file.read_text().replace("    headcount: 4\n", "    headcount: 5\n    headcount: 50\n")
    file.write_text(text)
    message = error_of(lambda: load_scenario(file))
    assert f"{file}, line 14, column 5: not valid YAML" in message
    assert "duplicate key 'headcount' (first on line 13, again on line 14)" in message
    assert "expected indented" not in message  # the problem says what was expected


def test_a_duplicate_key_in_a_proposal_file_is_refused_too(tmp_path):
    base = scenario_file(tmp_path)
    proposal = tmp_path / "proposal.yaml"
    proposal.write_text(f"base: {base.name}\noverrides:\n  pools.l1.headcount: 6\n"
                        "  pools.l1.headcount: 60\n")
    assert "duplicate key 'pools.l1.headcount' (first on line 3, again on line 4)" in \
        error_of(lambda: load_scenario(proposal))


def test_inf_in_a_proposal_names_the_proposal_and_the_path(tmp_path):
    scenario_file(tmp_path)
    proposal = tmp_path / "proposal.yaml"
    proposal.write_text("base: scenario.yaml\noverrides:\n  pools:\n    l1:\n"
                        "      headcount: .inf\n")
    message = error_of(lambda: load_scenario(proposal))
    assert message.startswith(f"{proposal}: pools.l1.headcount: found inf; expected a finite")


@pytest.mark.parametrize("shifts, problem", [
    ("[]", "found an empty list (no shifts)"),
    ("[{start_hour: 8, end_hour: 16, share: 0}]", "every shift has share 0"),
    ("[{start_hour: 8, end_hour: 16, days: [sat, sun]}]",
     "no shift with share > 0 starts on a day of the simulated period (mon, tue, wed)"),
])
def test_a_routed_pool_that_never_works_is_refused(tmp_path, shifts, problem):
    message = error_of(lambda: load_scenario(scenario_file(tmp_path, shifts=shifts)))
    assert f"pools.l1.shifts: {problem}; the pool receives work" in message


def test_weekend_shifts_are_fine_when_the_period_reaches_the_weekend(tmp_path):
    s = load_scenario(scenario_file(tmp_path, horizon=5,
                                    shifts="[{start_hour: 8, end_hour: 16, days: [sat]}]"))
    assert s.pools["l1"].shifts[0].days == ["sat"]


@pytest.mark.parametrize("override, expected", [
    ({"horizon_days": ".inf"}, "overrides: horizon_days: found inf; expected a finite number"),
    ({"pools.l1": "5"}, "pools.l1: found 5; expected a section of 'key: value' lines"),
    ({"pools.l1.headcount": ""}, "pools.l1.headcount: found an empty value; expected a number"),
    ({"routing.listing.escalation_probability": 0.2},
     "routing.listing.escalation_pool: missing; expected a pool"),
    ({"pools.l1.shifts": "[]"}, "pools.l1.shifts: found an empty list (no shifts)"),
    ({"pools.l1.handling": "{listing: {mean_s: 60}, listing: {mean_s: 600}}"},
     "duplicate key 'listing' (first on line 1, again on line 1)"),
])
def test_overrides_are_checked_like_the_file(tmp_path, override, expected):
    base = load_scenario(scenario_file(tmp_path))
    assert expected in error_of(lambda: apply_overrides(base, override, source="overrides"))


def test_notebook_parameters_refuse_inf_and_nan_by_name():
    schema = {"volume": Number(minimum=0), "days": Integer(minimum=1)}
    for text in ("inf", "nan", "-inf", "1e400"):
        with pytest.raises(ParameterError, match=r"parameter 'volume': found .*; expected a "
                           r"number of at least 0, finite \(not inf or nan\)"):
            validate({"volume": text, "days": "3"}, schema)


# ------------------------------------------------------------------ the size guard


def test_the_estimate_is_volume_times_horizon_times_events_per_item(tmp_path):
    s = load_scenario(scenario_file(tmp_path, volume=1000, horizon=3))
    size = estimate_run_size(s, replications=4)
    assert size.items == pytest.approx(3000)  # a flat week: 1000 a day for 3 days
    assert size.events == pytest.approx(3000 * 4.5 * 4)
    assert estimate_run_size(s, 4, event_log=False).events == pytest.approx(3000 * 4.5)


def test_weekly_profile_surges_and_backlog_count_in_the_estimate(tmp_path):
    s = load_scenario(scenario_file(tmp_path, volume=700, horizon=7))
    s = apply_overrides(s, {"item_types.listing.weekly_profile": [1, 1, 1, 1, 1, 2, 0],
                            "item_types.listing.surges": [
                                {"start": "2026-03-03", "end": "2026-03-04", "multiplier": 3}],
                            "item_types.listing.initial_backlog.count": 250})
    # 700 a day x 7 days x mean weekly 1 + 2 surge days x 2 extra x 700 + backlog
    assert estimate_run_size(s).items == pytest.approx(4900 + 2800 + 250)


def test_a_plausible_typo_is_refused_before_allocating(tmp_path):
    s = load_scenario(scenario_file(tmp_path))
    big = apply_overrides(s, {"item_types.listing.volume_per_day": 1.0e9})
    with pytest.raises(ParameterError) as info:
        simulate(big)
    message = str(info.value)
    assert "the run is too large: about 2,000,000,000 items a replication" in message
    assert "9,000,000,000 events held at once, 838.2 GiB of memory" in message
    assert f"the limit is {DEFAULT_MAX_EVENTS:,} events" in message
    assert "--max-events 1e10" in message and "max_events=" in message
    assert message.endswith("or run fewer replications or without the event log (--no-log)")


def test_the_limit_is_a_knob(tmp_path):
    s = load_scenario(scenario_file(tmp_path, volume=100, horizon=1))  # about 450 events
    with pytest.raises(ParameterError, match="the limit is 400 events") as info:
        simulate(s, max_events=400, event_log=False, item_table=False)
    assert str(info.value).endswith("(simulate(..., max_events=...))")  # already KPIs only
    assert simulate(s, max_events=500, event_log=False).kpis is not None


# ------------------------------------------------------------------ through the CLI


def run_cli(capsys, tmp_path: Path, *argv: str) -> tuple[str, Path]:
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    code = main([*argv, "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 2, captured
    assert "Traceback" not in captured.err and captured.out == ""
    assert list(out.iterdir()) == []
    return captured.err, out


@pytest.mark.parametrize("setting, expected", [
    ("horizon_days=.inf", "--set: horizon_days: found inf; expected a finite number"),
    ("item_types.listing.volume_per_day=1.0e308",
     "item_types.listing.volume_per_day: found '1.0e308'; expected a number <= 1,000,000,000"),
    ("pools.l1.headcount=.inf", "pools.l1.headcount: found inf"),
    ("pools.l1.shifts=[]", "pools.l1.shifts: found an empty list (no shifts)"),
    ("pools.l1.headcount=0", "pools.l1.headcount: found 0; the pool receives work"),
    ("item_types.listing.volume_per_day=1.0e9", "the run is too large"),
])
def test_cli_simulate_refuses_bad_settings_with_exit_2(tmp_path, capsys, setting, expected):
    err, _ = run_cli(capsys, tmp_path, "simulate", str(scenario_file(tmp_path)), "--set",
                     setting)
    assert err.startswith("modlean simulate: error: ") and expected in err


def test_cli_simulate_refuses_a_duplicate_key_with_exit_2(tmp_path, capsys):
    file = scenario_file(tmp_path)
    file.write_text(file.read_text().replace("    cost_per_hour: 9.5\n",
                                             "    cost_per_hour: 9.5\n    cost_per_hour: 95\n"))
    err, _ = run_cli(capsys, tmp_path, "simulate", str(file))
    assert "duplicate key 'cost_per_hour' (first on line 16, again on line 17)" in err


def test_cli_max_events_raises_the_limit(tmp_path, capsys):
    file = scenario_file(tmp_path, volume=100, horizon=1)
    err, _ = run_cli(capsys, tmp_path, "simulate", str(file), "--max-events", "100")
    assert "the limit is 100 events" in err and "--max-events 5e2" in err
    assert main(["simulate", str(file), "--max-events", "5e2", "--json"]) == 0


def test_cli_compare_has_the_same_guard_and_knob(tmp_path, capsys):
    base = scenario_file(tmp_path, volume=100, horizon=1)
    proposal = tmp_path / "proposal.yaml"
    proposal.write_text("base: scenario.yaml\noverrides:\n  pools.l1.headcount: 5\n")
    err, _ = run_cli(capsys, tmp_path, "compare", str(base), str(proposal), "--replications",
                     "2", "--workers", "1", "--max-events", "100")
    assert err.startswith("modlean compare: error: scenario 'small': the run is too large")
    assert main(["compare", str(base), str(proposal), "--replications", "2", "--workers", "1",
                 "--max-events", "5e2", "--json"]) == 0


@pytest.mark.parametrize("command", [
    ["staff", "--pool", "l1", "--replications", "2", "--workers", "1"],
    ["sensitivity", "--parameter", "volumes", "--replications", "2", "--workers", "1"],
])
def test_cli_staff_and_sensitivity_have_the_same_guard_and_knob(tmp_path, capsys, command):
    base = scenario_file(tmp_path, volume=100, horizon=1)
    args = [command[0], str(base), *command[1:]]
    err, _ = run_cli(capsys, tmp_path, *args, "--max-events", "100")
    assert err.startswith(f"modlean {command[0]}: error: ") and "the run is too large" in err
    assert "--max-events 5e2" in err
    if command[0] == "sensitivity":
        assert main([*args, "--max-events", "5e2", "--json"]) == 0
