"""modlean.process.discovery: discovery and performance, checked against pm4py and by hand."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import modlean
from modlean import process
from modlean.errors import LogError, ParameterError

PM4PY_NAMES = {"case_id": "case:concept:name", "activity": "concept:name",
               "timestamp": "time:timestamp"}
ZONES = ["Z", "+07:00", "-05:00", "+05:30"]


def random_log(seed: int, n_cases: int = 80, starts: bool = False) -> pd.DataFrame:
    """A seeded log with ties, one-event cases, self-loops and times in several zones.

    Times are written as text with an offset, in the zone picked per event, and
    read through ``modlean.read_log``; gaps of 0 minutes make equal timestamps.
    """
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, 9, n_cases)
    lengths[:5] = 1  # some one-event cases
    n = int(lengths.sum())
    case = np.repeat(np.arange(n_cases), lengths)
    act = rng.choice(list("abcdef"), n, p=[0.3, 0.2, 0.2, 0.1, 0.1, 0.1])
    act[rng.random(n) < 0.1] = "a"  # more self-loops a -> a
    gaps = rng.choice([0, 0, 1, 2, 5, 60], n)
    first = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    gaps[first] = rng.integers(0, 3 * 24 * 60, n_cases)
    minutes = np.cumsum(gaps) - np.repeat(np.cumsum(gaps)[first] - gaps[first], lengths)
    when = pd.Timestamp("2026-03-02T00:00:00Z") + pd.to_timedelta(minutes, unit="min")
    zones = rng.choice(ZONES, n)
    text = [_in_zone(t, z) for t, z in zip(when, zones, strict=True)]
    frame = pd.DataFrame({"case_id": [f"case{c:03d}" for c in case], "activity": act,
                          "timestamp": text,
                          "resource": rng.choice(["ann", "bob", "cy", None], n)})
    if starts:
        service = pd.to_timedelta(rng.integers(0, 4, n), unit="min")
        st = [_in_zone(t, z) for t, z in zip(when - service, zones, strict=True)]
        frame["start_timestamp"] = np.where(rng.random(n) < 0.7, st, "")
    # rows arrive with cases interleaved
    frame = frame.iloc[rng.permutation(n)].sort_values("case_id", kind="stable")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return modlean.read_log(frame.reset_index(drop=True))


def _in_zone(t: pd.Timestamp, zone: str) -> str:
    if zone == "Z":
        return t.strftime("%Y-%m-%dT%H:%M:%SZ")
    return t.tz_convert(zone.replace("+07:00", "Etc/GMT-7").replace("-05:00", "Etc/GMT+5")
                        .replace("+05:30", "Asia/Kolkata")).isoformat()


def pm4py_view(log: pd.DataFrame, with_start: bool = False) -> pd.DataFrame:
    """The log with pm4py's column names (a copy: pm4py adds columns to its input)."""
    df = log.rename(columns=PM4PY_NAMES)
    # pm4py wants text, not categoricals (docs/event-log.md, "Dtypes")
    df = df.astype({c: str for c in df.columns if isinstance(df[c].dtype, pd.CategoricalDtype)})
    if "start_timestamp" in df:
        if with_start:
            df["start_timestamp"] = df["start_timestamp"].fillna(df["time:timestamp"])
        else:
            df = df.drop(columns="start_timestamp")
    df.attrs = {}
    return df.copy()


def ours_as_dicts(log: pd.DataFrame, order: str = "complete") -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", process.MiningWarning)
        g = process.dfg(log, order=order)
    v = process.variants(log)
    return {
        "dfg": {(r.source, r.target): int(r.count) for r in g.edges.itertuples()},
        "mean": {(r.source, r.target): r.mean_seconds for r in g.edges.itertuples()},
        "median": {(r.source, r.target): r.median_seconds for r in g.edges.itertuples()},
        "start": {k: int(x) for k, x in g.start_activities.items()},
        "end": {k: int(x) for k, x in g.end_activities.items()},
        "variants": dict(zip(v["variant"], v["count"].astype(int), strict=True)),
        "durations": sorted(process.case_durations(log)["duration_seconds"].tolist()),
        "cases": g.cases,
        "events": int(g.activities.sum()),
    }


def pm4py_as_dicts(df: pd.DataFrame) -> dict:
    pm4py = pytest.importorskip("pm4py")
    graph, start, end = pm4py.discover_dfg(df.copy())
    perf, _, _ = pm4py.discover_performance_dfg(df.copy())
    return {
        "dfg": {k: int(v) for k, v in graph.items()},
        "mean": {k: float(v["mean"]) for k, v in perf.items()},
        "median": {k: float(v["median"]) for k, v in perf.items()},
        "start": {k: int(v) for k, v in start.items()},
        "end": {k: int(v) for k, v in end.items()},
        "variants": {tuple(k): int(v) for k, v in pm4py.get_variants(df.copy()).items()},
        "durations": sorted(float(x) for x in pm4py.get_all_case_durations(df.copy())),
        "cases": df["case:concept:name"].nunique(),
        "events": len(df),
    }


def assert_same(ours: dict, theirs: dict, keys: tuple[str, ...]) -> None:
    for key in keys:
        if key in ("mean", "median"):
            assert ours[key].keys() == theirs[key].keys(), key
            for edge, value in theirs[key].items():
                assert ours[key][edge] == pytest.approx(value, abs=1e-6), (key, edge)
        else:
            assert ours[key] == theirs[key], key


ALL = ("cases", "events", "dfg", "start", "end", "variants", "durations", "mean", "median")


# --------------------------------------------------------------------------- pm4py parity


def test_edge_cases_match_pm4py_and_hand_counts():
    """Ties, a one-event case, self-loops and three time zones, as pm4py sees them."""
    rows = [("A", "a", "2026-03-02T10:00:00+07:00"), ("A", "b", "2026-03-02T03:00:00Z"),
            ("A", "c", "2026-03-02T03:00:00Z"), ("A", "d", "2026-03-01T22:30:00-05:00"),
            ("B", "a", "2026-03-02T01:00:00Z"),
            ("C", "x", "2026-03-02T01:00:00Z"), ("C", "x", "2026-03-02T01:05:00Z"),
            ("C", "x", "2026-03-02T01:05:00Z"), ("C", "y", "2026-03-02T02:00:00Z")]
    log = modlean.read_log(pd.DataFrame(rows, columns=["case_id", "activity", "timestamp"]))
    ours = ours_as_dicts(log)
    assert ours["dfg"] == {("a", "b"): 1, ("b", "c"): 1, ("c", "d"): 1, ("x", "x"): 2,
                           ("x", "y"): 1}
    assert ours["variants"] == {("a", "b", "c", "d"): 1, ("a",): 1, ("x", "x", "x", "y"): 1}
    assert ours["durations"] == [0.0, 1800.0, 3600.0]
    assert ours["mean"][("x", "x")] == 150.0 and ours["mean"][("c", "d")] == 1800.0
    assert_same(ours, pm4py_as_dicts(pm4py_view(log)), ALL)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_logs_match_pm4py(seed):
    log = random_log(seed)
    assert_same(ours_as_dicts(log), pm4py_as_dicts(pm4py_view(log)), ALL)


def test_interval_log_matches_pm4py():
    """Start/complete logs: pm4py orders its DFG by start, so compare with order='start'.

    pm4py's variants, start/end activities and case durations follow the rows'
    (completion) order, so compare those with modlean's default order.
    """
    log = random_log(4, starts=True)
    theirs = pm4py_as_dicts(pm4py_view(log, with_start=True))
    assert_same(ours_as_dicts(log, order="start"), theirs, ("dfg", "mean", "median"))
    assert_same(ours_as_dicts(log), theirs, ("cases", "events", "variants", "durations",
                                             "start", "end"))


def test_lifecycle_log_matches_pm4py():
    """start/complete event pairs (XES lifecycle) paired by read_log, then mined."""
    rows = []
    for case, acts in {"c1": "abcb", "c2": "ab", "c3": "a"}.items():
        t = pd.Timestamp("2026-03-02T08:00:00Z")
        for i, a in enumerate(acts):
            rows.append((case, a, "start", t + pd.Timedelta(minutes=10 * i)))
            rows.append((case, a, "complete", t + pd.Timedelta(minutes=10 * i + 3)))
    frame = pd.DataFrame(rows, columns=["case:concept:name", "concept:name",
                                        "lifecycle:transition", "time:timestamp"])
    log = modlean.read_log(frame)
    theirs = pm4py_as_dicts(pm4py_view(log, with_start=True))
    assert_same(ours_as_dicts(log, order="start"), theirs, ALL)
    g = process.dfg(log)
    edge = g.edges.set_index(["source", "target"]).loc[("a", "b")]
    assert edge["count"] == 2 and edge["mean_seconds"] == 420.0  # start 10 min - complete 3


# --------------------------------------------------------------------------- row order


def interleave(log: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Rows with cases interleaved at random; each case keeps its own row order."""
    rng = np.random.default_rng(seed)
    codes = pd.factorize(log["case_id"])[0]
    r = rng.random(len(log))
    r = r[np.lexsort((r, codes))]  # increasing within each case, in the log's case order
    return log.iloc[np.argsort(r)]


def test_interleaved_rows_give_the_same_answer():
    log = random_log(5)
    mixed = interleave(log, 0)
    assert not mixed.index.equals(log.index)
    assert ours_as_dicts(mixed) == ours_as_dicts(log)
    pd.testing.assert_frame_equal(process.case_durations(mixed), process.case_durations(log))
    pd.testing.assert_frame_equal(process.variants(mixed), process.variants(log))


def test_shuffled_rows_without_ties_give_the_same_answer():
    log = random_log(6)
    log = log.drop_duplicates(["case_id", "timestamp"])
    shuffled = log.sample(frac=1.0, random_state=3)
    assert ours_as_dicts(shuffled) == ours_as_dicts(log)
    pd.testing.assert_frame_equal(process.dfg(shuffled).edges, process.dfg(log).edges)


def test_ties_keep_row_order():
    """At equal times, the frame's row order decides (a stable sort), not the names."""
    t = "2026-03-02T00:00:00Z"
    log = modlean.read_log(pd.DataFrame({"case_id": ["c", "c"], "activity": ["z", "a"],
                                         "timestamp": [t, t]}))
    assert list(process.variants(log)["variant"]) == [("z", "a")]
    assert list(process.variants(log.iloc[::-1])["variant"]) == [("a", "z")]


def test_caller_frame_is_never_modified():
    log = random_log(7, starts=True)
    mixed = interleave(log, 1)
    before = mixed.copy(deep=True)
    attrs = dict(mixed.attrs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", process.MiningWarning)
        process.dfg(mixed)
        process.dfg(mixed, order="start")
        process.variants(mixed)
        process.case_durations(mixed)
        process.activity_times(mixed)
        process.rework(mixed)
        process.handovers(mixed)
        process.bottlenecks(mixed)
        process.filter_variants(mixed, 0.5)
    pd.testing.assert_frame_equal(mixed, before)
    assert mixed.attrs == attrs


def test_pm4py_column_names_are_read_through_read_log():
    log = random_log(8)
    df = pm4py_view(log)
    assert ours_as_dicts(df) == ours_as_dicts(log)


def test_naive_times_are_refused_with_a_clear_message():
    ev = pd.DataFrame({"case_id": ["a"], "activity": ["x"],
                       "timestamp": pd.to_datetime(["2026-03-02"])})
    with pytest.warns(modlean.eventlog.LogWarning):  # read_log assumes UTC, and says so
        process.dfg(ev)
    with pytest.raises(LogError, match="the log has no events"):
        process.dfg(modlean.read_log(random_log(1)).iloc[:0])
    bad = random_log(1)
    bad.loc[bad.index[0], "activity"] = None
    with pytest.raises(LogError, match="1 events have no activity"):
        process.variants(bad)


def test_start_after_end_is_refused(small):
    bad = small.copy()
    bad.loc[1, "start_timestamp"] = bad.loc[1, "timestamp"] + pd.Timedelta(seconds=1)
    with pytest.raises(LogError, match="1 events start after they end"):
        process.dfg(bad)


# --------------------------------------------------------------------------- by hand


@pytest.fixture
def small() -> pd.DataFrame:
    """Two cases with start times: waits, services and an overlap to flag."""
    t = pd.Timestamp("2026-03-02T08:00:00Z")
    m = pd.Timedelta(minutes=1)
    rows = [
        ("c1", "submit", t, None, "seller"),
        ("c1", "review", t + 30 * m, t + 20 * m, "ann"),      # wait 20 min, service 10
        ("c1", "review", t + 50 * m, t + 40 * m, "bob"),      # rework: wait 10, service 10
        ("c1", "decide", t + 55 * m, None, "system"),         # gap 5
        ("c2", "submit", t, None, "seller"),
        ("c2", "review", t + 60 * m, t + 40 * m, "ann"),      # wait 40, service 20
        ("c2", "decide", t + 62 * m, t + 50 * m, "system"),   # starts before review ends
    ]
    return pd.DataFrame(rows, columns=["case_id", "activity", "timestamp", "start_timestamp",
                                       "resource"]).astype(
        {"timestamp": "datetime64[us, UTC]", "start_timestamp": "datetime64[us, UTC]"})


def test_edge_times_mean_median_p90_and_negative_flag(small):
    with pytest.warns(process.MiningWarning, match="1 edge times are negative"):
        g = process.dfg(small)
    e = g.edges.set_index(["source", "target"])
    # submit -> review: c1 20 min, c2 40 min
    assert e.loc[("submit", "review"), "count"] == 2
    assert e.loc[("submit", "review"), "mean_seconds"] == 1800.0
    assert e.loc[("submit", "review"), "median_seconds"] == 1800.0
    assert e.loc[("submit", "review"), "p90_seconds"] == pytest.approx(1200 + 0.9 * 1200)
    assert e.loc[("review", "review"), "mean_seconds"] == 600.0
    assert e.loc[("review", "decide"), "count"] == 2
    assert e.loc[("review", "decide"), "negative"] == 1  # c2: -10 min
    assert e.loc[("review", "decide"), "mean_seconds"] == (300 - 600) / 2
    assert dict(g.start_activities) == {"submit": 2}
    assert dict(g.end_activities) == {"decide": 2}


def test_event_and_activity_times(small):
    with pytest.warns(process.MiningWarning, match="1 waits are negative"):
        times = process.activity_times(small)
    review = times.loc["review"]
    assert review["basis"] == "waiting+service"
    assert review["wait_total"] == (20 + 10 + 40) * 60
    assert review["service_mean"] == pytest.approx((10 + 10 + 20) / 3 * 60)
    assert times.loc["decide", "basis"] == "mixed"
    assert times.loc["submit", "wait_total"] == 0  # first events wait for nothing
    assert times.index[0] == "review"  # ranked by total wait


def test_variants_rank_by_count_then_tuple_and_coverage():
    t = "2026-03-02T00:00:00Z"
    rows = []
    for i, seq in enumerate(["ab", "ac", "ab", "ba", "ac", "ab"]):
        rows += [(f"k{i}", a, t) for a in seq]
    log = modlean.read_log(pd.DataFrame(rows, columns=["case_id", "activity", "timestamp"]))
    v = process.variants(log)
    assert list(v["variant"]) == [("a", "b"), ("a", "c"), ("b", "a")]
    assert list(v["count"]) == [3, 2, 1]
    assert process.top_k_coverage(log, 2) == pytest.approx(5 / 6)
    assert process.top_k_coverage(table=v, k=10) == 1.0
    assert list(process.variants(log, top=1)["count"]) == [3]
    ids = process.case_variants(log)
    assert ids.loc["k3"] == 3 and ids.loc["k0"] == 1


def test_variant_hash_collisions_fall_back_to_exact(monkeypatch):
    log = random_log(9)
    expected = process.variants(log)
    monkeypatch.setattr("modlean.process.discovery._BASE", np.uint64(0))  # all collide
    pd.testing.assert_frame_equal(process.variants(log), expected)


def test_case_durations(small):
    d = process.case_durations(small)
    assert list(d.index) == ["c1", "c2"]
    assert list(d["duration_seconds"]) == [55 * 60.0, 62 * 60.0]
    assert list(d["events"]) == [4, 3]


def test_rework_handovers_bottlenecks(small):
    r = process.rework(small)
    assert r.loc["review", "cases"] == 2
    assert r.loc["review", "cases_repeated"] == 1
    assert r.loc["review", "self_loops"] == 1
    assert r.loc["review", "rework_rate"] == 0.5
    per_case = process.rework(small, by="case")
    assert per_case.loc["c1"].tolist() == [4, 1, 1, True]
    assert per_case.loc["c2"].tolist() == [3, 0, 0, False]
    h = process.handovers(small)
    pairs = {(x.source, x.target): x.count for x in h.itertuples()}
    assert pairs == {("seller", "ann"): 2, ("ann", "bob"): 1, ("bob", "system"): 1,
                     ("ann", "system"): 1}
    matrix = process.handovers(small, matrix=True)
    assert matrix.loc["seller", "ann"] == 2 and matrix.to_numpy().sum() == 5
    graph = process.handover_graph(small)
    assert graph["seller"]["ann"]["count"] == 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # bottlenecks reports negatives in columns only
        b = process.bottlenecks(small)
    assert b.activities.index[0] == "review"
    assert b.edges.iloc[0][["source", "target"]].tolist() == ["submit", "review"]
    assert b.activities["share"].sum() == pytest.approx(1.0)


def test_to_networkx_carries_counts(small):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", process.MiningWarning)
        g = process.to_networkx(process.dfg(small))
    assert g.nodes["review"]["count"] == 3
    assert g.nodes["submit"]["start"] == 2
    assert g["submit"]["review"]["count"] == 2
    assert g["submit"]["review"]["mean_seconds"] == 1800.0


# --------------------------------------------------------------------------- filters


def test_filters(small):
    both = pd.concat([small, small.assign(case_id=small["case_id"] + "x", market="UK")])
    both["market"] = both["market"].fillna("US")
    assert set(process.filter_attribute(both, "market", "UK")["case_id"]) == {"c1x", "c2x"}
    kept = process.filter_attribute(both, "resource", ["bob"], keep=False)
    assert set(kept["case_id"]) == {"c2", "c2x"}
    events = process.filter_attribute(both, "resource", ["ann"], level="event")
    assert len(events) == 4
    assert set(process.filter_case_size(both, max_events=3)["case_id"]) == {"c2", "c2x"}
    assert set(process.filter_case_size(both, min_events=4)["case_id"]) == {"c1", "c1x"}
    w = process.filter_time(small, "2026-03-02T08:00Z", "2026-03-02T09:00Z")
    assert set(w["case_id"]) == {"c1"}  # c2 ends at 09:02
    w = process.filter_time(small, "2026-03-02T08:00Z", "2026-03-02T09:00Z", how="intersecting")
    assert set(w["case_id"]) == {"c1", "c2"}
    w = process.filter_time(small, "2026-03-02T08:50Z", None, how="events")
    assert len(w) == 4  # completions at 08:50, 08:55, 09:00, 09:02
    with pytest.raises(ParameterError, match="no zone"):
        process.filter_time(small, "2026-03-02 08:00")
    with pytest.raises(ParameterError, match="no column"):
        process.filter_attribute(small, "queue", ["x"])


def test_filter_variants_keeps_the_top_variants_covering_the_share():
    log = random_log(10)
    v = process.variants(log)
    kept = process.filter_variants(log, 0.5)
    k = int(np.argmax(v["cumulative_share"].to_numpy() >= 0.5)) + 1
    assert kept["case_id"].nunique() == int(v["count"].head(k).sum())
    assert set(process.variants(kept)["variant"]) == set(v["variant"].head(k))
    with pytest.raises(ParameterError):
        process.filter_variants(log, 0)


def test_chunked_arrow_and_object_columns_give_the_same_answer():
    """Arrow strings in several chunks (as from Parquet or concat) and plain objects."""
    log = random_log(11)
    pieces = pd.concat([log.iloc[:37], log.iloc[37:90], log.iloc[90:]])
    data = getattr(pieces["case_id"].array, "_pa_array", None)
    if data is not None:
        assert data.num_chunks >= 2
    as_objects = log.astype({"case_id": object, "activity": object})
    expected = ours_as_dicts(log)
    assert ours_as_dicts(pieces) == expected
    assert ours_as_dicts(as_objects) == expected
    assert ours_as_dicts(log.astype({"activity": "category"})) == expected
