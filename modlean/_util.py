"""Small helpers every layer shares: atomic writes, showing a value in a message, yes/no words.

Private to the package: the names are public so modules can import them, but
users never need them.
"""

from __future__ import annotations

import difflib
import json
import os
import tempfile
import unicodedata
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

__all__ = ["FALSE_WORDS", "TRUE_WORDS", "ascii_fold", "count_text", "describe", "kind_of",
           "parse_flag", "suggest", "text_file_problem", "to_json", "unknown_zone",
           "write_atomic"]

#: Words read as yes / no in flags of tables and notebook parameters (lower case).
TRUE_WORDS = frozenset({"true", "yes", "y", "on", "1"})
FALSE_WORDS = frozenset({"false", "no", "n", "off", "0"})


def parse_flag(text: str) -> bool | None:
    """``True`` / ``False`` for a yes/no word (any case, spaces ignored), ``None`` otherwise."""
    key = text.strip().lower()
    if key in TRUE_WORDS:
        return True
    if key in FALSE_WORDS:
        return False
    return None


#: Letters accent folding does not reach (Unicode gives them no decomposition).
_WHOLE_LETTERS = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss", "æ": "ae",
                                "Æ": "AE", "œ": "oe", "Œ": "OE", "đ": "d", "Đ": "D", "ı": "i",
                                "þ": "th", "Þ": "TH", "ð": "d", "Ð": "D"})


def count_text(n: int, noun: str) -> str:
    """``1 row``, ``3 rows``: a count and its noun, plural when the count is not one."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def ascii_fold(text: str) -> str:
    """``text`` with accents dropped and letters such as ł, ß, ø spelt in ASCII
    (``Zdjęcie`` -> ``Zdjecie``, ``Straße`` -> ``Strasse``); case is kept."""
    decomposed = unicodedata.normalize("NFKD", str(text).translate(_WHOLE_LETTERS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def suggest(word: str, options: list[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest option, or ``""``."""
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if not close:  # the same name in another case: 'de' for 'DE'
        close = [o for o in options if o.lower() == word.lower()][:1]
    if not close:  # a name with a suffix: 'qa_path' for 'qa'
        close = sorted((o for o in options if len(o) > 1 and word.lower().startswith(o.lower())),
                       key=len, reverse=True)[:1]
    return f"; did you mean {close[0]!r}?" if close else ""


def unknown_zone(name: object) -> str | None:
    """None when ``name`` is an IANA time zone; else what was expected, with a did-you-mean."""
    try:
        ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        close = difflib.get_close_matches(str(name), sorted(available_timezones()), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"an IANA time zone such as 'UTC', 'Europe/Berlin' or 'Asia/Jakarta'{hint}"
    return None


def describe(value: Any, limit: int = 80) -> str:
    """``repr(value)`` cut to ``limit`` characters, for error messages (None: an empty value)."""
    text = "an empty value" if value is None else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def kind_of(value: Any) -> str:
    """What kind of value a file held, in words for a message: ``a list``, ``text 'abc'``."""
    if value is None:
        return "nothing (an empty document)"
    if isinstance(value, bool):
        return f"the yes/no value {value!r}"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the text {describe(value, 40)}"
    if isinstance(value, list | tuple):
        return f"a list of {len(value)} entr{'y' if len(value) == 1 else 'ies'}"
    if isinstance(value, dict):
        return "a mapping"
    return "a value of another kind"


def text_file_problem(path: str | Path, sample: int = 65536) -> str | None:
    """Why a file cannot be read as UTF-8 text (empty, binary, undecodable), or None.

    Reads at most ``sample`` bytes; a missing file is None (the caller says so).
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(sample)
    except OSError:
        return None
    if not head.strip():
        return "the file is empty" + (" (0 bytes)" if not head else " (only blank space)")
    if b"\x00" in head:
        return ("the file is binary (it holds NUL bytes), not text: a spreadsheet saved in "
                "another format, or a compressed file?")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not merely a character cut by the sample's end
            return (f"the file is not UTF-8 text (byte 0x{head[exc.start]:02x} at position "
                    f"{exc.start}); save it as UTF-8 (Excel: 'CSV UTF-8')")
    return None


def to_json(data: Any) -> str:
    """JSON text for output files and the CLI (numpy and pandas scalars, dates included)."""
    return json.dumps(data, indent=2, default=_json_default, ensure_ascii=False)


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def write_atomic(path: str | Path, data: str | bytes) -> Path:
    """Write text or bytes through a temporary file in the same folder and a rename.

    Readers never see half a file, and the file gets the usual permissions
    (``0666`` less the umask), not the private ``0600`` of a temporary file.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _umask() -> int:
    """The process umask, read without changing it (``os.umask`` is not thread-safe)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022
