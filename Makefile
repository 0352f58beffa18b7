# SafePlan — every target bootstraps .venv itself from the lock file (uv.lock).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.safeplan-installed
UV_VERSION := 0.13.9
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_COMPILE_BYTECODE := 1

.PHONY: install assets browser demo test lint bench bench-concurrency agreement validator-rules format docs clean

install: $(STAMP) assets

$(STAMP): pyproject.toml uv.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || $(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv sync --locked --extra dev --python $(BIN)/python
	@touch $@

# The demo scorecards show County Durham's published DfE figures (sample extracts).
demo: export SAFEPLAN_LA_CODE ?= E06000047
# The demo's e-mail (invitations, password resets, reminders) goes to files in
# SAFEPLAN_HOME/mail (the demo accounts' output names the folder), never to anyone.
demo: export SAFEPLAN_EMAIL_BACKEND ?= django.core.mail.backends.filebased.EmailBackend
demo: install
	$(BIN)/safeplan demo
	$(BIN)/python -m safeplan.web demo_accounts
	$(BIN)/safeplan serve

test: install lint browser
	$(BIN)/python -m pytest

# The browser tests (tests/browser) drive Debian's chromium with Playwright; Playwright never
# downloads a browser of its own (no `playwright install`). CI runs as root on Debian.
CHROMIUM := /usr/bin/chromium
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

browser:
	@test -x $(CHROMIUM) || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@# the board-report tests turn PDF pages into images with poppler's pdftoppm
	@command -v pdftoppm >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; }

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

docs: $(STAMP)
	$(BIN)/python -m safeplan.docgen

bench: $(STAMP)
	$(BIN)/python -m bench

# Writes while people read (bench/concurrency.py): gunicorn, 20 readers, a CLI load, uploads and
# survey answers; on PostgreSQL too when SAFEPLAN_BENCH_POSTGRES names a server.
bench-concurrency: $(STAMP)
	$(BIN)/python -m bench.concurrency

# Agreement with the field's DfE-rule validators (bench/agreement.py): they run in their own
# environment (Python 3.11, pandas 1.x), never SafePlan's.
VALIDATORS := .venv-validators
agreement: $(STAMP) $(VALIDATORS)/.installed
	SAFEPLAN_VALIDATORS_PYTHON=$(VALIDATORS)/bin/python $(BIN)/python -m bench.agreement

# The validators' rule codes per year, which tests/ingest/test_coverage.py holds SafePlan to.
validator-rules: $(VALIDATORS)/.installed
	$(VALIDATORS)/bin/python bench/validators/rule_codes.py

$(VALIDATORS)/.installed: bench/validators/requirements.txt
	@test -x $(VALIDATORS)/bin/python || python3.11 -m venv $(VALIDATORS)
	$(VALIDATORS)/bin/pip install --quiet --disable-pip-version-check -r $<
	@touch $@

# Front-end assets: GOV.UK Frontend from npm (versions pinned by package-lock.json), compiled
# without the GOV.UK font and copied into the web app's static folder. Nothing is fetched
# at run time. --ignore-scripts: no package runs code at install.
NPM        ?= npm
WEB_STATIC := src/safeplan/web/static/govuk
GOVUK_DIST := node_modules/govuk-frontend/dist/govuk
ASSETS_STAMP := $(WEB_STATIC)/.built

assets: $(ASSETS_STAMP)

node_modules/.package-lock.json: package.json package-lock.json
	$(NPM) ci --ignore-scripts --no-audit --no-fund

$(ASSETS_STAMP): node_modules/.package-lock.json src/safeplan/web/assets/govuk.scss
	rm -rf $(WEB_STATIC)
	mkdir -p $(WEB_STATIC)
	node_modules/.bin/sass --load-path=node_modules --style=compressed --no-source-map \
		--quiet-deps src/safeplan/web/assets/govuk.scss $(WEB_STATIC)/govuk-frontend.min.css
	cp $(GOVUK_DIST)/govuk-frontend.min.js $(GOVUK_DIST)/govuk-frontend.min.js.map $(WEB_STATIC)/
	@touch $@

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache node_modules $(WEB_STATIC)
