"""One market's runs of a batch and what each recorded, read once for the appendix.

:func:`market_records` reads the executed notebooks of a market's runs (gathering
notebooks left out) into :class:`MarketRecords`: per run its entry, its title and
its records by name (the last record of a name wins, as in the notebook). The
executive summary, the findings and the limits look records up by name
(:meth:`MarketRecords.value`), so they do not depend on which notebook recorded
what; :attr:`MarketRecords.missing` and :attr:`MarketRecords.failed` say what the
evidence lacks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modlean.evidence.manifest import RunEntry, RunManifest
from modlean.evidence.readback import iter_records, notebook_title
from modlean.evidence.recording import Record

__all__ = ["MarketRecords", "RunRecords", "market_records"]


@dataclass
class RunRecords:
    """One notebook run: its manifest entry, its heading and its records by name."""

    run: RunEntry
    title: str
    records: dict[str, Record] = field(default_factory=dict)

    def value(self, name: str, default: Any = None) -> Any:
        """The value recorded as ``name`` by this run, or ``default``."""
        found = self.records.get(name)
        return default if found is None else found.value


@dataclass
class MarketRecords:
    """What a market's runs recorded, the notebooks still missing and the runs that failed."""

    market: str
    runs: list[RunRecords]
    missing: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[RunEntry]:
        """The market's runs that failed."""
        return [r.run for r in self.runs if not r.run.ok]

    @property
    def complete(self) -> bool:
        """True when every planned notebook ran and none failed."""
        return not self.missing and not self.failed

    def run_of(self, name: str) -> RunRecords | None:
        """The first run (in plan order) that recorded ``name``, or None."""
        return next((r for r in self.runs if name in r.records), None)

    def value(self, name: str, default: Any = None) -> Any:
        """The value of the first record called ``name`` among the runs, or ``default``."""
        run = self.run_of(name)
        return default if run is None else run.value(name)

    def parameter(self, name: str) -> Any:
        """A notebook parameter of the first run that has it (as the run got it), or None."""
        return next((r.run.parameters[name] for r in self.runs if name in r.run.parameters),
                    None)


def market_records(run_dir: Path, manifest: RunManifest, market: str) -> MarketRecords:
    """Read the executed notebooks of ``market``'s runs (a failed run keeps what it recorded)."""
    runs = []
    for run in manifest.runs_of(market):  # a handful of notebooks
        path = run_dir / run.ipynb if run.ipynb else None
        found: dict[str, Record] = {}
        if path is not None and path.is_file():
            for item in iter_records(path):
                found.pop(item.name, None)
                found[item.name] = item
        title = notebook_title(path, run.notebook) + (f" ({run.scenario})" if run.scenario
                                                      else "")
        runs.append(RunRecords(run=run, title=title, records=found))
    return MarketRecords(market=market, runs=runs, missing=manifest.missing(market))
