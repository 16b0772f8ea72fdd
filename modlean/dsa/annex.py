"""The Annex I quantitative templates (Implementing Regulation (EU) 2024/2835) as empty tables.

``annex.yaml`` (package data) holds the official row and column labels of the
parts an online marketplace fills from its decision log: part 4 (notices),
parts 5 and 6 (own-initiative measures on illegal content and on terms and
conditions), and the indicator layout of parts 7 (complaints, disputes,
suspensions) and 8 (automated means). This module reads it and fills a part's
rows from a table of items: :func:`category_table` counts (or takes medians of)
the items per category and keyword in the template's order, with the period
and the service in every row, so a PM can paste the file next to the
Commission's template.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import pandas as pd

from modlean.yamlread import load_yaml

__all__ = ["OTHER_DESCRIPTION", "TOTAL", "Annex", "Part", "annex", "category_rows",
           "category_table", "indicator_row"]

ANNEX_FILE = "annex.yaml"
#: The first row of parts 4 to 6: every item once.
TOTAL = "TOTAL"
#: The column after the row label in parts 4 to 6 (text for a KEYWORD_OTHER row).
OTHER_DESCRIPTION = 'Description of the sub-category "Other"'
Part = Literal["notices", "illegal", "terms"]


@dataclass(frozen=True)
class Annex:
    """The template's labels: categories with keywords, and the columns of each part."""

    source: str
    categories: dict[str, list[str]]
    terms_only: dict[str, list[str]]
    notices_only: str
    notices: dict[str, Any]
    own_initiative: dict[str, Any]
    indicator_columns: list[str]


@lru_cache(maxsize=1)
def annex() -> Annex:
    """The shipped template labels, read once per process."""
    text = resources.files("modlean.dsa").joinpath(ANNEX_FILE).read_text(encoding="utf-8")
    data = load_yaml(text)
    return Annex(source=data["source"], categories=data["categories"],
                 terms_only=data["terms_only"], notices_only=data["notices_only"],
                 notices=data["notices"], own_initiative=data["own_initiative"],
                 indicator_columns=data["indicator_columns"])


def category_rows(part: Part) -> pd.DataFrame:
    """The rows of part 4, 5 or 6 in the template's order: ``category`` and ``row`` (its label).

    ``category`` is the category a row belongs to (``TOTAL`` for the first row);
    ``row`` is the category itself or one of its keywords, ``KEYWORD_OTHER`` last.
    """
    tree = dict(annex().categories)
    if part == "terms":
        tree.update(annex().terms_only)
    rows = [(TOTAL, TOTAL)]
    for category, keywords in tree.items():
        rows += [(category, category)] + [(category, k) for k in [*keywords, "KEYWORD_OTHER"]]
    if part == "notices":
        rows.append((annex().notices_only, annex().notices_only))
    return pd.DataFrame(rows, columns=["category", "row"])


def _layout(part: Part) -> tuple[str, str, list[str], str]:
    """Applicability, row label column, figure columns and context prefix of a part."""
    spec = annex().notices if part == "notices" else annex().own_initiative
    label = spec["row_label"] if part == "notices" else spec["row_label"][part]
    return spec["applicability"], label, list(spec["figures"]), spec["context_prefix"]


def category_table(items: pd.DataFrame, part: Part, figures: dict[str, tuple[str, str]], *,
                   service: str, period: str, context: dict[str, str] | None = None
                   ) -> pd.DataFrame:
    """Part 4, 5 or 6 filled from ``items`` (one row per notice or measure).

    ``items`` has ``category`` (text) and ``keywords`` (a list per item) and the
    columns ``figures`` names: figure label -> (``"sum"`` or ``"median"``, column).
    A figure of the part that ``figures`` does not name stays empty; counts of
    rows without items are 0, medians empty. ``context`` fills the figure's
    contextual-information column wherever the figure has a value (units, what
    was counted). Every item counts in TOTAL, in its category's row and in each
    of its keywords' rows listed under that category.
    """
    applicability, label, columns, prefix = _layout(part)
    rows = category_rows(part)
    agg = {name: pd.NamedAgg(column=col, aggfunc=how) for name, (how, col) in figures.items()}
    values = {name: how for name, (how, _) in figures.items()}
    table = rows.copy()
    if agg and len(items):
        total = items.groupby(lambda _: TOTAL).agg(**agg)
        by_category = items.groupby("category").agg(**agg)
        exploded = items.explode("keywords")
        by_keyword = exploded.dropna(subset=["keywords"]).groupby(
            ["category", "keywords"]).agg(**agg)
        keyed = pd.concat([total.set_axis(pd.MultiIndex.from_tuples([(TOTAL, TOTAL)])),
                           by_category.set_axis(pd.MultiIndex.from_arrays(
                               [by_category.index, by_category.index])),
                           by_keyword])
        keyed = keyed[~keyed.index.duplicated(keep="first")]
        table = table.join(keyed, on=["category", "row"])
    out = pd.DataFrame({"Applicability": applicability, "Service": service,
                        "Reporting period": period, label: rows["row"], OTHER_DESCRIPTION: ""})
    for name in columns:
        if name not in values:
            out[name] = None
            continue
        column = table[name] if name in table else pd.Series(float("nan"), index=table.index)
        if values[name] == "sum":
            out[name] = [int(v) for v in column.fillna(0)]
        else:
            out[name] = [None if pd.isna(v) else round(float(v), 2) for v in column]
    for name in columns:
        note = (context or {}).get(name, "")
        out[prefix + name] = [note if note and v is not None else "" for v in out[name]]
    return out


def indicator_row(applicability: str, section: str, indicator: str, scope: str, value: object,
                  context: str = "") -> dict[str, object]:
    """One row of part 7 or 8 (without service and period, which the report adds)."""
    return {"Applicability": applicability, "Section": section, "Indicator": indicator,
            "Scope": scope, "Value": value, "Contextual Information": context}
