# nianbao: `make demo` crawls the bundled sample portals, `make test` runs the tests.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
ARCHIVE_DIR ?= demo-data
STAMP  := $(VENV)/.installed

PYWB_VENV := .venv-pywb
PYWB_STAMP := $(PYWB_VENV)/.installed

.PHONY: demo test test-unit lint install sysdeps serve serve-public bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# pywb replays our archives in the tests; it pins old libraries (redis, brotlipy), so it lives
# in a venv of its own instead of the project's.
$(PYWB_STAMP):
	$(PYTHON) -m venv $(PYWB_VENV)
	$(PYWB_VENV)/bin/pip install -q --upgrade pip
	$(PYWB_VENV)/bin/pip install -q 'pywb>=2.8'
	touch $(PYWB_STAMP)

# Debian packages the project needs: converters for legacy DOC/WPS attachments (antiword,
# catdoc); for the tests, a browser (chromium) and the shared frontier of distributed crawls
# (redis-server); for bench/crawl, wget as the outside reference.
# OCR of scanned reports (archive/extract/ocr.py): tesseract with its simplified-Chinese model, PDF pages
# rendered by poppler's pdftoppm. The farm draws its scanned reports with a CJK font
# (fonts-wqy-zenhei, through Pillow).
RUN_PKGS  := antiword catdoc tesseract-ocr tesseract-ocr-chi-sim poppler-utils
UNIT_PKGS := $(RUN_PKGS) fonts-wqy-zenhei
TEST_PKGS := $(UNIT_PKGS) chromium chromium-driver redis-server wget
SYSPKGS   ?= $(RUN_PKGS)
sysdeps:
	@missing=""; for p in $(SYSPKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "nianbao: please install:$$missing (sudo apt-get install$$missing)"; fi; \
	fi

demo: install sysdeps
	$(BIN)/python -m farm demo --archive-dir $(ARCHIVE_DIR)

# The full run: lint, then every test (real crawls, chromium, redis, pywb included).
test: install $(PYWB_STAMP) lint
	@$(MAKE) --no-print-directory sysdeps SYSPKGS="$(TEST_PKGS)"
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The quick run: lint and the tests not marked slow (no real crawl, browser, redis or pywb).
# (the farm's scanned reports, drawn with the CJK font, are extracted by unit tests too)
test-unit: install lint
	@$(MAKE) --no-print-directory sysdeps SYSPKGS="$(UNIT_PKGS)"
	$(BIN)/python -m pytest -m 'not slow' $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

serve: install
	$(BIN)/datasette $(ARCHIVE_DIR)/reports.db -m archive/index/datasette.json --plugins-dir archive/index/datasette_plugins

# Read-only public serving (README: "Serving the archive beyond localhost"): the settings of
# archive/index/datasette_public.json as --setting flags.
PUBLIC_HOST ?= 0.0.0.0
serve-public: install
	$(BIN)/datasette $(ARCHIVE_DIR)/reports.db -m archive/index/datasette.json --plugins-dir archive/index/datasette_plugins \
	  -h $(PUBLIC_HOST) $$($(BIN)/python -c 'import json; print(" ".join(f"--setting {k} {str(v).lower()}" for k, v in json.load(open("archive/index/datasette_public.json")).items()))')

clean:
	rm -rf $(VENV) $(PYWB_VENV) $(ARCHIVE_DIR) .pytest_cache
