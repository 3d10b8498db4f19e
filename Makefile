# customer_loyalty — the two commands: `make run` (demo) and `make test` (the suite).
# Odoo comes from $(ODOO_SRC) (a directory or a .tar.xz) when set, else upstream's 18.0 branch.
SHELL := /bin/bash
export ODOO_SRC

.PHONY: help setup run start test lint stop clean

help:
	@echo "make run    set up Odoo 18 + PostgreSQL, create loyalty_demo, serve http://127.0.0.1:8069"
	@echo "make start  the same, detached (log in .cache/server.log); returns once Odoo answers"
	@echo "make test   static checks, the Odoo suite on a fresh database, pure-Python tests"
	@echo "make lint   static checks only"
	@echo "make stop   stop the server of make start (and wait), then the project's PostgreSQL"
	@echo "make clean  stop, then delete .cache (Odoo source, virtualenv, cluster)"
	@echo "make bench  the benchmarks (tools/bench.sh); BENCH_ARGS=\"--only analytics\": the dashboard and RFM"

setup:
	@scripts/setup.sh

run:
	@scripts/run.sh

start:
	@LOYALTY_DETACH=1 scripts/run.sh

test:
	@scripts/test.sh

lint:
	@scripts/setup.sh --venv-only
	@.cache/venv/bin/ruff check customer_loyalty scripts tests tools
	@.cache/venv/bin/pylint --rcfile=.pylintrc customer_loyalty

stop:
	@scripts/stop.sh

clean: stop
	rm -rf .cache

# `make bench`: performance benchmarks on databases of their own (tools/bench.sh), figures only.
# BENCH_ARGS="--fresh" recreates the databases; see tools/bench.sh --help for the other options.
.PHONY: bench
bench:
	@tools/bench.sh $(BENCH_ARGS)
