"""Benchmark: peer figures from a day of DSA dumps, streamed, against reading it whole with pandas.

Run from the project root::

    .venv/bin/python bench/bench_dsa_peers.py               # 1e6 statements
    .venv/bin/python bench/bench_dsa_peers.py --rows 2e5

A seeded day of made-up statements in the database's 38 columns
(``modlean.dsa.synthetic_dump``; text fields with commas, quotes and line breaks)
is written once as a zip holding one CSV, so pandas can read it too. Each way then
runs in a fresh Python process, which reports its wall time and its peak resident
memory (``VmHWM`` of ``/proc/self/status``; ``ru_maxrss`` elsewhere):

- *streamed*: ``modlean.dsa.peer_benchmarks`` (4 MiB blocks, 10 columns converted);
- *pandas whole*: ``pandas.read_csv`` of the whole zip (all columns, as text), then
  the same counts per platform x category x day: what a notebook without modlean does;
- *imports*: a process that only imports pandas, pyarrow and modlean.dsa: the floor.

The figure to watch is the streamed run's memory above the floor against pandas':
the streamed reader's grows with the block, not with the day. Times are ratios of
runs in the same session; on a shared machine they are noisy.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from modlean.dsa import synthetic_dump, write_dump_zip  # noqa: E402

CHUNK = 100_000
PLATFORMS = ["Temu", "AliExpress", "Amazon Store", "TikTok"]

STREAMED = """
from modlean.dsa import peer_benchmarks
counts = peer_benchmarks([{path!r}], {platforms!r}, workers=1)
result = int(counts.counts["statements"].sum())
"""
WHOLE = """
import pandas as pd
table = pd.read_csv({path!r}, dtype=str, keep_default_na=False)
table = table[table["platform_name"].isin({platforms!r})]
day = pd.to_datetime(table["application_date"].str[:10])
lag = (day - pd.to_datetime(table["content_date"].str[:10])).dt.days
counts = table.assign(day=day, lag=lag, fully=table["automated_decision"].eq(
    "AUTOMATED_DECISION_FULLY"), detected=table["automated_detection"].eq("Yes")).groupby(
    ["platform_name", "category", "day"]).agg(statements=("uuid", "size"),
    fully=("fully", "sum"), detected=("detected", "sum"), lag_median=("lag", "median"))
result = int(counts["statements"].sum())
"""
IMPORTS = """
import pandas, pyarrow.csv
import modlean.dsa
result = 0
"""
RUNNER = """
import json, resource, time
start = time.perf_counter()
{body}
seconds = time.perf_counter() - start
try:  # VmHWM: this process's peak; ru_maxrss on Linux keeps the parent's peak across exec
    with open("/proc/self/status") as status:
        peak = next(int(l.split()[1]) for l in status if l.startswith("VmHWM")) / 1024
except OSError:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": seconds, "peak_mib": peak, "statements": result}}))
"""


def write_day(rows: int, folder: Path) -> Path:
    """``rows`` statements of one day as a zip of one CSV, written chunk by chunk."""
    chunks = (synthetic_dump(min(CHUNK, rows - start), seed=start + 1)
              for start in range(0, rows, CHUNK))
    return write_dump_zip(chunks, folder / "sor-global-2025-07-01-full.zip", nested=False,
                          rows_per_part=rows)


def run(body: str) -> dict:
    """Run ``body`` in a fresh interpreter; its time, peak memory and statement count."""
    code = RUNNER.format(body=body)
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": ""})
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    """Write the day, run the three ways, print the figures and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=float, default=1e6, help="statements in the day")
    rows = int(parser.parse_args().rows)
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        path = write_day(rows, Path(folder))
        with zipfile.ZipFile(path) as archive:
            text = sum(i.file_size for i in archive.infolist())
        print(f"day of {rows:,} statements: {text / 2**20:,.0f} MiB of CSV, "
              f"{path.stat().st_size / 2**20:,.1f} MiB zipped (made-up rows compress better "
              f"than real ones), written in {time.perf_counter() - start:,.1f} s")
        args = {"path": str(path), "platforms": PLATFORMS}
        floor = run(IMPORTS)
        streamed = run(STREAMED.format(**args))
        whole = run(WHOLE.format(**args))
    assert streamed["statements"] == whole["statements"] == rows, (streamed, whole)
    for name, r in (("imports only", floor), ("streamed (modlean)", streamed),
                    ("pandas whole", whole)):
        print(f"{name:20s} {r['seconds']:8.1f} s   peak {r['peak_mib']:8,.0f} MiB   "
              f"above imports {r['peak_mib'] - floor['peak_mib']:8,.0f} MiB")
    above_s = streamed["peak_mib"] - floor["peak_mib"]
    above_w = whole["peak_mib"] - floor["peak_mib"]
    print(f"time: streamed / pandas whole = {streamed['seconds'] / whole['seconds']:.2f}x")
    print(f"memory above imports: pandas whole / streamed = {above_w / max(above_s, 1):.1f}x")


if __name__ == "__main__":
    main()
