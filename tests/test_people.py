"""Who is no reviewer: the profile's ``resources:`` map, the look-alike warning, the guess,
what calibration makes of the model and the seller, and item types with non-ASCII names.

The export is a seeded status history in the shape of a Polish review tool's audit log
(one row per status change, rows in no order, ISO times with offsets, decimal-comma
scores): ``system`` creates each ticket with the model's score; ``auto-moderator`` (the
model) approves scores below 0.08 and rejects from 0.80 three seconds later, on a row
without the score; people review the rest; the seller ``sprzedawca`` appeals some
rejections as a new ticket pointing to the first.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from modlean import LogError, ScenarioError, calibrate
from modlean.eventlog import guess_profile, import_export, load_profile
from modlean.eventlog.people import looks_like, rename_resources
from modlean.eventlog.report import MappingReport
from modlean.scenario import preset, safe_names, scenario_from_dict

T_LOW, T_HIGH = 0.08, 0.80
START = pd.Timestamp("2026-03-16 08:00", tz="Europe/Warsaw")
REVIEWERS = [f"{n}@bpo-partner.pl" for n in ("anna.k", "piotr.w", "ewa.m", "jan.n")]
APPEALS = ["odwolania.1@bpo-partner.pl", "odwolania.2@bpo-partner.pl"]


def status_export(n: int = 1500, seed: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A status history of ``n`` tickets and the truth per ticket (score, item type, who
    decided). Vectorised per kind of row; the rows are shuffled as the tool exports them."""
    rng = np.random.default_rng(seed)
    ids = np.arange(500_000, 500_000 + n)
    kind = rng.choice(["Oferta", "Zdjęcie"], size=n, p=[0.8, 0.2])
    score = rng.beta(2, 3, size=n)
    created = START + pd.to_timedelta(rng.uniform(0, 14 * 86400, n), unit="s")
    auto_a, auto_r = score < T_LOW, score >= T_HIGH
    human = ~(auto_a | auto_r)
    who = rng.choice(REVIEWERS, size=n)
    start = created + pd.to_timedelta(rng.exponential(1200, n), unit="s")
    done = start + pd.to_timedelta(rng.gamma(2, 180, n), unit="s")
    reject = rng.random(n) < 0.6 * score + 0.05
    appeal = human & reject & (rng.random(n) < 0.2)

    def rows(mask: np.ndarray, ticket: np.ndarray, parent: object, status: object,
             when: pd.DatetimeIndex, user: object, with_score: bool = False) -> pd.DataFrame:
        return pd.DataFrame({
            "Zgłoszenie": ticket[mask], "Nadrzędne": parent if np.isscalar(parent) else
            parent[mask], "Kategoria": kind[mask],
            "Status": status if np.isscalar(status) else status[mask],
            "Czas": when[mask].strftime("%Y-%m-%dT%H:%M:%S%z").str.replace(
                r"(\d\d)(\d\d)$", r"\1:\2", regex=True),
            "Kto": user if np.isscalar(user) else user[mask],
            "Wynik": np.char.replace(np.char.mod("%.3f", score[mask]), ".", ",")
            if with_score else ""})

    everyone = np.ones(n, bool)
    verdict = np.where(reject, "ODRZUCONE", "ZAAKCEPTOWANE")
    three = created + pd.Timedelta(seconds=3)
    appeal_id = ids + 10_000
    filed = done + pd.to_timedelta(rng.uniform(3600, 72 * 3600, n), unit="s")
    a_start = filed + pd.to_timedelta(rng.exponential(3 * 3600, n), unit="s")
    a_done = a_start + pd.to_timedelta(rng.gamma(2, 300, n), unit="s")
    a_who = rng.choice(APPEALS, size=n)
    upheld = np.where(rng.random(n) < 0.7, "ODRZUCONE", "ZAAKCEPTOWANE")
    frame = pd.concat([
        rows(everyone, ids, "", "NOWE", created, "system", with_score=True),
        rows(auto_a, ids, "", "ZAAKCEPTOWANE", three, "auto-moderator"),
        rows(auto_r, ids, "", "ODRZUCONE", three, "auto-moderator"),
        rows(human, ids, "", "W TRAKCIE", start, who),
        rows(human, ids, "", verdict, done, who),
        rows(appeal, appeal_id, ids.astype(str), "ODWOŁANIE", filed, "sprzedawca"),
        rows(appeal, appeal_id, ids.astype(str), "W TRAKCIE", a_start, a_who),
        rows(appeal, appeal_id, ids.astype(str), upheld, a_done, a_who),
    ], ignore_index=True).sample(frac=1.0, random_state=seed)
    truth = pd.DataFrame({"case_id": ids.astype(str), "item_type": kind, "score": score,
                          "auto_approve": auto_a, "auto_reject": auto_r, "appealed": appeal})
    return frame, truth


PROFILE = {
    "shape": "events",
    "locale": {"sep": "\t", "decimal": ",", "timezone": "Europe/Warsaw"},
    "case": {"id": "Zgłoszenie", "links": ["Nadrzędne"]},
    "event": {"activity": "Status", "timestamp": "Czas", "resource": "Kto"},
    "decision": {"column": "Status", "values": {
        "NOWE": "created", "W TRAKCIE": "started", "ZAAKCEPTOWANE": "approve",
        "ODRZUCONE": "reject", "ODWOŁANIE": "appeal"}},
    "score": "Wynik",
    "attributes": {"item_type": "Kategoria"},
}
MAPPED = {**PROFILE, "resources": {"auto-moderator": "model", "sprzedawca": "seller"}}


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    frame, truth = status_export()
    path = tmp_path_factory.mktemp("people") / "historia.tsv"
    frame.to_csv(path, sep="\t", index=False)
    return path, truth


@pytest.fixture(scope="module")
def calibrated(export: tuple[Path, pd.DataFrame]) -> dict[str, object]:
    path, _ = export
    return {name: calibrate(import_export(path, prof).log, timezone="Europe/Warsaw")
            for name, prof in (("mapped", MAPPED), ("unmapped", PROFILE))}


# --------------------------------------------------------------------------- the profile key


def test_resources_map_renames_logins_and_the_report_says_which(export):
    path, _ = export
    result = import_export(path, MAPPED)
    frame = pd.read_csv(path, sep="\t", dtype=str)
    counts = frame["Kto"].value_counts()
    resources = result.log["resource"].astype(str).value_counts()
    assert resources["model"] == counts["auto-moderator"]
    assert resources["seller"] == counts["sprzedawca"]
    assert not {"auto-moderator", "sprzedawca"} & set(resources.index)
    row = result.report.table.set_index("item").loc["resources"]
    assert row["value"] == 2
    assert f"'auto-moderator' -> model ({counts['auto-moderator']:,} rows)" in row["note"]
    assert "'sprzedawca' -> seller" in row["note"]
    assert not result.report.warnings


def test_an_unmapped_bot_and_seller_are_warned_with_the_key_to_set(export):
    path, _ = export
    result = import_export(path, PROFILE)
    (warning,) = [w for w in result.report.warnings if w.code == "looks_not_person"]
    assert "'auto-moderator'" in warning.message and "looks like the model" in warning.message
    assert "'sprzedawca'" in warning.message and "looks like the seller" in warning.message
    assert "resources: {auto-moderator: model, sprzedawca: seller}" in warning.message
    assert "system" not in warning.message.split(";")[0]  # modlean's own name needs no map
    assert "auto-moderator" in set(result.log["resource"].astype(str))


def test_a_mapped_login_missing_from_the_export_is_a_warning_with_did_you_mean(export):
    path, _ = export
    prof = {**PROFILE, "resources": {"automoderator": "model", "sprzedawca": "seller"}}
    report = import_export(path, prof).report
    (warning,) = [w for w in report.warnings if w.code == "resource_not_found"]
    assert "'automoderator' is no value of 'Kto'; did you mean 'auto-moderator'?" \
        in warning.message


@pytest.mark.parametrize("name", ["modle", "reviewer", "Model"])
def test_a_value_other_than_a_non_reviewer_name_is_an_error(name):
    with pytest.raises(LogError) as err:
        load_profile({**PROFILE, "resources": {"auto-moderator": name}})
    text = str(err.value)
    assert f"resources.auto-moderator: found {name!r}" in text
    assert "expected one of seller, model, system" in text
    if name == "modle":
        assert "did you mean 'model'?" in text


def test_tasks_shape_logs_mapped_logins_and_never_moves_their_starts():
    tasks = pd.DataFrame({
        "ticket": ["A", "B", "C"], "queue": ["L1", "L1", "L1"],
        "agent": ["ticket-system", "ticket-system", "ag01"],
        "picked": ["2026-03-02 09:00", "2026-03-02 09:01", "2026-03-02 09:00"],
        "closed": ["2026-03-02 09:30", "2026-03-02 09:31", "2026-03-02 09:10"]})
    prof = {"shape": "tasks", "locale": {"timezone": "UTC"}, "case": {"id": "ticket"},
            "task": {"queue": "queue", "resource": "agent", "started": "picked",
                     "started_means": "assigned", "closed": "closed"},
            "resources": {"TICKET-SYSTEM": "system"}}  # matched in any case
    log = import_export(tasks, prof).log
    work = log[log["activity"] == "L1"].set_index("case_id")
    assert work.loc[["A", "B"], "resource"].astype(str).tolist() == ["system", "system"]
    # the system's two overlapping tasks keep their starts (a person's would be moved)
    assert work.loc["B", "start_timestamp"] == pd.Timestamp("2026-03-02 09:01", tz="UTC")


@pytest.mark.parametrize(("login", "kind"), [
    ("auto-moderator", "model"), ("AutoModerator", "model"), ("review-bot", "model"),
    ("ML_classifier_2", "model"), ("robot@vendor.pl", "model"), ("system", "system"),
    ("System2", "system"), ("cron-job", "system"), ("sprzedawca", "seller"),
    ("Verkäufer", "seller"), ("vendedor_12", "seller"), ("venditore", "seller"),
    ("vendeur.portail", "seller"), ("Seller Portal", "seller"), ("penjual", "seller"),
    ("anna.k@bpo-partner.pl", None), ("botond.kiss", None), ("robert", None),
    ("odwolania.1@bpo-partner.pl", None), ("zofia.senior@system-partner.pl", None)])
def test_logins_that_look_like_no_reviewer_in_many_languages(login, kind):
    assert looks_like(login) == kind


def test_rename_resources_keeps_missing_values_and_other_logins():
    report = MappingReport("x")
    values = pd.Series(["bot", None, "ag01", "BOT"], dtype=object)
    out = rename_resources(values, {"bot": "model"}, report, column="who")
    assert out.tolist()[0] == "model" and pd.isna(out.iloc[1])
    assert out.tolist()[2:] == ["ag01", "model"]
    as_cat = rename_resources(values.astype("category"), {"bot": "model"}, MappingReport("x"),
                              column="who")
    assert as_cat.astype(object).where(as_cat.notna(), None).tolist() == [
        "model", None, "ag01", "model"]


# --------------------------------------------------------------------------- the guess


def test_profile_guess_drafts_the_resources_map():
    tasks = pd.DataFrame({"ticket_id": [f"T{i}" for i in range(60)],
                          "queue": ["L1"] * 60,
                          "agent": ["anna@x.pl", "Auto-Moderator", "sprzedawca"] * 20,
                          "created": pd.date_range("2026-03-02", periods=60, freq="h")
                          .strftime("%Y-%m-%d %H:%M"),
                          "closed": pd.date_range("2026-03-02 00:30", periods=60, freq="h")
                          .strftime("%Y-%m-%d %H:%M")})
    guess = guess_profile(tasks)
    assert guess["resources"] == {"Auto-Moderator": "model", "sprzedawca": "seller"}
    assert "CONFIRM" in guess.comments["resources"]
    assert load_profile({**PROFILE, "resources": guess["resources"]}).resources


def test_cli_profile_and_import_say_it(export, tmp_path):
    path, _ = export
    prof = tmp_path / "p.yaml"
    prof.write_text(yaml.safe_dump(PROFILE, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "events.parquet"
    run = subprocess.run([sys.executable, "-m", "modlean", "import", str(path), "--profile",
                          str(prof), "--out", str(out)], capture_output=True, text=True,
                         check=False)
    assert run.returncode == 0, run.stderr
    assert "[looks_not_person]" in run.stdout and "resources:" in run.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({**PROFILE, "resources": {"sprzedawca": "vendor"}},
                                  allow_unicode=True), encoding="utf-8")
    out2 = tmp_path / "bad.parquet"
    run = subprocess.run([sys.executable, "-m", "modlean", "import", str(path), "--profile",
                          str(bad), "--out", str(out2)], capture_output=True, text=True,
                         check=False)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "resources.sprzedawca: found 'vendor'" in run.stderr and not out2.exists()


# --------------------------------------------------------------------------- calibration


def _bracket(scores: pd.Series, cut: float) -> tuple[float, float]:
    """The nearest scores either side of the true threshold: where a cut read from the
    decided cases can lie (its sampling error)."""
    return float(scores[scores < cut].max()), float(scores[scores >= cut].min())


@pytest.mark.parametrize("item_type", ["Oferta", "Zdjęcie"])
def test_calibration_reads_the_models_thresholds_from_the_creation_score(
        export, calibrated, item_type):
    """The score is on the creation row (by ``system``), the model's decision on a row
    without it: calibration takes the case's score and sets the thresholds within the
    sampling error of the truth."""
    _, truth = export
    cal = calibrated["mapped"]
    name = safe_names([item_type])[item_type]
    model = cal.scenario.item_types[name].model
    mine = truth[truth["item_type"] == item_type]
    lo, hi = _bracket(mine["score"], T_LOW)
    assert model.enabled and lo <= model.t_low <= hi and hi - lo < 0.03
    lo, hi = _bracket(mine["score"], T_HIGH)
    assert lo <= model.t_high <= hi and hi - lo < 0.05
    row = cal.routing.set_index("item_type").loc[name]
    assert bool(row["model_read"])
    assert row["auto_approve_share"] == pytest.approx(mine["auto_approve"].mean())
    assert row["auto_reject_share"] == pytest.approx(mine["auto_reject"].mean())


def test_without_the_map_the_model_is_counted_as_a_reviewer(calibrated):
    cal = calibrated["unmapped"]
    row = cal.routing.set_index("item_type").loc["Oferta"]
    assert row["auto_approve_share"] == 0.0 and not bool(row["model_read"])


def _steps(cal: object, activity: str) -> list[str]:
    return sorted({step.kind for wf in cal.scenario.workflows.values()
                   for step in wf.steps.values() if step.activity == activity})


def test_the_seller_opens_appeals_and_staffs_no_pool(calibrated):
    mapped, unmapped = calibrated["mapped"], calibrated["unmapped"]
    assert _steps(mapped, "ODWOŁANIE") == ["wait"]  # the seller's act: no reviewer's work
    assert "ODWOŁANIE" not in set(mapped.handling["activity"])
    assert _steps(unmapped, "ODWOŁANIE") == ["review"]  # the seller taken for a reviewer
    assert "auto-moderator" not in " ".join(mapped.scenario.pools)


# --------------------------------------------------------------------------- item type names


def test_safe_names_fold_accents_and_stay_unique():
    names = safe_names(["Oferta", "Zdjęcie", "Zdjecie", "Łódź płatność", "a.b", "???"])
    assert names == {"Oferta": "Oferta", "Zdjęcie": "Zdjecie_2", "Zdjecie": "Zdjecie",
                     "Łódź płatność": "Lodz_platnosc", "a.b": "a_b", "???": "unnamed"}
    assert safe_names(["Straße"], taken=["Strasse"]) == {"Straße": "Strasse_2"}


def test_calibration_renames_item_types_and_says_so(calibrated):
    cal = calibrated["mapped"]
    assert set(cal.scenario.item_types) == {"Oferta", "Zdjecie"}
    assert set(cal.scenario.workflows) == {"Oferta", "Zdjecie"}
    row = cal.assumptions.set_index("field").loc["item_types.Zdjecie"]
    assert row["value"] == "Zdjęcie -> Zdjecie" and "override paths" in row["why"]
    assert any("'Zdjęcie' -> 'Zdjecie'" in n for n in cal.notes)


def test_queue_pools_with_accents_become_safe_pool_names():
    rows = []
    for i in range(40):
        t0 = pd.Timestamp("2026-03-02 08:00", tz="UTC") + pd.Timedelta(minutes=7 * i)
        rows += [(f"c{i}", "review_l1", t0 + pd.Timedelta(minutes=5), f"ag{i % 3}",
                  "Moderacja-Zdjęć", "Zdjęcie" if i % 2 else "Zdjecie")]
    log = pd.DataFrame(rows, columns=["case_id", "activity", "timestamp", "resource", "pool",
                                      "item_type"])
    cal = calibrate(log, workflow=False)
    assert set(cal.scenario.pools) == {"Moderacja-Zdjec"}
    assert set(cal.scenario.item_types) == {"Zdjecie", "Zdjecie_2"}


def test_a_scenario_with_an_unsafe_name_suggests_the_safe_one():
    data = preset("US").model_dump(mode="python")
    first = next(iter(data["item_types"]))
    data["item_types"]["Zdjęcie"] = data["item_types"].pop(first)
    with pytest.raises(ScenarioError, match=r"\(e\.g\. 'Zdjecie' for 'Zdjęcie'\)"):
        scenario_from_dict(data, source="test")
