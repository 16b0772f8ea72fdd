"""Benchmark the notebook batch: 8 market runs with 1 and with 2 workers.

Prints the wall time of each batch, the speed-up with 2 workers, and the
per-notebook overhead of the runner over the notebook's own compute: the run's
time (kernel start, papermill, HTML, reading records back) minus the time its
cells took (papermill's per-cell durations). Targets: speed-up >= 1.8 on 2
cores, overhead <= 3 s per notebook.

Usage: ``.venv/bin/python bench/bench_batch.py [--notebook notebooks/01_process_discovery.ipynb]``
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from modlean.evidence import run_batch

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ("US", "UK", "ID", "MY", "TH")
MARKETS = ("US", "UK", "ID", "MY", "TH", "US2", "UK2", "ID2")


def _data(folder: Path) -> Path:
    """Eight market folders made from the five sample logs."""
    for market in MARKETS:
        (folder / market).mkdir(parents=True)
        shutil.copy(ROOT / "data" / market.rstrip("2") / "events.csv", folder / market)
    return folder


def _cell_seconds(notebook: Path) -> float:
    nb = nbformat.read(notebook, as_version=4)
    return sum(c.metadata.get("papermill", {}).get("duration") or 0.0 for c in nb.cells)


def _batch(notebook: Path, data: Path, out: Path, workers: int) -> tuple[float, list[float]]:
    start = time.perf_counter()
    result = run_batch([notebook], MARKETS, out=out, workers=workers, progress=False,
                       parameters={"log_path": str(data / "{market}" / "events.csv")})
    wall = time.perf_counter() - start
    if not result.ok:
        failed = result.failed[0]
        sys.exit(f"bench_batch: a run failed: {failed['error_type']}: {failed['error']}")
    overheads = [r["seconds"] - _cell_seconds(out / r["ipynb"]) for r in result.runs]
    return wall, overheads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebook", type=Path,
                        default=ROOT / "notebooks" / "01_process_discovery.ipynb")
    parser.add_argument("--rounds", type=int, default=2,
                        help="interleaved rounds; the fastest of each is kept (shared machines)")
    args = parser.parse_args()
    walls: dict[int, list[float]] = {1: [], 2: []}
    over: dict[int, list[float]] = {1: [], 2: []}
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        data = _data(Path(tmp) / "data")
        for r in range(args.rounds):
            for workers in (1, 2):
                wall, overheads = _batch(args.notebook, data, Path(tmp) / f"w{workers}-{r}",
                                         workers)
                walls[workers].append(wall)
                over[workers].extend(overheads)
    one, two = min(walls[1]), min(walls[2])
    over1, over2 = over[1], over[2]
    overheads = over1 + over2
    print(f"notebook: {args.notebook.name}, {len(MARKETS)} market runs, fastest of "
          f"{args.rounds} interleaved rounds")
    print(f"  1 worker : {one:6.1f} s wall")
    print(f"  2 workers: {two:6.1f} s wall   speed-up {one / two:.2f}x (target >= 1.8)")
    print(f"  overhead per notebook over its own cells (1 worker): median "
          f"{statistics.median(over1):.2f} s, max {max(over1):.2f} s (target <= 3 s)")
    print(f"  overhead per notebook (2 workers, cores shared): median "
          f"{statistics.median(over2):.2f} s, max {max(overheads):.2f} s")


if __name__ == "__main__":
    main()
