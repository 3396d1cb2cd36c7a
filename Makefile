# Set-up is automatic: every target creates the virtual environment when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench view browser clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "negsim needs Python >= 3.12, found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m negsim.view.assets
	@touch $(STAMP)

demo: $(STAMP)  ## run the flagship scenario (ukraine_2025, 1000 replications)
	$(BIN)/negsim

test: $(STAMP) browser  ## style check and the whole test suite
	$(BIN)/ruff check negsim tests experiments hydra_plugins
	$(BIN)/python -m pytest

view: $(STAMP)  ## the teaching view: open http://127.0.0.1:8765
	$(BIN)/negsim-view

browser:  ## Debian's chromium for the end-to-end tests, when /usr/bin/chromium is missing
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update && \
	  $$SUDO apt-get install -y --no-install-recommends chromium; }

bench: $(STAMP)  ## speed and memory benchmark of the engine
	$(BIN)/python experiments/benchmark/speed.py

clean:
	rm -rf $(VENV) outputs multirun .pytest_cache .ruff_cache
