# Solutions: problems/*.yaml -> $(SOLUTIONS_DIR)/*.tex -> *.pdf   (included by the main Makefile)
#
#   make solutions   write the .tex of every problem and sheet, then compile the PDFs whose
#                    .tex changed; with nothing changed it runs no Python engine and no TeX.
#   make tex         install TeX with apt-get when latexmk or a needed .sty is missing.
#
# Incremental in two phases: `derive build --tex-only` rewrites a .tex only when its text
# changed (so its mtime tells make), then a sub-make compiles each %.pdf older than its %.tex.
# Safe under make -j: each compile runs in its own temporary directory. A failed PDF does not
# stop the others (the sub-make runs with -k); at the end every failed PDF is listed, exit 1.

VENV ?= .venv
DERIVE ?= $(VENV)/bin/derive
SOLUTIONS_SETUP ?= setup
SOLUTIONS_DIR ?= build
SOLUTIONS_STAMP := $(SOLUTIONS_DIR)/.tex-stamp
SOLUTIONS_INPUTS := $(wildcard problems/*.yaml problems/*/*.yaml templates/*.j2) \
                    $(shell find derive -name '*.py' -not -path '*/__pycache__/*' 2>/dev/null)
SOLUTIONS_PDFS = $(patsubst %.tex,%.pdf,$(wildcard $(SOLUTIONS_DIR)/*.tex))
TEX_PACKAGES := texlive-latex-base texlive-latex-recommended texlive-latex-extra \
                texlive-pictures latexmk poppler-utils
# pdf.py needs only the standard library, so any python3 can run it from the repository root.
TEX_PYTHON = $(if $(wildcard $(VENV)/bin/python),$(VENV)/bin/python,python3)

.PHONY: solutions solutions-pdf tex

solutions: $(SOLUTIONS_STAMP)
	@problem="$$($(TEX_PYTHON) -m derive.render.pdf --check)"; \
	if [ -n "$$problem" ]; then \
	  echo "$$problem" >&2; echo "solutions: wrote .tex files only, in $(SOLUTIONS_DIR)/" >&2; \
	else \
	  $(MAKE) --no-print-directory -k solutions-pdf || { \
	    echo "solutions: these PDFs failed to build (each one's error is above):" >&2; \
	    for tex in $(SOLUTIONS_DIR)/*.tex; do \
	      pdf="$${tex%.tex}.pdf"; [ "$$pdf" -nt "$$tex" ] || echo "  $$pdf  (from $$tex)" >&2; \
	    done; \
	    exit 1; }; \
	fi

$(SOLUTIONS_STAMP): $(SOLUTIONS_INPUTS) | $(SOLUTIONS_SETUP)
	$(DERIVE) build --tex-only --out $(SOLUTIONS_DIR)
	@touch $@

solutions-pdf: $(SOLUTIONS_PDFS)
	@:

$(SOLUTIONS_DIR)/%.pdf: $(SOLUTIONS_DIR)/%.tex
	$(TEX_PYTHON) -m derive.render.pdf $< $@

tex:
	@problem="$$($(TEX_PYTHON) -m derive.render.pdf --check)"; \
	if [ -z "$$problem" ]; then echo "TeX is installed."; \
	else \
	  echo "$$problem"; \
	  sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
	  $$sudo apt-get update && \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(TEX_PACKAGES); \
	fi
