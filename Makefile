# The two commands a newcomer needs: `make demo` and `make test`. Both install first.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: install services test test-unit demo bench lint contracts console test-console

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

# The web console (console/): Node dependencies from the lock file, then a production build.
console:
	cd console && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error && npm run build

# Console suites: lock and generated API types checked, Vitest, then Playwright in Debian's
# Chromium against the real services with demo data (scripts/console_stack.py).
test-console: install services console
	bash scripts/chromium.sh
	cd console && npm run check:lock && npm run check:api && npm test && npm run test:browser

demo: install services
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory console; \
	  else echo "npm not found: the demo runs without the web console"; fi
	$(PY) scripts/demo.py --seconds $${DEMO_SECONDS:-60} $${DEMO_STAY:+--stay}
