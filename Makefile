# Developer entry points. On a fresh clone `make run` or `make test` is all it takes:
# the venv, PostgreSQL, Redis and (for tests) Chromium are set up on the way.
#   make run                     the app with its worker, beat and mock registry
#   make test PYTEST_ARGS='-k x' lint, migration check, tests
#   make bench QUICK=1           benchmarks

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   := .venv
PYTHON := $(VENV)/bin/python

# Addresses of the backing services; the environment wins.
export DATABASE_URL ?= postgres://edu_portal:edu_portal@127.0.0.1:5432/edu_portal
export REDIS_URL ?= redis://127.0.0.1:6379/0
# The demo population: seed_demo (make setup) writes it, the mock registry (make run) serves its statistics.
export POPULATION_REGISTRY_POPULATION_FILE ?= $(CURDIR)/.local/population.csv.gz

# Dev settings for the running app, unless the environment chooses others. Tests always use
# the test settings (pytest-django lets the environment override pyproject.toml, so a
# DJANGO_SETTINGS_MODULE left in the shell must not leak in); `make test
# DJANGO_SETTINGS_MODULE=...` still overrides on purpose.
setup run: export DJANGO_SETTINGS_MODULE ?= edu_portal.settings.dev
test: export DJANGO_SETTINGS_MODULE = edu_portal.settings.test

PYTEST_ARGS ?=
# Test processes in parallel (pytest-xdist), one per CPU; each has its own test database, Redis database and ports
# (edu_portal/settings/test.py). A whole test module stays in one process (module fixtures run once).
# TEST_PROCESSES=0 runs the tests in this process, one after another.
TEST_PROCESSES ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: help venv services chromium-ensure axe-ensure wrk-ensure setup run test bench bench-national backup restore drill conformance

help:
	@echo "make run      set everything up, then run web + Celery worker + beat + mock registry"
	@echo "make test     ruff, import layers (lint-imports), makemigrations --check, pytest in parallel (PYTEST_ARGS='...', TEST_PROCESSES=n)"
	@echo "make setup    venv, PostgreSQL, Redis, migrations, demo data and users"
	@echo "make services start PostgreSQL and Redis if they are not running"
	@echo "make bench    benchmarks (QUICK=1 for a short run)"
	@echo "make bench-national  the benchmarks on the whole country (loads it once: ~70 min, ~45 GB of disk)"
	@echo "make drill    drills with servers of their own (read replica: tests/scaling/)"
	@echo "make backup   pg_dump DATABASE_URL to backups/<time>.dump (OUT=file to choose)"
	@echo "make restore FILE=backups/x.dump [TARGET_URL=...]  restore a dump (default: into DATABASE_URL)"
	@echo "make conformance [URL=... TOKEN=...]  check a server against the sync contract (default: make run's)"

venv:
	@bash scripts/venv.sh

services:
	@bash scripts/ensure_postgres.sh
	@bash scripts/ensure_redis.sh

chromium-ensure:
	@bash scripts/ensure_chromium.sh

# axe-core (npm, pinned) for the accessibility checks of the page walker (tests/pages/test_walk.py).
axe-ensure:
	@bash scripts/ensure_axe.sh

setup: venv services
	$(PYTHON) manage.py migrate --noinput
	$(PYTHON) manage.py load_admin_units
	$(PYTHON) manage.py seed_demo --if-empty
	$(PYTHON) manage.py stats_refresh --if-empty
	$(PYTHON) manage.py seed_demo_facilities --if-empty
	$(PYTHON) manage.py create_demo_users

run: setup
	@bash scripts/run_all.sh

test: venv services chromium-ensure axe-ensure
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/bandit -q -r . -x ./.venv,./tests,./.local,./staticfiles -lll
	$(PYTHON) manage.py makemigrations --check --dry-run
	$(PYTHON) -m pytest --create-db -n $(TEST_PROCESSES) --dist loadfile $(PYTEST_ARGS)

# Runs bench/__main__.py (python -m bench) or else bench/run.py (as the module bench.run,
# so the project root is importable). QUICK=1 reaches it as BENCH_QUICK=1. bench/api.py loads
# the API with wrk, which scripts/ensure_wrk.sh installs (apt, as root) when it is missing.
wrk-ensure:
	@bash scripts/ensure_wrk.sh

bench: venv services wrk-ensure
	@if [ -f bench/__main__.py ]; then \
		set -x; $(if $(filter 1 yes true,$(QUICK)),BENCH_QUICK=1 )$(PYTHON) -m bench; \
	elif [ -f bench/run.py ]; then \
		set -x; $(if $(filter 1 yes true,$(QUICK)),BENCH_QUICK=1 )$(PYTHON) -m bench.run; \
	else \
		echo "bench: no bench/__main__.py or bench/run.py yet; nothing to run"; \
	fi

# The national run of docs/scaling.md §1a: its own database, loaded once (seed_demo --if-empty),
# then the modules that measure the portal at that size into bench/results/<date>-national.*. A database loaded
# before facilities existed gets them from seed_demo_facilities --if-empty (a fresh load has them: it does nothing).
NATIONAL_URL ?= $(shell echo "$(DATABASE_URL)" | sed 's#/[^/]*$$#/edu_portal_national#')
NATIONAL_ADMIN_URL = $(shell echo "$(NATIONAL_URL)" | sed 's#/[^/]*$$#/postgres#')
NATIONAL_MANAGE = DATABASE_URL="$(NATIONAL_URL)" POPULATION_REGISTRY_POPULATION_FILE=$(CURDIR)/.local/population-national.csv.gz DJANGO_SETTINGS_MODULE=edu_portal.settings.dev $(PYTHON) manage.py
bench-national: venv services wrk-ensure
	psql "$(NATIONAL_ADMIN_URL)" -tAc "SELECT 1 FROM pg_database WHERE datname = 'edu_portal_national'" | grep -q 1 \
		|| psql "$(NATIONAL_ADMIN_URL)" -c "CREATE DATABASE edu_portal_national"
	$(NATIONAL_MANAGE) migrate --noinput
	$(NATIONAL_MANAGE) load_admin_units
	$(NATIONAL_MANAGE) seed_demo --scale national --workers 2 --if-empty --no-past-results
	$(NATIONAL_MANAGE) stats_refresh --if-empty
	$(NATIONAL_MANAGE) seed_demo_facilities --if-empty
	BENCH_DATABASE_URL="$(NATIONAL_URL)" BENCH_LABEL=national BENCH_ONLY=dashboards,api,school_upload,facilities_upload,verification,name_order,name_search,duplicates,reporting \
		BENCH_VERIFY_PUPILS=1000000 BENCH_RAW_ITERATIONS=2 BENCH_DUPLICATES_QUALITY=0 LOG_LEVEL=WARNING $(PYTHON) -m bench.run

# Drills start servers of their own (scripts/replica.sh: a PostgreSQL primary + streaming replica).
drill: export DJANGO_SETTINGS_MODULE = edu_portal.settings.test
drill: venv services
	$(PYTHON) -m pytest --create-db -m drill $(PYTEST_ARGS)

# Backups of PostgreSQL (docs/deploy.md): custom-format pg_dump, restored with pg_restore --clean.
backup:
	@bash scripts/backup.sh $(OUT)

restore:
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/<time>.dump [TARGET_URL=postgres://...]"; exit 2; }
	@bash scripts/restore.sh "$(FILE)" $(TARGET_URL)

# The conformance kit (sync_client/conformance.py): checks a server against the API's sync contract, PASS/FAIL per
# check, non-zero exit on a failure. Without URL and TOKEN: the local `make run` server, with a read-only demo token of
# the demo province login issued from the local database (CONFORMANCE_USER, CONFORMANCE_SCOPE; add
# CONFORMANCE_FLAGS=--write to check the bulk lifecycle too). CONFORMANCE_ARGS passes options (--skip bulk, --only ...).
URL ?= http://127.0.0.1:8000
CONFORMANCE_USER ?= hanoi
CONFORMANCE_SCOPE ?= province:01
CONFORMANCE_FLAGS ?=
CONFORMANCE_ARGS ?=
conformance: export DJANGO_SETTINGS_MODULE ?= edu_portal.settings.dev
conformance:
	@token="$(TOKEN)"; \
	if [ -z "$$token" ]; then \
		token="$$($(PYTHON) manage.py create_api_token --user $(CONFORMANCE_USER) --scope $(CONFORMANCE_SCOPE) \
			--name conformance $(CONFORMANCE_FLAGS))" || exit 2; \
	fi; \
	$(PYTHON) -m sync_client.conformance --url "$(URL)" --token "$$token" $(CONFORMANCE_ARGS)
