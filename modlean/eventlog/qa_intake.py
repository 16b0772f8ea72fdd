"""A QA team's own file of checks joined to the imported log: the QA table and its report.

:func:`import_qa` reads a QA file as its :class:`~modlean.eventlog.qa_profile.QAFileProfile`
says (locale, key column, verdict and its value map, reason, reviewer, time),
and takes from the log what the file lacks: for each check, the checked work's
last decision event at or before the QA time (:func:`last_decisions`) gives the
case, the production reviewer, pool, decision and label. The result is the QA
table docs/quality.md describes (pass/fail or QA's own verdict) and a
:class:`~modlean.eventlog.report.MappingReport`: rows read, checks joined, keys
the log does not hold and checks with no decision before them (each listed with
counts), verdicts, time span. Nothing is dropped silently; when most keys are not
in the log the import stops, since the key or the log is then the wrong one.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from modlean.errors import LogError
from modlean.eventlog.categorical import default_text
from modlean.eventlog.intake import check_named_columns, encoding_hint
from modlean.eventlog.qa_profile import QAFileProfile, load_qa_profile
from modlean.eventlog.readers import RawLog, TextLocale, read_raw
from modlean.eventlog.report import MappingReport
from modlean.eventlog.tasks import QA_EVENT
from modlean.eventlog.timestamps import UTC_DTYPE
from modlean.eventlog.values import DEFAULT_TZ, LogWarning, first_rows, parse_times, strings
from modlean.eventlog.vocabulary import map_values, value_counts_text

__all__ = ["JOINED_COLUMNS", "MISSING_KEY_LIMIT", "QAIntake", "import_qa", "last_decisions"]

#: When more than this share of the checks name work the log does not hold, the import stops.
MISSING_KEY_LIMIT = 0.5
#: What each check takes from the log's decision event (``reviewer`` is its resource).
JOINED_COLUMNS = ("case_id", "reviewer", "pool", "decision", "label")
#: The log's column a QA key is matched against, by the profile's ``key.means``.
_KEY_COLUMN = {"task": "task_id", "case": "case_id"}


@dataclass
class QAIntake:
    """The result of a QA file's import: the QA table and the mapping report."""

    qa: pd.DataFrame
    report: MappingReport


def import_qa(source: str | Path | pd.DataFrame,
              profile: str | Path | Mapping[str, Any] | QAFileProfile,
              log: pd.DataFrame, *, sheet: str | int | None = None) -> QAIntake:
    """Read a QA team's file of checks and join each check to the log's decision it checked.

    Parameters
    ----------
    source:
        The QA file (CSV in any encoding and separator the profile states, Excel,
        Parquet) or a DataFrame.
    profile:
        A QA file profile (YAML file, mapping or loaded; docs/intake.md).
    log:
        The canonical log of the same operation (``modlean import``'s ``--out``), with
        ``decision`` on its decision events and ``task_id`` when the key is a ticket key.
    sheet:
        The worksheet of an Excel file (default: the profile's ``sheet:``).

    Returns
    -------
    QAIntake
        ``qa``: one row per check joined to a decision (``case_id``, ``task_id`` when
        the key is a ticket key, ``reviewer``, ``pool``, ``decision``, ``label``,
        ``qa_reviewer``, ``qa_time`` and ``qa_result``/``qa_reason`` or
        ``qa_decision``/``qa_label``); ``report``: the mapping report.

    Raises
    ------
    LogError
        A bad profile; a file in another encoding (naming ``locale.encoding``); a
        column the profile names that the file lacks; a verdict the value map does
        not name (listed with counts); a log without the columns the join needs;
        most keys not in the log.
    """
    prof = load_qa_profile(profile)
    raw = _read(source, prof, prof.sheet if sheet is None else sheet)
    frame, n = raw.frame, len(raw.frame)
    report = MappingReport(raw.name)
    report.add("rows", "read", n)
    verdict = map_values(frame[prof.verdict], prof.values, source=raw.name,
                         column=prof.verdict, key_path="values", code="unknown_verdict")
    checked = verdict.notna().to_numpy()
    if not checked.all():
        blank = np.flatnonzero(~checked)
        report.add("rows", "dropped: no verdict", len(blank))
        report.warn("qa_empty_verdict", f"{_rows(len(blank))} no verdict in "
                    f"{prof.verdict!r} (rows {first_rows(raw, blank)}); left out",
                    len(blank) / n)
    report.add("rows", "checks", int(checked.sum()), "rows with a verdict")
    keys = strings(frame[prof.key.column]).astype(object).where(lambda k: k.notna(), "")
    times = _times(raw, prof)
    decided, in_log = last_decisions(log, keys, times, means=prof.key.means)
    joined = checked & decided["decision"].notna().to_numpy()
    _report_keys(report, raw, prof, keys, checked, in_log, joined, log)
    rows = np.flatnonzero(joined)
    qa = _table(prof, frame, keys, times, verdict, decided, rows)
    _report_values(report, raw, prof, qa)
    return QAIntake(qa=qa, report=report)


def _rows(n: int) -> str:
    """``1 row has`` or ``3 rows have``."""
    return f"{n:,} row has" if n == 1 else f"{n:,} rows have"


def _checks(n: int) -> str:
    """``1 QA check names`` or ``3 QA checks name``."""
    return f"{n:,} QA check names" if n == 1 else f"{n:,} QA checks name"


def _read(source: str | Path | pd.DataFrame, prof: QAFileProfile,
          sheet: str | int | None) -> RawLog:
    named = prof.columns()
    loc = prof.locale
    with encoding_hint(prof.source):
        raw = read_raw(source, sheet=sheet, query=None, encoding=loc.encoding, sep=loc.sep,
                       key_columns=lambda header: [c for c in named.values() if c in header],
                       locale=TextLocale(loc.decimal, loc.thousands))
    check_named_columns(named, raw, prof.source, what="QA profile", file="QA file")
    if raw.frame.empty:
        raise LogError("the QA file has no rows", source=raw.name,
                       expected="one row per QA check after the header")
    return raw


def _times(raw: RawLog, prof: QAFileProfile) -> pd.Series:
    """The QA times in UTC (all missing without ``time:``); their notes go to ``raw.notes``."""
    if prof.time is None:
        return pd.Series(pd.NaT, index=raw.frame.index, dtype=UTC_DTYPE)
    tz = prof.locale.timezone or DEFAULT_TZ
    with warnings.catch_warnings():  # the report says it (default_timezone)
        warnings.simplefilter("ignore", LogWarning)
        return parse_times(raw.frame[prof.time], raw, prof.time, tz=tz,
                           tz_stated=prof.locale.timezone is not None,
                           dayfirst=prof.locale.dayfirst, allow_empty=True, notes=raw.notes)


def last_decisions(log: pd.DataFrame, keys: pd.Series, times: pd.Series, *,
                   means: str = "task") -> tuple[pd.DataFrame, np.ndarray]:
    """Per QA check, the checked work's last decision event at or before the QA time.

    ``keys`` name the checked work (the log's ``task_id`` with ``means="task"``, its
    ``case_id`` with ``"case"``); ``times`` are the QA times in UTC (a missing time
    takes the work's last decision event). A decision event is one with a
    ``decision`` value that is not a QA check (``qa_review``) and, when the log has a
    ``resource`` column, names who decided (a task's queued event carries its
    decision but no one). Among events at the same time the later in the log wins.

    Returns
    -------
    The :data:`JOINED_COLUMNS` aligned with ``keys`` (all missing where no
    decision qualifies) and whether each key is in the log at all.
    """
    column = _KEY_COLUMN[means]
    for needed, why in ((column, f"key.means: {means} matches the QA keys against it"),
                        ("decision", "the decision QA checked is read from it"),
                        ("timestamp", "the decision before the QA time is found by it")):
        if needed not in log.columns:
            other = "case" if means == "task" else "task"
            hint = (f"Set key.means: {other} in the QA profile if the QA file names "
                    f"{'cases' if other == 'case' else 'tickets'}, or import the export so "
                    "the log keeps its ticket keys (a task export, or case.links)"
                    if needed == "task_id" else
                    "Import the export with a profile whose decision: maps the verdicts"
                    if needed == "decision" else None)
            raise LogError(f"the log has no {needed!r} column ({why})", source="log",
                           expected=f"a canonical log with {needed}", hint=hint)
    ids = log[column].astype(str)
    decision = strings(log["decision"])
    decided = decision.notna().to_numpy() & (log["activity"].astype(str) != QA_EVENT).to_numpy()
    if "resource" in log.columns:
        decided &= log["resource"].notna().to_numpy()
    made = pd.DataFrame({"key": ids[decided].to_numpy(dtype=object),
                         "decided_at": log["timestamp"][decided].astype(UTC_DTYPE)
                         .reset_index(drop=True),
                         "case_id": log["case_id"][decided].astype(str).to_numpy(dtype=object),
                         **{c: _text(log, c, decided) for c in JOINED_COLUMNS[1:]}})
    made = made.sort_values("decided_at", kind="stable", ignore_index=True)
    checks = pd.DataFrame({"key": keys.to_numpy(dtype=object),
                           "time": times.astype(UTC_DTYPE).reset_index(drop=True),
                           "row": np.arange(len(keys))})
    timed = checks["time"].notna().to_numpy()
    before = pd.merge_asof(checks[timed].sort_values("time", kind="stable"), made,
                           left_on="time", right_on="decided_at", by="key",
                           direction="backward", allow_exact_matches=True)
    latest = checks[~timed].merge(made.drop_duplicates("key", keep="last"), on="key",
                                  how="left")
    both = pd.concat([before, latest], ignore_index=True).set_index("row")
    out = both.reindex(np.arange(len(keys)))[list(JOINED_COLUMNS)].reset_index(drop=True)
    return out, keys.isin(pd.unique(ids.to_numpy())).to_numpy()


def _text(log: pd.DataFrame, column: str, rows: np.ndarray) -> np.ndarray:
    """A text column of the log at ``rows`` (missing where the log has no such column)."""
    source = "resource" if column == "reviewer" else column
    if source not in log.columns:
        return np.full(int(rows.sum()), None, dtype=object)
    return strings(log[source][rows]).astype(object).to_numpy()


def _report_keys(report: MappingReport, raw: RawLog, prof: QAFileProfile, keys: pd.Series,
                 checked: np.ndarray, in_log: np.ndarray, joined: np.ndarray,
                 log: pd.DataFrame) -> None:
    """The keys section: matched, not in the log, no decision before QA; the checks joined."""
    column = _KEY_COLUMN[prof.key.means]
    total = int(checked.sum())
    missing = checked & ~in_log
    undecided = checked & in_log & ~joined
    shown = keys.replace("", "(empty)")
    report.add("keys", "matched on", f"the log's {column}", f"key.means: {prof.key.means}")
    report.add("keys", "in the log", int((checked & in_log).sum()))
    report.add("keys", "not in the log", int(missing.sum()),
               value_counts_text(shown[missing]) if missing.any() else "")
    report.add("keys", "no decision at or before the QA time", int(undecided.sum()),
               value_counts_text(shown[undecided]) if undecided.any() else "")
    report.add("checks", "joined", int(joined.sum()), "each check takes the last decision "
               f"event of its {prof.key.means} at or before the QA time")
    if total and missing.sum() > MISSING_KEY_LIMIT * total:
        raise LogError(
            f"{missing.sum() / total:.0%} of the QA checks ({int(missing.sum()):,} of "
            f"{total:,}) name a {prof.key.means} the log does not hold", source=raw.name,
            column=prof.key.column, found=value_counts_text(shown[missing], limit=5),
            expected=f"keys of the log's {column} such as "
            + ", ".join(map(repr, pd.unique(log[column].astype(str))[:3])),
            hint=_key_hint(prof, keys[missing], log))
    if missing.any():
        report.warn("qa_key_not_found", f"{_checks(int(missing.sum()))} a "
                    f"{prof.key.means} the log does not hold ("
                    f"{value_counts_text(shown[missing], limit=5)}); left out",
                    float(missing.sum()) / total)
    if undecided.any():
        report.warn("qa_no_decision", f"{_checks(int(undecided.sum()))} a "
                    f"{prof.key.means} with no decision logged at or before the QA time ("
                    f"{value_counts_text(shown[undecided], limit=5)}); left out",
                    float(undecided.sum()) / total)


def _key_hint(prof: QAFileProfile, missing: pd.Series, log: pd.DataFrame) -> str:
    """Why most keys are missing: the other key of the log matches, or the key column or log."""
    other = "case" if prof.key.means == "task" else "task"
    if _KEY_COLUMN[other] in log.columns and \
            missing.isin(pd.unique(log[_KEY_COLUMN[other]].astype(str))).mean() > 0.5:
        return f"They are {other} keys: set key.means: {other} in {prof.source}"
    return (f"Check key.column in {prof.source} and that the log is the one imported from the "
            "same operation's export")


def _table(prof: QAFileProfile, frame: pd.DataFrame, keys: pd.Series, times: pd.Series,
           verdict: pd.Series, decided: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    """The QA table of the joined checks, in the columns an import's QA table has."""
    def at(values: pd.Series | np.ndarray | None) -> pd.Series:
        if values is None:
            return pd.Series(np.nan, index=range(len(rows)), dtype="object").astype("string")
        return default_text(pd.Series(np.asarray(values, dtype=object)[rows]).astype("string"))

    def column(name: str | None) -> pd.Series:
        return at(None if name is None else strings(frame[name]).to_numpy(dtype=object))

    outcome = verdict.to_numpy(dtype=object)
    table = {"case_id": at(decided["case_id"].to_numpy())}
    if prof.key.means == "task":
        table["task_id"] = at(keys.to_numpy())
    table |= {c: at(decided[c].to_numpy()) for c in JOINED_COLUMNS[1:]}
    table |= {"qa_reviewer": column(prof.reviewer),
              "qa_time": times.iloc[rows].reset_index(drop=True).astype(UTC_DTYPE)}
    if prof.pass_fail:
        table |= {"qa_result": at(outcome).str.lower(), "qa_reason": column(prof.reason)}
    else:
        table |= {"qa_decision": at(outcome), "qa_label": column(prof.label)}
        if prof.reason is not None:
            table["qa_reason"] = column(prof.reason)
    return pd.DataFrame(table)


def _report_values(report: MappingReport, raw: RawLog, prof: QAFileProfile,
                   qa: pd.DataFrame) -> None:
    """Verdicts counted, unused columns, the QA time span, notes."""
    outcome = "qa_result" if prof.pass_fail else "qa_decision"
    for value, count in qa[outcome].value_counts().items():
        report.add("verdicts", str(value), int(count))
    used = set(prof.columns().values())
    unused = [c for c in raw.header if c not in used]
    report.add("columns", "unused", ", ".join(unused) or "none",
               "name them in the QA profile to use them" if unused else "")
    times = qa["qa_time"].dropna()
    if len(times):
        zones = ["UTC"] + ([prof.locale.timezone]
                           if prof.locale.timezone not in (None, "UTC") else [])
        for zone in zones:
            report.add("time span", zone, f"{times.min().tz_convert(zone):%Y-%m-%d %H:%M} to "
                       f"{times.max().tz_convert(zone):%Y-%m-%d %H:%M}")
    for note in raw.notes:
        report.add("notes", "note", note)
    if prof.locale.timezone is None and any("were read as" in n for n in raw.notes):
        report.warn("default_timezone", "QA times without an offset were read as UTC; set "
                    "locale.timezone in the QA profile if they are local times")
