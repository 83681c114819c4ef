# Two commands on a fresh machine (Python 3.11 + pip):  make book   and   make test
# The first use creates .venv/ and installs the pinned environment from pyproject.toml.

SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
EDITION ?= 2019
J ?= 2
STAMP := $(VENV)/.installed

.PHONY: book test test-fast fetch fetch-kolada editions clean-book lint venv help

help:
	@echo "make book [EDITION=2019] [J=2]   build one edition into _build/html/<EDITION>/"
	@echo "make editions                    build every edition in params/"
	@echo "make test                        run the whole test suite"
	@echo "make fetch                       download SCB population data into data/raw/ (online)"
	@echo "make fetch-kolada                download Kolada's child-poverty indicators (online)"
	@echo "make lint                        ruff on the library and the notebooks, and the layer rules"

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || (echo "Python 3.11 is required" && exit 1)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

book: $(STAMP)
	$(BIN)/python -m analysis.book.build book --edition $(EDITION) -j $(J)

editions: $(STAMP)
	@for p in params/[0-9]*.yml; do e=$$(basename $$p .yml); \
	  $(BIN)/python -m analysis.book.build book --edition $$e -j $(J) || exit 1; done

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup

test-fast: $(STAMP)
	$(BIN)/python -m pytest -n 2 -m "not slow and not browser"

fetch: $(STAMP)
	$(BIN)/python -m analysis.sources.pxweb fetch --years 2016-2024

fetch-kolada: $(STAMP)
	$(BIN)/python -m analysis.sources.kolada fetch --years 2011-2021

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/unit/test_notebook_rules.py tests/unit/test_layers.py

clean-book:
	rm -rf _build
