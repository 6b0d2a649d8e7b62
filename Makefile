# The two commands: `make run` and `make test`. See README.md.
PYTHON ?= python3
# `make run PORT=5001 HOST=0.0.0.0` to serve elsewhere.
PORT ?= 5000
HOST ?= 127.0.0.1
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := gallery

.PHONY: run test lint bench messages translations db demo clean-venv

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $(STAMP)

# Compiled catalogues are build output, never committed.
translations: $(STAMP)
	$(BIN)/flask translations compile

# Migrate, load reference data (idempotent), the SAMPLE tariff table when no tariff exists yet, and the
# demo shop on an empty database only.
db: translations
	mkdir -p instance
	$(BIN)/flask db upgrade
	$(BIN)/flask regions load
	$(BIN)/flask catalog seed
	$(BIN)/flask tariff load-sample

demo: db
	$(BIN)/flask demo load

run: demo
	@echo ""
	@echo "  Galeri Oleh-oleh Pesisir Selatan: http://$(HOST):$(PORT)"
	@echo "  Demo logins (password galeri-demo):"
	@echo "    admin@galeri.test     admin      -> /staff"
	@echo "    staf@galeri.test      staff      -> /staff"
	@echo "    produsen@galeri.test  producer   -> /portal"
	@echo "    pembeli@galeri.test   customer   -> /"
	@echo ""
	$(BIN)/flask run --host $(HOST) --port $(PORT)

test: translations
	$(BIN)/python -m pytest -q

# The rules are in ruff.toml; hadolint checks the Dockerfile without Docker.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/hadolint Dockerfile

# Speed is read here, never asserted in tests. `make bench BENCH_ARGS="--settlements 100000"` times
# generating producer statements over 100,000 sold allocations instead of serving pages.
bench: translations
	$(BIN)/python -m gallery.devtools.bench $(BENCH_ARGS)

# Re-extract the message catalogue after changing strings, then update the English one.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy -o gallery/translations/messages.pot .
	$(BIN)/pybabel update -i gallery/translations/messages.pot -d gallery/translations --no-fuzzy-matching --ignore-obsolete

clean-venv:
	rm -rf $(VENV)
