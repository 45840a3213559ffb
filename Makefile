# Two commands for a newcomer: `make demo` (install, generate demo feeds, run everything)
# and `make test` (the test suite; .ci/run calls it too).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export DO_NOT_TRACK := 1
export DAGSTER_DISABLE_TELEMETRY := 1
export GX_ANALYTICS_ENABLED := False

DEMO_SCALE ?= 0.02

.PHONY: install demo test lint ui portal clean

install: $(VENV)/.installed

# uv resolves nothing here: it installs exactly the versions of requirements.lock.
# --compile-bytecode: uv writes no .pyc by default, and where PYTHONDONTWRITEBYTECODE is set (CI,
# sandboxes) Python never caches them either: every run then compiles Dagster, dbt, GX and pandas
# from source again: ~9 CPU s of the CLI's imports and ~2 s of dbt's, every run. Compiling once
# costs ~40 s of the install (2 cores).
$(VENV)/.installed: pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed (set PYTHON=...)")'
	@date +%s > .install-started
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv
	$(VENV)/bin/uv pip sync --quiet --compile-bytecode --python $(PY) requirements.lock
	$(VENV)/bin/uv pip install --quiet --python $(PY) --no-deps -e .
	cd dbt_project && PARTNER_WAREHOUSE_DB=$(CURDIR)/data/warehouse.duckdb ../$(VENV)/bin/dbt parse --quiet --profiles-dir .
	@echo "install_seconds=$$(( $$(date +%s) - $$(cat .install-started) ))" > $@ && rm -f .install-started
	@cat $@

demo: install
	$(VENV)/bin/partner-warehouse demo --scale $(DEMO_SCALE)

test: install
	$(PY) scripts/run_tests.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/sqlfluff lint --config dbt_project/.sqlfluff --processes 2 dbt_project/models

ui: install
	$(VENV)/bin/partner-warehouse ui

portal: install
	$(VENV)/bin/partner-warehouse portal

clean:
	rm -rf data dbt_project/target dbt_project/logs .pytest_cache test-artifacts
