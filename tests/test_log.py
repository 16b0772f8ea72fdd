"""modlean.eventlog.read: reading every supported source into the canonical event log."""

from __future__ import annotations

import gzip
import sqlite3
import warnings
from pathlib import Path

import pandas as pd
import pytest

from modlean import LogError, read_log
from modlean.eventlog import CANONICAL_COLUMNS, LogWarning, summarize

PLAIN = """case_id,activity,timestamp,resource,market
L1,submitted,2026-03-02T08:00:00Z,seller,UK
L1,review_l1,2026-03-02T09:30:00Z,r01,UK
L2,submitted,2026-03-02T08:05:00Z,seller,UK
L1,decision_sent,2026-03-02T09:31:00Z,system,UK
L2,auto_approved,2026-03-02T08:05:01Z,model,UK
"""


def canonical_twin() -> pd.DataFrame:
    return read_log(pd.read_csv(__import__("io").StringIO(PLAIN)))


# --------------------------------------------------------------------------- shape


def test_plain_csv_gives_the_canonical_shape(write):
    log = read_log(write("events.csv", PLAIN))
    assert list(log.columns[:4]) == ["case_id", "activity", "timestamp", "resource"]
    assert str(log["timestamp"].dtype) == "datetime64[us, UTC]"
    assert log["case_id"].tolist() == ["L1", "L1", "L1", "L2", "L2"]
    assert log["activity"].tolist() == [
        "submitted", "review_l1", "decision_sent", "submitted", "auto_approved"]
    assert log["market"].tolist() == ["UK"] * 5
    assert log.attrs["modlean"]["source"].endswith("events.csv")


def test_equal_timestamps_keep_file_order(write):
    text = "case_id,activity,timestamp\nA,x,2026-01-01T00:00:00Z\nA,b,2026-01-01T00:00:00Z\n" \
           "A,a,2026-01-01T00:00:00Z\n"
    assert read_log(write("t.csv", text))["activity"].tolist() == ["x", "b", "a"]


def test_ids_stay_strings_with_leading_zeros(write):
    log = read_log(write("z.csv", "case_id,activity,timestamp\n0123,a,2026-01-01T00:00:00Z\n"))
    assert log["case_id"].tolist() == ["0123"]


def test_dataframe_input_is_not_modified():
    frame = pd.DataFrame({"case:concept:name": ["b", "a"], "concept:name": ["x", "y"],
                          "time:timestamp": ["2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z"]})
    before = frame.copy()
    log = read_log(frame)
    pd.testing.assert_frame_equal(frame, before)
    assert log["case_id"].tolist() == ["a", "b"]


def test_offsets_are_converted_to_utc(write):
    text = ("case_id,activity,timestamp\nA,a,2026-03-02T15:00:00+07:00\n"
            "A,b,2026-03-02T09:10:00+01:00\nA,c,2026-03-02T08:05:00Z\n")
    log = read_log(write("tz.csv", text))
    assert log["activity"].tolist() == ["a", "c", "b"]
    assert log["timestamp"].iloc[0] == pd.Timestamp("2026-03-02T08:00:00Z")


def test_naive_times_with_stated_zone(write):
    text = "case_id,activity,timestamp\nA,a,2026-03-02 15:00:00\n"
    log = read_log(write("n.csv", text), tz="Asia/Jakarta")
    assert log["timestamp"].iloc[0] == pd.Timestamp("2026-03-02T08:00:00Z")


def test_naive_times_default_to_utc_with_a_word(write):
    path = write("n.csv", "case_id,activity,timestamp\nA,a,2026-03-02 15:00:00\n")
    with pytest.warns(LogWarning, match="read as UTC"):
        log = read_log(path)
    assert log["timestamp"].iloc[0] == pd.Timestamp("2026-03-02T15:00:00Z")
    assert any("read as UTC" in n for n in log.attrs["modlean"]["notes"])


def test_dayfirst_decided_by_a_value_over_twelve(write):
    text = "case_id,activity,timestamp\nA,a,03/04/2026 10:00\nA,b,25/04/2026 10:00\n"
    log = read_log(write("d.csv", text), tz="UTC")
    assert log["timestamp"].iloc[0] == pd.Timestamp("2026-04-03T10:00:00Z")


def test_explicit_dayfirst(write):
    text = "case_id,activity,timestamp\nA,a,03/04/2026 10:00\n"
    assert read_log(write("d.csv", text), tz="UTC", dayfirst=False)["timestamp"].iloc[0] \
        == pd.Timestamp("2026-03-04T10:00:00Z")
    assert read_log(write("d.csv", text), tz="UTC", dayfirst=True)["timestamp"].iloc[0] \
        == pd.Timestamp("2026-04-03T10:00:00Z")


def test_epoch_seconds_and_milliseconds(write):
    text = "case_id,activity,timestamp\nA,a,1772438400\n"
    assert read_log(write("e.csv", text))["timestamp"].iloc[0] == \
        pd.Timestamp("2026-03-02T08:00:00Z")
    text = "case_id,activity,timestamp\nA,a,1772438400000\n"
    assert read_log(write("e.csv", text))["timestamp"].iloc[0] == \
        pd.Timestamp("2026-03-02T08:00:00Z")


def test_aliases_and_explicit_mapping(write):
    text = "Ticket ID,Action,Completed At,Agent\nT1,review,2026-01-01T00:00:00Z,r1\n"
    log = read_log(write("a.csv", text))
    assert list(log.columns) == ["case_id", "activity", "timestamp", "resource"]
    text = "ref,what,closed\nT1,review,2026-01-01T00:00:00Z\n"
    mapping = {"case_id": "ref", "activity": "what", "timestamp": "closed"}
    assert read_log(write("m.csv", text), mapping=mapping)["case_id"].tolist() == ["T1"]
    reverse = {"ref": "case_id", "what": "activity", "closed": "timestamp"}
    assert read_log(write("m.csv", text), mapping=reverse)["case_id"].tolist() == ["T1"]


def test_semicolon_separated_with_bom(write, tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes("\ufeffcase_id;activity;timestamp\nA;a;2026-01-01T00:00:00Z\n".encode())
    assert read_log(path)["case_id"].tolist() == ["A"]


def test_cp1252_with_stated_encoding(tmp_path):
    path = tmp_path / "w.csv"
    path.write_bytes("case_id,activity,timestamp,label\nA,a,2026-01-01T00:00:00Z,caf\xe9\n"
                     .encode("cp1252"))
    assert read_log(path, encoding="cp1252")["label"].tolist() == ["café"]


# --------------------------------------------------------------------------- formats


def _plain(write) -> pd.DataFrame:
    return read_log(write("plain.csv", PLAIN))


def test_round_trip_csv_gz_tsv_parquet_xlsx_sqlite(write, tmp_path):
    expected = _plain(write)
    frame = pd.read_csv(write("src.csv", PLAIN))
    gz = tmp_path / "e.csv.gz"
    with gzip.open(gz, "wt") as fh:
        fh.write(PLAIN)
    tsv = write("e.tsv", PLAIN.replace(",", "\t"))
    parquet = tmp_path / "e.parquet"
    expected.to_parquet(parquet)
    xlsx = tmp_path / "e.xlsx"
    frame.to_excel(xlsx, index=False, sheet_name="events")
    db = tmp_path / "e.db"
    with sqlite3.connect(db) as conn:
        frame.to_sql("events", conn, index=False)
    for source, options in [(gz, {}), (tsv, {}), (parquet, {}), (xlsx, {"sheet": "events"}),
                            (db, {"query": "events"}), (db, {"query": "SELECT * FROM events"}),
                            (f"sqlite:///{db}", {})]:
        got = read_log(source, **options)
        pd.testing.assert_frame_equal(got, expected, check_dtype=False, obj=str(source))
        assert str(got["timestamp"].dtype) == "datetime64[us, UTC]"


def test_pm4py_names_and_lifecycle_give_the_same_frame(write):
    twin = """case_id,activity,start_timestamp,timestamp,resource
A,review,2026-01-01T10:00:00Z,2026-01-01T10:05:00Z,r1
A,qa,2026-01-01T11:00:00Z,2026-01-01T11:02:00Z,q1
A,review,2026-01-01T12:00:00Z,2026-01-01T12:03:00Z,r2
B,review,,2026-01-01T09:00:00Z,r1
"""
    lifecycle = """case:concept:name,concept:name,time:timestamp,lifecycle:transition,org:resource
A,review,2026-01-01T10:00:00Z,start,r1
A,review,2026-01-01T10:05:00Z,complete,r1
A,qa,2026-01-01T11:00:00Z,start,q1
B,review,2026-01-01T09:00:00Z,complete,r1
A,qa,2026-01-01T11:02:00Z,complete,q1
A,review,2026-01-01T12:00:00Z,start,r2
A,review,2026-01-01T12:03:00Z,complete,r2
A,review,2026-01-01T13:00:00Z,start,r3
"""
    expected = read_log(write("twin.csv", twin))
    got = read_log(write("lc.csv", lifecycle))
    pd.testing.assert_frame_equal(got, expected)
    assert any("no matching complete" in n for n in got.attrs["modlean"]["notes"])


def test_lifecycle_complete_without_start_does_not_shift_pairs(write):
    text = """case_id,activity,timestamp,lifecycle
A,review,2026-01-01T10:00:00Z,complete
A,review,2026-01-01T11:00:00Z,start
A,review,2026-01-01T11:30:00Z,complete
"""
    log = read_log(write("lc.csv", text))
    assert log["start_timestamp"].isna().tolist() == [True, False]
    assert log["start_timestamp"].iloc[1] == pd.Timestamp("2026-01-01T11:00:00Z")


def test_xes_round_trip(write, tmp_path):
    pm4py = pytest.importorskip("pm4py")
    expected = _plain(write)
    frame = expected.rename(columns={"case_id": "case:concept:name", "activity": "concept:name",
                                     "timestamp": "time:timestamp", "resource": "org:resource"})
    frame["concept:name"] = frame["concept:name"].astype(str)  # pm4py wants text, not categories
    path = tmp_path / "e.xes"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pm4py.write_xes(frame, str(path))
    got = read_log(path)
    for col in ("case_id", "activity", "resource"):
        assert got[col].tolist() == expected[col].tolist()
    assert (got["timestamp"] == expected["timestamp"]).all()


# --------------------------------------------------------------------------- errors


def error_of(source, **options) -> str:
    with pytest.raises(LogError) as info:
        read_log(source, **options)
    return str(info.value)


def test_unsupported_file_type_lists_supported(write):
    msg = error_of(write("e.json", "{}"))
    assert "e.json" in msg and "not supported" in msg and ".parquet" in msg and ".xlsx" in msg


def test_binary_file(tmp_path):
    path = tmp_path / "e.csv"
    path.write_bytes(b"PK\x03\x04\x00\x00binary")
    msg = error_of(path)
    assert "binary" in msg and "e.csv" in msg and ".xlsx" in msg


def test_undecodable_file_suggests_encoding(tmp_path):
    path = tmp_path / "e.csv"
    path.write_bytes("case_id,activity,timestamp\nA,caf\xe9,2026-01-01T00:00:00Z\n"
                     .encode("cp1252"))
    msg = error_of(path)
    assert "not valid utf-8" in msg and "encoding=" in msg


def test_empty_file_and_no_events(write):
    assert "empty" in error_of(write("e.csv", ""))
    assert "no events" in error_of(write("h.csv", "case_id,activity,timestamp\n"))


def test_missing_column_lists_found_and_suggests(write):
    msg = error_of(write("e.csv", "case_idd,activity,timestamp\nA,a,2026-01-01T00:00:00Z\n"))
    assert "no column for the case id" in msg
    assert "'case_idd'" in msg and "Did you mean 'case_idd'" in msg and "mapping=" in msg


def test_duplicate_column_names(write):
    msg = error_of(write("e.csv", "case_id,activity,timestamp,label,label\n"
                                  "A,a,2026-01-01T00:00:00Z,x,y\n"))
    assert "more than once" in msg and "label" in msg


def test_two_columns_for_one_field_need_a_mapping(write):
    msg = error_of(write("e.csv", "ticket_id,item_id,activity,timestamp\n"
                                  "A,B,a,2026-01-01T00:00:00Z\n"))
    assert "several columns could be case_id" in msg and "mapping=" in msg


def test_unparseable_timestamp_names_row_line_and_value(write):
    text = ("case_id,activity,timestamp\nA,a,2026-01-01T00:00:00Z\n\n"
            "A,b,2026-13-45T99:00:00Z\n")
    msg = error_of(write("e.csv", text))
    assert "e.csv, row 2 (line 4), column 'timestamp'" in msg
    assert "'2026-13-45T99:00:00Z'" in msg and "ISO 8601" in msg


def test_empty_timestamp(write):
    msg = error_of(write("e.csv", "case_id,activity,timestamp\nA,a,\n"))
    assert "time is empty in rows 1" in msg and "column 'timestamp'" in msg


def test_mixed_naive_and_aware_without_stated_zone(write):
    text = "case_id,activity,timestamp\nA,a,2026-01-01T00:00:00Z\nA,b,2026-01-01 02:00:00\n"
    path = write("e.csv", text)
    msg = error_of(path)
    assert "mixes times with and without a time zone" in msg and "row 2 (line 3)" in msg
    assert "tz=" in msg
    log = read_log(path, tz="Europe/London")
    assert log["timestamp"].iloc[1] == pd.Timestamp("2026-01-01T02:00:00Z")


def test_ambiguous_day_month_is_refused(write):
    msg = error_of(write("e.csv", "case_id,activity,timestamp\nA,a,03/04/2026 10:00\n"),
                   tz="UTC")
    assert "ambiguous" in msg and "dayfirst=" in msg and "'03/04/2026 10:00'" in msg


def test_day_first_and_month_first_mixed(write):
    text = "case_id,activity,timestamp\nA,a,25/04/2026 10:00\nA,b,04/25/2026 10:00\n"
    assert "both day-first and month-first" in error_of(write("e.csv", text), tz="UTC")


def test_empty_case_ids_name_the_rows(write):
    text = ("case_id,activity,timestamp\nA,a,2026-01-01T00:00:00Z\n,b,2026-01-01T00:00:00Z\n"
            "  ,c,2026-01-01T00:00:00Z\n")
    msg = error_of(write("e.csv", text))
    assert "case_id is empty in rows 2 (line 3), 3 (line 4)" in msg


def test_start_after_end_names_the_rows(write):
    text = ("case_id,activity,start_timestamp,timestamp\n"
            "A,a,2026-01-01T00:00:00Z,2026-01-01T00:10:00Z\n"
            "A,b,2026-01-01T02:00:00Z,2026-01-01T01:00:00Z\n")
    msg = error_of(write("e.csv", text))
    assert "start is after the end in rows 2 (line 3)" in msg and "start_timestamp" in msg


def test_broken_xes(write):
    pytest.importorskip("pm4py")
    msg = error_of(write("e.xes", "<log><trace><event>"))
    assert "e.xes" in msg and "not a readable XES file" in msg


def test_xes_without_pm4py_names_the_extra(write, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_pm4py(name, *args, **kwargs):
        if name == "pm4py":
            raise ImportError("no pm4py")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pm4py)
    msg = error_of(write("e.xes", "<log/>"))
    assert "modlean[xes]" in msg


def test_malformed_csv_names_the_line(write):
    text = 'case_id,activity,timestamp\nA,a,2026-01-01T00:00:00Z\nA,"b,2026-01-01\n'
    msg = error_of(write("e.csv", text))
    assert "e.csv" in msg and "cannot be parsed" in msg


def test_missing_file_and_unknown_zone(tmp_path, write):
    assert "no such file" in error_of(tmp_path / "nope.csv")
    assert "unknown time zone" in error_of(write("e.csv", PLAIN), tz="Mars/Olympus")


def test_sql_needs_a_table_when_several(tmp_path):
    db = tmp_path / "e.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("create table a (x int)")
        conn.execute("create table b (x int)")
    msg = error_of(db)
    assert "say which table" in msg and "a, b" in msg
    assert "no such table" in error_of(db, query="events")


def test_xlsx_errors_name_sheet_rows(tmp_path):
    path = tmp_path / "e.xlsx"
    pd.DataFrame({"case_id": ["A", "B"], "activity": ["a", "b"],
                  "timestamp": ["2026-01-01T00:00:00Z", "not a time"]}).to_excel(path,
                                                                                 index=False)
    msg = error_of(path)
    assert "row 2 (line 3)" in msg and "'not a time'" in msg
    assert "no such sheet" in error_of(path, sheet="Sheet9")


def test_dst_gap_is_refused(write):
    text = "case_id,activity,timestamp\nA,a,2026-03-29 01:30:00\n"
    msg = error_of(write("e.csv", text), tz="Europe/London")
    assert "daylight-saving" in msg and "row 1" in msg and "skipped" in msg


def test_the_repeated_autumn_hour_is_read_as_summer_time_with_a_warning(write):
    text = ("case_id,activity,timestamp\nA,a,2026-10-25 01:59:00\nA,b,2026-10-25 02:30:00\n"
            "A,c,2026-10-25 03:10:00\n")
    with pytest.warns(LogWarning, match="1 time\\(s\\) fell in the hour repeated"):
        log = read_log(write("e.csv", text), tz="Europe/Berlin")
    assert log["timestamp"].dt.strftime("%H:%M").tolist() == ["23:59", "00:30", "02:10"]


def test_errors_are_value_errors_and_modlean_errors(write):
    from modlean import ModleanError

    with pytest.raises(ValueError):
        read_log(write("e.csv", ""))
    with pytest.raises(ModleanError):
        read_log(write("e.csv", ""))


# --------------------------------------------------------------------------- summary


def test_summary_of_sample_data(root: Path):
    log = read_log(root / "data" / "UK" / "events.csv")
    s = summarize(log)
    assert s["cases"] == log["case_id"].nunique() and s["events"] == len(log)
    assert s["activities"]["submitted"] == s["cases"]
    assert set(CANONICAL_COLUMNS) - {"lifecycle"} >= {"case_id", "activity", "timestamp"}
    assert "market" in s["attributes"]


def test_read_log_gives_the_canonical_dtypes(write):
    """docs/event-log.md, "Dtypes": ids text, other text sorted categoricals (as imports give)."""
    log = read_log(write("d.csv", PLAIN + "L3,submitted,2026-03-02T10:00:00Z,,UK\n"))
    assert log["case_id"].dtype == pd.Series(["x"]).dtype
    for col in ("activity", "resource", "market"):
        cats = log[col].cat.categories
        assert list(cats) == sorted(set(log[col].dropna())), col
    assert log["resource"].isna().tolist() == [False] * 5 + [True]
    assert log["activity"].astype(str).tolist()[:3] == ["submitted", "review_l1", "decision_sent"]
