"""Plan a batch: check notebooks, markets, scenarios and parameters, and list the runs.

One *run* (:class:`RunSpec`) is one notebook executed for one market (and one
scenario when given). :func:`plan_runs` refuses bad input before any kernel
starts: a missing notebook, a market or scenario that cannot name a folder, a
parameter no notebook declares, or an output path outside the run folder.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from modlean.errors import ParameterError
from modlean.evidence.manifest import RunEntry
from modlean.evidence.params import MARKET_PATTERN, notebook_parameters
from modlean.workbook import Workbook, load_workbook

__all__ = ["RESERVED", "RunSpec", "plan_runs", "spec_dict"]

#: Parameters the batch sets per run; a user may not pass them.
RESERVED = frozenset({"market", "scenario", "run_dir", "workbook"})
_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")


@dataclass(frozen=True)
class RunSpec:
    """One notebook for one market (and scenario): everything a worker needs, picklable."""

    notebook: str
    market: str
    scenario: str | None
    parameters: dict[str, Any]
    defaults: dict[str, Any]
    out_dir: str
    output: str
    html: str
    cwd: str
    transport: str = "ipc"
    start_timeout: float = 60.0
    execution_timeout: float | None = None
    kernel_retries: int = 2
    hide_code: bool = True

    @property
    def gathers(self) -> bool:
        """True for a notebook that reads the run folder (declares ``run_dir``): it runs
        after the others have finished."""
        return "run_dir" in self.defaults

    @property
    def name(self) -> str:
        """``market[/scenario]/notebook`` for messages."""
        return "/".join(p for p in (self.market, self.scenario, Path(self.notebook).stem) if p)

    def entry(self, **values: Any) -> RunEntry:
        """This run's manifest entry: notebook, market, scenario and the parameters it
        got (the notebook's defaults overlaid with what the batch passed), with ``values``."""
        return RunEntry(notebook=Path(self.notebook).stem, market=self.market,
                        scenario=self.scenario,
                        parameters={**self.defaults, **self.parameters}, **values)


def spec_dict(spec: RunSpec) -> dict[str, Any]:
    """A run spec as a plain dict (for logs and tests)."""
    return asdict(spec)


def _safe(value: str, what: str, pattern: re.Pattern[str] = _FILE_NAME) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value) or value in {".", ".."}:
        raise ParameterError(f"{what} {value!r}: expected letters, digits, '_' or '-' "
                             "(it names a folder or file of the output)")
    return value


def _scenario_label(value: str) -> str:
    """The folder name of a scenario: a file's stem, without a ``{market}`` placeholder
    (``calibrated/{market}.yaml`` -> ``calibrated``, one file per market)."""
    if not value.endswith((".yaml", ".yml")):
        return _safe(value, "scenario")
    path = Path(value)
    label = path.stem.replace("{market}", "").strip("_-. ") or path.parent.name
    return _safe(label, "scenario")


def _inside(folder: Path, target: Path) -> Path:
    resolved = target.resolve()
    if not resolved.is_relative_to(folder.resolve()):
        raise ParameterError(f"output path {str(target)!r} is outside the output folder "
                             f"{str(folder)!r}")
    return resolved


def _check_markets(markets: Sequence[str]) -> None:
    seen: set[str] = set()
    for m in markets:
        _safe(m, "market", MARKET_PATTERN)
        if m.upper() in seen:
            raise ParameterError(f"market {m!r} is given twice (market folders ignore case)")
        seen.add(m.upper())


def _declared(notebooks: Sequence[str | Path]) -> dict[Path, dict[str, Any]]:
    """The parameters each notebook declares (its ``parameters`` cell), by resolved path."""
    declared: dict[Path, dict[str, Any]] = {}
    for nb in notebooks:
        file = Path(nb)
        if file.suffix != ".ipynb" or not file.is_file():
            raise ParameterError(f"notebook {str(nb)!r}: expected an existing .ipynb file")
        _safe(file.stem, "notebook name")
        defaults = notebook_parameters(file)
        if "market" not in defaults:
            raise ParameterError(f"notebook {str(nb)!r}: its parameters cell has no 'market'; "
                                 "the batch runs each notebook per market")
        declared[file.resolve()] = defaults
    if len({p.stem for p in declared}) != len(declared):
        raise ParameterError("two notebooks have the same name; their outputs would collide")
    return declared


def _check_parameters(given: Mapping[str, Any], declared: Mapping[Path, Mapping[str, Any]]
                      ) -> None:
    known = set().union(*declared.values())
    for name in given:
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            raise ParameterError(
                f"unknown parameter {name!r}: no notebook declares it; they take "
                f"{', '.join(sorted(known - RESERVED))}"
                + (f"; did you mean {close[0]!r}?" if close else ""))


def plan_runs(
    notebooks: Sequence[str | Path],
    markets: Sequence[str],
    *,
    out: str | Path,
    parameters: Mapping[str, Any] | None = None,
    scenarios: Sequence[str] | None = None,
    transport: str = "ipc",
    start_timeout: float = 60.0,
    execution_timeout: float | None = None,
    kernel_retries: int = 2,
    workbook: str | Path | None = None,
) -> list[RunSpec]:
    """Check the inputs and list the runs: notebooks x markets (x scenarios).

    Every notebook must have one ``parameters`` cell declaring ``market`` (and
    ``scenario`` to be run per scenario). Each notebook gets the given
    ``parameters`` it declares; a parameter no notebook declares is an error.
    With a ``workbook`` (``workbook.yaml``), every market must be one it lists; the
    notebooks declaring ``workbook`` get its absolute path, and every run starts in
    the workbook's folder.

    Raises
    ------
    ParameterError
        For a missing notebook, a bad market or scenario name, an unknown or
        reserved parameter, or an output path outside ``out``.
    """
    if not notebooks:
        raise ParameterError("no notebook given; expected one or more .ipynb files")
    if not markets:
        raise ParameterError("no market given; expected --markets such as US,UK")
    if transport not in ("ipc", "tcp"):
        raise ParameterError(f"transport {transport!r}: expected 'ipc' or 'tcp'")
    given = dict(parameters or {})
    reserved = sorted(RESERVED & set(given))
    if reserved:
        raise ParameterError(f"parameter {reserved[0]!r} is set per run by the batch "
                             "(--markets, --scenarios, --out, --workbook); do not pass it with -p")
    _check_markets(markets)
    book = load_workbook(workbook) if workbook is not None else None
    for m in markets if book is not None else []:
        book.market(m)  # an unknown market: an error with a did-you-mean
    labels = [_scenario_label(s) for s in scenarios or []]
    if len({label.lower() for label in labels}) != len(labels):
        raise ParameterError(f"scenarios {list(scenarios or [])}: two have the same name")
    declared = _declared(notebooks)
    if labels and not any("scenario" in d for d in declared.values()):
        raise ParameterError("--scenarios given, but no notebook declares a 'scenario' "
                             "parameter to receive it")
    _check_parameters(given, declared)
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise ParameterError(f"--out {str(out)!r} is a file; expected a folder")
    options = {"transport": transport, "start_timeout": start_timeout,
               "execution_timeout": execution_timeout, "kernel_retries": kernel_retries}
    return [spec for m in markets for file, defaults in declared.items()
            for spec in _specs(file, defaults, m, folder, given,
                               list(zip(scenarios or [], labels, strict=True)), options, book)]


def _specs(file: Path, defaults: Mapping[str, Any], market: str, folder: Path,
           given: Mapping[str, Any], scenarios: list[tuple[str, str]],
           options: Mapping[str, Any], book: Workbook | None = None) -> list[RunSpec]:
    """The runs of one notebook for one market: one per scenario when it declares one."""
    per_scenario = bool(scenarios) and "scenario" in defaults
    specs = []
    for scenario, label in scenarios if per_scenario else [(None, None)]:
        run_dir = folder / market / label if label else folder / market
        output = _inside(folder, run_dir / f"{file.stem}.ipynb")
        values = {k: v for k, v in given.items() if k in defaults}
        values["market"] = market
        if book is not None and "workbook" in defaults:
            values["workbook"] = str(book.path)
        if "run_dir" in defaults:
            values["run_dir"] = str(folder.resolve())
        if scenario is not None:
            values["scenario"] = (str(Path(scenario).resolve())
                                  if Path(scenario).is_file() else scenario)
        specs.append(RunSpec(
            notebook=str(file), market=market, scenario=label, parameters=values,
            defaults=dict(defaults), out_dir=str(folder.resolve()), output=str(output),
            html=str(output.with_suffix(".html")),
            cwd=str(book.folder if book is not None else file.parent), **options))
    return specs
