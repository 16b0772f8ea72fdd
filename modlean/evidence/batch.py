"""Run notebooks with papermill over markets (x scenarios) and collect the evidence.

One *run* is one notebook executed for one market (and one scenario when
given). :func:`run_batch` plans the runs, executes them through
:func:`modlean.executor.run_tasks` (a local process pool, or Dask with a
scheduler address), and writes into the output folder::

    RUN/<market>[/<scenario>]/<notebook>.ipynb   executed notebook (kept when it fails)
    RUN/<market>[/<scenario>]/<notebook>.html    the same, code hidden, offline HTML
    RUN/manifest.json                            parameters, versions, seed, git commit,
                                                 start/end, status and error of every run
    RUN/index.html                               one cross-market table of recorded KPIs

Kernels: every run starts its own ipykernel with *this* interpreter
(``sys.executable``), never a ``python3`` kernelspec found elsewhere, over the
IPC transport (Unix sockets in a private folder: no TCP port races when many
kernels start at once), and retries a kernel that fails to start, with a log
line saying so. The kernel gets ``MPLBACKEND`` set to the inline backend, so an
inherited ``MPLBACKEND=Agg`` cannot silently drop the figures.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import json
import logging
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from modlean._util import write_atomic
from modlean.errors import ParameterError
from modlean.evidence.params import MARKET_PATTERN, notebook_parameters
from modlean.resources import PACKAGE_DIR, template_dirs

__all__ = [
    "BATCH_ENV",
    "INLINE_BACKEND",
    "BatchResult",
    "RunSpec",
    "environment",
    "execute_run",
    "in_batch",
    "kernel_manager_class",
    "load_manifest",
    "plan_runs",
    "run_batch",
    "to_html",
    "write_index",
]

log = logging.getLogger("modlean.evidence.batch")

#: The matplotlib backend kernels are started with (figures land in the notebook).
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
#: Packages whose versions go into the manifest (those installed).
PACKAGES = ("modlean", "pandas", "numpy", "scipy", "statsmodels", "matplotlib", "seaborn",
            "simpy", "networkx", "pm4py", "pyarrow", "papermill", "nbclient", "nbconvert",
            "nbformat", "ipykernel", "jupyter_client", "dask", "distributed", "python-docx")
_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")
_START_FAILURES = ("kernel died before replying", "kernel didn't respond", "kernel_info",
                   "timeout waiting for", "kernel died", "zmq", "address already in use")
_RESERVED = {"market", "scenario", "run_dir"}


# ---------------------------------------------------------------------------- kernels


#: Set to "1" in the environment of every kernel the batch starts.
BATCH_ENV = "MODLEAN_BATCH"


def kernel_env() -> dict[str, str]:
    """Environment variables every batch kernel gets on top of the inherited ones."""
    return {"MPLBACKEND": INLINE_BACKEND, "PYDEVD_DISABLE_FILE_VALIDATION": "1", BATCH_ENV: "1"}


def in_batch() -> bool:
    """True inside a notebook run by ``modlean batch`` (skip interactive widgets there)."""
    return os.environ.get(BATCH_ENV) == "1"


def kernel_manager_class(ipc_folder: str | None = None, log_file: str | None = None) -> type:
    """A kernel manager that starts ipykernel with ``sys.executable``.

    Parameters
    ----------
    ipc_folder:
        A private folder for the kernel's IPC sockets; ``None`` uses TCP on localhost.
    log_file:
        Where the kernel's own stderr goes (its start-up errors, shutdown chatter),
        instead of the terminal of the batch; ``None`` leaves it inherited.

    Notes
    -----
    The kernelspec is built here instead of looked up, so no ``python3``
    kernelspec registered elsewhere (another venv, a conda base) can be used by
    mistake, and the kernel's environment carries :func:`kernel_env`.
    """
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import AsyncKernelManager

    class ProjectKernelManager(AsyncKernelManager):
        """ipykernel on this interpreter, IPC transport when a folder is given."""

        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            if ipc_folder is not None:
                self.transport = "ipc"
                self.ip = os.path.join(ipc_folder, "k")

        @property
        def kernel_spec(self) -> Any:
            if self._kernel_spec is None:
                self._kernel_spec = KernelSpec(
                    argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                    env=kernel_env(), display_name=f"modlean ({sys.executable})",
                    language="python", metadata={"debugger": False},
                )
            return self._kernel_spec

        async def start_kernel(self, **kw: Any) -> None:
            if log_file is None or "stderr" in kw:
                return await super().start_kernel(**kw)
            with open(log_file, "ab") as stderr:  # the child keeps its own copy of the fd
                return await super().start_kernel(stderr=stderr, **kw)

    return ProjectKernelManager


def _private_folder(transport: str) -> tuple[str, str | None]:
    """A fresh private folder for one kernel, and its IPC socket folder (None for TCP)."""
    folder = tempfile.mkdtemp(prefix="mlk-")
    # Unix socket paths are limited to about 107 bytes: fall back to TCP for long ones
    return folder, folder if transport == "ipc" and len(folder) < 96 else None


def _tail(file: Path, limit: int = 1500) -> str:
    try:
        text = file.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""
    return text[-limit:]


# ---------------------------------------------------------------------------- planning


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
) -> list[RunSpec]:
    """Check the inputs and list the runs: notebooks x markets (x scenarios).

    Every notebook must have one ``parameters`` cell declaring ``market`` (and
    ``scenario`` to be run per scenario). Each notebook gets the given
    ``parameters`` it declares; a parameter no notebook declares is an error.

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
    reserved = sorted(_RESERVED & set(given))
    if reserved:
        raise ParameterError(f"parameter {reserved[0]!r} is set per run by the batch "
                             "(--markets, --scenarios, --out); do not pass it with -p")
    seen: set[str] = set()
    for m in markets:
        _safe(m, "market", MARKET_PATTERN)
        if m.upper() in seen:
            raise ParameterError(f"market {m!r} is given twice (market folders ignore case)")
        seen.add(m.upper())
    labels = [_scenario_label(s) for s in scenarios or []]
    if len({label.lower() for label in labels}) != len(labels):
        raise ParameterError(f"scenarios {list(scenarios or [])}: two have the same name")
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
    if labels and not any("scenario" in d for d in declared.values()):
        raise ParameterError("--scenarios given, but no notebook declares a 'scenario' "
                             "parameter to receive it")
    known = set().union(*declared.values())
    for name in given:
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            raise ParameterError(
                f"unknown parameter {name!r}: no notebook declares it; they take "
                f"{', '.join(sorted(known - _RESERVED))}"
                + (f"; did you mean {close[0]!r}?" if close else ""))
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise ParameterError(f"--out {str(out)!r} is a file; expected a folder")
    specs: list[RunSpec] = []
    for m in markets:
        for file, defaults in declared.items():
            per_scenario = bool(labels) and "scenario" in defaults
            for scenario, label in (zip(scenarios or [], labels, strict=True)
                                    if per_scenario else [(None, None)]):
                run_dir = folder / m / label if label else folder / m
                output = _inside(folder, run_dir / f"{file.stem}.ipynb")
                values = {k: v for k, v in given.items() if k in defaults}
                values["market"] = m
                if "run_dir" in defaults:
                    values["run_dir"] = str(folder.resolve())
                if scenario is not None:
                    values["scenario"] = (str(Path(scenario).resolve())
                                          if Path(scenario).is_file() else scenario)
                specs.append(RunSpec(
                    notebook=str(file), market=m, scenario=label, parameters=values,
                    defaults=defaults, out_dir=str(folder.resolve()), output=str(output),
                    html=str(output.with_suffix(".html")), cwd=str(file.parent),
                    transport=transport, start_timeout=start_timeout,
                    execution_timeout=execution_timeout, kernel_retries=kernel_retries))
    return specs


# ---------------------------------------------------------------------------- one run


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def _executed_cells(file: Path) -> int:
    if not file.exists():
        return 0
    try:
        import nbformat

        nb = nbformat.read(file, as_version=4)
    except Exception:  # a half-written partial file counts as nothing executed
        return 0
    return sum(1 for c in nb.cells if c.get("cell_type") == "code" and c.get("execution_count"))


def _is_start_failure(exc: BaseException, partial: Path) -> bool:
    text = f"{type(exc).__name__}: {exc}".lower()
    return any(s in text for s in _START_FAILURES) and _executed_cells(partial) == 0


def _ensure_log_handler() -> None:
    if not log.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)


def execute_run(spec: RunSpec) -> dict[str, Any]:
    """Execute one run and write its notebook and HTML; never raises for a failing notebook.

    Returns the run's manifest entry: ``status`` (``ok`` or ``failed``),
    ``error`` and ``error_type`` (and ``error_cell``) when it failed, ``start``,
    ``end``, ``seconds``, ``kernel_attempts``, ``notes``, ``parameters`` (the
    notebook's defaults overlaid with what the batch passed), ``seed``, the
    ``ipynb`` and ``html`` paths relative to the output folder, ``kpis`` (the
    scalar records) and ``records`` (name and kind of every record).
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    _ensure_log_handler()
    started, clock = _now(), time.perf_counter()
    output, out_dir = Path(spec.output), Path(spec.out_dir)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.stem}.partial.ipynb")
    error: dict[str, Any] | None = None
    notes: list[str] = []
    attempts = 0
    while True:
        attempts += 1
        folder, ipc = _private_folder(spec.transport)
        kernel_log = Path(folder) / "kernel.log"
        retry = False
        try:
            pm.execute_notebook(
                spec.notebook, str(partial), parameters=spec.parameters, kernel_name="python3",
                language="python", progress_bar=False, cwd=spec.cwd,
                start_timeout=spec.start_timeout, execution_timeout=spec.execution_timeout,
                kernel_manager_class=kernel_manager_class(ipc, str(kernel_log)),
            )
        except PapermillExecutionError as exc:
            error = {"error_type": exc.ename, "error": str(exc.evalue) or exc.ename,
                     "error_cell": exc.cell_index}
        except Exception as exc:  # kernel start-up, I/O: reported with the run
            if attempts <= spec.kernel_retries and _is_start_failure(exc, partial):
                note = (f"kernel for {spec.name} did not start ({type(exc).__name__}: {exc}); "
                        f"retrying, attempt {attempts + 1} of {spec.kernel_retries + 1}")
                log.warning(note)
                notes.append(note)
                retry = True
            else:
                error = {"error_type": type(exc).__name__, "error": str(exc) or repr(exc)}
                if _tail(kernel_log):
                    notes.append(f"kernel log: {_tail(kernel_log)}")
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        if not retry:
            break
        time.sleep(0.5 * attempts)
    result: dict[str, Any] = {
        "notebook": Path(spec.notebook).stem, "market": spec.market, "scenario": spec.scenario,
        "status": "failed" if error else "ok", "error": None, "error_type": None,
        "error_cell": None, "start": started, "end": None, "seconds": None,
        "kernel_attempts": attempts, "notes": notes,
        "parameters": {**spec.defaults, **spec.parameters},
        "seed": {**spec.defaults, **spec.parameters}.get("seed"),
        "ipynb": None, "html": None, "kpis": {}, "records": [],
    }
    result.update(error or {})
    if partial.exists():
        os.replace(partial, output)  # atomic: the final name never holds half a notebook
        result["ipynb"] = output.relative_to(out_dir).as_posix()
        result.update(_collect(spec, output, out_dir, notes))
    result["end"] = _now()
    result["seconds"] = round(time.perf_counter() - clock, 2)
    return result


def _collect(spec: RunSpec, output: Path, out_dir: Path, notes: list[str]) -> dict[str, Any]:
    from modlean.evidence.report import iter_records

    found: dict[str, Any] = {}
    try:
        items = iter_records(output)
        found["records"] = [{"name": r.name, "kind": r.kind} for r in items]
        found["kpis"] = {r.name: r.value for r in items if r.kind == "scalar"}
    except Exception as exc:  # a broken notebook still gets its manifest entry
        notes.append(f"records not read: {exc}")
    try:
        to_html(output, Path(spec.html), hide_code=spec.hide_code)
        found["html"] = Path(spec.html).relative_to(out_dir).as_posix()
    except Exception as exc:  # the .ipynb is the evidence; HTML is a convenience
        notes.append(f"HTML not written: {type(exc).__name__}: {exc}")
    return found


def to_html(notebook: str | Path, target: str | Path, *, hide_code: bool = True) -> Path:
    """Convert an executed notebook to one offline HTML file (modlean template, atomic write).

    The template (``templates/nbconvert/modlean``) loads nothing from the
    network; figures are embedded as ``data:`` URIs; with ``hide_code`` the
    code cells' inputs and prompts are left out, outputs and errors stay.
    """
    import nbformat
    from nbconvert import HTMLExporter


    nb = nbformat.read(Path(notebook), as_version=4)
    exporter = HTMLExporter(
        extra_template_basedirs=[str(d) for d in template_dirs("nbconvert")],
        template_name="modlean",
        exclude_input=hide_code, exclude_input_prompt=True, exclude_output_prompt=True,
    )
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": Path(notebook).stem}})
    write_atomic(Path(target), body)
    return Path(target)


# ---------------------------------------------------------------------------- the batch


@dataclass
class BatchResult:
    """What a batch did: the output folder, the manifest and one entry per run."""

    out: Path
    manifest: dict[str, Any]
    runs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every run succeeded."""
        return all(r["status"] == "ok" for r in self.runs)

    @property
    def failed(self) -> list[dict[str, Any]]:
        """The runs that failed."""
        return [r for r in self.runs if r["status"] != "ok"]

    @property
    def index(self) -> Path:
        """The path of ``index.html``."""
        return self.out / "index.html"


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], capture_output=True, text=True, timeout=10,
                              cwd=PACKAGE_DIR.parent, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def environment() -> dict[str, Any]:
    """Python, package versions and git commit that reproduce a run."""
    packages: dict[str, str] = {}
    for name in PACKAGES:
        try:
            packages[name] = version(name)
        except PackageNotFoundError:
            continue
    commit = _git("rev-parse", "HEAD")
    status = _git("status", "--porcelain", "--untracked-files=no") if commit else None
    return {
        "python": platform.python_version(), "executable": sys.executable,
        "platform": platform.platform(), "packages": packages,
        "git": {"commit": commit, "dirty": bool(status) if status is not None else None},
    }


def _failed_outcome(spec: RunSpec, outcome: Any) -> dict[str, Any]:
    return {"notebook": Path(spec.notebook).stem, "market": spec.market,
            "scenario": spec.scenario, "status": "failed", "error": outcome.error,
            "error_type": outcome.error_type, "error_cell": None, "start": None, "end": None,
            "seconds": None, "kernel_attempts": None, "notes": [outcome.traceback or ""],
            "parameters": {**spec.defaults, **spec.parameters}, "seed": None, "ipynb": None,
            "html": None, "kpis": {}, "records": []}


def run_batch(
    notebooks: Sequence[str | Path],
    markets: Sequence[str],
    *,
    out: str | Path,
    parameters: Mapping[str, Any] | None = None,
    scenarios: Sequence[str] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
    transport: str = "ipc",
    start_timeout: float = 60.0,
    execution_timeout: float | None = None,
    kernel_retries: int = 2,
    command: Sequence[str] | None = None,
) -> BatchResult:
    """Run every notebook for every market (x scenario) and write the run folder.

    Parameters
    ----------
    notebooks:
        ``.ipynb`` files, each with one ``parameters`` cell declaring ``market``.
    markets:
        Market codes; each becomes ``out/<market>/``.
    out:
        The run folder (created); nothing is written outside it.
    parameters:
        Values passed to the notebooks that declare them (text is best: the
        notebooks convert and validate it, see :mod:`modlean.evidence.params`).
    scenarios:
        Scenario names or YAML files; notebooks declaring ``scenario`` run once per
        scenario into ``out/<market>/<scenario>/``.

        A notebook declaring ``run_dir`` gets the run folder and runs after all the
        others, with ``manifest.json`` already listing their results (for an
        appendix notebook that gathers them).
    workers:
        Local processes (default: the usable cores, at most one per run).
    scheduler:
        A Dask scheduler address (``tcp://host:8786``) or ``"local"``; the runs go
        to the cluster instead of the local pool (the ``dask`` extra).
    progress:
        Show a tqdm bar of runs done / failed on stderr.
    transport:
        ``"ipc"`` (Unix sockets, default) or ``"tcp"`` for the kernels.
    start_timeout, execution_timeout:
        Seconds to wait for a kernel to start, and for one cell (None: no limit).
    kernel_retries:
        How many times a kernel that fails to start is started again.
    command:
        The command line, for the manifest.

    Returns
    -------
    BatchResult
        ``ok`` is false when any run failed; failed runs keep their partly
        executed notebook, and ``index.html`` marks them with their message.
    """
    from tqdm.auto import tqdm

    from modlean.executor import default_workers, run_tasks

    specs = plan_runs(notebooks, markets, out=out, parameters=parameters, scenarios=scenarios,
                      transport=transport, start_timeout=start_timeout,
                      execution_timeout=execution_timeout, kernel_retries=kernel_retries)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    n_workers = min(workers or default_workers(), len(specs))
    manifest: dict[str, Any] = {
        "manifest_version": 1, "run": folder.resolve().name, "status": "running",
        "start": _now(), "end": None, "command": list(command) if command else None,
        "notebooks": [Path(n).name for n in notebooks], "markets": list(markets),
        "scenarios": list(scenarios or []), "parameters": dict(parameters or {}),
        "seed": (parameters or {}).get("seed"),
        "executor": {"scheduler": scheduler, "workers": None if scheduler else n_workers,
                     "transport": transport},
        **environment(), "runs": [],
    }
    _write_manifest(folder, manifest)
    bar = tqdm(total=len(specs), desc="modlean batch", unit="run", disable=not progress,
               file=sys.stderr)
    counts = {"failed": 0}

    def on_done(outcome: Any) -> None:
        if not outcome.ok or outcome.value["status"] != "ok":
            counts["failed"] += 1
        bar.set_postfix(failed=counts["failed"], refresh=False)
        bar.update(1)

    done: dict[int, dict[str, Any]] = {}
    try:
        # notebooks that gather the run's results (declare run_dir) go after the others
        for gathers in (False, True):
            todo = [i for i, s in enumerate(specs) if s.gathers is gathers]
            if not todo:
                continue
            outcomes = run_tasks(execute_run, [specs[i] for i in todo], workers=n_workers,
                                 scheduler=scheduler, on_done=on_done, raise_errors=False)
            for i, o in zip(todo, outcomes, strict=True):
                done[i] = o.value if o.ok else _failed_outcome(specs[i], o)
            manifest["runs"] = [done[i] for i in sorted(done)]
            _write_manifest(folder, manifest)
    finally:
        bar.close()
    runs = [done[i] for i in range(len(specs))]
    manifest.update(runs=runs, end=_now(),
                    status="ok" if all(r["status"] == "ok" for r in runs) else "failed")
    if manifest["seed"] is None:
        seeds = {json.dumps(r["seed"]) for r in runs if r["seed"] is not None}
        manifest["seed"] = json.loads(seeds.pop()) if len(seeds) == 1 else None
    _write_manifest(folder, manifest)
    write_index(folder, manifest)
    return BatchResult(folder, manifest, runs)


def _write_manifest(folder: Path, manifest: Mapping[str, Any]) -> None:
    from modlean._util import to_json

    write_atomic(folder / "manifest.json", to_json(manifest) + "\n")


def load_manifest(run_dir: str | Path) -> dict[str, Any]:
    """The ``manifest.json`` of a run folder.

    Raises
    ------
    ParameterError
        When the folder has no readable manifest.
    """
    file = Path(run_dir) / "manifest.json"
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ParameterError(f"{str(run_dir)!r} has no manifest.json; expected the folder "
                             "a `modlean batch` run wrote") from None
    except (OSError, ValueError) as exc:
        raise ParameterError(f"{str(file)!r} is not readable JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("runs"), list):
        raise ParameterError(f"{str(file)!r}: expected a batch manifest with a 'runs' list")
    return data


# ---------------------------------------------------------------------------- the index


def _kpi_columns(runs: Iterable[Mapping[str, Any]]) -> list[tuple[str, str, str]]:
    """(notebook, name, heading) of every scalar KPI, in first-seen order."""
    seen: dict[tuple[str, str], None] = {}
    for run in runs:
        for name in run.get("kpis") or {}:
            seen.setdefault((run["notebook"], name), None)
    clash = {n for (_, n) in seen if sum(1 for (_, m) in seen if m == n) > 1}
    return [(nb, n, f"{nb}: {n}" if n in clash else n) for (nb, n) in seen]


def index_rows(manifest: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[Any]]:
    """The cross-market table: one row per market (and scenario), KPI columns."""
    runs = manifest.get("runs", [])
    columns = _kpi_columns(runs)
    rows: dict[tuple[str, str | None], dict[str, Any]] = {}
    for run in runs:
        key = (run["market"], run.get("scenario"))
        row = rows.setdefault(key, {"market": key[0], "scenario": key[1], "runs": [],
                                    "values": {}, "failed": []})
        row["runs"].append(run)
        if run["status"] != "ok":
            row["failed"].append(run)
        for name, value in (run.get("kpis") or {}).items():
            row["values"][(run["notebook"], name)] = value
    return list(rows.values()), columns


def write_index(run_dir: str | Path, manifest: Mapping[str, Any] | None = None) -> Path:
    """Write ``index.html`` of a run folder from its manifest (template ``templates/batch``)."""
    import jinja2

    from modlean.evidence.report import _format

    folder = Path(run_dir)
    data = manifest if manifest is not None else load_manifest(folder)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(template_dirs("batch")),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["fmt"] = _format
    rows, columns = index_rows(data)
    html = env.get_template("index.html.j2").render(
        manifest=data, rows=rows, columns=columns,
        scenarios=any(r["scenario"] for r in rows),
        failed=[r for r in data.get("runs", []) if r["status"] != "ok"])
    target = folder / "index.html"
    write_atomic(target, html)
    return target


def spec_dict(spec: RunSpec) -> dict[str, Any]:
    """A run spec as a plain dict (for logs and tests)."""
    return asdict(spec)
