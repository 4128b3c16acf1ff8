# Two commands: `make run` and `make test` (plus `make test-fast`, `make lint`, `make wheel-check`). Both create .venv when missing and
# (re)install only when pyproject.toml changed, so a second run starts in seconds.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.nnlab-installed

.PHONY: run test test-fast lint wheel-check clean gpu-check gpu-check-dry gpu-wheels

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/nnlab $(ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Everything not marked slow (no full-data runs, no tmux walk-throughs, no benches).
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

# ruff (a small rule set, and the formatter's check) and the import-linter layer contracts.
lint: $(STAMP)
	$(BIN)/ruff check nnlab tests tools
	$(BIN)/ruff format --check nnlab tests tools
	$(BIN)/lint-imports

# The built wheel, installed non-editable in a fresh venv with no dataset and no network.
wheel-check: $(STAMP)
	bash .ci/wheel_check.sh

clean:
	rm -rf $(VENV) .pytest_cache

# The GPU check (issue 18). On the GPU machine (no venv there, its own python3 has torch):
# `make gpu-check` (or `bash tools/gpu_check.sh`): one JSON report, within 8 minutes.
# Here, where pip can download: `make gpu-wheels` fills .device/ (ignored) with the wheels of
# textual, textual-plotext and their pure-Python needs at the versions in .venv, and the four
# FashionMNIST .gz files. `make gpu-check-dry` runs the same script on the CPU.
gpu-check:
	PYTHON=$(PYTHON) bash tools/gpu_check.sh $(ARGS)

gpu-check-dry: $(STAMP)
	PYTHON=$(BIN)/python bash tools/gpu_check.sh --dry-run $(ARGS)

gpu-wheels: $(STAMP)
	$(BIN)/python -m nnlab.bench.gpu_check --prepare $(ARGS)
