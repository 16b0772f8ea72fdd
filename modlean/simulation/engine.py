"""The SimPy run of a work plan: reviewers, queues, shifts and priorities.

The plan (:mod:`modlean.simulation.plan`) already knows every human visit an item will
make and how long each takes; the engine decides *when*. It runs on a
:class:`simpy.Environment` with plain events and callbacks instead of one
generator process per item, because that is what keeps a million items fast:

* one chain of arrival events walks through the first visits in time order;
* each reviewer pool is a counter of busy reviewers, a capacity that a chain of
  shift events changes over the day (shifts x headcount x (1 - shrinkage)), and
  a waiting line (a deque for ``fifo``, a heap for ``priority`` and ``sla_age``);
* a review is one timeout event; when it fires the reviewer takes the next item
  in line (if the current capacity allows) and the item moves to its next visit,
  after that visit's delay (an appeal's filing delay).

Reviews in progress when capacity drops are finished (no pre-emption). Start and
end times (and the reviewer seat, when asked) go into preallocated arrays.

**Teams** (people who work several pools, ``teams=``): the team's pools share one
busy counter, one capacity chain and one set of seats, and each keeps its own line
and discipline. When a team member frees up (or a shift adds one), they take the
head of the line, among the team's pools, that has waited longest; ties go to the
pool listed first. Why this rule: it serves the team's work first come, first
served across its pools while each pool orders its own line, so no pool starves
and a team whose pools are all ``fifo`` with the same handling is exactly one
M/M/c queue over the combined arrivals (tests/test_teams.py holds it to the closed
forms); a fixed order of pools would starve the last one under load. The team
callbacks are a second set, used only when the scenario has teams, so the hot loop
of a scenario without teams is the one above, untouched (bench/bench_sim.py).

:class:`simpy.Resource` is not used because its capacity is fixed; shifts need a
capacity that changes while items wait.
"""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Callable, Sequence
from heapq import heappop, heappush
from itertools import count

import numpy as np
import simpy

from modlean.simulation.codes import UNLIMITED, Discipline

__all__ = ["EngineResult", "run_engine"]

#: The callbacks a run is made of: ``join(visit, now)`` and ``fill(server, now)``.
Callbacks = tuple[Callable[[int, float], None], Callable[[int, float], None]]


def _compact(code: str, values: np.ndarray) -> array:
    """A numpy array as an :class:`array.array` (fast item access from Python, compact)."""
    out = array(code)
    out.frombytes(memoryview(np.ascontiguousarray(values, dtype=np.dtype(code))).cast("B"))
    return out


class EngineResult:
    """Start and end time of every visit (NaN when it never started or ended) and its seat."""

    __slots__ = ("end", "seat", "start")

    def __init__(self, start: np.ndarray, end: np.ndarray, seat: np.ndarray | None) -> None:
        self.start = start
        self.end = end
        self.seat = seat


def run_engine(*, first_visits: np.ndarray, first_times: np.ndarray, pool: np.ndarray,
               service: np.ndarray, delay: np.ndarray, nxt: np.ndarray, key: np.ndarray,
               key_now: np.ndarray, cap_times: list[np.ndarray], cap_values: list[np.ndarray],
               disciplines: list[str], end_time: float, record_seats: bool = True,
               teams: Sequence[Sequence[int]] = (), team_cap_times: Sequence[np.ndarray] = (),
               team_cap_values: Sequence[np.ndarray] = ()) -> EngineResult:
    """Simulate the visits until ``end_time``.

    Parameters
    ----------
    first_visits, first_times:
        The first visit of each item that meets a human and when it joins its
        queue, sorted by time.
    pool, service, delay, nxt:
        Per visit: pool index, handling time, delay before joining the queue
        (used for visits after the first) and the item's next visit (-1: none).
    key, key_now:
        Queue order in ``priority``/``sla_age`` pools: smaller first; when
        ``key_now`` is true the key counts from the time the visit joins.
    cap_times, cap_values:
        Per pool, the times capacity changes and the productive reviewers from then.
    disciplines:
        Per pool, ``fifo``, ``priority`` or ``sla_age``.
    record_seats:
        Record which seat (reviewer) did each visit, for the event log; a visit to a
        team's pool gets a seat of the team (numbered per team).
    teams, team_cap_times, team_cap_values:
        Per team, the pools it works (their own capacity is unused) and its capacity
        changes, as for a pool.
    """
    n_visits = len(pool)
    env = simpy.Environment()
    nan_row = array("d", [float("nan")])
    start = nan_row * n_visits
    end = nan_row * n_visits
    seat = array("i", [-1]) * n_visits if record_seats else None
    times, values = list(cap_times) + list(team_cap_times), list(cap_values) + list(team_cap_values)
    pools = _Pools(disciplines, values)
    make = _review_callbacks
    if teams:
        pools.share(teams)
        make = _team_callbacks
    join, fill = make(env, pools, start, end, seat, pool=pool, service=service, delay=delay,
                      nxt=nxt, key=key, key_now=key_now)
    for s in range(len(times)):
        _capacity_chain(env, pools, s, times[s], values[s], end_time, fill)
    _arrival_chain(env, first_visits, first_times, join)
    env.run(until=end_time)
    return EngineResult(np.frombuffer(start, dtype=np.float64),
                        np.frombuffer(end, dtype=np.float64),
                        np.frombuffer(seat, dtype=np.int32) if seat is not None else None)


class _Pools:
    """The state of every reviewer pool, as lists indexed by pool (fast from callbacks).

    Busy counters, capacities and seats are per *server*: a pool, or a team after the
    pools (:meth:`share`); lines and disciplines are per pool.
    """

    def __init__(self, disciplines: list[str], cap_values: list[np.ndarray]) -> None:
        n_servers = len(cap_values)
        #: reviewers busy now, and the productive reviewers the current shift allows
        self.busy = [0] * n_servers
        self.cap = [0] * n_servers
        #: True: the waiting line is a heap (priority, sla_age); False: a deque (fifo)
        self.heap = [Discipline.of(d) != Discipline.FIFO for d in disciplines]
        self.lines: list = [[] if h else deque() for h in self.heap]
        #: free seats (reviewer numbers), for the event log's resource; an unlimited
        #: pool (workflow waits) has no seats to number
        max_cap = [int(v.max()) if len(v) else 0 for v in cap_values]
        self.free = [deque(range(max(1, m)) if m < UNLIMITED else [0]) for m in max_cap]
        #: per pool its server, and per server its pools (teams: after the pools)
        self.server = list(range(len(disciplines)))
        self.members = [[p] for p in range(n_servers)]

    def share(self, teams: Sequence[Sequence[int]]) -> None:
        """Pools ``teams[t]`` are served by server ``n_pools + t`` (team ``t``'s people)."""
        n_pools = len(self.server)
        for t, members in enumerate(teams):
            for p in members:
                self.server[p] = n_pools + t
            self.members[n_pools + t] = list(members)


def _review_callbacks(env: simpy.Environment, pools: _Pools, start: array, end: array,
                      seat: array | None, *, pool: np.ndarray, service: np.ndarray,
                      delay: np.ndarray, nxt: np.ndarray, key: np.ndarray,
                      key_now: np.ndarray) -> tuple[Callable[[int, float], None],
                                                    Callable[[int, float], None]]:
    """``join(visit, now)`` (a visit joins its pool) and ``fill(pool, now)`` (start waiting
    visits while the capacity allows).

    The hot loop of the engine: a visit joins its pool's line (or starts at once
    when a reviewer is free); when a review ends, the reviewer takes the next visit
    in line and the item moves on to its next visit. Everything they use is a
    local of this function (closure cells), which keeps them fast.
    """
    timeout = env.timeout
    record_seats = seat is not None
    # compact per-visit arrays (array.array indexes as fast as a list, at 8 bytes a value)
    pool_of = _compact("h", pool)
    svc = _compact("d", service)
    any_heap = any(pools.heap)
    dly = _compact("d", delay) if np.any(delay) else None
    nxt_of = _compact("q", nxt)
    keys = _compact("d", key) if any_heap else None
    keys_now = _compact("b", key_now) if any_heap else None
    busy, cap, heap, lines, free = pools.busy, pools.cap, pools.heap, pools.lines, pools.free
    tie = count()

    def begin(p: int, v: int, now: float) -> None:
        start[v] = now
        if record_seats:
            fp = free[p]
            seat[v] = fp.popleft() if fp else len(fp)  # type: ignore[index]
        timeout(svc[v], v).callbacks.append(finish)

    def join(v: int, now: float) -> None:
        p = pool_of[v]
        if busy[p] < cap[p]:
            busy[p] += 1
            begin(p, v, now)
        elif heap[p]:
            k = keys[v]  # type: ignore[index]
            heappush(lines[p], (k + now if keys_now[v] else k, next(tie), v))  # type: ignore[index]
        else:
            lines[p].append(v)

    def finish(event: simpy.Event) -> None:
        v = event._value
        now = env._now
        end[v] = now
        p = pool_of[v]
        if record_seats:
            free[p].append(seat[v])  # type: ignore[index]
        line = lines[p]
        if line and busy[p] <= cap[p]:
            begin(p, heappop(line)[2] if heap[p] else line.popleft(), now)
        else:
            busy[p] -= 1
        w = nxt_of[v]
        if w >= 0:  # -1: the item has no further visit
            if dly is not None and dly[w] > 0:
                timeout(dly[w], w).callbacks.append(delayed)
            else:
                join(w, now)

    def delayed(event: simpy.Event) -> None:
        join(event._value, env._now)

    def fill(p: int, now: float) -> None:
        line = lines[p]
        while line and busy[p] < cap[p]:
            busy[p] += 1
            begin(p, heappop(line)[2] if heap[p] else line.popleft(), now)

    return join, fill


def _team_callbacks(env: simpy.Environment, pools: _Pools, start: array, end: array,
                    seat: array | None, *, pool: np.ndarray, service: np.ndarray,
                    delay: np.ndarray, nxt: np.ndarray, key: np.ndarray,
                    key_now: np.ndarray) -> Callbacks:
    """:func:`_review_callbacks` for a run with teams: busy counters, capacity and seats
    per server (a pool, or a team); a freed server takes the head that has waited
    longest among its pools' lines (see the module notes)."""
    timeout = env.timeout
    record_seats = seat is not None
    pool_of = _compact("h", pool)
    svc = _compact("d", service)
    dly = _compact("d", delay) if np.any(delay) else None
    nxt_of = _compact("q", nxt)
    keys = _compact("d", key)
    keys_now = _compact("b", key_now)
    joined = array("d", [0.0]) * len(pool)  # when a queued visit joined its line
    busy, cap, heap, lines, free = pools.busy, pools.cap, pools.heap, pools.lines, pools.free
    server, members = pools.server, pools.members
    tie = count()

    def oldest(s: int) -> int:
        """The pool of server ``s`` whose head has waited longest (-1: every line empty)."""
        best, since = -1, float("inf")
        for p in members[s]:
            line = lines[p]
            if line:
                head = line[0][2] if heap[p] else line[0]
                if joined[head] < since:
                    best, since = p, joined[head]
        return best

    def begin(s: int, p: int, now: float) -> None:
        line = lines[p]
        v = heappop(line)[2] if heap[p] else line.popleft()
        start_visit(s, v, now)

    def start_visit(s: int, v: int, now: float) -> None:
        start[v] = now
        if record_seats:
            fs = free[s]
            seat[v] = fs.popleft() if fs else len(fs)  # type: ignore[index]
        timeout(svc[v], v).callbacks.append(finish)

    def join(v: int, now: float) -> None:
        p = pool_of[v]
        s = server[p]
        if busy[s] < cap[s]:
            busy[s] += 1
            start_visit(s, v, now)
            return
        joined[v] = now
        if heap[p]:
            heappush(lines[p], (keys[v] + now if keys_now[v] else keys[v], next(tie), v))
        else:
            lines[p].append(v)

    def finish(event: simpy.Event) -> None:
        v = event._value
        now = env._now
        end[v] = now
        s = server[pool_of[v]]
        if record_seats:
            free[s].append(seat[v])  # type: ignore[index]
        q = oldest(s) if busy[s] <= cap[s] else -1
        if q >= 0:
            begin(s, q, now)
        else:
            busy[s] -= 1
        w = nxt_of[v]
        if w >= 0:
            if dly is not None and dly[w] > 0:
                timeout(dly[w], w).callbacks.append(delayed)
            else:
                join(w, now)

    def delayed(event: simpy.Event) -> None:
        join(event._value, env._now)

    def fill(s: int, now: float) -> None:
        while busy[s] < cap[s]:
            q = oldest(s)
            if q < 0:
                break
            busy[s] += 1
            begin(s, q, now)

    return join, fill


def _arrival_chain(env: simpy.Environment, first_visits: np.ndarray, first_times: np.ndarray,
                   join: Callable[[int, float], None]) -> None:
    """One chain of events walking through the first visits in time order."""
    timeout = env.timeout
    firsts = _compact("q", first_visits)
    times = _compact("d", first_times)
    n_first = len(firsts)

    def arrive(event: simpy.Event) -> None:
        i = event._value
        now = env._now
        join(firsts[i], now)
        i += 1
        if i < n_first:
            timeout(times[i] - now, i).callbacks.append(arrive)

    if n_first:
        timeout(times[0], 0).callbacks.append(arrive)


def _capacity_chain(env: simpy.Environment, pools: _Pools, s: int, cap_times: np.ndarray,
                    cap_values: np.ndarray, end_time: float,
                    fill: Callable[[int, float], None]) -> None:
    """A chain of events setting server ``s``'s capacity; a rise starts waiting visits."""
    timeout = env.timeout
    cap = pools.cap
    when = cap_times.tolist()
    values = cap_values.tolist()

    def change(event: simpy.Event) -> None:
        k = event._value
        now = env._now
        cap[s] = values[k]
        fill(s, now)
        if k + 1 < len(when) and when[k + 1] < end_time:
            timeout(when[k + 1] - now, k + 1).callbacks.append(change)

    if when:
        cap[s] = values[0]
        if len(when) > 1 and when[1] < end_time:
            timeout(when[1], 1).callbacks.append(change)
