# Two commands on a fresh machine (Python 3.11 + pip):  make book   and   make test
# The first use creates .venv/ and installs the pinned environment from pyproject.toml.

SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
EDITION ?= 2019
J ?= 2
PORT ?= 8000
PREVIEW_PORT ?= 8001
STAMP := $(VENV)/.installed

.PHONY: book test test-fast fetch fetch-kolada editions clean-book lint venv help lab preview \
	serve new-edition

help:
	@echo "make book [EDITION=2019] [J=2] [REGION=18]   build one edition into _build/html/<region>/<EDITION>/"
	@echo "make book REGION=03            another län (code or name), or REGION=riket: all 290 kommuner"
	@echo "make book EXECUTOR=dask [SCHEDULER=tcp://host:8786]"
	@echo "                                 execute the notebooks on a Dask cluster (README)"
	@echo "make editions                    build every edition in params/"
	@echo "make test                        run the whole test suite"
	@echo "make fetch                       download SCB population data into data/raw/ (online)"
	@echo "make fetch-kolada                download Kolada's child-poverty indicators (online)"
	@echo "make lint                        the pre-commit checks on every file: ruff, notebook rules,"
	@echo "                                 layers, no .ipynb or outputs, whitespace, large files"
	@echo "make lab                         JupyterLab: notebooks/*.md open as notebooks, save as MyST text"
	@echo "make preview CHAPTER=04_liv_och_halsa [EDITION=2019] [AREA=1860]"
	@echo "                                 one page into _build/preview/, served on 127.0.0.1:$(PREVIEW_PORT)"
	@echo "make serve                       serve the built book (_build/html/) on 127.0.0.1:$(PORT)"
	@echo "make new-edition YEAR=2020       write params/2020.yml and report which data lack 2020"

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || (echo "Python 3.11 is required" && exit 1)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

book: $(STAMP)
	$(BIN)/python -m analysis.book.build book --edition $(EDITION) -j $(J) \
	  $(if $(REGION),--region "$(REGION)") $(if $(EXECUTOR),--executor $(EXECUTOR)) $(if $(SCHEDULER),--scheduler $(SCHEDULER))

# Twice: an edition's pages link only to editions already published, so the second round lets
# the first editions link to the later ones (it executes nothing; up-to-date books are skipped).
editions: $(STAMP)
	@for round in 1 2; do for p in params/[0-9]*.yml; do e=$$(basename $$p .yml); \
	  $(BIN)/python -m analysis.book.build book --edition $$e -j $(J) $(if $(REGION),--region "$(REGION)") || exit 1; \
	  done; done

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup

test-fast: $(STAMP)
	$(BIN)/python -m pytest -n 2 -m "not slow and not browser"

fetch: $(STAMP)
	$(BIN)/python -m analysis.sources.pxweb fetch --years 2016-2024

fetch-kolada: $(STAMP)
	$(BIN)/python -m analysis.sources.kolada fetch --years 2011-2021

# The pre-commit hooks on every file git would commit (tracked, and new files not ignored).
lint: $(STAMP)
	git ls-files -z --cached --others --exclude-standard | \
	  xargs -0 $(BIN)/pre-commit run --show-diff-on-failure --files

# JupyterLab with the repository's settings (.jupyter/, jupytext.toml); only this machine can reach it.
lab: $(STAMP)
	JUPYTER_CONFIG_PATH="$(CURDIR)/.jupyter" $(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" \
	  --LabApp.app_settings_dir="$(CURDIR)/.jupyter/lab/settings" $(LAB_ARGS)

preview: $(STAMP)
	@test -n "$(CHAPTER)" || { echo "usage: make preview CHAPTER=04_liv_och_halsa [EDITION=2019] [AREA=1860]"; exit 2; }
	$(BIN)/python -m analysis.book.preview $(CHAPTER) --edition $(EDITION) $(if $(AREA),--area $(AREA)) \
	  $(if $(BUILD_DIR),--build-dir $(BUILD_DIR)) $(if $(filter no,$(SERVE)),,--serve $(PREVIEW_PORT))

serve: $(STAMP)
	@test -f _build/html/index.html || { echo "Nothing to serve yet: build the book first (make book)"; exit 1; }
	@echo "The book: http://127.0.0.1:$(PORT)/  (Ctrl-C stops)"
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory _build/html

new-edition: $(STAMP)
	@test -n "$(YEAR)" || { echo "usage: make new-edition YEAR=2020"; exit 2; }
	$(BIN)/python -m analysis.book.newedition $(YEAR)

clean-book:
	rm -rf _build
