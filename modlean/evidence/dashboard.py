"""The cross-market dashboard of a run: per market, its headline KPIs against their targets,
small multiples of its key series, its top risks and its documents.

:func:`market_cards` reads each market's records once (:func:`market_records`) and
returns what ``templates/batch/index.html.j2`` shows above the full table of recorded
figures (:mod:`modlean.evidence.run_index`):

* the headline KPIs (:data:`HEADLINE`) by their catalogue labels and formats, each with
  the target the scenario sets (recorded as ``kpi_targets`` by notebook 02,
  :func:`modlean.scenario.kpi_targets`) and a status by :data:`STATUS_RULE`;
* the SLA attainment of each queue with its own SLA (a workbook's ``sla_hours``)
  against it, from the pool summary of notebook 02;
* a small picture of each key series (:data:`SERIES`) made from the figure the notebook
  recorded, shrunk with matplotlib and embedded as a ``data:`` URI (no files, no links out);
* the top risks of the assessed register (notebook 05);
* links to the appendix files written into the run folder.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from modlean.errors import ModleanError
from modlean.evidence.collected import MarketRecords, market_records
from modlean.evidence.readable import value_text
from modlean.evidence.recording import RecordedFigure
from modlean.kpis import kpi

if TYPE_CHECKING:
    from modlean.evidence.manifest import RunManifest

__all__ = ["HEADLINE", "MARGIN", "SERIES", "STATUS_RULE", "THUMB_WIDTH", "TOP_RISKS", "Cell",
           "MarketCard", "appendix_links", "glance_rows", "headline_cells", "kpi_status",
           "market_cards", "thumbnail"]

#: Headline KPIs of the dashboard: (recorded name, the target's KPI name, its item type;
#: ``<main>``: the item type notebook 02 recorded as ``main_item_type``).
HEADLINE: tuple[tuple[str, str, str], ...] = (
    ("turnaround_p95_h", "turnaround_p95_h", "all"),
    ("sla_attainment", "sla_attainment", "all"),
    ("main_sla_attainment", "sla_attainment", "<main>"),
    ("backlog_max", "backlog_max", "all"),
    ("false_approve_rate", "false_approve_rate", "all"),
    ("cost_per_decision", "cost_per_decision", "all"),
    ("qa_error_rate", "qa_error_rate", "all"),
    ("critical_or_high", "critical_or_high", "all"),
)
#: Key series shown as small multiples: (recorded figure, what it shows).
SERIES: tuple[tuple[str, str], ...] = (
    ("turnaround_chart", "Turnaround"),
    ("backlog_chart", "Backlog"),
    ("error_rate_chart", "QA error rate"),
)
#: How far on the wrong side of its target a KPI may be and still be "at risk".
MARGIN = 0.10
#: The status rule, as printed on the dashboard.
STATUS_RULE = (
    "Met: the value meets its target, and so does its whole 95 % interval when the run "
    "recorded one. At risk: the value misses its target by less than 10 % of the target, "
    "or it meets the target but its 95 % interval straddles it. Missed: the value misses "
    "its target by 10 % of the target or more. Targets are the scenario's (SLA hours and "
    "percentiles per item type, with the workbook's SLA settings applied); a KPI without "
    "a target has no status.")
#: Risks shown per market, highest ranked first.
TOP_RISKS = 3
#: Width in pixels of a series' small picture.
THUMB_WIDTH = 300


@dataclass
class Cell:
    """One headline KPI of one market: its text, target, status and why."""

    label: str
    text: str = ""
    target: str = ""
    status: str = "none"  # met, at-risk, missed, or none (no target or no value)
    why: str = ""


@dataclass
class MarketCard:
    """What the dashboard shows for one market."""

    market: str
    ok: bool
    cells: list[Cell] = field(default_factory=list)
    pools: list[Cell] = field(default_factory=list)  # each queue's SLA attainment vs its target
    series: list[tuple[str, str | None]] = field(default_factory=list)  # (label, data URI)
    risks: list[str] = field(default_factory=list)
    appendices: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)
    currency: str | None = None
    note: str = ""  # why nothing is shown, when the market's notebooks cannot be read


def kpi_status(value: float, target: float, comparison: str,
               interval: tuple[float, float] | None = None) -> str:
    """``met``, ``at-risk`` or ``missed`` of ``value`` against ``target`` (:data:`STATUS_RULE`).

    ``comparison`` is ``"<="`` (lower is good) or ``">="``; ``interval`` the 95 %
    interval of the value, when known.
    """
    def meets(x: float) -> bool:
        return x <= target if comparison == "<=" else x >= target

    if meets(value):
        straddles = interval is not None and not (meets(interval[0]) and meets(interval[1]))
        return "at-risk" if straddles else "met"
    return "at-risk" if abs(value - target) < MARGIN * abs(target) else "missed"


def thumbnail(figure: RecordedFigure, width: int = THUMB_WIDTH) -> str:
    """A recorded figure shrunk to ``width`` pixels (never enlarged), as a PNG ``data:`` URI."""
    from matplotlib import image  # deferred: matplotlib is heavy and only pictures need it
    from matplotlib.figure import Figure

    pixels = image.imread(io.BytesIO(figure.png))
    rows, cols = pixels.shape[:2]
    scale = min(1.0, width / cols)
    dpi = 100
    small = Figure(figsize=(cols * scale / dpi, rows * scale / dpi), dpi=dpi,
                   layout="none")
    axes = small.add_axes((0, 0, 1, 1))
    axes.imshow(pixels, interpolation="antialiased")
    axes.set_axis_off()
    out = io.BytesIO()
    small.savefig(out, format="png", dpi=dpi)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def _interval(records: MarketRecords, name: str) -> tuple[float, float] | None:
    """The 95 % interval of a simulation KPI (``kpi_summary`` of notebook 02), if recorded."""
    summary = records.value("kpi_summary")
    if not isinstance(summary, pd.DataFrame) or name not in summary.index \
            or not {"ci_low", "ci_high"} <= set(summary.columns):
        return None
    low, high = summary.loc[name, ["ci_low", "ci_high"]]
    return (float(low), float(high)) if pd.notna(low) and pd.notna(high) else None


def _target(records: MarketRecords, name: str, item_type: str) -> pd.Series | None:
    targets = records.value("kpi_targets")
    if not isinstance(targets, pd.DataFrame) or not {"kpi", "item_type"} <= set(targets.columns):
        return None
    rows = targets[targets["kpi"].eq(name) & targets["item_type"].eq(item_type)]
    if "pool" in rows.columns:  # an item type's target, not a queue's
        rows = rows[~_is_pool(rows)]
    return None if rows.empty else rows.iloc[0]


def _is_pool(targets: pd.DataFrame) -> pd.Series:
    """Rows of a target table that are a queue's (``pool`` set; empty or missing otherwise)."""
    return targets["pool"].fillna("").astype(str).str.strip().ne("")


def _cell(records: MarketRecords, recorded: str, name: str, item_type: str,
          currency: str | None) -> Cell:
    cell = Cell(label=kpi(recorded).label)
    if item_type == "<main>":
        item_type = str(records.value("main_item_type") or "all")
        cell.label = f"{cell.label} ({item_type})" if item_type != "all" else cell.label
    value = records.value(recorded)
    target = _target(records, name, item_type)
    if target is not None:
        sign = {"<=": "≤", ">=": "≥"}.get(str(target["comparison"]), str(target["comparison"]))
        cell.target = f"{sign} {value_text(name, target['target'], currency)}"
    if value is None or isinstance(value, str):
        return cell
    cell.text = value_text(recorded, value, currency)
    if target is not None and pd.notna(value):
        interval = _interval(records, name) if item_type == "all" else None
        cell.status = kpi_status(float(value), float(target["target"]),
                                 str(target["comparison"]), interval)
        cell.why = str(target["rule"]) + ("" if interval is None else
                                          f"; 95 % interval {value_text(name, interval[0])} "
                                          f"to {value_text(name, interval[1])}")
    return cell


def _pool_cells(records: MarketRecords) -> list[Cell]:
    """Each queue with its own SLA (a workbook's ``sla_hours``): its SLA attainment in the
    pool summary of notebook 02 against the target."""
    targets, pools = records.value("kpi_targets"), records.value("pool_summary")
    if not isinstance(targets, pd.DataFrame) or "pool" not in targets.columns \
            or not isinstance(pools, pd.DataFrame) or "sla_attainment" not in pools.columns:
        return []
    cells = []
    wanted = targets[_is_pool(targets) & targets["kpi"].eq("sla_attainment")]
    for row in wanted.itertuples(index=False):
        cell = Cell(label=str(row.pool).replace("_", " "),
                    target=f"≥ {value_text('sla_attainment', row.target)}", why=str(row.rule))
        value = pools["sla_attainment"].get(row.pool)
        if value is not None and pd.notna(value):
            cell.text = value_text("sla_attainment", value)
            cell.status = kpi_status(float(value), float(row.target), str(row.comparison))
        cells.append(cell)
    return cells


def headline_cells(records: MarketRecords) -> tuple[list[Cell], list[Cell]]:
    """A market's headline KPIs (:data:`HEADLINE`) and queue SLAs, each against its target
    with its status; money in the currency the run recorded."""
    currency = records.value("currency")
    currency = str(currency) if currency else None
    cells = [_cell(records, recorded, name, item_type, currency)
             for recorded, name, item_type in HEADLINE]
    return cells, _pool_cells(records)


def glance_rows(records: MarketRecords) -> list[list[str]]:
    """The headline KPIs and queue SLAs a market recorded, as rows: label, value, target,
    status in words (for the appendix's executive summary)."""
    cells, pools = headline_cells(records)
    return [[c.label if c in cells else f"SLA attainment, {c.label} queue", c.text,
             c.target or "no target set", c.status.replace("-", " ") if c.status != "none"
             else "—"] for c in [*cells, *pools] if c.text]


def _risks(records: MarketRecords) -> list[str]:
    table = records.value("assessed_register")
    if not isinstance(table, pd.DataFrame) or "title" not in table.columns:
        return []
    if "rank" in table.columns:
        table = table.sort_values("rank", kind="stable")
    lines = []
    for row in table.head(TOP_RISKS).to_dict("records"):
        band = row.get("residual_band")
        outside = row.get("within_appetite") is False or row.get("within_appetite") == "False"
        lines.append(f"{row.get('risk_id', '')} {row['title']}".strip()
                     + (f": {band}" if band else "")
                     + (", outside appetite" if outside else ""))
    return lines


def appendix_links(run_dir: Path, market: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The appendix files in the run folder that cover ``market``: (scope, [(format, file)])
    for its own (``"Appendix"``), then the whole run's (``"All markets"``), when written."""
    out = []
    for scope, stem in (("Appendix", f"appendix-{market}"), ("All markets", "appendix")):
        files = [(suffix[1:].upper(), f"{stem}{suffix}") for suffix in
                 (".html", ".pdf", ".docx", ".md") if (run_dir / f"{stem}{suffix}").is_file()]
        if files:
            out.append((scope, files))
    return out


def market_cards(run_dir: Path, manifest: RunManifest) -> list[MarketCard]:
    """One :class:`MarketCard` per market of the run, in the run's order."""
    markets = list(dict.fromkeys(r.market for r in manifest.runs))
    cards = []
    for market in markets:
        try:
            records = market_records(run_dir, manifest, market)
        except ModleanError as exc:  # a notebook cut short: the index still lists the runs
            cards.append(MarketCard(market=market, ok=False, note=str(exc),
                                    cells=[Cell(label=kpi(r).label) for r, _, _ in HEADLINE],
                                    series=[(label, None) for _, label in SERIES]))
            continue
        currency = records.value("currency")
        currency = str(currency) if currency else None
        card = MarketCard(market=market, ok=not records.failed, currency=currency,
                          appendices=appendix_links(run_dir, market), risks=_risks(records))
        card.cells, card.pools = headline_cells(records)
        for name, label in SERIES:
            found = records.value(name)
            card.series.append((label, thumbnail(found) if isinstance(found, RecordedFigure)
                                else None))
        cards.append(card)
    return cards
