# Everyday commands. Each creates .venv and installs the pinned requirements
# the first time, so a fresh clone needs nothing but Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_ENV := DEBUG=1 DATABASE_URL=

.PHONY: install demo serve test lint format migrations-check bench loadtest wrk clean

$(BIN)/activate: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(BIN)/activate

demo: install  ## Serve the API and admin with demo data on SQLite, port 8000
	mkdir -p var
	$(DEMO_ENV) $(BIN)/python manage.py migrate --no-input
	$(DEMO_ENV) $(BIN)/python manage.py load_demo
	$(DEMO_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

serve: install  ## Migrate, collect static files, serve with gunicorn (production settings)
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0
	$(BIN)/gunicorn -c config/gunicorn.py config.wsgi

test: install  ## Run the whole suite (SQLite unless DATABASE_URL is set)
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: install
	SECRET_KEY=check $(BIN)/python manage.py makemigrations --check --dry-run

wrk:
	command -v wrk >/dev/null || (apt-get update && apt-get install -y wrk)

bench: install wrk  ## Service vs bare floor on 1,000,000 track offers (PostgreSQL)
	$(BIN)/python -m bench.harness

loadtest: install  ## 16 clients for 60 s, then a PostgreSQL restart under load
	$(BIN)/python -m bench.loadtest

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
