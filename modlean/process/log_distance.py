"""Log distance measures: how far one event log is from another, as the field measures it.

The definitions are those of the ``log-distance-measures`` package (Chapela-Campa,
Camargo et al., version 2.2.0; docs/fidelity.md cites the papers), computed on
:func:`~modlean.eventlog.encode`'d arrays with numpy, and scipy for the assignment
problem and the 1-D earth mover's (Wasserstein) distance. Every measure reads
**completion timestamps only** (an event's ``timestamp``): many real logs have no
start times, so both the start and the end of an event are its completion.

* :func:`control_flow_log_distance` (CFLD): cases paired one to one so that the mean
  normalised Damerau-Levenshtein distance of their activity sequences is least;
* :func:`n_gram_distance`: the share of n-gram (default 3-gram) occurrences that differ;
* :func:`cycle_time_emd`, :func:`case_arrival_emd`, :func:`circadian_event_emd`,
  :func:`relative_event_emd`: Wasserstein distances between histograms in hours
  (1-hour bins);
* :func:`log_distances`: all six as one table.

tests/test_log_distance.py checks every measure against the package's own output on
fixture logs (tests/fixtures/make_log_distance_reference.py).
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linear_sum_assignment, linprog
from scipy.stats import wasserstein_distance

from modlean._util import unknown_zone
from modlean.errors import ParameterError
from modlean.eventlog import EventArrays, completion_span, encode

__all__ = [
    "LOG_DISTANCES",
    "case_arrival_emd",
    "circadian_event_emd",
    "control_flow_log_distance",
    "cycle_time_emd",
    "damerau_levenshtein",
    "log_distances",
    "n_gram_distance",
    "relative_event_emd",
]

LogLike = pd.DataFrame | EventArrays

#: One hour in microseconds: the bin of every time measure.
HOUR_US = 3_600 * 1_000_000
#: Cells of the full case-by-case cost matrix up to which CFLD uses scipy's
#: ``linear_sum_assignment``; above, the same optimum as a transportation problem on
#: the distinct variants (HiGHS simplex).
ASSIGNMENT_CELLS = 16_000_000
#: Bytes of the tables of one block of Damerau-Levenshtein pairs.
_DL_BYTES = 128_000_000


def _codes(real: EventArrays, sim: EventArrays) -> tuple[np.ndarray, np.ndarray]:
    """Activity codes of both logs on one shared vocabulary (0 .. K-1)."""
    names = pd.Index(np.union1d(real.activity_names.astype(str), sim.activity_names.astype(str)))
    out = []
    for ev in (real, sim):
        lookup = names.get_indexer(ev.activity_names.astype(str))
        out.append(lookup[ev.activity].astype(np.int64))
    return out[0], out[1]


def _sequences(ev: EventArrays, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each case's activity codes padded with -1 into one row (cases by case code), and
    each case's length."""
    lengths = ev.last - ev.first + 1
    rows = np.full((ev.n_cases, int(lengths.max())), -1, np.int64)
    rows[ev.case, np.arange(ev.n_events) - ev.first[ev.case]] = codes
    return rows, lengths


def damerau_levenshtein(a: np.ndarray, la: np.ndarray, b: np.ndarray, lb: np.ndarray
                        ) -> np.ndarray:
    """Unrestricted Damerau-Levenshtein distance of many pairs of sequences at once.

    ``a`` (P, La) and ``b`` (P, Lb) hold non-negative codes padded with anything;
    ``la``, ``lb`` are the true lengths. Transposed neighbours may be edited further
    (the Lowrance-Wagner algorithm, as jellyfish's ``damerau_levenshtein_distance``):
    ``("CA", "ABC")`` is 2. The table is filled one anti-diagonal at a time: where a
    transposition may jump back to (the last earlier row holding ``b[j]``, the last
    earlier column holding ``a[i]``) depends on the sequences only, so it is found first.
    Tables hold the pairs on their last axis. Returns int64 distances, one per pair.
    """
    p, width_a = a.shape
    width_b = b.shape[1]
    small = np.int16 if width_a + width_b + 2 < np.iinfo(np.int16).max else np.int32
    alphabet = int(max(a.max(initial=0), b.max(initial=0))) + 1
    ai = np.where(np.arange(width_a) < la[:, None], a, alphabet).T  # (La, P); pads never match
    bi = np.where(np.arange(width_b) < lb[:, None], b, alphabet + 1).T
    eq = ai[:, None, :] == bi[None, :, :]  # (La, Lb, P)
    rows_1 = np.arange(1, width_a + 1, dtype=small)[:, None, None]
    cols_1 = np.arange(1, width_b + 1, dtype=small)[None, :, None]
    # k: last row i' < i (1-based) with a[i'] == b[j]; l: last column j' < j with b[j'] == a[i]
    k = np.zeros(eq.shape, small)
    k[1:] = np.maximum.accumulate(np.where(eq, rows_1, 0).astype(small), axis=0)[:-1]
    l_ = np.zeros(eq.shape, small)
    l_[:, 1:] = np.maximum.accumulate(np.where(eq, cols_1, 0).astype(small), axis=1)[:, :-1]
    h = np.full((width_a + 2, width_b + 2, p), width_a + width_b + 1, small)
    h[1:, 1] = np.arange(width_a + 1, dtype=small)[:, None]
    h[1, 1:] = np.arange(width_b + 1, dtype=small)[:, None]
    pairs = np.arange(p)[None, :]
    for diag in range(2, width_a + width_b + 1):  # cells (i, j), 1-based, with i + j = diag
        i = np.arange(max(1, diag - width_b), min(width_a, diag - 1) + 1)
        j = diag - i
        kk, ll = k[i - 1, j - 1], l_[i - 1, j - 1]
        best = np.minimum(h[i, j] + ~eq[i - 1, j - 1], h[i + 1, j] + 1)
        np.minimum(best, h[i, j + 1] + 1, out=best)
        trans = h[kk, ll, pairs] + ((i + j - 1)[:, None] - kk - ll)
        h[i + 1, j + 1] = np.minimum(best, trans)
    return h[la + 1, lb + 1, np.arange(p)].astype(np.int64)


def _variant_costs(ra: np.ndarray, la: np.ndarray, rb: np.ndarray, lb: np.ndarray
                   ) -> np.ndarray:
    """Normalised distance (DL / longer length) between every variant of ``ra`` and of
    ``rb``, computed in blocks of pairs of like lengths (little padding)."""
    ia, ib = np.meshgrid(np.arange(len(ra)), np.arange(len(rb)), indexing="ij")
    ia, ib = ia.ravel(), ib.ravel()
    bucket_a, bucket_b = (la[ia] + 3) // 4, (lb[ib] + 3) // 4  # lengths to the next 4
    order = np.lexsort((bucket_b, bucket_a))
    key = bucket_a[order] * (int(bucket_b.max()) + 1) + bucket_b[order]
    bounds = np.flatnonzero(np.r_[True, key[1:] != key[:-1], True])
    out = np.empty(len(ia))
    for lo, hi in pairwise(bounds):
        per_pair = 8 * (4 * bucket_a[order[lo]] + 2) * (4 * bucket_b[order[lo]] + 2)
        step = max(256, _DL_BYTES // int(per_pair))
        for at in range(lo, hi, step):
            take = order[at:min(at + step, hi)]
            pa, pb = ia[take], ib[take]
            wa, wb = int(la[pa].max()), int(lb[pb].max())
            dist = damerau_levenshtein(ra[pa, :wa], la[pa], rb[pb, :wb], lb[pb])
            out[take] = dist / np.maximum(la[pa], lb[pb])
    return out.reshape(len(ra), len(rb))


def _assignment_total(cost: np.ndarray, n_a: np.ndarray, n_b: np.ndarray) -> float:
    """Least total cost of pairing min(sum n_a, sum n_b) cases one to one, where variant
    i of one log has ``n_a[i]`` cases and variant j of the other ``n_b[j]``."""
    total_a, total_b = int(n_a.sum()), int(n_b.sum())
    if total_a * total_b <= ASSIGNMENT_CELLS:
        full = cost[np.repeat(np.arange(len(n_a)), n_a)][:, np.repeat(np.arange(len(n_b)), n_b)]
        r, c = linear_sum_assignment(full)
        return float(full[r, c].sum())
    u, v = cost.shape
    rows_a = sparse.kron(sparse.eye(u), np.ones((1, v)))
    rows_b = sparse.kron(np.ones((1, u)), sparse.eye(v))
    res = linprog(cost.ravel(), A_ub=sparse.vstack([rows_a, rows_b]).tocsr(),
                  b_ub=np.r_[n_a, n_b], A_eq=np.ones((1, u * v)), b_eq=[min(total_a, total_b)],
                  bounds=(0, None), method="highs-ds")
    if res.status != 0:  # pragma: no cover - a transportation problem is always feasible
        raise ParameterError(f"CFLD: the assignment problem failed: {res.message}")
    return float((np.round(res.x) * cost.ravel()).sum())  # simplex vertices are integral


def control_flow_log_distance(real: LogLike, simulated: LogLike) -> float:
    """Control-flow log distance (CFLD), 0 (same traces) to 1.

    Each case is its sequence of activities in completion order (ties keep the log's
    row order); two cases are ``DL / max(len)`` apart (Damerau-Levenshtein, normalised
    by the longer one); cases of the two logs are paired one to one (min of the two
    counts) so that the sum of those distances is least; CFLD is the mean over the pairs.
    """
    a, b = encode(real), encode(simulated)
    ca, cb = _codes(a, b)
    (ra, la), (rb, lb) = _sequences(a, ca), _sequences(b, cb)
    ua, inv_a, n_a = np.unique(ra, axis=0, return_inverse=True, return_counts=True)
    ub, inv_b, n_b = np.unique(rb, axis=0, return_inverse=True, return_counts=True)
    len_a = np.zeros(len(ua), np.int64)
    len_a[inv_a.ravel()] = la
    len_b = np.zeros(len(ub), np.int64)
    len_b[inv_b.ravel()] = lb
    cost = _variant_costs(ua, len_a, ub, len_b)
    return _assignment_total(cost, n_a, n_b) / min(a.n_cases, b.n_cases)


def _n_grams(ev: EventArrays, codes: np.ndarray, n: int) -> np.ndarray:
    """Every n-gram of every case as a row, with n-1 padding symbols (0) at each end."""
    pad = n - 1
    lengths = ev.last - ev.first + 1
    seg_start = ev.first + 2 * pad * np.arange(ev.n_cases)
    padded = np.zeros(ev.n_events + 2 * pad * ev.n_cases, np.int64)
    padded[np.arange(ev.n_events) + pad * (2 * ev.case + 1)] = codes + 1
    per_case = lengths + pad
    starts = np.repeat(seg_start, per_case) + (np.arange(per_case.sum())
                                               - np.repeat(np.cumsum(per_case) - per_case,
                                                           per_case))
    return padded[starts[:, None] + np.arange(n)]


def n_gram_distance(real: LogLike, simulated: LogLike, n: int = 3) -> float:
    """N-gram distribution distance, 0 (same n-gram counts) to 1 (none in common).

    The n-grams of a case are its windows of ``n`` consecutive activities after adding
    ``n - 1`` artificial symbols at its start and end; the distance is
    ``sum |count_real - count_sim| / (total_real + total_sim)`` over all n-grams.
    """
    if not isinstance(n, int) or n < 1:
        raise ParameterError(f"n: found {n!r}; expected a whole number >= 1")
    a, b = encode(real), encode(simulated)
    ca, cb = _codes(a, b)
    ga, gb = _n_grams(a, ca, n), _n_grams(b, cb, n)
    _, inv = np.unique(np.vstack([ga, gb]), axis=0, return_inverse=True)
    inv = inv.ravel()
    size = int(inv.max()) + 1
    fa = np.bincount(inv[:len(ga)], minlength=size)
    fb = np.bincount(inv[len(ga):], minlength=size)
    return float(np.abs(fa - fb).sum() / (fa.sum() + fb.sum()))


def cycle_time_emd(real: LogLike, simulated: LogLike) -> float:
    """Cycle-time distance in hours: Wasserstein distance of the cases' durations (first to
    last completion), each binned as ``floor((duration - shortest) / 1 h)``, where
    ``shortest`` is the shortest duration in either log."""
    spans = [completion_span(encode(lg)) for lg in (real, simulated)]
    dur = [last - first for first, last in spans]
    low = min(int(d.min()) for d in dur)
    return float(wasserstein_distance(*[(d - low) // HOUR_US for d in dur]))


def case_arrival_emd(real: LogLike, simulated: LogLike) -> float:
    """Case-arrival distance in hours: Wasserstein distance of the cases' arrivals (first
    completion), binned by the whole hours since the earliest arrival of either log,
    floored to its hour."""
    arrivals = [completion_span(encode(lg))[0] for lg in (real, simulated)]
    origin = min(int(t.min()) for t in arrivals) // HOUR_US * HOUR_US
    return float(wasserstein_distance(*[(t - origin) // HOUR_US for t in arrivals]))


def circadian_event_emd(real: LogLike, simulated: LogLike, timezone: str = "UTC") -> float:
    """Circadian event distance in hours (0-23): per weekday, the Wasserstein distance of
    the hour of day (``timezone``'s clock) of every completion; the mean over the seven
    weekdays, where a weekday without events in both logs counts 0 and one without events
    in only one log counts 23, the largest distance."""
    expected = unknown_zone(timezone)
    if expected:
        raise ParameterError(f"timezone: found {timezone!r}; expected {expected}")
    clocks = []
    for lg in (real, simulated):
        local = pd.to_datetime(encode(lg).time, unit="us", utc=True).tz_convert(timezone)
        clocks.append((np.asarray(local.day_of_week), np.asarray(local.hour)))
    days = []
    for day in range(7):
        ha, hb = (hour[weekday == day] for weekday, hour in clocks)
        if len(ha) and len(hb):
            days.append(wasserstein_distance(ha, hb))
        else:
            days.append(23.0 if len(ha) or len(hb) else 0.0)
    return float(np.mean(days))


def relative_event_emd(real: LogLike, simulated: LogLike) -> float:
    """Relative event distance in hours: Wasserstein distance of every completion's whole
    hours since its case's first completion."""
    rel = []
    for lg in (real, simulated):
        ev = encode(lg)
        rel.append((ev.time - completion_span(ev)[0][ev.case]) // HOUR_US)
    return float(wasserstein_distance(*rel))


#: Each measure of :func:`log_distances`: its function and unit.
LOG_DISTANCES: dict[str, tuple[Callable[..., float], str]] = {
    "control_flow_log_distance": (control_flow_log_distance, "0-1"),
    "n_gram_distance": (n_gram_distance, "0-1"),
    "cycle_time_emd": (cycle_time_emd, "h"),
    "case_arrival_emd": (case_arrival_emd, "h"),
    "circadian_event_emd": (circadian_event_emd, "h"),
    "relative_event_emd": (relative_event_emd, "h"),
}


def log_distances(real: LogLike, simulated: LogLike, *, timezone: str = "UTC"
                  ) -> pd.DataFrame:
    """All the measures of :data:`LOG_DISTANCES` as a table (``measure``, ``distance``,
    ``unit``); ``timezone`` is the clock of the circadian measure. Each log is encoded once.
    """
    a, b = encode(real), encode(simulated)
    rows = []
    for name, (func, unit) in LOG_DISTANCES.items():
        extra = {"timezone": timezone} if func is circadian_event_emd else {}
        rows.append({"measure": name, "distance": func(a, b, **extra), "unit": unit})
    return pd.DataFrame(rows, columns=["measure", "distance", "unit"])
