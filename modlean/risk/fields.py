"""The register's fields, defined once, and the templates made from them (DOMAIN §1.5).

:data:`REGISTER_FIELDS` drives validation (:mod:`modlean.risk.register`), the
column order of written files and :func:`write_templates`, which makes
``templates/risk_register.{csv,xlsx}``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from modlean.risk.matrix import BANDS, DEFAULT_MATRIX
from modlean.risk.records import Field

__all__ = [
    "DSA_CATEGORIES",
    "EFFECTIVENESS",
    "EVIDENCE_MEASURES",
    "FIELD_NAMES",
    "IMPACT_DIMENSIONS",
    "MAX_ANNUAL_FREQUENCY",
    "MAX_IMPACT_COST",
    "OPEN_STATUSES",
    "PROCESS_AREAS",
    "REGISTER_FIELDS",
    "STAKEHOLDERS",
    "STATUSES",
    "TREATMENTS",
    "template_frame",
    "write_templates",
]

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
#: Measures a workbook computes from a market's data, for a risk's ``evidence`` field: the
#: QA rates per decision (modlean.quality.decision_quality) and the share of simulated
#: surges that miss the SLA target (docs/workbook.md).
EVIDENCE_MEASURES = ("qa:false_rejection_rate", "qa:label_error_rate", "qa:miss_rate",
                     "qa:error_rate", "simulation:p_sla_missed_in_surge")
#: Upper bounds of a register's numbers (docs/risk.md, "Bounds").
MAX_ANNUAL_FREQUENCY = 1e6
MAX_IMPACT_COST = 1e12
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
    Field("annual_frequency", "number", low=0, high=MAX_ANNUAL_FREQUENCY,
          why="a million events a year, one every 30 seconds, is a process volume, not a risk "
          "event; a larger figure is a typo",
          description="Expected events per year (current controls)", example=6),
    Field("impact_cost", "number", low=0, high=MAX_IMPACT_COST,
          why="a trillion EUR per event is above any company's value; a larger figure is a typo",
          description="Mean cost per event in EUR", example=250000),
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
    Field("evidence", "choice", choices=EVIDENCE_MEASURES,
          description="A measure the workbook computes from the market's data; it replaces "
          "the stated residual likelihood", example="qa:false_rejection_rate"),
    Field("rationale", "text", description="Why these ratings; evidence",
          example="QA Q1: 12 misses in 1,000 sampled brand listings"),
    Field("date_identified", "date", example="2026-01-15"),
    Field("last_review", "date", example="2026-03-01"),
    Field("next_review", "date", example="2026-06-01"),
    Field("linked_fmea_ids", "choices", example="F-01"),
    Field("linked_bowtie_id", "text", example="BT-01"),
)
FIELD_NAMES = tuple(f.name for f in REGISTER_FIELDS)


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

