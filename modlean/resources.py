"""Where the files modlean ships are found, and how a user's own folder overrides them.

modlean ships its templates (scenario presets, proposals, the SOP model, the
risk-register template, the appendix and nbconvert templates) and its notebooks
as package data, so a wheel installed anywhere has them. In the source tree they
are the repository's ``templates/`` and ``notebooks/`` folders, installed as the
packages ``modlean.templates`` and ``modlean.notebooks``.

A template is looked up file by file, first match wins:

1. the folder named by the environment variable ``MODLEAN_TEMPLATES``;
2. ``templates/`` in the current working folder (a user's workbook folder), so a
   user's ``templates/scenarios/US.yaml`` replaces the shipped preset while the
   shipped appendix templates stay in use;
3. the templates shipped with the package.

Notebooks are looked up the same way (``MODLEAN_NOTEBOOKS``, ``./notebooks/``,
then the shipped ones).
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

from modlean.errors import ModleanError

__all__ = [
    "PACKAGE_DIR",
    "notebook_path",
    "search_path",
    "shipped_dir",
    "template_dirs",
    "template_names",
    "template_path",
]

#: The folder of the installed ``modlean`` package.
PACKAGE_DIR = Path(__file__).resolve().parent

#: Kinds of shipped files: (environment variable, folder name, package).
_KINDS = {
    "templates": ("MODLEAN_TEMPLATES", "templates", "modlean.templates"),
    "notebooks": ("MODLEAN_NOTEBOOKS", "notebooks", "modlean.notebooks"),
}


def shipped_dir(kind: str = "templates") -> Path:
    """The folder of files shipped with the package (``templates`` or ``notebooks``)."""
    package = _KINDS[kind][2]
    folder = Path(str(files(package)))
    if not folder.is_dir():  # pragma: no cover - only for zipped installs
        raise ModleanError(f"the {kind} shipped with modlean are not on disk ({folder}); "
                           "install modlean into a folder, not a zip file")
    return folder


def search_path(kind: str = "templates") -> list[Path]:
    """The folders searched for a shipped file, in the documented order (existing ones only)."""
    variable, local, _ = _KINDS[kind]
    folders = []
    if os.environ.get(variable):
        override = Path(os.environ[variable]).expanduser()
        if not override.is_dir():
            raise ModleanError(f"{variable}={str(override)!r}: expected an existing folder")
        folders.append(override)
    folders += [Path.cwd() / local, shipped_dir(kind)]
    unique: list[Path] = []
    for folder in folders:
        resolved = folder.resolve()
        if folder.is_dir() and resolved not in unique:
            unique.append(resolved)
    return unique


def _find(kind: str, relative: str) -> Path:
    for folder in search_path(kind):
        candidate = folder / relative
        if candidate.exists():
            return candidate
    looked = ", ".join(str(f) for f in search_path(kind))
    raise ModleanError(f"{kind[:-1]} {relative!r} not found; looked in {looked}")


def template_path(relative: str) -> Path:
    """The path of a template, e.g. ``template_path("scenarios/US.yaml")``, by the lookup order."""
    return _find("templates", relative)


def notebook_path(name: str) -> Path:
    """The path of a notebook, e.g. ``notebook_path("02_queue_simulation.ipynb")``."""
    return _find("notebooks", name)


def template_names(folder: str, pattern: str = "*") -> list[str]:
    """Names (stems) of the templates in ``folder`` matching ``pattern``, from every layer."""
    names = {p.stem for base in search_path("templates") for p in (base / folder).glob(pattern)}
    return sorted(names)


def template_dirs(folder: str) -> list[Path]:
    """Every layer's ``folder`` (e.g. ``"appendix"``) that exists, first match first.

    For Jinja loaders and nbconvert, which search a list of folders in order.
    """
    return [base / folder for base in search_path("templates") if (base / folder).is_dir()]
