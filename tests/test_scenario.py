"""Scenario schema, YAML IO, overrides, proposals, presets and every validation message."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from scipy.stats import beta

from modlean.errors import ScenarioError
from modlean.scenario import (
    ModelSpec,
    ScoreDist,
    apply_overrides,
    list_presets,
    load_scenario,
    market_scenario,
    preset,
    scenario_from_dict,
    scenario_reference,
    to_yaml,
)

ROOT = Path(__file__).resolve().parents[1]

SMALL = """\
name: small
market: XX
timezone: Asia/Jakarta
item_types:
  listing:
    volume_per_day: 1000
    model: {enabled: true, t_low: 0.2, t_high: 0.8}
routing:
  listing: {pool: l1}
pools:
  l1:
    headcount: 10
    shifts:
      - {start_hour: 8, end_hour: 16}
    handling: {listing: {dist: lognormal, mean_s: 45, cv: 0.6}}
"""


@pytest.fixture
def small(write):
    return write("small.yaml", SMALL)


def _error(call) -> str:
    with pytest.raises(ScenarioError) as info:
        call()
    return str(info.value)


def test_load_small_scenario_with_defaults(small):
    s = load_scenario(small)
    assert s.timezone == "Asia/Jakarta" and s.horizon_days == 7
    assert s.pools["l1"].shrinkage == 0.35  # DOMAIN default
    assert s.pools["l1"].shifts[0].days == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    assert s.item_types["listing"].sla.hours == 24
    assert s.pools["l1"].handling_for("listing").mean == 45


def test_yaml_round_trip(small, tmp_path):
    s = load_scenario(small)
    again = load_scenario(_write(tmp_path / "again.yaml", to_yaml(s)))
    assert again == s


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------ validation messages

def test_negative_headcount(small):
    msg = _error(lambda: load_scenario(small, overrides={"pools.l1.headcount": -3}))
    assert "pools.l1.headcount: found -3; expected a number >= 0" in msg


def test_probability_outside_0_1(write):
    path = write("p.yaml", SMALL.replace("volume_per_day: 1000",
                                         "volume_per_day: 1000\n    prevalence: 1.5"))
    msg = _error(lambda: load_scenario(path))
    assert str(path) in msg
    assert "item_types.listing.prevalence: found 1.5; expected a probability between 0 and 1" \
        in msg


def test_t_low_above_t_high(small):
    msg = _error(lambda: load_scenario(small, overrides={"item_types.listing.model.t_low": 0.9}))
    assert "item_types.listing.model: t_low (0.9) is above t_high (0.8); expected t_low <= " \
        "t_high" in msg


def test_unknown_pool_in_routing(small):
    msg = _error(lambda: load_scenario(small, overrides={"routing.listing.pool": "l1_listng"}))
    assert "routing.listing.pool: unknown pool 'l1_listng'" in msg
    assert "expected one of: l1" in msg


def test_unknown_pool_in_routing_suggests(small):
    s = load_scenario(small)
    data = s.model_dump(mode="json")
    data["pools"]["l1_listing"] = data["pools"].pop("l1")
    data["routing"]["listing"]["pool"] = "l1_listng"
    msg = _error(lambda: scenario_from_dict(data, source="x.yaml"))
    assert msg.startswith("x.yaml: routing.listing.pool: unknown pool 'l1_listng'; did you mean "
                          "'l1_listing'?")


def test_shift_hours_outside_0_24(small):
    msg = _error(lambda: load_scenario(small, overrides={"pools.l1.shifts.0.end_hour": 25}))
    assert "pools.l1.shifts.0.end_hour: found 25; expected an hour of the day between 0 and 24" \
        in msg


def test_unknown_key_in_file_with_did_you_mean(write):
    path = write("typo.yaml", SMALL.replace("headcount: 10", "headcount: 10\n    shrinkge: 0.3"))
    msg = _error(lambda: load_scenario(path))
    assert f"{path}: pools.l1.shrinkge: unknown key 'shrinkge'; did you mean 'shrinkage'?" in msg


def test_unknown_key_in_override_with_did_you_mean(small):
    msg = _error(lambda: apply_overrides(load_scenario(small), {"pools.l1.headcont": 5},
                                         source="--set"))
    assert msg.startswith("--set: pools.l1.headcont: unknown key 'headcont' in pools.l1; did you "
                          "mean 'headcount'?")


def test_bad_yaml_names_file_and_line(write):
    path = write("bad.yaml", "name: x\nitem_types:\n  listing:\n    volume_per_day: [1, 2\n"
                             "routing: {}\n")
    msg = _error(lambda: load_scenario(path))
    assert msg.startswith(f"{path}, line 5, column 8: not valid YAML")


def test_more_validation_messages(small):
    s = load_scenario(small)
    cases = {
        "timezone": ("Mars/Olympus", "timezone: found 'Mars/Olympus'; expected an IANA time zone"),
        "warmup_days": (30, "warmup_days (30.0) is not below horizon_days (7.0)"),
        "pools.l1.shrinkage": (1.0, "pools.l1.shrinkage: found 1.0; expected a number < 1"),
        "pools.l1.handling.listing.dist": ("gamma", "expected one of 'lognormal', 'exponential'"),
        "item_types.listing.hourly_profile": ([1, 2], "expected 24 non-negative weights"),
        "routing.listing.escalation_probability": (
            0.1, "routing.listing.escalation_pool: missing; expected a pool"),
        "routing.content": ({"pool": "l1"}, "routing.content: unknown item type 'content'"),
        "pools.l1.shifts.0.days": (["mon", "funday"], "expected one of 'mon'"),
        "qa.enabled": (True, "qa.pool: missing; expected one of the pools"),
    }
    for path, (value, message) in cases.items():
        assert message in _error(lambda p=path, v=value: apply_overrides(s, {p: v})), path


def test_missing_route_and_skills(small):
    s = load_scenario(small)
    msg = _error(lambda: apply_overrides(s, {"item_types.content.volume_per_day": 10}))
    assert "routing.content: missing; item type 'content' sends items to human review" in msg
    msg = _error(lambda: apply_overrides(s, {"item_types.listing.required_skills": ["th"]}))
    assert "routing.listing.pool: pool 'l1' lacks skills ['th']" in msg


# ------------------------------------------------------------------ overrides and proposals

def test_overrides_paths_values_and_new_entries(small):
    s = load_scenario(small)
    t = apply_overrides(s, {
        "pools.l1.headcount": "140",                       # string read as YAML
        "pools.l1.shifts.0.days": "[mon, tue]",
        "item_types.listing.model.t_low": 0.1,
        "pools.qa.headcount": 3,                           # a new pool
        "pools.qa.handling": {"*": {"mean_s": 60}},
        "qa": {"enabled": True, "pool": "qa", "human_rate": 0.05},
    })
    assert t.pools["l1"].headcount == 140 and t.pools["l1"].shifts[0].days == ["mon", "tue"]
    assert t.item_types["listing"].model.t_low == 0.1
    assert t.qa.pool == "qa" and t.qa.human_rate == 0.05
    assert s.pools["l1"].headcount == 10  # the baseline is untouched
    msg = _error(lambda: apply_overrides(s, {"pools.l1.shifts.3.start_hour": 1}))
    assert "pools.l1.shifts has 1 entries; found position '3'" in msg


def test_proposal_on_baseline(small, write):
    proposal = write("proposal.yaml", "base: small.yaml\nname: faster\noverrides:\n"
                                      "  pools.l1.headcount: 12\n"
                                      "  item_types:\n    listing:\n      model: {t_high: 0.7}\n")
    s = load_scenario(proposal)
    assert s.name == "faster" and s.pools["l1"].headcount == 12
    assert s.item_types["listing"].model.t_high == 0.7
    assert s.item_types["listing"].model.t_low == 0.2  # nested overrides merge
    no_base = write("nobase.yaml", "overrides:\n  pools.l1.headcount: 12\n")
    assert "a proposal needs a baseline" in _error(lambda: load_scenario(no_base))
    assert load_scenario(no_base, base=small).pools["l1"].headcount == 12
    typo = write("typo.yaml", "base: small.yaml\noverride:\n  pools.l1.headcount: 12\n")
    assert "unknown key 'override'; did you mean 'overrides'?" in _error(
        lambda: load_scenario(typo))


# ------------------------------------------------------------------ presets

def test_presets_load_and_cover_five_markets():
    names = list_presets()
    for market in ("US", "UK", "ID", "MY", "TH"):
        s = preset(market)
        assert s.market == market and s.qa.enabled and s.appeals.enabled
        assert set(s.item_types) == {"listing", "content", "seller_onboarding", "ipr_complaint"}
        assert s.item_types["listing"].volume_per_day >= 50_000
    assert "mmc" in names and any(n.startswith("US_") for n in names)
    assert "unknown; did you mean 'US'" in _error(lambda: preset("USA"))


def test_proposal_preset_changes_thresholds_and_qa():
    base, prop = preset("US"), preset("US_sop_thresholds_qa")
    assert prop.item_types["listing"].model.t_low != base.item_types["listing"].model.t_low
    assert prop.qa.human_rate > base.qa.human_rate
    assert prop.item_types["seller_onboarding"] == base.item_types["seller_onboarding"]
    surge = preset("US_surge").item_types["listing"].surges[0]
    assert surge.start == dt.date(2026, 3, 9) and surge.multiplier == 2


def test_mmc_preset_is_a_plain_mmc():
    s = preset("mmc")
    assert not s.qa.enabled and not s.appeals.enabled
    job = s.item_types["job"]
    assert not job.model.enabled and len(set(job.hourly_profile)) == 1
    pool = s.pools["servers"]
    assert pool.shrinkage == 0 and pool.handling["job"].dist == "exponential"
    assert pool.shifts[0].start_hour == 0 and pool.shifts[0].end_hour == 24


def test_model_rates_follow_from_the_score_distributions():
    m = ModelSpec(enabled=True, violating=ScoreDist(a=2.76, b=2.09),
                  clean=ScoreDist(a=0.82, b=5.58), t_low=0.26, t_high=0.64)
    r = m.rates(0.15)
    assert r["auto_approve_share"] + r["auto_reject_share"] + r["human_share"] == pytest.approx(1)
    assert r["recall"] == pytest.approx(beta.sf(0.26, 2.76, 2.09))
    tp = 0.15 * beta.sf(0.64, 2.76, 2.09)
    fp = 0.85 * beta.sf(0.64, 0.82, 5.58)
    assert r["auto_reject_precision"] == pytest.approx(tp / (tp + fp))
    # the preset's listing model is tuned to DOMAIN.md §6: ~75 / 5 / 20 %, precision ~97 %
    assert 0.15 < r["human_share"] < 0.25 and r["auto_reject_precision"] > 0.95


def test_scenario_reference_is_generated_and_committed():
    text = scenario_reference()
    assert "| `headcount` |" in text and "## `pools.<name>.shifts.<i>`" in text
    committed = (ROOT / "docs" / "scenario-reference.md").read_text(encoding="utf-8")
    assert committed == text, ("docs/scenario-reference.md is stale; regenerate it with "
                               "modlean.scenario.scenario_reference()")


def test_market_scenario_is_the_preset_or_a_file_for_that_market(tmp_path):
    short = {"horizon_days": 2}
    assert market_scenario("UK", "", overrides=short) == preset("UK", overrides=short)
    calibrated = tmp_path / "UK.yaml"
    to_yaml(preset("UK", overrides={"pools.l1_listing.headcount": 60}), calibrated)
    got = market_scenario("UK", calibrated, overrides=short)
    assert got.pools["l1_listing"].headcount == 60 and got.horizon_days == 2
    with pytest.raises(ScenarioError, match=r"for market 'UK', but the run is for 'US'"):
        market_scenario("US", calibrated)
    with pytest.raises(ScenarioError, match="preset 'XX': unknown"):
        market_scenario("XX")


def test_names_that_cannot_be_override_paths_are_refused():
    data = preset("mmc").model_dump(mode="json")
    data["pools"]["appeals.dora"] = data["pools"].pop(next(iter(data["pools"])))
    with pytest.raises(ScenarioError, match=r"names \['appeals.dora'\] cannot be used"):
        scenario_from_dict(data)


def test_a_proposal_for_any_market_names_its_item_type(tmp_path):
    """`{item_type}` in a proposal is the caller's item type, else the first with a model."""
    from modlean.scenario import apply_overrides, load_proposal, preset

    proposal = tmp_path / "p.yaml"
    proposal.write_text("description: '{item_type} t_low 0.2'\noverrides:\n"
                        "  item_types.{item_type}.model.t_low: 0.2\n")
    us = preset("US")
    default = apply_overrides(us, load_proposal(proposal)["overrides"])
    assert default.item_types["listing"].model.t_low == 0.2  # the first with a model
    named = load_proposal(proposal, item_type="content")["overrides"]
    assert named == {"item_types.content.model.t_low": 0.2, "description": "content t_low 0.2"}
    no_listing_model = apply_overrides(us, {"item_types.listing.model.enabled": False})
    moved = apply_overrides(no_listing_model, load_proposal(proposal)["overrides"])
    first = next(n for n, it in us.item_types.items() if n != "listing" and it.model.enabled)
    assert moved.item_types[first].model.t_low == 0.2


def test_a_proposals_name_and_description_are_text_even_with_a_colon(tmp_path):
    """'NL: L1 7 -> 6' is a sentence, not a YAML mapping (a PM's proposal failed on it)."""
    from modlean.scenario import apply_overrides, load_proposal, preset

    path = tmp_path / "p.yaml"
    path.write_text('name: "L1: minus one"\ndescription: "NL: L1 headcount 7 -> 6"\n'
                    "overrides:\n  pools.servers.headcount: 4\n")
    changed = apply_overrides(preset("mmc"), load_proposal(path)["overrides"])
    assert (changed.name, changed.description) == ("L1: minus one", "NL: L1 headcount 7 -> 6")
    assert changed.pools["servers"].headcount == 4
