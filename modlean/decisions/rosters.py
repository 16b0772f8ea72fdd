"""Rosters read from a log: who was on duty when, as pools with shifts.

:func:`pools_from_work` turns the people's events of a calibration into the
scenario's pools: the seats on duty per local hour (a quantile over the log's
days of the people seen working in that hour), cut into shifts, with the
handling times fitted per pool. :func:`person_seats` counts each person once
per hour, however many queues they worked in it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from modlean.scenario import DAYS

__all__ = ["person_seats", "pools_from_work", "shared_people"]


def shared_people(work: pd.DataFrame) -> dict[str, list[str]]:
    """Per pool, the people (resources) who also worked in another pool."""
    pools_of = work.groupby("resource", sort=True)["pool"].unique()
    shared = pools_of[pools_of.map(len) > 1]
    out: dict[str, list[str]] = {}
    for person, pools in shared.items():
        for pool in pools:
            out.setdefault(str(pool), []).append(str(person))
    return out


def person_seats(seats: pd.DataFrame) -> pd.Series:
    """Seats per ``pool``, ``date`` and ``hour``: each person seen in an hour is one seat,
    split over the pools of their events in that hour (``seats`` has ``pool``, ``date``,
    ``hour`` and ``resource``, one row per event)."""
    per = seats.groupby(["resource", "date", "hour", "pool"], sort=False).size()
    share = per / per.groupby(level=["resource", "date", "hour"]).transform("sum")
    return share.groupby(level=["pool", "date", "hour"]).sum()


def pools_from_work(work: pd.DataFrame, handling: pd.DataFrame, item_types: Mapping[str, Any],
                    routing: Mapping[str, Any], timezone: str, seat_quantile: float,
                    old_pools: Mapping[str, Any], notes: list[str]
                    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Pools from the people's work: seats on duty per local hour turned into shifts,
    handling and skills; returns the scenario's pools and the seats table's rows.

    ``work`` has one row per event of a person: ``pool``, ``resource``, ``start`` and
    ``timestamp``. A person is one seat in an hour they worked, split over the pools
    they worked for in that hour by their share of its events, so someone working two
    queues is not two seats.
    """
    lw = work["start"].fillna(work["timestamp"]).dt.tz_convert(timezone)  # when busy
    seats = pd.DataFrame({"pool": work["pool"], "date": lw.dt.normalize(), "hour": lw.dt.hour,
                          "weekday": lw.dt.day_of_week, "resource": work["resource"]})
    distinct = person_seats(seats)
    pools: dict[str, Any] = {}
    prow = []
    for pool, g in distinct.groupby(level="pool"):
        g = g.droplevel("pool")
        active_dates = g.index.get_level_values("date").unique()
        full = g.reindex(pd.MultiIndex.from_product([active_dates, range(24)],
                                                    names=["date", "hour"]), fill_value=0)
        level = np.floor(full.groupby(level="hour").quantile(seat_quantile) + 0.5) \
            .astype(int).reindex(range(24), fill_value=0).to_numpy()
        if not level.any():  # worked too rarely for the quantile: one seat when it worked
            level = (full.groupby(level="hour").max() > 0).astype(int) \
                .reindex(range(24), fill_value=0).to_numpy()
            notes.append(f"pool {pool!r} works in too few hours for the "
                         f"{seat_quantile:.0%} quantile of seats: one seat in the hours it "
                         "was seen working")
        days = sorted(set(seats.loc[seats["pool"] == pool, "weekday"]))
        head = int(level.max())
        old = dict(old_pools.get(pool, {}))
        hand = _pool_handling(handling, pool)
        old.update({"headcount": float(head), "shifts": _shifts_from_seats(level, days, head),
                    "shrinkage": 0.0, "handling": hand or old.get("handling", {})})
        pools[str(pool)] = old
        prow += [{"pool": pool, "hour": hh, "seats": int(v)} for hh, v in enumerate(level)]
    notes.append("shrinkage cannot be seen in a log: calibrated pools have shrinkage 0 and "
                 "headcount = seats seen on duty; for paid heads divide by (1 - shrinkage)")
    for pool in pools:
        skills = sorted({s for t in item_types for s in item_types[t].get("required_skills", [])
                         if routing.get(t, {}).get("pool") == pool
                         or routing.get(t, {}).get("escalation_pool") == pool})
        pools[pool]["skills"] = sorted(set(pools[pool].get("skills", [])) | set(skills))
    return pools, prow


def _shifts_from_seats(level: np.ndarray, days: list[int], head: int) -> list[dict[str, Any]]:
    """One shift per run of hours with the same number of seats (on the pool's weekdays),
    its share of the ``head`` seats of the busiest hour."""
    shifts = []
    h = 0
    while h < 24:
        if level[h] == 0:
            h += 1
            continue
        e = h
        while e < 24 and level[e] == level[h]:
            e += 1
        shifts.append({"start_hour": float(h), "end_hour": float(e),
                       "days": [DAYS[d] for d in days], "share": level[h] / head})
        h = e
    if len(shifts) == 1 and shifts[0]["start_hour"] == 0 and shifts[0]["end_hour"] == 24:
        shifts[0]["end_hour"] = 24.0
    return shifts


def _pool_handling(handling: pd.DataFrame, pool: str) -> dict[str, dict[str, Any]]:
    """The pool's handling per item type: its L1 reviews when it does them, else the
    activity it did most often for that item type."""
    mine = handling[handling["pool"] == pool]
    mine = mine.assign(first=mine["activity"].eq("review_l1")).sort_values(
        ["first", "n"], ascending=False, kind="stable")
    hand = {}
    for r in mine.itertuples():
        if r.item_type not in hand:
            hand[r.item_type] = {"dist": r.dist, "mean_s": float(r.mean_s),
                                 "cv": float(r.cv) if r.dist == "lognormal" else 0.6}
    return hand
