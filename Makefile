# IdeaStorm: `make run` to try it, `make test` to check it. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
# The OpenID Connect provider the single sign-on tests run (tests/sso/provider, Node.js 20+).
SSO_PROVIDER := tests/sso/provider

.PHONY: install run test bench lint format clean

install: $(STAMP) var/secret_key $(SSO_PROVIDER)/node_modules/.installed

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "IdeaStorm needs Python 3.11 or newer")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# Without npm the single sign-on tests are skipped (a failure under REQUIRE_SERVICES=1).
$(SSO_PROVIDER)/node_modules/.installed: $(SSO_PROVIDER)/package.json $(SSO_PROVIDER)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  cd $(SSO_PROVIDER) && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed; \
	else echo "npm not found: the single sign-on tests need Node.js 20+ and npm"; fi

# A per-install secret key, so `make run` can serve with DEBUG off and no configuration.
var/secret_key:
	@mkdir -p var
	@$(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@
	@chmod 600 $@

run: install
	PORT=$(PORT) bash scripts/run.sh

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/run.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python scripts/import_graph.py --check
	$(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf var/staticfiles var/celery-queue var/celerybeat-schedule* .pytest_cache
