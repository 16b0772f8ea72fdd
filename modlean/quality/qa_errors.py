"""QA errors as chart inputs: which checked decisions are wrong, what kind, how many per group.

:func:`is_error`, :func:`error_types`, :func:`error_counts` and
:func:`decision_periods` turn the QA table into the inputs of control charts
(errors and checks per day or reviewer, :mod:`modlean.quality.spc`) and Pareto
charts (what kind of error). Both QA table shapes are accepted; with pass/fail
QA the Pareto counts QA's fail reasons. Periods are counted in the market's
time zone (``tz=``, :mod:`modlean.quality.periods`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from modlean.errors import ParameterError
from modlean.quality.periods import local_periods
from modlean.quality.qa_table import check_log_columns, qa_outcomes

__all__ = ["NO_REASON", "decision_periods", "error_counts", "error_types", "is_error"]

#: The fail reason shown when a pass/fail QA table gives none.
NO_REASON = "(no reason given)"


def is_error(qa: pd.DataFrame, *, positive: Sequence[str] | str = ("reject",),
             negative: Sequence[str] | str = ("approve",), label: bool = True) -> pd.Series:
    """True for each checked decision QA found wrong (aligned with ``qa``'s index).

    A decision is wrong when production and QA disagree on acting (reject vs
    approve) or, with ``label=True``, when both reject but for different reasons
    (the complement of ``accuracy_with_label`` in
    :func:`~modlean.quality.decision_quality.decision_quality`). With a pass/fail
    QA table a decision is wrong when QA failed it (``label`` has no effect: QA
    gave no reason code of its own).
    """
    out = qa_outcomes(qa, positive, negative)
    wrong = ~out.correct
    if label and out.same_label is not None:
        wrong = wrong | (out.made & out.truth & ~out.same_label)
    return pd.Series(wrong, index=qa.index, name="error")


def error_types(qa: pd.DataFrame, *, positive: Sequence[str] | str = ("reject",),
                negative: Sequence[str] | str = ("approve",), by: str = "detail") -> pd.Series:
    """What kind of error each wrong decision is, for a Pareto chart (wrong rows only).

    Kinds: ``missed`` (approved, QA would reject), ``wrong rejection`` (rejected,
    QA would approve) and ``wrong label`` (both reject, other reason). The label
    concerned is QA's for a miss and production's otherwise. With a pass/fail QA
    table the kind follows from the failed decision (a failed approve was missed,
    a failed reject a wrong rejection) and the label concerned is QA's fail reason
    (``qa_reason``; ``(no reason given)`` when empty or absent).

    Parameters
    ----------
    by:
        ``"detail"`` (``missed: counterfeit``), ``"kind"`` (``missed``) or
        ``"label"`` (``counterfeit``; the fail reason with pass/fail QA): coarser
        groupings show a pattern sooner in a small sample.
    """
    if by not in ("detail", "kind", "label"):
        raise ParameterError(f"error_types by {by!r}: expected 'detail', 'kind' or 'label'")
    out = qa_outcomes(qa, positive, negative)
    made, truth = out.made, out.truth
    if out.shape == "pass_fail":
        reason = qa["qa_reason"] if "qa_reason" in qa.columns else pd.Series(None, index=qa.index)
        text = reason.astype("string").str.strip()
        concerned = text.mask(text == "").fillna(NO_REASON).to_numpy().astype(str)
    else:
        label, qa_label = (_text(qa, col) for col in ("label", "qa_label"))
        concerned = np.where(~made & truth, qa_label, label)
    conditions = [~made & truth, made & ~truth]
    if out.same_label is not None:
        conditions.append(made & truth & ~out.same_label)
    kinds = np.select(conditions, ["missed", "wrong rejection", "wrong label"][:len(conditions)],
                      default="")
    if by == "kind":
        values = kinds
    elif by == "label":
        values = np.where(kinds != "", concerned, "")
    else:
        values = np.where(kinds != "", np.char.add(np.char.add(kinds, ": "), concerned), "")
    series = pd.Series(values, index=qa.index, name="error_type")
    return series[series != ""]


def _text(qa: pd.DataFrame, column: str) -> np.ndarray:
    """A label column as text, ``(no label)`` where empty or where the table has no such column."""
    if column not in qa.columns:
        return np.full(len(qa), "(no label)")
    return qa[column].fillna("(no label)").astype(str).to_numpy().astype(str)


def error_counts(qa: pd.DataFrame, by: str | pd.Series, *,
                 positive: Sequence[str] | str = ("reject",),
                 negative: Sequence[str] | str = ("approve",), label: bool = True
                 ) -> pd.DataFrame:
    """Errors and checked decisions per group: the input of a p or Laney p′ chart.

    Parameters
    ----------
    qa:
        QA table of either shape.
    by:
        A column of ``qa`` (``"reviewer"``, ``"vendor"``) or a Series aligned with
        it (e.g. :func:`decision_periods`). Rows whose group is missing are left out.
    label:
        Count a right rejection with the wrong reason as an error (see :func:`is_error`).

    Returns
    -------
    pandas.DataFrame
        Indexed by group (sorted): ``errors``, ``checked``, ``rate``.
    """
    if isinstance(by, str):
        if by not in qa.columns:
            raise ParameterError(f"error_counts by {by!r}: no such column in the QA table; "
                                 f"found {list(qa.columns)}")
        groups = qa[by]
    else:
        groups = pd.Series(by).reindex(qa.index)
    wrong = is_error(qa, positive=positive, negative=negative, label=label)
    frame = pd.DataFrame({"group": groups.to_numpy(), "error": wrong.to_numpy()}).dropna(
        subset=["group"])
    if frame.empty:
        raise ParameterError("error_counts: no QA row has a group to count it in")
    out = frame.groupby("group", sort=True).agg(errors=("error", "sum"),
                                                checked=("error", "size"))
    out["errors"] = out["errors"].astype(int)
    out["rate"] = out["errors"] / out["checked"]
    out.index.name = groups.name if isinstance(groups.name, str) else "group"
    return out


def decision_periods(qa: pd.DataFrame, log: pd.DataFrame, *,
                     activity: str = "decision_sent", freq: str = "D",
                     tz: str = "UTC") -> pd.Series:
    """The period in which each QA-checked decision was made, from the log.

    When both tables have ``task_id`` (a task-table import), the close of the
    checked task (its last event) dates the decision; otherwise the first
    ``activity`` event of the case does, or, in a log without such events (an
    imported status history), the case's first event carrying a decision. ``freq`` is
    a pandas frequency (``"D"`` day, ``"12h"``, ``"W"`` ...) counted on the wall clock
    of ``tz``, the market's IANA zone (default UTC); each period is given by its start,
    aware in ``tz``.
    Checks the log does not date get NaT (and are left out by :func:`error_counts`).
    """
    check_log_columns(log, ("case_id", "activity", "timestamp"))
    if "task_id" in qa.columns and "task_id" in log.columns:
        key, what = qa["task_id"].astype(str), "tasks"
        decided = log.dropna(subset=["task_id"]).groupby(
            log["task_id"].dropna().astype(str))["timestamp"].max()
    else:
        key, what = qa["case_id"].astype(str), f"{activity!r} events"
        decided = log[log["activity"] == activity].groupby("case_id")["timestamp"].min()
        if decided.empty and "decision" in log.columns:  # an import: its decided events
            what = f"{activity!r} events or decisions"
            decided = log[log["decision"].notna()].groupby("case_id")["timestamp"].min()
    if decided.empty:
        raise ParameterError(f"log: no {what} to date the QA-checked decisions")
    periods = local_periods(decided, freq, tz)
    out = key.map(periods)
    out.name = "period"
    return out
