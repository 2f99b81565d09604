# The two commands a new user types: `make demo` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test install install-test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The editable install maps the folders crawler/, rules/, audit/ and data/ to minhbach.*;
# setuptools says so in a notice on every install, which tells a user nothing: silenced.
PIP_INSTALL := PYTHONWARNINGS='ignore:Editable installation' $(BIN)/pip install --quiet

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

clean:
	rm -rf $(VENV) demo-output build *.egg-info
