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

# front-end assets (htmx, Alpine.js, frappe-gantt, ECharts), copied to src/jalon/web/static/vendor
NODE_STAMP := node_modules/.installed
$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the web assets (Debian: apt-get install npm)"; exit 1; }
	npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

# the web application with the demo portfolio, on http://127.0.0.1:8000 (logins printed)
run: $(STAMP) $(NODE_STAMP)
	$(BIN)/jalon demo
	$(BIN)/jalon serve --host 127.0.0.1 --port 8000

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

# the web tests run again on PostgreSQL when JALON_TEST_DATABASE_URL is set (.ci/run sets it)
test: lint
	$(BIN)/pytest -n $(JOBS) -q
	@if [ -n "$$JALON_TEST_DATABASE_URL" ]; then \
	  echo "web tests on PostgreSQL ($$JALON_TEST_DATABASE_URL)"; \
	  JALON_DATABASE_URL="$$JALON_TEST_DATABASE_URL" $(BIN)/pytest -n $(JOBS) -q tests/web; \
	fi

fidelity: $(STAMP)
	$(BIN)/pytest -q tests/engine/test_msproject_fidelity.py -rA

bench: $(STAMP)
	$(BIN)/python benchmarks/schedule.py
	$(BIN)/python benchmarks/load_mspdi.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
