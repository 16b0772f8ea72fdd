"""Decision and label quality of production decisions, judged by QA.

- :func:`decision_quality` — confusion counts, accuracy, false-rejection rate
  FP/(FP+TN), miss rate FN/(FN+TP), precision, recall, F1, label accuracy
  (right reason code among right rejections), each with a Wilson CI (weighted
  rows use Kish's effective n);
- :func:`severity_weighted_score` — the severity-weighted QA score (DOMAIN §8.12);
- :func:`label_confusion` / :func:`label_metrics` — confusion matrix of
  production vs QA label, and precision / recall / F1 per rejection label.

Both QA shapes are accepted; with pass/fail QA the figures that need QA's own
reason code come back as NaN with a ``note`` saying why (never guessed).
The QA table itself is described in :mod:`modlean.quality.qa_table`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from modlean.errors import ParameterError
from modlean.quality.qa_table import (
    NO_LABEL,
    qa_outcomes,
    qa_weights,
)
from modlean.quality.sampling import proportion_ci

__all__ = [
    "METRICS",
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


#: The metrics of :func:`decision_quality`, in the order they are returned.
METRICS = ("accuracy", "accuracy_with_label", "error_rate", "false_rejection_rate", "miss_rate",
           "precision", "recall", "label_accuracy", "label_error_rate", "f1", "tp", "fp", "fn",
           "tn")


def decision_quality(
    qa: pd.DataFrame,
    *,
    positive: Sequence[str] | str = ("reject",),
    negative: Sequence[str] | str = ("approve",),
    weight: str | None = None,
    by: str | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Decision and label quality of production decisions, judged by QA.

    Parameters
    ----------
    qa:
        QA table of either shape (:mod:`modlean.quality.qa_table`).
    positive, negative:
        Decision values that mean "action taken" (reject / remove) and "no
        action" (approve); matched case-insensitively, anything else is an error.
    weight:
        Column of sampling weights (1/π); None treats every row alike.
    by:
        A column (``"reviewer"``, ``"pool"``, ``"vendor"``) to give every metric
        per group; the index is then (group, metric).

    Returns
    -------
    pandas.DataFrame
        One row per metric (``accuracy``, ``accuracy_with_label``, ``error_rate``
        (1 − accuracy_with_label: wrong decision or wrong reason), ``false_rejection_rate``,
        ``miss_rate``, ``precision``, ``recall``, ``f1``, ``label_accuracy`` and
        ``label_error_rate`` (its complement),
        and the counts ``tp``, ``fp``, ``fn``, ``tn``) with ``value``, ``low``,
        ``high``, ``n`` (rows behind it) and ``note``. With a pass/fail QA table the
        figures that need QA's own reason code (``accuracy_with_label``,
        ``label_accuracy``, ``label_error_rate``) are NaN and their ``note`` says
        why; ``error_rate`` is then the share failed (decisions only).
    """
    if by is not None:
        return _per_group(qa, by, positive=positive, negative=negative, weight=weight,
                          confidence=confidence)
    out = qa_outcomes(qa, positive, negative)
    w = qa_weights(qa, weight)
    made, truth = out.made, out.truth
    tp, fp, fn, tn = made & truth, made & ~truth, ~made & truth, ~made & ~truth
    every = np.ones(len(qa), dtype=bool)
    rows = {
        "accuracy": _rate(out.correct, every, w, confidence),
        "false_rejection_rate": _rate(fp, ~truth, w, confidence),
        "miss_rate": _rate(fn, truth, w, confidence),
        "precision": _rate(tp, made, w, confidence),
        "recall": _rate(tp, truth, w, confidence),
    }
    if out.same_label is None:
        rows["error_rate"] = {**_rate(~out.correct, every, w, confidence),
                              "note": out.error_note}
        for name in ("accuracy_with_label", "label_accuracy", "label_error_rate"):
            rows[name] = {"value": float("nan"), "low": float("nan"), "high": float("nan"),
                          "n": 0, "note": out.label_note}
    else:
        correct = out.correct & (~tp | out.same_label)
        rows["accuracy_with_label"] = _rate(correct, every, w, confidence)
        rows["error_rate"] = _rate(~correct, every, w, confidence)
        rows["label_accuracy"] = _rate(out.same_label, tp, w, confidence)
        rows["label_error_rate"] = _rate(~out.same_label, tp, w, confidence)
    p, r = rows["precision"]["value"], rows["recall"]["value"]
    f1 = 2 * p * r / (p + r) if (p + r) > 0 else float("nan")
    rows["f1"] = {"value": f1, "low": float("nan"), "high": float("nan"), "n": int(tp.sum())}
    for name, mask in (("tp", tp), ("fp", fp), ("fn", fn), ("tn", tn)):
        rows[name] = {"value": float(w[mask].sum()), "low": float("nan"),
                      "high": float("nan"), "n": int(mask.sum())}
    table = pd.DataFrame.from_dict(rows, orient="index").reindex(METRICS)
    table["note"] = table["note"].fillna("") if "note" in table else ""
    table["n"] = table["n"].astype(int)
    table.index.name = "metric"
    return table


def _per_group(qa: pd.DataFrame, by: str, **options: object) -> pd.DataFrame:
    """:func:`decision_quality` of each group of ``by`` (a handful: one call per group)."""
    if by not in qa.columns:
        raise ParameterError(f"decision_quality by {by!r}: no such column in the QA table; "
                             f"found {list(qa.columns)}")
    groups = qa[by].astype("string").fillna("(none)")
    parts = {g: decision_quality(part, **options)  # type: ignore[arg-type]
             for g, part in qa.groupby(groups.to_numpy(), sort=True)}
    return pd.concat(parts, names=[by, "metric"])


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


def _labels(qa: pd.DataFrame, acted: np.ndarray, label: str) -> pd.Series:
    """The rejection label of each row, ``(approve)`` where no action was taken."""
    return qa[label].where(acted, NO_LABEL).fillna("(no label)").astype(str)


def label_confusion(qa: pd.DataFrame, *, positive: Sequence[str] | str = ("reject",),
                    negative: Sequence[str] | str = ("approve",),
                    weight: str | None = None) -> pd.DataFrame:
    """Confusion matrix: production label (rows) × QA label (columns).

    Approvals appear as ``"(approve)"``. With ``weight`` the cells are weighted counts.
    A pass/fail QA table (or one without ``qa_label``) has no QA label: the result
    is then one row per production label with ``checked`` (weighted count) and a
    ``note`` saying why the matrix is left out.
    """
    w = qa_weights(qa, weight)
    out = qa_outcomes(qa, positive, negative)
    if out.same_label is None:
        made = _labels(qa.assign(label=qa.get("label")), out.made, "label")
        checked = pd.Series(w, index=qa.index).groupby(made.to_numpy()).sum()
        table = pd.DataFrame({"checked": checked, "note": out.label_note})
        table.index.name = "label"
        return table
    made = _labels(qa, out.made, "label")
    truth = _labels(qa, out.truth, "qa_label")
    cats = sorted(set(made) | set(truth), key=lambda c: (c == NO_LABEL, c))
    table = pd.crosstab(pd.Categorical(made, categories=cats),
                        pd.Categorical(truth, categories=cats), values=w, aggfunc="sum",
                        dropna=False).fillna(0.0)
    table.index.name, table.columns.name = "label", "qa_label"
    return table


def label_metrics(qa: pd.DataFrame, *, positive: Sequence[str] | str = ("reject",),
                  negative: Sequence[str] | str = ("approve",),
                  weight: str | None = None) -> pd.DataFrame:
    """Precision, recall and F1 per rejection label (one-vs-rest against QA's label).

    Returns one row per label: ``predicted`` (production used it), ``actual``
    (QA says it), ``correct``, ``precision``, ``recall``, ``f1`` and ``note``. With a
    pass/fail QA table only ``predicted`` is known; the rest is NaN and the note
    says why.
    """
    table = label_confusion(qa, positive=positive, negative=negative, weight=weight)
    if "note" in table.columns:
        nan = np.full(len(table), np.nan)
        out = pd.DataFrame({"predicted": table["checked"], "actual": nan, "correct": nan,
                            "precision": nan, "recall": nan, "f1": nan,
                            "note": table["note"]}, index=table.index)
        return out.drop(index=NO_LABEL, errors="ignore")
    correct = pd.Series(np.diag(table.to_numpy()), index=table.index)
    out = pd.DataFrame({"predicted": table.sum(axis=1), "actual": table.sum(axis=0),
                        "correct": correct})
    with np.errstate(divide="ignore", invalid="ignore"):
        out["precision"] = out["correct"] / out["predicted"]
        out["recall"] = out["correct"] / out["actual"]
        out["f1"] = 2 * out["correct"] / (out["predicted"] + out["actual"])
    out["note"] = ""
    return out.drop(index=NO_LABEL, errors="ignore")
