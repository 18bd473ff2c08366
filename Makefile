# One place for tasks. `make serve` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export NO_MKDOCS_2_WARNING := 1
export PYTHONDONTWRITEBYTECODE := 1
# The experiments multiply small matrices: one BLAS thread is faster than several on 2 cores.
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1

.PHONY: setup browser serve build test lint fix bench lock clean

## setup: virtual environment with the locked Python packages, and the locked npm packages
setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml requirements/lock.txt
	@$(PYTHON) -c 'import sys; sys.exit("vgdocs needs Python >= 3.11") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/lock.txt -e '.[dev]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

## serve: set up, then serve the site on http://127.0.0.1:8000 with live reload
serve: setup
	$(BIN)/mkdocs serve

## build: set up, then build the site strictly into site/
build: setup
	$(BIN)/mkdocs build --strict

## browser: a Chromium for the browser tests (the system's, else Playwright's own download)
browser: $(VENV)/.installed
	$(BIN)/python tools/browser.py

## test: set up (browser included), then run the linters and the whole test suite
test: setup browser
	$(BIN)/ruff check .
	$(BIN)/pytest -n 2

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## bench: measure build, rebuild and experiment times, and page sizes
bench: setup
	$(BIN)/python tools/bench.py

## lock: re-resolve requirements/lock.txt from pyproject.toml (needs network)
lock: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra docs --extra test \
		--universal --python-version 3.11 -o requirements/lock.txt

clean:
	rm -rf site .cache tests/artifacts .pytest_cache
