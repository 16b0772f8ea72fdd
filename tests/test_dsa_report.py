"""The transparency report (modlean.dsa.report*): a hand-made log whose every figure is worked out
below, each not-supported path, bad input, the CLI, and an imported BPO export counted by hand
from the vendor's own rows.

The hand log, period 2026-03-01 to 2026-03-31 (UTC days). Source from ``report_source``
(buyer_report: Art. 16 notice, trusted_flagger, blank: the item type's SOURCE_VOLUNTARY).
Ground: the template's terms and conditions, except the label ``prohibited_item`` (illegal).

  notices  N1 buyer   counterfeit  received 03-02 10:00, rejected 14:00         4 h
           N2 buyer   (no action)  received 03-03 08:00, approved 18:00        10 h
           N3 TF      prohibited   received 03-04 09:00, rejected 10:00         1 h  (illegal)
           N4 TF      counterfeit  received 03-05 09:00, rejected 12:00         3 h
           N5 buyer   (undecided)  received 03-30 20:00
           N6 buyer   counterfeit  received 02-27 (before the period): not counted
  own      O1 listing counterfeit  model rejects 03-06            solely automated, detected
           O2 listing missing_gpsr model screens, r01 rejects 03-07  detected, not automated
           O3 listing prohibited   r01 rejects 03-08, seller S1     (illegal, a strike)
           O4 seller  prohibited   r02 suspends 03-20, seller S1    (Art. 23: S1's 2nd strike)
           O5 seller  prohibited   r02 suspends 03-21, seller S2    (first strike: not Art. 23)
           O6 listing weird_label  r01 rejects 03-09                (no category in the mapping)
           O7 listing counterfeit  model rejects 04-02              (after the period)
           O8 listing              model approves 03-10
           O9 listing counterfeit  model rejects 03-11              solely automated
           O10 listing             model approves 03-12
  complaints  on O1 filed 03-06 12:00, upheld 20:00 (8 h); on O4 filed 03-21 09:00,
              reversed 03-22 09:00 (24 h); on N2 (notice not acted on) filed 03-04 10:00,
              restriction imposed 12:00 (2 h); on O3 filed 03-31, open; on O8 filed 03-15
              10:00, decided 11:00 (1 h): no restriction and no notice, total only.
  QA (automated decisions): O1 reject/QA reject (TP), O9 reject/QA approve (FP), O8 approve/
      QA approve (TN), O10 approve/QA reject (FN); and one human check (N1), left out.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from bpo_export import PROFILE, make_export
from test_dsa_statements import BPO_MAPPING, TEMPLATE

import modlean
from modlean.cli import main
from modlean.dsa import (
    category_rows,
    mapping_from_dict,
    report_html,
    transparency_report,
    vocabulary,
)
from modlean.errors import LogError, ParameterError
from modlean.quality import read_qa

D = "2026-03-"
#: (case, item type, label, source, seller, final decision, events: activity, time, who, decision)
CASES = [
    ("N1", "listing", "counterfeit", "buyer_report", "", [
        ("submitted", D + "02T10:00", "buyer", None),
        ("review_l1", D + "02T14:00", "r01", "reject"),
        ("decision_sent", D + "02T14:00", "system", "reject")]),
    ("N2", "listing", None, "buyer_report", "", [
        ("submitted", D + "03T08:00", "buyer", None),
        ("review_l1", D + "03T18:00", "r01", "approve"),
        ("decision_sent", D + "03T18:00", "system", "approve"),
        ("appeal_filed", D + "04T10:00", "buyer", None),
        ("appeal_decided", D + "04T12:00", "system", "reject")]),
    ("N3", "listing", "prohibited_item", "trusted_flagger", "S3", [
        ("submitted", D + "04T09:00", "flagger", None),
        ("review_l1", D + "04T10:00", "r01", "reject"),
        ("decision_sent", D + "04T10:00", "system", "reject")]),
    ("N4", "listing", "counterfeit", "trusted_flagger", "", [
        ("submitted", D + "05T09:00", "flagger", None),
        ("review_l1", D + "05T12:00", "r02", "reject"),
        ("decision_sent", D + "05T12:00", "system", "reject")]),
    ("N5", "listing", None, "buyer_report", "", [("submitted", D + "30T20:00", "buyer", None)]),
    ("N6", "listing", "counterfeit", "buyer_report", "", [
        ("submitted", "2026-02-27T09:00", "buyer", None),
        ("decision_sent", D + "01T09:00", "system", "reject")]),
    ("O1", "listing", "counterfeit", "", "", [
        ("submitted", D + "06T09:00", "seller", None),
        ("auto_screen", D + "06T09:00:05", "model", "reject"),
        ("decision_sent", D + "06T09:00:05", "system", "reject"),
        ("appeal_filed", D + "06T12:00", "seller", None),
        ("appeal_decided", D + "06T20:00", "system", "reject")]),
    ("O2", "listing", "missing_gpsr_data", "", "", [
        ("submitted", D + "07T09:00", "seller", None),
        ("auto_screen", D + "07T09:00:05", "model", "escalate"),
        ("review_l1", D + "07T11:00", "r01", "reject"),
        ("decision_sent", D + "07T11:00", "system", "reject")]),
    ("O3", "listing", "prohibited_item", "", "S1", [
        ("submitted", D + "08T09:00", "seller", None),
        ("review_l1", D + "08T10:00", "r01", "reject"),
        ("decision_sent", D + "08T10:00", "system", "reject"),
        ("appeal_filed", D + "31T10:00", "seller", None)]),
    ("O4", "seller_account", "prohibited_item", "", "S1", [
        ("submitted", D + "20T09:00", "system", None),
        ("review_l1", D + "20T10:00", "r02", "reject"),
        ("decision_sent", D + "20T10:00", "system", "reject"),
        ("appeal_filed", D + "21T09:00", "seller", None),
        ("appeal_decided", D + "22T09:00", "system", "approve")]),
    ("O5", "seller_account", "prohibited_item", "", "S2", [
        ("submitted", D + "21T09:00", "system", None),
        ("review_l1", D + "21T10:00", "r02", "reject"),
        ("decision_sent", D + "21T10:00", "system", "reject")]),
    ("O6", "listing", "weird_label", "", "", [
        ("submitted", D + "09T09:00", "seller", None),
        ("review_l1", D + "09T10:00", "r01", "reject"),
        ("decision_sent", D + "09T10:00", "system", "reject")]),
    ("O7", "listing", "counterfeit", "", "", [
        ("submitted", "2026-04-02T09:00", "seller", None),
        ("auto_screen", "2026-04-02T09:00:05", "model", "reject"),
        ("decision_sent", "2026-04-02T09:00:05", "system", "reject")]),
    ("O8", "listing", None, "", "", [
        ("submitted", D + "10T09:00", "seller", None),
        ("auto_screen", D + "10T09:00:05", "model", "approve"),
        ("decision_sent", D + "10T09:00:05", "system", "approve"),
        ("appeal_filed", D + "15T10:00", "seller", None),
        ("appeal_decided", D + "15T11:00", "system", "approve")]),
    ("O9", "listing", "counterfeit", "", "", [
        ("submitted", D + "11T09:00", "seller", None),
        ("auto_screen", D + "11T09:00:05", "model", "reject"),
        ("decision_sent", D + "11T09:00:05", "system", "reject")]),
    ("O10", "listing", None, "", "", [
        ("submitted", D + "12T09:00", "seller", None),
        ("auto_screen", D + "12T09:00:05", "model", "approve"),
        ("decision_sent", D + "12T09:00:05", "system", "approve")]),
]
QA_ROWS = [("O1", "model", "reject", "reject"), ("O9", "model", "reject", "approve"),
           ("O8", "model", "approve", "approve"), ("O10", "model", "approve", "reject"),
           ("N1", "r01", "reject", "approve")]


def hand_log() -> pd.DataFrame:
    rows = [{"case_id": case, "activity": act, "timestamp": when + "Z", "resource": who,
             "market": "DE", "item_type": item, "label": label, "decision": decision,
             "report_source": source or None, "seller_id": seller or None}
            for case, item, label, source, seller, events in CASES
            for act, when, who, decision in events]
    return modlean.read_log(pd.DataFrame(rows))


def hand_mapping(**changes: object):
    data = yaml.safe_load(TEMPLATE.read_text())
    data["source"] = {"column": "report_source", "values": {
        "buyer_report": "SOURCE_ARTICLE_16", "trusted_flagger": "SOURCE_TRUSTED_FLAGGER"}}
    data["item_types"]["seller_account"] = {
        "decision_account": "DECISION_ACCOUNT_SUSPENDED", "account_type": "ACCOUNT_TYPE_BUSINESS",
        "content_type": ["CONTENT_TYPE_OTHER"], "content_type_other": "Seller account",
        "source_type": "SOURCE_VOLUNTARY", "decision_facts": "Repeated prohibited items."}
    data["labels"]["prohibited_item"].update(
        decision_ground="DECISION_GROUND_ILLEGAL_CONTENT",
        illegal_content_legal_ground="Product safety law", illegal_content_explanation="x")
    data.update(changes)
    return mapping_from_dict(data)


def hand_qa() -> pd.DataFrame:
    return read_qa(pd.DataFrame(QA_ROWS, columns=["case_id", "reviewer", "decision",
                                                  "qa_decision"]))


@pytest.fixture(scope="module")
def report():
    return transparency_report(hand_log(), hand_mapping(), "2026-03-01", "2026-03-31",
                               qa=hand_qa())


def row(table: pd.DataFrame, label: str) -> pd.Series:
    """The row of part 4, 5 or 6 labelled ``label`` (a category or a keyword listed once)."""
    hits = table[table.iloc[:, 3] == label]
    assert len(hits) == 1, label
    return hits.iloc[0]


def value(report, indicator: str, scope: str, part: str = "7_appeals_and_recidivism"):
    table = report.tables[part]
    hit = table[(table["Indicator"].str.strip() == indicator)
                & (table["Scope"].str.strip() == scope)]
    assert len(hit) == 1, (indicator, scope)
    return hit.iloc[0]


N = "Number of notices received "
TF = "Number of notices received from Trusted flaggers"
MEDIAN = "Median time to take action"
MEDIAN_TF = "Median time to take action (Trusted Flagger notices)"
LAW = "Number of actions taken on the basis of the law"
TERMS = "Number of actions taken on the basis of the terms and conditions of the service"


def test_notices_by_category_source_and_median(report):
    t = report.tables["4_notices"]
    total = t.iloc[0]
    assert total["Category of illegal content"] == "TOTAL"
    assert (total[N], total[TF]) == (5, 2)          # N1-N5; N3, N4 from trusted flaggers
    assert total[MEDIAN] == 3.5                     # median of 4, 10, 1, 3 h (N5 undecided)
    assert total[MEDIAN_TF] == 2.0                  # median of 1, 3 h
    assert (total[LAW], total[LAW + " (Trusted Flagger notices)"]) == (1, 1)   # N3
    assert (total[TERMS], total[TERMS + " (Trusted Flagger notices)"]) == (2, 1)  # N1, N4
    assert "hours" in total["Contextual information on " + MEDIAN]
    ipr = row(t, "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS")
    assert (ipr[N], ipr[TF], ipr[MEDIAN], ipr[TERMS]) == (2, 1, 3.5, 2)
    mark = row(t, "KEYWORD_TRADEMARK_INFRINGEMENT")
    assert (mark[N], mark[MEDIAN_TF]) == (2, 3.0)
    unsafe = row(t, "KEYWORD_PROHIBITED_PRODUCTS")
    assert (unsafe[N], unsafe[TF], unsafe[MEDIAN], unsafe[LAW]) == (1, 1, 1.0, 1)
    none = row(t, "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE")
    assert (none[N], none[MEDIAN]) == (2, 10.0)     # N2 and N5, only N2 decided
    assert row(t, "STATEMENT_CATEGORY_ANIMAL_WELFARE")[N] == 0
    assert pd.isna(row(t, "STATEMENT_CATEGORY_ANIMAL_WELFARE")[MEDIAN])
    assert set(t["Reporting period"]) == {"2026-03-01/2026-03-31"}
    assert set(t["Service"]) == {"Example Marketplace"}


OWN, AUTO = ("Number of measures taken at the provider's own initiative ",
             "Number of measures taken after detection with solely automated means ")


def test_own_initiative_measures_by_ground_category_and_kind(report):
    terms = report.tables["6_own_initiative_TC"]
    total = terms.iloc[0]
    # O1, O2, O6, O9 (O7 is after the period, O8 and O10 approved); the model saw O1, O2, O9
    assert (total[OWN], total[AUTO], total["Visibility restriction Removal"]) == (4, 3, 4)
    assert total["Account restriction Suspension"] == 0
    assert (row(terms, "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS")[OWN],
            row(terms, "KEYWORD_TRADEMARK_INFRINGEMENT")[OWN],
            row(terms, "KEYWORD_UNSAFE_PRODUCTS")[OWN]) == (2, 2, 1)
    illegal = report.tables["5_own_initiative_illegal"]
    total = illegal.iloc[0]
    assert (total[OWN], total[AUTO]) == (3, 0)      # O3, O4, O5, all by people
    assert (total["Visibility restriction Removal"], total["Account restriction Suspension"]) \
        == (1, 2)
    assert row(illegal, "KEYWORD_PROHIBITED_PRODUCTS")[OWN] == 3
    assert "STATEMENT_CATEGORY_OTHER_VIOLATION_TC" not in set(illegal.iloc[:, 3])
    assert "STATEMENT_CATEGORY_OTHER_VIOLATION_TC" in set(terms.iloc[:, 3])


def test_complaints_outcomes_and_median(report):
    sub = "Number of complaints submitted to the internal-complaints mechanism"
    assert value(report, sub, "Total number")["Value"] == 5
    assert value(report, sub, "Decisions upheld")["Value"] == 1      # O1
    assert value(report, sub, "Decisions reversed")["Value"] == 2    # O4, N2
    assert value(report, sub, "Median time")["Value"] == 5.0         # median of 8, 24, 2, 1 h
    assert value(report, "Number of restrictions newly imposed as a result of an internal "
                 "complaint", "Total number")["Value"] == 1          # N2
    vis = ("Complaint regarding a decision to remove or disable access to or restrict "
           "visibility of information")
    assert [value(report, vis, s)["Value"] for s in
            ("Total number", "Decisions upheld", "Decisions reversed", "Median time")] == \
        [2, 1, 0, 8.0]                                               # O1 (8 h), O3 open
    acc = "Complaint regarding a decision to suspend or terminate an account"
    assert [value(report, acc, s)["Value"] for s in
            ("Total number", "Decisions reversed", "Median time")] == [1, 1, 24.0]
    art16 = ("Complaint regarding a decision not to take action on a notice submitted in "
             "accordance with Article 16")
    assert [value(report, art16, s)["Value"] for s in
            ("Total number", "Decisions reversed", "Median time")] == [1, 1, 2.0]
    assert value(report, sub, "Decisions partially reversed")["Value"] is None


def test_article_23_suspensions_from_the_strike_history(report):
    got = value(report, "Number of suspensions enacted for the provision of manifestly "
                "illegal content", "Total number")
    assert got["Value"] == 1                          # O4: S1 had O3; O5's seller S2 had none
    assert "earlier illegal-content restriction" in got["Contextual Information"]


def wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def test_automated_means_counts_and_qa_accuracy(report):
    part = "8_automated_means"
    solely = "Number of measures solely taken by automated means"
    assert value(report, solely, "Total number", part)["Value"] == 2     # O1, O9
    assert value(report, "Number of measures not taken by automated means", "Total number",
                 part)["Value"] == 9         # N1 N3 N4, N6 (decided 03-01), O2-O6
    assert value(report, solely, "Own-initiative", part)["Value"] == 2
    assert value(report, "Number of measures not taken by automated means", "Own-initiative",
                 part)["Value"] == 5
    assert value(report, "Number of notices not processed by automated means", "NAM Total",
                 part)["Value"] == 4                                     # N1-N4 decided
    precision = value(report, "Accuracy of the automated means - Precision", "Total number",
                      part)
    assert precision["Value"] == 0.5                  # O1 right, O9 wrong (the human N1 left out)
    low, high = wilson(1, 2)
    assert f"{low:.4f} to {high:.4f}" in precision["Contextual Information"]
    # appeal-based: O1 upheld, O9 never appealed -> 2 of 2 stand: 1.0, an upper bound
    assert "is 1.0000, an upper bound" in precision["Contextual Information"]
    assert value(report, "Accuracy of the automated means - Recall", "Total number",
                 part)["Value"] == 0.5                # O1 found, O10 missed
    accuracy = value(report, "Accuracy of the automated means - Accuracy", "Total number", part)
    assert accuracy["Value"] == 0.5 and "from 4 QA checks" in accuracy["Contextual Information"]


def reasons(report) -> list[str]:
    return [f"{r.table} | {r.row} | {r.column} | {r.reason}"
            for r in report.not_supported.itertuples()]


def test_what_the_log_cannot_show_is_empty_and_listed(report):
    listed = "\n".join(reasons(report))
    assert "how many items a notifier named" in listed
    assert report.tables["4_notices"].iloc[:, 7].isna().all()   # items per notice: empty
    assert "1 notices received in the period have no decision" in listed          # N5
    assert "1 restrictions are counted in TOTAL only" in listed and "weird_label" in listed
    assert "never a partial reversal" in listed
    assert "closed without a decision" in listed
    assert "1 complaints are in the total only" in listed                           # O8
    assert "out-of-court disputes" in listed
    assert "manifestly unfounded" in listed
    # the NAM scopes have no QA check of an automated decision on a notice
    assert "NAM Total" in listed and "no check of an automated decision" in listed
    disputes = report.tables["7_appeals_and_recidivism"]
    assert disputes[disputes["Section"] == "Out-of-court dispute settlement bodies"][
        "Value"].isna().all()


def test_unsupported_without_qa_seller_or_automated_approvals():
    log = hand_log().drop(columns=["seller_id"])
    plain = transparency_report(log, hand_mapping(), "2026-03-01", "2026-03-31")
    listed = "\n".join(reasons(plain))
    assert "no QA table was given" in listed
    assert "no seller column ('seller_id'" in listed
    assert value(plain, "Number of suspensions enacted for the provision of manifestly "
                 "illegal content", "Total number")["Value"] is None
    only_rejects = hand_qa().iloc[[0, 1]]
    again = transparency_report(hand_log(), hand_mapping(), "2026-03-01", "2026-03-31",
                                qa=only_rejects)
    assert "no automated approvals" in "\n".join(reasons(again))
    assert value(again, "Accuracy of the automated means - Recall", "Total number",
                 "8_automated_means")["Value"] is None
    assert value(again, "Accuracy of the automated means - Precision", "Total number",
                 "8_automated_means")["Value"] == 0.5


def test_the_template_rows_and_labels():
    rows = category_rows("notices")
    assert rows["row"].iloc[0] == "TOTAL"
    assert rows["row"].iloc[-1] == "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE"
    assert len(category_rows("illegal")) == 1 + 14 + 61 + 14  # TOTAL, categories, keywords, OTHER
    allowed = set(vocabulary().allowed("category_specification")) | {"KEYWORD_OTHER"}
    categories = set(vocabulary().allowed("category"))
    for _, r in category_rows("terms").iloc[1:].iterrows():
        assert r["category"] in categories
        assert r["row"] in allowed | categories, r["row"]


def test_csv_files_are_rfc_4180_with_the_template_header(report):
    texts = report.csv_texts()
    assert sorted(texts) == ["4_notices.csv", "5_own_initiative_illegal.csv",
                             "6_own_initiative_TC.csv", "7_appeals_and_recidivism.csv",
                             "8_automated_means.csv", "not_supported.csv"]
    notices = texts["4_notices.csv"]
    assert notices.startswith('Applicability,Service,Reporting period,Category of illegal '
                              'content,"Description of the sub-category ""Other""",Number of '
                              "notices received ,")
    assert "\r\n" in notices and "\n" not in notices.replace("\r\n", "")
    back = pd.read_csv(io.StringIO(texts["7_appeals_and_recidivism.csv"]), dtype=str,
                       keep_default_na=False)
    assert back.iloc[0]["Value"] == "5"              # an int, not 5.0
    html = report_html(report)
    assert "2026-03-01/2026-03-31" in html and "hours" in html
    assert "Not supported by the log" in html and "weird_label" in html


def test_a_log_without_the_needed_columns_names_the_tables():
    log = hand_log().drop(columns=["decision", "resource"])
    with pytest.raises(LogError) as info:
        transparency_report(log, hand_mapping(), "2026-03-01", "2026-03-31", source="x.csv")
    text = str(info.value)
    assert "the table '4_notices' needs the columns decision" in text
    assert "the table '8_automated_means' needs the columns decision, resource or pool" in text
    assert "x.csv" in text


@pytest.mark.parametrize("start,end,message", [
    ("2026-03-41", "2026-03-31", "--from: found '2026-03-41'; expected a day as YYYY-MM-DD"),
    ("2026-03-01", "2026-02-01", "--to 2026-02-01 is before --from 2026-03-01"),
    ("2026-03-01T10:00", "2026-03-31", "expected a day"),
])
def test_a_bad_period_is_refused(start, end, message):
    with pytest.raises(ParameterError, match=message):
        transparency_report(hand_log(), hand_mapping(), start, end)


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path, Path]:
    log = tmp_path / "events.csv"
    hand_log().to_csv(log, index=False)
    mapping = tmp_path / "mapping.yaml"
    data = yaml.safe_load(TEMPLATE.read_text())
    mapping.write_text(json.dumps(data))
    qa = tmp_path / "qa.csv"
    pd.DataFrame(QA_ROWS, columns=["case_id", "reviewer", "decision", "qa_decision"]).to_csv(
        qa, index=False)
    return log, mapping, qa


def test_cli_writes_every_part_and_prints_a_summary(files, tmp_path, capsys):
    log, _, qa = files
    mapping = tmp_path / "hand.yaml"
    m = hand_mapping()
    data = yaml.safe_load(TEMPLATE.read_text())
    data["source"] = {"column": "report_source", "values": dict(m.source_values)}
    mapping.write_text(json.dumps(data))
    out = tmp_path / "out"
    assert main(["dsa", "report", str(log), "--mapping", str(mapping), "--from", "2026-03-01",
                 "--to", "2026-03-31", "--qa", str(qa), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "notices received: 5" in printed and "complaints: 5, reversed 2" in printed
    assert "not supported by the log" in printed
    assert sorted(p.name for p in out.iterdir()) == [
        "4_notices.csv", "5_own_initiative_illegal.csv", "6_own_initiative_TC.csv",
        "7_appeals_and_recidivism.csv", "8_automated_means.csv", "not_supported.csv",
        "report.html"]
    assert main(["dsa", "report", str(log), "--mapping", str(mapping), "--from", "2026-03-01",
                 "--to", "2026-03-31", "--out", str(tmp_path / "o2"), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["notices"] == 5 and summary["complaints_reversed"] == 2


def test_cli_help_explains_each_part(capsys):
    with pytest.raises(SystemExit):
        main(["dsa", "report", "--help"])
    out = capsys.readouterr().out
    for word in ("4_notices", "own_initiative", "7_appeals_and_recidivism",
                 "8_automated_means", "not_supported.csv", "Wilson", "upper bound"):
        assert word in out, word


@pytest.mark.parametrize("change,args,message", [
    ("drop", [], "the table '4_notices' needs the columns decision"),
    ("", ["--from", "2026-13-01"], "--from: found '2026-13-01'"),
    ("", ["--qa", "missing.csv"], "missing.csv"),
])
def test_cli_bad_input_exits_2_and_writes_nothing(files, tmp_path, capsys, change, args,
                                                  message):
    log, mapping, _ = files
    if change == "drop":
        pd.read_csv(log).drop(columns=["decision"]).to_csv(log, index=False)
    base = {"--from": "2026-03-01", "--to": "2026-03-31"}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    base["--qa"] = str(tmp_path / base["--qa"]) if "--qa" in base else None
    argv = ["dsa", "report", str(log), "--mapping", str(mapping), "--out", str(tmp_path / "o")]
    argv += [x for k, v in base.items() if v is not None for x in (k, v)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_report_of_an_imported_bpo_export(tmp_path):
    export = make_export(400, seed=7)
    path = export.write(tmp_path / "export.csv")
    (tmp_path / "profile.yaml").write_text(PROFILE)
    intake = modlean.import_export(path, tmp_path / "profile.yaml")
    got = transparency_report(intake.log, mapping_from_dict(BPO_MAPPING), "2026-03-01",
                              "2026-03-31", qa=read_qa(intake.qa))

    # by hand, from the vendor's own rows: a ticket's first rejecting verdict outside appeals
    tasks = export.tasks.assign(root=export.truth["root"])
    rejects = tasks[(tasks["verdict"] == "REJECT") & (tasks["queue"] != "APPEALS-DE")]
    first = rejects.sort_values("closed").drop_duplicates("root")
    solely = int(first["queue"].eq("AUTO").sum())
    part = "8_automated_means"
    assert value(got, "Number of measures solely taken by automated means", "Total number",
                 part)["Value"] == solely > 0
    assert value(got, "Number of measures not taken by automated means", "Total number",
                 part)["Value"] == len(first) - solely
    terms = got.tables["6_own_initiative_TC"].iloc[0]
    assert terms[OWN] == len(first) and terms["Visibility restriction Removal"] == len(first)
    assert terms[AUTO] == len(first)                  # the model screens every listing
    appeals = tasks[tasks["queue"] == "APPEALS-DE"]
    sub = "Number of complaints submitted to the internal-complaints mechanism"
    assert value(got, sub, "Total number")["Value"] == len(appeals) > 5
    assert value(got, sub, "Decisions upheld")["Value"] == int(appeals["verdict"].eq(
        "REJECT").sum())
    assert value(got, sub, "Decisions reversed")["Value"] == int(appeals["verdict"].eq(
        "APPROVE").sum())
    hours = (appeals["closed"] - appeals["created"]).dt.total_seconds() / 3600
    assert value(got, sub, "Median time")["Value"] == round(float(hours.median()), 2)
    assert got.tables["4_notices"].iloc[0][N] == 0    # the mapping names no notice source
    # QA checked only people's decisions: the accuracy of automated means is not known
    listed = "\n".join(reasons(got))
    assert "no check of an automated decision" in listed
