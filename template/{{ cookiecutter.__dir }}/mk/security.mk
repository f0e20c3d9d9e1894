# security: offline checks that `make test` and the Security workflow run, and the
# dependency audit that only CI runs (it asks an advisory database on the network).
# - zizmor audits .github (workflows and dependabot.yml) for unpinned actions, leaked
#   credentials, template injection and excessive permissions; --offline skips the audits
#   that ask GitHub's API.
# - detect-secrets scans every file a commit could take (git's tracked and not-ignored
#   files; outside a repository every file but the environment, caches, pipeline and
#   build outputs, and secrets/, where the compose stack keeps its admin token). Mark a
#   false positive with a `pragma: allowlist secret` comment on its line.
#   Hex strings are not reported (--disable-plugin HexHighEntropyString): the pipeline
#   writes sha256 checksums into docs/journal.md and the reports by design; keywords,
#   private keys, cloud and token formats and base64 secrets still are.
# - `uv audit` checks every package uv.lock pins against the OSV advisory database
#   (api.osv.dev). It needs the network: CI runs it, weekly too, since advisories appear
#   while the code stands still.
CHECKS += security
SECRET_SCAN_FILES := git ls-files -z --cached --others --exclude-standard 2>/dev/null || \
	find . \( -name .git -o -name .venv -o -name node_modules -o -name '.*_cache' \
	-o -name __pycache__ -o -path ./data -o -path ./models -o -path ./reports -o -path ./site \
	-o -path ./build -o -path ./secrets \) \
	-prune -o -type f -print0

.PHONY: security workflow-audit secrets audit

security: workflow-audit secrets ## Offline security checks: zizmor on .github, the secret scan

workflow-audit: ## Audit the workflows and dependabot.yml (zizmor, offline)
	uv run zizmor --offline --quiet .github

secrets: ## Scan the files a commit could take for secrets (detect-secrets, offline)
	($(SECRET_SCAN_FILES)) | xargs -0 -r uv run detect-secrets-hook --disable-plugin HexHighEntropyString

audit: ## Check uv.lock's packages for known vulnerabilities (uv audit; needs the network)
	uv audit --preview-features audit-command
