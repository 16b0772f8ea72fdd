"""Inter-rater agreement for reviewer calibration.

Ratings come as a table with one row per item and one column per rater
(missing ratings as NaN/None), or as a long table turned into that shape by
:func:`ratings_table`. The measures:

- :func:`percent_agreement` — p_o, the share of agreeing rater pairs;
- :func:`cohen_kappa` — two raters, (p_o − p_e)/(1 − p_e) with each rater's own marginals;
- :func:`fleiss_kappa` — any number of raters (Gwet's form for missing ratings;
  Fleiss 1971 when every item has the same number of ratings);
- :func:`gwet_ac1` — chance agreement (1/(Q−1)) Σ π_q(1−π_q), robust to prevalence;
- :func:`krippendorff_alpha` — nominal α = 1 − D_o/D_e from the coincidence matrix;
- :func:`specific_agreement` — positive and negative specific agreement (PA, NA);
- :func:`golden_set_accuracy` — each reviewer against a golden set, with Wilson CIs;
- :func:`agreement_summary` — all of them at once, because at 95% "approve"
  κ can be low while p_o is 97% (the kappa paradox): never show κ alone;
- :func:`qa_agreement` — the summary for production vs QA from a QA table (left
  out, with a note, when QA gave pass/fail rather than its own verdict).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from modlean.errors import ParameterError
from modlean.quality.qa_table import declared, qa_outcomes, qa_shape
from modlean.quality.sampling import proportion_ci

__all__ = [
    "LANDIS_KOCH",
    "NO_VERDICT_NOTE",
    "agreement_summary",
    "category_counts",
    "cohen_kappa",
    "fleiss_kappa",
    "golden_set_accuracy",
    "gwet_ac1",
    "interpret_kappa",
    "krippendorff_alpha",
    "percent_agreement",
    "qa_agreement",
    "ratings_table",
    "specific_agreement",
]

#: Landis & Koch (1977) bands: (upper bound, words).
LANDIS_KOCH: tuple[tuple[float, str], ...] = (
    (0.0, "poor"), (0.20, "slight"), (0.40, "fair"), (0.60, "moderate"),
    (0.80, "substantial"), (1.0, "almost perfect"),
)

Ratings = pd.DataFrame | np.ndarray | Sequence[Sequence[Any]]


def ratings_table(long: pd.DataFrame, *, item: str = "case_id", rater: str = "reviewer",
                  rating: str = "label") -> pd.DataFrame:
    """Long ratings (one row per item and rater) to the wide item × rater table.

    A rater who rated an item twice keeps the last rating.
    """
    missing = [c for c in (item, rater, rating) if c not in long.columns]
    if missing:
        raise ParameterError(f"ratings: missing column(s) {missing}; found "
                             f"{list(long.columns)}")
    return long.pivot_table(index=item, columns=rater, values=rating, aggfunc="last",
                            dropna=False, observed=True)


def _as_frame(ratings: Ratings) -> pd.DataFrame:
    frame = ratings if isinstance(ratings, pd.DataFrame) else pd.DataFrame(
        np.asarray(ratings, dtype=object))
    if frame.shape[1] < 2:
        raise ParameterError(f"ratings: found {frame.shape[1]} rater column(s); expected "
                             "at least 2 (one column per rater, one row per item)")
    return frame


def category_counts(ratings: Ratings,
                    categories: Sequence[Hashable] | None = None) -> pd.DataFrame:
    """Item × category table of how many raters chose each category (missing ignored).

    ``categories`` fixes the category set (and so Q); by default the categories seen.
    """
    frame = _as_frame(ratings)
    values = frame.to_numpy(dtype=object).ravel()
    present = ~pd.isna(values)
    if not present.any():
        raise ParameterError("ratings: every rating is missing")
    codes, seen = pd.factorize(values[present], sort=False)
    cats = list(categories) if categories is not None else sorted(seen.tolist(), key=str)
    position = {c: i for i, c in enumerate(cats)}
    unknown = [c for c in seen.tolist() if c not in position]
    if unknown:
        raise ParameterError(f"ratings: categories {sorted(map(str, unknown))} are not in "
                             f"the category list {cats}")
    to_cat = np.array([position[c] for c in seen.tolist()], dtype=np.int64)
    rows = np.repeat(np.arange(len(frame)), frame.shape[1])[present]
    flat = np.bincount(rows * len(cats) + to_cat[codes], minlength=len(frame) * len(cats))
    return pd.DataFrame(flat.reshape(len(frame), len(cats)), index=frame.index, columns=cats)


def _pa_and_pi(counts: np.ndarray) -> tuple[float, np.ndarray, int]:
    """Observed agreement over items with ≥2 ratings, and mean category shares π_q."""
    r = counts.sum(axis=1)
    rated = r >= 1
    pairable = r >= 2
    if pairable.sum() == 0:
        raise ParameterError("ratings: no item has two or more ratings; agreement needs pairs")
    c2 = counts[pairable]
    r2 = r[pairable]
    pa = float(np.mean((c2 * (c2 - 1)).sum(axis=1) / (r2 * (r2 - 1))))
    pi = (counts[rated] / r[rated, None]).mean(axis=0)
    return pa, pi, int(pairable.sum())


def percent_agreement(ratings: Ratings) -> float:
    """p_o: the mean share of agreeing rater pairs over items rated by two or more."""
    return _pa_and_pi(category_counts(ratings).to_numpy(dtype="float64"))[0]


def _chance_corrected(pa: float, pe: float) -> float:
    if np.isclose(pe, 1.0):
        return 1.0 if np.isclose(pa, 1.0) else float("nan")
    return (pa - pe) / (1 - pe)


def fleiss_kappa(ratings: Ratings, categories: Sequence[Hashable] | None = None) -> float:
    """Fleiss' κ for any number of raters per item.

    p_e = Σ π_q² with π_q the mean share of category q per item. With the same
    number of raters on every item this is Fleiss (1971); with missing ratings
    it is Gwet's (2014) generalisation, as in irrCAC ``fleiss.kappa.raw``.
    Undefined (NaN) when every rating falls in one category but raters disagree.
    """
    pa, pi, _ = _pa_and_pi(category_counts(ratings, categories).to_numpy(dtype="float64"))
    return _chance_corrected(pa, float((pi**2).sum()))


def gwet_ac1(ratings: Ratings, categories: Sequence[Hashable] | None = None) -> float:
    """Gwet's AC1: p_e = (1/(Q−1)) Σ_q π_q(1−π_q).

    Q is the number of categories (those seen, or ``categories``); with Q = 1
    every rating agrees and AC1 is 1.
    """
    counts = category_counts(ratings, categories).to_numpy(dtype="float64")
    pa, pi, _ = _pa_and_pi(counts)
    q = counts.shape[1]
    pe = float((pi * (1 - pi)).sum() / (q - 1)) if q > 1 else 0.0
    return _chance_corrected(pa, pe)


def cohen_kappa(ratings: Ratings, categories: Sequence[Hashable] | None = None) -> float:
    """Cohen's κ for exactly two raters (items rated by both).

    p_e = Σ_q p_q(rater 1) · p_q(rater 2). NaN when p_e = 1 and the raters
    disagree somewhere; 1 when they agree everywhere.
    """
    frame = _as_frame(ratings)
    if frame.shape[1] != 2:
        raise ParameterError(f"Cohen's kappa: found {frame.shape[1]} raters; expected exactly "
                             "2 (use fleiss_kappa or gwet_ac1 for more)")
    both = frame.dropna()
    if both.empty:
        raise ParameterError("Cohen's kappa: no item was rated by both raters")
    a, b = both.iloc[:, 0].to_numpy(), both.iloc[:, 1].to_numpy()
    cats = list(categories) if categories is not None else sorted(
        set(a.tolist()) | set(b.tolist()), key=str)
    table = pd.crosstab(pd.Categorical(a, categories=cats), pd.Categorical(b, categories=cats),
                        dropna=False).to_numpy(dtype="float64")
    n = table.sum()
    po = np.trace(table) / n
    pe = float((table.sum(axis=1) / n) @ (table.sum(axis=0) / n))
    return _chance_corrected(float(po), pe)


def krippendorff_alpha(ratings: Ratings) -> float:
    """Krippendorff's α, nominal metric, with missing ratings allowed.

    α = 1 − (n−1) Σ_{c≠k} o_ck ÷ Σ_{c≠k} n_c n_k, from the coincidence matrix
    over items with two or more ratings (Krippendorff 2011, "Computing
    Krippendorff's alpha-reliability").
    """
    counts = category_counts(ratings).to_numpy(dtype="float64")
    r = counts.sum(axis=1)
    keep = r >= 2
    if not keep.any():
        raise ParameterError("ratings: no item has two or more ratings; alpha needs pairs")
    c, m = counts[keep], r[keep]
    # o_ck = Σ_u n_uc (n_uk − [c=k]) / (m_u − 1)
    coincid = (c[:, :, None] * c[:, None, :]) / (m - 1)[:, None, None]
    coincid = coincid.sum(axis=0) - np.diag((c / (m - 1)[:, None]).sum(axis=0))
    n_c = coincid.sum(axis=1)
    n = n_c.sum()
    disagree_obs = coincid.sum() - np.trace(coincid)
    disagree_exp = (n_c.sum() ** 2 - (n_c**2).sum())
    if disagree_exp == 0:
        return 1.0 if disagree_obs == 0 else float("nan")
    return float(1 - (n - 1) * disagree_obs / disagree_exp)


def specific_agreement(ratings: Ratings, positive: Hashable) -> dict[str, float]:
    """Positive and negative specific agreement between two raters.

    PA = 2a/(2a+b+c), NA = 2d/(2d+b+c) with a = both positive, d = both not,
    b and c the two kinds of disagreement. Any category other than ``positive``
    counts as negative. NaN where the denominator is 0.
    """
    frame = _as_frame(ratings)
    if frame.shape[1] != 2:
        raise ParameterError(f"specific agreement: found {frame.shape[1]} raters; expected 2")
    both = frame.dropna()
    x = both.iloc[:, 0].to_numpy() == positive
    y = both.iloc[:, 1].to_numpy() == positive
    a, d = float(np.sum(x & y)), float(np.sum(~x & ~y))
    bc = float(np.sum(x != y))
    pa = 2 * a / (2 * a + bc) if (2 * a + bc) else float("nan")
    na = 2 * d / (2 * d + bc) if (2 * d + bc) else float("nan")
    return {"positive_agreement": pa, "negative_agreement": na}


def interpret_kappa(value: float) -> str:
    """Landis & Koch (1977) words for a κ-type coefficient."""
    if value is None or np.isnan(value):
        return "undefined"
    for upper, words in LANDIS_KOCH:
        if value <= upper:
            return words
    return LANDIS_KOCH[-1][1]


def golden_set_accuracy(
    reviews: pd.DataFrame,
    gold: Mapping[Hashable, Hashable] | pd.Series,
    *,
    item: str = "case_id",
    reviewer: str = "reviewer",
    rating: str = "label",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Accuracy of each reviewer against a golden set, with Wilson intervals.

    Parameters
    ----------
    reviews:
        Long table: one row per item and reviewer.
    gold:
        Item -> the right answer. Items not in the golden set are ignored.

    Returns
    -------
    pandas.DataFrame
        One row per reviewer: ``n``, ``correct``, ``accuracy``, ``low``, ``high``,
        sorted by accuracy (worst first).
    """
    missing = [c for c in (item, reviewer, rating) if c not in reviews.columns]
    if missing:
        raise ParameterError(f"reviews: missing column(s) {missing}")
    truth = pd.Series(gold)
    scored = reviews[reviews[item].isin(truth.index)]
    if scored.empty:
        raise ParameterError("golden set: no reviewed item is in the golden set")
    correct = scored[rating].to_numpy() == truth.reindex(scored[item]).to_numpy()
    out = (pd.DataFrame({reviewer: scored[reviewer].to_numpy(), "correct": correct})
           .groupby(reviewer).agg(n=("correct", "size"), correct=("correct", "sum")))
    out["accuracy"] = out["correct"] / out["n"]
    out["low"], out["high"] = proportion_ci(out["correct"], out["n"], confidence=confidence)
    return out.sort_values(["accuracy", "n"], ascending=[True, False])


def agreement_summary(
    ratings: Ratings,
    *,
    positive: Hashable | None = None,
    categories: Sequence[Hashable] | None = None,
) -> pd.Series:
    """Every agreement measure at once (the kappa paradox makes κ alone misleading).

    Parameters
    ----------
    ratings:
        Item × rater table.
    positive:
        The "action" category (e.g. ``"reject"``) for PA/NA; two raters only.
    categories:
        The full category set, if some were never used.

    Returns
    -------
    pandas.Series
        ``items``, ``raters``, ``percent_agreement``, ``cohen_kappa`` (2 raters),
        ``fleiss_kappa``, ``gwet_ac1``, ``krippendorff_alpha``,
        ``positive_agreement``/``negative_agreement`` (when ``positive`` is given),
        the Landis-Koch reading of κ and AC1, and ``prevalence`` of the most common category.
    """
    frame = _as_frame(ratings)
    counts = category_counts(frame, categories)
    pa, pi, pairable = _pa_and_pi(counts.to_numpy(dtype="float64"))
    out: dict[str, Any] = {
        "items": pairable,
        "raters": frame.shape[1],
        "categories": counts.shape[1],
        "prevalence": float(pi.max()),
        "percent_agreement": pa,
        "cohen_kappa": (cohen_kappa(frame, categories) if frame.shape[1] == 2
                        else float("nan")),
        "fleiss_kappa": fleiss_kappa(frame, categories),
        "gwet_ac1": gwet_ac1(frame, categories),
        "krippendorff_alpha": krippendorff_alpha(frame),
    }
    if positive is not None and frame.shape[1] == 2:
        out.update(specific_agreement(frame, positive))
    kappa = out["cohen_kappa"] if frame.shape[1] == 2 else out["fleiss_kappa"]
    out["kappa_reading"] = interpret_kappa(kappa)
    out["ac1_reading"] = interpret_kappa(out["gwet_ac1"])
    return pd.Series(out, dtype=object)


#: Why production-vs-QA agreement is left out of a pass/fail QA table.
NO_VERDICT_NOTE = ("left out: QA gave pass/fail, not its own verdict; agreement and kappa "
                   "compare two independent ratings, and a pass/fail check of the production "
                   "decision is not one")


def qa_agreement(qa: pd.DataFrame, *, positive: Sequence[str] | str = ("reject",),
                 negative: Sequence[str] | str = ("approve",)) -> pd.Series:
    """Agreement between production decisions and QA's verdicts (:func:`agreement_summary`).

    The QA table's decision values are read case-insensitively and checked
    (:func:`~modlean.quality.qa_table.qa_outcomes`); every ``positive`` value
    counts as the first one, every ``negative`` value as the first of those.
    With a pass/fail QA table the measures are NaN and ``note`` says why: they
    are never computed on an assumed QA verdict. ``note`` is empty otherwise.
    """
    shape = qa_shape(qa)
    pos, neg = declared(positive), declared(negative)
    if shape == "pass_fail":
        qa_outcomes(qa, pos, neg)  # the values are still checked
        nan = float("nan")
        out: dict[str, Any] = {"items": len(qa), "raters": 2, "categories": nan,
                               "prevalence": nan, "percent_agreement": nan,
                               "cohen_kappa": nan, "fleiss_kappa": nan, "gwet_ac1": nan,
                               "krippendorff_alpha": nan, "positive_agreement": nan,
                               "negative_agreement": nan, "kappa_reading": "",
                               "ac1_reading": "", "note": NO_VERDICT_NOTE}
        return pd.Series(out, dtype=object)
    out = qa_outcomes(qa, pos, neg)
    ratings = pd.DataFrame({"decision": np.where(out.made, pos[0], neg[0]),
                            "qa_decision": np.where(out.truth, pos[0], neg[0])})
    summary = agreement_summary(ratings, positive=pos[0], categories=[pos[0], neg[0]])
    summary["note"] = ""
    return summary
