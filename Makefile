# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint run clean browser
# The browser tests drive the system Chromium; emoji in the bot's messages need a font too.
BROWSER_PACKAGES := chromium fonts-noto-color-emoji
SERVE ?= 1
PORT  ?= 8765

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m bot demo --port $(PORT) $(if $(filter 0,$(SERVE)),--no-serve)

# Installs Chromium with apt when root and it is missing; otherwise the browser tests fail
# with the command that installs it.
browser:
	@missing=""; for p in $(BROWSER_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing$$missing for the browser tests"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get install -y -qq $$missing >/dev/null 2>&1 || \
	  { apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; } || \
	  echo "could not install$$missing: the browser tests will fail"; \
	elif [ -n "$$missing" ]; then \
	  echo "missing$$missing: run 'sudo apt-get install -y$$missing' or the browser tests fail"; \
	fi

test: $(STAMP) lint browser
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy bot handlers models services scheduler sandbox
	$(BIN)/lint-imports

run: $(STAMP)
	$(BIN)/python -m bot run --config $(or $(CONFIG),config.toml)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
