"""Skip a notebook section whose input the market lacks, with a note, and go on.

A notebook cell that needs an input starts with a comment naming it::

    # needs: qa
    qa = inputs.qa()

In a kernel (JupyterLab, a batch run), once :func:`modlean.workbook.market_inputs`
has run, such a cell runs as written when the market has every input it names,
and otherwise runs a note instead: ``no QA table for DE: section skipped``, which
is also recorded (``skipped_qa``) so the batch index and the appendix show it. A
cell without the comment always runs, and real errors still fail the run. The
cell's source is never changed, so the executed notebook shows what would have run.

Outside a kernel the comment is only a comment.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["NEEDS", "install", "needs_of", "skip_source"]

#: The first line of a cell that needs inputs: ``# needs: qa`` or ``# needs: qa, register``.
NEEDS = re.compile(r"^\s*#\s*needs:\s*(?P<names>[A-Za-z_, ]+?)\s*$")
_MARK = "_modlean_workbook_sections"


def needs_of(lines: list[str]) -> list[str]:
    """The inputs a cell names in its ``# needs:`` first line (empty when it names none)."""
    first = next((line for line in lines if line.strip()), "")
    found = NEEDS.match(first)
    if not found:
        return []
    return [n.strip() for n in found["names"].split(",") if n.strip()]


def skip_source(notes: list[tuple[str, str]]) -> list[str]:
    """The code a skipped cell runs: each ``(input, note)`` recorded as ``skipped_<input>``
    the first time (later cells needing it only show the note)."""
    lines = ["from modlean.evidence import record as _modlean_record, "
             "records as _modlean_records\n"]
    for what, note in notes:
        name = f"skipped_{what}"
        lines.append(f"print({note!r}) if {name!r} in _modlean_records() else "
                     f"_modlean_record({name!r}, {note!r})\n")
    return lines


def install(has: Callable[[str], bool], note: Callable[[str], str]) -> bool:
    """Skip ``# needs:`` cells in the running IPython kernel when ``has(input)`` is false.

    Replaces the transformer a previous call installed (one market per kernel). IPython
    may transform a cell more than once, so the transformer keeps no state.
    Returns False outside IPython, where nothing is installed. A name ``has`` does
    not know raises its error when the cell runs, so a typo fails the run.
    """
    # deferred: IPython is there only in a kernel; plain Python has no cells to skip
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with the notebook extras
        return False
    shell = get_ipython()
    if shell is None:
        return False

    def transform(lines: list[str]) -> list[str]:
        names = needs_of(lines)
        if not names:
            return lines
        try:  # the first missing name is the reason: `# needs: qa, qa_weights` without QA
            missing = next((n for n in names if not has(n)), None)  # says "no QA table"
        except ValueError as exc:
            return [f"raise ValueError({('cell # needs: ' + str(exc))!r})\n"]
        if missing is None:
            return lines
        return skip_source([(missing, note(missing))])

    setattr(transform, _MARK, True)
    shell.input_transformers_post[:] = [
        t for t in shell.input_transformers_post if not getattr(t, _MARK, False)]
    shell.input_transformers_post.append(transform)
    return True
