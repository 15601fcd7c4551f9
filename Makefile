# Jalon: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
JOBS ?= auto

.PHONY: install run test lint bench fidelity clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,mpxj]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/jalon schedule examples/erp-rollout.yaml

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest -n $(JOBS) -q

fidelity: $(STAMP)
	$(BIN)/pytest -q tests/engine/test_msproject_fidelity.py -rA

bench: $(STAMP)
	$(BIN)/python benchmarks/schedule.py
	$(BIN)/python benchmarks/load_mspdi.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
