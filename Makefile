# The two commands a new user types: `make demo` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test install install-test bench clean catalogues

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

PIP_INSTALL := $(BIN)/pip install --quiet

install: $(BIN)/python
	$(PIP_INSTALL) -e .

install-test: $(BIN)/python
	$(PIP_INSTALL) -e '.[test]'

demo: install
	$(BIN)/minhbach demo

test: install-test
	$(BIN)/python -m pytest

bench: install-test
	$(BIN)/python bench/crawl_bench.py

# The words people read: extract the messages (ours and click's own), update the Vietnamese and
# English catalogues in data/locale, compile them. Translate the new entries of vi/.../minhbach.po
# (tests/test_i18n.py fails while one is missing), then run this again.
LOCALE := data/locale
catalogues: install-test
	$(BIN)/pybabel -q extract --no-location --sort-output -F $(LOCALE)/babel.cfg -o $(LOCALE)/minhbach.pot \
		--project minhbach --copyright-holder "minhbach" \
		audit crawler rules $$($(BIN)/python -c 'import click, os; print(os.path.dirname(click.__file__))')
	for lang in vi en; do \
		if [ -f $(LOCALE)/$$lang/LC_MESSAGES/minhbach.po ]; then \
			$(BIN)/pybabel -q update --no-fuzzy-matching --ignore-obsolete -i $(LOCALE)/minhbach.pot -d $(LOCALE) -D minhbach -l $$lang; \
		else $(BIN)/pybabel -q init -i $(LOCALE)/minhbach.pot -d $(LOCALE) -D minhbach -l $$lang; fi; \
	done
	$(BIN)/pybabel -q compile -d $(LOCALE) -D minhbach

clean:
	rm -rf $(VENV) demo-output build *.egg-info
