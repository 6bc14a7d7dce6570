# Two entry points do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
PRESET ?= quick
RUN    ?= runs/$(PRESET)
# Independent (task, model, seed) groups in two single-threaded processes: small
# convolutions gain less from a second thread than from a second process.
WORKERS ?= 2
# The stamp is rebuilt when packaging changes, so `make install` is idempotent and cheap.
STAMP  := $(VENV)/.installed

.PHONY: install run test lint format bench docs clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# setuptools tells every editable install of a two-root layout (regshift_bench/ and
	# plugins/) to beware of same-named folders, in 8 lines; the filter drops that note only.
	PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip install -q -c constraints.txt -e ".[dev]"
	touch $(STAMP)

# The leaderboard is printed even when some cells failed; the run's exit status is kept.
run: install
	$(BIN)/rsbench run --all --preset $(PRESET) --workers $(WORKERS) --out $(RUN); status=$$?; \
	$(BIN)/rsbench leaderboard $(RUN) && exit $$status

test: install
	$(BIN)/python -m pytest -q

# The documentation site (docs/, mkdocs.yml) into site/; --strict fails on any warning.
docs: install
	$(BIN)/python -m mkdocs build --strict --site-dir site

# Lint (ruff: pyflakes, pycodestyle, import order; the ruff format) and type-check the core
# (mypy); all configured in pyproject.toml. CI runs it after the tests.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Reformat the tree as `make lint` expects it (ruff format, configured in pyproject.toml).
format: install
	$(BIN)/ruff format .

bench: install
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) runs build site *.egg-info
