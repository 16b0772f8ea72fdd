"""QA errors as chart inputs: which checked decisions are wrong, what kind, how many per group.

:func:`is_error`, :func:`error_types`, :func:`error_counts` and
:func:`decision_periods` turn the QA table into the inputs of control charts
(errors and checks per day or reviewer, :mod:`modlean.quality.spc`) and Pareto
charts (what kind of error).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from modlean.errors import ParameterError
from modlean.quality.qa_table import QA_COLUMNS, check_log_columns, check_qa_columns, qa_outcomes

__all__ = ["decision_periods", "error_counts", "error_types", "is_error"]


def is_error(qa: pd.DataFrame, *, positive: Sequence[str] | str = ("reject",),
             label: bool = True) -> pd.Series:
    """True for each checked decision QA found wrong (aligned with ``qa``'s index).

    A decision is wrong when production and QA disagree on acting (reject vs
    approve) or, with ``label=True``, when both reject but for different reasons
    (the complement of ``accuracy_with_label`` in
    :func:`~modlean.quality.decision_quality.decision_quality`).
    """
    check_qa_columns(qa, QA_COLUMNS)
    made, truth, same_label = qa_outcomes(qa, positive)
    wrong = made != truth
    if label:
        wrong = wrong | (made & truth & ~same_label)
    return pd.Series(wrong, index=qa.index, name="error")


def error_types(qa: pd.DataFrame, *, positive: Sequence[str] | str = ("reject",),
                by: str = "detail") -> pd.Series:
    """What kind of error each wrong decision is, for a Pareto chart (wrong rows only).

    Kinds: ``missed`` (approved, QA would reject), ``wrong rejection`` (rejected,
    QA would approve) and ``wrong label`` (both reject, other reason). The label
    concerned is QA's for a miss and production's otherwise.

    Parameters
    ----------
    by:
        ``"detail"`` (``missed: counterfeit``), ``"kind"`` (``missed``) or
        ``"label"`` (``counterfeit``): coarser groupings show a pattern sooner in
        a small sample.
    """
    if by not in ("detail", "kind", "label"):
        raise ParameterError(f"error_types by {by!r}: expected 'detail', 'kind' or 'label'")
    check_qa_columns(qa, QA_COLUMNS)
    made, truth, same_label = qa_outcomes(qa, positive)
    label = qa["label"].fillna("(no label)").astype(str).to_numpy().astype(str)
    qa_label = qa["qa_label"].fillna("(no label)").astype(str).to_numpy().astype(str)
    conditions = [~made & truth, made & ~truth, made & truth & ~same_label]
    kinds = np.select(conditions, ["missed", "wrong rejection", "wrong label"], default="")
    concerned = np.where(~made & truth, qa_label, label)
    if by == "kind":
        values = kinds
    elif by == "label":
        values = np.where(kinds != "", concerned, "")
    else:
        values = np.where(kinds != "", np.char.add(np.char.add(kinds, ": "), concerned), "")
    out = pd.Series(values, index=qa.index, name="error_type")
    return out[out != ""]


def error_counts(qa: pd.DataFrame, by: str | pd.Series, *,
                 positive: Sequence[str] | str = ("reject",), label: bool = True
                 ) -> pd.DataFrame:
    """Errors and checked decisions per group: the input of a p or Laney p′ chart.

    Parameters
    ----------
    qa:
        QA table.
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
    wrong = is_error(qa, positive=positive, label=label)
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
                     activity: str = "decision_sent", freq: str = "D") -> pd.Series:
    """The period (start, UTC) in which each QA-checked decision was made, from the log.

    The first ``activity`` event of the case dates the decision; ``freq`` is a
    pandas frequency (``"D"`` day, ``"12h"``, ``"W"`` ...). Cases the log does not
    decide get NaT (and are left out by :func:`error_counts`).
    """
    check_log_columns(log, ("case_id", "activity", "timestamp"))
    decided = log[log["activity"] == activity].groupby("case_id")["timestamp"].min()
    if decided.empty:
        raise ParameterError(f"log: no {activity!r} events to date the QA-checked decisions")
    try:
        periods = decided.dt.floor(freq)
    except ValueError:
        try:  # non-fixed frequencies (W, MS ...) go through periods
            periods = decided.dt.tz_localize(None).dt.to_period(freq).dt.start_time.dt.tz_localize(
                "UTC")
        except ValueError:
            raise ParameterError(f"freq {freq!r}: expected a pandas frequency such as 'D', "
                                 "'12h' or 'W'") from None
    out = qa["case_id"].astype(str).map(periods)
    out.name = "period"
    return out
