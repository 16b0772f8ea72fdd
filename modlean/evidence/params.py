"""Typed, validated notebook parameters.

papermill guesses the type of every parameter it injects: ``-p market NO`` or a
YAML list ``[US, UK, NO]`` turns Norway into ``False``, ``0123`` into ``123``,
and a misspelt parameter name is only a warning. A notebook therefore keeps its
``parameters`` cell as plain assignments (what papermill and JupyterLab expect)
and checks them in the very next cell::

    # cell tagged "parameters"
    market = "US"
    log = "data/{market}/events.csv"
    top_variants = 10

    # next cell
    from modlean.evidence.params import FilePath, Integer, Market, validate
    params = validate(globals(), {
        "market": Market(), "log": FilePath(exists=True), "top_variants": Integer(minimum=1),
    })

The helpers have CapWords names (they read like types), so importing them can
never shadow a parameter, whose names are lower case.

:func:`validate` returns a :class:`Params` mapping (``params.market`` or
``params["market"]``) of converted values, or raises :class:`ParameterError`
naming the parameter, the value found and what was expected.

Conversion rules, in short:

* text values (the raw form, which ``modlean batch`` always passes) are
  converted to the declared type: ``"5"`` becomes ``5`` for :func:`Integer`;
* text parameters (:func:`Market`, :func:`Ident`, :func:`Text`) never accept a
  boolean or a number, because one of those means papermill or YAML already
  lost the text (``NO`` -> ``False``, ``0123`` -> ``123``): the message says how
  to pass the value as text;
* a name in the namespace that looks like an injected parameter (a plain
  literal) but is not in the schema is an error, with the closest known name.
"""

from __future__ import annotations

import ast
import difflib
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from modlean._util import describe, parse_flag
from modlean.errors import ParameterError
from modlean.evidence.readback import load_notebook
from modlean.workbook import MARKET_PATTERN, find_upwards

if TYPE_CHECKING:
    from nbformat import NotebookNode

__all__ = [
    "MARKET_PATTERN",
    "FilePath",
    "Flag",
    "Ident",
    "Integer",
    "Items",
    "Market",
    "Number",
    "Param",
    "Params",
    "Text",
    "notebook_parameters",
    "validate",
]

#: Names IPython (or Jupyter) puts in a notebook's namespace; never parameters.
_KERNEL_NAMES = frozenset({"In", "Out", "exit", "quit", "get_ipython", "open"})

_AS_TEXT_HINT = (
    "pass it as text: `papermill -r {name} VALUE` (raw), quote it in YAML ('VALUE'), "
    "or use `modlean batch`, which passes parameters as text"
)
def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        return "no value"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "a value of another kind"


@dataclass(frozen=True)
class Param:
    """How one parameter is checked and converted; build it with the helpers below.

    Parameters
    ----------
    kind:
        What the value is, in words, for messages (``"a market code"``).
    convert:
        ``convert(name, value, params)`` returns the converted value or raises
        :class:`ParameterError`; ``params`` holds the parameters validated so far.
    optional:
        When true, ``None`` and ``""`` are accepted and become ``None``.
    """

    kind: str
    convert: Callable[[str, Any, Mapping[str, Any]], Any] = field(repr=False)
    optional: bool = False

    def check(self, name: str, value: Any, params: Mapping[str, Any]) -> Any:
        """Convert ``value`` of parameter ``name`` or raise :class:`ParameterError`."""
        if self.optional and (value is None or (isinstance(value, str) and not value.strip())):
            return None
        if value is None:
            raise ParameterError(f"parameter {name!r}: found no value; expected {self.kind}")
        return self.convert(name, value, params)


def _fail(name: str, value: Any, expected: str, hint: str = "") -> ParameterError:
    found = f"{describe(value)} ({_kind_of(value)})"
    message = f"parameter {name!r}: found {found}; expected {expected}"
    return ParameterError(message + (f". {hint}" if hint else ""))


def _text_value(name: str, value: Any, expected: str) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool | int | float):
        lost = ("papermill and YAML read NO, no, off, yes, on, true as booleans"
                if isinstance(value, bool) else
                "papermill and YAML read digits as a number and drop leading zeros "
                "(0123 -> 123)")
        raise _fail(name, value, expected, f"{lost}; " + _AS_TEXT_HINT.format(name=name))
    raise _fail(name, value, expected)


def Text(*, choices: tuple[str, ...] | list[str] | None = None, optional: bool = False,
         pattern: str | None = None) -> Param:
    """A text parameter; ``choices`` limits it to a few values, ``pattern`` to a regex."""
    allowed = tuple(choices) if choices else None
    regex = re.compile(pattern) if pattern else None
    kind = "text" + (f" among {', '.join(allowed)}" if allowed else "")

    def convert(name: str, value: Any, _: Mapping[str, Any]) -> str:
        result = _text_value(name, value, kind)
        if allowed is not None and result not in allowed:
            close = difflib.get_close_matches(result, allowed, n=1)
            raise _fail(name, value, kind, f"did you mean {close[0]!r}?" if close else "")
        if regex is not None and not regex.fullmatch(result):
            raise _fail(name, value, f"text matching {regex.pattern}")
        return result

    return Param(kind, convert, optional)


def Market(*, optional: bool = False) -> Param:
    """A market code such as ``US`` or ``NO``: always text, letters/digits/``_``/``-``."""
    kind = "a market code (text such as 'US': letters, digits, '_' or '-', up to 32)"

    def convert(name: str, value: Any, _: Mapping[str, Any]) -> str:
        result = _text_value(name, value, kind)
        if not MARKET_PATTERN.fullmatch(result):
            raise _fail(name, value, kind)
        return result

    return Param(kind, convert, optional)


def Ident(*, optional: bool = False) -> Param:
    """An identifier (case id, vendor id, reviewer id): text, leading zeros kept."""
    kind = "an id (text, leading zeros kept)"

    def convert(name: str, value: Any, _: Mapping[str, Any]) -> str:
        result = _text_value(name, value, kind)
        if not result:
            raise _fail(name, value, kind)
        return result

    return Param(kind, convert, optional)


def _bounds(kind: str, minimum: float | None, maximum: float | None) -> str:
    if minimum is not None and maximum is not None:
        return f"{kind} from {minimum} to {maximum}"
    if minimum is not None:
        return f"{kind} of at least {minimum}"
    if maximum is not None:
        return f"{kind} of at most {maximum}"
    return kind


def _in_bounds(name: str, value: Any, result: float, kind: str,
               minimum: float | None, maximum: float | None) -> None:
    if (minimum is not None and result < minimum) or (maximum is not None and result > maximum):
        raise _fail(name, value, kind)


def Integer(*, minimum: int | None = None, maximum: int | None = None,
            optional: bool = False) -> Param:
    """A whole number, optionally bounded; text such as ``"12"`` is converted."""
    kind = _bounds("a whole number", minimum, maximum)

    def convert(name: str, value: Any, _: Mapping[str, Any]) -> int:
        if isinstance(value, bool):
            raise _fail(name, value, kind)
        if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
            result = int(value)
        elif isinstance(value, int):
            result = value
        elif isinstance(value, float) and value.is_integer():
            result = int(value)
        else:
            raise _fail(name, value, kind)
        _in_bounds(name, value, result, kind, minimum, maximum)
        return result

    return Param(kind, convert, optional)


def Number(*, minimum: float | None = None, maximum: float | None = None,
           optional: bool = False) -> Param:
    """A finite number (int or float), optionally bounded; text is converted."""
    kind = _bounds("a number", minimum, maximum)

    def convert(name: str, value: Any, _: Mapping[str, Any]) -> float:
        if isinstance(value, bool):
            raise _fail(name, value, kind)
        try:
            result = float(value) if isinstance(value, int | float | str) else math.nan
        except ValueError:
            result = math.nan
        if not math.isfinite(result):
            raise _fail(name, value, f"{kind}, finite (not inf or nan)")
        _in_bounds(name, value, result, kind, minimum, maximum)
        return result

    return Param(kind, convert, optional)


def Flag() -> Param:
    """A yes/no switch: a boolean, or text such as ``true``/``false``/``yes``/``no``."""
    kind = "true or false"

    def convert(name: str, value: Any, _: Mapping[str, Any]) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and parse_flag(value) is not None:
            return parse_flag(value)
        raise _fail(name, value, kind)

    return Param(kind, convert)


def FilePath(*, exists: bool = False, optional: bool = False) -> Param:
    """A file or folder path; ``{name}`` is filled from parameters validated before it.

    With ``exists=True`` the path must exist. A relative path is looked up from
    the working folder, then from each of its parent folders, so
    ``data/{market}/events.csv`` works both from the project folder and from
    ``notebooks/`` (where JupyterLab and the batch run notebooks).
    """
    kind = "an existing file or folder" if exists else "a path"

    def convert(name: str, value: Any, params: Mapping[str, Any]) -> Path:
        raw = _text_value(name, value, kind) if not isinstance(value, Path) else str(value)
        try:
            filled = raw.format_map(dict(params))
        except (KeyError, IndexError, ValueError) as exc:
            raise _fail(name, value, f"{kind}; placeholders must name parameters declared "
                        f"before it ({', '.join(params) or 'none'}), found {exc}") from None
        result = Path(filled).expanduser()
        if not exists:
            return result
        found = find_upwards(result)
        if found is None:
            raise ParameterError(f"parameter {name!r}: {filled!r} does not exist (looked in "
                                 f"{Path.cwd()} and its parent folders); expected {kind}")
        return found

    return Param(kind, convert, optional)


def Items(of: Param | None = None, *, optional: bool = False) -> Param:
    """A list; each element checked with ``of``. Text is split on commas: ``"US,UK"``."""
    inner = of or Text()
    kind = f"a list of {inner.kind} (or comma-separated text)"

    def convert(name: str, value: Any, params: Mapping[str, Any]) -> list[Any]:
        if isinstance(value, str):
            parts: list[Any] = [p for p in (s.strip() for s in value.split(",")) if p]
        elif isinstance(value, list | tuple):
            parts = list(value)
        else:
            raise _fail(name, value, kind)
        return [inner.check(f"{name}[{i}]", v, params) for i, v in enumerate(parts)]

    return Param(kind, convert, optional)


class Params(dict):  # type: ignore[type-arg]
    """Validated parameters: a dict that also reads as attributes (``params.market``)."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"no parameter {name!r}; parameters: {', '.join(self)}") from None

    def to_json(self) -> str:
        """The parameters as JSON text (paths as text)."""
        return json.dumps(self, default=str, ensure_ascii=False)


def _looks_injected(name: str, value: Any) -> bool:
    """True for names papermill could have injected: public, literal values."""
    if name.startswith("_") or name in _KERNEL_NAMES:
        return False
    return value is None or isinstance(value, str | int | float | bool | list | dict | tuple)


def _injected_names(namespace: Mapping[str, Any]) -> set[str] | None:
    """In a kernel: the names papermill's injected cell assigned (None outside a kernel).

    papermill's injected cell starts with ``# Parameters``; IPython keeps the
    source of every executed cell in ``In``, so the names come from that source
    and later variables of the notebook are never mistaken for parameters.
    """
    history = namespace.get("In")
    if not isinstance(history, list):
        return None
    for source in reversed(history):
        if isinstance(source, str) and source.lstrip().startswith("# Parameters"):
            try:
                tree = ast.parse(source)
            except SyntaxError:
                return set()
            return {t.id for node in tree.body if isinstance(node, ast.Assign)
                    for t in node.targets if isinstance(t, ast.Name)}
    return set()


def validate(namespace: Mapping[str, Any], schema: Mapping[str, Param], *,
             allow_extra: bool = False) -> Params:
    """Check and convert a notebook's parameters.

    Parameters
    ----------
    namespace:
        Where the parameters were assigned: ``globals()`` in a notebook (call it
        in the cell right after the ``parameters`` cell), or any dict.
    schema:
        Parameter name -> :class:`Param` (``Market()``, ``Integer(minimum=1)``...),
        in the order they are checked; a ``path`` can use ``{name}`` of earlier ones.
    allow_extra:
        Accept parameters that are not in ``schema`` (by default they are errors:
        a misspelt ``-p`` name). In a kernel, the names checked are those of
        papermill's injected cell; with a plain dict, every public name holding a
        literal (text, number, bool, None, list, dict).

    Returns
    -------
    Params
        The converted values, in schema order.

    Raises
    ------
    ParameterError
        For a missing, unknown or ill-typed parameter; the message names it, the
        value found and what was expected.
    """
    for name, spec in schema.items():
        if not isinstance(spec, Param):
            raise ParameterError(f"schema entry {name!r}: found {describe(spec)}; expected a "
                                 "helper such as Text(), Market(), Integer()")
    if not allow_extra:
        injected = _injected_names(namespace)
        extra = sorted(n for n, v in namespace.items() if n not in schema and (
            _looks_injected(n, v) if injected is None else n in injected))
        if extra:
            name = extra[0]
            close = difflib.get_close_matches(name, list(schema), n=1)
            raise ParameterError(
                f"unknown parameter {name!r} (value {describe(namespace[name])}); this notebook "
                f"takes {', '.join(schema)}" + (f"; did you mean {close[0]!r}?" if close else "")
            )
    result = Params()
    for name, spec in schema.items():
        if name not in namespace:
            raise ParameterError(f"parameter {name!r} is missing; the notebook's parameters "
                                 "cell must assign it")
        result[name] = spec.check(name, namespace[name], result)
    return result


def notebook_parameters(notebook: str | Path | NotebookNode) -> dict[str, Any]:
    """The parameters a notebook declares: name -> default, from its ``parameters`` cell.

    ``notebook`` is a path or an ``nbformat`` notebook. The notebook must have
    exactly one code cell tagged ``parameters``, made of plain assignments of
    literals (``name = value``, ``name: type = value``).

    Raises
    ------
    ParameterError
        When there is no parameters cell, more than one, or it holds other code.
    """
    where = str(notebook) if not hasattr(notebook, "cells") else "notebook"
    nb = load_notebook(notebook, error=ParameterError)
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ParameterError(f"{where}: found {len(cells)} cells tagged 'parameters'; "
                             "expected exactly one")
    source = cells[0].source
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ParameterError(f"{where}: parameters cell line {exc.lineno}: {exc.msg}") from None
    found: dict[str, Any] = {}
    for node in tree.body:
        target = (node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1
                  else node.target if isinstance(node, ast.AnnAssign) else None)
        if not isinstance(target, ast.Name) or node.value is None:
            raise ParameterError(f"{where}: parameters cell line {node.lineno}: found "
                                 f"{ast.get_source_segment(source, node)!r}; expected plain "
                                 "assignments such as market = 'US'")
        try:
            found[target.id] = ast.literal_eval(node.value)
        except ValueError:
            raise ParameterError(f"{where}: parameters cell line {node.lineno}: the value of "
                                 f"{target.id!r} is not a literal; expected text, a number, "
                                 "True/False, None or a list") from None
    return found
