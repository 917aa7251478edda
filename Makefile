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
ENGINE := $(wildcard schemas/*.json rules/*.yaml rules/*.json rules/*/*.json templates/* templates/*/* \
  templates/*/*/* generator/*.py generator/*/*.py)

.DEFAULT_GOAL := help
# No built-in implicit rules: searching them for every evidence file makes a no-op run slow.
MAKEFLAGS += --no-builtin-rules
.SUFFIXES:
.SECONDEXPANSION:
# No .DELETE_ON_ERROR, and the outputs are precious: actionplan replaces them all or none, so a
# failed or interrupted run must leave the previous ones; make would delete them.
.PRECIOUS: build/%.md build/%.html build/%.txt build/%.pdf build/%-submission.pdf build/%.docx \
  build/%-evidence.zip

# A case name, as `actionplan new` allows it ([a-z0-9][a-z0-9-]*), checked before any shell sees
# it: CASE is spliced into recipes. Checked on its unexpanded value, which must not be expanded
# otherwise. FROM, STRUCTURE and REASON reach recipes only through the environment ("$$FROM").
NAME_CHARS := a b c d e f g h i j k l m n o p q r s t u v w x y z 0 1 2 3 4 5 6 7 8 9 -
without-chars = $(if $(2),$(call without-chars,$(subst $(firstword $(2)),,$(1)),$(wordlist 2,99,$(2))),$(1))
ifneq ($(origin CASE),undefined)
ifneq ($(value CASE),)
ifneq ($(words $(value CASE))$(call without-chars,$(value CASE),$(NAME_CHARS))$(filter -%,$(value CASE)),1)
$(error CASE is not a case name: use lower-case letters, digits and hyphens, as in cases/<name>.yaml)
endif
endif
endif

help:
	@echo "make build CASE=<name>   render cases/<name>.yaml to build/<name>/ (.md .html .pdf .txt)"
	@echo "make bundle CASE=<name>  also Word, the submission PDF with the evidence, the evidence zip"
	@echo "make all                 render every case       make validate   check every case"
	@echo "make lint                content rules, every case"
	@echo "make new CASE=x REASON=product-safety [STRUCTURE=4d LANGUAGE=de MARKETPLACE=amazon.de SCOPE=listing]"
	@echo "                         start a case from a template (structure and scope follow the reason)"
	@echo "make diff CASE=x FROM=<rev>   what changed since a version   make watch CASE=x   rebuild on save"
	@echo "make serve [CASE=x]      the plan in the browser (127.0.0.1), updated on every save"
	@echo "make test                run the test suite      make check      ruff + mypy"
	@echo "make tables              the lint's tables derived from the rules (made by setup and lint)"
	@echo "make bench               timings (docs/performance.md)"
	@echo "make lint-quality        precision and recall of the content rules (dev, held-out, sealed parts)"
	@echo "make clean               remove build/           make setup      create .venv"

# The virtual environment, with the package and its pinned dependencies.
$(READY): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	@# Byte-code now: where PYTHONDONTWRITEBYTECODE is set, every run would compile the package.
	@$(BIN)/python -m compileall -q generator
	@touch $@

# The lint's tables derived from the rules, like byte-code (generator/derived.py): remade after
# a rule or the lint's code changed; without them (or stale) each run derives them again.
TABLES := generator/__pycache__/.lint-tables
$(TABLES): $(wildcard rules/*.yaml rules/lemmas/*.json) generator/checks.py generator/lemmas.py \
  generator/prefilter.py generator/judge.py generator/derived.py $(READY)
	@$(BIN)/python -m generator.derived >/dev/null || echo "note: the lint's tables were not built" >&2
	@touch $@
tables: $(TABLES)

setup: $(READY) $(TABLES)

# A case, its evidence folder and everything that renders it.
INPUTS = cases/$$(notdir $$*).yaml $$(wildcard cases/$$(notdir $$*)/* cases/$$(notdir $$*)/*/*) $(ENGINE) $(READY)

# All formats of a case come from one run; the PDF is written last.
build/%.md build/%.html build/%.txt build/%.pdf: $(INPUTS)
	$(ACTIONPLAN) build --out build $<

build/%-submission.pdf build/%-evidence.zip build/%.docx: $(INPUTS)
	$(ACTIONPLAN) bundle --out build $<

case-given = @if [ -z "$(CASE)" ]; then echo "usage: make $@ CASE=<name>   (cases: $(NAMES))" >&2; exit 2; fi; \
	if [ ! -f "cases/$(CASE).yaml" ]; then echo "no such case: cases/$(CASE).yaml   (cases: $(NAMES))" >&2; exit 2; fi

build: $(READY) | $(TABLES)
	$(case-given)
	@$(MAKE) --no-print-directory build/$(CASE)/$(CASE).pdf

bundle: $(READY)
	$(case-given)
	@$(MAKE) --no-print-directory build/$(CASE)/$(CASE)-submission.pdf

# Every case in one process with a worker pool; make skips the whole run when nothing changed,
# and passes only the cases whose own files changed since the last run (all of them when the
# engine changed). The tool itself skips cases whose inputs are unchanged
# (build/<case>/.inputs.sha256).
ALL_STAMP := build/.all-built
all: $(ALL_STAMP)
# cases/x.yaml and anything under cases/x/ name the case x; any other file changes every case.
case-of = $(if $(filter cases/%,$(1)),cases/$(firstword $(subst /, ,$(patsubst cases/%,%,$(basename $(1))))).yaml,ALL)
changed-cases = $(sort $(foreach file,$?,$(call case-of,$(file))))
# The list of cases, rewritten only when it changes: a case added with an old file time (cp -p)
# still makes `all` run.
CASE_LIST := build/.cases
$(CASE_LIST): FORCE
	@mkdir -p build && echo '$(CASES)' | cmp -s - $@ || echo '$(CASES)' > $@
FORCE:
$(ALL_STAMP): $(CASES) $(wildcard cases/*/* cases/*/*/*) $(ENGINE) $(READY) $(CASE_LIST) | $(TABLES)
	$(ACTIONPLAN) build --out build $(if $(filter ALL,$(changed-cases)),$(CASES),$(filter $(CASES),$(changed-cases)))
	@touch $@

watch: $(READY)
	$(case-given)
	$(ACTIONPLAN) watch cases/$(CASE).yaml

# The live preview on 127.0.0.1: one case, or without CASE the index of every case.
serve: $(READY)
	$(if $(CASE),$(case-given))
	$(ACTIONPLAN) serve $(if $(CASE),cases/$(CASE).yaml)

diff: $(READY)
	$(case-given)
	@if [ -z "$$FROM" ]; then echo "usage: make diff CASE=<name> FROM=<git revision or file>" >&2; exit 2; fi
	$(ACTIONPLAN) diff cases/$(CASE).yaml --from "$$FROM"

# An option of `new` from a variable given on make's command line only: LANGUAGE is also the
# locale's environment variable (LANGUAGE=en_US:en), which must not become --language.
given = $(if $(filter command line,$(origin $(1))),$(2) "$$$(1)")
new: $(READY)
	@if [ -z "$(CASE)" ] || [ -z "$$REASON" ]; then echo "usage: make new CASE=<name> REASON=<reason> [STRUCTURE=4d|8d] [LANGUAGE=en|de|fr|es|it] [MARKETPLACE=amazon.de] [SCOPE=listing|account]" >&2; exit 2; fi
	$(ACTIONPLAN) new $(CASE) --reason "$$REASON" $(call given,STRUCTURE,--structure) \
	  $(call given,LANGUAGE,--language) $(call given,MARKETPLACE,--marketplace) $(call given,SCOPE,--scope)

validate: $(READY) | $(TABLES)
	$(ACTIONPLAN) validate $(CASES)

lint: $(READY) | $(TABLES)
	$(ACTIONPLAN) lint $(CASES)

# Checkers of the outputs' standards (tests/test_standards.py): Chromium and Java from Debian's
# packages, Tesseract (highlights in scanned evidence, tests/test_highlight.py), the W3C Nu HTML
# Checker and axe-core from npm. A tool that cannot be installed
# leaves its test skipped with the reason; the next `make test` tries again.
TOOLS := .tools
$(TOOLS)/.ready:
	@ok=1; \
	command -v chromium >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1; } || ok=0; \
	command -v java >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -qq default-jre-headless >/dev/null 2>&1 || ok=0; \
	command -v tesseract >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr >/dev/null 2>&1; } || ok=0; \
	npm install --silent --no-audit --no-fund --prefix $(TOOLS) vnu-jar@26.9.27 axe-core@4.14.1 \
	  >/dev/null 2>&1 || ok=0; \
	if [ $$ok = 1 ]; then touch $@; else echo "note: some output checkers could not be installed; their tests will be skipped" >&2; fi

test: $(READY) | $(TOOLS)/.ready
	$(BIN)/python -m pytest -q

# A long property-based run (tests/test_properties.py) with many more random cases.
fuzz: $(READY)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -q tests/test_properties.py

# The reference route needs WeasyPrint (and the system's Pango); without it that row is skipped.
bench: $(READY) $(TABLES)
	-@$(BIN)/python -m pip install --quiet --disable-pip-version-check weasyprint
	$(BIN)/python bench/run.py

# Precision and recall of the content rules on the labelled corpus: development, held-out and the sealed parts.
lint-quality: $(READY)
	$(BIN)/python -m tests.corpus

check: $(READY)
	$(BIN)/ruff check generator tests
	$(BIN)/ruff format --check generator tests
	$(BIN)/mypy

clean:
	rm -rf build

.PHONY: help setup tables build bundle all watch serve diff new validate lint lint-quality test fuzz bench check clean
