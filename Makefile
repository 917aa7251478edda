# actionplan: every target sets itself up (.venv) on first use.
#   make build CASE=asin-recall   render one case to build/asin-recall/
#   make all                      render every case in cases/
#   make test                     run the whole test suite
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ACTIONPLAN := $(BIN)/actionplan
READY := $(VENV)/.ready

CASES := $(wildcard cases/*.yaml)
NAMES := $(basename $(notdir $(CASES)))
# Anything that changes what a case renders to.
ENGINE := $(wildcard schemas/*.json templates/* templates/*/* generator/*.py generator/*/*.py)

.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
.SECONDEXPANSION:

help:
	@echo "make build CASE=<name>   render cases/<name>.yaml to build/<name>/ (.md .html .pdf .txt)"
	@echo "make bundle CASE=<name>  also Word, the submission PDF with the evidence, the evidence zip"
	@echo "make all                 render every case       make validate   check every case"
	@echo "make lint                content rules, every case"
	@echo "make new CASE=x STRUCTURE=4d REASON=product-safety    start a case from a template"
	@echo "make diff CASE=x FROM=<rev>   what changed since a version   make watch CASE=x   rebuild on save"
	@echo "make test                run the test suite      make check      ruff + mypy"
	@echo "make bench               timings (docs/performance.md)"
	@echo "make clean               remove build/           make setup      create .venv"

# The virtual environment, with the package and its pinned dependencies.
$(READY): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	@touch $@

setup: $(READY)

# A case, its evidence folder and everything that renders it.
INPUTS = cases/$$(notdir $$*).yaml $$(wildcard cases/$$(notdir $$*)/* cases/$$(notdir $$*)/*/*) $(ENGINE) $(READY)

# All formats of a case come from one run; the PDF is written last.
build/%.md build/%.html build/%.txt build/%.pdf: $(INPUTS)
	$(ACTIONPLAN) build --out build $<

build/%-submission.pdf build/%-evidence.zip build/%.docx: $(INPUTS)
	$(ACTIONPLAN) bundle --out build $<

case-given = @if [ -z "$(CASE)" ]; then echo "usage: make $@ CASE=<name>   (cases: $(NAMES))" >&2; exit 2; fi; \
	if [ ! -f "cases/$(CASE).yaml" ]; then echo "no such case: cases/$(CASE).yaml   (cases: $(NAMES))" >&2; exit 2; fi

build: $(READY)
	$(case-given)
	@$(MAKE) --no-print-directory build/$(CASE)/$(CASE).pdf

bundle: $(READY)
	$(case-given)
	@$(MAKE) --no-print-directory build/$(CASE)/$(CASE)-submission.pdf

# Every case in one process with a worker pool; the tool skips cases whose inputs are unchanged
# (build/<case>/.inputs.sha256), and make skips the whole run when nothing changed at all.
ALL_STAMP := build/.all-built
all: $(ALL_STAMP)
$(ALL_STAMP): $(CASES) $(wildcard cases/*/* cases/*/*/*) $(ENGINE) $(READY)
	$(ACTIONPLAN) build --out build $(CASES)
	@touch $@

watch: $(READY)
	$(case-given)
	$(ACTIONPLAN) watch cases/$(CASE).yaml

diff: $(READY)
	$(case-given)
	@if [ -z "$(FROM)" ]; then echo "usage: make diff CASE=<name> FROM=<git revision or file>" >&2; exit 2; fi
	$(ACTIONPLAN) diff cases/$(CASE).yaml --from $(FROM)

new: $(READY)
	@if [ -z "$(CASE)" ] || [ -z "$(STRUCTURE)" ] || [ -z "$(REASON)" ]; then echo "usage: make new CASE=<name> STRUCTURE=4d|8d REASON=<reason>" >&2; exit 2; fi
	$(ACTIONPLAN) new $(CASE) --structure $(STRUCTURE) --reason $(REASON)

validate: $(READY)
	$(ACTIONPLAN) validate $(CASES)

lint: $(READY)
	$(ACTIONPLAN) lint $(CASES)

test: $(READY)
	$(BIN)/python -m pytest -q

bench: $(READY)
	$(BIN)/python bench/run.py

check: $(READY)
	$(BIN)/ruff check generator tests
	$(BIN)/ruff format --check generator tests
	$(BIN)/mypy

clean:
	rm -rf build

.PHONY: help setup build bundle all watch diff new validate lint test bench check clean
