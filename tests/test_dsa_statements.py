"""Statements of reasons from the canonical log (modlean.dsa.mapping, .statements, .formats).

A hand-made log whose every statement field is known, the shipped mapping template, the
mapping's bad-input family (did-you-mean from the official lists), and an imported BPO export
(data/bpo_export.py) whose restriction counts are counted by hand from the vendor's rows.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from bpo_export import PROFILE, make_export

import modlean
from modlean.dsa import (
    build_statements,
    load_mapping,
    mapping_from_dict,
    read_dump,
    to_csv_text,
    to_jsonl_text,
    validate,
    vocabulary,
)
from modlean.errors import LogError, ParameterError

TEMPLATE = Path(__file__).parents[1] / "templates" / "dsa" / "mapping.yaml"

#: (case, market, item type, label, decision, content_posted_at, events: activity, time, who)
CASES = [
    ("A", "DE", "listing", "counterfeit", "reject", None,
     [("submitted", "2026-03-02T10:00:00Z", "seller"), ("auto_screen", "2026-03-02T10:00:05Z",
      "model"), ("auto_rejected", "2026-03-02T10:00:05Z", "model"),
      ("decision_sent", "2026-03-02T10:00:05Z", "system")]),
    ("B", "FR", "listing", "missing_gpsr_data", "reject", None,
     [("submitted", "2026-03-01T23:30:00Z", "seller"), ("auto_screen", "2026-03-01T23:30:05Z",
      "model"), ("queued_l1", "2026-03-01T23:30:05Z", "system"),
      ("review_l1", "2026-03-02T08:00:00Z", "r01"), ("decision_sent", "2026-03-02T08:00:00Z",
                                                      "system")]),
    ("C", "DE", "seller_onboarding", "missing_trader_data", "reject", None,
     [("submitted", "2026-03-02T09:00:00Z", "seller"), ("review_l1", "2026-03-04T09:00:00Z",
      "kyb01"), ("decision_sent", "2026-03-04T09:00:00Z", "system")]),
    ("D", "AT", "ipr_complaint", "image_theft", "reject", "2025-11-20",
     [("submitted", "2026-03-03T09:00:00Z", "rights_holder"),
      ("review_l1", "2026-03-03T12:00:00Z", "ipr01"),
      ("decision_sent", "2026-03-03T12:00:00Z", "system")]),
    ("E", "DE", "listing", None, "approve", None,
     [("submitted", "2026-03-02T10:00:00Z", "seller"), ("auto_screen", "2026-03-02T10:00:05Z",
      "model"), ("auto_approved", "2026-03-02T10:00:05Z", "model"),
      ("decision_sent", "2026-03-02T10:00:05Z", "system")]),
    ("F", "DE", "listing", "weird_label", "reject", None,
     [("submitted", "2026-03-02T10:00:00Z", "seller"), ("review_l1", "2026-03-02T11:00:00Z",
      "r02"), ("decision_sent", "2026-03-02T11:00:00Z", "system")]),
    ("G", "UK", "listing", "counterfeit", "reject", None,
     [("submitted", "2026-03-02T10:00:00Z", "seller"), ("review_l1", "2026-03-02T11:00:00Z",
      "r02"), ("decision_sent", "2026-03-02T11:00:00Z", "system")]),
    ("H", "DE", "ipr_complaint", "counterfeit", "reject", "2026-04-01",
     [("submitted", "2026-03-03T09:00:00Z", "rights_holder"),
      ("review_l1", "2026-03-03T12:00:00Z", "ipr01"),
      ("decision_sent", "2026-03-03T12:00:00Z", "system")]),
]


def hand_log() -> pd.DataFrame:
    rows = [{"case_id": case, "activity": act, "timestamp": when, "resource": who,
             "market": market, "item_type": item, "label": label, "decision": decision,
             "content_posted_at": posted}
            for case, market, item, label, decision, posted, events in CASES
            for act, when, who in events]
    return modlean.read_log(pd.DataFrame(rows))


@pytest.fixture(scope="module")
def result():
    return build_statements(hand_log(), load_mapping(TEMPLATE))


def by_case(result) -> dict[str, dict]:
    return {r["puid"]: r for r in result.statements.to_dict("records")}


def test_one_statement_per_restricted_case(result):
    assert result.restrictions == 7  # E was approved
    assert sorted(by_case(result)) == ["A", "B", "C", "D"]
    assert sorted(result.invalid["case_id"].unique()) == ["F", "G", "H"]


def test_an_automatic_rejection(result):
    a = by_case(result)["A"]
    assert a["automated_decision"] == "AUTOMATED_DECISION_FULLY"
    assert a["automated_detection"] == "Yes"
    assert a["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_REMOVED"]
    assert a["category"] == "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS"
    assert a["category_specification"] == ["KEYWORD_TRADEMARK_INFRINGEMENT"]
    assert a["content_type"] == ["CONTENT_TYPE_PRODUCT"]
    assert a["source_type"] == "SOURCE_VOLUNTARY"
    assert a["territorial_scope"] == ["DE"]
    assert (a["content_date"], a["application_date"]) == ("2026-03-02", "2026-03-02")
    assert a["decision_ground"] == "DECISION_GROUND_INCOMPATIBLE_CONTENT"
    assert a["incompatible_content_explanation"].startswith("The item infringes a trademark")


def test_a_person_after_the_model(result):
    b = by_case(result)["B"]
    assert b["automated_decision"] == "AUTOMATED_DECISION_NOT_AUTOMATED"  # the template's choice
    assert b["automated_detection"] == "Yes"
    assert (b["content_date"], b["application_date"]) == ("2026-03-01", "2026-03-02")
    assert b["category_specification"] == ["KEYWORD_UNSAFE_PRODUCTS"]
    assert b["territorial_scope"] == ["FR"]
    partial = mapping_from_dict(load_yaml_text(TEMPLATE) | {
        "automated": {"human_after_model": "AUTOMATED_DECISION_PARTIALLY"}})
    again = by_case(build_statements(hand_log(), partial))
    assert again["B"]["automated_decision"] == "AUTOMATED_DECISION_PARTIALLY"
    assert again["A"]["automated_decision"] == "AUTOMATED_DECISION_FULLY"


def test_a_seller_account(result):
    c = by_case(result)["C"]
    assert c["decision_provision"] == "DECISION_PROVISION_TOTAL_SUSPENSION"
    assert not isinstance(c.get("decision_visibility"), list)
    assert c["account_type"] == "ACCOUNT_TYPE_BUSINESS"
    assert c["content_type"] == ["CONTENT_TYPE_OTHER"]
    assert c["content_type_other"] == "Seller account application"
    assert (c["automated_detection"], c["automated_decision"]) == \
        ("No", "AUTOMATED_DECISION_NOT_AUTOMATED")
    assert c["category"] == "STATEMENT_CATEGORY_CONSUMER_INFORMATION"
    assert c["application_date"] == "2026-03-04"


def test_a_notice(result):
    d = by_case(result)["D"]
    assert d["source_type"] == "SOURCE_ARTICLE_16"
    assert d["automated_detection"] == "No"
    assert d["content_date"] == "2025-11-20"  # from the log's content_posted_at column
    assert d["category_specification"] == ["KEYWORD_COPYRIGHT_INFRINGEMENT"]


def test_invalid_statements_are_reported_not_written(result):
    rows = {(r["case_id"], r["field"]): r for r in result.invalid.to_dict("records")}
    # F's label is unknown: no category, and no explanation (the label would give it)
    assert set(rows) == {("F", "category"), ("F", "incompatible_content_explanation"),
                         ("G", "territorial_scope"), ("H", "application_date")}
    assert rows["F", "category"]["value"] == "weird_label"
    assert rows["G", "territorial_scope"]["value"] == "UK"
    assert "content_date" in rows["H", "application_date"]["expected"]
    assert result.summary() == {"restrictions": 7, "valid": 4, "invalid": 3, "invalid_by_field": {
        "application_date": 1, "category": 1, "incompatible_content_explanation": 1,
        "territorial_scope": 1}, "placeholders": ["defaults.decision_ground_reference_url"]}


def test_a_log_without_restrictions_gives_no_statements():
    log = hand_log().assign(decision="approve")
    out = build_statements(log, load_mapping(TEMPLATE))
    assert out.summary() == {"restrictions": 0, "valid": 0, "invalid": 0,
                             "invalid_by_field": {},
                             "placeholders": ["defaults.decision_ground_reference_url"]}
    assert to_csv_text(out.statements).split("\r\n") == [",".join(vocabulary().columns), ""]
    assert to_jsonl_text(out.statements) == ""


def test_a_log_without_labels_reports_the_missing_category():
    out = build_statements(hand_log().drop(columns=["label"]), load_mapping(TEMPLATE))
    assert out.statements.empty and out.restrictions == 7
    assert set(out.invalid.loc[out.invalid["field"] == "category", "case_id"]) == set("ABCDFGH")


def test_a_missing_posting_date_column_invalidates_only_its_item_type():
    log = hand_log().drop(columns=["content_posted_at"])
    out = build_statements(log, load_mapping(TEMPLATE))
    missing = out.invalid[out.invalid["field"] == "content_date"]
    assert sorted(missing["case_id"]) == ["D", "H"]
    assert "content_posted_at" in missing["expected"].iloc[0]
    assert sorted(by_case(out)) == ["A", "B", "C"]


def test_source_type_from_a_log_column():
    log = hand_log()
    log["report_source"] = log["case_id"].map({"A": "proactive", "B": "trusted_flagger",
                                               "C": "mystery"})
    mapping = mapping_from_dict(load_yaml_text(TEMPLATE) | {"source": {
        "column": "report_source", "values": {"proactive": "SOURCE_VOLUNTARY",
                                              "trusted_flagger": "SOURCE_TRUSTED_FLAGGER"}}})
    out = build_statements(log, mapping)
    assert by_case(out)["B"]["source_type"] == "SOURCE_TRUSTED_FLAGGER"
    assert by_case(out)["D"]["source_type"] == "SOURCE_ARTICLE_16"  # empty in the column
    bad = out.invalid[out.invalid["case_id"] == "C"]
    assert list(bad["field"]) == ["source_type"] and list(bad["value"]) == ["mystery"]


def test_territorial_scope_per_market():
    mapping = mapping_from_dict(load_yaml_text(TEMPLATE) | {
        "territorial_scope": {"DE": "EU", "FR": ["FR", "BE"], "AT": ["AT"], "UK": ["DE"]}})
    out = by_case(build_statements(hand_log(), mapping))
    assert len(out["A"]["territorial_scope"]) == 27
    assert out["B"]["territorial_scope"] == ["FR", "BE"]


def load_yaml_text(path: Path) -> dict:
    from modlean.yamlread import load_yaml
    return load_yaml(path.read_text(encoding="utf-8"), text_only=True)


# --- the mapping's bad input -------------------------------------------------------------


def test_the_template_loads_with_text_kept_as_text():
    mapping = load_mapping(TEMPLATE)
    assert mapping.item_types["seller_onboarding"]["automated_detection"] == "No"
    assert set(mapping.item_types) == {"listing", "content", "seller_onboarding", "ipr_complaint"}
    for fields in mapping.labels.values():
        assert fields["category"] in vocabulary().allowed("category")


@pytest.mark.parametrize("change,message", [
    ({"item_types": {"listing": {"decision_visibility": ["DECISION_VISIBILITY_CONTENT_REMOVD"]}}},
     "item_types.listing.decision_visibility: found 'DECISION_VISIBILITY_CONTENT_REMOVD'; "
     "expected one of"),
    ({"item_types": {"listing": {"decision_visibility": ["DECISION_VISIBILITY_CONTENT_REMOVD"]}}},
     "did you mean 'DECISION_VISIBILITY_CONTENT_REMOVED'?"),
    ({"labels": {"x": {"category": "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE"}}},
     "now 'STATEMENT_CATEGORY_OTHER_VIOLATION_TC'"),
    ({"labels": {"x": {"categry": "STATEMENT_CATEGORY_VIOLENCE"}}},
     "labels.x.categry: unknown key; expected one of"),
    ({"territorial_scope": {"UK": ["UK"]}}, "territorial_scope.UK: found 'UK'"),
    ({"automated": {"human_after_model": "PARTIALLY"}},
     "did you mean 'AUTOMATED_DECISION_PARTIALLY'?"),
    ({"source": {"column": "s", "values": {"x": "SOURCE_ARTICLE16"}}},
     "did you mean 'SOURCE_ARTICLE_16'?"),
    ({"deciding_activitees": ["x"]}, "did you mean 'deciding_activities'?"),
])
def test_bad_mappings_are_refused_with_the_official_list(change, message):
    with pytest.raises(ParameterError) as info:
        mapping_from_dict(change, "m.yaml")
    assert message in str(info.value)
    assert str(info.value).startswith("m.yaml")


def test_bad_mapping_files(tmp_path):
    with pytest.raises(ParameterError, match="no such DSA mapping file"):
        load_mapping(tmp_path / "nope.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("labels: [\n")
    with pytest.raises(ParameterError, match=r"broken\.yaml.*not valid YAML"):
        load_mapping(broken)
    twice = tmp_path / "twice.yaml"
    twice.write_text("platform_name: a\nplatform_name: b\n")
    with pytest.raises(ParameterError, match=r"twice\.yaml"):
        load_mapping(twice)


def test_a_log_without_the_needed_columns_names_the_table_and_columns():
    log = hand_log().drop(columns=["item_type", "resource"])
    with pytest.raises(LogError) as info:
        build_statements(log, load_mapping(TEMPLATE), source="de.csv")
    text = str(info.value)
    assert text.startswith("de.csv: ") and "'statements of reasons'" in text
    assert "item_type, resource or pool" in text


def test_no_deciding_activity_in_the_log():
    mapping = mapping_from_dict(load_yaml_text(TEMPLATE) | {"deciding_activities": ["decided"]})
    with pytest.raises(LogError, match=r"none of the mapping's deciding_activities \(decided\)"):
        build_statements(hand_log(), mapping)


# --- output ----------------------------------------------------------------------------


def test_csv_in_the_database_column_order_reads_back_valid(result):
    text = to_csv_text(result.statements, "Example Marketplace")
    assert text.splitlines()[0].split(",") == list(vocabulary().columns)
    assert "\r\n" in text
    back = read_dump(io.StringIO(text))
    assert len(back) == 4 and validate(back).empty
    assert back.loc[0, "platform_name"] == "Example Marketplace"
    assert back.loc[0, "puid"] == "A" and back.loc[0, "uuid"] == ""


def test_json_lines_are_api_batches(result):
    lines = to_jsonl_text(result.statements, batch_size=3).splitlines()
    bodies = [json.loads(line) for line in lines]
    assert [len(b["statements"]) for b in bodies] == [3, 1]
    first = bodies[0]["statements"][0]
    assert first["puid"] == "A" and "case_id" not in first and "uuid" not in first
    assert "decision_account" not in first  # empty fields are left out
    assert validate(pd.DataFrame([s for b in bodies for s in b["statements"]])).empty


# --- an imported BPO export ------------------------------------------------------------

BPO_MAPPING = {
    "platform_name": "DE shop",
    "deciding_activities": ["auto_screen", "review_l1", "review_l2", "review_ipr"],
    "defaults": {"decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
                 "incompatible_content_ground": "Terms, section 4",
                 "decision_facts": "Reviewed against the listing policy.",
                 "decision_visibility": ["DECISION_VISIBILITY_CONTENT_REMOVED"],
                 "content_type": ["CONTENT_TYPE_PRODUCT"]},
    "item_types": {"listing": {"source_type": "SOURCE_VOLUNTARY"},
                   "ipr": {"source_type": "SOURCE_VOLUNTARY"}},
    "labels": {
        "COUNTERFEIT": {"category": "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
                        "incompatible_content_explanation": "Counterfeit."},
        "IP_TRADEMARK": {"category": "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
                         "incompatible_content_explanation": "Trademark."},
        "PROHIBITED_ITEM": {"category": "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS",
                            "incompatible_content_explanation": "Prohibited."},
        "MISLEADING": {"category": "STATEMENT_CATEGORY_CONSUMER_INFORMATION",
                       "incompatible_content_explanation": "Misleading."},
    },
}


def test_statements_from_an_imported_bpo_export(tmp_path):
    export = make_export(300, seed=3)
    path = export.write(tmp_path / "export.csv")
    profile = tmp_path / "profile.yaml"
    profile.write_text(PROFILE)
    log = modlean.import_export(path, profile).log
    out = build_statements(log, mapping_from_dict(BPO_MAPPING))

    # by hand, from the vendor's own rows: a ticket's first rejecting verdict outside appeals
    tasks = export.tasks.assign(root=export.truth["root"])
    rejects = tasks[(tasks["verdict"] == "REJECT") & (tasks["queue"] != "APPEALS-DE")]
    first = rejects.sort_values("closed").drop_duplicates("root")
    assert out.restrictions == len(first) > 20
    assert out.invalid.empty and len(out.statements) == len(first)
    fully = first["queue"].eq("AUTO").sum()
    counts = out.statements["automated_decision"].value_counts()
    assert counts["AUTOMATED_DECISION_FULLY"] == fully > 0
    assert counts["AUTOMATED_DECISION_NOT_AUTOMATED"] == len(first) - fully
    assert set(out.statements["automated_detection"]) == {"Yes"}  # the model screens all
    days = first.set_index("root")["closed"].dt.tz_convert("UTC").dt.strftime("%Y-%m-%d")
    got = out.statements.set_index("puid")["application_date"]
    assert got.to_dict() == days.to_dict()
    assert set(out.statements["territorial_scope"].map(tuple)) == {("DE",)}


def test_a_mapping_still_citing_the_templates_example_terms_is_named_and_warned():
    from modlean.eventlog import LogWarning

    mapping = load_mapping(TEMPLATE)
    assert mapping.placeholders() == ["defaults.decision_ground_reference_url"]
    with pytest.warns(LogWarning, match="example address"):
        build_statements(hand_log(), mapping)
    own = mapping_from_dict({**yaml.safe_load(TEMPLATE.read_text(encoding="utf-8")),
                             "defaults": {"decision_ground_reference_url":
                                          "https://shop.de/agb#4"}})
    assert own.placeholders() == []
