"""index.html of a batch run, opened in a real browser (headless Chromium).

The index is rendered from a manifest written here (no kernels needed), then
Chromium loads it from disk and dumps the DOM it built: the table must have one
row per market, a link per run output, and the failed run marked with its message.
"""

from __future__ import annotations

import subprocess
from html.parser import HTMLParser

import pytest

from modlean.evidence import chromium, write_index

BROWSER = chromium()
pytestmark = pytest.mark.skipif(
    BROWSER is None, reason="headless Chromium is not installed (Debian package 'chromium'; "
    ".ci/run installs it when apt-get is available)")


def _run(market, status, kpis, error=None):
    return {"notebook": "01_process_discovery", "market": market, "scenario": None,
            "status": status, "error": error, "error_type": "LogError" if error else None,
            "error_cell": 3 if error else None, "seconds": 1.0,
            "ipynb": f"{market}/01_process_discovery.ipynb",
            "html": f"{market}/01_process_discovery.html", "kpis": kpis}


@pytest.fixture
def run_dir(tmp_path):
    runs = [_run("US", "ok", {"cases": 700, "rate": 0.25}), _run("UK", "ok", {"cases": 600}),
            _run("NO", "failed", {}, error="data/NO/events.csv <missing>")]
    manifest = {"run": "demo", "status": "failed", "start": "2026-11-22T05:00:00+00:00",
                "end": "2026-11-22T05:01:00+00:00", "command": ["modlean", "batch"],
                "parameters": {}, "seed": None, "python": "3.11", "packages": {},
                "git": {"commit": None, "dirty": None}, "runs": runs}
    for run in runs:
        (tmp_path / run["market"]).mkdir()
        (tmp_path / run["ipynb"]).write_text("{}")
        (tmp_path / run["html"]).write_text("<p>report</p>")
    write_index(tmp_path, manifest)
    return tmp_path


class _Table(HTMLParser):
    """Rows of the #kpis table body: cell texts, classes and link targets."""

    def __init__(self):
        super().__init__()
        self.rows, self.inside, self.body = [], False, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.inside = attrs.get("id") == "kpis"
        elif self.inside and tag == "tbody":
            self.body = True
        elif self.inside and self.body and tag == "tr":
            self.rows.append({"class": attrs.get("class"), "text": "", "links": [], "cells": []})
        elif self.inside and self.body and tag == "td" and self.rows:
            self.rows[-1]["cells"].append("")
        elif self.inside and self.body and tag == "a" and self.rows:
            self.rows[-1]["links"].append(attrs.get("href"))

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = self.body = False

    def handle_data(self, data):
        if self.inside and self.body and self.rows:
            self.rows[-1]["text"] += data
            if self.rows[-1]["cells"]:
                self.rows[-1]["cells"][-1] += data


def test_chromium_renders_one_row_per_market_with_a_link_per_run(run_dir, tmp_path_factory):
    profile = tmp_path_factory.mktemp("chromium-profile")
    done = subprocess.run(
        [BROWSER, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--no-first-run", f"--user-data-dir={profile}",
         "--dump-dom", (run_dir / "index.html").as_uri()],
        capture_output=True, text=True, timeout=90, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    table = _Table()
    table.feed(done.stdout)
    assert [r["class"] for r in table.rows] == ["ok", "ok", "failed"]
    assert [r["text"].split()[0] for r in table.rows] == ["US", "UK", "NO"]
    for row, market in zip(table.rows, ["US", "UK", "NO"], strict=True):
        assert row["links"] == [f"{market}/01_process_discovery.html",
                                f"{market}/01_process_discovery.ipynb"]
        assert all((run_dir / link).is_file() for link in row["links"])
    assert "LogError: data/NO/events.csv <missing>" in table.rows[2]["text"]
    # market, status, notebooks, then the KPI columns (cases, rate) in first-seen order,
    # in the catalogue's unit and format (a name it does not list is shown as recorded)
    assert [c.strip() for c in table.rows[0]["cells"]][3:] == ["700 cases", "0.25"]
    assert [c.strip() for c in table.rows[1]["cells"]][3:] == ["600 cases", ""]
    assert "Process discovery" in table.rows[0]["cells"][2]  # the notebook by its title
