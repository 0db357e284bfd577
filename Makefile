# planqa — two commands: `make run` and `make test`.
VENV    ?= .venv
PY      := $(VENV)/bin/python
PLANQA  := $(VENV)/bin/planqa
STAMP   := $(VENV)/.installed
HOST    ?= 127.0.0.1
PORT    ?= 8000

.PHONY: run test install index eval bench train lint clean

$(PY):
	python3 -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: install
	$(PLANQA) index
	$(PLANQA) serve --host $(HOST) --port $(PORT)

index: install
	$(PLANQA) index

test: install
	$(PY) -m pytest

eval: install
	$(PY) -m evaluation.run_eval $(ARGS)

bench: install
	$(PY) -m evaluation.run_bench $(ARGS)

# the query adapter with its leave-documents-out folds (about 45 minutes), the answer gate with its
# folds (about 30 minutes) and the reader/reranker adapters (about 60 minutes on 2 cores)
train: install
	$(PY) -m training.query
	$(PY) -m training.gate
	$(PY) -m training.reader $(ARGS)

lint: install
	$(VENV)/bin/ruff check ingest index service ui tests training evaluation

clean:
	rm -rf .planqa
