"""``modlean mine``: process mining of one event log (DFG, variants, waits, lean metrics),
or of a dataset folder, in memory or out of core past a size (docs/mining.md)."""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from modlean.cli.common import SubParsers, add_log_options, log_options, to_json, write_text_atomic
from modlean.errors import ParameterError
from modlean.eventlog import read_log

if TYPE_CHECKING:
    from modlean.eventlog import EventArrays
    from modlean.process import Conformance, DatasetMining

#: --engine choices (modlean.process.ENGINES, spelled here so --help stays quick).
_ENGINES = ("auto", "memory", "out-of-core")
_MAX_IN_MEMORY = 10_000_000  # modlean.process.MAX_IN_MEMORY_EVENTS; a test holds them equal


def register(sub: SubParsers) -> None:
    p = sub.add_parser(
        "mine",
        help="discover the process in an event log: DFG, variants, waits, lean metrics",
        description="Mine one event log: cases, events, the directly-follows graph with mean "
        "times, variants, case durations. --json prints them as one JSON object; --out "
        "also writes every table as CSV and the figures (process map, variants, waiting "
        "times, WIP) as PNG. With --sop, cases are checked against an SOP model "
        "(templates/sop/moderation.yaml). LOG may be a folder of Parquet files (hive-"
        "partitioned or not) or CSV exports: it is mined in memory up to "
        f"{_MAX_IN_MEMORY:,} events and out of core (partitions of whole cases on disk, "
        "local processes or a Dask cluster) past that; --engine forces either. Out of "
        "core, quantiles come from log-spaced bins (error under 0.5%, stated in "
        "summary.json). Exit 0 on success, 2 on bad input.",
    )
    p.add_argument("log", metavar="LOG",
                   help="the event log (.csv .parquet .xlsx .xes ...) or a folder of log files")
    p.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    p.add_argument("--out", type=Path, default=None,
                   help="folder for CSV tables, PNG figures and summary.json")
    p.add_argument("--top", type=int, default=10, help="variants to list (default 10)")
    p.add_argument("--sop", type=Path, default=None,
                   help="an SOP model (YAML) to check the cases against")
    p.add_argument("--wip-freq", default="1h", help="WIP sampling interval (default 1h)")
    large = p.add_argument_group("a folder of log files (a dataset)")
    large.add_argument("--engine", choices=_ENGINES, default="auto",
                       help="memory, out-of-core, or auto (default: out of core past "
                       "--max-in-memory-events)")
    large.add_argument("--max-in-memory-events", type=int, default=_MAX_IN_MEMORY, metavar="N",
                       help=f"auto mines in memory up to N events (default {_MAX_IN_MEMORY:,})")
    large.add_argument("--partitions", type=int, default=None, metavar="N",
                       help="partitions out of core (default: one per 2 million events)")
    large.add_argument("--workers", type=int, default=None, metavar="N",
                       help="local processes out of core (default: every core)")
    large.add_argument("--scheduler", default=None, metavar="tcp://HOST:8786",
                       help="mine the partitions on a Dask cluster ('local' for a local one); "
                       "--tmp must then be a folder its workers can read")
    large.add_argument("--tmp", type=Path, default=None,
                       help="folder for the partition files (deleted at the end)")
    add_log_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from modlean import process
    from modlean.eventlog import dataset_events, read_dataset

    if Path(args.log).is_dir():
        events = dataset_events(args.log)
        engine = args.engine
        if engine == "auto":
            engine = "memory" if events <= args.max_in_memory_events else "out-of-core"
        if engine == "out-of-core":
            return _run_large(args)
        log = read_dataset(args.log, **log_options(args))
    else:
        log = read_log(args.log, **log_options(args))
    ev = process.encode(log)
    summary = process.mine(ev, top=args.top)
    checked = process.check_conformance(ev, args.sop) if args.sop else None
    if args.out is not None:
        _write(args.out, ev, summary, checked, args.wip_freq)
    if args.json:
        print(to_json(summary))
    else:
        print(_describe(args.log, summary, checked))
    return 0


def _write(out: Path, ev: EventArrays, summary: dict[str, Any], checked: Conformance | None,
           freq: str) -> None:
    from modlean import process
    from modlean.plots import process as process_plots

    write_text_atomic(out / "summary.json", to_json(summary) + "\n")
    tables = process.tables(ev)
    tables["lead_times"] = process.lead_times(ev)
    tables["lean_metrics"] = process.metrics(ev).to_frame()
    tables["wip"] = process.wip_over_time(ev, freq).to_frame()
    if checked is not None:
        tables["conformance_cases"] = checked.cases
        tables["conformance_deviations"] = checked.deviations
        tables["conformance_rules"] = checked.rules
    for name, table in tables.items():
        write_text_atomic(out / f"{name}.csv", table.to_csv())
    from modlean.plots import save

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", process.MiningWarning)
        graph = process.dfg(ev)
        figures = {
            "process_map": lambda: process_plots.process_map(graph),
            "process_map_wait": lambda: process_plots.process_map(graph, metric="wait"),
            "variants": lambda: process_plots.variant_chart(process.variants(ev)),
            "waiting_times": lambda: process_plots.waiting_times(ev),
            "wip": lambda: process_plots.wip_chart(tables["wip"]["wip"]),
        }
        for name, draw in figures.items():
            save(draw(), out / f"{name}.png")


def _run_large(args: argparse.Namespace) -> int:
    from modlean import process

    if args.sop:
        raise ParameterError(f"--sop: checking cases against an SOP needs the log in memory; "
                             f"{args.log} is mined out of core (use --engine memory)")
    result = process.mine_dataset(args.log, engine="out-of-core", partitions=args.partitions,
                                  workers=args.workers, scheduler=args.scheduler, tmp=args.tmp,
                                  **log_options(args))
    summary = result.summary(top=args.top)
    if args.out is not None:
        _write_large(args.out, result, summary)
    if args.json:
        print(to_json(summary))
    else:
        print(_describe(args.log, summary, None))
        m = summary["mining"]
        print(f"  mined out of core: {m['partitions']} partitions, "
              f"{m['spilled_bytes'] / 1e6:,.0f} MB written to disk; quantiles: "
              f"{m['quantile_method']}")
    return 0


def _write_large(out: Path, result: DatasetMining, summary: dict[str, Any]) -> None:
    from modlean.plots import process as process_plots
    from modlean.plots import save

    write_text_atomic(out / "summary.json", to_json(summary) + "\n")
    for name, table in result.tables().items():
        write_text_atomic(out / f"{name}.csv", table.to_csv())
    save(process_plots.process_map(result.graph), out / "process_map.png")
    save(process_plots.process_map(result.graph, metric="wait"), out / "process_map_wait.png")


def _describe(source: str, s: dict[str, Any], checked: Conformance | None) -> str:
    d = s["case_duration_seconds"]
    lines = [
        f"{source}: {s['cases']:,} cases, {s['events']:,} events, "
        f"{len(s['activities'])} activities, {s['variants']:,} variants",
        "  starts: " + ", ".join(f"{k} {v}" for k, v in s["start_activities"].items()),
        "  ends: " + ", ".join(f"{k} {v}" for k, v in s["end_activities"].items()),
        f"  case duration: mean {_hours(d['mean'])}, median {_hours(d['median'])}, "
        f"max {_hours(d['max'])}",
        "  top variants:",
    ]
    for v in s["top_variants"][:5]:
        lines.append(f"    {v['count']:>6,}  {' > '.join(v['activities'])}")
    lines.append("  busiest paths:")
    for e in s["dfg"][:5]:
        lines.append(f"    {e['count']:>6,}  {e['source']} -> {e['target']} "
                     f"(mean {_hours(e['mean_seconds'])})")
    if checked is not None:
        lines.append(f"  SOP {checked.sop.name!r}: {checked.conforming_share:.1%} of cases "
                     f"conform, mean fitness {checked.fitness:.3f}")
        for r in checked.rules[checked.rules["cases"] > 0].itertuples(index=False):
            lines.append(f"    {r.cases:>6,} cases broke {r.rule}: {r.description}")
    return "\n".join(lines)


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:.2f} h" if abs(seconds) >= 3600 else f"{seconds / 60:.1f} min"
