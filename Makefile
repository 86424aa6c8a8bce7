# Two commands on a fresh machine: `make demo` and `make test`. Everything else is a step of them.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
EMG := $(BIN)/emg
AS_OF ?=

.PHONY: demo test test-fast install browser lint format warehouse data build summary dagster superset api stop clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/pip check
	touch $@

install: $(BIN)/.installed ## the virtual environment with every dependency

# The dashboards' browser tests drive Debian's chromium, never a downloaded browser. As root
# with apt-get it is installed here; otherwise the one command to run is named.
CHROMIUM ?= /usr/bin/chromium
browser:
	@if [ ! -x $(CHROMIUM) ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing Debian's chromium for the browser tests (apt-get)"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else \
			echo "make test needs Debian's chromium: run \`sudo apt-get install -y chromium\` (or set CHROMIUM=/path/to/chromium), then make test again" >&2; \
			exit 1; \
		fi; \
	fi

warehouse: install ## start the embedded PostgreSQL (or use yours through PG* variables)
	$(EMG) warehouse start

data: warehouse ## the simulated CRM (150 leads, 90 days back, 30 forward)
	$(EMG) crm generate $(if $(AS_OF),--as-of $(AS_OF))

build: warehouse ## dbt build: seeds, staging, marts and every test
	$(EMG) build $(if $(AS_OF),--as-of $(AS_OF))

summary: warehouse
	$(EMG) warehouse summary --schema crm --schema sales_ext --schema staging --schema audit --schema marts

dagster: warehouse ## the Dagster UI and daemon in the background (schedules, runs, assets)
	$(EMG) dagster start

superset: build ## Superset on 127.0.0.1:8088 with the dashboards of superset/ (emg superset start)
	$(EMG) superset start

api: build ## the reporting API on 127.0.0.1:8000 (emg api start)
	$(EMG) api start

demo: data build summary dagster superset api ## everything set up and running on the embedded warehouse
	@echo
	@echo "Warehouse running: eval \"\$$($(EMG) warehouse env)\" then psql, or any SQL client."
	@echo "Dagster UI: http://127.0.0.1:$${EMG_DAGSTER_PORT:-3000} (make stop stops everything)"
	@$(BIN)/python -c 'from emg.superset.instance import credentials; print(credentials())'
	@echo "Reporting API: http://127.0.0.1:$${EMG_API_PORT:-8000}/api/reporting/docs (token: $(EMG) api token)"

# sqlfluff's dbt templater connects to the warehouse once, with the profile `emg build` uses;
# dbt-score reads the manifest of a `dbt parse` with the same profile.
DBT_ENV := eval "$$($(EMG) warehouse env)" && \
	DBT_PROFILES_DIR="$$($(BIN)/python -c 'from emg.dbt_runner import profiles_dir; print(profiles_dir())')"
SQLFLUFF := $(DBT_ENV) $(BIN)/sqlfluff

lint: warehouse ## ruff for Python, sqlfluff (dbt templater) for SQL, dbt-score for dbt's metadata
	$(BIN)/ruff check emg orchestration tests superset
	$(BIN)/ruff format --check emg orchestration tests superset
	$(SQLFLUFF) lint models tests --disable-progress-bar
	$(DBT_ENV) $(BIN)/dbt-score lint --run-dbt-parse

format: warehouse
	$(BIN)/ruff check --fix emg orchestration tests superset
	$(BIN)/ruff format emg orchestration tests superset
	$(SQLFLUFF) fix models tests --disable-progress-bar

test: install browser lint ## everything the tests need, then the whole suite
	EMG_CHROMIUM=$(CHROMIUM) $(BIN)/pytest

test-fast: install ## the tests that need no PostgreSQL, Superset or browser (seconds)
	$(BIN)/pytest -m "not slow"

stop: ## stop the API, Superset, Dagster and the embedded warehouse
	$(EMG) api stop
	$(EMG) superset stop
	$(EMG) dagster stop
	$(EMG) warehouse stop

clean: stop
	rm -rf .emg .emg-test target logs
