"""Process FMEA for the review workflow, rated the AIAG & VDA (2019) way.

Severity (S), occurrence (O) and detection (D) are 1-10 on the moderation
scales of DOMAIN §7. The **action priority** (H must act / M should act / L may
act) comes from the AIAG-VDA lookup table, severity first; the RPN S×O×D is
kept only as a secondary sort inside an AP class, because equal RPNs hide very
different risks.

- :func:`action_priority` — the AP table, vectorised;
- :func:`occurrence_from_rate` — O from an observed cause rate per 1,000 decisions;
- :func:`detection_from_qa` — D from the QA coverage of the step;
- :func:`assess_fmea` — validate an FMEA sheet and add ``ap``, ``rpn`` and the order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from modlean.errors import ParameterError, RegisterError
from modlean.risk.records import (
    Field,
    Problems,
    csv_row,
    read_csv_text,
    read_workbook_sheets,
    sheet_row,
    validate_records,
)

__all__ = [
    "AP_ORDER",
    "FMEA_FIELDS",
    "SEVERITY_SCALE",
    "action_priority",
    "assess_fmea",
    "detection_from_qa",
    "load_fmea",
    "occurrence_from_rate",
]

#: AP classes, most urgent first.
AP_ORDER = ("H", "M", "L")

#: Severity anchors for moderation (DOMAIN §7).
SEVERITY_SCALE: dict[int, str] = {
    10: "illegal harm or injury without warning (CSAM, unsafe product)",
    9: "regulatory non-compliance (missed DSA Art. 16/20 or GPSR deadline)",
    8: "loss of a primary function (wrongful ban of a top seller)",
    7: "loss of a primary function (counterfeit sold at scale)",
    6: "degraded function (delay > SLA)",
    5: "degraded function (statement of reasons incomplete)",
    4: "degraded function (wrong rejection label)",
    3: "minor (internal rework)",
    2: "minor (cosmetic)",
    1: "no effect",
}

# AIAG-VDA AP table by bands: S {9-10, 7-8, 4-6, 2-3, 1}, O {8-10, 6-7, 4-5, 2-3, 1},
# D {7-10, 5-6, 2-4, 1}. Rows: severity band; within it occurrence band; columns D bands.
_AP_TABLE = {
    "S9": {"O8": "HHHH", "O6": "HHHH", "O4": "HHHM", "O2": "HMLL", "O1": "LLLL"},
    "S7": {"O8": "HHHH", "O6": "HHHM", "O4": "HMMM", "O2": "MMLL", "O1": "LLLL"},
    "S4": {"O8": "HHMM", "O6": "MMML", "O4": "MLLL", "O2": "LLLL", "O1": "LLLL"},
    "S2": {"O8": "MMLL", "O6": "LLLL", "O4": "LLLL", "O2": "LLLL", "O1": "LLLL"},
    "S1": {"O8": "LLLL", "O6": "LLLL", "O4": "LLLL", "O2": "LLLL", "O1": "LLLL"},
}
_S_BAND = np.array(["", "S1", "S2", "S2", "S4", "S4", "S4", "S7", "S7", "S9", "S9"])
_O_BAND = np.array(["", "O1", "O2", "O2", "O4", "O4", "O6", "O6", "O8", "O8", "O8"])
_D_COL = np.array([-1, 3, 2, 2, 2, 1, 1, 0, 0, 0, 0])
#: The full 10 × 10 × 10 lookup cube, indexed [S, O, D] (index 0 unused).
_AP_CUBE = np.full((11, 11, 11), "", dtype="<U1")
for _s in range(1, 11):
    for _o in range(1, 11):
        for _d in range(1, 11):
            _AP_CUBE[_s, _o, _d] = _AP_TABLE[_S_BAND[_s]][_O_BAND[_o]][_D_COL[_d]]

#: AIAG 4th-edition PFMEA occurrence anchors per 1,000 (lower bound for each rating).
_OCCURRENCE_ANCHORS = ((100, 10), (50, 9), (20, 8), (10, 7), (2, 6), (0.5, 5), (0.1, 4),
                       (0.001, 3))


def _scores(values: Sequence[int] | int, name: str) -> np.ndarray:
    x = np.asarray(values)
    flat = np.atleast_1d(x)
    bad = ~np.isin(flat, np.arange(1, 11))
    if bad.any():
        raise ParameterError(f"{name} {flat[bad][0]}: expected a whole number 1-10")
    return x.astype(int)


def action_priority(s: Sequence[int] | int, o: Sequence[int] | int,
                    d: Sequence[int] | int) -> np.ndarray | str:
    """AIAG-VDA action priority ``"H"``, ``"M"`` or ``"L"`` for S, O, D (1-10 each).

    Examples
    --------
    >>> action_priority(9, 1, 10)   # severity 9 is not always H: O = 1 gives L
    'L'
    >>> action_priority(7, 6, 1)
    'M'
    """
    sv, ov, dv = _scores(s, "severity"), _scores(o, "occurrence"), _scores(d, "detection")
    out = _AP_CUBE[sv, ov, dv]
    return str(out) if np.ndim(out) == 0 else out


def occurrence_from_rate(per_1000: float | Sequence[float], *,
                         prevented: bool | Sequence[bool] = False) -> np.ndarray | int:
    """Occurrence rating from a cause rate per 1,000 decisions (AIAG anchors, DOMAIN §1.3).

    ≥100 → 10, ≥50 → 9, ≥20 → 8, ≥10 → 7, ≥2 → 6, ≥0.5 → 5, ≥0.1 → 4,
    > 0.001 → 3, otherwise 2; 1 only when a control prevents the cause
    (``prevented=True``). A rate between anchors takes the lower anchor's rating.
    """
    r = np.asarray(per_1000, dtype="float64")
    if np.any(np.isnan(r) | (r < 0)):
        raise ParameterError(f"rate per 1,000 {per_1000!r}: expected numbers ≥ 0")
    out = np.full(r.shape, 2, dtype=int)
    for bound, rating in reversed(_OCCURRENCE_ANCHORS):
        out = np.where((r > bound) if bound == 0.001 else (r >= bound), rating, out)
    out = np.where(np.asarray(prevented, dtype=bool), 1, out)
    return int(out) if out.ndim == 0 else out


def detection_from_qa(
    coverage: float,
    *,
    lag_hours: float = 24.0,
    targeted: bool = False,
    automated_check: bool = False,
    dual_review: bool = False,
    error_proofed: bool = False,
) -> int:
    """Detection rating from how the step's errors are caught (DOMAIN §7 D scale).

    Parameters
    ----------
    coverage:
        Share of the step's decisions that QA re-reviews (0.03 = 3%).
    lag_hours:
        Time from decision to QA check.
    targeted:
        QA is stratified / targeted on the risk band.
    automated_check:
        An automated rule check runs on every decision before publishing.
    dual_review:
        100% dual review before publishing.
    error_proofed:
        The system blocks the failure (mandatory fields, hash-match block).

    Returns
    -------
    int
        10 never detected; 9 random QA < 0.5%; 8 QA 0.5-5% with > 24 h lag
        (and 0.5-1% at any lag) [A]; 7 QA 1-5% within 24 h; 6 random QA > 5% [A];
        5 targeted QA (6 if it covers < 1%); 4 automated checks; 3 100% dual
        review; 2 error-proofed.
    """
    if not 0 <= coverage <= 1:
        raise ParameterError(f"QA coverage {coverage!r}: expected a share between 0 and 1")
    if error_proofed:
        return 2
    if dual_review:
        return 3
    if automated_check:
        return 4
    if targeted and coverage > 0:
        return 5 if coverage >= 0.01 else 6
    if coverage == 0:
        return 10
    if coverage < 0.005:
        return 9
    if coverage < 0.01:
        return 8
    if coverage <= 0.05:
        return 8 if lag_hours > 24 else 7
    return 6


#: The columns of an FMEA sheet.
FMEA_FIELDS: tuple[Field, ...] = (
    Field("fmea_id", "text", True, description="Unique id, e.g. F-01", example="F-01"),
    Field("process_step", "text", True, description="Step of the review workflow",
          example="L1 listing review"),
    Field("failure_mode", "text", True, example="Counterfeit listing approved"),
    Field("effect", "text", example="Counterfeit sold to buyers"),
    Field("cause", "text", example="Brand-logo guideline unclear"),
    Field("prevention_controls", "text", example="Brand registry gating"),
    Field("detection_controls", "text", example="3% random QA, 48 h lag"),
    Field("severity", "integer", True, low=1, high=10, example=7),
    Field("occurrence", "integer", False, low=1, high=10,
          description="1-10; or leave empty and give rate_per_1000", example=None),
    Field("rate_per_1000", "number", low=0, high=1000, why="a rate per 1,000 is at most 1,000",
          description="Observed cause rate per 1,000",
          example=3.2),
    Field("detection", "integer", False, low=1, high=10,
          description="1-10; or leave empty and give qa_coverage", example=None),
    Field("qa_coverage", "number", low=0, high=1, description="QA share of the step",
          example=0.03),
    Field("qa_lag_hours", "number", low=0, high=8784, why="a year; a longer QA lag is no "
          "detection control", example=48),
    Field("action", "text", example="Targeted QA on brand categories"),
    Field("owner", "text", example="QA lead"),
    Field("due_date", "date", example="2026-06-30"),
    Field("linked_risk_id", "text", example="R-01"),
)


def assess_fmea(sheet: pd.DataFrame | Sequence[dict], *, source: str = "FMEA",
                locate: Callable[[int], str] = lambda i: f"row {i + 1}") -> pd.DataFrame:
    """Validate an FMEA sheet and rate it.

    Occurrence may be given directly or derived from ``rate_per_1000``;
    detection directly or from ``qa_coverage`` (and ``qa_lag_hours``).

    Returns
    -------
    pandas.DataFrame
        The sheet with integer ``severity``, ``occurrence``, ``detection``, plus
        ``ap`` (H/M/L) and ``rpn``, sorted by AP, then RPN (secondary key), then
        severity.

    Raises
    ------
    RegisterError
        Listing every bad row and field.
    """
    frame = pd.DataFrame(list(sheet)) if not isinstance(sheet, pd.DataFrame) else sheet
    problems = Problems(source)
    table = validate_records(frame.reset_index(drop=True), FMEA_FIELDS, problems=problems,
                             locate=locate, id_field="fmea_id")
    if problems.lines:
        problems.raise_if_any("FMEA sheet")
    occ = table["occurrence"].copy()
    det = table["detection"].copy()
    for i in range(len(table)):  # rows of a sheet, with per-row fallbacks
        where = locate(i) + f" ({table.at[i, 'fmea_id']})"
        if occ.iat[i] is None:
            rate = table.at[i, "rate_per_1000"]
            if rate is None:
                problems.add(where, "occurrence", "is required when rate_per_1000 is empty",
                             expected="a whole number 1-10 or a rate_per_1000")
            else:
                occ.iat[i] = occurrence_from_rate(rate)
        if det.iat[i] is None:
            cov = table.at[i, "qa_coverage"]
            if cov is None:
                problems.add(where, "detection", "is required when qa_coverage is empty",
                             expected="a whole number 1-10 or a qa_coverage share")
            else:
                lag = table.at[i, "qa_lag_hours"]
                det.iat[i] = detection_from_qa(cov, lag_hours=24.0 if lag is None else lag)
    problems.raise_if_any("FMEA sheet")
    table["severity"] = table["severity"].astype(int)
    table["occurrence"] = occ.astype(int)
    table["detection"] = det.astype(int)
    table["ap"] = action_priority(table["severity"], table["occurrence"], table["detection"])
    table["rpn"] = table["severity"] * table["occurrence"] * table["detection"]
    order = table["ap"].map({a: i for i, a in enumerate(AP_ORDER)})
    table = table.assign(_o=order).sort_values(
        ["_o", "rpn", "severity", "fmea_id"], ascending=[True, False, False, True],
        kind="stable").drop(columns="_o")
    return table.reset_index(drop=True)


def load_fmea(path: str | Path) -> pd.DataFrame:
    """Read an FMEA sheet from ``.csv`` or ``.xlsx`` (sheet ``fmea`` or the first) and rate it.

    Raises
    ------
    RegisterError
        Naming the file, the row (with its file line or sheet row) and the field.
    """
    path = Path(path)
    if not path.exists():
        raise RegisterError(f"{path}: file not found")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        frame = read_csv_text(path, "FMEA sheet")
        locate = csv_row
    elif suffix == ".xlsx":
        sheets = read_workbook_sheets(path, "FMEA sheet")
        name = "fmea" if "fmea" in sheets else next(iter(sheets))
        frame = sheets[name]
        locate = sheet_row(name)
    else:
        raise RegisterError(f"{path}: unknown FMEA format {suffix!r}; expected .csv or .xlsx")
    return assess_fmea(frame, source=str(path), locate=locate)
