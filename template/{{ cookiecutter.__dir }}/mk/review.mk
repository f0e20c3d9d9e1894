# review: the capstone scorecard (see docs/checklist.md). It reads files only; RUN=1 also
# runs `make test`, STRICT=1 fails while a check is not done (a course may turn it on near
# the deadline), REVIEW_PATH=<folder or git URL> reviews another checkout (mentor mode).
REVIEW_PATH ?= .

.PHONY: review

review: ## Score the capstone from evidence: reports/review.md, review.json, badge, docs page
	$(CLI) review $(REVIEW_PATH) $(if $(RUN),--run) $(if $(STRICT),--strict)
