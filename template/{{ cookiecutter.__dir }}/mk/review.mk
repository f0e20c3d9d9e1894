# review: the capstone scorecard (see docs/checklist.md). It reads files only; RUN=1 also
# runs `make test`, STRICT=1 fails while a check is not done (a course may turn it on near
# the deadline), REVIEW_PATH=<folder or git URL> reviews another checkout (mentor mode).
# It is the CLI's `review` command, started on its own (`python -m ...review`) so that it
# does not import the pipeline (pandas, scikit-learn) it never uses.
REVIEW_PATH ?= .

.PHONY: review

review: ## Score the capstone from evidence: reports/review.md, review.json, badge, docs page
	uv run python -m {{ cookiecutter.package_name }}.review $(REVIEW_PATH) $(if $(RUN),--run) $(if $(STRICT),--strict)
