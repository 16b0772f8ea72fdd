"""Delays of a queue that staff do not shorten: the handoff before it, the pickup in it.

A simulated queue waits for capacity only: an item joins its pool's queue the
moment the step before it ends and starts the moment a reviewer is free. Real
operations also wait in two places no reviewer's time explains, and a log shows
both:

* **handoff**: the time from the step before to the work's ``queued:<stage>``
  event (the ticket created by a batch job, a routing rule on a timer).
  :func:`handoff_gaps` takes, per pool, each timed task whose entry is such a
  marker (an event of nobody) and the gap from the case's event before it.
* **pickup**: work waiting while a seat is free. :func:`idle_waits` takes, per
  pool, each task whose start is logged, its *entry* (the case's previous event)
  and its wait from entry to start, and measures the part of that wait during
  which the pool had a seat free: fewer of its reviews in progress than the
  calibrated seats on duty in that local hour (:mod:`modlean.decisions.rosters`).
  Items arriving together at one free seat wait for capacity, and are not
  counted: the seat is busy with the first of them while the others wait. Work
  still waiting when the shift ends shows only that its pickup lasted at least
  until then: such waits are censored, and the pickup's distribution is the
  Kaplan-Meier estimate, with an exponential tail past the longest pickup seen to
  its end (:func:`censored_quantiles`). Without this, a long pickup cut short by
  the evening would be read as short.

:func:`queue_delays` gives a pool whose mean handoff, or mean free-seat wait, is
at least :data:`MIN_DELAY_MIN` minutes a task a ``handoff`` or ``pickup``: the
per-task values resampled (an empirical distribution), and names each as an
assumption. A free-seat wait read as a pickup delay may instead be fewer people
truly on duty than the seats seen; the assumption says so. A pool whose seats
belong to a team (people shared with other pools) has no pickup measured: its
seats may be busy in the team's other pools. The appeals and QA pools have no
handoff: the delay before an appeal is its filing delay, calibrated apart.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from modlean.decisions.assumptions import Assumptions
from modlean.decisions.discover import empirical_delay
from modlean.kpis import duration_text

__all__ = ["MIN_DELAY_MIN", "MIN_TASKS", "NOBODY", "censored_quantiles", "free_seat_hours",
           "handoff_gaps", "idle_waits", "queue_delays", "seats_by_pool"]

#: A handoff or free-seat wait of at least this many minutes a task, on average, is
#: simulated.
MIN_DELAY_MIN = 5.0
#: A pool needs this many timed tasks with a known entry to be measured.
MIN_TASKS = 30
#: Steps at which the seats on duty may change: local hours start on the quarter hour in
#: every time zone.
_QUARTER = np.timedelta64(15 * 60 * 1_000_000, "us")

#: The resource of an event nobody worked (a queued marker): missing, or the system.
NOBODY = ("nan", "", "system")

_COLUMNS = ["pool", "tasks", "mean_wait_min", "unexplained_min", "unexplained_share",
            "cut_by_shift_end", "free_wait_h"]


def idle_waits(events: pd.DataFrame, timezone: str, seats: Mapping[str, np.ndarray]
               ) -> pd.DataFrame:
    """Per pool: how long timed tasks waited, and how much of it while a seat was free.

    ``events`` has ``case_id``, ``timestamp``, ``start`` (UTC, NaT when not
    logged) and ``pool`` ('' for events of nobody, the model or the system),
    sorted by case and time; ``seats`` the calibrated seats on duty per local
    hour of the day (24 values) per pool. Only tasks entering in an hour with
    seats on duty count (work entering at night waits for the shift). Returns
    ``pool``, ``tasks`` (those timed tasks with an entry), ``mean_wait_min``,
    ``unexplained_min`` (minutes a task waited while a seat was free, over all of
    them; censored at the shift's end, see :func:`censored_quantiles`) and
    ``unexplained_share`` (of the wait), ``cut_by_shift_end`` (the tasks still
    waiting when the shift ended) and ``free_wait_h``, the free-seat wait's
    quantiles in hours. Pools with fewer than :data:`MIN_TASKS` such tasks, or
    without seats of their own, are left out.
    """
    rows = []
    for pool, w in _free_seat_waits(events, timezone, seats).items():
        if len(w.free_s) < MIN_TASKS:
            continue
        delay_h = censored_quantiles(w.free_s / 3600, w.cut)
        rows.append({"pool": pool, "tasks": len(w.wait_s),
                     "mean_wait_min": w.wait_s.mean() / 60,
                     "unexplained_min": float(delay_h.mean()) * 60,
                     "unexplained_share": min(float(delay_h.mean()) * 3600 * len(w.wait_s)
                                              / w.wait_s.sum(), 1.0) if w.wait_s.sum() else 0.0,
                     "cut_by_shift_end": int(w.cut.sum()), "free_wait_h": delay_h})
    return pd.DataFrame(rows, columns=_COLUMNS)


def free_seat_hours(events: pd.DataFrame, timezone: str, seats: Mapping[str, np.ndarray]
                    ) -> pd.Series:
    """Per event (``events`` as for :func:`idle_waits`): the hours its task waited from its
    entry to its start while a seat of its pool was free (work entered at night too); NaN
    for events that are no timed task with an entry, or of a pool without seats of its
    own."""
    out = pd.Series(np.nan, index=events.index)
    for w in _free_seat_waits(events, timezone, seats, night=True).values():
        out[w.rows] = w.free_to_start_s / 3600
    return out


@dataclass(frozen=True)
class _PoolWaits:
    """The timed tasks of one pool with an entry (:func:`_free_seat_waits` says which)."""

    rows: pd.Index  # their rows in the events
    wait_s: np.ndarray  # entry to start
    free_s: np.ndarray  # of it, while a seat was free (up to the shift's end when cut)
    cut: np.ndarray  # still waiting when the shift ended
    free_to_start_s: np.ndarray  # while a seat was free, entry to start


def _free_seat_waits(events: pd.DataFrame, timezone: str, seats: Mapping[str, np.ndarray],
                     *, night: bool = False) -> dict[str, _PoolWaits]:
    """Each pool's timed tasks with an entry: those that entered while it had seats on
    duty, or (``night``) all of them."""
    same_case = events["case_id"].eq(events["case_id"].shift())
    entry = events["timestamp"].shift().where(same_case)
    wait_s = (events["start"] - entry).dt.total_seconds()
    timed = events["pool"].ne("") & wait_s.ge(0)
    out = {}
    for pool, at in events.index[timed].groupby(events.loc[timed, "pool"]).items():
        if str(pool) not in seats or not len(at):
            continue
        # work entering while nobody is on duty waits for the shift: it says nothing of a
        # pickup (and the simulation's pickup runs out during that wait)
        if not night:
            hour = entry[at].dt.tz_convert(timezone).dt.hour
            at = at[np.asarray(seats[str(pool)])[hour] > 0]
        if not len(at):
            continue
        reviews = events.loc[events["pool"].eq(pool) & events["start"].notna()]
        since = _instants(entry[at])
        free_time = _FreeTime(_instants(reviews["start"]), _instants(reviews["timestamp"]),
                              np.asarray(seats[str(pool)]), timezone, since.min())
        start = _instants(events.loc[at, "start"])
        off = free_time.off_duty_after(since)
        cut = off < start  # the shift ended first: the pickup lasted at least this long
        out[str(pool)] = _PoolWaits(rows=at, wait_s=wait_s[at].to_numpy(), cut=cut,
                                    free_s=free_time.between(since, np.where(cut, off, start)),
                                    free_to_start_s=free_time.between(since, start))
    return out


def censored_quantiles(hours: np.ndarray, censored: np.ndarray, n: int = 100) -> np.ndarray:
    """``n`` evenly spaced quantiles of a delay observed as ``hours``, some of them only
    as a lower bound (``censored``: the delay lasted at least that long).

    The Kaplan-Meier estimate up to the longest delay seen to its end; past it (when
    some delays outlasted every ended one), an exponential tail whose rate is the ended
    delays over all the time observed. Without censoring, the plain quantiles; when no
    delay was seen to its end, those of the lower bounds (all the log can say).
    """
    hours = np.asarray(hours, float)
    censored = np.asarray(censored, bool)
    probs = (np.arange(n) + 0.5) / n
    ended = ~censored
    if not censored.any() or not ended.any():  # none cut; or none seen to its end: the
        return np.quantile(hours, probs) if len(hours) > n else np.sort(hours)  # bounds
    order = np.lexsort((censored, hours))  # at a tie, an ended delay before a cut one
    t, done = hours[order], ended[order]
    at_risk = len(t) - np.arange(len(t))
    survival = np.cumprod(np.where(done, 1 - 1 / at_risk, 1.0))
    times, left = t[done], survival[done]
    cdf = 1 - left
    rate = ended.sum() / max(hours.sum(), 1e-12)  # an exponential's rate, censored MLE
    inside = probs <= cdf[-1]
    out = np.empty(n)
    out[inside] = times[np.searchsorted(cdf, probs[inside] - 1e-12)]
    beyond = probs[~inside]
    out[~inside] = times[-1] - np.log((1 - beyond) / left[-1]) / rate
    return out


class _FreeTime:
    """Seconds during which a pool had a seat free, between any two instants.

    The pool's reviews in progress and its seats on duty are step functions; they
    change only at a review's start or end and on the quarter hour, so between
    those points a seat is free or not throughout.
    """

    def __init__(self, starts: np.ndarray, ends: np.ndarray, seats_by_hour: np.ndarray,
                 timezone: str, earliest: np.datetime64) -> None:
        first = min(starts.min(), earliest).astype("datetime64[h]")
        grid = np.arange(first, ends.max() + 2 * _QUARTER, _QUARTER).astype("datetime64[us]")
        self.points = np.unique(np.concatenate([starts, ends, grid]))
        busy = np.searchsorted(np.sort(starts), self.points, "right") - \
            np.searchsorted(np.sort(ends), self.points, "right")
        hour = pd.DatetimeIndex(self.points, tz="UTC").tz_convert(timezone).hour.to_numpy()
        self.free = busy < seats_by_hour[hour]  # from each point to the next
        seconds = np.diff(self.points).astype(np.int64) / 1e6
        self.before = np.concatenate(([0.0], np.cumsum(np.where(self.free[:-1], seconds, 0.0))))
        self.off_points = self.points[seats_by_hour[hour] == 0]  # where nobody is on duty

    def off_duty_after(self, t: np.ndarray) -> np.ndarray:
        """The first moment at or after each of ``t`` with no seat on duty (the grid's
        end when there is none)."""
        if not len(self.off_points):
            return np.full(len(t), self.points[-1])
        k = np.searchsorted(self.off_points, t, "left")
        found = self.off_points[np.minimum(k, len(self.off_points) - 1)]
        return np.where(k < len(self.off_points), found, self.points[-1])

    def until(self, t: np.ndarray) -> np.ndarray:
        """Free seconds from the first point up to each of ``t`` (none before it)."""
        k = np.searchsorted(self.points, t, "right") - 1
        into = (t - self.points[k]).astype(np.int64) / 1e6
        return self.before[k] + np.where(self.free[k], into, 0.0)

    def between(self, since: np.ndarray, until: np.ndarray) -> np.ndarray:
        """Free seconds from each of ``since`` to the same position of ``until``."""
        return self.until(until) - self.until(since)


def _instants(times: pd.Series) -> np.ndarray:
    """UTC times as ``datetime64[us]``."""
    return times.to_numpy(dtype="datetime64[us]")


def handoff_gaps(events: pd.DataFrame) -> pd.DataFrame:
    """Per pool: the gap from the step before to each timed task's queued marker.

    ``events`` as for :func:`idle_waits`, with ``resource``. A task counts when its entry
    (the case's previous event) is an event of nobody (no resource or the system, and no
    start: a ``queued:<stage>`` marker, not the model's decision) that has an event
    before it in the case. Returns ``pool``, ``tasks`` and
    ``gap_h`` (each task's gap in hours, 0 when the marker comes first).
    """
    same_case = events["case_id"].eq(events["case_id"].shift())
    nobody = events["resource"].isin(NOBODY) if "resource" in events else events["pool"].eq("")
    marker = same_case & nobody.shift(fill_value=False) & events["start"].shift().isna()
    before = events["timestamp"].shift(2).where(same_case & same_case.shift(1, fill_value=False))
    gap_h = ((events["timestamp"].shift() - before).dt.total_seconds() / 3600).clip(lower=0)
    timed = events["pool"].ne("") & events["start"].notna() & marker & gap_h.notna()
    rows = [{"pool": str(pool), "tasks": len(g), "gap_h": g.to_numpy()}
            for pool, g in gap_h[timed].groupby(events.loc[timed, "pool"])]
    return pd.DataFrame(rows, columns=["pool", "tasks", "gap_h"])


def queue_delays(events: pd.DataFrame, timezone: str, seat_rows: list[dict[str, Any]],
                 pools: dict[str, Any], assume: Assumptions, *,
                 no_handoff: Collection[str] = ()) -> None:
    """Give pools their ``handoff`` and ``pickup`` (in ``pools``, the scenario's pools as
    data) where the mean is at least :data:`MIN_DELAY_MIN` minutes a task, and name each
    in ``assume`` (``seat_rows``: the calibration's ``pool``, ``hour``, ``seats`` rows;
    ``no_handoff``: pools whose entry delay is calibrated apart, appeals and QA)."""
    for _, row in handoff_gaps(events).iterrows():
        minutes = float(np.mean(row["gap_h"])) * 60
        if row["pool"] in pools and row["pool"] not in no_handoff and \
                row["tasks"] >= MIN_TASKS and minutes >= MIN_DELAY_MIN:
            pools[row["pool"]]["handoff"] = empirical_delay(row["gap_h"])
            assume.add(f"pools.{row['pool']}.handoff", _handoff_why(row["tasks"], minutes),
                       shown=f"{duration_text(60 * minutes)} a task on average (resampled)")
    for _, row in idle_waits(events, timezone, seats_by_pool(seat_rows)).iterrows():
        if row["unexplained_min"] >= MIN_DELAY_MIN and row["pool"] in pools:
            pools[row["pool"]]["pickup"] = empirical_delay(row["free_wait_h"])
            assume.add(f"pools.{row['pool']}.pickup", _pickup_why(row),
                       shown=f"{duration_text(60 * row['unexplained_min'])} a task on average "
                       "(resampled)")


def seats_by_pool(seat_rows: list[dict[str, Any]]) -> dict[str, np.ndarray]:
    """The calibration's ``pool``, ``hour``, ``seats`` rows as 24 seats per pool."""
    return {str(pool): g.sort_values("hour")["seats"].to_numpy()
            for pool, g in pd.DataFrame(seat_rows, columns=["pool", "hour", "seats"])
            .groupby("pool")}


def _handoff_why(tasks: int, minutes: float) -> str:
    """What a pool's handoff stands for."""
    return (f"its {tasks:,} tasks were queued {duration_text(60 * minutes)} on average after "
            "the step before them ended (a ticket created by a batch job or a routing rule on a "
            "timer): simulated before the work joins the queue, and not shortened by staff")


def _pickup_why(row: pd.Series) -> str:
    """What a pool's pickup delay (a row of :func:`idle_waits`) stands for."""
    return (f"its {row['tasks']:,} tasks queued while it had seats on duty waited "
            f"{duration_text(60 * row['mean_wait_min'])} on average before their start, "
            f"{duration_text(60 * row['unexplained_min'])} of it "
            f"({row['unexplained_share']:.0%}) while one of its calibrated seats was free: "
            "read as a pickup delay (work pulled in batches or on a timer, agents on other "
            "channels), simulated before a reviewer may take the work and not shortened by "
            "staff" + (f"; {row['cut_by_shift_end']:,} were still waiting when the shift "
                       "ended, so their delay is read as lasting at least until then "
                       "(Kaplan-Meier)" if row["cut_by_shift_end"] else "")
            + ". If instead fewer people were on duty than the seats seen in those hours, "
            "the seats are too many and this delay stands in for them")
