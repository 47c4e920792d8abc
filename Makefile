# mipnn — two commands do everything on a fresh machine:
#   make reproduce   create/refresh .venv, execute every notebook (PROFILE=default|paper), write figures + summaries
#   make test        create/refresh .venv, run the unit tests, then execute and validate every notebook with nbval
# Also: make env, make lock, make data, make report, make lab, make outputs (refresh the outputs stored in
# notebooks/), make clean; `make help` lists them.

SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PROFILE ?= default
# Where the notebooks' sweeps and per-neuron MILPs run: empty (each notebook's default, local processes), dask (a
# LocalCluster on this machine) or a Dask scheduler address, e.g. make reproduce PROFILE=paper SCHEDULER=tcp://host:8786
SCHEDULER ?=
# 03b_… (a companion notebook) too: two digits, optionally a letter, then "_"
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb notebooks/[0-9][0-9][a-z]_*.ipynb))
NAMES := $(notdir $(basename $(NOTEBOOKS)))
LIB := $(shell find lib -name '*.py' -o -name '*.json' 2>/dev/null)
# ---- data location -------------------------------------------------------------------------------------------
# Data: the caller's MIPNN_DATA_DIR; else ../shared/datasets beside the checkout when present (CI, development);
# else nothing is set and the loaders use the cache data/<dataset>/ (`make data` fills it or says what is missing).
# MIPNN_DATA_DIR_ORIGIN lets the loaders' messages say that the Makefile, not the user, chose the folder.
ifeq ($(origin MIPNN_DATA_DIR),undefined)
ifneq ($(wildcard ../shared/datasets),)
export MIPNN_DATA_DIR := $(abspath ../shared/datasets)
export MIPNN_DATA_DIR_ORIGIN := set by the Makefile: the datasets folder found beside the checkout
endif
endif
# ---- end data location ----------------------------------------------------------------------------------------
export PATH := $(abspath $(BIN)):$(PATH)
export PYDEVD_DISABLE_FILE_VALIDATION := 1
export MPLBACKEND := Agg
# One OpenBLAS kernel on every x86-64 machine (AVX2, any CPU since 2013): OpenBLAS otherwise picks its kernel per CPU
# (AVX-512 or AVX2), layer outputs then differ in the last bits, and notebook 03's MILPs can break ties differently,
# so the numbers stored in the notebooks would not come out again on another CPU. Override: make ... OPENBLAS_CORETYPE=
export OPENBLAS_CORETYPE ?= Haswell
# One BLAS thread count for the same reason: OpenBLAS splits a product by thread, and 1 or 2 threads already change a
# node-capped MILP's incumbent in notebook 03 (benchmarks/bench_03_blas_threads.py). 2 is what CI has.
export OPENBLAS_NUM_THREADS ?= 2

.PHONY: env lock data report reproduce test lint unit notebooks-test lab outputs clean help
.DEFAULT_GOAL := help

help:
	@echo "make reproduce [PROFILE=paper] [SCHEDULER=dask|tcp://host:8786]  run every notebook, write figures/ and results/"
	@echo "make test                       ruff, unit tests and notebook validation (nbval)"
	@echo "make env / make lock            install the locked environment / re-resolve and rewrite requirements.lock"
	@echo "make data                       check (or download) every dataset the notebooks need"
	@echo "make report                     static HTML site of the executed notebooks and docs/ (docs/_build/html)"
	@echo "make figures [NOTEBOOK=nb]      re-render every paper-scale figure from the committed stores (no solver)"
	@echo "make lab                        open JupyterLab on notebooks/"
	@echo "make outputs                    re-execute notebooks/ in place (refresh stored outputs)"
	@echo "make clean                      remove .venv and executed copies under results/"

# ---- environment: env, lock --------------------------------------------------------------------------------------
# The environment is (re)built from requirements.lock (exact versions and hashes of every package, the ones that
# produced the stored outputs), then mipnn itself without dependencies; it is rebuilt whenever the lock or
# pyproject.toml changes. `make lock` re-resolves pyproject.toml's ranges to the newest versions (pip-tools) and
# rewrites the lock: re-run the notebooks afterwards (tests/test_packaging.py compares the lock with the versions
# recorded in results/*/summary.json).
LOCK := requirements.lock
LOCK_EXTRAS := test,docs
$(VENV)/.installed: $(LOCK) pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (mipnn)" >/dev/null
	@touch $@

env: $(VENV)/.installed

lock: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet "pip-tools>=7.4"
	$(BIN)/pip-compile --quiet --upgrade --generate-hashes --strip-extras --allow-unsafe --extra $(LOCK_EXTRAS) \
		--no-emit-index-url --no-emit-find-links --output-file $(LOCK) pyproject.toml
	$(MAKE) env
# ---- end environment --------------------------------------------------------------------------------------------

# ---- data --------------------------------------------------------------------------------------------------------
# Every dataset file the notebooks read, verified by SHA256: found via MIPNN_DATA_DIR or data/<dataset>/, else
# downloaded from the mirrors in lib/mipnn/data/checksums.json; else it stops here, before any notebook runs, with one
# message naming what is missing and how to supply it. DATA_ARGS=--no-download forbids the network.
DATA_ARGS ?=
data: $(VENV)/.installed
	@$(BIN)/python -m mipnn.data.ensure $(DATA_ARGS)
# ---- end data ----------------------------------------------------------------------------------------------------

# Each executed notebook is written to a temporary file and moved into place only when the run succeeded, so an
# interrupted `make reproduce` re-runs exactly the notebooks that did not finish.
results/%/executed_$(PROFILE).ipynb: notebooks/%.ipynb $(LIB) | $(VENV)/.installed data
	@mkdir -p $(dir $@)
	$(BIN)/papermill --kernel python3 --progress-bar -p profile $(PROFILE) $(if $(SCHEDULER),-p executor $(SCHEDULER)) \
		--cwd notebooks $< $(@:.ipynb=.partial.ipynb)
	@mv $(@:.ipynb=.partial.ipynb) $@

reproduce: $(VENV)/.installed data $(foreach n,$(NAMES),results/$(n)/executed_$(PROFILE).ipynb)
	$(BIN)/python -m mipnn.status --write
	@echo "Executed notebooks: results/<notebook>/executed_$(PROFILE).ipynb; figures in figures/; summaries in results/<notebook>/summary.json; README results at a glance and docs/status.md regenerated"

# ---- report ------------------------------------------------------------------------------------------------------
# A static HTML site of the executed notebooks (their stored outputs, not re-run) and docs/, MathJax served locally
# (renders offline): docs/_build/html/index.html. See docs/report.md for publishing it (GitHub Pages).
report: $(VENV)/.installed
	$(BIN)/sphinx-build -q -W --keep-going -b html -c docs . docs/_build/html
	@echo "Report: docs/_build/html/index.html"
# ---- end report --------------------------------------------------------------------------------------------------

# ruff (configured in pyproject.toml) keeps the layout honest before any test runs: import order, unused names,
# bugbear's pitfalls and a complexity cap per function.
lint: $(VENV)/.installed
	$(BIN)/ruff check lib tests benchmarks

# The unit tests in two passes: those that time themselves or own ports and processes (marked serial in
# tests/conftest.py) alone, the rest on TEST_JOBS pytest-xdist workers first.
TEST_JOBS ?= 2
unit: lint
	$(BIN)/python -m pytest tests -q -n $(TEST_JOBS) -m "not serial"
	$(BIN)/python -m pytest tests -q -m serial

# nbval executes each stored notebook once (default parameters) and compares the outputs of its result cells with
# the ones stored in notebooks/ (timings, progress bars and memory addresses are sanitised or ignored per cell).
# The notebooks run on NB_JOBS pytest-xdist workers, each notebook whole on one worker (its cells share a kernel);
# every demo ends on work limits, so running two at once changes their times, not their outputs.
NB_JOBS ?= 2
notebooks-test: $(VENV)/.installed data
	@test -n "$(NOTEBOOKS)" || { echo "no notebooks to validate"; exit 1; }
	$(BIN)/python -m pytest --nbval $(NOTEBOOKS) -n $(NB_JOBS) --dist loadfile \
		--nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout 900 --nbval-current-env \
		-p no:cacheprovider -q

test: data unit notebooks-test

# JupyterLab refuses to run as root unless told: a container's usual user is root, so pass --allow-root then.
# LAB_ARGS adds options, e.g. make lab LAB_ARGS="--no-browser --ip=127.0.0.1 --port=8899".
LAB_ARGS ?=
lab: $(VENV)/.installed
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

outputs: $(VENV)/.installed data
	@for nb in $(NOTEBOOKS); do \
		$(BIN)/papermill --kernel python3 --cwd notebooks $$nb $${nb%.ipynb}.partial.ipynb && \
		$(BIN)/python -m mipnn.notebook_files $${nb%.ipynb}.partial.ipynb && mv $${nb%.ipynb}.partial.ipynb $$nb || exit 1; \
	done

clean:
	rm -rf $(VENV) docs/_build results/*/executed_*.ipynb results/*/*.partial.ipynb notebooks/*.partial.ipynb

# Re-render every registered paper-scale figure (lib/mipnn/figures.py) from the committed stores under results/, in
# seconds and without a solver: MIPNN_NO_SOLVE=1 makes any solve raise. Byte-stable: twice leaves git status clean.
.PHONY: figures
figures: $(VENV)/.installed
	MIPNN_NO_SOLVE=1 $(BIN)/python -m mipnn.figures $(if $(NOTEBOOK),--notebook $(NOTEBOOK))
