"""Rosters read from a log: who was on duty when, as pools with shifts.

:func:`pools_from_work` turns the people's events of a calibration into the
scenario's pools: the seats on duty per local hour (a quantile over the log's
days of the people seen working in that hour), cut into shifts, with the
handling times fitted per pool. :func:`person_seats` counts each person once
per hour, however many queues they worked in it.

**Teams.** Two pools are worked by one team when people overlap heavily: more than
:data:`TEAM_SHARE` of either pool's person-hours are by people who also work the other
(a person-hour is split over the pools of its events, as for seats); pools linked so,
directly or through another pool, form one team (:func:`overlap_teams`). The team's
seats per hour count each of its people once, and its headcount and shifts are read
from them as a pool's are; its pools keep their handling and queues.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from modlean.scenario import DAYS, OWN_PEOPLE_FIELDS

#: A pool's own people fields, which a pool in a team leaves to the team (vendor and site
#: stay: a pool has them too).
PEOPLE_FIELDS = set(OWN_PEOPLE_FIELDS)

__all__ = ["TEAM_SHARE", "overlap_teams", "person_seats", "pools_from_work", "shared_people"]

#: Pools share a team when more than this share of either's person-hours are by shared people.
TEAM_SHARE = 0.5


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


def _person_hours(seats: pd.DataFrame) -> pd.Series:
    """Person-hours per ``resource`` and ``pool``: each hour a person worked, split over the
    pools of their events in it."""
    per = seats.groupby(["resource", "date", "hour", "pool"], sort=False).size()
    share = per / per.groupby(level=["resource", "date", "hour"]).transform("sum")
    return share.groupby(level=["resource", "pool"]).sum()


def overlap_teams(seats: pd.DataFrame) -> dict[str, list[str]]:
    """Teams of pools whose people overlap heavily (see the module notes): ``{team: pools}``,
    the team named ``team_`` and its pools' names; ``seats`` as for :func:`person_seats`."""
    hours = _person_hours(seats).unstack("pool", fill_value=0.0)
    worked = hours > 0
    names = list(hours.columns)
    parent = {p: p for p in names}

    def root(p: str) -> str:
        while parent[p] != p:
            p = parent[p]
        return p

    for i, a in enumerate(names):
        for b in names[i + 1:]:
            both = worked[a] & worked[b]
            share_a = hours.loc[both, a].sum() / hours[a].sum()
            share_b = hours.loc[both, b].sum() / hours[b].sum()
            if max(share_a, share_b) > TEAM_SHARE:
                parent[root(b)] = root(a)
    groups: dict[str, list[str]] = {}
    for p in names:
        groups.setdefault(root(p), []).append(str(p))
    return {"team_" + "_".join(sorted(g))[:60]: sorted(g) for g in groups.values() if len(g) > 1}


def _seat_level(counts: pd.Series, seat_quantile: float, what: str, notes: list[str]
                ) -> np.ndarray:
    """Seats on duty per local hour (24 values) from seats per ``date`` and ``hour``."""
    active_dates = counts.index.get_level_values("date").unique()
    full = counts.reindex(pd.MultiIndex.from_product([active_dates, range(24)],
                                                     names=["date", "hour"]), fill_value=0)
    level = np.floor(full.groupby(level="hour").quantile(seat_quantile) + 0.5) \
        .astype(int).reindex(range(24), fill_value=0).to_numpy()
    if not level.any():  # worked too rarely for the quantile: one seat when it worked
        level = (full.groupby(level="hour").max() > 0).astype(int) \
            .reindex(range(24), fill_value=0).to_numpy()
        notes.append(f"{what} works in too few hours for the {seat_quantile:.0%} quantile "
                     "of seats: one seat in the hours it was seen working")
    return level


def pools_from_work(work: pd.DataFrame, handling: pd.DataFrame, item_types: Mapping[str, Any],
                    routing: Mapping[str, Any], timezone: str, seat_quantile: float,
                    old_pools: Mapping[str, Any], notes: list[str]
                    ) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    """Pools from the people's work: seats on duty per local hour turned into shifts,
    handling and skills; returns the scenario's pools, its teams (pools whose people
    overlap heavily, :func:`overlap_teams`) and the seats table's rows (a team's under
    its name).

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
        level = _seat_level(g.droplevel("pool"), seat_quantile, f"pool {pool!r}", notes)
        days = sorted(set(seats.loc[seats["pool"] == pool, "weekday"]))
        head = int(level.max())
        old = dict(old_pools.get(pool, {}))
        hand = _pool_handling(handling, pool)
        old.update({"headcount": float(head), "shifts": _shifts_from_seats(level, days, head),
                    "shrinkage": 0.0, "handling": hand or old.get("handling", {})})
        pools[str(pool)] = old
        prow += [{"pool": pool, "hour": hh, "seats": int(v)} for hh, v in enumerate(level)]
    teams: dict[str, Any] = {}
    for team, members in overlap_teams(seats).items():
        mine = seats[seats["pool"].isin(members)].assign(pool=team)
        counts = person_seats(mine).droplevel("pool")
        level = _seat_level(counts, seat_quantile, f"team {team!r}", notes)
        head = int(level.max())
        teams[team] = {"headcount": float(head), "shrinkage": 0.0, "shifts": _shifts_from_seats(
            level, sorted(set(mine["weekday"])), head)}
        for pool in members:
            pools[pool] = {k: v for k, v in pools[pool].items() if k not in PEOPLE_FIELDS}
            pools[pool]["team"] = team
        prow += [{"pool": team, "hour": hh, "seats": int(v)} for hh, v in enumerate(level)]
    notes.append("shrinkage cannot be seen in a log: calibrated pools have shrinkage 0 and "
                 "headcount = seats seen on duty; for paid heads divide by (1 - shrinkage)")
    for pool in pools:
        skills = sorted({s for t in item_types for s in item_types[t].get("required_skills", [])
                         if routing.get(t, {}).get("pool") == pool
                         or routing.get(t, {}).get("escalation_pool") == pool})
        pools[pool]["skills"] = sorted(set(pools[pool].get("skills", [])) | set(skills))
    return pools, teams, prow


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
