"""The workflow diagram: the graph it draws holds the scenario's steps and routes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from modlean.errors import ParameterError
from modlean.plots.workflow import workflow_diagram, workflow_graph
from modlean.scenario import apply_overrides, preset

SPECIALIST = {
    "routing.listing": None,
    "workflows.listing": {
        "start": "triage",
        "steps": {
            "triage": {"kind": "system",
                       "routes": [{"to": "brand", "when": {"label": "counterfeit"}},
                                  {"to": "l1"}]},
            "brand": {"kind": "review", "pool": "l2_policy", "activity": "Brand desk",
                      "routes": [{"to": "done"}]},
            "l1": {"kind": "review", "pool": "l1_listing",
                   "routes": [{"to": "seller", "p": 0.2}, {"to": "done", "p": 0.8}]},
            "seller": {"kind": "wait", "wait": {"mean_hours": 30}, "routes": [{"to": "l1"}]},
        }}}


def test_the_graph_holds_the_steps_routes_and_conditions():
    s = apply_overrides(preset("US"), SPECIALIST)
    g = workflow_graph(s, "listing")
    assert set(g.nodes) == {"triage", "brand", "l1", "seller", "done"}
    assert g.graph["start"] == "triage"
    assert g.edges["triage", "brand"]["when"] == "label counterfeit 1.00"
    assert (g.edges["triage", "l1"]["when"], g.edges["triage", "l1"]["p"]) == ("", 1.0)
    assert g.edges["l1", "seller"]["p"] == pytest.approx(0.2)
    assert g.edges["seller", "l1"]["p"] == 1.0  # a loop back
    assert g.nodes["brand"]["label"].startswith("Brand desk")  # the activity it logs
    assert "mean 30 h" in g.nodes["seller"]["label"]
    fig = workflow_diagram(s, "listing")
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert "0.20" in texts and any(t.startswith("Brand desk") for t in texts)
    plt.close(fig)


def test_a_routed_item_type_is_drawn_as_its_l1_and_l2():
    s = preset("US")
    g = workflow_graph(s, "listing")
    esc = s.routing["listing"].escalation_probability
    assert g.edges["l1", "l2"]["p"] == pytest.approx(esc)
    assert g.edges["l1", "done"]["p"] == pytest.approx(1 - esc)
    plt.close(workflow_diagram(s, "listing"))


def test_an_unknown_item_type_is_refused_with_a_suggestion():
    with pytest.raises(ParameterError, match="did you mean 'listing'"):
        workflow_graph(preset("US"), "listings")
