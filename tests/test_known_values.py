"""User-facing numbers held to values computed another way.

Each test here would catch a plausible bug that the rest of the suite lets
through: a verdict that ignores a KPI's direction, a lost square in the
lognormal loss, a tornado swing of the right sign but the wrong size, and CLI
figures checked only for a range. The known values are computed in the test
from first principles (closed forms, numerical integration), never with the
function under test.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from mmc_theory import turnaround_cdf
from scipy import integrate, optimize, stats

from modlean.cli import main
from modlean.decisions import decision_table, sensitivity
from modlean.risk import simulate_losses
from modlean.scenario import preset, to_yaml

# --------------------------------------------------------------------------- verdicts


def _kpis(values: dict[str, tuple[list[float], list[float]]]) -> pd.DataFrame:
    rows = []
    for kpi, (base, prop) in values.items():
        for scenario, series in (("base", base), ("prop", prop)):
            rows += [{"scenario": scenario, "replication": r, "kpi": kpi, "value": v}
                     for r, v in enumerate(series)]
    return pd.DataFrame(rows)


def test_verdicts_read_each_kpis_good_direction():
    up = ([0.80, 0.82, 0.81, 0.79, 0.80], [0.90, 0.93, 0.91, 0.90, 0.92])
    down = (up[1], up[0])
    table = decision_table(_kpis({
        "sla_attainment": up,            # higher is better, and it rose
        "accuracy": down,                # higher is better, and it fell
        "turnaround_p95_h": up,          # lower is better, and it rose
        "cost_total": down,              # lower is better, and it fell
        "utilisation.l1": up,            # no good direction
        "wait_l1_mean_h": (up[0], [v + d for v, d in zip(up[0], (.01, -.01, .02, -.02, 0),
                                                         strict=True)]),
    }), "base").set_index("kpi")
    assert table.loc["sla_attainment", "verdict"] == "better"
    assert table.loc["accuracy", "verdict"] == "worse"
    assert table.loc["turnaround_p95_h", "verdict"] == "worse"
    assert table.loc["cost_total", "verdict"] == "better"
    assert table.loc["utilisation.l1", "verdict"] == "changed"
    assert table.loc["wait_l1_mean_h", "verdict"] == "no significant difference"
    # the paired interval: mean difference 0.112 +- t(0.975, 4) * sd / sqrt(5)
    d = np.array(up[1]) - np.array(up[0])
    half = stats.t.ppf(0.975, 4) * d.std(ddof=1) / math.sqrt(5)
    row = table.loc["sla_attainment"]
    assert row["difference"] == pytest.approx(d.mean(), abs=1e-12)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((d.mean() - half, d.mean() + half),
                                                             abs=1e-12)


# --------------------------------------------------------------------------- losses


def _lognormal(cost: float, cv: float) -> stats.rv_continuous:
    """The loss of one event: mean ``cost``, coefficient of variation ``cv`` (moments)."""
    sigma = math.sqrt(math.log(1 + cv * cv))
    return stats.lognorm(s=sigma, scale=cost / math.sqrt(1 + cv * cv))


def test_annual_loss_has_the_compound_poisson_moments_at_cv_2():
    freq, cost, cv = 3.0, 1000.0, 2.0
    one = _lognormal(cost, cv)
    assert one.mean() == pytest.approx(cost) and one.std() == pytest.approx(cv * cost)
    register = pd.DataFrame({"frequency": [freq], "cost": [cost]})
    summary, totals = simulate_losses(register, runs=200_000, seed=5, loss_cv=cv)
    # compound Poisson: mean = lambda E[X], variance = lambda E[X^2] = lambda c^2 (1 + cv^2)
    assert summary["expected"] == pytest.approx(freq * cost)
    assert totals.mean() == pytest.approx(freq * cost, rel=0.02)
    assert totals.var() == pytest.approx(freq * cost**2 * (1 + cv**2), rel=0.1)


def test_annual_loss_quantiles_match_a_numerical_convolution():
    freq, cost, cv = 0.2, 1000.0, 2.0
    one = _lognormal(cost, cv)
    pk = stats.poisson(freq).pmf

    def two_cdf(x: float) -> float:  # P(X1 + X2 <= x)
        return integrate.quad(lambda y: one.pdf(y) * one.cdf(x - y), 0, x, limit=200)[0]

    def cdf(x: float, tail: float) -> float:  # three or more events: between 0 and 1
        return pk(0) + pk(1) * one.cdf(x) + pk(2) * two_cdf(x) + tail * (1 - pk(0) - pk(1)
                                                                          - pk(2))

    register = pd.DataFrame({"frequency": [freq], "cost": [cost]})
    summary, _ = simulate_losses(register, runs=400_000, seed=9, loss_cv=cv,
                                 quantiles=(0.9, 0.95))
    for q, key in ((0.9, "p90"), (0.95, "p95")):
        low = optimize.brentq(lambda x, q=q: cdf(x, 1.0) - q, 1e-6, 1e6)
        high = optimize.brentq(lambda x, q=q: cdf(x, 0.0) - q, 1e-6, 1e6)
        assert low * 0.97 <= summary[key] <= high * 1.03, (key, low, summary[key], high)


# --------------------------------------------------------------------------- sensitivity


def test_headcount_swing_of_cost_is_exactly_its_share_of_paid_hours():
    base = preset("mmc", overrides={"horizon_days": 2, "warmup_days": 0.5, "drain_days": 0.5})
    table = sensitivity(base, ["headcount"], kpis=["cost_total"], delta=0.1, replications=1,
                        seed=3, workers=1).iloc[0]
    pool = base.pools["servers"]
    paid = pool.headcount * (base.horizon_days - base.warmup_days) * 24 * pool.cost_per_hour
    assert table["baseline"] == pytest.approx(paid, rel=1e-9)
    assert table["low_change"] == pytest.approx(-0.1 * paid, rel=1e-9)
    assert table["high_change"] == pytest.approx(0.1 * paid, rel=1e-9)
    assert table["swing"] == pytest.approx(0.2 * paid, rel=1e-9)


# --------------------------------------------------------------------------- CLI figures


@pytest.mark.parametrize("sla_hours", [0.1, 0.25, 0.5])
def test_staff_analytic_is_the_smallest_c_meeting_the_sla(tmp_path, capsys, sla_hours):
    s = preset("mmc", overrides={"horizon_days": 2, "warmup_days": 0.5, "drain_days": 0.5,
                                 "item_types.job.sla.hours": sla_hours})
    path = tmp_path / "base.yaml"
    to_yaml(s, path)
    assert main(["staff", str(path), "--analytic-only", "--json"]) == 0
    pool = json.loads(capsys.readouterr().out)["pools"][0]
    lam, mu = 1 / 60, 1 / 240  # the preset: one job a minute, four minutes each
    want = next((c for c in range(1, 50)
                 if turnaround_cdf(lam, mu, c, sla_hours * 3600) >= 0.95), None)
    assert pool["analytic"] == want  # None at 0.1 h: four-minute handling alone misses it
    assert pool["workload_hours"] == pytest.approx(lam / mu * 24)


def test_check_log_counts_a_hand_written_log(tmp_path, capsys):
    path = tmp_path / "small.csv"
    path.write_text(
        "case,activity,timestamp,resource\n"
        "A,submit,2026-03-02T08:00:00Z,sys\nA,review,2026-03-02T09:30:00Z,ana\n"
        "A,decide,2026-03-02T10:00:00Z,ana\nB,submit,2026-03-02T08:15:00Z,sys\n"
        "B,decide,2026-03-03T08:15:00Z,bo\nC,submit,2026-03-02T12:00:00Z,sys\n"
        "C,review,2026-03-02T12:00:00Z,bo\nC,auto_screen,2026-03-02T12:00:01Z,model\n",
        encoding="utf-8")
    assert main(["check-log", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["cases"], data["events"], data["resources"]) == (3, 8, 3)  # not the model
    assert data["activities"] == {"submit": 3, "decide": 2, "review": 2, "auto_screen": 1}
    assert (data["first_event"], data["last_event"]) == ("2026-03-02T08:00:00+00:00",
                                                         "2026-03-03T08:15:00+00:00")
    assert data["days"] == round(24.25 / 24, 2)  # 08:00 to 08:15 the next day
    assert data["verdict"] == "valid" and not data["has_start_timestamps"]


def _wilson(k: int, n: int) -> tuple[float, float]:
    z = stats.norm.ppf(0.975)
    p, z2 = k / n, z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(centre - half, 0.0), min(centre + half, 1.0)


def test_calibrate_qa_error_rates_are_the_counts_of_the_qa_table(root, tmp_path, capsys):
    qa_file = root / "data" / "US" / "qa_reviews.csv"
    assert main(["calibrate", str(root / "data" / "US" / "events.csv"), "--out",
                 str(tmp_path / "cal.yaml"), "--timezone", "America/New_York", "--json",
                 "--qa", str(qa_file)]) == 0
    printed = {r["pool"]: r for r in json.loads(capsys.readouterr().out)["accuracy"]}
    qa = pd.read_csv(qa_file)
    qa = qa[qa["reviewer"] != "model"]
    qa["pool"] = qa["reviewer"].str.replace(r"_?\d+$", "", regex=True)
    assert set(printed) == set(qa["pool"])
    for pool, rows in qa.groupby("pool"):  # one stratum per pool: the weights cancel
        violating, clean = rows[rows.qa_decision == "reject"], rows[rows.qa_decision == "approve"]
        missed = int((violating.decision == "approve").sum())
        wrongly = int((clean.decision == "reject").sum())
        got = printed[pool]
        assert (got["reviews"], got["violating"], got["clean"]) == (
            len(rows), len(violating), len(clean))
        assert got["false_approve"] == pytest.approx(missed / len(violating), abs=1e-12)
        assert got["false_reject"] == pytest.approx(wrongly / len(clean), abs=1e-12)
        assert (got["false_approve_low"], got["false_approve_high"]) == pytest.approx(
            _wilson(missed, len(violating)), abs=1e-9)
