"""Peer benchmarks from the database's daily dumps: real rows counted by hand, streaming equal
to an in-memory count, both schemas, Parquet, parallel days, the file and bad input.

Real rows: tests/fixtures/dsa/ (the shantay project's cut-down dumps, ``apparebit/shantay``
``test/fixture/csv/``; data (c) European Union, CC BY 4.0), zipped here the way the
Commission zips a day (an outer zip of ``...-00000.csv.zip`` members holding CSV parts).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from test_dsa_statements import TEMPLATE, hand_log

from modlean.cli import main
from modlean.dsa import (
    ATTRIBUTION,
    COUNT_COLUMNS,
    benchmark_table,
    build_statements,
    count_batch,
    load_mapping,
    market_beside_peers,
    peer_benchmarks,
    peer_summary,
    read_benchmarks,
    synthetic_dump,
    write_benchmarks,
    write_dump_zip,
)
from modlean.dsa.synthetic import SyntheticPlatform
from modlean.errors import LogError, ParameterError
from modlean.plots.peers import PEER_CHART_FIGURES, peers_chart

FIXTURES = Path(__file__).parent / "fixtures" / "dsa"
NEW = [FIXTURES / "sor-global-2025-07-01-rows.csv",
       FIXTURES / "sor-global-2025-07-01-more-rows.csv"]
OLD = FIXTURES / "sor-global-2024-03-14-rows.csv"
KEYS = ["platform", "category", "day"]


def zip_day(path: Path, parts: dict[str, bytes], nested: bool = True) -> Path:
    """A daily dump zip of CSV parts, nested as the Commission publishes or flat."""
    stem = path.name.removesuffix(".zip")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as outer:
        if nested:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as inner:
                for i, data in enumerate(parts.values()):
                    inner.writestr(f"{stem}-00000-{i:05d}.csv", data)
            outer.writestr(f"{stem}-00000.csv.zip", buffer.getvalue())
        else:
            for i, data in enumerate(parts.values()):
                outer.writestr(f"{stem}-{i:05d}.csv", data)
    return path


@pytest.fixture
def real_days(tmp_path: Path) -> list[Path]:
    new = zip_day(tmp_path / "sor-global-2025-07-01-full.zip",
                  {p.name: p.read_bytes() for p in NEW})
    old = zip_day(tmp_path / "sor-global-2024-03-14-full.zip", {OLD.name: OLD.read_bytes()},
                  nested=False)
    return [new, old]


def row(table: pd.DataFrame, platform: str, category: str) -> dict:
    hit = table[(table["platform"] == platform)
                & (table["category"] == "STATEMENT_CATEGORY_" + category)]
    assert len(hit) == 1, (platform, category, table[["platform", "category"]])
    return hit.iloc[0].to_dict()


def test_real_rows_counted_as_by_hand(real_days):
    result = peer_benchmarks(real_days, ["Idealo", "Google Shopping", "TikTok", "Pinterest",
                                         "Discord Netherlands B.V."], block_size=4096)
    assert result.rows_read == 10
    table = benchmark_table(result)
    idealo = row(table, "Idealo", "PROTECTION_OF_MINORS")
    assert (idealo["statements"], idealo["detection_automated"], idealo["decision_fully"],
            idealo["visibility"], idealo["account"]) == (1, 1, 1, 1, 0)
    assert (idealo["lag_days"], idealo["lag_statements"]) == ([0], [1])
    # v1 SCOPE_OF_PLATFORM_SERVICE is OTHER_VIOLATION_TC now; applied 2024-02-12, posted 02-06
    google = row(table, "Google Shopping", "OTHER_VIOLATION_TC")
    assert str(google["day"]) == "2024-02-12" and google["lag_days"] == [6]
    # 2022-02-19 -> 2024-03-13: 730 days to 2024-02-19, then 10 (leap February) + 13
    tiktok = row(table, "TikTok", "PROTECTION_OF_MINORS")
    assert tiktok["lag_days"] == [753] and tiktok["decision_not_automated"] == 1
    assert tiktok["detection_automated"] == 1
    # a v1 category without a successor keeps its old name
    pinterest = row(table, "Pinterest", "PORNOGRAPHY_OR_SEXUALIZED_CONTENT")
    assert pinterest["decision_partially"] == 1 and pinterest["detection_not_automated"] == 1
    discord = row(table, "Discord Netherlands B.V.", "PROTECTION_OF_MINORS")
    assert (discord["account"], discord["visibility"], discord["lag_days"]) == (1, 0, [1])
    assert set(table["platform"]) == {"Idealo", "Google Shopping", "TikTok", "Pinterest",
                                      "Discord Netherlands B.V."}


def test_category_filter_takes_old_names_to_new(real_days):
    result = peer_benchmarks(real_days, ["Google Shopping", "Idealo"],
                             categories=["other_violation_tc", "STATEMENT_CATEGORY_"
                                         "INTELLECTUAL_PROPERTY_INFRINGEMENTS"])
    table = benchmark_table(result)
    assert sorted(table["category"]) == ["STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
                                         "STATEMENT_CATEGORY_OTHER_VIOLATION_TC"]


def reference_counts(rows: pd.DataFrame) -> pd.DataFrame:
    """The same figures computed in one pass over the whole table, plainly, in pandas."""
    renamed = {"STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE":
               "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
               "STATEMENT_CATEGORY_UNSAFE_AND_ILLEGAL_PRODUCTS":
               "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS"}
    day = pd.to_datetime(rows["application_date"].str[:10])
    t = pd.DataFrame({
        "platform": rows["platform_name"], "category": rows["category"].replace(renamed),
        "day": day, "statements": 1,
        "detection_automated": rows["automated_detection"].eq("Yes"),
        "detection_not_automated": rows["automated_detection"].eq("No"),
        "decision_fully": rows["automated_decision"].eq("AUTOMATED_DECISION_FULLY"),
        "decision_partially": rows["automated_decision"].eq("AUTOMATED_DECISION_PARTIALLY"),
        "decision_not_automated": rows["automated_decision"].isin(
            ["AUTOMATED_DECISION_NOT_AUTOMATED", "No"]),
        "decision_automated_unstated": rows["automated_decision"].eq("Yes"),
        "visibility": ~rows["decision_visibility"].isin(["", "[]"]),
        "monetary": rows["decision_monetary"].ne(""),
        "provision": rows["decision_provision"].ne(""),
        "account": rows["decision_account"].ne(""),
        "lag_unknown": False,
        "lag": (day - pd.to_datetime(rows["content_date"].str[:10])).dt.days,
    })
    counts = t.groupby(KEYS)[COUNT_COLUMNS].sum().astype("int64")
    lags = t.groupby(KEYS)["lag"].agg(lambda s: sorted(s.value_counts().items()))
    counts["lag_days"] = [[int(d) for d, _ in v] for v in lags]
    counts["lag_statements"] = [[int(n) for _, n in v] for v in lags]
    out = counts.reset_index()
    out["day"] = out["day"].dt.date
    return out


def synthetic_rows(seed: int, schema: str = "v2", n: int = 3000) -> pd.DataFrame:
    rows = synthetic_dump(n, seed=seed, schema=schema,
                          day="2025-07-01" if schema == "v2" else "2024-03-14")
    # every value of automated_decision the dumps have held, the 2023 Yes / No included
    rows.loc[rows.index[::97], "automated_decision"] = "Yes"
    rows.loc[rows.index[1::97], "automated_decision"] = "No"
    rows.loc[rows.index[::13], "decision_visibility"] = "[]"
    rows.loc[rows.index[::7], "decision_provision"] = "DECISION_PROVISION_TOTAL_SUSPENSION"
    return rows


@pytest.mark.parametrize("schema", ["v2", "v1"])
def test_streaming_equals_one_pass_in_memory(tmp_path, schema):
    rows = synthetic_rows(3, schema)
    day = write_dump_zip([rows[:1234], rows[1234:]], tmp_path / "sor-global-day-full.zip",
                         rows_per_part=777)
    platforms = ["Temu", "AliExpress", "Amazon Store", "TikTok"]
    streamed = benchmark_table(peer_benchmarks([day], platforms, block_size=4096))
    reference = reference_counts(rows).sort_values(KEYS, ignore_index=True)
    pd.testing.assert_frame_equal(streamed[reference.columns.tolist()], reference,
                                  check_dtype=False)
    whole = count_batch(pa.Table.from_pandas(rows), platforms)
    assert whole.counts["statements"].sum() == streamed["statements"].sum() == len(rows)


def test_lag_quantiles_exact_at_day_resolution(tmp_path):
    rows = synthetic_rows(5)
    day = write_dump_zip([rows], tmp_path / "sor-global-2025-07-01-full.zip")
    summary = peer_summary(benchmark_table(peer_benchmarks([day], ["Temu", "Amazon Store"])),
                           by=["platform"])
    lag = (pd.to_datetime(rows["application_date"]) - pd.to_datetime(rows["content_date"])).dt.days
    for name in ("Temu", "Amazon Store"):
        mine = lag[rows["platform_name"] == name].to_numpy()
        got = summary.set_index("platform").loc[name]
        assert got["sor_lag_median_days"] == np.quantile(mine, 0.5, method="inverted_cdf")
        assert got["sor_lag_p90_days"] == np.quantile(mine, 0.9, method="inverted_cdf")
        share = (rows.loc[rows["platform_name"] == name, "automated_detection"] == "Yes").mean()
        assert got["sor_automated_detection_share"] == pytest.approx(share)


def test_parquet_dumps_text_or_typed_count_the_same(tmp_path):
    rows = synthetic_rows(8, n=800)
    text = tmp_path / "day-text.parquet"
    rows.to_parquet(text)
    typed = rows.copy()
    for name in ("content_date", "application_date"):
        typed[name] = pd.to_datetime(typed[name])
    typed["decision_visibility"] = typed["decision_visibility"].map(
        lambda v: ["DECISION_VISIBILITY_CONTENT_DISABLED"] if v not in ("", "[]") else [])
    typed_path = tmp_path / "day-typed.parquet"
    pq.write_table(pa.Table.from_pandas(typed), typed_path)
    zipped = write_dump_zip([rows], tmp_path / "sor-global-2025-07-01-full.zip")
    tables = [benchmark_table(peer_benchmarks([p], ["Temu", "TikTok"], block_size=8192))
              for p in (text, typed_path, zipped)]
    pd.testing.assert_frame_equal(tables[0], tables[1])
    pd.testing.assert_frame_equal(tables[0], tables[2])


def test_days_in_parallel_equal_days_in_turn(tmp_path):
    days = [write_dump_zip([synthetic_rows(s, n=1500)], tmp_path / f"sor-global-d{s}-full.zip")
            for s in (1, 2)]
    inline = benchmark_table(peer_benchmarks(days, ["Temu", "TikTok"], workers=1))
    parallel = benchmark_table(peer_benchmarks([tmp_path], ["Temu", "TikTok"], workers=2))
    pd.testing.assert_frame_equal(inline, parallel)
    assert inline["statements"].sum() > 0


def test_days_on_a_dask_cluster_equal_days_in_turn(real_days):
    pytest.importorskip("dask.distributed")
    inline = benchmark_table(peer_benchmarks(real_days, ["Idealo", "TikTok"], workers=1))
    on_dask = benchmark_table(peer_benchmarks(real_days, ["Idealo", "TikTok"],
                                              scheduler="local"))
    pd.testing.assert_frame_equal(inline, on_dask)


def test_benchmark_file_round_trip_with_attribution(tmp_path, real_days):
    result = peer_benchmarks(real_days, ["Idealo", "TikTok"])
    path = write_benchmarks(result, tmp_path / "peers.parquet")
    back = read_benchmarks(path)
    assert back.attribution == ATTRIBUTION and "CC BY 4.0" in back.attribution
    assert "(c) European Union" in back.attribution
    assert back.meta["statements_read"] == 10 and not back.meta["sample"]
    assert pq.read_schema(path).metadata[b"attribution"].decode() == ATTRIBUTION
    pd.testing.assert_frame_equal(back.table.assign(day=back.table["day"].astype(str)),
                                  benchmark_table(result).assign(
                                      day=lambda t: t["day"].astype(str)), check_dtype=False)


def test_market_beside_peers(real_days):
    statements = build_statements(hand_log(), load_mapping(TEMPLATE)).statements
    peers = benchmark_table(peer_benchmarks(real_days, ["Idealo", "TikTok"]))
    tidy = market_beside_peers(statements, peers, market="US")
    assert list(tidy.columns) == ["platform", "side", "category", "figure", "value"]
    us = tidy[tidy["platform"] == "US"].set_index("figure")["value"]
    assert (tidy.loc[tidy["platform"] == "US", "side"] == "market").all()
    # the hand log: 4 statements, detection Yes on A and B, model decided A alone
    assert us["sor_statements"] == 4
    assert us["sor_automated_detection_share"] == 0.5
    assert us["sor_fully_automated_share"] == 0.25
    assert us["sor_provision_share"] == 0.25 and us["sor_visibility_share"] == 0.75
    assert us["sor_lag_median_days"] == 1  # lags 0, 1, 2 and 103 days
    idealo = tidy[tidy["platform"] == "Idealo"].set_index("figure")["value"]
    assert idealo["sor_statements"] == 2 and idealo["sor_automated_decision_share"] == 1
    with pytest.raises(ParameterError, match="market 'Idealo' is also a peer"):
        market_beside_peers(statements, peers, market="Idealo")


def test_not_a_zip(tmp_path):
    bad = tmp_path / "sor-global-2025-07-01-full.zip"
    bad.write_text("uuid,platform_name\n1,Temu\n")
    with pytest.raises(LogError, match=r"sor-global-2025-07-01-full.zip: not a zip archive"):
        peer_benchmarks([bad], ["Temu"])


def test_a_csv_part_without_a_needed_column(tmp_path):
    rows = synthetic_rows(1, n=50).drop(columns=["automated_decision"])
    day = zip_day(tmp_path / "sor-global-2025-07-01-full.zip",
                  {"p": rows.to_csv(index=False).encode()})
    with pytest.raises(LogError) as info:
        peer_benchmarks([day], ["Temu"])
    text = str(info.value)
    assert "sor-global-2025-07-01-full-00000.csv.zip:sor-global-2025-07-01-full-00000-00000.csv" \
        in text
    assert "the column 'automated_decision' the peer figures need is missing" in text


def test_an_unknown_platform_names_those_found(real_days):
    with pytest.raises(ParameterError) as info:
        peer_benchmarks(real_days, ["idealo"])
    text = str(info.value)
    assert "platform 'idealo': no statement" in text and "did you mean 'Idealo'?" in text
    assert "'Wallapop'" in text and "10 statements read" in text


def test_an_unknown_category_and_a_torn_csv(tmp_path, real_days):
    with pytest.raises(ParameterError, match="did you mean 'STATEMENT_CATEGORY_SCAMS_AND_FRAUD'"):
        peer_benchmarks(real_days, ["Idealo"], categories=["SCAMS_AND_FRAUDS"])
    torn = tmp_path / "part.csv"
    torn.write_bytes(NEW[0].read_bytes() + b'x,"unclosed\n')
    with pytest.raises(LogError, match=r"part\.csv: the CSV cannot be read after"):
        peer_benchmarks([torn], ["Wallapop"])


def test_synthetic_platform_shares_follow_their_parameters():
    rows = synthetic_dump(20_000, seed=2, platforms=[
        SyntheticPlatform("A", 1.0, detection=0.25, fully=0.5, partially=0.2)])
    assert (rows["automated_detection"] == "Yes").mean() == pytest.approx(0.25, abs=0.015)
    shares = rows["automated_decision"].value_counts(normalize=True)
    assert shares["AUTOMATED_DECISION_FULLY"] == pytest.approx(0.5, abs=0.015)
    assert shares["AUTOMATED_DECISION_PARTIALLY"] == pytest.approx(0.2, abs=0.015)
    assert synthetic_dump(100, seed=2).equals(synthetic_dump(100, seed=2))


def test_cli_writes_the_file_and_prints_the_attribution(real_days, tmp_path, capsys):
    out = tmp_path / "peers.parquet"
    assert main(["dsa", "peers", *map(str, real_days), "--platform", "Idealo", "--platform",
                 "TikTok", "--category", "PROTECTION_OF_MINORS", "--out", str(out),
                 "--workers", "1", "--block-mib", "0.01"]) == 0
    printed = capsys.readouterr().out
    assert "10 statements read from 2 file(s)" in printed
    assert "(c) European Union, licensed under CC BY 4.0" in printed
    assert "Automated detection share" in printed and "100.0 %" in printed
    table = read_benchmarks(out).table
    assert sorted(table["platform"]) == ["Idealo", "TikTok"]


def test_cli_bad_input_exits_2_and_writes_nothing(real_days, tmp_path, capsys):
    out = tmp_path / "peers.parquet"
    assert main(["dsa", "peers", *map(str, real_days), "--platform", "Idealoo",
                 "--out", str(out)]) == 2
    assert "did you mean 'Idealo'?" in capsys.readouterr().err
    not_zip = tmp_path / "sor-global-2025-07-02-full.zip"
    not_zip.write_text("no zip")
    assert main(["dsa", "peers", str(not_zip), "--platform", "Idealo", "--out", str(out)]) == 2
    assert "not a zip archive" in capsys.readouterr().err
    assert not out.exists()


def test_cli_help_explains_the_figures(capsys):
    with pytest.raises(SystemExit):
        main(["dsa", "peers", "--help"])
    text = capsys.readouterr().out
    for words in ("application_date - content_date", "exact at day resolution", "CC BY 4.0",
                  "--scheduler", "--platform"):
        assert words in text


def test_the_sample_file_is_labelled_and_plots_beside_a_market():
    sample = read_benchmarks(Path(__file__).parents[1] / "data" / "dsa_peers_SAMPLE.parquet")
    assert sample.meta["sample"].startswith("SYNTHETIC SAMPLE")
    assert sample.attribution.startswith("SYNTHETIC SAMPLE")  # on every chart and table it signs
    assert set(sample.table["platform"]) == {"AliExpress", "Temu", "Amazon Store", "TikTok"}
    statements = build_statements(hand_log(), load_mapping(TEMPLATE)).statements
    tidy = market_beside_peers(statements, sample, market="US")
    shares = tidy[tidy["figure"] == "sor_fully_automated_share"].set_index("platform")["value"]
    # the sample follows the published solely-automated shares (DOMAIN 3.3), within noise
    assert shares["Temu"] > 0.99 and shares["Amazon Store"] == pytest.approx(0.061, abs=0.02)
    fig = peers_chart(tidy, attribution=sample.attribution)
    assert len(fig.axes) == len(PEER_CHART_FIGURES)
    assert fig.axes[0].get_yticklabels()[0].get_text() == "US"
    with pytest.raises(ParameterError, match="no figures for category 'X'"):
        peers_chart(tidy, category="X")
