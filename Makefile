# Tinget: `make run` sets everything up and serves the demo; `make test` runs everything CI checks.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/tinget_test
MANAGE := $(BIN)/python manage.py
PYTEST_ARGS ?=
CHROMIUM ?= /usr/bin/chromium

.PHONY: run setup deps migrate demo serve test lint test-sqlite test-postgres test-browser bench messages \
        compilemessages check-migrations clean

run: setup demo
	@echo "Serving Tinget on http://$(HOST):$(PORT)/ (a task worker runs beside it; Ctrl-C stops both)"
	@trap 'kill 0' EXIT INT TERM; \
	  $(MANAGE) db_worker --interval 1 & \
	  TINGET_DEV_HOST=$(HOST) TINGET_DEV_PORT=$(PORT) $(MANAGE) runserver $(HOST):$(PORT)

setup: deps compilemessages migrate

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstalled only when the lock or package files change.
$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.lock
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

deps: $(VENV)/.installed node_modules/.package-lock.json

migrate: deps
	@mkdir -p var
	$(MANAGE) migrate --noinput

demo: migrate
	$(MANAGE) load_demo

compilemessages: $(VENV)/.installed
	$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v 0

messages: $(VENV)/.installed
	$(MANAGE) makemessages -l nb -l nn -l en --no-obsolete --ignore=.venv --ignore=node_modules \
	  --ignore=staticfiles --ignore=var --ignore=locale_vendor --add-location=file
	$(MANAGE) makemessages -d djangojs -l nb -l nn -l en --no-obsolete --ignore=.venv --ignore=node_modules \
	  --ignore=staticfiles --ignore=var --add-location=file
	$(MAKE) compilemessages

lint: deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check-migrations: deps
	$(MANAGE) makemigrations --check --dry-run

test-sqlite: deps compilemessages
	$(BIN)/pytest -m "not browser" -n 2 $(PYTEST_ARGS)

# PostgreSQL is required when CI is set; elsewhere it is skipped with a clear line if it does not answer.
# Every suite runs on it, the browser journeys included.
test-postgres: deps compilemessages
	@if $(BIN)/python -m tinget.core.dbcheck "$(TEST_DATABASE_URL)"; then \
	  DATABASE_URL="$(TEST_DATABASE_URL)" $(BIN)/pytest -m "not browser" -n 2 $(PYTEST_ARGS) && \
	  if [ -x "$(CHROMIUM)" ]; then \
	    DATABASE_URL="$(TEST_DATABASE_URL)" CHROMIUM="$(CHROMIUM)" $(BIN)/pytest -m browser tests/browser $(PYTEST_ARGS); \
	  else echo "SKIPPED: browser tests on PostgreSQL (no Chromium at $(CHROMIUM))"; fi; \
	elif [ -n "$$CI" ]; then \
	  echo "PostgreSQL at $(TEST_DATABASE_URL) does not answer, and CI requires it." >&2; exit 1; \
	else \
	  echo "SKIPPED: PostgreSQL tests (no database answers at $(TEST_DATABASE_URL); set TEST_DATABASE_URL)"; \
	fi

# Browser tests need Debian's chromium (CHROMIUM, default /usr/bin/chromium): required when CI is set.
test-browser: deps compilemessages
	@if [ -x "$(CHROMIUM)" ]; then \
	  CHROMIUM="$(CHROMIUM)" $(BIN)/pytest -m browser tests/browser $(PYTEST_ARGS); \
	elif [ -n "$$CI" ]; then \
	  echo "Chromium not found at $(CHROMIUM), and CI requires the browser tests." >&2; exit 1; \
	else \
	  echo "SKIPPED: browser tests (no Chromium at $(CHROMIUM); apt-get install chromium)"; \
	fi

test: lint check-migrations test-sqlite test-postgres test-browser

bench: deps compilemessages
	$(BIN)/python -m bench $(if $(ONLY),--only $(ONLY),)

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .ruff_cache
