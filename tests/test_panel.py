"""The SOP what-if panel: its callback without a browser, and the widget driven from Python."""

from __future__ import annotations

import pytest

from modlean.errors import ParameterError
from modlean.evidence import panel
from modlean.scenario import preset


@pytest.fixture(scope="module")
def short():
    """The US preset for one day of arrivals (about half a second a run)."""
    return panel.short_scenario(preset("US"), horizon_days=1, warmup_days=0, drain_days=1)


def _settings(scenario, **changes):
    model = scenario.item_types["listing"].model
    values = {"pool": "l1_listing", "headcount": scenario.pools["l1_listing"].headcount,
              "t_low": model.t_low, "t_high": model.t_high, "qa_rate": scenario.qa.human_rate}
    return {**values, **changes}


@pytest.fixture(scope="module")
def reference(short):
    return panel.panel_kpis(short, seed=3, **_settings(short))


def test_overrides_name_the_four_knobs():
    s = preset("UK")
    assert panel.panel_overrides(s, pool="qa", headcount=12, t_low=0.1, t_high=0.8,
                                 qa_rate=0.05) == {
        "pools.qa.headcount": 12, "item_types.listing.model.t_low": 0.1,
        "item_types.listing.model.t_high": 0.8, "qa.human_rate": 0.05}


@pytest.mark.parametrize("changes, words", [
    ({"pool": "nobody"}, "pool 'nobody'"),
    ({"t_low": 0.7, "t_high": 0.3}, "t_low 0.7 is above t_high 0.3"),
    ({"qa_rate": 1.5}, "qa_rate: found 1.5"),
    ({"headcount": -1}, "headcount: found -1"),
    ({"item_type": "seller_onboarding"}, "model is disabled"),
])
def test_bad_knob_values_are_refused_with_the_value_named(changes, words):
    s = preset("US")
    with pytest.raises(ParameterError, match=words):
        panel.panel_overrides(s, **_settings(s, **changes))


def test_more_reviewers_turn_items_around_faster_at_lower_utilisation(short, reference):
    fewer = panel.panel_kpis(short, seed=3, **_settings(short, headcount=70))
    assert fewer["P95 turnaround, listing (h)"] > 10 * reference["P95 turnaround, listing (h)"]
    assert fewer["mean L1 wait, all items (h)"] > reference["mean L1 wait, all items (h)"]
    assert fewer["utilisation of l1_listing"] > reference["utilisation of l1_listing"]
    # the same items on common random numbers: the model's routing did not move
    assert fewer["human review rate, listing"] == reference["human review rate, listing"]


def test_a_wider_band_sends_more_items_to_people_and_catches_more(short, reference):
    wider = panel.panel_kpis(short, seed=3, **_settings(short, t_low=0.15, t_high=0.8))
    model = short.item_types["listing"].model.model_copy(update={"t_low": 0.15, "t_high": 0.8})
    expected = model.rates(short.item_types["listing"].prevalence)["human_share"]
    assert wider["human review rate, listing"] == pytest.approx(expected, abs=0.01)
    assert wider["human review rate, listing"] > reference["human review rate, listing"]
    assert wider["false approval rate"] < reference["false approval rate"]
    assert wider["P95 turnaround, listing (h)"] > reference["P95 turnaround, listing (h)"]


def test_a_higher_qa_rate_samples_proportionally_more(short, reference):
    more = panel.panel_kpis(short, seed=3, **_settings(short, qa_rate=0.09))
    # 3 % -> 9 % of human decisions (plus the unchanged 0.5 % of automatic ones)
    assert 2.0 < more["QA samples"] / reference["QA samples"] < 3.2
    assert more.attrs["overrides"]["qa.human_rate"] == 0.09


def test_the_widget_runs_the_callback_and_keeps_a_history():
    p = panel.sop_panel("US", seed=3, horizon_days=1, warmup_days=0, drain_days=1)
    assert p.pool.value == "l1_listing" and p.headcount.value == 115
    assert p.thresholds.value == (0.26, 0.64)
    assert "reference" in p.table.value and p.history.empty
    p.headcount.value = 70
    p.run_button.click()                          # what pressing Run does
    assert p.last["P95 turnaround, listing (h)"] > p.reference["P95 turnaround, listing (h)"]
    assert "this run" in p.table.value and len(p.history) == 1
    assert p.history.loc[0, "headcount"] == 70
    p.pool.value = "qa"                           # the headcount follows the pool
    assert p.headcount.value == 15
    with pytest.raises(ParameterError, match=r"t_low 0\.9 is above t_high 0\.64"):
        p.run(t_low=0.9)
    p.reset_button.click()
    assert p.settings()["qa_rate"] == 0.03 and "this run" not in p.table.value


def test_the_panel_is_skipped_in_batch_runs(monkeypatch, capsys):
    from modlean.evidence import BATCH_ENV

    monkeypatch.setenv(BATCH_ENV, "1")
    assert panel.show_sop_panel("US") is None
    assert "skipped in batch runs" in capsys.readouterr().out


def test_the_short_run_must_measure_at_least_part_of_a_day():
    with pytest.raises(ParameterError, match="warmup_days"):
        panel.short_scenario(preset("US"), horizon_days=1, warmup_days=1)
