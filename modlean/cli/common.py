"""Helpers shared by the sub-commands: output folders and JSON printing."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from modlean.errors import ParameterError


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


def write_text_atomic(path: Path, text: str) -> None:
    """Write a text file through a temporary file and a rename: never half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
