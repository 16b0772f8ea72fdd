"""EU Digital Services Act reporting from the canonical log: statements of reasons, the report.

The database's vocabulary ships as data (``vocabulary.yaml``, read by
``vocabulary``); a workbook-owned mapping (``mapping``) says how modlean's
decisions become statement fields; ``statements`` builds one statement per
restricted case and ``rules`` checks each against the database's rules;
``formats`` writes the database's CSV and the submission API's JSON and reads
the public dumps back. ``report`` fills the harmonised transparency report's
quantitative parts (Implementing Regulation (EU) 2024/2835, Annex I, labels in
``annex.yaml``) and ``report_html`` shows them. docs/dsa.md explains each field's source in the log.

Other subpackages import these names from here, not from the modules inside.
"""

from __future__ import annotations

from modlean.dsa.annex import annex, category_rows
from modlean.dsa.formats import BATCH_SIZE, read_dump, to_csv_text, to_jsonl_text
from modlean.dsa.mapping import STATEMENT_KEYS, Mapping, load_mapping, mapping_from_dict
from modlean.dsa.report import (
    NOT_SUPPORTED_COLUMNS,
    PARTS,
    TransparencyReport,
    report_columns,
    report_period,
    transparency_report,
)
from modlean.dsa.report_html import report_html
from modlean.dsa.rules import PROBLEM_COLUMNS, to_current_taxonomy, validate
from modlean.dsa.statements import ISSUE_COLUMNS, Statements, build_statements, required_columns
from modlean.dsa.vocabulary import (
    API_FIELDS,
    LIST_FIELDS,
    Vocabulary,
    expected_values,
    unknown_value,
    vocabulary,
)

__all__ = [
    "API_FIELDS",
    "BATCH_SIZE",
    "ISSUE_COLUMNS",
    "LIST_FIELDS",
    "NOT_SUPPORTED_COLUMNS",
    "PARTS",
    "PROBLEM_COLUMNS",
    "STATEMENT_KEYS",
    "Mapping",
    "Statements",
    "TransparencyReport",
    "Vocabulary",
    "annex",
    "build_statements",
    "category_rows",
    "expected_values",
    "load_mapping",
    "mapping_from_dict",
    "read_dump",
    "report_columns",
    "report_html",
    "report_period",
    "required_columns",
    "to_csv_text",
    "to_current_taxonomy",
    "to_jsonl_text",
    "transparency_report",
    "unknown_value",
    "validate",
    "vocabulary",
]
