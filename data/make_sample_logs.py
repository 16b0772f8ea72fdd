"""Make the small sample event logs in data/<MARKET>/events.csv (seeded, reproducible).

Run from the project root:  .venv/bin/python data/make_sample_logs.py

Each market's log is simulated by modlean's engine from that market's preset
(templates/scenarios/<MARKET>.yaml), scaled down to about 600 items over one
week so the files stay small (< 5,000 events): listings, seller applications,
content and IP complaints, routed by the ML pre-filter to auto-approve,
auto-reject or human review (L1, sometimes L2), QA sampling of human decisions
before they are sent (overturns go back to L1 for rework), and appeals of
rejections. Reviewer ids are renamed to short sample ids (``us_r04`` for L1,
``us_l2_1`` for L2 and appeals, ``qa_2`` for QA). Times are UTC with a Z suffix.
The numbers follow docs/domain.md; they are illustrative, not any platform's data.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from modlean.scenario import Scenario, preset
from modlean.simulation import simulate

MARKETS = {"US": (700, 11), "UK": (600, 12), "ID": (650, 13), "MY": (550, 14),
           "TH": (600, 15)}  # market: (items in the week, seed)
SHARES = {"listing": 0.70, "seller_onboarding": 0.08, "content": 0.17, "ipr_complaint": 0.05}
DAY = [{"start_hour": 7, "end_hour": 15, "share": 0.5}, {"start_hour": 15, "end_hour": 23,
                                                        "share": 0.5}]


def sample_scenario(market: str, items_per_week: int) -> Scenario:
    """The market preset scaled down to a small week, every item screened by the model."""
    per_day = items_per_week / 7
    overrides: dict[str, object] = {
        "horizon_days": 7, "warmup_days": 0, "drain_days": 7,
        "qa.timing": "before_send", "qa.human_rate": 0.08, "qa.auto_rate": 0.0,
        "item_types.listing.appeal_rate": 0.12, "item_types.content.appeal_rate": 0.12,
        "routing.listing.escalation_probability": 0.10,  # enough L2 cases to show
        "routing.content.escalation_probability": 0.10,
    }
    for item_type, share in SHARES.items():
        overrides[f"item_types.{item_type}.volume_per_day"] = round(per_day * share, 2)
    for item_type in ("seller_onboarding", "ipr_complaint"):  # screened, then all to people
        overrides[f"item_types.{item_type}.model"] = {"enabled": True, "t_low": 0.0,
                                                      "t_high": 1.0}
    for pool, heads in (("l1_listing", 4), ("l1_content", 3), ("kyb", 3), ("ipr", 3),
                        ("l2_policy", 3), ("qa", 3), ("appeals", 3)):
        overrides[f"pools.{pool}.headcount"] = heads
        if pool != "kyb":  # KYB keeps the preset's day shifts: some applications wait overnight
            overrides[f"pools.{pool}.shifts"] = DAY
    return preset(market, overrides=overrides)


def _reviewer_ids(log: pd.DataFrame, market: str) -> pd.Series:
    """Short sample ids: L1 seats -> us_r01.., L2/appeals -> us_l2_1.., QA -> qa_1.."""
    m = market.lower()
    names: dict[str, str] = {}
    counters = {"r": 0, "l2": 0, "qa": 0}
    for name in log["resource"].cat.categories:
        pool = name.rsplit("_", 1)[0]
        if pool in ("seller", "model", "system"):
            names[name] = name
            continue
        kind = "qa" if pool == "qa" else "l2" if pool in ("l2_policy", "appeals") else "r"
        counters[kind] += 1
        k = counters[kind]
        names[name] = {"r": f"{m}_r{k:02d}", "l2": f"{m}_l2_{k}", "qa": f"qa_{k}"}[kind]
    return log["resource"].cat.rename_categories(names)


def make_market(market: str, n_items: int, seed: int) -> pd.DataFrame:
    """One market's log as a DataFrame of events, times as ISO text in UTC."""
    log = simulate(sample_scenario(market, n_items), seed=seed).log
    frame = log.assign(resource=_reviewer_ids(log, market))
    for col in ("timestamp", "start_timestamp"):
        frame[col] = frame[col].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    frame["exposure_s"] = frame["exposure_s"].round(1)
    columns = ["case_id", "activity", "timestamp", "start_timestamp", "resource", "market",
               "item_type", "label", "decision", "true_label", "correct", "exposure_s",
               "sla_breach"]
    return frame[columns]


def main() -> None:
    here = Path(__file__).resolve().parent
    for market, (n_items, seed) in MARKETS.items():
        frame = make_market(market, n_items, seed)
        out = here / market / "events.csv"
        out.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(out, index=False)
        print(f"{out.relative_to(here.parent)}: {frame['case_id'].nunique()} cases, "
              f"{len(frame)} events")


if __name__ == "__main__":
    main()
