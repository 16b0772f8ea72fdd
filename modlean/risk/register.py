"""Risk register and the 5×5 likelihood × impact matrix (DOMAIN §1, §7).

A register is a table with one row per risk, defined once in
:data:`REGISTER_FIELDS` (the fields of DOMAIN §1.5 that a moderation PM needs).
It is read from and written to CSV, XLSX and YAML by :func:`load_register` and
:func:`save_register`; every bad value is reported with its row, risk id and
field. :func:`write_templates` makes ``templates/risk_register.{csv,xlsx}``
from the same definition.

Ratings are stored three times — **inherent** (no controls), **current
residual** (existing controls) and **target residual** (after the action plan)
— and banded on a lookup grid with severity overrides (:class:`RiskMatrix`),
never the raw product. Next to each colour sits an **expected annual loss**
(annual frequency × mean cost) and the register gets a Monte-Carlo P90
(:func:`simulate_losses`); risks are ranked inside a band by expected loss
and ties are flagged (Cox 2008 mitigations).

Likelihood can come from data: :func:`likelihood_from_rate` (per-decision
anchors), :func:`likelihood_from_frequency`, :func:`likelihood_from_probability`
(e.g. P(SLA breach in a week) across simulation replications).
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from modlean._util import write_atomic
from modlean.errors import ParameterError, RegisterError
from modlean.risk.records import Field, Problems, is_blank, validate_records

__all__ = [
    "BANDS",
    "DEFAULT_MATRIX",
    "DSA_CATEGORIES",
    "REGISTER_FIELDS",
    "Override",
    "RiskMatrix",
    "RiskRegister",
    "action_plan",
    "apply_likelihoods",
    "assess",
    "cell_ids",
    "impact_from_cost",
    "likelihood_evidence",
    "likelihood_from_frequency",
    "likelihood_from_probability",
    "likelihood_from_rate",
    "likelihood_level",
    "load_register",
    "overdue_actions",
    "rank_risks",
    "save_register",
    "share_of_periods_missed",
    "simulate_losses",
    "template_frame",
    "validate_register",
    "write_templates",
]

#: Risk bands, lowest first.
BANDS = ("Low", "Medium", "High", "Critical")
_BAND_CODE = {"L": "Low", "M": "Medium", "H": "High", "C": "Critical"}

PROCESS_AREAS = ("seller_onboarding", "listing_review", "content_review", "ipr", "appeals",
                 "qa", "wfm", "model")
STAKEHOLDERS = ("buyers", "sellers", "rights_holders", "regulator", "brand", "bpo")
IMPACT_DIMENSIONS = ("buyers", "sellers", "rights_holders", "regulatory", "brand", "operations")
TREATMENTS = ("avoid", "reduce", "share", "accept")
STATUSES = ("open", "in_treatment", "monitoring", "closed", "accepted")
EFFECTIVENESS = ("effective", "partial", "ineffective")
#: DSA Transparency Database categories (2025+ taxonomy), prefixed STATEMENT_CATEGORY_.
DSA_CATEGORIES = tuple("STATEMENT_CATEGORY_" + c for c in (
    "ANIMAL_WELFARE", "CONSUMER_INFORMATION", "CYBER_VIOLENCE", "CYBER_VIOLENCE_AGAINST_WOMEN",
    "DATA_PROTECTION_AND_PRIVACY_VIOLATIONS", "ILLEGAL_OR_HARMFUL_SPEECH",
    "INTELLECTUAL_PROPERTY_INFRINGEMENTS", "NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
    "NOT_SPECIFIED_NOTICE", "OTHER_VIOLATION_TC", "PROTECTION_OF_MINORS",
    "RISK_FOR_PUBLIC_SECURITY", "SCAMS_AND_FRAUD", "SELF_HARM", "UNSAFE_AND_PROHIBITED_PRODUCTS",
    "VIOLENCE"))
#: Statuses for which an action past its due date is overdue.
OPEN_STATUSES = ("open", "in_treatment")


def _rating(name: str, required: bool, what: str, example: int | None) -> Field:
    return Field(name, "integer", required, low=1, high=5, description=what, example=example)


#: The register's fields, in file order. One definition for validation, files and templates.
REGISTER_FIELDS: tuple[Field, ...] = (
    Field("risk_id", "text", True, description="Unique id", example="R-01"),
    Field("title", "text", True, description="Short name of the risk",
          example="Counterfeit listings go live"),
    Field("process_area", "choice", True, PROCESS_AREAS, example="listing_review"),
    Field("market", "text", description="Market code or 'all'", example="UK"),
    Field("dsa_category", "choice", choices=DSA_CATEGORIES,
          example="STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS"),
    Field("cause", "text", example="Sellers evade brand filters; L1 guideline unclear"),
    Field("event", "text", example="Counterfeit listing approved and sold"),
    Field("consequence", "text", example="Buyer harm, rights-holder escalation"),
    Field("stakeholders", "choices", choices=STAKEHOLDERS, example="buyers; rights_holders"),
    Field("impact_dimension", "choice", choices=IMPACT_DIMENSIONS,
          description="The worst credible impact dimension the rating is based on",
          example="rights_holders"),
    _rating("inherent_l", True, "Likelihood 1-5 with no controls", 5),
    _rating("inherent_i", True, "Impact 1-5 with no controls", 4),
    Field("controls", "choices", description="Existing controls, separated by ';'",
          example="Brand registry gating; ML logo detection; 3% QA"),
    Field("control_effectiveness", "choice", choices=EFFECTIVENESS, example="partial"),
    _rating("residual_l", True, "Likelihood 1-5 with existing controls", 4),
    _rating("residual_i", True, "Impact 1-5 with existing controls", 3),
    _rating("target_l", False, "Likelihood 1-5 after the action plan", 2),
    _rating("target_i", False, "Impact 1-5 after the action plan", 3),
    Field("annual_frequency", "number", low=0,
          description="Expected events per year (current controls)", example=6),
    Field("impact_cost", "number", low=0, description="Mean cost per event in EUR",
          example=250000),
    Field("appetite", "choice", choices=BANDS,
          description="Highest acceptable residual band", example="Medium"),
    Field("treatment", "choice", choices=TREATMENTS, example="reduce"),
    Field("action_plan", "text", example="Targeted QA on brand categories; guideline v2"),
    Field("action_owner", "text", example="QA lead"),
    Field("risk_owner", "text", description="Required for High and Critical risks",
          example="Head of Trust & Safety Ops"),
    Field("due_date", "date", example="2026-06-30"),
    Field("status", "choice", True, STATUSES, example="in_treatment"),
    Field("kri_name", "text", example="QA counterfeit miss rate"),
    Field("kri_value", "number", example=0.012),
    Field("kri_threshold", "number", example=0.01),
    Field("legal_refs", "text", example="DSA Art.16; DSA Art.23"),
    Field("rationale", "text", description="Why these ratings; evidence",
          example="QA Q1: 12 misses in 1,000 sampled brand listings"),
    Field("date_identified", "date", example="2026-01-15"),
    Field("last_review", "date", example="2026-03-01"),
    Field("next_review", "date", example="2026-06-01"),
    Field("linked_fmea_ids", "choices", example="F-01"),
    Field("linked_bowtie_id", "text", example="BT-01"),
)
FIELD_NAMES = tuple(f.name for f in REGISTER_FIELDS)


@dataclass(frozen=True)
class Override:
    """A band floor for some cells: impact in [impact_min, impact_max] and
    likelihood in [likelihood_min, likelihood_max] are at least ``at_least``."""

    at_least: str
    impact_min: int = 1
    impact_max: int = 5
    likelihood_min: int = 1
    likelihood_max: int = 5


_DEFAULT_GRID = (  # rows L1..L5, columns I1..I5 (DOMAIN §7)
    "LLLMM",
    "LLMMH",
    "LMMHH",
    "LMHHC",
    "MHHCC",
)


@dataclass(frozen=True)
class RiskMatrix:
    """The 5×5 matrix: descriptors, band grid, overrides and numeric anchors.

    Attributes
    ----------
    likelihood, impact:
        Descriptors of levels 1-5.
    grid:
        Five strings of five band letters (L/M/H/C), likelihood 1 first, impact 1..5.
    overrides:
        Floors applied after the grid (by default: I4 with L1 at least Medium;
        any I5 with L ≥ 2 at least High).
    rate_anchors:
        Lower bounds of the per-decision rate for L2..L5 (1e-6, 1e-5, 1e-4, 1e-3).
    frequency_anchors:
        Lower bounds of events per year for L2..L5 (1/3, 1, 4, 52) [A].
    frequency_midpoints:
        Events per year assumed for L1..L5 when a risk gives no frequency [A].
    cost_anchors:
        Lower bounds of EUR per event for I2..I5 (10k, 100k, 1M, 10M).
    cost_midpoints:
        EUR per event assumed for I1..I5 when a risk gives no cost [A].
    """

    likelihood: tuple[str, ...] = ("Rare", "Unlikely", "Possible", "Likely", "Almost certain")
    impact: tuple[str, ...] = ("Negligible", "Minor", "Moderate", "Major", "Severe")
    grid: tuple[str, ...] = _DEFAULT_GRID
    overrides: tuple[Override, ...] = (
        Override("Medium", impact_min=4, impact_max=4, likelihood_max=1),
        Override("High", impact_min=5, likelihood_min=2),
    )
    rate_anchors: tuple[float, ...] = (1e-6, 1e-5, 1e-4, 1e-3)
    frequency_anchors: tuple[float, ...] = (1 / 3, 1.0, 4.0, 52.0)
    frequency_midpoints: tuple[float, ...] = (0.2, 0.6, 1.5, 8.0, 52.0)
    cost_anchors: tuple[float, ...] = (1e4, 1e5, 1e6, 1e7)
    cost_midpoints: tuple[float, ...] = (5e3, 5.5e4, 5.5e5, 5.5e6, 3e7)
    _lookup: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        where = "risk matrix"
        if len(self.likelihood) != 5 or len(self.impact) != 5:
            raise ParameterError(f"{where}: expected 5 likelihood and 5 impact descriptors")
        if len(self.grid) != 5 or any(len(r) != 5 for r in self.grid):
            raise ParameterError(f"{where} grid {self.grid!r}: expected 5 rows of 5 letters")
        bad = {c for r in self.grid for c in r} - set(_BAND_CODE)
        if bad:
            raise ParameterError(f"{where} grid: letters {sorted(bad)}; expected L, M, H, C")
        for o in self.overrides:
            if o.at_least not in BANDS:
                raise ParameterError(f"{where} override {o!r}: at_least must be one of {BANDS}")
        for name, n in (("rate_anchors", 4), ("frequency_anchors", 4), ("cost_anchors", 4),
                        ("frequency_midpoints", 5), ("cost_midpoints", 5)):
            values = getattr(self, name)
            if len(values) != n or any(b <= a for a, b in pairwise(values)):
                raise ParameterError(f"{where} {name} {values!r}: expected {n} increasing "
                                     "numbers")
        table = np.zeros((6, 6), dtype=int)
        for li, row in enumerate(self.grid, start=1):
            for ii, letter in enumerate(row, start=1):
                table[li, ii] = BANDS.index(_BAND_CODE[letter])
        for o in self.overrides:
            sl = (slice(o.likelihood_min, o.likelihood_max + 1),
                  slice(o.impact_min, o.impact_max + 1))
            table[sl] = np.maximum(table[sl], BANDS.index(o.at_least))
        object.__setattr__(self, "_lookup", table)

    def band_index(self, likelihood: Any, impact: Any) -> np.ndarray:
        """Band as 0 (Low) .. 3 (Critical) for arrays of levels."""
        li = np.asarray(likelihood, dtype=int)
        ii = np.asarray(impact, dtype=int)
        if np.any((li < 1) | (li > 5) | (ii < 1) | (ii > 5)):
            raise ParameterError("likelihood and impact levels: expected whole numbers 1-5")
        return self._lookup[li, ii]

    def band(self, likelihood: Any, impact: Any) -> np.ndarray | str:
        """Band name ("Low" .. "Critical") for levels (scalars or arrays)."""
        out = np.asarray(BANDS, dtype=object)[self.band_index(likelihood, impact)]
        return str(out) if np.ndim(out) == 0 else out

    def table(self) -> pd.DataFrame:
        """The matrix as a table: likelihood 5 at the top, impact 1..5 across, "H (12)"."""
        rows = {}
        for li in range(5, 0, -1):
            rows[f"{li} {self.likelihood[li - 1]}"] = [
                f"{BANDS[self._lookup[li, ii]][0]} ({li * ii})" for ii in range(1, 6)]
        return pd.DataFrame(rows, index=[f"{i} {d}" for i, d in enumerate(self.impact, 1)]).T

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for YAML."""
        return {
            "likelihood": list(self.likelihood), "impact": list(self.impact),
            "grid": list(self.grid),
            "overrides": [o.__dict__.copy() for o in self.overrides],
            "rate_anchors": list(self.rate_anchors),
            "frequency_anchors": list(self.frequency_anchors),
            "frequency_midpoints": list(self.frequency_midpoints),
            "cost_anchors": list(self.cost_anchors),
            "cost_midpoints": list(self.cost_midpoints),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None, source: str = "matrix") -> RiskMatrix:
        """Build from a YAML mapping; keys left out keep their defaults."""
        if not data:
            return cls()
        if not isinstance(data, Mapping):
            raise ParameterError(f"{source}: expected a mapping of matrix settings")
        known = {"likelihood", "impact", "grid", "overrides", "rate_anchors",
                 "frequency_anchors", "frequency_midpoints", "cost_anchors", "cost_midpoints"}
        unknown = set(data) - known
        if unknown:
            raise ParameterError(f"{source}: unknown key(s) {sorted(unknown)}; expected some "
                                 f"of {sorted(known)}")
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            if key == "overrides":
                try:
                    kwargs[key] = tuple(Override(**o) for o in value)
                except TypeError as exc:
                    raise ParameterError(f"{source}.overrides: {exc}; expected entries like "
                                         "{at_least: High, impact_min: 5, likelihood_min: 2}"
                                         ) from None
            elif key == "grid":
                rows = [r.replace(" ", "") if isinstance(r, str) else "".join(r)
                        for r in value]
                # YAML writers show likelihood 5 first; accept the top-down order too
                kwargs[key] = tuple(rows)
            else:
                kwargs[key] = tuple(value)
        return cls(**kwargs)


DEFAULT_MATRIX = RiskMatrix()


# ---------------------------------------------------------------- likelihood from data


def _level(values: Any, anchors: Sequence[float], name: str) -> np.ndarray | int:
    x = np.asarray(values, dtype="float64")
    if np.any(np.isnan(x) | (x < 0)):
        raise ParameterError(f"{name} {values!r}: expected numbers ≥ 0")
    out = 1 + np.searchsorted(np.asarray(anchors), x, side="right")
    return int(out) if out.ndim == 0 else out


def likelihood_from_rate(rate_per_decision: Any, matrix: RiskMatrix = DEFAULT_MATRIX
                         ) -> np.ndarray | int:
    """Likelihood level from a per-decision rate (DOMAIN §7 anchors).

    < 1 in 1,000,000 → 1; up to 1 in 100,000 → 2; up to 1 in 10,000 → 3;
    up to 1 in 1,000 → 4; above → 5. A rate exactly on an anchor takes the
    higher level.

    Examples
    --------
    >>> likelihood_from_rate(0.004)   # 4 in 1,000 decisions
    5
    """
    return _level(rate_per_decision, matrix.rate_anchors, "rate per decision")


def likelihood_from_frequency(per_year: Any, matrix: RiskMatrix = DEFAULT_MATRIX
                              ) -> np.ndarray | int:
    """Likelihood level from events per year: < 1/3 → 1, < 1 → 2, < 4 → 3, < 52 → 4, else 5."""
    return _level(per_year, matrix.frequency_anchors, "events per year")


def likelihood_from_probability(probability: Any, *, period_days: float = 7.0,
                                matrix: RiskMatrix = DEFAULT_MATRIX) -> np.ndarray | int:
    """Likelihood level from the probability that the event happens in one period.

    E.g. P(SLA breach in a simulated week) across replications. The probability
    becomes a yearly rate λ = −ln(1 − p) × 365 / period_days (a Poisson
    process), then :func:`likelihood_from_frequency`.
    """
    p = np.asarray(probability, dtype="float64")
    if np.any(np.isnan(p) | (p < 0) | (p > 1)):
        raise ParameterError(f"probability {probability!r}: expected values between 0 and 1")
    if period_days <= 0:
        raise ParameterError(f"period_days {period_days!r}: expected a positive number")
    with np.errstate(divide="ignore"):
        per_year = -np.log1p(-np.minimum(p, 1 - 1e-12)) * 365.0 / period_days
    return likelihood_from_frequency(per_year, matrix)


def likelihood_level(*, rate_per_decision: float | None = None,
                     per_year: float | None = None,
                     matrix: RiskMatrix = DEFAULT_MATRIX) -> int:
    """The higher of the rate-based and the frequency-based likelihood (DOMAIN §7)."""
    levels = []
    if rate_per_decision is not None:
        levels.append(int(likelihood_from_rate(rate_per_decision, matrix)))
    if per_year is not None:
        levels.append(int(likelihood_from_frequency(per_year, matrix)))
    if not levels:
        raise ParameterError("likelihood_level: give rate_per_decision, per_year or both")
    return max(levels)


def share_of_periods_missed(kpis: pd.DataFrame, *, kpi: str = "sla_target_met",
                            item_type: str = "all") -> tuple[float, int]:
    """Share of simulated periods (replications) in which a target was missed.

    ``kpis`` is the tidy KPI table of a simulation (``replication``, ``item_type``,
    ``kpi``, ``value``), where ``kpi`` is a 1/0 flag (1 = target met), e.g.
    ``sla_target_met``. Returns (share missed, replications): the probability to
    pass to :func:`likelihood_from_probability` with the simulated period's length.
    """
    missing = [c for c in ("replication", "item_type", "kpi", "value") if c not in kpis.columns]
    if missing:
        raise ParameterError(f"kpis: missing column(s) {missing}; expected the tidy KPI "
                             "table of modlean.simulation.run")
    sel = kpis[(kpis["kpi"] == kpi) & (kpis["item_type"] == item_type)]
    if sel.empty:
        raise ParameterError(f"kpis: no {kpi!r} for item type {item_type!r}; found item types "
                             f"{sorted(map(str, kpis['item_type'].unique()))}")
    met = sel.groupby("replication")["value"].min().to_numpy(dtype="float64")
    return float((met < 0.5).mean()), int(met.size)


def likelihood_evidence(evidence: Mapping[str, Mapping[str, Any]], *,
                        risks: pd.DataFrame | None = None,
                        matrix: RiskMatrix = DEFAULT_MATRIX) -> pd.DataFrame:
    """Likelihood levels from observed or simulated data, one row per risk.

    Parameters
    ----------
    evidence:
        risk id -> ``{"measure": text, ...}`` with one of ``rate_per_decision``
        (e.g. a QA error rate), ``probability`` (with ``period_days``: e.g. the share of
        simulated weeks that miss the SLA) or ``per_year`` (events a year).
    risks:
        The register's risks, to show the likelihood it states beside the data's.

    Returns
    -------
    pandas.DataFrame
        ``risk_id``, ``measure``, ``basis``, ``value``, ``likelihood`` (1-5), and with
        ``risks`` also ``register_l`` (current residual) and ``change`` (data − register).
    """
    rows = []
    for risk_id, item in evidence.items():  # one per risk with evidence (a handful)
        given = [k for k in ("rate_per_decision", "probability", "per_year") if k in item]
        if len(given) != 1:
            raise ParameterError(f"likelihood evidence for {risk_id!r}: found keys "
                                 f"{sorted(item)}; expected exactly one of rate_per_decision, "
                                 "probability (with period_days) or per_year")
        key = given[0]
        value = float(item[key])
        if key == "rate_per_decision":
            level = likelihood_from_rate(value, matrix)
            basis = "rate per decision"
        elif key == "probability":
            days = float(item.get("period_days", 7.0))
            level = likelihood_from_probability(value, period_days=days, matrix=matrix)
            basis = f"probability per {days:g} days"
        else:
            level = likelihood_from_frequency(value, matrix)
            basis = "events per year"
        rows.append({"risk_id": str(risk_id), "measure": str(item.get("measure", key)),
                     "basis": basis, "value": value, "likelihood": int(level)})
    out = pd.DataFrame(rows, columns=["risk_id", "measure", "basis", "value", "likelihood"])
    if risks is not None:
        known = risks.set_index("risk_id")["residual_l"]
        unknown = sorted(set(out["risk_id"]) - set(known.index))
        if unknown:
            raise ParameterError(f"likelihood evidence: risk id(s) {unknown} are not in the "
                                 "register")
        out["register_l"] = known.reindex(out["risk_id"]).astype(int).to_numpy()
        out["change"] = out["likelihood"] - out["register_l"]
    return out


def apply_likelihoods(risks: pd.DataFrame, evidence: pd.DataFrame, *,
                      stage: str = "residual") -> pd.DataFrame:
    """The risks with the ``<stage>_l`` of each risk in ``evidence`` set from the data.

    ``evidence`` is :func:`likelihood_evidence` output. The register's own rating
    is kept in ``<stage>_l_register`` and ``likelihood_source`` says ``data`` or
    ``register``; pass the result to :func:`assess`.
    """
    col = f"{stage}_l"
    if col not in risks.columns:
        raise ParameterError(f"stage {stage!r}: the register has no {col!r} column")
    levels = evidence.set_index("risk_id")["likelihood"]
    unknown = sorted(set(levels.index) - set(risks["risk_id"]))
    if unknown:
        raise ParameterError(f"likelihood evidence: risk id(s) {unknown} are not in the "
                             "register")
    out = risks.copy()
    from_data = out["risk_id"].isin(levels.index)
    out[f"{col}_register"] = out[col]
    out.loc[from_data, col] = out.loc[from_data, "risk_id"].map(levels).astype(int)
    out["likelihood_source"] = np.where(from_data, "data", "register")
    return out


def impact_from_cost(cost: Any, matrix: RiskMatrix = DEFAULT_MATRIX) -> np.ndarray | int:
    """Impact level from EUR per event: < 10k → 1, < 100k → 2, < 1M → 3, < 10M → 4, else 5."""
    return _level(cost, matrix.cost_anchors, "cost")


# ---------------------------------------------------------------- register IO


@dataclass
class RiskRegister:
    """A validated register: the risks, the matrix used to band them, an optional FMEA sheet."""

    risks: pd.DataFrame
    matrix: RiskMatrix = DEFAULT_MATRIX
    fmea: pd.DataFrame | None = None
    source: str = "register"

    def assess(self) -> pd.DataFrame:
        """:func:`assess` with this register's matrix."""
        return assess(self.risks, self.matrix)


def _read_yaml(path: Path) -> tuple[pd.DataFrame, dict | None, pd.DataFrame | None]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise RegisterError(f"{path}{where}: not valid YAML ({getattr(exc, 'problem', exc)})"
                            ) from None
    if isinstance(data, list):
        data = {"risks": data}
    if not isinstance(data, dict) or not isinstance(data.get("risks"), list):
        raise RegisterError(f"{path}: expected a list of risks, or a mapping with 'risks:' "
                            "(a list) and optional 'matrix:' and 'fmea:'")
    bad = [i for i, r in enumerate(data["risks"]) if not isinstance(r, dict)]
    if bad:
        raise RegisterError(f"{path}, risks[{bad[0]}]: expected a mapping of field: value; "
                            f"found {data['risks'][bad[0]]!r}")
    fmea = data.get("fmea")
    return (pd.DataFrame(data["risks"]), data.get("matrix"),
            pd.DataFrame(fmea) if fmea else None)


def load_register(path: str | Path, *, matrix: RiskMatrix | None = None) -> RiskRegister:
    """Read and validate a risk register from ``.csv``, ``.xlsx`` or ``.yaml``/``.yml``.

    YAML may also carry ``matrix:`` (see :meth:`RiskMatrix.from_dict`) and
    ``fmea:`` (rows of an FMEA sheet); an XLSX file may have an ``fmea`` sheet.

    Checks: required fields, unique ``risk_id``, ratings whole numbers 1-5,
    valid dates and choices, a ``risk_owner`` for every risk whose current
    residual band is High or Critical, target ratings given in pairs, an
    ``action_owner`` for an open risk with an action plan.

    Raises
    ------
    RegisterError
        Listing every problem with its row, risk id and field.
    """
    path = Path(path)
    if not path.exists():
        raise RegisterError(f"{path}: file not found")
    suffix = path.suffix.lower()
    fmea_raw = None
    matrix_data = None
    if suffix == ".csv":
        try:
            raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except (pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise RegisterError(f"{path}: cannot read as CSV ({exc})") from None

        def locate(i: int) -> str:
            return f"row {i + 1} (line {i + 2})"
    elif suffix == ".xlsx":
        try:
            sheets = pd.read_excel(path, sheet_name=None, dtype=object)
        except (ValueError, OSError, KeyError) as exc:
            raise RegisterError(f"{path}: cannot read as XLSX ({exc})") from None
        name = "risks" if "risks" in sheets else next(iter(sheets))
        raw = sheets[name]
        fmea_raw = sheets.get("fmea")

        def locate(i: int) -> str:
            return f"row {i + 1} (sheet {name!r} row {i + 2})"
    elif suffix in (".yaml", ".yml"):
        raw, matrix_data, fmea_raw = _read_yaml(path)

        def locate(i: int) -> str:
            return f"risks[{i}] (risk {i + 1})"
    else:
        raise RegisterError(f"{path}: unknown register format {suffix!r}; expected .csv, "
                            ".xlsx, .yaml or .yml")
    if matrix is None:
        try:
            matrix = RiskMatrix.from_dict(matrix_data, f"{path}: matrix")
        except ParameterError as exc:
            raise RegisterError(str(exc)) from None
    risks = validate_register(raw, source=str(path), locate=locate, matrix=matrix)
    fmea = None
    if fmea_raw is not None and len(fmea_raw):
        from modlean.risk.fmea import assess_fmea

        fmea = assess_fmea(fmea_raw, source=f"{path} (fmea)")
    return RiskRegister(risks=risks, matrix=matrix, fmea=fmea, source=str(path))


def validate_register(raw: pd.DataFrame, *, source: str = "register",
                      locate: Callable[[int], str] = lambda i: f"row {i + 1}",
                      matrix: RiskMatrix = DEFAULT_MATRIX) -> pd.DataFrame:
    """Validate and convert a raw register table (see :func:`load_register`)."""
    raw = raw.reset_index(drop=True)
    raw = raw.loc[~raw.apply(lambda r: all(is_blank(v) for v in r), axis=1)].reset_index(
        drop=True)  # blank spreadsheet rows
    problems = Problems(source)
    if raw.empty:
        problems.add("register", None, "has no risks", expected="at least one row")
        problems.raise_if_any()
    table = validate_records(raw, REGISTER_FIELDS, problems=problems, locate=locate,
                             id_field="risk_id")
    if problems.lines and "header" in problems.lines[0]:
        problems.raise_if_any()
    for i in range(len(table)):  # cross-field rules, one row at a time (tens of rows)
        row = table.iloc[i]
        where = locate(i) + (f" ({row['risk_id']})" if row["risk_id"] else "")
        if (row["target_l"] is None) != (row["target_i"] is None):
            missing = "target_i" if row["target_i"] is None else "target_l"
            problems.add(where, missing, "is required when the other target rating is given",
                         expected="both target_l and target_i, or neither")
        worst = (matrix.band(row["residual_l"], row["residual_i"])
                 if row["residual_l"] is not None and row["residual_i"] is not None else None)
        if worst in ("High", "Critical") and not row["risk_owner"]:
            problems.add(where, "risk_owner", f"is required for a {worst} risk "
                         "(current residual band)", expected="the accountable person's name")
        if row["action_plan"] and not row["action_owner"] and row["status"] in OPEN_STATUSES:
            problems.add(where, "action_owner", "is required when an open risk has an "
                         "action plan", expected="who delivers the plan")
        if row["next_review"] and row["last_review"] and row["next_review"] < row["last_review"]:
            problems.add(where, "next_review", "is before last_review",
                         found=str(row["next_review"]), expected=f"a date after "
                         f"{row['last_review']}")
    problems.raise_if_any()
    return table


def _flat(table: pd.DataFrame) -> pd.DataFrame:
    """Lists joined with '; ', dates as ISO text: ready for CSV/XLSX."""
    out = table.copy()
    for f in REGISTER_FIELDS:
        if f.name not in out.columns:
            continue
        if f.kind == "choices":
            out[f.name] = out[f.name].map(
                lambda v: "; ".join(v) if isinstance(v, list) else ("" if is_blank(v) else v))
        elif f.kind == "date":
            out[f.name] = out[f.name].map(lambda v: v.isoformat() if isinstance(v, dt.date)
                                          else ("" if is_blank(v) else v))
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def save_register(register: RiskRegister | pd.DataFrame, path: str | Path, *,
                  computed: bool = False) -> Path:
    """Write a register to ``.csv``, ``.xlsx`` or ``.yaml``; the format follows the suffix.

    Fields come in :data:`REGISTER_FIELDS` order; empty fields are left out of
    YAML. With ``computed=True`` the assessed columns (bands, expected loss ...)
    are written too (they are ignored when read back). XLSX and YAML keep the
    FMEA sheet; YAML keeps the matrix.
    """
    reg = register if isinstance(register, RiskRegister) else RiskRegister(register)
    table = reg.assess() if computed else reg.risks
    cols = [c for c in table.columns if c in FIELD_NAMES or computed]
    table = table[cols]
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        write_atomic(path, _flat(table).to_csv(index=False))
    elif suffix == ".xlsx":
        buffer = io.BytesIO()
        with pd.ExcelWriter(buffer, engine="openpyxl") as xl:
            _flat(table).to_excel(xl, sheet_name="risks", index=False)
            if reg.fmea is not None:
                _flat(reg.fmea).to_excel(xl, sheet_name="fmea", index=False)
        write_atomic(path, buffer.getvalue())
    elif suffix in (".yaml", ".yml"):
        import yaml

        risks = [{k: _plain(v) for k, v in rec.items() if not is_blank(v)}
                 for rec in table.to_dict(orient="records")]
        doc: dict[str, Any] = {"risks": risks}
        if reg.matrix != DEFAULT_MATRIX:
            doc["matrix"] = reg.matrix.to_dict()
        if reg.fmea is not None:
            doc["fmea"] = [{k: _plain(v) for k, v in rec.items() if not is_blank(v)}
                           for rec in reg.fmea.to_dict(orient="records")]
        write_atomic(path, yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    else:
        raise ParameterError(f"{path}: unknown register format {suffix!r}; expected .csv, "
                             ".xlsx or .yaml")
    return path


def template_frame() -> pd.DataFrame:
    """The template table: every field as a column and one example row."""
    return pd.DataFrame([{f.name: f.example for f in REGISTER_FIELDS}],
                        columns=list(FIELD_NAMES))


def write_templates(folder: str | Path = "templates") -> list[Path]:
    """Write ``risk_register.csv`` and ``risk_register.xlsx`` from :data:`REGISTER_FIELDS`.

    Both hold the header and one example row; the XLSX adds a ``fields`` sheet
    describing each field (required or not, allowed values).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    example = template_frame()
    csv_path = folder / "risk_register.csv"
    example.to_csv(csv_path, index=False)
    xlsx_path = folder / "risk_register.xlsx"
    fields = pd.DataFrame({
        "field": [f.name for f in REGISTER_FIELDS],
        "required": ["yes" if f.required else "" for f in REGISTER_FIELDS],
        "expected": [f.expected() for f in REGISTER_FIELDS],
        "description": [f.description for f in REGISTER_FIELDS],
    })
    with pd.ExcelWriter(xlsx_path, engine="openpyxl") as xl:
        example.to_excel(xl, sheet_name="risks", index=False)
        fields.to_excel(xl, sheet_name="fields", index=False)
        DEFAULT_MATRIX.table().to_excel(xl, sheet_name="matrix")
    return [csv_path, xlsx_path]


# ---------------------------------------------------------------- assessment


def assess(risks: pd.DataFrame, matrix: RiskMatrix = DEFAULT_MATRIX) -> pd.DataFrame:
    """Bands, scores, expected annual loss, appetite and ranking for a validated register.

    Adds ``inherent_band``, ``residual_band``, ``target_band`` (None without a
    target), the L×I ``*_score`` (for reference only), ``frequency`` and
    ``cost`` used (the risk's own figures or the matrix midpoints of its
    residual L and I), ``eal_basis``, ``expected_annual_loss``,
    ``within_appetite`` (residual band ≤ appetite; None without an appetite),
    ``alarp`` (buyer-safety impact 5: treat regardless of appetite), and from
    :func:`rank_risks` ``rank``, ``rank_in_band`` and ``tie``.
    """
    out = risks.copy()
    for stage, (lc, ic) in {"inherent": ("inherent_l", "inherent_i"),
                            "residual": ("residual_l", "residual_i")}.items():
        li, ii = out[lc].astype(int), out[ic].astype(int)
        out[f"{stage}_band"] = matrix.band(li.to_numpy(), ii.to_numpy())
        out[f"{stage}_score"] = li * ii
    has_target = out["target_l"].notna() & out["target_i"].notna()
    out["target_band"] = None
    out["target_score"] = None
    if has_target.any():
        tl = out.loc[has_target, "target_l"].astype(int).to_numpy()
        ti = out.loc[has_target, "target_i"].astype(int).to_numpy()
        out.loc[has_target, "target_band"] = matrix.band(tl, ti)
        out.loc[has_target, "target_score"] = tl * ti
    mid_f = np.asarray(matrix.frequency_midpoints)[out["residual_l"].astype(int) - 1]
    mid_c = np.asarray(matrix.cost_midpoints)[out["residual_i"].astype(int) - 1]
    freq_given = out["annual_frequency"].notna()
    cost_given = out["impact_cost"].notna()
    out["frequency"] = np.where(freq_given, out["annual_frequency"].astype(float), mid_f)
    out["cost"] = np.where(cost_given, out["impact_cost"].astype(float), mid_c)
    out["eal_basis"] = np.select(
        [freq_given & cost_given, freq_given, cost_given],
        ["data", "frequency + impact band", "likelihood band + cost"],
        default="likelihood and impact bands")
    out["expected_annual_loss"] = out["frequency"] * out["cost"]
    order = {b: i for i, b in enumerate(BANDS)}
    appetite = out["appetite"].map(lambda a: order.get(a) if a else None)
    out["within_appetite"] = [None if a is None or (isinstance(a, float) and math.isnan(a))
                              else order[b] <= a
                              for a, b in zip(appetite, out["residual_band"], strict=True)]
    out["alarp"] = (out["impact_dimension"] == "buyers") & (out["inherent_i"].astype(int) == 5)
    return rank_risks(out)


def rank_risks(assessed: pd.DataFrame, *, band: str = "residual_band",
               loss: str = "expected_annual_loss") -> pd.DataFrame:
    """Order risks by band (Critical first), then expected loss inside the band.

    Adds ``rank`` (1 = worst), ``rank_in_band`` and ``tie`` (True when another
    risk in the same band has the same expected loss, so the order between them
    means nothing).
    """
    order = {b: i for i, b in enumerate(BANDS)}
    out = assessed.assign(_b=assessed[band].map(order))
    out = out.sort_values(["_b", loss, "risk_id"], ascending=[False, False, True],
                          kind="stable")
    out["rank"] = np.arange(1, len(out) + 1)
    out["rank_in_band"] = out.groupby("_b").cumcount() + 1
    key = out[loss].round(6)
    out["tie"] = out.assign(_k=key).duplicated(subset=["_b", "_k"], keep=False).to_numpy()
    return out.drop(columns="_b").reset_index(drop=True)


def simulate_losses(assessed: pd.DataFrame, *, runs: int = 10_000, seed: int = 0,
                    loss_cv: float = 1.0, quantiles: Sequence[float] = (0.5, 0.9, 0.95)
                    ) -> tuple[pd.Series, np.ndarray]:
    """Monte-Carlo annual loss of the whole register.

    Each risk has Poisson(``frequency``) events a year, each costing a
    lognormal amount with mean ``cost`` and coefficient of variation
    ``loss_cv`` [A]; risks are independent.

    Returns
    -------
    (pandas.Series, numpy.ndarray)
        ``mean`` and the requested quantiles (``p50``, ``p90``, ``p95``) of the
        yearly total, plus ``expected`` (Σ expected annual loss, the exact mean);
        and the simulated totals (one per run).
    """
    if runs < 1 or loss_cv < 0:
        raise ParameterError(f"runs {runs!r} / loss_cv {loss_cv!r}: expected runs ≥ 1, cv ≥ 0")
    freq = assessed["frequency"].to_numpy(dtype="float64")
    cost = assessed["cost"].to_numpy(dtype="float64")
    rng = np.random.default_rng(seed)
    counts = rng.poisson(freq[None, :], size=(runs, freq.size))
    sigma2 = math.log1p(loss_cv**2)
    mu = np.log(np.where(cost > 0, cost, 1.0)) - sigma2 / 2
    which = np.repeat(np.tile(np.arange(freq.size), runs), counts.ravel())
    run_of = np.repeat(np.repeat(np.arange(runs), freq.size), counts.ravel())
    draws = rng.lognormal(mu[which], math.sqrt(sigma2)) * (cost[which] > 0)
    totals = np.bincount(run_of, weights=draws, minlength=runs)
    summary = {"expected": float((freq * cost).sum()), "mean": float(totals.mean())}
    for q in quantiles:
        summary[f"p{round(q * 100):d}"] = float(np.quantile(totals, q))
    return pd.Series(summary), totals


def cell_ids(assessed: pd.DataFrame, stage: str = "residual") -> pd.DataFrame:
    """5×5 table of risk ids per cell (likelihood 5 at the top), for the matrix view."""
    lc, ic = {"inherent": ("inherent_l", "inherent_i"), "residual": ("residual_l", "residual_i"),
              "target": ("target_l", "target_i")}[stage]
    rated = assessed.dropna(subset=[lc, ic])
    grid = pd.DataFrame("", index=range(5, 0, -1), columns=range(1, 6))
    grid.index.name, grid.columns.name = "likelihood", "impact"
    for (li, ii), ids in rated.groupby([rated[lc].astype(int), rated[ic].astype(int)])[
            "risk_id"]:
        grid.at[li, ii] = ", ".join(ids)
    return grid


def action_plan(assessed: pd.DataFrame) -> pd.DataFrame:
    """Open action plans: id, title, band, plan, owner, due date, status; by due date."""
    cols = ["risk_id", "title", "residual_band", "target_band", "action_plan", "action_owner",
            "due_date", "status"]
    plans = assessed[assessed["action_plan"].notna() & (assessed["action_plan"] != "")]
    plans = plans.assign(_d=pd.to_datetime(plans["due_date"]))
    return plans.sort_values(["_d", "risk_id"], na_position="last")[cols].reset_index(drop=True)


def overdue_actions(risks: pd.DataFrame, today: dt.date | str | None = None) -> pd.DataFrame:
    """Risks whose action is past its due date and still open or in treatment.

    Returns risk_id, title, action_owner, risk_owner, due_date, status and
    ``days_overdue``, most overdue first.
    """
    day = dt.date.fromisoformat(today) if isinstance(today, str) else (today or dt.date.today())
    due = risks["due_date"]
    late = due.map(lambda d: isinstance(d, dt.date) and d < day) & risks["status"].isin(
        OPEN_STATUSES)
    out = risks.loc[late, ["risk_id", "title", "action_owner", "risk_owner", "due_date",
                           "status"]].copy()
    out["days_overdue"] = [(day - d).days for d in out["due_date"]]
    return out.sort_values(["days_overdue", "risk_id"], ascending=[False, True]).reset_index(
        drop=True)
