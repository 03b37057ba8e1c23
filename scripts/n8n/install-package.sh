#!/bin/sh
# Installs a packed n8n-nodes-fintech-identity tarball (npm pack) into n8n's community-nodes folder, the way n8n's
# own installer does: <user folder>/.n8n/nodes, without peer dependencies (n8n-workflow must be n8n's own copy).
# The tests (scripts/n8n/app.ts: test:n8n, test:queue, npm run dev) and the Dockerfile both install it with this
# script, so the image gets the package exactly as the tests do. POSIX sh: n8n's Docker image has no bash.
#   install-package.sh <tarball> [user folder, default $N8N_USER_FOLDER or $HOME]
set -eu
TARBALL="$1"
USER_FOLDER="${2:-${N8N_USER_FOLDER:-$HOME}}"
NODES="$USER_FOLDER/.n8n/nodes"
mkdir -p "$NODES"
# n8n keeps its own package.json here once it has installed a package; keep it (and the packages it lists).
[ -f "$NODES/package.json" ] || printf '{"name":"installed-nodes","private":true}\n' >"$NODES/package.json"
cd "$NODES"
# --omit=peer: npm 7+ would otherwise install a second n8n-workflow (171 packages instead of 11).
npm install --omit=peer --no-audit --no-fund --loglevel=error "$TARBALL"
