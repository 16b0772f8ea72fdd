"""A wheel installed anywhere works: presets, templates and notebooks ship inside it.

The wheel is built from this tree and installed into a fresh virtual environment
outside the repository; the commands then run from an empty temporary folder, so
nothing of the source tree can stand in for the package data.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(command: list[str], cwd: Path, timeout: float = 900) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["MPLBACKEND"] = "Agg"
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    output = f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert done.returncode == 0, f"{' '.join(command)}\n{output}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out),
          str(ROOT)], cwd=out)
    return next(out.glob("modlean-*.whl"))


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``bin`` folder of a fresh virtual environment with the wheel installed."""
    venv = tmp_path_factory.mktemp("venv")
    _run([sys.executable, "-m", "venv", str(venv)], cwd=venv)
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)], cwd=venv)
    return venv / "bin"


def test_the_wheel_carries_templates_and_notebooks(wheel: Path):
    names = zipfile.ZipFile(wheel).namelist()
    for shipped in ("modlean/templates/scenarios/US.yaml", "modlean/templates/sop/moderation.yaml",
                    "modlean/templates/appendix/appendix.html.j2",
                    "modlean/templates/batch/index.html.j2",
                    "modlean/templates/risk_register.csv",
                    "modlean/templates/dsa/mapping.yaml", "modlean/dsa/vocabulary.yaml",
                    "modlean/dsa/annex.yaml",
                    "modlean/notebooks/02_queue_simulation.ipynb"):
        assert shipped in names, shipped
    assert not [n for n in names if n.startswith(("tests/", "bench/", "data/"))]


def test_simulate_runs_from_an_installed_wheel(installed: Path, tmp_path: Path):
    # US warms up for one day, so a one-day horizon needs no warm-up (a longer one is refused).
    done = _run([str(installed / "modlean"), "simulate", "US", "--set", "horizon_days=1",
                 "--set", "warmup_days=0", "--no-log"], cwd=tmp_path)
    assert "US" in done.stdout


def test_batch_runs_a_shipped_notebook_from_an_installed_wheel(installed: Path, tmp_path: Path):
    _run([str(installed / "modlean"), "batch", "02_queue_simulation", "--markets", "US",
          "-p", "horizon_days", "1", "-p", "warmup_days", "0", "-p", "drain_days", "0",
          "-p", "replications", "1", "--out", "run", "--quiet", "--workers", "1"],
         cwd=tmp_path)
    assert (tmp_path / "run" / "US" / "02_queue_simulation.ipynb").is_file()
    assert (tmp_path / "run" / "index.html").is_file()


def test_a_users_template_overrides_the_shipped_one(installed: Path, tmp_path: Path):
    """The lookup order of modlean.resources: ./templates/ comes before the package's."""
    python = str(installed / "python")
    code = ("from modlean.resources import template_path; "
            "print(template_path('scenarios/US.yaml'))")
    shipped = _run([python, "-c", code], cwd=tmp_path).stdout.strip()
    assert "site-packages" in shipped
    own = tmp_path / "templates" / "scenarios" / "US.yaml"
    own.parent.mkdir(parents=True)
    own.write_text(Path(shipped).read_text())
    assert _run([python, "-c", code], cwd=tmp_path).stdout.strip() == str(own)
