"""What the operation would have to change to move a DSA figure toward its peers.

:func:`gaps_to_peers` reads the tidy table of
:func:`~modlean.dsa.benchmarks.market_beside_peers` and, per figure, sets the market
beside the peers' median and range, the gap, what it means in statements, and the
lever that moves it: a scenario field notebook 03 (the SOP what-if) can change, or a
policy choice in the DSA mapping that no operation changes.
"""

from __future__ import annotations

import pandas as pd

from modlean.errors import ParameterError

__all__ = ["GAP_COLUMNS", "LEVERS", "gaps_to_peers"]

#: figure -> (the lever, where to test it). Figures not listed are context only.
LEVERS: dict[str, tuple[str, str]] = {
    "sor_automated_decision_share": (
        "decisions the model takes alone: its score thresholds",
        "notebook 03 / modlean thresholds: item_types.<type>.model.t_low, t_high"),
    "sor_fully_automated_share": (
        "decisions taken with no person at all: the model's thresholds, and whether its "
        "decisions are sent to a reviewer first",
        "notebook 03 / modlean thresholds: item_types.<type>.model.t_low, t_high"),
    "sor_automated_detection_share": (
        "items the model screens before a decision: which item types it covers",
        "notebook 03: item_types.<type>.model.enabled"),
    "sor_lag_median_days": (
        "days from posting to decision: the review queues' waits and the share sent to a "
        "second review",
        "notebook 03 / modlean staff: pools.<pool>.headcount, routing.<type>.escalation_rate"),
    "sor_lag_p90_days": (
        "the slow tail of time to decision: the queues' backlog at peaks and weekends",
        "notebook 03 / modlean staff: pools.<pool>.shifts, headcount"),
    "sor_visibility_share": ("restrictions that remove or hide content: the DSA mapping's "
                             "choice per label (policy, not operations)", "dsa mapping"),
    "sor_monetary_share": ("restrictions of payments: the DSA mapping (policy)", "dsa mapping"),
    "sor_provision_share": ("suspensions of the service: the DSA mapping (policy)",
                            "dsa mapping"),
    "sor_account_share": ("account restrictions: the DSA mapping (policy)", "dsa mapping"),
}
GAP_COLUMNS = ["figure", "market", "peer_median", "peer_min", "peer_max", "gap",
               "statements_to_close", "lever", "where_to_test"]


def gaps_to_peers(beside: pd.DataFrame) -> pd.DataFrame:
    """Per figure with a lever: the market, the peers' median, min and max, the gap
    (peer median - market), and for shares the statements a period would have to move
    to close it (gap x the market's statements); one row per figure in :data:`LEVERS`.

    ``beside`` is :func:`~modlean.dsa.benchmarks.market_beside_peers`'s table (one
    category, 'all' unless asked per category: the first category is read).
    """
    needed = {"platform", "side", "category", "figure", "value"}
    if not needed <= set(beside.columns):
        raise ParameterError(f"gaps_to_peers: found columns {sorted(beside.columns)}; "
                             "expected market_beside_peers' table "
                             f"({', '.join(sorted(needed))})")
    one = beside[beside["category"] == beside["category"].iloc[0]] if len(beside) else beside
    wide = one.pivot_table(index="figure", columns="side", values="value", aggfunc="first")
    peers = one[one["side"] == "peer"].groupby("figure")["value"]
    if "market" not in wide or peers.ngroups == 0:
        raise ParameterError("gaps_to_peers: expected the market's figures and at least one "
                             "peer's in the table")
    stats = pd.DataFrame({"market": wide["market"], "peer_median": peers.median(),
                          "peer_min": peers.min(), "peer_max": peers.max()})
    statements = float(stats.at["sor_statements", "market"]) if "sor_statements" in stats.index \
        else float("nan")
    rows = stats.reindex([f for f in LEVERS if f in stats.index]).reset_index(names="figure")
    rows["gap"] = rows["peer_median"] - rows["market"]
    is_share = rows["figure"].str.endswith("_share")
    rows["statements_to_close"] = (rows["gap"] * statements).round().where(is_share)
    rows["lever"] = rows["figure"].map(lambda f: LEVERS[f][0])
    rows["where_to_test"] = rows["figure"].map(lambda f: LEVERS[f][1])
    return rows[GAP_COLUMNS]
