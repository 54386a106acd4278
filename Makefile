# searchsvc: `make serve` to run it, `make test` to test it. Both set up .venv on first use.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
PYTEST_ARGS ?=
BENCH_ARGS ?=

.PHONY: serve test install install-test reindex bench bench-relevance bench-manpages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

## Index content/ (incremental: only what changed) and serve on http://$(HOST):$(PORT)
serve: install
	$(BIN)/searchsvc reindex || [ $$? -eq 1 ]
	$(BIN)/searchsvc serve --host $(HOST) --port $(PORT)

reindex: install
	$(BIN)/searchsvc reindex || [ $$? -eq 1 ]

## Run every test. Installed here when missing: Debian's chromium (browser tests), hugo and
## jekyll, and npm's @11ty/eleventy and hexo in $(VENV)/node (tests that build tiny sites with them)
APT_FOR_TESTS := chromium hugo jekyll
test: install-test $(VENV)/node/.installed
	@missing=""; for tool in $(APT_FOR_TESTS); do command -v $$tool >/dev/null || missing="$$missing $$tool"; done; \
	[ -z "$$missing" ] || { echo "Installing Debian's$$missing for the tests..."; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) >/dev/null 2>&1 \
	  || echo "warning: could not install$$missing (apt-get as root); the tests that need them will be skipped"; }
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

$(VENV)/node/.installed: | $(BIN)/python
	@mkdir -p $(VENV)/node
	@command -v npm >/dev/null && (cd $(VENV)/node && npm install --silent --no-audit --no-fund @11ty/eleventy@3 \
	  hexo@7 hexo-renderer-marked@7 >/dev/null 2>&1) \
	  && touch $@ || echo "warning: could not install @11ty/eleventy and hexo with npm; their tests will be skipped"

## The benchmark on ../shared/corpus, 1x and 10x, with targets (see bench/README.md);
## e.g. make bench BENCH_ARGS="--sizes 1 --quick"
bench: install-test
	$(BIN)/python bench/benchmark.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) index .pytest_cache .hypothesis

## Relevance: `searchsvc eval` (the service against plain BM25) on every blog of ../shared/corpus,
## each in its language (their frontmatter names none: react-es is Spanish, react-ja Japanese)
CORPUS ?= ../shared/corpus
EVAL_LIMIT ?= 400
bench-relevance: install-test
	@[ -d $(CORPUS) ] || { echo "No corpus at $(CORPUS): nothing to measure."; exit 2; }
	@status=0; for blog in $(CORPUS)/*/; do \
	  lang=$$(case "$$blog" in *-es/) echo es;; *-ja/) echo ja;; *) echo en;; esac); \
	  echo "== $$blog ($$lang)"; SEARCHSVC_LANGUAGE=$$lang $(BIN)/searchsvc eval --content "$$blog" --limit $(EVAL_LIMIT) || status=1; \
	done; exit $$status

## Relevance in French, German and Chinese: blogs made from Debian's translated man pages
## (bench/manpage_blogs.py), installed here when missing
bench-manpages: install-test
	@[ -d /usr/share/man/fr ] && [ -d /usr/share/man/de ] && [ -d /usr/share/man/zh_CN ] && command -v col >/dev/null \
	  || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq man-db bsdextrautils manpages-fr manpages-de manpages-zh >/dev/null; }
	$(BIN)/python bench/manpage_blogs.py
