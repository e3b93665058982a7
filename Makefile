# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
ADMIN_EMAIL ?= admin@example.com

.PHONY: run dev test lint translations messages clean

# Reinstall only when the packaging files change; otherwise reuse the venv as it is.
$(BIN)/.installed-run: setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[postgres]'
	touch $@

$(BIN)/.installed-test: setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[postgres,test]'
	touch $@ $(BIN)/.installed-run

translations: $(BIN)/.installed-run
	$(BIN)/pybabel compile --use-fuzzy -d trainer/translations -f

# A local instance names its xAPI activities and learners after its own address (production
# must set both; start-up refuses without them).
run dev: export TRAINER_BASE_URL ?= http://$(HOST):$(PORT)
run dev: export TRAINER_XAPI_BASE_IRI ?= http://$(HOST):$(PORT)/xapi

run: $(BIN)/.installed-run translations
	$(BIN)/flask --app trainer bootstrap --admin-email $(ADMIN_EMAIL)
	$(BIN)/gunicorn --workers 2 --bind $(HOST):$(PORT) --access-logfile - 'trainer:create_app()'

dev: $(BIN)/.installed-run translations
	$(BIN)/flask --app trainer bootstrap --admin-email $(ADMIN_EMAIL)
	$(BIN)/flask --app trainer run --debug --host $(HOST) --port $(PORT)

test: $(BIN)/.installed-test translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(BIN)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
	find . -name '*.mo' -delete

# After changing interface strings: refresh the catalogue, then translate the new entries.
messages: $(BIN)/.installed-run
	$(BIN)/pybabel extract -F babel.cfg -k _l -w 100 -o trainer/translations/messages.pot .
	$(BIN)/pybabel update -w 100 -i trainer/translations/messages.pot -d trainer/translations --no-fuzzy-matching
