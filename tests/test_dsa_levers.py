"""What would move a DSA figure toward the peers (modlean.dsa.gaps_to_peers), and the
report period a notebook's blank parameters stand for (modlean.dsa.period_of)."""

from __future__ import annotations

import pandas as pd
import pytest

from modlean.dsa import GAP_COLUMNS, LEVERS, gaps_to_peers, period_of
from modlean.errors import ParameterError


def tidy(rows: dict[str, dict[str, float]]) -> pd.DataFrame:
    """market_beside_peers' shape from {platform: {figure: value}}; 'DE' is the market."""
    return pd.DataFrame([{"platform": p, "side": "market" if p == "DE" else "peer",
                          "category": "all", "figure": f, "value": v}
                         for p, figures in rows.items() for f, v in figures.items()])


def test_gaps_by_hand():
    table = tidy({
        "DE": {"sor_statements": 400, "sor_automated_decision_share": 0.10,
               "sor_lag_median_days": 0.0},
        "A": {"sor_statements": 900, "sor_automated_decision_share": 0.40,
              "sor_lag_median_days": 2.0},
        "B": {"sor_statements": 100, "sor_automated_decision_share": 0.90,
              "sor_lag_median_days": 6.0},
        "C": {"sor_statements": 500, "sor_automated_decision_share": 0.60,
              "sor_lag_median_days": 1.0},
    })
    gaps = gaps_to_peers(table).set_index("figure")
    assert list(gaps.reset_index().columns) == GAP_COLUMNS
    assert list(gaps.index) == ["sor_automated_decision_share", "sor_lag_median_days"]
    share = gaps.loc["sor_automated_decision_share"]
    # peers 0.4, 0.9, 0.6: median 0.6; gap 0.5 of the market's 400 statements = 200
    assert (share["market"], share["peer_median"], share["peer_min"], share["peer_max"]) == \
        pytest.approx((0.10, 0.60, 0.40, 0.90))
    assert share["gap"] == pytest.approx(0.5) and share["statements_to_close"] == 200
    assert "thresholds" in share["lever"] and "notebook 03" in share["where_to_test"]
    lag = gaps.loc["sor_lag_median_days"]
    assert lag["peer_median"] == 2.0 and lag["gap"] == 2.0
    assert pd.isna(lag["statements_to_close"])  # days are no share of statements


def test_every_lever_names_a_catalogued_figure():
    from modlean import kpis

    assert all(kpis.find(f) is not None for f in LEVERS)


def test_a_table_without_the_market_or_peers_is_refused():
    only_peers = tidy({"A": {"sor_statements": 9}})
    with pytest.raises(ParameterError, match="the market's figures and at least one peer"):
        gaps_to_peers(only_peers)
    with pytest.raises(ParameterError, match="market_beside_peers' table"):
        gaps_to_peers(pd.DataFrame({"x": [1]}))


def test_period_of_fills_blanks_from_the_log_in_utc_days():
    times = pd.to_datetime(["2026-03-01 23:30", "2026-03-09 00:10"]).tz_localize("Europe/Berlin")
    log = pd.DataFrame({"timestamp": times.tz_convert("UTC")})
    assert period_of(log) == ("2026-03-01", "2026-03-08")  # 00:10 Berlin is 23:10 UTC
    assert period_of(log, "2026-03-02", "") == ("2026-03-02", "2026-03-08")
    assert period_of(log, "", " 2026-03-05 ") == ("2026-03-01", "2026-03-05")
