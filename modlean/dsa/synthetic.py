"""Seeded synthetic statements in the layout of the database's daily dumps.

Made-up rows, never the database's data: they feed the sample benchmark file
(``data/make_sample_peers.py``), the benchmark of the dump reader
(``bench/bench_dsa_peers.py``) and tests that need every enum and both
schemas. :func:`synthetic_dump` draws statements per platform from a
:class:`SyntheticPlatform` (its automation shares, decision types and time to
action); :func:`write_dump_zip` writes chunks of them as the Commission zips a
day: an outer zip holding ``...-full-00000.csv.zip`` files, each with CSV parts,
streamed so a million rows never sit in memory as text.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from modlean.dsa.vocabulary import vocabulary
from modlean.errors import ParameterError

__all__ = ["PUBLISHED_PEERS", "SyntheticPlatform", "synthetic_dump", "write_dump_zip"]

_CATEGORIES = ("INTELLECTUAL_PROPERTY_INFRINGEMENTS", "UNSAFE_AND_PROHIBITED_PRODUCTS",
               "SCAMS_AND_FRAUD", "CONSUMER_INFORMATION", "OTHER_VIOLATION_TC")
_FACTS = ('Listing disabled after review, see "policy 4.2".\nRepeat offence: account '
          "checked.", "The product lacks the safety information the law requires.")
_EEA = json.dumps(["AT", "BE", "DE", "ES", "FR", "IT", "NL", "PL"])


@dataclass(frozen=True)
class SyntheticPlatform:
    """How one made-up platform's statements are drawn.

    ``weight`` its share of the rows; ``detection``, ``fully`` and ``partially`` the shares
    of automated detection and fully / partially automated decisions; ``account`` and
    ``monetary`` the shares that also restrict the account or payments; ``median_lag_days``
    the median days from posting to decision (geometric); ``categories`` weights of the
    five marketplace categories (IP, unsafe products, scams, consumer info, other T&C).
    """

    name: str
    weight: float
    detection: float
    fully: float
    partially: float
    account: float = 0.01
    monetary: float = 0.0
    median_lag_days: float = 3.0
    categories: tuple[float, ...] = (0.3, 0.3, 0.2, 0.1, 0.1)


#: Marketplaces with automation shares from their published DSA transparency reports
#: (DOMAIN.md 3.3: solely automated measures, H1 2026; TikTok H2 2025); the other
#: parameters (detection where unpublished, lags, categories, account shares) are invented.
PUBLISHED_PEERS = (
    SyntheticPlatform("AliExpress", 0.35, detection=0.973, fully=0.984, partially=0.0,
                      account=0.001, median_lag_days=2, categories=(0.4, 0.4, 0.1, 0.05, 0.05)),
    SyntheticPlatform("Temu", 0.35, detection=0.9995, fully=0.9995, partially=0.0,
                      account=0.001, median_lag_days=1, categories=(0.3, 0.5, 0.1, 0.05, 0.05)),
    SyntheticPlatform("Amazon Store", 0.2, detection=0.6, fully=0.061, partially=0.3,
                      account=0.05, median_lag_days=6, categories=(0.5, 0.2, 0.2, 0.05, 0.05)),
    SyntheticPlatform("TikTok", 0.1, detection=0.95, fully=0.937, partially=0.02,
                      account=0.03, median_lag_days=1, categories=(0.1, 0.1, 0.3, 0.1, 0.4)),
)


def _pick(rng: np.random.Generator, shares: np.ndarray) -> np.ndarray:
    """One index per row into its own row of ``shares`` (rows sum to 1), vectorised."""
    cum = np.cumsum(shares, axis=1)
    return (rng.random((len(shares), 1)) > cum).sum(axis=1).clip(0, shares.shape[1] - 1)


def synthetic_dump(n: int, *, seed: int, day: str = "2025-07-01",
                   platforms: Sequence[SyntheticPlatform] = PUBLISHED_PEERS,
                   schema: str = "v2") -> pd.DataFrame:
    """``n`` made-up statements applied on ``day``, in the dump's columns and formats.

    ``schema="v1"`` gives the 2024 layout: no ``content_id_ean`` and the old names of
    the categories that were renamed (UNSAFE_AND_ILLEGAL_PRODUCTS, SCOPE_OF_PLATFORM_SERVICE).
    """
    if schema not in ("v1", "v2"):
        raise ParameterError(f"schema {schema!r}; expected 'v1' (2024 dumps) or 'v2'")
    rng = np.random.default_rng(seed)
    weights = np.array([p.weight for p in platforms], dtype=float)
    who = rng.choice(len(platforms), size=n, p=weights / weights.sum())

    def per(attr: str) -> np.ndarray:
        return np.array([getattr(p, attr) for p in platforms], dtype=float)[who]

    detection = rng.random(n) < per("detection")
    level = _pick(rng, np.column_stack([per("fully"), per("partially"),
                                        1 - per("fully") - per("partially")]))
    cats = np.array([p.categories for p in platforms], dtype=float)
    category = np.array([f"STATEMENT_CATEGORY_{c}" for c in _CATEGORIES])[
        _pick(rng, (cats / cats.sum(axis=1, keepdims=True))[who])]
    if schema == "v1":
        old = {new: v1 for v1, new in vocabulary().v1_to_v2["category"].items() if new}
        category = pd.Series(category).replace(old).to_numpy()
    lag = rng.geometric(1 / (1 + per("median_lag_days") / np.log(2))) - 1
    applied = pd.Timestamp(day)
    content = (applied - pd.to_timedelta(lag, unit="D")).strftime("%Y-%m-%d 00:00:00")
    account = rng.random(n) < per("account")
    monetary = rng.random(n) < per("monetary")
    visibility = ~account | (rng.random(n) < 0.5)
    created = (applied + pd.Timedelta(days=1)
               + pd.to_timedelta(rng.integers(0, 86400, n), unit="s")).strftime(
        "%Y-%m-%d %H:%M:%S")
    names = np.array([p.name for p in platforms])[who]
    table = pd.DataFrame({c: "" for c in vocabulary().columns}, index=range(n))
    table["uuid"] = [f"{seed:08x}-0000-4000-8000-{i:012x}" for i in range(n)]
    table["decision_visibility"] = np.where(
        visibility, '["DECISION_VISIBILITY_CONTENT_DISABLED"]', "")
    table["decision_monetary"] = np.where(monetary, "DECISION_MONETARY_SUSPENSION", "")
    table["decision_account"] = np.where(account, "DECISION_ACCOUNT_SUSPENDED", "")
    table["account_type"] = "ACCOUNT_TYPE_BUSINESS"
    table["decision_ground"] = "DECISION_GROUND_INCOMPATIBLE_CONTENT"
    table["incompatible_content_ground"] = "Terms of service, section 3"
    table["incompatible_content_explanation"] = "The listing breaks the marketplace's rules."
    table["category"] = category
    table["content_type"] = '["CONTENT_TYPE_PRODUCT"]'
    table["content_date"] = content
    table["territorial_scope"] = _EEA
    table["application_date"] = applied.strftime("%Y-%m-%d 00:00:00")
    table["decision_facts"] = np.array(_FACTS)[rng.integers(0, len(_FACTS), n)]
    table["source_type"] = "SOURCE_VOLUNTARY"
    table["automated_detection"] = np.where(detection, "Yes", "No")
    table["automated_decision"] = np.array(
        ["AUTOMATED_DECISION_FULLY", "AUTOMATED_DECISION_PARTIALLY",
         "AUTOMATED_DECISION_NOT_AUTOMATED"])[level]
    table["platform_name"] = names
    table["platform_uid"] = [f"listing-{i}" for i in range(n)]
    table["created_at"] = created
    if schema == "v1":
        table = table.drop(columns=["content_id_ean"])
    return table


def write_dump_zip(chunks: Iterable[pd.DataFrame], path: str | Path, *, nested: bool = True,
                   rows_per_part: int = 200_000) -> Path:
    """Write statement tables as a daily dump zip named after ``path`` (``...-full.zip``).

    Nested (as the Commission publishes): ``<stem>-00000.csv.zip`` members, each holding
    CSV parts ``<stem>-00000-00000.csv`` of at most ``rows_per_part`` rows; else the CSV
    parts sit in the zip directly. Chunks are streamed into the parts.
    """
    path = Path(path)
    stem = path.name.removesuffix(".zip")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as outer:
        part, rows, header = -1, rows_per_part, True
        handle: IO[bytes] | None = None
        inner: zipfile.ZipFile | None = None
        for chunk in chunks:
            start = 0
            while start < len(chunk):
                if rows >= rows_per_part:
                    if handle is not None:
                        handle.close()
                    part, rows, header = part + 1, 0, True
                    name = f"{stem}-00000-{part:05d}.csv" if nested else f"{stem}-{part:05d}.csv"
                    if nested and inner is None:
                        member = outer.open(f"{stem}-00000.csv.zip", "w", force_zip64=True)
                        inner = zipfile.ZipFile(member, "w", zipfile.ZIP_DEFLATED)
                    handle = (inner or outer).open(name, "w", force_zip64=True)
                piece = chunk.iloc[start:start + rows_per_part - rows]
                handle.write(piece.to_csv(index=False, header=header,
                                          lineterminator="\n").encode("utf-8"))
                start, rows, header = start + len(piece), rows + len(piece), False
        if handle is not None:
            handle.close()
        if inner is not None:
            inner.close()  # writes the inner zip's directory into its member
            member.close()
    return path
