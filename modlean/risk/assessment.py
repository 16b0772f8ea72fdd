"""Assessment of a validated register: bands, expected annual loss, appetite, ranking, views.

:func:`assess` bands the inherent, current residual and target ratings on the
matrix, adds the expected annual loss (annual frequency × mean cost, from the
matrix midpoints where the risk gives none) and ranks the risks inside a band
by it, flagging ties (Cox 2008 mitigations). :func:`cell_ids`,
:func:`action_plan` and :func:`overdue_actions` are the views a review meeting reads.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from modlean.risk.fields import OPEN_STATUSES
from modlean.risk.matrix import BANDS, DEFAULT_MATRIX, RiskMatrix

__all__ = ["action_plan", "assess", "cell_ids", "overdue_actions", "rank_risks"]


def assess(risks: pd.DataFrame, matrix: RiskMatrix = DEFAULT_MATRIX) -> pd.DataFrame:
    """Bands, scores, expected annual loss, appetite and ranking for a validated register.

    Adds ``inherent_band``, ``residual_band``, ``target_band`` (None without a
    target), the L×I ``*_score`` (for reference only), ``frequency`` and
    ``cost`` used (the risk's own figures or the matrix midpoints of its
    residual L and I), ``eal_basis``, ``expected_annual_loss``,
    ``within_appetite`` (residual band ≤ appetite; None without an appetite),
    ``alarp`` (buyer-safety impact 5: treat regardless of appetite), and from
    :func:`rank_risks` ``rank``, ``rank_in_band`` and ``tie``.
    """
    out = risks.copy()
    for stage, (lc, ic) in {"inherent": ("inherent_l", "inherent_i"),
                            "residual": ("residual_l", "residual_i")}.items():
        li, ii = out[lc].astype(int), out[ic].astype(int)
        out[f"{stage}_band"] = matrix.band(li.to_numpy(), ii.to_numpy())
        out[f"{stage}_score"] = li * ii
    has_target = out["target_l"].notna() & out["target_i"].notna()
    out["target_band"] = None
    out["target_score"] = None
    if has_target.any():
        tl = out.loc[has_target, "target_l"].astype(int).to_numpy()
        ti = out.loc[has_target, "target_i"].astype(int).to_numpy()
        out.loc[has_target, "target_band"] = matrix.band(tl, ti)
        out.loc[has_target, "target_score"] = tl * ti
    mid_f = np.asarray(matrix.frequency_midpoints)[out["residual_l"].astype(int) - 1]
    mid_c = np.asarray(matrix.cost_midpoints)[out["residual_i"].astype(int) - 1]
    freq_given = out["annual_frequency"].notna()
    cost_given = out["impact_cost"].notna()
    out["frequency"] = np.where(freq_given, out["annual_frequency"].astype(float), mid_f)
    out["cost"] = np.where(cost_given, out["impact_cost"].astype(float), mid_c)
    out["eal_basis"] = np.select(
        [freq_given & cost_given, freq_given, cost_given],
        ["data", "frequency + impact band", "likelihood band + cost"],
        default="likelihood and impact bands")
    out["expected_annual_loss"] = out["frequency"] * out["cost"]
    order = {b: i for i, b in enumerate(BANDS)}
    appetite = out["appetite"].map(lambda a: order.get(a) if a else None)
    out["within_appetite"] = [None if a is None or (isinstance(a, float) and math.isnan(a))
                              else order[b] <= a
                              for a, b in zip(appetite, out["residual_band"], strict=True)]
    out["alarp"] = (out["impact_dimension"] == "buyers") & (out["inherent_i"].astype(int) == 5)
    return rank_risks(out)


def rank_risks(assessed: pd.DataFrame, *, band: str = "residual_band",
               loss: str = "expected_annual_loss") -> pd.DataFrame:
    """Order risks by band (Critical first), then expected loss inside the band.

    Adds ``rank`` (1 = worst), ``rank_in_band`` and ``tie`` (True when another
    risk in the same band has the same expected loss, so the order between them
    means nothing).
    """
    order = {b: i for i, b in enumerate(BANDS)}
    out = assessed.assign(_b=assessed[band].map(order))
    out = out.sort_values(["_b", loss, "risk_id"], ascending=[False, False, True],
                          kind="stable")
    out["rank"] = np.arange(1, len(out) + 1)
    out["rank_in_band"] = out.groupby("_b").cumcount() + 1
    key = out[loss].round(6)
    out["tie"] = out.assign(_k=key).duplicated(subset=["_b", "_k"], keep=False).to_numpy()
    return out.drop(columns="_b").reset_index(drop=True)


def cell_ids(assessed: pd.DataFrame, stage: str = "residual") -> pd.DataFrame:
    """5×5 table of risk ids per cell (likelihood 5 at the top), for the matrix view."""
    lc, ic = {"inherent": ("inherent_l", "inherent_i"), "residual": ("residual_l", "residual_i"),
              "target": ("target_l", "target_i")}[stage]
    rated = assessed.dropna(subset=[lc, ic])
    grid = pd.DataFrame("", index=range(5, 0, -1), columns=range(1, 6))
    grid.index.name, grid.columns.name = "likelihood", "impact"
    for (li, ii), ids in rated.groupby([rated[lc].astype(int), rated[ic].astype(int)])[
            "risk_id"]:
        grid.at[li, ii] = ", ".join(ids)
    return grid


def action_plan(assessed: pd.DataFrame) -> pd.DataFrame:
    """Open action plans: id, title, band, plan, owner, due date, status; by due date."""
    cols = ["risk_id", "title", "residual_band", "target_band", "action_plan", "action_owner",
            "due_date", "status"]
    plans = assessed[assessed["action_plan"].notna() & (assessed["action_plan"] != "")]
    plans = plans.assign(_d=pd.to_datetime(plans["due_date"]))
    return plans.sort_values(["_d", "risk_id"], na_position="last")[cols].reset_index(drop=True)


def overdue_actions(risks: pd.DataFrame, today: dt.date | str | None = None) -> pd.DataFrame:
    """Risks whose action is past its due date and still open or in treatment.

    Returns risk_id, title, action_owner, risk_owner, due_date, status and
    ``days_overdue``, most overdue first.
    """
    day = dt.date.fromisoformat(today) if isinstance(today, str) else (today or dt.date.today())
    due = risks["due_date"]
    late = due.map(lambda d: isinstance(d, dt.date) and d < day) & risks["status"].isin(
        OPEN_STATUSES)
    out = risks.loc[late, ["risk_id", "title", "action_owner", "risk_owner", "due_date",
                           "status"]].copy()
    out["days_overdue"] = [(day - d).days for d in out["due_date"]]
    return out.sort_values(["days_overdue", "risk_id"], ascending=[False, True]).reset_index(
        drop=True)
