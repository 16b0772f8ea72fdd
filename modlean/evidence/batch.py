"""Run notebooks with papermill over markets (x scenarios) and collect the evidence.

:func:`run_batch` plans the runs (:mod:`modlean.evidence.planning`), executes
them (:func:`modlean.evidence.execute.execute_run`) through
:func:`modlean.executor.run_tasks` (a local process pool, or Dask with a
scheduler address), and writes into the output folder::

    RUN/<market>[/<scenario>]/<notebook>.ipynb   executed notebook (kept when it fails)
    RUN/<market>[/<scenario>]/<notebook>.html    the same, code hidden, offline HTML
    RUN/manifest.json                            parameters, versions, seed, git commit,
                                                 start/end, status and error of every run
    RUN/index.html                               one cross-market table of recorded KPIs

The kernels are described in :mod:`modlean.evidence.kernels`, the manifest in
:mod:`modlean.evidence.manifest`, the index in :mod:`modlean.evidence.run_index`.
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from modlean.evidence.execute import execute_run, now
from modlean.evidence.manifest import RunEntry, RunManifest, write_manifest
from modlean.evidence.planning import RunSpec, plan_runs
from modlean.evidence.run_index import write_index
from modlean.executor import TaskOutcome, default_workers, run_tasks
from modlean.resources import PACKAGE_DIR

__all__ = ["PACKAGES", "BatchResult", "environment", "run_batch"]

#: Packages whose versions go into the manifest (those installed).
PACKAGES = ("modlean", "pandas", "numpy", "scipy", "statsmodels", "matplotlib", "seaborn",
            "simpy", "networkx", "pm4py", "pyarrow", "papermill", "nbclient", "nbconvert",
            "nbformat", "ipykernel", "jupyter_client", "dask", "distributed", "python-docx")


@dataclass
class BatchResult:
    """What a batch did: the output folder, the manifest and one entry per run.

    ``manifest`` and ``runs`` are the plain dicts of ``manifest.json``.
    """

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


def _failed_entry(spec: RunSpec, outcome: TaskOutcome[Any]) -> RunEntry:
    """The entry of a run whose worker raised (execute_run itself never does)."""
    return spec.entry(status="failed", error=outcome.error, error_type=outcome.error_type,
                      notes=[outcome.traceback or ""])


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
    workbook: str | Path | None = None,
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
    workbook:
        A ``workbook.yaml``: the notebooks declaring ``workbook`` get its absolute
        path (they read the market's files and settings from it), every market must
        be one it lists, and the runs start in its folder.

    Returns
    -------
    BatchResult
        ``ok`` is false when any run failed; failed runs keep their partly
        executed notebook, and ``index.html`` marks them with their message.
    """
    specs = plan_runs(notebooks, markets, out=out, parameters=parameters, scenarios=scenarios,
                      transport=transport, start_timeout=start_timeout,
                      execution_timeout=execution_timeout, kernel_retries=kernel_retries,
                      workbook=workbook)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    n_workers = min(workers or default_workers(), len(specs))
    manifest = RunManifest(
        run=folder.resolve().name, status="running", start=now(),
        command=list(command) if command else None,
        notebooks=[Path(n).name for n in notebooks], markets=list(markets),
        scenarios=list(scenarios or []), parameters=dict(parameters or {}),
        seed=(parameters or {}).get("seed"),
        planned=[{"notebook": Path(s.notebook).stem, "market": s.market, "scenario": s.scenario,
                  "gathers": s.gathers} for s in specs],
        executor={"scheduler": scheduler, "workers": None if scheduler else n_workers,
                  "transport": transport},
        **environment())
    write_manifest(folder, manifest)
    runs = _run_all(specs, folder, manifest, workers=n_workers, scheduler=scheduler,
                    progress=progress)
    manifest.runs, manifest.end = runs, now()
    manifest.status = "ok" if manifest.ok else "failed"
    if manifest.seed is None:
        seeds = {json.dumps(r.seed) for r in runs if r.seed is not None}
        manifest.seed = json.loads(seeds.pop()) if len(seeds) == 1 else None
    write_manifest(folder, manifest)
    write_index(folder, manifest)
    data = manifest.to_dict()
    return BatchResult(folder, data, data["runs"])


def _run_all(specs: list[RunSpec], folder: Path, manifest: RunManifest, *, workers: int,
             scheduler: str | None, progress: bool) -> list[RunEntry]:
    """Execute the runs, gathering notebooks (those declaring run_dir) after the others;
    the manifest is written again after each group. The entries, in plan order."""
    # deferred: tqdm.auto looks for IPython and ipywidgets when it is imported
    from tqdm.auto import tqdm

    bar = tqdm(total=len(specs), desc="modlean batch", unit="run", disable=not progress,
               file=sys.stderr)
    counts = {"failed": 0}

    def on_done(outcome: TaskOutcome[dict[str, Any]]) -> None:
        if not outcome.ok or outcome.value["status"] != "ok":
            counts["failed"] += 1
        bar.set_postfix(failed=counts["failed"], refresh=False)
        bar.update(1)

    done: dict[int, RunEntry] = {}
    try:
        for gathers in (False, True):
            todo = [i for i, s in enumerate(specs) if s.gathers is gathers]
            if not todo:
                continue
            outcomes = run_tasks(execute_run, [specs[i] for i in todo], workers=workers,
                                 scheduler=scheduler, on_done=on_done, raise_errors=False)
            for i, o in zip(todo, outcomes, strict=True):
                done[i] = (RunEntry.from_dict(o.value) if o.ok
                           else _failed_entry(specs[i], o))
            manifest.runs = [done[i] for i in sorted(done)]
            write_manifest(folder, manifest)
    finally:
        bar.close()
    return [done[i] for i in range(len(specs))]
