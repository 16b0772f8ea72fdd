"""One market's inputs for a notebook: its files and settings, read once, from the workbook.

:func:`market_inputs` takes a notebook's validated parameters. With a ``workbook``
it reads the market's settings from ``workbook.yaml``; without one, it builds them
from the notebook's own per-file parameters (``log_path``, ``qa_path``,
``sop_path``, ``register_path``, ``scenario``), so the sample data runs as before.
:class:`MarketInputs` then gives the market's log, QA table, register, SOP model and
scenario (a file, a preset, or calibrated from the log), each read on first use.

A section whose input the market lacks is skipped with a note, not failed: see
:mod:`modlean.workbook.sections`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from modlean import dsa, eventlog
from modlean._util import suggest
from modlean.decisions import (
    Calibration,
    HoldoutRun,
    calibrate,
    calibration_folder,
    read_calibration,
    run_holdout,
)
from modlean.errors import ParameterError
from modlean.quality import qa_shape, read_qa
from modlean.risk import load_register
from modlean.scenario import Pool, apply_overrides, market_scenario, preset
from modlean.workbook.schema import (
    FROM_LOG,
    MarketSettings,
    QAFileSetting,
    Workbook,
    load_workbook,
    scenario_kind,
)
from modlean.workbook.sections import install

if TYPE_CHECKING:
    import pandas as pd

    from modlean.dsa import Mapping as DsaMapping
    from modlean.dsa import PeerBenchmarks
    from modlean.eventlog import Intake
    from modlean.risk import RiskRegister
    from modlean.scenario import Scenario

__all__ = ["DATA_NAMES", "INPUT_NAMES", "MarketInputs", "find_upwards", "market_inputs",
           "reviewer_pool"]

#: A scenario pool's cost per reviewer hour when nothing says otherwise.
DEFAULT_COST_PER_HOUR = float(Pool.model_fields["cost_per_hour"].default)
#: What a market may lack, and how a skip note names it.
INPUT_NAMES = {"log": "event log", "qa": "QA table", "register": "risk register",
               "fmea": "FMEA sheet in the risk register", "sop": "SOP model",
               "profile": "source profile", "dsa_mapping": "DSA mapping",
               "dsa_peers": "peer benchmark file"}
#: What a market's data may lack although the input is there: name -> (input, what, check).
#: A ``# needs:`` line may name these too (``# needs: qa, qa_weights``).
DATA_NAMES = {
    "qa_verdicts": ("qa", "QA verdicts (its QA gives pass/fail only)",
                    lambda m: qa_shape(m.qa()) == "verdict"),
    "qa_weights": ("qa", "inclusion probabilities in the QA table",
                   lambda m: "inclusion_probability" in m.qa().columns),
    "pool": ("log", "pool column in the log", lambda m: "pool" in m.log().columns),
    "vendor": ("log", "vendor column in the log", lambda m: "vendor" in m.log().columns),
    "site": ("log", "site column in the log", lambda m: "site" in m.log().columns),
    "calibration": ("log", "scenario calibrated from the log (it is a preset, or a file "
                    "modlean calibrate did not write)", lambda m: m.calibrated()),
}
#: The notebooks' per-file parameters -> the workbook setting they stand for.
_FALLBACKS = {"log_path": "log", "qa_path": "qa", "sop_path": "sop",
              "register_path": "register", "scenario": "scenario"}


def find_upwards(candidate: Path, start: Path | None = None) -> Path | None:
    """``candidate`` if absolute and existing, else the first ``folder/candidate`` that
    exists, from ``start`` (the working folder) up through its parents; None if none."""
    if candidate.is_absolute():
        return candidate if candidate.exists() else None
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / candidate).exists():
            return (folder / candidate).resolve()
    return None


class MarketInputs:
    """A market's files and settings; each input is read on first use and kept.

    ``settings`` are the market's :class:`MarketSettings` (paths absolute);
    ``workbook`` is the loaded workbook, or None when the notebook's own parameters
    gave the files.
    """

    def __init__(self, settings: MarketSettings, workbook: Workbook | None = None) -> None:
        self.settings = settings
        self.workbook = workbook

    @property
    def market(self) -> str:
        """The market code."""
        return self.settings.market

    @property
    def timezone(self) -> str:
        """The market's IANA time zone (``UTC`` when the workbook names none)."""
        return self.settings.timezone

    @property
    def sla_hours(self) -> dict[str, float]:
        """SLA targets in hours per pool or queue (empty when none are given)."""
        return dict(self.settings.sla_hours)

    @property
    def sop(self) -> Path:
        """The SOP model's path (an error when the market has none: check :meth:`has`)."""
        return Path(self._need("sop"))

    def has(self, what: str) -> bool:
        """True when the market gives ``what``: an input (``log``, ``qa``, ``register``,
        ``sop`` ...) or a kind of data in one (:data:`DATA_NAMES`: ``qa_weights`` ...)."""
        if what in DATA_NAMES:
            source, _, check = DATA_NAMES[what]
            return self.has(source) and bool(check(self))
        if what not in INPUT_NAMES and what != "scenario":
            raise ParameterError(f"input {what!r}: expected one of "
                                 f"{', '.join([*INPUT_NAMES, *DATA_NAMES, 'scenario'])}")
        if what == "fmea":
            return self.settings.has("register") and self._register.fmea is not None
        return self.settings.has(what)

    def skip_note(self, what: str) -> str:
        """The note a skipped section shows: ``no QA table for DE: section skipped``."""
        name = DATA_NAMES[what][1] if what in DATA_NAMES else INPUT_NAMES.get(what, what)
        return f"no {name} for {self.market}: section skipped"

    def _need(self, what: str) -> str:
        value = self.settings.get(what)
        if not value:
            raise ParameterError(f"{self._where()}: no {INPUT_NAMES.get(what, what)} given "
                                 f"({what}: missing); expected a file for it in the workbook")
        return str(value)

    @cached_property
    def _intake(self) -> Intake:
        """The export read with the market's profile (eventlog.import_export); the mapping
        report's warnings are issued, so the notebook shows them."""
        intake = eventlog.import_export(self._need("log"), self._need("profile"))
        intake.report.issue_warnings()
        return intake

    def log(self) -> pd.DataFrame:
        """The market's canonical event log (read with its profile when it has one); a log
        without a ``market`` column gets the market's code (the DSA territorial scope and
        per-market figures need it)."""
        log = self._intake.log if self.settings.profile else self._log
        return eventlog.with_market(log, self.market)

    @cached_property
    def _log(self) -> pd.DataFrame:
        return eventlog.read_log(self._need("log"), tz=self.settings.timezone)

    def qa(self) -> pd.DataFrame:
        """The market's QA table: its file, the export's QA columns (``qa: from_log``), or a
        QA team's own file joined to the market's log (``qa: {file: ..., profile: ...}``)."""
        if isinstance(self.settings.qa, QAFileSetting):
            return self._qa_file
        if self._need("qa") == FROM_LOG:
            table = self._intake.qa
            if table is None:
                raise ParameterError(f"market {self.market}: qa: {FROM_LOG}, but the profile "
                                     f"{self.settings.profile} reads no QA columns; expected "
                                     "a qa: section in the profile, or a QA table file")
            return read_qa(table)
        return self._qa

    def optional_qa(self) -> pd.DataFrame | None:
        """The market's QA table, or None when it has none (for analyses QA only sharpens)."""
        return self.qa() if self.has("qa") else None

    @cached_property
    def _qa(self) -> pd.DataFrame:
        return read_qa(self._need("qa"))

    @cached_property
    def _qa_file(self) -> pd.DataFrame:
        """The QA file read with its QA profile and joined to the log (eventlog.import_qa);
        the mapping report's warnings are issued, so the notebook shows them."""
        spec = self.settings.qa
        assert isinstance(spec, QAFileSetting)  # qa() calls this only then
        result = eventlog.import_qa(spec.file, spec.profile, self.log())
        result.report.issue_warnings()
        return read_qa(result.qa)

    def dsa_mapping(self) -> DsaMapping:
        """The market's DSA mapping (``dsa_mapping:``), validated."""
        return self._dsa_mapping

    @cached_property
    def _dsa_mapping(self) -> DsaMapping:
        return dsa.load_mapping(self._need("dsa_mapping"))

    def dsa_peers(self) -> PeerBenchmarks:
        """The peer benchmark file (``dsa_peers:``), with its attribution."""
        return dsa.read_benchmarks(self._need("dsa_peers"))

    def register(self) -> RiskRegister:
        """The market's risk register, validated."""
        return self._register

    @cached_property
    def _register(self) -> RiskRegister:
        return load_register(self._need("register"))

    def scenario(self, overrides: Mapping[str, Any] | None = None) -> Scenario:
        """The market's baseline: a scenario file, a preset, or calibrated from its log.

        The workbook's ``sla_hours`` become the named pools' SLA targets (a vendor
        queue's name is read through the market's profile). ``overrides`` (dotted
        paths) are applied last, as in :func:`modlean.scenario.market_scenario`.
        """
        value = self.settings.scenario
        kind = scenario_kind(value)
        if kind == "file":
            base = market_scenario(self.market, value)
        elif kind == "preset":
            base = preset(value)
        else:
            base = self._calibration.scenario
        settings = {**self._pool_slas(base), **self._money(base)}
        return apply_overrides(base, {**settings, **dict(overrides or {})}) \
            if settings or overrides else base

    def cost_per_hour(self, given: float | None = None) -> float:
        """The billed rate per reviewer hour: ``given`` (a notebook's parameter), else the
        workbook's ``cost_per_hour``, else a scenario pool's default."""
        if given is not None:
            return float(given)
        if self.settings.cost_per_hour is not None:
            return float(self.settings.cost_per_hour)
        return DEFAULT_COST_PER_HOUR

    def _money(self, scenario: Scenario) -> dict[str, Any]:
        """The workbook's ``currency`` and ``cost_per_hour`` as scenario overrides."""
        out: dict[str, Any] = {}
        if self.settings.currency:
            out["currency"] = self.settings.currency
        if self.settings.cost_per_hour is not None:
            out.update({f"pools.{pool}.cost_per_hour": float(self.settings.cost_per_hour)
                        for pool in scenario.pools})
        return out

    def calibrated(self) -> bool:
        """True when the baseline is calibrated from the log: ``scenario: calibrate``, or a
        scenario file ``modlean calibrate --out FOLDER`` wrote (edited or not)."""
        kind = scenario_kind(self.settings.scenario)
        return kind == "calibrate" or (kind == "file" and
                                       calibration_folder(self.settings.scenario) is not None)

    def calibration(self) -> Calibration:
        """The calibration of the market's log: its scenario, assumptions, handling, notes
        (:func:`modlean.decisions.calibrate`, or read back from the folder calibrate wrote
        the scenario file in; an error unless the scenario is calibrated: check
        ``has("calibration")``)."""
        if not self.has("calibration"):
            raise ParameterError(f"market {self.market}: its scenario is "
                                 f"{self.settings.scenario!r}, not calibrated from the log")
        cal = self._calibrated_file if scenario_kind(self.settings.scenario) == "file" \
            else self._calibration
        return replace(cal, assumptions=self._workbook_set(cal.assumptions, cal.scenario))

    def _workbook_set(self, assumptions: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
        """The calibration's assumptions with the values the workbook sets (currency, costs,
        pool SLAs) shown as set there, not as the log's defaults."""
        settings = {**self._pool_slas(scenario), **self._money(scenario)}
        settings.update({f"{path}.hours": value["hours"] for path, value in settings.items()
                         if isinstance(value, dict)})
        table = assumptions.copy()
        for i, path in table["field"].items():
            if path in settings:
                table.at[i, "value"] = settings[path]
                table.at[i, "why"] = f"set in the workbook ({self._where()})"
        return table

    @cached_property
    def _calibrated_file(self) -> Calibration:
        path = self.settings.scenario
        return read_calibration(path, market_scenario(self.market, path))

    def holdout(self, share: float = 0.2, *, seed: int = 1) -> HoldoutRun:
        """The market's calibration scored on a held-out period: the last ``share`` of its
        log's cases simulated from a calibration of the rest, beside a replay of the last
        training cases (:func:`modlean.decisions.run_holdout`; docs/fidelity.md)."""
        self.calibration()  # refused the same way when the scenario is not calibrated
        qa = self.qa() if self.has("qa") else None
        return run_holdout(self.log(), share, timezone=self.timezone, seed=seed,
                           sla_hours=self.pool_sla_hours(), market=self.market,
                           name=f"{self.market} calibrated", qa=qa)

    def pool_sla_hours(self) -> dict[str, float]:
        """The SLA target (hours) of each pool of the market's scenario that has one: the
        workbook's ``sla_hours``, a vendor queue's read through the profile, over the
        scenario's own. Fidelity scores each pool's ``sla:`` row against it."""
        return {name: pool.sla.hours for name, pool in self.scenario().pools.items()
                if pool.sla is not None}

    @cached_property
    def _calibration(self) -> Calibration:
        qa = self.qa() if self.has("qa") else None
        return calibrate(self.log(), timezone=self.timezone, market=self.market,
                         name=f"{self.market} calibrated", qa=qa)

    def _pool_slas(self, scenario: Scenario) -> dict[str, Any]:
        """``pools.<pool>.sla`` overrides for the workbook's ``sla_hours``."""
        queues = {}
        if self.settings.profile:
            prof = eventlog.load_profile(self.settings.profile)
            queues = {k: v.pool or v.stage for k, v in prof.queues.items()}
        out: dict[str, Any] = {}
        for name, hours in self.sla_hours.items():
            pool = name if name in scenario.pools else queues.get(name)
            if pool not in scenario.pools:
                raise ParameterError(
                    f"{self._where()}.sla_hours.{name}: not a pool of scenario "
                    f"{scenario.name!r}{suggest(name, list(scenario.pools))}; expected one of "
                    f"{', '.join(scenario.pools)}" + (" or a queue of the profile"
                                                       if queues else ""))
            old = scenario.pools[pool].sla
            out[f"pools.{pool}.sla"] = {"hours": hours,
                                        "percentile": old.percentile if old else 95.0}
        return out

    def _where(self) -> str:
        return f"{self.workbook.path}, markets.{self.market}" if self.workbook else \
            f"market {self.market}"

    def surge_scenario(self, multiplier: float, days: int) -> Scenario:
        """The baseline with every item type's volume × ``multiplier`` for ``days`` days
        (no warm-up, one drain day): the surge of the SLA-breach likelihood."""
        base = self.scenario()
        overrides: dict[str, Any] = {"horizon_days": days, "warmup_days": 0, "drain_days": 1}
        for item_type in base.item_types:  # a few item types
            overrides[f"item_types.{item_type}.surges"] = [
                {"start": "2000-01-01", "end": "2100-12-31", "multiplier": multiplier}]
        return apply_overrides(base, overrides)

    def describe(self) -> dict[str, Any]:
        """The market's settings as plain values (for ``record``)."""
        data = self.settings.model_dump(by_alias=True)
        data["workbook"] = str(self.workbook.path) if self.workbook else None
        return {k: v for k, v in data.items() if v not in (None, {}, "")}


def reviewer_pool(scenario: Scenario, name: str | None = None) -> str:
    """``name`` when given and in the scenario; empty: the scenario's largest pool.

    A calibrated scenario names its pools after the log's resources, so a notebook
    cannot assume a preset's pool names.
    """
    pools = scenario.pools
    if name:
        if name not in pools:
            raise ParameterError(f"pool {name!r}: not in scenario {scenario.name!r}; expected "
                                 f"one of {', '.join(pools)} (or empty: the largest pool)")
        return name
    if not pools:
        raise ParameterError(f"scenario {scenario.name!r} has no reviewer pool")
    return max(pools, key=lambda p: pools[p].headcount or 0)  # a pool in a team: 0 own people


def _from_parameters(params: Mapping[str, Any]) -> MarketSettings:
    """A market's settings from a notebook's own per-file parameters (no workbook)."""
    market = str(params["market"])
    values: dict[str, Any] = {"market": market}
    for name, setting in _FALLBACKS.items():
        raw = params.get(name)
        if raw is None or not str(raw).strip():
            continue
        text = str(raw).format(market=market)
        if setting == "scenario" and scenario_kind(text) != "file":
            values[setting] = text
            continue
        found = find_upwards(Path(text).expanduser())
        if found is None:
            raise ParameterError(f"parameter {name!r}: {text!r} does not exist (looked in "
                                 f"{Path.cwd()} and its parent folders); expected an existing "
                                 "file, or a workbook (parameter 'workbook')")
        values[setting] = str(found)
    values.setdefault("scenario", market)
    if params.get("timezone"):
        values["timezone"] = str(params["timezone"])
    return MarketSettings.model_validate(values)  # "register" is the alias


def market_inputs(params: Mapping[str, Any]) -> MarketInputs:
    """The inputs of the notebook's market, from its parameters.

    ``params`` are a notebook's validated parameters (:func:`modlean.evidence.validate`).
    With a non-empty ``workbook``, the market ``market`` of that workbook; the
    notebook's per-file parameters are then not used, but a non-empty ``scenario``
    parameter (``modlean batch --scenarios``) replaces the workbook's. Without one, the per-file
    parameters it declares (``log_path``, ``qa_path``, ``sop_path``,
    ``register_path``, ``scenario``; ``{market}`` filled in, looked up from the
    working folder and its parents) and the market's preset as its scenario.

    Raises
    ------
    ParameterError
        An unknown market, a workbook that does not validate, a missing file.

    In a kernel it also makes cells starting ``# needs: qa`` skip with a note when the
    market lacks that input (:mod:`modlean.workbook.sections`).
    """
    book = params.get("workbook")
    if book is not None and str(book).strip():
        workbook = load_workbook(book)
        settings = workbook.market(str(params["market"]))
        given = _from_parameters({"market": settings.market,
                                  "scenario": params.get("scenario")}).scenario
        if str(params.get("scenario") or "").strip():  # `modlean batch --scenarios` wins
            settings = settings.model_copy(update={"scenario": given})
        inputs = MarketInputs(settings, workbook)
    else:
        inputs = MarketInputs(_from_parameters(params))
    install(inputs.has, inputs.skip_note)
    return inputs
