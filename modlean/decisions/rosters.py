"""Rosters read from a log: who was on duty when, as pools with shifts.

:func:`pools_from_work` turns the people's events of a calibration into the
scenario's pools: the seats on duty per local hour (a quantile over the log's
days of the people on duty in that hour), cut into shifts, with the
handling times fitted per pool. :func:`person_seats` counts each person once
per hour, however many queues they worked in it.

**On duty.** A person is on duty from the hour they began their first task of a
spell of work to the hour they began its last (a task that runs past the end of a
shift does not lengthen it): tasks less than :data:`DUTY_GAP` apart (from one's
end to the next's start) are one spell, so the hours
between two tasks of a quiet queue count as on duty, and a longer break (the
night, a split shift) does not (:func:`on_duty_hours`). An hour of a spell in
which the person did nothing is split over the pools of the spell's events.

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

__all__ = ["DUTY_GAP", "TEAM_SHARE", "on_duty_hours", "overlap_teams", "person_seats",
           "pools_from_work", "shared_people"]

#: Pools share a team when more than this share of either's person-hours are by shared people.
TEAM_SHARE = 0.5
#: A person's events further apart than this are two spells on duty, off duty in between.
DUTY_GAP = pd.Timedelta(hours=4)


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
    """Seats per ``pool``, ``date`` and ``hour``: each person on duty in an hour is one seat,
    split over the pools of their events in that hour (``seats`` has ``pool``, ``date``,
    ``hour`` and ``resource``, one row per event, and may have a ``weight`` per row)."""
    return _seat_shares(seats).groupby(level=["pool", "date", "hour"]).sum()


def _person_hours(seats: pd.DataFrame) -> pd.Series:
    """Person-hours per ``resource`` and ``pool``: each hour a person was on duty, split over
    the pools of their events in it."""
    return _seat_shares(seats).groupby(level=["resource", "pool"]).sum()


def _seat_shares(seats: pd.DataFrame) -> pd.Series:
    """Each person-hour's share per pool, indexed by ``resource``, ``date``, ``hour``, ``pool``."""
    keys = ["resource", "date", "hour", "pool"]
    per = seats.groupby(keys, sort=False)["weight"].sum() if "weight" in seats else \
        seats.groupby(keys, sort=False).size()
    return per / per.groupby(level=["resource", "date", "hour"]).transform("sum")


def on_duty_hours(work: pd.DataFrame, timezone: str) -> pd.DataFrame:
    """The local hours each person was on duty, per pool: ``pool``, ``date``, ``hour``,
    ``weekday``, ``resource`` and ``weight``.

    ``work`` has ``pool``, ``resource``, ``start`` (may be missing) and ``timestamp``,
    one row per event. Each event gives a row of weight 1 in the hour it began (the
    pools of an hour's events share its seat by their counts). Each other hour of the
    person's spell on duty (see the module notes) gives a row per pool of the spell,
    weighted by that pool's share of the spell's events.
    """
    begin = work["start"].fillna(work["timestamp"]).dt.tz_convert(timezone).dt.tz_localize(None)
    end = work["timestamp"].dt.tz_convert(timezone).dt.tz_localize(None)
    events = pd.DataFrame({"pool": work["pool"].to_numpy(), "resource": work["resource"].to_numpy(),
                           "begin": begin.to_numpy(), "end": np.maximum(begin, end).to_numpy()})
    events = events.sort_values(["resource", "begin"], kind="stable", ignore_index=True)
    reach = events.groupby("resource", sort=False)["end"].cummax()
    new_spell = events["resource"].ne(events["resource"].shift()) | \
        (events["begin"] - reach.shift()).gt(DUTY_GAP)
    events["spell"] = new_spell.cumsum()
    own = events.assign(hour_at=events["begin"].dt.floor("h"), weight=1.0)
    spells = events.groupby("spell").agg(resource=("resource", "first"),
                                         first=("begin", "min"), last=("begin", "max"))
    first, last = spells["first"].dt.floor("h"), spells["last"].dt.floor("h")
    n_hours = ((last - first) // pd.Timedelta(hours=1)).to_numpy(dtype=np.int64) + 1
    spell_of = np.repeat(spells.index.to_numpy(), n_hours)
    step = np.arange(len(spell_of)) - np.repeat(np.cumsum(n_hours) - n_hours, n_hours)
    hours = pd.DataFrame({"spell": spell_of,
                          "resource": np.repeat(spells["resource"].to_numpy(), n_hours),
                          "hour_at": np.repeat(first.to_numpy(), n_hours)
                          + step * np.timedelta64(1, "h")})
    worked = pd.MultiIndex.from_frame(own[["resource", "hour_at"]])
    idle = hours[~pd.MultiIndex.from_frame(hours[["resource", "hour_at"]]).isin(worked)]
    mix = events.groupby(["spell", "pool"], sort=False).size()
    mix = (mix / mix.groupby(level="spell").transform("sum")).rename("weight").reset_index()
    filled = idle.merge(mix, on="spell")
    rows = pd.concat([own[["pool", "resource", "hour_at", "weight"]],
                      filled[["pool", "resource", "hour_at", "weight"]]], ignore_index=True)
    at = rows.pop("hour_at")
    return rows.assign(date=at.dt.normalize(), hour=at.dt.hour, weekday=at.dt.day_of_week)


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
    ``timestamp``. A person is one seat in an hour they were on duty
    (:func:`on_duty_hours`), split over the pools they worked for in that hour by
    their share of its events, so someone working two queues is not two seats.
    """
    seats = on_duty_hours(work, timezone)
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
