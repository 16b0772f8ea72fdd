"""modlean.risk.register: the matrix of DOMAIN §7, register IO and validation, expected loss."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from modlean.errors import ParameterError, RegisterError
from modlean.risk import (
    DEFAULT_MATRIX,
    REGISTER_FIELDS,
    RiskMatrix,
    assess,
    cell_ids,
    impact_from_cost,
    likelihood_from_frequency,
    likelihood_from_probability,
    likelihood_from_rate,
    likelihood_level,
    load_register,
    overdue_actions,
    save_register,
    simulate_losses,
    template_frame,
    write_templates,
)

# DOMAIN §7 grid, likelihood 5 at the top, impact 1..5 across
DOMAIN_GRID = {5: "MHHCC", 4: "LMHHC", 3: "LMMHH", 2: "LLMMH", 1: "LLLMM"}
NAMES = {"L": "Low", "M": "Medium", "H": "High", "C": "Critical"}


def test_default_matrix_is_domain_grid_cell_by_cell():
    for li, row in DOMAIN_GRID.items():
        for ii, letter in enumerate(row, start=1):
            assert DEFAULT_MATRIX.band(li, ii) == NAMES[letter], (li, ii)


def test_overrides_apply_on_a_custom_grid():
    flat = RiskMatrix(grid=("LLLLL",) * 5)
    assert flat.band(1, 4) == "Medium"                 # I4 with L1 raised to M
    assert [flat.band(li, 5) for li in range(1, 6)] == ["Low"] + ["High"] * 4  # I5, L≥2 ≥ H
    assert flat.band(5, 3) == "Low"
    none = RiskMatrix(grid=("LLLLL",) * 5, overrides=())
    assert none.band(5, 5) == "Low"


def test_matrix_from_dict_validates():
    m = RiskMatrix.from_dict({"grid": ["LLLLL"] * 5, "overrides": [
        {"at_least": "Critical", "impact_min": 5, "likelihood_min": 5}]})
    assert m.band(5, 5) == "Critical" and m.band(4, 5) == "Low"
    with pytest.raises(ParameterError, match="unknown key"):
        RiskMatrix.from_dict({"colour": 1})
    with pytest.raises(ParameterError, match="5 rows of 5 letters"):
        RiskMatrix.from_dict({"grid": ["LLL"]})


def test_likelihood_anchors():
    rates = [5e-7, 5e-6, 5e-5, 5e-4, 2e-3]
    assert likelihood_from_rate(rates).tolist() == [1, 2, 3, 4, 5]
    assert likelihood_from_rate(1e-3) == 5 and likelihood_from_rate(0.99e-3) == 4
    assert likelihood_from_frequency([0.1, 0.5, 2, 12, 60]).tolist() == [1, 2, 3, 4, 5]
    # P(breach in a week) = 0.5 -> −ln(0.5)·365/7 = 36 a year -> monthly..weekly: 4
    assert likelihood_from_probability(0.5) == 4
    assert likelihood_from_probability(0.9) == 5
    assert likelihood_from_probability(0.0) == 1
    assert likelihood_level(rate_per_decision=5e-6, per_year=12) == 4  # the higher
    assert impact_from_cost([5e3, 5e4, 5e5, 5e6, 5e7]).tolist() == [1, 2, 3, 4, 5]
    with pytest.raises(ParameterError, match="between 0 and 1"):
        likelihood_from_probability(1.5)


@pytest.fixture
def sample(root):
    return load_register(root / "data" / "risk_register.yaml")


def test_sample_register_loads_and_assesses(sample):
    assert 12 <= len(sample.risks) <= 20
    a = sample.assess()
    r02 = a.set_index("risk_id").loc["R-02"]
    assert (r02["inherent_band"], r02["residual_band"]) == ("Critical", "High")  # L2 I5 -> H
    assert r02["expected_annual_loss"] == pytest.approx(0.5 * 12_000_000)
    assert r02["alarp"]
    assert sample.fmea is not None and set(sample.fmea["ap"]) <= {"H", "M", "L"}
    grid = cell_ids(a, "residual")
    assert "R-02" in grid.at[2, 5]


def _risk(rid, l=3, i=3, **kw):  # noqa: E741
    row = {"risk_id": rid, "title": f"risk {rid}", "process_area": "qa", "inherent_l": l,
           "inherent_i": i, "residual_l": l, "residual_i": i, "status": "open",
           "risk_owner": "owner"}
    row.update(kw)
    return row


def _register(tmp_path, rows, name="r.csv"):
    path = tmp_path / name
    frame = pd.DataFrame(rows)
    if name.endswith(".csv"):
        frame.to_csv(path, index=False)
    elif name.endswith(".xlsx"):
        frame.to_excel(path, index=False, sheet_name="risks")
    else:
        import yaml
        path.write_text(yaml.safe_dump({"risks": rows}))
    return path


def test_expected_loss_ranking_and_ties(tmp_path):
    rows = [_risk("A", 4, 3, annual_frequency=2, impact_cost=100_000),   # H, 200k
            _risk("B", 4, 3, annual_frequency=4, impact_cost=50_000),    # H, 200k: tie
            _risk("C", 4, 4, annual_frequency=1, impact_cost=50_000),    # H, 50k
            _risk("D", 5, 5, annual_frequency=0.1, impact_cost=1e6),     # C, 100k
            _risk("E", 1, 1)]                                            # L, anchors
    a = load_register(_register(tmp_path, rows)).assess()
    assert a["risk_id"].tolist() == ["D", "A", "B", "C", "E"]
    assert a.set_index("risk_id")["tie"].to_dict() == {"D": False, "A": True, "B": True,
                                                       "C": False, "E": False}
    e = a.set_index("risk_id").loc["E"]
    assert e["expected_annual_loss"] == pytest.approx(0.2 * 5_000)  # L1 and I1 midpoints
    assert e["eal_basis"] == "likelihood and impact bands"
    assert a.set_index("risk_id").loc["C", "rank_in_band"] == 3


def test_monte_carlo_is_seeded_and_centred(tmp_path):
    rows = [_risk("A", 4, 3, annual_frequency=5, impact_cost=100_000),
            _risk("B", 2, 4, annual_frequency=0.5, impact_cost=2_000_000)]
    a = load_register(_register(tmp_path, rows)).assess()
    s1, t1 = simulate_losses(a, runs=20_000, seed=7)
    _, t2 = simulate_losses(a, runs=20_000, seed=7)
    assert np.array_equal(t1, t2)
    assert s1["expected"] == pytest.approx(1_500_000)
    assert s1["mean"] == pytest.approx(1_500_000, rel=0.05)
    assert s1["p50"] < s1["p90"] < s1["p95"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".yaml"])
def test_round_trip(sample, tmp_path, suffix):
    path = save_register(sample, tmp_path / f"reg{suffix}")
    back = load_register(path)
    cols = [f.name for f in REGISTER_FIELDS]
    pd.testing.assert_frame_equal(back.risks[cols].reset_index(drop=True),
                                  sample.risks[cols].reset_index(drop=True), check_dtype=False)
    if suffix != ".csv":
        assert back.fmea is not None and len(back.fmea) == len(sample.fmea)


@pytest.mark.parametrize(("row", "field", "words"), [
    (_risk("X", inherent_l=7), "inherent_l",
     "out of range; found '7'; expected a whole number from 1 to 5"),
    (_risk("X", residual_i="high"), "residual_i", "is not a number; found 'high'"),
    (_risk("X", due_date="2026-02-30"), "due_date", "is not a valid date"),
    (_risk("X", process_area="billing"), "process_area", "found 'billing'; expected one of"),
    (_risk("X", 4, 4, risk_owner=""), "risk_owner", "required for a High risk"),
    (_risk("X", target_l=2), "target_i", "other target rating"),
    (_risk("X", status="done"), "status", "found 'done'"),
    (_risk("X", stakeholders="buyers; aliens"), "stakeholders", "aliens"),
])
def test_bad_rows_are_refused_with_row_and_field(tmp_path, row, field, words):
    path = _register(tmp_path, [_risk("OK"), row])
    with pytest.raises(RegisterError) as err:
        load_register(path)
    text = str(err.value)
    assert f"row 2 (line 3) (X), field '{field}'" in text
    assert words in text


def test_duplicate_ids_and_all_problems_listed(tmp_path):
    path = _register(tmp_path, [_risk("A"), _risk("A", inherent_i=0), _risk("")], "r.yaml")
    with pytest.raises(RegisterError) as err:
        load_register(path)
    text = str(err.value)
    assert "risks[0] (risk 1), risks[1] (risk 2), field 'risk_id': is not unique" in text
    assert "risks[1] (risk 2) (A), field 'inherent_i'" in text
    assert "risks[2] (risk 3), field 'risk_id': is required" in text
    assert len(err.value.problems) == 3


def test_xlsx_rows_name_the_sheet_row(tmp_path):
    path = _register(tmp_path, [_risk("A"), _risk("B", residual_l=9)], "r.xlsx")
    with pytest.raises(RegisterError, match=r"row 2 \(sheet 'risks' row 3\) \(B\), field "
                                            r"'residual_l'"):
        load_register(path)


def test_missing_column_and_bad_files(tmp_path):
    path = _register(tmp_path, [{"risk_id": "A", "title": "t"}])
    with pytest.raises(RegisterError, match="missing required column"):
        load_register(path)
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("risks: [a: 1\n")
    with pytest.raises(RegisterError, match="not valid YAML"):
        load_register(bad_yaml)
    other = tmp_path / "register.txt"
    other.write_text("x")
    with pytest.raises(RegisterError, match=r"unknown register format '\.txt'"):
        load_register(other)
    with pytest.raises(RegisterError, match="file not found"):
        load_register(tmp_path / "nope.csv")


def test_overdue_actions(sample):
    late = overdue_actions(sample.risks, "2026-03-22")
    assert late["risk_id"].tolist() == ["R-07", "R-03"]  # due 02-28 and 03-20, still open
    assert late["days_overdue"].tolist() == [22, 2]
    assert overdue_actions(sample.risks, dt.date(2026, 1, 1)).empty


def test_templates_come_from_the_field_definition(root, tmp_path):
    made = write_templates(tmp_path)
    names = [f.name for f in REGISTER_FIELDS]
    csv = pd.read_csv(made[0])
    xlsx = pd.read_excel(made[1], sheet_name="risks")
    assert list(csv.columns) == list(xlsx.columns) == names
    shipped_csv = (root / "templates" / "risk_register.csv").read_text()
    assert shipped_csv == made[0].read_text(), "re-run modlean.risk.write_templates('templates')"
    shipped = pd.read_excel(root / "templates" / "risk_register.xlsx", sheet_name=None)
    pd.testing.assert_frame_equal(shipped["risks"], xlsx)
    assert shipped["fields"]["field"].tolist() == names
    for path in (made[0], made[1], root / "templates" / "risk_register.xlsx"):
        reg = load_register(path)  # the example row is a valid register
        assert reg.risks["risk_id"].tolist() == ["R-01"]
    assert template_frame().shape == (1, len(names))


def test_assess_appetite(tmp_path):
    rows = [_risk("A", 4, 4, appetite="Medium"), _risk("B", 2, 2, appetite="Medium"),
            _risk("C", 2, 2)]
    a = assess(load_register(_register(tmp_path, rows)).risks).set_index("risk_id")
    assert a.loc["A", "within_appetite"] is False or a.loc["A", "within_appetite"] == False  # noqa: E712
    assert a.loc["B", "within_appetite"] == True  # noqa: E712
    assert a.loc["C", "within_appetite"] is None


# ---------------------------------------------------------------- likelihoods from data

def test_share_of_periods_missed_counts_replications_that_miss_the_target():
    from modlean.risk import share_of_periods_missed

    kpis = pd.DataFrame({"replication": [0, 0, 1, 1, 2, 2, 3, 3],
                         "item_type": ["listing", "all"] * 4,
                         "kpi": ["sla_target_met"] * 8,
                         "value": [1.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0]})
    assert share_of_periods_missed(kpis, item_type="listing") == (0.5, 4)
    assert share_of_periods_missed(kpis) == (0.5, 4)
    with pytest.raises(ParameterError, match="no 'sla_target_met' for item type 'content'"):
        share_of_periods_missed(kpis, item_type="content")


def test_likelihood_evidence_uses_the_matching_anchor(sample):
    from modlean.risk import likelihood_evidence

    ev = likelihood_evidence({
        "R-03": {"measure": "false-rejection rate (QA)", "rate_per_decision": 0.00005},
        "R-04": {"measure": "P(SLA missed in a week)", "probability": 0.5, "period_days": 7},
        "R-09": {"per_year": 0.5},
    }, risks=sample.risks)
    assert ev["likelihood"].tolist() == [
        likelihood_from_rate(0.00005), likelihood_from_probability(0.5, period_days=7), 2]
    assert ev["likelihood"].tolist() == [3, 4, 2]  # 5e-5 per decision; 36 a year; 0.5 a year
    assert ev["register_l"].tolist() == [4, 4, 3]
    assert ev["change"].tolist() == [-1, 0, -1]
    assert ev["basis"].tolist() == ["rate per decision", "probability per 7 days",
                                    "events per year"]
    with pytest.raises(ParameterError, match="exactly one of"):
        likelihood_evidence({"R-03": {"rate_per_decision": 0.1, "per_year": 3}})
    with pytest.raises(ParameterError, match=r"\['R-99'\] are not in the register"):
        likelihood_evidence({"R-99": {"per_year": 3}}, risks=sample.risks)


def test_apply_likelihoods_changes_only_the_risks_with_evidence(sample):
    from modlean.risk import apply_likelihoods, assess, likelihood_evidence

    ev = likelihood_evidence({"R-03": {"rate_per_decision": 0.01}})
    risks = apply_likelihoods(sample.risks, ev)
    changed = risks.set_index("risk_id")
    assert changed.loc["R-03", "residual_l"] == 5
    assert changed.loc["R-03", "residual_l_register"] == 4
    assert (changed.drop(index="R-03")["residual_l"]
            == sample.risks.set_index("risk_id").drop(index="R-03")["residual_l"]).all()
    assert changed["likelihood_source"].value_counts().to_dict() == {"register": 14, "data": 1}
    table = assess(risks, sample.matrix).set_index("risk_id")
    assert table.loc["R-03", "residual_band"] == sample.matrix.band(5, 2)
    assert sample.risks.loc[sample.risks["risk_id"] == "R-03", "residual_l"].item() == 4
