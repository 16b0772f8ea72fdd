"""An executed notebook made of recorded values, for tests of what reads runs back
(the appendix, the dashboard) without running a kernel."""

from __future__ import annotations

from typing import Any

import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output

from modlean.evidence import recording


def recorded_notebook(records: dict[str, Any]) -> nbformat.NotebookNode:
    """An executed notebook whose outputs are the records (the bundles record() publishes)."""
    cell = new_code_cell("...")
    for name, value in records.items():
        payload, bundle = recording._encode(name, value)
        bundle[recording.MIME] = payload
        cell.outputs.append(new_output("display_data", data=bundle))
    nb = new_notebook()
    nb.cells = [cell]
    return nb
