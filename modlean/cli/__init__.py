"""The ``modlean`` command: a thin layer over the package.

Each sub-command lives in its own module of this package and is listed in
:data:`COMMANDS`; a module exposes ``register(subparsers)``, which adds its
parser and sets ``func`` to the function that runs it. Adding a command is
adding a module and a line here.

The one place where the package imports inside functions on purpose: a
sub-command's ``run`` imports the subpackages it needs, so ``modlean --help``
and each command load only what they use (all of them together take seconds:
pandas, SimPy, SciPy, matplotlib). Everything below the CLI imports at the top.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import TextIO

from modlean import __version__
from modlean.errors import ModleanError

#: Sub-command modules, in the order ``--help`` lists them.
COMMANDS = [
    "init",
    "check_log", "profile", "import_", "import_qa",
    "simulate",
    "compare", "staff", "thresholds", "sensitivity", "calibrate",
    "fidelity",
    "mine",
    "batch",
    "appendix", "kpis",
    "qa", "risk",
    "dsa",
]

EXIT_BAD_INPUT = 2
#: Exit code when the reader of our output went away (``modlean risk ... | head``): 128 +
#: SIGPIPE, what a shell reports for a Unix tool stopped by a closed pipe.
EXIT_CLOSED_PIPE = 141


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``modlean`` command with every sub-command."""
    parser = argparse.ArgumentParser(
        prog="modlean",
        description="Moderation operations by the numbers: logs, mining, simulation, "
        "what-if, QA and risk.",
    )
    parser.add_argument("--version", action="version", version=f"modlean {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        importlib.import_module(f"modlean.cli.{name}").register(sub)
    return parser


def _show_warning(command: str) -> Callable[..., None]:
    """Warnings printed as ``modlean CMD: warning: ...``, without Python's file and line."""

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
             file: TextIO | None = None, line: str | None = None) -> None:
        print(f"modlean {command}: warning: {message}", file=file or sys.stderr)

    return show


def _closed_pipe() -> int:
    """End quietly when stdout's reader has gone (the Python docs' SIGPIPE recipe).

    The rest of the output goes to ``os.devnull``, so flushing it at exit
    cannot raise again; nothing is printed, as ``head`` expects.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is no file (a notebook, a test's capture)
        pass
    return EXIT_CLOSED_PIPE


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 failed runs, 2 bad input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with warnings.catch_warnings():  # restored afterwards: main() may run in a session
            warnings.showwarning = _show_warning(args.command)
            code = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
        return code
    except BrokenPipeError:
        return _closed_pipe()
    except ModleanError as exc:
        print(f"modlean {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        print("interrupted", file=sys.stderr)
        return 130
