# The commands a newcomer types: `make run` and `make test`. Everything they need is installed here.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export CLEANRECORD_DATA_DIR ?= $(CURDIR)/var

.PHONY: install messages run test test-quick bench soak fuzz lint typecheck migrations-check demo sample-report clean

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

# The CJK font reports are typeset with (Debian's fonts-noto-cjk), installed when missing.
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
$(CJK_FONT):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk

# Debian's Chromium, which the browser tests drive through Playwright (Playwright cannot download its own here).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

# GNU gettext: makemessages (`make messages`, and the catalogue test) runs xgettext and msgmerge, compilemessages msgfmt.
MSGFMT := /usr/bin/msgfmt
$(MSGFMT):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext

install: $(STAMP) $(CJK_FONT) $(CHROMIUM) $(MSGFMT)

# The English catalogue (locale/en/LC_MESSAGES/django.po) brought up to date with the gettext strings in the code,
# and compiled (the .mo is committed: a checkout serves English without gettext installed). Translate new entries
# (empty msgstr) and run it again; cleanrecord/tests/test_catalogue.py fails on a stale catalogue.
MESSAGES_IGNORE := --ignore=.venv --ignore=var --ignore=node_modules
messages: $(STAMP) $(MSGFMT)
	$(BIN)/python manage.py makemessages --locale=en --no-location --no-obsolete $(MESSAGES_IGNORE)
	$(BIN)/python manage.py compilemessages --locale=en $(MESSAGES_IGNORE)

# Debian's wrk, the load generator of the verification benchmark (a Python one would take a core of its own).
WRK := /usr/bin/wrk
$(WRK):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk

run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py signing_keys init
	$(BIN)/python manage.py load_reference
	$(BIN)/python manage.py seed_demo --if-empty
	$(BIN)/python manage.py serve

test: install
	$(BIN)/pytest -q

# The suite less its slow tests: those that drive a browser or render/read a real PDF (markers in pyproject.toml).
test-quick: install
	$(BIN)/pytest -q -m "not browser and not pdf"

lint: install
	$(BIN)/ruff check .

typecheck: install
	$(BIN)/mypy

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run

bench: install $(WRK)
	$(BIN)/python -m bench

# The production stack on a fresh PostgreSQL database under mixed traffic for SOAK_SECONDS (600); see README "Soak".
soak: install
	$(BIN)/python -m bench.soak

# Mutated real files through the importer and the PDF checker: FUZZ_SECONDS (600) in all, FUZZ_SEED (1).
fuzz: install
	$(BIN)/python -m cleanrecord.testing.fuzz

demo: install
	$(BIN)/python manage.py seed_demo --entities 2000 --seed 1

# docs/sample-report.pdf and its first page as PNG, from reports/example.py (and the same in English, -en).
sample-report: install
	$(BIN)/python -m cleanrecord.reports.sample docs

clean:
	rm -rf $(VENV) var
