"""Execute one run: the notebook through papermill, then its HTML and its records.

:func:`execute_run` never raises for a failing notebook: the partly executed
notebook is kept and the error goes into the run's manifest entry. A kernel
that fails to start is started again (``RunSpec.kernel_retries``), with a log
line saying so.
"""

from __future__ import annotations

import datetime as _dt
import logging
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from modlean._util import write_atomic
from modlean.evidence.kernels import kernel_manager_class, private_folder, tail
from modlean.evidence.manifest import RunEntry
from modlean.evidence.planning import RunSpec
from modlean.evidence.readback import iter_records
from modlean.resources import template_dirs

__all__ = ["execute_run", "now", "run_entry", "to_html"]

#: The batch's logger (its lines read ``modlean.evidence.batch: ...``).
log = logging.getLogger("modlean.evidence.batch")
_START_FAILURES = ("kernel died before replying", "kernel didn't respond", "kernel_info",
                   "timeout waiting for", "kernel died", "zmq", "address already in use")


def now() -> str:
    """The time now, UTC, ISO 8601 to the second (manifest times)."""
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def execute_run(spec: RunSpec) -> dict[str, Any]:
    """Execute one run and write its notebook and HTML; never raises for a failing notebook.

    Returns the run's manifest entry (:meth:`RunEntry.to_dict`): ``status``
    (``ok`` or ``failed``), ``error`` and ``error_type`` (and ``error_cell``)
    when it failed, ``start``, ``end``, ``seconds``, ``kernel_attempts``,
    ``notes``, ``parameters`` (the notebook's defaults overlaid with what the
    batch passed), ``seed``, the ``ipynb`` and ``html`` paths relative to the
    output folder, ``kpis`` (the scalar records) and ``records`` (name and kind
    of every record).
    """
    return run_entry(spec).to_dict()


def run_entry(spec: RunSpec) -> RunEntry:
    """What :func:`execute_run` does, as a :class:`~modlean.evidence.manifest.RunEntry`."""
    _ensure_log_handler()
    started, clock = now(), time.perf_counter()
    output, out_dir = Path(spec.output), Path(spec.out_dir)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.stem}.partial.ipynb")
    notes: list[str] = []
    error, attempts = _execute(spec, partial, notes)
    entry = spec.entry(status="failed" if error else "ok", start=started,
                       kernel_attempts=attempts, notes=notes)
    entry.seed = entry.parameters.get("seed")
    for key, value in (error or {}).items():
        setattr(entry, key, value)
    if partial.exists():
        os.replace(partial, output)  # atomic: the final name never holds half a notebook
        entry.ipynb = output.relative_to(out_dir).as_posix()
        _collect(spec, entry, output, out_dir)
    entry.end = now()
    entry.seconds = round(time.perf_counter() - clock, 2)
    return entry


def _execute(spec: RunSpec, partial: Path, notes: list[str]
             ) -> tuple[dict[str, Any] | None, int]:
    """Run the notebook into ``partial``, starting a kernel again when it did not start.

    Returns the error (``error_type``, ``error``, and ``error_cell`` when a cell
    raised; None when it ran through) and how many kernels were started.
    """
    # deferred: papermill loads nbclient, nbformat and zmq; only a run needs them
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    attempts = 0
    while True:
        attempts += 1
        folder, ipc = private_folder(spec.transport)
        kernel_log = Path(folder) / "kernel.log"
        try:
            pm.execute_notebook(
                spec.notebook, str(partial), parameters=spec.parameters, kernel_name="python3",
                language="python", progress_bar=False, cwd=spec.cwd,
                start_timeout=spec.start_timeout, execution_timeout=spec.execution_timeout,
                kernel_manager_class=kernel_manager_class(ipc, str(kernel_log)),
            )
            return None, attempts
        except PapermillExecutionError as exc:
            return ({"error_type": exc.ename, "error": str(exc.evalue) or exc.ename,
                     "error_cell": exc.cell_index}, attempts)
        except Exception as exc:  # kernel start-up, I/O: reported with the run
            if not (attempts <= spec.kernel_retries and _is_start_failure(exc, partial)):
                if tail(kernel_log):
                    notes.append(f"kernel log: {tail(kernel_log)}")
                return {"error_type": type(exc).__name__, "error": str(exc) or repr(exc)}, attempts
            note = (f"kernel for {spec.name} did not start ({type(exc).__name__}: {exc}); "
                    f"retrying, attempt {attempts + 1} of {spec.kernel_retries + 1}")
            log.warning(note)
            notes.append(note)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        time.sleep(0.5 * attempts)


def _collect(spec: RunSpec, entry: RunEntry, output: Path, out_dir: Path) -> None:
    """Read the records of the executed notebook and write its HTML into ``entry``."""
    try:
        items = iter_records(output)
        entry.records = [{"name": r.name, "kind": r.kind} for r in items]
        entry.kpis = {r.name: r.value for r in items if r.kind == "scalar"}
    except Exception as exc:  # a broken notebook still gets its manifest entry
        entry.notes.append(f"records not read: {exc}")
    try:
        to_html(output, Path(spec.html), hide_code=spec.hide_code)
        entry.html = Path(spec.html).relative_to(out_dir).as_posix()
    except Exception as exc:  # the .ipynb is the evidence; HTML is a convenience
        entry.notes.append(f"HTML not written: {type(exc).__name__}: {exc}")


def _executed_cells(file: Path) -> int:
    if not file.exists():
        return 0
    try:
        import nbformat  # deferred: heavy; only a failed kernel start gets here

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


def to_html(notebook: str | Path, target: str | Path, *, hide_code: bool = True) -> Path:
    """Convert an executed notebook to one offline HTML file (modlean template, atomic write).

    The template (``templates/nbconvert/modlean``) loads nothing from the
    network; figures are embedded as ``data:`` URIs; with ``hide_code`` the
    code cells' inputs and prompts are left out, outputs and errors stay.
    """
    # deferred: nbconvert and nbformat are heavy, and the face imports this module
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
