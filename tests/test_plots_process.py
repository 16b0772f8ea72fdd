"""modlean.plots.process: the process map (dot and matplotlib), variants, waits, WIP."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import FancyBboxPatch

from modlean import process
from modlean.errors import ParameterError
from modlean.plots import process as process_plots

T0 = pd.Timestamp("2026-03-02T08:00:00Z")


@pytest.fixture
def log() -> pd.DataFrame:
    """a -> b -> c with a self-loop on b and a loop back c -> a in one case."""
    cases = {"k1": "abc", "k2": "abbc", "k3": "abcabc", "k4": "ac"}
    rows = [(c, a, T0 + pd.Timedelta(minutes=7 * i + 3 * j))
            for j, (c, seq) in enumerate(cases.items()) for i, a in enumerate(seq)]
    frame = pd.DataFrame(rows, columns=["case_id", "activity", "timestamp"])
    frame["timestamp"] = frame["timestamp"].astype("datetime64[us, UTC]")
    return frame


def test_layered_layout_runs_left_to_right_and_ignores_loops_for_layers(log):
    pos = process_plots.layered_layout(log)
    layer = {n: x for n, (x, _) in pos.items()}
    assert layer[process_plots.START] == 0
    assert layer["a"] == 1 and layer["b"] == 2 and layer["c"] == 3  # c -> a is a loop back
    assert layer[process_plots.END] == 4
    rows = [y for x, y in pos.values() if x == 1]
    assert rows == [0.0]  # one node in the layer sits on the middle line


def test_dot_source_lists_nodes_and_edges_with_counts(log):
    text = process_plots.dot_source(log)
    assert text.startswith("digraph process {") and "rankdir=LR" in text
    assert '"a" [label="a\\n5"]' in text
    assert '"b" -> "b" [label="1"' in text
    assert '"a" -> "b" [label="4"' in text
    assert f'"{process_plots.START}" -> "a" [label="4"' in text
    wait = process_plots.dot_source(log, metric="wait")
    assert '"a" -> "b" [label="7 min"' in wait and "color=" in wait


def test_dot_source_escapes_quotes():
    frame = pd.DataFrame({"case_id": ["x", "x"], "activity": ['say "hi"', "b"],
                          "timestamp": [T0, T0]}).astype({"timestamp": "datetime64[us, UTC]"})
    assert '"say \\"hi\\"" -> "b"' in process_plots.dot_source(frame)


def test_process_map_matplotlib(log):
    fig = process_plots.process_map(process.dfg(log), engine="matplotlib", metric="wait")
    assert fig.modlean_engine == "matplotlib"
    ax = fig.axes[0]
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    assert len(boxes) == 3 + 2  # activities plus start and end
    texts = {t.get_text() for t in ax.texts}
    assert {"a\n5", "b\n5", "c\n5", "start", "end"} <= texts
    assert len(fig.axes) == 2  # the colour bar for mean waits
    plt.close(fig)


@pytest.mark.skipif(not process_plots.has_dot(), reason="Graphviz 'dot' is not installed; the "
                    "matplotlib layout is tested instead")
def test_process_map_with_dot(log):
    fig = process_plots.process_map(log, engine="dot")
    assert fig.modlean_engine == "dot"
    image = fig.axes[0].images[0].get_array()
    assert image.shape[0] > 50 and image.shape[1] > 200  # a left-to-right picture
    plt.close(fig)


def test_auto_engine_falls_back_without_dot(log, monkeypatch):
    monkeypatch.setattr(process_plots.shutil, "which", lambda name: None)
    fig = process_plots.process_map(log)
    assert fig.modlean_engine == "matplotlib"
    plt.close(fig)
    with pytest.raises(ParameterError, match="needs the Graphviz"):
        process_plots.process_map(log, engine="dot")
    with pytest.raises(ParameterError, match="metric"):
        process_plots.process_map(log, metric="cost")


def test_variant_chart_bars_are_the_shares(log):
    table = process.variants(log)
    fig = process_plots.variant_chart(table, top=2)
    widths = sorted(p.get_width() for p in fig.axes[0].patches)
    assert widths == pytest.approx(sorted(table["share"].head(2) * 100))
    assert "cover 50%" in fig.axes[0].get_title()
    plt.close(fig)


def test_waiting_times_has_a_box_per_activity(log):
    fig = process_plots.waiting_times(log, unit="minutes")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert sorted(labels) == ["a", "b", "c"]
    plt.close(fig)
    with pytest.raises(ParameterError):
        process_plots.waiting_times(log, unit="weeks")


def test_wip_chart_draws_the_wip_series(log):
    wip = process.wip_over_time(log, freq="5min")
    fig = process_plots.wip_chart(log, freq="5min")
    assert np.array_equal(fig.axes[0].lines[0].get_ydata(), wip.to_numpy())
    plt.close(fig)


def test_long_edges_get_a_waypoint_in_each_layer_they_cross(log):
    pos, chains = process_plots._layout(process.dfg(log), 1)
    assert len(chains[("a", "c")]) == 1  # a (layer 1) -> c (layer 3) crosses layer 2
    waypoint = chains[("a", "c")][0]
    assert pos[waypoint][0] == 2 and pos[waypoint][1] != pos["b"][1]  # beside b, not on it
    assert ("c", "a") not in chains  # a loop back is drawn under the boxes instead
