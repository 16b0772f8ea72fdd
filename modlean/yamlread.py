"""YAML read strictly: the one loader for every YAML file a user types by hand.

PyYAML keeps the last of two equal keys in a mapping without a word
(``headcount: 5`` then ``headcount: 50`` gives 50). :func:`load_yaml` refuses
it: a :class:`DuplicateKeyError` (a ``yaml.YAMLError``, so every reader's
existing handler reports it with the file and line) names the key and both
lines. ``text_only=True`` keeps every scalar as text (no YAML type guessing),
for notebook parameters. Merge keys (``<<: *base``) may still be overridden.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from modlean._util import text_file_problem

__all__ = ["DuplicateKeyError", "load_yaml", "read_yaml_file", "yaml_problem"]

_MERGE_TAG = "tag:yaml.org,2002:merge"


class DuplicateKeyError(yaml.constructor.ConstructorError):
    """A key given twice in one mapping; ``problem_mark`` is the second one."""


class _NoDuplicateKeys:
    """Loader mix-in: a mapping's own keys must differ (merged ``<<`` keys may be overridden)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            first: dict[Any, yaml.Node] = {}
            for key_node, _ in node.value:
                if key_node.tag == _MERGE_TAG:
                    continue
                key = self.construct_object(key_node, deep=True)  # type: ignore[attr-defined]
                try:
                    seen = first.get(key)
                except TypeError:  # an unhashable key: the constructor reports it
                    continue
                if seen is not None:
                    line = seen.start_mark.line + 1
                    raise DuplicateKeyError(
                        f"while reading the mapping that starts on line "
                        f"{node.start_mark.line + 1}", node.start_mark,
                        f"duplicate key {key!r} (first on line {line}, again on line "
                        f"{key_node.start_mark.line + 1}); expected each key once, so it "
                        "is clear which value counts", key_node.start_mark)
                first[key] = key_node
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc]


class _StrictLoader(_NoDuplicateKeys, yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses duplicate keys."""


class _StrictTextLoader(_NoDuplicateKeys, yaml.BaseLoader):
    """``yaml.BaseLoader`` (every scalar is text) that refuses duplicate keys."""


def load_yaml(text: str, *, text_only: bool = False) -> Any:
    """Parse YAML text like ``yaml.safe_load``, refusing a key given twice in a mapping.

    Parameters
    ----------
    text:
        The YAML document.
    text_only:
        Keep every scalar as text (``yaml.BaseLoader``): ``NO`` stays ``"NO"``.

    Raises
    ------
    yaml.YAMLError
        Bad YAML; :class:`DuplicateKeyError` for a repeated key (both lines in
        its ``problem``).
    """
    loader = _StrictTextLoader if text_only else _StrictLoader
    return yaml.load(text, Loader=loader)  # the safe and base loaders only


def yaml_problem(exc: yaml.YAMLError) -> tuple[int | None, str]:
    """The 1-based line of a YAML error (None when unknown) and its problem in words."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    return (mark.line + 1 if mark is not None else None), problem


def read_yaml_file(path: Path, *, where: str, expected: str, error: type[Exception],
                   text_only: bool = False) -> Any:
    """The YAML document of the file at ``path``, or one ``error`` naming ``where``.

    ``where`` opens every message (``workbook data/workbook.yaml``, ``--matrix m.yaml``);
    ``expected`` says what the file should be. A file that cannot be read, that is not
    UTF-8 text, or that is not valid YAML (a key given twice included, with its line)
    each get one message.
    """
    try:
        return load_yaml(path.read_text(encoding="utf-8"), text_only=text_only)
    except OSError as exc:
        raise error(f"{where}: cannot read it ({exc.strerror or exc}); expected "
                    f"{expected}") from None
    except UnicodeDecodeError:
        raise error(f"{where}: {text_file_problem(path)}; expected {expected}") from None
    except yaml.YAMLError as exc:
        line, problem = yaml_problem(exc)
        raise error(f"{where}" + (f", line {line}" if line else "")
                    + f": not valid YAML ({problem})") from None
