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
# Playwright (a dev dependency) drives Debian's /usr/bin/chromium; never its own downloads.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
# The data sets live beside the repository; tests and benchmarks read them from here.
export CREDITMEND_DATA_DIR ?= $(abspath ../shared/data)

DEMO_DB := --db sqlite:///$(abspath demo)/bureau.db

.PHONY: setup system demo test test-fast lint typecheck contracts pytest postgres bench clean model

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

# Bytecode compiled once, at install: where PYTHONDONTWRITEBYTECODE is set (this machine, CI),
# Python would otherwise compile every module of every library in each process it starts, and
# the suite starts the command line as a child process hundreds of times (2.9 s a run instead
# of 1.3 s). Our own src is compiled too; a file edited later is compiled in memory as usual.
$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --locked --compile-bytecode --python $(PYTHON) --quiet
	$(BIN)/python -m compileall -q src benchmarks >/dev/null
	touch $@

setup: system $(VENV)/.synced

# What the PDF report needs from the system: the libraries WeasyPrint loads (Pango, HarfBuzz's
# font subsetter, fontconfig) and a CJK font, so Chinese platform names render; and Debian's
# Chromium, which the browser tests (tests/browser) drive through Playwright: Playwright's own
# browser downloads are never used (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD above). Installed with
# apt-get only when missing (checked with dpkg-query and `fc-list :lang=zh`); as root, or through
# sudo when there is one; skipped with a message where there is neither or no apt-get.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig chromium
CJK_FONT_PACKAGE := fonts-wqy-zenhei

system:
	@missing=""; \
	if command -v dpkg-query >/dev/null; then \
	    for package in $(SYSTEM_PACKAGES); do \
	        dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q 'ok installed' \
	            || missing="$$missing $$package"; \
	    done; \
	fi; \
	if ! command -v fc-list >/dev/null || [ -z "$$(fc-list :lang=zh family)" ]; then \
	    missing="$$missing $(CJK_FONT_PACKAGE)"; \
	fi; \
	[ -z "$$missing" ] && exit 0; \
	if ! command -v apt-get >/dev/null; then \
	    echo "setup: no apt-get here; install by hand for PDF reports and browser tests:$$missing"; exit 0; \
	fi; \
	if [ "$$(id -u)" -eq 0 ]; then sudo=""; \
	elif command -v sudo >/dev/null; then sudo="sudo"; \
	else echo "setup: not root and no sudo; install by hand for PDF reports and browser tests:$$missing"; exit 0; \
	fi; \
	echo "setup: installing$$missing"; \
	if ! { $$sudo apt-get update -qq \
	       && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing >/dev/null; }; then \
	    echo "setup: could not install$$missing; PDF reports and browser tests need them" >&2; \
	    [ -z "$$sudo" ] && exit 1; \
	fi; \
	true

# The demo's bureau lives in demo/ (SQLite): a synthetic population of a few thousand borrowers,
# furnished, retained and batched as of DEMO_AS_OF, then one borrower's report (several platforms,
# an overdue, an auto-debit that failed with money in the bank) in the terminal, HTML and PDF,
# and that borrower's recovery plan (without the bridging search, which re-plans a dozen times:
# the six-account plan file after it shows bridging money), whose one-command objection (the
# platform remarked its own failed debit) the borrower then files.
DEMO_AS_OF := 2026-07-10
DEMO_CLI := $(BIN)/creditmend
DEMO_DATED := $(DEMO_DB) --as-of $(DEMO_AS_OF)
DEMO_CASH := --monthly-income 16000 --monthly-expenses 6000 --cash-on-hand 3000
DEMO_PLAN_AS_OF := 2026-12-07

demo: setup
	$(DEMO_CLI) loan schedule --principal 12000 --annual-rate 0.18 --months 12 \
	    --method equal_installment --disbursed-on 2026-01-10
	$(DEMO_CLI) loan simulate examples/jiebei-overdue.yaml --as-of 2026-06-30
	rm -rf demo
	$(DEMO_CLI) synth --persons 2000 --platforms 16 --months 36 --start 2023-07 --seed 5 \
	    --out demo/population
	$(DEMO_CLI) furnisher import demo/population/furnishers.jsonl $(DEMO_DB)
	$(DEMO_CLI) ingest demo/population/cmf $(DEMO_DATED)
	$(DEMO_CLI) records import demo/population/public_records.jsonl --kind public_records $(DEMO_DATED)
	$(DEMO_CLI) records import demo/population/blacklist.jsonl --kind blacklist $(DEMO_DATED)
	$(DEMO_CLI) records import demo/population/inquiries.jsonl --kind inquiries $(DEMO_DATED)
	$(DEMO_CLI) retain $(DEMO_DATED)
	$(DEMO_CLI) batch --out demo/batch $(DEMO_DATED)
	$(DEMO_CLI) synth-pick demo/population --objection demo/objection > demo/borrower.txt
	$(DEMO_CLI) report $$(cat demo/borrower.txt) $(DEMO_DATED)
	@echo "The recovery advisor plans the borrower's open loans from the bureau's data; the platform"
	@echo "remarked that its own debit failed in June, so the plan offers that objection, one command:"
	$(DEMO_CLI) plan --person $$(cat demo/borrower.txt) $(DEMO_CASH) $(DEMO_DATED) --no-bridging
	$(DEMO_CLI) plan --person $$(cat demo/borrower.txt) $(DEMO_CASH) $(DEMO_DATED) \
	    --no-bridging --format html --out demo/plan.html
	@echo "The borrower files it as the plan says (the platform's remark is the evidence):"
	$(DEMO_CLI) object file $$(cat demo/borrower.txt) --record $$(cat demo/objection/record.txt) \
	    --reason deduction_failed_not_my_fault $(DEMO_DATED)
	@echo "The platform accepts the bureau's proposal; the desk approves the reply it drafts:"
	$(DEMO_CLI) object answer 1 --by $$(cut -d: -f2 demo/objection/record.txt) --outcome corrected \
	    $(DEMO_DATED) > /dev/null
	$(DEMO_CLI) object approve 1 --by desk $(DEMO_DATED) > /dev/null
	$(DEMO_CLI) object letter 1 $(DEMO_DATED)
	$(DEMO_CLI) object letter 1 --out demo/objection/reply.pdf $(DEMO_DATED)
	$(DEMO_CLI) report $$(cat demo/borrower.txt) --format html --out demo/report.html $(DEMO_DATED)
	$(DEMO_CLI) report $$(cat demo/borrower.txt) --format pdf --out demo/report.pdf $(DEMO_DATED)
	@echo "A borrower with five platforms and a Huabei account brings a plan file; the advisor"
	@echo "pays each platform something every month and says what money from outside would do:"
	$(DEMO_CLI) plan examples/six-accounts.yaml --as-of $(DEMO_PLAN_AS_OF)
	$(DEMO_CLI) plan examples/six-accounts.yaml --as-of $(DEMO_PLAN_AS_OF) \
	    --format html --out demo/plan-six-accounts.html --letters demo/letters
	@echo "The desk invites the borrower above to the web portal (a one-time code, 7 days):"
	set -o pipefail; $(DEMO_CLI) user invite $$(cat demo/borrower.txt) $(DEMO_DB) | tee demo/portal-invite.txt
	@echo
	@echo "The reports after the correction: $(abspath demo)/report.html and $(abspath demo)/report.pdf"
	@echo "The reply letter: $(abspath demo)/objection/reply.pdf"
	@echo "The recovery plan with its charts and letters: $(abspath demo)/plan.html"
	@echo "The six-account plan with bridging money: $(abspath demo)/plan-six-accounts.html"
	@echo "Its letters to the platforms (text and PDF): $(abspath demo)/letters/"
	@echo "The batch (one row per person): $(abspath demo)/batch/indicators.parquet"
	@echo "The portal, in Chinese or English: serve the demo's store with"
	@echo "    $(DEMO_CLI) serve $(DEMO_DB)"
	@echo "  then open http://localhost:8000/enrol and give the code above with the identity"
	@echo "  $$(cat demo/borrower.txt) (docs/portal.md; the code is in demo/portal-invite.txt)"

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: setup
	$(BIN)/mypy

contracts: setup
	$(BIN)/lint-imports

# Two workers (pytest-xdist), a test file each at a time: the suite is CPU-bound and the machine
# has two cores; a file's module-scoped fixtures (a synthetic population, a store) are made once.
# Files are handed out in collection order, the longest first (tests/conftest.py, LONGEST_FIRST),
# not xdist's default (most tests first), which left the longest files to the end.
PYTEST_ARGS := -q -n 2 --dist loadfile --no-loadscope-reorder --durations=15
pytest: setup postgres
	$(BIN)/pytest $(PYTEST_ARGS)

# The PostgreSQL runs of the suite (the store, the API served on it) need the server on
# 127.0.0.1:5432: started here as .ci/run does when it is installed and not running.
postgres:
	@if command -v pg_isready >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432; then \
	    pg_ctlcluster --skip-systemctl-redirect "$$(ls /etc/postgresql)" main start || true; \
	fi

# mypy (about a minute on one core, no cache on a clean clone) runs beside pytest rather than
# before it: its output is printed once pytest is done, and either failing fails the target.
test: setup lint contracts postgres
	@log=$$(mktemp); $(BIN)/mypy >"$$log" 2>&1 & mypy=$$!; \
	$(BIN)/pytest $(PYTEST_ARGS); tests=$$?; \
	wait $$mypy; types=$$?; echo "$(BIN)/mypy"; cat "$$log"; rm -f "$$log"; \
	[ $$tests -eq 0 ] && [ $$types -eq 0 ]

# The quick loop while developing, under a minute on the 2-core machine: ruff, then the unit and
# golden tests and the contract tests on SQLite, leaving out the tests marked `slow` (Spark,
# scorecard training, PDF printing, fuzzing) and the PostgreSQL runs. `make test` runs them all.
test-fast: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/pytest -q -n 2 -m "not slow" -k "not postgresql" tests/unit tests/golden tests/contract

bench: setup
	$(BIN)/python -m benchmarks.run
	$(BIN)/python -m benchmarks.synth_bench
	$(BIN)/python -m benchmarks.ingest_bench
	$(BIN)/python -m benchmarks.batch_bench
	$(BIN)/python -m benchmarks.spark_cluster
	$(BIN)/python -m benchmarks.score_bench
	$(BIN)/python -m benchmarks.plan_bench
	$(BIN)/python -m benchmarks.api_bench
	$(BIN)/python -m benchmarks.portal_bench
	$(BIN)/python -m benchmarks.scale_bench

# The shipped default scorecard (src/creditmend/models/), trained only on openly licensed data
# (docs/score.md, "The shipped model"): an Explainable Boosting Machine on the bureau's features
# of credit_record's monthly grids (CC0), revolving utilisation taken as a component from a
# scorecard on the UCI Taiwan data (CC BY 4.0), then the overlay of published relative risks and
# the knock-out rules (models/overlay.json). `months_since_activity` is left out of the model:
# the grids' months without a loan do not mean the bureau's months without a payment (docs/score.md).
# Fixed seed and date: the same data and library versions give the same file byte for byte. The
# intermediate files are temporary. The CLI writes its files for its user only; the shipped files
# are for every user (chmod a+r).
MODEL_DIR := src/creditmend/models
MODEL_SEED := 42
MODEL_TRAINED_ON := 2026-12-07
MODEL_BANDS := A=700,B=650,C=600,D=550,E
MODEL_CLI := $(BIN)/creditmend score
MODEL_DATED := --seed $(MODEL_SEED) --trained-on $(MODEL_TRAINED_ON) --test-size 0.3

model: setup
	@work=$$(mktemp -d) && set -x && \
	$(MODEL_CLI) features --source history --data $(CREDITMEND_DATA_DIR)/credit_record.csv.gz \
	    --applications $(CREDITMEND_DATA_DIR)/application_record.csv.gz --out $$work/history.csv && \
	$(MODEL_CLI) train --model ebm --data $$work/history.csv --target bad_60dpd_12m --bad 1 \
	    --protected gender --protected age --exclude months_since_activity \
	    $(MODEL_DATED) --bands $(MODEL_BANDS) --approve-band C \
	    --out $$work/history.json && \
	$(MODEL_CLI) features --source taiwan \
	    --data $(CREDITMEND_DATA_DIR)/default_of_credit_card_clients.csv --out $$work/taiwan.csv && \
	$(MODEL_CLI) train --data $$work/taiwan.csv --target "default payment next month" --bad 1 \
	    --protected SEX --protected MARRIAGE --protected EDUCATION --protected AGE $(MODEL_DATED) \
	    --out $$work/taiwan.json && \
	$(MODEL_CLI) combine --model $$work/history.json --from $$work/taiwan.json \
	    --features utilisation --out $$work/combined.json && \
	$(MODEL_CLI) overlay --model $$work/combined.json --overlay $(MODEL_DIR)/overlay.json \
	    --out $(MODEL_DIR)/default_scorecard.json && \
	$(MODEL_CLI) report --model $(MODEL_DIR)/default_scorecard.json \
	    --out $(MODEL_DIR)/default_scorecard_report.html && \
	chmod a+r $(MODEL_DIR)/default_scorecard.json $(MODEL_DIR)/default_scorecard_report.html; \
	status=$$?; rm -rf $$work; exit $$status

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache
