"""A guessed profile written as commented YAML for the user to edit.

:func:`profile_yaml` writes the profile's keys in order, each with the comment
the guess left for it (``CONFIRM``: a guess to check; ``TODO``: for the user to
fill; anything else: a fact), the keys the data could not fill as commented-out
lines, and a header saying where the guess came from and what to do next.
Queue and status entries and value maps are written in flow style (``{stage: ..., pool: ...}``)
so the file stays short.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Mapping, Sequence

import yaml

from modlean.eventlog.guess import GuessedProfile

__all__ = ["profile_yaml"]

_PLAIN = re.compile(r"[A-Za-z_][\w./+-]*(?: [\w./+-]+)*")
#: Column at which trailing comments start (when the line is shorter).
_COMMENT_AT = 32
#: Longest line: a longer comment goes on its own lines above the key.
_WIDTH = 100


def profile_yaml(profile: Mapping[str, object], *, comments: Mapping[str, str] | None = None,
                 pending: Mapping[str, Sequence[str]] | None = None,
                 header: Sequence[str] = ()) -> str:
    """The profile as YAML text with comments.

    A :class:`~modlean.eventlog.guess.GuessedProfile` brings its own comments,
    pending keys and findings (written in the header); for a plain dict they can
    be given. ``yaml.safe_load`` of the text gives the profile back.
    """
    if isinstance(profile, GuessedProfile):
        comments = profile.comments if comments is None else comments
        pending = profile.pending if pending is None else pending
        header = list(header) or _guess_header(profile)
    lines = [f"# {h}" if h else "#" for h in header]
    _block(profile, "", 0, lines, comments or {}, pending or {})
    return "\n".join(lines) + "\n"


def _guess_header(guess: GuessedProfile) -> list[str]:
    return [
        f"profile guessed by `modlean profile` from {guess.source} "
        f"({guess.rows:,} rows read)",
        "Check every line marked CONFIRM, fill every TODO (commented-out keys: remove the '#'),",
        "then: modlean import EXPORT --profile THIS.yaml --out events.parquet",
        "The keys are described in docs/intake.md.",
        "",
        "What the guess found:",
        *(f"  - {f}" for f in guess.findings),
        "",
    ]


def _block(mapping: Mapping[str, object], path: str, depth: int, lines: list[str],
           comments: Mapping[str, str], pending: Mapping[str, Sequence[str]]) -> None:
    pad = "  " * depth
    for key, value in mapping.items():
        here = f"{path}.{key}" if path else str(key)
        head = f"{pad}{_scalar(key)}:"
        if isinstance(value, Mapping) and not _flow(here, value):
            lines.extend(_with_comment(head, comments.get(here), pad))
            _block(value, here, depth + 1, lines, comments, pending)
        else:
            lines.extend(_with_comment(f"{head} {_inline(value)}", comments.get(here), pad))
    lines.extend(f"{pad}# {line.lstrip('# ')}" for line in pending.get(path, ()))
    if not path:
        missing = [p for p in pending if p and p not in mapping]
        for section in missing:
            lines.append(f"# {section}:")
            lines.extend(f"#   {line.lstrip('# ')}" for line in pending[section])


def _flow(path: str, value: Mapping[str, object]) -> bool:
    """Queue and status entries and value maps are written on one line."""
    return path.startswith(("queues.", "statuses.")) or path.endswith(".values")


def _with_comment(text: str, comment: str | None, pad: str) -> list[str]:
    """The line with its comment after it, or the comment wrapped above it when long."""
    if not comment:
        return [text]
    line = f"{text.ljust(_COMMENT_AT - 1)} # {comment}"
    if len(line) <= _WIDTH:
        return [line]
    wrapped = textwrap.wrap(comment, _WIDTH - len(pad) - 2)
    return [*(f"{pad}# {w}" for w in wrapped), text]


def _inline(value: object) -> str:
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_scalar(k)}: {_inline(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    return _scalar(value)


def _scalar(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    if _PLAIN.fullmatch(text):
        try:
            if yaml.safe_load(text) == text:
                return text
        except yaml.YAMLError:
            pass
    return json.dumps(text, ensure_ascii=False)
