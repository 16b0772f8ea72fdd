# The project's verbs. `make demo` and `make test` are all a new user needs:
# each creates .venv with the project's own Python when it is missing.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP_CORE := $(VENV)/.modlean-core
STAMP_DEV  := $(VENV)/.modlean-dev

.PHONY: demo test lint bench data clean help

help:
	@echo "make demo   run the per-market batch on the sample data into outputs/demo/"
	@echo "make test   run the tests (unit tests and notebook runs)"
	@echo "make lint   ruff check"
	@echo "make bench  run the benchmarks in bench/"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP_CORE): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	@touch $@

$(STAMP_DEV): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev,dask]'
	@touch $@ $(STAMP_CORE)

demo: $(STAMP_CORE)
	$(VENV)/bin/modlean batch notebooks/*.ipynb --workbook data/workbook.yaml --out outputs/demo
	$(VENV)/bin/modlean appendix outputs/demo --format html
	@echo "demo: open $(CURDIR)/outputs/demo/index.html"

test: $(STAMP_DEV)
	$(PY) -m pytest

lint: $(STAMP_DEV)
	$(VENV)/bin/ruff check modlean tests bench data
	$(VENV)/bin/ruff format --isolated --line-length 100 --check notebooks

bench: $(STAMP_DEV)
	for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

data: $(STAMP_CORE)
	$(PY) data/make_sample_logs.py
	$(PY) data/make_sample_export.py
	$(PY) data/make_sample_peers.py

clean:
	rm -rf $(VENV) outputs/*/ .pytest_cache .ruff_cache
