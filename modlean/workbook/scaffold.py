"""``modlean init DIR``: a new workbook folder made from the files the package ships.

The folder gets ``workbook.yaml`` (commented, one example market), ``notebooks/``
(copies of the shipped notebooks), ``registers/risk_register.yaml`` (the register
template), ``sop/moderation.yaml`` (the SOP model), the proposal notebook 03 tests
(``templates/proposals/``), ``profiles/example.yaml`` and
``profiles/qa_example.yaml`` (a source profile and a QA file profile, when the package
ships them), ``dsa/mapping.yaml`` (the DSA
mapping for EU markets, docs/dsa.md) and a ``README.md`` with the
three steps. Only the installed package is needed, never the source tree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from modlean._util import write_atomic
from modlean.errors import ParameterError
from modlean.resources import shipped_dir

__all__ = ["SCAFFOLD", "Scaffold", "scaffold"]

#: Shipped file (under the package's templates) -> where it goes in the new folder.
SCAFFOLD = {
    "workbook/workbook.yaml": "workbook.yaml",
    "workbook/README.md": "README.md",
    "workbook/risk_register.yaml": "registers/risk_register.yaml",
    "sop/moderation.yaml": "sop/moderation.yaml",
    "proposals/sop_thresholds_qa.yaml": "templates/proposals/sop_thresholds_qa.yaml",
    "profiles/example.yaml": "profiles/example.yaml",
    "profiles/qa_example.yaml": "profiles/qa_example.yaml",
    "dsa/mapping.yaml": "dsa/mapping.yaml",
}


@dataclass
class Scaffold:
    """What :func:`scaffold` wrote: the folder, the files, and notes on what it left out."""

    folder: Path
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def scaffold(folder: str | Path, *, force: bool = False) -> Scaffold:
    """Write a new workbook folder from the shipped files.

    Raises
    ------
    ParameterError
        When ``folder`` is a file, or an existing non-empty folder and ``force`` is
        false (nothing is written then).
    """
    target = Path(folder).expanduser().resolve()
    if target.exists() and not target.is_dir():
        raise ParameterError(f"{target}: is a file; expected a folder for the workbook")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise ParameterError(f"{target}: the folder is not empty; expected a new or empty "
                             "folder (or --force to write the workbook files over it)")
    templates, notebooks = shipped_dir("templates"), shipped_dir("notebooks")
    done = Scaffold(target)
    for source, dest in SCAFFOLD.items():  # a handful of files
        file = templates / source
        if not file.is_file():
            done.notes.append(f"{source}: not shipped with this modlean; {dest} left out")
            continue
        (target / dest).parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target / dest, file.read_bytes())
        done.files.append(target / dest)
    (target / "notebooks").mkdir(parents=True, exist_ok=True)
    for notebook in sorted(notebooks.glob("*.ipynb")):  # the shipped notebooks
        write_atomic(target / "notebooks" / notebook.name, notebook.read_bytes())
        done.files.append(target / "notebooks" / notebook.name)
    for empty in ("exports", "outputs"):
        (target / empty).mkdir(exist_ok=True)
    return done
