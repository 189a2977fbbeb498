# Two commands do all the set-up on a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# node_modules: test-only tools from package-lock.json (the xAPI validator that tests/web/test_xapi_lrs.py runs)
NODE_STAMP := node_modules/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: install demo serve test lint security typecheck i18n screenshots clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,prod]'
	touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

install: $(STAMP) $(NODE_STAMP)

## make demo: install, create instance/lms.sqlite, import courses/, create demo accounts, serve on :5000
## (it stops first, with one line, when the port is taken: the demo passwords are not reset then)
demo: install
	@$(BIN)/python scripts/check_port.py $(HOST) $(PORT)
	$(BIN)/flask --app wsgi lms init
	$(BIN)/flask --app wsgi lms courses import courses
	$(BIN)/flask --app wsgi lms demo
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl+C to stop)"
	LMS_PUBLIC_URL=$${LMS_PUBLIC_URL:-http://$(HOST):$(PORT)} $(BIN)/flask --app wsgi run --host $(HOST) --port $(PORT)

## make serve: production-style serving with gunicorn against DATABASE_URL
serve: install
	$(BIN)/flask --app wsgi lms init
	BIND=$(HOST):$(PORT) $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

## make test: install the test dependencies and run the whole suite (TEST_WORKERS processes)
TEST_WORKERS ?= 2
test: install
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadscope

lint: install
	$(BIN)/ruff check .

## make security: bandit over the plugin (medium and high severity); every `# nosec` must name its check,
## give its reason and be listed in docs/security*.md (.ci/check_nosec.py). CI runs it first.
security: install
	$(BIN)/bandit -ll -r lms -q -c pyproject.toml
	$(BIN)/python .ci/check_nosec.py lms docs

## make typecheck: mypy over the plugin (settings in pyproject.toml's [tool.mypy]); a `# type: ignore` names
## its error code and says why (a third-party library typed wrongly). CI runs it after the security check.
typecheck: install
	$(BIN)/mypy

## make i18n: extract the strings, merge them into each language's .po (the translators' source), compile
## (pybabel's standard workflow: a translator's edit in a .po file is never overwritten)
I18N := lms/translations
i18n: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k _ -k gettext -k ngettext:1,2 -k _n:1,2 -k define:2 \
		--no-location --sort-output --project lms -o $(I18N)/lms.pot .
	$(BIN)/pybabel update -i $(I18N)/lms.pot -d $(I18N) -D lms --no-wrap --ignore-pot-creation-date
	$(BIN)/pybabel compile -d $(I18N) -D lms --statistics

## make screenshots: the key pages at 360 and 1280 px, in Russian and Arabic, into docs/screenshots/
screenshots: install
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) node_modules build dist *.egg-info
