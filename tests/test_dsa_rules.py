"""The DSA Transparency Database's vocabulary and field rules (modlean.dsa.vocabulary, .rules).

Real rows of the database's dumps (tests/fixtures/dsa/, from the shantay project's fixtures;
data (c) European Union, CC BY 4.0) are read back and re-validated; every rule is then broken
one at a time on a valid statement and must be reported on its field.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from modlean.dsa import (
    API_FIELDS,
    LIST_FIELDS,
    read_dump,
    to_current_taxonomy,
    unknown_value,
    validate,
    vocabulary,
)
from modlean.dsa.rules import MAX_LENGTH, REQUIRED, REQUIRED_IF

FIXTURES = Path(__file__).parent / "fixtures" / "dsa"
NEW = FIXTURES / "sor-global-2025-07-01-rows.csv"
OLD = FIXTURES / "sor-global-2024-03-14-rows.csv"


def test_vocabulary_holds_the_official_lists():
    vocab = vocabulary()
    assert vocab.source.endswith("69e80a0bc8eb3cbfbe8246e898194c3bdf490a4b")
    assert len(vocab.allowed("category")) == 16
    assert len(vocab.allowed("category_specification")) == 69
    assert len(vocab.allowed("content_type")) == 8
    assert vocab.allowed("source_type") == ("SOURCE_ARTICLE_16", "SOURCE_TRUSTED_FLAGGER",
                                            "SOURCE_TYPE_OTHER_NOTIFICATION", "SOURCE_VOLUNTARY")
    assert vocab.allowed("automated_detection") == ("Yes", "No")
    assert len(vocab.allowed("territorial_scope")) == 30 and "NO" in vocab.allowed(
        "territorial_scope") and "UK" not in vocab.allowed("territorial_scope")
    assert len(vocab.scopes["EU"]) == 27
    assert vocab.multi == {"decision_visibility", "content_type", "category_addition",
                           "category_specification", "territorial_scope"}
    # the dump's 38 columns, the fixture's header in the same order
    assert list(vocab.columns) == list(pd.read_csv(NEW, nrows=0).columns)
    assert "puid" in API_FIELDS and "uuid" not in API_FIELDS


def test_v1_to_v2_names_are_current_values():
    vocab = vocabulary()
    for field, pairs in vocab.v1_to_v2.items():
        for old, new in pairs.items():
            assert old in vocab.v1[field] and old not in vocab.allowed(field)
            assert new is None or new in vocab.allowed(field)
    # KEYWORD_DANGEROUS_TOYS left the list on 1 July 2025
    assert vocab.to_v2("category_specification", "KEYWORD_DANGEROUS_TOYS") == (True, None)
    assert vocab.to_v2("category", "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE") == \
        (True, "STATEMENT_CATEGORY_OTHER_VIOLATION_TC")
    assert vocab.to_v2("category", "STATEMENT_CATEGORY_VIOLENCE") == (False, None)


def test_unknown_value_suggests_the_closest_official_value():
    assert unknown_value("decision_ground", "DECISION_GROUND_ILLEGAL_CONTENT") is None
    expected = unknown_value("decision_visibility", "DECISION_VISIBILITY_CONTENT_REMOVD")
    assert "did you mean 'DECISION_VISIBILITY_CONTENT_REMOVED'" in expected
    assert "UK" not in unknown_value("territorial_scope", "UK")


def test_real_rows_of_the_new_schema_pass():
    rows = read_dump(NEW)
    assert len(rows) == 3 and list(rows["puid"])[1] == "ad-5f6d8e2f-7fe0-41bb-b75e-ce579d751892"
    assert rows.loc[0, "content_date"] == "2025-06-30"
    assert rows.loc[1, "content_type"] == ["CONTENT_TYPE_OTHER"]
    assert validate(rows).empty


def test_real_rows_of_the_old_schema_need_the_new_taxonomy():
    rows = read_dump(OLD)
    assert "content_id_ean" not in rows  # the 2024 dumps lack the column
    problems = validate(rows)
    assert list(problems["field"]) == ["category", "category"]
    assert "now 'STATEMENT_CATEGORY_OTHER_VIOLATION_TC'" in problems.loc[1, "expected"]
    upgraded = to_current_taxonomy(rows)
    assert upgraded.loc[1, "category"] == "STATEMENT_CATEGORY_OTHER_VIOLATION_TC"
    left = validate(upgraded)
    assert list(left["row"]) == [0]  # Pinterest's category has no successor: reported
    assert left.loc[0, "value"] == "STATEMENT_CATEGORY_PORNOGRAPHY_OR_SEXUALIZED_CONTENT"
    assert "no successor" in left.loc[0, "expected"]


def test_old_keywords_are_renamed():
    table = pd.DataFrame({"category_specification": [
        ["KEYWORD_INSUFFICIENT_INFORMATION_TRADERS", "KEYWORD_DANGEROUS_TOYS"], []]})
    out = to_current_taxonomy(table)
    assert out.loc[0, "category_specification"] == ["KEYWORD_INSUFFICIENT_INFORMATION_ON_TRADERS",
                                                    "KEYWORD_DANGEROUS_TOYS"]
    assert out.loc[1, "category_specification"] == []


def valid() -> dict:
    """A statement that passes every rule (the API documentation's example, trimmed)."""
    return {
        "decision_visibility": ["DECISION_VISIBILITY_CONTENT_DISABLED"],
        "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
        "incompatible_content_ground": "Terms, section 4",
        "incompatible_content_explanation": "Counterfeit goods are not allowed.",
        "category": "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
        "category_specification": ["KEYWORD_TRADEMARK_INFRINGEMENT"],
        "content_type": ["CONTENT_TYPE_PRODUCT"],
        "content_date": "2026-03-01", "application_date": "2026-03-02",
        "territorial_scope": ["DE"],
        "decision_facts": "Reviewed after a model flag.",
        "source_type": "SOURCE_VOLUNTARY", "automated_detection": "Yes",
        "automated_decision": "AUTOMATED_DECISION_NOT_AUTOMATED", "puid": "DE-100001",
    }


def fields_broken(**changes) -> list[str]:
    row = valid() | changes
    return sorted(set(validate(pd.DataFrame([row]))["field"]))


def test_the_valid_statement_passes():
    assert validate(pd.DataFrame([valid()])).empty


ENUMS = sorted(vocabulary().values)


@pytest.mark.parametrize("field", ENUMS)
def test_a_value_outside_the_official_list_is_reported(field):
    bad = ["NOT_A_VALUE"] if field in LIST_FIELDS else "NOT_A_VALUE"
    assert fields_broken(**{field: bad}) == [field]


@pytest.mark.parametrize("field", REQUIRED)
def test_a_missing_required_field_is_reported(field):
    empty = [] if field in LIST_FIELDS else ""
    assert fields_broken(**{field: empty}) == [field]


def test_at_least_one_restriction():
    assert fields_broken(decision_visibility=[]) == ["decision_visibility"]
    assert fields_broken(decision_visibility=[],
                         decision_account="DECISION_ACCOUNT_SUSPENDED") == []


@pytest.mark.parametrize("field,when,value", REQUIRED_IF)
def test_required_if(field, when, value):
    changes = {when: [value] if when in LIST_FIELDS else value}
    if field.startswith("illegal"):  # the other illegal-content text is given
        other = {"illegal_content_legal_ground", "illegal_content_explanation"} - {field}
        changes |= {o: "x" for o in other}
    assert field in fields_broken(**changes, **{field: ""})
    assert field not in fields_broken(**changes, **{field: "given"})
    if when == "decision_ground":  # not required under the other ground
        other = next(g for g in vocabulary().allowed("decision_ground") if g != value)
        assert field not in fields_broken(**{when: other, field: ""})


@pytest.mark.parametrize("field,limit", sorted(MAX_LENGTH.items()))
def test_length_limits(field, limit):
    text = "a" * (limit + 1)
    assert field in fields_broken(**{field: text})
    assert field not in fields_broken(**{field: "a" * limit})


def test_puid_and_ean_patterns():
    assert fields_broken(puid="DE 100001") == ["puid"]
    assert fields_broken(content_id_ean="123") == ["content_id_ean"]
    assert fields_broken(content_id_ean="0123456789123") == []


def test_date_rules():
    assert fields_broken(content_date="01.03.2026") == ["content_date"]
    assert fields_broken(content_date="1999-12-31") == ["content_date"]
    assert fields_broken(application_date="2019-12-31", content_date="2019-01-01") == \
        ["application_date"]
    assert fields_broken(application_date="2038-01-02") == ["application_date"]
    assert fields_broken(end_date_visibility_restriction="2026-03-01") == \
        ["end_date_visibility_restriction"]
    assert fields_broken(end_date_visibility_restriction="2026-04-01") == []
    # modlean's rule: a decision cannot apply before the content was posted
    problems = validate(pd.DataFrame([valid() | {"content_date": "2026-03-05"}]))
    assert list(problems["field"]) == ["application_date"]
    assert "content_date" in problems.loc[0, "expected"]


def test_problems_name_row_value_and_expectation():
    rows = pd.DataFrame([valid(), valid() | {"source_type": "SOURCE_VOLUNTARI"}])
    problems = validate(rows)
    assert problems.to_dict("records") == [{
        "row": 1, "field": "source_type", "value": "SOURCE_VOLUNTARI",
        "expected": "one of SOURCE_ARTICLE_16, SOURCE_TRUSTED_FLAGGER, "
                    "SOURCE_TYPE_OTHER_NOTIFICATION, SOURCE_VOLUNTARY; did you mean "
                    "'SOURCE_VOLUNTARY'?"}]
