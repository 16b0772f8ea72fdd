"""What a proposal changes, in words: one row per override, the baseline's value beside the new one.

A proposal file is a handful of dotted-path overrides (``pools.l1_listing.headcount: 120``).
A reader of a BRD wants "L1 listing headcount 140 → 120": :func:`describe_changes`
reads each overridden field's value in the baseline scenario and names the field
in words (:func:`setting_words`); ``name`` and ``description`` are the proposal's
title, not changes, and are left out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from modlean.kpis import duration_text
from modlean.scenario.paths import value_at
from modlean.scenario.schema import Scenario

__all__ = ["CHANGE_COLUMNS", "describe_changes", "setting_words", "shown_value"]

#: The columns of :func:`describe_changes`.
CHANGE_COLUMNS = ["setting", "today", "proposed"]
#: Sections whose next part is a name (a pool, an item type): the name is kept, the section not.
_NAMED = {"pools", "item_types"}
#: Words written in capitals.
_ACRONYMS = {"qa": "QA", "sla": "SLA", "ml": "ML", "fte": "FTE", "l1": "L1", "l2": "L2"}
_TITLE_KEYS = ("name", "description")
#: Lists of numbers longer than this are shown by their length and mean.
_LIST_SHOWN = 8


def setting_words(path: str) -> str:
    """A dotted field path in words: ``pools.l1_listing.headcount`` -> ``L1 listing headcount``."""
    parts = path.split(".")
    kept = [p for i, p in enumerate(parts) if not (p in _NAMED and i + 1 < len(parts))]
    words = " ".join(kept).replace("_", " ")
    words = re.sub(r"\b[a-z0-9]+\b", lambda m: _ACRONYMS.get(m.group(0), m.group(0)), words)
    return words[:1].upper() + words[1:]


def shown_value(value: Any) -> str:
    """A scenario value as text: numbers short (``0.2``, ``1,400``), lists joined, none a dash."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    if isinstance(value, list):
        if len(value) > _LIST_SHOWN and all(isinstance(v, int | float) for v in value):
            return f"{len(value)} values, mean {shown_value(sum(value) / len(value))}"
        return ", ".join(shown_value(v) for v in value) or "none"
    if isinstance(value, Mapping) and "dist" in value and ("mean_hours" in value
                                                           or "mean_s" in value
                                                           or "values" in value):
        return _delay_words(value)
    if isinstance(value, Mapping):
        return "; ".join(f"{setting_words(str(k)).lower()} {shown_value(v)}"
                         for k, v in value.items())
    return str(value)


def _delay_words(delay: Mapping[str, Any]) -> str:
    """A delay (handoff, pickup, wait; in hours) or a handling time (``mean_s``, in
    seconds) by its mean: ``empirical, mean 6 min (100 values)``."""
    values = delay.get("values") or []
    unit = 1.0 if "mean_s" in delay else 3600.0  # a handling time's values are seconds
    mean = sum(values) / len(values) * unit if delay.get("dist") == "empirical" and values \
        else float(delay["mean_s"]) if "mean_s" in delay \
        else float(delay.get("mean_hours", 24.0)) * 3600
    when = duration_text(mean)
    extra = f" ({len(values)} values)" if delay.get("dist") == "empirical" else \
        f", CV {delay.get('cv', 1.0):g}" if delay.get("dist", "lognormal") == "lognormal" else ""
    return f"{delay.get('dist', 'lognormal')}, mean {when}{extra}"


def describe_changes(baseline: Scenario, overrides: Mapping[str, Any]) -> pd.DataFrame:
    """The overrides of a proposal as rows a reader understands.

    Parameters
    ----------
    baseline:
        The scenario the proposal changes.
    overrides:
        Dotted path -> new value (a proposal file's ``overrides``, as
        :func:`modlean.scenario.load_proposal` returns them).

    Returns
    -------
    pandas.DataFrame
        ``setting`` (the field in words), ``today`` (the baseline's value) and
        ``proposed``, both as text, one row per override, in the file's order.
    """
    data = baseline.model_dump(mode="json")
    rows = [{"setting": setting_words(path), "today": shown_value(value_at(data, path)),
             "proposed": shown_value(new)}
            for path, new in overrides.items() if path not in _TITLE_KEYS]
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)
