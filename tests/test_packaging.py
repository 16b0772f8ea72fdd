"""The project installs the same way for pip and conda users, and keeps its layout."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_agrees_with_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {_name(d): d for d in env["dependencies"] if isinstance(d, str)}
    conda.pop("python")
    conda.pop("pip")
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_section, "environment.yml must install the project itself"
    core = {_name(d): d for d in project["dependencies"]}
    assert set(conda) == set(core), (
        f"only in environment.yml: {sorted(set(conda) - set(core))}; "
        f"only in pyproject.toml: {sorted(set(core) - set(conda))}")
    for name, spec in core.items():
        pin = spec[len(name):].replace(" ", "")
        assert conda[name].replace(" ", "").endswith(pin), f"{name}: {conda[name]} vs {spec}"


def test_required_layout_exists():
    for folder in ("notebooks", "modlean", "templates", "data", "outputs", "tests", "bench"):
        assert (ROOT / folder).is_dir(), folder
    for file in ("environment.yml", "README.md", "pyproject.toml", "Makefile", ".ci/run"):
        assert (ROOT / file).is_file(), file


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme and "make demo" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_public_api_is_named():
    import modlean

    for name in modlean.__all__:
        assert getattr(modlean, name) is not None, name
