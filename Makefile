# The two commands a new user types: `make demo` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test install install-test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'

demo: install
	$(BIN)/minhbach demo

test: install-test
	$(BIN)/python -m pytest

bench: install-test
	$(BIN)/python bench/crawl_bench.py

clean:
	rm -rf $(VENV) demo-output *.egg-info
