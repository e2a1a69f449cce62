# One command per job. `make run` and `make test` are the two a new machine needs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= $(shell echo $$(( $$(nproc) * 2 + 1 )))
# pytest-xdist processes: one per core (TEST_WORKERS=0 runs the suite in this process, for pdb).
TEST_WORKERS ?= auto
# The tests keep compiled modules and pytest's rewritten test modules in __pycache__ (git ignores it) even where
# the environment sets PYTHONDONTWRITEBYTECODE: without them each test process compiles and rewrites the whole
# suite again, about 10 s of its start (README, Tests).
PYTEST := env -u PYTHONDONTWRITEBYTECODE $(PY) -m pytest

.PHONY: install run test test-fast lint migrations messages clean serve bench echarts

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	@echo "打开 http://$(HOST):$(PORT)/ 并用上面的演示账号登录"
	# The export worker (README, Background exports) runs beside the server and stops with it.
	$(PY) manage.py db_worker --no-reload & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(PY) manage.py runserver $(HOST):$(PORT)

# Production: gunicorn behind the office's TLS proxy, static files served by whitenoise, PostgreSQL.
# Needs SECRET_KEY and DATABASE_URL in the environment (README, Production; docs/operations.md).
# Long exports need at least one worker beside it, on this machine or another using the same database:
#   RETROFIT_ENV=production .venv/bin/python manage.py db_worker   (one process per core to spare; README, Production)
serve: install
	@test -n "$$SECRET_KEY" || { echo "SECRET_KEY must be set for make serve"; exit 1; }
	@test -n "$$DATABASE_URL" || { echo "DATABASE_URL must be set for make serve (postgres://...)"; exit 1; }
	RETROFIT_ENV=production $(PY) manage.py check --deploy
	RETROFIT_ENV=production $(PY) manage.py collectstatic --noinput -v0
	RETROFIT_ENV=production $(PY) manage.py migrate --noinput
	RETROFIT_ENV=production $(VENV)/bin/gunicorn retrofit.wsgi:application --bind $(HOST):$(PORT) \
		--workers $(WORKERS) --timeout 60 --access-logfile - --error-logfile -

# Seeds throwaway SQLite and PostgreSQL databases (10,000 then 100,000 households) and prints every
# measure of docs/benchmarks.md as `name value unit`; about 10 minutes. BENCH_ARGS="--only sqlite" etc.;
# BENCH_ARGS="--only sqlite --steps weight" only the page weight in Chromium over slow 4G.
bench: install
	$(PY) -m bench.run $(BENCH_ARGS)

# The dashboard's ECharts: only what its line charts use (tools/echarts/entry.js), versions pinned by
# tools/echarts/package-lock.json. Needs node and the npm registry; commit the built file.
echarts:
	cd tools/echarts && npm ci --no-audit --no-fund && npm run build

test: install
	$(PYTEST) -n $(TEST_WORKERS)

test-fast: install
	$(PYTEST) -n $(TEST_WORKERS) -m "not browser"

lint: install
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run

messages: install
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --add-location file --ignore=.venv --ignore=tests
	$(PY) manage.py compilemessages -l zh_Hans --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles media
