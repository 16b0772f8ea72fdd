"""The database's rules for one statement of reasons, checked on a whole table at once.

:func:`validate` takes statements in the submission API's shape (one row per
statement; text fields as text, ``""`` when empty; list fields as lists) and
returns one row per problem: the statement's row, the field, the value found and
what was expected. The rules are those of the Commission's
``app/Http/Requests/StatementStoreRequest.php`` and
``resources/markdown/api-documentation.md`` (transparency-database at 69e80a0):

- enums: every value from the database's list (:mod:`modlean.dsa.vocabulary`); a
  category or keyword of the taxonomy used before 1 July 2025 is named as such,
  with its successor;
- required: decision_ground, category, content_type, content_date,
  application_date, decision_facts, source_type, automated_detection,
  automated_decision, puid; and at least one of the four restrictions
  (``required_without_all``);
- required if: the ``*_other`` texts when OTHER is chosen, the legal ground and
  explanation of the decision's ground;
- lengths (500, 2000 or 5000 characters), puid ``^[a-zA-Z0-9-_]+$``, EAN-13 as
  13 digits;
- dates ``YYYY-MM-DD``: content_date from 2000-01-01, application_date from
  2020-01-01, both until 2038-01-01; restriction end dates not before the
  application date;
- modlean's own rule: application_date not before content_date (a decision
  cannot apply to content before it was posted).
"""

from __future__ import annotations

import pandas as pd

from modlean.dsa.vocabulary import LIST_FIELDS, expected_values, vocabulary

__all__ = ["MAX_LENGTH", "PROBLEM_COLUMNS", "REQUIRED", "REQUIRED_IF", "RESTRICTIONS",
           "to_current_taxonomy", "validate"]

#: Columns of the table :func:`validate` returns.
PROBLEM_COLUMNS = ["row", "field", "value", "expected"]

REQUIRED = ("decision_ground", "category", "content_type", "content_date", "application_date",
            "decision_facts", "source_type", "automated_detection", "automated_decision", "puid")
#: At least one of these must be given (``required_without_all`` on each).
RESTRICTIONS = ("decision_visibility", "decision_monetary", "decision_provision",
                "decision_account")
#: ``(field, required when this field, holds this value)``.
REQUIRED_IF = (
    ("decision_visibility_other", "decision_visibility", "DECISION_VISIBILITY_OTHER"),
    ("decision_monetary_other", "decision_monetary", "DECISION_MONETARY_OTHER"),
    ("content_type_other", "content_type", "CONTENT_TYPE_OTHER"),
    ("illegal_content_legal_ground", "decision_ground", "DECISION_GROUND_ILLEGAL_CONTENT"),
    ("illegal_content_explanation", "decision_ground", "DECISION_GROUND_ILLEGAL_CONTENT"),
    ("incompatible_content_ground", "decision_ground", "DECISION_GROUND_INCOMPATIBLE_CONTENT"),
    ("incompatible_content_explanation", "decision_ground",
     "DECISION_GROUND_INCOMPATIBLE_CONTENT"),
)
MAX_LENGTH = {
    "decision_visibility_other": 500, "decision_monetary_other": 500,
    "decision_ground_reference_url": 500, "illegal_content_legal_ground": 500,
    "illegal_content_explanation": 2000, "incompatible_content_ground": 500,
    "incompatible_content_explanation": 2000, "category_specification_other": 500,
    "content_type_other": 500, "decision_facts": 5000, "source_identity": 500, "puid": 500,
}
#: ``(field, earliest, latest)`` of the dates, as ``YYYY-MM-DD`` text (None: no bound).
DATE_BOUNDS = (
    ("content_date", "2000-01-01", "2038-01-01"),
    ("application_date", "2020-01-01", "2038-01-01"),
    ("end_date_account_restriction", None, "2038-01-01"),
    ("end_date_monetary_restriction", None, "2038-01-01"),
    ("end_date_service_restriction", None, "2038-01-01"),
    ("end_date_visibility_restriction", None, "2038-01-01"),
)
PATTERNS = {"puid": (r"^[a-zA-Z0-9_-]+$", "letters, digits, '-' and '_' only (no spaces)"),
            "content_id_ean": (r"^[0-9]{13}$", "an EAN-13 code: 13 digits")}
_DATE = r"^\d{4}-\d{2}-\d{2}$"


def _text(table: pd.DataFrame, field: str) -> pd.Series:
    """A text field as strings, ``""`` where empty or absent."""
    if field not in table:
        return pd.Series("", index=table.index, dtype=object)
    return table[field].fillna("").astype(str)


def _items(table: pd.DataFrame, field: str) -> pd.Series:
    """A list field exploded: one row per value, indexed by the statement's row."""
    if field not in table:
        return pd.Series([], dtype=object)
    values = table[field].map(lambda v: list(v) if isinstance(v, list | tuple) else
                              ([] if v is None or v == "" or v != v else [v]))
    return values.explode().dropna()


def _problems(mask: pd.Series, field: str, values: pd.Series, expected: str | pd.Series,
              ) -> pd.DataFrame:
    """The rows where ``mask`` holds as problem rows."""
    rows = mask[mask].index
    exp = expected[rows] if isinstance(expected, pd.Series) else expected
    return pd.DataFrame({"row": rows, "field": field,
                         "value": values[rows].astype(str).to_numpy(), "expected": exp})


def _enum_problems(table: pd.DataFrame, field: str) -> pd.DataFrame:
    allowed = vocabulary().allowed(field)
    values = _items(table, field) if field in LIST_FIELDS else _text(table, field)
    bad = values[(values != "") & ~values.isin(allowed)]
    if bad.empty:
        return pd.DataFrame(columns=PROBLEM_COLUMNS)
    bad = bad[~bad.index.duplicated()]  # the first bad value of a row is enough
    expected = bad.map(lambda v: expected_values(field, v))  # per distinct value, few
    return pd.DataFrame({"row": bad.index, "field": field, "value": bad.to_numpy(),
                         "expected": expected.to_numpy()})


def _empty(table: pd.DataFrame, field: str) -> pd.Series:
    """True where a field has no value (a list field: no item)."""
    if field in LIST_FIELDS:
        return pd.Series(~table.index.isin(_items(table, field).index), index=table.index)
    return _text(table, field) == ""


def validate(table: pd.DataFrame) -> pd.DataFrame:
    """Every rule broken by every statement: ``row`` (the table's index), field, value, expected.

    An empty result means every statement would pass the database's checks.
    """
    found: list[pd.DataFrame] = []
    for field in vocabulary().values:
        found.append(_enum_problems(table, field))
    for field in REQUIRED:
        found.append(_problems(_empty(table, field), field, pd.Series("", index=table.index),
                               "a value (required)"))
    none = pd.Series(True, index=table.index)
    for field in RESTRICTIONS:
        none &= _empty(table, field)
    found.append(_problems(none, "decision_visibility", pd.Series("", index=table.index),
                           "at least one restriction: decision_visibility, decision_monetary, "
                           "decision_provision or decision_account"))
    for field, when, value in REQUIRED_IF:
        holds = (_items(table, when) == value).groupby(level=0).any() if when in LIST_FIELDS \
            else _text(table, when) == value
        holds = holds.reindex(table.index, fill_value=False)
        found.append(_problems(holds & (_text(table, field) == ""), field, _text(table, field),
                               f"a text when {when} is {value} (required)"))
    for field, limit in MAX_LENGTH.items():
        text = _text(table, field)
        found.append(_problems(text.str.len() > limit, field, text.str.slice(0, 40) + "...",
                               f"at most {limit} characters"))
    for field, (pattern, words) in PATTERNS.items():
        text = _text(table, field)
        found.append(_problems((text != "") & ~text.str.match(pattern), field, text, words))
    found.extend(_date_problems(table))
    out = pd.concat([f for f in found if not f.empty] or [pd.DataFrame(columns=PROBLEM_COLUMNS)],
                    ignore_index=True)
    return out.sort_values(["row", "field"], kind="stable", ignore_index=True)


def _date_problems(table: pd.DataFrame) -> list[pd.DataFrame]:
    """Date format and bounds; end dates and content_date against the application date."""
    found = []
    application = _text(table, "application_date")
    for field, earliest, latest in DATE_BOUNDS:
        text = _text(table, field)
        given = text != ""
        form = given & ~text.str.match(_DATE)
        found.append(_problems(form, field, text, "a date as YYYY-MM-DD"))
        ok = given & ~form  # ISO dates compare as text
        if earliest:
            found.append(_problems(ok & (text < earliest), field, text,
                                   f"a date on or after {earliest}"))
        found.append(_problems(ok & (text > latest), field, text, f"a date on or before {latest}"))
        if field.startswith("end_date"):
            found.append(_problems(ok & (application != "") & (text < application), field, text,
                                   "a date on or after the application_date"))
    content = _text(table, "content_date")
    later = (content != "") & (application != "") & (application < content)
    found.append(_problems(later, "application_date", application,
                           "a date on or after the content_date (modlean's rule: a decision "
                           "cannot apply before the content was posted)"))
    return found


def to_current_taxonomy(table: pd.DataFrame) -> pd.DataFrame:
    """A copy with v1 categories and keywords (before 1 July 2025) renamed to their v2 names.

    The names come from the correspondence table of the database's API documentation.
    A v1 value without a v2 counterpart (``STATEMENT_CATEGORY_PORNOGRAPHY_OR_SEXUALIZED_CONTENT``)
    is kept, so :func:`validate` reports it instead of a guessed category.
    """
    vocab = vocabulary()
    out = table.copy()
    renames = {field: {old: new for old, new in vocab.v1_to_v2[field].items() if new}
               for field in vocab.v1_to_v2}
    if "category" in out:
        out["category"] = out["category"].replace(renames["category"])
    for field, names in (("category_addition", renames["category"]),
                         ("category_specification", renames["category_specification"])):
        if field in out:
            items = _items(out, field).replace(names)
            out[field] = items.groupby(level=0).agg(list).reindex(out.index).map(
                lambda v: v if isinstance(v, list) else [])
    return out
