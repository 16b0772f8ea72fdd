"""The Jupyter kernels a batch starts: this interpreter, IPC sockets, the inline backend.

Every run starts its own ipykernel with *this* interpreter (``sys.executable``),
never a ``python3`` kernelspec found elsewhere, over the IPC transport (Unix
sockets in a private folder: no TCP port races when many kernels start at once).
The kernel gets ``MPLBACKEND`` set to the inline backend, so an inherited
``MPLBACKEND=Agg`` cannot silently drop the figures, and :data:`BATCH_ENV`, so a
notebook knows it runs in a batch (:func:`in_batch`).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

__all__ = [
    "BATCH_ENV",
    "INLINE_BACKEND",
    "in_batch",
    "kernel_env",
    "kernel_manager_class",
    "private_folder",
    "tail",
]

#: The matplotlib backend kernels are started with (figures land in the notebook).
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
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
    # deferred: jupyter_client loads zmq; a notebook calling in_batch() does not need it
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
        def kernel_spec(self) -> KernelSpec:
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


def private_folder(transport: str) -> tuple[str, str | None]:
    """A fresh private folder for one kernel, and its IPC socket folder (None for TCP)."""
    folder = tempfile.mkdtemp(prefix="mlk-")
    # Unix socket paths are limited to about 107 bytes: fall back to TCP for long ones
    return folder, folder if transport == "ipc" and len(folder) < 96 else None


def tail(file: Path, limit: int = 1500) -> str:
    """The last ``limit`` characters of a (kernel log) file; empty when it cannot be read."""
    try:
        text = file.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""
    return text[-limit:]
