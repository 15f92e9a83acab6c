# One command each for a fresh machine (Python >= 3.11; Node >= 18 + npm for the TypeScript checks):
#   make demo   set up .venv and run the main job on the bundled example
#   make test   set up .venv + the pinned TypeScript compiler and pass lint, types and tests
#   make bench  print the benchmark table
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test lint dogfood bench clean frontend

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

tests/ts/node_modules/.installed: tests/ts/package.json tests/ts/package-lock.json
	npm ci --prefix tests/ts --no-audit --no-fund --loglevel=error
	touch $@

# openapi-typescript 7.13 (with the TypeScript 5 it needs): the peer our types are compared with.
benchmarks/peers/openapi-typescript/node_modules/.installed: benchmarks/peers/openapi-typescript/package.json benchmarks/peers/openapi-typescript/package-lock.json
	npm ci --prefix benchmarks/peers/openapi-typescript --no-audit --no-fund --loglevel=error
	touch $@

# The example Vue frontend (#10): its pinned npm packages, then vue-tsc --noEmit and vite build.
FRONTEND := examples/bookshop/frontend
$(FRONTEND)/node_modules/.installed: $(FRONTEND)/package.json $(FRONTEND)/package-lock.json
	npm ci --prefix $(FRONTEND) --no-audit --no-fund --loglevel=error
	touch $@

frontend: $(FRONTEND)/node_modules/.installed
	npm run --prefix $(FRONTEND) --silent build

# The bundled example: its stored v1 contract (contracts/openapi.json) against the changed v2 app.
demo: setup
	@echo '$$ contractsync diff --app-dir examples/bookshop/v2'
	@$(BIN)/contractsync diff --app-dir examples/bookshop/v2; code=$$?; \
	  echo "(exit code $$code: 1 means breaking changes were found)"; test $$code -le 1

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

# The repository gates its own contract (the bundled example's) the way a user's CI would.
dogfood: setup
	$(BIN)/contractsync check --base HEAD:contracts/openapi.json
	# ... and the registry's own HTTP API (#9), with its own contract directory.
	$(BIN)/contractsync --config contracts/registry/registry-contract.toml check --base HEAD:contracts/registry/openapi.json

test: setup tests/ts/node_modules/.installed benchmarks/peers/openapi-typescript/node_modules/.installed frontend lint dogfood
	$(BIN)/python -m pytest -n 2 -q

bench: setup
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/registry_load.py
	$(BIN)/python benchmarks/registry_diff.py

clean:
	rm -rf $(VENV) tests/ts/node_modules $(FRONTEND)/node_modules $(FRONTEND)/dist .pytest_cache .mypy_cache .ruff_cache
