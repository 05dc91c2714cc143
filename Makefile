# `make demo` and `make test` are the README's two commands: each sets up what it needs first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

# The browser test drives Debian's Chromium; the DOT report test runs Graphviz.
SYSTEM_TOOLS := chromium:chromium chromedriver:chromium-driver dot:graphviz

.PHONY: demo test lint install system-tools

install: $(VENV)/.installed

system-tools:
	@missing=""; for pair in $(SYSTEM_TOOLS); do \
		command -v $${pair%%:*} >/dev/null || missing="$$missing $${pair#*:}"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,lint]'
	$(BIN)/python -m hub.web.graphiql_assets
	touch $@

demo: install
	$(BIN)/hub demo

test: install system-tools
	$(BIN)/python -m pytest

# Zero findings or CI fails: style, formatting, strict types, and the layers of docs/architecture.md.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
