"""Read recorded results back from executed notebooks, and strip notebooks for git.

:func:`read_records` reads the outputs :func:`modlean.evidence.recording.record`
published (a path or an nbformat notebook), in order; a later record of the
same name replaces an earlier one. Nothing else in the notebook is parsed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from modlean._util import write_atomic
from modlean.errors import ModleanError
from modlean.evidence.recording import MIME, Record, decode_record

if TYPE_CHECKING:
    from nbformat import NotebookNode

__all__ = ["iter_records", "load_notebook", "notebook_title", "read_records", "strip_outputs"]


def load_notebook(notebook: str | Path | NotebookNode, *,
                  error: type[ModleanError] = ModleanError) -> NotebookNode:
    """An nbformat notebook from a path (or the notebook itself when given one).

    Raises
    ------
    ModleanError
        (``error``) for a missing or unreadable file.
    """
    if hasattr(notebook, "cells"):
        return notebook
    import nbformat  # deferred: nbformat is heavy, and the face imports this module

    file = Path(notebook)
    try:
        return nbformat.read(file, as_version=4)
    except FileNotFoundError:
        raise error(f"notebook {str(file)!r} does not exist") from None
    except Exception as exc:  # nbformat raises several kinds for a broken file
        raise error(f"notebook {str(file)!r} is not a readable notebook: {exc}") from None


def iter_records(notebook: str | Path | NotebookNode) -> list[Record]:
    """Every record in an executed notebook, in output order (repeated names included).

    ``notebook`` is a path to an ``.ipynb`` file or an nbformat notebook.
    """
    nb = load_notebook(notebook)
    found: list[Record] = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            data = output.get("data", {}) if output.get("output_type") in (
                "display_data", "execute_result") else {}
            payload = data.get(MIME)
            if isinstance(payload, str):
                payload = json.loads(payload)
            if isinstance(payload, Mapping) and "name" in payload:
                found.append(Record(str(payload["name"]), str(payload.get("kind")),
                                    decode_record(payload, data), index))
    return found


def read_records(notebook: str | Path | NotebookNode) -> dict[str, Any]:
    """The results recorded in an executed notebook: name -> value, in recording order.

    Scalars come back as numbers or text, tables as DataFrames, figures as
    :class:`~modlean.evidence.recording.RecordedFigure` (PNG bytes, shown as an
    image in Jupyter). When a name was recorded more than once, the last value wins.
    """
    result: dict[str, Any] = {}
    for item in iter_records(notebook):
        result.pop(item.name, None)
        result[item.name] = item.value
    return result


def notebook_title(notebook: str | Path | None, name: str) -> str:
    """A notebook's short title for headings: ``Process discovery`` from its first heading.

    The first markdown heading ``# 01 · Process discovery: how does work ...`` gives
    the words between the number and the colon. Without a readable file or a
    heading, the notebook's ``name`` in words (``01_process_discovery`` ->
    ``Process discovery``).
    """
    heading = None
    if notebook is not None and Path(notebook).is_file():
        try:
            cells = json.loads(Path(notebook).read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError):
            cells = []
        for cell in cells:
            source = "".join(cell.get("source", ""))
            if cell.get("cell_type") == "markdown" and source.startswith("# "):
                heading = source.splitlines()[0][2:]
                break
    text = heading if heading is not None else name.replace("_", " ")
    text = re.sub(r"^\s*\d+\s*[·.:-]?\s*", "", text).split(":")[0].strip()
    return (text[:1].upper() + text[1:]) if text else name


def strip_outputs(notebook: str | Path) -> bool:
    """Remove outputs, execution counts and run metadata from a notebook file, in place.

    Notebooks are kept in git without outputs (tests check it); run this after
    editing one in JupyterLab. Returns True when the file changed.
    """
    import nbformat  # deferred: nbformat is heavy, and the face imports this module

    file = Path(notebook)
    nb = load_notebook(file)
    before = nbformat.writes(nb)
    for cell in nb.cells:
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        for key in ("execution", "papermill", "collapsed", "scrolled"):
            cell.get("metadata", {}).pop(key, None)
    for key in ("papermill", "widgets"):
        nb.metadata.pop(key, None)
    after = nbformat.writes(nb)
    if after != before:
        write_atomic(file, after + ("" if after.endswith("\n") else "\n"))
    return after != before
