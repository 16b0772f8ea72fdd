"""The run manifest (``RUN/manifest.json``): what a batch ran, with what, and how it went.

:class:`RunEntry` is one notebook run (one market, one scenario), :class:`RunManifest`
the whole batch. Both convert to and from the plain dicts of the JSON file
(:meth:`~RunManifest.to_dict` keeps the keys and their order, so run folders
written before still read). The batch writes the manifest; the index, the
appendices and the gathering notebooks read it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

from modlean._util import to_json, write_atomic
from modlean.errors import ParameterError

__all__ = [
    "MANIFEST_VERSION",
    "RunEntry",
    "RunManifest",
    "load_manifest",
    "read_manifest",
    "write_manifest",
]

#: Version of the manifest format, stored in ``manifest_version``.
MANIFEST_VERSION = 1
#: The file name of the manifest inside a run folder.
MANIFEST_FILE = "manifest.json"


_T = TypeVar("_T")


def _from_dict(cls: type[_T], data: Mapping[str, Any], required: tuple[str, ...],
               what: str) -> _T:
    """``cls`` from ``data``: known keys only, missing optional keys left at their default."""
    missing = [k for k in required if k not in data]
    if missing:
        raise ParameterError(f"{what}: no {missing[0]!r}; expected a `modlean batch` manifest")
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names})


@dataclass
class RunEntry:
    """One run of the manifest: one notebook for one market (and scenario).

    ``status`` is ``ok`` or ``failed`` (then ``error_type``, ``error`` and, when a
    cell raised, ``error_cell``); ``parameters`` are the notebook's defaults
    overlaid with what the batch passed; ``ipynb`` and ``html`` are paths relative
    to the run folder; ``kpis`` are the scalar records, ``records`` the name and
    kind of every record.
    """

    notebook: str
    market: str
    scenario: str | None = None
    status: str = "failed"
    error: str | None = None
    error_type: str | None = None
    error_cell: int | None = None
    start: str | None = None
    end: str | None = None
    seconds: float | None = None
    kernel_attempts: int | None = None
    notes: list[str] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)
    seed: Any = None
    ipynb: str | None = None
    html: str | None = None
    kpis: dict[str, Any] = field(default_factory=dict)
    records: list[dict[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the run succeeded."""
        return self.status == "ok"

    @property
    def gathers(self) -> bool:
        """True for a notebook that read the run folder (it declares ``run_dir``)."""
        return "run_dir" in (self.parameters or {})

    def to_dict(self) -> dict[str, Any]:
        """The entry as it is stored in ``manifest.json``."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunEntry:
        """An entry from ``manifest.json`` (missing keys get their defaults).

        Raises
        ------
        ParameterError
            When ``notebook``, ``market`` or ``status`` is missing.
        """
        entry = _from_dict(cls, data, ("notebook", "market", "status"), "a run of the manifest")
        for name in ("notes", "records"):
            setattr(entry, name, list(getattr(entry, name) or []))
        for name in ("parameters", "kpis"):
            setattr(entry, name, dict(getattr(entry, name) or {}))
        return entry


@dataclass
class RunManifest:
    """The manifest of a batch: what was asked, the environment, and every run."""

    run: str
    status: str = "running"
    start: str | None = None
    end: str | None = None
    command: list[str] | None = None
    notebooks: list[str] = field(default_factory=list)
    markets: list[str] = field(default_factory=list)
    scenarios: list[str] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)
    seed: Any = None
    executor: dict[str, Any] = field(default_factory=dict)
    python: str | None = None
    executable: str | None = None
    platform: str | None = None
    packages: dict[str, str] = field(default_factory=dict)
    git: dict[str, Any] = field(default_factory=lambda: {"commit": None, "dirty": None})
    planned: list[dict[str, Any]] = field(default_factory=list)
    runs: list[RunEntry] = field(default_factory=list)
    manifest_version: int = MANIFEST_VERSION

    @property
    def ok(self) -> bool:
        """True when every run succeeded."""
        return all(r.ok for r in self.runs)

    @property
    def failed(self) -> list[RunEntry]:
        """The runs that failed."""
        return [r for r in self.runs if not r.ok]

    def missing(self, market: str) -> list[str]:
        """The notebooks planned for ``market`` that have no entry yet (gathering ones left out).

        From ``planned`` (one ``{"notebook", "market", "scenario", "gathers"}`` per run,
        written when the batch starts); a manifest written before it was kept has no
        plan, and then nothing is known to be missing.
        """
        done = {(r.notebook, r.scenario) for r in self.runs if r.market == market}
        return [p["notebook"] + (f" ({p['scenario']})" if p.get("scenario") else "")
                for p in self.planned if p.get("market") == market and not p.get("gathers")
                and (p.get("notebook"), p.get("scenario")) not in done]

    def runs_of(self, market: str) -> list[RunEntry]:
        """The runs of ``market``, leaving out gathering notebooks (those declaring
        ``run_dir``, such as an appendix notebook)."""
        return [r for r in self.runs if r.market == market and not r.gathers]

    def to_dict(self) -> dict[str, Any]:
        """The manifest as it is stored in ``manifest.json`` (same keys, same order; the
        plan, ``planned``, only when there is one, so files written before it read back
        unchanged)."""
        data = {"manifest_version": self.manifest_version}
        data.update((f.name, getattr(self, f.name)) for f in fields(self)
                    if f.name not in ("manifest_version", "runs")
                    and (f.name != "planned" or self.planned))  # older files have no plan
        data["runs"] = [r.to_dict() for r in self.runs]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunManifest:
        """A manifest from the data of ``manifest.json`` (missing keys get their defaults)."""
        manifest = _from_dict(cls, {**data, "runs": []}, ("run",), "the manifest")
        manifest.runs = [RunEntry.from_dict(r) for r in data.get("runs") or []]
        manifest.git = dict(manifest.git or {"commit": None, "dirty": None})
        manifest.packages = dict(manifest.packages or {})
        manifest.parameters = dict(manifest.parameters or {})
        manifest.planned = [dict(p) for p in manifest.planned or [] if isinstance(p, Mapping)]
        return manifest


def load_manifest(run_dir: str | Path) -> dict[str, Any]:
    """The ``manifest.json`` of a run folder, as stored (see :func:`read_manifest`).

    Raises
    ------
    ParameterError
        When the folder has no readable manifest.
    """
    file = Path(run_dir) / MANIFEST_FILE
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


def read_manifest(run_dir: str | Path) -> RunManifest:
    """The manifest of a run folder as a :class:`RunManifest`.

    A manifest without a ``run`` name is named after its folder.

    Raises
    ------
    ParameterError
        When the folder has no readable manifest.
    """
    data = load_manifest(run_dir)
    return RunManifest.from_dict({"run": Path(run_dir).resolve().name, **data})


def write_manifest(folder: Path, manifest: RunManifest) -> Path:
    """Write ``manifest.json`` into a run folder (atomically)."""
    return write_atomic(folder / MANIFEST_FILE, to_json(manifest.to_dict()) + "\n")
