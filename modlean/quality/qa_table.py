"""The QA table: its columns, reading it, and the per-row quantities every QA measure uses.

A **QA table** has one row per QA-checked decision: ``case_id``, the
production ``reviewer`` (and ``vendor``/``site`` if known), the production
``decision`` and rejection ``label``, and the QA verdict ``qa_decision`` and
``qa_label`` (QA is taken as the truth). An optional weight column (1/inclusion
probability, :func:`with_weights`) turns sample counts into population
estimates (Horvitz-Thompson), which matters when auto-decided items are sampled
at another rate.
"""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike
from typing import IO

import numpy as np
import pandas as pd

from modlean.errors import ParameterError

__all__ = [
    "NO_LABEL",
    "QA_COLUMNS",
    "check_log_columns",
    "check_qa_columns",
    "qa_outcomes",
    "qa_weights",
    "read_qa",
    "with_weights",
]

#: Columns a QA table must have.
QA_COLUMNS = ("case_id", "reviewer", "decision", "label", "qa_decision", "qa_label")
#: The label shown for an approval (no rejection reason).
NO_LABEL = "(approve)"


def read_qa(path: str | PathLike[str] | IO[str]) -> pd.DataFrame:
    """Read a QA table (CSV) and check its columns.

    Raises
    ------
    ParameterError
        Naming the file and the missing column(s).
    """
    try:
        qa = pd.read_csv(path, dtype={"case_id": str, "reviewer": str})
    except (OSError, ValueError) as exc:
        raise ParameterError(f"{path}: cannot read the QA table ({exc})") from None
    check_qa_columns(qa, QA_COLUMNS[:5], str(path))
    return qa


def check_qa_columns(qa: pd.DataFrame, columns: Sequence[str], where: str = "QA table"
                     ) -> None:
    """Raise if the QA table lacks any of ``columns`` (naming them and the ones found)."""
    missing = [c for c in columns if c not in qa.columns]
    if missing:
        raise ParameterError(f"{where}: missing column(s) {missing}; found {list(qa.columns)}; "
                             f"expected at least {list(columns)}")


def qa_weights(qa: pd.DataFrame, weight: str | None) -> np.ndarray:
    """The sampling weight of each row (all 1 without a ``weight`` column), checked > 0."""
    if weight is None:
        return np.ones(len(qa))
    if weight not in qa.columns:
        raise ParameterError(f"QA table: weight column {weight!r} not found")
    w = pd.to_numeric(qa[weight], errors="coerce").to_numpy(dtype="float64")
    bad = np.flatnonzero(np.isnan(w) | (w <= 0))
    if bad.size:
        raise ParameterError(f"QA table row {int(bad[0]) + 1}, column {weight!r}: found "
                             f"{qa[weight].iloc[int(bad[0])]!r}; expected a positive weight")
    return w


def qa_outcomes(qa: pd.DataFrame, positive: Sequence[str] | str
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(production acted, QA says act, same label) as boolean arrays."""
    pos = {positive} if isinstance(positive, str) else set(positive)
    made = qa["decision"].isin(pos).to_numpy()
    truth = qa["qa_decision"].isin(pos).to_numpy()
    same_label = (qa["label"].astype(str) == qa["qa_label"].astype(str)).to_numpy()
    return made, truth, same_label


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
