"""Log distance measures: the reference package's own answers, and hand-computed cases.

tests/fixtures/log_distance_reference.json was written by the ``log-distance-measures``
package (tests/fixtures/make_log_distance_reference.py says how to re-run it). Every
value must match to 1e-9: both sides compute the same integer histograms and call the
same Wasserstein distance; CFLD differs only in the order of a float sum.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from modlean.errors import LogError, ParameterError
from modlean.eventlog import read_log
from modlean.process import log_distance as ld
from modlean.process import log_distances

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REFERENCE = json.loads((FIXTURES / "log_distance_reference.json").read_text())
PAIRS = [(p["real"], p["simulated"], p["measures"]) for p in REFERENCE["pairs"]]


def _log(stem: str) -> pd.DataFrame:
    return read_log(FIXTURES / f"{stem}.csv")


def _events(cases: dict[str, list[tuple[str, str]]]) -> pd.DataFrame:
    """A canonical log from {case: [(activity, UTC time), ...]}."""
    rows = [(c, a, t) for c, evs in cases.items() for a, t in evs]
    frame = pd.DataFrame(rows, columns=["case_id", "activity", "timestamp"])
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True).astype("datetime64[us, UTC]")
    return frame


def test_reference_was_made_by_the_pinned_package():
    assert REFERENCE["package"] == "log-distance-measures"
    assert REFERENCE["version"] == "2.2.0"
    assert len(PAIRS) >= 4 and len(REFERENCE["damerau_levenshtein"]) >= 100


@pytest.mark.parametrize(("real", "sim", "expected"), PAIRS, ids=[f"{r}-{s}" for r, s, _ in PAIRS])
def test_every_measure_matches_the_reference_package(real, sim, expected):
    got = log_distances(_log(real), _log(sim)).set_index("measure")["distance"]
    assert set(got.index) == set(expected)
    for name, value in expected.items():
        assert got[name] == pytest.approx(value, abs=1e-9, rel=0), name


@pytest.mark.parametrize(("real", "sim", "expected"), PAIRS, ids=[f"{r}-{s}" for r, s, _ in PAIRS])
def test_cfld_as_a_transportation_problem_gives_the_same_optimum(real, sim, expected,
                                                                  monkeypatch):
    monkeypatch.setattr(ld, "ASSIGNMENT_CELLS", 0)  # force the variant-level LP
    got = ld.control_flow_log_distance(_log(real), _log(sim))
    assert got == pytest.approx(expected["control_flow_log_distance"], abs=1e-9, rel=0)


def test_the_fixtures_hold_the_awkward_bits():
    real = _log("ld_real_1")
    size = real.groupby("case_id").size()
    assert (size == 1).sum() >= 3  # cases of one event
    assert real.duplicated(["case_id", "timestamp"]).any()  # equal times in a case
    days = real.groupby("case_id")["timestamp"].agg(lambda t: t.dt.date.nunique())
    assert (days > 1).any()  # cases across midnight
    assert set(_log("ld_sim_1")["activity"]) ^ set(real["activity"])  # other activity sets


def test_damerau_levenshtein_matches_jellyfish():
    pairs = REFERENCE["damerau_levenshtein"]
    codes = {c: i for i, c in enumerate("abcd")}

    def pad(words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        width = max(map(len, words))
        out = np.zeros((len(words), width), np.int64)
        for i, w in enumerate(words):
            out[i, :len(w)] = [codes[c] for c in w]
        return out, np.array([len(w) for w in words])

    a, la = pad([p["a"] for p in pairs])
    b, lb = pad([p["b"] for p in pairs])
    got = ld.damerau_levenshtein(a, la, b, lb)
    assert got.tolist() == [p["distance"] for p in pairs]


def test_damerau_levenshtein_by_hand():
    # "CA" -> "ABC": unrestricted DL is 2 (swap to AC, insert B); the restricted one says 3
    a, b = np.array([[2, 0]]), np.array([[0, 1, 2]])
    assert ld.damerau_levenshtein(a, np.array([2]), b, np.array([3])).tolist() == [2]
    a, b = np.array([[0, 1], [0, 0]]), np.array([[1, 0], [1, 1]])
    assert ld.damerau_levenshtein(a, np.array([2, 2]), b, np.array([2, 2])).tolist() == [1, 2]


def test_cfld_pairs_cases_at_least_cost_by_hand():
    real = _events({"r1": [("a", "2026-03-02 10:00"), ("b", "2026-03-02 11:00"),
                           ("c", "2026-03-02 12:00")],
                    "r2": [("a", "2026-03-02 10:00"), ("c", "2026-03-02 11:00")]})
    sim = _events({"s1": [("a", "2026-03-02 10:00"), ("c", "2026-03-02 11:00"),
                          ("b", "2026-03-02 12:00")],
                   "s2": [("a", "2026-03-02 10:00"), ("c", "2026-03-02 11:00")]})
    # abc~acb costs 1/3 and ac~ac 0: mean 1/6 (the crossed pairing would give 1/3)
    assert ld.control_flow_log_distance(real, sim) == pytest.approx(1 / 6)
    assert ld.control_flow_log_distance(real, real) == 0.0


def test_n_grams_by_hand():
    a = _events({"x": [("a", "2026-03-02 10:00")]})
    b = _events({"y": [("b", "2026-03-02 10:00")]})
    assert ld.n_gram_distance(a, b) == 1.0  # 00a 0a0 a00 vs 00b 0b0 b00
    two = _events({"x": [("a", "2026-03-02 10:00"), ("b", "2026-03-02 11:00")]})
    # 00a 0ab ab0 b00 vs 00a 0a0 a00: 00a in common, 5 + 2 differ out of 7
    assert ld.n_gram_distance(two, a) == pytest.approx(5 / 7)
    assert ld.n_gram_distance(two, a, n=1) == pytest.approx(1 / 3)
    with pytest.raises(ParameterError, match="expected a whole number >= 1"):
        ld.n_gram_distance(two, a, n=0)


def test_time_measures_by_hand():
    real = _events({"r1": [("a", "2026-03-02 10:30"), ("b", "2026-03-02 10:30")],
                    "r2": [("a", "2026-03-02 12:10"), ("b", "2026-03-02 14:40")]})
    sim = _events({"s1": [("a", "2026-03-02 11:59"), ("b", "2026-03-02 12:59")]})
    # durations 0 h, 2.5 h vs 1 h: bins 0, 2 vs 1
    assert ld.cycle_time_emd(real, sim) == pytest.approx(1.0)
    # arrivals 10:30, 12:10 vs 11:59 from 10:00: bins 0, 2 vs 1
    assert ld.case_arrival_emd(real, sim) == pytest.approx(1.0)
    # hours since case start: 0, 0, 0, 2 vs 0, 1
    assert ld.relative_event_emd(real, sim) == pytest.approx(0.5)
    # Monday hours 10, 10, 12, 14 vs 11, 12: 0.5 x 1 h + 0.25 x 2 h, one day in seven
    assert ld.circadian_event_emd(real, sim) == pytest.approx(1 / 7)
    tuesday = _events({"s1": [("a", "2026-03-03 11:00")]})
    assert ld.circadian_event_emd(real, tuesday) == pytest.approx(46 / 7)  # 23 on each day
    # the same instants on a clock 3 hours ahead shift the circadian hours, not the others
    assert ld.circadian_event_emd(real, sim, timezone="Europe/Moscow") == pytest.approx(1 / 7)


def test_the_table_names_every_measure_with_its_unit():
    log = _log("ld_real_2")
    table = log_distances(log, log)
    assert table["measure"].tolist() == list(ld.LOG_DISTANCES)
    assert (table["distance"] == 0).all()
    assert set(table["unit"]) == {"0-1", "h"}


def test_an_empty_log_is_refused():
    empty = _events({}).iloc[:0]
    with pytest.raises(LogError, match="no events"):
        log_distances(empty, _log("ld_real_2"))
