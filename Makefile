# Two commands on a fresh machine: `make demo` and `make test`.
PY ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1

$(BIN)/asistente: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,llm]'
	@touch $@

install: $(BIN)/asistente

demo: install
	$(BIN)/asistente serve --demo --host $(HOST) --port $(PORT)

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/ruff format --check src tests benchmarks examples

schema-check: install
	$(BIN)/asistente export-schema --output /tmp/asistente-schema.graphql
	diff -u schema/schema.graphql /tmp/asistente-schema.graphql

.PHONY: install demo test lint schema-check
