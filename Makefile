# calicolab.bgp_lb — the commands a newcomer and CI use. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
export PATH := $(BIN):$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
# ansible-test needs the collection under ansible_collections/ and outside this git checkout (it lists files with git)
SANITY_COLLECTIONS := $(or $(TMPDIR),/tmp)/calicolab-bgp_lb-sanity/ansible_collections
SANITY_ROOT := $(SANITY_COLLECTIONS)/calicolab/bgp_lb
REFERENCE_CHECK := $(or $(TMPDIR),/tmp)/calicolab-bgp_lb-reference
ANTSIBULL_DOCS := ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/.collections $(BIN)/antsibull-docs collection --use-current --squash-hierarchy --output-format simplified-rst
TWIN_LOCK := /tmp/bgp-lb-twin.lock
PYTHON_VERSION = $(shell $(BIN)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')

.PHONY: help setup demo test lint sanity units twin-tests integration floor installed molecule bench build docs twin-up twin-down clean

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

setup: ## create .venv, install pinned tools and collections, Debian packages for the twin (as root)
	@tools/setup.sh

$(BIN)/ansible-playbook:
	@tools/setup.sh

demo: $(BIN)/ansible-playbook ## bring the twin up, run site.yml, show the ECMP route and HTTP answers
	@tools/demo.sh

test: lint sanity units twin-tests integration floor installed molecule ## everything CI checks
	@echo "make test: all suites passed"

lint: $(BIN)/ansible-playbook ## ruff, ansible-lint (production profile), changelog fragments
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/ansible-lint
	$(BIN)/antsibull-changelog lint
	$(BIN)/python tools/role_docs.py --check
	cd .collections/ansible_collections/calicolab/bgp_lb && $(BIN)/antsibull-docs lint-collection-docs --plugin-docs --validate-collection-refs=self .
	@rm -rf $(REFERENCE_CHECK) && mkdir -p $(REFERENCE_CHECK) && $(ANTSIBULL_DOCS) --dest-dir $(REFERENCE_CHECK) calicolab.bgp_lb >/dev/null
	@diff -r docs/reference $(REFERENCE_CHECK) >/dev/null || { echo "docs/reference is stale: run 'make docs'"; exit 1; }

sanity: $(BIN)/ansible-playbook ## ansible-test sanity on a clean copy of the collection, no ignore files
	@test -z "$$(ls tests/sanity/ignore-*.txt 2>/dev/null)" || { echo "tests/sanity/ignore-*.txt must not exist"; exit 1; }
	@rm -rf $(SANITY_COLLECTIONS) && mkdir -p $(SANITY_ROOT)
	@# lab/twin is not part of the built collection (galaxy.yml build_ignore), so it is not sanity-tested as collection code
	@git ls-files -co --exclude-standard -z -- . ":(exclude)lab/twin" | rsync -a --from0 --files-from=- ./ $(SANITY_ROOT)/
	cd $(SANITY_ROOT) && $(BIN)/ansible-test sanity --local --python $(PYTHON_VERSION) --color no

units: $(BIN)/ansible-playbook ## pytest over module_utils and modules
	$(BIN)/pytest tests/unit

twin-tests: $(BIN)/ansible-playbook ## the twin's own tests (control plane; network as root)
	$(BIN)/pytest lab/twin/tests

integration: $(BIN)/ansible-playbook ## playbooks and modules against real FRR and the twin (root)
	$(BIN)/pytest tests/integration

floor: $(BIN)/ansible-playbook ## the lab on the oldest versions claimed (requirements-floor.txt; root, twin)
	$(BIN)/pytest tests/floor

installed: $(BIN)/ansible-playbook ## the built tarball installed outside the checkout, used as users do (root, twin)
	$(BIN)/pytest tests/installed

molecule: $(BIN)/ansible-playbook ## molecule: the twin scenario end to end; the containerlab scenario's syntax
	$(BIN)/molecule syntax -s containerlab
	flock $(TWIN_LOCK) $(BIN)/molecule test -s default

bench: $(BIN)/ansible-playbook ## benchmarks: bench/results.json and docs/benchmarks.md
	$(BIN)/python -m bench

docs: $(BIN)/ansible-playbook ## regenerate docs/reference (modules, filters, roles) and the role READMEs' variable tables
	$(BIN)/python tools/role_docs.py
	rm -rf docs/reference && mkdir -p docs/reference && $(ANTSIBULL_DOCS) --dest-dir docs/reference calicolab.bgp_lb

build: $(BIN)/ansible-playbook ## build the collection tarball into build/
	$(BIN)/ansible-galaxy collection build --force --output-path build .

twin-up: $(BIN)/ansible-playbook ## start the twin lab (root)
	$(BIN)/bgp-lb-twin up

twin-down: $(BIN)/ansible-playbook ## stop the twin lab and remove everything it made
	$(BIN)/bgp-lb-twin down

clean: ## remove generated files (keeps .venv)
	rm -rf .cache build tests/output reports .pytest_cache .ruff_cache
