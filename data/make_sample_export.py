"""Make the sample vendor export of market DE (seeded, reproducible).

Run from the project root:  .venv/bin/python data/make_sample_export.py

Writes ``data/DE/tasks.csv``: one week of listing and IP-rights review in the shape a
BPO partner's review tool exports it (data/bpo_export.py: one row per task, its own
queue names, parent tickets for escalations and appeals, PASS/FAIL QA, semicolons,
decimal commas, day-first Europe/Berlin times and pandas' unnamed index column), and
``data/DE/profile.yaml``, the source profile that imports it (docs/intake.md).
Illustrative numbers only.
"""

from __future__ import annotations

from pathlib import Path

from bpo_export import PROFILE, make_export

ROOT = Path(__file__).resolve().parent
ITEMS, DAYS, SEED = 1200, 7.0, 11


def main() -> None:
    folder = ROOT / "DE"
    folder.mkdir(exist_ok=True)
    export = make_export(ITEMS, seed=SEED, days=DAYS)
    export.write(folder / "tasks.csv")
    (folder / "profile.yaml").write_text(
        "# The profile of the DE vendor export (data/make_sample_export.py writes both).\n"
        + PROFILE)
    print(f"DE: {len(export.tasks):,} tasks of {ITEMS:,} listings -> {folder / 'tasks.csv'}")


if __name__ == "__main__":
    main()
