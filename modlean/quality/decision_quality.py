"""Decision quality from QA data, and vendor / site scorecards.

A **QA table** has one row per QA-checked decision: ``case_id``, the
production ``reviewer`` (and ``vendor``/``site`` if known), the production
``decision`` and rejection ``label``, and the QA verdict ``qa_decision`` and
``qa_label`` (QA is taken as the truth). An optional weight column (1/inclusion
probability) turns sample counts into population estimates (Horvitz-Thompson),
which matters when auto-decided items are sampled at another rate.

- :func:`decision_quality` — confusion counts, accuracy, false-rejection rate
  FP/(FP+TN), miss rate FN/(FN+TP), precision, recall, F1, label accuracy
  (right reason code among right rejections), each with a Wilson CI;
- :func:`label_confusion` / :func:`label_metrics` — confusion matrix of
  production vs QA label, and precision / recall / F1 per rejection label;
- :func:`scorecard` — per vendor or site, from a canonical log plus a QA table:
  accuracy, handling time, SLA attainment and cost per decision, each with a CI;
- :func:`is_error`, :func:`error_types`, :func:`error_counts`,
  :func:`decision_periods`, :func:`with_weights` — the QA table turned into the
  inputs of control charts (errors and checks per day or reviewer), Pareto
  charts (what kind of error) and population estimates (1/inclusion probability).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from modlean.errors import ParameterError
from modlean.quality.sampling import proportion_ci

__all__ = [
    "NO_LABEL",
    "QA_COLUMNS",
    "decision_periods",
    "decision_quality",
    "error_counts",
    "error_types",
    "is_error",
    "label_confusion",
    "label_metrics",
    "read_qa",
    "scorecard",
    "severity_weighted_score",
    "with_weights",
]

#: Columns a QA table must have.
QA_COLUMNS = ("case_id", "reviewer", "decision", "label", "qa_decision", "qa_label")
#: The label shown for an approval (no rejection reason).
NO_LABEL = "(approve)"


def read_qa(path: str | Any) -> pd.DataFrame:
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
    _check(qa, QA_COLUMNS[:5], str(path))
    return qa


def _check(qa: pd.DataFrame, columns: Sequence[str], where: str = "QA table") -> None:
    missing = [c for c in columns if c not in qa.columns]
    if missing:
        raise ParameterError(f"{where}: missing column(s) {missing}; found {list(qa.columns)}; "
                             f"expected at least {list(columns)}")


def _weights(qa: pd.DataFrame, weight: str | None) -> np.ndarray:
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


def _outcomes(qa: pd.DataFrame, positive: Sequence[str] | str
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(production acted, QA says act, same label) as boolean arrays."""
    pos = {positive} if isinstance(positive, str) else set(positive)
    made = qa["decision"].isin(pos).to_numpy()
    truth = qa["qa_decision"].isin(pos).to_numpy()
    same_label = (qa["label"].astype(str) == qa["qa_label"].astype(str)).to_numpy()
    return made, truth, same_label


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
    _check(qa, QA_COLUMNS)
    w = _weights(qa, weight)
    made, truth, same_label = _outcomes(qa, positive)
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
    _check(qa, QA_COLUMNS)
    pos = {positive} if isinstance(positive, str) else set(positive)
    made = _labels(qa, "decision", "label", pos)
    truth = _labels(qa, "qa_decision", "qa_label", pos)
    cats = sorted(set(made) | set(truth), key=lambda c: (c == NO_LABEL, c))
    w = _weights(qa, weight)
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


def _mean_ci(values: pd.Series, confidence: float) -> tuple[float, float, float]:
    x = values.dropna().to_numpy(dtype="float64")
    if x.size == 0:
        return float("nan"), float("nan"), float("nan")
    m = float(x.mean())
    if x.size < 2:
        return m, float("nan"), float("nan")
    half = float(stats.t.ppf(0.5 + confidence / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))
    return m, m - half, m + half


def scorecard(
    log: pd.DataFrame,
    qa: pd.DataFrame,
    *,
    by: str = "vendor",
    reviewer_groups: Mapping[str, str] | None = None,
    review_activities: Sequence[str] = ("review_l1", "review_l2"),
    submit_activity: str = "submitted",
    decision_activity: str = "decision_sent",
    sla_hours: float = 24.0,
    cost_per_hour: float | Mapping[str, float] = 9.0,
    productive_share: float = 1.0,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """BPO vendor / site scorecard from a canonical log and a QA table.

    Each human-reviewed case belongs to the group of the reviewer of its last
    review event. Per group:

    - ``accuracy`` — QA agreement with the production decision (Wilson CI);
    - ``aht_s`` — mean handling time of review events, start to end (t CI);
    - ``sla`` — share of the group's cases decided within ``sla_hours`` of
      submission (Wilson CI);
    - ``cost_per_decision`` — handling hours × hourly rate ÷ ``productive_share``
      (the share of billed time spent handling), with the AHT's CI carried through.

    Parameters
    ----------
    log:
        Canonical event log (modlean.eventlog.read_log) with ``start_timestamp`` on review events.
    qa:
        QA table; its ``reviewer`` → ``by`` columns give the grouping when the log
        has no ``by`` column and no ``reviewer_groups`` is passed.
    by:
        The grouping, e.g. ``"vendor"`` or ``"site"``.
    reviewer_groups:
        Reviewer id -> group, overriding the above.
    cost_per_hour:
        One billed rate, or a rate per group.

    Returns
    -------
    pandas.DataFrame
        One row per group with the value, ``_low`` and ``_high`` of each measure
        and the counts behind them (``qa_n``, ``reviews``, ``cases``).
    """
    for col in ("case_id", "activity", "timestamp", "resource"):
        if col not in log.columns:
            raise ParameterError(f"log: missing column {col!r}; expected a canonical log")
    _check(qa, ("case_id", "reviewer", "decision", "qa_decision"))
    if not 0 < productive_share <= 1:
        raise ParameterError(f"productive_share {productive_share!r}: expected (0, 1]")
    if reviewer_groups is not None:
        groups = pd.Series(reviewer_groups, dtype=object)
    elif by in log.columns:
        groups = log.dropna(subset=["resource"]).groupby("resource")[by].last()
    elif by in qa.columns:
        groups = qa.dropna(subset=[by]).groupby("reviewer")[by].last()
    else:
        raise ParameterError(f"scorecard by {by!r}: no such column in the log or QA table, "
                             "and no reviewer_groups mapping given")
    reviews = log[log["activity"].isin(review_activities)].copy()
    if reviews.empty:
        raise ParameterError(f"log: no review events {list(review_activities)}")
    reviews["group"] = reviews["resource"].map(groups)
    if "start_timestamp" in reviews.columns:
        reviews["handling_s"] = (reviews["timestamp"] - reviews["start_timestamp"]
                                 ).dt.total_seconds()
    else:
        reviews["handling_s"] = np.nan
    case_group = reviews.groupby("case_id")["group"].last()

    submitted = log[log["activity"] == submit_activity].groupby("case_id")["timestamp"].min()
    decided = log[log["activity"] == decision_activity].groupby("case_id")["timestamp"].min()
    tat_h = (decided - submitted).dt.total_seconds() / 3600
    cases = pd.DataFrame({"group": case_group, "tat_h": tat_h.reindex(case_group.index)})

    qa_g = qa.assign(group=qa["reviewer"].map(groups))
    qa_g["correct"] = qa_g["decision"].astype(str) == qa_g["qa_decision"].astype(str)

    rows = []
    names = sorted(set(case_group.dropna()) | set(qa_g["group"].dropna()), key=str)
    for g in names:  # one iteration per vendor/site (a handful)
        q = qa_g[qa_g["group"] == g]
        acc_lo, acc_hi = proportion_ci(q["correct"].sum(), len(q), confidence=confidence)
        c = cases[cases["group"] == g]["tat_h"].dropna()
        met = int((c <= sla_hours).sum())
        sla_lo, sla_hi = proportion_ci(met, len(c), confidence=confidence)
        aht, aht_lo, aht_hi = _mean_ci(reviews.loc[reviews["group"] == g, "handling_s"],
                                       confidence)
        rate = (cost_per_hour.get(g, np.nan) if isinstance(cost_per_hour, Mapping)
                else float(cost_per_hour))
        scale = rate / 3600 / productive_share
        rows.append({
            by: g,
            "qa_n": len(q),
            "accuracy": q["correct"].mean() if len(q) else np.nan,
            "accuracy_low": float(acc_lo), "accuracy_high": float(acc_hi),
            "reviews": int((reviews["group"] == g).sum()),
            "aht_s": aht, "aht_s_low": aht_lo, "aht_s_high": aht_hi,
            "cases": len(c),
            "sla": met / len(c) if len(c) else np.nan,
            "sla_low": float(sla_lo), "sla_high": float(sla_hi),
            "cost_per_decision": aht * scale,
            "cost_per_decision_low": aht_lo * scale,
            "cost_per_decision_high": aht_hi * scale,
        })
    return pd.DataFrame(rows).set_index(by)


# ---------------------------------------------------------------- chart and Pareto inputs


def is_error(qa: pd.DataFrame, *, positive: Sequence[str] | str = ("reject",),
             label: bool = True) -> pd.Series:
    """True for each checked decision QA found wrong (aligned with ``qa``'s index).

    A decision is wrong when production and QA disagree on acting (reject vs
    approve) or, with ``label=True``, when both reject but for different reasons
    (the complement of ``accuracy_with_label`` in :func:`decision_quality`).
    """
    _check(qa, QA_COLUMNS)
    made, truth, same_label = _outcomes(qa, positive)
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
    _check(qa, QA_COLUMNS)
    made, truth, same_label = _outcomes(qa, positive)
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
    for col in ("case_id", "activity", "timestamp"):
        if col not in log.columns:
            raise ParameterError(f"log: missing column {col!r}; expected a canonical log")
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


def with_weights(qa: pd.DataFrame, *, inclusion: str = "inclusion_probability",
                 name: str = "weight") -> pd.DataFrame:
    """The QA table with a sampling-weight column ``name`` = 1 / inclusion probability.

    Pass ``weight=name`` to :func:`decision_quality` for population (Horvitz-Thompson
    / Hájek) estimates when strata were sampled at different rates.
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
