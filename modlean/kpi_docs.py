"""The KPI catalogue as a page a reader browses: ``docs/kpis.md`` and ``modlean kpis``.

:func:`catalogue_markdown` writes every entry of :mod:`modlean.kpis` as a table
row (name, label, unit, better when, definition, source, target), grouped by
where the figures come from; :func:`catalogue_text` is the short listing the
command prints. ``tests/test_kpis.py`` checks that the committed page is this
function's output, so the page never drifts from ``modlean/kpis.yaml``.
"""

from __future__ import annotations

from modlean.kpis import Kpi, catalogue, unit_text

__all__ = ["catalogue_markdown", "catalogue_text"]

_BETTER = {"higher": "higher", "lower": "lower", "none": "—"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _row(k: Kpi) -> str:
    unit = k.kind if k.kind != "number" else unit_text(k.unit)
    cells = [f"`{k.name}`", k.label, unit, _BETTER[k.direction], k.definition,
             k.target or ""]
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def catalogue_markdown() -> str:
    """The catalogue as Markdown: one table per source, in the file's order."""
    entries = catalogue().entries()
    groups: dict[str, list[Kpi]] = {}
    for k in entries:
        groups.setdefault(k.source.split(" (")[0].split(",")[0].strip(), []).append(k)
    lines = [
        "# KPI catalogue",
        "",
        "<!-- Generated from modlean/kpis.yaml by `modlean kpis --markdown > docs/kpis.md`;",
        "     tests/test_kpis.py fails when this page is out of date. -->",
        "",
        "Every KPI the simulator emits and every figure a notebook records, with the label",
        "a reader sees in the appendix, the run index, the decision table and figure axes",
        "(`modlean.kpis`). *Better when* gives the direction the decision table's verdicts",
        "read; money is in the scenario's currency. A name with `<placeholder>` stands for",
        "many: `cost.<pool>` is `cost.l1_listing`, `cost.qa`, ... The file is",
        "`modlean/kpis.yaml`; targets come from the scenario",
        "(`modlean.scenario.kpi_targets`).",
        "",
        f"{len(entries)} entries.",
    ]
    for source, items in groups.items():
        lines += ["", f"## {source[:1].upper() + source[1:]}", "",
                  "| name | label | unit | better when | definition | target |",
                  "| --- | --- | --- | --- | --- | --- |", *(_row(k) for k in items)]
    return "\n".join(lines) + "\n"


def catalogue_text() -> str:
    """One line per entry: name, label and unit, for a terminal."""
    entries = catalogue().entries()
    width = max(len(k.name) for k in entries)
    return "\n".join(f"{k.name:<{width}}  {k.label}"
                     + (f" [{unit_text(k.unit)}]" if k.kind == "number" else f" ({k.kind})")
                     for k in entries) + "\n"
