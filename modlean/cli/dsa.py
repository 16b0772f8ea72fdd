"""``modlean dsa``: statements of reasons (DSA Art. 17, 24(5), ``sor``), the harmonised
transparency report (Reg. (EU) 2024/2835, Annex I, ``report``) from a log and a mapping, and
peer benchmarks from the Transparency Database's public dumps (``peers``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from modlean.cli.common import SubParsers, add_log_options, log_options, to_json, write_text_atomic

if TYPE_CHECKING:
    import pandas as pd

#: Where each statement field comes from, for ``modlean dsa --help`` (docs/dsa.md has more).
FIELD_SOURCES = """\
Where each field of a statement of reasons comes from:
  one statement      per case whose first event among the mapping's deciding_activities
                     has a restricting decision (decision: reject); appeals add none
  puid               the case id (with the mapping's puid_prefix)
  application_date   the day (UTC) of that deciding event
  content_date       the day of the case's first event (upload, application), or the
                     log column the mapping names (content_date: column:NAME)
  decision_visibility / _monetary / _provision / _account, account_type
                     the mapping, per item type (listing, content, seller, IPR)
  decision_ground and its texts, decision_facts
                     the mapping, per item type, a label's entries first
  category, category_specification
                     the mapping, per rejection label (defaults: DOMAIN §3.2)
  content_type       the mapping, per item type
  source_type        the mapping per item type (notice or own initiative), or a log
                     column the mapping names under source:
  automated_detection  Yes when a model step (resource or pool 'model') touched the case
                     up to the decision, else No; or fixed in the mapping
  automated_decision FULLY when the last decider was the model; a person after the model:
                     the mapping's human_after_model; a person alone: NOT_AUTOMATED
  territorial_scope  the log's market (an EEA country code), or the mapping's list
  end dates, source_identity, content_id_ean, content_language
                     left empty: the log does not hold them
Every statement is checked against the database's rules; an invalid one is
listed by case and field and never written."""


def register(sub: SubParsers) -> None:
    p = sub.add_parser(
        "dsa",
        help="EU Digital Services Act reporting: statements of reasons, peer benchmarks",
        description="EU Digital Services Act reporting from the decision log (docs/dsa.md).\n\n"
        + FIELD_SOURCES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    inner = p.add_subparsers(dest="dsa_command", metavar="SUBCOMMAND")
    inner.required = True
    s = inner.add_parser(
        "sor",
        help="statements of reasons (Art. 17, 24(5)) as the database's CSV and API JSON",
        description="One statement of reasons per restricted case of LOG, its fields from the "
        "log and the mapping (templates/dsa/mapping.yaml), each checked against the DSA "
        "Transparency Database's rules. Writes statements.csv (the database's columns, RFC "
        "4180, UTF-8), statements.jsonl (one body of the API's multiple endpoint per line, "
        "100 statements each) and invalid.csv (case, field, value, expected) to --out, and "
        "prints a summary and the invalid statements. Exit 0 when every statement is "
        "valid, 1 when some are invalid (the valid ones are written), 2 on bad input "
        "(nothing is written).\n\n" + FIELD_SOURCES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _log_and_mapping(s)
    s.add_argument("--show", type=int, default=20, metavar="N",
                   help="invalid statements to print (default 20; all are in invalid.csv)")
    s.set_defaults(func=run_sor)
    _register_report(inner)
    _register_peers(inner)


PEERS_HELP = """\
The figures, per platform x category x day (application_date, the day the decision
applied): statements; automated detection Yes / No; automated decision fully,
partially, not (the 2023 schema's plain Yes is counted apart: level not stated);
statements restricting visibility, monetary payments, the service, the account; and
the days from posting to decision (application_date - content_date) as exact counts
per whole day, so medians and percentiles are exact at day resolution. Categories of
the taxonomy used before 1 July 2025 are counted under their current names.
A day's counts grow while late statements arrive in the following days' dumps.

Data: DSA Transparency Database, (c) European Union, CC BY 4.0; the attribution is
written into the file's metadata and printed."""


def _register_peers(inner: SubParsers) -> None:
    p = inner.add_parser(
        "peers",
        help="peer benchmarks from the database's daily dumps (zip, CSV, Parquet)",
        description="Count the statements of reasons of chosen platforms in the DSA "
        "Transparency Database's daily dumps (sor-global-YYYY-MM-DD-full.zip as published: "
        "zips of CSV parts; CSV parts; Parquet), streamed in blocks so a 2 GiB day runs in "
        "bounded memory, and write a small Parquet file a notebook plots beside the "
        "market's own figures (modlean.dsa.read_benchmarks, market_beside_peers). Days run "
        "in parallel, one task per file. Exit 0 on success, 2 on bad input (--out is not "
        "written).\n\n" + PEERS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("dumps", nargs="+", metavar="DUMP",
                   help="a daily dump zip, CSV part or Parquet file, or a folder of them")
    p.add_argument("--platform", action="append", required=True, dest="platforms",
                   metavar="NAME", help="a platform as the database names it "
                   "(platform_name, e.g. 'Temu', 'Amazon Store'); repeat for several")
    p.add_argument("--category", action="append", default=None, dest="categories",
                   metavar="C", help="keep only this category (e.g. SCAMS_AND_FRAUD, the "
                   "STATEMENT_CATEGORY_ prefix optional); repeat for several; default all")
    p.add_argument("--out", required=True, type=Path, help="the benchmark file (.parquet)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, default=None, metavar="N",
                       help="local processes, one dump file each (default: all cores)")
    where.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="a Dask scheduler (tcp://host:8786, or 'local') to run the "
                       "files on; needs the dask extra")
    p.add_argument("--block-mib", type=float, default=4.0, metavar="MIB",
                   help="MiB of CSV text parsed at a time (default 4); peak memory grows "
                   "with it, about 40 MiB per MiB, not with the size of a day")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=run_peers)


def run_peers(args: argparse.Namespace) -> int:
    import pandas as pd

    from modlean.dsa import (
        ATTRIBUTION,
        FIGURES,
        benchmark_table,
        peer_benchmarks,
        peer_summary,
        write_benchmarks,
    )
    from modlean.errors import ParameterError
    from modlean.kpis import format_value, readable

    if args.out.suffix.lower() != ".parquet":
        raise ParameterError(f"--out {args.out}: expected a file ending in .parquet")
    counts = peer_benchmarks(args.dumps, args.platforms, categories=args.categories,
                             workers=args.workers, scheduler=args.scheduler,
                             block_size=int(args.block_mib * (1 << 20)))
    write_benchmarks(counts, args.out)
    summary = peer_summary(benchmark_table(counts), by=["platform"])
    if args.json:
        print(to_json({"out": str(args.out), "statements_read": counts.rows_read,
                       "platforms": summary.to_dict("records"), "attribution": ATTRIBUTION}))
        return 0
    print(f"{counts.rows_read:,} statements read from {len(counts.sources)} file(s); "
          f"benchmarks written to {args.out}")
    # A dozen cells (platforms x figures), each formatted by the KPI catalogue.
    table = pd.DataFrame({readable(f): [format_value(f, v) for v in summary[f]]
                          for f in FIGURES}, index=summary["platform"])
    print(table.T.to_string())
    print(ATTRIBUTION)
    return 0


#: What each part of the transparency report counts, for ``modlean dsa report --help``.
REPORT_SOURCES = """\
Each part of Annex I, from the log and the mapping (docs/dsa.md has more):
  4_notices        cases whose source (mapping or its source: column) is an Art. 16 or
                   trusted-flagger notice, received in the period, by the category of
                   the action taken (not acted on: NOT_SPECIFIED_NOTICE); median time
                   to action in hours, from the notice's first event to the decision
  5_/6_own_initiative  restrictions decided in the period with source SOURCE_VOLUNTARY,
                   on illegal content (5) or the terms and conditions (6), by category,
                   keyword and kind of restriction
  7_appeals_and_recidivism  complaints (appeal events) filed in the period: upheld,
                   reversed, median hours to decide, by what they were against; Art. 23
                   suspensions from the sellers' strike history (report.seller_column)
  8_automated_means  measures solely automated or not; notices processed by the model;
                   accuracy, precision, recall from QA checks of automated decisions
                   (--qa) with 95% Wilson intervals (appeal-based precision: upper bound)
A figure the log cannot support is left empty and listed in not_supported.csv."""


def _log_and_mapping(p: argparse.ArgumentParser) -> None:
    """The arguments ``sor`` and ``report`` share: the log (or export and profile), its
    market, the mapping, --out, --json and the reading options."""
    p.add_argument("log", metavar="LOG", help="the canonical event log, or a vendor export "
                   "with --profile")
    p.add_argument("--mapping", required=True, type=Path, dest="dsa_mapping",
                   help="the DSA mapping (YAML; start from templates/dsa/mapping.yaml)")
    p.add_argument("--out", required=True, type=Path, help="folder for the output files")
    p.add_argument("--market", default="", metavar="CODE",
                   help="the market (an EEA country code, e.g. IT) of a log without a market "
                   "column: the statements' territorial scope")
    p.add_argument("--profile", type=Path, default=None,
                   help="the source profile that imports LOG when it is a vendor export")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    add_log_options(p)


def _register_report(inner: argparse._SubParsersAction) -> None:
    r = inner.add_parser(
        "report",
        help="the harmonised transparency report (Reg. 2024/2835 Annex I, parts 4-8)",
        description="The quantitative parts of the DSA transparency report (Implementing "
        "Regulation (EU) 2024/2835, Annex I) for the UTC days --from to --to, from LOG and "
        "the DSA mapping: one RFC 4180 UTF-8 CSV per part with the template's row and column "
        "labels, not_supported.csv (what the log cannot show, with the reason) and "
        "report.html (a readable section), written to --out; prints a summary. Exit 0, or "
        "2 on bad input (nothing is written).\n\n" + REPORT_SOURCES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _log_and_mapping(r)
    r.add_argument("--from", required=True, dest="start", metavar="DATE",
                   help="first day of the reporting period (YYYY-MM-DD, UTC)")
    r.add_argument("--to", required=True, dest="end", metavar="DATE",
                   help="last day of the reporting period (YYYY-MM-DD, UTC), included")
    r.add_argument("--qa", type=Path, default=None,
                   help="QA table for part 8's accuracy (default with --profile: the export's "
                   "QA columns)")
    r.set_defaults(func=run_report)


def _log_of(args: argparse.Namespace) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The log (a vendor export read with --profile, else read_log) with --market filled in,
    and the export's QA table (None without a profile)."""
    from modlean.eventlog import import_export, read_log, with_market

    if args.profile:
        intake = import_export(args.log, args.profile)
        return with_market(intake.log, args.market), intake.qa
    return with_market(read_log(args.log, **log_options(args)), args.market), None


def run_report(args: argparse.Namespace) -> int:
    from modlean.dsa import load_mapping, report_html, report_period, transparency_report
    from modlean.quality import read_qa

    report_period(args.start, args.end)  # a bad day is refused before the log is read
    mapping = load_mapping(args.dsa_mapping)
    qa = read_qa(args.qa, positive=mapping.restricting_decisions) if args.qa else None
    log, export_qa = _log_of(args)
    if qa is None and export_qa is not None and len(export_qa):
        qa = read_qa(export_qa, positive=mapping.restricting_decisions)
    report = transparency_report(log, mapping, args.start, args.end, qa=qa,
                                 source=str(args.log))
    for name, text in report.csv_texts().items():
        write_text_atomic(args.out / name, text)
    write_text_atomic(args.out / "report.html", report_html(report))
    summary = report.summary()
    if args.json:
        print(to_json(summary))
        return 0
    share = summary["automated_share"]
    print(f"DSA transparency report {summary['period']} from {args.log}, written to "
          f"{args.out}:")
    print(f"  notices received: {summary['notices']:,}")
    print(f"  own-initiative measures: {summary['own_initiative_illegal']:,} on illegal "
          f"content, {summary['own_initiative_terms']:,} under the terms and conditions")
    print(f"  measures solely automated: {summary['measures_solely_automated']:,} of "
          f"{summary['measures_solely_automated'] + summary['measures_not_automated']:,}"
          + (f" ({share:.1%})" if share is not None else ""))
    median = summary["complaint_median_hours"]
    print(f"  complaints: {summary['complaints']:,}, reversed "
          f"{summary['complaints_reversed']:,}, median decision time "
          + (f"{median} hours" if median is not None else "none decided"))
    print(f"  not supported by the log: {summary['not_supported']} figures (left empty; "
          "not_supported.csv says why)")
    for row in report.not_supported.itertuples(index=False):
        print(f"    {row.table}, {row.row}, {row.column}: {row.reason}")
    return 0

def run_sor(args: argparse.Namespace) -> int:
    from modlean.dsa import build_statements, load_mapping, to_csv_text, to_jsonl_text

    mapping = load_mapping(args.dsa_mapping)
    log, _ = _log_of(args)
    result = build_statements(log, mapping, source=str(args.log))
    summary = result.summary()
    write_text_atomic(args.out / "statements.csv",
                      to_csv_text(result.statements, mapping.platform_name))
    write_text_atomic(args.out / "statements.jsonl", to_jsonl_text(result.statements))
    write_text_atomic(args.out / "invalid.csv",
                      result.invalid.to_csv(index=False, lineterminator="\r\n"))
    if args.json:
        print(to_json(summary))
    else:
        print(f"{summary['restrictions']:,} restricted cases in {args.log}: "
              f"{summary['valid']:,} statements written to {args.out}, "
              f"{summary['invalid']:,} invalid (not written)")
        for name, count in summary["invalid_by_field"].items():  # type: ignore[union-attr]
            print(f"  invalid {name}: {count:,} statements")
        shown = result.invalid.head(max(args.show, 0))
        for row in shown.itertuples(index=False):
            print(f"  case {row.case_id}, {row.field}: found {row.value!r}; expected "
                  f"{row.expected}")
        if len(result.invalid) > len(shown):
            print(f"  ... {len(result.invalid) - len(shown):,} more in "
                  f"{args.out / 'invalid.csv'}")
    return 1 if summary["invalid"] else 0
