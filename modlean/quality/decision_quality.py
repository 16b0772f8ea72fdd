"""Decision and label quality of production decisions, judged by QA.

- :func:`decision_quality` — confusion counts, accuracy, false-rejection rate
  FP/(FP+TN), miss rate FN/(FN+TP), precision, recall, F1, label accuracy
  (right reason code among right rejections), each with a Wilson CI (weighted
  rows use Kish's effective n);
- :func:`severity_weighted_score` — the severity-weighted QA score (DOMAIN §8.12);
- :func:`label_confusion` / :func:`label_metrics` — confusion matrix of
  production vs QA label, and precision / recall / F1 per rejection label.

The QA table itself is described in :mod:`modlean.quality.qa_table`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from modlean.errors import ParameterError
from modlean.quality.qa_table import (
    NO_LABEL,
    QA_COLUMNS,
    check_qa_columns,
    qa_outcomes,
    qa_weights,
)
from modlean.quality.sampling import proportion_ci

__all__ = [
    "decision_quality",
    "label_confusion",
    "label_metrics",
    "severity_weighted_score",
]


def _rate(num_mask: np.ndarray, den_mask: np.ndarray, w: np.ndarray,
          confidence: float) -> dict[str, float]:
    """Weighted proportion with a Wilson interval on Kish's effective n."""
    wd = w[den_mask]
    if wd.size == 0:
        return {"value": float("nan"), "low": float("nan"), "high": float("nan"), "n": 0}
    p = float(w[num_mask & den_mask].sum() / wd.sum())
    n_eff = float(wd.sum() ** 2 / (wd**2).sum())
    lo, hi = proportion_ci(p * n_eff, n_eff, confidence=confidence)
    return {"value": p, "low": float(lo), "high": float(hi), "n": int(wd.size)}


def decision_quality(
    qa: pd.DataFrame,
    *,
    positive: Sequence[str] | str = ("reject",),
    weight: str | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Decision and label quality of production decisions, judged by QA.

    Parameters
    ----------
    qa:
        QA table (see the module docstring).
    positive:
        Decision values that mean "action taken" (reject / remove).
    weight:
        Column of sampling weights (1/π); None treats every row alike.

    Returns
    -------
    pandas.DataFrame
        One row per metric (``accuracy``, ``accuracy_with_label``, ``error_rate``
        (1 − accuracy_with_label: wrong decision or wrong reason), ``false_rejection_rate``,
        ``miss_rate``, ``precision``, ``recall``, ``f1``, ``label_accuracy`` and
        ``label_error_rate`` (its complement),
        and the counts ``tp``, ``fp``, ``fn``, ``tn``) with ``value``, ``low``,
        ``high`` and ``n`` (rows behind it).
    """
    check_qa_columns(qa, QA_COLUMNS)
    w = qa_weights(qa, weight)
    made, truth, same_label = qa_outcomes(qa, positive)
    tp, fp, fn, tn = made & truth, made & ~truth, ~made & truth, ~made & ~truth
    every = np.ones(len(qa), dtype=bool)
    correct = (made == truth) & (~tp | same_label)
    rows = {
        "accuracy": _rate((made == truth), every, w, confidence),
        "accuracy_with_label": _rate(correct, every, w, confidence),
        "error_rate": _rate(~correct, every, w, confidence),
        "false_rejection_rate": _rate(fp, ~truth, w, confidence),
        "miss_rate": _rate(fn, truth, w, confidence),
        "precision": _rate(tp, made, w, confidence),
        "recall": _rate(tp, truth, w, confidence),
        "label_accuracy": _rate(same_label, tp, w, confidence),
        "label_error_rate": _rate(~same_label, tp, w, confidence),
    }
    p, r = rows["precision"]["value"], rows["recall"]["value"]
    f1 = 2 * p * r / (p + r) if (p + r) > 0 else float("nan")
    rows["f1"] = {"value": f1, "low": float("nan"), "high": float("nan"), "n": int(tp.sum())}
    for name, mask in (("tp", tp), ("fp", fp), ("fn", fn), ("tn", tn)):
        rows[name] = {"value": float(w[mask].sum()), "low": float("nan"),
                      "high": float("nan"), "n": int(mask.sum())}
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "metric"
    return out


def severity_weighted_score(
    qa: pd.DataFrame,
    *,
    severity: str = "error_severity",
    weights: Mapping[str, float] | None = None,
) -> float:
    """Severity-weighted QA score = 1 − Σ w_e · errors_e ÷ (n · w_max) (DOMAIN §8.12).

    ``severity`` names the column holding each checked decision's error
    severity (empty where QA agreed); ``weights`` default to critical 1.0,
    major 0.5, minor 0.1 [A].
    """
    w = dict(weights or {"critical": 1.0, "major": 0.5, "minor": 0.1})
    if severity not in qa.columns:
        raise ParameterError(f"QA table: severity column {severity!r} not found")
    if qa.empty:
        raise ParameterError("QA table: no rows to score")
    found = qa[severity].dropna().astype(str).str.strip()
    found = found[found != ""]
    unknown = sorted(set(found) - set(w))
    if unknown:
        row = int(np.flatnonzero(qa[severity].astype(str).str.strip().isin(unknown))[0])
        raise ParameterError(f"QA table row {row + 1}, column {severity!r}: found "
                             f"{unknown[0]!r}; expected one of {sorted(w)} or empty")
    return float(1 - found.map(w).sum() / (len(qa) * max(w.values())))


def _labels(qa: pd.DataFrame, decision: str, label: str, pos: set[str]) -> pd.Series:
    return qa[label].where(qa[decision].isin(pos), NO_LABEL).fillna("(no label)").astype(str)


def label_confusion(qa: pd.DataFrame, *, positive: Sequence[str] | str = ("reject",),
                    weight: str | None = None) -> pd.DataFrame:
    """Confusion matrix: production label (rows) × QA label (columns).

    Approvals appear as ``"(approve)"``. With ``weight`` the cells are weighted counts.
    """
    check_qa_columns(qa, QA_COLUMNS)
    pos = {positive} if isinstance(positive, str) else set(positive)
    made = _labels(qa, "decision", "label", pos)
    truth = _labels(qa, "qa_decision", "qa_label", pos)
    cats = sorted(set(made) | set(truth), key=lambda c: (c == NO_LABEL, c))
    w = qa_weights(qa, weight)
    table = pd.crosstab(pd.Categorical(made, categories=cats),
                        pd.Categorical(truth, categories=cats), values=w, aggfunc="sum",
                        dropna=False).fillna(0.0)
    table.index.name, table.columns.name = "label", "qa_label"
    return table


def label_metrics(qa: pd.DataFrame, *, positive: Sequence[str] | str = ("reject",),
                  weight: str | None = None) -> pd.DataFrame:
    """Precision, recall and F1 per rejection label (one-vs-rest against QA's label).

    Returns one row per label: ``predicted`` (production used it), ``actual``
    (QA says it), ``correct``, ``precision``, ``recall``, ``f1``.
    """
    table = label_confusion(qa, positive=positive, weight=weight)
    correct = pd.Series(np.diag(table.to_numpy()), index=table.index)
    out = pd.DataFrame({"predicted": table.sum(axis=1), "actual": table.sum(axis=0),
                        "correct": correct})
    with np.errstate(divide="ignore", invalid="ignore"):
        out["precision"] = out["correct"] / out["predicted"]
        out["recall"] = out["correct"] / out["actual"]
        out["f1"] = 2 * out["correct"] / (out["predicted"] + out["actual"])
    return out.drop(index=NO_LABEL, errors="ignore")
