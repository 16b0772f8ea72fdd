"""Helpers shared by the sub-commands: output folders and JSON printing."""

from __future__ import annotations

import json
from typing import Any

from modlean.errors import ParameterError
from modlean.files import write_atomic as write_text_atomic

__all__ = ["parse_pairs", "to_json", "write_text_atomic"]


def parse_pairs(items: list[str] | None, option: str) -> dict[str, str]:
    """Turn ``["a=b", "c=d"]`` from a repeated CLI option into a dict."""
    pairs: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ParameterError(f"{option} {item!r}: expected NAME=VALUE")
        pairs[key.strip()] = value.strip()
    return pairs


def to_json(data: Any) -> str:
    """JSON text for command output (numpy and pandas scalars included)."""
    return json.dumps(data, indent=2, default=_default, ensure_ascii=False)


def _default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
