"""Held-out fidelity of the fixed template with and without the log's event names.

Calibrates (fixed template) the first 80 % of an imported vendor export's cases, simulates
the rest twice -- modlean's own event names (``log_names`` cleared) and the log's words
(calibrate's ``log_names``) -- and prints the control-flow and time distances beside the
replay baseline's. Exports: the DE sample (data/DE) and a seeded data/bpo_export.py export.

    python bench/bench_log_names.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "data")]

from bpo_export import PROFILE, make_export  # noqa: E402

import modlean  # noqa: E402
from modlean.decisions import (  # noqa: E402
    calibrate,
    fidelity,
    holdout_split,
    replay_baseline,
    simulate_test_period,
)

MEASURES = ["control_flow_log_distance", "n_gram_distance", "cycle_time_emd",
            "relative_event_emd"]


def measure(log: pd.DataFrame, qa: pd.DataFrame | None, tz: str) -> pd.DataFrame:
    """The four distances: modlean's names, the log's words, the replay."""
    split = holdout_split(log, 0.2)
    cal = calibrate(split.train, timezone=tz, qa=qa, workflow=False)
    own = cal.scenario.model_copy(update={
        "log_names": {}, "item_types": {t: it.model_copy(update={"log_names": {}})
                                        for t, it in cal.scenario.item_types.items()}})
    cols = {}
    for label, sim in (("modlean names", simulate_test_period(own, split, seed=1)),
                       ("log's words", simulate_test_period(cal.scenario, split, seed=1)),
                       ("replay", replay_baseline(split.train, split.n_test, split.test_start))):
        table = fidelity(split.test, sim, timezone=tz).set_index("measure")
        cols[label] = table.loc[MEASURES, "distance"]
    return pd.DataFrame(cols)


def main() -> None:
    de = modlean.import_export(ROOT / "data/DE/tasks.csv", ROOT / "data/DE/profile.yaml")
    print("DE sample export (data/DE)\n", measure(de.log, de.qa, "Europe/Berlin").round(3))
    with tempfile.TemporaryDirectory() as tmp:
        path = make_export(3000, seed=5, days=5, qa_share=0.3).write(Path(tmp) / "de.csv")
        (Path(tmp) / "de.yaml").write_text(PROFILE)
        got = modlean.import_export(path, Path(tmp) / "de.yaml")
    print("\nbpo_export (3000 items, 5 days, seed 5)\n",
          measure(got.log, got.qa, "Europe/Berlin").round(3))


if __name__ == "__main__":
    main()
