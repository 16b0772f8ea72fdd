"""The KPI catalogue: what every KPI and recorded figure is called, measured in and aims for.

One YAML file shipped as package data, ``modlean/kpis.yaml``, lists every KPI
the simulator emits and every figure a notebook records. Each entry has a label
in a program manager's words, a unit, a good direction (``higher``, ``lower`` or
``none``), a number format, a one-line definition, where it comes from and, when
a scenario or workbook sets one, how its target is set. Names such as
``cost.<pool>`` or ``wait:<activity>`` are entries with a pattern: the part in
angle brackets matches any text and fills ``{pool}`` in the label.

Everything a reader sees goes through here: the appendix, the run index, the
decision table of ``modlean compare`` and the figure axes show :func:`label`
and :func:`format_value`, and :func:`modlean.decisions.kpi_direction` reads
:func:`direction`. The file is read once, validated (a bad entry is one message
naming the file, the entry, the field, the value and what was expected) and
looked up by exact name first, then by pattern (the longest fixed text first).
A name with no entry is a :class:`~modlean.errors.ParameterError` naming it and
the closest names (:func:`kpi`); :func:`find` returns None instead, for
surfaces that also show names a user's own notebook records.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from modlean._util import suggest
from modlean.errors import ModleanError, ParameterError
from modlean.messages import error_lines
from modlean.yamlread import load_yaml, yaml_problem

__all__ = [
    "CATALOGUE_FILE",
    "KINDS",
    "UNITS",
    "Catalogue",
    "Kpi",
    "catalogue",
    "column_label",
    "direction",
    "duration_text",
    "find",
    "format_relative",
    "format_value",
    "kpi",
    "label",
    "load_catalogue",
    "readable",
    "unit_text",
]

#: The catalogue's file, shipped as package data beside this module (it goes with the code
#: that reads it, so it is not a template a workbook overrides).
CATALOGUE_FILE = "kpis.yaml"

#: What a catalogue entry records: a number, or something else a notebook records.
KINDS = ("number", "text", "date", "list", "table", "chart")


@dataclass(frozen=True)
class Unit:
    """How a unit is shown: values times ``scale``, the default format, the text after it."""

    scale: float
    fmt: str
    suffix: str
    words: str  # the unit in a table's unit column ("" for plain counts)


#: Units a catalogue entry may name. ``currency`` stands for the scenario's currency code.
UNITS: dict[str, Unit] = {
    "share": Unit(100, ".1f", " %", "%"),
    "points": Unit(100, "+.1f", " points", "percentage points"),
    "h": Unit(1, ",.1f", " h", "hours"),
    "s": Unit(1, "duration", "", "duration"),
    "days": Unit(1, ",.1f", " days", "days"),
    "currency": Unit(1, ",.2f", " {currency}", "{currency}"),
    "currency/day": Unit(1, ",.0f", " {currency}/day", "{currency} per day"),
    "currency/year": Unit(1, ",.0f", " {currency}/year", "{currency} per year"),
    "items/day": Unit(1, ",.0f", " items/day", "items per day"),
    "FTE": Unit(1, ",.1f", " FTE", "full-time equivalents"),
    "index": Unit(1, ".3f", "", "index"),
    "count": Unit(1, ",.0f", "", "count"),
    **{noun: Unit(1, ",.0f", f" {noun}", noun) for noun in (
        "items", "cases", "events", "reviewers", "people", "risks", "actions", "periods",
        "variants", "activities", "notebooks", "replications", "edges", "checks")},
}


@dataclass(frozen=True)
class Kpi:
    """One catalogue entry, for one name (a pattern's entry filled in for the name asked)."""

    name: str
    label: str
    unit: str
    direction: str
    fmt: str
    definition: str
    source: str
    kind: str = "number"
    target: str | None = None
    pattern: str | None = None  # the entry's pattern when the name matched one

    def format(self, value: Any, *, currency: str | None = None, with_unit: bool = True) -> str:
        """``value`` as a reader sees it, in this entry's format and unit (None: a dash)."""
        return _format(self, value, currency, with_unit)

    def format_change(self, value: Any, *, currency: str | None = None,
                      with_unit: bool = True) -> str:
        """A difference of two values of this KPI: signed, and a share's in points."""
        if self.kind != "number" or self.unit != "share":
            spec = self.fmt if self.fmt.startswith(("+", "duration")) else "+" + self.fmt
            return _format(replace(self, fmt=spec), value, currency, with_unit)
        return _format(replace(self, unit="points", fmt=UNITS["points"].fmt), value, currency,
                       with_unit)

    def unit_words(self, currency: str | None = None) -> str:
        """The unit for a table's unit column ("" for a plain count or a non-number)."""
        return unit_text(self.unit, currency) if self.kind == "number" else ""


class _Entry(BaseModel):
    """A catalogue entry as written in the YAML file."""

    model_config = ConfigDict(extra="forbid")

    label: str = Field(min_length=1, description="the name a program manager reads")
    unit: str = Field("", description="one of the catalogue's units (numbers only)")
    direction: Literal["higher", "lower", "none"] = Field(
        "none", description="which way is better")
    fmt: str | None = Field(None, description="a Python format spec such as ',.1f'")
    definition: str = Field(min_length=1, description="one line: what the number is")
    source: str = Field(min_length=1, description="the analysis or notebook it comes from")
    kind: Literal["number", "text", "date", "list", "table", "chart"] = "number"
    target: str | None = Field(None, description="how a scenario or workbook sets its target")

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, value: str) -> str:
        if value and value not in UNITS:
            raise ValueError(f"one of {', '.join(UNITS)}{suggest(value, list(UNITS))}")
        return value

    @field_validator("fmt")
    @classmethod
    def _format_spec(cls, value: str | None) -> str | None:
        if value is not None and value != "duration":
            try:
                format(1234.5, value)
            except ValueError:
                raise ValueError("a Python format spec for a number (such as ',.1f', '.3f' "
                                 "or ',.0f'), or 'duration'") from None
        return value


class _File(BaseModel):
    """The catalogue file: ``kpis:`` name -> entry."""

    model_config = ConfigDict(extra="forbid")
    kpis: dict[str, _Entry] = Field(min_length=1, description="KPI name -> entry")
    columns: dict[str, str] = Field(default_factory=dict,
                                    description="table column name -> its heading")


_PLACEHOLDER = re.compile(r"<([a-z_]+)>")
_NAME = re.compile(r"^[A-Za-z0-9<][A-Za-z0-9_.:<>-]*$")


class Catalogue:
    """The validated entries of a catalogue file, looked up by exact name, then by pattern."""

    def __init__(self, entries: dict[str, Kpi], columns: dict[str, str] | None = None) -> None:
        self.columns = dict(columns or {})
        self.exact = {n: k for n, k in entries.items() if k.pattern is None}
        patterns = [k for k in entries.values() if k.pattern is not None]
        # the most specific pattern first: the one with the most fixed text
        patterns.sort(key=lambda k: -len(_PLACEHOLDER.sub("", k.name)))
        self.patterns = [(_compile(k.name), k) for k in patterns]

    def names(self) -> list[str]:
        """Every entry's name, patterns (``cost.<pool>``) included, in file order."""
        return [*self.exact, *(k.name for _, k in self.patterns)]

    def entries(self) -> list[Kpi]:
        """Every entry, exact names first, as written (patterns not filled in)."""
        return [*self.exact.values(), *(k for _, k in self.patterns)]

    def find(self, name: str) -> Kpi | None:
        """The entry of ``name`` (a pattern's filled in), or None."""
        if name in self.exact:
            return self.exact[name]
        for regex, entry in self.patterns:
            match = regex.fullmatch(name)
            if match:
                parts = {k: v.replace("_", " ") for k, v in match.groupdict().items()}
                return Kpi(name=name, label=entry.label.format(**parts), unit=entry.unit,
                           direction=entry.direction, fmt=entry.fmt,
                           definition=entry.definition.format(**parts), source=entry.source,
                           kind=entry.kind, target=entry.target, pattern=entry.name)
        return None

    def kpi(self, name: str) -> Kpi:
        """The entry of ``name``; a :class:`ParameterError` naming it and close names if none."""
        found = self.find(str(name))
        if found is None:
            close = suggest(str(name), self.names())
            raise ParameterError(f"KPI {str(name)!r} has no entry in the KPI catalogue "
                                 f"({CATALOGUE_FILE}){close or '; see docs/kpis.md for the names'}")
        return found


def _compile(name: str) -> re.Pattern[str]:
    parts = _PLACEHOLDER.split(name)  # literal, placeholder, literal, ...
    regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
    return re.compile(regex)


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Read and validate a catalogue file (default: ``kpis.yaml`` shipped beside this module).

    Raises
    ------
    ModleanError
        Naming the file, the entry, the field, the value found and what was expected.
    """
    file = Path(path) if path is not None else Path(__file__).with_name(CATALOGUE_FILE)
    try:
        data = load_yaml(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ModleanError(f"KPI catalogue {str(file)!r}: cannot read it ({exc.strerror})") \
            from None
    except yaml.YAMLError as exc:
        line, problem = yaml_problem(exc)
        where = f", line {line}" if line else ""
        raise ModleanError(f"KPI catalogue {str(file)!r}{where}: {problem}") from None
    try:
        parsed = _File.model_validate(data)
    except ValidationError as exc:
        lines = "\n  ".join(error_lines(exc, _File))
        raise ModleanError(f"KPI catalogue {str(file)!r}:\n  {lines}") from None
    entries: dict[str, Kpi] = {}
    for name, e in parsed.kpis.items():
        _check_entry(file, name, e)
        unit = UNITS.get(e.unit)
        entries[name] = Kpi(
            name=name, label=e.label, unit=e.unit, direction=e.direction,
            fmt=e.fmt or (unit.fmt if unit else ""), definition=e.definition, source=e.source,
            kind=e.kind, target=e.target,
            pattern=name if _PLACEHOLDER.search(name) else None)
    return Catalogue(entries, parsed.columns)


def _check_entry(file: Path, name: str, e: _Entry) -> None:
    """What pydantic cannot see: the name's spelling, units of numbers, labels of patterns."""
    where = f"KPI catalogue {str(file)!r}: kpis.{name}"
    if not _NAME.fullmatch(name):
        raise ModleanError(f"{where}: expected a name of letters, digits, '_', '.', ':', '-' "
                           "and <placeholders>, starting with a letter, digit or <placeholder>")
    if e.kind == "number" and not e.unit:
        raise ModleanError(f"{where}.unit: missing; a number needs one of {', '.join(UNITS)}")
    if e.kind != "number" and (e.unit or e.direction != "none"):
        raise ModleanError(f"{where}: a {e.kind} has no unit and no direction; found unit "
                           f"{e.unit!r}, direction {e.direction!r}")
    holes = set(_PLACEHOLDER.findall(name))
    used = set(re.findall(r"{([a-z_]+)}", e.label + e.definition))
    if used - holes:
        raise ModleanError(f"{where}.label: {{{sorted(used - holes)[0]}}} is not a "
                           f"<placeholder> of the name; expected some of {sorted(holes)}")


@functools.lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """The shipped catalogue (``modlean/kpis.yaml``), read once per process."""
    return load_catalogue()


def find(name: str) -> Kpi | None:
    """The catalogue entry of ``name``, or None when it has none."""
    return catalogue().find(str(name))


def kpi(name: str) -> Kpi:
    """The catalogue entry of ``name`` (label, unit, direction, fmt, definition, source).

    Raises
    ------
    ParameterError
        When ``name`` has no entry; the message names it and the closest names.
    """
    return catalogue().kpi(name)


def label(name: str) -> str:
    """The label of a KPI (``turnaround_p95_h`` -> ``P95 turnaround``); unknown names raise."""
    return kpi(name).label


def direction(name: str) -> str:
    """The good direction of a KPI: ``"higher"``, ``"lower"`` or ``"none"``; unknown names raise."""
    return kpi(name).direction


def format_value(name: str, value: Any, currency: str | None = None, *,
                 with_unit: bool = True) -> str:
    """``value`` of KPI ``name`` as a reader sees it: ``12.3 %``, ``7.7 h``, ``1,234 USD``.

    ``currency`` is the scenario's currency code (left out when None); ``with_unit``
    False leaves the unit out, for a table that shows it in a column of its own.
    Unknown names raise (:func:`kpi`).
    """
    return kpi(name).format(value, currency=currency, with_unit=with_unit)


#: A relative change above this (as a share: +900 %, ten times the baseline) reads as a
#: multiple: a baseline near zero makes its percentage explode.
MULTIPLE_FROM = 9.0


def format_relative(share: float) -> str:
    """A relative change as a reader sees it: ``+12.3 %``, or ``18.6x the baseline`` when it is
    over ten times the baseline (a baseline near zero); ``—`` when there is none."""
    if share != share:
        return "—"
    if share > MULTIPLE_FROM:
        return f"{1 + share:,.3g}x the baseline"
    return f"{share:+.1%}"


def readable(name: str) -> str:
    """A name as a reader sees it: its catalogue label, else the words of an identifier.

    For names that are data rather than KPIs (a pool ``l1_listing``, a label code),
    underscores become spaces: ``l1_listing`` -> ``l1 listing``.
    """
    found = find(name)
    return found.label if found is not None else str(name).replace("_", " ").strip()


def column_label(name: str) -> str:
    """The heading of a table column: the catalogue's heading, a KPI's label, or its words."""
    headings = catalogue().columns
    if name in headings:
        return headings[name]
    text = readable(name)
    return text[:1].upper() + text[1:]


def unit_text(unit: str, currency: str | None = None) -> str:
    """A unit in words for a unit column: ``h`` -> ``hours``, ``currency`` -> ``USD``."""
    if unit not in UNITS:
        return unit
    return UNITS[unit].words.format(currency=currency or "currency")


def _format(k: Kpi, value: Any, currency: str | None, with_unit: bool) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if k.kind != "number" or not isinstance(value, int | float):
        return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    unit = UNITS[k.unit]
    if k.fmt == "duration":
        return duration_text(float(value))
    text = format(value * unit.scale, k.fmt)
    if text.lstrip("+-") in ("0", "0.0", "0.00", "0.000") and text.startswith("-"):
        text = text[1:]  # no "-0.0"
    if not with_unit:
        return text
    suffix = unit.suffix.format(currency=currency) if currency else \
        unit.suffix.replace(" {currency}/", " per ").replace(" {currency}", "")
    return text + suffix


def duration_text(seconds: float) -> str:
    """Seconds in the unit a reader expects: ``45 s``, ``12 min``, ``5.2 h``, ``3.1 days``."""
    size = abs(seconds)
    if size < 120:
        return f"{seconds:,.0f} s"
    if size < 7200:
        return f"{seconds / 60:,.0f} min"
    if size < 172800:
        return f"{seconds / 3600:,.1f} h"
    return f"{seconds / 86400:,.1f} days"
