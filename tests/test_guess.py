"""Guessing a source profile (``modlean profile``) from exports in the shapes vendors write.

The exports are made here by a seeded generator in the shape of a BPO review
tool's export: one row per task, the vendor's own queue names, parent tickets,
APPROVE/REJECT/ESCALATE, reason codes, a model score with a decimal comma,
PASS/FAIL QA, semicolons and day-first local times, written by pandas with its
unnamed index column. Agents work one task at a time but ``picked_up`` is the
assignment, so it often comes before the agent closed the previous task.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from modlean.cli import main
from modlean.errors import LogError
from modlean.eventlog import (
    GuessedProfile,
    guess_profile,
    import_export,
    profile_yaml,
    read_log,
    shape_warnings,
)

#: Keys the profile format knows (docs/intake.md), section by section.
SPEC_KEYS = {
    "": {"shape", "locale", "case", "task", "event", "queues", "statuses", "decision", "label",
         "score", "attributes", "qa"},
    "locale": {"sep", "decimal", "thousands", "dayfirst", "timezone", "encoding"},
    "case": {"id", "links"},
    "task": {"queue", "resource", "created", "started", "started_means", "closed"},
    "event": {"case_id", "activity", "timestamp", "start_timestamp", "resource", "lifecycle"},
    "decision": {"column", "values"},
    "qa": {"verdict", "values", "reason", "time", "reviewer"},
}
QUEUES = ["T1-LISTING-DE", "T2-SPECIALIST", "IPR-LEGAL", "APPEALS-DE", "AUTO"]


def make_tasks(seed: int = 7, agents: int = 6, per_agent: int = 40,
               time_format: str = "%d.%m.%Y %H:%M", assigned: bool = True,
               first_day: str = "2025-03-24") -> pd.DataFrame:
    """A task-table export: human tasks worked back to back per agent; ``picked_up`` is the
    assignment (before the work starts) or, with ``assigned=False``, the real start."""
    rng = np.random.default_rng(seed)
    handle = rng.gamma(2.0, 6.0, (agents, per_agent)) + 2  # minutes
    gap = rng.uniform(0, 3, (agents, per_agent))
    start = np.cumsum(handle + gap, axis=1) - handle  # work starts when the previous closed
    close = start + handle
    picked = start - rng.uniform(2, 30, start.shape) * assigned
    created = picked - rng.uniform(5, 240, start.shape)
    t0 = pd.Timestamp(f"{first_day} 07:00")
    n = agents * per_agent
    human = pd.DataFrame({
        "agent": np.repeat([f"bpo.de.{i:02d}" for i in range(agents)], per_agent),
        "created": created.ravel(), "picked_up": picked.ravel(), "closed": close.ravel(),
        "queue": rng.choice(QUEUES[:4], n, p=[0.6, 0.2, 0.1, 0.1]),
    })
    auto = pd.DataFrame({"agent": "", "created": rng.uniform(0, close.max(), 60),
                         "queue": "AUTO"})
    auto["picked_up"] = auto["created"]
    auto["closed"] = auto["created"] + 0.05
    frame = pd.concat([human, auto], ignore_index=True).sort_values("created",
                                                                    ignore_index=True)
    m = len(frame)
    frame.insert(0, "ticket_id", [f"DE{900000 + i}" for i in range(m)])
    # escalations and appeals point to an earlier ticket (a chain: appeal -> escalation -> task)
    linked = frame["queue"].isin(["T2-SPECIALIST", "APPEALS-DE"]).to_numpy()
    parent = np.where(linked, frame["ticket_id"].shift(3).fillna(""), "")
    frame.insert(1, "parent_ticket", parent)
    for col in ("created", "picked_up", "closed"):
        frame[col] = (t0 + pd.to_timedelta(frame[col], unit="min")).dt.strftime(time_format)
    verdict = rng.choice(["APPROVE", "REJECT", "ESCALATE"], m, p=[0.6, 0.3, 0.1])
    frame["verdict"] = verdict
    frame["reason_code"] = np.where(verdict == "REJECT",
                                    rng.choice(["PROHIB-12", "IPR-03", "MISLEAD-7"], m), "")
    score = rng.uniform(0, 1, m).round(3)
    frame["model_score"] = [f"{s:.3f}".replace(".", ",") for s in score]
    frame["auto"] = np.where(frame["queue"].eq("AUTO"), "Y", "N")
    frame["market"] = "DE"
    frame["category"] = rng.choice(["listing", "content"], m)
    checked = rng.random(m) < 0.25
    frame["qa_result"] = np.where(checked, rng.choice(["PASS", "FAIL"], m, p=[0.85, 0.15]), "")
    frame["qa_fail_reason"] = np.where(frame["qa_result"].eq("FAIL"), "WRONG_POLICY", "")
    frame["qa_agent"] = np.where(checked, "qa.de.01", "")
    frame["qa_time"] = np.where(checked, frame["closed"], "")
    return frame


@pytest.fixture
def export(tmp_path):
    """The task export as pandas writes it: semicolons, index column, decimal commas."""
    path = tmp_path / "de_tasks.csv"
    make_tasks().to_csv(path, sep=";")
    return path


def spec_keys_only(profile: dict) -> None:
    assert set(profile) <= SPEC_KEYS[""], set(profile) - SPEC_KEYS[""]
    for section, keys in SPEC_KEYS.items():
        if section and section in profile:
            assert set(profile[section]) <= keys, (section, set(profile[section]) - keys)


def test_task_export_guessed(export):
    guess = guess_profile(export)
    assert isinstance(guess, GuessedProfile) and isinstance(guess, dict)
    spec_keys_only(guess)
    assert guess["shape"] == "tasks"
    assert guess["case"] == {"id": "ticket_id", "links": ["parent_ticket"]}
    assert guess["locale"] == {"sep": ";", "decimal": ",", "dayfirst": True,
                               "encoding": "utf-8"}
    assert guess["task"] == {"queue": "queue", "resource": "agent", "created": "created",
                             "started": "picked_up", "started_means": "assigned",
                             "closed": "closed"}
    assert guess["queues"] == {
        "T1-LISTING-DE": {"stage": "review_l1", "pool": "l1_listing"},
        "T2-SPECIALIST": {"stage": "review_l2", "pool": "l2_policy"},
        "IPR-LEGAL": {"stage": "review_ipr", "pool": "ipr"},
        "APPEALS-DE": {"stage": "appeal_review", "pool": "appeals"},
        "AUTO": {"stage": "auto_screen", "pool": "model", "automated": True},
    }
    assert guess["decision"] == {"column": "verdict", "values": {
        "APPROVE": "approve", "REJECT": "reject", "ESCALATE": "escalate"}}
    assert guess["label"] == "reason_code" and guess["score"] == "model_score"
    assert guess["qa"] == {"verdict": "qa_result", "values": {"PASS": "pass", "FAIL": "fail"},
                           "reason": "qa_fail_reason", "time": "qa_time",
                           "reviewer": "qa_agent"}
    assert guess["attributes"] == {"auto": "auto", "market": "market", "item_type": "category"}
    # what the data cannot tell is left to the user, and said
    assert "timezone" not in guess["locale"]
    assert any("timezone" in line and "TODO" in line for line in guess.pending["locale"])
    assert any("index pandas" in f for f in guess.findings)
    assert "assignment" in guess.comments["task.started_means"]


def test_yaml_is_valid_commented_and_round_trips(export):
    guess = guess_profile(export)
    text = profile_yaml(guess)
    assert yaml.safe_load(text) == dict(guess)
    assert "CONFIRM" in text and "TODO" in text and "docs/intake.md" in text
    assert text.count("{stage:") == 5  # one line per queue
    # the user uncomments the pending time zone: the file is still valid and says it
    edited = text.replace("  # timezone: <zone>", "  timezone: Europe/Berlin")
    assert yaml.safe_load(edited)["locale"]["timezone"] == "Europe/Berlin"


def test_yaml_quotes_what_yaml_would_misread():
    profile = {"shape": "tasks", "locale": {"sep": "\t", "dayfirst": False},
               "queues": {"NO": {"stage": None, "pool": None}, "A, B": {"stage": "x: y",
                                                                        "pool": "10"}},
               "decision": {"column": "verdict", "values": {"YES": "approve", "#1": "reject"}}}
    text = profile_yaml(profile, comments={"queues.NO": "TODO: name its stage"})
    assert yaml.safe_load(text) == profile
    assert "# TODO: name its stage" in text


def test_unknown_queue_left_for_the_user(tmp_path):
    frame = make_tasks()
    frame.loc[frame["queue"].eq("IPR-LEGAL"), "queue"] = "BUCKET-7"
    path = tmp_path / "x.csv"
    frame.to_csv(path, sep=";", index=False)
    guess = guess_profile(path)
    assert guess["queues"]["BUCKET-7"] == {"stage": None, "pool": None}
    assert guess.comments["queues.BUCKET-7"].count("TODO") == 1
    assert "index pandas" not in " ".join(guess.findings)


def test_started_means_started_when_agents_never_overlap(tmp_path):
    path = tmp_path / "x.csv"
    make_tasks(assigned=False).to_csv(path, index=False)
    guess = guess_profile(path)
    assert guess["task"]["started"] == "picked_up"
    assert guess["task"]["started_means"] == "started"
    assert "real start" in guess.comments["task.started_means"]


def test_day_order_and_zone_from_the_values(tmp_path):
    iso = make_tasks(time_format="%Y-%m-%dT%H:%M:%S+01:00")
    path = tmp_path / "iso.csv"
    iso.to_csv(path, index=False)
    guess = guess_profile(path)
    assert "dayfirst" not in guess["locale"] and guess["locale"]["sep"] == ","
    assert "locale" not in guess.pending  # offsets: no zone to ask for
    # March 3rd to 12th: no day over 12, so the order cannot be told
    early = make_tasks(time_format="%d/%m/%Y %H:%M", first_day="2025-03-03")
    path = tmp_path / "early.csv"
    early.to_csv(path, index=False)
    guess = guess_profile(path)
    assert "dayfirst" not in guess["locale"]
    assert any("dayfirst" in line and "cannot tell" in line for line in guess.pending["locale"])


def test_canonical_event_log_guessed_as_events(root):
    guess = guess_profile(root / "data" / "UK" / "events.csv")
    spec_keys_only(guess)
    assert guess["shape"] == "events"
    assert guess["case"] == {"id": "case_id"}
    assert guess["event"] == {"activity": "activity", "timestamp": "timestamp",
                              "start_timestamp": "start_timestamp", "resource": "resource"}
    assert "task" not in guess and "queues" not in guess
    assert guess["locale"]["decimal"] == "."
    assert yaml.safe_load(profile_yaml(guess)) == dict(guess)


def test_dataframe_and_cp1252_sources(tmp_path):
    frame = make_tasks()
    guess = guess_profile(frame)
    assert guess["shape"] == "tasks" and "sep" not in guess["locale"]
    frame.loc[0, "market"] = "Österreich"
    path = tmp_path / "win.csv"
    frame.to_csv(path, sep=";", index=False, encoding="cp1252")
    guess = guess_profile(path)
    assert guess["locale"]["encoding"] == "cp1252"
    assert any("cp1252" in f for f in guess.findings)


def test_bad_exports_are_one_clear_error(write, tmp_path):
    with pytest.raises(LogError, match=r"no column holds times.*'ticket', 'queue'"):
        guess_profile(write("x.csv", "ticket;queue\nA1;T1\nA2;T2\n"))
    with pytest.raises(LogError, match="no such file"):
        guess_profile(tmp_path / "missing.csv")
    with pytest.raises(LogError, match="empty"):
        guess_profile(write("e.csv", ""))


def test_shape_warnings():
    tasks = pd.DataFrame({"case_id": ["a", "b", "c", "c"], "activity": ["Y", "N", "N", "Y"],
                          "timestamp": pd.to_datetime(["2025-01-01"] * 4, utc=True)})
    codes = {w.code: w for w in shape_warnings(tasks, "de.csv")}
    assert codes["single_event_cases"].share == pytest.approx(2 / 3)
    assert "modlean profile de.csv" in codes["single_event_cases"].message
    assert "yes/no flag" in codes["flag_like_activity"].message
    flow = tasks.assign(case_id="a", activity=["submitted", "review", "qa", "appeal"])
    assert shape_warnings(flow) == []


def test_cli_profile_prints_and_writes(export, tmp_path, capsys):
    assert main(["profile", str(export)]) == 0
    captured = capsys.readouterr()
    assert yaml.safe_load(captured.out)["shape"] == "tasks"
    assert "guesses to confirm" in captured.err and "tasks" in captured.err
    out = tmp_path / "profiles" / "de.yaml"
    assert main(["profile", str(export), "--out", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out
    assert yaml.safe_load(out.read_text())["case"]["links"] == ["parent_ticket"]
    out.write_text("# my edits\n")
    assert main(["profile", str(export), "--out", str(out)]) == 2
    assert "--force" in capsys.readouterr().err and out.read_text() == "# my edits\n"
    assert main(["profile", str(export), "--out", str(out), "--force"]) == 0
    assert main(["profile", str(export), "--sep", ",", "--rows", "50"]) == 2
    err = capsys.readouterr().err
    assert "de_tasks.csv" in err and "Traceback" not in err


def test_guessed_profile_reads_with_read_log_mapping(export):
    """The guessed columns are the ones the export really has: read_log takes them."""
    guess = guess_profile(export)
    task = guess["task"]
    frame = pd.read_csv(export, sep=";", index_col=0, dtype=str)
    log = read_log(frame, mapping={"case_id": guess["case"]["id"], "activity": task["queue"],
                                   "timestamp": task["closed"], "resource": task["resource"]},
                   tz="Europe/Berlin", dayfirst=guess["locale"]["dayfirst"])
    assert len(log) == len(frame)


def spanish_vendor(frame: pd.DataFrame) -> pd.DataFrame:
    """The same tasks as a Spanish vendor's tool writes them: its own column names (with
    accents), queue names, verdict and QA words, and a robot login on the model's queue."""
    words = {"APPROVE": "Aprobado", "REJECT": "Rechazado", "ESCALATE": "Escalado"}
    queues = {"T1-LISTING-DE": "ES_L1_LISTINGS", "T2-SPECIALIST": "ES_L2_EXPERT",
              "IPR-LEGAL": "ES_IP_LEGAL", "APPEALS-DE": "ES_APPEALS", "AUTO": "ML_AUTO"}
    out = frame.assign(
        queue=frame["queue"].map(queues), verdict=frame["verdict"].map(words),
        qa_result=frame["qa_result"].map({"PASS": "OK", "FAIL": "KO", "": ""}),
        agent=frame["agent"].where(frame["queue"].ne("AUTO"), "bot"))
    return out.drop(columns=["auto", "market"]).rename(columns={
        "ticket_id": "Nº Ticket", "parent_ticket": "Ticket Padre", "queue": "Cola",
        "agent": "Agente", "created": "Fecha Creación", "picked_up": "Fecha Asignación",
        "closed": "Fecha Cierre", "verdict": "Resultado", "reason_code": "Código Motivo",
        "model_score": "Confianza ML", "category": "Tipo", "qa_result": "Resultado QA",
        "qa_fail_reason": "Motivo QA", "qa_agent": "Revisor QA", "qa_time": "Fecha QA"})


def test_a_spanish_vendor_export_is_guessed_in_its_own_words(tmp_path):
    path = tmp_path / "es.csv"
    spanish_vendor(make_tasks()).to_csv(path, sep=";", encoding="utf-8-sig")
    guess = guess_profile(path)
    assert guess["task"] == {"queue": "Cola", "resource": "Agente",
                             "created": "Fecha Creación", "started": "Fecha Asignación",
                             "started_means": "assigned", "closed": "Fecha Cierre"}
    assert guess["queues"]["ML_AUTO"] == {"stage": "auto_screen", "pool": "model",
                                          "automated": True}
    assert guess["queues"]["ES_APPEALS"]["stage"] == "appeal_review"
    assert guess["decision"]["values"] == {"Aprobado": "approve", "Rechazado": "reject",
                                           "Escalado": "escalate"}
    assert guess["qa"]["values"] == {"OK": "pass", "KO": "fail"}
    assert guess["label"] == "Código Motivo" and guess["score"] == "Confianza ML"
    # six people; the robot login on the model's queue is named apart
    assert guess.comments["task.resource"].startswith("CONFIRM: 6 people, and 'bot'")
    assert any("index pandas" in f for f in guess.findings)
    # no zone is guessed for the user, and no example zone can slip in unread
    assert any(line.startswith("timezone: <zone>") for line in guess.pending["locale"])


def test_one_queue_picked_up_early_makes_the_column_an_assignment(tmp_path):
    """Agents of one queue take tasks before closing the last; the average hides it."""
    frame = make_tasks(assigned=False, agents=25)
    appeals = frame["agent"].isin(["bpo.de.07"])  # 1 agent in 25: 4 % of all tasks
    frame.loc[appeals, "queue"] = "APPEALS-DE"
    picked = pd.to_datetime(frame["picked_up"], format="%d.%m.%Y %H:%M")
    early = picked - pd.Timedelta(minutes=45)
    frame.loc[appeals, "picked_up"] = early[appeals].dt.strftime("%d.%m.%Y %H:%M")
    frame.loc[appeals, "created"] = (early[appeals] - pd.Timedelta(minutes=5)).dt.strftime(
        "%d.%m.%Y %H:%M")
    path = tmp_path / "x.csv"
    frame.to_csv(path, index=False)
    guess = guess_profile(path)
    assert guess["task"]["started_means"] == "assigned"
    assert "APPEALS-DE" in guess.comments["task.started_means"]
    assert guess.comments["task.started_means"].startswith("CONFIRM: 4% of tasks")


def test_rows_out_of_time_order_are_counted_not_rounded_away(tmp_path):
    frame = make_tasks()
    frame.loc[[5, 9], "closed"] = "01.01.2025 00:00"
    path = tmp_path / "x.csv"
    frame.to_csv(path, index=False)
    (line,) = [f for f in guess_profile(path).findings if f.startswith("times:")]
    assert "2 rows are out of order" in line


def test_an_excel_export_with_a_cover_sheet_is_guessed_from_its_task_sheet(tmp_path):
    """Vendors' workbooks open on a cover sheet; the guess takes the sheet with times, says
    so, writes it into the profile, and the import reads the same sheet."""
    from modlean.eventlog import import_export

    tasks = make_tasks().assign(qa_result=lambda f: f["qa_result"].map(
        {"PASS": "Conforme", "FAIL": "Non conforme", "": ""})).rename(
        columns={"category": "Tipo"})
    path = tmp_path / "vendor.xlsx"
    with pd.ExcelWriter(path) as book:
        pd.DataFrame({"Export": ["Listing review", "Time zone: Europe/Rome"]}).to_excel(
            book, sheet_name="Info", index=False)
        tasks.to_excel(book, sheet_name="Tasks", index=False)
    guess = guess_profile(path)
    assert guess["sheet"] == "Tasks"
    assert any("'Info'" in f and "hold no times" in f for f in guess.findings)
    assert guess["qa"]["values"] == {"Conforme": "pass", "Non conforme": "fail"}
    assert guess["attributes"]["item_type"] == "Tipo"
    prof = dict(guess)
    prof["locale"] = {**prof["locale"], "timezone": "Europe/Rome"}
    result = import_export(path, prof)
    assert result.log["case_id"].nunique() > 100
    with pytest.raises(LogError, match="no column holds times"):
        guess_profile(path, sheet="Info")


def test_a_dutch_task_export_is_guessed_in_its_own_words(tmp_path):
    """Dutch headers, queues and verdicts: first line, specialists, objections (appeals)."""
    frame = make_tasks().rename(columns={
        "ticket_id": "Taak-ID", "parent_ticket": "Bovenliggende taak", "agent": "Medewerker",
        "created": "Aangemaakt", "picked_up": "Toegewezen", "closed": "Afgerond",
        "queue": "Wachtrij"})
    frame["Wachtrij"] = frame["Wachtrij"].map({
        "T1-LISTING-DE": "EERSTE-LIJN", "T2-SPECIALIST": "SPECIALISTEN", "IPR-LEGAL": "EERSTE-LIJN",
        "APPEALS-DE": "BEZWAAR", "AUTO": "ML-FILTER"})
    frame = frame.drop(columns=[c for c in ("verdict", "category") if c in frame])
    frame["Besluit"] = np.resize(["Goedgekeurd", "Afgekeurd", "Doorgezet"], len(frame))
    frame["Soort"] = np.resize(["Advertentie", "Recensie"], len(frame))
    path = tmp_path / "taken.csv"
    frame.to_csv(path, sep=";", index=False)
    guess = guess_profile(path)
    assert guess["task"]["created"] == "Aangemaakt" and guess["task"]["closed"] == "Afgerond"
    stages = {q: v["stage"] for q, v in guess["queues"].items()}
    assert stages == {"EERSTE-LIJN": "review_l1", "SPECIALISTEN": "review_l2",
                      "BEZWAAR": "appeal_review", "ML-FILTER": "auto_screen"}
    assert guess["decision"]["values"] == {"Goedgekeurd": "approve", "Afgekeurd": "reject",
                                           "Doorgezet": "escalate"}
    assert guess["attributes"]["item_type"] == "Soort"


def test_a_spanish_export_with_an_assignment_and_a_start_takes_the_start(tmp_path):
    """Spanish headers with both 'Asignado' (assigned) and 'Iniciado' (started); levels
    N1/N2 and the model's queue in Spanish; 'Derivar' (refer on) is an escalation."""
    frame = make_tasks().rename(columns={
        "ticket_id": "ID caso", "parent_ticket": "Ticket padre", "agent": "Agente",
        "created": "Creado", "picked_up": "Asignado", "closed": "Cerrado", "queue": "Cola"})
    frame["Iniciado"] = frame["Asignado"]
    frame["Cola"] = frame["Cola"].map({
        "T1-LISTING-DE": "N1-ANUNCIOS", "T2-SPECIALIST": "N2-EXPERTOS", "IPR-LEGAL": "N1-ANUNCIOS",
        "APPEALS-DE": "RECLAMACIONES", "AUTO": "MODELO"})
    frame["verdict"] = np.resize(["Aprobar", "Rechazar", "Derivar"], len(frame))
    frame.loc[frame["Cola"] == "RECLAMACIONES", "verdict"] = "Confirmar"
    path = tmp_path / "casos.csv"
    frame.to_csv(path, sep=";", index=False)
    guess = guess_profile(path)
    assert guess["task"]["started"] == "Iniciado"
    assert sum("'Asignado' is not used" in f for f in guess.findings) == 1
    stages = {q: v["stage"] for q, v in guess["queues"].items()}
    assert stages == {"N1-ANUNCIOS": "review_l1", "N2-EXPERTOS": "review_l2",
                      "RECLAMACIONES": "appeal_review", "MODELO": "auto_screen"}
    assert {k: v for k, v in guess["decision"]["values"].items() if k != "Confirmar"} == {
        "Aprobar": "approve", "Rechazar": "reject", "Derivar": "escalate"}
    assert "upholding the rejection is reject" in guess.comments["decision.values"]


def test_an_italian_status_history_with_queues_is_guessed_in_its_own_words(tmp_path):
    """No column is named like an activity in English ("Stato"): the statuses' words say it.
    The queue column gives each review its stage; pauses, resumptions, queued markers, the
    model's verdict and appeals' outcomes are drafted as such."""
    rows = []
    t0 = pd.Timestamp("2026-10-12 08:00")
    for k in range(60):
        case, at = f"IT{2611000 + k}", t0 + pd.Timedelta(minutes=37 * k)
        steps = [("Nuova", "sistema", ""), ("In coda", "sistema", "L1-IT"),
                 ("In lavorazione", "op.rossi", "L1-IT")]
        if k % 5 == 0:
            steps += [("Sospesa", "op.rossi", "L1-IT"), ("Ripresa", "venditore", "L1-IT"),
                      ("In lavorazione", "op.verdi", "L1-IT")]
        if k % 4 == 0:
            steps += [("Escalata", "op.verdi", "L1-IT"), ("In lavorazione", "spec.gallo",
                                                          "L2-SPEC"),
                      ("Rifiutata", "spec.gallo", "L2-SPEC"), ("Ricorso", "venditore",
                                                                "RICORSI"),
                      ("In lavorazione", "legale.marino", "RICORSI"),
                      ("Ricorso accolto" if k % 8 else "Ricorso respinto", "legale.marino",
                       "RICORSI")]
        else:
            steps += [("Approvata" if k % 3 else "Rifiutata", "op.verdi", "L1-IT")]
        if k % 7 == 0:
            steps = [("Nuova", "sistema", ""), ("Auto-approvata", "modello-ml", "")]
        rows += [{"Pratica": case, "Stato": s, "Operatore": who, "Coda": q,
                  "Data ora": at + pd.Timedelta(minutes=9 * i)}
                 for i, (s, who, q) in enumerate(steps)]
    path = tmp_path / "pratiche.xlsx"
    pd.DataFrame(rows).to_excel(path, sheet_name="Pratiche", index=False)
    guess = guess_profile(path)
    assert guess["event"] == {"activity": "Stato", "resource": "Operatore",
                              "timestamp": "Data ora", "queue": "Coda"}
    assert guess["queues"]["RICORSI"] == {"stage": "appeal_review", "pool": "appeals"}
    statuses = guess["statuses"]
    assert statuses["In coda"] == "queued" and statuses["Ripresa"] == "resumed"
    # a pause ends the piece of work
    assert statuses["Sospesa"] == {"activity": "review", "lifecycle": "complete"}
    assert statuses["Auto-approvata"] == {"activity": "auto_screen", "lifecycle": "complete"}
    assert statuses["Ricorso accolto"] == statuses["Ricorso respinto"] == {
        "activity": "appeal_review", "lifecycle": "complete"}
    verdicts = guess["decision"]["values"]
    assert (verdicts["Ricorso accolto"], verdicts["Ricorso respinto"]) == ("approve", "reject")
    prof = dict(guess)
    prof["locale"] = {**prof["locale"], "timezone": "Europe/Rome"}
    log = import_export(path, prof).log
    reviews = log[log["start_timestamp"].notna()]
    assert set(reviews["activity"].astype(str)) == {"review_l1", "review_l2", "appeal_review"}
