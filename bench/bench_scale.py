"""Benchmark: mining a dataset in memory vs out of core, and 1e8 events out of core.

    .venv/bin/python bench/bench_scale.py                 # 1e7: in memory vs out of core
    .venv/bin/python bench/bench_scale.py --sizes 1e7 1e8 # and 1e8 out of core (minutes)

For each size a seeded dataset (``bench/make_large_log.py``: one hive folder per day,
200,000 cases a day) is written to a temporary folder, mined by
``modlean.process.mine_dataset`` in a fresh process per engine, and deleted at the
end. Each run prints its wall time, the peak resident memory of the whole process
tree (the run and its worker processes, sampled every 0.1 s with psutil, or
``ru_maxrss`` of the children when psutil is missing) and the bytes the out-of-core
engine wrote to disk. 1e8 events run only out of core (in memory they would need
about 16 GB for the frame alone). The 1e7 line of issue 15 part 5 follows: the path
``read_log`` + DFG + variants + performance DFG + case durations on one Parquet file of
1e7 events, in a fresh process (bench_mining's end-to-end measure). Timings on a
loaded machine are noisy: the ratios are measured in the same run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_mining
from make_large_log import write_dataset

try:
    import psutil
except ImportError:  # pragma: no cover - the figure then comes from ru_maxrss
    psutil = None


def child(engine: str, folder: str, workers: int) -> None:
    """Mine the dataset in this process (and its workers); print JSON."""
    warnings.simplefilter("ignore")
    from modlean import process

    t0 = time.perf_counter()
    result = process.mine_dataset(folder, engine=engine, workers=workers,
                                  max_in_memory_events=10**12)
    print(json.dumps({"seconds": time.perf_counter() - t0, "events": result.events,
                      "cases": result.cases, "variants": len(result.variants),
                      "partitions": result.partitions, "spilled_bytes": result.spilled_bytes}))


def _tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            total += p.memory_info().rss
    return total


def measure(engine: str, folder: Path, workers: int) -> dict[str, float] | None:
    """Run :func:`child` in a fresh process; its figures and the tree's peak memory."""
    cmd = [sys.executable, __file__, "--child", engine, str(folder), "--workers", str(workers)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    if psutil is not None:
        watched = psutil.Process(proc.pid)
        while proc.poll() is None:  # sampling, not a loop over data
            peak = max(peak, _tree_rss(watched))
            time.sleep(0.1)
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        print(f"  {engine} failed: {err.strip().splitlines()[-1:]}", file=sys.stderr)
        return None
    if psutil is None:
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    figures = json.loads(out.strip().splitlines()[-1])
    return {**figures, "wall": wall, "peak_gib": peak / 2**30}


def _line(label: str, m: dict[str, float] | None) -> str:
    if m is None:
        return f"  {label:<26} failed"
    spilled = f"{m['spilled_bytes'] / 2**30:6.2f} GiB" if m["spilled_bytes"] else "      -   "
    return (f"  {label:<26} {m['seconds']:8.1f} s  peak {m['peak_gib']:5.2f} GiB  "
            f"spilled {spilled}  partitions {m['partitions']:>3}  "
            f"({m['events']:,} events, {m['cases']:,} cases)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", type=float, default=[1e7])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--tmp", type=Path, default=None, help="folder for the datasets")
    parser.add_argument("--child", nargs=2, metavar=("ENGINE", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], args.child[1], args.workers)
        return
    for size in args.sizes:
        n = int(size)
        folder = Path(tempfile.mkdtemp(prefix="modlean-scale-", dir=args.tmp))
        try:
            t0 = time.perf_counter()
            made = write_dataset(folder / "log", n)
            print(f"{n:.0e} events: dataset of {made['events']:,} events, {made['cases']:,} "
                  f"cases, {made['days']} days written in {time.perf_counter() - t0:.0f} s")
            ooc = measure("out-of-core", folder / "log", args.workers)
            mem = measure("memory", folder / "log", args.workers) if n <= 2 * 10**7 else None
            if mem is not None:
                print(_line("in memory", mem))
            print(_line(f"out of core ({args.workers} workers)", ooc))
            if mem and ooc:
                print(f"  out of core / in memory: time {ooc['seconds'] / mem['seconds']:.2f}x, "
                      f"peak memory {ooc['peak_gib'] / mem['peak_gib']:.2f}x")
            if n == 10**7:
                path = folder / "one.parquet"
                bench_mining.make_log(n).to_parquet(path)
                e2e = bench_mining.measure_end_to_end("modlean", path)
                if e2e:
                    print(f"  part 5, 1e7 end to end in memory (read_log + DFG + variants + "
                          f"performance DFG + case durations): {e2e['seconds']:.1f} s, "
                          f"peak rise {e2e['peak_mib'] / 1024:.2f} GiB")
        finally:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
