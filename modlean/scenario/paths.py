"""Dotted paths through the scenario schema: the type at a path, its field names, did-you-mean.

Validation messages, overrides and proposal files all name a field by its dotted
path (``pools.l1_listing.shifts.0.start_hour``). This module walks such a path
through the schema's type annotations: a section's fields, a mapping's keys (any
name) and a list's positions.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Union

from pydantic import BaseModel

from modlean.scenario.schema import Scenario

__all__ = [
    "child_type",
    "field_names_at",
    "field_names_of",
    "is_dict_annotation",
    "is_leaf_mapping",
    "model_of",
    "type_at",
    "unwrap",
    "value_at",
]


def is_dict_annotation(annotation: Any) -> bool:
    """True for ``dict[...]`` and ``Mapping[...]`` annotations."""
    return typing.get_origin(annotation) in (dict, Mapping)


def unwrap(annotation: Any) -> Any:
    """The annotation without ``Annotated`` and without ``| None``."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return unwrap(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return unwrap(args[0]) if len(args) == 1 else annotation
    return annotation


def model_of(annotation: Any) -> type[BaseModel] | None:
    """The section (pydantic model) an annotation stands for, or None."""
    annotation = unwrap(annotation)
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) \
        else None


def child_type(annotation: Any, key: str) -> Any:
    """The type one step down a dotted path, or None when there is no such step."""
    model = model_of(annotation)
    if model is not None:
        info = model.model_fields.get(key)
        return info.annotation if info else None
    annotation = unwrap(annotation)
    origin = typing.get_origin(annotation)
    if origin in (dict, Mapping):
        return typing.get_args(annotation)[1]
    if origin is list:
        return typing.get_args(annotation)[0] if key.lstrip("-").isdigit() else None
    return None


def type_at(parts: Iterable[Any]) -> Any:
    """The type at the path ``parts`` from the top of a :class:`Scenario`, or None."""
    annotation: Any = Scenario
    for part in parts:
        annotation = child_type(annotation, str(part))
        if annotation is None:
            return None
    return annotation


def field_names_of(annotation: Any) -> list[str]:
    """The field names of a section annotation ([] for anything else)."""
    model = model_of(annotation)
    return list(model.model_fields) if model else []


def field_names_at(parts: Iterable[Any]) -> list[str]:
    """Field names of the section found at the path ``parts`` (for did-you-mean)."""
    annotation = type_at(parts)
    return field_names_of(annotation) if annotation is not None else []


def is_leaf_mapping(path: str) -> bool:
    """True when the field at the dotted ``path`` is a free-form mapping given as a whole."""
    annotation = type_at(path.split("."))
    if annotation is None:
        return False
    return model_of(annotation) is None and typing.get_origin(annotation) is not dict \
        and not is_dict_annotation(annotation)




def value_at(data: Any, path: str) -> Any:
    """The value at a dotted path of nested mappings and lists (None when absent).

    ``data`` is a scenario dumped to plain data (``scenario.model_dump(mode="json")``).
    """
    for part in path.split("."):
        if isinstance(data, Mapping) and part in data:
            data = data[part]
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data
