# Every target works from a fresh clone with only python3 (3.11+) and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo portal test lint typecheck bench screenshots clean

$(STAMP): pyproject.toml
	@echo "== installing dependencies into $(VENV) (about a minute, once)..."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)
	@echo "== installed; the portal command is $(BIN)/portal"

# The demo's data lives in var/ (var/portal.sqlite3, var/exchange/): `portal` run from here finds it.
demo: $(STAMP)
	$(BIN)/portal demo --host $(HOST) --port $(PORT)

# Any portal command without activating the venv: make portal ARGS="token list"
portal: $(STAMP)
	@$(BIN)/portal $(ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check portal edi adapters tests benchmarks
	$(BIN)/ruff format --check portal edi adapters

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# Needs Debian's chromium (apt-get install chromium); writes docs/screenshots/*.png from demo data.
screenshots: $(STAMP)
	$(BIN)/python -m tests.web.screenshots docs/screenshots

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
