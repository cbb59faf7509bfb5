# govwatch developer and operator tasks. `make demo` and `make test` work on a fresh machine.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# the machine's PostgreSQL (trust auth); the storage tests run on it as well as on SQLite
export GOVWATCH_TEST_PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: install demo test lint chromium fonts bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(STAMP)

# Debian's Chromium for the columns that need a browser (Playwright drives it; it cannot download one here),
# and its headless shell, which the crawler prefers (lighter)
chromium:
	@{ command -v chromium && command -v chromium-headless-shell; } >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium \
	    chromium-headless-shell >/dev/null; }

# Chinese fonts (Debian's fonts-noto-cjk) so that the workbench's screenshots in the browser tests are readable
fonts:
	@fc-list :lang=zh 2>/dev/null | grep -q . || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq fonts-noto-cjk >/dev/null; }

demo: install
	$(BIN)/govwatch demo

test: install chromium fonts
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .

bench: install
	$(BIN)/python benchmarks/crawl_bench.py
	$(BIN)/python benchmarks/links_bench.py
	$(BIN)/python benchmarks/web_bench.py
	$(BIN)/python benchmarks/cycle_bench.py

clean:
	rm -rf $(VENV) govwatch-demo govwatch-out .pytest_cache
