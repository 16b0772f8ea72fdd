"""The QA table: its two shapes, reading it, and the per-row outcomes every QA measure uses.

A **QA table** has one row per QA-checked decision: ``case_id``, the
production ``reviewer`` (and ``vendor``/``site``/``pool`` if known), the
production ``decision`` and rejection ``label``, and QA's finding in one of two
shapes, told apart by the columns:

- **verdict** (``qa_decision``, ``qa_label``): QA's own decision and reason
  code; QA is taken as the truth;
- **pass/fail** (``qa_result`` pass or fail, optional ``qa_reason``): FAIL means
  the production decision was wrong. For approve/reject decisions the right
  decision follows (a failed reject should have been an approve), but QA's
  reason code does not: figures that need it are left out, with a note (as
  they are for a verdict table without ``label`` or ``qa_label``).

Decision and verdict values are read case-insensitively (``REJECT``, ``Reject``)
and checked against the declared set; any other value is an error listing the
values found. An optional weight column (1/inclusion probability,
:func:`with_weights`) turns sample counts into population estimates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import IO, Literal

import numpy as np
import pandas as pd

from modlean._util import text_file_problem
from modlean.errors import ParameterError
from modlean.eventlog import is_pandas_index

__all__ = [
    "FAIL_SHARE_NOTE",
    "NO_LABEL",
    "NO_LABEL_NOTE",
    "PASS_FAIL_COLUMNS",
    "QA_COLUMNS",
    "QA_GROUPS",
    "QA_RESULTS",
    "VERDICT_REQUIRED",
    "QAOutcomes",
    "QAShape",
    "check_log_columns",
    "check_qa_columns",
    "declared",
    "qa_outcomes",
    "qa_overview",
    "qa_shape",
    "qa_weights",
    "read_qa",
    "verdict_values",
    "with_weights",
]

#: Columns a QA table of the verdict shape must have.
QA_COLUMNS = ("case_id", "reviewer", "decision", "label", "qa_decision", "qa_label")
#: Columns a QA table of the verdict shape cannot do without (the labels give label figures).
VERDICT_REQUIRED = ("case_id", "reviewer", "decision", "qa_decision")
#: Columns a QA table of the pass/fail shape must have (``qa_reason``, ``label`` optional).
PASS_FAIL_COLUMNS = ("case_id", "reviewer", "decision", "qa_result")
#: The values of ``qa_result`` (read case-insensitively).
QA_RESULTS = ("pass", "fail")
#: The label shown for an approval (no rejection reason).
NO_LABEL = "(approve)"

QAShape = Literal["verdict", "pass_fail"]


def read_qa(path: str | PathLike[str] | IO[str] | pd.DataFrame, *,
            positive: Sequence[str] | str = ("reject",),
            negative: Sequence[str] | str = ("approve",),
            other: Sequence[str] | str = ("escalate",),
            labels: Sequence[str] | None = None) -> pd.DataFrame:
    """Read a QA table (CSV, semicolon CSV or Parquet) and check its shape and values.

    Either shape is accepted (see the module docstring). Decision and verdict
    values come back lower-case and stripped; an unnamed leading index column as
    ``DataFrame.to_csv`` writes it (empty header, values 0..n-1) is dropped.
    Checked decisions that are neither action nor none (``other``: an escalation
    hands the item on) are left out of the table, and ``qa.attrs["notes"]`` says
    how many: every QA figure is about approve/reject decisions. With ``labels``
    (the declared rejection reason codes), ``label`` and ``qa_label`` are checked
    against them the same way (blank cells allowed: an approval has no label).

    Raises
    ------
    ParameterError
        Naming the file and the missing column(s), or the values found outside
        the declared set (``positive`` + ``negative``; ``pass``/``fail``; ``labels``)
        with their counts and row numbers; a file that is empty, binary or not UTF-8.
    """
    where = ("QA table" if isinstance(path, pd.DataFrame) else str(path)
             if isinstance(path, (str, PathLike)) else str(getattr(path, "name", "QA table")))
    qa = path.copy() if isinstance(path, pd.DataFrame) else _read_file(path, where)
    shape = qa_shape(qa, where)
    check_qa_columns(qa, VERDICT_REQUIRED if shape == "verdict" else PASS_FAIL_COLUMNS, where)
    if "case_id" in qa:
        qa["case_id"] = qa["case_id"].astype(str)
    decisions = declared(positive) + declared(negative)
    notes: list[str] = list(qa.attrs.get("notes", []))
    rows = np.arange(1, len(qa) + 1)
    verdict_values(qa["decision"], decisions + declared(other), "decision", where, rows)
    if labels is not None:
        for column in ("label", "qa_label"):
            if column in qa.columns:
                qa[column] = verdict_values(qa[column], declared(labels), column, where, rows,
                                            blank=True)
    handed_on = qa["decision"].astype("string").str.strip().str.lower().isin(declared(other))
    if handed_on.any():
        counts = qa.loc[handed_on, "decision"].astype("string").str.lower().value_counts()
        listed = ", ".join(f"{n:,} {v}" for v, n in counts.items())
        notes.append(f"left out: {listed} checked by QA (not an approve/reject decision)")
        qa = qa.loc[~handed_on.to_numpy()].reset_index(drop=True)
        rows = rows[~handed_on.to_numpy()]
    qa.attrs["notes"] = notes
    qa["decision"] = verdict_values(qa["decision"], decisions, "decision", where, rows)
    if shape == "verdict":
        qa["qa_decision"] = verdict_values(qa["qa_decision"], decisions, "qa_decision", where,
                                           rows)
    else:
        qa["qa_result"] = verdict_values(qa["qa_result"], QA_RESULTS, "qa_result", where, rows)
    return qa


def _read_file(path: str | PathLike[str] | IO[str], where: str) -> pd.DataFrame:
    """The table in ``path``: Parquet by suffix, else CSV with the separator sniffed."""
    text_cols = {"case_id": str, "task_id": str, "reviewer": str, "qa_reviewer": str,
                 "decision": str, "qa_decision": str, "qa_result": str, "label": str,
                 "qa_label": str}
    parquet = isinstance(path, (str, PathLike)) and Path(path).suffix.lower() == ".parquet"
    if isinstance(path, (str, PathLike)) and not parquet:
        problem = text_file_problem(path)
        if problem:
            raise ParameterError(f"{where}: {problem}; expected a QA table as CSV text with a "
                                 f"header row ({', '.join(VERDICT_REQUIRED)}, ...)")
    try:
        if parquet:
            qa = pd.read_parquet(path)
        else:
            qa = pd.read_csv(path, sep=None, engine="python", dtype=text_cols)
    except pd.errors.EmptyDataError:
        raise ParameterError(f"{where}: the file holds no table; expected a QA table with a "
                             f"header row ({', '.join(VERDICT_REQUIRED)}, ...)") from None
    except (OSError, ValueError, ImportError, UnicodeDecodeError) as exc:
        what = "Parquet file" if parquet else "CSV table"
        raise ParameterError(f"{where}: not a readable {what} ({str(exc).strip()}); expected "
                             "a QA table (CSV or Parquet)") from None
    first = qa.columns[0] if len(qa.columns) else None
    if isinstance(first, str) and (first == "" or first.startswith("Unnamed: 0")) \
            and is_pandas_index(qa[first]):
        qa = qa.drop(columns=first)
    return qa


def qa_shape(qa: pd.DataFrame, where: str = "QA table") -> QAShape:
    """``"verdict"`` when the table has ``qa_decision``, ``"pass_fail"`` when it has ``qa_result``.

    A table with both is read as the verdict shape (it says more).
    """
    if "qa_decision" in qa.columns:
        return "verdict"
    if "qa_result" in qa.columns:
        return "pass_fail"
    raise ParameterError(f"{where}: missing column(s) ['qa_decision']; found {list(qa.columns)}; "
                         f"expected QA's verdict {list(QA_COLUMNS)} or QA's pass/fail "
                         f"{list(PASS_FAIL_COLUMNS)} (+ 'qa_reason')")


def check_qa_columns(qa: pd.DataFrame, columns: Sequence[str], where: str = "QA table"
                     ) -> None:
    """Raise if the QA table lacks any of ``columns`` (naming them and the ones found)."""
    missing = [c for c in columns if c not in qa.columns]
    if missing:
        raise ParameterError(f"{where}: missing column(s) {missing}; found {list(qa.columns)}; "
                             f"expected at least {list(columns)}")


def declared(values: Sequence[str] | str) -> tuple[str, ...]:
    """A declared value set, lower-case and stripped (one string is a set of one)."""
    items = (values,) if isinstance(values, str) else tuple(values)
    return tuple(str(v).strip().lower() for v in items)


def verdict_values(values: pd.Series, expected: Sequence[str], column: str,
                   where: str = "QA table", rows: np.ndarray | None = None, *,
                   blank: bool = False) -> pd.Series:
    """``values`` lower-case and stripped, checked to lie in ``expected`` (any case).

    ``rows`` are the 1-based row numbers of ``values`` in the file (default
    1..n); with ``blank`` an empty cell is allowed (and stays empty).

    Raises
    ------
    ParameterError
        Listing every value found outside ``expected`` with its count and row
        numbers (empty cells as ``(empty)``) and the expected set.
    """
    text = values.astype("string").str.strip().str.lower()
    empty = text.isna() | (text == "")
    bad = (~text.isin(list(expected)) & ~empty) | (empty if not blank else False)
    if bad.any():
        rows = np.arange(1, len(values) + 1) if rows is None else np.asarray(rows)
        shown = values.astype("string").str.strip().fillna("").replace("", "(empty)")
        found = pd.DataFrame({"value": shown[bad].to_numpy(),
                              "row": rows[bad.to_numpy()]}).groupby("value", sort=False)["row"]
        listed = "; ".join(f"{v!r} ×{len(r)} (row{'s' if len(r) > 1 else ''} "
                           f"{_row_list(r.to_numpy())})" for v, r in found)
        raise ParameterError(f"{where}, column {column!r}: {int(bad.sum())} row(s) hold values "
                             f"outside the declared set; found {listed}; expected one of "
                             f"{list(expected)} (any case)"
                             + ("" if blank else "; a value is required on every row"))
    return text.where(~empty, None).astype(object) if blank else text.astype(object)


def _row_list(rows: np.ndarray, limit: int = 10) -> str:
    """``3, 7, 12`` or ``3, 7, ... and 40 more``."""
    shown = ", ".join(str(int(r)) for r in rows[:limit])
    return shown + (f" ... and {len(rows) - limit} more" if len(rows) > limit else "")


#: Why label figures are left out of a pass/fail QA table.
NO_LABEL_NOTE = ("left out: QA gave pass/fail, not its own reason code, so whether a rejection "
                 "had the right reason is not known")
#: What error_rate means for a pass/fail QA table.
FAIL_SHARE_NOTE = "share of decisions QA failed (decisions only: QA gave no reason code)"


@dataclass(frozen=True)
class QAOutcomes:
    """Each checked decision's outcome as boolean arrays aligned with the QA table.

    ``truth`` is QA's decision (derived for the pass/fail shape: a failed
    decision should have been the other one); ``same_label`` is None when the
    labels cannot be compared (pass/fail, or a verdict table without ``label`` /
    ``qa_label``), and ``label_note`` / ``error_note`` then say why.
    """

    shape: QAShape
    made: np.ndarray
    truth: np.ndarray
    same_label: np.ndarray | None
    label_note: str = ""
    error_note: str = ""

    @property
    def correct(self) -> np.ndarray:
        """The decision was right (QA agreed, or passed it)."""
        return self.made == self.truth


def qa_outcomes(qa: pd.DataFrame, positive: Sequence[str] | str,
                negative: Sequence[str] | str = ("approve",), *,
                where: str = "QA table") -> QAOutcomes:
    """Production acted, QA says act, and (when both labels are there) same label, checked.

    ``positive`` are the decision values that mean action (reject / remove),
    ``negative`` those that mean none (approve); values are matched
    case-insensitively and anything else is an error.
    """
    shape = qa_shape(qa, where)
    verdict = "qa_decision" if shape == "verdict" else "qa_result"
    check_qa_columns(qa, ("decision", verdict), where)
    pos, neg = declared(positive), declared(negative)
    made = verdict_values(qa["decision"], pos + neg, "decision", where).isin(pos).to_numpy()
    if shape == "pass_fail":
        failed = verdict_values(qa["qa_result"], QA_RESULTS, "qa_result", where) == "fail"
        return QAOutcomes(shape, made, made ^ failed.to_numpy(), None, NO_LABEL_NOTE,
                          FAIL_SHARE_NOTE)
    truth = verdict_values(qa["qa_decision"], pos + neg, "qa_decision", where).isin(pos)
    missing = [c for c in ("label", "qa_label") if c not in qa.columns]
    if missing:
        return QAOutcomes(shape, made, truth.to_numpy(), None,
                          f"left out: the QA table has no {missing} column, so whether a "
                          "rejection had the right reason is not known",
                          f"wrong decisions only: the QA table has no {missing} column")
    same_label = (_label_key(qa["label"]) == _label_key(qa["qa_label"])).to_numpy()
    return QAOutcomes(shape, made, truth.to_numpy(), same_label)


def _label_key(labels: pd.Series) -> pd.Series:
    """Labels compared as QA and production mean them: any case, spaces stripped."""
    return labels.astype("string").str.strip().str.lower().fillna("")


def qa_weights(qa: pd.DataFrame, weight: str | None) -> np.ndarray:
    """The sampling weight of each row (all 1 without a ``weight`` column), checked > 0."""
    if weight is None:
        return np.ones(len(qa))
    if weight not in qa.columns:
        raise ParameterError(f"QA table: weight column {weight!r} not found")
    w = pd.to_numeric(qa[weight], errors="coerce").to_numpy(dtype="float64")
    bad = np.flatnonzero(~np.isfinite(w) | (w <= 0))
    if bad.size:
        found = qa[weight].iloc[int(bad[0])]
        found = found.item() if hasattr(found, "item") else found
        raise ParameterError(f"QA table row {int(bad[0]) + 1}, column {weight!r}: found "
                             f"{found!r}; expected a positive finite weight")
    return w


def check_log_columns(log: pd.DataFrame, columns: Sequence[str]) -> None:
    """Raise if the event log lacks one of ``columns`` (naming the first missing one)."""
    for col in columns:
        if col not in log.columns:
            raise ParameterError(f"log: missing column {col!r}; expected a canonical log")


def with_weights(qa: pd.DataFrame, *, inclusion: str = "inclusion_probability",
                 name: str = "weight") -> pd.DataFrame:
    """The QA table with a sampling-weight column ``name`` = 1 / inclusion probability.

    Pass ``weight=name`` to :func:`~modlean.quality.decision_quality.decision_quality`
    for population (Horvitz-Thompson / Hájek) estimates when strata were sampled at
    different rates.
    """
    if inclusion not in qa.columns:
        raise ParameterError(f"QA table: inclusion-probability column {inclusion!r} not "
                             f"found; found {list(qa.columns)}")
    pi = pd.to_numeric(qa[inclusion], errors="coerce")
    bad = np.flatnonzero(~((pi > 0) & (pi <= 1)).to_numpy())
    if bad.size:
        raise ParameterError(f"QA table row {int(bad[0]) + 1}, column {inclusion!r}: found "
                             f"{qa[inclusion].iloc[int(bad[0])]!r}; expected a probability "
                             "in (0, 1]")
    return qa.assign(**{name: 1.0 / pi})


#: Columns a QA table may be counted by in :func:`qa_overview`, when it has them.
QA_GROUPS = ("stratum", "pool", "vendor", "site")


def qa_overview(qa: pd.DataFrame) -> pd.DataFrame:
    """What a QA table holds, as a tidy table (``section``, ``item``, ``value``, ``note``).

    Its shape, the decisions checked, the rows :func:`read_qa` left out, and the
    counts by each of :data:`QA_GROUPS` the table has, so a notebook shows one
    table whatever columns the market's QA carries.
    """
    shape = qa_shape(qa)
    rows = [("table", "shape", "QA verdicts" if shape == "verdict" else "pass / fail",
             "" if shape == "verdict" else FAIL_SHARE_NOTE),
            ("table", "checked", len(qa), "")]
    rows += [("table", "note", "", note) for note in qa.attrs.get("notes", [])]
    for column in QA_GROUPS:
        if column in qa.columns:
            counts = qa[column].astype("string").fillna("(none)").value_counts()
            rows += [(f"by {column}", str(k), int(n), "") for k, n in counts.items()]
    return pd.DataFrame(rows, columns=["section", "item", "value", "note"])
