"""Make the small sample QA tables data/<MARKET>/qa_reviews.csv (seeded, reproducible).

Run from the project root:  .venv/bin/python data/make_sample_qa.py

For each market it reads the case ids of data/<MARKET>/events.csv, samples
human-reviewed decisions at 20% and auto-decided ones at 5% (so the
``inclusion_probability`` column differs by stratum, as in real QA), and writes
what a QA re-review would record: the production reviewer (with a vendor and a
site), decision and label, and the QA decision and label. About 5% of decisions
and 10% of rejection labels are made wrong on purpose. Illustrative numbers only.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent
SEEDS = {"US": 21, "UK": 22, "ID": 23, "MY": 24, "TH": 25}
RATES = {"human": 0.20, "auto": 0.05}
SITES = {"US": ("Bogota", "Manila"), "UK": ("Lisbon", "Cairo"), "ID": ("Jakarta", "Manila"),
         "MY": ("Kuala Lumpur", "Manila"), "TH": ("Bangkok", "Manila")}
DECISION_ERROR, LABEL_ERROR = 0.05, 0.10


def make_market(market: str, seed: int) -> pd.DataFrame:
    """The QA table of one market."""
    rng = np.random.default_rng(seed)
    log = pd.read_csv(ROOT / market / "events.csv", dtype=str)
    labels = sorted(log["label"].dropna().unique())
    reviewed = log[log["activity"].isin(["review_l1", "review_l2"])]
    reviewer = reviewed.groupby("case_id")["resource"].last()
    cases = log.groupby("case_id").agg(decision=("decision", "last"), label=("label", "last"))
    auto = log[log["activity"].isin(["auto_approved", "auto_rejected"])]
    auto_reviewer = auto.groupby("case_id")["activity"].last().map(
        {"auto_approved": "model", "auto_rejected": "model"})
    cases["reviewer"] = reviewer.combine_first(auto_reviewer)
    cases = cases.dropna(subset=["reviewer"])
    cases["stratum"] = np.where(cases["reviewer"] == "model", "auto", "human")
    cases["inclusion_probability"] = cases["stratum"].map(RATES)
    picked = cases[rng.random(len(cases)) < cases["inclusion_probability"]].copy()
    # production decision: a later appeal does not change what the reviewer decided
    picked["decision"] = np.where(picked["decision"] == "approve", "approve", "reject")
    picked["label"] = picked["label"].where(picked["decision"] == "reject", "")
    n = len(picked)
    flip = rng.random(n) < DECISION_ERROR
    relabel = rng.random(n) < LABEL_ERROR
    qa_decision = np.where(flip, np.where(picked["decision"] == "reject", "approve", "reject"),
                           picked["decision"])
    qa_label = picked["label"].to_numpy(dtype=object).copy()
    other = rng.choice(labels, size=n)
    qa_label = np.where(relabel & (qa_decision == "reject"), other, qa_label)
    need_label = (qa_decision == "reject") & (qa_label == "")
    qa_label = np.where(need_label, rng.choice(labels, size=n), qa_label)
    qa_label = np.where(qa_decision == "approve", "", qa_label)
    number = picked["reviewer"].str.extract(r"_r(\d+)$")[0].astype(float)
    first, second = SITES[market]
    picked["vendor"] = np.select(
        [picked["reviewer"] == "model", number <= 6, number > 6],
        ["model", "BPO-A", "BPO-B"], default="internal")
    picked["site"] = np.select(
        [picked["reviewer"] == "model", number <= 6, number > 6],
        ["-", first, second], default="in-house")
    picked["qa_reviewer"] = [f"qa_{i}" for i in rng.integers(1, 4, n)]
    picked["qa_decision"] = qa_decision
    picked["qa_label"] = qa_label
    out = picked.reset_index()[["case_id", "stratum", "inclusion_probability", "reviewer",
                                "vendor", "site", "decision", "label", "qa_reviewer",
                                "qa_decision", "qa_label"]]
    return out.sort_values("case_id", kind="stable")


def main() -> None:
    for market, seed in SEEDS.items():
        table = make_market(market, seed)
        table.to_csv(ROOT / market / "qa_reviews.csv", index=False)
        print(f"{market}: {len(table)} QA reviews")


if __name__ == "__main__":
    main()
