"""Queue delays staff do not shorten (modlean.decisions.queue_delays): waits while a seat
is free and handoffs before the queue, against hand-counted cases; the pickup and handoff
calibration gives a pool for an export with such delays (and not for one whose agents take
the next task as soon as they are free); and the simulated delays against the queueing
answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from bpo_export import make_export

import modlean
from modlean.decisions import calibrate
from modlean.decisions.headcount import analytic_staffing
from modlean.decisions.queue_delays import censored_quantiles, handoff_gaps, idle_waits
from modlean.scenario import apply_overrides, preset
from modlean.simulation import simulate
from modlean.simulation.queueing import erlang_c

T0 = pd.Timestamp("2026-03-02 10:00", tz="UTC")
ALL_DAY = {"l1": np.full(24, 2)}


def _events(queued: list[pd.Timestamp], starts: list[pd.Timestamp], minutes: float
            ) -> pd.DataFrame:
    """Per case a ``queued`` event (nobody's) and a review in pool l1 from ``start``."""
    rows = []
    for i, (q, s) in enumerate(zip(queued, starts, strict=True)):
        rows.append({"case_id": f"c{i:03d}", "timestamp": q, "start": pd.NaT, "pool": ""})
        rows.append({"case_id": f"c{i:03d}", "timestamp": s + pd.Timedelta(minutes=minutes),
                     "start": s, "pool": "l1"})
    df = pd.DataFrame(rows)
    df["start"] = pd.to_datetime(df["start"], utc=True)
    return df.sort_values(["case_id", "timestamp"], ignore_index=True)


def test_a_wait_with_seats_free_throughout_is_all_unexplained():
    queued = [T0 + pd.Timedelta(hours=i) for i in range(40)]
    starts = [q + pd.Timedelta(minutes=10) for q in queued]
    row = idle_waits(_events(queued, starts, 5), "UTC", ALL_DAY).iloc[0]
    assert row["tasks"] == 40 and row["mean_wait_min"] == pytest.approx(10)
    assert row["unexplained_min"] == pytest.approx(10)
    assert row["unexplained_share"] == pytest.approx(1)


def test_work_arriving_together_at_one_seat_waits_for_capacity():
    queued = [T0] * 40  # one reviewer works them back to back, 5 min each
    starts = [T0 + pd.Timedelta(minutes=5 * k) for k in range(40)]
    row = idle_waits(_events(queued, starts, 5), "UTC", {"l1": np.ones(24)}).iloc[0]
    assert row["mean_wait_min"] == pytest.approx(5 * 19.5)
    assert row["unexplained_min"] == pytest.approx(0)


def test_only_the_free_part_of_a_wait_counts():
    # one seat, busy with another review for the first 4 of a task's 10 minutes of wait
    queued = [T0 + pd.Timedelta(hours=i) for i in range(40)]
    busy = _events([q - pd.Timedelta(minutes=1) for q in queued],
                   [q - pd.Timedelta(minutes=1) for q in queued], 5)  # until q + 4 min
    busy["case_id"] = "b" + busy["case_id"]
    waits = _events(queued, [q + pd.Timedelta(minutes=10) for q in queued], 5)
    both = pd.concat([busy, waits]).sort_values(["case_id", "timestamp"], ignore_index=True)
    row = idle_waits(both, "UTC", {"l1": np.ones(24)}).iloc[0]
    assert row["tasks"] == 80  # the busy reviews waited 0 min
    assert row["unexplained_min"] == pytest.approx(6 * 40 / 80)


def test_waiting_for_the_morning_shift_is_a_wait_for_capacity():
    seats = np.zeros(24)
    seats[8:18] = 2  # local hours 08-18 in Berlin (UTC+1 in March)
    days = range(2, 28)  # before the spring change
    late = [pd.Timestamp(f"2026-03-{d:02d} 17:30", tz="Europe/Berlin") for d in days] * 2
    starts = [q + pd.Timedelta(hours=14, minutes=50) for q in late]  # 08:20 the next day
    row = idle_waits(_events(late, starts, 5), "Europe/Berlin", {"l1": seats}).iloc[0]
    assert row["mean_wait_min"] == pytest.approx(890)
    # free 17:30-18:00, then the shift ended: the pickup lasted at least 30 min (the free
    # 08:00-08:20 after the night says nothing more of it)
    assert row["unexplained_min"] == pytest.approx(30)
    assert row["cut_by_shift_end"] == len(late)
    night = [pd.Timestamp(f"2026-03-{d:02d} 02:00", tz="Europe/Berlin") for d in days] * 2
    starts = [q + pd.Timedelta(hours=6, minutes=20) for q in night]
    assert idle_waits(_events(night, starts, 5), "Europe/Berlin", {"l1": seats}).empty


def test_censored_delays_are_read_by_kaplan_meier():
    # by hand: ended at 1, 2, 3 h; one still waiting at 2.5 h. S(1) = 3/4, S(2) = 1/2,
    # S(3) = 0: quartile midpoints 1, 2, 3, 3
    got = censored_quantiles(np.array([1, 2, 3, 2.5]), np.array([0, 0, 0, 1], bool), n=4)
    assert got.tolist() == [1, 2, 3, 3]
    assert censored_quantiles(np.array([3.0, 1.0]), np.zeros(2, bool)).tolist() == [1, 3]
    # exponential delays (mean 4 h), each seen until a uniform cut in 0-12 h
    rng = np.random.default_rng(5)
    delay, cut = rng.exponential(4, 20_000), rng.uniform(0, 12, 20_000)
    read = censored_quantiles(np.minimum(delay, cut), delay > cut)
    assert read.mean() == pytest.approx(4, rel=0.05)
    assert np.minimum(delay, cut).mean() < 3  # what reading the cut waits as whole gives


def test_a_long_pickup_cut_short_by_the_evening_is_read_whole():
    """One seat on duty 08-20 UTC; work queued through the day is picked up an exponential
    time (mean 3 h) after it arrives, else the next morning at 08:00."""
    rng = np.random.default_rng(11)
    seats = np.zeros(24)
    seats[8:20] = 1
    queued, starts = [], []
    for day in range(300):
        q = T0.normalize() + pd.Timedelta(days=day, hours=8 + 12 * rng.random())
        ready = q + pd.Timedelta(hours=rng.exponential(3))
        if ready.hour >= 20 or ready.normalize() > q.normalize():
            ready = q.normalize() + pd.Timedelta(days=1, hours=8)
        queued.append(q)
        starts.append(ready)
    row = idle_waits(_events(queued, starts, 1), "UTC", {"l1": seats}).iloc[0]
    assert row["cut_by_shift_end"] > 50
    assert row["unexplained_min"] == pytest.approx(180, rel=0.15)


def test_a_pool_without_seats_of_its_own_or_few_tasks_is_left_out():
    queued = [T0 + pd.Timedelta(hours=i) for i in range(40)]
    events = _events(queued, [q + pd.Timedelta(minutes=10) for q in queued], 5)
    assert idle_waits(events, "UTC", {"team_": np.ones(24)}).empty
    assert idle_waits(events.iloc[:20], "UTC", ALL_DAY).empty


def test_a_handoff_is_the_gap_from_the_step_before_to_the_queued_marker():
    def event(case, minutes, resource, pool, started=None):
        return {"case_id": case, "timestamp": T0 + pd.Timedelta(minutes=minutes),
                "start": pd.NaT if started is None else T0 + pd.Timedelta(minutes=started),
                "resource": resource, "pool": pool}

    rows = []
    for i in range(3):  # a bot's step, the queued marker 20 min later, the review
        rows += [event(f"c{i}", 60 * i, "model", "", started=60 * i),
                 event(f"c{i}", 60 * i + 20, "nan", ""),
                 event(f"c{i}", 60 * i + 40, "a1", "l1", started=60 * i + 30)]
    rows += [event("c8", 0, "nan", ""), event("c8", 9, "a1", "l1", started=0)]  # no step before
    rows += [event("c9", 0, "seller", ""), event("c9", 30, "model", ""),  # the model decides,
             event("c9", 50, "a1", "l1", started=40)]  # no marker: not a handoff
    events = pd.DataFrame(rows)
    events["start"] = pd.to_datetime(events["start"], utc=True)
    gaps = handoff_gaps(events.sort_values(["case_id", "timestamp"], ignore_index=True))
    assert list(gaps["pool"]) == ["l1"] and gaps["tasks"].iloc[0] == 3
    np.testing.assert_allclose(gaps["gap_h"].iloc[0], [1 / 3] * 3)


def _export(folder, pickup_min: float, handoff_min: float = 0.0) -> tuple:
    """A vendor's task sheet: each ticket's review picked up by one of six mostly idle agents
    after an exponential delay, handled in about 6 minutes. With ``handoff_min``, an intake
    bot's ticket comes first, and the review's ticket (its child) is created an exponential
    delay after the bot closed it."""
    rng = np.random.default_rng(4)
    n = 900
    arrived = pd.Timestamp("2026-03-02 07:00", tz="Europe/Berlin") + pd.to_timedelta(
        np.sort(rng.uniform(0, 5 * 86400, n)), unit="s")
    created = arrived + pd.to_timedelta(rng.exponential(handoff_min * 60, n) if handoff_min
                                        else np.zeros(n), unit="s")
    start = created + pd.to_timedelta(rng.exponential(pickup_min * 60, n), unit="s")
    closed = start + pd.to_timedelta(rng.gamma(2, 180, n), unit="s")
    agents = rng.choice([f"a{i}" for i in range(6)], n)
    tasks = pd.DataFrame({"Ticket": [f"T{i}" for i in range(n)], "Parent": "",
                          "Queue": "FIRST-LINE", "Agent": agents, "Created": created,
                          "Started": start, "Closed": closed,
                          "Outcome": rng.choice(["OK", "REMOVE"], n, p=[0.8, 0.2])})
    if handoff_min:
        tasks["Parent"] = [f"I{i}" for i in range(n)]
        intake = pd.DataFrame({"Ticket": [f"I{i}" for i in range(n)], "Parent": "",
                               "Queue": "INTAKE", "Agent": "intake-bot", "Created": arrived,
                               "Started": arrived, "Closed": arrived + pd.Timedelta(seconds=1),
                               "Outcome": "FORWARD"})
        tasks = pd.concat([intake, tasks], ignore_index=True)
    for col in ("Created", "Started", "Closed"):
        tasks[col] = tasks[col].dt.strftime("%d/%m/%Y %H:%M:%S")
    tasks.to_csv(folder / "tasks.csv", index=False)
    (folder / "profile.yaml").write_text(
        "shape: tasks\nlocale: {dayfirst: true, timezone: Europe/Berlin}\n"
        "case: {id: Ticket, links: [Parent]}\n"
        "task: {queue: Queue, resource: Agent, created: Created, started: Started, "
        "closed: Closed}\n"
        "queues:\n  FIRST-LINE: {stage: review_l1, pool: first_line}\n"
        "  INTAKE: {stage: auto_screen, pool: model, automated: true}\n"
        "decision:\n  column: Outcome\n"
        "  values: {OK: approve, REMOVE: reject, FORWARD: escalate}\n")
    return modlean.import_export(folder / "tasks.csv", folder / "profile.yaml")


def test_calibration_gives_a_pool_the_pickup_delay_its_seats_do_not_explain(tmp_path):
    imported = _export(tmp_path, 15)
    cal = calibrate(imported.log, timezone="Europe/Berlin")
    pickup = cal.scenario.pools["first_line"].pickup
    assert pickup is not None and pickup.dist == "empirical"
    assert 12 / 60 <= np.mean(pickup.values) <= 18 / 60  # the 15 min delay, within sampling
    named = cal.assumptions.set_index("field")
    assert "a task on average" in named.loc["pools.first_line.pickup", "value"]
    assert "pickup delay" in named.loc["pools.first_line.pickup", "why"]
    # simulated, the first-line wait is the log's (it was about 0 without the pickup)
    log = imported.log
    review = log[log["activity"] == "review_l1"]
    queued = log.loc[review.index - 1, "timestamp"].set_axis(review.index)
    real_wait_h = (review["start_timestamp"] - queued).dt.total_seconds().mean() / 3600
    pools = simulate(cal.scenario, seed=2).pool_kpis
    simulated = pools[(pools["pool"] == "first_line") & (pools["kpi"] == "wait_mean_h")]
    assert float(simulated["value"].iloc[0]) == pytest.approx(real_wait_h, rel=0.2)


def test_calibration_gives_the_handoff_before_the_queue_and_the_turnaround_is_the_logs(
        tmp_path):
    imported = _export(tmp_path, 10, handoff_min=20)
    cal = calibrate(imported.log, timezone="Europe/Berlin")
    pool = cal.scenario.pools["first_line"]
    assert 17 / 60 <= np.mean(pool.handoff.values) <= 23 / 60  # 20 min, within sampling
    assert 8 / 60 <= np.mean(pool.pickup.values) <= 12 / 60  # 10 min
    assert "queued 19 min on average after the step before" in \
        cal.assumptions.set_index("field").loc["pools.first_line.handoff", "why"]
    real = _turnaround_h(imported.log)
    simulated = _turnaround_h(simulate(cal.scenario, seed=4).log)
    assert simulated == pytest.approx(real, rel=0.15)  # about 36 min; 6 without the delays


def _turnaround_h(log: pd.DataFrame) -> float:
    """Mean hours from a case's first event to its last."""
    span = log.groupby(log["case_id"].astype(str))["timestamp"].agg(["min", "max"])
    return float((span["max"] - span["min"]).dt.total_seconds().mean() / 3600)


def test_calibration_gives_no_pickup_where_agents_take_the_next_task_when_free(tmp_path):
    imported = modlean.import_export(*make_export(2000, seed=3, days=3).write_with_profile(
        tmp_path))
    cal = calibrate(imported.log, timezone="Europe/Berlin", qa=imported.qa, workflow=False)
    assert not cal.assumptions["field"].str.contains(r"\.pickup|\.handoff").any()
    assert all(p.pickup is None and p.handoff is None for p in cal.scenario.pools.values())


# --------------------------------------------------------------------------- simulation


def _mmc_waits(pickup: dict | None) -> float:
    scenario = preset("mmc")
    if pickup is not None:
        scenario = apply_overrides(scenario, {"pools.servers.pickup": pickup})
    pools = simulate(scenario, seed=1, replications=3, workers=1).pool_kpis
    return float(pools.loc[pools["kpi"] == "wait_mean_h", "value"].mean())


def test_a_constant_handoff_moves_the_queue_not_its_waits():
    base, handed = (simulate(apply_overrides(preset("mmc"), over), seed=1, workers=1)
                    for over in ({}, {"pools.servers.handoff": {"dist": "constant",
                                                                "mean_hours": 0.5}}))
    waits = [r.pool_kpis.set_index("kpi").loc["wait_mean_h", "value"] for r in (base, handed)]
    assert waits[1] == pytest.approx(waits[0], rel=0.01)
    turnaround = [r.items["turnaround_h"].mean() for r in (base, handed)]
    assert turnaround[1] - turnaround[0] == pytest.approx(0.5, abs=0.01)


def test_a_constant_pickup_adds_itself_to_every_wait():
    # the queue sees the same arrivals shifted by half an hour: its waits do not change
    assert _mmc_waits({"dist": "constant", "mean_hours": 0.5}) == \
        pytest.approx(_mmc_waits(None) + 0.5, abs=1e-9)


def test_an_exponential_pickup_adds_its_mean_to_the_erlang_c_wait():
    # Poisson arrivals delayed by independent draws are Poisson again (M/G/inf output)
    scenario = preset("mmc")
    pool = scenario.pools["servers"]
    item = next(iter(scenario.item_types.values()))
    handling_h = pool.handling_for(next(iter(scenario.item_types))).mean_s / 3600
    lam = item.volume_per_day / 24
    erlang = erlang_c(int(pool.headcount), lam * handling_h) * handling_h / (
        pool.headcount - lam * handling_h)
    waited = _mmc_waits({"dist": "exponential", "mean_hours": 0.25})
    assert waited == pytest.approx(erlang + 0.25, rel=0.05)


def test_analytic_staffing_sizes_for_the_sla_left_after_the_queue_delays():
    scenario = preset("mmc")  # 1 h SLA at 95 %
    slow = analytic_staffing(apply_overrides(scenario, {
        "pools.servers.handoff": {"dist": "constant", "mean_hours": 0.5},
        "pools.servers.pickup": {"dist": "empirical", "values": [0.2, 0.25, 0.3]}}))
    row = slow.iloc[0]
    assert "P(turnaround <= 0.25 h)" in row["method"] and "0.75 h of handoff and pickup" in \
        row["method"]
    assert row["analytic"] >= analytic_staffing(scenario).iloc[0]["analytic"]
    stuck = analytic_staffing(apply_overrides(scenario, {
        "pools.servers.pickup": {"dist": "constant", "mean_hours": 1.5}})).iloc[0]
    assert np.isnan(stuck["analytic"]) and "alone take 1.5 h of the 1 h SLA" in stuck["method"]
