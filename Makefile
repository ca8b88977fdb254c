# derive: the two commands a new machine needs are `make` (set up, install TeX if missing,
# build every solution PDF into build/) and `make test` (set up, then the whole test suite).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
DERIVE := $(VENV)/bin/derive
STAMP  := $(VENV)/.installed

.PHONY: all setup test bench clean fuzz

# `make`: set up, install TeX if it is missing (a failure leaves .tex files only), build the PDFs.
all: setup
	@$(MAKE) --no-print-directory tex || echo "derive: TeX could not be installed (see above); writing .tex files only" >&2
	@$(MAKE) --no-print-directory solutions

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# pytest exits 5 when it collects no tests; make treats every non-zero exit as failure.
test: setup tex
	$(PY) -m pytest -q

# `make bench BENCH_ARGS=--profile`: where the bank's time goes, part by part.
bench: setup
	$(PY) bench/run.py $(BENCH_ARGS)

# `make fuzz`: hostile inputs for equiv, the checker and the spec loader (FUZZ_COUNT=100000 for a long run).
FUZZ_COUNT ?= 2000
FUZZ_SEED  ?= 1
fuzz: setup
	nice -n 19 $(PY) tests/fuzz/run.py --seed $(FUZZ_SEED) --count $(FUZZ_COUNT)

clean:
	rm -rf build .pytest_cache

include mk/solutions.mk
