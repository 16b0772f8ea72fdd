"""A status history (one row per status change) imported with a drafted profile.

The export is made by the seeded generator in tests/status_history.py (a Spanish
BPO's audit log: NUEVO, ASIGNADO, EN CURSO, APROBADO, RECHAZADO, ESCALADO,
APELACIÓN; rows shuffled). The generator knows every piece of review work, so
the imported log is compared with it: one review event per decision, started at
EN CURSO and completed at the decision.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from status_history import FIRST_REVIEW_MEAN, make_history

from modlean.cli import main
from modlean.errors import LogError
from modlean.eventlog import guess_profile, import_export, load_profile, profile_yaml

START = {"activity": "review", "lifecycle": "start"}
DONE = {"activity": "review", "lifecycle": "complete"}


@pytest.fixture(scope="module")
def history():
    return make_history()


def _write(frame: pd.DataFrame, path) -> str:
    frame.to_csv(path, sep=";", index=False)
    return str(path)


@pytest.fixture
def export(history, tmp_path):
    return _write(history.export, tmp_path / "historial_estados.csv")


def test_the_profile_is_drafted_as_a_status_history(export):
    guess = guess_profile(export)
    assert guess["shape"] == "events"
    assert guess["case"] == {"id": "Ticket", "links": ["Ticket padre"]}
    assert guess["event"] == {"activity": "Estado", "timestamp": "Fecha cambio",
                              "resource": "Usuario"}
    assert guess["statuses"] == {"NUEVO": "created", "ASIGNADO": "assigned", "EN CURSO": START,
                                 "APROBADO": DONE, "RECHAZADO": DONE, "ESCALADO": DONE,
                                 "APELACIÓN": "appeal_opened"}
    assert guess["decision"] == {"column": "Estado", "values": {
        "NUEVO": None, "ASIGNADO": None, "EN CURSO": None, "APROBADO": "approve",
        "RECHAZADO": "reject", "ESCALADO": "escalate", "APELACIÓN": None}}
    assert guess["label"] == "Motivo" and guess["score"] == "Puntuación modelo"
    assert guess["attributes"] == {"item_type": "Categoría"}
    assert any("cases have statuses at the same time" in f for f in guess.findings)
    text = profile_yaml(guess)
    assert yaml.safe_load(text) == dict(guess)
    assert load_profile(yaml.safe_load(text)).statuses["EN CURSO"].lifecycle == "start"


def _drafted(export: str, tmp_path) -> str:
    """The drafted profile, with the one edit a user makes: appeals named apart."""
    text = profile_yaml(guess_profile(export))
    path = tmp_path / "perfil.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_one_review_per_decision_from_start_to_complete(history, export, tmp_path):
    result = import_export(export, _drafted(export, tmp_path))
    log, report = result.log, result.report
    reviews = log[log["activity"] == "review"]
    decisions = history.export["Estado"].isin(["APROBADO", "RECHAZADO", "ESCALADO"]).sum()
    assert len(reviews) == decisions
    timed = reviews[reviews["start_timestamp"].notna()]
    got = pd.DataFrame({"case_id": timed["case_id"].astype(str),
                        "resource": timed["resource"].astype(str),
                        "start": timed["start_timestamp"], "end": timed["timestamp"]})
    want = history.reviews[["case_id", "resource", "start", "end"]]
    key = ["case_id", "start"]
    pd.testing.assert_frame_equal(got.sort_values(key).reset_index(drop=True),
                                  want.sort_values(key).reset_index(drop=True),
                                  check_dtype=False)
    assert report.value("statuses", "paired") == len(history.reviews)
    assert report.value("statuses", "starts without a complete") == 0
    assert report.value("statuses", "completes without a start") == history.automatic
    assert report.value("statuses", "EN CURSO") == (history.export["Estado"] == "EN CURSO").sum()
    assert not [w for w in report.warnings if w.code == "unpaired_status"]
    # decisions sit on the review events only; the other statuses carry none
    assert log.loc[log["activity"] != "review", "decision"].isna().all()
    assert set(reviews["decision"].dropna()) == {"approve", "reject", "escalate"}


def test_handling_per_first_review_matches_the_generator(history, export, tmp_path):
    log = import_export(export, _drafted(export, tmp_path)).log
    first = history.reviews.loc[history.reviews["first"], ["case_id", "start"]]
    timed = log[(log["activity"] == "review") & log["start_timestamp"].notna()]
    both = timed.assign(start=timed["start_timestamp"]).merge(first, on=["case_id", "start"])
    minutes = (both["timestamp"] - both["start"]).dt.total_seconds() / 60
    assert len(minutes) == len(first)
    # gamma(2, 3.5): mean 7 min, sd 4.95 min; the mean of n draws within 3 standard errors
    assert abs(minutes.mean() - FIRST_REVIEW_MEAN) < 3 * np.sqrt(2) * 3.5 / np.sqrt(len(minutes))
    # the three gaps between statuses would have made it several times longer
    assert minutes.mean() < 2 * FIRST_REVIEW_MEAN


def test_ties_follow_the_declared_order_not_the_file(history, tmp_path):
    logs = []
    for order_seed in (1, 2):
        shuffled = make_history(order_seed=order_seed).export
        path = _write(shuffled, tmp_path / f"h{order_seed}.csv")
        logs.append(import_export(path, _drafted(path, tmp_path)).log)
    pd.testing.assert_frame_equal(logs[0], logs[1])
    log = logs[0]
    tied = log[log["case_id"].isin(history.tied)]
    firsts = tied.groupby("case_id", observed=True)["activity"].agg(lambda a: list(a)[:2])
    assert len(firsts) == len(history.tied) > 0
    assert all(f == ["created", "assigned"] for f in firsts)


def test_ties_follow_decision_values_without_statuses(tmp_path):
    frame = pd.DataFrame({"case": ["a", "a", "b", "b"], "step": ["review"] * 4,
                          "verdict": ["REJECT", "APPROVE", "APPROVE", "REJECT"],
                          "at": ["2026-03-02T09:00:00Z"] * 4})
    path = _write(frame, tmp_path / "ev.csv")
    prof = {"shape": "events", "case": {"id": "case"},
            "event": {"activity": "step", "timestamp": "at"},
            "decision": {"column": "verdict", "values": {"APPROVE": "approve",
                                                         "REJECT": "reject"}}}
    log = import_export(path, prof).log
    assert list(log["decision"]) == ["approve", "reject", "approve", "reject"]


def test_a_status_that_is_no_verdict_maps_to_null_and_unknown_ones_are_listed(tmp_path):
    frame = pd.DataFrame({"case": ["a", "a", "b", "b", "b"],
                          "status": ["NEW", "DONE", "NEW", "OPEN", "OPEN"],
                          "at": [f"2026-03-02T09:0{i}:00Z" for i in range(5)]})
    path = _write(frame, tmp_path / "ev.csv")
    prof = {"shape": "events", "case": {"id": "case"},
            "event": {"activity": "status", "timestamp": "at"},
            "decision": {"column": "status", "values": {"NEW": None, "DONE": "approve"}}}
    with pytest.raises(LogError, match=r"\[unknown_verdict\].*'OPEN' \(2 rows\)"):
        import_export(path, prof)
    prof["decision"]["values"]["OPEN"] = None
    log = import_export(path, prof).log
    assert list(log["decision"].astype(object).where(log["decision"].notna(), None)) == \
        [None, "approve", None, None, None]


def _mini(**statuses) -> dict:
    return {"shape": "events", "case": {"id": "case"},
            "event": {"activity": "status", "timestamp": "at", "resource": "who"},
            "statuses": statuses}


MINI = pd.DataFrame({"case": ["a", "a", "a", "b", "b"],
                     "status": ["NEW", "WORKING", "DONE", "WORKING", "DONE"],
                     "who": ["sys", "x", "x", "x", "y"],
                     "at": [f"2026-03-02T09:0{i}:00Z" for i in range(5)]})


def test_unpaired_starts_and_completes_are_counted_and_warned(tmp_path):
    path = _write(MINI, tmp_path / "ev.csv")
    report = import_export(path, _mini(NEW="drop", WORKING=START, DONE=DONE)).report
    assert report.value("statuses", "NEW") == 1
    assert report.table.query("item == 'NEW'")["note"].item() == "dropped"
    assert report.value("statuses", "paired") == 1
    assert report.value("statuses", "starts without a complete") == 1
    assert report.value("statuses", "completes without a start") == 1
    unpaired = [w for w in report.warnings if w.code == "unpaired_status"]
    assert [w.share for w in unpaired] == [0.5, 0.5]
    assert "1 of 2 starts have no complete" in unpaired[0].message


@pytest.mark.parametrize(("statuses", "message"), [
    ({"NEW": "created", "WORKING": {"activity": "review", "lifecyle": "start"}, "DONE": DONE},
     r"statuses\.WORKING\.lifecyle: unknown key 'lifecyle'; did you mean 'lifecycle'"),
    ({"NEW": "created", "WORKNG": START, "DONE": DONE},
     r"\[unmapped_status\].*'WORKING' \(2 rows\).*did you mean 'WORKNG'"),
    ({"NEW": "created", "WORKING": START, "DONE": "review"},
     None),
    ({"NEW": "created", "WORKING": START, "DONE": "closed"},
     r"activity 'review' has a start status \('WORKING'\) but no complete status"),
    ({"NEW": None, "WORKING": START, "DONE": DONE},
     r"status 'NEW' maps to nothing; expected an activity name"),
    ({"NEW": "created", "WORKING": {"activity": "review", "lifecycle": "begin"}, "DONE": DONE},
     r"statuses\.WORKING\.lifecycle: found 'begin'"),
])
def test_bad_statuses_are_one_clear_error(tmp_path, statuses, message):
    path = _write(MINI, tmp_path / "ev.csv")
    if message is None:  # a plain status of an activity with a start status completes it
        report = import_export(path, _mini(**statuses)).report
        assert report.value("statuses", "paired") == 1
        return
    with pytest.raises(LogError, match=message):
        import_export(path, _mini(**statuses))


QUEUED = pd.DataFrame({
    "Pratica": ["P1"] * 6 + ["P2"] * 3,
    "Stato": ["Nuova", "In lavorazione", "Escalata", "In lavorazione", "Rifiutata", "Ricorso",
              "Nuova", "In lavorazione", "Approvata"],
    "Coda": ["", "L1-IT", "L1-IT", "L2-SPEC", "L2-SPEC", "RICORSI", "", "L1-IT", "L1-IT"],
    "Operatore": ["sistema", "op.rossi", "Op.Rossi ", "spec.gallo", "spec.gallo", "venditore",
                  "sistema", "op.rossi", "op.rossi"],
    "at": ["2026-03-02T09:00:00Z", "2026-03-02T09:10:00Z", "2026-03-02T09:15:00Z",
           "2026-03-02T11:00:00Z", "2026-03-02T11:20:00Z", "2026-03-03T10:00:00Z",
           "2026-03-02T09:30:00Z", "2026-03-02T09:40:00Z", "2026-03-02T09:44:00Z"]})


def test_a_status_history_with_a_queue_column_makes_each_queues_stage(tmp_path):
    """The same statuses in every queue: event.queue gives each review its queue's stage,
    and a login written in two ways is one person (so the start and the verdict pair)."""
    path = _write(QUEUED, tmp_path / "pratiche.csv")
    prof = {"shape": "events", "case": {"id": "Pratica"},
            "event": {"activity": "Stato", "timestamp": "at", "resource": "Operatore",
                      "queue": "Coda"},
            "queues": {"L1-IT": {"stage": "review_l1", "pool": "l1"},
                       "L2-SPEC": {"stage": "review_l2", "pool": "l2"},
                       "RICORSI": {"stage": "appeal_review", "pool": "appeals"}},
            "statuses": {"Nuova": "created", "In lavorazione": START, "Escalata": DONE,
                         "Rifiutata": DONE, "Approvata": DONE, "Ricorso": "appeal_opened"},
            "resources": {"sistema": "system", "venditore": "seller"}}
    result = import_export(path, prof)
    log = result.log.assign(activity=lambda f: f["activity"].astype(str))
    reviews = log[log["start_timestamp"].notna()]
    assert list(zip(reviews["case_id"], reviews["activity"], reviews["pool"].astype(str),
                    reviews["resource"].astype(str), strict=True)) == [
        ("P1", "review_l1", "l1", "op.rossi"), ("P1", "review_l2", "l2", "spec.gallo"),
        ("P2", "review_l1", "l1", "op.rossi")]
    assert (reviews["timestamp"] - reviews["start_timestamp"]).dt.total_seconds().tolist() \
        == [300, 1200, 240]
    report = result.report
    assert report.value("statuses", "paired") == 3
    assert report.value("vocabulary", "logins merged") == 1
    assert "'Op.Rossi' -> 'op.rossi' (1 row)" in report.table.query("item == 'logins merged'")[
        "note"].item()
    # without the queue column the statuses and queues: would both map the activity
    with pytest.raises(LogError, match=r"or event\.queue: the column queues: maps"):
        load_profile({**prof, "event": {"activity": "Stato", "timestamp": "at"}})


def test_statuses_need_an_events_shape_and_no_queues():
    base = {"case": {"id": "t"}, "statuses": {"A": "a"}}
    with pytest.raises(LogError, match="statuses: only for shape: events"):
        load_profile({**base, "shape": "tasks", "task": {"queue": "q", "closed": "c"}})
    with pytest.raises(LogError, match="statuses: and queues: both map the activity column"):
        load_profile({**base, "shape": "events", "queues": {"A": {"stage": "a"}}})
    with pytest.raises(LogError, match=r"event\.lifecycle: statuses: already says"):
        load_profile({**base, "shape": "events", "event": {"lifecycle": "lc"}})


def test_cli_profile_then_import(export, tmp_path, capsys):
    prof = tmp_path / "perfil.yaml"
    assert main(["profile", export, "--out", str(prof)]) == 0
    out = tmp_path / "events.parquet"
    assert main(["import", export, "--profile", str(prof), "--out", str(out)]) == 0
    assert "paired:" in capsys.readouterr().out
    assert pd.read_parquet(out)["start_timestamp"].notna().any()
    bad = tmp_path / "bad.yaml"
    bad.write_text(prof.read_text(encoding="utf-8").replace("EN CURSO: {", "EN CURS: {"),
                   encoding="utf-8")
    out2 = tmp_path / "bad.parquet"
    assert main(["import", export, "--profile", str(bad), "--out", str(out2)]) == 2
    assert "[unmapped_status]" in capsys.readouterr().err
    assert not out2.exists()


def test_calibration_takes_review_handling_from_starts_and_assignments_as_no_work(
        history, export, tmp_path):
    """The drafted profile keeps ASIGNADO as an event: calibration must not take the gap
    before it (the queue) as work, and the review's handling is the generator's."""
    from modlean.decisions import calibrate

    log = import_export(export, _drafted(export, tmp_path)).log
    cal = calibrate(log, timezone="Europe/Madrid")
    handling = cal.handling.set_index("activity")
    assert set(handling.loc[["assigned"], "basis"]) == {"instant"}
    assert (handling.loc[["assigned"], "mean_s"] <= 1).all()
    review = cal.handling[cal.handling["activity"] == "review"]
    assert (review["basis"] == "start/complete").all()
    assert any("'assigned'" in n and "status changes" in n for n in cal.notes)
