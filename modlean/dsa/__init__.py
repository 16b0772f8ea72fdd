"""EU Digital Services Act reporting from the canonical log: statements of reasons.

The database's vocabulary ships as data (``vocabulary.yaml``, read by
``vocabulary``); a workbook-owned mapping (``mapping``) says how modlean's
decisions become statement fields; ``statements`` builds one statement per
restricted case and ``rules`` checks each against the database's rules;
``formats`` writes the database's CSV and the submission API's JSON and reads
the public dumps back. docs/dsa.md explains each field's source in the log.

Other subpackages import these names from here, not from the modules inside.
"""

from __future__ import annotations

from modlean.dsa.formats import BATCH_SIZE, read_dump, to_csv_text, to_jsonl_text
from modlean.dsa.mapping import STATEMENT_KEYS, Mapping, load_mapping, mapping_from_dict
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
    "PROBLEM_COLUMNS",
    "STATEMENT_KEYS",
    "Mapping",
    "Statements",
    "Vocabulary",
    "build_statements",
    "expected_values",
    "load_mapping",
    "mapping_from_dict",
    "read_dump",
    "required_columns",
    "to_csv_text",
    "to_current_taxonomy",
    "to_jsonl_text",
    "unknown_value",
    "validate",
    "vocabulary",
]
