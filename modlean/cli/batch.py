"""``modlean batch``: run notebooks per market (x scenario) with papermill."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from modlean.cli.common import SubParsers
from modlean.errors import ModleanError, ParameterError
from modlean.resources import notebook_path, shipped_dir

if TYPE_CHECKING:
    from modlean.workbook import Workbook


def register(sub: SubParsers) -> None:
    p = sub.add_parser(
        "batch",
        help="run notebooks for each market and collect the results",
        description="Execute each NOTEBOOK with papermill for every market (and scenario), "
        "writing OUT/<market>/<notebook>.ipynb and .html, OUT/manifest.json and OUT/index.html "
        "(a cross-market table of the recorded KPIs). A failing market does not stop the "
        "others. With a workbook (--workbook, or ./workbook.yaml) the markets, their files "
        "and settings come from it. Exit 0 when every run succeeded, 1 when some failed, "
        "2 for bad input.",
    )
    p.add_argument("notebooks", nargs="*", metavar="NOTEBOOK",
                   help="a parameterised .ipynb, or the name of a notebook modlean ships "
                   "(e.g. 02_queue_simulation; see docs/design.md, package data); default "
                   "with a workbook: its notebooks/ folder, else the shipped notebooks")
    p.add_argument("--workbook", type=Path, default=None, metavar="WORKBOOK.yaml",
                   help="the markets' files and settings (docs/workbook.md); the default is "
                   "./workbook.yaml when it exists. Runs start in the workbook's folder")
    p.add_argument("--markets", default=None, metavar="M1,M2",
                   help="comma-separated market codes, e.g. US,UK,ID (default: every market "
                   "of the workbook)")
    p.add_argument("--scenarios", default=None, metavar="S1,S2",
                   help="comma-separated scenario names or YAML files; notebooks with a "
                   "'scenario' parameter run once per scenario")
    p.add_argument("-p", "--parameter", nargs=2, action="append", metavar=("NAME", "VALUE"),
                   dest="parameters", default=[],
                   help="a notebook parameter, passed as text (the notebook converts and "
                   "checks it: NO stays NO, 0123 stays 0123); repeatable")
    p.add_argument("-f", "--parameters-file", type=Path, default=None, metavar="YAML",
                   help="parameters from a YAML file (values kept as text); -p wins")
    p.add_argument("--out", type=Path, default=None,
                   help="the run folder (default outputs/<date-time>)")
    p.add_argument("--workers", type=int, default=None,
                   help="local processes (default: the usable cores)")
    p.add_argument("--scheduler", default=None, metavar="tcp://HOST:8786",
                   help="run on a Dask cluster instead (needs the dask extra); 'local' starts "
                   "a throw-away local cluster")
    p.add_argument("--transport", choices=("ipc", "tcp"), default="ipc",
                   help="how the runner talks to kernels (default ipc: Unix sockets)")
    p.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                   help="limit for one cell (default: none)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def _split(text: str | None) -> list[str]:
    return [s.strip() for s in (text or "").split(",") if s.strip()]


def read_parameters_file(file: Path) -> dict[str, Any]:
    """A YAML file of parameters, every scalar kept as text (no YAML type guessing)."""

    from modlean._util import kind_of
    from modlean.yamlread import read_yaml_file

    data = read_yaml_file(file, where=f"-f {str(file)!r}", text_only=True,
                          expected="a YAML file of name: value lines", error=ParameterError)
    if data is None or data == "":
        return {}
    if not isinstance(data, dict):
        raise ParameterError(f"-f {str(file)!r}: found {kind_of(data)}; expected a mapping "
                             "of name: value lines")
    return data


def resolve_notebook(name: str) -> str:
    """The path given, or else the shipped notebook of that name (``.ipynb`` optional)."""
    if Path(name).exists() or Path(name).parent != Path("."):
        return name
    file = name if name.endswith(".ipynb") else f"{name}.ipynb"
    try:
        return str(notebook_path(file))
    except ModleanError:
        shipped = ", ".join(p.stem for p in sorted(shipped_dir("notebooks").glob("*.ipynb")))
        raise ParameterError(f"notebook {name!r}: no such file, and modlean ships no notebook "
                             f"of that name (expected a path or one of: {shipped})") from None


def _workbook(args: argparse.Namespace) -> Workbook | None:
    """The workbook of this batch: --workbook, else ./workbook.yaml when it exists."""
    from modlean.workbook import load_workbook

    path = args.workbook or (Path("workbook.yaml") if Path("workbook.yaml").is_file() else None)
    return load_workbook(path) if path is not None else None


def _notebooks(given: list[str], book: Workbook | None) -> list[str]:
    """The notebooks to run: those given, else the workbook's notebooks/, else the shipped."""
    if given:
        return [resolve_notebook(n) for n in given]
    folder = book.folder / "notebooks" if book is not None else None
    if folder is None or not any(folder.glob("*.ipynb")):
        folder = shipped_dir("notebooks")
    return [str(p) for p in sorted(folder.glob("*.ipynb"))]


def _command(args: argparse.Namespace, out: Path, markets: list[str],
             book: Workbook | None) -> list[str]:
    """The command line that reproduces this batch (for the manifest and the index)."""
    command = ["modlean", "batch", *args.notebooks]
    if book is not None:
        command += ["--workbook", str(book.path)]
    command += ["--markets", ",".join(markets)]
    if args.scenarios:
        command += ["--scenarios", args.scenarios]
    for name, value in args.parameters:
        command += ["-p", name, value]
    if args.parameters_file:
        command += ["-f", str(args.parameters_file)]
    command += ["--out", str(out)]
    for option, value in (("--workers", args.workers), ("--scheduler", args.scheduler),
                          ("--timeout", args.timeout)):
        if value is not None:
            command += [option, str(value)]
    if args.transport != "ipc":
        command += ["--transport", args.transport]
    return command


def run(args: argparse.Namespace) -> int:
    from datetime import datetime, timezone

    from modlean.evidence import run_batch

    parameters = read_parameters_file(args.parameters_file) if args.parameters_file else {}
    parameters.update({name: value for name, value in args.parameters})
    book = _workbook(args)
    markets = _split(args.markets) or (list(book.markets) if book is not None else [])
    if not markets:
        raise ParameterError("no market given; expected --markets such as US,UK, or a "
                             "workbook (--workbook, or ./workbook.yaml) listing them")
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    out = args.out or (book.folder if book is not None else Path()) / "outputs" / stamp
    result = run_batch(
        _notebooks(args.notebooks, book), markets, out=out, parameters=parameters,
        workbook=book.path if book is not None else None,
        scenarios=_split(args.scenarios) or None, workers=args.workers,
        scheduler=args.scheduler, progress=not args.quiet, transport=args.transport,
        execution_timeout=args.timeout, command=_command(args, out, markets, book),
    )
    for failed in result.failed:
        where = "/".join(x for x in (failed["market"], failed["scenario"], failed["notebook"]) if x)
        print(f"modlean batch: {where} failed: {failed['error_type']}: {failed['error']}",
              file=sys.stderr)
    done = len(result.runs) - len(result.failed)
    print(f"{done} of {len(result.runs)} runs succeeded; index: {result.index}")
    return 0 if result.ok else 1
