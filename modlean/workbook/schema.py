"""The workbook file (``workbook.yaml``): its typed, validated form and :func:`load_workbook`.

A workbook is a user's folder of markets. ``workbook.yaml`` lists each market's
export (and the source profile that reads it), QA table, scenario, risk register,
SOP model, time zone and SLA targets; paths are relative to the workbook's folder.
A ``defaults:`` section gives settings every market shares unless it says otherwise::

    name: DE review operations
    defaults:
      register: registers/risks.yaml
    markets:
      DE:
        log: exports/de_tasks.csv
        profile: profiles/de_bpo.yaml
        qa: from_log                 # or a QA table file, or {file: ..., profile: ...}
        scenario: calibrate          # or a scenario YAML, or a preset name such as UK
        sop: sop/moderation.yaml
        timezone: Europe/Berlin
        sla_hours: {l1_listing: 24, appeals: 72}

Every message names the file, the field path (``markets.DE.qa``), the value found
and what was expected, with a did-you-mean for a misspelt key or preset.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from modlean._util import describe, kind_of, suggest, unknown_zone
from modlean.errors import ParameterError
from modlean.messages import error_lines
from modlean.scenario import list_presets
from modlean.yamlread import read_yaml_file

__all__ = ["CALIBRATE", "FROM_LOG", "MARKET_PATTERN", "MarketSettings", "QAFileSetting", "Workbook",
           "load_workbook", "scenario_kind"]

#: ``scenario: calibrate``: the market's baseline is calibrated from its own log.
CALIBRATE = "calibrate"
#: ``qa: from_log``: the QA table comes from the export's QA columns (the profile's ``qa:``).
FROM_LOG = "from_log"
#: A market code: letters, digits, "_" or "-", starting with a letter or digit, at most 32
#: characters. Market codes name output folders, so nothing else is allowed.
MARKET_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
_ATTRIBUTES = {"register": "register_file"}
_PATH_FIELDS = ("log", "profile", "qa", "scenario", "register", "sop", "dsa_mapping",
                "dsa_peers")


class QAFileSetting(BaseModel):
    """``qa: {file: ..., profile: ...}``: a QA team's own file of checks and the QA file
    profile that reads it; each check is joined to the market's log (docs/intake.md)."""

    model_config = ConfigDict(extra="forbid")

    file: str = Field(description="the QA team's file of checks")
    profile: str = Field(description="the QA file profile that reads it")


class _Settings(BaseModel):
    """Settings of one market (also the shape of ``defaults:``); unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, allow_inf_nan=False)

    log: str | None = Field(None, description="the market's export or canonical event log")
    profile: str | None = Field(None, description="the source profile reading `log` "
                                "(absent: `log` is a canonical event log)")
    qa: str | QAFileSetting | None = Field(
        None, description="a QA table file, from_log, or {file, profile}: a QA team's own file")
    scenario: str | None = Field(None, description="a scenario YAML, a preset name, or "
                                 "calibrate (from the market's log)")
    # "register" is a BaseModel attribute name: the field is kept under another name
    register_file: str | None = Field(None, alias="register",
                                      description="the risk register (.yaml, .csv, .xlsx)")
    sop: str | None = Field(None, description="the SOP reference model (YAML)")
    timezone: str | None = Field(None, description="the market's IANA time zone")
    sla_hours: dict[str, float] = Field(default_factory=dict,
                                        description="SLA target in hours per pool or queue")
    dsa_mapping: str | None = Field(None, description="the DSA mapping (YAML): how decisions "
                                    "become statements of reasons (docs/dsa.md)")
    dsa_peers: str | None = Field(None, description="a peer benchmark file (modlean dsa "
                                  "peers): other marketplaces' DSA figures to compare with")
    currency: str | None = Field(None, description="the currency of costs, an ISO 4217 "
                                 "code such as EUR (the scenario's)")
    cost_per_hour: float | None = Field(None, gt=0, le=10_000, description="the billed rate "
                                        "per reviewer hour: every pool of the market's "
                                        "scenario, and the scorecards")

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[A-Z]{3}", value):
            raise ValueError("expected a three-letter ISO 4217 code in capitals, such as EUR")
        return value

    @field_validator("qa", mode="before")
    @classmethod
    def _qa_file(cls, value: Any) -> Any:
        """A QA file entry checked here, so a mistake reads as one line, not one per shape."""
        if value is None or isinstance(value, (str, QAFileSetting)):
            return value
        shape = "a QA table file, from_log, or {file: <QA file>, profile: <QA profile>}"
        if not isinstance(value, dict):
            raise ValueError(f"expected {shape}")
        keys = ["file", "profile"]
        unknown = [str(k) for k in value if k not in keys]
        if unknown:
            raise ValueError(f"unknown key {unknown[0]!r}; expected {shape}"
                             + suggest(unknown[0], keys))
        missing = [k for k in keys if k not in value]
        bad = [k for k in keys if k in value and not isinstance(value[k], str)]
        if missing or bad:
            raise ValueError(f"{'missing ' + ', '.join(missing) if missing else ''}"
                             f"{'; ' if missing and bad else ''}"
                             f"{'not a path: ' + ', '.join(bad) if bad else ''}; "
                             f"expected {shape}")
        return QAFileSetting(**value)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is None:
            return value
        expected = unknown_zone(value)
        if expected:
            raise ValueError(f"expected {expected}")
        return value

    @field_validator("sla_hours")
    @classmethod
    def _positive(cls, value: dict[str, float]) -> dict[str, float]:
        bad = {k: v for k, v in value.items() if not v > 0}
        if bad:
            raise ValueError(f"expected hours above 0 per pool, found {bad}")
        return value


class MarketSettings(_Settings):
    """One market of a workbook, paths already resolved against the workbook's folder."""

    market: str = ""
    timezone: str = "UTC"  # type: ignore[assignment]
    scenario: str = CALIBRATE  # type: ignore[assignment]

    def get(self, what: str) -> str | None:
        """The setting ``what`` by its name in the file (``"register"``, ``"qa"`` ...)."""
        return getattr(self, _ATTRIBUTES.get(what, what))

    def has(self, what: str) -> bool:
        """True when the market gives ``what`` (``"qa"``, ``"register"``, ``"sop"``, ...)."""
        return bool(self.get(what))


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = ""
    defaults: _Settings = Field(default_factory=_Settings)
    markets: dict[str, _Settings]


@dataclass(frozen=True)
class Workbook:
    """A loaded workbook: its file, folder, name and settings per market (in file order)."""

    path: Path
    name: str
    markets: dict[str, MarketSettings]

    @property
    def folder(self) -> Path:
        """The workbook's folder: relative paths and batch runs start here."""
        return self.path.parent

    def market(self, code: str) -> MarketSettings:
        """The settings of market ``code``; an unknown code is an error with a did-you-mean."""
        if code in self.markets:
            return self.markets[code]
        names = list(self.markets)
        close = [n for n in names if n.upper() == code.upper()] or difflib.get_close_matches(
            code, names, n=1)
        raise ParameterError(f"{self.path}: no market {code!r} in markets"
                             + (f"; did you mean {close[0]!r}?" if close else "")
                             + f" (the workbook lists: {', '.join(names)})")


def scenario_kind(value: str) -> str:
    """``"calibrate"``, ``"file"`` (a .yaml/.yml path) or ``"preset"`` for a scenario setting."""
    if value == CALIBRATE:
        return "calibrate"
    return "file" if value.lower().endswith((".yaml", ".yml")) else "preset"


def _field_names(loc: tuple[Any, ...]) -> list[str]:
    """The keys allowed where an unknown key ``loc`` was found (top level or a market)."""
    model: type[BaseModel] = _File if len(loc) == 0 else _Settings
    return [f.alias or name for name, f in model.model_fields.items() if name != "market"]


def _translate(exc: ValidationError, where: str) -> ParameterError:
    lines = error_lines(exc, _File, _field_names)
    if len(lines) == 1:
        return ParameterError(f"{where}, {lines[0]}")
    return ParameterError(f"{where}: invalid workbook:\n  " + "\n  ".join(lines))


def _resolve(folder: Path, settings: MarketSettings, where: str) -> MarketSettings:
    """Paths made absolute against ``folder`` and checked to exist; scenarios checked."""
    changes: dict[str, Any] = {}
    for name in _PATH_FIELDS:
        value = settings.get(name)
        if isinstance(value, QAFileSetting):
            changes["qa"] = QAFileSetting(
                file=_existing(folder, value.file, f"{where}, markets.{settings.market}.qa.file"),
                profile=_existing(folder, value.profile,
                                  f"{where}, markets.{settings.market}.qa.profile"))
            continue
        if not value or (name == "qa" and value == FROM_LOG):
            continue
        if name == "scenario" and scenario_kind(value) != "file":
            continue
        changes[_ATTRIBUTES.get(name, name)] = _existing(
            folder, value, f"{where}, markets.{settings.market}.{name}")
    if scenario_kind(settings.scenario) == "preset":
        presets = list_presets()
        if settings.scenario not in presets:
            close = difflib.get_close_matches(settings.scenario, presets, n=1)
            raise ParameterError(
                f"{where}, markets.{settings.market}.scenario: found {settings.scenario!r}; "
                f"expected a scenario .yaml file, '{CALIBRATE}', or a preset among "
                f"{', '.join(presets)}" + (f"; did you mean {close[0]!r}?" if close else ""))
    if settings.qa == FROM_LOG and not settings.profile:
        raise ParameterError(f"{where}, markets.{settings.market}.qa: found '{FROM_LOG}' but "
                             "the market has no profile; expected a QA table file, or a "
                             "profile whose qa: section reads the export's QA columns")
    if not settings.log and (settings.scenario == CALIBRATE or settings.profile
                             or isinstance(settings.qa, QAFileSetting)):
        raise ParameterError(f"{where}, markets.{settings.market}.log: missing; expected the "
                             "market's export or event log (scenario: calibrate, a profile "
                             "and a QA file joined to the log need it)")
    return settings.model_copy(update=changes)


def _existing(folder: Path, value: str, where: str) -> str:
    """``value`` as an absolute path against ``folder``, checked to exist."""
    path = (folder / Path(value).expanduser()).resolve()
    if not path.exists():
        raise ParameterError(f"{where}: {value!r} does not exist (looked in {folder}); expected "
                             "a file relative to the workbook's folder")
    return str(path)


def load_workbook(path: str | Path) -> Workbook:
    """Read and check ``workbook.yaml``: every market's settings, paths resolved and checked.

    Raises
    ------
    ParameterError
        A file that cannot be read; an unknown key (with a did-you-mean); a bad market
        code, time zone, SLA target or preset name; a path that does not exist. The
        message names the file, the field path (``markets.DE.qa``) and the value.
    """
    file = Path(path).expanduser()
    where = str(file)
    data = read_yaml_file(file, where=f"workbook {where}", error=ParameterError,
                          expected="a workbook.yaml (`modlean init DIR` writes one)")
    if not isinstance(data, dict):
        raise ParameterError(f"{where}: found {kind_of(data)}; expected a mapping with "
                             "markets: (see docs/workbook.md)")
    try:
        parsed = _File.model_validate(data)
    except ValidationError as exc:
        raise _translate(exc, where) from None
    if not parsed.markets:
        raise ParameterError(f"{where}, markets: found no market; expected at least one")
    defaults = parsed.defaults.model_dump(exclude_unset=True, by_alias=True)
    markets: dict[str, MarketSettings] = {}
    for code, given in parsed.markets.items():  # a handful of markets
        if not MARKET_PATTERN.fullmatch(str(code)):
            raise ParameterError(f"{where}, markets: found market {describe(code)}; expected a "
                                 "market code (letters, digits, '_' or '-', up to 32)")
        merged = {**defaults, **given.model_dump(exclude_unset=True, by_alias=True),
                  "market": str(code)}
        try:
            settings = MarketSettings.model_validate(merged)
        except ValidationError as exc:  # pragma: no cover - the same checks passed above
            raise _translate(exc, where) from None
        markets[str(code)] = _resolve(file.resolve().parent, settings, where)
    return Workbook(path=file.resolve(), name=parsed.name or file.resolve().parent.name,
                    markets=markets)
