"""EU Digital Services Act reporting from the canonical log: statements of reasons, the report.

The database's vocabulary ships as data (``vocabulary.yaml``, read by
``vocabulary``); a workbook-owned mapping (``mapping``) says how modlean's
decisions become statement fields; ``statements`` builds one statement per
restricted case and ``rules`` checks each against the database's rules;
``formats`` writes the database's CSV and the submission API's JSON and reads
the public dumps back. ``report`` fills the harmonised transparency report's
quantitative parts (Implementing Regulation (EU) 2024/2835, Annex I, labels in
``annex.yaml``) and ``report_html`` shows them. docs/dsa.md explains each field's source in the log.

Peer benchmarks from the public daily dumps: ``dumps`` streams a dump's
batches, ``peers`` counts them per platform x category x day (mergeably, one
task per file through the executor), ``benchmarks`` writes and reads the
benchmark Parquet file (with the data's attribution) and puts the market's own
statements beside the peers; ``synthetic`` makes seeded dump-shaped rows for the
sample file, the bench and tests.

Other subpackages import these names from here, not from the modules inside.
"""

from __future__ import annotations

from modlean.dsa.annex import annex, category_rows
from modlean.dsa.benchmarks import (
    ATTRIBUTION,
    FIGURES,
    PeerBenchmarks,
    benchmark_table,
    lag_distribution,
    market_beside_peers,
    peer_summary,
    read_benchmarks,
    write_benchmarks,
)
from modlean.dsa.dumps import BLOCK_SIZE, dump_batches, dump_files
from modlean.dsa.formats import BATCH_SIZE, read_dump, to_csv_text, to_jsonl_text
from modlean.dsa.levers import GAP_COLUMNS, LEVERS, gaps_to_peers
from modlean.dsa.mapping import STATEMENT_KEYS, Mapping, load_mapping, mapping_from_dict
from modlean.dsa.peers import (
    COUNT_COLUMNS,
    NEEDED_COLUMNS,
    PeerCounts,
    category_names,
    count_batch,
    count_statements,
    merge_counts,
    peer_benchmarks,
)
from modlean.dsa.report import (
    NOT_SUPPORTED_COLUMNS,
    PARTS,
    TransparencyReport,
    period_of,
    report_columns,
    report_period,
    transparency_report,
)
from modlean.dsa.report_html import report_html
from modlean.dsa.rules import PROBLEM_COLUMNS, to_current_taxonomy, validate
from modlean.dsa.statements import ISSUE_COLUMNS, Statements, build_statements, required_columns
from modlean.dsa.synthetic import (
    PUBLISHED_PEERS,
    SyntheticPlatform,
    synthetic_dump,
    write_dump_zip,
)
from modlean.dsa.vocabulary import (
    API_FIELDS,
    LIST_FIELDS,
    Vocabulary,
    expected_values,
    unknown_value,
    vocabulary,
)

__all__ = [
    "API_FIELDS",
    "ATTRIBUTION",
    "BATCH_SIZE",
    "BLOCK_SIZE",
    "COUNT_COLUMNS",
    "FIGURES",
    "GAP_COLUMNS",
    "ISSUE_COLUMNS",
    "LEVERS",
    "LIST_FIELDS",
    "NEEDED_COLUMNS",
    "NOT_SUPPORTED_COLUMNS",
    "PARTS",
    "PROBLEM_COLUMNS",
    "PUBLISHED_PEERS",
    "STATEMENT_KEYS",
    "Mapping",
    "PeerBenchmarks",
    "PeerCounts",
    "Statements",
    "SyntheticPlatform",
    "TransparencyReport",
    "Vocabulary",
    "annex",
    "benchmark_table",
    "build_statements",
    "category_names",
    "category_rows",
    "count_batch",
    "count_statements",
    "dump_batches",
    "dump_files",
    "expected_values",
    "gaps_to_peers",
    "lag_distribution",
    "load_mapping",
    "mapping_from_dict",
    "market_beside_peers",
    "merge_counts",
    "peer_benchmarks",
    "peer_summary",
    "period_of",
    "read_benchmarks",
    "read_dump",
    "report_columns",
    "report_html",
    "report_period",
    "required_columns",
    "synthetic_dump",
    "to_csv_text",
    "to_current_taxonomy",
    "to_jsonl_text",
    "transparency_report",
    "unknown_value",
    "validate",
    "vocabulary",
    "write_benchmarks",
    "write_dump_zip",
]
