"""Run independent tasks in parallel: inline, on a local process pool, or on Dask.

Simulation replications and notebook batch runs both go through
:func:`run_tasks`, so there is one place that knows about workers and clusters.
Nothing here schedules: the local pool is :mod:`concurrent.futures`, the
cluster is Dask distributed (the ``dask`` extra).
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Any, Generic, TypeVar

from modlean.errors import ParameterError

__all__ = ["TaskOutcome", "default_workers", "run_tasks"]

T = TypeVar("T")


@dataclass(frozen=True)
class TaskOutcome(Generic[T]):
    """The result of one task: its value, or the error it raised (as text)."""

    index: int
    value: T | None = None
    error: str | None = None
    error_type: str | None = None
    traceback: str | None = None

    @property
    def ok(self) -> bool:
        """True when the task finished without raising."""
        return self.error is None


def default_workers() -> int:
    """The number of local workers to use when none is given: the usable cores."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def _capture(func: Callable[[Any], T], index: int, item: Any) -> TaskOutcome[T]:
    try:
        return TaskOutcome(index, value=func(item))
    except Exception as exc:  # reported to the caller, who decides what failure means
        return TaskOutcome(index, error=str(exc) or type(exc).__name__,
                           error_type=type(exc).__name__, traceback=traceback.format_exc())


def run_tasks(
    func: Callable[[Any], T],
    items: Iterable[Any],
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    on_done: Callable[[TaskOutcome[T]], None] | None = None,
    raise_errors: bool = True,
) -> list[TaskOutcome[T]]:
    """Apply ``func`` to every item, in parallel, and return the outcomes in item order.

    Parameters
    ----------
    func:
        A picklable top-level function of one argument.
    items:
        The arguments, one task each.
    workers:
        Local processes to use; ``1`` runs inline in this process (no pool),
        ``None`` uses every usable core. Ignored when ``scheduler`` is given.
    scheduler:
        The address of a Dask distributed scheduler (``tcp://host:8786``), or
        ``"local"`` for a throw-away :class:`dask.distributed.LocalCluster`.
    on_done:
        Called in this process as each task finishes (for progress bars).
    raise_errors:
        When true, the first failed task (in item order) raises its error again
        after all tasks have finished; when false, failures are returned.
    """
    work = list(items)
    if workers is not None and workers < 1:
        raise ParameterError(f"workers: {workers} is not a positive whole number")
    if scheduler:
        outcomes = _run_dask(func, work, scheduler, on_done)
    else:
        n = min(workers or default_workers(), max(1, len(work)))
        outcomes = _run_local(func, work, n, on_done)
    if raise_errors:
        for outcome in outcomes:
            if not outcome.ok:
                raise RuntimeError(
                    f"task {outcome.index} failed: {outcome.error_type}: {outcome.error}\n"
                    f"{outcome.traceback}"
                )
    return outcomes


def _run_local(func: Callable[[Any], T], work: list[Any], workers: int,
               on_done: Callable[[TaskOutcome[T]], None] | None) -> list[TaskOutcome[T]]:
    outcomes: list[TaskOutcome[T] | None] = [None] * len(work)
    if workers == 1:
        for i, item in enumerate(work):
            outcomes[i] = _capture(func, i, item)
            if on_done:
                on_done(outcomes[i])  # type: ignore[arg-type]
        return outcomes  # type: ignore[return-value]
    # forkserver: safe with threads in the parent (Jupyter, Dask), cheaper than spawn
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("forkserver")) as pool:
        futures = {pool.submit(_capture, func, i, item): i for i, item in enumerate(work)}
        for future in as_completed(futures):
            outcome = future.result()
            outcomes[outcome.index] = outcome
            if on_done:
                on_done(outcome)
    return outcomes  # type: ignore[return-value]


def _run_dask(func: Callable[[Any], T], work: list[Any], scheduler: str,
              on_done: Callable[[TaskOutcome[T]], None] | None) -> list[TaskOutcome[T]]:
    try:
        from dask.distributed import Client, LocalCluster
        from dask.distributed import as_completed as dask_completed
    except ImportError:
        raise ParameterError(
            "running on a Dask cluster needs the dask extra: pip install 'modlean[dask]'"
        ) from None
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None) if scheduler == "local" else None
    try:
        with Client(cluster if cluster is not None else scheduler, timeout="30s") as client:
            futures = [client.submit(_capture, func, i, item, pure=False)
                       for i, item in enumerate(work)]
            outcomes: list[TaskOutcome[T] | None] = [None] * len(work)
            for future in dask_completed(futures):
                outcome = future.result()
                outcomes[outcome.index] = outcome
                if on_done:
                    on_done(outcome)
    except OSError as exc:
        raise ParameterError(f"cannot reach the Dask scheduler {scheduler!r}: {exc}") from None
    finally:
        if cluster is not None:
            cluster.close()
    return outcomes  # type: ignore[return-value]
