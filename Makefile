# The two commands a new user types: `make demo` and `make test` (see README.md).
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
# Exact versions of every dependency, tested together (`make constraints` renews them).
PIP_INSTALL := $(BIN)/pip install --quiet -c constraints.txt

.PHONY: demo test test-fast lint install install-test bench clean catalogues constraints

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(PIP_INSTALL) -e '.[all]'

install-test: $(BIN)/python
	$(PIP_INSTALL) -e '.[test]'

demo: install
	$(BIN)/minhbach demo

# Everything CI runs: lint, types, the layers, then every test.
test: install-test lint
	$(BIN)/python -m pytest

# The edit loop: the tests that crawl, render or start workers are left out (a few minutes less).
test-fast: install-test
	$(BIN)/python -m pytest -m "not slow"

lint:
	$(BIN)/ruff check rules crawler audit tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: install-test
	$(BIN)/python bench/crawl_bench.py

# The words people read: extract the messages (ours and click's own), update the Vietnamese and
# English catalogues in data/locale, compile them. Translate the new entries of vi/.../minhbach.po
# (tests/test_i18n.py fails while one is missing), then run this again.
LOCALE := data/locale
catalogues: install-test
	$(BIN)/pybabel -q extract --no-wrap --no-location --sort-output -F $(LOCALE)/babel.cfg -o $(LOCALE)/minhbach.pot \
		--project minhbach --copyright-holder "minhbach" \
		audit crawler rules $$($(BIN)/python -c 'import click, os; print(os.path.dirname(click.__file__))')
	for lang in vi en; do \
		if [ -f $(LOCALE)/$$lang/LC_MESSAGES/minhbach.po ]; then \
			$(BIN)/pybabel -q update --no-wrap --no-fuzzy-matching --ignore-obsolete -i $(LOCALE)/minhbach.pot -d $(LOCALE) -D minhbach -l $$lang; \
		else $(BIN)/pybabel -q init -i $(LOCALE)/minhbach.pot -d $(LOCALE) -D minhbach -l $$lang; fi; \
	done
	$(BIN)/pybabel -q compile -d $(LOCALE) -D minhbach

# Renew constraints.txt: a fresh environment takes the newest versions pyproject.toml allows.
constraints:
	rm -rf .venv-constraints && $(PYTHON) -m venv .venv-constraints
	.venv-constraints/bin/pip install --quiet --upgrade pip
	.venv-constraints/bin/pip install --quiet -e '.[test]'
	.venv-constraints/bin/pip freeze --exclude-editable > constraints.txt
	rm -rf .venv-constraints

clean:
	rm -rf $(VENV) demo-output build *.egg-info
