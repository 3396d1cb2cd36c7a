# Set-up is automatic: every target creates the virtual environment when it is missing, and
# installs what it needs: negsim and the view for demo, view and bench; the test tools besides
# (the test and docs extras) for check and test. Each set has its own stamp, so a target
# installs nothing that an earlier one installed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BASE := $(VENV)/.installed-base
TOOLS := $(VENV)/.installed-test
# two pytest-xdist workers; the tests of one xdist_group (the browser tests) share one
XDIST := -n 2 --dist loadgroup
SOURCES := negsim tests experiments hydra_plugins

.PHONY: demo check test view browser bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "negsim needs Python >= 3.12, found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(BASE): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[view]'
	$(BIN)/python -m negsim.view.assets
	@touch $@

$(TOOLS): pyproject.toml $(BASE)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

demo: $(BASE)  ## run the flagship scenario (ukraine_2025, 1000 replications)
	$(BIN)/negsim

check: $(TOOLS)  ## the fast loop: style, import contract, types, doctests and the quick tests
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python -m pytest -m "not slow and not browser" $(XDIST)

test: $(TOOLS) browser  ## style check and the whole test suite, doctests and browser tests too
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/python -m pytest $(XDIST)

view: $(BASE)  ## the teaching view: open http://127.0.0.1:8765
	$(BIN)/negsim-view

browser:  ## Debian's chromium for the end-to-end tests, when /usr/bin/chromium is missing
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update && \
	  $$SUDO apt-get install -y --no-install-recommends chromium; }

bench: $(BASE)  ## speed and memory of the engine, then the compiled engine beside the numpy one
	$(BIN)/python experiments/benchmark/speed.py
	$(BIN)/python experiments/benchmark/guard.py

clean:
	rm -rf $(VENV) outputs multirun .pytest_cache .ruff_cache .mypy_cache .import_linter_cache
