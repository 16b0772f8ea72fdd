"""Benchmark: modlean.process.discovery against pm4py on the same seeded moderation log.

Run from the project root::

    .venv/bin/python bench/bench_mining.py               # 1e5 and 1e6 events
    .venv/bin/python bench/bench_mining.py --sizes 1e5 1e6 1e7

For each size a seeded log (about 8 events per case, a dozen activities, rework loops,
ties at equal seconds) is written once to Parquet. Each tool then runs in its own
subprocess, which reads the log, prepares it the way that tool's users would (pm4py:
``format_dataframe``, not timed; modlean: nothing, it takes the canonical log as is) and
times four computations: DFG (frequency), variants, performance DFG and case durations.
Each runs five times and the fastest run is shown (the first run also pays for fresh
memory pages; the "first run" line gives those totals). The "end to end" line is the
whole path a user runs, once, in a fresh process: reading the Parquet file into the
tool's log (modlean ``read_log``; pm4py ``read_parquet`` + ``format_dataframe``) and the
four computations, with the peak rise of memory over the process's start. Each
computation runs in a fresh subprocess; its peak memory is the rise of the process's
resident set above what it held before the first run (Linux ``VmHWM``, reset through
``/proc/self/clear_refs``), so the size of the log itself is not counted for either
tool. Timings on a busy machine are noisy: compare the ratios, which are measured in the
same run, and the CPU times (``time.process_time``, all threads of the process), which a
loaded machine disturbs much less than wall time.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ACTIVITIES = ["submitted", "auto_screen", "auto_approved", "auto_rejected", "queued_l1",
              "review_l1", "escalated_l2", "review_l2", "qa_sample", "qa_overturn",
              "decision_sent", "appeal_review"]
END = ACTIVITIES.index("decision_sent")
STEPS = ("dfg", "variants", "performance_dfg", "case_durations")
REPEATS = 5  # each computation runs this many times; the table shows the fastest


def _transitions() -> np.ndarray:
    """Row-stochastic matrix of the moderation process, with rework loops."""
    p = np.zeros((len(ACTIVITIES), len(ACTIVITIES)))
    idx = {a: i for i, a in enumerate(ACTIVITIES)}

    def go(a: str, **targets: float) -> None:
        for t, w in targets.items():
            p[idx[a], idx[t]] = w

    go("submitted", auto_screen=1.0)
    go("auto_screen", auto_approved=0.06, auto_rejected=0.04, queued_l1=0.90)
    go("auto_approved", decision_sent=1.0)
    go("auto_rejected", decision_sent=0.9, appeal_review=0.1)
    go("queued_l1", review_l1=1.0)
    go("review_l1", decision_sent=0.28, escalated_l2=0.22, qa_sample=0.3, review_l1=0.1,
       queued_l1=0.1)
    go("escalated_l2", review_l2=1.0)
    go("review_l2", decision_sent=0.6, qa_sample=0.4)
    go("qa_sample", decision_sent=0.65, qa_overturn=0.35)
    go("qa_overturn", review_l1=1.0)
    go("decision_sent", decision_sent=1.0)  # absorbing: the end
    go("appeal_review", decision_sent=1.0)
    return p


def make_log(n_events: int, seed: int = 7) -> pd.DataFrame:
    """A canonical moderation log of about ``n_events`` events (seeded)."""
    rng = np.random.default_rng(seed)
    n_cases = max(1, int(n_events / 5))  # cut to n_events below
    p = _transitions()
    cum = np.cumsum(p, axis=1)
    state = np.zeros(n_cases, dtype=np.int64)
    steps = [state]
    alive = np.ones(n_cases, bool)
    for _ in range(40):  # a loop over steps of all cases at once, not over events
        u = rng.random(n_cases)
        nxt = (u[:, None] > cum[state]).sum(axis=1)
        nxt = np.where(alive, np.minimum(nxt, len(ACTIVITIES) - 1), state)
        steps.append(np.where(alive, nxt, -1))
        alive &= nxt != END
        state = nxt
        if not alive.any():
            break
    seq = np.stack(steps, axis=1)
    lengths = (seq >= 0).sum(axis=1)
    keep = np.cumsum(lengths) <= n_events
    seq, lengths, n_cases = seq[keep], lengths[keep], int(keep.sum())
    act = seq[seq >= 0]
    case = np.repeat(np.arange(n_cases), lengths)
    gaps = np.rint(rng.lognormal(4.0, 1.5, len(act))).astype(np.int64)  # seconds, some 0
    first = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    gaps[first] = rng.integers(0, 30 * 86400, n_cases)
    offsets = np.cumsum(gaps) - np.repeat(np.cumsum(gaps)[first] - gaps[first], lengths)
    base = np.datetime64("2026-03-01T00:00:00", "s").astype(np.int64)
    times = (base + offsets) * 1_000_000
    width = len(str(n_cases))
    names = np.array([f"L{i:0{width}d}" for i in range(n_cases)], dtype=object)
    resources = np.array([f"r{i:03d}" for i in range(200)], dtype=object)
    return pd.DataFrame({
        "case_id": pd.array(names, dtype="str").take(case),
        "activity": pd.array(np.array(ACTIVITIES, dtype=object), dtype="str").take(act),
        "timestamp": pd.DatetimeIndex(times.astype("datetime64[us]")).tz_localize("UTC"),
        "resource": pd.array(resources, dtype="str").take(rng.integers(0, 200, len(act))),
    })


# --------------------------------------------------------------------------- workers


def _rss_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _reset_peak() -> None:
    with contextlib.suppress(OSError):  # not Linux: the peak then covers the whole run
        Path("/proc/self/clear_refs").write_text("5")


def _run(func: Any, warmup: Any) -> dict[str, float]:
    warmup()  # imports and first-call set-up are not timed
    times, cpus = [], []
    for i in range(REPEATS):
        gc.collect()
        _reset_peak()
        before = _rss_kib("VmRSS")
        t0, c0 = time.perf_counter(), time.process_time()
        result = func()
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
        if i == 0:  # the first run's peak: no memory is reused from an earlier run
            peak = max(0, _rss_kib("VmHWM") - before) / 1024
        del result
    return {"seconds": min(times), "cpu_seconds": min(cpus), "first_seconds": times[0],
            "peak_mib": peak}


def worker(tool: str, step: str, path: str) -> None:
    """Time one tool's computation ``step`` on the log at ``path``; print JSON."""
    warnings.simplefilter("ignore")
    log = pd.read_parquet(path)
    small = log.head(2000).copy()
    if tool == "modlean":
        from modlean import process

        def modlean_tasks(df: pd.DataFrame) -> dict[str, object]:
            return {
                "dfg": lambda: process.dfg(df, performance=False),
                "variants": lambda: process.variants(df),
                "performance_dfg": lambda: process.dfg(df),
                "case_durations": lambda: process.case_durations(df),
            }

        tasks, warm = modlean_tasks(log)[step], modlean_tasks(small)[step]
    else:
        import pm4py

        def pm4py_tasks(frame: pd.DataFrame) -> dict[str, object]:
            df = pm4py.format_dataframe(frame, case_id="case_id", activity_key="activity",
                                        timestamp_key="timestamp")
            return {
                "dfg": lambda: pm4py.discover_dfg(df),
                "variants": lambda: pm4py.get_variants(df),
                "performance_dfg": lambda: pm4py.discover_performance_dfg(df),
                "case_durations": lambda: pm4py.get_all_case_durations(df),
            }

        tasks, warm = pm4py_tasks(log)[step], pm4py_tasks(small)[step]
        del log
    print(json.dumps(_run(tasks, warm)))


def end_to_end(tool: str, path: str) -> None:
    """The whole path a user runs, once, in this fresh process: read the Parquet file, make
    it the tool's log (modlean: ``read_log``; pm4py: ``read_parquet`` + ``format_dataframe``),
    then the four computations. Prints seconds and the peak rise of memory (JSON)."""
    warnings.simplefilter("ignore")
    if tool == "modlean":
        import modlean
        from modlean import process

        def run() -> object:
            df = modlean.read_log(path)
            return (process.dfg(df, performance=False), process.variants(df),
                    process.dfg(df), process.case_durations(df))
    else:
        import pm4py

        def run() -> object:
            df = pm4py.format_dataframe(pd.read_parquet(path), case_id="case_id",
                                        activity_key="activity", timestamp_key="timestamp")
            return (pm4py.discover_dfg(df), pm4py.get_variants(df),
                    pm4py.discover_performance_dfg(df), pm4py.get_all_case_durations(df))
    gc.collect()
    _reset_peak()
    before = _rss_kib("VmRSS")
    t0, c0 = time.perf_counter(), time.process_time()
    result = run()
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = max(0, _rss_kib("VmHWM") - before) / 1024
    del result
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "peak_mib": peak}))


def measure_end_to_end(tool: str, path: Path) -> dict[str, float] | None:
    """:func:`end_to_end` of one tool in a fresh subprocess."""
    proc = subprocess.run([sys.executable, __file__, "--worker", tool, "end_to_end", str(path)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        print(f"  {tool} end to end failed: {proc.stderr.strip().splitlines()[-1:]}",
              file=sys.stderr)
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure(tool: str, path: Path) -> dict[str, dict[str, float]] | None:
    """Each computation of one tool, each in a fresh subprocess."""
    out = {}
    for step in STEPS:
        proc = subprocess.run([sys.executable, __file__, "--worker", tool, step, str(path)],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            print(f"  {tool} {step} failed: {proc.stderr.strip().splitlines()[-1:]}",
                  file=sys.stderr)
            return None
        out[step] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", type=float, default=[1e5, 1e6],
                        help="numbers of events (default 1e5 1e6; add 1e7 for the large run)")
    parser.add_argument("--no-pm4py", action="store_true", help="time modlean only")
    parser.add_argument("--pm4py-max", type=float, default=2e6,
                        help="largest log pm4py is timed on (default 2e6; it is slow)")
    parser.add_argument("--worker", nargs=3, metavar=("TOOL", "STEP", "PATH"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sys._pm4py_welcome_shown = True  # pm4py prints a banner when imported from __main__
    if args.worker:
        tool, step, path = args.worker
        end_to_end(tool, path) if step == "end_to_end" else worker(tool, step, path)
        return
    try:
        import pm4py  # noqa: F401

        have_pm4py = not args.no_pm4py
    except ImportError:
        have_pm4py = False
    steps = STEPS
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            log = make_log(int(size))
            path = Path(tmp) / f"log_{int(size)}.parquet"
            log.to_parquet(path)
            print(f"\n{len(log):,} events, {log['case_id'].nunique():,} cases, "
                  f"{log['activity'].nunique()} activities")
            del log
            ours = measure("modlean", path)
            theirs = measure("pm4py", path) if have_pm4py and size <= args.pm4py_max else None
            if ours is None:
                continue
            print(f"  {'computation':<16}{'modlean s':>10}{'pm4py s':>10}{'ratio':>8}"
                  f"{'modlean MiB':>13}{'pm4py MiB':>11}")
            for step in [*steps, "total"]:
                if step == "total":
                    m_s = sum(ours[s]["seconds"] for s in steps)
                    m_mem = max(ours[s]["peak_mib"] for s in steps)
                else:
                    m_s, m_mem = ours[step]["seconds"], ours[step]["peak_mib"]
                if theirs:
                    p_s = (sum(theirs[s]["seconds"] for s in steps) if step == "total"
                           else theirs[step]["seconds"])
                    p_mem = (max(theirs[s]["peak_mib"] for s in steps) if step == "total"
                             else theirs[step]["peak_mib"])
                    print(f"  {step:<16}{m_s:>10.3f}{p_s:>10.3f}{p_s / m_s:>7.1f}x"
                          f"{m_mem:>13.0f}{p_mem:>11.0f}")
                else:
                    print(f"  {step:<16}{m_s:>10.3f}{'-':>10}{'-':>8}{m_mem:>13.0f}{'-':>11}")
            m_first = sum(ours[s]["first_seconds"] for s in steps)
            if theirs:
                p_first = sum(theirs[s]["first_seconds"] for s in steps)
                print(f"  {'first run total':<16}{m_first:>10.3f}{p_first:>10.3f}"
                      f"{p_first / m_first:>7.1f}x")
            else:
                print(f"  {'first run total':<16}{m_first:>10.3f}")
            m_cpu = sum(ours[s]["cpu_seconds"] for s in steps)
            if theirs:
                p_cpu = sum(theirs[s]["cpu_seconds"] for s in steps)
                print(f"  {'total CPU time':<16}{m_cpu:>10.3f}{p_cpu:>10.3f}"
                      f"{p_cpu / m_cpu:>7.1f}x")
                m_peak = max(ours[s]["peak_mib"] for s in steps)
                p_peak = max(theirs[s]["peak_mib"] for s in steps)
                print(f"  peak memory modlean/pm4py: {m_peak / max(p_peak, 1e-9):.0%}")
            else:
                print(f"  {'total CPU time':<16}{m_cpu:>10.3f}")
            e_ours = measure_end_to_end("modlean", path)
            e_theirs = measure_end_to_end("pm4py", path) if theirs else None
            if e_ours:
                line = (f"  end to end (read + the four, first run, fresh process): modlean "
                        f"{e_ours['seconds']:.2f} s ({e_ours['cpu_seconds']:.2f} s CPU), "
                        f"{e_ours['peak_mib']:.0f} MiB")
                if e_theirs:
                    line += (f"; pm4py {e_theirs['seconds']:.2f} s "
                             f"({e_theirs['cpu_seconds']:.2f} s CPU), "
                             f"{e_theirs['peak_mib']:.0f} MiB: "
                             f"{e_theirs['seconds'] / e_ours['seconds']:.1f}x faster "
                             f"({e_theirs['cpu_seconds'] / e_ours['cpu_seconds']:.1f}x in CPU "
                             f"time) at "
                             f"{e_ours['peak_mib'] / max(e_theirs['peak_mib'], 1e-9):.0%} "
                             "of the memory")
                print(line)


if __name__ == "__main__":
    main()
