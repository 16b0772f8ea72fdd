"""Shared fixtures: small logs written in the test, sample data paths."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parents[1]
MARKETS = ("US", "UK", "ID", "MY", "TH")
#: data/bpo_export.py, the seeded vendor export, is imported by tests as ``bpo_export``.
sys.path.insert(0, str(ROOT / "data"))


@pytest.fixture
def root() -> Path:
    """The project root."""
    return ROOT


@pytest.fixture
def write(tmp_path: Path):
    """Write text to a file in a temporary folder and return its path."""

    def _write(name: str, text: str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding=encoding)
        return path

    return _write
