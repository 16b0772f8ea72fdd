"""An item type's workflow as a diagram: its steps, routes and their probabilities.

:func:`workflow_graph` reads a scenario's workflow (or, for an item type still on
``routing``, its L1 -> L2 route) into a :class:`networkx.DiGraph`;
:func:`workflow_diagram` draws it with matplotlib (Graphviz is not needed): steps
in columns by their distance from the start, reviews blue with their pool, waits
orange with their mean delay, system steps grey, and every route labelled with its
probability and condition. A calibrated workflow (docs/fidelity.md) is drawn in
the log's own activity names.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np
from matplotlib.patches import FancyArrowPatch

from modlean._util import suggest
from modlean.errors import ParameterError
from modlean.plots.style import figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from modlean.scenario import Scenario, Step, When

__all__ = ["KIND_COLOURS", "workflow_diagram", "workflow_graph"]

#: Box colours per step kind (``done`` ends the workflow).
KIND_COLOURS = {"review": "#dbe9f6", "dual_review": "#c6dbef", "wait": "#fde3c8",
                "system": "#e6e6e6", "done": "#f4c7c3"}
_DONE = "done"


def _when_text(when: When | None) -> str:
    """A route condition in a few words (empty for none)."""
    if when is None:
        return ""
    parts = [f"{k} {'/'.join(v) if isinstance(v, list) else v}"
             for k, v in when.model_dump(exclude_none=True).items()]
    return ", ".join(parts)


def _step_label(name: str, step: Step) -> str:
    """What a step's box says: its activity (or name) and what it is."""
    title = step.activity if isinstance(step.activity, str) else name
    if step.kind in ("review", "dual_review"):
        more = f"{'dual review' if step.kind == 'dual_review' else 'review'} · {step.pool}"
    elif step.kind == "wait":
        values = step.wait.values if step.wait is not None else []
        mean = float(np.mean(values)) if values else (step.wait.mean_hours if step.wait
                                                      else 0.0)
        more = f"wait · mean {mean:.3g} h"
    else:
        more = "system" + (f" · {step.decision}" if step.decision else "")
    return "\n".join([*textwrap.wrap(title, 22)[:2], more])


def workflow_graph(scenario: Scenario, item_type: str) -> nx.DiGraph:
    """The workflow of ``item_type`` as a graph: nodes are steps (``kind``, ``label``) and
    ``done``; edges carry ``p`` (the largest of its groups) and ``when`` (each condition
    with its probability, as text; empty for one unconditioned route). An item type on
    ``routing`` becomes its L1 review, escalated to L2 with the escalation probability."""
    if item_type not in scenario.item_types:
        raise ParameterError(f"item_type={item_type!r}: not an item type of "
                             f"{scenario.name!r}; expected one of "
                             f"{', '.join(scenario.item_types)}"
                             f"{suggest(item_type, list(scenario.item_types))}")
    g = nx.DiGraph()
    g.add_node(_DONE, kind="done", label="done")
    wf = scenario.workflows.get(item_type)
    if wf is not None:
        for name, step in wf.steps.items():
            g.add_node(name, kind=step.kind, label=_step_label(name, step))
        for name, step in wf.steps.items():
            for route in step.routes:
                if route.p <= 0:
                    continue
                if not g.has_edge(name, route.to):
                    g.add_edge(name, route.to, p=0.0, groups=[])
                g.edges[name, route.to]["groups"].append((_when_text(route.when), route.p))
            if step.tie_break:
                g.add_edge(name, step.tie_break, p=float("nan"), groups=[])
        for _, _, d in g.edges(data=True):
            groups = d["groups"]
            d["p"] = max([p for _, p in groups], default=d["p"])
            d["when"] = "disagree" if not groups else "" if groups == [("", groups[0][1])] \
                else "; ".join(f"{w or 'otherwise'} {p:.2f}" for w, p in groups)
        g.graph["start"] = wf.start
        return g
    route = scenario.routing.get(item_type)
    if route is None:
        g.graph["start"] = _DONE  # decided by the model alone
        return g
    esc = route.escalation_probability if route.escalation_pool else 0.0
    g.add_node("l1", kind="review", label=f"L1\nreview · {route.pool}")
    g.add_edge("l1", _DONE, p=1 - esc, when="")
    if esc > 0:
        g.add_node("l2", kind="review", label=f"L2\nreview · {route.escalation_pool}")
        g.add_edge("l1", "l2", p=esc, when="")
        g.add_edge("l2", _DONE, p=1.0, when="")
    g.graph["start"] = "l1"
    return g


def _positions(g: nx.DiGraph) -> dict[str, tuple[float, float]]:
    """Columns by shortest distance from the start (``done`` last), rows spread evenly."""
    depth = nx.single_source_shortest_path_length(g, g.graph["start"])
    last = max([d for n, d in depth.items() if n != _DONE], default=0) + 1
    depth[_DONE] = last
    columns: dict[int, list[str]] = {}
    for n in sorted(g.nodes, key=lambda n: (depth.get(n, last), str(n))):
        columns.setdefault(depth.get(n, last), []).append(n)
    pos = {}
    for x, members in columns.items():
        for i, n in enumerate(members):
            pos[n] = (float(x), (len(members) - 1) / 2 - i)
    return pos


def workflow_diagram(scenario: Scenario, item_type: str | None = None, *,
                     min_p: float = 0.0, title: str | None = None) -> Figure:
    """The workflow of ``item_type`` (default: the first with a workflow, else the first
    item type) as a matplotlib figure; routes below ``min_p`` are left out."""
    if item_type is None:
        item_type = next(iter(scenario.workflows), next(iter(scenario.item_types)))
    g = workflow_graph(scenario, item_type)
    shown = [(a, b, d) for a, b, d in g.edges(data=True) if not d["p"] < min_p]
    pos = _positions(g)
    cols = max(x for x, _ in pos.values()) + 1
    rows = max(sum(1 for p in pos.values() if p[0] == x) for x in {p[0] for p in pos.values()})
    fig, ax = figure(min(3 + 2.4 * cols, 40), min(3 + 1.2 * rows, 30))
    for k, (a, b, d) in enumerate(shown):
        (xa, ya), (xb, yb) = pos[a], pos[b]
        back = xb <= xa and a != b
        skip = xb - xa > 1 and ya == yb  # would cross the boxes between: curve around
        rad = 0.35 if back else (0.25 * (1 if k % 2 else -1) if skip else
                                 0.0 if ya == yb else 0.1)
        style = "arc3,rad=0.9" if a == b else f"arc3,rad={rad}"
        start, end = (xa + 0.3, ya + 0.25) if a == b else (xa, ya), \
            (xa - 0.3, ya + 0.25) if a == b else (xb, yb)
        ax.add_patch(FancyArrowPatch(start, end, connectionstyle=style, arrowstyle="-|>",
                                     mutation_scale=12, lw=0.6 + 2.5 * np.nan_to_num(d["p"]),
                                     color="#4c72b0", alpha=0.7, shrinkA=28, shrinkB=28,
                                     zorder=1))
        text = d["when"] or ("" if d["p"] != d["p"] else f"{d['p']:.2f}")
        bend = -rad * (xb - xa) / 2 if skip or back else 0.0
        mx, my = (xa + xb) / 2, (ya + yb) / 2 + (0.55 if a == b else bend + 0.05)
        ax.text(mx, my, text, fontsize=7, ha="center", va="bottom", color="#333333", zorder=3,
                bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8})
    for n, (x, y) in pos.items():
        data: dict[str, Any] = g.nodes[n]
        ax.text(x, y, data["label"], ha="center", va="center", fontsize=8, zorder=4,
                bbox={"boxstyle": "round,pad=0.4", "fc": KIND_COLOURS[data["kind"]],
                      "ec": "#555555", "lw": 1.4 if n == g.graph["start"] else 0.6})
    ax.set_xlim(-0.7, cols - 0.3)
    ys = [y for _, y in pos.values()]
    ax.set_ylim(min(ys) - 1.2, max(ys) + 1.2)
    ax.axis("off")
    ax.set_title(title or f"Workflow of {item_type} ({scenario.name})"
                 + (f"; routes below p {min_p:g} left out" if min_p else ""))
    return fig
