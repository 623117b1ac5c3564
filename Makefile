# Two entry points for a fresh machine: `make demo` and `make test`.
# Everything is installed from the lock file (uv.lock) into .venv; uv itself lives in .tools.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# The data sets live beside the repository; tests and benchmarks read them from here.
export CREDITMEND_DATA_DIR ?= $(abspath ../shared/data)

DEMO_DB := --db sqlite:///$(abspath demo)/bureau.db

.PHONY: setup demo test lint typecheck contracts pytest bench clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --locked --python $(PYTHON) --quiet
	touch $@

setup: $(VENV)/.synced

demo: setup
	$(BIN)/creditmend loan schedule --principal 12000 --annual-rate 0.18 --months 12 \
	    --method equal_installment --disbursed-on 2026-01-10
	$(BIN)/creditmend loan simulate examples/jiebei-overdue.yaml --as-of 2026-06-30
	@# The bureau on the embedded SQLite default, in demo/: a synthetic population furnished,
	@# retained, and one person's file looked at (self-inquiry) and audited.
	rm -rf demo
	$(BIN)/creditmend synth --persons 300 --platforms 12 --months 24 --seed 5 --out demo/population
	$(BIN)/creditmend furnisher import demo/population/furnishers.jsonl $(DEMO_DB)
	$(BIN)/creditmend ingest demo/population/cmf --as-of 2025-01-15 $(DEMO_DB)
	$(BIN)/creditmend records import demo/population/public_records.jsonl --kind public_records --as-of 2025-01-15 $(DEMO_DB)
	$(BIN)/creditmend records import demo/population/blacklist.jsonl --kind blacklist --as-of 2025-01-15 $(DEMO_DB)
	$(BIN)/creditmend records import demo/population/inquiries.jsonl --kind inquiries --as-of 2025-01-15 $(DEMO_DB)
	$(BIN)/creditmend retain --as-of 2026-02-01 $(DEMO_DB)
	$(BIN)/creditmend inquire cn_ric $$($(BIN)/python -c "import json; print(json.loads(open('demo/population/public_records.jsonl').readline())['id_number'])") --purpose self_inquiry --as-of 2026-02-01 $(DEMO_DB)

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: setup
	$(BIN)/mypy

contracts: setup
	$(BIN)/lint-imports

pytest: setup
	$(BIN)/pytest -q

test: lint typecheck contracts pytest

bench: setup
	$(BIN)/python -m benchmarks.run
	$(BIN)/python -m benchmarks.synth_bench
	$(BIN)/python -m benchmarks.ingest_bench

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache
