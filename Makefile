# Two commands for a newcomer: `make demo` and `make test`. Both create .venv first.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo assets test lint pytest eval bench clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/reciprocity demo --report report.html

assets:  ## re-vendor the web app's browser files from the npm registry (needs npm)
	$(PY) scripts/build_assets.py

test: lint pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench scripts
	$(VENV)/bin/ruff format --check src tests bench scripts
	$(VENV)/bin/mypy

pytest: $(STAMP)
	$(PY) -m pytest

bench: $(STAMP)  ## slow (about 15 min): our pipeline and its peers on 10k, 100k and 1M messages
	$(PY) bench/run.py --sizes 10k,100k,1M

eval: $(STAMP)  ## act detection scored on ../shared/datasets (about 30 s)
	$(VENV)/bin/reciprocity eval

clean:
	rm -rf $(VENV) report.html .pytest_cache .mypy_cache .ruff_cache build dist
