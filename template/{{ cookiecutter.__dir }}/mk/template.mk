# Keeping up with the template (see "Updating from the template" in README.md).
# copier comes from uv (not the project's environment, which stays as it is).
COPIER_SPEC ?= copier>=9.13

.PHONY: template-check template-update

template-check: ## Say whether a newer template release exists (copier projects)
	uvx --from '$(COPIER_SPEC)' copier check-update

template-update: ## Update from the template, keep your edits (FOCUS=x, ANSWER='key=value', TEMPLATE_VERSION=tag)
	uv run --no-project --with '$(COPIER_SPEC)' python scripts/template_update.py \
		$(if $(FOCUS),--data focus=$(FOCUS)) $(if $(ANSWER),--data '$(ANSWER)') $(if $(TEMPLATE_VERSION),--vcs-ref $(TEMPLATE_VERSION))
