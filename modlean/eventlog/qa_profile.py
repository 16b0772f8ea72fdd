"""The QA file profile: how a QA team's own file of checks is read (a small YAML file).

A BPO's QA team often sends its checks as a file of their own, not as columns of
the export: one row per check, naming the checked ticket (or case), QA's verdict,
a remark, who checked and when. :func:`load_qa_profile` reads the profile that
says which column is which into a validated :class:`QAFileProfile`: the same keys
as a source profile's ``qa:`` section (``verdict``, ``values``, ``reason``,
``label``, ``time``, ``reviewer``), plus ``key`` (the column naming the checked
ticket, and whether it is the log's ticket key or its case key), ``locale`` (the
source profile's section) and ``sheet``. Every problem is one
:class:`~modlean.errors.LogError` naming the profile and the key path, with a
did-you-mean for unknown keys. The keys are documented in docs/intake.md and the
shipped example ``templates/profiles/qa_example.yaml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from modlean._util import kind_of
from modlean.errors import LogError
from modlean.eventlog.profile import (
    Locale,
    QASpec,
    invalid_profile,
    locale_problems,
    qa_value_problems,
    read_profile_file,
)
from modlean.messages import error_lines

__all__ = ["QA_EXAMPLE", "QAFileProfile", "QAKey", "load_qa_profile"]

#: The shipped, commented example of a QA file profile.
QA_EXAMPLE = "templates/profiles/qa_example.yaml"


class QAKey(BaseModel):
    """The column naming the checked work, and which key of the log it holds."""

    model_config = ConfigDict(extra="forbid")

    column: str = Field(description="the column holding the checked ticket's (or case's) key")
    means: Literal["task", "case"] = Field(
        "task", description="task: the log's task_id (the ticket key of a task export); "
        "case: the log's case_id")


class QAFileProfile(QASpec):
    """A validated QA file profile: the ``qa:`` keys of a source profile, with the file's
    ``key``, ``locale`` and ``sheet``."""

    key: QAKey
    locale: Locale = Field(default_factory=Locale)
    sheet: str | int | None = Field(None, description="the worksheet of an Excel file "
                                    "(its name, or its number from 0; default the first)")
    _source: str = PrivateAttr("QA profile")

    @field_validator("key", mode="before")
    @classmethod
    def _column_only(cls, value: Any) -> Any:
        return {"column": value} if isinstance(value, str) else value

    @property
    def source(self) -> str:
        """Where the profile came from (its file, or ``QA profile`` for a mapping)."""
        return self._source

    def columns(self) -> dict[str, str]:
        """Every column the profile names: ``{key path: column}`` (``key.column``: ``Ticket``)."""
        named = {"key.column": self.key.column, "verdict": self.verdict}
        for key in ("reason", "label", "time", "reviewer"):
            if getattr(self, key):
                named[key] = getattr(self, key)
        return named


def load_qa_profile(source: str | Path | Mapping[str, Any] | QAFileProfile) -> QAFileProfile:
    """Read and validate a QA file profile from a YAML file or a mapping.

    Raises
    ------
    LogError
        When the file cannot be read or is not valid YAML, or a key is unknown
        (with a did-you-mean), missing or has a bad value (a value map mixing
        pass/fail with decisions included); the message names the profile and the
        key path.
    """
    if isinstance(source, QAFileProfile):
        return source
    if isinstance(source, Mapping):
        data, name = source, "QA profile"
    else:
        data, name = read_profile_file(source, QA_EXAMPLE), str(source)
    if not isinstance(data, Mapping):
        raise LogError(f"the QA profile is not a mapping of keys; found {kind_of(data)}",
                       source=name, expected="'key:', 'verdict:', 'values:' and the other keys")
    try:
        profile = QAFileProfile.model_validate(dict(data))
    except ValidationError as exc:
        raise invalid_profile(error_lines(exc, QAFileProfile), name, "QA profile") from None
    problems = qa_value_problems(profile, "values") + locale_problems(profile.locale)
    if problems:
        raise invalid_profile(problems, name, "QA profile")
    profile._source = name
    return profile
