"""Validation errors in modlean's words: the one translation of pydantic's errors.

Scenarios, source profiles and workbooks are pydantic models. Their errors
reach a user through :func:`error_lines`, one line per bad field: the dotted
field path, the value found and what was expected, never pydantic's own wording
("Input should be a valid dictionary or instance of Pool"), a Python type name
or ``None``. An unknown key gets a did-you-mean and the keys allowed there; a
bound gets its reason when the field states one (``json_schema_extra={"why":
...}``). Each caller wraps the lines in its own error class.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Union

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from modlean._util import describe, suggest

__all__ = ["error_lines", "field_at", "keys_at"]

#: What a field expected, by pydantic error type (``ctx`` values fill the braces).
_EXPECTED = {
    "greater_than_equal": "a number >= {ge}",
    "greater_than": "a number > {gt}",
    "less_than_equal": "a number <= {le}",
    "less_than": "a number < {lt}",
    "finite_number": "a finite number (not .inf or .nan)",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "int_type": "a whole number",
    "int_parsing_size": "a whole number of a sensible size",
    "float_parsing": "a number",
    "float_type": "a number",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "date_from_datetime_parsing": "a date such as 2026-03-02",
    "date_from_datetime_inexact": "a date such as 2026-03-02 (no time of day)",
    "date_parsing": "a date such as 2026-03-02",
    "date_type": "a date such as 2026-03-02",
    "missing": "a value (the field is required)",
    "dict_type": "a mapping (key: value lines)",
    "model_type": "a section of 'key: value' lines",
    "model_attributes_type": "a section of 'key: value' lines",
    "list_type": "a list",
    "string_type": "text",
    "too_short": "at least {min_length} entries",
    "too_long": "at most {max_length} entries",
    "none_required": "nothing",
}


def _unwrap(annotation: Any) -> Any:
    """The annotation without ``Annotated`` and ``| None``."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _unwrap(args[0]) if len(args) == 1 else annotation
    return annotation


def _model(annotation: Any) -> type[BaseModel] | None:
    annotation = _unwrap(annotation)
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) \
        else None


def _fields(model: type[BaseModel]) -> dict[str, FieldInfo]:
    """A model's fields by the name a file uses (the alias when there is one)."""
    return {(info.alias or name): info for name, info in model.model_fields.items()}


def _walk(model: type[BaseModel], loc: tuple[Any, ...]) -> tuple[Any, FieldInfo | None]:
    """The annotation at ``loc`` below ``model`` and the last field passed on the way."""
    annotation: Any = model
    info: FieldInfo | None = None
    for part in loc:
        section = _model(annotation)
        if section is not None:
            info = _fields(section).get(str(part))
            if info is None:
                return None, None
            annotation = info.annotation
            continue
        annotation = _unwrap(annotation)
        args = typing.get_args(annotation)
        if typing.get_origin(annotation) in (dict, Mapping) and len(args) == 2:
            annotation = args[1]
        elif typing.get_origin(annotation) is list and args:
            annotation = args[0]
        else:
            return None, None
    return annotation, info


def keys_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys allowed in the section at ``loc`` (through sections, mappings and lists)."""
    section = _model(_walk(model, loc)[0])
    return list(_fields(section)) if section is not None else []


def field_at(model: type[BaseModel], loc: tuple[Any, ...]) -> FieldInfo | None:
    """The field a value at ``loc`` belongs to (a list entry belongs to its list's field)."""
    return _walk(model, loc)[1]


def _number(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return f"{int(value):,}" if abs(value) >= 1000 else int(value)
    return value


def _found(value: Any) -> str:
    if value is None:
        return "found an empty value"
    if isinstance(value, Mapping):
        return "found a section (key: value lines)"
    return f"found {describe(value, 60)}"


def _expected(err: Mapping[str, Any], why: str) -> str:
    kind = err["type"]
    if kind in {"value_error", "assertion_error"}:
        text = str(err["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        return text if "expected" in text else f"expected {text[:1].lower()}{text[1:]}"
    if kind == "literal_error":
        return f"expected one of {err.get('ctx', {}).get('expected', '')}"
    template = _EXPECTED.get(kind)
    if template is None:  # a kind this table misses: pydantic's words, made ours
        msg = str(err["msg"])
        template = msg.removeprefix("Input should be ").removeprefix("Value should be ")
        template = template.replace("{", "{{").replace("}", "}}")
    ctx = {k: _number(v) for k, v in err.get("ctx", {}).items()}
    text = "expected " + template.format(**ctx)
    if why and kind in {"less_than_equal", "less_than", "greater_than", "greater_than_equal"}:
        text += f" ({why})"
    return text


def error_lines(exc: ValidationError, model: type[BaseModel],
                allowed_keys: Callable[[tuple[Any, ...]], list[str]] | None = None
                ) -> list[str]:
    """pydantic's errors as lines ``path: found X; expected Y``, one per bad field.

    Parameters
    ----------
    exc:
        The error from ``model.model_validate``.
    model:
        The root model (the path's sections, and each field's stated reason).
    allowed_keys:
        The keys allowed at a path (default :func:`keys_at` of ``model``), shown
        for an unknown key with a did-you-mean.
    """
    lines = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and ":" in p))
        path = ".".join(str(p) for p in loc) or "(top level)"
        kind = err["type"]
        if kind == "extra_forbidden":
            key = str(loc[-1])
            options = (allowed_keys or (lambda at: keys_at(model, at)))(loc[:-1])
            lines.append(f"{path}: unknown key {key!r}{suggest(key, options)} "
                         f"(expected one of: {', '.join(options)})")
            continue
        info = field_at(model, loc)
        extra = info.json_schema_extra if info and isinstance(info.json_schema_extra, dict) \
            else {}
        expected = _expected(err, str(extra.get("why", "")))
        if kind == "missing":
            found = "missing"
        elif kind == "value_error" and isinstance(err.get("input"), Mapping):
            lines.append(f"{path}: {expected}")  # a whole section: its path says enough
            continue
        else:
            found = _found(err.get("input"))
        lines.append(f"{path}: {found}; {expected}")
    return lines
