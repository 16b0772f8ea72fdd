"""Process figures: the DFG as a process map, variants, waiting times, WIP over time.

The process map is drawn left to right. With the Graphviz ``dot`` program
installed it is laid out by ``dot`` (:func:`dot_source` gives the text it
reads); otherwise by a pure-matplotlib layered layout (:func:`layered_layout`):
layers by longest path from the start once loops are set aside, edges that skip
layers routed through a waypoint per layer, order within a layer by the
barycentre of neighbours. Edge width follows frequency; with
``metric="wait"`` the colour follows the mean time on the edge.
"""

from __future__ import annotations

import io
import itertools
import shutil
import subprocess
import warnings
from typing import Any, Literal

import matplotlib as mpl
import matplotlib.image as mpimg
import networkx as nx
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path

from modlean.errors import ParameterError
from modlean.plots.style import figure
from modlean.process import (
    DFG,
    EventArrays,
    MiningWarning,
    dfg,
    event_times,
    variants,
    wip_over_time,
)

__all__ = [
    "END",
    "START",
    "dot_source",
    "has_dot",
    "layered_layout",
    "process_map",
    "variant_chart",
    "waiting_times",
    "wip_chart",
]

START, END = "▶ start", "■ end"
Metric = Literal["frequency", "wait"]


def has_dot() -> bool:
    """True when the Graphviz ``dot`` program is on the PATH."""
    return shutil.which("dot") is not None


def _graph(graph: DFG | pd.DataFrame | EventArrays) -> DFG:
    if isinstance(graph, DFG):
        return graph
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MiningWarning)
        return dfg(graph)


def _edges(g: DFG, min_count: int = 1) -> pd.DataFrame:
    """Activity edges plus edges from START and to END, with counts (and mean times)."""
    e = g.edges.loc[g.edges["count"] >= min_count]
    cols = ["source", "target", "count"] + (["mean_seconds"] if "mean_seconds" in e else [])
    starts = pd.DataFrame({"source": START, "target": g.start_activities.index,
                           "count": g.start_activities.to_numpy()})
    ends = pd.DataFrame({"source": g.end_activities.index, "target": END,
                         "count": g.end_activities.to_numpy()})
    return pd.concat([e[cols], starts, ends], ignore_index=True)


def _human(seconds: float) -> str:
    if not np.isfinite(seconds):
        return ""
    sign = "-" if seconds < 0 else ""
    s = abs(seconds)
    if s >= 86400:
        return f"{sign}{s / 86400:.1f} d"
    if s >= 3600:
        return f"{sign}{s / 3600:.1f} h"
    if s >= 60:
        return f"{sign}{s / 60:.0f} min"
    return f"{sign}{s:.0f} s"


def layered_layout(graph: DFG | pd.DataFrame | EventArrays, min_count: int = 1
                   ) -> dict[str, tuple[float, float]]:
    """Left-to-right positions ``{node: (layer, row)}`` for the process map.

    Loops are set aside by a depth-first search from the start that follows
    the most frequent edges first; each node's layer is its longest path from
    the start in what remains; an edge spanning several layers gets a waypoint
    in each layer between (so it is routed around the boxes); rows come from a
    few barycentre sweeps over nodes and waypoints.
    """
    pos, _ = _layout(_graph(graph), min_count)
    return {n: p for n, p in pos.items() if not isinstance(n, tuple)}


def _layout(g: DFG, min_count: int) -> tuple[dict[Any, tuple[float, float]],
                                              dict[tuple[str, str], list[Any]]]:
    """Positions of nodes and waypoints, and the waypoints of each long forward edge."""

    e = _edges(g, min_count)
    nodes = [START, *g.activities.index, END]
    out: dict[str, list[str]] = {n: [] for n in nodes}
    for r in e.sort_values(["count", "source", "target"], ascending=[False, True, True],
                           kind="stable").itertuples(index=False):
        out[r.source].append(r.target)
    state: dict[str, int] = {}
    dag = nx.DiGraph()
    dag.add_nodes_from(nodes)
    for root in nodes:  # START first, then anything it cannot reach
        if root in state:
            continue
        stack = [(root, iter(out[root]))]
        state[root] = 1
        while stack:
            node, it = stack[-1]
            target = next(it, None)
            if target is None:
                state[node] = 2
                stack.pop()
                continue
            if state.get(target) == 1 or target == node:
                continue  # a loop back: drawn, but not used for layering
            dag.add_edge(node, target)
            if target not in state:
                state[target] = 1
                stack.append((target, iter(out[target])))
    layer: dict[Any, int] = dict.fromkeys(nodes, 0)
    for n in nx.topological_sort(dag):
        for m in dag.successors(n):
            layer[m] = max(layer[m], layer[n] + 1)
    layer[END] = max(layer[n] for n in nodes if n != END) + 1
    neighbours: dict[Any, list[Any]] = {n: [] for n in nodes}
    chains: dict[tuple[str, str], list[Any]] = {}
    for r in e.itertuples(index=False):
        if r.source == r.target or layer[r.target] <= layer[r.source]:
            continue
        steps = [(r.source, r.target, k) for k in range(layer[r.source] + 1,
                                                       layer[r.target])]
        chains[(r.source, r.target)] = steps
        path = [r.source, *steps, r.target]
        for a, b in itertools.pairwise(path):
            neighbours.setdefault(a, []).append(b)
            neighbours.setdefault(b, []).append(a)
        for w in steps:
            layer[w] = w[2]
    layers: dict[int, list[Any]] = {}
    for n in layer:
        layers.setdefault(layer[n], []).append(n)
    order = {n: float(i) for members in layers.values() for i, n in enumerate(members)}
    for _ in range(6):  # barycentre sweeps
        for k in sorted(layers):
            members = layers[k]
            bary = {n: np.mean([order[m] for m in neighbours.get(n, [])])
                    if neighbours.get(n) else order[n] for n in members}
            members.sort(key=lambda n: (bary[n], str(n)))
            for i, n in enumerate(members):
                order[n] = float(i)
    pos: dict[Any, tuple[float, float]] = {}
    for k, members in layers.items():
        offset = (len(members) - 1) / 2
        for i, n in enumerate(members):
            pos[n] = (float(k), offset - i)
    return pos, chains


def dot_source(graph: DFG | pd.DataFrame | EventArrays, metric: Metric = "frequency",
               min_count: int = 1) -> str:
    """The process map in Graphviz DOT (left to right), as ``dot`` reads it."""
    g = _graph(graph)
    e = _edges(g, min_count)
    top = max(int(e["count"].max()), 1) if len(e) else 1
    lines = ["digraph process {", '  rankdir=LR; splines=true; nodesep=0.3; ranksep=0.5;',
             '  node [shape=box, style="rounded,filled", fillcolor="#eaf2fb", '
             'fontname="Helvetica", fontsize=10];',
             '  edge [fontname="Helvetica", fontsize=9, color="#4c72b0"];',
             f'  "{START}" [shape=circle, label="start", fillcolor="#c9e7c3"];',
             f'  "{END}" [shape=doublecircle, label="end", fillcolor="#f4c7c3"];']
    for name, count in g.activities.items():
        lines.append(f'  "{_q(name)}" [label="{_q(name)}\\n{int(count):,}"];')
    colours = _wait_colours(e) if metric == "wait" else {}
    for i, r in enumerate(e.itertuples(index=False)):
        width = 0.8 + 5.0 * r.count / top
        label = f"{int(r.count):,}"
        if metric == "wait" and getattr(r, "mean_seconds", None) is not None \
                and START not in (r.source,) and END not in (r.target,):
            label = _human(r.mean_seconds)
        colour = colours.get(i)
        extra = f', color="{colour}"' if colour else ""
        lines.append(f'  "{_q(r.source)}" -> "{_q(r.target)}" [label="{label}", '
                     f'penwidth={width:.2f}{extra}];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def _q(text: Any) -> str:
    return str(text).replace("\\", "\\\\").replace('"', '\\"')


def _wait_colours(e: pd.DataFrame) -> dict[int, str]:
    """Hex colour per edge row by mean time (activity edges only)."""

    if "mean_seconds" not in e:
        return {}
    inner = e["source"].ne(START) & e["target"].ne(END) & e["mean_seconds"].notna()
    if not inner.any():
        return {}
    values = e.loc[inner, "mean_seconds"].clip(lower=0)
    norm = mpl.colors.Normalize(vmin=0, vmax=max(float(values.max()), 1.0))
    cmap = mpl.colormaps["rocket_r"] if "rocket_r" in mpl.colormaps else mpl.colormaps["magma_r"]
    return {int(i): mpl.colors.to_hex(cmap(0.15 + 0.8 * norm(v))) for i, v in values.items()}


def process_map(graph: DFG | pd.DataFrame | EventArrays, *, metric: Metric = "frequency",
                engine: Literal["auto", "dot", "matplotlib"] = "auto", min_count: int = 1,
                title: str | None = None) -> Figure:
    """The DFG as a left-to-right process map.

    Parameters
    ----------
    graph:
        A :class:`~modlean.process.DFG` (``mining.dfg(log)``) or a log.
    metric:
        ``"frequency"``: edges labelled with counts; ``"wait"``: labelled and
        coloured by the mean time between the two activities.
    engine:
        ``"dot"`` (needs Graphviz), ``"matplotlib"`` (always available) or
        ``"auto"`` (dot when installed).
    min_count:
        Hide edges seen fewer times than this (start/end edges always shown).

    Returns
    -------
    matplotlib.figure.Figure
    """
    if metric not in ("frequency", "wait"):
        raise ParameterError(f"metric={metric!r}: expected 'frequency' or 'wait'")
    g = _graph(graph)
    use_dot = engine == "dot" or (engine == "auto" and has_dot())
    if engine == "dot" and not has_dot():
        raise ParameterError("engine='dot' needs the Graphviz 'dot' program; install "
                             "graphviz or use engine='matplotlib'")
    if engine not in ("auto", "dot", "matplotlib"):
        raise ParameterError(f"engine={engine!r}: expected 'auto', 'dot' or 'matplotlib'")
    title = title or ("Process map: mean time between activities" if metric == "wait"
                      else "Process map: cases along each path")
    if use_dot:
        return _draw_dot(g, metric, min_count, title)
    return _draw_layers(g, metric, min_count, title)


def _draw_dot(g: DFG, metric: Metric, min_count: int, title: str) -> Figure:
    png = subprocess.run(["dot", "-Tpng", "-Gdpi=110"], input=dot_source(g, metric,
                                                                          min_count).encode(),
                         capture_output=True, check=True).stdout
    image = mpimg.imread(io.BytesIO(png), format="png")
    h, w = image.shape[:2]
    fig, ax = figure(min(16.0, max(6.0, w / 110)), min(12.0, max(3.0, h / 110 + 0.6)))
    ax.imshow(image)
    ax.set_axis_off()
    ax.set_title(title)
    fig.modlean_engine = "dot"
    return fig


def _draw_layers(g: DFG, metric: Metric, min_count: int, title: str) -> Figure:
    pos, chains = _layout(g, min_count)
    e = _edges(g, min_count)
    n_layers = max(x for x, _ in pos.values()) + 1
    n_rows = max(sum(1 for x, _ in pos.values() if x == k) for k in range(int(n_layers)))
    fig, ax = figure(min(20.0, max(8.0, 1.5 * n_layers)),
                     min(12.0, max(3.5, 1.0 * n_rows + 1.2)))
    ax.set_axis_off()
    ax.set_title(title)
    xy = {n: (p[0] * 2.4, p[1] * 1.3) for n, p in pos.items()}
    xs = np.array([p[0] for p in xy.values()])
    ys = np.array([p[1] for p in xy.values()])
    ax.set_xlim(xs.min() - 1.2, xs.max() + 1.2)
    ax.set_ylim(ys.min() - 1.0, ys.max() + 1.0)
    top = max(int(e["count"].max()), 1) if len(e) else 1
    colours = _wait_colours(e) if metric == "wait" else {}
    half_w, half_h = 0.95, 0.32

    def half_width(n: str) -> float:
        return 0.45 if n in (START, END) else half_w

    for i, r in enumerate(e.itertuples(index=False)):
        (x1, y1), (x2, y2) = xy[r.source], xy[r.target]
        width = 0.6 + 5.0 * r.count / top
        colour = colours.get(i, "#4c72b0")
        label = f"{int(r.count):,}"
        if metric == "wait" and i in colours:
            label = _human(r.mean_seconds)
        style = {"arrowstyle": "-|>", "mutation_scale": 10, "lw": width, "color": colour}
        if r.source == r.target:  # self-loop: an arc over the box
            ax.add_patch(FancyArrowPatch((x1 - 0.3, y1 + half_h), (x1 + 0.3, y1 + half_h),
                                         connectionstyle="arc3,rad=-1.2", alpha=0.8,
                                         **style))
            ax.text(x1, y1 + half_h + 0.42, label, ha="center", va="bottom", fontsize=7)
            continue
        if (r.source, r.target) not in chains:  # a loop back: dashed, under the boxes
            start, end = (x1, y1 - half_h), (x2, y2 - half_h)
            ax.add_patch(FancyArrowPatch(start, end, connectionstyle="arc3,rad=0.45",
                                         alpha=0.55, linestyle="--", **style))
            mx, my = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2 - 0.35
        else:  # forward: a smooth curve through one waypoint per layer crossed
            points = [(x1 + half_width(r.source), y1),
                      *[xy[w] for w in chains[(r.source, r.target)]],
                      (x2 - half_width(r.target), y2)]
            ax.add_patch(FancyArrowPatch(path=_smooth(points), alpha=0.8, **style))
            mid = len(points) // 2
            (ax_, ay), (bx, by) = points[mid - 1], points[mid]
            mx, my = (ax_ + bx) / 2, (ay + by) / 2
        ax.text(mx, my, label, ha="center", va="center", fontsize=7, zorder=2,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                      "alpha": 0.8})
    for name, (x, y) in xy.items():
        if isinstance(name, tuple):  # a waypoint, not drawn
            continue
        special = name in (START, END)
        fc = "#c9e7c3" if name == START else "#f4c7c3" if name == END else "#eaf2fb"
        w = 0.45 if special else half_w
        ax.add_patch(FancyBboxPatch((x - w, y - half_h), 2 * w, 2 * half_h,
                                    boxstyle="round,pad=0.02,rounding_size=0.15", fc=fc,
                                    ec="#34495e", lw=1.0, zorder=3))
        text = name.split(" ")[-1] if special else \
            f"{name}\n{int(g.activities.get(name, 0)):,}"
        ax.text(x, y, text, ha="center", va="center", fontsize=8, zorder=4)
    if colours:
        vmax = float(e.loc[list(colours), "mean_seconds"].clip(lower=0).max()) / 3600
        cmap = mpl.colormaps["rocket_r"] if "rocket_r" in mpl.colormaps \
            else mpl.colormaps["magma_r"]
        sm = mpl.cm.ScalarMappable(norm=mpl.colors.Normalize(0, max(vmax, 1e-9)), cmap=cmap)
        fig.colorbar(sm, ax=ax, fraction=0.025, pad=0.01, label="mean time on edge (hours)")
    fig.modlean_engine = "matplotlib"
    return fig


def _smooth(points: list[tuple[float, float]]) -> Path:
    """A left-to-right Bezier path through ``points`` (horizontal at each point)."""

    verts = [points[0]]
    codes = [Path.MOVETO]
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        dx = (x1 - x0) / 2
        verts += [(x0 + dx, y0), (x1 - dx, y1), (x1, y1)]
        codes += [Path.CURVE4] * 3
    return Path(verts, codes)


def variant_chart(table: pd.DataFrame | EventArrays, top: int = 10) -> Figure:
    """Horizontal bars of the ``top`` variants' share of cases, with their paths as labels.

    ``table`` is a :func:`modlean.process.variants` table or a log.
    """
    if not (isinstance(table, pd.DataFrame) and "variant" in table):
        table = variants(table)
    shown = table.head(top)
    labels = [_path_label(v) for v in shown["variant"]]
    fig, ax = figure(10.0, 0.55 * len(shown) + 1.4)
    ax.barh(range(len(shown))[::-1], shown["share"].to_numpy() * 100)
    ax.set_yticks(range(len(shown))[::-1], labels, fontsize=8)
    for i, (share, count) in enumerate(zip(shown["share"], shown["count"], strict=True)):
        ax.text(share * 100, len(shown) - 1 - i, f" {count:,} ({share:.0%})", va="center",
                fontsize=8)
    covered = float(shown["cumulative_share"].iloc[-1]) if len(shown) else 0.0
    ax.set_xlabel("share of cases (%)")
    ax.set_title(f"Top {len(shown)} variants cover {covered:.0%} of cases")
    return fig


def _path_label(variant: tuple[str, ...], limit: int = 90) -> str:
    text = " → ".join(variant)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def waiting_times(log: pd.DataFrame | EventArrays, top: int = 12, unit: str = "hours") -> Figure:
    """Box plots of the waiting time before each activity (the ``top`` by total wait).

    Waits are start minus the previous completion where a start is logged and
    the gap between completions otherwise (see :func:`modlean.process.event_times`).
    """
    scale = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
    if unit not in scale:
        raise ParameterError(f"unit={unit!r}: expected one of {', '.join(scale)}")

    times = event_times(log, warn=False)
    times = times[times["basis"] != "first"]
    totals = times.groupby("activity", observed=True)["wait_seconds"].sum()
    totals = totals.sort_values(ascending=False, kind="stable")
    keep = [str(a) for a in totals.index[:top]]
    data = times[times["activity"].isin(keep)].assign(
        wait=lambda d: d["wait_seconds"] / scale[unit],
        activity=lambda d: d["activity"].astype(str))
    fig, ax = figure(8.0, 0.45 * max(len(keep), 1) + 1.4)
    with warnings.catch_warnings():  # seaborn's own use of a deprecated matplotlib keyword
        warnings.simplefilter("ignore", DeprecationWarning)
        sns.boxplot(data=data, x="wait", y="activity", order=keep, ax=ax, fliersize=2,
                    color=sns.color_palette()[0])
    ax.set_xlabel(f"wait before the activity ({unit})")
    ax.set_ylabel("")
    ax.set_title("Waiting time before each activity")
    if len(data) and (data["wait"] > 0).any() and (data["wait"] >= 0).all():
        ax.set_xscale("symlog", linthresh=max(float(data.loc[data["wait"] > 0, "wait"]
                                                     .quantile(0.05)), 1e-6))
    return fig


def wip_chart(log: pd.DataFrame | EventArrays | pd.Series, freq: str = "1h") -> Figure:
    """Cases in progress over time (from :func:`modlean.process.wip_over_time`) and its mean."""
    wip = log if isinstance(log, pd.Series) else wip_over_time(log, freq)
    fig, ax = figure(9.0, 3.5)
    ax.step(wip.index, wip.to_numpy(), where="post", lw=1.2)
    ax.axhline(float(wip.mean()), ls="--", lw=1, color="0.4",
               label=f"mean {wip.mean():.1f}")
    ax.set_ylabel("cases in progress")
    ax.set_title("Work in progress over time (UTC)")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper right")
    fig.autofmt_xdate()
    return fig
