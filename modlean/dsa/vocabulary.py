"""The DSA Transparency Database's vocabulary, read from ``modlean/dsa/vocabulary.yaml``.

The file (package data) holds every enum a statement of reasons may use, the
column order of the database's daily CSV dumps, the EEA country codes and the
correspondence of the old taxonomy (API v1, statements before 1 July 2025) to
the new one (API v2), each with its source in the Commission's repository
``digital-services-act/transparency-database`` (data and documentation (c)
European Union, CC BY 4.0). This module only reads and answers questions about
it: is a value allowed, what was meant, what is an old value's new name.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from modlean._util import suggest
from modlean.yamlread import load_yaml

__all__ = ["API_FIELDS", "DUMP_ONLY", "LIST_FIELDS", "Vocabulary", "expected_values",
           "unknown_value", "vocabulary"]

VOCABULARY_FILE = "vocabulary.yaml"
#: Dump columns the database fills itself (``platform_uid`` is the submission's ``puid``).
DUMP_ONLY = ("uuid", "platform_name", "platform_uid", "created_at")


@dataclass(frozen=True)
class Vocabulary:
    """The database's lists: dump columns, enums (allowed values, multi or not), scopes, v1."""

    source: str
    columns: tuple[str, ...]
    values: dict[str, tuple[str, ...]]
    multi: frozenset[str]
    scopes: dict[str, tuple[str, ...]]
    v1: dict[str, frozenset[str]]
    v1_to_v2: dict[str, dict[str, str | None]]

    def allowed(self, field: str) -> tuple[str, ...]:
        """The allowed values of an enum field (empty for a free-text field)."""
        return self.values.get(field, ())

    def to_v2(self, field: str, value: str) -> tuple[bool, str | None]:
        """``(is_v1, new value)`` for a v1 category or keyword; new is None without a successor.

        A value that is no v1 value (or that v2 kept under the same name) is ``(False, None)``.
        """
        if field == "category_addition":
            field = "category"
        if value in self.values.get(field, ()) or value not in self.v1.get(field, ()):
            return False, None
        return True, self.v1_to_v2.get(field, {}).get(value, value)


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The shipped vocabulary, read once per process."""
    text = resources.files("modlean.dsa").joinpath(VOCABULARY_FILE).read_text(encoding="utf-8")
    data = load_yaml(text)
    enums = data["enums"]
    return Vocabulary(
        source=data["source"],
        columns=tuple(data["columns"]),
        values={name: tuple(e["values"]) for name, e in enums.items()},
        multi=frozenset(name for name, e in enums.items() if e["multi"]),
        scopes={name: tuple(codes) for name, codes in data["scopes"].items()},
        v1={name: frozenset(vals) for name, vals in data["v1"].items()},
        v1_to_v2={name: dict(pairs) for name, pairs in data["v1_to_v2"].items()},
    )


#: The submission API's fields, in the dump's column order (``puid`` for ``platform_uid``).
API_FIELDS: tuple[str, ...] = tuple(
    "puid" if c == "platform_uid" else c for c in vocabulary().columns
    if c not in DUMP_ONLY or c == "platform_uid")
#: The fields whose value is a list (a JSON array in the API and the dump).
LIST_FIELDS: frozenset[str] = vocabulary().multi


def expected_values(field: str, value: str = "") -> str:
    """What ``field`` accepts, in words, with a did-you-mean for ``value`` and a v1 hint."""
    vocab = vocabulary()
    allowed = list(vocab.allowed(field))
    is_v1, new = vocab.to_v2(field, value) if value else (False, None)
    if is_v1:
        return (f"a value of the database's current list; {value!r} is from the taxonomy used "
                "before 1 July 2025, " + (f"now {new!r}" if new else "with no successor in the "
                                          "current list: choose a current value"))
    shown = ", ".join(allowed)
    if len(shown) > 200:
        shown = ", ".join(allowed[:4]) + f", ... ({len(allowed)} values, see docs/dsa.md)"
    hint = suggest(value, allowed) if value else ""
    ends = [a for a in allowed if value and a.upper().endswith("_" + value.upper())]
    if not hint and len(ends) == 1:  # 'PARTIALLY' for 'AUTOMATED_DECISION_PARTIALLY'
        hint = f"; did you mean {ends[0]!r}?"
    return f"one of {shown}{hint}"


def unknown_value(field: str, value: str) -> str | None:
    """None when ``value`` is allowed in enum ``field``; else what was expected (did-you-mean)."""
    if value in vocabulary().allowed(field):
        return None
    return expected_values(field, value)
