# IdeaStorm: `make run` to try it, `make test` to check it. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Dev install (the app, test and lint tools); runtime install (what serving needs, for `make run`).
STAMP := $(VENV)/.installed
RUNTIME_STAMP := $(VENV)/.installed-runtime
PIP := $(BIN)/python -m pip --quiet --disable-pip-version-check
PORT ?= 8000
# The OpenID Connect provider the single sign-on tests run (tests/sso/provider, Node.js 20+).
SSO_PROVIDER := tests/sso/provider
# The TypeScript client tests (tests/api/clients): openapi-typescript, openapi-fetch and tsc,
# installed from the committed package.json and package-lock.json into a cache under var/.
TS_CLIENT := tests/api/clients/ts
NODE_CLIENTS := var/node-clients
# The page checks (tests/web_quality): the Nu HTML Checker (vnu-jar, run by Java 17+) on every
# page the tests render, kept in HTML_CHECK, and axe-core (tests/e2e/test_accessibility.py).
WEB_QUALITY := var/web-quality
HTML_CHECK := var/html-check

.PHONY: install install-runtime run test bench lint format clean schema

install: $(STAMP) var/secret_key $(SSO_PROVIDER)/node_modules/.installed $(NODE_CLIENTS)/node_modules/.installed \
	$(WEB_QUALITY)/node_modules/.installed

# What `make run` needs: the app and its runtime dependencies, no test or lint tools. A dev
# install touches this stamp too, so after `make install` nothing more is installed.
install-runtime: $(RUNTIME_STAMP) var/secret_key

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "IdeaStorm needs Python 3.11 or newer")'
	@$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	@echo "==> Installing IdeaStorm and its dev dependencies into $(VENV)"
	@$(PIP) install -e '.[dev]'
	@touch $(STAMP) $(RUNTIME_STAMP)

$(RUNTIME_STAMP): pyproject.toml | $(BIN)/python
	@echo "==> Installing IdeaStorm into $(VENV)"
	@$(PIP) install -e .
	@touch $(RUNTIME_STAMP)

# Without npm the single sign-on tests are skipped (a failure under REQUIRE_SERVICES=1).
$(SSO_PROVIDER)/node_modules/.installed: $(SSO_PROVIDER)/package.json $(SSO_PROVIDER)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  cd $(SSO_PROVIDER) && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed; \
	else echo "npm not found: the single sign-on tests need Node.js 20+ and npm"; fi

# Without npm the TypeScript client test is skipped (a failure under REQUIRE_SERVICES=1).
$(NODE_CLIENTS)/node_modules/.installed: $(TS_CLIENT)/package.json $(TS_CLIENT)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  mkdir -p $(NODE_CLIENTS) && cp $^ $(NODE_CLIENTS)/ && \
	  npm ci --prefix $(NODE_CLIENTS) --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the TypeScript client test needs Node.js 20+ and npm"; fi

# Without npm the page checks are skipped (a failure under REQUIRE_SERVICES=1).
$(WEB_QUALITY)/node_modules/.installed: tests/web_quality/package.json tests/web_quality/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  mkdir -p $(WEB_QUALITY) && cp $^ $(WEB_QUALITY)/ && \
	  npm ci --prefix $(WEB_QUALITY) --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the HTML and accessibility checks need Node.js 20+ and npm"; fi

# A per-install secret key, so `make run` can serve with DEBUG off and no configuration.
var/secret_key:
	@mkdir -p var
	@$(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@
	@chmod 600 $@

run: install-runtime
	@PORT=$(PORT) bash scripts/run.sh

# The tests keep each page they render (one per URL pattern, status and kind of viewer) in
# HTML_CHECK; then one run of the Nu HTML Checker lists every error with the page's URL. The
# tests of the embedded SQLite default's own path (marked sqlite) run in a pass of their own.
test: install
	@rm -rf $(HTML_CHECK)
	@status=0; \
	IDEASTORM_HTML_CHECK=$(HTML_CHECK) $(BIN)/python -m pytest $(PYTEST_ARGS) || status=$$?; \
	env -u DATABASE_URL $(BIN)/python -m pytest -q -p no:cacheprovider -m sqlite tests || status=$$?; \
	$(BIN)/python tests/web_quality/check_html.py $(HTML_CHECK) || status=1; \
	exit $$status

bench: install
	$(BIN)/python bench/run.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python scripts/import_graph.py --check
	$(BIN)/python manage.py makemigrations --check --dry-run
# deploy/: the Dockerfile's good practice and compose.yaml against the Compose schema (vendored
# in check-jsonschema: no network). Neither is built or started here: no Docker engine runs.
	$(BIN)/hadolint deploy/Dockerfile
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec deploy/compose.yaml

# The committed OpenAPI schema (docs/openapi.yaml), regenerated from the code and validated;
# tests/api/test_schema.py fails while the two differ. See docs/api.md before a breaking change.
schema: install
	$(BIN)/python manage.py spectacular --file docs/openapi.yaml --validate --fail-on-warn

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf var/staticfiles $(HTML_CHECK) var/celery-queue var/celerybeat-schedule* .pytest_cache

# The icon sprite (static/icons/sprite.svg, committed) from lucide-static, pinned in
# scripts/icons/package.json; needs npm, which installs the package into var/node-icons.
.PHONY: icons
icons:
	$(PYTHON) scripts/build_icons.py

# The scale-out proof (scripts/cluster/run.py): a load balancer, three web nodes, two workers
# and two beats, each in its own network namespace, through PgBouncer, under load while nodes
# are killed. Needs root, PostgreSQL on 127.0.0.1:5432, haproxy, pgbouncer and redis-server.
.PHONY: cluster-test
cluster-test: install
	$(BIN)/python scripts/cluster/run.py $(CLUSTER_ARGS)
