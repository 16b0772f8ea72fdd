"""The time grid of a scenario (15-minute cells, local time) and each pool's and team's
capacity on it.

Arrival rates and reviewer capacity change at most once per cell; the grid holds
each cell's start (simulation seconds from the clock's start: local midnight of the
first day, or the scenario's ``start_time``) and
its local hour, weekday and date.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from modlean.scenario import DAYS, Scenario

if TYPE_CHECKING:
    from modlean.scenario import People

__all__ = ["GRID_S", "Grid", "pool_capacity", "team_capacity", "time_grid"]

#: Capacity and arrival-rate resolution: 15 minutes.
GRID_S = 900.0


@dataclass
class Grid:
    """A 15-minute grid over the simulated period, in simulation seconds and local time."""

    t0: pd.Timestamp
    seconds: np.ndarray
    hour: np.ndarray
    weekday: np.ndarray
    date: np.ndarray
    prev_weekday: np.ndarray


def time_grid(s: Scenario) -> Grid:
    """The grid from ``s.start_time`` (local midnight of ``s.start`` when it has none) to
    the end of the drain period."""
    t0 = pd.Timestamp(s.start).tz_localize(s.timezone).tz_convert("UTC") \
        if s.start_time is None else pd.Timestamp(s.start_time).tz_convert("UTC")
    end_s = (s.horizon_days + s.drain_days) * 86400.0
    seconds = np.arange(0.0, end_s + GRID_S, GRID_S)
    local = (t0 + pd.to_timedelta(seconds, unit="s")).tz_convert(s.timezone)
    hour = np.asarray(local.hour + local.minute / 60.0, float)
    weekday = np.asarray(local.day_of_week, np.int64)
    date = np.asarray(local.date)
    return Grid(t0, seconds, hour, weekday, date, (weekday - 1) % 7)


def _shift_active(grid: Grid, start: float, end: float, days: list[str]) -> np.ndarray:
    """Per grid cell, whether a shift from ``start`` to ``end`` (local hours) is on."""
    on = np.isin(grid.weekday, [DAYS.index(d) for d in days])
    on_prev = np.isin(grid.prev_weekday, [DAYS.index(d) for d in days])
    if end > start:
        return on & (grid.hour >= start) & (grid.hour < end)
    # past midnight (or a 24-hour shift when start == end)
    return (on & (grid.hour >= start)) | (on_prev & (grid.hour < end))


def _capacity(people: People | None, grid: Grid) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The times productive reviewers change, their number from then, and the seats per
    cell of one roster (None: nobody, as for a pool whose people are a team's)."""
    seats = np.zeros(len(grid.seconds))
    if people is None:
        return grid.seconds[:1], np.zeros(1, np.int64), seats
    for shift in people.shifts:
        seats += shift.share * people.headcount * _shift_active(  # type: ignore[operator]
            grid, shift.start_hour, shift.end_hour, shift.days)
    productive = np.floor(seats * (1 - people.shrinkage) + 0.5).astype(np.int64)
    change = np.r_[True, productive[1:] != productive[:-1]]
    return grid.seconds[change], productive[change], seats


def pool_capacity(s: Scenario, grid: Grid) -> tuple[list[np.ndarray], list[np.ndarray],
                                                    list[np.ndarray]]:
    """Per pool: the times its productive reviewers change, their number from then on,
    and the scheduled seats in every grid cell (a pool in a team has none of its own:
    :func:`team_capacity` has them).

    Productive reviewers are seats x (1 - shrinkage), rounded to whole reviewers.
    """
    parts = [_capacity(pool if pool.team is None else None, grid) for pool in s.pools.values()]
    return [p[0] for p in parts], [p[1] for p in parts], [p[2] for p in parts]


def team_capacity(s: Scenario, grid: Grid) -> tuple[list[np.ndarray], list[np.ndarray],
                                                    list[np.ndarray]]:
    """The same per team (``s.teams`` order): one person is one seat for all its pools."""
    parts = [_capacity(team, grid) for team in s.teams.values()]
    return [p[0] for p in parts], [p[1] for p in parts], [p[2] for p in parts]
