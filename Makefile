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

# One machine's settings, which a deployment gives as TRAINER_* variables instead: written
# once (never overwritten) where `flask --app trainer ...` reads them too.
instance/config.py:
	mkdir -p instance
	printf '%s\n' \
	  '# Written once by `make run` for this one machine; a deployment sets TRAINER_* instead.' \
	  'INSTANCE_SECRET_KEY = True  # the secret key is generated once into instance/secret_key' \
	  'BASE_URL = "http://$(HOST):$(PORT)"  # links, and the homePage of xAPI accounts' \
	  'XAPI_BASE_IRI = "http://$(HOST):$(PORT)/xapi"  # never change it once statements left' \
	  > $@

run: $(BIN)/.installed-run translations instance/config.py
	$(BIN)/flask --app trainer bootstrap --admin-email $(ADMIN_EMAIL)
	$(BIN)/gunicorn --workers 1 --threads 4 --bind $(HOST):$(PORT) 'trainer:create_app()'

dev: $(BIN)/.installed-run translations instance/config.py
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
