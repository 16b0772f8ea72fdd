"""Mining a dataset out of core equals the in-memory functions on the same log.

Logs are cut into files in awkward places (a case's events spread over files,
equal timestamps, one-event cases, text and integer ids, time zones, categorical
columns, hive folders) and mined partition by partition; counts and variants must
be equal, means equal to 1e-9, quantiles within the stated bound of the sketch.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import modlean
from modlean import process
from modlean.cli import main
from modlean.cli import mine as mine_cli
from modlean.eventlog import read_dataset
from modlean.process.sketch import (
    RELATIVE_ERROR,
    histogram,
    merge_sketches,
    quantiles,
    sketch,
)


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # naive-time and negative-wait notes are tested elsewhere
        yield


# --------------------------------------------------------------------------- the sketch


def _order_bound(values: np.ndarray, q: float) -> float:
    x = np.sort(values)
    h = q * (len(x) - 1)
    k = int(np.floor(h))
    return RELATIVE_ERROR * max(abs(x[k]), abs(x[min(k + 1, len(x) - 1)]))


def test_sketch_quantiles_within_the_stated_bound_and_merge_exactly():
    rng = np.random.default_rng(3)
    values = np.concatenate([rng.lognormal(3, 2, 4000), -rng.lognormal(1, 1, 300),
                             np.zeros(200), rng.integers(0, 90, 500).astype(float)])
    groups = rng.integers(0, 4, len(values))
    groups[-1] = 4  # a group of one value
    keys = pd.DataFrame({"k": list("abcde")})
    whole = sketch(values, groups, keys)
    cut = rng.permutation(len(values))
    parts = [sketch(values[i], groups[i], keys) for i in np.array_split(cut, 3)]
    merged = merge_sketches(parts)
    pd.testing.assert_frame_equal(merged.bins, whole.bins, check_dtype=False)
    pd.testing.assert_frame_equal(merged.stats.drop(columns="total"),
                                  whole.stats.drop(columns="total"), check_dtype=False)
    np.testing.assert_allclose(merged.stats["total"], whole.stats["total"], rtol=1e-12)
    qs = [0.0, 0.01, 0.25, 0.5, 0.9, 0.99, 1.0]
    got = quantiles(merged, qs)
    for g in range(5):
        x = values[groups == g]
        for q in qs:
            exact = np.quantile(x, q)
            assert abs(got.loc[g, q] - exact) <= _order_bound(x, q) + 1e-12, (g, q)
        assert got.loc[g, 0.0] == x.min() and got.loc[g, 1.0] == x.max()
    assert got.loc[4].nunique() == 1  # one value: every quantile is that value
    hist = histogram(merged)
    assert hist.groupby("k")["count"].sum().tolist() == np.bincount(groups).tolist()
    assert (hist["lower"] <= hist["upper"]).all()


# --------------------------------------------------------------------------- awkward logs


def _awkward_log(n_cases: int = 400, seed: int = 5) -> pd.DataFrame:
    """Cases of 1 to 9 events, ties at equal seconds, resources, rows in no order."""
    rng = np.random.default_rng(seed)
    acts = np.array(["submitted", "auto_screen", "review_l1", "review_l2", "qa_sample",
                     "decision_sent", "appeal_review"], dtype=object)
    lengths = rng.integers(1, 10, n_cases)
    lengths[:15] = 1  # one-event cases
    case = np.repeat(np.arange(n_cases), lengths)
    gaps = rng.choice([0, 0, 1, 60, 3600, 86400], len(case))  # many equal timestamps
    start = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    gaps[start] = rng.integers(0, 30 * 86400, n_cases)
    times = np.cumsum(gaps) - np.repeat(np.cumsum(gaps)[start] - gaps[start], lengths)
    frame = pd.DataFrame({
        "case_id": [f"C{c:05d}" for c in case],
        "activity": acts[rng.integers(0, len(acts), len(case))],
        "timestamp": pd.to_datetime("2026-03-01", utc=True) + pd.to_timedelta(times, "s"),
        "resource": [f"r{r}" for r in rng.integers(0, 20, len(case))],
    })
    return frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)


def _files(log: pd.DataFrame, folder, n: int, suffix: str = "parquet") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i, rows in enumerate(np.array_split(np.arange(len(log)), n)):
        part = log.iloc[rows]
        if suffix == "parquet":
            part.to_parquet(folder / f"part-{i:02d}.parquet", index=False)
        else:
            part.to_csv(folder / f"part-{i:02d}.csv", index=False)


def _assert_equal(result: process.DatasetMining, log: pd.DataFrame) -> None:
    ev = process.encode(log)
    assert (result.cases, result.events) == (ev.n_cases, ev.n_events)
    graph = process.dfg(ev)
    mem = graph.edges.set_index(["source", "target"])
    got = result.dfg.set_index(["source", "target"])
    assert list(got.index) == list(mem.index)  # same edges, same ranking
    assert (got["count"] == mem["count"]).all() and (got["negative"] == mem["negative"]).all()
    np.testing.assert_allclose(got["mean_seconds"], mem["mean_seconds"], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(got["total_seconds"], mem["total_seconds"], rtol=1e-9)
    for col in ("median_seconds", "p90_seconds"):  # edge times here are >= 0
        assert ((got[col] - mem[col]).abs() <= RELATIVE_ERROR * mem[col].abs() + 1e-9).all()
    for name in ("activities", "start_activities", "end_activities"):
        pd.testing.assert_series_equal(getattr(result, name), getattr(graph, name),
                                       check_dtype=False, check_index_type=False)
    variants = process.variants(ev)
    assert result.variants["variant"].tolist() == variants["variant"].tolist()
    for col in ("count", "length", "share", "cumulative_share"):
        np.testing.assert_allclose(result.variants[col], variants[col], rtol=1e-12)
    np.testing.assert_allclose(result.variants["mean_duration_seconds"],
                               variants["mean_duration_seconds"], rtol=1e-9, atol=1e-9)
    d = process.case_durations(ev)["duration_seconds"]
    c = result.case_durations
    assert (c["cases"], c["min"], c["max"]) == (len(d), d.min(), d.max())
    assert c["mean"] == pytest.approx(d.mean(), rel=1e-9)
    for q, name in ((0.5, "median"), (0.9, "p90"), (0.99, "p99")):
        assert abs(c[name] - d.quantile(q)) <= RELATIVE_ERROR * d.quantile(q) + 1e-9
    assert result.case_duration_distribution["count"].sum() == len(d)
    times = process.activity_times(ev)
    got_t = result.activity_times.loc[times.index]
    assert (got_t["events"] == times["events"]).all()
    assert (got_t["basis"] == times["basis"]).all()
    for col in ("wait_mean", "wait_total", "service_mean", "service_total"):
        np.testing.assert_allclose(got_t[col], times[col], rtol=1e-9, atol=1e-9)
    assert (got_t["wait_negative"] == times["wait_negative"]).all()
    for col in ("wait_median", "wait_p90"):
        err = (got_t[col] - times[col]).abs()
        assert (err.fillna(0) <= RELATIVE_ERROR * times[col].abs().fillna(0) + 1e-9).all()
    if "resource" in log:
        pd.testing.assert_series_equal(
            result.resources.sort_index(),
            log["resource"].astype(object).value_counts().rename_axis("resource")
            .rename("count").sort_index(), check_dtype=False, check_index_type=False)


@pytest.mark.parametrize("partitions", [1, 3, 11])
def test_out_of_core_equals_in_memory_on_files_cut_across_cases(tmp_path, partitions):
    log = _awkward_log()
    _files(log, tmp_path / "ds", 4)
    whole = read_dataset(tmp_path / "ds")
    pd.testing.assert_frame_equal(whole, modlean.read_log(log), check_like=False)
    result = process.mine_dataset(tmp_path / "ds", engine="out-of-core",
                                  partitions=partitions, workers=1)
    assert result.engine == "out-of-core" and result.partitions <= partitions
    assert result.spilled_bytes > 0
    _assert_equal(result, whole)


def test_ties_keep_the_row_order_of_the_dataset(tmp_path):
    # two events of one case at the same second, in different files: the file order decides
    log = pd.DataFrame({"case_id": ["a", "b", "a", "a"],
                        "activity": ["submit", "submit", "review", "approve"],
                        "timestamp": pd.to_datetime(["2026-03-01 10:00", "2026-03-01 10:00",
                                                     "2026-03-01 11:00", "2026-03-01 11:00"],
                                                    utc=True)})
    _files(log, tmp_path / "ds", 3)
    result = process.mine_dataset(tmp_path / "ds", engine="out-of-core", partitions=2,
                                  workers=1)
    assert result.variants["variant"].tolist() == [("submit",), ("submit", "review", "approve")]
    _assert_equal(result, read_dataset(tmp_path / "ds"))


def test_integer_ids_time_zones_and_categoricals(tmp_path):
    log = _awkward_log(seed=8)
    log["case_id"] = log["case_id"].str[1:].astype(int)  # integer ids
    log["timestamp"] = log["timestamp"].dt.tz_convert("Asia/Jakarta")
    log["activity"] = log["activity"].astype("category")
    log["resource"] = log["resource"].astype("category")
    _files(log, tmp_path / "ds", 5)
    whole = read_dataset(tmp_path / "ds")
    assert str(whole["timestamp"].dt.tz) == "UTC"
    result = process.mine_dataset(tmp_path / "ds", engine="out-of-core", partitions=4,
                                  workers=1)
    _assert_equal(result, whole)


def test_text_ids_in_one_file_and_integer_ids_in_another(tmp_path):
    log = _awkward_log(n_cases=200, seed=12)
    log["case_id"] = log["case_id"].str[1:].astype(int)
    (tmp_path / "ds").mkdir()
    half = len(log) // 2
    log.iloc[:half].assign(case_id=lambda f: f["case_id"].astype(str)).to_parquet(
        tmp_path / "ds" / "a.parquet", index=False)
    log.iloc[half:].to_parquet(tmp_path / "ds" / "b.parquet", index=False)
    whole = read_dataset(tmp_path / "ds")
    assert whole["case_id"].nunique() == log["case_id"].nunique()
    _assert_equal(process.mine_dataset(tmp_path / "ds", engine="out-of-core", partitions=5,
                                       workers=1), whole)


def test_hive_partitioned_parquet(tmp_path):
    log = _awkward_log(seed=9)
    log["day"] = log["timestamp"].dt.strftime("%Y-%m-%d")
    pq.write_to_dataset(pa.Table.from_pandas(log, preserve_index=False), tmp_path / "ds",
                        partition_cols=["day"])
    whole = read_dataset(tmp_path / "ds")
    assert len(whole) == len(log) and "day" in whole
    _assert_equal(process.mine_dataset(tmp_path / "ds", engine="out-of-core", partitions=3,
                                       workers=2), whole)


def test_csv_exports_of_a_real_sample_with_naive_times(root, tmp_path):
    sample = pd.read_csv(root / "data" / "UK" / "events.csv", dtype=str)
    sample["timestamp"] = sample["timestamp"].str.replace("Z", "", regex=False)
    sample["start_timestamp"] = sample["start_timestamp"].str.replace("Z", "", regex=False)
    _files(sample, tmp_path / "ds", 3, suffix="csv")
    whole = read_dataset(tmp_path / "ds", tz="Europe/London")
    assert len(whole) == len(sample)
    result = process.mine_dataset(tmp_path / "ds", engine="out-of-core", partitions=5,
                                  workers=1, tz="Europe/London")
    _assert_equal(result, whole)
    assert process.mine_dataset(tmp_path / "ds", tz="Europe/London").engine == "memory"


def test_on_a_dask_cluster(tmp_path):
    pytest.importorskip("dask.distributed")
    log = _awkward_log(seed=11)
    _files(log, tmp_path / "ds", 3)
    result = process.mine_dataset(tmp_path / "ds", engine="out-of-core", partitions=3,
                                  scheduler="local", tmp=tmp_path)
    _assert_equal(result, read_dataset(tmp_path / "ds"))


def test_bad_datasets_are_refused_by_name(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(modlean.LogError, match="holds no log files"):
        process.mine_dataset(tmp_path / "empty")
    log = _awkward_log(n_cases=20)
    _files(log, tmp_path / "mixed", 2)
    log.to_csv(tmp_path / "mixed" / "extra.csv", index=False)
    with pytest.raises(modlean.LogError, match="mixes Parquet and text files"):
        process.mine_dataset(tmp_path / "mixed")
    with pytest.raises(modlean.ParameterError, match="did you mean 'memory'"):
        process.mine_dataset(tmp_path / "mixed", engine="memmory")


# --------------------------------------------------------------------------- the command


def test_cli_constants_match_the_package():
    assert mine_cli._ENGINES == process.ENGINES
    assert mine_cli._MAX_IN_MEMORY == process.large.MAX_IN_MEMORY_EVENTS


@pytest.mark.parametrize("engine", ["memory", "out-of-core"])
def test_cli_mines_a_folder(tmp_path, capsys, engine):
    log = _awkward_log(seed=4)
    _files(log, tmp_path / "ds", 3)
    out = tmp_path / "out"
    assert main(["mine", str(tmp_path / "ds"), "--engine", engine, "--partitions", "3",
                 "--workers", "1", "--json", "--out", str(out)]) == 0
    data = json.loads(capsys.readouterr().out)
    whole = read_dataset(tmp_path / "ds")
    assert data["cases"] == whole["case_id"].nunique() and data["events"] == len(whole)
    assert data["variants"] == len(process.variants(whole))
    assert data["case_duration_seconds"]["max"] == \
        process.case_durations(whole)["duration_seconds"].max()
    assert (out / "summary.json").exists() and (out / "dfg.csv").exists()
    if engine == "out-of-core":
        assert data["mining"]["partitions"] == 3
        assert "log-spaced bins" in data["mining"]["quantile_method"]
        assert (out / "case_duration_distribution.csv").exists()


def test_cli_auto_goes_out_of_core_past_the_limit(tmp_path, capsys):
    _files(_awkward_log(n_cases=50), tmp_path / "ds", 2)
    assert main(["mine", str(tmp_path / "ds"), "--max-in-memory-events", "10",
                 "--workers", "1"]) == 0
    assert "mined out of core" in capsys.readouterr().out


def test_cli_bad_input_exits_2_with_out_left_empty(tmp_path, capsys):
    _files(_awkward_log(n_cases=30), tmp_path / "ds", 2)
    out = tmp_path / "out"
    code = main(["mine", str(tmp_path / "ds"), "--engine", "out-of-core", "--sop",
                 "whatever.yaml", "--out", str(out)])
    assert code == 2 and not out.exists()
    assert "--sop" in capsys.readouterr().err
    other = _awkward_log(n_cases=10).drop(columns="resource")
    _files(_awkward_log(n_cases=10), tmp_path / "bad", 1, suffix="csv")
    other.to_csv(tmp_path / "bad" / "z.csv", index=False)
    code = main(["mine", str(tmp_path / "bad"), "--engine", "out-of-core", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert "different columns" in err and "resource" in err
