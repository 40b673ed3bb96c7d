# Two commands set up a fresh machine with only Python 3.11: `make demo` and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python

.PHONY: demo test lint typecheck pytest install install-dev assets clean lock bench fuzz shipped-sql

demo: install
	$(BIN)/strategyfirst demo

test: install-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/pytest -n 2 --dist loadgroup

# The import mutation fuzzer at length (tests/fuzz, docs/fuzzing.md): `make test` runs one case per source and
# mutation; this runs FUZZ_CASES of them (default 3000), seeded by FUZZ_SEED.
FUZZ_CASES ?= 3000
fuzz: install-dev
	FUZZ_CASES=$(FUZZ_CASES) $(BIN)/pytest tests/fuzz/test_mutations.py -n 2 -q -rfE

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

$(BIN)/uv:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv

$(VENV)/.installed: $(BIN)/uv requirements.lock pyproject.toml
	$(UV) -r requirements.lock
	$(UV) --no-deps -e .
	$(BIN)/python -m compileall -q src
	$(MAKE) assets
	touch $@

$(VENV)/.installed-dev: $(BIN)/uv requirements-dev.lock pyproject.toml
	$(UV) -r requirements-dev.lock
	$(UV) --no-deps -e .
	$(BIN)/python -m compileall -q src
	$(MAKE) assets
	touch $@ $(VENV)/.installed

# Front-end libraries come from the npm registry and are served by the app itself (never a CDN).
assets:
	@if [ -f web-assets/package.json ]; then \
	  if command -v npm >/dev/null 2>&1; then \
	    npm ci --prefix web-assets --no-audit --no-fund --silent && $(BIN)/python web-assets/copy.py; \
	  else echo "npm not found: the web app's front-end libraries were not installed" >&2; fi; \
	fi

# Regenerate the lock files after changing pyproject.toml dependencies.
lock: $(BIN)/uv
	$(BIN)/uv pip compile --quiet pyproject.toml -o requirements.lock
	$(BIN)/uv pip compile --quiet pyproject.toml --extra test --extra spark -o requirements-dev.lock

# The SQL of the standard measurements compiled ahead of time (metrics/shipped.py): regenerate and commit it
# when tests/metrics/test_shipped.py says it is stale (a change of the metrics, the schema, Ibis or DuckDB).
shipped-sql: install
	$(BIN)/python -m strategyfirst.metrics.shipped --write

bench: install-dev
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
