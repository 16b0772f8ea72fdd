"""The fast import path gives the same answer as the careful one.

An import reads a CSV export with Arrow's typed reader (ids as text, other text
as categoricals, time columns parsed in C++) and orders events with packed
integer keys. Each shortcut is held here to the plain path it replaces: the
same export given as a DataFrame of strings goes the careful way, and must
give the same log, QA table and report.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from bpo_export import PROFILE, make_export

import modlean
from modlean.errors import LogError
from modlean.eventlog.arrow_csv import read_typed_csv
from modlean.eventlog.categorical import as_category, map_categories, plain_text, strip_categories
from modlean.eventlog.fixed_times import fixed_width, naive_format, parse_fixed
from modlean.eventlog.sorting import lex_order
from modlean.eventlog.timestamps import NAT, UTC_DTYPE
from modlean.eventlog.wall_clock import utc_to_wall, wall_to_utc

# --------------------------------------------------------------------------- lex_order


@pytest.mark.parametrize("highs", [(5, 1000, 3), (2**20, 2**40, 2**10), (2**40, 2**40, 2**40)])
def test_lex_order_is_lexsort_whether_or_not_the_keys_pack(highs):
    rng = np.random.default_rng(1)
    keys = [rng.integers(-h, h, 5000) for h in highs]
    np.testing.assert_array_equal(lex_order(*keys), np.lexsort(keys[::-1]))


def test_lex_order_packs_microseconds_in_whole_seconds_and_keeps_nat_apart():
    rng = np.random.default_rng(2)
    case = rng.integers(0, 2**22, 4000)
    micros = rng.integers(0, 400 * 86_400, 4000) * 1_000_000  # 400 days: too wide in us
    np.testing.assert_array_equal(lex_order(case, micros), np.lexsort((micros, case)))
    micros[::7] = NAT
    np.testing.assert_array_equal(lex_order(case, micros), np.lexsort((micros, case)))


def test_lex_order_packs_keys_of_any_integer_dtype_and_offset():
    rng = np.random.default_rng(3)
    keys = [rng.integers(0, 3, 6000).astype(np.int8), rng.integers(-50, 50, 6000).astype(np.int32),
            rng.integers(0, 2**30, 6000) + 1_700_000_000_000_000, rng.random(6000) < 0.5,
            rng.integers(0, 60_000, 6000).astype(np.uint16)]
    np.testing.assert_array_equal(lex_order(*keys), np.lexsort(keys[::-1]))


def test_lex_order_is_stable_on_ties():
    keys = np.array([1, 0, 1, 0, 1])
    np.testing.assert_array_equal(lex_order(keys), [1, 3, 0, 2, 4])


# --------------------------------------------------------------------------- wall clock


def _pandas_utc(wall: np.ndarray, tz) -> np.ndarray:
    """pandas' answer: NaT for a skipped or repeated hour."""
    naive = pd.Series(wall.view("datetime64[us]"))
    utc = naive.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT").dt.tz_convert("UTC")
    return utc.astype(UTC_DTYPE).array.asi8


@pytest.mark.parametrize("tz", ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
                                "America/St_Johns", "Asia/Kathmandu", "Africa/Casablanca",
                                "UTC", dt.timezone(dt.timedelta(hours=-3, minutes=-30))])
@pytest.mark.parametrize("days", [1, 40, 3700])
def test_wall_clock_to_utc_equals_pandas_or_leaves_the_changeover_hours_to_it(tz, days):
    rng = np.random.default_rng(days)
    start = pd.Timestamp("2019-10-20").value // 1000
    for seconds in (True, False):  # whole seconds, and microseconds
        wall = start + rng.integers(0, days * 86_400 * 10**6, 4000)
        if seconds:
            wall -= wall % 10**6
        wall[::11] = NAT
        reference = _pandas_utc(wall, tz)
        in_changeover = (reference == NAT) & (wall != NAT)
        clear = wall[~in_changeover]
        np.testing.assert_array_equal(wall_to_utc(clear, tz), _pandas_utc(clear, tz))
        if in_changeover.any():
            assert wall_to_utc(wall, tz) is None  # pandas names the row or notes the reading


@pytest.mark.parametrize("tz", ["Europe/Berlin", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC"])
def test_utc_to_wall_clock_equals_pandas(tz):
    rng = np.random.default_rng(3)
    utc = pd.Timestamp("2019-01-01").value // 1000 + rng.integers(0, 3700 * 86_400 * 10**6, 5000)
    utc[::13] = NAT
    local = pd.Series(utc.view("datetime64[us]")).dt.tz_localize("UTC").dt.tz_convert(tz)
    expected = local.dt.tz_localize(None).astype("datetime64[us]").array.asi8
    np.testing.assert_array_equal(utc_to_wall(utc, tz), expected)
    wide = np.array([pd.Timestamp(t).value // 1000 for t in ("1890-07-01", "2099-07-01")])
    local = pd.Series(wide.view("datetime64[us]")).dt.tz_localize("UTC").dt.tz_convert(tz)
    expected = local.dt.tz_localize(None).astype("datetime64[us]").array.asi8
    np.testing.assert_array_equal(utc_to_wall(wide, tz), expected)  # two centuries: pandas


def test_wall_clock_changeover_hours_are_refused_to_the_microsecond():
    berlin = "Europe/Berlin"
    spring = pd.Timestamp("2026-03-29 02:00").value // 1000  # 02:00-03:00 never shown
    autumn = pd.Timestamp("2026-10-25 02:00").value // 1000  # 02:00-03:00 shown twice
    hour = 3600 * 10**6
    for edge in (spring, autumn):
        assert wall_to_utc(np.array([edge]), berlin) is None
        assert wall_to_utc(np.array([edge + hour - 1]), berlin) is None
        np.testing.assert_array_equal(wall_to_utc(np.array([edge - 1, edge + hour]), berlin),
                                      _pandas_utc(np.array([edge - 1, edge + hour]), berlin))
    assert (wall_to_utc(np.array([NAT, NAT]), berlin) == NAT).all()


# --------------------------------------------------------------------------- categoricals


def test_stripping_merges_categories_and_blanks_become_missing():
    values = pd.Series(pd.Categorical(["A", " A", "B ", "  ", None, "B"]))
    out = strip_categories(values)
    assert list(out.cat.categories) == ["A", "B"]
    text = plain_text(out)
    assert text.iloc[:3].tolist() == ["A", "A", "B"]
    assert text.isna().tolist() == [False, False, False, True, True, False]
    canonical = as_category(out)
    assert canonical.astype(object).where(canonical.notna(), None).tolist() == [
        "A", "A", "B", None, None, "B"]


def test_mapping_categories_merges_equal_results():
    values = pd.Series(pd.Categorical(["APPROVE", "approve", "REJECT", None]))
    out = map_categories(values, lambda cats: pd.Series(cats.astype(str)).str.lower())
    assert list(out.cat.categories) == ["approve", "reject"]
    assert plain_text(out).tolist()[:3] == ["approve", "approve", "reject"]


# --------------------------------------------------------------------------- fixed-width times


def _fixed(texts, width):
    return pa.array([None if t is None else t.encode() for t in texts], pa.binary(width))


@pytest.mark.parametrize("fmt", ["%d.%m.%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M",
                                 "%d/%m/%Y %H:%M", "%Y%m%d"])
def test_fixed_width_times_equal_strptime(fmt):
    rng = np.random.default_rng(7)
    seconds = rng.integers(-2 * 10**9, 4 * 10**9, 5000)  # 1906 to 2096, leap years included
    if "%S" not in fmt:
        seconds -= seconds % (60 if "%M" in fmt else 86_400)
    stamps = pd.to_datetime(seconds, unit="s")
    texts = [t.strftime(fmt) for t in stamps]
    texts[::9] = [None] * len(texts[::9])
    width = fixed_width(fmt)
    got = parse_fixed(_fixed(texts, width), fmt)
    reference = pc.strptime(pa.array(texts, pa.string()), format=fmt, unit="us")
    assert got.equals(reference)


@pytest.mark.parametrize("bad", ["31.02.2026 10:00:00", "29.02.2026 10:00:00",
                                 "31.04.2026 10:00:00", "01.13.2026 10:00:00",
                                 "00.01.2026 10:00:00",
                                 "01.01.2026 24:00:00", "01.01.2026 10:60:00",
                                 "01.01.2026 10:00:60", "01-01.2026 10:00:00",
                                 "01.01.2026 1O:00:00", " 1.01.2026 10:00:00"])
def test_a_fixed_width_time_out_of_range_is_left_to_the_careful_path(bad):
    fmt = "%d.%m.%Y %H:%M:%S"
    assert parse_fixed(_fixed(["01.03.2026 10:00:00", bad], 19), fmt) is None


def test_the_29th_of_february_of_a_leap_year_is_read():
    got = parse_fixed(_fixed(["29.02.2024 23:59:59", None], 19), "%d.%m.%Y %H:%M:%S")
    assert got.to_pylist() == [pd.Timestamp("2024-02-29 23:59:59").to_pydatetime(), None]


def test_the_typed_reader_parses_fixed_width_times_and_leaves_the_rest_as_text(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("id;a;b;c\n1;02.03.2026 10:00:00;31.02.2026 10:00:00;2.3.2026 10:00:00\n"
                    "2;;01.03.2026 10:00:00;02.03.2026 10:00:00\n", encoding="utf-8")
    fmt = "%d.%m.%Y %H:%M:%S"
    frame = read_typed_csv(path, sep=";", plain=["id", "a", "b"], text=[], decimal=".",
                           times={"a": fmt, "b": fmt})
    assert frame["a"].tolist()[0] == pd.Timestamp("2026-03-02 10:00") and frame["a"].isna()[1]
    assert frame["b"].tolist() == ["31.02.2026 10:00:00", "01.03.2026 10:00:00"]  # refused: text
    frame = read_typed_csv(path, sep=";", plain=["id", "c"], text=[], decimal=".",
                           times={"c": fmt})  # "2.3.2026": not the first value's width
    assert frame["c"].tolist() == ["2.3.2026 10:00:00", "02.03.2026 10:00:00"]


def test_formats_of_uncertain_order_or_width_are_not_fixed():
    assert naive_format("04.03.2026 10:00", None) is None  # day or month first: not certain
    assert naive_format("04.03.2026 10:00", True) == "%d.%m.%Y %H:%M"
    assert naive_format("2026-03-04 10:00:00+01:00", None) is None  # an offset
    assert naive_format("2026-03-04 10:00:00.250", None) is None  # fractions
    assert fixed_width("%d.%m.%Y %H:%M:%S") == 19
    assert fixed_width("%d %b %Y") is None  # month names differ in width


# --------------------------------------------------------------------------- the whole import


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fast")
    path = make_export(1500, seed=5, days=3).write(folder / "export.csv")
    profile = folder / "profile.yaml"
    profile.write_text(PROFILE)
    return path, profile


def _as_strings(path):
    """The export as a user's pandas reads it: every column text, blanks missing."""
    return pd.read_csv(path, sep=";", dtype=str, index_col=0)


def test_typed_csv_import_equals_the_careful_import_of_the_same_rows(written):
    path, profile = written
    fast = modlean.import_export(path, profile)
    careful = modlean.import_export(_as_strings(path), profile)
    # the canonical dtypes (docs/event-log.md): ids text, other text sorted categoricals
    assert (fast.log[["case_id", "task_id"]].dtypes == pd.Series(["x"]).dtype).all()
    ids_numbers_times = {"case_id", "task_id", "timestamp", "start_timestamp", "model_score"}
    for col in fast.log.columns.difference(sorted(ids_numbers_times)):
        cats = fast.log[col].cat.categories
        assert cats.is_monotonic_increasing and cats.is_unique, col
        assert set(cats) == set(fast.log[col].dropna()), col  # no unused category
    pd.testing.assert_frame_equal(fast.log, careful.log)
    pd.testing.assert_frame_equal(fast.qa, careful.qa)
    def figures(report):
        return [row for row in report.rows if row[0] != "notes"]

    assert figures(fast.report) == figures(careful.report)


def test_a_time_the_typed_reader_refuses_gets_the_row_named(written, tmp_path):
    path, profile = written
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(";")
    at = header.index("closed")
    row = lines[7].split(";")
    row[at] = "31.02.2026 10:00:00"  # no such day
    lines[7] = ";".join(row)
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(LogError) as err:
        modlean.import_export(bad, profile)
    text = str(err.value)
    assert "31.02.2026 10:00:00" in text and "closed" in text and "row 7" in text


def test_the_hour_repeated_in_autumn_is_read_as_summer_time_with_a_note(tmp_path):
    frame = pd.DataFrame({
        "ticket": ["T1", "T2"], "queue": ["Q", "Q"], "agent": ["a", "b"],
        "created": ["25.10.2026 01:50:00", "25.10.2026 02:30:00"],
        "closed": ["25.10.2026 02:40:00", "25.10.2026 04:00:00"]})
    path = tmp_path / "autumn.csv"
    frame.to_csv(path, sep=";", index=False)
    prof = {"shape": "tasks", "case": {"id": "ticket"},
            "locale": {"sep": ";", "dayfirst": True, "timezone": "Europe/Berlin"},
            "task": {"queue": "queue", "resource": "agent", "created": "created",
                     "closed": "closed"}}
    result = modlean.import_export(path, prof)
    assert any("repeated" in str(row[2]) for row in result.report.rows if row[0] == "notes")
    log = result.log
    closed = log.loc[log["activity"] == "Q", "timestamp"].tolist()
    assert closed[0] == pd.Timestamp("2026-10-25 00:40", tz="UTC")  # 02:40 CEST
    assert closed[1] == pd.Timestamp("2026-10-25 03:00", tz="UTC")  # 04:00 CET


def test_time_columns_in_two_formats_are_each_read(tmp_path):
    frame = pd.DataFrame({
        "ticket": ["T1", "T2"], "queue": ["Q", "Q"],
        "created": ["2026-03-02 10:00:00", "2026-03-02 11:00:00"],
        "closed": ["02.03.2026 10:30", "02.03.2026 11:45"]})
    path = tmp_path / "two.csv"
    frame.to_csv(path, sep=";", index=False, encoding="utf-8-sig")  # with a byte-order mark
    prof = {"shape": "tasks", "case": {"id": "ticket"},
            "locale": {"sep": ";", "dayfirst": True, "timezone": "UTC"},
            "task": {"queue": "queue", "created": "created", "closed": "closed"}}
    log = modlean.import_export(path, prof).log
    assert log["timestamp"].tolist() == [pd.Timestamp(t, tz="UTC") for t in (
        "2026-03-02 10:00", "2026-03-02 10:30", "2026-03-02 11:00", "2026-03-02 11:45")]
    assert log["case_id"].tolist() == ["T1", "T1", "T2", "T2"]


# --------------------------------------------------------------------------- links and workload


def test_links_chased_on_the_arrow_table_equal_those_chased_on_the_frame():
    from modlean.eventlog.links import chase_links, chase_table_links, coalesce_links
    from modlean.eventlog.values import strings

    table = pa.table({
        "id": [" T1", "T2 ", "T3", "T4", "T5", "T6", "T1"],
        "parent": ["", "T1", "  ", None, "T9", "T6", None],   # blanks, a dangling link, a cycle
        "appeal_of": [None, None, "T2", " T3 ", None, None, ""]})
    fast = chase_table_links(table, "id", ["parent", "appeal_of"])
    frame = table.to_pandas()
    careful = chase_links(strings(frame["id"]),
                          coalesce_links([strings(frame[c]) for c in ("parent", "appeal_of")]))
    pd.testing.assert_series_equal(fast.root, careful.root)
    for field in ("depth", "dangling", "cyclic", "root_codes"):
        np.testing.assert_array_equal(getattr(fast, field), getattr(careful, field))
    assert fast.root.tolist()[:5] == ["T1", "T1", "T1", "T1", "T5"]


def _busy_hours_by_groupby(who, start, end):
    """busy_hours_per_day's figures the plain pandas way (sort, cummax, groupby-sum)."""
    order = np.lexsort((start, who))
    who, start, end = who[order], start[order], end[order]
    first = np.r_[True, who[1:] != who[:-1]]
    reach = pd.Series(end).groupby(np.cumsum(first)).cummax().to_numpy()
    covered = np.where(first, start, np.maximum(start, np.r_[start[:1], reach[:-1]]))
    rows = []
    for w, a, b in zip(who, covered, end, strict=True):
        day = a // 86_400_000_000
        while a < b:
            cut = min(b, (day + 1) * 86_400_000_000)
            rows.append((w, day, (cut - a) / 3.6e9))
            a, day = cut, day + 1
    frame = pd.DataFrame(rows, columns=["who", "day", "hours"])
    return frame.groupby(["who", "day"], sort=True)["hours"].sum()


@pytest.mark.parametrize(("people", "days"), [(5, 10), (60, 90), (100_000, 3), (3, 3000)])
def test_busy_hours_per_day_equal_a_groupby_dense_or_sparse(people, days):
    from modlean.eventlog.intake_report import busy_hours_per_day

    rng = np.random.default_rng(people)
    who = rng.integers(0, people, 3000)
    start = 1_700_000_000_000_000 + rng.integers(0, days * 86_400 * 10**6, 3000)
    end = start + rng.integers(1, 40 * 3600 * 10**6, 3000)
    pd.testing.assert_series_equal(busy_hours_per_day(who, start, end),
                                   _busy_hours_by_groupby(who, start, end), check_names=False)
    ordered = np.lexsort((start, who))  # given in order (estimated starts are): no sort
    pd.testing.assert_series_equal(
        busy_hours_per_day(who[ordered], start[ordered], end[ordered]),
        _busy_hours_by_groupby(who, start, end), check_names=False)


@pytest.mark.parametrize("values", [["A1", "B2", None], ["A1", " B2", None], ["A1", "", None],
                                    ["A1", "B2\u00a0", "C3"], ["A1\t", None, None],
                                    [None, None, None], ["", "", ""]])
def test_ids_are_cleaned_in_arrow_as_strings_cleans_them(values):
    from modlean.eventlog.links import _stripped
    from modlean.eventlog.values import strings

    expected = strings(pd.Series(values, dtype=object)).astype(object)
    got = pd.Series(_stripped(pa.chunked_array([pa.array(values, pa.string())])).to_pylist(),
                    dtype=object)
    assert got.where(got.notna(), None).tolist() == expected.where(expected.notna(), None).tolist()


def test_columns_the_profile_does_not_name_are_left_unread_but_reported(written, tmp_path):
    path, profile = written
    frame = pd.read_csv(path, sep=";", dtype=str, index_col=0)
    frame.insert(3, "comment", "free text; with \"quotes\" and 1,5")
    wider = tmp_path / "wider.csv"
    frame.to_csv(wider, sep=";")
    plain, wide = modlean.import_export(path, profile), modlean.import_export(wider, profile)
    pd.testing.assert_frame_equal(plain.log, wide.log)
    unused = wide.report.table.set_index(["section", "item"]).loc[("columns", "unused"), "value"]
    assert "comment" in unused


@pytest.mark.parametrize("n", [0, 1, 50, 5000])
def test_overlap_per_pool_equals_a_groupby(n):
    from modlean.eventlog.intake_report import _overlap_per_pool
    from modlean.eventlog.tasks import Starts

    rng = np.random.default_rng(n)
    pool = pd.Series(pd.Categorical(rng.choice(["b", "a", None, "c"], n),
                                    categories=["c", "b", "a", "unused"]))
    overlap = rng.random(n) < 0.3
    moved = np.where(overlap, rng.integers(1, 5000, n), 0).astype(float)
    frame = pd.DataFrame({"pool": pool, "overlap": overlap,
                          "moved": np.where(overlap, moved / 60, np.nan)})
    expected = frame.groupby("pool", sort=True, observed=True).agg(
        tasks=("overlap", "size"), overlap=("overlap", "mean"), moved=("overlap", "sum"),
        minutes=("moved", "median"))
    expected.index = expected.index.astype(str)
    starts = Starts(start=pd.Series(dtype=UTC_DTYPE), overlap=overlap, moved_seconds=moved)
    for values in (pool, pool.astype(object)):
        pd.testing.assert_frame_equal(_overlap_per_pool(values, starts), expected.sort_index(),
                                      check_dtype=False, check_index_type=False,
                                      check_names=False)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_links_by_one_sort_equal_links_by_hashing(seed, monkeypatch):
    """Ids written in order are coded by one sort, others hashed: the same links either way
    (repeated keys, dangling parents, self links and cycles included)."""
    from modlean.eventlog import links as links_module

    rng = np.random.default_rng(seed)
    keys = np.char.add("T", rng.integers(0, 400, 500).astype(str)).astype(object)
    parents = np.char.add("T", rng.integers(0, 450, 500).astype(str)).astype(object)
    parents[rng.random(500) < 0.5] = None
    keys = np.append(keys, ["C1", "C2", "C3", "S"])  # a cycle, a row chained to it, a self link
    parents = np.append(parents, ["C2", "C1", "C1", "S"])
    keys_a, parents_a = pa.array(keys, pa.string()), pa.array(parents, pa.string())
    found = {}
    for sorted_path in (True, False):
        monkeypatch.setattr(links_module, "_nearly_sorted", lambda values, s=sorted_path: s)
        found[sorted_path] = links_module.chase_links(keys_a, parents_a)
    by_sort, by_hash = found[True], found[False]
    assert by_sort.keys.names.equals(by_hash.keys.names)
    for field in ("depth", "dangling", "cyclic", "root_codes"):
        np.testing.assert_array_equal(getattr(by_sort, field), getattr(by_hash, field), field)
    np.testing.assert_array_equal(by_sort.keys.codes, by_hash.keys.codes)
    assert by_sort.cyclic.any() and by_sort.dangling.any() and (by_sort.depth > 1).any()


def test_ids_in_order_are_told_from_shuffled_ones():
    from modlean.eventlog.links import _nearly_sorted

    ordered = pa.array([f"DE-{i}" for i in range(50_000)] + [None] * 10)
    assert _nearly_sorted(ordered)  # DE-9 then DE-10: a step down per extra digit only
    shuffled = ordered.take(pa.array(np.random.default_rng(0).permutation(len(ordered))))
    assert not _nearly_sorted(shuffled)


def test_lex_order_by_few_groups_first_is_lexsort():
    rng = np.random.default_rng(4)
    groups = rng.integers(-3, 60, 120_000)
    times = np.sort(rng.integers(0, 10**9, 120_000)) + rng.integers(0, 10**6, 120_000)
    for keys in ((groups, times), (groups, rng.permutation(times)), (groups, times, groups)):
        np.testing.assert_array_equal(lex_order(*keys), np.lexsort(keys[::-1]))


def test_cases_counted_in_the_layout_equal_the_logs_runs(written):
    from modlean.eventlog.intake_report import _case_sizes

    path, profile = written
    result = modlean.import_export(path, profile)
    sizes = _case_sizes(result.log["case_id"])
    assert result.report.value("cases", "cases") == len(sizes) == result.log["case_id"].nunique()
    counted = result.log.groupby("case_id", sort=False).size().to_numpy()
    np.testing.assert_array_equal(sizes.to_numpy(), counted)


def test_a_close_in_the_repeated_autumn_hour_is_read_as_winter_time_when_summer_breaks_order(
        tmp_path):
    """Assigned 02:54 summer time, closed 02:11 winter time (both written 25.10. on the wall
    clock): read as summer time the close comes first; the task is kept, closed in winter."""
    frame = pd.DataFrame({
        "ticket": ["T1", "T2"], "queue": ["Q", "Q"], "agent": ["a", "b"],
        "created": ["25.10.2026 02:40:00", "25.10.2026 01:00:00"],
        "picked_up": ["25.10.2026 02:54:00", "25.10.2026 01:10:00"],
        "closed": ["25.10.2026 02:11:00", "25.10.2026 02:20:00"]})
    path = tmp_path / "autumn.csv"
    frame.to_csv(path, sep=";", index=False)
    prof = {"shape": "tasks", "case": {"id": "ticket"},
            "locale": {"sep": ";", "dayfirst": True, "timezone": "Europe/Berlin"},
            "task": {"queue": "queue", "resource": "agent", "created": "created",
                     "started": "picked_up", "closed": "closed"}}
    result = modlean.import_export(path, prof)
    log = result.log
    closes = log[log["activity"] == "Q"].set_index("case_id")["timestamp"]
    assert closes["T1"] == pd.Timestamp("2026-10-25 01:11", tz="UTC")  # 02:11 CET
    assert closes["T2"] == pd.Timestamp("2026-10-25 00:20", tz="UTC")  # 02:20 CEST: in order
    notes = [str(r[2]) for r in result.report.rows if r[0] == "notes"]
    assert any("read as winter time" in n and "1 time(s)" in n for n in notes)
    assert result.report.value("rows", "kept") == 2
