# The two commands a newcomer needs: `make demo` and `make test`. Both install first.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: install services test test-unit demo bench lint contracts

$(VENV)/bin/python:
	@command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet uv
	uv venv --quiet --python 3.11 $(VENV)

install: $(VENV)/bin/python
	@command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet uv
	uv pip sync --quiet --python $(PY) requirements.lock

services:
	bash scripts/services-up.sh

test: install services
	bash scripts/run-tests.sh $(PYTEST_ARGS)

test-unit: install
	$(VENV)/bin/pytest -m unit -q

lint: install
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy -p cognive_contracts -p cognive_runtime
	$(VENV)/bin/lint-imports

contracts: install
	$(VENV)/bin/cognive-contracts export
	$(PY) scripts/export_openapi.py

bench: install services
	$(PY) bench/runtime.py

demo: install services
	$(PY) scripts/demo.py --seconds $${DEMO_SECONDS:-60}
