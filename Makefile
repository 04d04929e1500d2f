# rcakit: two commands for a fresh machine
#   make demo   create .venv, install, run the main job on sample_logs/ and write a report
#   make test   create .venv if needed, install, run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
REPORT_DIR := reports

.PHONY: demo test bench lint install clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	@mkdir -p $(REPORT_DIR)
	$(BIN)/rcakit report sample_logs/checkout-incident -o $(REPORT_DIR)/incident.html -o $(REPORT_DIR)/incident.md -o $(REPORT_DIR)/incident.json
	@echo
	@echo "Open $(REPORT_DIR)/incident.html in a browser (or read $(REPORT_DIR)/incident.md)."

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy src

clean:
	rm -rf $(VENV) $(REPORT_DIR) .pytest_cache .mypy_cache .ruff_cache build dist src/*.egg-info
