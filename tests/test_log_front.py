"""read_log's fast front door: codes through the sort, logs in order taken as they are,
Parquet text read as dictionary codes, and columns= (docs/event-log.md, "Reading fast")."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from modlean import LogError, process, read_log
from modlean.eventlog.categorical import text_codes
from modlean.eventlog.sorting import in_order, lex_order

KEYS = ["case_id", "activity", "timestamp", "resource"]


def _sample(root: Path) -> pd.DataFrame:
    """The UK sample export as pandas reads it (text as str), not as modlean made it."""
    return pd.read_csv(root / "data" / "UK" / "events.csv", dtype=str)


def _by_hand(frame: pd.DataFrame) -> pd.DataFrame:
    """The canonical rows of ``frame`` by an independent route: pandas' stable sort on the
    stripped id strings and parsed times (no modlean code)."""
    out = frame.assign(case_id=frame["case_id"].str.strip(),
                       timestamp=pd.to_datetime(frame["timestamp"], utc=True).astype(
                           "datetime64[us, UTC]"))
    return out.sort_values(["case_id", "timestamp"], kind="stable").reset_index(drop=True)


def _same_rows(log: pd.DataFrame, expected: pd.DataFrame) -> None:
    for col in KEYS:
        got = log[col] if col == "timestamp" else log[col].astype(str)
        want = expected[col] if col == "timestamp" else expected[col].astype(str)
        pd.testing.assert_series_equal(got.reset_index(drop=True), want, check_names=False,
                                       check_dtype=False)


def test_shuffled_frame_and_parquet_give_the_rows_pandas_sorts(root, tmp_path):
    frame = _sample(root).sample(frac=1.0, random_state=3).reset_index(drop=True)
    frame.loc[frame.index[:7], "case_id"] = "  " + frame["case_id"].iloc[:7] + " "
    expected = _by_hand(frame)
    path = tmp_path / "shuffled.parquet"
    frame.to_parquet(path)
    from_frame, from_file = read_log(frame), read_log(path)
    _same_rows(from_frame, expected)
    pd.testing.assert_frame_equal(from_file, from_frame)
    assert str(from_file["case_id"].dtype) == "str"
    assert isinstance(from_file["activity"].dtype, pd.CategoricalDtype)
    assert isinstance(from_file["market"].dtype, pd.CategoricalDtype)


def test_a_log_in_case_order_is_not_sorted_or_copied(root):
    expected = _by_hand(_sample(root))
    frame = expected.astype({"case_id": "str"})
    log = read_log(frame)
    _same_rows(log, expected)
    ids_in = frame["case_id"].array._pa_array.chunks[0].buffers()[2]
    ids_out = log["case_id"].array._pa_array.chunks[0].buffers()[2]
    assert ids_out.address == ids_in.address  # the ids are the caller's, not a copy
    frame["case_id"] = frame["case_id"].str.upper()  # ... and the caller's frame is its own
    assert log["case_id"].iloc[0] == expected["case_id"].iloc[0]


def test_ids_in_order_that_strip_to_one_case_are_one_case():
    frame = pd.DataFrame({
        "case_id": [" a", " a", "a", "b", "b "],
        "activity": ["x", "y", "z", "x", "y"],
        "timestamp": pd.to_datetime(["2026-01-01T00:00:03", "2026-01-01T00:00:05",
                                     "2026-01-01T00:00:04", "2026-01-01T00:00:00",
                                     "2026-01-02T00:00:00"],
                                    utc=True),
    })
    log = read_log(frame)
    assert log["case_id"].tolist() == ["a", "a", "a", "b", "b"]
    assert log["activity"].astype(str).tolist() == ["x", "z", "y", "x", "y"]


def test_a_parquet_file_modlean_wrote_reads_back_the_same(root, tmp_path):
    log = read_log(root / "data" / "UK" / "events.csv")
    path = tmp_path / "canonical.parquet"
    log.to_parquet(path)
    again = read_log(path)
    pd.testing.assert_frame_equal(again, log)
    for performance in (False, True):
        got = process.dfg(again, performance=performance)
        want = process.dfg(log, performance=performance)
        pd.testing.assert_frame_equal(got.edges, want.edges)
        pd.testing.assert_series_equal(got.start_activities, want.start_activities)
    pd.testing.assert_frame_equal(process.variants(again), process.variants(log))
    pd.testing.assert_frame_equal(process.case_durations(again), process.case_durations(log))


@pytest.mark.parametrize("kind", ["parquet", "frame", "csv"])
def test_columns_reads_the_keys_and_the_columns_asked_for(root, tmp_path, kind):
    csv = root / "data" / "UK" / "events.csv"
    full = read_log(csv)
    source: object = csv
    if kind != "csv":
        frame = _sample(root)
        source = frame
        if kind == "parquet":
            source = tmp_path / "e.parquet"
            frame.to_parquet(source)
    assert list(read_log(source, columns=[]).columns) == ["case_id", "activity", "timestamp"]
    some = read_log(source, columns=["market", "resource"])
    assert list(some.columns) == ["case_id", "activity", "timestamp", "resource", "market"]
    pd.testing.assert_frame_equal(some, full[list(some.columns)])


def test_columns_names_a_missing_column_with_the_closest():
    frame = pd.DataFrame({"case_id": ["a"], "activity": ["x"], "market": ["UK"],
                          "timestamp": pd.to_datetime(["2026-01-01"], utc=True)})
    with pytest.raises(LogError) as err:
        read_log(frame, columns=["markt"])
    msg = str(err.value)
    assert "columns= names a column that is not in the log" in msg
    assert "'markt'" in msg and "Did you mean 'market'?" in msg
    with pytest.raises(LogError, match="a list such as"):
        read_log(frame, columns="market")


def test_cli_columns_and_a_bad_name_exit_2_with_out_empty(root, tmp_path):
    csv = root / "data" / "UK" / "events.csv"
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "modlean", "mine", str(csv), "--columns",
                           "resorce", "--out", str(out)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Did you mean 'resource'?" in proc.stderr and "Traceback" not in proc.stderr
    assert not out.exists() or not any(out.iterdir())
    ok = subprocess.run([sys.executable, "-m", "modlean", "mine", str(csv), "--columns", "",
                         "--json"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert '"events"' in ok.stdout


def test_in_order_agrees_with_lex_order():
    rng = np.random.default_rng(11)
    for _ in range(200):
        n = int(rng.integers(0, 40))
        keys = [np.sort(rng.integers(0, 4, n)), rng.integers(-3, 3, n), rng.integers(0, 2, n)]
        if rng.random() < 0.5:  # often sorted, to reach the "in order" answer
            keys = [k[lex_order(*keys)] for k in keys]
        expected = bool((lex_order(*keys) == np.arange(n)).all())
        assert in_order(*keys) == expected


def test_text_codes_of_sorted_ids_are_their_ranks():
    ids = pd.Series(pd.array(["L01", "L01", "L02", "L10", "L10", "L10"], dtype="str"))
    coded = text_codes(ids)
    assert coded.cat.codes.tolist() == [0, 0, 1, 2, 2, 2]
    assert coded.astype(str).tolist() == ids.tolist()
    shuffled = ids.iloc[[3, 0, 5, 2, 1, 4]].reset_index(drop=True)
    again = text_codes(shuffled)  # not sorted: Arrow's dictionary encoding, same values
    assert again.astype(str).tolist() == shuffled.tolist()
    chunked = pd.Series(pd.array(pa.chunked_array([["a", "b"], ["b", "c"]]),
                                 dtype=pd.ArrowDtype(pa.string())).astype("str"))
    assert text_codes(chunked).cat.codes.tolist() == [0, 1, 1, 2]
