# The two documented set-up commands: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
export RENKEI_DATA_DIR ?= $(CURDIR)/.renkei

.PHONY: demo test install install-dev assets lint typecheck migrations-check clean messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python assets
	$(BIN)/pip install --quiet -e .

install-dev: $(BIN)/python assets
	$(BIN)/pip install --quiet -e ".[dev]"

# Front-end packages come from the npm registry at install time; nothing third-party is committed.
assets:
	npm ci --no-audit --no-fund --loglevel=error
	$(PYTHON) scripts/vendor_assets.py

demo: install
	$(BIN)/renkei demo

# Both cores (pytest-xdist); one file per worker, so a module's data is built once (tests/idor.py).
test: install-dev
	$(BIN)/python -m pytest -n auto --dist loadfile

lint:
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/lint-imports

typecheck:
	$(BIN)/mypy src

migrations-check:
	$(BIN)/renkei manage makemigrations --check --dry-run

clean:
	rm -rf $(VENV) node_modules src/renkei/static/vendor

# Refresh the Japanese catalogue after changing texts; fill the new entries, then compile.
messages: install-dev
	cd src/renkei && ../../$(BIN)/python -m django makemessages -l ja --no-location --no-obsolete -i "static/*" --settings=renkei.settings
	cd src/renkei && ../../$(BIN)/python -m django compilemessages -l ja --settings=renkei.settings
