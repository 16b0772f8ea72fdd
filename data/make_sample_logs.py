"""Make the small sample event logs in data/<MARKET>/events.csv (seeded, reproducible).

Run from the project root:  .venv/bin/python data/make_sample_logs.py

Each market gets about 600 items (listings, seller applications, content and IP
complaints) over one week, routed by an ML pre-filter to auto-approve,
auto-reject or human review (L1, sometimes L2), with QA sampling, QA overturns
that send the item back for rework, and appeals of rejections. Times are UTC
with a Z suffix. The numbers follow the defaults in docs/domain.md; they are
illustrative, not any platform's data.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

MARKETS = {  # market: (UTC offset of the market's day, items in the week, seed)
    "US": (-5, 700, 11),
    "UK": (0, 600, 12),
    "ID": (7, 650, 13),
    "MY": (8, 550, 14),
    "TH": (7, 600, 15),
}
ITEM_TYPES = ["listing", "seller_onboarding", "content", "ipr_complaint"]
ITEM_SHARES = [0.70, 0.08, 0.17, 0.05]
AHT_SECONDS = {"listing": 45, "seller_onboarding": 360, "content": 35, "ipr_complaint": 720}
LABELS = ["counterfeit", "prohibited_item", "misleading_claims", "missing_gpsr_data",
          "image_theft", "fake_reviews", "missing_trader_data"]
LABEL_WEIGHTS = [0.25, 0.15, 0.2, 0.15, 0.1, 0.05, 0.1]
START = pd.Timestamp("2026-03-02T00:00:00Z")


def _lognormal(rng: np.random.Generator, mean: float, cv: float = 0.6) -> float:
    sigma2 = np.log(1 + cv**2)
    return float(rng.lognormal(np.log(mean) - sigma2 / 2, np.sqrt(sigma2)))


def make_market(market: str, offset_h: int, n_items: int, seed: int) -> pd.DataFrame:
    """One market's log as a DataFrame of events."""
    rng = np.random.default_rng(seed)
    rows: list[dict[str, object]] = []
    # arrivals: busier between 10:00 and 22:00 local time
    local_hours = rng.choice(24, size=n_items, p=_diurnal())
    days = rng.integers(0, 7, size=n_items)
    arrivals = sorted(
        START + pd.Timedelta(days=int(d), hours=int(h) - offset_h, seconds=int(s))
        for d, h, s in zip(days, local_hours, rng.integers(0, 3600, n_items), strict=False)
    )
    reviewers = [f"{market.lower()}_r{i:02d}" for i in range(1, 13)]
    seniors = [f"{market.lower()}_l2_{i}" for i in range(1, 4)]
    for n, t0 in enumerate(arrivals):
        case = f"{market}-{n + 1:05d}"
        item_type = str(rng.choice(ITEM_TYPES, p=ITEM_SHARES))
        label = str(rng.choice(LABELS, p=LABEL_WEIGHTS))
        events: list[tuple[str, pd.Timestamp, pd.Timestamp | None, str]] = []

        def add(activity: str, t: pd.Timestamp, resource: str,
                start: pd.Timestamp | None = None, _events=events) -> pd.Timestamp:
            _events.append((activity, t, start, resource))
            return t

        t = add("submitted", t0, "seller")
        t = add("auto_screen", t + pd.Timedelta(seconds=int(rng.integers(2, 30))), "model")
        u = rng.random()
        auto = item_type == "listing" and u < 0.80
        if auto:
            decision = "approve" if u < 0.75 else "reject"
            t = add("auto_approved" if decision == "approve" else "auto_rejected",
                    t + pd.Timedelta(seconds=1), "model")
        else:
            decision, t = _human_review(rng, add, t, item_type, reviewers, seniors)
        t = add("decision_sent", t + pd.Timedelta(seconds=int(rng.integers(1, 60))), "system")
        if decision == "reject" and rng.random() < 0.12:
            t = add("appeal_filed", t + pd.Timedelta(hours=_lognormal(rng, 20)), "seller")
            t = add("appeal_queued", t + pd.Timedelta(seconds=5), "system")
            wait = pd.Timedelta(hours=_lognormal(rng, 10))
            start = t + wait
            t = add("appeal_review", start + pd.Timedelta(seconds=_lognormal(rng, 240)),
                    str(rng.choice(seniors)), start)
            overturned = rng.random() < 0.35
            t = add("appeal_decided", t + pd.Timedelta(seconds=30), "system")
            decision = "approve_on_appeal" if overturned else "reject_upheld"
        for activity, ts, st, res in events:
            rows.append({
                "case_id": case, "activity": activity, "timestamp": ts, "start_timestamp": st,
                "resource": res, "market": market, "item_type": item_type,
                "label": label if decision.startswith("reject") else "",
                "decision": decision,
            })
    frame = pd.DataFrame(rows)
    for col in ("timestamp", "start_timestamp"):
        frame[col] = pd.to_datetime(frame[col], utc=True).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    return frame


def _human_review(rng, add, t, item_type, reviewers, seniors):
    t = add("queued_l1", t + pd.Timedelta(seconds=1), "system")
    start = t + pd.Timedelta(minutes=_lognormal(rng, 90, 1.0))
    aht = AHT_SECONDS[item_type]
    t = add("review_l1", start + pd.Timedelta(seconds=_lognormal(rng, aht)),
            str(rng.choice(reviewers)), start)
    decision = "reject" if rng.random() < 0.4 else "approve"
    if rng.random() < 0.10:
        t = add("escalated_l2", t + pd.Timedelta(seconds=2), "system")
        start = t + pd.Timedelta(minutes=_lognormal(rng, 180, 0.8))
        t = add("review_l2", start + pd.Timedelta(seconds=_lognormal(rng, 3 * aht)),
                str(rng.choice(seniors)), start)
        decision = "reject" if rng.random() < 0.6 else "approve"
    if rng.random() < 0.08:
        start = t + pd.Timedelta(minutes=_lognormal(rng, 60))
        t = add("qa_sample", start + pd.Timedelta(seconds=_lognormal(rng, 1.3 * aht)),
                f"qa_{int(rng.integers(1, 4))}", start)
        if rng.random() < 0.12:
            t = add("qa_overturn", t + pd.Timedelta(seconds=2), "system")
            start = t + pd.Timedelta(minutes=_lognormal(rng, 30))
            t = add("review_l1", start + pd.Timedelta(seconds=_lognormal(rng, aht)),
                    str(rng.choice(reviewers)), start)
            decision = "approve" if decision == "reject" else "reject"
    return decision, t


def _diurnal() -> np.ndarray:
    weights = np.array([0.35, 0.3, 0.3, 0.3, 0.35, 0.45, 0.6, 0.8, 1.0, 1.1, 1.25, 1.3,
                        1.3, 1.3, 1.3, 1.25, 1.25, 1.3, 1.35, 1.4, 1.4, 1.3, 1.0, 0.6])
    return weights / weights.sum()


def main() -> None:
    here = Path(__file__).resolve().parent
    for market, (offset, n_items, seed) in MARKETS.items():
        frame = make_market(market, offset, n_items, seed)
        out = here / market / "events.csv"
        out.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(out, index=False)
        print(f"{out.relative_to(here.parent)}: {frame['case_id'].nunique()} cases, "
              f"{len(frame)} events")


if __name__ == "__main__":
    main()
