"""The peer benchmark file and the tables a notebook reads from it.

- :func:`benchmark_table`: a :class:`~modlean.dsa.peers.PeerCounts` as one table, one
  row per platform x category x day: the counts, and the lag distribution as two
  list columns (``lag_days``, ``lag_statements``: exact counts per whole day).
- :func:`write_benchmarks` / :func:`read_benchmarks`: that table as a small Parquet
  file whose metadata carries the data's attribution (CC BY 4.0, (c) European
  Union), what was read and whether the file is the synthetic sample.
- :func:`peer_summary`: per platform (and category) over a period: statements,
  automated detection and decision shares, decision-type shares, and the lag's
  median and 90th percentile, exact at day resolution (the database holds days).
- :func:`market_beside_peers`: the market's own statements counted the same way,
  beside the peers, as one tidy table (platform, side, category, figure, value).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from modlean._util import write_atomic
from modlean.dsa.peers import COUNT_COLUMNS, KEYS, PeerCounts, count_statements, merge_counts
from modlean.errors import LogError, ParameterError

__all__ = ["ATTRIBUTION", "FIGURES", "PeerBenchmarks", "benchmark_table", "lag_distribution",
           "market_beside_peers", "peer_summary", "read_benchmarks", "write_benchmarks"]

#: The attribution the database's licence asks for; written into every benchmark file.
ATTRIBUTION = ("Source: DSA Transparency Database (transparency.dsa.ec.europa.eu), daily dumps. "
               "(c) European Union, licensed under CC BY 4.0 "
               "(https://creativecommons.org/licenses/by/4.0/). Aggregated by modlean: counts "
               "per platform, category and day; not endorsed by the European Commission.")
#: The figures :func:`peer_summary` gives, in order (shares are of the statements).
#: Their labels, units and definitions are in the KPI catalogue (modlean/kpis.yaml).
FIGURES = ["sor_statements", "sor_automated_detection_share", "sor_automated_decision_share",
           "sor_fully_automated_share", "sor_visibility_share", "sor_monetary_share",
           "sor_provision_share", "sor_account_share", "sor_lag_median_days", "sor_lag_p90_days"]
_META_KEY = b"modlean.dsa_peers"


@dataclass
class PeerBenchmarks:
    """A benchmark table (one row per platform x category x day) and what it was made from."""

    table: pd.DataFrame
    attribution: str = ATTRIBUTION
    meta: dict[str, Any] = field(default_factory=dict)


def benchmark_table(counts: PeerCounts) -> pd.DataFrame:
    """The counts as one row per platform x category x day, the lags as two list columns."""
    lags = counts.lags.sort_values([*KEYS, "lag_days"])
    lists = lags.groupby(KEYS, sort=False, dropna=False).agg(
        lag_days=("lag_days", list), lag_statements=("statements", list)).reset_index()
    table = counts.counts.merge(lists, on=KEYS, how="left")
    for name in ("lag_days", "lag_statements"):
        table[name] = table[name].map(lambda v: v if isinstance(v, list) else [])
    table["day"] = pd.to_datetime(table["day"]).dt.date
    return table.sort_values(KEYS, ignore_index=True)


def _counts_of(table: pd.DataFrame) -> PeerCounts:
    """A benchmark table back as :class:`PeerCounts` (for merging and summaries)."""
    counts = table[KEYS + COUNT_COLUMNS].copy()
    counts["day"] = pd.to_datetime(counts["day"])
    long = table[[*KEYS, "lag_days", "lag_statements"]].explode(["lag_days", "lag_statements"])
    long = long.dropna(subset=["lag_days"]).rename(columns={"lag_statements": "statements"})
    long = long.astype({"lag_days": "int64", "statements": "int64"})
    long["day"] = pd.to_datetime(long["day"])
    return PeerCounts(counts, long)


def write_benchmarks(counts: PeerCounts, path: str | Path, *, sample: str = "") -> Path:
    """Write the benchmark Parquet file (atomically) with the attribution in its metadata.

    ``sample`` non-empty marks a synthetic file and says how it was made.
    """
    table = pa.Table.from_pandas(benchmark_table(counts), preserve_index=False)
    meta = {"attribution": ATTRIBUTION, "sources": [Path(s).name for s in counts.sources],
            "statements_read": counts.rows_read, "platforms_seen": dict(
                counts.platforms_seen.most_common(50)), "sample": sample,
            "lags": "exact counts per whole day of application_date - content_date"}
    schema_meta = dict(table.schema.metadata or {})
    schema_meta[_META_KEY] = json.dumps(meta).encode("utf-8")
    schema_meta[b"attribution"] = ATTRIBUTION.encode("utf-8")
    buffer = io.BytesIO()
    pq.write_table(table.replace_schema_metadata(schema_meta), buffer)
    return write_atomic(path, buffer.getvalue())


def read_benchmarks(path: str | Path) -> PeerBenchmarks:
    """A benchmark file written by :func:`write_benchmarks` (or ``modlean dsa peers``)."""
    path = Path(path)
    if not path.is_file():
        raise LogError("no such benchmark file", source=str(path),
                       expected="a Parquet file made by 'modlean dsa peers' "
                       "(or data/dsa_peers_SAMPLE.parquet)")
    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise LogError(f"not a Parquet file ({exc})", source=str(path),
                       expected="a Parquet file made by 'modlean dsa peers'") from None
    meta_raw = (table.schema.metadata or {}).get(_META_KEY)
    missing = [c for c in KEYS + COUNT_COLUMNS + ["lag_days", "lag_statements"]
               if c not in table.column_names]
    if meta_raw is None or missing:
        raise LogError("not a peer benchmark file", source=str(path),
                       found=f"columns {', '.join(table.column_names[:6])}",
                       expected="a file made by 'modlean dsa peers'"
                       + (f" (missing {', '.join(missing)})" if missing else ""))
    meta = json.loads(meta_raw)
    frame = table.to_pandas()
    frame["lag_days"] = frame["lag_days"].map(list)
    frame["lag_statements"] = frame["lag_statements"].map(list)
    attribution = meta.get("attribution", ATTRIBUTION)
    if meta.get("sample"):  # a made-up file says so wherever its attribution is shown
        attribution = f"{meta['sample']} {attribution}"
    return PeerBenchmarks(frame, attribution, meta)


def lag_distribution(table: pd.DataFrame, by: list[str] | None = None) -> pd.DataFrame:
    """Statements per whole day of lag (application_date - content_date), tidy, per ``by``."""
    by = ["platform", "category"] if by is None else by
    lags = _counts_of(table).lags
    return lags.groupby([*by, "lag_days"], sort=True)["statements"].sum().reset_index()


def _quantile(days: np.ndarray, counts: np.ndarray, q: float) -> float:
    """The q-quantile of a day histogram (lower value, as numpy's 'inverted_cdf')."""
    total = counts.sum()
    if total == 0:
        return float("nan")
    order = np.argsort(days)
    cum = np.cumsum(counts[order])
    return float(days[order][np.searchsorted(cum, q * total)])


def peer_summary(table: pd.DataFrame, by: list[str] | None = None,
                 start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """Per ``by`` (default platform and category) over ``start``..``end`` (days, inclusive):
    the :data:`FIGURES`. Lag quantiles are exact at day resolution ('inverted_cdf')."""
    by = ["platform", "category"] if by is None else by
    unknown = [b for b in by if b not in KEYS]
    if unknown:
        raise ParameterError(f"peer_summary: cannot group by {unknown[0]!r}; expected some of "
                             f"{', '.join(KEYS)}")
    days = pd.to_datetime(table["day"])
    keep = pd.Series(True, index=table.index)
    if start:
        keep &= days >= pd.Timestamp(start)
    if end:
        keep &= days <= pd.Timestamp(end)
    counts = _counts_of(table[keep])
    sums = counts.counts.groupby(by, sort=True)[COUNT_COLUMNS].sum()
    n = sums["statements"].where(sums["statements"] > 0)
    out = pd.DataFrame({"sor_statements": sums["statements"]})
    out["sor_automated_detection_share"] = sums["detection_automated"] / n
    out["sor_automated_decision_share"] = (sums["decision_fully"] + sums["decision_partially"]
                                           + sums["decision_automated_unstated"]) / n
    out["sor_fully_automated_share"] = sums["decision_fully"] / n
    for name in ("visibility", "monetary", "provision", "account"):
        out[f"sor_{name}_share"] = sums[name] / n
    lags = counts.lags.groupby([*by, "lag_days"], sort=True)["statements"].sum().reset_index()
    # One quantile per group: a loop over groups (platforms x categories), not over rows.
    quantiles = {key: (_quantile(g["lag_days"].to_numpy(), g["statements"].to_numpy(), 0.5),
                       _quantile(g["lag_days"].to_numpy(), g["statements"].to_numpy(), 0.9))
                 for key, g in lags.groupby(by if len(by) > 1 else by[0], sort=False)}
    out["sor_lag_median_days"] = [quantiles.get(k, (np.nan, np.nan))[0] for k in out.index]
    out["sor_lag_p90_days"] = [quantiles.get(k, (np.nan, np.nan))[1] for k in out.index]
    return out.reset_index()


def market_beside_peers(statements: pd.DataFrame, peers: PeerBenchmarks | pd.DataFrame, *,
                        market: str = "market", by_category: bool = False,
                        start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """The market's figures from its statements beside each peer's: one tidy table.

    Columns: ``platform``, ``side`` ('market' or 'peer'), ``category`` ('all' unless
    ``by_category``), ``figure`` (:data:`FIGURES`), ``value``. The market's statements
    (:func:`modlean.dsa.build_statements`) are counted exactly as the dumps are.
    """
    table = peers.table if isinstance(peers, PeerBenchmarks) else peers
    if market in set(table["platform"]):
        raise ParameterError(f"market {market!r} is also a peer in the benchmark file; expected "
                             "another name for the market's own figures")
    own = benchmark_table(merge_counts([count_statements(statements, market)]))
    both = pd.concat([table.assign(side="peer"), own.assign(side="market")], ignore_index=True)
    by = ["platform", "category"] if by_category else ["platform"]
    summary = peer_summary(both, by=by, start=start, end=end)
    if not by_category:
        summary.insert(1, "category", "all")
    side = dict(zip(both["platform"], both["side"], strict=False))
    summary.insert(1, "side", summary["platform"].map(side))
    return summary.melt(id_vars=["platform", "side", "category"], value_vars=FIGURES,
                        var_name="figure", value_name="value")
