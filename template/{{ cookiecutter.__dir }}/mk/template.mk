# Keeping up with the template (see "Updating from the template" in README.md).
# copier comes from uv (not the project's environment, which stays as it is), at the
# version this template release was tested with, up to the next minor release: a newer
# copier can refuse updates from older releases (COPIER_SPEC=... overrides it).
COPIER_TESTED := 9.19.1
COPIER_SPEC ?= copier>=$(COPIER_TESTED),<9.20
TEMPLATE_ARGS = $(if $(FOCUS),--data focus=$(FOCUS)) $(if $(ANSWER),--data '$(ANSWER)') \
	$(if $(TEMPLATE_VERSION),--vcs-ref $(TEMPLATE_VERSION))

.PHONY: template-check template-preview template-update template-abort template-copier

template-check: ## Say whether a newer template release exists (copier projects)
	uvx --from '$(COPIER_SPEC)' copier check-update

template-preview: ## Show what template-update would do, file by file, changing nothing (JSON=yes for JSON)
	@uv run --quiet --no-project --with '$(COPIER_SPEC)' python -B scripts/template_preview.py \
		$(TEMPLATE_ARGS) $(if $(JSON),--json)

template-update: ## Update from the template, keep your edits (FOCUS=x, ANSWER='key=value', TEMPLATE_VERSION=tag, CONFLICT=rej)
	uv run --no-project --with '$(COPIER_SPEC)' python -B scripts/template_update.py \
		$(TEMPLATE_ARGS) $(if $(CONFLICT),--conflict $(CONFLICT)) $(if $(RECORD_DELETIONS),--record-deletions)

template-abort: ## Undo a template update you have not committed (conflicts included)
	@uv run --quiet --no-project python -B scripts/template_abort.py

template-copier: ## Print the copier requirement the template targets use
	@echo '$(COPIER_SPEC)'
