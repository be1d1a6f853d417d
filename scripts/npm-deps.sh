#!/usr/bin/env bash
# Installs the npm packages of the tests (oidc-provider, playwright-core, @azure/identity) from their
# lock file, when they are not installed yet.
set -euo pipefail
cd "$(dirname "$0")/../tests/conformance" 2>/dev/null || exit 0
[ -f package-lock.json ] || exit 0
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  npm ci --no-audit --no-fund --loglevel=error
  touch node_modules
fi
